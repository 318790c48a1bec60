from __future__ import annotations

from autofix.cdk.document import CdkDocument
from autofix.rules import Rule
from transforms.cfn._lifecycle import env_setting

from ._common import RETAINING, UNKNOWN, CallChange, bool_literal, call_path, describe, removal_policy

# construct -> (its default removal policy, whether deletion protection defaults to on under RETAIN)
DATABASES = {
    "aws_cdk.aws_rds.DatabaseInstance": ("SNAPSHOT", True),
    "aws_cdk.aws_rds.DatabaseInstanceFromSnapshot": ("SNAPSHOT", True),
    "aws_cdk.aws_rds.DatabaseCluster": ("SNAPSHOT", True),
    "aws_cdk.aws_rds.DatabaseClusterFromSnapshot": ("SNAPSHOT", True),
    "aws_cdk.aws_rds.ServerlessCluster": ("SNAPSHOT", True),
    "aws_cdk.aws_rds.ServerlessClusterFromSnapshot": ("SNAPSHOT", True),
    "aws_cdk.aws_docdb.DatabaseCluster": ("RETAIN", False),
}
POLICY_MEMBER = {"Snapshot": "SNAPSHOT", "Delete": "DESTROY", "Retain": "RETAIN"}


class CdkDatabaseLifecycle(Rule):
    """
    What it does:
        The CDK side of AF103 / AF105, for `rds.DatabaseInstance`, `rds.DatabaseCluster` (and
        their `FromSnapshot` and `Serverless` forms) and `docdb.DatabaseCluster`:

        - `test`: `deletion_protection=True` becomes `False`, and a retaining `removal_policy`
          (`RETAIN`, also DocumentDB's default) becomes `RemovalPolicy.SNAPSHOT`; an explicit
          `DESTROY` or `SNAPSHOT` is kept (the setting below may ask for `DESTROY` everywhere).
          Where the construct would turn protection on by itself (a `RETAIN` policy that
          stays), `deletion_protection=False` is added.  Unlike AF103, which writes `Snapshot`
          over a template's `Delete`, an explicit `DESTROY` is left alone: in CDK it is a
          deliberate choice, and a snapshot per CI run costs money.
        - `production`: `deletion_protection=False` becomes `True`, or `deletion_protection=True`
          is added when nothing turns it on; `RemovalPolicy.DESTROY` becomes `SNAPSHOT` (`RETAIN`
          and `SNAPSHOT` are kept).

        Arguments given as variables or expressions are left alone, and so are calls that pass
        `**kwargs`.

    Why:
        Deletion protection on a test database makes `cdk destroy` fail and leaves the database
        running (and billing); in production its absence lets a stack deletion or a replacing
        update drop the data.

    Settings:
        [lifecycle.test]
        database-deletion-policy = "Snapshot"   # or "Delete" (RemovalPolicy.DESTROY), "Retain" (leave it)
        [lifecycle.production]
        database-deletion-policy = "Snapshot"   # or "Retain"

    Example (environment = "test"):
        rds.DatabaseInstance(self, "Db",                  rds.DatabaseInstance(self, "Db",
            deletion_protection=True,            ->           deletion_protection=False,
            removal_policy=RemovalPolicy.RETAIN,              removal_policy=RemovalPolicy.SNAPSHOT,
        )                                                 )

    Fix safety:
        Safe: neither setting replaces the database.
    """

    code = "AF503"
    name = "cdk-database-lifecycle"
    summary = "CDK databases: deletion protection off and snapshot on delete in test; protected in production"
    source_url = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection"
    resource_types = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::DocDB::DBCluster")
    language = "cdk"
    environments = ("test", "production")

    def check(self, ctx):
        env = ctx.environment
        if env == "test":
            policy = env_setting(ctx, "test", "database-deletion-policy", "Snapshot", ("Snapshot", "Delete", "Retain"))
        else:
            policy = env_setting(ctx, "production", "database-deletion-policy", "Snapshot", ("Snapshot", "Retain"))
        doc: CdkDocument = ctx.doc
        for name, call in doc.calls_to(DATABASES):
            default_policy, protect_on_retain = DATABASES[name]
            change = CallChange(doc, call)
            policy_arg = doc.keyword(call, "removal_policy")
            current = removal_policy(doc, policy_arg.value) if policy_arg is not None else default_policy
            final = current
            if current is not UNKNOWN and policy != "Retain":
                wanted = POLICY_MEMBER[policy]
                if env == "test":
                    # a retaining policy is what keeps a test database alive; an explicit DESTROY
                    # or SNAPSHOT already lets CI delete it, and is the author's choice
                    replace = current in RETAINING or (policy == "Delete" and current != "DESTROY")
                else:  # production: a retaining or snapshot policy is already right
                    replace = current not in RETAINING + ("SNAPSHOT",)
                if replace:
                    final = wanted
                    if policy_arg is not None:
                        change.set_policy(policy_arg, wanted, current)
                    else:
                        change.add_policy(wanted)
            protect_arg = doc.keyword(call, "deletion_protection")
            protect = bool_literal(protect_arg.value) if protect_arg is not None else None
            want_protect = env == "production"
            if protect_arg is not None:
                if protect is not UNKNOWN and protect != want_protect:
                    change.set_bool(protect_arg, want_protect)
            elif final is not UNKNOWN:
                implied = protect_on_retain and final == "RETAIN"
                if implied != want_protect:
                    change.add("deletion_protection", str(want_protect), want_protect)
            if not change:
                continue
            edits = change.all_edits()
            if edits is None:
                continue
            cid = doc.construct_id(call)
            what = describe(name, cid)
            goal = "must be deletable by CI" if env == "test" else "must be protected from deletion"
            yield self.fix(
                f"{env} database {what} {goal}: {change.summary()}",
                doc.where(call), edits=edits, paths=[call_path(doc, call) + (k,) for k in change.keywords],
                resource=cid, before="; ".join(change.before), after="; ".join(change.after),
            )
