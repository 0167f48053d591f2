"""pytest glue: options, ini, marker, session wiring, exit status.

Nothing here computes anything: it collects what the recorder saw per test,
hands plain data to the pure modules and reports their verdicts. Without
``--agent-cost`` only the option group and the marker are registered: vcrpy
is not patched and no hook of ours runs per test.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import itertools
import os
import re
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pytest_agentcost.errors import AgentCostError

STASH_KEY = pytest.StashKey["AgentCostSession"]()

DEFAULT_BASELINE = "agent-cost-baseline.json"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_agentcost import hooks

    pluginmanager.add_hookspecs(hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("agent-cost", "LLM agent cost per test (pytest-agentcost)")
    group.addoption(
        "--agent-cost",
        action="store_true",
        default=False,
        help="measure the LLM cost of every test from the cassettes it plays or records",
    )
    group.addoption("--agent-cost-json", metavar="PATH", help="write the cost report as JSON to PATH")
    group.addoption("--agent-cost-markdown", metavar="PATH", help="write a PR-comment markdown body to PATH")
    group.addoption(
        "--agent-cost-baseline",
        metavar="PATH",
        help=(
            "baseline file to compare with, relative to the current folder (ini agent_cost_baseline, relative to "
            f"the rootdir; default {DEFAULT_BASELINE} at the rootdir)"
        ),
    )
    group.addoption(
        "--agent-cost-update-baseline",
        action="store_true",
        default=False,
        help="write this run's costs into the baseline file at the end of the session",
    )
    group.addoption(
        "--agent-cost-prune",
        action="store_true",
        default=False,
        help="with --agent-cost-update-baseline: drop baseline entries of tests not run now, even on a partial run",
    )
    group.addoption(
        "--agent-cost-include-failed",
        action="store_true",
        default=False,
        help="with --agent-cost-update-baseline: also write tests that failed",
    )
    group.addoption(
        "--agent-cost-threshold",
        metavar="SPEC",
        help="per-test regression threshold, e.g. '10%%', '$0.002' or '10%%,$0.0001' (ini agent_cost_threshold)",
    )
    group.addoption(
        "--agent-cost-total-threshold",
        metavar="SPEC",
        help="threshold on the suite total cost (ini agent_cost_total_threshold)",
    )
    group.addoption(
        "--agent-cost-mode",
        choices=("fail", "warn"),
        help="fail (default): a regression makes the exit status non-zero; warn: report only",
    )
    group.addoption(
        "--agent-cost-fail-unpriced",
        action="store_true",
        default=None,
        help="fail the run when a billed call has no known price (ini agent_cost_fail_unpriced)",
    )
    group.addoption(
        "--agent-cost-price-date",
        metavar="YYYY-MM-DD",
        help="date at which genai-prices prices are taken (ini agent_cost_price_date)",
    )
    group.addoption(
        "--agent-cost-stale",
        choices=("ignore", "warn", "fail"),
        help="what to do when a request no longer matches its recorded body (ini agent_cost_stale; default warn)",
    )
    group.addoption(
        "--agent-cost-gate-estimates",
        action="store_true",
        default=None,
        help="let the gate use the estimated cost of stale cassettes (ini agent_cost_gate_estimates)",
    )
    group.addoption(
        "--agent-cost-scan",
        action="store_true",
        default=False,
        help="scan the cassettes this run used for credentials; findings fail the run",
    )

    parser.addini("agent_cost_baseline", f"baseline file (default {DEFAULT_BASELINE} at the rootdir)", default="")
    parser.addini("agent_cost_threshold", "per-test regression threshold, e.g. 10%,$0.0001", default="")
    parser.addini("agent_cost_total_threshold", "threshold on the suite total, e.g. 5%", default="")
    parser.addini("agent_cost_mode", "fail or warn", default="fail")
    parser.addini("agent_cost_fail_unpriced", "fail when a billed call is unpriced", type="bool", default=False)
    parser.addini("agent_cost_price_date", "genai-prices price date YYYY-MM-DD", default="")
    parser.addini("agent_cost_prices", "user price file (TOML or JSON), relative to the rootdir", default="")
    parser.addini(
        "agent_cost_tool_prices",
        "per-call price of non-LLM hosts: 'host = USD' lines",
        type="linelist",
        default=[],
    )
    parser.addini(
        "agent_cost_providers",
        "map hosts to providers for proxies and gateways: 'host = provider' lines",
        type="linelist",
        default=[],
    )
    parser.addini("agent_cost_stale", "stale cassette policy: ignore, warn or fail", default="warn")
    parser.addini(
        "agent_cost_stale_ignore_fields",
        "request body fields ignored by stale-cassette detection (dotted paths); replaces the defaults",
        type="linelist",
        default=[],
    )
    parser.addini("agent_cost_gate_estimates", "gate on estimated cost of stale calls", type="bool", default=False)
    parser.addini("agent_cost_tiktoken_cache", "folder of tiktoken encoding files for offline use", default="")
    parser.addini(
        "agent_cost_tiktoken_download",
        "download missing tiktoken encodings (10 s timeout); false for strictly offline CI",
        type="bool",
        default=True,
    )
    parser.addini(
        "agent_cost_runs_per_month",
        "expected task volume for monthly projections in the PR comment",
        # A whole number in pytest's native [tool.pytest] TOML table (pytest 9.2 takes a type
        # expression), text in an ini file, as before (hardening 3: 1000 there was refused).
        type=(int | str) if pytest.version_tuple[:2] >= (9, 2) else None,
        default="",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    # Before the project's conftests are imported: with the wrong rootdir the ini file's
    # ``pythonpath`` is missed and a conftest's import fails first, with no word of the cause.
    early_config.stash[_ROOTDIR_CHECKED] = True
    _refuse_a_rootdir_moved_by_our_options(early_config, early_config.known_args_namespace)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "agent_cost(threshold=None, max_usd=None, max_llm_calls=None, max_tokens=None, runs_per_month=None, "
        "previously=None): per-test cost gate settings for pytest-agentcost: a regression threshold such as "
        "'25%' or '$0.01', hard budgets that hold with or without a baseline, and the node id a renamed test "
        "had, to compare it with that baseline entry.",
    )
    if not _is_worker(config) and not config.stash.get(_ROOTDIR_CHECKED, False):
        # Registered after the initial conftests (from a conftest's pytest_plugins), so checked here;
        # before --agent-cost is asked for: it may be in the ini file a moved rootdir missed.
        _refuse_a_rootdir_moved_by_our_options(config, config.option)
    if not config.getoption("agent_cost", default=False):
        if config.getoption("agent_cost_update_baseline", default=False):
            # A baseline job that forgot --agent-cost would pass green and never move the baseline.
            raise pytest.UsageError(
                "pytest-agentcost: --agent-cost-update-baseline needs --agent-cost: the baseline is written "
                "from what it measures"
            )
        inert = _inert_options(config)
        if inert and not _is_worker(config):
            config.pluginmanager.register(_InertOptionsNote(inert), "agentcost-inert-options")
        return
    disabled = _cassettes_disabled(config)
    if disabled is not None:
        # No cassette is played: every vcr-marked test would read $0, "improved", and an update
        # would drop them from the baseline.
        if config.getoption("agent_cost_update_baseline"):
            raise pytest.UsageError(
                f"pytest-agentcost: --agent-cost-update-baseline with {disabled}: no "
                "cassette is played, so every test would read $0; update the baseline from a run that replays them"
            )
        if not _is_worker(config):
            config.pluginmanager.register(
                _InertOptionsNote(["--agent-cost"], f"cassettes: {disabled} plays none, so no cost is seen"),
                "agentcost-inert-options",
            )
        return
    repeats = _repeat_count(config)
    if repeats > 1 and config.getoption("agent_cost_update_baseline"):
        raise pytest.UsageError(
            f"pytest-agentcost: pytest-repeat's --count {repeats} renames every test (test_x[1-{repeats}], ...), "
            "so a baseline written from this run would hold none of the suite's own entries; "
            "update the baseline from a run without --count"
        )
    try:
        session = AgentCostSession.from_config(config)
    except AgentCostError as exc:
        raise pytest.UsageError(f"pytest-agentcost: {exc}") from None
    config.stash[STASH_KEY] = session
    config.pluginmanager.register(session, "agentcost-session")
    update_only = _update_only_options(config)
    if update_only and not _is_worker(config):
        config.pluginmanager.register(
            _InertOptionsNote(update_only, "--agent-cost-update-baseline"), "agentcost-inert-options"
        )
    if config.pluginmanager.hasplugin("xdist") and not _is_worker(config):
        from pytest_agentcost._xdist import XdistController

        config.pluginmanager.register(XdistController(session), "agentcost-xdist")


def _cassettes_disabled(config: pytest.Config) -> str | None:
    """The option that turned cassettes off for this run, named as its plugin's users know it:
    pytest-recording's ``--disable-recording``, pytest-vcr's ``--disable-vcr`` (which drops every
    recorded interaction as it loads and records none)."""
    if config.pluginmanager.hasplugin("recording") and config.getoption("disable_recording", default=False):
        return "pytest-recording's --disable-recording"
    if config.pluginmanager.hasplugin("vcr") and config.getoption("disable_vcr", default=False):
        return "pytest-vcr's --disable-vcr"
    return None


def _repeat_count(config: pytest.Config) -> int:
    """pytest-repeat's ``--count``: above 1 it renames every test of the run."""
    if not config.pluginmanager.hasplugin("repeat"):
        return 1
    count = config.getoption("count", default=1)
    return count if isinstance(count, int) else 1


