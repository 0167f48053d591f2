"""The cassette secret scanner, on cassettes written with vcrpy's own serializers.

Planted credentials are built by concatenation, so this file holds no
key-shaped literal; each carries NotAReal... so nobody mistakes it for a key.
"""

from __future__ import annotations

import base64
import gzip
import json
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import jsonserializer, yamlserializer

from pytest_agentcost.scan import (
    Finding,
    UnreadableCassetteError,
    format_findings,
    is_placeholder,
    main,
    mask,
    scan_cassette,
    scan_paths,
    shannon_entropy,
)

if TYPE_CHECKING:
    from pathlib import Path

OPENAI_KEY = "sk-" + "proj-" + "NotARealKey" + "ForUnitTests" + "0123456789" + "abcdefXYZ"
OPENAI_SVC_KEY = "sk-" + "svcacct-" + "NotARealKey_" + "ForUnitTests-" + "0123456789"
ANTHROPIC_KEY = "sk-" + "ant-" + "api03-" + "NotARealKey" + "ForUnitTests" + "0123456789" * 4 + "AA"
ANTHROPIC_ADMIN_KEY = "sk-" + "ant-" + "admin01-" + "NotARealAdminKey" + "0123456789" * 3 + "AA"
GOOGLE_KEY = "AI" + "za" + "SyNotARealKey" + "ForUnitTests" + "0123456789"
AWS_KEY_ID = "AK" + "IA" + "NOTAREALKEY12345"
AWS_SECRET = "NotARealSecret" + "0123456789" + "abcdefghij" + "KLMNOP"
GITHUB_TOKEN = "gh" + "p_" + "NotARealToken" + "ForUnitTests" + "0123456789" + "Z"
GOOGLE_ACCESS_TOKEN = "ya" + "29." + "NotARealAccessToken" + "0123456789abcdef"
JWT = (
    base64.urlsafe_b64encode(b'{"alg":"RS256","typ":"JWT"}').decode().rstrip("=")
    + "."
    + base64.urlsafe_b64encode(b'{"sub":"not-a-real-user","iat":1}').decode().rstrip("=")
    + "."
    + "NotARealSignature0123456789"
)
OPAQUE_TOKEN = "NotARealOpaque" + "Token0123456789" + "qwertyZ"
AZURE_KEY = "9f8e7d6c5b4a" + "NotARealAzureKey" + "0123"
BASIC = base64.b64encode(b"svc-user:" + b"NotARealPassword" + b"0123").decode()
PASSWORD = "NotAReal" + "Passw0rd" + "4321"
# A random 32-digit hex key, as Azure and many tool APIs issue: 3.3 bits a character, under 3.5.
HEX_KEY = "a4c123b1612dd272" + "d1371c17149d4395"
# A key in UUID form, as some tool APIs issue: 3.4 bits a character, its dashes part of the alphabet.
UUID_KEY = "3c3a30f4-7c12-" + "3c50-a303-f99217331a52"
SLACK_TOKEN = "xo" + "xb-" + "1234567890-" + "1234567890123-" + "NotARealSlackToken012345"
PRIVATE_KEY = (
    "-----BEGIN " + "PRIVATE KEY-----\n" + "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7NotARealKey\n"
    "q1w2e3r4t5y6u7i8o9p0AaSsDdFfGgHhJjKkLlZzXxCcVvBbNnMm" + "NotARealKey0123"
)

PLANTED = (
    OPENAI_KEY,
    OPENAI_SVC_KEY,
    ANTHROPIC_KEY,
    ANTHROPIC_ADMIN_KEY,
    GOOGLE_KEY,
    AWS_KEY_ID,
    AWS_SECRET,
    GITHUB_TOKEN,
    GOOGLE_ACCESS_TOKEN,
    JWT,
    OPAQUE_TOKEN,
    AZURE_KEY,
    BASIC,
    PASSWORD,
    HEX_KEY,
    UUID_KEY,
    SLACK_TOKEN,
    PRIVATE_KEY,
)

