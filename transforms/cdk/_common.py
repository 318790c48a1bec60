"""Shared pieces of the CDK rules: reading literal arguments and collecting the edits of one
construct call into one Fix."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import Any

import libcst as cst

from autofix.catalog import variant_of, version_key
from autofix.cdk.document import CdkDocument
from autofix.fixes import Edit

REMOVAL_POLICY = "aws_cdk.RemovalPolicy"
RETAINING = ("RETAIN", "RETAIN_ON_UPDATE_OR_DELETE")
UNKNOWN = object()  # an argument whose value is not a literal we understand

CDK_LIFECYCLE_DOC = "https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.RemovalPolicy.html"


def bool_literal(node: cst.BaseExpression) -> Any:
    """True / False for the literals, UNKNOWN for anything else (a variable, an expression)."""
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return UNKNOWN


def removal_policy(doc: CdkDocument, node: cst.BaseExpression) -> Any:
    """`RemovalPolicy.RETAIN` however it is imported -> "RETAIN"; UNKNOWN otherwise."""
    if isinstance(node, cst.Attribute):
        name = doc.cdk_name(node)
        if name and name.startswith(REMOVAL_POLICY + ".") and name.count(".") == 2:
            return name.rsplit(".", 1)[1]
    return UNKNOWN


def call_path(doc: CdkDocument, call: cst.Call) -> tuple:
    line, column = doc.where(call)
    return (f"{line}:{column}",)


def describe(call_name: str, construct_id: str | None) -> str:
    short = call_name.split(".", 1)[1] if call_name.startswith("aws_cdk.") else call_name
    return f"{short}({construct_id!r})" if construct_id else short


def _fmt(value: Any) -> str:
    if value is None:
        return "(unset)"
    return str(value)


class CallChange:
    """Edits to one construct call: keyword values replaced in place, missing keywords added
    together in the call's own layout, and an import when a new name needs one."""

    def __init__(self, doc: CdkDocument, call: cst.Call):
        self.doc, self.call = doc, call
        self.edits: list[Edit] = []
        self._added: list[tuple[str, str]] = []
        self._imports: list[Edit] = []
        self.before: list[str] = []
        self.after: list[str] = []
        self.failed = False  # a needed edit could not be made: the fix must not be offered
        self.keywords: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.edits or self._added)

    def replace(self, node: cst.CSTNode, text: str, keyword: str, old: Any, new: Any) -> "CallChange":
        start, end = self.doc.span(node)
        self.edits.append(Edit(start, end, text))
        self._note(keyword, old, new)
        return self

    def set_bool(self, arg: cst.Arg, value: bool) -> "CallChange":
        return self.replace(arg.value, "True" if value else "False", arg.keyword.value, not value, value)

    def set_policy(self, arg: cst.Arg, member: str, old: str) -> "CallChange":
        """`RemovalPolicy.RETAIN` -> `RemovalPolicy.DESTROY`: only the member name changes."""
        assert isinstance(arg.value, cst.Attribute)
        return self.replace(arg.value.attr, member, arg.keyword.value, f"RemovalPolicy.{old}", f"RemovalPolicy.{member}")

    def add(self, keyword: str, text: str, shown: Any = None) -> "CallChange":
        self._added.append((keyword, text))
        self._note(keyword, None, shown if shown is not None else text)
        return self

    def add_policy(self, member: str) -> "CallChange":
        found = self.doc.core_expression("RemovalPolicy")
        if found is None:
            self.failed = True
            return self
        expr, imports = found
        if imports and not self._imports:
            self._imports = imports
        return self.add("removal_policy", f"{expr}.{member}", f"RemovalPolicy.{member}")

    def _note(self, keyword: str, old: Any, new: Any) -> None:
        self.keywords.append(keyword)
        self.before.append(f"{keyword}={_fmt(old)}")
        self.after.append(f"{keyword}={_fmt(new)}")

    def all_edits(self) -> list[Edit] | None:
        """Every edit of the change; None when it cannot be made (the call takes `**kwargs`)."""
        if self.failed:
            return None
        out = list(self.edits)
        if self._added:
            adds = self.doc.add_keywords(self.call, self._added)
            if adds is None:
                return None
            out.extend(adds)
            out.extend(self._imports)
        return out

    def summary(self) -> str:
        return ", ".join(f"{b} -> {a.split('=', 1)[1]}" for b, a in zip(self.before, self.after))


