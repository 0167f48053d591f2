"""Bedrock Agents' InvokeAgent: the agent's model invocations, from its trace, billed at their
model's rates; an answer without the trace is unpriced, never a free tool call (sweep 12: a real
llm-tracekit cassette read as a $0 tool call, though its trace held 638 / 53 tokens)."""

from __future__ import annotations

import base64
import json
from typing import Any

from pytest_agentcost._eventstream import encode
from tests.conftest import AgentProject, interaction

URL = "https://bedrock-agent-runtime.us-east-1.amazonaws.com/agents/3HNVYAQKPR/agentAliases/P0DCMGG0P7/sessions/11/text"
MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
# The events of coralogix/llm-tracekit's tests/bedrock/cassettes/test_invoke_agent_with_content.yaml,
# as recorded (the long prompt and raw response cut; the account number in the ARN replaced).
HEAD = {
    "agentAliasId": "P0DCMGG0P7",
    "agentId": "3HNVYAQKPR",
    "agentVersion": "3",
    "callerChain": [{"agentAliasArn": "arn:aws:bedrock:us-east-1:123456789012:agent-alias/3HNVYAQKPR/P0DCMGG0P7"}],
    "sessionId": "11",
}


def _trace(step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return "trace", {**HEAD, "eventTime": "2025-06-25T16:51:17.341570137Z", "trace": {"orchestrationTrace": step}}


def _invocation(tokens_in: int, tokens_out: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        _trace(
            {
                "modelInvocationInput": {
                    "foundationModel": MODEL,
                    "inferenceConfiguration": {"maximumLength": 2048, "temperature": 0.0, "topK": 250, "topP": 1.0},
                    "text": '{"system":" You are a helpful assistant, respond to the user."}',
                    "traceId": "14483892-67a4-4c76-9baf-c9e84e2a4cad-0",
                    "type": "ORCHESTRATION",
                }
            }
        ),
        _trace(
            {
                "modelInvocationOutput": {
                    "metadata": {
                        "clientRequestId": "d6df25ba-7989-4cfd-8749-e00f7ea3afcd",
                        "totalTimeMs": 2364,
                        "usage": {"inputTokens": tokens_in, "outputTokens": tokens_out},
                    },
                    "traceId": "14483892-67a4-4c76-9baf-c9e84e2a4cad-0",
                }
            }
        ),
    ]


ANSWER = ("chunk", {"bytes": base64.b64encode(b"This is a test.").decode()})
FINISH = _trace(
    {
        "observation": {
            "finalResponse": {"metadata": {"operationTotalTimeMs": 2469}, "text": "This is a test."},
            "traceId": "14483892-67a4-4c76-9baf-c9e84e2a4cad-0",
            "type": "FINISH",
        }
    }
)
ACTION = _trace(
    {
        "invocationInput": {
            "actionGroupInvocationInput": {"actionGroupName": "weather", "function": "get_weather"},
            "invocationType": "ACTION_GROUP",
            "traceId": "14483892-67a4-4c76-9baf-c9e84e2a4cad-0",
        }
    }
)


def _run(project: AgentProject, events: list[tuple[str, dict[str, Any]]]) -> Any:
    project.module(
        "test_agent",
        "@pytest.mark.vcr\ndef test_task():\n"
        "    req = urllib.request.Request(URL, data=json.dumps({'inputText': 'say this is a test', "
        "'enableTrace': True}).encode(), headers={'Content-Type': 'application/json'}, method='POST')\n"
        "    urllib.request.urlopen(req).read()\n",
    )
    (project.root / "test_agent.py").write_text(f"URL = {URL!r}\n" + (project.root / "test_agent.py").read_text())
    body = b"".join(
        encode(
            {":event-type": kind, ":content-type": "application/json", ":message-type": "event"},
            json.dumps(payload).encode(),
        )
        for kind, payload in events
    )
    record = interaction(URL, "", headers={"Content-Type": ["application/vnd.amazon.eventstream"]})
    record["response"]["body"] = {"string": body}
    project.cassette("test_agent", "test_task", [record])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    return result, project.read_json("cost.json")["tests"]["test_agent.py::test_task"]


def test_an_agent_invocation_is_billed_by_the_model_calls_its_trace_records(project: AgentProject) -> None:
    _, test = _run(project, [*_invocation(638, 53), FINISH, ANSWER])
    ((call,),) = [test["calls"]]
    assert (call["kind"], call["provider"], call["endpoint"], call["model"]) == ("llm", "aws", "bedrock.agent", MODEL)
    # Claude 3.5 Sonnet on Bedrock, $3 / $15 per million: 638 x 3 + 53 x 15 = 2,709 / 1e6.
    assert (test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (638, 53, "0.0027090000")


def test_an_agents_steps_are_summed_and_its_action_group_calls_are_tool_calls(project: AgentProject) -> None:
    _, test = _run(project, [*_invocation(638, 53), ACTION, *_invocation(900, 40), FINISH, ANSWER])
    assert (test["llm_calls"], test["tool_calls"], test["input_tokens"], test["output_tokens"]) == (1, 1, 1538, 93)
    assert test["cost_usd"] == "0.0060090000"  # 1,538 x 3 + 93 x 15 = 6,009 / 1e6


def test_an_agent_answer_without_its_trace_is_unpriced_not_free(project: AgentProject) -> None:
    result, test = _run(project, [ANSWER])
    assert (test["llm_calls"], test["tool_http_calls"], test["cost_usd"]) == (1, 0, None)
    result.stdout.fnmatch_lines(
        ["*bedrock.agent response from *: Bedrock Agents answers record the model's usage only in their trace*"]
    )


def test_a_trace_without_a_model_invocation_says_so_not_to_turn_the_trace_on(project: AgentProject) -> None:
    # Review 32: a guardrail intervened before any model ran; the trace was on.
    guardrail = (
        "trace",
        {
            **HEAD,
            "trace": {"guardrailTrace": {"action": "INTERVENED", "traceId": "14483892-67a4-4c76-9baf-c9e84e2a4cad"}},
        },
    )
    result, test = _run(project, [guardrail, ANSWER])
    assert (test["llm_calls"], test["cost_usd"]) == (1, None)
    result.stdout.fnmatch_lines(["*the agent's trace records no model invocation and so no usage*"])
    assert "enableTrace" not in result.stdout.str()