LLM_BODY = b'{"id": "msg_1", "usage": {"input_tokens": 12, "output_tokens": 3}}'
# What a real OpenAI response carries: Cloudflare cookies, ids, rate-limit counters.
REAL_RESPONSE_HEADERS = {
    "Content-Type": ["application/json"],
    "openai-organization": ["user-abc123"],
    "openai-processing-ms": ["412"],
    "x-ratelimit-remaining-tokens": ["149984"],
    "x-request-id": ["req_8f2a6c0d1e3b4a5f9c7d2e1f0a9b8c7d"],
    "Set-Cookie": ["__cf_bm=Zq3xY7pL0aB9cD1eF2gH3iJ4kL5mN6oP7qR8sT9uV0w-1700000000-1.0.1.1; path=/; HttpOnly"],
}


def _interaction(
    *,
    method: str = "POST",
    uri: str = "https://api.example.test/v1/messages",
    body: bytes | str | None = b'{"model": "m"}',
    headers: dict[str, Any] | None = None,
    response_body: bytes = LLM_BODY,
    response_headers: dict[str, list[str]] | None = None,
) -> tuple[Request, dict[str, Any]]:
    request = Request(method, uri, body, headers or {"Content-Type": "application/json"})
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": response_headers or {"Content-Type": ["application/json"]},
        "body": {"string": response_body},
    }
    return request, response


def _write(path: Path, *interactions: tuple[Request, dict[str, Any]]) -> Path:
    """Write a cassette exactly as vcrpy would, with the serializer its suffix names."""
    serializer = jsonserializer if path.suffix == ".json" else yamlserializer
    data = {"requests": [r for r, _ in interactions], "responses": [r for _, r in interactions]}
    path.write_text(serialize(data, serializer), encoding="utf-8")
    return path


def _rows(findings: list[Finding]) -> list[tuple[int, str, str, str]]:
    return [(f.interaction, f.location, f.kind, f.masked) for f in findings]


