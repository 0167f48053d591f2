"""Table-driven tests of pytest_agentcost.usage over real-format provider bodies."""

from __future__ import annotations

import base64
import gzip
import importlib.util
import json
import struct
import zlib
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import genai_prices
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vcr.request import Request as VcrRequest
from vcr.serialize import deserialize
from vcr.serializers import yamlserializer

from pytest_agentcost import _eventstream, _sse, tokens, usage
from pytest_agentcost.accounting import Accountant
from pytest_agentcost.interaction import Interaction, from_vcr
from pytest_agentcost.pricing import ModelPrice, Pricer
from pytest_agentcost.tokens import TokenCount


def _load_provider_cases() -> Any:
    # By path: a "tests" package installed by some dependency can shadow this repository's.
    path = Path(__file__).parents[1] / "provider_cases.py"
    spec = importlib.util.spec_from_file_location("agentcost_provider_cases", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_provider_cases = _load_provider_cases()
CASES: list[dict[str, Any]] = _provider_cases.CASES
CASSETTES: Path = _provider_cases.CASSETTES

PRICE_DATE = datetime(2026, 11, 1, tzinfo=timezone.utc)


def fake_count(text: str, model: str | None = None) -> TokenCount:
    """Deterministic stand-in for tiktoken: one token per 4 characters, rounded up."""
    return TokenCount(-(-len(text) // 4), "fake", True)


@pytest.fixture(autouse=True)
def _deterministic_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usage, "count_text", fake_count)


def load(cassette: str) -> list[Interaction]:
    requests, responses = deserialize((CASSETTES / cassette).read_text(), yamlserializer)[:2]
    return [from_vcr(request, response) for request, response in zip(requests, responses, strict=True)]


def post(url: str, body: Any, *, status: int = 200, request: Any = None, **headers: str) -> Interaction:
    raw = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
    req = json.dumps(request if request is not None else {"model": "gpt-4o-mini", "messages": []}).encode()
    return Interaction(
        "POST",
        url,
        {"content-type": "application/json"},
        req,
        status,
        {k.replace("_", "-"): v for k, v in headers.items()},
        raw,
    )


def sse(*events: Any) -> str:
    out = []
    for event in events:
        if isinstance(event, tuple):
            out.append(f"event: {event[0]}\ndata: {json.dumps(event[1])}\n\n")
        else:
            out.append(f"data: {event if isinstance(event, str) else json.dumps(event)}\n\n")
    return "".join(out)


def reported(extraction: usage.Extraction) -> dict[str, Any]:
    return {k: extraction.usage.reported_value(k) for k in ("input_tokens", "output_tokens")}


# --------------------------------------------------------------------------- the corpus


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_case(case: dict[str, Any]) -> None:
    interactions = load(case["cassette"])
    assert [(i.method, i.url) for i in interactions] == [(r["method"], r["url"]) for r in case["requests"]]
    extractions = [usage.extract(i) for i in interactions]
    llm = [e for e in extractions if e is not None]
    assert llm, "no LLM interaction detected"
    billed: list[usage.Extraction] = []
    seen_ids: set[str] = set()
    for extraction in llm:
        if not extraction.billed:
            continue
        if extraction.response_id is not None and extraction.endpoint == "openai.responses":
            if extraction.response_id in seen_ids:
                continue
            seen_ids.add(extraction.response_id)
        billed.append(extraction)
    assert len(billed) == case["llm_calls"]
    main = billed[0] if billed else llm[-1]
    assert (main.provider, main.endpoint, main.model) == (case["provider"], case["endpoint"], case["model"])
    assert main.streamed is case["streamed"]
    assert main.estimated is case["estimated"]
    assert main.billed is case["billed"]
    assert main.tool_calls == case["tool_calls"]
    if "response_id" in case:
        assert main.response_id == case["response_id"]
    assert all(dict(e.price_context) == case["price_context"] for e in billed)
    total = sum((e.usage for e in billed), genai_prices.Usage())
    if case["estimated"]:
        assert main.usage.reported_value("input_tokens") == fake_count(case["estimate_input_text"]).tokens
        assert main.usage.reported_value("output_tokens") == fake_count(case["estimate_output_text"]).tokens
        assert main.warnings
        return
    assert total.reported_value("input_tokens") == case["input_tokens"]
    assert total.reported_value("output_tokens") == case["output_tokens"]
    assert total.reported_value("cache_read_tokens") == case["cache_read_tokens"]
    assert total.reported_value("cache_write_tokens") == case["cache_write_tokens"]
    assert total.reported_value("output_reasoning_tokens") == case["reasoning_tokens"]
    assert total.reported_value("web_searches") == case["units"].get("web_searches", 0)
    if case["expected_cost_usd"] is None:  # a billed use no price prices: the accountant leaves it unpriced
        assert {e.billed_uses for e in billed} == {tuple(sorted(case["units"]))}
        assert main.unpriced is not bool(case["units"])  # else by what the exchange does not record
        return
    # Priced as the plugin prices: genai-prices at the price date, at the model's list rate.
    pricer = Pricer(price_date=PRICE_DATE.date())
    costs = [pricer.price(e.provider, e.model, e.usage, e.price_context) for e in billed]
    assert None not in costs
    assert sum((c for c in costs if c is not None), Decimal(0)) == Decimal(case["expected_cost_usd"])
    if case["billed"]:
        assert main.warnings == ()


def test_background_polls_are_marked() -> None:
    extractions = [usage.extract(i) for i in load("openai_responses_background.yaml")]
    rid = "resp_68ab12cd34ef5678901234567890abcd"
    assert [(e.is_poll, e.billed, e.response_id) for e in extractions if e is not None] == [
        (False, False, rid),
        (True, False, rid),
        (True, True, rid),
        (True, True, rid),
    ]


@pytest.mark.parametrize("background", [False, None], ids=["background-false", "before-background-mode"])
@pytest.mark.parametrize("streamed", [False, True], ids=["json", "stream"])
def test_fetching_a_stored_response_again_is_not_billed(background: bool | None, streamed: bool) -> None:
    # responses.retrieve of a response created without background mode: free, and billed where
    # it was created (perhaps in another test, or outside any cassette). A completed background
    # response's polls are billed once per id (test_background_polls_are_marked).
    response: dict[str, Any] = {
        "id": "resp_0a1b2c3d4e5f",
        "object": "response",
        "status": "completed",
        "model": "gpt-4o-2024-08-06",
        "output": [{"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"}],
        "usage": {"input_tokens": 923, "output_tokens": 8, "total_tokens": 931},
    }
    if background is not None:
        response["background"] = background
    body = sse(("response.completed", {"type": "response.completed", "response": response})) if streamed else response
    url = "https://api.openai.com/v1/responses/resp_0a1b2c3d4e5f" + ("?stream=true" if streamed else "")
    raw = (body if isinstance(body, str) else json.dumps(body)).encode()
    extraction = usage.extract(Interaction("GET", url, {}, None, 200, {}, raw))
    assert extraction is not None
    assert (extraction.billed, extraction.estimated, extraction.tool_calls, extraction.warnings) == (
        False,
        False,
        0,
        (),
    )
    assert extraction.response_id == "resp_0a1b2c3d4e5f"
    assert extraction.usage.reported_value("input_tokens") == 0
    # The same object as a background response's poll is its generation's usage.
    response["background"] = True
    body = sse(("response.completed", {"type": "response.completed", "response": response})) if streamed else response
    raw = (body if isinstance(body, str) else json.dumps(body)).encode()
    poll = usage.extract(Interaction("GET", url, {}, None, 200, {}, raw))
    assert poll is not None
    assert (poll.billed, poll.is_poll, poll.tool_calls) == (True, True, 1)
    assert poll.usage.reported_value("input_tokens") == 923


@pytest.mark.parametrize("item_type", ["computer_call", "local_shell_call", "shell_call", "apply_patch_call"])
@pytest.mark.parametrize("form", ["json", "stream", "truncated-stream"])
def test_responses_client_actions_are_tool_calls(item_type: str, form: str) -> None:
    # A computer-use agent's step (lmnr-ai/lmnr-python's recorded computer_call: the client acts
    # and answers with computer_call_output, as it answers a function_call): one tool call.
    item = {"id": "cu_68bf0952", "type": item_type, "status": "completed", "call_id": "call_l3Voc"}
    response = {
        "id": "resp_68bf094f",
        "object": "response",
        "status": "completed",
        "model": "computer-use-preview-2025-03-11",
        "output": [item, {"type": "reasoning", "id": "rs_1", "summary": []}],
        "usage": {"input_tokens": 498, "output_tokens": 7, "total_tokens": 505},
    }
    added = ("response.output_item.added", {"type": "response.output_item.added", "output_index": 0, "item": item})
    completed = ("response.completed", {"type": "response.completed", "response": response})
    body: Any = {"json": response, "stream": sse(added, completed), "truncated-stream": sse(added)}[form]
    extraction = usage.extract(post("https://api.openai.com/v1/responses", body, request={"model": "x", "input": "hi"}))
    assert extraction is not None
    assert (extraction.endpoint, extraction.tool_calls) == ("openai.responses", 1)


_GROK_ANSWER = {
    "id": "4bc28166-1a25-943d-8e75-eac1bd771b07",
    "object": "chat.completion",
    "model": "grok-3-mini-high",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Certainly"}, "finish_reason": "stop"}],
    "usage": {
        "prompt_tokens": 269,
        "completion_tokens": 1307,
        "total_tokens": 2212,
        "prompt_tokens_details": {"text_tokens": 269, "audio_tokens": 0, "image_tokens": 0, "cached_tokens": 2},
        "completion_tokens_details": {"reasoning_tokens": 636, "audio_tokens": 0},
        "num_sources_used": 0,
        "cost_in_usd_ticks": 10517500,
    },
}


@pytest.mark.parametrize(
    ("requested", "answered", "expected"),
    [
        ("grok-3-mini", "grok-3-mini-high", "grok-3-mini"),
        ("grok-3-mini", "grok-3-mini-medium", "grok-3-mini"),
        ("grok-3-mini", "grok-3-mini-low", "grok-3-mini"),
        # Not the request's name plus an effort: the answer's name stays (unpriced, with a warning).
        ("grok-3", "grok-3-mini-high", "grok-3-mini-high"),
        ("grok-3", "grok-4-high", "grok-4-high"),
        ("grok-3-mini", "grok-3-mini-fast-high", "grok-3-mini-fast-high"),
        ("grok-9-mini", "grok-9-mini-high", "grok-9-mini-high"),
    ],
)
def test_xai_answer_named_after_its_reasoning_effort_is_the_requested_model(
    requested: str, answered: str, expected: str
) -> None:
    # A real answer (crmne/ruby_llm's cassette): xAI bills grok-3-mini-high as grok-3-mini, its
    # cost_in_usd_ticks being grok-3-mini's price of the usage: $0.00105175.
    answer = {**_GROK_ANSWER, "model": answered}
    exchange = post("https://api.x.ai/v1/chat/completions", answer, request={"model": requested, "messages": []})
    record = Accountant(Pricer(price_date=PRICE_DATE.date()))(exchange, None, None)
    assert (record.provider, record.model) == ("x-ai", expected)
    if expected == "grok-3-mini":
        assert record.cost_usd == Decimal(_GROK_ANSWER["usage"]["cost_in_usd_ticks"]) / 10**10  # type: ignore[index]
    else:
        assert record.cost_usd is None


def test_a_price_file_entry_for_an_effort_named_xai_model_prices_it_under_its_own_name() -> None:
    # Review 33: the lean reader priced it under the answer's name at the file's rate, the general
    # path (with any hook) as grok-3-mini at genai-prices': both now price it as the file says.
    pricer = Pricer(overrides={"grok-3-mini-high": ModelPrice(input=Decimal(1), output=Decimal(1))})
    url = "https://api.x.ai/v1/chat/completions"
    exchange = post(url, _GROK_ANSWER, request={"model": "grok-3-mini"})
    general = Accountant(pricer)(exchange, None, None)
    assert (general.model, general.cost_usd) == ("grok-3-mini-high", Decimal("0.002212"))  # 269 + 1,943 at $1/M
    request = VcrRequest("POST", url, json.dumps({"model": "grok-3-mini"}).encode(), {})
    response = {"status": {"code": 200}, "headers": {}, "body": {"string": json.dumps(_GROK_ANSWER)}}
    lean = Accountant(pricer).lean(request, response, None)
    assert lean is not None
    assert (lean.model, lean.cost_usd) == (general.model, general.cost_usd)


#: A real xAI Responses usage (a public agent's log, grok-4.3 with X search): xAI's bill is the
#: tokens at grok-4.3's price, $0.027854, and seven X searches at $5 per 1,000: $0.062854.
_GROK_TOOLS_USAGE = {
    "input_tokens": 20872,
    "input_tokens_details": {"cached_tokens": 9920},
    "output_tokens": 4872,
    "output_tokens_details": {"reasoning_tokens": 0},
    "total_tokens": 25744,
    "num_sources_used": 0,
    "num_server_side_tools_used": 7,
    "cost_in_usd_ticks": 628540000,
    "server_side_tool_usage_details": {"web_search_calls": 0, "x_search_calls": 7, "code_interpreter_calls": 0},
}


def _grok_response(usage_obj: dict[str, Any]) -> Interaction:
    answer = {"id": "resp_1", "object": "response", "status": "completed", "model": "grok-4.3", "output": []}
    return post("https://api.x.ai/v1/responses", {**answer, "usage": usage_obj}, request={"model": "grok-4.3"})


def test_an_xai_call_that_used_server_side_tools_costs_what_its_answer_states() -> None:
    pricer = Pricer(price_date=PRICE_DATE.date())
    record = Accountant(pricer)(_grok_response(_GROK_TOOLS_USAGE), None, None)
    assert (record.model, record.price_context, record.cost_usd) == (
        "grok-4.3",
        (("server_side_tools", "used"),),
        Decimal("0.062854"),
    )
    extraction = usage.extract(_grok_response(_GROK_TOOLS_USAGE))
    assert extraction is not None
    assert pricer.price("x-ai", "grok-4.3", extraction.usage) == Decimal("0.027854")  # the tokens alone


def test_an_xai_stated_bill_holds_the_searches_its_output_lists() -> None:
    # A web search listed as an output item is a use genai-prices' x-ai price leaves out: alone,
    # it would leave the call unpriced; the stated bill holds it.
    exchange = _grok_response(_GROK_TOOLS_USAGE)
    body = json.loads(exchange.response_body)
    body["output"] = [{"type": "web_search_call", "id": "ws_1", "status": "completed"}]
    exchange = post("https://api.x.ai/v1/responses", body, request={"model": "grok-4.3"})
    record = Accountant(Pricer(price_date=PRICE_DATE.date()))(exchange, None, None)
    assert (record.cost_usd, record.warnings) == (Decimal("0.062854"), ())
    assert dict(record.usage.units) == {"web_searches": 1}


def test_a_price_file_entry_for_an_xai_model_leaves_a_call_with_server_side_tools_unpriced() -> None:
    # Review 34: the file prices tokens, xAI billed the tool uses beside them: priced from the file
    # alone, the call read 51% under its bill, exact.
    pricer = Pricer(overrides={"grok-4.3": ModelPrice(input=Decimal(1), output=Decimal(2))})
    record = Accountant(pricer)(_grok_response(_GROK_TOOLS_USAGE), None, None)
    assert (record.billed, record.cost_usd) == (True, None)
    assert "the price file entry for x-ai:grok-4.3 prices tokens, and the answer's bill holds server-side" in "".join(
        record.warnings
    )
    plain = {**_GROK_TOOLS_USAGE, "num_server_side_tools_used": 0}
    assert Accountant(pricer)(_grok_response(plain), None, None).cost_usd == Decimal("0.030616")  # 20,872 + 2 x 4,872


def test_an_xai_call_without_server_side_tools_is_priced_by_its_tokens() -> None:
    plain = {**_GROK_TOOLS_USAGE, "num_server_side_tools_used": 0, "cost_in_usd_ticks": 1}
    record = Accountant(Pricer(price_date=PRICE_DATE.date()))(_grok_response(plain), None, None)
    assert (record.price_context, record.cost_usd) == ((), Decimal("0.027854"))


def test_an_xai_call_whose_tool_uses_state_no_cost_is_unpriced_with_a_warning() -> None:
    # Live Search (2025): sources billed per use, and no cost_in_usd_ticks yet.
    old = {k: v for k, v in _GROK_TOOLS_USAGE.items() if k != "cost_in_usd_ticks"}
    record = Accountant(Pricer(price_date=PRICE_DATE.date()))(_grok_response(old), None, None)
    assert (record.billed, record.cost_usd, record.usage.input_tokens) == (True, None, 20872)
    assert "server-side tool uses" in "".join(record.warnings)


def test_an_embeddings_answer_that_counts_only_its_total_is_read_exactly() -> None:
    # Sweep 14, a real Voyage AI answer (tmc/langchaingo's recording): {"total_tokens": 4} only,
    # which genai-prices has no extractor for; it was estimated from the text.
    answer = {
        "object": "list",
        "data": [{"object": "embedding", "embedding": [0.0093, -0.0566], "index": 0}],
        "model": "voyage-4",
        "usage": {"total_tokens": 4},
    }
    request = {"model": "voyage-4", "input": "What is machine learning?", "input_type": "query"}
    found = usage.extract(post("https://api.voyageai.com/v1/embeddings", answer, request=request))
    assert found is not None
    assert (found.provider, found.model, found.estimated, found.warnings) == ("voyageai", "voyage-4", False, ())
    assert reported(found) == {"input_tokens": 4, "output_tokens": 0}
    # voyage-4 at $0.06 per million input tokens.
    assert Pricer(price_date=PRICE_DATE.date()).price(found.provider, found.model, found.usage) == Decimal("0.00000024")


_COHERE_GENERATE = {
    "id": "2a15312f-ca17-4175-895e-e074cd94654b",
    "generations": [{"id": "804a32a9", "text": " Hi! I'm Cohere.", "finish_reason": "COMPLETE"}],
    "prompt": "Hello, Cohere!",
    "meta": {"api_version": {"version": "1"}, "billed_units": {"input_tokens": 5, "output_tokens": 83}},
}


@pytest.mark.parametrize(("requested", "model"), [("", "command"), ("command-light", "command-light")])
@pytest.mark.parametrize("form", ["json", "stream"])
def test_cohere_legacy_generate_is_an_llm_call(requested: str, model: str, form: str) -> None:
    # Sweep 14, a real answer (tmc/langchaingo's recording): it was a $0 tool call. A request that
    # names no model gets the endpoint's default, command.
    if form == "json":
        body: Any = _COHERE_GENERATE
    else:
        first = {"text": " Hi!", "is_finished": False}
        body = "".join(json.dumps(line) + "\n" for line in (first, {"is_finished": True, "response": _COHERE_GENERATE}))
    request = {"prompt": "Hello, Cohere!", "model": requested}
    found = usage.extract(post("https://api.cohere.ai/v1/generate", body, request=request))
    assert found is not None
    assert (found.provider, found.endpoint, found.model, found.estimated) == ("cohere", "cohere.chat", model, False)
    assert reported(found) == {"input_tokens": 5, "output_tokens": 83}


def test_a_generate_path_elsewhere_is_no_cohere_call() -> None:
    gateway = {"model": "acme-7b", "in": 10, "out": 2}
    assert usage.extract(post("http://127.0.0.1:18099/v1/generate", gateway)) is None
    # ... unless it answers as Cohere's Generate does (a proxy of it).
    request = {"prompt": "x", "model": "command"}
    proxied = usage.extract(post("http://127.0.0.1:18099/v1/generate", _COHERE_GENERATE, request=request))
    assert proxied is not None
    assert (proxied.endpoint, proxied.model) == ("cohere.chat", "command")


def _sonar_usage(total_cost: Any) -> dict[str, Any]:
    # A real answer's usage (crmne/ruby_llm's cassette of sonar at the low search context size).
    cost = {
        "input_tokens_cost": 0.00001,
        "output_tokens_cost": 0.00006,
        "request_cost": 0.005,
        "total_cost": total_cost,
    }
    return {"prompt_tokens": 9, "completion_tokens": 59, "total_tokens": 68, "search_context_size": "low", "cost": cost}


@pytest.mark.parametrize("form", ["json", "stream"])
def test_a_perplexity_answer_states_its_cost(form: str) -> None:
    answer = {"id": "a6a0d346", "model": "sonar", "object": "chat.completion", "usage": _sonar_usage(0.00507)}
    message = {"role": "assistant", "content": "4"}
    if form == "json":
        body: Any = {**answer, "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
    else:  # Perplexity's chunks each carry the usage so far: the last one is the call's
        first = {**answer, "object": "chat.completion.chunk", "usage": _sonar_usage(0.005)}
        first["choices"] = [{"index": 0, "delta": message, "finish_reason": None}]
        last = {
            **answer,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        body = sse(first, last, "[DONE]")
    extraction = usage.extract(post("https://api.perplexity.ai/chat/completions", body))
    assert extraction is not None
    assert (extraction.provider, extraction.model, extraction.estimated) == ("perplexity", "sonar", False)
    assert extraction.stated_cost == Decimal("0.00507")
    assert extraction.price_context == (("search_context_size", "low"),)
    assert reported(extraction) == {"input_tokens": 9, "output_tokens": 59}


def test_a_stated_cost_in_whole_dollars_is_taken() -> None:
    body = {"id": "a6a0d346", "model": "sonar-deep-research", "choices": [], "usage": _sonar_usage(2)}
    extraction = usage.extract(post("https://api.perplexity.ai/chat/completions", body))
    assert extraction is not None
    assert extraction.stated_cost == Decimal(2)


@pytest.mark.parametrize("total_cost", ["0.00507", -0.00507, True, float("nan"), None])
def test_a_stated_cost_that_is_no_amount_is_not_taken(total_cost: Any) -> None:
    body = {"id": "a6a0d346", "model": "sonar", "choices": [], "usage": _sonar_usage(total_cost)}
    extraction = usage.extract(post("https://api.perplexity.ai/chat/completions", body))
    assert extraction is not None
    assert (extraction.billed, extraction.stated_cost, extraction.price_context) == (True, None, ())


def test_only_a_stated_cost_provider_s_answer_is_priced_by_its_statement() -> None:
    # The same usage object on another host (a gateway, OpenAI itself) is priced by the price list.
    body = {"id": "x", "model": "gpt-4o-mini", "choices": [], "usage": _sonar_usage(0.00507)}
    extraction = usage.extract(post(CHAT_URL, body))
    assert extraction is not None
    assert (extraction.provider, extraction.stated_cost) == ("openai", None)


def test_tool_http_call_is_not_an_llm_call() -> None:
    weather, _ = load("openai_with_tool_http.yaml")
    assert usage.detect(weather) is None
    assert usage.extract(weather) is None


# --------------------------------------------------------------------------- detection


OPENAI_CHAT = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
}
ANTHROPIC_MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-haiku-4-5-20251001",
    "content": [{"type": "text", "text": "Hi"}],
    "usage": {"input_tokens": 9, "output_tokens": 3},
}


@pytest.mark.parametrize(
    ("method", "url", "body", "hosts", "expected"),
    [
        ("GET", "https://api.openai.com/v1/models", {"data": []}, {}, None),
        ("POST", "https://api.anthropic.com/v1/messages/count_tokens", {"input_tokens": 12}, {}, None),
        ("POST", "https://oauth2.googleapis.com/token", {"access_token": "x"}, {}, None),
        ("POST", "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/count-tokens", {}, {}, None),
        (
            "POST",
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens",
            {"totalTokens": 3},
            {},
            None,
        ),
        ("POST", "https://search.example.com/v1/embeddings", {"hits": []}, {}, None),
        ("GET", "https://example.com/api/responses/42", {"ok": True}, {}, None),
        ("POST", "https://api.openai.com/v1/chat/completions", OPENAI_CHAT, {}, ("openai", "openai.chat")),
        ("POST", "https://api.openai.com/v1/completions", OPENAI_CHAT, {}, ("openai", "openai.completions")),
        (
            "POST",
            "http://llm-gateway.internal/v1/chat/completions",
            OPENAI_CHAT,
            {"llm-gateway.internal": "openai"},
            ("openai", "openai.chat"),
        ),
        (
            "POST",
            "http://localhost:8080/v1/messages",
            ANTHROPIC_MESSAGE,
            {"localhost:8080": "anthropic"},
            ("anthropic", "anthropic.messages"),
        ),
        ("POST", "http://localhost:8080/v1/messages", ANTHROPIC_MESSAGE, {}, (None, "anthropic.messages")),
        ("POST", "http://proxy.local/llm/call", ANTHROPIC_MESSAGE, {}, (None, "anthropic.messages")),
        ("POST", "http://proxy.local/llm/call", OPENAI_CHAT, {}, (None, "openai.chat")),
        ("POST", "http://proxy.local/llm/call", {"result": "ok"}, {}, None),
        (
            "POST",
            "https://fake-azure-endpoint/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
            OPENAI_CHAT,
            {},
            ("azure", "openai.chat"),
        ),
        (
            "POST",
            "https://my-res.openai.azure.com/openai/v1/responses",
            {"object": "response", "usage": None, "status": "queued"},
            {},
            ("azure", "openai.responses"),
        ),
        (
            "POST",
            "https://my-res.services.ai.azure.com/anthropic/v1/messages",
            ANTHROPIC_MESSAGE,
            {},
            ("azure", "anthropic.messages"),
        ),
        (
            "POST",
            "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict",
            ANTHROPIC_MESSAGE,
            {},
            ("google", "anthropic.messages"),
        ),
        (
            "POST",
            "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions",
            OPENAI_CHAT,
            {},
            ("google", "openai.chat"),
        ),
        (
            "POST",
            "https://openrouter.ai/api/v1/chat/completions",
            OPENAI_CHAT,
            {},
            ("openrouter", "openai.chat"),
        ),
        (
            "POST",
            "https://api.openai.com/v1/chat/completions",
            {**OPENAI_CHAT, "id": "gen-123", "provider": "OpenAI"},
            {},
            ("openrouter", "openai.chat"),
        ),
        (
            "POST",
            "https://api.openai.com/v1/chat/completions",
            {**OPENAI_CHAT, "id": "gen-123", "provider": "OpenAI"},
            {"api.openai.com": "openai"},
            ("openai", "openai.chat"),
        ),
        (
            "POST",
            "https://bedrock-runtime.eu-west-1.amazonaws.com/model/cohere.embed-english-v3/invoke",
            {"embeddings": [[0.1]]},
            {},
            ("aws", "bedrock.embeddings"),
        ),
    ],
)
def test_detect(
    method: str, url: str, body: Any, hosts: dict[str, str], expected: tuple[str | None, str] | None
) -> None:
    request = b'{"query": "weather"}' if method == "POST" else b""
    interaction = Interaction(method, url, {}, request, 200, {}, json.dumps(body).encode())
    assert usage.detect(interaction, hosts) == expected


@pytest.mark.parametrize(
    ("url", "tool_answer", "provider_answer", "endpoint"),
    [
        (
            "https://images.example.com/v1/images/generations",
            {"images": [{"url": "https://cdn.example.com/1.png"}]},
            {"created": 1700000000, "data": [{"b64_json": "aGk="}], "usage": {"input_tokens": 9, "output_tokens": 10}},
            "openai.images",
        ),
        (
            "https://support-bot.internal/api/v2/chat",
            {"reply": "Hi", "session": "s1"},
            {"id": "c1", "message": {"role": "assistant", "content": []}, "finish_reason": "COMPLETE", "usage": {}},
            "cohere.chat",
        ),
        (
            "https://search.internal/models/m1:embedContent",
            {"vector": [0.1, 0.2]},
            {"embedding": {"values": [0.1, 0.2]}},
            "gemini.embeddings",
        ),
        # Streamed through a gateway: the first event says what answered.
        (
            "https://gateway.internal/v1/images/generations",
            sse(("progress", {"type": "progress", "percent": 50})),
            sse(("image_generation.partial_image", {"type": "image_generation.partial_image", "b64_json": "aGk="})),
            "openai.images",
        ),
        (
            "https://gateway.internal/v2/chat",
            sse(("token", {"type": "token", "text": "Hi"})),
            sse(("message-start", {"type": "message-start", "id": "c1", "delta": {"message": {}}})),
            "cohere.chat",
        ),
        (
            "https://support-bot.internal/api/v1/chat",
            {"reply": "Hi", "session": "s1"},
            {"response_id": "r1", "text": "Hi", "generation_id": "g1", "meta": {"billed_units": {}}},
            "cohere.chat",
        ),
        (
            "https://gateway.internal/v1/chat",
            '{"line": 1}\n{"line": 2}\n',
            '{"event_type": "stream-start", "generation_id": "g1"}\n{"event_type": "text-generation", "text": "Hi"}\n',
            "cohere.chat",
        ),
        (
            "https://search.internal/v2/embed",
            {"vectors": [[0.1, 0.2]], "took_ms": 3},
            {"id": "e1", "embeddings": {"float": [[0.1, 0.2]]}, "meta": {"billed_units": {"input_tokens": 2}}},
            "cohere.embed",
        ),
        (
            "https://api.jina.ai/v1/rerank",
            {"model": "jina-reranker-v2", "usage": {"total_tokens": 60}, "results": [{"index": 0}]},
            {"id": "r1", "results": [{"index": 0}], "meta": {"billed_units": {"search_units": 1}}},
            "cohere.rerank",
        ),
        (
            "https://crm.internal/api/interactions",
            {"id": 7, "channel": "email", "status": "logged"},
            {"id": "v1_x", "object": "interaction", "status": "completed", "usage": {"total_input_tokens": 3}},
            "gemini.interactions",
        ),
        (
            "https://gateway.internal/v1beta/interactions",
            sse(("message", {"type": "progress"})),
            sse(("interaction.start", {"event_type": "interaction.start", "interaction": {"id": "v1_x"}})),
            "gemini.interactions",
        ),
    ],
    ids=[
        "images",
        "cohere",
        "gemini-embeddings",
        "images-stream",
        "cohere-stream",
        "cohere-v1",
        "cohere-v1-stream",
        "cohere-embed",
        "cohere-rerank",
        "interactions",
        "interactions-stream",
    ],
)
def test_shared_paths_on_unknown_hosts_need_the_providers_answer(
    url: str, tool_answer: Any, provider_answer: Any, endpoint: str
) -> None:
    """A tool's own API on such a path stays a tool call, priced as one; a gateway's answer is read."""
    request = json.dumps({"model": "support-v1", "prompt": "hi"}).encode()

    def call(answer: Any) -> Interaction:
        body = answer if isinstance(answer, str) else json.dumps(answer)  # a stream is already text
        return Interaction("POST", url, {}, request, 200, {}, body.encode())

    assert usage.detect(call(tool_answer)) is None
    assert usage.detect(call(provider_answer)) == (None, endpoint)


def test_a_rerank_on_a_providers_host_is_cohere_only_in_cohere_answers() -> None:
    # Together serves /v1/rerank with an answer of its own (no billed search units): not read as
    # Cohere's. Cohere's own host is Cohere's, its answer's units read as genai-prices' rerank_searches.
    request = json.dumps({"model": "rerank-english-v3.0", "query": "q", "documents": ["a", "b"]}).encode()

    def call(url: str, answer: dict[str, Any]) -> Interaction:
        return Interaction("POST", url, {}, request, 200, {}, json.dumps(answer).encode())

    together = {"object": "rerank", "model": "Salesforce/Llama-Rank-V1", "results": [{"index": 0}]}
    assert usage.detect(call("https://api.together.xyz/v1/rerank", together)) is None
    cohere = "https://api.cohere.com/v2/rerank"
    extraction = usage.extract(call(cohere, {"id": "r1", "results": [], "meta": {"billed_units": {"search_units": 2}}}))
    assert extraction is not None
    assert (extraction.provider, extraction.endpoint, extraction.model) == (
        "cohere",
        "cohere.rerank",
        "rerank-english-v3.0",
    )
    assert (extraction.billed, extraction.estimated, extraction.warnings) == (True, False, ())
    assert extraction.usage.reported_value("rerank_searches") == 2
    assert extraction.usage.reported_value("input_tokens") == 0
    # Without the units it bills by, the call is estimated and says why, never an exact zero.
    extraction = usage.extract(call(cohere, {"id": "r1", "results": [], "meta": {"billed_units": {}}}))
    assert extraction is not None
    assert extraction.estimated
    assert "no whole meta.billed_units.search_units" in extraction.warnings[0]


def test_another_vendors_v1_chat_is_read_as_its_answer_says() -> None:
    """Writer's ``/v1/chat`` answers in the Chat Completions shape: read as one, not as Cohere's."""
    answer = {
        "id": "c1",
        "object": "chat.completion",
        "model": "palmyra-x4",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 244, "completion_tokens": 19, "total_tokens": 263},
    }
    extraction = usage.extract(post("https://api.writer.com/v1/chat", answer, request={"model": "palmyra-x4"}))
    assert extraction is not None
    assert (extraction.provider, extraction.endpoint, extraction.model) == (None, "openai.chat", "palmyra-x4")
    assert reported(extraction) == {"input_tokens": 244, "output_tokens": 19}


COHERE_V1_URL = "https://api.cohere.com/v1/chat"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            '{"event_type": "stream-start", "generation_id": "g1"}\n{"event_type": "text-generation", "text": "Hi"}\n',
            "stream-end",
        ),
        ({"response_id": "r1", "text": "Hi there", "generation_id": "g1", "meta": {"api_version": {}}}, "billed_units"),
    ],
    ids=["truncated-stream", "no-billed-units"],
)
def test_a_cohere_v1_chat_without_billed_units_is_estimated(body: Any, problem: str) -> None:
    extraction = usage.extract(post(COHERE_V1_URL, body, request={"model": "command-r-08-2024", "message": "Hello"}))
    assert extraction is not None
    assert (extraction.provider, extraction.endpoint) == ("cohere", "cohere.chat")
    assert extraction.model == "command-r-08-2024"
    assert extraction.estimated
    assert extraction.billed
    assert problem in extraction.warnings[0]


