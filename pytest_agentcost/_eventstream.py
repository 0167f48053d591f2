"""A reader (and, for tests, a writer) of the AWS event-stream binary framing.

Bedrock's ``converse-stream`` and ``invoke-with-response-stream`` answer with
``application/vnd.amazon.eventstream``: a sequence of frames, each

    prelude   total length (u32 BE), headers length (u32 BE), CRC32 of those 8 bytes
    headers   name length (u8), name, value type (u8), value
    payload   usually JSON
    CRC32     of everything before it in the frame

Event frames carry ``:message-type = event`` and ``:event-type`` (e.g.
``metadata``); failures carry ``:message-type = exception`` and
``:exception-type``. The reader never raises: it stops at the first frame it
cannot read and says why.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Frame", "decode", "encode", "looks_like_eventstream"]

_PRELUDE = 12
_MIN_FRAME = _PRELUDE + 4
#: Frames larger than this are not Bedrock events; treat the body as not event-stream.
_MAX_FRAME = 16 * 1024 * 1024

HeaderValue = bool | int | bytes | str


@dataclass(frozen=True)
class Frame:
    """One decoded frame."""

    headers: Mapping[str, HeaderValue] = field(default_factory=dict)
    payload: bytes = b""

    @property
    def message_type(self) -> str:
        """``event``, ``exception`` or ``error`` (``event`` when the header is missing)."""
        value = self.headers.get(":message-type", "event")
        return value if isinstance(value, str) else "event"

    @property
    def event_type(self) -> str:
        """The ``:event-type`` (or ``:exception-type`` / ``:error-code``) header."""
        for name in (":event-type", ":exception-type", ":error-code"):
            value = self.headers.get(name)
            if isinstance(value, str):
                return value
        return ""


def looks_like_eventstream(data: bytes) -> bool:
    """True when ``data`` starts with a valid event-stream prelude (length and CRC check out)."""
    if len(data) < _MIN_FRAME:
        return False
    total, headers_len, prelude_crc = struct.unpack(">III", data[:_PRELUDE])
    lengths_ok = _MIN_FRAME <= total <= _MAX_FRAME and headers_len <= total - _MIN_FRAME
    return bool(lengths_ok and zlib.crc32(data[:8]) == prelude_crc)


def decode(data: bytes) -> tuple[list[Frame], list[str]]:
    """Decode every complete frame of ``data``.

    Returns the frames and a list of problems (a truncated last frame, a bad
    checksum, an unreadable header). Frames after a problem are not read: the
    framing cannot be trusted past it.
    """
    frames: list[Frame] = []
    problems: list[str] = []
    offset = 0
    while offset < len(data):
        remaining = len(data) - offset
        if remaining < _MIN_FRAME:
            problems.append(f"event stream ends with {remaining} stray bytes (truncated frame)")
            break
        total, headers_len, prelude_crc = struct.unpack(">III", data[offset : offset + _PRELUDE])
        if zlib.crc32(data[offset : offset + 8]) != prelude_crc:
            problems.append(f"event stream frame at byte {offset} has a bad prelude checksum")
            break
        if total < _MIN_FRAME or headers_len > total - _MIN_FRAME or total > _MAX_FRAME:
            problems.append(f"event stream frame at byte {offset} has impossible lengths")
            break
        if total > remaining:
            problems.append(f"event stream frame at byte {offset} is truncated ({remaining} of {total} bytes)")
            break
        frame = data[offset : offset + total]
        (message_crc,) = struct.unpack(">I", frame[-4:])
        if zlib.crc32(frame[:-4]) != message_crc:
            problems.append(f"event stream frame at byte {offset} has a bad message checksum")
            break
        headers = _decode_headers(frame[_PRELUDE : _PRELUDE + headers_len])
        if headers is None:
            problems.append(f"event stream frame at byte {offset} has unreadable headers")
            break
        frames.append(Frame(headers, frame[_PRELUDE + headers_len : -4]))
        offset += total
    return frames, problems


def _decode_headers(raw: bytes) -> dict[str, HeaderValue] | None:
    headers: dict[str, HeaderValue] = {}
    pos = 0
    try:
        while pos < len(raw):
            name_len = raw[pos]
            name = raw[pos + 1 : pos + 1 + name_len].decode("utf-8")
            pos += 1 + name_len
            kind = raw[pos]
            pos += 1
            value: HeaderValue
            if kind in (0, 1):
                value = kind == 0
            elif kind == 2:
                value = struct.unpack(">b", raw[pos : pos + 1])[0]
                pos += 1
            elif kind == 3:
                value = struct.unpack(">h", raw[pos : pos + 2])[0]
                pos += 2
            elif kind == 4:
                value = struct.unpack(">i", raw[pos : pos + 4])[0]
                pos += 4
            elif kind in (5, 8):  # long, timestamp (ms since epoch)
                value = struct.unpack(">q", raw[pos : pos + 8])[0]
                pos += 8
            elif kind in (6, 7):
                (size,) = struct.unpack(">H", raw[pos : pos + 2])
                blob = raw[pos + 2 : pos + 2 + size]
                if len(blob) != size:
                    return None
                value = blob.decode("utf-8", errors="replace") if kind == 7 else blob
                pos += 2 + size
            elif kind == 9:
                blob = raw[pos : pos + 16]
                if len(blob) != 16:
                    return None
                value = str(uuid.UUID(bytes=blob))
                pos += 16
            else:
                return None
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError):
        return None
    return headers


def encode(headers: Mapping[str, str], payload: bytes) -> bytes:
    """Build one frame with string headers (used to write test cassettes)."""
    raw_headers = b""
    for name, value in headers.items():
        name_bytes = name.encode("utf-8")
        value_bytes = value.encode("utf-8")
        raw_headers += bytes([len(name_bytes)]) + name_bytes + b"\x07"
        raw_headers += struct.pack(">H", len(value_bytes)) + value_bytes
    total = _PRELUDE + len(raw_headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + raw_headers + payload
    return body + struct.pack(">I", zlib.crc32(body))
