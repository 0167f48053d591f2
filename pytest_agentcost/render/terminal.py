"""The "agent cost" terminal section (tabulate)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from tabulate import tabulate

from pytest_agentcost.baseline import PASSED_OUTCOMES
from pytest_agentcost.models import RunCost, TestCost
from pytest_agentcost.render._format import money, shown_id

__all__ = ["cost_table_lines", "sort_key"]


def sort_key(test: TestCost) -> tuple[int, object, str]:
    """Most expensive first; unpriced tests first of all (they need attention)."""
    cost = test.cost_usd
    if cost is None:
        return (0, 0, test.nodeid)
    return (1, -cost, test.nodeid)


def _flags(test: TestCost) -> str:
    flags = []
    if test.cost_usd is None:
        flags.append("unpriced")
    if test.estimated:
        flags.append("estimated")
    if test.stale:
        flags.append("stale")
    if test.outcome not in ("passed",):
        flags.append(test.outcome)
    errors = [c.status for c in test.llm if c.status and not 200 <= c.status < 300]
    if errors:
        statuses = ", ".join(map(str, sorted(set(errors))))
        flags.append(f"{len(errors)} error response{'s' if len(errors) > 1 else ''} (HTTP {statuses})")
    if test.tool_cost_usd:
        # "tool calls" counts what the model asked for; paid tool hosts' calls are in the cost.
        paid = sum(host.billed for host in test.tool_hosts().values() if host.cost_usd)
        flags.append(f"{paid} paid tool HTTP call{'s' if paid > 1 else ''} ({money(test.tool_cost_usd)})")
    if test.reruns:
        flags.append(f"{test.reruns} rerun{'s' if test.reruns > 1 else ''}")
    return ", ".join(flags)


def _not_passed_line(shown: list[TestCost]) -> list[str]:
    """Say how much of the total is partial runs: failed or skipped tests' calls are in it."""
    partial = [t for t in shown if t.outcome not in PASSED_OUTCOMES]
    if not partial:
        return []
    how = ", ".join(f"{n} {outcome}" for outcome, n in sorted(Counter(t.outcome for t in partial).items()))
    priced = sum((t.cost_usd for t in partial if t.cost_usd is not None), Decimal(0))
    cost = money(priced) + (" + unpriced calls" if any(t.cost_usd is None for t in partial) else "")
    return [
        f"of which {cost} is the partial cost of {len(partial)} test(s) that did not pass ({how}); "
        "the comparison with a baseline leaves them out"
    ]


def cost_table_lines(run: RunCost, *, max_rows: int = 50) -> list[str]:
    """The per-test table, totals and cost by model, as lines of text."""
    # Every test that made an HTTP call: one whose provider calls all failed (401, 429) has no
    # LLM call to count, and its row says why rather than vanish.
    shown = sorted((t for t in run.tests.values() if t.calls), key=sort_key)
    silent = len(run.tests) - len(shown)
    lines: list[str] = []
    if shown:
        rows = [
            [
                shown_id(t.nodeid),
                t.llm_calls,
                t.tool_calls,
                f"{t.usage.input_tokens:,}",
                f"{t.usage.output_tokens:,}",
                money(t.cost_usd),
                _flags(t),
            ]
            for t in shown[:max_rows]
        ]
        lines.extend(
            tabulate(
                rows,
                headers=["test", "LLM calls", "tool calls", "input tok", "output tok", "cost", "notes"],
                tablefmt="simple",
                colalign=("left", "right", "right", "right", "right", "right", "left"),
                disable_numparse=True,
            ).splitlines()
        )
        if len(shown) > max_rows:
            lines.append(f"... {len(shown) - max_rows} more tests (see --agent-cost-json)")
    else:
        lines.append("no test made an LLM call through a cassette")
    usage = run.usage
    total = run.cost_usd
    total_text = money(total) if total is not None else f"{money(run.priced_cost_usd)} + unpriced calls"
    lines.append("")
    lines.append(
        f"total: {total_text} over {len(shown)} test(s) with LLM or tool HTTP calls "
        f"({silent} other test(s) not shown); "
        f"{sum(t.llm_calls for t in run.tests.values())} LLM calls, "
        f"{usage.input_tokens:,} input / {usage.output_tokens:,} output tokens"
    )
    lines.extend(_not_passed_line(shown))
    rerun = sum(1 for t in run.tests.values() if t.reruns)
    if rerun:
        lines.append(
            f"{rerun} test(s) were rerun: each counts its last attempt only, "
            "as cost per task; the calls of attempts thrown away are left out"
        )
    by_model = run.by_model()
    if by_model:
        lines.append("")
        rows = [
            [
                key,
                m.calls,
                f"{m.usage.input_tokens:,}",
                f"{m.usage.cache_read_tokens:,}",
                f"{m.usage.cache_write_tokens:,}",
                f"{m.usage.output_tokens:,}",
                money(m.cost_usd),
            ]
            for key, m in sorted(by_model.items(), key=lambda kv: (kv[1].cost_usd is not None, kv[0]))
        ]
        lines.extend(
            tabulate(
                rows,
                # Input counts every input token; the cache reads and writes are parts of it.
                headers=["model", "calls", "input tok", "cache read", "cache write", "output tok", "cost"],
                tablefmt="simple",
                colalign=("left", "right", "right", "right", "right", "right", "right"),
                disable_numparse=True,
            ).splitlines()
        )
    tool_hosts = run.tool_hosts()
    if tool_hosts:
        lines.append("")
        lines.extend(
            tabulate(
                [[host, f"{h.calls:,}", money(h.cost_usd)] for host, h in sorted(tool_hosts.items())],
                headers=["tool host", "calls", "cost"],
                tablefmt="simple",
                colalign=("left", "right", "right"),
                disable_numparse=True,
            ).splitlines()
        )
    source = run.price_source
    lines.append("")
    lines.append(f"prices: {source.describe()}")  # worded as the PR comment and compare word it
    return lines
