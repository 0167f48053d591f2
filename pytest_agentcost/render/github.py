"""GitHub Actions output: workflow-command annotations and the job step summary.

Pure string building plus one file append; nothing here talks to the network
(the pull-request comment lives in :mod:`pytest_agentcost.github_api`).

The escaping follows the runner's workflow-command parser as implemented by
``actions/toolkit`` (``packages/core/src/command.ts``: ``escapeData`` and
``escapeProperty``): a message only needs ``%``, CR and LF escaped, a property
value also ``:`` and ``,`` because those delimit the property list.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

from pytest_agentcost.errors import AgentCostError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "AnnotationLevel",
    "annotation",
    "append_step_summary",
    "escape_data",
    "escape_property",
    "in_github_actions",
]

AnnotationLevel = Literal["error", "warning", "notice"]

_LEVELS: frozenset[str] = frozenset({"error", "warning", "notice"})


def escape_data(value: str) -> str:
    """Escape a workflow-command message: ``%`` -> ``%25``, CR -> ``%0D``, LF -> ``%0A``.

    ``%`` goes first so the escapes added for CR and LF are not escaped again.
    """
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow-command property value: as :func:`escape_data`, plus ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: AnnotationLevel,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    title: str | None = None,
) -> str:
    """Build one annotation command, e.g. ``::error file=t.py,line=3,title=Cost::up 20%25``.

    Properties are written in the order file, line, title; ``None`` or empty
    ones are left out, as the toolkit does. ``line`` is 1-based.
    """
    if level not in _LEVELS:
        raise ValueError(f"annotation level must be one of error, warning, notice, not {level!r}")
    if line is not None and line < 1:
        raise ValueError(f"annotation line must be 1 or more, not {line}")
    properties: list[str] = []
    if file:
        properties.append(f"file={escape_property(file)}")
    if line is not None:
        properties.append(f"line={line}")
    if title:
        properties.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(properties)}" if properties else f"::{level}"
    return f"{head}::{escape_data(message)}"


def in_github_actions(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this process runs in a GitHub Actions job (the runner sets ``GITHUB_ACTIONS=true``)."""
    return environ.get("GITHUB_ACTIONS") == "true"


def append_step_summary(markdown: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Append ``markdown`` to the job summary file named by ``$GITHUB_STEP_SUMMARY``.

    Returns ``False`` (writing nothing) when the variable is unset or empty,
    ``True`` after writing. A trailing newline is added when missing so the
    next step's summary starts on its own line. Raises
    :class:`~pytest_agentcost.errors.AgentCostError` when the file cannot be
    written.
    """
    path = environ.get("GITHUB_STEP_SUMMARY", "")
    if not path:
        return False
    text = markdown if markdown.endswith("\n") else markdown + "\n"
    try:
        # Append, never replace: earlier steps of the job own what is already there.
        with open(path, "a", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        raise AgentCostError(f"cannot append to the GitHub step summary {path}: {exc.strerror or exc}") from exc
    return True
