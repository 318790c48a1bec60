from __future__ import annotations

from autofix.cdk.document import CdkDocument
from autofix.rules import Rule
from transforms.cfn._lifecycle import env_setting

from ._common import CDK_LIFECYCLE_DOC, RETAINING, UNKNOWN, CallChange, bool_literal, call_path, describe, removal_policy

BUCKET = "aws_cdk.aws_s3.Bucket"
DEFAULT_POLICY = "RETAIN"  # an s3.Bucket without removal_policy is orphaned when the stack goes


class CdkBucketLifecycle(Rule):
    """
    What it does:
        The CDK side of AF104 / AF106 for `s3.Bucket`:

        - `test`: a retained bucket (`removal_policy=RemovalPolicy.RETAIN`, or no
          `removal_policy`, which CDK treats as RETAIN) gets `RemovalPolicy.DESTROY` plus
          `auto_delete_objects=True`, the CDK way to make a bucket that still holds objects
          deletable.  New arguments follow the call's layout (one per line, or inline).
        - `production`: `RemovalPolicy.DESTROY` becomes `RETAIN`, and `auto_delete_objects=True`
          becomes `False` (CDK refuses auto-deletion on a bucket that is not destroyed, and a
          production bucket's objects must not be emptied by a stack deletion).

        `RemovalPolicy` is written the way the file imports it (`RemovalPolicy.DESTROY`,
        `cdk.RemovalPolicy.DESTROY`); when no import gives access to it, one is added.  Values
        given as variables or expressions, and calls passing `**kwargs`, are left alone.

    Why:
        Retained buckets outlive the test stacks that made them: every CI run leaves an orphaned
        bucket behind.  A production bucket destroyed with its stack is data loss.

    Settings:
        [lifecycle.test]
        bucket-deletion-policy = "Delete"   # or "Retain" to keep test buckets
        [lifecycle.production]
        retain-types = [...]                # AF106's list; without "AWS::S3::Bucket" buckets are left alone

    Example (environment = "test"):
        s3.Bucket(self, "Logs",                         s3.Bucket(self, "Logs",
            removal_policy=RemovalPolicy.RETAIN,  ->        removal_policy=RemovalPolicy.DESTROY,
        )                                                   auto_delete_objects=True,
                                                        )

    Fix safety:
        Safe for the environment it is set for.  `auto_delete_objects=True` adds a custom
        resource (a Lambda function) that empties the bucket when it is deleted.
    """

    code = "AF504"
    name = "cdk-bucket-lifecycle"
    summary = "CDK S3 buckets: destroyed with their objects in test, retained in production"
    source_url = CDK_LIFECYCLE_DOC
    resource_types = ("AWS::S3::Bucket",)
    language = "cdk"
    environments = ("test", "production")

    def check(self, ctx):
        env = ctx.environment
        if env == "test":
            if env_setting(ctx, "test", "bucket-deletion-policy", "Delete", ("Delete", "Retain")) != "Delete":
                return
        else:
            from transforms.cfn.production_stateful_retain import DEFAULT_TYPES

            if "AWS::S3::Bucket" not in env_setting(ctx, "production", "retain-types", DEFAULT_TYPES):
                return
        doc: CdkDocument = ctx.doc
        for name, call in doc.calls_to([BUCKET]):
            policy_arg = doc.keyword(call, "removal_policy")
            current = removal_policy(doc, policy_arg.value) if policy_arg is not None else DEFAULT_POLICY
            if current is UNKNOWN:
                continue
            auto_arg = doc.keyword(call, "auto_delete_objects")
            auto = bool_literal(auto_arg.value) if auto_arg is not None else False
            change = CallChange(doc, call)
            if env == "test":
                if current in RETAINING:
                    if policy_arg is not None:
                        change.set_policy(policy_arg, "DESTROY", current)
                    else:
                        change.add_policy("DESTROY")
                elif current != "DESTROY":
                    continue  # SNAPSHOT is not valid for a bucket: not ours to guess
                if auto is not UNKNOWN and auto is not True:
                    if auto_arg is not None:
                        change.set_bool(auto_arg, True)
                    else:
                        change.add("auto_delete_objects", "True", True)
                goal = (
                    "is retained after the stack is deleted" if current in RETAINING
                    else "cannot be deleted while it holds objects"
                )
            else:
                if current == "DESTROY":
                    change.set_policy(policy_arg, "RETAIN", current)
                elif current not in RETAINING:
                    continue
                if auto is True:
                    change.set_bool(auto_arg, False)
                goal = "would be deleted with its objects"
            if not change:
                continue
            edits = change.all_edits()
            if edits is None:
                continue
            cid = doc.construct_id(call)
            notes = []
            if env == "test":
                notes.append("auto_delete_objects adds a custom resource that empties the bucket before CloudFormation deletes it")
            yield self.fix(
                f"{env} bucket {describe(name, cid)} {goal}: {change.summary()}",
                doc.where(call), edits=edits, paths=[call_path(doc, call) + (k,) for k in change.keywords],
                resource=cid, before="; ".join(change.before), after="; ".join(change.after), notes=notes,
            )
