"""Measure the wall-time and peak-memory overhead of ``--agent-cost`` on a replayed agent suite.

Not a pytest test (the name does not match ``test_*.py``): run it as a script, see README.md.

For each N it generates, in a temporary directory, N tests marked ``@pytest.mark.vcr``. Each test
makes ten LLM calls with urllib against https URLs (OpenAI chat JSON, OpenAI chat SSE stream with a
usage chunk, Anthropic messages, Gemini generateContent) that pytest-recording replays from the
test's own cassette (record mode ``none``, so nothing touches the network). It then runs, as
subprocesses, pytest-recording alone and the same plus ``--agent-cost --agent-cost-json``,
alternating and repeating, and reports the median wall time and peak RSS of each.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TESTS_PER_MODULE = 50

OPENAI_URL = "https://api.openai.com/v1/chat/completions"
ANTHROPIC_URL = "https://api.anthropic.com/v1/messages"
GEMINI_URL = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"

# The ten calls each test makes, in order. Mixed providers and one streaming shape.
CALL_PLAN = ("openai", "openai_stream", "anthropic", "gemini") * 2 + ("openai", "anthropic")

# The generated test module. Request bodies are built exactly as the cassette records them so the
# stale-cassette check sees matching bodies (the common, cheap path).
MODULE_HEADER = """
import json
import ssl
import urllib.request

import pytest

# One shared TLS context, as a real client keeps: urllib otherwise builds one per request and
# loading the CA bundle (~45 ms) would dwarf everything being measured.
_TLS = ssl.create_default_context()

OPENAI_URL = "{openai}"
ANTHROPIC_URL = "{anthropic}"
GEMINI_URL = "{gemini}"


def _post(url, body, headers):
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(req, context=_TLS) as resp:
        return resp.read()


def openai(prompt):
    body = json.dumps({{"model": "gpt-4o-mini", "messages": [{{"role": "user", "content": prompt}}]}})
    return json.loads(_post(OPENAI_URL, body, {{"Content-Type": "application/json"}}))


def openai_stream(prompt):
    body = json.dumps(
        {{
            "model": "gpt-4o-mini",
            "messages": [{{"role": "user", "content": prompt}}],
            "stream": True,
            "stream_options": {{"include_usage": True}},
        }}
    )
    raw = _post(OPENAI_URL, body, {{"Content-Type": "application/json"}}).decode()
    return [line for line in raw.splitlines() if line.startswith("data: ")]


def anthropic(prompt):
    messages = [{{"role": "user", "content": prompt}}]
    body = json.dumps({{"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": messages}})
    headers = {{"Content-Type": "application/json", "anthropic-version": "2023-06-01"}}
    return json.loads(_post(ANTHROPIC_URL, body, headers))


def gemini(prompt):
    body = json.dumps({{"contents": [{{"role": "user", "parts": [{{"text": prompt}}]}}]}})
    return json.loads(_post(GEMINI_URL, body, {{"Content-Type": "application/json"}}))
"""

# The same calls made the way agents make them: through the OpenAI and Anthropic SDK clients (one
# client per module, as an application keeps). Gemini stays on urllib: its SDK is not a dependency.
SDK_FUNCTIONS = """
import json
import ssl
import urllib.request

import anthropic
import openai

_TLS = ssl.create_default_context()
_OPENAI = openai.OpenAI(api_key="sk-bench-not-a-key", max_retries=0)
_ANTHROPIC = anthropic.Anthropic(api_key="sk-ant-bench-not-a-key", max_retries=0)

GEMINI_URL = "{gemini}"


def openai(prompt):
    return _OPENAI.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": prompt}}])


def openai_stream(prompt):
    stream = _OPENAI.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{{"role": "user", "content": prompt}}],
        stream=True,
        stream_options={{"include_usage": True}},
    )
    return list(stream)


def anthropic(prompt):
    return _ANTHROPIC.messages.create(
        model="claude-sonnet-4-5", max_tokens=1024, messages=[{{"role": "user", "content": prompt}}]
    )


def gemini(prompt):
    body = json.dumps({{"contents": [{{"role": "user", "parts": [{{"text": prompt}}]}}]}})
    req = urllib.request.Request(
        GEMINI_URL, data=body.encode(), headers={{"Content-Type": "application/json"}}, method="POST"
    )
    with urllib.request.urlopen(req, context=_TLS) as resp:
        return json.loads(resp.read())
