"""The detection pass (what `autofix check` runs): JSON read by the json module with positions
found on demand, and the shared walk.  Whatever shortcuts it takes, it must report exactly what
the round-trip parser's first pass reports."""

from __future__ import annotations

import json

import pytest

import autofix.cfn.document as document
from autofix import registry
from autofix.api import fix_text
from autofix.cfn.document import Document, compose_fast, compose_json, decode, is_map, is_scalar, is_seq
from autofix.engine import run_rules
from autofix.settings import Settings
from transforms.cfn._refs import _collect, call_nodes, calls, nodes, string_nodes, template_references, visit, walk

from .conftest import CORPUS, FIXTURES

SUFFIXES = (".yaml", ".yml", ".json", ".template")


def _templates():
    files = sorted(p for p in FIXTURES.rglob("*.in.*") if p.suffix in SUFFIXES)
    if CORPUS.is_dir():
        files += sorted(p for p in CORPUS.rglob("*") if p.suffix in SUFFIXES)
    return files


def _shape(node, marks: bool):
    """Everything a rule can read from a node, recursively."""
    out = ["map" if is_map(node) else "seq" if is_seq(node) else "scalar", node.tag, getattr(node, "style", None)]
    if marks:
        out += [node.start_mark.index, node.start_mark.line, node.start_mark.column, node.end_mark.index]
    if is_map(node):
        out.append([(_shape(k, marks), _shape(v, marks)) for k, v in node.value])
    elif is_seq(node):
        out.append([_shape(x, marks) for x in node.value])
    else:
        out.append(node.value)
    return out


def test_json_tree_is_libyamls_tree_with_the_same_positions():
    files = [p for p in _templates() if decode(p.read_bytes())[0].lstrip().startswith("{")]
    assert len(files) > 20
    for p in files:
        text = decode(p.read_bytes())[0]
        try:
            theirs = compose_fast(text)
        except Exception:
            continue
        mine = compose_json(text)
        assert _shape(mine, marks=False) == _shape(theirs, marks=False), p
        assert _shape(mine, marks=True) == _shape(theirs, marks=True), p


def test_json_positions_are_only_computed_for_a_finding(monkeypatch):
    calls = []
    real = document._Positions.fill

    def fill(self):
        calls.append(self.done)
        real(self)

    monkeypatch.setattr(document._Positions, "fill", fill)
    clean = json.dumps({"Resources": {"Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain",
                                              "UpdateReplacePolicy": "Retain", "Properties": {"EnableKeyRotation": True}}}})
    r = fix_text(clean.encode(), path="t.json", detect_only=True)
    assert (r.status, r.fixes, calls) == ("unchanged", [], [])
    dirty = clean.replace('"Retain", "UpdateReplacePolicy"', '"Delete", "UpdateReplacePolicy"')
    r = fix_text(dirty.encode(), path="t.json", detect_only=True, settings=Settings(environment="production"))
    assert [f.rule for f in r.fixes] == ["AF101"] and r.fixes[0].line == 1 and r.fixes[0].column > 1
    assert calls[:1] == [False] and all(calls[1:])  # worked out once, then reused


@pytest.mark.parametrize("text,error", [
    ('{"Resources": {"A": {"Type": "AWS::SNS::Topic"}},\n "Resources": {}}', "duplicate key 'Resources'"),
    ('{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": ' + "[" * 300 + "]" * 300 + "}}}", "nesting"),
])
def test_unusual_json_gets_the_libyaml_paths_error_with_its_line(text, error):
    r = fix_text(text.encode(), path="t.json", detect_only=True)
    assert r.status == "failed" and error in r.error and r.line >= 1, r.error_line


def test_json_numbers_and_constants_read_as_libyaml_reads_them():
    text = '{"Resources": {}, "N": [1, -0, 1.5, 1e5, 1.0e+5, true, false, null, "x"]}'
    mine, theirs = compose_json(text), compose_fast(text)
    assert _shape(mine, marks=True) == _shape(theirs, marks=True)
    assert [n.tag.rsplit(":", 1)[1] for n in mine.value[1][1].value] == [
        "int", "int", "float", "str", "float", "bool", "bool", "null", "str"]


def test_surrogate_escapes_are_left_to_libyaml():
    with pytest.raises(document._Unusual):
        compose_json('{"Resources": {}, "A": "\\ud83d\\ude00"}')


@pytest.mark.parametrize("env", [None, "production"])
def test_check_reports_what_the_round_trip_first_pass_reports(env):
    settings = Settings(environment=env, unsafe_fixes=True)
    rules = registry.select(settings.select, settings.ignore, language="cfn")
    compared = 0
    for p in _templates():
        text = decode(p.read_bytes())[0]
        try:
            slow = run_rules(Document(text), rules, settings, str(p))
        except Exception:
            continue  # not a template, or refused: covered by the status comparison in test_engine
        fast = fix_text(p.read_bytes(), path=str(p), settings=settings, rules=rules, detect_only=True).fixes
        key = lambda f: (f.rule, f.line, f.column, f.message, f.applicability, tuple(map(tuple, f.paths)))
        assert sorted(map(key, fast)) == sorted(map(key, slow)), p
        compared += 1
    assert compared > 50


def test_shared_node_list_and_paths_on_demand_match_a_walk():
    """`nodes` (document order, each node once) with `path_of` / `fns_of` worked out per node
    must give exactly what the walk with paths gives: rules report those paths."""
    checked = 0
    for p in _templates():
        try:
            doc = Document(decode(p.read_bytes())[0], fast=True)
        except Exception:
            continue
        walked = [(id(n), path, fns) for n, path, fns in walk(doc.root)]
        assert [id(n) for n in nodes(doc)] == [w[0] for w in walked], p
        by_id = {id(n): n for n in nodes(doc)}
        assert [(i, *visit(doc, by_id[i])[1:]) for i, _, _ in walked] == walked, p
        # the one-pass index: calls, strings and references as a scan of every node finds them
        assert [(id(n), cs) for n, cs in call_nodes(doc)] == [(id(n), calls(n)) for n in nodes(doc) if calls(n)], p
        assert [id(n) for n in string_nodes(doc)] == [
            id(n) for n in nodes(doc) if is_scalar(n) and isinstance(n.value, str)], p
        assert template_references(doc) == _collect(nodes(doc)), p
        checked += 1
    assert checked > 100


def test_aliases_are_visited_once_where_anchored():
    doc = Document("Resources:\n  A:\n    Type: T\n    Properties: &p {X: !Ref B}\n"
                   "  B:\n    Type: T\n    Properties: *p\n", fast=True)
    assert [id(n) for n in nodes(doc)] == [id(n) for n, _, _ in walk(doc.root)]
    shared = doc.resource("A").properties
    assert visit(doc, shared)[1] == ("Resources", "A", "Properties")


def test_a_shared_collection_is_found_even_when_the_text_shows_no_anchor():
    """The anchor test on the text is a shortcut; the walk itself still notices a collection
    reached twice, so an anchor the shortcut misses cannot pass an alias bomb off as a tree."""
    from autofix.cfn.document import _check_duplicates

    text = "Resources:\n  A: {Type: T}\nX: &x [1, 2]\nY: [*x, *x]\n"
    root = compose_fast(text)
    assert _check_duplicates(root, "no anchor in this text") is True
    assert _check_duplicates(root, text) is True
    plain = compose_fast("Resources:\n  A: {Type: T}\nX: [1, 2]\n")
    assert _check_duplicates(plain, "no anchor") is False
