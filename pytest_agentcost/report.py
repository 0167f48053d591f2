"""The JSON run report (``--agent-cost-json``): versioned, deterministic.

Schema (``schema_version`` 1)::

    {
      "schema_version": 1,
      "kind": "pytest-agentcost-run",
      "price_source": {"name": "genai-prices", "version": "0.2.3", "price_date": "2026-11-01"},
      "tests": {"<nodeid>": {<TestCost summary>, "calls": [<CallRecord>...], "location": [path, line],
                             "reruns": n}},  # reruns only when a rerun plugin threw attempts away
      "totals": {...},
      "by_model": {"<provider>:<model>": {"calls": n, "cost_usd": "...", <token kinds>}},
      "gate": {"threshold": "10%,$0.0001", "total_threshold": null, "mode": "fail", ...},
      "partial": true,               # only when the pytest run covered part of the suite
      "stopped": true,               # only when it stopped before every selected test ran
      "comparison": {...}            # only when compared with a baseline
    }

Money values are strings with 10 decimal places (``"0.0072500000"``) or
``null`` when a call is unpriced. A call priced at a service tier's own rates
carries its ``"price_context"`` (``{"service_tier": "flex"}``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from pytest_agentcost.errors import BaselineError, ConfigError
from pytest_agentcost.models import CallRecord, PriceSource, RunCost, TestCost, format_money

__all__ = [
    "RUN_KIND",
    "RUN_SCHEMA_VERSION",
    "iter_report_json",
    "iter_run_json",
    "load_run",
    "report_to_json",
    "run_from_dict",
    "run_to_dict",
    "run_to_json",
]

RUN_SCHEMA_VERSION = 1
RUN_KIND = "pytest-agentcost-run"


def run_to_dict(run: RunCost, comparison: Mapping[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": RUN_SCHEMA_VERSION,
        "kind": RUN_KIND,
        "price_source": run.price_source.to_dict(),
        "tests": {nodeid: run.tests[nodeid].to_dict() for nodeid in sorted(run.tests)},
        "totals": run.totals_dict(),
        "by_model": {k: v.to_dict() for k, v in sorted(run.by_model().items())},
        **_optional_keys(run),
    }
    if comparison is not None:
        data["comparison"] = dict(comparison)
    return data


def _optional_keys(run: RunCost) -> dict[str, Any]:
    """The top-level keys a report has only when they say something."""
    keys: dict[str, Any] = {}
    if run.markers:
        keys["markers"] = {k: dict(v) for k, v in sorted(run.markers.items())}
    if run.gate is not None:
        keys["gate"] = dict(run.gate)
    if run.partial:
        keys["partial"] = True
    if run.stopped:
        keys["stopped"] = True
    return keys


def run_to_json(run: RunCost, comparison: Mapping[str, Any] | None = None) -> str:
    return "".join(iter_run_json(run, comparison))


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "), allow_nan=False)


#: What ``json.dumps(..., ensure_ascii=False)`` does to one string, quotes included.
_string: Callable[[str], str] = json.encoder.encode_basestring


def _opt_string(value: str | None) -> str:
    return "null" if value is None else _string(value)


@functools.lru_cache(maxsize=256)
def _context_json(context: tuple[tuple[str, str], ...]) -> str:
    """``_compact(dict(context))``, once per distinct price context: many calls share one."""
    return _compact(dict(context))


def _call_json(call: CallRecord) -> str:
    """``_compact(call.to_dict())``, written directly: a report holds one per call, thousands.

    A record of unusual shape (stale-cassette drift, other usage units, a value of another type
    than the plugin writes) goes through ``to_dict``. ``tests/unit/test_report.py`` holds the two equal.
    """
    usage = call.usage
    cost = call.cost_usd
    if (
        call.drift is not None
        or call.iterations
        or usage.units
        or (cost is not None and type(cost) is not Decimal)
        or type(call.status) is not int
        or type(call.tool_calls) is not int
        or type(usage.input_tokens) is not int
        or type(usage.output_tokens) is not int
        or type(usage.cache_read_tokens) is not int
        or type(usage.cache_write_tokens) is not int
        or type(usage.reasoning_tokens) is not int
        or type(call.billed) is not bool
        or type(call.estimated) is not bool
        or type(call.streamed) is not bool
        or type(call.is_poll) is not bool
        or type(call.price_context) is not tuple
    ):
        return _compact(call.to_dict())
    try:  # the string encoder raises TypeError for anything but a str
        money = "null" if cost is None else f'"{format_money(cost)}"'
        cassette = "" if call.cassette is None else f'"cassette": {_string(call.cassette)}, '
        is_poll = '"is_poll": true, ' if call.is_poll else ""
        context = f'"price_context": {_context_json(call.price_context)}, ' if call.price_context else ""
        response_id = "" if call.response_id is None else f'"response_id": {_string(call.response_id)}, '
        warnings = f', "warnings": [{", ".join(map(_string, call.warnings))}]' if call.warnings else ""
        if call.kind != "llm":
            return (
                f'{{{cassette}"cost_usd": {money}, "host": {_string(call.host)}, {is_poll}'
                f'"kind": {_string(call.kind)}, {context}{response_id}"status": {call.status}{warnings}}}'
            )
        return (
            f'{{"billed": {"true" if call.billed else "false"}, '
            f'"cache_read_tokens": {usage.cache_read_tokens}, "cache_write_tokens": {usage.cache_write_tokens}, '
            f'{cassette}"cost_usd": {money}, "endpoint": {_opt_string(call.endpoint)}, '
            f'"estimated": {"true" if call.estimated else "false"}, "host": {_string(call.host)}, '
            f'"input_tokens": {usage.input_tokens}, {is_poll}"kind": "llm", "model": {_opt_string(call.model)}, '
            f'"output_tokens": {usage.output_tokens}, {context}"provider": {_opt_string(call.provider)}, '
            f'"reasoning_tokens": {usage.reasoning_tokens}, {response_id}"status": {call.status}, '
            f'"streamed": {"true" if call.streamed else "false"}, "tool_calls": {call.tool_calls}{warnings}}}'
        )
    except TypeError:
        return _compact(call.to_dict())


def _test_json(test: TestCost) -> str:
    """``_compact(test.to_dict())``, with each call written by :func:`_call_json`."""
    summary = test.summary_dict()
    summary.update(test.entry_extras())
    return _compact_with(summary, "calls", "[" + ", ".join(map(_call_json, test.calls)) + "]")


def _compact_with(entry: Mapping[str, Any], key: str, text: str) -> str:
    """``_compact`` of ``entry`` plus ``key``, whose value is the JSON ``text`` (``key`` not in ``entry``)."""
    # Keys sorted: those before ``key``, ``key``, those after it.
    before = _compact({k: value for k, value in entry.items() if k < key})
    after = _compact({k: value for k, value in entry.items() if k > key})
    head = before[:-1] + ", " if len(before) > 2 else "{"
    tail = ", " + after[1:] if len(after) > 2 else "}"
    return f"{head}{_string(key)}: {text}{tail}"


def _indented(value: Any, level: int) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, allow_nan=False)
    return text.replace("\n", "\n" + "  " * level)


def _keyed_lines(entries: Iterable[tuple[str, Any]], level: int) -> str:
    """``{"id": {...}, ...}`` with one compact line per entry (fast to write, easy to diff)."""
    pad = "  " * level
    lines = [f"{pad}  {json.dumps(key, ensure_ascii=False)}: {_compact(value)}" for key, value in entries]
    return "{\n" + ",\n".join(lines) + f"\n{pad}}}" if lines else "{}"


def iter_report_json(
    head: Mapping[str, Any],
    tests: Iterable[tuple[str, Any]],
    comparison: Mapping[str, Any] | None,
    entry_json: Callable[[Any], str] = _compact,
) -> Iterator[str]:
    """The report's text in pieces. Top-level keys sorted after ``schema_version``; each
    test (and each test's comparison) on one line, sorted by node id, as ``entry_json`` writes
    its entry."""
    yield "{\n" + f'  "schema_version": {json.dumps(head.get("schema_version", RUN_SCHEMA_VERSION))}'
    keys = sorted({*head, "tests", *(("comparison",) if comparison is not None else ())} - {"schema_version"})
    for key in keys:
        yield f",\n  {json.dumps(key)}: "
        if key == "tests":
            yield "{"
            first = True
            for nodeid, entry in tests:
                yield ("" if first else ",") + f"\n    {json.dumps(nodeid, ensure_ascii=False)}: {entry_json(entry)}"
                first = False
            yield "}" if first else "\n  }"
        elif key == "comparison" and comparison is not None:
            parts = []
            for ckey in sorted({*comparison, "tests"}):
                if ckey == "tests":
                    value = _keyed_lines(sorted(dict(comparison.get("tests", {})).items()), 2)
                else:
                    value = _indented(comparison[ckey], 2)
                parts.append(f"    {json.dumps(ckey)}: {value}")
            yield "{\n" + ",\n".join(parts) + "\n  }"
        else:
            yield _indented(head[key], 1)
    yield "\n}\n"


def iter_run_json(run: RunCost, comparison: Mapping[str, Any] | None = None) -> Iterator[str]:
    """The run report in pieces: one test at a time, never one big dict or string."""
    head: dict[str, Any] = {
        "schema_version": RUN_SCHEMA_VERSION,
        "by_model": {k: v.to_dict() for k, v in sorted(run.by_model().items())},
        "kind": RUN_KIND,
        "price_source": run.price_source.to_dict(),
        "totals": run.totals_dict(),
        **_optional_keys(run),
    }
    tests = ((nodeid, run.tests[nodeid]) for nodeid in sorted(run.tests))
    return iter_report_json(head, tests, comparison, _test_json)


def report_to_json(report: Mapping[str, Any]) -> str:
    """A report dict (as run_to_dict makes it, maybe edited by a hook) in the report's format."""
    head = {k: v for k, v in report.items() if k not in ("tests", "comparison")}
    tests = sorted(dict(report.get("tests", {})).items())
    return "".join(iter_report_json(head, tests, report.get("comparison")))


def run_from_dict(data: Any, source: str = "run file") -> RunCost:
    """Rebuild a :class:`RunCost` from its JSON form, validating as it goes."""
    if not isinstance(data, Mapping):
        raise BaselineError(f"{source}: expected a JSON object")
    version = data.get("schema_version")
    if data.get("kind") != RUN_KIND:
        swapped = data.get("kind") == "pytest-agentcost-baseline"  # baseline.BASELINE_KIND (it imports this module)
        hint = "; it is a baseline (the order is: agentcost compare BASELINE RUN)" if swapped else ""
        raise BaselineError(f"{source}: not a pytest-agentcost run report (kind {data.get('kind')!r}){hint}")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BaselineError(f"{source}: missing schema_version")
    if version > RUN_SCHEMA_VERSION:
        raise BaselineError(
            f"{source}: schema_version {version} was written by a newer pytest-agentcost; upgrade to read it"
        )
    if version < 1:
        raise BaselineError(f"{source}: unknown schema_version {version}")
    tests_raw = data.get("tests")
    if not isinstance(tests_raw, Mapping):
        raise BaselineError(f"{source}: 'tests' must be an object keyed by node id")
    tests: dict[str, TestCost] = {}
    for nodeid, entry in tests_raw.items():
        if not isinstance(entry, Mapping):
            raise BaselineError(f"{source}: tests[{nodeid!r}] must be an object")
        try:
            tests[str(nodeid)] = TestCost.from_dict(str(nodeid), entry)
        except (ValueError, TypeError, KeyError) as exc:
            raise BaselineError(f"{source}: tests[{nodeid!r}]: {exc}") from None
    price = data.get("price_source")
    markers = data.get("markers", {})
    if not isinstance(markers, Mapping) or not all(isinstance(v, Mapping) for v in markers.values()):
        raise BaselineError(f"{source}: 'markers' must map node ids to marker arguments")
    gate = None
    if "gate" in data:
        from pytest_agentcost.settings import parse_gate  # imports genai-prices: only when needed

        try:
            gate = parse_gate(data["gate"], "gate")
        except ConfigError as exc:
            raise BaselineError(f"{source}: {exc}") from None
    partial, stopped = data.get("partial", False), data.get("stopped", False)
    for key, value in (("partial", partial), ("stopped", stopped)):
        if not isinstance(value, bool):
            raise BaselineError(f"{source}: {key!r} must be true or false, not {value!r}")
    return RunCost(
        tests=tests,
        price_source=PriceSource.from_dict(price if isinstance(price, Mapping) else {}),
        markers={str(k): dict(v) for k, v in markers.items()},
        gate=gate,
        partial=partial,
        stopped=stopped,
    )


def load_run(path: Path) -> RunCost:
    from pytest_agentcost._io import read_json

    try:
        data = read_json(path, "run report")
    except ValueError as exc:
        raise BaselineError(str(exc)) from None
    return run_from_dict(data, str(path))
