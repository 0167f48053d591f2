"""The compiled price equals genai-prices' own calc_price, for every model it knows."""

from __future__ import annotations

from datetime import datetime, time, timezone
from decimal import Decimal
from typing import Any

import genai_prices
import pytest
from genai_prices import Usage
from genai_prices.data_snapshot import get_snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_agentcost._compiled_price import CompiledPrice, compile_price
from pytest_agentcost.pricing import DEFAULT_PRICE_DATE, Pricer, list_rate_moment

DATES = [
    datetime.fromisoformat(DEFAULT_PRICE_DATE).replace(tzinfo=timezone.utc),
    datetime(2025, 3, 1, tzinfo=timezone.utc),
]

# Usages that reach each branch of genai-prices' calculation: plain tokens, cache reads and
# writes, tiers (over 200k input tokens), modalities, tool and request units, keys it must infer
# or refuse (overlaps, descendants without their ancestor), negative leaves (also under a zero or
# absent ancestor), all zeros.
USAGES: list[dict[str, Any]] = [
    {"input_tokens": 1000, "output_tokens": 500},
    {"input_tokens": 0, "output_tokens": 0},
    {"input_tokens": 1200, "output_tokens": 80, "cache_read_tokens": 700, "cache_write_tokens": 300},
    {"input_tokens": 250_000, "output_tokens": 4_000, "cache_read_tokens": 100_000},
    {"input_tokens": 5000, "output_tokens": 900, "output_reasoning_tokens": 600},
    {"input_tokens": 5000, "output_tokens": 100, "input_audio_tokens": 1000, "cache_read_tokens": 0},
    {"input_tokens": 5000, "output_tokens": 100, "input_audio_tokens": 1000},
    {"input_tokens": 5000, "output_tokens": 100, "cache_audio_read_tokens": 10},
    {"input_tokens": 3000, "output_tokens": 10, "cache_write_tokens": 900, "cache_write_1h_tokens": 400},
    {"input_tokens": 3000, "output_tokens": 10, "cache_write_5m_tokens": 400},
    {"input_tokens": 800, "output_tokens": 200, "web_searches": 3},
    {"input_tokens": 100, "output_tokens": 10, "cache_read_tokens": 500},
    {"input_tokens": 0, "output_tokens": 10, "cache_read_tokens": 50},
    {"output_tokens": 10, "cache_read_tokens": 50, "cache_write_tokens": 0},
    {"input_tokens": 100, "output_tokens": 10, "output_audio_tokens": 4, "input_image_tokens": 20},
]


def _models() -> list[tuple[Any, Any]]:
    return [(provider, model) for provider in get_snapshot().providers for model in provider.models]


def _genai(usage: Usage, model: Any, provider: Any, when: datetime) -> Decimal | None:
    try:
        return model.calc_price(usage, provider, genai_request_timestamp=when).total_price
    except (LookupError, ValueError, TypeError, KeyError):
        return None


@pytest.mark.parametrize("when", DATES, ids=lambda d: d.date().isoformat())
def test_every_model_in_genai_prices_prices_identically(when: datetime) -> None:
    models = _models()
    compiled_models = 0
    shortcut_used = 0
    for provider, model in models:
        compiled = compile_price(provider, model, when)
        if compiled is None:
            continue
        compiled_models += 1
        for values in USAGES:
            usage = Usage(**values)
            fast = compiled.cost(usage)
            if fast is None:
                continue  # the caller asks genai-prices: nothing to compare
            shortcut_used += 1
            expected = _genai(usage, model, provider, when)
            assert expected is not None, (provider.id, model.id, values, fast)
            # Same value and the same Decimal (exponent included), not just numerically close.
            assert str(fast) == str(expected), (provider.id, model.id, values)
    # Not vacuous: nearly every model compiles and most usages take the shortcut.
    assert compiled_models > 0.9 * len(models)
    assert shortcut_used > 0.5 * compiled_models * len(USAGES)


def _contexts() -> list[dict[str, str]]:
    """Every ``when`` of a price variant in genai-prices' data, and one that selects nothing."""
    found = {tuple(sorted(variant.when.items())) for _, model in _models() for variant in model.price_variants or ()}
    return [dict(when) for when in sorted(found)] + [{"service_tier": "no-such-tier"}]


