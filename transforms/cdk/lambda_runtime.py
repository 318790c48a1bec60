from __future__ import annotations

import datetime as dt

from autofix.catalog import version_key
from autofix.cdk.data import cdk_data
from autofix.cdk.document import CdkDocument, last_name
from autofix.fixes import Applicability, Edit
from autofix.rules import Rule
from . import _common as v

RUNTIME = "aws_cdk.aws_lambda.Runtime."


class CdkLambdaRuntime(Rule):
    """
    What it does:
        Moves `lambda_.Runtime.PYTHON_3_8`, `aws_lambda.Runtime.NODEJS_14_X` and the other
        deprecated Lambda runtime constants of a CDK Python app to their successor of the same
        language (`Runtime.PYTHON_3_14`), as the version catalog lists it, and only to a
        constant aws-cdk-lib has.  References inside `compatible_runtimes=[...]` (layers) are
        left alone: a layer's list describes how it was built.

    Why:
        AWS first stops security patches for a deprecated runtime, then blocks creating
        functions on it, then blocks updating them: a stack that creates a function on a
        blocked runtime fails to deploy.

    Example:
        lambda_.Function(self, "Fn",                 lambda_.Function(self, "Fn",
            runtime=lambda_.Runtime.PYTHON_3_7,  ->      runtime=lambda_.Runtime.PYTHON_3_14,
            ...)                                         ...)

    Settings:
        [versions]
        today = "2027-03-01"   # judge runtime dates as of another day (default: today)

    Fix safety:
        Where AWS already blocks creating functions on the runtime the app cannot deploy as it
        is, so the fix is applied by default (safe).  Where the runtime is only deprecated the
        fix is unsafe, applied with `--unsafe-fixes`: the function's code and dependencies may
        need changes for the new language version.  A move to another runtime family (Go's
        `GO_1_X` to `PROVIDED_AL2023`) is always unsafe: the handler must be rebuilt as a
        `bootstrap` binary.  In a CDK v1 app (`aws_cdk.core`, end of support) the finding is
        reported without a fix: v1 has no constants for current runtimes.
    """

    code = "AF502"
    name = "cdk-lambda-runtime"
    summary = "CDK Lambda functions on a deprecated runtime move to its successor"
    source_url = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtime-support-policy"
    resource_types = ("AWS::Lambda::Function",)
    language = "cdk"
    applicability = Applicability.UNSAFE
    def _successor(self, catalog, rt, today: dt.date):
        data = cdk_data()
        seen = {rt.name}
        name = rt.successor
        while name and name not in seen:
            seen.add(name)
            nxt = catalog.runtime(name)
            if nxt is None:
                break
            if nxt.status(today) == "supported" and data.runtime_constant(nxt.name):
                return nxt
            name = nxt.successor
        family = [
            r for r in catalog.runtimes()
            if r.family == rt.family and r.status(today) == "supported" and data.runtime_constant(r.name)
            and version_key(r.name) > version_key(rt.name)
        ]
        return max(family, key=lambda r: version_key(r.name)) if family else None

    def check(self, ctx):
        doc: CdkDocument = ctx.doc
        data = cdk_data()
        catalog = ctx.catalog
        today = v.today(ctx)
        runtime_names = doc.local_names("Runtime")
        for attr in doc.attributes:
            if last_name(attr.value) not in runtime_names:
                continue  # cheap syntactic filter before resolving imports
            name = doc.cdk_name(attr)
            if not name or not name.startswith(RUNTIME) or name.count(".") != 3:
                continue
            member = attr.attr.value
            value = data.runtimes.get(member)
            if value is None:  # NODEJS_LATEST, FROM_IMAGE, or a constant newer than our data
                continue
            rt = catalog.runtime(value)
            if rt is None:
                continue
            status = rt.status(today)
            if status == "supported" or "compatible_runtimes" in doc.enclosing_keywords(attr):
                continue
            where = doc.where(attr)
            if status == "blocked":
                when = f"can no longer be used to create functions (blocked since {rt.block_create})"
            else:
                when = f"is deprecated since {rt.deprecated}" + (
                    f"; creating functions on it is blocked from {rt.block_create}" if rt.block_create else ""
                )
            target = self._successor(catalog, rt, today)
            if target is not None and doc.uses_cdk_v1:
                yield self.fix(
                    f"Runtime.{member} ({value}) {when}: this CDK v1 app (aws_cdk.core) has no constant for "
                    f"{target.name}; move the app to aws-cdk-lib v2, then use Runtime.{data.runtime_constant(target.name)}",
                    where, paths=[("runtime",) + where], applicability=Applicability.DISPLAY_ONLY,
                    before=value, after=target.name,
                )
                continue
            if target is None:
                yield self.fix(
                    f"Runtime.{member} ({value}) {when}; aws-cdk-lib ({data.source}) has no supported successor",
                    where, paths=[("runtime",) + where], applicability=Applicability.DISPLAY_ONLY,
                    before=value,
                )
                continue
            new = data.runtime_constant(target.name)
            start, end = doc.span(attr.attr)
            same_family = target.family == rt.family
            if status == "blocked" and same_family:
                applicability, reason = Applicability.SAFE, None
            elif not same_family:
                applicability = Applicability.UNSAFE
                reason = (
                    f"{value} functions move to the OS-only runtime {target.name}: the handler must be "
                    "built as an executable named `bootstrap`"
                )
            else:
                applicability = Applicability.UNSAFE
                reason = (
                    f"{value} still deploys until {rt.block_create or 'AWS blocks it'}; the code and its "
                    f"dependencies may need changes for {target.name}"
                )
            yield self.fix(
                f"Runtime.{member} ({value}) {when}: use Runtime.{new} ({target.name})",
                where, edits=[Edit(start, end, new)], paths=[("runtime",) + where],
                applicability=applicability, unsafe_reason=reason, before=value, after=target.name,
                notes=[f"test the function on {target.name} before deploying"],
            )
