"""The data model: plain frozen dataclasses, plain builtins on the wire.

Data flows one way: an HTTP interaction becomes a :class:`CallRecord`; the
calls of one test make a :class:`TestCost`; the tests of a session make a
:class:`RunCost`. Every class has ``to_dict``/``from_dict`` over JSON builtins
so xdist workers, the JSON report, the baseline and the CLI share one format.

Money is :class:`~decimal.Decimal` end to end. On disk it is a string with
:data:`MONEY_PLACES` decimal places (see :func:`format_money`); sums are taken
over the exact values and rounded once, when written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from pytest_agentcost._cached import cached
from pytest_agentcost._frozen import fast_frozen_init

__all__ = [
    "MONEY_PLACES",
    "SELF_HOSTED",
    "TOKEN_KINDS",
    "CallRecord",
    "IterationCost",
    "ModelTotals",
    "PriceContext",
    "PriceSource",
    "RunCost",
    "TestCost",
    "TokenUsage",
    "ToolHostTotals",
    "Units",
    "format_money",
    "last_own",
    "parse_money",
    "price_context_from",
    "quantize_money",
    "share_cost",
]

#: Decimal places of every money string we write (1e-10 USD resolves one token
#: of the cheapest embedding models).
MONEY_PLACES = 10
_QUANTUM = Decimal(1).scaleb(-MONEY_PLACES)

#: The token kinds we report, with genai-prices' ``Usage`` semantics:
#: input counts all input (cache reads and writes included), output counts all
#: output (reasoning included).
TOKEN_KINDS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
)


#: Providers no price list prices, so their calls are priced only by a price file entry, never by
#: a model of the same name a cloud host sells: models on the user's own hardware (``ollama``),
#: and Ollama's own hosting of them (``ollama-cloud``), billed by plan rather than per token.
SELF_HOSTED = frozenset({"ollama", "ollama-cloud"})


#: A call's other genai-prices usage units that its price depends on, beyond the five token kinds
#: (hosted web searches, one-hour cache writes, audio or image tokens), as ``(usage key, count)``
#: pairs sorted by key: ``(("web_searches", 1),)``. Kept so that a baseline can be repriced with
#: everything the call was priced by. Empty for nearly every call.
Units = tuple[tuple[str, int], ...]


def units_from(value: Any, what: str = "units") -> Units:
    """:data:`Units` from its JSON form (an object of whole numbers), or ValueError naming ``what``."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must be an object of whole numbers, not {value!r}")
    pairs: list[tuple[str, int]] = []
    for key, count in value.items():
        if not isinstance(key, str):
            raise ValueError(f"{what} keys must be strings, not {key!r}")
        pairs.append((key, _int(count, f"{what}.{key}")))
    return tuple(sorted(pairs))


def _merge_units(parts: Iterable[Units]) -> Units:
    merged: dict[str, int] = {}
    for units in parts:
        for key, count in units:
            merged[key] = merged.get(key, 0) + count
    return tuple(sorted(merged.items()))


#: The request context genai-prices selects a call's price variant by (``ModelInfo.get_prices``'s
#: ``price_context``), as ``(key, value)`` pairs sorted by key: ``(("service_tier", "flex"),)``.
#: Empty for the standard price. A tuple, not a dict: hashable, so it keys the compiled-price memo
#: and the report's JSON cache as it is.
PriceContext = tuple[tuple[str, str], ...]


