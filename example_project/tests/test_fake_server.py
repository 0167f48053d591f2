"""The fake server itself: usage from the actual request, simulated prompt caching, streaming.

The server runs in-process on an ephemeral port with the deterministic
approximate tokenizer, so the token counts below are exact and stable.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import anthropic
import httpx2
import openai
import pytest

from fake_llm.recording import real_url
from fake_llm.server import FakeServer, serve
from fake_llm.tokenizer import ApproxTokenizer, load_tokenizer

if TYPE_CHECKING:
    from collections.abc import Iterator

LONG_PREFIX = "Follow the house style for research answers. " * 200  # about 1800 tokens
AUTH = {"Authorization": "Bearer sk-test"}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with serve(tokenizer="approx") as running:
        yield running


@pytest.fixture
def fake(server: FakeServer) -> FakeServer:
    server.reset_cache()
    return server


def chat(fake: FakeServer, messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    body = {"model": "gpt-4.1", "messages": messages, **extra}
    response = httpx2.post(f"{fake.url}/v1/chat/completions", json=body, headers=AUTH, timeout=10)
    response.raise_for_status()
    parsed: dict[str, Any] = response.json()
    return parsed


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def test_approx_tokenizer_is_deterministic() -> None:
    assert ApproxTokenizer().encode("Hello world, 2008!") == ["Hello", " world", ",", " 200", "8", "!"]
    assert load_tokenizer("approx").name == "approx-v1"


@pytest.mark.parametrize(
    ("words", "prompt_tokens"),
    [(1, 7), (10, 16), (100, 106), (1000, 1006)],
)
def test_prompt_tokens_grow_with_the_prompt(fake: FakeServer, words: int, prompt_tokens: int) -> None:
    usage = chat(fake, user(" ".join(["word"] * words)))["usage"]

    assert usage["prompt_tokens"] == prompt_tokens
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens_details"]["cached_tokens"] == 0


def test_tool_definitions_and_history_count_as_input(fake: FakeServer) -> None:
    tools = [{"type": "function", "function": {"name": "web_search", "parameters": {"type": "object"}}}]
    plain = chat(fake, user("When was Python 3.0 released?"))["usage"]["prompt_tokens"]
    with_tools = chat(fake, user("When was Python 3.0 released?"), tools=tools)["usage"]["prompt_tokens"]

    assert (plain, with_tools) == (15, 45)


def test_a_repeated_long_prefix_is_reported_as_cached(fake: FakeServer) -> None:
    system = {"role": "system", "content": LONG_PREFIX}
    first = chat(fake, [system, *user("When was Python 3.0 released?")])["usage"]
    second = chat(fake, [system, *user("Which reached 1.0 first, Rust or Go?")])["usage"]

    assert first["prompt_tokens_details"]["cached_tokens"] == 0
    assert (second["prompt_tokens"], second["prompt_tokens_details"]["cached_tokens"]) == (1821, 1792)
    assert second["prompt_tokens_details"]["cached_tokens"] % 128 == 0


def test_short_prompts_and_other_models_get_no_cache_hit(fake: FakeServer) -> None:
    short = [{"role": "system", "content": "Be brief."}, *user("When was Python 3.0 released?")]
    long = [{"role": "system", "content": LONG_PREFIX}, *user("When was Python 3.0 released?")]
    chat(fake, short)
    chat(fake, long)

    assert chat(fake, short)["usage"]["prompt_tokens_details"]["cached_tokens"] == 0  # under 1024 tokens
    assert chat(fake, long, model="gpt-4.1-mini")["usage"]["prompt_tokens_details"]["cached_tokens"] == 0
    fake.reset_cache()
    assert chat(fake, long)["usage"]["prompt_tokens_details"]["cached_tokens"] == 0  # cold again


def test_tools_offered_and_no_result_yet_gives_a_tool_call(fake: FakeServer) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "web_search",
                "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
            },
        }
    ]
    first = chat(fake, user("When was Python 3.0 released?"), tools=tools)["choices"][0]
    call = first["message"]["tool_calls"][0]
    history = [
        *user("When was Python 3.0 released?"),
        {"role": "assistant", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": "Python 3.0 final: December 3, 2008."},
    ]
    second = chat(fake, history, tools=tools)["choices"][0]

    assert first["finish_reason"] == "tool_calls"
    assert json.loads(call["function"]["arguments"]) == {"query": "Python 3.0 release date"}
    assert second["finish_reason"] == "stop"
    assert "3 December 2008" in second["message"]["content"]


def _sse_events(body: str) -> list[Any]:
    return [
        "[DONE]" if line == "data: [DONE]" else json.loads(line[len("data: ") :])
        for line in body.splitlines()
        if line.startswith("data: ")
    ]


@pytest.mark.parametrize("include_usage", [True, False])
def test_streaming_ends_with_the_usage_chunk_when_asked(fake: FakeServer, include_usage: bool) -> None:
    body = {
        "model": "gpt-4.1-mini",
        "messages": user("Convert 100 degrees Fahrenheit to Celsius."),
        "stream": True,
        "stream_options": {"include_usage": include_usage},
    }
    response = httpx2.post(f"{fake.url}/v1/chat/completions", json=body, headers=AUTH, timeout=10)
    events = _sse_events(response.text)

    assert response.headers["content-type"].startswith("text/event-stream")
    assert events[-1] == "[DONE]"
    text = "".join(e["choices"][0]["delta"].get("content", "") for e in events[:-1] if e["choices"])
    assert text == "100 °F is 37.8 °C: (100 − 32) × 5/9 = 37.78."
    if include_usage:
        assert events[-2]["choices"] == []
        assert events[-2]["usage"]["prompt_tokens"] == 14
        assert events[-2]["usage"]["completion_tokens"] == 24
        assert all(e["usage"] is None for e in events[:-2])
    else:
        assert all("usage" not in e for e in events[:-1])


def test_the_openai_sdk_reads_the_streamed_usage(fake: FakeServer) -> None:
    client = openai.OpenAI(base_url=f"{fake.url}/v1", api_key="sk-test", max_retries=0)
    stream = client.chat.completions.create(
        model="gpt-4.1",
        messages=[{"role": "user", "content": "When was Python 3.0 released?"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    usages = [chunk.usage for chunk in stream if chunk.usage is not None]

    assert [(u.prompt_tokens, u.completion_tokens) for u in usages] == [(15, 52)]


def test_anthropic_cache_control_writes_then_reads_the_prefix(fake: FakeServer) -> None:
    client = anthropic.Anthropic(base_url=fake.url, api_key="sk-ant-test", max_retries=0)
    system: Any = [{"type": "text", "text": LONG_PREFIX, "cache_control": {"type": "ephemeral"}}]
    usages = [
        client.messages.create(
            model="claude-sonnet-4-6",
            max_tokens=100,
            system=system,
            messages=[{"role": "user", "content": q}],
        ).usage
        for q in ("What is the capital of Australia?", "When was Python 3.0 released?")
    ]
    uncached = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=100,
        system=LONG_PREFIX,
        messages=[{"role": "user", "content": "What is the capital of Australia?"}],
    ).usage

    rows = [(u.input_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens) for u in usages]
    assert rows == [(10, 1802, 0), (11, 0, 1802)]
    assert (
        uncached.input_tokens,
        uncached.cache_creation_input_tokens,
        uncached.cache_read_input_tokens,
    ) == (
        1812,
        0,
        0,
    )


@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        ("POST", "/v1/chat/completions", {}, 401),
        ("POST", "/v1/messages", {}, 401),
        ("POST", "/search", {}, 401),
        ("POST", "/search", AUTH, 200),
        ("GET", "/web/docs.python.org/3/whatsnew/3.0.html", {}, 200),
        ("GET", "/web/example.com/missing", {}, 404),
        ("POST", "/v2/unknown", AUTH, 404),
    ],
)
def test_routes(fake: FakeServer, method: str, path: str, headers: dict[str, str], status: int) -> None:
    response = httpx2.request(
        method, f"{fake.url}{path}", headers=headers, json={"query": "rust"}, timeout=10
    )

    assert response.status_code == status


def test_search_returns_tavily_shaped_results(fake: FakeServer) -> None:
    body = {"query": "Python 3.0 release date", "max_results": 2}
    data = httpx2.post(f"{fake.url}/search", json=body, headers=AUTH, timeout=10).json()

    assert [r["url"] for r in data["results"]] == [
        "https://docs.python.org/3/whatsnew/3.0.html",
        "https://en.wikipedia.org/wiki/History_of_Python",
    ]
    assert set(data["results"][0]) == {"url", "title", "content", "score", "raw_content"}


@pytest.mark.parametrize(
    ("local", "real"),
    [
        ("http://127.0.0.1:8765/v1/chat/completions", "https://api.openai.com/v1/chat/completions"),
        ("http://127.0.0.1:8765/v1/responses", "https://api.openai.com/v1/responses"),
        ("http://127.0.0.1:8765/v1/messages", "https://api.anthropic.com/v1/messages"),
        ("http://127.0.0.1:8765/search", "https://api.tavily.com/search"),
        ("http://127.0.0.1:8765/web/go.dev/blog/go1?x=1", "https://go.dev/blog/go1?x=1"),
        ("https://api.openai.com/v1/chat/completions", "https://api.openai.com/v1/chat/completions"),
    ],
)
def test_recorded_uris_name_the_real_hosts(local: str, real: str) -> None:
    assert real_url(local, "http://127.0.0.1:8765") == real


@pytest.mark.parametrize(
    ("instructions", "expected_completion_tokens"),
    [
        ("Summarise the page in two sentences.", 26),
        ("Summarise the page in two sentences. Quote the exact sentences that support each fact.", 102),
    ],
)
def test_a_page_summary_grows_when_asked_for_quotes(
    fake: FakeServer, instructions: str, expected_completion_tokens: int
) -> None:
    page = httpx2.get(f"{fake.url}/web/go.dev/blog/go1", timeout=10).text
    reply = chat(fake, [{"role": "system", "content": instructions}, *user(page)])

    assert reply["choices"][0]["message"]["content"].startswith("Go 1, the first stable version of Go")
    assert reply["usage"]["completion_tokens"] == expected_completion_tokens
