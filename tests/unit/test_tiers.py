"""Service tiers: read where each API reports them, priced with genai-prices' price variants.

A response served in another tier than the standard one says so (OpenAI's ``service_tier``,
Anthropic's ``usage.speed`` and ``usage.service_tier``, Gemini's ``usageMetadata.serviceTier``);
genai-prices prices those tiers apart (``PriceVariant(when=...)``, selected by ``price_context``).
Costs here are checked against ``genai_prices.calc_price`` with the same context, and against the
standard price so a reader that drops the tier fails.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import genai_prices
import pytest
from genai_prices import Usage
from genai_prices.data_snapshot import get_snapshot
from vcr.request import Request

from pytest_agentcost import accounting
from pytest_agentcost.accounting import Accountant
from pytest_agentcost.baseline import Baseline, BaselineEntry, baseline_from_dict, dump_baseline
from pytest_agentcost.diff import compare
from pytest_agentcost.drift import Drift
from pytest_agentcost.gate import make_estimator, make_repricer
from pytest_agentcost.interaction import from_vcr
from pytest_agentcost.models import (
    CallRecord,
    PriceContext,
    PriceSource,
    RunCost,
    TestCost,
    TokenUsage,
    model_key,
    price_context_from,
    split_model_key,
)
from pytest_agentcost.pricing import ModelPrice, Pricer
from pytest_agentcost.settings import Budget, Threshold
from pytest_agentcost.usage import STANDARD_TIERS, anthropic_context, service_tier_context

PRICE_DATE = datetime(2026, 11, 1, tzinfo=timezone.utc)
FLEX: PriceContext = (("service_tier", "flex"),)
PRIORITY: PriceContext = (("service_tier", "priority"),)
FAST: PriceContext = (("speed", "fast"),)

CHAT_URL = "https://api.openai.com/v1/chat/completions"
RESPONSES_URL = "https://api.openai.com/v1/responses"
ANTHROPIC_URL = "https://api.anthropic.com/v1/messages"
GEMINI_URL = "https://generativelanguage.googleapis.com/v1beta/models/gemini-3.8-flash-tts:generateContent"
GEMINI_STREAM_URL = GEMINI_URL.replace(":generateContent", ":streamGenerateContent") + "?alt=sse"

ACCOUNTANT = Accountant(Pricer())


def _genai(usage: Usage, model: str, provider: str | None, context: PriceContext) -> Decimal:
    return genai_prices.calc_price(
        usage, model, provider_id=provider, genai_request_timestamp=PRICE_DATE, price_context=dict(context) or None
    ).total_price


def _exchange(url: str, body: str, stream: bool = False) -> tuple[Request, dict[str, Any]]:
    content_type = "text/event-stream" if stream else "application/json"
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Type": [content_type]},
        "body": {"string": body},
    }
    return Request("POST", url, b"{}", {}), response


def _record(url: str, body: str, stream: bool = False) -> CallRecord:
    """The general path's record; the lean path's too when it takes the call (they must agree)."""
    request, response = _exchange(url, body, stream)
    record = ACCOUNTANT(from_vcr(request, response), None, None)
    lean = ACCOUNTANT.lean(request, response, None)
    assert lean is None or lean == record
    return record


def _sse(*docs: Any, events: tuple[str, ...] = ()) -> str:
    names = events or ("",) * len(docs)
    text = ""
    for name, doc in zip(names, docs, strict=True):
        data = doc if isinstance(doc, str) else json.dumps(doc)
        text += (f"event: {name}\n" if name else "") + f"data: {data}\n\n"
    return text


# --------------------------------------------------------------------------- readers


@pytest.mark.parametrize(
    ("tier", "context"),
    [
        ("flex", FLEX),
        ("priority", PRIORITY),
        ("fast", (("service_tier", "fast"),)),  # OpenAI's later name for priority: genai-prices has both
        ("scale", (("service_tier", "scale"),)),  # no genai-prices variant: the standard price (below)
        ("default", ()),
        ("standard", ()),
        ("on_demand", ()),  # Groq's standard tier, on every Groq answer
        ("", ()),
        (None, ()),
        (3, ()),
        (["flex"], ()),
    ],
)
def test_a_reported_service_tier_is_its_price_context(tier: Any, context: PriceContext) -> None:
    assert service_tier_context(tier) == context


def test_one_context_per_tier_is_shared() -> None:
    # Read once per call: no new tuple each time.
    assert service_tier_context("flex") is service_tier_context("flex")
    assert anthropic_context({"speed": "fast"}) is anthropic_context({"speed": "fast", "input_tokens": 3})


@pytest.mark.parametrize(
    ("usage", "context"),
    [
        ({"input_tokens": 1, "output_tokens": 1, "service_tier": "standard", "speed": "fast"}, FAST),
        ({"service_tier": "batch"}, (("processing", "batch"),)),
        ({"service_tier": "batch", "speed": "fast"}, (("processing", "batch"), ("speed", "fast"))),
        # Anthropic's Priority Tier is a capacity commitment: genai-prices has no variant for it.
        ({"service_tier": "priority"}, ()),
        ({"service_tier": "standard", "speed": "standard"}, ()),
        ({}, ()),
        (None, ()),
        ("usage", ()),
    ],
)
def test_anthropic_usage_maps_to_the_keys_genai_prices_keys_anthropic_on(usage: Any, context: PriceContext) -> None:
    assert anthropic_context(usage) == context


def test_anthropic_variants_are_keyed_as_the_reader_maps_them() -> None:
    anthropic = next(p for p in get_snapshot().providers if p.id == "anthropic")
    keys = {item for m in anthropic.models for v in m.price_variants or () for item in v.when.items()}
    assert {("speed", "fast"), ("processing", "batch")} <= keys
    assert not {key for key, _ in keys} - {"speed", "processing"}, keys  # a new key would need reading


def test_standard_tier_names_select_no_priced_variant() -> None:
    # The readers keep no context for "default" and "standard". That is exact while genai-prices
    # prices those names as the standard tier: no variant for them, or one that changes no price.
    seen = 0
    for provider in get_snapshot().providers:
        for model in provider.models:
            for variant in model.price_variants or ():
                if variant.when.get("service_tier") in STANDARD_TIERS:
                    seen += 1
                    prices = {k: v for k, v in vars(variant.prices).items() if v is not None}
                    assert not prices, (provider.id, model.id, variant)
    assert seen > 0


# --------------------------------------------------------------------------- extraction and pricing

CHAT = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "o4-mini-2025-04-16",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 2000, "completion_tokens": 1500, "prompt_tokens_details": {"cached_tokens": 1024}},
}
CHAT_USAGE = Usage(input_tokens=2000, output_tokens=1500, cache_read_tokens=1024)
# o4-mini at the standard rates: 976 x 1.10 + 1024 x 0.275 + 1500 x 4.40 = 7955.2 / 1e6
CHAT_STANDARD = Decimal("0.0079552")


def test_the_bug_report_o4_mini_flex_is_priced_at_the_flex_rate() -> None:
    record = _record(CHAT_URL, json.dumps({**CHAT, "service_tier": "flex"}))
    # 976 x 0.55 + 1024 x 0.138 + 1500 x 2.20 = 536.8 + 141.312 + 3300 = 3978.112 / 1e6
    assert record.cost_usd == Decimal("0.003978112") == _genai(CHAT_USAGE, "o4-mini", "openai", FLEX)
    assert record.price_context == FLEX


def test_priority_is_priced_at_the_priority_rate() -> None:
    record = _record(CHAT_URL, json.dumps({**CHAT, "service_tier": "priority"}))
    # 976 x 2 + 1024 x 0.50 + 1500 x 8 = 1952 + 512 + 12000 = 14464 / 1e6 (standard x 1.82)
    assert record.cost_usd == Decimal("0.014464") == _genai(CHAT_USAGE, "o4-mini", "openai", PRIORITY)
    assert record.price_context == PRIORITY


@pytest.mark.parametrize("tier", ["default", None, "absent", "scale"])
def test_the_standard_tier_or_one_genai_prices_does_not_price_keeps_the_standard_price(tier: str | None) -> None:
    body = dict(CHAT) if tier == "absent" else {**CHAT, "service_tier": tier}
    record = _record(CHAT_URL, json.dumps(body))
    assert record.cost_usd == CHAT_STANDARD
    assert record.price_context == (service_tier_context(tier) if tier == "scale" else ())
    assert "price_context" not in record.to_dict() or tier == "scale"


def test_groq_answers_name_their_standard_tier_and_keep_their_price() -> None:
    # Every Groq answer says "service_tier": "on_demand" (its standard tier); its flex tier is priced
    # as on-demand (Groq's docs), and genai-prices has no Groq tier variant: the standard price.
    url = "https://api.groq.com/openai/v1/chat/completions"
    body = {**CHAT, "model": "llama-3.3-70b-versatile", "x_groq": {"id": "req_1"}}
    on_demand = _record(url, json.dumps({**body, "service_tier": "on_demand"}))
    flex = _record(url, json.dumps({**body, "service_tier": "flex"}))
    assert on_demand.provider == flex.provider == "groq"
    assert (on_demand.price_context, flex.price_context) == ((), FLEX)
    usage = Usage(input_tokens=2000, output_tokens=1500, cache_read_tokens=1024)
    assert on_demand.cost_usd == flex.cost_usd == _genai(usage, "llama-3.3-70b-versatile", "groq", ())


def test_a_chat_stream_is_priced_at_the_tier_its_chunks_report() -> None:
    def chunk(**extra: Any) -> dict[str, Any]:
        return {"id": "c1", "object": "chat.completion.chunk", "model": "o4-mini", "choices": [], **extra}

    usage = {"prompt_tokens": 3000, "completion_tokens": 800}
    body = _sse(chunk(service_tier="priority", usage=None), chunk(service_tier="priority", usage=usage), "[DONE]")
    record = _record(CHAT_URL, body, stream=True)
    # 3000 x 2 + 800 x 8 = 12400 / 1e6
    assert (record.streamed, record.cost_usd, record.price_context) == (True, Decimal("0.0124"), PRIORITY)
    # Chunks that stop naming it (or a stream that never does) leave the last named tier, or none.
    unnamed = _sse(chunk(service_tier="flex", usage=None), chunk(usage=usage), "[DONE]")
    assert _record(CHAT_URL, unnamed, stream=True).price_context == FLEX
    plain = _sse(chunk(usage=usage), "[DONE]")
    assert _record(CHAT_URL, plain, stream=True).cost_usd == Decimal("0.00682")  # 3300 + 3520


RESPONSE = {
    "id": "resp_1",
    "object": "response",
    "status": "completed",
    "model": "gpt-5-mini-2025-08-07",
    "output": [],
    "usage": {"input_tokens": 4000, "input_tokens_details": {"cached_tokens": 2048}, "output_tokens": 900},
}


def test_a_responses_object_is_priced_at_its_service_tier() -> None:
    record = _record(RESPONSES_URL, json.dumps({**RESPONSE, "service_tier": "priority"}))
    # gpt-5-mini priority: 1952 x 0.45 + 2048 x 0.045 + 900 x 3.60 = 878.4 + 92.16 + 3240 = 4210.56 / 1e6
    assert (record.cost_usd, record.price_context) == (Decimal("0.00421056"), PRIORITY)


def test_a_responses_stream_is_priced_at_the_tier_of_its_final_event() -> None:
    created = {**RESPONSE, "status": "in_progress", "usage": None, "service_tier": "priority"}
    done = {**RESPONSE, "service_tier": "flex"}
    body = _sse(
        {"type": "response.created", "response": created},
        {"type": "response.completed", "response": done},
        events=("response.created", "response.completed"),
    )
    record = _record(RESPONSES_URL, body, stream=True)
    # flex: 1952 x 0.125 + 2048 x 0.0125 + 900 x 1 = 244 + 25.6 + 900 = 1169.6 / 1e6
    assert (record.cost_usd, record.price_context) == (Decimal("0.0011696"), FLEX)


ANTHROPIC = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-opus-4-8",
    "content": [{"type": "text", "text": "ok"}],
    "usage": {"input_tokens": 1000, "output_tokens": 200, "service_tier": "standard"},
}


def test_anthropic_fast_mode_is_priced_at_the_fast_rate() -> None:
    body = {**ANTHROPIC, "usage": {**ANTHROPIC["usage"], "speed": "fast"}}
    record = _record(ANTHROPIC_URL, json.dumps(body))
    # fast: 1000 x 10 + 200 x 50 = 20000 / 1e6 (standard: 5000 + 5000 -> 0.01)
    assert (record.cost_usd, record.price_context) == (Decimal("0.02"), FAST)
    assert _record(ANTHROPIC_URL, json.dumps(ANTHROPIC)).cost_usd == Decimal("0.01")


def test_anthropic_priority_tier_keeps_the_standard_price() -> None:
    body = {**ANTHROPIC, "usage": {**ANTHROPIC["usage"], "service_tier": "priority"}}
    record = _record(ANTHROPIC_URL, json.dumps(body))
    assert (record.cost_usd, record.price_context) == (Decimal("0.01"), ())


def test_an_anthropic_stream_is_priced_at_the_speed_message_start_reports() -> None:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-opus-4-8",
            "content": [],
            "usage": {"input_tokens": 1000, "output_tokens": 1, "service_tier": "standard", "speed": "fast"},
        },
    }
    delta = {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 200}}
    body = _sse(start, delta, {"type": "message_stop"}, events=("message_start", "message_delta", "message_stop"))
    record = _record(ANTHROPIC_URL, body, stream=True)
    assert (record.streamed, record.cost_usd, record.price_context) == (True, Decimal("0.02"), FAST)


GEMINI = {
    "candidates": [{"content": {"parts": [{"text": "ok"}], "role": "model"}, "finishReason": "STOP"}],
    "usageMetadata": {"promptTokenCount": 120, "candidatesTokenCount": 2400, "totalTokenCount": 2520},
    "modelVersion": "gemini-3.8-flash-tts",
    "responseId": "r1",
}


@pytest.mark.parametrize(
    ("tier", "cost"),
    [
        ("flex", "0.01083"),  # 120 x 0.25 + 2400 x 4.50 = 10830 / 1e6
        ("priority", "0.038988"),  # 120 x 0.90 + 2400 x 16.20 = 108 + 38880 = 38988 / 1e6
        ("standard", "0.02166"),  # 120 x 0.50 + 2400 x 9 = 60 + 21600 = 21660 / 1e6
    ],
)
def test_gemini_is_priced_at_the_tier_its_usage_metadata_reports(tier: str, cost: str) -> None:
    body = {**GEMINI, "usageMetadata": {**GEMINI["usageMetadata"], "serviceTier": tier}}
    record = _record(GEMINI_URL, json.dumps(body))
    assert (record.cost_usd, record.price_context) == (Decimal(cost), service_tier_context(tier))
    streamed = _record(GEMINI_STREAM_URL, _sse(body), stream=True)
    assert (streamed.streamed, streamed.cost_usd, streamed.price_context) == (True, Decimal(cost), record.price_context)


def test_an_estimated_call_is_priced_at_the_tier_too() -> None:
    record = _record(CHAT_URL, json.dumps({**CHAT, "usage": None, "service_tier": "flex"}))
    assert record.estimated
    assert record.price_context == FLEX
    usage = Usage(input_tokens=record.usage.input_tokens, output_tokens=record.usage.output_tokens)
    assert record.cost_usd == _genai(usage, "o4-mini", "openai", FLEX)


def test_an_error_is_not_billed_and_carries_no_tier() -> None:
    request, response = _exchange(CHAT_URL, json.dumps({**CHAT, "service_tier": "flex"}))
    response["status"] = {"code": 500, "message": "Error"}
    record = ACCOUNTANT(from_vcr(request, response), None, None)
    assert (record.billed, record.price_context) == (False, ())


# --------------------------------------------------------------------------- the pricer


@pytest.mark.parametrize(
    ("provider", "model", "context"),
    [
        ("openai", "o4-mini", FLEX),
        ("openai", "o4-mini", PRIORITY),
        ("openai", "gpt-5-mini", (("service_tier", "fast"),)),
        ("openai", "gpt-5-mini", (("processing", "batch"),)),
        ("openai", "gpt-4o-mini", FLEX),  # gpt-4o-mini has no flex variant: standard
        (None, "o4-mini", FLEX),  # no provider: genai-prices finds OpenAI's model, variants and all
        ("azure", "gpt-5-mini", FLEX),  # borrowed from OpenAI's list: genai-prices ignores the context
        ("anthropic", "claude-opus-4-8", FAST),
        ("anthropic", "claude-opus-4-8", (("processing", "batch"), ("speed", "fast"))),
        ("google", "gemini-3.8-flash-tts", PRIORITY),
        ("google", "claude-opus-4-8", FAST),  # Google's own entry has no fast-mode variant
    ],
)
def test_the_pricer_prices_a_context_as_genai_prices_does(
    provider: str | None, model: str, context: PriceContext
) -> None:
    pricer = Pricer()
    for values in (
        {"input_tokens": 2000, "output_tokens": 1500, "cache_read_tokens": 1024},
        {"input_tokens": 300_000, "output_tokens": 10, "cache_write_tokens": 1000},
        {"input_tokens": 10, "output_tokens": 1.5},  # not an int: genai-prices prices it itself
    ):
        usage = Usage(**values)
        expected = _genai(usage, model, provider, context)
        assert pricer.price(provider, model, usage, context) == expected
        assert str(pricer.price(provider, model, usage, context)) == str(expected)  # memoised, same Decimal


def test_each_context_is_compiled_apart() -> None:
    pricer = Pricer()
    usage = Usage(input_tokens=1000, output_tokens=1000)
    standard = pricer.price("openai", "o4-mini", usage)
    flex = pricer.price("openai", "o4-mini", usage, FLEX)
    assert (standard, flex, pricer.price("openai", "o4-mini", usage)) == (
        Decimal("0.0055"),  # 1000 x 1.10 + 1000 x 4.40
        Decimal("0.00275"),  # 1000 x 0.55 + 1000 x 2.20
        Decimal("0.0055"),
    )


def test_a_price_file_entry_applies_whatever_the_tier() -> None:
    price = ModelPrice(input=Decimal("1"), output=Decimal("2"))
    pricer = Pricer(overrides={"o4-mini": price, "openai:o4-mini-2025-04-16": price})
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    for context in ((), FLEX, PRIORITY):
        assert pricer.price("openai", "o4-mini", usage, context) == Decimal(3)
    accountant = Accountant(pricer)
    request, response = _exchange(CHAT_URL, json.dumps({**CHAT, "service_tier": "priority"}))
    for record in (accountant(from_vcr(request, response), None, None), accountant.lean(request, response, None)):
        assert record is not None
        assert record.price_context == PRIORITY  # still reported
        # The file's rates, not priority's: 976 x 1 + 1024 x 1 (cache reads at the input rate) + 1500 x 2
        assert record.cost_usd == Decimal("0.005")


def test_a_price_hook_sees_the_tier_and_leaves_it_to_the_pricer_when_it_declines() -> None:
    seen: list[PriceContext] = []

    def hook(record: CallRecord) -> Decimal | None:
        seen.append(record.price_context)
        return None

    accountant = Accountant(Pricer(), price_hook=hook)
    request, response = _exchange(CHAT_URL, json.dumps({**CHAT, "service_tier": "flex"}))
    record = accountant(from_vcr(request, response), None, None)
    assert seen == [FLEX]
    assert record.cost_usd == Decimal("0.003978112")


def _estimate_stale(input_delta: int, **call: Any) -> Decimal | None:
    """``make_estimator`` on a test of one o4-mini chat call whose request grew by ``input_delta`` tokens."""
    fields: dict[str, Any] = {
        "kind": "llm",
        "host": "api.openai.com",
        "status": 200,
        "provider": "openai",
        "endpoint": "openai.chat",
        "model": "o4-mini",
        **call,
    }
    drift = Drift(("system prompt changed",), None, 1000, 1000 + input_delta, input_delta, None, False, "o200k_base")
    record = CallRecord(**fields, drift=drift.to_dict())
    return make_estimator(Pricer())(TestCost(nodeid="t.py::t", calls=(record,)))


def test_a_stale_call_is_estimated_at_its_tier() -> None:
    usage = TokenUsage(input_tokens=1000, output_tokens=1000)
    # Re-recorded with 1000 more input tokens, still flex: 2000 x 0.55 + 1000 x 2.20 = 3300 / 1e6
    assert _estimate_stale(1000, usage=usage, price_context=FLEX) == Decimal("0.0033")


def test_a_stale_estimated_call_is_not_moved_twice() -> None:
    # A stream recorded without usage is counted from the request sent now: its estimate already
    # holds the longer prompt, and "if re-recorded" is what it costs now, not that plus the delta.
    usage = TokenUsage(input_tokens=2000, output_tokens=1000)
    # 2000 x 1.10 + 1000 x 4.40 = 6600 / 1e6, as counted now (not 3000 input tokens).
    assert _estimate_stale(1000, usage=usage, estimated=True) == Decimal("0.0066")


def test_a_stale_calls_cache_writes_keep_their_price_in_the_estimate() -> None:
    usage = TokenUsage(input_tokens=3000, output_tokens=100, cache_write_tokens=1024)
    anthropic = {"host": "api.anthropic.com", "provider": "anthropic", "endpoint": "anthropic.messages"}
    # 16 fewer input tokens, the 1024 written to the cache still at $3.75: (2984 - 1024) x 3
    # + 1024 x 3.75 + 100 x 15 = 5880 + 3840 + 1500 = 11220 / 1e6 (not 10452 with them at $3).
    estimate = _estimate_stale(-16, **anthropic, model="claude-sonnet-4-20250514", usage=usage)
    assert estimate == Decimal("0.01122")


# --------------------------------------------------------------------------- the record


def test_the_record_carries_the_context_through_its_json() -> None:
    from pytest_agentcost.report import _call_json, _compact

    record = _record(CHAT_URL, json.dumps({**CHAT, "service_tier": "flex"}))
    data = record.to_dict()
    assert data["price_context"] == {"service_tier": "flex"}
    assert CallRecord.from_dict(json.loads(json.dumps(data))) == record
    assert _call_json(record) == _compact(data)
    standard = _record(CHAT_URL, json.dumps(CHAT))
    assert "price_context" not in standard.to_dict()
    assert '"price_context"' not in _call_json(standard)


@pytest.mark.parametrize(
    ("value", "context"),
    [
        (None, ()),
        ({}, ()),
        ({"speed": "fast", "processing": "batch"}, (("processing", "batch"), ("speed", "fast"))),
    ],
)
def test_a_price_context_is_read_back_sorted(value: Any, context: PriceContext) -> None:
    assert price_context_from(value) == context


@pytest.mark.parametrize("value", ["flex", ["service_tier", "flex"], {"service_tier": 1}, {1: "flex"}])
def test_a_malformed_price_context_is_refused(value: Any) -> None:
    with pytest.raises(ValueError, match="price_context"):
        price_context_from(value)


@pytest.mark.parametrize(
    ("provider", "model", "context", "key"),
    [
        ("openai", "o4-mini", (), "openai:o4-mini"),
        ("openai", "o4-mini", (("service_tier", "flex"),), "openai:o4-mini [service_tier=flex]"),
        (
            "anthropic",
            "claude-opus-4-8",
            (("processing", "batch"), ("speed", "fast")),
            "anthropic:claude-opus-4-8 [processing=batch, speed=fast]",
        ),
        ("openai", "ft:gpt-4o-mini:acme::abc123", (), "openai:ft:gpt-4o-mini:acme::abc123"),
        (None, "gpt-4o-mini", (("service_tier", "priority"),), "?:gpt-4o-mini [service_tier=priority]"),
        (None, None, (), "?:?"),
    ],
)
def test_model_keys_carry_the_tier_and_read_back(
    provider: str | None, model: str | None, context: PriceContext, key: str
) -> None:
    assert model_key(provider, model, context) == key
    assert split_model_key(key) == (provider, model, context)


def test_a_model_name_with_brackets_is_not_read_as_a_tier() -> None:
    assert split_model_key("local:my model [v2]") == ("local", "my model [v2]", ())


def _against_a_baseline_of_older_prices(
    pricer: Pricer, test: TestCost, old_cost: Decimal | None = None, *, recorded: TestCost | None = None
) -> Any:
    """The diff of ``test`` against itself as a baseline priced by an older genai-prices.

    ``old_cost``: what the older prices made of the test's one model (default: what they make now).
    ``recorded``: the test as the baseline recorded it, if not ``test`` itself.
    The baseline is written and read back: what it keeps is all repricing has.
    """
    entry = BaselineEntry.from_test(recorded or test)
    if old_cost is not None:
        ((key, totals),) = entry.by_model.items()
        entry = dataclasses.replace(
            entry, cost_usd=old_cost, by_model={key: dataclasses.replace(totals, cost_usd=old_cost)}
        )
    older = PriceSource(version="0.0.1", price_date=pricer.source.price_date)
    written = json.loads(dump_baseline(Baseline(tests={test.nodeid: entry}, price_source=older)))
    run = RunCost(tests={test.nodeid: test}, price_source=pricer.source)
    cmp = compare(
        run,
        baseline_from_dict(written, "baseline"),
        threshold_for=lambda _: Threshold.parse("10%"),
        budget_for=lambda _: Budget(),
        total_threshold=None,
        full_run=True,
        reprice=make_repricer(pricer),
    )
    (diff,) = cmp.tests
    return diff


def test_a_tiered_baseline_is_repriced_at_its_own_tier() -> None:
    # The baseline was priced with another genai-prices release, so the gate reprices its
    # per-model totals: a flex baseline must be repriced at flex rates, or the unchanged test
    # shows a false price change (and its usage change is off by the same amount).
    pricer = Pricer()
    flex = (("service_tier", "flex"),)
    usage = Usage(input_tokens=2000, cache_read_tokens=1000, output_tokens=3000)
    cost = pricer.price("openai", "o4-mini", usage, flex)
    assert cost is not None
    assert cost != pricer.price("openai", "o4-mini", usage)
    call = CallRecord(
        "llm", "api.openai.com", 200, "openai", "openai.chat", "o4-mini",
        TokenUsage(2000, 3000, 1000), cost, price_context=flex,
    )  # fmt: skip
    test = TestCost("t.py::task", calls=(call,))
    assert list(test.by_model()) == ["openai:o4-mini [service_tier=flex]"]
    diff = _against_a_baseline_of_older_prices(pricer, test)
    assert diff.price_delta_usd == 0
    assert diff.usage_delta_usd == 0
    assert diff.status == "unchanged"


def test_a_baseline_of_calls_that_cost_more_than_their_tokens_keeps_its_cost() -> None:
    # A hosted web search is billed per call on top of the tokens, which are all a baseline
    # keeps. Repricing the baseline from its tokens would drop the search fee and show the
    # unchanged test as a usage regression the size of the fee (+737% for one gpt-4o call).
    pricer = Pricer()
    usage = Usage(input_tokens=2000, output_tokens=300)
    tokens_only = pricer.price("openai", "gpt-4o", usage)
    assert tokens_only is not None
    usage.web_searches = 1
    cost = pricer.price("openai", "gpt-4o", usage)
    assert cost == tokens_only + Decimal("0.01")
    call = CallRecord("llm", "api.openai.com", 200, "openai", "openai.responses", "gpt-4o", TokenUsage(2000, 300), cost)
    test = TestCost("t.py::task", calls=(call,))
    diff = _against_a_baseline_of_older_prices(pricer, test)
    assert (diff.status, diff.usage_delta_usd, diff.price_delta_usd) == ("unchanged", 0, 0)


@pytest.mark.parametrize(
    ("model", "provider", "usage", "units"),
    [
        # A hosted web search, billed per call on top of the tokens.
        ("gpt-4o", "openai", Usage(input_tokens=2000, output_tokens=300, web_searches=1), (("web_searches", 1),)),
        # One-hour cache writes, at twice the input price (five-minute ones at 1.25 times).
        (
            "claude-sonnet-4-5",
            "anthropic",
            Usage(input_tokens=3020, output_tokens=100, cache_write_tokens=3000, cache_write_1h_tokens=2000),
            (("cache_write_1h_tokens", 2000),),
        ),
        # Audio input over a cached text context (Gemini): audio is priced apart, and the zero
        # audio cache reads are kept, or genai-prices will not split the cache reads.
        (
            "gemini-2.5-flash",
            "google-gla",
            Usage(
                input_tokens=1500,
                output_tokens=10,
                cache_read_tokens=1024,
                input_text_tokens=1200,
                input_audio_tokens=300,
                cache_text_read_tokens=1024,
                cache_audio_read_tokens=0,
            ),
            (("cache_audio_read_tokens", 0), ("input_audio_tokens", 300)),
        ),
        # Reasoning priced apart from output (sonar-deep-research: $3 against $8 per million),
        # and searches billed per thousand.
        (
            "sonar-deep-research",
            "perplexity",
            Usage(input_tokens=1000, output_tokens=5000, output_reasoning_tokens=4000, web_searches=3),
            (("web_searches", 3),),
        ),
    ],
)
def test_a_baseline_keeps_the_units_beyond_tokens_and_is_repriced_with_them(
    model: str, provider: str, usage: Usage, units: tuple[tuple[str, int], ...]
) -> None:
    pricer = Pricer()
    assert pricer.units(provider, model, usage) == units
    cost = pricer.price(provider, model, usage)
    assert cost is not None
    tokens = accounting.token_usage(usage, units)
    call = CallRecord("llm", "h", 200, provider, "e", model, tokens, cost)
    assert BaselineEntry.from_test(TestCost("t", calls=(call,))).to_dict()["by_model"][f"{provider}:{model}"][
        "units"
    ] == dict(units)
    # The older price source billed this call differently: the difference is a price change,
    # the test's usage is unchanged.
    old_cost = cost + Decimal("0.004")
    diff = _against_a_baseline_of_older_prices(pricer, TestCost("t.py::task", calls=(call,)), old_cost)
    assert (diff.status, diff.usage_delta_usd, diff.price_delta_usd) == ("price-changed", 0, Decimal("-0.004"))
    # Without the units, the baseline could only keep its recorded cost: the price change would
    # read as usage.
    bare = dataclasses.replace(call, usage=dataclasses.replace(tokens, units=()))
    diff = _against_a_baseline_of_older_prices(pricer, TestCost("t.py::task", calls=(bare,)), old_cost)
    assert (diff.usage_delta_usd, diff.price_delta_usd) == (Decimal("-0.004"), 0)


def test_units_keep_only_what_the_price_depends_on() -> None:
    pricer = Pricer()
    # Gemini reports its text tokens apart; text is priced as input, so they are not kept.
    text = Usage(input_tokens=1000, output_tokens=100, input_text_tokens=1000)
    assert pricer.units("google-gla", "gemini-2.5-flash", text) == ()
    # Audio input is priced apart.
    audio = Usage(input_tokens=1000, output_tokens=100, input_text_tokens=600, input_audio_tokens=400)
    assert pricer.units("google-gla", "gemini-2.5-flash", audio) == (("input_audio_tokens", 400),)
    # No price source knows the model, or a price file prices it by tokens: only a hosted tool's
    # uses are kept, each billed whether or not a price counts it.
    searched = Usage(input_tokens=10, output_tokens=1, web_searches=2)
    assert pricer.units("openai", "no-such-model-xyz", searched) == (("web_searches", 2),)
    filed = Pricer(overrides={"gpt-4o": ModelPrice(input=Decimal(1), output=Decimal(2))})
    assert filed.units("openai", "gpt-4o", audio) == ()
    assert filed.units("openai", "gpt-4o", searched) == (("web_searches", 2),)
    assert pricer.units("openai", "gpt-4o", searched) == (("web_searches", 2),)


def test_a_baseline_written_before_units_were_kept_keeps_its_cost() -> None:
    # A baseline written before 'units' holds no web search count though its recorded cost
    # includes the search fee. The run now reprices exactly from its own units, but the baseline
    # repriced from its tokens alone would lose the fee: the unchanged test would read as a
    # usage regression the size of the fee.
    pricer = Pricer()
    usage = Usage(input_tokens=2000, output_tokens=300, web_searches=1)
    units = pricer.units("openai", "gpt-4o", usage)
    assert units == (("web_searches", 1),)
    cost = pricer.price("openai", "gpt-4o", usage)
    assert cost is not None
    call = CallRecord(
        "llm", "api.openai.com", 200, "openai", "openai.responses", "gpt-4o",
        accounting.token_usage(usage, units), cost,
    )  # fmt: skip
    test = TestCost("t.py::task", calls=(call,))
    recorded = dataclasses.replace(test, calls=(dataclasses.replace(call, usage=TokenUsage(2000, 300)),))
    assert "units" not in json.dumps(BaselineEntry.from_test(recorded).to_dict())
    diff = _against_a_baseline_of_older_prices(pricer, test, recorded=recorded)
    assert (diff.status, diff.usage_delta_usd, diff.price_delta_usd) == ("unchanged", 0, 0)


def test_units_do_not_depend_on_which_call_came_first() -> None:
    # A call that cannot be priced (its audio count exceeds its input) says nothing of the next
    # call with the same keys: were its empty answer kept for the model and key set, the next
    # call's audio tokens would be lost, and a report would differ with the order calls are read
    # in (one xdist worker against another).
    pricer = Pricer()
    bad = Usage(input_tokens=100, output_tokens=10, input_text_tokens=50, input_audio_tokens=300)
    assert pricer.price("google-gla", "gemini-2.5-flash", bad) is None
    assert pricer.units("google-gla", "gemini-2.5-flash", bad) == ()
    good = Usage(input_tokens=1000, output_tokens=10, input_text_tokens=700, input_audio_tokens=300)
    assert pricer.units("google-gla", "gemini-2.5-flash", good) == (("input_audio_tokens", 300),)


def test_a_unit_this_genai_prices_does_not_know_is_not_repriced() -> None:
    # A baseline written with a newer genai-prices may keep a unit this one does not know.
    # genai-prices would only warn and price without it: the repricer must refuse instead, so
    # the entry keeps its recorded cost rather than lose that unit's share as a usage change.
    reprice = make_repricer(Pricer())
    usage = TokenUsage(2000, 300)
    assert reprice("openai:gpt-4o", usage) is not None
    assert reprice("openai:gpt-4o", dataclasses.replace(usage, units=(("web_searches", 1),))) is not None
    assert reprice("openai:gpt-4o", dataclasses.replace(usage, units=(("future_units", 3),))) is None


def test_units_are_worked_out_per_shape_zeros_included() -> None:
    # Two calls with the same keys: one writes to the cache for five minutes only (the one-hour
    # count is 0, which changes no price), the next for an hour too. The first must not decide
    # for the second, whatever order the calls are read in (xdist workers read in other orders).
    pricer = Pricer()
    five_minutes = Usage(
        input_tokens=2060,
        output_tokens=350,
        cache_read_tokens=1800,
        cache_write_tokens=248,
        cache_write_5m_tokens=248,
        cache_write_1h_tokens=0,
    )
    one_hour = Usage(
        input_tokens=3020,
        output_tokens=100,
        cache_write_tokens=3000,
        cache_write_5m_tokens=1000,
        cache_write_1h_tokens=2000,
    )
    assert pricer.units("anthropic", "claude-sonnet-4-5", five_minutes) == ()
    assert pricer.units("anthropic", "claude-sonnet-4-5", one_hour) == (("cache_write_1h_tokens", 2000),)
    again = Pricer()
    assert again.units("anthropic", "claude-sonnet-4-5", one_hour) == (("cache_write_1h_tokens", 2000),)
    assert again.units("anthropic", "claude-sonnet-4-5", five_minutes) == ()


def test_usages_add_their_units() -> None:
    a = TokenUsage(1, 2, units=(("web_searches", 1),))
    b = TokenUsage(3, 4, units=(("cache_write_1h_tokens", 5), ("web_searches", 2)))
    total = TokenUsage(4, 6, units=(("cache_write_1h_tokens", 5), ("web_searches", 3)))
    assert a + b == total == TokenUsage.sum([a, b])
    assert TokenUsage(1) + TokenUsage(2) == TokenUsage(3)


def test_a_stale_call_priced_per_iteration_moves_by_its_change_only() -> None:
    # Review 38: an advisor call's tokens are summed under the executor's model; priced whole there,
    # the estimate lost the advisor's rates ($0.0105 for a call of $0.019130).
    usage = TokenUsage(input_tokens=4908, output_tokens=143)
    context = (("priced", "per iteration"),)
    anthropic = {"host": "api.anthropic.com", "provider": "anthropic", "endpoint": "anthropic.messages"}
    estimate = _estimate_stale(
        100, **anthropic, model="claude-sonnet-5", usage=usage, price_context=context, cost_usd=Decimal("0.01913")
    )
    # Its cost, and 100 more input tokens at the executor's $2 a million: 0.01913 + 0.0002.
    assert estimate == Decimal("0.01933")


def test_audio_tokens_a_price_would_bill_as_text_are_named() -> None:
    pricer = Pricer()
    audio = Usage(input_tokens=21, output_tokens=30, input_audio_tokens=2, output_audio_tokens=25)
    # genai-prices has no audio rate for gpt-4o-audio-preview: both counts would be billed as text.
    assert pricer.audio_left_out("openai", "gpt-4o-audio-preview", audio) == (
        "input_audio_tokens",
        "output_audio_tokens",
    )
    assert pricer.audio_left_out("azure", "gpt-4o-audio-preview", audio) == (
        "input_audio_tokens",
        "output_audio_tokens",
    )
    # gpt-audio has audio rates; a zero count and a provider that bills audio as text are no concern.
    assert pricer.audio_left_out("openai", "gpt-audio", audio) == ()
    assert pricer.audio_left_out("openai", "gpt-4o-audio-preview", Usage(input_tokens=21, input_audio_tokens=0)) == ()
    assert pricer.audio_left_out("google-gla", "gemini-2.5-pro", audio) == ()
    # A model no price source knows is unpriced anyway; a price file entry prices tokens alike.
    assert pricer.audio_left_out("openai", "no-such-model-xyz", audio) == ()
    filed = Pricer(overrides={"gpt-audio": ModelPrice(input=Decimal(1), output=Decimal(2))})
    assert filed.audio_left_out("openai", "gpt-audio", audio) == ("input_audio_tokens", "output_audio_tokens")
