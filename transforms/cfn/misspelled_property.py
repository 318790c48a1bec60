import difflib
import re

from autofix import awsdata
from autofix.cfn.document import intrinsic, is_map, is_scalar, is_seq
from autofix.fixes import Applicability, Edit
from autofix.rules import Rule

from ._refs import has_macros

# Renames no spelling rule finds: the name people write means the other property.  Keep this
# tiny; every entry says where the wrong name comes from.
ALIASES: dict[tuple[str, str], str] = {
    # The KMS API reports rotation through GetKeyRotationStatus (and the console shows "Key
    # rotation status"); the CloudFormation property that turns it on is EnableKeyRotation.
    ("AWS::KMS::Key", "KeyRotationStatus"): "EnableKeyRotation",
}

MAX_DEPTH = 12


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap two neighbours)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def candidates(key: str, names: list[str]) -> list[str]:
    """Property names `key` is a misspelling of: a case-insensitive match, else names within a
    couple of typing slips that difflib also finds close."""
    same = [n for n in names if n.lower() == key.lower()]
    if same:
        return same
    close = difflib.get_close_matches(key, names, n=5, cutoff=0.8)
    limit = 1 if len(key) < 8 else 2
    return [n for n in close if edit_distance(key.lower(), n.lower()) <= limit]


# Words that say little about which property is meant ("...Status", "...Rules", "...Config").
GENERIC_WORDS = frozenset(
    "status rule rules config configs configuration configurations setting settings enabled enable "
    "name names list id ids arn type value values property properties detail details spec info".split()
)


