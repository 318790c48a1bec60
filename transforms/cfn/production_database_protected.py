from autofix.cfn.document import is_plain_scalar
from autofix.rules import Rule

from ._lifecycle import DATABASE_TYPES, Change, env_setting, is_cluster_member, supports_snapshot


class ProductionDatabaseProtected(Rule):
    """
    What it does:
        In a `production` environment, RDS instances and clusters (and DocumentDB / Neptune
        clusters) get `DeletionProtection: true` and `DeletionPolicy` / `UpdateReplacePolicy`
        `Snapshot` (a `Retain` already there is kept).  Never on an instance that belongs to an
        Aurora cluster (`DBClusterIdentifier` set): protection and snapshots belong to the cluster.

    Why:
        A production database deleted by a stack deletion or a replacing update is an outage
        and possibly data loss; deletion protection makes the API refuse, a final snapshot
        keeps the data.

    Settings:
        [lifecycle.production]
        database-deletion-policy = "Snapshot"   # or "Retain"

    Example:
        Db:                                   Db:
          Type: AWS::RDS::DBInstance            Type: AWS::RDS::DBInstance
          Properties:                  ->       DeletionPolicy: Snapshot
            DeletionProtection: false           UpdateReplacePolicy: Snapshot
                                                Properties:
                                                  DeletionProtection: true

    Fix safety:
        Safe: no replacement; deleting the stack later needs protection turned off first,
        which is the point.
    """

    code = "AF105"
    name = "production-database-protected"
    summary = "In production stacks, databases have deletion protection and snapshot on delete"
    source_url = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection"
    resource_types = DATABASE_TYPES
    environments = ("production",)

    def check(self, ctx):
        policy = env_setting(ctx, "production", "database-deletion-policy", "Snapshot", ("Snapshot", "Retain"))
        for res in ctx.doc.resources():
            if res.type not in DATABASE_TYPES or is_cluster_member(res):
                continue
            change = Change(ctx.doc, res)
            wanted = {}
            for name in ("DeletionPolicy", "UpdateReplacePolicy"):
                node = res.attribute(name)
                keep = ("Retain", "RetainExceptOnCreate", "Snapshot") if supports_snapshot(res) else ("Retain", "RetainExceptOnCreate")
                if node is None or (is_plain_scalar(node) and node.value not in keep):
                    wanted[name] = policy if supports_snapshot(res) else "Retain"
            if wanted:
                change.attributes(wanted)
            change.prop("DeletionProtection", True)
            if change:
                yield self.fix(
                    f"production database {res.logical_id} must be protected from deletion: {change.summary()}",
                    res.key, edits=change.edits, paths=change.paths, resource=res,
                    before="; ".join(change.before), after="; ".join(change.after),
                )