def test_a_cohere_v1_error_body_is_not_billed() -> None:
    extraction = usage.extract(post(COHERE_V1_URL, {"message": "invalid api token"}, request={"model": "command-r"}))
    assert extraction is not None
    assert not extraction.billed
    assert "invalid api token" in extraction.warnings[0]


@pytest.mark.parametrize(
    ("answer_model", "request_model", "reported_model"),
    [
        ("davinci:2023-07-21-v2", "davinci-002", "davinci-002"),  # the answer's snapshot is unknown
        ("gpt-3.5-turbo-instruct:20230824-v2", "gpt-3.5-turbo-instruct", "gpt-3.5-turbo-instruct:20230824-v2"),
        ("my-finetune:2024", "my-finetune", "my-finetune:2024"),  # neither known: the answer's
    ],
    ids=["snapshot-unknown", "snapshot-known", "neither-known"],
)
def test_a_legacy_completions_call_is_named_by_what_a_price_list_knows(
    answer_model: str, request_model: str, reported_model: str
) -> None:
    answer = {"object": "text_completion", "model": answer_model, "choices": [], "usage": USAGE_13_32}
    request = {"model": request_model, "prompt": "Hi"}
    extraction = usage.extract(post("https://api.openai.com/v1/completions", answer, request=request))
    assert extraction is not None
    assert extraction.model == reported_model


