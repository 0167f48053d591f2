"""Claude answers that list ``usage.iterations``: a compaction step or an advisor's sub-inference,
which the top-level usage leaves out and Anthropic bills. The call is the sum of its iterations,
each priced on its own, an advisor's at its own model's rates. With and without xdist.

The usage objects are pydantic/pydantic-ai's recordings against api.anthropic.com
(tests/models/cassettes/test_anthropic/test_anthropic_compaction_usage_with_cache*.yaml and
test_anthropic_advisor_tool.yaml), and the on-demand compaction answer of Anthropic's docs.
"""

from __future__ import annotations

import json
from decimal import Decimal
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
    assert call["price_context"] == {"priced": "per iteration"}
    assert [(part["model"], part["input_tokens"], part["cost_usd"]) for part in call["iterations"]] == [
        (None, 1128, "0.0033560000"),  # 1,128 x 2 + 110 x 10
        ("claude-opus-4-8", 2518, "0.0131400000"),
        (None, 1262, "0.0026340000"),  # 1,262 x 2 + 11 x 10
    ]
    # Each iteration is totalled as a call of its own model: the advisor's at its own key.
    by_model = {key: (m["calls"], m["input_tokens"], m["cost_usd"]) for key, m in test["by_model"].items()}
    assert by_model == {
        "anthropic:claude-sonnet-5 [priced=per iteration]": (2, 2390, "0.0059900000"),
        "anthropic:claude-opus-4-8 [priced=per iteration]": (1, 2518, "0.0131400000"),
    }
    assert (call["input_tokens"], call["output_tokens"], call["reasoning_tokens"]) == (4908, 143, 28)
    # The thinking the answer counts for the whole call is shown by its own iterations, within
    # each one's output: the last 11 of 11, the first the other 17.
    assert [part["reasoning_tokens"] for part in call["iterations"]] == [17, 0, 11]
    assert call["tool_calls"] == 0  # the advisor is a server tool, not a step of the agent's


def test_an_advisor_calls_web_searches_are_billed_once(project: AgentProject) -> None:
    usage = _advisor_usage("claude-opus-4-8")
    usage["server_tool_use"]["web_search_requests"] = 2
    result, test = _run(project, [interaction(MESSAGES, json.dumps(_message("claude-sonnet-5", usage)))])
    assert result.ret == 0, result.stdout.str()
    # $0.019130 as above, and 2 searches at $10 per 1,000: $0.020.
    assert test["cost_usd"] == "0.0391300000"
    assert test["calls"][0]["units"] == {"web_searches": 2}


def _tiered_compaction() -> dict[str, Any]:
    # claude-sonnet-4-5 charges $6 / $22.50 a million for a request past 200K input tokens. Each
    # iteration is a request: 180,000 and 23,000, neither past it; their sum, 203,000, would be.
    usage = {
        "input_tokens": 23000,
        "output_tokens": 1000,
        "iterations": [_iteration("compaction", 180000, 3500), _iteration("message", 23000, 1000)],
    }
    return _message("claude-sonnet-4-5", usage)


def test_each_iteration_gets_its_own_long_context_tier(project: AgentProject) -> None:
    result, test = _run(project, [interaction(MESSAGES, json.dumps(_tiered_compaction()))])
    assert result.ret == 0, result.stdout.str()
    # By hand at $3 / $15: (180,000 + 23,000) x 3 + (3,500 + 1,000) x 15 = 676,500. Summed: 1,319,250.
    assert test["cost_usd"] == "0.6765000000"
    assert test["calls"][0]["price_context"] == {"priced": "per iteration"}


def _three_tests(project: AgentProject, compaction: dict[str, Any]) -> None:
    advisor = _message("claude-sonnet-5", _advisor_usage("claude-opus-4-8"))
    plain = _message("claude-sonnet-4-6", {"input_tokens": 1000, "output_tokens": 100})
    calls = {"test_advisor": advisor, "test_compaction": compaction, "test_plain": plain}
    tests = "".join(f'\n\n@pytest.mark.vcr\ndef {name}():\n    post("{MESSAGES}", {{}})\n' for name in calls)
    project.pytester.makepyfile(test_agent=POST_MODULE + tests)
    for name, answer in calls.items():
        project.cassette("test_agent", name, [interaction(MESSAGES, json.dumps(answer))])


def test_a_baseline_reprices_iterated_calls_iteration_by_iteration(project: AgentProject) -> None:
    # Review 38: a baseline update that keeps an entry reprices it from its per-model sums, which
    # put an advisor's tokens at the executor's rates. Each iteration is a call of its own model now.
    _three_tests(project, _message("claude-sonnet-4-6", _compaction_usage()))
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    kept = project.run(
        "--agent-cost", "--agent-cost-update-baseline", "-k", "plain", "--agent-cost-price-date", "2026-10-15"
    )
    assert kept.ret == 0, kept.stdout.str()
    entries = project.read_json("agent-cost-baseline.json")["tests"]
    assert entries["test_agent.py::test_advisor"]["cost_usd"] == "0.0191300000"
    assert entries["test_agent.py::test_compaction"]["cost_usd"] == "0.2088000000"
    again = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert again.ret == 0, again.stdout.str()
    assert "3 unchanged" in again.stdout.str()


