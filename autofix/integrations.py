"""Report formats for CI: SARIF 2.1.0 (GitHub code scanning) and GitHub workflow-command
annotations.  `render(fmt, results)` returns the whole report as text.

What a SARIF result's location and `fixes` refer to
----------------------------------------------------
SARIF describes the files *as they are on disk after the command*: the original text for
`check`, the fixed text for `apply`.  The engine fixes in passes; a fix of a later pass has
edits (and a line) relative to the intermediate text of that pass, and fixes found but not
applied (unsafe, display-only) are relative to the final text.  So:

* `check` reports the first pass (when it keeps no fixed text) or every pass (`--diff`).  When
  every applied fix came from the first pass (with the fixed text at hand: checked by applying
  all their edits to the original at once and getting exactly the fixed text), each result
  carries its own exact `fixes` entry.  When the file needed several passes, the first applied
  result of that file carries one `fixes` entry with the whole-file change (line hunks from the
  original to the fixed text) and names the findings it covers; the others carry none, since
  applying the same change twice would conflict.  Unapplied unsafe fixes get a `fixes` entry
  only when their edits are relative to the file on disk.  Lines of unapplied findings are
  mapped back from the fixed text to the original.
* `apply`: fixes already made are `note` results marked fixed, with lines mapped to the written
  text when both texts are at hand, and no `fixes`; unapplied unsafe fixes carry their edits,
  which are relative to the written text.
* Results that carry no text (a cache hit, `check` without --diff) are read back from disk;
  a result without edits (a cache hit) gets no `fixes` entry.

Columns count Unicode code points (`columnKind: unicodeCodePoints`), as Python strings do.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from pathlib import Path
from typing import Iterable, Sequence
from urllib.parse import quote

from autofix import __version__
from autofix.fixes import Applicability, Edit, Fix, OverlapError, apply_edits

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/autofix/"
TOOL_NAME = "autofix"


def render(fmt: str, results: Sequence) -> str:
    if fmt == "sarif":
        return json.dumps(to_sarif(results), indent=2, ensure_ascii=False)
    if fmt == "github":
        return github_annotations(results)
    raise ValueError(f"unknown format {fmt!r}")


# ---- positions ---------------------------------------------------------------------------------

class LineIndex:
    """Character offsets <-> 1-based line and column ("\\n" ends a line, as in Document)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        offset = max(0, min(offset, len(self.text)))
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    @property
    def line_count(self) -> int:
        return len(self.starts)


class LineMap:
    """Maps lines of `src` to lines of `dst` through a line diff (computed once)."""

    def __init__(self, src: str, dst: str):
        a, b = src.splitlines(keepends=True), dst.splitlines(keepends=True)
        self.size = len(b)
        self.opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()

    def __call__(self, line: int) -> tuple[int, bool]:
        """The `dst` line holding `src` line `line`, and whether that line is unchanged; a
        changed line maps to the start of its replacement."""
        i = line - 1
        for tag, i1, i2, j1, j2 in self.opcodes:
            if i1 <= i < i2:
                if tag == "equal":
                    return j1 + (i - i1) + 1, True
                return j1 + 1, False
        return max(1, min(line, self.size + 1)), False


def map_line(line: int, src: str, dst: str) -> tuple[int, bool]:
    return LineMap(src, dst)(line)


def _region(index: LineIndex, start: int, end: int) -> dict:
    sl, sc = index.position(start)
    el, ec = index.position(end)
    return {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec}


def _replacements(text: str, edits: Iterable[Edit]) -> list[dict]:
    index = LineIndex(text)
    return [{"deletedRegion": _region(index, e.start, e.end), "insertedContent": {"text": e.content}}
            for e in sorted(edits)]


def _hunk_edits(src: str, dst: str) -> list[Edit]:
    """Whole-line edits turning `src` into `dst` (the changed hunks only)."""
    a, b = src.splitlines(keepends=True), dst.splitlines(keepends=True)
    offsets = [0]
    for line in a:
        offsets.append(offsets[-1] + len(line))
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            out.append(Edit(offsets[i1], offsets[i2], "".join(b[j1:j2])))
    return out


def single_pass(original: str | None, output: str | None, fixes: Sequence[Fix]) -> bool:
    """Whether the edits of `fixes`, all applied to `original` at once, give exactly `output`."""
    if original is None or output is None or not fixes:
        return False
    try:
        return apply_edits(original, [e for f in fixes for e in f.edits]) == output
    except OverlapError:
        return False


# ---- SARIF -------------------------------------------------------------------------------------

