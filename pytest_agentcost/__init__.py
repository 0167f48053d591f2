"""pytest-agentcost: per-test LLM agent cost from recorded HTTP cassettes."""

from __future__ import annotations

from pytest_agentcost.errors import AgentCostError

__version__ = "0.1.0"

__all__ = ["AgentCostError", "__version__"]
