"""Ask the agent a question from the command line.

    python -m research_agent "When was Python 3.0 released?" --version v2
    python -m research_agent "What is the capital of Australia?" --claude

It uses the real APIs unless OPENAI_BASE_URL / ANTHROPIC_BASE_URL /
SEARCH_API_URL point elsewhere. ``--fake-server http://127.0.0.1:8765`` sends
everything, web pages included, to a running ``python -m fake_llm.server``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

import httpx2

from research_agent.agent import ResearchAgent
from research_agent.claude import ask_claude
from research_agent.config import VERSIONS, Endpoints


def main(argv: list[str] | None = None) -> int:
    """Run one question and print the answer, sources and token usage."""
    parser = argparse.ArgumentParser(prog="python -m research_agent", description=__doc__.split("\n\n")[0])
    parser.add_argument("question")
    parser.add_argument("--version", choices=sorted(VERSIONS), default="v1")
    parser.add_argument("--claude", action="store_true", help="the quick-answer task on the Anthropic SDK")
    parser.add_argument("--fake-server", metavar="URL", help="use a running fake_llm server for everything")
    args = parser.parse_args(argv)
    endpoints = Endpoints.from_env()
    http_client = httpx2.Client(timeout=30.0)
    if args.fake_server:
        from fake_llm.recording import WebRedirectTransport  # the example's own helper, not the agent's

        base = args.fake_server.rstrip("/")
        endpoints = dataclasses.replace(
            endpoints, openai_base_url=f"{base}/v1", anthropic_base_url=base, search_url=f"{base}/search"
        )
        http_client = httpx2.Client(transport=WebRedirectTransport(base), timeout=30.0)
    if args.claude:
        claude = ask_claude(args.question, args.version, endpoints=endpoints, http_client=http_client)
        print(claude.answer)
        print(
            f"\n{claude.calls} calls, {claude.input_tokens} input tokens "
            f"(+{claude.cache_read_input_tokens} read from cache, "
            f"{claude.cache_creation_input_tokens} written to cache), {claude.output_tokens} output tokens"
        )
        return 0
    result = ResearchAgent(args.version, endpoints=endpoints, http_client=http_client).run(args.question)
    print(result.answer)
    print()
    for url in result.sources:
        print(f"  source: {url}")
    usage = result.usage
    print(
        f"{result.steps} steps ({result.stopped_reason}), {usage.calls} calls, "
        f"{usage.input_tokens} input tokens ({usage.cached_input_tokens} cached), "
        f"{usage.output_tokens} output tokens"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
