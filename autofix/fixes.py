"""Edits, fixes and applying them to source text.

A fix is a set of text edits on the original source plus what a reviewer needs to judge it
(the rule, a message, where, whether it is safe).  Edits are character offsets into the text
as decoded (BOM removed, line endings as in the file).  Applying sorts them and rejects
overlaps, so a fix never rewrites bytes it did not name.
"""

from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass, field
from typing import Iterable, Sequence

Path = tuple  # a path into the template: ("Resources", "Db", "Properties", "EngineVersion")


class Applicability(str, enum.Enum):
    """How sure we are that a fix keeps what the user meant (ruff's model)."""

    SAFE = "safe"  # applied by default
    UNSAFE = "unsafe"  # applied only with --unsafe-fixes; `unsafe_reason` says why
    DISPLAY_ONLY = "display-only"  # reported, never applied (e.g. a value we cannot resolve)


@dataclass(frozen=True, order=True)
class Edit:
    """Replace text[start:end] by `content` (an insertion when start == end)."""

    start: int
    end: int
    content: str = ""

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad edit range {self.start}..{self.end}")


@dataclass
class Fix:
    """One finding and the edits that resolve it.

    `paths` lists the template paths whose meaning the edits may change; the engine re-parses
    the result and refuses a file whose meaning changed anywhere else.
    """

    rule: str  # stable code, e.g. "AF101"
    name: str  # kebab-case rule name
    message: str
    edits: list[Edit] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    line: int = 0  # 1-based; 0 when unknown
    column: int = 0  # 1-based
    resource: str | None = None
    applicability: Applicability = Applicability.SAFE
    unsafe_reason: str | None = None
    notes: list[str] = field(default_factory=list)  # things a human must know (reboot, non-empty bucket)
    cfn_lint: tuple[str, ...] = ()  # cfn-lint rule ids this resolves
    before: str | None = None  # short human form of the old value, for reports
    after: str | None = None
    replaces_resource: bool = False  # the change replaces a deployed resource
    applied: bool = False  # written (apply) ...
    would_apply: bool = False  # ... or would be, in check / --diff
    has_edits: bool | None = None  # set on fixes read back from the cache (edits are not stored)

    @property
    def fixable(self) -> bool:
        has = bool(self.edits) if self.has_edits is None else self.has_edits
        return has and self.applicability is not Applicability.DISPLAY_ONLY

    @classmethod
    def from_json(cls, d: dict) -> "Fix":
        return cls(
            rule=d["rule"], name=d["name"], message=d["message"], line=d.get("line") or 0,
            column=d.get("column") or 0, resource=d.get("resource"),
            applicability=Applicability(d["applicability"]), unsafe_reason=d.get("unsafe_reason"),
            notes=list(d.get("notes") or []), cfn_lint=tuple(d.get("cfn_lint") or ()), before=d.get("before"),
            after=d.get("after"), replaces_resource=bool(d.get("replaces_resource")),
            applied=bool(d.get("applied")), would_apply=bool(d.get("would_apply")),
            has_edits=bool(d.get("fixable")),
        )

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "name": self.name,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "resource": self.resource,
            "applicability": self.applicability.value,
            "unsafe_reason": self.unsafe_reason,
            "applied": self.applied,
            "would_apply": self.would_apply,
            "before": self.before,
            "after": self.after,
            "notes": list(self.notes),
            "cfn_lint": list(self.cfn_lint),
            "replaces_resource": self.replaces_resource,
            "fixable": self.fixable,
        }


class OverlapError(ValueError):
    pass


def overlaps(a: Edit, b: Edit) -> bool:
    """Two edits conflict when their ranges intersect, or both insert at the same point."""
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    return a.start < b.end and b.start < a.end or (a.start == b.start and (a.start == a.end or b.start == b.end))


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits; O(n log n + len(text)).  Raises OverlapError on a conflict."""
    ordered = sorted(edits)
    for prev, cur in zip(ordered, ordered[1:]):
        if overlaps(prev, cur):
            raise OverlapError(f"edits overlap: {prev} and {cur}")
    if ordered and ordered[-1].end > len(text):
        raise OverlapError(f"edit past end of text: {ordered[-1]}")
    parts: list[str] = []
    pos = 0
    for e in ordered:
        parts.append(text[pos : e.start])
        parts.append(e.content)
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts)


def _path_overlap(a: Path, b: Path) -> bool:
    n = min(len(a), len(b))
    return tuple(a[:n]) == tuple(b[:n])


def select_compatible(fixes: Sequence[Fix]) -> list[Fix]:
    """Keep fixes, in order, whose edits do not overlap any fix already kept (ruff's rule), and
    whose declared paths do not touch a path a kept fix changes: the later one gets its turn in
    the next pass, against the new text.

    Kept edits sit in a list sorted by start, so a new edit is compared with its neighbours
    only (found by bisection); kept paths and all their prefixes sit in sets, so a path is
    compared in time proportional to its length.  The whole is O(N log N) for N fixes (the
    sorted insert moves memory, but as one C-level memmove)."""
    kept: list[Fix] = []
    starts: list[int] = []
    spans: list[Edit] = []
    kept_rules: set[str] = set()
    kept_paths: set[tuple] = set()
    kept_prefixes: set[tuple] = set()  # every prefix of a kept path, the path included

    def clashes(e: Edit) -> bool:
        # kept edits are disjoint: only the one starting just before can reach past e.start,
        # and those starting at or after it matter while they start inside e (or where e does)
        i = bisect.bisect_left(starts, e.start)
        if i > 0 and overlaps(e, spans[i - 1]):
            return True
        while i < len(spans) and (spans[i].start < e.end or spans[i].start == e.start):
            if overlaps(e, spans[i]):
                return True
            i += 1
        return False

    def touches(p: tuple) -> bool:
        return p in kept_prefixes or any(p[:n] in kept_paths for n in range(len(p)))

    for fix in fixes:
        if any(clashes(e) for e in fix.edits):
            continue
        own = [tuple(p) for p in fix.paths]
        if fix.rule not in kept_rules and any(touches(p) for p in own):
            continue
        kept.append(fix)
        kept_rules.add(fix.rule)
        for e in fix.edits:
            i = bisect.bisect_right(starts, e.start)
            starts.insert(i, e.start)
            spans.insert(i, e)
        for p in own:
            kept_paths.add(p)
            kept_prefixes.update(p[:n] for n in range(len(p) + 1))
    return kept
