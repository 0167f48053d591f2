"""Write the provider corpus cassettes (``python tests/data/cassettes/_generate.py``).

Each body follows the provider's real wire format, modelled on public recorded
cassettes (pydantic-ai, langchain, openai-agents) and the providers' API
references; the numbers are ours and match ``tests/provider_cases.py``. No
credentials: request headers carry only what a client sends besides its key.
The YAML is written with vcrpy's own serializer, so it is exactly what vcrpy
records (``!!binary`` for gzip, brotli and event-stream bodies).
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import brotli
from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from pytest_agentcost._eventstream import encode

HERE = Path(__file__).parent
JSON_HEADERS = {"content-type": ["application/json"]}
GOOGLE_JSON = "application/json; charset=UTF-8"


def req(method: str, uri: str, body: Any = None, **headers: str) -> Request:
    data = None if body is None else json.dumps(body).encode()
    base = {
        "accept": "application/json",
        "content-type": "application/json",
        "user-agent": "agentcost-corpus/1",
    }
    base.update({k.replace("_", "-"): v for k, v in headers.items()})
    return Request(method, uri, data, base)


def resp(body: bytes | str, status: int = 200, headers: dict[str, list[str]] | None = None) -> dict[str, Any]:
    messages = {200: "OK", 429: "Too Many Requests", 500: "Internal Server Error"}
    return {
        "status": {"code": status, "message": messages.get(status, "OK")},
        "headers": headers or dict(JSON_HEADERS),
        "body": {"string": body.encode() if isinstance(body, str) else body},
    }


def google_answer(body: Any) -> dict[str, Any]:
    """A Google API's JSON answer, as its servers write it (indented, charset in the type)."""
    return resp(json.dumps(body, indent=2), headers={"content-type": [GOOGLE_JSON]})


def write(name: str, *pairs: tuple[Request, dict[str, Any]]) -> None:
    cassette = {"requests": [p[0] for p in pairs], "responses": [p[1] for p in pairs]}
    (HERE / f"{name}.yaml").write_text(serialize(cassette, yamlserializer))


def sse(events: list[tuple[str | None, Any]]) -> str:
    out = []
    for name, data in events:
        payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
        out.append((f"event: {name}\n" if name else "") + f"data: {payload}\n\n")
    return "".join(out)


SSE_HEADERS = {"content-type": ["text/event-stream; charset=utf-8"], "cache-control": ["no-cache"]}
MSGS = [{"role": "user", "content": "What's the weather in Paris and in Lyon?"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def openai_chat() -> None:
    body = {
        "id": "chatcmpl-AgC1x5n0Yw2pQk9",
        "object": "chat.completion",
        "created": 1734567890,
        "model": "gpt-4o-2024-08-06",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_paris01",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                        },
                        {
                            "id": "call_lyon002",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"Lyon"}'},
                        },
                    ],
                    "refusal": None,
                },
                "logprobs": None,
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {
            "prompt_tokens": 1200,
            "completion_tokens": 45,
            "total_tokens": 1245,
            "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_a7d06e42a7",
    }
    write(
        "openai_chat_cached_tools",
        (
            req(
                "POST",
                "https://api.openai.com/v1/chat/completions",
                {"model": "gpt-4o", "messages": MSGS, "tools": [WEATHER_TOOL]},
            ),
            resp(json.dumps(body, indent=2)),
        ),
    )


def openai_chat_reasoning_gzip() -> None:
    body = {
        "id": "chatcmpl-BxR3o4mini",
        "object": "chat.completion",
        "created": 1745000000,
        "model": "o4-mini-2025-04-16",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "17 is prime.",
                    "refusal": None,
                    "annotations": [],
                },
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 85,
            "completion_tokens": 610,
            "total_tokens": 695,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 448, "audio_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": None,
    }
    headers = {"content-type": ["application/json"], "content-encoding": ["gzip"]}
    write(
        "openai_chat_reasoning_gzip",
        (
            req(
                "POST",
                "https://api.openai.com/v1/chat/completions",
                {"model": "o4-mini", "messages": [{"role": "user", "content": "Is 17 prime?"}]},
                accept_encoding="gzip, deflate",
            ),
            resp(gzip.compress(json.dumps(body).encode(), mtime=0), headers=headers),
        ),
    )


def _chat_chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
    chunk = {
        "id": "chatcmpl-StreamX1",
        "object": "chat.completion.chunk",
        "created": 1734567000,
        "model": "gpt-4o-mini-2024-07-18",
        "system_fingerprint": "fp_0aa8d3e20b",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    chunk.update(extra)
    return chunk


def openai_chat_stream(include_usage: bool) -> None:
    pieces = ["The", " capital", " of", " France", " is", " Paris", "."]
    usage_null = {"usage": None} if include_usage else {}
    events: list[tuple[str | None, Any]] = [(None, _chat_chunk({"role": "assistant", "content": ""}, **usage_null))]
    events += [(None, _chat_chunk({"content": p}, **usage_null)) for p in pieces]
    events.append((None, _chat_chunk({}, "stop", **usage_null)))
    if include_usage:
        final = _chat_chunk({})
        final["choices"] = []
        final["usage"] = {
            "prompt_tokens": 19,
            "completion_tokens": 8,
            "total_tokens": 27,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }
        events.append((None, final))
    events.append((None, "[DONE]"))
    request: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "What is the capital of France?"}],
        "stream": True,
    }
    if include_usage:
        request["stream_options"] = {"include_usage": True}
    name = "openai_chat_stream_usage" if include_usage else "openai_chat_stream_no_usage"
    write(
        name,
        (
            req("POST", "https://api.openai.com/v1/chat/completions", request),
            resp(sse(events), headers=SSE_HEADERS),
        ),
    )


def _response_obj(status: str, usage: dict[str, Any] | None, output: list[Any], model: str, rid: str) -> dict[str, Any]:
    return {
        "id": rid,
        "object": "response",
        "created_at": 1741476542,
        "status": status,
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "model": model,
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "store": True,
        "temperature": 1.0,
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": usage,
        "metadata": {},
    }


def _responses_usage(input_tokens: int, output_tokens: int, cached: int = 0, reasoning: int = 0) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": cached},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input_tokens + output_tokens,
    }


def openai_responses() -> None:
    output = [
        {
            "type": "function_call",
            "id": "fc_67ca09c6bedc8190",
            "call_id": "call_unLAR8MvFNptuiZK6K6HCy5k",
            "name": "get_weather",
            "arguments": '{"city":"Paris"}',
            "status": "completed",
        }
    ]
    usage = _responses_usage(320, 38)
    body = _response_obj("completed", usage, output, "gpt-4.1-2025-04-14", "resp_67ca09c5efe0819096d0511c92b8c890")
    write(
        "openai_responses_tool",
        (
            req(
                "POST",
                "https://api.openai.com/v1/responses",
                {
                    "model": "gpt-4.1",
                    "input": "What's the weather in Paris?",
                    "tools": [
                        {
                            "type": "function",
                            "name": "get_weather",
                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                        }
                    ],
                },
            ),
            resp(json.dumps(body, indent=2)),
        ),
    )


def openai_responses_stream() -> None:
    rid = "resp_6806b1e7c9c48191a1b2c3d4e5f60718"
    model = "gpt-5-mini-2025-08-07"
    message = {
        "id": "msg_6806b1e8",
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "annotations": [], "text": "Paris."}],
    }
    reasoning = {"id": "rs_6806b1e7", "type": "reasoning", "summary": []}
    usage = {
        "input_tokens": 1540,
        "input_tokens_details": {"cached_tokens": 1280},
        "output_tokens": 212,
        "output_tokens_details": {"reasoning_tokens": 192},
        "total_tokens": 1752,
    }
    created = _response_obj("in_progress", None, [], model, rid)
    done = _response_obj("completed", usage, [reasoning, message], model, rid)
    events: list[tuple[str | None, Any]] = [
        ("response.created", {"type": "response.created", "sequence_number": 0, "response": created}),
        ("response.in_progress", {"type": "response.in_progress", "sequence_number": 1, "response": created}),
        (
            "response.output_item.added",
            {
                "type": "response.output_item.added",
                "sequence_number": 2,
                "output_index": 0,
                "item": reasoning,
            },
        ),
        (
            "response.output_item.done",
            {"type": "response.output_item.done", "sequence_number": 3, "output_index": 0, "item": reasoning},
        ),
        (
            "response.output_text.delta",
            {
                "type": "response.output_text.delta",
                "sequence_number": 4,
                "item_id": "msg_6806b1e8",
                "output_index": 1,
                "content_index": 0,
                "delta": "Paris.",
            },
        ),
        (
            "response.output_text.done",
            {
                "type": "response.output_text.done",
                "sequence_number": 5,
                "item_id": "msg_6806b1e8",
                "output_index": 1,
                "content_index": 0,
                "text": "Paris.",
            },
        ),
        ("response.completed", {"type": "response.completed", "sequence_number": 6, "response": done}),
    ]
    write(
        "openai_responses_stream",
        (
            req(
                "POST",
                "https://api.openai.com/v1/responses",
                {"model": "gpt-5-mini", "input": "Capital of France? One word.", "stream": True},
            ),
            resp(sse(events), headers=SSE_HEADERS),
        ),
    )


