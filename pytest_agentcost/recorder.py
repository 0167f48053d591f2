"""Observe the interactions vcrpy plays or records, and who made them; redact what it saves.

While the plugin is active, :class:`Recorder` wraps two methods of vcrpy's
``Cassette``: ``play_response`` (a request answered from the cassette, each
play counted, ``allow_playback_repeats`` included) and ``append`` (a request
recorded live). Both see the interactions vcrpy already holds in memory after
its serializer ran, so a cassette file is never parsed a second time and
custom serializers (pydantic-ai's ``parsed_body``) just work. Interactions that
sit unplayed in a cassette are never seen, so they never count.

Every observed call is attributed to the test whose setup, call or teardown is
running, so calls made in fixtures belong to their test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from pytest_agentcost.interaction import Interaction, from_vcr, to_bytes
from pytest_agentcost.models import CallRecord

__all__ = ["Observer", "Recorder"]

#: Turns (interaction as sent now, interaction as recorded or None, cassette path) into a record.
Observer = Callable[[Interaction, "Interaction | None", "str | None"], "CallRecord | None"]

#: Turns (vcrpy request, vcrpy response, cassette path) into the record the observer would make of
#: them with no recorded request to compare, or None: ask the observer.
LeanObserver = Callable[[Any, Any, "str | None"], "CallRecord | None"]


#: A cassette's ``_before_record_request``: a request as the cassette would keep it (vcrpy's filters
#: and the user's hooks applied to a copy), or None when it would not keep it.
AsRecorded = Callable[[Any], Any]


class _Played:
    """A response played from a cassette; accounted on first read, then kept as its record."""

    __slots__ = ("args", "compared", "keys", "record", "swapped")

    def __init__(
        self, request: Any, response: Any, recorded_request: Any, path: str | None, as_recorded: AsRecorded | None
    ) -> None:
        self.args: tuple[Any, Any, Any, str | None, AsRecorded | None] | None = (
            request,
            response,
            recorded_request,
            path,
            as_recorded,
        )
        self.record: CallRecord | None = None
        self.swapped = False
        #: The request as the cassette keeps it and whether it differs from the one played
        #: (:func:`_compare`), and their keys (:func:`_key`): worked out on the first read only.
        self.compared: tuple[Any, bool, Any] | None = None
        self.keys: tuple[bool, Any, Any] = (False, None, None)


class Recorder:
    """Collects :class:`CallRecord` objects per pytest node id.

    A response played from a cassette is accounted when its test's calls are read (at the end
    of the test, or live through the ``agent_cost`` fixture), all of them in one go: vcrpy keeps
    the interaction unchanged in the cassette until then, and a test's calls read in a row take
    ~20% less time than each read between the test's own steps (tests/benchmarks/README.md).
    A live-recorded exchange is accounted at once, as vcrpy's filters left it in the cassette.
    """

    def __init__(self, observer: Observer, lean: LeanObserver | None = None) -> None:
        self._observer = observer
        self._lean = lean
        self._lock = threading.Lock()
        self._calls: dict[str, list[CallRecord | _Played]] = {}
        self._append_lock = threading.Lock()
        self._current: str | None = None
        self._originals: dict[str, Any] = {}
        self._outside: list[CallRecord | _Played] = []
        """Calls made while no test was running (at collection time): see :meth:`pop_outside`."""

    # -- attribution -------------------------------------------------------
    @contextmanager
    def running(self, nodeid: str) -> Iterator[None]:
        """Attribute every call made inside the block to ``nodeid``."""
        previous = self.enter(nodeid)
        try:
            yield
        finally:
            self.leave(previous)

    def enter(self, nodeid: str) -> str | None:
        """Attribute calls to ``nodeid`` from now on; returns what :meth:`leave` restores."""
        previous, self._current = self._current, nodeid
        return previous

    def leave(self, previous: str | None) -> None:
        self._current = previous

    def pop(self, nodeid: str) -> list[CallRecord]:
        """The calls of ``nodeid``, removed from the recorder."""
        with self._lock:
            items = self._calls.pop(nodeid, [])
        return self._account(items, final=True)

    def pop_outside(self) -> list[CallRecord]:
        """The calls made while no test was running (at collection, or by a thread or task that
        outlived its test), removed from the recorder: they belong to no entry."""
        with self._lock:
            items, self._outside = self._outside, []
        return self._account(items, final=True)

    def discard(self, nodeid: str) -> int:
        """Forget the calls of ``nodeid`` so far, unread (an attempt a rerun plugin threw away)."""
        with self._lock:
            return len(self._calls.pop(nodeid, ()))

    def calls_of(self, nodeid: str) -> tuple[CallRecord, ...]:
        """The calls of ``nodeid`` so far (the test may still be running)."""
        with self._lock:
            items = list(self._calls.get(nodeid, ()))
        return tuple(self._account(items))

    def _account(self, items: list[CallRecord | _Played], *, final: bool = False) -> list[CallRecord]:
        """The records of ``items``, each accounted on its first read. Whether a call swapped
        recordings with another of its test is decided over all of the test's calls: a live read
        (``final`` False) keeps each interaction, so that a later read, and the last, decide again
        with the calls made since and re-account a call whose answer changed; the last read lets
        them go (a reader that sees ``args`` None finds the record)."""
        # Outside the lock: a user's hook may itself make a call through vcrpy.
        unread = [(item, item.args) for item in items if isinstance(item, _Played) and item.args is not None]
        for played, args in unread:
            if played.compared is None:
                played.compared = _compare(*args)
                played.keys = _call_keys(played.compared)
        swapped = _swapped([played.keys for played, _ in unread])
        for index, (played, args) in enumerate(unread):
            request, stale = played.compared[:2]  # type: ignore[index]
            if played.record is None or played.swapped != (index in swapped):
                played.swapped = index in swapped
                played.record = self._record(request, args[1], args[2], args[3], stale=stale, swapped=played.swapped)
            if final:
                played.args = None
        records: list[CallRecord] = []
        for item in items:
            record: CallRecord | None = item.record if isinstance(item, _Played) else item
            if record is not None:
                records.append(record)
        return records

    def _add(self, item: CallRecord | _Played) -> None:
        with self._lock:
            if self._current is None:
                self._outside.append(item)
                return
            self._calls.setdefault(self._current, []).append(item)

    # -- vcrpy patching ----------------------------------------------------
    def install(self) -> None:
        """Wrap vcrpy's Cassette methods (idempotent)."""
        if self._originals:
            return
        from vcr.cassette import Cassette

        original_play = Cassette.play_response
        original_append = Cassette.append
        original_load = Cassette._load
        original_save = Cassette._save
        self._originals = {
            "play_response": original_play,
            "append": original_append,
            "_load": original_load,
            "_save": original_save,
        }
        recorder = self

        def play_response(cassette: Any, request: Any) -> Any:
            counts = cassette.play_counts
            before = dict(counts)
            response = original_play(cassette, request)
            index = next((i for i, n in counts.items() if n != before.get(i, 0)), None)
            recorded_request = cassette.data[index][0] if index is not None else None
            recorder._observe(request, response, recorded_request, cassette)
            return response

        def append(cassette: Any, request: Any, response: Any) -> Any:
            # vcrpy loads a cassette file through append() too: only a live exchange counts.
            if cassette.__dict__.get("_agentcost_loading", False):
                return original_append(cassette, request, response)
            # The exchange as the cassette keeps it, after vcrpy's filters (before_record_request
            # may store another host, or drop the call): what every replay of it will report.
            # Locked: an agent's threads may record at once, and data[-1] must be this exchange.
            with recorder._append_lock:
                kept = len(cassette.data)
                result = original_append(cassette, request, response)
                stored = cassette.data[-1] if len(cassette.data) > kept else None
            if stored is not None:
                recorder._observe_live(stored[0], stored[1], cassette)
            return result

        def _load(cassette: Any) -> Any:
            # What the cassette stores and matches, loaded or recorded, is what it will save: without
            # credential query parameters, or a replay of a saved cassette would not match (vcrpy
            # matches on the query).
            own = cassette._before_record_request
            if not getattr(own, "agentcost", False):
                from pytest_agentcost.redact import matching_filter

                kept_out = cassette.__dict__.setdefault("_agentcost_kept_out", set())
                theirs = cassette.__dict__.setdefault("_agentcost_theirs", set())
                cassette._before_record_request = matching_filter(
                    own, kept_out, theirs, lambda: bool(cassette.__dict__.get("_agentcost_loading", False))
                )
            cassette.__dict__["_agentcost_loading"] = True
            try:
                return original_load(cassette)
            finally:
                cassette.__dict__["_agentcost_loading"] = False

        def _save(cassette: Any, *args: Any, **kwargs: Any) -> Any:
            # Credentials never reach disk: redact at save time, after the user's filters.
            from pytest_agentcost.redact import RedactingPersister, body_unmatched

            persister = cassette._persister
            bodies = body_unmatched(getattr(cassette, "_match_on", ("body",)))
            theirs = cassette.__dict__.get("_agentcost_theirs", ())
            cassette._persister = RedactingPersister(persister, bodies=bodies, theirs=theirs)
            writes = bool(getattr(cassette, "dirty", False) or kwargs.get("force") or (args and args[0]))
            try:
                result = original_save(cassette, *args, **kwargs)
            finally:
                cassette._persister = persister
            # Said once the cassette is saved (a failed save's own error is not hidden by it).
            kept_out = cassette.__dict__.get("_agentcost_kept_out")
            if writes and kept_out:
                _warn_kept_out(sorted(kept_out), _path(cassette))
                kept_out.clear()
            return result

        Cassette.play_response = play_response
        Cassette.append = append
        Cassette._load = _load
        Cassette._save = _save

    def uninstall(self) -> None:
        """Restore vcrpy's Cassette methods."""
        if not self._originals:
            return
        from vcr.cassette import Cassette

        Cassette.play_response = self._originals["play_response"]
        Cassette.append = self._originals["append"]
        Cassette._load = self._originals["_load"]
        Cassette._save = self._originals["_save"]
        self._originals = {}

    def _observe(self, request: Any, response: Any, recorded_request: Any, cassette: Any) -> None:
        """Note a played response; it is accounted when its test's calls are read."""
        as_recorded = getattr(cassette, "_before_record_request", None)
        self._add(_Played(request, response, recorded_request, _path(cassette), as_recorded))

    def _observe_live(self, request: Any, response: Any, cassette: Any) -> None:
        """Account a live-recorded exchange now, as the cassette stores it."""
        record = self._record(request, response, None, _path(cassette), stale=False)
        if record is not None:
            self._add(record)

    def _record(
        self,
        request: Any,
        response: Any,
        recorded_request: Any,
        path: str | None,
        *,
        stale: bool,
        swapped: bool = False,
    ) -> CallRecord | None:
        """The record of one exchange: ``stale`` when the request differs from the one recorded,
        ``swapped`` when it is another call's recording instead (see :func:`_swapped`)."""
        # Never let accounting break the user's test: a failure here is reported
        # as a warning on the call record by the observer, or swallowed.
        try:
            stale = stale and not swapped
            record: CallRecord | None = None
            if not stale and self._lean is not None:
                record = self._lean(request, response, path)
            if record is None:
                current = from_vcr(request, response)
                recorded = from_vcr(recorded_request, response) if stale else None
                record = self._observer(current, recorded, path)
            if swapped and record is not None:
                record = replace(record, warnings=(*record.warnings, _swapped_warning(record.cassette or path)))
            return record
        except Exception as exc:  # pragma: no cover - defensive: observer handles its own errors
            return CallRecord(
                kind="llm",
                host="",
                status=0,
                billed=False,
                cost_usd=None,
                warnings=(f"pytest-agentcost could not read this interaction: {type(exc).__name__}: {exc}",),
            )


