"""Property tests: loaders and extractors raise only the plugin's own errors, and
never produce negative or non-finite money."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pytest_agentcost.baseline import baseline_from_dict
from pytest_agentcost.errors import AgentCostError
from pytest_agentcost.interaction import Interaction
from pytest_agentcost.models import TOKEN_KINDS
from pytest_agentcost.pricing import Pricer
from pytest_agentcost.report import run_from_dict
from pytest_agentcost.usage import extract

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["0.0021000000", "-1", "NaN", "Infinity", "1e999", "0", "12.5"]),
)
json_value = st.recursive(
    json_leaf,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=25,
)
entry = st.fixed_dictionaries(
    {},
    optional={
        "cost_usd": json_value,
        "llm_calls": json_value,
        "tool_calls": json_value,
        "input_tokens": json_value,
        "output_tokens": json_value,
        "units": json_value | st.dictionaries(st.sampled_from(["web_searches", "cache_write_1h_tokens"]), json_value),
        "by_model": st.dictionaries(
            st.text(max_size=8),
            st.dictionaries(st.sampled_from(["calls", "cost_usd", "units", *TOKEN_KINDS]), json_value, max_size=4),
            max_size=3,
        ),
        "estimated": json_value,
        "tool_cost_usd": json_value,
        "tool_hosts": json_value
        | st.dictionaries(st.text(max_size=8), st.dictionaries(st.sampled_from(["calls", "cost_usd"]), json_value)),
        "estimated_part": json_value | st.dictionaries(st.sampled_from(["calls", *TOKEN_KINDS]), json_value),
    },
)
baseline_doc = st.one_of(
    json_value,
    st.fixed_dictionaries(
        {
            "schema_version": st.one_of(st.just(1), json_value),
            "tests": st.dictionaries(st.text(max_size=10), entry, max_size=4),
        },
        optional={"kind": json_value, "price_source": json_value},
    ),
)


def _money_ok(value: Decimal | None) -> bool:
    return value is None or (value.is_finite() and value >= 0)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baseline_doc)
def test_baseline_loader_raises_only_baseline_errors(doc: Any) -> None:
    try:
        baseline = baseline_from_dict(doc, "b.json")
    except AgentCostError:
        return
    for e in baseline.tests.values():
        assert _money_ok(e.cost_usd)
        assert _money_ok(e.tool_cost_usd)
        assert all(getattr(e.usage, k) >= 0 for k in TOKEN_KINDS)
        assert all(type(count) is int and count >= 0 for _, count in e.usage.units)
        assert all(_money_ok(m.cost_usd) for m in e.by_model.values())
        assert all(_money_ok(h.cost_usd) and h.calls >= 0 for h in e.tool_hosts.values())
        part = e.estimated_part
        assert part is None or (part.calls >= 0 and all(getattr(part.usage, k) >= 0 for k in TOKEN_KINDS))


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "schema_version": st.just(1),
            "kind": st.just("pytest-agentcost-run"),
            "tests": st.dictionaries(
                st.text(max_size=8), st.dictionaries(st.text(max_size=8), json_value, max_size=4), max_size=3
            ),
        }
    )
)
@example({"schema_version": 1, "kind": "pytest-agentcost-run", "tests": {"": {"calls": [None]}}})
@example({"schema_version": 1, "kind": "pytest-agentcost-run", "tests": {"": {"calls": "abc"}}})
def test_run_loader_raises_only_plugin_errors(doc: Any) -> None:
    try:
        run = run_from_dict(doc, "run.json")
    except AgentCostError:
        return
    for t in run.tests.values():
        assert _money_ok(t.cost_usd)


usage_obj = st.dictionaries(
    st.sampled_from(
        [
            "prompt_tokens",
            "completion_tokens",
            "total_tokens",
            "input_tokens",
            "output_tokens",
            "prompt_tokens_details",
            "cached_tokens",
            "cache_read_input_tokens",
        ]
    ),
    json_value,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(
    usage_obj,
    st.sampled_from(["gpt-4o-mini", "claude-sonnet-4-6", "no-such-model", ""]),
    st.sampled_from(["/v1/chat/completions", "/v1/messages", "/v1/responses"]),
)
def test_extracted_usage_prices_to_sane_money(usage: Any, model: str, path: str) -> None:
    host = "api.anthropic.com" if path == "/v1/messages" else "api.openai.com"
    body = json.dumps({"model": model, "usage": usage, "choices": [], "content": []}).encode()
    found = extract(Interaction("POST", f"https://{host}{path}", {}, b"{}", 200, {}, body))
    assert found is not None
    if found.billed:
        assert _money_ok(Pricer().price(found.provider, found.model, found.usage))


@settings(max_examples=300, deadline=None)
@given(
    json_value
    | st.dictionaries(
        st.sampled_from(["total_cost", "request_cost", "input_tokens_cost"]),
        st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 5) | json_value,
    ),
    st.integers(-(10**12), 10**12) | json_value,
    st.integers(-2, 10) | json_value,
    st.sampled_from(["https://api.perplexity.ai/chat/completions", "https://api.x.ai/v1/chat/completions"]),
)
def test_a_stated_cost_is_sane_money_or_none_and_never_a_parser_bug(
    cost: Any, ticks: Any, tools: Any, url: str
) -> None:
    usage = {
        "prompt_tokens": 9,
        "completion_tokens": 59,
        "cost": cost,
        "search_context_size": tools,
        "cost_in_usd_ticks": ticks,
        "num_server_side_tools_used": tools,
    }
    body = json.dumps({"model": "sonar", "usage": usage, "choices": []}).encode()
    found = extract(Interaction("POST", url, {}, b"{}", 200, {}, body))
    assert found is not None
    assert not any("please report it" in w for w in found.warnings)
    assert found.stated_cost is None or _money_ok(found.stated_cost)


gemini_item = st.one_of(
    json_value,
    st.fixed_dictionaries(
        {},
        optional={
            "response": json_value
            | st.fixed_dictionaries(
                {},
                optional={
                    "usageMetadata": json_value
                    | st.dictionaries(
                        st.sampled_from(["promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount"]), json_value
                    ),
                    "modelVersion": json_value,
                    "candidates": json_value,
                    "embedding": json_value,
                },
            ),
            "error": json_value,
            "key": json_value,
        },
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(gemini_item, max_size=4), st.booleans(), st.booleans())
def test_a_gemini_batchs_results_never_make_a_parser_bug_or_insane_money(
    items: list[Any], as_file: bool, in_metadata: bool
) -> None:
    host = "https://generativelanguage.googleapis.com"
    if as_file:
        url = f"{host}/download/v1beta/files/batch-b1:download?alt=media"
        body = "".join(json.dumps(item) + "\n" for item in items)
    else:
        url = f"{host}/v1beta/batches/b1"
        output = {"inlinedResponses": {"inlinedResponses": items}}
        holder = {"metadata": {"output": output}} if in_metadata else {"response": output}
        body = json.dumps({"name": "batches/b1", "done": True, **holder})
    found = extract(Interaction("GET", url, {}, None, 200, {}, body.encode()))
    if found is None:
        return
    assert not any("please report it" in w for w in found.warnings)
    if found.billed and found.model:
        assert _money_ok(Pricer().price(found.provider, found.model, found.usage, found.price_context))
