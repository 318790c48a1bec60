import difflib

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
        if has_macros(doc):
            return
        region = ctx.settings.region or awsdata.DEFAULT_REGION
        for res in doc.resources():
            props = res.properties
            if props is None or not res.type or not res.type.startswith("AWS::"):
                continue
            schema = awsdata.resource_schema(res.type, region)
            if schema is None:
                continue
            read_only = _read_only(res.type, region, schema)
            yield from self._mapping(doc, res, props, schema, schema, res.path + ("Properties",), read_only, 0)

    def _mapping(self, doc, res, node, schema, root, path, exclude, depth):
        if depth > MAX_DEPTH or intrinsic(node) is not None:
            return
        props = schema.get("properties")
        if not isinstance(props, dict) or schema.get("additionalProperties", True) is not False or schema.get("patternProperties"):
            return
        names = None
        present = {k.value for k, _ in node.value if is_scalar(k)}
        for k, v in node.value:
            if not is_scalar(k) or not isinstance(k.value, str):
                continue
            key = k.value
            if key in props:
                yield from self._value(doc, res, v, _resolve(props[key], root), root, path + (key,), depth + 1)
                continue
            if key.startswith("Fn::") or key == "Ref" or "::" in key:
                continue
            if names is None:
                names = sorted(n for n in props if n not in exclude)
            alias = ALIASES.get((res.type, key)) if depth == 0 else None
            found = [alias] if alias in names else candidates(key, names)
            if not found:
                continue
            where = "/".join(map(str, path[2:]))
            msg = f"{res.logical_id}: {where}/{key} is not a property of {res.type}"
            if len(found) > 1:
                yield self.fix(f"{msg}; did you mean {' or '.join(found)}?", k, resource=res,
                               paths=[path + (key,)], applicability=Applicability.DISPLAY_ONLY)
                continue
            new = found[0]
            if new in present:
                yield self.fix(f"{msg}; {new} is set too, so which one holds is for a person to decide", k,
                               resource=res, paths=[path + (key,)], applicability=Applicability.DISPLAY_ONLY)
                continue
            yield self.fix(
                f"{msg}: renamed to {new}", k, resource=res,
                edits=[Edit(k.start_mark.index, k.end_mark.index, doc.render_scalar(new, like=k))],
                paths=[path + (key,), path + (new,)], before=key, after=new,
            )

    def _value(self, doc, res, node, schema, root, path, depth):
        if depth > MAX_DEPTH or not schema:
            return
        if is_map(node):
            yield from self._mapping(doc, res, node, schema, root, path, set(), depth)
        elif is_seq(node) and intrinsic(node) is None and isinstance(schema.get("items"), dict):
            item_schema = _resolve(schema["items"], root)
            for i, item in enumerate(node.value):
                if is_map(item):
                    yield from self._mapping(doc, res, item, item_schema, root, path + (i,), set(), depth + 1)
