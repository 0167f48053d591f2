"""Runs of OpenAI's Assistants API (``/threads/{id}/runs``): the run states its usage (Chat
Completions' shape, summed over the run's model calls) once it ends, in whatever answers then:
a poll, a stream's ``thread.run.completed``. Billed once per run id, never a free tool call; a
run still going is pending, one that ended without usage billed nothing. With and without xdist."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import SSE_HEADERS, AgentProject, interaction, sse_body

THREADS = "https://api.openai.com/v1/threads"
THREAD = f"{THREADS}/thread_erGl66dVoAO1EY2Mp3lvn9JB"
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
    stream = _events(
        ("thread.run.created", run("queued")),
        ("thread.run.in_progress", run("in_progress")),
        ("thread.run.step.completed", {"object": "thread.run.step", "usage": {"prompt_tokens": 5}}),
        ("thread.run.completed", run("completed", usage)),
    )
    calls = [
        ("POST", RUNS, {"assistant_id": "asst_Leo2sRC1zfL8826tvsgfhKJ4", "stream": True}, stream, SSE_HEADERS),
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


def _events(*events: tuple[str, dict[str, Any]]) -> str:
    """An Assistants stream: its events, then its ``done`` event."""
    return sse_body(*events) + "event: done\ndata: [DONE]\n\n"


def test_a_run_that_waits_for_tool_outputs_is_billed_once_when_it_ends(project: AgentProject) -> None:
    # Create a thread and run it, streamed: it stops at requires_action (no usage yet); the streamed
    # submit_tool_outputs ends it with the run's whole usage (its steps summed).
    thread = {"id": "thread_erGl66dVoAO1EY2Mp3lvn9JB", "object": "thread"}
    waiting = run("requires_action", required_action={"type": "submit_tool_outputs"})
    first = _events(
        ("thread.created", thread), ("thread.run.created", run("queued")), ("thread.run.requires_action", waiting)
    )
    second = _events(("thread.run.in_progress", run("in_progress")), ("thread.run.completed", run("completed", USAGE)))
    calls = [
        ("POST", f"{THREADS}/runs", {"assistant_id": "asst_1", "stream": True}, first, SSE_HEADERS),
        ("POST", f"{POLL}/submit_tool_outputs", {"tool_outputs": [], "stream": True}, second, SSE_HEADERS),
        ("POST", f"{POLL}/cancel", None, json.dumps(run("cancelling")), None),
    ]
    result, test = _run(project, calls)
    assert result.ret == 0, result.stdout.str()
    assert [c["billed"] for c in test["calls"]] == [False, True, False]
    assert (test["llm_calls"], test["cost_usd"]) == (1, "0.0001099500")


def test_a_run_through_a_gateway_is_billed_by_its_answer(project: AgentProject) -> None:
    # Review 43: on an unknown host (a LiteLLM proxy), neither the create (no model in it) nor the
    # polls name a model: the run object in the answer makes them the run's calls.
    proxy = "http://localhost:4000/v1/threads/thread_erGl66dVoAO1EY2Mp3lvn9JB/runs"
    calls = [
        ("POST", proxy, {"assistant_id": "asst_1"}, json.dumps(run("queued")), None),
        ("GET", f"{proxy}/{RUN_ID}", None, json.dumps(run("in_progress")), None),
        ("GET", f"{proxy}/{RUN_ID}", None, json.dumps(run("completed", USAGE)), None),
    ]
    result, test = _run(project, calls)
    assert result.ret == 0, result.stdout.str()
    assert (test["llm_calls"], test["tool_http_calls"], test["cost_usd"]) == (1, 0, "0.0001099500")


def test_a_run_that_ends_without_usage_is_unpriced_and_an_unknown_state_waits(project: AgentProject) -> None:
    # A state this reader does not know, usage null: pending, so the answer that states the usage
    # still bills the run. A run that completed stating none (an older API version) was billed
    # for what it did: unpriced, never an exact $0.
    calls = [
        ("GET", POLL, None, json.dumps(run("pending")), None),
        ("GET", POLL, None, json.dumps(run("completed", USAGE)), None),
        ("GET", f"{THREAD}/runs/run_2", None, json.dumps({**run("completed"), "id": "run_2"}), None),
        ("GET", f"{THREAD}/runs/run_3", None, json.dumps({**run("failed"), "id": "run_3"}), None),
        # A stream that ends in an error event, after the run started: nothing billed.
        (
            "POST",
            RUNS,
            {"stream": True},
            _events(("thread.run.created", run("queued")), ("error", {"message": "x"})),
            SSE_HEADERS,
        ),
    ]
    result, test = _run(project, calls)
    assert result.ret == 0, result.stdout.str()
    assert [c["billed"] for c in test["calls"]] == [False, True, True, False, False]
    assert "reports an error" in " ".join(test["calls"][4]["warnings"])
    assert (test["llm_calls"], test["input_tokens"], test["cost_usd"]) == (2, 381, None)
    assert "the completed run states no usage" in " ".join(test["calls"][2]["warnings"])
    assert "the run failed" in " ".join(test["calls"][3]["warnings"])
