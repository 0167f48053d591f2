"""genai-prices' price calculation with the per-model work done once.

``genai_prices.calc_price`` resolves a model's prices, checks them against the
unit registry and walks the unit tree on every call: about 120 µs, half the
plugin's whole per-call budget. A test suite prices thousands of calls of a
handful of models, so :class:`CompiledPrice` keeps what depends only on the
model at the price date (its resolved prices, validated once; the order in
which leaves are computed; each unit's priced descendants) and redoes per call
only the arithmetic, with genai-prices' own :func:`calc_unit_price` and the
same leaf rule as ``genai_prices.decompose.compute_leaf_values``.

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

__all__ = ["CompiledPrice", "compile_price"]

#: Unit families whose price is count x price / per with no special cases.
_LINEAR_FAMILIES = frozenset({"tokens", "requests", "tool_calls"})


@functools.cache
def _unit_registry() -> Any:
    return UnitRegistry(unit_data)


class CompiledPrice:
    """One model's resolved genai-prices price, ready to apply to many usages."""

    __slots__ = ("_inferred", "_leaf_plan", "_sum_order", "_tiered")

    def __init__(self, model_price: Any) -> None:
        registry = _unit_registry()
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
        self._inferred: dict[tuple[tuple[str, ...], tuple[str, ...]], bool] = {}

    def cost(self, usage: Any) -> Decimal | None:
        """The total price of ``usage`` (a genai-prices ``Usage``), or None: ask genai-prices."""
        if type(usage) is not Usage:
            return None
        values: Mapping[str, Any] = usage.__dict__
        all_positive = True
        for value in values.values():
            if type(value) is not int or value < 0:
                return None
            if not value:
                all_positive = False
        if not self._missing_read_as_zero(usage, values, all_positive):
            return None
        leaves: dict[str, int] = {"requests": 1}
        for usage_key, descendants in self._leaf_plan:
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
        for usage_key, price, per in self._sum_order:
            if type(price) is Decimal:
                # calc_unit_price's own arithmetic for a flat price, without its type dispatch.
                total += price * Decimal(leaves[usage_key]) / per
            else:
                total += calc_unit_price(price, leaves[usage_key], total_input, per)
        return total

    def _missing_read_as_zero(self, usage: Any, values: Mapping[str, Any], all_positive: bool) -> bool:
        """Whether genai-prices reads every priced key ``usage`` lacks as 0 (it may refuse instead).

        Its answer depends only on which keys are present and which of them are positive, so it
        is asked once per such shape: a suite's calls come in a handful of shapes.
        """
        keys = tuple(values)
        shape = (keys, keys if all_positive else tuple(key for key, value in values.items() if value > 0))
        known = self._inferred.get(shape)
        if known is None:
            known = True
            for usage_key, _ in self._leaf_plan:
                if usage_key in values:
                    continue
                try:
                    inferred = getattr(usage, usage_key)
                except (ValueError, AttributeError):
                    inferred = None
                if inferred != 0:
                    known = False
                    break
            self._inferred[shape] = known
        return known


#: (provider id, model id) pairs genai-prices' ``ModelInfo.calc_price`` special-cases (Groq bills
#: Whisper audio for at least 10 seconds): always priced by genai-prices itself.
_SPECIAL_CASED = frozenset({("groq", "whisper-large-v3"), ("groq", "whisper-large-v3-turbo")})


def compile_price(provider: Any, model: Any, timestamp: Any) -> CompiledPrice | None:
    """A :class:`CompiledPrice` for a genai-prices model at ``timestamp``, or None if it cannot be."""
    if (provider.id, model.id) in _SPECIAL_CASED:
        return None
    try:
        return CompiledPrice(model.get_prices(timestamp))
    except Exception:  # any surprise in genai-prices' internals: fall back to calc_price per call
        return None
