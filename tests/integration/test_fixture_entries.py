"""A wider-scoped fixture's calls are an entry of their own: one set-up, whatever the order,
parameters, reruns, workers or shards (real pytest sessions, with and without xdist)."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from tests.conftest import AGENT_MODULE, CHAT_URL, AgentProject, chat_response, interaction, write_cassette

BASELINE = "agent-cost-baseline.json"

PARAM_TESTS = """
import vcr

@pytest.fixture(scope="module", params=["v1", "v2"])
def agent(request):
    with vcr.use_cassette(f"cassettes/setup_{request.param}.yaml", record_mode="none"):
        llm("warm up")
    return request.param

def test_x(agent):
    pass

def test_y(agent):
    pass
"""

# Interleaves the parameters, as pytest-order or a hook of the suite's own might: pytest then sets
# the module fixture up four times instead of twice.
INTERLEAVE = """
import os

import pytest

@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    if os.environ.get("INTERLEAVE"):
        items.sort(key=lambda item: item.name)
"""


def _setup_cassette(project: AgentProject, name: str, *calls: tuple[int, int]) -> None:
    write_cassette(
        project.root / "cassettes" / f"{name}.yaml",
        [interaction(CHAT_URL, chat_response("gpt-4o-mini", p, c), request_body="") for p, c in calls],
    )


def _conftest_fixture(scope: str, cassette: str, value: str) -> str:
    """A conftest defining ``agent``, a fixture of ``scope`` that makes one call as it sets up."""
    return AGENT_MODULE.format(url=CHAT_URL) + textwrap.dedent(
        f"""
        import vcr

        @pytest.fixture(scope="{scope}")
        def agent():
            with vcr.use_cassette("cassettes/{cassette}.yaml", record_mode="none"):
                llm("warm up")
            return "{value}"
        """
    )


def _entries(report: dict[str, Any]) -> dict[str, Any]:
    return {nodeid: test for nodeid, test in report["tests"].items() if nodeid.endswith(" fixture]")}


def test_each_parameter_of_a_fixture_is_an_entry_whatever_the_order(
    project: AgentProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.module("test_agent", PARAM_TESTS)
    project.pytester.makeconftest(INTERLEAVE)
    _setup_cassette(project, "setup_v1", (100_000, 0))  # $0.015
    _setup_cassette(project, "setup_v2", (200_000, 0))  # $0.03
    assert project.run("--agent-cost", "--agent-cost-json", "grouped.json", "--agent-cost-update-baseline").ret == 0
    grouped = project.read_json("grouped.json")
    entries = _entries(grouped)
    assert {nodeid: (t["llm_calls"], t["cost_usd"]) for nodeid, t in entries.items()} == {
        "test_agent.py::agent[v1] [module fixture]": (1, "0.0150000000"),
        "test_agent.py::agent[v2] [module fixture]": (1, "0.0300000000"),
    }
    before = (project.root / BASELINE).read_bytes()
    # Interleaved, each parameter is set up twice: still one set-up each, and no regression.
    monkeypatch.setenv("INTERLEAVE", "1")
    interleaved = project.run("--agent-cost", "--agent-cost-json", "interleaved.json")
    assert interleaved.ret == 0, interleaved.stdout.str()
    assert project.read_json("interleaved.json")["tests"] == grouped["tests"]
    # A partial update with one parameter's tests rewrites that entry alone, as it was.
    partial = project.run("-k", "v2", "--agent-cost", "--agent-cost-update-baseline")
    assert partial.ret == 0, partial.stdout.str()
    assert (project.root / BASELINE).read_bytes() == before


def test_a_fixture_set_up_again_after_an_error_counts_one_set_up(
    project: AgentProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.module(
        "test_agent",
        """
        import os

        import vcr

        def attempt():
            n = int(open("setup.attempts").read()) + 1 if os.path.exists("setup.attempts") else 1
            open("setup.attempts", "w").write(str(n))
            return n

        @pytest.fixture(scope="module")
        def agent():
            with vcr.use_cassette("cassettes/setup.yaml", record_mode="none"):
                llm("warm up")
                if attempt() < int(os.environ.get("SETUP_PASSES_ON", "1")):
                    raise RuntimeError("the set-up failed half-way")
                llm("second step")
            return "agent"

        def test_task(agent):
            pass
        """,
    )
    _setup_cassette(project, "setup", (100_000, 0), (0, 1_000))  # $0.015 + $0.0006
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    before = (project.root / BASELINE).read_bytes()
    entry = "test_agent.py::agent [module fixture]"
    assert json.loads(before)["tests"][entry]["cost_usd"] == "0.0156000000"

    # A flaky set-up, rerun (pytest-rerunfailures): the failed attempt is not added to the next.
    (project.root / "setup.attempts").unlink()
    monkeypatch.setenv("SETUP_PASSES_ON", "2")
    flaky = project.run("--reruns", "1", "--agent-cost", "--agent-cost-json", "flaky.json")
    assert flaky.ret == 0, flaky.stdout.str()
    assert project.read_json("flaky.json")["tests"][entry]["cost_usd"] == "0.0156000000"
    (project.root / "setup.attempts").unlink()
    update = project.run("--reruns", "1", "--agent-cost", "--agent-cost-update-baseline")
    assert update.ret == 0, update.stdout.str()
    assert (project.root / BASELINE).read_bytes() == before

    # A set-up that errors is not judged on the calls it made before it stopped, nor written.
    monkeypatch.setenv("SETUP_PASSES_ON", "99")
    broken = project.run("--agent-cost", "--agent-cost-json", "broken.json", "--agent-cost-update-baseline")
    assert broken.ret == 1, broken.stdout.str()
    report = project.read_json("broken.json")
    assert (report["tests"][entry]["outcome"], report["tests"][entry]["llm_calls"]) == ("error", 1)
    assert report["comparison"]["tests"][entry]["status"] != "improved"
    assert (project.root / BASELINE).read_bytes() == before


@pytest.mark.parametrize("scope", ["module", "session"])
def test_a_fixture_whose_teardown_errors_is_an_error(
    project: AgentProject, monkeypatch: pytest.MonkeyPatch, scope: str
) -> None:
    project.module(
        "test_agent",
        f"""
        import os

        import vcr

        @pytest.fixture(scope="{scope}")
        def agent():
            with vcr.use_cassette("cassettes/setup.yaml", record_mode="none", allow_playback_repeats=True):
                llm("warm up")
                yield "agent"
                llm("clean up")
                if os.environ.get("TEARDOWN_FAILS"):
                    raise RuntimeError("the teardown failed")

        def test_task(agent):
            pass
        """,
    )
    _setup_cassette(project, "setup", (100_000, 0))  # $0.015 a call
    entry = f"test_agent.py::agent [{scope} fixture]"
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    before = (project.root / BASELINE).read_bytes()
    assert json.loads(before)["tests"][entry]["cost_usd"] == "0.0300000000"
    # Its teardown's calls may have been cut short: not judged, not written, as a set-up error.
    monkeypatch.setenv("TEARDOWN_FAILS", "1")
    broken = project.run("--agent-cost", "--agent-cost-json", "broken.json", "--agent-cost-update-baseline")
    assert broken.ret == 1, broken.stdout.str()
    broken.stdout.fnmatch_lines(["*RuntimeError: the teardown failed*"])
    report = project.read_json("broken.json")
    assert report["tests"][entry]["outcome"] == "error"
    assert report["comparison"]["tests"][entry]["status"] not in ("improved", "regressed")
    assert (project.root / BASELINE).read_bytes() == before


def test_same_named_session_fixtures_of_two_conftests_are_two_entries(project: AgentProject) -> None:
    for folder, cassette in (("billing", "setup_billing"), ("search", "setup_search")):
        project.pytester.makepyfile(
            **{
                f"{folder}/conftest": _conftest_fixture("session", cassette, folder),
                f"{folder}/test_{folder}": f"def test_{folder}(agent):\n    assert agent == '{folder}'\n",
            }
        )
    _setup_cassette(project, "setup_billing", (100_000, 0))
    _setup_cassette(project, "setup_search", (200_000, 0))
    assert project.run("--agent-cost", "--agent-cost-json", "all.json", "--agent-cost-update-baseline").ret == 0
    entries = _entries(project.read_json("all.json"))
    assert {nodeid: t["cost_usd"] for nodeid, t in entries.items()} == {
        "billing::agent [session fixture]": "0.0150000000",
        "search::agent [session fixture]": "0.0300000000",
    }
    assert entries["search::agent [session fixture]"]["location"][0] == "search/conftest.py"
    before = (project.root / BASELINE).read_bytes()
    one_folder = project.run("search", "--agent-cost", "--agent-cost-update-baseline")
    assert one_folder.ret == 0, one_folder.stdout.str()
    assert (project.root / BASELINE).read_bytes() == before


def test_a_modules_budget_covers_its_fixtures(project: AgentProject) -> None:
    project.module(
        "test_agent",
        """
        import vcr

        pytestmark = pytest.mark.agent_cost(max_llm_calls=1)

        @pytest.fixture(scope="module")
        def agent():
            with vcr.use_cassette("cassettes/setup.yaml", record_mode="none"):
                llm("warm up")
                llm("second step")
            return "agent"

        def test_task(agent):
            pass
        """,
    )
    _setup_cassette(project, "setup", (100_000, 0), (0, 1_000))
    result = project.run("--agent-cost")
    assert result.ret == 1, result.stdout.str()
    result.stdout.fnmatch_lines(
        ["agent cost FAILED: test_agent.py::agent [module fixture]: 2 LLM calls over max_llm_calls 1"]
    )


def test_shards_merge_to_the_whole_runs_fixture_entries(project: AgentProject, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each shard sets up what its tests need: a session fixture in both, a parameter in one.
    project.module("test_agent", PARAM_TESTS)
    project.pytester.makeconftest(
        AGENT_MODULE.format(url=CHAT_URL)
        + """
