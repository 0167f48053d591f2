"""Money and percentages as people read them in the table, the comment and the annotations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pytest_agentcost.render._format import money, percent, signed_money


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("0", "$0"),
        ("1.5", "$1.5000"),
        ("0.0123", "$0.0123"),
        ("0.0021", "$0.0021"),
        ("0.00175", "$0.00175"),
        ("0.0002832", "$0.000283"),
        ("0.00123456", "$0.001235"),
        # Below a millionth of a dollar: never rounded away to "$0.0000".
        ("0.00000315", "$0.00000315"),
        ("0.00000002", "$0.00000002"),
        ("0.0000004512345", "$0.000000451"),
        ("0.0000000001", "$0.0000000001"),
    ],
)
def test_money(value: str, shown: str) -> None:
    assert money(Decimal(value)) == shown


def test_a_non_zero_cost_never_reads_as_zero() -> None:
    for exponent in range(2, 13):
        tiny = Decimal(1).scaleb(-exponent)
        assert money(tiny).strip("$0.") != "", money(tiny)
        assert signed_money(-tiny).startswith("-$0.")


def test_unpriced_signs_and_percent() -> None:
    assert money(None) == "unpriced"
    assert signed_money(None) == "n/a"
    assert signed_money(Decimal("0.0015")) == "+$0.0015"
    assert signed_money(Decimal("-0.00000002")) == "-$0.00000002"
    assert percent(Decimal("71.43")) == "+71.4%"
    assert percent(None) == "n/a"


def test_a_long_node_id_is_cut_in_the_middle_for_the_terminal() -> None:
    from pytest_agentcost.render._format import shown_id

    short = "tests/test_a.py::test_task[v1]"
    assert shown_id(short) == short
    long = "tests/test_a.py::test_task[" + "a prompt that goes on " * 150 + "and ends here]"
    shown = shown_id(long)
    assert len(shown) == 100
    assert shown.startswith("tests/test_a.py::test_task[a prompt")
    assert shown.endswith("and ends here]")
    assert "..." in shown
    assert shown_id("x" * 100) == "x" * 100
    assert len(shown_id("x" * 101)) == 100


def test_the_terminal_table_shows_a_long_id_cut() -> None:
    from pytest_agentcost.models import PriceSource, RunCost, TestCost
    from pytest_agentcost.render.terminal import cost_table_lines
    from tests.conftest import llm_record

    long = "tests/test_a.py::test_task[" + "x" * 3000 + "]"
    run = RunCost(
        tests={long: TestCost(long, calls=(llm_record(cost_usd=Decimal("0.01")),))},
        price_source=PriceSource("genai-prices", "0", "2026-11-01"),
    )
    lines = cost_table_lines(run)
    assert max(len(line) for line in lines) < 250
    assert any("tests/test_a.py::test_task[xxx" in line and "xxx]" in line for line in lines)


def test_the_comparison_table_shows_a_long_id_cut() -> None:
    # Review 48: only the cost table's ids were checked.
    from pytest_agentcost.diff import Comparison, TestDiff
    from pytest_agentcost.gate import comparison_lines

    long = "tests/test_a.py::test_task[" + "x" * 3000 + "]"
    diff = TestDiff(long, "regressed", Decimal("0.01"), Decimal("0.02"), Decimal("0.01"), Decimal(0), "10%")
    cmp = Comparison((diff,), Decimal("0.01"), Decimal("0.02"), "off", False)
    lines = comparison_lines(cmp, "fail")
    rows = [line for line in lines if line.startswith("tests/test_a.py::test_task[")]
    assert rows, lines
    assert all(len(line) < 400 for line in rows), [len(line) for line in rows]
