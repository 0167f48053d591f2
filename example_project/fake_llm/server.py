"""The fake server: OpenAI- and Anthropic-compatible LLM endpoints, a Tavily-style search API
and a handful of web pages, on 127.0.0.1.

Run it with ``python -m fake_llm.server --port 8765`` and point the SDKs at it::

    OPENAI_BASE_URL=http://127.0.0.1:8765/v1
    ANTHROPIC_BASE_URL=http://127.0.0.1:8765
    SEARCH_API_URL=http://127.0.0.1:8765/search

Routes (by path, whatever the Host header says):

=====================================  ==============================================
``POST /v1/chat/completions``          OpenAI chat completions, streamed (SSE) or not
``POST /v1/messages``                  Anthropic Messages API
``POST /search``                       Tavily search
``GET  /web/<host>/<path>``            the fake page for ``https://<host>/<path>``
``POST /__fake__/reset``               forget the prompt cache (a cold cache)
``GET  /__fake__/info``                which tokenizer counts the usage
=====================================  ==============================================

Responses carry no ``Date`` header and fixed ids/timestamps derived from the
request, so recording twice gives identical cassettes.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar

from fake_llm import content, providers
from fake_llm.tokenizer import Tokenizer, load_tokenizer

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["FakeServer", "main", "serve"]

#: Path prefix under which the fake pages are served: /web/<host>/<path>.
WEB_PREFIX = "/web/"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-llm/1.0"
    tokenizer: ClassVar[Tokenizer]
    cache: ClassVar[providers.PromptCache]
    quiet: ClassVar[bool] = True

    # ------------------------------------------------------------------ plumbing

    def send_response(self, code: int, message: str | None = None) -> None:
        # No Server/Date headers: a Date would make every re-recording differ.
        self.log_request(code)
        self.send_response_only(code, message)

    def log_message(self, format: str, *args: Any) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parsed = json.loads(raw or b"{}")
        return parsed if isinstance(parsed, dict) else {}

    def _send(
        self, status: int, payload: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _json(self, status: int, body: Any, extra: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        self._send(status, payload, "application/json", extra)

    def _llm_headers(self, header: str, payload: bytes) -> dict[str, str]:
        return {
            header: "req_" + hashlib.sha256(payload).hexdigest()[:24],
            "x-fake-llm-tokenizer": self.tokenizer.name,
        }

    # ------------------------------------------------------------------ routes

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/__fake__/info":
            self._json(200, {"tokenizer": self.tokenizer.name})
        elif path.startswith(WEB_PREFIX):
            page = content.page_for_url("https://" + path[len(WEB_PREFIX) :])
            if page is None:
                self._send(
                    404, b"<html><body><h1>404 Not Found</h1></body></html>\n", "text/html; charset=utf-8"
                )
            else:
                self._send(200, page.html().encode(), "text/html; charset=utf-8")
        else:
            self._json(404, {"error": {"message": f"no route for GET {path}", "type": "not_found"}})

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        body = self._body()
        if path == "/__fake__/reset":
            self.cache.reset()
            self._json(200, {"reset": True})
        elif path.endswith("/chat/completions"):
            self._openai_chat(body)
        elif path.endswith("/messages"):
            self._anthropic(body)
        elif path.rstrip("/").endswith("/search"):
            self._tavily(body)
        else:
            self._json(404, {"error": {"message": f"no route for POST {path}", "type": "not_found"}})

    def _openai_chat(self, body: dict[str, Any]) -> None:
        if not self.headers.get("Authorization", "").startswith("Bearer "):
            self._json(
                401,
                {
                    "error": {
                        "message": "Missing bearer authentication.",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": "missing_api_key",
                    }
                },
            )
            return
        if body.get("stream"):
            payload = providers.chat_completion_sse(body, self.tokenizer, self.cache).encode()
            self._send(
                200, payload, "text/event-stream; charset=utf-8", self._llm_headers("x-request-id", payload)
            )
        else:
            response = providers.chat_completion(body, self.tokenizer, self.cache)
            payload = json.dumps(response).encode()
            self._send(200, payload, "application/json", self._llm_headers("x-request-id", payload))

    def _anthropic(self, body: dict[str, Any]) -> None:
        # The SDK sends the key as x-api-key or, in recent versions, as a bearer token.
        if not (self.headers.get("x-api-key") or self.headers.get("Authorization", "").startswith("Bearer ")):
            self._json(
                401,
                {
                    "type": "error",
                    "error": {"type": "authentication_error", "message": "missing api key"},
                },
            )
            return
        response = providers.anthropic_messages(body, self.tokenizer, self.cache)
        payload = json.dumps(response).encode()
        self._send(200, payload, "application/json", self._llm_headers("request-id", payload))

    def _tavily(self, body: dict[str, Any]) -> None:
        if not (self.headers.get("Authorization", "").startswith("Bearer ") or body.get("api_key")):
            self._json(401, {"detail": {"error": "Unauthorized: missing or invalid API key."}})
            return
        self._json(200, providers.tavily_search(body))


@dataclass
class FakeServer:
    """A running fake server (see :func:`serve`)."""

    httpd: ThreadingHTTPServer
    thread: threading.Thread
    tokenizer: Tokenizer
    cache: providers.PromptCache

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def reset_cache(self) -> None:
        """Forget every prompt seen so far."""
        self.cache.reset()

    def close(self) -> None:
        """Stop serving and release the port."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def start(port: int = 0, host: str = "127.0.0.1", tokenizer: str = "auto", quiet: bool = True) -> FakeServer:
    """Start a fake server in a daemon thread; ``port=0`` picks a free port."""
    loaded = load_tokenizer(tokenizer)
    # A handler class per server, so two servers in one process keep separate caches.
    cache = providers.PromptCache()
    handler = type("FakeHandler", (_Handler,), {"tokenizer": loaded, "cache": cache, "quiet": quiet})
    httpd = ThreadingHTTPServer((host, port), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="fake-llm", daemon=True)
    thread.start()
    return FakeServer(httpd=httpd, thread=thread, tokenizer=loaded, cache=cache)


@contextlib.contextmanager
def serve(port: int = 0, tokenizer: str = "auto") -> Iterator[FakeServer]:
    """Run a fake server for the duration of a ``with`` block."""
    server = start(port=port, tokenizer=tokenizer)
    try:
        yield server
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m fake_llm.server --port 8765``."""
    parser = argparse.ArgumentParser(prog="python -m fake_llm.server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--tokenizer",
        choices=("auto", "tiktoken", "approx"),
        default="auto",
        help="auto: tiktoken o200k_base when its encoding file loads, else the approximation",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    server = start(port=args.port, host=args.host, tokenizer=args.tokenizer, quiet=not args.verbose)
    print(f"fake-llm listening on {server.url}", flush=True)
    print(f"token usage counted with: {server.tokenizer.name}", flush=True)
    if server.tokenizer.name == "approx-v1":
        print(
            "  (tiktoken's encoding file could not be loaded: counts are a deterministic approximation, "
            "about 4 characters per token; set TIKTOKEN_CACHE_DIR to use the real tokenizer)",
            flush=True,
        )
    print(f"  OPENAI_BASE_URL={server.url}/v1", flush=True)
    print(f"  ANTHROPIC_BASE_URL={server.url}", flush=True)
    print(f"  SEARCH_API_URL={server.url}/search", flush=True)
    try:
        server.thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