import os

import vcr

@pytest.fixture(scope="session", autouse=True)
def client():
    with vcr.use_cassette("cassettes/client.yaml", record_mode="none"):
        llm("log in")
    if os.environ.get("LOG_IN_FAILS"):
        raise RuntimeError("the log-in failed after its call")
"""
    )
    _setup_cassette(project, "setup_v1", (100_000, 0))
    _setup_cassette(project, "setup_v2", (200_000, 0))
    _setup_cassette(project, "client", (1_000, 0))
    assert project.run("--agent-cost", "--agent-cost-json", "full.json").ret == 0
    assert project.run("-k", "v1", "--agent-cost", "--agent-cost-json", "a.json").ret == 0
    assert project.run("-k", "not v1", "--agent-cost", "--agent-cost-json", "b.json").ret == 0
    merged = project.cli("merge", "a.json", "b.json", "-o", "all.json")
    assert merged.returncode == 0, merged.stderr
    full = project.read_json("full.json")
    assert project.read_json("all.json")["tests"] == full["tests"]
    assert "client [session fixture]" in full["tests"]
    # A shard whose set-up errored holds another entry for the fixture: the merge keeps the
    # set-up that did not error, as one run's entry would.
    monkeypatch.setenv("LOG_IN_FAILS", "1")
    assert project.run("-k", "v1", "--agent-cost", "--agent-cost-json", "a.json").ret == 1
    shard = project.read_json("a.json")["tests"]["client [session fixture]"]
    assert shard["outcome"] == "error"
    merged = project.cli("merge", "b.json", "a.json", "-o", "all.json")
    assert merged.returncode == 0, merged.stderr
    client = "client [session fixture]"
    assert project.read_json("all.json")["tests"][client] == full["tests"][client]


# A module-scoped fixture that warms the agent up with one replayed call.
WARM_AGENT = """
import os

