"""GitHub Actions workflow commands and the step summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_agentcost.errors import AgentCostError
from pytest_agentcost.render.github import (
    annotation,
    append_step_summary,
    escape_data,
    escape_property,
    in_github_actions,
)


# Expected values follow actions/toolkit packages/core/src/command.ts (escapeData / escapeProperty).
@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("", "", ""),
        ("100%", "100%25", "100%25"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("t.py::test_x", "t.py::test_x", "t.py%3A%3Atest_x"),
        ("a,b", "a,b", "a%2Cb"),
        # '%' first, so an input that already looks escaped stays unambiguous.
        ("%0A", "%250A", "%250A"),
        ("x: 5%, y\n", "x: 5%25, y%0A", "x%3A 5%25%2C y%0A"),
        ("$0.0012 → $0.0020", "$0.0012 → $0.0020", "$0.0012 → $0.0020"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("error", "cost up"), {}, "::error::cost up"),
        (("notice", "new test"), {"file": "tests/test_a.py"}, "::notice file=tests/test_a.py::new test"),
        (
            ("warning", "cost up 25%\nwas $0.10"),
            {"file": "tests/test_a.py", "line": 12, "title": "Agent cost: test_a.py::test_x"},
            "::warning file=tests/test_a.py,line=12,title=Agent cost%3A test_a.py%3A%3Atest_x"
            "::cost up 25%25%0Awas $0.10",
        ),
        (("error", "m"), {"line": 3}, "::error line=3::m"),
        (("error", "m"), {"title": "a,b"}, "::error title=a%2Cb::m"),
        # Empty properties are left out, as the toolkit does.
        (("error", "m"), {"file": "", "title": ""}, "::error::m"),
        (("error", "a::b"), {}, "::error::a::b"),
    ],
)
def test_annotation(args: tuple[str, str], kwargs: dict[str, object], expected: str) -> None:
    assert annotation(*args, **kwargs) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("fatal", "m"), {}, "annotation level must be one of error, warning, notice, not 'fatal'"),
        (("error", "m"), {"line": 0}, "annotation line must be 1 or more, not 0"),
    ],
)
def test_annotation_rejects(args: tuple[str, str], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as info:  # noqa: PT011 - the exact text is asserted below
        annotation(*args, **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"GITHUB_ACTIONS": "true"}, True),
        ({"GITHUB_ACTIONS": "false"}, False),
        ({"GITHUB_ACTIONS": ""}, False),
        ({}, False),
    ],
)
def test_in_github_actions(environ: dict[str, str], expected: bool) -> None:
    assert in_github_actions(environ) is expected


def test_step_summary_unset_writes_nothing(tmp_path: Path) -> None:
    assert append_step_summary("# hi", {}) is False
    assert append_step_summary("# hi", {"GITHUB_STEP_SUMMARY": ""}) is False
    assert list(tmp_path.iterdir()) == []


def test_step_summary_appends_with_newline(tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}

    assert append_step_summary("## Agent cost\n| a | $0.10 → $0.12 |", env) is True
    assert append_step_summary("second\n", env) is True

    assert summary.read_bytes() == ("earlier step\n## Agent cost\n| a | $0.10 → $0.12 |\nsecond\n".encode())


def test_step_summary_creates_missing_file(tmp_path: Path) -> None:
    summary = tmp_path / "new.md"
    assert append_step_summary("x", {"GITHUB_STEP_SUMMARY": str(summary)}) is True
    assert summary.read_bytes() == b"x\n"


def test_step_summary_unwritable_is_a_clean_error(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "summary.md"
    with pytest.raises(AgentCostError) as info:
        append_step_summary("x", {"GITHUB_STEP_SUMMARY": str(target)})
    assert str(info.value) == f"cannot append to the GitHub step summary {target}: No such file or directory"


def test_repo_path_is_relative_to_the_checkout(tmp_path: Path) -> None:
    from pytest_agentcost.gate import repo_path

    checkout = tmp_path / "repo"
    rootdir = checkout / "example_project"
    rootdir.mkdir(parents=True)
    env = {"GITHUB_WORKSPACE": str(checkout)}
    assert repo_path("tests/test_x.py", rootdir, env) == "example_project/tests/test_x.py"
    assert repo_path("tests/test_x.py", checkout, env) == "tests/test_x.py"
    # No workspace, or a rootdir outside it: pytest's own relative path.
    assert repo_path("tests/test_x.py", rootdir, {}) == "tests/test_x.py"
    assert repo_path("tests/test_x.py", tmp_path / "elsewhere", env) == "tests/test_x.py"