"""

MODULE_HEADER_SDK = (
    """
import pytest
"""
    + SDK_FUNCTIONS
)

#: Marks where the prompt goes in a captured SDK request body.
PROMPT_MARK = "@@PROMPT@@"


def sdk_request_templates() -> dict[str, str]:
    """The exact request body each SDK call sends, with PROMPT_MARK where the prompt goes.

    Captured through vcrpy itself (its before_record_request hook sees the request before
    replay fails on an empty cassette), so recorded bodies equal what the SDK sends and the
    stale-cassette check takes its common, cheap path, as with cassettes recorded by the SDK.
    """
    import vcr

    captured: dict[str, str] = {}
    namespace: dict[str, Any] = {}
    exec(SDK_FUNCTIONS.format(gemini=GEMINI_URL), namespace)  # our own source, above

    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("openai", "openai_stream", "anthropic"):

            def capture(request: Any, kind: str = kind) -> Any:
                body = request.body
                captured[kind] = body.decode("utf-8") if isinstance(body, bytes) else str(body)
                return request

            recorder = vcr.VCR(before_record_request=capture, record_mode="none")
            # The empty cassette cannot answer and the SDK raises; the body is captured by then.
            with recorder.use_cassette(os.path.join(tmp, f"{kind}.yaml")), contextlib.suppress(Exception):
                namespace[kind](PROMPT_MARK)
    missing = {"openai", "openai_stream", "anthropic"} - set(captured)
    if missing:
        raise SystemExit(f"could not capture the SDK request bodies of {sorted(missing)}")
    return captured


TEST_TEMPLATE = """

@pytest.mark.vcr
def test_agent_{index}():
    results = []
    for step, call in enumerate(({calls})):
        results.append(call(f"task {index} step {{step}}"))
    assert len(results) == {ncalls}