def price_context_from(value: Any, what: str = "price_context") -> PriceContext:
    """A :data:`PriceContext` from its JSON form (an object of strings), or ValueError naming ``what``."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise ValueError(f"{what} must be an object of strings, not {value!r}")
    pairs: list[tuple[str, str]] = []
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise ValueError(f"{what} must map strings to strings, not {key!r}: {item!r}")
        pairs.append((key, item))
    return tuple(sorted(pairs))


#: Above any real cost (a trillion dollars); a file that says more was edited into nonsense.
_MAX_MONEY = Decimal(10) ** 12
#: The most one call may cost: a thousandth of what money is written with, so that the sums of a
#: test's and a run's calls stay within it. A price above it is a corrupt count or a hook's bug.
MAX_CALL_COST = Decimal(10) ** 9


def within_call_cost(cost: Decimal) -> bool:
    """Whether ``cost`` is one a call can have: not negative, below :data:`MAX_CALL_COST`."""
    return 0 <= cost < MAX_CALL_COST


def quantize_money(value: Decimal) -> Decimal:
    """``value`` at the precision money is written with (``MONEY_PLACES``), so that it reads back
    from JSON as it was."""
    return value.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)


def format_money(value: Decimal) -> str:
    """``Decimal`` -> fixed-precision string, e.g. ``"0.0012500000"``."""
    quantized = quantize_money(value)
    if quantized == 0:
        quantized = abs(quantized)  # never write "-0.0000000000"
    return f"{quantized:f}"


def parse_money(value: Any, what: str = "cost") -> Decimal:
    """Parse a money string (or int) into a finite, non-negative ``Decimal``.

    Raises ``ValueError`` naming ``what`` on anything else (floats included: they
    do not round-trip, and a hand-edited file with one is a mistake).
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f'{what} must be a decimal string such as "0.0125", not {value!r}')
    if isinstance(value, str) and "_" in value:
        raise ValueError(f"{what} is not a number: {value!r}")  # Decimal() reads "1_000" as 1000
    try:
        parsed = Decimal(value)
    except (InvalidOperation, ValueError):
        raise ValueError(f"{what} is not a number: {value!r}") from None
    if not parsed.is_finite():
        raise ValueError(f"{what} is not finite: {value!r}")
    if parsed < 0:
        raise ValueError(f"{what} is negative: {value!r}")
    if parsed >= _MAX_MONEY:
        # Written with 10 places, sums of thousands of such amounts must stay within Decimal's precision.
        raise ValueError(f"{what} is too large: {value!r}")
    return parsed


def _parse_optional_money(value: Any, what: str) -> Decimal | None:
    return None if value is None else parse_money(value, what)


def _opt_money(value: Decimal | None) -> str | None:
    return None if value is None else format_money(value)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    if value < 0:
        raise ValueError(f"{what} is negative: {value!r}")
    return value


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Token counts of one call, or summed over calls."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    units: Units = ()
    """Other usage units the price depends on (see :data:`Units`); JSON key ``units``, only when any."""

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
            _merge_units((self.units, other.units)) if self.units or other.units else (),
        )

    @property
    def total_tokens(self) -> int:
        """Input plus output (cache and reasoning are already inside those)."""
        return self.input_tokens + self.output_tokens

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "reasoning_tokens": self.reasoning_tokens,
        }
        if self.units:
            data["units"] = dict(self.units)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "usage") -> TokenUsage:
        i, o, cr, cw, r = (_int(data.get(k, 0), f"{where}.{k}") for k in TOKEN_KINDS)
        return cls(i, o, cr, cw, r, units_from(data.get("units"), f"{where}.units"))

    @classmethod
    def sum(cls, items: Iterable[TokenUsage]) -> TokenUsage:
        # One pass, no intermediate objects: run totals sum tens of thousands of these.
        i = o = cr = cw = r = 0
        units: list[Units] = []
        for item in items:
            i += item.input_tokens
            o += item.output_tokens
            cr += item.cache_read_tokens
            cw += item.cache_write_tokens
            r += item.reasoning_tokens
            if item.units:
                units.append(item.units)
        return cls(i, o, cr, cw, r, _merge_units(units) if units else ())


