"""Claude answers that list ``usage.iterations``: a compaction step or an advisor's sub-inference,
which the top-level usage leaves out and Anthropic bills. The call is the sum of its iterations,
each priced on its own, an advisor's at its own model's rates. With and without xdist.

The usage objects are pydantic/pydantic-ai's recordings against api.anthropic.com
(tests/models/cassettes/test_anthropic/test_anthropic_compaction_usage_with_cache*.yaml and
test_anthropic_advisor_tool.yaml), and the on-demand compaction answer of Anthropic's docs.
"""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import POST_MODULE, AgentProject, interaction

MESSAGES = "https://api.anthropic.com/v1/messages"
BATCH = "https://api.anthropic.com/v1/messages/batches/msgbatch_01Compact/results"

MODULE = (
    POST_MODULE
    + """

@pytest.mark.vcr
def test_task():
    post("URL", {"model": "claude", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]})
"""
)

_NO_CACHE = {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0}


def _iteration(kind: str, tokens_in: int, tokens_out: int, **extra: Any) -> dict[str, Any]:
    return {
        "cache_creation": dict(_NO_CACHE),
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "type": kind,
        **extra,
    }


def _message(model: str, usage: dict[str, Any], content: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "id": "msg_011CduoCRono7pFKoTWpPAia",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content or [{"type": "text", "text": "Hello!"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }


def _compaction_usage() -> dict[str, Any]:
    # The compaction step wrote 55,096 tokens to the cache: none of it is in the top level.
    compaction = _iteration("compaction", 100, 82)
    compaction["cache_creation"]["ephemeral_5m_input_tokens"] = 55096
    compaction["cache_creation_input_tokens"] = 55096
    return {
        "cache_creation": dict(_NO_CACHE),
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "inference_geo": "global",
        "input_tokens": 180,
        "iterations": [compaction, _iteration("message", 180, 8)],
        "output_tokens": 8,
        "server_tool_use": {"web_fetch_requests": 0, "web_search_requests": 0},
        "service_tier": "standard",
    }


def _advisor_usage(advisor: str) -> dict[str, Any]:
    # The executor's two steps are the top level (2390 = 1128 + 1262); the advisor's are not.
    return {
        "cache_creation": dict(_NO_CACHE),
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "inference_geo": "global",
        "input_tokens": 2390,
        "iterations": [
            _iteration("message", 1128, 110),
            _iteration("advisor_message", 2518, 22, model=advisor),
            _iteration("message", 1262, 11),
        ],
        "output_tokens": 121,
        "output_tokens_details": {"thinking_tokens": 28},
        "server_tool_use": {"web_fetch_requests": 0, "web_search_requests": 0},
        "service_tier": "standard",
    }


def _stream(events: list[dict[str, Any]]) -> str:
    return "".join(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n" for event in events)


def _run(project: AgentProject, records: list[dict[str, Any]], *args: str) -> tuple[Any, dict[str, Any]]:
    url = records[0]["request"]["uri"]
    project.pytester.makepyfile(test_agent=MODULE.replace("URL", url))
    project.cassette("test_agent", "test_task", records)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json", *args)
    return result, project.read_json("cost.json")["tests"]["test_agent.py::test_task"]


def test_a_compaction_steps_tokens_are_billed_with_the_answers(project: AgentProject) -> None:
    result, test = _run(
        project, [interaction(MESSAGES, json.dumps(_message("claude-sonnet-4-6", _compaction_usage())))]
    )
    assert result.ret == 0, result.stdout.str()
    # By hand, claude-sonnet-4-6 ($3 in, $15 out, $3.75 5-minute cache write per million):
    # compaction 100 x 3 + 55,096 x 3.75 + 82 x 15 = 208,140; message 180 x 3 + 8 x 15 = 660.
    # The top level alone would say $0.000660.
    assert test["cost_usd"] == "0.2088000000"
    (call,) = test["calls"]
    assert (call["model"], call["input_tokens"], call["output_tokens"]) == ("claude-sonnet-4-6", 55376, 90)
    assert (call["cache_write_tokens"], call["cache_read_tokens"], call["estimated"]) == (55096, 0, False)
    assert "warning" not in result.stdout.str().lower()


def test_a_streamed_compaction_is_billed_from_the_iterations_of_its_last_message_delta(
    project: AgentProject,
) -> None:
    # message_start carries the compaction step's prompt (a cache read of 55,096); message_delta
    # replaces the top level with the answer's and lists both iterations.
    start_usage = {
        "input_tokens": 100,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 55096,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": 7,
        "service_tier": "standard",
        "inference_geo": "global",
    }
    compaction = _iteration("compaction", 100, 83)
    compaction["cache_read_input_tokens"] = 55096
    delta_usage = {
        "input_tokens": 181,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 8,
        "iterations": [compaction, _iteration("message", 181, 8)],
    }
    message = _message("claude-sonnet-4-6", start_usage, content=[])
    events = [
        {"type": "message_start", "message": message},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "compaction", "content": None}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "compaction_delta", "content": "Summary."}},
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Hello!"}},
        {"type": "content_block_stop", "index": 1},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": delta_usage},
        {"type": "message_stop"},
    ]
    record = interaction(MESSAGES, _stream(events), headers={"Content-Type": ["text/event-stream"]})
    result, test = _run(project, [record])
    assert result.ret == 0, result.stdout.str()
    # By hand: compaction 100 x 3 + 55,096 x 0.30 + 83 x 15 = 18,073.8; message 181 x 3 + 8 x 15 = 663.
    assert test["cost_usd"] == "0.0187368000"
    (call,) = test["calls"]
    assert (call["input_tokens"], call["cache_read_tokens"], call["output_tokens"]) == (55377, 55096, 91)
    assert call["streamed"] is True
    assert call["estimated"] is False


