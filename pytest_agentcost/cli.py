"""The ``agentcost`` console script: merge shard reports, gate, update the baseline, scan, comment.

Everything here works on the files the plugin writes, without a pytest
session (and without importing pytest), so CI can run the tests in shards,
merge their JSON reports and apply the same gate once::

    agentcost merge shard-*.json --expect 4 -o agent-cost.json
    agentcost compare agent-cost-baseline.json agent-cost.json --full-run --markdown comment.md
    agentcost update-baseline agent-cost.json --full-run

Exit status, the same for every command: 0 done (a pass, nothing found, a
comment posted or skipped), 1 what the command checks for was found (a cost
regression from ``compare`` in fail mode, credentials from ``scan``), 2 the
command could not do its job (bad options, a file that cannot be read or
validated, conflicting shards, a GitHub API that refuses or cannot be reached).
Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_agentcost.errors import AgentCostError, BaselineError, MergeError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from pytest_agentcost.models import RunCost
    from pytest_agentcost.pricing import Pricer

__all__ = ["DEFAULT_BASELINE", "main", "merge_runs"]

#: The baseline file name the plugin uses at the rootdir (kept in step with plugin.DEFAULT_BASELINE).
DEFAULT_BASELINE = "agent-cost-baseline.json"

PROG = "agentcost"


def _parser() -> argparse.ArgumentParser:
    from pytest_agentcost.settings import DEFAULT_THRESHOLD

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="LLM agent cost reports of pytest-agentcost: merge shards, compare with the baseline, "
        "update the baseline, scan cassettes for secrets, post the PR comment.",
    )
    from pytest_agentcost import __version__

    parser.add_argument("--version", action="version", version=f"{PROG} (pytest-agentcost) {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    merge = sub.add_parser(
        "merge",
        help="merge run reports (--agent-cost-json files of CI shards) into one",
        description="Merge run reports of CI shards into the report one unsharded run would write.",
    )
    merge.add_argument("runs", nargs="+", type=Path, metavar="RUN.json", help="run reports to merge")
    merge.add_argument("-o", "--output", type=Path, required=True, metavar="PATH", help="merged report to write")
    merge.add_argument(
        "--expect",
        type=int,
        metavar="N",
        help="the number of distinct shard reports there must be (a CI matrix's size; a report given twice "
        "counts once): fewer or more is an error, as a missing shard's tests would read as removed",
    )

    comp = sub.add_parser(
        "compare",
        help="compare a run report with the baseline and apply the cost gate (exit 1 on a regression)",
        description="Apply the pytest-agentcost gate to a (merged) run report outside pytest.",
    )
    comp.add_argument("baseline", type=Path, metavar="BASELINE", help="the committed baseline file")
    comp.add_argument("run", type=Path, metavar="RUN.json", help="a run report (agentcost merge output)")
    # Each gate setting left out is the one the run recorded (its "gate"), as pytest applied it;
    # a run file without them gets pytest's defaults. argparse %-formats help: '%%' is one '%'.
    comp.add_argument(
        "--threshold",
        metavar="SPEC",
        help="per-task threshold, e.g. '10%%', '$0.002' or '10%%,$0.0001' "
        f"(default: the run's, else {DEFAULT_THRESHOLD.replace('%', '%%')})",
    )
    comp.add_argument(
        "--total-threshold",
        metavar="SPEC",
        help="threshold on the suite total, or 'off' (default: the run's, else off)",
    )
    comp.add_argument(
        "--mode", choices=("fail", "warn"), help="warn: report only, exit 0 (default: the run's, else fail)"
    )
    comp.add_argument("--markdown", type=Path, metavar="PATH", help="write the PR-comment markdown to PATH")
    comp.add_argument("--json", type=Path, metavar="PATH", help="write the run report with the comparison to PATH")
    scope = comp.add_mutually_exclusive_group()
    scope.add_argument(
        "--full-run",
        dest="full_run",
        action="store_true",
        default=False,
        help="the run covers the whole suite: baseline tasks missing from it were removed (ignored for a "
        "stopped report: the tasks it did not reach stay not-run)",
    )
    scope.add_argument(
        "--partial",
        dest="full_run",
        action="store_false",
        help="the run covers part of the suite: missing baseline tasks did not run (default)",
    )
    comp.add_argument("--prices", type=Path, metavar="PATH", help="the price file the run was priced with")
    comp.add_argument(
        "--rootdir",
        type=Path,
        metavar="DIR",
        help="the runs' pytest rootdir, whose test files GitHub annotations name (default: the current directory)",
    )
    comp.add_argument(
        "--stale",
        choices=("ignore", "warn", "fail"),
        help="what a stale cassette does, as ini agent_cost_stale (default: the run's, else warn)",
    )
    comp.add_argument(
        "--fail-unpriced",
        action=argparse.BooleanOptionalAction,
        help="fail when a call has no known price (default: the run's, else no)",
    )
    comp.add_argument(
        "--gate-estimates",
        action=argparse.BooleanOptionalAction,
        help="gate stale tasks on their estimated cost (default: the run's, else no)",
    )
    comp.add_argument(
        "--runs-per-month",
        type=int,
        metavar="N",
        help="runs a month, for the monthly projection in the markdown (default: the run's, else none)",
    )

    upd = sub.add_parser(
        "update-baseline",
        help="write the baseline from a (merged) run report",
        description="Write the baseline from a run report, as pytest --agent-cost-update-baseline does.",
    )
    upd.add_argument("run", type=Path, metavar="RUN.json", help="a run report (agentcost merge output)")
    upd.add_argument(
        "--baseline",
        type=Path,
        default=Path(DEFAULT_BASELINE),
        metavar="PATH",
        help=f"baseline file to write (default {DEFAULT_BASELINE})",
    )
    upd.add_argument(
        "--full-run",
        action="store_true",
        help="the run covers the whole suite: drop entries of tasks missing from it",
    )
    upd.add_argument("--prune", action="store_true", help="drop entries of tasks missing from the run anyway")
    upd.add_argument("--include-failed", action="store_true", help="also write tasks that failed")
    upd.add_argument(
        "--prices",
        type=Path,
        metavar="PATH",
        help="the price file the run was priced with, needed to reprice the entries kept when the "
        "baseline was priced otherwise",
    )

    # Listed for --help; their arguments are parsed by their own modules (see main).
    sub.add_parser("scan", help="scan cassettes for secrets (agentcost scan --help)", add_help=False)
    sub.add_parser("comment", help="post or update the sticky PR comment (agentcost comment --help)", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``agentcost`` command line; return the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list and args_list[0] in _DELEGATED:
            return _delegate(args_list[0], args_list[1:])
        try:
            args = _parser().parse_args(args_list)
        except SystemExit as exc:  # argparse: --help (0) or a usage error (2), already printed
            return exc.code if isinstance(exc.code, int) else 2
        command: Callable[[argparse.Namespace], int] = _COMMANDS[args.command]
        try:
            return command(args)
        except AgentCostError as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return 2
    except KeyboardInterrupt:
        # One line, as every error here: files are written whole (atomically) or not at all.
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


# -- merge ------------------------------------------------------------------------


def merge_runs(paths: Sequence[Path]) -> RunCost:
    """Load and merge run reports; a node id in two files must carry the same data.

    Raises :class:`MergeError` on disagreeing duplicates or price sources, and
    :class:`BaselineError` on a file that cannot be read.
    """
    from pytest_agentcost.models import FIXTURE_ENTRY_SUFFIX, RunCost, TestCost, representative_setup
    from pytest_agentcost.report import load_run

    tests: dict[str, TestCost] = {}
    origin: dict[str, Path] = {}
    markers: dict[str, Any] = {}
    first: tuple[Path, RunCost] | None = None
    stopped = False
    for path in paths:
        run = load_run(path)
        stopped = stopped or run.stopped
        if not run.tests and not run.stopped:
            # Its selection matched none (a typo in -k, a shard count above the tests'): merged as
            # the suite, the tests it should hold would read as removed, and an update prune them.
            raise MergeError(
                f"{path} holds no test: did its selection match none? A merge is taken as the whole suite, "
                "so the tests that shard should hold would read as removed; merge the shards that ran tests"
            )
        if first is None:
            first = (path, run)
        elif run.price_source != first[1].price_source:
            before, now = (r.price_source.describe(hours=True) for r in (first[1], run))
            raise MergeError(
                f"price sources differ: {first[0]} was priced with {before}, {path} with {now}; "
                "run every shard with the same genai-prices, price date and price file"
            )
        elif run.gate != first[1].gate:
            # The merged report records one set of gate settings, for compare to apply.
            raise MergeError(
                f"gate settings differ: {_gate_difference(first[0], first[1].gate, path, run.gate)}; "
                "run every shard with the same agent_cost_* options and ini values"
            )
        for nodeid, test in run.tests.items():
            seen = tests.get(nodeid)
            if seen is None:
                tests[nodeid] = test
                origin[nodeid] = path
            elif nodeid.endswith(FIXTURE_ENTRY_SUFFIX):
                # A wider-scoped fixture is set up in every shard that needs it: one set-up is
                # reported, as the xdist controller and a plain run choose it.
                tests[nodeid] = representative_setup((seen, test))
            elif seen.to_dict() != test.to_dict():
                raise MergeError(f"{nodeid} is in {origin[nodeid]} and {path} with different data; cannot merge")
        for nodeid, spec in run.markers.items():
            if nodeid in markers and markers[nodeid] != dict(spec):
                raise MergeError(f"{nodeid}: agent_cost marker differs between shards; cannot merge")
            markers[nodeid] = dict(spec)
    assert first is not None  # argparse requires one file at least
    return RunCost(
        tests=dict(sorted(tests.items())),
        price_source=first[1].price_source,
        markers=dict(sorted(markers.items())),
        gate=first[1].gate,
        # A shard stopped before its tests ran leaves the merge short of the suite.
        partial=stopped,
        stopped=stopped,
    )


def _gate_difference(
    path_a: Path, gate_a: Mapping[str, Any] | None, path_b: Path, gate_b: Mapping[str, Any] | None
) -> str:
    """The settings two shards disagree on, each as its report records it."""
    if gate_a is None or gate_b is None:
        older, newer = (path_a, path_b) if gate_a is None else (path_b, path_a)
        return f"{newer} records them, {older} does not (written by an older pytest-agentcost)"
    return "; ".join(
        f"{key} {_gate_value(gate_a.get(key))} in {path_a}, {_gate_value(gate_b.get(key))} in {path_b}"
        for key in sorted(gate_a.keys() | gate_b.keys())
        if gate_a.get(key) != gate_b.get(key)
    )


def _gate_value(value: Any) -> str:
    if value is None:
        return "off"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _merge(args: argparse.Namespace) -> int:
    from pytest_agentcost._io import write_file
    from pytest_agentcost.report import run_to_json

    if args.expect is not None:
        # The same report given twice (a job's artifact downloaded twice) stands for one shard.
        distinct = len({_digest(path) for path in args.runs})
        if distinct != args.expect:
            same = f" ({len(args.runs) - distinct} the same as another)" if distinct < len(args.runs) else ""
            missing = (
                "a shard's report is missing (did its job fail, or not upload it?); " if distinct < args.expect else ""
            )
            print(
                f"{PROG}: error: --expect {args.expect} shard reports, got {distinct}{same}: {missing}merged as "
                f"the suite, the tests of the missing shards would read as removed; {args.output} NOT written",
                file=sys.stderr,
            )
            return 2
    run = merge_runs(args.runs)
    if _is_baseline(args.output):
        # As a baseline given as a shard is refused: every later run would stop on a run report
        # where the baseline was.
        print(
            f"{PROG}: error: {args.output} is a baseline; write the merged report elsewhere (NOT written)",
            file=sys.stderr,
        )
        return 2
    write_file(args.output, run_to_json(run))
    distinct = len({_digest(path) for path in args.runs})
    same = f" ({len(args.runs) - distinct} the same as another, merged once)" if distinct < len(args.runs) else ""
    print(f"{PROG}: merged {distinct} report(s){same}, {len(run.tests)} tests -> {args.output}")
    return 0


def _is_baseline(path: Path) -> bool:
    """Whether ``path`` holds a pytest-agentcost baseline (an unreadable file is not one)."""
    from pytest_agentcost._io import read_json
    from pytest_agentcost.baseline import BASELINE_KIND

    try:
        data = read_json(path, "file") if path.is_file() else None
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("kind") == BASELINE_KIND


def _digest(path: Path) -> str:
    """A report file's content, to tell the same report given twice (unreadable: its own name)."""
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return str(path)  # merge_runs says why it cannot be read


