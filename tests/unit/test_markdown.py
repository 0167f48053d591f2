"""The PR-comment markdown: the whole body pinned for a realistic diff, and its size limit."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from pytest_agentcost.baseline import Baseline, BaselineEntry
from pytest_agentcost.diff import Comparison, compare
from pytest_agentcost.models import CallRecord, PriceSource, RunCost, TestCost, TokenUsage
from pytest_agentcost.render.markdown import COMMENT_LIMIT, MARKER, code, render_comment
from pytest_agentcost.settings import Budget, TestRules, Threshold
from tests.conftest import llm_record

if TYPE_CHECKING:
    from collections.abc import Mapping

# USD per million input / output tokens: the baseline was priced with OLD, the run with NOW
# (claude-3-5-haiku got dearer in between; gpt-4o kept its price).
NOW = {
    "openai:gpt-4o": (Decimal("2.5"), Decimal("10")),
    "anthropic:claude-3-5-haiku": (Decimal("1"), Decimal("5")),
}
OLD = {
    "openai:gpt-4o": (Decimal("2.5"), Decimal("10")),
    "anthropic:claude-3-5-haiku": (Decimal("0.8"), Decimal("4")),
}
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
:x: **Agent cost per run up 26.9% (+$0.0076), over the 10% and $0.0001 threshold (+22.6% on the 7 compared tasks): 1 task regressed, 1 over budget, 1 stale cassette to re-record, 1 cheaper, 1 new task**

Suite total per run: $0.0282 → $0.0358 (+$0.0076, +26.9%), leaving out 1 task that did not run and 1 unpriced task

- usage changed: +$0.0060 over 8 compared tasks
- prices changed: +$0.0008 (genai-prices 0.2.2 at 2026-06-01 → genai-prices 0.2.3 at 2026-11-01)
- total threshold 10% and $0.0001 **over**: $0.0254 → $0.0312 (+$0.00575, +22.6%) over 7 compared tasks at this run's prices
- new tasks: +$0.00175
- removed tasks: -$0.00095
- monthly projection: +$42.0000 a month (usage change × 1,000 runs a month; 1 task with own runs_per_month)

**Changed (5)**

| test | baseline | current | delta | delta % | why |
|:--|--:|--:|--:|--:|:--|
| :x: `tests/test_agent.py::test_plan` | $0.0090 | $0.0180 | +$0.0090 | +100.0% | **regressed** (threshold 10% and $0.0001); more LLM calls (2 -> 3); +2,200 input tokens; +350 output tokens |
| :x: `tests/test_agent.py::test_budget` | $0.0021 | $0.0021 | $0 | +0.0% | **over budget**: 2 LLM calls over max_llm_calls 1 |
| `tests/test_agent.py::test_search[a\|b]` | $0.0065 | $0.00325 | -$0.00325 | -50.0% | **improved**; fewer LLM calls (2 -> 1); -900 input tokens; -100 output tokens |
| `tests/test_claude.py::test_summarise` | $0.0032 | $0.0040 | +$0.0008 | +25.0% | usage unchanged; price change (+$0.0008) |
| `tests/test_agent.py::test_stale` | $0.0021 | $0.0021 | $0 | +0.0% | stale cassette (system prompt changed): re-record |

**New tasks (1): no baseline entry yet**

- `tests/test_agent.py::test_new_tool`: $0.00175; renamed from tests/test_agent.py::test_old? @pytest.mark.agent_cost(previously='tests/test_agent.py::test_old') compares it with that entry

**Removed tasks (1): in the baseline, gone from the suite**

- `tests/test_agent.py::test_old` (baseline $0.00095)

<details><summary>Not run (1): deselected or skipped, kept in the baseline</summary>

- `tests/test_agent.py::test_skipped` (baseline $0.00035)

</details>

**Unpriced (1): no price known, not compared**

- `tests/test_ft.py::test_finetune`: baseline unpriced, now unpriced (no price for openai:ft-gpt-4o-mini-acme)

**Estimated (1): estimates moved (responses without usage), cost change not gated**

- `tests/test_agent.py::test_stream_no_usage`: $0.00265 → $0.0029 (+$0.00025)

<details><summary>2 tasks unchanged</summary>

| test | cost |
|:--|--:|
| ``tests/test_agent.py::test_back`tick`` | $0.00035 |
| `tests/test_agent.py::test_steady` | $0.0014 |

</details>

1 task got cheaper: update the baseline to lock in the savings (`agentcost update-baseline RUN.json` or `pytest --agent-cost --agent-cost-update-baseline`).

<sub>prices: genai-prices 0.2.3 at 2026-11-01 · total threshold: 10% and $0.0001 · mode: fail</sub>
"""  # noqa: E501


