"""The recorder: played responses are accounted once, in order, when a test's calls are read."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pytest_agentcost.interaction import Interaction
from pytest_agentcost.models import CallRecord
from pytest_agentcost.recorder import Recorder


class _Observer:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, current: Interaction, recorded: Interaction | None, cassette: str | None) -> CallRecord:
        self.seen.append(current.url)
        return CallRecord(kind="tool", host=current.host, status=current.status, cassette=cassette)


def _request(n: int) -> Any:
    return SimpleNamespace(method="GET", uri=f"https://api.search.example/q/{n}", headers={}, body=b"")


_RESPONSE = {"status": {"code": 200}, "headers": {}, "body": {"string": b"{}"}}
_CASSETTE = SimpleNamespace(_path="cassettes/t.yaml")


def test_played_calls_are_accounted_once_in_order_when_read() -> None:
    observer = _Observer()
    recorder = Recorder(observer)
    with recorder.running("t.py::test"):
        recorder._observe(_request(1), _RESPONSE, None, _CASSETTE)
        recorder._observe(_request(2), _RESPONSE, None, _CASSETTE)
        assert observer.seen == []  # nothing read yet: nothing accounted
        live = recorder.calls_of("t.py::test")
        assert [c.cassette for c in live] == ["cassettes/t.yaml"] * 2
        recorder._observe(_request(3), _RESPONSE, None, _CASSETTE)
        assert len(recorder.calls_of("t.py::test")) == 3
    calls = recorder.pop("t.py::test")
    # Each interaction was read once, although the test's calls were read three times.
    assert observer.seen == [f"https://api.search.example/q/{n}" for n in (1, 2, 3)]
    assert [c.host for c in calls] == ["api.search.example"] * 3
    assert recorder.pop("t.py::test") == []


def test_a_live_recorded_call_is_accounted_at_once_and_kept_in_order() -> None:
    observer = _Observer()
    recorder = Recorder(observer)
    with recorder.running("t.py::test"):
        recorder._observe(_request(1), _RESPONSE, None, _CASSETTE)
        recorder._observe_live(_request(2), _RESPONSE, SimpleNamespace(_path="cassettes/live.yaml"))
        assert observer.seen == ["https://api.search.example/q/2"]
    assert [c.cassette for c in recorder.pop("t.py::test")] == ["cassettes/t.yaml", "cassettes/live.yaml"]
    assert observer.seen == ["https://api.search.example/q/2", "https://api.search.example/q/1"]


def test_calls_outside_a_test_are_kept_apart_and_read_once() -> None:
    observer = _Observer()
    recorder = Recorder(observer)
    recorder._observe(_request(1), _RESPONSE, None, _CASSETTE)
    assert observer.seen == []  # in no test's calls, and not read yet
    assert [r.host for r in recorder.pop_outside()] == ["api.search.example"]
    assert recorder.pop_outside() == []


def test_the_lean_reader_is_asked_first_unless_the_request_differs_from_its_recording() -> None:
    class _Recording(_Observer):
        def __init__(self) -> None:
            super().__init__()
            self.recorded: list[Interaction | None] = []

        def __call__(self, current: Interaction, recorded: Interaction | None, cassette: str | None) -> CallRecord:
            self.recorded.append(recorded)
            return super().__call__(current, recorded, cassette)

    lean_seen: list[str] = []

    def lean(request: Any, response: Any, cassette: str | None) -> CallRecord | None:
        lean_seen.append(request.uri)
        return None if request.uri.endswith("/2") else CallRecord(kind="llm", host="lean", status=200)

    observer = _Recording()
    recorder = Recorder(observer, lean)
    stale = SimpleNamespace(method="GET", uri=_request(3).uri, headers={}, body=b"recorded")
    sent = SimpleNamespace(method="POST", uri=_request(4).uri, headers={}, body=b'{"model":"m","n":[1,2]}')
    # vcrpy's filter_post_data_parameters re-serialises a JSON body: the same request, written differently.
    rewritten = SimpleNamespace(method="POST", uri=sent.uri, headers={}, body=b'{"n": [1, 2], "model": "m"}')
    with recorder.running("t.py::test"):
        recorder._observe(_request(1), _RESPONSE, _request(1), _CASSETTE)  # as recorded: lean
        recorder._observe(_request(2), _RESPONSE, None, _CASSETTE)  # lean declines: general path
        recorder._observe(_request(3), _RESPONSE, stale, _CASSETTE)  # body changed: general, with drift
        recorder._observe(sent, _RESPONSE, rewritten, _CASSETTE)  # same JSON: lean
    calls = recorder.pop("t.py::test")
    assert [c.host for c in calls] == ["lean", "api.search.example", "api.search.example", "lean"]
    assert lean_seen == [_request(1).uri, _request(2).uri, sent.uri]
    assert observer.seen == [_request(2).uri, _request(3).uri]
    assert observer.recorded[0] is None
    assert observer.recorded[1] is not None
    assert observer.recorded[1].request_body == b"recorded"


def test_calls_go_to_what_was_entered_until_it_is_left() -> None:
    recorder = Recorder(_Observer())
    with recorder.running("t.py::test"):
        recorder._observe(_request(1), _RESPONSE, None, _CASSETTE)
        previous = recorder.enter("agent [module fixture]")  # a fixture's teardown, say
        recorder._observe(_request(2), _RESPONSE, None, _CASSETTE)
        recorder.leave(previous)
        recorder._observe(_request(3), _RESPONSE, None, _CASSETTE)
        assert recorder.discard("t.py::test") == 2  # a rerun's thrown-away attempt
    assert [c.host for c in recorder.pop("agent [module fixture]")] == ["api.search.example"]
    assert recorder.pop("t.py::test") == []


def test_threads_recording_at_once_each_account_their_own_exchange(tmp_path: Any) -> None:
    # An agent's threads may record live at once: the exchange read back after vcrpy's append
    # must be the one that thread appended, not one another thread appended meanwhile.
    from vcr.cassette import Cassette
    from vcr.request import Request

    observer = _Observer()
    recorder = Recorder(observer)
    cassette = Cassette(str(tmp_path / "live.yaml"), record_mode="all")
    other_appended = threading.Event()

    def record_other() -> None:
        cassette.append(Request("GET", "https://api.search.example/q/2", b"", {}), _RESPONSE)
        other_appended.set()

    class _SlowData(list[Any]):
        """Lets another thread record right after this thread's exchange is stored."""

        def append(self, item: Any) -> None:
            super().append(item)
            if len(self) == 1:
                threading.Thread(target=record_other).start()
                # With the lock, the other thread waits for this one: this wait times out.
                other_appended.wait(timeout=0.5)

    cassette.data = _SlowData()
    recorder.install()
    try:
        with recorder.running("t.py::test"):
            cassette.append(Request("GET", "https://api.search.example/q/1", b"", {}), _RESPONSE)
            assert other_appended.wait(timeout=10)
    finally:
        recorder.uninstall()
    assert sorted(observer.seen) == [f"https://api.search.example/q/{n}" for n in (1, 2)]


