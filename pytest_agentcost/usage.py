"""Interaction -> provider-reported usage (minimal placeholder; replaced by the full extractor)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from genai_prices import Usage

from pytest_agentcost.interaction import Interaction


@dataclass(frozen=True)
class Extraction:
    provider: str | None
    endpoint: str
    model: str | None
    usage: Usage
    streamed: bool = False
    billed: bool = True
    estimated: bool = False
    tool_calls: int = 0
    response_id: str | None = None
    is_poll: bool = False
    warnings: tuple[str, ...] = ()


def detect(interaction: Interaction, host_providers: Mapping[str, str] | None = None) -> tuple[str | None, str] | None:
    if interaction.path.endswith("/chat/completions"):
        return ("openai" if interaction.host == "api.openai.com" else None), "openai.chat"
    return None


def extract(interaction: Interaction, host_providers: Mapping[str, str] | None = None) -> Extraction | None:
    found = detect(interaction, host_providers)
    if found is None:
        return None
    provider, endpoint = found
    body = json.loads(interaction.decoded_response_body())
    u = body["usage"]
    return Extraction(
        provider,
        endpoint,
        body.get("model"),
        Usage(input_tokens=u["prompt_tokens"], output_tokens=u["completion_tokens"]),
        billed=interaction.status < 400,
    )