CASES = [
    pytest.param(
        {"headers": {"Authorization": "Bearer " + OPENAI_KEY}},
        [(0, "request.headers.authorization", "openai-api-key", "sk-pr…fXYZ")],
        id="openai-bearer-header",
    ),
    pytest.param(
        {"headers": {"authorization": "Bearer " + OPENAI_SVC_KEY}},
        [(0, "request.headers.authorization", "openai-api-key", "sk-sv…6789")],
        id="openai-service-account",
    ),
    pytest.param(
        {"headers": {"Authorization": "Bearer sk-or-v1-" + "0f1e2d3c4b5a6978" * 4}},
        [(0, "request.headers.authorization", "openrouter-api-key", "sk-or…6978")],
        id="openrouter-bearer-header",
    ),
    pytest.param(
        {"headers": {"x-api-key": ANTHROPIC_KEY}},
        [(0, "request.headers.x-api-key", "anthropic-api-key", "sk-an…89AA")],
        id="anthropic-x-api-key",
    ),
    pytest.param(
        {"headers": {"X-Api-Key": ANTHROPIC_ADMIN_KEY}},
        [(0, "request.headers.x-api-key", "anthropic-api-key", "sk-an…89AA")],
        id="anthropic-admin-key",
    ),
    pytest.param(
        {
            "method": "GET",
            "body": None,
            "uri": "https://generativelanguage.googleapis.com/v1beta/models"
            "/gemini-2.0-flash:generateContent?alt=sse&key=" + GOOGLE_KEY,
        },
        [(0, "request.uri?key", "google-api-key", "AIzaS…6789")],
        id="gemini-query-key",
    ),
    pytest.param(
        {"headers": {"x-goog-api-key": GOOGLE_KEY}},
        [(0, "request.headers.x-goog-api-key", "google-api-key", "AIzaS…6789")],
        id="gemini-header-key",
    ),
    pytest.param(
        {"body": json.dumps({"aws_access_key_id": AWS_KEY_ID, "aws_secret_access_key": AWS_SECRET})},
        [
            (0, "request.body", "aws-access-key-id", "AKIAN…2345"),
            (0, "request.body", "aws-secret", "NotAR…MNOP"),
        ],
        id="aws-keys-in-request-body",
    ),
    pytest.param(
        {
            "headers": {
                "Authorization": "AWS4-HMAC-SHA256 Credential=" + AWS_KEY_ID + "/20250101/us-east-1/"
                "bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "ab12" * 16
            }
        },
        [(0, "request.headers.authorization", "aws-access-key-id", "AKIAN…2345")],
        id="aws-sigv4-header",
    ),
    pytest.param(
        {"response_body": json.dumps({"token": GITHUB_TOKEN, "expires_at": "2030-01-01"}).encode()},
        [(0, "response.body", "github-token", "ghp_N…789Z")],
        id="github-token-in-response",
    ),
    pytest.param(
        {"response_body": json.dumps({"id_token": JWT, "token_type": "Bearer"}).encode()},
        [(0, "response.body", "jwt", "eyJhb…6789")],
        id="jwt-in-response",
    ),
    pytest.param(
        {
            "response_body": gzip.compress(
                json.dumps({"access_token": GOOGLE_ACCESS_TOKEN, "expires_in": 3599}).encode(), mtime=0
            ),
            "response_headers": {"Content-Encoding": ["gzip"]},
        },
        [(0, "response.body", "google-oauth-token", "ya29.…cdef")],
        id="gzip-response-body",
    ),
    pytest.param(
        {"response_body": gzip.compress(b'{"echo": "' + OPENAI_KEY.encode() + b'"}', mtime=0)},
        [(0, "response.body", "openai-api-key", "sk-pr…fXYZ")],
        id="gzip-body-without-header",
    ),
    pytest.param(
        {"body": b"note: call it with Bearer " + OPAQUE_TOKEN.encode()},
        [(0, "request.body", "bearer-token", "NotAR…rtyZ")],
        id="generic-bearer-in-body",
    ),
    pytest.param(
        {"headers": {"api-key": AZURE_KEY}},
        [(0, "request.headers.api-key", "high-entropy-authorization", "9f8e7…0123")],
        id="azure-api-key-by-entropy",
    ),
    pytest.param(
        {"headers": {"x-api-key": HEX_KEY}},
        [(0, "request.headers.x-api-key", "high-entropy-authorization", "a4c12…4395")],
        id="hex-api-key-of-low-entropy",
    ),
    pytest.param(
        {"headers": {"x-api-key": UUID_KEY}},
        [(0, "request.headers.x-api-key", "high-entropy-authorization", "3c3a3…1a52")],
        id="uuid-api-key",
    ),
    pytest.param(
        {"headers": {"Ocp-Apim-Subscription-Key": HEX_KEY}},
        [(0, "request.headers.ocp-apim-subscription-key", "high-entropy-authorization", "a4c12…4395")],
        id="azure-subscription-key",
    ),
    pytest.param(
        {"method": "GET", "body": None, "uri": "https://api.weather.test/data/2.5/weather?q=Paris&appid=" + HEX_KEY},
        [(0, "request.uri?appid", "high-entropy-query-parameter", "a4c12…4395")],
        id="appid-query-parameter",
    ),
    pytest.param(
        {"body": json.dumps({"channel": "C0123", "text": "done", "token": SLACK_TOKEN})},
        [(0, "request.body", "slack-token", "xoxb-…2345")],
        id="slack-token-in-body",
    ),
    pytest.param(
        {"body": json.dumps({"type": "service_account", "private_key": PRIVATE_KEY + "\n-----END PRIVATE KEY-----\n"})},
        [(0, "request.body", "private-key", "-----…0123")],
        id="service-account-private-key",
    ),
    pytest.param(
        {"headers": {"Proxy-Authorization": "Basic " + BASIC}},
        [(0, "request.headers.proxy-authorization", "basic-auth", "c3ZjL…MjM=")],
        id="basic-auth",
    ),
    pytest.param(
        {"response_body": ("access_token=" + OPAQUE_TOKEN + "&scope=repo&token_type=bearer").encode()},
        [(0, "response.body", "credential-field", "NotAR…rtyZ")],
        id="form-credential-field",
    ),
    pytest.param(
        {"body": json.dumps({"username": "svc", "password": PASSWORD})},
        [(0, "request.body", "credential-field", "NotAR…4321")],
        id="json-password-field",
    ),
    pytest.param(
        {
            "response_body": (
                "<Credentials><AccessKeyId>" + AWS_KEY_ID.replace("AKIA", "ASIA") + "</AccessKeyId>"
                "<SecretAccessKey>" + AWS_SECRET + "</SecretAccessKey>"
                "<SessionToken>" + OPAQUE_TOKEN + "</SessionToken></Credentials>"
            ).encode()
        },
        [
            (0, "response.body", "aws-access-key-id", "ASIAN…2345"),
            (0, "response.body", "aws-secret", "NotAR…MNOP"),
            (0, "response.body", "credential-field", "NotAR…rtyZ"),
        ],
        id="aws-sts-xml",
    ),
    pytest.param(
        {"method": "GET", "body": None, "uri": "https://api.example.test/v1/keys/" + GOOGLE_KEY + "/usage"},
        [(0, "request.uri", "google-api-key", "AIzaS…6789")],
        id="key-in-uri-path",
    ),
    pytest.param(
        {"response_headers": {"X-Echo-Key": [OPENAI_KEY]}},
        [(0, "response.headers.x-echo-key", "openai-api-key", "sk-pr…fXYZ")],
        id="key-in-response-header",
    ),
    pytest.param(
        {"uri": "https://api.example.test/v1/files?access_token=" + OPAQUE_TOKEN + "&limit=5"},
        [(0, "request.uri?access_token", "high-entropy-query-parameter", "NotAR…rtyZ")],
        id="opaque-query-token",
    ),
]


