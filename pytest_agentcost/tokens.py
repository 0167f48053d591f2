"""Token counting with tiktoken, offline-safe.

Where the encodings come from
-----------------------------
tiktoken downloads its BPE files on first use (``tiktoken.load.read_file_cached``):
it looks in ``$TIKTOKEN_CACHE_DIR`` (then ``$DATA_GYM_CACHE_DIR``, then
``<tmp>/data-gym-cache``) for a file named ``sha1(url)``, checks its sha256, and
otherwise fetches the URL with ``requests.get`` *without a timeout*; a cached
file whose hash does not match is deleted before that fetch. On a CI runner
with a black-holed network that can hang a test session.

So this module reads the same cache, with the same file names and the same
sha256 check, itself; when the file is missing it downloads it with a short
timeout (and writes it where tiktoken would, so both share the cache), and hands
the ranks to :class:`tiktoken.Encoding` (tiktoken's own BPE). tiktoken's network
code is never called.

The fallback
------------
When an encoding cannot be had, counts use the labelled approximation
``"approx-chars/4"`` (one token per four characters, rounded up, the rule of
thumb OpenAI gives for English text), ``approximate=True``, and a single
:class:`TokenEstimateWarning` is issued per process (unless turned off with
:func:`configure_warning`: the plugin says it once in its report instead).
:func:`fallback_reasons` keeps why each encoding failed for that report.

What the counters count
-----------------------
:func:`count_chat_messages` follows OpenAI's cookbook "How to count tokens with
tiktoken": 3 tokens per message, 1 per ``name``, 3 to prime the reply, and its
per-function formula for tool definitions. The Responses, embeddings and the
non-OpenAI counters reuse that scheme; for Anthropic, Gemini and Bedrock bodies
the tokenizer is not the model's own, so their counts are always approximate.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import math
import os
import sys
import tempfile
import threading
import urllib.request
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_agentcost._io import write_atomic

__all__ = [
    "APPROX_CHARS_PER_TOKEN",
    "APPROX_ENCODING",
    "DEFAULT_DOWNLOAD_TIMEOUT",
    "ENCODING_FILES",
    "TokenCount",
    "TokenEstimateWarning",
    "cache_dir",
    "configure_cache_dir",
    "configure_download",
    "configure_warning",
    "count_chat_messages",
    "count_embeddings_input",
    "count_provider_messages",
    "count_responses_input",
    "count_text",
    "encoding_name_for",
    "fallback_reason",
    "fallback_reasons",
    "model_encoding",
    "reset",
    "text_pieces",
]

#: Characters per token used when no tiktoken encoding can be loaded.
APPROX_CHARS_PER_TOKEN = 4
#: The ``encoding`` reported by counts made with the fallback.
APPROX_ENCODING = "approx-chars/4"
#: Seconds a download of an encoding file may take in all before we give up.
DEFAULT_DOWNLOAD_TIMEOUT = 10.0

#: Where tiktoken fetches each encoding and the sha256 it expects (tiktoken_ext/openai_public.py).
ENCODING_FILES: dict[str, tuple[str, str]] = {
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}

# The split patterns and special tokens are part of an encoding's definition (changing them
# would make it another encoding), copied from tiktoken_ext/openai_public.py; a unit test checks
# them against the installed tiktoken.
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_ENCODING_DEFINITIONS: dict[str, tuple[str, dict[str, int]]] = {
    "cl100k_base": (
        _CL100K_PATTERN,
        {
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
    ),
    "o200k_base": (_O200K_PATTERN, {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}),
}

# Model name prefixes, checked in order (the first match wins: "gpt-4o" before "gpt-4").
_MODEL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("gpt-4o", "o200k_base"),
    ("chatgpt-4o", "o200k_base"),
    ("gpt-4.1", "o200k_base"),
    ("gpt-4.5", "o200k_base"),
    ("gpt-5", "o200k_base"),
    ("gpt-oss", "o200k_base"),  # o200k_harmony: o200k_base plus chat-format special tokens
    ("o1", "o200k_base"),
    ("o3", "o200k_base"),
    ("o4", "o200k_base"),
    ("codex-", "o200k_base"),
    ("computer-use", "o200k_base"),
    ("omni-moderation", "o200k_base"),
    ("gpt-realtime", "o200k_base"),
    ("gpt-audio", "o200k_base"),
    ("ft:gpt-4o", "o200k_base"),
    ("ft:gpt-4.1", "o200k_base"),
    ("gpt-4", "cl100k_base"),
    ("gpt-3.5", "cl100k_base"),
    ("gpt-35", "cl100k_base"),
    ("ft:gpt-4", "cl100k_base"),
    ("ft:gpt-3.5", "cl100k_base"),
    ("text-embedding-3", "cl100k_base"),
    ("text-embedding-ada-002", "cl100k_base"),
)
#: The encoding used, approximately, for models whose tokenizer tiktoken does not have.
_APPROXIMATE_ENCODING = "o200k_base"

# OpenAI cookbook constants for counting function definitions.
_TOOL_CONSTANTS: dict[str, tuple[int, int, int, int, int, int]] = {
    # encoding: (func_init, prop_init, prop_key, enum_init, enum_item, func_end)
    "o200k_base": (7, 3, 3, -3, 3, 12),  # measured on gpt-4o / gpt-4o-mini
    "cl100k_base": (10, 3, 3, -3, 3, 12),  # measured on gpt-3.5-turbo / gpt-4
}
_TOKENS_PER_MESSAGE = 3
_TOKENS_PER_NAME = 1
_REPLY_PRIMING = 3  # every reply is primed with <|start|>assistant<|message|>
_MAX_DOWNLOAD_BYTES = 32 * 1024 * 1024


class TokenEstimateWarning(UserWarning):
    """Token estimates fall back to an approximation (issued once per process)."""


@dataclass(frozen=True)
class TokenCount:
    """A token count and how it was obtained."""

    tokens: int
    encoding: str
    """The tiktoken encoding name, or ``"approx-chars/4"`` for the fallback."""
    approximate: bool
    """True when the count is not from the model's own tokenizer."""