# -- compare ------------------------------------------------------------------------


#: The compare options a run file's gate settings stand in for, as the note on an older file names them.
_GATE_OPTIONS = (
    ("--threshold", "threshold"),
    ("--total-threshold", "total_threshold"),
    ("--mode", "mode"),
    ("--stale", "stale"),
    ("--fail-unpriced", "fail_unpriced"),
    ("--gate-estimates", "gate_estimates"),
)


def _default_option(option: str, value: Any) -> str:
    """``--mode fail``; a yes/no option as given: ``--no-fail-unpriced``."""
    if isinstance(value, bool):
        return option if value else option.replace("--", "--no-", 1)
    return f"{option} {_gate_value(value)}"


def _compare(args: argparse.Namespace) -> int:
    import os
    from dataclasses import replace

    from pytest_agentcost.baseline import load_baseline
    from pytest_agentcost.gate import finish_session
    from pytest_agentcost.models import STOPPED_CAUSES
    from pytest_agentcost.report import load_run
    from pytest_agentcost.settings import GATE_DEFAULTS, Settings, Threshold, parse_runs_per_month

    # Check the options first, named as the user typed them (Settings.build names the ini options).
    given: dict[str, Any] = {
        "threshold": None if args.threshold is None else Threshold.parse(args.threshold, "--threshold").spec(),
        "total_threshold": None,
        "mode": args.mode,
        "stale": args.stale,
        "fail_unpriced": args.fail_unpriced,
        "gate_estimates": args.gate_estimates,
        "runs_per_month": args.runs_per_month,
    }
    total_off = args.total_threshold is not None and args.total_threshold.strip().lower() == "off"
    if args.total_threshold is not None and not total_off:
        given["total_threshold"] = Threshold.parse(args.total_threshold, "--total-threshold").spec()
    if args.runs_per_month is not None:
        parse_runs_per_month(str(args.runs_per_month), "--runs-per-month")
    baseline = load_baseline(args.baseline)
    run = load_run(args.run)
    # The settings pytest gated the run with, then the options given over them.
    gate = dict(GATE_DEFAULTS if run.gate is None else run.gate)
    gate.update({key: value for key, value in given.items() if value is not None})
    if total_off:
        gate["total_threshold"] = None
    if run.gate is None:
        defaults = [
            _default_option(option, GATE_DEFAULTS[key])
            for option, key in _GATE_OPTIONS
            if given[key] is None and not (key == "total_threshold" and total_off)
        ]
        if defaults:
            print(
                f"{PROG}: note: {args.run} does not record the gate settings its run used (written by an older "
                f"pytest-agentcost); using the defaults {', '.join(defaults)}",
                file=sys.stderr,
            )
    settings = Settings.build(
        rootdir=(args.rootdir or Path.cwd()).resolve(),
        baseline=args.baseline,
        baseline_explicit=True,
        json_path=str(args.json) if args.json else None,
        markdown_path=str(args.markdown) if args.markdown else None,
        threshold=gate["threshold"],
        total_threshold=gate["total_threshold"] or "",
        mode=gate["mode"],
        fail_unpriced=gate["fail_unpriced"],
        # Reprice the baseline at the run's price date: a price change reads as it does in pytest.
        price_date=run.price_source.price_date,
        prices_file=args.prices,
        stale_policy=gate["stale"],
        gate_estimates=gate["gate_estimates"],
        runs_per_month=None if gate["runs_per_month"] is None else str(gate["runs_per_month"]),
    )
    # A report written with --json records the settings this comparison used.
    run = replace(run, gate=settings.gate_settings())
    # Per-test marker rules travel in the run file: thresholds and budgets apply as in pytest.
    for nodeid, spec in run.markers.items():
        settings.record_marker(nodeid, (), spec)
    if baseline.price_source != run.price_source:
        _check_run_prices(args.run, run, settings.pricer, "the baseline is")
    else:
        # The baseline needs no repricing, but stale calls' "if re-recorded" estimates are priced
        # here: without the run's price file, its models' estimates would go (and a run pytest
        # failed on one would pass).
        why = "(--prices PATH), so stale calls' estimates are priced as pytest priced them"
        _check_price_file(args.run, run, settings.pricer, why)
    # A shard's own report (pytest marked it partial) is not the suite: finish_session judges its
    # total only with --full-run. A merged report is taken as the suite, unless a shard stopped:
    # the tests it did not reach did not run, whatever --full-run says (as in pytest).
    if args.full_run and not run.tests:
        print(f"{PROG}: error: {args.run} holds no test: {_EMPTY_FULL_RUN}", file=sys.stderr)
        return 2
    full_run = args.full_run and not run.stopped
    outcome = finish_session(run, settings, baseline, full_run=full_run, environ=os.environ)
    for line in [*outcome.lines, *outcome.annotations]:
        print(line)
    if run.stopped:
        print(
            f"{PROG}: note: {args.run} is the report of a run stopped before every selected test ran "
            f"({STOPPED_CAUSES}): the tests it did not reach are not-run, not removed, and the suite "
            f"total is not judged{'; --full-run ignored' if args.full_run else ''}",
            file=sys.stderr,
        )
    elif outcome.comparison is not None and outcome.comparison.total_not_applied:
        print(
            f"{PROG}: note: {args.run} is the report of a pytest run of part of the suite; merge every "
            "shard's report with 'agentcost merge' and compare that, or pass --full-run if it is the whole suite",
            file=sys.stderr,
        )
    # A report or markdown it could not write: the job that posts or keeps it would go on without.
    for error in outcome.errors:
        print(f"{PROG}: error: {error}", file=sys.stderr)
    if outcome.errors:
        return 2
    return 1 if outcome.failed else 0


