from autofix.cfn.document import is_plain_scalar
from autofix.rules import Rule

from ._lifecycle import POLICY_DOC, Change


class KmsKeyRetain(Rule):
    """
    What it does:
        Gives every `AWS::KMS::Key` `DeletionPolicy: Retain` and `UpdateReplacePolicy: Retain`,
        in every environment.

    Why:
        Deleting a KMS key (after its waiting period) makes everything encrypted under it
        unreadable for good: snapshots, backups, objects in other stacks.  Keys cost little to
        keep, so even a test stack keeps them.  Generated templates often set `Delete` to make
        stacks "clean up", which is the one resource where that is wrong.

    Example:
        Key:                              Key:
          Type: AWS::KMS::Key               Type: AWS::KMS::Key
          DeletionPolicy: Delete   ->       DeletionPolicy: Retain
                                            UpdateReplacePolicy: Retain

    Fix safety:
        Safe: deletion policies take effect only when the resource is deleted or replaced;
        nothing is replaced by the change.
    """

    code = "AF101"
    name = "kms-key-retain"
    summary = "KMS keys keep DeletionPolicy and UpdateReplacePolicy Retain"
    source_url = POLICY_DOC
    resource_types = ("AWS::KMS::Key",)

    def check(self, ctx):
        for res in ctx.doc.resources():
            if res.type != "AWS::KMS::Key":
                continue
            wanted = {}
            for name, ok in (("DeletionPolicy", ("Retain", "RetainExceptOnCreate")), ("UpdateReplacePolicy", ("Retain",))):
                node = res.attribute(name)
                if node is None or (is_plain_scalar(node) and node.value not in ok):
                    wanted[name] = "Retain"
            change = Change(ctx.doc, res).attributes(wanted) if wanted else None
            if change:
                yield self.fix(
                    f"KMS key {res.logical_id} must survive stack deletion: {change.summary()}",
                    res.key, edits=change.edits, paths=change.paths, resource=res,
                    before="; ".join(change.before), after="; ".join(change.after),
                )
