"""The PR-comment markdown: the whole body pinned for a realistic diff, and its size limit."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from pytest_agentcost.baseline import Baseline, BaselineEntry
from pytest_agentcost.diff import Comparison, compare
from pytest_agentcost.models import CallRecord, PriceSource, RunCost, TestCost, TokenUsage
from pytest_agentcost.render.markdown import COMMENT_LIMIT, MARKER, code, render_comment
from pytest_agentcost.settings import Budget, TestRules, Threshold

# USD per million input / output tokens: the baseline was priced with OLD, the run with NOW
# (claude-3-5-haiku got dearer in between; gpt-4o kept its price).
NOW = {"openai:gpt-4o": (Decimal("2.5"), Decimal("10")), "anthropic:claude-3-5-haiku": (Decimal("1"), Decimal("5"))}
OLD = {"openai:gpt-4o": (Decimal("2.5"), Decimal("10")), "anthropic:claude-3-5-haiku": (Decimal("0.8"), Decimal("4"))}
HOSTS = {"openai": "api.openai.com", "anthropic": "api.anthropic.com"}
THRESHOLD = Threshold(Decimal(10), Decimal("0.0001"))
RUN_PRICES = PriceSource(version="0.2.3", price_date="2026-11-01")
BASE_PRICES = PriceSource(version="0.2.2", price_date="2026-06-01")
A = "tests/test_agent.py::"


def price(table: Mapping[str, tuple[Decimal, Decimal]], key: str, usage: TokenUsage) -> Decimal | None:
    """A tiny price table standing in for genai-prices (None: unknown model)."""
    if key not in table:
        return None
    per_input, per_output = table[key]
    return (usage.input_tokens * per_input + usage.output_tokens * per_output) / Decimal(1_000_000)


def call(
    key: str,
    input_tokens: int,
    output_tokens: int,
    table: Mapping[str, tuple[Decimal, Decimal]] = NOW,
    **extra: object,
) -> CallRecord:
    provider, model = key.split(":")
    usage = TokenUsage(input_tokens=input_tokens, output_tokens=output_tokens)
    return CallRecord(
        kind="llm",
        host=HOSTS[provider],
        status=200,
        provider=provider,
        model=model,
        usage=usage,
        cost_usd=price(table, key, usage),
        **extra,  # type: ignore[arg-type]
    )


def entry(*calls: CallRecord) -> BaselineEntry:
    return BaselineEntry.from_test(TestCost(nodeid="-", calls=calls))


def scenario() -> tuple[RunCost, Comparison]:
    """Every kind of change a reviewer meets, in one suite."""
    tests = [
        # regressed: a third LLM call and longer prompts
        TestCost(
            A + "test_plan",
            calls=(
                call("openai:gpt-4o", 1000, 200),
                call("openai:gpt-4o", 1400, 300),
                call("openai:gpt-4o", 1800, 250),
            ),
        ),
        # improved; a pipe in the node id
        TestCost(A + "test_search[a|b]", calls=(call("openai:gpt-4o", 900, 100),)),
        TestCost(A + "test_new_tool", calls=(call("openai:gpt-4o", 500, 50),)),
        TestCost("tests/test_ft.py::test_finetune", calls=(call("openai:ft-gpt-4o-mini-acme", 700, 70),)),
        TestCost(A + "test_stream_no_usage", calls=(call("openai:gpt-4o", 800, 90, estimated=True),)),
        # same usage, new price
        TestCost("tests/test_claude.py::test_summarise", calls=(call("anthropic:claude-3-5-haiku", 2000, 400),)),
        TestCost(A + "test_budget", calls=(call("openai:gpt-4o", 300, 30), call("openai:gpt-4o", 300, 30))),
        TestCost(
            A + "test_stale",
            calls=(call("openai:gpt-4o", 600, 60, drift={"changes": ["system prompt changed"]}),),
        ),
        TestCost(A + "test_steady", calls=(call("openai:gpt-4o", 400, 40),)),
        TestCost(A + "test_back`tick", calls=(call("openai:gpt-4o", 100, 10),)),
        TestCost(A + "test_skipped", outcome="skipped"),
    ]
    run = RunCost(tests={t.nodeid: t for t in tests}, price_source=RUN_PRICES)
    baseline = Baseline(
        tests={
            A + "test_plan": entry(call("openai:gpt-4o", 1000, 200), call("openai:gpt-4o", 1000, 200)),
            A + "test_search[a|b]": entry(call("openai:gpt-4o", 900, 100), call("openai:gpt-4o", 900, 100)),
            A + "test_old": entry(call("openai:gpt-4o", 300, 20)),
            "tests/test_ft.py::test_finetune": entry(call("openai:ft-gpt-4o-mini-acme", 700, 70)),
            A + "test_stream_no_usage": entry(call("openai:gpt-4o", 700, 90, estimated=True)),
            "tests/test_claude.py::test_summarise": entry(call("anthropic:claude-3-5-haiku", 2000, 400, OLD)),
            A + "test_budget": entry(call("openai:gpt-4o", 300, 30), call("openai:gpt-4o", 300, 30)),
            A + "test_stale": entry(call("openai:gpt-4o", 600, 60)),
            A + "test_steady": entry(call("openai:gpt-4o", 400, 40)),
            A + "test_back`tick": entry(call("openai:gpt-4o", 100, 10)),
            A + "test_skipped": entry(call("openai:gpt-4o", 100, 10)),
        },
        price_source=BASE_PRICES,
    )
    budgets = {A + "test_budget": Budget(max_llm_calls=1)}
    cmp = compare(
        run,
        baseline,
        threshold_for=lambda _: THRESHOLD,
        budget_for=lambda nodeid: budgets.get(nodeid, Budget()),
        total_threshold=THRESHOLD,
        full_run=True,
        reprice=lambda key, usage: price(NOW, key, usage),
    )
    return run, cmp


EXPECTED = r"""<!-- pytest-agentcost -->
:x: **Agent cost per run up 26.9% (+$0.007600): 1 task regressed, 1 over budget, 1 cheaper**

