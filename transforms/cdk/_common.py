"""Shared pieces of the CDK rules: reading literal arguments and collecting the edits of one
construct call into one Fix."""

from __future__ import annotations

from typing import Any

import libcst as cst

from autofix.catalog import variant_of, version_key
from autofix.catalog.judge import (  # noqa: F401  (one verdict for CloudFormation and CDK)
    MAJOR_ONLY_ENGINES,
    POLICIES,
    SERVICE,
    Verdict,
    catalog_label,
    has_data,
    judge,
    region,
    today,
)
from autofix.catalog.judge import policy as version_policy  # noqa: F401
from autofix.catalog.judge import section as versions_section  # noqa: F401
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


