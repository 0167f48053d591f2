"""The JSON run report: streamed pieces equal the one-shot text, and it round-trips."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_the_price_source_keeps_how_hour_dependent_prices_were_taken() -> None:
    now = PriceSource(version="0.2.3", price_date="2026-11-01", time_of_day="list rate")
    assert PriceSource.from_dict(now.to_dict()) == now
    # A file from before the list rate has no key: it reads as another price source, so it is repriced.
    before = {"name": "genai-prices", "version": "0.2.3", "price_date": "2026-11-01"}
    assert PriceSource.from_dict(before).time_of_day == ""
    assert PriceSource.from_dict(before) != now
    assert PriceSource.from_dict(before).to_dict() == before


def test_report_dict_and_streamed_text_agree() -> None:
    import json

    from pytest_agentcost.report import report_to_json

    run = _run(3)
    comparison = {"has_baseline": True, "tests": {"t.py::test_1[ü|1]": {"status": "new"}}, "counts": {"new": 1}}
    text = run_to_json(run, comparison)
    assert json.loads(text) == run_to_dict(run, comparison)
    assert report_to_json(run_to_dict(run, comparison)) == text
    assert text.startswith('{\n  "schema_version": 1,\n')


# -- the report's direct writer of call records ------------------------------------------------

_text = st.one_of(st.text(max_size=12), st.sampled_from(["api.openai.com", 'q"\\', "ü\n\t\x00", "llm", "tool"]))
_opt_text = st.none() | _text
_count = st.integers(min_value=0, max_value=10**12)
_money = st.none() | st.decimals(min_value=0, max_value=10**6, allow_nan=False, places=14)
_odd = st.sampled_from([True, 1.5, "7", None, Decimal("2")])  # values of types the plugin never writes
_context = st.sampled_from(
    [
        (("service_tier", "flex"),),
        (("processing", "batch"), ("speed", "fast")),
        (("speed", "fast"), ("processing", "batch")),  # unsorted: written sorted, as to_dict writes it
        (("speed", "fast"), ("speed", "standard")),  # a key twice: the last wins, as in dict()
        (("service_tier", 'q"\\ü'),),
        ((("a", "b"), "c"),),  # of a shape the plugin never writes
        (("only-a-key",),),
    ]
)


@st.composite
def _call_records(draw: st.DrawFn) -> CallRecord:
    record = CallRecord(
        kind=draw(st.sampled_from(["llm", "tool"]) | _text),
        host=draw(_text),
        status=draw(st.integers(min_value=0, max_value=599)),
        provider=draw(_opt_text),
        endpoint=draw(_opt_text),
        model=draw(_opt_text),
        usage=TokenUsage(
            *(draw(_count) for _ in range(5)),
            units=draw(st.just(()) | st.just((("web_searches", 1),)) | st.just((("cache_write_1h_tokens", 2000),))),
        ),
        cost_usd=draw(_money),
        billed=draw(st.booleans()),
        estimated=draw(st.booleans()),
        streamed=draw(st.booleans()),
        tool_calls=draw(_count),
        cassette=draw(_opt_text),
        warnings=tuple(draw(st.lists(_text, max_size=3))),
        drift=draw(st.none() | st.just({"changed": ["model"], "b": {"z": 1, "a": [2]}})),
        response_id=draw(_opt_text),
        is_poll=draw(st.booleans()),
        price_context=draw(st.just(()) | _context),
    )
    odd_fields = ["status", "tool_calls", "billed", "is_poll", "cost_usd", "host", "model", "price_context"]
    field = draw(st.none() | st.sampled_from(odd_fields))
    if field is not None:
        record = replace(record, **{field: draw(_odd)})
    return record


@settings(max_examples=400, deadline=None)
@given(_call_records())
def test_call_records_are_written_as_their_dict(call: CallRecord) -> None:
    import json

    from pytest_agentcost.report import _call_json, _compact

    try:
        expected = _compact(call.to_dict())
    except (TypeError, AttributeError, ValueError) as exc:  # a value the dict path cannot write either
        with pytest.raises(type(exc)):
            _call_json(call)
        return
    assert _call_json(call) == expected
    json.loads(expected)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(_call_records(), max_size=4),
    st.none() | st.tuples(_text, st.integers(0, 10**6)),
    st.integers(0, 3),
)
def test_test_entries_are_written_as_their_dict(
    calls: list[CallRecord], location: tuple[str, int] | None, reruns: int
) -> None:
    from pytest_agentcost.report import _compact, _test_json

    test = TestCost("t.py::test", calls=tuple(calls), location=location, reruns=reruns)
    try:
        expected = _compact(test.to_dict())
    except (TypeError, AttributeError, ValueError):
        return  # covered record by record above
    assert _test_json(test) == expected


@pytest.mark.parametrize(
    "entry", [{}, {"a": 1}, {"z": [1]}, {"a": {"y": 1, "b": None}, "z": "ü"}, {"a": 1, "b": 2, "x": 3, "y": 4}]
)
def test_an_entry_with_a_prewritten_value_is_the_entry_written_whole(entry: dict[str, object]) -> None:
    from pytest_agentcost.report import _compact, _compact_with

    assert _compact_with(entry, "calls", '[1, "x"]') == _compact({**entry, "calls": [1, "x"]})


# -- the gate settings a run used ----------------------------------------------------------------

GATE = {
    "fail_unpriced": True,
    "gate_estimates": False,
    "mode": "warn",
    "runs_per_month": 1000,
    "stale": "fail",
    "threshold": "25%",
    "total_threshold": "5%,$0.001",
}


def test_the_gate_settings_round_trip_and_stay_out_when_unknown() -> None:
    import json

    run = replace(_run(2), gate=GATE)
    text = run_to_json(run)
    assert json.loads(text)["gate"] == GATE
    assert run_from_dict(json.loads(text)).gate == GATE
    assert run_to_json(run_from_dict(json.loads(text))) == text
    # A worker's part of a run, or a file written before they were kept: no key, read as None.
    assert "gate" not in run_to_dict(_run(2))
    assert run_from_dict(run_to_dict(_run(2))).gate is None


def test_gate_settings_are_read_leniently_about_keys_and_strictly_about_values() -> None:
    data = run_to_dict(_run(1))
    # Keys left out take the default; keys of a later version are ignored; thresholds normalised.
    data["gate"] = {"threshold": "10.0%, $0.00010", "total_threshold": None, "later_key": 1}
    assert run_from_dict(data).gate == {
        "fail_unpriced": False,
        "gate_estimates": False,
        "mode": "fail",
        "runs_per_month": None,
        "stale": "warn",
        "threshold": "10%,$0.0001",
        "total_threshold": None,
    }


@pytest.mark.parametrize(
    ("gate", "message"),
    [
        ([], "gate must be an object of gate settings, not []"),
        ({"threshold": None}, "gate.threshold must be a threshold such as '10%,$0.0001', not None"),
        ({"total_threshold": "ten"}, "gate.total_threshold: 'ten' is neither a percentage ('10%') nor dollars"),
        ({"mode": "loud"}, "gate.mode must be one of fail, warn, not 'loud'"),
        ({"stale": None}, "gate.stale must be one of ignore, warn, fail, not None"),
        ({"runs_per_month": -1}, "gate.runs_per_month must be a non-negative whole number or null, not -1"),
        ({"runs_per_month": True}, "gate.runs_per_month must be a non-negative whole number or null, not True"),
        ({"fail_unpriced": "yes"}, "gate.fail_unpriced must be true or false, not 'yes'"),
    ],
)
def test_bad_gate_settings_are_one_line_naming_the_file(gate: object, message: str) -> None:
    from pytest_agentcost.errors import BaselineError

    data = run_to_dict(_run(1))
    data["gate"] = gate
    with pytest.raises(BaselineError) as info:
        run_from_dict(data, "run.json")
    assert str(info.value).startswith(f"run.json: {message}")


@pytest.mark.parametrize("key", ["partial", "stopped"])
def test_a_partial_or_stopped_run_says_so_and_a_full_one_has_no_key(key: str) -> None:
    import json

    from pytest_agentcost.errors import BaselineError

    text = run_to_json(replace(_run(2), **{key: True}))
    assert json.loads(text)[key] is True
    assert getattr(run_from_dict(json.loads(text)), key) is True
    assert run_to_json(run_from_dict(json.loads(text))) == text
    assert run_to_dict(replace(_run(2), **{key: True}))[key] is True
    assert key not in run_to_dict(_run(2))
    assert getattr(run_from_dict(run_to_dict(_run(2))), key) is False
    data = run_to_dict(_run(1))
    data[key] = "yes"
    with pytest.raises(BaselineError, match=rf"^run.json: '{key}' must be true or false, not 'yes'$"):
        run_from_dict(data, "run.json")


def test_a_threshold_spec_reads_back_as_itself() -> None:
    from pytest_agentcost.settings import Threshold

    for spec, canonical in [("10%", "10%"), ("$0.002", "$0.002"), ("$0.00010, 12.50%", "12.5%,$0.0001")]:
        threshold = Threshold.parse(spec)
        assert threshold.spec() == canonical
        assert Threshold.parse(threshold.spec()) == threshold


def test_reruns_are_written_only_when_attempts_were_thrown_away() -> None:
    import json

    from pytest_agentcost.errors import BaselineError

    run = _run(2)
    nodeid = next(iter(run.tests))
    rerun = replace(run, tests={**run.tests, nodeid: replace(run.tests[nodeid], reruns=2)})
    data = json.loads(run_to_json(rerun))
    assert data["tests"][nodeid]["reruns"] == 2
    assert [k for k, v in data["tests"].items() if "reruns" in v] == [nodeid]
    assert run_from_dict(data).tests[nodeid].reruns == 2
    assert run_to_json(run_from_dict(data)) == run_to_json(rerun)
    for bad in (-1, True, "2"):
        data["tests"][nodeid]["reruns"] = bad
        with pytest.raises(BaselineError, match="^" + re.escape(f"run.json: tests[{nodeid!r}]: reruns ")):
            run_from_dict(data, "run.json")


def test_set_ups_of_one_fixture_report_one_whatever_came_first() -> None:
    # A fixture is set up once per xdist worker or shard that needs it, again after an errored
    # attempt (a rerun), again when the order tears it down early: its entry is one set-up, one
    # that did not error, the dearest, chosen the same whichever came first. A test's entry is
    # reported by one worker only, and stays as that worker wrote it.
    from itertools import permutations

    from pytest_agentcost.models import representative_setup
    from pytest_agentcost.plugin import _merged

    cheap, dear, unpriced = (
        llm_record(usage=TokenUsage(n, 1), cost_usd=None if n == 30 else Decimal(n) / 10**6) for n in (10, 20, 30)
    )
    name = "t.py::agent [module fixture]"
    one = TestCost(name, calls=(dear,), location=("t.py", 3))
    other = TestCost(name, calls=(cheap,), location=("t.py", 3))
    same_price = TestCost(name, calls=(replace(dear, model="gpt-4o"),), location=("t.py", 3))
    errored = TestCost(name, outcome="error", calls=(dear, dear), location=("t.py", 3))
    assert _merged(one, other) == _merged(other, one) == one
    for order in permutations((one, other, same_price, errored)):
        assert representative_setup(order) == representative_setup((one, same_price))
    assert representative_setup((errored, other)) == other
    assert representative_setup((errored,)) == errored
    assert representative_setup((one, TestCost(name, calls=(unpriced,)))).cost_usd is None
    test = TestCost("t.py::test", calls=(cheap,))
    assert _merged(TestCost("t.py::test", calls=(dear,)), test) is test


def test_a_fixture_parameter_is_named_as_its_fixture_or_test_names_it() -> None:
    from types import SimpleNamespace

    from pytest_agentcost.plugin import _fixture_param_id

    def param_id(params: Any, ids: Any, value: Any, index: int) -> str | None:
        fixturedef = SimpleNamespace(argname="agent", params=params, ids=ids)
        request = SimpleNamespace(param=value, param_index=index)
        return _fixture_param_id(fixturedef, request)  # type: ignore[arg-type]

    assert _fixture_param_id(SimpleNamespace(argname="a", params=None, ids=None), SimpleNamespace()) is None  # type: ignore[arg-type]
    options = [{"m": "small"}, {"m": "big"}]
    assert param_id([pytest.param(options[0], id="one")], None, options[0], 0) == "one"
    assert param_id(options, ["small", "big"], options[1], 1) == "big"
    assert param_id(options, lambda value: value["m"], options[1], 1) == "big"
    assert param_id(options, None, options[1], 1) == "agent1"  # the fixture's own list, as pytest
    assert param_id(["v1", "v2"], None, "v2", 1) == "v2"
    assert param_id(None, None, options[1], 0) == '{"m":"big"}'  # indirect: the value, not its index
    assert param_id(None, None, {"text": "x" * 80}, 0).startswith("agent-")
    assert param_id(None, None, object(), 3) == "agent3"


def test_polls_of_a_response_billed_when_it_was_created_bill_nothing_more() -> None:
    # A background response that came back already completed is billed by its create; the
    # polls that fetch it again repeat its usage and must not bill it a second time.
    from pytest_agentcost.models import bill_responses_once

    usage = TokenUsage(input_tokens=1000, output_tokens=100)
    create = llm_record(endpoint="openai.responses", response_id="resp_1", usage=usage, cost_usd=Decimal("0.00021"))
    poll = replace(create, is_poll=True)
    other = replace(create, response_id="resp_2")
    calls = bill_responses_once([create, poll, poll, other])
    assert [(c.billed, c.cost_usd) for c in calls] == [
        (True, Decimal("0.00021")),
        (False, Decimal(0)),
        (False, Decimal(0)),
        (True, Decimal("0.00021")),
    ]
    assert calls[1].warnings == ("poll of response resp_1 already billed",)


@pytest.mark.parametrize(
    ("reports", "outcome"),
    [
        ([("setup", "passed"), ("call", "failed"), ("teardown", "skipped")], "failed"),
        ([("setup", "passed"), ("call", "passed"), ("teardown", "failed")], "error"),
        ([("setup", "error"), ("teardown", "skipped")], "error"),
        ([("setup", "passed"), ("call", "skipped"), ("teardown", "passed")], "skipped"),
        ([("setup", "passed"), ("call", "passed"), ("teardown", "passed")], "passed"),
    ],
    ids=["failed-then-skip-in-teardown", "teardown-error", "setup-error-then-skip", "skipped", "passed"],
)
def test_a_tests_outcome_is_its_worst_phase(reports: list[tuple[str, str]], outcome: str) -> None:
    # A skip reported after a failure (a finalizer calling pytest.skip) must not hide the failure.
    from pytest_agentcost.plugin import _outcome

    previous: str | None = None
    for when, result in reports:
        status: Any = "failed" if result == "error" else result
        phase: Any = when
        previous = _outcome(previous, pytest.TestReport("t.py::t", ("t.py", 0, "t"), {}, status, None, phase))
    assert previous == outcome