# -- update-baseline ------------------------------------------------------------------


#: Why --full-run refuses a report that holds no test.
_EMPTY_FULL_RUN = "--full-run takes it for the whole suite, and every baseline entry would read as removed"


def _update_baseline(args: argparse.Namespace) -> int:
    from pytest_agentcost.baseline import load_baseline, update_baseline, update_line, write_baseline
    from pytest_agentcost.models import STOPPED_CAUSES
    from pytest_agentcost.report import load_run

    run = load_run(args.run)
    if run.stopped:
        # As pytest --agent-cost-update-baseline: the tests it did not reach would be pruned.
        print(
            f"{PROG}: error: {args.run} is the report of a run stopped before every selected test ran "
            f"({STOPPED_CAUSES}); baseline NOT updated",
            file=sys.stderr,
        )
        return 2
    if args.full_run and not run.tests:
        print(f"{PROG}: error: {args.run} holds no test: {_EMPTY_FULL_RUN}; baseline NOT updated", file=sys.stderr)
        return 2
    if args.prune and not run.tests:
        from pytest_agentcost.gate import EMPTY_PRUNE

        print(
            f"{PROG}: error: {args.run} holds no test: with --prune, {EMPTY_PRUNE}; baseline NOT updated",
            file=sys.stderr,
        )
        return 2
    old = load_baseline(args.baseline) if args.baseline.exists() else None
    built: list[Any] = []

    def pricer() -> Any:
        # Built at the first entry kept to reprice: an update that keeps none needs no --prices.
        if not built:
            from pytest_agentcost.gate import make_repricer

            priced = _pricer_at(args.run, run, args.prices)
            built.extend((priced, make_repricer(priced)))
        return built

    new, changes = update_baseline(
        old,
        run,
        full_run=args.full_run,
        prune=args.prune,
        include_failed=args.include_failed,
        reprice=lambda key, usage: pricer()[1](key, usage),
        exact=lambda key, calls, tokens: pricer()[0].reprices_exactly(key, calls, tokens),
    )
    wrote = write_baseline(args.baseline, new)
    print(update_line(args.baseline, wrote, new, changes, created=old is None))
    return 0