import vcr

@pytest.fixture(scope="module")
def agent():
    with vcr.use_cassette("cassettes/setup.yaml", record_mode="none"):
        llm("warm up")
    return "agent"
"""


def test_a_fixture_whose_tests_are_all_skipped_keeps_its_entry(
    project: AgentProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = WARM_AGENT + textwrap.dedent(
        """

        @pytest.mark.skipif(bool(os.environ.get("SKIP_IT")), reason="not today")
        def test_task(agent):
            pass

        def test_other():
            pass
        """
    )
    project.module("test_agent", module)
    _setup_cassette(project, "setup", (100_000, 0))
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    before = (project.root / BASELINE).read_bytes()
    entry = "test_agent.py::agent [module fixture]"
    assert entry in json.loads(before)["tests"]
    # Skipped on a full run: the fixture is not set up, and its entry is kept, as its test's.
    monkeypatch.setenv("SKIP_IT", "1")
    skipped = project.run("--agent-cost", "--agent-cost-update-baseline", "--agent-cost-json", "cost.json")
    assert skipped.ret == 0, skipped.stdout.str()
    assert (project.root / BASELINE).read_bytes() == before
    assert project.read_json("cost.json")["comparison"]["tests"][entry]["status"] == "not-run"
    # No test requests it any more: a full run prunes it.
    project.module("test_agent", module.replace("def test_task(agent):", "def test_task():"))
    gone = project.run("--agent-cost", "--agent-cost-update-baseline")
    assert gone.ret == 0, gone.stdout.str()
    assert entry not in project.read_json(BASELINE)["tests"]


@pytest.mark.parametrize("scope", ["package", "session"])
def test_a_conftest_fixture_whose_tests_are_all_skipped_keeps_its_entry(
    project: AgentProject, monkeypatch: pytest.MonkeyPatch, scope: str
) -> None:
    tests = """
