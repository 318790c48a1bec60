"""Property tests on generated templates in many styles (block and flow YAML, quote styles,
indents, comments, CRLF, BOM, JSON): fixing twice equals fixing once, zero fixes leaves the
bytes as they were, the output parses, and no line changes that a fix did not need."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings, strategies as st

from autofix.api import encode, fix_text
from autofix.cfn.document import Document
from autofix.settings import Settings

from .test_corpus import _changed_lines_allowed

TYPES = ["AWS::KMS::Key", "AWS::S3::Bucket", "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::DynamoDB::Table", "AWS::SNS::Topic"]
POLICIES = [None, "Delete", "Retain", "Snapshot", "RetainExceptOnCreate"]

resource = st.fixed_dictionaries(
    {
        "type": st.sampled_from(TYPES),
        "dp": st.sampled_from(POLICIES),
        "urp": st.sampled_from([None, "Delete", "Retain", "Snapshot"]),
        "protect": st.sampled_from([None, True, False]),
        "props": st.booleans(),
        "comment": st.booleans(),
    }
)
style = st.fixed_dictionaries(
    {
        "json": st.booleans(),
        "indent": st.sampled_from([2, 4]),
        "tab": st.booleans(),
        "quote": st.sampled_from(["", "'", '"']),
        "flow": st.booleans(),
        "crlf": st.booleans(),
        "bom": st.booleans(),
        "blank": st.booleans(),
    }
)


def _valid(r: dict) -> dict:
    r = dict(r)
    snap = r["type"] in ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")
    if not snap and r["dp"] == "Snapshot":
        r["dp"] = "Retain"
    if not snap and r["urp"] == "Snapshot":
        r["urp"] = "Retain"
    if not snap:
        r["protect"] = None
    return r


def render(resources: list[dict], s: dict) -> str:
    body: dict = {}
    for i, r in enumerate(resources):
        item: dict = {"Type": r["type"]}
        if r["dp"]:
            item["DeletionPolicy"] = r["dp"]
        if r["urp"]:
            item["UpdateReplacePolicy"] = r["urp"]
        props = {}
        if r["protect"] is not None:
            props["DeletionProtection"] = r["protect"]
        if r["props"]:
            props["Tags"] = [{"Key": "team", "Value": "core"}]
        if props:
            item["Properties"] = props
        body[f"Res{i}"] = item
    nl = "\r\n" if s["crlf"] else "\n"
    if s["json"]:
        indent = "\t" if s["tab"] else s["indent"]
        text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": body}, indent=indent)
        return ("\ufeff" if s["bom"] else "") + text.replace("\n", nl) + nl
    q = s["quote"]
    ind = " " * s["indent"]

    def scalar(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return f"{q}{v}{q}"

    lines = ["# generated", "AWSTemplateFormatVersion: '2010-09-09'", "Resources:"]
    for (name, item), r in zip(body.items(), resources):
        if r["comment"]:
            lines.append(f"{ind}# {name} holds data")
        if s["flow"]:
            inner = ", ".join(
                f"{k}: {scalar(v)}" if not isinstance(v, dict) else
                f"{k}: {{" + ", ".join(
                    f"{pk}: {scalar(pv)}" if not isinstance(pv, list) else f"{pk}: [{{Key: team, Value: core}}]"
                    for pk, pv in v.items()) + "}"
                for k, v in item.items()
            )
            lines.append(f"{ind}{name}: {{{inner}}}")
        else:
            lines.append(f"{ind}{name}:")
            for k, v in item.items():
                if isinstance(v, dict):
                    lines.append(f"{ind * 2}{k}:")
                    for pk, pv in v.items():
                        if isinstance(pv, list):
                            lines.append(f"{ind * 3}{pk}:")
                            lines.append(f"{ind * 3}- Key: team")
                            lines.append(f"{ind * 3}  Value: core")
                        else:
                            lines.append(f"{ind * 3}{pk}: {scalar(pv)}" + ("  # set by generator" if r["comment"] else ""))
                else:
                    lines.append(f"{ind * 2}{k}: {scalar(v)}")
        if s["blank"]:
            lines.append("")
    return ("\ufeff" if s["bom"] else "") + nl.join(lines) + nl


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(resource, min_size=1, max_size=5), style, st.sampled_from([None, "test", "production"]))
def test_fix_properties(resources, s, env):
    resources = [_valid(r) for r in resources]
    src = render(resources, s)
    data = src.encode("utf-8")
    cfg = Settings(environment=env, unsafe_fixes=True)
    before = Document(src.lstrip("\ufeff"))
    r = fix_text(data, path="t.json" if s["json"] else "t.yaml", settings=cfg)
    assert r.status in ("fixed", "unchanged"), r.error_line
    if not r.changed:
        assert r.output is None  # zero fixes: the caller writes nothing, bytes stay as they were
        return
    out = encode(r)
    assert out.startswith(b"\xef\xbb\xbf") == s["bom"]
    if s["crlf"]:
        assert b"\n" not in out.replace(b"\r\n", b"")
    after = Document(r.output)  # parses
    if s["json"]:
        json.loads(r.output)
    again = fix_text(out, path="t.yaml", settings=cfg)
    assert not again.changed, "second run changed the output"
    _changed_lines_allowed(before, r.output)
    # comments survive
    assert [l for l in src.lstrip("\ufeff").splitlines() if "#" in l and l.strip().startswith("#")] == [
        l for l in r.output.splitlines() if "#" in l and l.strip().startswith("#")
    ]
    # the lifecycle invariant the rules promise: KMS keys end retained in every environment
    plain = after.plain["Resources"]
    for name, res in plain.items():
        if res["Type"] == "AWS::KMS::Key":
            assert res.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")
            assert res.get("UpdateReplacePolicy") == "Retain"
