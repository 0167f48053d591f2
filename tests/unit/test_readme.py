"""The README's commands are ones a reader can run as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"


def _section(text: str, title: str) -> str:
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else None]


def test_first_two_commands_install_this_checkout() -> None:
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks[0].strip() == (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[example]' && "
        "(cd example_project && ../.venv/bin/pytest --agent-cost)"
    )
    assert blocks[1].strip() == "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest -n 2"


def test_adoption_steps_install_from_a_path_or_git_not_from_pypi() -> None:
    # pytest-agentcost is not published on PyPI: `pip install pytest-agentcost` fails there.
    steps = _section(README.read_text(encoding="utf-8"), "Add it to a project")
    installs = re.findall(r"pip install ([^\s`]+)", steps)
    assert installs, steps
    assert "pytest-agentcost" not in installs
    assert any(target.startswith('"git+https://') for target in installs), installs
    assert any(target.startswith("/") for target in installs), installs


def test_the_security_section_lists_every_header_redacted() -> None:
    from pytest_agentcost.redact import DEFAULT_FILTER_HEADERS

    security = _section(README.read_text(encoding="utf-8"), "Security")
    assert [h for h in DEFAULT_FILTER_HEADERS if f"`{h}`" not in security] == []


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation but hyphens dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_to_a_section_names_a_heading() -> None:
    text = README.read_text(encoding="utf-8")
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # a "# comment" in a code block is no heading
    anchors = {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", prose, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    assert len(links) >= 10
    assert [link for link in links if link not in anchors] == []