def openai_responses_stream_incomplete_zero_usage() -> None:
    # As OpenAI recorded it: a stream cut by max_output_tokens whose response.incomplete event
    # carries a usage of zeros although the model read the prompt and wrote 16 tokens.
    rid = "resp_6866d2dec420819c92534dcf75e47512"
    model = "gpt-4o-2024-08-06"
    text = "In the bustling city of Detroit, a sleek, metallic blue sedan rolled off the"
    message = {
        "id": "msg_6866d2df1c0c819c",
        "type": "message",
        "status": "incomplete",
        "role": "assistant",
        "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": text}],
    }
    created = _response_obj("in_progress", None, [], model, rid)
    final = _response_obj("incomplete", _responses_usage(0, 0), [message], model, rid)
    final["incomplete_details"] = {"reason": "max_output_tokens"}
    events: list[tuple[str | None, Any]] = [
        ("response.created", {"type": "response.created", "sequence_number": 0, "response": created}),
        (
            "response.output_text.delta",
            {
                "type": "response.output_text.delta",
                "sequence_number": 1,
                "item_id": "msg_6866d2df1c0c819c",
                "output_index": 0,
                "content_index": 0,
                "delta": text,
            },
        ),
        ("response.incomplete", {"type": "response.incomplete", "sequence_number": 2, "response": final}),
    ]
    request = {
        "input": "Give me a multi paragraph narrative on the life of a car",
        "max_output_tokens": 16,
        "model": "gpt-4o",
        "stream": True,
    }
    write(
        "openai_responses_stream_incomplete_zero_usage",
        (req("POST", "https://api.openai.com/v1/responses", request), resp(sse(events), headers=SSE_HEADERS)),
    )


def openai_responses_background() -> None:
    rid = "resp_68ab12cd34ef5678901234567890abcd"
    model = "o4-mini-2025-04-16"
    queued = _response_obj("queued", None, [], model, rid) | {"background": True}
    running = _response_obj("in_progress", None, [], model, rid) | {"background": True}
    usage = {
        "input_tokens": 2400,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 5100,
        "output_tokens_details": {"reasoning_tokens": 4480},
        "total_tokens": 7500,
    }
    message = {
        "id": "msg_68ab12",
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "annotations": [], "text": "Report: ..."}],
    }
    done = _response_obj("completed", usage, [message], model, rid) | {"background": True}
    poll = f"https://api.openai.com/v1/responses/{rid}"
    write(
        "openai_responses_background",
        (
            req(
                "POST",
                "https://api.openai.com/v1/responses",
                {"model": "o4-mini", "input": "Write a long report.", "background": True},
            ),
            resp(json.dumps(queued, indent=2)),
        ),
        (req("GET", poll), resp(json.dumps(running, indent=2))),
        (req("GET", poll), resp(json.dumps(done, indent=2))),
        # A client that polls once more after completion must not be billed twice.
        (req("GET", poll), resp(json.dumps(done, indent=2))),
    )


def openai_responses_compact() -> None:
    # POST /v1/responses/compact: a billed compaction pass. Its answer (the SDK's
    # CompactedResponse) names no model: the request does. Its output is the user messages and
    # one opaque compaction item, no step of the agent's.
    body = {
        "id": "resp_0c1ab2cd3ef4056700691c2f3a4b5c8190",
        "object": "response.compaction",
        "created_at": 1763770170,
        "output": [
            {
                "id": "msg_0c1ab2cd3ef4056700691c2f3a4b60819",
                "type": "message",
                "status": "completed",
                "role": "user",
                "content": [{"type": "input_text", "text": "Plan the migration of the billing service."}],
            },
            {"id": "cmp_0c1ab2cd3ef4056700691c2f3b1e4c81", "type": "compaction", "encrypted_content": "gAAAAABpHC8..."},
        ],
        "usage": _responses_usage(48210, 1388, cached=40960, reasoning=512),
    }
    write(
        "openai_responses_compact",
        (
            req(
                "POST",
                "https://api.openai.com/v1/responses/compact",
                {"model": "gpt-5.1", "previous_response_id": "resp_0c1ab2cd3ef4056700691c2e9f1a8c8190"},
            ),
            resp(json.dumps(body, indent=2)),
        ),
    )


def openai_embeddings_br() -> None:
    body = {
        "object": "list",
        "data": [
            {
                "object": "embedding",
                "index": 0,
                "embedding": [0.0023064255, -0.009327292, 0.015797347, -0.0077780345],
            }
        ],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 8, "total_tokens": 8},
    }
    headers = {"content-type": ["application/json"], "content-encoding": ["br"]}
    write(
        "openai_embeddings_br",
        (
            req(
                "POST",
                "https://api.openai.com/v1/embeddings",
                {"model": "text-embedding-3-small", "input": "The food was delicious and the waiter..."},
                accept_encoding="gzip, deflate, br",
            ),
            resp(brotli.compress(json.dumps(body).encode()), headers=headers),
        ),
    )


def anthropic_messages() -> None:
    body = {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [
            {"type": "text", "text": "I'll check the weather in Paris."},
            {
                "type": "tool_use",
                "id": "toolu_01A09q90qw90lq917835lq9",
                "name": "get_weather",
                "input": {"city": "Paris"},
            },
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 12,
            "cache_creation_input_tokens": 248,
            "cache_read_input_tokens": 1800,
            "cache_creation": {"ephemeral_5m_input_tokens": 248, "ephemeral_1h_input_tokens": 0},
            "output_tokens": 350,
            "service_tier": "standard",
        },
    }
    request = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "system": [{"type": "text", "text": "You are a weather bot.", "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": "What's the weather in Paris?"}],
        "tools": [
            {
                "name": "get_weather",
                "description": "Current weather",
                "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
            }
        ],
    }
    write(
        "anthropic_messages_cache_tool",
        (
            req("POST", "https://api.anthropic.com/v1/messages", request, anthropic_version="2023-06-01"),
            resp(json.dumps(body)),
        ),
    )


def anthropic_complete_stream() -> None:
    """Anthropic's legacy Text Completions (POST /v1/complete, Claude 2), streamed as langsmith-sdk
    recorded it: ``completion`` events carrying the text in pieces, a ping, and no usage."""
    piece = {"type": "completion", "id": "compl_0165d3nuKrpMxcX7GRE293fk", "model": "claude-2.1", "stop": None}
    texts = [(" Hi", None), (" i", None), ("'m", "max_tokens")]
    events: list[tuple[str | None, Any]] = [
        ("completion", {**piece, "completion": text, "stop_reason": reason, "log_id": piece["id"]})
        for text, reason in texts
    ]
    events.insert(2, ("ping", {"type": "ping"}))
    request = {
        "max_tokens_to_sample": 3,
        "model": "claude-2.1",
        "prompt": "\n\nHuman: Say 'Hi i'm Claude' then stop.\n\nAssistant:",
        "stream": True,
        "temperature": 0,
    }
    write(
        "anthropic_complete_stream",
        (
            req("POST", "https://api.anthropic.com/v1/complete", request, anthropic_version="2023-06-01"),
            resp(sse(events), headers=SSE_HEADERS),
        ),
    )


def anthropic_messages_cache_1h() -> None:
    """Prompt caching with both time-to-lives: a one-hour write costs 2x input, a five-minute one 1.25x."""
    body = {
        "id": "msg_01Hq3vN8TtXcW2b1KZ7pLr4A",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": "The contract renews on 1 March unless cancelled in writing."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 20,
            "cache_creation_input_tokens": 3000,
            "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
            "output_tokens": 100,
            "service_tier": "standard",
        },
    }
    request = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "system": [
            {"type": "text", "text": "You answer questions about contracts.", "cache_control": {"type": "ephemeral"}},
            {
                "type": "text",
                "text": "<contract>... the full contract text ...</contract>",
                "cache_control": {"type": "ephemeral", "ttl": "1h"},
            },
        ],
        "messages": [{"role": "user", "content": "When does the contract renew?"}],
    }
    write(
        "anthropic_messages_cache_1h",
        (
            req("POST", "https://api.anthropic.com/v1/messages", request, anthropic_version="2023-06-01"),
            resp(json.dumps(body)),
        ),
    )


def _anthropic_stream_events(
    model: str, start_usage: dict[str, Any], final_usage: dict[str, Any]
) -> list[dict[str, Any]]:
    return [
        {
            "type": "message_start",
            "message": {
                "id": "msg_01G8vHTyK2Ld5Ab3wZ",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": start_usage,
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "ping"},
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": "Here is the weather"},
        },
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": " in New York City."},
        },
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": final_usage,
        },
        {"type": "message_stop"},
    ]


def anthropic_stream_server_tools() -> None:
    # Shape and numbers of the streaming guide's web-search example: the final
    # message_delta's cumulative input (10682) dwarfs message_start's (2679).
    events = _anthropic_stream_events(
        "claude-sonnet-4-5-20250929",
        {
            "input_tokens": 2679,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 3,
        },
        {
            "input_tokens": 10682,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 510,
            "server_tool_use": {"web_search_requests": 1},
        },
    )
    request = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "stream": True,
        "messages": [{"role": "user", "content": "What's the weather in NYC?"}],
        "tools": [{"type": "web_search_20250305", "name": "web_search", "max_uses": 5}],
    }
    write(
        "anthropic_stream_server_tools",
        (
            req("POST", "https://api.anthropic.com/v1/messages", request, anthropic_version="2023-06-01"),
            resp(sse([(e["type"], e) for e in events]), headers=SSE_HEADERS),
        ),
    )


def anthropic_stream_error() -> None:
    events = _anthropic_stream_events(
        "claude-haiku-4-5-20251001", {"input_tokens": 25, "output_tokens": 1}, {"output_tokens": 1}
    )[:4]
    body = sse([(e["type"], e) for e in events]) + sse(
        [("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})]
    )
    write(
        "anthropic_stream_error",
        (
            req(
                "POST",
                "https://api.anthropic.com/v1/messages",
                {
                    "model": "claude-haiku-4-5",
                    "max_tokens": 256,
                    "stream": True,
                    "messages": [{"role": "user", "content": "Hi"}],
                },
                anthropic_version="2023-06-01",
            ),
            resp(body, headers=SSE_HEADERS),
        ),
    )


GEMINI_REQ = {
    "contents": [{"role": "user", "parts": [{"text": "What's the weather in Paris?"}]}],
    "tools": [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "parameters": {"type": "OBJECT", "properties": {"city": {"type": "STRING"}}},
                }
            ]
        }
    ],
}


