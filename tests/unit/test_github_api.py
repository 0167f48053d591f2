"""The sticky PR comment client, against a real fake GitHub REST API on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from pytest_agentcost import cli, github_api
from pytest_agentcost.errors import AgentCostError
from pytest_agentcost.github_api import (
    MAX_COMMENT_CHARS,
    CommentResult,
    GitHubError,
    comment_main,
    marker,
    parse_marker,
    upsert_sticky_comment,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

TOKEN = "ghs_FAKEtoken0123456789abcdefSECRET"
REPO = "octo/agent"
PR = 7
T_1900 = "2026-11-28T19:00:00Z"
T_1800 = "2026-11-28T18:00:00Z"
T_2000 = "2026-11-28T20:00:00Z"


@dataclass
class Seen:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeGitHub:
    """Just enough of the issue-comments REST API, with knobs for failure cases."""

    page_size: int = 100
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    force_status: int | None = None
    force_message: str = ""
    force_headers: dict[str, str] = field(default_factory=dict)
    write_status: int | None = None
    """Forces every POST and PATCH to answer with this status (and ``force_message``)."""
    next_link_override: str | None = None
    endless: bool = False
    """Every page links a next one."""
    redirect_to: str | None = None
    base: str = ""
    identity_status: int | None = None
    """Forces GET /user to answer with this status (and ``identity_message``, ``identity_headers``)."""
    identity_message: str = "Server Error"
    identity_headers: dict[str, str] = field(default_factory=dict)
    identity_asked: list[str] = field(default_factory=list)
    """The Authorization header of each GET /user."""
    viewer: str | None = None
    """The login of a personal access token; ``None``: the token of GitHub Actions (GET /user is 403)."""
    _next_id: int = 1000

    def token_user(self) -> dict[str, str]:
        """Who the token comments as."""
        return (
            {"login": self.viewer, "type": "User"} if self.viewer else {"login": "github-actions[bot]", "type": "Bot"}
        )

    def add(self, pr: int, body: str, user: dict[str, str] | None = None) -> int:
        """A comment, by the token's user unless ``user`` says otherwise."""
        self._next_id += 1
        self.comments.setdefault(pr, []).append(
            {
                "id": self._next_id,
                "body": body,
                "html_url": f"https://github.com/{REPO}/pull/{pr}#issuecomment-{self._next_id}",
                "user": user or self.token_user(),
            }
        )
        return self._next_id

    def bodies(self, pr: int) -> list[str]:
        return [c["body"] for c in self.comments.get(pr, [])]

    def methods(self) -> list[str]:
        return [f"{s.method} {s.path}" for s in self.seen]

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, dict[str, str], Any]:
        if self.redirect_to is not None:
            return 307, {"Location": self.redirect_to + path}, None
        if self.force_status is not None:
            return self.force_status, self.force_headers, {"message": self.force_message}
        if self.write_status is not None and method in ("POST", "PATCH"):
            return self.write_status, {}, {"message": self.force_message}
        if method == "GET" and path == "/user":
            if self.identity_status is not None:
                return self.identity_status, self.identity_headers, {"message": self.identity_message}
            if self.viewer is None:
                return 403, {}, {"message": "Resource not accessible by integration"}
            return 200, {}, self.token_user()
        parts = path.strip("/").split("/")
        # /repos/{o}/{r}/issues/{n}/comments
        if method == "GET" and len(parts) == 6 and parts[3] == "issues" and parts[5] == "comments":
            items = self.comments.get(int(parts[4]), [])
            page = int(query.get("page", ["1"])[0])
            chunk = items[(page - 1) * self.page_size : page * self.page_size]
            headers: dict[str, str] = {}
            if page * self.page_size < len(items):
                headers["Link"] = (
                    f'<{self.base}{path}?per_page=100&page={page + 1}>; rel="next", '
                    f'<{self.base}{path}?per_page=100&page=99>; rel="last"'
                )
            if self.next_link_override is not None:
                headers["Link"] = f'<{self.next_link_override}>; rel="next"'
            if self.endless:
                headers["Link"] = f'<{self.base}{path}?per_page=100&page={page + 1}>; rel="next"'
            return 200, headers, chunk
        if method == "POST" and len(parts) == 6 and parts[3] == "issues" and parts[5] == "comments":
            new_id = self.add(int(parts[4]), body["body"])
            return 201, {}, self.comments[int(parts[4])][-1] | {"id": new_id}
        # /repos/{o}/{r}/issues/comments/{id}
        if method == "PATCH" and len(parts) == 6 and parts[3] == "issues" and parts[4] == "comments":
            for items in self.comments.values():
                for item in items:
                    if item["id"] == int(parts[5]):
                        item["body"] = body["body"]
                        return 200, {}, item
            return 404, {}, {"message": "Not Found"}
        return 404, {}, {"message": "Not Found"}


