"""The lean reader gives the general path's record of a call, or leaves the call to it.

``Accountant.lean`` reads common calls straight from vcrpy's request and response; whenever it
answers, its record must be the one ``Accountant.__call__`` makes of ``from_vcr(...)``. Checked
on every interaction of the test data's cassettes and on generated calls that mix shapes,
hosts, encodings, statuses and usage objects good and bad.
"""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vcr.persisters.filesystem import FilesystemPersister
from vcr.request import Request
from vcr.serializers import yamlserializer

from pytest_agentcost import _lean
from pytest_agentcost.accounting import Accountant
from pytest_agentcost.interaction import from_vcr
from pytest_agentcost.models import CallRecord
from pytest_agentcost.pricing import Pricer
from pytest_agentcost.usage import extract

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = sorted((ROOT / "tests" / "data" / "cassettes").glob("*.yaml")) + sorted(
    (ROOT / "example_project").rglob("*.yaml")
)

ACCOUNTANT = Accountant(Pricer(), rootdir=str(ROOT))


def general(request: Request, response: dict[str, Any], path: str = "c.yaml") -> CallRecord:
    return ACCOUNTANT(from_vcr(request, response), None, path)


def check(request: Request, response: dict[str, Any], path: str = "c.yaml") -> CallRecord | None:
    """The lean record, asserted equal to the general one; None when the lean reader declines."""
    lean = ACCOUNTANT.lean(request, response, path)
    if lean is not None:
        assert lean == general(request, response, path)
    return lean


def test_every_cassette_interaction_reads_the_same_both_ways() -> None:
    read: dict[str, int] = {}
    tiered: set[str] = set()
    for cassette in CASSETTES:
        requests, responses = FilesystemPersister.load_cassette(str(cassette), yamlserializer)
        for request, response in zip(requests, responses, strict=True):
            record = check(request, response, str(cassette))
            if record is not None:
                key = f"{record.endpoint}{' stream' if record.streamed else ''}"
                read[key] = read.get(key, 0) + 1
                if record.price_context:
                    tiered.add(key)
    # Not vacuous: each shape the lean reader takes is in the data, and it took it, in a service
    # tier priced apart too.
    assert set(read) == {"openai.chat", "openai.chat stream", "anthropic.messages", "gemini.generate_content"}
    assert tiered == set(read)


def _request(url: str = "https://api.openai.com/v1/chat/completions", method: str = "POST") -> Request:
    return Request(method, url, b'{"model": "gpt-4o-mini"}', {"Content-Type": "application/json"})


def _response(body: Any, status: Any = 200, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "status": status if not isinstance(status, int) else {"code": status, "message": "OK"},
        "headers": headers if headers is not None else {"Content-Type": ["application/json"]},
        "body": {"string": body},
    }


CHAT = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "search", "arguments": "{}"}},
                    {"id": "call_2", "type": "function", "function": {"name": "fetch", "arguments": "{}"}},
                ],
            },
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {
        "prompt_tokens": 1200,
        "completion_tokens": 80,
        "total_tokens": 1280,
        "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    },
}
ANTHROPIC = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5-20250929",
    "content": [{"type": "text", "text": "ok"}, {"type": "tool_use", "id": "t1", "name": "search", "input": {}}],
    "usage": {
        "input_tokens": 900,
        "cache_creation_input_tokens": 300,
        "cache_read_input_tokens": 2000,
        "output_tokens": 120,
    },
}
GEMINI = {
    "candidates": [{"content": {"parts": [{"functionCall": {"name": "search", "args": {}}}]}, "finishReason": "STOP"}],
    "usageMetadata": {"promptTokenCount": 700, "candidatesTokenCount": 40, "totalTokenCount": 740},
    "modelVersion": "gemini-2.5-flash",
    "responseId": "r1",
}
GEMINI_URL = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"


def _stream(*chunks: dict[str, Any]) -> str:
    return "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"