# ---- versions: settings and verdicts (the same semantics as the CloudFormation rules AF201/AF203) --

POLICIES = ("fix-invalid", "latest-minor", "major-only")
#: engines whose version may name a major alone (aws-cdk-lib: PostgresEngineVersion.VER_14, ...)
MAJOR_ONLY_ENGINES = frozenset({"postgres", "mysql", "mariadb"})
SERVICE = {"postgres": "RDS", "mysql": "RDS", "mariadb": "RDS", "aurora-postgresql": "Aurora", "aurora-mysql": "Aurora"}


def versions_section(ctx) -> dict:
    section = ctx.section("versions")
    return section if isinstance(section, dict) else {}


def version_policy(ctx) -> str:
    """`[versions] policy`: fix-invalid (default), latest-minor or major-only."""
    value = versions_section(ctx).get("policy", "fix-invalid")
    if value not in POLICIES:
        raise ValueError(f"[versions] policy must be one of {', '.join(POLICIES)}, not {value!r}")
    return value


def today(ctx) -> _dt.date:
    """`[versions] today = "YYYY-MM-DD"` (to judge dates as of another day, and for tests), else today."""
    value = versions_section(ctx).get("today")
    if value is None:
        return _dt.date.today()
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"[versions] today must be a date (YYYY-MM-DD), not {value!r}") from None


def region(ctx) -> str | None:
    """The region whose availability counts: settings / --region, else AWS_REGION, AWS_DEFAULT_REGION."""
    return ctx.settings.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None


def catalog_label(cat) -> str:
    src = getattr(cat, "source", "") or "catalog"
    when = getattr(cat, "generated_at", "")
    return f"{src}, {when}" if when else src


@dataclass
class Verdict:
    """What the catalog says about one version: status "valid", "older" (available, a newer minor
    is too), "invalid" (deprecated, unknown, or not offered in the region; the major has a valid
    version), "ahead" (unknown but newer than anything the catalog knows in its major),
    "retired" (no valid version of its major), "unknown-major", "not-a-version"."""

    status: str
    engine: str
    value: str
    major: str | None = None
    entry: Any = None
    best: Any = None
    why: str = ""

    def replacement(self, policy: str) -> str:
        if policy == "major-only" and self.engine in MAJOR_ONLY_ENGINES:
            return self.major
        return self.best.version


def judge(cat, engine: str, value: str, region_name: str | None) -> Verdict:
    try:
        major = cat.major_of(engine, value)
    except Exception:
        return Verdict("not-a-version", engine, value)
    service = SERVICE.get(engine, "AWS")
    best = cat.newest_valid(engine, major, region_name, variant=variant_of(value))
    v = Verdict("valid", engine, value, major, cat.find(engine, value, region_name), best)
    if best is None:
        majors = cat.majors(engine)
        if majors and major not in majors and version_key(major) > max(version_key(m) for m in majors):
            v.status, v.why = "unknown-major", f"is newer than any {engine} version the catalog knows"
        else:
            v.status, v.why = "retired", f"belongs to {engine} {major}, of which {service} offers no version any more"
        return v
    if cat.is_major_only(engine, value):
        return v
    entry = v.entry
    if entry is not None and entry.available:
        if version_key(best.version) > version_key(entry.version):
            v.status, v.why = "older", f"is not the newest {engine} {major} version"
        return v
    anywhere = entry or cat.find(engine, value)
    v.status = "invalid"
    if anywhere is not None and anywhere.available:
        v.why = f"is not offered in {region_name}"
    elif anywhere is not None:
        v.why = f"is deprecated ({service} no longer creates new resources with it)"
    elif version_key(value) > version_key(best.version):
        v.status = "ahead"
        v.why = f"is not in the catalog, and newer than its newest {engine} {major} version ({best.version})"
    else:
        v.why = f"is not a {engine} version {service} offers"
    return v


def has_data(cat, engine: str | None) -> bool:
    return bool(engine) and bool(cat.versions(engine))
