"""genai-prices' usage extractors, with the per-extractor work done once.

``UsageExtractor.extract`` interprets its declarative spec (model path, root,
one path per usage key) on every call: each step of each path goes through
ABC ``isinstance`` checks, a missing optional key costs a raised ``KeyError``,
and ``Usage(**values)`` validates every value again. Gemini's extractor has 32
paths, so reading one response took about as long as everything else the
plugin does for a call together.

:class:`CompiledExtractor` reads the same spec, taken from genai-prices' data
(no path, key or provider format is written here), once, and walks it per call
over the plain ``dict``/``list``/``int`` values a JSON body decodes to. Array
steps use genai-prices' own ``ArrayMatch.extract``; repeated keys are summed
with its ``add_usage_values``.

Exact equality with ``UsageExtractor.extract`` is the contract, checked for
every extractor in genai-prices' database by
``tests/unit/test_compiled_extractor.py``. The walker handles only the case it
can decide without doubt: dict containers, non-negative ``int`` values, keys
present or absent. Anything else (a float or ``Decimal`` count, a boolean, a
negative number, a required key missing, a container of another type, a
``Usage`` that no longer stores what it is given) makes it hand the document to
``UsageExtractor.extract`` itself, which then returns or raises exactly what
genai-prices does.
"""

from __future__ import annotations

import functools
from typing import Any

from genai_prices._usage import add_usage_values
from genai_prices.types import Usage

__all__ = ["CompiledExtractor", "compile_extractor"]

#: A path step whose key or item is absent and optional: the mapping is skipped.
_ABSENT = object()
#: A case the walker does not decide: genai-prices' own extractor reads the document.
_DEFER = object()

Steps = tuple[Any, ...]


def _steps(path: Any) -> Steps:
    steps: Steps = (path,) if isinstance(path, str) else tuple(path)
    if not steps or type(steps[-1]) is not str:
        raise ValueError(f"unsupported extractor path {path!r}")
    for step in steps:
        if type(step) is not str and not callable(getattr(step, "extract", None)):
            raise ValueError(f"unsupported extractor path step {step!r}")
    return steps


def _walk(data: Any, steps: Steps, required: bool) -> Any:
    """The value at ``steps``, ``_ABSENT`` (optional and not there) or ``_DEFER``."""
    for step in steps:
        if type(data) is dict:
            if type(step) is not str:
                return _DEFER  # an array step over a mapping: genai-prices words the error
            try:
                data = data[step]
            except KeyError:
                return _DEFER if required else _ABSENT
        elif data is None:
            return _DEFER if required else _ABSENT
        elif type(data) is list and type(step) is not str:
            found = step.extract(data)
            if not found:
                return _DEFER if required else _ABSENT
            data = found
        else:
            return _DEFER
    return data


@functools.cache
def _usage_stores_values_as_given() -> bool:
    """Whether genai-prices' ``Usage`` keeps validated ``int`` values as its instance attributes.

    When it does, a ``Usage`` built from already-checked ints can skip re-validation; when a
    genai-prices release changes that, every ``Usage`` goes through its constructor again.
    """
    try:
        probe = Usage(input_tokens=3, output_tokens=2)
    except Exception:  # pragma: no cover - depends on the installed genai-prices
        return False
    return vars(probe) == {"input_tokens": 3, "output_tokens": 2}


class CompiledExtractor:
    """One genai-prices ``UsageExtractor``, ready to read many documents."""

    __slots__ = ("_build_usage", "_mappings", "_model_path", "_root", "extractor")

    def __init__(self, extractor: Any) -> None:
        self.extractor = extractor
        """The genai-prices extractor this one reproduces (and defers to)."""
        reported = extractor._reported_usage_keys  # AttributeError: a genai-prices this code does not know
        self._model_path = _steps(extractor.model_path)
        self._root = _steps(extractor.root)
        # (dest, first key, the steps after it, required): most paths are one key of the usage
        # object, and a nested path whose first key is absent is absent without a walk.
        mappings: list[tuple[str, str, Steps, bool]] = []
        for mapping in extractor.mappings:
            if mapping.dest in reported:
                steps = _steps(mapping.path)
                if type(steps[0]) is not str:
                    raise ValueError(f"unsupported extractor path {mapping.path!r}")
                mappings.append((mapping.dest, steps[0], steps[1:], bool(mapping.required)))
        self._mappings: tuple[tuple[str, str, Steps, bool], ...] = tuple(mappings)
        self._build_usage = _usage_stores_values_as_given()

    def extract(self, document: Any) -> tuple[str | None, Usage]:
        """``(model, usage)`` as ``UsageExtractor.extract`` returns them; raises what it raises."""
        result = self._read(document)
        if result is None:
            extracted: tuple[str | None, Usage] = self.extractor.extract(document)
            return extracted
        return result

    def _read(self, document: Any) -> tuple[str | None, Usage] | None:
        """The result, or None when genai-prices must read ``document`` itself."""
        model = _walk(document, self._model_path, False)
        if model is _ABSENT or model is None:
            model = None
        elif model is _DEFER or not isinstance(model, str):
            return None
        usage_obj = _walk(document, self._root, True)
        if type(usage_obj) is not dict:
            return None
        values: dict[str, int] = {}
        for dest, key, rest, required in self._mappings:
            value = usage_obj.get(key, _ABSENT)
            if value is _ABSENT or (rest and value is None):
                if required:
                    return None  # genai-prices raises for a required key it cannot find
                continue
            if rest:
                value = _walk(value, rest, required)
            if type(value) is int and value >= 0:
                if dest in values:
                    values[dest] = add_usage_values(values[dest], value)  # type: ignore[assignment]
                else:
                    values[dest] = value
            elif value is _ABSENT or (value is None and not required):
                continue
            else:
                return None
        if self._mappings and not values:
            return None  # genai-prices raises "No usage information found"
        if not self._build_usage:
            return model, Usage(**values)
        usage = Usage.__new__(Usage)
        usage.__dict__.update(values)
        return model, usage


def compile_extractor(extractor: Any) -> Any:
    """A :class:`CompiledExtractor` for ``extractor``, or ``extractor`` itself if its spec is not understood."""
    try:
        return CompiledExtractor(extractor)
    except (AttributeError, TypeError, ValueError):
        return extractor
