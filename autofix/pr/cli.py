"""`autofix pr`: fix the default branch and keep one pull request per topic up to date."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Iterator, Sequence

import click

from autofix.cli import EXIT_ERROR, EXIT_OK, fix_options
from autofix.pr import body as B
from autofix.pr.git import TRAILER, Git, GitError, TreeEntry, parse_author, parse_github_repo, scrub
from autofix.pr.github import DEFAULT_API, GitHub, GitHubError


class UsageError(Exception):
    pass


@contextlib.contextmanager
def _chdir(path: str) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


@dataclass
class Options:
    paths: tuple[str, ...]
    base: str | None
    branch_prefix: str
    group_by: str
    author: tuple[str, str] | None
    labels: tuple[str, ...]
    draft: bool
    dry_run: bool
    token_env: str
    repo: str | None
    remote: str
    fmt: str
    exclude: tuple[str, ...]
    quiet: bool
    jobs: int | None
    settings: dict  # the options autofix.cli's settings factory takes (select, ignore, env, config, ...)


@dataclass
class Report:
    """What happened to one topic, for the text and JSON output."""

    branch: str
    action: str  # opened | updated | up-to-date | closed | nothing-to-fix | declined | skipped | would-open
    number: int | None = None
    url: str | None = None
    fixes: int = 0
    detail: str = ""

    def line(self) -> str:
        where = f" #{self.number}" if self.number else ""
        url = f" {self.url}" if self.url else ""
        words = {
            "opened": f"opened pull request{where}",
            "updated": f"updated pull request{where}",
            "up-to-date": f"pull request{where} is up to date",
            "closed": f"closed pull request{where}",
            "nothing-to-fix": "nothing to fix",
            "declined": f"the same fixes were declined in{where}; not reopening",
            "skipped": "skipped",
            "dry-run": "dry run",
        }
        text = f"{self.branch}: {words.get(self.action, self.action)}"
        if self.fixes:
            text += f" ({self.fixes} fix{'es' if self.fixes != 1 else ''})"
        return text + (f": {self.detail}" if self.detail else "") + url


@dataclass
class Tree:
    """The base commit's files autofix needs (templates under the paths, settings files)."""

    entries: list[TreeEntry]
    blobs: dict[str, bytes]
    dirs: set[str] = field(default_factory=set)

    def materialize(self, dest: str) -> None:
        for d in sorted(self.dirs):
            os.makedirs(os.path.join(dest, d), exist_ok=True)
        for e in self.entries:
            target = os.path.join(dest, *e.path.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            data = self.blobs[e.sha]
            if e.mode == "120000":
                os.symlink(data.decode("utf-8", "surrogateescape"), target)
            else:
                with open(target, "wb") as fh:
                    fh.write(data)
                if e.mode == "100755":
                    os.chmod(target, 0o755)

    def changes(self, dest: str) -> dict[str, tuple[str, bytes]]:
        out = {}
        for e in self.entries:
            if e.mode not in ("100644", "100755"):
                continue
            with open(os.path.join(dest, *e.path.split("/")), "rb") as fh:
                data = fh.read()
            if data != self.blobs[e.sha]:
                out[e.path] = (e.mode, data)
        return out


def _run_kwargs(run, **wanted):
    """The keyword arguments `run` accepts among `wanted` (api.run grew jobs/cache over time)."""
    import inspect

    params = inspect.signature(run).parameters
    return {k: v for k, v in wanted.items() if k in params and v is not None}


class PrRun:
    def __init__(self, opts: Options, token: str):
        self.o = opts
        self.token = token
        self.git = Git(os.getcwd(), secrets=[token])
        self.reports: list[Report] = []
        self.failures: list[str] = []
        self.failed = False

    # ---- setup ---------------------------------------------------------------------------------
    def settings_factory(self, select: tuple[str, ...] | None = None):
        """Per-file settings exactly as `apply` builds them (autofix.cli's factory, picklable,
        so api.run can hand it to worker processes); `select` narrows the rules."""
        if select is None:
            return self.factory
        return self.factory.replace(select=select)

    def validate(self) -> None:
        import inspect

        from autofix import cli as main_cli
        from autofix.registry import SelectionError
        from autofix.settings import ConfigError

        if self.o.fmt not in ("text", "json"):
            raise UsageError(f"autofix pr reports as text or json, not {self.o.fmt} (use `autofix check --format {self.o.fmt}`)")
        params = inspect.signature(main_cli._settings_factory).parameters
        try:
            self.factory = main_cli._settings_factory(**{k: v for k, v in self.o.settings.items() if k in params})
            if self.o.settings.get("config"):
                self.factory(None)  # a broken --config is a usage error
        except (SelectionError, ConfigError) as e:
            raise UsageError(str(e)) from None

    def resolve_paths(self, top: str) -> list[str]:
        rels = []
        for p in self.o.paths or (".",):
            rel = os.path.relpath(os.path.abspath(p), top)
            if rel == ".." or rel.startswith(".." + os.sep):
                raise UsageError(f"{p} is outside the repository at {top}")
            rels.append("" if rel == "." else rel.replace(os.sep, "/"))
        return rels

    def read_tree(self, base_sha: str, rels: list[str]) -> Tree:
        from autofix.api import PYTHON_SUFFIXES, TEMPLATE_SUFFIXES
        from autofix.settings import CONFIG_NAMES

        def under(path: str) -> bool:
            return any(r == "" or path == r or path.startswith(r + "/") for r in rels)

        keep, dirs = [], set()
        for e in self.git.ls_tree(base_sha):
            if e.type != "blob":
                continue
            name = e.path.rsplit("/", 1)[-1]
            if under(e.path):
                if "/" in e.path:
                    dirs.add(e.path.rsplit("/", 1)[0])
            if name in CONFIG_NAMES or e.path in rels or (under(e.path) and name.endswith(TEMPLATE_SUFFIXES + PYTHON_SUFFIXES)):
                keep.append(e)
        return Tree(keep, self.git.read_blobs([e.sha for e in keep]), dirs)

    # ---- fixing --------------------------------------------------------------------------------
    def fix(self, tree: Tree, top: str, key: str, select: tuple[str, ...] | None,
            only: Sequence[str] | None = None) -> B.Topic:
        """Run the fixes on a fresh copy of the base tree (on the paths given, or on `only`, a
        list of repository-relative files); the topic with its changed files."""
        from autofix import api

        topic = B.Topic(key=key, branch=B.branch_name(self.o.branch_prefix, key))
        work = tempfile.mkdtemp(prefix="autofix-pr-")
        try:
            root = os.path.join(work, "tree")
            os.makedirs(root)
            tree.materialize(root)
            # settings files are looked up from each template's folder upward: an empty one just
            # above the tree stops the search at the repository's top, as in a checkout
            with open(os.path.join(work, "autofix.toml"), "w") as fh:
                fh.write("# the repository's settings files apply, nothing above them\n")
            cwd_rel = os.path.relpath(os.path.realpath(os.getcwd()), top)
            here = os.path.normpath(os.path.join(root, cwd_rel))
            os.makedirs(here, exist_ok=True)
            if only is not None:
                paths = [os.path.join(root, *p.split("/")) for p in only]
            else:
                paths = [os.path.join(root, os.path.relpath(p, top)) if os.path.isabs(p) else p
                         for p in self.o.paths or (".",)]
            with _chdir(here):
                results = api.run(paths, settings_for=self.settings_factory(select), write=True,
                                  exclude=self.o.exclude, **_run_kwargs(api.run, jobs=self.o.jobs))
                for r in results:
                    rel = os.path.relpath(os.path.abspath(r.path), root).replace(os.sep, "/")
                    if r.status == "failed":
                        where = rel + (f":{r.line}" + (f":{r.column}" if r.column else "") if r.line else "")
                        topic.failures.append(f"{where}: {r.error}")
                        continue
                    for f in r.fixes:
                        (topic.applied if f.applied else topic.pending).append(B.Finding(rel, f))
            topic.applied.sort(key=lambda f: (f.path, f.fix.line, f.fix.column))
            topic.pending.sort(key=lambda f: (f.path, f.fix.line, f.fix.column))
            topic.files = tree.changes(root)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return topic

    def topics(self, tree: Tree, top: str) -> tuple[list[B.Topic], list[str]]:
        """Topics with changes, and every topic key this run owns (for closing)."""
        from autofix import registry

        everything = self.fix(tree, top, B.ALL, None)
        self.failures = everything.failures
        if self.o.group_by == "all":
            return ([everything] if everything.files else []), [B.ALL]
        out = []
        # a file no fix changed in the run with every rule has no fix for any one rule either
        # (the first pass sees the same text), so each rule runs only on the changed files
        changed = sorted(everything.files)
        for code in everything.rules:
            rule = registry.find(code)
            topic = self.fix(tree, top, rule.name if rule else code.lower(), (code,), only=changed)
            topic.pending = sorted(topic.pending + [f for f in everything.pending
                                                    if f.fix.rule == code and f.path not in everything.files],
                                   key=lambda f: (f.path, f.fix.line, f.fix.column))
            topic.failures = list(everything.failures)
            if topic.files:
                out.append(topic)
        return out, [r.name for r in registry.all_rules()]

    # ---- the run -------------------------------------------------------------------------------
    def main(self) -> int:
        o = self.o
        self.validate()
        top = os.path.realpath(self.git.toplevel())
        dirty = self.git.dirty()
        if dirty:
            shown = ", ".join(dirty[:3]) + (f" and {len(dirty) - 3} more" if len(dirty) > 3 else "")
            raise UsageError(f"the working tree has uncommitted changes ({shown}); commit or stash them first")
        repo = o.repo or os.environ.get("GITHUB_REPOSITORY") or parse_github_repo(self.git.remote_url(o.remote))
        gh = None
        if not o.dry_run:
            if not repo or repo.count("/") != 1:
                raise UsageError("cannot tell the GitHub repository: pass --repo OWNER/NAME or set GITHUB_REPOSITORY")
            if not self.token:
                raise UsageError(f"${o.token_env} is not set: export a GitHub token with contents: write and "
                                 "pull-requests: write (or name another variable with --token-env)")
            gh = GitHub(repo, self.token, os.environ.get("GITHUB_API_URL") or DEFAULT_API, o.token_env)
            if not o.author and not self.git.identity_configured():
                raise UsageError("git has no committer identity: set user.name and user.email (git config) "
                                 "or pass --author 'Name <email>'")
        base = o.base or self.git.default_branch(o.remote, network=not o.dry_run) or self.git.current_branch()
        if not base:
            raise UsageError("cannot tell the base branch (detached HEAD and no remote HEAD): pass --base BRANCH")
        if o.dry_run:
            base_sha = self.git.rev_parse(f"refs/remotes/{o.remote}/{base}") or self.git.rev_parse(f"refs/heads/{base}")
            if not base_sha:
                raise UsageError(f"no local copy of {o.remote}/{base} (--dry-run fetches nothing): run git fetch first")
        else:
            base_sha = self.git.fetch(o.remote, base)
        tree = self.read_tree(base_sha, self.resolve_paths(top))
        topics, owned = self.topics(tree, top)
        for line in self.failures:
            click.echo(f"{line}", err=True)
        self.failed = bool(self.failures)

        if o.dry_run:
            self.dry_run(topics, base, base_sha, owned)
        else:
            assert gh is not None
            self.gh = gh
            self.base, self.base_sha = base, base_sha
            for t in topics:
                self.publish(t)
            active = {t.branch for t in topics}
            if self.failed:
                self.reports.append(Report(B.branch_name(o.branch_prefix, B.ALL) if o.group_by == "all" else o.branch_prefix + "*",
                                           "skipped", detail="some files could not be processed: no pull request is "
                                           "closed on this run; open pull requests without fixes are left as they are"))
            else:
                self.close_stale([B.branch_name(o.branch_prefix, k) for k in owned if B.branch_name(o.branch_prefix, k) not in active],
                             quiet=bool(topics))
        self.output()
        return EXIT_ERROR if self.failed else EXIT_OK

    def output(self) -> None:
        if self.o.fmt == "json":
            click.echo(json.dumps({"pull_requests": [r.__dict__ for r in self.reports]}, indent=2))
        elif not self.o.quiet:
            for r in self.reports:
                click.echo(r.line())

    def dry_run(self, topics: list[B.Topic], base: str, base_sha: str, owned: list[str]) -> None:
        if not topics:
            self.reports.append(Report(B.branch_name(self.o.branch_prefix, B.ALL) if self.o.group_by == "all" else self.o.branch_prefix + "*",
                                       "nothing-to-fix", detail=f"no commit, push or pull request on {base}"))
        for t in topics:
            self.reports.append(Report(t.branch, "dry-run", fixes=len(t.applied)))
            if self.o.fmt == "json":
                self.reports[-1].detail = B.title(t)
                continue
            click.echo(f"branch: {t.branch}")
            click.echo(f"base: {base} ({base_sha[:12]})")
            click.echo(f"files: {', '.join(sorted(t.files))}")
            click.echo("commit message:")
            click.echo("".join("    " + ln + "\n" for ln in B.commit_message(t).splitlines()), nl=False)
            click.echo(f"pull request title: {B.title(t)}")
            click.echo("pull request body:")
            click.echo(B.body(t, base))

    # ---- GitHub --------------------------------------------------------------------------------
    def publish(self, t: B.Topic) -> None:
        o, git, gh = self.o, self.git, self.gh
        open_prs = gh.find_pull(t.branch, "open")
        current = open_prs[0] if open_prs else None
        remote_sha = git.remote_branch_sha(o.remote, t.branch)
        remote_tree = remote_parent = None
        if remote_sha:
            tip = git.fetch(o.remote, t.branch)
            remote_tree, remote_parent, msg = git.commit_info(tip)
            if f"{TRAILER}: {t.key}" not in msg:
                self.reports.append(Report(t.branch, "skipped", current["number"] if current else None,
                                           current.get("html_url") if current else None, len(t.applied),
                                           "the branch has commits not made by autofix; leaving it and its pull "
                                           "request alone (delete the branch to start over)"))
                return
        if current is None:
            fp = B.fingerprint(t)
            for p in gh.find_pull(t.branch, "closed"):
                m = B.parse_marker(p.get("body"))
                if p.get("merged_at") is None and m and m["fingerprint"] == fp and not m["autoclosed"]:
                    self.reports.append(Report(t.branch, "declined", p.get("number"), p.get("html_url"), len(t.applied)))
                    return
        commit = git.commit_files(self.base_sha, t.files, B.commit_message(t), o.author)
        pushed = False
        if not (remote_sha and remote_tree == git.tree_of(commit) and remote_parent == self.base_sha):
            git.push(o.remote, commit, t.branch, expect=remote_sha)
            pushed = True
        title, text = B.title(t), B.body(t, self.base)
        if current is not None:
            n = current["number"]
            fields = {}
            if current.get("title") != title:
                fields["title"] = title
            if (current.get("body") or "") != text:
                fields["body"] = text
            if (current.get("base") or {}).get("ref") not in (None, self.base):
                fields["base"] = self.base
            if fields:
                gh.update_pull(n, f"updating pull request #{n}", **fields)
            have = {lb.get("name") for lb in current.get("labels") or [] if isinstance(lb, dict)}
            missing = [lb for lb in o.labels if lb not in have]
            if missing:
                gh.add_labels(n, missing)
            action = "updated" if fields or pushed or missing else "up-to-date"
            self.reports.append(Report(t.branch, action, n, current.get("html_url"), len(t.applied)))
            return
        created = gh.create_pull(title=title, head=t.branch, base=self.base, body=text, draft=o.draft)
        n = created.get("number") if isinstance(created, dict) else None
        if o.labels and n:
            gh.add_labels(n, list(o.labels))
        self.reports.append(Report(t.branch, "opened", n, created.get("html_url") if isinstance(created, dict) else None,
                                   len(t.applied)))

    def close_stale(self, branches: list[str], quiet: bool = False) -> None:
        """Close the open autofix pull requests of `branches`, which have nothing left to fix
        (`quiet`: other topics had fixes, so say nothing when there is nothing to close)."""
        o, gh = self.o, self.gh
        if not branches:
            return
        if len(branches) == 1:
            prs = gh.find_pull(branches[0], "open")
        else:
            wanted = set(branches)
            prs = [p for p in gh.open_pulls()
                   if (p.get("head") or {}).get("ref") in wanted
                   and ((p.get("head") or {}).get("repo") or {}).get("full_name", gh.repo) == gh.repo]
        if not prs:
            if quiet:
                return
            self.reports.append(Report(branches[0] if len(branches) == 1 else o.branch_prefix + "*", "nothing-to-fix",
                                       detail=f"no commit, push or pull request on {self.base}"))
            return
        for p in prs:
            branch = (p.get("head") or {}).get("ref") or branches[0]
            n = p["number"]
            gh.comment(n, B.close_comment(branch, self.base))
            old = p.get("body") or ""
            new = B.MARKER.sub(lambda m: m.group(0).replace(" -->", " autoclosed -->") if not m.group("closed") else m.group(0), old)
            gh.update_pull(n, f"closing pull request #{n}", state="closed", **({"body": new} if new != old else {}))
            detail = "nothing left to fix"
            sha = self.git.remote_branch_sha(o.remote, branch)
            if sha:
                tip = self.git.fetch(o.remote, branch)
                _, _, msg = self.git.commit_info(tip)
                if f"{TRAILER}:" in msg:
                    self.git.delete_branch(o.remote, branch, sha)
                    detail += "; branch deleted"
                else:
                    detail += "; branch kept (it has commits not made by autofix)"
            self.reports.append(Report(branch, "closed", n, p.get("html_url"), 0, detail))


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--base", default=None, help="Branch to fix and target (default: the remote's default branch, else the current one).")
@click.option("--branch-prefix", default="autofix/", show_default=True, help="Prefix of the branches autofix owns.")
@click.option("--group-by", type=click.Choice(["all", "rule"]), default="all", show_default=True,
              help="One pull request for all fixes, or one per rule.")
@click.option("--author", default=None, help="Commit author, 'Name <email>' (default: your git identity).")
@click.option("--label", "labels", multiple=True, help="Label to add to the pull request (repeatable).")
@click.option("--draft", is_flag=True, help="Open pull requests as drafts.")
@click.option("--dry-run", is_flag=True, help="Print the branch, commit message and body; change nothing, call nothing.")
@click.option("--token-env", default="GITHUB_TOKEN", show_default=True, help="Environment variable holding the GitHub token.")
@click.option("--repo", default=None, help="OWNER/NAME on GitHub (default: GITHUB_REPOSITORY, else the remote's URL).")
@click.option("--remote", default="origin", show_default=True, help="Git remote to fetch from and push to.")
@fix_options
def pr(paths, base, branch_prefix, group_by, author, labels, draft, dry_run, token_env, repo, remote, **opts):
    """Fix the default branch and open (or update) a pull request with the fixes.

    One branch per topic (autofix/all, or one per rule with --group-by rule), force-pushed on
    every run; one open pull request per branch, updated in place; closed when nothing is left
    to fix.  The working copy is never touched.
    """
    token = os.environ.get(token_env) or ""
    try:
        options = Options(
            paths=tuple(paths), base=base, branch_prefix=branch_prefix, group_by=group_by,
            author=parse_author(author) if author else None, labels=tuple(labels), draft=draft, dry_run=dry_run,
            token_env=token_env, repo=repo, remote=remote, fmt=opts["fmt"], exclude=tuple(opts["exclude"]),
            quiet=opts["quiet"], jobs=opts.get("jobs"),
            settings={**opts, **{k: os.path.abspath(opts[k]) for k in ("config", "catalog") if opts.get(k)}},
        )
        code = PrRun(options, token).main()
    except (UsageError, GitError, GitHubError, ValueError) as e:
        click.echo(f"error: {scrub(str(e), [token])}", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as e:  # never let a traceback carry the token out
        if os.environ.get("AUTOFIX_DEBUG"):
            raise
        click.echo(f"error: unexpected {type(e).__name__}: {scrub(str(e), [token])} (set AUTOFIX_DEBUG=1 for a traceback)", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(code)
