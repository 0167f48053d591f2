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
