"""Token usage -> ``Decimal`` cost.

genai-prices is the price source. It is always asked with a fixed request
timestamp (the *price date*), so the same cassette gives the same cost on any
day until genai-prices itself is upgraded; its network updater is never
started. A price that depends on the time of day is taken at the day's
highest rate (:func:`list_rate_moment`). The service tier a response reports
is passed as genai-prices' price context, so tiers it prices apart (flex,
priority, fast mode, batch) are priced at their own rates. A user price file
overrides or adds models (fine-tunes, self-hosted models, negotiated rates),
whatever the tier.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import genai_prices
from genai_prices import Usage
from genai_prices.data_units import unit_data
from genai_prices.types import TieredPrices, TimeOfDateConstraint

from pytest_agentcost._compiled_price import CompiledPrice, compile_price, unit_registry
from pytest_agentcost._genai_memo import SnapshotMemo
from pytest_agentcost._io import unique_keys
from pytest_agentcost.errors import ConfigError, PriceFileError
from pytest_agentcost.interaction import host_keys, netloc_of
from pytest_agentcost.models import (
    SELF_HOSTED,
    CallRecord,
    PriceContext,
    PriceSource,
    Units,
    parse_money,
    split_model_key,
)
from pytest_agentcost.usage import priced_as_stated

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = [
    "DEFAULT_PRICE_DATE",
    "TOKEN_USAGE_KEYS",
    "ModelPrice",
    "Pricer",
    "known_usage_keys",
    "list_rate_moment",
    "load_price_file",
    "parse_host",
    "parse_price_date",
    "parse_tool_prices",
    "tool_price_key",
]

#: The price context of a batch's results: one call record, summing requests priced one by one.
_BATCH = ("processing", "batch")

#: The default price date. Pinned, not "today": a cost gate must give the same
#: verdict for the same cassettes whatever day CI runs, so prices change only
#: when someone upgrades genai-prices or moves this date on purpose (ini option
#: ``agent_cost_price_date``). It moves with releases of pytest-agentcost.
DEFAULT_PRICE_DATE = "2026-11-01"

_MTOK = Decimal(1_000_000)

#: A snapshot date at the end of a model name: ``-2025-04-14`` (OpenAI), ``-20250929``
#: (Anthropic), ``@20241022`` (Anthropic on Vertex).
_SNAPSHOT_DATE = re.compile(r"(?:-\d{4}-\d{2}-\d{2}|[-@]\d{8})$")

#: genai-prices' usage keys of the five token kinds a call record keeps, in ``TokenUsage``'s field order.
TOKEN_USAGE_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "output_reasoning_tokens",
)
_TOKEN_USAGE_KEY_SET = frozenset(TOKEN_USAGE_KEYS)

#: Usage counted per use of a hosted tool: kept in a call's units whether priced or not.
PER_USE_KEYS = ("web_searches", "storage_searches", "social_searches", "code_executions", "rerank_searches")

#: Providers that bill the audio tokens of every model that hears or speaks at audio rates of their
#: own, above text's: OpenAI's price page lists them apart for each such model, and Azure OpenAI
#: serves the same models. (Gemini 2.5 Pro bills audio input as text: no such rule there.)
AUDIO_APART_PROVIDERS = frozenset({"openai", "azure"})
#: The audio counts such a provider bills apart (a cached audio read is inside ``input_audio_tokens``).
AUDIO_KEYS = ("input_audio_tokens", "output_audio_tokens")


def audio_counts(provider: str | None, usage: Usage) -> tuple[str, ...]:
    """The audio counts (:data:`AUDIO_KEYS`) a call of a provider that bills audio apart
    (:data:`AUDIO_APART_PROVIDERS`) makes, that are not 0."""
    if provider not in AUDIO_APART_PROVIDERS:
        return ()
    values: Mapping[str, Any] = vars(usage)
    if not (values.get("input_audio_tokens") or values.get("output_audio_tokens")):
        return ()  # nearly every call: OpenAI's answers say 0
    return tuple(key for key in AUDIO_KEYS if type(values.get(key)) is int and values[key] > 0)


def known_usage_keys() -> frozenset[str]:
    """Every usage key this genai-prices prices by (``input_tokens``, ``web_searches``, ...)."""
    return frozenset(unit_registry().units)


#: How hour-dependent prices are taken, as the reports record it (``PriceSource.time_of_day``).
LIST_RATE = "list rate"


def list_rate_moment(provider: Any, model: Any, day: date, context: Mapping[str, str] | None = None) -> datetime:
    """The moment of ``day`` (UTC) at which genai-prices prices ``model`` highest: its list rate.

    A pinned price date has no time of day, but genai-prices prices some models by it (DeepSeek's
    off-peak discount). Midnight UTC falls in DeepSeek's discount hours and would halve its
    cost; a cost gate should neither pass because of a discount CI may not get nor move with the
    hour of the run. Prices change only at a window's start or end, so the candidates are
    midnight and each window's start and end, and the dearest wins (midnight when they tie,
    which is every model priced the same all day). A window may be the discount or the peak.
    """
    midnight = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    prices = getattr(model, "prices", None)
    if not isinstance(prices, list):
        return midnight
    windows = [c.constraint for c in prices if isinstance(getattr(c, "constraint", None), TimeOfDateConstraint)]
    if not windows:
        return midnight
    bounds = sorted({t for w in windows for t in (w.start_time, w.end_time)}, key=lambda t: (t.hour, t.minute))
    moments = [midnight] + [
        datetime.combine(day, t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        for t in bounds
    ]

    def cost(moment: datetime) -> Decimal:  # of a million tokens in and out
        reference = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
        try:
            calc = model.calc_price(reference, provider, genai_request_timestamp=moment, price_context=context)
        except (LookupError, ValueError, TypeError, KeyError):  # genai-prices refuses: never the pick
            return Decimal(-1)
        return Decimal(calc.total_price)

    return max(moments, key=cost)  # the first of equals: midnight on a tie


@dataclass(frozen=True, slots=True)
class _Resolved:
    """A genai-prices model resolved for pricing: its compiled price, if any, and the moment priced at."""

    compiled: CompiledPrice | None
    """None: genai-prices must price every call itself (see _compiled_price)."""
    moment: datetime
    provider_id: str
    """The genai-prices provider whose price list holds the model."""
    priced_keys: frozenset[str] = frozenset()
    """Usage keys the model's price has a price of its own for (``input_tokens``, ``audio_seconds``)."""
    tier_start: int | None = -1
    """Input tokens above which a call's price changes (its first tier, 200k for many models);
    None for a price with no tier, -1 when unknown."""