def _check_price_file(path: Path, run: RunCost, pricer: Pricer, why: str) -> None:
    """Refuse prices from another price file than the run's (``--prices``), saying ``why`` it matters."""
    wanted, have = run.price_source.overrides, pricer.source.overrides
    if wanted != have:
        raise BaselineError(
            f"{path} was priced with price file {wanted or 'none'}, but --prices gives {have or 'none'}; "
            f"pass the same price file {why}"
        )


def _check_run_prices(path: Path, run: RunCost, pricer: Pricer, what: str) -> None:
    """Repricing ``what`` (``"the baseline is"``) needs the prices the run used: refuse another
    price file, and say when the hour's prices or the genai-prices version differ, not guess."""
    _check_price_file(path, run, pricer, f"so {what} repriced the same way")
    if run.price_source.time_of_day != pricer.source.time_of_day:
        print(
            f"{PROG}: note: {path} took prices that depend on the hour at {run.price_source.hours}; {what} "
            f"repriced at the {pricer.source.time_of_day}, so rerun pytest --agent-cost for a like-for-like comparison",
            file=sys.stderr,
        )
    if run.price_source.version != pricer.source.version:
        print(
            f"{PROG}: note: {path} was priced with genai-prices {run.price_source.version}, "
            f"{what} repriced with the installed {pricer.source.version}",
            file=sys.stderr,
        )


