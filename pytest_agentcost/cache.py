"""A cross-run cache of extracted and priced calls, keyed by the interaction's bytes.

A replayed interaction gives the same usage and cost every run as long as its
bytes, the price source and this plugin's version stay the same. Reading usage
and pricing it with genai-prices is most of the plugin's per-call cost, so the
plugin keeps its results in pytest's cache (``.pytest_cache``, the cacheprovider
plugin) and skips that work on the next run. The namespace holds everything a
result depends on besides the interaction itself; a different namespace starts
empty. Estimated calls (tiktoken-dependent) are never cached.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from pytest_agentcost.interaction import Interaction
from pytest_agentcost.models import PriceSource, TokenUsage

__all__ = ["CACHE_KEY", "CachedCall", "CallCache", "interaction_key", "namespace", "usage_tuple"]

#: Key of the entry in pytest's cache.
CACHE_KEY = "agentcost/calls"
#: Entries kept at most; past that only this run's entries are kept.
MAX_ENTRIES = 200_000

CachedCall = tuple[
    str | None,  # provider
    str,  # endpoint
    str | None,  # model
    tuple[int, int, int, int, int],  # token kinds
    str | None,  # cost (Decimal string) or None when unpriced
    bool,  # billed
    bool,  # streamed
    int,  # tool calls
    str | None,  # response id
    bool,  # is poll
    tuple[str, ...],  # warnings
]


def namespace(price_source: PriceSource, host_providers: Mapping[str, str]) -> str:
    """Everything besides the interaction that a cached result depends on."""
    digest = hashlib.blake2b(digest_size=16)
    # The code that extracts and prices: a changed extractor must not reuse old results.
    here = Path(__file__).parent
    for name in ("usage.py", "_sse.py", "_eventstream.py", "accounting.py", "pricing.py", "interaction.py"):
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    digest.update(json.dumps(price_source.to_dict(), sort_keys=True).encode())
    digest.update(json.dumps(dict(host_providers), sort_keys=True).encode())
    return digest.hexdigest()


def interaction_key(interaction: Interaction) -> str:
    """A digest of everything usage extraction can look at."""
    digest = hashlib.blake2b(digest_size=20)
    for part in (interaction.method, interaction.url, str(interaction.status)):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    for name in sorted(interaction.response_headers):
        digest.update(f"{name}:{interaction.response_headers[name]}\n".encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(interaction.request_body)
    digest.update(b"\0")
    digest.update(interaction.response_body)
    return digest.hexdigest()


class CallCache:
    """Entries loaded from the previous run, plus what this run adds or uses."""

    def __init__(self, namespace: str, stored: Any = None) -> None:
        self.namespace = namespace
        self._old: dict[str, list[Any]] = {}
        if isinstance(stored, Mapping) and stored.get("namespace") == namespace:
            entries = stored.get("entries")
            if isinstance(entries, Mapping):
                self._old = {str(k): v for k, v in entries.items() if isinstance(v, list) and len(v) == 11}
        self.used: dict[str, list[Any]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> CachedCall | None:
        raw = self.used.get(key) or self._old.get(key)
        if raw is None:
            self.misses += 1
            return None
        try:
            entry = _decode(raw)
        except (TypeError, ValueError, ArithmeticError):
            self.misses += 1
            return None
        self.used[key] = raw
        self.hits += 1
        return entry

    def put(self, key: str, entry: CachedCall) -> None:
        self.used[key] = _encode(entry)

    def merge_used(self, entries: Mapping[str, Any]) -> None:
        """Add entries another process (an xdist worker) used."""
        for key, raw in entries.items():
            if isinstance(raw, list) and len(raw) == 11:
                self.used[str(key)] = raw

    def to_store(self) -> dict[str, Any]:
        entries = dict(self._old)
        entries.update(self.used)
        if len(entries) > MAX_ENTRIES:
            entries = dict(self.used)
        return {"namespace": self.namespace, "entries": entries}


def _encode(entry: CachedCall) -> list[Any]:
    provider, endpoint, model, tokens, cost, billed, streamed, tool_calls, rid, is_poll, warnings = entry
    return [provider, endpoint, model, list(tokens), cost, billed, streamed, tool_calls, rid, is_poll, list(warnings)]


def _decode(raw: list[Any]) -> CachedCall:
    provider, endpoint, model, tokens, cost, billed, streamed, tool_calls, rid, is_poll, warnings = raw
    counts = tuple(int(t) for t in tokens)
    if len(counts) != 5 or any(t < 0 for t in counts):
        raise ValueError("bad token counts")
    if cost is not None:
        Decimal(cost)  # validate
    return (
        provider,
        str(endpoint),
        model,
        (counts[0], counts[1], counts[2], counts[3], counts[4]),
        cost,
        bool(billed),
        bool(streamed),
        int(tool_calls),
        rid,
        bool(is_poll),
        tuple(str(w) for w in warnings),
    )


def usage_tuple(usage: TokenUsage) -> tuple[int, int, int, int, int]:
    return (
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_read_tokens,
        usage.cache_write_tokens,
        usage.reasoning_tokens,
    )