def test_full_comment_for_a_realistic_diff() -> None:
    run, cmp = scenario()
    text = render_comment(run, cmp, runs_per_month=1000, rules={A + "test_plan": TestRules(runs_per_month=5000)})
    assert text == EXPECTED


def _simple(
    base_costs: Mapping[str, str | None],
    run_costs: Mapping[str, str | None],
    *,
    budgets: Mapping[str, Budget] | None = None,
    has_baseline: bool = True,
    full_run: bool = False,
) -> tuple[RunCost, Comparison]:
    """A run and its comparison from per-test costs (one call each, same prices on both sides)."""

    def one(nodeid: str, cost: str | None) -> TestCost:
        usage = TokenUsage(input_tokens=100, output_tokens=10)
        record = llm_record(
            endpoint=None,
            model="gpt-4o",
            usage=usage,
            cost_usd=None if cost is None else Decimal(cost),
        )
        return TestCost(nodeid, calls=(record,))

    run = RunCost(tests={n: one(n, c) for n, c in run_costs.items()}, price_source=RUN_PRICES)
    baseline = (
        Baseline(
            tests={n: BaselineEntry.from_test(one(n, c)) for n, c in base_costs.items()},
            price_source=RUN_PRICES,
        )
        if has_baseline
        else None
    )
    cmp = compare(
        run,
        baseline,
        threshold_for=lambda _: THRESHOLD,
        budget_for=lambda nodeid: (budgets or {}).get(nodeid, Budget()),
        total_threshold=THRESHOLD,
        full_run=full_run,
    )
    return run, cmp


def test_nothing_changed_is_one_line() -> None:
    costs = {"t.py::a": "0.0100", "t.py::b": "0.0020"}
    run, cmp = _simple(costs, costs)
    assert (
        render_comment(run, cmp)
        == f"{MARKER}\n:white_check_mark: **Agent cost unchanged** (2 tasks, $0.0120 per run)\n"
    )


def test_no_baseline_yet() -> None:
    run, cmp = _simple({}, {"t.py::a": "0.0100", "t.py::b": "0.0020"}, has_baseline=False)
    assert render_comment(run, cmp) == (
        f"{MARKER}\n"
        ":information_source: **No baseline yet**: 2 tasks with LLM or tool HTTP calls cost $0.0120 per run\n"
        "\n"
        "Create the baseline with `pytest --agent-cost --agent-cost-update-baseline` "
        "(or `agentcost update-baseline RUN.json`) and commit it.\n"
        "\n"
        "<sub>prices: genai-prices 0.2.3 at 2026-11-01 · mode: fail</sub>\n"
    )


def test_no_baseline_with_a_budget_violation_in_warn_mode() -> None:
    budgets = {"t.py::a": Budget(max_usd=Decimal("0.005"))}
    run, cmp = _simple({}, {"t.py::a": "0.0100", "t.py::b": "0.0020"}, budgets=budgets, has_baseline=False)
    assert render_comment(run, cmp, mode="warn") == (
        f"{MARKER}\n"
        ":warning: **No baseline yet; 1 task over budget**: 2 tasks with LLM or tool HTTP calls cost $0.0120 per run\n"
        "\n"
        "- `t.py::a`: $0.0100; cost $0.0100 over max_usd $0.0050\n"
        "\n"
        "Create the baseline with `pytest --agent-cost --agent-cost-update-baseline` "
        "(or `agentcost update-baseline RUN.json`) and commit it.\n"
        "\n"
        "<sub>prices: genai-prices 0.2.3 at 2026-11-01 · mode: warn</sub>\n"
    )


def test_headline_names_what_the_total_threshold_judged_when_new_tasks_move_the_total() -> None:
    # The suite total rose 75% (a new task), the compared tasks 25%: the threshold judged the 25%.
    run, cmp = _simple(
        {"t.py::a": "0.0100", "t.py::b": "0.0100"},
        {"t.py::a": "0.0150", "t.py::b": "0.0100", "t.py::new": "0.0100"},
    )
    assert cmp.total_regressed
    assert render_comment(run, cmp).splitlines()[1] == (
        ":x: **Agent cost per run up 75.0% (+$0.0150), over the 10% and $0.0001 threshold "
        "(+25.0% on the 2 compared tasks): 1 task regressed, 1 new task**"
    )


