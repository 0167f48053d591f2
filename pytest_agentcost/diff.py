"""Baseline x run -> per-test deltas and verdicts (pure; used by the plugin and the CLI).

How a test is judged:

* ``unpriced``: the baseline or the current cost is unknown; never a regression or a saving.
* ``estimated``: usage is estimated (no usage in a response); reported, never gated.
* ``new`` / ``removed`` / ``not-run``: no baseline entry; a baseline entry of a test
  that no longer exists (full run only); a test deselected or skipped now.
* ``failed``: the test failed or errored now; its calls stop where it did, so it is not
  judged and, like ``not-run``, left out of the suite totals.
* ``price-changed``: the same usage priced differently (new price data); reported apart.
* ``regressed`` / ``improved`` / ``unchanged``: the *usage effect* (current cost minus
  the baseline's usage at today's prices) against the test's threshold. A threshold
  with a percentage and a dollar amount needs both exceeded.
* Budgets (``max_usd``, ``max_llm_calls``, ``max_tokens``) hold with or without a baseline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from pytest_agentcost.baseline import Baseline, BaselineEntry, Exact, Repricer, rename_problems, renames, reprice_totals
from pytest_agentcost.models import RunCost, TestCost, TokenUsage, ToolHostTotals, format_money, quantize_money
from pytest_agentcost.render._format import change, money, pct, percent, signed_money
from pytest_agentcost.settings import Budget, Threshold
from pytest_agentcost.usage import stated_key

__all__ = ["Comparison", "TestDiff", "check_budget", "compare"]

GATED = ("regressed",)


#: Statuses of tests the suite totals leave out: they did not run now, or stopped part-way.
_LEFT_OUT_OF_TOTALS = frozenset({"not-run", "failed"})
#: Statuses of baseline tests with nothing to compare now.
_NOT_COMPARED = _LEFT_OUT_OF_TOTALS | {"removed"}

#: How a stale-cassette failure (``agent_cost_stale = fail``) starts among a test's budget violations.
STALE_VIOLATION = "stale cassette"

#: Why a stale test that got cheaper is no saving to lock in: its replay is of answers to other requests.
STALE_CHEAPER = (
    "a stale cassette: its replay answers the requests recorded, not those sent now, so it is not what the "
    "agent costs now; re-record it before updating the baseline"
)


@dataclass(frozen=True)
class TestDiff:
    """The comparison of one test with its baseline entry."""

    __test__ = False

    nodeid: str
    status: str
    baseline_usd: Decimal | None = None
    current_usd: Decimal | None = None
    usage_delta_usd: Decimal | None = None
    price_delta_usd: Decimal | None = None
    threshold: str = ""
    reasons: tuple[str, ...] = ()
    budget: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    estimated_now_usd: Decimal | None = None
    baseline_calls: int | None = None
    current_calls: int | None = None
    baseline_tokens: TokenUsage | None = None
    current_tokens: TokenUsage | None = None
    location: tuple[str, int] | None = None
    gated_on_estimate: bool = False
    """The gate judged ``estimated_now_usd`` (stale cassette, ``--agent-cost-gate-estimates``)."""

    @property
    def delta_usd(self) -> Decimal | None:
        if self.baseline_usd is None or self.current_usd is None:
            return None
        return self.current_usd - self.baseline_usd

    @property
    def delta_pct(self) -> Decimal | None:
        return pct(self.baseline_usd, self.delta_usd)

    @property
    def judged_usd(self) -> Decimal | None:
        """The cost the gate judged: the estimate when it gated on one, else the recorded cost."""
        return self.estimated_now_usd if self.gated_on_estimate else self.current_usd

    @property
    def judged_delta_usd(self) -> Decimal | None:
        judged = self.judged_usd
        if self.baseline_usd is None or judged is None:
            return None
        return judged - self.baseline_usd

    @property
    def judged_delta_pct(self) -> Decimal | None:
        return pct(self.baseline_usd, self.judged_delta_usd)

    def judged_text(self) -> str:
        """The current cost as the tables show it; an estimate the gate judged reads ``~$X (estimate)``."""
        return f"~{money(self.judged_usd)} (estimate)" if self.gated_on_estimate else money(self.current_usd)

    def estimate_note(self) -> str | None:
        """A stale test's ``~$X if re-recorded``; when the gate judged that estimate, what the cassette replays."""
        if self.estimated_now_usd is None:
            return None
        if self.gated_on_estimate:
            return f"the stale cassette replays {money(self.current_usd)}"
        return f"~{money(self.estimated_now_usd)} if re-recorded"

    @property
    def gated(self) -> bool:
        return self.status in GATED or bool(self.budget)

    @property
    def without_entry(self) -> bool:
        """The test has no baseline entry (``new``, or ``failed`` before it had one)."""
        return self.status == "new" or (self.status == "failed" and self.baseline_calls is None)

    @property
    def over_budget(self) -> bool:
        """A hard limit (``max_usd``, ``max_llm_calls``, ``max_tokens``) failed, not only a stale cassette."""
        return any(not b.startswith(STALE_VIOLATION) for b in self.budget)

    def to_dict(self) -> dict[str, Any]:
        def money(v: Decimal | None) -> str | None:
            return None if v is None else format_money(v)

        data: dict[str, Any] = {
            "status": self.status,
            "baseline_usd": money(self.baseline_usd),
            "current_usd": money(self.current_usd),
            "delta_usd": money(abs(self.delta_usd)) if self.delta_usd is not None else None,
            "delta_sign": (0 if not self.delta_usd else (1 if self.delta_usd > 0 else -1)),
            "delta_pct": None if self.delta_pct is None else f"{self.delta_pct:f}",
            "usage_delta_usd": _signed(self.usage_delta_usd),
            "price_delta_usd": _signed(self.price_delta_usd),
            "threshold": self.threshold,
            "reasons": list(self.reasons),
            "budget_violations": list(self.budget),
            "stale": list(self.stale),
            "estimated_now_usd": money(self.estimated_now_usd),
            "gated_on_estimate": self.gated_on_estimate,
            "baseline_llm_calls": self.baseline_calls,
            "current_llm_calls": self.current_calls,
        }
        if self.baseline_tokens is not None:
            data["baseline_tokens"] = self.baseline_tokens.to_dict()
        if self.current_tokens is not None:
            data["current_tokens"] = self.current_tokens.to_dict()
        return data


