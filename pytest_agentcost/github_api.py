"""A sticky pull-request comment on GitHub, with the standard library only.

One comment per pull request carries the cost report. It is found again by a
hidden HTML marker holding the commit and the run time, in a comment the token
itself wrote (anyone can paste the marker), so each new run edits it in place
instead of adding a comment, and a run that started earlier but finished later
never overwrites the report of a newer run.

Token handling: the token is only ever placed in the ``Authorization`` header
of requests to the configured API origin. It is never part of a message, an
exception or a URL, it is not sent over plain HTTP except to a loopback host
(local test servers), and it is not forwarded on a redirect to another origin.

Forks: a ``pull_request`` workflow started from a fork gets a read-only token,
so commenting there fails with 403. Run the tests in the ``pull_request``
workflow, upload the markdown and the PR number as an artifact, and comment from
a separate ``workflow_run`` workflow, which runs with the base repository's
token. That event's payload has no reliable PR number for forks
(``workflow_run.pull_requests`` is empty), so pass ``--pr`` from the artifact.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from pytest_agentcost import __version__
from pytest_agentcost.errors import AgentCostError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from http.client import HTTPMessage

__all__ = [
    "DEFAULT_API_URL",
    "MARKER_PREFIX",
    "MAX_COMMENT_CHARS",
    "CommentAction",
    "CommentResult",
    "GitHubError",
    "comment_main",
    "marker",
    "parse_marker",
    "upsert_sticky_comment",
]

MARKER_PREFIX = "<!-- pytest-agentcost"
DEFAULT_API_URL = "https://api.github.com"
# GitHub rejects an issue comment body longer than this with 422 "body is too long".
MAX_COMMENT_CHARS = 65536
# 100 pages of 100 comments: far beyond any real pull request, but a bound on a
# server that keeps answering with a "next" link.
_MAX_PAGES = 100
_USER_AGENT = f"pytest-agentcost/{__version__} (+https://pypi.org/project/pytest-agentcost/)"
_TRUNCATION_NOTE = "\n\n_… report truncated: GitHub limits a comment to 65536 characters._\n"

_MARKER_RE = re.compile(r"<!-- pytest-agentcost:sticky commit=([0-9A-Za-z._-]+) run=(\S+) -->")
_COMMIT_RE = re.compile(r"[0-9A-Za-z._-]{1,100}")
_REPO_RE = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_LINK_NEXT_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# GitHub answers a few requests in many thousands with a 5xx that the same request a moment later
# does not get. Reads and edits (the same body again) are retried after these pauses (seconds); a
# create is not, as the comment may exist though the answer was lost.
_RETRY_DELAYS = (1.0, 3.0)
_TRANSIENT = frozenset({500, 502, 503, 504})
_IDEMPOTENT = frozenset({"GET", "PATCH"})

CommentAction = Literal["created", "updated", "skipped-older", "skipped-unchanged", "skipped-no-comment"]


class GitHubError(AgentCostError):
    """A GitHub API call that failed, or settings that make it impossible."""

    def __init__(
        self, message: str, status: int | None = None, *, transient: bool = False, rate_limited: bool = False
    ) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status GitHub answered with, when it answered."""
        self.transient = transient
        """A server error or a lost connection: the same request may succeed a moment later."""
        self.rate_limited = rate_limited
        """GitHub refused for the rate limit, not for what the token may do."""


