"""Shared pieces of the AF3xx rules: walking a template's nodes with their paths, the
references a template makes (Ref, Fn::GetAtt, Fn::Sub variables, Fn::FindInMap, conditions),
and a few edit helpers that keep to the file's own text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from typing import TYPE_CHECKING

import autofix.cfn.document as _document
from autofix.cfn.document import (
    SHORT_TAGS,
    Document,
    intrinsic,
    is_map,
    is_scalar,
    is_seq,
    is_plain_scalar,
    mapping_get,
    node_tag,
    plain_safe,
    scalar_value,
)
from autofix.fixes import Edit

if TYPE_CHECKING:
    from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

# A Sub variable as CloudFormation reads it: `${Name}`, `${Res.Attr}`; `${!Literal}` is an escape.
# Same pattern as cfn-lint's cfnlint.helpers.REGEX_SUB_PARAMETERS.
SUB_VARIABLE = re.compile(r"\$\{\s*([^!\s][^}]*?)\s*\}")

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)

# Transforms whose output keeps the template's own references: everything else (a macro) may
# read or rewrite anything, so rules that reason about the whole template skip those files.
KNOWN_TRANSFORMS = frozenset({"AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"})


def transforms(doc: Document) -> list[str] | None:
    """The template's `Transform` names; None when one is not a literal (cannot tell)."""
    node = mapping_get(doc.root, "Transform")
    if node is None:
        return []
    items = node.value if is_seq(node) else [node]
    out = []
    for it in items:
        if not is_plain_scalar(it):
            return None
        out.append(str(it.value))
    return out


def has_fn_transform(doc: Document) -> bool:
    """`Fn::Transform` anywhere (a macro snippet, which may do anything with its input)."""
    return "Fn::Transform" in doc.text


def has_macros(doc: Document) -> bool:
    """A macro may read or rewrite anything: a `Transform` other than SAM / language
    extensions, or an `Fn::Transform` snippet."""
    names = transforms(doc)
    return names is None or any(n not in KNOWN_TRANSFORMS for n in names) or has_fn_transform(doc)


def has_any_transform(doc: Document, *, allow: frozenset = frozenset()) -> bool:
    """A `Transform` (other than those in `allow`) or an `Fn::Transform` snippet."""
    names = transforms(doc)
    return names is None or any(n not in allow for n in names) or has_fn_transform(doc)


# --------------------------------------------------------------------------------------------
# walking


#: (node, path, fns): a node, its template path (as in Document.plain, short tags expanded),
#: and the intrinsic functions enclosing it, outermost first
Visit = tuple

_KINDS: dict[type, str] = {}


def _kind(t: type) -> str:
    """'m', 's', 'c' or '' for a node class (cached: the walk compares classes, not isinstance)."""
    k = _KINDS.get(t)
    if k is None:
        d = _document  # its node-class tuples grow when ruamel loads: read them now
        k = _KINDS[t] = ("m" if issubclass(t, d.MAPPING_TYPES) else "s" if issubclass(t, d.SEQUENCE_TYPES)
                         else "c" if issubclass(t, d.SCALAR_TYPES) else "")
    return k


def walk(node: Node, path: tuple = (), fns: tuple = ()) -> Iterator[Visit]:
    """Every node below `node` (itself included), depth first, as (node, path, fns).  A
    short-form tag counts as a level, as in `Document.plain`: the argument of `!Sub x` sits at
    path + ('Fn::Sub',) like the one of `{Fn::Sub: x}`.  Each node is visited once, so aliases
    cost nothing (an alias bomb stays linear)."""
    stack: list[Visit] = [(node, path, fns)]
    pop, push = stack.pop, stack.append
    seen: set[int] = set()
    kinds = _KINDS
    while stack:
        item = pop()
        n, p, f = item
        if id(n) in seen:  # a YAML alias: its node was (or will be) visited where it is anchored
            continue
        seen.add(id(n))
        yield item
        tag = n.tag
        if tag and tag[0] == "!":
            long = SHORT_TAGS.get(tag)
            if long is not None:
                p, f = p + (long,), f + (long,)
            else:
                p = p + (tag,)
        t = type(n)
        k = kinds.get(t) or _kind(t)
        if k == "m":
            v = n.value
            if len(v) == 1:
                key_node, val = v[0]
                key = key_node.value if (kinds.get(type(key_node)) or _kind(type(key_node))) == "c" else repr(key_node)
                if isinstance(key, str) and (key == "Ref" or key == "Condition" or key.startswith("Fn::")):
                    push((val, p + (key,), f + (key,)))
                else:
                    push((val, p + (key,), f))
            else:
                for key_node, val in reversed(v):
                    key = key_node.value if (kinds.get(type(key_node)) or _kind(type(key_node))) == "c" else repr(key_node)
                    push((val, p + (key,), f))
        elif k == "s":
            v = n.value
            for i in range(len(v) - 1, -1, -1):
                push((v[i], p + (i,), f))