class _State:
    """Process-wide configuration and the encodings loaded so far."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.cache_dir: str | None = None
        self.download = True
        self.timeout = DEFAULT_DOWNLOAD_TIMEOUT
        self.encodings: dict[str, Any] = {}
        self.fallback_reasons: dict[str, str] = {}
        self.warn = True
        self.warned = False


_STATE = _State()


def configure_cache_dir(path: str | os.PathLike[str] | None) -> None:
    """Read (and store downloaded) encoding files in ``path``.

    The plugin calls this for the ``agent_cost_tiktoken_cache`` ini option. It
    takes precedence over ``TIKTOKEN_CACHE_DIR``; ``None`` goes back to tiktoken's
    own convention. Encodings that failed to load are tried again.
    """
    with _STATE.lock:
        _STATE.cache_dir = None if path is None else os.fspath(path)
        _forget_failures()


def pin_cache_dir() -> None:
    """Fix the folder encoding files are read from as the environment says it now.

    The plugin calls this once collection is done: a library that sets ``TIKTOKEN_CACHE_DIR``
    when it first counts tokens (litellm does) would otherwise make estimates depend on
    which tests ran first, and differ between a whole run, ``-k`` and xdist workers.
    """
    with _STATE.lock:
        if _STATE.cache_dir is None:
            _STATE.cache_dir = cache_dir()


def configure_download(*, enabled: bool = True, timeout: float = DEFAULT_DOWNLOAD_TIMEOUT) -> None:
    """Allow or forbid downloading missing encoding files, and bound how long one may take."""
    if not timeout > 0:
        raise ValueError(f"download timeout must be positive, got {timeout!r}")
    with _STATE.lock:
        _STATE.download = enabled
        _STATE.timeout = float(timeout)
        _forget_failures()


def reset() -> None:
    """Forget configuration, loaded encodings and the warn-once flag (for tests)."""
    with _STATE.lock:
        _STATE.cache_dir = None
        _STATE.download = True
        _STATE.timeout = DEFAULT_DOWNLOAD_TIMEOUT
        _STATE.encodings.clear()
        _STATE.fallback_reasons.clear()
        _STATE.warn = True
        _STATE.warned = False


def configure_warning(*, enabled: bool = True) -> None:
    """Issue the :class:`TokenEstimateWarning` on the first fallback (default), or not.

    The plugin turns it off: its report says it once, where a warning would be attributed to
    whichever user's test first needed an estimate.
    """
    with _STATE.lock:
        _STATE.warn = enabled


def fallback_reason() -> str | None:
    """Why the first encoding that could not be loaded failed, or ``None``."""
    with _STATE.lock:
        first = next(iter(_STATE.fallback_reasons.items()), None)
    return None if first is None else f"{first[0]}: {first[1]}"


def fallback_reasons() -> dict[str, str]:
    """Why each encoding that could not be loaded failed, by encoding name (in name order)."""
    with _STATE.lock:
        return dict(sorted(_STATE.fallback_reasons.items()))


def cache_dir() -> str:
    """The folder encoding files are read from, following tiktoken's convention.

    ``""`` means tiktoken's cache is turned off; then nothing is read or downloaded.
    """
    if _STATE.cache_dir is not None:
        return _STATE.cache_dir
    for variable in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if variable in os.environ:
            return os.environ[variable]
    return os.path.join(tempfile.gettempdir(), "data-gym-cache")


def _forget_failures() -> None:
    for name in [n for n, enc in _STATE.encodings.items() if enc is None]:
        del _STATE.encodings[name]


def model_encoding(model: str | None) -> tuple[str, bool]:
    """The encoding for ``model`` and whether it is that model's own tokenizer.

    Provider prefixes such as ``openai/`` are ignored. Models tiktoken has no
    tokenizer for (Claude, Gemini, open models) get ``o200k_base``, marked not exact.
    """
    name = (model or "").strip().lower().rsplit("/", 1)[-1]
    for prefix, encoding in _MODEL_PREFIXES:
        if name.startswith(prefix):
            return encoding, True
    if name:
        try:
            import tiktoken.model

            encoding = tiktoken.model.encoding_name_for_model(name)
        except (ImportError, KeyError):
            encoding = ""
        if encoding in ENCODING_FILES:
            return encoding, True
    return _APPROXIMATE_ENCODING, False


def encoding_name_for(model: str | None) -> str:
    """The tiktoken encoding used to count for ``model`` (see :func:`model_encoding`)."""
    return model_encoding(model)[0]


def _encoding(name: str) -> Any:
    """The loaded :class:`tiktoken.Encoding` ``name``, or ``None`` (after warning once)."""
    with _STATE.lock:
        if name in _STATE.encodings:
            return _STATE.encodings[name]
        try:
            encoding: Any = _load_encoding(name)
        except _Unavailable as exc:
            encoding = None
            _note_fallback(name, str(exc))
        _STATE.encodings[name] = encoding
        return encoding


class _Unavailable(Exception):
    """An encoding that cannot be loaded; the message says why."""


def _load_encoding(name: str) -> Any:
    if name not in ENCODING_FILES:
        raise _Unavailable(f"no file is known for encoding {name!r}")
    try:
        import tiktoken
    except ImportError as exc:  # pragma: no cover - tiktoken is a dependency
        raise _Unavailable(f"tiktoken cannot be imported ({exc})") from exc
    url, sha256 = ENCODING_FILES[name]
    data = _encoding_file(url, sha256)
    pattern, special_tokens = _ENCODING_DEFINITIONS[name]
    try:
        return tiktoken.Encoding(
            name=name,
            pat_str=pattern,
            mergeable_ranks=_parse_bpe(data),
            special_tokens=dict(special_tokens),
        )
    except (ValueError, TypeError) as exc:
        raise _Unavailable(f"tiktoken rejected the {name} file ({exc})") from exc


def _encoding_file(url: str, sha256: str) -> bytes:
    """The verified bytes of ``url``, from tiktoken's cache or downloaded (with a timeout)."""
    directory = cache_dir()
    if directory == "":
        raise _Unavailable("TIKTOKEN_CACHE_DIR is empty, which turns tiktoken's cache off")
    path = Path(directory) / hashlib.sha1(url.encode()).hexdigest()
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    if data is not None and hashlib.sha256(data).hexdigest() == sha256:
        return data
    where = f"{path} (for {url})"
    if not _STATE.download:
        state = "has the wrong checksum" if data is not None else "is missing"
        raise _Unavailable(f"{where} {state} and downloads are turned off")
    data = _download(url, _STATE.timeout)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise _Unavailable(f"the file downloaded from {url} has the wrong checksum")
    # A read-only cache costs a download per process, not a wrong count.
    with contextlib.suppress(OSError):
        write_atomic(path, data)
    return data


