"""Find credentials in committed vcrpy cassettes (``agentcost scan PATH...``).

Cassettes are read with vcrpy's own serializers, turned into
:class:`~pytest_agentcost.interaction.Interaction` values and searched in the
request URI (path and each query parameter), request and response headers,
and request and response bodies, decoded (gzip/deflate/br, YAML ``!!binary``).

Detectors, most specific first (a later, generic one never reports a value an
earlier one already reported):

* provider key formats: Anthropic ``sk-ant-api03-``/``sk-ant-admin01-``, OpenAI
  ``sk-``/``sk-proj-``/``sk-svcacct-``/``sk-admin-``, Google ``AIza`` + 35,
  AWS ``AKIA``/``ASIA`` + 16, GitHub ``ghp_``/``gho_``/``ghu_``/``ghs_``/``ghr_``/
  ``github_pat_``, Google OAuth ``ya29.`` access tokens, JWTs;
* an AWS secret access key: 40 base64 characters near an access key id or a
  ``secret_access_key``/``SecretAccessKey`` label;
* ``Bearer <token>`` anywhere, ``Basic`` credentials in auth headers;
* credential fields in bodies (``"access_token": "..."``, ``client_secret=...``);
* high-entropy values of credential headers and query parameters.

Obvious placeholders (``REDACTED``, ``<filtered>``, ``DUMMY``, ``fake``,
``xxx``, ``sk-test...``, AWS ``...EXAMPLE`` keys) are not reported. A finding
shows a masked value only, never the secret itself.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import yaml

from pytest_agentcost.errors import AgentCostError
from pytest_agentcost.interaction import Interaction, from_vcr
from pytest_agentcost.redact import CREDENTIAL_HEADER_NAME as _CREDENTIAL_NAME
from pytest_agentcost.redact import DEFAULT_FILTER_HEADERS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

__all__ = [
    "CASSETTE_SUFFIXES",
    "Finding",
    "UnreadableCassetteError",
    "format_findings",
    "main",
    "mask",
    "scan_cassette",
    "scan_paths",
]

#: File suffixes picked up when a directory is scanned, besides a custom serializer's named after
#: one of them (pytest-recording names a cassette file after its serializer: ``.pai_yaml``).
CASSETTE_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json")
_SERIALIZER_SUFFIXES = tuple(f"{sep}{name[1:]}" for name in CASSETTE_SUFFIXES for sep in "_-")


def _cassette_suffix(path: Path) -> bool:
    """``.yaml``, ``.yml``, ``.json``, ``.pai_yaml``, ``.sorted-json``; not ``.ndjson`` or ``.hjson``."""
    suffix = path.suffix.lower()
    return suffix in CASSETTE_SUFFIXES or suffix.endswith(_SERIALIZER_SUFFIXES)


#: Minimum Shannon entropy (bits per character) of an unlabelled credential value.
ENTROPY_THRESHOLD = 3.5
#: The same for a value of hex digits (and dashes: a UUID), whose alphabet holds at most 4 bits a
#: character: one random 32-digit key in five (Azure's) has less than 3.5.
HEX_ENTROPY_THRESHOLD = 3.0
_HEX = frozenset("0123456789abcdefABCDEF-")
#: Minimum length of a value judged by entropy alone.
MIN_SECRET_LENGTH = 16


class UnreadableCassetteError(AgentCostError):
    """A cassette file that cannot be read or parsed: ``path``, and why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)


class _NotACassetteError(UnreadableCassetteError):
    """Valid YAML/JSON that is not a vcrpy cassette (skipped in directory scans)."""