@dataclass(frozen=True, slots=True)
class IterationCost:
    """One iteration of a call priced iteration by iteration (a Claude answer's
    ``usage.iterations``: a compaction step, an advisor's sub-inference): its model, None for the
    call's own, its usage and its cost."""

    model: str | None
    usage: TokenUsage
    cost_usd: Decimal | None

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "cost_usd": _opt_money(self.cost_usd), **self.usage.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IterationCost:
        if not isinstance(data, Mapping):
            raise ValueError(f"an iteration must be an object, not {data!r}")
        model = data.get("model")
        return cls(
            model=None if model is None else str(model),
            usage=TokenUsage.from_dict(data, "iteration"),
            cost_usd=_parse_optional_money(data.get("cost_usd"), "iteration cost_usd"),
        )


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class CallRecord:
    """One HTTP interaction a test played from a cassette or recorded live.

    ``kind`` is ``"llm"`` for a call to an LLM endpoint (billed only when
    ``billed``: error responses are HTTP calls, not billed LLM calls) and
    ``"tool"`` for any other host (a search API, a scraper).
    """

    kind: str
    host: str
    status: int
    provider: str | None = None
    endpoint: str | None = None
    model: str | None = None
    usage: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: Decimal | None = Decimal(0)
    billed: bool = True
    estimated: bool = False
    streamed: bool = False
    tool_calls: int = 0
    cassette: str | None = None
    warnings: tuple[str, ...] = ()
    drift: Mapping[str, Any] | None = None
    """Stale-cassette drift of this call (see :mod:`pytest_agentcost.drift`), as a dict."""
    response_id: str | None = None
    is_poll: bool = False
    price_context: PriceContext = ()
    """The service tier the response reports, as the genai-prices price context it was priced in
    (``(("service_tier", "flex"),)``); empty for the standard tier. A price file entry for the
    model prices it whatever the context."""
    iterations: tuple[IterationCost, ...] = ()
    """A call priced iteration by iteration (its ``price_context`` says ``priced=per iteration``):
    each iteration's model, usage and cost, which ``usage`` and ``cost_usd`` sum. ``by_model``
    totals them apart, each under its own model."""

    @property
    def priced(self) -> bool:
        return self.cost_usd is not None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "host": self.host,
            "status": self.status,
            "cost_usd": _opt_money(self.cost_usd),
        }
        if self.kind == "llm":
            data |= {
                "provider": self.provider,
                "endpoint": self.endpoint,
                "model": self.model,
                "billed": self.billed,
                "estimated": self.estimated,
                "streamed": self.streamed,
                "tool_calls": self.tool_calls,
                **self.usage.to_dict(),
            }
        if self.cassette is not None:
            data["cassette"] = self.cassette
        if self.warnings:
            data["warnings"] = list(self.warnings)
        if self.drift is not None:
            data["drift"] = dict(self.drift)
        if self.response_id is not None:
            data["response_id"] = self.response_id
        if self.is_poll:
            data["is_poll"] = True
        if self.price_context:
            data["price_context"] = dict(self.price_context)
        if self.iterations:
            data["iterations"] = [part.to_dict() for part in self.iterations]
        return data

    def by_model_parts(self) -> tuple[tuple[str | None, TokenUsage, Decimal | None], ...]:
        """What ``by_model`` totals of this call: (model, usage, cost) of each of its iterations
        (whose costs are shares of its cost, see :func:`share_cost`), else of the whole call."""
        if self.iterations:
            return tuple((part.model or self.model, part.usage, part.cost_usd) for part in self.iterations)
        return ((self.model, self.usage, self.cost_usd),)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CallRecord:
        if not isinstance(data, Mapping):
            raise ValueError(f"a call must be an object, not {data!r}")
        kind = str(data.get("kind", "llm"))
        return cls(
            kind=kind,
            host=str(data.get("host", "")),
            status=_int(data.get("status", 0), "status"),
            provider=data.get("provider"),
            endpoint=data.get("endpoint"),
            model=data.get("model"),
            usage=TokenUsage.from_dict(data, "call") if kind == "llm" else TokenUsage(),
            cost_usd=_parse_optional_money(data.get("cost_usd"), "call cost_usd"),
            billed=bool(data.get("billed", True)),
            estimated=bool(data.get("estimated", False)),
            streamed=bool(data.get("streamed", False)),
            tool_calls=_int(data.get("tool_calls", 0), "tool_calls"),
            cassette=data.get("cassette"),
            warnings=tuple(data.get("warnings", ())),
            drift=data.get("drift"),
            response_id=data.get("response_id"),
            is_poll=bool(data.get("is_poll", False)),
            price_context=price_context_from(data.get("price_context"), "call price_context"),
            iterations=tuple(
                IterationCost.from_dict(part)
                for part in _json_list(data.get("iterations", ()), "a call's 'iterations'")
            ),
        )


@dataclass(frozen=True)
class ModelTotals:
    """Usage and cost of one model (``provider:model``) over a set of calls."""

    calls: int = 0
    usage: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: Decimal | None = Decimal(0)

    def to_dict(self) -> dict[str, Any]:
        return {"calls": self.calls, "cost_usd": _opt_money(self.cost_usd), **self.usage.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "model") -> ModelTotals:
        return cls(
            calls=_int(data.get("calls", 0), f"{where}.calls"),
            usage=TokenUsage.from_dict(data, where),
            cost_usd=_parse_optional_money(data.get("cost_usd"), f"{where}.cost_usd"),
        )


