"""parse -> run rules -> keep applicable fixes -> apply edits -> re-parse and verify, until stable.

Each pass applies the fixes whose edits do not overlap; the next pass sees the result, so a
fix that conflicted with another gets its turn.  After every pass the new text must parse and
its meaning may differ from the old one only at the paths the applied fixes declared.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from autofix.fixes import Applicability, Fix, OverlapError, apply_edits, select_compatible
from autofix.rules import Context, Rule
from autofix.settings import Settings

MAX_PASSES = 10  # passes allowed beyond the fixes the first pass had to defer
PASS_CAP = 200

_IGNORE_COMMENT = re.compile(r"#\s*autofix:\s*ignore(?:\[([^\]]*)\])?", re.I)


class EngineError(Exception):
    """A fix could not be applied safely; the file must be left as it was."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Outcome:
    text: str
    applied: list[Fix] = field(default_factory=list)
    pending: list[Fix] = field(default_factory=list)  # found but not applied (unsafe, display-only)
    passes: int = 0

    @property
    def fixes(self) -> list[Fix]:
        return self.applied + self.pending


def _codes(v: Any) -> set[str]:
    if isinstance(v, str):
        return {v}
    if isinstance(v, list):
        return {x for x in v if isinstance(x, str)}
    return set()


def _rule_named(rule: Rule, codes: set[str]) -> bool:
    up = {c.upper() for c in codes}
    return "ALL" in up or rule.code in up or rule.name.upper() in up or any(c in up for c in rule.cfn_lint)


def _metadata_ignores(doc: Any, resource: str | None) -> set[str]:
    """Codes a template or resource opts out of through `Metadata` (autofix's own and cfn-lint's)."""
    root = getattr(doc, "root", None)
    if root is not None:  # a template: read only the Metadata nodes, not the whole tree
        from autofix.cfn.document import mapping_get, to_plain

        nodes = [mapping_get(root, "Metadata")]
        if resource:
            found = doc.resource_node(resource) if hasattr(doc, "resource_node") else None
            nodes.append(mapping_get(found[1], "Metadata") if found else None)
        metas = [to_plain(n) for n in nodes if n is not None]
    else:
        plain = doc.plain if hasattr(doc, "plain") else None
        if not isinstance(plain, dict):
            return set()
        metas = [plain.get("Metadata")]
        if resource:
            res = plain.get("Resources", {}).get(resource)
            if isinstance(res, dict):
                metas.append(res.get("Metadata"))
    out: set[str] = set()
    for meta in metas:
        if not isinstance(meta, dict):
            continue
        af = meta.get("autofix")
        if isinstance(af, dict):
            out |= _codes(af.get("ignore"))
        cl = meta.get("cfn-lint")
        if isinstance(cl, dict) and isinstance(cl.get("config"), dict):
            out |= _codes(cl["config"].get("ignore_checks"))
    return out


def suppressed(rule: Rule, fix: Fix, doc: Any, settings: Settings, path: str | None) -> bool:
    if _rule_named(rule, set(settings.ignores_for(path))):
        return True
    if _rule_named(rule, _metadata_ignores(doc, fix.resource)):
        return True
    if getattr(doc, "is_json", False):
        return False
    # the finding's own line, and every line an edit of it rewrites
    # a bisection per edit: counting newlines from the top would be N x the text
    starts = doc.line_starts() if hasattr(doc, "line_starts") else [0] + [m.end() for m in re.finditer("\n", doc.text)]
    lines = {fix.line} | {bisect.bisect_right(starts, e.start) for e in fix.edits if e.end > e.start}
    for line in sorted(lines - {0}):
        m = _IGNORE_COMMENT.search(doc.line_text(line))
        if m and (m.group(1) is None or _rule_named(rule, {c.strip() for c in m.group(1).split(",") if c.strip()})):
            return True
    return False