USAGE_13_32 = {"prompt_tokens": 13, "completion_tokens": 32, "total_tokens": 45}


TITAN_INVOKE_URL = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-text-express-v1/invoke"


def test_an_invoke_answer_whose_guardrail_blocked_the_input_is_not_billed() -> None:
    answer = {
        "inputTextTokenCount": 6,
        "results": [{"tokenCount": 3, "outputText": "Input blocked", "completionReason": "FINISH"}],
        "amazon-bedrock-guardrailAction": "INTERVENED",
        "amazon-bedrock-trace": {"guardrail": {"input": {"g1": {"topicPolicy": {}}}}},
    }
    extraction = usage.extract(post(TITAN_INVOKE_URL, answer, request={"inputText": "Tennis in Japan?"}))
    assert extraction is not None
    assert not extraction.billed
    assert "guardrail blocked the input" in extraction.warnings[0]


def test_a_guardrail_that_masked_the_output_leaves_the_model_tokens_billed() -> None:
    # The model ran (its counts are in the headers); the guardrail only rewrote its answer.
    answer = {
        "inputTextTokenCount": 28.0,
        "results": [{"tokenCount": 197.0, "outputText": "... {Account Number} ...", "completionReason": "FINISH"}],
        "amazon-bedrock-trace": {"guardrail": {"modelOutput": ["..."], "outputs": [{"g1": {}}]}},
        "amazon-bedrock-guardrailAction": "INTERVENED",
    }
    headers = {"x_amzn_bedrock_input_token_count": "28", "x_amzn_bedrock_output_token_count": "197"}
    extraction = usage.extract(post(TITAN_INVOKE_URL, answer, request={"inputText": "A story"}, **headers))
    assert extraction is not None
    assert extraction.billed
    assert not extraction.estimated
    assert reported(extraction) == {"input_tokens": 28, "output_tokens": 197}


def _image_edit(answer: Any) -> Interaction:
    """An Images API edit as the SDKs send it: a multipart form with the image file."""
    boundary = "----form1"
    fields = (("model", "gpt-image-1"), ("prompt", "Add a red hat to the cat"))
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields]
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 400  # 100 KB of "image" no estimate may count
    body = (
        "".join(parts).encode()
        + f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="cat.png"\r\n'.encode()
        + b"Content-Type: image/png\r\n\r\n"
        + image
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"content-type": f"multipart/form-data; boundary={boundary}"}
    url = "https://api.openai.com/v1/images/edits"
    return Interaction("POST", url, headers, body, 200, {}, json.dumps(answer).encode())


@pytest.mark.parametrize(
    ("model", "per_image"),
    [
        ("gpt-image-1", False),
        ("chatgpt-image-latest", False),
        ("openai/gpt-image-1", False),
        ("dall-e-3", True),
        ("grok-2-image", True),
    ],
)
def test_an_images_answer_without_usage_is_estimated_only_for_a_model_billed_per_token(
    model: str, per_image: bool
) -> None:
    answer = {"created": 1700000000, "data": [{"url": "https://example.com/1.png"}]}
    extraction = usage.extract(post("https://api.openai.com/v1/images/generations", answer, request={"model": model}))
    assert extraction is not None
    assert (extraction.model, extraction.unpriced, extraction.estimated) == (model, per_image, not per_image)


def test_an_image_edit_names_its_model_in_the_form_and_estimates_from_its_text() -> None:
    answer = {
        "created": 1700000000,
        "data": [{"b64_json": "aGk="}],
        "usage": {
            "input_tokens": 50,
            "input_tokens_details": {"image_tokens": 40, "text_tokens": 10},
            "output_tokens": 1056,
        },
    }
    extraction = usage.extract(_image_edit(answer))
    assert extraction is not None
    assert (extraction.endpoint, extraction.model, extraction.estimated) == ("openai.images", "gpt-image-1", False)
    assert Pricer().price(extraction.provider, extraction.model, extraction.usage) is not None
    # Without usage the input is estimated from the prompt field, never from the image bytes.
    no_usage = _image_edit({"created": 1700000000, "data": [{"url": "https://example.com/1.png"}]})
    assert usage.estimate_texts(no_usage, [])[0] == "Add a red hat to the cat"
    estimated = usage.extract(no_usage)
    assert estimated is not None
    assert estimated.estimated
    assert estimated.usage.reported_value("input_tokens") == fake_count("Add a red hat to the cat").tokens


# --------------------------------------------------------------------------- streams

ANTHROPIC_START = {
    "type": "message_start",
    "message": {
        "id": "msg_2",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [],
        "usage": {
            "input_tokens": 10,
            "cache_read_input_tokens": 500,
            "cache_creation_input_tokens": 40,
            "output_tokens": 1,
        },
    },
}


def test_anthropic_delta_keeps_cache_counts_it_does_not_repeat() -> None:
    body = sse(
        ("message_start", ANTHROPIC_START),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": "{}"},
            },
        ),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "tool_use"},
                "usage": {"output_tokens": 77, "cache_read_input_tokens": None},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    )
    extraction = usage.extract(post("https://api.anthropic.com/v1/messages", body))
    assert extraction is not None
    assert extraction.usage == genai_prices.Usage(
        input_tokens=550, output_tokens=77, cache_read_tokens=500, cache_write_tokens=40
    )
    assert (extraction.streamed, extraction.tool_calls, extraction.estimated) == (True, 1, False)


