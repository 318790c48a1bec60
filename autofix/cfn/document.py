"""CloudFormation templates as text plus a composed node tree with source positions.

Rules read the tree and return text edits; nothing here ever re-dumps a document.  Positions
come from ruamel.yaml's composer (`start_mark.index` / `end_mark.index`), which works for JSON
templates too since JSON is a YAML flow mapping.  Values are rendered in the file's own style:
its quote character, its indentation step, block or flow, its line ending.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from typing import TYPE_CHECKING

from yaml import nodes as _pyyaml_nodes

from autofix.fixes import Edit

if TYPE_CHECKING:
    from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# Node classes, by shape.  libyaml-composed nodes (the detection pass) have the same shape as
# ruamel's; ruamel's classes join when ruamel is first needed (`_round_trip`), so that a check
# with nothing to fix never imports it.  Read these through the module (`document.MAPPING_TYPES`)
# or the is_map / is_seq / is_scalar helpers, not through a copy taken at import time.
MAPPING_TYPES: tuple = (_pyyaml_nodes.MappingNode,)
SEQUENCE_TYPES: tuple = (_pyyaml_nodes.SequenceNode,)
SCALAR_TYPES: tuple = (_pyyaml_nodes.ScalarNode,)
COLLECTION_TYPES = MAPPING_TYPES + SEQUENCE_TYPES
_RT = None


def _round_trip():
    """ruamel.yaml's round-trip loader, imported on first use."""
    global _RT, MAPPING_TYPES, SEQUENCE_TYPES, SCALAR_TYPES, COLLECTION_TYPES
    if _RT is None:
        from ruamel.yaml import YAML
        from ruamel.yaml import nodes as rt

        MAPPING_TYPES = (rt.MappingNode, _pyyaml_nodes.MappingNode)
        SEQUENCE_TYPES = (rt.SequenceNode, _pyyaml_nodes.SequenceNode)
        SCALAR_TYPES = (rt.ScalarNode, _pyyaml_nodes.ScalarNode)
        COLLECTION_TYPES = MAPPING_TYPES + SEQUENCE_TYPES
        _RT = YAML(typ="rt")
    return _RT

MAX_NODES = 2_000_000  # expanded-node budget: refuses alias bombs before they eat memory
MAX_DEPTH = 200

# Short-form intrinsic tags and the long form they stand for.
SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
    **{
        f"!{n}": f"Fn::{n}"
        for n in (
            "Sub Join Select Split FindInMap ImportValue Base64 Cidr GetAZs If Equals And Or Not "
            "Transform ToJsonString Length ForEach"
        ).split()
    },
}


class TemplateError(Exception):
    """Input we cannot handle; carries a 1-based line and column."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class NotATemplate(Exception):
    """Parsed fine but is not a CloudFormation template (no Resources mapping)."""


@dataclass(frozen=True)
class Tagged:
    """A value to render as an intrinsic function: Tagged("Ref", "X") -> !Ref X / {"Ref": "X"}."""

    fn: str  # long form: "Ref", "Fn::Sub", "Fn::GetAtt", ...
    value: Any


def node_tag(node: Node) -> str:
    return str(node.tag) if node.tag is not None else ""


def is_map(node: Node | None) -> bool:
    return isinstance(node, MAPPING_TYPES)


def is_seq(node: Node | None) -> bool:
    return isinstance(node, SEQUENCE_TYPES)


def is_scalar(node: Node | None) -> bool:
    return isinstance(node, SCALAR_TYPES)


def is_plain_scalar(node: Node | None) -> bool:
    """A scalar that is a literal value, not a short-form intrinsic function."""
    return isinstance(node, SCALAR_TYPES) and node_tag(node).startswith("tag:yaml.org,2002:")


_BOOL_TRUE = {"true", "True", "TRUE"}
_BOOL_FALSE = {"false", "False", "FALSE"}


def scalar_value(node: Node) -> Any:
    """The Python value of a literal scalar (str, int, float, bool or None)."""
    tag = node_tag(node)
    v = node.value
    if tag.endswith(":str") or not tag.startswith("tag:yaml.org,2002:"):
        return v
    if tag.endswith(":bool"):
        return v in _BOOL_TRUE or v.lower() in ("true", "yes", "on")
    if tag.endswith(":int"):
        try:
            return int(v.replace("_", ""), 0) if not re.fullmatch(r"0[0-7]+", v) else int(v, 8)
        except ValueError:
            return v
    if tag.endswith(":float"):
        try:
            return float(v.replace("_", ""))
        except ValueError:
            return v
    if tag.endswith(":null"):
        return None
    return v


def mapping_items(node: MappingNode) -> Iterator[tuple[ScalarNode, Node]]:
    yield from node.value


def mapping_get(node: Node | None, key: str) -> Node | None:
    if not isinstance(node, MAPPING_TYPES):
        return None
    for k, v in node.value:
        if isinstance(k, SCALAR_TYPES) and k.value == key:
            return v
    return None


def mapping_key(node: Node | None, key: str) -> ScalarNode | None:
    if not isinstance(node, MAPPING_TYPES):
        return None
    for k, _ in node.value:
        if isinstance(k, SCALAR_TYPES) and k.value == key:
            return k
    return None


def intrinsic(node: Node | None) -> tuple[str, Node | str] | None:
    """('Ref', value) for `!Ref X` or `{Ref: X}`; ('Fn::Sub', node) etc.; None for literals."""
    if node is None:
        return None
    tag = node_tag(node)
    if tag in SHORT_TAGS:
        return SHORT_TAGS[tag], node
    if isinstance(node, MAPPING_TYPES) and len(node.value) == 1:
        k = node.value[0][0]
        if isinstance(k, SCALAR_TYPES) and (k.value == "Ref" or k.value.startswith("Fn::") or k.value == "Condition"):
            return k.value, node.value[0][1]
    return None


def to_plain(node: Node, _budget: list | None = None, _depth: int = 0) -> Any:
    """The template's meaning as plain data, short-form tags expanded to their long form."""
    budget = _budget if _budget is not None else [MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise TemplateError("document expands to too many nodes (alias bomb?)", node.start_mark.line + 1, node.start_mark.column + 1)
    if _depth > MAX_DEPTH:
        raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1, node.start_mark.column + 1)
    tag = node_tag(node)
    if isinstance(node, SCALAR_TYPES):
        val: Any = scalar_value(node)
    elif isinstance(node, SEQUENCE_TYPES):
        val = [to_plain(c, budget, _depth + 1) for c in node.value]
    else:
        val = {}
        for k, v in node.value:
            key = k.value if isinstance(k, SCALAR_TYPES) else repr(to_plain(k, budget, _depth + 1))
            val[key] = to_plain(v, budget, _depth + 1)
    if tag in SHORT_TAGS:
        long = SHORT_TAGS[tag]
        if long == "Fn::GetAtt" and isinstance(val, str):
            val = val.split(".", 1)
        return {long: val}
    if tag and not tag.startswith("tag:yaml.org,2002:"):
        return {tag: val}
    return val