#: A handler's answer body that the connection loses part-way (http.client's IncompleteRead).
LOST_MID_ANSWER: Any = object()


def _serve(fake: FakeGitHub) -> Iterator[FakeGitHub]:
    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            # Who the token is, asked before each comment, is counted apart: `seen` is the comments API.
            if url.path == "/user":
                fake.identity_asked.append(self.headers.get("Authorization", ""))
            else:
                fake.seen.append(
                    Seen(
                        self.command,
                        url.path,
                        parse_qs(url.query),
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                    )
                )
            status: int
            headers: dict[str, str]
            data: Any
            if self.headers.get("Authorization") != f"Bearer {TOKEN}" and fake.redirect_to is None:
                status, headers, data = 401, {}, {"message": "Bad credentials"}
            else:
                status, headers, data = fake.handle(self.command, url.path, parse_qs(url.query), body)
            if data is LOST_MID_ANSWER:
                # The connection drops part-way through the body it announced.
                self.send_response(status)
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.write(b'[{"id":')
                self.close_connection = True
                return
            out = b"" if data is None else json.dumps(data).encode()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PATCH = _any

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def _no_retry_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(github_api, "_RETRY_DELAYS", (0.0, 0.0))


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """A fake GitHub API on an ephemeral 127.0.0.1 port."""
    yield from _serve(FakeGitHub())


@pytest.fixture
def elsewhere() -> Iterator[FakeGitHub]:
    """A second fake server: another origin, which must never see the token."""
    yield from _serve(FakeGitHub())


def _upsert(fake: FakeGitHub, body: str, run_time: str, **kwargs: Any) -> CommentResult:
    return upsert_sticky_comment(
        api_url=fake.base,
        repo=REPO,
        pr_number=PR,
        token=TOKEN,
        body=body,
        commit=kwargs.pop("commit", "abc123"),
        run_time=run_time,
        timeout=5.0,
        **kwargs,
    )


def _url(comment_id: int) -> str:
    return f"https://github.com/{REPO}/pull/{PR}#issuecomment-{comment_id}"


# --------------------------------------------------------------------------- marker


@pytest.mark.parametrize(
    ("commit", "run_time", "expected"),
    [
        ("abc", T_1900, "<!-- pytest-agentcost:sticky commit=abc run=2026-11-28T19:00:00Z -->"),
        (
            "0123456789abcdef0123456789abcdef01234567",
            "2026-11-28T19:00:00+00:00",
            "<!-- pytest-agentcost:sticky commit=0123456789abcdef0123456789abcdef01234567 "
            "run=2026-11-28T19:00:00+00:00 -->",
        ),
    ],
)
def test_marker_round_trip(commit: str, run_time: str, expected: str) -> None:
    assert marker(commit, run_time) == expected
    assert parse_marker(f"# Report\n{expected}\n| a |") == (commit, run_time)


@pytest.mark.parametrize(
    "body",
    ["", "no marker here", "<!-- pytest-agentcost -->", "<!-- pytest-agentcost:sticky commit=a -->"],
)
def test_parse_marker_none(body: str) -> None:
    assert parse_marker(body) is None


@pytest.mark.parametrize(
    ("commit", "run_time", "message"),
    [
        ("abc", "yesterday", "run time 'yesterday' is not an ISO 8601 time such as 2026-11-28T19:00:00Z"),
        (
            "abc",
            "2026-11-28T19:00:00",
            "run time '2026-11-28T19:00:00' has no time zone; give it in UTC, e.g. 2026-11-28T19:00:00Z",
        ),
        ("abc", "2026-11-28 19:00:00Z", "run time '2026-11-28 19:00:00Z' must not contain spaces"),
        ("ab c", T_1900, "commit 'ab c' is not a commit id (letters, digits, '.', '_', '-')"),
        ("x-->", T_1900, "commit 'x-->' is not a commit id (letters, digits, '.', '_', '-')"),
    ],
)
def test_marker_rejects(commit: str, run_time: str, message: str) -> None:
    with pytest.raises(GitHubError) as info:
        marker(commit, run_time)
    assert str(info.value) == message
    assert isinstance(info.value, AgentCostError)


