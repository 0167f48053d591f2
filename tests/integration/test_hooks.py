"""The extension hooks (``pytest_agentcost/hooks.py``), implemented in a project's conftest.py,
with and without xdist: each does what the README says, and a hook with a bug never loses a call
or prices it at $0."""

from __future__ import annotations

import json

from tests.conftest import CHAT_URL, AgentProject, chat_response, interaction, write_cassette

GATEWAY = "http://127.0.0.1:18099/v1/generate"


def _one_call_test(project: AgentProject, model: str, url: str = CHAT_URL) -> None:
    project.module("test_agent", f"@pytest.mark.vcr\ndef test_task():\n    llm('x', model={model!r})\n", url=url)


def test_a_price_hook_prices_the_calls_it_knows_and_leaves_the_rest_to_genai_prices(project: AgentProject) -> None:
    project.pytester.makeconftest(
        """
        from decimal import Decimal

        def pytest_agentcost_price_call(call):
            if call.model == "acme-tuned":
                return Decimal("0.0125") * call.usage.output_tokens / 100
            return None
        """
    )
    _one_call_test(project, "acme-tuned")
    project.module("test_known", "@pytest.mark.vcr\ndef test_known():\n    llm('x', model='gpt-4o-mini')\n")
    project.chat_cassette("test_agent", "test_task", [(1000, 200)], model="acme-tuned")
    project.chat_cassette("test_known", "test_known", [(1000, 200)], model="gpt-4o-mini")
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    tests = project.read_json("cost.json")["tests"]
    assert tests["test_agent.py::test_task"]["cost_usd"] == "0.0250000000"  # 200 / 100 x $0.0125
    # gpt-4o-mini at genai-prices' $0.15 / $0.60 per million: 1000 x 0.15 + 200 x 0.60 = 270 / 1e6
    assert tests["test_known.py::test_known"]["cost_usd"] == "0.0002700000"
    assert "no price for model" not in result.stdout.str()


