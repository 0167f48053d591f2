"""End of a run: compare, decide, write files, render. Pure: the plugin and the CLI call it."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from genai_prices import Usage

from pytest_agentcost._io import write_file
from pytest_agentcost.baseline import Baseline, update_baseline, update_line, write_baseline
from pytest_agentcost.diff import STALE_CHEAPER, STALE_VIOLATION, Comparison, TestDiff, compare
from pytest_agentcost.errors import AgentCostError
from pytest_agentcost.models import (
    FIXTURE_ENTRY_SUFFIX,
    SELF_HOSTED,
    STOPPED_CAUSES,
    PriceContext,
    PriceSource,
    RunCost,
    TestCost,
    TokenUsage,
    model_key,
    split_model_key,
    time_of_day_note,
)
from pytest_agentcost.pricing import Pricer, known_usage_keys
from pytest_agentcost.render._format import change, money, pct, percent, shown_id, signed_money
from pytest_agentcost.render.terminal import cost_table_lines
from pytest_agentcost.report import iter_run_json, report_to_json, run_to_dict
from pytest_agentcost.settings import Settings
from pytest_agentcost.usage import OLLAMA_CLOUD, PER_ITERATION, priced_as_stated

__all__ = ["GateOutcome", "evaluate", "finish_session", "make_repricer", "warning_lines"]


@dataclass
class GateOutcome:
    """What the session reports and whether it fails the run."""

    lines: list[str] = field(default_factory=list)
    failed: bool = False
    errors: list[str] = field(default_factory=list)
    """Files that could not be written (report, comment, baseline): a usage error, exit status 4.
    The cost table and verdicts above are still printed."""
    comparison: Comparison | None = None
    annotations: list[str] = field(default_factory=list)


def _price_usage(
    pricer: Pricer, provider: str | None, model: str | None, usage: TokenUsage, context: PriceContext
) -> Decimal | None:
    """The price of ``usage``, every kind of token and unit of it; ``None`` when unknown."""
    others = dict(usage.units)
    if not others.keys() <= known_usage_keys():
        return None  # a unit this genai-prices does not know: the price cannot be worked out
    return pricer.price(
        provider,
        model,
        Usage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_write_tokens=usage.cache_write_tokens,
            output_reasoning_tokens=usage.reasoning_tokens,
            **others,
        ),
        context,
    )


def make_repricer(pricer: Pricer) -> Callable[[str, TokenUsage], Decimal | None]:
    def reprice(key: str, usage: TokenUsage) -> Decimal | None:
        provider, model, context = split_model_key(key)  # each tier's calls at its own price
        return _price_usage(pricer, provider, model, usage, context)

    return reprice


def make_estimator(pricer: Pricer) -> Callable[[TestCost], Decimal | None]:
    """Cost of a stale test if its cassettes were re-recorded now (drift estimate applied)."""

    def estimate(test: TestCost) -> Decimal | None:
        # Imported for a stale test only: a run without one never loads the drift module.
        from pytest_agentcost.drift import estimate_usage

        total = test.tool_cost_usd
        for call in test.billed:
            drift = call.drift
            if drift is None:
                if call.cost_usd is None:
                    return None
                total += call.cost_usd
                continue
            if call.cost_usd is None:
                # Unpriced for what its tokens do not say (audio billed apart, a hosted tool's uses
                # the price leaves out): its tokens, re-estimated, do not price it either.
                return None
            # An estimated call was counted from the request sent now: its input already moved.
            delta = 0 if call.estimated else drift.get("input_token_delta")
            max_out = drift.get("max_output_tokens")
            usage = estimate_usage(
                call.usage,
                delta if type(delta) is int else 0,
                max_out if type(max_out) is int and max_out >= 0 else None,
            )
            swapped = drift.get("model_changed")
            model = str(swapped[1]) if isinstance(swapped, list | tuple) and len(swapped) == 2 else call.model
            # Re-recorded, it would be served in the same tier.
            cost = _price_usage(pricer, call.provider, model, usage, call.price_context)
            moves_only = priced_as_stated(call.provider, call.price_context) or PER_ITERATION in call.price_context
            if cost is not None and call.cost_usd is not None and moves_only:
                # A stated bill (Perplexity's request fee by search context size), or iterations priced
                # apart (an advisor's at its own rates), moves by its tokens' change only.
                before = _price_usage(pricer, call.provider, call.model, call.usage, call.price_context)
                cost = None if before is None else call.cost_usd + cost - before
            if cost is None:
                return None
            total += cost
        return total

    return estimate


#: How to re-record, for pytest-recording and for plain vcrpy, whose record_mode "all" would
#: append the new interactions to the old ones, which replay first. With --agent-cost on, as
#: the plugin redacts only what it sees saved: without it, the user's own filters alone apply.
RERECORD = (
    "pytest-recording: pytest --agent-cost --record-mode=rewrite; vcrpy: delete the cassette, record with "
    'record_mode="once"; under --agent-cost, keys are kept out of the cassettes saved'
)


def cwd_relative_nodeid(nodeid: str, rootdir: Path | None, invocation_dir: Path | None) -> str:
    """``nodeid`` as pytest takes it on the command line in ``invocation_dir``: node ids are the
    rootdir's, but pytest reads a path argument from the folder it runs in (a monorepo's
    ``cd services/agent_a && pytest`` under one ini at the top). pytest's own
    ``Config.cwd_relative_nodeid``, which a CLI run has no config for."""
    if rootdir is None or invocation_dir is None or Path(invocation_dir) == Path(rootdir):
        return nodeid
    path, sep, rest = nodeid.partition("::")
    full = Path(rootdir, path)
    try:
        rel = os.path.relpath(full, invocation_dir)
    except ValueError:  # another drive on Windows: no relative path; the full one, as pytest's
        rel = str(full)
    return rel.replace(os.sep, "/") + sep + rest


def rerecord_advice(
    nodeids: Sequence[str],
    *,
    cassettes: Iterable[str] = (),
    rootdir: Path | None = None,
    invocation_dir: Path | None = None,
) -> str:
    """:data:`RERECORD`, naming up to three stale tests to re-record: rewriting the whole suite
    re-records every cassette (and, with the API unreachable, pytest-recording deletes them).
    A fixture's entry is no test id to select: then the advice names none. Up to three cassette
    files their stale calls replayed are named for plain vcrpy to delete (adoption 5: the advice
    said "the cassette" and left finding it to the JSON report). Given the folder the run was
    started in, tests and files are named relative to it, as pytest and a shell take them there."""
    import shlex

    def here(path: str) -> str:
        return shlex.quote(cwd_relative_nodeid(path, rootdir, invocation_dir))

    advice = RERECORD
    files = sorted(set(cassettes))
    if 0 < len(files) <= 3:
        advice = advice.replace("delete the cassette,", f"delete {' '.join(here(f) for f in files)},", 1)
    if not nodeids or len(nodeids) > 3 or any(n.endswith(FIXTURE_ENTRY_SUFFIX) for n in nodeids):
        return advice
    selected = " ".join(here(n) for n in nodeids)
    return advice.replace("--record-mode=rewrite;", f"--record-mode=rewrite {selected};", 1)


def _stale_cassettes(run: RunCost, nodeids: Iterable[str]) -> list[str]:
    """The cassette files the stale calls of these tests replayed."""
    return [c.cassette for n in nodeids for c in run.tests[n].calls if c.drift is not None and c.cassette]


def evaluate(
    run: RunCost, baseline: Baseline | None, settings: Settings, *, full_run: bool, judge_total: bool = True
) -> Comparison:
    return compare(
        run,
        baseline,
        threshold_for=settings.threshold_for,
        budget_for=lambda nodeid: settings.rules_for(nodeid).budget,
        total_threshold=settings.total_threshold,
        full_run=full_run,
        reprice=make_repricer(settings.pricer),
        exact=settings.pricer.reprices_exactly,
        estimate_now=make_estimator(settings.pricer),
        gate_estimates=settings.gate_estimates,
        stale_fails=settings.stale_policy == "fail",
        judge_total=judge_total,
    )


def why_failed(t: TestDiff) -> str:
    """One sentence: why this test fails the gate (the terminal, annotations and the CLI say the same)."""
    budget = "; ".join(t.budget)
    if t.status != "regressed":
        return budget
    what = "estimated cost if re-recorded" if t.gated_on_estimate else "cost"
    if t.price_delta_usd and t.baseline_usd is not None and t.usage_delta_usd is not None:
        # Prices moved too: the threshold judged the usage change at this run's prices, which the
        # recorded baseline cost does not show (a price drop under a usage rise reads as a saving).
        base_now = t.baseline_usd + t.price_delta_usd
        delta = (
            f"{what} at this run's prices {money(base_now)} -> {money(t.judged_usd)} "
            f"({signed_money(t.usage_delta_usd)}, {percent(pct(base_now, t.usage_delta_usd))}) over threshold "
            f"{t.threshold}; the baseline's {money(t.baseline_usd)} was at its own prices"
        )
    else:
        delta = (
            f"{what} {money(t.baseline_usd)} -> {money(t.judged_usd)} ({signed_money(t.judged_delta_usd)}, "
            f"{percent(t.judged_delta_pct)}) over threshold {t.threshold}"
        )
    if t.gated_on_estimate:
        delta += f" ({t.estimate_note()})"
    return f"{delta}; {budget}" if budget else delta


def why_failed_on_update(t: TestDiff) -> str:
    """Why a test fails a baseline update: its budgets, which hold with or without a baseline; a
    rise over its threshold is the update's to accept."""
    why = "; ".join(t.budget)
    if t.status == "regressed":
        why += f" (its cost over threshold {t.threshold} is {_ACCEPTED})"
    return why


