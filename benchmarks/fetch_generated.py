#!/usr/bin/env python
"""Rebuild the folder of generated templates that benchmarks/generated-sample.tsv lists.

    python benchmarks/fetch_generated.py OUTDIR [--base-url URL] [--list TSV]

For each row (task, file, path, commit) it downloads BASE_URL/<commit>/<path> (by default the
MODEL_RESPONSE.md at that commit of github.com/ADNANFAKHAR4504/rlhf-synth-fixer), takes the
CloudFormation template out of it and writes it as OUTDIR/<file>.  The template is the largest
fenced code block with a top-level `Resources` section (a fence the truncated answer never
closed runs to the end of the file), or the whole file when the file is a bare template.  CRLF
becomes LF; a block's text ends with a newline, a bare file is kept as it is.

Prints one line per file that failed and a summary; exits 1 when any failed.  Standard library
only.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BASE_URL = "https://raw.githubusercontent.com/ADNANFAKHAR4504/rlhf-synth-fixer"
DEFAULT_LIST = Path(__file__).resolve().with_name("generated-sample.tsv")
TIMEOUT = 30  # seconds per file

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_YAML_RESOURCES = re.compile(r"^Resources[ \t]*:", re.M)
_COLON = re.compile(r"\s*:")


def _fenced_blocks(text: str) -> list[str]:
    """The contents of the fenced code blocks of a markdown text, each line ending with a
    newline.  A block whose fence never closes runs to the end of the text."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the text ended with a newline
    blocks = []
    i = 0
    while i < len(lines):
        opening = _FENCE.fullmatch(lines[i])
        i += 1
        if not opening or (opening[1][0] == "`" and "`" in opening[2]):
            continue  # not a fence (a backtick fence's info string has no backtick)
        fence, body = opening[1], []
        while i < len(lines):
            closing = _FENCE.fullmatch(lines[i])
            i += 1
            if closing and closing[1][0] == fence[0] and len(closing[1]) >= len(fence) and not closing[2].strip():
                break
            body.append(lines[i - 1] + "\n")
        blocks.append("".join(body))
    return blocks


def _json_has_top_level_resources(text: str) -> bool:
    """Whether a JSON text (possibly invalid or cut short) has a "Resources" key in its
    outermost object: a string at brace depth 1 followed by a colon."""
    depth, i = 0, 0
    while i < len(text):
        c = text[i]
        if c == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if depth == 1 and text[i + 1 : end] == "Resources" and _COLON.match(text, end + 1):
                return True
            i = end + 1
            continue
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
        i += 1
    return False


def has_resources(text: str) -> bool:
    """Whether a YAML or JSON template text has a top-level Resources section."""
    return bool(_YAML_RESOURCES.search(text)) or _json_has_top_level_resources(text)


def extract_template(markdown: str) -> str | None:
    """The CloudFormation template in a model answer, or None when there is none."""
    text = markdown.replace("\r\n", "\n")
    candidates = [block for block in _fenced_blocks(text) if has_resources(block)]
    if candidates:
        return max(candidates, key=len)  # the first of the largest
    return text if has_resources(text) else None


def read_list(path: Path) -> list[dict[str, str]]:
    """The rows of the TSV: lines starting with '#' are comments, then a header line."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        return response.read().decode("utf-8")


def _describe(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):  # also a timeout while connecting
        return f"cannot fetch: {error.reason}"
    return str(error) or type(error).__name__  # a timeout while reading says "timed out"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="folder to write the templates into")
    parser.add_argument("--base-url", default=BASE_URL, help=f"where <commit>/<path> is fetched from (default {BASE_URL})")
    parser.add_argument("--list", type=Path, default=DEFAULT_LIST, help="the TSV of templates (default %(default)s)")
    args = parser.parse_args(argv)

    args.outdir.mkdir(parents=True, exist_ok=True)
    written = failed = 0
    for row in read_list(args.list):
        name = row["file"]
        url = f"{args.base_url.rstrip('/')}/{row['commit']}/{urllib.parse.quote(row['path'])}"
        try:
            if not name or Path(name).name != name:
                raise ValueError(f"not a plain file name: {name!r}")
            template = extract_template(fetch(url))
            if template is None:
                raise ValueError("no CloudFormation template (no top-level Resources section) in it")
            (args.outdir / name).write_bytes(template.encode("utf-8"))
        except (OSError, http.client.HTTPException, UnicodeDecodeError, ValueError) as e:
            print(f"error: {name}: {_describe(e)} ({url})", file=sys.stderr)
            failed += 1
        else:
            written += 1
    print(f"{written} written, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