# --------------------------------------------------------------------------------------------
# loading

def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 text and whether it had a BOM; undecodable bytes are a TemplateError at their line."""
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    try:
        return data.decode("utf-8"), bom
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        col = e.start - (before.rfind(b"\n") + 1) + 1
        raise TemplateError(f"not UTF-8: byte 0x{data[e.start]:02x} cannot be decoded", line, col) from None


def _check_json(text: str) -> None:
    """Refuse invalid JSON (with its line).  Duplicate keys are left to `_check_duplicates`
    on the composed tree, which knows their line."""
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        raise TemplateError(f"invalid JSON: {e.msg}", e.lineno, e.colno) from None


# where an anchor can start: after a line break, a space, a flow indicator, or the colon of a
# JSON-like key (`{"k":&a [...]}`); a false alarm only costs the full walk
_ANCHOR = re.compile(r"(?:^|[\s\[{,:?])&[^\s]")


def _check_duplicates(node: Node, text: str | None = None) -> bool:
    """Refuse duplicate keys and deep nesting; True when some node is reached twice (aliases).
    With the text and no anchor in it, scalars are not visited; a collection reached twice
    anyway (an anchor the pattern missed) sends the walk back to the full one."""
    if text is not None and ("&" not in text or not _ANCHOR.search(text)):
        try:
            return _check_tree(node)
        except _Aliased:
            pass
    stack = [(node, 0)]
    seen_ids: set[int] = set()
    aliased = False
    while stack:
        n, d = stack.pop()
        if id(n) in seen_ids:
            aliased = True
            continue
        seen_ids.add(id(n))
        if d > MAX_DEPTH:
            raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels", n.start_mark.line + 1, n.start_mark.column + 1)
        if isinstance(n, MAPPING_TYPES):
            _unique_keys(n)
            stack.extend((v, d + 1) for _, v in n.value)
        elif isinstance(n, SEQUENCE_TYPES):
            stack.extend((c, d + 1) for c in n.value)
    return aliased


class _Aliased(Exception):
    pass


def _check_tree(node: Node) -> bool:
    """_check_duplicates for a tree without aliases: collections only, each checked to be met
    once (so an alias bomb cannot slip through as a tree)."""
    stack = [(node, 0)]
    seen: set[int] = set()
    while stack:
        n, d = stack.pop()
        if id(n) in seen:
            raise _Aliased
        seen.add(id(n))
        if isinstance(n, MAPPING_TYPES):
            children = [v for _, v in n.value]
            _unique_keys(n)
        else:
            children = n.value
        if children and d >= MAX_DEPTH:
            c = children[-1]
            raise TemplateError(f"nesting deeper than {MAX_DEPTH} levels", c.start_mark.line + 1, c.start_mark.column + 1)
        stack.extend((c, d + 1) for c in children if isinstance(c, COLLECTION_TYPES))
    return False


def _unique_keys(n: MappingNode) -> None:
    pairs = n.value
    if len({k.value if isinstance(k, SCALAR_TYPES) else id(k) for k, _ in pairs}) == len(pairs):
        return
    keys: dict[str, ScalarNode] = {}
    for k, _ in pairs:
        if isinstance(k, SCALAR_TYPES):
            if k.value in keys:
                first = keys[k.value].start_mark.line + 1
                raise TemplateError(
                    f"duplicate key {k.value!r} (first at line {first})", k.start_mark.line + 1, k.start_mark.column + 1
                )
            keys[k.value] = k


def _check_expansion(root: Node, budget: int) -> None:
    """Refuse a document whose aliases expand it beyond `budget` nodes ("billion laughs"),
    counting each distinct node once (sizes memoised over the alias DAG), so the check itself
    stays linear in the file."""
    size: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        n, done = stack.pop()
        if id(n) in size:
            continue
        kids = [c for pair in n.value for c in pair] if isinstance(n, MAPPING_TYPES) else (
            n.value if isinstance(n, SEQUENCE_TYPES) else [])
        if not done:
            stack.append((n, True))
            stack.extend((c, False) for c in kids if id(c) not in size)
            continue
        total = 1 + sum(size.get(id(c), 1) for c in kids)
        if total > budget:
            raise TemplateError("document expands to too many nodes (alias bomb?)", n.start_mark.line + 1,
                                n.start_mark.column + 1)
        size[id(n)] = total


def compose(text: str) -> Node | None:
    loader = _round_trip()
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return loader.compose(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        reason = (e.problem or e.context or "invalid YAML").strip()
        if mark is not None:
            raise TemplateError(f"invalid YAML: {reason}", mark.line + 1, mark.column + 1) from None
        raise TemplateError(f"invalid YAML: {reason}") from None
    except YAMLError as e:
        raise TemplateError(f"invalid YAML: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    except RecursionError:
        raise TemplateError("invalid YAML: nesting too deep") from None


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] == "{"


class FastParseUnavailable(Exception):
    """The C parser is missing or disagrees with the input: use the round-trip path."""


def compose_fast(text: str) -> Node | None:
    """libyaml's C composer (through PyYAML): the same node shapes and marks as ruamel's, about
    20x faster.  Used to find out whether a file has anything to fix at all."""
    try:
        import yaml
        from yaml import CSafeLoader
    except ImportError as e:  # PyYAML without libyaml
        raise FastParseUnavailable(str(e)) from None
    try:
        return yaml.compose(text, Loader=_fast_loader(CSafeLoader))
    except yaml.MarkedYAMLError as e:
        if "maximum nesting depth" in str(e.problem) and e.problem_mark is not None:
            # libyaml refuses this in microseconds; ruamel's pure-Python scanner would take seconds
            raise TemplateError("nesting too deep", e.problem_mark.line + 1, e.problem_mark.column + 1) from None
        raise FastParseUnavailable(str(e)) from None
    except (yaml.YAMLError, RecursionError, ValueError) as e:
        raise FastParseUnavailable(str(e)) from None


# a block scalar header that keeps trailing blank lines (`|+`, `>2+`): they are its content
_KEEP_CHOMPING = re.compile(r"(?:^|[\s:])[|>](?:[1-9]?\+|\+[1-9]?)[ \t]*(?:#.*)?\r?$", re.M)

_FAST_LOADER = None


def _fast_loader(base):
    """CSafeLoader whose tag resolution is remembered per plain scalar: libyaml calls back into
    Python's regex-based resolver for every scalar, and templates repeat the same few hundred
    keys and values.  Tags depend only on the text while no path resolvers are registered."""
    global _FAST_LOADER
    if _FAST_LOADER is None:
        from yaml.nodes import ScalarNode as _Scalar

        resolved: dict[str, str] = {}
        plain_resolve = base.resolve

        class Loader(base):
            def resolve(self, kind, value, implicit):
                if kind is _Scalar and implicit[0] and not self.yaml_path_resolvers:
                    tag = resolved.get(value)
                    if tag is None:
                        if len(resolved) > 50_000:
                            resolved.clear()
                        tag = resolved[value] = plain_resolve(self, kind, value, implicit)
                    return tag
                return plain_resolve(self, kind, value, implicit)

        _FAST_LOADER = Loader
    return _FAST_LOADER


# ---- JSON detection tree ------------------------------------------------------------------
# A JSON template is read by the json module's C scanner straight into nodes of the same
# classes and tags libyaml would produce; their source positions are found only when a rule
# asks for one (a finding's line), by composing the text with libyaml once and pairing the
# two trees.  Most files have nothing to fix and never pay for that.

_STR, _INT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_CONSTANTS = {True: ("tag:yaml.org,2002:bool", "true"), False: ("tag:yaml.org,2002:bool", "false"),
              None: ("tag:yaml.org,2002:null", "null")}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


class _Unusual(Exception):
    """Something the JSON reader leaves to libyaml (duplicate keys, deep nesting, ...)."""


class _Mark:
    """A source position, as libyaml's and ruamel's marks give it (0-based); the line and
    column are worked out from the index when read."""

    __slots__ = ("index", "_starts")

    def __init__(self, index: int, starts: list[int]):
        self.index, self._starts = index, starts

    @property
    def line(self) -> int:
        return bisect.bisect_right(self._starts, self.index) - 1

    @property
    def column(self) -> int:
        return self.index - self._starts[self.line]

    def __repr__(self) -> str:
        return f"line {self.line + 1}, column {self.column + 1}"


# JSON tokens: a string (escapes included), a bracket, or a bare literal (number, true, ...);
# commas and colons match nothing, so finditer steps over them
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]|[^\s{}\[\]:,"]+')


class _Positions:
    """Fills in the positions of a JSON detection tree on first use: one pass over the text's
    tokens (found by a regular expression) in step with the tree, which has the same order.
    Nodes get their start and end index; marks are made from them when read."""

    __slots__ = ("text", "root", "done", "starts")

    def __init__(self, text: str):
        self.text, self.root, self.done, self.starts = text, None, False, None

    def mark(self, index: int) -> _Mark:
        if self.starts is None:
            self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return _Mark(index, self.starts)

    def fill(self) -> None:
        if self.done:
            return
        self.done = True
        tokens = _JSON_TOKEN.finditer(self.text)
        nxt = tokens.__next__
        out_of_step = FastParseUnavailable("JSON tokens out of step")

        def place(node, m) -> None:
            d = node.__dict__
            d["_s"] = m.start()
            first = m.group()
            kind = type(node)
            if kind is _JMapping:
                if first != "{":
                    raise out_of_step
                for k, v in node.value:
                    km = nxt()
                    k.__dict__["_s"], k.__dict__["_e"] = km.span()
                    place(v, nxt())
                close = nxt()
                if close.group() != "}":
                    raise out_of_step
                d["_e"] = close.end()
            elif kind is _JSequence:
                if first != "[":
                    raise out_of_step
                for v in node.value:
                    place(v, nxt())
                close = nxt()
                if close.group() != "]":
                    raise out_of_step
                d["_e"] = close.end()
            elif first in ("{", "}", "[", "]"):
                raise out_of_step
            else:
                d["_e"] = m.end()

        try:
            place(self.root, nxt())
        except StopIteration:
            raise FastParseUnavailable("JSON ended early") from None


class _Marks:
    """`start_mark` / `end_mark` of a JSON detection node: made from its position, which the
    tree's `_Positions` works out the first time any is asked for; then kept in the instance
    dict, which a non-data descriptor gives way to."""

    def __init__(self, attr: str, key: str):
        self.attr, self.key = attr, key

    def __get__(self, node, owner=None):
        if node is None:
            return self
        pos = node._pos
        pos.fill()
        try:
            index = node.__dict__[self.key]
        except KeyError:
            raise FastParseUnavailable("no position for this node") from None
        mark = node.__dict__[self.attr] = pos.mark(index)
        return mark


# the detection tree's node classes: libyaml's, with positions found on demand
class _JScalar(_pyyaml_nodes.ScalarNode):
    start_mark, end_mark = _Marks("start_mark", "_s"), _Marks("end_mark", "_e")

    def __init__(self, tag, value, style, pos):
        self.tag, self.value, self.style, self._pos = tag, value, style, pos


class _JMapping(_pyyaml_nodes.MappingNode):
    start_mark, end_mark = _Marks("start_mark", "_s"), _Marks("end_mark", "_e")

    def __init__(self, value, pos, height):
        self.tag, self.value, self.flow_style, self._pos, self._h = _MAP, value, True, pos, height


class _JSequence(_pyyaml_nodes.SequenceNode):
    start_mark, end_mark = _Marks("start_mark", "_s"), _Marks("end_mark", "_e")

    def __init__(self, value, pos, height):
        self.tag, self.value, self.flow_style, self._pos, self._h = _SEQ, value, True, pos, height


def compose_json(text: str) -> Node:
    """The detection tree of a JSON template, without positions until one is asked for.
    Raises TemplateError for invalid JSON, `_Unusual` for what libyaml should judge."""
    if "\\u" in text and _SURROGATE_ESCAPE.search(text):
        raise _Unusual("surrogate escapes")
    pos = _Positions(text)
    resolve = _number_resolver()

    def node(v):
        t = type(v)
        if t is str:
            return _JScalar(_STR, v, '"', pos)
        if t is _JMapping or t is _JScalar:
            return v
        if t is list:
            items = [node(x) for x in v]
            h = max((getattr(x, "_h", 0) for x in items), default=0) + 1
            if h > MAX_DEPTH:
                raise _Unusual("deep")
            return _JSequence(items, pos, h)
        tag, value = _CONSTANTS[v]
        return _JScalar(tag, value, "", pos)  # libyaml gives plain scalars style ""

    def mapping(pairs):
        value, h, keys = [], 0, set()
        for k, v in pairs:
            if k in keys:
                raise _Unusual("duplicate key")
            keys.add(k)
            n = node(v)
            value.append((_JScalar(_STR, k, '"', pos), n))
            nh = getattr(n, "_h", 0)
            if nh > h:
                h = nh
        if h >= MAX_DEPTH:
            raise _Unusual("deep")
        return _JMapping(value, pos, h + 1)

    def number(s):
        return _JScalar(resolve(s), s, "", pos)

    def constant(s):
        raise _Unusual(f"JSON constant {s}")

    try:
        root = json.loads(text, object_pairs_hook=mapping, parse_int=number, parse_float=number,
                          parse_constant=constant)
    except json.JSONDecodeError as e:
        raise TemplateError(f"invalid JSON: {e.msg}", e.lineno, e.colno) from None
    except RecursionError:
        raise _Unusual("deep") from None
    pos.root = root = node(root)
    return root


def _number_resolver():
    from yaml.resolver import Resolver

    resolver = Resolver()
    return lambda s: resolver.resolve(_pyyaml_nodes.ScalarNode, s, (True, False))


class Document:
    """A parsed CloudFormation template: source text, root node, and the file's style.

    `fast=True` composes with libyaml for detection only; edits are always computed on the
    round-trip (ruamel) tree."""

    def __init__(self, text: str, *, bom: bool = False, fast: bool = False):
        self.text = text
        self.bom = bom
        self.fast = fast
        self.is_json = looks_like_json(text)
        root = None
        #: some node is reached through two paths (YAML aliases)
        self.aliased = False
        json_error: TemplateError | None = None
        if self.is_json:
            try:
                if fast:
                    root = compose_json(text)  # checked too: valid JSON, no duplicate keys
                else:
                    _check_json(text)
            except _Unusual:
                pass
            except TemplateError as e:
                # Not JSON, but perhaps YAML in JSON's clothes (a trailing comma, a comment):
                # CloudFormation and cfn-lint read such a template as YAML, and so does autofix.
                # Its edits stay in JSON's style; a file YAML cannot read either gets the JSON error.
                json_error = e
        if root is None:
            if self.is_json and fast and json_error is None:
                _check_json(text)
            try:
                root = compose_fast(text) if fast else compose(text)
            except TemplateError:
                if json_error is not None:
                    raise json_error from None
                raise
            if root is None or not isinstance(root, MAPPING_TYPES):
                raise NotATemplate("no top-level mapping")
            if _check_duplicates(root, text):  # the document uses aliases
                self.aliased = True
                _check_expansion(root, min(MAX_NODES, 10_000 + 2 * len(text)))
        elif not isinstance(root, MAPPING_TYPES):
            raise NotATemplate("no top-level mapping")
        self.root: MappingNode = root
        resources = mapping_get(root, "Resources")
        if resources is None:
            raise NotATemplate("no Resources section")
        if not isinstance(resources, MAPPING_TYPES):
            raise TemplateError(
                "Resources is not a mapping", resources.start_mark.line + 1, resources.start_mark.column + 1
            )
        self.resources_node: MappingNode = resources
        self.newline = "\r\n" if "\r\n" in text[: text.find("\n") + 1 or len(text)] else "\n"
        self._style: _Style | None = None
        self._plain: Any = None
        self._lines: list[int] | None = None
        self._resource_index: dict | None = None  # logical id -> (key, node): nodes only, no cycle
        #: per-parse memo for data several rules derive from the same tree (e.g. all references)
        self.memo: dict = {}

    # ---- reading ---------------------------------------------------------------------------
    @property
    def plain(self) -> Any:
        if self._plain is None:
            # a node takes at least two characters of text, so a document that expands to
            # many more nodes than that is an alias bomb ("billion laughs"): refuse it early
            budget = min(MAX_NODES, 10_000 + 2 * len(self.text))
            self._plain = to_plain(self.root, [budget])
        return self._plain

    def section(self, name: str) -> Node | None:
        return mapping_get(self.root, name)

    def resources(self) -> Iterator["Resource"]:
        found = self.memo.get("resources")
        if found is None:  # made once per parse: the tree never changes, edits make a new one
            found = self.memo["resources"] = [
                Resource(self, k.value, k, v) for k, v in self.resources_node.value
                if isinstance(k, SCALAR_TYPES) and isinstance(v, MAPPING_TYPES)
            ]
        return iter(found)

    def resource(self, logical_id: str) -> "Resource | None":
        found = self.resource_node(logical_id)
        return None if found is None else Resource(self, logical_id, *found)

    def resource_node(self, logical_id: str) -> "tuple[ScalarNode, MappingNode] | None":
        """(key node, mapping node) of a resource, by a dict look-up (a fix on each of 10,000
        resources must not scan the section each time)."""
        if self._resource_index is None:
            self._resource_index = {
                k.value: (k, v) for k, v in reversed(self.resources_node.value)  # the first of a key wins
                if isinstance(k, SCALAR_TYPES) and isinstance(v, MAPPING_TYPES)
            }
        return self._resource_index.get(logical_id)

    def line_text(self, line: int) -> str:
        """The 1-based line's text without its line ending."""
        starts = self.line_starts()
        if line < 1 or line > len(starts):
            return ""
        start = starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)].rstrip("\r")

    def line_starts(self) -> list[int]:
        if self._lines is None:
            self._lines = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return self._lines

    @property
    def style(self) -> "_Style":
        if self._style is None:
            self._style = _Style.detect(self)
        return self._style

    # ---- editing ---------------------------------------------------------------------------
    def replace(self, node: Node, value: Any) -> Edit:
        """Replace a value node (scalar or collection) by `value`, in the node's own style."""
        if isinstance(node, SCALAR_TYPES) and not isinstance(value, (Tagged, dict, list)):
            return Edit(node.start_mark.index, node.end_mark.index, self.render_scalar(value, like=node))
        indent = self._value_indent(node)
        text = self.render_value(value, indent=indent, inline=True, flow=self._in_flow(node))
        return Edit(node.start_mark.index, self._node_end(node), text)

    def insert_key(self, mapping: MappingNode, key: str, value: Any, *, after: str | None = None,
                   before: str | None = None) -> Edit:
        """Add `key: value` to a mapping, after the entry `after` (default: the last entry)."""
        return self.insert_entries(mapping, [(key, value)], after=after, before=before)

    def insert_entries(self, mapping: MappingNode, entries: list[tuple[str, Any]], *, after: str | None = None,
                       before: str | None = None) -> Edit:
        """Add entries to a mapping in one edit, after the entry `after` (default: the last), or
        before the entry `before`; new keys take the indentation and quoting of their siblings."""
        if not isinstance(mapping, MAPPING_TYPES):
            raise TypeError("insert_entries needs a mapping node")
        if self._is_flow(mapping):
            return self._insert_flow(mapping, entries, after=after)
        items = mapping.value
        key_col = items[0][0].start_mark.column if items else mapping.start_mark.column
        like = items[0][0] if items else None
        bodies = [" " * key_col + self._render_entry(k, v, key_col, like_key=like) for k, v in entries]
        bk = mapping_key(mapping, before) if before is not None else None
        if bk is not None and self._starts_line(bk):
            pos = bk.start_mark.index - bk.start_mark.column
            return Edit(pos, pos, "".join(b + self.newline for b in bodies))
        idx = len(items) - 1
        if after is not None:
            for i, (k, _) in enumerate(items):
                if k.value == after:
                    idx = i
        pos = self._entry_end(items[idx][1]) if items else mapping.end_mark.index
        return Edit(pos, pos, "".join(self.newline + b for b in bodies))

    def remove_key(self, mapping: MappingNode, key: str) -> Edit:
        """Remove `key` and its value from a mapping, with its whole lines in block style."""
        pairs = mapping.value
        for i, (k, v) in enumerate(pairs):
            if k.value == key:
                break
        else:
            raise KeyError(key)
        if self._is_flow(mapping):
            start = k.start_mark.index
            end = self._node_end(v)
            if i + 1 < len(pairs):  # remove through the next key's start
                end = pairs[i + 1][0].start_mark.index
                start = self._flow_key_start(k)
            elif i > 0:  # last entry: remove from the previous value's end
                start = self._node_end(pairs[i - 1][1])
            else:
                start = self._flow_key_start(k)
            return Edit(start, end)
        line_start = k.start_mark.index - k.start_mark.column
        if not self.text[line_start : k.start_mark.index].strip() == "":
            # key shares its line with something (`- Key: x`): remove from the key only
            line_start = k.start_mark.index
        end = self._entry_end(v)
        nl = self.text.find("\n", end)
        end = len(self.text) if nl < 0 else nl + 1
        if line_start == k.start_mark.index and i + 1 < len(pairs):
            end = pairs[i + 1][0].start_mark.index
        return Edit(line_start, end)

    def move_entries(self, mapping: MappingNode, keys: list[str], into: str) -> list[Edit]:
        """Move the entries `keys` of a mapping into its mapping-valued entry `into`, or into
        a new one written where the first moved entry stood.  Each entry keeps its own text
        (tags, quotes, comments on its lines), indented one level deeper.  ValueError when the
        layout does not allow it: `into` not a non-empty mapping in the same style, a block
        entry that shares its line with something else, YAML aliases in the template (text
        moved past its anchor or alias would break them), comments inside a multi-line flow
        mapping, or block scalars whose lines re-indenting could change (`|+` kept blank
        lines, whitespace-only lines with tabs)."""
        pairs = [(k, v) for k, v in mapping.value if is_scalar(k) and k.value in keys]
        if not pairs:
            raise KeyError(keys)
        if self.aliased:
            raise ValueError("the template uses YAML aliases")
        target = mapping_get(mapping, into)
        flow = self._is_flow(mapping)
        if target is not None and (not isinstance(target, MAPPING_TYPES) or not target.value
                                   or self._is_flow(target) != flow or intrinsic(target) is not None):
            raise ValueError(f"{into} is not a mapping the entries can join")
        if flow:
            edits = self._move_flow(mapping, pairs, into, target)
        else:
            if not all(self._starts_line(k) for k, _ in pairs) or (
                    target is not None and not self._starts_line(target.value[0][0])):
                raise ValueError("an entry shares its line with another")
            edits = self._move_block(mapping, pairs, into, target)
        # edits that touch become one (an insertion where a removal starts, neighbouring lines)
        edits.sort(key=lambda e: (e.start, e.end))
        out: list[Edit] = []
        for e in edits:
            if out and out[-1].end == e.start:
                out[-1] = Edit(out[-1].start, e.end, out[-1].content + e.content)
            else:
                out.append(e)
        last = out[-1]
        if not flow and last.end == len(self.text) and not self.text.endswith("\n"):
            # the file ends without a line break: so does the result
            nl = self.newline
            if last.content.endswith(nl):
                out[-1] = Edit(last.start, last.end, last.content[: -len(nl)])
            elif not last.content and self.text.endswith(nl, 0, last.start) and (
                    len(out) < 2 or out[-2].end <= last.start - len(nl)):
                out[-1] = Edit(last.start - len(nl), last.end)
        return out

    def _move_block(self, mapping: MappingNode, pairs: list, into: str, target: MappingNode | None) -> list[Edit]:
        nl = self.newline
        col = pairs[0][0].start_mark.column
        spans = [self._with_comments_above(self.remove_key(mapping, k.value), col) for k, _ in pairs]
        shift = self.style.indent if target is None else target.value[0][0].start_mark.column - col
        for e in spans:
            text = self.text[e.start : e.end]
            if _KEEP_CHOMPING.search(text) or re.search(r"^[ \t]*\t[ \t]*\r?$", text, re.M):
                raise ValueError("a block scalar whose text re-indenting could change")
        if target is not None:
            last = self._last_leaf(target)
            if isinstance(last, SCALAR_TYPES) and last.style in ("|", ">") and _KEEP_CHOMPING.search(
                    self.text[last.start_mark.index : self.text.find("\n", last.start_mark.index)]):
                raise ValueError(f"{into} ends with a block scalar that keeps its trailing lines")

        def moved(e: Edit) -> str:
            text = self.text[e.start : e.end]
            if not text.endswith("\n"):
                text += nl
            # every line but the empty ones: whitespace-only lines of a block scalar are content
            return "".join(" " * shift + line if line.strip("\r\n") else line for line in text.splitlines(True))

        body = "".join(moved(e) for e in spans)
        if target is None:
            first = spans[0]
            if not self.text[first.start : first.end].endswith("\n"):
                body = body[: -len(nl)]
            head = " " * col + self.render_scalar(into, like=pairs[0][0] if pairs[0][0].style else None) + ":" + nl
            return [Edit(first.start, first.end, head + body)] + [Edit(e.start, e.end) for e in spans[1:]]
        end = self._entry_end(target.value[-1][1])
        if end >= len(self.text):
            pos, body = end, nl + body[: -len(nl)]
        else:
            pos = self.text.index("\n", end) + 1
        return [Edit(pos, pos, body)] + [Edit(e.start, e.end) for e in spans]

    def _with_comments_above(self, span: Edit, col: int) -> Edit:
        """A block entry's lines with the comment lines right above it at its own column: what
        a person wrote about the entry moves with it."""
        start = span.start
        while start > 0:
            prev = self.text.rfind("\n", 0, start - 1) + 1
            line = self.text[prev:start].rstrip("\r\n")
            if not (line[:col].strip() == "" and line[col : col + 1] == "#"):
                break
            start = prev
        return Edit(start, span.end, span.content)

    def _move_flow(self, mapping: MappingNode, pairs: list, into: str, target: MappingNode | None) -> list[Edit]:
        nl = self.newline
        items = mapping.value
        multiline = len({k.start_mark.line for k, _ in items}) > 1 or items[0][0].start_mark.line != mapping.start_mark.line
        if multiline and not self.is_json and re.search(
                r"(?:^|\s)#", self.text[mapping.start_mark.index : self._node_end(mapping)]):
            raise ValueError("comments inside a flow mapping")
        k0 = pairs[0][0]
        gone = {id(k) for k, _ in pairs} - ({id(k0)} if target is None else set())
        removals = []
        leading = True  # removed from the first entry on: each goes up to the next key
        for i, (k, v) in enumerate(items):
            if id(k) not in gone:
                leading = False
            elif leading:
                removals.append(Edit(k.start_mark.index, items[i + 1][0].start_mark.index))
            else:  # with the comma before it
                removals.append(Edit(self._node_end(items[i - 1][1]), self._node_end(v)))
        if target is None:
            line = self.line_text(k0.start_mark.line + 1)
            indent = line[: k0.start_mark.column] if line[: k0.start_mark.column].strip() == "" else " " * k0.start_mark.column
            texts = [self.text[k.start_mark.index : self._node_end(v)] for k, v in pairs]
            name = self.render_scalar(into, like=k0 if k0.style else None, flow=True)
            if multiline:
                unit = "\t" if indent[:1] == "\t" else " " * self.style.indent  # tab-indented JSON stays so
                inner = indent + unit
                texts = [t.replace("\n", "\n" + unit) for t in texts]
                new = f"{name}: {{{nl}{inner}" + f",{nl}{inner}".join(texts) + f"{nl}{indent}}}"
            else:
                new = f"{name}: {{" + ", ".join(texts) + "}"
            return [Edit(k0.start_mark.index, self._node_end(pairs[0][1]), new)] + removals
        tk = target.value[0][0]
        tline = self.line_text(tk.start_mark.line + 1)
        tindent = tline[: tk.start_mark.column] if tline[: tk.start_mark.column].strip() == "" else " " * tk.start_mark.column
        sep = f",{nl}{tindent}" if multiline else ", "
        pad = tindent[:1] if tindent[:1] == "\t" else " "
        body = "".join(sep + self.text[k.start_mark.index : self._node_end(v)].replace(
            "\n", "\n" + pad * max(tk.start_mark.column - k.start_mark.column, 0)) for k, v in pairs)
        pos = self._node_end(target.value[-1][1])
        return [Edit(pos, pos, body)] + removals

    def remove_item(self, seq: SequenceNode, index: int) -> Edit:
        """Remove one item from a sequence (block: its lines; flow: with its comma)."""
        items = seq.value
        item = items[index]
        if self._is_flow(seq):
            if index + 1 < len(items):
                return Edit(self._flow_item_start(item), self._flow_item_start(items[index + 1]))
            if index > 0:
                return Edit(self._node_end(items[index - 1]), self._node_end(item))
            return Edit(self._flow_item_start(item), self._node_end(item))
        dash = self.text.rfind("-", 0, item.start_mark.index)
        line_start = self.text.rfind("\n", 0, dash) + 1
        end = self._entry_end(item)
        nl = self.text.find("\n", end)
        end = len(self.text) if nl < 0 else nl + 1
        if self.text[line_start:dash].strip():
            line_start = dash  # nested `- - x`: keep the outer dash
        return Edit(line_start, end)

    # ---- rendering -------------------------------------------------------------------------
    def render_scalar(self, value: Any, like: ScalarNode | None = None, flow: bool = False) -> str:
        if self.is_json:
            return json.dumps(value, ensure_ascii=False)
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return repr(value)
        s = str(value)
        quote = None
        if like is not None and like.style in ("'", '"'):
            quote = like.style
        elif not plain_safe(s, flow=flow):
            quote = self.style.quote
        if quote is None:
            return s
        if quote == "'" and "\n" not in s and not re.search(r"[\x00-\x1f]", s):
            return "'" + s.replace("'", "''") + "'"
        return json.dumps(s, ensure_ascii=False)

    def render_value(self, value: Any, *, indent: int, inline: bool, flow: bool = False) -> str:
        """Render a value that starts after `key: ` (inline) at block indentation `indent`."""
        if self.is_json:
            return self._render_json(value, indent)
        if flow:
            return self._render_flow(value)
        return self._render_block(value, indent)

    def _render_block(self, value: Any, indent: int) -> str:
        step = self.style.indent
        nl = self.newline
        if isinstance(value, Tagged):
            tag = _short_tag(value.fn)
            inner = value.value
            if value.fn == "Fn::GetAtt" and isinstance(inner, list) and all(isinstance(x, str) for x in inner):
                return f"{tag} {'.'.join(inner)}"
            if isinstance(inner, (list, dict)):
                return f"{tag} {self._render_flow(inner)}"
            return f"{tag} {self._render_flow(inner)}"
        if isinstance(value, dict):
            if not value:
                return "{}"
            lines = []
            for k, v in value.items():
                lines.append(" " * (indent + step) + self._render_entry(k, v, indent + step))
            return nl + nl.join(lines)
        if isinstance(value, list):
            if not value:
                return "[]"
            seq_indent = indent + (step if self.style.seq_indented else 0)
            lines = []
            for item in value:
                if isinstance(item, dict) and item and not isinstance(item, Tagged):
                    first = True
                    entry_lines = []
                    for k, v in item.items():
                        prefix = " " * seq_indent + "- " if first else " " * (seq_indent + 2)
                        entry_lines.append(prefix + self._render_entry(k, v, seq_indent + 2))
                        first = False
                    lines.append(nl.join(entry_lines))
                else:
                    lines.append(" " * seq_indent + "- " + self._render_block(item, seq_indent + 2).lstrip(" "))
            return nl + nl.join(lines)
        return self.render_scalar(value)

    def _render_entry(self, key: str, value: Any, key_col: int, like_key: ScalarNode | None = None) -> str:
        """`key: value` for a block mapping whose keys sit at column key_col."""
        k = self.render_scalar(key, like=like_key if like_key is not None and like_key.style else None)
        rendered = self._render_block(value, key_col)
        if rendered.startswith(self.newline):
            return f"{k}:{rendered}"
        return f"{k}: {rendered}"

    def _render_flow(self, value: Any) -> str:
        if isinstance(value, Tagged):
            inner = value.value
            if value.fn == "Fn::GetAtt" and isinstance(inner, list):
                inner = ".".join(inner)
            return f"{_short_tag(value.fn)} {self._render_flow(inner)}"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{self.render_scalar(k, flow=True)}: {self._render_flow(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self._render_flow(v) for v in value) + "]"
        return self.render_scalar(value, flow=True)

    def render_inline(self, value: Any) -> str:
        """A value written on one line: YAML flow with short tags, or compact JSON."""
        if self.is_json:
            return json.dumps(_plainify(value), ensure_ascii=False, separators=(", ", ": "))
        return self._render_flow(value)

    def _render_json(self, value: Any, indent: int) -> str:
        v = _plainify(value)
        step = self.style.indent
        if not isinstance(v, (dict, list)) or not v:
            return json.dumps(v, ensure_ascii=False)
        if self.style.json_compact_intrinsics and isinstance(value, Tagged) and not _has_collection(value.value):
            return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))
        out = json.dumps(v, ensure_ascii=False, indent=step)
        pad = " " * indent
        return out.replace("\n", self.newline + pad)

    # ---- positions -------------------------------------------------------------------------
    def _is_flow(self, node: Node) -> bool:
        return self.text[node.start_mark.index : node.start_mark.index + 1] in ("{", "[") or (
            node_tag(node) in SHORT_TAGS and _first_after_tag(self.text, node) in ("{", "[")
        )

    def _in_flow(self, node: Node) -> bool:
        """Whether a node sits inside a flow collection (JSON counts)."""
        if self.is_json:
            return True
        # a cheap test: the nearest unmatched bracket before the node on its line(s)
        depth = 0
        for ch in reversed(self.text[self.line_starts()[node.start_mark.line] : node.start_mark.index]):
            if ch in "]}":
                depth += 1
            elif ch in "[{":
                if depth == 0:
                    return True
                depth -= 1
        return False

    def _value_indent(self, node: Node) -> int:
        """The block indentation of the line the node starts on."""
        line = self.line_text(node.start_mark.line + 1)
        return len(line) - len(line.lstrip(" "))

    def _node_end(self, node: Node) -> int:
        """End of a node's own text (block scalars: without trailing blank lines)."""
        end = node.end_mark.index
        if isinstance(node, SCALAR_TYPES) and node.style in ("|", ">"):
            while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
                end -= 1
        elif isinstance(node, COLLECTION_TYPES) and not self._is_flow(node):
            last = self._last_leaf(node)
            if last is not None:
                return self._node_end(last)
        return end

    def _node_end_line(self, node: Node) -> int:
        """0-based line of a node's last character."""
        end = max(self._node_end(node) - 1, node.start_mark.index)
        return self.text.count("\n", 0, end)

    def _last_leaf(self, node: Node) -> Node | None:
        while isinstance(node, COLLECTION_TYPES) and not self._is_flow(node):
            if not node.value:
                return None
            last = node.value[-1]
            node = last[1] if isinstance(last, tuple) else last
        return node

    def _entry_end(self, value: Node) -> int:
        """Where a block entry ends: after its value's text and any comment on that line,
        before the line break."""
        end = self._node_end(value)
        nl = self.text.find("\n", end)
        if nl < 0:
            return len(self.text)
        return nl - 1 if nl > 0 and self.text[nl - 1] == "\r" else nl

    def _starts_line(self, node: Node) -> bool:
        ls = node.start_mark.index - node.start_mark.column
        return self.text[ls : node.start_mark.index].strip() == ""

    def _flow_key_start(self, k: ScalarNode) -> int:
        return k.start_mark.index

    def _flow_item_start(self, n: Node) -> int:
        return n.start_mark.index

    def _insert_flow(self, mapping: MappingNode, entries: list[tuple[str, Any]], after: str | None) -> Edit:
        items = mapping.value
        def jsonish(v: Any) -> str:
            return json.dumps(_plainify(v), ensure_ascii=False, separators=(", ", ": "))
        if not items:
            close = self.text.rfind("}", mapping.start_mark.index, mapping.end_mark.index)
            body = ", ".join(
                f"{self.render_scalar(k, flow=True)}: {jsonish(v) if self.is_json else self._render_flow(v)}"
                for k, v in entries
            )
            return Edit(close, close, body)
        idx = len(items) - 1
        if after is not None:
            for i, (k, _) in enumerate(items):
                if k.value == after:
                    idx = i
        last_k, last_v = items[idx]
        pos = self._node_end(last_v)
        multiline = len({k.start_mark.line for k, _ in items}) > 1 or items[0][0].start_mark.line != mapping.start_mark.line
        like = items[0][0]
        out = []
        for key, value in entries:
            k = self.render_scalar(key, like=like if like.style else None, flow=True)
            if multiline:
                line = self.line_text(last_k.start_mark.line + 1)
                col = last_k.start_mark.column
                indent_str = line[:col] if line[:col].strip() == "" else " " * col
                v = self.render_value(value, indent=len(indent_str), inline=True, flow=not self.is_json)
                out.append(f",{self.newline}{indent_str}{k}: {v}")
            else:
                v = jsonish(value) if self.is_json else self._render_flow(value)
                out.append(f", {k}: {v}")
        return Edit(pos, pos, "".join(out))