def gemini_generate_content() -> None:
    body = {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {
                            "functionCall": {"name": "get_weather", "args": {"city": "Paris"}},
                            "thoughtSignature": "CiQB0e2Kb0EXAMPLE",
                        }
                    ],
                    "role": "model",
                },
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 58,
            "candidatesTokenCount": 15,
            "totalTokenCount": 163,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 58}],
            "thoughtsTokenCount": 90,
        },
        "modelVersion": "gemini-2.5-flash",
        "responseId": "ezh8aaKTCYSnqtsP-qXkqQI",
    }
    write(
        "gemini_generate_content_tool",
        (
            req(
                "POST",
                "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
                GEMINI_REQ,
            ),
            google_answer(body),
        ),
    )


def gemini_audio_cache() -> None:
    # An audio question over a cached text context: promptTokensDetails lists TEXT and AUDIO,
    # cacheTokensDetails only the TEXT the cache held (Gemini leaves out modalities it did not read).
    request = {
        "cachedContent": "cachedContents/ctx-paris-guide",
        "contents": [{"role": "user", "parts": [{"inlineData": {"mimeType": "audio/wav", "data": "UklGRg=="}}]}],
    }
    body = {
        "candidates": [
            {
                "content": {"parts": [{"text": "The Louvre opens at 9."}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 1500,
            "candidatesTokenCount": 10,
            "totalTokenCount": 1510,
            "cachedContentTokenCount": 1024,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 1200}, {"modality": "AUDIO", "tokenCount": 300}],
            "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 1024}],
            "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 10}],
        },
        "modelVersion": "gemini-2.5-flash",
        "responseId": "QXVkaW9DYWNoZUNhc3NldHRl",
    }
    write(
        "gemini_generate_content_audio_cache",
        (
            req(
                "POST",
                "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
                request,
            ),
            google_answer(body),
        ),
    )


GEMINI_EMBED_URL = "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001"
GEMINI_EMBED_TEXTS = ("Paris is the capital of France.", "Berlin is the capital of Germany.")


def gemini_embeddings() -> None:
    """batchEmbedContents answers with vectors only; embedContent here carries usageMetadata."""
    batch = {
        "requests": [
            {
                "model": "models/gemini-embedding-001",
                "content": {"parts": [{"text": text}]},
                "taskType": "RETRIEVAL_DOCUMENT",
                "outputDimensionality": 3,
            }
            for text in GEMINI_EMBED_TEXTS
        ]
    }
    vectors = {"embeddings": [{"values": [0.0123, -0.0456, 0.0789]}, {"values": [0.0321, -0.0654, 0.0987]}]}
    headers = {"content-type": [GOOGLE_JSON]}
    write(
        "gemini_batch_embed",
        (
            req("POST", f"{GEMINI_EMBED_URL}:batchEmbedContents", batch),
            resp(json.dumps(vectors, indent=2), headers=headers),
        ),
    )
    single = {"embedding": {"values": [0.0123, -0.0456, 0.0789]}, "usageMetadata": {"promptTokenCount": 8}}
    write(
        "gemini_embed_usage",
        (
            req("POST", f"{GEMINI_EMBED_URL}:embedContent", batch["requests"][0]),
            resp(json.dumps(single, indent=2), headers=headers),
        ),
    )


def gemini_vertex() -> None:
    body = {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": "The capital of France is Paris.\n"}]},
                "finishReason": "STOP",
                "avgLogprobs": -0.00055,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 13,
            "candidatesTokenCount": 8,
            "totalTokenCount": 21,
            "trafficType": "ON_DEMAND",
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 13}],
            "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 8}],
        },
        "modelVersion": "gemini-2.0-flash",
        "createTime": "2025-12-31T15:46:13.983958Z",
        "responseId": "RUVVaZaHPI3UhMIPlvb66AY",
    }
    write(
        "gemini_vertex_generate_content",
        (
            req(
                "POST",
                "https://us-central1-aiplatform.googleapis.com/v1beta1/projects/example-project/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent",
                {"contents": [{"role": "user", "parts": [{"text": "What is the capital of France?"}]}]},
            ),
            google_answer(body),
        ),
    )


def _gemini_chunk(text: str, usage: dict[str, Any], finish: bool) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
    if finish:
        candidate["finishReason"] = "STOP"
    return {
        "candidates": [candidate],
        "usageMetadata": usage,
        "modelVersion": "gemini-2.5-flash",
        "responseId": "nT9xaO7WGqW7nvgPy8mH4Ac",
    }


def _gemini_stream_chunks() -> list[dict[str, Any]]:
    partial = {
        "promptTokenCount": 15,
        "totalTokenCount": 15,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 15}],
    }
    final = {
        "promptTokenCount": 15,
        "candidatesTokenCount": 8,
        "totalTokenCount": 39,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 15}],
        "thoughtsTokenCount": 16,
    }
    return [
        _gemini_chunk("The capital of France", partial, False),
        _gemini_chunk(" is **Paris**.", final, True),
    ]


def gemini_stream_sse() -> None:
    body = "".join(f"data: {json.dumps(c)}\r\n\r\n" for c in _gemini_stream_chunks())
    write(
        "gemini_stream_sse",
        (
            req(
                "POST",
                "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                {"contents": [{"role": "user", "parts": [{"text": "What is the capital of France?"}]}]},
            ),
            resp(body, headers={"content-type": ["text/event-stream"], "content-disposition": ["attachment"]}),
        ),
    )


def gemini_stream_array_gzip() -> None:
    body = json.dumps(_gemini_stream_chunks(), indent=2).replace("\n}, {", "\n}\r\n,\r\n{")
    headers = {"content-type": [GOOGLE_JSON], "content-encoding": ["gzip"]}
    write(
        "gemini_stream_array_gzip",
        (
            req(
                "POST",
                "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent",
                {"contents": [{"role": "user", "parts": [{"text": "What is the capital of France?"}]}]},
                accept_encoding="gzip",
            ),
            resp(gzip.compress(body.encode(), mtime=0), headers=headers),
        ),
    )


def gemini_vertex_stream_enum_int() -> None:
    """The ``vertexai`` SDK's REST transport asks for ``enum-encoding=int``: its answers number
    their enums (``finishReason: 1``, ``modality: 1``). From opentelemetry-python-contrib's
    vertexai instrumentation cassette ``test_stream_function_call_choice.yaml``."""
    weather = {"name": "get_current_weather", "parameters": {"type": 6, "properties": {"location": {"type": 1}}}}
    call = [
        {"functionCall": {"name": "get_current_weather", "args": {"location": city}}}
        for city in ("New Delhi", "San Francisco")
    ]
    answer = [
        {
            "candidates": [{"content": {"role": "model", "parts": call}, "finishReason": 1}],
            "usageMetadata": {
                "promptTokenCount": 72,
                "candidatesTokenCount": 16,
                "totalTokenCount": 88,
                "promptTokensDetails": [{"modality": 1, "tokenCount": 72}],
                "candidatesTokensDetails": [{"modality": 1, "tokenCount": 16}],
            },
            "modelVersion": "gemini-1.5-flash-002",
            "createTime": "2025-03-05T04:44:12.226326Z",
            "responseId": "nNbHZ5boDZeTmecP49qwuQU",
        }
    ]
    write(
        "gemini_vertex_stream_enum_int",
        (
            req(
                "POST",
                "https://us-central1-aiplatform.googleapis.com/v1/projects/example-project/locations/us-central1/"
                "publishers/google/models/gemini-1.5-flash-002:streamGenerateContent?%24alt=json%3Benum-encoding%3Dint",
                {
                    "contents": [
                        {"role": "user", "parts": [{"text": "Get weather details in New Delhi and San Francisco?"}]}
                    ],
                    "tools": [{"functionDeclarations": [weather]}],
                },
            ),
            google_answer(answer),
        ),
    )


def azure_chat() -> None:
    body = {
        "choices": [
            {
                "content_filter_results": {"hate": {"filtered": False, "severity": "safe"}},
                "finish_reason": "stop",
                "index": 0,
                "logprobs": None,
                "message": {
                    "content": "Bonjour ! Comment puis-je vous aider ?",
                    "refusal": None,
                    "role": "assistant",
                },
            }
        ],
        "created": 1735000000,
        "id": "chatcmpl-AzUre0001",
        "model": "gpt-4o-2024-11-20",
        "object": "chat.completion",
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
        "system_fingerprint": "fp_b705f0c291",
        "usage": {
            "completion_tokens": 12,
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
            "prompt_tokens": 2100,
            "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},
            "total_tokens": 2112,
        },
    }
    write(
        "azure_openai_chat",
        (
            req(
                "POST",
                "https://contoso-eastus.openai.azure.com/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21",
                {"messages": [{"role": "user", "content": "Say hello in French."}]},
            ),
            resp(json.dumps(body)),
        ),
    )


BEDROCK_MODEL_CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"