@pytest.mark.parametrize(("interaction", "expected"), CASES)
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_scan_finds_planted_secret(
    tmp_path: Path, interaction: dict[str, Any], expected: list[tuple[int, str, str, str]], suffix: str
) -> None:
    if suffix == ".json" and interaction.get("response_body", b"")[:2] == b"\x1f\x8b":
        pytest.skip("vcrpy's JSON serializer cannot hold a binary body")
    cassette = _write(tmp_path / f"c{suffix}", _interaction(), _interaction(**interaction))

    findings = scan_cassette(cassette)

    assert _rows(findings) == [(1, *row[1:]) for row in expected]
    assert {f.path for f in findings} == {str(cassette)}
    rendered = format_findings(findings) + repr(findings)
    assert [secret for secret in PLANTED if secret in rendered] == []


def test_gzip_body_is_stored_as_yaml_binary(tmp_path: Path) -> None:
    body = gzip.compress(b'{"k": "' + OPENAI_KEY.encode() + b'"}', mtime=0)
    cassette = _write(
        tmp_path / "c.yaml", _interaction(response_body=body, response_headers={"Content-Encoding": ["gzip"]})
    )

    assert "!!binary" in cassette.read_text()
    assert _rows(scan_cassette(cassette)) == [(0, "response.body", "openai-api-key", "sk-pr…fXYZ")]


def test_the_start_every_rsa_key_shares_is_no_private_key(tmp_path: Path) -> None:
    # An LLM answer showing what a key file looks like, cut short: the first line of every
    # 2048-bit RSA key, then "...".
    example = (
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7...\n"
        "-----END PRIVATE KEY-----"
    )
    cassette = _write(tmp_path / "c.yaml", _interaction(response_body=json.dumps({"answer": example}).encode()))
    assert scan_cassette(cassette) == []


def _tool_argument_bodies(arguments: dict[str, str]) -> list[tuple[str, bytes]]:
    """A model's tool call with ``arguments`` in each shape that holds them as a JSON object."""
    claude = {"content": [{"type": "tool_use", "id": "toolu_01", "name": "secret_retrieval_tool", "input": arguments}]}
    converse = {"output": {"message": {"content": [{"toolUse": {"name": "login", "input": arguments}}]}}}
    gemini = {"candidates": [{"content": {"parts": [{"functionCall": {"name": "login", "args": arguments}}]}}]}
    event = {"candidates": [{"content": {"parts": [{"functionCall": {"name": "login", "args": arguments}}]}}]}
    server = {"content": [{"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": arguments}]}
    snake = {"candidates": [{"content": {"parts": [{"function_call": {"name": "login", "args": arguments}}]}}]}
    return [
        ("response", json.dumps(server).encode()),
        ("response", json.dumps(snake).encode()),
        ("response", json.dumps(claude).encode()),
        ("response", json.dumps(converse).encode()),
        ("response", json.dumps(gemini).encode()),
        ("response", f"data: {json.dumps(event)}\r\n\r\n".encode()),  # Gemini's alt=sse stream
        # The conversation sent back with the next request holds the call again.
        ("request", json.dumps({"messages": [{"role": "assistant", **claude}]}).encode()),
    ]


