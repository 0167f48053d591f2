"""OpenAI's audio endpoints (and the hosts that serve them): speech to text billed by the audio's
seconds or by tokens, text to speech by characters; never a free tool call, never a silent $0
(sweep 12: a whisper-1 transcription read as a $0 tool call)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import AgentProject, interaction, one_post_module

TRANSCRIBE = "https://api.openai.com/v1/audio/transcriptions"
SPEECH = "https://api.openai.com/v1/audio/speech"

MODULE = """
import json
import urllib.request

import pytest

BOUNDARY = "agentcostboundary"


def transcribe(model, response_format="json"):
    fields = {"model": model, "response_format": response_format}
    parts = [
        f'--{BOUNDARY}\\r\\nContent-Disposition: form-data; name="{name}"\\r\\n\\r\\n{value}\\r\\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\\r\\nContent-Disposition: form-data; name="file"; filename="a.mp3"\\r\\n'
        "Content-Type: audio/mpeg\\r\\n\\r\\n".encode() + bytes(range(256)) + b"\\r\\n"
    )
    body = b"".join(parts) + f"--{BOUNDARY}--\\r\\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    req = urllib.request.Request("TRANSCRIBE_URL", data=body, headers=headers, method="POST")
    with urllib.request.urlopen(req) as resp:
        return resp.read()


