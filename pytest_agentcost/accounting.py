"""One observed interaction -> one priced :class:`CallRecord`.

This is the observer the recorder calls for every interaction: it asks the
extension hook and then :mod:`pytest_agentcost.usage` for the usage, prices it,
and (when enabled) compares the request sent now with the recorded one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from genai_prices import Usage

from pytest_agentcost import _lean
from pytest_agentcost import usage as usage_mod
from pytest_agentcost.interaction import Interaction
from pytest_agentcost.models import (
    CallRecord,
    IterationCost,
    PriceContext,
    TokenUsage,
    Units,
    model_key,
    quantize_money,
    share_cost,
    within_call_cost,
)
from pytest_agentcost.pricing import TOKEN_USAGE_KEYS, Pricer, audio_counts

__all__ = ["Accountant", "token_usage"]

ExtractHook = Callable[[Interaction], "usage_mod.Extraction | None"]
PriceHook = Callable[[CallRecord], "Decimal | None"]


def _count(value: Any) -> int:
    if type(value) is int:
        return value if value > 0 else 0
    try:
        return max(int(value or 0), 0)
    except (TypeError, ValueError, OverflowError):
        return 0


def token_usage(usage: Usage, units: Units = ()) -> TokenUsage:
    """Map genai-prices' ``Usage`` onto the five token kinds we report, plus ``units`` (see
    :meth:`Pricer.units`)."""
    # The values genai-prices stored, read directly: a key it was not given is 0 (reading it as an
    # attribute would run its inference, which is slow and answers 0 or raises, and raising means 0
    # here too).
    values = vars(usage)
    get = values.get
    counts = (
        get("input_tokens", 0),
        get("output_tokens", 0),
        get("cache_read_tokens", 0),
        get("cache_write_tokens", 0),
        get("output_reasoning_tokens", 0),
    )
    for count in counts:  # nearly always plain non-negative ints: no conversion needed
        if type(count) is not int or count < 0:
            i, o, cr, cw, r = (_count(values.get(key)) for key in TOKEN_USAGE_KEYS)
            return TokenUsage(i, o, cr, cw, r, units)
    return TokenUsage(counts[0], counts[1], counts[2], counts[3], counts[4], units)


def _priced_per_iteration(extraction: Any) -> bool:
    """Whether the call was priced iteration by iteration (:data:`~pytest_agentcost.usage.PER_ITERATION`):
    more than one, or one of another model. A batch's requests are priced apart too, and say so
    by their batch tier."""
    models = getattr(extraction, "part_models", ())
    return bool(models) and (len(models) > 1 or any(models))


class Accountant:
    """Extracts, prices and checks one interaction at a time (thread-safe, no shared mutable state)."""

    def __init__(
        self,
        pricer: Pricer,
        host_providers: Mapping[str, str] | None = None,
        *,
        detect_drift: bool = False,
        drift_ignore_fields: Sequence[str] | None = None,
        extract_hook: ExtractHook | None = None,
        price_hook: PriceHook | None = None,
        rootdir: str | None = None,
    ) -> None:
        self.pricer = pricer
        self.host_providers = dict(host_providers or {})
        self.detect_drift = detect_drift
        self.drift_ignore_fields = drift_ignore_fields
        self.extract_hook = extract_hook
        self.price_hook = price_hook
        self.rootdir = rootdir
        self._relative_paths: dict[str, str] = {}

    def _relative(self, cassette: str | None) -> str | None:
        """Cassette paths relative to the rootdir, with forward slashes: reports must not name the host."""
        if cassette is None:
            return None
        known = self._relative_paths.get(cassette)
        if known is None:
            known = self._relative_paths[cassette] = self._relative_uncached(cassette)
        return known

    def _relative_uncached(self, cassette: str) -> str:
        import os

        if self.rootdir is not None:
            try:
                rel = os.path.relpath(cassette, self.rootdir)
            except ValueError:  # another drive on Windows
                rel = cassette
            if not rel.startswith(".."):
                cassette = rel
        return cassette.replace(os.sep, "/")

    def lean(self, request: Any, response: Any, cassette: str | None) -> CallRecord | None:
        """The record of a played or recorded vcrpy exchange, read by :mod:`._lean`; None: call ``self``.

        Only without extension hooks and host mapping, whose answers the lean reader cannot
        know. The record is the one :meth:`__call__` makes of the same exchange with no
        recorded request to compare (``recorded=None``).
        """
        if self.extract_hook is not None or self.price_hook is not None or self.host_providers:
            return None
        call = _lean.read(request, response)
        if call is None or self.pricer.priced_as(call.provider, call.model, call.price_context) is not None:
            return None  # priced at another provider's rate: the general path says so
        if self.pricer.audio_left_out(call.provider, call.model, call.usage, call.price_context):
            return None  # audio tokens its price would bill as text: the general path says so
        cost = self.pricer.price(call.provider, call.model, call.usage, call.price_context)
        if cost is None or not within_call_cost(cost):
            return None  # unpriced, or priced beyond any call: the general path says why
        return CallRecord(
            kind="llm",
            host=sys.intern(call.host),
            status=call.status,
            provider=call.provider,
            endpoint=call.endpoint,
            model=sys.intern(call.model),
            usage=token_usage(call.usage, self.pricer.units(call.provider, call.model, call.usage, call.price_context)),
            cost_usd=cost,
            streamed=call.streamed,
            tool_calls=call.tool_calls,
            cassette=self._relative(cassette),
            response_id=call.response_id,
            price_context=call.price_context,
        )

    def __call__(self, current: Interaction, recorded: Interaction | None, cassette: str | None) -> CallRecord:
        cassette = self._relative(cassette)
        live = current
        if recorded is not None and recorded.url != current.url:
            # A played call is the recorded exchange: at the URI the cassette holds, which vcrpy
            # matched this request to (a before_record_request may store another host than the
            # test calls: a gateway's, a local server's), with the body the test sent now. Drift
            # still compares the live request with the recording, URL included.
            current = replace(current, url=recorded.url)
        extraction: Any = None
        warnings: list[str] = []
        hook_error = ""
        if self.extract_hook is not None:
            try:
                extraction = self.extract_hook(current)
            except Exception as exc:  # the user's hook: its bug must not lose the call
                hook_error = f"the pytest_agentcost_extract_usage hook raised {type(exc).__name__}: {exc}"
            else:
                wrong = _wrong_extraction(extraction)
                if wrong:  # read as if it raised: never a lost call, nor an error at the run's end
                    hook_error = f"the pytest_agentcost_extract_usage hook returned {wrong}"
                    extraction = None
        if extraction is None:
            try:
                extraction = usage_mod.extract(current, self.host_providers)
            except Exception as exc:  # the extractor promises not to raise; never break a test if it does
                warnings.append(f"usage could not be read ({type(exc).__name__}: {exc}); call not counted")
                return CallRecord(
                    kind="llm",
                    host=current.netloc,
                    status=current.status,
                    billed=False,
                    cost_usd=None,
                    cassette=cassette,
                    warnings=tuple(warnings),
                )
        if hook_error and extraction is None and _answers_json(current):
            # What the hook was there to read (an in-house gateway's JSON), the built-in readers do
            # not know: a call of unknown usage, unpriced, never a free tool call.
            extraction = usage_mod.unread_call(current)
            counted = "unpriced" if extraction.billed else f"not billed (HTTP {current.status})"
            warnings.append(f"response from {current.host}: {hook_error}; the call is counted, {counted}")
        elif hook_error and extraction is None:
            warnings.append(f"response from {current.host}: {hook_error}; its answer is no JSON: a tool call")
        elif hook_error:
            warnings.append(f"response from {current.host}: {hook_error}; the call was read without it")
        if extraction is None:
            elsewhere = usage_mod.billed_elsewhere(current)
            if elsewhere is not None:
                warnings.append(f"{current.host}: {elsewhere}")
            # A tool host keeps its port: two services on one host are priced and totalled apart.
            # A paid API bills its answers, not its errors and redirects (a 429 retried is one search).
            return CallRecord(
                kind="tool",
                host=current.netloc,
                status=current.status,
                cost_usd=self.pricer.tool_price(current.netloc) if 200 <= current.status < 300 else Decimal(0),
                cassette=cassette,
                warnings=tuple(warnings),
            )
        requested = usage_mod.effort_named_model(extraction, current)
        if requested is not None and self.pricer.override_key(extraction.provider, extraction.model) is None:
            extraction = replace(extraction, model=requested)  # as xAI bills it; a price file entry for its name wins
        usage = TokenUsage()
        context = extraction.price_context if extraction.billed else ()
        cost: Decimal | None = Decimal(0)
        left_out: list[str] = []
        if extraction.billed:
            units = self.pricer.units(extraction.provider, extraction.model, extraction.usage, context)
            audio = _audio_counted(extraction)
            if audio:
                # Kept whether priced or not, as a hosted tool's uses are: a price hook reads them.
                counts = vars(extraction.usage)
                units = tuple(sorted({*units, *((key, counts[key]) for key in audio)}))
            usage = token_usage(extraction.usage, units)
            left_out = self._left_out(current, extraction, context)
        if extraction.billed and self.price_hook is None:
            cost, why = self._priced(current, extraction, context, left_out)
            warnings.extend(why)
            elsewhere = self.pricer.priced_as(extraction.provider, extraction.model, context) if cost else None
            if elsewhere is not None:
                warnings.append(
                    f"{extraction.endpoint} response from {current.host}: genai-prices has no price for "
                    f"{extraction.model} on {extraction.provider}; priced at {elsewhere}'s rate for it (a price "
                    f"file entry '{extraction.provider}:{extraction.model}' gives yours)"
                )
        shown = context  # the record's: the tier, and how it was priced
        iterations: tuple[IterationCost, ...] = ()
        if extraction.billed and _priced_per_iteration(extraction):
            shown = tuple(sorted((*context, usage_mod.PER_ITERATION)))
            iterations = self._iterations(extraction, context, usage)  # at list prices, as a hook sees them
            if self.price_hook is None:
                iterations = share_cost(iterations, cost)
                if cost is not None:
                    cost = quantize_money(cost)  # the sum of its iterations' shares, as JSON reads them back
        record = CallRecord(
            kind="llm",
            host=sys.intern(current.netloc),  # with its port, as a tool call's: two local servers apart
            status=current.status,
            provider=extraction.provider,
            endpoint=extraction.endpoint,
            # Thousands of records name a handful of models: share one string each.
            model=None if extraction.model is None else sys.intern(extraction.model),
            usage=usage,
            cost_usd=cost,
            billed=extraction.billed,
            estimated=extraction.estimated,
            streamed=extraction.streamed,
            tool_calls=extraction.tool_calls if extraction.billed else 0,
            cassette=cassette,
            warnings=tuple(warnings) + tuple(extraction.warnings),
            drift=self._drift(live, recorded, extraction.endpoint),
            response_id=extraction.response_id,
            is_poll=extraction.is_poll,
            price_context=shown,
            iterations=iterations,
        )
        if not extraction.billed or self.price_hook is None:
            return record
        try:
            hooked = self.price_hook(record)
        except Exception as exc:  # the user's hook: its bug is an unpriced call, never a lost one or $0
            return self._with_cost(
                record,
                None,
                (
                    *record.warnings,
                    f"{extraction.endpoint} response from {current.host}: the pytest_agentcost_price_call hook "
                    f"raised {type(exc).__name__}: {exc}; the call is unpriced",
                ),
            )
        if hooked is None:
            hooked, why = self._priced(current, extraction, context, left_out)
            return self._with_cost(record, hooked, record.warnings + tuple(why))
        returned = hooked
        if isinstance(hooked, int | float) and not isinstance(hooked, bool):
            hooked = Decimal(str(hooked))  # a number in another type: the money it says
        if not isinstance(hooked, Decimal) or not hooked.is_finite() or not within_call_cost(hooked):
            if not isinstance(hooked, Decimal):
                what = "not a Decimal"
            elif not hooked.is_finite():
                what = "not a finite amount"  # said of what it returned: a float inf is no Decimal('Infinity')
            else:
                what = "out of range"
            return self._with_cost(
                record,
                None,
                (
                    *record.warnings,
                    f"{extraction.endpoint} response from {current.host}: the pytest_agentcost_price_call hook "
                    f"returned {returned!r}, {what}; the call is unpriced",
                ),
            )
        # Priced by the hook: a reason the price sources left it unpriced no longer holds.
        kept = tuple(w for w in record.warnings if "the call is unpriced" not in w)
        return self._with_cost(record, hooked, kept)

    @staticmethod
    def _with_cost(record: CallRecord, cost: Decimal | None, warnings: tuple[str, ...]) -> CallRecord:
        """``record`` at ``cost``, its iterations' shares of it (a hook's price, in their proportion)."""
        if not record.iterations:
            return replace(record, cost_usd=cost, warnings=warnings)
        iterations = share_cost(record.iterations, cost)
        cost = None if cost is None else quantize_money(cost)
        return replace(record, cost_usd=cost, warnings=warnings, iterations=iterations)

    def _iterations(self, extraction: Any, context: PriceContext, total: TokenUsage) -> tuple[IterationCost, ...]:
        """Each iteration of a call priced per iteration, at its model's price (None: none)."""
        found: list[IterationCost] = []
        for part, other in zip(extraction.parts, extraction.part_models, strict=True):
            model = other or extraction.model
            units = self.pricer.units(extraction.provider, model, part, context)
            price = self.pricer.price(extraction.provider, model, part, context)
            found.append(IterationCost(other, token_usage(part, units), price))
        # Thinking is counted for the whole call: its own iterations show it, the last first, each
        # no more than its output.
        missing = total.reasoning_tokens - sum(part.usage.reasoning_tokens for part in found)
        own = [index for index, part in enumerate(found) if part.model is None] or [len(found) - 1]
        for index in reversed(own):
            if missing <= 0:
                break
            part = found[index]
            room = part.usage.output_tokens - part.usage.reasoning_tokens
            moved = min(missing, room) if index != own[0] else missing
            usage = replace(part.usage, reasoning_tokens=part.usage.reasoning_tokens + moved)
            found[index] = replace(part, usage=usage)
            missing -= moved
        return tuple(found)

    def _priced(
        self, current: Interaction, extraction: Any, context: PriceContext, left_out: list[str]
    ) -> tuple[Decimal | None, list[str]]:
        """The call's price from the price sources (the hook's too when it returns None), and the
        warnings that say why it is unpriced."""
        cost = self._default_price(extraction, context, left_out)
        if cost is None:
            return None, left_out or self._priced_otherwise(current, extraction)
        if not within_call_cost(cost):
            # A price file's rate or a stated bill beyond any call's: money written with ten places
            # would not hold the sums.
            return None, [
                f"{extraction.endpoint} response from {current.host}: its price, ${cost:,.2f}, is beyond any "
                "one call's; the call is unpriced"
            ]
        if cost and extraction.endpoint.endswith(".batch") and self._no_batch_price(extraction, cost):
            return None, [
                f"{extraction.endpoint} response from {current.host}: genai-prices has no batch price for "
                f"{model_key(extraction.provider, extraction.model)}, and its standard price would overstate a "
                "batch's; the call is unpriced (a price file entry for the model prices it)"
            ]
        return cost, []

    def _left_out(self, current: Interaction, extraction: Any, context: PriceContext) -> list[str]:
        """Why the call's price would leave out a use it was billed for (none when its answer's
        stated bill prices it: the bill holds every use the answer lists)."""
        if self._stated(extraction) is not None:
            return []
        if getattr(extraction, "stated_cost", None) is not None:
            # Not taken: a price file entry prices the model's tokens, and the bill holds more.
            beside = _BILLED_BESIDE_TOKENS.get(extraction.provider or "", "more")
            return [
                f"{extraction.endpoint} response from {current.host}: the price file entry for "
                f"{model_key(extraction.provider, extraction.model)} prices tokens, and the answer's bill holds "
                f"{beside} beside them; the call is unpriced rather than priced low (a pytest_agentcost_price_call "
                "hook can price it)"
            ]
        return self._uses_left_out(current, extraction, context) + self._audio_left_out(current, extraction, context)

    def _default_price(self, extraction: Any, context: PriceContext, left_out: list[str]) -> Decimal | None:
        """The call's price from the price sources; None, not low, when it leaves out a billed use
        or is billed by what the exchange does not record."""
        if left_out or extraction.unpriced:
            return None
        stated = self._stated(extraction)
        return stated if stated is not None else self._price_parts(extraction, context)

    def _stated(self, extraction: Any) -> Decimal | None:
        """What the answer says the call cost, where the price list cannot tell (Perplexity's
        request fee by search context size, xAI's server-side tool uses); None under a price file
        entry for the model, which prices tokens only (:meth:`_left_out` says so)."""
        stated: Decimal | None = getattr(extraction, "stated_cost", None)  # a hook's may predate the field
        if stated is None or self.pricer.override_key(extraction.provider, extraction.model) is not None:
            return None
        return stated

    def _price_parts(self, extraction: Any, context: PriceContext) -> Decimal | None:
        """The call's price, a batch's request (or a Claude answer's iteration) by request: a price
        tier is chosen by a request's size, and their sum would reach a tier none of them did. A
        part of another model (an advisor's) is priced at that model's rates."""
        parts = getattr(extraction, "parts", ())
        models = getattr(extraction, "part_models", ()) or (None,) * len(parts)
        if len(parts) <= 1 and not any(models):
            return self.pricer.price(extraction.provider, extraction.model, extraction.usage, context)
        costs = [
            self.pricer.price(extraction.provider, other or extraction.model, part, context)
            for part, other in zip(parts, models, strict=True)
        ]
        return None if None in costs else sum((c for c in costs if c is not None), Decimal(0))

    def _no_batch_price(self, extraction: Any, cost: Decimal) -> bool:
        """A batch's results priced at the standard price: genai-prices has no batch variant for the
        model (a price file entry, which applies whatever the tier, is a price of its own)."""
        if self.pricer.override_key(extraction.provider, extraction.model) is not None:
            return False
        return self._price_parts(extraction, ()) == cost

    def _priced_otherwise(self, current: Interaction, extraction: Any) -> list[str]:
        """Why an unpriced call of a model genai-prices prices is unpriced: its usage counts what the
        price does not price (tts-1's characters against gpt-4o-mini-tts' tokens), or nothing."""
        model = extraction.model
        others = sorted({other for other in getattr(extraction, "part_models", ()) if other})
        unknown = [other for other in others if not self.pricer.has_price(extraction.provider, other)]
        if unknown and not extraction.unpriced:
            keys = [model_key(extraction.provider, other) for other in unknown]
            return [
                f"{extraction.endpoint} response from {current.host}: its usage.iterations bill "
                f"{' and '.join(keys)} at {'its' if len(keys) == 1 else 'their'} own rates (an advisor's or a "
                f"fallback's), which genai-prices has no price for; the call is unpriced (a price file entry "
                f"for {'it' if len(keys) == 1 else 'each'}, {', '.join(repr(key) for key in keys)}, prices "
                f"{'it' if len(keys) == 1 else 'them'})"
            ]
        if extraction.unpriced or not model or not self.pricer.has_price(extraction.provider, model):
            return []  # said by its own warning, or by the run's "no price for model" line
        counted = {k: v for k, v in vars(extraction.usage).items() if type(v) is int and v > 0}
        priced = self.pricer.priced_keys(extraction.provider, model)
        where = f"{extraction.endpoint} response from {current.host}: {model_key(extraction.provider, model)}"
        if priced and not any(key in priced for key in counted):
            return [
                f"{where} is priced by {', '.join(sorted(priced))}, and the call counts "
                f"{', '.join(counted) or 'none of them'}; the call is unpriced (a pytest_agentcost_price_call "
                "hook can price it)"
            ]
        shown = ", ".join(f"{key} {value}" for key, value in counted.items())
        return [f"{where}: genai-prices could not price this usage ({shown}); the call is unpriced"]

    def _uses_left_out(self, current: Interaction, extraction: Any, context: PriceContext) -> list[str]:
        """Why a call whose model has a price is unpriced: hosted tool uses the price leaves out."""
        if not extraction.billed_uses:
            return []
        uses = self.pricer.uses_left_out(
            extraction.provider, extraction.model, extraction.usage, extraction.billed_uses, context
        )
        if not uses:
            return []
        counted = ", ".join(f"{getattr(extraction.usage, key)} {key}" for key in uses)
        return [
            f"{extraction.endpoint} response from {current.host}: {model_key(extraction.provider, extraction.model)} "
            f"has no price for its {counted} in genai-prices; the call is unpriced rather than priced low "
            "(a pytest_agentcost_price_call hook can price it)"
        ]

    def _audio_apart(self, extraction: Any, context: PriceContext) -> tuple[str, ...]:
        """The audio counts of a Chat Completions call its price would bill as text (see
        :meth:`Pricer.audio_left_out`). A transcription's are not: its price's input rate, a
        price file's too, is the audio's."""
        if extraction.endpoint not in _AUDIO_APART_ENDPOINTS:
            return ()
        return self.pricer.audio_left_out(extraction.provider, extraction.model, extraction.usage, context)

    def _audio_left_out(self, current: Interaction, extraction: Any, context: PriceContext) -> list[str]:
        """Why a call with audio tokens is unpriced: its price would bill them as text."""
        audio = self._audio_apart(extraction, context)
        if not audio:
            return []
        counted = " and ".join(f"{getattr(extraction.usage, key)} {key}" for key in audio)
        key = model_key(extraction.provider, extraction.model)
        source = (
            "its price file entry prices tokens alike"
            if self.pricer.override_key(extraction.provider, extraction.model) is not None
            else "genai-prices has no audio rate for it"
        )
        return [
            f"{extraction.endpoint} response from {current.host}: {key} counts {counted}, billed at audio "
            f"rates above text's, and {source}; the call is unpriced rather than priced as text (a "
            "pytest_agentcost_price_call hook can price it)"
        ]

    def _drift(self, current: Interaction, recorded: Interaction | None, endpoint: str) -> dict[str, Any] | None:
        if not self.detect_drift or recorded is None:
            return None
        try:
            from pytest_agentcost import drift as drift_mod
        except ImportError:  # pragma: no cover - drift module ships with the package
            return None
        kwargs: dict[str, Any] = {"endpoint": endpoint}
        if self.drift_ignore_fields is not None:
            kwargs["ignore_fields"] = self.drift_ignore_fields
        try:
            found = drift_mod.detect_drift(recorded, current, **kwargs)
        except Exception:  # drift detection is advisory; it must never fail a test
            return None
        return None if found is None else dict(found.to_dict())


