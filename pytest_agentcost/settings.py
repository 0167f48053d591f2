"""Validated settings of a run: options, ini values and per-test markers as plain data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pytest_agentcost.errors import ConfigError
from pytest_agentcost.models import SELF_HOSTED, parse_money
from pytest_agentcost.pricing import (
    ModelPrice,
    Pricer,
    load_price_file,
    parse_host,
    parse_price_date,
    parse_tool_prices,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "GATE_DEFAULTS",
    "Budget",
    "Settings",
    "TestRules",
    "Threshold",
    "parse_gate",
    "parse_host_providers",
    "parse_runs_per_month",
]

#: Default per-test and total threshold: fail only when cost rises by more
#: than 10% AND by more than $0.0001. Both must be exceeded, so a 50% rise on a
#: $0.00001 test ($0.000005) does not fail a build.
DEFAULT_THRESHOLD = "10%,$0.0001"


def _threshold_part(part: str, number: str, what: str) -> Decimal:
    """The number of one part of a threshold; an error names the option once and shows the part as given."""
    try:
        return parse_money(number.strip(), "value")
    except ValueError as exc:
        problem = str(exc).partition(":")[0].removeprefix("value ")  # "is negative", "is not a number"
        raise ConfigError(f"{what}: {part!r} {problem}") from None


@dataclass(frozen=True)
class Threshold:
    """A regression threshold: relative (percent) and/or absolute (USD); both set -> both must be exceeded."""

    percent: Decimal | None = None
    usd: Decimal | None = None

    @classmethod
    def parse(cls, spec: str, what: str = "threshold") -> Threshold:
        percent: Decimal | None = None
        usd: Decimal | None = None
        parts = [p.strip() for p in str(spec).split(",") if p.strip()]
        if not parts:
            raise ConfigError(f"{what}: empty; use e.g. '10%', '$0.002' or '10%,$0.0001'")
        seen: dict[str, str] = {}
        for part in parts:
            if part.endswith("%"):
                kind = "percentage"
                percent = _threshold_part(part, part[:-1], what)
            elif part.startswith("$"):
                kind = "dollar amount"
                usd = _threshold_part(part, part[1:], what)
            else:
                raise ConfigError(f"{what}: {part!r} is neither a percentage ('10%') nor dollars ('$0.002')")
            if kind in seen:
                # Two parts of one kind: the last would silently win.
                raise ConfigError(
                    f"{what}: two {kind}s ({seen[kind]!r} and {part!r}); give at most one percentage "
                    "and one dollar amount, e.g. '10%,$0.0001'"
                )
            seen[kind] = part
        return cls(percent, usd)

    def merged_over(self, base: Threshold) -> Threshold:
        """This threshold with the parts it leaves unset taken from ``base``."""
        return Threshold(
            self.percent if self.percent is not None else base.percent,
            self.usd if self.usd is not None else base.usd,
        )

    def exceeded(self, baseline: Decimal, current: Decimal) -> bool:
        delta = current - baseline
        if delta <= 0:
            return False
        if self.usd is not None and delta <= self.usd:
            return False
        return not (self.percent is not None and baseline > 0 and delta * 100 / baseline <= self.percent)

    def _parts(self) -> list[str]:
        parts = [] if self.percent is None else [f"{self.percent.normalize():f}%"]
        return parts if self.usd is None else [*parts, f"${self.usd.normalize():f}"]

    def spec(self) -> str:
        """The threshold as an option value ``parse`` reads back: ``10%,$0.0001``."""
        return ",".join(self._parts())

    def describe(self) -> str:
        """The threshold as reports name it: ``10% and $0.0001``."""
        return " and ".join(self._parts()) or "any increase"


@dataclass(frozen=True)
class Budget:
    """Hard per-test limits that hold with or without a baseline."""

    max_usd: Decimal | None = None
    max_llm_calls: int | None = None
    max_tokens: int | None = None


@dataclass(frozen=True)
class TestRules:
    """What the ``agent_cost`` marker of one test says."""

    __test__ = False

    threshold: Threshold | None = None
    budget: Budget = field(default_factory=Budget)
    runs_per_month: int | None = None
    previously: str | None = None
    """The node id this test had before a rename (its baseline entry is this test's)."""


_MARKER_KEYS = {"threshold", "max_usd", "max_llm_calls", "max_tokens", "runs_per_month", "previously"}


def parse_marker(args: Sequence[Any], kwargs: Mapping[str, Any], where: str) -> TestRules:
    """Validate ``@pytest.mark.agent_cost(...)`` arguments into :class:`TestRules`."""
    if args:
        raise ConfigError(f"{where}: agent_cost marker takes keyword arguments only, e.g. threshold='25%'")
    unknown = set(kwargs) - _MARKER_KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown agent_cost marker argument(s) {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(_MARKER_KEYS))}"
        )
    threshold = None
    if kwargs.get("threshold") is not None:
        threshold = Threshold.parse(str(kwargs["threshold"]), f"{where}: agent_cost threshold")

    def _usd(name: str) -> Decimal | None:
        value = kwargs.get(name)
        if value is None:
            return None
        text = repr(value) if isinstance(value, float) else str(value).lstrip("$")
        try:
            return parse_money(text, f"{where}: agent_cost {name}")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None

    def _count(name: str) -> int | None:
        value = kwargs.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where}: agent_cost {name} must be a non-negative whole number, not {value!r}")
        return value

    previously = kwargs.get("previously")
    if previously is not None and (not isinstance(previously, str) or not previously.strip() or previously == where):
        raise ConfigError(
            f"{where}: agent_cost previously must be the node id the test had before it was renamed "
            f"(as the baseline file keys it), not {previously!r}"
        )
    return TestRules(
        threshold=threshold,
        budget=Budget(_usd("max_usd"), _count("max_llm_calls"), _count("max_tokens")),
        runs_per_month=_count("runs_per_month"),
        previously=previously,
    )