def artifact_uri(path: str) -> str:
    """A relative URI (forward slashes, percent-encoded) for a file under the current folder,
    else an absolute file: URI."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full, os.path.abspath(os.getcwd())) if os.path.splitdrive(full)[0] == os.path.splitdrive(os.getcwd())[0] else ".."
    if rel == ".." or rel.startswith(".." + os.sep):
        return Path(full).as_uri()
    # RFC 3986 path characters stay as they are; ":" is encoded (it would read as a scheme)
    return quote(Path(rel).as_posix(), safe="/@!$&'()*+,;=~")


def _rule_entry(rule) -> dict:
    doc = rule.doc()
    entry = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary or rule.name},
        "fullDescription": {"text": doc},
        "help": {"text": doc + (f"\n\nDocs: {rule.source_url}" if rule.source_url else ""),
                 "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": sorted({"cloudformation" if rule.language == "cfn" else "cdk", "autofix",
                            *(f"cfn-lint:{c}" for c in rule.cfn_lint)}),
            "applicability": rule.applicability.value,
            "environments": list(rule.environments),
        },
    }
    if rule.source_url:
        entry["helpUri"] = rule.source_url
    return entry


def _help_markdown(rule) -> str:
    text = f"**{rule.code} {rule.name}**: {rule.summary}\n\n```\n{rule.doc()}\n```\n"
    if rule.source_url:
        text += f"\nAWS documentation: {rule.source_url}\n"
    return text


def _unknown_rule_entry(fix: Fix) -> dict:
    return {"id": fix.rule, "name": fix.name or fix.rule, "shortDescription": {"text": fix.name or fix.rule},
            "fullDescription": {"text": fix.name or fix.rule}, "defaultConfiguration": {"level": "warning"}}


def _rules_for(results: Sequence) -> list[dict]:
    from autofix import registry

    entries = {r.code: _rule_entry(r) for r in registry.all_rules()}
    for r in results:
        for f in r.fixes:
            if f.rule not in entries:
                entries[f.rule] = _unknown_rule_entry(f)
    return [entries[k] for k in sorted(entries)]


def _artifact(uri: str) -> dict:
    return {"uri": uri} if uri.startswith("file:") else {"uri": uri, "uriBaseId": "%SRCROOT%"}


def _location(uri: str, line: int, column: int | None) -> dict:
    phys: dict = {"artifactLocation": _artifact(uri)}
    if line > 0:
        region = {"startLine": line}
        if column and column > 0:
            region["startColumn"] = column
        phys["region"] = region
    return {"physicalLocation": phys}


def _message(fix: Fix, fixed: bool) -> str:
    parts = [("Fixed: " if fixed else "") + fix.message]
    if fix.applicability is Applicability.UNSAFE and fix.unsafe_reason:
        parts.append(f"Unsafe fix: {fix.unsafe_reason}")
    if fix.replaces_resource:
        parts.append("The change replaces the deployed resource.")
    parts.extend(f"Note: {n}" for n in fix.notes)
    return " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in parts)


def _fingerprint(path_uri: str, fix: Fix) -> str:
    key = "\x00".join([fix.rule, path_uri, fix.resource or f"line {fix.line}", fix.message])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _fix_entry(uri: str, text: str, edits: Sequence[Edit], description: str) -> dict:
    return {
        "description": {"text": description},
        "artifactChanges": [{"artifactLocation": _artifact(uri), "replacements": _replacements(text, edits)}],
    }


def _read_disk(r) -> str | None:
    """The file's text as the command left it, for results that do not carry it (`check`
    without --diff and `apply` keep no texts); None when it cannot be read or no longer fits
    the edits."""
    try:
        with open(r.path, "rb") as fh:
            text = fh.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    text = text[1:] if text.startswith("\ufeff") else text
    if any(e.end > len(text) for f in r.fixes for e in f.edits):
        return None
    return text


def _file_results(r, uri: str, rule_index: dict[str, int]) -> list[dict]:
    written = r.status == "fixed"  # apply: the file on disk now holds the fixed text
    taken = [f for f in r.fixes if f.applied or f.would_apply]
    # `check` without the fixed text reports the first pass only: every finding is relative to
    # the file on disk
    detect_only = r.output is None and r.status == "would-fix"
    both = r.original is not None and r.output is not None
    disk = r.output if written else r.original
    if disk is None and any(f.edits for f in r.fixes):
        disk = _read_disk(r)
    one_pass = detect_only or (both and single_pass(r.original, r.output, taken))
    # where unapplied findings' edits point: the final text, which is on disk unless check changed it
    pending_on_disk = written or detect_only or not r.changed
    combined_done = False
    mappers: dict[bool, LineMap] = {}
    out = []
    for f in r.fixes:
        is_taken = f.applied or f.would_apply
        line, column = f.line, f.column
        # positions: taken fixes are (at least approximately) relative to the original text,
        # the others to the final one; map them to the text on disk
        if line > 0 and both and r.changed and (is_taken == written):
            if is_taken not in mappers:
                mappers[is_taken] = LineMap(r.original, r.output) if written else LineMap(r.output, r.original)
            line, exact = mappers[is_taken](line)
            column = column if exact else 0
        res: dict = {
            "ruleId": f.rule,
            "level": "note" if (written and is_taken) else "warning",
            "message": {"text": _message(f, fixed=written and is_taken)},
            "locations": [_location(uri, line, column)],
            "partialFingerprints": {"autofixFinding/v1": _fingerprint(uri, f)},
            "properties": {k: v for k, v in {
                "applicability": f.applicability.value,
                "fixed": bool(written and is_taken),
                "fixable": f.fixable,
                "resource": f.resource,
                "before": f.before,
                "after": f.after,
                "unsafeReason": f.unsafe_reason,
                "replacesResource": f.replaces_resource,
                "notes": list(f.notes),
                "cfnLint": list(f.cfn_lint),
            }.items() if v is not None},
        }
        if f.rule in rule_index:
            res["ruleIndex"] = rule_index[f.rule]
        fixes: list[dict] = []
        what = f"{f.rule} {f.resource}" if f.resource else f.rule
        if is_taken and not written and f.edits and disk is not None:
            if one_pass:
                fixes.append(_fix_entry(uri, disk, f.edits, f"{what}: {f.after or f.message}"))
            elif not combined_done and both:
                covered = ", ".join(f"{t.rule} {t.resource}" if t.resource else t.rule for t in taken)
                fixes.append(_fix_entry(uri, r.original, _hunk_edits(r.original, r.output),
                                        f"All autofix changes to this file, which need several passes ({covered})"))
                combined_done = True
        elif (not is_taken and f.edits and f.applicability is not Applicability.DISPLAY_ONLY and pending_on_disk
              and disk is not None):
            why = f" (unsafe: {f.unsafe_reason})" if f.applicability is Applicability.UNSAFE and f.unsafe_reason else ""
            fixes.append(_fix_entry(uri, disk, f.edits, f"{what}: {f.after or f.message}{why}"))
        if fixes:
            res["fixes"] = fixes
        out.append(res)
    return out


def to_sarif(results: Sequence) -> dict:
    rules = _rules_for(results)
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    sarif_results: list[dict] = []
    notifications: list[dict] = []
    for r in results:
        uri = artifact_uri(r.path)
        if r.status == "failed":
            notifications.append({
                "level": "error",
                "message": {"text": f"{r.path}: {r.error}"},
                "locations": [_location(uri, r.line, r.column)],
            })
            continue
        sarif_results.extend(_file_results(r, uri, rule_index))
    run = {
        "tool": {"driver": {
            "name": TOOL_NAME,
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": rules,
        }},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [{
            "executionSuccessful": not notifications,
            "toolExecutionNotifications": notifications,
        }],
        "results": sarif_results,
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


# ---- GitHub workflow commands ------------------------------------------------------------------

def escape_data(s: str) -> str:
    """A workflow command's message (GitHub's toolkit `escapeData`)."""
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    """A workflow command's property value (GitHub's toolkit `escapeProperty`)."""
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, props: dict, message: str) -> str:
    inner = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v not in (None, "", 0))
    return f"::{kind} {inner}::{escape_data(message)}" if inner else f"::{kind}::{escape_data(message)}"


def _display_path(path: str) -> str:
    """Paths relative to the current folder (the workspace in a workflow), with forward slashes."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return (path if rel.startswith("..") else rel).replace(os.sep, "/")


def github_annotations(results: Sequence) -> str:
    lines = []
    for r in results:
        path = _display_path(r.path)
        if r.status == "failed":
            lines.append(_command("error", {"file": path, "line": r.line, "col": r.column, "title": "autofix: file not processed"},
                                  r.error or "failed"))
            continue
        written = r.status == "fixed"
        for f in r.fixes:
            fixed = written and (f.applied or f.would_apply)
            props = {"file": path, "line": f.line, "col": f.column if f.line else None, "title": f"{f.rule} {f.name}".strip()}
            lines.append(_command("notice" if fixed else "warning", props, _message(f, fixed)))
    return "".join(line + "\n" for line in lines)