def test_every_price_variant_prices_identically() -> None:
    # A service tier selects the model's price variants (genai-prices' price_context): the compiled
    # price of each model under each context genai-prices knows equals calc_price's.
    when = DATES[0]
    contexts = _contexts()
    compared = 0
    differs = 0
    for provider, model in _models():
        if not model.price_variants:
            continue
        for context in contexts:
            compiled = compile_price(provider, model, when, context)
            if compiled is None:
                continue
            for values in USAGES:
                usage = Usage(**values)
                fast = compiled.cost(usage)
                if fast is None:
                    continue
                try:
                    expected = model.calc_price(
                        usage, provider, genai_request_timestamp=when, price_context=context
                    ).total_price
                except (LookupError, ValueError, TypeError, KeyError):
                    pytest.fail(f"compiled answered where genai-prices refuses: {provider.id} {model.id} {context}")
                assert str(fast) == str(expected), (provider.id, model.id, context, values)
                compared += 1
                differs += expected != model.calc_price(usage, provider, genai_request_timestamp=when).total_price
    # Not vacuous: the contexts were compared, and many of them change the price.
    assert compared > 1000
    assert differs > 300


def test_a_borrowed_model_is_priced_without_the_context() -> None:
    # Azure lists no gpt-5-mini of its own: genai-prices borrows OpenAI's and, as calc_price does,
    # prices it without the context (OpenAI's variants are not Azure's prices).
    provider, model = get_snapshot().find_provider_model("gpt-5-mini", None, "azure", None)
    assert not any(model is listed for listed in provider.models)
    usage = Usage(input_tokens=1000, output_tokens=100)
    compiled = compile_price(provider, model, DATES[0], {"service_tier": "flex"})
    assert compiled is not None
    expected = model.calc_price(
        usage, provider, genai_request_timestamp=DATES[0], price_context={"service_tier": "flex"}
    ).total_price
    standard = compile_price(provider, model, DATES[0])
    assert standard is not None
    assert compiled.cost(usage) == expected == standard.cost(usage)


def test_usage_genai_refuses_is_left_to_genai() -> None:
    provider, model = get_snapshot().find_provider_model("gpt-4o-mini", None, "openai", None)
    compiled = compile_price(provider, model, DATES[0])
    assert isinstance(compiled, CompiledPrice)
    # More cached tokens than input tokens: genai-prices raises; the shortcut must not answer.
    refused = Usage(input_tokens=10, output_tokens=1, cache_read_tokens=50)
    assert compiled.cost(refused) is None
    assert _genai(refused, model, provider, DATES[0]) is None
    # Float usage values go to genai-prices too (its Decimal arithmetic differs from int).
    assert compiled.cost(Usage(input_tokens=10, output_tokens=1.5)) is None


def test_special_cased_models_are_never_compiled() -> None:
    snapshot = get_snapshot()
    try:
        provider, model = snapshot.find_provider_model("whisper-large-v3", None, "groq", None)
    except LookupError:
        pytest.skip("genai-prices no longer lists Groq whisper-large-v3")
    assert compile_price(provider, model, DATES[0]) is None


