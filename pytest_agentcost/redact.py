"""Keep credentials out of cassettes recorded while the plugin is active.

Cassettes are committed to git, so a key that reaches one is an incident. The
plugin never replaces the user's ``vcr_config``. While it is active, the recorder
redacts what a cassette saves (:class:`RedactingPersister`) and makes every cassette
store and match requests without credential query parameters (:func:`matching_filter`),
so what it saved replays. :func:`merge_vcr_config` gives a user the same filters for
their own ``vcr_config``, adding ours *to* theirs with vcrpy's own semantics:

* ``filter_headers`` / ``filter_query_parameters`` entries are names (the item
  is removed) or ``(name, replacement)`` tuples, where the replacement is a
  string, ``None`` (remove) or a callable ``(key, value, request)``; see
  ``vcr.filters.replace_headers``. We add our names only where the user has no
  entry for that name (compared case-insensitively), so a user's replacement
  always wins.
* ``before_record_request`` / ``before_record_response`` may be one callable
  or an iterable of them (``vcr.config.VCR._build_before_record_*``); the
  user's hooks run first and ours last, so ours see what will be written.

Beyond header and query filtering, our hooks blank the request body of OAuth
and STS token exchanges, replace token values in response bodies (keeping the
body's shape so a replayed client still parses it) and drop ``set-cookie``.
Every hook is deterministic and idempotent: vcrpy also runs
``before_record_request`` on live requests during playback to match them.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from vcr.filters import remove_query_parameters

from pytest_agentcost.interaction import decode_body, to_bytes

__all__ = [
    "CREDENTIAL_HEADER_NAME",
    "DEFAULT_FILTER_HEADERS",
    "DEFAULT_FILTER_QUERY",
    "REDACTED",
    "merge_vcr_config",
    "redact_request",
    "redact_response",
]

#: What a token value in a response body is replaced with. Plain ASCII with no
#: markup characters, so it is valid inside JSON strings, form values and XML.
REDACTED = "REDACTED"

#: Request headers removed from recorded cassettes (vcrpy matches them
#: case-insensitively). ``x-amz-date`` and ``x-amz-content-sha256`` are kept:
#: they are not secret, and the SigV4 signature lives in ``authorization``.
DEFAULT_FILTER_HEADERS: tuple[str, ...] = (
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "apikey",
    "x-goog-api-key",
    "xi-api-key",
    "anthropic-admin-api-key",
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
    "x-amz-security-token",
    "x-amz-sso_bearer_token",
    "x-auth-token",
)

#: Any other request header whose name says it holds a credential (``X-Subscription-Token``,
#: ``Ocp-Apim-Subscription-Key``, ``x-portkey-api-key``, ``cf-aig-authorization``, ``helicone-auth``):
#: removed too, at save time, and flagged by ``agentcost scan``.
CREDENTIAL_HEADER_NAME = re.compile(
    r"(?:^|[-_])(?:api[-_]?key|apikey|subscription[-_]?key|authorization|auth|auth[-_]?token|access[-_]?token"
    r"|token|secret|password)$",
    re.IGNORECASE,
)

#: Query parameters removed from recorded request URIs. vcrpy compares query
#: names exactly, so the spellings providers actually use are listed.
DEFAULT_FILTER_QUERY: tuple[str, ...] = (
    "key",  # Gemini / Google APIs: ?key=AIza...
    "api_key",
    "apikey",
    "api-key",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "X-Amz-Security-Token",  # S3 / SigV4 presigned URLs
    "X-Amz-Signature",
    "X-Amz-Credential",
    "X-Goog-Signature",  # GCS signed URLs
    "X-Goog-Credential",
    "sig",  # Azure SAS
)

_FILTER_QUERY_NAMES = frozenset(DEFAULT_FILTER_QUERY)
_CREDENTIAL_QUERY = re.compile("[?&](?:" + "|".join(re.escape(name) for name in DEFAULT_FILTER_QUERY) + ")=")

# Form or JSON field names (lower-case, without "_" and "-") that mark a body as
# a credential exchange when sent together with a grant type.
_GRANT_SECRETS = frozenset(
    {
        "clientsecret",
        "refreshtoken",
        "assertion",
        "clientassertion",
        "subjecttoken",
        "password",
        "devicecode",
        "code",
    }
)

# Token endpoints whose request body always carries a credential.
_TOKEN_HOSTS = re.compile(
    r"""^(?:
        oauth2\.googleapis\.com
      | sts\.googleapis\.com
      | sts(?:-fips)?(?:\.[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?
      | oidc\.[a-z0-9-]+\.amazonaws\.com
      | portal\.sso\.[a-z0-9-]+\.amazonaws\.com
    )$""",
    re.VERBOSE,
)
_TOKEN_PATHS = re.compile(r"(?:^|/)(?:o/)?oauth2/(?:v\d+(?:\.\d+)?/)?token$|/oauth2?/token$")

# Names of response fields holding a credential. ``_?`` covers snake_case and
# camelCase (access_token, accessToken, AccessToken) with IGNORECASE.
_SECRET_FIELDS = (
    rb"access_?token|refresh_?token|id_?token|client_?secret"
    rb"|secret_?access_?key|session_?token|access_?key_?id"
)
_NEEDLE = re.compile(_SECRET_FIELDS, re.IGNORECASE)
_JSON_FIELD = re.compile(rb'("(?:' + _SECRET_FIELDS + rb')"\s*:\s*")((?:[^"\\]|\\.)*)(")', re.IGNORECASE)
_FORM_FIELD = re.compile(rb"(^|[&?])(" + _SECRET_FIELDS + rb")=([^&\s\"'<]*)", re.IGNORECASE)
_XML_FIELD = re.compile(rb"<(SecretAccessKey|SessionToken|AccessKeyId)>([^<]*)</\1>")

_Hook = Callable[[Any], Any]


def merge_vcr_config(user: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``user``'s vcrpy config with our secret filters added, never replaced.

    The user's entries (and their replacements) are kept in order; our header
    and query names are appended unless the user already filters that name
    (case-insensitively). The user's ``before_record_request`` (or its alias
    ``before_record``) and ``before_record_response`` hooks run before ours.
    ``user`` is not modified, and merging twice adds nothing the second time.
    """
    merged = dict(user)
    merged["filter_headers"] = _merge_names(user.get("filter_headers"), DEFAULT_FILTER_HEADERS)
    merged["filter_query_parameters"] = _merge_names(user.get("filter_query_parameters"), DEFAULT_FILTER_QUERY)
    if "filter_post_data_parameters" in user:
        # Kept as given. We add no names here on purpose: vcrpy re-serialises
        # every application/json request body it filters (json.dumps), which
        # would rewrite each LLM request; token bodies are blanked by our hook.
        merged["filter_post_data_parameters"] = list(user["filter_post_data_parameters"] or ())
    # vcrpy reads before_record only when before_record_request is absent.
    user_request_hooks = user["before_record_request"] if "before_record_request" in user else user.get("before_record")
    merged.pop("before_record", None)
    merged["before_record_request"] = _chain(user_request_hooks, redact_request)
    merged["before_record_response"] = _chain(user.get("before_record_response"), redact_response)
    return merged


def _entry_name(entry: Any) -> str:
    """The name of a filter entry: ``"name"`` or ``("name", replacement)``."""
    name = entry[0] if isinstance(entry, tuple) and entry else entry
    return str(name).lower()


def _merge_names(user_entries: Any, ours: Iterable[str]) -> list[Any]:
    entries: list[Any] = list(user_entries or ())
    seen = {_entry_name(entry) for entry in entries}
    for name in ours:
        if name.lower() not in seen:
            seen.add(name.lower())
            entries.append(name)
    return entries


def _chain(user_hooks: Any, ours: _Hook) -> list[_Hook]:
    """The user's hook(s) as a list (vcrpy's rule: not iterable means one hook), then ours."""
    if user_hooks is None:
        hooks: list[_Hook] = []
    elif isinstance(user_hooks, Iterable):
        hooks = list(user_hooks)
    else:
        hooks = [user_hooks]
    if ours not in hooks:
        hooks.append(ours)
    return hooks


# --------------------------------------------------------------------------- requests


def _credential_values(request: Any) -> dict[str, set[str]]:
    """The values of the credential query parameters (:data:`DEFAULT_FILTER_QUERY`) a request's URI
    carries, by name: empty for nearly every request, told by one pattern search."""
    uri = str(getattr(request, "uri", ""))
    if not _CREDENTIAL_QUERY.search(uri):
        return {}
    values: dict[str, set[str]] = {}
    for name, value in parse_qsl(urlsplit(uri).query, keep_blank_values=True):
        if name in _FILTER_QUERY_NAMES and value:
            values.setdefault(name, set()).add(value)
    return values


def credential_query(request: Any, theirs: Iterable[tuple[str, str]] = ()) -> list[str]:
    """The credential query parameters a request's URI carries with a value to keep out: every
    one but those whose ``(name, value)`` is in ``theirs``, a stand-in the cassette's own filters
    put there (``('key', 'DUMMY')``)."""
    keep = set(theirs)
    return sorted(
        name for name, values in _credential_values(request).items() if any((name, v) not in keep for v in values)
    )


def matching_filter(
    own: Callable[[Any], Any],
    kept_out: set[str],
    theirs: set[tuple[str, str]],
    loading: Callable[[], bool] = lambda: False,
) -> Callable[[Any], Any]:
    """A cassette's ``before_record_request`` (``own``), then the credential query parameters removed.

    vcrpy runs it on what it stores and on each request it matches, so a cassette saved without
    ``?key=...`` still replays under the plugin (vcrpy matches on the query); the names removed are
    added to ``kept_out``, for the warning that replays without the plugin will not match.

    A stand-in the user's own filter writes is theirs: kept, and added to ``theirs`` (which the save
    keeps too, and nothing else). It is a value ``own`` changed *into* an obvious stand-in
    (``DUMMY``, ``AIza***``), or, read back from the cassette (``loading()``), one that is such a
    stand-in. A value ``own`` left as the code sent it, or changed into something else (a URI
    lower-cased or unquoted), goes: nothing says it is not the key.
    """
    from pytest_agentcost.scan import is_placeholder

    def before_record_request(request: Any) -> Any:
        sent = _credential_values(request)
        filtered = own(request)
        if filtered is None or not sent:
            return filtered
        names = []
        for name, values in _credential_values(filtered).items():
            for value in values:
                if (name, value) in theirs:
                    continue
                written = loading() or value not in sent.get(name, set())
                if written and is_placeholder(value):
                    theirs.add((name, value))
                else:
                    names.append(name)
        if names:
            kept_out.update(names)
            # A shallow copy: removing parameters sets the URI only, and the request may be the live one.
            filtered = remove_query_parameters(copy.copy(filtered), sorted(set(names)))
        return filtered

    before_record_request.agentcost = True  # type: ignore[attr-defined]
    return before_record_request


def redact_request(request: Any) -> Any:
    """A ``before_record_request`` hook: blank the body of a credential exchange.

    Applies to OAuth/STS/SSO token endpoints and to any form or JSON body that
    sends a ``grant_type`` with a client secret, refresh token, assertion and
    the like. Other requests are returned untouched.
    """
    if request is None:
        return None
    body = getattr(request, "body", None)
    if not isinstance(body, bytes | bytearray | str) or not body:
        return request
    if _is_token_exchange(request, to_bytes(body)):
        request.body = b""
    return request


def _is_token_exchange(request: Any, body: bytes) -> bool:
    parts = urlsplit(str(getattr(request, "uri", "")))
    host = (parts.hostname or "").lower()
    if _TOKEN_HOSTS.match(host) or _TOKEN_PATHS.search(parts.path):
        return True
    headers = getattr(request, "headers", {}) or {}
    encoding = str(headers.get("content-encoding", "") or "") if isinstance(headers, Mapping) else ""
    names = _field_names(decode_body(body, encoding))
    return "granttype" in names and bool(names & _GRANT_SECRETS)


def _field_names(body: bytes) -> set[str]:
    """Normalised top-level field names of a JSON object or form body (empty if neither)."""
    text = body.decode("utf-8", errors="replace").strip()
    keys: Iterable[str]
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return set()
        keys = data.keys() if isinstance(data, dict) else ()
    elif "=" in text:
        keys = (k for k, _ in parse_qsl(text, keep_blank_values=True))
    else:
        return set()
    return {k.lower().replace("_", "").replace("-", "") for k in keys}


# -------------------------------------------------------------------------- responses


#: Response headers dropped: cookies, and the account names OpenAI and Anthropic echo back
#: (the same organisation and project the request headers filtered out named).
_RESPONSE_HEADERS = frozenset({"set-cookie", "openai-organization", "openai-project", "anthropic-organization-id"})


def redact_response(response: Any) -> Any:
    """A ``before_record_response`` hook: drop ``set-cookie`` and account headers, redact token fields.

    Token values (``access_token``, ``refresh_token``, ``id_token``, AWS
    ``SecretAccessKey``/``SessionToken`` ...) in JSON, form-encoded and XML
    bodies become ``REDACTED``; the rest of the body is kept byte for byte. A
    compressed body that needed redacting is stored decoded, and its
    ``content-encoding`` header dropped, as vcrpy's ``decode_compressed_response`` does.
    """
    if not isinstance(response, dict):
        return response
    result = dict(response)
    headers = result.get("headers")
    if isinstance(headers, Mapping):
        result["headers"] = {k: v for k, v in headers.items() if str(k).lower() not in _RESPONSE_HEADERS}
    body = result.get("body")
    if isinstance(body, Mapping) and body.get("string"):
        raw = to_bytes(body["string"])
        encoding = _header(result.get("headers"), "content-encoding")
        decoded = decode_body(raw, encoding)
        redacted = _redact_fields(decoded)
        if redacted != decoded:
            new_body = dict(body)
            new_body["string"] = redacted
            result["body"] = new_body
            if decoded != raw:
                result["headers"] = _drop_encoding(result.get("headers"), len(redacted))
    return result


def _redact_fields(body: bytes) -> bytes:
    if not _NEEDLE.search(body):
        return body
    body = _JSON_FIELD.sub(lambda m: m.group(1) + REDACTED.encode() + m.group(3), body)
    body = _FORM_FIELD.sub(lambda m: m.group(1) + m.group(2) + b"=" + REDACTED.encode(), body)
    return _XML_FIELD.sub(lambda m: b"<%s>%s</%s>" % (m.group(1), REDACTED.encode(), m.group(1)), body)


def _header(headers: Any, name: str) -> str:
    if not isinstance(headers, Mapping):
        return ""
    values: list[str] = []
    for key, value in headers.items():
        if str(key).lower() == name:
            values.extend(str(v) for v in (value if isinstance(value, list | tuple) else [value]))
    return ", ".join(values)


def _drop_encoding(headers: Any, length: int) -> dict[Any, Any]:
    result = {k: v for k, v in (headers or {}).items() if str(k).lower() not in ("content-encoding", "content-length")}
    result["content-length"] = [str(length)]
    return result


def body_unmatched(match_on: Iterable[Any]) -> bool:
    """Whether a cassette's matchers (``Cassette._match_on``) are all vcrpy's own that never read
    a request body: then a credential in a body can be redacted on disk and replays still match.
    A ``body`` or ``raw_body`` matcher, or any custom one, may compare bodies."""
    from vcr import matchers

    safe = (
        matchers.method,
        matchers.uri,
        matchers.scheme,
        matchers.host,
        matchers.port,
        matchers.path,
        matchers.query,
        matchers.headers,
    )
    return all(any(matcher is known for known in safe) for matcher in match_on)


def body_credentials(data: Mapping[str, Any]) -> dict[str, str]:
    """The top-level fields of a JSON request body that hold a credential (``api_key``, ``apiKey``,
    ``access_token``, ``password`` ...): a string named as a credential header would be, with no
    whitespace (a prompt field is never one) and not already redacted."""
    return {
        key: value
        for key, value in data.items()
        if isinstance(value, str)
        and value
        and value != REDACTED
        and not any(c.isspace() for c in value)
        and CREDENTIAL_HEADER_NAME.search(key)
        and not _PAGING_FIELD.match(key)
    }


#: Fields named like a token that hold a position in a list, not a credential (``page_token``,
#: ``nextPageToken``, ``continuation_token``, ``sync_token``, ``cursor_token``).
_PAGING_FIELD = re.compile(r"(?:next[-_]?)?page|continuation|pagination|sync|cursor", re.IGNORECASE)


def redact_body_credentials(body: bytes) -> bytes:
    """``body`` with the credential fields of a top-level JSON object (:func:`body_credentials`)
    replaced by ``REDACTED``; every other byte kept. Not a JSON object: returned as it is."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return body
    if not isinstance(data, dict):
        return body
    found = body_credentials(data)
    if not found:
        return body
    for key, value in found.items():
        field = re.compile(rb'("' + re.escape(json.dumps(key)[1:-1].encode()) + rb'"\s*:\s*")((?:[^"\\]|\\.)*)(")')

        def swap(match: re.Match[bytes], value: str = value) -> bytes:
            try:
                same = json.loads(b'"' + match.group(2) + b'"') == value
            except ValueError:  # the pattern matched across strings: not this field
                same = False
            return match.group(1) + REDACTED.encode() + match.group(3) if same else match.group(0)

        body = field.sub(swap, body)
    try:
        left = json.loads(body)
    except ValueError:  # pragma: no cover - a substitution only ever swaps one JSON string for another
        left = None
    if not isinstance(left, dict) or body_credentials(left):
        # Written in a way the pattern missed (escaped key names): fall back to vcrpy's own way,
        # re-serialising the body as ``filter_post_data_parameters`` does.
        data.update(dict.fromkeys(found, REDACTED))
        body = json.dumps(data).encode("utf-8")
    return body


def redact_interactions(
    cassette_dict: Mapping[str, Any], *, bodies: bool = False, theirs: Iterable[tuple[str, str]] = ()
) -> dict[str, Any]:
    """Redacted copies of a cassette's ``requests``/``responses`` lists, as vcrpy is about to save them.

    The plugin applies this at save time, after the user's own vcrpy filters
    ran, so credentials never reach disk whatever ``vcr_config`` or a
    ``@pytest.mark.vcr(...)`` marker says (a marker's ``filter_headers`` replaces
    the fixture's in pytest-recording; this cannot be replaced). With ``bodies``
    (the cassette does not match requests on their body, :func:`body_unmatched`),
    a credential field of a JSON request body (a search tool's ``{"api_key": ...}``)
    is redacted too.
    """
    from vcr.filters import remove_headers

    requests: list[Any] = []
    responses: list[Any] = []
    for request, response in zip(cassette_dict.get("requests", ()), cassette_dict.get("responses", ()), strict=False):
        req = copy.deepcopy(request)
        named = [name for name in getattr(req, "headers", {}) or {} if CREDENTIAL_HEADER_NAME.search(str(name))]
        req = remove_headers(req, [*DEFAULT_FILTER_HEADERS, *named])
        names = credential_query(req, theirs)
        if names:
            req = remove_query_parameters(req, names)
        req = redact_request(req)
        if req is None:
            continue
        body = getattr(req, "body", None)
        if bodies and isinstance(body, bytes | bytearray | str) and body:
            raw = to_bytes(body)
            redacted = redact_body_credentials(raw)
            if redacted != raw:
                req.body = redacted
        requests.append(req)
        responses.append(redact_response(copy.deepcopy(response)))
    result = dict(cassette_dict)
    result["requests"] = requests
    result["responses"] = responses
    return result


class RedactingPersister:
    """Wraps a vcrpy persister so whatever it saves is redacted first."""

    def __init__(self, inner: Any, *, bodies: bool = False, theirs: Iterable[tuple[str, str]] = ()) -> None:
        self._inner = inner
        self._bodies = bodies
        self._theirs = tuple(theirs)

    def load_cassette(self, cassette_path: Any, serializer: Any) -> Any:
        return self._inner.load_cassette(cassette_path, serializer)

    def save_cassette(self, cassette_path: Any, cassette_dict: Any, serializer: Any) -> Any:
        redacted = redact_interactions(cassette_dict, bodies=self._bodies, theirs=self._theirs)
        return self._inner.save_cassette(cassette_path, redacted, serializer=serializer)
