"""The usage of a plain, successful LLM call, read straight from what vcrpy holds.

Most calls a suite replays are the same few shapes: a 2xx JSON answer from OpenAI Chat
Completions, Anthropic Messages or Gemini ``generateContent``, or a Chat Completions stream,
on the provider's own host, with a well-formed usage object. For those, :func:`read` gives
what the general path (:func:`pytest_agentcost.interaction.from_vcr`, then
:func:`pytest_agentcost.usage.extract`) would, without building the
:class:`~pytest_agentcost.interaction.Interaction`, the parse state and the
:class:`~pytest_agentcost.usage.Extraction` around it: about a third less work per call.

It reads usage, and the service tier that prices it, with the same genai-prices extractors,
usage check, tier readers and stream reader as the general path, and it decides only what it
can decide exactly. Anything else (another endpoint or status, a compressed body, another kind
of stream, a host that needs the body to say who answered, an answer that states its own cost
(:func:`~pytest_agentcost.usage.states_its_cost`), an error object or event, a missing
or malformed usage, a response that names no model) makes it return None, and the general path
reads the call. ``tests/unit/test_lean.py`` holds the two paths equal on generated calls and on
every cassette in the test data.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from genai_prices import Usage

from pytest_agentcost import _sse
from pytest_agentcost import usage as usage_mod
from pytest_agentcost.interaction import json_or_none, netloc_of
from pytest_agentcost.models import PriceContext
from pytest_agentcost.usage import (
    PROVIDER_MARKERS,
    STATED_COST_PROVIDERS,
    STREAM_PATH_SUFFIXES,
    _run_extractor,
    _str,
    _url_facts,
    _usage_problems,
    anthropic_context,
    anthropic_tool_calls,
    chat_tool_calls,
    gemini_tool_calls,
    priced_geo_apart,
    searches_every_call,
    service_tier_context,
    states_its_cost,
)

__all__ = ["LeanCall", "read"]


class LeanCall(NamedTuple):
    """What the general path's record of the call is made of."""

    host: str
    status: int
    provider: str
    endpoint: str
    model: str
    usage: Usage
    tool_calls: int
    response_id: str | None
    streamed: bool = False
    price_context: PriceContext = ()


@functools.lru_cache(maxsize=4096)
def _url(url: str) -> tuple[str, bool]:
    """(host and port, whether the path is a streaming one), as the general path derives them from ``url``."""
    return netloc_of(url), urlsplit(url).path.endswith(STREAM_PATH_SUFFIXES)


def read(request: Any, response: Any) -> LeanCall | None:
    """The call's usage, or None when the general path must read it. Never raises."""
    try:
        return _read(request, response)
    except Exception:  # anything unexpected is the general path's to read and report
        return None


def _read(request: Any, response: Any) -> LeanCall | None:
    if type(response) is not dict:
        return None
    status = response.get("status")
    status = status.get("code") if type(status) is dict else None
    if type(status) is not int or not 200 <= status < 300:
        return None
    method = request.method
    url = request.uri
    if type(method) is not str or type(url) is not str or method.upper() != "POST":
        return None
    provider, endpoint = _url_facts("POST", url)
    if provider is None or endpoint not in _READERS:
        return None
    host, streamed_path = _url(url)
    if streamed_path:
        return None
    headers = response.get("headers")
    if type(headers) is not dict:
        return None
    stream_type = False
    for name, value in headers.items():
        lower = name.lower() if type(name) is str else None
        if lower == "content-encoding":
            return None
        if lower == "content-type" and "stream" in str(value).lower():
            stream_type = True
    body = response.get("body")
    raw = body.get("string") if type(body) is dict else None
    if type(raw) is bytes:
        text = raw.decode("utf-8", errors="replace")
    elif type(raw) is str:
        text = raw.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
    else:
        return None
    if text[:1] == "{":
        if stream_type:
            return None  # a JSON body the general path would call streamed
        return _READERS[endpoint](text, host, status, provider, endpoint)
    if endpoint == "openai.chat" and text.startswith("data:"):
        return _chat_stream(text, host, status, provider, endpoint)
    return None


def _parse(text: str) -> dict[str, Any] | None:
    doc = json_or_none(text)
    return doc if type(doc) is dict else None


def _priced(
    document: dict[str, Any], usage_obj: Any, provider: str, endpoint: str, parsed_model: str | None
) -> tuple[str, Usage] | None:
    """(model, usage) as the general path reads them exactly, or None (it estimates or warns)."""
    if usage_obj is None or _usage_problems(usage_obj):
        return None
    if provider in STATED_COST_PROVIDERS and states_its_cost(provider, usage_obj):
        return None  # priced at what it states, or unpriced for what it cannot: the general path says which
    try:
        model, usage = _run_extractor(provider, endpoint, document)
    except ValueError:
        return None
    model = model or parsed_model
    if endpoint == "openai.chat" and searches_every_call(model):
        return None  # its web search, billed per call: the general path keeps it
    return None if model is None else (model, usage)