import os

import pytest

@pytest.mark.skipif(bool(os.environ.get("SKIP_IT")), reason="not today")
def test_task(agent):
    pass

def test_other():
    pass
"""
    project.pytester.makepyfile(
        **{
            "search/__init__": "",
            "search/conftest": _conftest_fixture(scope, "setup", "agent"),
            "search/test_search": tests,
            "test_elsewhere": "def test_elsewhere():\n    pass\n",
        }
    )
    _setup_cassette(project, "setup", (100_000, 0))
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    before = (project.root / BASELINE).read_bytes()
    entry = f"search::agent [{scope} fixture]"
    assert json.loads(before)["tests"][entry]["cost_usd"] == "0.0150000000"
    # Its only test skipped on a full run: not set up, and kept, as its test is.
    monkeypatch.setenv("SKIP_IT", "1")
    skipped = project.run("--agent-cost", "--agent-cost-update-baseline", "--agent-cost-json", "cost.json")
    assert skipped.ret == 0, skipped.stdout.str()
    assert (project.root / BASELINE).read_bytes() == before
    assert project.read_json("cost.json")["comparison"]["tests"][entry]["status"] == "not-run"
    # No test under its folder requests it any more: a full run prunes it.
    project.pytester.makepyfile(**{"search/test_search": tests.replace("def test_task(agent):", "def test_task():")})
    gone = project.run("--agent-cost", "--agent-cost-update-baseline")
    assert gone.ret == 0, gone.stdout.str()
    assert entry not in project.read_json(BASELINE)["tests"]


def test_indirect_parameters_of_two_tests_are_told_apart(project: AgentProject) -> None:
    # Each test's indirect list counts from 0: by index, test_b's "big" would be test_a's "small".
    project.pytester.makeconftest(
        AGENT_MODULE.format(url=CHAT_URL)
        + """
import vcr

@pytest.fixture(scope="session")
def agent(request):
    with vcr.use_cassette(f"cassettes/{request.param['m']}.yaml", record_mode="none"):
        llm("warm up")
    return request.param
"""
    )
    project.pytester.makepyfile(
        test_a="""
import pytest

@pytest.mark.parametrize("agent", [{"m": "small"}, {"m": "big"}], indirect=True)
def test_a(agent):
    pass
""",
        test_b="""
import pytest