_ACCEPTED = "accepted by the baseline update"


def why_total_failed(cmp: Comparison) -> str:
    """The suite total's failure, as the terminal and its annotation say it."""
    return f"suite total over threshold {cmp.total_threshold}: {cmp.describe_gated_total()}"


def verdict(t: TestDiff) -> str:
    """The verdict column: the status, unless a budget failed the test or a change stayed under
    its threshold (both read "unchanged" or "new" as a status)."""
    if t.status == "regressed":
        return t.status
    if t.over_budget:
        return "over budget"
    if t.budget:
        return "stale"
    if t.status == "unchanged" and t.judged_delta_usd:
        return "within threshold"
    return t.status


#: The terminal's why column; the PR comment and the JSON report carry every reason.
_WHY_WIDTH = 160


def _notes(t: TestDiff, width: int | None = None) -> str:
    """The why column: budgets, usage reasons, what changed in a stale test's requests, its estimate.

    Cut to ``width`` by whole reasons from the end, marked ``...``, keeping the first (why it
    failed) and the estimate last; a first reason too long on its own is cut itself.
    """
    note = t.estimate_note()
    # A stale-cassette failure names the changes itself (see diff.compare).
    # Each change its own reason (cut whole), "stale:" said once before them.
    stale = () if any(b.startswith(STALE_VIOLATION) for b in t.budget) else t.stale
    stale = (f"stale: {stale[0]}", *stale[1:]) if stale else ()
    # A failed test's cost stops where it did (-100% when before its first call): not compared.
    failed = ["test failed: not gated"] if t.status == "failed" else []
    # A rise under the threshold names it: +112% can be under its dollar floor (adoption 4).
    within = [f"threshold {t.threshold}"] if verdict(t) == "within threshold" and t.threshold else []
    head, tail = [*failed, *within, *t.budget, *t.reasons, *stale], [note] if note else []
    text = "; ".join(head + tail)
    if width is None or len(text) <= width:
        return text
    while len(head) > 1 and len("; ".join([*head, "...", *tail])) > width:
        head.pop()
    text = "; ".join([*head, "...", *tail])
    if len(text) <= width:
        return text
    # The first reason alone is too long: cut it, never the estimate after it.
    room = width - len("; ".join(["...", *tail]))
    if not tail or room < 1:
        return text[: width - 3] + "..."
    return "; ".join([head[0][:room] + "...", *tail])


