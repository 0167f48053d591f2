"""A quick-answer task on the Anthropic SDK: Claude with a web_search tool (search snippets only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anthropic
import httpx2

from research_agent import prompts
from research_agent.config import AgentVersion, Endpoints, get_version
from research_agent.web import web_search

__all__ = ["ClaudeAnswer", "ask_claude"]

CLAUDE_SEARCH_TOOL: dict[str, Any] = {
    "name": "web_search",
    "description": prompts.WEB_SEARCH_TOOL_DESCRIPTION,
    "input_schema": {
        "type": "object",
        "properties": {"query": {"type": "string", "description": "A short, specific search query."}},
        "required": ["query"],
    },
}


@dataclass(frozen=True)
class ClaudeAnswer:
    """The answer and what it took."""

    answer: str
    searches: tuple[str, ...]
    calls: int
    input_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int
    output_tokens: int


def _as_param(block: Any) -> dict[str, Any]:
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if block.type == "text":
        return {"type": "text", "text": block.text}
    dumped: dict[str, Any] = block.model_dump(exclude_none=True)
    return dumped


def ask_claude(
    question: str,
    version: str | AgentVersion = "v1",
    *,
    endpoints: Endpoints | None = None,
    http_client: httpx2.Client | None = None,
    max_steps: int = 3,
) -> ClaudeAnswer:
    """Answer ``question`` with Claude, letting it search the web through a tool."""
    agent_version = get_version(version)
    endpoints = endpoints or Endpoints.from_env()
    http = http_client or httpx2.Client(timeout=30.0)
    client = anthropic.Anthropic(api_key=endpoints.anthropic_api_key, base_url=endpoints.anthropic_base_url)
    instructions = f"{prompts.RESEARCH_GUIDELINES}\n{prompts.CLAUDE_INSTRUCTIONS}"
    system: list[dict[str, Any]] = [{"type": "text", "text": instructions}]
    if agent_version.claude_prompt_caching:
        # The guidelines are the same on every call: cache them.
        system[0]["cache_control"] = {"type": "ephemeral"}
    messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
    searches: list[str] = []
    totals = {"calls": 0, "input": 0, "read": 0, "creation": 0, "output": 0}
    answer = ""
    for _ in range(max_steps):
        response = client.messages.create(
            model=agent_version.claude_model,
            max_tokens=400,
            system=system,  # type: ignore[arg-type]
            tools=[CLAUDE_SEARCH_TOOL],  # type: ignore[list-item]
            messages=messages,  # type: ignore[arg-type]
        )
        usage = response.usage
        totals["calls"] += 1
        totals["input"] += usage.input_tokens
        totals["read"] += usage.cache_read_input_tokens or 0
        totals["creation"] += usage.cache_creation_input_tokens or 0
        totals["output"] += usage.output_tokens
        tool_uses = [block for block in response.content if block.type == "tool_use"]
        if response.stop_reason != "tool_use" or not tool_uses:
            answer = "".join(block.text for block in response.content if block.type == "text")
            break
        # Send back only the fields the API accepts (the SDK's models carry extra ones).
        messages.append({"role": "assistant", "content": [_as_param(block) for block in response.content]})
        results: list[dict[str, Any]] = []
        for block in tool_uses:
            arguments = block.input if isinstance(block.input, dict) else {}
            query = str(arguments.get("query", question))
            searches.append(query)
            hits = web_search(http, endpoints.search_url, endpoints.search_api_key, query, max_results=3)
            text = prompts.format_search_results([(h.url, h.title, h.snippet) for h in hits])
            results.append({"type": "tool_result", "tool_use_id": block.id, "content": text})
        messages.append({"role": "user", "content": results})
    return ClaudeAnswer(
        answer=answer.strip(),
        searches=tuple(searches),
        calls=totals["calls"],
        input_tokens=totals["input"],
        cache_read_input_tokens=totals["read"],
        cache_creation_input_tokens=totals["creation"],
        output_tokens=totals["output"],
    )