class Resource:
    """One entry of `Resources`: logical id, its key node and its mapping node."""

    def __init__(self, doc: Document, logical_id: str, key: ScalarNode, node: MappingNode):
        self.doc = doc
        self.logical_id = logical_id
        self.key = key
        self.node = node

    @functools.cached_property
    def type(self) -> str | None:
        t = mapping_get(self.node, "Type")
        return t.value if is_plain_scalar(t) else None

    @functools.cached_property
    def properties(self) -> MappingNode | None:
        p = mapping_get(self.node, "Properties")
        return p if isinstance(p, MAPPING_TYPES) else None

    def attribute(self, name: str) -> Node | None:
        """A resource attribute (DeletionPolicy, Metadata, Condition, ...)."""
        return mapping_get(self.node, name)

    def prop(self, name: str) -> Node | None:
        return mapping_get(self.properties, name)

    def prop_value(self, name: str, default: Any = None) -> Any:
        """A property's literal value, or `default` when absent or not a literal."""
        n = self.prop(name)
        return scalar_value(n) if is_plain_scalar(n) else default

    @property
    def path(self) -> tuple:
        return ("Resources", self.logical_id)


def _plainify(v: Any) -> Any:
    if isinstance(v, Tagged):
        return {v.fn: _plainify(v.value)}
    if isinstance(v, dict):
        return {k: _plainify(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plainify(x) for x in v]
    return v


def _has_collection(v: Any) -> bool:
    if isinstance(v, Tagged):
        return True
    if isinstance(v, (dict, list)):
        return any(isinstance(x, (dict, list, Tagged)) for x in (v.values() if isinstance(v, dict) else v))
    return False


def _short_tag(fn: str) -> str:
    for short, long in SHORT_TAGS.items():
        if long == fn:
            return short
    raise ValueError(f"no short form for {fn}")


def _first_after_tag(text: str, node: Node) -> str:
    i = node.start_mark.index
    m = re.compile(r"!\S*\s*").match(text, i)
    return text[m.end() : m.end() + 1] if m else ""


@dataclass
class _Style:
    quote: str
    indent: int
    seq_indented: bool  # block sequences under a key indented (`key:\n  - a`) or not (`key:\n- a`)
    json_compact_intrinsics: bool = False

    @classmethod
    def detect(cls, doc: Document) -> "_Style":
        singles = doubles = 0
        steps: dict[int, int] = {}
        seq_in = seq_out = 0
        stack: list[Node] = [doc.root]
        seen = 0
        while stack and seen < 20000:
            n = stack.pop()
            seen += 1
            if isinstance(n, SCALAR_TYPES):
                if n.style == "'":
                    singles += 1
                elif n.style == '"':
                    doubles += 1
            elif isinstance(n, MAPPING_TYPES):
                for k, v in n.value:
                    if isinstance(k, SCALAR_TYPES):
                        if k.style == "'":
                            singles += 1
                        elif k.style == '"':
                            doubles += 1
                    if isinstance(v, MAPPING_TYPES) and v.value and v.value[0][0].start_mark.line > k.start_mark.line:
                        d = v.value[0][0].start_mark.column - k.start_mark.column
                        if d > 0:
                            steps[d] = steps.get(d, 0) + 1
                    if isinstance(v, SEQUENCE_TYPES) and v.value and v.start_mark.line > k.start_mark.line and not doc.is_json:
                        dash_col = v.start_mark.column
                        if dash_col > k.start_mark.column:
                            seq_in += 1
                        else:
                            seq_out += 1
                    stack.append(v)
            elif isinstance(n, SEQUENCE_TYPES):
                stack.extend(n.value)
        if doc.is_json:
            quote = '"'
        else:
            quote = '"' if doubles > singles else "'"
        indent = max(steps, key=lambda s: (steps[s], -s)) if steps else 2
        return cls(quote=quote, indent=indent, seq_indented=seq_in >= seq_out)


# YAML 1.1 and 1.2 implicit types; a plain scalar matching any of these would not read as a string.
_NON_STRING = re.compile(
    r"""^(?:
        [-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
      | [-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
      | [-+]?0[xXoObB][0-9a-fA-F_]+
      | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
      | [-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
      | y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
      | null|Null|NULL|~
      | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*
      | =|<<
    )$""",
    re.X,
)
_PLAIN_OK = re.compile(r"^[A-Za-z0-9_/$.][A-Za-z0-9_./:$()+=@ -]*$")


def plain_safe(s: str, flow: bool = False) -> bool:
    """Whether `s` can be written as a plain scalar and read back as the same string."""
    if not s or s != s.strip() or _NON_STRING.match(s):
        return False
    if not _PLAIN_OK.match(s):
        return False
    if ": " in s or s.endswith(":") or " #" in s or "  " in s:
        return False
    if s[0] in "-" or s[0].isdigit() or (flow and ":" in s):
        return False
    return True
