"""Groq's compound systems (``groq/compound``): one call runs several models, listed with their
usage in ``usage_breakdown.models``, and may run built-in tools (``executed_tools``: web search,
website visits, code execution) that Groq bills per use. The call is priced model by model; with
tools run it is unpriced with a warning, also under a price file entry, which prices tokens. With
and without xdist. Found by sweep 22: pydantic-ai's real recording, once priced at a price file
entry for ``groq/compound`` (what the run's advice said) as exact, about a third of Groq's bill."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import SSE_HEADERS, AgentProject, interaction, one_post_module

CHAT = "https://api.groq.com/openai/v1/chat/completions"
REQUEST = {
    "messages": [{"content": "What is the weather in San Francisco today?", "role": "user"}],
    "model": "compound-beta",
}

SEARCH = {
    "arguments": '{"query": "What is the weather in San Francisco today?"}',
    "index": 0,
    "output": "Title: Weather in San Francisco\nURL: https://www.weatherapi.com/\n...",
    "search_results": {"results": [{"content": "...", "score": 0.98, "title": "Weather", "url": "https://w.example/"}]},
}


def _usage(prompt: int, completion: int) -> dict[str, Any]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


# The real answer's usage (pydantic-ai's recording, its prose shortened).
BREAKDOWN = [
    ("llama-3.3-70b-versatile", 138, 4),
    ("meta-llama/llama-4-scout-17b-16e-instruct", 495, 106),
    ("meta-llama/llama-4-scout-17b-16e-instruct", 2378, 55),
    ("llama-3.3-70b-versatile", 2285, 222),
]


def answer(tools: list[dict[str, Any]]) -> dict[str, Any]:
    message: dict[str, Any] = {"content": "Partly cloudy, 18 C.", "role": "assistant"}
    if tools:
        message["executed_tools"] = tools
    return {
        "choices": [{"finish_reason": "stop", "index": 0, "logprobs": None, "message": message}],
        "created": 1758143653,
        "id": "chatcmpl-compound",
        "model": "groq/compound",
        "object": "chat.completion",
        "service_tier": "on_demand",
        "usage": _usage(5296, 387),
        "usage_breakdown": {"models": [{"model": m, "usage": _usage(p, c)} for m, p, c in BREAKDOWN]},
        "x_groq": {"id": "req_01"},
    }


def _run(project: AgentProject, body: str, *args: str, headers: Any = None) -> tuple[Any, dict[str, Any]]:
    project.pytester.makepyfile(test_agent=one_post_module(CHAT, REQUEST))
    record = interaction(CHAT, body, request_body=json.dumps(REQUEST), headers=headers)
    project.cassette("test_agent", "test_task", [record])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json", *args)
    return result, project.read_json("cost.json")


def test_a_compound_call_is_priced_model_by_model(project: AgentProject) -> None:
    # Groq's rates per million: llama-3.3-70b-versatile $0.59 in / $0.79 out, llama-4-scout $0.11 / $0.34.
    # (138 + 2285) x 0.59 + (4 + 222) x 0.79 + (495 + 2378) x 0.11 + (106 + 55) x 0.34
    # = 1429.57 + 178.54 + 316.03 + 54.74 = 1978.88 / 1e6
    result, report = _run(project, json.dumps(answer([])))
    assert result.ret == 0, result.stdout.str()
    test = report["tests"]["test_agent.py::test_task"]
    assert (test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (5296, 387, "0.0019788800")
    (call,) = test["calls"]
    assert call["model"] == "groq/compound"
    assert [(i["model"], i["cost_usd"]) for i in call["iterations"]] == [
        ("llama-3.3-70b-versatile", "0.0000845800"),  # 138 x 0.59 + 4 x 0.79 = 84.58
        ("meta-llama/llama-4-scout-17b-16e-instruct", "0.0000904900"),  # 495 x 0.11 + 106 x 0.34 = 90.49
        ("meta-llama/llama-4-scout-17b-16e-instruct", "0.0002802800"),  # 2378 x 0.11 + 55 x 0.34 = 280.28
        ("llama-3.3-70b-versatile", "0.0015235300"),  # 2285 x 0.59 + 222 x 0.79 = 1523.53
    ]
    assert sorted(report["by_model"]) == [
        "groq:llama-3.3-70b-versatile [priced=per iteration]",
        "groq:meta-llama/llama-4-scout-17b-16e-instruct [priced=per iteration]",
    ]


@pytest.mark.parametrize("x_groq", [True, False], ids=["x_groq", "scrubbed"])
def test_a_compound_call_that_ran_tools_is_unpriced_under_a_price_file_too(project: AgentProject, x_groq: bool) -> None:
    # Review 44: without x_groq (a scrubbed recording) the lean reader took the answer, at the
    # price file's one rate, tools and all.
    (project.root / "prices.toml").write_text('[models."groq:groq/compound"]\ninput = "0.59"\noutput = "0.79"\n')
    for tools, expected in (([SEARCH], None), ([], "0.0019788800")):
        body = answer(tools)
        if not x_groq:
            del body["x_groq"]
        result, report = _run(project, json.dumps(body), "-o", "agent_cost_prices=prices.toml")
        assert result.ret == 0, result.stdout.str()
        test = report["tests"]["test_agent.py::test_task"]
        assert (test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (5296, 387, expected)
        assert ("Groq's compound system ran 1 built-in tool (executed_tools:" in result.stdout.str()) == bool(tools)


def _chunk(delta: dict[str, Any], **extra: Any) -> str:
    body = {"id": "chatcmpl-c", "object": "chat.completion.chunk", "model": "groq/compound", **extra}
    return "data: " + json.dumps({**body, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})


def _stream(*middle: str) -> str:
    # groq-python's chunk type: usage_breakdown is sent in the final chunk's x_groq, beside the usage.
    breakdown = {"models": [{"model": m, "usage": _usage(p, c)} for m, p, c in BREAKDOWN]}
    chunks = [
        _chunk({"role": "assistant", "content": ""}, x_groq={"id": "req_01"}),
        *middle,
        _chunk({"content": "Partly cloudy."}),
        _chunk({}, x_groq={"id": "req_01", "usage": _usage(5296, 387), "usage_breakdown": breakdown}),
        "data: [DONE]",
    ]
    return "\n\n".join(chunks) + "\n\n"


def test_a_compound_stream_is_priced_model_by_model_and_counts_each_tool_once(project: AgentProject) -> None:
    # Review 44: a stream's breakdown, in its final chunk's x_groq, was not read: the call was
    # unpriced, and the run's advice (a price file entry) priced it at one rate.
    result, report = _run(project, _stream(), headers=SSE_HEADERS)
    assert result.ret == 0, result.stdout.str()
    assert report["tests"]["test_agent.py::test_task"]["cost_usd"] == "0.0019788800"
    # A stream sends an executed tool twice, its arguments and then its output, under one index.
    started = {"index": 0, "type": "search", "arguments": SEARCH["arguments"]}
    ran = [_chunk({"executed_tools": [started]}), _chunk({"executed_tools": [{**started, "output": SEARCH["output"]}]})]
    result, report = _run(project, _stream(*ran), headers=SSE_HEADERS)
    assert result.ret == 0, result.stdout.str()
    assert report["tests"]["test_agent.py::test_task"]["cost_usd"] is None
    assert "Groq's compound system ran 1 built-in tool (executed_tools:" in result.stdout.str()