def test_comment_result_round_trip() -> None:
    result = CommentResult("updated", 5, "https://x")
    assert result.to_dict() == {"action": "updated", "comment_id": 5, "url": "https://x"}
    assert CommentResult.from_dict(result.to_dict()) == result


# --------------------------------------------------------------------------- upsert


def test_create_then_update_in_place(github: FakeGitHub) -> None:
    first = _upsert(github, "## Agent cost\n$0.10\n", T_1900)

    assert first == CommentResult("created", 1001, _url(1001))
    assert github.bodies(PR) == [
        "<!-- pytest-agentcost:sticky commit=abc123 run=2026-11-28T19:00:00Z -->\n## Agent cost\n$0.10\n"
        "\n<sub>for commit abc123</sub>\n"  # in view, for when a later run posts nothing
    ]
    assert github.methods() == [
        f"GET /repos/{REPO}/issues/{PR}/comments",
        f"POST /repos/{REPO}/issues/{PR}/comments",
    ]
    assert github.seen[0].query == {"per_page": ["100"]}
    headers = github.seen[1].headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"
    assert headers["user-agent"].startswith("pytest-agentcost/")
    assert headers["content-type"] == "application/json"

    second = _upsert(github, "## Agent cost\n$0.12\n", T_2000, commit="def456")

    assert second == CommentResult("updated", 1001, _url(1001))
    assert github.bodies(PR) == [
        "<!-- pytest-agentcost:sticky commit=def456 run=2026-11-28T20:00:00Z -->\n## Agent cost\n$0.12\n"
        "\n<sub>for commit def456</sub>\n"
    ]
    assert github.methods()[2:] == [
        f"GET /repos/{REPO}/issues/{PR}/comments",
        f"PATCH /repos/{REPO}/issues/comments/1001",
    ]


def test_unchanged_body_is_not_resent(github: FakeGitHub) -> None:
    _upsert(github, "report", T_1900)
    result = _upsert(github, "report", T_1900)
    assert result == CommentResult("skipped-unchanged", 1001, _url(1001))
    assert [s.method for s in github.seen] == ["GET", "POST", "GET"]


def test_pagination_across_three_pages(github: FakeGitHub) -> None:
    github.page_size = 2
    for n in range(5):
        github.add(PR, f"human comment {n}")
    ours = github.add(PR, marker("old", T_1800) + "\nold report\n")

    result = _upsert(github, "new report", T_1900)

    assert result == CommentResult("updated", ours, _url(ours))
    assert [(s.method, s.query.get("page")) for s in github.seen] == [
        ("GET", None),
        ("GET", ["2"]),
        ("GET", ["3"]),
        ("PATCH", None),
    ]
    assert github.bodies(PR)[:5] == [f"human comment {n}" for n in range(5)]
    assert github.bodies(PR)[5] == marker("abc123", T_1900) + "\nnew report\n\n<sub>for commit abc123</sub>\n"


def test_older_run_never_overwrites_newer_comment(github: FakeGitHub) -> None:
    newer = marker("new", T_1900) + "\nnewer report\n"
    comment_id = github.add(PR, newer)

    result = _upsert(github, "late, older report", T_1800, commit="old")

    assert result == CommentResult("skipped-older", comment_id, _url(comment_id))
    assert github.bodies(PR) == [newer]
    assert [s.method for s in github.seen] == ["GET"]


def test_comment_pages_that_never_end_are_given_up(github: FakeGitHub) -> None:
    # Each page links another: the client stops after 100 pages rather than loop for ever.
    github.endless = True
    with pytest.raises(GitHubError, match=r"comment pages for octo/agent#7 do not end; giving up"):
        _upsert(github, "report", T_1900)
    assert len(github.seen) == 100
    assert github.comments == {}


REVIEWER = {"login": "reviewer", "type": "User"}
OTHER_BOT = {"login": "other-app[bot]", "type": "Bot"}


