from autofix.cfn.document import is_plain_scalar
from autofix.rules import Rule

from ._lifecycle import DATABASE_TYPES, POLICY_DOC, SNAPSHOT_TYPES, Change, env_setting

# Stateful types from cfn-lint's data/AdditionalSpecs/StatefulResources.json, less the ones
# other rules own (KMS keys: AF101; databases: AF105) and the ones where Retain means
# something else (nested stacks, Organizations accounts).
DEFAULT_TYPES = (
    "AWS::Backup::BackupVault", "AWS::Cognito::UserPool", "AWS::DocDB::DBInstance", "AWS::DynamoDB::GlobalTable",
    "AWS::DynamoDB::Table", "AWS::EC2::Volume", "AWS::EFS::FileSystem", "AWS::EMR::Cluster",
    "AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ReplicationGroup", "AWS::Elasticsearch::Domain",
    "AWS::FSx::FileSystem", "AWS::Kinesis::Stream", "AWS::Logs::LogGroup", "AWS::Neptune::DBInstance",
    "AWS::OpenSearchService::Domain", "AWS::QLDB::Ledger", "AWS::Redshift::Cluster", "AWS::S3::Bucket",
    "AWS::SDB::Domain", "AWS::SQS::Queue", "AWS::SecretsManager::Secret",
)


class ProductionStatefulRetain(Rule):
    """
    What it does:
        In a `production` environment, S3 buckets and other resources that hold data
        (DynamoDB tables, EFS and FSx file systems, log groups, queues, secrets, caches, ...)
        keep or get `DeletionPolicy` and `UpdateReplacePolicy` `Retain` (`Snapshot` where the
        type supports it and the template already asks for it).

    Why:
        Without a policy CloudFormation deletes the data with the stack, or with a replacing
        update.  In production that is data loss caused by a routine change.

    Settings:
        [lifecycle.production]
        retain-types = ["AWS::S3::Bucket", "AWS::DynamoDB::Table"]   # narrow or widen the list

    Example:
        Data:                              Data:
          Type: AWS::S3::Bucket     ->       Type: AWS::S3::Bucket
                                             DeletionPolicy: Retain
                                             UpdateReplacePolicy: Retain

    Fix safety:
        Safe: policies take effect only at deletion or replacement.
    """

    code = "AF106"
    name = "production-stateful-retain"
    summary = "In production stacks, buckets and other stateful resources are retained"
    source_url = POLICY_DOC
    resource_types = DEFAULT_TYPES
    environments = ("production",)

    def check(self, ctx):
        types = set(env_setting(ctx, "production", "retain-types", DEFAULT_TYPES)) - set(DATABASE_TYPES) - {"AWS::KMS::Key"}
        for res in ctx.doc.resources():
            if res.type not in types:
                continue
            keep = {"Retain", "RetainExceptOnCreate"} | ({"Snapshot"} if res.type in SNAPSHOT_TYPES else set())
            wanted = {}
            for name in ("DeletionPolicy", "UpdateReplacePolicy"):
                node = res.attribute(name)
                if node is None or (is_plain_scalar(node) and node.value not in keep):
                    wanted[name] = "Retain"
            if not wanted:
                continue
            change = Change(ctx.doc, res).attributes(wanted)
            yield self.fix(
                f"production {res.type} {res.logical_id} would be deleted with the stack: {change.summary()}",
                res.key, edits=change.edits, paths=change.paths, resource=res,
                before="; ".join(change.before), after="; ".join(change.after),
            )
