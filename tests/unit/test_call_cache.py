"""CallCache: round trip, namespace isolation, tolerance of bad stored data."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_agentcost.cache import CallCache, interaction_key, namespace
from pytest_agentcost.interaction import Interaction
from pytest_agentcost.models import PriceSource

ENTRY: Any = ("openai", "openai.chat", "gpt-4o-mini", (10, 2, 0, 0, 0), "0.0000027", True, False, 1, None, False, ())


def test_round_trip_through_the_store() -> None:
    cache = CallCache("ns")
    cache.put("k", ENTRY)
    again = CallCache("ns", cache.to_store())
    assert again.get("k") == ENTRY
    assert again.hits == 1
    assert again.get("other") is None
    assert again.misses == 1


def test_another_namespace_starts_empty() -> None:
    cache = CallCache("ns")
    cache.put("k", ENTRY)
    assert CallCache("other", cache.to_store()).get("k") is None


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "junk",
        {"namespace": "ns", "entries": "x"},
        {"namespace": "ns", "entries": {"k": [1, 2]}},
        {"namespace": "ns", "entries": {"k": [None, "e", None, [1, -1, 0, 0, 0], None, 1, 0, 0, None, 0, []]}},
        {"namespace": "ns", "entries": {"k": [None, "e", None, [1, 1, 0, 0, 0], "nan?", 1, 0, 0, None, 0, []]}},
    ],
)
def test_bad_stored_data_is_a_miss(stored: Any) -> None:
    assert CallCache("ns", stored).get("k") is None


def test_key_changes_with_any_byte_and_namespace_with_prices() -> None:
    a = Interaction("POST", "https://api.openai.com/v1/chat/completions", {}, b"{}", 200, {}, b'{"usage": 1}')
    b = Interaction("POST", "https://api.openai.com/v1/chat/completions", {}, b"{}", 200, {}, b'{"usage": 2}')
    assert interaction_key(a) != interaction_key(b)
    assert interaction_key(a) == interaction_key(a)
    assert namespace(PriceSource(version="1"), {}) != namespace(PriceSource(version="2"), {})
    assert namespace(PriceSource(), {}) != namespace(PriceSource(), {"gw.local": "openai"})