def test_openai_stream_counts_distinct_tool_calls() -> None:
    def chunk(delta: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": "c",
            "object": "chat.completion.chunk",
            "model": "gpt-4o",
            "choices": [{"index": 0, "delta": delta}],
        }

    body = sse(
        chunk({"tool_calls": [{"index": 0, "id": "call_a", "function": {"name": "f", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"x":1}'}}]}),
        chunk({"tool_calls": [{"index": 1, "id": "call_b", "function": {"name": "g", "arguments": "{}"}}]}),
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "model": "gpt-4o",
            "choices": [],
            "usage": {"prompt_tokens": 50, "completion_tokens": 20},
        },
        "[DONE]",
    )
    extraction = usage.extract(post("https://api.openai.com/v1/chat/completions", body))
    assert extraction is not None
    assert (extraction.tool_calls, reported(extraction)) == (2, {"input_tokens": 50, "output_tokens": 20})


@pytest.mark.parametrize(
    ("url", "calls"),
    [
        # Mistral streams each tool call whole, with its id and no index.
        (
            "https://api.mistral.ai/v1/chat/completions",
            [
                {"id": "qDEcl0n92", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
                {"id": "rX7bT2m41", "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'}},
            ],
        ),
        # Ollama-style servers index every parallel call 0, each with its own id.
        (
            "http://localhost:11434/v1/chat/completions",
            [
                {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                {"index": 0, "id": "call_2", "type": "function", "function": {"name": "g", "arguments": "{}"}},
            ],
        ),
    ],
    ids=["mistral-no-index", "ollama-index-0"],
)
def test_stream_tool_calls_are_told_apart_by_id_when_the_index_does_not(url: str, calls: list[Any]) -> None:
    def chunk(delta: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "id": "c",
            "object": "chat.completion.chunk",
            "model": "mistral-small-latest",
            "choices": [{"index": 0, "delta": delta, **extra}],
        }

    body = sse(
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": None, "tool_calls": calls}, finish_reason="tool_calls"),
        {**chunk({}), "choices": [], "usage": {"prompt_tokens": 96, "completion_tokens": 23, "total_tokens": 119}},
        "[DONE]",
    )
    request = {"model": "mistral-small-latest", "messages": [], "stream": True}
    extraction = usage.extract(post(url, body, request=request))
    assert extraction is not None
    assert (extraction.tool_calls, reported(extraction)) == (2, {"input_tokens": 96, "output_tokens": 23})
    # The same call streamed again in a later chunk, as some servers repeat the id, is one call.
    body = sse(
        chunk({"tool_calls": calls[:1]}),
        chunk({"tool_calls": calls[:1]}),
        {**chunk({}), "choices": [], "usage": {"prompt_tokens": 96, "completion_tokens": 23}},
        "[DONE]",
    )
    again = usage.extract(post(url, body, request=request))
    assert again is not None
    assert again.tool_calls == 1


def _tool_deltas(*calls: list[dict[str, Any]]) -> str:
    """A chat stream with one chunk per list of tool call deltas, then a usage chunk."""
    chunks: list[Any] = [
        {"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [{"index": 0, "delta": d}]}
        for d in ({"tool_calls": c} for c in calls)
    ]
    usage = {"prompt_tokens": 10, "completion_tokens": 5}
    chunks.append({"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [], "usage": usage})
    return sse(*chunks, "[DONE]")


def _call(name: str | None = None, args: str = "", **fields: Any) -> dict[str, Any]:
    function = {"arguments": args} if name is None else {"name": name, "arguments": args}
    return {**fields, "function": function}


@pytest.mark.parametrize(
    ("deltas", "expected"),
    [
        # OpenAI: the id and name in a call's first delta, then argument deltas by index.
        ([[_call("f", index=0, id="call_a")], [_call(None, "{}", index=0)], [_call("g", index=1, id="call_b")]], 2),
        # The id repeated in every delta, or an empty one after the first.
        ([[_call("f", index=0, id="a")], [_call(None, "{}", index=0, id="a")]], 1),
        ([[_call("f", index=0, id="a")], [_call(None, "{}", index=0, id="")]], 1),
        # A new id with every delta of one call (Poolside-style, some proxies): one call.
        ([[_call("f", index=0, id="A")], [_call(None, "{", index=0, id="B")], [_call(None, "}", index=0, id="C")]], 1),
        # No ids, no index: two whole calls in one chunk.
        ([[_call("f", "{}"), _call("g", "{}")]], 2),
        # The name repeated in every delta of one call without an id: one call.
        ([[_call("f", "{")], [_call("f", "}")]], 1),
    ],
    ids=["openai", "id-repeated", "empty-id", "new-id-per-delta", "no-ids-one-chunk", "name-repeated"],
)
def test_stream_tool_calls_are_calls_started_not_deltas_seen(deltas: list[list[dict[str, Any]]], expected: int) -> None:
    extraction = usage.extract(post("http://localhost:8000/v1/chat/completions", _tool_deltas(*deltas)))
    assert extraction is not None
    assert extraction.tool_calls == expected


def test_groq_stream_usage_in_x_groq() -> None:
    body = sse(
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "model": "llama-3.3-70b-versatile",
            "choices": [{"index": 0, "delta": {"content": "Hi"}}],
        },
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "model": "llama-3.3-70b-versatile",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "x_groq": {"id": "req_1", "usage": {"prompt_tokens": 12, "completion_tokens": 3}},
        },
        "[DONE]",
    )
    extraction = usage.extract(post("https://api.groq.com/openai/v1/chat/completions", body))
    assert extraction is not None
    assert (extraction.provider, reported(extraction), extraction.estimated) == (
        "groq",
        {"input_tokens": 12, "output_tokens": 3},
        False,
    )


@pytest.mark.parametrize("first_chunk_envelope", [True, False], ids=["groq", "first-chunk-without-x_groq"])
def test_a_stream_on_a_local_host_is_groqs_by_the_x_groq_of_any_chunk(first_chunk_envelope: bool) -> None:
    # Adoption 4: a stream on a local port whose first chunk had no x_groq read as '?:model',
    # unpriced, beside the same host's answers read as Groq's.
    first = {"id": "c", "object": "chat.completion.chunk", "model": "llama-3.1-8b-instant", "choices": []}
    last = {
        **first,
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "x_groq": {"id": "req_1", "usage": {"prompt_tokens": 15, "completion_tokens": 8}},
    }
    if first_chunk_envelope:
        first["x_groq"] = {"id": "req_1"}
    extraction = usage.extract(post("http://127.0.0.1:9101/openai/v1/chat/completions", sse(first, last, "[DONE]")))
    assert extraction is not None
    assert (extraction.provider, extraction.model, reported(extraction)) == (
        "groq",
        "llama-3.1-8b-instant",
        {"input_tokens": 15, "output_tokens": 8},
    )


def _frames(*events: tuple[str, dict[str, Any]], message_type: str = "event") -> bytes:
    key = ":event-type" if message_type == "event" else ":exception-type"
    return b"".join(
        _eventstream.encode(
            {key: name, ":content-type": "application/json", ":message-type": message_type},
            json.dumps(payload).encode(),
        )
        for name, payload in events
    )


def test_bedrock_invoke_stream_non_claude_uses_invocation_metrics() -> None:
    chunks = [
        {"generation": "Paris", "prompt_token_count": 12, "generation_token_count": 1, "stop_reason": None},
        {
            "generation": ".",
            "stop_reason": "stop",
            "amazon-bedrock-invocationMetrics": {
                "inputTokenCount": 12,
                "outputTokenCount": 2,
                "invocationLatency": 300,
                "firstByteLatency": 120,
            },
        },
    ]
    body = _frames(*[("chunk", {"bytes": base64.b64encode(json.dumps(c).encode()).decode()}) for c in chunks])
    url = "https://bedrock-runtime.us-west-2.amazonaws.com/model/meta.llama3-1-8b-instruct-v1%3A0/invoke-with-response-stream"
    extraction = usage.extract(post(url, body, content_type="application/vnd.amazon.eventstream"))
    assert extraction is not None
    assert (extraction.model, reported(extraction), extraction.streamed, extraction.estimated) == (
        "meta.llama3-1-8b-instruct-v1:0",
        {"input_tokens": 12, "output_tokens": 2},
        True,
        False,
    )


def test_bedrock_invoke_stream_of_an_openai_model_counts_its_tool_calls() -> None:
    # gpt-oss on Bedrock streams Chat Completions chunks inside the event-stream frames.
    def chunk(delta: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}], **extra}

    chunks = [
        chunk({"tool_calls": [_call("get_weather", index=0, id="call_1")]}),
        chunk({"tool_calls": [_call(None, '{"city": "Paris"}', index=0)]}),
        chunk({"tool_calls": [_call("get_weather", '{"city": "Rome"}', index=1, id="call_2")]}),
        chunk(
            {},
            **{"amazon-bedrock-invocationMetrics": {"inputTokenCount": 300, "outputTokenCount": 80}},
        ),
    ]
    body = _frames(*[("chunk", {"bytes": base64.b64encode(json.dumps(c).encode()).decode()}) for c in chunks])
    url = "https://bedrock-runtime.us-west-2.amazonaws.com/model/openai.gpt-oss-120b-1%3A0/invoke-with-response-stream"
    extraction = usage.extract(post(url, body, content_type="application/vnd.amazon.eventstream"))
    assert extraction is not None
    assert (extraction.tool_calls, reported(extraction), extraction.estimated) == (
        2,
        {"input_tokens": 300, "output_tokens": 80},
        False,
    )


def test_bedrock_invoke_non_claude_reads_headers() -> None:
    url = "https://bedrock-runtime.us-west-2.amazonaws.com/model/meta.llama3-1-8b-instruct-v1%3A0/invoke"
    interaction = post(
        url,
        {
            "generation": "Paris.",
            "prompt_token_count": 12,
            "generation_token_count": 3,
            "stop_reason": "stop",
        },
        x_amzn_bedrock_input_token_count="12",
        x_amzn_bedrock_output_token_count="3",
        x_amzn_bedrock_cache_read_input_token_count="0",
    )
    extraction = usage.extract(interaction)
    assert extraction is not None
    assert (extraction.endpoint, reported(extraction), extraction.estimated) == (
        "bedrock.invoke",
        {"input_tokens": 12, "output_tokens": 3},
        False,
    )


BEDROCK_ARN = "arn:aws:bedrock:us-east-1:123456789012:"
CLAUDE_ANSWER = {
    "type": "message",
    "model": "claude-sonnet-4-5-20250929",
    "content": [{"type": "text", "text": "Paris."}],
    "usage": {"input_tokens": 10, "output_tokens": 2},
}


@pytest.mark.parametrize(
    ("model_in_url", "model"),
    [
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        (
            f"{BEDROCK_ARN}inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        (
            "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
        ),
        # An application inference profile names no model: the answer's model is the better guess.
        (f"{BEDROCK_ARN}application-inference-profile/a1b2c3d4e5f6", "claude-sonnet-4-5-20250929"),
    ],
    ids=["profile-id", "profile-arn", "foundation-model-arn", "application-profile-arn"],
)
@pytest.mark.parametrize("op", ["invoke", "converse"])
def test_bedrock_model_is_the_urls(model_in_url: str, model: str, op: str) -> None:
    """AWS bills the URL's model or profile (global and regional profiles differ in price)."""
    url = f"https://bedrock-runtime.us-east-1.amazonaws.com/model/{quote(model_in_url, safe='')}/{op}"
    body: dict[str, Any] = CLAUDE_ANSWER
    if op == "converse":
        body = {
            "output": {"message": {"role": "assistant", "content": [{"text": "Paris."}]}},
            "usage": {"inputTokens": 10, "outputTokens": 2, "totalTokens": 12},
            "stopReason": "end_turn",
        }
        if model_in_url.startswith(f"{BEDROCK_ARN}application"):
            # Converse answers name no model: the profile is all there is, without the account.
            model = "application-inference-profile/a1b2c3d4e5f6"
    extraction = usage.extract(post(url, body))
    assert extraction is not None
    assert (extraction.provider, extraction.model, extraction.estimated) == ("aws", model, False)


def test_a_bedrock_profile_genai_prices_does_not_know_keeps_the_answers_model() -> None:
    # A newer cross-region prefix (ca.) than genai-prices' data: the answer's model is priced.
    profile = "ca.anthropic.claude-sonnet-4-5-20250929-v1:0"
    url = f"https://bedrock-runtime.ca-central-1.amazonaws.com/model/{quote(profile, safe='')}/invoke"
    extraction = usage.extract(post(url, CLAUDE_ANSWER))
    assert extraction is not None
    assert extraction.model == "claude-sonnet-4-5-20250929"
    assert Pricer().price(extraction.provider, extraction.model, extraction.usage) is not None
    # Converse answers name no model: the profile's id, as its ARN names it, without the account.
    arn = quote(f"{BEDROCK_ARN}inference-profile/{profile}", safe="")
    converse = {
        "output": {"message": {"content": [{"text": "Paris."}]}},
        "usage": {"inputTokens": 10, "outputTokens": 2},
    }
    url = f"https://bedrock-runtime.ca-central-1.amazonaws.com/model/{arn}/converse"
    extraction = usage.extract(post(url, converse))
    assert extraction is not None
    assert extraction.model == profile


def test_bedrock_embeddings_body_count_when_headers_were_dropped() -> None:
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke"
    extraction = usage.extract(post(url, {"embedding": [0.1], "inputTextTokenCount": 5}))
    assert extraction is not None
    assert (reported(extraction), extraction.estimated) == ({"input_tokens": 5, "output_tokens": 0}, False)


# --------------------------------------------------------------------------- failures and estimates

CHAT_URL = "https://api.openai.com/v1/chat/completions"
CHAT_REQUEST = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi to Bob"}]}


def _chat(usage_obj: Any, content: str = "Hi Bob!") -> dict[str, Any]:
    return {
        **OPENAI_CHAT,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
        "usage": usage_obj,
    }


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            _chat({"prompt_tokens": "12", "completion_tokens": 3}),
            "malformed usage (usage.prompt_tokens='12')",
        ),
        (_chat({"prompt_tokens": -5, "completion_tokens": 3}), "malformed usage (usage.prompt_tokens=-5)"),
        (
            _chat({"prompt_tokens": 5, "completion_tokens": True}),
            "malformed usage (usage.completion_tokens=True)",
        ),
        (
            _chat({"prompt_tokens": 5, "completion_tokens": 3, "prompt_tokens_details": {"cached_tokens": "x"}}),
            "malformed usage (usage.prompt_tokens_details.cached_tokens='x')",
        ),
        (_chat({"prompt_tokens": 5}), "unusable usage (Missing value at `usage.completion_tokens`)"),
        (_chat("lots"), "unusable usage"),
        (_chat(None), "the response has no usage"),
        ("<!DOCTYPE html><html><body>Bad gateway</body></html>", "the response body is an HTML page"),
        ("", "the response body is empty"),
        (b"\xff\xfe\x00garbage\x81", "the response body is not UTF-8 text"),
        ("{not json", "the response body is not a readable API response"),
    ],
)
def test_unusable_usage_is_estimated_never_exact(body: Any, reason: str) -> None:
    extraction = usage.extract(post(CHAT_URL, body, request=CHAT_REQUEST))
    assert extraction is not None
    assert (extraction.billed, extraction.estimated) == (True, True)
    output = "Hi Bob!" if isinstance(body, dict) else ""
    assert reported(extraction) == {
        "input_tokens": fake_count("Say hi to Bob").tokens,
        "output_tokens": fake_count(output).tokens if output else 0,
    }
    assert len(extraction.warnings) == 1
    assert reason in extraction.warnings[0]
    assert "usage estimated from the text with tiktoken fake (" in extraction.warnings[0]


@pytest.mark.parametrize(
    ("encoding", "said"),
    [
        ("o200k_base", "usage estimated from the text with tiktoken o200k_base (4 input, 2 output tokens)"),
        (
            tokens.APPROX_ENCODING,
            "usage estimated from the text at ~4 characters per token (tiktoken's encoding was unavailable) "
            "(4 input, 2 output tokens)",
        ),
    ],
    ids=["tiktoken", "fallback"],
)
def test_an_estimate_says_how_it_counted(encoding: str, said: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The JSON report keeps each call's warnings: a reader must see when tiktoken was not used.
    monkeypatch.setattr(usage, "count_text", lambda text, model=None: TokenCount(-(-len(text) // 4), encoding, True))
    extraction = usage.extract(post(CHAT_URL, _chat(None), request=CHAT_REQUEST))
    assert extraction is not None
    assert extraction.warnings[0].endswith("the response has no usage; " + said)


TRUNCATED = [
    (
        CHAT_URL,
        sse(
            {
                "id": "c",
                "object": "chat.completion.chunk",
                "model": "gpt-4o",
                "choices": [{"index": 0, "delta": {"content": "Hi Bob"}}],
            }
        )[:-1],
        "the stream ended before its final chunk",
    ),
    (
        "https://api.anthropic.com/v1/messages",
        sse(
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": "Hi Bob"},
                },
            ),
        ),
        "the stream ended before message_stop",
    ),
    (
        "https://api.openai.com/v1/responses",
        sse(("response.output_text.delta", {"type": "response.output_text.delta", "delta": "Hi Bob"})),
        "the stream ended before response.completed",
    ),
    (
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent",
        '[{"candidates": [{"content": {"parts": [{"text": "Hi Bob"}]}}], '
        '"usageMetadata": {"promptTokenCount": 4}},\r\n{"candidates": [{"con',
        "the streamed JSON array is cut short",
    ),
    (
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        sse(
            {
                "candidates": [{"content": {"parts": [{"text": "Hi Bob"}]}}],
                "usageMetadata": {"promptTokenCount": 4},
            }
        ),
        "the stream ended before a finishReason",
    ),
    (
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-micro-v1%3A0/converse-stream",
        _frames(
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hi Bob"}}),
            ("messageStop", {"stopReason": "end_turn"}),
        )[:-7],
        "is truncated",
    ),
    (
        "https://api.cohere.com/v2/chat",
        sse(("content-delta", {"type": "content-delta", "delta": {"message": {"content": {"text": "Hi Bob"}}}})),
        "the stream ended before its message-end event",
    ),
]


@pytest.mark.parametrize(
    ("url", "body", "reason"),
    TRUNCATED,
    ids=["chat", "anthropic", "responses", "gemini-array", "gemini-sse", "bedrock", "cohere"],
)
def test_truncated_stream_is_estimated(url: str, body: str | bytes, reason: str) -> None:
    extraction = usage.extract(post(url, body, request=CHAT_REQUEST))
    assert extraction is not None
    assert (extraction.billed, extraction.estimated, extraction.streamed) == (True, True, True)
    assert extraction.usage.reported_value("input_tokens") == fake_count("Say hi to Bob").tokens
    assert reason in extraction.warnings[0]


def test_truncated_anthropic_stream_keeps_the_input_its_message_start_stated() -> None:
    # dd-trace-py's anthropic_completion_stream_malformed cassette: message_start said 599 input
    # tokens (a tool definition's), then the recording stopped. The prompt was billed as counted
    # there; recounting the request's text (24 tokens) under-reported it 25 times. Only the output
    # is unknown in a cut stream.
    body = sse(
        ("message_start", ANTHROPIC_START),
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi Bob"}},
        ),
    )
    extraction = usage.extract(post("https://api.anthropic.com/v1/messages", body, request=CHAT_REQUEST))
    assert extraction is not None
    assert (extraction.billed, extraction.estimated, extraction.streamed) == (True, True, True)
    assert extraction.model == "claude-sonnet-4-5-20250929"
    assert extraction.usage.input_tokens == 550  # 10 + 500 read + 40 written
    assert (extraction.usage.cache_read_tokens, extraction.usage.cache_write_tokens) == (500, 40)
    assert extraction.usage.output_tokens == fake_count("Hi Bob").tokens
    assert "the stream ended before message_stop" in extraction.warnings[0]
    assert "input as the stream stated it (550 input tokens)" in extraction.warnings[0]


def test_truncated_anthropic_stream_with_a_malformed_start_estimates_its_input() -> None:
    start = json.loads(json.dumps(ANTHROPIC_START))
    start["message"]["usage"]["input_tokens"] = -3
    body = sse(("message_start", start))
    extraction = usage.extract(post("https://api.anthropic.com/v1/messages", body, request=CHAT_REQUEST))
    assert extraction is not None
    assert extraction.estimated
    assert extraction.usage.input_tokens == fake_count("Say hi to Bob").tokens
    assert extraction.usage.cache_read_tokens in (None, 0)


@pytest.mark.parametrize(
    ("url", "body", "status", "warning"),
    [
        (
            CHAT_URL,
            {"error": {"message": "Rate limit", "type": "requests", "code": "rate_limit_exceeded"}},
            429,
            None,
        ),
        (CHAT_URL, "<html><body>500 Internal Server Error</body></html>", 500, None),
        (CHAT_URL, "", 503, None),
        (CHAT_URL, sse({"error": {"message": "server_error", "type": "server_error"}}), 200, "server_error"),
        (
            "https://api.openai.com/v1/responses",
            sse(
                (
                    "error",
                    {
                        "type": "error",
                        "code": "server_error",
                        "message": "The server had an error",
                        "sequence_number": 2,
                    },
                )
            ),
            200,
            "server_error: The server had an error",
        ),
        (
            "https://api.openai.com/v1/responses",
            sse(
                (
                    "response.failed",
                    {
                        "type": "response.failed",
                        "response": {
                            "id": "resp_1",
                            "status": "failed",
                            "error": {"code": "server_error", "message": "boom"},
                            "usage": None,
                        },
                    },
                )
            ),
            200,
            "server_error: boom",
        ),
        (
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
            sse({"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}),
            200,
            "The model is overloaded.",
        ),
        (
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-micro-v1%3A0/converse-stream",
            _frames(("throttlingException", {"message": "Too many tokens"}), message_type="exception"),
            200,
            "throttlingException: Too many tokens",
        ),
        (
            "https://api.cohere.com/v2/chat",
            {"id": "5c1f0e2a", "message": "invalid request: messages must not be empty"},
            200,
            "invalid request: messages must not be empty",
        ),
    ],
)
def test_errors_are_not_billed(url: str, body: Any, status: int, warning: str | None) -> None:
    extraction = usage.extract(post(url, body, status=status, request=CHAT_REQUEST))
    assert extraction is not None
    assert (extraction.billed, extraction.estimated) == (False, False)
    assert reported(extraction) == {"input_tokens": 0, "output_tokens": 0}
    if warning is None:
        assert extraction.warnings == ()
    else:
        assert len(extraction.warnings) == 1
        assert warning in extraction.warnings[0]
        assert "not billed" in extraction.warnings[0]


def test_gemini_without_usage_metadata_is_estimated() -> None:
    body = {
        "candidates": [{"content": {"parts": [{"text": "Hi Bob"}]}, "finishReason": "SAFETY"}],
        "modelVersion": "gemini-2.5-flash",
    }
    url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    request = {"contents": [{"role": "user", "parts": [{"text": "Say hi to Bob"}]}]}
    extraction = usage.extract(post(url, body, request=request))
    assert extraction is not None
    assert (extraction.estimated, reported(extraction)) == (
        True,
        {"input_tokens": fake_count("Say hi to Bob").tokens, "output_tokens": fake_count("Hi Bob").tokens},
    )
    assert "no usageMetadata" in extraction.warnings[0]


def test_a_usage_genai_prices_cannot_read_is_estimated_not_zero() -> None:
    # genai-prices lower-cases each modality: one of another type makes it raise, which must not
    # turn the call into an exact $0 ("usage could not be read ... counted as zero").
    body = {
        "candidates": [{"content": {"parts": [{"text": "Hi Bob"}]}, "finishReason": "STOP"}],
        "usageMetadata": {
            "promptTokenCount": 5,
            "candidatesTokenCount": 2,
            "promptTokensDetails": [{"modality": ["TEXT"], "tokenCount": 5}],
        },
        "modelVersion": "gemini-2.5-flash",
    }
    url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    request = {"contents": [{"role": "user", "parts": [{"text": "Say hi to Bob"}]}]}
    extraction = usage.extract(post(url, body, request=request))
    assert extraction is not None
    assert (extraction.billed, extraction.estimated, reported(extraction)) == (
        True,
        True,
        {"input_tokens": fake_count("Say hi to Bob").tokens, "output_tokens": fake_count("Hi Bob").tokens},
    )
    assert "genai-prices could not read it: AttributeError" in extraction.warnings[0]
    # A modality number past the ones Google names stays a number: read as unreadable, not guessed.
    body["usageMetadata"]["promptTokensDetails"] = [{"modality": 9, "tokenCount": 5}]
    extraction = usage.extract(post(url, body, request=request))
    assert extraction is not None
    assert (extraction.billed, extraction.estimated, reported(extraction)["output_tokens"]) == (
        True,
        True,
        fake_count("Hi Bob").tokens,
    )
    assert "genai-prices could not read it" in extraction.warnings[0]


def test_gzip_body_without_header_and_mislabelled_gzip() -> None:
    packed = gzip.compress(json.dumps(_chat({"prompt_tokens": 5, "completion_tokens": 2})).encode(), mtime=0)
    for interaction in (
        post(CHAT_URL, packed),
        post(CHAT_URL, _chat({"prompt_tokens": 5, "completion_tokens": 2}), content_encoding="gzip"),
    ):
        extraction = usage.extract(interaction)
        assert extraction is not None
        assert (reported(extraction), extraction.estimated) == (
            {"input_tokens": 5, "output_tokens": 2},
            False,
        )


def test_token_counter_failure_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, model: str | None = None) -> TokenCount:
        raise RuntimeError("no encoding")

    monkeypatch.setattr(usage, "count_text", broken)
    extraction = usage.extract(post(CHAT_URL, _chat(None, content="12345678"), request=CHAT_REQUEST))
    assert extraction is not None
    assert reported(extraction) == {"input_tokens": 4, "output_tokens": 2}
    assert "token counting failed (RuntimeError)" in extraction.warnings[1]


def test_estimate_skips_non_text_request_fields() -> None:
    interaction = post(
        CHAT_URL,
        "",
        request={
            "model": "gpt-4o",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Describe"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                    ],
                }
            ],
            "tools": [
                WEATHER_TOOL := {
                    "type": "function",
                    "function": {"name": "get_weather", "description": "Weather"},
                }
            ],
            "stream": True,
        },
    )
    assert WEATHER_TOOL["type"] == "function"
    assert usage.estimate_texts(interaction, ["out"]) == ("Describe\nget_weather\nWeather", "out")
    extraction = usage.extract(interaction)
    assert extraction is not None
    assert (extraction.streamed, extraction.estimated) == (True, True)


# --------------------------------------------------------------------------- never raises


@settings(max_examples=150, deadline=None)
@given(
    url=st.sampled_from(
        [
            CHAT_URL,
            "https://api.openai.com/v1/responses",
            "https://api.anthropic.com/v1/messages",
            "https://generativelanguage.googleapis.com/v1beta/models/g:streamGenerateContent",
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse-stream",
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/invoke",
            "http://localhost:1/anything",
        ]
    ),
    body=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(
                    st.sampled_from(
                        [
                            "usage",
                            "model",
                            "type",
                            "choices",
                            "candidates",
                            "usageMetadata",
                            "prompt_tokens",
                            "completion_tokens",
                            "input_tokens",
                            "output_tokens",
                            "message",
                            "delta",
                            "output",
                            "status",
                        ]
                    ),
                    children,
                    max_size=5,
                )
            ),
            max_leaves=20,
        ).map(lambda v: json.dumps(v).encode()),
    ),
    status=st.sampled_from([0, 200, 204, 302, 429, 500]),
    encoding=st.sampled_from(["", "gzip", "br", "deflate"]),
)
def test_extract_never_raises(url: str, body: bytes, status: int, encoding: str) -> None:
    interaction = Interaction("POST", url, {}, b"{}", status, {"content-encoding": encoding}, body)
    extraction = usage.extract(interaction)
    if extraction is not None:
        assert extraction.endpoint in usage.ENDPOINTS
        if extraction.billed and not extraction.estimated:
            assert extraction.warnings == ()
        if not extraction.billed:
            assert reported(extraction) == {"input_tokens": 0, "output_tokens": 0}