"""


def request_body(kind: str, prompt: str) -> str:
    """The request body the generated test sends for one call (identical json.dumps)."""
    messages = [{"role": "user", "content": prompt}]
    if kind == "openai":
        return json.dumps({"model": "gpt-4o-mini", "messages": messages})
    if kind == "openai_stream":
        return json.dumps(
            {
                "model": "gpt-4o-mini",
                "messages": messages,
                "stream": True,
                "stream_options": {"include_usage": True},
            }
        )
    if kind == "anthropic":
        return json.dumps({"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": messages})
    if kind == "gemini":
        return json.dumps({"contents": [{"role": "user", "parts": [{"text": prompt}]}]})
    raise ValueError(kind)


def response(kind: str, prompt_tokens: int, completion_tokens: int) -> tuple[str, str]:
    """(body, content-type) of a provider response; shapes copied from tests/data/cassettes."""
    total = prompt_tokens + completion_tokens
    if kind == "openai":
        body = {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 1734567000,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "ok", "refusal": None},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": total,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            },
        }
        return json.dumps(body), "application/json"
    if kind == "openai_stream":
        base: dict[str, Any] = {
            "id": "chatcmpl-benchstream",
            "object": "chat.completion.chunk",
            "created": 1734567000,
            "model": "gpt-4o-mini-2024-07-18",
            "system_fingerprint": "fp_0aa8d3e20b",
        }
        deltas: list[tuple[dict[str, Any], Any]] = [({"role": "assistant", "content": ""}, None)]
        deltas += [({"content": word}, None) for word in ("The", " capital", " is", " Paris", ".")]
        deltas.append(({}, "stop"))
        chunks = [
            {
                **base,
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
                "usage": None,
            }
            for delta, finish in deltas
        ]
        chunks.append(
            {
                **base,
                "choices": [],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": total,
                    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
                },
            }
        )
        lines = [f"data: {json.dumps(chunk, separators=(',', ':'))}\n\n" for chunk in chunks]
        return "".join(lines) + "data: [DONE]\n\n", "text/event-stream; charset=utf-8"
    if kind == "anthropic":
        body = {
            "id": "msg_bench",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5-20250929",
            "content": [{"type": "text", "text": "ok"}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {
                "input_tokens": prompt_tokens,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "output_tokens": completion_tokens,
                "service_tier": "standard",
            },
        }
        return json.dumps(body), "application/json"
    if kind == "gemini":
        body = {
            "candidates": [
                {
                    "content": {"parts": [{"text": "ok"}], "role": "model"},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": prompt_tokens,
                "candidatesTokenCount": completion_tokens,
                "totalTokenCount": total,
            },
            "modelVersion": "gemini-2.5-flash",
            "responseId": "bench",
        }
        return json.dumps(body, indent=2), "application/json; charset=UTF-8"
    raise ValueError(kind)


def provider_url(kind: str) -> str:
    """The https URL a call kind posts to."""
    return {"openai": OPENAI_URL, "openai_stream": OPENAI_URL, "anthropic": ANTHROPIC_URL}.get(kind, GEMINI_URL)


def cassette(index: int, templates: dict[str, str] | None = None) -> dict[str, Any]:
    """The cassette of test ``index``: its ten interactions in call order.

    ``templates`` (SDK mode) gives the request body each SDK call sends; else urllib's bodies.
    """
    interactions = []
    for step, kind in enumerate(CALL_PLAN):
        # Vary token counts per test and step so the report is not one repeated number.
        prompt_tokens = 100 + (index * 7 + step * 13) % 900
        completion_tokens = 20 + (index * 3 + step * 5) % 300
        body, content_type = response(kind, prompt_tokens, completion_tokens)
        headers = {"content-type": ["application/json"]}
        if kind == "anthropic":
            headers["anthropic-version"] = ["2023-06-01"]
        interactions.append(
            {
                "request": {
                    "body": (
                        templates[kind].replace(PROMPT_MARK, f"task {index} step {step}")
                        if templates is not None and kind in templates
                        else request_body(kind, f"task {index} step {step}")
                    ),
                    "headers": headers,
                    "method": "POST",
                    "uri": provider_url(kind),
                },
                "response": {
                    "body": {"string": body},
                    "headers": {"content-type": [content_type]},
                    "status": {"code": 200, "message": "OK"},
                },
            }
        )
    return {"interactions": interactions, "version": 1}


def generate_suite(root: Path, n: int, client: str = "urllib") -> None:
    """Write pytest.ini, test modules and one cassette per test under ``root``.

    ``client`` is ``urllib`` (bare HTTP calls: the least work per call, so the plugin's share
    looks largest) or ``sdk`` (the OpenAI and Anthropic SDK clients, as agents call them).
    """
    (root / "pytest.ini").write_text(
        "[pytest]\n"
        # No network: never try to download tiktoken encodings.
        "agent_cost_tiktoken_download = false\n"
        # The Anthropic SDK warns that the recorded model is deprecated, once per call.
        "filterwarnings = ignore::DeprecationWarning\n"
    )
    if client == "sdk":
        # In a child process: importing the SDKs here would raise this process's peak RSS, which
        # Linux passes on to every child it forks, and the children's peak RSS is what is measured.
        out = subprocess.run(
            [sys.executable, __file__, "--print-sdk-templates"], capture_output=True, text=True, check=True
        )
        templates: dict[str, str] | None = json.loads(out.stdout)
        header = MODULE_HEADER_SDK.format(gemini=GEMINI_URL)
    else:
        templates = None
        header = MODULE_HEADER.format(openai=OPENAI_URL, anthropic=ANTHROPIC_URL, gemini=GEMINI_URL)
    calls = ", ".join(CALL_PLAN)
    for start in range(0, n, TESTS_PER_MODULE):
        module = f"test_agents_{start // TESTS_PER_MODULE:04d}"
        indices = range(start, min(start + TESTS_PER_MODULE, n))
        source = header + "".join(TEST_TEMPLATE.format(index=i, calls=calls, ncalls=len(CALL_PLAN)) for i in indices)
        (root / f"{module}.py").write_text(textwrap.dedent(source))
        # pytest-recording's default cassette path: <test dir>/cassettes/<module>/<test>.yaml
        folder = root / "cassettes" / module
        folder.mkdir(parents=True, exist_ok=True)
        for i in indices:
            dumper = yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper
            (folder / f"test_agent_{i}.yaml").write_text(yaml.dump(cassette(i, templates), Dumper=dumper))


@dataclass(frozen=True)
class Sample:
    """One pytest child run: wall seconds, CPU seconds (user + system) and peak RSS in MB."""

    seconds: float
    max_rss_mb: float
    cpu_seconds: float = 0.0


def run_once(cmd: list[str], cwd: Path) -> Sample:
    """Run ``cmd`` in ``cwd``; measure wall time, CPU time and the child's own peak RSS.

    CPU time is reported beside wall time because on a shared virtual machine wall
    time swings by 10-20% between identical runs, more than the effect measured.
    """
    # Bytecode caching on, as on a developer's machine or a CI runner after its first import:
    # the warm-up runs write the .pyc files (pytest's assertion-rewritten ones included) for the
    # generated tests and the plugin, so the timed runs measure running tests, not compiling them.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    # RUSAGE_CHILDREN is a running max over all children, so reap this child with wait4 instead.
    start = time.perf_counter()
    popen = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(popen.pid, 0)
    seconds = time.perf_counter() - start
    popen.returncode = os.waitstatus_to_exitcode(status)
    if popen.returncode != 0:
        raise SystemExit(f"{cmd} failed ({popen.returncode})")
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return Sample(seconds, usage.ru_maxrss / divisor, usage.ru_utime + usage.ru_stime)


def instructions(cmd: list[str], cwd: Path) -> int | None:
    """Instructions executed by ``cmd`` under valgrind's callgrind, or None without valgrind.

    Unlike time, the count does not move with other load on the machine: on a shared virtual
    machine it is the one figure that compares two runs to better than a percent. It does not
    see cache misses, so it is reported beside time, not instead of it.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    for line in out.stderr.splitlines():
        if "refs:" in line:
            return int(line.split("refs:")[1].strip().replace(",", ""))
    raise SystemExit(f"callgrind gave no instruction count for {cmd}:\n{out.stderr[-2000:]}")


