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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_agentcost._io import dump_json
from pytest_agentcost.errors import BaselineError
from pytest_agentcost.models import PriceSource, RunCost, TestCost

__all__ = ["RUN_KIND", "RUN_SCHEMA_VERSION", "load_run", "run_from_dict", "run_to_dict", "run_to_json"]

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
    if comparison is not None:
        data["comparison"] = dict(comparison)
    return data


def run_to_json(run: RunCost, comparison: Mapping[str, Any] | None = None) -> str:
    return dump_json(run_to_dict(run, comparison))


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
    return RunCost(
        tests=tests, price_source=PriceSource.from_dict(price if isinstance(price, Mapping) else {})
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
