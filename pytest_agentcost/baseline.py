"""The committed baseline: load, validate, update, dump (atomic, deterministic).

The file is made for code review: JSON with ``indent=2``, sorted node ids and
keys, ``schema_version`` first, a trailing newline, no timestamps or host
names, money as strings with 10 decimal places. Per test it keeps cost, calls
and tokens by kind, and the same by model, so a reviewer sees which task got
dearer and why; the price source is recorded so a price change can be told
from a usage change.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pytest_agentcost._io import dump_json, read_json, write_atomic
from pytest_agentcost.errors import BaselineError
from pytest_agentcost.models import (
    TOKEN_KINDS,
    EstimatedPart,
    ModelTotals,
    PriceSource,
    RunCost,
    TestCost,
    TokenUsage,
    ToolHostTotals,
    format_money,
    parse_money,
)
from pytest_agentcost.report import RUN_KIND
from pytest_agentcost.usage import stated_key

#: A model's cost from its usage (``provider:model`` key, as the baseline keys it); None if unknown.
Repricer = Callable[[str, TokenUsage], "Decimal | None"]
#: Whether (by_model key, calls, summed input tokens) reprice exactly from their sum (see
#: :meth:`pytest_agentcost.pricing.Pricer.reprices_exactly`).
Exact = Callable[[str, int, int], bool]

__all__ = [
    "BASELINE_KIND",
    "BASELINE_SCHEMA_VERSION",
    "Baseline",
    "BaselineEntry",
    "baseline_from_dict",
    "dump_baseline",
    "load_baseline",
    "update_baseline",
    "write_baseline",
]

BASELINE_SCHEMA_VERSION = 1
BASELINE_KIND = "pytest-agentcost-baseline"


@dataclass(frozen=True)
class BaselineEntry:
    """What the baseline remembers of one test."""

    cost_usd: Decimal | None
    llm_calls: int = 0
    tool_calls: int = 0
    http_calls: int = 0
    tool_http_calls: int = 0
    tool_cost_usd: Decimal = Decimal(0)
    usage: TokenUsage = field(default_factory=TokenUsage)
    by_model: Mapping[str, ModelTotals] = field(default_factory=dict)
    estimated: bool = False
    tool_hosts: Mapping[str, ToolHostTotals] = field(default_factory=dict)
    """Tool HTTP calls and their cost per host, so a tool price change is told apart from usage
    (JSON key ``tool_hosts``, written only when there are any; older baselines have none)."""
    estimated_part: EstimatedPart | None = None
    """The estimated calls and their usage (JSON key ``estimated_part``, written only for a test
    with estimates; older baselines have none, and such tests stay ungated)."""

    @classmethod
    def from_test(cls, test: TestCost) -> BaselineEntry:
        return cls(
            cost_usd=test.cost_usd,
            llm_calls=test.llm_calls,
            tool_calls=test.tool_calls,
            http_calls=test.http_calls,
            tool_http_calls=test.tool_http_calls,
            tool_cost_usd=test.tool_cost_usd,
            usage=test.usage,
            by_model=dict(sorted(test.by_model().items())),
            estimated=test.estimated,
            tool_hosts=dict(sorted(test.tool_hosts().items())),
            estimated_part=test.estimated_part,
        )

    def to_dict(self) -> dict[str, Any]:
        data = {
            "cost_usd": None if self.cost_usd is None else format_money(self.cost_usd),
            "llm_calls": self.llm_calls,
            "tool_calls": self.tool_calls,
            "http_calls": self.http_calls,
            "tool_http_calls": self.tool_http_calls,
            "tool_cost_usd": format_money(self.tool_cost_usd),
            "estimated": self.estimated,
            **self.usage.to_dict(),
            "by_model": {k: v.to_dict() for k, v in sorted(self.by_model.items())},
        }
        if self.tool_hosts:
            data["tool_hosts"] = {k: v.to_dict() for k, v in sorted(self.tool_hosts.items())}
        if self.estimated_part is not None:
            data["estimated_part"] = self.estimated_part.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str) -> BaselineEntry:
        if "cost_usd" not in data:
            raise ValueError(f"{where}: missing cost_usd")
        cost = data["cost_usd"]
        by_model_raw = data.get("by_model", {})
        if not isinstance(by_model_raw, Mapping):
            raise ValueError(f"{where}.by_model must be an object")
        tool_hosts_raw = data.get("tool_hosts", {})
        if not isinstance(tool_hosts_raw, Mapping):
            raise ValueError(f"{where}.tool_hosts must be an object")

        def count(name: str) -> int:
            value = data.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{where}.{name} must be a non-negative whole number, not {value!r}")
            return value

        estimated = data.get("estimated", False)
        if not isinstance(estimated, bool):
            raise ValueError(f"{where}.estimated must be true or false")
        return cls(
            cost_usd=None if cost is None else parse_money(cost, f"{where}.cost_usd"),
            llm_calls=count("llm_calls"),
            tool_calls=count("tool_calls"),
            http_calls=count("http_calls"),
            tool_http_calls=count("tool_http_calls"),
            tool_cost_usd=parse_money(data.get("tool_cost_usd", "0"), f"{where}.tool_cost_usd"),
            usage=TokenUsage.from_dict(data, where),
            by_model={
                str(k): ModelTotals.from_dict(v, f"{where}.by_model[{k!r}]")
                if isinstance(v, Mapping)
                else _bad(f"{where}.by_model[{k!r}] must be an object")
                for k, v in by_model_raw.items()
            },
            estimated=estimated,
            tool_hosts={
                str(k): ToolHostTotals.from_dict(v, f"{where}.tool_hosts[{k!r}]") for k, v in tool_hosts_raw.items()
            },
            estimated_part=None
            if data.get("estimated_part") is None
            else EstimatedPart.from_dict(data["estimated_part"], f"{where}.estimated_part"),
        )


def _bad(message: str) -> Any:
    raise ValueError(message)


@dataclass(frozen=True)
class Baseline:
    """Baseline entries by node id, and the prices they were computed with."""

    tests: Mapping[str, BaselineEntry]
    price_source: PriceSource = field(default_factory=PriceSource)

    @property
    def cost_usd(self) -> Decimal | None:
        total = Decimal(0)
        for entry in self.tests.values():
            if entry.cost_usd is None:
                return None
            total += entry.cost_usd
        return total

    def to_dict(self) -> dict[str, Any]:
        total = self.cost_usd
        return {
            "schema_version": BASELINE_SCHEMA_VERSION,
            "kind": BASELINE_KIND,
            "price_source": self.price_source.to_dict(),
            "tests": {nodeid: self.tests[nodeid].to_dict() for nodeid in sorted(self.tests)},
            "totals": {
                "tests": len(self.tests),
                "cost_usd": None if total is None else format_money(total),
                "llm_calls": sum(e.llm_calls for e in self.tests.values()),
                **TokenUsage.sum(e.usage for e in self.tests.values()).to_dict(),
            },
        }


def baseline_from_dict(data: Any, source: str) -> Baseline:
    """Validate parsed JSON into a :class:`Baseline`; every problem is one BaselineError line."""
    if not isinstance(data, Mapping):
        raise BaselineError(f"{source}: expected a JSON object at the top level")
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise BaselineError(f"{source}: missing or non-integer schema_version")
    if version > BASELINE_SCHEMA_VERSION:
        raise BaselineError(
            f"{source}: schema_version {version} was written by a newer pytest-agentcost "
            f"(this one reads {BASELINE_SCHEMA_VERSION}); upgrade the plugin"
        )
    if version != BASELINE_SCHEMA_VERSION:
        raise BaselineError(f"{source}: unknown schema_version {version}")
    if data.get("kind", BASELINE_KIND) != BASELINE_KIND:
        # A run report where a baseline goes: most often agentcost compare's two files swapped.
        swapped = data.get("kind") == RUN_KIND
        hint = "; it is a run report (the order is: agentcost compare BASELINE RUN)" if swapped else ""
        raise BaselineError(f"{source}: not a pytest-agentcost baseline (kind {data.get('kind')!r}){hint}")
    tests_raw = data.get("tests")
    if not isinstance(tests_raw, Mapping):
        raise BaselineError(f"{source}: 'tests' must be an object keyed by test node id")
    tests: dict[str, BaselineEntry] = {}
    for nodeid, entry in tests_raw.items():
        where = f"tests[{nodeid!r}]"
        if not isinstance(entry, Mapping):
            raise BaselineError(f"{source}: {where} must be an object")
        try:
            tests[str(nodeid)] = BaselineEntry.from_dict(entry, where)
        except ValueError as exc:
            raise BaselineError(f"{source}: {exc}") from None
    price = data.get("price_source", {})
    if not isinstance(price, Mapping):
        raise BaselineError(f"{source}: price_source must be an object")
    when = price.get("price_date")
    try:
        if when not in (None, ""):
            date.fromisoformat(str(when))
    except ValueError:
        raise BaselineError(f"{source}: price_source.price_date is no date (YYYY-MM-DD): {when!r}") from None
    return Baseline(tests=tests, price_source=PriceSource.from_dict(price))


def load_baseline(path: Path) -> Baseline:
    """Read and validate the baseline at ``path``."""
    try:
        data = read_json(path, "baseline")
    except ValueError as exc:
        raise BaselineError(str(exc)) from None
    return baseline_from_dict(data, str(path))


def dump_baseline(baseline: Baseline) -> str:
    return dump_json(baseline.to_dict())


def write_baseline(path: Path, baseline: Baseline) -> bool:
    """Write atomically; return False (and write nothing) when the bytes would not change."""
    text = dump_baseline(baseline)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None
    return True


def update_line(
    path: Path, wrote: bool, new: Baseline, changes: Mapping[str, list[str]], *, created: bool = False
) -> str:
    """What an update did, as pytest and ``agentcost update-baseline`` say it (``created``: there
    was no baseline file before)."""
    did = ("created" if created else "updated") if wrote else "unchanged"
    return (
        f"baseline {did}: {path} "
        f"({len(changes['written'])} written, {len(changes['pruned'])} pruned, "
        f"{len(changes['skipped'])} failed not written, {len(new.tests)} entries)"
    )


PASSED_OUTCOMES = ("passed", "xpassed")


def update_baseline(
    old: Baseline | None,
    run: RunCost,
    *,
    full_run: bool,
    prune: bool = False,
    include_failed: bool = False,
    reprice: Repricer | None = None,
    exact: Exact | None = None,
) -> tuple[Baseline, dict[str, list[str]]]:
    """The baseline after this run, and what changed (``written``, ``kept``, ``pruned``, ``skipped``).

    Tests that ran and made LLM or tool calls are written; tests that failed are
    not (unless ``include_failed``) and keep their old entry. Entries of tests
    that did not run are kept, unless this is a full run or ``prune`` is set.
    When the run was priced otherwise than the baseline, the entries kept are repriced at the
    run's prices with ``reprice`` (:class:`BaselineError` when one cannot be).
    """
    entries: dict[str, BaselineEntry] = dict(old.tests) if old is not None else {}
    renamed = renames(run, entries, full_run=full_run)
    changes: dict[str, list[str]] = {"written": [], "kept": [], "pruned": [], "skipped": []}
    ran: set[str] = set()
    for nodeid, test in sorted(run.tests.items()):
        if test.outcome in ("skipped", "xfailed"):
            continue
        ran.add(nodeid)
        if test.outcome not in PASSED_OUTCOMES and not include_failed:
            changes["skipped"].append(nodeid)
            continue
        if not test.calls:
            if nodeid in entries:
                # It ran and no longer calls anything: the entry goes.
                del entries[nodeid]
                changes["pruned"].append(nodeid)
            continue
        entries[nodeid] = BaselineEntry.from_test(test)
        changes["written"].append(nodeid)
        if nodeid in renamed:  # its entry under the old name is this one now
            del entries[renamed[nodeid]]
            changes["pruned"].append(renamed[nodeid])
    for nodeid, old_id in renamed.items():
        if old_id in entries and nodeid not in entries and run.tests[nodeid].outcome not in PASSED_OUTCOMES:
            # Renamed, and failed or skipped: its entry stays, under its new id.
            entries[nodeid] = entries.pop(old_id)
    if full_run or prune:
        for nodeid in sorted(set(entries) - ran - set(run.tests)):
            del entries[nodeid]
            changes["pruned"].append(nodeid)
    changes["kept"] = sorted(set(entries) - set(changes["written"]))
    if old is not None and old.price_source != run.price_source:
        # One price source per file: the entries this run did not write (not selected, skipped,
        # failed) are repriced at its prices, or a later run would compare their old costs raw.
        for nodeid in changes["kept"]:
            entries[nodeid] = _repriced(nodeid, entries[nodeid], reprice, exact, old.price_source, run.price_source)
    return Baseline(tests=dict(sorted(entries.items())), price_source=run.price_source), changes


def reprice_totals(reprice: Repricer, key: str, totals: ModelTotals) -> Decimal | None:
    """What a model's calls cost at other prices, from their summed usage.

    A price is for one call, and some depend on its size (a tier above 200k input tokens):
    priced whole, the sum of several calls would land in a tier none of them reached. The sum
    is priced as that many calls of even size (the summed counts shared out, a token apart),
    exact when the calls fall in one tier, which the counts kept cannot tell otherwise.
    """
    calls = max(totals.calls, 1)
    usage = totals.usage
    if calls == 1:
        return reprice(key, usage)
    fields = {kind: getattr(usage, kind) for kind in TOKEN_KINDS}
    # Call i takes one more of each count whose remainder is above i: few distinct shapes.
    cuts = sorted({0, calls} | {n % calls for n in fields.values()} | {n % calls for _, n in usage.units})
    total = Decimal(0)
    for start, end in itertools.pairwise(cuts):
        shape = replace(
            usage,
            **{kind: n // calls + (start < n % calls) for kind, n in fields.items()},
            units=tuple((name, n // calls + (start < n % calls)) for name, n in usage.units),
        )
        price = reprice(key, shape)
        if price is None:
            return None
        total += price * (end - start)
    return total


def _repriced(
    nodeid: str, entry: BaselineEntry, reprice: Repricer | None, exact: Exact | None, old: PriceSource, new: PriceSource
) -> BaselineEntry:
    """``entry`` at the run's prices, from its counts per model; its tool calls' cost as it was. An
    entry written unpriced stays so: only a run of its test shows how that run prices it."""
    if entry.cost_usd is None:
        return entry
    by_model = dict(entry.by_model)
    for key, totals in entry.by_model.items():
        shared_out = exact is None or exact(key, totals.calls, totals.usage.input_tokens)
        if not shared_out and stated_key(key):
            continue  # priced at what its answers stated (Perplexity's bill): no price list moves it
        # Calls of a tiered price whose sum passes its first tier: which were above it is not kept.
        cost = None if reprice is None or not shared_out else reprice_totals(reprice, key, totals)
        if cost is None:
            raise BaselineError(
                f"prices changed since the baseline ({old.describe()} -> {new.describe()}), and the entry of "
                f"{nodeid}, which this update keeps without rerunning it, cannot be repriced ({key}); "
                "update from a run that includes it"
            )
        by_model[key] = replace(totals, cost_usd=cost)
    llm = sum((t.cost_usd for t in by_model.values() if t.cost_usd is not None), Decimal(0))
    return replace(entry, cost_usd=llm + entry.tool_cost_usd, by_model=by_model)


def renames(run: RunCost, entries: Mapping[str, BaselineEntry], *, full_run: bool) -> dict[str, str]:
    """Tests renamed since the baseline, as their ``agent_cost(previously=...)`` marker says: the
    new node id -> the entry it continues (see :func:`rename_problems` for the markers refused).

    Only on a full run, where a test that did not run is known to be gone (under ``-k`` or in a
    shard the old test may just be deselected); only a test with no entry of its own, naming the
    entry of a test that did not run, and the only one to name it (a marker on a class, a module
    or a parametrized function names one entry for many tests: none of them is its heir).
    """
    if not full_run:
        return {}
    claims = _claims(run, entries)
    return {heirs[0]: old for old, heirs in sorted(claims.items()) if len(heirs) == 1 and old not in run.tests}


def rename_problems(run: RunCost, entries: Mapping[str, BaselineEntry], *, full_run: bool) -> dict[str, str]:
    """Why a test's ``previously`` marker paired it with no entry, by node id (empty when it did,
    or when nothing can be said: a partial run, or a test that has an entry of its own)."""
    if not full_run:
        return {}
    problems: dict[str, str] = {}
    for old, heirs in _claims(run, entries).items():
        for nodeid in heirs:
            if old in run.tests:
                problems[nodeid] = f"agent_cost previously={old!r} names a test that ran: not compared with it"
            elif len(heirs) > 1:
                problems[nodeid] = (
                    f"agent_cost previously={old!r} is on {len(heirs)} tests: none is compared with it "
                    "(put it on one pytest.param)"
                )
    for nodeid, spec in run.markers.items():
        named = spec.get("previously")
        if isinstance(named, str) and nodeid in run.tests and nodeid not in entries and named not in entries:
            problems[nodeid] = f"agent_cost previously={named!r} names no baseline entry"
    return problems


def _claims(run: RunCost, entries: Mapping[str, BaselineEntry]) -> dict[str, list[str]]:
    """Baseline entries named by ``previously`` markers of tests of this run without an entry."""
    claims: dict[str, list[str]] = {}
    for nodeid, spec in sorted(run.markers.items()):
        old = spec.get("previously")
        if isinstance(old, str) and old in entries and nodeid in run.tests and nodeid not in entries:
            claims.setdefault(old, []).append(nodeid)
    return claims


def nodeids(baseline: Baseline | None) -> Iterable[str]:
    return () if baseline is None else baseline.tests.keys()