@pytest.mark.parametrize("agent", [{"m": "big"}], indirect=True)
def test_b(agent):
    pass
""",
    )
    _setup_cassette(project, "small", (1_000, 0))
    _setup_cassette(project, "big", (100_000, 0))
    assert project.run("--agent-cost", "--agent-cost-json", "cost.json").ret == 0
    assert {nodeid: t["cost_usd"] for nodeid, t in _entries(project.read_json("cost.json")).items()} == {
        'agent[{"m":"big"}] [session fixture]': "0.0150000000",
        'agent[{"m":"small"}] [session fixture]': "0.0001500000",
    }


def test_a_fixture_that_makes_no_call_any_more_costs_nothing(
    project: AgentProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.module(
        "test_agent",
        """
        import os

        import vcr

        @pytest.fixture(scope="module")
        def agent():
            if not os.environ.get("NO_CALL"):
                with vcr.use_cassette("cassettes/setup.yaml", record_mode="none"):
                    llm("warm up")
            return "agent"

        def test_task(agent):
            pass
        """,
    )
    _setup_cassette(project, "setup", (100_000, 0))
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    entry = "test_agent.py::agent [module fixture]"
    monkeypatch.setenv("NO_CALL", "1")
    free = project.run("--agent-cost", "--agent-cost-update-baseline", "--agent-cost-json", "cost.json")
    assert free.ret == 0, free.stdout.str()
    report = project.read_json("cost.json")
    assert report["comparison"]["tests"][entry]["status"] == "improved"
    assert entry not in project.read_json(BASELINE)["tests"]


def test_a_unittest_set_up_class_is_named_for_its_class_and_kept_when_skipped(
    project: AgentProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.module(
        "test_u",
        """
        import os
        import unittest

        import vcr

        @pytest.mark.skipif(bool(os.environ.get("SKIP_IT")), reason="not today")
        class TestAgent(unittest.TestCase):
            @classmethod
            def setUpClass(cls):
                with vcr.use_cassette("cassettes/setup.yaml", record_mode="none"):
                    llm("warm up")

            def test_task(self):
                pass
        """,
    )
    _setup_cassette(project, "setup", (100_000, 0))
    assert project.run("--agent-cost", "--agent-cost-update-baseline", "--agent-cost-json", "cost.json").ret == 0
    # Named and located for its class, not for the fixture pytest makes of setUpClass.
    entries = _entries(project.read_json("cost.json"))
    assert list(entries) == ["test_u.py::TestAgent::setUpClass [class fixture]"]
    (entry,) = entries.values()
    assert (entry["cost_usd"], entry["location"][0]) == ("0.0150000000", "test_u.py")
    assert entry["location"][1] > 1
    before = (project.root / BASELINE).read_bytes()
    monkeypatch.setenv("SKIP_IT", "1")
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    assert (project.root / BASELINE).read_bytes() == before


def test_a_run_stopped_before_a_fixtures_tests_lists_no_entry_for_it(
    project: AgentProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    # -x stops at the first failure: the fixture's tests were never reached, so it was never set
    # up. Its entry is not-run in the comparison, as theirs are, not a "skipped" row of $0.
    module = WARM_AGENT + textwrap.dedent(
        """

        def test_a_first():
            assert not os.environ.get("FAIL_FIRST")

        def test_task(agent):
            pass
        """
    )
    project.module("test_agent", module)
    _setup_cassette(project, "setup", (100_000, 0))
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    entry = "test_agent.py::agent [module fixture]"
    monkeypatch.setenv("FAIL_FIRST", "1")
    in_order = ["--dist", "loadfile"] if project.xdist else []  # one worker runs the file, in order
    stopped = project.run("--agent-cost", "-x", *in_order, "--agent-cost-json", "cost.json")
    assert stopped.ret in (1, 2), stopped.stdout.str()  # xdist reports -x's stop as interrupted
    report = project.read_json("cost.json")
    assert entry not in report["tests"]
    assert report["comparison"]["tests"][entry]["status"] == "not-run"