@settings(max_examples=150, deadline=None)
@given(
    ref=st.sampled_from(
        [
            ("openai", "gpt-4o-mini"),
            ("openai", "gpt-4o"),
            ("openai", "o4-mini"),
            ("azure", "gpt-5-mini"),
            ("anthropic", "claude-opus-4-8"),
            ("anthropic", "claude-sonnet-4-5"),
            ("anthropic", "claude-3-5-haiku-latest"),
            ("google", "gemini-2.5-flash"),
            ("google", "gemini-2.5-pro"),
            (None, "deepseek-chat"),
            ("unknown-provider", "gpt-4o-mini"),
            ("openai", "no-such-model-anywhere"),
        ]
    ),
    values=st.dictionaries(
        st.sampled_from(
            [
                "input_tokens",
                "output_tokens",
                "cache_read_tokens",
                "cache_write_tokens",
                "output_reasoning_tokens",
                "input_audio_tokens",
                "cache_write_1h_tokens",
                "web_searches",
            ]
        ),
        st.integers(min_value=0, max_value=400_000),
    ),
    context=st.sampled_from(
        [
            (),
            (("service_tier", "flex"),),
            (("service_tier", "priority"),),
            (("speed", "fast"),),
            (("processing", "batch"),),
        ]
    ),
)
def test_pricer_matches_genai_prices_calc_price(
    ref: tuple[str | None, str], values: dict[str, int], context: tuple[tuple[str, str], ...]
) -> None:
    provider_id, model = ref
    pricer = Pricer()
    usage = Usage(**values)
    expected: Decimal | None = None
    for attempt in [provider_id, None] if provider_id else [None]:
        try:
            found = get_snapshot().find_provider_model(model, None, attempt, None)
            moment = list_rate_moment(*found, DATES[0].date(), dict(context) or None)
            expected = genai_prices.calc_price(
                usage,
                model,
                provider_id=attempt,
                genai_request_timestamp=moment,
                price_context=dict(context) or None,
            ).total_price
        except (LookupError, ValueError, TypeError, KeyError):
            continue
        if expected == 0 and any(values.values()) and not _prices_any(found, moment, context, values):
            expected = None  # genai-prices' $0 for counts its price has no price for: no price at all
        break
    got = pricer.price(provider_id, model, usage, context)
    assert (None if got is None else str(got)) == (None if expected is None else str(expected))
    # Asked twice (now from the compiled cache), the answer does not change.
    again = pricer.price(provider_id, model, usage, context)
    assert again == got


def _priced_by_time_of_day() -> list[tuple[Any, Any]]:
    return [
        (provider, model)
        for provider, model in _models()
        if isinstance(model.prices, list)
        and any(type(c.constraint).__name__ == "TimeOfDateConstraint" for c in model.prices)
    ]


def test_models_priced_by_time_of_day_are_priced_at_their_dearest_hour() -> None:
    """A pinned date has no hour: DeepSeek's off-peak discount must not be what a gate sees."""
    models = _priced_by_time_of_day()
    assert models, "genai-prices has no time-of-day prices any more: this test guards nothing"
    day = DATES[0].date()
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    for provider, model in models:
        moment = list_rate_moment(provider, model, day)
        chosen = model.calc_price(usage, provider, genai_request_timestamp=moment).total_price
        by_half_hour = [
            model.calc_price(usage, provider, genai_request_timestamp=DATES[0].replace(hour=h, minute=m)).total_price
            for h in range(24)
            for m in (0, 30)
        ]
        assert chosen == max(by_half_hour), model.id
        assert moment.date() == day


def _model_with(*windows: tuple[time, time, str]) -> Any:
    """A model at 0.27 / 1.10 by default and the given input price inside each window."""
    from genai_prices.types import ClauseEquals, ConditionalPrice, ModelInfo, ModelPrice, TimeOfDateConstraint

    conditional = [
        ConditionalPrice(
            constraint=TimeOfDateConstraint(start_time=start, end_time=end),
            prices=ModelPrice(input_mtok=Decimal(price), output_mtok=Decimal("1.10")),
        )
        for start, end, price in windows
    ]
    default = ConditionalPrice(prices=ModelPrice(input_mtok=Decimal("0.27"), output_mtok=Decimal("1.10")))
    return ModelInfo(id="m", match=ClauseEquals(equals="m"), prices=[default, *conditional])


@pytest.mark.parametrize(
    ("windows", "hour", "minute"),
    [
        # The discount is the window, and it covers midnight: the list rate starts as it ends.
        (((time(16, 30, tzinfo=timezone.utc), time(0, 30, tzinfo=timezone.utc), "0.135"),), 0, 30),
        # The peak is the window (as DeepSeek's is in genai-prices' data today): its start.
        (((time(6, 0, tzinfo=timezone.utc), time(10, 0, tzinfo=timezone.utc), "0.54"),), 6, 0),
        # Two discounts: the list rate is between them.
        (
            (
                (time(0, 0, tzinfo=timezone.utc), time(4, 0, tzinfo=timezone.utc), "0.1"),
                (time(4, 0, tzinfo=timezone.utc), time(9, 0, tzinfo=timezone.utc), "0.2"),
            ),
            9,
            0,
        ),
    ],
    ids=["discount-over-midnight", "peak-window", "two-discounts"],
)
def test_the_list_rate_is_found_whichever_hours_the_windows_cover(
    windows: tuple[tuple[time, time, str], ...], hour: int, minute: int
) -> None:
    provider = get_snapshot().find_provider(None, "deepseek", None)
    moment = list_rate_moment(provider, _model_with(*windows), DATES[0].date())
    assert moment == DATES[0].replace(hour=hour, minute=minute)


