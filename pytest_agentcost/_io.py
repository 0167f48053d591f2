"""Deterministic JSON and atomic file writes."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["dump_json", "write_atomic"]


def dump_json(data: Any, first_keys: tuple[str, ...] = ("schema_version",)) -> str:
    """JSON text for review: ``indent=2``, keys sorted (``first_keys`` first), trailing newline."""
    if isinstance(data, dict):
        head = {k: data[k] for k in first_keys if k in data}
        rest = {k: data[k] for k in sorted(data) if k not in head}
        head_sorted = {k: _sorted(v) for k, v in {**head, **rest}.items()}
        body = json.dumps(head_sorted, indent=2, ensure_ascii=False, default=_reject)
        return body + "\n"
    return json.dumps(_sorted(data), indent=2, ensure_ascii=False, default=_reject) + "\n"


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list | tuple):
        return [_sorted(v) for v in value]
    return value


def _reject(value: Any) -> Any:
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file beside it and ``os.replace``.

    A reader (or a crash) never sees a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