#: Chat answers the general path reads: it looks in the body for who answered (OpenRouter's,
#: Groq's), and prices a Groq compound system model by model, or leaves it unpriced for the tools
#: it ran.
_GENERAL_PATH_MARKERS = (*PROVIDER_MARKERS, '"usage_breakdown"', '"executed_tools"')


def _chat(text: str, host: str, status: int, provider: str, endpoint: str) -> LeanCall | None:
    if any([marker in text for marker in _GENERAL_PATH_MARKERS]):
        return None
    doc = _parse(text)
    if doc is None or isinstance(doc.get("error"), dict):
        return None
    found = _priced(doc, doc.get("usage"), provider, endpoint, _str(doc.get("model")))
    if found is None:
        return None
    context = service_tier_context(doc.get("service_tier"))
    return LeanCall(host, status, provider, endpoint, *found, chat_tool_calls(doc), _str(doc.get("id")), False, context)


def _chat_stream(text: str, host: str, status: int, provider: str, endpoint: str) -> LeanCall | None:
    """A Chat Completions stream, read by the general path's own stream reader."""
    if any([marker in text for marker in _GENERAL_PATH_MARKERS]):
        return None
    events, _ = _sse.parse(text)
    parsed = usage_mod._Parsed()
    usage_obj = usage_mod._openai_chat_stream_fast(events, parsed, text)
    if parsed.error is not None:
        return None
    found = _priced({"model": parsed.model, "usage": usage_obj}, usage_obj, provider, endpoint, parsed.model)
    if found is None:
        return None
    return LeanCall(
        host, status, provider, endpoint, *found, parsed.tool_calls, parsed.response_id, True, parsed.price_context
    )


def _anthropic(text: str, host: str, status: int, provider: str, endpoint: str) -> LeanCall | None:
    doc = _parse(text)
    if doc is None or doc.get("type") == "error" or isinstance(doc.get("error"), dict):
        return None
    usage_obj = doc.get("usage")
    if isinstance(usage_obj, dict) and _uses_hosted_tools(usage_obj.get("server_tool_use")):
        return None  # hosted tool uses: the general path keeps them whichever host served the call
    if isinstance(usage_obj, dict) and usage_obj.get("iterations"):
        return None  # sampling iterations (compaction, an advisor): the general path sums them
    if priced_geo_apart(usage_obj) is not None:
        return None  # US-only inference, billed apart: the general path leaves it unpriced
    found = _priced(doc, usage_obj, provider, endpoint, _str(doc.get("model")))
    if found is None:
        return None
    tool_calls = anthropic_tool_calls(doc.get("content"))
    context = anthropic_context(doc.get("usage"))
    return LeanCall(host, status, provider, endpoint, *found, tool_calls, _str(doc.get("id")), False, context)


def _uses_hosted_tools(server_tool_use: Any) -> bool:
    """Whether a Claude answer's ``server_tool_use`` counts any use (``{"web_search_requests": 0}`` does not)."""
    return isinstance(server_tool_use, dict) and any(
        type(count) is not int or count != 0 for count in server_tool_use.values()
    )


def _gemini(text: str, host: str, status: int, provider: str, endpoint: str) -> LeanCall | None:
    doc = _parse(text)
    if doc is None or isinstance(doc.get("error"), dict):
        return None
    usage_obj = doc.get("usageMetadata")
    if not isinstance(usage_obj, dict):
        return None
    candidates = doc.get("candidates")
    if isinstance(candidates, list) and any(isinstance(c, dict) and "groundingMetadata" in c for c in candidates):
        return None  # grounded with Google Search: the general path says what that bills
    parsed_model = _str(doc.get("modelVersion"))
    # The general path hands genai-prices this document, not the whole body.
    document = {"modelVersion": parsed_model, "usageMetadata": usage_obj}
    found = _priced(document, usage_obj, provider, endpoint, parsed_model)
    if found is None:
        return None
    tool_calls = gemini_tool_calls(doc)
    context = service_tier_context(usage_obj.get("serviceTier"))
    return LeanCall(host, status, provider, endpoint, *found, tool_calls, _str(doc.get("responseId")), False, context)


_READERS = {
    "openai.chat": _chat,
    "anthropic.messages": _anthropic,
    "gemini.generate_content": _gemini,
}