def test_an_hour_genai_prices_refuses_to_price_is_never_the_pick() -> None:
    model = _model_with((time(16, 30, tzinfo=timezone.utc), time(0, 30, tzinfo=timezone.utc), "0.135"))
    provider = get_snapshot().find_provider(None, "deepseek", None)
    real = model.calc_price

    def refusing(usage: Any, provider: Any, *, genai_request_timestamp: datetime, **kwargs: Any) -> Any:
        if genai_request_timestamp.hour == 0 and genai_request_timestamp.minute == 30:
            raise ValueError("no price at this hour")
        return real(usage, provider, genai_request_timestamp=genai_request_timestamp, **kwargs)

    object.__setattr__(model, "calc_price", refusing)
    # 00:30 is the list rate but cannot be priced; the other moments tie, so midnight, the first.
    assert list_rate_moment(provider, model, DATES[0].date()) == DATES[0]


def test_deepseek_is_priced_at_its_list_rate_and_other_models_at_midnight() -> None:
    pricer = Pricer()
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    peak = genai_prices.calc_price(usage, "deepseek-chat", genai_request_timestamp=DATES[0].replace(hour=12))
    off_peak = genai_prices.calc_price(usage, "deepseek-chat", genai_request_timestamp=DATES[0])
    assert off_peak.total_price < peak.total_price  # midnight UTC is DeepSeek's discount
    assert pricer.price("deepseek", "deepseek-chat", usage) == peak.total_price
    provider, model = get_snapshot().find_provider_model("gpt-4o-mini", None, "openai", None)
    assert list_rate_moment(provider, model, DATES[0].date()) == DATES[0]


def test_cached_answers_are_dropped_when_genai_prices_data_is_swapped() -> None:
    from genai_prices.data_snapshot import DataSnapshot, set_custom_snapshot

    from pytest_agentcost._genai_memo import SnapshotMemo

    memo = SnapshotMemo()
    computed: list[object] = []

    def compute(snapshot: object, key: str) -> int:
        computed.append(snapshot)
        return len(computed)

    assert memo.get("k", compute) == 1
    assert memo.get("k", compute) == 1  # cached for the same snapshot
    bundled = get_snapshot()
    # The same models without the price of gpt-4o-mini's provider: a priced model becomes unknown.
    other = DataSnapshot(providers=[p for p in bundled.providers if p.id != "openai"], from_auto_update=False)
    pricer = Pricer()
    usage = Usage(input_tokens=1000, output_tokens=100)
    assert pricer.price("openai", "gpt-4o-mini", usage) == Decimal("0.00021")
    set_custom_snapshot(other)
    try:
        assert memo.get("k", compute) == 2
        assert computed[-1] is other
        # The Pricer's compiled prices follow the swap too: no stale OpenAI price is served.
        expected = _genai_or_none(usage, "gpt-4o-mini", "openai")
        got = pricer.price("openai", "gpt-4o-mini", usage)
        assert (None if got is None else str(got)) == expected
    finally:
        set_custom_snapshot(None)
    assert pricer.price("openai", "gpt-4o-mini", usage) == Decimal("0.00021")


def _genai_or_none(usage: Usage, model: str, provider_id: str) -> str | None:
    for attempt in (provider_id, None):
        try:
            return str(
                genai_prices.calc_price(usage, model, provider_id=attempt, genai_request_timestamp=DATES[0]).total_price
            )
        except (LookupError, ValueError, TypeError, KeyError):
            continue
    return None


def _prices_any(found: Any, moment: Any, context: tuple[tuple[str, str], ...], values: dict[str, int]) -> bool:
    """Whether the model's price at ``moment`` has a price for any count of ``values`` above 0."""
    from genai_prices.data_units import unit_data

    provider, model = found
    ctx = dict(context) if context and any(model is m for m in provider.models) else None
    price = model.get_prices(moment, ctx)
    return any(n > 0 and getattr(price, unit_data[k]["price_key"], None) is not None for k, n in values.items())