@dataclass(frozen=True)
class CommentResult:
    """What :func:`upsert_sticky_comment` did, and the comment it did it to (if any)."""

    action: CommentAction
    comment_id: int | None
    url: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain builtins, for JSON output."""
        return {"action": self.action, "comment_id": self.comment_id, "url": self.url}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CommentResult:
        """Inverse of :meth:`to_dict`."""
        return cls(action=data["action"], comment_id=data["comment_id"], url=data["url"])


# --------------------------------------------------------------------------- marker


def _parse_run_time(value: str) -> datetime:
    """An ISO 8601 time with a zone (``Z`` or an offset) as an aware datetime."""
    text = value.strip()
    # datetime.fromisoformat only accepts a "Z" suffix from Python 3.11 on.
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise GitHubError(f"run time {value!r} is not an ISO 8601 time such as 2026-11-28T19:00:00Z") from None
    if parsed.tzinfo is None:
        raise GitHubError(f"run time {value!r} has no time zone; give it in UTC, e.g. 2026-11-28T19:00:00Z")
    return parsed


def marker(commit: str, run_time: str) -> str:
    """The hidden HTML comment that tags our sticky comment with its commit and run time.

    ``run_time`` is an ISO 8601 UTC time chosen by the caller (when the run
    started), e.g. ``marker("abc", "2026-11-28T19:00:00Z")`` gives
    ``<!-- pytest-agentcost:sticky commit=abc run=2026-11-28T19:00:00Z -->``.
    """
    if not _COMMIT_RE.fullmatch(commit):
        raise GitHubError(f"commit {commit!r} is not a commit id (letters, digits, '.', '_', '-')")
    if any(ch.isspace() for ch in run_time):
        raise GitHubError(f"run time {run_time!r} must not contain spaces")
    _parse_run_time(run_time)
    return f"{MARKER_PREFIX}:sticky commit={commit} run={run_time} -->"


def parse_marker(body: str) -> tuple[str, str] | None:
    """``(commit, run_time)`` from the first marker in ``body``, or ``None`` when it has none."""
    match = _MARKER_RE.search(body)
    if match is None:
        return None
    return match.group(1), match.group(2)


def _compose_body(body: str, commit: str, run_time: str) -> str:
    """Our marker on the first line, then the report without any marker it carried.

    Stripping markers from the report matters: the report may come from an
    untrusted artifact, and a forged marker with a far-future run time would
    otherwise lock the comment against every later update.
    """
    report = _MARKER_RE.sub("", body).strip("\n")
    head = marker(commit, run_time) + "\n"
    # Said in view too: when a later run posts nothing (it failed before its report), the comment
    # still shows whose numbers these are.
    tail = f"\n\n<sub>for commit {commit}</sub>\n"
    text = head + report + tail
    if len(text) > MAX_COMMENT_CHARS:
        keep = MAX_COMMENT_CHARS - len(head) - len(_TRUNCATION_NOTE) - len(tail) + 1
        cut, closers = report[:keep], ""
        while True:
            # Cut inside <details>, an HTML comment or a code fence, the note and the commit line
            # would be folded away, hidden or shown as code: close what the cut left open.
            closers = _closers(cut)
            if len(cut) + len(closers) <= keep:
                break
            cut = cut[: keep - len(closers)]
        text = head + cut + closers + _TRUNCATION_NOTE + tail[1:]
    return text


def _closers(markdown: str) -> str:
    """What closes the HTML comment, code fence and ``<details>`` blocks ``markdown`` leaves open."""
    closers = ""
    if markdown.rfind("<!--") > markdown.rfind("-->"):
        closers += " -->"
    if markdown.count("```") % 2:
        closers += "\n```"
    return closers + "\n</details>" * max(0, markdown.count("<details") - markdown.count("</details>"))


# --------------------------------------------------------------------------- HTTP


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, carrying the token only to the origin it was meant for.

    The token is attached as an *unredirected* header, which urllib never copies
    to a redirected request; this handler puts it back only when the new URL has
    the same scheme, host and port.
    """

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        auth = req.unredirected_hdrs.get("Authorization")
        if new is not None and auth is not None and _origin(newurl) == _origin(req.full_url):
            new.add_unredirected_header("Authorization", auth)
        return new


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


@dataclass(frozen=True)
class _Response:
    status: int
    headers: Mapping[str, str]
    data: Any


