"""One HTTP interaction -> the LLM usage the provider reported for it.

:func:`detect` says whether an :class:`~pytest_agentcost.interaction.Interaction`
is an LLM call, and which provider and endpoint it hit; :func:`extract` reads
the usage. Usage is read with genai-prices' own extractors
(``Provider.extract_usage(body, api_flavor=...)``) wherever they exist; this
module only supplies what they do not: stream reassembly (SSE, Gemini's JSON
array, AWS event-stream frames), usage carried in headers (Bedrock InvokeModel
and embeddings), and provider detection by URL and by body shape.

Detection order
    1. the ``host_providers`` map (ini option): ``host:port`` then ``host``, except on a
       route genai-prices names by its path (Hugging Face's ``router.huggingface.co/together``);
    2. the URL: genai-prices' ``api_pattern`` for the provider, plus the path
       for the endpoint (``/chat/completions``, ``/responses``, ``/v1/messages``,
       ``:generateContent``, ``:embedContent``, ``/images/generations``,
       ``/model/{id}/converse``, Cohere's ``/v1/chat``, ``/v2/chat`` and ``/v2/embed``,
       Gemini's ``/interactions`` ...). An Azure ``/openai/deployments/`` path means
       Azure whatever the host, and a Bedrock ``/model/{id}/...`` path AWS when
       nothing else names a provider. On a host no provider or mapping names, a path
       a tool's own API may share (``/v1/chat``, ``/v2/chat``, ``/v2/embed``,
       ``/images/...``, ``:embedContent``, ``/interactions``) counts only with the
       provider's answer shape, or as what its answer shape says (an OpenAI-shaped
       answer on another vendor's ``/v1/chat``);
    3. the response body shape, for proxies, ``localhost`` and placeholder
       hosts, and to correct a misleading host (an OpenRouter answer recorded
       under ``api.openai.com``). Known provider hosts with an unknown path
       (``/v1/models``, OAuth tokens, ``count_tokens``) are not LLM calls.

What is reported when usage cannot be read (the policy)
    * HTTP status outside 2xx: ``billed=False``, zero usage, no estimate.
    * A 2xx stream carrying an error event (SSE ``event: error``, an
      ``{"error": ...}`` chunk, ``response.failed``, an event-stream exception
      frame): ``billed=False``, zero usage, and a warning.
    * A Bedrock InvokeModel answer or stream whose guardrail blocked the input
      (``amazon-bedrock-guardrailAction: INTERVENED``, no token counts, no model
      output in its trace): the model never ran; ``billed=False`` and a warning.
    * An OpenAI background-mode response or a Gemini background interaction
      still ``queued``/``in_progress``: ``billed=False`` without warning; the
      poll (``GET .../responses/{id}``, ``GET .../interactions/{id}``) that sees
      it completed is billed (callers bill each ``response_id`` once).
    * Any other 2xx answer without a usable usage (missing, malformed: strings,
      negatives, booleans, missing required fields; an empty, HTML or
      non-UTF-8 body; a truncated stream; a Gemini embedding answer, which
      never has token counts): the usage is *estimated* with
      :func:`pytest_agentcost.tokens.count_text` over the request's text and
      whatever response text could be read, ``estimated=True``, and a warning
      names the problem. A provider number is never presented as exact when
      part of its usage object is malformed.
    * Zero usage is ``Usage(input_tokens=0, output_tokens=0)``.

Service tiers
    genai-prices prices some tiers apart (``PriceVariant(when=...)``), selected by a price
    context. The tier a response reports is read into :attr:`Extraction.price_context`, keyed
    as genai-prices keys its variants: OpenAI's top-level ``service_tier`` (Chat Completions,
    each stream chunk, a Responses object, the final ``response.completed`` event) and Gemini's
    ``usageMetadata.serviceTier`` as ``service_tier``; Anthropic's ``usage.speed == "fast"`` as
    ``speed`` and ``usage.service_tier == "batch"`` as ``processing: batch`` (its ``priority``
    tier has no genai-prices variant). The standard tier (``default``, ``standard``, Groq's
    ``on_demand``) is no context: genai-prices' variants for it carry no prices.

:func:`extract` never raises for bad input.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import unquote, urlsplit

from genai_prices import Usage
from genai_prices.data_snapshot import get_snapshot

from pytest_agentcost import _eventstream, _sse
from pytest_agentcost._compiled_extractor import compile_extractor
from pytest_agentcost._genai_memo import SnapshotMemo
from pytest_agentcost.interaction import Interaction, host_keys, json_or_none
from pytest_agentcost.models import PriceContext, last_own, split_model_key
from pytest_agentcost.tokens import APPROX_ENCODING, count_text

__all__ = [
    "ENDPOINTS",
    "PER_ITERATION",
    "STATED_COST_CONTEXTS",
    "STATED_COST_PROVIDERS",
    "Extraction",
    "detect",
    "estimate_texts",
    "extract",
    "priced_as_stated",
    "stated_key",
    "states_its_cost",
]

_EMPTY_MAP: Mapping[str, str] = {}

#: Every endpoint label :func:`detect` can return.
ENDPOINTS = (
    "openai.chat",
    "openai.completions",
    "openai.responses",
    "openai.embeddings",
    "openai.images",
    "openai.audio",
    "openai.speech",
    "openai.videos",
    "openai.assistants",
    "anthropic.messages",
    "anthropic.complete",
    "anthropic.batch",
    "openai.batch",
    "gemini.batch",
    "gemini.generate_content",
    "gemini.embeddings",
    "gemini.interactions",
    "gemini.predict",
    "bedrock.converse",
    "bedrock.invoke",
    "bedrock.embeddings",
    "bedrock.agent",
    "cohere.chat",
    "cohere.embed",
    "cohere.rerank",
    "ollama.chat",
    "ollama.generate",
    "ollama.embed",
    "unread",
)


@dataclass(frozen=True)
class Extraction:
    """The usage of one LLM call, as the provider reported it (or as estimated)."""

    provider: str | None
    """genai-prices provider id used for pricing; None when unknown (price by model)."""
    endpoint: str
    """Stable label, one of :data:`ENDPOINTS`."""
    model: str | None
    """As the response names it, else the request body or URL."""
    usage: Usage
    """Full genai-prices usage; zeros when not billed."""
    streamed: bool
    billed: bool
    """False for HTTP errors, stream error events and pending background responses."""
    estimated: bool
    """True when ``usage`` was estimated with ``tokens.count_text``."""
    tool_calls: int
    """Tool calls the model asked for (client tools, not server-side tools)."""
    response_id: str | None
    is_poll: bool
    """True for ``GET /v1/responses/{id}`` (OpenAI background mode)."""
    warnings: tuple[str, ...] = ()
    price_context: PriceContext = ()
    """The tier the response reports, as the genai-prices price context (see the module docstring)."""
    billed_uses: tuple[str, ...] = ()
    """Hosted tool uses the answer lists, each billed on its own by the provider (``web_searches``):
    a price that leaves one out is no price for the call."""
    unpriced: bool = False
    """Billed by something the exchange does not record (the audio's length, speech tokens): no
    price is right, so the call is unpriced whatever its model's price (its warning says why)."""
    stated_cost: Decimal | None = None
    """What the answer says the call cost, where the price list cannot tell (see
    :data:`STATED_COST_CONTEXTS`): the call's cost. A price file entry for the model prices its
    tokens only, and leaves such a call unpriced."""
    parts: tuple[Usage, ...] = ()
    """The usage of each request ``usage`` sums, each priced on its own (a price tier is chosen by
    one request's size, not by their sum): a batch's results, or the sampling iterations a Claude
    answer lists (:func:`_iteration_parts`)."""
    part_models: tuple[str | None, ...] = ()
    """The model of each of ``parts`` when it is not the call's (None where it is): the advisor
    of a Claude answer, billed at its own model's rates."""


# --------------------------------------------------------------------------- detection

_BEDROCK_PATH = re.compile(
    r"/model/(?P<model>[^/]+)/(?P<op>converse-stream|converse|invoke-with-response-stream|invoke)/?$"
)
# Vertex serves a tuned Gemini model at .../endpoints/{id}:generateContent, billed at its base
# model's rates, which its answer's modelVersion names.
_GEMINI_PATH = re.compile(r"/(?:models|endpoints)/(?P<model>[^/:]+):(?P<op>streamGenerateContent|generateContent)$")
_GEMINI_EMBED_PATH = re.compile(r"/models/(?P<model>[^/:]+):(?P<op>batchEmbedContents|embedContent)$")
# Google's own models served through :predict (Vertex's text embeddings and Imagen, the Gemini
# API's Imagen). TensorFlow Serving answers the same path and shape, so only on Google's hosts.
_GEMINI_PREDICT_PATH = re.compile(r"/models/(?P<model>[^/:]+):(?P<op>predict|predictLongRunning)$")
#: OpenAI's video generation jobs (Sora): created, or remixed from another.
_VIDEOS_PATH = re.compile(r"/videos(?:/[A-Za-z0-9_\-]+/remix)?$")
#: The Assistants API's runs: creating one (``/threads/runs``, ``/threads/{id}/runs``), a run's
#: ``submit_tool_outputs`` and ``cancel``, and ``GET /threads/{id}/runs/{run_id}``, its poll.
_ASSISTANTS_RUN_PATH = re.compile(r"/threads/(?:[^/]+/)?runs(?:/[^/]+/(?:submit_tool_outputs|cancel))?$")
_ASSISTANTS_POLL_PATH = re.compile(r"/threads/[^/]+/runs/(?P<id>[A-Za-z0-9_\-]+)$")
# Not models/count-tokens:rawPredict: Anthropic's free token count, as /v1/messages/count_tokens is.
_VERTEX_ANTHROPIC_PATH = re.compile(
    r"/publishers/anthropic/models/(?!count-tokens:)(?P<model>[^/:]+):(?P<op>streamRawPredict|rawPredict)$"
)
#: OpenAI Images API calls billed by token (gpt-image-*): generations and edits.
_IMAGES_PATHS = ("/images/generations", "/images/edits", "/images/variations")
#: OpenAI's speech-to-text paths (Groq, Mistral and Azure serve them too).
_AUDIO_PATHS = ("/audio/transcriptions", "/audio/translations")
_RESPONSES_POLL_PATH = re.compile(r"/responses/(?P<id>[A-Za-z0-9_\-]+)/?$")
#: ``GET /v1beta/interactions/{id}``: a poll of a (background) Gemini interaction.
_INTERACTIONS_POLL_PATH = re.compile(r"/interactions/(?P<id>[A-Za-z0-9_\-]+)/?$")
#: The path of each endpoint's polls, whose answers repeat the usage of the id they poll.
#: A message batch's results (Anthropic) and a file's content (OpenAI: a batch's output file).
_ANTHROPIC_BATCH_RESULTS = re.compile(r"/messages/batches/(?P<id>[A-Za-z0-9_\-]+)/results$")
_OPENAI_FILE_CONTENT = re.compile(r"/files/(?P<id>[A-Za-z0-9_\-]+)/content$")
#: A Gemini batch (AI Studio): ``GET /v1beta/batches/{id}``, the operation that holds an inline
#: batch's results once done, and ``GET /download/v1beta/files/batch-{id}:download``, the results
#: file of a batch submitted as a file. Both name the batch's id.
_GEMINI_BATCH_PATH = re.compile(r"/(?:batches/|files/batch-)(?P<id>[A-Za-z0-9_\-]+)(?::download)?$")
#: Paths that submit a batch job on a provider's host: billed when it runs, where its results are read.
_BATCH_SUBMISSIONS = re.compile(r"(/batches|/batch/jobs)$")
_POLL_PATHS = {
    "openai.responses": _RESPONSES_POLL_PATH,
    "openai.assistants": _ASSISTANTS_POLL_PATH,
    "gemini.interactions": _INTERACTIONS_POLL_PATH,
    # Reading a batch's results again bills nothing more: once per batch (or file) id.
    "anthropic.batch": _ANTHROPIC_BATCH_RESULTS,
    "openai.batch": _OPENAI_FILE_CONTENT,
    "gemini.batch": _GEMINI_BATCH_PATH,
}
_AZURE_DEPLOYMENT = re.compile(r"/openai/deployments/(?P<deployment>[^/]+)/")
#: Bedrock Agents' InvokeAgent (``bedrock-agent-runtime``): a managed agent's whole task.
_BEDROCK_AGENT_PATH = re.compile(r"/agents/[^/]+/agentAliases/[^/]+/sessions/[^/]+/text$")
#: InvokeInlineAgent (``POST /agents/{sessionId}``): an agent defined in the request, which names
#: its ``foundationModel``. A path other APIs may have: on Bedrock's agent runtime host only.
_BEDROCK_INLINE_AGENT_PATH = re.compile(r"^/agents/[^/]+$")
#: In AWS's regional, FIPS and VPC endpoint host names alike.
_BEDROCK_AGENT_HOST = "bedrock-agent-runtime"


def _endpoint_from_path(method: str, path: str) -> str | None:
    """The endpoint a request path names, or None (also for free endpoints like count_tokens)."""
    path = path.rstrip("/") if path != "/" else path
    if _BEDROCK_PATH.search(path):
        match = _BEDROCK_PATH.search(path)
        assert match is not None
        model = unquote(match.group("model")).lower()
        if match.group("op").startswith("invoke"):
            return "bedrock.embeddings" if "embed" in model else "bedrock.invoke"
        return "bedrock.converse"
    if _GEMINI_PATH.search(path):
        return "gemini.generate_content"
    if _GEMINI_EMBED_PATH.search(path):
        return "gemini.embeddings"
    if _GEMINI_PREDICT_PATH.search(path):
        return "gemini.predict"
    if _VERTEX_ANTHROPIC_PATH.search(path):
        return "anthropic.messages"
    if method == "POST" and (_BEDROCK_AGENT_PATH.search(path) or _BEDROCK_INLINE_AGENT_PATH.match(path)):
        return "bedrock.agent"
    if method == "GET":
        if _RESPONSES_POLL_PATH.search(path) and not path.endswith(("/input_items", "/input_tokens")):
            return "openai.responses"
        if _ANTHROPIC_BATCH_RESULTS.search(path):
            return "anthropic.batch"
        if _OPENAI_FILE_CONTENT.search(path):
            return "openai.batch"
        if _INTERACTIONS_POLL_PATH.search(path):
            return "gemini.interactions"
        if _GEMINI_BATCH_PATH.search(path):
            return "gemini.batch"  # on Google's host only (an OpenAI batch's status is no result)
        if _ASSISTANTS_POLL_PATH.search(path):
            return "openai.assistants"
        return None
    if method != "POST":
        return None
    if _ASSISTANTS_RUN_PATH.search(path):
        return "openai.assistants"
    if path.endswith("/chat/completions"):
        return "openai.chat"
    if path.endswith(("/responses", "/responses/compact")):
        # /responses/compact: a compaction pass, billed; its answer (object "response.compaction")
        # names no model, the request does.
        return "openai.responses"
    if path.endswith("/embeddings"):
        return "openai.embeddings"
    if path.endswith(_IMAGES_PATHS):
        return "openai.images"
    if path.endswith(_AUDIO_PATHS):
        return "openai.audio"
    if path.endswith("/audio/speech"):
        return "openai.speech"
    if _VIDEOS_PATH.search(path):
        return "openai.videos"
    if path.endswith("/completions"):
        return "openai.completions"
    if path.endswith("/v1/messages") or path == "/messages":
        return "anthropic.messages"
    if path.endswith("/v1/complete"):
        return "anthropic.complete"
    if path.endswith(("/v2/chat", "/v1/chat", "/v1/generate")):
        return "cohere.chat"
    if path.endswith(("/v2/embed", "/v1/embed")):
        return "cohere.embed"
    if path.endswith(("/v2/rerank", "/v1/rerank")):
        return "cohere.rerank"
    if path.endswith("/interactions"):
        return "gemini.interactions"
    return _OLLAMA_PATHS.get(path[path.rfind("/api/") :]) if "/api/" in path else None


#: Ollama's native API, on whatever host serves it (its OpenAI-compatible ``/v1/...`` paths are
#: read as OpenAI's). Only an answer of Ollama's shape makes one an LLM call (:func:`_is_ollama_exchange`).
_OLLAMA_PATHS = {"/api/chat": "ollama.chat", "/api/generate": "ollama.generate", "/api/embed": "ollama.embed"}

#: The provider named for Ollama's calls: a model on the user's own hardware (one of
#: :data:`~pytest_agentcost.models.SELF_HOSTED`), priced only by a price file entry.
OLLAMA = "ollama"
#: Ollama Cloud (``ollama.com``): the same API, hosted and billed by plan, not per token, so no
#: price list prices it either; its own key keeps a price file entry apart from a local model's.
OLLAMA_CLOUD = "ollama-cloud"
_OLLAMA_CLOUD_HOST = "ollama.com"
#: The port Ollama serves on unless told otherwise: calls to it are Ollama's, whatever the path.
OLLAMA_PORT = 11434


def _provider_from_url(url: str, path: str) -> str | None:
    if _AZURE_DEPLOYMENT.search(path):
        return "azure"
    parts = urlsplit(url)
    # api_pattern expects https://host...; a recording made over http is the same provider.
    normalised = f"https://{parts.netloc.lower()}{parts.path}"
    try:
        provider = get_snapshot().find_provider(None, None, normalised)
    except LookupError:
        return None
    except Exception:  # a broken custom snapshot must not break extraction
        return None
    return provider.id


def _named_by_path(url: str) -> bool:
    """Whether genai-prices names the URL's provider by its path on a host it names several
    providers on (Hugging Face's router: ``router.huggingface.co/together`` is Together's route,
    ``/nscale`` nscale's). A host one provider serves (a Databricks workspace's
    ``/serving-endpoints``) is the host line's to name."""
    return bool(_MEMO.get(("path-named", url), _find_named_by_path))


def _find_named_by_path(_: Any, key: tuple[str, str]) -> bool:
    netloc = urlsplit(key[1]).netloc.lower()
    try:
        host = re.escape(netloc)
        shared = sum(1 for p in get_snapshot().providers if p.api_pattern and host in p.api_pattern) > 1
    except Exception:  # a broken custom snapshot must not break extraction
        return False
    return shared and _provider_from_url(f"https://{netloc}/", "/") != _url_facts("POST", key[1])[0]


def _mapped_provider(interaction: Interaction, host_providers: Mapping[str, str]) -> str | None:
    if not host_providers:
        return None
    lowered = {key.lower(): value for key, value in host_providers.items()}
    for key in host_keys(interaction.netloc):
        if key in lowered:
            return lowered[key]
    return None


def detect(interaction: Interaction, host_providers: Mapping[str, str] = _EMPTY_MAP) -> tuple[str | None, str] | None:
    """(provider id, endpoint) for an LLM interaction, None for a non-LLM one (a tool HTTP call)."""
    try:
        found = _detect(interaction, host_providers)
    except Exception:  # detection must never break a test run
        return None
    return None if found is None else (found[0], found[1])


#: URL facts and extractor lists, per genai-prices snapshot: a suite calls a handful of URLs
#: and endpoints thousands of times.
_MEMO = SnapshotMemo()


def _url_facts(method: str, url: str) -> tuple[str | None, str | None]:
    """(provider by URL, endpoint by path), looked up once per URL."""
    return _MEMO.get(("url", method, url), _find_url_facts)


def _find_url_facts(_: Any, key: tuple[str, str, str]) -> tuple[str | None, str | None]:
    _, method, url = key
    path = urlsplit(url).path
    return _provider_from_url(url, path), _endpoint_from_path(method, path)


def _detect(interaction: Interaction, host_providers: Mapping[str, str]) -> tuple[str | None, str] | None:
    url = interaction.url
    mapped = _mapped_provider(interaction, host_providers)
    url_provider, endpoint = _url_facts(interaction.method.upper(), url)
    if mapped is not None and url_provider is not None and _named_by_path(url):
        # A path genai-prices names a provider by wins over a host line, as an Azure deployment
        # path does: the line names the host's other routes (Hugging Face's hf-inference).
        mapped = None
    if (
        endpoint == "bedrock.agent"
        and mapped is None
        and _BEDROCK_INLINE_AGENT_PATH.match(interaction.path.rstrip("/"))
        and _BEDROCK_AGENT_HOST not in interaction.host
    ):
        endpoint = None  # another API's /agents/{id}: its answer says what it is
    if endpoint is None:
        if url_provider is not None and mapped is None:
            # A provider's own host on a path that is not a billed call (models list, OAuth, count_tokens).
            return None
        endpoint = _endpoint_from_body(interaction)
        if endpoint is None:
            return None
    elif (
        mapped is None
        and url_provider is None
        and endpoint in _GENERIC_ENDPOINTS
        and endpoint != "openai.assistants"  # a run's answer shape decides (_ANSWER_SHAPES): polls name no model
        and not _request_looks_llm(interaction)
        and _endpoint_from_body(interaction) is None
    ):
        # An unknown host on a generic path (/embeddings, /responses ...) may be a tool's own API:
        # accept it only when the request or the response looks like an LLM call.
        return None
    elif (
        endpoint == "openai.videos"
        and (mapped or url_provider) not in (None, "openai", "azure")
        and _obj(_first_document(interaction)).get("object") != "video"
    ):
        # Another provider's own /videos (YouTube's upload on googleapis.com): not a video job of
        # OpenAI's API, unless its answer is one (a host serving that API).
        return None
    elif endpoint == "gemini.predict" and (mapped or url_provider) != "google":
        # TensorFlow Serving's /v1/models/{name}:predict, or a self-deployed model: not Google's bill.
        return None
    if endpoint == "gemini.batch":
        if (mapped or url_provider) != "google" or _gemini_batch_results(interaction) is None:
            return None  # another API's batch, or not a batch's answer
    elif endpoint.endswith(".batch") and _batch_lines(interaction, endpoint) is None:
        return None  # a file of another kind (training data, an upload), or not a batch's results
    if endpoint.startswith("ollama."):
        # A host mapping names what serves OpenAI-shaped paths; Ollama's own API is Ollama's.
        if not _is_ollama_exchange(interaction, endpoint):
            return None
        return (OLLAMA_CLOUD if interaction.host == _OLLAMA_CLOUD_HOST else OLLAMA), endpoint
    # Paths a tool's own API may share (/v2/chat, /v2/embed, /images/generations, :embedContent): on an
    # unknown host, only an answer of the provider's shape makes it an LLM call.
    shape = _ANSWER_SHAPES.get(endpoint) if mapped is None and url_provider is None else None
    if endpoint == "cohere.rerank" and "cohere" not in (mapped, url_provider):
        # Jina, Voyage, Together and self-hosted rerankers share the path with answers of their own.
        shape = _is_cohere_rerank_answer
    if shape is not None and not shape(_obj(_first_document(interaction))):
        # Not the provider's answer: an LLM call only if the answer's own shape says so (Writer's
        # OpenAI-shaped /v1/chat), else a tool's own API.
        found = _endpoint_from_body(interaction)
        if found is None:
            return None
        endpoint = found
    provider = mapped if mapped is not None else url_provider
    if mapped is None:
        body_provider = _provider_from_body(interaction, endpoint)
        if body_provider is not None:
            provider = body_provider
    if endpoint.startswith("bedrock.") and provider in (None, mapped):
        # A Bedrock path (/model/{id}/converse ...) behind a gateway or proxy host: the model id is
        # a Bedrock one, which genai-prices prices only under its AWS provider. It wins over a host
        # mapping, as an Azure deployment path does: one gateway host may front several providers.
        provider = "aws"
    elif mapped is not None and url_provider == "azure":
        provider = "azure"
    elif provider is None and _port(url) == OLLAMA_PORT:
        # Ollama's OpenAI-compatible API (/v1/chat/completions ...) on its own port: a local model.
        provider = OLLAMA
    elif provider is None and interaction.host == _OLLAMA_CLOUD_HOST:
        provider = OLLAMA_CLOUD  # its OpenAI-compatible API (ollama.com/v1/...)
    elif provider is None and (routed := _hugging_face_routed(interaction)) is not None:
        # The router's /v1 auto-routing names no provider in its path; its answer does.
        provider = routed
    elif provider is None and endpoint == "gemini.generate_content":
        # Gemini's own path (models/{id}:generateContent) on a gateway: Google's models. (Embedding
        # and Interactions paths are shared with other APIs, and stay unnamed.)
        provider = "google"
    return provider, endpoint


_HUGGING_FACE_ROUTER = "router.huggingface.co"


def _hugging_face_routed(interaction: Interaction) -> str | None:
    """The inference provider Hugging Face's router says served a call its path does not route
    (``/v1/chat/completions``, auto-routing): its answer's ``x-inference-provider`` header
    (``cerebras``), as genai-prices names the route (``huggingface_cerebras``), if it does."""
    if interaction.host != _HUGGING_FACE_ROUTER:
        return None
    named = interaction.response_headers.get("x-inference-provider", "").strip().lower()
    if not named:
        return None
    provider = f"huggingface_{named}"
    try:
        known = any(p.id == provider for p in get_snapshot().providers)
    except Exception:  # a broken custom snapshot must not break extraction
        return None
    return provider if known else None


def _hub_repo_id(interaction: Interaction) -> str | None:
    """The Hub repo id a call to Hugging Face's router asked for (``meta-llama/Llama-3.1-8B-Instruct``,
    its ``:provider`` or ``:fastest`` policy suffix cut), which genai-prices prices its routes by."""
    request = _request_json(interaction)
    model = request.get("model") if isinstance(request, dict) else None
    if not isinstance(model, str) or "/" not in model:
        return None
    return model.split(":", 1)[0] or None


#: Endpoints told by a path any host may serve (``/chat/completions``, ``/v1/messages`` ...), not by
#: a provider-specific one (Gemini's ``:generateContent``, Bedrock's ``/model/{id}/converse``).
_GENERIC_ENDPOINTS = frozenset(e for e in ENDPOINTS if not e.startswith(("gemini.", "bedrock.")))


def _is_transcription_answer(doc: dict[str, Any]) -> bool:
    """A speech-to-text answer in JSON: its ``text``, with ``usage`` or ``duration`` (a bare
    ``{"text": ...}`` could be anyone's), or a stream's ``transcript.text.*`` event."""
    if str(doc.get("type", "")).startswith("transcript.text."):
        return True
    return isinstance(doc.get("text"), str) and (isinstance(doc.get("usage"), dict) or "duration" in doc)


def _is_images_answer(doc: dict[str, Any]) -> bool:
    """An Images API answer (``data`` list, ``created``) or stream event (``image_generation.*``)."""
    if str(doc.get("type", "")).startswith(("image_generation.", "image_edit.")):
        return True
    return isinstance(doc.get("data"), list) and isinstance(doc.get("created"), int)


def _is_cohere_answer(doc: dict[str, Any]) -> bool:
    """A Cohere Chat answer or stream's first event: v2 (a ``message`` object and ``finish_reason``,
    ``message-start``) or v1 (``generation_id`` with ``text`` or ``meta``, ``stream-start``)."""
    if doc.get("type") == "message-start" or doc.get("event_type") == "stream-start":
        return True
    if isinstance(doc.get("generation_id"), str) and ("text" in doc or "meta" in doc):
        return True
    if isinstance(doc.get("generations"), list) and isinstance(doc.get("meta"), dict):
        return True  # the legacy Generate endpoint's answer
    return isinstance(doc.get("message"), dict) and "finish_reason" in doc


def _is_cohere_embed_answer(doc: dict[str, Any]) -> bool:
    """A Cohere Embed answer: ``embeddings`` (a list, or lists by type) and its ``meta``."""
    return isinstance(doc.get("embeddings"), dict | list) and isinstance(doc.get("meta"), dict)


def _is_cohere_rerank_answer(doc: dict[str, Any]) -> bool:
    """A Cohere Rerank answer: ``results`` and a ``meta`` with the ``billed_units``."""
    return isinstance(doc.get("results"), list) and isinstance(_obj(doc.get("meta")).get("billed_units"), dict)


def _is_gemini_embeddings_answer(doc: dict[str, Any]) -> bool:
    """``{"embedding": {"values": [...]}}`` or ``{"embeddings": [{"values": [...]}, ...]}``."""
    if isinstance(doc.get("embedding"), dict):
        return True
    embeddings = doc.get("embeddings")
    return isinstance(embeddings, list) and all(isinstance(e, dict) and "values" in e for e in embeddings)


def _is_interactions_answer(doc: dict[str, Any]) -> bool:
    """A Gemini Interactions API answer (``object: interaction``) or stream event (``interaction.*``)."""
    return doc.get("object") == "interaction" or str(doc.get("event_type", "")).startswith("interaction.")


def _port(url: str) -> int | None:
    try:
        return urlsplit(url).port
    except ValueError:  # a port out of range, or not a number
        return None


def _is_ollama_exchange(interaction: Interaction, endpoint: str) -> bool:
    """An answer of Ollama's shape (its first JSON line, for a stream), or Ollama's error object
    (``{"error": "model 'x' not found"}``) to a request that names a model."""
    doc = _obj(_first_document(interaction))
    if isinstance(doc.get("error"), str):
        return _request_looks_llm(interaction)
    if not isinstance(doc.get("model"), str):
        return False
    if endpoint == "ollama.embed":
        return _is_ollama_embed_answer(doc)
    return isinstance(doc.get("done"), bool) and isinstance(doc.get("created_at"), str)


#: Endpoints whose path a tool's own API may share, with the provider's answer shape.
_ANSWER_SHAPES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "openai.images": _is_images_answer,
    "openai.audio": _is_transcription_answer,
    # Audio bytes: only a mapped host, or the provider's own, makes /audio/speech an LLM call.
    "openai.speech": lambda doc: False,
    "cohere.chat": _is_cohere_answer,
    "cohere.embed": _is_cohere_embed_answer,
    "cohere.rerank": _is_cohere_rerank_answer,
    "gemini.embeddings": _is_gemini_embeddings_answer,
    "gemini.interactions": _is_interactions_answer,
    "openai.videos": lambda doc: doc.get("object") == "video",
    "anthropic.complete": lambda doc: _is_text_completion(doc) or doc.get("type") in ("ping", "error"),
    # A run, or the thread a create-and-run stream starts with (LangGraph's /threads/{id}/runs
    # answers runs of its own, with no such object).
    "openai.assistants": lambda doc: doc.get("object") in ("thread.run", "thread"),
}


