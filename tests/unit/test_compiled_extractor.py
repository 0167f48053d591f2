"""The compiled extractor returns and raises exactly what genai-prices' own extractor does.

Documents are built from each extractor's own spec (its model path, root and one path per
usage key), so every extractor genai-prices ships is exercised on the keys it reads: all
present, each alone, each with a value of every awkward type, containers of the wrong type.
"""

from __future__ import annotations

import copy
import itertools
from decimal import Decimal
from typing import Any

import pytest
from genai_prices.data_snapshot import get_snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_agentcost._compiled_extractor import CompiledExtractor, compile_extractor


def _extractors() -> list[tuple[str, Any]]:
    return [
        (f"{provider.id}:{extractor.api_flavor}", extractor)
        for provider in get_snapshot().providers
        for extractor in provider.extractors or ()
    ]


EXTRACTORS = _extractors()


def _steps(path: Any) -> list[Any]:
    return [path] if isinstance(path, str) else list(path)


def _item_for(step: Any) -> dict[str, Any]:
    """A list item that genai-prices' ``ArrayMatch`` step selects."""
    return {step.field: step.match.equals}


def _put(doc: dict[str, Any], steps: list[Any], value: Any) -> None:
    """Set ``value`` at ``steps`` in ``doc``, creating dicts and matching list items on the way."""
    node: Any = doc
    for step, following in itertools.pairwise(steps):
        if isinstance(step, str):
            default: Any = [] if not isinstance(following, str) else {}
            node = node.setdefault(step, default)
        else:
            found = step.extract(node)
            if found is None:
                found = _item_for(step)
                node.append(found)
            node = found
    node[steps[-1]] = value


def _document(extractor: Any, values: dict[int, Any], model: Any = "some-model") -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if model is not None:
        _put(doc, _steps(extractor.model_path), model)
    root = _steps(extractor.root)
    _put(doc, [*root, "__placeholder__"], 0)
    usage = doc
    for step in root:
        usage = usage[step]
    del usage["__placeholder__"]
    for index, value in values.items():
        _put(usage, _steps(extractor.mappings[index].path), value)
    return doc


def _outcome(extract: Any, document: Any) -> tuple[Any, ...]:
    try:
        model, usage = extract(copy.deepcopy(document))
    except ValueError as exc:
        return ("error", type(exc).__name__, str(exc))
    return ("ok", model, type(usage).__name__, vars(usage))


def _assert_same(extractor: Any, document: Any) -> None:
    compiled = compile_extractor(extractor)
    assert isinstance(compiled, CompiledExtractor)
    assert _outcome(compiled.extract, document) == _outcome(extractor.extract, document), document


def _required(extractor: Any) -> dict[int, Any]:
    return {i: 7 + i for i, mapping in enumerate(extractor.mappings) if mapping.required}


AWKWARD = [0, 1.5, -1, True, None, "12", Decimal("3"), {}, [], float("nan")]


@pytest.mark.parametrize(("name", "extractor"), EXTRACTORS, ids=[name for name, _ in EXTRACTORS])
def test_every_extractor_reads_documents_identically(name: str, extractor: Any) -> None:
    mappings = extractor.mappings
    everything = {i: 100 + 10 * i for i in range(len(mappings))}
    required = _required(extractor)
    documents = [
        _document(extractor, everything),
        _document(extractor, required),
        _document(extractor, everything, model=None),
        _document(extractor, everything, model=42),
        _document(extractor, {}),
        {},
        {"usage": None, "usageMetadata": None},
        [],
        "not a mapping",
    ]
    for index in range(len(mappings)):
        documents.append(_document(extractor, {**required, index: 5}))
        documents.extend(_document(extractor, {**everything, index: value}) for value in AWKWARD)
    root = _steps(extractor.root)
    for bad_root in (None, [], 3, "usage"):
        doc = _document(extractor, everything)
        parent = doc
        for step in root[:-1]:
            parent = parent[step]
        parent[root[-1]] = bad_root
        documents.append(doc)
    for document in documents:
        _assert_same(extractor, document)


@pytest.mark.parametrize(("name", "extractor"), EXTRACTORS, ids=[name for name, _ in EXTRACTORS])
def test_the_fast_path_decides_well_formed_documents(name: str, extractor: Any) -> None:
    """A walker that always deferred would pass the equality test: it must decide the common case."""
    compiled = compile_extractor(extractor)
    assert isinstance(compiled, CompiledExtractor)
    everything = {i: 100 + 10 * i for i in range(len(extractor.mappings))}
    for values in (everything, _required(extractor) or {0: 1}):
        document = _document(extractor, values)
        decided = compiled._read(copy.deepcopy(document))
        assert decided is not None, document
        model, usage = decided
        assert ("ok", model, type(usage).__name__, vars(usage)) == _outcome(extractor.extract, document)


def test_array_steps_pick_the_matching_item() -> None:
    """Gemini's per-modality counts sit in lists selected by genai-prices' ArrayMatch steps."""
    google = next(e for name, e in EXTRACTORS if name == "google:default")
    document = {
        "modelVersion": "gemini-2.5-flash",
        "usageMetadata": {
            "promptTokenCount": 120,
            "candidatesTokenCount": 30,
            "promptTokensDetails": [{"modality": "AUDIO", "tokenCount": 20}, {"modality": "TEXT", "tokenCount": 100}],
        },
    }
    model, usage = compile_extractor(google).extract(document)
    assert model == "gemini-2.5-flash"
    assert vars(usage) == vars(google.extract(document)[1])
    assert usage.input_audio_tokens == 20


VALUE = st.one_of(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from(AWKWARD),
    st.just("absent"),
)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_random_documents_from_each_spec(data: st.DataObject) -> None:
    _, extractor = data.draw(st.sampled_from(EXTRACTORS))
    values = {}
    for index in range(len(extractor.mappings)):
        value = data.draw(VALUE)
        if value != "absent":
            values[index] = value
    model = data.draw(st.sampled_from(["m", None, 3]))
    _assert_same(extractor, _document(extractor, values, model=model))


def test_an_unknown_spec_keeps_genai_prices_extractor() -> None:
    class Odd:
        def __init__(self) -> None:
            self.api_flavor = "default"
            self.model_path = "model"
            self.root = ["usage", 3]  # not a path this code knows how to walk
            self.mappings: list[Any] = []
            self._reported_usage_keys: frozenset[str] = frozenset()

    odd = Odd()
    assert compile_extractor(odd) is odd


def test_usage_extraction_goes_through_the_compiled_extractors() -> None:
    from pytest_agentcost import usage

    for provider, endpoint in [
        ("openai", "openai.chat"),
        ("anthropic", "anthropic.messages"),
        (None, "gemini.generate_content"),
    ]:
        extractors = usage._extractors(provider, endpoint)
        assert extractors, endpoint
        assert all(isinstance(e, CompiledExtractor) for e in extractors), endpoint