def bedrock_converse() -> None:
    body = {
        "metrics": {"latencyMs": 1570},
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"text": "Let me look that up."},
                    {
                        "toolUse": {
                            "toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                            "name": "get_weather",
                            "input": {"city": "Paris"},
                        }
                    },
                ],
            }
        },
        "stopReason": "tool_use",
        "usage": {
            "inputTokens": 420,
            "outputTokens": 96,
            "totalTokens": 2516,
            "cacheReadInputTokens": 2000,
            "cacheWriteInputTokens": 0,
        },
    }
    request = {
        "messages": [{"role": "user", "content": [{"text": "What's the weather in Paris?"}]}],
        "system": [{"text": "You are a weather bot."}, {"cachePoint": {"type": "default"}}],
        "toolConfig": {"tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object"}}}}]},
    }
    headers = {
        "content-type": ["application/json"],
        "x-amzn-requestid": ["8f2c3f6e-1c1b-4e7a-9c55-0a1b2c3d4e5f"],
    }
    write(
        "bedrock_converse_tool",
        (
            req(
                "POST",
                "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
                + BEDROCK_MODEL_CLAUDE.replace(":", "%3A")
                + "/converse",
                request,
            ),
            resp(json.dumps(body), headers=headers),
        ),
    )


def bedrock_converse_gateway() -> None:
    # Bedrock's Converse path behind a gateway on localhost, as pydantic-ai records its AI Gateway
    # (tests/providers/cassettes/test_gateway/test_gateway_provider_with_bedrock.yaml): the host
    # names no provider, the path and the model id are Bedrock's; the gateway adds its own
    # (non-token) cost estimate inside usage.
    body = {
        "metrics": {"latencyMs": 657},
        "output": {"message": {"role": "assistant", "content": [{"text": "The capital of France is Paris."}]}},
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": 7,
            "outputTokens": 90,
            "pydantic_ai_gateway": {"cost_estimate": 1.2845e-05},
            "serverToolUsage": {},
            "totalTokens": 97,
        },
    }
    request = {"messages": [{"role": "user", "content": [{"text": "What is the capital of France?"}]}]}
    write(
        "bedrock_converse_gateway",
        (
            req("POST", "http://localhost:8787/bedrock/model/amazon.nova-micro-v1%3A0/converse", request),
            resp(json.dumps(body)),
        ),
    )


def _frame(event_type: str, payload: dict[str, Any]) -> bytes:
    payload = payload | {"p": "abcdefghijklmnopqrstuvwxyzABCDEFGH"[: 8 + len(event_type)]}
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    return encode(headers, json.dumps(payload, separators=(",", ":")).encode())


def bedrock_converse_stream() -> None:
    frames = [
        _frame("messageStart", {"role": "assistant"}),
        _frame(
            "contentBlockDelta",
            {"contentBlockIndex": 0, "delta": {"text": "The capital of France is Paris."}},
        ),
        _frame("contentBlockStop", {"contentBlockIndex": 0}),
        _frame("messageStop", {"stopReason": "end_turn"}),
        _frame(
            "metadata",
            {
                "metrics": {"latencyMs": 391},
                "usage": {"inputTokens": 13, "outputTokens": 82, "serverToolUsage": {}, "totalTokens": 95},
            },
        ),
    ]
    headers = {"content-type": ["application/vnd.amazon.eventstream"], "transfer-encoding": ["chunked"]}
    write(
        "bedrock_converse_stream",
        (
            req(
                "POST",
                "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-micro-v1%3A0/converse-stream",
                {
                    "messages": [{"role": "user", "content": [{"text": "What is the capital of France?"}]}],
                    "inferenceConfig": {"temperature": 0.0},
                },
            ),
            resp(b"".join(frames), headers=headers),
        ),
    )


CLAUDE_INVOKE_REQ = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 512,
    "messages": [{"role": "user", "content": "What is the ultimate question?"}],
}


def bedrock_invoke_claude() -> None:
    body = {
        "id": "msg_bdrk_019V7ABaw8ZZZYuRDSTWK7VE",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-5-haiku-20241022",
        "content": [{"type": "text", "text": "42 is the answer; the question is unknown."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 30,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 265,
        },
    }
    headers = {
        "content-type": ["application/json"],
        "x-amzn-requestid": ["c1a2b3c4-d5e6-47f8-9a0b-1c2d3e4f5a6b"],
        "x-amzn-bedrock-invocation-latency": ["926"],
        "x-amzn-bedrock-input-token-count": ["30"],
        "x-amzn-bedrock-output-token-count": ["265"],
    }
    write(
        "bedrock_invoke_claude",
        (
            req(
                "POST",
                "https://bedrock-runtime.us-west-2.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke",
                CLAUDE_INVOKE_REQ,
            ),
            resp(json.dumps(body), headers=headers),
        ),
    )


def bedrock_invoke_global_arn() -> None:
    body = {
        "id": "msg_bdrk_01GLoBaLpRoFiLe7H2sNq4Xw",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": "Paris."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 1200,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 300,
        },
    }
    headers = {
        "content-type": ["application/json"],
        "x-amzn-requestid": ["e3c4d5e6-f7a8-4901-b2c3-d4e5f6a7b8c9"],
        "x-amzn-bedrock-input-token-count": ["1200"],
        "x-amzn-bedrock-output-token-count": ["300"],
    }
    arn = quote(
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        safe="",
    )
    write(
        "bedrock_invoke_global_arn",
        (
            req("POST", f"https://bedrock-runtime.us-east-1.amazonaws.com/model/{arn}/invoke", CLAUDE_INVOKE_REQ),
            resp(json.dumps(body), headers=headers),
        ),
    )


def bedrock_invoke_stream_claude() -> None:
    events = _anthropic_stream_events(
        "claude-3-5-haiku-20241022",
        {"input_tokens": 30, "output_tokens": 1},
        {"output_tokens": 120},
    )
    events = [e for e in events if e["type"] != "ping"]
    events[-1] = {
        "type": "message_stop",
        "amazon-bedrock-invocationMetrics": {
            "inputTokenCount": 30,
            "outputTokenCount": 120,
            "invocationLatency": 1540,
            "firstByteLatency": 410,
        },
    }
    frames = [_frame("chunk", {"bytes": base64.b64encode(json.dumps(e).encode()).decode()}) for e in events]
    headers = {
        "content-type": ["application/vnd.amazon.eventstream"],
        "x-amzn-requestid": ["d2b3c4d5-e6f7-4809-a1b2-c3d4e5f6a7b8"],
    }
    write(
        "bedrock_invoke_stream_claude",
        (
            req(
                "POST",
                "https://bedrock-runtime.us-west-2.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke-with-response-stream",
                CLAUDE_INVOKE_REQ,
            ),
            resp(b"".join(frames), headers=headers),
        ),
    )


#: Nova's InvokeModel request (messages-v1), as openinference's recorded Nova tests send it.
NOVA_INVOKE_REQ = {
    "schemaVersion": "messages-v1",
    "messages": [{"role": "user", "content": [{"text": "What is the weather in Seattle?"}]}],
    "toolConfig": {
        "tools": [
            {
                "toolSpec": {
                    "name": "get_weather",
                    "description": "Get the current weather for a location.",
                    "inputSchema": {
                        "json": {
                            "type": "object",
                            "properties": {"location": {"type": "string", "description": "The city and state"}},
                            "required": ["location"],
                        }
                    },
                }
            }
        ]
    },
    "inferenceConfig": {"maxTokens": 256, "temperature": 0.1},
}
NOVA_MICRO = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-micro-v1%3A0"


def bedrock_invoke_nova_tool() -> None:
    # Nova answers InvokeModel in Converse's shape: a toolUse block in output.message.content.
    body = {
        "output": {
            "message": {
                "content": [
                    {"text": "<thinking> I will use the get_weather tool for Seattle. </thinking>\n"},
                    {
                        "toolUse": {
                            "name": "get_weather",
                            "toolUseId": "f138f98b-8fa4-46e8-8d0f-6a3da738bb1d",
                            "input": {"location": "Seattle"},
                        }
                    },
                ],
                "role": "assistant",
            }
        },
        "stopReason": "tool_use",
        "usage": {
            "inputTokens": 408,
            "outputTokens": 54,
            "totalTokens": 462,
            "cacheReadInputTokenCount": 0,
            "cacheWriteInputTokenCount": 0,
        },
    }
    headers = {
        "content-type": ["application/json"],
        "x-amzn-requestid": ["aaebf521-b6ed-49bf-bc89-7e9bf3687284"],
        "x-amzn-bedrock-input-token-count": ["408"],
        "x-amzn-bedrock-output-token-count": ["54"],
        "x-amzn-bedrock-cache-read-input-token-count": ["0"],
        "x-amzn-bedrock-cache-write-input-token-count": ["0"],
    }
    write(
        "bedrock_invoke_nova_tool",
        (req("POST", f"{NOVA_MICRO}/invoke", NOVA_INVOKE_REQ), resp(json.dumps(body), headers=headers)),
    )


