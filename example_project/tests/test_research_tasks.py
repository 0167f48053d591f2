"""Research tasks, each run by agent v1 and v2, replayed from tests/cassettes.

The assertions are about the answers and the shape of the run (how many
searches, which sources, why it stopped), not about token counts: those are
pytest-agentcost's business.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from research_agent import VERSIONS, ResearchAgent, ask_claude

if TYPE_CHECKING:
    import httpx2

VERSION_NAMES = sorted(VERSIONS)


@pytest.mark.vcr
@pytest.mark.parametrize("version", VERSION_NAMES)
def test_python3_release_date(version: str, http_client: httpx2.Client) -> None:
    result = ResearchAgent(version, http_client=http_client).run("When was Python 3.0 released?")

    assert re.search(r"3 December 2008|December 3, 2008", result.answer), result.answer
    assert result.stopped_reason == "answered"
    assert len(result.searches) == 1
    assert len(result.sources) == VERSIONS[version].pages_per_search
    assert result.usage.calls == 2 + len(result.sources) + 1  # planner x2, a summary per page, the writer


@pytest.mark.vcr
@pytest.mark.parametrize("version", VERSION_NAMES)
def test_rust_or_go_first(version: str, http_client: httpx2.Client) -> None:
    result = ResearchAgent(version, http_client=http_client).run(
        "Which reached a stable 1.0 release first, Rust or Go?"
    )

    assert result.answer.startswith("Go"), result.answer
    assert "2012" in result.answer
    assert "2015" in result.answer
    assert result.stopped_reason == "answered"
    assert len(result.searches) == 2  # one search per language
    assert result.steps == 3


@pytest.mark.vcr
@pytest.mark.parametrize("version", VERSION_NAMES)
def test_conversion_needs_no_research(version: str, http_client: httpx2.Client) -> None:
    result = ResearchAgent(version, http_client=http_client).run("Convert 100 degrees Fahrenheit to Celsius.")

    assert "37.8" in result.answer
    assert result.searches == ()
    assert result.steps == 1
    assert result.usage.calls == 1


@pytest.mark.vcr
@pytest.mark.parametrize("version", VERSION_NAMES)
def test_open_ended_question_stops_at_the_step_limit(version: str, http_client: httpx2.Client) -> None:
    agent = ResearchAgent(version, http_client=http_client)
    result = agent.run("List the release date of every CPython 3.x version since 3.8.")

    assert result.stopped_reason == "max_steps"
    assert result.steps == agent.max_steps == VERSIONS[version].max_steps
    assert len(result.searches) == agent.max_steps
    assert "14 October 2019" in result.answer  # Python 3.8.0, the first one researched


@pytest.mark.vcr
def test_token_budget_stops_research(http_client: httpx2.Client) -> None:
    agent = ResearchAgent("v1", http_client=http_client, token_budget=3_000)
    result = agent.run("When was Python 3.0 released?")

    assert result.stopped_reason == "token_budget"
    assert 1 <= len(result.sources) < VERSIONS["v1"].pages_per_search
    assert re.search(r"3 December 2008|December 3, 2008", result.answer), result.answer


@pytest.mark.vcr
@pytest.mark.parametrize("version", VERSION_NAMES)
def test_claude_quick_answer(version: str, http_client: httpx2.Client) -> None:
    result = ask_claude("What is the capital of Australia?", version, http_client=http_client)

    assert "Canberra" in result.answer
    assert len(result.searches) == 1
    assert result.calls == 2
    if VERSIONS[version].claude_prompt_caching:
        assert result.cache_creation_input_tokens > 0  # the first call writes the guidelines to the cache
        assert result.cache_read_input_tokens > 0  # the second call reads them back
    else:
        assert result.cache_read_input_tokens == result.cache_creation_input_tokens == 0