def test_list_items_escape_markup_as_table_cells_do() -> None:
    # A request value a stale cassette names, or a budget line, may hold markup: "</details>"
    # raw in a list item would close the folded block early and show the rest of the comment.
    run, cmp = _simple({}, {"t.py::new": "0.0100"})
    (new,) = cmp.tests
    change = "field note '<!--' -> '</details>'"
    cmp = replace(cmp, tests=(replace(new, stale=(change,), budget=("cost <b>over</b>",)),))
    text = render_comment(run, cmp)
    assert "'&lt;!--' -> '&lt;/details>'" in text
    assert "over budget: cost &lt;b>over&lt;/b>" in text
    assert "<!--'" not in text
    assert "<b>" not in text
    # A new or removed task's reasons, and the model names of an unpriced one, likewise.
    cmp = replace(cmp, tests=(replace(new, reasons=("same as removed <i>t</i>: renamed?",)),))
    assert "; same as removed &lt;i>t&lt;/i>: renamed?" in render_comment(run, cmp)
    run, cmp = _simple({"t.py::u": "0.0100"}, {"t.py::u": None})
    model = llm_record(model="<b>m</b>", cost_usd=None, usage=TokenUsage(input_tokens=1))
    run = replace(run, tests={"t.py::u": TestCost("t.py::u", calls=(model,))})
    assert "(no price for openai:&lt;b>m&lt;/b>)" in render_comment(run, cmp)


def test_a_partial_runs_total_is_not_called_the_suites() -> None:
    # A CI shard's job summary: its total covers its own tasks only.
    run, cmp = _simple({"t.py::a": "0.0100", "t.py::b": "0.0100"}, {"t.py::a": "0.0150"})
    whole = render_comment(run, cmp)
    shard = render_comment(replace(run, partial=True), cmp)
    assert "Suite total per run: $0.0100 → $0.0150" in whole
    assert "Total per run of the tasks this run ran (part of the suite): $0.0100 → $0.0150" in shard


def test_total_over_threshold_in_warn_mode() -> None:
    run, cmp = _simple({"t.py::a": "0.0100", "t.py::b": "0.0100"}, {"t.py::a": "0.0150", "t.py::b": "0.0100"})
    assert cmp.total_regressed
    assert render_comment(run, cmp, mode="warn") == (
        f"{MARKER}\n"
        ":warning: **Agent cost per run up 25.0% (+$0.0050), over the 10% and $0.0001 threshold: "
        "1 task regressed**\n"
        "\n"
        "Suite total per run: $0.0200 → $0.0250 (+$0.0050, +25.0%)\n"
        "\n"
        "- usage changed: +$0.0050 over 2 compared tasks\n"
        "- total threshold 10% and $0.0001 **over**: $0.0200 → $0.0250 (+$0.0050, +25.0%) over 2 compared tasks\n"
        "\n"
        "**Changed (1)**\n"
        "\n"
        "| test | baseline | current | delta | delta % | why |\n"
        "|:--|--:|--:|--:|--:|:--|\n"
        "| :warning: `t.py::a` | $0.0100 | $0.0150 | +$0.0050 | +50.0% "
        "| **regressed** (threshold 10% and $0.0001) |\n"
        "\n"
        "<details><summary>1 task unchanged</summary>\n"
        "\n"
        "| test | cost |\n"
        "|:--|--:|\n"
        "| `t.py::b` | $0.0100 |\n"
        "\n"
        "</details>\n"
        "\n"
        "<sub>prices: genai-prices 0.2.3 at 2026-11-01 · total threshold: 10% and $0.0001 · "
        "mode: warn</sub>\n"
    )


def test_a_change_within_threshold_is_a_row_not_a_failure() -> None:
    run, cmp = _simple({"t.py::a": "0.010000", "t.py::b": "0.0100"}, {"t.py::a": "0.010050", "t.py::b": "0.0100"})
    lines = render_comment(run, cmp).splitlines()
    assert lines[1] == ":white_check_mark: **Agent cost per run up 0.2% (+$0.00005)**"
    assert lines[12] == "| `t.py::a` | $0.0100 | $0.0100 | +$0.00005 | +0.5% | within threshold (10% and $0.0001) |"