def _request_looks_llm(interaction: Interaction) -> bool:
    request = _request_json(interaction)
    if interaction.method.upper() == "GET":
        path = urlsplit(interaction.url).path
        return bool(_RESPONSES_POLL_PATH.search(path)) and "/resp_" in path
    return isinstance(request, dict) and isinstance(request.get("model"), str)


def _endpoint_from_body(interaction: Interaction) -> str | None:
    """Guess the endpoint from the response shape (proxies with their own paths)."""
    doc = _first_document(interaction)
    if not isinstance(doc, dict):
        return None
    kind = doc.get("object")
    if kind in ("chat.completion", "chat.completion.chunk"):
        return "openai.chat"
    if kind in ("response", "response.compaction") or str(doc.get("type", "")).startswith("response."):
        return "openai.responses"
    if _is_interactions_answer(doc):
        return "gemini.interactions"
    data = doc.get("data")
    if kind == "list" and isinstance(data, list) and data and _obj(data[0]).get("object") == "embedding":
        return "openai.embeddings"
    if doc.get("type") in ("message", "message_start") and ("content" in doc or "message" in doc):
        return "anthropic.messages"
    if isinstance(doc.get("candidates"), list) or isinstance(doc.get("usageMetadata"), dict):
        return "gemini.generate_content"
    if isinstance(_obj(doc.get("output")).get("message"), dict) and "inputTokens" in _obj(doc.get("usage")):
        return "bedrock.converse"
    return None


def _first_document(interaction: Interaction) -> Any:
    """The response JSON, or the first JSON event of a stream (SSE or JSON lines), or None."""
    text = _response_text(interaction)
    if _sse.looks_like_sse(text):
        events, _ = _sse.parse(text)
        for event in events:
            value = event.json()
            if isinstance(value, dict):
                return value
        return None
    value = _response_json(interaction)
    if isinstance(value, list) and value:
        return value[0]
    if value is None:
        lines = _json_lines(text)  # a JSON-lines stream (Cohere v1), which no whole-body parse reads
        return lines[0] if lines else None
    return value


def _json_lines(text: str) -> list[dict[str, Any]] | None:
    """The objects of a newline-delimited JSON stream (Cohere v1's ``application/stream+json``),
    or None when ``text`` is not one: a blank line between objects is allowed, anything else not."""
    objects: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        value = json_or_none(line)
        if not isinstance(value, dict):
            return None
        objects.append(value)
    return objects if len(objects) > 1 else None


#: Substrings a Chat Completions or Responses body must hold for :func:`_provider_from_body` to
#: find another provider in it (OpenRouter's ``gen-`` ids and ``is_byok``, Groq's envelope).
PROVIDER_MARKERS = ("gen-", "is_byok", "x_groq")


def _provider_from_body(interaction: Interaction, endpoint: str) -> str | None:
    """A provider the body names unmistakably (OpenRouter's ``gen-`` ids and ``provider`` field)."""
    if endpoint not in ("openai.chat", "openai.completions", "openai.responses"):
        return None
    text = _response_text(interaction)
    if not any([marker in text for marker in PROVIDER_MARKERS]):
        return None  # none of the markers below can be there: skip parsing the body again
    doc = _first_document(interaction)
    if not isinstance(doc, dict):
        return None
    ident = doc.get("id")
    usage = _obj(doc.get("usage"))
    if (isinstance(ident, str) and ident.startswith("gen-") and isinstance(doc.get("provider"), str)) or (
        "is_byok" in usage
    ):
        return "openrouter"
    if isinstance(doc.get("x_groq"), dict) or _later_chunk_has_x_groq(text):
        return "groq"
    return None


def _later_chunk_has_x_groq(text: str) -> bool:
    """Whether a stream's chunk carries Groq's ``x_groq`` envelope: Groq's own first chunk does, a
    stream passed on without it still has it on the chunk with the usage (adoption 4)."""
    if '"x_groq"' not in text or not _sse.looks_like_sse(text):
        return False
    events, _ = _sse.parse(text)
    for event in events:
        value = event.json()
        if isinstance(value, dict) and isinstance(value.get("x_groq"), dict):
            return True
    return False


# --------------------------------------------------------------------------- helpers


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _response_text(interaction: Interaction) -> str:
    try:
        return interaction.response_text()
    except Exception:
        return ""


def _request_json(interaction: Interaction) -> Any:
    try:
        return interaction.request_json
    except Exception:
        return None


def _form_fields(interaction: Interaction) -> dict[str, str]:
    """The text fields of a ``multipart/form-data`` request (an Images API edit); files left out."""
    content_type = interaction.request_headers.get("content-type", "")
    if "multipart/form-data" not in content_type.lower():
        return {}
    from email.parser import BytesParser
    from email.policy import HTTP

    try:
        head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
        message = BytesParser(policy=HTTP).parsebytes(head + interaction.decoded_request_body())
        fields: dict[str, str] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if isinstance(name, str) and part.get_filename() is None:
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    fields[name] = payload.decode("utf-8", errors="replace")
        return fields
    except Exception:  # a malformed form is not worth a failure: no fields
        return {}


def _response_json(interaction: Interaction) -> Any:
    """The whole response body as JSON (parsed once per interaction), or None."""
    try:
        return interaction.response_json
    except Exception:
        return None


_NUMERIC_KEY = re.compile(r"(tokens?|count|requests|seconds)$", re.IGNORECASE)


#: More than any one call counts (context windows hold millions of tokens): a count above it is a
#: corrupt recording, which would be priced beyond what money is written with.
MAX_TOKENS = 10**10