@pytest.mark.parametrize("viewer", [None, "ci-user"], ids=["actions-token", "personal-token"])
def test_only_the_tokens_own_comment_is_edited(github: FakeGitHub, viewer: str | None) -> None:
    github.viewer = viewer
    # Anyone can paste the marker: a reviewer quoting an old report, someone freezing the comment
    # with a far-future run time, another user or bot. None of them is the sticky comment.
    quoted = github.add(PR, marker("abc", T_1800) + "\n> quoted report", user=REVIEWER)
    frozen = github.add(PR, marker("abc", "2999-01-01T00:00:00Z") + "\nfrozen", user=REVIEWER)
    github.add(PR, marker("abc", "2999-01-01T00:00:00Z") + "\nanother app's", user=OTHER_BOT)
    if viewer is None:
        github.add(PR, marker("abc", T_1800) + "\nci-user's", user={"login": "ci-user", "type": "User"})
    before = github.bodies(PR)

    created = _upsert(github, "report", T_1900)

    assert created.action == "created"
    assert github.bodies(PR)[: len(before)] == before
    assert created.comment_id not in (quoted, frozen)
    updated = _upsert(github, "report 2", T_2000)
    assert (updated.action, updated.comment_id) == ("updated", created.comment_id)
    assert github.comments[PR][-1]["user"] == github.token_user()
    assert github.identity_asked == [f"Bearer {TOKEN}"] * 2


def test_an_apps_token_edits_the_comment_of_the_bot_it_names(github: FakeGitHub) -> None:
    # An app's token comments as its bot; GET /user refuses it (403), as the Actions token's.
    app = {"login": "cost-app[bot]", "type": "Bot"}
    theirs = github.add(PR, marker("abc", T_1800) + "\nold", user=app)
    assert _upsert(github, "report", T_1900).action == "created"  # as github-actions[bot]: not its own
    updated = _upsert(github, "report", T_2000, bot="cost-app[bot]")
    assert (updated.action, updated.comment_id) == ("updated", theirs)


@pytest.mark.parametrize(
    ("status", "message", "headers", "error"),
    [
        (502, "Server Error", {}, r"^GitHub answered GET /user with HTTP 502"),
        (429, "Too Many Requests", {}, r"^GitHub refused GET /user with HTTP 429.*rate limit is spent"),
        # Hardening 4: a 403 for a rate limit was taken for "a bot's token", and a personal access
        # token posted a second comment beside its own.
        (
            403,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            {"retry-after": "60"},
            r"^GitHub refused GET /user with HTTP 403.*rate limit is spent",
        ),
        (403, "Forbidden", {"x-ratelimit-remaining": "0"}, r"^GitHub refused GET /user with HTTP 403.*rate limit"),
    ],
)
def test_a_failing_identity_lookup_is_an_error_not_a_new_comment(
    github: FakeGitHub, status: int, message: str, headers: dict[str, str], error: str
) -> None:
    # Only a 403 that is not a rate limit means "a bot's token": anything else must not hide the
    # token's own comment and make it comment again.
    github.viewer = "ci-user"
    github.add(PR, marker("abc", T_1800) + "\nold", user={"login": "ci-user", "type": "User"})
    github.identity_status = status
    github.identity_message = message
    github.identity_headers = headers
    with pytest.raises(GitHubError, match=error):
        _upsert(github, "report", T_1900)
    assert len(github.comments[PR]) == 1


@pytest.mark.parametrize(
    ("existing_run", "expected_action"),
    [
        (T_1900, "updated"),  # the same run time is not newer: a re-run of the same run updates
        ("2026-11-28T19:30:00+01:00", "updated"),  # 18:30 UTC: offsets are compared as instants
        ("2026-11-28T19:30:00-01:00", "skipped-older"),  # 20:30 UTC
        ("garbage", "updated"),  # an unreadable marker cannot claim to be newer
    ],
)
def test_run_time_comparison(github: FakeGitHub, existing_run: str, expected_action: str) -> None:
    comment_id = github.add(PR, f"<!-- pytest-agentcost:sticky commit=a run={existing_run} -->\nold")
    result = _upsert(github, "new", T_1900)
    assert result == CommentResult(expected_action, comment_id, _url(comment_id))  # type: ignore[arg-type]


def test_no_create_leaves_the_pr_alone(github: FakeGitHub) -> None:
    github.add(PR, "unrelated")
    result = _upsert(github, "report", T_1900, create_if_missing=False)
    assert result == CommentResult("skipped-no-comment", None, None)
    assert [s.method for s in github.seen] == ["GET"]
    assert github.bodies(PR) == ["unrelated"]