def nodes(doc: Document) -> list[Node]:
    """Every node of the template (values, not keys), each once, in document order: made once
    per parse and shared by the rules.  Paths and enclosing functions are not built here (that
    is most of a walk's cost); `path_of` and `fns_of` work them out for the few nodes a rule
    reports."""
    return _indexed(doc, "nodes")


def call_nodes(doc: Document) -> list[tuple[Node, list[tuple[str, Node]]]]:
    """(node, calls(node)) for every node of `nodes(doc)` that applies a function, in order."""
    return _indexed(doc, "calls")


def string_nodes(doc: Document) -> list[Node]:
    """The scalar nodes of `nodes(doc)` whose value is a string, in order."""
    return _indexed(doc, "strings")


def _indexed(doc: Document, key: str) -> list:
    found = doc.memo.get(key)
    if found is None:
        _index(doc)
        found = doc.memo[key]
    return found


def _index(doc: Document) -> None:
    """One pass over the tree for what several rules scan for: every node, the function
    calls, the strings, and the values of `Condition` keys."""
    out: list = []
    found_calls: list = []
    strings: list = []
    conditions: list = []
    stack = [doc.root]
    pop, push, add = stack.pop, stack.append, out.append
    kinds = _KINDS
    seen: set[int] | None = set() if doc.aliased else None
    while stack:
        n = pop()
        if seen is not None:
            if id(n) in seen:  # a YAML alias: visited where it is anchored
                continue
            seen.add(id(n))
        add(n)
        t = type(n)
        k = kinds.get(t) or _kind(t)
        tag = n.tag
        short = bool(tag) and tag[0] == "!"
        if k == "m":
            items = n.value
            if short or len(items) == 1:
                cs = calls(n)
                if cs:
                    found_calls.append((n, cs))
            for i in range(len(items) - 1, -1, -1):
                key, val = items[i]
                if key.value == "Condition":
                    conditions.append((key, val))
                push(val)
        elif k == "s":
            if short:
                cs = calls(n)
                if cs:
                    found_calls.append((n, cs))
            items = n.value
            for i in range(len(items) - 1, -1, -1):
                push(items[i])
        else:
            if short:
                cs = calls(n)
                if cs:
                    found_calls.append((n, cs))
            if isinstance(n.value, str):
                strings.append(n)
    memo = doc.memo
    memo["nodes"], memo["calls"], memo["strings"], memo["condition_keys"] = out, found_calls, strings, conditions


def _parents(doc: Document) -> dict[int, tuple[Node, Any]]:
    """id(node) -> (parent, key node or index), for the first parent in document order."""
    parents = doc.memo.get("parents")
    if parents is None:
        parents = doc.memo["parents"] = {}
        for n in nodes(doc):
            if is_map(n):
                for k, v in n.value:
                    parents.setdefault(id(v), (n, k))
            elif is_seq(n):
                for i, v in enumerate(n.value):
                    parents.setdefault(id(v), (n, i))
    return parents


def _steps(doc: Document, node: Node) -> list[tuple[Node, Any]]:
    """(parent, key or index) from the root down to `node`."""
    parents = _parents(doc)
    chain = []
    seen = set()
    while id(node) in parents and id(node) not in seen:
        seen.add(id(node))
        parent, step = parents[id(node)]
        chain.append((parent, step))
        node = parent
    chain.reverse()
    return chain


def path_of(doc: Document, node: Node) -> tuple:
    """The template path of a node, as `walk` gives it (a short tag counts as a level)."""
    path: tuple = ()
    for parent, step in _steps(doc, node):
        tag = parent.tag
        if tag and tag[0] == "!":
            path += (SHORT_TAGS.get(tag, tag),)
        path += ((step.value if is_scalar(step) else repr(step)) if not isinstance(step, int) else step,)
    return path