def marker_spec(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """A marker's arguments as builtins that :func:`parse_marker` reads back the same (sent from
    xdist workers, kept in run files for ``agentcost compare``): ``Decimal("0.05")`` as ``"0.05"``,
    a float by its ``repr``, as :func:`parse_marker` reads them."""
    return {
        k: v if isinstance(v, str | int) else repr(v) if isinstance(v, float) else str(v) for k, v in kwargs.items()
    }


def parse_runs_per_month(value: str, what: str) -> int:
    """A monthly run count: a non-negative whole number (``1_000`` is allowed)."""
    try:
        runs = int(str(value).replace("_", ""))
    except ValueError:
        runs = -1
    if runs < 0:
        raise ConfigError(f"{what} must be a non-negative whole number, not {str(value)!r}")
    return runs


#: Provider names beyond the ids of genai-prices' snapshot: ``litellm``, which genai-prices
#: resolves by itself (the provider from a ``provider/model`` model name), and the self-hosted
#: ones (``ollama``), which only a price file prices.
_EXTRA_PROVIDERS = ("litellm", *sorted(SELF_HOSTED))


def parse_host_providers(lines: Sequence[str]) -> dict[str, str]:
    """Parse ``host = provider`` lines (ini option ``agent_cost_providers``).

    The provider must be one genai-prices knows: its id or one of its aliases
    (``gemini``, ``bedrock`` ...), which is stored as the id URL detection gives.
    Any other name would be taken as is and show up as ``name:model`` in reports.
    """
    from genai_prices.data_snapshot import get_snapshot

    snapshot = get_snapshot()
    result: dict[str, str] = {}
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        host, sep, name = (part.strip() for part in text.partition("="))
        if not sep or not host or not name:
            raise ConfigError(f"agent_cost_providers: expected 'host = provider', got {text!r}")
        name = name.lower()
        if name not in _EXTRA_PROVIDERS:
            try:
                name = snapshot.find_provider(None, name, None).id
            except LookupError:
                known = sorted({p.id for p in snapshot.providers} | set(_EXTRA_PROVIDERS))
                raise ConfigError(
                    f"agent_cost_providers: unknown provider {name!r} for {host}: a line names whose API a host "
                    "serves, one genai-prices knows (price a provider it does not know with a price file entry "
                    f"or a pytest_agentcost_price_call hook); known providers: {', '.join(known)}"
                ) from None
        result[parse_host(host, "agent_cost_providers")] = name
    return result


#: The gate settings a run report records (its ``gate`` object), each with the value it takes when
#: nothing sets it: what ``pytest --agent-cost`` does without options or ini values, and so what
#: ``agentcost compare`` applies to a run file written before reports recorded them.
GATE_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {
        "fail_unpriced": False,
        "gate_estimates": False,
        "mode": "fail",
        "runs_per_month": None,
        "stale": "warn",
        "threshold": DEFAULT_THRESHOLD,
        "total_threshold": None,
    }
)

_GATE_CHOICES = {"mode": ("fail", "warn"), "stale": ("ignore", "warn", "fail")}