@dataclass(frozen=True)
class EstimatedPart:
    """A test's billed calls whose usage was estimated (no usage in the response): how many, and
    the token kinds estimated. The baseline keeps it so that a test whose estimates did not move
    is gated on what its exact calls did, instead of left ungated for one estimated call.

    Only the token kinds: an estimated call's other units (web searches) are counted exactly, and
    which of them a call keeps depends on the prices (:meth:`Pricer.units`), so a price file or a
    genai-prices upgrade would read as a moved estimate."""

    calls: int
    usage: TokenUsage

    @classmethod
    def of(cls, calls: int, usage: TokenUsage) -> EstimatedPart:
        """The part of ``calls`` estimated calls whose summed usage is ``usage`` (its units left out)."""
        kinds = (getattr(usage, kind) for kind in TOKEN_KINDS)
        return cls(calls, TokenUsage(*kinds))

    def to_dict(self) -> dict[str, Any]:
        return {"calls": self.calls, **self.usage.to_dict()}

    @classmethod
    def from_dict(cls, data: Any, where: str = "estimated part") -> EstimatedPart:
        if not isinstance(data, Mapping):
            raise ValueError(f"{where} must be an object, not {data!r}")
        return cls.of(_int(data.get("calls", 0), f"{where}.calls"), TokenUsage.from_dict(data, where))


