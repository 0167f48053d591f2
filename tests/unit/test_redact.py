"""Record-time redaction: merging into the user's vcr_config, and real recordings.

Every planted credential below is built by concatenation so that this file
holds no key-shaped literal; each says NotAReal... so nobody mistakes it.
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
import vcr
from hypothesis import given, settings
from hypothesis import strategies as st
from vcr.request import Request

from pytest_agentcost.models import CallRecord
from pytest_agentcost.recorder import Recorder
from pytest_agentcost.redact import (
    DEFAULT_FILTER_HEADERS,
    DEFAULT_FILTER_QUERY,
    REDACTED,
    body_unmatched,
    merge_vcr_config,
    redact_body_credentials,
    redact_interactions,
    redact_request,
    redact_response,
)
from pytest_agentcost.scan import scan_cassette

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

OPENAI_KEY = "sk-" + "proj-" + "NotARealKey" + "ForUnitTests" + "0123456789" + "abcdefXYZ"
GOOGLE_KEY = "AI" + "za" + "SyNotARealKey" + "ForUnitTests" + "0123456789"
ANTHROPIC_KEY = "sk-" + "ant-" + "api03-" + "NotARealKey" + "ForUnitTests" + "0123456789" * 4 + "AA"
GOOGLE_ACCESS_TOKEN = "ya" + "29." + "NotARealAccessToken" + "0123456789abcdef"
REFRESH_TOKEN = "1//" + "NotARealRefreshToken" + "0123456789"
CLIENT_SECRET = "GOCSPX-" + "NotARealClientSecret" + "0123"
ID_TOKEN = (
    base64.urlsafe_b64encode(b'{"alg":"RS256","typ":"JWT"}').decode().rstrip("=")
    + "."
    + base64.urlsafe_b64encode(b'{"sub":"not-a-real-user","iat":1}').decode().rstrip("=")
    + "."
    + "NotARealSignature0123456789"
)
ASSERTION = ID_TOKEN.replace("NotARealSignature", "NotARealAssertion")
USER_SECRET = "user-" + "trace-" + "secret-0123456789"
SESSION_COOKIE = "session=" + "NotARealSessionCookie0123456789"
SEARCH_KEY = "tvly-" + "NotARealKey" + "ForUnitTests" + "0123456789"

PLANTED = (
    OPENAI_KEY,
    GOOGLE_KEY,
    ANTHROPIC_KEY,
    GOOGLE_ACCESS_TOKEN,
    REFRESH_TOKEN,
    CLIENT_SECRET,
    ID_TOKEN,
    ASSERTION,
    USER_SECRET,
    SESSION_COOKIE,
)


def _user_request_hook(request: Any) -> Any:
    request.headers["X-User-Hook"] = "ran"
    return request


def _user_response_hook(response: Any) -> Any:
    response["headers"]["X-User-Response-Hook"] = ["ran"]
    return response


def _other_hook(request: Any) -> Any:
    return request


# ------------------------------------------------------------------ merge_vcr_config


@pytest.mark.parametrize(
    ("user", "expected_headers_head", "expected_query_head"),
    [
        pytest.param({}, [], [], id="empty"),
        pytest.param(
            {"filter_headers": [("Authorization", "XXXX")]},
            [("Authorization", "XXXX")],
            [],
            id="user-replacement-kept-case-insensitive",
        ),
        pytest.param(
            {"filter_headers": ("X-API-KEY", "x-custom")},
            ["X-API-KEY", "x-custom"],
            [],
            id="names-tuple",
        ),
        pytest.param(
            {"filter_query_parameters": [("key", "K"), "session"]},
            [],
            [("key", "K"), "session"],
            id="query-replacement-kept",
        ),
        pytest.param(
            {"filter_headers": None, "filter_query_parameters": None},
            [],
            [],
            id="none-values",
        ),
    ],
)
def test_merge_keeps_user_filters_and_adds_ours_once(
    user: dict[str, Any], expected_headers_head: list[Any], expected_query_head: list[Any]
) -> None:
    merged = merge_vcr_config(user)

    user_header_names = {str(e[0] if isinstance(e, tuple) else e).lower() for e in expected_headers_head}
    user_query_names = {str(e[0] if isinstance(e, tuple) else e).lower() for e in expected_query_head}
    assert merged["filter_headers"] == expected_headers_head + [
        h for h in DEFAULT_FILTER_HEADERS if h not in user_header_names
    ]
    assert merged["filter_query_parameters"] == expected_query_head + [
        q for q in DEFAULT_FILTER_QUERY if q.lower() not in user_query_names
    ]


@pytest.mark.parametrize(
    ("user", "request_hooks", "response_hooks"),
    [
        pytest.param({}, [redact_request], [redact_response], id="none"),
        pytest.param(
            {"before_record_request": _user_request_hook, "before_record_response": _user_response_hook},
            [_user_request_hook, redact_request],
            [_user_response_hook, redact_response],
            id="callables",
        ),
        pytest.param(
            {"before_record_request": [_user_request_hook, _other_hook], "before_record_response": ()},
            [_user_request_hook, _other_hook, redact_request],
            [redact_response],
            id="list-and-empty-tuple",
        ),
        pytest.param(
            {"before_record": _user_request_hook},
            [_user_request_hook, redact_request],
            [redact_response],
            id="before_record-alias",
        ),
        pytest.param(
            # vcrpy ignores before_record when before_record_request is given.
            {"before_record": _other_hook, "before_record_request": _user_request_hook},
            [_user_request_hook, redact_request],
            [redact_response],
            id="alias-shadowed",
        ),
    ],
)
def test_merge_chains_user_hooks_before_ours(
    user: dict[str, Any], request_hooks: list[Any], response_hooks: list[Any]
) -> None:
    merged = merge_vcr_config(user)

    assert merged["before_record_request"] == request_hooks
    assert merged["before_record_response"] == response_hooks
    assert "before_record" not in merged


def test_merge_keeps_other_keys_does_not_mutate_and_is_idempotent() -> None:
    user: dict[str, Any] = {
        "record_mode": "none",
        "match_on": ("method", "uri"),
        "filter_headers": ["authorization"],
        "filter_post_data_parameters": [("password", "P")],
        "decode_compressed_response": True,
    }
    snapshot = {k: (list(v) if isinstance(v, list) else v) for k, v in user.items()}

    merged = merge_vcr_config(user)
    again = merge_vcr_config(merged)

    assert user == snapshot
    assert merged["record_mode"] == "none"
    assert merged["match_on"] == ("method", "uri")
    assert merged["decode_compressed_response"] is True
    assert merged["filter_post_data_parameters"] == [("password", "P")]
    assert merged["filter_headers"].count("authorization") == 1
    assert again == merged


# ------------------------------------------------------------------- redact_request


@pytest.mark.parametrize(
    ("uri", "body", "headers", "blanked"),
    [
        pytest.param(
            "https://oauth2.googleapis.com/token",
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + ASSERTION,
            {"Content-Type": "application/x-www-form-urlencoded"},
            True,
            id="google-oauth2",
        ),
        pytest.param(
            "https://sts.us-east-1.amazonaws.com/",
            "Action=AssumeRoleWithWebIdentity&WebIdentityToken=" + ID_TOKEN,
            {},
            True,
            id="aws-sts-regional",
        ),
        pytest.param("https://sts.amazonaws.com/", "Action=GetSessionToken&Version=2011-06-15", {}, True, id="aws-sts"),
        pytest.param(
            "https://oidc.eu-west-1.amazonaws.com/token",
            json.dumps({"clientId": "c", "clientSecret": CLIENT_SECRET, "grantType": "refresh_token"}),
            {"Content-Type": "application/json"},
            True,
            id="aws-sso-oidc",
        ),
        pytest.param(
            "https://sts.googleapis.com/v1/token",
            "subject_token=" + ID_TOKEN,
            {},
            True,
            id="gcp-workload-identity",
        ),
        pytest.param(
            "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",
            "client_id=c&scope=s",
            {},
            True,
            id="azure-ad-path",
        ),
        pytest.param(
            "https://auth.example.test/exchange",
            "grant_type=refresh_token&refresh_token=" + REFRESH_TOKEN + "&client_secret=" + CLIENT_SECRET,
            {},
            True,
            id="form-grant-with-secret-any-host",
        ),
        pytest.param(
            "https://auth.example.test/exchange",
            gzip.compress(("grant_type=password&password=" + USER_SECRET).encode(), mtime=0),
            {"Content-Encoding": "gzip"},
            True,
            id="gzip-form-grant",
        ),
        pytest.param(
            "https://api.openai.com/v1/chat/completions",
            json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "grant_type client_secret"}]}),
            {"Content-Type": "application/json"},
            False,
            id="llm-request-untouched",
        ),
        pytest.param(
            "https://auth.example.test/exchange",
            "{not json, grant_type client_secret",
            {"Content-Type": "application/json"},
            False,
            id="broken-json-untouched",
        ),
        pytest.param(
            "https://upload.example.test/files",
            b"\x00\x01 binary upload",
            {},
            False,
            id="binary-untouched",
        ),
        pytest.param(
            "https://auth.example.test/exchange",
            "grant_type=client_credentials&scope=read",
            {},
            False,
            id="grant-without-secret-untouched",
        ),
    ],
)
def test_redact_request_blanks_credential_exchanges(
    uri: str, body: str | bytes, headers: dict[str, str], blanked: bool
) -> None:
    request = Request("POST", uri, body, headers)
    original = request.body

    result = redact_request(request)

    assert result is request
    assert result.body == (b"" if blanked else original)
    assert redact_request(result).body == result.body  # idempotent: vcrpy re-runs it to match


def test_redact_request_passes_none_and_bodyless_requests() -> None:
    get = Request("GET", "https://oauth2.googleapis.com/token", None, {})

    assert redact_request(None) is None
    assert redact_request(get).body is None


# ------------------------------------------------------------------ redact_response


def _response(body: bytes, **headers: list[str]) -> dict[str, Any]:
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {name.replace("_", "-"): value for name, value in headers.items()},
        "body": {"string": body},
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            (
                '{\n  "access_token": "' + GOOGLE_ACCESS_TOKEN + '",\n  "expires_in": 3599,\n'
                '  "refresh_token": "' + REFRESH_TOKEN + '", "id_token" : "' + ID_TOKEN + '"\n}'
            ).encode(),
            b'{\n  "access_token": "REDACTED",\n  "expires_in": 3599,\n'
            b'  "refresh_token": "REDACTED", "id_token" : "REDACTED"\n}',
            id="google-json-formatting-kept",
        ),
        pytest.param(
            (
                '{"roleCredentials": {"accessKeyId": "ASIA'
                + "NOTAREALKEY12345"
                + '", "secretAccessKey": "'
                + CLIENT_SECRET
                + '", "sessionToken": "'
                + REFRESH_TOKEN
                + '", "expiration": 1}}'
            ).encode(),
            b'{"roleCredentials": {"accessKeyId": "REDACTED", "secretAccessKey": "REDACTED", '
            b'"sessionToken": "REDACTED", "expiration": 1}}',
            id="aws-sso-camel-case",
        ),
        pytest.param(
            ("access_token=" + GOOGLE_ACCESS_TOKEN + "&scope=repo&token_type=bearer").encode(),
            b"access_token=REDACTED&scope=repo&token_type=bearer",
            id="form-encoded",
        ),
        pytest.param(
            (
                "<Credentials><AccessKeyId>ASIA" + "NOTAREALKEY12345</AccessKeyId>"
                "<SecretAccessKey>" + CLIENT_SECRET + "</SecretAccessKey>"
                "<SessionToken>" + REFRESH_TOKEN + "</SessionToken></Credentials>"
            ).encode(),
            b"<Credentials><AccessKeyId>REDACTED</AccessKeyId><SecretAccessKey>REDACTED</SecretAccessKey>"
            b"<SessionToken>REDACTED</SessionToken></Credentials>",
            id="aws-sts-xml",
        ),
        pytest.param(
            b'{"choices": [{"logprobs": {"content": [{"token": "Hi", "logprob": -0.1}]}}],'
            b' "usage": {"prompt_tokens": 5, "completion_tokens": 1}}',
            b'{"choices": [{"logprobs": {"content": [{"token": "Hi", "logprob": -0.1}]}}],'
            b' "usage": {"prompt_tokens": 5, "completion_tokens": 1}}',
            id="llm-response-untouched",
        ),
    ],
)
def test_redact_response_replaces_token_values_only(body: bytes, expected: bytes) -> None:
    response = _response(body, content_type=["application/json"])

    result = redact_response(response)

    assert result["body"]["string"] == expected
    assert result["headers"] == {"content-type": ["application/json"]}
    assert redact_response(result)["body"]["string"] == expected


def test_redact_response_decodes_gzip_it_redacts_and_drops_set_cookie() -> None:
    plain = ('{"access_token": "' + GOOGLE_ACCESS_TOKEN + '", "token_type": "Bearer"}').encode()
    response = _response(
        gzip.compress(plain, mtime=0),
        Content_Encoding=["gzip"],
        Content_Length=["99"],
        Set_Cookie=[SESSION_COOKIE],
        Server=["test"],
    )

    result = redact_response(response)

    expected = b'{"access_token": "REDACTED", "token_type": "Bearer"}'
    assert result["body"]["string"] == expected
    assert result["headers"] == {"Server": ["test"], "content-length": [str(len(expected))]}


def test_redact_response_passes_what_it_cannot_read() -> None:
    no_body: dict[str, Any] = {
        "status": {"code": 204, "message": "No Content"},
        "headers": None,
        "body": None,
    }

    assert redact_response(None) is None
    assert redact_response(no_body) == no_body


def test_redact_response_keeps_gzip_without_tokens_compressed() -> None:
    compressed = gzip.compress(b'{"usage": {"input_tokens": 3}}', mtime=0)
    response = _response(compressed, content_encoding=["gzip"])

    result = redact_response(response)

    assert result["body"]["string"] == compressed
    assert result["headers"] == {"content-encoding": ["gzip"]}


@pytest.mark.parametrize(
    "header",
    [
        "Ocp-Apim-Subscription-Key",  # Azure AI services, Bing search
        "X-Subscription-Token",  # Brave Search
        "cf-aig-authorization",  # Cloudflare AI Gateway
        "x-portkey-api-key",
        "Helicone-Auth",
    ],
)
def test_saving_drops_any_header_named_as_a_credential(header: str) -> None:
    secret = "0123456789abcdef" + "NotARealKey" + "fedcba9876543210"
    request = Request("GET", "https://api.search.example/v1/search?q=x", b"", {header: secret, "Accept": "*/*"})
    saved = redact_interactions(
        {"requests": [request], "responses": [{"status": {"code": 200}, "body": {"string": b""}}]}
    )
    (kept,) = saved["requests"]
    assert dict(kept.headers) == {"Accept": "*/*"}
    assert dict(request.headers)[header] == secret  # the live request is left alone


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Only the value changes; spacing and the other fields are kept byte for byte.
        (
            b'{"api_key":  "' + SEARCH_KEY.encode() + b'", "query": "api_key"}',
            b'{"api_key":  "REDACTED", "query": "api_key"}',
        ),
        (b'{"q": 1, "apiKey": "' + SEARCH_KEY.encode() + b'"}', b'{"q": 1, "apiKey": "REDACTED"}'),
        (b'{"access_token": "abc.def-123", "max_tokens": 5}', b'{"access_token": "REDACTED", "max_tokens": 5}'),
        # A key name written with an escape the pattern does not follow: the body is re-serialised.
        (b'{"api\\u005fkey": "' + SEARCH_KEY.encode() + b'"}', b'{"api_key": "REDACTED"}'),
    ],
)
def test_redact_body_credentials_replaces_the_value_only(body: bytes, expected: bytes) -> None:
    assert redact_body_credentials(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        # Nested fields are the prompt's, or a tool's arguments: not ours to change.
        b'{"messages": [{"role": "user", "content": "hi"}], "tool": {"api_key": "' + SEARCH_KEY.encode() + b'"}}',
        b'{"password": "two words"}',  # text with whitespace is not a key
        b'{"api_key": "REDACTED"}',
        b'{"api_key": 12345678}',
        b'{"max_tokens": 10, "stop_token": ""}',
        b'{"query": "q", "page_token": "CAoQAA", "nextPageToken": "Cg8Q", "continuation_token": "eyJwIjo"}',
        b'["api_key", "' + SEARCH_KEY.encode() + b'"]',
        b"api_key=" + SEARCH_KEY.encode(),
        b"",
    ],
)
def test_redact_body_credentials_leaves_other_bodies_alone(body: bytes) -> None:
    assert redact_body_credentials(body) is body


def test_body_unmatched_only_with_vcrpys_matchers_that_never_read_a_body() -> None:
    from vcr import matchers

    assert body_unmatched([matchers.method, matchers.uri])
    assert body_unmatched([matchers.method, matchers.scheme, matchers.host, matchers.port, matchers.path])
    assert body_unmatched([matchers.query, matchers.headers])
    assert not body_unmatched([matchers.method, matchers.uri, matchers.body])
    assert not body_unmatched([matchers.raw_body])
    assert not body_unmatched([matchers.method, lambda r1, r2: None])  # a custom matcher may read it


# ------------------------------------------------------------ recording for real


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, body: bytes, *, gzip_it: bool = False) -> None:
        if gzip_it:
            body = gzip.compress(body, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Set-Cookie", SESSION_COOKIE + "; Path=/; HttpOnly")
        # The account OpenAI and Anthropic echo back, which the request headers filtered out named.
        self.send_header("openai-organization", "acme-corp-prod")
        self.send_header("openai-project", "proj_AbC123dEf456")
        self.send_header("anthropic-organization-id", "0c8f7e2a-org")
        if gzip_it:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._send(b'{"candidates": [], "usageMetadata": {"promptTokenCount": 3}}')

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.startswith("/o/oauth2/token"):
            body = json.dumps({"access_token": GOOGLE_ACCESS_TOKEN, "expires_in": 3599})
            self._send(body.encode(), gzip_it=True)
        elif self.path.startswith("/exchange"):
            body = json.dumps({"refresh_token": REFRESH_TOKEN, "id_token": ID_TOKEN, "scope": "s"})
            self._send(body.encode())
        else:
            self._send(b'{"id": "msg_1", "usage": {"input_tokens": 5, "output_tokens": 2}}')


@pytest.fixture
def server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 (ephemeral port), for vcrpy to record."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _traffic(base: str) -> list[dict[str, Any]]:
    """Send the same four requests an agent test might make; return the parsed bodies."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    requests = [
        urllib.request.Request(
            base + "/v1beta/models/gemini-2.0-flash:generateContent?key=" + GOOGLE_KEY + "&session=s1",
            headers={"x-goog-api-key": GOOGLE_KEY},
        ),
        urllib.request.Request(
            base + "/v1/messages",
            data=b'{"model": "claude-sonnet-4-5", "max_tokens": 8}',
            headers={
                "Content-Type": "application/json",
                "X-Api-Key": ANTHROPIC_KEY,
                "Authorization": "Bearer " + OPENAI_KEY,
                "X-Trace-Secret": USER_SECRET,
                "Cookie": SESSION_COOKIE,
            },
        ),
        urllib.request.Request(
            base + "/o/oauth2/token",
            data=("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + ASSERTION).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        urllib.request.Request(
            base + "/exchange",
            data=(
                "grant_type=refresh_token&refresh_token=" + REFRESH_TOKEN + "&client_secret=" + CLIENT_SECRET
            ).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
    ]
    bodies = []
    for request in requests:
        with opener.open(request, timeout=10) as response:
            raw = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                raw = gzip.decompress(raw)
            bodies.append(json.loads(raw))
    return bodies


USER_CONFIG: dict[str, Any] = {
    "filter_headers": [("X-Trace-Secret", "user-replacement")],
    "filter_query_parameters": [("session", "user-session")],
    "before_record_request": _user_request_hook,
    "before_record_response": [_user_response_hook],
    # Body matching proves our request hook is deterministic: vcrpy runs it on
    # live requests too, and they must still match the recorded (blanked) ones.
    "match_on": ("method", "scheme", "host", "port", "path", "query", "body"),
}


@pytest.mark.parametrize("serializer", ["yaml", "json"])
def test_recorded_cassette_holds_no_planted_secret(server: str, tmp_path: Path, serializer: str) -> None:
    cassette = tmp_path / f"agent.{serializer}"
    merged = merge_vcr_config(USER_CONFIG)

    with vcr.VCR(**merged, serializer=serializer).use_cassette(str(cassette)) as recorded:
        live = _traffic(server)
    text = cassette.read_bytes().decode("utf-8")

    assert len(recorded) == 4
    assert [secret for secret in PLANTED if secret in text] == []
    # The user's own filters and hooks still applied, with their replacements.
    assert "user-replacement" in text
    assert "session=user-session" in text
    assert text.count("X-User-Hook") == 4
    assert text.count("X-User-Response-Hook") == 4
    assert "Set-Cookie" not in text
    assert [name for name in ("acme-corp-prod", "proj_AbC123dEf456", "0c8f7e2a-org") if name in text] == []
    assert "generateContent?session=user-session" in text
    assert scan_cassette(cassette) == []
    assert live[2]["access_token"] == GOOGLE_ACCESS_TOKEN  # the live client saw real values

    with vcr.VCR(**merged, serializer=serializer, record_mode="none").use_cassette(str(cassette)) as played:
        replayed = _traffic(server)

    assert played.play_count == 4
    assert replayed == [
        live[0],
        live[1],
        {"access_token": REDACTED, "expires_in": 3599},
        {"refresh_token": REDACTED, "id_token": REDACTED, "scope": "s"},
    ]


def _search(base: str) -> bytes:
    """A search tool that takes its key in the JSON body, as Tavily's API did."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    body = json.dumps({"api_key": SEARCH_KEY, "query": "weather in Paris", "max_results": 3}).encode()
    request = urllib.request.Request(base + "/search", data=body, headers={"Content-Type": "application/json"})
    with opener.open(request, timeout=10) as response:
        return bytes(response.read())


@pytest.mark.parametrize("match_body", [False, True])
def test_saving_redacts_a_key_in_a_json_body_unless_replays_match_on_the_body(
    server: str, tmp_path: Path, match_body: bool
) -> None:
    cassette = tmp_path / "search.yaml"
    options: dict[str, Any] = {"match_on": ("method", "uri", "body")} if match_body else {}
    recorder = Recorder(lambda current, recorded, path: CallRecord(kind="tool", host=current.host, status=200))
    recorder.install()
    try:
        with vcr.VCR(**options).use_cassette(str(cassette)):
            live = _search(server)
    finally:
        recorder.uninstall()

    stored = vcr.serializers.yamlserializer.deserialize(cassette.read_text())["interactions"][0]["request"]["body"]
    if match_body:
        # Redacting would break every replay: vcrpy compares the body sent with the one stored.
        assert SEARCH_KEY in stored
        assert [finding.kind for finding in scan_cassette(cassette)] != []
    else:
        assert stored == json.dumps({"api_key": REDACTED, "query": "weather in Paris", "max_results": 3})
        assert scan_cassette(cassette) == []
    # A replay without the plugin (plain vcrpy) still matches the recording.
    with vcr.VCR(**options, record_mode="none").use_cassette(str(cassette)) as played:
        assert _search(server) == live
    assert played.play_count == 1


_FIELD_NAMES = st.sampled_from(["api_key", "apiKey", "token", "query", "q", "password", "max_tokens", 'a"b', "\u00e9"])
_VALUES = st.one_of(st.text(max_size=12), st.integers(), st.none(), st.lists(st.text(max_size=4), max_size=2))


@settings(max_examples=300, deadline=None)
@given(data=st.dictionaries(_FIELD_NAMES, _VALUES, max_size=6), indent=st.sampled_from([None, 2]))
def test_redact_body_credentials_changes_exactly_the_credential_values(data: dict[str, Any], indent: Any) -> None:
    body = json.dumps(data, indent=indent, ensure_ascii=bool(indent)).encode()
    redacted = json.loads(redact_body_credentials(body))
    credential = {"api_key", "apiKey", "token", "password"}
    expected = {
        key: REDACTED
        if key in credential and isinstance(value, str) and value and not any(c.isspace() for c in value)
        else value
        for key, value in data.items()
    }
    assert redacted == expected


def test_the_matching_filter_keeps_out_keys_and_keeps_the_users_own_stand_ins() -> None:
    from vcr.filters import replace_query_parameters

    from pytest_agentcost.redact import credential_query, matching_filter

    def users_filter(request: Any) -> Any:  # vcr_config: filter_query_parameters=[("key", "DUMMY")], Gemini only
        if request.host != "generativelanguage.googleapis.com":
            return request
        return replace_query_parameters(request, [("key", "DUMMY")])

    kept_out: set[str] = set()
    theirs: set[tuple[str, str]] = set()
    kept = matching_filter(users_filter, kept_out, theirs)
    gemini = "https://generativelanguage.googleapis.com/v1beta/models/g:generateContent?key="
    live = kept(Request("GET", gemini + GOOGLE_KEY + "&api_key=" + SEARCH_KEY, b"", {}))
    assert sorted(live.query) == [("key", "DUMMY")]
    assert (kept_out, theirs) == ({"api_key"}, {("key", "DUMMY")})
    # Read back from disk the next session (a new filter, loading), the stand-in matches the live request.
    stored = matching_filter(users_filter, set(), set(), lambda: True)(Request("GET", gemini + "DUMMY", b"", {}))
    assert sorted(stored.query) == sorted(live.query)
    # A hook that only tidies the URI (lower-cases, unquotes) changes the key into no stand-in: it goes.
    tidy = matching_filter(lambda r: Request(r.method, r.uri.lower(), r.body, r.headers), set(), set())
    assert tidy(Request("GET", gemini + GOOGLE_KEY, b"", {})).query == []
    # A live request that carries a stand-in-looking key the user's filter left alone: it goes too.
    assert kept(Request("GET", "https://maps.googleapis.com/g?key=test_dHar4XY7k3Q9bWsVmE2pLnC6", b"", {})).query == []
    # Another host the user's filter leaves alone: its real key goes, at match and at save.
    maps = kept(Request("GET", "https://maps.googleapis.com/geocode/json?address=Paris&key=" + GOOGLE_KEY, b"", {}))
    assert sorted(maps.query) == [("address", "Paris")]
    assert credential_query(Request("GET", gemini + GOOGLE_KEY, b"", {}), theirs) == ["key"]
    assert credential_query(Request("GET", gemini + "DUMMY&api_key=" + SEARCH_KEY, b"", {}), theirs) == ["api_key"]
    # A value that looks like a stand-in is no reason to keep it.
    assert credential_query(Request("GET", gemini + "EXAMPLE_TOKEN_VALUE", b"", {})) == ["key"]
    # No credential in the URI: the request is the user's filter's, untouched.
    plain = Request("GET", "https://api.openai.com/v1/models?limit=2", b"", {})
    assert kept(plain) is plain


def test_a_hook_that_keeps_one_request_per_path_keeps_no_key() -> None:
    # A user's hook that keeps one request per path (polling repeats dropped) leaves the key as sent.
    from pytest_agentcost.redact import matching_filter

    seen: set[str] = set()

    def once_per_path(request: Any) -> Any:
        if request.path in seen:
            return None
        seen.add(request.path)
        return request

    theirs: set[tuple[str, str]] = set()
    kept = matching_filter(once_per_path, set(), theirs)
    first = kept(Request("GET", "https://generativelanguage.googleapis.com/v1/m?key=" + GOOGLE_KEY, b"", {}))
    assert first.query == []
    assert theirs == set()


def test_a_failed_save_raises_its_own_error_and_warns_of_nothing(tmp_path: Path) -> None:
    # The RedactionWarning comes after a successful save; a save that fails shows its own error.
    import warnings

    from vcr.cassette import Cassette
    from vcr.persisters.filesystem import CassetteNotFoundError

    from pytest_agentcost.errors import RedactionWarning

    class BrokenPersister:
        @staticmethod
        def load_cassette(path: Any, serializer: Any) -> Any:
            raise CassetteNotFoundError()

        @staticmethod
        def save_cassette(path: Any, data: Any, serializer: Any) -> None:
            raise OSError("disk full")

    recorder = Recorder(lambda current, recorded, path: None)
    recorder.install()
    try:
        cassette = Cassette.load(path=str(tmp_path / "c.yaml"), persister=BrokenPersister, record_mode="all")
        response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": b"{}"}}
        cassette.append(Request("GET", "https://api.search.example/q?api_key=" + SEARCH_KEY, b"", {}), response)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(OSError, match="disk full"):
                cassette._save(force=True)
        assert not [w for w in caught if issubclass(w.category, RedactionWarning)]
        cassette._persister = type("Fine", (), {"save_cassette": staticmethod(lambda *a, **k: None)})
        with pytest.warns(RedactionWarning, match="'api_key'"):
            cassette._save(force=True)
    finally:
        recorder.uninstall()
