"""Agent versions and where the agent sends its requests."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["V1", "V2", "VERSIONS", "AgentVersion", "Endpoints", "get_version"]

#: Keys used when none is set: enough for replaying cassettes, rejected by the real APIs.
DUMMY_OPENAI_KEY = "sk-dummy-for-replay"
DUMMY_ANTHROPIC_KEY = "sk-ant-dummy-for-replay"
DUMMY_SEARCH_KEY = "tvly-dummy-for-replay"


@dataclass(frozen=True)
class AgentVersion:
    """The knobs that differ between agent versions."""

    name: str
    planner_model: str
    """Decides what to search (function calling)."""
    summary_model: str
    """Summarises each fetched page."""
    writer_model: str
    """Writes the final answer (streamed)."""
    pages_per_search: int
    page_chars: int
    """Characters of page text sent to the summariser."""
    max_steps: int
    """Planner calls before the agent stops researching."""
    token_budget: int
    """Total tokens (all calls) after which the agent stops researching."""
    stable_prompt_prefix: bool
    """Put the long, unchanging guidelines first so providers can cache them."""
    claude_model: str
    claude_prompt_caching: bool
    """Mark the Claude system prompt with ``cache_control``."""


V1 = AgentVersion(
    name="v1",
    planner_model="gpt-4.1",
    summary_model="gpt-4.1",
    writer_model="gpt-4.1",
    pages_per_search=3,
    page_chars=6000,
    max_steps=6,
    token_budget=60_000,
    stable_prompt_prefix=False,
    claude_model="claude-sonnet-4-6",
    claude_prompt_caching=False,
)

# v2: a cheaper summariser, fewer and shorter pages, a cache-friendly prompt
# layout and a tighter loop. The planner and writer keep the stronger model.
V2 = AgentVersion(
    name="v2",
    planner_model="gpt-4.1",
    summary_model="gpt-4.1-mini",
    writer_model="gpt-4.1",
    pages_per_search=2,
    page_chars=3000,
    max_steps=4,
    token_budget=30_000,
    stable_prompt_prefix=True,
    claude_model="claude-sonnet-4-6",
    claude_prompt_caching=True,
)

VERSIONS: dict[str, AgentVersion] = {v.name: v for v in (V1, V2)}


def get_version(version: str | AgentVersion) -> AgentVersion:
    """The :class:`AgentVersion` named ``version`` (``"v1"`` or ``"v2"``)."""
    if isinstance(version, AgentVersion):
        return version
    try:
        return VERSIONS[version]
    except KeyError:
        raise ValueError(f"unknown agent version {version!r}; choose one of {sorted(VERSIONS)}") from None


@dataclass(frozen=True)
class Endpoints:
    """Base URLs and API keys, from the environment, defaulting to the real APIs."""

    openai_base_url: str
    anthropic_base_url: str
    search_url: str
    openai_api_key: str
    anthropic_api_key: str
    search_api_key: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Endpoints:
        """Read ``OPENAI_BASE_URL``, ``ANTHROPIC_BASE_URL``, ``SEARCH_API_URL`` and the API keys."""
        env = os.environ if env is None else env
        return cls(
            openai_base_url=env.get("OPENAI_BASE_URL") or "https://api.openai.com/v1",
            anthropic_base_url=env.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com",
            search_url=env.get("SEARCH_API_URL") or "https://api.tavily.com/search",
            openai_api_key=env.get("OPENAI_API_KEY") or DUMMY_OPENAI_KEY,
            anthropic_api_key=env.get("ANTHROPIC_API_KEY") or DUMMY_ANTHROPIC_KEY,
            search_api_key=env.get("TAVILY_API_KEY") or DUMMY_SEARCH_KEY,
        )