#: Endpoints whose answers count audio tokens that OpenAI bills at audio rates apart from text's.
_AUDIO_APART_ENDPOINTS = frozenset({"openai.chat"})


def _audio_counted(extraction: Any) -> tuple[str, ...]:
    """The audio counts of a Chat Completions call of a provider that bills audio apart, kept in
    its units whether a price knows them or not (a model no price source knows too: review 48),
    so a price hook can read them."""
    return audio_counts(extraction.provider, extraction.usage) if extraction.endpoint in _AUDIO_APART_ENDPOINTS else ()


#: What a stated bill holds beside the tokens a price file entry prices, by provider.
_BILLED_BESIDE_TOKENS = {
    "perplexity": "a request fee by search context size (usage.cost.request_cost)",
    "x-ai": "server-side tool uses (cost_in_usd_ticks)",
}


#: The fields of an :class:`~pytest_agentcost.usage.Extraction` a hook may get wrong, and the
#: types they must have (checked exactly where a subclass would be a wrong answer: bool is an int).
_EXTRACTION_FIELDS: tuple[tuple[str, tuple[type, ...]], ...] = (
    ("provider", (str, type(None))),
    ("endpoint", (str,)),
    ("model", (str, type(None))),
    ("usage", (Usage,)),
    ("streamed", (bool,)),
    ("billed", (bool,)),
    ("estimated", (bool,)),
    ("is_poll", (bool,)),
    ("response_id", (str, type(None))),
    ("warnings", (tuple,)),
    ("price_context", (tuple,)),
    ("billed_uses", (tuple,)),
    ("unpriced", (bool,)),
    ("stated_cost", (Decimal, type(None))),
    ("parts", (tuple,)),
    ("part_models", (tuple,)),
)


