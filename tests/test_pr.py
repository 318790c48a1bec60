"""`autofix pr` against a real git remote (a bare repository) and a local HTTP server standing in
for GitHub's REST API on 127.0.0.1; the command runs as a subprocess, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from autofix.pr.body import parse_marker
from autofix.pr.git import parse_author, parse_github_repo, scrub

TOKEN = "ghp_T0kenThatMustNeverLeak_9f8e7d"
REPO = "acme/infra"

KEY = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # the stack's data key
  Key:
    Type: AWS::KMS::Key
    DeletionPolicy: Delete
    Properties:
      Description: data key
"""

SECOND_KEY = """\
  OtherKey:
    Type: AWS::KMS::Key
    DeletionPolicy: Delete
"""

TABLE = """\
  Table:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    Properties:
      BillingMode: PAY_PER_REQUEST
"""


# ---- a stand-in for the GitHub API -------------------------------------------------------------

class FakeGitHub:
    def __init__(self):
        self.requests: list[dict] = []
        self.pulls: dict[int, dict] = {}
        self.comments: list[tuple[int, str]] = []
        self.fail: tuple[int, dict, dict] | None = None  # (status, headers, json body) for every request
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.requests.append({
                        "method": self.command,
                        "line": self.requestline,
                        "path": urlsplit(self.path).path,
                        "query": {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()},
                        "headers": dict(self.headers.items()),
                        "body": raw.decode("utf-8"),
                    })
                    status, headers, payload = fake.route(self.command, self.path, self.headers, raw)
                data = json.dumps(payload).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def route(self, method, path, headers, raw):
        if self.fail:
            return self.fail
        if headers.get("Authorization") != f"Bearer {TOKEN}":
            return 401, {}, {"message": "Bad credentials"}
        url = urlsplit(path)
        parts = url.path.strip("/").split("/")
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = json.loads(raw) if raw else {}
        if parts[:3] != ["repos", *REPO.split("/")]:
            return 404, {}, {"message": "Not Found"}
        rest = parts[3:]
        if rest == ["pulls"] and method == "GET":
            items = sorted(self.pulls.values(), key=lambda p: -p["number"])
            if "head" in q:
                items = [p for p in items if f"{REPO.split('/')[0]}:{p['head']['ref']}" == q["head"]]
            state = q.get("state", "open")
            if state != "all":
                items = [p for p in items if p["state"] == state]
            return 200, {}, items
        if rest == ["pulls"] and method == "POST":
            if any(p["head"]["ref"] == body["head"] and p["state"] == "open" for p in self.pulls.values()):
                return 422, {}, {"message": "Validation Failed",
                                 "errors": [{"message": f"A pull request already exists for acme:{body['head']}."}]}
            n = len(self.pulls) + 1
            self.pulls[n] = {"number": n, "state": "open", "title": body["title"], "body": body["body"],
                             "draft": body.get("draft", False), "merged_at": None, "labels": [],
                             "head": {"ref": body["head"], "repo": {"full_name": REPO}}, "base": {"ref": body["base"]},
                             "html_url": f"https://github.example/{REPO}/pull/{n}"}
            return 201, {}, self.pulls[n]
        if len(rest) == 2 and rest[0] == "pulls" and method == "PATCH":
            p = self.pulls[int(rest[1])]
            for k in ("title", "body", "state"):
                if k in body:
                    p[k] = body[k]
            if "base" in body:
                p["base"] = {"ref": body["base"]}
            return 200, {}, p
        if len(rest) == 3 and rest[0] == "issues" and rest[2] == "labels" and method == "POST":
            p = self.pulls[int(rest[1])]
            p["labels"] += [{"name": n} for n in body["labels"]]
            return 200, {}, p["labels"]
        if len(rest) == 3 and rest[0] == "issues" and rest[2] == "comments" and method == "POST":
            self.comments.append((int(rest[1]), body["body"]))
            return 201, {}, {"id": len(self.comments)}
        return 404, {}, {"message": "Not Found"}

    def calls(self) -> list[str]:
        """The requests so far as 'METHOD /path?sorted&query'."""
        out = []
        for r in self.requests:
            q = "&".join(f"{k}={v}" for k, v in sorted(r["query"].items()))
            out.append(f"{r['method']} {r['path']}" + (f"?{q}" if q else ""))
        return out

    def take(self) -> list[str]:
        calls = self.calls()
        self.requests.clear()
        return calls