def words(name: str) -> frozenset[str]:
    """The words of a CamelCase name, lower case: KeyRotationStatus -> {key, rotation, status}."""
    return frozenset(w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", name))


def related(key: str, names: list[str]) -> list[str]:
    """Property names that contain every telling word of `key`: a name written from another
    place's vocabulary (EgressRules for SecurityGroupEgress, KeyRotationStatus, the KMS API's
    word, for EnableKeyRotation).  Empty when the key has no telling word."""
    core = words(key) - GENERIC_WORDS
    if not core:
        return []
    return [n for n in names if core <= words(n)]


_SHAPES = {"array": "seq", "object": "map", "boolean": "scalar", "string": "scalar", "integer": "scalar",
           "number": "scalar"}


def fits(node, schema: dict, root: dict) -> bool:
    """Whether a value has the shape the schema asks for (a list for an array, a mapping for
    an object, a scalar otherwise); an intrinsic function fits anything."""
    if intrinsic(node) is not None:
        return True
    schema = _resolve(schema, root)
    t = schema.get("type", "object" if "properties" in schema else None)
    shape = _SHAPES.get(t) if isinstance(t, str) else None
    if shape is None:
        return True
    return {"seq": is_seq, "map": is_map, "scalar": is_scalar}[shape](node)


def _dependencies(schema: dict, name: str) -> set[str]:
    """Properties the schema says must be set along with `name` (`dependencies`, or
    `dependentRequired` in newer schemas)."""
    out: set[str] = set()
    for key in ("dependencies", "dependentRequired"):
        deps = schema.get(key)
        if isinstance(deps, dict) and isinstance(deps.get(name), list):
            out.update(x for x in deps[name] if isinstance(x, str))
    return out


def _resolve(schema: dict, root: dict, depth: int = 0) -> dict:
    while isinstance(schema, dict) and "$ref" in schema and depth < MAX_DEPTH:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/definitions/"):
            return {}
        schema = root.get("definitions", {}).get(ref.split("/")[-1], {})
        depth += 1
    return schema if isinstance(schema, dict) else {}


_READ_ONLY: dict = {}


def _read_only(type_name: str, region: str, schema: dict) -> set:
    """Top-level read-only properties of a resource type (attributes, not settable)."""
    key = (type_name, region)
    found = _READ_ONLY.get(key)
    if found is None:
        found = _READ_ONLY[key] = {p.split("/")[2] for p in schema.get("readOnlyProperties", []) if p.count("/") == 2}
    return found


class MisspelledProperty(Rule):
    """
    What it does:
        Renames a resource property that is not in the resource type's schema to the one it
        is a misspelling of: the same name in other letter case (`RoleArn` -> `RoleARN`), or a
        name one or two typing slips away (`SecurityGroupId` is not renamed: both
        `SecurityGroupIds` and `SecurityGroups` are that close).  Nested properties are checked
        against their definitions too.  Only the key changes; its value stays as written.
        A small alias table covers names that mean another property
        (`KeyRotationStatus` -> `EnableKeyRotation` on `AWS::KMS::Key`).

    Why:
        CloudFormation rejects a template with an unknown property (cfn-lint E3002), usually
        after the stack update has started; the intended name is almost always obvious.

    Example:
        Key:                                     Key:
          Type: AWS::KMS::Key                      Type: AWS::KMS::Key
          Properties:                    ->        Properties:
            KeyRotationStatus: true                  EnableKeyRotation: true

    Fix safety:
        Safe when exactly one property matches: the template could not be deployed as
        written, and the value is kept.  With several candidates, or when the intended
        property is already set, the finding is reported without an edit.  Candidates come
        from the resource schemas cfn-lint ships; read-only attributes never are.
    """

    code = "AF305"
    name = "misspelled-property"
    summary = "A property name not in the resource schema is renamed to the one it misspells"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html"
    cfn_lint = ("E3002",)

    def check(self, ctx):
        doc = ctx.doc
        for res, level in schema_levels(ctx):
            node, schema, path = level.node, level.schema, level.path
            present = None
            for k, v in level.unknown():
                key = k.value
                found, by_words = level.spelling(res.type, k, v)
                if not found:
                    continue
                if present is None:
                    present = {x.value for x, _ in node.value if is_scalar(x)}
                where = "/".join(map(str, path[2:]))
                msg = f"{res.logical_id}: {where}/{key} is not a property of {res.type}"
                if len(found) > 1:
                    yield self.fix(f"{msg}; did you mean {' or '.join(found)}?", k, resource=res,
                                   paths=[path + (key,)], applicability=Applicability.DISPLAY_ONLY)
                    continue
                new = found[0]
                needs = _dependencies(schema, new) - present
                if needs:
                    yield self.fix(f"{msg}; did you mean {new}? (it needs {', '.join(sorted(needs))}, which is not set)", k,
                                   resource=res, paths=[path + (key,)], applicability=Applicability.DISPLAY_ONLY)
                    continue
                if new in present:
                    yield self.fix(f"{msg}; {new} is set too, so which one holds is for a person to decide", k,
                                   resource=res, paths=[path + (key,)], applicability=Applicability.DISPLAY_ONLY)
                    continue
                unsafe = {}
                if by_words:
                    shared = ", ".join(sorted(words(key) & words(new)))
                    unsafe = dict(applicability=Applicability.UNSAFE, unsafe_reason=(
                        f"{new} is the only property whose name holds the same words ({shared}), and the value "
                        "has its shape; a guess from the name, not a spelling slip: check that the value means "
                        f"what {new} means"))
                yield self.fix(
                    f"{msg}: renamed to {new}", k, resource=res,
                    edits=[Edit(k.start_mark.index, k.end_mark.index, doc.render_scalar(new, like=k))],
                    paths=[path + (key,), path + (new,)], before=key, after=new, **unsafe,
                )


def spelling(type_name: str, key: str, value, names: list[str], props: dict, root: dict, depth: int) -> tuple[list[str], bool]:
    """The properties an unknown key may be a misspelling of, and whether they were found by
    shared words (a guess) rather than by spelling."""
    alias = ALIASES.get((type_name, key)) if depth == 0 else None
    found = [alias] if alias in names else candidates(key, names)
    if found:
        return found, False
    found = [n for n in related(key, names) if fits(value, props[n], root)]
    return (found if len(found) == 1 else []), True  # several: the words say too little to suggest any


class Level:
    """One mapping of a resource's properties whose schema lists every property it allows."""

    __slots__ = ("node", "schema", "root", "path", "exclude", "depth", "_names", "_spelled")

    def __init__(self, node, schema: dict, root: dict, path: tuple, exclude: set, depth: int):
        self.node, self.schema, self.root, self.path, self.exclude, self.depth = node, schema, root, path, exclude, depth
        self._names = None
        self._spelled: dict = {}

    def spelling(self, type_name: str, key, value) -> tuple[list[str], bool]:
        """`spelling` for an unknown key here, worked out once for the rules that ask."""
        found = self._spelled.get(id(key))
        if found is None:
            found = self._spelled[id(key)] = spelling(type_name, key.value, value, self.names(),
                                                       self.schema["properties"], self.root, self.depth)
        return found

    def unknown(self):
        """(key node, value node) of the entries the schema does not allow."""
        props = self.schema["properties"]
        for k, v in self.node.value:
            if is_scalar(k) and isinstance(k.value, str) and k.value not in props:
                key = k.value
                if not (key.startswith("Fn::") or key == "Ref" or "::" in key):
                    yield k, v

    def names(self) -> list[str]:
        """The settable property names here, sorted."""
        if self._names is None:
            self._names = sorted(n for n in self.schema["properties"] if n not in self.exclude)
        return self._names


def schema_levels(ctx) -> list:
    """(resource, Level) for every closed mapping of every AWS resource's properties, outermost
    first; nothing for a template with macros (they may add or read any property).  Walked once
    per parse for the rules that read it."""
    doc = ctx.doc
    region = ctx.settings.region or awsdata.DEFAULT_REGION
    key = ("schema_levels", region)
    found = doc.memo.get(key)
    if found is None:
        found = doc.memo[key] = [] if has_macros(doc) else list(_all_levels(doc, region))
    return found


def _all_levels(doc, region):
    for res in doc.resources():
        props = res.properties
        if props is None or not res.type or not res.type.startswith("AWS::"):
            continue
        schema = awsdata.resource_schema(res.type, region)
        if schema is None:
            continue
        read_only = _read_only(res.type, region, schema)
        for level in _levels(props, schema, schema, res.path + ("Properties",), read_only, 0):
            yield res, level


def _levels(node, schema, root, path, exclude, depth):
    if depth > MAX_DEPTH or not is_map(node) or intrinsic(node) is not None:
        return
    if (node.tag or "").startswith("!"):
        return  # the argument of a tag CloudFormation does not know (`!Rain::S3 {...}`): not properties
    props = schema.get("properties")
    if not isinstance(props, dict) or schema.get("additionalProperties", True) is not False or schema.get("patternProperties"):
        return
    yield Level(node, schema, root, path, exclude, depth)
    for k, v in node.value:
        if is_scalar(k) and isinstance(k.value, str) and k.value in props:
            yield from _values(v, _resolve(props[k.value], root), root, path + (k.value,), depth + 1)


def _values(node, schema, root, path, depth):
    if depth > MAX_DEPTH or not schema:
        return
    if is_map(node):
        yield from _levels(node, schema, root, path, set(), depth)
    elif is_seq(node) and intrinsic(node) is None and isinstance(schema.get("items"), dict):
        item_schema = _resolve(schema["items"], root)
        for i, item in enumerate(node.value):
            if is_map(item):
                yield from _levels(item, item_schema, root, path + (i,), set(), depth + 1)
