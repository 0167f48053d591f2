"""The bundled example, end to end: passes against its baseline; a longer prompt,
re-recorded against the local fake server, fails the gate and names the task.

This also replays cassettes through the real openai and anthropic SDK clients.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "example_project"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    dest = tmp_path / "example_project"
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return dest


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize("xdist", [False, True], ids=["no-xdist", "xdist"])
def test_example_passes_against_its_baseline(example: Path, xdist: bool) -> None:
    extra = ["-n", "2"] if xdist else ["-p", "no:xdist"]
    result = _pytest(example, *extra, "--agent-cost", "--agent-cost-json", "cost.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "compared with baseline: 11 unchanged" in result.stdout
    report = json.loads((example / "cost.json").read_text())
    providers = {c["provider"] for t in report["tests"].values() for c in t["calls"] if c["kind"] == "llm"}
    assert providers == {"openai", "anthropic"}
    assert report["by_model"]["anthropic:claude-sonnet-4-6"]["calls"] == 4
    assert report["totals"]["tool_http_calls"] > 0


def test_the_example_without_its_baseline_is_a_first_run_not_an_error(example: Path) -> None:
    # Review 37: its ini named the default baseline file, and a named file that is missing stops
    # the run (exit 4): a team copying the ini had every PR fail until main had a baseline.
    (example / "agent-cost-baseline.json").unlink()
    result = _pytest(example, "-p", "no:xdist", "--agent-cost", "--agent-cost-markdown", "cost.md")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no baseline at " in result.stdout
    assert "No baseline yet" in (example / "cost.md").read_text()


def test_longer_prompt_rerecorded_fails_the_gate(example: Path) -> None:
    prompts = example / "research_agent" / "prompts.py"
    source = prompts.read_text()
    old = "on summaries of pages. Two or three sentences."
    assert old in source
    prompts.write_text(source.replace(old, old + " Quote the exact sentences that support each fact."))
    record = subprocess.run(
        [sys.executable, "record.py", "-k", "python3_release_date"],
        cwd=example,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert record.returncode == 0, record.stdout + record.stderr
    result = _pytest(example, "-p", "no:xdist", "--agent-cost", "--agent-cost-markdown", "cost.md")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "agent cost FAILED: tests/test_research_tasks.py::test_python3_release_date[v1]: cost" in result.stdout
    markdown = (example / "cost.md").read_text()
    assert markdown.startswith("<!-- pytest-agentcost -->")
    assert "test_python3_release_date[v1]" in markdown
    # Accepting the change: the baseline moves and the gate passes again.
    accepted = _pytest(example, "-p", "no:xdist", "--agent-cost", "--agent-cost-update-baseline")
    assert accepted.returncode == 0, accepted.stdout
    assert _pytest(example, "-p", "no:xdist", "--agent-cost").returncode == 0
