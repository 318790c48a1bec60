from autofix.fixes import Applicability
from autofix.rules import Rule

from ._edits import name_tag, sub_vars
from ._naming import (
    NAME_PROPERTIES,
    NAMING_DOC,
    PSEUDO,
    TAG_SPEC,
    NamingSettings,
    Target,
    assign_roles,
    current_name,
    is_fifo,
    name_property,
    rename_fix,
    reserved,
)


def _derived(sub_text: str, doc) -> bool:
    """A name built from another resource (`${Bucket}-copy`, `/aws/lambda/${Fn}`) follows that
    resource's name; it is left alone."""
    res_ids = {r.logical_id for r in doc.resources()}
    return any(v.split(".", 1)[0] in res_ids or "." in v for v in sub_vars(sub_text) if v not in PSEUDO)


def _uses_parameters(sub_text: str, doc, env_parameter: str) -> bool:
    from ._edits import parameters

    params = parameters(doc)
    return any(v in params and v != env_parameter for v in sub_vars(sub_text))


class NamingConvention(Rule):
    """
    What it does:
        With `[naming] prefix` set, gives the physical names of common resources the team's
        convention, `{prefix}-{role}-${EnvironmentSuffix}` by default, written with `!Sub`:
        `DBInstanceIdentifier`, `DBClusterIdentifier`, `DBParameterGroupName`,
        `DBClusterParameterGroupName`, `DBSubnetGroupName`, `BucketName`, KMS `AliasName`
        (`alias/...`), Secrets Manager `Name`, `FunctionName`, `LogGroupName`,
        `ReplicationGroupId`, `TopicName`, `QueueName`, Kinesis `Name`, `RoleName`, `TableName`,
        security group `GroupName`, and the `Name` tag of any resource.  Only names the template
        already sets are changed (a literal, or a `!Sub` of parameters and pseudo parameters);
        names built from other resources or passed in as a parameter are left alone, and so are
        names AWS services look for (`/aws/...` log groups, `aws-waf-logs-...`, `dms-vpc-role`,
        the StackSets and EMR default roles).

        The role says what the resource is for, from its type and the template: a database
        instance is `db-primary`, a read replica (`SourceDBInstanceIdentifier`) `db-replica`, a
        cluster `db-cluster`, parameter and subnet groups `db-params` / `db-subnets`, the alias of
        a key only databases use `db-key`, a secret a database uses `db-credentials`; other
        resources take the words of their logical id (`BackupsBucket` -> `backups`,
        `OrderQueue` -> `order`, `PrivateSubnet1` -> `private-subnet-1`).  Bucket names also get
        `${AWS::AccountId}`, since they are global.  Adds the `EnvironmentSuffix` parameter
        (`AllowedPattern: ^[a-z0-9]+(-[a-z0-9]+)*$`, `MaxLength: 16`) when the template lacks it.

        A name that could be invalid for its resource is not written; the finding says why.
        Lengths are counted with the longest value the parameters allow (see `_naming.py`).

    Why:
        Names that carry the project, the role and the environment tell an operator what a
        resource is from a console list or an alarm, and keep two stacks of the same template
        (two environments, two pull requests) from colliding with "already exists".

    Settings:
        [naming]
        prefix = "ecommerce"                         # required: the rule does nothing without it
        pattern = "{prefix}-{role}-${EnvironmentSuffix}"
        bucket-pattern = "{prefix}-{role}-${EnvironmentSuffix}-${AWS::AccountId}"
        env-parameter = "EnvironmentSuffix"
        env-default = "dev"                          # Default of the added parameter, or false
        [naming.roles]
        MyBucket = "assets"                          # per-resource role

    Example:
        Db:                                          Db:
          Type: AWS::RDS::DBInstance                   Type: AWS::RDS::DBInstance
          Properties:                         ->       Properties:
            DBInstanceIdentifier: ecommerce-db           DBInstanceIdentifier: !Sub 'ecommerce-db-primary-${EnvironmentSuffix}'

    Fix safety:
        Unsafe when it renames: a physical name is create-only (read from the resource's
        CloudFormation schema), so CloudFormation replaces the resource: a new database or
        bucket, empty, under the new name.  Every such fix is listed as replacing its resource.
        Changing only a `Name` tag is safe.
    """

    code = "AF401"
    opt_in = True  # a team convention: runs when selected (e.g. extend-select = ["AF4"])
    name = "naming-convention"
    summary = "Physical names follow the [naming] convention: prefix, role and environment"
    source_url = NAMING_DOC
    resource_types = tuple(sorted({t for t, _ in NAME_PROPERTIES}))
    applicability = Applicability.UNSAFE

    def check(self, ctx):
        settings = NamingSettings.from_ctx(ctx)
        if not settings.prefix:
            return
        doc = ctx.doc
        roles = assign_roles(doc, settings)
        for res in doc.resources():
            if not res.type or res.logical_id not in roles:
                continue
            role = roles[res.logical_id]
            targets = []
            prop = name_property(res.type)
            node = res.prop(prop) if prop else None
            if node is not None:
                old, kind = current_name(node)
                if (old is not None and not _derived(old, doc) and not _uses_parameters(old, doc, settings.env_parameter)
                        and not reserved(old)):
                    fifo = is_fifo(res, prop)
                    new = settings.render(role, resource_type=res.type, prop=prop) + (".fifo" if fifo else "")
                    if old != new:
                        targets.append(Target(node, old, kind, new, NAME_PROPERTIES[(res.type, prop)],
                                              res.path + ("Properties", prop), prop, fifo))
            tag = name_tag(res)
            if tag is not None:
                old, kind = current_name(tag[1])
                if old is not None and not _derived(old, doc) and not _uses_parameters(old, doc, settings.env_parameter):
                    new = settings.render(role)
                    if old != new:
                        targets.append(Target(tag[1], old, kind, new, TAG_SPEC, res.path + ("Properties", "Tags"), "Name tag"))
            if targets:
                yield rename_fix(self, ctx, res, targets, settings, why=f"role {role}")