@pytest.mark.parametrize(("where", "body"), _tool_argument_bodies({"password": "radiance", "api_key": PASSWORD}))
def test_a_models_tool_arguments_are_no_labelled_credentials(tmp_path: Path, where: str, body: bytes) -> None:
    # Sweep 18: Mirascope's demo tool takes a `password`; Claude's call gave "radiance", flagged
    # as a credential in a Bedrock answer (an OpenAI answer's escaped arguments never were).
    part = {"response_body": body} if where == "response" else {"body": body.decode()}
    assert scan_cassette(_write(tmp_path / "c.yaml", _interaction(**part))) == []


@pytest.mark.parametrize(("where", "body"), _tool_argument_bodies({"key": OPENAI_KEY}))
def test_a_key_of_a_known_format_in_tool_arguments_is_still_found(tmp_path: Path, where: str, body: bytes) -> None:
    part = {"response_body": body} if where == "response" else {"body": body.decode()}
    rows = _rows(scan_cassette(_write(tmp_path / "c.yaml", _interaction(**part))))
    assert rows == [(0, f"{where}.body", "openai-api-key", "sk-pr…fXYZ")]


def test_labelled_fields_beside_tool_arguments_are_still_found(tmp_path: Path) -> None:
    # An OAuth answer is no tool call; and a field outside the call's arguments is looked at.
    body = {"access_token": OPAQUE_TOKEN, "content": [{"type": "tool_use", "input": {"password": "radiance"}}]}
    rows = _rows(scan_cassette(_write(tmp_path / "c.yaml", _interaction(response_body=json.dumps(body).encode()))))
    assert rows == [(0, "response.body", "credential-field", "NotAR…rtyZ")]


def test_a_body_nested_too_deep_to_walk_is_scanned_as_it_is(tmp_path: Path) -> None:
    # Review 42: walking the tool arguments of a body nested thousands deep raised RecursionError.
    body = '{"args": ' * 5000 + json.dumps({"password": PASSWORD}) + "}" * 5000
    rows = _rows(scan_cassette(_write(tmp_path / "c.yaml", _interaction(response_body=body.encode()))))
    assert rows == [(0, "response.body", "credential-field", "NotAR…4321")]


PLACEHOLDERS = [
    pytest.param({"Authorization": "Bearer <filtered>"}, id="filtered"),
    pytest.param({"Authorization": "REDACTED"}, id="redacted"),
    pytest.param({"x-api-key": "DUMMY"}, id="dummy"),
    pytest.param({"Authorization": "Bearer " + "sk-" + "test-" + "0123456789abcdefghij"}, id="sk-test"),
    pytest.param({"x-api-key": "fake-" + "key-0123456789abcdefQRST"}, id="fake"),
    pytest.param({"api-key": "x" * 40}, id="xxx"),
    pytest.param({"Authorization": "Bearer XXXX"}, id="user-XXXX"),
    pytest.param({"Authorization": "Bearer " + "sk-" + "proj-" + "your-api-key-here-0123456789"}, id="your-api-key"),
    pytest.param({"x-amz-security-token": "AK" + "IA" + "IOSFODNN7" + "EXAMPLE"}, id="aws-docs-example"),
    pytest.param({"x-api-key": "${ANTHROPIC_API_KEY}"}, id="env-template"),
]


@pytest.mark.parametrize("headers", PLACEHOLDERS)
def test_placeholders_are_not_reported(tmp_path: Path, headers: dict[str, str]) -> None:
    cassette = _write(tmp_path / "c.yaml", _interaction(headers=headers))

    assert scan_cassette(cassette) == []


def test_real_looking_clean_interaction_is_not_reported(tmp_path: Path) -> None:
    cassette = _write(
        tmp_path / "c.yaml",
        _interaction(
            uri="https://api.openai.com/v1/chat/completions?api-version=2024-06-01",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "OpenAI/Python 1.54.0",
                "x-stainless-retry-count": "0",
                "openai-project": "proj_abc123",
            },
            body=json.dumps(
                {
                    "model": "gpt-4o",
                    "messages": [{"role": "user", "content": "use sk-learn-style-preprocessing-pipeline"}],
                }
            ),
            response_body=json.dumps(
                {
                    "id": "chatcmpl-AbCdEf0123456789",
                    "choices": [{"logprobs": {"content": [{"token": "Hi", "logprob": -0.01}]}}],
                    "system_fingerprint": "fp_0123456789",
                    "usage": {"prompt_tokens": 12, "completion_tokens": 1},
                }
            ).encode(),
            response_headers=REAL_RESPONSE_HEADERS,
        ),
    )

    assert scan_cassette(cassette) == []


