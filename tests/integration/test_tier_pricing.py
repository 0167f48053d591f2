"""Service tiers, end to end: calls served in a tier genai-prices prices apart cost that tier's price.

Each test of the generated project replays one cassette of the provider corpus
(``tests/data/cassettes``, each provider's real wire format) with pytest-recording, sending the
request as recorded. Costs are worked out by hand from genai-prices' published variant prices
(USD per million tokens, price date 2026-11-01); the standard-tier figure each would have without
its tier is given too. Every test runs with and without pytest-xdist (``-n 2``).
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import AgentProject

CASSETTES = Path(__file__).resolve().parents[1] / "data" / "cassettes"

#: test name -> (corpus cassette, cost in the reported tier, the JSON report's price_context)
TIERED: dict[str, tuple[str, str, dict[str, str] | None]] = {
    # o4-mini, "service_tier": "flex": in 0.55 / cached 0.138 / out 2.20
    # 976 uncached x 0.55 = 536.8 ; 1024 cached x 0.138 = 141.312 ; 1500 out x 2.20 = 3300
    # -> 3978.112 / 1e6 = 0.003978112            (standard 1.10 / 0.275 / 4.40: 0.0079552)
    "test_openai_flex": ("openai_chat_flex", "0.0039781120", {"service_tier": "flex"}),
    # o4-mini stream, "service_tier": "priority" on every chunk: in 2 / out 8
    # 3000 x 2 = 6000 ; 800 x 8 = 6400 -> 12400 / 1e6 = 0.0124      (standard: 0.00682)
    "test_openai_priority_stream": ("openai_chat_stream_priority", "0.0124000000", {"service_tier": "priority"}),
    # gpt-5-mini Responses stream, response.completed "service_tier": "flex" (response.created said
    # "auto"): in 0.125 / cached 0.0125 / out 1
    # 1952 x 0.125 = 244 ; 2048 x 0.0125 = 25.6 ; 900 x 1 = 900 -> 1169.6 / 1e6  (standard: 0.0023392)
    "test_openai_responses_flex": ("openai_responses_stream_flex", "0.0011696000", {"service_tier": "flex"}),
    # claude-opus-4-8, usage.speed "fast": in 10 / cache read 1 / cache write 12.50 / out 50
    # 1500 x 10 = 15000 ; 4000 x 1 = 4000 ; 500 x 12.5 = 6250 ; 700 x 50 = 35000 -> 60250 / 1e6
    # (standard 5 / 0.50 / 6.25 / 25: 0.030125)
    "test_anthropic_fast": ("anthropic_messages_fast", "0.0602500000", {"speed": "fast"}),
    # gemini-3.8-flash-tts, usageMetadata.serviceTier "flex": in 0.25 / out 4.50
    # 120 x 0.25 = 30 ; 2400 x 4.5 = 10800 -> 10830 / 1e6        (standard 0.50 / 9: 0.02166)
    "test_gemini_flex": ("gemini_generate_content_flex", "0.0108300000", {"service_tier": "flex"}),
    # The standard tier, as reported ("service_tier": "default"; Anthropic "standard"): standard prices.
    # gpt-4o: 176 x 2.50 + 1024 x 1.25 + 45 x 10 = 440 + 1280 + 450 = 2170 / 1e6
    "test_openai_default": ("openai_chat_cached_tools", "0.0021700000", None),
    # claude-sonnet-4-5: 12 x 3 + 1800 x 0.30 + 248 x 3.75 + 350 x 15 = 36 + 540 + 930 + 5250 = 6756 / 1e6
    "test_anthropic_standard": ("anthropic_messages_cache_tool", "0.0067560000", None),
}
# 0.003978112 + 0.0124 + 0.0011696 + 0.06025 + 0.01083 + 0.00217 + 0.006756
TOTAL = "0.0975537120"

MODULE = """
import urllib.request

import pytest


def send(method, url, body, headers):
    data = None if body is None else body.encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request) as response:
        return response.read()
"""


def _replaying_test(name: str, cassette: str) -> str:
    """A test sending each request of ``cassette`` exactly as recorded (so none is stale)."""
    data: dict[str, Any] = yaml.safe_load((CASSETTES / f"{cassette}.yaml").read_text())
    lines = ["@pytest.mark.vcr", f"def {name}():"]
    for item in data["interactions"]:
        request = item["request"]
        headers = {key: values[0] for key, values in request["headers"].items()}
        lines.append(f"    send({request['method']!r}, {request['uri']!r}, {request['body']!r}, {headers!r})")
    return "\n".join(lines) + "\n"


def _project(project: AgentProject, tests: dict[str, tuple[str, str, dict[str, str] | None]]) -> None:
    source = MODULE + "\n\n" + "\n\n".join(_replaying_test(name, case[0]) for name, case in tests.items())
    project.pytester.makepyfile(test_tiers=textwrap.dedent(source))
    for name, (cassette, _, _) in tests.items():
        target = project.root / "cassettes" / "test_tiers" / f"{name}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CASSETTES / f"{cassette}.yaml", target)


def test_each_call_costs_the_price_of_the_tier_it_was_served_in(project: AgentProject) -> None:
    _project(project, TIERED)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    report = project.read_json("cost.json")
    for name, (_, cost, context) in TIERED.items():
        test = report["tests"][f"test_tiers.py::{name}"]
        assert test["outcome"] == "passed"
        assert (test["llm_calls"], test["estimated"], test["stale"]) == (1, False, False), name
        assert test["cost_usd"] == cost, name
        [call] = test["calls"]
        # Written only when a tier is priced apart; the standard tier leaves the key out.
        assert call.get("price_context") == context, name
    assert report["totals"]["cost_usd"] == TOTAL
    # The terminal table shows the same figures: $0.0602 for the fast-mode call, $0.0976 in all.
    result.stdout.fnmatch_lines(["*test_tiers.py::test_anthropic_fast * $0.0602*", "total: $0.0976 over 7 test(s)*"])


def test_a_price_file_entry_prices_a_tiered_call_at_its_own_rates(project: AgentProject) -> None:
    (project.root / "prices.toml").write_text(
        '[models."o4-mini-2025-04-16"]\ninput = "1.00"\noutput = "2.00"\ncache_read = "0.50"\n'
    )
    project.ini("agent_cost_prices = prices.toml\n")
    _project(project, {name: TIERED[name] for name in ("test_openai_flex", "test_openai_priority_stream")})
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    tests = project.read_json("cost.json")["tests"]
    # flex: 976 x 1 + 1024 x 0.50 + 1500 x 2 = 976 + 512 + 3000 = 4488 / 1e6, whatever the tier
    flex = tests["test_tiers.py::test_openai_flex"]
    assert flex["cost_usd"] == "0.0044880000"
    assert flex["calls"][0]["price_context"] == {"service_tier": "flex"}  # still reported
    # priority: 3000 x 1 + 800 x 2 = 4600 / 1e6
    assert tests["test_tiers.py::test_openai_priority_stream"]["cost_usd"] == "0.0046000000"
