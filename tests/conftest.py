"""Shared helpers: tiny agent projects for pytester sessions."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from pytest_agentcost.models import CallRecord

pytest_plugins = ["pytester"]


def llm_record(**fields: Any) -> CallRecord:
    """A billed OpenAI chat call record; ``fields`` override any of its defaults."""
    defaults: dict[str, Any] = {
        "kind": "llm",
        "host": "api.openai.com",
        "status": 200,
        "provider": "openai",
        "endpoint": "openai.chat",
        "model": "gpt-4o-mini",
    }
    return CallRecord(**{**defaults, **fields})


def chat_response(model: str, prompt: int, completion: int, *, cached: int = 0, content: str = "ok") -> str:
    """An OpenAI chat.completions response body with the given usage."""
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if cached:
        usage["prompt_tokens_details"] = {"cached_tokens": cached, "audio_tokens": 0}
    return json.dumps(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1730000000,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "finish_reason": "stop",
                }
            ],
            "usage": usage,
        }
    )


def interaction(
    uri: str,
    response_body: str,
    *,
    request_body: str = "",
    method: str = "POST",
    status: int = 200,
    headers: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    return {
        "request": {
            "body": request_body,
            "headers": {"Content-Type": ["application/json"]},
            "method": method,
            "uri": uri,
        },
        "response": {
            "body": {"string": response_body},
            "headers": headers or {"Content-Type": ["application/json"]},
            "status": {"code": status, "message": "OK" if status < 400 else "Error"},
        },
    }


def sse_body(*events: tuple[str, Any]) -> str:
    """A server-sent event stream of ``(event name, JSON data)`` pairs."""
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)


SSE_HEADERS = {"Content-Type": ["text/event-stream"]}


def write_cassette(path: Path, interactions: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"interactions": interactions, "version": 1}, sort_keys=True))


CHAT_URL = "https://api.openai.com/v1/chat/completions"

#: A test module's head with ``post(url, body)``: a JSON POST through urllib, the answer's bytes.
POST_MODULE = """
import json
import urllib.request

import pytest


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        return resp.read()
"""


def one_post_module(url: str, request: Any) -> str:
    """A test module whose ``test_task`` (``@pytest.mark.vcr``) POSTs ``request`` as JSON to ``url`` once."""
    return POST_MODULE + f"\n\n@pytest.mark.vcr\ndef test_task():\n    post({url!r}, {request!r})\n"


AGENT_MODULE = """
import json
import urllib.request

import pytest


def llm(prompt, url="{url}", model="gpt-4o-mini"):
    body = json.dumps({{"model": model, "messages": [{{"role": "user", "content": prompt}}]}}).encode()
    req = urllib.request.Request(url, data=body, headers={{"Content-Type": "application/json"}}, method="POST")
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())
"""


@dataclass
class AgentProject:
    """A pytester project with agent tests replaying cassettes via pytest-recording."""

    pytester: pytest.Pytester
    xdist: bool

    @property
    def root(self) -> Path:
        return self.pytester.path

    def ini(self, extra: str = "") -> None:
        # No network in tests: never try to download tiktoken encodings.
        self.pytester.makeini("[pytest]\nagent_cost_tiktoken_download = false\n" + textwrap.dedent(extra))

    def module(self, name: str, tests: str, url: str = CHAT_URL) -> None:
        source = AGENT_MODULE.format(url=url) + textwrap.dedent(tests)
        self.pytester.makepyfile(**{name: source})

    def cassette(self, module: str, test: str, interactions: list[dict[str, Any]]) -> Path:
        path = self.root / "cassettes" / module / f"{test}.yaml"
        write_cassette(path, interactions)
        return path

    def chat_cassette(self, module: str, test: str, calls: list[tuple[int, int]], model: str = "gpt-4o-mini") -> Path:
        return self.cassette(
            module,
            test,
            [interaction(CHAT_URL, chat_response(model, p, c), request_body="") for p, c in calls],
        )

    def run(self, *args: str) -> pytest.RunResult:
        extra = ["-n", "2"] if self.xdist else ["-p", "no:xdist"]
        return self.pytester.runpytest_subprocess("-p", "no:cacheprovider", *extra, *args)

    def read_json(self, name: str) -> Any:
        return json.loads((self.root / name).read_text())

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The ``agentcost`` command, run in the project."""
        return subprocess.run(
            [sys.executable, "-m", "pytest_agentcost.cli", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
        )


@pytest.fixture(params=[False, True], ids=["no-xdist", "xdist"])
def project(request: pytest.FixtureRequest, pytester: pytest.Pytester) -> AgentProject:
    """An empty agent project, run once without and once with pytest-xdist (-n 2)."""
    proj = AgentProject(pytester, xdist=request.param)
    proj.ini()
    # pytest-recording stores cassettes under <test dir>/cassettes/<module>/<test>.yaml
    return proj