def _usage_problems(value: Any, where: str = "usage") -> list[str]:
    """Fields of a usage object that are counts but not finite non-negative numbers no larger than
    :data:`MAX_TOKENS`, or token counts that are fractions."""
    problems: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if type(item) is int and 0 <= item <= MAX_TOKENS:
                continue  # a count, whatever the key: the common case, no pattern match needed
            path = f"{where}.{key}"
            if isinstance(item, dict | list):
                problems.extend(_usage_problems(item, path))
            elif item is None or not _NUMERIC_KEY.search(str(key)):
                continue
            elif not _is_count(item) or item > MAX_TOKENS or (_TOKEN_KEY.search(str(key)) and not _is_whole(item)):
                problems.append(f"{path}={item!r}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.extend(_usage_problems(item, f"{where}[{index}]"))
    return problems


def _malformed(usage: Any) -> list[str]:
    """The problem a usage object with fields :func:`_usage_problems` finds makes; none if none."""
    bad = _usage_problems(usage)
    return ["malformed usage (" + ", ".join(bad[:5]) + ")"] if bad else []


#: Token counts, whole numbers; a key naming a time (SambaNova's ``time_to_first_token``) is none.
_TOKEN_KEY = re.compile(r"^(?!.*time).*tokens?(?:_?count)?$", re.IGNORECASE)


def _is_whole(value: int | float) -> bool:
    """A whole number (a float only if whole: Vertex writes token counts as 6.0)."""
    return isinstance(value, int) or value.is_integer()


def _is_count(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    if isinstance(value, float):
        return math.isfinite(value) and value >= 0
    return False


def _zero_usage() -> Usage:
    return Usage(input_tokens=0, output_tokens=0)


# --------------------------------------------------------------------------- service tiers

#: Tier names for the standard tier: OpenAI's ``default``, Anthropic's and Gemini's ``standard``,
#: Groq's ``on_demand`` (every Groq answer carries it). genai-prices has no variant for them, or one
#: without prices (OpenAI's ``service_tier: default``): the standard price either way, so no context
#: is kept. ``tests/unit/test_tiers.py`` checks genai-prices' data still says so.
STANDARD_TIERS = frozenset({"default", "standard", "on_demand"})

_ANTHROPIC_FAST: PriceContext = (("speed", "fast"),)
_ANTHROPIC_BATCH: PriceContext = (("processing", "batch"),)
_ANTHROPIC_FAST_BATCH: PriceContext = (("processing", "batch"), ("speed", "fast"))


@functools.lru_cache(maxsize=256)
def _service_tier(tier: str) -> PriceContext:
    return (("service_tier", tier),)  # one shared tuple per tier: no allocation per call


def service_tier_context(tier: Any) -> PriceContext:
    """The price context of a reported ``service_tier`` (OpenAI) or ``serviceTier`` (Gemini)."""
    if type(tier) is not str or not tier or tier in STANDARD_TIERS:
        return ()
    return _service_tier(tier)


def anthropic_context(usage: Any) -> PriceContext:
    """The price context of an Anthropic ``usage`` object: its ``speed`` and ``service_tier``.

    Only what genai-prices' Anthropic variants key on: ``speed: fast`` (fast mode) and
    ``processing: batch`` (``service_tier: batch``). ``priority`` and ``standard`` select nothing.
    """
    if type(usage) is not dict:
        return ()
    fast = usage.get("speed") == "fast"
    batch = usage.get("service_tier") == "batch"
    if fast:
        return _ANTHROPIC_FAST_BATCH if batch else _ANTHROPIC_FAST
    return _ANTHROPIC_BATCH if batch else ()


# --------------------------------------------------------------------------- parsing


@dataclass
class _Parsed:
    """What one response body says, before genai-prices reads the usage."""

    document: dict[str, Any] | None = None
    """A response-shaped dict for the genai-prices extractor (``{"model":..., "usage":...}``)."""
    model: str | None = None
    response_id: str | None = None
    tool_calls: int = 0
    output_text: list[str] = field(default_factory=list)
    error: str | None = None
    """Set when the (200) body reports a failure: not billed."""
    pending: bool = False
    """An OpenAI background response not finished yet: not billed, no estimate."""
    retrieved: bool = False
    """A stored (not background) OpenAI response fetched again: not billed, no estimate."""
    problems: list[str] = field(default_factory=list)
    """Why the usage is not usable (leads to an estimate)."""
    readable: bool = True
    """False when the body could not be read in the endpoint's format at all."""
    headers_usage: dict[str, Any] | None = None
    """Bedrock usage read from headers (Converse-shaped ``usage`` object)."""
    output_reader: Callable[[], list[str]] | None = None
    """Reads ``output_text`` when it is first needed (a parser that skipped it to save time)."""
    price_context: PriceContext = ()
    """The service tier the response reports (see :func:`service_tier_context`)."""
    server_tools: dict[str, int] = field(default_factory=dict)
    """Billed server-side tool calls the answer lists but its usage object does not count, keyed
    as genai-prices' ``Usage`` keys them (``web_searches``): added to the extracted usage."""
    usage: Usage | None = None
    """The usage, read without an extractor: for an endpoint genai-prices has none for."""
    unmeasured: str | None = None
    """Why the call, billed, has no usage to price (see :attr:`Extraction.unpriced`)."""
    parts: list[Usage] = field(default_factory=list)
    """The usage of each request a batch's results sum (see :attr:`Extraction.parts`)."""
    part_models: list[str | None] = field(default_factory=list)
    """The model of each of ``parts`` when it is not the batch's (see :attr:`Extraction.part_models`)."""
    guardrail_units: dict[str, int] | None = None
    """The billed policy units a Bedrock guardrail's trace reports it evaluated (billed apart from
    the model); None when the answer has no guardrail trace."""
    images_apart: int = 0
    """Images the Responses API's image generation tool made for the answer: billed at the GPT Image
    model's rates beside the call's tokens, which its usage does not count (see :func:`images_note`)."""
    geo_apart: str | None = None
    """Claude's ``usage.inference_geo`` when it is not the global rate's (``us``): billed apart
    (see :func:`geo_note`)."""
    search_queries: int = 0
    """The Google searches a Gemini answer grounded itself with (billed apart, see :func:`grounding_note`)."""
    maps_grounded: bool = False
    """Whether a Gemini answer grounded itself with Google Maps (billed apart, see :data:`MAPS_GROUNDING_NOTE`)."""
    tools_executed: int = 0
    """The built-in tools a Groq compound system ran (``executed_tools``): billed per use beside the
    tokens, which genai-prices does not price (see :func:`executed_tools_note`)."""
    stated_input: dict[str, Any] | None = None
    """The input side of the usage an Anthropic stream stated when its output count is unknown (cut
    short, or deltas that count none): ``message_start``'s ``input_tokens`` and cache counts, the
    prompt as the provider counted and billed it. An estimate takes its input tokens from it."""
    tier_apart: str | None = None
    """Why a Bedrock call is billed at rates of its own: a service tier (flex, priority, reserved)
    or latency-optimized inference, which genai-prices does not price (see :func:`bedrock_tier_note`)."""

    def beside_notes(self) -> list[str]:
        """What a priced call was billed beside its tokens that its cost leaves out (Gemini's
        grounding): said, the call priced at its tokens. Empty when nothing was."""
        return [
            *([grounding_note(self.search_queries)] if self.search_queries else []),
            *([MAPS_GROUNDING_NOTE] if self.maps_grounded else []),
        ]

    def apart_notes(self) -> list[str]:
        """Why the call is unpriced for what it was billed beside its usage, or at rates other than
        its list rates: images its tool made, a premium geography, a Bedrock tier, a Groq compound
        system's built-in tools. Empty when none."""
        return [
            *([images_note(self.images_apart)] if self.images_apart else []),
            *([geo_note(self.geo_apart)] if self.geo_apart else []),
            *([self.tier_apart] if self.tier_apart else []),
            *([executed_tools_note(self.tools_executed)] if self.tools_executed else []),
        ]

    def texts(self) -> list[str]:
        """The response text an estimate counts."""
        if self.output_reader is not None:
            self.output_text, self.output_reader = self.output_reader(), None
        return self.output_text


def _has_error_object(doc: dict[str, Any]) -> bool:
    return isinstance(doc.get("error"), dict)


def _document(
    interaction: Interaction, parsed: _Parsed, is_error: Callable[[dict[str, Any]], bool] = _has_error_object
) -> dict[str, Any] | None:
    """The response's JSON object; ``None`` (with ``parsed`` marked) when unreadable or an error body."""
    doc = _response_json(interaction)
    if not isinstance(doc, dict):
        parsed.readable = False
        return None
    if is_error(doc):
        parsed.error = _error_text(doc)
        return None
    return doc


def _usage_document(doc: dict[str, Any], parsed: _Parsed) -> None:
    """``doc`` is what genai-prices' extractor reads, if it has a ``usage``; else that is the problem."""
    if doc.get("usage") is None:
        parsed.problems.append("the response has no usage")
    else:
        parsed.document = doc


def _is_done(event: _sse.SSEEvent) -> bool:
    """The ``data: [DONE]`` event that ends a Chat Completions stream."""
    return event.data == "[DONE]" or event.data.strip() == "[DONE]"


def _chat_chunk(event: _sse.SSEEvent, parsed: _Parsed) -> dict[str, Any] | None:
    """A stream chunk to read, or None (not an object; an error chunk, recorded in ``parsed``)."""
    chunk = event.json()
    if not isinstance(chunk, dict):
        return None
    if event.event == "error" or isinstance(chunk.get("error"), dict):
        parsed.error = _error_text(chunk)
        return None
    return chunk


def _chat_chunk_usage(chunk: dict[str, Any], usage: Any) -> Any:
    """The chunk's usage if it has one (Groq's in its x_groq envelope), else ``usage``."""
    value = chunk.get("usage")
    if value is not None:
        return value
    groq = chunk.get("x_groq")
    if isinstance(groq, dict) and groq.get("usage") is not None:
        return groq["usage"]
    return usage


class _StreamToolCalls(dict[tuple[int, int], tuple[set[str], int]]):
    """A stream's tool calls, by (choice index, tool call index): the ids of the deltas that
    start a call (those naming its function), and the most calls without an id that one chunk
    started there.

    OpenAI names a call by its index and gives its id and name in its first delta only; Mistral
    sends no index and Ollama-style servers index every parallel call 0, each call whole with its
    own id; some servers send a new id with every delta of one call, or no id at all. A call is
    a delta that names a function, told apart by its id, or by its place in one chunk.
    """

    def count(self) -> int:
        return sum(max(1, len(ids) + anonymous) for ids, anonymous in self.values())


def _chat_chunk_choices(chunk: dict[str, Any], tool_calls: _StreamToolCalls, output: list[str] | None) -> None:
    """Add the chunk's tool calls to ``tool_calls`` and, when ``output`` is given, its text to it."""
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        return
    for choice in choices:
        if not isinstance(choice, dict):
            continue
        delta = _obj(choice.get("delta"))
        if output is not None:
            for content in (delta.get("content"), choice.get("text")):
                if isinstance(content, str):
                    output.append(content)
        if not delta.get("tool_calls"):
            continue
        index = _index(choice.get("index"))
        anonymous: dict[tuple[int, int], int] = {}
        for call in _list(delta.get("tool_calls")):
            call = _obj(call)
            key = (index, _index(call.get("index")))
            ids, most = tool_calls.get(key, (set(), 0))
            function = _obj(call.get("function"))
            if _str(function.get("name")) is not None:
                call_id = _str(call.get("id"))
                if call_id is not None:
                    ids.add(call_id)
                else:
                    anonymous[key] = anonymous.get(key, 0) + 1
            tool_calls[key] = (ids, max(most, anonymous.get(key, 0)))
            if output is not None:
                for part in (function.get("name"), function.get("arguments")):
                    if isinstance(part, str):
                        output.append(part)


def _index(value: Any) -> int:
    """A list position as a stream gives it; 0 when absent or not a whole number."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _openai_chat_stream(events: list[_sse.SSEEvent], parsed: _Parsed) -> Any:
    """Read every chunk of a Chat Completions stream; returns its usage (None when it has none).

    The reference reader: :func:`_openai_chat_stream_fast` must give the same answers.
    """
    usage: Any = None
    tool_calls = _StreamToolCalls()
    model, response_id = parsed.model, parsed.response_id
    tier: str | None = None
    for event in events:
        if _is_done(event):
            continue
        chunk = _chat_chunk(event, parsed)
        if chunk is None:
            continue
        model = _str(chunk.get("model")) or model
        response_id = _str(chunk.get("id")) or response_id
        tier = _str(chunk.get("service_tier")) or tier
        usage = _chat_chunk_usage(chunk, usage)
        _chat_chunk_choices(chunk, tool_calls, parsed.output_text)
    parsed.model, parsed.response_id = model, response_id
    parsed.price_context = service_tier_context(tier)
    parsed.tool_calls = tool_calls.count()
    return usage


#: A top-level ``"usage"`` that is not ``null``. Keys are written plainly unless a chunk uses
#: ``\\u`` escapes, and such a chunk is always read in full.
_NON_NULL_USAGE = re.compile(r'"usage"\s*:(?!\s*null\b)')


def _chat_chunk_matters(event: _sse.SSEEvent) -> bool:
    """Whether a chunk may change usage, tool calls or the error: then it is decoded."""
    data = event.data
    return (
        event.event == "error"
        or '"tool_calls"' in data
        or '"error"' in data
        or '"x_groq"' in data
        or "\\u" in data
        or _NON_NULL_USAGE.search(data) is not None
    )


def _last_chat_str(events: list[_sse.SSEEvent], key: str, default: str | None) -> str | None:
    """The last non-empty string ``key`` of a non-error chunk, as :func:`_openai_chat_stream` keeps it."""
    marker = f'"{key}"'
    for event in reversed(events):
        data = event.data
        if marker not in data and "\\u" not in data:
            continue  # the key cannot be in this chunk
        chunk = event.json()
        if not isinstance(chunk, dict) or event.event == "error" or isinstance(chunk.get("error"), dict):
            continue
        value = _str(chunk.get(key))
        if value is not None:
            return value
    return default


#: What :func:`_chat_chunk_matters` looks for besides a usage (``error`` also names an error event).
_CHUNK_MARKERS = ("error", '"tool_calls"', '"x_groq"', "\\u")


def _openai_chat_stream_fast(events: list[_sse.SSEEvent], parsed: _Parsed, text: str | None = None) -> Any:
    """:func:`_openai_chat_stream`'s answers, decoding only the chunks that can change them.

    A stream is mostly content deltas with ``"usage": null``; decoding each costs more than
    everything else done for the call. Only chunks that may carry usage, tool calls or an error
    are decoded, in order; model and id are read from the last chunks that name them. The
    response text, needed only to estimate a stream without usable usage, is read in full if asked
    for. ``text``, the body the events came from, lets one look at the whole body replace most of
    the per-chunk checks. Tests check this against the reference reader on generated streams.
    """
    usage: Any = None
    tool_calls = _StreamToolCalls()
    # A body with none of the markers anywhere: a chunk can matter only by a non-null usage.
    plain = text is not None and not any([marker in text for marker in _CHUNK_MARKERS])
    has_usage = _NON_NULL_USAGE.search
    for event in events:
        if (has_usage(event.data) is None) if plain else not _chat_chunk_matters(event):
            continue
        chunk = _chat_chunk(event, parsed)
        if chunk is not None:
            usage = _chat_chunk_usage(chunk, usage)
            _chat_chunk_choices(chunk, tool_calls, None)
    parsed.model = _last_chat_str(events, "model", parsed.model)
    parsed.response_id = _last_chat_str(events, "id", parsed.response_id)
    parsed.price_context = service_tier_context(_last_chat_str(events, "service_tier", None))
    parsed.tool_calls = tool_calls.count()
    parsed.output_reader = lambda: _read_output(_openai_chat_stream, events)
    return usage


def _read_output(reader: Callable[[list[_sse.SSEEvent], _Parsed], Any], events: list[_sse.SSEEvent]) -> list[str]:
    scratch = _Parsed()
    reader(events, scratch)
    return scratch.output_text


def _parse_openai_chat(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    if _sse.looks_like_sse(text):
        events, _ = _sse.parse(text)
        done = any(_is_done(event) for event in events)
        usage = _openai_chat_stream_fast(events, parsed, text)
        if '"executed_tools"' in text:
            parsed.tools_executed = _executed_tools(event.json() for event in events if not _is_done(event))
        if not done and usage is None and parsed.error is None:
            parsed.problems.append("the stream ended before its final chunk (truncated recording)")
        if usage is None:
            if done:
                parsed.problems.append(
                    "the stream has no usage chunk (recorded without stream_options.include_usage: the "
                    "OpenAI SDK's stream_options={'include_usage': True}, LangChain's stream_usage=True)"
                )
            return
        parsed.document = {"model": parsed.model, "usage": usage}
        if '"usage_breakdown"' in text:
            breakdown = _stream_usage_breakdown(events)
            if breakdown is not None:
                parsed.document["usage_breakdown"] = breakdown
        return
    doc = _document(interaction, parsed)
    if doc is None:
        return
    parsed.model = _str(doc.get("model"))
    parsed.response_id = _str(doc.get("id"))
    parsed.price_context = service_tier_context(doc.get("service_tier"))
    _chat_answer(doc, parsed)
    parsed.tools_executed = _executed_tools([doc])
    parsed.document = doc if doc.get("usage") is not None else None
    if parsed.document is None:
        parsed.problems.append("the response has no usage")


def _chat_answer(doc: dict[str, Any], parsed: _Parsed) -> None:
    """A Chat Completions answer's tool calls and output text."""
    parsed.tool_calls += chat_tool_calls(doc)
    for choice in _list(doc.get("choices")):
        choice = _obj(choice)
        message = _obj(choice.get("message"))
        if isinstance(message.get("content"), str):
            parsed.output_text.append(message["content"])
        if isinstance(choice.get("text"), str):
            parsed.output_text.append(choice["text"])
        for call in _list(message.get("tool_calls")):
            function = _obj(_obj(call).get("function"))
            parsed.output_text.extend(
                part for part in (function.get("name"), function.get("arguments")) if isinstance(part, str)
            )


#: Responses output items that ask the client to act, as ``function_call`` does: each is an agent
#: step the client answers with a ``*_output`` item (computer use, the shell and patch tools).
#: A tuple, not a set: a malformed item's "type" may be unhashable.
_RESPONSES_TOOL_ITEMS = (
    "function_call",
    "custom_tool_call",
    "computer_call",
    "local_shell_call",
    "shell_call",
    "apply_patch_call",
)

#: Responses output items OpenAI bills per call, and the genai-prices ``Usage`` key that prices
#: them: the answer's ``usage`` object counts only tokens, so genai-prices' extractor cannot.
#: Hosted tool items of a Responses object billed beside its tokens, keyed as genai-prices'
#: ``Usage`` counts them. Code Interpreter is billed by the container it runs in, which
#: genai-prices has no price for: a call that ran it is unpriced, never priced at its tokens.
_RESPONSES_SERVER_TOOLS = {
    "web_search_call": "web_searches",
    "file_search_call": "storage_searches",
    "code_interpreter_call": "code_executions",
}


def _responses_tool_calls(response: dict[str, Any]) -> int:
    kinds = [_obj(item).get("type") for item in _list(response.get("output"))]
    return sum(1 for kind in kinds if kind in _RESPONSES_TOOL_ITEMS)


def _responses_server_tools(response: dict[str, Any]) -> dict[str, int]:
    """Billed server-side tool calls in a Responses object's output (``web_search_call`` ...)."""
    counts: dict[str, int] = {}
    for item in _list(response.get("output")):
        key = _RESPONSES_SERVER_TOOLS.get(str(_obj(item).get("type")))
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    return counts


def _responses_text(response: dict[str, Any]) -> list[str]:
    texts: list[str] = []
    for item in _list(response.get("output")):
        item = _obj(item)
        for part in _list(item.get("content")):
            if isinstance(_obj(part).get("text"), str):
                texts.append(_obj(part)["text"])
        for key in ("name", "arguments", "input"):
            if item.get("type") in ("function_call", "custom_tool_call") and isinstance(item.get(key), str):
                texts.append(item[key])
    return texts


_RESPONSES_DELTAS = ("response.output_text.delta", "response.function_call_arguments.delta")


def _parse_openai_responses(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    if _sse.looks_like_sse(text):
        events, _ = _sse.parse(text)
        final: dict[str, Any] | None = None
        deltas: list[str] = []
        calls: set[str] = set()
        for event in events:
            doc = event.json()
            if not isinstance(doc, dict):
                continue
            kind = str(doc.get("type") or event.event)
            response = _obj(doc.get("response"))
            if response:
                parsed.model = _str(response.get("model")) or parsed.model
                parsed.response_id = _str(response.get("id")) or parsed.response_id
            if kind == "error" or event.event == "error":
                parsed.error = _error_text(doc)
            elif kind == "response.failed":
                parsed.error = _error_text(response) or "response.failed"
            elif kind in ("response.completed", "response.incomplete"):
                final = response
            elif kind in _RESPONSES_DELTAS and isinstance(doc.get("delta"), str):
                deltas.append(doc["delta"])
            elif kind == "response.output_item.added":
                item = _obj(doc.get("item"))
                if item.get("type") in _RESPONSES_TOOL_ITEMS:
                    calls.add(str(item.get("id") or item.get("call_id") or len(calls)))
        if final is None:
            parsed.output_text = deltas
            parsed.tool_calls = len(calls)
            if parsed.error is None:
                parsed.problems.append("the stream ended before response.completed (truncated recording)")
            return
        _read_response_object(final, parsed, _is_get(interaction))
        if not parsed.output_text:
            parsed.output_text = deltas
        return
    # A Responses object carries "error": null or a failure of its own, handled below.
    doc = _document(
        interaction, parsed, is_error=lambda d: isinstance(d.get("error"), dict) and d.get("object") != "response"
    )
    if doc is None:
        return
    _read_response_object(doc, parsed, _is_get(interaction))


def _is_get(interaction: Interaction) -> bool:
    return interaction.method.upper() == "GET"


def _read_response_object(response: dict[str, Any], parsed: _Parsed, fetched: bool = False) -> None:
    """Read a Responses object; ``fetched``: it answers a ``GET /responses/{id}``."""
    parsed.model = _str(response.get("model")) or parsed.model
    parsed.response_id = _str(response.get("id")) or parsed.response_id
    # The tier that served it: a stream's earlier events may still carry the one requested.
    parsed.price_context = service_tier_context(response.get("service_tier"))
    parsed.tool_calls = _responses_tool_calls(response)
    parsed.server_tools = _responses_server_tools(response)
    parsed.images_apart = sum(  # a failed one drew nothing
        1
        for item in _list(response.get("output"))
        if _obj(item).get("type") == "image_generation_call" and _obj(item).get("status") != "failed"
    )
    parsed.output_text = _responses_text(response)
    if fetched and response.get("background") is not True:
        # Retrieving a stored response costs nothing: it was billed where it was created. Only a
        # background response's polls stand for its generation (billed once per id). Objects
        # recorded before background mode existed have no "background" key: retrievals too.
        parsed.retrieved = True
        return
    status = response.get("status")
    if status == "failed":
        parsed.error = _error_text(response) or "the response failed"
        return
    if response.get("usage") is None:
        if status in ("queued", "in_progress"):
            parsed.pending = True
        elif status == "cancelled":
            parsed.error = "the background response was cancelled before it produced usage"
        else:
            parsed.problems.append("the response has no usage")
        return
    if parsed.output_text and _is_zero_count(response.get("usage")):
        # A model that wrote output read its prompt first: a usage of no tokens at all is not a
        # count. OpenAI's streamed response.incomplete (max_output_tokens) has been recorded so.
        parsed.problems.append(f"the {status or 'finished'} response reports zero usage despite its output")
        return
    parsed.document = response


def _is_zero_count(usage: Any) -> bool:
    """True for a usage object whose token counts are all zero (and which has some)."""
    counts = [v for k, v in _obj(usage).items() if k.endswith("_tokens")]
    return bool(counts) and all(type(v) is int and v == 0 for v in counts)


def _parse_openai_embeddings(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    doc = _document(interaction, parsed)
    if doc is None:
        return
    parsed.model = _str(doc.get("model"))
    usage = _obj(doc.get("usage"))
    total = usage.get("total_tokens")
    if "prompt_tokens" not in usage and type(total) is int and total >= 0:
        # Voyage AI's usage counts the total only (an embedding's tokens are all input), a shape
        # genai-prices has no extractor for.
        parsed.usage = Usage(input_tokens=total)
        return
    _usage_document(doc, parsed)


def _parse_openai_images(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """Images API answers: ``usage`` (gpt-image-*) beside the images, no model (the request names it).

    A stream (``partial_images``) ends in an ``image_generation.completed`` or
    ``image_edit.completed`` event that carries the usage. DALL-E answers have no usage.
    """
    if _sse.looks_like_sse(text):
        events, _ = _sse.parse(text)
        for event in events:
            doc = event.json()
            if not isinstance(doc, dict):
                continue
            if event.event == "error" or isinstance(doc.get("error"), dict):
                parsed.error = _error_text(doc) or "error event"
            elif str(doc.get("type", "")).endswith(".completed") and doc.get("usage") is not None:
                parsed.document = doc
        if parsed.document is None and parsed.error is None:
            parsed.problems.append("the stream has no completed event with usage")
        return
    doc = _document(interaction, parsed)
    if doc is None:
        return
    images = doc.get("data")
    if doc.get("usage") is None and isinstance(images, list):
        model = _str(doc.get("model")) or _fallback_model(interaction)
        if not (model and _TOKEN_BILLED_IMAGES.match(model)):
            # DALL-E (and other hosts' image models): billed per image, by size and quality, and the
            # answer counts no token. An estimate from the prompt would price a price file's tokens.
            parsed.model = model
            parsed.unmeasured = per_image_note("the Images API answer", len(images))
            return
    _usage_document(doc, parsed)


#: Image models billed per token (their answers count them): an answer without usage is estimated.
_TOKEN_BILLED_IMAGES = re.compile(r"(?:openai/)?(?:gpt-image|chatgpt-image)")


def per_image_note(what: str, images: int) -> str:
    """Why a call billed per image is unpriced: no token count says its bill."""
    made = f"{images} image{'' if images == 1 else 's'}"
    return (
        f"{what} holds {made} and no usage: it is billed per image (by model, size and quality), which "
        "genai-prices has no price for and a price file, which prices tokens, cannot price (a "
        "pytest_agentcost_price_call hook can)"
    )


def _parse_openai_audio(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """Speech to text (``/audio/transcriptions``, ``/audio/translations``).

    The answer's ``usage`` is of ``type`` ``tokens`` (gpt-4o-transcribe: input tokens, the audio
    ones among them, and output tokens) or ``duration`` (whisper-1: ``seconds``); a
    ``verbose_json`` answer without it gives the audio's ``duration``, and Mistral's usage its
    ``prompt_audio_seconds``. Seconds are billed rounded to the second. A stream ends in a
    ``transcript.text.done`` event carrying the usage. An answer in ``text``, ``srt`` or ``vtt``
    format says neither: the call is billed and unpriced.
    """
    doc: Any = None
    if _sse.looks_like_sse(text):
        events, _ = _sse.parse(text)
        for event in events:
            data = event.json()
            if isinstance(data, dict) and (event.event == "error" or _has_error_object(data)):
                parsed.error = _error_text(data) or "error event"
                return
            if isinstance(data, dict) and data.get("type") == "transcript.text.done":
                doc = data
    else:
        doc = _response_json(interaction)
        if isinstance(doc, dict) and _has_error_object(doc):
            parsed.error = _error_text(doc)
            return
    doc = _obj(doc)
    parsed.model = _str(doc.get("model"))
    said = doc.get("text")
    parsed.output_text.append(said if isinstance(said, str) else text)
    usage = _transcription_usage(doc)
    if usage is None:
        parsed.unmeasured = (
            "the answer gives neither its token usage nor the audio's duration (response_format text, srt "
            "or vtt, or an older API), by which speech to text is billed"
        )
    else:
        parsed.usage = usage


def _transcription_usage(doc: dict[str, Any]) -> Usage | None:
    usage = _obj(doc.get("usage"))
    if usage.get("type") == "tokens":
        tokens_in, tokens_out = usage.get("input_tokens"), usage.get("output_tokens")
        if not (type(tokens_in) is int and type(tokens_out) is int and tokens_in >= 0 and tokens_out >= 0):
            return None
        audio = _obj(usage.get("input_token_details")).get("audio_tokens")
        if type(audio) is int and 0 <= audio <= tokens_in:
            return Usage(input_tokens=tokens_in, output_tokens=tokens_out, input_audio_tokens=audio)
        return Usage(input_tokens=tokens_in, output_tokens=tokens_out)
    for seconds in (usage.get("seconds"), usage.get("prompt_audio_seconds"), doc.get("duration")):
        if _is_count(seconds):
            # Rounded to the second, and a clip shorter than half of one is still a billed second.
            billed = int(Decimal(str(seconds)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            return Usage(audio_seconds=max(billed, 1) if seconds else 0)
    return None


def _parse_openai_speech(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """Text to speech (``/audio/speech``): the answer is the audio, with no usage. A model billed
    per character (tts-1, tts-1-hd) is priced from the request's ``input``; one billed per token
    (gpt-4o-mini-tts: text in, audio tokens out) is billed and unpriced, since nothing records
    its audio tokens."""
    doc = _response_json(interaction)
    if isinstance(doc, dict) and _has_error_object(doc):
        parsed.error = _error_text(doc)
        return
    if _sse.looks_like_sse(text):
        # stream_format "sse" (gpt-4o-mini-tts): the last event gives the token usage.
        events, _ = _sse.parse(text)
        for event in events:
            data = _obj(event.json())
            usage = _obj(data.get("usage"))
            if data.get("type") == "speech.audio.done" and usage:
                tokens_in, tokens_out = usage.get("input_tokens"), usage.get("output_tokens")
                if type(tokens_in) is int and type(tokens_out) is int and tokens_in >= 0 and tokens_out >= 0:
                    parsed.usage = Usage(input_tokens=tokens_in, output_tokens=tokens_out)
                    return
    request = _obj(_request_json(interaction))
    said = request.get("input")
    if not isinstance(said, str):
        parsed.problems.append("the request has no input text")
        return
    parsed.usage = Usage(input_characters=len(said))


def _parse_gemini_embeddings(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """``:embedContent`` / ``:batchEmbedContents``: billed per input token, which the answer does not give.

    The Gemini API answers with vectors only, so the input is estimated from the request's
    texts. An answer that does carry ``usageMetadata`` is read exactly.
    """
    doc = _document(interaction, parsed)
    if doc is None:
        return
    if isinstance(doc.get("usageMetadata"), dict):
        parsed.document = doc
        return
    parsed.problems.append("Gemini embedding answers carry no token counts")


def _parse_gemini_predict(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """``models/{id}:predict`` on Google's hosts: Vertex text embeddings and Imagen.

    An embedding answer counts each input's tokens (``predictions[].embeddings.statistics
    .token_count``), read exactly; images are billed per image, which no token count says, so
    such a call is estimated (and unpriced unless a price file or hook prices its model).
    """
    if interaction.path.endswith(":predictLongRunning"):
        parsed.unmeasured = (
            "a video generation job (Veo); Google bills it per second of video, which genai-prices has no "
            "price for (a pytest_agentcost_price_call hook can price it)"
        )
        return
    doc = _document(interaction, parsed)
    if doc is None:
        return
    counts: list[int] = []
    for prediction in _list(doc.get("predictions")):
        count = _obj(_obj(_obj(prediction).get("embeddings")).get("statistics")).get("token_count")
        if isinstance(count, float) and count.is_integer():
            count = int(count)
        if not (_is_count(count) and isinstance(count, int)):
            counts = []
            break
        counts.append(count)
    if counts:
        parsed.usage = Usage(input_tokens=sum(counts))
        return
    images = [p for p in _list(doc.get("predictions")) if "bytesBase64Encoded" in _obj(p) or "gcsUri" in _obj(p)]
    if images:
        parsed.unmeasured = per_image_note("the Imagen answer", len(images))
        return
    parsed.problems.append("the :predict answer has no token counts (Imagen is billed per image)")


def _parse_openai_assistants(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """A run of the Assistants API. Its usage (Chat Completions' shape, summed over the run's
    model calls) is stated once the run ends, in the run object that a poll, a stream's last
    ``thread.run.*`` event or the call that ended it answers: billed once per run id. A run
    still going is pending; one that ended without usage (cancelled, expired) billed nothing."""
    run: dict[str, Any] | None = None
    if streamed:
        runs = _stream_objects(text, parsed, lambda data: data.get("object") == "thread.run")
        if runs is None:
            return
        run = runs[-1] if runs else None
    else:
        doc = _document(interaction, parsed)
        if doc is None:
            return
        run = doc if doc.get("object") == "thread.run" else None
    if run is None:
        parsed.problems.append("the answer holds no run object")
        return
    parsed.model = _str(run.get("model"))
    parsed.response_id = _str(run.get("id"))
    status = run.get("status")
    if run.get("usage") is None:
        if status in ("cancelled", "expired", "failed"):
            parsed.error = _error_text(_obj(run.get("last_error"))) if run.get("last_error") else f"the run {status}"
        elif status in ("completed", "incomplete"):
            # Its model calls were billed, and nothing here counts them (no text to estimate from).
            parsed.unmeasured = f"the {status} run states no usage (an older API version?)"
        else:
            # Still going (queued, in_progress, requires_action, cancelling), or a state this reader
            # does not know: the answer that states the run's usage bills it.
            parsed.pending = True
        return
    usage = run["usage"]
    if isinstance(usage, dict) and "prompt_token_details" in usage and "prompt_tokens_details" not in usage:
        # A run names its cache reads prompt_token_details, Chat Completions prompt_tokens_details.
        usage = {("prompt_tokens_details" if k == "prompt_token_details" else k): v for k, v in usage.items()}
    parsed.document = {"model": parsed.model, "usage": usage}


def _stream_objects(text: str, parsed: _Parsed, keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]] | None:
    """The JSON objects of an SSE stream that ``keep`` keeps, in order; None (``parsed.error``
    set) when the stream reports an error."""
    kept: list[dict[str, Any]] = []
    events, _ = _sse.parse(text)
    for event in events:
        data = event.json()
        if event.event == "error" or (isinstance(data, dict) and _has_error_object(data)):
            parsed.error = _error_text(_obj(data)) or "the stream ended with an error event"
            return None
        if isinstance(data, dict) and keep(data):
            kept.append(data)
    return kept


def _is_text_completion(doc: dict[str, Any]) -> bool:
    """An answer (or stream event) of Anthropic's legacy Text Completions: its ``completion`` text
    and ``stop_reason``; ``"type": "completion"`` from API version 2023-06-01 on."""
    return doc.get("type") == "completion" or (isinstance(doc.get("completion"), str) and "stop_reason" in doc)


def _parse_anthropic_complete(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """Anthropic's legacy Text Completions (``POST /v1/complete``, the API of Claude 1 and 2),
    answer or stream of completion events: billed per token as Messages are, but no answer
    states its usage, so the call is estimated from the prompt and the completion.

    Before API version 2023-06-01 a stream's events are data only, each holding the whole
    completion so far, and it ends in ``[DONE]``; from it on, each ``completion`` event holds the
    next piece. A stream whose texts each extend the one before is read as the former: its last."""
    docs: list[dict[str, Any]] | None
    if _sse.looks_like_sse(text):
        docs = _stream_objects(text, parsed, _is_text_completion)
    else:
        doc = _document(interaction, parsed)
        docs = None if doc is None else [doc]
    if docs is None:
        return
    texts: list[str] = []
    for doc in docs:
        parsed.model = _str(doc.get("model")) or parsed.model
        parsed.response_id = _str(doc.get("id")) or parsed.response_id
        if isinstance(doc.get("completion"), str):
            texts.append(doc["completion"])
    cumulative = len(texts) > 1 and all(b.startswith(a) and len(b) > len(a) for a, b in itertools.pairwise(texts))
    parsed.output_text.extend(texts[-1:] if cumulative else texts)
    parsed.problems.append("Anthropic's legacy Text Completions API states no usage")


def _parse_openai_videos(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """``POST /videos`` (or ``/videos/{id}/remix``): a video generation job (Sora), billed per second
    of video at its model's and size's rate, which no price here prices: unpriced, never free."""
    doc = _document(interaction, parsed)
    if doc is None:
        return
    parsed.model = _str(doc.get("model"))
    parsed.response_id = _str(doc.get("id"))
    seconds, size = doc.get("seconds"), doc.get("size")
    parsed.unmeasured = (
        f"a video generation job ({seconds if seconds is not None else '?'} s, {size or '?'}); OpenAI bills it "
        "per second of video, which genai-prices has no price for (a pytest_agentcost_price_call hook can price it)"
    )


def chat_tool_calls(doc: dict[str, Any]) -> int:
    """Tool calls a Chat Completions answer asks for: its choices' ``message.tool_calls``."""
    count = 0
    for choice in _list(doc.get("choices")):
        count += len(_list(_obj(_obj(choice).get("message")).get("tool_calls")))
    return count


def anthropic_tool_calls(blocks: Any) -> int:
    """Tool calls in an Anthropic message's content: its ``tool_use`` blocks."""
    return sum(1 for block in _list(blocks) if _obj(block).get("type") == "tool_use")


def gemini_tool_calls(chunk: dict[str, Any]) -> int:
    """Tool calls in a Gemini answer (or stream chunk): its candidates' ``functionCall`` parts."""
    count = 0
    for candidate in _list(chunk.get("candidates")):
        for part in _list(_obj(_obj(candidate).get("content")).get("parts")):
            if isinstance(_obj(part).get("functionCall"), dict):
                count += 1
    return count


def _anthropic_blocks(blocks: list[Any], parsed: _Parsed) -> None:
    parsed.tool_calls += anthropic_tool_calls(blocks)
    for block in blocks:
        block = _obj(block)
        if block.get("type") == "tool_use":
            parsed.output_text.append(json.dumps(block.get("input", {})))
        for key in ("text", "thinking"):
            if isinstance(block.get(key), str):
                parsed.output_text.append(block[key])


def _anthropic_events(docs: Iterable[dict[str, Any]], parsed: _Parsed) -> tuple[dict[str, Any] | None, bool]:
    """Fold Anthropic stream events; returns the merged usage and whether message_stop was seen.

    ``message_start`` carries the input side; each ``message_delta`` carries
    *cumulative* counts (with server tools its ``input_tokens`` is far larger
    than the start's), so later non-null values replace earlier ones. The start's
    ``output_tokens`` is a placeholder (1): a stream whose deltas never count the output has it
    left out (:data:`_NO_OUTPUT_COUNT`), to be estimated rather than priced at it.
    """
    usage: dict[str, Any] | None = None
    stopped = False
    output_counted = False
    for doc in docs:
        kind = doc.get("type")
        if kind == "message_start":
            message = _obj(doc.get("message"))
            parsed.model = _str(message.get("model")) or parsed.model
            parsed.response_id = _str(message.get("id")) or parsed.response_id
            usage = dict(_obj(message.get("usage")))
        elif kind == "message_delta":
            delta_usage = _obj(doc.get("usage"))
            usage = dict(usage or {})
            usage.update({key: value for key, value in delta_usage.items() if value is not None})
            output_counted = output_counted or delta_usage.get("output_tokens") is not None
        elif kind == "content_block_start":
            block = _obj(doc.get("content_block"))
            if block.get("type") == "tool_use":
                parsed.tool_calls += 1
        elif kind == "content_block_delta":
            delta = _obj(doc.get("delta"))
            for key in ("text", "partial_json", "thinking"):
                if isinstance(delta.get(key), str):
                    parsed.output_text.append(delta[key])
        elif kind == "message_stop":
            stopped = True
            metrics = _obj(doc.get("amazon-bedrock-invocationMetrics"))
            if metrics:
                parsed.headers_usage = _bedrock_metrics_usage(metrics)
        elif kind == "error":
            parsed.error = _error_text(doc)
    if stopped and usage is not None and not output_counted:
        usage.pop("output_tokens", None)  # the placeholder: the caller says so, or reads metrics
    return usage, stopped


def _parse_anthropic(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    if _sse.looks_like_sse(text):
        events, _ = _sse.parse(text)
        docs: list[dict[str, Any]] = []
        for event in events:
            doc = event.json()
            if event.event == "error":
                parsed.error = _error_text(_obj(doc)) or "error event"
            if isinstance(doc, dict):
                docs.append(doc)
        usage, stopped = _anthropic_events(docs, parsed)
        _finish_anthropic_stream(usage, stopped, parsed)
        return
    doc = _document(
        interaction, parsed, is_error=lambda d: d.get("type") == "error" or isinstance(d.get("error"), dict)
    )
    if doc is None:
        return
    parsed.model = _str(doc.get("model"))
    parsed.response_id = _str(doc.get("id"))
    _anthropic_blocks(_list(doc.get("content")), parsed)
    parsed.price_context = anthropic_context(doc.get("usage"))
    _anthropic_web_searches(doc.get("usage"), parsed)
    parsed.geo_apart = priced_geo_apart(doc.get("usage"))
    _usage_document(doc, parsed)


def _finish_anthropic_stream(usage: dict[str, Any] | None, stopped: bool, parsed: _Parsed) -> None:
    if parsed.error is not None:
        return
    parsed.price_context = anthropic_context(usage)  # an estimate is priced at the tier too
    _anthropic_web_searches(usage, parsed)  # and counts the searches
    parsed.geo_apart = priced_geo_apart(usage)
    if not stopped:
        parsed.problems.append("the stream ended before message_stop (truncated recording)")
        # Output counts in a cut stream are partial: estimate rather than under-report.
    elif usage is None:
        parsed.problems.append("the stream has no message_start usage")
    elif "output_tokens" not in usage:
        parsed.problems.append(_NO_OUTPUT_COUNT)
    else:
        parsed.document = {"model": parsed.model, "usage": usage}
        return
    _keep_stated_input(usage, parsed)


def _keep_stated_input(usage: Mapping[str, Any] | None, parsed: _Parsed) -> None:
    """Keep the input side of an Anthropic stream's usage for the estimate of a stream whose output
    count is unknown (cut, or its deltas count none): message_start states the prompt's tokens, cache
    reads and writes too, before any output, as they are billed (see :attr:`_Parsed.stated_input`)."""
    if usage is not None:
        parsed.stated_input = {key: value for key, value in usage.items() if key != "output_tokens"}


_NO_OUTPUT_COUNT = "its message_delta events count no output tokens (message_start's is a placeholder)"


def _gemini_chunks(chunks: Iterable[Any], parsed: _Parsed) -> tuple[dict[str, Any] | None, bool]:
    """Fold Gemini chunks: each carries cumulative usageMetadata, the last one is final."""
    usage: dict[str, Any] | None = None
    finished = False
    for chunk in chunks:
        chunk = _obj(chunk)
        if isinstance(chunk.get("error"), dict):
            parsed.error = _error_text(chunk)
            continue
        parsed.model = _str(chunk.get("modelVersion")) or parsed.model
        parsed.response_id = _str(chunk.get("responseId")) or parsed.response_id
        if isinstance(chunk.get("usageMetadata"), dict):
            usage = chunk["usageMetadata"]
        parsed.tool_calls += gemini_tool_calls(chunk)
        queries = _search_queries(chunk)
        if queries:  # a stream may repeat a candidate's grounding in later chunks: not more searches
            parsed.search_queries = max(parsed.search_queries, queries)
        parsed.maps_grounded = parsed.maps_grounded or _maps_grounded(chunk)
        for candidate in _list(chunk.get("candidates")):
            candidate = _obj(candidate)
            if candidate.get("finishReason"):
                finished = True
            for part in _list(_obj(candidate.get("content")).get("parts")):
                part = _obj(part)
                if isinstance(part.get("functionCall"), dict):
                    parsed.output_text.append(json.dumps(part["functionCall"]))
                if isinstance(part.get("text"), str):
                    parsed.output_text.append(part["text"])
    return usage, finished


def _search_queries(chunk: dict[str, Any]) -> int:
    """The Google searches a Gemini answer (or stream chunk) ran to ground itself: its candidates'
    ``groundingMetadata.webSearchQueries``."""
    return sum(
        len(_list(_obj(_obj(candidate).get("groundingMetadata")).get("webSearchQueries")))
        for candidate in _list(chunk.get("candidates"))
    )


def _maps_grounded(chunk: dict[str, Any]) -> bool:
    """Whether a Gemini answer (or stream chunk) grounded itself with Google Maps: a candidate's
    ``groundingMetadata`` has a ``maps`` grounding chunk or a Maps widget token."""
    for candidate in _list(chunk.get("candidates")):
        metadata = _obj(_obj(candidate).get("groundingMetadata"))
        if "googleMapsWidgetContextToken" in metadata:
            return True
        if any("maps" in _obj(item) for item in _list(metadata.get("groundingChunks"))):
            return True
    return False


#: OpenAI's Chat Completions search models (gpt-4o-search-preview, gpt-4o-mini-search-preview,
#: gpt-5-search-api and their snapshots): each call searches the web before it answers, a search
#: billed per call beside the tokens, which their answers do not list.
_SEARCH_MODEL = re.compile(r"^(?:openai/)?gpt-[\w.-]*-search-(?:preview|api)\b")


def searches_every_call(model: str | None) -> bool:
    """Whether a Chat Completions answer of ``model`` was billed a web search (:data:`_SEARCH_MODEL`)."""
    return model is not None and _SEARCH_MODEL.match(model) is not None


#: ``usage.inference_geo`` values billed at the model's list rates (``not_available``: a model
#: without the option).
_GLOBAL_GEOS = frozenset({"global", "not_available"})


def priced_geo_apart(usage: Any) -> str | None:
    """A Claude answer's ``usage.inference_geo`` when the call is billed apart from the model's
    list rates: US-only inference (``us``, Opus 4.6 and later on Anthropic's API) at 1.1 times
    them, which genai-prices does not price. None for the global rate (or no such field)."""
    geo = usage.get("inference_geo") if type(usage) is dict else None
    return geo if isinstance(geo, str) and geo not in _GLOBAL_GEOS else None


def geo_note(geo: str) -> str:
    """Why a Claude call that ran in ``geo`` (:func:`priced_geo_apart`) is unpriced."""
    rate = "at 1.1 times the model's token rates" if geo == "us" else "apart from the model's global rates"
    return (
        f"it ran with inference_geo {geo!r}, which Anthropic bills {rate}, a premium genai-prices does not "
        "price; the call is unpriced (a pytest_agentcost_price_call hook can price it)"
    )


def bedrock_tier_note(tier: Any, latency: Any) -> str | None:
    """Why a Bedrock call served on service tier ``tier`` or with latency ``latency`` (what the
    answer reports: Converse's ``serviceTier.type`` and ``performanceConfig.latency``, InvokeModel's
    ``X-Amzn-Bedrock-Service-Tier`` and ``-PerformanceConfig-Latency`` headers) is unpriced; None
    at the on-demand standard rates genai-prices lists. Flex is billed at a discount, priority at
    a premium, reserved by the capacity bought, latency-optimized inference at rates of its own."""
    if isinstance(tier, str) and tier and tier.lower() not in _BEDROCK_STANDARD_TIERS:
        what = f"on Bedrock's {tier!r} service tier"
    elif isinstance(latency, str) and latency.lower() == "optimized":
        what = "latency-optimized (performanceConfig latency 'optimized')"
    else:
        return None
    return (
        f"it was served {what}, which AWS bills at rates of its own, not the on-demand rates genai-prices "
        "lists; the call is unpriced (a pytest_agentcost_price_call hook can price it)"
    )


_BEDROCK_STANDARD_TIERS = frozenset({"default", "standard"})


def executed_tools_note(tools: int) -> str:
    """Why a Groq compound call whose system ran ``tools`` built-in tools is unpriced."""
    ran = f"{tools} built-in tool{'' if tools == 1 else 's'}"
    return (
        f"Groq's compound system ran {ran} (executed_tools: web search, website visits, code execution), "
        "which Groq bills per use beside the tokens and genai-prices does not price; the call is unpriced (a "
        "pytest_agentcost_price_call hook can price it)"
    )


def _executed_tools(docs: Iterable[Any]) -> int:
    """The built-in tools a Groq compound answer (or its stream's chunks) says it ran: each
    ``executed_tools`` item of a choice's ``message`` or ``delta``, counted once by its index
    (a stream repeats an item when its output arrives)."""
    seen: set[Any] = set()
    count = 0
    for doc in docs:
        for choice in _list(_obj(doc).get("choices")):
            choice = _obj(choice)
            for item in _list(_obj(choice.get("message") or choice.get("delta")).get("executed_tools")):
                index = _obj(item).get("index")
                key = (choice.get("index"), index) if isinstance(index, int) else None
                if key is None or key not in seen:
                    count += 1
                    if key is not None:
                        seen.add(key)
    return count


def _stream_usage_breakdown(events: list[_sse.SSEEvent]) -> Any:
    """A Groq compound stream's ``usage_breakdown``: sent in its final chunk, beside the usage, in
    ``x_groq`` (or at the top level); None when no chunk has one."""
    for event in reversed(events):
        if '"usage_breakdown"' not in event.data:
            continue
        chunk = _obj(event.json())
        for holder in (chunk, _obj(chunk.get("x_groq"))):
            if holder.get("usage_breakdown") is not None:
                return holder["usage_breakdown"]
    return None


def _breakdown_parts(
    endpoint: str, provider: str | None, document: Mapping[str, Any]
) -> list[tuple[str | None, Usage]] | None:
    """Groq's compound systems (``groq/compound``): the answer's ``usage_breakdown.models`` lists
    each model the system ran with its usage, which the top level sums, and Groq bills each at
    its own model's rates. Each is a part priced at its model's; None when the answer has none.
    Raises ValueError when an entry cannot be read."""
    breakdown = document.get("usage_breakdown")
    models = breakdown.get("models") if endpoint == "openai.chat" and type(breakdown) is dict else None
    if not isinstance(models, list) or not models:
        return None
    parts: list[tuple[str | None, Usage]] = []
    for index, item in enumerate(models):
        name = _obj(item).get("model")
        if not (isinstance(name, str) and name):
            raise ValueError(f"usage_breakdown.models[{index}].model is {name!r}, not a model name")
        try:
            _, part = _run_extractor(provider, endpoint, {"model": name, "usage": _obj(item).get("usage")})
        except ValueError as exc:
            raise ValueError(f"usage_breakdown.models[{index}]: {exc}") from exc
        parts.append((name, part))
    return parts


def images_note(images: int) -> str:
    """Why a Responses call whose image generation tool made ``images`` is unpriced."""
    made = f"{images} image{'' if images == 1 else 's'}"
    return (
        f"its image generation tool made {made} (image_generation_call), which OpenAI bills at the GPT Image "
        "model's rates beside the call's tokens and its usage does not count; the call is unpriced (a "
        "pytest_agentcost_price_call hook can price it)"
    )


def grounding_note(queries: int) -> str:
    """What a Gemini call grounded with Google Search is billed beside its tokens."""
    ran = f"{queries} search quer{'y' if queries == 1 else 'ies'}"
    return (
        f"grounded with Google Search ({ran}); Google bills grounding beyond a free quota (Gemini 3 per "
        "search query, Gemini 2.x per grounded prompt), which genai-prices has no price for: not in the cost"
    )


#: What a Gemini call grounded with Google Maps is billed beside its tokens.
MAPS_GROUNDING_NOTE = (
    "grounded with Google Maps; Google bills it per grounded prompt beyond a free quota, which genai-prices has "
    "no price for: not in the cost"
)


def _parse_gemini(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    chunks: list[Any]
    if _sse.looks_like_sse(text):
        events, _ = _sse.parse(text)
        chunks = [event.json() for event in events if isinstance(event.json(), dict)]
        if not chunks and text.strip():
            parsed.readable = False
            return
    else:
        doc = _response_json(interaction)
        if doc is None:
            chunks = _salvage_json_array(text) if text.lstrip().startswith("[") else []
            if not chunks:
                parsed.readable = False
                return
            parsed.problems.append("the streamed JSON array is cut short (truncated recording)")
        elif isinstance(doc, list):
            chunks = doc
        elif isinstance(doc, dict):
            chunks = [doc]
        else:
            parsed.readable = False
            return
    usage, finished = _gemini_chunks(chunks, parsed)
    if parsed.error is not None:
        return
    parsed.price_context = service_tier_context(_obj(usage).get("serviceTier"))  # estimates too
    if streamed and not finished and not parsed.problems:
        parsed.problems.append("the stream ended before a finishReason (truncated recording)")
    if parsed.problems:
        return
    if usage is None:
        parsed.problems.append("the response has no usageMetadata")
        return
    parsed.document = {"modelVersion": parsed.model, "usageMetadata": _gemini_modality_names(usage)}


#: ``ModalityTokenCount.modality`` by number: Vertex's REST transport asks for
#: ``$alt=json;enum-encoding=int`` (the ``vertexai`` SDK does), and its answers number enums.
_GEMINI_MODALITIES = ("MODALITY_UNSPECIFIED", "TEXT", "IMAGE", "VIDEO", "AUDIO", "DOCUMENT")


def _gemini_modality_names(usage: dict[str, Any]) -> dict[str, Any]:
    """``usage`` with each numbered modality of its ``*TokensDetails`` lists named, as genai-prices reads them."""
    named: dict[str, Any] | None = None
    for key, details in usage.items():
        if not key.endswith("TokensDetails") or type(details) is not list:
            continue
        if not any(type(item) is dict and type(item.get("modality")) is int for item in details):
            continue
        named = named if named is not None else dict(usage)
        named[key] = [
            {**item, "modality": _GEMINI_MODALITIES[item["modality"]]}
            if type(item) is dict
            and type(item.get("modality")) is int
            and 0 <= item["modality"] < len(_GEMINI_MODALITIES)
            else item
            for item in details
        ]
    return usage if named is None else named


def _salvage_json_array(text: str) -> list[Any]:
    """The complete elements of a JSON array whose end is missing."""
    decoder = json.JSONDecoder()
    items: list[Any] = []
    pos = text.index("[") + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except ValueError:
            return items
        items.append(item)


def _bedrock_metrics_usage(metrics: Mapping[str, Any]) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "inputTokens": metrics.get("inputTokenCount"),
        "outputTokens": metrics.get("outputTokenCount", 0),
    }
    if metrics.get("cacheReadInputTokenCount") is not None:
        usage["cacheReadInputTokens"] = metrics["cacheReadInputTokenCount"]
    if metrics.get("cacheWriteInputTokenCount") is not None:
        usage["cacheWriteInputTokens"] = metrics["cacheWriteInputTokenCount"]
    return usage


_BEDROCK_HEADERS = {
    "x-amzn-bedrock-input-token-count": "inputTokens",
    "x-amzn-bedrock-output-token-count": "outputTokens",
    "x-amzn-bedrock-cache-read-input-token-count": "cacheReadInputTokens",
    "x-amzn-bedrock-cache-write-input-token-count": "cacheWriteInputTokens",
}


def _bedrock_header_usage(interaction: Interaction) -> dict[str, Any] | None:
    """Usage from ``x-amzn-bedrock-*-token-count`` headers (Converse-shaped), or None."""
    headers = interaction.response_headers
    if "x-amzn-bedrock-input-token-count" not in headers:
        return None
    usage: dict[str, Any] = {"outputTokens": 0}
    for header, key in _BEDROCK_HEADERS.items():
        raw = headers.get(header)
        if raw is None:
            continue
        try:
            usage[key] = int(raw.split(",")[0].strip())
        except ValueError:
            usage[key] = raw  # reported as malformed by the usage check
    return usage


def _bedrock_frames(interaction: Interaction, raw: bytes, parsed: _Parsed) -> list[tuple[str, Any]]:
    """(event type, payload JSON) of each event-stream frame; exception frames set ``error``."""
    frames, problems = _eventstream.decode(raw)
    if problems:
        parsed.problems.extend(problems)
    events: list[tuple[str, Any]] = []
    for frame in frames:
        payload = json_or_none(frame.payload.decode("utf-8", errors="replace"))
        if frame.message_type != "event":
            message = _str(_obj(payload).get("message")) or frame.payload[:200].decode("utf-8", "replace")
            parsed.error = f"{frame.event_type or frame.message_type}: {message}"
            continue
        events.append((frame.event_type, payload))
    return events


def _parse_bedrock_agent(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """Bedrock Agents' InvokeAgent and InvokeInlineAgent: an event stream of the answer's ``chunk``
    events and, when the request set ``enableTrace``, ``trace`` events. The trace has each model
    invocation the agent made (pre-processing, orchestration steps, routing): the
    ``foundationModel`` its input names (else an inline agent's request's) and the ``usage`` its
    output reports, which AWS bills at that model's rates. The call is their sum; without the
    trace nothing records it, and the call is unpriced.
    """
    raw = interaction.decoded_response_body()
    if not _eventstream.looks_like_eventstream(raw):
        parsed.readable = False
        return
    models: list[str | None] = []
    counts = [0, 0]
    model = _str(_obj(_request_json(interaction)).get("foundationModel"))  # an inline agent's
    traced = False
    for kind, payload in _bedrock_frames(interaction, raw, parsed):
        traced = traced or kind == "trace"
        doc = _obj(payload)
        if kind == "chunk":
            try:
                parsed.output_text.append(base64.b64decode(str(doc.get("bytes", ""))).decode("utf-8", "replace"))
            except ValueError:
                parsed.problems.append("an agent answer chunk is not base64")
        elif kind == "returnControl":
            parsed.tool_calls += len(_list(doc.get("invocationInputs"))) or 1
        for step in _obj(doc.get("trace")).values() if kind == "trace" else ():
            step = _obj(step)
            model = _str(_obj(step.get("modelInvocationInput")).get("foundationModel")) or model
            if isinstance(_obj(step.get("invocationInput")).get("actionGroupInvocationInput"), dict):
                parsed.tool_calls += 1
            usage = _obj(_obj(step.get("modelInvocationOutput")).get("metadata")).get("usage")
            if usage is None:
                continue
            tokens_in, tokens_out = _obj(usage).get("inputTokens"), _obj(usage).get("outputTokens")
            if not (type(tokens_in) is int and type(tokens_out) is int and tokens_in >= 0 and tokens_out >= 0):
                parsed.problems.append("malformed usage in the agent's trace")
                return
            counts = [counts[0] + tokens_in, counts[1] + tokens_out]
            models.append(model)
    if parsed.error is not None or parsed.problems:
        return
    named = set(models)
    if not models and traced:
        # A guardrail that intervened before any model ran: nothing the agent's model billed.
        parsed.unmeasured = "the agent's trace records no model invocation and so no usage"
    elif not models:
        parsed.unmeasured = (
            "Bedrock Agents answers record the model's usage only in their trace, which this one has not "
            "(the request's enableTrace)"
        )
    elif len(named) != 1 or None in named:
        parsed.unmeasured = (
            f"the agent's {len(models)} model invocations name models "
            f"{', '.join(sorted(m or '?' for m in named))}, one price each, and one call has one model"
        )
    else:
        parsed.model = _bedrock_model_id(str(models[0]))
        parsed.usage = Usage(input_tokens=counts[0], output_tokens=counts[1])


def unread_call(interaction: Interaction) -> Extraction:
    """An exchange whose usage nothing could read (a usage hook that raised): billed when it
    succeeded, of no known usage, and unpriced."""
    billed = 200 <= interaction.status < 300
    return _zero_call(interaction, None, "unread", billed=billed, unpriced=billed)


def _zero_call(
    interaction: Interaction,
    provider: str | None,
    endpoint: str,
    *,
    billed: bool,
    estimated: bool = False,
    unpriced: bool = False,
    warnings: tuple[str, ...] = (),
) -> Extraction:
    """A call whose usage is not known, counted as zero tokens: billed or not, and estimated or
    unpriced so that its zero is never taken for an exact $0."""
    return Extraction(
        provider=provider,
        endpoint=endpoint,
        model=_fallback_model(interaction),
        usage=_zero_usage(),
        streamed=False,
        billed=billed,
        estimated=estimated,
        tool_calls=0,
        response_id=None,
        is_poll=False,
        warnings=warnings,
        unpriced=unpriced,
    )


_GUARDRAIL_APPLY = re.compile(r"/guardrail/[^/]+/version/[^/]+/apply$")


def billed_elsewhere(interaction: Interaction) -> str | None:
    """What to say of a provider request that is no LLM call here but is billed, or None: a batch
    job submitted (OpenAI's, Azure's and Groq's ``POST .../batches``, Anthropic's ``POST
    /v1/messages/batches``, on their own hosts: another API's ``/batches`` is no LLM's; Gemini's
    ``:batchGenerateContent``), whose results are counted where a test reads them, and Vertex AI's
    batch predictions, whose results are not; a Gemini context cache created or its lifetime
    changed (``cachedContents``), billed for its storage; a Bedrock guardrail applied on its own
    (``ApplyGuardrail``)."""
    method = interaction.method.upper()
    if method not in ("POST", "PATCH") or not 200 <= interaction.status < 300:
        return None
    path = interaction.path
    if "/cachedContents" in path and _url_facts("POST", interaction.url)[0] == "google":
        doc = _obj(interaction.response_json)
        tokens = _obj(doc.get("usageMetadata")).get("totalTokenCount")
        size = f"{tokens} tokens, " if type(tokens) is int else ""
        return (
            f"a Gemini context cache {'created' if method == 'POST' else 'updated'} ({size}until "
            f"{doc.get('expireTime', '?')}); Google bills its storage per token-hour until it expires (on "
            "Vertex AI also its tokens at the input price when created), which genai-prices does not price: "
            "not counted"
        )
    if method != "POST":
        return None
    if _GUARDRAIL_APPLY.search(path) and _url_facts("POST", interaction.url)[0] == "aws":
        units: dict[str, int] = {}
        _add_billed_units(_obj(interaction.response_json).get("usage"), units)
        if not units:
            return None  # only free policies ran (or the answer reports none): nothing billed
        return (
            f"a Bedrock guardrail applied (ApplyGuardrail, policy units: {_units_text(units)}); Bedrock "
            "Guardrails bills its policy evaluations per text unit, and genai-prices has no price for them: not counted"
        )
    if path.endswith(":batchGenerateContent"):
        return (
            "a Gemini batch job submitted; its requests are billed when it runs, and counted where a test "
            "reads its results (GET batches/{id} once done, or its results file), not here"
        )
    if path.endswith("/batchPredictionJobs") and _url_facts("POST", interaction.url)[0] == "google":
        return (
            "a Vertex AI batch prediction job submitted; its requests are billed when it runs, and its results, "
            "written to Cloud Storage or BigQuery, are counted in no test"
        )
    if _BATCH_SUBMISSIONS.search(path) and _url_facts("POST", interaction.url)[0] is not None:
        return (
            f"a batch job submitted ({path}); its requests are billed when it runs, and counted where a test "
            "reads its results, not here"
        )
    return None


def _batch_lines(interaction: Interaction, endpoint: str) -> list[dict[str, Any]] | None:
    """A batch's results: JSON lines, each a result keyed by ``custom_id`` (Anthropic's with a
    ``result``, OpenAI's output file with a ``response`` or an ``error``); None for anything else."""
    key = "result" if endpoint == "anthropic.batch" else "response"
    return _result_lines(
        _response_text(interaction), lambda line: "custom_id" in line and (key in line or "error" in line)
    )


def _result_lines(text: str, is_result: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]] | None:
    """The lines of a batch's results file, JSON objects each ``is_result`` accepts; None for a
    file of another kind (an image, a PDF, training data: it stops at the first other line)."""
    if not text.lstrip().startswith("{"):
        return None
    lines: list[dict[str, Any]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        line = json_or_none(raw)
        if not (isinstance(line, dict) and is_result(line)):
            return None
        lines.append(line)
    return lines or None


#: The endpoint an OpenAI batch output line's body answers, by its ``object``.
_BATCH_BODY_ENDPOINTS = {"chat.completion": "openai.chat", "response": "openai.responses", "list": "openai.embeddings"}


def _parse_batch(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """A batch's results, read back (``GET /v1/messages/batches/{id}/results``, Anthropic; the
    output file, ``GET /v1/files/{id}/content``, OpenAI): one line a request, each succeeded one
    an answer with its usage. The requests were billed when the batch ran, at the batch price;
    the call is their sum, billed once per batch (or file) id. Requests that failed, expired or
    were canceled are not billed.
    """
    anthropic = interaction.path.endswith("/results")
    provider = "anthropic" if anthropic else "openai"
    models: set[str | None] = set()
    for line in _batch_lines(interaction, f"{provider}.batch") or []:
        if anthropic:
            result = _obj(line.get("result"))
            doc, endpoint = (_obj(result.get("message")), "anthropic.messages")
            if result.get("type") != "succeeded":
                continue
        else:
            response = _obj(line.get("response"))
            doc = _obj(response.get("body"))
            endpoint = _BATCH_BODY_ENDPOINTS.get(str(doc.get("object")), "openai.chat")
            code = response.get("status_code")
            if not (type(code) is int and 200 <= code < 300):
                continue
        if not _batch_result(doc, provider, endpoint, _str(doc.get("model")), parsed, models):
            return
        if endpoint == "openai.responses":
            parsed.tool_calls += _responses_tool_calls(doc)
            for key, count in _responses_server_tools(doc).items():
                setattr(parsed.parts[-1], key, count)  # billed per call, beside the tokens
                parsed.server_tools[key] = parsed.server_tools.get(key, 0) + count
        else:
            parsed.tool_calls += anthropic_tool_calls(doc.get("content")) + chat_tool_calls(doc)
    _batch_call(models, parsed)


def _batch_result(
    doc: dict[str, Any], provider: str, endpoint: str, model: str | None, parsed: _Parsed, models: set[str | None]
) -> bool:
    """Add a batch's succeeded request, its answer ``doc``, to ``parsed.parts`` and its model to
    ``models``; False when its usage cannot be read (``parsed.problems`` says why)."""
    try:
        found, usage = _run_extractor(provider, endpoint, doc)
        iterated = _iteration_parts(provider, endpoint, doc, (found, model), usage)
    except ValueError as exc:
        parsed.problems.append(f"a result of the batch has no usable usage ({exc})")
        return False
    models.add(found or model)
    if iterated is None:
        parsed.parts.append(usage)
        parsed.part_models.append(None)
        return True
    for name, part in iterated:  # billed iteration by iteration (an advisor's at its model's rates)
        parsed.parts.append(part)
        parsed.part_models.append(name)
    searches = usage.__dict__.get("web_searches")
    if searches:
        iterated[last_own(name for name, _ in iterated)][1].web_searches = searches
    return True


def _batch_call(models: set[str | None], parsed: _Parsed) -> None:
    """A batch's succeeded requests (``parsed.parts``), summed: one call of their model at the
    batch price."""
    if not parsed.parts:
        parsed.error = "no request of the batch succeeded"
    elif len(models) != 1 or None in models:
        names = ", ".join(sorted(m or "?" for m in models))
        parsed.unmeasured = f"the batch's results name models {names}, one price each, and one call has one model"
    else:
        parsed.model = models.pop()
        parsed.usage = functools.reduce(operator.add, parsed.parts)
        parsed.price_context = _ANTHROPIC_BATCH


def _gemini_batch_results(interaction: Interaction) -> list[Any] | None:
    """A Gemini batch's results: the items of a finished inline batch's operation, the lines of
    its results file (each with a ``response`` or an ``error``), ``[]`` for an operation with none
    (running, failed, or one whose results are in a file); None for anything else."""
    text = _response_text(interaction)
    if interaction.path.endswith(":download"):
        return _result_lines(text, lambda line: "response" in line or "error" in line)
    doc = json_or_none(text)
    if not (isinstance(doc, dict) and str(doc.get("name", "")).startswith("batches/")):
        return None
    # The finished operation holds its results twice, under metadata.output and response (each
    # an object whose "inlinedResponses" is the list): read one, as Google's SDK reads metadata.
    for holder in (_obj(_obj(doc.get("metadata")).get("output")), _obj(doc.get("response"))):
        items = _obj(holder.get("inlinedResponses")).get("inlinedResponses")
        if isinstance(items, list):
            return items
    return []


def _parse_gemini_batch(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """A Gemini batch's results, read back: a finished inline batch's operation (``GET
    batches/{id}``, polled until done; each poll after repeats the results) or its results file.
    The requests were billed when the batch ran, at the batch price; the call is their sum, billed
    once per batch id. Failed requests are not billed; an operation without results is not a call
    yet (running), or its results are in its file."""
    items = _gemini_batch_results(interaction) or []
    models: set[str | None] = set()
    embeddings = False
    for item in items:
        response = _obj(_obj(item).get("response"))
        if not response:
            continue  # a failed request: an error in place of its response
        if "embedding" in response or "embeddings" in response:
            embeddings = True
            continue
        model = _str(response.get("modelVersion"))
        if not _batch_result(response, "google", "gemini.generate_content", model, parsed, models):
            return
        parsed.tool_calls += gemini_tool_calls(response)
    if embeddings:
        parsed.unmeasured = "a Gemini embedding batch's results give token counts without a model"
    elif not items:
        parsed.pending = True  # not done, or its results are in a file the test may download
    else:
        _batch_call(models, parsed)


def _converse_content(blocks: Iterable[Any], parsed: _Parsed) -> None:
    for block in blocks:
        block = _obj(block)
        if isinstance(block.get("toolUse"), dict):
            parsed.tool_calls += 1
            parsed.output_text.append(json.dumps(block["toolUse"].get("input", {})))
        if isinstance(block.get("text"), str):
            parsed.output_text.append(block["text"])


def _converse_stream_block(kind: str, payload: dict[str, Any], parsed: _Parsed) -> None:
    """A content block event of a Converse stream (also Nova's InvokeModel stream chunks)."""
    if kind == "contentBlockStart":
        if isinstance(_obj(payload.get("start")).get("toolUse"), dict):
            parsed.tool_calls += 1
    elif kind == "contentBlockDelta":
        delta = _obj(payload.get("delta"))
        if isinstance(delta.get("text"), str):
            parsed.output_text.append(delta["text"])
        if isinstance(_obj(delta.get("toolUse")).get("input"), str):
            parsed.output_text.append(delta["toolUse"]["input"])


def _parse_bedrock_converse(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    raw = interaction.decoded_response_body()
    parsed.response_id = interaction.response_headers.get("x-amzn-requestid")
    if _eventstream.looks_like_eventstream(raw):
        usage: Any = None
        stopped = False
        for kind, payload in _bedrock_frames(interaction, raw, parsed):
            payload = _obj(payload)
            if kind == "metadata":
                usage = payload.get("usage")
                _guardrail_trace(_obj(payload.get("trace")).get("guardrail"), parsed)
                parsed.tier_apart = _converse_tier_note(payload)
            elif kind == "messageStop":
                stopped = True
            else:
                _converse_stream_block(kind, payload, parsed)
        if parsed.error is not None:
            return
        if usage is None:
            if not stopped or parsed.problems:
                parsed.problems.append("the event stream ended before its metadata event (truncated)")
            else:
                parsed.problems.append("the event stream has no metadata usage")
            return
        parsed.document = {"usage": usage}
        return
    doc = _document(interaction, parsed, is_error=lambda d: False)
    if doc is None:
        return
    _converse_content(_list(_obj(_obj(doc.get("output")).get("message")).get("content")), parsed)
    _guardrail_trace(_obj(doc.get("trace")).get("guardrail"), parsed)
    parsed.tier_apart = _converse_tier_note(doc)
    _usage_document(doc, parsed)


def _converse_tier_note(doc: dict[str, Any]) -> str | None:
    """:func:`bedrock_tier_note` for a Converse answer or ConverseStream metadata event."""
    return bedrock_tier_note(
        _obj(doc.get("serviceTier")).get("type"), _obj(doc.get("performanceConfig")).get("latency")
    )


def _parse_bedrock_invoke(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    raw = interaction.decoded_response_body()
    parsed.response_id = interaction.response_headers.get("x-amzn-requestid")
    headers = interaction.response_headers
    parsed.tier_apart = bedrock_tier_note(
        headers.get("x-amzn-bedrock-service-tier"), headers.get("x-amzn-bedrock-performanceconfig-latency")
    )
    header_usage = _bedrock_header_usage(interaction)
    if _eventstream.looks_like_eventstream(raw):
        docs: list[dict[str, Any]] = []
        for kind, payload in _bedrock_frames(interaction, raw, parsed):
            if kind != "chunk":
                continue
            try:
                inner = base64.b64decode(str(_obj(payload).get("bytes", "")), validate=True)
            except ValueError:
                parsed.problems.append("an invoke-with-response-stream chunk is not base64")
                continue
            doc = json_or_none(inner.decode("utf-8", errors="replace"))
            if isinstance(doc, dict):
                docs.append(doc)
        if parsed.error is not None:
            return
        usage, stopped = _anthropic_events([doc for doc in docs if "type" in doc], parsed)
        tool_calls = _StreamToolCalls()
        for doc in docs:
            # Non-Claude models put text and final metrics in untyped chunks: Llama, Titan and
            # Mistral as text keys, Nova as Converse's events, OpenAI models as Chat Completions chunks.
            if "type" not in doc:
                for key in ("generation", "outputText", "completion"):
                    if isinstance(doc.get(key), str):
                        parsed.output_text.append(doc[key])
                for kind in ("contentBlockStart", "contentBlockDelta"):
                    _converse_stream_block(kind, _obj(doc.get(kind)), parsed)
                _chat_chunk_choices(doc, tool_calls, parsed.output_text)
            _guardrail_trace(_obj(doc.get("amazon-bedrock-trace")).get("guardrail"), parsed)
            metrics = _obj(doc.get("amazon-bedrock-invocationMetrics"))
            if metrics:
                parsed.headers_usage = _bedrock_metrics_usage(metrics)
        parsed.tool_calls += tool_calls.count()
        if parsed.error is not None or parsed.problems:
            return
        if stopped and usage is not None and "output_tokens" in usage:
            parsed.document = {"model": parsed.model, "usage": usage}
        elif stopped and usage is not None and parsed.headers_usage is None:
            parsed.problems.append(_NO_OUTPUT_COUNT)
            _keep_stated_input(usage, parsed)
        elif parsed.headers_usage is None:
            if any(_guardrail_blocked_input(doc) for doc in docs):
                parsed.error = _GUARDRAIL_BLOCKED
            else:
                parsed.problems.append("the event stream ended before its final metrics (truncated recording)")
                _keep_stated_input(usage, parsed)
        return
    doc = _response_json(interaction)
    if isinstance(doc, dict):
        _guardrail_trace(_obj(doc.get("amazon-bedrock-trace")).get("guardrail"), parsed)
    if isinstance(doc, dict) and doc.get("type") == "message":
        parsed.model = _str(doc.get("model"))
        parsed.response_id = _str(doc.get("id")) or parsed.response_id
        _anthropic_blocks(_list(doc.get("content")), parsed)
        if doc.get("usage") is not None:
            parsed.document = doc
            return
    elif isinstance(doc, dict):
        for key in ("generation", "outputText", "completion"):
            if isinstance(doc.get(key), str):
                parsed.output_text.append(doc[key])
        for result in _list(doc.get("results")):
            if isinstance(_obj(result).get("outputText"), str):
                parsed.output_text.append(_obj(result)["outputText"])
        # Nova (messages-v1) answers in Converse's shape, OpenAI models in Chat Completions'.
        _converse_content(_list(_obj(_obj(doc.get("output")).get("message")).get("content")), parsed)
        _chat_answer(doc, parsed)
    elif header_usage is None:
        parsed.readable = False
        return
    if header_usage is not None:
        parsed.headers_usage = header_usage
        return
    if _guardrail_blocked_input(_obj(doc)):
        parsed.error = _GUARDRAIL_BLOCKED
        return
    parsed.problems.append("the response has no usage and no x-amzn-bedrock-*-token-count headers")


_GUARDRAIL_BLOCKED = (
    "a guardrail blocked the input before the model ran, so no model tokens are billed; "
    "the guardrail's own charge is not priced"
)


#: Guardrail policy units Bedrock Guardrails does not charge for: word filters and the regular
#: expression part of the sensitive information filter (``...FreeUnits``), per its price list.
_FREE_GUARDRAIL_UNITS = ("wordPolicyUnits", "sensitiveInformationPolicyFreeUnits")


def _add_billed_units(usage: Any, units: dict[str, int]) -> None:
    """Add a guardrail usage object's billed policy units (``GuardrailUsage``: ``...Units`` counts,
    free ones left out; ``automatedReasoningPolicies`` counts policies, not units) to ``units``."""
    for key, count in _obj(usage).items():
        if type(count) is int and count > 0 and key.endswith("Units") and key not in _FREE_GUARDRAIL_UNITS:
            units[key] = units.get(key, 0) + count


def _units_text(units: Mapping[str, int]) -> str:
    return ", ".join(f"{key} {count}" for key, count in sorted(units.items()))


def _guardrail_trace(trace: Any, parsed: _Parsed) -> None:
    """Add the billed policy units a Bedrock guardrail's trace reports (its assessments'
    ``invocationMetrics.usage``, input and output, Converse's and InvokeModel's layouts) to
    ``parsed.guardrail_units``. A policy's findings (``contentPolicy``, ``sensitiveInformationPolicy``
    with its PII matches ...) and the model's output hold none: not walked."""
    if not isinstance(trace, dict):
        return
    units = parsed.guardrail_units if parsed.guardrail_units is not None else {}
    parsed.guardrail_units = units
    stack: list[Any] = [trace]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            _add_billed_units(_obj(node.get("invocationMetrics")).get("usage"), units)
            stack.extend(
                value
                for key, value in node.items()
                if isinstance(value, dict | list) and key != "modelOutput" and not str(key).endswith("Policy")
            )


def guardrail_note(interaction: Interaction, endpoint: str, units: Mapping[str, int] | None) -> str | None:
    """What to say of a Bedrock model call a guardrail checked (a guardrail trace in the answer,
    or, without one, Converse's ``guardrailConfig`` or InvokeModel's
    ``X-Amzn-Bedrock-GuardrailIdentifier``): Bedrock Guardrails bills its policy evaluations per
    text unit, apart from the model's tokens, and genai-prices has no price for them. None for a
    call without a guardrail, or whose trace reports only free units."""
    if units is not None:
        if not units:
            return None  # traced: only free policies (word filters, regular expressions) ran
    elif endpoint == "bedrock.invoke":
        if "x-amzn-bedrock-guardrailidentifier" not in interaction.request_headers:
            return None
    elif b"guardrailConfig" not in interaction.decoded_request_body() or not isinstance(
        _obj(interaction.request_json).get("guardrailConfig"), dict
    ):
        return None
    counted = _units_text(units or {}) or "in the guardrail trace, which was off"
    return (
        "a Bedrock guardrail checked this call; Bedrock Guardrails bills its policy evaluations per text unit, "
        f"apart from the model's tokens (policy units: {counted}), and genai-prices has no price for them: "
        "the cost is the tokens alone"
    )


def _guardrail_blocked_input(doc: dict[str, Any]) -> bool:
    """An InvokeModel answer (or stream chunk) from a guardrail that stopped the input: Bedrock
    says ``amazon-bedrock-guardrailAction: INTERVENED`` and its trace, when there is one, has no
    model output. Called only when the answer has no token counts (no invocation metrics, no
    usage headers), which a model that ran always reports."""
    if doc.get("amazon-bedrock-guardrailAction") != "INTERVENED":
        return False
    guardrail = _obj(_obj(doc.get("amazon-bedrock-trace")).get("guardrail"))
    return not guardrail.get("modelOutput") and not guardrail.get("outputs")


def _parse_bedrock_embeddings(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    parsed.response_id = interaction.response_headers.get("x-amzn-requestid")
    header_usage = _bedrock_header_usage(interaction)
    if header_usage is not None:
        parsed.headers_usage = header_usage
        return
    doc = _obj(_response_json(interaction))
    count = doc.get("inputTextTokenCount")
    if count is not None:
        # Titan reports the same count in the body; a recording may have dropped the headers.
        parsed.headers_usage = {"inputTokens": count, "outputTokens": 0}
        return
    parsed.problems.append("the response has no x-amzn-bedrock-input-token-count header")


def _cohere_message(message: dict[str, Any], parsed: _Parsed) -> None:
    calls = _list(message.get("tool_calls"))
    parsed.tool_calls += len(calls)
    for block in _list(message.get("content")):
        if isinstance(_obj(block).get("text"), str):
            parsed.output_text.append(_obj(block)["text"])
    for call in calls:
        function = _obj(_obj(call).get("function"))
        parsed.output_text.extend(
            part for part in (function.get("name"), function.get("arguments")) if isinstance(part, str)
        )


def _cohere_error(doc: dict[str, Any]) -> bool:
    """Cohere's error body: ``{"id": ..., "message": "<text>"}``; an answer's ``message`` is an object."""
    return isinstance(doc.get("message"), str) or _has_error_object(doc)


def _parse_cohere_chat(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """Cohere's v2 Chat: the answer object, or a stream whose ``message-end`` event holds the usage.
    v1 Chat (``/v1/chat``) is read by :func:`_parse_cohere_v1_chat`.

    The model is not in the answer: the request names it (see :func:`_fallback_model`).
    """
    if interaction.path.rstrip("/").endswith("/v1/chat"):
        _parse_cohere_v1_chat(interaction, text, parsed)
        return
    if interaction.path.rstrip("/").endswith("/v1/generate"):
        _parse_cohere_generate(interaction, text, parsed)
        return
    if _sse.looks_like_sse(text):
        events, _ = _sse.parse(text)
        for event in events:
            chunk = _obj(event.json())
            kind = chunk.get("type")
            delta = _obj(chunk.get("delta"))
            if kind == "message-start":
                parsed.response_id = _str(chunk.get("id"))
            elif kind == "content-delta":
                piece = _obj(_obj(_obj(delta.get("message")).get("content"))).get("text")
                if isinstance(piece, str):
                    parsed.output_text.append(piece)
            elif kind == "tool-call-start":
                parsed.tool_calls += 1
            elif kind == "message-end":
                if delta.get("usage") is None:
                    parsed.problems.append("the stream's message-end event has no usage")
                else:
                    parsed.document = {"usage": delta["usage"]}
                return
        parsed.problems.append("the stream ended before its message-end event (truncated recording)")
        return
    doc = _document(interaction, parsed, _cohere_error)
    if doc is None:
        return
    parsed.response_id = _str(doc.get("id"))
    _cohere_message(_obj(doc.get("message")), parsed)
    _usage_document(doc, parsed)


def _cohere_v1_answer(doc: dict[str, Any], parsed: _Parsed) -> None:
    """A v1 Chat answer (or a stream's final ``response``): ``text``, ``tool_calls`` and the billed
    units in ``meta.billed_units``, read as genai-prices' Cohere extractor reads v2's ``usage``."""
    parsed.response_id = _str(doc.get("response_id")) or _str(doc.get("generation_id")) or parsed.response_id
    if isinstance(doc.get("text"), str):
        parsed.output_text.append(doc["text"])
    calls = _list(doc.get("tool_calls"))
    parsed.tool_calls += len(calls)
    parsed.output_text.extend(json.dumps(_obj(call).get("parameters", {})) for call in calls)
    _cohere_billed_units(doc, parsed)


def _cohere_billed_units(doc: dict[str, Any], parsed: _Parsed) -> None:
    """A v1 answer's ``meta.billed_units``, read as genai-prices' Cohere extractor reads v2's
    ``usage`` (Chat and the legacy Generate answer alike)."""
    billed = _obj(doc.get("meta")).get("billed_units")
    if billed is None:
        parsed.problems.append("the response has no meta.billed_units")
    else:
        parsed.document = {"usage": {"billed_units": billed}}


def _parse_cohere_v1_chat(interaction: Interaction, text: str, parsed: _Parsed) -> None:
    """Cohere's v1 Chat: the answer object, or a JSON-lines stream whose ``stream-end`` event holds
    the final answer (and its ``meta.billed_units``)."""
    events = _json_lines(text)
    if events is not None and any("event_type" in event for event in events):
        for event in events:
            kind = event.get("event_type")
            if kind == "stream-start":
                parsed.response_id = _str(event.get("generation_id"))
            elif kind == "text-generation" and isinstance(event.get("text"), str):
                parsed.output_text.append(event["text"])
            elif kind == "stream-end":
                parsed.output_text.clear()  # the final answer repeats the text
                _cohere_v1_answer(_obj(event.get("response")), parsed)
                return
        parsed.problems.append("the stream ended before its stream-end event (truncated recording)")
        return
    doc = _document(interaction, parsed, _cohere_error)
    if doc is None:
        return
    _cohere_v1_answer(doc, parsed)


def _parse_cohere_generate(interaction: Interaction, text: str, parsed: _Parsed) -> None:
    """Cohere's legacy Generate (``/v1/generate``): ``generations`` and the billed units in
    ``meta.billed_units``, or a JSON-lines stream whose last line (``is_finished``) holds that
    answer. The request names the model, else it is the endpoint's default, ``command``."""
    events = _json_lines(text)
    doc: dict[str, Any] | None
    if events is not None:
        final = [event for event in events if event.get("is_finished") is True]
        if not final:
            parsed.problems.append("the stream ended before its finished event (truncated recording)")
            return
        doc = _obj(final[-1].get("response"))
    else:
        doc = _document(interaction, parsed, _cohere_error)
        if doc is None:
            return
    parsed.model = _str(_obj(_request_json(interaction)).get("model")) or "command"
    parsed.response_id = _str(doc.get("id"))
    for generation in _list(doc.get("generations")):
        if isinstance(_obj(generation).get("text"), str):
            parsed.output_text.append(_obj(generation)["text"])
    _cohere_billed_units(doc, parsed)


def _parse_cohere_embed(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """Cohere Embed (v1 and v2): the billed input tokens are ``meta.billed_units``; the request names the model."""
    doc = _document(interaction, parsed, _cohere_error)
    if doc is None:
        return
    parsed.response_id = _str(doc.get("id"))
    if _obj(doc.get("meta")).get("billed_units") is None:
        parsed.problems.append("the response has no meta.billed_units")
    else:
        parsed.document = doc


def _parse_cohere_rerank(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """Cohere Rerank (v1 and v2): billed per search unit, ``meta.billed_units.search_units`` (a
    query over up to 100 documents), genai-prices' ``rerank_searches``; the request names the model.
    genai-prices has no extractor for it, and no price yet: such calls are unpriced, not $0."""
    doc = _document(interaction, parsed, _cohere_error)
    if doc is None:
        return
    parsed.response_id = _str(doc.get("id"))
    units = _obj(doc.get("meta")).get("billed_units")
    searches = _obj(units).get("search_units")
    if isinstance(searches, float) and searches.is_integer():
        searches = int(searches)
    if not _is_count(searches) or not isinstance(searches, int):
        parsed.problems.append("the response has no whole meta.billed_units.search_units")
        return
    parsed.usage = Usage(rerank_searches=searches)


#: The Interactions API's usage counts, by the ``usageMetadata`` field of ``generateContent`` that
#: counts the same tokens (its ``total_output_tokens`` leaves out thoughts, as
#: ``candidatesTokenCount`` does: ``total_tokens`` is input + output + thought + tool-use tokens).
_INTERACTIONS_COUNTS = {
    "total_input_tokens": "promptTokenCount",
    "total_cached_tokens": "cachedContentTokenCount",
    "total_output_tokens": "candidatesTokenCount",
    "total_thought_tokens": "thoughtsTokenCount",
    "total_tool_use_tokens": "toolUsePromptTokenCount",
}
_INTERACTIONS_MODALITIES = {
    "input_tokens_by_modality": "promptTokensDetails",
    "cached_tokens_by_modality": "cacheTokensDetails",
    "output_tokens_by_modality": "candidatesTokensDetails",
    "tool_use_tokens_by_modality": "toolUsePromptTokensDetails",
}


def _interactions_usage_metadata(usage: dict[str, Any]) -> dict[str, Any]:
    """An Interactions ``usage`` object as the ``usageMetadata`` genai-prices' Gemini extractor reads.

    genai-prices has no extractor for the Interactions API; its counts are ``generateContent``'s
    under other names, and its per-modality lists (``{"modality": "audio", "tokens": n}``) become
    ``usageMetadata``'s (``{"modality": "AUDIO", "tokenCount": n}``), which price audio apart.
    """
    metadata: dict[str, Any] = {}
    for key, value in usage.items():
        if key in _INTERACTIONS_COUNTS:
            metadata[_INTERACTIONS_COUNTS[key]] = value
        elif key in _INTERACTIONS_MODALITIES and isinstance(value, list):
            metadata[_INTERACTIONS_MODALITIES[key]] = [
                {"modality": str(_obj(item).get("modality", "")).upper(), "tokenCount": _obj(item).get("tokens")}
                for item in value
            ]
        else:
            metadata[key] = value  # checked with the rest: a malformed count is never read as exact
    return metadata


def _interaction_outputs(outputs: Any, parsed: _Parsed) -> None:
    for output in _list(outputs):
        output = _obj(output)
        if output.get("type") == "function_call":
            parsed.tool_calls += 1
            parsed.output_text.extend(
                json.dumps(part) if not isinstance(part, str) else part
                for part in (output.get("name"), output.get("arguments"))
                if part is not None
            )
        elif output.get("type") == "text" and isinstance(output.get("text"), str):
            parsed.output_text.append(output["text"])


def _read_interaction(interaction_obj: dict[str, Any], parsed: _Parsed) -> None:
    """A finished (or failed, or still running) Interaction object: its model, status and usage."""
    parsed.model = _str(interaction_obj.get("model")) or parsed.model
    parsed.response_id = _str(interaction_obj.get("id")) or parsed.response_id
    parsed.price_context = service_tier_context(interaction_obj.get("service_tier"))
    status = interaction_obj.get("status")
    if status in ("failed", "cancelled"):
        parsed.error = _error_text(interaction_obj) or f"the interaction is {status}"
        return
    usage = interaction_obj.get("usage")
    if not isinstance(usage, dict):
        if status == "in_progress":
            parsed.pending = True  # a background interaction: the poll that sees it finished bills it
        else:
            parsed.problems.append("the interaction has no usage")
        return
    parsed.document = {"modelVersion": parsed.model, "usageMetadata": _interactions_usage_metadata(usage)}


_INTERACTION_END_EVENTS = ("interaction.complete", "interaction.completed")


def _parse_gemini_interactions(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """The Gemini Interactions API (``POST /v1beta/interactions``): an Interaction object, or a stream
    of typed events whose last, ``interaction.complete``, carries the finished Interaction."""
    if _sse.looks_like_sse(text):
        events, _ = _sse.parse(text)
        calls = 0
        deltas: list[str] = []
        for event in events:
            doc = event.json()
            if not isinstance(doc, dict):
                continue
            kind = str(doc.get("event_type") or event.event)
            obj = _obj(doc.get("interaction"))
            if kind == "error" or event.event == "error" or isinstance(doc.get("error"), dict):
                parsed.error = _error_text(doc) or "error event"
            elif kind in _INTERACTION_END_EVENTS and obj:
                _read_interaction(obj, parsed)
                _interaction_outputs(obj.get("outputs"), parsed)
                parsed.tool_calls = max(parsed.tool_calls, calls)
                parsed.output_text = parsed.output_text or deltas
                return
            elif obj:
                parsed.model = _str(obj.get("model")) or parsed.model
                parsed.response_id = _str(obj.get("id")) or parsed.response_id
            elif kind in ("content.start", "step.start"):
                block = _obj(doc.get("content") or doc.get("step"))
                calls += block.get("type") == "function_call"
            elif kind in ("content.delta", "step.delta"):
                delta = _obj(doc.get("delta"))
                if delta.get("type") == "text" and isinstance(delta.get("text"), str):
                    deltas.append(delta["text"])
        parsed.tool_calls, parsed.output_text = calls, deltas
        if parsed.error is None:
            parsed.problems.append("the stream ended before interaction.complete (truncated recording)")
        return
    doc = _document(interaction, parsed)
    if doc is None:
        return
    _read_interaction(doc, parsed)
    _interaction_outputs(doc.get("outputs"), parsed)


def _parse_ollama(interaction: Interaction, text: str, streamed: bool, parsed: _Parsed) -> None:
    """Ollama's native API. ``/api/chat`` and ``/api/generate`` answer one object, or (their
    default) a stream of JSON lines whose last, ``"done": true``, holds the counts:
    ``prompt_eval_count`` input and ``eval_count`` output tokens. ``/api/embed`` answers
    ``prompt_eval_count`` only. A model load or unload (an empty prompt, ``done_reason`` ``load``
    or ``unload``) generates nothing: not billed. genai-prices has no Ollama extractor."""
    docs = _json_lines(text)
    if docs is None:
        doc = _response_json(interaction)
        if not isinstance(doc, dict):
            parsed.readable = False
            return
        docs = [doc]
    final: dict[str, Any] | None = None
    for doc in docs:
        if isinstance(doc.get("error"), str):
            parsed.error = doc["error"]
            return
        parsed.model = _str(doc.get("model")) or parsed.model
        message = _obj(doc.get("message"))
        piece = message.get("content") if "message" in doc else doc.get("response")
        if isinstance(piece, str) and piece:
            parsed.output_text.append(piece)
        calls = _list(message.get("tool_calls"))
        parsed.tool_calls += len(calls)
        parsed.output_text.extend(json.dumps(_obj(call).get("function", {})) for call in calls)
        if doc.get("done") is True or _is_ollama_embed_answer(doc):
            final = doc
            break
    if final is None:
        parsed.problems.append("the stream ended before its final (done) object (truncated recording)")
        return
    if final.get("done_reason") in ("load", "unload"):
        parsed.retrieved = True
        return
    counts = {"prompt_eval_count": final.get("prompt_eval_count")}
    counts["eval_count"] = 0 if _is_ollama_embed_answer(final) else final.get("eval_count")
    bad = [name for name, value in counts.items() if type(value) is not int or value < 0]
    parsed.problems.extend(f"the answer has no whole {name}" for name in bad)
    if not bad:
        parsed.usage = Usage(input_tokens=counts["prompt_eval_count"], output_tokens=counts["eval_count"])


def _is_ollama_embed_answer(doc: dict[str, Any]) -> bool:
    """An ``/api/embed`` answer (its vectors, no ``done``)."""
    return isinstance(doc.get("embeddings"), list)


_Parser = Callable[[Interaction, str, bool, _Parsed], None]

_PARSERS: dict[str, _Parser] = {
    "openai.chat": _parse_openai_chat,
    "openai.completions": _parse_openai_chat,
    "openai.responses": _parse_openai_responses,
    "openai.embeddings": _parse_openai_embeddings,
    "openai.images": _parse_openai_images,
    "openai.audio": _parse_openai_audio,
    "openai.speech": _parse_openai_speech,
    "anthropic.messages": _parse_anthropic,
    "anthropic.batch": _parse_batch,
    "openai.batch": _parse_batch,
    "gemini.generate_content": _parse_gemini,
    "gemini.embeddings": _parse_gemini_embeddings,
    "gemini.interactions": _parse_gemini_interactions,
    "gemini.batch": _parse_gemini_batch,
    "gemini.predict": _parse_gemini_predict,
    "openai.videos": _parse_openai_videos,
    "openai.assistants": _parse_openai_assistants,
    "bedrock.converse": _parse_bedrock_converse,
    "bedrock.invoke": _parse_bedrock_invoke,
    "bedrock.embeddings": _parse_bedrock_embeddings,
    "bedrock.agent": _parse_bedrock_agent,
    "cohere.chat": _parse_cohere_chat,
    "cohere.embed": _parse_cohere_embed,
    "cohere.rerank": _parse_cohere_rerank,
    "anthropic.complete": _parse_anthropic_complete,
    "ollama.chat": _parse_ollama,
    "ollama.generate": _parse_ollama,
    "ollama.embed": _parse_ollama,
}


def _error_text(doc: Mapping[str, Any]) -> str:
    error = doc.get("error")
    if isinstance(error, dict):
        kind = error.get("type") or error.get("code") or error.get("status") or "error"
        message = error.get("message") or ""
        return f"{kind}: {message}".strip().rstrip(":")
    if isinstance(error, str):
        return error
    message = doc.get("message")
    if isinstance(message, str):
        return f"{doc.get('code') or doc.get('type') or 'error'}: {message}"
    return ""


# --------------------------------------------------------------------------- genai-prices extractors

#: (api_flavor candidates on the detected provider, fallback provider id, fallback flavor) per endpoint.
_EXTRACTORS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "openai.chat": (("chat", "default"), "openai", "chat"),
    "openai.completions": (("chat", "default"), "openai", "chat"),
    "openai.responses": (("responses",), "openai", "responses"),
    # A run's usage is Chat Completions' (prompt_tokens, completion_tokens), summed over its steps.
    "openai.assistants": (("chat", "default"), "openai", "chat"),
    "openai.embeddings": (("embeddings",), "openai", "embeddings"),
    "openai.images": (("images",), "openai", "images"),
    "anthropic.messages": (("anthropic",), "anthropic", "default"),
    "gemini.generate_content": ((), "google", "default"),
    "gemini.embeddings": ((), "google", "default"),
    # Read as usageMetadata (see _interactions_usage_metadata): genai-prices has no Interactions flavor.
    "gemini.interactions": ((), "google", "default"),
    "bedrock.converse": ((), "aws", "default"),
    "bedrock.invoke": ((), "aws", "anthropic"),
    "bedrock.embeddings": ((), "aws", "default"),
    # genai-prices' default Cohere flavor reads usage.billed_units, the counts Cohere bills.
    "cohere.chat": ((), "cohere", "default"),
    "cohere.embed": (("embeddings",), "cohere", "embeddings"),
}


def _run_extractor(provider_id: str | None, endpoint: str, document: Mapping[str, Any]) -> tuple[str | None, Usage]:
    """Read ``document`` with the provider's own extractor, else the endpoint's reference one.

    Raises ValueError when the usage is missing or malformed, or genai-prices cannot read it.
    """
    last_error: ValueError | None = None
    for extractor in _extractors(provider_id, endpoint):
        try:
            model_ref, usage = extractor.extract(document)
        except ValueError as exc:
            last_error = exc
        except (AttributeError, KeyError, TypeError) as exc:  # a shape genai-prices does not expect
            last_error = ValueError(f"genai-prices could not read it: {type(exc).__name__}: {exc}")
        else:
            if endpoint.startswith("gemini."):
                _complete_cache_modalities(usage)
            return model_ref, usage
    raise last_error or ValueError(f"no genai-prices extractor reads {endpoint}")


_MODALITIES = ("text", "audio", "image", "video")


def _complete_cache_modalities(usage: Usage) -> None:
    """Zero the cache reads of the input modalities a Gemini answer's cache breakdown leaves out.

    ``cacheTokensDetails`` lists only the modalities read from the cache (``TEXT: 1024``) while
    ``promptTokensDetails`` lists every input modality (``TEXT``, ``AUDIO``). genai-prices refuses
    to split the cache reads itself when an input modality is priced apart (audio) and its cache
    reads are not stated, and the call would go unpriced: the breakdown says they are none.
    """
    stored = vars(usage)
    if not stored.get("cache_read_tokens") or not any(f"cache_{m}_read_tokens" in stored for m in _MODALITIES):
        return
    for modality in _MODALITIES:
        if f"input_{modality}_tokens" in stored and f"cache_{modality}_read_tokens" not in stored:
            setattr(usage, f"cache_{modality}_read_tokens", 0)


def _extractors(provider_id: str | None, endpoint: str) -> tuple[Any, ...]:
    """The extractors ``provider.extract_usage`` would pick for each attempt, looked up once."""
    return _MEMO.get(("extractors", provider_id, endpoint), _find_extractors)


def _find_extractors(snapshot: Any, key: tuple[str, str | None, str]) -> tuple[Any, ...]:
    _, provider_id, endpoint = key
    flavors, fallback_provider, fallback_flavor = _EXTRACTORS[endpoint]
    attempts: list[tuple[str, str]] = []
    if provider_id is not None:
        if provider_id == fallback_provider:
            attempts.append((provider_id, fallback_flavor))
        attempts.extend((provider_id, flavor) for flavor in flavors)
    attempts.append((fallback_provider, fallback_flavor))
    extractors: list[Any] = []
    for pid, flavor in dict.fromkeys(attempts):
        try:
            provider = snapshot.find_provider(None, pid, None)
        except LookupError:
            continue
        extractor = next((e for e in provider.extractors or () if e.api_flavor == flavor), None)
        if extractor is not None:
            extractors.append(compile_extractor(extractor))
    return tuple(extractors)


# --------------------------------------------------------------------------- estimation

#: Request keys whose string values are not prompt text.
_NON_TEXT_KEYS = frozenset(
    {
        "model",
        "role",
        "type",
        "id",
        "tool_call_id",
        "call_id",
        "tool_choice",
        "stop",
        "user",
        "modelId",
        "anthropic_version",
        "encoding_format",
        "mime_type",
        "mimeType",
        "media_type",
        "service_tier",
        "reasoning_effort",
        "taskType",
        "task_type",
        "previous_response_id",
        "cache_control",
        "url",
        "image_url",
        "data",
        "bytes",
        "file_id",
        "format",
    }
)


def _request_text(value: Any, key: str = "") -> list[str]:
    if key in _NON_TEXT_KEYS:
        return []
    if isinstance(value, str):
        # Inline base64 media is not text the tokenizer would see as such.
        if len(value) > 2000 and " " not in value[:2000]:
            return []
        return [value]
    if isinstance(value, dict):
        texts: list[str] = []
        for child_key, child in value.items():
            texts.extend(_request_text(child, str(child_key)))
        return texts
    if isinstance(value, list):
        texts = []
        for child in value:
            texts.extend(_request_text(child, key))
        return texts
    return []


def estimate_texts(interaction: Interaction, output_text: Iterable[str]) -> tuple[str, str]:
    """The request text and response text an estimate counts (exposed for tests and docs)."""
    request = _request_json(interaction)
    if request is None:
        # A form (an Images API edit) counts its text fields, not the image files it uploads.
        request = _form_fields(interaction) or None
    input_text = _safe_request_text(interaction) if request is None else "\n".join(_request_text(request))
    return input_text, "".join(output_text)


def _safe_request_text(interaction: Interaction) -> str:
    try:
        return interaction.request_text()
    except Exception:
        return ""


def _count(text: str, model: str | None, notes: list[str], encodings: set[str]) -> int:
    """Tokens in ``text``; the encoding that counted them is added to ``encodings``."""
    if not text:
        return 0
    try:
        counted = count_text(text, model)
    except Exception as exc:  # a tokenizer failure (or a warning turned error) must not lose the call
        notes.append(f"token counting failed ({type(exc).__name__}); used ~4 characters per token")
        return -(-len(text) // 4)
    encodings.add(counted.encoding)
    return counted.tokens


def _counted_with(encodings: set[str]) -> str:
    """How an estimate counted, for its warning: the report must say when tiktoken was not used."""
    if APPROX_ENCODING in encodings:
        return " at ~4 characters per token (tiktoken's encoding was unavailable)"
    if encodings:
        return f" with tiktoken {', '.join(sorted(encodings))}"
    return ""


# --------------------------------------------------------------------------- extraction


#: Request paths whose answer is a stream whatever its body looks like.
STREAM_PATH_SUFFIXES = (
    ":streamGenerateContent",
    "/converse-stream",
    "/invoke-with-response-stream",
    ":streamRawPredict",
)


def _is_streamed(interaction: Interaction, endpoint: str, text: str) -> bool:
    """Whether the response was streamed (by content type, streaming URL or body format)."""
    content_type = interaction.response_headers.get("content-type", "").lower()
    if any(kind in content_type for kind in ("text/event-stream", "vnd.amazon.eventstream", "stream+json", "ndjson")):
        return True
    if endpoint.startswith("ollama.") and _json_lines(text) is not None:
        return True  # Ollama's stream of JSON lines, recorded without its content type
    if interaction.path.endswith(STREAM_PATH_SUFFIXES):
        return True
    if _sse.looks_like_sse(text):
        return True
    raw = interaction.decoded_response_body()
    if endpoint.startswith("bedrock.") and _eventstream.looks_like_eventstream(raw):
        return True
    # The request's own flag only decides when the body says nothing (empty or unreadable).
    if text and not text.isspace():
        return False
    request = _request_json(interaction)
    return isinstance(request, dict) and request.get("stream") is True


#: ARN resource types whose id is a model or a system inference profile genai-prices can price.
_BEDROCK_NAMED_ARNS = ("foundation-model/", "inference-profile/")


def _bedrock_model_id(model: str) -> str:
    """A Bedrock URL's model as reports name it, without an ARN's account number: the model or
    system profile id a ``foundation-model/`` or ``inference-profile/`` ARN names, else the ARN's
    resource part (``application-inference-profile/<id>``, which a price file can name)."""
    if not model.startswith("arn:"):
        return model
    resource = model.split(":", 5)[-1]
    for kind in _BEDROCK_NAMED_ARNS:
        if resource.startswith(kind):
            return resource[len(kind) :]
    return resource


def _bedrock_url_model(path: str) -> str | None:
    """The model a Bedrock URL calls: what AWS bills, whatever model name the answer gives.

    An InvokeModel answer names the vendor's model (``claude-sonnet-4-5-20250929``); the URL
    says whether the call went through a global or a regional profile
    (``global.anthropic.claude-sonnet-4-5-20250929-v1:0``), which AWS prices differently. None
    when the URL names no model genai-prices prices under AWS (an application inference
    profile, provisioned throughput, a custom model, a profile prefix newer than its data): the
    answer's own model name is then the better guess.
    """
    match = _BEDROCK_PATH.search(path)
    if match is None:
        return None
    return _known_model("aws", _bedrock_model_id(unquote(match.group("model"))))


def _known_model(provider: str, model: str) -> str | None:
    """``model`` if genai-prices prices it under ``provider``, else None (looked up once per pair)."""
    return _MEMO.get(("known-model", provider, model), _priced_under)


def _priced_under(snapshot: Any, key: tuple[str, str, str]) -> str | None:
    _, provider, model = key
    try:
        snapshot.find_provider_model(model, None, provider, None)
    except LookupError:
        return None
    return model


def _completions_model(model: str, interaction: Interaction) -> str:
    """The model of an OpenAI legacy Completions call: the answer's, unless genai-prices does not
    know it and knows the request's. The answer names the base models by an internal snapshot
    (``davinci:2023-07-21-v2`` for ``davinci-002``, ``babbage:2023-07-21-v2`` for ``babbage-002``)
    that no price list has; on OpenAI's own host the request's model is the one billed."""
    if _known_model("openai", model) is not None:
        return model
    requested = _fallback_model(interaction)
    if requested is not None and _known_model("openai", requested) is not None:
        return requested
    return model


#: xAI names a reasoning model's answer after the effort it ran at: ``grok-3-mini-high`` for a
#: request of ``grok-3-mini``.
_EFFORT_SUFFIXES = ("-low", "-medium", "-high")


def effort_named_model(extraction: Extraction, interaction: Interaction) -> str | None:
    """The model an xAI answer named after its reasoning effort stands for: the request's, when
    genai-prices does not know the answer's name and prices the request's; else None. xAI bills
    it as the model requested: the answer's own ``cost_in_usd_ticks`` is that model's price of
    its usage. (The caller keeps the answer's name when a price file prices it.)"""
    model = extraction.model
    if extraction.provider != "x-ai" or not model or not model.endswith(_EFFORT_SUFFIXES):
        return None
    if _known_model("x-ai", model) is not None:
        return None
    requested = _fallback_model(interaction)
    if (
        requested is not None
        and model[len(requested) :] in _EFFORT_SUFFIXES
        and model.startswith(requested)
        and _known_model("x-ai", requested) is not None
    ):
        return requested
    return None


def _fallback_model(interaction: Interaction) -> str | None:
    """The model named by the URL or the request, for a response that does not name one."""
    path = interaction.path
    for pattern in (_BEDROCK_PATH, _GEMINI_PATH, _GEMINI_EMBED_PATH, _GEMINI_PREDICT_PATH, _VERTEX_ANTHROPIC_PATH):
        match = pattern.search(path)
        if match:
            return _bedrock_model_id(unquote(match.group("model")))
    request = _request_json(interaction)
    if isinstance(request, dict) and isinstance(request.get("model"), str):
        return str(request["model"])
    form_model = _form_fields(interaction).get("model") if request is None else None
    if form_model:
        return form_model
    match = _AZURE_DEPLOYMENT.search(path)
    if match:
        return unquote(match.group("deployment"))
    return None


def extract(interaction: Interaction, host_providers: Mapping[str, str] = _EMPTY_MAP) -> Extraction | None:
    """None when the interaction is not an LLM call.

    Never raises for bad input: problems become warnings, and an unreadable
    usage is either estimated (``estimated=True``) or reported via warnings,
    never presented as exact. See the module docstring for the policy.
    """
    found = detect(interaction, host_providers)
    if found is None:
        return None
    provider, endpoint = found
    try:
        return _extract(interaction, provider, endpoint)
    except Exception as exc:  # a parser bug must not break a test run; say so instead
        # An answer that succeeded was billed: a call of unknown usage, marked estimated so that
        # its zero is never taken for an exact $0 (not gated as a saving, flagged in the report).
        billed = 200 <= interaction.status < 300
        return _zero_call(
            interaction,
            provider,
            endpoint,
            billed=billed,
            estimated=billed,
            warnings=(
                f"{endpoint} response from {interaction.host}: usage could not be read "
                f"({type(exc).__name__}: {exc}); counted as zero tokens"
                + (", marked estimated; please report it to pytest-agentcost" if billed else ""),
            ),
        )


def _extract(interaction: Interaction, provider: str | None, endpoint: str) -> Extraction:
    text = _response_text(interaction)
    streamed = _is_streamed(interaction, endpoint, text)
    poll_path = _POLL_PATHS.get(endpoint) if interaction.method.upper() == "GET" else None
    is_poll = poll_path is not None
    poll_match = poll_path.search(interaction.path) if poll_path is not None else None
    where = f"{endpoint} response from {interaction.host or interaction.url}"
    url_model = _bedrock_url_model(interaction.path) if endpoint.startswith("bedrock.") else None
    parsed = _Parsed()

    def result(
        usage: Usage,
        *,
        model: str | None,
        billed: bool,
        estimated: bool = False,
        tool_calls: int = 0,
        response_id: str | None = None,
        warnings: Iterable[str] = (),
        price_context: PriceContext = (),
        billed_uses: tuple[str, ...] = (),
        unpriced: bool = False,
        stated_cost: Decimal | None = None,
        parts: tuple[Usage, ...] = (),
        part_models: tuple[str | None, ...] = (),
    ) -> Extraction:
        if response_id is None and poll_match is not None:
            response_id = poll_match.group("id")
        named = url_model or model or _fallback_model(interaction)
        if provider is not None and provider.startswith("huggingface_") and named and "/" not in named:
            # The router answers under the inference provider's own id (llama3.1-8b); genai-prices
            # prices its routes by the Hub repo id the request names.
            named = _hub_repo_id(interaction) or named
        if endpoint == "openai.completions" and provider == "openai" and named is not None:
            named = _completions_model(named, interaction)
        if billed and endpoint in ("bedrock.converse", "bedrock.invoke"):
            note = guardrail_note(interaction, endpoint, parsed.guardrail_units)
            if note is not None:
                warnings = (*warnings, f"{where}: {note}")
        if billed:
            warnings = (*warnings, *(f"{where}: {note}" for note in parsed.beside_notes()))
        return Extraction(
            provider=provider,
            endpoint=endpoint,
            model=named,
            usage=usage,
            streamed=streamed,
            billed=billed,
            estimated=estimated,
            tool_calls=tool_calls,
            response_id=response_id,
            is_poll=is_poll,
            warnings=tuple(warnings),
            price_context=price_context,
            billed_uses=billed_uses,
            unpriced=unpriced,
            stated_cost=stated_cost,
            parts=parts,
            part_models=part_models,
        )

    if not 200 <= interaction.status < 300:
        known = 300 <= interaction.status < 600
        warnings = [] if known else [f"{where}: unknown HTTP status {interaction.status}"]
        return result(_zero_usage(), model=None, billed=False, warnings=warnings)

    _PARSERS[endpoint](interaction, text, streamed, parsed)
    model = parsed.model
    if endpoint == "openai.chat" and searches_every_call(model or _fallback_model(interaction)):
        parsed.server_tools.setdefault("web_searches", 1)

    if parsed.error is not None:
        kind = "stream" if streamed else "response"
        return result(
            _zero_usage(),
            model=model,
            billed=False,
            tool_calls=parsed.tool_calls,
            response_id=parsed.response_id,
            warnings=[f"{where}: the {kind} reports an error ({parsed.error}); counted as not billed"],
        )
    if parsed.pending or parsed.retrieved:
        return result(
            _zero_usage(),
            model=model,
            billed=False,
            tool_calls=0 if parsed.retrieved else parsed.tool_calls,
            response_id=parsed.response_id,
        )

    if parsed.unmeasured is not None:
        return result(
            _zero_usage(),
            model=model,
            billed=True,
            warnings=[f"{where}: {parsed.unmeasured}; the call is unpriced"],
            unpriced=True,
        )
    problems = list(parsed.problems)
    if not parsed.readable:
        problems.append(_unreadable_reason(interaction, text))

    if not problems and parsed.usage is not None:
        # A reader's own count (Voyage's total_tokens, Vertex's token_count, a trace's), held to
        # what any call holds as a usage object is.
        problems.extend(_malformed(dict(parsed.usage.__dict__)))
    if not problems and parsed.usage is not None:
        return result(
            parsed.usage,
            model=model,
            billed=True,
            tool_calls=parsed.tool_calls,
            response_id=parsed.response_id,
            price_context=parsed.price_context,
            billed_uses=_billed_uses(parsed),
            parts=tuple(parsed.parts),
            part_models=tuple(parsed.part_models) if any(parsed.part_models) else (),
        )
    if not problems:
        document = parsed.document
        if document is None and parsed.headers_usage is not None:
            document = {"usage": parsed.headers_usage}
        if document is not None:
            bad = _malformed(document.get("usage", document.get("usageMetadata")))
            if bad:
                problems.extend(bad)
            else:
                extractor_endpoint = endpoint
                if parsed.document is None and endpoint == "bedrock.invoke":
                    extractor_endpoint = "bedrock.converse"  # header usage is Converse-shaped
                try:
                    model_ref, usage = _run_extractor(provider, extractor_endpoint, document)
                    iterated = _iteration_parts(
                        provider, extractor_endpoint, document, (url_model, model_ref, model), usage
                    )
                    if iterated is None:
                        iterated = _breakdown_parts(extractor_endpoint, provider, document)
                except ValueError as exc:
                    problems.append(f"unusable usage ({exc})")
                else:
                    parts: tuple[Usage, ...] = ()
                    part_models: tuple[str | None, ...] = ()
                    if iterated is not None:
                        parts = tuple(part for _, part in iterated)
                        part_models = tuple(name for name, _ in iterated)
                        usage = _iterations_sum(parts, usage)
                    _add_server_tools(usage, parsed)
                    if parts:
                        _add_server_tools(parts[last_own(part_models)], parsed)
                    stated = _stated_cost(provider, document.get("usage"), parsed.price_context)
                    # xAI's server-side tool uses, which no price here prices, and no bill stated.
                    xai_uses = stated is None and provider == "x-ai" and _xai_tool_uses(document.get("usage"))
                    apart = [
                        *(
                            [
                                f"{where}: xAI bills its server-side tool uses on top of the tokens, genai-prices "
                                "does not price them, and the answer states no cost (cost_in_usd_ticks); the call "
                                "is unpriced"
                            ]
                            if xai_uses
                            else []
                        ),
                        *(f"{where}: {note}" for note in parsed.apart_notes()),
                    ]
                    return result(
                        usage,
                        model=model_ref or model,
                        billed=True,
                        tool_calls=parsed.tool_calls,
                        response_id=parsed.response_id,
                        price_context=parsed.price_context if stated is None else stated[1],
                        billed_uses=_billed_uses(parsed),
                        stated_cost=None if stated is None else stated[0],
                        parts=parts,
                        part_models=part_models,
                        warnings=apart,
                        unpriced=bool(apart),
                    )
        else:
            problems.append("the response has no usage")

    # Estimate: billed, but no exact provider number.
    notes: list[str] = []
    model_for_count = model or _fallback_model(interaction)
    input_text, output_text = estimate_texts(interaction, parsed.texts())
    encodings: set[str] = set()
    stated_input = _stated_input(provider, endpoint, model, parsed.stated_input)
    if stated_input is None:
        input_tokens = _count(input_text, model_for_count, notes, encodings)
    else:
        input_tokens = int(stated_input.input_tokens or 0)
    output_tokens = _count(output_text, model_for_count, notes, encodings)
    if stated_input is None:
        counted = (
            f"usage estimated from the text{_counted_with(encodings)} "
            f"({input_tokens} input, {output_tokens} output tokens)"
        )
    else:
        counted = (
            f"input as the stream stated it ({input_tokens} input tokens), output estimated "
            f"from the text{_counted_with(encodings)} ({output_tokens} output tokens)"
        )
    message = f"{where}: {'; '.join(dict.fromkeys(problems))}; {counted}"
    if stated_input is None:
        estimate = Usage(input_tokens=input_tokens, output_tokens=output_tokens)
    else:
        estimate = stated_input
        estimate.output_tokens = output_tokens
    _add_server_tools(estimate, parsed)  # counted exactly even when the tokens are not
    return result(
        estimate,
        model=model,
        billed=True,
        estimated=True,
        tool_calls=parsed.tool_calls,
        response_id=parsed.response_id,
        warnings=[
            message,
            *(f"{where}: {note}" for note in dict.fromkeys(notes)),
            *(f"{where}: {note}" for note in parsed.apart_notes()),
        ],
        price_context=parsed.price_context,
        billed_uses=_billed_uses(parsed),
        unpriced=bool(parsed.apart_notes()),
    )


def _stated_input(
    provider: str | None, endpoint: str, model: str | None, stated: Mapping[str, Any] | None
) -> Usage | None:
    """The input side of the usage a cut stream stated (see :attr:`_Parsed.stated_input`), read as
    an answer's usage is; None when there is none, or it is malformed or unreadable (the input is
    then estimated from the text, as the rest of the call is)."""
    if not stated or not isinstance(stated.get("input_tokens"), int) or _malformed(dict(stated)):
        return None
    try:
        _, usage = _run_extractor(provider, endpoint, {"model": model, "usage": {**stated, "output_tokens": 0}})
    except ValueError:
        return None
    return usage


#: Providers whose answers state what the call cost where genai-prices' price cannot tell, and
#: the price context key that marks a call priced at that statement (its key then says so, and
#: no price list reprices it):
#:
#: - Perplexity (``usage.cost.total_cost``, USD): its Sonar request fee depends on the search
#:   context size (low, medium, high), and genai-prices lists one fee for all three. Keyed by
#:   the size billed, so a switch of size is a change the gate sees.
#: - xAI (``usage.cost_in_usd_ticks``, ten-billionths of a dollar) for a call that used its
#:   server-side tools (web and X search, code execution ...; ``num_server_side_tools_used``,
#:   Live Search's ``num_sources_used``), billed per use beside the tokens, which genai-prices'
#:   x-ai prices leave out. Calls without them are priced by their tokens, as xAI bills them.
STATED_COST_CONTEXTS = {"perplexity": "search_context_size", "x-ai": "server_side_tools"}
STATED_COST_PROVIDERS = frozenset(STATED_COST_CONTEXTS)
_TICKS_PER_USD = Decimal(10) ** 10


#: The price context pair of a call priced iteration by iteration: a Claude answer whose
#: ``usage.iterations`` list more than one (each its own request, for a price tier) or one of
#: another model (an advisor's, at its own rates). Its record lists them
#: (:attr:`~pytest_agentcost.models.CallRecord.iterations`), and ``by_model`` totals each as a
#: call of its own model under a key marked so.
PER_ITERATION = ("priced", "per iteration")


def stated_key(key: str) -> bool:
    """:func:`priced_as_stated` for the calls of a ``by_model`` key."""
    provider, _, context = split_model_key(key)
    return priced_as_stated(provider, context)


def priced_as_stated(provider: str | None, context: PriceContext) -> bool:
    """Whether calls of ``provider`` in price ``context`` are priced at the cost their answers
    state (:data:`STATED_COST_CONTEXTS`), which their tokens do not tell."""
    name = STATED_COST_CONTEXTS.get(provider or "")
    return name is not None and any(key == name for key, _ in context)


def states_its_cost(provider: str | None, usage: Any) -> bool:
    """Whether an answer's usage is priced at the cost it states, or unpriced for the tool uses
    it cannot be priced without (an xAI answer of server-side tool uses that states no cost)."""
    if provider == "x-ai":
        return _xai_tool_uses(usage)  # its bill stated, or unpriced without one
    return _stated_cost(provider, usage, ()) is not None


def _xai_tool_uses(usage: Any) -> bool:
    """Whether an xAI answer's usage counts server-side tool uses (each billed on its own)."""
    counts = (_obj(usage).get(key) for key in ("num_server_side_tools_used", "num_sources_used"))
    return any(type(n) is int and n > 0 for n in counts)


def _stated_cost(provider: str | None, usage: Any, context: PriceContext) -> tuple[Decimal, PriceContext] | None:
    """The cost a :data:`STATED_COST_CONTEXTS` answer states for itself, and its price context
    marked as such; None when it states none (or, for xAI, used no server-side tool)."""
    usage = _obj(usage)
    if provider == "perplexity":
        total = _obj(usage.get("cost")).get("total_cost")
        if not (type(total) is int or (type(total) is float and math.isfinite(total))) or total < 0:
            return None
        cost = Decimal(str(total))
        size = usage.get("search_context_size")
        mark = size if isinstance(size, str) and size else "unstated"
    elif provider == "x-ai" and _xai_tool_uses(usage):
        ticks = usage.get("cost_in_usd_ticks")
        if type(ticks) is not int or ticks < 0:
            return None
        cost, mark = Decimal(ticks) / _TICKS_PER_USD, "used"
    else:
        return None
    name = STATED_COST_CONTEXTS[provider]
    others = tuple(pair for pair in context if pair[0] != name)
    return cost, tuple(sorted((*others, (name, mark))))


def _anthropic_web_searches(usage: Any, parsed: _Parsed) -> None:
    """Keep a Claude answer's hosted web searches whoever serves it: genai-prices' extractor for
    Claude on Vertex does not read them, and a search it drops would be priced at $0 unseen."""
    searches = _obj(_obj(usage).get("server_tool_use")).get("web_search_requests")
    if type(searches) is int and searches > 0:
        parsed.server_tools.setdefault("web_searches", searches)


#: Endpoints whose answers can list ``usage.iterations`` (Claude: the Messages API, Bedrock's
#: InvokeModel, Vertex's rawPredict, which answer in its shape).
_ITERATED_ENDPOINTS = frozenset({"anthropic.messages", "bedrock.invoke"})


def _iteration_parts(
    provider: str | None, endpoint: str, document: Mapping[str, Any], own: Iterable[str | None], top: Usage
) -> list[tuple[str | None, Usage]] | None:
    """The sampling iterations a Claude answer's ``usage.iterations`` lists, each read as a usage
    of its own with the model it names, None for the call's own (any of ``own``: the answer's
    model, Bedrock's model id in the URL); None when it lists none.

    The top-level counts leave out what a compaction step and an advisor's sub-inference used
    (on-demand compaction reports 0 there): Anthropic bills the sum over the iterations, the
    advisor's at its own model's rates. Each is priced on its own, as a request: a long-context
    tier is chosen by one iteration's size. Raises ValueError when an iteration cannot be read.
    """
    usage = document.get("usage")
    iterations = usage.get("iterations") if type(usage) is dict else None
    if endpoint not in _ITERATED_ENDPOINTS or not isinstance(iterations, list) or not iterations:
        return None
    names = {name for name in own if name}
    parts: list[tuple[str | None, Usage]] = []
    for index, item in enumerate(iterations):
        if not isinstance(item, dict):
            raise ValueError(f"usage.iterations[{index}] is not an object")
        name = item.get("model")
        if name is not None and not (isinstance(name, str) and name):
            raise ValueError(f"usage.iterations[{index}].model is {name!r}, not a model name")
        try:
            _, part = _run_extractor(provider, endpoint, {"model": document.get("model"), "usage": item})
        except ValueError as exc:
            raise ValueError(f"usage.iterations[{index}]: {exc}") from exc
        parts.append((None if name is None or name in names else name, part))
    answering = [
        part
        for (name, part), item in zip(parts, iterations, strict=True)
        if name is None and item.get("type") != "compaction"
    ]
    _split_cache_writes(top, answering)
    return parts


def _split_cache_writes(top: Usage, own: list[Usage]) -> None:
    """Give the call's own answering iterations (not a compaction's, which the top level leaves
    out) the one-hour cache writes the top level counts, when none of them breaks its writes
    down (``cache_creation`` is optional there): a one-hour write costs twice the input price, a
    five-minute one 1.25 times, and an unsplit write is priced as the latter. In order, each
    taking what its writes hold."""
    left = top.__dict__.get("cache_write_1h_tokens", 0)
    if not left or any("cache_write_1h_tokens" in part.__dict__ for part in own):
        return
    for part in own:
        writes = part.__dict__.get("cache_write_tokens", 0)
        taken = min(left, writes)
        if taken:
            part.cache_write_1h_tokens = taken
            part.cache_write_5m_tokens = writes - taken
            left -= taken


def _iterations_sum(parts: tuple[Usage, ...], top: Usage) -> Usage:
    """The call's usage: its iterations' summed, with the thinking tokens the answer counts for the
    whole call only (``output_tokens_details``: a part of the output, priced as output)."""
    total: Usage = functools.reduce(operator.add, parts)
    reasoning = top.__dict__.get("output_reasoning_tokens")
    if reasoning is not None and "output_reasoning_tokens" not in total.__dict__:
        total.output_reasoning_tokens = min(reasoning, total.__dict__.get("output_tokens", 0))
    return total


def _billed_uses(parsed: _Parsed) -> tuple[str, ...]:
    return tuple(sorted(key for key, count in parsed.server_tools.items() if count > 0))


def _add_server_tools(usage: Usage, parsed: _Parsed) -> None:
    """Add the billed server-side tool calls the answer lists (``parsed.server_tools``) to ``usage``."""
    for key, count in parsed.server_tools.items():
        setattr(usage, key, count)


def _unreadable_reason(interaction: Interaction, text: str) -> str:
    raw = interaction.decoded_response_body()
    if not raw.strip():
        return "the response body is empty"
    stripped = text.lstrip().lower()
    if stripped.startswith(("<!doctype html", "<html")):
        return "the response body is an HTML page, not an API response"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "the response body is not UTF-8 text (binary or still compressed)"
    return "the response body is not a readable API response"
