#!/usr/bin/env python
"""cfn-lint before and after `autofix apply`: what the fixes resolve, and what they break.

    python scripts/cfnlint_before_after.py FOLDER [--unsafe-fixes] [--env test|production]
                                           [--ids W3005,W1020,...] [--json]

Copies FOLDER to a temporary folder (the original is never written), lints every template
there with cfn-lint (in-process: one rules collection for all files), runs autofix over the
copy (autofix.api.run, with the settings a real run would use), lints again, and prints per
cfn-lint rule id the findings before -> after, and the errors (E*) that are new: one more
error of a rule in a file than before with that message or at that path.  Exits 1 when there
is one.

The `Linter` class is also what tests/test_cfnlint_verification.py uses.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Finding:
    rule: str  # cfn-lint id, e.g. "W3005"
    message: str
    path: tuple
    line: int

    @property
    def key(self) -> tuple[str, str]:
        """What identifies a finding across an edit: line numbers and list indexes move."""
        return self.rule, self.message

    @property
    def is_error(self) -> bool:
        return self.rule.startswith("E")


class Linter:
    """cfn-lint in-process.  Building the rules collection takes about a second, so it is
    built once; each template then costs what cfn-lint's own validation costs."""

    def __init__(self, regions: tuple[str, ...] = ("us-east-1",), informational: bool = True):
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner

        kwargs = {"regions": list(regions)}
        if informational:
            kwargs["include_checks"] = ["I"]
        self.config = ConfigMixIn(**kwargs)
        self.runner = Runner(self.config)

    def lint_text(self, text: str) -> list[Finding]:
        from cfnlint.decode.decode import decode_str

        template, errors = decode_str(text)
        matches = list(errors) if errors else []
        if template is not None and not errors:
            matches = list(self.runner.validate_template(template))
        return [
            Finding(m.rule.id, m.message, tuple(getattr(m, "path", None) or ()), getattr(m, "linenumber", 0))
            for m in matches
        ]

    def lint_file(self, path: str | os.PathLike) -> list[Finding]:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            return self.lint_text(fh.read())


def new_errors(before: list[Finding], after: list[Finding]) -> list[Finding]:
    """Errors in `after` that `before` did not have.  An error matches one of before with the
    same rule id and message, or else with the same rule id and path (a message may list the
    template's names, which a fix changes: E1020 "'X' is not one of [...]")."""
    by_message = Counter(f.key for f in before if f.is_error)
    by_path = Counter((f.rule, f.path) for f in before if f.is_error)
    unmatched = []
    for f in after:
        if not f.is_error:
            continue
        if by_message[f.key] > 0:
            by_message[f.key] -= 1
            by_path[(f.rule, f.path)] -= 1
        else:
            unmatched.append(f)
    out = []
    for f in unmatched:
        if by_path[(f.rule, f.path)] > 0:
            by_path[(f.rule, f.path)] -= 1
        else:
            out.append(f)
    return out


def templates(folder: str) -> list[str]:
    from autofix.api import iter_files

    return [p for p, real in iter_files([folder], include_python=False) if real != "outside"]


def lint_all(linter: Linter, files: list[str]) -> dict[str, list[Finding]]:
    return {f: linter.lint_file(f) for f in files}


def run_autofix(folder: str, *, unsafe: bool, env: str | None):
    from functools import partial

    from autofix.api import run
    from autofix.settings import settings_for

    # a partial, not a closure: autofix.api.run may hand it to worker processes
    settings = partial(settings_for, unsafe_fixes=True if unsafe else None, environment=env)
    return run([folder], settings_for=settings, write=True)


