"""Bedrock's service tiers and latency-optimized inference: AWS bills a call served on the flex
tier at a discount, on priority at a premium, and latency-optimized at rates of its own, none of
which genai-prices prices. Such a call is unpriced with a warning, never priced at the on-demand
rates as if exact; a ``pytest_agentcost_price_call`` hook prices it. With and without xdist.
Found by sweep 22 in pydantic-ai's recordings (Nova Pro on the flex tier, and latency-optimized)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import AgentProject, interaction, one_post_module

CONVERSE = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1%3A0/converse"

REQUEST = {"messages": [{"role": "user", "content": [{"text": "What is the capital of France?"}]}]}


def answer(**extra: Any) -> str:
    # pydantic-ai's recording, its prose shortened: 13 input, 70 output tokens.
    return json.dumps(
        {
            "metrics": {"latencyMs": 727},
            "output": {"message": {"content": [{"text": "The capital of France is Paris."}], "role": "assistant"}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 13, "outputTokens": 70, "serverToolUsage": {}, "totalTokens": 83},
            **extra,
        }
    )


def _run(project: AgentProject, body: str) -> tuple[Any, dict[str, Any]]:
    project.pytester.makepyfile(test_agent=one_post_module(CONVERSE, REQUEST))
    project.cassette("test_agent", "test_task", [interaction(CONVERSE, body, request_body=json.dumps(REQUEST))])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    return result, project.read_json("cost.json")["tests"]["test_agent.py::test_task"]


def test_a_flex_tier_call_is_unpriced_with_a_warning(project: AgentProject) -> None:
    result, test = _run(project, answer(serviceTier={"type": "flex"}))
    assert result.ret == 0, result.stdout.str()
    assert (test["llm_calls"], test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (1, 13, 70, None)
    out = result.stdout.str()
    assert "it was served on Bedrock's 'flex' service tier, which AWS bills at rates of its own" in out
    assert "no price for model" not in out  # genai-prices prices the model: only this call's tier is not


def test_the_on_demand_tier_is_priced_and_a_hook_prices_a_tier(project: AgentProject) -> None:
    # Nova Pro on demand: $0.80 in, $3.20 out per million. 13 x 0.8 + 70 x 3.2 = 234.4 / 1e6.
    result, test = _run(project, answer(serviceTier={"type": "default"}))
    assert result.ret == 0, result.stdout.str()
    assert test["cost_usd"] == "0.0002344000"
    project.pytester.makeconftest(
        """
from decimal import Decimal


def pytest_agentcost_price_call(call):
    if any("'flex' service tier" in w for w in call.warnings):
        return Decimal("0.0001172")  # half the on-demand price, as the team's AWS bill says
    return None
"""
    )
    result, test = _run(project, answer(serviceTier={"type": "flex"}))
    assert result.ret == 0, result.stdout.str()
    assert test["cost_usd"] == "0.0001172000"
    assert "the call is unpriced" not in result.stdout.str()