def test_a_cassette_outside_the_rootdir_keeps_its_absolute_path(tmp_path: Any) -> None:
    # Inside the rootdir a report names a cassette relative to it; outside, a "../../" path would
    # depend on where the rootdir sits, so the absolute one is kept.
    from pytest_agentcost.accounting import Accountant
    from pytest_agentcost.pricing import Pricer

    accountant = Accountant(Pricer(), rootdir=str(tmp_path / "project"))
    inside = Interaction("GET", "https://api.search.example/q", {}, b"", 200, {}, b"{}")
    assert accountant(inside, None, str(tmp_path / "project" / "cassettes" / "a.yaml")).cassette == "cassettes/a.yaml"
    outside = str(tmp_path / "shared" / "b.yaml")
    assert accountant(inside, None, outside).cassette == outside


def test_an_unbilled_answer_counts_no_tool_calls() -> None:
    # A 200 stream that asked for a tool, then ended in an error event, is not billed, and the
    # tool call it started is no agent step.
    import json

    from pytest_agentcost.accounting import Accountant
    from pytest_agentcost.pricing import Pricer

    chunk = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "delta": {"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "f"}}]},
            }
        ],
    }
    error = {"error": {"type": "server_error", "message": "boom"}}
    body = f"data: {json.dumps(chunk)}\n\nevent: error\ndata: {json.dumps(error)}\n\n".encode()
    request = json.dumps({"model": "gpt-4o-mini", "messages": [], "stream": True}).encode()
    url = "https://api.openai.com/v1/chat/completions"
    headers = {"content-type": "text/event-stream"}
    record = Accountant(Pricer())(Interaction("POST", url, {}, request, 200, headers, body), None, None)
    assert (record.kind, record.billed, record.tool_calls) == ("llm", False, 0)