def test_forged_marker_in_report_is_stripped(github: FakeGitHub) -> None:
    forged = "<!-- pytest-agentcost:sticky commit=evil run=2999-01-01T00:00:00Z -->"
    _upsert(github, f"{forged}\nreport\n{forged}", T_1900)
    assert github.bodies(PR) == [marker("abc123", T_1900) + "\nreport\n\n<sub>for commit abc123</sub>\n"]
    # ... so the next real run can still update it.
    assert _upsert(github, "next", T_2000).action == "updated"


def test_oversized_report_is_truncated_to_githubs_limit(github: FakeGitHub) -> None:
    _upsert(github, "x" * (MAX_COMMENT_CHARS + 10), T_1900)
    (body,) = github.bodies(PR)
    assert len(body) == MAX_COMMENT_CHARS
    # The commit it is for stays in view after the cut.
    assert body.endswith(
        "\n\n_… report truncated: GitHub limits a comment to 65536 characters._\n\n<sub>for commit abc123</sub>\n"
    )
    assert body.startswith(marker("abc123", T_1900) + "\nxxx")


@pytest.mark.parametrize(
    ("opening", "closer"),
    [("<details><summary>more</summary>\n\n", "\n</details>"), ("<!-- ", " -->"), ("```\n", "\n```")],
    ids=["details", "comment", "fence"],
)
def test_a_cut_inside_an_open_block_closes_it_so_the_note_stays_in_view(
    github: FakeGitHub, opening: str, closer: str
) -> None:
    # Hardening: a body from elsewhere (a PR's artifact) cut inside <details> folded the note and
    # the commit line away; inside an HTML comment it hid them.
    _upsert(github, "head\n" + opening + "y" * MAX_COMMENT_CHARS, T_1900)
    (body,) = github.bodies(PR)
    assert len(body) <= MAX_COMMENT_CHARS
    assert body.endswith(
        closer
        + "\n\n_… report truncated: GitHub limits a comment to 65536 characters._\n\n<sub>for commit abc123</sub>\n"
    )


@pytest.mark.parametrize(("status", "method"), [(403, "GET"), (403, "POST"), (404, "POST")])
def test_forbidden_explains_the_fork_case(github: FakeGitHub, status: int, method: str) -> None:
    if method == "GET":
        github.force_status = status
    else:
        github.write_status = status
    github.force_message = "Resource not accessible by integration"
    with pytest.raises(GitHubError) as info:
        _upsert(github, "report", T_1900)
    message = str(info.value)
    assert message.startswith(
        f"GitHub refused {method} /repos/{REPO}/issues/{PR}/comments with HTTP {status} "
        "(GitHub said: Resource not accessible by integration). The token cannot write comments"
    )
    assert "fork only gets a read-only GITHUB_TOKEN" in message
    assert "workflow_run" in message
    assert TOKEN not in message
    assert info.value.__cause__ is None  # no chained HTTPError carrying request details


@pytest.mark.parametrize(
    ("status", "api_message", "expected"),
    [
        (
            401,
            "Bad credentials",
            "GitHub rejected the token for GET /repos/octo/agent/issues/7/comments "
            "with HTTP 401 (GitHub said: Bad credentials): it is missing, expired or revoked.",
        ),
        (500, "", "GitHub answered GET /repos/octo/agent/issues/7/comments with HTTP 500"),
        (
            422,
            "Validation Failed",
            "GitHub answered GET /repos/octo/agent/issues/7/comments with HTTP 422 (GitHub said: Validation Failed)",
        ),
    ],
)
def test_other_http_errors(github: FakeGitHub, status: int, api_message: str, expected: str) -> None:
    github.force_status = status
    github.force_message = api_message
    with pytest.raises(GitHubError) as info:
        _upsert(github, "report", T_1900)
    assert str(info.value) == expected


def test_next_link_to_another_origin_is_not_followed(github: FakeGitHub, elsewhere: FakeGitHub) -> None:
    github.add(PR, "unrelated")
    github.next_link_override = f"{elsewhere.base}/steal?page=2"
    with pytest.raises(GitHubError) as info:
        _upsert(github, "report", T_1900)
    assert str(info.value) == "GitHub answered with a link to another host (127.0.0.1); not following it"
    assert elsewhere.seen == []


def test_redirect_to_another_origin_drops_the_token(github: FakeGitHub, elsewhere: FakeGitHub) -> None:
    github.redirect_to = elsewhere.base
    with pytest.raises(GitHubError) as info:
        _upsert(github, "report", T_1900)
    # The other origin got the request but no credentials, and rejected it.
    assert [s.path for s in elsewhere.seen] == [f"/repos/{REPO}/issues/{PR}/comments"]
    assert "authorization" not in elsewhere.seen[0].headers
    assert str(info.value).startswith("GitHub rejected the token for GET")


