"""The ``agentcost`` command line, run in-process through ``main`` and once as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import genai_prices
import pytest

from pytest_agentcost import cli
from pytest_agentcost.baseline import Baseline, BaselineEntry, dump_baseline, update_baseline
from pytest_agentcost.cli import main
from pytest_agentcost.diff import compare
from pytest_agentcost.models import CallRecord, PriceSource, RunCost, TestCost, TokenUsage
from pytest_agentcost.pricing import LIST_RATE
from pytest_agentcost.render.markdown import render_comment
from pytest_agentcost.report import run_to_dict, run_to_json
from pytest_agentcost.settings import GATE_DEFAULTS, Budget, Threshold
from tests.conftest import llm_record

REPO = Path(__file__).resolve().parents[2]
PRICES = PriceSource(version=genai_prices.__version__, price_date="2026-11-01", time_of_day=LIST_RATE)
#: The gate settings of a run with no agent_cost options or ini values.
DEFAULT_GATE = dict(GATE_DEFAULTS)


def llm(cost: str, input_tokens: int = 1000, output_tokens: int = 100, **extra: Any) -> CallRecord:
    return llm_record(
        endpoint="/v1/chat/completions",
        usage=TokenUsage(input_tokens=input_tokens, output_tokens=output_tokens, cache_read_tokens=128),
        cost_usd=Decimal(cost),
        tool_calls=1,
        cassette="tests/cassettes/test_agent/test_plan.yaml",
        **extra,
    )


def make_run(
    costs: dict[str, str] | None = None, prices: PriceSource = PRICES, gate: dict[str, Any] | None = DEFAULT_GATE
) -> RunCost:
    """A small suite: LLM calls, a paid tool call, a test without calls, a skipped one; ``gate=None``
    for a report written before reports recorded their gate settings."""
    costs = costs or {}
    tests = [
        TestCost(
            "tests/test_agent.py::test_plan",
            calls=(llm(costs.get("plan", "0.0012000000")), llm("0.0003000000", 400, 60, streamed=True)),
            location=("tests/test_agent.py", 12),
        ),
        TestCost(
            "tests/test_agent.py::test_search[q|1]",
            calls=(
                llm(costs.get("search", "0.0020000000")),
                CallRecord(kind="tool", host="api.search.example", status=200, cost_usd=Decimal("0.0050000000")),
            ),
            location=("tests/test_agent.py", 30),
        ),
        TestCost("tests/test_agent.py::test_summary", calls=(llm(costs.get("summary", "0.0007000000"), 500, 80),)),
        TestCost("tests/test_util.py::test_no_calls", location=("tests/test_util.py", 3)),
        TestCost("tests/test_util.py::test_skipped", outcome="skipped"),
    ]
    return RunCost(tests={t.nodeid: t for t in tests}, price_source=prices, gate=gate)


def write_run(path: Path, run: RunCost, comparison: dict[str, Any] | None = None) -> Path:
    path.write_text(run_to_json(run, comparison), encoding="utf-8")
    return path


def write_baseline_of(path: Path, run: RunCost) -> Path:
    baseline, _ = update_baseline(None, run, full_run=True)
    path.write_text(dump_baseline(baseline), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    # compare writes annotations and the step summary inside GitHub Actions; the tests pin the plain output.
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


# -- merge --------------------------------------------------------------------------


def shards(tmp_path: Path, run: RunCost, split: int = 2) -> tuple[Path, Path]:
    ids = sorted(run.tests)
    first = RunCost({n: run.tests[n] for n in ids[:split]}, run.price_source, gate=run.gate)
    second = RunCost({n: run.tests[n] for n in ids[split:]}, run.price_source, gate=run.gate)
    # A shard compared with the baseline carries a "comparison"; the merged report does not.
    return write_run(tmp_path / "a.json", first, {"has_baseline": False}), write_run(tmp_path / "b.json", second)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_agentcost import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"agentcost (pytest-agentcost) {__version__}\n"


def test_merge_is_byte_identical_to_one_unsharded_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = make_run()
    a, b = shards(tmp_path, run)
    out = tmp_path / "out" / "all.json"
    assert main(["merge", str(b), str(a), "-o", str(out)]) == 0
    assert out.read_bytes() == run_to_json(run).encode("utf-8")
    assert capsys.readouterr().out == f"agentcost: merged 2 report(s), 5 tests -> {out}\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["all.json"]  # no temp file left behind
    # The same report given twice (an artifact downloaded twice) is one report, and said so.
    assert main(["merge", str(a), str(a), str(b), "-o", str(out)]) == 0
    assert out.read_bytes() == run_to_json(run).encode("utf-8")
    assert capsys.readouterr().out == (
        f"agentcost: merged 2 report(s) (1 the same as another, merged once), 5 tests -> {out}\n"
    )


def test_merge_refuses_another_number_of_shards_than_expected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A shard whose job failed uploads no report: merged as the suite, its tests would be removed.
    a, b = shards(tmp_path, make_run())
    out = tmp_path / "all.json"
    assert main(["merge", str(a), "--expect", "2", "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        "agentcost: error: --expect 2 shard reports, got 1: a shard's report is missing (did its job fail, "
        "or not upload it?); merged as the suite, the tests of the missing shards would read as removed; "
        f"{out} NOT written\n"
    )
    assert not out.exists()
    # The same report twice is one shard; more reports than shards is as wrong as fewer.
    assert main(["merge", str(a), str(a), "--expect", "2", "-o", str(out)]) == 2
    assert "got 1 (1 the same as another): a shard's report is missing" in capsys.readouterr().err
    assert main(["merge", str(a), str(b), "--expect", "1", "-o", str(out)]) == 2
    assert "--expect 1 shard reports, got 2: merged as the suite" in capsys.readouterr().err
    assert not out.exists()
    assert main(["merge", str(a), str(b), "--expect", "2", "-o", str(out)]) == 0


def test_an_empty_shard_and_an_empty_full_run_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Hardening: a shard whose -k matched nothing merged as the suite (--expect counted it), and
    # a full-run update then pruned the entries of the tests it should have held, exit 0.
    a, _ = shards(tmp_path, make_run())
    empty = write_run(tmp_path / "empty.json", RunCost({}, PRICES, gate=DEFAULT_GATE))
    out = tmp_path / "all.json"
    assert main(["merge", str(a), str(empty), "--expect", "2", "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"agentcost: error: {empty} holds no test: did its selection match none? A merge is taken as the whole "
        "suite, so the tests that shard should hold would read as removed; merge the shards that ran tests\n"
    )
    assert not out.exists()
    baseline = write_baseline_of(tmp_path / "baseline.json", make_run())
    before = baseline.read_bytes()
    why = "--full-run takes it for the whole suite, and every baseline entry would read as removed"
    assert main(["update-baseline", str(empty), "--baseline", str(baseline), "--full-run"]) == 2
    assert capsys.readouterr().err == f"agentcost: error: {empty} holds no test: {why}; baseline NOT updated\n"
    assert baseline.read_bytes() == before
    assert main(["compare", str(baseline), str(empty), "--full-run"]) == 2
    assert capsys.readouterr().err == f"agentcost: error: {empty} holds no test: {why}\n"


def test_merge_does_not_write_over_a_baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Hardening: '-o agent-cost-baseline.json' replaced the baseline with a run report, which every
    # later run then refused.
    a, b = shards(tmp_path, make_run())
    baseline = write_baseline_of(tmp_path / "agent-cost-baseline.json", make_run())
    before = baseline.read_bytes()
    assert main(["merge", str(a), str(b), "-o", str(baseline)]) == 2
    assert capsys.readouterr().err == (
        f"agentcost: error: {baseline} is a baseline; write the merged report elsewhere (NOT written)\n"
    )
    assert baseline.read_bytes() == before


def test_merge_accepts_identical_duplicates(tmp_path: Path) -> None:
    run = make_run()
    ids = sorted(run.tests)
    a = write_run(tmp_path / "a.json", RunCost({n: run.tests[n] for n in ids[:3]}, PRICES, gate=DEFAULT_GATE))
    b = write_run(tmp_path / "b.json", RunCost({n: run.tests[n] for n in ids[1:]}, PRICES, gate=DEFAULT_GATE))
    out = tmp_path / "all.json"
    assert main(["merge", str(a), str(b), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == run_to_json(run)


def test_merge_refuses_a_node_id_whose_data_differ(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write_run(tmp_path / "a.json", make_run())
    b = write_run(tmp_path / "b.json", make_run({"search": "0.0030000000"}))
    out = tmp_path / "all.json"
    assert main(["merge", str(a), str(b), "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"agentcost: error: tests/test_agent.py::test_search[q|1] is in {a} and {b} with different data; cannot merge\n"
    )
    assert not out.exists()


def test_merge_refuses_different_price_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write_run(tmp_path / "a.json", make_run())
    other = replace(PRICES, price_date="2026-12-01", overrides="sha256:0123456789abcdef")
    b = write_run(tmp_path / "b.json", make_run(prices=other))
    assert main(["merge", str(a), str(b), "-o", str(tmp_path / "all.json")]) == 2
    assert capsys.readouterr().err == (
        f"agentcost: error: price sources differ: {a} was priced with genai-prices {PRICES.version} at "
        f"2026-11-01 (list rate), {b} with genai-prices {PRICES.version} at 2026-12-01 (list rate) with price file "
        "sha256:0123456789abcdef; run every shard with the same genai-prices, price date and price file\n"
    )


def test_merge_names_how_each_shard_took_prices_that_depend_on_the_hour(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write_run(tmp_path / "a.json", make_run())
    b = write_run(tmp_path / "b.json", make_run(prices=replace(PRICES, time_of_day="")))  # before the list rate
    assert main(["merge", str(a), str(b), "-o", str(tmp_path / "all.json")]) == 2
    err = capsys.readouterr().err
    assert f"at 2026-11-01 (list rate), {b} with genai-prices {PRICES.version} at 2026-11-01 (midnight UTC);" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "{",
            "run report is not valid JSON "
            "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        ),
        (
            "\udcff\udcfe{}",
            "run report is not valid JSON ('utf-8' codec can't decode byte 0xff in position 0: invalid start byte)",
        ),
        ('{"kind": "something-else"}', "not a pytest-agentcost run report (kind 'something-else')"),
        (
            '{"kind": "pytest-agentcost-baseline", "schema_version": 1, "tests": {}}',
            "not a pytest-agentcost run report (kind 'pytest-agentcost-baseline'); it is a baseline (the order is: "
            "agentcost compare BASELINE RUN)",
        ),
        (
            '{"kind": "pytest-agentcost-run", "schema_version": 2, "tests": {}}',
            "schema_version 2 was written by a newer pytest-agentcost; upgrade to read it",
        ),
    ],
)
def test_merge_names_a_bad_run_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    good = write_run(tmp_path / "a.json", make_run())
    bad = tmp_path / "bad.json"
    bad.write_bytes(content.encode("utf-8", "surrogateescape"))
    assert main(["merge", str(good), str(bad), "-o", str(tmp_path / "all.json")]) == 2
    assert capsys.readouterr().err == f"agentcost: error: {bad}: {message}\n"


# -- compare --------------------------------------------------------------------------


def expected_comparison(run: RunCost, baseline_run: RunCost) -> Any:
    baseline, _ = update_baseline(None, baseline_run, full_run=True)
    threshold = Threshold.parse("10%,$0.0001")
    return compare(
        run,
        baseline,
        threshold_for=lambda _: threshold,
        budget_for=lambda _: Budget(),
        total_threshold=None,
        full_run=False,
    )


def test_compare_passes_when_nothing_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = make_run()
    base = write_baseline_of(tmp_path / "baseline.json", run)
    assert main(["compare", str(base), str(write_run(tmp_path / "run.json", run))]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "compared with baseline: 3 unchanged; total $0.0092 -> $0.0092" in out
    assert not [line for line in out if line.startswith("agent cost")]


def test_compare_annotates_what_matters_first_within_githubs_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GitHub shows 10 annotations of a level per step and silently drops the rest, in print order
    # (hardening 4): with 14 regressions, the suite total and the 4 biggest rises were the ones lost.
    def suite(rise: bool) -> RunCost:
        tests = [
            TestCost(
                f"tests/test_a.py::test_{i:02d}",
                calls=(llm(f"{Decimal('0.001') * (Decimal('1.2') + i) if rise else Decimal('0.001'):.10f}"),),
                location=("tests/test_a.py", 10 + i),
            )
            for i in range(14)
        ]
        return RunCost({t.nodeid: t for t in tests}, PRICES, gate={**DEFAULT_GATE, "total_threshold": "10%"})

    base = write_baseline_of(tmp_path / "baseline.json", suite(rise=False))
    run_file = write_run(tmp_path / "run.json", suite(rise=True))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    assert main(["compare", str(base), str(run_file), "--rootdir", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    errors = [line for line in out if line.startswith("::error")]
    assert len(errors) == 10
    assert errors[0].startswith("::error title=agent cost regression%3A suite total::")
    # Then the biggest rises: test_13 rose most.
    assert [e.split("%3A%3A")[1].split("::")[0] for e in errors[1:]] == [f"test_{i:02d}" for i in range(13, 4, -1)]
    assert out[-1] == (
        "::notice title=agent cost%3A more annotations::5 more error annotation(s) not shown: GitHub shows 10 "
        "of each kind per step. The log above and the job summary list every test."
    )
    # Every regression is still in the log.
    assert sum(line.startswith("agent cost FAILED: tests/test_a.py::") for line in out) == 14


def test_compare_says_when_it_cannot_write_the_markdown_or_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The comment job posts what compare wrote: a file it could not write is not a green run.
    run = make_run()
    base = write_baseline_of(tmp_path / "baseline.json", run)
    run_file = write_run(tmp_path / "run.json", run)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for option in ("--markdown", "--json"):
        assert main(["compare", str(base), str(run_file), option, str(blocker / "out")]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"agentcost: error: {blocker / 'out'}: cannot write"), err


def test_compare_fails_on_a_regression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = write_baseline_of(tmp_path / "baseline.json", make_run())
    run_file = write_run(tmp_path / "run.json", make_run({"plan": "0.0024000000"}))
    assert main(["compare", str(base), str(run_file)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert (
        "agent cost FAILED: tests/test_agent.py::test_plan: cost $0.0015 -> $0.0027 (+$0.0012, +80.0%) "
        "over threshold 10% and $0.0001"
    ) in out
    assert not [line for line in out if "suite total" in line]  # as in pytest, the total is not gated unless set


def test_compare_in_warn_mode_reports_and_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = write_baseline_of(tmp_path / "baseline.json", make_run())
    run_file = write_run(tmp_path / "run.json", make_run({"plan": "0.0024000000"}))
    assert main(["compare", str(base), str(run_file), "--mode", "warn"]) == 0
    assert "agent cost warning: tests/test_agent.py::test_plan: cost $0.0015 -> $0.0027" in capsys.readouterr().out


def test_compare_thresholds_come_from_the_options(tmp_path: Path) -> None:
    base = write_baseline_of(tmp_path / "baseline.json", make_run())
    run_file = write_run(tmp_path / "run.json", make_run({"plan": "0.0024000000"}))
    assert main(["compare", str(base), str(run_file), "--threshold", "100%", "--total-threshold", "$0.01"]) == 0
    assert main(["compare", str(base), str(run_file), "--threshold", "50%", "--total-threshold", "$0.01"]) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read baseline: No such file or directory"),
        (
            "{",
            "baseline is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        ),
        (
            '{"schema_version": 9, "tests": {}}',
            "schema_version 9 was written by a newer pytest-agentcost (this one reads 1); upgrade the plugin",
        ),
        ('{"schema_version": 1, "tests": {"t.py::a": {}}}', "tests['t.py::a']: missing cost_usd"),
        (
            # Valid, and more than any writer can hold at 10 places: refused as read.
            '{"schema_version": 1, "tests": {"t.py::a": {"cost_usd": "100000000000000000000"}}}',
            "tests['t.py::a'].cost_usd is too large: '100000000000000000000'",
        ),
    ],
)
def test_compare_rejects_a_bad_baseline_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    base = tmp_path / "baseline.json"
    if content is not None:
        base.write_text(content, encoding="utf-8")
    assert main(["compare", str(base), str(write_run(tmp_path / "run.json", make_run()))]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"agentcost: error: {base}: {message}\n"
    assert captured.out == ""


def test_compare_writes_the_markdown_and_json(tmp_path: Path) -> None:
    base_run = make_run()
    run = make_run({"plan": "0.0024000000", "search": "0.0010000000"})
    base = write_baseline_of(tmp_path / "baseline.json", base_run)
    md = tmp_path / "out" / "comment.md"
    js = tmp_path / "out" / "report.json"
    run_file = write_run(tmp_path / "run.json", run)
    assert main(["compare", str(base), str(run_file), "--markdown", str(md), "--json", str(js)]) == 1
    cmp = expected_comparison(run, base_run)
    assert md.read_text(encoding="utf-8") == render_comment(run, cmp, mode="fail")
    assert json.loads(js.read_text(encoding="utf-8")) == json.loads(json.dumps(run_to_dict(run, cmp.to_dict())))


def test_compare_full_run_reports_removed_tests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base_run = make_run()
    run = RunCost({n: t for n, t in base_run.tests.items() if "summary" not in n}, PRICES, gate=DEFAULT_GATE)
    base = write_baseline_of(tmp_path / "baseline.json", base_run)
    run_file = write_run(tmp_path / "run.json", run)
    assert main(["compare", str(base), str(run_file)]) == 0
    assert "compared with baseline: 1 not-run, 2 unchanged" in capsys.readouterr().out
    assert main(["compare", str(base), str(run_file), "--full-run"]) == 0
    assert "compared with baseline: 1 removed, 2 unchanged" in capsys.readouterr().out


def test_compare_wants_the_price_file_the_run_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = write_baseline_of(tmp_path / "baseline.json", make_run())
    priced = PriceSource(version=PRICES.version, price_date="2026-11-01", overrides="sha256:0123456789abcdef")
    run_file = write_run(tmp_path / "run.json", make_run(prices=priced))
    assert main(["compare", str(base), str(run_file)]) == 2
    assert capsys.readouterr().err == (
        f"agentcost: error: {run_file} was priced with price file sha256:0123456789abcdef, "
        "but --prices gives none; pass the same price file so the baseline is repriced the same way\n"
    )
    # The baseline priced the same way needs no repricing, but stale calls' estimates are priced
    # here: without the run's price file its models' estimates would go, and a failed gate pass.
    same = write_baseline_of(tmp_path / "same.json", make_run(prices=priced))
    assert main(["compare", str(same), str(run_file)]) == 2
    assert capsys.readouterr().err == (
        f"agentcost: error: {run_file} was priced with price file sha256:0123456789abcdef, but --prices gives "
        "none; pass the same price file (--prices PATH), so stale calls' estimates are priced as pytest priced them\n"
    )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--threshold", "ten", "--threshold: 'ten' is neither a percentage ('10%') nor dollars ('$0.002')"),
        ("--total-threshold", "", "--total-threshold: empty; use e.g. '10%', '$0.002' or '10%,$0.0001'"),
        (
            "--threshold",
            "$0.01,$0.02",
            "--threshold: two dollar amounts ('$0.01' and '$0.02'); "
            "give at most one percentage and one dollar amount, e.g. '10%,$0.0001'",
        ),
        ("--runs-per-month", "-3", "--runs-per-month must be a non-negative whole number, not '-3'"),
    ],
)
def test_compare_bad_option_values_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    base = write_baseline_of(tmp_path / "baseline.json", make_run())
    run_file = write_run(tmp_path / "run.json", make_run())
    assert main(["compare", str(base), str(run_file), option, value]) == 2
    assert capsys.readouterr().err == f"agentcost: error: {message}\n"


def test_compare_runs_per_month_must_be_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "b.json", "r.json", "--runs-per-month", "lots"]) == 2
    assert "argument --runs-per-month: invalid int value: 'lots'" in capsys.readouterr().err


def test_compare_markdown_has_the_monthly_projection(tmp_path: Path) -> None:
    base = write_baseline_of(tmp_path / "baseline.json", make_run())
    run_file = write_run(tmp_path / "run.json", make_run({"plan": "0.0024000000"}))
    md = tmp_path / "comment.md"
    assert main(["compare", str(base), str(run_file), "--markdown", str(md), "--runs-per-month", "1000"]) == 1
    assert "- monthly projection: +$1.2000 a month (usage change × 1,000 runs a month)\n" in md.read_text("utf-8")


# -- update-baseline --------------------------------------------------------------------


def test_update_baseline_writes_then_keeps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = make_run()
    run_file = write_run(tmp_path / "run.json", run)
    target = tmp_path / "agent-cost-baseline.json"
    assert main(["update-baseline", str(run_file), "--baseline", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == dump_baseline(update_baseline(None, run, full_run=False)[0])
    assert capsys.readouterr().out == (
        f"baseline created: {target} (3 written, 0 pruned, 0 failed not written, 3 entries)\n"
    )
    assert main(["update-baseline", str(run_file), "--baseline", str(target)]) == 0
    assert capsys.readouterr().out == (
        f"baseline unchanged: {target} (3 written, 0 pruned, 0 failed not written, 3 entries)\n"
    )


def test_update_baseline_full_run_prunes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "baseline.json"
    old = Baseline(
        tests={"tests/test_gone.py::test_old": BaselineEntry(cost_usd=Decimal("0.5"), llm_calls=1)},
        price_source=PRICES,
    )
    target.write_text(dump_baseline(old), encoding="utf-8")
    run_file = write_run(tmp_path / "run.json", make_run())
    assert main(["update-baseline", str(run_file), "--baseline", str(target)]) == 0
    assert "(3 written, 0 pruned, 0 failed not written, 4 entries)" in capsys.readouterr().out
    assert main(["update-baseline", str(run_file), "--baseline", str(target), "--full-run"]) == 0
    assert "(3 written, 1 pruned, 0 failed not written, 3 entries)" in capsys.readouterr().out
    assert "tests/test_gone.py::test_old" not in target.read_text(encoding="utf-8")


def test_update_baseline_says_when_it_reprices_with_another_genai_prices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The run was priced with an older genai-prices: the kept entry is repriced with the
    # installed one, and the command says so, as compare does.
    target = write_baseline_of(tmp_path / "baseline.json", make_run())
    older = replace(PRICES, version="0.0.1")
    ids = sorted(make_run().tests)
    run = make_run(prices=older)
    part = RunCost({ids[0]: run.tests[ids[0]]}, older, gate=DEFAULT_GATE)
    run_file = write_run(tmp_path / "run.json", part)
    assert main(["update-baseline", str(run_file), "--baseline", str(target)]) == 0
    assert capsys.readouterr().err == (
        f"agentcost: note: {run_file} was priced with genai-prices 0.0.1, the entries kept are repriced with "
        f"the installed {PRICES.version}\n"
    )


def test_update_baseline_defaults_to_the_plugin_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write_run(tmp_path / "run.json", make_run())
    assert main(["update-baseline", "run.json"]) == 0
    assert (tmp_path / "agent-cost-baseline.json").is_file()
    assert capsys.readouterr().out.startswith("baseline created: agent-cost-baseline.json (3 written")


# -- usage, delegation ----------------------------------------------------------------------


def test_help_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("merge", "compare", "update-baseline", "scan", "comment"):
        assert command in out
    assert main(["frobnicate"]) == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
    assert main(["merge", "a.json"]) == 2
    assert "the following arguments are required: -o/--output" in capsys.readouterr().err


@pytest.mark.parametrize("command", sorted({*cli._COMMANDS, *cli._DELEGATED}))
def test_every_subcommand_help_prints_and_exits_0(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    # argparse %-formats each help string only when --help prints it: a stray '%' crashes here.
    assert main([command, "--help"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"usage: agentcost {command} ")
    assert err == ""


@pytest.mark.parametrize(
    ("command", "module", "function"),
    [
        ("scan", "pytest_agentcost.scan", "main"),
        ("comment", "pytest_agentcost.github_api", "comment_main"),
    ],
)
def test_scan_and_comment_are_delegated(
    monkeypatch: pytest.MonkeyPatch, command: str, module: str, function: str
) -> None:
    seen: list[list[str]] = []

    def fake(argv: list[str]) -> int:
        seen.append(argv)
        return 3

    fake_module = types.ModuleType(module)
    setattr(fake_module, function, fake)
    monkeypatch.setitem(sys.modules, module, fake_module)
    assert main([command, "--flag", "x"]) == 3
    assert seen == [["--flag", "x"]]


def test_a_missing_delegate_is_one_clean_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pytest_agentcost.scan", None)
    assert main(["scan", "cassettes"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("agentcost: error: 'scan' is not available in this installation (pytest_agentcost.scan: ")
    assert err.count("\n") == 1


def test_real_process_merge_and_compare_without_pytest(tmp_path: Path) -> None:
    run = make_run()
    a, b = shards(tmp_path, run, split=3)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GITHUB_ACTIONS", None)
    out = tmp_path / "all.json"
    merged = subprocess.run(
        [sys.executable, "-m", "pytest_agentcost.cli", "merge", str(a), str(b), "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=tmp_path,
    )
    assert (merged.returncode, merged.stderr) == (0, "")
    assert out.read_bytes() == run_to_json(run).encode("utf-8")
    # The CLI must work where pytest is not importable at all.
    base = write_baseline_of(tmp_path / "baseline.json", make_run({"plan": "0.0001000000"}))
    script = (
        "import sys; sys.modules['pytest'] = None\n"
        "from pytest_agentcost.cli import main\n"
        f"sys.exit(main(['compare', {str(base)!r}, {str(out)!r}]))\n"
    )
    compared = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False, cwd=tmp_path
    )
    assert (compared.returncode, compared.stderr) == (1, "")
    assert "agent cost FAILED: tests/test_agent.py::test_plan:" in compared.stdout


def test_compare_reprices_a_baseline_of_other_prices(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old_prices = replace(PRICES, price_date="2025-01-01")
    base = write_baseline_of(tmp_path / "baseline.json", make_run(prices=old_prices))
    other_version = replace(PRICES, version="0.0.1")
    run_file = write_run(tmp_path / "run.json", make_run(prices=other_version))
    status = main(["compare", str(base), str(run_file), "--json", str(tmp_path / "out.json")])
    captured = capsys.readouterr()
    assert status in (0, 1)  # the verdict follows genai-prices' data; the lines below are what is pinned
    assert captured.err == (
        f"agentcost: note: {run_file} was priced with genai-prices 0.0.1, "
        f"the baseline is repriced with the installed {genai_prices.__version__}\n"
    )
    # "prices changed" when a compared test's cost moved with the prices, else "price source changed".
    tests = json.loads((tmp_path / "out.json").read_text())["comparison"]["tests"].values()
    moved = any(t["price_delta_usd"] not in (None, "0.0000000000") for t in tests)
    sources = f"changed: baseline genai-prices {PRICES.version} at 2025-01-01, now genai-prices 0.0.1 at 2026-11-01; "
    expected = (
        f"prices {sources}price effects are reported apart from usage"
        if moved
        else f"price source {sources}no compared test's cost moved with it"
    )
    assert expected in captured.out.splitlines()


def test_a_delegate_raising_agent_cost_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pytest_agentcost.errors import AgentCostError

    def fails(argv: list[str]) -> int:
        raise AgentCostError("no cassettes under x")

    def usage(argv: list[str]) -> int:
        raise SystemExit(2)

    fake = types.ModuleType("pytest_agentcost.scan")
    fake.main = fails  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pytest_agentcost.scan", fake)
    assert main(["scan", "x"]) == 2
    assert capsys.readouterr().err == "agentcost scan: error: no cassettes under x\n"
    fake.main = usage  # type: ignore[attr-defined]
    assert main(["scan", "--bogus"]) == 2


def test_merge_reports_an_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write_run(tmp_path / "a.json", make_run())
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert main(["merge", str(a), "-o", str(blocker / "all.json")]) == 2
    assert capsys.readouterr().err.startswith(f"agentcost: error: {blocker / 'all.json'}: cannot write: ")


def test_compare_says_when_the_run_took_hour_dependent_prices_at_midnight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write_baseline_of(tmp_path / "baseline.json", make_run())
    run_file = write_run(tmp_path / "run.json", make_run(prices=replace(PRICES, time_of_day="")))
    main(["compare", str(base), str(run_file)])
    assert capsys.readouterr().err == (
        f"agentcost: note: {run_file} took prices that depend on the hour at midnight UTC; the baseline is "
        "repriced at the list rate, so rerun pytest --agent-cost for a like-for-like comparison\n"
    )


# -- gate settings through merge ------------------------------------------------------------

GATE = {
    "fail_unpriced": False,
    "gate_estimates": False,
    "mode": "fail",
    "runs_per_month": None,
    "stale": "warn",
    "threshold": "25%",
    "total_threshold": None,
}


def test_merge_keeps_the_gate_settings_the_shards_share(tmp_path: Path) -> None:
    run = replace(make_run(), gate=GATE)
    ids = sorted(run.tests)
    a = write_run(tmp_path / "a.json", RunCost({n: run.tests[n] for n in ids[:2]}, PRICES, gate=GATE))
    b = write_run(tmp_path / "b.json", RunCost({n: run.tests[n] for n in ids[2:]}, PRICES, gate=GATE))
    out = tmp_path / "all.json"
    assert main(["merge", str(a), str(b), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == run_to_json(run)


def test_merge_refuses_shards_run_with_other_gate_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = make_run()
    ids = sorted(run.tests)
    other = {**GATE, "mode": "warn", "total_threshold": "5%"}
    a = write_run(tmp_path / "a.json", RunCost({n: run.tests[n] for n in ids[:2]}, PRICES, gate=GATE))
    b = write_run(tmp_path / "b.json", RunCost({n: run.tests[n] for n in ids[2:]}, PRICES, gate=other))
    old = write_run(tmp_path / "old.json", RunCost({n: run.tests[n] for n in ids[2:]}, PRICES))
    out = tmp_path / "all.json"
    assert main(["merge", str(a), str(b), "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"agentcost: error: gate settings differ: mode fail in {a}, warn in {b}; total_threshold off in {a}, "
        f"5% in {b}; run every shard with the same agent_cost_* options and ini values\n"
    )
    assert main(["merge", str(old), str(a), "-o", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"agentcost: error: gate settings differ: {a} records them, {old} does not (written by an older "
        "pytest-agentcost); run every shard with the same agent_cost_* options and ini values\n"
    )
    assert not out.exists()


# -- gate settings in compare: the run's, unless an option says otherwise -------------------


def _compare_out(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    status = main(["compare", *args])
    captured = capsys.readouterr()
    failed = [line for line in captured.out.splitlines() if line.startswith("agent cost ")]
    return status, failed, captured.err


def test_compare_gates_with_the_settings_the_run_recorded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = write_baseline_of(tmp_path / "baseline.json", make_run())
    # test_plan $0.0015 -> $0.0027 (+80%); the total $0.0092 -> $0.0104 (+$0.0012, +13%).
    recorded = {**DEFAULT_GATE, "threshold": "100%", "total_threshold": "$0.0005"}
    run_file = write_run(tmp_path / "run.json", make_run({"plan": "0.0024000000"}, gate=recorded))
    assert _compare_out([str(base), str(run_file)], capsys) == (
        1,
        [
            "agent cost FAILED: suite total over threshold $0.0005: $0.0092 -> $0.0104"
            " (+$0.0012, +13.0%) over 3 compared tests"
        ],
        "",
    )
    # The project's threshold is what a marker's threshold leaves out comes from, as in pytest.
    marked = replace(
        make_run({"plan": "0.0024000000"}, gate={**DEFAULT_GATE, "threshold": "$0.01"}),
        markers={"tests/test_agent.py::test_plan": {"threshold": "50%"}},
    )
    status, failed, _ = _compare_out([str(base), str(write_run(tmp_path / "marked.json", marked))], capsys)
    assert (status, failed) == (0, [])  # +80% is over 50%, but +$0.0012 is not over $0.01
    warn_file = write_run(tmp_path / "warn.json", make_run({"plan": "0.0024000000"}, gate={**recorded, "mode": "warn"}))
    assert _compare_out([str(base), str(warn_file)], capsys) == (
        0,
        [
            "agent cost warning: suite total over threshold $0.0005: $0.0092 -> $0.0104"
            " (+$0.0012, +13.0%) over 3 compared tests"
        ],
        "",
    )


def test_compare_options_override_the_recorded_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = write_baseline_of(tmp_path / "baseline.json", make_run())
    recorded = {**DEFAULT_GATE, "threshold": "100%", "total_threshold": "$0.0005", "mode": "warn"}
    run_file = write_run(tmp_path / "run.json", make_run({"plan": "0.0024000000"}, gate=recorded))
    status, failed, _ = _compare_out([str(base), str(run_file), "--threshold", "50%", "--mode", "fail"], capsys)
    assert status == 1
    assert failed[0].startswith("agent cost FAILED: tests/test_agent.py::test_plan: cost $0.0015 -> $0.0027")
    assert failed[1:] == [
        "agent cost FAILED: suite total over threshold $0.0005: $0.0092 -> $0.0104"
        " (+$0.0012, +13.0%) over 3 compared tests"
    ]
    assert _compare_out([str(base), str(run_file), "--mode=fail", "--total-threshold", "off"], capsys) == (0, [], "")
    # --json records the settings this comparison used, not the run's.
    out = tmp_path / "again.json"
    assert main(["compare", str(base), str(run_file), "--total-threshold=OFF", "--json", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["gate"] == {**recorded, "total_threshold": None}


def test_compare_turns_recorded_switches_off_with_no_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = make_run(gate={**DEFAULT_GATE, "fail_unpriced": True})
    unpriced = TestCost("tests/test_agent.py::test_new_model", calls=(llm_record(model="gpt-next", cost_usd=None),))
    run = replace(run, tests={**run.tests, unpriced.nodeid: unpriced})
    base = write_baseline_of(tmp_path / "baseline.json", make_run())
    run_file = write_run(tmp_path / "run.json", run)
    assert _compare_out([str(base), str(run_file)], capsys)[:2] == (
        1,
        ["agent cost FAILED: unpriced calls (--agent-cost-fail-unpriced)"],
    )
    assert _compare_out([str(base), str(run_file), "--no-fail-unpriced"], capsys)[:2] == (0, [])


def test_compare_takes_the_recorded_stale_policy_and_gating_on_estimates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # test_plan replays a cassette whose request grew by 100,000 input tokens since it was
    # recorded: the replay costs what the baseline does, the estimate of a re-recording far more.
    drift = {"changes": ["system prompt changed"], "input_token_delta": 100_000}
    run = make_run()
    plan = run.tests["tests/test_agent.py::test_plan"]
    stale = replace(plan, calls=(replace(plan.calls[0], drift=drift), *plan.calls[1:]))
    base = write_baseline_of(tmp_path / "baseline.json", run)

    def compared(**gate: Any) -> tuple[int, list[str]]:
        recorded = replace(run, tests={**run.tests, stale.nodeid: stale}, gate={**DEFAULT_GATE, **gate})
        return _compare_out([str(base), str(write_run(tmp_path / "run.json", recorded))], capsys)[:2]

    assert compared() == (0, [])
    assert compared(stale="fail")[0] == 1
    status, failed = compared(gate_estimates=True)
    assert status == 1
    assert failed[0].startswith(
        "agent cost FAILED: tests/test_agent.py::test_plan: estimated cost if re-recorded $0.0015 -> $0.0155"
    )


def test_compare_of_a_run_file_without_gate_settings_states_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = write_baseline_of(tmp_path / "baseline.json", make_run())
    run_file = write_run(tmp_path / "run.json", make_run({"plan": "0.0024000000"}, gate=None))
    note = (
        f"agentcost: note: {run_file} does not record the gate settings its run used (written by an older "
        "pytest-agentcost); using the defaults "
    )
    status, failed, err = _compare_out([str(base), str(run_file)], capsys)
    assert (status, err) == (
        1,
        note + "--threshold 10%,$0.0001, --total-threshold off, --mode fail, --stale warn, --no-fail-unpriced, "
        "--no-gate-estimates\n",
    )
    assert len(failed) == 1  # test_plan; the total is not gated, as pytest's default
    status, failed, err = _compare_out(
        [
            str(base),
            str(run_file),
            "--threshold=100%",
            "--total-threshold=5%",
            "--mode=warn",
            "--stale=warn",
            "--no-fail-unpriced",
            "--gate-estimates",
        ],
        capsys,
    )
    assert (status, err) == (0, "")  # every one given: nothing taken by default
    assert failed == [
        "agent cost warning: suite total over threshold 5%: $0.0092 -> $0.0104 (+$0.0012, +13.0%) over 3 compared tests"
    ]
    status, _, err = _compare_out([str(base), str(run_file), "--total-threshold=off", "--mode=fail"], capsys)
    assert err == note + "--threshold 10%,$0.0001, --stale warn, --no-fail-unpriced, --no-gate-estimates\n"


def test_compare_help_states_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: the run's, else 10%,$0.0001)" in text
    assert "threshold on the suite total, or 'off' (default: the run's, else off)" in text
    assert "(default: the run's, else fail)" in text


def test_an_interrupted_command_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Hardening: Ctrl-C printed a KeyboardInterrupt traceback.
    import pytest_agentcost.cli as cli

    def interrupted(args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setitem(cli._COMMANDS, "merge", interrupted)
    assert main(["merge", "a.json", "-o", "b.json"]) == 130
    assert capsys.readouterr().err == "agentcost: interrupted\n"