def compare(folder: str, *, unsafe: bool = False, env: str | None = None, ids: set[str] | None = None,
            linter: Linter | None = None) -> dict:
    linter = linter or Linter()
    with tempfile.TemporaryDirectory(prefix="cfnlint-before-after-") as tmp:
        copy = os.path.join(tmp, os.path.basename(os.path.abspath(folder)) or "templates")
        shutil.copytree(folder, copy, symlinks=True)
        files = templates(copy)
        t0 = time.perf_counter()
        before = lint_all(linter, files)
        t1 = time.perf_counter()
        results = run_autofix(copy, unsafe=unsafe, env=env)
        t2 = time.perf_counter()
        after = lint_all(linter, files)
        rel = {f: os.path.relpath(f, copy) for f in files}
    per_id_before: Counter = Counter(f.rule for fs in before.values() for f in fs)
    per_id_after: Counter = Counter(f.rule for fs in after.values() for f in fs)
    fresh = {rel[f]: new_errors(before[f], after[f]) for f in files}
    fresh = {f: errs for f, errs in fresh.items() if errs}
    applied = Counter(fx.rule for r in results for fx in r.fixes if fx.applied)
    failed = [(r.path, r.error) for r in results if r.status == "failed"]
    report = {
        "files": len(files),
        "changed": sum(1 for r in results if r.status == "fixed"),
        "failed": [(os.path.relpath(p, copy) if p.startswith(copy) else p, e) for p, e in failed],
        "applied": dict(sorted(applied.items())),
        "before": dict(sorted(per_id_before.items())),
        "after": dict(sorted(per_id_after.items())),
        "new_errors": {f: [(e.rule, e.message, list(e.path)) for e in errs] for f, errs in sorted(fresh.items())},
        "seconds": {"lint_before": round(t1 - t0, 1), "autofix": round(t2 - t1, 1), "lint_after": round(time.perf_counter() - t2, 1)},
    }
    if ids:
        b = sum(per_id_before[i] for i in ids)
        a = sum(per_id_after[i] for i in ids)
        report["targeted"] = {"ids": sorted(ids), "before": b, "after": a,
                              "resolved_percent": round(100 * (b - a) / b, 1) if b else None}
    return report


def _print(report: dict) -> None:
    ids = sorted(set(report["before"]) | set(report["after"]))
    print(f"{report['files']} templates, {report['changed']} changed by autofix, {len(report['failed'])} failed")
    for path, err in report["failed"]:
        print(f"  failed: {path}: {err}")
    print("fixes applied: " + (", ".join(f"{k} {v}" for k, v in report["applied"].items()) or "none"))
    print(f"{'cfn-lint id':<12}{'before':>8}{'after':>8}")
    for i in ids:
        b, a = report["before"].get(i, 0), report["after"].get(i, 0)
        mark = "" if a == b else ("  (-%d)" % (b - a) if a < b else "  (+%d)" % (a - b))
        print(f"{i:<12}{b:>8}{a:>8}{mark}")
    if "targeted" in report:
        t = report["targeted"]
        pct = "n/a" if t["resolved_percent"] is None else f"{t['resolved_percent']}%"
        print(f"targeted ids {','.join(t['ids'])}: {t['before']} -> {t['after']} ({pct} resolved)")
    n = sum(len(v) for v in report["new_errors"].values())
    print(f"NEW errors: {n}")
    for f, errs in report["new_errors"].items():
        for rule, msg, path in errs:
            print(f"  {f}: {rule} {'/'.join(map(str, path))}: {msg}")
    s = report["seconds"]
    print(f"time: lint {s['lint_before']}s, autofix {s['autofix']}s, lint {s['lint_after']}s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--unsafe-fixes", action="store_true")
    ap.add_argument("--env", choices=("test", "production"), default=None)
    ap.add_argument("--ids", default="", help="cfn-lint ids whose resolved share to print, comma-separated")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.folder):
        print(f"{args.folder}: not a folder", file=sys.stderr)
        return 2
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    ids = {i.strip().upper() for i in args.ids.split(",") if i.strip()} or None
    report = compare(args.folder, unsafe=args.unsafe_fixes, env=args.env, ids=ids)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return 1 if report["new_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