def attributed_run(cmd: list[str], cwd: Path) -> dict[str, Any]:
    """Run ``cmd`` with ``_attribution.py`` loaded; its in-run figures (see that module)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    here = str(Path(__file__).resolve().parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (here, env.get("PYTHONPATH"))))
    out = cwd / "attribution.json"
    env["AGENTCOST_ATTRIBUTION_OUT"] = str(out)
    out.unlink(missing_ok=True)
    done = subprocess.run(
        [*cmd, "-p", "_attribution"], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"{cmd} with -p _attribution failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def attribution(base_runs: list[dict[str, Any]], cost_runs: list[dict[str, Any]], n: int) -> dict[str, Any]:
    """The plugin's share of its runs' CPU time, by phase, and the garbage collector's extra work.

    Per plugin run: attributed = the plugin's own time + (its GC time - the baseline runs' median GC
    time); share = attributed / (the run's CPU time - attributed), the overhead against what the
    same run would have taken without the plugin. Medians over runs.
    """
    base_gc = statistics.median(r["gc_seconds"] for r in base_runs)
    shares = []
    for run in cost_runs:
        attributed = sum(run["plugin_seconds"].values()) + run["gc_seconds"] - base_gc
        shares.append(attributed / (run["cpu_seconds"] - attributed))
    phases = {
        phase: round(statistics.median(r["plugin_seconds"][phase] for r in cost_runs) * 1000 / n, 4)
        for phase in cost_runs[0]["plugin_seconds"]
    }
    phases["gc_extra"] = round((statistics.median(r["gc_seconds"] for r in cost_runs) - base_gc) * 1000 / n, 4)
    return {
        "attributed_ratio": round(1 + statistics.median(shares), 4),
        "attributed_ratios": [round(1 + share, 4) for share in shares],
        "attributed_ms_per_test": phases,
        "full_collections": [r["full_collections"] for r in base_runs + cost_runs],
    }


def bench(
    n: int, repeats: int, keep: bool, client: str = "urllib", count: bool = False, attribute: bool = False
) -> dict[str, Any]:
    """Generate an N-test suite and time baseline vs --agent-cost, alternating ``repeats`` times."""
    root = Path(tempfile.mkdtemp(prefix=f"agentcost-bench-{client}-{n}-"))
    try:
        t0 = time.perf_counter()
        generate_suite(root, n, client)
        print(f"N={n}: generated in {time.perf_counter() - t0:.1f}s at {root}", file=sys.stderr)
        base_cmd = [sys.executable, "-m", "pytest", "-q"]
        cost_cmd = [*base_cmd, "--agent-cost", "--agent-cost-json", "out.json"]
        # Untimed warm-ups of both variants: a warm page cache and compiled bytecode for both.
        run_once(base_cmd, root)
        run_once(cost_cmd, root)
        baseline: list[Sample] = []
        cost: list[Sample] = []
        for i in range(repeats):
            baseline.append(run_once(base_cmd, root))
            cost.append(run_once(cost_cmd, root))
            print(
                f"N={n} rep {i + 1}: baseline {baseline[-1].seconds:.2f}s, agent-cost {cost[-1].seconds:.2f}s",
                file=sys.stderr,
            )
        report = json.loads((root / "out.json").read_text())
        attributed: dict[str, Any] = {}
        if attribute:
            base_runs: list[dict[str, Any]] = []
            cost_runs: list[dict[str, Any]] = []
            for _ in range(repeats):
                base_runs.append(attributed_run(base_cmd, root))
                cost_runs.append(attributed_run(cost_cmd, root))
            attributed = attribution(base_runs, cost_runs, n)
            print(f"N={n}: attributed x{attributed['attributed_ratio']:.4f} {attributed}", file=sys.stderr)
        counted: dict[str, Any] = {}
        if count:
            b_i = instructions(base_cmd, root)
            c_i = instructions(cost_cmd, root)
            if b_i and c_i:
                counted = {
                    "baseline_instructions": b_i,
                    "agent_cost_instructions": c_i,
                    "instruction_ratio": round(c_i / b_i, 4),
                }
                print(f"N={n}: instructions x{c_i / b_i:.4f}", file=sys.stderr)
        b_s = statistics.median(s.seconds for s in baseline)
        c_s = statistics.median(s.seconds for s in cost)
        b_mb = statistics.median(s.max_rss_mb for s in baseline)
        c_mb = statistics.median(s.max_rss_mb for s in cost)
        b_cpu = statistics.median(s.cpu_seconds for s in baseline)
        c_cpu = statistics.median(s.cpu_seconds for s in cost)
        # Minimum over runs too: noise on a shared machine only ever adds time.
        min_ratio = min(s.seconds for s in cost) / min(s.seconds for s in baseline)
        min_cpu_ratio = min(s.cpu_seconds for s in cost) / min(s.cpu_seconds for s in baseline)
        return {
            **counted,
            **attributed,
            "n": n,
            "client": client,
            "calls_per_test": len(CALL_PLAN),
            "min_time_ratio": round(min_ratio, 3),
            "min_cpu_ratio": round(min_cpu_ratio, 3),
            "baseline_s": round(b_s, 3),
            "agent_cost_s": round(c_s, 3),
            "time_ratio": round(c_s / b_s, 3),
            "baseline_mb": round(b_mb, 1),
            "agent_cost_mb": round(c_mb, 1),
            "memory_ratio": round(c_mb / b_mb, 3),
            "overhead_ms_per_test": round((c_s - b_s) * 1000 / n, 3),
            "baseline_cpu_s": round(b_cpu, 3),
            "cold_cpu_s": round(c_cpu, 3),
            "cold_cpu_ratio": round(c_cpu / b_cpu, 3),
            "cold_cpu_overhead_ms_per_test": round((c_cpu - b_cpu) * 1000 / n, 3),
            "report_tests": len(report.get("tests") or ()),
            "baseline_runs_s": [round(s.seconds, 3) for s in baseline],
            "agent_cost_runs_s": [round(s.seconds, 3) for s in cost],
        }
    finally:
        if keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


def table(rows: list[dict[str, Any]]) -> str:
    """A fixed-width text table of the ratios against the baseline."""
    head = (
        "client",
        "N",
        "base wall s",
        "wall ratio",
        "min wall",
        "base cpu s",
        "cpu ratio",
        "min cpu",
        "base MB",
        "mem ratio",
        "cpu ms/test",
        "instr ratio",
        "attributed",
    )
    lines = ["  ".join(f"{h:>11}" for h in head)]
    for r in rows:
        cells = (
            r["client"],
            r["n"],
            f"{r['baseline_s']:.2f}",
            f"x{r['time_ratio']:.3f}",
            f"x{r['min_time_ratio']:.3f}",
            f"{r['baseline_cpu_s']:.2f}",
            f"x{r['cold_cpu_ratio']:.3f}",
            f"x{r['min_cpu_ratio']:.3f}",
            f"{r['baseline_mb']:.1f}",
            f"x{r['memory_ratio']:.3f}",
            f"{r['cold_cpu_overhead_ms_per_test']:.2f}",
            f"x{r['instruction_ratio']:.4f}" if "instruction_ratio" in r else "-",
            f"x{r['attributed_ratio']:.4f}" if "attributed_ratio" in r else "-",
        )
        lines.append("  ".join(f"{c:>11}" for c in cells))
    return "\n".join(lines)


def linearity(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether the plugin's cost grows linearly with N, by the steadiest measure the rows have.

    - Instructions (``--instructions``): the marginal cost per test between consecutive N.
      Differences between sizes cancel the fixed part (imports, report); equal segments mean
      linear growth.
    - The attributed share (``--attribute``): the plugin's CPU over the rest of the same run's.
      The suite's own cost is linear in N, so a linear plugin keeps a share that falls (its fixed
      part spreads) or holds; a superlinear one makes it rise with N. The share divides two times
      taken in the same seconds, so the machine's drift between runs cancels.
    - Else whole-run CPU seconds, as marginal cost per test: on a shared machine single runs move
      by more than the plugin costs, so this verdict is weak.
    """
    rows = sorted(rows, key=lambda r: r["n"])
    if all("instruction_ratio" in r for r in rows):
        measure = "instructions"
    elif all("attributed_ratio" in r for r in rows):
        measure = "attributed share"
    else:
        measure = "cpu seconds"

    if measure == "attributed share":
        shares = {str(r["n"]): round(float(r["attributed_ratio"]) - 1, 4) for r in rows}
        values = list(shares.values())
        # Noise in the share is well under a quarter of it; a superlinear cost grows it with N.
        linear = None if len(values) < 2 else all(b <= a * 1.25 for a, b in itertools.pairwise(values))
        return {"measure": measure, "share": shares, "linear": linear}

    def overhead(row: dict[str, Any]) -> float:
        if measure == "instructions":
            return float(row["agent_cost_instructions"] - row["baseline_instructions"])
        return float(row["cold_cpu_s"] - row["baseline_cpu_s"])

    segments = {
        f"{a['n']}-{b['n']}": round((overhead(b) - overhead(a)) / (b["n"] - a["n"]), 6)
        for a, b in itertools.pairwise(rows)
    }
    values = list(segments.values())
    # Noise (CPU time) makes exact equality meaningless; superlinear growth shows as a clear rise.
    linear = None if len(values) < 2 or min(values) <= 0 else max(values) <= 1.5 * min(values)
    return {"measure": measure, "per_test": segments, "linear": linear}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--n", type=int, nargs="+", default=[200, 1000, 5000], help="suite sizes (default 200 1000 5000)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per variant (default 3)")
    parser.add_argument("--out", type=Path, help="write the results as JSON to this path")
    parser.add_argument("--keep", action="store_true", help="keep the generated suites")
    parser.add_argument(
        "--client",
        choices=("urllib", "sdk", "both"),
        default="both",
        help="how the generated tests call the APIs: bare urllib, the OpenAI/Anthropic SDKs, or both (default)",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions of one run of each variant under valgrind (slow: ~20x)",
    )
    parser.add_argument(
        "--attribute",
        action="store_true",
        help="also time the plugin's phases and the garbage collector inside extra runs (see _attribution.py)",
    )
    parser.add_argument("--print-sdk-templates", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.print_sdk_templates:
        print(json.dumps(sdk_request_templates()))
        return 0
    clients = ("sdk", "urllib") if args.client == "both" else (args.client,)
    rows = [
        bench(n, args.repeats, args.keep, client, args.instructions, args.attribute)
        for client in clients
        for n in sorted(args.n)
    ]
    print(table(rows))
    lins = {client: linearity([r for r in rows if r["client"] == client]) for client in clients}
    for client, lin in lins.items():
        verdict = {True: "linear", False: "NOT linear", None: "too few sizes: not testable"}[lin["linear"]]
        if "share" in lin:
            parts = ", ".join(f"N={k}: {v:+.1%}" for k, v in lin["share"].items())
            print(f"{client}: plugin's share of the run's CPU: {parts} -> {verdict}")
        elif lin["per_test"]:
            parts = ", ".join(f"N={k}: {v:g}" for k, v in lin["per_test"].items())
            print(f"{client}: plugin cost per added test ({lin['measure']}): {parts} -> {verdict}")
    if args.out:
        payload = {"python": sys.version.split()[0], "results": rows, "linearity": lins}
        tmp = args.out.with_name(args.out.name + ".tmp")
        tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