def _pricer_at(args_run: Path, run: RunCost, prices: Path | None) -> Pricer:
    """Prices as ``run`` took them (its date, its price file), for the baseline entries it keeps."""
    from pytest_agentcost.pricing import Pricer, load_price_file, parse_price_date

    overrides, digest = load_price_file(prices) if prices is not None else ({}, None)
    pricer = Pricer(
        price_date=parse_price_date(run.price_source.price_date), overrides=overrides, overrides_digest=digest
    )
    _check_run_prices(args_run, run, pricer, "the entries kept are")
    return pricer


# -- commands of other modules --------------------------------------------------------

_DELEGATED = {
    "scan": ("pytest_agentcost.scan", "main"),
    "comment": ("pytest_agentcost.github_api", "comment_main"),
}


def _delegate(command: str, argv: list[str]) -> int:
    """Hand ``agentcost scan|comment ...`` to the module that implements it (imported only now)."""
    import importlib

    module_name, function_name = _DELEGATED[command]
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as exc:
        print(
            f"{PROG}: error: '{command}' is not available in this installation ({module_name}: {exc})",
            file=sys.stderr,
        )
        return 2
    try:
        status = function(argv)
    except SystemExit as exc:  # their argparse: --help or a usage error
        return exc.code if isinstance(exc.code, int) else 2
    except AgentCostError as exc:
        print(f"{PROG} {command}: error: {exc}", file=sys.stderr)
        return 2
    return int(status)


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "merge": _merge,
    "compare": _compare,
    "update-baseline": _update_baseline,
}


if __name__ == "__main__":
    sys.exit(main())
