"""Record cassettes against the fake server as if they came from the real hosts.

Two pieces make a recording made on 127.0.0.1 replay without the server:

* :class:`WebRedirectTransport` sends requests for web pages
  (``https://docs.python.org/...``) to the fake server's ``/web/<host>/<path>``;
  the SDKs and the search client reach the fake server through their base URLs.
* :func:`rewrite_to_real_host` is a vcrpy ``before_record_request``: it turns
  ``http://127.0.0.1:PORT/v1/chat/completions`` back into
  ``https://api.openai.com/v1/chat/completions`` (and so on) before the
  interaction is written, so cassettes hold the real URIs and replay matches on
  method and URI alone.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx2

from fake_llm.server import WEB_PREFIX

if TYPE_CHECKING:
    from vcr.request import Request

__all__ = ["WebRedirectTransport", "real_url", "rewrite_to_real_host"]

OPENAI_HOST = "https://api.openai.com"
ANTHROPIC_HOST = "https://api.anthropic.com"
TAVILY_HOST = "https://api.tavily.com"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def real_url(url: str, fake_base: str) -> str:
    """The real-provider URL for a request made to the fake server at ``fake_base``; others unchanged."""
    base = fake_base.rstrip("/")
    if not url.startswith(base + "/"):
        return url
    rest = url[len(base) :]
    path = rest.split("?", 1)[0]
    if path.startswith(WEB_PREFIX):
        return "https://" + rest[len(WEB_PREFIX) :]
    if path.endswith("/messages"):
        return ANTHROPIC_HOST + rest
    if path.rstrip("/").endswith("/search"):
        return TAVILY_HOST + rest
    return OPENAI_HOST + rest


def rewrite_to_real_host(request: Request, fake_base: str) -> Request:
    """A copy of ``request`` addressed to the real host (vcrpy ``before_record_request``)."""
    uri = real_url(request.uri, fake_base)
    if uri == request.uri:
        return request
    rewritten = copy.copy(request)
    rewritten.uri = uri
    headers = dict(request.headers)
    for name in list(headers):
        if name.lower() == "host":
            headers[name] = urlsplit(uri).netloc
    rewritten.headers = headers
    return rewritten


class WebRedirectTransport(httpx2.BaseTransport):
    """Sends every non-loopback request to the fake server's ``/web/<host>/<path>`` instead."""

    def __init__(self, fake_base: str, inner: httpx2.BaseTransport | None = None) -> None:
        self.fake_base = fake_base.rstrip("/")
        self.inner = inner or httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        """Rewrite the URL of a request for the outside web, then send it."""
        if request.url.host not in _LOOPBACK:
            target = f"{request.url.host}{request.url.raw_path.decode('ascii')}"
            request.url = httpx2.URL(f"{self.fake_base}{WEB_PREFIX}{target}")
            request.headers["Host"] = request.url.netloc.decode("ascii")
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()
