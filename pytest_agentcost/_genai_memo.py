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
K = TypeVar("K", bound=Hashable)


class SnapshotMemo:
    """A dict of answers valid for one genai-prices snapshot (thread-safe).

    A read takes no lock: the snapshot and its answers are swapped together as one tuple, and
    answers are only ever added. Writes take the lock.
    """

    def __init__(self) -> None:
        self._state: tuple[object | None, dict[Hashable, Any]] = (None, {})
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[Any, K], T]) -> T:
        """The answer for ``key``, computed once per snapshot as ``compute(snapshot, key)``."""
        snapshot = get_snapshot()
        seen, answers = self._state
        if seen is snapshot and key in answers:
            return answers[key]  # type: ignore[no-any-return]
        answer = compute(snapshot, key)
        with self._lock:
            seen, answers = self._state
            if seen is not snapshot:
                if get_snapshot() is not snapshot:
                    return answer  # the data changed while computing: keep nothing
                answers = {}
                self._state = (snapshot, answers)
            answers[key] = answer
        return answer
