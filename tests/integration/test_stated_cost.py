"""An answer that states what the call cost, where the price list cannot tell: Perplexity's Sonar
request fee depends on the search context size (low, medium, high), and genai-prices lists one
fee for all three. With and without xdist."""

from __future__ import annotations

import json

from tests.conftest import CHAT_URL, AgentProject, chat_response, interaction

PPLX_URL = "https://api.perplexity.ai/chat/completions"


def _answer(context: str, request_cost: float, total_cost: float) -> str:
    # A real answer (crmne/ruby_llm's cassette of sonar, search results cut), billed at the low
    # context size: 9 x $1/M + 59 x $1/M + a $5 per 1,000 requests fee = $0.00507.
    return json.dumps(
        {
            "id": "a6a0d346-4c05-414b-acb8-b09dfb8526ed",
            "model": "sonar",
            "created": 1775129203,
            "usage": {
                "prompt_tokens": 9,
                "completion_tokens": 59,
                "total_tokens": 68,
                "search_context_size": context,
                "cost": {
                    "input_tokens_cost": 0.00001,
                    "output_tokens_cost": 0.00006,
                    "request_cost": request_cost,
                    "total_cost": total_cost,
                },
            },
            "citations": ["https://www.youtube.com/watch?v=wLND9kOzQy8"],
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "The answer to 2 + 2 is **4**."},
                    "finish_reason": "stop",
                }
            ],
        }
    )


def _search_project(project: AgentProject, context: str, request_cost: float, total_cost: float) -> None:
    project.module("test_search", "@pytest.mark.vcr\ndef test_ask():\n    llm('2 + 2?', model='sonar')\n", url=PPLX_URL)
    project.cassette("test_search", "test_ask", [interaction(PPLX_URL, _answer(context, request_cost, total_cost))])


def test_a_perplexity_call_costs_what_its_answer_states_and_the_gate_sees_the_context_size(
    project: AgentProject,
) -> None:
    _search_project(project, "low", 0.005, 0.00507)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_search.py::test_ask"]
    # genai-prices' price, $12 per 1,000 requests whatever the context size, would be $0.012068.
    assert (test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (9, 59, "0.0050700000")
    assert [(call["cost_usd"], call["price_context"]) for call in test["calls"]] == [
        ("0.0050700000", {"search_context_size": "low"})
    ]
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    again = project.run("--agent-cost")
    assert again.ret == 0, again.stdout.str()
    again.stdout.fnmatch_lines(["compared with baseline: 1 unchanged; total $0.00507 -> $0.00507"])
    # The same tokens at the high context size: the request fee is the regression.
    _search_project(project, "high", 0.012, 0.012068)
    raised = project.run("--agent-cost")
    assert raised.ret == 1, raised.stdout.str()
    why = "model change (perplexity:sonar [search_context_size=low] -> perplexity:sonar [search_context_size=high])"
    assert f"regressed  {why}" in raised.stdout.str()
    raised.stdout.fnmatch_lines(["agent cost FAILED: test_search.py::test_ask: cost $0.00507 -> $0.0121 (*"])


def test_a_price_file_entry_that_prices_only_tokens_leaves_a_stated_bill_unpriced(project: AgentProject) -> None:
    # The file prices tokens (9 x $1/M + 59 x $2/M = $0.000127); the answer's bill holds a request
    # fee beside them, 40 times as much: priced from the file, the call would read far too low.
    project.ini("agent_cost_prices = prices.toml\n")
    (project.root / "prices.toml").write_text('[models."sonar"]\ninput = "1"\noutput = "2"\n')
    _search_project(project, "low", 0.005, 0.00507)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_search.py::test_ask"]
    assert (test["llm_calls"], test["input_tokens"], test["cost_usd"]) == (1, 9, None)
    result.stdout.fnmatch_lines(
        ["*the price file entry for perplexity:sonar prices tokens, and the answer's bill holds a request fee*"]
    )


def test_a_price_change_in_a_test_that_also_calls_perplexity_is_judged_a_price_change(project: AgentProject) -> None:
    # Review 33: the stated bill keeps its cost, the test's other model is repriced; keeping the
    # whole entry's old cost read o3's price change as usage, and failed the run.
    calls = f"    llm('2 + 2?', url={PPLX_URL!r}, model='sonar')\n    llm('x', model='o3')\n"
    project.module("test_search", "@pytest.mark.vcr\ndef test_mixed():\n" + calls)
    records = [
        interaction(PPLX_URL, _answer("low", 0.005, 0.00507)),
        interaction(CHAT_URL, chat_response("o3", 1000, 500)),
    ]
    project.cassette("test_search", "test_mixed", records)
    # o3 at $2 / $8 per million on 2025-07-01, $10 / $40 before 2025-06-10: $0.006 -> $0.03.
    assert project.run("--agent-cost", "--agent-cost-price-date", "2025-07-01", "--agent-cost-update-baseline").ret == 0
    result = project.run("--agent-cost", "--agent-cost-price-date", "2025-06-01")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "test_search.py::test_mixed  $0.0111 * $0.0351 * +$0.0240 * price-changed  price change (+$0.0240)",
            "compared with baseline: 1 price-changed; *",
        ]
    )


def test_a_stale_perplexity_cassette_is_estimated_at_its_stated_fee(project: AgentProject) -> None:
    # Review 33: the prompt grew by a word since the recording; re-recorded, the call would bill the
    # same request fee and a few more tokens, not genai-prices' $12 per 1,000 requests (+138%).
    project.module(
        "test_search",
        "@pytest.mark.vcr\ndef test_ask():\n    llm('What is 2 + 2 exactly?', model='sonar')\n",
        url=PPLX_URL,
    )
    recorded = json.dumps({"model": "sonar", "messages": [{"role": "user", "content": "What is 2 + 2?"}]})
    answer = interaction(PPLX_URL, _answer("low", 0.005, 0.00507), request_body=recorded)
    project.cassette("test_search", "test_ask", [answer])
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    result = project.run("--agent-cost", "--agent-cost-gate-estimates", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    compared = project.read_json("cost.json")["comparison"]["tests"]["test_search.py::test_ask"]
    assert compared["stale"] == ["message 1 (user) +8 characters"]
    # The stated $0.00507 and one or two more input tokens at $1 per million (two by the offline
    # count, ~4 characters a token; one by o200k_base where its encoding is cached).
    assert compared["estimated_now_usd"] in ("0.0050710000", "0.0050720000")
    assert compared["status"] == "unchanged"