Suite total per run: $0.0282 → $0.0358 (+$0.007600, +26.9%), leaving out 1 task that did not run and 1 unpriced task

- usage changed: +$0.006000 over 8 compared tasks
- prices changed: +$0.000800 (genai-prices 0.2.2 at 2026-06-01 → genai-prices 0.2.3 at 2026-11-01)
- total threshold not applied: 1 compared task unpriced
- new tasks: +$0.001750
- removed tasks: -$0.000950
- monthly projection: +$42.0000 a month (usage change × 1,000 runs a month; 1 task with own runs_per_month)

**Changed (5)**

| test | baseline | current | delta | delta % | why |
|:--|--:|--:|--:|--:|:--|
| :x: `tests/test_agent.py::test_plan` | $0.009000 | $0.0180 | +$0.009000 | +100.0% | **regressed** (threshold 10% and $0.0001); more LLM calls (2 -> 3); +2,200 input tokens; +350 output tokens |
| :x: `tests/test_agent.py::test_budget` | $0.002100 | $0.002100 | $0 | +0.0% | **over budget**: 2 LLM calls over max_llm_calls 1 |
| `tests/test_agent.py::test_search[a\|b]` | $0.006500 | $0.003250 | -$0.003250 | -50.0% | **improved**; fewer LLM calls (2 -> 1); -900 input tokens; -100 output tokens |
| `tests/test_claude.py::test_summarise` | $0.003200 | $0.004000 | +$0.000800 | +25.0% | usage unchanged; price change (+$0.000800) |
| `tests/test_agent.py::test_stale` | $0.002100 | $0.002100 | $0 | +0.0% | stale cassette (system prompt changed): re-record |

**New tasks (1): no baseline entry yet**

- `tests/test_agent.py::test_new_tool`: $0.001750

**Removed tasks (1): in the baseline, gone from the suite**

- `tests/test_agent.py::test_old` (baseline $0.000950)

**Not run (1): deselected or skipped, kept in the baseline**

- `tests/test_agent.py::test_skipped` (baseline $0.000350)

**Unpriced (1): no price known, not compared**

- `tests/test_ft.py::test_finetune`: baseline unpriced, now unpriced (no price for openai:ft-gpt-4o-mini-acme)

**Estimated (1): responses without usage (tiktoken estimate), not gated**

- `tests/test_agent.py::test_stream_no_usage`: $0.002650 → $0.002900 (+$0.000250)

<details><summary>2 tasks unchanged</summary>

| test | cost |
|:--|--:|
| ``tests/test_agent.py::test_back`tick`` | $0.000350 |
| `tests/test_agent.py::test_steady` | $0.001400 |

</details>

1 task got cheaper: update the baseline to lock in the savings (`agentcost update-baseline RUN.json` or `pytest --agent-cost --agent-cost-update-baseline`).

<sub>prices: genai-prices 0.2.3 at 2026-11-01 · total threshold: 10% and $0.0001 · mode: fail</sub>
"""  # noqa: E501


def test_full_comment_for_a_realistic_diff() -> None:
    run, cmp = scenario()
    text = render_comment(run, cmp, runs_per_month=1000, rules={A + "test_plan": TestRules(runs_per_month=5000)})
    assert text == EXPECTED