def comparison_lines(cmp: Comparison, mode: str, *, accepting: bool = False) -> list[str]:
    """The comparison table and verdict lines; ``accepting``: the run updates the baseline, which
    accepts cost changes (not budgets or stale cassettes), and the lines say so."""
    from tabulate import tabulate

    lines: list[str] = []
    # Every test whose cost moved is a row (a rise under its threshold too), as in the PR comment.
    # Tests that did not run are counted, not listed: a -k run or a CI shard would list the whole
    # rest of the suite (the JSON report has each).
    changed = [
        t
        for t in cmp.tests
        # An unchanged cost with reasons (a model switched at the same price) is a row, as in the comment.
        if (t.status != "unchanged" or t.budget or t.stale or t.judged_delta_usd or t.reasons) and t.status != "not-run"
    ]
    changed.sort(key=lambda t: (-(abs(t.delta_usd) if t.delta_usd is not None else Decimal(0)), t.nodeid))
    if changed:
        rows = [
            [
                shown_id(t.nodeid),
                "-" if t.without_entry else money(t.baseline_usd),
                t.judged_text() if t.current_usd is not None or t.status not in ("removed", "not-run") else "-",
                signed_money(t.judged_delta_usd),
                percent(t.judged_delta_pct),
                verdict(t),
                _notes(t, _WHY_WIDTH),
            ]
            for t in changed
        ]
        lines.extend(
            tabulate(
                rows,
                headers=["test", "baseline", "current", "delta", "delta %", "verdict", "why"],
                tablefmt="simple",
                disable_numparse=True,
            ).splitlines()
        )
    # Counted by the verdict column, so the line and the table agree ("within threshold" and
    # "over budget" are statuses "unchanged" or "new" in the JSON report).
    counts: dict[str, int] = {}
    for t in cmp.tests:
        counts[verdict(t)] = counts.get(verdict(t), 0) + 1
    if changed:
        lines.append("")  # under the table; without one, the caller's blank line precedes the count
    if any(t.baseline_calls is not None and t.status not in ("not-run", "failed", "removed") for t in cmp.tests):
        if cmp.baseline_total_usd is None or cmp.current_total_usd is None:
            # One unpriced test would hide the total: give it over the rest, as the comment does.
            before, after, unpriced = cmp.priced_totals()
            total = f"total {money(before)} -> {money(after)}{change(before, after)}, "
            total += f"leaving out {unpriced} unpriced test(s)"
        else:
            before, after = cmp.baseline_total_usd, cmp.current_total_usd
            total = f"total {money(before)} -> {money(after)}{change(before, after)}"
        new = sum((t.current_usd for t in cmp.by_status("new") if t.current_usd is not None), Decimal(0))
        if new:  # in the current total only: it moves without any test's cost changing
            total += f", new tests {signed_money(new)} of it"
    else:  # "$0 -> $0.0123" would read as a rise from nothing: no test of the baseline ran
        _, after, unpriced = cmp.priced_totals()
        left_out = f", leaving out {unpriced} unpriced test(s)" if unpriced else ""
        # A baseline test that ran and failed is left out too: it did not pass, though it ran.
        how = "passed" if any(t.status == "failed" and t.baseline_calls is not None for t in cmp.tests) else "ran"
        total = f"total {money(after)}{left_out}; none of the baseline's tests {how}, so no total to compare with"
    lines.append(
        "compared with baseline: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + f"; {total}"
    )
    if cmp.gated_totals is not None:
        lines.append(f"total threshold {cmp.total_threshold}: {cmp.describe_gated_total()}")
    elif cmp.total_not_applied:
        lines.append(
            f"total threshold {cmp.total_threshold} not applied: only part of the "
            "suite ran (-k, -m, node ids, paths, --ignore, deselection or a CI shard); agentcost compare on the "
            "merged reports judges it"
        )
    if cmp.prices_changed:
        base, now = cmp.baseline_price_source, cmp.current_price_source
        moved = cmp.prices_moved
        lines.append(
            f"{'prices' if moved else 'price source'} changed: baseline {PriceSource.from_dict(base).describe()}, "
            f"now {PriceSource.from_dict(now).describe()}{time_of_day_note(base, now)}; "
            + ("price effects are reported apart from usage" if moved else "no compared test's cost moved with it")
        )
    if cmp.tool_price_changes:
        changes = cmp.describe_tool_price_changes()
        lines.append(f"tool prices changed: {changes}; price effects are reported apart from usage")
    word = "FAILED" if mode == "fail" else "warning"
    for t in cmp.regressions:
        if accepting and t.budget:
            lines.append(f"agent cost {word}: {t.nodeid}: {why_failed_on_update(t)}")
        else:
            lines.append(f"agent cost {_ACCEPTED if accepting else word}: {t.nodeid}: {why_failed(t)}")
    if cmp.total_regressed:
        lines.append(f"agent cost {_ACCEPTED if accepting else word}: {why_total_failed(cmp)}")
    improved, stale_cheaper = cmp.savings()
    if improved:
        lines.append(f"{improved} test(s) got cheaper: run with --agent-cost-update-baseline to lock in the savings")
    if stale_cheaper:
        lines.append(f"{stale_cheaper} test(s) got cheaper on {STALE_CHEAPER}")
    return lines