@dataclass(frozen=True)
class Finding:
    """One probable secret in a cassette.

    ``interaction`` is the 0-based index into the cassette's ``interactions``
    list; ``location`` says where in it (``request.headers.authorization``,
    ``request.uri?key``, ``response.body`` ...); ``masked`` shows at most the
    first five and last four characters of the value.
    """

    path: str
    interaction: int
    location: str
    kind: str
    masked: str

    def to_dict(self) -> dict[str, Any]:
        """Plain builtins, for JSON output."""
        return {
            "path": self.path,
            "interaction": self.interaction,
            "location": self.location,
            "kind": self.kind,
            "masked": self.masked,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """The inverse of :meth:`to_dict`."""
        return cls(
            path=str(data["path"]),
            interaction=int(data["interaction"]),
            location=str(data["location"]),
            kind=str(data["kind"]),
            masked=str(data["masked"]),
        )


# ----------------------------------------------------------------------- detectors

# Boundaries: a key must not be the tail of a longer token of the same alphabet.
_KEY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Anthropic documents sk-ant-api03-... (API) and sk-ant-admin01-... (Admin API).
    ("anthropic-api-key", re.compile(r"(?<![\w-])sk-ant-[a-z]+\d{2}-[A-Za-z0-9_-]{32,}")),
    # OpenRouter: sk-or-v1-<64 hex>.
    ("openrouter-api-key", re.compile(r"(?<![\w-])sk-or-v\d+-[A-Za-z0-9]{32,}")),
    # OpenAI: legacy sk-<48>, sk-proj-/sk-svcacct-/sk-admin-<long, with - and _>. Other hosts'
    # sk- keys of these shapes (DeepSeek's sk-<32 hex>) are flagged under this name too.
    (
        "openai-api-key",
        re.compile(r"(?<![\w-])sk-(?!ant-|or-v\d)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}"),
    ),
    ("google-api-key", re.compile(r"(?<![\w-])AIza[0-9A-Za-z_-]{35}")),
    ("google-oauth-token", re.compile(r"(?<![\w-])ya29\.[0-9A-Za-z_-]{20,}")),
    ("aws-access-key-id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])")),
    ("github-token", re.compile(r"(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{82,})")),
    ("jwt", re.compile(r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")),
    # Slack bot, user, app and refresh tokens (agents post to Slack as a tool).
    ("slack-token", re.compile(r"(?<![\w-])xox[abeoprs]-[0-9A-Za-z]{8,}(?:-[0-9A-Za-z]{4,})+")),
    # A PEM private key (a service account's JSON key file, sent or echoed in a body); in JSON its
    # line breaks are written \n. Two full lines of key: every 2048-bit RSA key starts with the
    # same first line, which an LLM's example of one shows before it breaks off. The value
    # reported is its start: masked, as any other.
    (
        "private-key",
        re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----(?:(?:\\n|\s)+[A-Za-z0-9+/=]{40,}){2}"),
    ),
)
_BEARER = re.compile(r"\bBearer\s+([A-Za-z0-9._~+/=-]{16,})")
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
_AWS_SECRET_LABEL = re.compile(r"aws_?secret|secret_?access_?key", re.IGNORECASE)
_AWS_NEAR = 300  # characters between a key id / label and its secret

_FIELD_NAMES = (
    r"access_?token|refresh_?token|id_?token|client_?secret|secret_?access_?key"
    r"|session_?token|api_?key|password"
)
_FIELD_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r'"(?:' + _FIELD_NAMES + r')"\s*:\s*"((?:[^"\\]|\\.){8,})"', re.IGNORECASE),
    re.compile(r"(?:^|[&?])(?:" + _FIELD_NAMES + r")=([^&\s\"'<]{8,})", re.IGNORECASE),
    re.compile(r"<(?:SecretAccessKey|SessionToken)>([^<]{8,})</"),
)

# The headers recording redacts, less those whose values are not secrets to flag here:
# organisation/project ids, and cookies (Cloudflare's __cf_bm sits in every OpenAI cassette).
_CREDENTIAL_HEADERS = frozenset(DEFAULT_FILTER_HEADERS) - {
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
}
_CREDENTIAL_QUERY = frozenset(
    {
        "key",
        "api_key",
        "apikey",
        "api-key",
        "appid",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "token",
        "password",
        "secret",
        "sig",
        "x-amz-security-token",
        "x-amz-signature",
        "x-goog-signature",
    }
)
_AUTH_SCHEME = re.compile(r"^(?:bearer|token|key|api-key|apikey|sso-key)\s+", re.IGNORECASE)