def _inert_options(config: pytest.Config) -> list[str]:
    """The ``--agent-cost-*`` options given, as typed: each acts only with ``--agent-cost``."""
    return [
        "--" + name.replace("_", "-")
        for name, value in vars(config.option).items()
        if name.startswith("agent_cost_") and value is not None and value is not False
    ]


#: Set once the early check ran (a plugin loaded by a conftest misses that hook).
_ROOTDIR_CHECKED = pytest.StashKey[bool]()


def _refuse_a_rootdir_moved_by_our_options(config: pytest.Config, option: argparse.Namespace) -> None:
    """Stop a run whose rootdir an option's value moved. pytest chooses the rootdir and config
    file before plugins add their options, from the command line's free arguments: the value of
    ``--agent-cost-json ../cost.json``, written with a space, is one of them once the file exists.
    The rootdir becomes the folder both have in common, the project's ini file is not found from
    there, and node ids (the baseline's keys) and every ``agent_cost_*`` setting change with it:
    the gate would pass on a baseline it no longer finds. Written with ``=`` the value is no free
    argument. Where pytest's own setup cannot be asked (another version's), nothing is checked.
    ``option`` holds the parsed command line: ``config.option``, or before it is filled the early
    parse, ``known_args_namespace``."""
    args = [*config.invocation_params.args]
    addopts = os.environ.get("PYTEST_ADDOPTS", "")
    if addopts:
        import shlex

        with contextlib.suppress(ValueError):
            args = [*shlex.split(addopts), *args]
    taken = [(name, value) for name, value in itertools.pairwise(args) if name in _OPTIONS_WITH_VALUES]
    if not taken:
        return
    free = [str(a) for a in option.file_or_dir or []]
    try:
        import inspect

        from _pytest.config.findpaths import determine_setup

        setup: dict[str, Any] = {
            "inifile": option.inifilename,
            "rootdir_cmd_arg": option.rootdir or None,
            "invocation_dir": config.invocation_params.dir,
        }
        if "override_ini" in inspect.signature(determine_setup).parameters:
            setup["override_ini"] = option.override_ini
        seen = determine_setup(args=[*free, *(value for _, value in taken)], **setup)[:2]
        rootpath, inipath = determine_setup(args=free, **setup)[:2]
    except Exception:  # pytest's private setup moved or refused: no check rather than a false one
        return
    # Only when the values account for the rootdir pytest chose, and it would be another without them.
    if seen != (config.rootpath, config.inipath) or seen == (rootpath, inipath):
        return
    name, value = next(((n, v) for n, v in taken if Path(config.invocation_params.dir, v).exists()), taken[0])
    chose = f"rootdir {config.rootpath} ({_config_file(config.inipath)})"
    meant = f"{rootpath} ({_config_file(inipath)})"
    raise pytest.UsageError(
        f"pytest-agentcost: pytest chose {chose} because it took {value!r}, the value of {name}, for a test "
        f"path (it reads the command line before plugins add their options); without it the rootdir is {meant}, "
        f"and node ids and agent_cost_* settings follow the rootdir. Write it with '=': {name}={value}"
    )


def _config_file(path: Path | None) -> str:
    return f"config file {path}" if path else "no config file"


#: The options of ours that take a value: written with a space, the value is a separate argument.
_OPTIONS_WITH_VALUES = frozenset(
    {
        "--agent-cost-json",
        "--agent-cost-markdown",
        "--agent-cost-baseline",
        "--agent-cost-threshold",
        "--agent-cost-total-threshold",
        "--agent-cost-mode",
        "--agent-cost-price-date",
        "--agent-cost-stale",
    }
)


def _update_only_options(config: pytest.Config) -> list[str]:
    """The options given that act only with ``--agent-cost-update-baseline``, when it is not given."""
    if config.getoption("agent_cost_update_baseline"):
        return []
    return [
        option
        for option, name in (
            ("--agent-cost-prune", "agent_cost_prune"),
            ("--agent-cost-include-failed", "agent_cost_include_failed"),
        )
        if config.getoption(name)
    ]