def _signed(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format_money(abs(value))
    return ("-" if value < 0 else "+") + text if value else text


@dataclass(frozen=True)
class Comparison:
    """Everything the gate decided, for renderers and the JSON report."""

    tests: tuple[TestDiff, ...]
    baseline_total_usd: Decimal | None
    current_total_usd: Decimal | None
    total_threshold: str
    total_regressed: bool
    baseline_price_source: Mapping[str, Any] = field(default_factory=dict)
    current_price_source: Mapping[str, Any] = field(default_factory=dict)
    has_baseline: bool = True
    gated_totals: tuple[int, Decimal, Decimal] | None = None
    """What the total threshold judged: how many tests, their baseline at this run's prices and
    their cost now (new, estimated, unpriced, failed and not-run tests left out); None when the
    total is not gated."""
    total_not_applied: bool = False
    """A total threshold was set, but only part of the suite ran (``-k``, paths, a CI shard): its
    total is not the suite's, so the threshold is left to the merged reports."""
    tool_price_changes: Mapping[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    """Tool hosts whose price per call moved (``agent_cost_tool_prices``): host -> (baseline, now).
    Tool prices are not part of the price source, so a change of them alone is named here."""

    @property
    def total_delta_usd(self) -> Decimal | None:
        if self.baseline_total_usd is None or self.current_total_usd is None:
            return None
        return self.current_total_usd - self.baseline_total_usd

    @property
    def total_delta_pct(self) -> Decimal | None:
        return pct(self.baseline_total_usd, self.total_delta_usd)

    def by_status(self, status: str) -> list[TestDiff]:
        return [t for t in self.tests if t.status == status]

    def savings(self) -> tuple[int, int]:
        """(tests that got cheaper, of them those that replay a stale cassette): a stale replay
        answers the requests recorded, so its saving is none to lock in (:data:`STALE_CHEAPER`)."""
        improved = self.by_status("improved")
        stale = sum(1 for t in improved if t.stale)
        return len(improved) - stale, stale

    @property
    def regressions(self) -> list[TestDiff]:
        return [t for t in self.tests if t.gated]

    @property
    def prices_changed(self) -> bool:
        keys = ("version", "price_date", "overrides", "time_of_day")
        return any(self.baseline_price_source.get(k) != self.current_price_source.get(k) for k in keys)

    @property
    def prices_moved(self) -> bool:
        """A compared test's cost moved with the prices. A price file that prices no compared
        test's model changes the price source (``prices_changed``) but no price that mattered."""
        if any(t.price_delta_usd for t in self.tests):
            return True
        # A test the new prices priced, or left unpriced, moved too, by an amount not known.
        return any(
            (t.baseline_usd is None) != (t.current_usd is None)
            for t in self.tests
            if t.baseline_calls is not None and t.status not in _NOT_COMPARED
        )

    def priced_totals(self) -> tuple[Decimal, Decimal, int]:
        """Suite cost per run before and after over the tests priced both ways, and how many
        unpriced tests were left out: one unpriced test would hide the total.

        Tests that did not run now, or failed part-way, are left out too, as in the totals:
        they would show as savings.
        """
        before = Decimal(0)
        after = Decimal(0)
        unpriced = 0
        for t in self.tests:
            if t.status in _LEFT_OUT_OF_TOTALS:
                continue
            had_entry = t.baseline_calls is not None
            runs_now = t.status != "removed"
            if (had_entry and t.baseline_usd is None) or (runs_now and t.current_usd is None):
                unpriced += 1
                continue
            if had_entry and t.baseline_usd is not None:
                before += t.baseline_usd
            if runs_now and t.current_usd is not None:
                after += t.current_usd
        return before, after, unpriced

    @property
    def total_threshold_text(self) -> str:
        """The total threshold as reports show it: ``10%``, ``off``, or ``10% (not applied: ...)``."""
        if self.total_not_applied:
            return f"{self.total_threshold} (not applied: part of the suite ran)"
        return self.total_threshold

    def describe_gated_total(self, arrow: str = "->", noun: str = "test") -> str:
        """``$0.0100 -> $0.0115 (+$0.0015, +15.0%) over 3 compared tests``: what the total threshold
        judged, which is not the suite total when tests are new, estimated or unpriced; or ""."""
        if self.gated_totals is None:
            return ""
        n, before, now = self.gated_totals
        if not n:  # "$0 -> $0 over 0 compared tests" reads as a pass on the merits
            return f"nothing to judge, no {noun} was compared with the baseline"
        where = " at this run's prices" if self.prices_changed or self.tool_price_changes else ""
        moved = change(before, now)
        return f"{money(before)} {arrow} {money(now)}{moved} over {n} compared {noun}{'s' if n != 1 else ''}{where}"

    def describe_tool_price_changes(self, arrow: str = "->") -> str:
        """``api.search.example $0.0010 -> $0.0020 per call``, one part per host, or ""."""
        return ", ".join(
            f"{host} {money(before)} {arrow} {money(now)} per call"
            for host, (before, now) in sorted(self.tool_price_changes.items())
        )

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for t in self.tests:
            result[t.status] = result.get(t.status, 0) + 1
        return dict(sorted(result.items()))

    def to_dict(self) -> dict[str, Any]:
        total_delta = self.total_delta_usd
        return {
            "has_baseline": self.has_baseline,
            "baseline_total_usd": None if self.baseline_total_usd is None else format_money(self.baseline_total_usd),
            "current_total_usd": None if self.current_total_usd is None else format_money(self.current_total_usd),
            "total_delta_usd": _signed(total_delta),
            "total_delta_pct": None if self.total_delta_pct is None else f"{self.total_delta_pct:f}",
            "total_threshold": self.total_threshold_text,
            "total_regressed": self.total_regressed,
            "counts": self.counts(),
            "baseline_price_source": dict(self.baseline_price_source),
            **(
                {
                    "tool_price_changes": {
                        host: {"baseline_usd": format_money(before), "current_usd": format_money(now)}
                        for host, (before, now) in sorted(self.tool_price_changes.items())
                    }
                }
                if self.tool_price_changes
                else {}
            ),
            "tests": {t.nodeid: t.to_dict() for t in sorted(self.tests, key=lambda t: t.nodeid)},
        }


def check_budget(test: TestCost, budget: Budget) -> tuple[str, ...]:
    """Violations of hard limits, as sentences."""
    problems = []
    if budget.max_usd is not None:
        # With unpriced calls, what is priced is the least the test cost: over the limit, it is.
        cost = test.cost_usd
        if cost is None:
            least = test.tool_cost_usd + sum((c.cost_usd for c in test.billed if c.cost_usd is not None), Decimal(0))
            if least > budget.max_usd:
                problems.append(f"cost at least {money(least)} (+ unpriced calls) over max_usd {money(budget.max_usd)}")
        elif cost > budget.max_usd:
            problems.append(f"cost {money(cost)} over max_usd {money(budget.max_usd)}")
    if budget.max_llm_calls is not None and test.llm_calls > budget.max_llm_calls:
        problems.append(f"{test.llm_calls} LLM calls over max_llm_calls {budget.max_llm_calls}")
    tokens = test.usage.total_tokens
    if budget.max_tokens is not None and tokens > budget.max_tokens:
        problems.append(f"{tokens:,} tokens over max_tokens {budget.max_tokens:,}")
    return tuple(problems)


def _reasons(entry: BaselineEntry, test: TestCost, price_delta: Decimal | None) -> tuple[str, ...]:
    reasons: list[str] = []
    if test.llm_calls != entry.llm_calls:
        word = "more" if test.llm_calls > entry.llm_calls else "fewer"
        reasons.append(f"{word} LLM calls ({entry.llm_calls} -> {test.llm_calls})")
    if test.tool_calls != entry.tool_calls:
        word = "more" if test.tool_calls > entry.tool_calls else "fewer"
        reasons.append(f"{word} tool calls ({entry.tool_calls} -> {test.tool_calls})")
    before_models = set(entry.by_model)
    after_models = set(test.by_model())
    if before_models != after_models:
        gone = ", ".join(sorted(before_models - after_models))
        came = ", ".join(sorted(after_models - before_models))
        if gone and came:
            reasons.append(f"model change ({gone} -> {came})")
        else:
            reasons.append(f"model added: {came}" if came else f"model dropped: {gone}")
    usage = test.usage
    for kind, label in (
        ("input_tokens", "input tokens"),
        ("output_tokens", "output tokens"),
        ("cache_read_tokens", "cached input tokens"),
        # A prompt cache that misses writes the prefix again, at more than the input price.
        ("cache_write_tokens", "cache write tokens"),
    ):
        d = getattr(usage, kind) - getattr(entry.usage, kind)
        if d:
            reasons.append(f"{d:+,} {label}")
    if price_delta:
        reasons.append(f"price change ({'+' if price_delta > 0 else '-'}{money(abs(price_delta))})")
    return tuple(reasons)


def _name_renames(diffs: list[TestDiff], run: RunCost, entries: Mapping[str, BaselineEntry]) -> list[TestDiff]:
    """A removed test and a new one with the same LLM calls, tokens and models are most likely
    one test renamed (its cassette moved with it): each says so, for the reviewer to check."""
    removed: dict[tuple[Any, ...], list[str]] = {}
    added: dict[tuple[Any, ...], list[str]] = {}
    for d in diffs:
        if d.status == "removed":
            entry = entries[d.nodeid]
            removed.setdefault((entry.llm_calls, entry.usage, tuple(sorted(entry.by_model))), []).append(d.nodeid)
        elif d.status == "new":
            test = run.tests[d.nodeid]
            added.setdefault((test.llm_calls, test.usage, tuple(sorted(test.by_model()))), []).append(d.nodeid)
    other: dict[str, str] = {}
    for key, olds in removed.items():
        news = added.get(key, [])
        if key[0] and len(olds) == 1 and len(news) == 1:  # one of each, and some LLM call to compare
            other[olds[0]], other[news[0]] = news[0], olds[0]
    hints = {
        nodeid: f"same LLM calls and tokens as {'new' if status == 'removed' else 'removed'} {other[nodeid]}: renamed?"
        for nodeid, status in ((d.nodeid, d.status) for d in diffs)
        if nodeid in other
    }
    # A test renamed and changed in one go: never gated, unless its marker names its old id. A
    # new test with one removed test beside it (same file, or the same models) is told how.
    loose = [d.nodeid for d in diffs if d.status == "removed" and d.nodeid not in other]
    for d in diffs:
        marked = isinstance(run.markers.get(d.nodeid, {}).get("previously"), str)
        if d.status != "new" or d.nodeid in other or not loose or not run.tests[d.nodeid].llm_calls or marked:
            continue
        models = set(run.tests[d.nodeid].by_model())
        near = [
            old
            for old in loose
            if entries[old].llm_calls and (_file(old) == _file(d.nodeid) or set(entries[old].by_model) == models)
        ]
        if len(near) == 1:
            hints[d.nodeid] = (
                f"renamed from {near[0]}? @pytest.mark.agent_cost(previously={near[0]!r}) compares it with that entry"
            )
    return [replace(d, reasons=(*d.reasons, hints[d.nodeid])) if d.nodeid in hints else d for d in diffs]


def _file(nodeid: str) -> str:
    return nodeid.partition("::")[0]


def _baseline_at_current_prices(
    entry: BaselineEntry, test: TestCost, reprice: Repricer | None, exact: Exact
) -> Decimal | None:
    """The baseline entry's cost at the run's prices, repriced from its counts per model.

    A baseline keeps the token kinds and the other ``units`` a price depends on (hosted web
    searches billed per call, image or audio tokens at their own rate). When they do not give
    this run's own cost of a model either (a price tier a call's size crosses), or the run's
    calls of a model have units the baseline's lack (a baseline written before units were kept
    holds none, though its recorded cost paid for them), the baseline's share of that is unknown:
    the entry keeps its recorded cost rather than lose it and show it as a usage change. So it
    does when its calls of a tiered price sum past the first tier (which of them were above it is
    not kept). Calls priced at the bill their answers stated keep it, and the entry's other models
    are repriced.
    """
    if reprice is None or entry.cost_usd is None:
        return entry.cost_usd
    current = test.by_model()
    total = entry.tool_cost_usd
    for key, totals in entry.by_model.items():
        if not exact(key, totals.calls, totals.usage.input_tokens):
            if stated_key(key) and totals.cost_usd is not None:
                total += totals.cost_usd  # the bill its answers stated: no price list moves it
                continue
            return entry.cost_usd
        now = current.get(key)
        if now is not None and now.cost_usd is not None:
            if not _same_money(reprice_totals(reprice, key, now), now.cost_usd):
                return entry.cost_usd
            if now.usage.units and not {k for k, _ in now.usage.units} <= {k for k, _ in totals.usage.units}:
                return entry.cost_usd
        priced = reprice_totals(reprice, key, totals)
        if priced is None:
            return entry.cost_usd
        total += priced
    return total


def _same_money(repriced: Decimal | None, cost: Decimal) -> bool:
    """Whether a repricing gives ``cost`` as money is written (a call priced per iteration holds
    its iterations' costs to ten places, where its repricing at the same rates has more)."""
    return repriced is not None and quantize_money(repriced) == quantize_money(cost)


def _exact_at_run_prices(
    entry: BaselineEntry, test: TestCost, reprice: Repricer | None, exact: Exact
) -> Decimal | None:
    """What the entry's calls cost at the run's prices, when its tokens tell that exactly; else None.

    Exactly: each of its models is one the test calls now, whose calls ``reprice`` prices as the
    run did (no price hook, no use the repricer leaves out), with no unit the entry lacks, and
    whose calls in the entry are one, or priced alike whatever their size (summed calls of a
    tiered price, some above 200k tokens, cannot be shared out again).
    """
    if reprice is None:
        return None
    current = test.by_model()
    total = entry.tool_cost_usd
    for key, totals in entry.by_model.items():
        now = current.get(key)
        if now is None or now.cost_usd is None or not _same_money(reprice_totals(reprice, key, now), now.cost_usd):
            return None
        if not exact(key, totals.calls, totals.usage.input_tokens):
            return None
        if now.usage.units and not {k for k, _ in now.usage.units} <= {k for k, _ in totals.usage.units}:
            return None
        priced = reprice_totals(reprice, key, totals)
        if priced is None:
            return None
        total += priced
    return total


def _tool_price_change(entry: BaselineEntry, tool_prices: Mapping[str, Decimal]) -> Decimal:
    """What the baseline entry's tool calls cost more (or less) at this run's tool prices.

    This run's price per call of a host comes from its own calls to it; a host it did not call,
    or an entry written before ``tool_hosts`` were kept, keeps its recorded cost.
    """
    change = Decimal(0)
    for host, totals in entry.tool_hosts.items():
        now = tool_prices.get(host)
        if now is not None:
            change += totals.billed * now - totals.cost_usd
    return change


def _tool_price_changes(
    entries: Mapping[str, BaselineEntry], tool_prices: Mapping[str, Decimal]
) -> dict[str, tuple[Decimal, Decimal]]:
    """Hosts the baseline and this run both called at a different price per call: (baseline, now),
    compared at the precision money is stored with, so a price that divides unevenly is not a change."""
    changes = {}
    for host, totals in ToolHostTotals.sum(entry.tool_hosts for entry in entries.values()).items():
        before, now = totals.price, tool_prices.get(host)
        if before is not None and now is not None and format_money(before) != format_money(now):
            changes[host] = (before, now)
    return dict(sorted(changes.items()))


def compare(
    run: RunCost,
    baseline: Baseline | None,
    *,
    threshold_for: Callable[[str], Threshold],
    budget_for: Callable[[str], Budget],
    total_threshold: Threshold | None,
    full_run: bool,
    reprice: Repricer | None = None,
    estimate_now: Callable[[TestCost], Decimal | None] | None = None,
    exact: Exact = lambda key, calls, input_tokens: calls <= 1,
    gate_estimates: bool = False,
    stale_fails: bool = False,
    judge_total: bool = True,
) -> Comparison:
    """Judge every test of ``run`` against ``baseline`` (which may be None: budgets only).

    ``judge_total``: False when only part of the suite ran, whose total is not the suite's.
    """
    entries = baseline.tests if baseline is not None else {}
    same_prices = baseline is not None and baseline.price_source == run.price_source
    tool_prices = {host: price for host, t in run.tool_hosts().items() if (price := t.price) is not None}
    diffs: list[TestDiff] = []
    base_total = Decimal(0)
    cur_total = Decimal(0)
    gated_tests = 0
    renamed = renames(run, entries, full_run=full_run)
    refused = rename_problems(run, entries, full_run=full_run)
    continued = set(renamed.values())
    for nodeid in sorted(set(run.tests) | set(entries)):
        test = run.tests.get(nodeid)
        entry = entries.get(nodeid)
        if nodeid in renamed:
            entry = entries[renamed[nodeid]]  # its own entry, under the name it had
        if test is None:
            assert entry is not None
            if nodeid in continued:
                continue  # compared as the test that continues it
            diffs.append(
                TestDiff(
                    nodeid,
                    "removed" if full_run else "not-run",
                    baseline_usd=entry.cost_usd,
                    baseline_calls=entry.llm_calls,
                    baseline_tokens=entry.usage,
                )
            )
            continue
        threshold = threshold_for(nodeid)
        budget = check_budget(test, budget_for(nodeid))
        stale = test.stale_changes
        est_now = estimate_now(test) if (estimate_now is not None and test.stale) else None
        current = test.cost_usd
        common: dict[str, Any] = {
            "current_usd": current,
            "threshold": threshold.describe(),
            "budget": budget,
            "stale": stale,
            "estimated_now_usd": est_now,
            "current_calls": test.llm_calls,
            "current_tokens": test.usage,
            "location": test.location,
        }
        if stale and stale_fails:
            common["budget"] = (
                *budget,
                f"{STALE_VIOLATION}: {', '.join(stale)} since it was recorded; re-record it",
            )
        if test.outcome in ("skipped", "xfailed"):
            if entry is not None:
                diffs.append(
                    TestDiff(nodeid, "not-run", baseline_usd=entry.cost_usd, **{**common, "current_usd": None})
                )
            continue
        if entry is None:
            if test.calls and test.outcome in ("failed", "error"):
                # A new test that stopped part-way: its partial cost is not what it costs either.
                diffs.append(TestDiff(nodeid, "failed", **common))
            elif test.calls:
                said = (refused[nodeid],) if nodeid in refused else ()
                diffs.append(TestDiff(nodeid, "new", reasons=said, **common))
            elif budget:
                diffs.append(TestDiff(nodeid, "unchanged", **common))
            continue
        common.update(baseline_usd=entry.cost_usd, baseline_calls=entry.llm_calls, baseline_tokens=entry.usage)
        if test.outcome in ("failed", "error"):
            # Its calls stop where the test did: no usage or price effect to judge, and left out of
            # the totals, or one broken test reads as a saving the size of its baseline cost. So
            # whatever else it is: estimated or unpriced calls before it stopped change nothing.
            diffs.append(TestDiff(nodeid, "failed", **common))
            continue
        recorded = entry.cost_usd
        notes: tuple[str, ...] = ()
        if recorded is None and current is not None:
            # Written unpriced, and this run prices its models (a price file entry added since):
            # its tokens, kept per model, give what it costs now.
            recorded = _exact_at_run_prices(entry, test, reprice, exact)
            if recorded is not None:
                common["baseline_usd"] = recorded
                notes = ("the baseline entry was unpriced: priced from its tokens at this run's prices",)
        if recorded is None or current is None:
            # Left out of the totals the threshold judges, as new and estimated tests are.
            why: tuple[str, ...] = ()
            if recorded is None and current is not None:
                why = ("the baseline entry is unpriced: update the baseline to gate this test",)
            diffs.append(TestDiff(nodeid, "unpriced", reasons=why, **common))
            continue
        base_now: Decimal | None = recorded
        if same_prices and not notes:
            again = _exact_at_run_prices(entry, test, reprice, exact)
            if again is not None and format_money(again) != format_money(recorded):
                # Its cost is not what its tokens cost at the prices the file declares: it was
                # priced otherwise (a git merge of baselines updated at other prices, a hand edit).
                base_now = again
                notes = (
                    "the baseline entry's cost is not its tokens' at the baseline's prices (a merge of "
                    "baselines priced apart?): compared at this run's prices",
                )
        elif not notes:
            base_now = _baseline_at_current_prices(entry, test, reprice, exact)
        assert base_now is not None
        base_now += _tool_price_change(entry, tool_prices)
        price_delta = base_now - recorded
        on_estimate = gate_estimates and est_now is not None
        effective = est_now if on_estimate and est_now is not None else current
        usage_delta = effective - base_now
        reasons = (*_reasons(entry, test, price_delta), *notes)
        if nodeid in renamed:
            reasons = (f"renamed from {renamed[nodeid]}", *reasons)
        if price_delta and usage_delta:
            # The delta columns hold the price change too: say what the threshold judged.
            moved = f"{signed_money(usage_delta)}, {percent(pct(base_now, usage_delta))}"
            reasons = (*reasons, f"judged on usage: {moved} at this run's prices")
        common.update(
            usage_delta_usd=usage_delta, price_delta_usd=price_delta, reasons=reasons, gated_on_estimate=on_estimate
        )
        if (test.estimated or entry.estimated) and (
            entry.estimated_part is None or entry.estimated_part != test.estimated_part
        ):
            # The estimates moved (or the baseline does not say what they were): the change may be
            # the tokenizer's, not the agent's. Estimates that did not move leave the exact calls
            # to judge, or one estimated call (Gemini embeddings) would keep a test ungated.
            status = "estimated"
        elif threshold.exceeded(base_now, effective):
            status = "regressed"
        elif usage_delta < 0 and threshold.exceeded(effective, base_now):
            status = "improved"
        elif price_delta and not usage_delta:
            status = "price-changed"
        else:
            status = "unchanged"
        if status not in ("estimated",):
            base_total += base_now
            cur_total += effective
            gated_tests += 1
        diffs.append(TestDiff(nodeid, status, **common))
    diffs = _name_renames(diffs, run, entries)
    # The baseline total covers the tests this run could compare: entries of tests that were
    # deselected or skipped now, or that failed, are left out, so they do not show as savings.
    left_out = {d.nodeid for d in diffs if d.status in _LEFT_OUT_OF_TOTALS}
    base_sum: Decimal | None = None
    if baseline is not None:
        base_sum = Decimal(0)
        for d in diffs:
            if d.nodeid in left_out or (d.nodeid not in entries and d.nodeid not in renamed):
                continue
            cost = d.baseline_usd  # the entry's, or what an entry written unpriced costs now
            if cost is None:
                base_sum = None
                break
            base_sum += cost
    # The current total likewise, over the same tests: a failed test's calls before it stopped, and
    # a skipped or xfailed test's, priced or not, are not in it. A test without a diff made no call.
    kept = [d.current_usd for d in diffs if d.status not in _NOT_COMPARED]
    cur_sum = None if None in kept else sum((c for c in kept if c is not None), Decimal(0))
    judged = baseline is not None and total_threshold is not None and judge_total
    total_regressed = bool(judged and total_threshold is not None and total_threshold.exceeded(base_total, cur_total))
    return Comparison(
        tests=tuple(diffs),
        baseline_total_usd=base_sum,
        current_total_usd=cur_sum,
        total_threshold=total_threshold.describe() if total_threshold is not None else "off",
        total_regressed=total_regressed,
        baseline_price_source=baseline.price_source.to_dict() if baseline is not None else {},
        current_price_source=run.price_source.to_dict(),
        has_baseline=baseline is not None,
        tool_price_changes=_tool_price_changes(entries, tool_prices),
        gated_totals=(gated_tests, base_total, cur_total) if judged else None,
        total_not_applied=baseline is not None and total_threshold is not None and not judge_total,
    )
