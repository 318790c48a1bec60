"""Shared pieces of the lifecycle rules: resource attributes and properties set to a value."""

from __future__ import annotations

from typing import Any

from autofix.cfn.document import Document, Resource, is_plain_scalar, scalar_value

# Types whose DeletionPolicy may be Snapshot.  Same list as cfn-lint's
# `cfnlint.helpers.valid_snapshot_types` (a test keeps them equal); AWS docs:
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
SNAPSHOT_TYPES = frozenset(
    {
        "AWS::DocDB::DBCluster",
        "AWS::EC2::Volume",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::Neptune::DBCluster",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::Redshift::Cluster",
    }
)

DATABASE_TYPES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster")
POLICY_DOC = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html"


class Change:
    """Edits for one resource, collected before they become one Fix."""

    def __init__(self, doc: Document, res: Resource):
        self.doc, self.res = doc, res
        self._edits: list = []
        self._inserts: dict[tuple, tuple] = {}  # (id(mapping), after) -> (mapping, after, entries)
        self.paths: list[tuple] = []
        self.before: list[str] = []
        self.after: list[str] = []

    def __bool__(self) -> bool:
        return bool(self._edits or self._inserts)

    @property
    def edits(self) -> list:
        """Replacements, plus one insertion per place (entries for the same spot share an edit)."""
        out = list(self._edits)
        for mapping, after, entries in self._inserts.values():
            out.append(self.doc.insert_entries(mapping, entries, after=after))
        return out

    def _insert(self, mapping, entries: list, after: str | None = None) -> None:
        keys = [k.value for k, _ in mapping.value]
        key = (id(mapping), keys.index(after) if after in keys else len(keys) - 1)
        if key in self._inserts:
            self._inserts[key][2].extend(entries)
        else:
            self._inserts[key] = (mapping, after, list(entries))

    def claim(self, *names: str) -> "Change":
        """Declare resource attributes this change decides, even where it writes nothing."""
        self.paths.extend(self.res.path + (n,) for n in names)
        return self

    def attributes(self, wanted: dict[str, Any]) -> "Change":
        """Set resource attributes (DeletionPolicy, ...); missing ones are inserted together."""
        missing = []
        for name, value in wanted.items():
            node = self.res.attribute(name)
            if node is None:
                missing.append((name, value))
            elif is_plain_scalar(node) and scalar_value(node) != value:
                self._edits.append(self.doc.replace(node, value))
                self._note(name, scalar_value(node), value)
        if missing:
            after = "Type"
            for existing in ("DeletionPolicy", "UpdateReplacePolicy"):
                if self.res.attribute(existing) is not None:
                    after = existing
            if self.res.attribute(after) is None:
                after = None
            self._insert(self.res.node, missing, after=after)
            for name, value in missing:
                self._note(name, None, value)
        self.paths.extend(self.res.path + (n,) for n in wanted)
        return self

    def prop(self, name: str, value: Any, *, add: bool = True) -> "Change":
        """Set a literal property; a property given by an intrinsic function is left alone."""
        props = self.res.properties
        node = self.res.prop(name)
        if node is not None:
            if is_plain_scalar(node) and scalar_value(node) != value:
                self._edits.append(self.doc.replace(node, value))
                self._note(name, scalar_value(node), value)
        elif add:
            if props is None:
                self._insert(self.res.node, [("Properties", {name: value})])
            else:
                self._insert(props, [(name, value)])
            self._note(name, None, value)
        self.paths.append(self.res.path + ("Properties", name))
        return self

    def _note(self, name: str, old: Any, new: Any) -> None:
        self.before.append(f"{name}: {_fmt(old)}")
        self.after.append(f"{name}: {_fmt(new)}")

    def summary(self) -> str:
        return ", ".join(f"{b} -> {a.split(': ', 1)[1]}" for b, a in zip(self.before, self.after))


def _fmt(v: Any) -> str:
    if v is None:
        return "(unset)"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def literal_attr(res: Resource, name: str) -> Any:
    node = res.attribute(name)
    return scalar_value(node) if is_plain_scalar(node) else (None if node is None else ...)


def is_cluster_member(res: Resource) -> bool:
    return res.type == "AWS::RDS::DBInstance" and res.prop("DBClusterIdentifier") is not None


def is_read_replica(res: Resource) -> bool:
    return res.type == "AWS::RDS::DBInstance" and (
        res.prop("SourceDBInstanceIdentifier") is not None or res.prop("SourceDBClusterIdentifier") is not None
    )


def supports_snapshot(res: Resource) -> bool:
    return res.type in SNAPSHOT_TYPES and not is_cluster_member(res) and not is_read_replica(res)


def env_setting(ctx, env: str, key: str, default: Any, allowed: tuple | None = None) -> Any:
    section = ctx.section("lifecycle").get(env, {})
    value = section.get(key, default) if isinstance(section, dict) else default
    if allowed is not None and value not in allowed:
        raise ValueError(f"[lifecycle.{env}] {key} must be one of {', '.join(map(str, allowed))}, not {value!r}")
    return value