def speak(model, text):
    body = json.dumps({"model": model, "input": text, "voice": "alloy"}).encode()
    req = urllib.request.Request("SPEECH_URL", data=body, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as resp:
        return resp.read()
""".replace("TRANSCRIBE_URL", TRANSCRIBE).replace("SPEECH_URL", SPEECH)


def _run(project: AgentProject, call: str, answer: Any, url: str = TRANSCRIBE, **headers: list[str]) -> Any:
    project.pytester.makepyfile(test_audio=MODULE + f"\n\n@pytest.mark.vcr\ndef test_task():\n    {call}\n")
    body = answer if isinstance(answer, (str, bytes)) else json.dumps(answer)
    record = interaction(url, "")
    record["response"]["body"] = {"string": body}
    record["response"]["headers"] = {"Content-Type": ["application/json"], **headers}
    project.cassette("test_audio", "test_task", [record])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    return result, project.read_json("cost.json")["tests"]["test_audio.py::test_task"]


def test_a_whisper_transcription_is_billed_by_its_seconds(project: AgentProject) -> None:
    # The answer's usage of type "duration": 9.6 s billed as 10 at $0.36 an hour = $0.001.
    answer = {"text": "Hello.", "usage": {"type": "duration", "seconds": 9.6}}
    _, test = _run(project, "transcribe('whisper-1')", answer)
    ((call,),) = [test["calls"]]
    assert (call["kind"], call["provider"], call["endpoint"], call["model"]) == (
        "llm",
        "openai",
        "openai.audio",
        "whisper-1",
    )
    assert (call["units"], call["cost_usd"], test["llm_calls"]) == ({"audio_seconds": 10}, "0.0010000000", 1)


def test_a_verbose_json_answer_without_usage_is_billed_by_its_duration(project: AgentProject) -> None:
    answer = {"task": "transcribe", "language": "english", "duration": 61.4, "text": "Hello.", "segments": []}
    _, test = _run(project, "transcribe('whisper-1', 'verbose_json')", answer)
    assert (test["calls"][0]["units"], test["cost_usd"]) == ({"audio_seconds": 61}, "0.0061000000")


#: A gpt-4o-transcribe answer's usage: 14 audio tokens in, 45 out.
TRANSCRIBE_USAGE = {
    "type": "tokens",
    "input_tokens": 14,
    "input_token_details": {"text_tokens": 0, "audio_tokens": 14},
    "output_tokens": 45,
    "total_tokens": 59,
}


def test_a_token_billed_transcription_prices_its_audio_tokens_apart(project: AgentProject) -> None:
    # gpt-4o-transcribe: $6 / M audio input tokens, $10 / M output: 14 x 6 + 45 x 10 = 534 / 1e6.
    _, test = _run(project, "transcribe('gpt-4o-transcribe')", {"text": "Hello.", "usage": TRANSCRIBE_USAGE})
    assert (test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (14, 45, "0.0005340000")


def test_a_streamed_transcription_reads_the_usage_of_its_done_event(project: AgentProject) -> None:
    usage = {"type": "tokens", "input_tokens": 14, "output_tokens": 45, "total_tokens": 59}
    events = [
        {"type": "transcript.text.delta", "delta": "Hel"},
        {"type": "transcript.text.delta", "delta": "lo."},
        {"type": "transcript.text.done", "text": "Hello.", "usage": usage},
    ]
    stream = "".join(f"data: {json.dumps(e)}\n\n" for e in events)
    _, test = _run(project, "transcribe('gpt-4o-transcribe')", stream, **{"Content-Type": ["text/event-stream"]})
    # No audio tokens named: all 14 at the text input rate, $2.5 / M: 14 x 2.5 + 45 x 10 = 485 / 1e6.
    assert (test["calls"][0]["streamed"], test["cost_usd"]) == (True, "0.0004850000")


def test_a_transcription_that_records_neither_usage_nor_duration_is_unpriced_not_free(project: AgentProject) -> None:
    # As a real whisper-1 cassette of 2023 (superduper-io/superduper): the json format's text only.
    result, test = _run(project, "transcribe('whisper-1')", {"text": "We, the people of the United States."})
    assert (test["llm_calls"], test["tool_http_calls"], test["cost_usd"]) == (1, 0, None)
    assert test["calls"][0]["estimated"] is False
    result.stdout.fnmatch_lines(
        [
            "*openai.audio response from api.openai.com: the answer gives neither its token usage nor the audio's "
            "duration*; the call is unpriced*"
        ]
    )
    assert "no price for model" not in result.stdout.str()


def test_speech_is_billed_by_the_characters_of_its_input(project: AgentProject) -> None:
    # tts-1: $15 / M characters; "Hello there!" is 12: $0.00018.
    _, test = _run(project, "speak('tts-1', 'Hello there!')", b"ID3\x03\x00audio", url=SPEECH)
    ((call,),) = [test["calls"]]
    assert (call["endpoint"], call["units"], call["cost_usd"]) == (
        "openai.speech",
        {"input_characters": 12},
        "0.0001800000",
    )


def test_speech_of_a_model_billed_by_audio_tokens_is_unpriced_and_says_why(project: AgentProject) -> None:
    result, test = _run(project, "speak('gpt-4o-mini-tts', 'Hello there!')", b"ID3\x03\x00audio", url=SPEECH)
    assert (test["llm_calls"], test["cost_usd"]) == (1, None)
    result.stdout.fnmatch_lines(
        [
            "*openai.speech response from api.openai.com: openai:gpt-4o-mini-tts is priced by *input_tokens*"
            "output_tokens*, and the call counts input_characters; the call is unpriced*"
        ]
    )


def test_a_clip_shorter_than_half_a_second_is_billed_a_second_not_free(project: AgentProject) -> None:
    # Review 32: 0.4 s rounded to 0 read as a billed call at exactly $0.
    answer = {"task": "transcribe", "language": "english", "duration": 0.4, "text": "Hi.", "segments": []}
    _, test = _run(project, "transcribe('whisper-1', 'verbose_json')", answer)
    assert (test["calls"][0]["units"], test["cost_usd"]) == ({"audio_seconds": 1}, "0.0001000000")


def test_a_speech_stream_is_priced_by_the_token_usage_its_last_event_gives(project: AgentProject) -> None:
    # gpt-4o-mini-tts with stream_format "sse": speech.audio.done carries the usage.
    # $0.60 / M text in, $12 / M audio out: 12 x 0.6 + 200 x 12 = 2,407.2 / 1e6.
    events = [
        {"type": "speech.audio.delta", "audio": "SUQz"},
        {"type": "speech.audio.done", "usage": {"input_tokens": 12, "output_tokens": 200, "total_tokens": 212}},
    ]
    stream = "".join(f"data: {json.dumps(e)}\n\n" for e in events)
    _, test = _run(
        project,
        "speak('gpt-4o-mini-tts', 'Hello there!')",
        stream,
        url=SPEECH,
        **{"Content-Type": ["text/event-stream"]},
    )
    assert (test["input_tokens"], test["output_tokens"], test["cost_usd"]) == (12, 200, "0.0024072000")


# Chat Completions with audio in or out: OpenAI bills audio tokens at rates of their own, above
# text's (sweep 24: a real gpt-4o-audio-preview answer, 2 audio tokens of 21 in, priced as text
# and shown exact at 2.2 times under its bill, because genai-prices has no audio rate for it).
def _audio_chat_answer(model: str, prompt: int, audio_in: int, completion: int, audio_out: int) -> dict[str, Any]:
    return {
        "id": "chatcmpl-D5caSDR31gOd1Qpyucf0b5VvVy9zY",
        "object": "chat.completion",
        "created": 1770232340,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello", "refusal": None, "annotations": []},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": audio_in, "text_tokens": prompt - audio_in},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": audio_out,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
                "text_tokens": completion - audio_out,
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_f7b75513aa",
    }


CHAT_REQUEST = {
    "model": "gpt-4o-audio-preview",
    "modalities": ["text", "audio"],
    "messages": [{"role": "user", "content": "Say hello."}],
}


CHAT = "https://api.openai.com/v1/chat/completions"


def _chat(project: AgentProject, answer: Any, *args: str, **headers: list[str]) -> tuple[Any, Any]:
    project.pytester.makepyfile(test_audio=one_post_module(CHAT, CHAT_REQUEST))
    body = answer if isinstance(answer, str) else json.dumps(answer)
    # The request as recorded: the lean reader reads the call (one that differs goes the general way).
    record = interaction(CHAT, body, request_body=json.dumps(CHAT_REQUEST), headers=headers or None)
    project.cassette("test_audio", "test_task", [record])
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json", *args)
    assert result.ret == 0, result.stdout.str()
    return result, project.read_json("cost.json")["tests"]["test_audio.py::test_task"]


def test_audio_tokens_a_price_has_no_audio_rate_for_leave_the_call_unpriced(project: AgentProject) -> None:
    answer = _audio_chat_answer("gpt-4o-audio-preview-2025-06-03", 21, 2, 1, 0)
    result, test = _chat(project, answer)
    ((call,),) = [test["calls"]]
    # Tokens kept; the cost unpriced, not 21 x 2.5 + 1 x 10 = $0.0000625 shown as exact.
    assert (call["input_tokens"], call["output_tokens"], call["cost_usd"], test["cost_usd"]) == (21, 1, None, None)
    assert call["estimated"] is False
    result.stdout.fnmatch_lines(
        [
            "*openai.chat response from api.openai.com: openai:gpt-4o-audio-preview-2025-06-03 counts 2 "
            "input_audio_tokens, billed at audio rates above text's, and genai-prices has no audio rate for it; "
            "the call is unpriced rather than priced as text (a pytest_agentcost_price_call hook can price it)"
        ]
    )


def test_audio_out_of_a_streamed_answer_is_read_and_left_unpriced_too(project: AgentProject) -> None:
    usage = _audio_chat_answer("gpt-4o-mini-audio-preview-2024-12-17", 12, 0, 40, 33)["usage"]
    chunks = [
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "model": "gpt-4o-mini-audio-preview-2024-12-17",
            "choices": [{"index": 0, "delta": {"role": "assistant", "audio": {"id": "audio_1", "transcript": "Hi"}}}],
            "usage": None,
        },
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "model": "gpt-4o-mini-audio-preview-2024-12-17",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": None,
        },
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "model": "gpt-4o-mini-audio-preview-2024-12-17",
            "choices": [],
            "usage": usage,
        },
    ]
    stream = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    result, test = _chat(project, stream, **{"Content-Type": ["text/event-stream"]})
    ((call,),) = [test["calls"]]
    assert (call["streamed"], call["output_tokens"], call["cost_usd"]) == (True, 40, None)
    result.stdout.fnmatch_lines(["*counts 33 output_audio_tokens, billed at audio rates above text's*"])


def test_audio_tokens_are_priced_at_the_audio_rates_a_price_has(project: AgentProject) -> None:
    # gpt-audio: text $2.5 in / $10 out, audio $32 in / $64 out per million.
    # 19 x 2.5 + 2 x 32 + 5 x 10 + 25 x 64 = 47.5 + 64 + 50 + 1600 = 1761.5 / 1e6
    _, test = _chat(project, _audio_chat_answer("gpt-audio-2025-08-28", 21, 2, 30, 25))
    ((call,),) = [test["calls"]]
    assert (call["cost_usd"], call["units"]) == (
        "0.0017615000",
        {"input_audio_tokens": 2, "output_audio_tokens": 25},
    )


def test_a_chat_answer_with_no_audio_tokens_is_priced_as_before(project: AgentProject) -> None:
    # 21 x 2.5 + 1 x 10 = 62.5 / 1e6: the audio model heard text only.
    _, test = _chat(project, _audio_chat_answer("gpt-4o-audio-preview-2025-06-03", 21, 0, 1, 0))
    assert test["cost_usd"] == "0.0000625000"


def test_a_price_file_entry_does_not_price_audio_tokens_as_text(project: AgentProject) -> None:
    project.pytester.path.joinpath("prices.toml").write_text(
        '[models."gpt-4o-audio-preview-2025-06-03"]\ninput = "2.50"\noutput = "10.00"\n'
    )
    answer = _audio_chat_answer("gpt-4o-audio-preview-2025-06-03", 21, 2, 1, 0)
    result, test = _chat(project, answer, "-o", "agent_cost_prices=prices.toml")
    assert test["cost_usd"] is None
    result.stdout.fnmatch_lines(
        [
            "*counts 2 input_audio_tokens, billed at audio rates above text's, and its price "
            "file entry prices tokens alike; the call is unpriced*"
        ]
    )


PRICE_HOOK = """
from decimal import Decimal


def pytest_agentcost_price_call(call):
    # OpenAI's page: text $2.50 in, audio $40 in, text $10 out per million.
    u = call.usage
    audio = dict(u.units).get("input_audio_tokens", 0)
    return ((u.input_tokens - audio) * Decimal("2.5") + audio * 40 + u.output_tokens * 10) / 1_000_000
"""


def test_a_price_hook_prices_audio_tokens(project: AgentProject) -> None:
    project.pytester.makeconftest(PRICE_HOOK)
    result, test = _chat(project, _audio_chat_answer("gpt-4o-audio-preview-2025-06-03", 21, 2, 1, 0))
    # 19 x 2.5 + 2 x 40 + 1 x 10 = 137.5 / 1e6
    assert test["cost_usd"] == "0.0001375000"
    assert "billed at audio rates" not in result.stdout.str()


def test_a_stale_audio_call_has_no_estimate_priced_as_text(project: AgentProject) -> None:
    # Review 47: the call was unpriced, but its "if re-recorded" estimate priced its tokens as text.
    request = dict(CHAT_REQUEST, messages=[{"role": "user", "content": "Say hello and much more." * 50}])
    project.pytester.makepyfile(test_audio=one_post_module(CHAT, request))
    answer = _audio_chat_answer("gpt-4o-audio-preview-2025-06-03", 21, 2, 1, 0)
    project.cassette(
        "test_audio", "test_task", [interaction(CHAT, json.dumps(answer), request_body=json.dumps(CHAT_REQUEST))]
    )
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json")
    assert result.ret == 0, result.stdout.str()
    data = project.read_json("cost.json")
    assert (
        data["tests"]["test_audio.py::test_task"]["stale"],
        data["tests"]["test_audio.py::test_task"]["cost_usd"],
    ) == (
        True,
        None,
    )
    assert data["comparison"]["tests"]["test_audio.py::test_task"]["estimated_now_usd"] is None


def test_a_price_file_entry_still_prices_a_token_billed_transcription(project: AgentProject) -> None:
    # Review 47: a transcription's price is its audio rate, a price file's too (an Azure
    # transcription deployment, say): not audio left out. 14 x 6 + 45 x 10 = 534 / 1e6.
    project.pytester.path.joinpath("prices.toml").write_text(
        '[models."gpt-4o-transcribe"]\ninput = "6"\noutput = "10"\n'
    )
    project.ini("agent_cost_prices = prices.toml\n")
    result, test = _run(project, "transcribe('gpt-4o-transcribe')", {"text": "Hello.", "usage": TRANSCRIBE_USAGE})
    assert test["cost_usd"] == "0.0005340000", result.stdout.str()
    assert "audio rates" not in result.stdout.str()


def test_a_price_hook_reads_the_audio_tokens_of_a_model_no_price_source_knows(project: AgentProject) -> None:
    # Review 48: only the counts a known price left out were kept in units: for a model no price
    # source knows, the hook saw none and priced the audio as text.
    project.pytester.makeconftest(PRICE_HOOK)
    _, test = _chat(project, _audio_chat_answer("gpt-9o-audio-unknown", 21, 2, 1, 0))
    # 19 x 2.5 + 2 x 40 + 1 x 10 = 137.5 / 1e6
    assert (test["calls"][0]["units"], test["cost_usd"]) == ({"input_audio_tokens": 2}, "0.0001375000")