@pytest.fixture
def github():
    fake = FakeGitHub()
    yield fake
    fake.close()


# ---- a real git remote and a clone ------------------------------------------------------------

def git(cwd, *args) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, env=_git_env(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _git_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith(("GITHUB_", "GIT_"))}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    env.update(extra or {})
    return env


class Repo:
    def __init__(self, tmp: Path):
        self.remote = tmp / "remote.git"
        self.work = tmp / "work"
        git(tmp, "init", "-q", "--bare", "-b", "main", str(self.remote))
        git(tmp, "init", "-q", "-b", "main", str(self.work))
        git(self.work, "config", "user.name", "Dev Example")
        git(self.work, "config", "user.email", "dev@example.com")
        git(self.work, "remote", "add", "origin", str(self.remote))
        (self.work / "stacks").mkdir()
        (self.work / "stacks" / "key.yaml").write_text(KEY)
        (self.work / "README.md").write_text("infra\n")
        self.commit("initial")

    def commit(self, message: str) -> str:
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", message)
        git(self.work, "push", "-q", "origin", "main")
        return git(self.work, "rev-parse", "HEAD")

    def remote_branches(self) -> dict[str, str]:
        out = git(self.remote, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads")
        return dict(line.split() for line in out.splitlines())

    def show(self, ref: str, path: str) -> str:
        return git(self.remote, "show", f"{ref}:{path}")

    def state(self) -> tuple:
        """What must not change in the working copy: branch, HEAD, status, local refs."""
        return (git(self.work, "symbolic-ref", "--short", "HEAD"), git(self.work, "rev-parse", "HEAD"),
                git(self.work, "status", "--porcelain"),
                git(self.work, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/tags"))

    def autofix(self, *args, env: dict | None = None, token: str | None = TOKEN, api: str | None = None):
        e = _git_env({"GITHUB_REPOSITORY": REPO, **({"GITHUB_TOKEN": token} if token else {}),
                      **({"GITHUB_API_URL": api} if api else {}), **(env or {})})
        return subprocess.run([sys.executable, "-m", "autofix", "pr", *args], cwd=self.work, env=e,
                              capture_output=True, text=True, timeout=120)


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path)


def _no_token_anywhere(github: FakeGitHub, *procs) -> None:
    for r in github.requests:
        assert TOKEN not in r["line"] and TOKEN not in r["body"]
        for k, v in r["headers"].items():
            if k.lower() == "authorization":
                assert v == f"Bearer {TOKEN}"
            else:
                assert TOKEN not in v, k
    for p in procs:
        assert TOKEN not in p.stdout and TOKEN not in p.stderr


PULLS = f"/repos/{REPO}/pulls"
OPEN = f"GET {PULLS}?head=acme:autofix/all&per_page=30&state=open"
CLOSED = f"GET {PULLS}?head=acme:autofix/all&per_page=30&state=closed"


# ---- the lifecycle of one pull request --------------------------------------------------------

def test_one_pull_request_updated_then_closed(repo, github):
    before = repo.state()
    main0 = git(repo.work, "rev-parse", "HEAD")

    # run 1: opens the pull request, with a label
    p1 = repo.autofix("--label", "autofix", "--label", "infra", api=github.url)
    assert p1.returncode == 0, p1.stderr
    assert github.take() == [OPEN, CLOSED, f"POST {PULLS}", f"POST /repos/{REPO}/issues/1/labels"]
    assert "autofix/all: opened pull request #1" in p1.stdout
    branches = repo.remote_branches()
    assert set(branches) == {"main", "autofix/all"}
    fixed = repo.show("autofix/all", "stacks/key.yaml")
    assert "DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n" in fixed
    assert "  # the stack's data key\n" in fixed  # comments untouched
    assert git(repo.remote, "rev-parse", "autofix/all^") == main0  # one commit on top of main
    assert git(repo.remote, "diff", "--name-only", "main", "autofix/all") == "stacks/key.yaml"
    msg = git(repo.remote, "log", "-1", "--format=%an <%ae>%n%B", "autofix/all")
    assert msg.startswith("Dev Example <dev@example.com>\nautofix: fix 1 finding in 1 file (AF101)")
    assert "Autofix-Topic: all" in msg
    pr1 = github.pulls[1]
    assert pr1["head"]["ref"] == "autofix/all" and pr1["base"]["ref"] == "main" and pr1["draft"] is False
    assert [lb["name"] for lb in pr1["labels"]] == ["autofix", "infra"]
    assert "| `stacks/key.yaml:4` | `Key` | AF101 kms-key-retain |" in pr1["body"]
    assert "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html" in pr1["body"]
    assert parse_marker(pr1["body"])["topic"] == "all"
    assert repo.state() == before

    # run 2, nothing new: no push, no update, no second pull request
    sha = repo.remote_branches()["autofix/all"]
    p2 = repo.autofix("--label", "autofix", api=github.url)
    assert p2.returncode == 0, p2.stderr
    assert github.take() == [OPEN]
    assert "is up to date" in p2.stdout
    assert repo.remote_branches()["autofix/all"] == sha
    assert len(github.pulls) == 1

    # a new finding lands on main: the branch is rebuilt on it and the pull request updated
    (repo.work / "stacks" / "key.yaml").write_text(KEY + SECOND_KEY)
    main1 = repo.commit("add a second key")
    before = repo.state()
    p3 = repo.autofix(api=github.url)
    assert p3.returncode == 0, p3.stderr
    patch = json.loads(github.requests[-1]["body"])
    assert github.take() == [OPEN, f"PATCH {PULLS}/1"]
    assert set(patch) == {"title", "body"}
    assert github.pulls[1]["title"] == "autofix: fix 2 findings in 1 file (AF101)"
    assert "`OtherKey`" in github.pulls[1]["body"]
    assert git(repo.remote, "rev-parse", "autofix/all^") == main1
    assert repo.show("autofix/all", "stacks/key.yaml").count("UpdateReplacePolicy: Retain") == 2
    assert len(github.pulls) == 1 and "updated pull request #1" in p3.stdout
    assert repo.state() == before

    # the fixes land on main by hand: the pull request is closed with a comment, its branch deleted
    subprocess.run([sys.executable, "-m", "autofix", "apply", "stacks"], cwd=repo.work, capture_output=True)
    repo.commit("apply the fixes")
    p4 = repo.autofix(api=github.url)
    assert p4.returncode == 0, p4.stderr
    assert github.take() == [OPEN, f"POST /repos/{REPO}/issues/1/comments", f"PATCH {PULLS}/1"]
    assert github.pulls[1]["state"] == "closed"
    assert parse_marker(github.pulls[1]["body"])["autoclosed"] is True
    assert github.comments and github.comments[0][0] == 1 and "no longer needed" in github.comments[0][1]
    assert set(repo.remote_branches()) == {"main"}
    assert "closed pull request #1" in p4.stdout

    # and then nothing at all: no commit, no push, no request but the lookup
    p5 = repo.autofix(api=github.url)
    assert p5.returncode == 0, p5.stderr
    assert github.take() == [OPEN]
    assert "nothing to fix" in p5.stdout
    assert len(github.pulls) == 1
    _no_token_anywhere(github, p1, p2, p3, p4, p5)


def test_token_only_in_authorization_header(repo, github):
    p = repo.autofix("--label", "x", api=github.url)
    assert p.returncode == 0, p.stderr
    assert len(github.requests) == 4
    for r in github.requests:
        assert r["headers"]["Authorization"] == f"Bearer {TOKEN}"
        assert r["headers"]["Accept"] == "application/vnd.github+json"
        flat = r["line"] + r["body"] + "".join(f"{k}: {v}" for k, v in r["headers"].items() if k != "Authorization")
        assert TOKEN not in flat
    assert TOKEN not in p.stdout + p.stderr
    # nor in the commit pushed to the remote
    assert TOKEN not in git(repo.remote, "log", "--format=%B", "autofix/all")


def test_dry_run_calls_nothing(repo, github):
    before, branches = repo.state(), repo.remote_branches()
    objects = git(repo.work, "count-objects", "-v")
    p = repo.autofix("--dry-run", token=None, api=github.url)
    assert p.returncode == 0, p.stderr
    assert github.requests == []
    assert repo.remote_branches() == branches and repo.state() == before
    assert git(repo.work, "count-objects", "-v") == objects  # no blob, tree or commit written
    assert "branch: autofix/all\n" in p.stdout
    assert "    autofix: fix 1 finding in 1 file (AF101)\n" in p.stdout  # the commit message
    assert "    Autofix-Topic: all\n" in p.stdout
    assert "| `stacks/key.yaml:4` | `Key` | AF101 kms-key-retain |" in p.stdout  # the body


def test_dirty_tree_refused(repo, github):
    (repo.work / "stacks" / "key.yaml").write_text(KEY + "# local edit\n")
    p = repo.autofix(api=github.url)
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and p.stderr.startswith("error: the working tree has uncommitted changes")
    assert "stacks/key.yaml" in p.stderr
    assert github.requests == [] and set(repo.remote_branches()) == {"main"}
    assert (repo.work / "stacks" / "key.yaml").read_text() == KEY + "# local edit\n"


def test_working_copy_on_another_branch_is_left_alone(repo, github):
    git(repo.work, "checkout", "-q", "-b", "feature")
    (repo.work / "stacks" / "key.yaml").write_text(KEY.replace("data key", "feature key"))
    git(repo.work, "commit", "-qam", "feature work")
    before = repo.state()
    p = repo.autofix(api=github.url)
    assert p.returncode == 0, p.stderr
    assert repo.state() == before and before[0] == "feature"
    # the fix is made on main's content, not the feature branch's
    assert "Description: data key" in repo.show("autofix/all", "stacks/key.yaml")
    assert github.pulls[1]["base"]["ref"] == "main"


def test_closed_pull_request_is_not_reopened_until_findings_change(repo, github):
    assert repo.autofix(api=github.url).returncode == 0
    github.pulls[1]["state"] = "closed"  # the reviewer declines it
    github.take()
    p = repo.autofix(api=github.url)
    assert p.returncode == 0, p.stderr
    assert github.take() == [OPEN, CLOSED]
    assert "declined in #1" in p.stdout and len(github.pulls) == 1
    (repo.work / "stacks" / "key.yaml").write_text(KEY + SECOND_KEY)
    repo.commit("another key")
    p = repo.autofix(api=github.url)
    assert p.returncode == 0, p.stderr
    assert github.take() == [OPEN, CLOSED, f"POST {PULLS}"]
    assert len(github.pulls) == 2 and github.pulls[2]["state"] == "open"


def test_branch_with_human_commits_is_not_overwritten(repo, github):
    assert repo.autofix(api=github.url).returncode == 0
    git(repo.work, "fetch", "-q", "origin", "autofix/all")
    git(repo.work, "checkout", "-q", "-b", "tweak", "FETCH_HEAD")
    (repo.work / "notes.txt").write_text("reviewer tweak\n")
    git(repo.work, "add", "notes.txt")
    git(repo.work, "commit", "-qm", "tweak")
    git(repo.work, "push", "-q", "origin", "HEAD:autofix/all")
    human = git(repo.work, "rev-parse", "HEAD")
    git(repo.work, "checkout", "-q", "main")
    (repo.work / "stacks" / "key.yaml").write_text(KEY + SECOND_KEY)
    repo.commit("another key")
    github.take()
    p = repo.autofix(api=github.url)
    assert p.returncode == 0, p.stderr
    assert "commits not made by autofix" in p.stdout
    assert repo.remote_branches()["autofix/all"] == human
    assert github.take() == [OPEN]


def test_group_by_rule_one_branch_and_pull_request_per_rule(repo, github):
    (repo.work / "stacks" / "key.yaml").write_text(KEY + TABLE)
    repo.commit("add a table")
    p = repo.autofix("--group-by", "rule", "--draft", api=github.url)
    assert p.returncode == 0, p.stderr
    assert set(repo.remote_branches()) == {"main", "autofix/kms-key-retain", "autofix/deletion-policy-pair"}
    key_branch = repo.show("autofix/kms-key-retain", "stacks/key.yaml")
    table_branch = repo.show("autofix/deletion-policy-pair", "stacks/key.yaml")
    assert "UpdateReplacePolicy: Retain" in key_branch.split("Table:")[0]
    assert "UpdateReplacePolicy" not in key_branch.split("Table:")[1]
    assert "UpdateReplacePolicy" not in table_branch.split("Table:")[0]
    assert "UpdateReplacePolicy: Retain" in table_branch.split("Table:")[1]
    assert sorted(p["head"]["ref"] for p in github.pulls.values()) == ["autofix/deletion-policy-pair", "autofix/kms-key-retain"]
    assert all(p["draft"] for p in github.pulls.values())
    titles = {p["head"]["ref"]: p["title"] for p in github.pulls.values()}
    assert titles["autofix/kms-key-retain"].startswith("autofix AF101: ")
    # the table's fix lands: only its pull request is closed
    (repo.work / "stacks" / "key.yaml").write_text(KEY + TABLE.replace("Retain\n", "Retain\n    UpdateReplacePolicy: Retain\n", 1))
    repo.commit("pair the table's policies")
    github.take()
    p = repo.autofix("--group-by", "rule", api=github.url)
    assert p.returncode == 0, p.stderr
    closed = [n for n, pr in github.pulls.items() if pr["state"] == "closed"]
    assert [github.pulls[n]["head"]["ref"] for n in closed] == ["autofix/deletion-policy-pair"]
    assert set(repo.remote_branches()) == {"main", "autofix/kms-key-retain"}
    assert len(github.pulls) == 2


# ---- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("status,headers,payload,expect", [
    (401, {}, {"message": "Bad credentials"}, ["401", "$GITHUB_TOKEN", "valid, unexpired token"]),
    (403, {}, {"message": "Resource not accessible by integration"},
     ["403", "contents: write", "pull-requests: write"]),
    (403, {}, {"message": "GitHub Actions is not permitted to create or approve pull requests."},
     ["Allow GitHub Actions to create and approve pull requests"]),
    (404, {}, {"message": "Not Found"}, ["404", "acme/infra", "GITHUB_REPOSITORY"]),
    (422, {}, {"message": "Validation Failed", "errors": [{"message": "base invalid"}]}, ["422", "base invalid"]),
    (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000"}, {"message": "API rate limit exceeded"},
     ["rate limit exhausted", "22:13 UTC", "run again"]),
    (429, {"retry-after": "30"}, {"message": "secondary rate limit"}, ["secondary rate limit", "wait 30 seconds"]),
])
def test_api_errors_are_one_line_with_advice(repo, github, status, headers, payload, expect):
    github.fail = (status, headers, payload)
    p = repo.autofix(api=github.url)
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and p.stderr.startswith("error: "), p.stderr
    for word in expect:
        assert word in p.stderr
    assert "Traceback" not in p.stderr
    _no_token_anywhere(github, p)