def repo_path(path: str, rootdir: Path, environ: Mapping[str, str]) -> str:
    """``path`` (relative to pytest's rootdir) relative to the repository GitHub checked out.

    GitHub attaches an annotation to a file by its path in the repository; pytest may run in a
    subdirectory of it (``working-directory: example_project``). Outside a workspace, or for a
    file outside it, the path is returned unchanged.
    """
    workspace = environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return path
    try:
        relative = os.path.relpath(os.path.realpath(rootdir / path), os.path.realpath(workspace))
    except ValueError:  # another drive on Windows
        return path
    if relative == ".." or relative.startswith(".." + os.sep):
        return path
    return relative.replace(os.sep, "/")


#: An annotation's title by the test's verdict (:func:`verdict`).
_ANNOTATION_TITLES = {"regressed": "regression", "over budget": "over budget", "stale": "stale cassette"}


#: Why an update that prunes refuses a run of no test.
EMPTY_PRUNE = "pruning would drop every baseline entry"

#: Annotations of one level GitHub shows for a step; it silently drops the rest, in print order.
ANNOTATIONS_PER_LEVEL = 10


def _biggest_rise_first(t: TestDiff) -> tuple[bool, Decimal, str]:
    """The rise the gate judged, biggest first: at this run's prices and, gated on an estimate, the
    estimate's (not the recorded delta, which a price cut or an unchanged replay shrinks); a test
    with no baseline (new, over its budget) rose by its whole cost."""
    rise = t.usage_delta_usd
    if rise is None:
        rise = t.judged_delta_usd
    if rise is None and t.baseline_usd is None:
        rise = t.judged_usd
    return (rise is None, -(rise or Decimal(0)), t.nodeid)


def _within_github_limits(commands: list[str]) -> list[str]:
    """``commands`` (most important first) cut to what GitHub shows of a step: 10 per level. What is
    cut is counted in one notice, so no one takes the 10 shown for all there is."""
    kept: list[str] = []
    shown: Counter[str] = Counter()
    cut: Counter[str] = Counter()
    for command in commands:
        level = command[2:].split(" ", 1)[0].split("::", 1)[0]
        if shown[level] < ANNOTATIONS_PER_LEVEL:
            shown[level] += 1
            kept.append(command)
        else:
            cut[level] += 1
    if cut:
        from pytest_agentcost.render.github import annotation

        counts = " and ".join(f"{n} more {level}" for level, n in sorted(cut.items()))
        kept.append(
            annotation(
                "notice",
                f"{counts} annotation(s) not shown: GitHub shows {ANNOTATIONS_PER_LEVEL} of each kind per "
                "step. The log above and the job summary list every test.",
                title="agent cost: more annotations",
            )
        )
    return kept


