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


def test_numbers_outside_brackets_tell_kinds_apart() -> None:
    # Two gateways on localhost: their ports are not counts, and a user needs to see both.
    warnings = [
        "openai.chat response from localhost:8001: the response has no usage; usage estimated from the text "
        "(12 input, 3 output tokens)",
        "openai.chat response from localhost:9002: the response has no usage; usage estimated from the text "
        "(40 input, 9 output tokens)",
    ]
    assert warning_lines(warnings) == [f"warning: {w}" for w in warnings]