class _Client:
    """The few REST calls we need, with GitHub's recommended headers."""

    def __init__(self, api_url: str, token: str, timeout: float) -> None:
        base = api_url.rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise GitHubError(f"GitHub API URL {api_url!r} is not an http(s) URL")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
            raise GitHubError(f"refusing to send the GitHub token over plain http to {parts.hostname}; use https")
        if not token:
            raise GitHubError("no GitHub token: set GITHUB_TOKEN (e.g. env: GITHUB_TOKEN: ${{ github.token }})")
        self._base = base
        self._origin = _origin(base)
        self._token = token
        self._timeout = timeout
        self._opener = urllib.request.build_opener(_SameOriginRedirects())

    def url(self, path: str) -> str:
        return self._base + path

    def request(self, method: str, url: str, payload: Mapping[str, Any] | None = None) -> _Response:
        delays = _RETRY_DELAYS if method in _IDEMPOTENT else ()
        for delay in delays:
            try:
                return self._request_once(method, url, payload)
            except GitHubError as exc:
                if not exc.transient:
                    raise
            time.sleep(delay)
        return self._request_once(method, url, payload)

    def _request_once(self, method: str, url: str, payload: Mapping[str, Any] | None) -> _Response:
        if _origin(url) != self._origin:
            # A pagination link pointing elsewhere must not receive the token.
            raise GitHubError(
                f"GitHub answered with a link to another host ({urlsplit(url).hostname}); not following it"
            )
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", _USER_AGENT)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        req.add_unredirected_header("Authorization", f"Bearer {self._token}")
        what = f"{method} {urlsplit(url).path}"
        try:
            with self._opener.open(req, timeout=self._timeout) as resp:
                status = resp.status
                headers = {k.lower(): v for k, v in resp.headers.items()}
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            with exc:
                try:
                    detail = _api_message(exc.read())
                except (OSError, http.client.HTTPException):  # the error's body lost on the way
                    detail = ""
                spent = exc.headers.get("x-ratelimit-remaining") == "0" if exc.headers else False
            # A 429 always; a 403 that says so (a secondary limit) or whose quota is spent.
            limited = exc.code == 429 or (exc.code == 403 and (spent or "rate limit" in detail.lower()))
            raise GitHubError(
                _http_error_text(exc.code, what, detail, rate_limited=limited),
                exc.code,
                transient=exc.code in _TRANSIENT,
                rate_limited=limited,
            ) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            # HTTPException: the connection lost mid-answer (IncompleteRead) or a garbled status
            # line, which urllib does not wrap: as transient as a refused connection.
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else (str(exc) or type(exc).__name__)
            raise GitHubError(f"cannot reach the GitHub API for {what}: {reason}", transient=True) from None
        try:
            parsed = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            raise GitHubError(f"GitHub answered {what} with a body that is not JSON") from None
        return _Response(status=status, headers=headers, data=parsed)


