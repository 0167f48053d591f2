"""The GitHub workflows: schema-valid, least privilege, pinned, and safe with untrusted PRs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
NAMES = [f.name for f in FILES]

# Action -> (full commit SHA, version tag it was released as).
PINS = {
    "actions/checkout": ("34e114876b0b11c390a56381ad16ebd13914f8d5", "v4.3.1"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "actions/download-artifact": ("d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"),
}
# The only write scopes any job may hold, per workflow.
ALLOWED_WRITES = {
    "ci.yml": set(),
    "agent-cost-pr.yml": set(),
    "agent-cost-comment.yml": {"pull-requests"},
    "agent-cost-baseline.yml": {"contents"},
}
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")


def _load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _on(doc: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 (PyYAML) reads the bare key `on` as the boolean True.
    triggers = doc.get("on", doc.get(True))
    assert isinstance(triggers, dict)
    return triggers


def _steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in doc["jobs"].values() for step in job.get("steps", [])]


def _step(doc: dict[str, Any], uses_prefix: str) -> dict[str, Any]:
    (found,) = [s for s in _steps(doc) if str(s.get("uses", "")).startswith(uses_prefix)]
    return found


def _run_step(doc: dict[str, Any], needle: str) -> dict[str, Any]:
    (found,) = [s for s in _steps(doc) if needle in str(s.get("run", ""))]
    return found


def test_expected_workflows_exist() -> None:
    assert sorted(ALLOWED_WRITES) == NAMES


def test_schema_valid_offline() -> None:
    # check-jsonschema's vendored schema ships with the package; the dead proxy
    # proves no download is attempted.
    env = os.environ | {
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, FILES),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert (proc.returncode, proc.stdout.strip()) == (0, "ok -- validation done"), proc.stderr


def test_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    steps: []\n", encoding="utf-8")  # no runs-on
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert "Schema validation errors were encountered." in proc.stdout + proc.stderr


@pytest.mark.parametrize("name", NAMES)
def test_least_privilege_permissions(name: str) -> None:
    doc = _load(name)
    assert "permissions" in doc, "top-level permissions must be explicit"
    scopes: list[Any] = [doc["permissions"]] + [job.get("permissions", {}) for job in doc["jobs"].values()]
    writes: set[str] = set()
    for perms in scopes:
        assert isinstance(perms, dict), f"{name}: use a scope map, not {perms!r}"
        assert set(perms.values()) <= {"read", "write", "none"}
        writes |= {scope for scope, level in perms.items() if level == "write"}
    assert writes == ALLOWED_WRITES[name]
    # Writes are granted per job, never to the whole workflow.
    assert "write" not in doc["permissions"].values()


@pytest.mark.parametrize("name", NAMES)
def test_every_action_is_pinned_to_a_known_sha_with_its_version(name: str) -> None:
    lines = (WORKFLOWS / name).read_text(encoding="utf-8").splitlines()
    uses = [m for m in map(USES_LINE.match, lines) if m]
    assert uses, f"{name} uses no action"
    for match in uses:
        ref, rest = match.group(1), match.group(2)
        action, _, sha = ref.partition("@")
        assert re.fullmatch(r"[0-9a-f]{40}", sha), f"{ref} is not pinned to a full commit SHA"
        assert PINS[action] == (sha, rest.strip().removeprefix("# ").strip()), ref


@pytest.mark.parametrize("name", NAMES)
def test_no_expression_is_spliced_into_a_shell_script(name: str) -> None:
    # ${{ }} inside run: is template-substituted before bash parses it (script
    # injection); values reach scripts through env: instead.
    for step in _steps(_load(name)):
        assert "${{" not in str(step.get("run", "")), step


@pytest.mark.parametrize("name", NAMES)
def test_never_pull_request_target(name: str) -> None:
    assert "pull_request_target" not in _on(_load(name))


@pytest.mark.parametrize("name", ["ci.yml", "agent-cost-pr.yml"])
def test_checkout_does_not_keep_credentials_where_no_push_happens(name: str) -> None:
    for step in _steps(_load(name)):
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("name", ["ci.yml", "agent-cost-pr.yml", "agent-cost-baseline.yml"])
def test_installs_from_the_checkout_reuse_pips_cache(name: str) -> None:
    # Every job of these installs the checkout's dependencies; without setup-python's cache each
    # PR downloads them again. The key's files are read from the repository root.
    repo = WORKFLOWS.parents[1]
    steps = [s for s in _steps(_load(name)) if str(s.get("uses", "")).startswith("actions/setup-python@")]
    assert steps
    for step in steps:
        assert step["with"]["cache"] == "pip"
        paths = str(step["with"]["cache-dependency-path"]).split()
        assert paths
        assert all((repo / path).is_file() for path in paths)


def test_ci_matrix() -> None:
    doc = _load("ci.yml")
    assert set(_on(doc)) == {"push", "pull_request"}
    matrix = doc["jobs"]["test"]["strategy"]["matrix"]
    assert matrix["python-version"] == ["3.10", "3.11", "3.12", "3.13"]
    assert matrix["mode"] == ["serial", "xdist"]
    assert {(i["mode"], i["pytest-args"]) for i in matrix["include"]} == {("serial", ""), ("xdist", "-n 2")}
    for job in ("lint", "test"):
        runs = [s.get("run") for s in doc["jobs"][job]["steps"]]
        assert "python -m pip install -e '.[test]'" in runs
    lint_runs = [s.get("run") for s in doc["jobs"]["lint"]["steps"]]
    assert {"ruff check .", "mypy"} <= set(lint_runs)


def test_pr_workflow_reports_and_uploads_even_on_regression() -> None:
    doc = _load("agent-cost-pr.yml")
    assert set(_on(doc)) == {"pull_request"}
    (job,) = doc["jobs"].values()
    assert job["defaults"]["run"]["working-directory"] == "example_project"
    pytest_step = _run_step(doc, "pytest")
    assert "if" not in pytest_step  # a regression fails the job
    upload = _step(doc, "actions/upload-artifact@")
    assert upload["if"] == "always()"
    assert upload["with"]["name"] == "agent-cost-report"
    assert upload["with"]["path"].split() == ["example_project/cost.md", "example_project/pr-number.txt"]
    # The PR number is written before the tests, so it is there even when they fail.
    order = [s.get("name") for s in job["steps"]]
    assert order.index("Record the PR number for the comment workflow") < order.index(pytest_step["name"])
    record = _run_step(doc, "pr-number.txt")
    assert record["env"] == {"PR_NUMBER": "${{ github.event.pull_request.number }}"}


def test_comment_workflow_never_runs_pr_code() -> None:
    doc = _load("agent-cost-comment.yml")
    pr_doc = _load("agent-cost-pr.yml")
    trigger = _on(doc)
    assert set(trigger) == {"workflow_run"}
    assert trigger["workflow_run"] == {"workflows": [pr_doc["name"]], "types": ["completed"]}
    assert doc["permissions"] == {}
    (job,) = doc["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert "github.event.workflow_run.event == 'pull_request'" in job["if"]
    # No checkout at all: nothing from the PR head (or anywhere) lands on disk as code.
    assert all(not str(s.get("uses", "")).startswith("actions/checkout@") for s in _steps(doc))
    text = (WORKFLOWS / "agent-cost-comment.yml").read_text(encoding="utf-8")
    assert "head.sha }}" not in text.replace("workflow_run.head_sha", "")
    assert "pip install -e" not in text
    assert "pip install ." not in text
    # agentcost comes from the default branch (merged code), named through env, not interpolated.
    install = next(s for s in _steps(doc) if "pip install" in str(s.get("run", "")))
    assert install["run"] == 'python -m pip install "git+$REPO_URL@$DEFAULT_BRANCH"'
    assert install["env"]["DEFAULT_BRANCH"] == "${{ github.event.repository.default_branch }}"


def test_comment_workflow_treats_the_artifact_as_untrusted() -> None:
    doc = _load("agent-cost-comment.yml")
    download = _step(doc, "actions/download-artifact@")
    assert download["with"]["name"] == _step(_load("agent-cost-pr.yml"), "actions/upload-artifact@")["with"]["name"]
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    validate = _run_step(doc, "pr-number.txt")
    assert '[[ "$pr" =~ ^[0-9]{1,10}$ ]]' in validate["run"]
    assert 'gh api "repos/$REPO/pulls/$pr" --jq .head.sha' in validate["run"]
    assert validate["env"]["HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"
    comment = _run_step(doc, "agentcost comment")
    assert comment["run"] == (
        'agentcost comment --body-file "$REPORT" --pr "$PR_NUMBER" --commit "$HEAD_SHA" --run-time "$RUN_TIME"'
    )
    assert comment["env"]["PR_NUMBER"] == "${{ steps.pr.outputs.number }}"
    assert comment["env"]["RUN_TIME"] == "${{ github.event.workflow_run.created_at }}"
    # Only the step that talks to GitHub gets the token as GITHUB_TOKEN.
    holders = [s.get("name") for s in _steps(doc) if "GITHUB_TOKEN" in s.get("env", {})]
    assert holders == [comment["name"]]


def test_validation_script_accepts_and_rejects(tmp_path: Path) -> None:
    """Run the workflow's own validation script with a stub `gh`."""
    script = _run_step(_load("agent-cost-comment.yml"), "pr-number.txt")["run"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text('#!/bin/sh\necho "$STUB_HEAD"\n', encoding="utf-8")
    gh.chmod(0o755)

    def run(pr_text: str, stub_head: str, with_report: bool = True) -> tuple[int, str, str]:
        report = tmp_path / "report"
        report.mkdir(exist_ok=True)
        (report / "pr-number.txt").write_text(pr_text, encoding="utf-8")
        (report / "cost.md").unlink(missing_ok=True)
        if with_report:
            (report / "cost.md").write_text("r", encoding="utf-8")
        output = tmp_path / "output"
        output.write_text("", encoding="utf-8")
        env = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "REPORT_DIR": str(report),
            "REPO": "o/r",
            "HEAD_SHA": "abc",
            "STUB_HEAD": stub_head,
            "GITHUB_OUTPUT": str(output),
        }
        proc = subprocess.run(
            ["bash", "-e", "-c", script], env=env, capture_output=True, text=True, timeout=30, check=False
        )
        return proc.returncode, output.read_text(encoding="utf-8"), proc.stdout

    assert run("12\n", "abc") == (0, "number=12\nskip=false\n", "")
    code, out, stdout = run("12", "def")
    assert (code, out) == (0, "skip=true\n")
    assert stdout.startswith("::notice title=Agent cost::PR #12 head is def, not the tested abc")
    assert run("12", "abc", with_report=False)[:2] == (0, "skip=true\n")
    for hostile in ("12; rm -rf /\n", "$(id)", "", "12 13", "-1", "1" * 11):
        code, out, stdout = run(hostile, "abc")
        assert (code, out) == (1, ""), hostile
        assert stdout == "::error title=Agent cost::pr-number.txt is not a PR number; not commenting\n"


