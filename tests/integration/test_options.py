"""Options and ini values: help that prints, bad values refused in one line naming the option."""

from __future__ import annotations

import json

import pytest

from tests.conftest import AgentProject, chat_response, interaction


def test_pytest_help_lists_every_option_of_the_plugin(pytester: pytest.Pytester) -> None:
    # pytest %-formats each help string only when --help prints it: a stray '%' crashes here.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--help")
    assert result.ret == 0, result.stderr.str()
    assert "Traceback" not in result.stderr.str()
    result.stdout.fnmatch_lines(
        ["LLM agent cost per test (pytest-agentcost):", "*--agent-cost-threshold=SPEC*", "*agent_cost_runs_per_month*"]
    )
    assert "'10%,$0.0001'" in result.stdout.str()


@pytest.mark.parametrize(
    ("ini", "args", "message"),
    [
        pytest.param(
            "agent_cost_runs_per_month = -3",
            (),
            "agent_cost_runs_per_month must be a non-negative whole number, not '-3'",
            id="negative-runs-per-month",
        ),
        pytest.param(
            "agent_cost_providers =\n    localhost:4000 = bogus",
            (),
            "agent_cost_providers: unknown provider 'bogus' for localhost:4000: *; known providers: anthropic, *",
            id="unknown-provider",
        ),
        pytest.param(
            "",
            ("--agent-cost-threshold", "$0.01,$0.02"),
            "--agent-cost-threshold: two dollar amounts ('$0.01' and '$0.02'); "
            "give at most one percentage and one dollar amount, e.g. '10%,$0.0001'",
            id="two-dollar-parts",
        ),
        pytest.param(
            "",
            ("--agent-cost-threshold=-5%",),
            "--agent-cost-threshold: '-5%' is negative",
            id="negative-threshold",
        ),
        pytest.param(
            "agent_cost_total_threshold = 5%,7%",
            (),
            "agent_cost_total_threshold: two percentages ('5%' and '7%'); *",
            id="two-percentages-in-ini",
        ),
        pytest.param(
            "",
            ("--agent-cost-price-date", "2026-13-01"),
            "--agent-cost-price-date must be a date like 2026-11-01, not '2026-13-01'",
            id="bad-price-date-option",
        ),
        pytest.param(
            "agent_cost_price_date = soon",
            (),
            "agent_cost_price_date must be a date like 2026-11-01, not 'soon'",
            id="bad-price-date-ini",
        ),
        pytest.param(
            "agent_cost_fail_unpriced = nope",
            (),
            "agent_cost_fail_unpriced: invalid truth value 'nope'; use true or false",
            id="bad-bool",
        ),
        pytest.param(
            "agent_cost_gate_estimates = maybe",
            (),
            "agent_cost_gate_estimates: invalid truth value 'maybe'; use true or false",
            id="bad-bool-gate-estimates",
        ),
    ],
)
def test_bad_value_is_one_usage_error_line_naming_the_option(
    project: AgentProject, ini: str, args: tuple[str, ...], message: str
) -> None:
    project.ini(ini + "\n")
    project.module("test_agent", "def test_task():\n    pass\n")
    result = project.run("--agent-cost", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    result.stderr.fnmatch_lines([f"ERROR: pytest-agentcost: {message}"])
    assert "Traceback" not in result.stderr.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_known_provider_and_good_booleans_are_taken(project: AgentProject) -> None:
    project.ini(
        """
        agent_cost_providers =
            localhost:4000 = OpenAI
        agent_cost_fail_unpriced = yes
        agent_cost_runs_per_month = 1_000
        """
    )
    project.module("test_agent", "@pytest.mark.vcr\ndef test_task():\n    llm('x')\n", url="http://localhost:4000/chat")
    project.cassette(
        "test_agent",
        "test_task",
        [interaction("http://localhost:4000/chat", chat_response("gpt-4o-mini", 1000, 100))],
    )
    result = project.run("--agent-cost", "--agent-cost-threshold", "$0.01,5%", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    call = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]["calls"][0]
    assert (call["provider"], call["cost_usd"]) == ("openai", "0.0002100000")


def test_agent_cost_options_without_agent_cost_say_they_do_nothing(project: AgentProject) -> None:
    # A terminal line, not a warning: even filterwarnings = error must not fail the run over it.
    project.ini("filterwarnings = error\n")
    project.module("test_agent", "def test_task():\n    pass\n")
    result = project.run("--agent-cost-json", "cost.json", "--agent-cost-threshold=5%")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    warnings = [line for line in result.stdout.lines if "pytest-agentcost" in line]
    assert warnings == [
        "pytest-agentcost: warning: --agent-cost-json, --agent-cost-threshold have no effect without --agent-cost"
    ]
    assert not (project.root / "cost.json").exists()


def test_an_update_without_agent_cost_is_a_usage_error(project: AgentProject) -> None:
    # A baseline job that forgot --agent-cost must not pass green and leave the baseline where it was.
    project.module("test_agent", "def test_task():\n    pass\n")
    result = project.run("--agent-cost-update-baseline")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: pytest-agentcost: --agent-cost-update-baseline needs --agent-cost: the baseline is written from what*"]
    )
    assert not (project.root / "agent-cost-baseline.json").exists()


