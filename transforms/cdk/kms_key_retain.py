from __future__ import annotations

from autofix.cdk.document import CdkDocument
from autofix.rules import Rule

from ._common import CDK_LIFECYCLE_DOC, RETAINING, UNKNOWN, CallChange, call_path, describe, removal_policy

KEY = "aws_cdk.aws_kms.Key"


class CdkKmsKeyRetain(Rule):
    """
    What it does:
        The CDK side of AF101: a `kms.Key` with `removal_policy=RemovalPolicy.DESTROY` (or any
        other explicit policy that does not retain it) gets `RemovalPolicy.RETAIN`, in every
        environment.  A key without `removal_policy` is already retained (CDK's default) and
        is left alone, as is a policy given as a variable or expression.

    Why:
        Deleting a KMS key (after its waiting period) makes everything encrypted under it
        unreadable for good: snapshots, backups, objects in other stacks.  Keys cost little to
        keep, so even a test stack keeps them.

    Example:
        kms.Key(self, "Key",                           kms.Key(self, "Key",
            removal_policy=RemovalPolicy.DESTROY,  ->      removal_policy=RemovalPolicy.RETAIN,
        )                                              )

    Fix safety:
        Safe: the policy takes effect only when the key is deleted or replaced.
    """

    code = "AF505"
    name = "cdk-kms-key-retain"
    summary = "CDK KMS keys keep RemovalPolicy.RETAIN"
    source_url = CDK_LIFECYCLE_DOC
    resource_types = ("AWS::KMS::Key",)
    language = "cdk"

    def check(self, ctx):
        doc: CdkDocument = ctx.doc
        for name, call in doc.calls_to([KEY]):
            arg = doc.keyword(call, "removal_policy")
            if arg is None:
                continue
            current = removal_policy(doc, arg.value)
            if current is UNKNOWN or current in RETAINING:
                continue
            change = CallChange(doc, call).set_policy(arg, "RETAIN", current)
            cid = doc.construct_id(call)
            yield self.fix(
                f"KMS key {describe(name, cid)} must survive stack deletion: {change.summary()}",
                doc.where(call), edits=change.all_edits(), paths=[call_path(doc, call) + ("removal_policy",)],
                resource=cid, before="; ".join(change.before), after="; ".join(change.after),
            )