def test_baseline_workflow_commits_only_changes_without_looping() -> None:
    doc = _load("agent-cost-baseline.yml")
    push = _on(doc)["push"]
    baseline = doc["env"]["BASELINE"]
    assert push == {
        "branches": ["main"],
        "paths": ["example_project/**", "pyproject.toml", "pytest_agentcost/**", f"!example_project/{baseline}"],
    }
    # The commit step's check of what moved meanwhile watches what starts a run (hardening 4: a
    # plugin or dependency change started none, and main's baseline stayed the old code's).
    watched = [path.removesuffix("/**") for path in push["paths"] if not path.startswith("!")]
    assert doc["env"]["WATCHED"].split() == watched
    (job,) = doc["jobs"].values()
    assert job["if"] == "github.actor != 'github-actions[bot]'"
    assert job["defaults"]["run"]["working-directory"] == "example_project"
    assert _run_step(doc, "pytest")["run"] == "python -m pytest --agent-cost --agent-cost-update-baseline"
    commit = _run_step(doc, "git commit")["run"]
    # It commits what the update wrote even when the run failed (a budget): else the baseline freezes.
    assert _run_step(doc, "git commit")["if"] == "${{ !cancelled() }}"
    assert "skip ci" not in commit  # loops are avoided by the trigger, not the message
    assert commit.index('git add -- "$BASELINE"') < commit.index('git diff --cached --quiet -- "$BASELINE"')
    assert commit.index("git diff --cached --quiet") < commit.index("git commit") < commit.index("git push")
    assert doc["concurrency"] == {"group": "agent-cost-baseline", "cancel-in-progress": False}


