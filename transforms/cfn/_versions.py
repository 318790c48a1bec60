"""Shared pieces of the version rules (AF201-AF204): settings, the catalog, finding where a
version is set (inline, a Parameter's Default, a Mappings entry) and editing it there.

A *site* is a property that holds a version (`EngineVersion` of a database, `Runtime` of a
function).  A *target* is the scalar that actually sets it: the property itself, the Default of
the Parameter it `!Ref`s, or the Mappings entry its `!FindInMap` names.  Sites sharing a target
are judged and fixed together, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from autofix.cfn.document import (
    Document,
    Resource,
    intrinsic,
    is_map,
    is_plain_scalar,
    is_seq,
    mapping_get,
    mapping_key,
    node_tag,
    scalar_value,
)
from autofix.catalog.judge import (  # noqa: F401  (re-exported for the AF2xx rules)
    MAJOR_ONLY_ENGINES,
    POLICIES,
    SERVICE,
    Verdict,
    catalog_label,
    has_data,
    judge,
    newest_major,
    parse_date,
    policy,
    region,
    section,
    today,
)
from autofix.fixes import Edit

#: resource type -> (Engine property, engine when the property is absent or does not exist)
VERSIONED_TYPES: dict[str, tuple[str | None, str | None]] = {
    "AWS::RDS::DBInstance": ("Engine", None),
    "AWS::RDS::DBCluster": ("Engine", None),
    "AWS::ElastiCache::CacheCluster": ("Engine", None),
    "AWS::ElastiCache::ReplicationGroup": ("Engine", "redis"),  # Engine defaults to redis
    "AWS::DocDB::DBCluster": (None, "docdb"),
    "AWS::Neptune::DBCluster": (None, "neptune"),
}

#: database type -> [(property naming a parameter group, parameter group type)]
PARAMETER_GROUP_LINKS: dict[str, tuple[tuple[str, str], ...]] = {
    "AWS::RDS::DBInstance": (("DBParameterGroupName", "AWS::RDS::DBParameterGroup"),),
    "AWS::RDS::DBCluster": (
        ("DBClusterParameterGroupName", "AWS::RDS::DBClusterParameterGroup"),
        ("DBInstanceParameterGroupName", "AWS::RDS::DBParameterGroup"),
    ),
    "AWS::ElastiCache::CacheCluster": (("CacheParameterGroupName", "AWS::ElastiCache::ParameterGroup"),),
    "AWS::ElastiCache::ReplicationGroup": (("CacheParameterGroupName", "AWS::ElastiCache::ParameterGroup"),),
    "AWS::DocDB::DBCluster": (("DBClusterParameterGroupName", "AWS::DocDB::DBClusterParameterGroup"),),
    "AWS::Neptune::DBCluster": (
        ("DBClusterParameterGroupName", "AWS::Neptune::DBClusterParameterGroup"),
        ("DBInstanceParameterGroupName", "AWS::Neptune::DBParameterGroup"),
    ),
}

#: parameter group type -> (family property, name property)
PARAMETER_GROUP_TYPES: dict[str, tuple[str, str]] = {
    "AWS::RDS::DBParameterGroup": ("Family", "DBParameterGroupName"),
    "AWS::RDS::DBClusterParameterGroup": ("Family", "DBClusterParameterGroupName"),
    "AWS::ElastiCache::ParameterGroup": ("CacheParameterGroupFamily", "CacheParameterGroupName"),
    "AWS::DocDB::DBClusterParameterGroup": ("Family", "Name"),
    "AWS::Neptune::DBClusterParameterGroup": ("Family", "Name"),
    "AWS::Neptune::DBParameterGroup": ("Family", "Name"),
}

FUNCTION_TYPES = ("AWS::Lambda::Function", "AWS::Serverless::Function")


# --------------------------------------------------------------------------------------------
# settings


# --------------------------------------------------------------------------------------------
# values


def value_text(node: Any) -> str | None:
    """The source text of a literal string or number (`14.10` stays "14.10", not 14.1)."""
    if not is_plain_scalar(node):
        return None
    tag = node_tag(node)
    if not (tag.endswith(":str") or tag.endswith(":int") or tag.endswith(":float")):
        return None
    text = str(node.value).strip()
    return text or None


def ref_name(arg: Any) -> str | None:
    """The name in `!Ref X` / `{"Ref": "X"}` (`intrinsic` gives the tagged node for the short form)."""
    value = getattr(arg, "value", None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def editable(doc: Document, key: Any, node: Any) -> bool:
    """The value node is written right after its key (not an alias of a node elsewhere, not
    anchored for use elsewhere): editing it changes this entry only."""
    if key is None or node is None:
        return False
    if doc.is_json:
        return True  # JSON has no anchors or aliases
    between = doc.text[key.end_mark.index : node.start_mark.index]
    if not re.fullmatch(r"\s*:\s*(?:#[^\n]*\n\s*)*", between):
        return False
    return doc.text[node.start_mark.index : node.start_mark.index + 1] not in ("&", "*")


def _seq_editable(doc: Document, seq: Any) -> bool:
    return all(doc.text[i.start_mark.index : i.start_mark.index + 1] not in ("&", "*") for i in seq.value)


@dataclass
class Target:
    """Where a site's value is set."""

    kind: str  # "literal" | "parameter" | "mapping" | "unresolved"
    node: Any = None  # the scalar to edit (literal / parameter Default / mapping entry)
    value: str | None = None
    path: tuple = ()  # the template path of `node`
    where: str = ""  # human form: "parameter DbVersion (Default)"
    param: str | None = None
    param_node: Any = None
    candidates: list[str] = field(default_factory=list)  # literal values an unresolved one may take
    opaque: bool = False  # an unresolved value may also take values we cannot see
    reason: str = ""  # why it is unresolved

    @property
    def key(self) -> Any:
        return id(self.node) if self.node is not None else ("unresolved", self.path)


