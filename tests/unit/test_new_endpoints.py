"""Audio, batch results and Bedrock Agents, read call by call (the edges review 32's mutations
showed no test held)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from vcr.request import Request

from pytest_agentcost import usage
from pytest_agentcost._eventstream import encode
from pytest_agentcost.interaction import Interaction, from_vcr
from tests.conftest import chat_response

TRANSCRIBE = "https://api.openai.com/v1/audio/transcriptions"
SPEECH = "https://api.openai.com/v1/audio/speech"
FILE = "https://api.openai.com/v1/files/file-abc/content"
AGENT = "https://bedrock-agent-runtime.us-east-1.amazonaws.com/agents/A/agentAliases/B/sessions/1/text"


def _ix(url: str, body: str | bytes, *, method: str = "POST", status: int = 200, request: Any = None) -> Interaction:
    content = "text/event-stream" if isinstance(body, str) and body.startswith("data:") else "application/json"
    response = {
        "status": {"code": status, "message": "OK"},
        "headers": {"Content-Type": [content]},
        "body": {"string": body},
    }
    data = json.dumps(request if request is not None else {"model": "whisper-1"}).encode()
    return from_vcr(Request(method, url, data, {"Content-Type": "application/json"}), response)


def _extract(interaction: Interaction) -> usage.Extraction:
    found = usage.extract(interaction)
    assert found is not None
    return found


def test_audio_tokens_above_the_input_are_not_taken_as_its_audio_part() -> None:
    answer = {
        "text": "x",
        "usage": {
            "type": "tokens",
            "input_tokens": 10,
            "output_tokens": 5,
            "input_token_details": {"audio_tokens": 50},
        },
    }
    found = _extract(_ix(TRANSCRIBE, json.dumps(answer)))
    assert (found.usage.input_tokens, vars(found.usage).get("input_audio_tokens")) == (10, None)


def test_a_transcription_streams_error_event_is_no_billed_call() -> None:
    stream = 'data: {"type": "error", "error": {"type": "server_error", "message": "boom"}}\n\n'
    assert _extract(_ix(TRANSCRIBE, stream)).billed is False


def test_a_speech_request_without_input_text_is_estimated_not_priced_as_zero_characters() -> None:
    found = _extract(_ix(SPEECH, b"ID3audio", request={"model": "tts-1", "voice": "alloy"}))
    assert (found.billed, found.estimated) == (True, True)


def _line(n: int, status: int = 200, tool_calls: int = 0) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": "x"}
    if tool_calls:
        message["tool_calls"] = [{"id": f"c{i}", "type": "function"} for i in range(tool_calls)]
    body = {
        "object": "chat.completion",
        "model": "gpt-4o-mini",
        "choices": [{"message": message}],
        "usage": {"prompt_tokens": 10, "completion_tokens": n},
    }
    return {"custom_id": f"r{n}", "response": {"status_code": status, "body": body}, "error": None}


def test_a_batch_output_file_sums_its_succeeded_lines_and_counts_their_tool_calls() -> None:
    failed = {"custom_id": "r9", "response": None, "error": {"code": "batch_expired", "message": "expired"}}
    lines = [_line(1, tool_calls=2), _line(2, status=500), failed, _line(3)]
    found = _extract(_ix(FILE, "".join(json.dumps(x) + "\n" for x in lines), method="GET"))
    assert (found.endpoint, found.usage.input_tokens, found.usage.output_tokens) == ("openai.batch", 20, 4)
    assert found.tool_calls == 2


def test_an_anthropic_batchs_tool_uses_are_tool_calls() -> None:
    message = {
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "tool_use", "name": "f", "input": {}}],
        "usage": {"input_tokens": 5, "output_tokens": 6},
    }
    line = {"custom_id": "a", "result": {"type": "succeeded", "message": message}}
    url = "https://api.anthropic.com/v1/messages/batches/msgbatch_1/results"
    found = _extract(_ix(url, json.dumps(line) + "\n", method="GET"))
    assert (found.endpoint, found.tool_calls, found.price_context) == ("anthropic.batch", 1, (("processing", "batch"),))


def test_a_failed_batch_submission_says_nothing_of_where_it_is_counted() -> None:
    assert usage.billed_elsewhere(_ix("https://api.openai.com/v1/batches", "{}")) is not None
    assert usage.billed_elsewhere(_ix("https://api.openai.com/v1/batches", "{}", status=400)) is None


def _agent(*events: tuple[str, dict[str, Any]], method: str = "POST") -> Interaction:
    body = b"".join(
        encode(
            {":event-type": kind, ":content-type": "application/json", ":message-type": "event"},
            json.dumps(payload).encode(),
        )
        for kind, payload in events
    )
    return _ix(AGENT, body, method=method)


def _usage_event(tokens_in: Any, tokens_out: Any) -> tuple[str, dict[str, Any]]:
    step = {
        "modelInvocationInput": {"foundationModel": "anthropic.claude-3-5-sonnet-20240620-v1:0"},
        "modelInvocationOutput": {"metadata": {"usage": {"inputTokens": tokens_in, "outputTokens": tokens_out}}},
    }
    return "trace", {"trace": {"orchestrationTrace": step}}


def test_an_agent_handing_a_tool_back_to_the_caller_makes_a_tool_call() -> None:
    give_back = ("returnControl", {"invocationId": "i", "invocationInputs": [{"functionInvocationInput": {}}] * 2})
    answer = ("chunk", {"bytes": base64.b64encode(b"ok").decode()})
    found = _extract(_agent(_usage_event(10, 2), give_back, answer))
    assert (found.endpoint, found.tool_calls, found.usage.input_tokens) == ("bedrock.agent", 2, 10)


def test_an_agents_malformed_usage_is_estimated_not_skipped() -> None:
    found = _extract(_agent(_usage_event(10, 2), _usage_event("many", 2)))
    assert found.estimated is True


def test_only_a_post_to_an_agents_session_is_an_invocation() -> None:
    assert usage.detect(_agent(_usage_event(10, 2), method="GET")) != ("aws", "bedrock.agent")


GEMINI_BATCH = "https://generativelanguage.googleapis.com/v1beta/batches/4m855v7q"


def _operation(**fields: Any) -> str:
    return json.dumps({"name": "batches/4m855v7q", "metadata": {"state": "BATCH_STATE_SUCCEEDED"}, **fields})


def test_a_finished_gemini_batch_whose_results_are_in_a_file_is_not_a_call_yet() -> None:
    answer = _operation(done=True, response={"responsesFile": "files/batch-4m855v7q"})
    polled = _extract(_ix(GEMINI_BATCH, answer, method="GET"))
    assert (polled.endpoint, polled.billed, polled.estimated, polled.warnings) == ("gemini.batch", False, False, ())
    assert (polled.response_id, polled.is_poll) == ("4m855v7q", True)


def test_a_gemini_batch_whose_requests_all_failed_bills_nothing_and_says_so() -> None:
    failed = {"error": {"code": 400, "message": "bad"}, "metadata": {"key": "req_1"}}
    output = {"inlinedResponses": {"inlinedResponses": [failed]}}
    polled = _extract(_ix(GEMINI_BATCH, _operation(done=True, response=output), method="GET"))
    assert polled.billed is False
    assert "no request of the batch succeeded" in "".join(polled.warnings)


def test_a_gemini_embedding_batchs_results_are_unpriced_with_a_warning() -> None:
    # Google's cookbook: an embedding batch's results file gives a count (a string) and no model.
    line = {"response": {"tokenCount": "1", "embedding": {"values": [-0.034, 0.0025]}}, "key": "request_1"}
    url = "https://generativelanguage.googleapis.com/download/v1beta/files/batch-x1:download?alt=media"
    found = _extract(_ix(url, json.dumps(line) + "\n", method="GET"))
    assert (found.endpoint, found.billed, found.unpriced) == ("gemini.batch", True, True)
    assert "embedding batch" in found.warnings[0]


def test_a_batch_shaped_answer_is_a_gemini_batch_only_on_googles_host() -> None:
    output = {"inlinedResponses": {"inlinedResponses": []}}
    for url in ("https://api.example.com/v1beta/batches/4m855v7q", "https://api.openai.com/v1/batches/batch_1"):
        assert usage.extract(_ix(url, _operation(done=True, response=output), method="GET")) is None
    # Nor is the list of batches, nor a file of another name.
    listed = json.dumps({"batches": [json.loads(_operation())]})
    assert usage.extract(_ix("https://generativelanguage.googleapis.com/v1beta/batches", listed, method="GET")) is None
    other = "https://generativelanguage.googleapis.com/download/v1beta/files/abc:download?alt=media"
    assert usage.extract(_ix(other, '{"response": {}, "key": "k"}\n', method="GET")) is None


def test_a_vertex_batch_prediction_job_says_its_results_are_counted_in_no_test() -> None:
    path = "/v1/projects/p/locations/us-central1/batchPredictionJobs"
    job = _ix(f"https://us-central1-aiplatform.googleapis.com{path}", '{"name": "jobs/1"}')
    assert "counted in no test" in (usage.billed_elsewhere(job) or "")
    assert usage.billed_elsewhere(_ix(f"https://api.example.com{path}", '{"name": "jobs/1"}')) is None


INLINE_AGENT = "https://bedrock-agent-runtime.us-east-1.amazonaws.com/agents/session-1"


def _inline_agent(url: str, *events: tuple[str, dict[str, Any]]) -> Interaction:
    # InvokeInlineAgent, as botocore's service model gives it: POST /agents/{sessionId}, the agent
    # defined in the request (its foundationModel required), answered as InvokeAgent answers.
    frames = b"".join(
        encode(
            {":event-type": kind, ":content-type": "application/json", ":message-type": "event"},
            json.dumps(payload).encode(),
        )
        for kind, payload in events
    )
    request = {
        "foundationModel": "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "instruction": "You are a helpful assistant.",
        "inputText": "hi",
        "enableTrace": True,
    }
    return _ix(url, frames, request=request)


def test_an_inline_agent_is_priced_at_the_model_its_request_names() -> None:
    # A trace step without modelInvocationInput: the request's foundationModel is the model.
    step = {"modelInvocationOutput": {"metadata": {"usage": {"inputTokens": 274, "outputTokens": 78}}}}
    found = _extract(_inline_agent(INLINE_AGENT, ("trace", {"trace": {"orchestrationTrace": step}})))
    assert (found.provider, found.endpoint, found.billed) == ("aws", "bedrock.agent", True)
    assert (found.model, found.usage.input_tokens, found.usage.output_tokens) == (
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        274,
        78,
    )
    # Its trace's own model wins, as for InvokeAgent.
    assert _extract(_inline_agent(INLINE_AGENT, _usage_event(10, 2))).usage.input_tokens == 10


@pytest.mark.parametrize(
    "host",
    [
        "bedrock-agent-runtime.us-east-1.amazonaws.com",
        "bedrock-agent-runtime-fips.us-east-1.amazonaws.com",
        "vpce-0abc-xyz.bedrock-agent-runtime.us-east-1.vpce.amazonaws.com",
    ],
)
def test_an_inline_agent_is_read_on_each_of_bedrocks_agent_runtime_hosts(host: str) -> None:
    found = _extract(_inline_agent(f"https://{host}/agents/session-1", _usage_event(10, 2)))
    assert (found.endpoint, found.usage.input_tokens) == ("bedrock.agent", 10)


def test_an_agents_path_elsewhere_is_what_its_answer_says() -> None:
    assert usage.extract(_inline_agent("https://api.example.com/agents/session-1", _usage_event(10, 2))) is None
    assert usage.detect(_inline_agent(INLINE_AGENT + "/memories", _usage_event(10, 2))) is None
    # Review 33: a local agent service at /agents/{name} answering Chat Completions is still an LLM call.
    answer = chat_response("gpt-4o-mini", 10, 2)
    found = _extract(_ix("http://localhost:8000/agents/research", answer, request={"model": "gpt-4o-mini"}))
    assert (found.endpoint, found.model, found.usage.input_tokens) == ("openai.chat", "gpt-4o-mini", 10)


def test_a_gemini_batchs_function_calls_are_tool_calls() -> None:
    call = {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}
    answer = {
        "candidates": [{"content": {"parts": [call, call], "role": "model"}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 9, "totalTokenCount": 14},
        "modelVersion": "gemini-2.5-flash",
    }
    output = {"inlinedResponses": {"inlinedResponses": [{"response": answer}, {"response": answer}]}}
    found = _extract(_ix(GEMINI_BATCH, _operation(done=True, response=output), method="GET"))
    assert (found.billed, found.tool_calls, found.usage.input_tokens) == (True, 4, 10)


def test_a_batch_named_file_that_is_not_all_results_is_no_llm_call() -> None:
    # A junk line among results, or the file's metadata (GET without alt=media answers JSON about it).
    url = "https://generativelanguage.googleapis.com/download/v1beta/files/batch-x1:download?alt=media"
    result = json.dumps({"response": {"usageMetadata": {"promptTokenCount": 1}}, "key": "k"})
    assert usage.extract(_ix(url, result + '\n{"note": "junk"}\n', method="GET")) is None
    metadata = {"name": "files/batch-x1", "mimeType": "application/jsonl", "sizeBytes": "1122"}
    assert usage.extract(_ix(url.replace("?alt=media", ""), json.dumps(metadata), method="GET")) is None


GUARDRAIL_USAGE = {
    "contentPolicyUnits": 3,
    "wordPolicyUnits": 1,
    "sensitiveInformationPolicyFreeUnits": 2,
    "automatedReasoningPolicies": 1,
}
STREAM = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-micro-v1%3A0/converse-stream"
INVOKE_STREAM = (
    "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-text-express-v1/invoke-with-response-stream"
)


def _frames(*events: tuple[str, dict[str, Any]]) -> bytes:
    headers = {":content-type": "application/json", ":message-type": "event"}
    return b"".join(encode({":event-type": kind, **headers}, json.dumps(payload).encode()) for kind, payload in events)


def _guardrail_warning(found: usage.Extraction) -> str:
    return " ".join(w for w in found.warnings if "a Bedrock guardrail checked this call" in w)


def test_a_converse_streams_guardrail_trace_is_read_from_its_metadata_event() -> None:
    trace = {"guardrail": {"inputAssessment": {"g1": {"invocationMetrics": {"usage": GUARDRAIL_USAGE}}}}}
    metadata = {"usage": {"inputTokens": 5, "outputTokens": 2, "totalTokens": 7}, "metrics": {}, "trace": trace}
    body = _frames(
        ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hi"}}),
        ("messageStop", {"stopReason": "end_turn"}),
        ("metadata", metadata),
    )
    found = _extract(_ix(STREAM, body, request={"messages": []}))
    assert (found.billed, found.usage.input_tokens) == (True, 5)
    # Free units (word filters, PII regular expressions) are not billed and not named.
    assert "(policy units: contentPolicyUnits 3)" in _guardrail_warning(found)


def test_an_invoke_streams_guardrail_trace_is_read_from_its_chunks() -> None:
    doc = {
        "outputText": "Hi",
        "amazon-bedrock-trace": {
            "guardrail": {"outputs": [{"g1": {"invocationMetrics": {"usage": {"topicPolicyUnits": 4}}}}]}
        },
        "amazon-bedrock-invocationMetrics": {"inputTokenCount": 5, "outputTokenCount": 2},
    }
    chunk = ("chunk", {"bytes": base64.b64encode(json.dumps(doc).encode()).decode()})
    found = _extract(_ix(INVOKE_STREAM, _frames(chunk), request={"inputText": "hi"}))
    assert (found.billed, found.usage.input_tokens) == (True, 5)
    assert "(policy units: topicPolicyUnits 4)" in _guardrail_warning(found)


def test_a_bedrock_call_without_a_guardrail_says_nothing_of_one() -> None:
    body = _frames(("messageStop", {"stopReason": "end_turn"}), ("metadata", {"usage": {"inputTokens": 5}}))
    # A request that mentions a guardrail in its text is not one that applied it.
    request = {"messages": [{"role": "user", "content": [{"text": "what is a guardrailConfig?"}]}]}
    assert _guardrail_warning(_extract(_ix(STREAM, body, request=request))) == ""


def test_charges_billed_elsewhere_are_named_only_on_the_providers_hosts() -> None:
    cache = json.dumps({"name": "cachedContents/a", "usageMetadata": {"totalTokenCount": 5}})
    vertex = "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/cachedContents"
    assert "context cache created (5 tokens" in (usage.billed_elsewhere(_ix(vertex, cache)) or "")
    updated = usage.billed_elsewhere(_ix(vertex + "/a", cache, method="PATCH")) or ""
    assert "context cache updated" in updated
    assert usage.billed_elsewhere(_ix(vertex + "/a", cache, method="GET")) is None
    assert usage.billed_elsewhere(_ix(vertex, cache, status=400)) is None
    assert usage.billed_elsewhere(_ix("https://cache.example.com/v1/cachedContents", cache)) is None
    apply = "/guardrail/g1/version/1/apply"
    runtime = "https://bedrock-runtime.us-west-2.amazonaws.com"
    units = json.dumps({"usage": {"contentPolicyUnits": 2, "wordPolicyUnits": 1}, "action": "NONE"})
    said = usage.billed_elsewhere(_ix(f"{runtime}{apply}", units)) or ""
    assert "ApplyGuardrail, policy units: contentPolicyUnits 2)" in said
    free = json.dumps({"usage": {"wordPolicyUnits": 1}, "action": "NONE"})
    assert usage.billed_elsewhere(_ix(f"{runtime}{apply}", free)) is None  # word filters are free
    assert usage.billed_elsewhere(_ix(f"https://api.example.com{apply}", units)) is None


def test_an_invoke_answers_guardrail_trace_is_read() -> None:
    answer = {
        "id": "msg_1",
        "type": "message",
        "model": "claude-3-haiku-20240307",
        "content": [{"type": "text", "text": "Hi"}],
        "usage": {"input_tokens": 5, "output_tokens": 2},
        "amazon-bedrock-trace": {"guardrail": {"input": {"g1": {"invocationMetrics": {"usage": GUARDRAIL_USAGE}}}}},
    }
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
    found = _extract(_ix(url, json.dumps(answer), request={"messages": []}))
    assert "(policy units: contentPolicyUnits 3)" in _guardrail_warning(found)


CONVERSE_URL = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-text-express-v1/converse"


def _converse(trace: Any, *, status: int = 200, config: bool = True) -> usage.Extraction:
    answer: dict[str, Any] = {"output": {"message": {"content": [{"text": "Hi"}]}}, "usage": {"inputTokens": 5}}
    if trace is not None:
        answer["trace"] = {"guardrail": trace}
    request = {"messages": [], **({"guardrailConfig": {"guardrailIdentifier": "g1"}} if config else {})}
    return _extract(_ix(CONVERSE_URL, json.dumps(answer), request=request, status=status))


def test_a_guardrail_whose_trace_reports_only_free_units_is_no_charge_and_no_warning() -> None:
    free = {"wordPolicyUnits": 2, "sensitiveInformationPolicyFreeUnits": 1}
    assert _guardrail_warning(_converse({"inputAssessment": {"g1": {"invocationMetrics": {"usage": free}}}})) == ""
    # Without a trace the request says a guardrail ran; what it cost is in the trace, which was off.
    assert "which was off" in _guardrail_warning(_converse(None))
    assert _guardrail_warning(_converse(None, config=False)) == ""


def test_a_failed_call_with_a_guardrail_names_no_guardrail_charge() -> None:
    assert _guardrail_warning(_converse(None, status=429)) == ""


def test_every_assessment_of_a_long_guardrail_trace_is_counted() -> None:
    # Review 36: the walk stopped after 1000 nodes, so PII findings crowded out later assessments.
    findings = {"sensitiveInformationPolicy": {"piiEntities": [{"type": "NAME", "match": "x"}] * 40}}
    outputs = [{"invocationMetrics": {"usage": {"topicPolicyUnits": 1}}, **findings} for _ in range(60)]
    trace = {"inputAssessment": {"g1": {"invocationMetrics": {"usage": {"topicPolicyUnits": 1}}}}}
    found = _converse({**trace, "outputAssessments": {"g1": outputs}})
    assert "(policy units: topicPolicyUnits 61)" in _guardrail_warning(found)