_PLACEHOLDER_WORDS = re.compile(
    r"redacted|scrubbed|dummy|filtered|fake|placeholder|example|changeme|mock"
    r"|your[-_]?(?:api[-_]?)?(?:key|token|secret)|<[^>]*>|\*{3,}|\.{3,}|\$\{|\{\{",
    re.IGNORECASE,
)
_PLACEHOLDER_START = re.compile(r"^(?:sk-(?:ant-)?test|test[-_]|none$|null$)", re.IGNORECASE)
_PLACEHOLDER_RUN = re.compile(r"x{3,}|X{3,}|0{8,}")
# Capital words joined by underscores name what was there (SECRET_ACCESS_KEY, AWS_SESSION_TOKEN):
# a template's stand-in, never a key, which mixes cases or digits.
_PLACEHOLDER_NAME = re.compile(r"^[A-Z]+(?:_[A-Z]+)+$")


def shannon_entropy(value: str) -> float:
    """Bits of Shannon entropy per character of ``value`` (0.0 for an empty string)."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is an obvious stand-in (``REDACTED``, ``SCRUBBED_SESSION_TOKEN``, ``<filtered>``,
    ``xxx`` ...)."""
    return bool(
        _PLACEHOLDER_WORDS.search(value)
        or _PLACEHOLDER_START.search(value)
        or _PLACEHOLDER_RUN.search(value)
        or _PLACEHOLDER_NAME.match(value)
    )


def mask(value: str) -> str:
    """The first five and last four characters of a secret (fewer when it is short)."""
    if len(value) >= 16:
        return f"{value[:5]}…{value[-4:]}"
    if len(value) >= 10:
        return f"{value[:2]}…{value[-2:]}"
    return "…"


def _high_entropy(value: str) -> bool:
    if len(value) < MIN_SECRET_LENGTH or is_placeholder(value):
        return False
    return shannon_entropy(value) >= (HEX_ENTROPY_THRESHOLD if _HEX.issuperset(value) else ENTROPY_THRESHOLD)


