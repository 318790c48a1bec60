"""Shared pieces of the production-convention rules (AF4xx): inserting whole entries in the
file's layout, reading intrinsic values, and words for humans.

Everything here works on both trees the engine builds (ruamel's round-trip tree and libyaml's
fast one): only the `is_map` / `is_seq` / `is_scalar` helpers of the document are used.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from autofix.cfn.document import (
    Document,
    Resource,
    intrinsic,
    is_map,
    is_plain_scalar,
    is_scalar,
    is_seq,
    mapping_get,
    scalar_value,
)
from autofix.fixes import Edit

# --------------------------------------------------------------------------------------------
# layout


def blank_line_separated(doc: Document, mapping: Any) -> bool:
    """Whether the entries of a block mapping are separated by blank lines (most gaps have one)."""
    if doc.is_json or not is_map(mapping) or len(mapping.value) < 2 or doc._is_flow(mapping):
        return False
    blank = 0
    pairs = mapping.value
    for (_, v), (k2, _) in zip(pairs, pairs[1:]):
        gap = doc.text[doc._entry_end(v) : k2.start_mark.index - k2.start_mark.column]
        lines = gap.split("\n")[1:-1]  # lines between the entry's last line and the next key's line
        if any(not ln.strip() for ln in lines):
            blank += 1
    return blank * 2 > len(pairs) - 1


def insert_spaced(doc: Document, mapping: Any, entries: list[tuple[str, Any]], *, after: str | None = None,
                  before: str | None = None, spaced: bool | None = None) -> Edit:
    """`doc.insert_entries`, keeping a blank line between entries when the mapping has them."""
    if spaced is None:
        spaced = blank_line_separated(doc, mapping)
    if not spaced or doc.is_json or doc._is_flow(mapping) or not mapping.value:
        return doc.insert_entries(mapping, entries, after=after, before=before)
    nl = doc.newline
    parts = [doc.insert_entries(mapping, [entry], after=after, before=before) for entry in entries]
    pos = parts[0].start
    bk = before is not None and any(k.value == before for k, _ in mapping.value)
    if bk and parts[0].content.endswith(nl) and not parts[0].content.startswith(nl):
        return Edit(pos, pos, "".join(p.content + nl for p in parts))
    return Edit(pos, pos, "".join(nl + p.content for p in parts))


def insert_section(doc: Document, name: str, value: Any) -> Edit:
    """A new top-level section (`Parameters`, `Outputs`) in the file's style.  `Parameters`
    goes before `Resources`; anything else after the last section."""
    root = doc.root
    keys = [k.value for k, _ in root.value]
    before = after = None
    if name in ("Parameters", "Mappings", "Conditions") and "Resources" in keys:
        i = keys.index("Resources")
        if doc.is_json or doc._is_flow(root):
            after = keys[i - 1] if i > 0 else None
        else:
            before = "Resources"
    spaced = None
    if len(root.value) < 2:  # one section: follow the spacing of the resources instead
        spaced = blank_line_separated(doc, doc.resources_node)
    return insert_spaced(doc, root, [(name, value)], after=after, before=before, spaced=spaced)


# --------------------------------------------------------------------------------------------
# values


def refs_in(plain: Any) -> Iterator[str]:
    """Names a plain value refers to: Ref targets, GetAtt resources, ${X} / ${X.Attr} in Sub."""
    if isinstance(plain, dict):
        if len(plain) == 1:
            (k, v), = plain.items()
            if k == "Ref" and isinstance(v, str):
                yield v
                return
            if k == "Fn::GetAtt":
                if isinstance(v, list) and v and isinstance(v[0], str):
                    yield v[0]
                elif isinstance(v, str):
                    yield v.split(".", 1)[0]
                return
            if k == "Fn::Sub":
                s = v[0] if isinstance(v, list) and v else v
                local = v[1] if isinstance(v, list) and len(v) > 1 and isinstance(v[1], dict) else {}
                if isinstance(s, str):
                    for var in sub_vars(s):
                        name = var.split(".", 1)[0]
                        if name not in local:
                            yield name
                for x in local.values():
                    yield from refs_in(x)
                return
        for x in plain.values():
            yield from refs_in(x)
    elif isinstance(plain, list):
        for x in plain:
            yield from refs_in(x)


_SUB_TOKEN = re.compile(r"\$\{(!?)([^}]*)\}")


def sub_vars(s: str) -> list[str]:
    """Variables of a Sub string (`${!Literal}` is text, not a variable)."""
    return [m.group(2).strip() for m in _SUB_TOKEN.finditer(s) if not m.group(1)]


def sub_parts(s: str) -> list[tuple[str, str]]:
    """A Sub string as ("text", ...) and ("var", name) parts."""
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _SUB_TOKEN.finditer(s):
        if m.start() > pos:
            out.append(("text", s[pos : m.start()]))
        if m.group(1):
            out.append(("text", "${" + m.group(2) + "}"))
        else:
            out.append(("var", m.group(2).strip()))
        pos = m.end()
    if pos < len(s):
        out.append(("text", s[pos:]))
    merged: list[tuple[str, str]] = []
    for kind, val in out:
        if kind == "text" and merged and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1] + val)
        else:
            merged.append((kind, val))
    return merged


def sub_string(node: Any) -> str | None:
    """The template string of `!Sub 'text'` / `{"Fn::Sub": "text"}` (not the list form)."""
    fn = intrinsic(node)
    if fn is None or fn[0] != "Fn::Sub":
        return None
    inner = fn[1]
    if is_scalar(inner) and not is_plain_scalar(inner) and str(inner.tag) == "!Sub":
        return inner.value
    if is_plain_scalar(inner) and isinstance(scalar_value(inner), str):
        return scalar_value(inner)
    return None


def literal_str(node: Any) -> str | None:
    if is_plain_scalar(node):
        v = scalar_value(node)
        return v if isinstance(v, str) else None
    return None


def literal_bool(node: Any) -> bool | None:
    if not is_plain_scalar(node):
        return None
    v = scalar_value(node)
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    return None


def ref_target(node: Any) -> str | None:
    """`X` for `!Ref X` / `{"Ref": "X"}`."""
    fn = intrinsic(node)
    if fn and fn[0] == "Ref":
        inner = fn[1]
        if is_scalar(inner):
            return str(inner.value)
    return None


def getatt_target(node: Any) -> tuple[str, str] | None:
    fn = intrinsic(node)
    if not fn or fn[0] != "Fn::GetAtt":
        return None
    inner = fn[1]
    if is_scalar(inner) and "." in str(inner.value):
        a, b = str(inner.value).split(".", 1)
        return a, b
    if is_seq(inner) and len(inner.value) == 2 and all(is_scalar(x) for x in inner.value):
        return str(inner.value[0].value), str(inner.value[1].value)
    return None


def names_resource(node: Any, logical_id: str) -> bool:
    """Whether a value is `!Ref X` or `!GetAtt X.*` for the given resource."""
    if ref_target(node) == logical_id:
        return True
    ga = getatt_target(node)
    return ga is not None and ga[0] == logical_id


def parameters(doc: Document) -> dict:
    p = doc.plain.get("Parameters") if isinstance(doc.plain, dict) else None
    return p if isinstance(p, dict) else {}


def resource_types(doc: Document) -> dict[str, str]:
    return {r.logical_id: r.type for r in doc.resources() if r.type}


def unique_id(doc: Document, base: str, section: str = "Resources") -> str:
    taken = set()
    for sec in ("Resources", "Parameters", "Outputs", "Conditions", "Mappings"):
        node = doc.section(sec)
        if is_map(node):
            taken |= {str(k.value) for k, _ in node.value}
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def tags_list(res: Resource) -> Any:
    t = res.prop("Tags")
    return t if is_seq(t) else None


def name_tag(res: Resource) -> tuple[Any, Any] | None:
    """(the tag's mapping node, its Value node) of a `Key: Name` tag in a Tags list."""
    tags = tags_list(res)
    if tags is None:
        return None
    for item in tags.value:
        if is_map(item) and literal_str(mapping_get(item, "Key")) == "Name":
            v = mapping_get(item, "Value")
            if v is not None:
                return item, v
    return None


# --------------------------------------------------------------------------------------------
# words

_WORD = re.compile(r"S3|EC2|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
ACRONYMS = {"db", "id", "arn", "url", "uri", "vpc", "kms", "iam", "s3", "sns", "sqs", "rds", "ec2", "api", "dns",
            "jdbc", "sg", "az", "ip", "ssm", "acm", "alb", "nlb", "elb", "ecs", "eks", "ecr", "cdn", "http", "https",
            "tls", "ssl", "sql", "aws", "ui", "ttl", "cpu", "nat"}


def words(identifier: str) -> list[str]:
    """`BackupsBucket` -> [Backups, Bucket]; `DBSubnetGroup1` -> [DB, Subnet, Group, 1]."""
    return _WORD.findall(identifier)


def kebab(parts: list[str]) -> str:
    return "-".join(p.lower() for p in parts if p)


def humanize(identifier: str) -> str:
    """`JDBCConnectionString` -> `JDBC connection string`; `VpcId` -> `VPC ID`."""
    out = []
    for i, w in enumerate(words(identifier)):
        low = w.lower()
        if low in ACRONYMS or (w.isupper() and len(w) > 1):
            out.append(w.upper() if low in ACRONYMS else w)
        elif i == 0:
            out.append(w[:1].upper() + w[1:].lower())
        else:
            out.append(low)
    return " ".join(out) if out else identifier


def show(plain: Any) -> str:
    """A short human form of a template value: `!Ref X`, `X.Attr`, the Sub string, ..."""
    if isinstance(plain, dict) and len(plain) == 1:
        (k, v), = plain.items()
        if k == "Ref":
            return f"!Ref {v}"
        if k == "Fn::GetAtt":
            return f"!GetAtt {'.'.join(map(str, v)) if isinstance(v, list) else v}"
        if k == "Fn::Sub":
            s = v[0] if isinstance(v, list) and v else v
            return f"!Sub '{s}'" if isinstance(s, str) else "!Sub ..."
        if k.startswith("Fn::") or k == "Condition":
            return f"!{k.split('::')[-1]} ..."
    if isinstance(plain, bool):
        return "true" if plain else "false"
    if isinstance(plain, (dict, list)):
        return "(structured value)"
    return str(plain)


def merge_edits(edits: list[Edit]) -> list[Edit]:
    """Join insertions at the same offset into one edit (in the given order), so that one fix
    may add a property at the end of a resource and a new entry right after that resource."""
    out: list[Edit] = []
    at: dict[int, int] = {}
    for e in edits:
        if e.start == e.end and e.start in at:
            i = at[e.start]
            out[i] = Edit(e.start, e.end, out[i].content + e.content)
            continue
        if e.start == e.end:
            at[e.start] = len(out)
        out.append(e)
    return out