def _wrong_extraction(extraction: Any) -> str:
    """What is wrong with an extract hook's answer (empty: nothing). Its fields are read by the
    pricing, the tallies and the report: a wrong type there lost the call or failed the run's end."""
    if extraction is None:
        return ""
    if not isinstance(extraction, usage_mod.Extraction):
        return f"a {type(extraction).__name__}, not an Extraction (pytest_agentcost.usage.Extraction) or None"
    for name, types in _EXTRACTION_FIELDS:
        value = getattr(extraction, name)
        if not isinstance(value, types):
            return f"an Extraction whose {name} is {value!r}, not {' or '.join(t.__name__ for t in types)}"
    count = extraction.tool_calls
    if type(count) is not int or count < 0:
        return f"an Extraction whose tool_calls is {count!r}, not a count (an int, 0 or more)"
    if not all(isinstance(warning, str) for warning in extraction.warnings):
        return f"an Extraction whose warnings are {extraction.warnings!r}, not a tuple of str"
    if extraction.part_models and len(extraction.part_models) != len(extraction.parts):
        return "an Extraction whose part_models are not one per part (of parts)"
    if not all(isinstance(part, Usage) for part in extraction.parts):
        return "an Extraction whose parts are not each a Usage"
    return ""


def _answers_json(interaction: Interaction) -> bool:
    """Whether the answer is a JSON object or array, as an LLM API's is (a web page is not)."""
    try:
        return isinstance(interaction.response_json, dict | list)
    except Exception:
        return False
