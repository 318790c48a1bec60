from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from autofix.api import fix_text
from autofix.cfn.document import Document, TemplateError, plain_safe
from autofix.engine import semantic_diff
from autofix.fixes import Edit, OverlapError, apply_edits, select_compatible, Fix
from autofix.settings import Settings

from .conftest import CORPUS, FIXTURES


def test_apply_edits_in_any_order():
    text = "abcdef"
    assert apply_edits(text, [Edit(4, 5, "X"), Edit(0, 1, "Y"), Edit(3, 3, "+")]) == "Ybc+dXf"


def test_overlapping_edits_rejected():
    with pytest.raises(OverlapError):
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])
    with pytest.raises(OverlapError):
        apply_edits("abc", [Edit(1, 1, "x"), Edit(1, 1, "y")])


def test_select_compatible_defers_conflicts_and_shared_paths():
    a = Fix("AF1", "a", "m", [Edit(0, 2, "x")], [("Resources", "A", "DeletionPolicy")])
    b = Fix("AF2", "b", "m", [Edit(1, 3, "y")], [("Resources", "B")])
    c = Fix("AF3", "c", "m", [Edit(5, 6, "z")], [("Resources", "A")])
    d = Fix("AF4", "d", "m", [Edit(8, 9, "w")], [("Resources", "C")])
    assert select_compatible([a, b, c, d]) == [a, d]


@given(st.text(alphabet="abc\n", max_size=40), st.data())
def test_apply_edits_keeps_bytes_outside_spans(text, data):
    n = len(text)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=6, unique=True)))
    edits = [Edit(cuts[i], cuts[i + 1], "<>") for i in range(0, len(cuts) - 1, 2)]
    out = apply_edits(text, edits)
    pos = 0
    rebuilt = ""
    for e in edits:
        rebuilt += text[pos : e.start] + "<>"
        pos = e.end
    assert out == rebuilt + text[pos:]


def test_semantic_diff_paths():
    assert semantic_diff({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3], "c": 0}) == [("b", 1), ("c",)] or \
        sorted(semantic_diff({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3], "c": 0})) == [("b", 1), ("c",)]
    assert semantic_diff({"a": True}, {"a": 1}) == [("a",)]  # bool vs int differ


@pytest.mark.parametrize("value", ["14.10", "1.20", "on", "yes", "No", "0755", "1e3", "~", "null", "2024-01-01", "-x", "a: b", "x #y", ""])
def test_values_that_would_not_read_back_as_strings_are_quoted(value):
    assert not plain_safe(value)
    doc = Document("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: x\n")
    node = doc.resource("A").prop("TopicName")
    new = apply_edits(doc.text, [doc.replace(node, value)])
    assert Document(new).plain["Resources"]["A"]["Properties"]["TopicName"] == value


def test_quote_style_follows_the_file():
    doc = Document('Resources:\n  A:\n    Type: "AWS::SNS::Topic"\n    Properties:\n      TopicName: x\n')
    node = doc.resource("A").prop("TopicName")
    assert apply_edits(doc.text, [doc.replace(node, "14.7")]).endswith('TopicName: "14.7"\n')


@pytest.mark.parametrize(
    "text,line,reason",
    [
        ("Resources:\n  A: [\n", 3, "invalid YAML"),
        ("Resources:\n  A:\n    Type: x\n  A:\n    Type: y\n", 4, "duplicate key 'A'"),
        ("Resources: [1, 2]\n", 1, "Resources is not a mapping"),
        ('{"Resources": {"A": 1,,}}', 1, "invalid JSON"),
    ],
)
def test_bad_input_reports_line_and_reason(text, line, reason):
    r = fix_text(text, path="t.yaml")
    assert r.status == "failed"
    assert r.line == line and reason in r.error
    assert r.output is None


def test_undecodable_bytes_name_the_line():
    r = fix_text(b"Resources:\n  A:\n    Type: \xff\n", path="t.yaml")
    assert r.status == "failed" and r.line == 3 and "UTF-8" in r.error


def test_not_a_template_is_skipped():
    r = fix_text("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n", path="ci.yaml")
    assert r.status == "skipped" and not r.changed


