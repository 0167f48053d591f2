"""``functools.cached_property`` without its lock.

Before Python 3.12, ``cached_property`` takes a lock shared by every instance on each first
read. Per-call objects (an interaction is read a handful of times and dropped) pay for it on
every property they use. This descriptor computes the value on first read and stores it in
the instance ``__dict__``, where later reads find it without calling the descriptor again.
Like ``cached_property`` on 3.12+, concurrent first reads may compute the value twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

__all__ = ["cached"]

_S = TypeVar("_S")
_T = TypeVar("_T")


class cached(Generic[_S, _T]):
    """A lock-free ``cached_property`` for classes with an instance ``__dict__``."""

    def __init__(self, func: Callable[[_S], _T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> cached[_S, _T]: ...

    @overload
    def __get__(self, instance: _S, owner: type[Any] | None = None) -> _T: ...

    def __get__(self, instance: _S | None, owner: type[Any] | None = None) -> cached[_S, _T] | _T:
        if instance is None:
            return self
        value = self.func(instance)
        instance.__dict__[self.name] = value
        return value
