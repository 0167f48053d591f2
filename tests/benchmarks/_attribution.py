"""Where a benchmark run's CPU time goes: a pytest plugin loaded with ``-p _attribution``.

``bench_overhead.py --attribute`` loads it into extra runs of both variants. It times, inside the
run, the pytest-agentcost code each test and the session go through (by wrapping the plugin's
hooks and its recorder) and the cyclic garbage collector, and writes the totals as JSON to the
path in ``AGENTCOST_ATTRIBUTION_OUT``.

Whole-run ratios on a shared virtual machine move by 10-30% between identical runs, because the
machine's speed drifts. The plugin's share of one run's own CPU time is a ratio of two numbers
measured in the same seconds, so the drift mostly cancels. It misses what cannot be wrapped: the
few lines of the plugin's ``play_response`` wrapper around vcrpy's, and the plugin's effect on
the CPU caches of the code around it. The garbage collector's extra work (the plugin's objects
make each full collection longer) is the difference between the two variants' runs; a collection
that starts inside a plugin method counts as the collector's time, not the method's.
"""

from __future__ import annotations

import atexit
import functools
import gc
import json
import os
import time
from collections.abc import Callable
from typing import Any

OUT = os.environ.get("AGENTCOST_ATTRIBUTION_OUT")

#: Phases and the plugin methods timed as each. A method's time excludes the timed methods it calls
#: (the accounting runs inside ``_finish_item``, when a test's calls are read).
PHASES: dict[str, tuple[str, ...]] = {
    "setup": ("plugin.AgentCostSession.from_config",),
    "noting_calls": ("recorder.Recorder._observe", "recorder.Recorder._observe_live"),
    "accounting": ("recorder.Recorder._account",),
    "other_hooks": (
        "plugin.AgentCostSession._finish_item",
        "plugin.AgentCostSession.pytest_runtest_logreport",
        "plugin.AgentCostSession.pytest_runtest_setup",
        "plugin.AgentCostSession.pytest_collection_modifyitems",
    ),
    "session_end": (
        "plugin.AgentCostSession.pytest_sessionfinish",
        "plugin.AgentCostSession.pytest_terminal_summary",
    ),
}

_seconds: dict[str, float] = {phase: 0.0 for phase in PHASES}
_gc = {"seconds": 0.0, "full_collections": 0}
_gc_start = [0.0]
#: Time spent in timed methods called by the timed method running now, one entry per level.
_nested: list[float] = []


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_start[0] = time.perf_counter()
        return
    seconds = time.perf_counter() - _gc_start[0]
    _gc["seconds"] += seconds
    if _nested:  # a collection the plugin's allocations triggered: GC time, not the method's own
        _nested[-1] += seconds
    if info["generation"] == 2:
        _gc["full_collections"] += 1


def _timed(phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, its own time added to ``phase``: time in timed methods it calls goes to theirs."""

    @functools.wraps(function)  # keeps the signature and pytest's hook markers: pluggy reads both
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _nested.append(0.0)
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - start
            _seconds[phase] += elapsed - _nested.pop()
            if _nested:
                _nested[-1] += elapsed

    return wrapper


def _instrument() -> None:
    import importlib

    for phase, targets in PHASES.items():
        for target in targets:
            module_name, class_name, method_name = target.split(".")
            cls = getattr(importlib.import_module(f"pytest_agentcost.{module_name}"), class_name)
            method = cls.__dict__[method_name]  # KeyError: the plugin changed; update PHASES
            if isinstance(method, classmethod):
                setattr(cls, method_name, classmethod(_timed(phase, method.__func__)))
            else:
                setattr(cls, method_name, _timed(phase, method))


def _dump() -> None:
    times = os.times()
    result = {
        "cpu_seconds": times.user + times.system,
        "gc_seconds": _gc["seconds"],
        "full_collections": _gc["full_collections"],
        "plugin_seconds": dict(_seconds),
    }
    if OUT:
        with open(OUT, "w", encoding="utf-8") as handle:
            json.dump(result, handle)


_instrument()
gc.callbacks.append(_on_gc)
atexit.register(_dump)
