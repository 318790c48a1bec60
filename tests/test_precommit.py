"""The pre-commit hooks, run by pre-commit itself (`pre-commit try-repo`) against this checkout.

pre-commit builds a virtualenv with autofix installed from this repository (`language: python`),
so the first run needs the package index; the environments are kept for the session."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

KEY = """\
Resources:
  Key:
    Type: AWS::KMS::Key
    DeletionPolicy: Delete
"""
WORKFLOW = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: echo hi}]\n"


def _pre_commit() -> str:
    exe = shutil.which("pre-commit") or shutil.which("pre-commit", path=str(Path(os.sys.executable).parent))
    if not exe:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    return exe


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory, pre_commit_home):
    """This checkout as pre-commit sees a hook repository: a git repository whose HEAD holds the
    files as they are now (try-repo would take only tracked files' changes)."""
    env = _env(pre_commit_home)
    dest = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            env=env, capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"],
                ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "snapshot"]):
        subprocess.run(["git", *cmd], cwd=dest, env=env, check=True)
    return dest


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(home), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    return env


@pytest.fixture
def target(tmp_path, pre_commit_home, hook_repo):
    env = _env(pre_commit_home)
    repo = tmp_path / "infra"
    (repo / "stacks").mkdir(parents=True)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / "stacks" / "key.yaml").write_text(KEY)
    (repo / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    for cmd in (["init", "-q", "-b", "main"], ["config", "user.name", "Dev"], ["config", "user.email", "dev@example.com"],
                ["add", "-A"], ["commit", "-q", "-m", "init"]):
        subprocess.run(["git", *cmd], cwd=repo, env=env, check=True)
    return repo, env, hook_repo


def try_repo(repo: Path, env: dict, hooks: Path, hook: str, *files: str) -> subprocess.CompletedProcess:
    args = [_pre_commit(), "try-repo", str(hooks), hook, "--verbose", "--color", "never"]
    args += ["--files", *files] if files else ["--all-files"]
    return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, timeout=1200)


def test_manifest_declares_both_hooks():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"autofix", "autofix-check"}
    assert hooks["autofix"]["entry"] == "autofix apply" and hooks["autofix-check"]["entry"] == "autofix check"
    for h in hooks.values():
        assert h["language"] == "python" and h["types_or"] == ["yaml", "json", "python"]


def test_autofix_hook_fixes_and_fails_then_passes(target):
    repo, env, hooks = target
    first = try_repo(repo, env, hooks, "autofix")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    fixed = (repo / "stacks" / "key.yaml").read_text()
    assert fixed == KEY.replace("DeletionPolicy: Delete\n", "DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n")
    assert (repo / ".github" / "workflows" / "ci.yml").read_text() == WORKFLOW  # not a template: untouched
    second = try_repo(repo, env, hooks, "autofix")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout


def test_autofix_check_hook_reports_and_changes_nothing(target):
    repo, env, hooks = target
    run = try_repo(repo, env, hooks, "autofix-check", "stacks/key.yaml")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "AF101" in run.stdout and "Failed" in run.stdout
    assert (repo / "stacks" / "key.yaml").read_text() == KEY
    run = try_repo(repo, env, hooks, "autofix-check", ".github/workflows/ci.yml")
    assert run.returncode == 0, run.stdout + run.stderr
