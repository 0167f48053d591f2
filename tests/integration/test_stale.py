"""Stale cassettes: the code's prompt changed, the cassette did not (with and without xdist)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import CHAT_URL, AgentProject, chat_response, interaction

MODULE = """
@pytest.mark.vcr
def test_task():
    llm("{prompt}")
"""


def _recorded(prompt: str, *, reorder: bool = False) -> str:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]}
    if reorder:
        body = {"messages": body["messages"], "model": body["model"]}
        return json.dumps(body, indent=1)
    return json.dumps(body)


def _setup(project: AgentProject, recorded_prompt: str, current_prompt: str, reorder: bool = False) -> None:
    project.module("test_agent", MODULE.format(prompt=current_prompt))
    project.cassette(
        "test_agent",
        "test_task",
        [
            interaction(
                CHAT_URL,
                chat_response("gpt-4o-mini", 1000, 100),
                request_body=_recorded(recorded_prompt, reorder=reorder),
            )
        ],
    )


def test_grown_prompt_is_reported_stale(project: AgentProject) -> None:
    _setup(project, "short prompt", "short prompt" + " and much more context" * 20)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*1 test(s) replay stale cassettes*"])
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    assert test["stale"] is True
    drift = test["calls"][0]["drift"]
    assert drift["input_token_delta"] > 0
    assert any("+440 characters" in change for change in drift["changes"])


def test_fail_policy_fails_the_run(project: AgentProject) -> None:
    _setup(project, "short prompt", "a different prompt")
    result = project.run("--agent-cost", "--agent-cost-stale", "fail")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "agent cost FAILED: test_agent.py::test_task: stale cassette: message 1 (user) +6 characters since it "
            "was recorded; re-record it",
            # Plain vcrpy has no --record-mode option: the hint names what to do with either, and
            # which tests: a rewrite of the whole suite would re-record every cassette.
            "FAILED: 1 test(s) replay stale cassettes (the request changed since recording); re-record them "
            "(pytest-recording: pytest --agent-cost --record-mode=rewrite test_agent.py::test_task; "
            # ... and which cassette file to delete (adoption 5: it said "the cassette").
            'vcrpy: delete cassettes/test_agent/test_task.yaml, record with record_mode="once"; under --agent-cost, '
            "keys are kept out of the cassettes saved)",
        ]
    )


def test_fail_policy_still_fails_when_the_baseline_is_updated(project: AgentProject) -> None:
    # Updating the baseline accepts new costs; it does not accept a stale cassette.
    _setup(project, "short prompt", "a different prompt")
    result = project.run("--agent-cost", "--agent-cost-stale", "fail", "--agent-cost-update-baseline")
    assert result.ret == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["FAILED: 1 test(s) replay stale cassettes*", "baseline created: *"])


def test_a_stale_failure_is_annotated_as_a_stale_cassette_with_and_without_an_update(
    project: AgentProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Review 47: under an update, whose annotations name only what it does not accept, a stale
    # cassette's failure was titled "over budget".
    _setup(project, "short prompt", "a different prompt")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    for update in ((), ("--agent-cost-update-baseline",)):
        result = project.run("--agent-cost", "--agent-cost-stale", "fail", *update)
        assert result.ret == 1, result.stdout.str()
        errors = [line for line in result.stdout.lines if line.startswith("::error ")]
        assert errors, result.stdout.str()
        assert all("title=agent cost stale cassette%3A test_agent.py%3A%3Atest_task::" in line for line in errors), (
            update,
            errors,
        )
    # Stale and dearer than its baseline entry: the update accepts the rise, not the stale cassette.
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    project.cassette(
        "test_agent",
        "test_task",
        [interaction(CHAT_URL, chat_response("gpt-4o-mini", 5000, 500), request_body=_recorded("short prompt"))],
    )
    result = project.run("--agent-cost", "--agent-cost-stale", "fail", "--agent-cost-update-baseline")
    assert result.ret == 1, result.stdout.str()
    errors = [line for line in result.stdout.lines if line.startswith("::error ")]
    assert errors, result.stdout.str()
    assert all("title=agent cost stale cassette%3A" in line for line in errors), errors


def test_cosmetic_change_is_not_stale(project: AgentProject) -> None:
    _setup(project, "same prompt", "same prompt", reorder=True)
    result = project.run("--agent-cost", "--agent-cost-stale", "fail", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    assert project.read_json("cost.json")["tests"]["test_agent.py::test_task"]["stale"] is False


def test_gate_can_use_the_estimate_before_anyone_re_records(project: AgentProject) -> None:
    _setup(project, "short prompt", "short prompt")
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    # The code's prompt grows by 4,000 characters (~1,000 tokens at the offline fallback of
    # 4 characters per token); the cassette still replays the old, cheaper answer.
    _setup(project, "short prompt", "short prompt" + "x" * 4000)
    recorded_only = project.run("--agent-cost")
    assert recorded_only.ret == 0
    gated = project.run("--agent-cost", "--agent-cost-gate-estimates", "--agent-cost-json", "cost.json")
    assert gated.ret == 1, gated.stdout.str()
    cmp = project.read_json("cost.json")["comparison"]["tests"]["test_agent.py::test_task"]
    assert cmp["status"] == "regressed"
    assert cmp["gated_on_estimate"] is True
    # ~1,000 extra input tokens of gpt-4o-mini at $0.15 per million: about $0.00015 more.
    estimated = float(cmp["estimated_now_usd"])
    assert 0.00021 + 0.00013 < estimated < 0.00021 + 0.00017
    # The message and the table show the estimate that failed the gate, not the replayed cost.
    shown = f"${float(cmp['estimated_now_usd']):.6f}".rstrip("0")
    gated.stdout.fnmatch_lines(
        [
            f"*test_agent.py::test_task*$0.00021*~{shown} (estimate)*+*%*regressed*"
            "the stale cassette replays $0.00021*",
            "agent cost FAILED: test_agent.py::test_task: estimated cost if re-recorded "
            f"$0.00021 -> {shown} (+$0.000*, +*%) over threshold 10% and $0.0001 "
            "(the stale cassette replays $0.00021)",
        ]
    )
    # Without the option the gate judges the replayed cost, and the table still shows the estimate.
    recorded_only.stdout.fnmatch_lines([f"*test_agent.py::test_task*unchanged*stale: *~{shown} if re-recorded*"])


GEMINI = "https://generativelanguage.googleapis.com/v1beta/models/{}:generateContent"


def test_a_model_changed_in_the_url_is_stale_though_the_recording_is_priced(project: AgentProject) -> None:
    # A suite that matches loosely replays gemini-2.0-flash's answer to a call that now asks for
    # gemini-2.5-pro: the call is priced as recorded (the URI the cassette holds), and the change
    # of the URL, where Gemini names its model, is still seen.
    project.module(
        "test_agent",
        '\n@pytest.mark.vcr(match_on=["method", "host"])\ndef test_task():\n'
        f'    llm("hi", url="{GEMINI.format("gemini-2.5-pro")}")\n',
    )
    answer = {
        "candidates": [{"content": {"parts": [{"text": "ok"}], "role": "model"}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 10000, "candidatesTokenCount": 1000, "totalTokenCount": 11000},
        "modelVersion": "gemini-2.0-flash",
    }
    body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    project.cassette(
        "test_agent",
        "test_task",
        [interaction(GEMINI.format("gemini-2.0-flash"), json.dumps(answer), request_body=body)],
    )
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    call = test["calls"][0]
    # gemini-2.0-flash: 10,000 x 0.10 + 1,000 x 0.40 = $0.0014
    assert (call["provider"], call["model"], test["cost_usd"]) == ("google", "gemini-2.0-flash", "0.0014000000")
    assert test["stale"] is True
    assert "gemini-2.5-pro" in json.dumps(call["drift"])


SCRUBBING_CONFTEST = """
import json