def parse_gate(data: Any, what: str) -> dict[str, Any]:
    """Validate a run report's ``gate`` object into every key of :data:`GATE_DEFAULTS`.

    Keys it leaves out take their default; keys this version does not know are left out, as a
    reader of schema 1 ignores optional keys added after it. Thresholds come back as ``spec()``.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(f"{what} must be an object of gate settings, not {data!r}")
    result = dict(GATE_DEFAULTS)
    for key in GATE_DEFAULTS.keys() & data.keys():
        value, name = data[key], f"{what}.{key}"
        if key in ("threshold", "total_threshold"):
            if value is None and key == "total_threshold":
                pass  # the total is not gated
            elif isinstance(value, str):
                value = Threshold.parse(value, name).spec()
            else:
                raise ConfigError(f"{name} must be a threshold such as '10%,$0.0001', not {value!r}")
        elif key in _GATE_CHOICES:
            if value not in _GATE_CHOICES[key]:
                raise ConfigError(f"{name} must be one of {', '.join(_GATE_CHOICES[key])}, not {value!r}")
        elif key == "runs_per_month":
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ConfigError(f"{name} must be a non-negative whole number or null, not {value!r}")
        elif not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false, not {value!r}")
        result[key] = value
    return result


@dataclass
class Settings:
    """Everything a run needs to know, validated once at configure time."""

    rootdir: Path
    baseline: Path
    baseline_explicit: bool
    json_path: Path | None
    markdown_path: Path | None
    update_baseline: bool
    prune: bool
    include_failed: bool
    threshold: Threshold
    total_threshold: Threshold | None
    mode: str
    fail_unpriced: bool
    pricer: Pricer
    host_providers: dict[str, str]
    stale_policy: str
    stale_ignore_fields: list[str] | None
    gate_estimates: bool
    runs_per_month: int | None
    scan: bool
    markers: dict[str, TestRules] = field(default_factory=dict)
    _marker_specs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        rootdir: Path,
        baseline: Path,
        baseline_explicit: bool = False,
        json_path: str | None = None,
        markdown_path: str | None = None,
        update_baseline: bool = False,
        prune: bool = False,
        include_failed: bool = False,
        threshold: str = "",
        total_threshold: str = "",
        mode: str = "fail",
        fail_unpriced: bool = False,
        price_date: str = "",
        prices_file: Path | None = None,
        tool_prices: list[str] | None = None,
        host_providers: dict[str, str] | None = None,
        stale_policy: str = "warn",
        stale_ignore_fields: list[str] | None = None,
        gate_estimates: bool = False,
        tiktoken_cache: str | None = None,
        tiktoken_download: bool = True,
        runs_per_month: str | int | None = None,
        scan: bool = False,
    ) -> Settings:
        mode = (mode or "fail").strip().lower()
        if mode not in ("fail", "warn"):
            raise ConfigError(f"agent_cost_mode must be 'fail' or 'warn', not {mode!r}")
        stale_policy = (stale_policy or "warn").strip().lower()
        if stale_policy not in ("ignore", "warn", "fail"):
            raise ConfigError(f"agent_cost_stale must be 'ignore', 'warn' or 'fail', not {stale_policy!r}")
        overrides: dict[str, ModelPrice] = {}
        digest: str | None = None
        if prices_file is not None:
            overrides, digest = load_price_file(prices_file)
        pricer = Pricer(
            price_date=parse_price_date(price_date) if price_date else None,
            overrides=overrides,
            overrides_digest=digest,
            tool_prices=parse_tool_prices(list(tool_prices or [])),
        )
        from pytest_agentcost import tokens

        if tiktoken_cache:
            cache = Path(tiktoken_cache)
            tokens.configure_cache_dir(str(cache if cache.is_absolute() else rootdir / cache))
        tokens.configure_download(enabled=tiktoken_download)
        rpm = (
            None
            if runs_per_month is None or runs_per_month == ""
            else parse_runs_per_month(str(runs_per_month), "agent_cost_runs_per_month")
        )
        return cls(
            rootdir=rootdir,
            baseline=baseline,
            baseline_explicit=baseline_explicit,
            json_path=Path(json_path) if json_path else None,
            markdown_path=Path(markdown_path) if markdown_path else None,
            update_baseline=update_baseline,
            prune=prune,
            include_failed=include_failed,
            threshold=Threshold.parse(threshold or DEFAULT_THRESHOLD, "agent_cost_threshold"),
            # The suite total is gated only when asked: per-test thresholds (and marker
            # overrides) are the main gate, and a default total gate would override them.
            total_threshold=Threshold.parse(total_threshold, "agent_cost_total_threshold") if total_threshold else None,
            mode=mode,
            fail_unpriced=fail_unpriced,
            pricer=pricer,
            host_providers=dict(host_providers or {}),
            stale_policy=stale_policy,
            stale_ignore_fields=stale_ignore_fields,
            gate_estimates=gate_estimates,
            runs_per_month=rpm,
            scan=scan,
        )

    def gate_settings(self) -> dict[str, Any]:
        """The settings the gate judges a run by, as the run report records them (``gate``), so
        ``agentcost compare`` on that report, or on shards merged, gives pytest's verdict."""
        return {
            "fail_unpriced": self.fail_unpriced,
            "gate_estimates": self.gate_estimates,
            "mode": self.mode,
            "runs_per_month": self.runs_per_month,
            "stale": self.stale_policy,
            "threshold": self.threshold.spec(),
            "total_threshold": None if self.total_threshold is None else self.total_threshold.spec(),
        }

    def record_marker(self, nodeid: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        self.markers[nodeid] = parse_marker(args, kwargs, nodeid)
        self._marker_specs[nodeid] = marker_spec(kwargs)

    def marker_specs(self) -> dict[str, dict[str, Any]]:
        """Marker arguments as builtins (sent from xdist workers to the controller)."""
        return dict(self._marker_specs)

    def rules_for(self, nodeid: str) -> TestRules:
        return self.markers.get(nodeid, TestRules())

    def threshold_for(self, nodeid: str) -> Threshold:
        rules = self.markers.get(nodeid)
        if rules is None or rules.threshold is None:
            return self.threshold
        return rules.threshold.merged_over(self.threshold)