class _Hits:
    """The (kind, value) pairs found in one text, with the spans already claimed."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self._spans: list[tuple[int, int]] = []
        self._values: set[str] = set()

    def add(self, kind: str, value: str, start: int = -1, end: int = -1) -> None:
        if value in self._values or is_placeholder(value):
            return
        if start >= 0 and any(start < e and s < end for s, e in self._spans):
            return
        if start >= 0:
            self._spans.append((start, end))
        self._values.add(value)
        self.items.append((kind, value))

    def claimed(self, value: str) -> bool:
        return any(value in seen or seen in value for seen in self._values)


def _scan_text(text: str, hits: _Hits | None = None, *, fields: str | None = None) -> _Hits:
    """The credentials in ``text``; labelled fields (``"password": ...``) are looked for in
    ``fields`` instead when given (the text without the arguments of models' tool calls)."""
    hits = hits or _Hits()
    key_ids: list[int] = []
    for kind, pattern in _KEY_PATTERNS:
        for match in pattern.finditer(text):
            value = match.group(0)
            if kind == "openai-api-key" and not any(c.isdigit() for c in value):
                continue  # "sk-" followed by prose ("sk-learn-style-...") is no key
            if kind == "aws-access-key-id":
                key_ids.append(match.start())
            hits.add(kind, value, match.start(), match.end())
    anchors = key_ids + [m.start() for m in _AWS_SECRET_LABEL.finditer(text)]
    if anchors:
        for match in _AWS_SECRET.finditer(text):
            value = match.group(0)
            near = any(abs(match.start() - anchor) <= _AWS_NEAR for anchor in anchors)
            mixed = any(c.isupper() for c in value) and any(c.islower() for c in value)
            if near and mixed and shannon_entropy(value) >= 4.0:
                hits.add("aws-secret", value, match.start(), match.end())
    for match in _BEARER.finditer(text):
        token = match.group(1)
        if shannon_entropy(token) >= 3.0:
            hits.add("bearer-token", token, match.start(1), match.end(1))
    for pattern in _FIELD_PATTERNS:
        for match in pattern.finditer(text if fields is None else fields):
            value = match.group(1)
            if not hits.claimed(value) and shannon_entropy(value) >= 2.5:
                # Spans are the text's: one found in ``fields`` is told apart by its value alone.
                span = (match.start(1), match.end(1)) if fields is None else (-1, -1)
                hits.add("credential-field", value, *span)
    return hits


#: Where a model's tool-call arguments sit as JSON objects: a ``tool_use`` (or
#: ``server_tool_use``) block's ``input`` (Anthropic, Bedrock InvokeModel), Converse's
#: ``toolUse.input``, Gemini's ``functionCall.args``. (OpenAI's are JSON strings, escaped.)
_TOOL_USE_TYPES = frozenset({"tool_use", "server_tool_use"})
_ARGUMENT_HOLDERS = {"toolUse": "input", "functionCall": "args", "function_call": "args"}


def _without_tool_arguments(text: str) -> str | None:
    """``text`` with the arguments of the models' tool calls it holds left out, as JSON; None when
    it holds none (or is no JSON). Their names are a tool's parameters and their values the
    model's (a demo tool's ``password``): no credential of the cassette's owner, though the
    label would say so; the same arguments sent as OpenAI's escaped JSON strings never matched."""
    if '"input"' not in text and '"args"' not in text:
        return None
    try:
        try:
            document = json.loads(text)
        except ValueError:
            return _events_without_tool_arguments(text)
        pruned = _prune_tool_arguments(document)
        return None if pruned is document else json.dumps(pruned, ensure_ascii=False)
    except RecursionError:  # nested deeper than Python walks: the text is scanned as it is
        return None


def _events_without_tool_arguments(text: str) -> str | None:
    """:func:`_without_tool_arguments` for a server-sent event stream, event by event."""
    lines = text.split("\n")
    changed = False
    for index, line in enumerate(lines):
        if not line.startswith("data:"):
            continue
        try:
            event = json.loads(line[5:])
        except ValueError:
            continue
        pruned = _prune_tool_arguments(event)
        if pruned is not event:
            lines[index] = "data: " + json.dumps(pruned, ensure_ascii=False)
            changed = True
    return "\n".join(lines) if changed else None


def _prune_tool_arguments(node: Any) -> Any:
    """``node`` without tool-call arguments (:func:`_without_tool_arguments`); ``node`` itself when
    it holds none."""
    if isinstance(node, list):
        items = [_prune_tool_arguments(item) for item in node]
        return node if all(a is b for a, b in zip(items, node, strict=True)) else items
    if not isinstance(node, dict):
        return node
    drop = {"input"} if node.get("type") in _TOOL_USE_TYPES and isinstance(node.get("input"), dict) else set()
    pruned: dict[str, Any] = {}
    for key, value in node.items():
        if key in drop:
            continue
        holder = _ARGUMENT_HOLDERS.get(key)
        if holder is not None and isinstance(value, dict) and isinstance(value.get(holder), dict):
            value = {k: v for k, v in value.items() if k != holder}
        pruned[key] = _prune_tool_arguments(value)
    changed = drop or any(pruned.get(key) is not value for key, value in node.items() if key not in drop)
    return pruned if changed else node


def _scan_header(name: str, value: str) -> _Hits:
    hits = _scan_text(value)
    if name not in _CREDENTIAL_HEADERS and not _CREDENTIAL_NAME.search(name):
        return hits
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() == "basic" and rest:
        credentials = _basic_credentials(rest.strip())
        if credentials is not None and not hits.claimed(rest.strip()) and not is_placeholder(credentials):
            hits.add("basic-auth", rest.strip())
        return hits
    token = _AUTH_SCHEME.sub("", value.strip())
    if not hits.claimed(token) and _high_entropy(token):
        hits.add("high-entropy-authorization", token)
    return hits


def _basic_credentials(encoded: str) -> str | None:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if ":" in decoded and not decoded.endswith(":") else None


def _scan_interaction(interaction: Interaction) -> Iterator[tuple[str, str, str]]:
    """Yield (location, kind, value) for one interaction, in a fixed order."""
    parts = urlsplit(interaction.url)
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        hits = _scan_text(value)
        if name.lower() in _CREDENTIAL_QUERY and not hits.claimed(value) and _high_entropy(value):
            hits.add("high-entropy-query-parameter", value)
        for kind, found in hits.items:
            yield f"request.uri?{name}", kind, found
    bare_uri = urlunsplit((parts.scheme, parts.netloc, parts.path, "", parts.fragment))
    for kind, found in _scan_text(bare_uri).items:
        yield "request.uri", kind, found
    for name in sorted(interaction.request_headers):
        for kind, found in _scan_header(name, interaction.request_headers[name]).items:
            yield f"request.headers.{name}", kind, found
    body = interaction.request_text()
    for kind, found in _scan_text(body, fields=_without_tool_arguments(body)).items:
        yield "request.body", kind, found
    for name in sorted(interaction.response_headers):
        for kind, found in _scan_header(name, interaction.response_headers[name]).items:
            yield f"response.headers.{name}", kind, found
    body = interaction.response_text()
    for kind, found in _scan_text(body, fields=_without_tool_arguments(body)).items:
        yield "response.body", kind, found


# ------------------------------------------------------------------------- reading


class _CapturingSerializer:
    """Wraps a vcrpy serializer to keep the raw parsed data.

    vcrpy's ``Request`` keeps only the first value of a repeated header, so the
    headers are read from the raw data; everything else comes from vcrpy.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.data: Any = None

    def deserialize(self, cassette_string: str) -> Any:
        self.data = _bodies_from_parsed_body(self.inner.deserialize(cassette_string))
        return self.data


def _bodies_from_parsed_body(data: Any) -> Any:
    """Turn the ``parsed_body`` mappings of pydantic-ai's cassette serializer (and its copies)
    back into the bodies vcrpy reads, as that serializer does when it loads a cassette."""
    interactions = data.get("interactions") if isinstance(data, dict) else None
    for interaction in interactions if isinstance(interactions, list) else ():
        for kind, part in interaction.items() if isinstance(interaction, dict) else ():
            if isinstance(part, dict) and "parsed_body" in part and "body" not in part:
                dumped = json.dumps(part.pop("parsed_body"))
                part["body"] = {"string": dumped} if kind == "response" else dumped
    return data


def load_interactions(path: str | Path) -> list[Interaction]:
    """Read a cassette file into interactions (raises :class:`UnreadableCassetteError`)."""
    from vcr.serialize import deserialize
    from vcr.serializers import jsonserializer, yamlserializer

    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as exc:
        raise UnreadableCassetteError(path, f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise UnreadableCassetteError(path, "not UTF-8 text") from exc
    inner = jsonserializer if file.suffix.lower().endswith("json") else yamlserializer
    capture = _CapturingSerializer(inner)
    try:
        loaded = deserialize(text, capture)
    except RecursionError as exc:
        raise UnreadableCassetteError(path, "nested too deeply to read") from exc
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, yaml.YAMLError) as exc:
        data = capture.data
        if data is None and not text.strip():
            raise UnreadableCassetteError(path, "empty file") from exc
        if data is not None and not isinstance(data, dict | list):
            raise _NotACassetteError(path, "not a vcrpy cassette") from exc
        if isinstance(data, dict) and "interactions" not in data:
            raise _NotACassetteError(path, "not a vcrpy cassette (no 'interactions')") from exc
        lines = str(exc).strip().splitlines()
        reason = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
        raise UnreadableCassetteError(path, f"not a readable cassette: {reason}") from exc
    requests, responses = loaded[0], loaded[1]
    raw = capture.data["interactions"]
    interactions = []
    for request, response, raw_item in zip(requests, responses, raw, strict=True):
        raw_request = raw_item.get("request") or {}
        view = SimpleNamespace(
            method=request.method,
            uri=request.uri,
            body=request.body,
            headers=raw_request.get("headers") or {},
        )
        interactions.append(from_vcr(view, response if isinstance(response, dict) else {}))
    return interactions


def scan_cassette(path: str | Path) -> list[Finding]:
    """All probable secrets in one cassette file (raises :class:`UnreadableCassetteError`)."""
    findings = []
    for index, interaction in enumerate(load_interactions(path)):
        for location, kind, value in _scan_interaction(interaction):
            findings.append(Finding(str(path), index, location, kind, mask(value)))
    return findings


def iter_cassette_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool]]:
    """Yield ``(file, named)``: named files as given, directories walked for cassettes.

    ``named`` is False for files found by walking a directory (sorted,
    skipping hidden directories). A path that does not exist is yielded as
    named, so that reading it reports the error.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and _cassette_suffix(p)
                and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])
            )
            candidates = [(p, False) for p in found]
        else:
            candidates = [(path, True)]
        for candidate, named in candidates:
            if candidate not in seen:
                seen.add(candidate)
                yield candidate, named