def test_a_price_change_of_an_iterated_call_is_a_price_change(project: AgentProject) -> None:
    # Review 39: with the cost of iterated calls kept as priced, a doubled price read as a usage
    # regression and failed the gate.
    project.ini("agent_cost_prices = prices.toml\n")
    rates = (("claude-sonnet-4-6", 3, 15), ("claude-sonnet-5", 2, 10), ("claude-opus-4-8", 5, 25))

    def price_file(factor: int) -> None:
        entries = [f'[models."anthropic:{m}"]\ninput = "{i * factor}"\noutput = "{o * factor}"\n' for m, i, o in rates]
        # The compaction step's five-minute cache write, at 1.25 times the input price.
        entries[0] += f'cache_write = "{Decimal("3.75") * factor}"\n'
        project.pytester.makefile(".toml", prices="\n".join(entries))

    price_file(1)
    _three_tests(project, _message("claude-sonnet-4-6", _compaction_usage()))
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    price_file(2)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    out = result.stdout.str()
    assert result.ret == 0, out
    assert "regressed" not in out
    tests = project.read_json("cost.json")["tests"]
    assert tests["test_agent.py::test_compaction"]["cost_usd"] == "0.4176000000"
    assert tests["test_agent.py::test_advisor"]["cost_usd"] == "0.0382600000"
    assert "3 price-changed" in out, out


def test_a_compaction_past_a_tier_in_sum_is_not_repriced_from_it(project: AgentProject) -> None:
    # As for any calls of a tiered price that sum past its first tier: which iteration was above
    # it is not kept, so an update that keeps the entry at new prices asks for a run of it.
    _three_tests(project, _tiered_compaction())
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    kept = project.run(
        "--agent-cost", "--agent-cost-update-baseline", "-k", "plain", "--agent-cost-price-date", "2026-10-15"
    )
    assert kept.ret == 4
    kept.stdout.fnmatch_lines(
        ["*test_compaction*cannot be repriced (anthropic:claude-sonnet-4-5 [[]priced=per iteration[]])*"]
    )


def test_a_call_no_longer_using_its_advisor_is_a_usage_change_not_a_price_change(project: AgentProject) -> None:
    # Review 38: the comparison repriced the baseline's advisor call from its sums at another
    # price date and called the difference a price change.
    answer = _message("claude-sonnet-5", _advisor_usage("claude-opus-4-8"))
    project.pytester.makepyfile(test_agent=MODULE.replace("URL", MESSAGES))
    cassette = project.cassette("test_agent", "test_task", [interaction(MESSAGES, json.dumps(answer))])
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    alone = _message("claude-sonnet-5", {"input_tokens": 2390, "output_tokens": 121})
    cassette.unlink()
    project.cassette("test_agent", "test_task", [interaction(MESSAGES, json.dumps(alone))])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json", "--agent-cost-price-date", "2026-10-15")
    out = result.stdout.str()
    assert result.ret == 0, out
    assert "price change" not in out
    # $0.019130 -> $0.005990: the advisor's $0.013140 is gone, -68.7%.
    assert "-68.7%" in out


def test_an_advisor_model_without_a_price_leaves_the_call_unpriced_and_says_which(project: AgentProject) -> None:
    answer = _message("claude-sonnet-5", _advisor_usage("claude-advisor-next"))
    result, test = _run(project, [interaction(MESSAGES, json.dumps(answer))])
    assert test["cost_usd"] is None
    out = result.stdout.str()
    assert "usage.iterations bill anthropic:claude-advisor-next at its own rates" in out
    assert "(a price file entry for it, 'anthropic:claude-advisor-next', prices it)" in out
    # The run names the model without a price: the advisor's, not the call's own.
    assert test["unpriced_models"] == ["anthropic:claude-advisor-next"]
    assert "warning: no price for model anthropic:claude-advisor-next" in out


def test_the_advisor_model_a_price_file_prices_is_an_entry_that_matched(project: AgentProject) -> None:
    project.ini("agent_cost_prices = prices.toml\n")
    project.pytester.makefile(".toml", prices='[models."anthropic:claude-advisor-next"]\ninput = "5"\noutput = "25"\n')
    answer = _message("claude-sonnet-5", _advisor_usage("claude-advisor-next"))
    result, test = _run(project, [interaction(MESSAGES, json.dumps(answer))])
    assert result.ret == 0, result.stdout.str()
    assert test["cost_usd"] == "0.0191300000"  # the advisor at the file's $5 / $25, as claude-opus-4-8
    assert "matched no call" not in result.stdout.str()


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