# --------------------------------------------------------------------------- the readers


@pytest.mark.parametrize(
    ("text", "events", "complete"),
    [
        ("data: 1\n\n", [("", "1")], True),
        ('event: a\r\ndata: {"x": 1}\r\n\r\n', [("a", '{"x": 1}')], True),
        (": comment\nid: 3\ndata: a\ndata: b\n\n", [("", "a\nb")], True),
        ('data: {"x": 1}\n', [("", '{"x": 1}')], False),
        ('data: {"x": 1', [], False),
        ("data:[DONE]\n\n", [("", "[DONE]")], True),
    ],
)
def test_sse_parse(text: str, events: list[tuple[str, str]], complete: bool) -> None:
    parsed, ended = _sse.parse(text)
    assert ([(e.event, e.data) for e in parsed], ended) == (events, complete)


@settings(max_examples=500, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [
                *("data:", "data: ", "data:  ", "event: error", ": c", "id: 1", "data"),
                *("\n", "\n\n", "\r\n", "\r", '{"usage": null}', "[DONE]", "a", " ", ":"),
            ]
        ),
        max_size=14,
    ).map("".join)
)
def test_sse_parse_splitting_on_blank_lines_matches_reading_line_by_line(text: str) -> None:
    def events(parsed: tuple[list[_sse.SSEEvent], bool]) -> tuple[list[tuple[str, str]], bool]:
        return [(e.event, e.data) for e in parsed[0]], parsed[1]

    assert events(_sse.parse(text)) == events(_sse._parse_lines(text))


def test_sse_parse_splits_a_plain_stream_without_reading_it_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_expected(text: str) -> Any:
        raise AssertionError("read line by line")

    monkeypatch.setattr(_sse, "_parse_lines", not_expected)
    parsed, complete = _sse.parse("data: 0\n\ndata:1\n\n\n\ndata:  2\n\n")
    assert ([(e.event, e.data) for e in parsed], complete) == ([("", "0"), ("", "1"), ("", " 2")], True)


def test_eventstream_round_trip_and_damage() -> None:
    frame = _eventstream.encode({":event-type": "metadata", ":message-type": "event"}, b'{"usage": {}}')
    frames, problems = _eventstream.decode(frame + frame)
    assert ([(f.event_type, f.message_type, f.payload) for f in frames], problems) == (
        [("metadata", "event", b'{"usage": {}}')] * 2,
        [],
    )
    corrupted = frame[:-1] + bytes([frame[-1] ^ 1])
    assert _eventstream.decode(corrupted) == ([], ["event stream frame at byte 0 has a bad message checksum"])
    size = len(frame)
    assert _eventstream.decode(frame + frame[:20])[1] == [
        f"event stream frame at byte {size} is truncated (20 of {size} bytes)"
    ]
    assert _eventstream.decode(frame + b"xy")[1] == ["event stream ends with 2 stray bytes (truncated frame)"]
    assert not _eventstream.looks_like_eventstream(b'{"usage": 1}')


def test_corpus_has_no_credentials() -> None:
    for path in Path(CASSETTES).glob("*.yaml"):
        text = path.read_text().lower()
        for secret in ("authorization", "x-api-key", "api-key:", "x-goog-api-key", "bearer ", "sk-"):
            assert secret not in text, (path.name, secret)


RESPONSES_URL = "https://api.openai.com/v1/responses"
RESPONSES_USAGE = {"input_tokens": 10, "output_tokens": 4, "input_tokens_details": {"cached_tokens": 0}}


@pytest.mark.parametrize(
    ("status", "usage_obj", "billed", "tokens", "warning"),
    [
        ("queued", None, False, (0, 0), None),
        ("in_progress", None, False, (0, 0), None),
        ("completed", RESPONSES_USAGE, True, (10, 4), None),
        ("incomplete", RESPONSES_USAGE, True, (10, 4), None),
        ("cancelled", None, False, (0, 0), "cancelled before it produced usage"),
        ("failed", None, False, (0, 0), "server_error: boom"),
    ],
)
def test_responses_status(
    status: str, usage_obj: Any, billed: bool, tokens: tuple[int, int], warning: str | None
) -> None:
    body = {
        "id": "resp_abc",
        "object": "response",
        "status": status,
        "model": "gpt-4.1-2025-04-14",
        "output": [],
        "usage": usage_obj,
        "error": {"code": "server_error", "message": "boom"} if status == "failed" else None,
    }
    extraction = usage.extract(post(RESPONSES_URL, body))
    assert extraction is not None
    assert (extraction.billed, extraction.estimated, extraction.response_id) == (billed, False, "resp_abc")
    assert (
        extraction.usage.reported_value("input_tokens"),
        extraction.usage.reported_value("output_tokens"),
    ) == tokens
    if warning is None:
        assert extraction.warnings == ()
    else:
        assert warning in extraction.warnings[0]


ZERO_RESPONSES_USAGE = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}


@pytest.mark.parametrize(
    ("status", "output", "usage_object", "estimated"),
    [
        ("incomplete", "Once upon a time", ZERO_RESPONSES_USAGE, True),
        ("completed", "Once upon a time", ZERO_RESPONSES_USAGE, True),
        ("completed", None, ZERO_RESPONSES_USAGE, False),  # no output: nothing says the zeros are wrong
        # Some tokens counted: a count, however odd, read as the provider gave it.
        ("completed", "Once upon a time", {"input_tokens": 12, "output_tokens": 0, "total_tokens": 12}, False),
    ],
)
def test_a_responses_usage_of_zeros_beside_output_is_estimated(
    status: str, output: str | None, usage_object: dict[str, int], estimated: bool
) -> None:
    message = {"type": "message", "content": [{"type": "output_text", "text": output}]}
    body = {
        "id": "resp_abc",
        "object": "response",
        "status": status,
        "model": "gpt-4o-2024-08-06",
        "output": [message] if output else [],
        "usage": usage_object,
        "error": None,
    }
    extraction = usage.extract(post(RESPONSES_URL, body, request={"model": "gpt-4o", "input": "Tell a story"}))
    assert extraction is not None
    assert (extraction.billed, extraction.estimated) == (True, estimated)
    if estimated:
        assert extraction.usage.reported_value("input_tokens") == fake_count("Tell a story").tokens
        assert extraction.usage.reported_value("output_tokens") == fake_count("Once upon a time").tokens
        assert "reports zero usage despite its output" in extraction.warnings[0]
    else:
        assert extraction.usage.reported_value("input_tokens") == usage_object["input_tokens"]
        assert extraction.warnings == ()


def test_responses_stream_counts_hosted_searches() -> None:
    # Billed per call, listed as output items of the final response, not in its usage object.
    output = [
        {"id": "ws_1", "type": "web_search_call", "status": "completed"},
        {"id": "ws_2", "type": "web_search_call", "status": "completed"},
        {"id": "fs_1", "type": "file_search_call", "status": "completed", "queries": ["refund policy"]},
        {"id": "msg_1", "type": "message", "content": [{"type": "output_text", "text": "Done."}]},
    ]
    final = {"id": "resp_abc", "object": "response", "status": "completed", "model": "gpt-4o-2024-08-06"}
    body = sse(
        ("response.created", {"type": "response.created", "response": final | {"status": "in_progress"}}),
        (
            "response.completed",
            {"type": "response.completed", "response": final | {"output": output, "usage": RESPONSES_USAGE}},
        ),
    )
    extraction = usage.extract(post(RESPONSES_URL, body))
    assert extraction is not None
    assert (extraction.streamed, extraction.estimated, extraction.tool_calls) == (True, False, 0)
    assert extraction.usage == genai_prices.Usage(
        input_tokens=10, output_tokens=4, cache_read_tokens=0, web_searches=2, storage_searches=1
    )


def test_an_estimated_responses_call_keeps_its_hosted_searches() -> None:
    # The usage object is missing, so the tokens are estimated; the searches are listed exactly.
    output = [
        {"id": "ws_1", "type": "web_search_call", "status": "completed"},
        {"id": "msg_1", "type": "message", "content": [{"type": "output_text", "text": "Done."}]},
    ]
    body = {"id": "resp_abc", "object": "response", "status": "completed", "model": "gpt-4o", "output": output}
    extraction = usage.extract(post(RESPONSES_URL, body))
    assert extraction is not None
    assert extraction.estimated
    assert extraction.usage.reported_value("web_searches") == 1


def test_a_cohere_stream_counts_its_tool_calls_and_reads_message_end() -> None:
    usage_obj = {"billed_units": {"input_tokens": 31, "output_tokens": 12}, "tokens": {"input_tokens": 900}}
    body = sse(
        ("message-start", {"type": "message-start", "id": "c1", "delta": {"message": {"role": "assistant"}}}),
        ("tool-call-start", {"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": {}}}}),
        ("tool-call-end", {"type": "tool-call-end", "index": 0}),
        ("tool-call-start", {"type": "tool-call-start", "index": 1, "delta": {"message": {"tool_calls": {}}}}),
        ("message-end", {"type": "message-end", "delta": {"finish_reason": "TOOL_CALL", "usage": usage_obj}}),
    )
    extraction = usage.extract(post("https://api.cohere.com/v2/chat", body, request={"model": "command-a-03-2025"}))
    assert extraction is not None
    assert (extraction.streamed, extraction.tool_calls, extraction.response_id) == (True, 2, "c1")
    assert reported(extraction) == {"input_tokens": 31, "output_tokens": 12}  # billed units, not tokens


INTERACTIONS_URL = "https://generativelanguage.googleapis.com/v1beta/interactions"


@pytest.mark.parametrize(
    ("body", "billed", "estimated", "warns"),
    [
        # A background interaction still running: the poll that sees it finished bills it.
        (
            {"id": "v1_a", "object": "interaction", "model": "gemini-2.5-flash", "status": "in_progress"},
            False,
            False,
            False,
        ),
        (
            {"id": "v1_a", "object": "interaction", "status": "failed", "error": {"code": "internal", "message": "x"}},
            False,
            False,
            True,
        ),
        # Finished but without usage: billed, estimated, never presented as exact.
        ({"id": "v1_a", "object": "interaction", "model": "gemini-2.5-flash", "status": "completed"}, True, True, True),
        (
            sse(
                ("interaction.start", {"event_type": "interaction.start", "interaction": {"id": "v1_a"}}),
                ("content.delta", {"event_type": "content.delta", "index": 0, "delta": {"type": "text", "text": "Hi"}}),
            ),
            True,
            True,
            True,
        ),
        (
            {
                "object": "interaction",
                "model": "gemini-2.5-flash",
                "status": "completed",
                "usage": {"total_input_tokens": "9", "total_output_tokens": 2},
            },
            True,
            True,
            True,
        ),
    ],
    ids=["in-progress", "failed", "no-usage", "truncated-stream", "malformed-usage"],
)
def test_interactions_that_are_not_finished_answers(body: Any, billed: bool, estimated: bool, warns: bool) -> None:
    request = {"model": "gemini-2.5-flash", "input": "Say hi"}
    extraction = usage.extract(post(INTERACTIONS_URL, body, request=request))
    assert extraction is not None
    assert (extraction.endpoint, extraction.billed, extraction.estimated) == ("gemini.interactions", billed, estimated)
    assert bool(extraction.warnings) is warns


def test_a_background_interaction_is_billed_once_by_the_poll_that_sees_it_finished() -> None:
    # background=true answers in_progress; the client polls GET /v1beta/interactions/{id} until
    # the interaction is completed. Read as a free path on Google's host, the polls dropped the
    # whole call: no LLM call and $0 for 9 in / 13 out + 203 thought tokens of gemini-2.5-flash.
    from pytest_agentcost.accounting import Accountant
    from pytest_agentcost.models import bill_responses_once

    created = post(
        INTERACTIONS_URL,
        {"id": "v1_bg", "object": "interaction", "model": "gemini-2.5-flash", "status": "in_progress"},
        request={"model": "gemini-2.5-flash", "input": "Say hi", "background": True},
    )
    done = {
        "id": "v1_bg",
        "object": "interaction",
        "model": "gemini-2.5-flash",
        "status": "completed",
        "usage": {"total_input_tokens": 9, "total_output_tokens": 13, "total_thought_tokens": 203},
    }

    def poll(body: Any, url: str = f"{INTERACTIONS_URL}/v1_bg") -> Interaction:
        return Interaction("GET", url, {}, b"", 200, {"content-type": "application/json"}, json.dumps(body).encode())

    running = poll({**done, "status": "in_progress", "usage": None})
    extraction = usage.extract(poll(done))
    assert extraction is not None
    assert (extraction.endpoint, extraction.billed, extraction.is_poll, extraction.response_id) == (
        "gemini.interactions", True, True, "v1_bg",
    )  # fmt: skip
    assert reported(extraction) == {"input_tokens": 9, "output_tokens": 216}
    accountant = Accountant(Pricer())
    calls = bill_responses_once(accountant(i, None, None) for i in (created, running, poll(done), poll(done)))
    assert [(c.kind, c.billed) for c in calls] == [("llm", False), ("llm", False), ("llm", True), ("llm", False)]
    assert sum(c.cost_usd or 0 for c in calls) == Decimal("0.0005427")
    # On a host no provider names, a GET of that path is an LLM poll only with the answer's shape.
    assert usage.extract(poll({"id": "x"}, "https://crm.internal/api/interactions/x")) is None
    assert usage.extract(poll(done, "https://gateway.internal/v1beta/interactions/v1_bg")) is not None