@pytest.mark.parametrize(
    ("runs_per_month", "rules", "line"),
    [
        (100, {}, "- monthly projection: +$0.5000 a month (usage change × 100 runs a month)"),
        (
            None,
            {"t.py::a": TestRules(runs_per_month=30)},
            "- monthly projection: +$0.1500 a month (usage change × each task's runs_per_month, 1 task)",
        ),
        (
            100,
            {"t.py::b": TestRules(runs_per_month=1)},
            "- monthly projection: +$0.5000 a month (usage change × 100 runs a month; 1 task with own runs_per_month)",
        ),
    ],
)
def test_monthly_projection(runs_per_month: int | None, rules: dict[str, TestRules], line: str) -> None:
    run, cmp = _simple({"t.py::a": "0.0100", "t.py::b": "0.0100"}, {"t.py::a": "0.0150", "t.py::b": "0.0100"})
    lines = render_comment(run, cmp, runs_per_month=runs_per_month, rules=rules).splitlines()
    assert [x for x in lines if x.startswith("- monthly projection")] == [line]


def test_no_projection_without_runs_per_month() -> None:
    run, cmp = _simple({"t.py::a": "0.0100"}, {"t.py::a": "0.0150"})
    assert "monthly" not in render_comment(run, cmp)


@pytest.mark.parametrize(
    ("nodeid", "in_table", "expected"),
    [
        ("t.py::test_a", False, "`t.py::test_a`"),
        ("t.py::test_a[x|y]", True, "`t.py::test_a[x\\|y]`"),
        ("t.py::test_a[x|y]", False, "`t.py::test_a[x|y]`"),
        ("t.py::test_a[x`y]", True, "``t.py::test_a[x`y]``"),
        ("t.py::test_a[x``y]", False, "```t.py::test_a[x``y]```"),
        ("t.py::test_a[`]", False, "``t.py::test_a[`]``"),
        ("`t.py::odd", False, "`` `t.py::odd ``"),
        (" t.py::odd ", False, "`  t.py::odd  `"),
        ("t.py::test_a[x\\|y]", True, "`t.py::test_a[x\\\\\\|y]`"),
        ("t.py::test_a[a\nb]", False, "`t.py::test_a[a b]`"),
    ],
)
def test_node_ids_are_code_spans_that_survive_pipes_and_backticks(nodeid: str, in_table: bool, expected: str) -> None:
    assert code(nodeid, in_table=in_table) == expected


def _huge(n: int) -> tuple[RunCost, Comparison]:
    base = {f"tests/test_suite_{i // 100:03d}.py::test_case_{i:05d}[param-{i}]": "0.0100" for i in range(n)}
    # Every third test regressed, every third improved, the rest unchanged.
    now = {k: ("0.0200" if i % 3 == 0 else "0.0050" if i % 3 == 1 else "0.0100") for i, k in enumerate(base)}
    return _simple(base, now)


def test_huge_suite_is_capped_at_max_rows() -> None:
    run, cmp = _huge(5000)
    text = render_comment(run, cmp)
    assert len(text) < COMMENT_LIMIT - 1000
    assert "**Changed (3,334)**" in text
    assert "\n\n... and 3,284 more (see the JSON report)\n" in text
    assert "<details><summary>1,666 tasks unchanged</summary>" in text
    assert "\n\n... and 1,616 more (see the JSON report)\n\n</details>" in text
    # Regressions come first, so the cap never hides what fails the build.
    rows = [line for line in text.splitlines() if line.startswith("| :x: ")]
    assert len(rows) == 50


def test_huge_suite_fits_the_limit_when_every_row_is_asked_for() -> None:
    run, cmp = _huge(5000)
    text = render_comment(run, cmp, max_rows=10_000)
    assert len(text) <= COMMENT_LIMIT - 1000
    assert "more (shortened to fit the comment size limit; see the JSON report)" in text
    assert text.endswith("</sub>\n")


def test_a_tiny_limit_is_a_hard_cut_at_a_line_end() -> None:
    run, cmp = _huge(50)
    text = render_comment(run, cmp, limit=400)
    assert len(text) <= 400
    assert text.startswith(MARKER + "\n")
    assert text.endswith(
        "\n\n_Comment cut to fit GitHub's size limit: the JSON report (`--agent-cost-json`) has every task._\n"
    )