def test_bom_and_crlf_survive():
    src = "\ufeffResources:\r\n  K:\r\n    Type: AWS::KMS::Key\r\n"
    r = fix_text(src.encode("utf-8"), path="t.yaml")
    assert r.bom and r.output.endswith("    UpdateReplacePolicy: Retain\r\n")
    assert "\n" not in r.output.replace("\r\n", "")


def _fast_and_slow(path, data, settings):
    fast = fix_text(data, path=str(path), settings=settings, fast=True)
    slow = fix_text(data, path=str(path), settings=settings, fast=False)
    return fast, slow


@pytest.mark.parametrize("env", [None, "test", "production"])
def test_fast_detection_agrees_with_round_trip(env):
    """The libyaml pass may only skip files the round-trip pass would leave alone."""
    files = sorted(p for p in FIXTURES.rglob("*.in.*") if p.suffix in (".yaml", ".json"))
    if CORPUS.is_dir():
        files += sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    settings = Settings(environment=env, unsafe_fixes=True)
    for p in files:
        fast, slow = _fast_and_slow(p, p.read_bytes(), settings)
        assert (fast.status, fast.output) == (slow.status, slow.output), p


@pytest.mark.parametrize(
    "comment,suppressed",
    [("# autofix: ignore[AF101]", True), ("# autofix: ignore", True), ("# autofix: ignore[kms-key-retain, AF999]", True),
     ("# autofix: ignore[AF102]", False), ("# unrelated", False)],
)
def test_line_comment_suppression(comment, suppressed):
    src = f"Resources:\n  Key:\n    Type: AWS::KMS::Key\n    DeletionPolicy: Delete  {comment}\n    UpdateReplacePolicy: Retain\n"
    r = fix_text(src, path="t.yaml")
    assert (not r.changed) is suppressed


def test_template_metadata_suppression():
    src = "Metadata:\n  autofix:\n    ignore: [AF101]\nResources:\n  Key:\n    Type: AWS::KMS::Key\n"
    assert not fix_text(src, path="t.yaml").changed


def test_per_file_ignores():
    src = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n"
    s = Settings(per_file_ignores=(("legacy/*.yaml", ("AF101",)),))
    assert not fix_text(src, path="legacy/t.yaml", settings=s).changed
    assert fix_text(src, path="new/t.yaml", settings=s).changed


def test_a_fix_that_changes_undeclared_paths_is_refused():
    from autofix.rules import Rule

    class Sneaky(Rule):
        code, name, summary = "AF999", "sneaky", "changes more than it says"

        def check(self, ctx):
            node = ctx.doc.resource("A").prop("TopicName")
            yield self.fix("rename", node, edits=[ctx.doc.replace(node, "y")], paths=[("Resources", "A", "Type")])

    src = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: x\n"
    r = fix_text(src, path="t.yaml", rules=[Sneaky()])
    assert r.status == "failed" and "did not declare" in r.error and r.output is None


def test_a_fix_that_breaks_parsing_is_refused():
    from autofix.rules import Rule

    class Breaker(Rule):
        code, name, summary = "AF998", "breaker", "writes invalid YAML"

        def check(self, ctx):
            node = ctx.doc.resource("A").prop("TopicName")
            yield self.fix("break", node, edits=[Edit(node.start_mark.index, node.end_mark.index, "[unclosed")],
                           paths=[("Resources", "A", "Properties", "TopicName")])

    src = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: x\n"
    r = fix_text(src, path="t.yaml", rules=[Breaker()])
    assert r.status == "failed" and "unparsable" in r.error


def test_a_rule_that_never_converges_is_stopped():
    from autofix.rules import Rule

    class Flip(Rule):
        code, name, summary = "AF997", "flip", "flips forever"

        def check(self, ctx):
            node = ctx.doc.resource("A").prop("TopicName")
            new = "b" if node.value == "a" else "a"
            yield self.fix("flip", node, edits=[ctx.doc.replace(node, new)], paths=[("Resources", "A", "Properties")])

    src = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: a\n"
    r = fix_text(src, path="t.yaml", rules=[Flip()])
    assert r.status == "failed" and "did not converge" in r.error


