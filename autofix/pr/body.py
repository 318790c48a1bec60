"""What a reviewer reads: branch name, commit message, pull request title and body.

The body ends with a hidden marker holding the topic and a fingerprint of the fixes, which is
all the state autofix keeps: it lives in the pull request itself.  A pull request closed
without merging whose fingerprint matches the current fixes was declined, and is not reopened
until the fixes change.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Sequence

from autofix import __version__
from autofix.fixes import Applicability, Fix
from autofix.pr.git import TRAILER

MAX_BODY = 60_000  # GitHub refuses bodies over 65,536 characters
MARKER = re.compile(r"<!-- autofix:pr topic=(?P<topic>\S+) fingerprint=(?P<fp>[0-9a-f]+)(?P<closed> autoclosed)? -->")
ALL = "all"


@dataclass
class Finding:
    path: str  # repository-relative, forward slashes
    fix: Fix


@dataclass
class Topic:
    key: str  # "all" or a rule name
    branch: str
    applied: list[Finding] = field(default_factory=list)
    pending: list[Finding] = field(default_factory=list)  # found, not applied (unsafe, manual)
    failures: list[str] = field(default_factory=list)  # "path:line: reason"
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # changed path -> (mode, content)

    @property
    def rules(self) -> list[str]:
        return sorted({f.fix.rule for f in self.applied})


def branch_name(prefix: str, key: str) -> str:
    return f"{prefix}{key}"


def fingerprint(topic: Topic) -> str:
    items = sorted(f"{f.path}\0{f.fix.rule}\0{f.fix.resource}\0{f.fix.message}" for f in topic.applied)
    return hashlib.sha256("\n".join(items).encode("utf-8")).hexdigest()[:16]


def marker(topic: Topic, autoclosed: bool = False) -> str:
    return f"<!-- autofix:pr topic={topic.key} fingerprint={fingerprint(topic)}{' autoclosed' if autoclosed else ''} -->"


def parse_marker(body: str | None) -> dict | None:
    m = MARKER.search(body or "")
    if not m:
        return None
    return {"topic": m.group("topic"), "fingerprint": m.group("fp"), "autoclosed": bool(m.group("closed"))}


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _rule(code: str):
    from autofix import registry

    return registry.find(code)


def title(topic: Topic) -> str:
    n, files = len(topic.applied), len({f.path for f in topic.applied})
    if topic.key == ALL:
        return f"autofix: fix {_plural(n, 'finding')} in {_plural(files, 'file')} ({', '.join(topic.rules)})"
    code = topic.rules[0] if topic.rules else topic.key
    rule = _rule(code)
    summary = rule.summary if rule else topic.key
    return f"autofix {code}: {summary}"


def commit_message(topic: Topic) -> str:
    lines = [title(topic), ""]
    shown = topic.applied[:50]
    for f in shown:
        where = f"{f.path}" + (f" ({f.fix.resource})" if f.fix.resource else "")
        lines.append(f"- {f.fix.rule} {where}: {_one_line(f.fix.message)}")
    if len(topic.applied) > len(shown):
        lines.append(f"- ... and {len(topic.applied) - len(shown)} more")
    lines += ["", f"{TRAILER}: {topic.key}"]
    return "\n".join(lines) + "\n"


def _one_line(s: str | None) -> str:
    return " ".join((s or "").split())


def _short(s: str, limit: int = 120) -> str:
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def _cell(s: str | None, code: bool = False, limit: int = 120) -> str:
    """A Markdown table cell: one line, at most `limit` characters, pipes escaped; optionally
    as inline code."""
    s = _short(_one_line(s), limit)
    if not s:
        return ""
    if code and "`" not in s:
        return "`" + s.replace("|", "\\|") + "`"
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _safety(fix: Fix) -> str:
    if fix.applicability is Applicability.UNSAFE:
        return "unsafe: " + _cell(fix.unsafe_reason or "changes behaviour")
    if fix.applicability is Applicability.DISPLAY_ONLY:
        return "manual"
    return "safe"


def _why(rule) -> str:
    """The first paragraph of the rule docstring's `Why:` section."""
    doc = rule.doc()
    m = re.search(r"^Why:\s*\n((?:[ \t]+\S.*\n?)+)", doc, re.M)
    if not m:
        return ""
    return " ".join(m.group(1).split())


def _table(findings: Sequence[Finding]) -> list[str]:
    rows = ["| File | Resource | Rule | Before → After | Safety | Replaces a live resource |",
            "| --- | --- | --- | --- | --- | --- |"]
    for f in findings:
        fx = f.fix
        where = f"{f.path}:{fx.line}" if fx.line else f.path
        change = (f"{_cell(fx.before, code=True) or '—'} → {_cell(fx.after, code=True) or '—'}"
                  if fx.before or fx.after else _cell(fx.message))
        rows.append(f"| {_cell(where, code=True, limit=300)} | {_cell(fx.resource, code=True) or '—'} | "
                    f"{fx.rule} {_cell(fx.name)} | {change} | {_safety(fx)} | "
                    f"{'**yes**' if fx.replaces_resource else 'no'} |")
    return rows