def test_every_value_of_a_repeated_header_is_scanned(tmp_path: Path) -> None:
    # vcrpy's Request keeps only the first value; the raw data keeps both.
    cassette = tmp_path / "c.yaml"
    cassette.write_text(
        "interactions:\n"
        "- request:\n"
        "    body: null\n"
        "    headers:\n"
        "      authorization:\n"
        "      - REDACTED\n"
        f"      - Bearer {OPENAI_KEY}\n"
        "    method: GET\n"
        "    uri: https://api.openai.com/v1/models\n"
        "  response:\n"
        "    body: {string: ''}\n"
        "    headers: {}\n"
        "    status: {code: 200, message: OK}\n"
        "version: 1\n",
        encoding="utf-8",
    )

    assert _rows(scan_cassette(cassette)) == [(0, "request.headers.authorization", "openai-api-key", "sk-pr…fXYZ")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("interactions: [\n  - {", "not a readable cassette: ", id="bad-yaml"),
        pytest.param("", "empty file", id="empty"),
        pytest.param("interactions:\n- response: {}\n", "not a readable cassette: KeyError: 'request'", id="bad-shape"),
        pytest.param("- request: {}\n", "not a readable cassette: ValueError: Your cassette files", id="old-format"),
        pytest.param("name: not-a-cassette\n", "not a vcrpy cassette (no 'interactions')", id="other-yaml"),
    ],
)
def test_unreadable_cassette_raises_one_line_error(tmp_path: Path, content: str, message: str) -> None:
    cassette = tmp_path / "c.yaml"
    cassette.write_text(content, encoding="utf-8")

    with pytest.raises(UnreadableCassetteError) as info:
        scan_cassette(cassette)

    assert str(info.value).startswith(f"{cassette}: {message}")
    assert "\n" not in str(info.value)