def test_update_only_options_without_an_update_say_they_do_nothing(project: AgentProject) -> None:
    project.ini("filterwarnings = error\n")
    project.module("test_agent", "def test_task():\n    pass\n")
    result = project.run("--agent-cost", "--agent-cost-prune", "--agent-cost-include-failed")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    warnings = [line for line in result.stdout.lines if "no effect" in line]
    assert warnings == [
        "pytest-agentcost: warning: --agent-cost-prune, --agent-cost-include-failed have no effect without "
        "--agent-cost-update-baseline"
    ]
    # At the end, after the agent cost section, where it does not scroll away.
    assert result.stdout.lines.index(warnings[0]) > result.stdout.lines.index(
        next(line for line in result.stdout.lines if "agent cost" in line and line.startswith("="))
    )
    updated = project.run("--agent-cost", "--agent-cost-prune", "--agent-cost-update-baseline")
    assert updated.ret == 0, updated.stdout.str() + updated.stderr.str()
    assert "no effect" not in updated.stdout.str() + updated.stderr.str()


@pytest.mark.parametrize("args", [(), ("--agent-cost", "--agent-cost-json", "cost.json")], ids=["none", "with"])
def test_no_note_without_agent_cost_options_or_with_agent_cost(project: AgentProject, args: tuple[str, ...]) -> None:
    project.module("test_agent", "def test_task():\n    pass\n")
    result = project.run(*args)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert "no effect without --agent-cost" not in result.stdout.str() + result.stderr.str()


