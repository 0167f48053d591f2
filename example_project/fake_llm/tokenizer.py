"""Token sequences for the fake server: tiktoken when it can load, else a documented approximation.

tiktoken downloads its encoding file on first use, so on an offline machine
without a cached file (``TIKTOKEN_CACHE_DIR``) it cannot load. The fallback
below is deterministic so that cassettes recorded with it are reproducible,
but its counts are NOT what OpenAI would bill: it is a stand-in with roughly
the same proportions (about 4 characters per token on English prose).

The fake server needs token *sequences*, not just counts, because prompt
caching is simulated from the longest common token prefix of two requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Hashable, Sequence

__all__ = ["APPROX_NAME", "Tokenizer", "load_tokenizer"]

#: The name reported (server banner, ``x-fake-llm-tokenizer`` header) for the fallback.
APPROX_NAME = "approx-v1"

# Pieces like GPT pre-tokenisation: an optional leading space, then a run of
# letters, of digits, or of other symbols; whitespace runs stand alone.
_PIECE = re.compile(r" ?[^\W\d_]+| ?\d+| ?[^\w\s]+|\s+|_+")
_LETTERS_PER_TOKEN = 7  # with its leading space: about 4 characters per token on English prose
_DIGITS_PER_TOKEN = 3  # o200k_base groups digits by at most three
_SYMBOLS_PER_TOKEN = 2


class Tokenizer(Protocol):
    """Turns text into a sequence of comparable tokens."""

    @property
    def name(self) -> str:
        """A label for the encoding, shown in the banner and response headers."""
        ...

    def encode(self, text: str) -> Sequence[Hashable]:
        """The tokens of ``text``."""
        ...


@dataclass(frozen=True)
class ApproxTokenizer:
    """Deterministic approximation: each pre-token piece is cut into fixed-width chunks."""

    name: str = APPROX_NAME

    def encode(self, text: str) -> list[str]:
        """Chunks of ``text``, each chunk standing for one token."""
        tokens: list[str] = []
        for match in _PIECE.finditer(text):
            piece = match.group()
            core = piece.lstrip(" ")
            if not core or piece.isspace():
                width = len(piece)  # a whitespace run is one token, whatever its length
            elif core[0].isdigit():
                width = _DIGITS_PER_TOKEN + (len(piece) - len(core))
            elif core[0].isalpha():
                width = _LETTERS_PER_TOKEN + (len(piece) - len(core))
            else:
                width = _SYMBOLS_PER_TOKEN + (len(piece) - len(core))
            tokens.extend(piece[i : i + width] for i in range(0, len(piece), width))
        return tokens


@dataclass(frozen=True)
class TiktokenTokenizer:
    """A real tiktoken encoding."""

    name: str
    encoding: Any

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``; special-token text is encoded as ordinary text."""
        ids: list[int] = self.encoding.encode(text, disallowed_special=())
        return ids


def load_tokenizer(prefer: str = "auto", encoding: str = "o200k_base") -> Tokenizer:
    """The tokenizer to use.

    ``prefer`` is ``"auto"`` (tiktoken if its encoding file loads, else the
    approximation), ``"tiktoken"`` (fail if it cannot load) or ``"approx"``.
    """
    if prefer == "approx":
        return ApproxTokenizer()
    try:
        import tiktoken

        return TiktokenTokenizer(name=f"tiktoken:{encoding}", encoding=tiktoken.get_encoding(encoding))
    except Exception:  # no network and no cached file, usually
        if prefer == "tiktoken":
            raise
        return ApproxTokenizer()