def parse_price_date(value: str, what: str = "agent_cost_price_date") -> date:
    """Parse ``YYYY-MM-DD`` into a date, or raise a ConfigError naming ``what`` (the option as given)."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"{what} must be a date like 2026-11-01, not {value!r}") from None


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens of one model, from a user price file."""

    input: Decimal
    output: Decimal
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None

    def cost(self, usage: Usage) -> Decimal:
        cache_read = int(usage.cache_read_tokens or 0)
        cache_write = int(usage.cache_write_tokens or 0)
        uncached = max(int(usage.input_tokens or 0) - cache_read - cache_write, 0)
        total = (
            uncached * self.input
            + cache_read * (self.cache_read if self.cache_read is not None else self.input)
            + cache_write * (self.cache_write if self.cache_write is not None else self.input)
            + int(usage.output_tokens or 0) * self.output
        )
        return total / _MTOK


def load_price_file(path: Path) -> tuple[dict[str, ModelPrice], str]:
    """Read a TOML or JSON price file; return the prices and a short digest of the file.

    Format (TOML shown; JSON has the same shape)::

        [models."ft:gpt-4o-mini:acme::abc123"]
        input = "0.30"        # USD per million input tokens
        output = "1.20"
        cache_read = "0.15"   # optional, defaults to input
        cache_write = "0.375" # optional, defaults to input
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PriceFileError(f"{path}: cannot read price file: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".json":
            data: Any = json.loads(raw, object_pairs_hook=unique_keys)
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise PriceFileError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'TOML'}: {exc}") from None
    except RecursionError:
        raise PriceFileError(f"{path}: nested too deeply to read") from None
    models = data.get("models") if isinstance(data, Mapping) else None
    if not isinstance(models, Mapping) or not models:
        raise PriceFileError(f'{path}: expected a [models."NAME"] table per model')
    prices: dict[str, ModelPrice] = {}
    for name, entry in models.items():
        if not isinstance(entry, Mapping):
            raise PriceFileError(f"{path}: models.{name} must be a table of prices")
        if str(name).rpartition(":")[2] == "?":
            # The model tables' '?': calls that name no model, which no entry can match.
            raise PriceFileError(
                f"{path}: models.{name}: '?' stands for calls that name no model, which a price file cannot "
                "match; price them in a pytest_agentcost_price_call hook"
            )
        unknown = set(entry) - {"input", "output", "cache_read", "cache_write"}
        if unknown:
            raise PriceFileError(f"{path}: models.{name}: unknown key(s) {', '.join(sorted(unknown))}")
        if str(name).lower() in prices:
            # Names are matched whatever their case: two entries would be one, the last winning.
            raise PriceFileError(f"{path}: models.{name}: another entry names the same model in another case")
        try:
            prices[str(name).lower()] = ModelPrice(
                input=parse_money(_price_text(entry.get("input")), f"models.{name}.input"),
                output=parse_money(_price_text(entry.get("output")), f"models.{name}.output"),
                cache_read=_optional_price(entry.get("cache_read"), f"models.{name}.cache_read"),
                cache_write=_optional_price(entry.get("cache_write"), f"models.{name}.cache_write"),
            )
        except ValueError as exc:
            raise PriceFileError(f"{path}: {exc}") from None
    return prices, "sha256:" + hashlib.sha256(raw).hexdigest()[:16]


def _price_text(value: Any) -> Any:
    # TOML and JSON numbers arrive as float; take their shortest repr so "0.3" stays 0.3.
    if isinstance(value, float):
        return repr(value)
    return value


def _optional_price(value: Any, what: str) -> Decimal | None:
    return None if value is None else parse_money(_price_text(value), what)


def parse_host(text: str, option: str) -> str:
    """A ``host`` or ``host:port`` of an ini line, lower-cased; a URL's scheme and trailing slash
    are dropped (``http://127.0.0.1:8000/`` is ``127.0.0.1:8000``), since hosts are matched as
    such: a URL taken as is would match no call and say nothing. A path cannot be matched: refused."""
    host = text.strip().lower()
    if host.startswith(("http://", "https://")):
        parts = urlsplit(host)
        if not (parts.path.strip("/") or parts.query or parts.fragment):
            host = netloc_of(host)  # as calls are keyed: no credentials, no default port
    if "/" in host or not host:
        raise ConfigError(f"{option}: {text.strip()!r} is no host; give 'host' or 'host:port', without a path")
    return host


def parse_tool_prices(lines: list[str]) -> dict[str, Decimal]:
    """Parse ``host = USD per call`` lines (ini option ``agent_cost_tool_prices``)."""
    prices: dict[str, Decimal] = {}
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        host, sep, price = text.partition("=")
        if not sep or not host.strip():
            raise ConfigError(f"agent_cost_tool_prices: expected 'host = USD per call', got {text!r}")
        try:
            # "$0.001" as thresholds and max_usd take it, or "0.001".
            key = parse_host(host, "agent_cost_tool_prices")
            prices[key] = parse_money(price.strip().removeprefix("$"), f"price of {host.strip()}")
        except ValueError as exc:
            raise ConfigError(f"agent_cost_tool_prices: {exc}") from None
    return prices


def _tokens_only(values: Mapping[str, Any]) -> bool:
    """Whether a usage holds the token kinds only, as nearly every call's does."""
    return _TOKEN_USAGE_KEY_SET.issuperset(values)


def _tool_uses(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The hosted tool uses a usage counts (:data:`PER_USE_KEYS`)."""
    return tuple(k for k in PER_USE_KEYS if type(values.get(k)) is int and values[k] > 0)


def _other_keys(values: Mapping[str, Any]) -> tuple[tuple[str, bool], ...]:
    """A usage's counts beyond the token kinds, each with whether it is zero (a zero can matter
    where a count does not, and back): the shape :meth:`Pricer.units` works out once."""
    return tuple(
        (key, value == 0)
        for key, value in values.items()
        if key not in _TOKEN_USAGE_KEY_SET and type(value) is int and value >= 0
    )


def _billed_by_units_only(usage: Usage) -> bool:
    """No token counted, but units billed per use (Cohere rerank's search units)."""
    values: Mapping[str, Any] = vars(usage)
    if any(values.get(key) for key in _TOKEN_USAGE_KEY_SET):
        return False
    return any(type(v) is int and v > 0 for k, v in values.items() if k not in _TOKEN_USAGE_KEY_SET)


def _price_shape(
    provider: Any, model: Any, moment: datetime, context: Mapping[str, str] | None
) -> tuple[frozenset[str], int | None]:
    """The usage keys ``model``'s price at ``moment`` prices, and the input tokens above which a
    call's price changes tier (None: no tier; nothing known, and -1, when it cannot be told)."""
    if context and not any(model is listed for listed in provider.models):
        context = None  # as calc_price: another provider's variants do not apply
    try:
        price = model.get_prices(moment, context or None)
    except Exception:  # any surprise in genai-prices' internals: nothing known
        return frozenset(), -1
    prices = {key: getattr(price, unit["price_key"], None) for key, unit in unit_data.items()}
    priced = frozenset(key for key, value in prices.items() if value is not None)
    starts = [tier.start for value in prices.values() if isinstance(value, TieredPrices) for tier in value.tiers]
    return priced, min(starts) if starts else None


def _priced_nothing(cost: Decimal, usage: Usage, resolved: _Resolved) -> bool:
    """A $0 that prices none of what the call counts: tokens of a model billed per audio second
    (whisper-1) or per character (tts-1), characters of one billed per token. Unpriced, not free;
    a model whose price is 0 is free."""
    if cost or not resolved.priced_keys:
        return False
    counted = [key for key, value in vars(usage).items() if type(value) is int and value > 0]
    return bool(counted) and not any(key in resolved.priced_keys for key in counted)


class _Unpriced(Exception):
    """The usage :meth:`Pricer.units` was asked about has no price: nothing to memoise."""


class Pricer:
    """Prices calls with genai-prices at a fixed date, user overrides first."""

    def __init__(
        self,
        price_date: date | None = None,
        overrides: Mapping[str, ModelPrice] | None = None,
        overrides_digest: str | None = None,
        tool_prices: Mapping[str, Decimal] | None = None,
    ) -> None:
        self.price_date = price_date or date.fromisoformat(DEFAULT_PRICE_DATE)
        self.overrides = dict(overrides or {})
        self.tool_prices = dict(tool_prices or {})
        self.source = PriceSource(
            name="genai-prices",
            version=genai_prices.__version__,
            price_date=self.price_date.isoformat(),
            overrides=overrides_digest,
            time_of_day=LIST_RATE,
        )
        self._override_keys: dict[tuple[str | None, str], str | None] = {}
        # (provider id or None, model, price context) -> the model resolved for pricing; None when
        # genai-prices does not know the pair (LookupError).
        self._resolved = SnapshotMemo()
        # (provider, model, price context, other usage keys) -> those the price depends on.
        self._dependent_keys = SnapshotMemo()

    def _override(self, provider: str | None, model: str) -> ModelPrice | None:
        if not self.overrides:
            return None
        key = self.override_key(provider, model)
        return None if key is None else self.overrides[key]

    def override_key(self, provider: str | None, model: str | None) -> str | None:
        """The price file entry that prices ``model``, or ``None``.

        ``provider:model`` then ``model``; then the same for the model's name without a snapshot
        date (``gpt-4.1-mini`` for ``gpt-4.1-mini-2025-04-14``), which responses report where
        the code asked for the base name. An entry for the exact name wins.
        """
        if not self.overrides or not model:
            return None
        memo = (provider, model)
        if memo not in self._override_keys:
            self._override_keys[memo] = self._find_override_key(provider, model.lower())
        return self._override_keys[memo]

    def _find_override_key(self, provider: str | None, model: str) -> str | None:
        # A dated snapshot, or Ollama's default tag (llama3.2:latest is llama3.2), is its base name.
        base = model.removesuffix(":latest") if model.endswith(":latest") else _SNAPSHOT_DATE.sub("", model)
        for name in (model, base) if base != model else (model,):
            for key in (f"{provider}:{name}", name) if provider else (name,):
                if key in self.overrides:
                    return key
        return None

    def uses_left_out(
        self, provider: str | None, model: str | None, usage: Usage, uses: tuple[str, ...], context: PriceContext = ()
    ) -> tuple[str, ...]:
        """Of ``uses``, the hosted tool uses (:data:`PER_USE_KEYS`) ``usage`` counts that its
        price leaves out, for a call whose model is priced otherwise.

        ``uses`` are those the provider bills on their own (its answer lists them): genai-prices
        prices Claude's web searches on Anthropic's API but not on Vertex, say, and a price file
        prices tokens only. (A count genai-prices reads but bills inside another price, as
        Perplexity's search queries inside its request fee, is not one of them.)
        """
        values: Mapping[str, Any] = vars(usage)
        counted = tuple(k for k in _tool_uses(values) if k in uses)
        if not counted or not model or self.price(provider, model, usage, context) is None:
            return ()
        if self._override(provider, model) is not None:
            return counted
        try:
            dependent = self._dependent(provider, model, usage, context, _other_keys(values))
        except _Unpriced:  # pragma: no cover - priced just above
            return counted
        return tuple(k for k in counted if k not in dependent)

    def audio_left_out(
        self, provider: str | None, model: str | None, usage: Usage, context: PriceContext = ()
    ) -> tuple[str, ...]:
        """The audio token counts (:data:`AUDIO_KEYS`) of a call of a provider that bills audio
        apart (:data:`AUDIO_APART_PROVIDERS`) that its price has no audio rate for, and would price
        as text: genai-prices has none for gpt-4o-audio-preview, and a price file entry prices
        tokens alike. Empty for a model no price source knows (unpriced anyway)."""
        counted = audio_counts(provider, usage)
        if not counted or not model:
            return ()
        if self._override(provider, model) is not None:
            return counted
        resolved = self._found(provider, model, context)
        return () if resolved is None else tuple(key for key in counted if key not in resolved.priced_keys)

    def price(
        self, provider: str | None, model: str | None, usage: Usage, context: PriceContext = ()
    ) -> Decimal | None:
        """USD for one call, or ``None`` when no price source knows the model.

        ``context`` is the call's price context (its service tier, see
        :data:`~pytest_agentcost.models.PriceContext`), passed to genai-prices as
        ``price_context``; a price file entry for the model applies whatever it is.
        """
        if not model:
            return None
        override = self._override(provider, model)
        if override is not None:
            if _billed_by_units_only(usage):
                return None  # a price file prices tokens; a rerank's search units are not any
            return override.cost(usage)
        if provider in SELF_HOSTED:
            return None
        attempts: list[str | None] = [provider, None] if provider else [None]
        for provider_id in attempts:
            resolved = self._resolve(provider_id, model, context)
            if resolved is None:
                continue  # genai-prices does not know this model under this provider
            if resolved.compiled is not None:
                cost = resolved.compiled.cost(usage)
                if cost is not None:
                    return None if _priced_nothing(cost, usage, resolved) else cost
            try:
                calc = genai_prices.calc_price(
                    usage,
                    model,
                    provider_id=provider_id,
                    genai_request_timestamp=resolved.moment,
                    price_context=dict(context) if context else None,
                )
            except (LookupError, ValueError, TypeError, KeyError):
                continue
            return None if _priced_nothing(calc.total_price, usage, resolved) else calc.total_price
        return None

    def has_price(self, provider: str | None, model: str) -> bool:
        """Whether a price file entry or genai-prices (under ``provider``, or by the model's name
        alone, as :meth:`price` falls back) prices ``model`` at all."""
        if self._override(provider, model) is not None:
            return True
        if provider in SELF_HOSTED:
            return False
        return self._found(provider, model) is not None

    def reprices_exactly(self, key: str, calls: int, input_tokens: int) -> bool:
        """Whether ``calls`` calls of the ``by_model`` key ``key``, summed in a baseline to
        ``input_tokens``, reprice exactly from their sum: one call, a price no call's size changes
        (a price file's, or one without tiers), or a sum no larger than the first tier's start, so
        that no call reached it. (A tier is chosen by a call's input tokens.) Never for calls
        priced at what their answers state (:func:`~pytest_agentcost.usage.priced_as_stated`): their
        tokens do not tell their cost."""
        provider, model, context = split_model_key(key)
        if not model:
            return calls <= 1
        if self._override(provider, model) is not None:
            return True
        if priced_as_stated(provider, context):
            return False
        if calls <= 1 and _BATCH not in context:  # a batch's results are one call of many requests
            return True
        resolved = self._found(provider, model, context)
        if resolved is None:
            return False
        start = resolved.tier_start
        return start is None or (start >= 0 and input_tokens <= start)

    def priced_keys(self, provider: str | None, model: str) -> frozenset[str]:
        """The usage keys genai-prices prices ``model`` by (empty when it does not know it)."""
        resolved = self._found(provider, model)
        return frozenset() if resolved is None else resolved.priced_keys

    def _found(self, provider: str | None, model: str, context: PriceContext = ()) -> _Resolved | None:
        """The model genai-prices prices a call by: under ``provider``, else by its name alone (as
        :meth:`price` falls back)."""
        for provider_id in [provider, None] if provider else [None]:
            resolved = self._resolve(provider_id, model, context)
            if resolved is not None:
                return resolved
        return None

    def priced_as(self, provider: str | None, model: str | None, context: PriceContext = ()) -> str | None:
        """The provider whose price a call of ``provider`` gets when genai-prices has no price for
        ``model`` under ``provider`` itself and :meth:`price` falls back to the model's name alone
        (a model another host sells too: Groq's gpt-oss at another host's rate). None when the call is
        priced under its own provider, by a price file, or not at all."""
        if not provider or not model or provider in SELF_HOSTED or self._override(provider, model) is not None:
            return None
        if self._resolve(provider, model, context) is not None:
            return None
        fallback = self._resolve(None, model, context)
        if fallback is None or fallback.provider_id == provider:
            return None
        return fallback.provider_id

    def units(self, provider: str | None, model: str | None, usage: Usage, context: PriceContext = ()) -> Units:
        """The counts of ``usage`` beyond the five token kinds that its price depends on.

        Hosted web searches, one-hour cache writes, audio or image tokens priced at their own
        rate: what a baseline must keep to be repriced exactly (see
        :data:`~pytest_agentcost.models.Units`). A count is kept when leaving it out changes the
        price, worked out once per model and shape (keys, which are zero); a detail priced like its total
        (Gemini's text tokens) is not kept. A zero can be kept too: Gemini's
        ``cache_audio_read_tokens = 0`` says no audio came from the cache, and without it
        genai-prices will not split the cache reads. For a call no price source knows, or that a
        price file prices (by tokens only), only the hosted tool uses (:data:`PER_USE_KEYS`) are kept.
        """
        values: Mapping[str, Any] = vars(usage)
        if _tokens_only(values):
            return ()  # nearly every call
        others = _other_keys(values)
        # A hosted tool's uses are kept whether or not a price counts them: each is billed, and a
        # baseline that has them can be priced once genai-prices prices them.
        uses = set(_tool_uses(values))
        if not others or not model or self._override(provider, model) is not None:
            return tuple(sorted((key, values[key]) for key in uses))
        try:
            dependent = self._dependent(provider, model, usage, context, others)
        except _Unpriced:
            dependent = ()
        return tuple(sorted((key, values[key]) for key in uses.union(dependent)))

    def _dependent(
        self,
        provider: str | None,
        model: str,
        usage: Usage,
        context: PriceContext,
        others: tuple[tuple[str, bool], ...],
    ) -> tuple[str, ...]:
        """The keys of ``others`` the price depends on, once per model and usage shape (raises _Unpriced)."""
        return self._dependent_keys.get(
            (provider, model, context, others), lambda _snapshot, _key: self._price_depends_on(usage, _key)
        )

    def _price_depends_on(
        self, usage: Usage, key: tuple[str | None, str, PriceContext, tuple[tuple[str, bool], ...]]
    ) -> tuple[str, ...]:
        provider, model, context, others = key
        full = self.price(provider, model, usage, context)
        if full is None:
            # This usage cannot be priced (its counts contradict each other, say), which says
            # nothing of the next one with the same keys: nothing is memoised, or the units
            # kept would depend on which call came first (and differ between xdist workers).
            raise _Unpriced
        values: Mapping[str, Any] = vars(usage)
        dependent: list[str] = []
        for other, _ in others:
            try:
                without = Usage(**{k: v for k, v in values.items() if k != other})
            except (ValueError, TypeError):  # pragma: no cover - the values came from a valid Usage
                dependent.append(other)
                continue
            if self.price(provider, model, without, context) != full:
                dependent.append(other)
        return tuple(dependent)

    def _resolve(self, provider_id: str | None, model: str, context: PriceContext = ()) -> _Resolved | None:
        """``model`` resolved and compiled (see :mod:`._compiled_price`), once per key."""
        return self._resolved.get((provider_id, model, context), self._resolve_key)

    def _resolve_key(self, snapshot: Any, key: tuple[str | None, str, PriceContext]) -> _Resolved | None:
        provider_id, model, context = key
        try:
            found_provider, found_model = snapshot.find_provider_model(model, None, provider_id, None)
        except LookupError:
            return None
        price_context = dict(context) if context else None
        moment = list_rate_moment(found_provider, found_model, self.price_date, price_context)
        return _Resolved(
            compile_price(found_provider, found_model, moment, price_context),
            moment,
            found_provider.id,
            *_price_shape(found_provider, found_model, moment, price_context),
        )

    def unmatched(self, calls: Iterable[CallRecord]) -> tuple[list[str], list[str]]:
        """Price file entries and ``agent_cost_tool_prices`` hosts that price none of ``calls``."""
        models = set(self.overrides)
        hosts = set(self.tool_prices)
        for call in calls:
            if call.kind == "tool":
                if hosts:
                    hosts.discard(tool_price_key(call.host, self.tool_prices) or "")
            elif models and call.billed:
                for model, _, _ in call.by_model_parts():  # an advisor's too
                    models.discard(self.override_key(call.provider, model) or "")
        return sorted(models), sorted(hosts)

    def tool_price(self, host: str) -> Decimal:
        """USD per call to a non-LLM host (0 unless priced in ``agent_cost_tool_prices``).

        ``host`` may carry a port (``localhost:8081``): its ``host:port`` line wins, then the
        host's own, as ``agent_cost_providers`` looks hosts up.
        """
        key = tool_price_key(host, self.tool_prices)
        return Decimal(0) if key is None else self.tool_prices[key]


def tool_price_key(host: str, prices: Mapping[str, Decimal]) -> str | None:
    """The ``agent_cost_tool_prices`` entry that prices calls to ``host`` (``host:port`` or ``host``)."""
    if not prices:
        return None
    for key in host_keys(host.lower()):
        if key in prices:
            return key
    return None