def test_swapped_calls_match_bodies_as_the_stale_check_does() -> None:
    # Two calls that swapped recordings, their bodies carrying a key the cassette saved as
    # REDACTED and written with another spacing: the same requests, so a swap, not two stale calls.
    from vcr.request import Request

    from pytest_agentcost.recorder import _call_keys, _swapped

    url = "https://api.search.example/v1/answer"

    def body(question: str, key: str, spaced: bool = False) -> bytes:
        return json.dumps({"api_key": key, "q": question}, indent=1 if spaced else None).encode()

    a_now, b_now = Request("POST", url, body("a", "live-key"), {}), Request("POST", url, body("b", "live-key"), {})
    a_saved = Request("POST", url, body("a", "REDACTED", spaced=True), {})
    b_saved = Request("POST", url, body("b", "REDACTED", spaced=True), {})
    # (request as kept, differs from what it played, what it played)
    assert _swapped([_call_keys(c) for c in [(a_now, True, b_saved), (b_now, True, a_saved)]]) == {0, 1}
    # One recording answers one call: a third asking "a" again is stale, and with it the test's
    # differing calls are no trade among themselves: none is excused.
    calls = [(a_now, True, b_saved), (b_now, True, a_saved), (a_now, True, b_saved)]
    assert _swapped([_call_keys(c) for c in calls]) == set()


def test_a_paging_token_is_compared_as_it_is_saved() -> None:
    # page_token is saved as sent (no credential): two pages swapped are a swap, not two stale calls.
    from vcr.request import Request

    from pytest_agentcost.recorder import _call_keys, _swapped

    url = "https://api.search.example/v1/search"
    page = [Request("POST", url, json.dumps({"q": "x", "page_token": t}).encode(), {}) for t in ("p1", "p2")]
    assert _swapped([_call_keys(c) for c in [(page[0], True, page[1]), (page[1], True, page[0])]]) == {0, 1}


def _keyed(*calls: tuple[str, str]) -> list[tuple[bool, Any, Any]]:
    """(what a differing call asked, what it played) pairs, as :func:`_call_keys` gives them."""
    return [(True, asked, played) for asked, played in calls]


def test_calls_shifted_by_a_new_first_call_are_stale_not_swapped() -> None:
    # Recorded: plan, critique, final. The agent now asks an intro first: each call plays the next
    # one's recording. Not a trade among the calls (the intro was never recorded, the final never
    # asked): every call is stale, and no warning may say the cost holds.
    from pytest_agentcost.recorder import _swapped

    assert _swapped(_keyed(("intro", "plan"), ("plan", "critique"), ("critique", "final"))) == set()


def test_a_trade_among_three_calls_is_a_swap() -> None:
    from pytest_agentcost.recorder import _swapped

    assert _swapped(_keyed(("a", "c"), ("b", "a"), ("c", "b"))) == {0, 1, 2}


def test_a_shift_is_no_swap_even_where_part_of_it_balances() -> None:
    # Review 42: recorded classify, answer, classify; asked now intro, classify, answer. The last
    # two balance (classify <-> answer) only because the recording asks classify twice.
    from pytest_agentcost.recorder import _swapped

    assert _swapped(_keyed(("intro", "classify"), ("classify", "answer"), ("answer", "classify"))) == set()
    # A trade beside a changed call: the change makes the test stale, and none is excused.
    assert _swapped(_keyed(("x", "p"), ("s", "t"), ("t", "s"))) == set()
    # A call that played its own recording's request (it differs only where keys do not look) is
    # no trade, and spoils one.
    assert _swapped([(True, "a", "a"), *_keyed(("b", "c"), ("c", "b"))]) == set()
    # Calls that do not differ take no part.
    assert _swapped([(False, None, None), *_keyed(("a", "b"), ("b", "a"))]) == {1, 2}
    # Recordings asked twice, traded among four concurrent calls.
    assert _swapped(_keyed(("a", "b"), ("a", "b"), ("b", "a"), ("b", "a"))) == {0, 1, 2, 3}


@given(
    st.lists(st.tuples(st.sampled_from("abcde"), st.sampled_from("abcde")), max_size=8),
)
def test_swapped_calls_are_all_the_differing_calls_and_a_trade(calls: list[tuple[str, str]]) -> None:
    # Whatever the calls, a swap excuses every differing call or none, and only a trade: what they
    # asked is what they played, each as many times, no call its own recording.
    from collections import Counter

    from pytest_agentcost.recorder import _swapped

    group = _swapped(_keyed(*calls))
    assert group in (set(), set(range(len(calls))))
    if group:
        assert Counter(asked for asked, _ in calls) == Counter(played for _, played in calls)
        assert all(asked != played for asked, played in calls)
    distinct = sorted({asked for asked, _ in calls})
    rotated = [(key, distinct[(n + 1) % len(distinct)]) for n, key in enumerate(distinct)]
    if len(rotated) > 1:
        assert _swapped(_keyed(*rotated)) == set(range(len(rotated)))
