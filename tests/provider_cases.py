"""The provider corpus: one cassette per provider/variant, with what pytest-agentcost must report.

Each case names a cassette in ``tests/data/cassettes`` (written by
``tests/data/cassettes/_generate.py`` in each provider's real wire format), the
requests a test under replay sends (``requests``: method, url, body, read from
the cassette so they always match), and the expected extraction:

* ``provider``, ``endpoint``, ``model``: as :func:`pytest_agentcost.usage.extract` reports them;
* token counts as genai-prices counts them: ``input_tokens`` *includes* cache reads
  and writes (Anthropic's and Bedrock's uncached count is added up by the
  genai-prices extractor), ``output_tokens`` includes reasoning;
* ``input_tokens``/``output_tokens`` are ``None`` for an estimated case;
* ``price_context``: the service tier the response reports, as the genai-prices price
  context it is priced in (``{}``, the default, for the standard tier);
* ``llm_calls``: billed LLM calls in the cassette (background polls bill once
  per response id, error and non-LLM interactions are not calls);
* ``expected_cost_usd``: a Decimal string, worked out by hand below from the
  model's published per-million-token prices (the prices genai-prices holds on
  2026-11-01), and checked against ``genai_prices.calc_price`` by
  ``tests/unit/test_usage.py``. ``None`` when the usage is estimated: the
  count depends on the tokenizer available, so the case gives the exact texts
  counted instead (``estimate_input_text`` / ``estimate_output_text``).

Price notation: ``in/cached/write/out`` in USD per million tokens; ``uncached``
input is ``input_tokens - cache_read - cache_write``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CASSETTES = Path(__file__).parent / "data" / "cassettes"


def _requests(cassette: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((CASSETTES / cassette).read_text())
    return [
        {
            "method": item["request"]["method"],
            "url": item["request"]["uri"],
            "body": item["request"]["body"],
        }
        for item in data["interactions"]
    ]


def _case(
    id: str,
    *,
    provider: str | None,
    endpoint: str,
    model: str,
    input_tokens: int | None,
    output_tokens: int | None,
    expected_cost_usd: str | None,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    reasoning_tokens: int = 0,
    tool_calls: int = 0,
    billed: bool = True,
    estimated: bool = False,
    streamed: bool = False,
    llm_calls: int = 1,
    price_context: dict[str, str] | None = None,
    units: dict[str, int] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    cassette = f"{id}.yaml"
    return {
        "id": id,
        "cassette": cassette,
        "requests": _requests(cassette),
        "provider": provider,
        "endpoint": endpoint,
        "model": model,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_read_tokens": cache_read_tokens,
        "cache_write_tokens": cache_write_tokens,
        "reasoning_tokens": reasoning_tokens,
        "tool_calls": tool_calls,
        "billed": billed,
        "estimated": estimated,
        "streamed": streamed,
        "llm_calls": llm_calls,
        "expected_cost_usd": expected_cost_usd,
        "price_context": price_context or {},
        "units": units or {},
        **extra,
    }


CASES: list[dict[str, Any]] = [
    # gpt-4o: in 2.50 / cached 1.25 / out 10.
    # uncached 1200-1024=176 x 2.50 = 440 ; cached 1024 x 1.25 = 1280 ; out 45 x 10 = 450
    # (440 + 1280 + 450) / 1e6 = 0.00217
    _case(
        "openai_chat_cached_tools",
        provider="openai",
        endpoint="openai.chat",
        model="gpt-4o-2024-08-06",
        input_tokens=1200,
        cache_read_tokens=1024,
        output_tokens=45,
        tool_calls=2,
        expected_cost_usd="0.00217",
    ),
    # o4-mini: in 1.10 / out 4.40 ; body gzip-encoded.
    # in 85 x 1.10 = 93.5 ; out 610 x 4.40 = 2684 -> 2777.5 / 1e6 = 0.0027775
    _case(
        "openai_chat_reasoning_gzip",
        provider="openai",
        endpoint="openai.chat",
        model="o4-mini-2025-04-16",
        input_tokens=85,
        output_tokens=610,
        reasoning_tokens=448,
        expected_cost_usd="0.0027775",
    ),
    # gpt-4o-mini: in 0.15 / out 0.60. Final usage chunk (stream_options.include_usage).
    # 19 x 0.15 = 2.85 ; 8 x 0.60 = 4.8 -> 7.65 / 1e6 = 0.00000765
    _case(
        "openai_chat_stream_usage",
        provider="openai",
        endpoint="openai.chat",
        model="gpt-4o-mini-2024-07-18",
        input_tokens=19,
        output_tokens=8,
        streamed=True,
        expected_cost_usd="0.00000765",
    ),
    # No usage chunk: estimated with tokens.count_text over these exact texts.
    _case(
        "openai_chat_stream_no_usage",
        provider="openai",
        endpoint="openai.chat",
        model="gpt-4o-mini-2024-07-18",
        input_tokens=None,
        output_tokens=None,
        streamed=True,
        estimated=True,
        expected_cost_usd=None,
        estimate_input_text="What is the capital of France?",
        estimate_output_text="The capital of France is Paris.",
    ),
    # gpt-4.1: in 2 / out 8. One function_call output item.
    # 320 x 2 = 640 ; 38 x 8 = 304 -> 944 / 1e6 = 0.000944
    _case(
        "openai_responses_tool",
        provider="openai",
        endpoint="openai.responses",
        model="gpt-4.1-2025-04-14",
        input_tokens=320,
        output_tokens=38,
        tool_calls=1,
        expected_cost_usd="0.000944",
    ),
    # gpt-5-mini: in 0.25 / cached 0.025 / out 2. Usage from response.completed.
    # uncached 1540-1280=260 x 0.25 = 65 ; cached 1280 x 0.025 = 32 ; out 212 x 2 = 424
    # (65 + 32 + 424) / 1e6 = 0.000521
    _case(
        "openai_responses_stream",
        provider="openai",
        endpoint="openai.responses",
        model="gpt-5-mini-2025-08-07",
        input_tokens=1540,
        cache_read_tokens=1280,
        output_tokens=212,
        reasoning_tokens=192,
        streamed=True,
        expected_cost_usd="0.000521",
    ),
    # response.incomplete (max_output_tokens) whose usage is all zeros although 16 tokens were
    # written: not a count, so estimated with tokens.count_text over these exact texts.
    _case(
        "openai_responses_stream_incomplete_zero_usage",
        provider="openai",
        endpoint="openai.responses",
        model="gpt-4o-2024-08-06",
        input_tokens=None,
        output_tokens=None,
        streamed=True,
        estimated=True,
        expected_cost_usd=None,
        estimate_input_text="Give me a multi paragraph narrative on the life of a car",
        estimate_output_text="In the bustling city of Detroit, a sleek, metallic blue sedan rolled off the",
    ),
    # Anthropic's legacy Text Completions (POST /v1/complete), streamed: no answer states usage,
    # so estimated over these exact texts (the prompt; the completion's pieces). claude-2.1 is
    # priced in genai-prices at 8 / 24.
    _case(
        "anthropic_complete_stream",
        provider="anthropic",
        endpoint="anthropic.complete",
        model="claude-2.1",
        input_tokens=None,
        output_tokens=None,
        streamed=True,
        estimated=True,
        expected_cost_usd=None,
        estimate_input_text="\n\nHuman: Say 'Hi i'm Claude' then stop.\n\nAssistant:",
        estimate_output_text=" Hi i'm",
    ),
    # POST /v1/responses/compact: billed, its model from the request. gpt-5.1: in 1.25 / cached
    # 0.125 / out 10. uncached 48210-40960=7250 x 1.25 = 9062.5 ; cached 40960 x 0.125 = 5120 ;
    # out 1388 x 10 = 13880 -> 28062.5 / 1e6 = 0.0280625
    _case(
        "openai_responses_compact",
        provider="openai",
        endpoint="openai.responses",
        model="gpt-5.1",
        input_tokens=48210,
        cache_read_tokens=40960,
        output_tokens=1388,
        reasoning_tokens=512,
        tool_calls=0,
        expected_cost_usd="0.0280625",
    ),
    # Background mode: POST (queued, not billed), GET poll in_progress (not billed), two GET polls
    # completed with the same response id: billed once. o4-mini: in 1.10 / out 4.40.
    # 2400 x 1.10 = 2640 ; 5100 x 4.40 = 22440 -> 25080 / 1e6 = 0.02508
    _case(
        "openai_responses_background",
        provider="openai",
        endpoint="openai.responses",
        model="o4-mini-2025-04-16",
        input_tokens=2400,
        output_tokens=5100,
        reasoning_tokens=4480,
        expected_cost_usd="0.02508",
        response_id="resp_68ab12cd34ef5678901234567890abcd",
    ),
    # text-embedding-3-small: in 0.02 ; body brotli-encoded. 8 x 0.02 = 0.16 / 1e6 = 0.00000016
    _case(
        "openai_embeddings_br",
        provider="openai",
        endpoint="openai.embeddings",
        model="text-embedding-3-small",
        input_tokens=8,
        output_tokens=0,
        expected_cost_usd="0.00000016",
    ),
    # claude-sonnet-4-5: in 3 / cache read 0.30 / cache write (5m) 3.75 / out 15.
    # input_tokens = 12 uncached + 1800 read + 248 written = 2060
    # 12 x 3 = 36 ; 1800 x 0.30 = 540 ; 248 x 3.75 = 930 ; 350 x 15 = 5250 -> 6756 / 1e6 = 0.006756
    _case(
        "anthropic_messages_cache_tool",
        provider="anthropic",
        endpoint="anthropic.messages",
        model="claude-sonnet-4-5-20250929",
        input_tokens=2060,
        cache_read_tokens=1800,
        cache_write_tokens=248,
        output_tokens=350,
        tool_calls=1,
        expected_cost_usd="0.006756",
    ),
    # Both cache lifetimes. claude-sonnet-4-5: in 3 / write 5m 3.75 / write 1h 6 / out 15.
    # input_tokens = 20 uncached + 3000 written (1000 for 5 minutes, 2000 for an hour) = 3020
    # 20 x 3 = 60 ; 1000 x 3.75 = 3750 ; 2000 x 6 = 12000 ; 100 x 15 = 1500 -> 17310 / 1e6 = 0.01731
    # The one-hour writes are a unit the price depends on beyond the token kinds.
    _case(
        "anthropic_messages_cache_1h",
        provider="anthropic",
        endpoint="anthropic.messages",
        model="claude-sonnet-4-5-20250929",
        input_tokens=3020,
        cache_write_tokens=3000,
        output_tokens=100,
        expected_cost_usd="0.01731",
        units={"cache_write_1h_tokens": 2000},
    ),
    # Web search: final message_delta's cumulative input 10682 (message_start said 2679).
    # claude-sonnet-4-5: 10682 x 3 = 32046 ; 510 x 15 = 7650 -> 0.039696 ; plus 1 search at
    # $10 / 1000 searches = 0.01 -> 0.049696
    _case(
        "anthropic_stream_server_tools",
        provider="anthropic",
        endpoint="anthropic.messages",
        model="claude-sonnet-4-5-20250929",
        input_tokens=10682,
        output_tokens=510,
        streamed=True,
        expected_cost_usd="0.049696",
        units={"web_searches": 1},
    ),
    # 200 stream ending in `event: error` (overloaded_error): not billed.
    _case(
        "anthropic_stream_error",
        provider="anthropic",
        endpoint="anthropic.messages",
        model="claude-haiku-4-5-20251001",
        input_tokens=0,
        output_tokens=0,
        billed=False,
        streamed=True,
        llm_calls=0,
        expected_cost_usd="0",
    ),
    # gemini-2.5-flash: in 0.30 / out 2.50 ; output = candidates 15 + thoughts 90 = 105.
    # 58 x 0.30 = 17.4 ; 105 x 2.50 = 262.5 -> 279.9 / 1e6 = 0.0002799
    _case(
        "gemini_generate_content_tool",
        provider="google",
        endpoint="gemini.generate_content",
        model="gemini-2.5-flash",
        input_tokens=58,
        output_tokens=105,
        reasoning_tokens=90,
        tool_calls=1,
        expected_cost_usd="0.0002799",
    ),
    # Vertex AI URL. gemini-2.0-flash: in 0.10 / out 0.40.
    # 13 x 0.10 = 1.3 ; 8 x 0.40 = 3.2 -> 4.5 / 1e6 = 0.0000045
    _case(
        "gemini_vertex_generate_content",
        provider="google",
        endpoint="gemini.generate_content",
        model="gemini-2.0-flash",
        input_tokens=13,
        output_tokens=8,
        expected_cost_usd="0.0000045",
    ),
    # Vertex's enum-encoding=int (the vertexai SDK): modalities and finishReason are numbers.
    # gemini-1.5-flash-002: in 0.075 / out 0.30. 72 x 0.075 = 5.4 ; 16 x 0.30 = 4.8 -> 10.2 / 1e6
    _case(
        "gemini_vertex_stream_enum_int",
        provider="google",
        endpoint="gemini.generate_content",
        model="gemini-1.5-flash-002",
        input_tokens=72,
        output_tokens=16,
        tool_calls=2,
        streamed=True,
        expected_cost_usd="0.0000102",
    ),
    # alt=sse: the last chunk's usageMetadata. gemini-2.5-flash: output = 8 + 16 thoughts = 24.
    # 15 x 0.30 = 4.5 ; 24 x 2.50 = 60 -> 64.5 / 1e6 = 0.0000645
    _case(
        "gemini_stream_sse",
        provider="google",
        endpoint="gemini.generate_content",
        model="gemini-2.5-flash",
        input_tokens=15,
        output_tokens=24,
        reasoning_tokens=16,
        streamed=True,
        expected_cost_usd="0.0000645",
    ),
    # Same stream without alt=sse: one gzip-encoded JSON array of chunks. Same arithmetic.
    _case(
        "gemini_stream_array_gzip",
        provider="google",
        endpoint="gemini.generate_content",
        model="gemini-2.5-flash",
        input_tokens=15,
        output_tokens=24,
        reasoning_tokens=16,
        streamed=True,
        expected_cost_usd="0.0000645",
    ),
    # Azure deployment "gpt-4o-prod" serving gpt-4o-2024-11-20: in 2.50 / cached 1.25 / out 10.
    # uncached 2100-1920=180 x 2.50 = 450 ; 1920 x 1.25 = 2400 ; 12 x 10 = 120 -> 2970 / 1e6 = 0.00297
    _case(
        "azure_openai_chat",
        provider="azure",
        endpoint="openai.chat",
        model="gpt-4o-2024-11-20",
        input_tokens=2100,
        cache_read_tokens=1920,
        output_tokens=12,
        expected_cost_usd="0.00297",
    ),
    # Bedrock Converse, US cross-region profile of claude-sonnet-4-5 (regional price, +10%):
    # in 3.30 / cache read 0.33 / out 16.50. inputTokens 420 excludes the 2000 cache reads.
    # 420 x 3.30 = 1386 ; 2000 x 0.33 = 660 ; 96 x 16.50 = 1584 -> 3630 / 1e6 = 0.00363
    _case(
        "bedrock_converse_tool",
        provider="aws",
        endpoint="bedrock.converse",
        model="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        input_tokens=2420,
        cache_read_tokens=2000,
        output_tokens=96,
        tool_calls=1,
        expected_cost_usd="0.00363",
    ),
    # converse-stream event-stream frames; usage in the `metadata` event.
    # amazon.nova-micro: in 0.035 / out 0.14. 13 x 0.035 = 0.455 ; 82 x 0.14 = 11.48
    # -> 11.935 / 1e6 = 0.000011935
    _case(
        "bedrock_converse_stream",
        provider="aws",
        endpoint="bedrock.converse",
        model="amazon.nova-micro-v1:0",
        input_tokens=13,
        output_tokens=82,
        streamed=True,
        expected_cost_usd="0.000011935",
    ),
    # Gemini batchEmbedContents: vectors only, so the input is estimated from the request's texts
    # (joined by newlines; the task type is not text).
    _case(
        "gemini_batch_embed",
        provider="google",
        endpoint="gemini.embeddings",
        model="gemini-embedding-001",
        input_tokens=None,
        output_tokens=None,
        estimated=True,
        expected_cost_usd=None,
        estimate_input_text="Paris is the capital of France.\nBerlin is the capital of Germany.",
        estimate_output_text="",
    ),
    # embedContent with usageMetadata: exact. gemini-embedding-001: in 0.15.
    # 8 x 0.15 = 1.2 / 1e6 = 0.0000012
    _case(
        "gemini_embed_usage",
        provider="google",
        endpoint="gemini.embeddings",
        model="gemini-embedding-001",
        input_tokens=8,
        output_tokens=0,
        expected_cost_usd="0.0000012",
    ),
    # A tuned model on Vertex (endpoints/{id}:generateContent) is billed at its base model's rates,
    # the answer's modelVersion. gemini-2.5-flash: in 0.30 / out 2.50; output = 30 + 120 thoughts.
    # 18 x 0.30 = 5.4 ; 150 x 2.50 = 375 -> 380.4 / 1e6 = 0.0003804
    _case(
        "gemini_vertex_tuned_endpoint",
        provider="google",
        endpoint="gemini.generate_content",
        model="gemini-2.5-flash",
        input_tokens=18,
        output_tokens=150,
        reasoning_tokens=120,
        expected_cost_usd="0.0003804",
    ),
    # Vertex :predict for an embedding model: each input's statistics.token_count.
    # gemini-embedding-001: in 0.15. 9 x 0.15 = 1.35 / 1e6 = 0.00000135
    _case(
        "gemini_vertex_predict_embeddings",
        provider="google",
        endpoint="gemini.predict",
        model="gemini-embedding-001",
        input_tokens=9,
        output_tokens=0,
        expected_cost_usd="0.00000135",
    ),
    # InvokeModel with a Claude body. The model is the URL's id, which AWS bills, not the body's
    # claude-3-5-haiku-20241022. claude-3-5-haiku on Bedrock: in 0.80 / out 4.
    # 30 x 0.80 = 24 ; 265 x 4 = 1060 -> 1084 / 1e6 = 0.001084
    _case(
        "bedrock_invoke_claude",
        provider="aws",
        endpoint="bedrock.invoke",
        model="anthropic.claude-3-5-haiku-20241022-v1:0",
        input_tokens=30,
        output_tokens=265,
        expected_cost_usd="0.001084",
    ),
    # invoke-with-response-stream: base64 Anthropic events inside event-stream `chunk` frames.
    # 30 x 0.80 = 24 ; 120 x 4 = 480 -> 504 / 1e6 = 0.000504
    _case(
        "bedrock_invoke_stream_claude",
        provider="aws",
        endpoint="bedrock.invoke",
        model="anthropic.claude-3-5-haiku-20241022-v1:0",
        input_tokens=30,
        output_tokens=120,
        streamed=True,
        expected_cost_usd="0.000504",
    ),
    # InvokeModel through the global cross-region profile, addressed by its ARN. The body says
    # claude-sonnet-4-5-20250929, which alone would be priced at the regional rate (in 3.30 / out
    # 16.50); the global profile costs in 3.00 / out 15.00, and the account id is dropped.
    # 1200 x 3 = 3600 ; 300 x 15 = 4500 -> 8100 / 1e6 = 0.0081
    _case(
        "bedrock_invoke_global_arn",
        provider="aws",
        endpoint="bedrock.invoke",
        model="global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        input_tokens=1200,
        output_tokens=300,
        expected_cost_usd="0.0081",
    ),
    # Titan embeddings: usage only in x-amzn-bedrock-input-token-count. in 0.02.
    # 7 x 0.02 = 0.14 / 1e6 = 0.00000014
    _case(
        "bedrock_embeddings_titan",
        provider="aws",
        endpoint="bedrock.embeddings",
        model="amazon.titan-embed-text-v2:0",
        input_tokens=7,
        output_tokens=0,
        expected_cost_usd="0.00000014",
    ),
    # Groq (/openai/v1): llama-3.3-70b-versatile in 0.59 / out 0.79.
    # 42 x 0.59 = 24.78 ; 12 x 0.79 = 9.48 -> 34.26 / 1e6 = 0.00003426
    _case(
        "groq_chat",
        provider="groq",
        endpoint="openai.chat",
        model="llama-3.3-70b-versatile",
        input_tokens=42,
        output_tokens=12,
        expected_cost_usd="0.00003426",
    ),
    # An OpenRouter answer recorded under api.openai.com: the body (gen- id, provider field,
    # is_byok) names OpenRouter. openai/gpt-4o-mini via OpenRouter: in 0.15 / out 0.60.
    # 29 x 0.15 = 4.35 ; 33 x 0.60 = 19.8 -> 24.15 / 1e6 = 0.00002415 (OpenRouter's own cost field agrees)
    _case(
        "openrouter_under_openai_host",
        provider="openrouter",
        endpoint="openai.chat",
        model="openai/gpt-4o-mini",
        input_tokens=29,
        output_tokens=33,
        expected_cost_usd="0.00002415",
    ),
    # Mistral, with `content-encoding: gzip` on a body stored decoded. in 0.15 / out 0.60.
    # 10 x 0.15 = 1.5 ; 14 x 0.60 = 8.4 -> 9.9 / 1e6 = 0.0000099
    _case(
        "mistral_chat_mislabelled_gzip",
        provider="mistral",
        endpoint="openai.chat",
        model="mistral-small-latest",
        input_tokens=10,
        output_tokens=14,
        expected_cost_usd="0.0000099",
    ),
    # deepseek-chat at its list rate (genai-prices' 00:30-16:30 UTC window; the off-peak rest of
    # the day is half): in 0.27 / cache hit 0.07 / out 1.10.
    # uncached 1300-1024=276 x 0.27 = 74.52 ; 1024 x 0.07 = 71.68 ; 200 x 1.10 = 220
    # -> 366.2 / 1e6 = 0.0003662
    _case(
        "deepseek_chat",
        provider="deepseek",
        endpoint="openai.chat",
        model="deepseek-chat",
        input_tokens=1300,
        cache_read_tokens=1024,
        output_tokens=200,
        expected_cost_usd="0.0003662",
    ),
    # Together (no genai-prices extractor: read with the OpenAI chat shape).
    # Llama-3.3-70B-Instruct-Turbo: in 0.88 / out 0.88. (40 + 10) x 0.88 = 44 / 1e6 = 0.000044
    _case(
        "together_chat",
        provider="together",
        endpoint="openai.chat",
        model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
        input_tokens=40,
        output_tokens=10,
        expected_cost_usd="0.000044",
    ),
    # Fireworks (/inference/v1): llama-v3p1-8b-instruct in 0.20 / out 0.20.
    # (18 + 7) x 0.20 = 5 / 1e6 = 0.000005
    _case(
        "fireworks_chat",
        provider="fireworks",
        endpoint="openai.chat",
        model="accounts/fireworks/models/llama-v3p1-8b-instruct",
        input_tokens=18,
        output_tokens=7,
        expected_cost_usd="0.000005",
    ),
    # xAI reports reasoning outside completion_tokens; genai-prices' x-ai chat extractor adds it:
    # output = 10 + 300 = 310. grok-3-mini: in 0.30 / out 0.50.
    # 30 x 0.30 = 9 ; 310 x 0.50 = 155 -> 164 / 1e6 = 0.000164
    _case(
        "xai_chat_reasoning",
        provider="x-ai",
        endpoint="openai.chat",
        model="grok-3-mini",
        input_tokens=30,
        output_tokens=310,
        reasoning_tokens=300,
        expected_cost_usd="0.000164",
    ),
    # A local proxy: no provider (the pricer finds OpenAI from the model). gpt-4o-mini.
    # 14 x 0.15 = 2.1 ; 7 x 0.60 = 4.2 -> 6.3 / 1e6 = 0.0000063
    _case(
        "localhost_proxy_chat",
        provider=None,
        endpoint="openai.chat",
        model="gpt-4o-mini-2024-07-18",
        input_tokens=14,
        output_tokens=7,
        expected_cost_usd="0.0000063",
    ),
    # Nova answers InvokeModel in Converse's shape (a toolUse block); usage from the headers.
    # amazon.nova-micro: in 0.035 / out 0.14. 408 x 0.035 = 14.28 ; 54 x 0.14 = 7.56 -> 21.84 / 1e6
    _case(
        "bedrock_invoke_nova_tool",
        provider="aws",
        endpoint="bedrock.invoke",
        model="amazon.nova-micro-v1:0",
        input_tokens=408,
        output_tokens=54,
        tool_calls=1,
        expected_cost_usd="0.00002184",
    ),
    # Nova's stream: Converse's events in base64 chunks, the last with the invocation metrics.
    # 420 x 0.035 = 14.7 ; 60 x 0.14 = 8.4 -> 23.1 / 1e6 = 0.0000231
    _case(
        "bedrock_invoke_stream_nova_tool",
        provider="aws",
        endpoint="bedrock.invoke",
        model="amazon.nova-micro-v1:0",
        input_tokens=420,
        output_tokens=60,
        tool_calls=1,
        streamed=True,
        expected_cost_usd="0.0000231",
    ),
    # gpt-oss on Bedrock answers InvokeModel as Chat Completions: two tool_calls.
    # openai.gpt-oss-120b: in 0.15 / out 0.60. 300 x 0.15 = 45 ; 80 x 0.6 = 48 -> 93 / 1e6
    _case(
        "bedrock_invoke_openai_tool",
        provider="aws",
        endpoint="bedrock.invoke",
        model="openai.gpt-oss-120b-1:0",
        input_tokens=300,
        output_tokens=80,
        tool_calls=2,
        expected_cost_usd="0.000093",
    ),
    # A guardrail blocked the prompt of an InvokeModel stream: the model never ran, so no model
    # tokens are billed (the chunk's Titan-style counts are the guardrail's canned answer).
    _case(
        "bedrock_invoke_stream_guardrail_blocked",
        provider="aws",
        endpoint="bedrock.invoke",
        model="amazon.titan-text-express-v1",
        input_tokens=0,
        output_tokens=0,
        billed=False,
        streamed=True,
        llm_calls=0,
        expected_cost_usd="0",
    ),
    # HTTP 429: not billed.
    _case(
        "openai_error_429",
        provider="openai",
        endpoint="openai.chat",
        model="gpt-4o-mini",
        input_tokens=0,
        output_tokens=0,
        billed=False,
        llm_calls=0,
        expected_cost_usd="0",
    ),
    # A tool's own HTTP call (weather API, with a "usage" key of its own) next to one LLM call:
    # only the LLM call counts. gpt-4o-mini: 140 x 0.15 = 21 ; 11 x 0.60 = 6.6 -> 27.6 / 1e6
    _case(
        "openai_with_tool_http",
        provider="openai",
        endpoint="openai.chat",
        model="gpt-4o-mini-2024-07-18",
        input_tokens=140,
        output_tokens=11,
        expected_cost_usd="0.0000276",
    ),
    # ---- Service tiers: priced at the tier's own rates (genai-prices' price variants), which the
    # response reports. The standard-rate figure is given too: a reader that ignored the tier
    # would report it.
    # o4-mini, service_tier "flex": in 0.55 / cached 0.138 / out 2.20 (standard 1.10 / 0.275 / 4.40).
    # uncached 2000-1024=976 x 0.55 = 536.8 ; cached 1024 x 0.138 = 141.312 ; out 1500 x 2.20 = 3300
    # -> 3978.112 / 1e6 = 0.003978112   (standard: 1073.6 + 281.6 + 6600 = 7955.2 -> 0.0079552)
    _case(
        "openai_chat_flex",
        provider="openai",
        endpoint="openai.chat",
        model="o4-mini-2025-04-16",
        input_tokens=2000,
        cache_read_tokens=1024,
        output_tokens=1500,
        reasoning_tokens=1024,
        expected_cost_usd="0.003978112",
        price_context={"service_tier": "flex"},
    ),
    # o4-mini stream, every chunk "service_tier": "priority": in 2 / cached 0.50 / out 8.
    # 3000 x 2 = 6000 ; 800 x 8 = 6400 -> 12400 / 1e6 = 0.0124   (standard: 3300 + 3520 -> 0.00682)
    _case(
        "openai_chat_stream_priority",
        provider="openai",
        endpoint="openai.chat",
        model="o4-mini-2025-04-16",
        input_tokens=3000,
        output_tokens=800,
        reasoning_tokens=512,
        streamed=True,
        expected_cost_usd="0.0124",
        price_context={"service_tier": "priority"},
    ),
    # gpt-5-mini Responses stream: response.created says "auto" (as asked), response.completed
    # "flex" (as served). flex: in 0.125 / cached 0.0125 / out 1 (standard 0.25 / 0.025 / 2).
    # uncached 4000-2048=1952 x 0.125 = 244 ; cached 2048 x 0.0125 = 25.6 ; out 900 x 1 = 900
    # -> 1169.6 / 1e6 = 0.0011696   (standard: 488 + 51.2 + 1800 -> 0.0023392)
    _case(
        "openai_responses_stream_flex",
        provider="openai",
        endpoint="openai.responses",
        model="gpt-5-mini-2025-08-07",
        input_tokens=4000,
        cache_read_tokens=2048,
        output_tokens=900,
        reasoning_tokens=640,
        streamed=True,
        expected_cost_usd="0.0011696",
        price_context={"service_tier": "flex"},
    ),
    # claude-opus-4-8 in fast mode (usage.speed "fast"; usage.service_tier "standard" selects
    # nothing): in 10 / cache read 1 / cache write (5m) 12.50 / out 50 (standard 5 / 0.50 / 6.25 / 25).
    # input_tokens = 1500 uncached + 4000 read + 500 written = 6000
    # 1500 x 10 = 15000 ; 4000 x 1 = 4000 ; 500 x 12.5 = 6250 ; 700 x 50 = 35000 -> 60250 / 1e6 = 0.06025
    # (standard: 7500 + 2000 + 3125 + 17500 = 30125 -> 0.030125)
    _case(
        "anthropic_messages_fast",
        provider="anthropic",
        endpoint="anthropic.messages",
        model="claude-opus-4-8",
        input_tokens=6000,
        cache_read_tokens=4000,
        cache_write_tokens=500,
        output_tokens=700,
        expected_cost_usd="0.06025",
        price_context={"speed": "fast"},
    ),
    # gemini-3.8-flash-tts, usageMetadata.serviceTier "flex": in 0.25 / out 4.50 (standard 0.50 / 9).
    # 120 x 0.25 = 30 ; 2400 x 4.5 = 10800 -> 10830 / 1e6 = 0.01083   (standard: 60 + 21600 -> 0.02166)
    _case(
        "gemini_generate_content_flex",
        provider="google",
        endpoint="gemini.generate_content",
        model="gemini-3.8-flash-tts",
        input_tokens=120,
        output_tokens=2400,
        expected_cost_usd="0.01083",
        price_context={"service_tier": "flex"},
    ),
    # Bedrock Converse through a gateway on localhost: the host names no provider, the
    # /model/{id}/converse path does. amazon.nova-micro-v1:0 in 0.035 / out 0.14.
    # 7 x 0.035 = 0.245 ; 90 x 0.14 = 12.6 -> 12.845 / 1e6 = 0.000012845
    _case(
        "bedrock_converse_gateway",
        provider="aws",
        endpoint="bedrock.converse",
        model="amazon.nova-micro-v1:0",
        input_tokens=7,
        output_tokens=90,
        expected_cost_usd="0.000012845",
    ),
    # OpenAI legacy Completions: the answer names "davinci:2023-07-21-v2", which no price list has;
    # the request's davinci-002 is what OpenAI bills. davinci-002 in 2 / out 2.
    # 13 x 2 = 26 ; 32 x 2 = 64 -> 90 / 1e6 = 0.00009
    _case(
        "openai_completions_davinci",
        provider="openai",
        endpoint="openai.completions",
        model="davinci-002",
        input_tokens=13,
        output_tokens=32,
        expected_cost_usd="0.00009",
    ),
    # Cohere v2 Chat: usage.billed_units (37 in / 19 out), not usage.tokens (the prompt as the model
    # saw it); the model comes from the request. command-r7b-12-2024 in 0.0375 / out 0.15.
    # 37 x 0.0375 = 1.3875 ; 19 x 0.15 = 2.85 -> 4.2375 / 1e6 = 0.0000042375
    _case(
        "cohere_chat_tool",
        provider="cohere",
        endpoint="cohere.chat",
        model="command-r7b-12-2024",
        input_tokens=37,
        output_tokens=19,
        tool_calls=1,
        expected_cost_usd="0.0000042375",
    ),
    # The v2 stream: the usage is in message-end's delta. 13 x 0.0375 = 0.4875 ; 7 x 0.15 = 1.05
    # -> 1.5375 / 1e6 = 0.0000015375
    _case(
        "cohere_chat_stream",
        provider="cohere",
        endpoint="cohere.chat",
        model="command-r7b-12-2024",
        input_tokens=13,
        output_tokens=7,
        streamed=True,
        expected_cost_usd="0.0000015375",
    ),
    # Cohere v1 Chat: meta.billed_units (41 in / 23 out), not meta.tokens; the model comes from the
    # request. command-r-08-2024 in 0.15 / out 0.60.
    # 41 x 0.15 = 6.15 ; 23 x 0.60 = 13.8 -> 19.95 / 1e6 = 0.00001995
    _case(
        "cohere_v1_chat_tool",
        provider="cohere",
        endpoint="cohere.chat",
        model="command-r-08-2024",
        input_tokens=41,
        output_tokens=23,
        tool_calls=1,
        expected_cost_usd="0.00001995",
    ),
    # The v1 stream (JSON lines): the usage is in stream-end's response.meta.billed_units.
    # 9 x 0.15 = 1.35 ; 3 x 0.60 = 1.8 -> 3.15 / 1e6 = 0.00000315
    _case(
        "cohere_v1_chat_stream",
        provider="cohere",
        endpoint="cohere.chat",
        model="command-r-08-2024",
        input_tokens=9,
        output_tokens=3,
        streamed=True,
        expected_cost_usd="0.00000315",
    ),
    # Cohere Embed v2: meta.billed_units.input_tokens, the model from the request. embed-v4.0 in 0.12.
    # 11 x 0.12 = 1.32 / 1e6 = 0.00000132
    _case(
        "cohere_embed",
        provider="cohere",
        endpoint="cohere.embed",
        model="embed-v4.0",
        input_tokens=11,
        output_tokens=0,
        expected_cost_usd="0.00000132",
    ),
    # Images API, gpt-image-1: the model comes from the request. in (text) 5 / out 40.
    # 21 x 5 = 105 ; 196 x 40 = 7840 -> 7945 / 1e6 = 0.007945
    _case(
        "openai_images_generation",
        provider="openai",
        endpoint="openai.images",
        model="gpt-image-1",
        input_tokens=21,
        output_tokens=196,
        expected_cost_usd="0.007945",
    ),
    # Hosted web search in the Responses API: the web_search_call output item is billed per call
    # (the usage object counts only tokens). gpt-4o: in 2.50 / out 10, web searches $10 / 1000.
    # 319 x 2.50 = 797.5 ; 56 x 10 = 560 -> 1357.5 / 1e6 = 0.0013575 ; plus 1 search = 0.01
    # -> 0.0113575
    _case(
        "openai_responses_web_search",
        provider="openai",
        endpoint="openai.responses",
        model="gpt-4o-2024-08-06",
        input_tokens=319,
        output_tokens=56,
        expected_cost_usd="0.0113575",
        units={"web_searches": 1},
    ),
    # A Code Interpreter run: OpenAI bills its container beside the tokens, and genai-prices has
    # no price for it, so the call is unpriced (with a warning), not priced at its tokens alone.
    _case(
        "openai_responses_code_interpreter",
        provider="openai",
        endpoint="openai.responses",
        model="gpt-4.1-2025-04-14",
        input_tokens=1210,
        output_tokens=96,
        expected_cost_usd=None,
        units={"code_executions": 1},
        unpriced_because="has no price for its 1 code_executions in genai-prices; the call is unpriced",
    ),
    # The image generation tool drew an image: OpenAI bills it at GPT Image rates beside the
    # tokens, and the answer does not count it, so the call is unpriced, its tokens kept.
    _case(
        "openai_responses_image_generation",
        provider="openai",
        endpoint="openai.responses",
        model="gpt-5-2025-08-07",
        input_tokens=2347,
        output_tokens=74,
        expected_cost_usd=None,
        unpriced_because="its image generation tool made 1 image (image_generation_call)",
    ),
    # A Chat Completions search model searched before it answered, billed per call; genai-prices
    # prices gpt-4o-search-preview's tokens only, so the call is unpriced, not priced low.
    _case(
        "openai_chat_search_preview",
        provider="openai",
        endpoint="openai.chat",
        model="gpt-4o-search-preview-2025-03-11",
        input_tokens=8,
        output_tokens=211,
        expected_cost_usd=None,
        units={"web_searches": 1},
        unpriced_because="has no price for its 1 web_searches in genai-prices; the call is unpriced",
    ),
    # Gemini Interactions API: usage counts total_*_tokens, output leaves thoughts out (as
    # candidatesTokenCount does). gemini-2.5-flash: in 0.30 / audio in 1.00 / cached 0.03 / out 2.50.
    # text 1200 x 0.30 = 360 ; audio 300 x 1.00 = 300 ; out (40 + 120 thoughts) 160 x 2.50 = 400
    # -> 1060 / 1e6 = 0.00106
    _case(
        "gemini_interactions_tool",
        provider="google",
        endpoint="gemini.interactions",
        model="gemini-2.5-flash",
        input_tokens=1500,
        output_tokens=160,
        reasoning_tokens=120,
        tool_calls=1,
        expected_cost_usd="0.00106",
        units={"input_audio_tokens": 300},
    ),
    # The stream's interaction.complete event: uncached 1100 - 1024 = 76 x 0.30 = 22.8 ;
    # cached 1024 x 0.03 = 30.72 ; out (30 + 50 thoughts) 80 x 2.50 = 200 -> 253.52 / 1e6 = 0.00025352
    _case(
        "gemini_interactions_stream",
        provider="google",
        endpoint="gemini.interactions",
        model="gemini-2.5-flash",
        input_tokens=1100,
        cache_read_tokens=1024,
        output_tokens=80,
        reasoning_tokens=50,
        streamed=True,
        expected_cost_usd="0.00025352",
    ),
    # Audio over a cached text context: the cache breakdown names TEXT only, so no audio was read
    # from the cache. gemini-2.5-flash: in 0.30 / audio in 1.00 / cached 0.03 / out 2.50.
    # uncached text 1200 - 1024 = 176 x 0.30 = 52.8 ; audio 300 x 1.00 = 300 ; cached 1024 x 0.03
    # = 30.72 ; out 10 x 2.50 = 25 -> 408.52 / 1e6 = 0.00040852
    _case(
        "gemini_generate_content_audio_cache",
        provider="google",
        endpoint="gemini.generate_content",
        model="gemini-2.5-flash",
        input_tokens=1500,
        cache_read_tokens=1024,
        output_tokens=10,
        expected_cost_usd="0.00040852",
        units={"cache_audio_read_tokens": 0, "input_audio_tokens": 300},
    ),
]
