"""Request drift: the code now sends something else than the cassette recorded.

vcrpy matches requests on method and URL, not on the body, so a pull request
that lengthens a prompt, adds a tool or swaps the model still replays the old
cassette, and the usage it reports is the old one. :func:`detect_drift`
compares the recorded request body with the one the code sent now, names what
changed in plain words and estimates the prompt-token difference with tiktoken
(:mod:`pytest_agentcost.tokens`); :func:`estimate_usage` applies it to the
usage the cassette reports.

The estimate counts only what the request says: the prompt delta and a lowered
output cap. It cannot know how the model's answer would change.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from pytest_agentcost.errors import BaselineError
from pytest_agentcost.tokens import (
    TokenCount,
    count_chat_messages,
    count_embeddings_input,
    count_provider_messages,
    count_responses_input,
    text_pieces,
)

if TYPE_CHECKING:
    from pytest_agentcost.interaction import Interaction
    from pytest_agentcost.models import TokenUsage

__all__ = [
    "DEFAULT_IGNORED_FIELDS",
    "ENDPOINTS",
    "Drift",
    "detect_drift",
    "detect_endpoint",
    "estimate_usage",
]

#: Body fields left out of the comparison: they carry per-run identifiers or bookkeeping and
#: change neither the prompt nor what is billed. Dotted paths name nested keys.
DEFAULT_IGNORED_FIELDS: tuple[str, ...] = (
    "user",  # OpenAI end-user id, often a per-run or per-session uuid
    "safety_identifier",  # OpenAI's successor of "user"
    "metadata",  # OpenAI / Anthropic (metadata.user_id) tags, typically trace or request ids
    "store",  # OpenAI: keep the completion for evals; not billed
    "prompt_cache_key",  # OpenAI cache-routing hint, usually a session id
    "stream_options.include_obfuscation",  # OpenAI stream padding against side channels
    "labels",  # Vertex AI billing labels
    "requestMetadata",  # Bedrock Converse tags for invocation logs
    # Gemini answers a function call without an id; clients make one up (pydantic-ai: a uuid per
    # run) and send it back with the call and its result.
    "contents.parts.functionCall.id",
    "contents.parts.functionResponse.id",
)
# Not ignored on purpose: "seed", "temperature", "stream" change no token count, but they are
# deliberate, reviewed edits that make the recorded answer stale, so the report names them
# (with a zero token delta). "service_tier" changes the price; "n" and "stream_options" the usage.

#: The request kinds :func:`detect_drift` knows; anything else is compared as ``"generic"``.
ENDPOINTS: tuple[str, ...] = (
    "openai.chat",
    "openai.responses",
    "openai.embeddings",
    "anthropic.messages",
    "gemini.generate",
    "bedrock.converse",
    "generic",
)

_MAX_MESSAGE_CHANGES = 3
_MAX_VALUE_CHARS = 40


@dataclass(frozen=True)
class Drift:
    """How the request sent now differs from the recorded one, and the token estimate."""

    changes: tuple[str, ...]
    """What changed, in plain words, e.g. ``"system prompt +612 characters"``."""
    model_changed: tuple[str, str] | None
    """``(recorded, current)`` model names when the model changed."""
    recorded_input_tokens: int
    current_input_tokens: int
    input_token_delta: int
    max_output_tokens: int | None
    """The current request's output cap, when it sets one."""
    approximate: bool
    """True when the tokenizer is not the model's own, or the fallback was used."""
    encoding: str

    def to_dict(self) -> dict[str, object]:
        """Plain builtins for JSON."""
        return {
            "approximate": self.approximate,
            "changes": list(self.changes),
            "current_input_tokens": self.current_input_tokens,
            "encoding": self.encoding,
            "input_token_delta": self.input_token_delta,
            "max_output_tokens": self.max_output_tokens,
            "model_changed": list(self.model_changed) if self.model_changed else None,
            "recorded_input_tokens": self.recorded_input_tokens,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Drift:
        """Rebuild a :class:`Drift` from :meth:`to_dict` output; :class:`BaselineError` if malformed."""
        try:
            changes = data["changes"]
            model_changed = data.get("model_changed")
            max_output = data.get("max_output_tokens")
            if not isinstance(changes, list) or not all(isinstance(c, str) for c in changes):
                raise TypeError("changes must be a list of strings")
            if model_changed is not None and not (
                isinstance(model_changed, list)
                and len(model_changed) == 2
                and all(isinstance(m, str) for m in model_changed)
            ):
                raise TypeError("model_changed must be null or two strings")
            if max_output is not None and not _is_int(max_output):
                raise TypeError("max_output_tokens must be null or an integer")
            approximate = data["approximate"]
            encoding = data["encoding"]
            if not isinstance(approximate, bool) or not isinstance(encoding, str):
                raise TypeError("approximate must be a boolean and encoding a string")
            return cls(
                changes=tuple(changes),
                model_changed=(model_changed[0], model_changed[1]) if model_changed else None,
                recorded_input_tokens=_int_field(data, "recorded_input_tokens"),
                current_input_tokens=_int_field(data, "current_input_tokens"),
                input_token_delta=_int_field(data, "input_token_delta"),
                max_output_tokens=max_output,  # type: ignore[arg-type]  # checked above
                approximate=approximate,
                encoding=encoding,
            )
        except (KeyError, TypeError) as exc:
            raise BaselineError(f"malformed drift entry: {exc}") from exc


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_field(data: Mapping[str, object], key: str) -> int:
    value = data[key]
    if not _is_int(value):
        raise TypeError(f"{key} must be an integer")
    return value  # type: ignore[return-value]  # checked by _is_int


def estimate_usage(recorded: TokenUsage, input_token_delta: int, max_output_tokens: int | None = None) -> TokenUsage:
    """The usage the current request would likely have, from the recorded one and its drift.

    The prompt-token delta is added to ``input_tokens`` (never below 0). What the call read
    from and wrote to the cache, and its other units (audio, hosted tools), stay as recorded,
    within the new input. Output stays as recorded unless the current output cap is below it;
    then output (and reasoning, part of it) is capped.
    """
    output = recorded.output_tokens
    if max_output_tokens is not None and max_output_tokens < output:
        output = max(max_output_tokens, 0)
    new_input = max(recorded.input_tokens + input_token_delta, 0)
    cache_read = min(recorded.cache_read_tokens, new_input)
    return replace(
        recorded,
        input_tokens=new_input,
        output_tokens=output,
        cache_read_tokens=cache_read,
        cache_write_tokens=min(recorded.cache_write_tokens, new_input - cache_read),
        reasoning_tokens=min(recorded.reasoning_tokens, output),
    )


def detect_drift(
    recorded: Interaction,
    current: Interaction,
    *,
    endpoint: str | None = None,
    ignore_fields: Sequence[str] = DEFAULT_IGNORED_FIELDS,
) -> Drift | None:
    """Compare the recorded request body with the current one.

    Returns ``None`` when they are equal once canonicalised (key order,
    whitespace, ``1`` vs ``1.0``) with ``ignore_fields`` dropped, or when either
    body is not JSON. ``endpoint`` is one of :data:`ENDPOINTS`; by default it
    is told from the URL and the body. Never raises on odd bodies.
    """
    recorded_body = _load_json(recorded.decoded_request_body())
    current_body = _load_json(current.decoded_request_body())
    if recorded_body is _NOT_JSON or current_body is _NOT_JSON:
        return None
    current_body = _as_recorded(recorded_body, current_body)
    try:
        recorded_body = _drop_paths(_normalise(recorded_body), ignore_fields)
        current_body = _drop_paths(_normalise(current_body), ignore_fields)
        same_url_model = _model_from_url(recorded.url) == _model_from_url(current.url)
        if same_url_model and _canonical(recorded_body) == _canonical(current_body):
            return None
        kind = endpoint if endpoint in _EXTRACTORS else detect_endpoint(current.url, current_body)
        extract = _EXTRACTORS[kind]
        before = extract(recorded_body, recorded.url)
        after = extract(current_body, current.url)
        return _drift(before, after)
    except RecursionError:  # absurdly deep JSON: not a request we can reason about
        return None


def detect_endpoint(url: str, body: Any) -> str:
    """The kind of request (one of :data:`ENDPOINTS`) from its URL path, then its body."""
    path = urlsplit(url).path.lower().rstrip("/")
    if path.endswith("/chat/completions"):
        return "openai.chat"
    if path.endswith("/responses"):
        return "openai.responses"
    if path.endswith("/embeddings"):
        return "openai.embeddings"
    if path.endswith((":generatecontent", ":streamgeneratecontent")):
        return "gemini.generate"
    if path.endswith(("/converse", "/converse-stream")):
        return "bedrock.converse"
    if path.endswith("/messages") or (isinstance(body, Mapping) and "anthropic_version" in body):
        return "anthropic.messages"
    if isinstance(body, Mapping) and ("schemaVersion" in body or "inferenceConfig" in body):
        # Nova's own InvokeModel body (schemaVersion messages-v1): Converse's system and content blocks.
        return "bedrock.converse"
    if isinstance(body, Mapping):
        if "contents" in body:
            return "gemini.generate"
        if "messages" in body:
            return "openai.chat"
    return "generic"


# --- JSON handling ---------------------------------------------------------------------------

_NOT_JSON: Any = object()


def same_json_body(recorded: bytes, current: bytes) -> bool:
    """Whether two request bodies are the same JSON written differently (spacing, key order).

    vcrpy re-serialises a JSON request body when ``filter_post_data_parameters`` is set, so a
    cassette can hold ``{"a": 1}`` for a request sent as ``{"a":1}``: not a changed request.
    """
    recorded_body = _load_json(recorded)
    current_body = _load_json(current)
    if recorded_body is _NOT_JSON or current_body is _NOT_JSON:
        return False
    return _canonical(recorded_body) == _canonical(_as_recorded(recorded_body, current_body))


def canonical_body(body: bytes) -> Any:
    """A request body in a form equal for the same JSON written differently (spacing, key order,
    ``1.0`` and ``1``), and for a top-level credential the cassette saved as ``REDACTED`` (see
    :func:`_as_recorded`); the bytes themselves when it is not JSON."""
    loaded = _load_json(body)
    if loaded is _NOT_JSON:
        return body
    if isinstance(loaded, dict):
        from pytest_agentcost.redact import REDACTED, body_credentials

        # As the save redacts them (a paging token is not one): the key sent now equals its REDACTED.
        loaded = {**loaded, **dict.fromkeys(body_credentials(loaded), REDACTED)}
    try:
        return _canonical(_normalise(loaded))
    except RecursionError:
        return body


def _as_recorded(recorded: Any, current: Any) -> Any:
    """``current`` with each top-level credential field its recording holds as ``REDACTED``
    (:func:`pytest_agentcost.redact.redact_body_credentials`) redacted too: the key sent now is
    not a change to the request."""
    if not isinstance(recorded, dict) or not isinstance(current, dict):
        return current
    from pytest_agentcost.redact import REDACTED, body_credentials

    # The fields the save redacts (redact.body_credentials), where the recording holds REDACTED.
    redacted = [key for key in body_credentials(current) if recorded.get(key) == REDACTED]
    return {**current, **dict.fromkeys(redacted, REDACTED)} if redacted else current


def _load_json(body: bytes) -> Any:
    if not body.strip():
        return _NOT_JSON
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return _NOT_JSON


def _normalise(value: Any) -> Any:
    """``1.0`` and ``1`` are the same number to the API; make them the same to us."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    return value


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _drop_paths(body: Any, paths: Sequence[str]) -> Any:
    """A copy of ``body`` without the dotted ``paths``, which walk objects and, through an
    array, each of its elements (``contents.parts.functionCall.id``)."""
    for path in paths:
        body = _drop_path(body, path.split("."))
    return body


def _drop_path(value: Any, parts: list[str]) -> Any:
    if isinstance(value, list):
        return [_drop_path(item, parts) for item in value]
    if not isinstance(value, dict) or not parts or parts[0] not in value:
        return value
    head, rest = parts[0], parts[1:]
    copy = dict(value)
    if rest:
        copy[head] = _drop_path(copy[head], rest)
    else:
        del copy[head]
    return copy


# --- A provider-neutral view of a request ---------------------------------------------------


@dataclass(frozen=True)
class _Message:
    role: str
    text: str
    canonical: str


@dataclass(frozen=True)
class _View:
    model: str | None
    count: TokenCount
    system: str | None = None
    messages: tuple[_Message, ...] = ()
    message_noun: str = "message"
    tools: Mapping[str, str] = field(default_factory=dict)
    rest: Any = None
    """The body without the parts above, compared field by field."""
    max_output_tokens: int | None = None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text_of(value: Any) -> str:
    return "".join(text_pieces(value))


def _message(role: Any, content: Any, whole: Any) -> _Message:
    return _Message(role if isinstance(role, str) else "?", _text_of(content), _canonical(whole))


def _int_or_none(value: Any) -> int | None:
    return value if _is_int(value) else None


def _model_from_body(body: Any) -> str | None:
    model = _as_dict(body).get("model")
    return model if isinstance(model, str) else None


_PATH_MODEL = re.compile(r"/models?/([^/:]+)")


def _model_from_url(url: str) -> str | None:
    match = _PATH_MODEL.search(urlsplit(url).path)
    return unquote(match.group(1)) if match else None


def _without(body: Any, *paths: str) -> Any:
    """``body`` without the parts a view handles; an object left empty by that goes too."""
    for path in paths:
        parts = path.split(".")
        body = _drop_path(body, parts)
        parent = parts[:-1]
        if parent and _get_path(body, parent) == {}:
            body = _drop_path(body, parent)
    return body


def _get_path(value: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _named_tools(tools: list[Any], name_of: Callable[[Any], str | None]) -> dict[str, str]:
    named: dict[str, str] = {}
    for index, tool in enumerate(tools, start=1):
        name = name_of(tool) or f"#{index}"
        key, suffix = name, 2
        while key in named:
            key, suffix = f"{name}#{suffix}", suffix + 1
        named[key] = _canonical(tool)
    return named


def _openai_tool_name(tool: Any) -> str | None:
    tool = _as_dict(tool)
    function = _as_dict(tool.get("function"))
    for candidate in (function.get("name"), tool.get("name"), tool.get("type")):
        if isinstance(candidate, str):
            return candidate
    return None


def _is_system(message: Any) -> bool:
    return _as_dict(message).get("role") in ("system", "developer")


def _chat_view(body: Any, url: str) -> _View:
    data = _as_dict(body)
    model = _model_from_body(data)
    messages = _as_list(data.get("messages"))
    system = [m for m in messages if _is_system(m)]
    others = [m for m in messages if not _is_system(m)]
    tools = _as_list(data.get("tools")) + _as_list(data.get("functions"))
    max_out = data.get("max_completion_tokens", data.get("max_tokens"))
    return _View(
        model=model,
        count=count_chat_messages(messages, model, tools=tools),
        system="\n".join(_text_of(_as_dict(m).get("content")) for m in system) if system else None,
        messages=tuple(_message(_as_dict(m).get("role"), _as_dict(m).get("content"), m) for m in others),
        tools=_named_tools(tools, _openai_tool_name),
        rest=_without(data, "model", "messages", "tools", "functions"),
        max_output_tokens=_int_or_none(max_out),
    )


def _responses_view(body: Any, url: str) -> _View:
    data = _as_dict(body)
    model = _model_from_body(data)
    raw_input = data.get("input")
    items = [{"role": "user", "content": raw_input}] if isinstance(raw_input, str) else _as_list(raw_input)
    system_items = [i for i in items if _is_system(i)]
    others = [i for i in items if not _is_system(i)]
    instructions = data.get("instructions")
    system_parts = [instructions] if isinstance(instructions, str) else []
    system_parts += [_text_of(_as_dict(i).get("content")) for i in system_items]
    tools = _as_list(data.get("tools"))
    return _View(
        model=model,
        count=count_responses_input(
            raw_input,
            model,
            instructions=instructions if isinstance(instructions, str) else None,
            tools=tools,
        ),
        system="\n".join(system_parts) if system_parts else None,
        messages=tuple(_message(_as_dict(i).get("role", _as_dict(i).get("type")), i, i) for i in others),
        message_noun="input item",
        tools=_named_tools(tools, _openai_tool_name),
        rest=_without(data, "model", "input", "instructions", "tools"),
        max_output_tokens=_int_or_none(data.get("max_output_tokens")),
    )


def _embeddings_view(body: Any, url: str) -> _View:
    data = _as_dict(body)
    model = _model_from_body(data)
    raw_input = data.get("input")
    inputs = raw_input if isinstance(raw_input, list) else [raw_input]
    if inputs and all(_is_int(i) for i in inputs):
        inputs = [raw_input]  # a single array of token ids is one input
    return _View(
        model=model,
        count=count_embeddings_input(raw_input, model),
        messages=tuple(_message("", i, i) for i in inputs),
        message_noun="input",
        rest=_without(data, "model", "input"),
    )


def _anthropic_view(body: Any, url: str) -> _View:
    data = _as_dict(body)
    model = _model_from_body(data) or _model_from_url(url)
    messages = _as_list(data.get("messages"))
    tools = _as_list(data.get("tools"))
    system = data.get("system")
    return _View(
        model=model,
        count=count_provider_messages(messages, model, system=system, tools=tools),
        system=_text_of(system) if system is not None else None,
        messages=tuple(_message(_as_dict(m).get("role"), _as_dict(m).get("content"), m) for m in messages),
        tools=_named_tools(tools, _openai_tool_name),
        rest=_without(data, "model", "messages", "system", "tools"),
        max_output_tokens=_int_or_none(data.get("max_tokens")),
    )


def _gemini_tools(tools: list[Any]) -> tuple[list[Any], dict[str, str]]:
    """Gemini nests function declarations in tool groups; name each declaration on its own."""
    flat: list[Any] = []
    for group in tools:
        group_dict = _as_dict(group)
        if not group_dict:
            flat.append(group)
        for key, value in group_dict.items():
            if key in ("functionDeclarations", "function_declarations"):
                flat.extend(_as_list(value))
            else:
                flat.append({key: value})

    def name_of(tool: Any) -> str | None:
        tool_dict = _as_dict(tool)
        name = tool_dict.get("name")
        if isinstance(name, str):
            return name
        return next(iter(tool_dict), None)  # a built-in tool such as googleSearch

    return flat, _named_tools(flat, name_of)


def _gemini_view(body: Any, url: str) -> _View:
    data = _as_dict(body)
    model = _model_from_url(url) or _model_from_body(data)
    contents = _as_list(data.get("contents"))
    system = data.get("systemInstruction", data.get("system_instruction"))
    tools, named = _gemini_tools(_as_list(data.get("tools")))
    config = _as_dict(data.get("generationConfig", data.get("generation_config")))
    max_out = config.get("maxOutputTokens", config.get("max_output_tokens"))
    return _View(
        model=model,
        count=count_provider_messages(contents, model, system=system, tools=tools),
        system=_text_of(system) if system is not None else None,
        messages=tuple(_message(_as_dict(c).get("role", "user"), _as_dict(c).get("parts"), c) for c in contents),
        tools=named,
        rest=_without(data, "model", "contents", "systemInstruction", "system_instruction", "tools"),
        max_output_tokens=_int_or_none(max_out),
    )


def _bedrock_view(body: Any, url: str) -> _View:
    data = _as_dict(body)
    model = _model_from_url(url) or _model_from_body(data)
    messages = _as_list(data.get("messages"))
    system = data.get("system")
    tools = [t for t in _as_list(_as_dict(data.get("toolConfig")).get("tools")) if "cachePoint" not in _as_dict(t)]

    def name_of(tool: Any) -> str | None:
        name = _as_dict(_as_dict(tool).get("toolSpec")).get("name")
        return name if isinstance(name, str) else None

    return _View(
        model=model,
        count=count_provider_messages(messages, model, system=system, tools=tools),
        system=_text_of(system) if system is not None else None,
        messages=tuple(_message(_as_dict(m).get("role"), _as_dict(m).get("content"), m) for m in messages),
        tools=_named_tools(tools, name_of),
        rest=_without(data, "model", "messages", "system", "toolConfig.tools"),
        max_output_tokens=_int_or_none(
            _as_dict(data.get("inferenceConfig")).get(
                "maxTokens", _as_dict(data.get("inferenceConfig")).get("max_new_tokens")
            )
        ),
    )


def _generic_view(body: Any, url: str) -> _View:
    data = _as_dict(body)
    model = _model_from_body(data) or _model_from_url(url)
    known = ("max_tokens", "max_completion_tokens", "max_output_tokens")
    max_out = next((data[k] for k in known if _is_int(data.get(k))), None)
    return _View(
        model=model,
        count=count_provider_messages([_without(body, "model")], model),
        rest=_without(body, "model"),
        max_output_tokens=max_out,
    )


_EXTRACTORS: dict[str, Callable[[Any, str], _View]] = {
    "openai.chat": _chat_view,
    "openai.responses": _responses_view,
    "openai.embeddings": _embeddings_view,
    "anthropic.messages": _anthropic_view,
    "gemini.generate": _gemini_view,
    "bedrock.converse": _bedrock_view,
    "generic": _generic_view,
}


# --- Naming the changes ---------------------------------------------------------------------


def _drift(before: _View, after: _View) -> Drift:
    changes: list[str] = []
    model_changed = None
    if before.model != after.model:
        model_changed = (before.model or "(none)", after.model or "(none)")
        changes.append(f"model {model_changed[0]} -> {model_changed[1]}")
    changes += _system_changes(before.system, after.system)
    changes += _message_changes(before.messages, after.messages, after.message_noun)
    changes += _tool_changes(before.tools, after.tools)
    changes += _value_changes(before.rest, after.rest, "")
    if not changes:  # e.g. a reordered tool list: the body differs, no part we name does
        changes.append("request body changed")
    return Drift(
        changes=tuple(changes),
        model_changed=model_changed,
        recorded_input_tokens=before.count.tokens,
        current_input_tokens=after.count.tokens,
        input_token_delta=after.count.tokens - before.count.tokens,
        max_output_tokens=after.max_output_tokens,
        approximate=before.count.approximate or after.count.approximate,
        encoding=after.count.encoding,
    )


def _characters(n: int) -> str:
    return f"{n} character" if abs(n) == 1 else f"{n} characters"


def _signed_characters(n: int) -> str:
    return f"{n:+d} character" if abs(n) == 1 else f"{n:+d} characters"


def _system_changes(before: str | None, after: str | None) -> list[str]:
    if before == after:
        return []
    if before is None:
        return [f"system prompt added ({_characters(len(after or ''))})"]
    if after is None:
        return [f"system prompt removed ({_characters(len(before))})"]
    delta = len(after) - len(before)
    return [f"system prompt {_signed_characters(delta)}" if delta else "system prompt changed (same length)"]


def _message_changes(before: Sequence[_Message], after: Sequence[_Message], noun: str) -> list[str]:
    changes: list[str] = []
    if len(after) != len(before):
        changes.append(f"{noun}s {len(after) - len(before):+d}")
    differing = [i for i in range(min(len(before), len(after))) if before[i].canonical != after[i].canonical]
    for i in differing[:_MAX_MESSAGE_CHANGES]:
        delta = len(after[i].text) - len(before[i].text)
        what = _signed_characters(delta) if delta else "changed"
        role = f" ({after[i].role})" if after[i].role else ""
        changes.append(f"{noun} {i + 1}{role} {what}")
    if len(differing) > _MAX_MESSAGE_CHANGES:
        more = len(differing) - _MAX_MESSAGE_CHANGES
        changes.append(f"{more} more {noun}{'s' if more > 1 else ''} changed")
    return changes


def _tool_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    added = [name for name in after if name not in before]
    removed = [name for name in before if name not in after]
    changed = [name for name in after if name in before and before[name] != after[name]]
    changes = []
    for names, verb in ((added, "added"), (removed, "removed"), (changed, "changed")):
        if names:
            noun = "tool" if len(names) == 1 else "tools"
            changes.append(f"{len(names)} {noun} {verb} ({', '.join(names)})")
    return changes


def _value_changes(before: Any, after: Any, path: str) -> list[str]:
    """Name the differences between two JSON values, field by dotted field."""
    if _canonical(before) == _canonical(after):
        return []
    label = path or "request body"
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[str] = []
        for key in sorted(set(before) | set(after)):
            sub = f"{path}.{key}" if path else key
            if key not in before:
                if isinstance(after[key], dict) and after[key]:  # name the leaves that were set
                    changes += _value_changes({}, after[key], sub)
                else:
                    changes.append(f"{sub} set to {_show(after[key], sub)}")
            elif key not in after:
                if isinstance(before[key], dict) and before[key]:
                    changes += _value_changes(before[key], {}, sub)
                else:
                    changes.append(f"{sub} {_show(before[key], sub)} removed")
            else:
                changes += _value_changes(before[key], after[key], sub)
        return changes
    if isinstance(before, list) and isinstance(after, list) and len(before) != len(after):
        return [f"{label} {len(after) - len(before):+d} items"]
    if isinstance(before, dict | list) or isinstance(after, dict | list):
        return [f"{label} changed"]
    if isinstance(before, str) and isinstance(after, str) and _long_text(before, after, path):
        # A generate call's prompt: its length, as a prompt's growth reads ("57 -> 273 characters (+216)").
        return [f"{label} {len(before)} -> {_characters(len(after))} ({len(after) - len(before):+d})"]
    return [f"{label} {_show(before, path)} -> {_show(after, path)}"]


def _long_text(before: str, after: str, path: str) -> bool:
    """Text too long to show, not a credential's (which :func:`_show` names as hidden)."""
    from pytest_agentcost.redact import CREDENTIAL_HEADER_NAME

    too_long = max(len(before), len(after)) > _MAX_VALUE_CHARS
    return too_long and not CREDENTIAL_HEADER_NAME.search(path.rsplit(".", 1)[-1])


def _show(value: Any, path: str = "") -> str:
    """A changed value as the change names it: short strings and numbers as they are, never a
    credential (a field named ``api_key``, ``token``, ``password`` ...), which reports, annotations
    and the PR comment would carry."""
    from pytest_agentcost.redact import CREDENTIAL_HEADER_NAME

    if isinstance(value, str) and CREDENTIAL_HEADER_NAME.search(path.rsplit(".", 1)[-1]):
        return f"<{_characters(len(value))}, hidden>"
    if isinstance(value, dict | list):
        return "{...}" if isinstance(value, dict) else "[...]"
    if isinstance(value, str):
        return value if len(value) <= _MAX_VALUE_CHARS else f"<{_characters(len(value))}>"
    return json.dumps(value)