def _git_env() -> dict[str, str]:
    """An environment where git reads no user or system config and commits as a test user."""
    return os.environ | {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }


def _git(env: dict[str, str], cwd: Path, *args: str) -> str:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


def test_baseline_commit_script_skips_when_unchanged(tmp_path: Path) -> None:
    """Run the commit step in a scratch repository with a local bare remote."""
    doc = _load("agent-cost-baseline.yml")
    script = _run_step(doc, "git commit")["run"]
    baseline = doc["env"]["BASELINE"]
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    git_env = _git_env()

    def sh(*args: str, cwd: Path = work) -> str:
        return _git(git_env, cwd, *args)

    sh("git", "init", "-q", "--bare", "-b", "main", str(remote), cwd=tmp_path)
    sh("git", "init", "-q", "-b", "main", str(work), cwd=tmp_path)
    sh("git", "remote", "add", "origin", str(remote))
    (work / "README").write_text("x\n", encoding="utf-8")
    sh("git", "add", "README")
    sh("git", "commit", "-q", "-m", "init")
    sh("git", "push", "-q", "origin", "main")
    step_env = git_env | {
        "BASELINE": baseline,
        "WATCHED": doc["env"]["WATCHED"],
        "GITHUB_SHA": "0123456789abcdef0123",
        "GITHUB_REF_NAME": "main",
    }

    def step_without_watched(value: str | None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in step_env.items() if k != "WATCHED"} | ({} if value is None else {"WATCHED": value})
        return subprocess.run(["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True)

    # WATCHED left out or empty stops the step before it commits (review 49: an empty list
    # watched the whole repository, unset failed only when a push raced).
    (work / baseline).write_text('{"a": 0}\n', encoding="utf-8")
    for value in (None, ""):
        stopped = step_without_watched(value)
        assert stopped.returncode != 0
        assert "set WATCHED to the paths the paths filter watches" in stopped.stderr
    assert sh("git", "status", "--porcelain") == f"?? {baseline}\n"

    def step() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-e", "-c", script], cwd=work, env=step_env, capture_output=True, text=True, check=False
        )

    # A new (untracked) baseline is a change.
    (work / baseline).write_text('{"a": 1}\n', encoding="utf-8")
    assert step().returncode == 0
    assert sh("git", "log", "--format=%s", "main", cwd=remote).splitlines() == [
        "Update agent cost baseline for 0123456789ab",
        "init",
    ]
    # Unchanged: no commit, no push.
    result = step()
    assert (result.returncode, result.stdout) == (0, "Baseline unchanged; nothing to commit.\n")
    assert len(sh("git", "log", "--format=%s", "main", cwd=remote).splitlines()) == 2
    # Changed again, with an unrelated dirty file that must not be committed.
    (work / baseline).write_text('{"a": 2}\n', encoding="utf-8")
    (work / "README").write_text("dirty\n", encoding="utf-8")
    assert step().returncode == 0
    assert sh("git", "show", "--name-only", "--format=", "main", cwd=remote).split() == [baseline]


def test_baseline_commit_script_when_main_moved_meanwhile(tmp_path: Path) -> None:
    """Main moved between checkout and push: onto docs, rebase; onto the project, leave it."""
    doc = _load("agent-cost-baseline.yml")
    script = _run_step(doc, "git commit")["run"]
    baseline = doc["env"]["BASELINE"]
    remote, work, other = tmp_path / "remote.git", tmp_path / "work", tmp_path / "other"
    git_env = _git_env()

    def sh(*args: str, cwd: Path = work) -> str:
        return _git(git_env, cwd, *args)

    def commit_elsewhere(path: str, text: str) -> None:
        (other / path).parent.mkdir(parents=True, exist_ok=True)
        (other / path).write_text(text, encoding="utf-8")
        sh("git", "add", path, cwd=other)
        sh("git", "commit", "-q", "-m", f"edit {path}", cwd=other)
        sh("git", "push", "-q", "origin", "main", cwd=other)

    sh("git", "init", "-q", "--bare", "-b", "main", str(remote), cwd=tmp_path)
    sh("git", "clone", "-q", str(remote), str(work), cwd=tmp_path)
    (work / "project").mkdir()
    (work / "project" / "agent.py").write_text("v1\n", encoding="utf-8")
    sh("git", "add", "project")
    sh("git", "commit", "-q", "-m", "init")
    sh("git", "push", "-q", "origin", "main")
    sh("git", "clone", "-q", str(remote), str(other), cwd=tmp_path)

    def step() -> subprocess.CompletedProcess[str]:
        env = git_env | {
            "BASELINE": baseline,
            "WATCHED": "project pyproject.toml",  # the project, and the root's dependency pins
            "GITHUB_SHA": sh("git", "rev-parse", "HEAD").strip(),
        }
        return subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=work / "project",  # the job's working-directory: the project
            env=env | {"GITHUB_REF_NAME": "main"},
            capture_output=True,
            text=True,
            check=False,
        )

    # A docs-only merge meanwhile: the baseline commit goes on top of it.
    commit_elsewhere("docs.md", "docs\n")
    checked_out = sh("git", "rev-parse", "HEAD").strip()
    (work / "project" / baseline).write_text('{"a": 1}\n', encoding="utf-8")
    moved = step()
    assert moved.returncode == 0, moved.stderr
    assert sh("git", "log", "--format=%s", "main", cwd=remote).splitlines()[:2] == [
        f"Update agent cost baseline for {checked_out[:12]}",
        "edit docs.md",
    ]
    # A change to the project meanwhile (its own run measures it): nothing is pushed over it.
    sh("git", "pull", "-q", "origin", "main", cwd=other)
    commit_elsewhere("project/agent.py", "v2\n")
    (work / "project" / baseline).write_text('{"a": 2}\n', encoding="utf-8")
    left = step()
    assert left.returncode == 0, left.stderr
    assert "moved on with changes to this project" in left.stdout
    assert sh("git", "log", "--format=%s", "-1", "main", cwd=remote).strip() == "edit project/agent.py"
    assert sh("git", "show", f"main:project/{baseline}", cwd=remote) == '{"a": 1}\n'
    # A change to the dependency pins at the root meanwhile (a new genai-prices): its run, too.
    sh("git", "fetch", "-q", "origin", "main")
    sh("git", "reset", "-q", "--hard", "FETCH_HEAD")  # the job's next run checks main out afresh
    commit_elsewhere("pyproject.toml", "pins v2\n")
    (work / "project" / baseline).write_text('{"a": 3}\n', encoding="utf-8")
    pinned = step()
    assert pinned.returncode == 0, pinned.stderr
    assert "moved on with changes to this project" in pinned.stdout
    assert sh("git", "log", "--format=%s", "-1", "main", cwd=remote).strip() == "edit pyproject.toml"


