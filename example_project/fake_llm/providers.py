"""Provider logic of the fake server: request body in, response body (with usage) out.

Pure functions over plain JSON data plus one :class:`PromptCache`; the HTTP
layer lives in :mod:`fake_llm.server`.

Usage is computed from the actual request, the way a provider bills it:

* input tokens: the rendered prompt (system, tool definitions, every message,
  tool calls and tool results), tokenised segment by segment;
* output tokens: the generated text or tool call;
* OpenAI prompt caching: automatic for prompts of 1024 tokens or more; the
  cached part is the longest prefix shared with an earlier request to the
  same model, rounded down to a multiple of 128 tokens;
* Anthropic prompt caching: explicit, at the blocks that carry
  ``cache_control``; the first request writes the prefix
  (``cache_creation_input_tokens``), a later one with the same prefix reads it
  (``cache_read_input_tokens``). The 1024-token minimum is applied to every
  model (real Haiku models need more).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fake_llm import content

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterator, Sequence

    from fake_llm.tokenizer import Tokenizer

__all__ = [
    "CACHE_MIN_TOKENS",
    "OPENAI_CACHE_INCREMENT",
    "PromptCache",
    "anthropic_messages",
    "chat_completion",
    "chat_completion_sse",
    "tavily_search",
]

CACHE_MIN_TOKENS = 1024
OPENAI_CACHE_INCREMENT = 128
#: A fixed creation time keeps re-recorded cassettes byte-identical when nothing changed.
CREATED = 1767225600
#: Dated snapshot names, as the real APIs report them back.
MODEL_SNAPSHOTS = {
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
}
_MAX_REMEMBERED_PROMPTS = 256

Json = dict[str, Any]


@dataclass
class PromptCache:
    """Prompts seen so far, per model, to simulate provider-side prompt caching. Thread-safe."""

    _openai: dict[str, list[tuple[Hashable, ...]]] = field(default_factory=dict)
    _anthropic: dict[str, set[tuple[Hashable, ...]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        """Forget every prompt (a cold cache, as after the provider's cache TTL)."""
        with self._lock:
            self._openai.clear()
            self._anthropic.clear()

    def openai_cached_tokens(self, model: str, tokens: Sequence[Hashable]) -> int:
        """Cached tokens for this prompt, then remember it for later requests."""
        prompt = tuple(tokens)
        with self._lock:
            seen = self._openai.setdefault(model, [])
            longest = max((_common_prefix(prompt, earlier) for earlier in seen), default=0)
            if len(prompt) >= CACHE_MIN_TOKENS:
                seen.append(prompt)
                del seen[:-_MAX_REMEMBERED_PROMPTS]
        if longest < CACHE_MIN_TOKENS:
            return 0
        return longest // OPENAI_CACHE_INCREMENT * OPENAI_CACHE_INCREMENT

    def anthropic_cache(
        self, model: str, tokens: Sequence[Hashable], breakpoints: Sequence[int]
    ) -> tuple[int, int]:
        """``(cache_read, cache_creation)`` tokens for a prompt with cache breakpoints at these offsets."""
        eligible = [offset for offset in breakpoints if offset >= CACHE_MIN_TOKENS]
        if not eligible:
            return 0, 0
        with self._lock:
            stored = self._anthropic.setdefault(model, set())
            read = max((offset for offset in eligible if tuple(tokens[:offset]) in stored), default=0)
            for offset in eligible:
                stored.add(tuple(tokens[:offset]))
        return read, max(eligible) - read


def _common_prefix(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _text_of(value: Any) -> str:
    """The text of a message content: a string, or a list of text/tool parts."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts: list[str] = []
        for part in value:
            if isinstance(part, dict):
                if "text" in part:
                    parts.append(str(part["text"]))
                elif part.get("type") == "tool_result":
                    parts.append(_text_of(part.get("content")))
                elif part.get("type") == "tool_use":
                    parts.append(json.dumps({"name": part.get("name"), "input": part.get("input")}))
            else:
                parts.append(str(part))
        return "\n".join(parts)
    return json.dumps(value, sort_keys=True)


def _response_id(prefix: str, body: Json) -> str:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return f"{prefix}{digest[:24]}"


@dataclass(frozen=True)
class Reply:
    """What the fake model decided to say: text, or one tool call."""

    text: str | None = None
    tool_name: str | None = None
    tool_arguments: Json | None = None


def _first_user_text(messages: Sequence[Json]) -> str:
    for message in messages:
        if message.get("role") == "user":
            return _text_of(message.get("content"))
    return ""


def _search_tool(tools: Sequence[Json]) -> tuple[str, str]:
    """(tool name, argument name) of the tool the model uses to search."""
    specs = [(t.get("function", t) if t.get("type") == "function" else t) for t in tools]
    chosen = next((s for s in specs if "search" in str(s.get("name", ""))), specs[0])
    schema = chosen.get("parameters") or chosen.get("input_schema") or {}
    properties = list((schema.get("properties") or {}).keys())
    argument = "query" if "query" in properties else (properties[0] if properties else "query")
    return str(chosen.get("name")), argument


#: The one instruction the fake model follows beyond its script (see the README walkthrough).
_ASKS_FOR_QUOTES = re.compile(r"\bquote (?:the|each|every|all|exact)\b", re.IGNORECASE)


def decide(messages: Sequence[Json], tools: Sequence[Json], tool_calls_so_far: int, all_text: str) -> Reply:
    """The canned behaviour: search step by step while a script says so, then answer."""
    question = _first_user_text(messages)
    scenario = content.find_scenario(question)
    if tools:
        queries = scenario.queries if scenario else (question.strip()[:200],)
        if tool_calls_so_far < len(queries):
            name, argument = _search_tool(tools)
            return Reply(tool_name=name, tool_arguments={argument: queries[tool_calls_so_far]})
        # Done searching (or nothing to search): answer, as a model with enough information does.
        return Reply(text=scenario.answer if scenario else content.UNKNOWN_ANSWER)
    page = content.page_for_text(all_text)
    if page is not None:
        if _ASKS_FOR_QUOTES.search(all_text):
            # Like a real model, asked to quote its evidence it writes the quotes out: more output
            # tokens here and longer notes in every later prompt.
            # (Never the page's first sentence: that is how a summarisation request is recognised.)
            quotes = " ".join(f'"{paragraph}"' for paragraph in page.paragraphs[1:])
            return Reply(text=f"{page.summary} Supporting quotes: {quotes}")
        return Reply(text=page.summary)
    if scenario is not None:
        return Reply(text=scenario.answer)
    return Reply(text=content.UNKNOWN_ANSWER)


# --------------------------------------------------------------------------- OpenAI


# Message framing costs a few tokens per message, as with the real chat formats
# (<|im_start|>role ... <|im_end|>). They are synthetic tokens, never equal to a text token.
_START, _END = "<|im_start|>", "<|im_end|>"


def _openai_prompt(
    tokenizer: Tokenizer, messages: Sequence[Json], tools: Sequence[Json]
) -> tuple[list[Hashable], str]:
    """(tokens, text) of the prompt: leading system messages, tool definitions, then the conversation."""
    head = 0
    while head < len(messages) and messages[head].get("role") in ("system", "developer"):
        head += 1
    tokens: list[Hashable] = []
    texts: list[str] = []

    def add_message(message: Json) -> None:
        text = _text_of(message.get("content"))
        for call in message.get("tool_calls") or []:
            function = call.get("function", {})
            text += f"\n{function.get('name')}({function.get('arguments')})"
        tokens.extend([_START, f"<|role:{message.get('role')}|>"])
        tokens.extend(tokenizer.encode(text))
        tokens.append(_END)
        texts.append(text)

    for message in messages[:head]:
        add_message(message)
    for tool in tools:
        spec = json.dumps(tool, sort_keys=True)
        tokens.extend(tokenizer.encode(spec))
        texts.append(spec)
    for message in messages[head:]:
        add_message(message)
    tokens.extend([_START, "<|role:assistant|>", "<|message|>"])
    return tokens, "\n".join(texts)


def _openai_usage(prompt: int, completion: int, cached: int) -> Json:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


@dataclass(frozen=True)
class _ChatResult:
    id: str
    model: str
    reply: Reply
    tool_call_id: str | None
    usage: Json


def _chat(body: Json, tokenizer: Tokenizer, cache: PromptCache) -> _ChatResult:
    messages: list[Json] = list(body.get("messages") or [])
    tools: list[Json] = list(body.get("tools") or [])
    model = str(body.get("model", ""))
    tool_calls_so_far = sum(len(m.get("tool_calls") or []) for m in messages if m.get("role") == "assistant")
    prompt_tokens, prompt_text = _openai_prompt(tokenizer, messages, tools)
    reply = decide(messages, tools, tool_calls_so_far, prompt_text)
    cached = cache.openai_cached_tokens(model, prompt_tokens)
    if reply.text is not None:
        completion = len(tokenizer.encode(reply.text))
    else:
        completion = len(tokenizer.encode(f"{reply.tool_name}({json.dumps(reply.tool_arguments)})"))
    response_id = _response_id("chatcmpl-", body)
    tool_call_id = f"call_{response_id[-24:]}" if reply.tool_name else None
    return _ChatResult(
        id=response_id,
        model=MODEL_SNAPSHOTS.get(model, model),
        reply=reply,
        tool_call_id=tool_call_id,
        usage=_openai_usage(len(prompt_tokens), completion, cached),
    )


def _tool_calls(result: _ChatResult) -> list[Json]:
    return [
        {
            "id": result.tool_call_id,
            "type": "function",
            "function": {
                "name": result.reply.tool_name,
                "arguments": json.dumps(result.reply.tool_arguments),
            },
        }
    ]


def chat_completion(body: Json, tokenizer: Tokenizer, cache: PromptCache) -> Json:
    """A non-streamed ``chat.completion`` object."""
    result = _chat(body, tokenizer, cache)
    message: Json = {"role": "assistant", "content": result.reply.text, "refusal": None, "annotations": []}
    if result.reply.tool_name:
        message["tool_calls"] = _tool_calls(result)
    return {
        "id": result.id,
        "object": "chat.completion",
        "created": CREATED,
        "model": result.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if result.reply.tool_name else "stop",
            }
        ],
        "usage": result.usage,
        "service_tier": "default",
        "system_fingerprint": "fp_fakellm01",
    }


_STREAM_PIECE = re.compile(r"\S+\s*")


def _text_pieces(text: str, words_per_chunk: int = 3) -> Iterator[str]:
    words = _STREAM_PIECE.findall(text)
    for i in range(0, len(words), words_per_chunk):
        yield "".join(words[i : i + words_per_chunk])


def chat_completion_sse(body: Json, tokenizer: Tokenizer, cache: PromptCache) -> str:
    """A streamed completion as server-sent events, ending with the usage chunk when asked for."""
    result = _chat(body, tokenizer, cache)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

    def chunk(delta: Json, finish_reason: str | None) -> str:
        event: Json = {
            "id": result.id,
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": result.model,
            "service_tier": "default",
            "system_fingerprint": "fp_fakellm01",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        }
        if include_usage:
            event["usage"] = None
        return f"data: {json.dumps(event)}\n\n"

    events = [chunk({"role": "assistant", "content": "", "refusal": None}, None)]
    if result.reply.tool_name:
        call = _tool_calls(result)[0]
        events.append(chunk({"tool_calls": [{"index": 0, **call}]}, None))
        events.append(chunk({}, "tool_calls"))
    else:
        events.extend(chunk({"content": piece}, None) for piece in _text_pieces(result.reply.text or ""))
        events.append(chunk({}, "stop"))
    if include_usage:
        final: Json = {
            "id": result.id,
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": result.model,
            "service_tier": "default",
            "system_fingerprint": "fp_fakellm01",
            "choices": [],
            "usage": result.usage,
        }
        events.append(f"data: {json.dumps(final)}\n\n")
    events.append("data: [DONE]\n\n")
    return "".join(events)


# --------------------------------------------------------------------------- Anthropic


def _anthropic_blocks(body: Json) -> list[tuple[str | None, str, bool]]:
    """(role marker, text, has cache_control) per block, in cache order: tools, system, messages."""
    blocks: list[tuple[str | None, str, bool]] = []
    for tool in body.get("tools") or []:
        spec = {k: v for k, v in tool.items() if k != "cache_control"}
        blocks.append((None, json.dumps(spec, sort_keys=True), "cache_control" in tool))
    system = body.get("system")
    if isinstance(system, str):
        blocks.append(("<|system|>", system, False))
    elif isinstance(system, list):
        for block in system:
            blocks.append(("<|system|>", _text_of([block]), "cache_control" in block))
    for message in body.get("messages") or []:
        role = f"<|{message.get('role')}|>"
        value = message.get("content")
        if isinstance(value, str):
            blocks.append((role, value, False))
            continue
        for block in value or []:
            blocks.append((role, _text_of([block]), "cache_control" in block))
    return blocks


def anthropic_messages(body: Json, tokenizer: Tokenizer, cache: PromptCache) -> Json:
    """A Messages API ``message`` object."""
    model = str(body.get("model", ""))
    messages: list[Json] = list(body.get("messages") or [])
    tools: list[Json] = list(body.get("tools") or [])
    tool_uses = sum(
        1
        for m in messages
        if m.get("role") == "assistant" and isinstance(m.get("content"), list)
        for block in m["content"]
        if isinstance(block, dict) and block.get("type") == "tool_use"
    )
    blocks = _anthropic_blocks(body)
    tokens: list[Hashable] = []
    breakpoints: list[int] = []
    for marker, text, marked in blocks:
        if marker is not None:
            tokens.append(marker)
        tokens.extend(tokenizer.encode(text))
        if marked:
            breakpoints.append(len(tokens))
    tokens.append("<|assistant|>")
    reply = decide(messages, tools, tool_uses, "\n".join(text for _, text, _ in blocks))
    read, creation = cache.anthropic_cache(model, tokens, breakpoints)
    response_id = _response_id("msg_", body)
    if reply.tool_name:
        content_blocks: list[Json] = [
            {
                "type": "tool_use",
                "id": f"toolu_{response_id[-24:]}",
                "name": reply.tool_name,
                "input": reply.tool_arguments,
            }
        ]
        output = len(tokenizer.encode(f"{reply.tool_name}({json.dumps(reply.tool_arguments)})"))
        stop_reason = "tool_use"
    else:
        content_blocks = [{"type": "text", "text": reply.text}]
        output = len(tokenizer.encode(reply.text or ""))
        stop_reason = "end_turn"
    return {
        "id": response_id,
        "type": "message",
        "role": "assistant",
        "model": MODEL_SNAPSHOTS.get(model, model),
        "content": content_blocks,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": len(tokens) - read - creation,
            "cache_creation_input_tokens": creation,
            "cache_read_input_tokens": read,
            "cache_creation": {"ephemeral_5m_input_tokens": creation, "ephemeral_1h_input_tokens": 0},
            "output_tokens": output,
            "service_tier": "standard",
        },
    }


# --------------------------------------------------------------------------- Tavily


def tavily_search(body: Json) -> Json:
    """A Tavily ``/search`` response over the fake web."""
    query = str(body.get("query", ""))
    max_results = int(body.get("max_results", 5))
    hits = content.search(query, max_results)
    return {
        "query": query,
        "follow_up_questions": None,
        "answer": None,
        "images": [],
        "results": [
            {
                "url": page.url,
                "title": page.title,
                "content": page.snippet(),
                "score": score,
                "raw_content": None,
            }
            for page, score in hits
        ],
        "response_time": 0.42,
    }
