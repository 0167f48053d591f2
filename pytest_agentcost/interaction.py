"""A plain, vcrpy-free view of one HTTP interaction.

The recorder turns what vcrpy holds in memory (its ``Request`` object and the
response dict its serializer produced) into an :class:`Interaction`; every pure
module (usage extraction, drift detection, secret scanning) works on this type
only, so nothing vcrpy-typed leaves :mod:`pytest_agentcost.recorder`.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pytest_agentcost._cached import cached

__all__ = [
    "Interaction",
    "decode_body",
    "from_vcr",
    "host_keys",
    "json_or_none",
    "normalise_headers",
    "to_bytes",
]


#: A URL's port that says nothing: the scheme's own (``netloc`` leaves it out).
_DEFAULT_PORTS = {"https": ":443", "http": ":80"}


def netloc_of(url: str) -> str:
    """The host of ``url`` with the port it names (``localhost:8000``), lower-case, without
    credentials; the host alone when the URL names no port, or its scheme's default one
    (``https://host:443`` is ``host``, as the same host written without it)."""
    parts = urlsplit(url)
    netloc = parts.netloc.lower().rpartition("@")[2]
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    if default is not None and netloc.endswith(default) and not netloc.endswith("]"):
        return netloc[: -len(default)]
    return netloc


def host_keys(netloc: str) -> tuple[str, ...]:
    """The keys a user's host map (``agent_cost_providers``, ``agent_cost_tool_prices``) is looked
    up by, most specific first: ``host:port`` (as :attr:`Interaction.netloc` writes it), then the
    host; an IPv6 host as a URL writes it and bare (``[::1]``, ``::1``)."""
    host = urlsplit(f"//{netloc}").hostname or ""
    names = (f"[{host}]", host) if ":" in host else (host,)
    return tuple(dict.fromkeys(key for key in (netloc, *names) if key))


@dataclass(frozen=True)
class Interaction:
    """One request and the response it got, as plain builtins.

    Header names are lower-case; a header sent several times is joined with
    ``", "``. Bodies are the raw bytes vcrpy holds, possibly still compressed:
    use :meth:`response_text` / :meth:`decoded_response_body` to read them.
    """

    method: str
    url: str
    request_headers: Mapping[str, str] = field(default_factory=dict)
    request_body: bytes = b""
    status: int = 200
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_body: bytes = b""

    # Derived views are computed once per interaction: usage extraction, drift detection and
    # the scanner each read them several times. Shared values: callers must not modify them.
    @cached
    def host(self) -> str:
        """The request host, lower-case, without port."""
        return (urlsplit(self.url).hostname or "").lower()

    @cached
    def netloc(self) -> str:
        """The request host with the port the URL names (``localhost:8000``): :func:`netloc_of`."""
        return netloc_of(self.url)

    @cached
    def path(self) -> str:
        """The request path, without query string."""
        return urlsplit(self.url).path

    @cached
    def _decoded_response(self) -> bytes:
        return decode_body(self.response_body, self.response_headers.get("content-encoding", ""))

    @cached
    def _response_str(self) -> str:
        return self._decoded_response.decode("utf-8", errors="replace")

    @cached
    def _request_str(self) -> str:
        return self.decoded_request_body().decode("utf-8", errors="replace")

    def decoded_response_body(self) -> bytes:
        """The response body with any ``content-encoding`` undone (tolerantly)."""
        return self._decoded_response

    def decoded_request_body(self) -> bytes:
        """The request body with any ``content-encoding`` undone (tolerantly)."""
        return decode_body(self.request_body, self.request_headers.get("content-encoding", ""))

    def response_text(self) -> str:
        """The decoded response body as text (invalid UTF-8 replaced)."""
        return self._response_str

    def request_text(self) -> str:
        """The decoded request body as text (invalid UTF-8 replaced)."""
        return self._request_str

    @cached
    def response_json(self) -> Any:
        """The response body parsed as JSON, or None when it is not JSON. Shared: do not modify."""
        return json_or_none(self._response_str)

    @cached
    def request_json(self) -> Any:
        """The request body parsed as JSON, or None when it is not JSON. Shared: do not modify."""
        return json_or_none(self._request_str)


#: The C scanner ``json.loads`` ends up in, called directly: streams are decoded one small event
#: at a time, and the wrapper around it (two frames, two whitespace regexes) cost as much.
_scan_once: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def json_or_none(text: str) -> Any:
    """``json.loads(text)``, or None when ``text`` is not JSON."""
    try:
        value, end = _scan_once(text, 0)
    except (StopIteration, ValueError):
        pass
    else:
        if end == len(text):
            return value
    # Leading or trailing blanks, extra data, or not JSON: json.loads decides exactly.
    try:
        return json.loads(text)
    except ValueError:
        return None


def to_bytes(body: Any) -> bytes:
    """Coerce whatever a vcrpy body holds (str, bytes, None, list of chunks) to bytes."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8", errors="surrogateescape")
    if isinstance(body, Iterable):
        return b"".join(to_bytes(part) for part in body)
    return str(body).encode("utf-8")


def normalise_headers(headers: Any) -> dict[str, str]:
    """Lower-case header names; join repeated values; accept dicts of str or of lists."""
    result: dict[str, str] = {}
    if not headers:
        return result
    items = headers.items() if isinstance(headers, Mapping) else headers
    for name, value in items:
        key = name.lower() if type(name) is str else str(name).lower()
        if type(value) is list and len(value) == 1 and type(value[0]) is str:
            text = value[0]  # how vcrpy stores nearly every header
        elif isinstance(value, list | tuple):
            text = ", ".join(_header_value(v) for v in value)
        else:
            text = _header_value(value)
        result[key] = f"{result[key]}, {text}" if key in result else text
    return result


class _LazyHeaders(Mapping[str, str]):
    """:func:`normalise_headers` of ``raw``, computed on first use."""

    __slots__ = ("_normalised", "_raw")

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._normalised: dict[str, str] | None = None

    def _headers(self) -> dict[str, str]:
        if self._normalised is None:
            self._normalised = normalise_headers(self._raw)
            self._raw = None
        return self._normalised

    def __getitem__(self, key: str) -> str:
        return self._headers()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._headers().get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers())

    def __len__(self) -> int:
        return len(self._headers())

    def __repr__(self) -> str:
        return repr(self._headers())


def _header_value(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def decode_body(body: bytes, content_encoding: str) -> bytes:
    """Undo ``gzip``/``deflate``/``br`` encodings.

    Cassettes are known to carry a ``content-encoding: gzip`` header on a body
    that was stored already decoded, so a body that does not look compressed is
    returned as it is rather than raising.
    """
    encodings = [e.strip().lower() for e in content_encoding.split(",") if e.strip()]
    data = body
    for encoding in reversed(encodings):
        data = _decode_one(data, encoding)
    # A body with no header that is nonetheless gzip (seen with Gemini): sniff the magic.
    if not encodings and data[:2] == b"\x1f\x8b":
        data = _decode_one(data, "gzip")
    return data


def _decode_one(data: bytes, encoding: str) -> bytes:
    try:
        if encoding in ("gzip", "x-gzip"):
            if data[:2] != b"\x1f\x8b":
                return data
            return gzip.decompress(data)
        if encoding == "deflate":
            try:
                return zlib.decompress(data)
            except zlib.error:
                return zlib.decompress(data, -zlib.MAX_WBITS)
        if encoding == "br":
            try:
                import brotli  # optional: installed alongside most HTTP clients
            except ImportError:  # pragma: no cover - depends on the environment
                return data
            result: bytes = brotli.decompress(data)
            return result
    except (OSError, EOFError, zlib.error, ValueError):
        return data
    except Exception:  # brotli.error and friends: a body we cannot decode is kept as is
        return data
    return data


def from_vcr(request: Any, response: Mapping[str, Any]) -> Interaction:
    """Build an :class:`Interaction` from a vcrpy ``Request`` and response dict."""
    # vcrpy's older httpx stubs wrote "status_code" and "content" instead of "status" and "body";
    # vcrpy still replays them with that status, so an error recorded that way is an error here too.
    status_obj = response.get("status") or response.get("status_code") or {}
    # type() first: vcrpy holds plain dicts, and an ABC isinstance check costs ten times more.
    status = status_obj.get("code", 200) if type(status_obj) is dict or isinstance(status_obj, Mapping) else status_obj
    if type(status) is int:
        status_code = status
    else:
        try:
            status_code = int(status)
        except (TypeError, ValueError):
            status_code = 0
    body_obj = response.get("body")
    if type(body_obj) is dict or isinstance(body_obj, Mapping):
        raw_body = body_obj.get("string", b"")
    elif body_obj is None:
        # Older httpx stubs stored the body under "content".
        raw_body = response.get("content", b"")
    else:
        raw_body = body_obj
    return Interaction(
        method=str(getattr(request, "method", "GET")).upper(),
        url=str(getattr(request, "uri", "")),
        # Only drift detection, the scanner and compressed request bodies read request headers.
        request_headers=_LazyHeaders(getattr(request, "headers", {})),
        request_body=to_bytes(getattr(request, "body", b"")),
        status=status_code,
        response_headers=normalise_headers(response.get("headers") or {}),
        response_body=to_bytes(raw_body),
    )
