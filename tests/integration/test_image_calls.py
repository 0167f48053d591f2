"""Image generation billed per image: DALL-E's Images API answers (generations, edits,
variations) and Imagen's ``:predict`` carry no usage. Each is an LLM call left unpriced with a
warning, never a free tool call, and never priced per token from an estimate of its prompt: a
price file naming the model (which the run's advice once suggested) prices tokens, about 40,000
times below a $0.04 image. A ``pytest_agentcost_price_call`` hook prices it. With and without
xdist. Found by sweep 21 (a real Imagen 3 cassette from wandb/weave)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import POST_MODULE, AgentProject, interaction

DALLE = "https://api.openai.com/v1/images/generations"
VARIATIONS = "https://api.openai.com/v1/images/variations"
IMAGEN = "https://generativelanguage.googleapis.com/v1beta/models/imagen-3.0-generate-002:predict"
GPT_IMAGE = "https://api.openai.com/v1/images/generations"

MODULE = (
    POST_MODULE
    + """

def post_form(url, form):
    content_type = "multipart/form-data; boundary=BOUNDARY"
    req = urllib.request.Request(url, data=form.encode(), headers={"Content-Type": content_type})
    with urllib.request.urlopen(req) as resp:
        return resp.read()


@pytest.mark.vcr
def test_task():
    for url, body in CALLS:
        post_form(url, body) if isinstance(body, str) else post(url, body)
"""
)

DALLE_REQUEST = {"prompt": "A cute baby sea otter", "model": "dall-e-3", "n": 1, "size": "1024x1024"}
# OpenAI's API reference: a DALL-E answer lists the images, and no usage.
DALLE_ANSWER = {
    "created": 1750785126,
    "data": [{"revised_prompt": "A cute baby sea otter floating on its back.", "url": "https://img.example/1.png"}],
}
IMAGEN_REQUEST = {"instances": [{"prompt": "A lighthouse at dusk"}], "parameters": {"sampleCount": 2}}
IMAGEN_ANSWER = {
    "predictions": [
        {"mimeType": "image/png", "bytesBase64Encoded": "iVBORw0KGgo="},
        {"mimeType": "image/png", "bytesBase64Encoded": "iVBORw0KGgo="},
    ]
}
# The multipart form the openai SDK sends to /images/variations (its image part shortened).
BOUNDARY = "a6f4d1c2b3"
VARIATION_FORM = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="model"\r\n\r\ndall-e-2\r\n'
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="n"\r\n\r\n2\r\n'
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="otter.png"\r\n'
    f"Content-Type: image/png\r\n\r\nPNG\r\n--{BOUNDARY}--\r\n"
)
VARIATION_ANSWER = {
    "created": 1750785200,
    "data": [{"url": "https://img.example/2.png"}, {"url": "https://img.example/3.png"}],
}


def _run(project: AgentProject, calls: list[tuple[str, Any, Any]], *args: str) -> tuple[Any, dict[str, Any]]:
    listed = ", ".join(f"({url!r}, {body!r})" for url, body, _ in calls)
    project.pytester.makepyfile(test_agent=MODULE.replace("CALLS", f"[{listed}]").replace("BOUNDARY", BOUNDARY))
    records = []
    for url, body, answer in calls:
        if isinstance(body, str):  # a multipart form, as recorded
            record = interaction(url, json.dumps(answer), request_body=body)
            record["request"]["headers"] = {"Content-Type": [f"multipart/form-data; boundary={BOUNDARY}"]}
        else:
            record = interaction(url, json.dumps(answer), request_body=json.dumps(body))
        records.append(record)
    project.cassette("test_agent", "test_task", records)
    result = project.run("--agent-cost", "--agent-cost-json", "cost.json", *args)
    return result, project.read_json("cost.json")["tests"]["test_agent.py::test_task"]


ALL = [
    (DALLE, DALLE_REQUEST, DALLE_ANSWER),
    (VARIATIONS, VARIATION_FORM, VARIATION_ANSWER),
    (IMAGEN, IMAGEN_REQUEST, IMAGEN_ANSWER),
]


def test_dalle_and_imagen_calls_are_unpriced_llm_calls_with_no_tokens(project: AgentProject) -> None:
    result, test = _run(project, ALL)
    assert result.ret == 0, result.stdout.str()
    assert (test["llm_calls"], test["http_calls"], test["cost_usd"], test["estimated"]) == (3, 3, None, False)
    seen = [(c["provider"], c["endpoint"], c["model"], c["billed"], c["cost_usd"]) for c in test["calls"]]
    assert seen == [
        ("openai", "openai.images", "dall-e-3", True, None),
        ("openai", "openai.images", "dall-e-2", True, None),
        ("google", "gemini.predict", "imagen-3.0-generate-002", True, None),
    ]
    assert all(c["input_tokens"] == 0 == c["output_tokens"] for c in test["calls"])
    out = result.stdout.str()
    assert "the Images API answer holds 1 image and no usage: it is billed per image" in out
    assert "the Images API answer holds 2 images and no usage" in out
    assert "the Imagen answer holds 2 images and no usage" in out
    # Not the run's price-file advice: a price file prices tokens, and these calls count none.
    assert "no price for model" not in out


def test_a_price_file_naming_the_model_does_not_price_images_per_token(project: AgentProject) -> None:
    project.pytester.path.joinpath("prices.toml").write_text(
        '[models."dall-e-3"]\ninput = "0.10"\noutput = "0.40"\n\n'
        '[models."imagen-3.0-generate-002"]\ninput = "0.10"\noutput = "0.40"\n'
    )
    picked = [ALL[0], ALL[2]]
    result, test = _run(project, picked, "-o", "agent_cost_prices=prices.toml")
    assert result.ret == 0, result.stdout.str()
    assert test["cost_usd"] is None
    assert [c["cost_usd"] for c in test["calls"]] == [None, None]
    assert "a price file, which prices tokens, cannot price" in result.stdout.str()


def test_a_price_hook_prices_images_and_gpt_image_keeps_its_token_usage(project: AgentProject) -> None:
    project.pytester.makeconftest(
        """
from decimal import Decimal


def pytest_agentcost_price_call(call):
    if call.model == "dall-e-3":
        return Decimal("0.04")  # one standard 1024x1024 image
    return None
"""
    )
    gpt_image_request = {"model": "gpt-image-1", "prompt": "A cute baby sea otter"}
    gpt_image_answer = {
        "created": 1713833628,
        "data": [{"b64_json": "iVBORw0KGgo="}],
        "usage": {
            "total_tokens": 100,
            "input_tokens": 50,
            "output_tokens": 50,
            "input_tokens_details": {"text_tokens": 50, "image_tokens": 0},
        },
    }
    result, test = _run(project, [ALL[0], (GPT_IMAGE, gpt_image_request, gpt_image_answer)])
    assert result.ret == 0, result.stdout.str()
    dalle, gpt_image = test["calls"]
    assert dalle["cost_usd"] == "0.0400000000"
    # The hook priced the image itself: no token estimate of the prompt stands beside it.
    assert (dalle["estimated"], dalle["input_tokens"], dalle["output_tokens"]) == (False, 0, 0)
    # gpt-image-1 answers count tokens: text in $5, image out $40 per million.
    # 50 x 5 + 50 x 40 = 2250 / 1e6
    assert (gpt_image["model"], gpt_image["input_tokens"], gpt_image["cost_usd"]) == (
        "gpt-image-1",
        50,
        "0.0022500000",
    )
    assert test["cost_usd"] == "0.0422500000"