def test_unreachable_server() -> None:
    with pytest.raises(GitHubError) as info:
        upsert_sticky_comment(
            api_url="http://127.0.0.1:9",  # discard port: nothing listens
            repo=REPO,
            pr_number=PR,
            token=TOKEN,
            body="b",
            commit="c",
            run_time=T_1900,
            timeout=2.0,
        )
    assert str(info.value).startswith(f"cannot reach the GitHub API for GET /repos/{REPO}/issues/{PR}/comments: ")
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"api_url": "http://api.example.com"},
            "refusing to send the GitHub token over plain http to api.example.com; use https",
        ),
        ({"api_url": "ftp://api.github.com"}, "GitHub API URL 'ftp://api.github.com' is not an http(s) URL"),
        ({"token": ""}, "no GitHub token: set GITHUB_TOKEN (e.g. env: GITHUB_TOKEN: ${{ github.token }})"),
        ({"repo": "octo"}, "repository 'octo' is not of the form OWNER/NAME"),
        ({"repo": "octo/agent/../x"}, "repository 'octo/agent/../x' is not of the form OWNER/NAME"),
        ({"pr_number": 0}, "pull request number must be 1 or more, not 0"),
        ({"run_time": "soon"}, "run time 'soon' is not an ISO 8601 time such as 2026-11-28T19:00:00Z"),
    ],
)
def test_bad_settings_fail_before_any_request(overrides: dict[str, Any], message: str) -> None:
    kwargs: dict[str, Any] = {
        "api_url": "https://api.github.com",
        "repo": REPO,
        "pr_number": PR,
        "token": TOKEN,
        "body": "b",
        "commit": "c",
        "run_time": T_1900,
    } | overrides
    with pytest.raises(GitHubError) as info:
        upsert_sticky_comment(**kwargs)
    assert str(info.value) == message


# --------------------------------------------------------------------------- CLI


def _env(fake: FakeGitHub, **extra: str) -> dict[str, str]:
    return {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": fake.base,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_SHA": "mergesha",
    } | extra