CHAT_STREAM = _stream(
    {"id": "c1", "model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"content": "Hi"}}], "usage": None},
    {"id": "c1", "model": "gpt-4o-mini", "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 2}},
)


@pytest.mark.parametrize(
    ("url", "body", "endpoint", "tool_calls"),
    [
        ("https://api.openai.com/v1/chat/completions", json.dumps(CHAT), "openai.chat", 2),
        ("https://api.openai.com/v1/chat/completions", CHAT_STREAM, "openai.chat", 0),
        ("https://api.anthropic.com/v1/messages", json.dumps(ANTHROPIC), "anthropic.messages", 1),
        (GEMINI_URL, json.dumps(GEMINI), "gemini.generate_content", 1),
    ],
)
def test_the_common_shapes_are_read_lean(url: str, body: str, endpoint: str, tool_calls: int) -> None:
    for stored in (body, body.encode()):
        record = check(_request(url), _response(stored))
        assert record is not None
        assert (record.endpoint, record.tool_calls) == (endpoint, tool_calls)
        assert record.billed
        assert not record.estimated
        assert record.cost_usd is not None
        assert record.cost_usd > 0


@pytest.mark.parametrize(
    ("request_", "response"),
    [
        pytest.param(_request(), _response(json.dumps(CHAT), status=429), id="http-error"),
        pytest.param(
            _request(),
            _response(gzip.compress(json.dumps(CHAT).encode()), headers={"Content-Encoding": ["gzip"]}),
            id="gzip",
        ),
        pytest.param(_request(), _response(json.dumps({**CHAT, "usage": None})), id="no-usage"),
        pytest.param(_request(), _response(json.dumps({**CHAT, "usage": {"prompt_tokens": -1}})), id="bad-usage"),
        pytest.param(_request(), _response(json.dumps({**CHAT, "error": {"message": "x"}})), id="error-object"),
        pytest.param(_request(), _response(json.dumps({**CHAT, "id": "gen-123", "provider": "X"})), id="openrouter"),
        pytest.param(_request(), _response(json.dumps({k: v for k, v in CHAT.items() if k != "model"})), id="no-model"),
        pytest.param(
            _request("http://localhost:4000/v1/chat/completions"), _response(json.dumps(CHAT)), id="proxy-host"
        ),
        pytest.param(_request("https://api.openai.com/v1/responses"), _response(json.dumps(CHAT)), id="other-endpoint"),
        pytest.param(_request(method="GET"), _response(json.dumps(CHAT)), id="get"),
        pytest.param(_request(), _response(" " + json.dumps(CHAT)), id="leading-blank"),
        pytest.param(
            _request(),
            _response(json.dumps(CHAT), headers={"Content-Type": ["text/event-stream"]}),
            id="json-labelled-stream",
        ),
        pytest.param(
            _request(), _response(CHAT_STREAM.replace("[DONE]", "").rsplit("data:", 2)[0]), id="stream-without-usage"
        ),
        pytest.param(
            _request(),
            _response(CHAT_STREAM.replace("data: [DONE]", 'data: {"error": {"message": "x"}}')),
            id="stream-error-chunk",
        ),
        pytest.param(
            _request(GEMINI_URL.replace(":generateContent", ":streamGenerateContent")),
            _response(json.dumps(GEMINI)),
            id="gemini-stream-path",
        ),
        pytest.param(
            _request("https://api.anthropic.com/v1/messages"),
            _response(json.dumps({"type": "error", "error": "overloaded"})),
            id="anthropic-error",
        ),
        pytest.param(
            _request("https://api.perplexity.ai/chat/completions"),
            _response(json.dumps({**CHAT, "model": "sonar", "usage": {**CHAT["usage"], "cost": {"total_cost": 0.01}}})),
            id="stated-cost",
        ),
        pytest.param(
            _request("https://api.x.ai/v1/chat/completions"),
            _response(json.dumps({**CHAT, "usage": {**CHAT["usage"], "num_server_side_tools_used": 2}})),
            id="xai-server-side-tools",
        ),
    ],
)
def test_what_the_lean_reader_leaves_to_the_general_path(request_: Request, response: dict[str, Any]) -> None:
    assert ACCOUNTANT.lean(request_, response, "c.yaml") is None
    general(request_, response)  # and the general path reads it without raising


def test_hooks_and_host_mapping_always_take_the_general_path() -> None:
    request, response = _request(), _response(json.dumps(CHAT))
    assert ACCOUNTANT.lean(request, response, None) is not None
    for accountant in (
        Accountant(Pricer(), {"api.openai.com": "openai"}),
        Accountant(Pricer(), extract_hook=lambda interaction: None),
        Accountant(Pricer(), price_hook=lambda record: None),
    ):
        assert accountant.lean(request, response, None) is None


def test_a_failure_inside_the_lean_reader_defers_instead_of_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(_lean, "_url_facts", broken)
    assert ACCOUNTANT.lean(_request(), _response(json.dumps(CHAT)), None) is None


# --------------------------------------------------------------------------- generated calls


def _sometimes(strategy: st.SearchStrategy[Any], default: Any, one_in: int = 8) -> st.SearchStrategy[Any]:
    """``default`` mostly (and when shrinking), ``strategy`` one time in ``one_in``."""
    return st.sampled_from([False] * (one_in - 1) + [True]).flatmap(lambda use: strategy if use else st.just(default))


#: Mostly plain counts, as providers send; sometimes what a broken recording holds.
COUNT = st.one_of(
    st.integers(0, 2_000_000),
    _sometimes(
        st.one_of(
            st.integers(-3, -1),
            st.floats(allow_nan=True, allow_infinity=True),
            st.booleans(),
            st.none(),
            st.sampled_from(["12", ""]),
        ),
        0,
        one_in=4,
    ),
)
NAME = st.one_of(
    st.sampled_from(["gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "no-such-model", "gen-x"]),
    # Models with service tiers genai-prices prices apart (flex, priority, fast mode).
    st.sampled_from(["o4-mini", "claude-opus-4-8", "gemini-3.8-flash-tts"]),
    _sometimes(st.sampled_from([None, "", 3]), "gpt-4o-mini", one_in=3),
)
#: A reported service tier: the ones genai-prices prices apart, the standard ones, others, junk.
TIER = st.one_of(
    st.sampled_from(["flex", "priority", "fast", "default", "standard", "on_demand", "batch", "scale"]),
    _sometimes(st.sampled_from([None, "", 3, ["flex"]]), "flex", one_in=2),
)
ERROR = st.one_of(st.fixed_dictionaries({"message": st.just("overloaded"), "type": st.just("x")}), st.just("oops"))


def _rarely(**noise: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Each key of ``noise`` present one time in eight."""
    return st.fixed_dictionaries({key: _sometimes(strategy, _ABSENT) for key, strategy in noise.items()}).map(
        lambda extra: {key: value for key, value in extra.items() if value is not _ABSENT}
    )


_ABSENT = object()


def _usage(keys: list[str], nested: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """The first two keys (input and output) always there, the others sometimes."""
    flat = st.fixed_dictionaries({key: COUNT for key in keys[:2]}, optional={key: COUNT for key in keys[2:]})
    details = {
        key: st.one_of(st.fixed_dictionaries({}, optional={inner: COUNT for inner in inner_keys}), st.none())
        for key, inner_keys in nested.items()
    }
    with_details = st.tuples(flat, st.fixed_dictionaries({}, optional=details)).map(lambda pair: {**pair[0], **pair[1]})
    return st.one_of(with_details, st.sampled_from([None, "usage", [], {}]))


def _with_tier(objects: st.SearchStrategy[Any], tiers: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """``objects``, each (when it is a dict) mostly with the tier keys of ``tiers``."""
    keys = st.fixed_dictionaries({key: st.one_of(value, value, st.just(_ABSENT)) for key, value in tiers.items()})
    return st.tuples(objects, keys).map(
        lambda pair: (
            {**pair[0], **{k: v for k, v in pair[1].items() if v is not _ABSENT}}
            if isinstance(pair[0], dict)
            else pair[0]
        )
    )


def _doc(required: dict[str, Any], optional: dict[str, Any], noise: dict[str, Any]) -> st.SearchStrategy[Any]:
    return st.tuples(st.fixed_dictionaries(required, optional=optional), _rarely(**noise)).map(
        lambda pair: {**pair[0], **pair[1]}
    )


CHAT_DOC = _doc(
    {
        "model": NAME,
        "usage": _usage(
            ["prompt_tokens", "completion_tokens", "total_tokens"],
            {
                "prompt_tokens_details": ["cached_tokens", "audio_tokens"],
                "completion_tokens_details": ["reasoning_tokens"],
            },
        ),
    },
    {
        "id": NAME,
        "choices": st.one_of(
            st.lists(
                st.one_of(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "message": st.one_of(
                                st.fixed_dictionaries(
                                    {},
                                    optional={
                                        "content": NAME,
                                        "tool_calls": st.one_of(
                                            st.lists(st.just({"id": "c", "function": {"name": "f"}}), max_size=3),
                                            st.just(3),
                                            st.none(),
                                        ),
                                    },
                                ),
                                st.none(),
                            )
                        },
                    ),
                    st.just("choice"),
                ),
                max_size=2,
            ),
            st.none(),
        ),
    },
    {"error": ERROR, "provider": st.just("OpenAI"), "x_groq": st.just({"id": "req"}), "is_byok": st.just(False)},
)
CHAT_DOC = _with_tier(CHAT_DOC, {"service_tier": TIER})
ANTHROPIC_DOC = _doc(
    {
        "model": NAME,
        "type": st.just("message"),
        "usage": _with_tier(
            _usage(
                ["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"],
                {"server_tool_use": ["web_search_requests"], "cache_creation": ["ephemeral_1h_input_tokens"]},
            ),
            {"service_tier": TIER, "speed": st.sampled_from(["fast", "standard"]) | TIER},
        ),
    },
    {
        "id": NAME,
        "content": st.one_of(
            st.lists(
                st.sampled_from([{"type": "tool_use", "input": {}}, {"type": "text", "text": "a"}, "block"]),
                max_size=3,
            ),
            st.none(),
        ),
    },
    {"error": ERROR, "type": st.just("error")},
)
GEMINI_DOC = _doc(
    {
        "modelVersion": NAME,
        "usageMetadata": _with_tier(
            _usage(["promptTokenCount", "candidatesTokenCount", "totalTokenCount", "cachedContentTokenCount"], {}),
            {"serviceTier": TIER},
        ),
    },
    {
        "responseId": NAME,
        "candidates": st.one_of(
            st.lists(
                st.one_of(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "content": st.fixed_dictionaries(
                                {},
                                optional={
                                    "parts": st.lists(
                                        st.sampled_from(
                                            [{"functionCall": {"name": "f"}}, {"text": "a"}, {"functionCall": "f"}]
                                        ),
                                        max_size=3,
                                    )
                                },
                            ),
                            "finishReason": st.just("STOP"),
                        },
                    ),
                    st.none(),
                ),
                max_size=2,
            ),
            st.none(),
        ),
    },
    {"error": ERROR},
)


@st.composite
def chat_streams(draw: st.DrawFn) -> str:
    chunks = draw(st.lists(CHAT_DOC.map(lambda doc: {**doc, "object": "chat.completion.chunk"}), max_size=4))
    text = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks)
    text += draw(_sometimes(st.just(""), "data: [DONE]\n\n", one_in=4))
    text = draw(_sometimes(st.just("event: error\n"), "")) + text
    return text


OPENAI_URLS = [
    "https://api.openai.com/v1/chat/completions",
    "https://res.openai.azure.com/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-06-01",
    "https://api.groq.com/openai/v1/chat/completions",
    "https://openrouter.ai/api/v1/chat/completions",
]
ANTHROPIC_URLS = [
    "https://api.anthropic.com/v1/messages",
    "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models/"
    "claude-sonnet-4-5:rawPredict",
]
GEMINI_URLS = [GEMINI_URL, GEMINI_URL.replace(":generateContent", ":streamGenerateContent") + "?alt=sse"]
OTHER_URLS = [
    "http://localhost:4000/v1/chat/completions",
    "https://api.openai.com/v1/responses",
    "https://search.example.com/v1/chat/completions",
]
#: (body, the URLs such a body comes from)
SHAPES = [
    (CHAT_DOC.map(json.dumps), OPENAI_URLS),
    (chat_streams(), OPENAI_URLS),
    (ANTHROPIC_DOC.map(json.dumps), ANTHROPIC_URLS),
    (GEMINI_DOC.map(json.dumps), GEMINI_URLS),
    (st.sampled_from(["", "<html>busy</html>", "[1, 2]", "{", "data: [DONE]\n\n", "{}"]), OTHER_URLS),
]
ALL_URLS = OPENAI_URLS + ANTHROPIC_URLS + GEMINI_URLS + OTHER_URLS


@st.composite
def exchanges(draw: st.DrawFn) -> tuple[Request, dict[str, Any]]:
    body_strategy, urls = draw(st.sampled_from(SHAPES))
    text = draw(body_strategy)
    url = draw(st.sampled_from([*urls, draw(st.sampled_from(ALL_URLS))]))
    text = draw(_sometimes(st.sampled_from([" ", "\ufeff", "\n"]), "")) + text
    headers: dict[str, Any] = {}
    content_type = draw(st.sampled_from(["application/json", None, "text/event-stream"]))
    if content_type is not None:
        headers[draw(st.sampled_from(["Content-Type", "content-type"]))] = [content_type]
    body: Any = text.encode() if draw(st.booleans()) else text
    encoding = draw(_sometimes(st.sampled_from(["gzip", "gzip-plain", "identity"]), None))
    if encoding == "gzip":
        headers["Content-Encoding"] = ["gzip"]
        body = gzip.compress(text.encode())
    elif encoding is not None:
        headers["content-encoding"] = ["gzip" if encoding == "gzip-plain" else encoding]
    status = draw(_sometimes(st.sampled_from([201, 299, 300, 429, 500, "200", {"code": True}]), 200, one_in=4))
    response = {
        "status": status if isinstance(status, dict | str) else {"code": status, "message": "m"},
        "headers": headers,
        "body": {"string": body},
    }
    method = draw(_sometimes(st.sampled_from(["post", "GET"]), "POST"))
    return Request(method, url, b"{}", {}), response


def test_generated_calls_read_the_same_both_ways() -> None:
    taken: dict[tuple[str | None, bool], int] = {}
    tiered: dict[tuple[str | None, bool], int] = {}
    repriced = 0

    @settings(
        max_examples=800, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(exchange=exchanges())
    def one(exchange: tuple[Request, dict[str, Any]]) -> None:
        nonlocal repriced
        record = check(*exchange)
        if record is not None:
            key = (record.endpoint, record.streamed)
            taken[key] = taken.get(key, 0) + 1
            if record.price_context:
                tiered[key] = tiered.get(key, 0) + 1
                extraction = extract(from_vcr(*exchange))
                assert extraction is not None
                standard = ACCOUNTANT.pricer.price(extraction.provider, extraction.model, extraction.usage)
                repriced += standard != record.cost_usd

    one()
    # Not vacuous for tiers either: the lean reader answered calls served in a non-standard tier,
    # of most shapes (a run may take few streams), and some were priced apart from the standard tier.
    assert len(tiered) >= 3, tiered
    assert sum(tiered.values()) >= 20, tiered
    assert repriced >= 1, repriced
    # Not vacuous: the lean reader answered, and was compared, for each shape it takes.
    assert set(taken) == {
        ("openai.chat", False),
        ("openai.chat", True),
        ("anthropic.messages", False),
        ("gemini.generate_content", False),
    }, taken
    # (OpenAI's models on Groq's URL are priced at OpenAI's rate, which the general path says: fewer
    # calls the lean reader takes than it is shown.)
    assert sum(taken.values()) >= 40, taken


def test_a_claude_answer_with_hosted_tool_uses_goes_the_general_way() -> None:
    # genai-prices reads Claude's web searches on Anthropic's host only; the general path keeps
    # them on Vertex too (and leaves the call unpriced there, as no price counts them).
    body = {
        "id": "msg_1",
        "type": "message",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": "Sunny."}],
        "usage": {"input_tokens": 1000, "output_tokens": 10, "server_tool_use": {"web_search_requests": 1}},
    }
    response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": json.dumps(body)}}
    vertex = (
        "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5"
        "/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict"
    )
    for url, cost in ((vertex, None), ("https://api.anthropic.com/v1/messages", "0.01315")):
        request = Request("POST", url, b"{}", {})
        assert _lean.read(request, response) is None
        record = ACCOUNTANT(from_vcr(request, response), None, "c.yaml")
        assert record.usage.units == (("web_searches", 1),)
        assert (None if record.cost_usd is None else str(record.cost_usd)) == cost


def test_a_claude_answer_listing_its_iterations_goes_the_general_way() -> None:
    # A compaction step's tokens are in usage.iterations only: the lean reader reads the top level.
    usage = {
        "input_tokens": 180,
        "output_tokens": 8,
        "iterations": [
            {"type": "compaction", "input_tokens": 100, "output_tokens": 82},
            {"type": "message", "input_tokens": 180, "output_tokens": 8},
        ],
    }
    body = {"id": "msg_1", "type": "message", "model": "claude-sonnet-4-6", "content": [], "usage": usage}
    response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": json.dumps(body)}}
    request = Request("POST", "https://api.anthropic.com/v1/messages", b"{}", {})
    assert _lean.read(request, response) is None
    record = general(request, response)
    assert (record.usage.input_tokens, record.usage.output_tokens) == (280, 90)
    assert record.cost_usd == Decimal("0.00219")  # 280 x 3 + 90 x 15 = 2,190 per million
    # Without iterations the same answer is read lean.
    del usage["iterations"]
    response["body"]["string"] = json.dumps(body)
    assert _lean.read(request, response) is not None


def test_a_providers_host_on_a_port_of_its_own_keeps_it_both_ways() -> None:
    # An LLM call's host keeps the port its URL names, as a tool call's does, whichever path reads it.
    from tests.conftest import chat_response

    response = {"status": {"code": 200}, "headers": {}, "body": {"string": chat_response("gpt-4o-mini", 5, 2).encode()}}
    for url, host in (
        ("https://api.openai.com:8443/v1/chat/completions", "api.openai.com:8443"),
        ("https://api.openai.com:443/v1/chat/completions", "api.openai.com"),
    ):
        record = check(Request("POST", url, b'{"model": "gpt-4o-mini"}', {}), response)
        assert record is not None
        assert record.host == host


def test_a_grounded_gemini_answer_goes_the_general_way() -> None:
    # The general path names the searches Google bills beside the tokens.
    body = {
        "candidates": [
            {
                "content": {"parts": [{"text": "Spain."}], "role": "model"},
                "finishReason": "STOP",
                "groundingMetadata": {"webSearchQueries": ["who won euro 2024"]},
            }
        ],
        "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 3, "totalTokenCount": 15},
        "modelVersion": "gemini-2.5-flash",
    }
    response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": json.dumps(body)}}
    url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"
    request = Request("POST", url, b"{}", {})
    assert _lean.read(request, response) is None
    assert any("grounded with Google Search (1 search query)" in w for w in general(request, response).warnings)
    del body["candidates"][0]["groundingMetadata"]
    response["body"]["string"] = json.dumps(body)
    assert _lean.read(request, response) is not None


@pytest.mark.parametrize("streamed", [False, True], ids=["answer", "stream"])
def test_a_groq_compound_answer_without_x_groq_is_left_to_the_general_path(streamed: bool) -> None:
    # Review 44 and 45: a scrubbed recording (no x_groq) of a compound system that ran a tool was
    # read by the lean reader at a price file's one rate; the general path leaves it unpriced.
    tool = {"index": 0, "type": "search", "arguments": '{"query": "weather"}', "output": "Sunny."}
    usage = {"prompt_tokens": 138, "completion_tokens": 4, "total_tokens": 142}
    head = {"id": "c", "model": "llama-3.3-70b-versatile", "created": 1}
    if streamed:
        chunks = [
            {**head, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"executed_tools": [tool]}}]},
            {**head, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "Sunny."}}]},
            {**head, "object": "chat.completion.chunk", "choices": [], "usage": usage},
        ]
        text = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    else:
        message = {"role": "assistant", "content": "Sunny.", "executed_tools": [tool]}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        text = json.dumps({**head, "object": "chat.completion", "choices": [choice], "usage": usage})
    response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": text}}
    request = Request("POST", "https://api.groq.com/openai/v1/chat/completions", b"{}", {})
    assert _lean.read(request, response) is None
    record = general(request, response)
    assert record.cost_usd is None
    assert any("Groq's compound system ran 1 built-in tool" in w for w in record.warnings)


def test_an_openai_answer_with_audio_tokens_its_price_has_no_rate_for_goes_the_general_way() -> None:
    usage = {
        "prompt_tokens": 21,
        "completion_tokens": 1,
        "total_tokens": 22,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 2},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }
    answer = {"id": "c", "object": "chat.completion", "model": "gpt-4o-audio-preview-2025-06-03", "usage": usage}
    response = _response(json.dumps(answer))
    assert _lean.read(_request(), response) is not None  # read, then declined: priced as text otherwise
    assert check(_request(), response) is None
    assert general(_request(), response).cost_usd is None
    # gpt-audio has audio rates: read lean, and the same both ways.
    answer["model"] = "gpt-audio-2025-08-28"
    assert check(_request(), _response(json.dumps(answer))) is not None