def _params(doc: Document):
    p = doc.section("Parameters")
    return p if is_map(p) else None


def _param_allowed(pnode) -> list[Any] | None:
    av = mapping_get(pnode, "AllowedValues")
    if av is None:
        return None
    if not is_seq(av) or not all(value_text(i) is not None for i in av.value):
        return None
    return list(av.value)


def resolve(doc: Document, node: Any, path: tuple, label: str, _depth: int = 0) -> Target | None:
    """Follow `node` (the value at `path`) to the scalar that sets it.  None when there is no
    value at all (absent, `!Ref AWS::NoValue`)."""
    if node is None:
        return None
    text = value_text(node)
    if text is not None:
        return Target("literal", node, text, path, label)
    if is_plain_scalar(node):
        return None  # null, true, an empty string: not a version at all (cfn-lint reports the type)
    fn = intrinsic(node)
    if fn is None:
        return Target("unresolved", path=path, where=label, opaque=True, reason="it is not a literal value")
    name, arg = fn
    if name == "Ref":
        ref = ref_name(arg)
        if ref == "AWS::NoValue":
            return None
        return _resolve_ref(doc, ref, path, label)
    if name == "Fn::FindInMap":
        return _resolve_map(doc, arg, path, label)
    if name == "Fn::If" and is_seq(arg) and len(arg.value) == 3 and _depth < 5:
        t = Target("unresolved", path=path, where=label, reason="it depends on a condition (Fn::If)")
        for i, branch in enumerate(arg.value[1:], start=1):
            sub = resolve(doc, branch, path + (name, i), label, _depth + 1)
            if sub is None:
                continue
            if sub.kind == "unresolved":
                t.candidates.extend(sub.candidates)
                t.opaque = t.opaque or sub.opaque
            else:
                t.candidates.append(sub.value)
        return t
    return Target("unresolved", path=path, where=label, opaque=True, reason=f"it is computed ({name})")