def _download(url: str, timeout: float) -> bytes:
    """GET ``url`` within ``timeout`` seconds in all, or raise :class:`_Unavailable`.

    The fetch runs in a daemon thread we stop waiting for at the deadline: socket
    timeouts do not bound DNS resolution, and a black-holed resolver must not hang
    the session.
    """
    outcome: list[bytes | Exception] = []

    def fetch() -> None:
        try:
            outcome.append(_fetch(url, timeout))
        except Exception as exc:  # handed to the waiting thread below
            outcome.append(exc)

    thread = threading.Thread(target=fetch, name="pytest-agentcost-tiktoken-download", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise _Unavailable(f"downloading {url} took more than {timeout:g}s")
    result = outcome[0]
    if isinstance(result, _Unavailable):
        raise result
    if isinstance(result, Exception):  # URLError, HTTPError, timeouts, refused connections
        raise _Unavailable(f"{url} could not be downloaded ({type(result).__name__}: {result})") from result
    return result


def _fetch(url: str, timeout: float) -> bytes:
    # A fresh opener reads the proxy variables now; urlopen's global one froze them at first use.
    opener = urllib.request.build_opener()
    chunks: list[bytes] = []
    size = 0
    with opener.open(url, timeout=timeout) as response:
        while chunk := response.read(1 << 16):
            chunks.append(chunk)
            size += len(chunk)
            if size > _MAX_DOWNLOAD_BYTES:
                raise _Unavailable(f"{url} is larger than {_MAX_DOWNLOAD_BYTES} bytes")
    return b"".join(chunks)


def _parse_bpe(data: bytes) -> dict[bytes, int]:
    """Parse a ``.tiktoken`` file: one ``base64(token) rank`` pair a line."""
    ranks: dict[bytes, int] = {}
    for number, line in enumerate(data.splitlines(), start=1):
        if not line:
            continue
        try:
            token, rank = line.split()
            ranks[base64.b64decode(token, validate=True)] = int(rank)
        except (ValueError, binascii.Error) as exc:
            raise _Unavailable(f"line {number} of the encoding file is not 'base64 rank'") from exc
    return ranks


def _note_fallback(name: str, reason: str) -> None:
    _STATE.fallback_reasons.setdefault(name, reason)  # in the order encodings failed
    if _STATE.warned or not _STATE.warn:
        return
    _STATE.warned = True
    message = (
        f"pytest-agentcost: tiktoken encoding {name!r} is not available: {reason}. "
        f"Token estimates use the {APPROX_ENCODING!r} approximation (1 token per "
        f"{APPROX_CHARS_PER_TOKEN} characters) and are marked approximate. Put the encoding file "
        "in TIKTOKEN_CACHE_DIR (or the folder of the agent_cost_tiktoken_cache ini option) for "
        "exact counts offline."
    )
    # Under -W error the warning is raised: an estimate must never fail a test run, and
    # fallback_reasons() still tells the plugin what happened.
    with contextlib.suppress(TokenEstimateWarning):
        warnings.warn(message, TokenEstimateWarning, stacklevel=_caller_stacklevel())


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points the warning at the first frame outside this module."""
    level = 1
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        level += 1
        frame = frame.f_back  # type: ignore[assignment]
    return level


class _Counter:
    """Counts text with one encoding, or with the fallback when it cannot be loaded."""

    def __init__(self, model: str | None, *, force_approximate: bool = False) -> None:
        name, exact = model_encoding(model)
        self.encoding_name = name
        self.encoding = _encoding(name)
        self.approximate = force_approximate or not exact or self.encoding is None
        self.total = 0

    def text(self, text: str) -> int:
        if self.encoding is None:
            return math.ceil(len(text) / APPROX_CHARS_PER_TOKEN)
        return len(self.encoding.encode(text, disallowed_special=()))

    def add(self, tokens: int) -> None:
        self.total += tokens

    def add_text(self, text: str) -> None:
        self.total += self.text(text)

    def result(self) -> TokenCount:
        name = APPROX_ENCODING if self.encoding is None else self.encoding_name
        return TokenCount(max(self.total, 0), name, self.approximate)


def count_text(text: str, model: str | None = None) -> TokenCount:
    """Count the tokens of ``text`` for ``model``."""
    counter = _Counter(model)
    counter.add_text(text)
    return counter.result()


# Keys whose values never reach the model as text (ids, media bytes, signatures, enums of kind).
_SKIPPED_KEYS = frozenset(
    {
        "type",
        "role",
        "id",
        "call_id",
        "tool_call_id",
        "tool_use_id",
        "toolUseId",
        "cache_control",
        "cachePoint",
        "signature",
        "thoughtSignature",
        "data",
        "source",
        "media_type",
        "mime_type",
        "mimeType",
        "image_url",
        "inlineData",
        "inline_data",
        "fileData",
        "file_data",
        "input_audio",
        "file",
        "image",
        "document",
        "video",
        "status",
        "detail",
        "format",
    }
)
# Keys whose structured values reach the model as JSON (tool arguments and results).
_JSON_KEYS = frozenset({"input", "args", "arguments", "response", "json", "output"})


def text_pieces(value: Any) -> Iterator[str]:
    """The pieces of text the model reads in a message or content, whatever the provider's shape.

    Ids, media bytes, signatures and kind markers are skipped; tool arguments and
    results given as objects count as their compact JSON.
    """
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from text_pieces(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key in _SKIPPED_KEYS:
                continue
            if key in _JSON_KEYS and isinstance(item, Mapping | list) and not _is_content_list(item):
                yield _compact_json(item)
            else:
                yield from text_pieces(item)


def _is_content_list(value: Any) -> bool:
    # Responses "output"/Bedrock "content" hold content blocks, not raw JSON arguments.
    return isinstance(value, list) and all(isinstance(v, Mapping) and "type" in v for v in value)


def _compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False, default=str)


def _add_tools(counter: _Counter, tools: Sequence[Any] | None) -> None:
    """Add function definitions as OpenAI's cookbook does; other tools as their JSON."""
    if not tools:
        return
    func_init, prop_init, prop_key, enum_init, enum_item, func_end = _TOOL_CONSTANTS.get(
        counter.encoding_name, _TOOL_CONSTANTS["o200k_base"]
    )
    functions = 0
    for tool in tools:
        function = _function_of(tool)
        if function is None:
            counter.add_text(_compact_json(tool))
            continue
        functions += 1
        counter.add(func_init)
        description = _str(function.get("description")).removesuffix(".")
        counter.add_text(f"{_str(function.get('name'))}:{description}")
        parameters = function.get("parameters")
        properties = parameters.get("properties") if isinstance(parameters, Mapping) else None
        if isinstance(properties, Mapping) and properties:
            counter.add(prop_init)
            for key, prop in properties.items():
                counter.add(prop_key)
                prop = prop if isinstance(prop, Mapping) else {}
                enum = prop.get("enum")
                if isinstance(enum, list):
                    counter.add(enum_init)
                    for item in enum:
                        counter.add(enum_item)
                        counter.add_text(str(item))
                p_type = prop.get("type")
                p_type_text = p_type if isinstance(p_type, str) else _compact_json(p_type or "")
                p_desc = _str(prop.get("description")).removesuffix(".")
                counter.add_text(f"{key}:{p_type_text}:{p_desc}")
    if functions:
        counter.add(func_end)


def _function_of(tool: Any) -> Mapping[str, Any] | None:
    """The function definition of a chat tool, a Responses tool or a legacy ``functions`` entry."""
    if not isinstance(tool, Mapping):
        return None
    nested = tool.get("function")
    if isinstance(nested, Mapping):
        return nested
    if tool.get("type", "function") == "function" and isinstance(tool.get("name"), str):
        return tool
    return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def count_chat_messages(messages: Sequence[Any], model: str | None, tools: Sequence[Any] | None = None) -> TokenCount:
    """Prompt tokens of a Chat Completions request, as OpenAI's cookbook counts them.

    Each message costs 3 tokens plus its values (1 more for ``name``), the reply
    is primed with 3; structured content (parts, tool calls) counts its text.
    ``tools`` (or legacy ``functions``) use the cookbook's per-function formula.
    """
    counter = _Counter(model)
    for message in messages:
        counter.add(_TOKENS_PER_MESSAGE)
        if not isinstance(message, Mapping):
            counter.add_text(_compact_json(message))
            continue
        for key, value in message.items():
            if isinstance(value, str):
                counter.add_text(value)
            elif value is not None:
                for text in text_pieces(value):
                    counter.add_text(text)
            if key == "name":
                counter.add(_TOKENS_PER_NAME)
    counter.add(_REPLY_PRIMING)
    _add_tools(counter, tools)
    return counter.result()


def count_responses_input(
    input: Any,
    model: str | None,
    *,
    instructions: str | None = None,
    tools: Sequence[Any] | None = None,
) -> TokenCount:
    """Prompt tokens of a Responses API request (``instructions``, ``input``, ``tools``).

    OpenAI documents no formula here: items count like chat messages (3 tokens
    each plus their text), ``instructions`` like a system message.
    """
    counter = _Counter(model)
    if instructions:
        counter.add(_TOKENS_PER_MESSAGE)
        counter.add_text(instructions)
    items = [input] if isinstance(input, str) else input if isinstance(input, list) else []
    for item in items:
        counter.add(_TOKENS_PER_MESSAGE)
        if isinstance(item, Mapping) and isinstance(item.get("role"), str):
            counter.add_text(item["role"])
        for text in text_pieces(item):
            counter.add_text(text)
    counter.add(_REPLY_PRIMING)
    _add_tools(counter, tools)
    return counter.result()


def count_embeddings_input(input: Any, model: str | None) -> TokenCount:
    """Tokens of an embeddings ``input``: text, a list of texts, or already-tokenised ids."""
    counter = _Counter(model)
    items = input if isinstance(input, list) else [input]
    if items and all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        counter.add(len(items))  # one array of token ids
        return counter.result()
    for item in items:
        if isinstance(item, str):
            counter.add_text(item)
        elif isinstance(item, list):
            counter.add(len(item))  # token ids, counted as they are
    return counter.result()


def count_provider_messages(
    messages: Sequence[Any],
    model: str | None,
    *,
    system: Any = None,
    tools: Sequence[Any] | None = None,
) -> TokenCount:
    """Approximate prompt tokens of an Anthropic, Gemini or Bedrock Converse request.

    tiktoken does not have these models' tokenizers: text is counted with
    ``o200k_base`` (or the fallback), 3 tokens a message as for OpenAI, tool
    definitions as their JSON; images and documents are not counted. Always
    ``approximate=True``.
    """
    counter = _Counter(model, force_approximate=True)
    for text in text_pieces(system):
        counter.add_text(text)
    for message in messages:
        counter.add(_TOKENS_PER_MESSAGE)
        for text in text_pieces(message):
            counter.add_text(text)
    for tool in tools or ():
        counter.add_text(_compact_json(tool))
    return counter.result()
