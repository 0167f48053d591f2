"""Interaction built from vcrpy's objects: headers normalised on first read, bodies parsed once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from vcr.request import Request

from pytest_agentcost.interaction import Interaction, from_vcr


def _played() -> Interaction:
    request = Request(
        "POST",
        "https://api.openai.com/v1/chat/completions",
        b'{"model": "gpt-4o-mini"}',
        {"Content-Type": "application/json", "X-Trace": "a", "Authorization": "Bearer sk-test"},
    )
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Type": ["application/json"], "Set-Cookie": ["a=1", "b=2"]},
        "body": {"string": '{"id": "chatcmpl-1"}'},
    }
    return from_vcr(request, response)


def test_request_headers_read_lazily_equal_the_normalised_headers() -> None:
    interaction = _played()
    expected = {
        "content-type": "application/json",
        "x-trace": "a",
        "authorization": "Bearer sk-test",
    }
    assert interaction.request_headers.get("x-trace") == "a"
    assert dict(interaction.request_headers) == expected
    assert interaction.request_headers == expected
    assert len(interaction.request_headers) == 3
    # Repeated headers (vcrpy keeps response header values as lists) are joined.
    assert interaction.response_headers == {"content-type": "application/json", "set-cookie": "a=1, b=2"}


def test_bodies_are_decoded_and_parsed_once() -> None:
    interaction = _played()
    assert interaction.response_json == {"id": "chatcmpl-1"}
    assert interaction.response_json is interaction.response_json
    assert interaction.request_json == {"model": "gpt-4o-mini"}
    assert interaction.response_text() == '{"id": "chatcmpl-1"}'
    assert interaction.host == "api.openai.com"
    assert interaction.path == "/v1/chat/completions"
    # Not JSON: None, never an exception.
    assert Interaction("GET", "https://x.example/", response_body=b"<html>").response_json is None


def test_older_httpx_cassettes_keep_their_status_and_content() -> None:
    # vcrpy's older httpx stubs recorded "status_code" and "content" (no "status" object); vcrpy
    # replays such a response with that status, so a 502 must not be read as a 200 answer.
    request = Request("POST", "https://openrouter.ai/api/v1/chat/completions", b'{"model": "deepseek/deepseek-r1"}', {})
    failed = from_vcr(
        request,
        {"content": "<html>502 Bad Gateway</html>", "headers": {}, "http_version": "HTTP/1.1", "status_code": 502},
    )
    assert failed.status == 502
    assert failed.response_text() == "<html>502 Bad Gateway</html>"
    answered = from_vcr(request, {"content": '{"id": "gen-1"}', "headers": {}, "status_code": 200})
    assert answered.status == 200
    assert answered.response_json == {"id": "gen-1"}


@pytest.mark.parametrize(
    ("url", "netloc"),
    [
        ("https://user:secret@Tools.Example:8443/search", "tools.example:8443"),
        ("https://token@tools.example/search", "tools.example"),
        ("http://[::1]:8081/tool", "[::1]:8081"),
        ("https://tools.example/search", "tools.example"),
        # The scheme's default port is the same host as without it.
        ("https://tools.example:443/search", "tools.example"),
        ("http://tools.example:80/search", "tools.example"),
        ("http://tools.example:443/search", "tools.example:443"),
        ("http://[::1]:80/tool", "[::1]"),
    ],
)
def test_netloc_keeps_the_port_and_never_the_credentials(url: str, netloc: str) -> None:
    # A tool call's host key goes into the report and the baseline: userinfo in a URL must not.
    assert Interaction("GET", url).netloc == netloc


@pytest.mark.parametrize(
    ("netloc", "keys"),
    [
        ("localhost:8000", ("localhost:8000", "localhost")),
        ("api.search.example", ("api.search.example",)),
        ("[::1]:8081", ("[::1]:8081", "[::1]", "::1")),
        ("[::1]", ("[::1]", "::1")),
    ],
)
def test_host_maps_are_looked_up_by_host_and_port_then_host(netloc: str, keys: tuple[str, ...]) -> None:
    # One rule for agent_cost_providers and agent_cost_tool_prices.
    from pytest_agentcost.interaction import host_keys
    from pytest_agentcost.pricing import tool_price_key
    from pytest_agentcost.usage import _mapped_provider

    assert host_keys(netloc) == keys
    for key in keys:
        assert tool_price_key(netloc, {key: Decimal(1)}) == key
        call = Interaction("POST", f"http://{netloc}/v1/chat/completions")
        assert _mapped_provider(call, {key: "openai"}) == "openai"