def _resolve_ref(doc: Document, ref: str | None, path: tuple, label: str) -> Target:
    params = _params(doc)
    pnode = mapping_get(params, ref) if ref else None
    if not is_map(pnode):
        return Target("unresolved", path=path, where=label, opaque=True,
                      reason=f"it refers to {ref!r}, which is not a template parameter")
    ptype = value_text(mapping_get(pnode, "Type"))
    where = f"parameter {ref}"
    if ptype not in ("String", "Number"):
        return Target("unresolved", path=("Parameters", ref), where=where, opaque=True,
                      reason=f"parameter {ref} has type {ptype}")
    default = mapping_get(pnode, "Default")
    allowed = _param_allowed(pnode)
    if default is None:
        t = Target("unresolved", path=("Parameters", ref), where=where, param=ref, param_node=pnode,
                   reason=f"parameter {ref} has no Default: its value is chosen at deploy time")
        if allowed is None:
            t.opaque = True
        else:
            t.candidates = [value_text(i) for i in allowed]
        return t
    text = value_text(default)
    if text is None or not editable(doc, mapping_key(pnode, "Default"), default):
        return Target("unresolved", path=("Parameters", ref), where=where, opaque=True,
                      reason=f"the Default of parameter {ref} is not a plain value")
    return Target("parameter", default, text, ("Parameters", ref, "Default"), f"Default of parameter {ref}",
                  param=ref, param_node=pnode)


def _resolve_map(doc: Document, arg: Any, path: tuple, label: str) -> Target:
    unresolved = Target("unresolved", path=path, where=label, reason="its Fn::FindInMap keys are not literal")
    if not is_seq(arg) or len(arg.value) not in (3, 4):
        unresolved.opaque = True
        return unresolved
    keys = [value_text(k) for k in arg.value[:3]]
    mappings = doc.section("Mappings")
    if all(k is not None for k in keys):
        top = mapping_get(mappings, keys[0])
        second = mapping_get(top, keys[1])
        entry = mapping_get(second, keys[2])
        if entry is not None and value_text(entry) is not None and editable(doc, mapping_key(second, keys[2]), entry):
            where = f"mapping entry {keys[0]}/{keys[1]}/{keys[2]}"
            return Target("mapping", entry, value_text(entry), ("Mappings", *keys), where)
        unresolved.opaque = True
        unresolved.reason = "its Fn::FindInMap entry is missing or not a plain value"
        return unresolved
    # keys that vary: every entry they can reach is a candidate
    top = mapping_get(mappings, keys[0]) if keys[0] is not None else None
    if not is_map(top):
        unresolved.opaque = True
        return unresolved
    seconds = [mapping_get(top, keys[1])] if keys[1] is not None else [v for _, v in top.value]
    for second in seconds:
        if not is_map(second):
            unresolved.opaque = True
            continue
        entries = [mapping_get(second, keys[2])] if keys[2] is not None else [v for _, v in second.value]
        for e in entries:
            if e is None:
                continue
            t = value_text(e)
            if t is None:
                unresolved.opaque = True
            else:
                unresolved.candidates.append(t)
    return unresolved


# --------------------------------------------------------------------------------------------
# sites


@dataclass
class Site:
    res: Resource | None  # None for SAM Globals
    engine: str | None  # catalog engine (version sites) or None (runtime sites)
    raw_engine: str | None
    node: Any
    path: tuple
    prop: str
    parent: Any = None  # the mapping holding `prop`

    @property
    def logical_id(self) -> str:
        return self.res.logical_id if self.res is not None else "Globals.Function"


def engine_of(res: Resource) -> tuple[str | None, str | None]:
    """(catalog engine, Engine as written) of a versioned resource; (None, ...) when unknown or
    given by an intrinsic function."""
    from autofix.catalog import normalize_engine

    prop, default = VERSIONED_TYPES[res.type]
    node = res.prop(prop) if prop else None
    if node is None:
        return (default, default)
    raw = value_text(node)
    if raw is None:
        return (None, None)
    return (normalize_engine(raw), raw)


def version_sites(doc: Document) -> Iterator[Site]:
    for res in doc.resources():
        if res.type not in VERSIONED_TYPES or res.properties is None:
            continue
        node = res.prop("EngineVersion")
        if node is None:
            continue
        engine, raw = engine_of(res)
        if engine is None:
            continue
        if res.type == "AWS::RDS::DBCluster":
            mode = res.prop("EngineMode")
            if mode is not None and value_text(mode) not in ("provisioned",):
                continue  # serverless v1 / parallelquery / multimaster: their own version lists
        yield Site(res, engine, raw, node, res.path + ("Properties", "EngineVersion"), "EngineVersion", res.properties)