def test_error_body_echoing_the_token_is_scrubbed(repo, github):
    github.fail = (422, {}, {"message": f"bad head {TOKEN}"})
    p = repo.autofix(api=github.url)
    assert p.returncode == 2 and "422" in p.stderr and TOKEN not in p.stderr and "***" in p.stderr


def test_missing_token_and_repository(repo, github):
    p = repo.autofix(token=None, api=github.url)
    assert p.returncode == 2 and "$GITHUB_TOKEN is not set" in p.stderr
    p = repo.autofix("--token-env", "MY_TOKEN", token=None, api=github.url, env={"MY_TOKEN": TOKEN})
    assert p.returncode == 0, p.stderr  # --token-env names another variable
    p = repo.autofix(api=github.url, env={"GITHUB_REPOSITORY": ""})
    assert p.returncode == 2 and "--repo OWNER/NAME" in p.stderr  # a local remote says nothing


def test_plain_http_api_refused_for_remote_hosts(repo):
    p = repo.autofix(api="http://github.example.com/api/v3")
    assert p.returncode == 2 and "https://" in p.stderr and TOKEN not in p.stderr


def test_unreachable_api(repo, github):
    url = github.url
    github.close()
    p = repo.autofix(api=url)
    assert p.returncode == 2 and "cannot reach the GitHub API" in p.stderr


