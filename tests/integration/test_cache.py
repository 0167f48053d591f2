"""The cross-run call cache: a warm run reports exactly what a cold one does."""

from __future__ import annotations

import json

import pytest

from tests.conftest import AgentProject

TESTS = """
@pytest.mark.vcr
def test_task():
    llm("a")
    llm("b")
"""


@pytest.mark.parametrize("xdist", [False, True], ids=["no-xdist", "xdist"])
def test_warm_run_equals_cold_run(pytester: pytest.Pytester, xdist: bool) -> None:
    project = AgentProject(pytester, xdist=xdist)
    project.ini("agent_cost_cache = true\n")
    project.module("test_agent", TESTS)
    project.chat_cassette("test_agent", "test_task", [(1000, 100), (2000, 200)])
    extra = ["-n", "2"] if xdist else ["-p", "no:xdist"]

    def run(name: str) -> bytes:
        result = pytester.runpytest_subprocess(*extra, "--agent-cost", "--agent-cost-json", name)
        assert result.ret == 0, result.stdout.str()
        return (pytester.path / name).read_bytes()

    cold = run("cold.json")
    cache_file = pytester.path / ".pytest_cache" / "v" / "agentcost" / "calls"
    stored = json.loads(cache_file.read_text())
    assert len(stored["entries"]) == 2
    assert run("warm.json") == cold
    # A cassette re-recorded with other numbers misses the cache: new bytes, new key.
    project.chat_cassette("test_agent", "test_task", [(1000, 100), (4000, 200)])
    changed = json.loads(run("changed.json"))
    assert changed["tests"]["test_agent.py::test_task"]["input_tokens"] == 5000
    # A corrupt cache is a cold cache, never an error.
    cache_file.write_text("{not json")
    assert json.loads(run("after-corrupt.json"))["tests"]["test_agent.py::test_task"]["input_tokens"] == 5000


def test_cache_is_off_by_default(pytester: pytest.Pytester) -> None:
    project = AgentProject(pytester, xdist=False)
    project.ini()
    project.module("test_agent", TESTS)
    project.chat_cassette("test_agent", "test_task", [(1000, 100), (2000, 200)])
    result = pytester.runpytest_subprocess("-p", "no:xdist", "--agent-cost")
    assert result.ret == 0
    assert not (pytester.path / ".pytest_cache" / "v" / "agentcost").exists()