@dataclass(frozen=True)
class ToolHostTotals:
    """HTTP calls to one non-LLM host and what they cost (per-call price option)."""

    calls: int = 0
    cost_usd: Decimal = Decimal(0)
    unbilled: int = 0
    """Of ``calls``, those not answered 2xx (an error, a redirect): a paid API bills none of them,
    so they cost nothing (JSON key ``unbilled``, only when any)."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"calls": self.calls, "cost_usd": format_money(self.cost_usd)}
        if self.unbilled:
            data["unbilled"] = self.unbilled
        return data

    @classmethod
    def from_dict(cls, data: Any, where: str = "tool host") -> ToolHostTotals:
        if not isinstance(data, Mapping):
            raise ValueError(f"{where} must be an object, not {data!r}")
        calls = _int(data.get("calls", 0), f"{where}.calls")
        unbilled = _int(data.get("unbilled", 0), f"{where}.unbilled")
        if unbilled > calls:
            raise ValueError(f"{where}.unbilled must be at most its calls ({calls}), not {unbilled}")
        return cls(calls, parse_money(data.get("cost_usd", "0"), f"{where}.cost_usd"), unbilled)

    @staticmethod
    def sum(per_host: Iterable[Mapping[str, ToolHostTotals]]) -> dict[str, ToolHostTotals]:
        """Calls and cost per host over several tests' (or baseline entries') ``tool_hosts``."""
        result: dict[str, ToolHostTotals] = {}
        for totals_by_host in per_host:
            for host, totals in totals_by_host.items():
                prev = result.get(host, ToolHostTotals())
                result[host] = ToolHostTotals(
                    prev.calls + totals.calls, prev.cost_usd + totals.cost_usd, prev.unbilled + totals.unbilled
                )
        return result

    @property
    def billed(self) -> int:
        """The calls billed: answered 2xx."""
        return self.calls - self.unbilled

    @property
    def price(self) -> Decimal | None:
        """USD per billed call (every call to a host has one price), or None without any."""
        return self.cost_usd / self.billed if self.billed else None


#: How a wider-scoped fixture's entry ends: ``tests/test_a.py::agent [module fixture]``.
FIXTURE_ENTRY_SUFFIX = " fixture]"


def representative_setup(setups: Iterable[TestCost]) -> TestCost:
    """Of several set-ups of one wider-scoped fixture, the one its entry reports.

    A fixture is set up again after an attempt that errored (a rerun), once per xdist worker or
    shard that needs it, and once more whenever the test order or a parameter makes pytest tear
    it down early. Its entry is the cost of one set-up: one that did not error, the dearest of
    those, so that neither the order nor the number of workers or shards moves it. The choice is
    a maximum under a total order (the calls' JSON decides last), so it does not depend on which
    set-up came first.
    """
    from pytest_agentcost.report import _call_json

    def rank(test: TestCost) -> tuple[bool, bool, Decimal, int, str]:
        cost = test.cost_usd
        return (
            test.outcome == "passed",
            cost is None,  # unpriced needs attention: it outranks any price
            cost if cost is not None else Decimal(0),
            test.http_calls,
            "\n".join(_call_json(c) for c in test.calls),
        )

    return max(setups, key=rank)


def bill_responses_once(calls: Iterable[CallRecord]) -> tuple[CallRecord, ...]:
    """OpenAI background mode: polls of one response id repeat its usage; bill the id once."""
    billed_ids: set[str] = set()
    result = []
    for call in calls:
        rid = call.response_id
        if call.kind == "llm" and call.billed and rid and call.is_poll:
            if rid in billed_ids:
                call = replace(
                    call,
                    billed=False,
                    usage=TokenUsage(),
                    cost_usd=Decimal(0),
                    tool_calls=0,
                    warnings=(*call.warnings, f"poll of response {call.response_id} already billed"),
                )
            else:
                billed_ids.add(rid)
        elif call.kind == "llm" and call.billed and rid:
            billed_ids.add(rid)
        result.append(call)
    return tuple(result)


def _add_cost(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a + b


def share_cost(parts: tuple[IterationCost, ...], cost: Decimal | None) -> tuple[IterationCost, ...]:
    """``parts`` with costs that sum to ``cost`` exactly, each written to ``MONEY_PLACES``.

    Their own costs are their list prices, and ``cost`` is shared in their proportion (a cost
    that is their sum gives each its own, to a quantum; a hook's is scaled), see
    :func:`_apportioned`. Parts without a price, or of no cost, give the whole to the last part
    of the call's own model. An unpriced call's parts keep the prices they have, or none when
    every part has one: what left the call unpriced is then the call's, not a part's.
    """
    listed = [part.cost_usd for part in parts]
    if cost is None:
        return parts if None in listed else tuple(replace(part, cost_usd=None) for part in parts)
    cost = quantize_money(cost)
    total = sum_costs(listed)
    shares: list[Decimal]
    if total is None or total <= 0 or cost < 0 or any(c is not None and c < 0 for c in listed):
        shares = [Decimal(0)] * len(parts)
        shares[last_own([part.model for part in parts])] = cost
    else:
        shares = _apportioned([cost * c / total for c in listed if c is not None], cost)
    return tuple(replace(part, cost_usd=share) for part, share in zip(parts, shares, strict=True))


def _apportioned(targets: list[Decimal], cost: Decimal) -> list[Decimal]:
    """``targets`` (none negative, summing to ``cost``, a multiple of the money quantum) as
    multiples of it summing to ``cost`` exactly: each rounded down, the quanta left given one by
    one to the largest remainders, the first of equal ones first. None is negative, and none is
    more than a quantum from its target."""
    shares = [target.quantize(_QUANTUM, rounding=ROUND_FLOOR) for target in targets]
    left = int((cost - sum(shares, Decimal(0))) / _QUANTUM)
    order = sorted(range(len(targets)), key=lambda index: (shares[index] - targets[index], index))
    for index in order[:left]:
        shares[index] += _QUANTUM
    return shares


def sum_costs(costs: Iterable[Decimal | None]) -> Decimal | None:
    """The sum, in order; ``None`` when any cost is unpriced."""
    total: Decimal | None = Decimal(0)
    for cost in costs:
        total = _add_cost(total, cost)
    return total


def last_own(models: Iterable[str | None]) -> int:
    """The index of the last iteration of a call's own model (None in ``models``), else the
    last's: where what the call counts as a whole (its hosted searches, its cost when its parts
    have no price) goes."""
    found = list(models)
    return max((index for index, model in enumerate(found) if model is None), default=len(found) - 1)


def _json_list(value: Any, what: str) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{what} must be a list, not {value!r}")
    return value


def model_key(provider: str | None, model: str | None, context: PriceContext = ()) -> str:
    """The ``by_model`` key: ``provider:model`` with ``?`` for an unknown part, then the price
    context of calls not served at the standard price: ``openai:o4-mini [service_tier=flex]``.

    Calls in another tier are totalled apart, so a baseline can be repriced tier by tier
    (:func:`split_model_key` reads the key back).
    """
    key = f"{provider or '?'}:{model or '?'}"
    if context:
        key += " [" + ", ".join(f"{name}={value}" for name, value in context) + "]"
    return key


def split_model_key(key: str) -> tuple[str | None, str | None, PriceContext]:
    """``(provider, model, context)`` of a :func:`model_key` (None for a ``?`` part)."""
    context: PriceContext = ()
    if key.endswith("]") and " [" in key:
        base, _, inner = key[:-1].rpartition(" [")
        pairs = [item.partition("=") for item in inner.split(", ")]
        if all(sep and name and value for name, sep, value in pairs):
            key = base
            context = price_context_from({name: value for name, _, value in pairs})
    provider, _, model = key.partition(":")
    return (None if provider in ("", "?") else provider), (None if model in ("", "?") else model), context


@fast_frozen_init
@dataclass(frozen=True, slots=True)
class _Tally:
    """The figures of one test, summed over its calls once (see ``TestCost._tally``)."""

    llm: tuple[CallRecord, ...]
    billed: tuple[CallRecord, ...]
    usage: TokenUsage
    tool_calls: int
    tool_http_calls: int
    llm_cost_usd: Decimal | None
    tool_cost_usd: Decimal
    estimated: bool
    stale: bool
    unpriced_models: tuple[str, ...]


@dataclass(frozen=True)
class TestCost:
    """Everything one test (one pytest node id) spent."""

    __test__ = False  # not a pytest test class, despite the name

    nodeid: str
    outcome: str = "passed"
    calls: tuple[CallRecord, ...] = ()
    location: tuple[str, int] | None = None
    """(path relative to rootdir, 1-based line) of the test function, for annotations."""
    reruns: int = 0
    """Earlier attempts a rerun plugin (pytest-rerunfailures) threw away; their calls are not in ``calls``."""

    @cached
    def _tally(self) -> _Tally:
        # One pass over the calls (two more over the billed ones) for every per-test figure:
        # reports sum thousands of tests.
        llm: list[CallRecord] = []
        billed: list[CallRecord] = []
        tool_calls = tool_http_calls = 0
        tool_cost = Decimal(0)
        estimated = stale = False
        unpriced: set[str] = set()
        for c in self.calls:
            if c.kind != "llm":
                tool_http_calls += 1
                tool_cost += c.cost_usd or Decimal(0)
                continue
            llm.append(c)
            if c.drift is not None:
                stale = True
            if not c.billed:
                continue
            billed.append(c)
            tool_calls += c.tool_calls
            if c.estimated:
                estimated = True
            if c.cost_usd is None:
                for model, _, cost in c.by_model_parts():  # an advisor's model without a price
                    if cost is None:
                        unpriced.add(model_key(c.provider, model))
        return _Tally(
            llm=tuple(llm),
            billed=tuple(billed),
            usage=TokenUsage.sum(c.usage for c in billed),
            tool_calls=tool_calls,
            tool_http_calls=tool_http_calls,
            llm_cost_usd=sum_costs(c.cost_usd for c in billed),
            tool_cost_usd=tool_cost,
            estimated=estimated,
            stale=stale,
            unpriced_models=tuple(sorted(unpriced)),
        )

    @property
    def llm(self) -> tuple[CallRecord, ...]:
        return self._tally.llm

    @property
    def billed(self) -> tuple[CallRecord, ...]:
        return self._tally.billed

    @property
    def llm_calls(self) -> int:
        return len(self._tally.billed)

    @property
    def http_calls(self) -> int:
        return len(self.calls)

    @property
    def tool_http_calls(self) -> int:
        return self._tally.tool_http_calls

    @property
    def tool_calls(self) -> int:
        """Tool calls the model asked for (agent steps)."""
        return self._tally.tool_calls

    @property
    def usage(self) -> TokenUsage:
        return self._tally.usage

    @property
    def estimated(self) -> bool:
        return self._tally.estimated

    @property
    def estimated_part(self) -> EstimatedPart | None:
        """The billed calls made from estimates and their usage; None when there are none."""
        if not self.estimated:
            return None
        calls = [c for c in self.billed if c.estimated]
        return EstimatedPart.of(len(calls), TokenUsage.sum(c.usage for c in calls))

    @property
    def stale(self) -> bool:
        return self._tally.stale

    @property
    def stale_changes(self) -> tuple[str, ...]:
        """What changed in the requests of its stale calls since they were recorded, sorted."""
        return tuple(sorted({c for call in self.llm for c in (call.drift or {}).get("changes", ())}))

    @property
    def unpriced_models(self) -> tuple[str, ...]:
        return self._tally.unpriced_models

    @property
    def llm_cost_usd(self) -> Decimal | None:
        return self._tally.llm_cost_usd

    @property
    def tool_cost_usd(self) -> Decimal:
        return self._tally.tool_cost_usd

    @cached
    def cost_usd(self) -> Decimal | None:
        """LLM plus paid tool calls; ``None`` when any billed LLM call is unpriced."""
        return _add_cost(self.llm_cost_usd, self.tool_cost_usd)

    @property
    def has_cost_data(self) -> bool:
        """True when the test made at least one HTTP call we observed."""
        return bool(self.calls)

    def by_model(self) -> dict[str, ModelTotals]:
        """Usage and cost per ``provider:model`` (computed once; do not modify)."""
        return self._by_model

    @cached
    def _by_model(self) -> dict[str, ModelTotals]:
        # A call priced per iteration counts each iteration as a call of its own model: a baseline
        # reprices each model's calls at its price, a tier chosen by each iteration's size.
        grouped: dict[str, list[tuple[TokenUsage, Decimal | None]]] = {}
        for c in self.billed:
            for model, usage, cost in c.by_model_parts():
                grouped.setdefault(model_key(c.provider, model, c.price_context), []).append((usage, cost))
        return {
            key: ModelTotals(len(parts), TokenUsage.sum(u for u, _ in parts), sum_costs(c for _, c in parts))
            for key, parts in grouped.items()
        }

    def tool_hosts(self) -> dict[str, ToolHostTotals]:
        result: dict[str, ToolHostTotals] = {}
        for c in self.calls:
            if c.kind != "tool":
                continue
            prev = result.get(c.host, ToolHostTotals())
            result[c.host] = ToolHostTotals(
                prev.calls + 1,
                prev.cost_usd + (c.cost_usd or Decimal(0)),
                # A report written before errors were free charged them: billed, as it says.
                prev.unbilled + (not 200 <= c.status < 300 and not c.cost_usd),
            )
        return result

    def with_outcome(self, outcome: str) -> TestCost:
        return replace(self, outcome=outcome)

    def summary_dict(self) -> dict[str, Any]:
        """The per-test numbers without the call list (used by the baseline too)."""
        return {
            "outcome": self.outcome,
            "cost_usd": _opt_money(self.cost_usd),
            "llm_cost_usd": _opt_money(self.llm_cost_usd),
            "tool_cost_usd": format_money(self.tool_cost_usd),
            "llm_calls": self.llm_calls,
            "http_calls": self.http_calls,
            "tool_http_calls": self.tool_http_calls,
            "tool_calls": self.tool_calls,
            "estimated": self.estimated,
            "stale": self.stale,
            "unpriced_models": list(self.unpriced_models),
            **self.usage.to_dict(),
            "by_model": {k: v.to_dict() for k, v in sorted(self.by_model().items())},
            "tool_hosts": {k: v.to_dict() for k, v in sorted(self.tool_hosts().items())},
        }

    def to_dict(self) -> dict[str, Any]:
        data = self.summary_dict()
        data["calls"] = [c.to_dict() for c in self.calls]
        data.update(self.entry_extras())
        return data

    def entry_extras(self) -> dict[str, Any]:
        """The report entry's keys beside the summary and the calls: present only when known."""
        extras: dict[str, Any] = {}
        if self.location is not None:
            extras["location"] = [self.location[0], self.location[1]]
        if self.reruns:
            extras["reruns"] = self.reruns
        return extras

    @classmethod
    def from_dict(cls, nodeid: str, data: Mapping[str, Any]) -> TestCost:
        loc = data.get("location")
        location = (str(loc[0]), int(loc[1])) if isinstance(loc, list | tuple) and len(loc) == 2 else None
        return cls(
            nodeid=nodeid,
            outcome=str(data.get("outcome", "passed")),
            calls=tuple(CallRecord.from_dict(c) for c in _json_list(data.get("calls", ()), "'calls'")),
            location=location,
            reruns=_int(data.get("reruns", 0), "reruns"),
        )


@dataclass(frozen=True)
class PriceSource:
    """Where prices came from, so price changes can be told from usage changes."""

    name: str = "genai-prices"
    version: str = ""
    price_date: str = ""
    overrides: str | None = None
    """A digest of the user price file, when one is used."""
    time_of_day: str = ""
    """How a price that depends on the hour was taken: ``"list rate"`` (the day's highest), or
    ``""`` in files written before it was recorded, which priced at midnight UTC."""

    @property
    def hours(self) -> str:
        """:attr:`time_of_day` as a reader is told it: ``"midnight UTC"`` for files without one."""
        return self.time_of_day or "midnight UTC"

    def describe(self, *, hours: bool = False) -> str:
        """``genai-prices 0.2.3 at 2026-11-01 with price file sha256:…`` (``?`` for what is unknown);
        ``hours``: with how hour-dependent prices were taken, ``(list rate)``."""
        text = f"{self.name or '?'} {self.version or '?'} at {self.price_date or '?'}"
        if hours:
            text += f" ({self.hours})"
        return text + (f" with price file {self.overrides}" if self.overrides else "")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "version": self.version, "price_date": self.price_date}
        if self.overrides is not None:
            data["overrides"] = self.overrides
        if self.time_of_day:
            data["time_of_day"] = self.time_of_day
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PriceSource:
        return cls(
            name=str(data.get("name", "genai-prices")),
            version=str(data.get("version", "")),
            price_date=str(data.get("price_date", "")),
            overrides=data.get("overrides"),
            time_of_day=str(data.get("time_of_day", "")),
        )


