"""Batch jobs: submitting one costs nothing yet (a warning says where it is counted); reading its
results back bills its requests, once per batch, at the batch price."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import AgentProject, interaction

ANTHROPIC = "https://api.anthropic.com/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/results"
OPENAI = "https://api.openai.com/v1/files/file-xyz123/content"
SUBMIT = "https://api.openai.com/v1/batches"

MODULE = """
import json
import urllib.request

import pytest


def fetch(url, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method=method)
    with urllib.request.urlopen(req) as resp:
        return resp.read()
"""


def _message(text: str, tokens_in: int, tokens_out: int) -> dict[str, Any]:
    # A line of Anthropic's results file, as its docs show it.
    return {
        "id": "msg_014VwiXbi91y3JMjcpyGBHX5",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out, "service_tier": "batch"},
    }


ANTHROPIC_RESULTS = [
    {"custom_id": "first", "result": {"type": "succeeded", "message": _message("Hello!", 11, 36)}},
    {"custom_id": "second", "result": {"type": "succeeded", "message": _message("Hello again!", 11, 44)}},
    {
        "custom_id": "third",
        "result": {"type": "errored", "error": {"type": "error", "error": {"type": "invalid_request_error"}}},
    },
    {"custom_id": "fourth", "result": {"type": "expired"}},
]


def _completion(n: int) -> dict[str, Any]:
    # A line of an OpenAI batch's output file, as its docs show it.
    return {
        "id": f"batch_req_{n}",
        "custom_id": f"request-{n}",
        "response": {
            "status_code": 200,
            "request_id": f"req_{n}",
            "body": {
                "id": f"chatcmpl-{n}",
                "object": "chat.completion",
                "created": 1711652795,
                "model": "gpt-4o-mini-2024-07-18",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": "Hello."}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 22, "completion_tokens": 2, "total_tokens": 24},
            },
        },
        "error": None,
    }


def _run(project: AgentProject, calls: str, records: list[dict[str, Any]]) -> Any:
    project.pytester.makepyfile(test_batch=MODULE + f"\n\n@pytest.mark.vcr\ndef test_task():\n{calls}")
    project.cassette("test_batch", "test_task", records)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    return result, project.read_json("cost.json")["tests"]["test_batch.py::test_task"]


def _jsonl(lines: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


def test_an_anthropic_batchs_results_bill_its_succeeded_requests_at_the_batch_price(project: AgentProject) -> None:
    record = interaction(ANTHROPIC, _jsonl(ANTHROPIC_RESULTS), method="GET")
    # Read twice: the batch is billed once.
    _, test = _run(project, f"    fetch({ANTHROPIC!r})\n    fetch({ANTHROPIC!r})\n", [record, record])
    billed = [c for c in test["calls"] if c["billed"]]
    assert [(c["endpoint"], c["model"], c["price_context"]) for c in billed] == [
        ("anthropic.batch", "claude-sonnet-4-5-20250929", {"processing": "batch"})
    ]
    # 22 in, 80 out at the batch price, $1.50 / $7.50 per million: 33 + 600 = 633 / 1e6.
    assert (test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (22, 80, "0.0006330000")


def test_an_openai_batch_output_file_bills_its_requests_at_the_batch_price(project: AgentProject) -> None:
    record = interaction(OPENAI, _jsonl([_completion(1), _completion(2)]), method="GET")
    _, test = _run(project, f"    fetch({OPENAI!r})\n", [record])
    # 44 in, 4 out for gpt-4o-mini at the batch price, $0.075 / $0.30: 3.3 + 1.2 = 4.5 / 1e6.
    assert (test["llm_calls"], test["input_tokens"], test["output_tokens"]) == (1, 44, 4)
    assert test["cost_usd"] == "0.0000045000"


def _responses_line(n: int, tokens_in: int, tokens_out: int, output: list[dict[str, Any]]) -> dict[str, Any]:
    # A line of an OpenAI batch's output file for a /v1/responses request.
    body = {
        "id": f"resp_{n}",
        "object": "response",
        "status": "completed",
        "model": "gpt-4.1-mini-2025-04-14",
        "output": output,
        "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out, "total_tokens": tokens_in + tokens_out},
    }
    return {"id": f"batch_req_{n}", "custom_id": f"r{n}", "response": {"status_code": 200, "body": body}, "error": None}


RESPONSES_LINES = [
    _responses_line(1, 1000, 100, [{"type": "function_call", "id": "fc_1", "call_id": "c1", "name": "f"}]),
    _responses_line(2, 500, 50, [{"type": "web_search_call", "id": f"ws_{i}", "status": "completed"} for i in (1, 2)]),
]


def test_an_openai_batch_of_responses_counts_their_tool_calls_and_bills_their_web_searches(
    project: AgentProject,
) -> None:
    # Responses API lines of an output file: a function_call item is an agent step, a
    # web_search_call a search billed beside the tokens (both were read from chat lines only).
    record = interaction(OPENAI, _jsonl(RESPONSES_LINES), method="GET")
    _, test = _run(project, f"    fetch({OPENAI!r})\n", [record])
    assert (test["llm_calls"], test["tool_calls"], test["input_tokens"], test["output_tokens"]) == (1, 1, 1500, 150)
    # gpt-4.1-mini at the batch price, $0.20 / $0.80 per million, and two searches at the
    # standard $10 per 1,000 (no batch rate): 0.0003 + 0.00012 + 0.02.
    assert test["cost_usd"] == "0.0204200000"
    assert (test["calls"][0]["endpoint"], test["calls"][0]["units"]) == ("openai.batch", {"web_searches": 2})


def test_a_batchs_web_searches_a_price_file_does_not_price_leave_it_unpriced(project: AgentProject) -> None:
    # Review 36: the file prices tokens; the searches were priced at $0 without a word.
    project.ini("agent_cost_prices = prices.toml\n")
    project.pytester.makefile(".toml", prices='[models."gpt-4.1-mini"]\ninput = "0.2"\noutput = "0.8"\n')
    record = interaction(OPENAI, _jsonl(RESPONSES_LINES), method="GET")
    result, test = _run(project, f"    fetch({OPENAI!r})\n", [record])
    assert (test["llm_calls"], test["cost_usd"]) == (1, None)
    assert "has no price for its 2 web_searches" in result.stdout.str()


def test_another_file_read_back_is_a_tool_call(project: AgentProject) -> None:
    record = interaction(OPENAI, _jsonl([{"messages": [{"role": "user", "content": "hi"}]}]), method="GET")
    _, test = _run(project, f"    fetch({OPENAI!r})\n", [record])
    assert (test["llm_calls"], test["tool_http_calls"]) == (0, 1)


def test_submitting_a_batch_says_where_it_is_counted(project: AgentProject) -> None:
    answer = {"id": "batch_abc123", "object": "batch", "endpoint": "/v1/chat/completions", "status": "validating"}
    record = interaction(SUBMIT, json.dumps(answer))
    body = {"input_file_id": "file-abc", "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    result, test = _run(project, f"    fetch({SUBMIT!r}, 'POST', {body!r})\n", [record])
    assert (test["llm_calls"], test["cost_usd"]) == (0, "0.0000000000")
    result.stdout.fnmatch_lines(
        ["*api.openai.com: a batch job submitted (/v1/batches); its requests are billed when it runs, and counted*"]
    )


def test_a_batch_of_a_model_with_no_batch_price_is_unpriced_not_billed_at_full_price(
    project: AgentProject,
) -> None:
    # Review 32: genai-prices has no batch variant for claude-3-5-haiku, which Anthropic sells at
    # half price in a batch: its standard price would double the cost.
    lines = [{"custom_id": "one", "result": {"type": "succeeded", "message": _message("Hi.", 1000, 1000)}}]
    lines[0]["result"]["message"]["model"] = "claude-3-5-haiku-20241022"
    result, test = _run(project, f"    fetch({ANTHROPIC!r})\n", [interaction(ANTHROPIC, _jsonl(lines), method="GET")])
    assert (test["llm_calls"], test["input_tokens"], test["cost_usd"]) == (1, 1000, None)
    result.stdout.fnmatch_lines(["*genai-prices has no batch price for anthropic:claude-3-5-haiku-20241022*"])


def test_what_a_batch_submission_says_depends_on_whether_its_results_are_read(project: AgentProject) -> None:
    gemini = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:batchGenerateContent"
    azure = "https://acme.openai.azure.com/openai/batches?api-version=2024-10-21"
    other = "https://api.example.com/v1/batches"  # another API's batches: no LLM's
    records = [interaction(url, json.dumps({"name": "batches/123", "id": "b"})) for url in (gemini, azure, other)]
    calls = "".join(f"    fetch({url!r}, 'POST', {{}})\n" for url in (gemini, azure, other))
    result, test = _run(project, calls, records)
    assert (test["llm_calls"], test["tool_http_calls"]) == (0, 3)
    out = result.stdout.str()
    assert "a Gemini batch job submitted; its requests are billed when it runs, and counted where a test" in out
    assert "acme.openai.azure.com: a batch job submitted (/openai/batches)" in out
    assert "api.example.com: a batch" not in out


GEMINI_BATCH = "https://generativelanguage.googleapis.com/v1beta/batches/4m855v7q30kc7gtzcigdg9m72o87s08w33vp"
GEMINI_FILE = (
    "https://generativelanguage.googleapis.com/download/v1beta/files/batch-o08hk76gv328ihxcssjsgwt3g6omtfysxi46"
    ":download?alt=media"
)


def _gemini_answer(prompt: int, candidates: int, thoughts: int, model: str = "gemini-2.5-flash") -> dict[str, Any]:
    usage = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt + candidates + thoughts,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
        "thoughtsTokenCount": thoughts,
    }
    candidate = {"content": {"parts": [{"text": "..."}], "role": "model"}, "finishReason": "STOP", "index": 0}
    return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model, "responseId": "rrs5adCnN4Lg"}


def _gemini_operation(done: bool) -> dict[str, Any]:
    # A real batch's polls (three inline requests to gemini-2.5-flash, December 2025; answer texts
    # cut): the finished operation holds its results under metadata.output and again under response.
    name = "batches/4m855v7q30kc7gtzcigdg9m72o87s08w33vp"
    metadata: dict[str, Any] = {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
        "model": "models/gemini-2.5-flash",
        "displayName": "test-batch-job",
        "batchStats": {"requestCount": "3", "pendingRequestCount": "3"},
        "state": "BATCH_STATE_RUNNING",
        "name": name,
    }
    if not done:
        return {"name": name, "metadata": metadata}
    items = [
        {"response": _gemini_answer(5, 1373, 1582), "metadata": {"key": "req_1"}},
        {"response": _gemini_answer(4, 1139, 2168), "metadata": {"key": "req_2"}},
        {"response": _gemini_answer(6, 1547, 1183), "metadata": {"key": "req_3"}},
        {"error": {"code": 400, "message": "Request contains an invalid argument."}, "metadata": {"key": "req_4"}},
    ]
    output = {"inlinedResponses": {"inlinedResponses": items}}
    metadata.update(state="BATCH_STATE_SUCCEEDED", output=output, batchStats={"requestCount": "4"})
    response = {"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput", **output}
    return {"name": name, "metadata": metadata, "done": True, "response": response}


def test_a_gemini_batchs_polls_bill_its_results_once_at_the_batch_price(project: AgentProject) -> None:
    running, done = (interaction(GEMINI_BATCH, json.dumps(_gemini_operation(d)), method="GET") for d in (False, True))
    # Polled until done, then once more: each finished poll repeats the results.
    result, test = _run(project, f"    for _ in range(3):\n        fetch({GEMINI_BATCH!r})\n", [running, done, done])
    billed = [c for c in test["calls"] if c["billed"]]
    assert [(c["endpoint"], c["model"], c["price_context"]) for c in billed] == [
        ("gemini.batch", "gemini-2.5-flash", {"processing": "batch"})
    ]
    # 15 in; 8,992 out (thinking included: 2,955 + 3,307 + 2,730) at gemini-2.5-flash's batch price,
    # $0.15 / $1.25 per million: 2.25 + 11,240 = 11,242.25 / 1e6. The failed request bills nothing.
    assert (test["llm_calls"], test["input_tokens"], test["output_tokens"]) == (1, 15, 8992)
    assert (test["reasoning_tokens"], test["cost_usd"]) == (4933, "0.0112422500")
    assert "counted in no test" not in result.stdout.str()


def test_a_gemini_batchs_results_file_bills_its_lines_and_a_model_without_a_batch_price_is_unpriced(
    project: AgentProject,
) -> None:
    # The results file of Google's cookbook batch (gemini-3.7-flash, which genai-prices has no
    # batch price for): billed at its standard price it would cost twice what Google bills.
    lines = [
        {"response": _gemini_answer(8, 11, 829, "gemini-3.7-flash"), "key": "request_1"},
        {"response": _gemini_answer(9, 63, 1180, "gemini-3.7-flash"), "key": "request_2"},
    ]
    record = interaction(GEMINI_FILE, _jsonl(lines), method="GET")
    result, test = _run(project, f"    fetch({GEMINI_FILE!r})\n", [record])
    assert (test["llm_calls"], test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (1, 17, 2083, None)
    result.stdout.fnmatch_lines(["*genai-prices has no batch price for google:gemini-3.7-flash*"])


def test_an_openai_batchs_status_is_no_gemini_batch(project: AgentProject) -> None:
    # GET /v1/batches/{id} on OpenAI's host answers the batch's status, not its results.
    url = "https://api.openai.com/v1/batches/batch_abc123"
    answer = {"id": "batch_abc123", "object": "batch", "status": "completed", "output_file_id": "file-xyz123"}
    _, test = _run(project, f"    fetch({url!r})\n", [interaction(url, json.dumps(answer), method="GET")])
    assert (test["llm_calls"], test["cost_usd"]) == (0, "0.0000000000")


def test_a_batchs_requests_are_priced_one_by_one_so_their_sum_reaches_no_price_tier(project: AgentProject) -> None:
    # Review 33: three gemini-2.5-pro requests of 100k input tokens each; summed, 300k input
    # tokens would be priced above the 200k tier, which no request reached.
    answers = [_gemini_answer(100_000, 1_000, 0, "gemini-2.5-pro") for _ in range(3)]
    items = [{"response": answer, "metadata": {"key": f"r{n}"}} for n, answer in enumerate(answers)]
    output = {"inlinedResponses": {"inlinedResponses": items}}
    answer = {"name": "batches/b1", "metadata": {"state": "BATCH_STATE_SUCCEEDED", "output": output}, "done": True}
    url = "https://generativelanguage.googleapis.com/v1beta/batches/b1"
    _, test = _run(project, f"    fetch({url!r})\n", [interaction(url, json.dumps(answer), method="GET")])
    # Each at gemini-2.5-pro's batch price up to 200k, $0.625 / $5 per million: 62,500 + 5,000 =
    # 67,500 / 1e6; three: $0.2025 (the sum, priced as one request above the tier: $0.3975).
    assert (test["llm_calls"], test["input_tokens"], test["cost_usd"]) == (1, 300_000, "0.2025000000")


def test_a_price_hook_that_leaves_a_batch_to_genai_prices_leaves_it_unpriced_without_a_batch_price(
    project: AgentProject,
) -> None:
    # Review 34: a hook returning None fell back to genai-prices without the batch check, and
    # priced claude-3-5-haiku's batch at the standard rate, twice what Anthropic bills.
    project.pytester.makeconftest("def pytest_agentcost_price_call(call):\n    return None\n")
    lines = [{"custom_id": "one", "result": {"type": "succeeded", "message": _message("Hi.", 1000, 1000)}}]
    lines[0]["result"]["message"]["model"] = "claude-3-5-haiku-20241022"
    result, test = _run(project, f"    fetch({ANTHROPIC!r})\n", [interaction(ANTHROPIC, _jsonl(lines), method="GET")])
    assert (test["llm_calls"], test["input_tokens"], test["cost_usd"]) == (1, 1000, None)
    result.stdout.fnmatch_lines(["*genai-prices has no batch price for anthropic:claude-3-5-haiku-20241022*"])
