"""The comparison of a run with its baseline (diff.compare), on hand-made runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from pytest_agentcost.baseline import (
    Baseline,
    BaselineEntry,
    Repricer,
    baseline_from_dict,
    reprice_totals,
    update_baseline,
)
from pytest_agentcost.diff import Comparison, check_budget, compare
from pytest_agentcost.errors import BaselineError
from pytest_agentcost.gate import comparison_lines
from pytest_agentcost.models import CallRecord, ModelTotals, PriceSource, RunCost, TestCost, TokenUsage
from pytest_agentcost.pricing import ModelPrice, Pricer
from pytest_agentcost.render.markdown import render_comment
from pytest_agentcost.settings import Budget, Threshold
from tests.conftest import llm_record

PRICES = PriceSource(version="0.0.0", price_date="2026-11-01")
TEN_PCT = Threshold.parse("10%")


def _test(nodeid: str, cost: str | None, outcome: str = "passed", **call: Any) -> TestCost:
    usage = TokenUsage(input_tokens=1000)
    price = None if cost is None else Decimal(cost)
    return TestCost(nodeid, outcome=outcome, calls=(llm_record(usage=usage, cost_usd=price, **call),))


def _compare(
    run: RunCost,
    baseline: Baseline | None,
    *,
    threshold: Threshold = TEN_PCT,
    total_threshold: Threshold | None = None,
    full_run: bool = True,
    reprice: Repricer | None = None,
    exact: Callable[[str, int, int], bool] = lambda key, calls, tokens: True,
) -> Comparison:
    """``compare`` with one threshold for every test and no budgets."""
    return compare(
        run,
        baseline,
        threshold_for=lambda _: threshold,
        budget_for=lambda _: Budget(),
        total_threshold=total_threshold,
        full_run=full_run,
        reprice=reprice,
        exact=exact,
    )


def _baseline(run: RunCost) -> Baseline:
    """The baseline a full run writes, as read back from its file (money at stored precision)."""
    written, _ = update_baseline(None, run, full_run=True)
    return baseline_from_dict(written.to_dict(), "baseline")


def test_an_update_names_only_the_budget_that_fails_a_test_whose_rise_it_accepts() -> None:
    # A new user's adoption (LangChain): the update's failure line said the test was "over
    # threshold" too, a rise the same update accepts.
    baseline = _baseline(RunCost(tests={"a": _test("a", "0.0100")}, price_source=PRICES))
    now = TestCost(
        "a", calls=tuple(llm_record(usage=TokenUsage(input_tokens=1000), cost_usd=Decimal("0.0100")) for _ in range(3))
    )
    run = RunCost(tests={"a": now}, price_source=PRICES)
    cmp = compare(
        run,
        baseline,
        threshold_for=lambda _: TEN_PCT,
        budget_for=lambda _: Budget(max_llm_calls=2),
        total_threshold=None,
        full_run=True,
    )
    (diff,) = cmp.regressions
    assert diff.status == "regressed"
    failed = [line for line in comparison_lines(cmp, "fail", accepting=True) if line.startswith("agent cost")]
    assert failed == [
        "agent cost FAILED: a: 3 LLM calls over max_llm_calls 2 (its cost over threshold 10% is accepted by the "
        "baseline update)"
    ]
    (gated,) = [line for line in comparison_lines(cmp, "fail") if line.startswith("agent cost")]
    assert gated.startswith("agent cost FAILED: a: cost $0.0100 -> $0.0300 (+$0.0200, +200.0%) over threshold")
    assert gated.endswith("; 3 LLM calls over max_llm_calls 2")


def test_an_unpriced_test_leaves_the_terminal_total_over_the_rest_as_the_comment_does() -> None:
    # A new self-hosted model nobody priced would turn "total $X -> $Y" into "-> unpriced".
    base = RunCost(tests={"a": _test("a", "0.0100"), "b": _test("b", "0.0100")}, price_source=PRICES)
    run = RunCost(
        tests={"a": _test("a", "0.0100"), "b": _test("b", "0.0120"), "c": _test("c", None)}, price_source=PRICES
    )
    cmp = _compare(run, _baseline(base), threshold=Threshold.parse("50%"))
    assert cmp.current_total_usd is None
    assert cmp.priced_totals() == (Decimal("0.0200"), Decimal("0.0220"), 1)
    line = next(line for line in comparison_lines(cmp, "fail") if line.startswith("compared with baseline"))
    assert line.endswith("; total $0.0200 -> $0.0220 (+$0.0020, +10.0%), leaving out 1 unpriced test(s)")
    comment = render_comment(run, cmp)
    assert "Suite total per run: $0.0200 → $0.0220 (+$0.0020, +10.0%), leaving out 1 unpriced task" in comment


def test_a_price_source_change_that_moved_no_cost_is_not_called_a_price_change() -> None:
    # A price file for a model no compared test uses: the source changed, the prices did not.
    base = RunCost(tests={"a": _test("a", "0.0100")}, price_source=PRICES)
    now = PriceSource(version=PRICES.version, price_date=PRICES.price_date, overrides="sha256:0123abcd")
    run = RunCost(tests={"a": _test("a", "0.0100"), "n": _test("n", "0.0050")}, price_source=now)
    cmp = _compare(run, _baseline(base))
    assert cmp.prices_changed
    lines = comparison_lines(cmp, "fail")
    assert any(line.startswith("price source changed: ") for line in lines), lines
    assert any(line.endswith("; no compared test's cost moved with it") for line in lines), lines
    comment = render_comment(run, cmp)
    assert "- price source changed, no compared task's cost moved with it (" in comment
    assert "- prices changed" not in comment


def test_a_price_file_that_prices_an_unpriced_test_moved_its_cost() -> None:
    base = RunCost(tests={"a": _test("a", None)}, price_source=PRICES)
    now = PriceSource(version=PRICES.version, price_date=PRICES.price_date, overrides="sha256:0123abcd")
    run = RunCost(tests={"a": _test("a", "0.0100")}, price_source=now)
    cmp = _compare(run, _baseline(base))
    assert (cmp.prices_changed, cmp.prices_moved) == (True, True)
    assert any(line.startswith("prices changed: ") for line in comparison_lines(cmp, "fail"))


def test_the_headline_names_only_new_tasks_that_moved_the_total() -> None:
    # An unpriced new task is left out of the total, so it did not move it.
    base = RunCost(tests={"a": _test("a", "0.0100")}, price_source=PRICES)
    run = RunCost(
        tests={"a": _test("a", "0.0100"), "n": _test("n", "0.0050"), "u": _test("u", None)}, price_source=PRICES
    )
    headline = render_comment(run, _compare(run, _baseline(base))).splitlines()[1]
    assert headline == ":white_check_mark: **Agent cost per run up 50.0% (+$0.0050): 1 new task**"


def test_the_totals_line_counts_the_tests_the_table_shows() -> None:
    from pytest_agentcost.render.terminal import cost_table_lines

    tool_only = TestCost("t", outcome="passed", calls=(llm_record(kind="tool", host="api.tavily.com", provider=None),))
    run = RunCost(tests={"a": _test("a", "0.0100"), "t": tool_only, "q": TestCost("q")}, price_source=PRICES)
    lines = cost_table_lines(run)
    assert sum(1 for line in lines if line.startswith(("a ", "t "))) == 2
    total = next(line for line in lines if line.startswith("total:"))
    assert total.startswith("total: $0.0100 over 2 test(s) with LLM or tool HTTP calls (1 other test(s) not shown);")


def test_a_test_whose_provider_calls_all_failed_keeps_its_row() -> None:
    # An agent failing on auth or rate limits has no LLM call to count: its row says why.
    from pytest_agentcost.render.terminal import cost_table_lines

    def failed(status: int) -> CallRecord:
        return llm_record(status=status, billed=False, model=None)

    tests = {
        "a": _test("a", "0.0100"),
        "e": TestCost("e", outcome="failed", calls=(failed(401), failed(429), failed(429))),
        "q": TestCost("q"),
    }
    lines = cost_table_lines(RunCost(tests=tests, price_source=PRICES))
    row = next(line for line in lines if line.startswith("e "))
    assert row.split()[1:3] == ["0", "0"]
    assert row.endswith("$0  failed, 3 error responses (HTTP 401, 429)")
    total = next(line for line in lines if line.startswith("total:"))
    assert total.startswith("total: $0.0100 over 2 test(s) with LLM or tool HTTP calls (1 other test(s) not shown);")


def test_the_totals_say_how_much_is_partial_runs_of_tests_that_did_not_pass() -> None:
    from pytest_agentcost.render.terminal import cost_table_lines

    tests = {
        "a": _test("a", "0.0100"),
        "f": _test("f", "0.0040").with_outcome("failed"),
        "g": _test("g", None).with_outcome("failed"),
        "x": _test("x", "0.0020").with_outcome("xfailed"),
        "p": _test("p", "0.0010").with_outcome("xpassed"),
    }
    lines = cost_table_lines(RunCost(tests=tests, price_source=PRICES))
    total = lines.index(next(line for line in lines if line.startswith("total:")))
    assert lines[total + 1] == (
        "of which $0.0060 + unpriced calls is the partial cost of 3 test(s) that did not pass "
        "(2 failed, 1 xfailed); the comparison with a baseline leaves them out"
    )
    passed = cost_table_lines(RunCost(tests={"a": tests["a"], "p": tests["p"]}, price_source=PRICES))
    assert not any(line.startswith("of which") for line in passed)


def test_a_prompt_cache_miss_names_the_cache_writes_it_paid_for() -> None:
    # An Anthropic cache miss: the prefix read from the cache before is written again, at 1.25x
    # the input price; the writes are most of the rise, and the reasons must say so.
    def cached(cost: str, **tokens: int) -> RunCost:
        usage = TokenUsage(input_tokens=1716, output_tokens=45, **tokens)
        call = llm_record(provider="anthropic", model="claude-sonnet-4-5", usage=usage, cost_usd=Decimal(cost))
        return RunCost(tests={"t": TestCost("t", outcome="passed", calls=(call,))}, price_source=PRICES)

    baseline = _baseline(cached("0.0013896", cache_read_tokens=1642))
    (test,) = _compare(cached("0.0070545", cache_write_tokens=1642), baseline).tests
    assert test.status == "regressed"
    assert test.reasons == ("-1,642 cached input tokens", "+1,642 cache write tokens")


def test_an_unpriced_test_is_left_out_of_the_judged_total_not_turning_it_off() -> None:
    # a rose 20% against a 10% total threshold; c has no price, then and now.
    base_run = RunCost(tests={"a": _test("a", "0.0100"), "c": _test("c", None)}, price_source=PRICES)
    run = RunCost(tests={"a": _test("a", "0.0120"), "c": _test("c", None)}, price_source=PRICES)
    cmp = _compare(run, _baseline(base_run), threshold=Threshold.parse("50%"), total_threshold=TEN_PCT)
    assert [(d.nodeid, d.status) for d in cmp.tests] == [("a", "unchanged"), ("c", "unpriced")]
    assert cmp.gated_totals == (1, Decimal("0.0100"), Decimal("0.0120"))
    assert cmp.total_regressed


@pytest.mark.parametrize(
    "call",
    [{"estimated": True}, {"cost": None}],
    ids=["estimated", "unpriced"],
)
def test_a_failed_test_is_left_out_of_the_totals_whatever_its_calls(call: dict[str, Any]) -> None:
    # b's baseline $0.0100 against the $0.0001 it spent before it crashed; a rose by 20%.
    cost = call.pop("cost", "0.0001")
    base_run = RunCost(tests={"a": _test("a", "0.0100"), "b": _test("b", "0.0100", **call)}, price_source=PRICES)
    baseline = _baseline(base_run)
    run = RunCost(
        tests={"a": _test("a", "0.0120"), "b": _test("b", cost, outcome="failed", **call)}, price_source=PRICES
    )
    cmp = _compare(run, baseline, threshold=Threshold.parse("50%"), total_threshold=TEN_PCT)
    assert [(d.nodeid, d.status) for d in cmp.tests] == [("a", "unchanged"), ("b", "failed")]
    assert (cmp.baseline_total_usd, cmp.current_total_usd) == (Decimal("0.0100"), Decimal("0.0120"))
    assert cmp.total_regressed  # an estimated or unpriced crash neither hides the rise nor turns the gate off
    failed = cmp.tests[1]
    assert (failed.usage_delta_usd, failed.price_delta_usd, failed.reasons) == (None, None, ())


def test_a_new_test_that_failed_is_failed_and_left_out_of_the_current_total() -> None:
    baseline = _baseline(RunCost(tests={"a": _test("a", "0.0100")}, price_source=PRICES))
    run = RunCost(tests={"a": _test("a", "0.0100"), "n": _test("n", "0.0001", outcome="error")}, price_source=PRICES)
    cmp = _compare(run, baseline, total_threshold=TEN_PCT)
    # What it spent before it stopped is not what the new test costs: no 'new' cost, no rise.
    assert [(d.nodeid, d.status) for d in cmp.tests] == [("a", "unchanged"), ("n", "failed")]
    assert (cmp.baseline_total_usd, cmp.current_total_usd) == (Decimal("0.0100"), Decimal("0.0100"))
    lines = comparison_lines(cmp, "fail")
    assert [line.split()[:3] for line in lines if line.startswith("n ")] == [["n", "-", "$0.0001"]]
    assert "compared with baseline: 1 failed, 1 unchanged; total $0.0100 -> $0.0100" in lines
    comment = render_comment(run, cmp, mode="fail")
    assert "| `n` | - | $0.0001 |" in comment
    assert "leaving out 1 failed task" in comment


def _with_tool_calls(nodeid: str, host: str, price: str, calls: int) -> TestCost:
    """A test with one $0.0100 LLM call and ``calls`` tool calls to ``host`` at ``price`` each."""
    tools = tuple(llm_record(kind="tool", host=host, cost_usd=Decimal(price), usage=TokenUsage()) for _ in range(calls))
    return TestCost(nodeid, calls=(*_test(nodeid, "0.0100").calls, *tools))


@pytest.mark.parametrize(
    ("before", "after", "changes"),
    [
        ("0.002", "0.003", {"api.search.example": (Decimal("0.002"), Decimal("0.003"))}),
        ("0.002", "0.002", {}),
        # A price finer than money is stored with: the baseline keeps 3 calls' sum rounded
        # (0.00999999999 -> 0.0100000000), which divides back to the same price, not a change.
        ("0.00333333333", "0.00333333333", {}),
    ],
    ids=["moved", "same", "uneven"],
)
def test_tool_price_changes_name_hosts_whose_price_per_call_moved(
    before: str, after: str, changes: dict[str, tuple[Decimal, Decimal]]
) -> None:
    base_run = RunCost(
        tests={"a": _with_tool_calls("a", "api.search.example", before, 3)},
        price_source=PRICES,
    )
    baseline = _baseline(base_run)
    run = RunCost(tests={"a": _with_tool_calls("a", "api.search.example", after, 2)}, price_source=PRICES)
    cmp = _compare(run, baseline)
    assert dict(cmp.tool_price_changes) == changes
    lines = comparison_lines(cmp, "fail")
    named = [line for line in lines if line.startswith("tool prices changed:")]
    assert named == (
        [f"tool prices changed: {cmp.describe_tool_price_changes()}; price effects are reported apart from usage"]
        if changes
        else []
    )


@pytest.mark.parametrize(
    ("run_tests", "total"),
    [
        # Only new tests ran: "$0 -> $0.0200" would read as a rise from nothing.
        ({"n": "0.0200"}, "total $0.0200; none of the baseline's tests ran, so no total to compare with"),
        (
            {"n": None},
            "total $0, leaving out 1 unpriced test(s); none of the baseline's tests ran, so no total to compare with",
        ),
        ({"a": "0.0100", "n": "0.0200"}, "total $0.0100 -> $0.0300 (+$0.0200, +200.0%), new tests +$0.0200 of it"),
        # A new user's adoption: the only baseline test selected failed; it ran.
        ({"a!": "0.0100"}, "total $0; none of the baseline's tests passed, so no total to compare with"),
        # Review 44: a new test that failed is no baseline test that ran.
        ({"n!": "0.0100"}, "total $0; none of the baseline's tests ran, so no total to compare with"),
    ],
    ids=["new-only", "new-unpriced", "compared", "failed", "new-failed"],
)
def test_the_totals_line_says_when_no_baseline_test_ran(run_tests: dict[str, str | None], total: str) -> None:
    baseline, _ = update_baseline(
        None, RunCost(tests={k: _test(k, "0.0100") for k in "ab"}, price_source=PRICES), full_run=True
    )
    tests = [_test(k.rstrip("!"), cost, "failed" if k.endswith("!") else "passed") for k, cost in run_tests.items()]
    run = RunCost(tests={t.nodeid: t for t in tests}, price_source=PRICES)
    cmp = _compare(run, baseline, full_run=False)
    (line,) = [line for line in comparison_lines(cmp, "fail") if line.startswith("compared with baseline:")]
    assert line.endswith(f"; {total}")


def test_estimates_that_did_not_move_are_compared_by_their_tokens_not_their_units() -> None:
    # An estimated Responses call still counts its web searches exactly, and the units a call
    # keeps are those its price depends on at the run's prices (Pricer.units): none once a price
    # file prices the model. The estimate did not move, so the exact call's rise is judged.
    def run_of(units: tuple[tuple[str, int], ...], exact_tokens: int, exact_cost: str, source: PriceSource) -> RunCost:
        estimated = llm_record(
            usage=TokenUsage(input_tokens=6, output_tokens=1, units=units), cost_usd=Decimal("0.0100"), estimated=True
        )
        exact = llm_record(usage=TokenUsage(input_tokens=exact_tokens), cost_usd=Decimal(exact_cost))
        return RunCost(tests={"t": TestCost("t", calls=(estimated, exact))}, price_source=source)

    baseline = _baseline(run_of((("web_searches", 1),), 1000, "0.0100", PRICES))
    priced_by_file = PriceSource(version="0.0.0", price_date="2026-11-01", overrides="sha256:abc")
    cmp = _compare(run_of((), 2000, "0.0200", priced_by_file), baseline)
    (diff,) = cmp.tests
    assert diff.status == "regressed"


def test_an_entry_written_before_estimated_part_stays_ungated_when_the_test_is_exact_now() -> None:
    # The baseline's cost held estimates it cannot say the size of: a change against it may be
    # theirs, even though this run's calls all report usage.
    data = update_baseline(
        None, RunCost(tests={"t": _test("t", "0.0100", estimated=True)}, price_source=PRICES), full_run=True
    )[0].to_dict()
    del data["tests"]["t"]["estimated_part"]
    cmp = _compare(
        RunCost(tests={"t": _test("t", "0.0200")}, price_source=PRICES), baseline_from_dict(data, "baseline")
    )
    assert [d.status for d in cmp.tests] == ["estimated"]


def test_a_tool_price_change_is_named_in_the_comment_when_no_compared_test_shows_it() -> None:
    # The only test calling the tool failed: no price effect to sum, yet the price moved.
    base_run = RunCost(
        tests={"a": _test("a", "0.0100"), "b": _with_tool_calls("b", "api.search.example", "0.002", 2)},
        price_source=PRICES,
    )
    failed = _with_tool_calls("b", "api.search.example", "0.003", 1).with_outcome("failed")
    run = RunCost(tests={"a": _test("a", "0.0100"), "b": failed}, price_source=PRICES)
    cmp = _compare(run, _baseline(base_run))
    assert (
        "- prices changed: $0 (tool prices: api.search.example $0.0020 → $0.0030 per call)"
        in render_comment(run, cmp).splitlines()
    )


@pytest.mark.parametrize(
    ("costs", "expected"),
    [
        (("0.0400", "0.0200"), ("cost $0.0600 over max_usd $0.0500",)),
        (("0.0400", None), ()),  # the unpriced call may cost anything: not known to be over
        (("0.0600", None), ("cost at least $0.0600 (+ unpriced calls) over max_usd $0.0500",)),
        (("0.0500", None), ()),  # at the limit is not over it
        (("0.0400", None, "tool:0.0200"), ("cost at least $0.0600 (+ unpriced calls) over max_usd $0.0500",)),
    ],
    ids=["priced", "unpriced-under", "unpriced-over", "unpriced-at-the-limit", "unpriced-with-a-paid-tool"],
)
def test_max_usd_holds_when_the_priced_calls_alone_exceed_it(
    costs: tuple[str | None, ...], expected: tuple[str, ...]
) -> None:
    calls = tuple(
        CallRecord(kind="tool", host="api.search.example", status=200, cost_usd=Decimal(c[5:]))
        if c is not None and c.startswith("tool:")
        else llm_record(cost_usd=None if c is None else Decimal(c))
        for c in costs
    )
    test = TestCost("t", calls=calls)
    assert check_budget(test, Budget(max_usd=Decimal("0.05"))) == expected


def test_a_full_run_update_keeps_the_entries_of_skipped_and_xfailed_tests() -> None:
    base = RunCost(tests={n: _test(n, "0.0100") for n in ("a", "s", "x", "gone")}, price_source=PRICES)
    run = RunCost(
        tests={
            "a": _test("a", "0.0100"),
            "s": TestCost("s", outcome="skipped"),
            "x": TestCost("x", outcome="xfailed"),
        },
        price_source=PRICES,
    )
    updated, changes = update_baseline(_baseline(base), run, full_run=True)
    assert sorted(updated.tests) == ["a", "s", "x"]
    assert changes["pruned"] == ["gone"]
    # And the comparison calls them not-run, the test no longer collected removed.
    cmp = _compare(run, _baseline(base))
    assert {d.nodeid: d.status for d in cmp.tests} == {
        "a": "unchanged",
        "gone": "removed",
        "s": "not-run",
        "x": "not-run",
    }
    # The suite lost a test: its baseline cost is in the baseline total, and the run's total is
    # what the run spent (not unknown for want of the removed test's cost).
    assert (cmp.baseline_total_usd, cmp.current_total_usd) == (Decimal("0.0200"), Decimal("0.0100"))


@pytest.mark.parametrize(
    ("now", "exceeded"), [("0.0110", False), ("0.0110000001", True)], ids=["at-the-limit", "over-it"]
)
def test_a_dollar_threshold_is_exceeded_only_past_it(now: str, exceeded: bool) -> None:
    assert Threshold.parse("$0.001").exceeded(Decimal("0.0100"), Decimal(now)) is exceeded


def test_a_price_change_with_a_small_usage_change_is_judged_on_the_usage() -> None:
    # +2% usage under a 10% threshold, and prices moved: within threshold, not "price-changed",
    # which says the usage did not move.
    base = RunCost(tests={"a": _test("a", "0.0100")}, price_source=PRICES)
    later = PriceSource(version="0.0.0", price_date="2026-12-01")
    call = llm_record(usage=TokenUsage(input_tokens=1020), cost_usd=Decimal("0.0204"))
    run = RunCost(tests={"a": TestCost("a", calls=(call,))}, price_source=later)
    cmp = compare(
        run,
        _baseline(base),
        threshold_for=lambda _: TEN_PCT,
        budget_for=lambda _: Budget(),
        total_threshold=None,
        full_run=True,
        reprice=lambda key, usage: Decimal("0.00002") * usage.input_tokens,
    )
    ((diff),) = cmp.tests
    assert (diff.status, diff.price_delta_usd, diff.usage_delta_usd) == (
        "unchanged",
        Decimal("0.0100"),
        Decimal("0.0004"),
    )
    # The delta columns read +104%, the price change in it: the reasons say what was judged.
    assert diff.delta_pct == Decimal("104.0")
    assert diff.reasons[-2:] == ("price change (+$0.0100)", "judged on usage: +$0.0004, +2.0% at this run's prices")


def test_a_run_report_given_as_the_baseline_is_refused() -> None:
    with pytest.raises(
        BaselineError,
        match=r"^b.json: not a pytest-agentcost baseline \(kind 'pytest-agentcost-run'\); it is a run report "
        r"\(the order is: agentcost compare BASELINE RUN\)$",
    ):
        baseline_from_dict({"kind": "pytest-agentcost-run", "schema_version": 1, "tests": {}}, "b.json")


def test_a_baseline_whose_price_date_is_no_date_is_refused() -> None:
    # Hardening: "2026-13-45" was taken, and shown as the baseline's prices in every comparison.
    data = _baseline(RunCost(tests={"t": _test("t", "0.0100")}, price_source=PRICES)).to_dict()
    data["price_source"]["price_date"] = "2026-13-45"
    with pytest.raises(
        BaselineError, match=r"^b.json: price_source.price_date is no date \(YYYY-MM-DD\): '2026-13-45'$"
    ):
        baseline_from_dict(data, "b.json")


def test_a_removed_and_a_new_test_with_the_same_calls_are_named_as_a_likely_rename() -> None:
    base = RunCost(tests={"t.py::old_name": _test("t.py::old_name", "0.0100")}, price_source=PRICES)
    run = RunCost(
        tests={
            "t.py::new_name": _test("t.py::new_name", "0.0100"),
            "t.py::other": TestCost("t.py::other", calls=(llm_record(usage=TokenUsage(input_tokens=7)),)),
        },
        price_source=PRICES,
    )
    cmp = _compare(run, _baseline(base))
    assert {d.nodeid: (d.status, d.reasons) for d in cmp.tests} == {
        "t.py::old_name": ("removed", ("same LLM calls and tokens as new t.py::new_name: renamed?",)),
        "t.py::new_name": ("new", ("same LLM calls and tokens as removed t.py::old_name: renamed?",)),
        "t.py::other": ("new", ()),
    }
    assert "`t.py::new_name`: $0.0100; same LLM calls and tokens as removed t.py::old_name: renamed?" in (
        render_comment(run, cmp)
    )
    # Not on a partial run, where the old test is only not-run.
    assert all(not d.reasons for d in _compare(run, _baseline(base), full_run=False).tests)


def test_tests_without_llm_calls_are_never_paired_as_renames() -> None:
    # Two tests that only call a tool look alike whatever they do: no rename is guessed.
    def tool_only(nodeid: str) -> TestCost:
        return TestCost(nodeid, calls=(CallRecord(kind="tool", host="api.search.example", status=200),))

    base = RunCost(tests={"t.py::old": tool_only("t.py::old")}, price_source=PRICES)
    run = RunCost(tests={"t.py::new": tool_only("t.py::new")}, price_source=PRICES)
    assert [(d.status, d.reasons) for d in _compare(run, _baseline(base)).tests] == [("new", ()), ("removed", ())]


def test_a_models_summed_calls_are_repriced_as_calls_not_as_one_big_call() -> None:
    # A price of one call that doubles above 200 input tokens (a long-context tier).
    shapes: list[tuple[int, int]] = []

    def tiered(key: str, usage: TokenUsage) -> Decimal:
        shapes.append((usage.input_tokens, usage.output_tokens))
        return Decimal(usage.input_tokens) * (2 if usage.input_tokens > 200 else 1) + usage.output_tokens

    two = ModelTotals(calls=2, usage=TokenUsage(input_tokens=300, output_tokens=5))
    # Two calls of 150 (and 2 + 3 output tokens): 152 + 153, not 300 x 2 + 5 priced in the tier.
    assert reprice_totals(tiered, "openai:m", two) == Decimal(305)
    assert sorted(shapes) == [(150, 2), (150, 3)]
    shapes.clear()
    three = ModelTotals(calls=3, usage=TokenUsage(input_tokens=10, output_tokens=1))
    assert reprice_totals(tiered, "openai:m", three) == Decimal(11)
    assert sorted(shapes) == [(3, 0), (4, 1)]  # calls 0 (4 in, 1 out), 1 and 2 (3 in, 0 out)


def test_a_kept_entry_is_repriced_with_its_tool_cost_and_an_unpriced_one_stays_unpriced() -> None:
    usage = TokenUsage(input_tokens=1000)
    priced = BaselineEntry(
        cost_usd=Decimal("0.0150"),
        llm_calls=1,
        usage=usage,
        tool_cost_usd=Decimal("0.0050"),
        by_model={"openai:gpt-4o-mini": ModelTotals(1, usage, Decimal("0.0100"))},
    )
    unpriced = replace(priced, cost_usd=None, by_model={"?:local": ModelTotals(1, usage, None)})
    old = Baseline(tests={"kept": priced, "unpriced": unpriced}, price_source=PRICES)
    run = RunCost(tests={}, price_source=PriceSource(version="0.0.0", price_date="2026-12-01"))

    def reprice(key: str, u: TokenUsage) -> Decimal | None:
        return None if key == "?:local" else Decimal("0.00002") * u.input_tokens

    new, _ = update_baseline(old, run, full_run=False, reprice=reprice)
    assert new.tests["kept"].cost_usd == Decimal("0.0250")  # $0.02 at the new prices + the $0.005 tool
    assert new.tests["unpriced"] == unpriced
    # Even when the repricer prices it: only a run of its test shows how that run prices it (a
    # price hook would price it otherwise; review 31). The comparison prices it then.
    new, _ = update_baseline(old, run, full_run=False, reprice=lambda key, u: Decimal("0.00003") * u.input_tokens)
    assert new.tests["unpriced"] == unpriced


def test_a_batchs_results_reprice_exactly_only_when_their_sum_reaches_no_tier() -> None:
    # Review 34: a batch is one call record summing requests priced one by one; repriced whole,
    # three requests of 100k would be priced as one of 300k, above claude-sonnet-4-5's 200k tier.
    pricer = Pricer()
    batch = "anthropic:claude-sonnet-4-5-20250929 [processing=batch]"
    assert not pricer.reprices_exactly(batch, 1, 300_000)
    assert pricer.reprices_exactly(batch, 1, 150_000)
    assert pricer.reprices_exactly("anthropic:claude-sonnet-4-5-20250929", 1, 300_000)  # one request


def test_a_kept_entry_priced_at_what_its_answers_stated_keeps_its_cost_when_prices_change() -> None:
    # Perplexity's bill (its request fee by search context size) is no price list's: new prices
    # do not move it, and the update keeps it rather than stop. A price file entry reprices it,
    # and so is an entry of calls priced by the price list (answers that stated no cost).
    usage = TokenUsage(input_tokens=9, output_tokens=59)
    key = "perplexity:sonar [search_context_size=low]"
    stated = BaselineEntry(
        cost_usd=Decimal("0.00507"), llm_calls=1, usage=usage, by_model={key: ModelTotals(1, usage, Decimal("0.00507"))}
    )
    listed = replace(stated, by_model={"perplexity:sonar": ModelTotals(1, usage, Decimal("0.00507"))})
    old = Baseline(tests={"stated": stated, "listed": listed}, price_source=PRICES)
    run = RunCost(tests={}, price_source=PriceSource(version="0.0.0", price_date="2026-12-01"))
    pricer = Pricer()
    assert not pricer.reprices_exactly(key, 1, 9)
    assert pricer.reprices_exactly("perplexity:sonar", 1, 9)
    new, _ = update_baseline(old, run, full_run=False, reprice=lambda key, u: Decimal(1), exact=pricer.reprices_exactly)
    assert new.tests["stated"] == stated
    assert new.tests["listed"].cost_usd == Decimal(1)
    negotiated = Pricer(overrides={"sonar": ModelPrice(input=Decimal(1), output=Decimal(2))})
    assert negotiated.reprices_exactly(key, 1, 9)
    new, _ = update_baseline(
        old, run, full_run=False, reprice=lambda key, u: Decimal(1), exact=negotiated.reprices_exactly
    )
    assert new.tests["stated"].cost_usd == Decimal(1)


@pytest.mark.parametrize(
    ("before", "after", "reason"),
    [
        (["gpt-4o-mini"], ["gpt-4o-mini", "gpt-4.1"], "model added: openai:gpt-4.1"),
        (["gpt-4o-mini", "gpt-4.1"], ["gpt-4o-mini"], "model dropped: openai:gpt-4.1"),
        (["gpt-4o-mini"], ["gpt-4.1"], "model change (openai:gpt-4o-mini -> openai:gpt-4.1)"),
    ],
    ids=["added", "dropped", "changed"],
)
def test_a_change_of_models_is_named_as_what_it_is(before: list[str], after: list[str], reason: str) -> None:
    def run(models: list[str]) -> RunCost:
        usage = TokenUsage(input_tokens=1000)
        calls = tuple(llm_record(model=m, usage=usage, cost_usd=Decimal("0.01")) for m in models)
        return RunCost(tests={"t": TestCost("t", outcome="passed", calls=calls)}, price_source=PRICES)

    (test,) = _compare(run(after), _baseline(run(before))).tests
    assert reason in test.reasons


def test_a_baseline_entry_written_unpriced_says_an_update_gates_it() -> None:
    # The model got a price file entry since: the run is priced, the baseline entry still is not.
    base = RunCost(tests={"t": _test("t", None)}, price_source=PRICES)
    now = RunCost(tests={"t": _test("t", "0.0100")}, price_source=PRICES)
    (test,) = _compare(now, _baseline(base)).tests
    assert (test.status, test.reasons) == (
        "unpriced",
        ("the baseline entry is unpriced: update the baseline to gate this test",),
    )
    (still,) = _compare(RunCost(tests={"t": _test("t", None)}, price_source=PRICES), _baseline(base)).tests
    assert (still.status, still.reasons) == ("unpriced", ())


def _compare_at(run: RunCost, baseline: Baseline, per_token: str) -> Comparison:
    """``_compare`` with a repricer at ``per_token`` USD an input token."""
    return _compare(run, baseline, reprice=lambda key, usage: Decimal(per_token) * usage.input_tokens)


def test_an_entry_priced_otherwise_than_its_file_says_is_a_price_change_not_a_saving() -> None:
    # Trial 11: a branch moved the price date (and repriced), another added this test at the old
    # prices; git merged them cleanly. The next run, with nothing changed, read "-80% improved".
    base = _baseline(RunCost(tests={"a": _test("a", "0.0300")}, price_source=PRICES))
    run = RunCost(tests={"a": _test("a", "0.0060")}, price_source=PRICES)
    ((diff,),) = [_compare_at(run, base, "0.000006").tests]
    assert (diff.status, diff.price_delta_usd, diff.usage_delta_usd) == ("price-changed", Decimal("-0.024"), 0)
    assert diff.reasons == (
        "price change (-$0.0240)",
        "the baseline entry's cost is not its tokens' at the baseline's prices (a merge of baselines priced "
        "apart?): compared at this run's prices",
    )


def test_an_entry_whose_cost_was_rounded_when_stored_is_its_tokens_cost() -> None:
    # $1.23456789e-12 a token: the file keeps 10 decimals of the $1.23456789e-9 the test cost.
    per_token = "0.00000000000123456789"
    base = _baseline(RunCost(tests={"a": _test("a", "0.00000000123456789")}, price_source=PRICES))
    assert base.tests["a"].cost_usd == Decimal("0.0000000012")
    run = RunCost(tests={"a": _test("a", "0.00000000123456789")}, price_source=PRICES)
    ((diff,),) = [_compare_at(run, base, per_token).tests]
    assert (diff.status, diff.price_delta_usd, diff.reasons) == ("unchanged", 0, ())


def test_an_entry_written_unpriced_is_priced_from_its_tokens_when_the_run_prices_its_model() -> None:
    # Trial 11: the baseline was written before a price file priced the model; the PR that adds
    # the file also adds 20% more tokens. The gate judged nothing ("update the baseline").
    base = _baseline(RunCost(tests={"a": _test("a", None)}, price_source=PRICES))
    later = PriceSource(version=PRICES.version, price_date=PRICES.price_date, overrides="sha256:00aa")
    grown = llm_record(usage=TokenUsage(input_tokens=1200), cost_usd=Decimal("0.012"))
    run = RunCost(tests={"a": TestCost("a", calls=(grown,))}, price_source=later)
    cmp = _compare_at(run, base, "0.00001")
    ((diff,),) = [cmp.tests]
    assert (diff.status, diff.baseline_usd, diff.usage_delta_usd) == ("regressed", Decimal("0.01"), Decimal("0.002"))
    assert diff.reasons[-1] == "the baseline entry was unpriced: priced from its tokens at this run's prices"
    assert (cmp.baseline_total_usd, cmp.current_total_usd) == (Decimal("0.01"), Decimal("0.012"))
    # Its model still unpriced in this run too: it stays unpriced, and says how to gate it.
    unpriced = _compare(run, base, reprice=lambda key, usage: None)
    assert [(d.status, d.reasons) for d in unpriced.tests] == [
        ("unpriced", ("the baseline entry is unpriced: update the baseline to gate this test",))
    ]


def _renamed_run(markers: dict[str, dict[str, Any]], cost: str = "0.0200") -> tuple[RunCost, Baseline]:
    """A baseline with ``t.py::old`` at $0.01; a run where ``t.py::new`` costs ``cost``."""
    base = _baseline(RunCost(tests={"t.py::old": _test("t.py::old", "0.0100")}, price_source=PRICES))
    run = RunCost(tests={"t.py::new": _test("t.py::new", cost)}, price_source=PRICES, markers=markers)
    return run, base


def test_a_test_renamed_with_its_previous_id_is_compared_with_that_entry() -> None:
    # Trial 11: renamed and twice as dear in one PR read "removed" + "new": never gated.
    run, base = _renamed_run({"t.py::new": {"previously": "t.py::old"}})
    cmp = _compare(run, base, total_threshold=TEN_PCT)
    ((diff,),) = [cmp.tests]
    assert (diff.nodeid, diff.status, diff.baseline_usd) == ("t.py::new", "regressed", Decimal("0.0100"))
    assert diff.reasons == ("renamed from t.py::old",)
    assert (cmp.baseline_total_usd, cmp.current_total_usd, cmp.total_regressed) == (
        Decimal("0.0100"),
        Decimal("0.0200"),
        True,
    )
    # The update moves the entry: written under the new id, the old one pruned.
    new, changes = update_baseline(base, run, full_run=True)
    assert sorted(new.tests) == ["t.py::new"]
    assert (changes["written"], changes["pruned"]) == (["t.py::new"], ["t.py::old"])
    # Under -k or in a shard the old test may only be deselected: nothing is paired (review 31).
    assert [d.status for d in _compare(run, base, full_run=False).tests] == ["new", "not-run"]
    new, changes = update_baseline(base, run, full_run=False)
    assert (sorted(new.tests), changes["pruned"]) == (["t.py::new", "t.py::old"], [])


def test_a_renamed_test_that_failed_or_was_skipped_keeps_its_entry_under_its_new_id() -> None:
    # Review 31: the old id was pruned on the full run, and the fixed test read "new" next time.
    for outcome in ("failed", "skipped"):
        run, base = _renamed_run({"t.py::new": {"previously": "t.py::old"}})
        run = replace(run, tests={"t.py::new": _test("t.py::new", "0.0200", outcome=outcome)})
        new, changes = update_baseline(base, run, full_run=True)
        assert new.tests == {"t.py::new": base.tests["t.py::old"]}, outcome
        assert changes["pruned"] == []


def test_a_previous_id_of_a_test_that_ran_pairs_nothing_and_says_so() -> None:
    run, base = _renamed_run({"t.py::new": {"previously": "t.py::old"}})
    run = replace(run, tests={**run.tests, "t.py::old": _test("t.py::old", "0.0100")})
    diffs = {d.nodeid: d for d in _compare(run, base).tests}
    assert (diffs["t.py::new"].status, diffs["t.py::old"].status) == ("new", "unchanged")
    assert diffs["t.py::new"].reasons == (
        "agent_cost previously='t.py::old' names a test that ran: not compared with it",
    )
    new, _ = update_baseline(base, run, full_run=True)
    assert sorted(new.tests) == ["t.py::new", "t.py::old"]


@pytest.mark.parametrize(
    "markers",
    [
        # A class or module marker names one entry for several tests: none of them continues it.
        {"t.py::new": {"previously": "t.py::old"}, "t.py::other": {"previously": "t.py::old"}},
        {"t.py::new": {"previously": "t.py::gone"}},  # no such entry
    ],
)
def test_a_previous_id_that_names_no_single_entry_pairs_nothing(markers: dict[str, dict[str, Any]]) -> None:
    run, base = _renamed_run(markers)
    run = replace(run, tests={**run.tests, "t.py::other": _test("t.py::other", "0.0100")})
    diffs = {d.nodeid: d for d in _compare(run, base).tests}
    assert {n: d.status for n, d in diffs.items()} == {"t.py::new": "new", "t.py::old": "removed", "t.py::other": "new"}
    # Each says why, and none is told to add the marker it has (review 31).
    said = diffs["t.py::new"].reasons
    assert said in (
        ("agent_cost previously='t.py::old' is on 2 tests: none is compared with it (put it on one pytest.param)",),
        ("agent_cost previously='t.py::gone' names no baseline entry",),
    ), said
    new, _ = update_baseline(base, run, full_run=False)
    assert "t.py::old" in new.tests


def test_a_new_test_beside_one_removed_test_is_told_how_to_compare_them() -> None:
    run, base = _renamed_run({})
    dearer = llm_record(usage=TokenUsage(input_tokens=2000), cost_usd=Decimal("0.0200"))
    run = replace(run, tests={"t.py::new": TestCost("t.py::new", calls=(dearer,))})
    ((new, old),) = [_compare(run, base).tests]
    assert new.reasons == (
        "renamed from t.py::old? @pytest.mark.agent_cost(previously='t.py::old') compares it with that entry",
    )
    assert old.reasons == ()


def test_a_total_threshold_with_no_compared_test_says_it_judged_nothing() -> None:
    # Trial 11: "total threshold 5%: $0 -> $0 over 0 compared tests" read as a pass on the merits.
    run, base = _renamed_run({})
    lines = comparison_lines(_compare(run, base, total_threshold=TEN_PCT), "fail")
    assert "total threshold 10%: nothing to judge, no test was compared with the baseline" in lines


def _tiered_price(key: str, usage: TokenUsage) -> Decimal:
    """$1 a token, $2 for a call of more than 200 (a long-context tier)."""
    return Decimal(usage.input_tokens) * (2 if usage.input_tokens > 200 else 1)


def _below_the_tier(key: str, calls: int, input_tokens: int) -> bool:
    """``Pricer.reprices_exactly`` for :func:`_tiered_price`: one call, or a sum up to its tier."""
    return calls <= 1 or input_tokens <= 200


def _calls(*tokens: int, price: Any = _tiered_price) -> TestCost:
    return TestCost(
        "a",
        calls=tuple(
            llm_record(usage=TokenUsage(input_tokens=n), cost_usd=price("-", TokenUsage(input_tokens=n)))
            for n in tokens
        ),
    )


def test_an_entry_of_calls_in_two_tiers_is_no_price_change_at_the_same_prices() -> None:
    # Review 31: 300 + 100 tokens cost 700; shared out evenly, 2 x 200 would cost 400, a false
    # "priced otherwise". Split into two smaller calls, the test really got cheaper.
    base = _baseline(RunCost(tests={"a": _calls(300, 100)}, price_source=PRICES))
    run = RunCost(tests={"a": _calls(200, 200)}, price_source=PRICES)
    ((diff,),) = [_compare(run, base, reprice=_tiered_price, exact=_below_the_tier).tests]
    assert (diff.status, diff.baseline_usd, diff.price_delta_usd, diff.reasons) == ("improved", 700, 0, ())
    # Review 32: so at other prices (a genai-prices upgrade), or the real saving reads as prices'.
    later = PriceSource(version="0.0.1", price_date=PRICES.price_date)
    run = replace(run, price_source=later)
    ((diff,),) = [_compare(run, base, reprice=_tiered_price, exact=_below_the_tier).tests]
    assert (diff.status, diff.price_delta_usd) == ("improved", 0)
    # An update at those prices that keeps the entry cannot reprice it: it says so, as for an
    # entry of no price (review 32: rewritten at $800, it read a false -12.5% on the next run).
    with pytest.raises(BaselineError, match=r"cannot be repriced \(openai:gpt-4o-mini\)"):
        update_baseline(base, replace(run, tests={}), full_run=False, reprice=_tiered_price, exact=_below_the_tier)
    # Calls that stayed below the tier are linear: repriced as usual.
    small = _baseline(RunCost(tests={"a": _calls(100, 50)}, price_source=PRICES))
    new, _ = update_baseline(
        small, replace(run, tests={}), full_run=False, reprice=_tiered_price, exact=_below_the_tier
    )
    assert new.tests["a"].cost_usd == Decimal(150)


def test_an_entry_written_unpriced_stays_so_when_the_run_prices_its_calls_otherwise() -> None:
    # Review 31: a price hook (a 1.25x markup) prices the calls; genai-prices' list price would give
    # the entry a cost the run never used: a false +25% regression.
    base = _baseline(RunCost(tests={"a": _test("a", None)}, price_source=PRICES))
    marked_up = RunCost(tests={"a": _test("a", "0.0125")}, price_source=PRICES)
    ((diff,),) = [_compare_at(marked_up, base, "0.00001").tests]
    assert diff.status == "unpriced"


def _hint(new: TestCost, old: TestCost) -> tuple[str, ...]:
    base = _baseline(RunCost(tests={old.nodeid: old}, price_source=PRICES))
    run = RunCost(tests={new.nodeid: new}, price_source=PRICES)
    return next(d for d in _compare(run, base).tests if d.nodeid == new.nodeid).reasons


def test_a_rename_hint_needs_one_removed_test_in_its_file_or_with_its_models_and_llm_calls() -> None:
    def one(nodeid: str, tokens: int, model: str = "gpt-4o-mini") -> TestCost:
        usage = TokenUsage(input_tokens=tokens)
        return TestCost(nodeid, calls=(llm_record(usage=usage, cost_usd=Decimal("0.01"), model=model),))

    tool_only = TestCost("t.py::gone", calls=(CallRecord(kind="tool", host="api.search.example", status=200),))
    hint = "renamed from {}? @pytest.mark.agent_cost(previously='{}') compares it with that entry"
    # Same file, another model; another file, the same model: each is a likely rename.
    assert _hint(one("t.py::new", 2000, "gpt-4o"), one("t.py::old", 1000)) == (hint.format("t.py::old", "t.py::old"),)
    assert _hint(one("u.py::new", 2000), one("t.py::old", 1000)) == (hint.format("t.py::old", "t.py::old"),)
    # Another file and other models, a removed test with no LLM call, a new one with none: no hint.
    assert _hint(one("u.py::new", 2000, "gpt-4o"), one("t.py::old", 1000)) == ()
    assert _hint(one("t.py::new", 2000), tool_only) == ()
    assert _hint(replace(tool_only, nodeid="t.py::new2"), one("t.py::old", 1000)) == ()


def test_a_model_switch_at_the_same_cost_is_a_row_of_the_terminal_table_as_of_the_comment() -> None:
    # Trial 11: claude-3-5-sonnet -> claude-sonnet-4 at one price showed only in the PR comment.
    base = _baseline(RunCost(tests={"a": _test("a", "0.0100", model="claude-3-5-sonnet")}, price_source=PRICES))
    run = RunCost(tests={"a": _test("a", "0.0100", model="claude-sonnet-4")}, price_source=PRICES)
    lines = comparison_lines(_compare(run, base), "fail")
    row = next(line for line in lines if line.startswith("a "))
    assert "unchanged" in row, lines
    assert "model change" in row, lines


def test_an_older_entry_without_the_units_its_cost_paid_for_is_no_price_change() -> None:
    # An entry written before units were kept: its $0.02 paid for a web search its counts lack.
    # Repriced from its tokens alone it would read as a $0.01 "price change" at the same prices.
    def price(key: str, usage: TokenUsage) -> Decimal:
        return Decimal("0.00001") * usage.input_tokens + Decimal("0.01") * dict(usage.units).get("web_searches", 0)

    searched = TokenUsage(input_tokens=1000, units=(("web_searches", 1),))
    old = _baseline(RunCost(tests={"a": _test("a", "0.0200")}, price_source=PRICES))  # no units kept
    run = RunCost(
        tests={"a": TestCost("a", calls=(llm_record(usage=searched, cost_usd=Decimal("0.0200")),))},
        price_source=PRICES,
    )
    ((diff,),) = [_compare(run, old, reprice=price).tests]
    assert (diff.status, diff.price_delta_usd, diff.reasons) == ("unchanged", 0, ())


def test_the_comparison_starts_with_its_table_or_its_count_line_never_a_blank() -> None:
    # The caller puts one blank line before the comparison: an empty table left a second one.
    base = RunCost(tests={"a": _test("a", "0.0100")}, price_source=PRICES)
    same = comparison_lines(_compare(base, _baseline(base)), "fail")
    assert same[0].startswith("compared with baseline: 1 unchanged"), same
    moved = RunCost(tests={"a": _test("a", "0.0200")}, price_source=PRICES)
    lines = comparison_lines(_compare(moved, _baseline(base)), "fail")
    assert lines[0].startswith("test "), lines
    assert "" in lines, lines
    assert lines[lines.index("") + 1].startswith("compared with baseline: 1 regressed"), lines


def test_a_tool_hosts_unbilled_calls_are_read_back_and_checked() -> None:
    data = _baseline(RunCost(tests={"t": _test("t", "0.0100")}, price_source=PRICES)).to_dict()
    data["tests"]["t"]["tool_hosts"] = {"api.search.example": {"calls": 2, "cost_usd": "0.001", "unbilled": 1}}
    host = baseline_from_dict(data, "b.json").tests["t"].tool_hosts["api.search.example"]
    assert (host.calls, host.billed, host.price) == (2, 1, Decimal("0.001"))
    data["tests"]["t"]["tool_hosts"]["api.search.example"]["unbilled"] = 3
    with pytest.raises(BaselineError, match=r"unbilled must be at most its calls \(2\), not 3"):
        baseline_from_dict(data, "b.json")
