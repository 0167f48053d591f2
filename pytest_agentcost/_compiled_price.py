"""genai-prices' price calculation with the per-model work done once.

``genai_prices.calc_price`` resolves a model's prices, checks them against the
unit registry and walks the unit tree on every call: about 120 µs, half the
plugin's whole per-call budget. A test suite prices thousands of calls of a
handful of models, so :class:`CompiledPrice` keeps what depends only on the
model at the price date (its resolved prices, validated once; the order in
which leaves are computed; each unit's priced descendants) and redoes per call
only the arithmetic, with genai-prices' own :func:`calc_unit_price` and the
same leaf rule as ``genai_prices.decompose.compute_leaf_values``. What depends
only on a usage's shape (which keys it has, which are positive) is worked out
once per shape: whether genai-prices reads its absent keys as 0, and which
leaves are 0 whatever the counts (their terms are constants).

Exact equality with genai-prices is the contract, checked for every model in
its database by ``tests/unit/test_compiled_price.py``. Wherever the shortcut
could differ it does not guess: :meth:`CompiledPrice.cost` returns ``None`` and
the caller asks genai-prices itself. That covers non-integer usage values,
usage genai-prices would reject (negative leaves, missing keys it cannot
infer), units that are not token or request counts, and any genai-prices
version whose internals no longer fit (compilation then fails and every call
goes through ``calc_price``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from genai_prices.data_units import unit_data
from genai_prices.decompose import is_descendant_or_self
from genai_prices.types import TieredPrices, Usage, calc_unit_price
from genai_prices.units import UnitRegistry
from genai_prices.validation import validate_priced_units

__all__ = ["CompiledPrice", "compile_price", "unit_registry"]

#: A usage shape genai-prices must price itself.
_REFUSE = object()

#: Unit families whose price is count x price / per with no special cases.
_LINEAR_FAMILIES = frozenset({"tokens", "requests", "tool_calls"})


@functools.cache
def unit_registry() -> Any:
    """genai-prices' unit registry (usage keys, their price keys and how they nest), built once."""
    return UnitRegistry(unit_data)