def _body_file(tmp_path: Path, text: str = "## Agent cost\n") -> str:
    path = tmp_path / "cost.md"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_reads_pr_and_head_sha_from_pull_request_event(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": PR, "head": {"sha": "headsha"}}}), encoding="utf-8")
    env = _env(github, GITHUB_EVENT_PATH=str(event))

    code = comment_main(["--body-file", _body_file(tmp_path), "--run-time", T_1900], env)

    assert code == 0
    assert capsys.readouterr().out == f"agentcost comment: created {_url(1001)}\n"
    # The PR head, not GITHUB_SHA (the merge commit of a pull_request event).
    assert github.bodies(PR) == [marker("headsha", T_1900) + "\n## Agent cost\n\n<sub>for commit headsha</sub>\n"]


def test_cli_workflow_run_style_flags(github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    comment_id = github.add(12, marker("a", T_1800) + "\nold")
    args = ["--body-file", _body_file(tmp_path), "--pr", "12\n", "--commit", "cafe", "--run-time", T_1900]

    assert comment_main(args, _env(github)) == 0
    out = capsys.readouterr().out
    assert out == f"agentcost comment: updated https://github.com/{REPO}/pull/12#issuecomment-{comment_id}\n"
    assert github.bodies(12) == [marker("cafe", T_1900) + "\n## Agent cost\n\n<sub>for commit cafe</sub>\n"]


def test_cli_no_create(github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--body-file", _body_file(tmp_path), "--pr", "7", "--no-create", "--run-time", T_1900]
    assert comment_main(args, _env(github)) == 0
    assert capsys.readouterr().out == "agentcost comment: skipped-no-comment\n"
    assert github.comments == {}


@pytest.mark.parametrize(
    ("args", "env_changes", "message"),
    [
        (["--pr", "7; rm -rf /"], {}, "pull request number '7; rm -rf /' is not a positive whole number"),
        (["--pr", "-3"], {}, "pull request number '-3' is not a positive whole number"),
        (["--pr", "٣"], {}, "pull request number '٣' is not a positive whole number"),
        (
            [],
            {},
            "no pull request number: pass --pr N (a workflow_run workflow must read it from the "
            "artifact the pull_request workflow uploaded)",
        ),
        (
            ["--pr", "7"],
            {"GITHUB_REPOSITORY": ""},
            "no repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY",
        ),
        (
            ["--pr", "7"],
            {"GITHUB_TOKEN": ""},
            "no GitHub token: set GITHUB_TOKEN (e.g. env: GITHUB_TOKEN: ${{ github.token }})",
        ),
    ],
)
def test_cli_errors(
    github: FakeGitHub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    env_changes: dict[str, str],
    message: str,
) -> None:
    env = _env(github) | env_changes
    assert comment_main(["--body-file", _body_file(tmp_path), *args], env) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"agentcost comment: error: {message}\n"
    assert github.seen == []


def test_cli_missing_body_file(github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.md"
    assert comment_main(["--body-file", str(missing), "--pr", "7"], _env(github)) == 2
    assert capsys.readouterr().err == (
        f"agentcost comment: error: cannot read --body-file {missing}: No such file or directory\n"
    )


def test_cli_body_file_that_is_not_utf8(github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The body comes from a pull request's artifact: anything may be in it, never a traceback.
    body = tmp_path / "cost.md"
    body.write_bytes(b"\xff\xfe{}")
    assert comment_main(["--body-file", str(body), "--pr", "7"], _env(github)) == 2
    assert capsys.readouterr().err == (
        f"agentcost comment: error: --body-file {body} is not UTF-8 text (invalid start byte)\n"
    )
    assert github.seen == []


def test_cli_token_never_in_output(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    github.force_status = 403
    github.force_message = "Resource not accessible by integration"
    args = ["--body-file", _body_file(tmp_path), "--pr", "7"]

    assert comment_main(args, _env(github)) == 2

    captured = capsys.readouterr()
    assert "HTTP 403" in captured.err
    assert "workflow_run" in captured.err
    for text in (captured.out, captured.err, caplog.text):
        assert TOKEN not in text
        assert TOKEN[8:] not in text
    # The token did reach the API, only in the Authorization header.
    assert [s.headers["authorization"] for s in github.seen] == [f"Bearer {TOKEN}"]


def test_cli_every_error_is_exit_2_as_for_the_other_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1 is what compare and scan give for what they find; a comment that could not be posted is an error.
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": "http://127.0.0.1:9", "GITHUB_REPOSITORY": REPO}
    args = ["--body-file", _body_file(tmp_path), "--pr", "7", "--commit", "abc123"]
    assert comment_main(args, env) == 2  # the discard port: nothing listens
    assert capsys.readouterr().err.startswith("agentcost comment: error: cannot reach the GitHub API for GET ")
    for name in ("GITHUB_EVENT_PATH", "GITHUB_TOKEN", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    # Through the agentcost entry point, as a workflow calls it: no pull request number.
    assert cli.main(["comment", *args[:2]]) == 2
    assert "agentcost comment: error: no pull request number" in capsys.readouterr().err


def test_a_listing_that_finds_nothing_says_to_check_the_repository_and_pr(github: FakeGitHub) -> None:
    # Review 37: a wrong --repo or --pr was explained as a fork's read-only token.
    github.force_status = 404
    github.force_message = "Not Found"
    with pytest.raises(GitHubError) as info:
        _upsert(github, "report", T_1900)
    message = str(info.value)
    assert message.startswith(f"GitHub found nothing at GET /repos/{REPO}/issues/{PR}/comments (HTTP 404)")
    assert "check the repository (--repo) and the pull request number (--pr)" in message
    assert "fork" not in message


@pytest.mark.parametrize(
    ("status", "message", "headers"),
    [
        (403, "API rate limit exceeded for installation ID 1.", {}),
        (429, "API rate limit exceeded for installation ID 1.", {}),
        (403, "Forbidden", {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1764360000"}),
    ],
)
def test_a_spent_rate_limit_says_so(github: FakeGitHub, status: int, message: str, headers: dict[str, str]) -> None:
    github.force_status = status
    github.force_message = message
    github.force_headers = headers
    with pytest.raises(GitHubError) as info:
        _upsert(github, "report", T_1900)
    assert "the token's API rate limit is spent; run the job again later" in str(info.value)
    assert "fork" not in str(info.value)


def test_a_sticky_comment_deleted_meanwhile_is_posted_again(github: FakeGitHub) -> None:
    # Review 37: the update's 404 ended the job (exit 2) with the fork advice.
    assert _upsert(github, "old report", T_1800).action == "created"
    original = github.handle

    def deleted_on_patch(method: str, path: str, query: dict[str, list[str]], body: Any) -> Any:
        if method == "PATCH":
            github.comments[PR] = []  # someone deleted it after it was listed
            return 404, {}, {"message": "Not Found"}
        return original(method, path, query, body)

    github.handle = deleted_on_patch  # type: ignore[method-assign]
    result = _upsert(github, "report", T_1900)
    assert result.action == "created"
    assert [m.split()[0] for m in github.methods()][-2:] == ["PATCH", "POST"]
    assert len(github.bodies(PR)) == 1
    assert "report" in github.bodies(PR)[0]


def _answer_first(github: FakeGitHub, counts: dict[str, int], answer: Any) -> dict[str, int]:
    """Make ``github`` give ``answer`` to the next ``counts[method]`` requests of each method; the
    counts are returned for a test to raise again."""
    original = github.handle

    def handle(method: str, path: str, query: dict[str, list[str]], body: Any) -> Any:
        if counts.get(method):
            counts[method] -= 1
            return answer
        return original(method, path, query, body)

    github.handle = handle  # type: ignore[method-assign]
    return counts


def test_a_passing_server_error_is_retried_on_reads_and_edits_not_on_creates(github: FakeGitHub) -> None:
    # Hardening 4: one 502 from GitHub, which the same request a moment later does not get, ended
    # the comment job (exit 2).
    failures = _answer_first(github, {"GET": 2, "PATCH": 1, "POST": 1}, (502, {}, None))
    # A create may have been made though its answer was lost: it is not sent twice.
    with pytest.raises(GitHubError) as info:
        _upsert(github, "report", T_1800)
    assert str(info.value) == f"GitHub answered POST /repos/{REPO}/issues/{PR}/comments with HTTP 502"
    assert github.methods() == [f"GET /repos/{REPO}/issues/{PR}/comments"] * 3 + [
        f"POST /repos/{REPO}/issues/{PR}/comments"
    ]
    assert _upsert(github, "report", T_1800).action == "created"
    github.seen.clear()
    failures.update(GET=1, PATCH=1)
    assert _upsert(github, "new report", T_1900).action == "updated"
    assert [m.split()[0] for m in github.methods()] == ["GET", "GET", "PATCH", "PATCH"]
    assert "new report" in github.bodies(PR)[0]
    # Three failures in a row are an error, after three tries.
    github.seen.clear()
    failures.update(GET=3)
    with pytest.raises(GitHubError) as info:
        _upsert(github, "report", T_2000)
    assert str(info.value) == f"GitHub answered GET /repos/{REPO}/issues/{PR}/comments with HTTP 502"
    assert len(github.seen) == 3


def test_a_validation_failure_says_what_failed(github: FakeGitHub) -> None:
    # Hardening 4: a 422 said only "Validation Failed"; GitHub names what failed in its errors.
    original = github.handle

    def refuse_create(method: str, path: str, query: dict[str, list[str]], body: Any) -> Any:
        if method == "POST":
            return (
                422,
                {},
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "IssueComment",
                            "code": "custom",
                            "field": "body",
                            "message": "body is too long (maximum is 65536 characters)",
                        }
                    ],
                },
            )
        return original(method, path, query, body)

    github.handle = refuse_create  # type: ignore[method-assign]
    with pytest.raises(GitHubError) as info:
        _upsert(github, "report", T_1900)
    assert str(info.value) == (
        f"GitHub answered POST /repos/{REPO}/issues/{PR}/comments with HTTP 422 (GitHub said: Validation Failed: "
        "body is too long (maximum is 65536 characters))"
    )


def test_a_connection_lost_mid_answer_is_retried_on_reads_and_an_error_on_creates(github: FakeGitHub) -> None:
    # A connection that drops part-way through the answer is a lost connection too: urllib leaves
    # it as http.client's IncompleteRead, which escaped as a traceback, neither retried nor an error.
    _answer_first(github, {"GET": 1, "POST": 1}, (200, {}, LOST_MID_ANSWER))
    with pytest.raises(GitHubError) as info:
        _upsert(github, "report", T_1800)
    assert str(info.value).startswith(f"cannot reach the GitHub API for POST /repos/{REPO}/issues/{PR}/comments: ")
    assert github.methods() == [f"GET /repos/{REPO}/issues/{PR}/comments"] * 2 + [
        f"POST /repos/{REPO}/issues/{PR}/comments"
    ]