def _warn_kept_out(names: list[str], path: str | None) -> None:
    import warnings

    from pytest_agentcost.errors import RedactionWarning

    quoted = ", ".join(repr(name) for name in names)
    warnings.warn(
        RedactionWarning(
            f"pytest-agentcost kept the credential query parameter(s) {quoted} out of {path or 'the cassette'}, "
            "which your vcr_config does not filter: replays without --agent-cost will not match it (vcrpy "
            f"matches on the query) until vcr_config filters it too: 'filter_query_parameters': [{quoted}]"
        ),
        stacklevel=4,
    )


def _compare(
    request: Any, response: Any, recorded: Any, path: str | None, as_recorded: AsRecorded | None
) -> tuple[Any, bool, Any]:
    """(the request as the cassette keeps it, whether it differs from the one recorded, recorded).

    Only a request that differs from its recording can be stale: the comparison stops when the URI
    is the same and the body is too, byte for byte or as JSON. vcrpy matched the request as the
    cassette keeps it, after the filters and hooks that scrubbed the recording (a query key, a body
    field, an e-mail in the prompt): a request that differs raw is compared again that way, or
    every replay of a filtered recording would read as stale.
    """
    try:
        stale = recorded is not None and _differs(recorded, request)
        if stale and as_recorded is not None:
            kept = _as_recorded(as_recorded, request)
            if kept is not None:
                request = kept
                stale = _differs(recorded, request)
    except Exception:  # never let accounting break the user's test: the observer reads it as it is
        stale = False
    return request, stale, recorded


