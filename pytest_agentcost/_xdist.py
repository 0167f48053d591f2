"""xdist: workers send plain builtins, the controller merges them.

Each worker stores its run in ``config.workeroutput["agentcost"]`` at session
end; the controller collects them in ``pytest_testnodedown``. Only the
controller writes files, so the report is the same bytes with or without xdist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_agentcost.plugin import AgentCostSession


class XdistController:
    """Registered on the controller only when pytest-xdist is active."""

    def __init__(self, session: AgentCostSession) -> None:
        self.session = session

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        payload = getattr(node, "workeroutput", {}).get("agentcost")
        if payload is None:
            # A worker that crashed sends nothing: its tests are missing from the report,
            # which is said in the summary rather than silently treated as zero cost.
            self.session.lost_workers += 1
            return
        self.session.worker_payloads.append(payload)