def bedrock_invoke_stream_nova_tool() -> None:
    # Nova's invoke-with-response-stream: Converse's events, one per base64 `chunk`, the last
    # with the usage and the invocation metrics.
    events: list[dict[str, Any]] = [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"delta": {"text": "I will look up Seattle."}, "contentBlockIndex": 0}},
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {
            "contentBlockStart": {
                "start": {"toolUse": {"toolUseId": "tooluse_nova_01", "name": "get_weather"}},
                "contentBlockIndex": 1,
            }
        },
        {"contentBlockDelta": {"delta": {"toolUse": {"input": '{"location":"Seattle"}'}}, "contentBlockIndex": 1}},
        {"contentBlockStop": {"contentBlockIndex": 1}},
        {"messageStop": {"stopReason": "tool_use"}},
        {
            "metadata": {
                "usage": {
                    "inputTokens": 420,
                    "outputTokens": 60,
                    "cacheReadInputTokenCount": 0,
                    "cacheWriteInputTokenCount": 0,
                },
                "metrics": {},
                "trace": {},
            },
            "amazon-bedrock-invocationMetrics": {
                "inputTokenCount": 420,
                "outputTokenCount": 60,
                "invocationLatency": 512,
                "firstByteLatency": 133,
                "cacheReadInputTokenCount": 0,
                "cacheWriteInputTokenCount": 0,
            },
        },
    ]
    frames = [
        _frame("chunk", {"bytes": base64.b64encode(json.dumps(e, separators=(",", ":")).encode()).decode()})
        for e in events
    ]
    headers = {
        "content-type": ["application/vnd.amazon.eventstream"],
        "x-amzn-bedrock-content-type": ["application/json"],
        "x-amzn-requestid": ["0c62afd7-cb58-45a7-9d78-49cddc10fca3"],
    }
    write(
        "bedrock_invoke_stream_nova_tool",
        (
            req("POST", f"{NOVA_MICRO}/invoke-with-response-stream", NOVA_INVOKE_REQ),
            resp(b"".join(frames), headers=headers),
        ),
    )


