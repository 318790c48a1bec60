from collections import defaultdict

from autofix.cfn.document import intrinsic, is_map, mapping_get
from autofix.fixes import Applicability
from autofix.rules import Rule

from .misspelled_property import _resolve, fits, schema_levels

# Resource attributes written under Properties by mistake: they belong beside it, never inside
# another property, whatever that property's schema calls a setting of its own.
ATTRIBUTES = frozenset({"Condition", "CreationPolicy", "DeletionPolicy", "DependsOn", "Metadata", "Properties",
                        "UpdatePolicy", "UpdateReplacePolicy"})
# Names so common that one alone says nothing about where it belongs (`Name` on an EKS node group
# means its NodegroupName, not its LaunchTemplate's Name): they move only along with a telling one.
GENERIC = frozenset({"Name", "Tags", "Description", "Enabled", "Id", "Arn", "Key", "Value", "Type", "Version",
                     "Status"})


def _object_properties(level) -> dict[str, dict]:
    """The settable properties of a level whose value is a closed object: name -> its schema."""
    out = {}
    props = level.schema["properties"]
    for name in level.names():
        s = _resolve(props[name], level.root)
        if isinstance(s.get("properties"), dict) and s.get("type", "object") == "object":
            out[name] = s
    return out


class MisplacedProperty(Rule):
    """
    What it does:
        Moves a property that is not in the resource type's schema, but is a setting of exactly
        one of its object-valued properties, into that property: a health check's `Type`,
        `ResourcePath` and `FailureThreshold` written next to `HealthCheckConfig` instead of
        inside it.  The entries keep their text (values, tags, comments) one level deeper; the
        object is made where the first of them stood, or the entries join it when it exists.

    Why:
        CloudFormation rejects a template with an unknown property (cfn-lint E3002).  Generated
        templates often flatten one level of nesting; the schema says where each name belongs.

    Example:
        HealthCheck:                             HealthCheck:
          Type: AWS::Route53::HealthCheck          Type: AWS::Route53::HealthCheck
          Properties:                              Properties:
            Type: HTTPS                    ->        HealthCheckConfig:
            ResourcePath: /health                      Type: HTTPS
                                                       ResourcePath: /health

    Fix safety:
        Unsafe: the template could not be deployed as written, but where the value belongs is
        read from the schema, not from the author; check that it means what the nested
        setting means.  Nothing moves when a name could be a misspelling (misspelled-property
        handles it), when it is a setting of several object properties, when its value has
        the wrong shape, when the object already sets it, when a new object would lack a
        property its schema requires, or when every name is a common one (`Name`, `Tags`,
        `Enabled`, ...: alone they say nothing about where they belong); those are reported.
        Resource attributes written under Properties (`DependsOn`, `DeletionPolicy`, ...) are
        never moved into a property.
    """

    code = "AF310"
    name = "misplaced-property"
    summary = "A property that belongs one level down, in the one object property that has it, is moved there"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html"
    cfn_lint = ("E3002",)
    applicability = Applicability.UNSAFE

    def check(self, ctx):
        doc = ctx.doc
        for res, level in schema_levels(ctx):
            objects = None
            groups: dict[str, list] = defaultdict(list)
            for k, v in level.unknown():
                if k.value in ATTRIBUTES:
                    continue
                if level.spelling(res.type, k, v)[0]:
                    continue  # misspelled-property's
                if objects is None:
                    objects = _object_properties(level)
                homes = [n for n, s in objects.items() if k.value in s["properties"]]
                where = "/".join(map(str, level.path[2:] + (k.value,)))
                msg = f"{res.logical_id}: {where} is not a property of {res.type}"
                if len(homes) > 1:
                    yield self.fix(f"{msg}; it is a setting of {' and of '.join(homes)}", k, resource=res,
                                   paths=[level.path + (k.value,)], applicability=Applicability.DISPLAY_ONLY)
                elif homes:
                    groups[homes[0]].append((k, v))
            for home, entries in groups.items():
                yield from self._move(doc, res, level, home, objects[home], entries)

    def _move(self, doc, res, level, home, schema, entries):
        names = [k.value for k, _ in entries]
        paths = [level.path + (n,) for n in names]
        where = "/".join(map(str, level.path[3:]))
        msg = f"{res.logical_id}: {', '.join(names)} {'is' if len(names) == 1 else 'are'} not " \
              f"{'a property' if len(names) == 1 else 'properties'} of {res.type}{' at ' + where if where else ''}"
        existing = mapping_get(level.node, home)
        problem = None
        if all(n in GENERIC for n in names):
            problem = "a name this common alone does not say it belongs there"
        elif existing is not None and (not is_map(existing) or intrinsic(existing) is not None):
            problem = f"{home} is not written as a mapping here"
        elif existing is not None and (clash := sorted(n for n in names if mapping_get(existing, n) is not None)):
            problem = f"{home} sets {', '.join(clash)} already"
        elif not all(fits(v, schema["properties"][k.value], level.root) for k, v in entries):
            problem = "a value does not have the shape the setting asks for"
        elif existing is None and (missing := sorted(set(schema.get("required", [])) - set(names))):
            problem = f"a new {home} would lack {', '.join(missing)}"
        edits = []
        if problem is None:
            try:
                edits = doc.move_entries(level.node, names, home)
            except ValueError as e:
                problem = str(e)
        if problem is not None:
            what = "it is a setting" if len(names) == 1 else "they are settings"
            yield self.fix(f"{msg}; {what} of {home}, but {problem}", entries[0][0], resource=res,
                           paths=paths, applicability=Applicability.DISPLAY_ONLY)
            return
        yield self.fix(
            f"{msg}: moved into {home}, the one property that has {'it' if len(names) == 1 else 'them'}",
            entries[0][0], resource=res, edits=edits, paths=paths + [level.path + (home,)],
            before=", ".join(names), after=home, unsafe_reason=(f"where the value belongs is read from the schema ({home} is the only property with "
                           f"{'this setting' if len(names) == 1 else 'these settings'}), not from the author: "
                           "check that each value means what the nested setting means"),
        )
