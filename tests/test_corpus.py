"""Every real template in ../shared/corpus: no crash, idempotent, nothing that parsed stops
parsing, comments and blank lines survive, and no line changes that a fix did not need."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from autofix.api import fix_text
from autofix.cfn.document import SHORT_TAGS, Document, NotATemplate, TemplateError, mapping_get, mapping_key
from autofix.cli import cli
from autofix.engine import semantic_diff
from autofix.settings import Settings

from .conftest import CORPUS

SUFFIXES = (".yaml", ".yml", ".json", ".template")


def corpus_files():
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def _node_at(doc: Document, path: tuple):
    node = doc.root
    for part in path:
        if isinstance(part, int):
            if not hasattr(node, "value") or not isinstance(node.value, list) or part >= len(node.value):
                return None
            node = node.value[part]
        else:
            if SHORT_TAGS.get(str(node.tag) if node.tag is not None else "") == part:
                continue  # `!Sub x` stands for {"Fn::Sub": x}
            node = mapping_get(node, part)
        if node is None:
            return None
    return node


def _changed_lines_allowed(old: Document, new_text: str) -> None:
    """Lines the fix removed or rewrote must hold a value whose meaning changed."""
    new = Document(new_text)
    allowed: set[int] = set()
    for path in semantic_diff(old.plain, new.plain):
        for depth in range(len(path), 0, -1):  # the changed node, or the mapping a key was added to
            node = _node_at(old, path[:depth])
            if node is not None:
                if depth < len(path) and not (old._is_flow(node)):
                    break  # a key added to a block mapping changes no existing line
                start = node.start_mark.line
                parent = _node_at(old, path[: depth - 1]) if depth == len(path) else None
                key = mapping_key(parent, path[depth - 1]) if parent is not None and isinstance(path[depth - 1], str) else None
                if key is not None:  # a removed or changed entry: its key's line too
                    start = key.start_mark.line
                    if old._is_flow(parent):  # removing a flow entry may take the comma before it
                        i = [k for k, _ in parent.value].index(key)
                        if i > 0:
                            start = min(start, old._node_end_line(parent.value[i - 1][1]))
                allowed.update(range(start, old._node_end_line(node) + 1))
                break
    # every line no fix needed must survive unchanged and in order: those lines form a
    # subsequence of the output (greedy matching decides that exactly)
    a, b = old.text.splitlines(), new_text.splitlines()
    j = 0
    for i, line in enumerate(a):
        if i in allowed or not line.strip(" \t{}[],"):
            continue  # changed by a fix, or a lone bracket whose comma a flow edit may move
        while j < len(b) and b[j] != line:
            j += 1
        assert j < len(b), f"line {i + 1} rewritten without need: {line!r}"
        j += 1


FILES = corpus_files()


@pytest.mark.skipif(not FILES, reason="corpus not found")
@pytest.mark.parametrize("env", [None, "test", "production"])
def test_corpus_invariants(env):
    settings = Settings(environment=env, unsafe_fixes=True)
    changed = 0
    for path in FILES:
        data = path.read_bytes()
        try:
            before = Document(data.decode("utf-8-sig"))
        except (NotATemplate, TemplateError):
            before = None
        r = fix_text(data, path=str(path), settings=settings)
        assert r.status != "failed" or before is None, f"{path}: {r.error_line}"
        if not r.changed:
            continue
        changed += 1
        out = r.output
        Document(out)  # still parses
        again = fix_text(out, path=str(path), settings=settings)
        assert not again.changed, f"{path}: second run changed the file"
        for kind, pred in (("comment", lambda s: s.lstrip().startswith("#")), ("blank", lambda s: not s.strip())):
            n_before = sum(map(pred, r.original.splitlines()))
            n_after = sum(map(pred, out.splitlines()))
            assert n_after >= n_before, f"{path}: {kind} lines lost"
        _changed_lines_allowed(before, out)
    if env is not None:
        assert changed > 0, "no template changed: the rules did nothing on the corpus"


@pytest.mark.skipif(not FILES, reason="corpus not found")
def test_corpus_cli_apply_twice(tmp_path):
    work = tmp_path / "corpus"
    shutil.copytree(CORPUS, work)
    runner = CliRunner()
    first = runner.invoke(cli, ["apply", str(work), "--env", "test", "--format", "json"])
    assert first.exit_code in (0, 2), first.output
    snapshot = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    second = runner.invoke(cli, ["check", str(work), "--env", "test"])
    assert second.exit_code in (0, 2), second.output  # nothing left to fix
    assert {p: p.read_bytes() for p in work.rglob("*") if p.is_file()} == snapshot
    assert "Traceback" not in first.output + second.output