def bedrock_invoke_openai_tool() -> None:
    # OpenAI's open-weight models answer InvokeModel as Chat Completions (openinference records one).
    body = {
        "choices": [
            {
                "finish_reason": "tool_calls",
                "index": 0,
                "message": {
                    "content": None,
                    "refusal": None,
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": "chatcmpl-tool-5d3c9a1e",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"location": "Seattle"}'},
                        },
                        {
                            "id": "chatcmpl-tool-8f2b7c40",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"location": "Portland"}'},
                        },
                    ],
                },
            }
        ],
        "created": 1790160188,
        "id": "chatcmpl-5a1f0c7e9b2d4c3a8e6f",
        "model": "openai.gpt-oss-120b-1:0",
        "object": "chat.completion",
        "usage": {"completion_tokens": 80, "prompt_tokens": 300, "total_tokens": 380},
    }
    headers = {
        "content-type": ["application/json"],
        "x-amzn-requestid": ["eea3d244-44fb-4dc3-ab46-9643b83cdd42"],
        "x-amzn-bedrock-input-token-count": ["300"],
        "x-amzn-bedrock-output-token-count": ["80"],
    }
    request = {
        "messages": [{"role": "user", "content": "Weather in Seattle and Portland?"}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
        "max_completion_tokens": 256,
    }
    write(
        "bedrock_invoke_openai_tool",
        (
            req(
                "POST",
                "https://bedrock-runtime.us-west-2.amazonaws.com/model/openai.gpt-oss-120b-1%3A0/invoke",
                request,
            ),
            resp(json.dumps(body), headers=headers),
        ),
    )


def bedrock_invoke_stream_guardrail_blocked() -> None:
    # A guardrail that blocks the prompt, as traceloop's recorded test_guardrail_invoke_stream (Titan):
    # one chunk with the guardrail's canned answer and its trace, no invocation metrics. The model
    # never ran, so AWS bills no model tokens (only the guardrail's policy units).
    chunk = {
        "outputText": "Input blocked",
        "index": 0.0,
        "totalOutputTextTokenCount": 3.0,
        "inputTextTokenCount": 6.0,
        "amazon-bedrock-guardrailAction": "INTERVENED",
        "amazon-bedrock-trace": {
            "guardrail": {
                "input": {
                    "5zwrmdlsra2e": {
                        "topicPolicy": {
                            "topics": [{"name": "topic-1", "type": "DENY", "action": "BLOCKED", "detected": True}]
                        },
                        "invocationMetrics": {
                            "guardrailProcessingLatency": 267,
                            "usage": {"topicPolicyUnits": 1, "contentPolicyUnits": 1, "wordPolicyUnits": 1},
                            "guardrailCoverage": {"textCharacters": {"guarded": 30, "total": 30}},
                        },
                    }
                },
                "actionReason": "Guardrail blocked.",
            }
        },
    }
    frame = _frame("chunk", {"bytes": base64.b64encode(json.dumps(chunk).encode()).decode()})
    request = {"inputText": "How do I play tennis in Japan?", "textGenerationConfig": {"maxTokenCount": 1000}}
    write(
        "bedrock_invoke_stream_guardrail_blocked",
        (
            req(
                "POST",
                "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-text-express-v1/invoke-with-response-stream",
                request,
            ),
            resp(frame, headers={"content-type": ["application/vnd.amazon.eventstream"]}),
        ),
    )


def bedrock_embeddings() -> None:
    body = {
        "embedding": [0.0213, -0.0476, 0.0089, 0.0311],
        "embeddingsByType": {"float": [0.0213, -0.0476, 0.0089, 0.0311]},
        "inputTextTokenCount": 7,
    }
    headers = {
        "content-type": ["application/json"],
        "x-amzn-requestid": ["e3c4d5e6-f7a8-4910-b2c3-d4e5f6a7b8c9"],
        "x-amzn-bedrock-invocation-latency": ["58"],
        "x-amzn-bedrock-input-token-count": ["7"],
    }
    write(
        "bedrock_embeddings_titan",
        (
            req(
                "POST",
                "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke",
                {"inputText": "The food was delicious.", "dimensions": 256, "normalize": True},
            ),
            resp(json.dumps(body), headers=headers),
        ),
    )


def compatible_chat(
    name: str,
    url: str,
    model: str,
    usage: dict[str, Any],
    extra: dict[str, Any] | None = None,
    headers: dict[str, list[str]] | None = None,
    rid: str = "chatcmpl-compat01",
) -> None:
    body = {
        "id": rid,
        "object": "chat.completion",
        "created": 1736000000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Paris."},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
    }
    body.update(extra or {})
    write(
        name,
        (
            req("POST", url, {"model": model, "messages": [{"role": "user", "content": "Capital of France?"}]}),
            resp(json.dumps(body), headers=headers),
        ),
    )


def compatible() -> None:
    compatible_chat(
        "groq_chat",
        "https://api.groq.com/openai/v1/chat/completions",
        "llama-3.3-70b-versatile",
        {
            "queue_time": 0.0172,
            "prompt_tokens": 42,
            "prompt_time": 0.0021,
            "completion_tokens": 12,
            "completion_time": 0.0436,
            "total_tokens": 54,
            "total_time": 0.0457,
        },
        {"system_fingerprint": "fp_3f3b593e33", "x_groq": {"id": "req_01jq1p9f7"}},
    )
    # Recorded through a client whose base_url was rewritten to api.openai.com: the body is OpenRouter's.
    compatible_chat(
        "openrouter_under_openai_host",
        "https://api.openai.com/v1/chat/completions",
        "openai/gpt-4o-mini",
        {
            "prompt_tokens": 29,
            "completion_tokens": 33,
            "total_tokens": 62,
            "cost": 0.00002415,
            "is_byok": False,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "cost_details": {"upstream_inference_cost": None},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
        {"provider": "OpenAI", "system_fingerprint": "fp_aa07c96156"},
        rid="gen-1764926476-0N0195qHFzGljvYKVijc",
    )
    # content-encoding: gzip on a body that was stored already decoded.
    compatible_chat(
        "mistral_chat_mislabelled_gzip",
        "https://api.mistral.ai/v1/chat/completions",
        "mistral-small-latest",
        {"prompt_tokens": 10, "total_tokens": 24, "completion_tokens": 14},
        headers={"content-type": ["application/json"], "content-encoding": ["gzip"]},
        rid="cmpl-e5cc70bb28c444948073e77776eb30ef",
    )
    compatible_chat(
        "deepseek_chat",
        "https://api.deepseek.com/chat/completions",
        "deepseek-chat",
        {
            "prompt_tokens": 1300,
            "completion_tokens": 200,
            "total_tokens": 1500,
            "prompt_tokens_details": {"cached_tokens": 1024},
            "prompt_cache_hit_tokens": 1024,
            "prompt_cache_miss_tokens": 276,
        },
        rid="930c60df-bf64-41c9-a88e-3ec75f81e00e",
    )
    compatible_chat(
        "together_chat",
        "https://api.together.xyz/v1/chat/completions",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        {"prompt_tokens": 40, "completion_tokens": 10, "total_tokens": 50, "cached_tokens": 0},
        rid="oFs8Ltd-2j9zxn-8f3c1a2b3c4d5e6f",
    )
    compatible_chat(
        "fireworks_chat",
        "https://api.fireworks.ai/inference/v1/chat/completions",
        "accounts/fireworks/models/llama-v3p1-8b-instruct",
        {"prompt_tokens": 18, "total_tokens": 25, "completion_tokens": 7},
        rid="b1c2d3e4-f5a6-4789-8abc-def012345678",
    )
    compatible_chat(
        "xai_chat_reasoning",
        "https://api.x.ai/v1/chat/completions",
        "grok-3-mini",
        {
            "prompt_tokens": 30,
            "completion_tokens": 10,
            "total_tokens": 340,
            "prompt_tokens_details": {
                "text_tokens": 30,
                "audio_tokens": 0,
                "image_tokens": 0,
                "cached_tokens": 0,
            },
            "completion_tokens_details": {
                "reasoning_tokens": 300,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
            "num_sources_used": 0,
        },
        rid="3f4e5d6c-7b8a-4c9d-0e1f-2a3b4c5d6e7f",
    )
    compatible_chat(
        "localhost_proxy_chat",
        "http://localhost:8080/v1/chat/completions",
        "gpt-4o-mini-2024-07-18",
        {
            "prompt_tokens": 14,
            "completion_tokens": 7,
            "total_tokens": 21,
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
        rid="chatcmpl-Local0001",
    )


def openai_error_429() -> None:
    body = {
        "error": {
            "message": "Rate limit reached for gpt-4o-mini in organization org-xxxx on tokens per min (TPM).",
            "type": "tokens",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }
    headers = {"content-type": ["application/json"], "retry-after": ["2"]}
    write(
        "openai_error_429",
        (
            req(
                "POST",
                "https://api.openai.com/v1/chat/completions",
                {"model": "gpt-4o-mini", "messages": MSGS},
            ),
            resp(json.dumps(body), 429, headers),
        ),
    )


def openai_with_tool_http() -> None:
    llm = {
        "id": "chatcmpl-ToolHttp1",
        "object": "chat.completion",
        "created": 1736000100,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "It is 18°C and sunny in Paris."},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 140,
            "completion_tokens": 11,
            "total_tokens": 151,
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
    }
    weather = {"city": "Paris", "temperature_c": 18, "conditions": "sunny", "usage": {"requests_today": 3}}
    write(
        "openai_with_tool_http",
        (req("GET", "https://api.weather.example.com/v1/current?city=Paris"), resp(json.dumps(weather))),
        (
            req(
                "POST",
                "https://api.openai.com/v1/chat/completions",
                {"model": "gpt-4o-mini", "messages": MSGS},
            ),
            resp(json.dumps(llm)),
        ),
    )


# --------------------------------------------------------------------------- service tiers
# The tier a response was served in, where each API reports it: OpenAI's top-level
# ``service_tier`` (every Chat Completions chunk; the Responses object, in a stream the final
# ``response.completed`` one), Anthropic's ``usage.speed`` / ``usage.service_tier``, Gemini's
# ``usageMetadata.serviceTier``.


def openai_chat_flex() -> None:
    body = {
        "id": "chatcmpl-CflexO4mini01",
        "object": "chat.completion",
        "created": 1761800000,
        "model": "o4-mini-2025-04-16",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Summary: ...", "refusal": None, "annotations": []},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 2000,
            "completion_tokens": 1500,
            "total_tokens": 3500,
            "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 1024,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "flex",
        "system_fingerprint": None,
    }
    write(
        "openai_chat_flex",
        (
            req(
                "POST",
                "https://api.openai.com/v1/chat/completions",
                {
                    "model": "o4-mini",
                    "messages": [{"role": "user", "content": "Summarise this quarter's tickets."}],
                    "service_tier": "flex",
                },
            ),
            resp(json.dumps(body, indent=2)),
        ),
    )


def openai_chat_stream_priority() -> None:
    def chunk(delta: dict[str, Any] | None, finish: str | None = None, usage: Any = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-CprioStream02",
            "object": "chat.completion.chunk",
            "created": 1761800100,
            "model": "o4-mini-2025-04-16",
            "service_tier": "priority",
            "system_fingerprint": None,
            "choices": []
            if delta is None
            else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            "usage": usage,
            "obfuscation": "a1B2c",
        }

    usage = {
        "prompt_tokens": 3000,
        "completion_tokens": 800,
        "total_tokens": 3800,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 512, "audio_tokens": 0},
    }
    events: list[tuple[str | None, Any]] = [
        (None, chunk({"role": "assistant", "content": "", "refusal": None})),
        (None, chunk({"content": "Ticket"})),
        (None, chunk({"content": " triaged."})),
        (None, chunk({}, "stop")),
        (None, chunk(None, usage=usage)),
        (None, "[DONE]"),
    ]
    write(
        "openai_chat_stream_priority",
        (
            req(
                "POST",
                "https://api.openai.com/v1/chat/completions",
                {
                    "model": "o4-mini",
                    "messages": [{"role": "user", "content": "Triage this ticket."}],
                    "service_tier": "priority",
                    "stream": True,
                    "stream_options": {"include_usage": True},
                },
            ),
            resp(sse(events), headers=SSE_HEADERS),
        ),
    )


def openai_responses_stream_flex() -> None:
    rid = "resp_68f1c0ffee0a8190b1c2d3e4f5a6b7c8"
    model = "gpt-5-mini-2025-08-07"
    message = {
        "id": "msg_68f1c0ff",
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "annotations": [], "text": "Done."}],
    }
    usage = {
        "input_tokens": 4000,
        "input_tokens_details": {"cached_tokens": 2048},
        "output_tokens": 900,
        "output_tokens_details": {"reasoning_tokens": 640},
        "total_tokens": 4900,
    }
    # The opening events echo the tier asked for; response.completed says the one that served it.
    created = _response_obj("in_progress", None, [], model, rid) | {"service_tier": "auto"}
    done = _response_obj("completed", usage, [message], model, rid) | {"service_tier": "flex"}
    events: list[tuple[str | None, Any]] = [
        ("response.created", {"type": "response.created", "sequence_number": 0, "response": created}),
        ("response.in_progress", {"type": "response.in_progress", "sequence_number": 1, "response": created}),
        (
            "response.output_text.delta",
            {
                "type": "response.output_text.delta",
                "sequence_number": 2,
                "item_id": "msg_68f1c0ff",
                "output_index": 0,
                "content_index": 0,
                "delta": "Done.",
            },
        ),
        ("response.completed", {"type": "response.completed", "sequence_number": 3, "response": done}),
    ]
    write(
        "openai_responses_stream_flex",
        (
            req(
                "POST",
                "https://api.openai.com/v1/responses",
                {"model": "gpt-5-mini", "input": "Re-index the archive.", "service_tier": "auto", "stream": True},
            ),
            resp(sse(events), headers=SSE_HEADERS),
        ),
    )


def anthropic_messages_fast() -> None:
    body = {
        "id": "msg_01FastModeOpus48xyz",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-4-8",
        "content": [{"type": "text", "text": "Refactored."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 1500,
            "cache_creation_input_tokens": 500,
            "cache_read_input_tokens": 4000,
            "cache_creation": {"ephemeral_5m_input_tokens": 500, "ephemeral_1h_input_tokens": 0},
            "output_tokens": 700,
            "service_tier": "standard",
            "speed": "fast",
        },
    }
    request = {
        "model": "claude-opus-4-8",
        "max_tokens": 4096,
        "speed": "fast",
        "messages": [{"role": "user", "content": "Refactor this module to use dependency injection."}],
    }
    write(
        "anthropic_messages_fast",
        (
            req(
                "POST",
                "https://api.anthropic.com/v1/messages",
                request,
                anthropic_version="2023-06-01",
                anthropic_beta="fast-mode-2026-02-01",
            ),
            resp(json.dumps(body)),
        ),
    )


def gemini_generate_content_flex() -> None:
    body = {
        "candidates": [
            {
                "content": {
                    "parts": [{"inlineData": {"mimeType": "audio/L16;codec=pcm;rate=24000", "data": "AAAAAAAA"}}],
                    "role": "model",
                },
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 120,
            "candidatesTokenCount": 2400,
            "totalTokenCount": 2520,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 120}],
            "serviceTier": "flex",
        },
        "modelVersion": "gemini-3.8-flash-tts",
        "responseId": "Fl3xTtsResp0nse1d",
    }
    request = {
        "contents": [{"role": "user", "parts": [{"text": "Read the release notes aloud."}]}],
        "generationConfig": {"responseModalities": ["AUDIO"]},
        "serviceTier": "flex",
    }
    write(
        "gemini_generate_content_flex",
        (
            req(
                "POST",
                "https://generativelanguage.googleapis.com/v1beta/models/gemini-3.8-flash-tts:generateContent",
                request,
            ),
            google_answer(body),
        ),
    )


COHERE_MODEL = "command-r7b-12-2024"
COHERE_REQUEST = {
    "model": COHERE_MODEL,
    "messages": [{"role": "user", "content": "What's the weather in Paris?"}],
    "tools": [WEATHER_TOOL],
}


def openai_completions_davinci() -> None:
    # OpenAI's legacy Completions with a list of prompts, shaped as traceloop's recorded
    # test_batch_completion: the answer names the base model by an internal snapshot
    # ("davinci:2023-07-21-v2") where the request names "davinci-002".
    body = {
        "id": "cmpl-BG6hnYTp9dBvq5eMvXG5q8rJgWH1c",
        "object": "text_completion",
        "created": 1743178723,
        "model": "davinci:2023-07-21-v2",
        "choices": [
            {"text": " about tracing.", "index": 0, "logprobs": None, "finish_reason": "length"},
            {"text": " is a function calling itself.", "index": 1, "logprobs": None, "finish_reason": "length"},
        ],
        "usage": {"prompt_tokens": 13, "completion_tokens": 32, "total_tokens": 45},
    }
    request = {"model": "davinci-002", "prompt": ["Tell me a joke about opentelemetry", "Explain recursion"]}
    write(
        "openai_completions_davinci",
        (req("POST", "https://api.openai.com/v1/completions", request), resp(json.dumps(body))),
    )


def cohere_chat() -> None:
    # Cohere v2 Chat (api.cohere.com/v2/chat), shaped as pydantic-ai's recorded cassettes: no model in
    # the answer, usage.billed_units (what Cohere bills) beside usage.tokens (what the model saw).
    body = {
        "id": "5e3a1c9b-7f24-4d0e-9a61-2b8c4d7e9f10",
        "message": {
            "role": "assistant",
            "tool_plan": "I will look up the weather in Paris.",
            "tool_calls": [
                {
                    "id": "get_weather_7xk2m9q4",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        "finish_reason": "TOOL_CALL",
        "usage": {
            "billed_units": {"input_tokens": 37, "output_tokens": 19},
            "tokens": {"input_tokens": 1019, "output_tokens": 52},
        },
    }
    write("cohere_chat_tool", (req("POST", "https://api.cohere.com/v2/chat", COHERE_REQUEST), resp(json.dumps(body))))


def cohere_embed() -> None:
    # Cohere Embed v2 (api.cohere.com/v2/embed), as Cohere's API reference shows it: vectors by type,
    # meta.billed_units.input_tokens (what Cohere bills), no model (the request names it).
    body = {
        "id": "c91871ab-919f-47fc-b3c7-598e33333164",
        "texts": ["hello world", "Paris is the capital of France."],
        "embeddings": {"float": [[-0.007, -0.012, 0.034], [0.021, 0.005, -0.018]]},
        "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": 11}},
        "response_type": "embeddings_by_type",
    }
    request = {
        "model": "embed-v4.0",
        "texts": ["hello world", "Paris is the capital of France."],
        "input_type": "search_document",
        "embedding_types": ["float"],
    }
    write("cohere_embed", (req("POST", "https://api.cohere.com/v2/embed", request), resp(json.dumps(body))))


def cohere_chat_stream() -> None:
    # The v2 stream: typed events; only message-end carries the usage, in its delta.
    events: list[tuple[str | None, Any]] = [
        (
            "message-start",
            {
                "id": "9b1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
                "type": "message-start",
                "delta": {"message": {"role": "assistant", "content": []}},
            },
        ),
        (
            "content-start",
            {"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}},
        ),
        ("content-delta", {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "Paris"}}}}),
        ("content-delta", {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "."}}}}),
        ("content-end", {"type": "content-end", "index": 0}),
        (
            "message-end",
            {
                "type": "message-end",
                "delta": {
                    "finish_reason": "COMPLETE",
                    "usage": {
                        "billed_units": {"input_tokens": 13, "output_tokens": 7},
                        "tokens": {"input_tokens": 500, "output_tokens": 9},
                    },
                },
            },
        ),
    ]
    request = {"model": COHERE_MODEL, "messages": [{"role": "user", "content": "Capital of France?"}], "stream": True}
    write(
        "cohere_chat_stream",
        (
            req("POST", "https://api.cohere.com/v2/chat", request),
            resp(sse(events), headers=dict(SSE_HEADERS)),
        ),
    )


