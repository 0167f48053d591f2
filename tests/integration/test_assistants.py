"""Runs of OpenAI's Assistants API (``/threads/{id}/runs``): the run states its usage (Chat
Completions' shape, summed over the run's model calls) once it ends, in whatever answers then:
a poll, a stream's ``thread.run.completed``. Billed once per run id, never a free tool call; a
run still going is pending, one that ended without usage billed nothing. With and without xdist."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import AgentProject, interaction

THREAD = "https://api.openai.com/v1/threads/thread_erGl66dVoAO1EY2Mp3lvn9JB"
RUN_ID = "run_31fgVjfVXHHOJZbQnBWJXhlN"
RUNS = f"{THREAD}/runs"
POLL = f"{RUNS}/{RUN_ID}"

MODULE = """
import json
import urllib.request

import pytest


def call(method, url, body):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        return resp.read()


@pytest.mark.vcr
def test_task():
    for method, url, body in CALLS:
        call(method, url, body)
"""

# As recorded by a real run of gpt-4o-mini (openllmetry's cassette), fields cut to those read.
USAGE = {
    "prompt_tokens": 381,
    "completion_tokens": 88,
    "total_tokens": 469,
    "prompt_token_details": {"cached_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0},
}


def run(status: str, usage: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": RUN_ID,
        "object": "thread.run",
        "assistant_id": "asst_Leo2sRC1zfL8826tvsgfhKJ4",
        "thread_id": "thread_erGl66dVoAO1EY2Mp3lvn9JB",
        "status": status,
        "model": "gpt-4o-mini",
        "tools": [{"type": "code_interpreter"}],
        "usage": usage,
        **extra,
    }


def _run(
    project: AgentProject, calls: list[tuple[str, str, Any, str, dict[str, list[str]] | None]], *args: str
) -> tuple[Any, dict[str, Any]]:
    listed = ", ".join(f"({method!r}, {url!r}, {body!r})" for method, url, body, _, _ in calls)
    project.pytester.makepyfile(test_agent=MODULE.replace("CALLS", f"[{listed}]"))
    records = [
        interaction(url, answer, request_body="" if body is None else json.dumps(body), method=method, headers=headers)
        for method, url, body, answer, headers in calls
    ]
    project.cassette("test_agent", "test_task", records)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json", *args)
    return result, project.read_json("cost.json")["tests"]["test_agent.py::test_task"]


def test_a_polled_run_is_billed_once_at_the_usage_it_ends_with(project: AgentProject) -> None:
    messages = {"object": "list", "data": [{"object": "thread.message", "role": "assistant", "content": []}]}
    calls = [
        ("POST", RUNS, {"assistant_id": "asst_Leo2sRC1zfL8826tvsgfhKJ4"}, json.dumps(run("queued")), None),
        ("GET", POLL, None, json.dumps(run("in_progress")), None),
        ("GET", POLL, None, json.dumps(run("completed", USAGE)), None),
        ("GET", POLL, None, json.dumps(run("completed", USAGE)), None),  # polled again after it ended
        ("GET", f"{THREAD}/messages?order=asc", None, json.dumps(messages), None),
    ]
    result, test = _run(project, calls)
    assert result.ret == 0, result.stdout.str()
    # 381 x $0.15 + 88 x $0.60 per million tokens (gpt-4o-mini) = $0.00010995, once.
    assert (test["llm_calls"], test["input_tokens"], test["output_tokens"]) == (1, 381, 88)
    assert test["cost_usd"] == "0.0001099500"
    endpoints = [(c["endpoint"] if c["kind"] == "llm" else c["kind"], c.get("billed")) for c in test["calls"]]
    assert endpoints == [
        ("openai.assistants", False),
        ("openai.assistants", False),
        ("openai.assistants", True),
        ("openai.assistants", False),
        ("tool", None),
    ]
    assert f"poll of response {RUN_ID} already billed" in test["calls"][3]["warnings"]


def test_a_streamed_run_is_billed_at_its_completed_event_and_reads_its_cache_reads(project: AgentProject) -> None:
    # A run's usage names its cache reads prompt_token_details (Chat Completions: prompt_tokens_details).
    usage = {"prompt_tokens": 2000, "completion_tokens": 100, "prompt_token_details": {"cached_tokens": 1024}}
    events = [
        ("thread.run.created", run("queued")),
        ("thread.run.in_progress", run("in_progress")),
        ("thread.run.step.completed", {"object": "thread.run.step", "usage": {"prompt_tokens": 5}}),
        ("thread.run.completed", run("completed", usage)),
    ]
    stream = (
        "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
        + "event: done\ndata: [DONE]\n\n"
    )
    sse = {"Content-Type": ["text/event-stream"]}
    calls = [
        ("POST", RUNS, {"assistant_id": "asst_Leo2sRC1zfL8826tvsgfhKJ4", "stream": True}, stream, sse),
        ("GET", POLL, None, json.dumps(run("completed", usage)), None),
    ]
    result, test = _run(project, calls)
    assert result.ret == 0, result.stdout.str()
    streamed, polled = test["calls"]
    assert (streamed["billed"], streamed["streamed"], streamed["cache_read_tokens"]) == (True, True, 1024)
    assert polled["billed"] is False
    # (2000 - 1024) x $0.15 + 1024 x $0.075 + 100 x $0.60 per million tokens = $0.0002832.
    assert test["cost_usd"] == "0.0002832000"


def test_runs_that_end_without_usage_and_another_apis_runs_are_no_bill(project: AgentProject) -> None:
    # LangGraph's /threads/{id}/runs answers runs of its own shape: a tool's API, not OpenAI's.
    langgraph = "http://127.0.0.1:2024/threads/3f1c/runs"
    calls = [
        ("POST", RUNS, {"assistant_id": "asst_1"}, json.dumps(run("cancelled")), None),
        ("POST", langgraph, {"assistant_id": "agent"}, json.dumps({"run_id": "1ef", "status": "pending"}), None),
    ]
    result, test = _run(project, calls)
    assert result.ret == 0, result.stdout.str()
    assert (test["llm_calls"], test["tool_http_calls"], test["cost_usd"]) == (0, 1, "0.0000000000")
    cancelled, other = test["calls"]
    assert (cancelled["kind"], cancelled["billed"]) == ("llm", False)
    assert "the run cancelled" in " ".join(cancelled["warnings"])
    assert (other["kind"], other["host"]) == ("tool", "127.0.0.1:2024")