# ---- small parts ------------------------------------------------------------------------------

@pytest.mark.parametrize("url,expect", [
    ("https://github.com/acme/infra.git", "acme/infra"),
    ("https://github.com/acme/infra", "acme/infra"),
    ("https://x-access-token:abc@github.com/acme/infra.git", "acme/infra"),
    ("git@github.com:acme/infra.git", "acme/infra"),
    ("ssh://git@github.example.com:22/acme/infra.git", "acme/infra"),
    ("/srv/git/infra.git", None),
    ("https://github.com/acme", None),
])
def test_parse_github_repo(url, expect):
    assert parse_github_repo(url) == expect


def test_scrub_and_author():
    assert scrub(f"push to https://user:{TOKEN}@github.com failed {TOKEN}", [TOKEN]) == \
        "push to https://***@github.com failed ***"
    assert parse_author("Bot Name <bot@example.com>") == ("Bot Name", "bot@example.com")
    with pytest.raises(ValueError):
        parse_author("bot@example.com")


def test_author_option(repo, github):
    p = repo.autofix("--author", "autofix bot <bot@example.com>", api=github.url)
    assert p.returncode == 0, p.stderr
    assert git(repo.remote, "log", "-1", "--format=%an <%ae>|%cn", "autofix/all") == "autofix bot <bot@example.com>|Dev Example"