def fns_of(doc: Document, node: Node) -> tuple:
    """The intrinsic functions enclosing a node, outermost first, as `walk` gives them."""
    fns: tuple = ()
    for parent, step in _steps(doc, node):
        tag = parent.tag
        if tag and tag[0] == "!" and tag in SHORT_TAGS:
            fns += (SHORT_TAGS[tag],)
        if not isinstance(step, int) and is_map(parent) and len(parent.value) == 1:
            key = step.value if is_scalar(step) else None
            if isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::")):
                fns += (key,)
    return fns


def visit(doc: Document, node: Node) -> Visit:
    """(node, path, fns) for one node, as `walk` would give it."""
    return node, path_of(doc, node), fns_of(doc, node)


def calls(node: Node | None) -> list[tuple[str, Node]]:
    """The functions a node applies, as (name, argument node): a short tag (`!Sub x`: the
    tagged node is the argument), a single-key `Fn::` mapping, or both at once when a short
    tag wraps a long-form call (`!ImportValue {Fn::Sub: x}` applies ImportValue and Sub)."""
    if node is None:
        return []
    out = []
    tag = node.tag
    if tag and tag[0] == "!" and tag in SHORT_TAGS:
        out.append((SHORT_TAGS[tag], node))
    t = type(node)
    if (_KINDS.get(t) or _kind(t)) == "m" and len(node.value) == 1:
        k, v = node.value[0]
        key = k.value
        if isinstance(key, str) and (key == "Ref" or key == "Condition" or key.startswith("Fn::")) and is_scalar(k):
            out.append((key, v))
    return out


def call(node: Node | None, name: str) -> Node | None:
    """The argument of function `name` when `node` applies it (either form), else None."""
    for fn, arg in calls(node):
        if fn == name:
            return arg
    return None


def sub_parts(node: Node) -> tuple[ScalarNode | None, MappingNode | None]:
    """The string node and the variables map of a Fn::Sub node (either may be None)."""
    arg = call(node, "Fn::Sub")
    if arg is None:
        return None, None
    if is_scalar(arg):
        return arg, None
    if is_seq(arg) and arg.value and is_scalar(arg.value[0]):
        var_map = arg.value[1] if len(arg.value) > 1 and is_map(arg.value[1]) else None
        return arg.value[0], var_map
    return None, None


def sub_variables(text: str) -> list[str]:
    return [m.group(1) for m in SUB_VARIABLE.finditer(text)]


def getatt_target(node: Node) -> str | None:
    arg = call(node, "Fn::GetAtt")
    if arg is None:
        return None
    if is_scalar(arg) and isinstance(arg.value, str):
        return arg.value.split(".", 1)[0]
    if is_seq(arg) and arg.value and is_plain_scalar(arg.value[0]):
        return str(arg.value[0].value)
    return None


def ref_target(node: Node) -> str | None:
    arg = call(node, "Ref")
    return str(arg.value) if is_scalar(arg) else None


@dataclass
class References:
    refs: set = field(default_factory=set)  # Ref targets
    getatts: set = field(default_factory=set)  # resources named by Fn::GetAtt
    subs: set = field(default_factory=set)  # Sub variables (first part of `${X.Attr}`)
    maps: set = field(default_factory=set)  # Fn::FindInMap map names
    dynamic_map: bool = False  # a FindInMap whose map name is not a literal
    conditions: set = field(default_factory=set)  # Fn::If conditions, Condition keys, !Condition

    @property
    def names(self) -> set:
        return self.refs | self.getatts | self.subs


def template_references(doc: Document) -> "References":
    """`collect(doc.root)`, computed once per parse and shared by the rules that need it."""
    refs = doc.memo.get("references")
    if refs is None:
        out = References()
        for _, cs in call_nodes(doc):
            for name, arg in cs:
                _collect_call(out, name, arg)
        for k, val in _indexed(doc, "condition_keys"):
            if is_scalar(k) and is_plain_scalar(val):
                out.conditions.add(str(val.value))
        refs = doc.memo["references"] = out
    return refs


def collect(node: Node, *, skip_if: bool = False) -> References:
    """The references made anywhere below `node`.  With `skip_if`, references inside an
    `Fn::If` are left out (they hold only when the condition picks their branch)."""
    return _collect(n for n, _, fns in walk(node) if not (skip_if and "Fn::If" in fns))


