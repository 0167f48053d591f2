"""The JSON run report: streamed pieces equal the one-shot text, and it round-trips."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pytest_agentcost.models import CallRecord, PriceSource, RunCost, TestCost, TokenUsage
from pytest_agentcost.report import iter_run_json, run_from_dict, run_to_dict, run_to_json
from tests.conftest import llm_record


def _run(n: int) -> RunCost:
    tests = {}
    for i in range(n):
        call = llm_record(
            usage=TokenUsage(100 + i, 10),
            cost_usd=Decimal("0.0000210") * (i + 1),
        )
        tool = CallRecord(kind="tool", host="api.search.example", status=200, cost_usd=Decimal("0.005"))
        tests[f"t.py::test_{i}[ü|{i}]"] = TestCost(f"t.py::test_{i}[ü|{i}]", calls=(call, tool), location=("t.py", i))
    return RunCost(tests=tests, price_source=PriceSource(version="0.2.3", price_date="2026-11-01"))


@pytest.mark.parametrize("n", [0, 1, 3])
@pytest.mark.parametrize("comparison", [None, {"has_baseline": False, "tests": {}}])
def test_streamed_report_is_the_report_dict(n: int, comparison: dict[str, object] | None) -> None:
    import json

    from pytest_agentcost.report import report_to_json

    run = _run(n)
    streamed = "".join(iter_run_json(run, comparison))
    # Two independent paths: streaming from the run, and formatting the dict form.
    assert streamed == report_to_json(run_to_dict(run, comparison))
    assert json.loads(streamed) == run_to_dict(run, comparison)
    assert streamed.startswith('{\n  "schema_version": 1,\n')
    assert streamed.endswith("}\n")


def test_report_round_trips() -> None:
    run = _run(3)
    again = run_from_dict(run_to_dict(run))
    assert run_to_json(again) == run_to_json(run)


def test_report_dict_and_streamed_text_agree() -> None:
    import json

    from pytest_agentcost.report import report_to_json

    run = _run(3)
    comparison = {"has_baseline": True, "tests": {"t.py::test_1[ü|1]": {"status": "new"}}, "counts": {"new": 1}}
    text = run_to_json(run, comparison)
    assert json.loads(text) == run_to_dict(run, comparison)
    assert report_to_json(run_to_dict(run, comparison)) == text
    assert text.startswith('{\n  "schema_version": 1,\n')
