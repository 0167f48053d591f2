"""Deterministic JSON and atomic file writes."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["dump_json", "write_atomic"]


def dump_json(data: Any, first_keys: tuple[str, ...] = ("schema_version",)) -> str:
    """JSON text for review: ``indent=2``, keys sorted (``first_keys`` first), trailing newline.

    Sorting is json's own ``sort_keys``: no deep copy of a large report is made.
    """
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, default=_reject)
    if isinstance(data, dict):
        head = [k for k in first_keys if k in data]
        if head and len(data) > len(head):
            rest = {k: v for k, v in data.items() if k not in head}
            first = ",\n".join(
                f"  {json.dumps(k)}: "
                + json.dumps(data[k], indent=2, ensure_ascii=False, sort_keys=True, default=_reject).replace(
                    "\n", "\n  "
                )
                for k in head
            )
            body = json.dumps(rest, indent=2, ensure_ascii=False, sort_keys=True, default=_reject)
            text = "{\n" + first + ",\n" + body[2:]
    return text + "\n"


def _reject(value: Any) -> Any:
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def write_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Write ``text`` (a string or string pieces) to ``path`` through a temp file beside it
    and ``os.replace``. A reader (or a crash) never sees a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