def test_the_pr_check_compares_with_the_base_branchs_baseline_not_the_prs(tmp_path: Path) -> None:
    """Review 37: a PR that committed its own updated baseline passed its own regression."""
    doc = _load("agent-cost-pr.yml")
    (job,) = doc["jobs"].values()
    assert _step(doc, "actions/checkout@")["with"]["fetch-depth"] == 2
    step = _run_step(doc, "HEAD^1:")
    order = [s.get("name") for s in job["steps"]]
    assert order.index(step["name"]) < order.index(_run_step(doc, "pytest")["name"])
    # Written before anything that can fail, the install included (review 37).
    assert order.index("Record the PR number for the comment workflow") < order.index("Install")
    git_env = _git_env()
    working_directory = job["defaults"]["run"]["working-directory"]

    repo = tmp_path / "repo"
    project = repo / working_directory

    def sh(*args: str) -> str:
        return _git(git_env, repo, *args)

    def merged(base_file: str | None, pr_file: str | None) -> str | None:
        """The step run on a PR merged into its base, as actions/checkout leaves it; the file after."""
        shutil.rmtree(repo, ignore_errors=True)
        project.mkdir(parents=True)
        sh("git", "init", "-q", "-b", "main", ".")
        (project / "agent.py").write_text("x = 1\n", encoding="utf-8")
        baseline = project / "agent-cost-baseline.json"
        baseline.unlink(missing_ok=True)
        if base_file is not None:
            baseline.write_text(base_file, encoding="utf-8")
        sh("git", "add", "-A")
        sh("git", "commit", "-q", "-m", "base")
        sh("git", "checkout", "-q", "-b", "pr", "HEAD")
        (project / "agent.py").write_text("x = 2\n", encoding="utf-8")
        if pr_file is not None:
            baseline.write_text(pr_file, encoding="utf-8")
        sh("git", "add", "-A")
        sh("git", "commit", "-q", "-m", "pr")
        sh("git", "checkout", "-q", "main")
        (project / "other.py").write_text("y = 1\n", encoding="utf-8")
        sh("git", "add", "-A")
        sh("git", "commit", "-q", "-m", "main moved")
        sh("git", "merge", "-q", "--no-ff", "-m", "merge", "pr")
        subprocess.run(["bash", "-e", "-c", step["run"]], cwd=project, env=git_env, check=True)
        return baseline.read_text(encoding="utf-8") if baseline.exists() else None

    assert merged('{"base": 1}\n', '{"pr approves itself": 1}\n') == '{"base": 1}\n'
    assert merged('{"base": 1}\n', None) == '{"base": 1}\n'
    # No baseline on the base branch yet: none here either, whatever the PR brings.
    assert merged(None, '{"pr approves itself": 1}\n') is None


