"""The fast Chat Completions stream reader answers exactly as the reader that decodes every chunk."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_agentcost import _sse, usage

TEXT = st.text(alphabet=st.sampled_from(list('ab "\\{}:,é☃\n')), max_size=8)
NAME = st.one_of(st.sampled_from(["gpt-4o-mini", "gpt-4o", "", "openrouter/auto"]), st.none(), st.integers(0, 3))
USAGE = st.one_of(
    st.none(),
    st.fixed_dictionaries({"prompt_tokens": st.integers(0, 99), "completion_tokens": st.integers(0, 99)}),
    st.integers(-1, 5),
    st.just("12"),
)
TOOL_CALL = st.fixed_dictionaries(
    {},
    optional={
        "index": st.integers(0, 3),
        "id": st.sampled_from(["call_1", "call_2"]),
        "function": st.fixed_dictionaries({}, optional={"name": TEXT, "arguments": TEXT}),
    },
)
DELTA = st.fixed_dictionaries(
    {},
    optional={
        "content": st.one_of(TEXT, st.none()),
        "tool_calls": st.one_of(st.lists(TOOL_CALL, max_size=2), st.none(), st.just({})),
        "role": st.just("assistant"),
    },
)
CHOICE = st.one_of(
    st.fixed_dictionaries({}, optional={"index": st.integers(0, 2), "delta": DELTA, "text": TEXT}),
    st.just("not a choice"),
)
CHUNK = st.fixed_dictionaries(
    {},
    optional={
        "id": NAME,
        "model": NAME,
        "service_tier": st.one_of(st.sampled_from(["flex", "priority", "default", ""]), st.none(), st.integers(0, 1)),
        "object": st.just("chat.completion.chunk"),
        "usage": USAGE,
        "x_groq": st.fixed_dictionaries({}, optional={"usage": USAGE, "id": st.just("req_1")}),
        "error": st.one_of(st.fixed_dictionaries({"message": TEXT, "type": st.just("server_error")}), st.just("oops")),
        "choices": st.one_of(st.lists(CHOICE, max_size=2), st.none()),
    },
)


@st.composite
def events(draw: st.DrawFn) -> list[_sse.SSEEvent]:
    result = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["chunk"] * 6 + ["done", "garbage", "list"]))
        if kind == "done":
            data = draw(st.sampled_from(["[DONE]", " [DONE] "]))
        elif kind == "garbage":
            data = draw(st.sampled_from(['{"model": "gpt-x", "usage": {', "not json", "", '"usage": {}']))
        elif kind == "list":
            data = json.dumps([{"usage": {"prompt_tokens": 1}}])
        else:
            compact = draw(st.booleans())
            data = json.dumps(
                draw(CHUNK),
                ensure_ascii=draw(st.booleans()),
                separators=(",", ":") if compact else (", ", ": "),
            )
            if draw(st.integers(0, 9)) == 0:
                # A key written with a unicode escape decodes to the same key.
                key = draw(st.sampled_from(["model", "usage", "id", "tool_calls", "error", "service_tier"]))
                data = data.replace(f'"{key}"', '"\\u00' + format(ord(key[0]), "x") + key[1:] + '"')
        result.append(_sse.SSEEvent(draw(st.sampled_from(["", "", "", "error", "message"])), data))
    return result


def _answers(reader: Any, stream: list[_sse.SSEEvent]) -> tuple[Any, ...]:
    parsed = usage._Parsed(model="from-request", response_id=None)
    try:
        found = reader([_sse.SSEEvent(e.event, e.data) for e in stream], parsed)
    except (TypeError, ValueError) as exc:
        return ("raises", type(exc).__name__)
    answers = (found, parsed.model, parsed.response_id, parsed.tool_calls, parsed.error, parsed.texts())
    return (*answers, parsed.price_context)


def _with_body(events: list[_sse.SSEEvent], parsed: usage._Parsed) -> Any:
    """The fast reader given the body the events came from, as the extractor calls it."""
    body = "".join(f"event: {event.event}\ndata: {event.data}\n\n" for event in events)
    return usage._openai_chat_stream_fast(events, parsed, body)


@settings(max_examples=600, deadline=None)
@given(stream=events())
def test_fast_reader_matches_reading_every_chunk(stream: list[_sse.SSEEvent]) -> None:
    expected = _answers(usage._openai_chat_stream, stream)
    assert _answers(usage._openai_chat_stream_fast, stream) == expected
    assert _answers(_with_body, stream) == expected


def test_fast_reader_decodes_only_chunks_that_matter() -> None:
    chunks: list[dict[str, Any]] = [
        {"id": "c1", "model": "gpt-4o-mini", "choices": [{"delta": {"content": f"w{i}"}}], "usage": None}
        for i in range(50)
    ]
    chunks.append({"id": "c1", "model": "gpt-4o-mini", "choices": [], "usage": {"prompt_tokens": 3}})
    stream = [_sse.SSEEvent("", json.dumps(c)) for c in chunks] + [_sse.SSEEvent("", "[DONE]")]
    parsed = usage._Parsed()
    assert usage._openai_chat_stream_fast(stream, parsed) == {"prompt_tokens": 3}
    decoded = [e for e in stream if e._json is not _sse._UNREAD]
    assert decoded == [stream[-2]]
    assert (parsed.model, parsed.response_id) == ("gpt-4o-mini", "c1")
    # The text is there when an estimate asks for it.
    assert "".join(parsed.texts()) == "".join(f"w{i}" for i in range(50))