def semantic_diff(a: Any, b: Any, path: tuple = ()) -> list[tuple]:
    """Paths at which two plain trees differ (the shallowest point of each difference)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[tuple] = []
        for k in a.keys() | b.keys():
            if k not in a or k not in b:
                out.append(path + (k,))
            else:
                out.extend(semantic_diff(a[k], b[k], path + (k,)))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out.extend(semantic_diff(x, y, path + (i,)))
        return out
    if type(a) is not type(b) or a != b:
        return [path]
    return []


def verify(old_doc: Any, new_doc: Any, fixes: Sequence[Fix]) -> None:
    if not hasattr(old_doc, "plain"):
        return
    # a difference is covered when it lies inside a declared path, or contains one: set
    # look-ups of prefixes keep this linear in the number of fixes (large templates)
    declared = {tuple(p) for f in fixes for p in f.paths}
    prefixes = {p[:i] for p in declared for i in range(len(p) + 1)}
    for d in semantic_diff(old_doc.plain, new_doc.plain):
        if not (d in prefixes or any(d[:i] in declared for i in range(len(d) + 1))):
            rules = ", ".join(sorted({f.rule for f in fixes}))
            where = "/".join(map(str, d)) or "the document root"
            raise EngineError(f"fix by {rules} changed {where}, which it did not declare; file left unchanged")


def run_rules(doc: Any, rules: Sequence[Rule], settings: Settings, path: str | None) -> list[Fix]:
    ctx = Context(doc=doc, settings=settings, path=path)
    found: list[Fix] = []
    try:
        for rule in rules:
            if not rule.enabled_for(settings.environment):
                continue
            try:
                fixes = list(rule.check(ctx))
            except Exception as e:  # a broken rule must not take the run down
                raise EngineError(f"rule {rule.code} ({rule.name}) failed: {type(e).__name__}: {e}") from e
            for fix in fixes:
                if not suppressed(rule, fix, doc, settings, path):
                    found.append(fix)
    finally:
        # what the rules shared (walks, resources) refers back to the document: dropping it
        # lets reference counting free the tree at once instead of leaving it to the cyclic GC
        memo = getattr(doc, "memo", None)
        if memo is not None:
            memo.clear()
    return found


def wanted(fix: Fix, settings: Settings) -> bool:
    if not fix.fixable:
        return False
    return fix.applicability is Applicability.SAFE or (
        fix.applicability is Applicability.UNSAFE and settings.unsafe_fixes
    )


def fix_document(doc: Any, load, rules: Sequence[Rule], settings: Settings, path: str | None = None) -> Outcome:
    """Run `rules` over `doc` until nothing more applies.  `load(text)` parses a new version."""
    applied: list[Fix] = []
    by_code = {r.code: r for r in rules}
    limit = MAX_PASSES
    n = 0
    while True:
        n += 1
        found = run_rules(doc, rules, settings, path)
        todo = [f for f in found if wanted(f, settings)]
        pending = [f for f in found if not wanted(f, settings)]
        if not todo:
            return Outcome(doc.text, applied, pending, n)
        if n == 1:
            # fixes that insert at one spot (e.g. outputs for six databases) go in one per pass;
            # a rule that keeps finding new work is still stopped, just not before those are in
            limit = min(PASS_CAP, MAX_PASSES + len(todo))
        if n > limit:
            codes = ", ".join(sorted({f.rule for f in todo}))
            raise EngineError(f"fixes did not converge after {limit} passes ({codes}); file left unchanged")
        # rules tied to an environment say more about intent than general ones: they go first
        todo.sort(key=lambda f: not by_code[f.rule].environments if f.rule in by_code else True)
        chosen = select_compatible(todo)
        try:
            new_text = apply_edits(doc.text, [e for f in chosen for e in f.edits])
        except OverlapError as e:  # a single fix whose own edits overlap: a rule bug
            raise EngineError(f"{', '.join(f.rule for f in chosen)}: {e}") from e
        try:
            new_doc = load(new_text)
        except Exception as e:
            codes = ", ".join(sorted({f.rule for f in chosen}))
            msg = getattr(e, "message", str(e))
            raise EngineError(f"fix by {codes} would produce an unparsable file ({msg}); file left unchanged") from e
        verify(doc, new_doc, chosen)
        for f in chosen:
            f.applied = True
        applied.extend(chosen)
        doc = new_doc