def runtime_sites(doc: Document) -> Iterator[Site]:
    glob = mapping_get(mapping_get(doc.root, "Globals"), "Function")
    node = mapping_get(glob, "Runtime")
    if node is not None:
        yield Site(None, None, None, node, ("Globals", "Function", "Runtime"), "Runtime", glob)
    for res in doc.resources():
        if res.type not in FUNCTION_TYPES or res.properties is None:
            continue
        node = res.prop("Runtime")
        if node is not None:
            yield Site(res, None, None, node, res.path + ("Properties", "Runtime"), "Runtime", res.properties)


@dataclass
class Group:
    target: Target
    sites: list[Site]

    @property
    def engines(self) -> list[str]:
        return sorted({s.engine for s in self.sites if s.engine})

    @property
    def engine(self) -> str | None:
        e = self.engines
        return e[0] if len(e) == 1 else None

    @property
    def first(self) -> Site:
        return self.sites[0]

    @property
    def who(self) -> str:
        ids = list(dict.fromkeys(s.logical_id for s in self.sites))
        return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]

    @property
    def label(self) -> str:
        """`Db: EngineVersion` or `Db, Db2: EngineVersion`."""
        return f"{self.who}: {self.first.prop}"

    def describe(self, value: str, extra: str = "") -> str:
        """`Db: EngineVersion 14.7 (postgres, Default of parameter DbVersion)`."""
        t = self.target
        parts = [p for p in (extra, t.where if t.kind in ("parameter", "mapping") else "") if p]
        return self.label + (f" {value}" if value else "") + (f" ({', '.join(parts)})" if parts else "")


def groups(doc: Document, sites) -> list[Group]:
    """Sites grouped by the scalar that sets their value (a shared Parameter is one group)."""
    out: dict[Any, Group] = {}
    for site in sites:
        label = f"{site.logical_id}: {site.prop}"
        target = resolve(doc, site.node, site.path, label)
        if target is None:
            continue
        if target.kind == "literal" and not editable(doc, mapping_key(site.parent, site.prop), site.node):
            target = Target("unresolved", path=site.path, where=label, opaque=False,
                            candidates=[target.value], reason="it is a YAML alias or anchor")
        g = out.get(target.key)
        if g is None:
            out[target.key] = Group(target, [site])
        else:
            g.sites.append(site)
    return list(out.values())


# --------------------------------------------------------------------------------------------
# edits


def set_value(doc: Document, target: Target, new: str) -> tuple[list[Edit], list[tuple], str | None]:
    """Edits that make `target` hold `new`, the paths they change, and a reason when it cannot
    be done safely (then no edits)."""
    if target.kind in ("literal", "mapping"):
        return [doc.replace(target.node, new)], [target.path], None
    if target.kind != "parameter":
        return [], [], target.reason or "the value is not set statically"
    pnode, pname = target.param_node, target.param
    ptype = value_text(mapping_get(pnode, "Type"))
    if ptype == "Number" and not re.fullmatch(r"[0-9]+(\.[0-9]+)?", new):
        return [], [], f"parameter {pname} has Type Number, which cannot hold {new!r}"
    pattern = mapping_get(pnode, "AllowedPattern")
    if pattern is not None:
        ptext = scalar_value(pattern) if is_plain_scalar(pattern) else None
        try:
            ok = isinstance(ptext, str) and re.fullmatch(ptext, new) is not None
        except re.error:
            ok = False
        if not ok:
            return [], [], f"{new!r} would not match the AllowedPattern of parameter {pname}"
    maxlen = mapping_get(pnode, "MaxLength")
    if maxlen is not None:
        m = scalar_value(maxlen) if is_plain_scalar(maxlen) else None
        try:
            too_long = len(new) > int(m)
        except (TypeError, ValueError):
            too_long = True
        if too_long:
            return [], [], f"{new!r} would exceed the MaxLength of parameter {pname}"
    edits = [doc.replace(target.node, new)]
    paths = [("Parameters", pname, "Default")]
    av = mapping_get(pnode, "AllowedValues")
    if av is not None:
        allowed = _param_allowed(pnode)
        if allowed is None or not _seq_editable(doc, av) or not allowed:
            return [], [], f"the AllowedValues of parameter {pname} are not a plain list"
        texts = [value_text(i) for i in allowed]
        if new not in texts:
            after = texts.index(target.value) if target.value in texts else len(texts) - 1
            edits.append(seq_insert_after(doc, av, after, new))
            paths.append(("Parameters", pname, "AllowedValues"))
    return edits, paths, None


