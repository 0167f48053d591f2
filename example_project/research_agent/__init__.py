"""A small web research agent on the OpenAI SDK (and one task on the Anthropic SDK).

>>> from research_agent import ResearchAgent
>>> ResearchAgent("v2").run("When was Python 3.0 released?").answer  # doctest: +SKIP
"""

from __future__ import annotations

from research_agent.agent import ResearchAgent, ResearchResult, UsageMeter
from research_agent.claude import ClaudeAnswer, ask_claude
from research_agent.config import V1, V2, VERSIONS, AgentVersion, Endpoints

__all__ = [
    "V1",
    "V2",
    "VERSIONS",
    "AgentVersion",
    "ClaudeAnswer",
    "Endpoints",
    "ResearchAgent",
    "ResearchResult",
    "UsageMeter",
    "ask_claude",
]
