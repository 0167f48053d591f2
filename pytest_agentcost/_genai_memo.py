"""Answers derived from genai-prices' data, kept until that data changes.

A suite asks the same few questions of genai-prices thousands of times (which provider a URL
is, which extractors read an endpoint, a model's compiled price). Each answer is kept here
under its key, and all are dropped if the active genai-prices snapshot is replaced (its
``set_custom_snapshot`` or updater), so an answer never outlives the data it came from.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from genai_prices.data_snapshot import get_snapshot

__all__ = ["SnapshotMemo"]

T = TypeVar("T")


class SnapshotMemo:
    """A dict of answers valid for one genai-prices snapshot (thread-safe)."""

    def __init__(self) -> None:
        self._answers: dict[Hashable, Any] = {}
        self._snapshot: object | None = None
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[Any], T]) -> T:
        """The answer for ``key``, computed once per snapshot as ``compute(snapshot)``."""
        snapshot = get_snapshot()
        with self._lock:
            if snapshot is not self._snapshot:
                self._answers.clear()
                self._snapshot = snapshot
            if key in self._answers:
                return self._answers[key]  # type: ignore[no-any-return]
        answer = compute(snapshot)
        with self._lock:
            if snapshot is self._snapshot:
                self._answers[key] = answer
        return answer
