"""Bad input end to end: a clear message, the right exit status, no partial files, never a crash."""

from __future__ import annotations

import gzip
import json

import pytest
import yaml

from tests.conftest import CHAT_URL, AgentProject, chat_response, interaction


def _no_internal_error(result: pytest.RunResult) -> None:
    text = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in text
    assert "Traceback" not in result.stderr.str()


def test_corrupt_cassette_gives_vcrpys_own_error(project: AgentProject) -> None:
    project.module("test_agent", "@pytest.mark.vcr\ndef test_task():\n    llm('x')\n")
    path = project.root / "cassettes" / "test_agent" / "test_task.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("interactions: [ {request: ::: this is not yaml\n")
    result = project.run("--agent-cost")
    assert result.ret == 1
    # vcrpy (through PyYAML) rejects the file at setup: that error, not ours, is what the user sees.
    result.stdout.fnmatch_lines(["*yaml.parser.ParserError*", "*= agent cost =*"])
    _no_internal_error(result)


def test_json_serializer_cassette_is_counted(project: AgentProject) -> None:
    project.module(
        "test_agent",
        "@pytest.mark.vcr(serializer='json')\ndef test_task():\n    llm('x')\n",
    )
    data = {"interactions": [interaction(CHAT_URL, chat_response("gpt-4o-mini", 1000, 100))], "version": 1}
    path = project.root / "cassettes" / "test_agent" / "test_task.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data))
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    assert project.read_json("cost.json")["tests"]["test_agent.py::test_task"]["cost_usd"] == "0.0002100000"


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ("<html><body>502 Bad Gateway</body></html>", {"Content-Type": ["text/html"]}),
        ("", {"Content-Type": ["application/json"]}),
        ('{"id": "x", "model": "gpt-4o-mini", "usage": {"prompt_tokens": "many", "completion_tokens": -3}}', None),
    ],
    ids=["html", "empty", "malformed-usage"],
)
def test_unreadable_bodies_are_estimated_and_said_never_exact(
    project: AgentProject, body: str, headers: dict[str, list[str]] | None
) -> None:
    project.module("test_agent", "@pytest.mark.vcr\ndef test_task():\n    llm('x')\n")
    project.cassette("test_agent", "test_task", [interaction(CHAT_URL, body, headers=headers)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    _no_internal_error(result)
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]
    call = test["calls"][0]
    assert call["estimated"] is True
    assert call["warnings"]
    assert "warning:" in result.stdout.str()


def test_binary_non_utf8_and_gzip_bodies(project: AgentProject) -> None:
    project.module(
        "test_agent",
        "@pytest.mark.vcr\ndef test_task():\n    llm('x')\n    llm('y')\n",
    )
    gz = gzip.compress(chat_response("gpt-4o-mini", 1000, 100).encode())
    path = project.root / "cassettes" / "test_agent" / "test_task.yaml"
    path.parent.mkdir(parents=True)
    first = interaction(CHAT_URL, "")
    first["response"]["body"]["string"] = gz
    first["response"]["headers"]["Content-Encoding"] = ["gzip"]
    second = interaction(CHAT_URL, "")
    second["response"]["body"]["string"] = b"\xff\xfe\x00garbage\x80"
    path.write_text(yaml.dump({"interactions": [first, second], "version": 1}))
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    calls = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]["calls"]
    assert calls[0]["input_tokens"] == 1000
    assert calls[0]["estimated"] is False
    assert calls[1]["estimated"] is True


def test_gigantic_response_is_handled(project: AgentProject) -> None:
    project.module("test_agent", "@pytest.mark.vcr\ndef test_task():\n    llm('x')\n")
    huge = json.loads(chat_response("gpt-4o-mini", 1000, 100))
    huge["choices"][0]["message"]["content"] = "word " * 6_000_000  # ~30 MB
    project.cassette("test_agent", "test_task", [interaction(CHAT_URL, json.dumps(huge))])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    assert project.read_json("cost.json")["tests"]["test_agent.py::test_task"]["input_tokens"] == 1000


def test_unwritable_baseline_path_is_one_clean_line(project: AgentProject) -> None:
    project.module("test_agent", "@pytest.mark.vcr\ndef test_task():\n    llm('x')\n")
    project.chat_cassette("test_agent", "test_task", [(1000, 100)])
    (project.root / "not-a-dir").write_text("a file where a folder should be\n")
    result = project.run(
        "--agent-cost", "--agent-cost-update-baseline", "--agent-cost-baseline", "not-a-dir/baseline.json"
    )
    assert result.ret == 4
    # The cost table still shows; the error says which parent is not a folder (not mkdir's "File exists").
    result.stdout.fnmatch_lines(
        [
            "*agent cost*",
            "test_agent.py::test_task *1 *0 *1,000 *100 *$0.00021*",
            "pytest-agentcost: *not-a-dir/baseline.json: cannot write baseline: Not a directory: *not-a-dir",
        ]
    )
    _no_internal_error(result)
    assert (project.root / "not-a-dir").read_text() == "a file where a folder should be\n"


def test_crashed_xdist_workers_are_reported_and_never_written(pytester: pytest.Pytester) -> None:
    project = AgentProject(pytester, xdist=True)
    project.ini()
    project.module(
        "test_agent",
        """
        import os

        @pytest.mark.vcr
        def test_ok():
            llm("x")

        def test_crash_1():
            os._exit(1)

        def test_crash_2():
            os._exit(1)
        """,
    )
    project.chat_cassette("test_agent", "test_ok", [(1000, 100)])
    result = pytester.runpytest_subprocess("-n", "2", "--agent-cost", "--agent-cost-update-baseline")
    assert result.ret == 1
    text = result.stdout.str()
    assert "xdist worker(s) crashed; their tests are missing from this report" in text
    assert "baseline NOT updated" in text
    assert not (pytester.path / "agent-cost-baseline.json").exists()
    assert "INTERNALERROR" not in text
