"""Hook specifications: extension points for other plugins and conftest files.

Implement them in a ``conftest.py`` or a plugin; they are only called while
``--agent-cost`` is active.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_agentcost.interaction import Interaction
    from pytest_agentcost.models import CallRecord
    from pytest_agentcost.usage import Extraction


@pytest.hookspec(firstresult=True)
def pytest_agentcost_extract_usage(interaction: Interaction) -> Extraction | None:
    """Read the usage of an interaction the built-in extractors do not know.

    Return an :class:`pytest_agentcost.usage.Extraction` to take over, or
    ``None`` to let the next implementation (and finally the built-in
    extractors) decide. Example, for an in-house gateway::

        from genai_prices import Usage
        from pytest_agentcost.usage import Extraction

        def pytest_agentcost_extract_usage(interaction):
            if interaction.host != "llm.internal":
                return None
            body = json.loads(interaction.response_text())
            return Extraction(provider="openai", endpoint="internal.generate",
                              model=body["model"], usage=Usage(input_tokens=body["in"],
                              output_tokens=body["out"]), streamed=False, billed=True,
                              estimated=False, tool_calls=0, response_id=None,
                              is_poll=False, warnings=())
    """


@pytest.hookspec(firstresult=True)
def pytest_agentcost_price_call(call: CallRecord) -> Decimal | None:
    """Price one billed LLM call in USD, or return ``None`` to use genai-prices.

    Example, a negotiated 20% discount on everything::

        def pytest_agentcost_price_call(call):
            from genai_prices import Usage, calc_price
            ...  # compute the list price, return it * Decimal("0.8")

    A Claude call priced iteration by iteration (``("priced", "per iteration")`` in
    ``call.price_context``: a compaction step, an advisor's sub-inference) sums its iterations'
    usage under its own model; ``call.iterations`` has each one's ``model`` (None: the call's),
    ``usage`` and list price ``cost_usd``, the advisor's at its own model's rates: price those.
    The price returned is shared by the iterations in that proportion (``by_model`` totals them).
    """


@pytest.hookspec()
def pytest_agentcost_modify_report(report: dict[str, Any]) -> None:
    """Change the JSON report (a dict of builtins) before it is written or rendered.

    Called once, on the xdist controller only. Example: drop a noisy test::

        def pytest_agentcost_modify_report(report):
            report["tests"].pop("tests/test_smoke.py::test_ping", None)
    """