def _api_message(raw: bytes) -> str:
    """GitHub's ``message`` field from an error body, if there is one."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""
    if not isinstance(data, dict):
        return ""
    message = str(data.get("message") or "")
    # A 422's message is only "Validation Failed": what failed is in its errors.
    errors = data.get("errors")
    if not isinstance(errors, list):
        errors = []
    said = [str(e.get("message") or e.get("code") or "") if isinstance(e, dict) else str(e) for e in errors]
    said = [text for text in said if text]
    if said:
        message = f"{message}: {'; '.join(said)}" if message else "; ".join(said)
    return message[:300]


def _http_error_text(status: int, what: str, detail: str, *, rate_limited: bool = False) -> str:
    said = f" (GitHub said: {detail})" if detail else ""
    if rate_limited:
        return (
            f"GitHub refused {what} with HTTP {status}{said}: the token's API rate limit is spent; "
            "run the job again later"
        )
    if status == 404 and what.startswith("GET "):
        return (
            f"GitHub found nothing at {what} (HTTP 404){said}: check the repository (--repo) and the pull "
            "request number (--pr); a private repository needs a token that can read it"
        )
    if status in (403, 404):
        return (
            f"GitHub refused {what} with HTTP {status}{said}. The token cannot write comments on this "
            "pull request. A pull_request workflow started from a fork only gets a read-only "
            "GITHUB_TOKEN: run the tests there, upload the report and the PR number as an artifact, "
            "and post the comment from a separate workflow_run workflow with "
            "'permissions: pull-requests: write' (see agent-cost-comment.yml). Otherwise, grant the "
            "job 'pull-requests: write' and check the repository and PR number."
        )
    if status == 401:
        return f"GitHub rejected the token for {what} with HTTP 401{said}: it is missing, expired or revoked."
    return f"GitHub answered {what} with HTTP {status}{said}"


def _next_link(headers: Mapping[str, str]) -> str | None:
    link = headers.get("link", "")
    for part in link.split(","):
        match = _LINK_NEXT_RE.search(part)
        if match:
            return match.group(1)
    return None


#: Who the token of GitHub Actions comments as.
ACTIONS_BOT = "github-actions[bot]"


def _token_login(client: _Client, bot: str) -> str:
    """Who the token comments as: its user's login (a personal access token), else ``bot``, for
    the token of GitHub Actions or of an app, which ``GET /user`` refuses (403)."""
    try:
        resp = client.request("GET", client.url("/user"))
    except GitHubError as exc:
        # A rate limit is no answer to who the token is: taken for the bot, a personal access token
        # would miss its own comment and post a second one.
        if exc.status == 403 and not exc.rate_limited:
            return bot
        raise  # a token GitHub rejects, or an API that fails: not a reason to comment anew
    login = resp.data.get("login") if isinstance(resp.data, dict) else None
    if not isinstance(login, str) or not login:
        raise GitHubError("GitHub's answer to GET /user names no login")
    return login


def _find_sticky(client: _Client, repo: str, pr_number: int, bot: str) -> tuple[int, str, str | None] | None:
    """``(id, body, html_url)`` of the oldest comment on the PR that the token wrote and that
    carries our marker. Anyone can paste the marker into a comment: only the token's own
    comments are ever edited."""
    login: str | None = None  # asked once a comment carries the marker
    url: str | None = client.url(f"/repos/{repo}/issues/{pr_number}/comments?per_page=100")
    seen: set[str] = set()
    while url is not None:
        if url in seen or len(seen) >= _MAX_PAGES:
            raise GitHubError(f"GitHub's comment pages for {repo}#{pr_number} do not end; giving up")
        seen.add(url)
        resp = client.request("GET", url)
        if not isinstance(resp.data, list):
            raise GitHubError(f"comments of {repo}#{pr_number} did not come as a JSON list")
        for item in resp.data:
            if not isinstance(item, dict):
                continue
            body = item.get("body")
            comment_id = item.get("id")
            # Comments come oldest first: the first of the token's own with the marker is the
            # one it created.
            if not (isinstance(body, str) and isinstance(comment_id, int) and parse_marker(body) is not None):
                continue
            login = login or _token_login(client, bot)
            if isinstance(item.get("user"), dict) and item["user"].get("login") == login:
                html_url = item.get("html_url")
                return comment_id, body, html_url if isinstance(html_url, str) else None
        url = _next_link(resp.headers)
    return None


def _comment_fields(resp: _Response, what: str) -> tuple[int, str | None]:
    data = resp.data
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise GitHubError(f"GitHub's answer to {what} has no comment id")
    html_url = data.get("html_url")
    return data["id"], html_url if isinstance(html_url, str) else None


def upsert_sticky_comment(
    *,
    api_url: str,
    repo: str,
    pr_number: int,
    token: str,
    body: str,
    commit: str,
    run_time: str,
    create_if_missing: bool = True,
    timeout: float = 10.0,
    bot: str = ACTIONS_BOT,
) -> CommentResult:
    """Create or update the one cost comment on pull request ``repo#pr_number``.

    The posted text is our :func:`marker` followed by ``body`` (any marker in
    ``body`` is removed; a body over GitHub's limit is truncated with a note).
    When the existing comment's marker has a *later* run time than
    ``run_time``, nothing is written (``skipped-older``): a slow older run must
    not replace a newer report. An identical text, marker included (the same run
    posting again), is not re-sent (``skipped-unchanged``); a new run's marker
    differs, so it always edits the comment, and the marker stays the newest run's.
    Without an existing comment, one is created unless
    ``create_if_missing`` is false (``skipped-no-comment``).

    The comment is the token's own: its user's for a personal access token, else ``bot``'s
    (``github-actions[bot]`` for the token of GitHub Actions; an app's bot login for an app's).

    Raises :class:`GitHubError` with a message that never contains the token.
    """
    if not _REPO_RE.fullmatch(repo):
        raise GitHubError(f"repository {repo!r} is not of the form OWNER/NAME")
    if pr_number < 1:
        raise GitHubError(f"pull request number must be 1 or more, not {pr_number}")
    ours = _parse_run_time(run_time)
    text = _compose_body(body, commit, run_time)
    client = _Client(api_url, token, timeout)

    found = _find_sticky(client, repo, pr_number, bot)
    if found is not None:
        comment_id, old_body, old_url = found
        old_marker = parse_marker(old_body)
        if old_marker is not None:
            try:
                theirs: datetime | None = _parse_run_time(old_marker[1])
            except GitHubError:
                theirs = None  # an unreadable marker cannot claim to be newer
            if theirs is not None and theirs > ours:
                return CommentResult("skipped-older", comment_id, old_url)
        if old_body == text:
            return CommentResult("skipped-unchanged", comment_id, old_url)
        what = f"update of comment {comment_id}"
        patch_url = client.url(f"/repos/{repo}/issues/comments/{comment_id}")
        try:
            resp = client.request("PATCH", patch_url, {"body": text})
        except GitHubError as exc:
            # Deleted since it was listed (a 404 where the listing just showed it): post a new one.
            if exc.status != 404:
                raise
        else:
            new_id, new_url = _comment_fields(resp, what)
            return CommentResult("updated", new_id, new_url or old_url)

    if not create_if_missing:
        return CommentResult("skipped-no-comment", None, None)
    resp = client.request("POST", client.url(f"/repos/{repo}/issues/{pr_number}/comments"), {"body": text})
    new_id, new_url = _comment_fields(resp, f"new comment on {repo}#{pr_number}")
    return CommentResult("created", new_id, new_url)


# --------------------------------------------------------------------------- CLI


def _event_payload(environ: Mapping[str, str]) -> Mapping[str, Any]:
    path = environ.get("GITHUB_EVENT_PATH", "")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise GitHubError(f"cannot read the GitHub event payload {path}: {exc}") from None
    return data if isinstance(data, dict) else {}


def _nested(data: Mapping[str, Any], *keys: str) -> Any:
    value: Any = data
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _parse_pr(text: str) -> int:
    # The number may come from an artifact a pull request wrote: accept digits only.
    value = text.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10 or int(value) < 1:
        raise GitHubError(f"pull request number {text!r} is not a positive whole number")
    return int(value)


def _now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentcost comment",
        description=(
            "Create or update the sticky cost comment on a pull request. Reads GITHUB_TOKEN, "
            f"GITHUB_API_URL (default {DEFAULT_API_URL}; GitHub Enterprise Server: https://HOST/api/v3), "
            "GITHUB_REPOSITORY, GITHUB_SHA and GITHUB_EVENT_PATH. In a workflow_run "
            "workflow pass --pr (e.g. read from the artifact) and --commit. "
            "Exit status: 0 created, updated or skipped; 2 on any error."
        ),
    )
    parser.add_argument("--body-file", required=True, help="markdown file with the report")
    parser.add_argument("--repo", help="OWNER/NAME (default: $GITHUB_REPOSITORY)")
    parser.add_argument("--pr", help="pull request number (default: pull_request.number of the event)")
    parser.add_argument("--commit", help="commit the report is for (default: the PR head sha, then $GITHUB_SHA)")
    parser.add_argument(
        "--run-time",
        help="ISO 8601 UTC start time of the run the report comes from (default: now); a comment "
        "from a later run is never overwritten",
    )
    parser.add_argument("--no-create", action="store_true", help="only update an existing comment, never create one")
    parser.add_argument(
        "--bot",
        default=ACTIONS_BOT,
        metavar="LOGIN",
        help=f"who an app's token comments as, e.g. 'my-app[bot]' (default: {ACTIONS_BOT}, the token of "
        "GitHub Actions); a personal access token comments as its user",
    )
    return parser


def comment_main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    """``agentcost comment``: post the report; 0 when done or skipped, 2 on any error.

    Exit 1 is what the other ``agentcost`` commands give for what they found (a cost regression,
    credentials in a cassette); posting a comment finds nothing, so an error of any kind, a bad
    option as well as an API that refuses or cannot be reached, is 2, as for them.
    """
    args = _build_parser().parse_args(list(argv) if argv is not None else None)
    try:
        try:
            with open(args.body_file, encoding="utf-8") as handle:
                body = handle.read()
        except OSError as exc:
            raise GitHubError(f"cannot read --body-file {args.body_file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:  # an artifact of a pull request: anything may be in it
            raise GitHubError(f"--body-file {args.body_file} is not UTF-8 text ({exc.reason})") from None
        payload = _event_payload(environ)
        repo = args.repo or environ.get("GITHUB_REPOSITORY", "")
        if not repo:
            raise GitHubError("no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY")
        if args.pr is not None:
            pr_number = _parse_pr(args.pr)
        else:
            number = _nested(payload, "pull_request", "number")
            if not isinstance(number, int):
                raise GitHubError(
                    "no pull request number: pass --pr N (a workflow_run workflow must read it from "
                    "the artifact the pull_request workflow uploaded)"
                )
            pr_number = _parse_pr(str(number))
        commit = (
            args.commit
            or _nested(payload, "pull_request", "head", "sha")
            or _nested(payload, "workflow_run", "head_sha")
            or environ.get("GITHUB_SHA", "")
        )
        if not isinstance(commit, str) or not commit:
            raise GitHubError("no commit: pass --commit SHA or set GITHUB_SHA")
        result = upsert_sticky_comment(
            api_url=environ.get("GITHUB_API_URL") or DEFAULT_API_URL,
            repo=repo,
            pr_number=pr_number,
            token=environ.get("GITHUB_TOKEN", ""),
            body=body,
            commit=commit,
            run_time=args.run_time or _now_utc(),
            create_if_missing=not args.no_create,
            bot=args.bot,
        )
    except AgentCostError as exc:
        print(f"agentcost comment: error: {exc}", file=sys.stderr)
        return 2
    where = f" {result.url}" if result.url else ""
    print(f"agentcost comment: {result.action}{where}")
    return 0