def time_of_day_note(baseline: Mapping[str, Any], current: Mapping[str, Any]) -> str:
    """What changed in how hour-dependent prices are taken, or "" (see :attr:`PriceSource.time_of_day`)."""
    before, now = (PriceSource.from_dict(source).hours for source in (baseline, current))
    return "" if before == now else f"; prices that depend on the hour: {before} -> {now}"


#: What stops a run before every selected test ran, as a report's ``stopped`` records it.
STOPPED_CAUSES = (
    "-x or --maxfail, --sw, pytest.exit(), Ctrl-C, an internal error, a lost xdist worker, a module that "
    "failed to import, or a merge holding such a shard"
)


@dataclass(frozen=True)
class RunCost:
    """All tests of one run (or of merged runs)."""

    tests: Mapping[str, TestCost]
    price_source: PriceSource = field(default_factory=PriceSource)
    markers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """``agent_cost`` marker arguments by node id, so ``agentcost compare`` applies them too."""
    gate: Mapping[str, Any] | None = None
    """The gate settings the run used (``Settings.gate_settings``), so ``agentcost compare`` applies
    them too; ``None`` for a worker's part of a run and for files written before they were kept."""
    partial: bool = False
    """Written by a pytest run of part of the suite (``-k``, node ids, paths, deselection, a CI
    shard): its total is not the suite's, so ``agentcost compare`` does not apply the total
    threshold to it. ``agentcost merge`` clears it: the merged shards are taken as the suite."""
    stopped: bool = False
    """Written by a pytest run stopped before every selected test ran (:data:`STOPPED_CAUSES`):
    no baseline is written from it, nor from a merge that holds it."""

    @cached
    def usage(self) -> TokenUsage:
        return TokenUsage.sum(t.usage for t in self.tests.values())

    @cached
    def cost_usd(self) -> Decimal | None:
        return sum_costs(t.cost_usd for t in self.tests.values())

    @cached
    def priced_cost_usd(self) -> Decimal:
        """Sum over what is priced (unpriced calls left out): shown beside a ``None`` total."""
        total = Decimal(0)
        for t in self.tests.values():
            total += t.tool_cost_usd
            total += sum((c.cost_usd for c in t.billed if c.cost_usd is not None), Decimal(0))
        return total

    def by_model(self) -> dict[str, ModelTotals]:
        """Usage and cost per ``provider:model`` over all tests (computed once; do not modify)."""
        return self._by_model

    @cached
    def _by_model(self) -> dict[str, ModelTotals]:
        grouped: dict[str, list[ModelTotals]] = {}
        for t in self.tests.values():
            for key, m in t.by_model().items():
                grouped.setdefault(key, []).append(m)
        return {
            key: ModelTotals(
                sum(m.calls for m in totals),
                TokenUsage.sum(m.usage for m in totals),
                sum_costs(m.cost_usd for m in totals),
            )
            for key, totals in grouped.items()
        }

    def tool_hosts(self) -> dict[str, ToolHostTotals]:
        """Calls and cost per non-LLM host over all tests (``agent_cost_tool_prices``)."""
        return ToolHostTotals.sum(t.tool_hosts() for t in self.tests.values() if t.tool_http_calls)

    def totals_dict(self) -> dict[str, Any]:
        tests = list(self.tests.values())
        return {
            "tests": len(tests),
            "tests_with_llm_calls": sum(1 for t in tests if t.llm_calls),
            "cost_usd": _opt_money(self.cost_usd),
            "priced_cost_usd": format_money(self.priced_cost_usd),
            "llm_calls": sum(t.llm_calls for t in tests),
            "http_calls": sum(t.http_calls for t in tests),
            "tool_http_calls": sum(t.tool_http_calls for t in tests),
            "tool_calls": sum(t.tool_calls for t in tests),
            "estimated_tests": sum(1 for t in tests if t.estimated),
            "stale_tests": sum(1 for t in tests if t.stale),
            "unpriced_tests": sum(1 for t in tests if t.cost_usd is None),
            **self.usage.to_dict(),
        }
