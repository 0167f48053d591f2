"""Video generation jobs (OpenAI's Sora ``POST /v1/videos``, Google's Veo ``:predictLongRunning``):
billed per second of video, which no price here prices. Each is an LLM call left unpriced with a
warning, never a free tool call; a ``pytest_agentcost_price_call`` hook prices it. With and
without xdist."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import POST_MODULE, AgentProject, interaction

SORA = "https://api.openai.com/v1/videos"
VEO = "https://generativelanguage.googleapis.com/v1beta/models/veo-3.0-generate-001:predictLongRunning"
SEARCH = "https://api.videosearch.example/v1/videos"

MODULE = (
    POST_MODULE
    + """

@pytest.mark.vcr
def test_task():
    for url, body in CALLS:
        post(url, body)
"""
)

SORA_REQUEST = {"model": "sora-2", "prompt": "A calico cat playing a piano on stage", "seconds": "8"}
# The answer to POST /v1/videos as OpenAI's API reference shows it: a queued job.
SORA_ANSWER = {
    "id": "video_68d7512d07848190b3e45da0ecbebcde004da08e1e0678d5",
    "object": "video",
    "created_at": 1758941485,
    "status": "queued",
    "model": "sora-2",
    "progress": 0,
    "seconds": "8",
    "size": "1280x720",
}
VEO_REQUEST = {"instances": [{"prompt": "A calico cat playing a piano on stage"}]}
VEO_ANSWER = {"name": "models/veo-3.0-generate-001/operations/d2n3ijzjd7f3"}


def _run(project: AgentProject, calls: list[tuple[str, Any, Any]], *args: str) -> tuple[Any, dict[str, Any]]:
    listed = ", ".join(f"({url!r}, {body!r})" for url, body, _ in calls)
    project.pytester.makepyfile(test_agent=MODULE.replace("CALLS", f"[{listed}]"))
    records = [interaction(url, json.dumps(answer), request_body=json.dumps(body)) for url, body, answer in calls]
    project.cassette("test_agent", "test_task", records)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json", *args)
    return result, project.read_json("cost.json")["tests"]["test_agent.py::test_task"]


def test_a_sora_and_a_veo_job_are_unpriced_llm_calls_not_free_tool_calls(project: AgentProject) -> None:
    result, test = _run(project, [(SORA, SORA_REQUEST, SORA_ANSWER), (VEO, VEO_REQUEST, VEO_ANSWER)])
    assert result.ret == 0, result.stdout.str()
    assert (test["llm_calls"], test["http_calls"], test["cost_usd"]) == (2, 2, None)
    sora, veo = test["calls"]
    assert (sora["provider"], sora["endpoint"], sora["model"], sora["cost_usd"]) == (
        "openai",
        "openai.videos",
        "sora-2",
        None,
    )
    assert (veo["provider"], veo["endpoint"], veo["model"], veo["cost_usd"]) == (
        "google",
        "gemini.predict",
        "veo-3.0-generate-001",
        None,
    )
    out = result.stdout.str()
    assert "a video generation job (8 s, 1280x720); OpenAI bills it per second of video" in out
    assert "a video generation job (Veo); Google bills it per second of video" in out
    # Not the run's price-file advice: a price file prices tokens, and these calls have none.
    assert "no price for model" not in out


def test_a_price_hook_prices_a_video_job_by_its_seconds(project: AgentProject) -> None:
    project.pytester.makeconftest(
        """
from decimal import Decimal


def pytest_agentcost_price_call(call):
    if call.endpoint == "openai.videos":
        return Decimal("0.10") * 8  # sora-2: $0.10 per second, the answer's 8 seconds
    return None
"""
    )
    result, test = _run(project, [(SORA, SORA_REQUEST, SORA_ANSWER)])
    assert result.ret == 0, result.stdout.str()
    assert test["cost_usd"] == "0.8000000000"
    assert "the call is unpriced" not in result.stdout.str()  # the hook priced it


def test_another_apis_videos_path_stays_a_tool_call(project: AgentProject) -> None:
    # A video search API's own /v1/videos (its request names a ranking model): not a job OpenAI bills.
    answer = {"results": [{"title": "Cat piano", "url": "https://videos.example/1"}]}
    result, test = _run(project, [(SEARCH, {"q": "cat piano", "model": "ranker-2"}, answer)])
    assert result.ret == 0, result.stdout.str()
    assert (test["llm_calls"], test["http_calls"], test["cost_usd"]) == (0, 1, "0.0000000000")


def test_a_known_hosts_answer_in_openais_video_shape_is_a_video_job(project: AgentProject) -> None:
    # Review 40: a host serving OpenAI's video API (a gateway genai-prices knows) answers OpenAI's
    # video object: a job, unpriced; only another API's own /videos answer is a tool call.
    together = "https://api.together.xyz/v1/videos"
    result, test = _run(project, [(together, SORA_REQUEST, SORA_ANSWER)])
    assert result.ret == 0, result.stdout.str()
    assert (test["llm_calls"], test["cost_usd"]) == (1, None)
    assert test["calls"][0]["endpoint"] == "openai.videos"