def test_many_fixes_inserting_at_one_spot_converge():
    """Outputs for seven databases all go in at the end of one Outputs mapping: one per pass,
    so the pass limit grows with the work the first pass found (a regression: it stopped at 10)."""
    from autofix import registry

    src = "Resources:\n" + "".join(
        f"  Db{i}: {{Type: AWS::RDS::DBInstance, Properties: {{Engine: mysql, DBInstanceClass: db.t3.micro}}}}\n"
        for i in range(7)
    )
    rules = registry.select(("AF406", "AF407"))
    r = fix_text(src, path="t.yaml", rules=rules)
    assert r.status == "fixed", r.error
    assert all(f"Db{i}Port:" in r.output for i in range(7))
    assert not fix_text(r.output, path="t.yaml", rules=rules).changed


def _select_compatible_reference(fixes):
    """The plain quadratic definition select_compatible must agree with."""
    from autofix.fixes import _path_overlap, overlaps

    kept, taken, paths = [], [], []
    for fix in fixes:
        if any(overlaps(e, t) for e in fix.edits for t in taken):
            continue
        if fix.rule not in {k.rule for k in kept} and any(_path_overlap(p, q) for p in fix.paths for q in paths):
            continue
        kept.append(fix)
        taken.extend(fix.edits)
        paths.extend(fix.paths)
    return kept


@given(st.lists(st.tuples(
    st.sampled_from(["AF1", "AF2", "AF3"]),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 4)), min_size=1, max_size=3),
    st.lists(st.lists(st.sampled_from(["Resources", "A", "B", "Properties", 0]), max_size=3), min_size=1, max_size=2),
), max_size=12))
def test_select_compatible_matches_its_definition(specs):
    from autofix.fixes import overlaps

    fixes = []
    for n, (rule, spans, paths) in enumerate(specs):
        edits = [Edit(start, start + length, "x") for start, length in sorted(set(spans))]
        if any(overlaps(a, b) for i, a in enumerate(edits) for b in edits[i + 1:]):
            continue  # a fix whose own edits overlap is a rule bug, which apply_edits reports
        fixes.append(Fix(rule, f"r{n}", "m", edits, [tuple(p) for p in paths]))
    assert select_compatible(fixes) == _select_compatible_reference(fixes)


def test_select_compatible_scales_with_n_log_n():
    """10,000 fixes on disjoint spans, all kept: the reference would make 50 million edit
    comparisons; counting the comparisons keeps this test about the algorithm, not the clock."""
    import autofix.fixes as fx

    calls = [0]
    real = fx.overlaps

    def counting(a, b):
        calls[0] += 1
        return real(a, b)

    fixes = [Fix("AF1", "r", "m", [Edit(i * 10, i * 10 + 5, "x")], [("Resources", f"R{i}")]) for i in range(10_000)]
    fixes.reverse()
    try:
        fx.overlaps = counting
        kept = fx.select_compatible(fixes)
    finally:
        fx.overlaps = real
    assert len(kept) == 10_000
    assert calls[0] < 3 * 10_000


def test_json_with_a_trailing_comma_is_read_as_yaml_as_cloudformation_does():
    """Not JSON, but YAML in flow style, which is how CloudFormation and cfn-lint read it: the
    fix is made, in JSON's style, and the file still reads the same way."""
    src = ('{\n  "Resources": {\n    "Key": {\n      "Type": "AWS::KMS::Key",\n'
           '      "DeletionPolicy": "Delete",\n      "UpdateReplacePolicy": "Delete",\n    },\n  }\n}\n')
    r = fix_text(src, path="t.json", settings=Settings(environment="production"))
    assert r.status == "fixed", r.error
    assert '"DeletionPolicy": "Retain"' in r.output and '"UpdateReplacePolicy": "Retain"' in r.output
    assert r.output.replace('"Retain"', '"Delete"') == src  # only the two values changed
    check = fix_text(src.encode(), path="t.json", settings=Settings(environment="production"), detect_only=True)
    assert [f.rule for f in check.fixes] == [f.rule for f in r.fixes]