def test_output_does_not_depend_on_test_order() -> None:
    run, cmp = scenario()
    shuffled = RunCost(tests=dict(reversed(list(run.tests.items()))), price_source=run.price_source)
    reordered = Comparison(**{**cmp.__dict__, "tests": tuple(reversed(cmp.tests))})
    assert render_comment(shuffled, reordered) == render_comment(run, cmp)


def _compare_at_now(run: RunCost, baseline: Baseline, *, total_threshold: Threshold | None) -> Comparison:
    """A full run against ``baseline``, repriced at NOW's prices."""
    return compare(
        run,
        baseline,
        threshold_for=lambda _: THRESHOLD,
        budget_for=lambda _: Budget(),
        total_threshold=total_threshold,
        full_run=True,
        reprice=lambda k, usage: price(NOW, k, usage),
    )


def test_price_only_change_with_a_price_file() -> None:
    key = "anthropic:claude-3-5-haiku"
    run = RunCost(
        tests={"t.py::a": TestCost("t.py::a", calls=(call(key, 2000, 400),))},
        price_source=PriceSource(version="0.2.3", price_date="2026-11-01", overrides="sha256:00aa"),
    )
    baseline = Baseline(tests={"t.py::a": entry(call(key, 2000, 400, OLD))}, price_source=BASE_PRICES)
    cmp = _compare_at_now(run, baseline, total_threshold=THRESHOLD)
    lines = render_comment(run, cmp).splitlines()
    assert lines[1] == (
        ":white_check_mark: **Agent cost per run up 25.0% (+$0.0008): prices changed, usage unchanged**"
    )
    assert lines[5:7] == [
        "- usage changed: $0 over 1 compared task",
        "- prices changed: +$0.0008 (genai-prices 0.2.2 at 2026-06-01 → "
        "genai-prices 0.2.3 at 2026-11-01 with price file sha256:00aa)",
    ]
    assert lines[-1] == (
        "<sub>prices: genai-prices 0.2.3 at 2026-11-01 with price file sha256:00aa · "
        "total threshold: 10% and $0.0001 · mode: fail</sub>"
    )


def test_stale_failures_failed_tests_and_capped_sections() -> None:
    drift = {"changes": ["tools changed"]}
    tests = [
        TestCost("t.py::stale", calls=(call("openai:gpt-4o", 600, 60, drift=drift),)),
        TestCost("t.py::broken", outcome="failed", calls=(call("openai:gpt-4o", 900, 60),)),
        *(TestCost(f"t.py::new_{i}", calls=(call("openai:gpt-4o", 100, 10),)) for i in range(3)),
    ]
    run = RunCost(tests={t.nodeid: t for t in tests}, price_source=RUN_PRICES)
    baseline = Baseline(
        tests={
            "t.py::stale": entry(call("openai:gpt-4o", 600, 60)),
            "t.py::broken": entry(call("openai:gpt-4o", 600, 60)),
        },
        price_source=RUN_PRICES,
    )
    cmp = compare(
        run,
        baseline,
        threshold_for=lambda _: THRESHOLD,
        budget_for=lambda _: Budget(),
        total_threshold=Threshold(Decimal(1000)),
        full_run=True,
        stale_fails=True,
    )
    text = render_comment(run, cmp, max_rows=1)
    # The broken test is left out of the totals: only the three new tasks add cost.
    assert text.splitlines()[1] == ":x: **Agent cost per run up 50.0% (+$0.00105): 1 stale cassette, 3 new tasks**"
    assert (
        "| :x: `t.py::stale` | $0.0021 | $0.0021 | $0 | +0.0% "
        "| stale cassette: tools changed since it was recorded; re-record it |\n"
        "\n"
        "... and 1 more (see the JSON report)\n"
    ) in text
    assert (
        "**New tasks (3): no baseline entry yet**\n"
        "\n"
        "- `t.py::new_0`: $0.00035\n"
        "- ... and 2 more (see the JSON report)\n"
    ) in text
    full = render_comment(run, cmp)
    assert "| `t.py::broken` | $0.0021 | $0.00285 | +$0.00075 | +35.7% | test failed: not gated |" in full
    assert "leaving out 1 failed task" in full