def test_an_empty_iterations_list_leaves_the_top_level(project: AgentProject) -> None:
    usage = {"input_tokens": 180, "output_tokens": 8, "iterations": []}
    result, test = _run(project, [interaction(MESSAGES, json.dumps(_message("claude-sonnet-4-6", usage)))])
    assert result.ret == 0, result.stdout.str()
    assert (test["cost_usd"], test["input_tokens"], test["estimated"]) == ("0.0006600000", 180, False)


def _batch(project: AgentProject, message: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    line = {"custom_id": "task-1", "result": {"type": "succeeded", "message": message}}
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
    return result, project.read_json("cost.json")["tests"]["test_agent.py::test_task"]


def test_a_batch_result_with_a_compaction_step_is_billed_with_it_at_the_batch_price(project: AgentProject) -> None:
    _, test = _batch(project, _message("claude-sonnet-4-6", _compaction_usage()))
    # Half the standard price (the 5-minute cache write too): 208,800 / 2.
    assert test["cost_usd"] == "0.1044000000"
    assert (test["input_tokens"], test["cache_write_tokens"], test["output_tokens"]) == (55376, 55096, 90)


def test_a_batch_result_that_used_an_advisor_bills_it_at_the_advisors_batch_rates(project: AgentProject) -> None:
    usage = _advisor_usage("claude-opus-4-8")
    usage["server_tool_use"]["web_search_requests"] = 1
    result, test = _batch(project, _message("claude-sonnet-5", usage))
    # Half price: sonnet-5 2,390 x 1 + 121 x 5 = 2,995; opus-4-8 2,518 x 2.5 + 22 x 12.5 = 6,570;
    # and the search, $10 per 1,000 (not discounted): $0.019565.
    assert test["cost_usd"] == "0.0195650000"
    assert (test["input_tokens"], test["output_tokens"]) == (4908, 143)
    assert "one call has one model" not in result.stdout.str()


def test_a_hook_price_for_an_advisor_call_is_shared_by_its_iterations(project: AgentProject) -> None:
    # Review 40: a hook pricing the iterations as hooks.py says (a 20% discount) put the advisor's
    # tokens under the executor's key, which a later baseline update repriced at its rates.
    project.pytester.makeconftest(
        """
from decimal import Decimal


def pytest_agentcost_price_call(call):
    if call.iterations:
        return sum(part.cost_usd for part in call.iterations) * Decimal("0.8")
    return None
"""
    )
    answer = _message("claude-sonnet-5", _advisor_usage("claude-opus-4-8"))
    result, test = _run(project, [interaction(MESSAGES, json.dumps(answer))])
    assert result.ret == 0, result.stdout.str()
    assert test["cost_usd"] == "0.0153040000"  # 0.8 x 0.019130
    by_model = {key: (m["input_tokens"], m["cost_usd"]) for key, m in test["by_model"].items()}
    assert by_model == {
        "anthropic:claude-sonnet-5 [priced=per iteration]": (2390, "0.0047920000"),  # 0.8 x 0.005990
        "anthropic:claude-opus-4-8 [priced=per iteration]": (2518, "0.0105120000"),  # 0.8 x 0.013140
    }


def test_iterations_priced_past_the_written_precision_read_back_alike_with_xdist(project: AgentProject) -> None:
    # Review 40: a rate with more decimals than the report's ten gave costs that JSON rounds; read
    # back on the xdist controller, the iterations no longer summed to the call and merged.
    project.ini("agent_cost_prices = prices.toml\n")
    project.pytester.makefile(
        ".toml", prices='[models."anthropic:claude-sonnet-5"]\ninput = "2.0000001"\noutput = "10.0000003"\n'
    )
    answer = _message("claude-sonnet-5", _advisor_usage("claude-opus-4-8"))
    project.pytester.makepyfile(test_agent=MODULE.replace("URL", MESSAGES))
    project.cassette("test_agent", "test_task", [interaction(MESSAGES, json.dumps(answer))])
    reports = []
    for mode in (["-p", "no:xdist"], ["-n", "2"]):
        result = project.pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", *mode, "--agent-cost", "--agent-cost-json", "cost.json"
        )
        assert result.ret == 0, result.stdout.str()
        reports.append((project.root / "cost.json").read_bytes())
    assert reports[0] == reports[1]
    test = json.loads(reports[1])["tests"]["test_agent.py::test_task"]
    assert sorted(test["by_model"]) == [
        "anthropic:claude-opus-4-8 [priced=per iteration]",
        "anthropic:claude-sonnet-5 [priced=per iteration]",
    ]
    assert sum(Decimal(m["cost_usd"]) for m in test["by_model"].values()) == Decimal(test["cost_usd"])