def _collect(found) -> References:
    out = References()
    kinds = _KINDS
    for n in found:
        tag = n.tag
        if tag and tag[0] == "!" and tag in SHORT_TAGS:
            _collect_call(out, SHORT_TAGS[tag], n)
        if (kinds.get(type(n)) or _kind(type(n))) == "m":
            pairs = n.value
            for k, val in pairs:
                if k.value == "Condition" and is_scalar(k) and is_plain_scalar(val):
                    out.conditions.add(str(val.value))
            if len(pairs) == 1:
                k, val = pairs[0]
                key = k.value
                if isinstance(key, str) and (key == "Ref" or key == "Condition" or key.startswith("Fn::")) and is_scalar(k):
                    _collect_call(out, key, val)
    return out


def _collect_call(out: "References", name: str, arg: Node) -> None:
    first = arg.value[0] if is_seq(arg) and arg.value else None
    if name == "Ref":
        if is_scalar(arg):
            out.refs.add(str(arg.value))
    elif name == "Fn::GetAtt":
        if is_scalar(arg) and isinstance(arg.value, str):
            out.getatts.add(arg.value.split(".", 1)[0])
        elif is_plain_scalar(first):
            out.getatts.add(str(first.value))
    elif name == "Fn::Sub":
        s, var_map = (arg, None) if is_scalar(arg) else (first, arg.value[1] if is_seq(arg) and len(arg.value) > 1 else None)
        if is_scalar(s) and isinstance(s.value, str):
            defined = {k.value for k, _ in var_map.value} if is_map(var_map) else set()
            for var in sub_variables(s.value):
                if var not in defined:
                    out.subs.add(var.split(".", 1)[0])
    elif name == "Fn::FindInMap":
        if is_plain_scalar(first):
            out.maps.add(str(first.value))
        else:
            out.dynamic_map = True
    elif name == "Fn::If":
        if is_plain_scalar(first):
            out.conditions.add(str(first.value))
    elif name == "Condition":
        if is_scalar(arg):
            out.conditions.add(str(arg.value))


# --------------------------------------------------------------------------------------------
# editing


def replace_inline(doc: Document, node: Node, value: Any) -> Edit:
    """Replace a value node with `value` written on one line."""
    end = node.end_mark.index
    if is_scalar(node) and node.style in ("|", ">"):
        end = doc._node_end(node)
    return Edit(node.start_mark.index, end, doc.render_inline(value))


def scalar_substitutions(doc: Document, node: ScalarNode, pairs: list[tuple[str, str]]) -> list[Edit] | None:
    """Edits that replace substrings inside a string scalar's own text, leaving its quoting and
    layout as they are: each `old` must occur in the raw text exactly as often as in the value
    (no escape sequences or line folding in the way).  None when that cannot be done."""
    start, end = node.start_mark.index, node.end_mark.index
    raw = doc.text[start:end]
    value = node.value
    if not isinstance(value, str):
        return None
    style = node.style
    edits: list[Edit] = []
    for old, new in pairs:
        if not old:
            return None
        if raw.count(old) != value.count(old):
            return None
        if style == "'" and "'" in new:
            return None
        if style == '"' and ('"' in new or "\\" in new):
            return None
        if style is None and (
            any(c in new for c in "#")
            or (doc.is_json is False and doc._in_flow(node) and any(c in new for c in "{}[],"))
        ):
            return None
        if doc.is_json and ('"' in new or "\\" in new):
            return None
        pos = 0
        while True:
            i = raw.find(old, pos)
            if i < 0:
                break
            edits.append(Edit(start + i, start + i + len(old), new))
            pos = i + len(old)
    # the substitutions must not overlap one another
    edits.sort()
    for a, b in zip(edits, edits[1:]):
        if b.start < a.end:
            return None
    return edits


def render_string(doc: Document, value: str, like: ScalarNode | None, flow: bool) -> str:
    """A string scalar in the file's style, quoted when it would not read back as that string."""
    if doc.is_json:
        return json.dumps(value, ensure_ascii=False)
    if like is not None and like.style in ("'", '"'):
        return doc.render_scalar(value, like=like)
    if plain_safe(value, flow=flow):
        return value
    return doc.render_scalar(value, flow=flow)


def literal_str(node: Node | None) -> str | None:
    if is_plain_scalar(node):
        v = scalar_value(node)
        return v if isinstance(v, str) else None
    return None


