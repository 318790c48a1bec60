"""The `git` command, run as the user runs it: their remote, identity, credential helpers and
hooks configuration all apply.

`autofix pr` never touches the working copy, the index or HEAD: it reads the base commit's
tree (`ls-tree`, `cat-file`), writes the fixed files as blobs, builds the commit with a
temporary index file (`read-tree`, `update-index`, `write-tree`, `commit-tree`) and pushes that
commit by id.  The user's checkout stays on its branch, clean, even when a run is interrupted.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Iterable, Sequence

TRAILER = "Autofix-Topic"
_CREDENTIALS_IN_URL = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")


class GitError(Exception):
    """A git command failed; the message is one line, with credentials removed."""


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without any of `secrets` and without credentials embedded in URLs."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return _CREDENTIALS_IN_URL.sub(r"\1***@", text)


@dataclass(frozen=True)
class TreeEntry:
    mode: str  # "100644", "100755", "120000" (symbolic link), "160000" (submodule)
    type: str  # "blob" or "commit"
    sha: str
    path: str  # repository-relative, forward slashes


class Git:
    def __init__(self, cwd: str, secrets: Sequence[str] = ()):
        self.cwd = cwd
        self.secrets = tuple(s for s in secrets if s)

    # ---- plumbing ------------------------------------------------------------------------------
    def run(self, *args: str, input: bytes | None = None, env: dict | None = None, check: bool = True,
            cwd: str | None = None) -> bytes:
        full_env = dict(os.environ)
        full_env["GIT_TERMINAL_PROMPT"] = "0"  # fail instead of waiting for a password
        full_env.setdefault("LC_ALL", "C")
        if env:
            full_env.update(env)
        try:
            proc = subprocess.run(["git", *args], cwd=cwd or self.cwd, input=input, env=full_env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        if check and proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            # the last "fatal:"/"error:" line says what went wrong; hints come before it
            lines = [ln for ln in err if ln.startswith(("fatal:", "error:", "remote:", "!"))] or err or ["(no message)"]
            msg = " ".join(ln.strip() for ln in lines[-2:])
            raise GitError(scrub(f"git {args[0]} failed: {msg}", self.secrets))
        return proc.stdout

    def text(self, *args: str, **kw) -> str:
        return self.run(*args, **kw).decode("utf-8", "replace").strip()

    def maybe(self, *args: str) -> str | None:
        """Output of a command that may fail (a missing ref), or None."""
        try:
            out = self.text(*args)
        except GitError:
            return None
        return out or None

    # ---- reading -------------------------------------------------------------------------------
    def toplevel(self) -> str:
        try:
            return self.text("rev-parse", "--show-toplevel")
        except GitError:
            raise GitError(f"{self.cwd} is not inside a git repository") from None

    def dirty(self) -> list[str]:
        """Tracked files with changes, staged or not (untracked files are not autofix's business:
        only tracked files are fixed and committed)."""
        out = self.run("status", "--porcelain=v1", "-z", "--untracked-files=no")
        return [e[3:].decode("utf-8", "replace") for e in out.split(b"\0") if len(e) > 3]

    def current_branch(self) -> str | None:
        return self.maybe("symbolic-ref", "--quiet", "--short", "HEAD")

    def remote_url(self, remote: str) -> str | None:
        return self.maybe("remote", "get-url", remote)

    def rev_parse(self, ref: str) -> str | None:
        return self.maybe("rev-parse", "--verify", "--quiet", ref + "^{commit}")

    def default_branch(self, remote: str, network: bool) -> str | None:
        """The remote's default branch: from `refs/remotes/<remote>/HEAD`, else (when `network`)
        by asking the remote; None when neither says."""
        head = self.maybe("symbolic-ref", "--quiet", f"refs/remotes/{remote}/HEAD")
        if head and head.startswith(f"refs/remotes/{remote}/"):
            return head[len(f"refs/remotes/{remote}/"):]
        if network:
            out = self.maybe("ls-remote", "--symref", remote, "HEAD")
            for line in (out or "").splitlines():
                if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
                    return line[len("ref: refs/heads/"):-len("\tHEAD")]
        return None

    def remote_branch_sha(self, remote: str, branch: str) -> str | None:
        out = self.text("ls-remote", "--heads", remote, f"refs/heads/{branch}")
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def fetch(self, remote: str, branch: str) -> str:
        """Fetch one branch into `refs/remotes/<remote>/<branch>`; its commit id."""
        self.run("fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
        sha = self.rev_parse(f"refs/remotes/{remote}/{branch}")
        if not sha:
            raise GitError(f"git fetch did not bring {remote}/{branch}")
        return sha

    def ls_tree(self, commit: str) -> list[TreeEntry]:
        out = self.run("ls-tree", "-r", "-z", "--full-tree", commit)
        entries = []
        for item in out.split(b"\0"):
            if not item:
                continue
            meta, _, path = item.partition(b"\t")
            mode, typ, sha = meta.decode().split()
            entries.append(TreeEntry(mode, typ, sha, path.decode("utf-8", "surrogateescape")))
        return entries

    def read_blobs(self, shas: Sequence[str]) -> dict[str, bytes]:
        """Contents of many blobs with one `git cat-file --batch`."""
        unique = list(dict.fromkeys(shas))
        if not unique:
            return {}
        out = self.run("cat-file", "--batch", input="".join(s + "\n" for s in unique).encode())
        blobs: dict[str, bytes] = {}
        pos = 0
        for sha in unique:
            nl = out.index(b"\n", pos)
            header = out[pos:nl].decode().split()
            if len(header) != 3:
                raise GitError(f"git cat-file: cannot read object {sha}")
            size = int(header[2])
            blobs[sha] = out[nl + 1 : nl + 1 + size]
            pos = nl + 1 + size + 1
        return blobs

    def commit_info(self, sha: str) -> tuple[str, str | None, str]:
        """(tree, first parent or None, message) of a commit."""
        out = self.text("show", "-s", "--format=%T%n%P%n%B", sha)
        tree, parents, *msg = out.split("\n")
        return tree, (parents.split() or [None])[0], "\n".join(msg)

    def identity_configured(self) -> bool:
        return self.maybe("var", "GIT_COMMITTER_IDENT") is not None

    # ---- writing -------------------------------------------------------------------------------
    def write_blob(self, data: bytes) -> str:
        return self.text("hash-object", "-w", "--stdin", input=data)

    def commit_files(self, base: str, files: dict[str, tuple[str, bytes]], message: str,
                     author: tuple[str, str] | None = None) -> str:
        """A commit on top of `base` that sets `files` (path -> (mode, content)); nothing else
        in the repository changes."""
        lines = []
        for path, (mode, data) in sorted(files.items()):
            lines.append(f"{mode} {self.write_blob(data)}\t{path}".encode("utf-8", "surrogateescape") + b"\0")
        fd, index = tempfile.mkstemp(prefix="autofix-index-")
        os.close(fd)
        os.unlink(index)  # git wants to create it
        env = {"GIT_INDEX_FILE": index}
        try:
            self.run("read-tree", base, env=env)
            self.run("update-index", "-z", "--index-info", input=b"".join(lines), env=env)
            tree = self.text("write-tree", env=env)
        finally:
            for p in (index, index + ".lock"):
                try:
                    os.unlink(p)
                except OSError:
                    pass
        cenv: dict[str, str] = {}
        if author:
            cenv.update(GIT_AUTHOR_NAME=author[0], GIT_AUTHOR_EMAIL=author[1])
            if not self.identity_configured():
                cenv.update(GIT_COMMITTER_NAME=author[0], GIT_COMMITTER_EMAIL=author[1])
        return self.text("commit-tree", tree, "-p", base, "-F", "-", input=message.encode("utf-8"), env=cenv)

    def tree_of(self, commit: str) -> str:
        return self.text("rev-parse", commit + "^{tree}")

    def push(self, remote: str, commit: str, branch: str, expect: str | None) -> None:
        """Force-push `commit` to `branch`, but only if the branch is still at `expect` (None: it
        must not exist), so a push made meanwhile by someone else is never overwritten."""
        self.run("push", "--quiet", f"--force-with-lease=refs/heads/{branch}:{expect or ''}", remote,
                 f"{commit}:refs/heads/{branch}")

    def delete_branch(self, remote: str, branch: str, expect: str) -> None:
        self.run("push", "--quiet", f"--force-with-lease=refs/heads/{branch}:{expect}", remote, f":refs/heads/{branch}")


def parse_github_repo(url: str | None) -> str | None:
    """owner/name from a remote URL: https://host/owner/name(.git), git@host:owner/name(.git),
    ssh://git@host/owner/name(.git); None for anything else (a local path)."""
    if not url:
        return None
    m = re.match(r"^(?:[a-z][a-z0-9+.-]*://(?:[^@/]+@)?[^/]+/|[^@/\s]+@[^:/\s]+:)(?P<path>[^\s]+?)(?:\.git)?/?$", url, re.I)
    if not m:
        return None
    parts = m.group("path").strip("/").split("/")
    if len(parts) != 2 or not all(re.fullmatch(r"[A-Za-z0-9_.-]+", p) for p in parts):
        return None
    return "/".join(parts)


def parse_author(value: str) -> tuple[str, str]:
    """'Name <email>' -> (name, email)."""
    m = re.fullmatch(r"\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>\s]+)>\s*", value)
    if not m or not m.group("name"):
        raise ValueError(f"--author must look like 'Name <email@example.com>', not {value!r}")
    return m.group("name"), m.group("email")
