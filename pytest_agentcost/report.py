"""The JSON run report (``--agent-cost-json``): versioned, deterministic.

Schema (``schema_version`` 1)::

    {
      "schema_version": 1,
      "kind": "pytest-agentcost-run",
      "price_source": {"name": "genai-prices", "version": "0.2.3", "price_date": "2026-11-01"},
      "tests": {"<nodeid>": {<TestCost summary>, "calls": [<CallRecord>...], "location": [path, line]}},
      "totals": {...},
      "by_model": {"<provider>:<model>": {"calls": n, "cost_usd": "...", <token kinds>}},
      "comparison": {...}            # only when compared with a baseline
    }

Money values are strings with 10 decimal places (``"0.0072500000"``) or
``null`` when a call is unpriced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pytest_agentcost.errors import BaselineError
from pytest_agentcost.models import PriceSource, RunCost, TestCost

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
    }
    if run.markers:
        data["markers"] = {k: dict(v) for k, v in sorted(run.markers.items())}
    if comparison is not None:
        data["comparison"] = dict(comparison)
    return data


def run_to_json(run: RunCost, comparison: Mapping[str, Any] | None = None) -> str:
    return "".join(iter_run_json(run, comparison))


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _indented(value: Any, level: int) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return text.replace("\n", "\n" + "  " * level)


def _keyed_lines(entries: Iterable[tuple[str, Any]], level: int) -> str:
    """``{"id": {...}, ...}`` with one compact line per entry (fast to write, easy to diff)."""
    pad = "  " * level
    lines = [f"{pad}  {json.dumps(key, ensure_ascii=False)}: {_compact(value)}" for key, value in entries]
    return "{\n" + ",\n".join(lines) + f"\n{pad}}}" if lines else "{}"


def iter_report_json(
    head: Mapping[str, Any], tests: Iterable[tuple[str, Any]], comparison: Mapping[str, Any] | None
) -> Iterator[str]:
    """The report's text in pieces. Top-level keys sorted after ``schema_version``; each
    test (and each test's comparison) on one line, sorted by node id."""
    yield "{\n" + f'  "schema_version": {json.dumps(head.get("schema_version", RUN_SCHEMA_VERSION))}'
    keys = sorted({*head, "tests", *(("comparison",) if comparison is not None else ())} - {"schema_version"})
    for key in keys:
        yield f",\n  {json.dumps(key)}: "
        if key == "tests":
            yield "{"
            first = True
            for nodeid, entry in tests:
                yield ("" if first else ",") + f"\n    {json.dumps(nodeid, ensure_ascii=False)}: {_compact(entry)}"
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
    }
    if run.markers:
        head["markers"] = {k: dict(v) for k, v in sorted(run.markers.items())}
    tests = ((nodeid, run.tests[nodeid].to_dict()) for nodeid in sorted(run.tests))
    return iter_report_json(head, tests, comparison)


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
        raise BaselineError(f"{source}: not a pytest-agentcost run report (kind {data.get('kind')!r})")
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
    return RunCost(
        tests=tests,
        price_source=PriceSource.from_dict(price if isinstance(price, Mapping) else {}),
        markers={str(k): dict(v) for k, v in markers.items()},
    )


def load_run(path: Path) -> RunCost:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"{path}: not valid JSON ({exc})") from None
    return run_from_dict(data, str(path))