def test_interactions_stream_counts_function_calls_and_reads_only_the_final_usage() -> None:
    running = {"usage": {"total_input_tokens": 40, "total_output_tokens": 1}}
    final = {
        "id": "v1_b",
        "model": "gemini-2.5-flash",
        "status": "requires_action",
        "usage": {"total_input_tokens": 40, "total_output_tokens": 12, "total_thought_tokens": 0},
    }
    body = sse(
        (
            "interaction.start",
            {"event_type": "interaction.start", "interaction": {"id": "v1_b", "status": "in_progress"}},
        ),
        ("step.start", {"event_type": "step.start", "index": 0, "step": {"type": "function_call"}}),
        ("step.delta", {"event_type": "step.delta", "index": 0, "delta": {"type": "arguments"}, "metadata": running}),
        ("step.start", {"event_type": "step.start", "index": 1, "step": {"type": "function_call"}}),
        ("interaction.complete", {"event_type": "interaction.complete", "interaction": final}),
    )
    extraction = usage.extract(post(INTERACTIONS_URL, body, request={"model": "gemini-2.5-flash", "stream": True}))
    assert extraction is not None
    assert (extraction.streamed, extraction.tool_calls, extraction.response_id) == (True, 2, "v1_b")
    assert reported(extraction) == {"input_tokens": 40, "output_tokens": 12}


def test_images_stream_reads_the_completed_event() -> None:
    # Images API with partial_images: only image_generation.completed carries the usage.
    usage_obj = {
        "input_tokens": 30,
        "input_tokens_details": {"image_tokens": 0, "text_tokens": 30},
        "output_tokens": 272,
        "output_tokens_details": {"image_tokens": 272, "text_tokens": 0},
        "total_tokens": 302,
    }
    body = sse(
        ("image_generation.partial_image", {"type": "image_generation.partial_image", "b64_json": "iVBO"}),
        ("image_generation.completed", {"type": "image_generation.completed", "b64_json": "iVBO", "usage": usage_obj}),
    )
    request = {"model": "gpt-image-1-mini", "prompt": "A red circle.", "stream": True, "partial_images": 1}
    extraction = usage.extract(post("https://api.openai.com/v1/images/generations", body, request=request))
    assert extraction is not None
    assert (extraction.endpoint, extraction.model, extraction.streamed, extraction.estimated) == (
        "openai.images",
        "gpt-image-1-mini",
        True,
        False,
    )
    assert reported(extraction) == {"input_tokens": 30, "output_tokens": 272}


def test_internal_failure_becomes_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> None:
        raise KeyError("boom")

    monkeypatch.setitem(usage._PARSERS, "openai.chat", broken)
    extraction = usage.extract(post(CHAT_URL, _chat({"prompt_tokens": 1, "completion_tokens": 1})))
    assert extraction is not None
    # The answer succeeded: a billed call whose zero is marked estimated, never an exact $0.
    assert (extraction.billed, extraction.estimated, extraction.model) == (True, True, "gpt-4o-mini")
    assert extraction.warnings == (
        "openai.chat response from api.openai.com: usage could not be read (KeyError: 'boom'); counted as zero "
        "tokens, marked estimated; please report it to pytest-agentcost",
    )


def test_deflate_body() -> None:
    packed = zlib.compress(json.dumps(_chat({"prompt_tokens": 5, "completion_tokens": 2})).encode())
    extraction = usage.extract(post(CHAT_URL, packed, content_encoding="deflate"))
    assert extraction is not None
    assert reported(extraction) == {"input_tokens": 5, "output_tokens": 2}


def test_eventstream_header_types() -> None:
    def header(name: str, kind: int, value: bytes) -> bytes:
        return bytes([len(name)]) + name.encode() + bytes([kind]) + value

    raw = b"".join(
        [
            header("t", 0, b""),
            header("f", 1, b""),
            header("b", 2, struct.pack(">b", -3)),
            header("s", 3, struct.pack(">h", 300)),
            header("i", 4, struct.pack(">i", 70000)),
            header("l", 5, struct.pack(">q", 2**40)),
            header("by", 6, struct.pack(">H", 2) + b"\x00\x01"),
            header(":event-type", 7, struct.pack(">H", 5) + b"chunk"),
            header("ts", 8, struct.pack(">q", 1700000000000)),
            header("u", 9, bytes(range(16))),
        ]
    )
    payload = b"{}"
    total = 12 + len(raw) + len(payload) + 4
    prelude = struct.pack(">II", total, len(raw))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + raw + payload
    frame = body + struct.pack(">I", zlib.crc32(body))
    frames, problems = _eventstream.decode(frame)
    assert problems == []
    assert dict(frames[0].headers) == {
        "t": True,
        "f": False,
        "b": -3,
        "s": 300,
        "i": 70000,
        "l": 2**40,
        "by": b"\x00\x01",
        ":event-type": "chunk",
        "ts": 1700000000000,
        "u": "00010203-0405-0607-0809-0a0b0c0d0e0f",
    }
    assert (frames[0].event_type, frames[0].message_type) == ("chunk", "event")


@pytest.mark.parametrize(
    ("url", "answer"),
    [
        (
            "https://api.cohere.com/v2/embed",
            {
                "id": "c91871ab-919f-47fc-b3c7-598e33333164",
                "texts": ["hello world", "goodbye"],
                "embeddings": {"float": [[-0.007, 0.034], [0.012, -0.02]]},
                "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": 4}},
                "response_type": "embeddings_by_type",
            },
        ),
        (
            "https://api.cohere.ai/v1/embed",
            {
                "id": "0b5e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4",
                "texts": ["hello world", "goodbye"],
                "embeddings": [[-0.007, 0.034], [0.012, -0.02]],
                "meta": {"api_version": {"version": "1"}, "billed_units": {"input_tokens": 4}},
                "response_type": "embeddings_floats",
            },
        ),
    ],
    ids=["v2", "v1"],
)
def test_cohere_embed_reads_billed_units_and_takes_the_model_from_the_request(url: str, answer: Any) -> None:
    """Cohere Embed bills input tokens (meta.billed_units); the answer names no model."""
    request = {"model": "embed-v4.0", "texts": ["hello world", "goodbye"], "input_type": "search_document"}
    extraction = usage.extract(post(url, answer, request=request))
    assert (extraction.provider, extraction.endpoint, extraction.model) == ("cohere", "cohere.embed", "embed-v4.0")
    assert (extraction.usage.input_tokens, extraction.usage.output_tokens) == (4, 0)
    assert extraction.billed
    assert not extraction.estimated
    assert extraction.response_id == answer["id"]


def test_a_cohere_embed_answer_without_billed_units_is_estimated_from_the_texts() -> None:
    answer = {"id": "e2", "embeddings": {"float": [[0.1, 0.2]]}, "meta": {"api_version": {"version": "2"}}}
    request = {"model": "embed-v4.0", "texts": ["the quick brown fox jumps over the lazy dog"]}
    extraction = usage.extract(post("https://api.cohere.com/v2/embed", answer, request=request))
    assert extraction.endpoint == "cohere.embed"
    assert extraction.billed
    assert extraction.estimated
    assert extraction.usage.input_tokens > 0
    assert any("billed_units" in warning for warning in extraction.warnings)


@pytest.mark.parametrize(
    ("url", "mapping", "expected"),
    [
        # A host genai-prices names several providers on by path: the path names the route's.
        (
            "https://router.huggingface.co/together/v1/chat/completions",
            {"router.huggingface.co": "huggingface_nscale"},
            "huggingface_together",
        ),
        (
            "https://router.huggingface.co/v1/chat/completions",
            {"router.huggingface.co": "huggingface_nscale"},
            "huggingface_nscale",
        ),
        # A host one provider serves, named by its path (Cloudflare Workers AI, a Databricks
        # workspace): the user's line for the host wins (review 45).
        (
            "https://api.cloudflare.com/client/v4/accounts/abc/ai/v1/chat/completions",
            {"api.cloudflare.com": "openai"},
            "openai",
        ),
        (
            "https://adb-1.cloud.databricks.com/serving-endpoints/chat/completions",
            {"adb-1.cloud.databricks.com": "openai"},
            "openai",
        ),
    ],
    ids=["hf-route", "hf-unnamed", "cloudflare", "databricks"],
)
def test_a_path_named_provider_wins_over_a_host_line_only_on_a_shared_host(
    url: str, mapping: dict[str, str], expected: str
) -> None:
    body = {"object": "chat.completion", "model": "m", "choices": [], "usage": {"prompt_tokens": 3}}
    found = usage.detect(Interaction("POST", url, {}, b'{"model": "m"}', 200, {}, json.dumps(body).encode()), mapping)
    assert found == (expected, "openai.chat")


@pytest.mark.parametrize(
    ("path", "mapping", "expected"),
    [
        # One gateway host fronting three providers, mapped to the one the '?' warning asked for.
        ("/model/amazon.nova-lite-v1:0/converse", {"gw.acme.internal": "google"}, ("aws", "bedrock.converse")),
        (
            "/openai/deployments/router-ft/chat/completions?api-version=2024-10-21",
            {"gw.acme.internal": "google"},
            ("azure", "openai.chat"),
        ),
        (
            "/v1/models/gemini-2.5-flash:generateContent",
            {"gw.acme.internal": "google"},
            ("google", "gemini.generate_content"),
        ),
        # Unmapped: Gemini's own path names Google, as a Bedrock path names AWS.
        ("/v1/models/gemini-2.5-flash:generateContent", {}, ("google", "gemini.generate_content")),
        ("/model/amazon.nova-lite-v1:0/converse", {}, ("aws", "bedrock.converse")),
        # Gemini's path defaults to Google only: a line naming another provider wins.
        (
            "/v1/models/gemini-2.5-flash:generateContent",
            {"gw.acme.internal": "openrouter"},
            ("openrouter", "gemini.generate_content"),
        ),
    ],
    ids=["bedrock-mapped", "azure-mapped", "gemini-mapped", "gemini-unmapped", "bedrock-unmapped", "gemini-other"],
)
def test_a_path_only_one_provider_serves_wins_over_a_gateway_mapping(
    path: str, mapping: dict[str, str], expected: tuple[str, str]
) -> None:
    interaction = Interaction("POST", f"https://gw.acme.internal{path}", {}, b"{}", 200, {}, b"{}")
    assert usage.detect(interaction, mapping) == expected


VERTEX_MODELS = (
    "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models"
)


def test_imagen_predict_is_a_billed_call_unpriced_per_image_not_a_free_tool_call() -> None:
    # Imagen (Vertex, or the Gemini API's models/{id}:predict) bills per image; the answer has no
    # token count, and genai-prices no Imagen price: never a silent $0, and no token estimate
    # that a price file would price (sweep 21).
    request = {"instances": [{"prompt": "A lighthouse at dusk"}], "parameters": {"sampleCount": 1}}
    body = {"predictions": [{"mimeType": "image/png", "bytesBase64Encoded": "iVBORw0KGgo="}]}
    for url in (
        f"{VERTEX_MODELS}/imagen-4.0-generate-001:predict",
        "https://generativelanguage.googleapis.com/v1beta/models/imagen-4.0-generate-001:predict",
    ):
        extraction = usage.extract(post(url, body, request=request))
        assert extraction is not None, url
        assert (extraction.provider, extraction.endpoint, extraction.model) == (
            "google",
            "gemini.predict",
            "imagen-4.0-generate-001",
        )
        assert (extraction.billed, extraction.estimated, extraction.unpriced) == (True, False, True)
        assert (extraction.usage.input_tokens, extraction.usage.output_tokens) == (0, 0)
        assert "the Imagen answer holds 1 image and no usage: it is billed per image" in extraction.warnings[0]
        # Images written to Cloud Storage (storageUri) are named by their gcsUri instead.
        stored = usage.extract(post(url, {"predictions": [{"mimeType": "image/png", "gcsUri": "gs://b/1.png"}]}))
        assert stored is not None
        assert (stored.unpriced, stored.estimated) == (True, False)
        assert Pricer(price_date=PRICE_DATE.date()).price("google", extraction.model, extraction.usage) is None


def test_vertex_predict_embeddings_sum_each_inputs_token_count() -> None:
    request = {"instances": [{"content": "a"}, {"content": "b"}]}
    body = {
        "predictions": [
            {"embeddings": {"statistics": {"truncated": False, "token_count": 6.0}, "values": [0.1]}},
            {"embeddings": {"statistics": {"truncated": False, "token_count": 4}, "values": [0.2]}},
        ]
    }
    extraction = usage.extract(post(f"{VERTEX_MODELS}/text-embedding-005:predict", body, request=request))
    assert extraction is not None
    assert (extraction.model, extraction.estimated, reported(extraction)) == (
        "text-embedding-005",
        False,
        {"input_tokens": 10, "output_tokens": 0},
    )
    # A count that is not a whole number of tokens is not read as one: estimated, and said.
    body["predictions"][1]["embeddings"]["statistics"]["token_count"] = "4"
    extraction = usage.extract(post(f"{VERTEX_MODELS}/text-embedding-005:predict", body, request=request))
    assert extraction is not None
    assert extraction.estimated
    assert extraction.warnings


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8501/v1/models/half_plus_two:predict",  # TensorFlow Serving
        "https://models.internal/v1/models/ranker:predict",
    ],
)
def test_predict_on_a_host_that_is_not_googles_is_not_an_llm_call(url: str) -> None:
    body = {"predictions": [{"embeddings": {"statistics": {"token_count": 3}, "values": [0.1]}}]}
    assert usage.extract(post(url, body, request={"instances": [1.0, 2.0]})) is None


def test_claude_on_vertex_counting_tokens_is_free_as_on_anthropics_own_host() -> None:
    models = "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models"
    request = {"model": "claude-haiku-4-5@20251001", "messages": [{"role": "user", "content": "What is 4200 + 42?"}]}
    assert usage.extract(post(f"{models}/count-tokens:rawPredict", {"input_tokens": 17}, request=request)) is None
    assert usage.extract(post("https://api.anthropic.com/v1/messages/count_tokens", {"input_tokens": 17})) is None
    message = {
        "model": "claude-haiku-4-5-20251001",
        "id": "msg_vrtx_01",
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": "4200 + 42 = 4242"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 17, "output_tokens": 15},
    }
    extraction = usage.extract(post(f"{models}/claude-haiku-4-5@20251001:rawPredict", message, request=request))
    assert extraction is not None
    assert (extraction.endpoint, extraction.billed, reported(extraction)) == (
        "anthropic.messages",
        True,
        {"input_tokens": 17, "output_tokens": 15},
    )


# --------------------------------------------------------------------------- Ollama's native API

OLLAMA = "http://localhost:11434"
OLLAMA_CHAT_REQUEST = {"model": "llama3.2", "messages": [{"role": "user", "content": "What is the weather in Paris?"}]}


def _ollama_line(content: str, done: bool = False, **extra: Any) -> dict[str, Any]:
    # As Ollama's API reference shows its chat stream: one object a line, the last with the counts.
    line: dict[str, Any] = {
        "model": "llama3.2",
        "created_at": "2024-07-22T20:33:28.123648Z",
        "message": {"role": "assistant", "content": content},
        "done": done,
    }
    line.update(extra)
    return line


OLLAMA_FINAL = {
    "done_reason": "stop",
    "total_duration": 885095291,
    "load_duration": 3753500,
    "prompt_eval_count": 122,
    "prompt_eval_duration": 328493000,
    "eval_count": 33,
    "eval_duration": 552222000,
}


def _ndjson(*lines: dict[str, Any]) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