def test_a_price_hook_that_raises_leaves_the_call_counted_and_unpriced(project: AgentProject) -> None:
    project.pytester.makeconftest(
        """
        def pytest_agentcost_price_call(call):
            return call.usage.units_typo
        """
    )
    project.module("test_agent", "@pytest.mark.vcr\ndef test_task():\n    llm('x')\n    llm('x')\n")
    project.chat_cassette("test_agent", "test_task", [(1000, 200), (500, 100)], model="gpt-4o-mini")
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    assert (test["llm_calls"], test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (2, 1500, 300, None)
    assert [call["cost_usd"] for call in test["calls"]] == [None, None]
    result.stdout.fnmatch_lines(
        ["*the pytest_agentcost_price_call hook raised AttributeError: *units_typo*; the call is unpriced*"]
    )
    # genai-prices has gpt-4o-mini: the calls' own warnings say why, not "no price for model".
    assert "no price for model" not in result.stdout.str()
    assert project.run("--agent-cost", "--agent-cost-fail-unpriced").ret == 1


def test_an_extract_hook_reads_an_in_house_gateway(project: AgentProject) -> None:
    project.pytester.makeconftest(
        """
        import json
        from genai_prices import Usage
        from pytest_agentcost.usage import Extraction

        def pytest_agentcost_extract_usage(interaction):
            if not interaction.url.endswith("/v1/generate"):
                return None
            body = json.loads(interaction.response_text())
            return Extraction(provider="openai", endpoint="internal.generate", model=body["model"],
                              usage=Usage(input_tokens=body["in"], output_tokens=body["out"]),
                              streamed=False, billed=True, estimated=False, tool_calls=0,
                              response_id=None, is_poll=False, warnings=())
        """
    )
    _one_call_test(project, "gpt-4o-mini", url=GATEWAY)
    body = json.dumps({"model": "gpt-4o-mini", "in": 2000, "out": 500, "text": "ok"})
    project.cassette("test_agent", "test_task", [interaction(GATEWAY, body)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    assert (test["llm_calls"], test["input_tokens"], test["output_tokens"]) == (1, 2000, 500)
    assert test["calls"][0]["endpoint"] == "internal.generate"
    assert test["cost_usd"] == "0.0006000000"  # 2000 x 0.15 + 500 x 0.60 per million


def test_an_extract_hook_that_raises_falls_back_to_the_built_in_reading(project: AgentProject) -> None:
    project.pytester.makeconftest(
        """
        def pytest_agentcost_extract_usage(interaction):
            raise KeyError("in")
        """
    )
    _one_call_test(project, "gpt-4o-mini")
    project.chat_cassette("test_agent", "test_task", [(1000, 200)], model="gpt-4o-mini")
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    assert (test["llm_calls"], test["cost_usd"]) == (1, "0.0002700000")
    result.stdout.fnmatch_lines(
        ["*the pytest_agentcost_extract_usage hook raised KeyError: 'in'; the call was read without it*"]
    )


def test_a_report_hook_changes_the_json_report(project: AgentProject) -> None:
    project.pytester.makeconftest(
        """
        def pytest_agentcost_modify_report(report):
            report["team"] = "agents"
            report["tests"].pop("test_agent.py::test_noise", None)
        """
    )
    project.module(
        "test_agent",
        "@pytest.mark.vcr\ndef test_task():\n    llm('x')\n\n@pytest.mark.vcr\ndef test_noise():\n    llm('y')\n",
    )
    project.chat_cassette("test_agent", "test_task", [(1000, 200)])
    project.chat_cassette("test_agent", "test_noise", [(10, 2)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    report = project.read_json("cost.json")
    assert report["team"] == "agents"
    assert sorted(report["tests"]) == ["test_agent.py::test_task"]


def test_an_extract_hook_that_raises_on_what_only_it_reads_leaves_an_unpriced_call(project: AgentProject) -> None:
    # Review 31: the gateway the hook exists for, which no built-in reader knows, read as a free
    # tool call: "improved -100%", and an update would have written $0.
    project.pytester.makeconftest(
        """
        import json

        def pytest_agentcost_extract_usage(interaction):
            if interaction.url.endswith("/v1/generate"):
                return json.loads(interaction.response_text())["input_typo"]
        """
    )
    _one_call_test(project, "gpt-4o-mini", url=GATEWAY)
    body = json.dumps({"model": "gpt-4o-mini", "in": 2000, "out": 500, "text": "ok"})
    project.cassette("test_agent", "test_task", [interaction(GATEWAY, body)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json", "--agent-cost-fail-unpriced")
    assert result.ret == 1, result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    assert (test["llm_calls"], test["tool_http_calls"], test["cost_usd"]) == (1, 0, None)
    assert test["calls"][0]["endpoint"] == "unread"
    result.stdout.fnmatch_lines(
        ["*the pytest_agentcost_extract_usage hook raised KeyError: 'input_typo'; the call is counted, unpriced*"]
    )


def test_an_extract_hook_that_raises_on_a_web_page_leaves_a_tool_call(project: AgentProject) -> None:
    # Review 32: a hook that parses every answer as JSON turned a weather page into an LLM call.
    project.pytester.makeconftest(
        """
        import json

        def pytest_agentcost_extract_usage(interaction):
            return json.loads(interaction.response_text())["usage"]
        """
    )
    page = "https://wttr.in/London"
    _one_call_test(project, "gpt-4o-mini", url=page)
    record = interaction(page, "Sunny, 21 C", headers={"Content-Type": ["text/plain"]})
    project.cassette("test_agent", "test_task", [record])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    assert (test["llm_calls"], test["tool_http_calls"], test["cost_usd"]) == (0, 1, "0.0000000000")
    result.stdout.fnmatch_lines(["*hook raised JSONDecodeError*; its answer is no JSON: a tool call*"])


def test_a_report_hook_that_raises_is_one_line_naming_it_not_an_internal_error(project: AgentProject) -> None:
    # Hardening 5: an INTERNALERROR traceback at the run's end, and the cost table lost with it.
    project.pytester.makeconftest(
        """
        def pytest_agentcost_modify_report(report):
            report["tests"]["test_agent.py::test_typo"]["team"] = "agents"
        """
    )
    _one_call_test(project, "gpt-4o-mini")
    project.chat_cassette("test_agent", "test_task", [(1000, 200)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 4, result.stdout.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(
        [
            "test_agent.py::test_task *$0.00027*",
            "pytest-agentcost: the pytest_agentcost_modify_report hook raised KeyError: "
            "'test_agent.py::test_typo' (conftest.py:2); cost.json is not written",
        ]
    )
    assert not (project.root / "cost.json").exists()


def test_a_report_hook_that_leaves_no_json_is_one_line_and_writes_no_invalid_file(project: AgentProject) -> None:
    # Hardening 5: a Decimal was an INTERNALERROR; a NaN was written as NaN, which no JSON reader takes.
    project.pytester.makeconftest(
        """
        from decimal import Decimal

        def pytest_agentcost_modify_report(report):
            report["ratio"] = float("nan") if report["tests"] else Decimal("1.5")
        """
    )
    _one_call_test(project, "gpt-4o-mini")
    project.chat_cassette("test_agent", "test_task", [(1000, 200)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 4, result.stdout.str()
    result.stdout.fnmatch_lines(
        ["pytest-agentcost: the report the pytest_agentcost_modify_report hook left is no JSON (ValueError: *nan*"]
    )
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert not (project.root / "cost.json").exists()


def test_an_extract_hook_that_returns_a_wrong_type_loses_no_call(project: AgentProject) -> None:
    # Hardening 5: a dict (or an Extraction with a dict for usage) lost the call and showed the
    # test at $0; an Extraction with tool_calls=None was an INTERNALERROR at the run's end.
    project.pytester.makeconftest(
        """
        import json
        from genai_prices import Usage
        from pytest_agentcost.usage import Extraction

        def pytest_agentcost_extract_usage(interaction):
            body = json.loads(interaction.response_text())
            if interaction.url.endswith("/v1/generate"):
                return {"input_tokens": body["in"]}
            return Extraction(provider="openai", endpoint="internal.generate", model=body["model"],
                              usage=Usage(input_tokens=1, output_tokens=1), streamed=False, billed=True,
                              estimated=False, tool_calls=None, response_id=None, is_poll=False, warnings=())
        """
    )
    project.module(
        "test_agent",
        f"@pytest.mark.vcr\ndef test_task():\n    llm('x')\n\n"
        f"@pytest.mark.vcr\ndef test_gateway():\n    llm('x', url={GATEWAY!r})\n",
    )
    project.chat_cassette("test_agent", "test_task", [(1000, 200)])
    body = json.dumps({"model": "gpt-4o-mini", "in": 2000, "out": 500, "text": "ok"})
    project.cassette("test_agent", "test_gateway", [interaction(GATEWAY, body)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    tests = project.read_json("cost.json")["tests"]
    task, gateway = tests["test_agent.py::test_task"], tests["test_agent.py::test_gateway"]
    assert (task["llm_calls"], task["cost_usd"]) == (1, "0.0002700000")  # read by the built-in reader
    assert (gateway["llm_calls"], gateway["cost_usd"], gateway["calls"][0]["endpoint"]) == (1, None, "unread")
    result.stdout.fnmatch_lines_random(
        [
            "*the pytest_agentcost_extract_usage hook returned an Extraction whose tool_calls is None, "
            "not a count*; the call was read without it",
            "*the pytest_agentcost_extract_usage hook returned a dict, not an Extraction*; the call is counted, "
            "unpriced",
        ]
    )


def test_a_price_hook_that_returns_a_float_infinity_is_told_as_it_returned_it(project: AgentProject) -> None:
    # Hardening 5: "returned Decimal('Infinity'), not a Decimal" of a hook that returned a float.
    project.pytester.makeconftest(
        """
        def pytest_agentcost_price_call(call):
            return float("inf")
        """
    )
    _one_call_test(project, "gpt-4o-mini")
    project.chat_cassette("test_agent", "test_task", [(1000, 200)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    assert project.read_json("cost.json")["tests"]["test_agent.py::test_task"]["cost_usd"] is None
    result.stdout.fnmatch_lines(
        ["*the pytest_agentcost_price_call hook returned inf, not a finite amount; the call is unpriced*"]
    )


def test_a_sub_folders_price_hook_prices_the_tests_under_it_whatever_the_run_collects(project: AgentProject) -> None:
    # As pytest's own test hooks (item.ihook): a conftest's hook is its folder's. It was either
    # never called (no root conftest: found only when the session had started) or, beside a
    # root conftest's, called for every folder's tests, so a's cost depended on collecting b.
    hook = "from decimal import Decimal\n\ndef pytest_agentcost_price_call(call):\n    return {}\n"
    test = "@pytest.mark.vcr\ndef test_{0}():\n    llm('x', model='gpt-4o-mini')\n"
    for folder in ("a", "b"):
        project.module(f"{folder}/test_{folder}", test.format(folder))
        write_cassette(
            project.root / folder / "cassettes" / f"test_{folder}" / f"test_{folder}.yaml",
            [interaction(CHAT_URL, chat_response("gpt-4o-mini", 1000, 200), request_body="")],
        )
    (project.root / "b" / "conftest.py").write_text(hook.format('Decimal("1")'))
    # gpt-4o-mini at genai-prices' $0.15 / $0.60 per million: 1000 x 0.15 + 200 x 0.60 = 270 / 1e6
    expected = {"a/test_a.py::test_a": "0.0002700000", "b/test_b.py::test_b": "1.0000000000"}

    def costs(*args: str) -> dict[str, str]:
        result = project.run("--agent-cost", "--agent-cost-json", "cost.json", *args)
        assert result.ret == 0, result.stdout.str()
        return {n: t["cost_usd"] for n, t in project.read_json("cost.json")["tests"].items()}

    assert costs() == expected
    project.pytester.makeconftest(hook.format("None"))  # a root conftest's hook too, pricing nothing
    assert costs() == expected
    assert costs("a") == {"a/test_a.py::test_a": expected["a/test_a.py::test_a"]}
    assert costs("b") == {"b/test_b.py::test_b": expected["b/test_b.py::test_b"]}
