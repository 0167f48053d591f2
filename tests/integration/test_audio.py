"""OpenAI's audio endpoints (and the hosts that serve them): speech to text billed by the audio's
seconds or by tokens, text to speech by characters; never a free tool call, never a silent $0
(sweep 12: a whisper-1 transcription read as a $0 tool call)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import AgentProject, interaction

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


def test_a_token_billed_transcription_prices_its_audio_tokens_apart(project: AgentProject) -> None:
    # gpt-4o-transcribe: $6 / M audio input tokens, $10 / M output: 14 x 6 + 45 x 10 = 534 / 1e6.
    usage = {
        "type": "tokens",
        "input_tokens": 14,
        "input_token_details": {"text_tokens": 0, "audio_tokens": 14},
        "output_tokens": 45,
        "total_tokens": 59,
    }
    _, test = _run(project, "transcribe('gpt-4o-transcribe')", {"text": "Hello.", "usage": usage})
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