def _call_keys(compared: tuple[Any, bool, Any]) -> tuple[bool, Any, Any]:
    """(whether the call differs from what it played, its request's key, the played one's key)
    for :func:`_swapped`, from :func:`_compare`'s result; keys only for a call that differs."""
    request, stale, recorded = compared
    if not stale or recorded is None:
        return False, None, None
    return True, _key(request), _key(recorded)


def _swapped(keyed: list[tuple[bool, Any, Any]]) -> set[int]:
    """The calls of one test (:func:`_call_keys` each) that replayed another of its calls'
    recording, not a stale one.

    Concurrent calls to one URL are recorded in the order they finish and, matched on method
    and URL, replayed in the order they start: each gets another's answer, and both differ from
    what they played. Such calls traded recordings among themselves: what they asked and what
    they played are the same requests, each as many times, so every answer was still played
    once and the test's cost holds. Only when *every* call that differs took part in such a
    trade: one that asks what no call played (a new first call, after which each call plays the
    next one's recording), or repeats a request one recording answers once, makes the test's
    differing calls a shift or a change, whose parts may balance by chance (a request asked
    twice in the recording), so none of them is excused.
    """
    differing = [i for i, (differs, _, _) in enumerate(keyed) if differs]
    if len(differing) < 2 or any(keyed[i][1] == keyed[i][2] for i in differing):
        return set()
    from collections import Counter

    asked = Counter(keyed[i][1] for i in differing)
    played = Counter(keyed[i][2] for i in differing)
    return set(differing) if asked == played else set()