def test_a_maintainers_label_accepts_an_intended_increase(tmp_path: Path) -> None:
    """New-user review: the check compares with the base's baseline, so a PR had no way to land an
    intended increase. The agent-cost-accepted label runs it in warn mode, and (un)labelling re-runs it."""
    doc = _load("agent-cost-pr.yml")
    assert {"opened", "synchronize", "reopened", "labeled", "unlabeled"} <= set(_on(doc)["pull_request"]["types"])
    step = _run_step(doc, "pytest")
    labelled = "${{ contains(github.event.pull_request.labels.*.name, 'agent-cost-accepted') }}"
    assert step["env"] == {"ACCEPTED": labelled}
    # Run the step's script with a stand-in python that prints its arguments.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "python"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$*"\n', encoding="utf-8")
    fake.chmod(0o755)

    def argv(accepted: str) -> str:
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "ACCEPTED": accepted}
        done = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, check=True, capture_output=True, text=True)
        return done.stdout.strip()

    # Without the label, nothing overrides the project's own agent_cost_mode.
    assert argv("false") == "-m pytest --agent-cost --agent-cost-scan --agent-cost-markdown cost.md"
    assert (
        argv("true") == "-m pytest --agent-cost --agent-cost-scan --agent-cost-mode warn --agent-cost-markdown cost.md"
    )