def seq_insert_after(doc: Document, seq: Any, index: int, value: Any) -> Edit:
    """Insert a scalar item after item `index` of a (block or flow) sequence, styled like it."""
    item = seq.value[index]
    text = doc.text
    if doc.is_json or text[seq.start_mark.index : seq.start_mark.index + 1] == "[":
        rendered = doc.render_scalar(value, like=item, flow=True)
        end = item.end_mark.index
        lines = {i.start_mark.line for i in seq.value}
        if len(lines) > 1 or seq.start_mark.line != item.start_mark.line:
            ls = doc.line_starts()[item.start_mark.line]
            indent = text[ls : item.start_mark.index]
            if indent.strip():
                indent = " " * item.start_mark.column
            return Edit(end, end, f",{doc.newline}{indent}{rendered}")
        return Edit(end, end, f", {rendered}")
    rendered = doc.render_scalar(value, like=item)
    ls = doc.line_starts()[item.start_mark.line]
    prefix = text[ls : item.start_mark.index]
    if not re.fullmatch(r"\s*-\s+", prefix):
        prefix = " " * max(item.start_mark.column - 2, 0) + "- "
    nl = text.find("\n", item.end_mark.index)
    pos = len(text) if nl < 0 else (nl - 1 if nl > 0 and text[nl - 1] == "\r" else nl)
    return Edit(pos, pos, f"{doc.newline}{prefix}{rendered}")


def resource_by_ref(doc: Document, node: Any, types: tuple[str, ...] | str) -> Resource | None:
    """The resource a `!Ref X` names, when it has one of `types`."""
    fn = intrinsic(node)
    if fn is None or fn[0] != "Ref":
        return None
    rid = ref_name(fn[1])
    res = doc.resource(rid) if rid else None
    if res is None:
        return None
    types = (types,) if isinstance(types, str) else types
    return res if res.type in types else None


def display(value: str | None) -> str:
    return "(unset)" if value is None else value


# --------------------------------------------------------------------------------------------
# judging engine versions


# --------------------------------------------------------------------------------------------
# parameter groups


def db_version(doc: Document, res: Resource) -> tuple[str, str] | None:
    """(catalog engine, version) of a database when both are known statically; an Aurora
    instance without EngineVersion takes its cluster's."""
    if res.type not in VERSIONED_TYPES:
        return None
    engine, raw = engine_of(res)
    if engine is None or (raw or "").lower() == "aurora":
        return None
    node, owner = res.prop("EngineVersion"), res
    if node is None and res.type == "AWS::RDS::DBInstance":
        cluster = resource_by_ref(doc, res.prop("DBClusterIdentifier"), "AWS::RDS::DBCluster")
        if cluster is not None and engine_of(cluster)[0] == engine:
            node, owner = cluster.prop("EngineVersion"), cluster
    t = resolve(doc, node, owner.path + ("Properties", "EngineVersion"), owner.logical_id)
    if t is None or t.kind == "unresolved":
        return None
    return engine, t.value


@dataclass
class GroupUse:
    """One database using a parameter group through one of its properties."""

    db: Resource
    prop: str
    version: tuple[str, str] | None  # (engine, version), None when not known statically


def parameter_group_users(doc: Document) -> dict[str, list[GroupUse]]:
    """Parameter group logical id -> the databases that name it with `!Ref`."""
    out: dict[str, list[GroupUse]] = {}
    for res in doc.resources():
        links = PARAMETER_GROUP_LINKS.get(res.type or "")
        if not links or res.properties is None:
            continue
        for prop, pg_type in links:
            pg = resource_by_ref(doc, res.prop(prop), pg_type)
            if pg is not None:
                out.setdefault(pg.logical_id, []).append(GroupUse(res, prop, db_version(doc, res)))
    return out