class _InertOptionsNote:
    """Says, at the end of a run, that options given without the one they act with did nothing
    (``--agent-cost-*`` without ``--agent-cost``, ``--agent-cost-prune`` without an update).

    A terminal line, not a warning: ``filterwarnings = error`` must not fail a run over it.
    """

    def __init__(self, options: list[str], needed: str = "--agent-cost") -> None:
        self.line = (
            f"pytest-agentcost: warning: {', '.join(options)} {'has' if len(options) == 1 else 'have'} "
            f"no effect without {needed}"
        )

    @pytest.hookimpl(trylast=True)  # the run's last line, after the agent cost section
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_line(self.line, yellow=True)


def _ignores_tests(config: pytest.Config) -> bool:
    """Whether ``--ignore`` or ``--ignore-glob``, given for this run (command line or
    ``PYTEST_ADDOPTS``), leave out a file that holds tests. In the ini's ``addopts``, or a
    conftest's ``collect_ignore``, they define the suite: a bare ``pytest`` leaves it out too."""
    import fnmatch
    import shlex

    args = [str(a) for a in config.invocation_params.args]
    with contextlib.suppress(ValueError):
        args += shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))
    ignored: list[tuple[str, str]] = []
    for i, arg in enumerate(args):
        option, eq, value = arg.partition("=")
        if option in ("--ignore", "--ignore-glob"):
            if not eq and i + 1 < len(args):
                value = args[i + 1]
            ignored.append((option, value))
    if not ignored:
        return False
    patterns = [str(p) for p in config.getini("python_files")]
    base = Path(config.invocation_params.dir)

    def is_test_file(name: str) -> bool:
        return name.endswith(".py") and any(fnmatch.fnmatch(name, p) for p in patterns)

    def holds_tests(path: Path) -> bool:
        files = [path] if path.is_file() else path.rglob("*.py") if path.is_dir() else []
        return any(is_test_file(f.name) for f in files)

    # Made absolute as pytest makes it ('..' resolved, symlinks not).
    globs = [os.path.abspath(base / value) for option, value in ignored if option == "--ignore-glob"]
    if any(holds_tests(base / value) for option, value in ignored if option == "--ignore"):
        return True
    # pytest matches an --ignore-glob, made absolute, against each path it would collect, with
    # fnmatch, whose '*' crosses '/' ('*_b.py' leaves out tests/test_b.py; hardening 3).
    # A folder it matches leaves out the test files under it.
    return bool(globs) and any(
        fnmatch.fnmatch(path, pattern)
        for paths in _suite_files(config, is_test_file)
        for path in paths
        for pattern in globs
    )


def _suite_files(config: pytest.Config, is_test_file: Callable[[str], bool]) -> Iterator[list[str]]:
    """Each test file a bare ``pytest`` would walk to, as absolute paths: the file, then the
    folders above it up to the suite's, skipping the folders pytest does not recurse into
    (``norecursedirs``)."""
    import fnmatch

    skip = [str(p) for p in config.getini("norecursedirs")]
    for top in _suite_paths(config):
        if top.is_file():
            yield [str(top)]
            continue
        for folder, dirs, files in os.walk(top):
            # Nor into a virtual environment, which pytest recognises by its pyvenv.cfg.
            dirs[:] = sorted(
                d
                for d in dirs
                if not any(fnmatch.fnmatch(d, p) for p in skip)
                and not os.path.isfile(os.path.join(folder, d, "pyvenv.cfg"))
            )
            above = [str(p) for p in [Path(folder), *Path(folder).parents] if p == top or top in p.parents]
            for name in sorted(files):
                if is_test_file(name):
                    yield [os.path.join(folder, name), *above]


def _selection_in(config: pytest.Config, args: list[str]) -> bool | None:
    """Whether ``args``, parsed as pytest parses them (``-vk expr``, ``-m=expr``), select by
    ``-k`` or ``-m``; None when they cannot be parsed."""
    try:
        namespace = config._parser.parse_known_args(args)
    except BaseException:  # argparse exits on what it cannot parse
        return None
    return bool(getattr(namespace, "keyword", "") or getattr(namespace, "markexpr", ""))


def _selection_defines_the_suite(config: pytest.Config) -> bool:
    """Whether the run's ``-k`` or ``-m`` is the ini file's own ``addopts``' only: given neither
    on the command line, nor in ``PYTEST_ADDOPTS``, nor by ``-o addopts=...``."""
    import shlex

    if any(str(o).partition("=")[0].strip() == "addopts" for o in config.getoption("override_ini") or ()):
        return False
    this_run = [str(a) for a in config.invocation_params.args]
    try:
        this_run += shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))
        ini = [str(a) for a in config.getini("addopts")]
    except ValueError:
        return False
    return _selection_in(config, this_run) is False and _selection_in(config, ini) is True


def _ini_selection(config: pytest.Config) -> Callable[[pytest.Item], bool] | None:
    """For ``-k`` or ``-m`` given only in the ini's ``addopts``, which define the suite: whether
    they leave out an item, as pytest's own matchers decide (its deselections are then not a
    partial run's). None when this run selects (or nothing does), or pytest's matchers are not
    there to ask."""
    keyword, markexpr = config.getoption("keyword"), config.getoption("markexpr")
    if not (keyword or markexpr) or not _selection_defines_the_suite(config):
        return None
    try:
        from _pytest.mark import KeywordMatcher, MarkMatcher
        from _pytest.mark.expression import Expression

        by_keyword = Expression.compile(keyword.lstrip()) if keyword and keyword.lstrip() else None
        by_mark = Expression.compile(markexpr) if markexpr else None
    except Exception:  # another pytest's internals, or an expression pytest itself refuses
        return None

    def leaves_out(item: pytest.Item) -> bool:
        try:
            if by_keyword is not None and not by_keyword.evaluate(KeywordMatcher.from_item(item)):
                return True
            if by_mark is not None:
                matcher = (
                    MarkMatcher.from_markers(item.iter_markers())
                    if hasattr(MarkMatcher, "from_markers")
                    else MarkMatcher.from_item(item)  # type: ignore[attr-defined]  # pytest < 8.1
                )
                return not by_mark.evaluate(matcher)
        except Exception:  # counted as this run's deselection: partial, the safe side
            return False
        return False

    return leaves_out


#: Options with which pytest runs no test, only tells (--help, --markers, --collect-only ...).
_INFORMING_OPTIONS = (
    "help",
    "version",
    "markers",
    "showfixtures",
    "show_fixtures_per_test",
    "collectonly",
    "setupplan",
    "setuponly",
)


def _only_informs(config: pytest.Config) -> bool:
    """Whether pytest runs no test, only tells: the baseline is not read (hardening 3: a baseline
    mid merge conflict stopped ``pytest --help`` with ``--agent-cost`` in addopts)."""
    return any(getattr(config.option, name, False) for name in _INFORMING_OPTIONS)


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_report_header(config: pytest.Config) -> str | None:
    session = config.stash.get(STASH_KEY, None)
    if session is None:
        return None
    return session.header()


