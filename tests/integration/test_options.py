"""Options and ini values: help that prints, bad values refused in one line naming the option."""

from __future__ import annotations

import pytest


def test_pytest_help_lists_every_option_of_the_plugin(pytester: pytest.Pytester) -> None:
    # pytest %-formats each help string only when --help prints it: a stray '%' crashes here.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--help")
    assert result.ret == 0, result.stderr.str()
    assert "Traceback" not in result.stderr.str()
    result.stdout.fnmatch_lines(
        ["LLM agent cost per test (pytest-agentcost):", "*--agent-cost-threshold=SPEC*", "*agent_cost_runs_per_month*"]
    )
    assert "'10%,$0.0001'" in result.stdout.str()
