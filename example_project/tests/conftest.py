"""Cassette settings for the example, and the switch that records against the fake server.

By default the tests replay ``tests/cassettes`` (pytest-recording's record mode
``none``): no network, no server, no API keys. ``record.py`` re-records them;
when it sets ``FAKE_LLM_URL`` the agent talks to the local fake server and the
recorded URIs are rewritten to the real hosts.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import httpx2
import pytest

from fake_llm.recording import WebRedirectTransport, rewrite_to_real_host

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Set by record.py (or by hand) to record against a running fake server.
FAKE_LLM_URL = os.environ.get("FAKE_LLM_URL", "").rstrip("/")

_SECRET_HEADERS = ["authorization", "x-api-key", "api-key", "openai-organization", "openai-project", "cookie"]
# Headers that only describe the recording machine; dropping them keeps re-recorded cassettes stable.
_NOISY_HEADER_PREFIXES = ("x-stainless-",)
_RESPONSE_HEADERS_TO_DROP = frozenset(
    {"set-cookie", "openai-organization", "openai-project", "cf-ray", "date"}
)


def _scrub_request(request: Any) -> Any:
    if FAKE_LLM_URL:
        if request.uri.startswith(f"{FAKE_LLM_URL}/__fake__/"):
            return None  # the fake server's own controls are not part of the agent's traffic
        request = rewrite_to_real_host(request, FAKE_LLM_URL)
    request.headers = {
        name: value
        for name, value in request.headers.items()
        if not name.lower().startswith(_NOISY_HEADER_PREFIXES)
    }
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {
        name: value
        for name, value in response["headers"].items()
        if name.lower() not in _RESPONSE_HEADERS_TO_DROP
    }
    return response


@pytest.fixture(scope="module")
def vcr_config(record_mode: str) -> dict[str, Any]:
    """vcrpy settings: no credentials in cassettes, readable bodies, real hosts in URIs."""
    return {
        # Re-recording replaces a cassette whole; vcrpy would otherwise keep stale interactions.
        "drop_unused_requests": record_mode == "all",
        "filter_headers": _SECRET_HEADERS,
        "filter_post_data_parameters": ["api_key"],
        "decode_compressed_response": True,
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
    }


@pytest.fixture(autouse=True)
def _agent_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the agent at the fake server when recording locally, else at the real hosts."""
    names = ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "SEARCH_API_URL")
    if FAKE_LLM_URL:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{FAKE_LLM_URL}/v1")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", FAKE_LLM_URL)
        monkeypatch.setenv("SEARCH_API_URL", f"{FAKE_LLM_URL}/search")
        # Each test starts with a cold prompt cache, so a cassette does not depend on which
        # tests were recorded before it.
        httpx2.post(f"{FAKE_LLM_URL}/__fake__/reset", timeout=10).raise_for_status()
    else:
        # Replay matches on the real URIs: a base URL left in the shell must not leak in.
        for name in names:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def http_client() -> Iterator[httpx2.Client]:
    """The HTTP client the agent uses for search and page fetches."""
    transport = WebRedirectTransport(FAKE_LLM_URL) if FAKE_LLM_URL else None
    with httpx2.Client(transport=transport, timeout=30.0) as client:
        yield client