def _annotations(
    cmp: Comparison,
    run: RunCost,
    mode: str,
    rootdir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    accepting: bool = False,
) -> list[str]:
    try:
        from pytest_agentcost.render.github import annotation
    except ImportError:  # pragma: no cover - renderer ships with the package
        return []
    env = os.environ if environ is None else environ

    def where(location: tuple[str, int] | None) -> tuple[str | None, int | None]:
        if location is None:
            return None, None
        path, line = location
        return (path if rootdir is None else repo_path(path, rootdir, env)), line

    level: Any = "error" if mode == "fail" else "warning"
    result = []
    # GitHub shows the first 10 annotations of a level and drops the rest: the suite total first,
    # then the biggest rises (hardening 4: with 11 regressions the total and the worst were lost).
    if cmp.total_regressed and not accepting:  # no file of its own: shown on the run's summary
        result.append(
            annotation(
                level,
                why_total_failed(cmp),
                title="agent cost regression: suite total",
            )
        )
    for t in sorted(cmp.regressions, key=_biggest_rise_first):
        if accepting and not t.budget:
            continue  # the update accepts the rise, as the run's own line says
        file, line = where(t.location)
        message = why_failed_on_update(t) if accepting else why_failed(t)
        # Titled by what failed it (adoption 4: a budget failure at an unchanged cost was a "regression");
        # an update accepts the rise, so names what it does not accept.
        kind = verdict(t)
        if accepting and kind == "regressed":
            kind = "over budget" if t.over_budget else "stale"
        title = f"agent cost {_ANNOTATION_TITLES.get(kind, 'regression')}: {t.nodeid}"
        result.append(annotation(level, message, file=file, line=line, title=title))
    for nodeid, test in sorted(run.tests.items()):
        if test.stale:
            file, line = where(test.location)
            result.append(
                annotation(
                    "warning",
                    "stale cassette: "
                    + "; ".join(test.stale_changes)
                    + f". Re-record it ({rerecord_advice([nodeid], cassettes=_stale_cassettes(run, [nodeid]))}).",
                    file=file,
                    line=line,
                    title=f"stale cassette: {nodeid}",
                )
            )
    return _within_github_limits(result)


