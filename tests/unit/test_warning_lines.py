"""The terminal's warning lines: one per kind, numbers aside, sorted and capped."""

from __future__ import annotations

from pytest_agentcost.gate import warning_lines

EMBED = (
    "gemini.embeddings response from generativelanguage.googleapis.com: Gemini embedding answers carry "
    "no token counts; usage estimated from the text ({} input, 0 output tokens)"
)


def test_warnings_that_differ_only_in_numbers_are_one_line() -> None:
    warnings = [EMBED.format(n) for n in (19, 7, 19, 250)]  # a repeat, as two calls of one test give
    warnings.append("model 'acme-7b' is not priced")
    assert warning_lines(warnings) == [
        f"warning: {EMBED.format(19)} (and 2 more like it)",  # the first in sorted order: "19" < "250" < "7"
        "warning: model 'acme-7b' is not priced",
    ]


def test_kinds_are_capped_and_the_rest_counted() -> None:
    warnings = [f"model 'm-{chr(97 + i)}' is not priced" for i in range(5)]
    assert warning_lines(warnings, limit=3) == [
        "warning: model 'm-a' is not priced",
        "warning: model 'm-b' is not priced",
        "warning: model 'm-c' is not priced",
        "... and 2 more kinds of warning (see the JSON report)",
    ]
    assert warning_lines([]) == []
