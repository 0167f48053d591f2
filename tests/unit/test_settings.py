"""Settings values checked once, in one line that names the option."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pytest_agentcost.errors import ConfigError
from pytest_agentcost.settings import (
    Threshold,
    marker_spec,
    parse_host_providers,
    parse_marker,
    parse_runs_per_month,
)


def test_threshold_takes_one_part_of_each_kind() -> None:
    assert Threshold.parse(" $0.0001 , 10% ") == Threshold(Decimal("10"), Decimal("0.0001"))


@pytest.mark.parametrize(
    ("spec", "kind", "parts"),
    [
        ("$0.01,$0.02", "dollar amounts", "'$0.01' and '$0.02'"),
        ("10%,$0.01,5%", "percentages", "'10%' and '5%'"),
    ],
)
def test_threshold_refuses_two_parts_of_one_kind(spec: str, kind: str, parts: str) -> None:
    # The last part would silently win.
    with pytest.raises(ConfigError) as info:
        Threshold.parse(spec, "--agent-cost-threshold")
    assert str(info.value) == (
        f"--agent-cost-threshold: two {kind} ({parts}); "
        "give at most one percentage and one dollar amount, e.g. '10%,$0.0001'"
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("-5%", "'-5%' is negative"),
        ("$-0.01", "'$-0.01' is negative"),
        ("nan%", "'nan%' is not finite"),
        ("ten%", "'ten%' is not a number"),
        ("10", "'10' is neither a percentage ('10%') nor dollars ('$0.002')"),
    ],
)
def test_bad_threshold_part_names_the_option_once_and_shows_the_part_as_given(spec: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        Threshold.parse(spec, "--agent-cost-threshold")
    assert str(info.value) == f"--agent-cost-threshold: {message}"


def test_marker_threshold_refuses_two_parts_of_one_kind() -> None:
    with pytest.raises(ConfigError, match=r"^t\.py::a: agent_cost threshold: two percentages"):
        parse_marker((), {"threshold": "10%,20%"}, "t.py::a")


@pytest.mark.parametrize("max_usd", [Decimal("0.05"), 0.05, "0.05", "$0.05"])
def test_a_markers_arguments_travel_as_builtins_that_read_back_the_same(max_usd: object) -> None:
    # xdist workers send them to the controller, and a run file keeps them for agentcost compare.
    kwargs = {"max_usd": max_usd, "threshold": "25%", "max_llm_calls": 3}
    spec = marker_spec(kwargs)
    assert all(type(v) in (str, int) for v in spec.values())
    rules = parse_marker((), spec, "t.py::a")
    assert rules == parse_marker((), kwargs, "t.py::a")
    assert rules.budget.max_usd == Decimal("0.05")


@pytest.mark.parametrize(("value", "runs"), [("0", 0), ("1_000", 1000), (" 30 ", 30)])
def test_runs_per_month(value: str, runs: int) -> None:
    assert parse_runs_per_month(value, "agent_cost_runs_per_month") == runs


@pytest.mark.parametrize("value", ["-3", "lots", "1.5", "-0_1"])
def test_runs_per_month_must_be_a_non_negative_whole_number(value: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_runs_per_month(value, "agent_cost_runs_per_month")
    assert str(info.value) == f"agent_cost_runs_per_month must be a non-negative whole number, not {value!r}"


def test_host_providers_map_hosts_to_provider_ids() -> None:
    lines = [
        "# LiteLLM proxy and friends",
        "",
        "LocalHost:4000 = OpenAI",
        "gateway.example = gemini",
        "bedrock.internal=bedrock",
        "proxy.example = litellm",
        "gpu-box:8080 = Ollama",
    ]
    assert parse_host_providers(lines) == {
        "localhost:4000": "openai",
        # genai-prices' aliases become its provider ids, the ones URL detection gives.
        "gateway.example": "google",
        "bedrock.internal": "aws",
        "proxy.example": "litellm",
        "gpu-box:8080": "ollama",  # a self-hosted model server: priced only by a price file
    }


def test_host_providers_refuse_an_unknown_provider_and_list_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        parse_host_providers(["localhost:4000 = bogus"])
    message = str(info.value)
    assert message.startswith("agent_cost_providers: unknown provider 'bogus' for localhost:4000: a line names whose")
    assert "price a provider it does not know with a price file entry" in message
    known = message.rpartition("known providers: ")[2].split(", ")
    assert {"openai", "anthropic", "google", "aws", "azure", "litellm", "ollama"} <= set(known)
    assert known == sorted(known)
    assert "\n" not in message


@pytest.mark.parametrize("line", ["localhost:4000", "= openai", "localhost:4000 ="])
def test_host_providers_want_host_equals_provider(line: str) -> None:
    with pytest.raises(ConfigError, match=r"^agent_cost_providers: expected 'host = provider', got "):
        parse_host_providers([line])


def test_a_markers_previous_id_is_a_node_id_not_its_own() -> None:
    assert parse_marker((), {"previously": "t.py::old"}, "t.py::a").previously == "t.py::old"
    for bad in ("", "  ", 3, "t.py::a"):
        with pytest.raises(ConfigError, match=r"^t\.py::a: agent_cost previously must be the node id the test had"):
            parse_marker((), {"previously": bad}, "t.py::a")


def test_host_providers_take_a_url_for_its_host_and_refuse_a_path() -> None:
    # Review 35: a line written as a URL was kept as is, matched no call and said nothing.
    lines = [
        "http://127.0.0.1:18201 = openai",
        "https://Gateway.example.com/ = anthropic",
        # Keyed as calls are (review 36): no default port, no credentials.
        "https://gw:443 = openai",
        "http://user:secret@proxy:8080 = openai",
    ]
    parsed = parse_host_providers(lines)
    assert parsed == {
        "127.0.0.1:18201": "openai",
        "gateway.example.com": "anthropic",
        "gw": "openai",
        "proxy:8080": "openai",
    }
    with pytest.raises(ConfigError, match=r"'http://gw:4000/v1' is no host; give 'host' or 'host:port'"):
        parse_host_providers(["http://gw:4000/v1 = openai"])
    with pytest.raises(ConfigError, match=r"is no host"):
        parse_host_providers(["http://gw:4000?region=eu = openai"])