def finish_session(
    run: RunCost,
    settings: Settings,
    baseline: Baseline | None,
    *,
    full_run: bool,
    interrupted: bool = False,
    modify_report: Callable[[dict[str, Any]], Any] | None = None,
    environ: Mapping[str, str] | None = None,
    token_fallbacks: Mapping[str, str] | None = None,
    ran_no_test: bool = False,
    invocation_dir: Path | None = None,
) -> GateOutcome:
    """Everything that happens after the last test, in order; returns what to print and the verdict.

    ``ran_no_test``: no selected test ran, though the run keeps entries as skipped (of a module
    skipped at collection); a run without tests ran none either.

    ``token_fallbacks``: why token estimates fell back, by encoding, in every process of the run
    (xdist workers); this process's when not given. The total threshold is not applied to a
    report of part of the suite (``run.partial``: a CI shard, ``-k``), whose total is not the
    suite's, unless ``full_run`` says it is the whole suite: it is left to ``agentcost compare``
    on the merged reports.
    """
    env = os.environ if environ is None else environ
    outcome = GateOutcome()
    outcome.lines.extend(cost_table_lines(run))
    cmp = evaluate(run, baseline, settings, full_run=full_run, judge_total=full_run or not run.partial)
    outcome.comparison = cmp
    if baseline is not None:
        outcome.lines.append("")
        outcome.lines.extend(
            comparison_lines(cmp, settings.mode, accepting=settings.update_baseline and not interrupted)
        )
    else:
        for t in cmp.regressions:
            outcome.lines.append(
                f"agent cost {'FAILED' if settings.mode == 'fail' else 'warning'}: {t.nodeid}: {why_failed(t)}"
            )
        if not settings.update_baseline:
            outcome.lines.append(
                f"no baseline at {settings.baseline}: run with --agent-cost-update-baseline to create it"
            )
    # Warnings that must never be silent.
    unpriced = sorted({m for t in run.tests.values() for m in t.unpriced_models})
    for key in unpriced:
        provider, model, _ = split_model_key(key)
        calls = [
            c
            for t in run.tests.values()
            for c in t.billed
            if c.cost_usd is None and model_key(c.provider, c.model) == key
        ]
        if calls and all(c.usage.units and not c.usage.total_tokens for c in calls):
            # A rerank: billed per search unit, no token. A price file prices tokens only.
            names = ", ".join(sorted({name for c in calls for name, _ in c.usage.units}))
            outcome.lines.append(
                f"warning: no price for model {key}: its calls are billed per unit ({names}), not per token, "
                "and genai-prices has no such price; price them in a pytest_agentcost_price_call hook "
                "(call.usage.units), since a price file prices tokens only"
            )
            continue
        if calls and all(
            not c.usage.total_tokens and not c.usage.units and any("the call is unpriced" in w for w in c.warnings)
            for c in calls
        ):
            # Billed by what no token counts (a video job's seconds): each call's warning says so,
            # and a price file, which prices tokens, cannot price it.
            continue
        if model and settings.pricer.has_price(provider, model):
            # Priced, but not these calls: each says why (a hook that raised, a use left out, an
            # audio length not recorded, a usage its price does not price).
            continue
        if model is None:
            advice = (
                "its calls name no model (neither the request nor the answer does), so neither genai-prices nor a "
                "price file entry can match them: price them in a pytest_agentcost_price_call hook (call.provider, "
                "call.endpoint, call.usage)"
            )
        elif provider and provider.startswith("huggingface_") and "/" not in model:
            # Hugging Face's router forwards a call under the inference provider's own model id.
            advice = (
                "Hugging Face's router answered with the inference provider's own model id, and genai-prices "
                "prices Inference Providers by the Hub repo id (meta-llama/Llama-3.3-70B-Instruct), which the "
                "exchange does not name: add it to a price file (ini agent_cost_prices; per million tokens, "
                "at the provider's rate for that repo) or price its calls in a pytest_agentcost_price_call hook"
            )
        elif provider == OLLAMA_CLOUD:
            advice = (
                "Ollama Cloud bills by plan, not per token, and no price list prices it: add it to a price file "
                "(ini agent_cost_prices; per million tokens, your plan's rate as you reckon it) or price its "
                "calls in a pytest_agentcost_price_call hook"
            )
        elif provider in SELF_HOSTED:
            advice = (
                "it runs on your own hardware, which no price list prices: add it to a price file (ini "
                "agent_cost_prices; per million tokens, 0 for free) or price its calls in a "
                "pytest_agentcost_price_call hook"
            )
        elif provider is None and (hosts := set(_unnamed_hosts(run, key))) and hosts <= _HUGGING_FACE_OWN_HOSTS:
            advice = (
                "Hugging Face served it on a route that names no inference provider genai-prices prices (its own "
                "hf-inference, billed by compute time, or the router's /v1 auto-routing, whose provider the "
                "exchange does not name): price its calls in a pytest_agentcost_price_call hook, or add it to a "
                "price file (ini agent_cost_prices; per million tokens, as you reckon it)"
            )
        else:
            advice = (
                _unknown_provider_advice(run, key)
                + "add it to a price file (ini agent_cost_prices; per million tokens), price its calls in a "
                "pytest_agentcost_price_call hook (per image, per request), or upgrade genai-prices"
            )
        outcome.lines.append(
            f"warning: no price for model {key}: tokens are counted but its tests are reported unpriced; " + advice
        )
    outcome.lines.extend(_unnamed_provider_lines(run))
    if full_run:  # on a partial run an entry may price only tests that were not selected
        outcome.lines.extend(_unmatched_price_lines(run, settings.pricer))
    estimated = sorted(n for n, t in run.tests.items() if t.estimated)
    if estimated:
        outcome.lines.append(
            f"note: {len(estimated)} test(s) have estimated usage (responses without usage, counted from their text)"
        )
    from pytest_agentcost import tokens

    fallbacks = tokens.fallback_reasons() if token_fallbacks is None else token_fallbacks
    if fallbacks:
        reason = "; ".join(f"{name}: {why}" for name, why in sorted(fallbacks.items()))
        outcome.lines.append(
            f"note: tiktoken encodings unavailable ({reason}); token estimates use ~4 characters per token. "
            "Point agent_cost_tiktoken_cache (or TIKTOKEN_CACHE_DIR) at the encoding files for exact counts."
        )
    stale = sorted(n for n, t in run.tests.items() if t.stale)
    if stale and settings.stale_policy != "ignore":
        advice = rerecord_advice(
            stale, cassettes=_stale_cassettes(run, stale), rootdir=settings.rootdir, invocation_dir=invocation_dir
        )
        outcome.lines.append(
            f"{'FAILED' if settings.stale_policy == 'fail' else 'warning'}: {len(stale)} test(s) replay stale "
            f"cassettes (the request changed since recording); re-record them ({advice})"
        )
    outcome.lines.extend(warning_lines(w for t in run.tests.values() for c in t.calls for w in c.warnings))

    # Failures an update of the baseline does not accept (it accepts new costs, nothing else).
    failed = False
    if settings.scan:
        from pytest_agentcost.scan import format_findings, scan_paths

        used = sorted({c.cassette for t in run.tests.values() for c in t.calls if c.cassette})
        paths = [p for p in (Path(settings.rootdir, c) for c in used) if p.exists()]
        unread: list[str] = []
        findings = scan_paths(paths, on_error=lambda exc: unread.append(str(exc)))
        if findings:
            outcome.lines.append(f"agent cost FAILED: credentials found in {len(findings)} place(s) of cassettes:")
            outcome.lines.extend(format_findings(findings).splitlines())
            failed = True
        if unread:
            # A cassette the scan cannot read is not known to be clean: fail closed.
            outcome.lines.append(f"agent cost FAILED: {len(unread)} cassette(s) this run used could not be scanned:")
            outcome.lines.extend(f"scan: {reason}" for reason in unread)
            failed = True
        if not findings and len(paths) > len(unread):
            which = f"other {len(paths) - len(unread)}" if unread else str(len(paths))
            outcome.lines.append(f"scan: no credentials in the {which} cassette(s) this run used")
        elif not paths:
            outcome.lines.append("scan: this run used no cassette files")
    if settings.fail_unpriced and unpriced:
        outcome.lines.append("agent cost FAILED: unpriced calls (--agent-cost-fail-unpriced)")
        failed = True
    if settings.stale_policy == "fail" and stale:
        failed = True
    regressed = settings.mode == "fail" and bool(cmp.regressions or cmp.total_regressed)
    outcome.failed = failed or regressed

    try:
        if modify_report is not None:
            text = _modified_report(run_to_dict(run, cmp.to_dict()), modify_report, settings)
            if text is not None and settings.json_path is not None:
                write_file(settings.json_path, text)
        elif settings.json_path is not None:
            write_file(settings.json_path, iter_run_json(run, cmp.to_dict()))
    except AgentCostError as exc:
        outcome.errors.append(str(exc))
    markdown = None
    if settings.markdown_path is not None or env.get("GITHUB_ACTIONS") == "true":
        markdown = _markdown(run, cmp, settings)
    if settings.markdown_path is not None and markdown is not None:
        try:
            write_file(settings.markdown_path, markdown)
        except AgentCostError as exc:
            outcome.errors.append(str(exc))
    if env.get("GITHUB_ACTIONS") == "true":
        accepting = settings.update_baseline and not interrupted
        outcome.annotations = _annotations(cmp, run, settings.mode, Path(settings.rootdir), env, accepting=accepting)
        if markdown is not None:
            from pytest_agentcost.render.github import append_step_summary

            try:
                append_step_summary(markdown, env)
            except AgentCostError as exc:  # the job summary is a courtesy: never fail a green run on it
                outcome.lines.append(f"warning: {exc}")

    if settings.update_baseline:
        if interrupted:
            outcome.lines.append(
                f"baseline NOT updated: the run stopped before every selected test ran ({STOPPED_CAUSES})"
            )
        elif settings.prune and (ran_no_test or not run.tests) and baseline is not None and baseline.tests:
            # A -k that matched nothing (hardening 3): pruning would empty the baseline.
            outcome.lines.append(f"baseline NOT updated: no test ran, and {EMPTY_PRUNE}")
        else:
            try:
                new, changes = update_baseline(
                    baseline,
                    run,
                    full_run=full_run,
                    prune=settings.prune,
                    include_failed=settings.include_failed,
                    reprice=make_repricer(settings.pricer),
                    exact=settings.pricer.reprices_exactly,
                )
                wrote = write_baseline(settings.baseline, new)
            except AgentCostError as exc:
                outcome.errors.append(str(exc))
                return outcome
            outcome.lines.append(update_line(settings.baseline, wrote, new, changes, created=baseline is None))
            # Updating the baseline accepts the new costs: a cost regression does not fail the run.
            # Budgets (hard limits, with or without a baseline), credentials, unpriced calls and
            # stale cassettes still do.
            outcome.failed = failed or (settings.mode == "fail" and any(t.over_budget for t in cmp.tests))
            if outcome.failed and wrote:
                outcome.lines.append(
                    "the baseline is written, but the run fails on what an update does not accept (above)"
                )
    return outcome


