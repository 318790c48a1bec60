from autofix.rules import Rule

from ._lifecycle import DATABASE_TYPES, Change, env_setting, is_cluster_member, supports_snapshot


class TestDatabaseDeletable(Rule):
    """
    What it does:
        In a `test` environment, lets CI delete database stacks: RDS instances and clusters
        (and DocumentDB / Neptune clusters) get `DeletionProtection: false`, and keep or get
        `DeletionPolicy: Snapshot` and `UpdateReplacePolicy: Snapshot` where AWS can take a
        snapshot (not on an instance that belongs to a cluster, not on a read replica).

    Why:
        Generated templates set `DeletionProtection: true` everywhere.  In a test stack that
        makes `delete-stack` fail, leaves the stack in DELETE_FAILED and the database running
        (and billing) until someone cleans up by hand.  A final snapshot keeps the data anyway.

    Settings:
        [lifecycle.test]
        database-deletion-policy = "Snapshot"   # or "Delete" to drop test databases outright

    Example:
        Db:                                   Db:
          Type: AWS::RDS::DBInstance            Type: AWS::RDS::DBInstance
          Properties:                  ->       DeletionPolicy: Snapshot
            DeletionProtection: true            UpdateReplacePolicy: Snapshot
                                                Properties:
                                                  DeletionProtection: false

    Fix safety:
        Safe: neither the policies nor DeletionProtection replace the database.
    """

    code = "AF103"
    name = "test-database-deletable"
    summary = "In test stacks, databases have deletion protection off and snapshot on delete"
    source_url = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection"
    resource_types = DATABASE_TYPES
    environments = ("test",)

    def check(self, ctx):
        policy = env_setting(ctx, "test", "database-deletion-policy", "Snapshot", ("Snapshot", "Delete", "Retain"))
        for res in ctx.doc.resources():
            if res.type not in DATABASE_TYPES or is_cluster_member(res):
                continue
            change = Change(ctx.doc, res)
            wanted = policy if policy != "Snapshot" or supports_snapshot(res) else "Delete"
            if wanted != "Delete" or res.attribute("DeletionPolicy") is not None or res.attribute("UpdateReplacePolicy") is not None:
                change.attributes({"DeletionPolicy": wanted, "UpdateReplacePolicy": wanted})
            change.prop("DeletionProtection", False)
            if change:
                yield self.fix(
                    f"test database {res.logical_id} must be deletable by CI: {change.summary()}",
                    res.key, edits=change.edits, paths=change.paths, resource=res,
                    before="; ".join(change.before), after="; ".join(change.after),
                )