def test_many_files_and_a_subfolder(repo, github):
    # enough files for api.run's process pool; run from a subfolder with a relative path
    many = repo.work / "stacks" / "many"
    many.mkdir()
    for i in range(20):
        (many / f"key{i:02}.yaml").write_text(KEY)
    (repo.work / "other.yaml").write_text(KEY)  # outside the path given: not fixed
    repo.commit("many keys")
    p = subprocess.run([sys.executable, "-m", "autofix", "pr", "many"], cwd=repo.work / "stacks",
                       env=_git_env({"GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": github.url}),
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    changed = git(repo.remote, "diff", "--name-only", "main", "autofix/all").splitlines()
    assert changed == [f"stacks/many/key{i:02}.yaml" for i in range(20)]
    assert github.pulls[1]["title"] == "autofix: fix 20 findings in 20 files (AF101)"
    assert "| `stacks/many/key00.yaml:4` |" in github.pulls[1]["body"]


def test_json_report_and_formats_refused(repo, github):
    p = repo.autofix("--format", "json", api=github.url)
    assert p.returncode == 0, p.stderr
    (report,) = json.loads(p.stdout)["pull_requests"]
    assert report["branch"] == "autofix/all" and report["action"] == "opened" and report["number"] == 1
    assert report["fixes"] == 1 and report["url"].endswith("/pull/1")
    p = repo.autofix("--format", "sarif", api=github.url)
    assert p.returncode == 2 and "autofix check --format sarif" in p.stderr


def test_unreadable_file_does_not_block_the_others_nor_close(repo, github):
    assert repo.autofix(api=github.url).returncode == 0
    (repo.work / "stacks" / "key.yaml").write_text(KEY.replace("Delete", "Retain\n    UpdateReplacePolicy: Retain"))
    (repo.work / "stacks" / "broken.yaml").write_text("Resources:\n  Key: [unclosed\n")
    repo.commit("fix by hand, and break another file")
    github.take()
    p = repo.autofix(api=github.url)
    assert p.returncode == 2
    assert "stacks/broken.yaml" in p.stderr
    assert "no pull request is closed on this run" in p.stdout
    assert github.take() == []  # nothing closed: the broken file may still need its fixes
    assert github.pulls[1]["state"] == "open"
    # a fixable file beside the broken one still gets its pull request, which lists the failure
    (repo.work / "stacks" / "other.yaml").write_text(KEY)
    repo.commit("another template")
    p = repo.autofix(api=github.url)
    assert p.returncode == 2
    assert "Could not process: stacks/broken.yaml" in github.pulls[1]["body"]
    assert git(repo.remote, "diff", "--name-only", "main", "autofix/all") == "stacks/other.yaml"


def test_settings_come_from_the_repository_only(repo, github):
    (repo.work.parent / "autofix.toml").write_text('ignore = ["AF101"]\n')  # above the repository: not used
    p = repo.autofix("--dry-run", token=None)
    assert p.returncode == 0 and "branch: autofix/all" in p.stdout
    (repo.work / "autofix.toml").write_text('ignore = ["AF101"]\n')
    repo.commit("silence AF101")
    p = repo.autofix(api=github.url)
    assert p.returncode == 0, p.stderr
    assert "nothing to fix" in p.stdout and github.pulls == {}
    p = repo.autofix("--select", "NOPE", api=github.url)
    assert p.returncode == 2 and "unknown rule selector 'NOPE'" in p.stderr


def test_body_stays_under_githubs_limit_and_escapes_cells():
    from autofix.fixes import Fix
    from autofix.pr import body as B

    topic = B.Topic(key="all", branch="autofix/all")
    for i in range(3000):
        fix = Fix(rule="AF101", name="kms-key-retain", message="m" * 500, line=i + 1, resource=f"Key{i}",
                  before="a|b " * 100, after="`x`", notes=["reboot needed " * 30], applied=True)
        topic.applied.append(B.Finding(f"stacks/t{i}.yaml", fix))
    text = B.body(topic, "main")
    assert len(text) <= 65536
    assert "more fixes: see the commit" in text and "more items" in text
    row = next(line for line in text.splitlines() if line.startswith("| `stacks/t0.yaml:1`"))
    assert row.count(" | ") == 5  # the pipes inside values are escaped
    assert "a\\|b" in row and "…" in row  # long values are cut
    assert B.parse_marker(text)["fingerprint"] == B.fingerprint(topic)