# pytest-vcr's interface as the plugin reads it: registered as "vcr", its --disable-vcr stored as
# disable_vcr. pytest-recording refuses to run beside pytest-vcr, so this conftest stands in for
# it, in runs without pytest-recording; the real plugin was checked by hand (pytest-vcr 1.0.2).
PYTEST_VCR_STAND_IN = """
def pytest_addoption(parser, pluginmanager):
    parser.addoption("--disable-vcr", action="store_true", dest="disable_vcr")
    pluginmanager.register(object(), "vcr")
"""


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--disable-recording"], "pytest-recording's --disable-recording"),
        (["-p", "no:recording", "--disable-vcr"], "pytest-vcr's --disable-vcr"),
    ],
    ids=["pytest-recording", "pytest-vcr"],
)
def test_disabled_cassettes_leave_the_plugin_inert_and_refuse_a_baseline_update(
    project: AgentProject, options: list[str], named: str
) -> None:
    # pytest-recording's --disable-recording plays no cassette, nor does pytest-vcr's --disable-vcr
    # (it drops every interaction as it loads): a nightly live job with --agent-cost in addopts
    # would read every test $0, "improved", and an update would drop them all.
    project.module(
        "test_agent",
        "@pytest.mark.vcr\ndef test_task():\n    pass\n\n\n"
        "def test_budget(agent_cost):\n    assert agent_cost.llm_calls < 3\n",
    )
    project.chat_cassette("test_agent", "test_task", [(1000, 100)])
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    baseline = (project.root / "agent-cost-baseline.json").read_bytes()
    if named.startswith("pytest-vcr"):
        project.pytester.makeconftest(PYTEST_VCR_STAND_IN)
    live = project.run("--agent-cost", *options, "--agent-cost-json", "cost.json", "-rs")
    assert live.ret == 0, live.stdout.str()
    live.stdout.fnmatch_lines(
        [f"SKIPPED * the agent_cost fixture reads cassette replays, and {named} plays none (no cost is measured)"]
    )
    live.stdout.fnmatch_lines(
        [f"pytest-agentcost: warning: --agent-cost has no effect without cassettes: {named} plays none, so no cost*"]
    )
    assert "agent cost" not in live.stdout.str().replace("pytest-agentcost", "")
    assert not (project.root / "cost.json").exists()
    update = project.run("--agent-cost", *options, "--agent-cost-update-baseline")
    assert update.ret == pytest.ExitCode.USAGE_ERROR
    update.stderr.fnmatch_lines([f"*--agent-cost-update-baseline with {named}:*"])
    assert (project.root / "agent-cost-baseline.json").read_bytes() == baseline


@pytest.mark.parametrize("from_ini", [False, True], ids=["option", "ini-addopts"])
@pytest.mark.parametrize("xdist", [False, True], ids=["no-xdist", "xdist"])
def test_a_path_outside_the_project_given_with_a_space_stops_the_run_it_would_move_the_rootdir_of(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, xdist: bool, from_ini: bool
) -> None:
    # Review 35: once ../cost.json exists, pytest (which reads the command line before plugins add
    # their options) takes it for a test path: the rootdir became the parent, the project's ini was
    # not found, node ids changed and the gate passed on a baseline it no longer found. Review 36:
    # with --agent-cost in that ini's addopts, the plugin went inert instead, exit 0. A new user's
    # adoption: the ini's pythonpath, which a conftest imports from, was missed too, and the
    # conftest's ModuleNotFoundError came first, with no word of the cause.
    project = pytester.mkdir("proj")
    addopts = "addopts = --agent-cost\n" if from_ini else ""
    (project / "pytest.ini").write_text(f"[pytest]\n{addopts}pythonpath = lib\nagent_cost_tiktoken_download = false\n")
    (project / "lib").mkdir()
    (project / "lib" / "agent_helpers.py").write_text("READY = True\n")
    (project / "conftest.py").write_text("import agent_helpers\n")
    (project / "test_a.py").write_text("def test_a():\n    pass\n")
    monkeypatch.chdir(project)
    extra = ["-p", "no:cacheprovider", *(["-n", "2"] if xdist else ["-p", "no:xdist"])]
    if not from_ini:
        extra.append("--agent-cost")
    first = pytester.runpytest_subprocess(*extra, "--agent-cost-json", "../cost.json")
    assert first.ret == 0, first.stdout.str()  # the file did not exist yet: no free argument of pytest's
    assert (pytester.path / "cost.json").exists()
    again = pytester.runpytest_subprocess(*extra, "--agent-cost-json", "../cost.json")
    assert again.ret == pytest.ExitCode.USAGE_ERROR, again.stdout.str()
    message = again.stderr.str()
    assert f"pytest chose rootdir {pytester.path} (no config file) because it took '../cost.json'" in message
    assert f"without it the rootdir is {project} (config file {project / 'pytest.ini'})" in message
    assert "Write it with '=': --agent-cost-json=../cost.json" in message
    spelled = pytester.runpytest_subprocess(*extra, "--agent-cost-json=../cost.json")
    assert spelled.ret == 0, spelled.stdout.str()
    assert '"test_a.py::test_a"' in (pytester.path / "cost.json").read_text()
    # A path inside the project moves nothing, with a space too, once it exists as well.
    for _ in range(2):
        inside = pytester.runpytest_subprocess(*extra, "--agent-cost-json", "cost.json")
        assert inside.ret == 0, inside.stdout.str()
    assert '"test_a.py::test_a"' in (project / "cost.json").read_text()