class CompiledPrice:
    """One model's resolved genai-prices price, ready to apply to many usages."""

    __slots__ = ("_leaf_plan", "_plans", "_sum_order", "_tiered")

    def __init__(self, model_price: Any) -> None:
        registry = unit_registry()
        priced: list[tuple[Any, Any]] = []
        for price_key, price in vars(model_price).items():
            if price_key.startswith("_") or price is None:
                continue
            unit = registry.unit_for_price_key(price_key)  # KeyError: a key this code does not know
            if unit.dimensions.get("family") not in _LINEAR_FAMILIES:
                raise ValueError(f"{price_key} is not a linear count")
            if not isinstance(price, (Decimal, TieredPrices)):
                raise ValueError(f"{price_key} has an unexpected price type")
            priced.append((unit, price))
        validate_priced_units(tuple(unit for unit, _ in priced), registry)
        counted = sorted(
            (unit for unit, _ in priced if unit.usage_key != "requests"),
            key=lambda unit: (-len(unit.dimensions), unit.usage_key),
        )
        # Most specific first; each leaf is its count minus the leaves of its priced descendants.
        self._leaf_plan: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
            (
                unit.usage_key,
                tuple(other.usage_key for other in counted if other is not unit and is_descendant_or_self(unit, other)),
            )
            for unit in counted
        )
        # Summed in the price's own order, as genai-prices does, so the Decimal result is identical.
        self._sum_order: tuple[tuple[str, Any, int], ...] = tuple(
            (unit.usage_key, price, unit.per) for unit, price in priced
        )
        self._tiered = any(isinstance(price, TieredPrices) for _, price in priced)
        #: Per usage shape (keys present, which of them are positive): what :meth:`_plan` returns.
        self._plans: dict[tuple[tuple[str, ...], tuple[bool, ...]], Any] = {}

    def cost(self, usage: Any) -> Decimal | None:
        """The total price of ``usage`` (a genai-prices ``Usage``), or None: ask genai-prices."""
        if type(usage) is not Usage:
            return None
        values: Mapping[str, Any] = usage.__dict__
        for value in values.values():
            if type(value) is not int or value < 0:
                return None
        # Everything but the arithmetic depends only on which keys are present and positive.
        shape = (tuple(values), tuple(map(bool, values.values())))
        plan = self._plans.get(shape)
        if plan is None:
            plan = self._plans[shape] = self._plan(usage, values)
        if plan is _REFUSE:
            return None
        leaf_plan, terms = plan
        leaves: dict[str, int] = {"requests": 1}
        for usage_key, descendants in leaf_plan:
            leaf = values.get(usage_key, 0)
            for key in descendants:
                leaf -= leaves[key]
            if leaf < 0:
                return None
            leaves[usage_key] = leaf
        total_input: int = 0
        if self._tiered:
            if "input_tokens" not in values:
                return None  # genai-prices would infer it, or refuse
            total_input = values["input_tokens"]
        total = Decimal(0)
        for usage_key, price, per, zero in terms:
            if zero is not None:
                total += zero  # the leaf is 0 for every usage of this shape
            elif type(price) is Decimal:
                # calc_unit_price's own arithmetic for a flat price, without its type dispatch.
                total += price * Decimal(leaves[usage_key]) / per
            else:
                total += calc_unit_price(price, leaves.get(usage_key, 0), total_input, per)
        return total

    def _plan(self, usage: Any, values: Mapping[str, Any]) -> Any:
        """The work :meth:`cost` does for usages shaped like ``values``, or ``_REFUSE``.

        Refused when genai-prices would not read every priced key ``usage`` lacks as 0 (it may
        infer it, or refuse). A leaf whose own count and every descendant's count are 0 or
        absent is 0: its term is the constant ``price * 0 / per`` (same Decimal, exponent
        included), and it is left out of the subtraction of its ancestors.
        """
        for usage_key, _ in self._leaf_plan:
            if usage_key in values:
                continue
            try:
                inferred = getattr(usage, usage_key)
            except (ValueError, AttributeError):
                inferred = None
            if inferred != 0:
                return _REFUSE
        live: set[str] = set()
        leaf_plan: list[tuple[str, tuple[str, ...]]] = []
        for usage_key, descendants in self._leaf_plan:  # descendants come before their ancestors
            counted = tuple(key for key in descendants if key in live)
            if values.get(usage_key, 0) > 0 or counted:
                live.add(usage_key)
                leaf_plan.append((usage_key, counted))
        terms = tuple(
            (
                usage_key,
                price,
                Decimal(per),  # x / per converts per to this Decimal every time
                price * Decimal(0) / per
                if type(price) is Decimal and usage_key != "requests" and usage_key not in live
                else None,
            )
            for usage_key, price, per in self._sum_order
        )
        return tuple(leaf_plan), terms


#: (provider id, model id) pairs genai-prices' ``ModelInfo.calc_price`` special-cases (Groq bills
#: Whisper audio for at least 10 seconds): always priced by genai-prices itself.
_SPECIAL_CASED = frozenset({("groq", "whisper-large-v3"), ("groq", "whisper-large-v3-turbo")})


def compile_price(
    provider: Any, model: Any, timestamp: Any, price_context: Mapping[str, str] | None = None
) -> CompiledPrice | None:
    """A :class:`CompiledPrice` for a genai-prices model at ``timestamp``, or None if it cannot be.

    ``price_context`` selects the model's price variants (a service tier) as ``calc_price``'s does.
    """
    if (provider.id, model.id) in _SPECIAL_CASED:
        return None
    # As ModelInfo.calc_price: a model found through another provider's list is priced without
    # the context (its variants are that other provider's).
    if price_context and not any(model is listed for listed in provider.models):
        price_context = None
    try:
        return CompiledPrice(model.get_prices(timestamp, price_context or None))
    except Exception:  # any surprise in genai-prices' internals: fall back to calc_price per call
        return None
