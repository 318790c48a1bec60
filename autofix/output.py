"""Reports: text (coloured on a terminal), JSON, unified diffs."""

from __future__ import annotations

import json
import os
from typing import Sequence

import click

from autofix.api import FileResult
from autofix.fixes import Applicability


def use_color(stream=None) -> bool | None:
    """None lets click decide (colour only on a terminal); NO_COLOR turns it off."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return None


def summary(results: Sequence[FileResult]) -> dict:
    fixes = [f for r in results for f in r.fixes]
    return {
        "files": len(results),
        "fixed": sum(r.status == "fixed" for r in results),
        "would_fix": sum(r.status == "would-fix" for r in results),
        "unchanged": sum(r.status == "unchanged" for r in results),
        "skipped": sum(r.status == "skipped" for r in results),
        "failed": sum(r.status == "failed" for r in results),
        "fixes_applied": sum(f.applied for f in fixes),
        "fixes_available": sum(f.would_apply for f in fixes),
        "fixes_unsafe_pending": sum(
            not (f.applied or f.would_apply) and f.applicability is Applicability.UNSAFE and f.fixable for f in fixes
        ),
        "findings_unfixable": sum(f.applicability is Applicability.DISPLAY_ONLY or not f.fixable for f in fixes),
    }


def to_json(results: Sequence[FileResult]) -> str:
    return json.dumps({"files": [r.to_json() for r in results], "summary": summary(results)}, indent=2)


def unified_diff(result: FileResult) -> str:
    if not result.changed:
        return ""
    import difflib

    a = (result.original or "").splitlines(keepends=True)
    b = (result.output or "").splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, fromfile=f"a/{result.path}", tofile=f"b/{result.path}")
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line.replace("\r\n", "\n") if line.endswith("\r\n") else line)
    return "".join(out)


def echo_diff(text: str, err: bool = False) -> None:
    color = use_color()
    for line in text.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            click.echo(click.style(line, bold=True), nl=False, color=color, err=err)
        elif line.startswith("@@"):
            click.echo(click.style(line, fg="cyan"), nl=False, color=color, err=err)
        elif line.startswith("+"):
            click.echo(click.style(line, fg="green"), nl=False, color=color, err=err)
        elif line.startswith("-"):
            click.echo(click.style(line, fg="red"), nl=False, color=color, err=err)
        else:
            click.echo(line, nl=False, color=color, err=err)


def echo_text(results: Sequence[FileResult], *, mode: str, show_skipped: bool = False, err: bool = False,
              show_cfn_lint: bool = False) -> None:
    """ruff-style lines: `path:line:col: CODE [*] message`, then a summary."""
    color = use_color()

    def out(msg: str = "") -> None:
        click.echo(msg, color=color, err=err)

    for r in results:
        if r.status == "failed":
            out(click.style(r.error_line, fg="red", bold=True))
            continue
        if r.status == "skipped" and show_skipped:
            out(click.style(f"{r.path}: skipped ({r.error})", dim=True))
        for f in r.fixes:
            where = click.style(f"{r.path}:{f.line}:{f.column}:", bold=True)
            code = click.style(f.rule, fg="red" if not f.applied else "green", bold=True)
            if f.applied:
                mark = click.style("[fixed]", fg="green")
            elif f.would_apply:
                mark = click.style("[*]", fg="cyan")
            elif f.applicability is Applicability.UNSAFE and f.fixable:
                mark = click.style("[unsafe]", fg="yellow")
            else:
                mark = click.style("[manual]", fg="magenta")
            lint = f" ({', '.join(f.cfn_lint)})" if show_cfn_lint and f.cfn_lint else ""
            out(f"{where} {code}{lint} {mark} {f.message}")
            if f.applicability is Applicability.UNSAFE and f.unsafe_reason and not f.applied:
                out(click.style(f"    unsafe: {f.unsafe_reason}", fg="yellow"))
            for note in f.notes:
                out(click.style(f"    note: {note}", fg="blue"))
    s = summary(results)
    parts = []
    if mode == "apply":
        parts.append(f"{s['fixes_applied']} fix{'es' if s['fixes_applied'] != 1 else ''} applied in {s['fixed']} file{'s' if s['fixed'] != 1 else ''}")
    else:
        parts.append(f"{s['fixes_available']} fix{'es' if s['fixes_available'] != 1 else ''} available in {s['would_fix']} file{'s' if s['would_fix'] != 1 else ''}")
    parts.append(f"{s['files']} checked")
    if s["skipped"]:
        parts.append(f"{s['skipped']} skipped (not templates)")
    if s["failed"]:
        parts.append(click.style(f"{s['failed']} failed", fg="red"))
    out(", ".join(parts) + ".")
    if s["fixes_unsafe_pending"]:
        out(click.style(f"{s['fixes_unsafe_pending']} more fix{'es' if s['fixes_unsafe_pending'] != 1 else ''} available with --unsafe-fixes.", fg="yellow"))