def _where(f: Finding) -> str:
    return f"`{f.path}`" + (f" {_cell(f.fix.resource, code=True)}" if f.fix.resource else "") + f" {f.fix.rule}"


def _capped(lines: list[str], budget: int, what: str) -> list[str]:
    """`lines` up to `budget` characters, then a line saying how many were left out."""
    kept, total = [], 0
    for line in lines:
        if total + len(line) + 1 > budget:
            return kept + [f"- … and {len(lines) - len(kept)} more {what}: see the commit and `autofix check`."]
        kept.append(line)
        total += len(line) + 1
    return kept


def _human(topic: Topic) -> list[str]:
    out: list[str] = []
    for f in topic.applied:
        for note in f.fix.notes:
            out.append(f"- {_where(f)}: {_short(_one_line(note), 400)}")
        if f.fix.replaces_resource:
            out.append(f"- {_where(f)}: deploying this replaces the resource (a new physical resource; the old one "
                       "is deleted or retained per its policy).")
    unsafe = [f for f in topic.pending if f.fix.applicability is Applicability.UNSAFE and f.fix.edits]
    for f in unsafe:
        why = f": {_short(_one_line(f.fix.unsafe_reason), 300)}" if f.fix.unsafe_reason else ""
        out.append(f"- Not applied (unsafe{why}): {_where(f)}: {_short(_one_line(f.fix.message), 300)}. "
                   "Run with `--unsafe-fixes` (Action input `unsafe-fixes: true`) to include it.")
    for f in topic.pending:
        if f in unsafe:
            continue
        out.append(f"- Found, no automatic fix: {_where(f)}: {_short(_one_line(f.fix.message), 300)}")
        out += [f"  - {_short(_one_line(note), 300)}" for note in f.fix.notes]
    out += [f"- Could not process: {_cell(line, limit=300)}" for line in topic.failures]
    return out


def body(topic: Topic, base: str, command: str = "") -> str:
    """The pull request body; always under GitHub's limit (long lists are cut, with a count)."""
    budget = MAX_BODY // 2
    while True:
        text = _body(topic, base, command, budget)
        if len(text) <= MAX_BODY or budget < 2_000:
            return text
        budget //= 2


def _body(topic: Topic, base: str, command: str, budget: int) -> str:
    n, files = len(topic.applied), len({f.path for f in topic.applied})
    out = [
        f"autofix fixed **{_plural(n, 'finding')}** in **{_plural(files, 'file')}** on `{base}`. "
        "Each change is the smallest text edit that resolves the finding: comments, quoting and "
        "formatting elsewhere are left as they were.",
        "",
        "### Changes",
        "",
    ]
    table = _table(topic.applied)
    rows = _capped(table[2:], budget, "fixes")
    if rows and rows[-1].startswith("- … and"):
        rows[-1:] = ["", rows[-1][2:]]  # a line after a table must be apart from it
    out += table[:2] + rows
    human = _human(topic)
    if human:
        out += ["", "### Needs a human", ""] + _capped(human, budget // 2, "items")

    out += ["", "### Why", ""]
    for code in topic.rules:
        rule = _rule(code)
        if rule is None:
            out.append(f"- **{code}**")
            continue
        link = f" [AWS documentation]({rule.source_url})" if rule.source_url else ""
        why = _why(rule)
        out.append(f"- **{rule.code} {rule.name}**: {rule.summary.rstrip('.')}. {why}{link}")
    out += [
        "",
        "### Configure or silence autofix",
        "",
        f"- Explain a rule: `autofix explain {topic.rules[0] if topic.rules else 'AF101'}`.",
        "- Skip one resource: add `# autofix: ignore[CODE]` on the line autofix reports, or "
        "`Metadata: {autofix: {ignore: [CODE]}}` on the resource (cfn-lint's `ignore_checks` works too).",
        "- Skip a rule or files everywhere: `ignore = [\"CODE\"]` or `per-file-ignores` in `autofix.toml` "
        "(or `[tool.autofix]` in `pyproject.toml`); the environment (`test`/`production`) is set there too.",
        "- Closing this pull request without merging declines these exact changes: autofix will not open "
        "them again until its findings change.",
        "- autofix keeps this pull request up to date on every run and closes it when nothing is left to fix. "
        "If you push commits to the branch, autofix stops updating it.",
        "",
        "---",
        f"Generated by autofix {__version__}" + (f" (`{command}`)" if command else "") + ".",
        marker(topic),
    ]
    text = "\n".join(out) + "\n"
    return text


def close_comment(branch: str, base: str) -> str:
    return (f"autofix found nothing left to fix on `{base}` for `{branch}` (the fixes have landed, or the "
            "templates changed), so this pull request is no longer needed. Closing it"
            " and deleting its branch.")