MODIFY_REPORT_HOOK = "pytest_agentcost_modify_report"


def _modified_report(
    report: dict[str, Any], modify_report: Callable[[dict[str, Any]], Any], settings: Settings
) -> str | None:
    """The JSON text of ``report`` once the ``pytest_agentcost_modify_report`` hooks edited it.

    A hook's bug (it raises, or leaves a value JSON cannot hold: a Decimal, a set, NaN) is the
    user's: one line naming the hook and where it failed, never an INTERNALERROR that loses the
    cost table, the verdict and the baseline update."""
    unwritten = "" if settings.json_path is None else f"; {settings.json_path} is not written"
    try:
        modify_report(report)
    except Exception as exc:
        raise AgentCostError(
            f"the {MODIFY_REPORT_HOOK} hook raised {type(exc).__name__}: {exc}{_hook_frame(exc, settings)}{unwritten}"
        ) from exc
    if settings.json_path is None:
        return None
    try:
        return report_to_json(report)
    except (TypeError, ValueError, AttributeError) as exc:
        raise AgentCostError(
            f"the report the {MODIFY_REPORT_HOOK} hook left is no JSON ({type(exc).__name__}: {exc}): "
            f"keep it to str keys and str, int, finite float, bool, None, list and dict values{unwritten}"
        ) from exc


