"""The one error family of pytest-agentcost.

Every error the plugin or the CLI reports on purpose derives from
:class:`AgentCostError`; the pytest glue and the CLI turn it into a single
clean line, never a traceback.
"""

from __future__ import annotations


class AgentCostError(Exception):
    """Base class of every error pytest-agentcost raises on purpose."""


class ConfigError(AgentCostError):
    """A bad option, ini value or marker argument."""


class BaselineError(AgentCostError):
    """A baseline or run file that cannot be read, validated or written."""


class PriceFileError(AgentCostError):
    """A user price file that cannot be read or has bad entries."""


class ExtractionError(AgentCostError):
    """An HTTP interaction whose usage cannot be read (reported as a warning)."""


class MergeError(AgentCostError):
    """Run files that cannot be merged (overlapping node ids that disagree)."""


class RedactionWarning(UserWarning):
    """A recording kept a credential out of a cassette that the cassette's own filters left in:
    replays without ``--agent-cost`` will not match it until ``vcr_config`` filters it too."""
