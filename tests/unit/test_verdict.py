"""The verdict column of the terminal's comparison table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pytest_agentcost.diff import TestDiff
from pytest_agentcost.gate import _notes, verdict


@pytest.mark.parametrize(
    ("status", "budget", "delta", "shown"),
    [
        ("regressed", ("cost $0.0021 over max_usd $0.0010",), "0.0015", "regressed"),
        ("unchanged", ("cost $0.0021 over max_usd $0.0010",), "0", "over budget"),
        ("new", ("2 LLM calls over max_llm_calls 1",), None, "over budget"),
        ("unchanged", ("stale cassette: tools changed since it was recorded; re-record it",), "0", "stale"),
        ("unchanged", (), "0.00005", "within threshold"),
        ("unchanged", (), "0", "unchanged"),
        ("improved", (), "-0.001", "improved"),
    ],
)
def test_the_verdict_column_says_why(status: str, budget: tuple[str, ...], delta: str | None, shown: str) -> None:
    base = None if delta is None else Decimal("0.0021")
    current = Decimal("0.0021") + Decimal(delta or 0)
    assert verdict(TestDiff("t.py::task", status, baseline_usd=base, current_usd=current, budget=budget)) == shown


@pytest.mark.parametrize(
    ("budget", "why"),
    [
        # Failed for it: the violation names the change, once.
        (
            ("stale cassette: tools changed, model gpt-4o -> gpt-4.1 since it was recorded; re-record it",),
            "stale cassette: tools changed, model gpt-4o -> gpt-4.1 since it was recorded; re-record it",
        ),
        ((), "stale: tools changed; model gpt-4o -> gpt-4.1"),
    ],
    ids=["stale-fails", "stale-warns"],
)
def test_the_why_column_names_a_stale_change_once(budget: tuple[str, ...], why: str) -> None:
    diff = TestDiff(
        "t.py::task",
        "unchanged",
        baseline_usd=Decimal(1),
        current_usd=Decimal(1),
        budget=budget,
        stale=("tools changed", "model gpt-4o -> gpt-4.1"),
    )
    assert _notes(diff) == why


def test_a_long_why_is_cut_by_whole_reasons_and_keeps_the_estimate() -> None:
    reasons = tuple(f"+{n},000 input tokens on model-{n}" for n in range(1, 9))
    diff = TestDiff(
        "t.py::task",
        "regressed",
        baseline_usd=Decimal("0.001"),
        current_usd=Decimal("0.002"),
        reasons=reasons,
        stale=("messages +2",),
        estimated_now_usd=Decimal("0.00979"),
    )
    full = _notes(diff)
    assert full == "; ".join((*reasons, "stale: messages +2", "~$0.00979 if re-recorded"))
    cut = _notes(diff, 160)
    assert len(full) > 160 >= len(cut)
    assert cut.endswith("; ...; ~$0.00979 if re-recorded")
    kept = cut.removesuffix("; ...; ~$0.00979 if re-recorded").split("; ")
    assert kept == list(reasons[: len(kept)])  # whole reasons, in order
    assert _notes(diff, len(full)) == full


def test_a_first_reason_longer_than_the_column_is_cut_not_dropped() -> None:
    violation = "stale cassette: " + ", ".join(f"messages[{n}] changed" for n in range(12)) + "; re-record it"
    diff = TestDiff(
        "t.py::task",
        "unchanged",
        baseline_usd=Decimal(1),
        current_usd=Decimal(1),
        budget=(violation,),
        estimated_now_usd=Decimal("0.00979"),
    )
    cut = _notes(diff, 160)
    assert len(cut) == 160
    assert cut.startswith("stale cassette: messages[0] changed, messages[1] changed")
    assert cut.endswith("...; ~$0.00979 if re-recorded")  # the estimate is never cut into
    no_estimate = _notes(TestDiff("t.py::task", "unchanged", Decimal(1), Decimal(1), budget=(violation,)), 160)
    assert (len(no_estimate), no_estimate[-3:]) == (160, "...")


def test_the_rerecord_advice_names_a_few_stale_tests_it_can_select() -> None:
    from pytest_agentcost.gate import RERECORD, rerecord_advice

    assert rerecord_advice(["tests/t.py::test_a", "tests/t.py::test_b[gpt 4]"]).startswith(
        "pytest-recording: pytest --agent-cost --record-mode=rewrite tests/t.py::test_a 'tests/t.py::test_b[gpt 4]'; "
    )
    assert rerecord_advice([f"t.py::test_{n}" for n in range(4)]) == RERECORD  # many: a -k is the user's to write
    assert rerecord_advice(["t.py::test_a", "t.py::agent [module fixture]"]) == RERECORD  # no id to select


def test_the_rerecord_advice_names_a_few_cassette_files_to_delete_from_where_pytest_ran() -> None:
    from pathlib import Path

    from pytest_agentcost.gate import RERECORD, rerecord_advice

    files = ["cassettes/t/test_b.yaml", "cassettes/t/test a.yaml", "cassettes/t/test_b.yaml"]
    assert "; vcrpy: delete 'cassettes/t/test a.yaml' cassettes/t/test_b.yaml, record with" in rerecord_advice(
        ["t.py::test_a"], cassettes=files
    )
    # A fixture's entry names no test to select, and its cassette still is one to delete.
    fixture = rerecord_advice(["t.py::agent [module fixture]"], cassettes=["cassettes/setup.yaml"])
    assert fixture == RERECORD.replace("delete the cassette,", "delete cassettes/setup.yaml,")
    many = [f"cassettes/{n}.yaml" for n in range(4)]
    assert rerecord_advice(["t.py::test_a"], cassettes=many).endswith(RERECORD.split("; ", 1)[1])
    # Run from a package's folder under the rootdir: both as pytest and a shell take them there.
    here = rerecord_advice(
        ["pkg/tests/t.py::test_a"],
        cassettes=["pkg/tests/cassettes/t/test_a.yaml"],
        rootdir=Path("/repo"),
        invocation_dir=Path("/repo/pkg"),
    )
    assert "--record-mode=rewrite tests/t.py::test_a; vcrpy: delete tests/cassettes/t/test_a.yaml," in here


def test_annotations_put_first_the_rises_the_gate_judged_not_the_recorded_deltas() -> None:
    # GitHub shows 10 annotations of a level: the biggest rises must be among them. Sorted by the
    # recorded delta, a new test $5 over its budget (no delta), a stale test gated on its estimate
    # (+$1, its replay unchanged) and a rise of usage under a price cut (+$0.50, its recorded cost
    # down) came after ten rises of cents, and GitHub dropped them.
    from pytest_agentcost.diff import Comparison
    from pytest_agentcost.gate import _annotations
    from pytest_agentcost.models import RunCost

    cent = Decimal("0.01")
    rises = [
        TestDiff(
            f"t.py::test_{i}",
            "regressed",
            baseline_usd=cent,
            current_usd=cent * (i + 2),
            usage_delta_usd=cent * (i + 1),
        )
        for i in range(10)
    ]
    new = TestDiff("t.py::test_new", "new", current_usd=Decimal(5), budget=("cost $5.00 over max_usd $0.10",))
    estimated = TestDiff(
        "t.py::test_estimated",
        "regressed",
        baseline_usd=cent,
        current_usd=cent,
        estimated_now_usd=cent + 1,
        gated_on_estimate=True,
        usage_delta_usd=Decimal(1),
    )
    repriced = TestDiff(
        "t.py::test_repriced",
        "regressed",
        baseline_usd=Decimal(1),
        current_usd=Decimal("0.9"),
        usage_delta_usd=Decimal("0.5"),
        price_delta_usd=Decimal("-0.6"),
    )
    cmp = Comparison((*rises, repriced, estimated, new), None, None, "off", False)
    shown = [a.split("%3A%3A", 1)[1].split("::")[0] for a in _annotations(cmp, RunCost({}), "fail") if "%3A%3A" in a]
    assert shown == ["test_new", "test_estimated", "test_repriced", *(f"test_{i}" for i in range(9, 2, -1))]


def test_a_test_on_another_drive_than_the_run_is_named_by_its_full_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows: `pytest --rootdir D:\repo D:\repo\tests` run from C:\work. os.path.relpath raises
    # ValueError across drives, which ended the run's report; pytest's own bestrelpath gives the
    # full path then.
    import ntpath
    import os
    from pathlib import Path, PurePath, PureWindowsPath

    from pytest_agentcost import gate

    def relpath(path: PurePath, start: PurePath) -> str:
        return ntpath.relpath(str(PureWindowsPath(path)), str(PureWindowsPath(start)))

    monkeypatch.setattr(gate.os.path, "relpath", relpath)
    named = gate.cwd_relative_nodeid("tests/t.py::test_a", Path("D:/repo"), Path("C:/work"))
    assert named == str(Path("D:/repo", "tests/t.py")).replace(os.sep, "/") + "::test_a"


def test_the_cassettes_to_delete_are_those_of_the_stale_calls_only() -> None:
    # A test that replays two cassettes, one of them stale: deleting the other would lose a
    # recording that still answers the request sent now.
    from pytest_agentcost.gate import _stale_cassettes
    from pytest_agentcost.models import RunCost, TestCost
    from tests.conftest import llm_record

    drift = {"changes": ["message 1 (user) +6 characters"]}
    test = TestCost(
        "t.py::test_a",
        calls=(
            llm_record(cassette="cassettes/t/fresh.yaml"),
            llm_record(cassette="cassettes/t/stale.yaml", drift=drift),
            llm_record(cassette=None, drift=drift),
        ),
    )
    assert _stale_cassettes(RunCost({test.nodeid: test}), [test.nodeid]) == ["cassettes/t/stale.yaml"]