def test_a_json_cassette_nested_too_deeply_is_one_line_error(tmp_path: Path) -> None:
    # Hardening: json.loads raised RecursionError through the scan, a traceback from the CLI.
    cassette = tmp_path / "deep.json"
    cassette.write_text('{"interactions": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(UnreadableCassetteError) as info:
        scan_cassette(cassette)
    assert str(info.value) == f"{cassette}: nested too deeply to read"


def test_non_utf8_file_and_named_non_cassette_are_errors(tmp_path: Path) -> None:
    binary = tmp_path / "c.yaml"
    binary.write_bytes(b"\xff\xfe\x00binary")
    other = tmp_path / "package.json"
    other.write_text('{"name": "pkg"}', encoding="utf-8")
    errors: list[UnreadableCassetteError] = []

    assert scan_paths([binary, other], on_error=errors.append) == []
    assert [str(e) for e in errors] == [
        f"{binary}: not UTF-8 text",
        f"{other}: not a vcrpy cassette (no 'interactions')",
    ]


def test_scan_paths_walks_directories_and_reports_errors(tmp_path: Path) -> None:
    cassettes = tmp_path / "cassettes"
    (cassettes / "nested").mkdir(parents=True)
    (cassettes / ".hidden").mkdir()
    _write(cassettes / "b.yaml", _interaction(headers={"x-api-key": ANTHROPIC_KEY}))
    _write(cassettes / "nested" / "a.yml", _interaction(headers={"x-goog-api-key": GOOGLE_KEY}))
    _write(cassettes / "nested" / "c.json", _interaction(headers={"Authorization": "Bearer " + OPENAI_KEY}))
    _write(cassettes / ".hidden" / "d.yaml", _interaction(headers={"x-api-key": ANTHROPIC_KEY}))
    (cassettes / "notes.txt").write_text("x-api-key: " + ANTHROPIC_KEY, encoding="utf-8")
    (cassettes / "package.json").write_text('{"name": "not-a-cassette"}', encoding="utf-8")
    (cassettes / "broken.yaml").write_text("interactions: [\n  - {", encoding="utf-8")
    errors: list[UnreadableCassetteError] = []

    findings = scan_paths([cassettes], on_error=errors.append)

    assert [(f.path, f.kind) for f in findings] == [
        (str(cassettes / "b.yaml"), "anthropic-api-key"),
        (str(cassettes / "nested" / "a.yml"), "google-api-key"),
        (str(cassettes / "nested" / "c.json"), "openai-api-key"),
    ]
    assert [str(e).split(":")[0] for e in errors] == [str(cassettes / "broken.yaml")]
    with pytest.raises(UnreadableCassetteError, match=r"broken\.yaml"):
        scan_paths([cassettes])


def test_parsed_body_cassettes_are_read_as_their_serializer_reads_them(tmp_path: Path) -> None:
    # pydantic-ai's serializer (and its copies) stores JSON bodies as a YAML mapping, parsed_body,
    # and pytest-recording names the file after the serializer it is registered as.
    cassettes = tmp_path / "cassettes"
    cassettes.mkdir()
    data = {
        "interactions": [
            {
                "request": {
                    "method": "POST",
                    "uri": "https://api.anthropic.com/v1/messages",
                    "headers": {"x-api-key": [ANTHROPIC_KEY]},
                    "parsed_body": {"model": "claude-sonnet-4-5", "metadata": {"note": OPENAI_KEY}},
                },
                "response": {
                    "status": {"code": 200, "message": "OK"},
                    "headers": {"content-type": ["application/json"]},
                    "parsed_body": {"id": "msg_1", "usage": {"input_tokens": 3, "output_tokens": 1}},
                },
            }
        ],
        "version": 1,
    }
    (cassettes / "test_refund.pai_yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    # Data files whose suffix only ends like one are not cassettes: not read, not errors.
    (cassettes / "events.ndjson").write_text('{"a": 1}\n{"a": 2}\n', encoding="utf-8")
    (cassettes / "config.hjson").write_text("{ a: 1 }\n", encoding="utf-8")
    findings = scan_paths([cassettes])
    assert [(f.path, f.location, f.kind) for f in findings] == [
        (str(cassettes / "test_refund.pai_yaml"), "request.headers.x-api-key", "anthropic-api-key"),
        (str(cassettes / "test_refund.pai_yaml"), "request.body", "openai-api-key"),
    ]


def test_format_findings_and_round_trip() -> None:
    findings = [
        Finding("cassettes/a.yaml", 0, "request.headers.authorization", "openai-api-key", "sk-pr…9f2c"),
        Finding("cassettes/a.yaml", 3, "request.uri?key", "google-api-key", "AIzaS…Qe1x"),
    ]

    assert format_findings(findings) == (
        "cassettes/a.yaml:interaction 0: request.headers.authorization: openai-api-key sk-pr…9f2c\n"
        "cassettes/a.yaml:interaction 3: request.uri?key: google-api-key AIzaS…Qe1x"
    )
    assert format_findings([]) == ""
    assert [Finding.from_dict(f.to_dict()) for f in findings] == findings


@pytest.mark.parametrize(
    ("value", "masked"),
    [("sk-" + "proj-0123456789abcdef9f2c", "sk-pr…9f2c"), ("0123456789ab", "01…ab"), ("short", "…")],
)
def test_mask_never_shows_the_whole_value(value: str, masked: str) -> None:
    assert mask(value) == masked


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", 0.0), ("aaaa", 0.0), ("abab", 1.0), ("abcd", 2.0), ("0123456789abcdef", 4.0)],
)
def test_shannon_entropy(value: str, expected: float) -> None:
    assert shannon_entropy(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("REDACTED", True),
        ("<filtered>", True),
        ("dummy-key", True),
        ("XXXX", True),
        ("sk-test-abc", True),
        # chatlas's scrubbed AWS SSO answer, and a template's names for what goes there
        ("SCRUBBED_ACCESS_KEY_ID", True),
        ("SCRUBBED_SESSION_TOKEN", True),
        ("scrubbed-session-token-0123", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("AKIA" + "QNOTAREALKEY0123", False),  # an AWS key id is capitals and digits, no underscore
        ("ABCDEFGHIJKLMNOP", False),
        ("Abc_DEF_ghi", False),
        (OPENAI_KEY, False),
        (AZURE_KEY, False),
    ],
)
def test_is_placeholder(value: str, expected: bool) -> None:
    assert is_placeholder(value) is expected


# -------------------------------------------------------------------------- CLI


def test_main_exit_codes_and_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = _write(tmp_path / "clean.yaml", _interaction())
    leaky = _write(tmp_path / "leaky.yaml", _interaction(headers={"x-api-key": ANTHROPIC_KEY}))
    broken = tmp_path / "broken.json"
    broken.write_text('{"interactions": [', encoding="utf-8")

    assert main([str(clean)]) == 0
    out, err = capsys.readouterr()
    assert (out, err) == ("", "agentcost scan: no secrets found in 1 file(s)\n")

    assert main([str(clean), str(leaky)]) == 1
    out, err = capsys.readouterr()
    assert out == f"{leaky}:interaction 0: request.headers.x-api-key: anthropic-api-key sk-an…89AA\n"
    assert err == "agentcost scan: 1 possible secret(s) in 1 of 2 file(s)\n"

    assert main([str(broken), str(leaky)]) == 2
    out, err = capsys.readouterr()
    assert out == f"{leaky}:interaction 0: request.headers.x-api-key: anthropic-api-key sk-an…89AA\n"
    assert err.splitlines() == [
        f"agentcost scan: error: {broken}: not a readable cassette: "
        "JSONDecodeError: Expecting value: line 1 column 19 (char 18)",
        "agentcost scan: 1 possible secret(s) in 1 of 2 file(s)",
    ]
    assert ANTHROPIC_KEY not in out + err


def test_main_says_which_files_of_a_directory_are_no_cassettes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "clean.yaml", _interaction())
    (tmp_path / "notes.json").write_text(json.dumps({"api_key": OPENAI_KEY}), encoding="utf-8")
    assert main([str(tmp_path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"agentcost scan: skipped 1 JSON/YAML file(s) that are not vcrpy cassettes: {tmp_path / 'notes.json'}",
        "agentcost scan: no secrets found in 1 file(s)",
    ]


def test_main_says_when_a_directory_holds_no_cassette_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A serializer of its own suffix (pytest-recording names files after it): nothing was read,
    # which is not "no secrets found in 0 file(s)".
    _write(tmp_path / "c.json", _interaction(headers={"x-api-key": ANTHROPIC_KEY})).rename(tmp_path / "c.teamjson")
    assert main([str(tmp_path)]) == 0
    assert capsys.readouterr().err == (
        "agentcost scan: no cassette file found (*.yaml, *.yml, *.json, *.<serializer>_yaml, *.<serializer>-json); "
        "name a cassette of another suffix to scan it\n"
    )
    assert main([str(tmp_path / "c.teamjson")]) == 1


def test_main_says_how_many_files_it_read_when_some_could_not_be(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = _write(tmp_path / "clean.yaml", _interaction())
    broken = tmp_path / "broken.yaml"
    broken.write_text("interactions: [\n  - {", encoding="utf-8")
    assert main([str(clean), str(broken)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"agentcost scan: error: {broken}: not a readable cassette: ")
    assert err[1:] == ["agentcost scan: no secrets found in the 1 of 2 file(s) it could read"]


def test_main_missing_path_is_an_error_not_a_scanned_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nonexistent"
    assert main([str(missing)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"agentcost scan: error: {missing}: cannot read: No such file or directory\n")

    clean = _write(tmp_path / "clean.yaml", _interaction())
    assert main([str(missing), str(clean)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"agentcost scan: error: {missing}: cannot read: No such file or directory",
        "agentcost scan: no secrets found in 1 file(s)",
    ]


@pytest.mark.parametrize(
    ("argv", "stderr_start"),
    [
        pytest.param([], "agentcost scan: error: the following arguments are required: PATH", id="no-path"),
        pytest.param(["--bogus", "x"], "agentcost scan: error: unrecognized arguments: --bogus", id="bad-flag"),
        pytest.param(["no/such/dir"], "agentcost scan: error: no/such/dir: cannot read: No such file", id="missing"),
        pytest.param(["x", "--help"], "usage: agentcost scan [-h] PATH", id="help-exits-0"),
    ],
)
def test_main_usage_errors_exit_2_with_one_line_help_exits_0(
    argv: list[str], stderr_start: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    if "--help" in argv:
        assert (code, err) == (0, "")
        assert out.startswith(stderr_start)
    else:
        assert code == 2
        assert err.splitlines()[0].startswith(stderr_start)
