"""The rule model: one class per rule, with the metadata `autofix rules` and `explain` print.

A rule looks at a parsed document and yields `Fix` values; it never edits anything itself.
Subclass `Rule` (CloudFormation) and set the class attributes; write the docstring in the
sections *What it does / Why / Example / Fix safety* — `autofix explain` prints it.
"""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from autofix.fixes import Applicability, Edit, Fix

if TYPE_CHECKING:
    from autofix.cfn.document import Resource
    from autofix.settings import Settings

ENVIRONMENTS = ("test", "production")


@dataclass
class Context:
    """What a rule sees: the document, the settings, the environment and shared data."""

    doc: Any  # autofix.cfn.document.Document or autofix.cdk.document.CdkDocument
    settings: "Settings"
    path: str | None = None
    _cache: dict = field(default_factory=dict)

    @property
    def environment(self) -> str | None:
        return self.settings.environment

    def section(self, name: str) -> dict:
        """A settings section for rules, e.g. `[lifecycle]`; {} when absent."""
        return self.settings.section(name)

    @cached_property
    def catalog(self):
        from autofix.catalog import load_catalog

        path = self.settings.catalog
        if path and self.settings.source and not os.path.isabs(path):
            path = os.path.join(os.path.dirname(self.settings.source), path)  # relative to its config file
        return load_catalog(path)


class Rule:
    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    source_url: ClassVar[str] = ""
    resource_types: ClassVar[tuple[str, ...]] = ()
    cfn_lint: ClassVar[tuple[str, ...]] = ()
    language: ClassVar[str] = "cfn"  # "cfn" or "cdk"
    #: environments this rule runs in; () means it is right everywhere and always runs
    environments: ClassVar[tuple[str, ...]] = ()
    #: team conventions rather than corrections: run only when selected (ruff's non-default rules)
    opt_in: ClassVar[bool] = False
    #: the applicability of its fixes when it does not vary per fix
    applicability: ClassVar[Applicability] = Applicability.SAFE

    def check(self, ctx: Context) -> Iterable[Fix]:
        raise NotImplementedError

    # ---- helpers ------------------------------------------------------------------------------
    def enabled_for(self, environment: str | None) -> bool:
        return not self.environments or environment in self.environments

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or cls.summary)

    @classmethod
    def info(cls) -> dict:
        return {
            "code": cls.code,
            "name": cls.name,
            "summary": cls.summary,
            "language": cls.language,
            "applicability": cls.applicability.value,
            "environments": list(cls.environments),
            "default": not cls.opt_in,
            "resource_types": list(cls.resource_types),
            "cfn_lint": list(cls.cfn_lint),
            "source_url": cls.source_url,
        }

    def fix(
        self,
        message: str,
        node: Any = None,
        *,
        edits: Iterable[Edit] = (),
        paths: Iterable[tuple] = (),
        resource: "Resource | str | None" = None,
        applicability: Applicability | None = None,
        **kw: Any,
    ) -> Fix:
        """A Fix carrying this rule's metadata and the node's position."""
        line = column = 0
        if node is not None and hasattr(node, "start_mark"):
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
        elif isinstance(node, tuple):
            line, column = node
        rid = getattr(resource, "logical_id", resource)
        kw.setdefault("cfn_lint", self.cfn_lint)
        return Fix(
            rule=self.code,
            name=self.name,
            message=message,
            edits=list(edits),
            paths=list(paths),
            line=line,
            column=column,
            resource=rid,
            applicability=applicability or self.applicability,
            **kw,
        )
