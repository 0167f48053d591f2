"""Claude's US-only inference (``usage.inference_geo: "us"``): Anthropic bills it at 1.1 times
the model's token rates, which genai-prices has no price for. Such a call is unpriced with a
warning, never priced at the global rate as if exact; a ``pytest_agentcost_price_call`` hook
prices it. The global rate's answers are priced as before. With and without xdist."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import SSE_HEADERS, AgentProject, interaction, one_post_module, sse_body

MESSAGES = "https://api.anthropic.com/v1/messages"
REQUEST = {"model": "claude-opus-4-8", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}


def answer(geo: str | None) -> dict[str, Any]:
    usage: dict[str, Any] = {"input_tokens": 14, "output_tokens": 11}
    if geo is not None:
        usage["inference_geo"] = geo
    return {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-4-8",
        "content": [{"type": "text", "text": "Hello!"}],
        "stop_reason": "end_turn",
        "usage": usage,
    }


def stream(geo: str) -> str:
    start = {**answer(None), "content": [], "usage": {"input_tokens": 14, "output_tokens": 1, "inference_geo": geo}}
    return sse_body(
        ("message_start", {"type": "message_start", "message": start}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text"}}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"text": "Hello!"}}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {}, "usage": {"output_tokens": 11}}),
        ("message_stop", {"type": "message_stop"}),
    )


def _run(project: AgentProject, body: str, headers: dict[str, list[str]] | None = None) -> tuple[Any, dict[str, Any]]:
    project.pytester.makepyfile(test_agent=one_post_module(MESSAGES, REQUEST))
    record = interaction(MESSAGES, body, request_body=json.dumps(REQUEST), headers=headers)
    project.cassette("test_agent", "test_task", [record])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    return result, project.read_json("cost.json")["tests"]["test_agent.py::test_task"]


def test_us_only_inference_is_unpriced_with_the_premium_named(project: AgentProject) -> None:
    result, test = _run(project, json.dumps(answer("us")))
    assert result.ret == 0, result.stdout.str()
    assert (test["llm_calls"], test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (1, 14, 11, None)
    result.stdout.fnmatch_lines(
        ["*it ran with inference_geo 'us', which Anthropic bills at 1.1 times the model's token rates*unpriced*"]
    )


def test_a_streamed_us_only_call_is_unpriced_too(project: AgentProject) -> None:
    result, test = _run(project, stream("us"), SSE_HEADERS)
    assert result.ret == 0, result.stdout.str()
    assert (test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (14, 11, None)


def test_the_global_rate_is_priced_and_a_hook_prices_us_only_inference(project: AgentProject) -> None:
    # claude-opus-4-8: 14 x $5 + 11 x $25 per million tokens = $0.000345.
    for geo in ("global", "not_available", None):
        result, test = _run(project, json.dumps(answer(geo)))
        assert result.ret == 0, result.stdout.str()
        assert test["cost_usd"] == "0.0003450000", geo
    project.pytester.makeconftest(
        """
from decimal import Decimal


def pytest_agentcost_price_call(call):
    return Decimal("0.000345") * Decimal("1.1")
"""
    )
    result, test = _run(project, json.dumps(answer("us")))
    assert test["cost_usd"] == "0.0003795000"
    assert "inference_geo" not in result.stdout.str()  # the hook priced it: no warning left
