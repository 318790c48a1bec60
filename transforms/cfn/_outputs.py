"""Outputs: what a value is, descriptions, export names, groups (AF405-AF408)."""

from __future__ import annotations

import json
from typing import Any, Iterator

from autofix.cfn.document import Document, is_map, mapping_get, to_plain

from ._edits import humanize, parameters, refs_in, resource_types

OUTPUTS_DOC = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html"
EXPORT_MAX = 255
STACK_NAME_MAX = 128


def outputs(doc: Document) -> Iterator[tuple[Any, Any]]:
    """(key node, mapping node) of each output that is a mapping."""
    sec = doc.section("Outputs")
    if not is_map(sec):
        return
    for k, v in sec.value:
        if is_map(v):
            yield k, v


def value_key(plain: Any) -> str:
    """A canonical form of an output value: `!GetAtt Db.Endpoint.Address`, `Fn::GetAtt: [Db,
    Endpoint.Address]` and `!Sub '${Db.Endpoint.Address}'` compare equal."""
    if isinstance(plain, dict) and len(plain) == 1:
        (k, v), = plain.items()
        if k == "Fn::GetAtt":
            if isinstance(v, str):
                v = v.split(".", 1)
            if isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v):
                return f"getatt:{v[0]}.{v[1]}"
        if k == "Fn::Sub" and isinstance(v, str) and v.startswith("${") and v.endswith("}") and v.count("${") == 1:
            inner = v[2:-1]
            return f"getatt:{inner}" if "." in inner else f"ref:{inner}"
        if k == "Ref" and isinstance(v, str):
            return f"ref:{v}"
    return json.dumps(plain, sort_keys=True, default=str)


def describe(doc: Document, name: str, value: Any) -> str:
    """A Description for an output from its name and what its value is."""
    human = humanize(name)
    types = resource_types(doc)
    params = parameters(doc)
    detail = None
    if isinstance(value, dict) and len(value) == 1:
        (k, v), = value.items()
        if k == "Ref" and isinstance(v, str):
            if v in types:
                detail = f"{v} ({types[v]})"
            elif v in params:
                detail = f"parameter {v}"
            elif v.startswith("AWS::"):
                detail = v
        elif k == "Fn::GetAtt":
            parts = v.split(".", 1) if isinstance(v, str) else v
            if isinstance(parts, list) and len(parts) == 2 and all(isinstance(x, str) for x in parts):
                detail = f"{parts[1]} of {parts[0]}"
                if parts[0] in types:
                    detail += f" ({types[parts[0]]})"
        elif k in ("Fn::Sub", "Fn::Join", "Fn::If", "Fn::Select", "Fn::ImportValue"):
            names = list(dict.fromkeys(n for n in refs_in(value) if not n.startswith("AWS::")))
            if names:
                detail = "from " + ", ".join(names[:4]) + (" and more" if len(names) > 4 else "")
    return f"{human}: {detail}" if detail else human


def export_name(name: str) -> str:
    return "${AWS::StackName}-" + name


def export_names(doc: Document) -> set[str]:
    """Canonical forms of the export names the template already uses."""
    out = set()
    for _, out_node in outputs(doc):
        exp = mapping_get(out_node, "Export")
        name = mapping_get(exp, "Name") if is_map(exp) else None
        if name is not None:
            out.add(value_key(to_plain(name)))
    return out


# ---- groups for `[outputs] order = "grouped"` ----------------------------------------------

GROUPS = ("connection", "monitoring", "operations", "identifiers")
_CONNECTION_ATTRS = ("Endpoint.Address", "Endpoint.Port", "ReadEndpoint.Address", "MasterUserSecret.SecretArn",
                     "ConfigurationEndPoint.Address", "PrimaryEndPoint.Address", "RedisEndpoint.Address", "DNSName",
                     "Endpoint", "Arn")


def group_of(doc: Document, name: str, value: Any) -> str:
    """connection (endpoints, ports, credentials), monitoring (consoles, dashboards, alarms,
    logs), operations (commands), identifiers (the rest: ids and ARNs for other stacks)."""
    low = name.lower()
    text = json.dumps(value, default=str).lower()
    if "command" in low or "generate-db-auth-token" in text or text.startswith('{"fn::sub": "aws '):
        return "operations"
    if any(w in low for w in ("dashboard", "alarm", "metric", "cloudwatch", "console", "monitor", "loggroup", "logs")):
        return "monitoring"
    if any(w in low for w in ("endpoint", "port", "secret", "connection", "jdbc", "host", "url", "dns", "password")):
        return "connection"
    key = value_key(value)
    types = resource_types(doc)
    if key.startswith("getatt:"):
        attr = key[len("getatt:"):].split(".", 1)[1] if "." in key else ""
        if any(attr == a for a in _CONNECTION_ATTRS[:-2]):
            return "connection"
    if key.startswith("ref:") and types.get(key[4:]) == "AWS::SecretsManager::Secret":
        return "connection"
    return "identifiers"
