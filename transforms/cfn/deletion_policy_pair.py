from autofix.cfn.document import is_plain_scalar
from autofix.rules import Rule

from ._lifecycle import POLICY_DOC, Change

# UpdateReplacePolicy has no RetainExceptOnCreate; its nearest equivalent is Retain.
_PAIR = {
    "DeletionPolicy": {"Retain": "Retain", "RetainExceptOnCreate": "Retain", "Snapshot": "Snapshot"},
    "UpdateReplacePolicy": {"Retain": "Retain", "Snapshot": "Snapshot"},
}
_EXEMPT = ("AWS::Lambda::Version", "AWS::Lambda::LayerVersion")  # cfn-lint exempts these too


class DeletionPolicyPair(Rule):
    """
    What it does:
        When a resource sets only one of `DeletionPolicy` / `UpdateReplacePolicy` to keep the
        resource (Retain or Snapshot), adds the other with the matching value.

    Why:
        `DeletionPolicy` protects a resource when the stack deletes it; `UpdateReplacePolicy`
        when an update replaces it.  With only one of them set, a property change that replaces
        the resource still deletes the old one and its data.  cfn-lint reports this as W3011.

    Example:
        Table:                            Table:
          Type: AWS::DynamoDB::Table        Type: AWS::DynamoDB::Table
          DeletionPolicy: Retain    ->      DeletionPolicy: Retain
                                            UpdateReplacePolicy: Retain

    Fix safety:
        Safe: it only adds protection the template already asked for on deletion.
    """

    code = "AF102"
    name = "deletion-policy-pair"
    summary = "A resource that sets DeletionPolicy or UpdateReplacePolicy to keep data sets both"
    source_url = POLICY_DOC
    cfn_lint = ("W3011",)

    def check(self, ctx):
        for res in ctx.doc.resources():
            if res.type in _EXEMPT:
                continue
            dp, urp = res.attribute("DeletionPolicy"), res.attribute("UpdateReplacePolicy")
            if (dp is None) == (urp is None):
                continue
            have, missing, node = ("DeletionPolicy", "UpdateReplacePolicy", dp) if dp is not None else (
                "UpdateReplacePolicy", "DeletionPolicy", urp)
            if not is_plain_scalar(node):
                continue
            value = _PAIR[have].get(node.value)
            if value is None:
                continue
            change = Change(ctx.doc, res).attributes({missing: value})
            yield self.fix(
                f"{res.logical_id} sets {have}: {node.value} but no {missing}; an update that replaces it "
                f"would still delete its data: add {missing}: {value}",
                node, edits=change.edits, paths=change.paths, resource=res,
                before=f"{missing}: (unset)", after=f"{missing}: {value}",
            )