def test_an_advisors_sub_inference_is_billed_at_the_advisor_models_rates(project: AgentProject) -> None:
    answer = _message("claude-sonnet-5", _advisor_usage("claude-opus-4-8"))
    answer["content"] = [
        {"type": "server_tool_use", "id": "srvtoolu_01", "name": "advisor", "input": {}},
        {"type": "advisor_tool_result", "tool_use_id": "srvtoolu_01", "content": {"type": "advisor_result"}},
        {"type": "text", "text": "Paris."},
    ]
    result, test = _run(project, [interaction(MESSAGES, json.dumps(answer))])
    assert result.ret == 0, result.stdout.str()
    # By hand: executor claude-sonnet-5 ($2 in, $10 out) (1128 + 1262) x 2 + (110 + 11) x 10 = 5,990;
    # advisor claude-opus-4-8 ($5 in, $25 out) 2518 x 5 + 22 x 25 = 13,140. The top level: $0.005990.
    assert test["cost_usd"] == "0.0191300000"
    (call,) = test["calls"]
    assert call["model"] == "claude-sonnet-5"  # the call's model; its cost holds the advisor's
    assert (call["input_tokens"], call["output_tokens"], call["reasoning_tokens"]) == (4908, 143, 28)
    assert call["tool_calls"] == 0  # the advisor is a server tool, not a step of the agent's


def test_an_advisor_model_without_a_price_leaves_the_call_unpriced_and_says_which(project: AgentProject) -> None:
    answer = _message("claude-sonnet-5", _advisor_usage("claude-advisor-next"))
    result, test = _run(project, [interaction(MESSAGES, json.dumps(answer))])
    assert test["cost_usd"] is None
    out = result.stdout.str()
    assert "usage.iterations bill anthropic:claude-advisor-next (an advisor's sub-inference)" in out
    assert "'anthropic:claude-advisor-next' prices it" in out


def test_an_on_demand_compaction_is_no_free_call(project: AgentProject) -> None:
    # Anthropic's docs: no reply was generated, so the top level is 0; the summary is billed.
    usage = {
        "input_tokens": 0,
        "output_tokens": 0,
        "iterations": [{"type": "compaction", "input_tokens": 144, "output_tokens": 276}],
    }
    answer = _message(
        "claude-opus-5-5", usage, content=[{"type": "compaction", "content": "Summary of the conversation."}]
    )
    answer["stop_reason"] = "compaction"
    result, test = _run(project, [interaction(MESSAGES, json.dumps(answer))])
    assert result.ret == 0, result.stdout.str()
    # By hand, claude-opus-5-5 ($4 in, $20 out): 144 x 4 + 276 x 20 = 6,096.
    assert test["cost_usd"] == "0.0060960000"
    assert (test["input_tokens"], test["output_tokens"], test["llm_calls"]) == (144, 276, 1)


def test_a_batch_result_with_a_compaction_step_is_billed_with_it_at_the_batch_price(project: AgentProject) -> None:
    line = {
        "custom_id": "task-1",
        "result": {"type": "succeeded", "message": _message("claude-sonnet-4-6", _compaction_usage())},
    }
    record = interaction(BATCH, json.dumps(line) + "\n", method="GET")
    project.pytester.makepyfile(
        test_agent=POST_MODULE
        + f"""
@pytest.mark.vcr
def test_task():
    urllib.request.urlopen("{BATCH}").read()
"""
    )
    project.cassette("test_agent", "test_task", [record])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    # Half the standard price (the 5-minute cache write too): 208,800 / 2.
    assert test["cost_usd"] == "0.1044000000"
    assert (test["input_tokens"], test["cache_write_tokens"], test["output_tokens"]) == (55376, 55096, 90)