@pytest.mark.parametrize(
    ("path", "body", "request_body", "expected"),
    [
        # A stream (Ollama's default), recorded as LangChain's ChatOllama sends it: counts in the last line.
        (
            "/api/chat",
            _ndjson(_ollama_line("It"), _ollama_line(" is sunny."), _ollama_line("", True, **OLLAMA_FINAL)),
            OLLAMA_CHAT_REQUEST,
            ("ollama.chat", "llama3.2", 122, 33, 0, True),
        ),
        # Not streamed, with a tool call (the API reference's example answer).
        (
            "/api/chat",
            json.dumps(
                {
                    **_ollama_line("", True, **OLLAMA_FINAL),
                    "message": {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": [
                            {"function": {"name": "get_current_weather", "arguments": {"location": "Paris, FR"}}}
                        ],
                    },
                }
            ),
            {**OLLAMA_CHAT_REQUEST, "stream": False},
            ("ollama.chat", "llama3.2", 122, 33, 1, False),
        ),
        (
            "/api/generate",
            json.dumps(
                {
                    "model": "codellama:code",
                    "created_at": "2024-07-22T20:47:51.147561Z",
                    "response": "\n  if a == 0:\n    return b\n",
                    "done": True,
                    "done_reason": "stop",
                    "context": [1, 2, 3],
                    "prompt_eval_count": 17,
                    "eval_count": 63,
                }
            ),
            {"model": "codellama:code", "prompt": "def compute_gcd(a, b):", "stream": False},
            ("ollama.generate", "codellama:code", 17, 63, 0, False),
        ),
        (
            "/api/embed",
            json.dumps(
                {
                    "model": "all-minilm",
                    "embeddings": [[0.010071029, -0.0017594862, 0.05007221]],
                    "total_duration": 14143917,
                    "load_duration": 1019500,
                    "prompt_eval_count": 8,
                }
            ),
            {"model": "all-minilm", "input": "Why is the sky blue?"},
            ("ollama.embed", "all-minilm", 8, 0, 0, False),
        ),
    ],
    ids=["chat-stream", "chat-tool", "generate", "embed"],
)
def test_ollamas_native_api_is_an_llm_call_with_its_own_counts(
    path: str, body: str, request_body: Any, expected: tuple[Any, ...]
) -> None:
    extraction = usage.extract(post(OLLAMA + path, body, request=request_body))
    assert extraction is not None
    endpoint, model, input_tokens, output_tokens, tool_calls, streamed = expected
    assert (extraction.provider, extraction.endpoint, extraction.model) == ("ollama", endpoint, model)
    assert (extraction.usage.input_tokens, extraction.usage.output_tokens) == (input_tokens, output_tokens)
    assert (extraction.tool_calls, extraction.streamed) == (tool_calls, streamed)
    assert (extraction.billed, extraction.estimated, extraction.warnings) == (True, False, ())


def test_an_ollama_call_is_priced_only_by_a_price_file() -> None:
    from pytest_agentcost.pricing import ModelPrice

    body = _ndjson(_ollama_line("Hi"), _ollama_line("", True, **OLLAMA_FINAL))
    extraction = usage.extract(
        post(OLLAMA + "/api/chat", body, request={**OLLAMA_CHAT_REQUEST, "model": "gpt-oss:20b"})
    )
    assert extraction is not None
    assert extraction.model == "llama3.2"  # the answer names the model that ran
    # genai-prices sells gpt-oss-20b on cloud hosts: a local run is never priced at their rates.
    assert Pricer().price("ollama", "gpt-oss-20b", extraction.usage) is None
    assert Pricer().price(None, "gpt-oss-20b", extraction.usage) is not None
    assert Pricer().price("ollama", "llama3.2", extraction.usage) is None
    priced = Pricer(overrides={"ollama:llama3.2": ModelPrice(input=Decimal(1), output=Decimal(2))})
    assert priced.price("ollama", "llama3.2", extraction.usage) == Decimal("0.000188")  # 122 x 1 + 33 x 2


@pytest.mark.parametrize(
    ("body", "billed", "problem"),
    [
        # A model load or unload: an empty prompt, nothing generated.
        (json.dumps({**_ollama_line("", True), "done_reason": "load"}), False, None),
        (json.dumps({**_ollama_line("", True), "done_reason": "unload"}), False, None),
        # Ollama's error inside a stream that had started.
        (_ndjson(_ollama_line("It"), {"error": "an error was encountered while running the model"}), False, None),
        (_ndjson(_ollama_line("It"), _ollama_line(" is")), True, "truncated recording"),
        (json.dumps({**_ollama_line("Hi", True), "eval_count": 3}), True, "no whole prompt_eval_count"),
        (json.dumps({**_ollama_line("Hi", True), "prompt_eval_count": 5, "eval_count": "3"}), True, "eval_count"),
    ],
    ids=["load", "unload", "stream-error", "truncated", "no-prompt-count", "bad-eval-count"],
)
def test_an_ollama_answer_without_counts_is_estimated_or_not_billed(
    body: str, billed: bool, problem: str | None
) -> None:
    extraction = usage.extract(post(OLLAMA + "/api/chat", body, request=OLLAMA_CHAT_REQUEST))
    assert extraction is not None
    assert (extraction.provider, extraction.billed, extraction.estimated) == ("ollama", billed, problem is not None)
    if problem is not None:
        assert problem in extraction.warnings[0]
        assert extraction.usage.input_tokens > 0  # counted from the request's text, never an exact zero


def test_an_ollama_404_is_an_llm_error_and_another_apis_api_chat_a_tool_call() -> None:
    missing = post(OLLAMA + "/api/chat", {"error": "model 'llama9' not found"}, status=404, request=OLLAMA_CHAT_REQUEST)
    extraction = usage.extract(missing)
    assert extraction is not None
    assert (extraction.provider, extraction.endpoint, extraction.billed) == ("ollama", "ollama.chat", False)
    # A chat service of another kind at /api/chat, /api/generate or /api/embed is a tool's own API.
    for path, answer in (
        ("/api/chat", {"reply": "Hello", "conversation_id": "c1"}),
        ("/api/generate", {"model": "house-model", "text": "Hello"}),
        ("/api/embed", {"model": "house-model", "vectors": [[0.1]]}),
    ):
        assert usage.extract(post("https://support.example" + path, answer, request={"model": "house-model"})) is None
    assert usage.extract(post("https://support.example/api/chat", {"error": "busy"}, request={"q": "hi"})) is None


def test_ollamas_openai_compatible_api_is_ollamas_on_its_port_or_when_named() -> None:
    answer = {**OPENAI_CHAT, "model": "gpt-oss:20b"}
    request = {"model": "gpt-oss:20b", "messages": [{"role": "user", "content": "hi"}]}
    on_port = usage.extract(post(OLLAMA + "/v1/chat/completions", answer, request=request))
    assert on_port is not None
    assert (on_port.provider, on_port.endpoint, on_port.usage.input_tokens) == ("ollama", "openai.chat", 5)
    assert Pricer().price(on_port.provider, on_port.model, on_port.usage) is None
    # Another port is an unknown server, until an agent_cost_providers line names it.
    elsewhere = "http://gpu-box:8080/v1/chat/completions"
    unnamed = usage.extract(post(elsewhere, answer, request=request))
    assert unnamed is not None
    assert unnamed.provider is None
    named = usage.extract(post(elsewhere, answer, request=request), {"gpu-box:8080": "ollama"})
    assert named is not None
    assert named.provider == "ollama"


def test_ollamas_shape_is_what_makes_an_api_chat_an_llm_call() -> None:
    # Another service's /api/chat answering a model and done, without Ollama's created_at, is its own API.
    answer = {"model": "m", "done": True}
    assert usage.extract(post("https://support.example/api/chat", answer, request={"model": "m"})) is None
    # One JSON line with Ollama's stream content type is a stream, told by the header alone.
    final = json.dumps(_ollama_line("", True, **OLLAMA_FINAL))
    for content_type, streamed in (("application/x-ndjson", True), ("application/json", False)):
        extraction = usage.extract(
            post(OLLAMA + "/api/chat", final, request=OLLAMA_CHAT_REQUEST, content_type=content_type)
        )
        assert extraction is not None
        assert extraction.streamed is streamed


def test_bedrock_invoke_of_claude_bills_a_compaction_step_its_usage_lists() -> None:
    # AWS documents compaction for Claude on InvokeModel (not Converse), answered as Anthropic's
    # Messages API: the top level leaves the compaction iteration out.
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-sonnet-4-6/invoke"
    iterations = [
        {"type": "compaction", "input_tokens": 180000, "output_tokens": 3500},
        {"type": "message", "input_tokens": 23000, "output_tokens": 1000},
    ]
    answer = {**CLAUDE_ANSWER, "usage": {"input_tokens": 23000, "output_tokens": 1000, "iterations": iterations}}
    extraction = usage.extract(post(url, answer))
    assert extraction is not None
    assert (extraction.endpoint, extraction.provider, extraction.estimated) == ("bedrock.invoke", "aws", False)
    assert reported(extraction) == {"input_tokens": 203000, "output_tokens": 4500}
    assert [(part.input_tokens, part.output_tokens) for part in extraction.parts] == [(180000, 3500), (23000, 1000)]
    assert extraction.part_models == (None, None)


@pytest.mark.parametrize(
    ("iterations", "said"),
    [
        (["compaction"], "unusable usage (usage.iterations[0] is not an object)"),
        ([{"type": "compaction", "input_tokens": -5, "output_tokens": 1}], "usage.iterations[0].input_tokens=-5"),
    ],
)
def test_a_claude_answers_unreadable_iterations_are_estimated_not_taken_as_the_top_level(
    iterations: list[Any], said: str
) -> None:
    answer = {**CLAUDE_ANSWER, "usage": {"input_tokens": 10, "output_tokens": 2, "iterations": iterations}}
    extraction = usage.extract(post("https://api.anthropic.com/v1/messages", answer))
    assert extraction is not None
    assert extraction.estimated is True
    assert said in extraction.warnings[0]


def test_a_compaction_pass_behind_a_gateway_path_is_read_by_its_answers_shape() -> None:
    # A gateway's own path for OpenAI's /responses/compact: the answer's object says what it is.
    answer = {
        "id": "resp_1",
        "object": "response.compaction",
        "created_at": 1763770170,
        "output": [{"id": "cmp_1", "type": "compaction", "encrypted_content": "gAAA"}],
        "usage": {"input_tokens": 900, "output_tokens": 120, "total_tokens": 1020},
    }
    extraction = usage.extract(post("http://127.0.0.1:4000/llm/compact", answer, request={"model": "gpt-5.1"}))
    assert extraction is not None
    assert (extraction.endpoint, extraction.model, extraction.tool_calls) == ("openai.responses", "gpt-5.1", 0)
    assert reported(extraction) == {"input_tokens": 900, "output_tokens": 120}


def test_an_iteration_naming_the_calls_own_model_is_the_calls() -> None:
    # Review 38: Bedrock's URL names an inference profile; an iteration naming the answer's model
    # (the SDK declares the field) is the call's own, priced as the call, not as another model.
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/global.anthropic.claude-sonnet-4-6-v1:0/invoke"
    iterations = [
        {"type": "compaction", "input_tokens": 180000, "output_tokens": 3500},
        {"type": "message", "input_tokens": 23000, "output_tokens": 1000, "model": "claude-sonnet-4-6"},
    ]
    answer = {**CLAUDE_ANSWER, "model": "claude-sonnet-4-6"}
    answer["usage"] = {"input_tokens": 23000, "output_tokens": 1000, "iterations": iterations}
    extraction = usage.extract(post(url, answer))
    assert extraction is not None
    assert extraction.part_models == (None, None)


def test_a_one_hour_cache_write_the_iterations_do_not_break_down_keeps_its_rate() -> None:
    # Review 38: iterations may leave cache_creation out; the top level's one-hour writes then go
    # to the call's own iterations, not to the five-minute rate.
    top = {"input_tokens": 10, "cache_creation_input_tokens": 1000, "output_tokens": 5}
    top["cache_creation"] = {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 1000}
    iterations = [{"type": "message", "input_tokens": 10, "cache_creation_input_tokens": 1000, "output_tokens": 5}]
    answer = {**CLAUDE_ANSWER, "model": "claude-sonnet-4-6", "usage": {**top, "iterations": iterations}}
    extraction = usage.extract(post("https://api.anthropic.com/v1/messages", answer))
    assert extraction is not None
    (part,) = extraction.parts
    assert (part.cache_write_1h_tokens, part.cache_write_5m_tokens) == (1000, 0)
    pricer = Pricer()
    # By hand at $3 in, $6 a one-hour write, $15 out: 10 x 3 + 1,000 x 6 + 5 x 15 = 6,105 a million.
    assert pricer.price("anthropic", "claude-sonnet-4-6", part) == Decimal("0.006105")


def test_an_iteration_whose_model_is_no_name_is_not_read_as_the_calls() -> None:
    iterations = [{"type": "advisor_message", "model": 123, "input_tokens": 5, "output_tokens": 1}]
    answer = {**CLAUDE_ANSWER, "usage": {"input_tokens": 10, "output_tokens": 2, "iterations": iterations}}
    extraction = usage.extract(post("https://api.anthropic.com/v1/messages", answer))
    assert extraction is not None
    assert extraction.estimated is True
    assert "usage.iterations[0].model is 123, not a model name" in extraction.warnings[0]


def test_a_grounded_gemini_stream_counts_searches_its_chunks_repeat_once() -> None:
    grounding = {"webSearchQueries": ["who won euro 2024", "euro 2024 final score"], "groundingChunks": []}
    usage_meta = {"promptTokenCount": 12, "candidatesTokenCount": 30, "totalTokenCount": 42}
    body = sse(
        {"candidates": [{"content": {"parts": [{"text": "Spain "}]}, "groundingMetadata": grounding}]},
        {
            "candidates": [
                {"content": {"parts": [{"text": "won."}]}, "finishReason": "STOP", "groundingMetadata": grounding}
            ],
            "usageMetadata": usage_meta,
            "modelVersion": "gemini-3-flash",
        },
    )
    url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-3-flash:streamGenerateContent?alt=sse"
    extraction = usage.extract(post(url, body))
    assert extraction is not None
    assert (extraction.estimated, reported(extraction)) == (False, {"input_tokens": 12, "output_tokens": 30})
    (warning,) = extraction.warnings
    assert "grounded with Google Search (2 search queries)" in warning


@pytest.mark.parametrize(
    "metadata",
    [
        {"groundingChunks": [{"maps": {"placeId": "ChIJIQBpAG2ahYAR", "title": "Sightglass Coffee"}}]},
        {"groundingChunks": [], "googleMapsWidgetContextToken": "widgetcontent/AcBXPQ"},
    ],
    ids=["maps-chunk", "widget-token"],
)
def test_a_gemini_answer_grounded_with_google_maps_says_it_is_billed_apart(metadata: dict[str, Any]) -> None:
    # Sweep 22 (pydantic-ai's fixture of a tools=[{googleMaps: {}}] call): priced at its tokens,
    # silently, where search grounding is warned of. Google bills Maps grounding per grounded prompt.
    answer = {
        "candidates": [
            {"content": {"parts": [{"text": "Try Sightglass."}]}, "finishReason": "STOP", "groundingMetadata": metadata}
        ],
        "usageMetadata": {"promptTokenCount": 18, "candidatesTokenCount": 147, "totalTokenCount": 165},
        "modelVersion": "gemini-2.5-flash",
    }
    url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    extraction = usage.extract(post(url, answer))
    assert extraction is not None
    assert (extraction.estimated, reported(extraction)) == (False, {"input_tokens": 18, "output_tokens": 147})
    (warning,) = extraction.warnings
    assert "grounded with Google Maps; Google bills it per grounded prompt beyond a free quota" in warning
    answer["candidates"][0]["groundingMetadata"] = {"groundingChunks": [{"web": {"uri": "https://w.example/"}}]}
    assert usage.extract(post(url, answer)).warnings == ()  # type: ignore[union-attr]


def test_youtubes_video_upload_is_no_video_generation_job() -> None:
    # Review 39: /videos on another provider's host (googleapis.com) is that provider's own API.
    upload = Interaction(
        "POST",
        "https://www.googleapis.com/upload/youtube/v3/videos?part=snippet",
        {"content-type": "application/json"},
        json.dumps({"snippet": {"title": "demo"}}).encode(),
        200,
        {},
        json.dumps({"kind": "youtube#video", "id": "Ks-_Mh1QhMc"}).encode(),
    )
    assert usage.extract(upload) is None