class LiveCost:
    """The running test's cost so far: each attribute read looks at the calls made until then.

    ``agent_cost.llm_calls``, ``agent_cost.cost_usd``, ``agent_cost.usage.input_tokens`` ... are
    those of a :class:`~pytest_agentcost.models.TestCost`; ``agent_cost.snapshot()`` returns one.
    """

    def __init__(self, session: AgentCostSession, nodeid: str) -> None:
        self._session = session
        self._nodeid = nodeid

    def snapshot(self) -> Any:
        """A TestCost of the calls made so far."""
        return self._session.live_cost(self._nodeid)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.snapshot(), name)

    def __repr__(self) -> str:
        return f"LiveCost({self.snapshot()!r})"


@pytest.fixture
def agent_cost(request: pytest.FixtureRequest) -> LiveCost:
    """The running test's cost so far (read live). Without --agent-cost nothing is measured,
    and a test that asks for it is skipped (as pytest's own docs skip option-dependent tests)."""
    session = request.config.stash.get(STASH_KEY, None)
    if session is None:
        if request.config.getoption("agent_cost", default=False):  # inert: see pytest_configure
            pytest.skip(
                f"the agent_cost fixture reads cassette replays, and {_cassettes_disabled(request.config)} "
                "plays none (no cost is measured)"
            )
        pytest.skip("the agent_cost fixture needs --agent-cost (without it no cost is measured)")
    return LiveCost(session, request.node.nodeid)


