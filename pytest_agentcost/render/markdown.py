"""The pull-request comment: GitHub-flavoured markdown of one comparison.

Layout, top to bottom: the hidden :data:`MARKER`, a one-line verdict, the
suite total before and after with its change split into usage, prices and
new or removed tasks (and a monthly projection when runs per month are
known), a table of the tasks whose cost changed (gated ones first, then the
biggest change), short sections for new, removed, not-run, unpriced and
estimated tasks, the unchanged tasks folded in a ``<details>`` block, and a
footer naming the price source. When nothing changed the comment is the
marker and one line.

The output is a pure function of its inputs (no timestamps, everything
sorted), so re-rendering the same run gives the same bytes. (The sticky comment's
hidden marker carries the run's time, so each run edits it: that is what keeps a late,
older run from overwriting a newer report.) It stays under ``limit``
characters: on a huge suite the lists are cut with a note.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pytest_agentcost.diff import STALE_CHEAPER, STALE_VIOLATION
from pytest_agentcost.models import PriceSource, time_of_day_note
from pytest_agentcost.render._format import money, pct, percent, signed_money

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pytest_agentcost.diff import Comparison, TestDiff
    from pytest_agentcost.models import PriceSource, RunCost
    from pytest_agentcost.settings import TestRules

__all__ = ["COMMENT_LIMIT", "MARKER", "render_comment"]

#: Identifies our sticky comment (the GitHub client adds commit/run data in its own marker).
MARKER = "<!-- pytest-agentcost -->"

#: GitHub rejects issue comments longer than this many characters.
COMMENT_LIMIT = 65536

#: Statuses that always get their own short section instead of a table row.
_SECTION_STATUSES = ("new", "removed", "not-run", "unpriced", "estimated")


_CUT_NOTE = "\n\n_Comment cut to fit GitHub's size limit: the JSON report (`--agent-cost-json`) has every task._\n"


def render_comment(
    run: RunCost,
    cmp: Comparison,
    *,
    mode: str = "fail",
    runs_per_month: int | None = None,
    rules: Mapping[str, TestRules] | None = None,
    max_rows: int = 50,
    limit: int = COMMENT_LIMIT - 1000,
) -> str:
    """The markdown body of the PR comment for ``run`` compared as ``cmp``.

    ``mode`` is the gate mode (``fail`` marks regressions as errors, ``warn``
    as warnings). ``runs_per_month`` (global) and ``rules[nodeid].runs_per_month``
    (per task, wins) turn the usage change into a monthly projection. Tables and
    lists show at most ``max_rows`` entries each; the whole body stays within
    ``limit`` characters (fewer rows first, then a hard cut at a line end).
    """
    view = _View(run, cmp, mode, runs_per_month, rules or {})
    rows = max(max_rows, 0)
    text = view.render(rows, shortened=False)
    # Shrink the row cap in proportion to the overshoot until the body fits.
    for _ in range(30):
        if len(text) <= limit or rows == 0:
            break
        rows = max(min(rows - 1, int(rows * limit / len(text) * 0.9)), 0)
        text = view.render(rows, shortened=True)
    if len(text) <= limit:
        return text
    if limit <= len(_CUT_NOTE):
        return text[:limit]
    cut = text.rfind("\n", 0, limit - len(_CUT_NOTE))
    return text[: cut if cut > 0 else limit - len(_CUT_NOTE)] + _CUT_NOTE


# -- escaping -------------------------------------------------------------------


def code(text: str, *, in_table: bool = False) -> str:
    """``text`` as an inline code span that survives any backticks (and pipes, in a table cell).

    Backslash escapes do not work inside a code span, so a backtick in the
    text is kept by fencing with one more backtick than its longest run; a
    table cell additionally needs ``|`` written as ``\\|`` (GFM unescapes it).
    """
    text = text.replace("\r", " ").replace("\n", " ")
    if in_table:
        # GFM splits cells before parsing code spans, reading ``\\`` and ``\|`` as escape pairs: double
        # the backslashes right before a pipe so the pipe stays escaped (they show doubled, rarely).
        text = re.sub(r"(\\*)\|", lambda m: m.group(1) * 2 + "\\|", text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each end when both are there: pad so the text survives.
    pad = " " if text[:1] == "`" or text[-1:] == "`" or (text[:1] == " " and text[-1:] == " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    """Plain text for a table cell: pipes escaped, no line breaks, no raw HTML."""
    return (
        text.replace("\r", " ")
        .replace("\n", " ")
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("`", "\\`")
        .replace("<", "&lt;")
    )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _source(source: Mapping[str, Any]) -> str:
    return PriceSource.from_dict(source).describe()


# -- the document -----------------------------------------------------------------


class _View:
    """The facts the comment is made of, computed once; ``render`` lays them out with a row cap."""

    def __init__(
        self,
        run: RunCost,
        cmp: Comparison,
        mode: str,
        runs_per_month: int | None,
        rules: Mapping[str, TestRules],
    ) -> None:
        self.run = run
        self.cmp = cmp
        self.mode = mode
        self.gate_icon = ":x:" if mode == "fail" else ":warning:"
        self.runs_per_month = runs_per_month
        self.own_rpm = {n: r.runs_per_month for n, r in sorted(rules.items()) if r.runs_per_month is not None}
        tests = sorted(cmp.tests, key=lambda t: t.nodeid)
        self.changed = sorted((t for t in tests if _in_table(t)), key=_table_order)
        self.sections = {s: [t for t in tests if t.status == s] for s in _SECTION_STATUSES}
        self.unchanged = [t for t in tests if t.status == "unchanged" and not _in_table(t)]
        self.not_run = len(self.sections["not-run"])
        self.failed = len(cmp.by_status("failed"))

    # -- numbers --------------------------------------------------------------
    def split(self) -> dict[str, Decimal]:
        """The total change by cause: usage, prices, new tasks, removed tasks."""
        usage = sum((t.usage_delta_usd for t in self.cmp.tests if t.usage_delta_usd is not None), Decimal(0))
        prices = sum((t.price_delta_usd for t in self.cmp.tests if t.price_delta_usd is not None), Decimal(0))
        new = sum((t.current_usd for t in self.sections["new"] if t.current_usd is not None), Decimal(0))
        removed = sum((t.baseline_usd for t in self.sections["removed"] if t.baseline_usd is not None), Decimal(0))
        return {"usage": usage, "prices": prices, "new": new, "removed": -removed}

    def monthly(self) -> tuple[Decimal, int] | None:
        """Usage change x runs per month over the tasks that have a runs-per-month figure."""
        if self.runs_per_month is None and not self.own_rpm:
            return None
        total = Decimal(0)
        counted = 0
        for t in self.cmp.tests:
            rpm = self.own_rpm.get(t.nodeid, self.runs_per_month)
            if rpm is None or t.usage_delta_usd is None:
                continue
            total += t.usage_delta_usd * rpm
            counted += 1
        return total, counted

    def nothing_changed(self) -> bool:
        return (
            self.cmp.has_baseline
            and not self.changed
            and not any(self.sections.values())
            and not self.cmp.total_regressed
            and not any(t.budget or t.stale for t in self.cmp.tests)
        )

    # -- layout -----------------------------------------------------------------
    def render(self, rows: int, *, shortened: bool) -> str:
        if self.nothing_changed():
            _, after, _ = self.cmp.priced_totals()
            n = len(self.cmp.tests)
            what = f"{_plural(n, 'task')}, {money(after)} per run"
            return f"{MARKER}\n:white_check_mark: **Agent cost unchanged** ({what})\n"
        if not self.cmp.has_baseline:
            blocks = self._no_baseline(rows, shortened)
        else:
            blocks = [self._verdict(), self._summary(), *self._table(rows, shortened)]
            blocks.extend(self._section(status, rows, shortened) for status in _SECTION_STATUSES)
            blocks.append(self._unchanged(rows, shortened))
            improved, stale_cheaper = self.cmp.savings()
            if improved:
                blocks.append(
                    f"{_plural(improved, 'task')} got cheaper: update the baseline to lock in the savings "
                    "(`agentcost update-baseline RUN.json` or "
                    "`pytest --agent-cost --agent-cost-update-baseline`)."
                )
            if stale_cheaper:
                blocks.append(f"{_plural(stale_cheaper, 'task')} got cheaper on {STALE_CHEAPER}.")
        blocks.append(self._footer())
        return MARKER + "\n" + "\n\n".join(b for b in blocks if b) + "\n"

    def _more(self, hidden: int, shortened: bool) -> str:
        why = "shortened to fit the comment size limit; " if shortened else ""
        return f"... and {hidden:,} more ({why}see the JSON report)"

    def _verdict(self) -> str:
        cmp = self.cmp
        gated = cmp.regressions
        regressed = sum(1 for t in gated if t.status == "regressed")
        over_budget = sum(1 for t in gated if t.over_budget)
        stale_failed = sum(1 for t in gated if any(b.startswith(STALE_VIOLATION) for b in t.budget))
        # Stale under agent_cost_stale = warn: the gate passes, and the cost they replay is not the agent's.
        stale_warned = sum(1 for t in cmp.tests if t.stale and not any(b.startswith(STALE_VIOLATION) for b in t.budget))
        improved = len(cmp.by_status("improved"))
        before, after, _ = self.cmp.priced_totals()
        delta = after - before
        moved = pct(before, delta)
        split = self.split()
        # When prices moved the other way, the total alone reads as a saving while usage, which
        # the gate judges, went up (or the other way round): say each part, which add up to it.
        cause = ""
        if split["prices"] and split["usage"] and (split["usage"] > 0) != (delta > 0):
            labels = {"usage": "usage", "prices": "prices", "new": "new tasks", "removed": "removed tasks"}
            cause = ": " + ", ".join(f"{labels[k]} {signed_money(split[k])}" for k in labels if split[k])
        size = f"{abs(moved):.1f}% ({signed_money(delta)}{cause})" if moved is not None else f"by {money(abs(delta))}"
        head = f"Agent cost per run {'up' if delta > 0 else 'down'} {size}" if delta else "Agent cost per run unchanged"
        if cmp.total_regressed:
            head += f", over the {cmp.total_threshold} threshold"
            if cmp.gated_totals is not None and cmp.gated_totals[1:] != (before, after):
                # The threshold judged the tasks it can compare: new ones move the suite total too.
                n, judged_before, judged_now = cmp.gated_totals
                judged = percent(pct(judged_before, judged_now - judged_before))
                head += f" ({judged} on the {_plural(n, 'compared task')})"
        parts = []
        if regressed:
            parts.append(f"{_plural(regressed, 'task')} regressed")
        if over_budget:
            parts.append(f"{over_budget:,} over budget")
        if stale_failed:
            parts.append(f"{_plural(stale_failed, 'stale cassette')}")
        if stale_warned:
            parts.append(f"{_plural(stale_warned, 'stale cassette')} to re-record")
        if improved:
            parts.append(f"{improved:,} cheaper")
        # Unpriced new tasks are left out of the total: they did not move it.
        new = sum(1 for t in self.sections["new"] if t.current_usd is not None)
        if new and delta:
            # New tasks move the suite total without any task's cost changing: say so up front.
            parts.append(f"{_plural(new, 'new task')}")
        if not parts and not split["usage"] and split["prices"]:
            parts.append("prices changed, usage unchanged")
        icon = (
            self.gate_icon if (gated or cmp.total_regressed) else ":warning:" if stale_warned else ":white_check_mark:"
        )
        return f"{icon} **{head}{': ' + ', '.join(parts) if parts else ''}**"

    def _summary(self) -> str:
        before, after, unpriced = self.cmp.priced_totals()
        delta = after - before
        moved = pct(before, delta)
        # A CI shard's (or a -k run's) total is its own tasks', not the suite's.
        what = (
            "Total per run of the tasks this run ran (part of the suite)" if self.run.partial else "Suite total per run"
        )
        line = f"{what}: {money(before)} → {money(after)}"
        line += f" ({signed_money(delta)}, {percent(moved)})" if moved is not None else f" ({signed_money(delta)})"
        left_out = []
        if self.not_run:
            left_out.append(f"{_plural(self.not_run, 'task')} that did not run")
        if self.failed:
            left_out.append(f"{_plural(self.failed, 'failed task')}")
        if unpriced:
            left_out.append(f"{_plural(unpriced, 'unpriced task')}")
        if left_out:
            line += ", leaving out " + " and ".join(left_out)
        split = self.split()
        compared = sum(1 for t in self.cmp.tests if t.usage_delta_usd is not None)
        items = [f"- usage changed: {signed_money(split['usage'])} over {_plural(compared, 'compared task')}"]
        if split["prices"] or self.cmp.tool_price_changes or (self.cmp.prices_changed and self.cmp.prices_moved):
            items.append(f"- prices changed: {signed_money(split['prices'])}{self._price_sources()}")
        elif self.cmp.prices_changed:
            items.append(f"- price source changed, no compared task's cost moved with it{self._price_sources()}")
        if self.cmp.gated_totals is not None:
            over = " **over**" if self.cmp.total_regressed else ""
            judged = self.cmp.describe_gated_total("→", "task")
            items.append(f"- total threshold {self.cmp.total_threshold}{over}: {judged}")
        if self.sections["new"]:
            items.append(f"- new tasks: {signed_money(split['new'])}")
        if self.sections["removed"]:
            items.append(f"- removed tasks: {signed_money(split['removed'])}")
        projection = self.monthly()
        if projection is not None:
            total, counted = projection
            how = (
                f"{self.runs_per_month:,} runs a month"
                if self.runs_per_month is not None
                else f"each task's runs_per_month, {_plural(counted, 'task')}"
            )
            if self.runs_per_month is not None and self.own_rpm:
                how += f"; {_plural(len(self.own_rpm), 'task')} with own runs_per_month"
            items.append(f"- monthly projection: {signed_money(total)} a month (usage change × {how})")
        return line + "\n\n" + "\n".join(items)

    def _price_sources(self) -> str:
        base, now = self.cmp.baseline_price_source, self.cmp.current_price_source
        parts = [] if base == now else [f"{_source(base)} → {_source(now)}{time_of_day_note(base, now)}"]
        if self.cmp.tool_price_changes:
            parts.append(f"tool prices: {self.cmp.describe_tool_price_changes('→')}")
        return f" ({'; '.join(parts)})" if parts else ""

    def _table(self, rows: int, shortened: bool) -> list[str]:
        if not self.changed:
            return []
        lines = [
            "| test | baseline | current | delta | delta % | why |",
            "|:--|--:|--:|--:|--:|:--|",
        ]
        for t in self.changed[:rows]:
            icon = f"{self.gate_icon} " if t.gated else ""
            lines.append(
                f"| {icon}{code(t.nodeid, in_table=True)} | {'-' if t.without_entry else money(t.baseline_usd)} "
                f"| {t.judged_text()} "
                f"| {signed_money(t.judged_delta_usd)} | {percent(t.judged_delta_pct)} | {self._why(t)} |"
            )
        blocks = [f"**Changed ({len(self.changed):,})**"]
        if rows > 0:
            blocks.append("\n".join(lines))
        hidden = len(self.changed) - min(rows, len(self.changed))
        if hidden:
            blocks.append(self._more(hidden, shortened))
        return blocks

    def _why(self, t: TestDiff) -> str:
        items: list[str] = []
        if t.status == "regressed":
            items.append(f"**regressed** (threshold {_cell(t.threshold)})")
        elif t.status == "improved":
            items.append("**improved**")
        elif t.status == "price-changed":
            items.append("usage unchanged")
        elif t.status == "failed":
            items.append("test failed: not gated")
        elif t.delta_usd:
            # Named, as a regression's is: +112% can be under a threshold's dollar floor.
            items.append(f"within threshold ({_cell(t.threshold)})" if t.threshold else "within threshold")
        items.extend(_cell(b) if b.startswith(STALE_VIOLATION) else f"**over budget**: {_cell(b)}" for b in t.budget)
        items.extend(_cell(r) for r in t.reasons)
        if t.stale and not any(b.startswith(STALE_VIOLATION) for b in t.budget):
            items.append(f"stale cassette ({_cell(', '.join(t.stale))}): re-record")
        items.extend(filter(None, [t.estimate_note()]))
        return "; ".join(items)

    def _section(self, status: str, rows: int, shortened: bool) -> str:
        tests = self.sections[status]
        if not tests:
            return ""
        title = {
            "new": "New tasks ({n}): no baseline entry yet",
            "removed": "Removed tasks ({n}): in the baseline, gone from the suite",
            "not-run": "Not run ({n}): deselected or skipped, kept in the baseline",
            "unpriced": "Unpriced ({n}): no price known, not compared",
            "estimated": "Estimated ({n}): estimates moved (responses without usage), cost change not gated",
        }[status].format(n=f"{len(tests):,}")
        lines = [f"- {self._item(t)}" for t in tests[:rows]]
        hidden = len(tests) - len(lines)
        if hidden:
            lines.append(f"- {self._more(hidden, shortened)}")
        if status == "not-run":
            # Folded: a CI shard's summary would open on the rest of the suite.
            return f"<details><summary>{title}</summary>\n\n" + "\n".join(lines) + "\n\n</details>"
        return f"**{title}**\n\n" + "\n".join(lines)

    def _item(self, t: TestDiff) -> str:
        name = code(t.nodeid)
        if t.status == "new":
            text = f"{name}: {money(t.current_usd)}"
        elif t.status in ("removed", "not-run"):
            text = f"{name} (baseline {money(t.baseline_usd)})"
        elif t.status == "unpriced":
            test = self.run.tests.get(t.nodeid)
            models = test.unpriced_models if test is not None else ()
            why = f"no price for {_cell(', '.join(models))}" if models else "the baseline entry is unpriced"
            text = f"{name}: baseline {money(t.baseline_usd)}, now {money(t.current_usd)} ({why})"
        else:
            text = f"{name}: {money(t.baseline_usd)} → {money(t.current_usd)} ({signed_money(t.delta_usd)})"
        # Escaped as table cells are: a model name or a request value may hold markup.
        extra = [_cell(r) for r in t.reasons] if t.status in ("new", "removed") else []
        extra += [
            f"{self.gate_icon} {_cell(b)}"
            if b.startswith(STALE_VIOLATION)
            else f"{self.gate_icon} over budget: {_cell(b)}"
            for b in t.budget
        ]
        if t.stale and not any(b.startswith(STALE_VIOLATION) for b in t.budget):
            extra.append(f"stale cassette ({_cell(', '.join(t.stale))}): re-record")
        extra.extend(filter(None, [t.estimate_note()]))
        return "; ".join([text, *extra])

    def _unchanged(self, rows: int, shortened: bool) -> str:
        if not self.unchanged:
            return ""
        lines = ["| test | cost |", "|:--|--:|"]
        lines.extend(f"| {code(t.nodeid, in_table=True)} | {money(t.current_usd)} |" for t in self.unchanged[:rows])
        body = "\n".join(lines) if rows > 0 else ""
        hidden = len(self.unchanged) - min(rows, len(self.unchanged))
        if hidden:
            body += ("\n\n" if body else "") + self._more(hidden, shortened)
        summary = f"<summary>{_plural(len(self.unchanged), 'task')} unchanged</summary>"
        return f"<details>{summary}\n\n{body}\n\n</details>"

    def _no_baseline(self, rows: int, shortened: bool) -> list[str]:
        gated = self.cmp.regressions
        new = len(self.sections["new"])
        total = self.run.cost_usd
        cost = money(total) if total is not None else f"{money(self.run.priced_cost_usd)} + unpriced calls"
        if gated:
            head = f"{self.gate_icon} **No baseline yet; {_plural(len(gated), 'task')} over budget**"
        else:
            head = ":information_source: **No baseline yet**"
        blocks = [f"{head}: {_plural(new, 'task')} with LLM or tool HTTP calls cost {cost} per run"]
        if gated:
            lines = [f"- {code(t.nodeid)}: {money(t.current_usd)}; {'; '.join(t.budget)}" for t in gated[:rows]]
            hidden = len(gated) - len(lines)
            if hidden:
                lines.append(f"- {self._more(hidden, shortened)}")
            blocks.append("\n".join(lines))
        blocks.append(
            "Create the baseline with `pytest --agent-cost --agent-cost-update-baseline` "
            "(or `agentcost update-baseline RUN.json`) and commit it."
        )
        return blocks

    def _footer(self) -> str:
        source: PriceSource = self.run.price_source
        parts = [f"prices: {source.describe()}"]
        if self.cmp.has_baseline:
            parts.append(f"total threshold: {self.cmp.total_threshold_text}")
        parts.append(f"mode: {self.mode}")
        return "<sub>" + " · ".join(parts) + "</sub>"


def _in_table(t: TestDiff) -> bool:
    """Tasks compared with their baseline whose cost moved, or that carry a verdict or warning."""
    if t.status in ("regressed", "improved", "price-changed", "failed"):
        return True
    return t.status == "unchanged" and bool(t.delta_usd or t.reasons or t.budget or t.stale)


def _table_order(t: TestDiff) -> tuple[int, Decimal, str]:
    # Gated rows first so a row cap never hides what fails the build, then the biggest change.
    delta = t.delta_usd
    return (0 if t.gated else 1, -abs(delta) if delta is not None else Decimal(1), t.nodeid)
