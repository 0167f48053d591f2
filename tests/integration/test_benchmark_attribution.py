"""The benchmark's in-run timing plugin (tests/benchmarks/_attribution.py) still fits the plugin.

The benchmark runs on demand, so a renamed hook or recorder method would otherwise go unnoticed
until someone next measures. This runs it in a real session, as ``bench_overhead.py --attribute``
does, and checks its figures add up.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AgentProject

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

TESTS = """
@pytest.mark.vcr
def test_agent():
    llm("first")
    llm("second")
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, object]:
    out = pytester.path / "attribution.json"
    monkeypatch.setenv("AGENTCOST_ATTRIBUTION_OUT", str(out))
    monkeypatch.setenv("PYTHONPATH", str(BENCHMARKS), prepend=os.pathsep)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "-p", "_attribution", *args)
    assert result.ret == 0, result.stdout.str()
    figures: dict[str, object] = json.loads(out.read_text())
    return figures


def test_attribution_times_every_phase_of_a_real_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = AgentProject(pytester, xdist=False)
    project.ini()
    project.module("test_agent", TESTS)
    project.chat_cassette("test_agent", "test_agent", [(1000, 100), (2000, 200)])

    with_plugin = _run(pytester, monkeypatch, "--agent-cost", "--agent-cost-json", "cost.json")
    phases = with_plugin["plugin_seconds"]
    assert isinstance(phases, dict)
    assert set(phases) == {"setup", "noting_calls", "accounting", "other_hooks", "session_end"}
    # Every phase ran: the two calls were noted, accounted when the test ended, and reported.
    assert all(seconds > 0 for seconds in phases.values()), phases
    cpu = with_plugin["cpu_seconds"]
    assert isinstance(cpu, float)
    assert sum(phases.values()) < cpu
    report = json.loads((pytester.path / "cost.json").read_text())
    assert report["tests"]["test_agent.py::test_agent"]["llm_calls"] == 2

    # Without --agent-cost the plugin does nothing, and nothing is attributed to it.
    without = _run(pytester, monkeypatch)
    assert without["plugin_seconds"] == dict.fromkeys(phases, 0.0)
    assert isinstance(without["gc_seconds"], float)


def _bench(monkeypatch: pytest.MonkeyPatch) -> Any:
    spec = importlib.util.spec_from_file_location("bench_overhead", BENCHMARKS / "bench_overhead.py")
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_overhead", bench)  # its dataclasses look their module up
    spec.loader.exec_module(bench)
    return bench


def test_share_is_the_plugins_time_over_the_rest_of_its_run(monkeypatch: pytest.MonkeyPatch) -> None:
    attribution = _bench(monkeypatch).attribution
    base = [{"gc_seconds": 1.0, "cpu_seconds": 20.0, "full_collections": 12, "plugin_seconds": {}}]
    cost = [
        {
            "gc_seconds": 1.5,
            "cpu_seconds": 22.0,
            "full_collections": 11,
            "plugin_seconds": {"accounting": 1.0, "session_end": 0.5},
        }
    ]
    # 1.0 + 0.5 of its own, 0.5 of extra collection: 2.0 over the run's other 20.0 seconds.
    figures = attribution(base, cost, n=1000)
    assert figures["attributed_ratio"] == 1.1
    assert figures["attributed_ms_per_test"] == {"accounting": 1.0, "session_end": 0.5, "gc_extra": 0.5}
    assert figures["full_collections"] == [12, 11]


@pytest.mark.parametrize(
    ("ratios", "linear"),
    [
        ((1.068, 1.042, 1.047), True),  # fixed cost spread over more tests, then steady (a real run)
        ((1.04, 1.06, 1.09), False),  # the share keeps rising: cost grows faster than the suite's
        ((1.05,), None),  # one size cannot tell
    ],
)
def test_linearity_by_attributed_share(monkeypatch: pytest.MonkeyPatch, ratios: tuple[float, ...], linear: Any) -> None:
    """With --attribute, growth is judged by the share, which the machine's drift between runs cancels."""
    rows = [
        {"n": n, "attributed_ratio": r, "cold_cpu_s": 1.0, "baseline_cpu_s": 1.0}
        for n, r in zip((200, 1000, 5000), ratios, strict=False)
    ]
    verdict = _bench(monkeypatch).linearity(rows)
    assert verdict["measure"] == "attributed share"
    assert verdict["linear"] is linear