def _rootdir_path(config: pytest.Config, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else Path(config.rootpath, path)


def _ini_bool(config: pytest.Config, name: str) -> bool:
    """A bool ini value; pytest's own error ("invalid truth value 'x'") does not say which key."""
    try:
        return bool(config.getini(name))
    except (ValueError, pytest.UsageError) as exc:  # pytest 8 raises ValueError, 9 a UsageError
        text = str(exc)
        raise AgentCostError(text if name in text else f"{name}: {text}; use true or false") from None


def _option_or_ini_bool(config: pytest.Config, name: str) -> bool:
    value = config.getoption(name, default=None)
    return bool(value) if value is not None else _ini_bool(config, name)


def _checked_option_or_ini(config: pytest.Config, name: str, check: Callable[[str, str], object]) -> str:
    """The option's value, else the ini value's. A bad option value is refused by ``check``
    naming the option as typed (``--agent-cost-threshold``); Settings names the ini key."""
    value = config.getoption(name)
    if not value:
        return str(config.getini(name))
    check(value, "--" + name.replace("_", "-"))
    return str(value)


def _suite_paths(config: pytest.Config) -> list[Path]:
    """The folders a bare ``pytest`` at the rootdir collects: its testpaths (globs expanded), else the rootdir."""
    root = config.rootpath
    found = [
        Path(root, match).resolve()
        for pattern in config.getini("testpaths") or []
        for match in glob.glob(str(pattern), root_dir=root, recursive=True)
    ]
    return found or [root.resolve()]


def _runs_last_failed_only(config: pytest.Config) -> bool:
    """``--lf`` with failures on record: only those run (pytest skips files without any)."""
    try:
        lf = config.getoption("lf")
    except ValueError:  # -p no:cacheprovider: no --lf option
        return False
    cache = getattr(config, "cache", None)
    if not lf or cache is None:
        return False
    # Failures in files that are gone do not narrow the run: pytest runs everything then.
    failed = cache.get("cache/lastfailed", {})
    return any((config.rootpath / str(nodeid).split("::")[0]).exists() for nodeid in failed)


def _implemented(config: pytest.Config, hook: str) -> bool:
    return bool(getattr(config.hook, hook).get_hookimpls())


#: The fixtures pytest makes for xunit and unittest set-ups: ``_unittest_setUpClass_fixture_TestX``.
_XUNIT_FIXTURE = re.compile(r"^_(?:unittest|xunit)_(\w+?)_fixture_")


def _fixture_entry(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> str:
    """The report entry of a wider-scoped fixture: where it is set up (its class, module or
    package; for the session, the folder of the conftest that defines it), its name with its
    parameter, and its scope: ``tests/test_a.py::agent[v2] [module fixture]``."""
    from pytest_agentcost.models import FIXTURE_ENTRY_SUFFIX

    scope = fixturedef.scope
    where = "" if scope == "session" else str(getattr(request.node, "nodeid", "") or "")
    if not where:  # the session, or a package fixture pytest sets up there (no __init__.py)
        where = str(getattr(fixturedef, "baseid", "") or "")
    xunit = _XUNIT_FIXTURE.match(fixturedef.argname)
    name = xunit.group(1) if xunit else fixturedef.argname
    param = _fixture_param_id(fixturedef, request)
    if param is not None:
        name += f"[{param}]"
    name = f"{where}::{name}" if where else name
    return f"{name} [{scope}{FIXTURE_ENTRY_SUFFIX}"


def _fixture_param_id(fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest) -> str | None:
    """The id of the parameter this set-up runs with (``params=``, or an indirect
    parametrization), as pytest would print it for a plain value; None when it has none."""
    if not hasattr(request, "param"):
        return None
    index = int(getattr(request, "param_index", 0))
    params, ids = fixturedef.params, fixturedef.ids
    if params is not None and index < len(params):
        given = getattr(params[index], "id", None)  # pytest.param(..., id="...")
        if isinstance(given, str):
            return given
        if isinstance(ids, (list, tuple)) and index < len(ids) and ids[index] is not None:
            return str(ids[index])
        if callable(ids):
            made = ids(request.param)
            if made is not None:
                return str(made)
    value = request.param
    if value is None or isinstance(value, (str, int, float, bool)):
        return str(value)
    if params is None:
        # An indirect parametrization: its index counts within one test's list, so two tests'
        # lists would share ids. A value that is data names itself.
        import hashlib
        import json

        try:
            text = json.dumps(value, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            pass
        else:
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            return text if len(text) <= 60 else f"{fixturedef.argname}-{digest}"
    return f"{fixturedef.argname}{index}"


def _fixture_location(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest, config: pytest.Config
) -> tuple[str, int] | None:
    """(path relative to rootdir, 1-based line) of the fixture's function, for annotations; for a
    fixture pytest made (a unittest ``setUpClass``), of the class or module it sets up."""
    code = getattr(fixturedef.func, "__code__", None)
    if code is not None and not _XUNIT_FIXTURE.match(fixturedef.argname):
        try:
            path = Path(code.co_filename).resolve().relative_to(config.rootpath)
        except ValueError:
            pass
        else:
            return path.as_posix(), code.co_firstlineno
    try:
        fspath, line, _ = request.node.reportinfo()
        path = Path(fspath).resolve().relative_to(config.rootpath)
    except (AttributeError, TypeError, ValueError):
        return None
    return path.as_posix(), (line or 0) + 1


@dataclass
class _FixtureSetups:
    """The set-ups of one wider-scoped fixture entry in this process, each by how it ended
    (``passed``, ``error``, ``skipped``); set-up ``i`` records its calls under ``key(i)``."""

    entry: str
    location: tuple[str, int] | None
    outcomes: list[str] = field(default_factory=list)

    def key(self, index: int) -> str:
        return f"{self.entry}\x00{index}"


@contextlib.contextmanager
def _teardown_errors_mark(fixturedef: pytest.FixtureDef[Any], setups: _FixtureSetups, index: int) -> Iterator[None]:
    """While a fixture sets up, the finalizers it registers (a generator fixture's code after
    ``yield``, ``request.addfinalizer``) are wrapped: one that raises marks the set-up ``error``,
    as an error in the set-up does, since the calls its teardown made may be cut short."""
    register = fixturedef.addfinalizer

    def marking(finalizer: Callable[[], object]) -> None:
        def run() -> object:
            try:
                return finalizer()
            except BaseException:
                setups.outcomes[index] = "error"
                raise

        register(run)

    fixturedef.addfinalizer = marking  # type: ignore[method-assign]
    try:
        yield
    finally:
        del fixturedef.addfinalizer


def _merged(a: Any, b: Any) -> Any:
    """One entry from two xdist workers': a wider-scoped fixture each set up is reported as one
    set-up, chosen whatever the worker that reported first (see ``representative_setup``)."""
    from pytest_agentcost.models import FIXTURE_ENTRY_SUFFIX, representative_setup

    if not a.nodeid.endswith(FIXTURE_ENTRY_SUFFIX):
        return b
    return representative_setup((a, b))


def _agent_cost_marker(node: pytest.Item | pytest.Collector) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """The ``agent_cost`` markers on a test (or a class, a module), its class and module,
    stacked: for each argument the closest marker that sets it wins (``max_usd=None`` lifts a
    budget set further out). A ``pytest.param``'s marker is closer than its function's."""
    markers = list(node.iter_markers("agent_cost"))
    if not markers:
        return None
    # pytest lists a test's own markers function first, then its parameter set's.
    param_marks = [m for m in getattr(getattr(node, "callspec", None), "marks", ()) if m.name == "agent_cost"]
    if param_marks:
        markers = param_marks + [m for m in markers if not any(m is p for p in param_marks)]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = {}
    for marker in reversed(markers):  # module first, the test's own last
        args = marker.args or args
        kwargs.update(marker.kwargs)
    return args, {key: value for key, value in kwargs.items() if value is not None}


def _outside_summary(calls: list[Any]) -> dict[str, Any]:
    """The calls made outside any test, as an xdist worker sends them: how many, and their cost
    as a test's is summed (``None`` when one is unpriced)."""
    from pytest_agentcost.models import TestCost, format_money

    cost = TestCost(nodeid="", calls=tuple(calls)).cost_usd
    return {"calls": len(calls), "cost_usd": None if cost is None else format_money(cost)}


def _outside_line(summaries: list[dict[str, Any]]) -> str | None:
    from pytest_agentcost.models import parse_money, sum_costs
    from pytest_agentcost.render._format import money

    counted = [s for s in summaries if s.get("calls")]
    if not counted:
        return None
    cost = sum_costs(None if s.get("cost_usd") is None else parse_money(s["cost_usd"]) for s in counted)
    return (
        f"warning: {sum(int(s['calls']) for s in counted)} call(s) ({money(cost)}) made outside any test (at "
        "collection, or by a thread or task that outlived its test) are in no test's cost"
    )


def _outcome(previous: str | None, report: pytest.TestReport) -> str:
    if report.failed:
        return "failed" if report.when == "call" else "error"
    if report.skipped:
        if hasattr(report, "wasxfail"):
            return "xfailed"
        return previous if previous in ("failed", "error") else "skipped"
    if report.when == "call":
        if hasattr(report, "wasxfail"):
            return "xpassed"
        return previous if previous in ("failed", "error") else "passed"
    return previous or "passed"


class AgentCostSession:
    """All state of one ``--agent-cost`` run; registered as a plugin, reached via ``config.stash``."""

    def __init__(self, config: pytest.Config, settings: Any) -> None:
        from pytest_agentcost.accounting import Accountant
        from pytest_agentcost.recorder import Recorder

        self.config = config
        self.settings = settings
        self.accountant = Accountant(
            settings.pricer,
            settings.host_providers,
            detect_drift=settings.stale_policy != "ignore",
            drift_ignore_fields=settings.stale_ignore_fields,
            # Hooks are called only when someone implements them: the per-call path stays lean.
            extract_hook=self._extract_hook if _implemented(config, "pytest_agentcost_extract_usage") else None,
            price_hook=self._price_hook if _implemented(config, "pytest_agentcost_price_call") else None,
            rootdir=str(config.rootpath),
        )
        self.recorder = Recorder(self.accountant, self.accountant.lean)
        self._item_hooks: Any = None
        self.tests: dict[str, Any] = {}
        self._outcomes: dict[str, str] = {}
        self._reruns: dict[str, int] = {}
        self._fixture_entries: dict[str, _FixtureSetups] = {}
        self._exited = False
        self.worker_payloads: list[dict[str, Any]] = []
        self.is_worker = _is_worker(config)
        self.lines: list[str] = []
        self.verdict: Any = None
        self.lost_workers = 0
        self._bad_markers: dict[str, str] = {}
        self._deselected = 0
        self._collection_errors = 0
        self._skipped_collectors: set[str] = set()
        #: The fixtures collected tests request, by file (an xdist worker's come in its payload).
        self.used_fixtures: dict[str, set[str]] = {}
        #: Wider-scoped fixture entries set up without any call (see _fixtures_not_set_up).
        self.quiet_fixtures: set[str] = set()
        # --lf with failures on record skips whole files without deselecting them: read before
        # this run updates the record.
        self._last_failed_only = _runs_last_failed_only(config)
        # -k or -m in the ini's addopts only: they define the suite, as an --ignore there does.
        self._ini_selection = _ini_selection(config)
        self.baseline: Any = None
        self.annotations: list[str] = []

    @classmethod
    def from_config(cls, config: pytest.Config) -> AgentCostSession:
        from pytest_agentcost.pricing import parse_price_date
        from pytest_agentcost.settings import Settings, Threshold, parse_host_providers

        # A path on the command line is the current folder's, as --agent-cost-json's and pytest's
        # --junitxml are (hardening 3: it was the rootdir's); the ini's is the rootdir's.
        option_value = config.getoption("agent_cost_baseline")
        baseline_value = option_value or config.getini("agent_cost_baseline")
        baseline_path = (
            Path(os.path.normpath(Path(config.invocation_params.dir, option_value)))
            if option_value
            else _rootdir_path(config, baseline_value or DEFAULT_BASELINE)
        )
        prices_value = config.getini("agent_cost_prices")
        settings = Settings.build(
            rootdir=config.rootpath,
            baseline=baseline_path,
            baseline_explicit=bool(baseline_value),
            json_path=config.getoption("agent_cost_json"),
            markdown_path=config.getoption("agent_cost_markdown"),
            update_baseline=config.getoption("agent_cost_update_baseline"),
            prune=config.getoption("agent_cost_prune"),
            include_failed=config.getoption("agent_cost_include_failed"),
            threshold=_checked_option_or_ini(config, "agent_cost_threshold", Threshold.parse),
            total_threshold=_checked_option_or_ini(config, "agent_cost_total_threshold", Threshold.parse),
            mode=config.getoption("agent_cost_mode") or config.getini("agent_cost_mode"),
            fail_unpriced=_option_or_ini_bool(config, "agent_cost_fail_unpriced"),
            price_date=_checked_option_or_ini(config, "agent_cost_price_date", parse_price_date),
            prices_file=_rootdir_path(config, prices_value) if prices_value else None,
            tool_prices=config.getini("agent_cost_tool_prices"),
            host_providers=parse_host_providers(config.getini("agent_cost_providers")),
            stale_policy=config.getoption("agent_cost_stale") or config.getini("agent_cost_stale"),
            stale_ignore_fields=config.getini("agent_cost_stale_ignore_fields") or None,
            gate_estimates=_option_or_ini_bool(config, "agent_cost_gate_estimates"),
            tiktoken_cache=config.getini("agent_cost_tiktoken_cache") or None,
            tiktoken_download=_ini_bool(config, "agent_cost_tiktoken_download"),
            # As given: 0 is a value, and Settings reads "" as not set (review 48: `or None` lost 0).
            runs_per_month=config.getini("agent_cost_runs_per_month"),
            scan=config.getoption("agent_cost_scan"),
        )
        from pytest_agentcost import tokens

        # The report's note says when token estimates fell back to ~4 characters per token, once;
        # a warning would be attributed to whichever test first needed an estimate.
        tokens.configure_warning(enabled=False)
        session = cls(config, settings)
        if not session.is_worker and not _only_informs(config):
            session.load_baseline()
        return session

    # -- extension hooks ------------------------------------------------------
    # A conftest's hooks apply to the tests under its folder, as pytest's own test hooks do
    # (``item.ihook``): hardening 5 found a sub-folder's price hook pricing every folder's tests,
    # or none, depending on which folders a run collected. Outside a test (a wider fixture's
    # calls, settled at the session's end) every hook loaded is called.
    def _hooks(self) -> Any:
        return self._item_hooks if self._item_hooks is not None else self.config.hook

    def _extract_hook(self, interaction: Any) -> Any:
        return self._hooks().pytest_agentcost_extract_usage(interaction=interaction)

    def _price_hook(self, call: Any) -> Any:
        return self._hooks().pytest_agentcost_price_call(call=call)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # A conftest in a sub-folder is loaded while collecting: a hook only it implements is
        # known now, not when the session started.
        if self.accountant.extract_hook is None and _implemented(self.config, "pytest_agentcost_extract_usage"):
            self.accountant.extract_hook = self._extract_hook
        if self.accountant.price_hook is None and _implemented(self.config, "pytest_agentcost_price_call"):
            self.accountant.price_hook = self._price_hook

    # -- baseline ---------------------------------------------------------------
    def load_baseline(self) -> None:
        from pytest_agentcost.baseline import load_baseline

        path = self.settings.baseline
        self.baseline = None
        if path.exists():
            self.baseline = load_baseline(path)
        elif self.settings.baseline_explicit and not self.settings.update_baseline:
            raise AgentCostError(f"{path}: baseline file not found (create it with --agent-cost-update-baseline)")

    def header(self) -> str:
        source = self.settings.pricer.source
        shown = self.baseline is not None or (_only_informs(self.config) and self.settings.baseline.exists())
        base = str(self.settings.baseline) if shown else "none"  # not read by --collect-only
        return (
            f"agent-cost: prices {source.name} {source.version} at {source.price_date}; "
            f"baseline {base}; stale cassettes: {self.settings.stale_policy}"
        )

    # -- per test -----------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.recorder.install()
        # sessionfinish, which uninstalls, never runs when another plugin's sessionstart raises:
        # vcrpy is restored with the config then (uninstalling twice does nothing).
        session.config.add_cleanup(self.recorder.uninstall)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        if self.accountant.extract_hook is not None or self.accountant.price_hook is not None:
            self._item_hooks = item.ihook  # its folder's conftests' hooks (see _hooks)
        try:
            try:
                with self.recorder.running(item.nodeid):
                    result = yield
            except BaseException:
                # Ctrl-C or pytest.exit() mid-test: keep the calls it made (the run is stopped, so
                # nothing is written or judged from them), never hiding why it stopped.
                with contextlib.suppress(Exception):
                    self._finish_item(item, interrupted=True)
                raise
            self._finish_item(item)  # its calls are accounted here, under its hooks
            return result
        finally:
            self._item_hooks = None

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Generator[None, object, object]:
        # A class-, module-, package- or session-scoped fixture's calls are its own entry, set up
        # and torn down: charged to whichever test ran first or last in its scope, they would move
        # with the test order (pytest-randomly, xdist, shards) and a rerun would lose them.
        if fixturedef.scope == "function":
            return (yield)
        entry = _fixture_entry(fixturedef, request)
        setups = self._fixture_entries.get(entry)
        if setups is None:
            location = _fixture_location(fixturedef, request, self.config)
            setups = self._fixture_entries[entry] = _FixtureSetups(entry, location)
            # Its scope's markers (a module's pytestmark, a class's) budget it as they do its tests.
            marker = _agent_cost_marker(request.node) if fixturedef.scope in ("class", "module", "package") else None
            if marker is not None:
                with contextlib.suppress(AgentCostError):  # bad markers are reported on the tests
                    self.settings.record_marker(entry, *marker)
        # Each set-up is kept apart: one that errors and is set up again (a rerun) is not added
        # to the next, and set-ups in other orders, workers or shards are told apart.
        index = len(setups.outcomes)
        setups.outcomes.append("passed")
        key = setups.key(index)
        # Finalizers run last in, first out: these two bracket the fixture's own teardown.
        outer: list[str | None] = []
        fixturedef.addfinalizer(lambda: self.recorder.leave(outer.pop()) if outer else None)
        try:
            with self.recorder.running(key), _teardown_errors_mark(fixturedef, setups, index):
                result = yield
        except pytest.skip.Exception:
            setups.outcomes[index] = "skipped"
            raise
        except BaseException:
            setups.outcomes[index] = "error"
            raise
        fixturedef.addfinalizer(lambda: outer.append(self.recorder.enter(key)))
        return result

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # Ctrl-C, and pytest.exit() whatever its return code (0 and 3 included).
        self._exited = True

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.outcome == "rerun":  # type: ignore[comparison-overlap]
            # pytest-rerunfailures threw this attempt away and runs the test again (logged once
            # the attempt's teardown is done). Cost per task is one attempt's: the last one.
            self.recorder.discard(report.nodeid)
            self._reruns[report.nodeid] = self._reruns.get(report.nodeid, 0) + 1
            return
        self._outcomes[report.nodeid] = _outcome(self._outcomes.get(report.nodeid), report)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        from pytest_agentcost import tokens

        # Where tiktoken's files are read from is fixed before any test runs (see pin_cache_dir).
        tokens.pin_cache_dir()
        # Validate markers before any test runs: one clean line, never a traceback.
        from pytest_agentcost.settings import parse_marker

        for item in items:
            marker = _agent_cost_marker(item)
            if marker is not None:
                try:
                    parse_marker(*marker, item.nodeid)
                except AgentCostError as exc:
                    if not self.is_worker:
                        raise pytest.UsageError(f"pytest-agentcost: {exc}") from None
                    # An xdist worker cannot end the session with a usage error: the
                    # test errors at setup with the same one-line message instead.
                    self._bad_markers[item.nodeid] = f"pytest-agentcost: {exc}"

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        message = self._bad_markers.get(item.nodeid)
        if message is not None:
            pytest.fail(message, pytrace=False)

    def _finish_item(self, item: pytest.Item, *, interrupted: bool = False) -> None:
        from pytest_agentcost.models import TestCost, bill_responses_once

        path, line, _ = item.location
        calls = bill_responses_once(self.recorder.pop(item.nodeid))
        outcome = self._outcomes.get(item.nodeid, "passed")
        if interrupted and outcome == "passed":
            outcome = "error"  # stopped before its end: not known to have passed, so never judged
        self.tests[item.nodeid] = TestCost(
            nodeid=item.nodeid,
            outcome=outcome,
            calls=calls,
            location=(path.replace(os.sep, "/"), (line or 0) + 1),
            reruns=self._reruns.pop(item.nodeid, 0),
        )
        marker = _agent_cost_marker(item)
        if marker is not None and item.nodeid not in self._bad_markers:
            self.settings.record_marker(item.nodeid, *marker)

    def live_cost(self, nodeid: str) -> Any:
        from pytest_agentcost.models import TestCost, bill_responses_once

        # As the report will bill them: polls of one background response bill it once.
        return TestCost(nodeid=nodeid, calls=bill_responses_once(list(self.recorder.calls_of(nodeid))))

    # -- end of session -------------------------------------------------------------
    def _add_fixture_entries(self) -> None:
        """The calls of wider-scoped fixtures, one entry each (see pytest_fixture_setup): of
        several set-ups of one entry, the one ``representative_setup`` chooses."""
        from pytest_agentcost.models import TestCost, bill_responses_once, representative_setup

        for entry, info in sorted(self._fixture_entries.items()):
            setups = [
                TestCost(
                    nodeid=entry,
                    outcome=outcome,
                    calls=bill_responses_once(self.recorder.pop(info.key(index))),
                    location=info.location,
                )
                for index, outcome in enumerate(info.outcomes)
            ]
            chosen = representative_setup(setups)
            if chosen.calls:
                self.tests[entry] = chosen
            else:  # set up, and free now: an entry only where the baseline has one
                self.quiet_fixtures.add(entry)

    def run_cost(self, *, partial: bool = False, stopped: bool = False) -> Any:
        from pytest_agentcost.models import RunCost
        from pytest_agentcost.report import run_from_dict

        tests = dict(self.tests)
        for payload in self.worker_payloads:
            worker_run = run_from_dict(payload["run"], "xdist worker payload")
            for nodeid, test in worker_run.tests.items():
                tests[nodeid] = _merged(tests[nodeid], test) if nodeid in tests else test
            for nodeid, spec in payload.get("markers", {}).items():
                self.settings.record_marker(nodeid, (), spec)
        if not stopped:
            # A stopped run did not reach every test that would set a fixture up: its entries
            # stay not-run in the comparison, as the unreached tests do, not "skipped".
            tests.update(self._fixtures_not_set_up(tests))
        tests.update(self._skipped_with_their_module(tests))
        return RunCost(
            tests=dict(sorted(tests.items())),
            price_source=self.settings.pricer.source,
            markers=self.settings.marker_specs(),
            gate=self.settings.gate_settings(),
            partial=partial,
            stopped=stopped,
        )

    def _fixtures_not_set_up(self, tests: Mapping[str, Any]) -> dict[str, Any]:
        """Baseline entries of wider-scoped fixtures with no calls in this run: set up without
        a call, an entry of no cost; not set up although collected tests of their scope request
        them (all skipped, say), skipped, so kept, like their tests. A fixture no collected test
        requests any more is left out, so a full run prunes it."""
        from pytest_agentcost.models import FIXTURE_ENTRY_SUFFIX, TestCost

        used: dict[str, set[str]] = {path: set(names) for path, names in self.used_fixtures.items()}
        quiet = set(self.quiet_fixtures)
        for payload in self.worker_payloads:
            for path, names in payload.get("used_fixtures", {}).items():
                used.setdefault(path, set()).update(names)
            quiet.update(payload.get("quiet_fixtures", ()))
        if self.baseline is None:
            return {}
        found: dict[str, Any] = {}
        for entry in self.baseline.tests:
            if not entry.endswith(FIXTURE_ENTRY_SUFFIX) or entry in tests:
                continue
            if entry in quiet:  # set up without a call: its cost fell to $0, as a test's can
                found[entry] = TestCost(nodeid=entry)
                continue
            where, _, name = entry.rsplit(" [", 1)[0].rpartition("::")
            name = name.split("[", 1)[0]
            path = where.split("::", 1)[0]
            requested = (
                name in used.get(path, ())
                if path.endswith(".py")
                else any(name in names for p, names in used.items() if not path or p.startswith(path + "/"))
            )
            if requested:
                found[entry] = TestCost(nodeid=entry, outcome="skipped")
        return found

    def _skipped_with_their_module(self, tests: Mapping[str, Any]) -> dict[str, Any]:
        """Baseline entries under a module or package skipped at collection, skipped like the
        tests a marker skips (so kept by an update, and left out of the totals)."""
        from pytest_agentcost.models import TestCost

        skipped = set(self._skipped_collectors)
        for payload in self.worker_payloads:
            skipped.update(str(nodeid) for nodeid in payload.get("skipped_collectors", ()))
        if self.baseline is None or not skipped:
            return {}
        prefixes = tuple(p for nodeid in sorted(skipped) for p in (nodeid + "::", nodeid + "/"))
        return {
            entry: TestCost(nodeid=entry, outcome="skipped")
            for entry in self.baseline.tests
            if entry not in tests and entry.startswith(prefixes)
        }

    def _note_used_fixtures(self, session: pytest.Session) -> None:
        """The fixtures the collected tests request, by file (see _fixtures_not_set_up)."""
        for item in session.items:
            names = getattr(item, "fixturenames", None)
            if names:
                # Named as the entries name them: a unittest class's fixture is its setUpClass.
                named = ((m.group(1) if (m := _XUNIT_FIXTURE.match(n)) else n) for n in names)
                self.used_fixtures.setdefault(item.nodeid.split("::", 1)[0], set()).update(named)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.recorder.uninstall()
        self._note_used_fixtures(session)
        self._add_fixture_entries()
        try:
            self._finish_session(session, exitstatus)
        finally:
            # Nothing reads the call records after this. Let them go before pytest's own last
            # full garbage collections, which would otherwise walk tens of thousands of them.
            self.tests = {}
            self.worker_payloads = []

    def _finish_session(self, session: pytest.Session, exitstatus: int) -> None:
        from pytest_agentcost import tokens

        if exitstatus == pytest.ExitCode.USAGE_ERROR or _only_informs(self.config):
            # The session stopped before any test ran (a bad agent_cost marker, a plugin's usage
            # error), or ran none (--collect-only, --setup-plan, --setup-only): there is nothing
            # to report, and a baseline update would prune every entry.
            return

        if self.is_worker:
            from pytest_agentcost.models import RunCost
            from pytest_agentcost.report import run_to_dict

            run = RunCost(tests=self.tests, price_source=self.settings.pricer.source)
            self.config.workeroutput["agentcost"] = {  # type: ignore[attr-defined]
                "run": run_to_dict(run),
                "markers": self.settings.marker_specs(),
                # Per process: the controller's report says it for every worker.
                "token_fallbacks": tokens.fallback_reasons(),
                # Workers collect, so they see deselection (--deselect, --lf, a pytest-split
                # shard); the controller, which decides whether the run was full, does not.
                "deselected": self._deselected,
                "used_fixtures": {path: sorted(names) for path, names in sorted(self.used_fixtures.items())},
                "quiet_fixtures": sorted(self.quiet_fixtures),
                # xdist passes the controller one skipped collect report per skip location: modules
                # that share an importorskip helper, or a skipping package, would be one.
                "skipped_collectors": sorted(self._skipped_collectors),
                "outside": _outside_summary(self.recorder.pop_outside()),
            }
            return
        from pytest_agentcost.gate import finish_session

        # Stopped before every selected test ran: -x, --maxfail, --sw, pytest.exit(), Ctrl-C, an
        # internal error (xdist's, when a worker exits mid-test). The tests not reached are not
        # removed, and the baseline is not written.
        # A crashed xdist worker loses its tests' data: as unsafe for the baseline as Ctrl-C.
        stopped = bool(
            exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED)
            or self._exited
            or session.shouldstop is not False
            or session.shouldfail is not False
            or self.lost_workers
            # --continue-on-collection-errors: a module that failed to import never ran its tests.
            or self._collection_errors
        )
        full_run = self._is_full_run(session) and not stopped
        try:
            outcome = finish_session(
                self.run_cost(partial=not full_run, stopped=stopped),
                self.settings,
                self.baseline,
                full_run=full_run,
                interrupted=stopped,
                token_fallbacks=self._token_fallbacks(tokens.fallback_reasons()),
                # Not the entries the run keeps without running them (fixtures, skipped modules).
                ran_no_test=not self.tests and not any(p["run"].get("tests") for p in self.worker_payloads),
                # Tests named for re-recording as pytest takes them in the folder it was run in.
                invocation_dir=self.config.invocation_params.dir,
                modify_report=(
                    (lambda report: self.config.hook.pytest_agentcost_modify_report(report=report))
                    if _implemented(self.config, "pytest_agentcost_modify_report")
                    else None
                ),
            )
        except AgentCostError as exc:
            self.lines = [f"pytest-agentcost: {exc}"]
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
            return
        self.lines = outcome.lines + [f"pytest-agentcost: {error}" for error in outcome.errors]
        if outcome.errors:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
        # Budgets hold with or without a baseline: fail mode judges the run either way.
        judged = self.settings.update_baseline or self.settings.mode == "fail"
        if self.lost_workers and judged and session.exitstatus == pytest.ExitCode.OK:
            # pytest passed (a rerun plugin ran the crashed worker's test again), but the costs the
            # worker held are lost: no update, and no verdict on them (hardening 3: exit 0).
            self.lines.append(
                f"agent cost FAILED: {self.lost_workers} xdist worker(s) crashed, and the costs of the tests "
                "they ran are lost; run again"
            )
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        elif self.lost_workers:
            self.lines.append(
                f"warning: {self.lost_workers} xdist worker(s) crashed; their tests are missing from this report"
            )
        outside = [_outside_summary(self.recorder.pop_outside())]
        outside += [p["outside"] for p in self.worker_payloads if isinstance(p.get("outside"), dict)]
        line = _outside_line(outside)
        if line:
            self.lines.append(line)
        self.annotations = outcome.annotations
        self.verdict = outcome
        if outcome.failed and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _token_fallbacks(self, own: dict[str, str]) -> dict[str, str]:
        """Why token estimates fell back, by encoding: this process's and every xdist worker's."""
        reasons = dict(own)
        for payload in self.worker_payloads:
            for name, reason in payload.get("token_fallbacks", {}).items():
                reasons.setdefault(str(name), str(reason))
        return dict(sorted(reasons.items()))

    def _is_full_run(self, session: pytest.Session) -> bool:
        """True when every test of the suite was selected (no -k, -m, node ids, --ignore or deselection)."""
        config = self.config
        args = [str(a) for a in config.args]
        selects = config.getoption("keyword") or config.getoption("markexpr")
        if (selects and self._ini_selection is None) or self._last_failed_only:
            return False
        if _repeat_count(config) > 1:  # every test renamed: the suite's own entries did not run
            return False
        if _ignores_tests(config):
            return False
        deselected = self._deselected + sum(int(p.get("deselected", 0)) for p in self.worker_payloads)
        if deselected or any("::" in a for a in args):
            return False
        if config.args_source == pytest.Config.ArgsSource.TESTPATHS:
            return True
        # Paths given: a full run when they cover every folder a bare `pytest` at the rootdir would
        # collect, however spelled (tests, tests/, ./tests, /abs/tests, the rootdir itself).
        given = [Path(config.invocation_params.dir, a).resolve() for a in args]
        return all(any(path == target or path in target.parents for path in given) for target in _suite_paths(config))

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        leaves_out = self._ini_selection
        self._deselected += len(items) if leaves_out is None else sum(not leaves_out(item) for item in items)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # A module that failed to import (--continue-on-collection-errors runs the rest): its
        # tests did not run, so the run is not the whole suite. xdist hands workers' failed
        # collection reports to the controller's hook too.
        if report.failed:
            self._collection_errors += 1
        elif report.skipped and report.nodeid:
            # A module (or package) skipped as a whole (pytest.importorskip, a module-level
            # pytest.skip): its tests were not collected, and are no more removed than those a
            # skip marker skips (hardening 3: a full-run update pruned them).
            self._skipped_collectors.add(report.nodeid)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker or not self.lines:
            return
        terminalreporter.write_sep("=", "agent cost")
        for line in self.lines:
            terminalreporter.write_line(line)
        for line in self.annotations:
            terminalreporter.write_line(line)
