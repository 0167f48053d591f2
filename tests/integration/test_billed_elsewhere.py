"""Charges a provider bills beside the tokens, which genai-prices has no price for: a Bedrock
guardrail's policy evaluations, a Gemini context cache's storage and Gemini's grounding with
Google Search. Never a silent $0: the call's cost stays its tokens' (or the request stays a
tool call) and a warning says what is left out. With and without xdist."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import AgentProject, interaction

CONVERSE = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-text-express-v1/converse"
INVOKE = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
APPLY = "https://bedrock-runtime.us-east-1.amazonaws.com/guardrail/5zwrmdlsra2e/version/DRAFT/apply"
CACHE = "https://generativelanguage.googleapis.com/v1beta/cachedContents"

MODULE = """
import json
import urllib.request

import pytest


def post(url, body, headers=None):
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})}
    )
    with urllib.request.urlopen(req) as resp:
        return resp.read()
"""


def _units(free: int) -> dict[str, int]:
    return {
        "automatedReasoningPolicies": 1,  # a count of policies, not of text units
        "automatedReasoningPolicyUnits": 0,
        "contentPolicyImageUnits": 0,
        "contentPolicyUnits": 1,
        "contextualGroundingPolicyUnits": 0,
        "sensitiveInformationPolicyFreeUnits": free,
        "sensitiveInformationPolicyUnits": 1,
        "topicPolicyUnits": 1,
        "wordPolicyUnits": 1,
    }


def _converse_answer(trace: bool) -> str:
    # traceloop/openllmetry's recorded test_guardrail_converse (Titan Text Express), its trace's
    # coverage and PII findings cut: the guardrail checked the input and the output.
    answer: dict[str, Any] = {
        "metrics": {"latencyMs": 1562},
        "output": {"message": {"content": [{"text": "\nThe capital of {ADDRESS} is {ADDRESS}."}], "role": "assistant"}},
        "stopReason": "guardrail_intervened",
        "usage": {"inputTokens": 17, "outputTokens": 17, "totalTokens": 34},
    }
    if trace:
        answer["trace"] = {
            "guardrail": {
                "actionReason": "No action.\nGuardrail masked.",
                "inputAssessment": {"5zwrmdlsra2e": {"invocationMetrics": {"usage": _units(0)}}},
                "modelOutput": ['{"inputTextTokenCount":17,"results":[{"tokenCount":17}]}'],
                "outputAssessments": {"5zwrmdlsra2e": [{"invocationMetrics": {"usage": _units(1)}}]},
            }
        }
    return json.dumps(answer)


def _run(project: AgentProject, calls: str, records: list[dict[str, Any]]) -> tuple[Any, dict[str, Any]]:
    project.pytester.makepyfile(test_guarded=MODULE + f"\n\n@pytest.mark.vcr\ndef test_task():\n{calls}")
    project.cassette("test_guarded", "test_task", records)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    return result, project.read_json("cost.json")["tests"]["test_guarded.py::test_task"]


def test_a_guardrails_policy_units_are_named_beside_the_tokens_it_does_not_change(project: AgentProject) -> None:
    config = {"guardrailIdentifier": "5zwrmdlsra2e", "guardrailVersion": "DRAFT", "trace": "enabled"}
    body = {"messages": [{"role": "user", "content": [{"text": "capital of Italy?"}]}], "guardrailConfig": config}
    record = interaction(CONVERSE, _converse_answer(trace=True), request_body=json.dumps(body))
    result, test = _run(project, f"    post({CONVERSE!r}, {body!r})\n", [record])
    # Titan Text Express, $0.20 / $0.60 per million: 17 x 0.2 + 17 x 0.6 = 13.6 / 1e6.
    assert (test["llm_calls"], test["cost_usd"]) == (1, "0.0000136000")
    # Input and output were checked: two units of each billed policy; word filters and the
    # regular expression part of the PII filter are free, and left out.
    units = "contentPolicyUnits 2, sensitiveInformationPolicyUnits 2, topicPolicyUnits 2"
    assert any(f"(policy units: {units})" in w for w in test["calls"][0]["warnings"]), test["calls"]
    result.stdout.fnmatch_lines(["warning: bedrock.converse response from *: a Bedrock guardrail checked this call*"])
    assert "the cost is the tokens alone" in result.stdout.str()


def test_a_guardrail_without_its_trace_is_named_from_the_request(project: AgentProject) -> None:
    config = {"guardrailIdentifier": "5zwrmdlsra2e", "guardrailVersion": "DRAFT"}
    body = {"messages": [{"role": "user", "content": [{"text": "hi"}]}], "guardrailConfig": config}
    converse = interaction(CONVERSE, _converse_answer(trace=False), request_body=json.dumps(body))
    claude = {
        "id": "msg_bdrk_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-haiku-20240307",
        "content": [{"type": "text", "text": "Hi."}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 10, "output_tokens": 4},
    }
    invoke = interaction(INVOKE, json.dumps(claude), request_body=json.dumps({"messages": []}))
    invoke["request"]["headers"]["X-Amzn-Bedrock-GuardrailIdentifier"] = ["5zwrmdlsra2e"]
    plain = interaction(INVOKE, json.dumps(claude), request_body=json.dumps({"messages": [{"role": "user"}]}))
    calls = (
        f"    post({CONVERSE!r}, {body!r})\n"
        f"    post({INVOKE!r}, {{'messages': []}}, {{'X-Amzn-Bedrock-GuardrailIdentifier': '5zwrmdlsra2e'}})\n"
        f"    post({INVOKE!r}, {{'messages': [{{'role': 'user'}}]}})\n"
    )
    _, test = _run(project, calls, [converse, invoke, plain])
    noted = ["a Bedrock guardrail checked this call" in " ".join(call.get("warnings", [])) for call in test["calls"]]
    assert noted == [True, True, False]
    assert "(policy units: in the guardrail trace, which was off)" in test["calls"][0]["warnings"][0]
    # 17 x 0.2 + 17 x 0.6 (Titan) + 2 x (10 x 0.25 + 4 x 1.25) (Claude 3 Haiku) = 28.6 / 1e6.
    assert test["cost_usd"] == "0.0000286000"


def test_applying_a_guardrail_alone_and_creating_a_gemini_cache_are_tool_calls_that_say_what_they_cost(
    project: AgentProject,
) -> None:
    applied = {
        "usage": _units(1),
        "action": "NONE",
        "actionReason": "No action.",
        "outputs": [],
        "assessments": [{"invocationMetrics": {"usage": _units(1)}}],
    }
    cache = {
        "name": "cachedContents/1f7w9gq0k1x3",
        "model": "models/gemini-2.5-flash",
        "createTime": "2026-03-09T10:00:00.000000Z",
        "updateTime": "2026-03-09T10:00:00.000000Z",
        "expireTime": "2026-03-09T10:05:00.000000Z",
        "displayName": "story",
        "usageMetadata": {"totalTokenCount": 1090},
    }
    apply_body = {"source": "INPUT", "content": [{"text": {"text": "hi"}}]}
    cache_body = {"model": "models/gemini-2.5-flash", "ttl": "300s", "contents": []}
    records = [
        interaction(APPLY, json.dumps(applied), request_body=json.dumps(apply_body)),
        interaction(CACHE, json.dumps(cache), request_body=json.dumps(cache_body)),
    ]
    result, test = _run(project, f"    post({APPLY!r}, {apply_body!r})\n    post({CACHE!r}, {cache_body!r})\n", records)
    assert (test["llm_calls"], test["tool_http_calls"], test["cost_usd"]) == (0, 2, "0.0000000000")
    out = result.stdout.str()
    units = "contentPolicyUnits 1, sensitiveInformationPolicyUnits 1, topicPolicyUnits 1"
    assert f"a Bedrock guardrail applied (ApplyGuardrail, policy units: {units})" in out
    assert "a Gemini context cache created (1090 tokens, until 2026-03-09T10:05:00.000000Z)" in out
    assert "Google bills its storage per token-hour until it expires" in out


GEMINI = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"


def _grounded_answer(queries: list[str]) -> str:
    # Google's docs' grounded answer (Euro 2024), with the usage of such a call: the search
    # results the model read count as toolUsePromptTokenCount, input tokens.
    return json.dumps(
        {
            "candidates": [
                {
                    "content": {"parts": [{"text": "Spain won Euro 2024, defeating England 2-1."}], "role": "model"},
                    "finishReason": "STOP",
                    "groundingMetadata": {
                        "webSearchQueries": queries,
                        "searchEntryPoint": {"renderedContent": "<!-- HTML and CSS for the search widget -->"},
                        "groundingChunks": [
                            {"web": {"uri": "https://vertexaisearch.cloud.google.com/1", "title": "uefa.com"}}
                        ],
                    },
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 12,
                "candidatesTokenCount": 30,
                "toolUsePromptTokenCount": 410,
                "totalTokenCount": 452,
            },
            "modelVersion": "gemini-2.5-flash",
        }
    )


def test_a_gemini_answer_grounded_with_google_search_names_its_searches(project: AgentProject) -> None:
    body = json.dumps({"contents": [{"parts": [{"text": "Who won Euro 2024?"}]}], "tools": [{"google_search": {}}]})
    record = interaction(GEMINI, _grounded_answer(["UEFA Euro 2024 winner", "who won euro 2024"]), request_body=body)
    result, test = _run(project, f"    post({GEMINI!r}, json.loads({body!r}))\n", [record])
    # The tokens, at gemini-2.5-flash's $0.30 in and $2.50 out: (12 + 410) x 0.30 + 30 x 2.50 = 201.6.
    assert test["cost_usd"] == "0.0002016000"
    result.stdout.fnmatch_lines(
        ["*grounded with Google Search (2 search queries); Google bills grounding beyond a free quota*"]
    )


def test_a_gemini_answer_whose_grounding_ran_no_search_says_nothing(project: AgentProject) -> None:
    body = json.dumps({"contents": [{"parts": [{"text": "Hi"}]}], "tools": [{"google_search": {}}]})
    record = interaction(GEMINI, _grounded_answer([]), request_body=body)
    result, test = _run(project, f"    post({GEMINI!r}, json.loads({body!r}))\n", [record])
    assert test["cost_usd"] == "0.0002016000"
    assert "Google Search" not in result.stdout.str()
