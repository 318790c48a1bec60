from autofix.cfn.document import is_plain_scalar
from autofix.rules import Rule

from ._lifecycle import POLICY_DOC, Change, env_setting

NON_EMPTY_NOTE = (
    "CloudFormation cannot delete a bucket that still holds objects: empty it first "
    "(e.g. `aws s3 rm s3://BUCKET --recursive`, all versions if versioning is on) or add a cleanup step to CI"
)


class TestBucketDeletable(Rule):
    """
    What it does:
        In a `test` environment, an `AWS::S3::Bucket` with `DeletionPolicy` / `UpdateReplacePolicy`
        `Retain` gets `Delete` for both.

    Why:
        Retained buckets outlive the test stacks that made them: every CI run leaves an orphaned
        bucket behind, which costs money and eventually hits the account's bucket limit.

    Settings:
        [lifecycle.test]
        bucket-deletion-policy = "Delete"   # or "Retain" to keep test buckets

    Example:
        Logs:                              Logs:
          Type: AWS::S3::Bucket              Type: AWS::S3::Bucket
          DeletionPolicy: Retain     ->      DeletionPolicy: Delete
          UpdateReplacePolicy: Retain        UpdateReplacePolicy: Delete

    Fix safety:
        Safe in a test environment; the report notes that a bucket must be empty before
        CloudFormation can delete it.
    """

    code = "AF104"
    name = "test-bucket-deletable"
    summary = "In test stacks, S3 buckets are deleted with the stack instead of retained"
    source_url = POLICY_DOC
    resource_types = ("AWS::S3::Bucket",)
    environments = ("test",)

    def check(self, ctx):
        policy = env_setting(ctx, "test", "bucket-deletion-policy", "Delete", ("Delete", "Retain"))
        if policy != "Delete":
            return
        for res in ctx.doc.resources():
            if res.type != "AWS::S3::Bucket":
                continue
            wanted = {}
            for name in ("DeletionPolicy", "UpdateReplacePolicy"):
                node = res.attribute(name)
                if is_plain_scalar(node) and node.value in ("Retain", "RetainExceptOnCreate"):
                    wanted[name] = "Delete"
            if not wanted:
                continue
            change = Change(ctx.doc, res).attributes(wanted).claim("DeletionPolicy", "UpdateReplacePolicy")
            yield self.fix(
                f"test bucket {res.logical_id} is retained after the stack is deleted: {change.summary()}",
                res.key, edits=change.edits, paths=change.paths, resource=res,
                before="; ".join(change.before), after="; ".join(change.after),
                notes=[NON_EMPTY_NOTE],
            )
