"""Deterministic JSON and atomic file writes."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["dump_json", "read_json", "write_atomic", "write_file"]


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


def read_json(path: Path, what: str) -> Any:
    """The JSON at ``path``; ``ValueError`` naming the file as ``what`` when it cannot be read,
    is not UTF-8 or is not JSON (callers raise it as their own error type)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=unique_keys)
    except ValueError as exc:  # UnicodeDecodeError included
        raise ValueError(f"{path}: {what} is not valid JSON ({exc})") from None
    except RecursionError:
        raise ValueError(f"{path}: {what} is nested too deeply to read") from None


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's ``pairs`` as a dict; ValueError on a key given twice, which a file we write
    never holds and a hand edit should not leave (the last would win, unsaid)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {key!r} is given twice in one object")
        found[key] = value
    return found


def _reject(value: Any) -> Any:
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def write_atomic(path: Path, text: str | bytes | Iterable[str]) -> None:
    """Write ``text`` (a string, string pieces or bytes) to ``path`` through a temp file beside it
    and ``os.replace``. A reader (or a crash) never sees a half-written file.

    The file gets the permissions a plain ``open(path, "w")`` would give it: those of the file
    it replaces, else the default for new files (the umask applied to 0o666). A temp file from
    ``tempfile.mkstemp`` would leave every report and baseline readable by its owner only.
    A symlink is written through: the file it points to is replaced, the link kept.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # mkdir's own words, "File exists", for a parent that is a file
        raise NotADirectoryError(errno.ENOTDIR, f"{os.strerror(errno.ENOTDIR)}: {path.parent}") from None
    fd, tmp = _create_temp(path)
    try:
        with contextlib.suppress(OSError):  # keep the replaced file's mode (not on every filesystem)
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as binary:
                binary.write(text)
                binary.flush()
                os.fsync(binary.fileno())
        else:
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


def write_file(path: Path, text: str | bytes | Iterable[str]) -> None:
    """:func:`write_atomic`, failing with one line naming the file (``AgentCostError``)."""
    from pytest_agentcost.errors import AgentCostError

    try:
        write_atomic(path, text)
    except OSError as exc:
        raise AgentCostError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _create_temp(path: Path) -> tuple[int, str]:
    """A new, exclusively created temp file beside ``path``, with the umask's default mode."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file beside {path}")