@pytest.mark.parametrize("gate_estimates", [False, True])
def test_a_stale_test_shows_its_cost_if_re_recorded(gate_estimates: bool) -> None:
    drift = {"changes": ["system prompt +4000 characters"]}
    run = RunCost(
        tests={"t.py::stale": TestCost("t.py::stale", calls=(call("openai:gpt-4o", 600, 60, drift=drift),))},
        price_source=RUN_PRICES,
    )
    baseline = Baseline(tests={"t.py::stale": entry(call("openai:gpt-4o", 600, 60))}, price_source=RUN_PRICES)
    cmp = compare(
        run,
        baseline,
        threshold_for=lambda _: THRESHOLD,
        budget_for=lambda _: Budget(),
        total_threshold=None,
        full_run=True,
        estimate_now=lambda _: Decimal("0.0046"),
        gate_estimates=gate_estimates,
    )
    text = render_comment(run, cmp)
    if gate_estimates:  # the gate judged the estimate: the row shows it, and what the cassette replays
        assert (
            "| :x: `t.py::stale` | $0.0021 | ~$0.0046 (estimate) | +$0.0025 | +119.0% "
            "| **regressed** (threshold 10% and $0.0001); stale cassette (system prompt +4000 characters): "
            "re-record; the stale cassette replays $0.0021 |"
        ) in text
    else:
        assert (
            "| `t.py::stale` | $0.0021 | $0.0021 | $0 | +0.0% "
            "| stale cassette (system prompt +4000 characters): re-record; ~$0.0046 if re-recorded |"
        ) in text
        # A new user's adoption: the headline read "unchanged" with a check mark over stale rows.
        assert ":warning: **Agent cost per run unchanged: 1 stale cassette to re-record**" in text


def test_a_price_drop_under_a_usage_rise_says_what_the_gate_judged() -> None:
    # claude-3-5-haiku 5x cheaper since the baseline, and 200 more output tokens: the total reads
    # -75%, the gate fails the +25% usage. Neither the headline nor the failure line may read as
    # a saving over threshold.
    from pytest_agentcost.gate import why_failed

    key = "anthropic:claude-3-5-haiku"
    dear = {key: (Decimal("5"), Decimal("25"))}
    run = RunCost(tests={"t.py::a": TestCost("t.py::a", calls=(call(key, 2000, 600),))}, price_source=RUN_PRICES)
    baseline = Baseline(tests={"t.py::a": entry(call(key, 2000, 400, dear))}, price_source=BASE_PRICES)
    cmp = _compare_at_now(run, baseline, total_threshold=None)
    ((diff,),) = [cmp.tests]
    assert diff.status == "regressed"
    assert render_comment(run, cmp).splitlines()[1] == (
        ":x: **Agent cost per run down 75.0% (-$0.0150: usage +$0.0010, prices -$0.0160): 1 task regressed**"
    )
    assert why_failed(diff) == (
        "cost at this run's prices $0.0040 -> $0.0050 (+$0.0010, +25.0%) over threshold 10% and $0.0001; "
        "the baseline's $0.0200 was at its own prices"
    )


def test_the_headlines_parts_add_up_when_a_new_task_moved_the_total_too() -> None:
    key = "anthropic:claude-3-5-haiku"
    dear = {key: (Decimal("5"), Decimal("25"))}
    tests = {
        "t.py::a": TestCost("t.py::a", calls=(call(key, 2000, 600),)),
        "t.py::n": TestCost("t.py::n", calls=(call(key, 1000, 0),)),
    }
    run = RunCost(tests=tests, price_source=RUN_PRICES)
    baseline = Baseline(tests={"t.py::a": entry(call(key, 2000, 400, dear))}, price_source=BASE_PRICES)
    # $0.0200 -> $0.0050 + a new $0.0010: -$0.0140 = +$0.0010 usage - $0.0160 prices + $0.0010 new.
    assert render_comment(run, _compare_at_now(run, baseline, total_threshold=None)).splitlines()[1] == (
        ":x: **Agent cost per run down 70.0% (-$0.0140: usage +$0.0010, prices -$0.0160, new tasks +$0.0010): "
        "1 task regressed, 1 new task**"
    )


def test_a_total_threshold_that_compared_no_task_says_it_judged_nothing_in_the_comment() -> None:
    key = "openai:gpt-4o"
    run = RunCost(tests={"t.py::n": TestCost("t.py::n", calls=(call(key, 1000, 10),))}, price_source=RUN_PRICES)
    baseline = Baseline(tests={"t.py::old": entry(call(key, 1000, 10))}, price_source=RUN_PRICES)
    text = render_comment(run, _compare_at_now(run, baseline, total_threshold=THRESHOLD))
    assert "- total threshold 10% and $0.0001: nothing to judge, no task was compared with the baseline" in text