def test_a_one_hour_cache_write_goes_to_the_answer_not_to_a_compaction() -> None:
    # Review 39: the top level counts the answer's writes, not the compaction step's.
    top = {"input_tokens": 10, "cache_creation_input_tokens": 1000, "output_tokens": 5}
    top["cache_creation"] = {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 1000}
    iterations = [
        {"type": "compaction", "input_tokens": 100, "cache_creation_input_tokens": 4000, "output_tokens": 50},
        {"type": "message", "input_tokens": 10, "cache_creation_input_tokens": 1000, "output_tokens": 5},
    ]
    answer = {**CLAUDE_ANSWER, "model": "claude-sonnet-4-6", "usage": {**top, "iterations": iterations}}
    extraction = usage.extract(post("https://api.anthropic.com/v1/messages", answer))
    assert extraction is not None
    compaction, message = extraction.parts
    assert "cache_write_1h_tokens" not in compaction.__dict__
    assert (message.cache_write_1h_tokens, message.cache_write_5m_tokens) == (1000, 0)


def test_a_failed_image_generation_drew_nothing_to_bill() -> None:
    output = [{"id": "ig_1", "type": "image_generation_call", "status": "failed", "result": None}]
    body = {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-5", "output": output}
    body["usage"] = {"input_tokens": 200, "output_tokens": 10, "total_tokens": 210}
    extraction = usage.extract(post(RESPONSES_URL, body))
    assert extraction is not None
    assert (extraction.unpriced, extraction.warnings) == (False, ())


def test_a_search_models_answer_without_its_model_is_known_by_the_request() -> None:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "News."}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 8, "completion_tokens": 20, "total_tokens": 28},
    }
    request = {"model": "gpt-4o-search-preview", "messages": []}
    extraction = usage.extract(post("https://api.openai.com/v1/chat/completions", body, request=request))
    assert extraction is not None
    assert extraction.billed_uses == ("web_searches",)


def test_search_models_are_known_under_openrouters_names_too() -> None:
    # OpenRouter names OpenAI's models with their maker: openai/gpt-4o-search-preview.
    assert usage.searches_every_call("openai/gpt-4o-search-preview")
    assert usage.searches_every_call("gpt-4o-mini-search-preview-2025-03-11")
    assert not usage.searches_every_call("gpt-4o")
    assert not usage.searches_every_call("openai/gpt-4o-mini")


def test_an_estimated_responses_call_that_drew_images_is_unpriced_too() -> None:
    # No usage object: the tokens are estimated, and the images are still billed apart.
    output = [
        {"id": "ig_1", "type": "image_generation_call", "status": "completed", "result": "iVBORw0KGgo="},
        {"id": "msg_1", "type": "message", "content": [{"type": "output_text", "text": "Here it is."}]},
    ]
    body = {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-5", "output": output}
    extraction = usage.extract(post(RESPONSES_URL, body))
    assert extraction is not None
    assert (extraction.estimated, extraction.unpriced) == (True, True)
    assert any("its image generation tool made 1 image" in w for w in extraction.warnings)


# --------------------------------------------------------------------------- Bedrock service tiers

NOVA_PRO = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1%3A0"


def _converse_answer(**extra: Any) -> dict[str, Any]:
    # The shape of a real pydantic-ai recording (sweep 22): Nova Pro, 13 in / 70 out.
    return {
        "metrics": {"latencyMs": 727},
        "output": {"message": {"content": [{"text": "Paris."}], "role": "assistant"}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 13, "outputTokens": 70, "totalTokens": 83},
        **extra,
    }


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ({"serviceTier": {"type": "flex"}}, "on Bedrock's 'flex' service tier"),
        ({"serviceTier": {"type": "priority"}}, "on Bedrock's 'priority' service tier"),
        ({"performanceConfig": {"latency": "optimized"}}, "latency-optimized (performanceConfig latency 'optimized')"),
        ({"serviceTier": {"type": "default"}, "performanceConfig": {"latency": "standard"}}, None),
        ({"serviceTier": {"type": ""}, "performanceConfig": {}}, None),
        ({}, None),
    ],
    ids=["flex", "priority", "latency-optimized", "standard", "empty", "none"],
)
def test_a_bedrock_converse_call_on_a_tier_of_its_own_is_unpriced(extra: dict[str, Any], said: str | None) -> None:
    # Sweep 22: flex (billed at a discount), priority (a premium) and latency-optimized answers
    # were priced at the on-demand rates as exact. genai-prices has no Bedrock tier prices.
    answer = _converse_answer(**extra)
    extraction = usage.extract(post(f"{NOVA_PRO}/converse", answer))
    assert extraction is not None
    assert reported(extraction) == {"input_tokens": 13, "output_tokens": 70}
    if said is None:
        assert (extraction.unpriced, extraction.warnings) == (False, ())
        return
    assert extraction.unpriced
    (warning,) = extraction.warnings
    assert f"it was served {said}, which AWS bills at rates of its own" in warning
    # The stream's metadata event reports the same.
    metadata = {"usage": answer["usage"], "metrics": answer["metrics"], **extra}
    body = _frames(
        ("messageStart", {"role": "assistant"}),
        ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Paris."}}),
        ("messageStop", {"stopReason": "end_turn"}),
        ("metadata", metadata),
    )
    streamed = usage.extract(
        post(f"{NOVA_PRO}/converse-stream", body, content_type="application/vnd.amazon.eventstream")
    )
    assert streamed is not None
    assert (streamed.unpriced, reported(streamed)) == (True, {"input_tokens": 13, "output_tokens": 70})
    assert said in streamed.warnings[0]


def test_a_bedrock_invoke_model_call_reports_its_tier_in_headers() -> None:
    claude = ANTHROPIC_MESSAGE
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke"
    flex = usage.extract(post(url, claude, x_amzn_bedrock_service_tier="flex"))
    assert flex is not None
    assert flex.unpriced
    assert "on Bedrock's 'flex' service tier" in flex.warnings[0]
    fast = usage.extract(post(url, claude, x_amzn_bedrock_performanceconfig_latency="optimized"))
    assert fast is not None
    assert fast.unpriced
    assert "latency-optimized (performanceConfig latency 'optimized')" in fast.warnings[0]
    plain = usage.extract(post(url, claude, x_amzn_bedrock_service_tier="default"))
    assert plain is not None
    assert (plain.unpriced, plain.warnings) == (False, ())


# --------------------------------------------------------------------------- Anthropic Text Completions

COMPLETE_REQUEST = {
    "max_tokens_to_sample": 3,
    "model": "claude-2.1",
    "prompt": "\n\nHuman: Say 'Hi i'm Claude' then stop.\n\nAssistant:",
    "stream": False,
}


def test_anthropics_legacy_text_completions_are_billed_calls_estimated_not_free_tool_calls() -> None:
    # Sweep 23: langsmith-sdk's real claude-2.1 recording of POST /v1/complete read as four $0
    # tool calls: the answer states no usage, and the path was unknown on Anthropic's host.
    answer = {
        "type": "completion",
        "id": "compl_01SeghZ3kCMeWqUfJjDNs5Sa",
        "completion": " Hi i'm",
        "stop_reason": "max_tokens",
        "model": "claude-2.1",
        "stop": None,
        "log_id": "compl_01SeghZ3kCMeWqUfJjDNs5Sa",
    }
    url = "https://api.anthropic.com/v1/complete"
    extraction = usage.extract(post(url, answer, request=COMPLETE_REQUEST))
    assert extraction is not None
    assert (extraction.provider, extraction.endpoint, extraction.model) == (
        "anthropic",
        "anthropic.complete",
        "claude-2.1",
    )
    assert (extraction.billed, extraction.estimated, extraction.unpriced) == (True, True, False)
    assert extraction.usage.output_tokens == fake_count(" Hi i'm").tokens
    assert "Anthropic's legacy Text Completions API states no usage" in extraction.warnings[0]
    # Its stream: completion events, the text in pieces.
    pieces = [{**answer, "completion": text, "stop_reason": None} for text in (" Hi", " i", "'m")]
    body = "".join(f"event: completion\r\ndata: {json.dumps(p)}\r\n\r\n" for p in pieces)
    streamed = usage.extract(post(url, body, request=COMPLETE_REQUEST, content_type="text/event-stream"))
    assert streamed is not None
    assert (streamed.model, streamed.estimated) == ("claude-2.1", True)
    assert streamed.usage.output_tokens == fake_count(" Hi i'm").tokens
    # An error event bills nothing.
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    error = f"event: error\r\ndata: {json.dumps(overloaded)}\r\n\r\n"
    failed = usage.extract(post(url, error, request=COMPLETE_REQUEST, content_type="text/event-stream"))
    assert failed is not None
    assert (failed.billed, failed.estimated) == (False, False)
    # Another API's /v1/complete on an unknown host is a tool call unless it answers in this shape.
    assert usage.extract(post("https://tool.example/v1/complete", {"ok": True}, request=COMPLETE_REQUEST)) is None


def test_a_text_completions_stream_of_either_api_version_counts_its_text_once() -> None:
    # Review 45: before API version 2023-06-01 a stream is data only, each event the whole text so
    # far, ending in [DONE]; it read 0 output tokens, and a cumulative stream with types read each
    # prefix again. From 2023-06-01 on, each completion event is the next piece.
    whole = ["Hello", "Hello my", "Hello my name", "Hello my name is", "Hello my name is Claude."]
    pieces = ["Hello", " my", " name", " is", " Claude."]
    old = {"stop_reason": None, "model": "claude-v1", "truncated": False, "exception": None, "log_id": "x"}
    old_stream = "".join(f"data: {json.dumps({**old, 'completion': c})}\n\n" for c in whole) + "data: [DONE]\n\n"
    typed = {"type": "completion", "stop_reason": None, "model": "claude-2.1"}
    new_stream = "".join(f"event: completion\ndata: {json.dumps({**typed, 'completion': c})}\n\n" for c in pieces)
    ping = 'event: ping\ndata: {"type": "ping"}\n\n'
    expected = fake_count("Hello my name is Claude.").tokens
    for url, body in (
        ("https://api.anthropic.com/v1/complete", old_stream),
        ("https://api.anthropic.com/v1/complete", new_stream),
        # Through a gateway, the stream's first event a ping: its answer shape still tells the API.
        ("https://gateway.example/anthropic/v1/complete", ping + new_stream),
    ):
        extraction = usage.extract(post(url, body, request=COMPLETE_REQUEST, content_type="text/event-stream"))
        assert extraction is not None, url
        assert (extraction.endpoint, extraction.estimated) == ("anthropic.complete", True)
        assert extraction.usage.output_tokens == expected, body[:40]


# --------------------------------------------------------------------------- hardening


@pytest.mark.parametrize("count", [1000.5, 10**10 + 1, 10**30, 1e300], ids=["fraction", "past-cap", "huge", "float"])
def test_a_token_count_no_call_can_have_is_malformed_and_estimated(count: float) -> None:
    # Hardening: 1000.5 tokens were priced as exact (the report showing 1000), and 10**30 crashed
    # the run where money is quantized.
    answer = {**json.loads(json.dumps(OPENAI_CHAT)), "usage": {"prompt_tokens": count, "completion_tokens": 10}}
    extraction = usage.extract(post("https://api.openai.com/v1/chat/completions", answer))
    assert extraction is not None
    assert extraction.estimated
    assert f"malformed usage (usage.prompt_tokens={count!r})" in extraction.warnings[0]
    # Vertex writes counts as 6.0; the cap holds at 10**10; SambaNova's usage holds times in seconds.
    for fine in (
        {"prompt_tokens": 1000.0, "completion_tokens": 10},
        {"prompt_tokens": 10**10, "completion_tokens": 10},
        {
            "prompt_tokens": 10,
            "completion_tokens": 51,
            "time_to_first_token": 0.1314,
            "completion_tokens_per_sec": 98.5,
        },
    ):
        exact = usage.extract(post("https://api.openai.com/v1/chat/completions", {**answer, "usage": fine}))
        assert exact is not None
        assert (exact.estimated, exact.warnings) == (False, ()), fine


def test_a_readers_own_count_no_call_can_have_is_malformed_too() -> None:
    # Review 46: counts a reader builds itself (Voyage's total_tokens) skipped the cap.
    answer = {"object": "list", "data": [{"object": "embedding", "embedding": [0.1], "index": 0}]}
    answer |= {"model": "voyage-3", "usage": {"total_tokens": 10**11}}
    extraction = usage.extract(post("https://api.voyageai.com/v1/embeddings", answer))
    assert extraction is not None
    assert extraction.estimated
    assert "malformed usage (usage.input_tokens=100000000000)" in extraction.warnings[0]


def test_a_bedrock_claude_stream_whose_deltas_count_no_output_reads_its_invocation_metrics() -> None:
    # Review 46: Bedrock's stream states the counts in its last chunk's metrics, exact.
    events = [
        ANTHROPIC_START,
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": None},
        {
            "type": "message_stop",
            "amazon-bedrock-invocationMetrics": {"inputTokenCount": 30, "outputTokenCount": 120},
        },
    ]
    body = _frames(*[("chunk", {"bytes": base64.b64encode(json.dumps(e).encode()).decode()}) for e in events])
    url = f"{BEDROCK_CLAUDE}/invoke-with-response-stream"
    extraction = usage.extract(post(url, body, content_type="application/vnd.amazon.eventstream"))
    assert extraction is not None
    assert (extraction.estimated, reported(extraction)) == (False, {"input_tokens": 30, "output_tokens": 120})
    without = _frames(*[("chunk", {"bytes": base64.b64encode(json.dumps(e).encode()).decode()}) for e in events[:3]])
    cut = usage.extract(
        post(
            url,
            without + _frames(("chunk", {"bytes": base64.b64encode(b'{"type": "message_stop"}').decode()})),
            content_type="application/vnd.amazon.eventstream",
        )
    )
    assert cut is not None
    assert cut.estimated
    assert "its message_delta events count no output tokens" in cut.warnings[0]
    # The prompt's counts are known all the same: message_start stated them.
    assert (cut.usage.input_tokens, cut.usage.cache_read_tokens, cut.usage.cache_write_tokens) == (550, 500, 40)
    assert cut.usage.output_tokens == fake_count("Hi").tokens


def test_a_cut_bedrock_claude_stream_keeps_the_input_its_message_start_stated() -> None:
    events = [
        ANTHROPIC_START,
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi Bob"}},
    ]
    body = _frames(*[("chunk", {"bytes": base64.b64encode(json.dumps(e).encode()).decode()}) for e in events])
    url = f"{BEDROCK_CLAUDE}/invoke-with-response-stream"
    extraction = usage.extract(post(url, body, content_type="application/vnd.amazon.eventstream"))
    assert extraction is not None
    assert extraction.estimated
    assert "ended before its final metrics" in extraction.warnings[0]
    assert (extraction.usage.input_tokens, extraction.usage.cache_read_tokens) == (550, 500)
    assert extraction.usage.output_tokens == fake_count("Hi Bob").tokens


BEDROCK_CLAUDE = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0"


def test_an_anthropic_stream_whose_deltas_count_no_output_is_estimated_not_priced_at_the_placeholder() -> None:
    # Hardening: message_delta's usage null left message_start's placeholder output_tokens (1) as
    # the call's exact output.
    body = sse(
        ("message_start", ANTHROPIC_START),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"text": "A long answer."}}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": None}),
        ("message_stop", {"type": "message_stop"}),
    )
    extraction = usage.extract(post("https://api.anthropic.com/v1/messages", body, content_type="text/event-stream"))
    assert extraction is not None
    assert extraction.estimated
    assert "its message_delta events count no output tokens" in extraction.warnings[0]
    assert extraction.usage.input_tokens == 550  # message_start's, as billed: only the output is unknown
    assert extraction.usage.output_tokens == fake_count("A long answer.").tokens


@pytest.mark.parametrize("status", [0, 100, 999])
def test_a_status_outside_http_says_so(status: int) -> None:
    extraction = usage.extract(post("https://api.openai.com/v1/chat/completions", OPENAI_CHAT, status=status))
    assert extraction is not None
    assert extraction.billed is False
    assert f"unknown HTTP status {status}" in extraction.warnings[0]
