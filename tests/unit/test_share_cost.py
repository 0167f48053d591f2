"""How a call priced per iteration shares its cost among its iterations: exact sums at the
money's ten places, no share below zero or more than a quantum from its part."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vcr.request import Request

from pytest_agentcost.accounting import Accountant
from pytest_agentcost.interaction import from_vcr
from pytest_agentcost.models import CallRecord, IterationCost, TokenUsage, share_cost
from pytest_agentcost.pricing import Pricer

QUANTUM = Decimal("1e-10")


def _parts(*costs: str | None) -> tuple[IterationCost, ...]:
    return tuple(IterationCost(None, TokenUsage(), None if c is None else Decimal(c)) for c in costs)


def test_shares_that_round_up_leave_none_below_zero() -> None:
    # Review 41: each rounded on its own, the last part took the remainder: -1e-10, which the
    # report then could not read back.
    shares = [p.cost_usd for p in share_cost(_parts("0.00000000015", "0.00000000015", "0"), Decimal("3e-10"))]
    assert shares == [Decimal("2e-10"), Decimal("1e-10"), Decimal(0)]


@given(
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=20),
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=10, max_value=14),
)
def test_shares_sum_to_the_cost_each_within_a_quantum_of_its_part(units: list[int], hooked: int, places: int) -> None:
    listed = [Decimal(u).scaleb(-places) for u in units]
    for cost in (sum(listed, Decimal(0)), Decimal(hooked).scaleb(-places)):
        shares = [p.cost_usd for p in share_cost(_parts(*map(str, listed)), cost)]
        quantized = cost.quantize(QUANTUM)
        assert sum(s for s in shares if s is not None) == quantized
        assert all(s is not None and s >= 0 and s == s.quantize(QUANTUM) for s in shares)
        total = sum(listed, Decimal(0))
        if total:
            assert all(
                abs(s - quantized * c / total) < QUANTUM for s, c in zip(shares, listed, strict=True) if s is not None
            )


def test_the_shares_of_a_call_read_back_from_json_as_written() -> None:
    parts = share_cost(_parts("0.0000000001234", "0.0000000002345", "0.0131400000049"), Decimal("0.01314000004"))
    record = CallRecord(kind="llm", host="h", status=200, cost_usd=Decimal("0.0131400000"), iterations=parts)
    assert CallRecord.from_dict(json.loads(json.dumps(record.to_dict()))) == record


@pytest.mark.parametrize(("returned", "cost"), [(2, "2"), (0.25, "0.25"), ("0.5", None), (float("nan"), None)])
def test_a_hooks_price_that_is_no_decimal(returned: object, cost: str | None) -> None:
    # A number in another type is the money it says; anything else leaves the call unpriced.
    body = {
        "id": "m",
        "type": "message",
        "model": "claude-sonnet-4-6",
        "content": [],
        "usage": {"input_tokens": 9, "output_tokens": 1},
    }
    response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": json.dumps(body)}}
    request = Request("POST", "https://api.anthropic.com/v1/messages", b"{}", {})
    record = Accountant(Pricer(), price_hook=lambda call: returned)(from_vcr(request, response), None, None)
    assert record.cost_usd == (None if cost is None else Decimal(cost))
    if cost is None:
        why = "not a Decimal" if isinstance(returned, str) else "not a finite amount"  # nan: said as returned
        assert any(f"returned {returned!r}, {why}; the call is unpriced" in w for w in record.warnings)
