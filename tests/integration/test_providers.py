"""Every provider and variant of the corpus, replayed in a real pytest session.

Each case's cassette (tests/data/cassettes, each provider's real wire format,
streamed and not) is replayed through vcrpy by a generated test; the JSON
report must carry the token counts and the cost worked out by hand in
tests/provider_cases.py, with and without pytest-xdist, byte for byte alike.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent.parent


def _load_cases() -> list[dict[str, Any]]:
    # Loaded by path: another "tests" package on sys.path must not shadow ours.
    spec = importlib.util.spec_from_file_location("_provider_cases", HERE / "provider_cases.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cases: list[dict[str, Any]] = module.CASES
    return cases


CASES = _load_cases()

REPLAY_MODULE = """
import urllib.error
import urllib.request

import pytest
import vcr

from cases_data import CASES


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    with vcr.use_cassette("cassettes/" + case["cassette"], record_mode="none"):
        for r in case["requests"]:
            body = r["body"]
            if isinstance(body, str):
                body = body.encode()
            req = urllib.request.Request(r["url"], data=body if r["method"] != "GET" else None, method=r["method"])
            try:
                urllib.request.urlopen(req).read()
            except urllib.error.HTTPError as exc:
                exc.read()
"""


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the corpus once without and once with xdist; return both JSON reports."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(HERE / "data" / "cassettes", root / "cassettes")
    slim = [{k: c[k] for k in ("id", "cassette", "requests")} for c in CASES]
    (root / "cases_data.py").write_text(f"CASES = {slim!r}\n")
    (root / "test_corpus.py").write_text(REPLAY_MODULE)
    (root / "pytest.ini").write_text("[pytest]\nagent_cost_tiktoken_download = false\n")
    results: dict[str, Any] = {}
    for name, extra in (("serial", ["-p", "no:xdist"]), ("xdist", ["-n", "2"])):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:recording",
                *extra,
                "--agent-cost",
                "--agent-cost-json",
                f"{name}.json",
                "-q",
            ],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        results[name] = (root / f"{name}.json").read_bytes()
        results[name + "_stdout"] = proc.stdout
    return results


def test_serial_and_xdist_reports_are_byte_identical(corpus_runs: dict[str, Any]) -> None:
    assert corpus_runs["serial"] == corpus_runs["xdist"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_tokens_and_cost(corpus_runs: dict[str, Any], case: dict[str, Any]) -> None:
    report = json.loads(corpus_runs["serial"])
    test = report["tests"][f"test_corpus.py::test_case[{case['id']}]"]
    assert test["outcome"] == "passed"
    assert test["llm_calls"] == case["llm_calls"]
    assert test["estimated"] is case["estimated"]
    if case["estimated"]:
        assert test["input_tokens"] > 0
        return
    for kind in (
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "reasoning_tokens",
    ):
        assert test[kind] == case[kind], kind
    assert test["tool_calls"] == case["tool_calls"]
    # Counts beyond the token kinds that the price depends on (web searches, 1-hour cache
    # writes): written only when there are any, summed per test.
    assert test.get("units", {}) == case["units"]
    if case["expected_cost_usd"] is None:  # billed by what no price prices: unpriced, and said why
        assert test["cost_usd"] is None
        assert any(case["unpriced_because"] in w for c in test["calls"] for w in c.get("warnings", []))
    else:
        assert Decimal(test["cost_usd"]) == Decimal(case["expected_cost_usd"])
    llm = [c for c in test["calls"] if c["kind"] == "llm"]
    if case["llm_calls"]:
        billed = [c for c in llm if c["billed"]]
        assert {c["endpoint"] for c in billed} == {case["endpoint"]}
        assert {c["provider"] for c in billed} == {case["provider"]}
        assert {c["model"] for c in billed} == {case["model"]}
        assert all(c["streamed"] is case["streamed"] for c in billed)
        # Written only for a tier priced apart: the standard tier leaves the key out.
        assert all(c.get("price_context", {}) == case["price_context"] for c in billed)
