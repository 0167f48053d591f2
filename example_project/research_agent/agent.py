"""The research agent: plan with function calling, search, read, summarise, answer.

One run of :meth:`ResearchAgent.run`:

1. The planner model (with a ``web_search`` tool) decides what to look up.
2. For each ``web_search`` call the agent queries the search API, fetches the
   top pages and has the summary model summarise each one; the summaries go
   back to the planner as the tool result.
3. When the planner stops calling the tool (or the step limit or token budget
   is reached) the writer model streams the final answer from the notes.

A question that needs no research is answered by the planner directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx2
import openai

from research_agent import prompts
from research_agent.config import AgentVersion, Endpoints, get_version
from research_agent.web import Page, fetch_page, web_search

if TYPE_CHECKING:
    from openai.types import CompletionUsage

__all__ = ["ResearchAgent", "ResearchResult", "UsageMeter"]

WEB_SEARCH_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "web_search",
        "description": prompts.WEB_SEARCH_TOOL_DESCRIPTION,
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "A short, specific search query."}},
            "required": ["query"],
            "additionalProperties": False,
        },
    },
}


@dataclass
class UsageMeter:
    """Tokens used so far, as the provider reported them."""

    calls: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def add_openai(self, usage: CompletionUsage | None) -> None:
        """Count one OpenAI response's ``usage``."""
        self.calls += 1
        if usage is None:  # a provider that does not report usage: nothing to count
            return
        self.input_tokens += usage.prompt_tokens
        self.output_tokens += usage.completion_tokens
        details = usage.prompt_tokens_details
        self.cached_input_tokens += (details.cached_tokens or 0) if details else 0


@dataclass(frozen=True)
class ResearchResult:
    """What a run produced, and what it took."""

    question: str
    answer: str
    version: str
    searches: tuple[str, ...]
    sources: tuple[str, ...]
    steps: int
    """Planner calls made."""
    stopped_reason: str
    """``"answered"``, ``"max_steps"`` or ``"token_budget"``."""
    usage: UsageMeter = field(compare=False)


class _OutOfBudget(Exception):
    """Raised inside the research loop when the token budget is spent."""


