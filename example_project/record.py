"""Re-record the example's cassettes.

    python record.py            # against the local fake server (offline, no keys)
    python record.py --real     # against the real APIs: needs OPENAI_API_KEY,
                                # ANTHROPIC_API_KEY and TAVILY_API_KEY
    python record.py -k claude  # extra arguments go to pytest

Every cassette used by the selected tests is rewritten (``--record-mode=all``).
Against the fake server, each test starts with a cold prompt cache and the
recorded URIs are those of the real hosts, so replay needs no server.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fake_llm.server import serve  # noqa: E402  (needs the path above when run from elsewhere)

REAL_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "TAVILY_API_KEY")
CASSETTES = HERE / "tests" / "cassettes"
_TOKENIZER_HEADER = re.compile(r"x-fake-llm-tokenizer:\s*\n\s*- (\S+)")


def recorded_tokenizer() -> str:
    """The fake-server tokenizer the committed cassettes were recorded with (``auto`` if none).

    Re-recording with another tokenizer would change every token count, and the
    cost report would show that instead of the change you made.
    """
    for path in sorted(CASSETTES.rglob("*.yaml")):
        match = _TOKENIZER_HEADER.search(path.read_text(encoding="utf-8"))
        if match:
            return "approx" if match.group(1).startswith("approx") else "tiktoken"
    return "auto"


def _pytest(extra: list[str], env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "pytest", "-m", "vcr", "--record-mode=all", "-p", "no:cacheprovider"]
    command += extra
    print("+", " ".join(command), flush=True)
    return subprocess.call(command, cwd=HERE, env=env)


def main(argv: list[str] | None = None) -> int:
    """Record against the fake server (default) or the real APIs (``--real``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", action="store_true", help="record against the real APIs (costs money)")
    parser.add_argument(
        "--tokenizer",
        choices=("auto", "tiktoken", "approx"),
        default=None,
        help="fake server tokenizer (default: the one the committed cassettes were recorded with)",
    )
    args, extra = parser.parse_known_args(argv)
    tokenizer = args.tokenizer or recorded_tokenizer()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    for name in ("OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "SEARCH_API_URL", "FAKE_LLM_URL"):
        env.pop(name, None)
    if args.real:
        missing = [name for name in REAL_KEYS if not env.get(name)]
        if missing:
            parser.error(f"--real needs {', '.join(missing)} in the environment")
        return _pytest(extra, env)
    with serve(tokenizer=tokenizer) as server:
        print(f"fake-llm on {server.url}, token usage counted with {server.tokenizer.name}", flush=True)
        env["FAKE_LLM_URL"] = server.url
        return _pytest(extra, env)


if __name__ == "__main__":
    sys.exit(main())
