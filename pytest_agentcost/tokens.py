"""Token counting with tiktoken, offline-safe.

tiktoken downloads its encodings on first use. Without network this module
still answers, with a labelled approximation, and says so once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = ["TokenCount", "count_text"]

#: Characters per token used when no tiktoken encoding can be loaded.
APPROX_CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class TokenCount:
    """A token count and how it was obtained."""

    tokens: int
    encoding: str
    """The tiktoken encoding name, or ``"approx-chars/4"`` for the fallback."""
    approximate: bool
    """True when the count is not from the model's own tokenizer."""


@cache
def _encoding(name: str) -> Any:
    try:
        import tiktoken

        return tiktoken.get_encoding(name)
    except Exception as exc:  # network errors, missing cache, bad file
        warnings.warn(
            f"pytest-agentcost: tiktoken encoding {name!r} is not available ({type(exc).__name__}); "
            f"token estimates fall back to ~{APPROX_CHARS_PER_TOKEN} characters per token. "
            "Set TIKTOKEN_CACHE_DIR (or the agent_cost_tiktoken_cache ini option) to a folder "
            "holding the encoding file for exact counts offline.",
            RuntimeWarning,
            stacklevel=3,
        )
        return None


def encoding_name_for(model: str | None) -> str:
    """The tiktoken encoding for ``model`` (o200k_base for current OpenAI models)."""
    m = (model or "").lower()
    if m.startswith(("gpt-3.5", "gpt-4-", "text-embedding", "gpt-4")) and not m.startswith(
        ("gpt-4o", "gpt-4.1", "gpt-4.5")
    ):
        return "cl100k_base"
    return "o200k_base"


def count_text(text: str, model: str | None = None) -> TokenCount:
    """Count the tokens of ``text`` for ``model``."""
    name = encoding_name_for(model)
    enc = _encoding(name)
    if enc is None:
        return TokenCount(-(-len(text) // APPROX_CHARS_PER_TOKEN), "approx-chars/4", True)
    return TokenCount(len(enc.encode(text, disallowed_special=())), name, False)