def remove_seq_items(doc: Document, seq: SequenceNode, indexes: set[int]) -> list[Edit]:
    """Edits that remove several items of a sequence (not all of them) without overlapping."""
    items = seq.value
    if not doc._is_flow(seq):
        return [doc.remove_item(seq, i) for i in sorted(indexes)]
    edits = []
    runs: list[list[int]] = []
    for i in sorted(indexes):
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        a, b = run[0], run[-1]
        if b + 1 < len(items):
            edits.append(Edit(items[a].start_mark.index, items[b + 1].start_mark.index))
        elif a > 0:
            edits.append(Edit(doc._node_end(items[a - 1]), doc._node_end(items[b])))
        else:
            raise ValueError("removing every item: remove the key instead")
    return edits


def interface_removals(doc: Document, names: set[str], removing: set[str] | None = None) -> tuple[list[Edit], list[tuple]]:
    """Edits that drop parameters `names` from `Metadata: AWS::CloudFormation::Interface`
    (their ParameterGroups entries and ParameterLabels), and the paths they change.

    `removing` is every parameter going away in this pass: a group (or the labels) that they
    would empty together is removed whole, by the same edit in each of their fixes, so the
    engine applies one of them and the rest in the next pass."""
    removing = set(removing or ()) | set(names)
    meta = mapping_get(doc.root, "Metadata")
    iface = mapping_get(meta, "AWS::CloudFormation::Interface")
    if not is_map(iface):
        return [], []
    edits: list[Edit] = []
    paths: list[tuple] = []
    base = ("Metadata", "AWS::CloudFormation::Interface")
    groups = mapping_get(iface, "ParameterGroups")
    emptied: set[int] = set()
    mine: set[int] = set()
    all_emptied = False
    if is_seq(groups) and intrinsic(groups) is None:
        for gi, group in enumerate(groups.value):
            params = mapping_get(group, "Parameters")
            if not is_seq(params) or not params.value:
                continue
            listed = [literal_str(p) for p in params.value]
            drop = {i for i, p in enumerate(listed) if p in names}
            if not drop:
                continue
            mine.add(gi)
            paths.append(base + ("ParameterGroups",))
            if all(p in removing for p in listed):
                emptied.add(gi)
            else:
                edits.extend(remove_seq_items(doc, params, drop))
        all_emptied = bool(groups.value) and all(
            is_seq(mapping_get(g, "Parameters")) and mapping_get(g, "Parameters").value
            and all(literal_str(p) in removing for p in mapping_get(g, "Parameters").value)
            for g in groups.value
        )
        if mine & emptied:
            if all_emptied:
                edits.append(doc.remove_key(iface, "ParameterGroups"))
            else:
                edits.extend(remove_seq_items(doc, groups, emptied & mine))
    groups_go = groups is None or (is_seq(groups) and (not groups.value or bool(mine & emptied) and all_emptied))
    labels = mapping_get(iface, "ParameterLabels")
    labels_go = labels is None or (is_map(labels) and all(k.value in removing for k, _ in labels.value))
    labelled = is_map(labels) and any(k.value in names for k, _ in labels.value)
    if (paths or labelled) and groups_go and labels_go and {k.value for k, _ in iface.value} <= {"ParameterGroups", "ParameterLabels"}:
        # nothing would be left of the interface: it goes, and Metadata with it when that was all
        if {k.value for k, _ in meta.value} == {"AWS::CloudFormation::Interface"}:
            return [doc.remove_key(doc.root, "Metadata")], [("Metadata",)]
        return [doc.remove_key(meta, "AWS::CloudFormation::Interface")], [base]
    if is_map(labels) and labels.value:
        keys = [k.value for k, _ in labels.value]
        drop_keys = [k for k in keys if k in names]
        if drop_keys:
            paths.append(base + ("ParameterLabels",))
            if all(k in removing for k in keys):
                edits.append(doc.remove_key(iface, "ParameterLabels"))
            else:
                edits.extend(doc.remove_key(labels, k) for k in drop_keys)
    return edits, sorted(set(paths))


def remove_entries(doc: Document, section: str, names: list[str]) -> tuple[list[Edit], list[tuple]]:
    """Edits that remove entries from a top-level section; the whole section when all go.
    Comment lines and blank lines around an entry stay (the project keeps every comment and
    blank line: tests/test_corpus.py)."""
    node = mapping_get(doc.root, section)
    if not is_map(node):
        return [], []
    if {k.value for k, _ in node.value} <= set(names):
        return [doc.remove_key(doc.root, section)], [(section,)]
    return [doc.remove_key(node, n) for n in names], [(section, n) for n in names]
