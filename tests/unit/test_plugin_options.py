"""The plugin's option list, as other checks rely on it."""

from __future__ import annotations

from typing import Any

from pytest_agentcost import plugin


class _Recorder:
    """Stands for pytest's parser and option group: records what pytest_addoption registers."""

    def __init__(self) -> None:
        self.options: dict[str, dict[str, Any]] = {}

    def getgroup(self, *args: Any, **kwargs: Any) -> _Recorder:
        return self

    def addoption(self, *names: str, **kwargs: Any) -> None:
        for name in names:
            self.options[name] = kwargs

    def addini(self, *args: Any, **kwargs: Any) -> None:
        pass


def test_every_option_that_takes_a_value_is_checked_for_moving_the_rootdir() -> None:
    parser = _Recorder()
    plugin.pytest_addoption(parser)  # type: ignore[arg-type]
    flags = {"store_true", "store_false", "count", "help", "version"}
    with_values = {name for name, kwargs in parser.options.items() if kwargs.get("action") not in flags}
    assert with_values == plugin._OPTIONS_WITH_VALUES
    assert "--agent-cost-json" in with_values
    assert "--agent-cost" not in with_values