def scan_paths(
    paths: Iterable[str | Path],
    *,
    on_error: Callable[[UnreadableCassetteError], None] | None = None,
    skipped: list[Path] | None = None,
) -> list[Finding]:
    """Scan cassette files and directories (recursively: ``*.yaml``, ``*.yml``, ``*.json`` and
    a custom serializer's ``*.<name>_yaml``).

    Without ``on_error`` the first unreadable file raises
    :class:`UnreadableCassetteError`; with it, the error is passed on and the
    scan goes on. JSON/YAML files found in a directory that are not cassettes
    are skipped (and appended to ``skipped``).
    """
    findings: list[Finding] = []
    for file, named in iter_cassette_files(paths):
        try:
            findings.extend(scan_cassette(file))
        except _NotACassetteError as exc:
            if named:
                _report(exc, on_error)
            elif skipped is not None:
                skipped.append(file)
        except UnreadableCassetteError as exc:
            _report(exc, on_error)
    return findings


def _report(exc: UnreadableCassetteError, on_error: Callable[[UnreadableCassetteError], None] | None) -> None:
    if on_error is None:
        raise exc
    on_error(exc)


def format_findings(findings: Sequence[Finding]) -> str:
    """One line per finding: ``path:interaction N: location: kind masked``."""
    return "\n".join(f"{f.path}:interaction {f.interaction}: {f.location}: {f.kind} {f.masked}" for f in findings)