COHERE_V1_MODEL = "command-r-08-2024"


def cohere_v1_chat() -> None:
    # Cohere v1 Chat (api.cohere.com/v1/chat), shaped as traceloop's recorded test_cohere_chat_legacy:
    # the answer's text and tool_calls at the top, meta.billed_units (what Cohere bills) beside
    # meta.tokens (what the model saw), no model (the request names it).
    body = {
        "response_id": "0c5b2f4e-8d1a-4b7e-9f3c-6a2d1e8b7c40",
        "text": "I will look up the weather in Paris.",
        "generation_id": "7e1f9a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        "chat_history": [
            {"role": "USER", "message": "What's the weather in Paris?"},
            {"role": "CHATBOT", "message": "I will look up the weather in Paris."},
        ],
        "finish_reason": "COMPLETE",
        "tool_calls": [{"name": "get_weather", "parameters": {"city": "Paris"}}],
        "meta": {
            "api_version": {"version": "1"},
            "billed_units": {"input_tokens": 41, "output_tokens": 23},
            "tokens": {"input_tokens": 1024, "output_tokens": 55},
        },
    }
    request = {
        "model": COHERE_V1_MODEL,
        "message": "What's the weather in Paris?",
        "tools": [
            {
                "name": "get_weather",
                "description": "Current weather for a city",
                "parameter_definitions": {"city": {"type": "str", "required": True}},
            }
        ],
    }
    write("cohere_v1_chat_tool", (req("POST", "https://api.cohere.com/v1/chat", request), resp(json.dumps(body))))


def cohere_v1_chat_stream() -> None:
    # The v1 stream: one JSON object per line (application/stream+json); stream-end carries the
    # final answer, and its meta.billed_units.
    events = [
        {"is_finished": False, "event_type": "stream-start", "generation_id": "3f2e1d0c-9b8a-4f7e-a6d5-c4b3a2918070"},
        {"is_finished": False, "event_type": "text-generation", "text": "Paris"},
        {"is_finished": False, "event_type": "text-generation", "text": "."},
        {
            "is_finished": True,
            "event_type": "stream-end",
            "response": {
                "response_id": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
                "text": "Paris.",
                "generation_id": "3f2e1d0c-9b8a-4f7e-a6d5-c4b3a2918070",
                "finish_reason": "COMPLETE",
                "meta": {
                    "api_version": {"version": "1"},
                    "billed_units": {"input_tokens": 9, "output_tokens": 3},
                    "tokens": {"input_tokens": 75, "output_tokens": 3},
                },
            },
            "finish_reason": "COMPLETE",
        },
    ]
    body = "".join(json.dumps(event, separators=(",", ":")) + "\n" for event in events)
    request = {"model": COHERE_V1_MODEL, "message": "Capital of France?", "stream": True}
    write(
        "cohere_v1_chat_stream",
        (
            req("POST", "https://api.cohere.com/v1/chat", request),
            resp(body, headers={"content-type": ["application/stream+json"]}),
        ),
    )


def _hosted_tool_answer(
    name: str, item: dict[str, Any], text: str, usage: dict[str, Any], model: str, request: dict[str, Any]
) -> None:
    """A Responses answer with one hosted tool's output ``item`` and a message saying ``text``."""
    message = {
        "id": "msg_68b0f4a5d6e78190c3d4e5f607182930",
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": text}],
    }
    body = _response_obj("completed", usage, [item, message], model, "resp_68b0f49fb1c28190d4e5f60718293041")
    write(name, (req("POST", "https://api.openai.com/v1/responses", request), resp(json.dumps(body, indent=2))))


def openai_responses_code_interpreter() -> None:
    # A Responses answer that ran the hosted Code Interpreter, shaped as OpenAI's API reference
    # shows a code_interpreter_call item: billed by its container beside the tokens, which no
    # genai-prices price covers.
    item = {
        "id": "ci_68b0f4a1c2d38190a1b2c3d4e5f60718",
        "type": "code_interpreter_call",
        "status": "completed",
        "code": "import statistics\nprint(statistics.mean([3, 5, 8]))",
        "container_id": "cntr_68b0f4a0e3f48190b2c3d4e5f6071829",
        "outputs": [{"type": "logs", "logs": "5.333333333333333\n"}],
    }
    request = {
        "model": "gpt-4.1",
        "input": "What is the mean of 3, 5 and 8? Use Python.",
        "tools": [{"type": "code_interpreter", "container": {"type": "auto"}}],
    }
    usage = _responses_usage(1210, 96)
    _hosted_tool_answer(
        "openai_responses_code_interpreter", item, "The mean is 5.33.", usage, "gpt-4.1-2025-04-14", request
    )


def openai_responses_image_generation() -> None:
    # A Responses answer whose hosted image generation tool drew one image, shaped as OpenAI's API
    # reference shows an image_generation_call item (its base64 cut short): the image is billed at
    # the GPT Image model's rates, and the usage object counts the mainline model's tokens only.
    item = {
        "id": "ig_68b1a2c3d4e58190f60718293a4b5c6d",
        "type": "image_generation_call",
        "status": "completed",
        "revised_prompt": "A gray tabby cat hugging an otter with an orange scarf",
        "result": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ==",
    }
    request = {
        "model": "gpt-5",
        "input": "Draw a gray tabby cat hugging an otter with an orange scarf",
        "tools": [{"type": "image_generation"}],
    }
    usage = _responses_usage(2347, 74)
    _hosted_tool_answer("openai_responses_image_generation", item, "Here it is.", usage, "gpt-5-2025-08-07", request)


def openai_chat_search_preview() -> None:
    # A Chat Completions search model's answer, as OpenAI's web search guide shows one: it searched
    # the web before answering (every call of these models does), a search billed per call beside
    # the tokens; the answer lists only the pages it cites.
    body = {
        "id": "chatcmpl-BIZ7ZMDqe8XfhxCmkjw0eFhqTPHnk",
        "object": "chat.completion",
        "created": 1743708093,
        "model": "gpt-4o-search-preview-2025-03-11",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Here is a positive news story from today: a city turned a landfill into a park.",
                    "refusal": None,
                    "annotations": [
                        {
                            "type": "url_citation",
                            "url_citation": {
                                "end_index": 80,
                                "start_index": 0,
                                "title": "Landfill becomes a park",
                                "url": "https://example.com/park?utm_source=openai",
                            },
                        }
                    ],
                },
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 8,
            "completion_tokens": 211,
            "total_tokens": 219,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
    }
    request = {
        "model": "gpt-4o-search-preview",
        "web_search_options": {},
        "messages": [{"role": "user", "content": "What was a positive news story from today?"}],
    }
    write(
        "openai_chat_search_preview",
        (req("POST", "https://api.openai.com/v1/chat/completions", request), resp(json.dumps(body, indent=2))),
    )