def test_the_rootdir_check_holds_when_a_conftest_loads_the_plugin(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Registered by a conftest above the project (a monorepo's, plugin autoload off), the plugin
    # misses the early hook the check runs in; pytest_configure checks instead.
    project = pytester.mkdir("proj")
    (project / "pytest.ini").write_text("[pytest]\nagent_cost_tiktoken_download = false\n")
    (pytester.path / "conftest.py").write_text('pytest_plugins = ["pytest_agentcost.plugin"]\n')
    (project / "test_a.py").write_text("def test_a():\n    pass\n")
    (pytester.path / "cost.json").write_text("{}")
    monkeypatch.chdir(project)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    args = ["-p", "no:cacheprovider", "--confcutdir=..", "--agent-cost"]
    moved = pytester.runpytest_subprocess(*args, "--agent-cost-json", "../cost.json")
    assert moved.ret == pytest.ExitCode.USAGE_ERROR, moved.stdout.str() + moved.stderr.str()
    assert "Write it with '=': --agent-cost-json=../cost.json" in moved.stderr.str()
    spelled = pytester.runpytest_subprocess(*args, "--agent-cost-json=../cost.json")
    assert spelled.ret == 0, spelled.stdout.str() + spelled.stderr.str()
    assert '"test_a.py::test_a"' in (pytester.path / "cost.json").read_text()


def test_the_rootdir_check_reads_pytest_addopts_and_the_test_paths_given(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = pytester.mkdir("proj")
    (project / "pytest.ini").write_text("[pytest]\nagent_cost_tiktoken_download = false\n")
    (project / "test_a.py").write_text("def test_a():\n    pass\n")
    (pytester.path / "cost.json").write_text("{}")
    (project / "out.md").write_text("")  # an existing value inside the project
    base = ["-p", "no:cacheprovider", "-p", "no:xdist", "--agent-cost"]
    # Run from the parent with the project's tests named: the common folder is the project, a
    # value inside it moves nothing.
    named = pytester.runpytest_subprocess(*base, "proj/test_a.py", "--agent-cost-markdown", "proj/out.md")
    assert named.ret == 0, named.stdout.str() + named.stderr.str()
    monkeypatch.chdir(project)
    # From PYTEST_ADDOPTS, two values, the second the one that exists (outside): the message names it.
    monkeypatch.setenv("PYTEST_ADDOPTS", "--agent-cost-markdown new.md --agent-cost-json ../cost.json")
    moved = pytester.runpytest_subprocess(*base)
    assert moved.ret == pytest.ExitCode.USAGE_ERROR, moved.stdout.str()
    assert "Write it with '=': --agent-cost-json=../cost.json" in moved.stderr.str()


@pytest.mark.skipif(pytest.version_tuple[:2] < (9, 2), reason="a type expression for an ini option needs pytest 9.2")
@pytest.mark.parametrize("runs", ["1000", '"1_000"'], ids=["whole-number", "text"])
def test_a_native_toml_table_takes_runs_per_month_as_a_whole_number(pytester: pytest.Pytester, runs: str) -> None:
    # Hardening 3: in pytest's native [tool.pytest] table, 1000 stopped every run (exit 4): the
    # option took text only, while the bool options took TOML booleans.
    pytester.makepyprojecttoml(
        f"[tool.pytest]\nagent_cost_tiktoken_download = false\nagent_cost_runs_per_month = {runs}\n"
    )
    pytester.makepyfile(test_agent="def test_task():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--agent-cost", "--agent-cost-json=cost.json")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert json.loads((pytester.path / "cost.json").read_text())["gate"]["runs_per_month"] == 1000


def test_a_baseline_that_cannot_be_read_stops_no_command_that_runs_no_test(project: AgentProject) -> None:
    # Hardening 3: with --agent-cost in addopts, a baseline mid merge conflict stopped pytest --help,
    # --markers, --fixtures and --collect-only (exit 4), though none of them reads it.
    project.ini("addopts = --agent-cost\n")
    project.module("test_agent", "def test_task():\n    pass\n")
    (project.root / "agent-cost-baseline.json").write_text('<<<<<<< HEAD\n{"tests": {}}\n=======\n>>>>>>> main\n')
    for informing in ("--help", "--markers", "--fixtures", "--collect-only"):
        result = project.run(informing)
        assert result.ret == 0, (informing, result.stdout.str() + result.stderr.str())
    result = project.run("--collect-only")
    result.stdout.fnmatch_lines(["agent-cost: prices * baseline *agent-cost-baseline.json; *"])
    # The marker's help names every keyword it takes (hardening 3: previously= was missing).
    project.run("--markers").stdout.fnmatch_lines(
        ["@pytest.mark.agent_cost(threshold=None, *, runs_per_month=None, previously=None): *"]
    )
    # A run reads it, and says it cannot.
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "agent-cost-baseline.json" in result.stderr.str()


def test_the_baseline_options_path_is_the_current_folders_as_the_reports_are(
    project: AgentProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hardening 3: run from a subfolder, --agent-cost-baseline=../shared/b.json named a file
    # beside the rootdir, while --agent-cost-json=../shared/r.json (and --junitxml) named one in it.
    project.pytester.mkdir("tests")
    project.pytester.makepyfile(**{"tests/test_agent": "def test_task():\n    pass\n"})
    monkeypatch.chdir(project.root / "tests")
    paths = ("--agent-cost-baseline=../shared/b.json", "--agent-cost-json=../shared/r.json")
    result = project.run("--agent-cost", "--agent-cost-update-baseline", *paths)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert sorted(p.name for p in (project.root / "shared").iterdir()) == ["b.json", "r.json"]
    result.stdout.fnmatch_lines([f"baseline created: {project.root / 'shared' / 'b.json'} *"])
    # The ini's path is the rootdir's, wherever pytest runs from.
    project.ini("agent_cost_baseline = shared/b.json\n")
    result = project.run("--agent-cost")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines([f"agent-cost: prices * baseline {project.root / 'shared' / 'b.json'}; *"])


@pytest.mark.parametrize("informing", ["--fixtures", "--fixtures-per-test", "--markers"])
def test_a_command_that_runs_no_test_never_writes_the_baseline(project: AgentProject, informing: str) -> None:
    # Review 48: --fixtures with an update ended a session of no test as a full run: the update,
    # which had not read the baseline, wrote an empty one over it.
    project.module("test_agent", "@pytest.mark.vcr\ndef test_task():\n    llm('a')\n")
    project.chat_cassette("test_agent", "test_task", [(1_000, 100)])
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    before = (project.root / "agent-cost-baseline.json").read_bytes()
    result = project.run(informing, "--agent-cost", "--agent-cost-update-baseline")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert (project.root / "agent-cost-baseline.json").read_bytes() == before


@pytest.mark.parametrize("where", ["ini", "-o"])
def test_runs_per_month_of_zero_is_a_value(project: AgentProject, where: str) -> None:
    # Review 48: typed int on pytest 9.2, a 0 read as not set.
    project.module("test_agent", "def test_task():\n    pass\n")
    if where == "ini":
        project.ini("agent_cost_runs_per_month = 0\n")
    args = ("-o", "agent_cost_runs_per_month=0") if where == "-o" else ()
    result = project.run(*args, "--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    assert project.read_json("cost.json")["gate"]["runs_per_month"] == 0