# ---------------------------------------------------------------------------- CLI


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def main(argv: Sequence[str] | None = None) -> int:
    """``agentcost scan PATH...``: 0 when clean, 1 on findings, 2 on usage or unreadable files."""
    parser = _Parser(
        prog="agentcost scan",
        description="Report API keys and tokens found in vcrpy cassettes.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="cassette files or directories")
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(f"agentcost scan: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    errors: list[UnreadableCassetteError] = []
    skipped: list[Path] = []
    findings = scan_paths(args.paths, on_error=errors.append, skipped=skipped)
    # A path that does not exist is an error (reported by scan_paths), not a file that was scanned;
    # nor is a JSON or YAML file found in a directory that is no cassette (said apart).
    files = [file for file, _ in iter_cassette_files(args.paths) if file.exists() and file not in skipped]
    for error in errors:
        print(f"agentcost scan: error: {error}", file=sys.stderr)
    if skipped:
        names = ", ".join(str(path) for path in skipped[:3]) + (", ..." if len(skipped) > 3 else "")
        print(
            f"agentcost scan: skipped {len(skipped)} JSON/YAML file(s) that are not vcrpy cassettes: {names}",
            file=sys.stderr,
        )
    if findings:
        print(format_findings(findings))
        affected = len({f.path for f in findings})
        print(
            f"agentcost scan: {len(findings)} possible secret(s) in {affected} of {len(files)} file(s)",
            file=sys.stderr,
        )
    elif unread := len({e.path for e in errors} & set(files)):
        # Files it could not read are not known to be clean: say what was scanned.
        print(
            f"agentcost scan: no secrets found in the {len(files) - unread} of {len(files)} file(s) it could read",
            file=sys.stderr,
        )
    elif files:
        print(f"agentcost scan: no secrets found in {len(files)} file(s)", file=sys.stderr)
    elif not errors:
        # Nothing read is not "clean": say what was looked for (a serializer's own suffix is not).
        print(
            "agentcost scan: no cassette file found (*.yaml, *.yml, *.json, *.<serializer>_yaml, "
            "*.<serializer>-json); name a cassette of another suffix to scan it",
            file=sys.stderr,
        )
    if errors:
        return 2
    return 1 if findings else 0
