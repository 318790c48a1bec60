"""Document.move_entries on generated mappings in every layout autofix edits (block YAML with
comments and CRLF, flow YAML, pretty and compact JSON): the result reads back as the same
mapping with the chosen entries moved, in order, into the target, and nothing else changes."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from autofix.cfn.document import Document, _plainify
from autofix.fixes import apply_edits

VALUES = [1, "plain", "two words", {"Ref": "Other"}, {"A": 1, "B": "x"}, [1, 2], "a: b"]


def _yaml_value(v, indent: str, step: str, flow: bool) -> str:
    if isinstance(v, dict) and "Ref" in v:
        return f"!Ref {v['Ref']}"
    if isinstance(v, dict):
        if flow:
            return "{" + ", ".join(f"{k}: {_yaml_value(x, '', '', True)}" for k, x in v.items()) + "}"
        return "".join(f"\n{indent}{step}{k}: {_yaml_value(x, indent + step, step, False)}" for k, x in v.items())
    if isinstance(v, list):
        if flow:
            return "[" + ", ".join(map(str, v)) + "]"
        return "".join(f"\n{indent}{step}- {x}" for x in v)
    if isinstance(v, str) and ":" in v:
        return f"'{v}'"
    return str(v)


def render(entries: list[tuple[str, object]], layout: dict) -> str:
    """A template whose resource R has `entries` as its Properties."""
    kind = layout["kind"]
    if kind in ("json", "json-compact"):
        doc = {"Resources": {"R": {"Type": "AWS::X::Y", "Properties": dict(entries)}}}
        if kind == "json":
            text = json.dumps(doc, indent=layout["indent"])
        else:
            text = json.dumps(doc)
    else:
        step = " " * layout["indent"]
        ind = step * 3
        if kind == "flow":
            body = "{" + ", ".join(f"{k}: {_yaml_value(v, '', '', True)}" for k, v in entries) + "}"
            text = f"Resources:\n{step}R:\n{step * 2}Type: AWS::X::Y\n{step * 2}Properties: {body}"
        elif kind == "flow-lines":  # one entry a line, as people write long flow mappings
            body = "{\n" + ",\n".join(f"{step * 3}{k}: {_yaml_value(v, '', '', True)}" for k, v in entries) + f"\n{step * 2}}}"
            text = f"Resources:\n{step}R:\n{step * 2}Type: AWS::X::Y\n{step * 2}Properties: {body}"
        else:
            lines = ["# top", "Resources:", f"{step}R:", f"{step * 2}Type: AWS::X::Y", f"{step * 2}Properties:"]
            for i, (k, v) in enumerate(entries):
                if layout["comments"] and i % 2:
                    lines.append(f"{ind}# before {k}")
                lines.append(f"{ind}{k}: {_yaml_value(v, ind, step, False)}".replace("\n", "\x00"))
                if layout["comments"] and not isinstance(v, (dict, list)):
                    lines[-1] += f"  # about {k}"
            text = "\n".join(lines).replace("\x00", "\n")
    if layout["final_newline"]:
        text += "\n"
    if layout["crlf"] and kind == "block":
        text = text.replace("\n", "\r\n")
    return text


layouts = st.fixed_dictionaries({
    "kind": st.sampled_from(["block", "flow", "flow-lines", "json", "json-compact"]),
    "indent": st.sampled_from([2, 4]),
    "comments": st.booleans(),
    "final_newline": st.booleans(),
    "crlf": st.booleans(),
})


@st.composite
def cases(draw):
    n = draw(st.integers(1, 6))
    entries = [(f"K{i}", draw(st.sampled_from(VALUES))) for i in range(n)]
    target = draw(st.sampled_from([None] + list(range(n + 1))))
    moved = draw(st.lists(st.sampled_from([k for k, _ in entries]), min_size=1, unique=True))
    if target is not None:
        entries.insert(target, ("T", {"Z": 1}))
    return entries, moved, draw(layouts)


def _expected(entries, moved):
    taken = [(k, v) for k, v in entries if k in moved]
    if "T" in dict(entries):
        return [(k, dict(v, **dict(taken)) if k == "T" else v) for k, v in entries if k not in moved]
    first = next(k for k, _ in entries if k in moved)
    out = []
    for k, v in entries:
        if k == first:
            out.append(("T", dict(taken)))
        elif k not in moved:
            out.append((k, v))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_move_entries(case):
    entries, moved, layout = case
    text = render(entries, layout)
    doc = Document(text)
    props = doc.resource("R").properties
    edits = doc.move_entries(props, moved, "T")
    out = apply_edits(text, edits)
    got = Document(out).plain["Resources"]["R"]["Properties"]
    want = _expected(entries, moved)
    assert list(got) == [k for k, _ in want], out
    assert list(got["T"]) == list(dict(want)["T"]), out  # moved in order, after what T had
    assert _plainify(got) == _plainify(dict(want)), out
    assert out.count("#") == text.count("#"), out  # every comment kept
    if layout["crlf"] and layout["kind"] == "block":
        assert out.count("\r\n") == out.count("\n"), out
    else:
        assert "\r" not in out
    assert out.endswith("\n") == text.endswith("\n")


def _props(text):
    doc = Document(text)
    return doc, doc.resource("R").properties


HEAD = "Resources:\n  R:\n    Type: AWS::X::Y\n    Properties:\n"


@pytest.mark.parametrize("body, why", [
    ("      T: !Ref X\n      A: 1\n", "T is not a mapping"),
    ("      T: {}\n      A: 1\n", "T is empty: no indentation to take"),
    ("      A: &a 1\n      B: *a\n", "aliases: text moved past its anchor breaks them"),
    ("      A: |+\n        kept\n\n      B: 2\n", "kept trailing lines would stay behind"),
    ("      T:\n        Z: |+\n          kept\n\n      A: 1\n", "joining after kept trailing lines"),
    ("      A: |\n        x\n        \t\n        y\n", "a whitespace line with a tab"),
])
def test_move_entries_refuses_what_it_cannot_place(body, why):
    doc, props = _props(HEAD + body)
    with pytest.raises(ValueError):
        doc.move_entries(props, ["A"], "T")


def test_move_entries_refuses_comments_in_a_flow_mapping_of_several_lines():
    doc, props = _props(HEAD.replace("Properties:\n", "Properties: {\n") + "      A: 1,  # the first\n      B: 2\n    }\n")
    with pytest.raises(ValueError):
        doc.move_entries(props, ["A"], "T")


def test_move_entries_keeps_block_scalar_lines_and_takes_comments_above():
    text = HEAD + "      # about A\n      A: |\n        x\n          \n        y\n      B: 2\n"
    doc, props = _props(text)
    out = apply_edits(text, doc.move_entries(props, ["A"], "T"))
    assert out == HEAD + "      T:\n        # about A\n        A: |\n          x\n            \n          y\n      B: 2\n"
    assert Document(out).plain["Resources"]["R"]["Properties"]["T"]["A"] == "x\n  \ny\n"

