"""Atomic writes: whole files only, and the permissions a plain write would give."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from pytest_agentcost._io import write_atomic

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> object:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_text_pieces_and_bytes(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "report.json"
    write_atomic(target, ["{", '"a": 1', "}\n"])
    assert target.read_text(encoding="utf-8") == '{"a": 1}\n'
    write_atomic(target, "é\n")
    assert target.read_bytes() == "é\n".encode()
    write_atomic(target, b"\x00\xff")
    assert target.read_bytes() == b"\x00\xff"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]  # no temp file left


@posix_only
@pytest.mark.usefixtures("umask_022")
def test_a_new_file_gets_the_umask_default_like_open(tmp_path: Path) -> None:
    write_atomic(tmp_path / "new.json", "{}\n")
    with open(tmp_path / "plain.json", "w") as handle:
        handle.write("{}\n")
    assert _mode(tmp_path / "new.json") == _mode(tmp_path / "plain.json") == 0o644


@posix_only
@pytest.mark.usefixtures("umask_022")
def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "agent-cost-baseline.json"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert _mode(target) == 0o640
    write_atomic(tmp_path / "cache.bin", b"x")
    assert _mode(tmp_path / "cache.bin") == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old\n")

    def pieces() -> object:
        yield "partial"
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_atomic(target, pieces())  # type: ignore[arg-type]
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_read_json_refuses_a_key_given_twice_and_nesting_too_deep_in_one_line(tmp_path: Path) -> None:
    # Hardening: the last of two keys won, unsaid; a deeply nested file raised RecursionError
    # (an INTERNALERROR in a pytest run, a traceback from the CLI).
    from pytest_agentcost._io import read_json

    twice = tmp_path / "twice.json"
    twice.write_text('{"tests": {}, "tests": {"a": 1}}')
    with pytest.raises(ValueError, match="the key 'tests' is given twice in one object"):
        read_json(twice, "baseline")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match=r"deep\.json: baseline is nested too deeply to read"):
        read_json(deep, "baseline")
    fine = tmp_path / "fine.json"
    fine.write_text('{"a": {"b": [1, 2]}}')
    assert read_json(fine, "baseline") == {"a": {"b": [1, 2]}}


def test_a_symlink_is_written_through_and_a_directory_refused(tmp_path: Path) -> None:
    # Hardening: os.replace on the link put a regular file in its place and left the real
    # baseline (the link's target, elsewhere in the repository) stale.
    real = tmp_path / "shared" / "baseline.json"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "agent-cost-baseline.json"
    link.symlink_to(real)
    write_atomic(link, "new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path, "x")