def _hook_frame(exc: BaseException, settings: Settings) -> str:
    """`` (conftest.py:3)``: where in the hook ``exc`` was raised (its innermost frame there)."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.name == MODIFY_REPORT_HOOK]
    if not frames:
        return ""
    path = Path(frames[-1].filename)
    try:
        shown = path.relative_to(settings.rootdir).as_posix()
    except ValueError:
        shown = str(path)
    return f" ({shown}:{frames[-1].lineno})"


def _unmatched_price_lines(run: RunCost, pricer: Pricer) -> list[str]:
    """A price the user gave that priced nothing is most likely keyed by another name than the calls'."""
    models, hosts = pricer.unmatched(c for t in run.tests.values() for c in t.calls)
    lines = []
    if models:
        lines.append(
            f"warning: price file entries matched no call in this run: {', '.join(models)}; key an entry by "
            "the model a response reports, as the model table shows it (an entry for a base name such as "
            "gpt-4.1-mini also prices its dated snapshots)"
        )
    if hosts:
        lines.append(
            f"warning: agent_cost_tool_prices hosts matched no tool call in this run: {', '.join(hosts)}; "
            "the tool host table shows the hosts called ('host:port' or 'host')"
        )
    return lines


#: Hugging Face's hosts whose unnamed routes are its own inference: the router's other routes
#: (``/together``, ``/nscale`` ...) name their provider by path.
_HUGGING_FACE_OWN_HOSTS = frozenset({"router.huggingface.co", "api-inference.huggingface.co"})


def _unnamed_provider_lines(run: RunCost) -> list[str]:
    """Say which hosts' priced calls name no provider (``?:model``), priced by the model's name
    alone: a line naming it later changes every such call's model key (a "model change")."""
    hosts = Counter(
        c.host
        for t in run.tests.values()
        for c in t.billed
        if c.provider is None and c.model and c.cost_usd is not None
    )
    if not hosts:
        return []
    where = ", ".join(f"{host} ({n})" for host, n in sorted(hosts.items()))
    first = min(hosts)
    return [
        f"note: LLM calls to {where} name no provider: they are keyed ?:model, and priced by the model's name alone "
        "unless a hook prices them; if genai-prices knows the provider serving them, name it with an "
        f"agent_cost_providers line ('{first} = <provider>') before a baseline keys them, since naming it later "
        "reads as a model change"
    ]


def _unnamed_hosts(run: RunCost, key: str) -> list[str]:
    """The hosts of the unpriced calls of ``key`` that no provider was named for."""
    return sorted(
        {c.host for t in run.tests.values() if key in t.unpriced_models for c in t.billed if c.provider is None}
    )


def _unknown_provider_advice(run: RunCost, key: str) -> str:
    """For a model whose provider is unknown (``?:model``: a proxy or a local server), how to name it."""
    provider, _, _ = split_model_key(key)
    if provider is not None:
        return ""
    where = ", ".join(_unnamed_hosts(run, key)) or "its host"
    return (
        f"its provider is unknown: genai-prices names no provider for its URLs on {where}; if it serves the API "
        "of a provider "
        "genai-prices knows (a proxy, a local server), name that provider with an agent_cost_providers line "
        "'host:port = provider' (e.g. 'localhost:4000 = openai'); for a provider it does not know, "
    )


_NUMBER = re.compile(r"\d+")
_BRACKETED = re.compile(r"\([^()]*\)")


def warning_lines(warnings: Iterable[str], limit: int = 20) -> list[str]:
    """The terminal's warning lines: one per kind of warning, at most ``limit``, sorted.

    Warnings that differ only in the numbers inside their brackets (a hundred embedding calls
    estimated at "(19 input, 0 output tokens)" and other counts) are one kind: its first line,
    and how many more like it. Numbers elsewhere (a host's port, a model's version) tell kinds
    apart. The JSON report has every call's own warnings.
    """
    kinds: dict[str, list[str]] = {}
    for text in sorted(set(warnings)):
        kinds.setdefault(_BRACKETED.sub(lambda m: _NUMBER.sub("#", m.group()), text), []).append(text)
    lines = []
    for same in sorted(kinds.values())[:limit]:
        more = f" (and {len(same) - 1} more like it)" if len(same) > 1 else ""
        lines.append(f"warning: {same[0]}{more}")
    if len(kinds) > limit:
        lines.append(f"... and {len(kinds) - limit} more kinds of warning (see the JSON report)")
    return lines


def _markdown(run: RunCost, cmp: Comparison, settings: Settings) -> str | None:
    try:
        from pytest_agentcost.render.markdown import render_comment
    except ImportError:
        return None
    return render_comment(run, cmp, mode=settings.mode, runs_per_month=settings.runs_per_month, rules=settings.markers)
