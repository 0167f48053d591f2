"""A tolerant reader of ``text/event-stream`` bodies (server-sent events).

Cassettes store a streamed response as the concatenated bytes the client read,
so the body may be cut short, use ``\\r\\n`` line ends, or carry comment lines.
This reader never raises: it returns the events it could read and whether the
body ended on an event boundary.
"""

from __future__ import annotations

from typing import Any

from pytest_agentcost.interaction import json_or_none

__all__ = ["SSEEvent", "looks_like_sse", "parse"]


_UNREAD: Any = object()


class SSEEvent:
    """One dispatched event: its ``event:`` name (``""`` when absent) and joined ``data:`` lines."""

    __slots__ = ("_json", "data", "event")

    def __init__(self, event: str, data: str) -> None:
        self.event = event
        self.data = data
        self._json = _UNREAD

    def json(self) -> Any:
        """The data decoded as JSON (once), or ``None`` when it is not JSON (``[DONE]``, garbage)."""
        if self._json is _UNREAD:
            self._json = json_or_none(self.data)
        return self._json

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SSEEvent):
            return NotImplemented
        return (self.event, self.data) == (other.event, other.data)

    def __hash__(self) -> int:
        return hash((self.event, self.data))

    def __repr__(self) -> str:
        return f"SSEEvent(event={self.event!r}, data={self.data!r})"


_LEADING = "\ufeff \t\r\n"
_FIELDS = ("data:", "event:", "id:", ":", "retry:")


def looks_like_sse(text: str) -> bool:
    """True when ``text`` starts like an event stream (``data:``, ``event:``, ``id:`` or a comment)."""
    # Strip leading blank space from a prefix only: the body may be megabytes.
    head = text[:256].lstrip(_LEADING)
    if not head and len(text) > 256:
        head = text.lstrip(_LEADING)
    return head.startswith(_FIELDS)


def parse(text: str) -> tuple[list[SSEEvent], bool]:
    """Split ``text`` into events.

    Returns the events and ``complete``: False when the body stopped in the
    middle of an event (no blank line after its last field), which is how a
    truncated recording looks. The partial last event is still returned when
    its data is complete JSON, because a recorder often drops only the final
    blank line.
    """
    # Nearly every recorded stream is one "data:" line per event, each followed by a blank line:
    # split it on the blank lines. Anything else (another field, a comment, a multi-line event,
    # CR line ends, a missing end) is read line by line.
    if "\r" not in text and text.endswith("\n\n"):
        events: list[SSEEvent] = []
        for block in text[:-2].split("\n\n"):
            if not block:
                continue  # extra blank lines dispatch nothing
            if "\n" in block or not block.startswith("data:"):
                break
            value = block[5:]
            events.append(SSEEvent("", value[1:] if value.startswith(" ") else value))
        else:
            return events, True
    return _parse_lines(text)


def _parse_lines(text: str) -> tuple[list[SSEEvent], bool]:
    """:func:`parse`, field by field, as the event-stream format defines it."""
    events: list[SSEEvent] = []
    name = ""
    data_lines: list[str] = []
    pending = False
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # What follows the last newline: "" for a body ending on a line end, else an unterminated line.
    tail = lines.pop()
    if tail:
        lines.append(tail)
    for line in lines:
        if not line:
            if pending:
                events.append(SSEEvent(name, data_lines[0] if len(data_lines) == 1 else "\n".join(data_lines)))
            name, data_lines, pending = "", [], False
            continue
        if line.startswith("data:"):  # nearly every line of a stream
            value = line[5:]
            data_lines.append(value[1:] if value.startswith(" ") else value)
            pending = True
            continue
        if line.startswith(":"):
            continue
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "event":
            name = value
            pending = True
        elif field == "data":
            data_lines.append(value)
            pending = True
        # id:, retry: and unknown fields do not matter for usage.
    complete = not pending and not tail
    if pending:
        partial = SSEEvent(name, "\n".join(data_lines))
        if data_lines and partial.json() is not None:
            events.append(partial)
    return events, complete
