"""The fast ``__init__`` of the per-call frozen dataclasses is the generated one, faster."""

from __future__ import annotations

import dataclasses
import inspect
from decimal import Decimal
from typing import Any

import pytest

from pytest_agentcost._frozen import fast_frozen_init
from pytest_agentcost.models import CallRecord, TokenUsage, _Tally


def _reference(cls: type) -> type:
    """The same dataclass with the ``__init__`` dataclasses generates."""
    fields = [(f.name, f.type, f) for f in dataclasses.fields(cls)]
    clone = [
        (name, annotation, dataclasses.field(default=f.default, default_factory=f.default_factory))
        for name, annotation, f in fields
    ]
    return dataclasses.make_dataclass(cls.__name__, clone, frozen=True, slots=True)


@pytest.mark.parametrize("cls", [CallRecord, TokenUsage, _Tally])
def test_signature_is_the_generated_one(cls: type) -> None:
    ours = inspect.signature(cls)
    generated = inspect.signature(_reference(cls))
    assert list(ours.parameters) == list(generated.parameters)
    factories = {f.name for f in dataclasses.fields(cls) if f.default_factory is not dataclasses.MISSING}
    for name, param in ours.parameters.items():
        other = generated.parameters[name]
        assert param.kind == other.kind
        if name not in factories:  # a default factory's default is a sentinel in both
            assert param.default is other.default


def test_records_built_either_way_are_equal() -> None:
    reference = _reference(CallRecord)
    usage = TokenUsage(10, 5, 2, 1, 3)
    args = ("llm", "api.openai.com", 200, "openai", "openai.chat", "gpt-4o", usage, Decimal("0.0012"))
    kwargs: dict[str, Any] = {
        "streamed": True,
        "tool_calls": 2,
        "cassette": "c.yaml",
        "warnings": ("w",),
        "response_id": "r1",
    }
    ours = CallRecord(*args, **kwargs)
    theirs = reference(*args, **kwargs)
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)
    assert ours == CallRecord(*args, **kwargs)
    assert hash(ours) == hash(CallRecord(*args, **kwargs))
    assert ours != CallRecord(*args, **{**kwargs, "tool_calls": 3})
    # Every field set, in order, from positional arguments too.
    values = [getattr(ours, f.name) for f in dataclasses.fields(CallRecord)]
    assert CallRecord(*values) == ours


def test_defaults_and_default_factories() -> None:
    record = CallRecord("tool", "search.example", 200)
    assert dataclasses.astuple(record) == dataclasses.astuple(_reference(CallRecord)("tool", "search.example", 200))
    assert record.usage == TokenUsage()
    assert record.cost_usd == Decimal(0)
    assert record.billed is True
    # The factory runs per instance, as in the generated __init__.
    assert CallRecord("tool", "h", 200).usage is not CallRecord("tool", "h", 200).usage
    given = TokenUsage(1, 2)
    assert CallRecord("llm", "h", 200, usage=given).usage is given
    assert TokenUsage(1) == TokenUsage(input_tokens=1, output_tokens=0)


def test_still_frozen_and_argument_errors_are_the_generated_ones() -> None:
    record = CallRecord("llm", "h", 200)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.status = 500  # type: ignore[misc]
    with pytest.raises(TypeError, match="status"):
        CallRecord("llm", "h")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="colour"):
        CallRecord("llm", "h", 200, colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        TokenUsage(1, 2, 3, 4, 5, (), 7)  # type: ignore[call-arg]
    assert dataclasses.replace(record, status=429).status == 429


def test_refuses_what_it_cannot_reproduce() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class PostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class KwOnly:
        a: int

    for cls in (NoSlots, NotFrozen, PostInit, KwOnly):
        with pytest.raises(TypeError):
            fast_frozen_init(cls)