class ResearchAgent:
    """A web research agent on the OpenAI API.

    ``version`` selects v1 or v2 (see :mod:`research_agent.config`); ``max_steps``
    and ``token_budget`` override that version's limits.
    """

    def __init__(
        self,
        version: str | AgentVersion = "v1",
        *,
        endpoints: Endpoints | None = None,
        http_client: httpx2.Client | None = None,
        openai_client: openai.OpenAI | None = None,
        max_steps: int | None = None,
        token_budget: int | None = None,
    ) -> None:
        self.version = get_version(version)
        self.endpoints = endpoints or Endpoints.from_env()
        self.http = http_client or httpx2.Client(timeout=30.0)
        self.llm = openai_client or openai.OpenAI(
            api_key=self.endpoints.openai_api_key, base_url=self.endpoints.openai_base_url
        )
        self.max_steps = max_steps if max_steps is not None else self.version.max_steps
        self.token_budget = token_budget if token_budget is not None else self.version.token_budget

    # ------------------------------------------------------------------ the loop

    def run(self, question: str) -> ResearchResult:
        """Research ``question`` and return the answer with its sources and usage."""
        usage = UsageMeter()
        notes: list[tuple[str, str]] = []
        searches: list[str] = []
        messages = self._planner_messages(question)
        steps = 0
        stopped_reason = "max_steps"
        try:
            while steps < self.max_steps:
                self._check_budget(usage)
                response = self.llm.chat.completions.create(
                    model=self.version.planner_model,
                    messages=messages,  # type: ignore[arg-type]
                    tools=[WEB_SEARCH_TOOL],  # type: ignore[list-item]
                    temperature=0,
                )
                steps += 1
                usage.add_openai(response.usage)
                message = response.choices[0].message
                if not message.tool_calls:
                    stopped_reason = "answered"
                    if not searches:  # answered without research: the planner's reply is the answer
                        return self._result(
                            question, message.content or "", searches, notes, steps, "answered", usage
                        )
                    break
                messages.append(
                    message.model_dump(exclude_none=True, include={"role", "content", "tool_calls"})
                )
                for call in message.tool_calls:
                    if call.type != "function":
                        continue
                    tool_output = self._run_tool(
                        question, call.function.name, call.function.arguments, searches, notes, usage
                    )
                    messages.append({"role": "tool", "tool_call_id": call.id, "content": tool_output})
        except _OutOfBudget:
            stopped_reason = "token_budget"
        answer = self._write(question, notes, usage)
        return self._result(question, answer, searches, notes, steps, stopped_reason, usage)

    def _check_budget(self, usage: UsageMeter) -> None:
        if usage.total_tokens >= self.token_budget:
            raise _OutOfBudget

    def _result(
        self,
        question: str,
        answer: str,
        searches: list[str],
        notes: list[tuple[str, str]],
        steps: int,
        stopped_reason: str,
        usage: UsageMeter,
    ) -> ResearchResult:
        return ResearchResult(
            question=question,
            answer=answer.strip(),
            version=self.version.name,
            searches=tuple(searches),
            sources=tuple(url for url, _ in notes),
            steps=steps,
            stopped_reason=stopped_reason,
            usage=usage,
        )

    # ------------------------------------------------------------------ tools

    def _run_tool(
        self,
        question: str,
        name: str,
        arguments: str,
        searches: list[str],
        notes: list[tuple[str, str]],
        usage: UsageMeter,
    ) -> str:
        if name != "web_search":
            return f"Error: there is no tool named {name!r}."
        try:
            query = str(json.loads(arguments)["query"])
        except (ValueError, KeyError, TypeError):
            return "Error: web_search needs a JSON object with a 'query' string."
        searches.append(query)
        results = web_search(
            self.http,
            self.endpoints.search_url,
            self.endpoints.search_api_key,
            query,
            self.version.pages_per_search,
        )
        new_notes: list[tuple[str, str]] = []
        for result in results:
            if any(url == result.url for url, _ in notes):
                continue  # already read in an earlier search
            try:
                page = fetch_page(self.http, result.url)
            except httpx2.HTTPError:
                continue  # an unreachable page is skipped, as a person would
            self._check_budget(usage)
            summary = self._summarise(question, page, usage)
            new_notes.append((page.url, summary))
            notes.append((page.url, summary))
        if not new_notes:
            return "No new pages found for this query."
        return prompts.format_notes(new_notes)

    def _summarise(self, question: str, page: Page, usage: UsageMeter) -> str:
        text = page.text[: self.version.page_chars]
        if self.version.stable_prompt_prefix:
            system = f"{prompts.RESEARCH_GUIDELINES}\n{prompts.SUMMARY_INSTRUCTIONS}"
            user = f"Question: {question}\n\nPage: {page.title}\nURL: {page.url}\n\n{text}"
        else:
            system = (
                f"You are reading {page.url} ({page.title}) to answer: {question}\n\n"
                f"{prompts.RESEARCH_GUIDELINES}\n{prompts.SUMMARY_INSTRUCTIONS}"
            )
            user = text
        response = self.llm.chat.completions.create(
            model=self.version.summary_model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            max_tokens=300,
            temperature=0,
        )
        usage.add_openai(response.usage)
        return (response.choices[0].message.content or "").strip()

    # ------------------------------------------------------------------ prompts and the answer

    def _planner_messages(self, question: str) -> list[dict[str, Any]]:
        if self.version.stable_prompt_prefix:
            system = f"{prompts.RESEARCH_GUIDELINES}\n{prompts.PLANNER_INSTRUCTIONS}"
        else:
            system = f"{prompts.PLANNER_INSTRUCTIONS}\n\n{prompts.RESEARCH_GUIDELINES}"
        return [{"role": "system", "content": system}, {"role": "user", "content": question}]

    def _write(self, question: str, notes: list[tuple[str, str]], usage: UsageMeter) -> str:
        """Stream the final answer; the usage arrives in the last chunk."""
        system = f"{prompts.RESEARCH_GUIDELINES}\n{prompts.WRITER_INSTRUCTIONS}"
        user = f"Question: {question}\n\nResearch notes:\n{prompts.format_notes(notes)}"
        stream = self.llm.chat.completions.create(
            model=self.version.writer_model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            stream=True,
            stream_options={"include_usage": True},
            temperature=0,
        )
        parts: list[str] = []
        final_usage: CompletionUsage | None = None
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
            if chunk.usage is not None:
                final_usage = chunk.usage
        usage.add_openai(final_usage)
        return "".join(parts)