def _key(request: Any) -> tuple[str, Any]:
    """A request's URI and body, the body as canonical JSON when it is JSON."""
    from pytest_agentcost.drift import canonical_body

    return str(getattr(request, "uri", "")), canonical_body(to_bytes(getattr(request, "body", b"")))


def _swapped_warning(path: str | None) -> str:
    return (
        f"{path or 'a cassette'}: replayed another recorded answer of the same URL (concurrent calls to one "
        "URL are recorded in the order they finish); the test's cost holds, but for each call to get its own "
        "answer, match on the body too: @pytest.mark.vcr(match_on=['method', 'uri', 'body'])"
    )


def _differs(recorded: Any, current: Any) -> bool:
    return getattr(recorded, "uri", None) != getattr(current, "uri", None) or _body_changed(
        to_bytes(getattr(recorded, "body", b"")), to_bytes(getattr(current, "body", b""))
    )


def _as_recorded(as_recorded: AsRecorded, request: Any) -> Any:
    try:
        return as_recorded(request)
    except Exception:  # a user's hook that fails on a second look: compare the request as sent
        return None


def _body_changed(recorded: bytes, current: bytes) -> bool:
    if recorded == current:
        return False
    from pytest_agentcost.drift import same_json_body

    return not same_json_body(recorded, current)


def _path(cassette: Any) -> str | None:
    path = getattr(cassette, "_path", None)
    return str(path) if path is not None else None