def openai_responses_web_search() -> None:
    # A Responses answer with the hosted web search tool, shaped as pydantic-ai's recorded
    # test_openai_responses_model_web_search_tool: the web_search_call item is billed per call,
    # and the usage object counts only tokens.
    output = [
        {
            "id": "ws_68ac1e339ee8819289d2eb56",
            "type": "web_search_call",
            "status": "completed",
            "action": {"type": "search", "query": "weather in Paris today"},
        },
        {
            "id": "msg_68ac1e3616548192bc0265a3",
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [
                {
                    "type": "output_text",
                    "annotations": [
                        {
                            "type": "url_citation",
                            "start_index": 0,
                            "end_index": 20,
                            "title": "Paris weather",
                            "url": "https://example.com/paris?utm_source=openai",
                        }
                    ],
                    "logprobs": [],
                    "text": "Sunny, 21 C in Paris.",
                }
            ],
        },
    ]
    usage = _responses_usage(319, 56)
    body = _response_obj("completed", usage, output, "gpt-4o-2024-08-06", "resp_68ac1e32b0108192973c8cfec29c2e61")
    request = {
        "model": "gpt-4o",
        "input": "What's the weather in Paris today?",
        "tools": [{"type": "web_search_preview", "search_context_size": "medium"}],
    }
    write(
        "openai_responses_web_search",
        (req("POST", "https://api.openai.com/v1/responses", request), resp(json.dumps(body, indent=2))),
    )


def openai_images_generation() -> None:
    # Images API with gpt-image-1: the answer has no model, and a usage object split by modality
    # (the envelope of a live answer, as a public test fixture records it).
    body = {
        "created": 1791443261,
        "background": "opaque",
        "data": [
            {
                "b64_json": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ"
                "AAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
            }
        ],
        "output_format": "png",
        "quality": "low",
        "size": "1024x1024",
        "usage": {
            "input_tokens": 21,
            "input_tokens_details": {"image_tokens": 0, "text_tokens": 21},
            "output_tokens": 196,
            "output_tokens_details": {"image_tokens": 196, "text_tokens": 0},
            "total_tokens": 217,
        },
    }
    request = {
        "model": "gpt-image-1",
        "prompt": "A flat red circle centered on a plain white background.",
        "n": 1,
        "size": "1024x1024",
        "quality": "low",
    }
    write(
        "openai_images_generation",
        (req("POST", "https://api.openai.com/v1/images/generations", request), resp(json.dumps(body))),
    )


INTERACTIONS_URL = "https://generativelanguage.googleapis.com/v1beta/interactions"


def gemini_interactions() -> None:
    # Gemini Interactions API (POST /v1beta/interactions), shaped as openinference's recorded
    # cassettes: an Interaction object whose usage names its counts total_*_tokens, with per-modality
    # lists; a function call leaves it requires_action (billed: the model ran).
    request = {
        "model": "gemini-2.5-flash",
        "input": [{"type": "audio", "uri": "gs://bucket/question.wav"}, {"type": "text", "text": "Weather?"}],
        "tools": [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}],
    }
    body = {
        "id": "v1_ChdJbnRlcmFjdGlvbnNDYXNzZXR0ZTAx",
        "object": "interaction",
        "model": "gemini-2.5-flash",
        "status": "requires_action",
        "role": "model",
        "created": "2026-10-20T09:00:00Z",
        "updated": "2026-10-20T09:00:02Z",
        "outputs": [
            {"type": "thought", "signature": "CpQBAb4+9vs="},
            {"type": "function_call", "id": "fc_1", "name": "get_weather", "arguments": {"city": "Paris"}},
        ],
        "usage": {
            "input_tokens_by_modality": [{"modality": "text", "tokens": 1200}, {"modality": "audio", "tokens": 300}],
            "total_cached_tokens": 0,
            "total_input_tokens": 1500,
            "total_output_tokens": 40,
            "total_thought_tokens": 120,
            "total_tokens": 1660,
            "total_tool_use_tokens": 0,
        },
    }
    write("gemini_interactions_tool", (req("POST", INTERACTIONS_URL, request), resp(json.dumps(body))))


def gemini_interactions_stream() -> None:
    # The stream: typed events (event_type); interaction.complete carries the finished Interaction
    # and its usage. Earlier events may carry a running usage in metadata: not the final one.
    iid = "v1_ChdJbnRlcmFjdGlvbnNTdHJlYW0wMQ"
    events: list[tuple[str | None, Any]] = [
        (
            "interaction.start",
            {
                "event_type": "interaction.start",
                "interaction": {
                    "id": iid,
                    "model": "gemini-2.5-flash",
                    "object": "interaction",
                    "status": "in_progress",
                },
            },
        ),
        ("content.start", {"event_type": "content.start", "index": 0, "content": {"type": "thought"}}),
        (
            "content.delta",
            {"event_type": "content.delta", "index": 0, "delta": {"type": "thought_signature", "signature": "CiUB"}},
        ),
        ("content.stop", {"event_type": "content.stop", "index": 0}),
        ("content.start", {"event_type": "content.start", "index": 1, "content": {"type": "text"}}),
        (
            "content.delta",
            {
                "event_type": "content.delta",
                "index": 1,
                "delta": {"type": "text", "text": "Paris."},
                "metadata": {
                    "usage": {"total_input_tokens": 1100, "total_output_tokens": 2, "total_thought_tokens": 50}
                },
            },
        ),
        ("content.stop", {"event_type": "content.stop", "index": 1}),
        (
            "interaction.complete",
            {
                "event_type": "interaction.complete",
                "interaction": {
                    "id": iid,
                    "model": "gemini-2.5-flash",
                    "object": "interaction",
                    "status": "completed",
                    "service_tier": "standard",
                    "usage": {
                        "input_tokens_by_modality": [{"modality": "text", "tokens": 1100}],
                        "cached_tokens_by_modality": [{"modality": "text", "tokens": 1024}],
                        "total_cached_tokens": 1024,
                        "total_input_tokens": 1100,
                        "total_output_tokens": 30,
                        "total_thought_tokens": 50,
                        "total_tokens": 1180,
                        "total_tool_use_tokens": 0,
                    },
                },
            },
        ),
        ("done", "[DONE]"),
    ]
    request = {"model": "gemini-2.5-flash", "input": "Capital of France?", "stream": True}
    write(
        "gemini_interactions_stream",
        (req("POST", INTERACTIONS_URL, request), resp(sse(events), headers=dict(SSE_HEADERS))),
    )


VERTEX_BASE = "https://us-central1-aiplatform.googleapis.com/v1/projects/example-project/locations/us-central1"


def gemini_vertex_tuned_endpoint() -> None:
    # A tuned Gemini model is served at endpoints/{id}; the answer names its base model, whose
    # rates Vertex bills (as google-genai calls it with model="projects/.../endpoints/{id}").
    body = {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": "Ticket category: billing."}]},
                "finishReason": "STOP",
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 18,
            "candidatesTokenCount": 30,
            "thoughtsTokenCount": 120,
            "totalTokenCount": 168,
            "trafficType": "ON_DEMAND",
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 18}],
            "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 30}],
        },
        "modelVersion": "gemini-2.5-flash",
        "createTime": "2026-10-02T09:12:44.118206Z",
        "responseId": "bFTeaPqJB8-xnvgP3oKq-Ac",
    }
    write(
        "gemini_vertex_tuned_endpoint",
        (
            req(
                "POST",
                f"{VERTEX_BASE}/endpoints/1234567890123456789:generateContent",
                {"contents": [{"role": "user", "parts": [{"text": "Classify: my card was charged twice."}]}]},
            ),
            google_answer(body),
        ),
    )


def gemini_vertex_predict_embeddings() -> None:
    # Vertex's text embedding models answer :predict with each input's token count.
    request = {
        "instances": [{"task_type": "RETRIEVAL_DOCUMENT", "content": "Refunds are issued within 5 days."}],
        "parameters": {"outputDimensionality": 3},
    }
    body = {
        "predictions": [
            {
                "embeddings": {
                    "statistics": {"truncated": False, "token_count": 9},
                    "values": [0.0123, -0.0456, 0.0789],
                }
            }
        ],
        "metadata": {"billableCharacterCount": 29},
    }
    write(
        "gemini_vertex_predict_embeddings",
        (
            req("POST", f"{VERTEX_BASE}/publishers/google/models/gemini-embedding-001:predict", request),
            google_answer(body),
        ),
    )


def main() -> None:
    openai_chat()
    openai_chat_reasoning_gzip()
    openai_chat_stream(include_usage=True)
    openai_chat_stream(include_usage=False)
    openai_responses()
    openai_responses_stream()
    openai_responses_stream_incomplete_zero_usage()
    openai_responses_background()
    openai_responses_compact()
    openai_embeddings_br()
    anthropic_messages()
    anthropic_messages_cache_1h()
    anthropic_stream_server_tools()
    anthropic_stream_error()
    gemini_generate_content()
    gemini_vertex()
    gemini_embeddings()
    gemini_stream_sse()
    gemini_stream_array_gzip()
    gemini_vertex_stream_enum_int()
    azure_chat()
    bedrock_converse()
    bedrock_converse_gateway()
    bedrock_converse_stream()
    bedrock_invoke_claude()
    bedrock_invoke_global_arn()
    bedrock_invoke_stream_claude()
    bedrock_invoke_stream_guardrail_blocked()
    bedrock_invoke_nova_tool()
    bedrock_invoke_stream_nova_tool()
    bedrock_invoke_openai_tool()
    bedrock_embeddings()
    compatible()
    openai_error_429()
    openai_with_tool_http()
    openai_chat_flex()
    openai_chat_stream_priority()
    openai_responses_stream_flex()
    anthropic_messages_fast()
    gemini_generate_content_flex()
    openai_completions_davinci()
    cohere_chat()
    cohere_chat_stream()
    cohere_embed()
    cohere_v1_chat()
    cohere_v1_chat_stream()
    openai_responses_web_search()
    openai_responses_code_interpreter()
    openai_responses_image_generation()
    openai_chat_search_preview()
    openai_images_generation()
    gemini_interactions()
    gemini_interactions_stream()
    gemini_audio_cache()
    gemini_vertex_tuned_endpoint()
    gemini_vertex_predict_embeddings()
    anthropic_complete_stream()


if __name__ == "__main__":
    main()
