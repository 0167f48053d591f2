"""Price file entries and tool prices: which entry prices which call."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from genai_prices import Usage

from pytest_agentcost.errors import PriceFileError
from pytest_agentcost.pricing import ModelPrice, Pricer, load_price_file
from tests.conftest import chat_response, llm_record

PRICE = ModelPrice(input=Decimal(1), output=Decimal(1))


@pytest.mark.parametrize(
    ("entries", "provider", "model", "expected"),
    [
        (["gpt-4.1-mini"], "openai", "gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"),
        (["gpt-4.1-mini"], "openai", "GPT-4.1-mini", "gpt-4.1-mini"),
        (["claude-sonnet-4-5"], "anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        (["claude-3-5-sonnet-v2"], "google", "claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet-v2"),
        (["openai:gpt-4.1-mini"], "openai", "gpt-4.1-mini-2025-04-14", "openai:gpt-4.1-mini"),
        # An exact entry wins over the base name's, with or without a provider.
        (["gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"], "openai", "gpt-4.1-mini-2025-04-14", "gpt-4.1-mini-2025-04-14"),
        (
            ["openai:gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"],
            "openai",
            "gpt-4.1-mini-2025-04-14",
            "gpt-4.1-mini-2025-04-14",
        ),
        # Ollama's default tag is its base name; another tag is another model.
        (["ollama:llama3.2"], "ollama", "llama3.2:latest", "ollama:llama3.2"),
        (["llama3.2", "llama3.2:latest"], "ollama", "llama3.2:latest", "llama3.2:latest"),
        (["ollama:llama3.2"], "ollama", "llama3.2:3b", None),
        # Not a snapshot date: another model.
        (["gpt-4.1"], "openai", "gpt-4.1-mini", None),
        (["gemini-2.0-flash"], "google", "gemini-2.0-flash-001", None),
        (["gpt-4.1-mini"], "anthropic", None, None),
    ],
)
def test_override_key(entries: list[str], provider: str, model: str | None, expected: str | None) -> None:
    pricer = Pricer(overrides=dict.fromkeys(entries, PRICE))
    assert pricer.override_key(provider, model) == expected


def test_unmatched_entries() -> None:
    pricer = Pricer(
        overrides=dict.fromkeys(["gpt-4.1-mini", "gpt-4o-mini", "unused-model"], PRICE),
        tool_prices={"localhost:8081": Decimal(1), "localhost": Decimal(2), "search.example": Decimal(3)},
    )
    calls = [
        llm_record(model="gpt-4.1-mini-2025-04-14"),
        llm_record(model="gpt-4o-mini", billed=False),  # an error response prices nothing
        llm_record(kind="tool", host="localhost:8081", provider=None, endpoint=None, model=None),
        llm_record(kind="tool", host="localhost:9000", provider=None, endpoint=None, model=None),
    ]
    assert pricer.unmatched(calls) == (["gpt-4o-mini", "unused-model"], ["search.example"])


@pytest.mark.parametrize(
    ("host", "price"),
    [("localhost:8081", "1"), ("localhost:9000", "2"), ("localhost", "2"), ("[::1]:8081", "4"), ("other", "0")],
)
def test_tool_price_takes_host_and_port_then_host(host: str, price: str) -> None:
    pricer = Pricer(tool_prices={"localhost:8081": Decimal(1), "localhost": Decimal(2), "[::1]": Decimal(4)})
    assert pricer.tool_price(host) == Decimal(price)


def test_tool_prices_take_a_dollar_sign_as_thresholds_do() -> None:
    from pytest_agentcost.errors import ConfigError
    from pytest_agentcost.pricing import parse_tool_prices

    assert parse_tool_prices(["api.tavily.com = $0.008", "serpapi.com = 0.01", "# a comment"]) == {
        "api.tavily.com": Decimal("0.008"),
        "serpapi.com": Decimal("0.01"),
    }
    with pytest.raises(ConfigError, match=r"price of api.tavily.com is not a number: '\$1'"):
        parse_tool_prices(["api.tavily.com = $$1"])


def _claude_on_vertex_with_a_web_search() -> object:
    import json

    from pytest_agentcost.interaction import Interaction

    message = {
        "id": "msg_vrtx_02",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": "It is sunny."}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 1000, "output_tokens": 10, "server_tool_use": {"web_search_requests": 1}},
    }
    url = (
        "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5"
        "/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict"
    )
    request = json.dumps({"anthropic_version": "vertex-2023-10-16", "messages": []}).encode()
    headers = {"content-type": "application/json"}
    return Interaction("POST", url, {}, request, 200, headers, json.dumps(message).encode())


def test_a_hosted_tool_use_its_price_leaves_out_makes_the_call_unpriced_not_cheaper() -> None:
    from genai_prices import Usage

    from pytest_agentcost.accounting import Accountant

    pricer = Pricer()
    searched = Usage(input_tokens=1000, output_tokens=10, web_searches=1)
    uses = ("web_searches",)
    # Anthropic's API prices a web search ($10 per 1000); genai-prices has no such price for
    # Claude on Vertex, so the search would cost $0 unseen.
    assert pricer.price("anthropic", "claude-sonnet-4-5", searched) == Decimal("0.01315")
    assert pricer.price("google", "claude-sonnet-4-5", searched) == Decimal("0.00315")
    assert pricer.uses_left_out("google", "claude-sonnet-4-5", searched, uses) == ("web_searches",)
    assert pricer.uses_left_out("anthropic", "claude-sonnet-4-5", searched, uses) == ()
    assert pricer.uses_left_out("google", "claude-sonnet-4-5", searched, ()) == ()  # not listed as billed
    assert pricer.uses_left_out("google", "no-such-model", searched, uses) == ()  # unpriced anyway
    # A price file prices tokens, never searches.
    filed = Pricer(overrides={"claude-sonnet-4-5": PRICE})
    assert filed.uses_left_out("google", "claude-sonnet-4-5", searched, uses) == ("web_searches",)
    # End to end: the Vertex answer keeps its search count, and the call says why it is unpriced.
    record = Accountant(pricer)(_claude_on_vertex_with_a_web_search(), None, None)  # type: ignore[arg-type]
    assert (record.provider, record.cost_usd, record.usage.units) == ("google", None, (("web_searches", 1),))
    assert any("has no price for its 1 web_searches" in w for w in record.warnings), record.warnings


def test_a_search_count_billed_inside_another_price_is_not_a_use_left_out() -> None:
    # Perplexity reports num_search_queries, which genai-prices reads as web_searches but bills
    # inside its per-request fee: the call keeps genai-prices' price, as the lean path gives it.
    import json

    from pytest_agentcost.accounting import Accountant
    from pytest_agentcost.interaction import Interaction

    answer = {
        "id": "p1",
        "model": "sonar-pro",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris."}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30, "num_search_queries": 1},
    }
    call = Interaction(
        "POST",
        "https://api.perplexity.ai/chat/completions",
        {},
        json.dumps({"model": "sonar-pro", "messages": []}).encode(),
        200,
        {"content-type": "application/json"},
        json.dumps(answer).encode(),
    )
    record = Accountant(Pricer())(call, None, None)
    assert record.cost_usd is not None
    assert not record.warnings


def test_a_price_file_never_prices_negative_input() -> None:
    # Counts that contradict each other (cache reads and writes above the input) price the
    # uncached input at zero, never below.
    from genai_prices import Usage

    price = ModelPrice(input=Decimal(1), output=Decimal(2), cache_read=Decimal("0.5"))
    usage = Usage(input_tokens=100, cache_read_tokens=150, output_tokens=10)
    assert price.cost(usage) == Decimal("0.000095")  # 150 x 0.5 + 10 x 2 = 95 / 1e6


def test_a_model_its_provider_has_no_price_for_is_priced_at_anothers_rate_and_said() -> None:
    # Fireworks serves deepseek-r1-0528, which genai-prices lists for Fireworks only under its
    # own path names: the model's name alone finds DeepSeek's list price, which the call gets.

    from pytest_agentcost.accounting import Accountant
    from pytest_agentcost.interaction import Interaction

    pricer = Pricer()
    assert pricer.priced_as("fireworks", "deepseek-r1-0528") == "deepseek"
    assert pricer.priced_as("groq", "gpt-4o") == "openai"
    assert pricer.priced_as("openai", "gpt-4o") is None  # its own list
    assert pricer.priced_as(None, "gpt-4o") is None  # no provider to fall back from
    assert pricer.priced_as("fireworks", "no-such-model-anywhere") is None  # not priced at all
    own = Pricer(overrides={"fireworks:deepseek-r1-0528": ModelPrice(input=Decimal(3), output=Decimal(8))})
    assert own.priced_as("fireworks", "deepseek-r1-0528") is None  # the user's price

    answer = chat_response("deepseek-r1-0528", 10, 5)
    url = "https://api.fireworks.ai/inference/v1/chat/completions"
    interaction = Interaction("POST", url, {}, b'{"model": "deepseek-r1-0528"}', 200, {}, answer.encode())
    accountant = Accountant(pricer)
    record = accountant(interaction, None, None)
    assert record.provider == "fireworks"
    assert record.cost_usd is not None
    assert record.warnings == (
        "openai.chat response from api.fireworks.ai: genai-prices has no price for deepseek-r1-0528 on fireworks; "
        "priced at deepseek's rate for it (a price file entry 'fireworks:deepseek-r1-0528' gives yours)",
    )
    # The fast reader leaves such a call to the general path, which says so.
    from vcr.request import Request

    response = {"status": {"code": 200}, "headers": {}, "body": {"string": answer.encode()}}
    assert accountant.lean(Request("POST", url, b'{"model": "deepseek-r1-0528"}', {}), response, None) is None


@pytest.mark.parametrize(
    ("model", "usage"),
    [
        ("whisper-1", {"input_tokens": 10, "output_tokens": 5}),  # billed by audio seconds
        ("tts-1", {"input_tokens": 10}),  # billed by characters
        ("gpt-4o-mini-tts", {"input_characters": 12}),  # billed by tokens
    ],
)
def test_a_usage_the_models_price_does_not_price_is_unpriced_not_free(model: str, usage: dict[str, int]) -> None:
    # genai-prices answers $0 for counts its price has no price for: that is no price at all.
    assert Pricer().price("openai", model, Usage(**usage)) is None


def test_a_model_priced_at_zero_is_free_not_unpriced() -> None:
    # GitHub Copilot's models and Gemma are listed at $0 a token: free, which is a price.
    for provider, model in (("github-copilot", "gpt-4o"), ("google", "gemma-3")):
        assert Pricer().price(provider, model, Usage(input_tokens=1000, output_tokens=100)) == Decimal(0)
    assert Pricer().price("openai", "whisper-1", Usage(audio_seconds=60)) == Decimal("0.006")


def test_a_model_has_a_price_under_its_provider_or_by_its_name_alone() -> None:
    pricer = Pricer()
    assert pricer.has_price("openai", "gpt-4o-mini")
    assert pricer.has_price("some-gateway", "gpt-4o-mini")  # priced by its name, as price() does
    assert not pricer.has_price("openai", "gpt-99-ultra")
    assert not pricer.has_price("ollama", "llama3.2")  # self-hosted: a price file's, if any


def test_tool_prices_take_a_url_for_its_host_and_refuse_a_path() -> None:
    from pytest_agentcost.errors import ConfigError
    from pytest_agentcost.pricing import parse_tool_prices

    assert parse_tool_prices(["https://search.example.com/ = 0.002"]) == {"search.example.com": Decimal("0.002")}
    with pytest.raises(ConfigError, match=r"agent_cost_tool_prices: 'search.example.com/v1' is no host"):
        parse_tool_prices(["search.example.com/v1 = 0.002"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[models]\n", 'expected a [models."NAME"] table per model'),
        ('[models."gpt-4o"]\ninput = "1"\noutput = "1"\nbatch = "0.5"\n', "models.gpt-4o: unknown key(s) batch"),
        # Sweep 23: an entry for the model tables' "cohere:?" was taken, and matched nothing, unsaid.
        (
            '[models."cohere:?"]\ninput = "2.5"\noutput = "10"\n',
            "models.cohere:?: '?' stands for calls that name no model, which a price file cannot match",
        ),
        ('[models."?"]\ninput = "1"\noutput = "1"\n', "models.?: '?' stands for calls that name no model"),
        # Hardening: names are matched whatever their case, so the last of two entries won, unsaid.
        (
            '[models."gpt-4o-mini"]\ninput = "1"\noutput = "1"\n[models."GPT-4o-mini"]\ninput = "2"\noutput = "2"\n',
            "models.GPT-4o-mini: another entry names the same model in another case",
        ),
        ('[models."m"]\ninput = "0_0.1"\noutput = "1"\n', "models.m.input is not a number: '0_0.1'"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply to read"),
    ],
    ids=["no-models", "unknown-key", "provider-no-model", "no-model", "case", "underscore", "deep"],
)
def test_a_bad_price_file_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "prices.toml"
    path.write_text(text)
    with pytest.raises(PriceFileError) as caught:
        load_price_file(path)
    assert message in str(caught.value)


def test_a_json_price_file_refuses_a_model_given_twice(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text('{"models": {"m": {"input": "1", "output": "1"}, "m": {"input": "9", "output": "9"}}}')
    with pytest.raises(PriceFileError, match="the key 'm' is given twice in one object"):
        load_price_file(path)


def test_a_price_beyond_any_calls_is_unpriced_and_a_hooks_too(tmp_path: Path) -> None:
    # Hardening: a corrupt count (10**30 tokens) crashed the run in quantize_money, and 10**19
    # wrote a baseline every later run refused. Counts past any call's are malformed (estimated);
    # a price past any call's, a price file's rate or a hook's, leaves the call unpriced.
    import json

    from pytest_agentcost.accounting import Accountant
    from pytest_agentcost.interaction import Interaction

    def call(prompt_tokens: int) -> Interaction:
        body = json.loads(chat_response("gpt-4o-mini", 0, 10))
        body["usage"]["prompt_tokens"] = prompt_tokens
        request = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}).encode()
        url = "https://api.openai.com/v1/chat/completions"
        return Interaction("POST", url, {}, request, 200, {}, json.dumps(body).encode())

    for corrupt in (10**30, 10**19, 10**10 + 1):
        record = Accountant(Pricer())(call(corrupt), None, None)  # type: ignore[arg-type]
        assert record.estimated, corrupt
        assert any(f"malformed usage (usage.prompt_tokens={corrupt})" in w for w in record.warnings)
    steep = Pricer(overrides={"gpt-4o-mini": ModelPrice(input=Decimal("999999999999"), output=Decimal(1))})
    record = Accountant(steep)(call(10**10), None, None)  # type: ignore[arg-type]
    assert record.cost_usd is None
    assert any("is beyond any one call's; the call is unpriced" in w for w in record.warnings)
    for price in (Decimal("1e20"), Decimal("-0.01")):  # a credit too: a baseline holds no negative cost
        hooked = Accountant(Pricer(), price_hook=lambda record, price=price: price)(call(1000), None, None)  # type: ignore[arg-type,misc]
        assert hooked.cost_usd is None
        assert any(f"returned {price!r}, out of range" in w for w in hooked.warnings)
    # The lean reader, which replays most calls, leaves such a price to the general path (review 46).
    from vcr.request import Request

    lean = Accountant(steep)
    request = Request("POST", "https://api.openai.com/v1/chat/completions", b"{}", {})
    body = json.loads(chat_response("gpt-4o-mini", 10**9, 10))
    response = {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": json.dumps(body)}}
    assert lean.lean(request, response, None) is None
    assert Accountant(Pricer()).lean(request, response, None) is not None


@pytest.mark.parametrize(
    ("status", "cost"),
    [(200, "0.01"), (204, "0.01"), (302, "0"), (429, "0"), (500, "0"), (0, "0")],
    ids=["200", "204", "redirect", "429", "500", "no-status"],
)
def test_a_paid_tool_host_bills_its_2xx_answers_only(status: int, cost: str) -> None:
    # Sweep 24 and review 47: a paid API bills its answers, not its errors, redirects (the client
    # follows them: one search), or an answer whose status the cassette does not say.
    from vcr.request import Request

    from pytest_agentcost.accounting import Accountant
    from pytest_agentcost.interaction import from_vcr

    accountant = Accountant(Pricer(tool_prices={"search.example": Decimal("0.01")}), rootdir=".")
    request = Request("GET", "https://search.example/q?x=1", b"", {})
    response = {"status": {"code": status, "message": ""}, "headers": {}, "body": {"string": "{}"}}
    record = accountant(from_vcr(request, response), None, None)
    assert (record.kind, record.cost_usd) == ("tool", Decimal(cost))


def test_a_tool_hosts_unbilled_calls_are_the_free_answers_that_are_not_2xx() -> None:
    from pytest_agentcost.models import CallRecord, TestCost

    def tool(status: int, cost: str) -> CallRecord:
        return CallRecord("tool", "search.example", status, cost_usd=Decimal(cost))

    # This version's report: the 429 and the redirect cost nothing, one search billed.
    now = TestCost("t", calls=(tool(429, "0"), tool(302, "0"), tool(200, "0.001")))
    host = now.tool_hosts()["search.example"]
    assert (host.calls, host.unbilled, host.billed, host.price) == (3, 2, 1, Decimal("0.001"))
    assert host.to_dict() == {"calls": 3, "cost_usd": "0.0010000000", "unbilled": 2}
    # A report written before errors were free charged its 429: read back, billed as it says, so
    # comparing it again moves no tool price (review 47: $0.0010 -> $0.0020 per call).
    old = TestCost("t", calls=(tool(429, "0.001"), tool(200, "0.001")))
    host = old.tool_hosts()["search.example"]
    assert (host.unbilled, host.price) == (0, Decimal("0.001"))
    assert host.to_dict() == {"calls": 2, "cost_usd": "0.0020000000"}