import pytest


def scrub(request):
    body = json.loads(request.body)
    for message in body["messages"]:
        message["content"] = message["content"].replace("alice@example.com", "<EMAIL>")
    body.pop("user", None)
    request.body = json.dumps(body).encode()
    return request


@pytest.fixture(scope="module")
def vcr_config():
    return {{"before_record_request": scrub, "filter_query_parameters": ["session"], {extra}}}
"""


def test_a_request_the_cassettes_own_filters_scrubbed_is_not_stale(project: AgentProject) -> None:
    # vcrpy matches a request as the cassette keeps it, after its filters and hooks: a replay of a
    # recording whose prompt was scrubbed of an e-mail address is the same request, not a stale one.
    project.pytester.makeconftest(SCRUBBING_CONFTEST.format(extra="'match_on': ['method', 'path', 'body']"))
    url = CHAT_URL + "?session=s-1234"
    project.module(
        "test_agent",
        '@pytest.mark.vcr\ndef test_task():\n    llm("mail alice@example.com the summary")\n',
        url=url,
    )
    kept = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "mail <EMAIL> the summary"}]}
    project.cassette(
        "test_agent",
        "test_task",
        [interaction(CHAT_URL, chat_response("gpt-4o-mini", 1000, 100), request_body=json.dumps(kept))],
    )
    result = project.run("--agent-cost", "--agent-cost-stale", "fail", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    assert (test["stale"], test["llm_calls"], test["cost_usd"]) == (False, 1, "0.0002100000")
    # A prompt that changed beyond what the filters scrub is still stale, and said in the scrubbed form.
    project.module(
        "test_agent",
        '@pytest.mark.vcr\ndef test_task():\n    llm("mail alice@example.com the whole summary")\n',
        url=url,
    )
    project.pytester.makeconftest(SCRUBBING_CONFTEST.format(extra="'match_on': ['method', 'path']"))
    changed = project.run("--agent-cost", "--agent-cost-stale", "fail")
    assert changed.ret == 1, changed.stdout.str()
    changed.stdout.fnmatch_lines(["*stale cassette: message 1 (user) +6 characters since it was recorded*"])
    assert "alice@example.com" not in changed.stdout.str()


def _two_calls(
    project: AgentProject, sent: tuple[str, ...], recorded: tuple[str, ...], *, read_between: bool = False
) -> None:
    """A test sending prompts to one URL (reading agent_cost after the first, with
    ``read_between``), and a cassette recording others (1000, 3000, 5000 ... input tokens)."""
    calls = [f'    llm("{prompt}")\n' for prompt in sent]
    if read_between:
        calls.insert(1, "    assert agent_cost.llm_calls == 1\n")
    project.module("test_agent", "@pytest.mark.vcr\ndef test_task(agent_cost):\n" + "".join(calls))
    project.cassette(
        "test_agent",
        "test_task",
        [
            interaction(CHAT_URL, chat_response("gpt-4o-mini", 1000 + 2000 * i, 100), request_body=_recorded(prompt))
            for i, prompt in enumerate(recorded)
        ],
    )


def test_concurrent_calls_replayed_in_another_order_are_not_stale(project: AgentProject) -> None:
    # Two calls to one URL at once are recorded in the order they finish and matched (on method and
    # URL) in the order they start: each gets the other's answer. Neither request changed.
    _two_calls(project, sent=("slow question", "fast one"), recorded=("fast one", "slow question"))
    result = project.run("--agent-cost", "--agent-cost-stale", "fail", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*test_task.yaml: replayed another recorded answer of the same URL (concurrent calls to one URL are "
            "recorded in the order they finish); the test's cost holds, but for each call to get its own answer, "
            "match on the body too: @pytest.mark.vcr(match_on=*'body'*)*"
        ]
    )
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    # Both answers played once: (1000 + 3000) x 0.15 + 200 x 0.60 = 720 / 1e6.
    assert (test["stale"], test["llm_calls"], test["cost_usd"]) == (False, 2, "0.0007200000")


def test_a_follow_up_call_that_now_repeats_the_first_is_stale_not_swapped(project: AgentProject) -> None:
    # Recorded: a plan, then its summary. Sent now: the plan twice (the follow-up lost its input).
    # The second request equals the first recording, which the first request played: not a swap.
    _two_calls(project, sent=("plan", "plan"), recorded=("plan", "summarise the plan"))
    result = project.run("--agent-cost", "--agent-cost-stale", "fail")
    assert result.ret == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*test_agent.py::test_task: stale cassette: message 1 (user) -14 characters*"])
    assert "replayed another recorded answer" not in result.stdout.str()


def test_a_swap_is_seen_across_a_live_read_of_agent_cost(project: AgentProject) -> None:
    # The test checks its budget between the two calls: the swap is still decided over both.
    _two_calls(project, sent=("slow question", "fast one"), recorded=("fast one", "slow question"), read_between=True)
    result = project.run("--agent-cost", "--agent-cost-stale", "fail", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    assert project.read_json("cost.json")["tests"]["test_agent.py::test_task"]["stale"] is False


def test_one_recording_excuses_one_call_not_two(project: AgentProject) -> None:
    # Recorded: plan, summary, critique. Sent: summary, plan, plan. The first two swapped; the
    # third repeats the plan, which only one of them may claim: it is stale.
    _two_calls(project, sent=("summary", "plan", "plan"), recorded=("plan", "summary", "critique"))
    result = project.run("--agent-cost", "--agent-cost-stale", "fail", "--agent-cost-json", "cost.json")
    assert result.ret == 1, result.stdout.str()
    assert project.read_json("cost.json")["tests"]["test_agent.py::test_task"]["stale"] is True


def test_calls_shifted_by_a_new_first_call_are_stale_and_the_cost_is_not_said_to_hold(project: AgentProject) -> None:
    # The agent now asks an intro before its plan, and the cassette was not re-recorded: matched on
    # method and URL, each call plays the next one's recording. That is no swap of concurrent
    # calls: the intro was never recorded, the last recording is asked by no call.
    _two_calls(project, sent=("intro", "plan", "critique"), recorded=("plan", "critique", "final"))
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()  # stale cassettes warn by default
    out = result.stdout.str()
    assert "replayed another recorded answer" not in out
    assert "cost holds" not in out
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    assert test["stale"] is True
    assert ["drift" in call for call in test["calls"]] == [True, True, True]
    failed = project.run("--agent-cost", "--agent-cost-stale", "fail")
    assert failed.ret == 1, failed.stdout.str()


def test_a_stale_test_that_got_cheaper_is_no_saving_to_lock_in(project: AgentProject) -> None:
    # Baseline: four calls, as recorded. Now a new first call shifts the replay, and the agent stops
    # after three: cheaper on the replay, but the replay answers the requests recorded, not these.
    recorded = ("plan", "critique", "final", "review")
    _two_calls(project, sent=recorded, recorded=recorded)
    assert project.run("--agent-cost", "--agent-cost-update-baseline").ret == 0
    _two_calls(project, sent=("intro", "plan", "critique"), recorded=recorded)
    result = project.run("--agent-cost", "--agent-cost-markdown", "cost.md")
    assert result.ret == 0, result.stdout.str()
    out = result.stdout.str()
    assert "lock in the savings" not in out
    result.stdout.fnmatch_lines(
        ["1 test(s) got cheaper on a stale cassette: its replay answers the requests recorded, not those sent now*"]
    )
    comment = (project.pytester.path / "cost.md").read_text()
    assert "lock in the savings" not in comment
    assert "1 task got cheaper on a stale cassette: its replay answers the requests recorded" in comment


def test_the_advice_names_tests_as_pytest_takes_them_from_a_subdirectory(
    project: AgentProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A monorepo (adoption 5): one ini at the top, `cd services/agent_a && pytest`. pytest takes
    # node ids on the command line relative to the folder it runs in, not to the rootdir: the
    # advice copied from the terminal must select the stale test from there.
    _setup(project, "short prompt", "a different prompt")
    sub = project.root / "services" / "agent_a"
    sub.mkdir(parents=True)
    (project.root / "test_agent.py").rename(sub / "test_agent.py")
    (project.root / "cassettes").rename(sub / "cassettes")
    monkeypatch.chdir(sub)
    result = project.run("--agent-cost")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        ["warning: 1 test(s) replay stale cassettes*--record-mode=rewrite test_agent.py::test_task;*"]
    )
    # The node id itself (table, JSON, baseline keys) stays the rootdir's.
    result.stdout.fnmatch_lines(["services/agent_a/test_agent.py::test_task*stale*"])
