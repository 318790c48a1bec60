from autofix.cfn.document import Tagged, intrinsic, is_map, is_plain_scalar, is_seq, mapping_get
from autofix.fixes import Applicability, Edit
from autofix.rules import Rule

from ._refs import call, call_nodes, has_macros, interface_removals, ref_target, remove_entries, sub_parts, sub_variables

# Where cfn-lint's W1011 looks (cfnlint/rules/parameters/DynamicReferenceSecret.py, 1.58).
SECRET_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "AWS::DirectoryService::MicrosoftAD": (("Password",),),
    "AWS::DirectoryService::SimpleAD": (("Password",),),
    "AWS::ElastiCache::ReplicationGroup": (("AuthToken",),),
    "AWS::IAM::User": (("LoginProfile", "Password"),),
    "AWS::KinesisFirehose::DeliveryStream": (("RedshiftDestinationConfiguration", "Password"),),
    "AWS::OpsWorks::App": (("AppSource", "Password"),),
    "AWS::OpsWorks::Stack": (("RdsDbInstances", "*", "DbPassword"), ("CustomCookbooksSource", "Password")),
    "AWS::RDS::DBCluster": (("MasterUserPassword",),),
    "AWS::RDS::DBInstance": (("MasterUserPassword",),),
    "AWS::Redshift::Cluster": (("MasterUserPassword",),),
}

# Types whose service can generate the master password and keep it in Secrets Manager:
# (the switch, the attribute holding the secret's ARN).
MANAGED = {
    "AWS::RDS::DBInstance": ("ManageMasterUserPassword", "MasterUserSecret.SecretArn"),
    "AWS::RDS::DBCluster": ("ManageMasterUserPassword", "MasterUserSecret.SecretArn"),
    "AWS::Redshift::Cluster": ("ManageMasterPassword", "MasterPasswordSecretArn"),
}

# Properties with which the service takes the password from elsewhere (a snapshot, a source
# database, a global cluster) or does not support a managed one (RDS Custom, Aurora
# Serverless v1): those resources are only reported.
NOT_MANAGEABLE = {
    "AWS::RDS::DBInstance": ("DBClusterIdentifier", "SourceDBInstanceIdentifier", "SourceDBClusterIdentifier",
                             "DBSnapshotIdentifier", "DBClusterSnapshotIdentifier", "SourceDBInstanceAutomatedBackupsArn",
                             "SourceDbiResourceId", "RestoreTime", "UseLatestRestorableTime"),
    "AWS::RDS::DBCluster": ("SnapshotIdentifier", "SourceDBClusterIdentifier", "SourceDbClusterResourceId", "RestoreType",
                            "RestoreToTime", "UseLatestRestorableTime", "GlobalClusterIdentifier"),
    "AWS::Redshift::Cluster": ("SnapshotIdentifier", "SnapshotClusterIdentifier"),
}


def _targets(props, path, at=()):
    if not path:
        yield props, at
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if is_seq(props) and intrinsic(props) is None:
            for i, item in enumerate(props.value):
                yield from _targets(item, rest, at + (i,))
        return
    if is_map(props) and intrinsic(props) is None:
        child = mapping_get(props, head)
        if child is not None:
            yield from _targets(child, rest, at + (head,))


def manageable(res) -> bool:
    """Whether the service can manage this resource's master password itself."""
    if res.type not in MANAGED or res.prop(MANAGED[res.type][0]) is not None:
        return False
    if any(res.prop(p) is not None for p in NOT_MANAGEABLE.get(res.type, ())):
        return False
    if res.type == "AWS::RDS::DBInstance":
        engine = res.prop("Engine")
        if engine is not None and (not is_plain_scalar(engine) or str(engine.value).lower().startswith("custom-")):
            return False
    if res.type == "AWS::RDS::DBCluster":
        mode = res.prop("EngineMode")
        if mode is not None and (not is_plain_scalar(mode) or str(mode.value).lower() == "serverless"):
            return False
    return True


def parameter_uses(doc, name: str) -> list:
    """Every place that reads parameter `name`: Ref and Fn::Sub variables (a variables map
    entry of the same name hides it)."""
    uses = []
    for n, _ in call_nodes(doc):
        if ref_target(n) == name:
            uses.append(n)
        if call(n, "Fn::Sub") is not None:
            s, var_map = sub_parts(n)
            if s is not None and isinstance(s.value, str) and name in sub_variables(s.value):
                if var_map is None or mapping_get(var_map, name) is None:
                    uses.append(n)
    return uses


class SecretParameter(Rule):
    """
    What it does:
        A database master password passed in as a parameter (`MasterUserPassword: !Ref
        DbPassword` on an RDS instance or cluster, a Redshift cluster) becomes
        `ManageMasterUserPassword: true` (`ManageMasterPassword` on Redshift): the service
        generates the password and keeps it in Secrets Manager.  The parameter goes (nothing
        reads it any more), also from the `AWS::CloudFormation::Interface` metadata, and an
        output gives the secret's ARN (`!GetAtt Db.MasterUserSecret.SecretArn`).

        Only when every use of the parameter is such a password; a parameter also read
        elsewhere (an application's environment, a connection string), other secret
        properties (directory passwords, ElastiCache auth tokens, ...) and databases restored
        from a snapshot or a source database are reported with what to do, without edits.

    Why:
        A parameter value is visible to anyone who can read the stack's parameters or the
        deploy scripts and CI settings that pass it, and it never rotates (cfn-lint W1011).
        A managed secret is generated, encrypted, and can rotate.

    Example:
        Parameters:                          (DbPassword removed)
          DbPassword: {Type: String, NoEcho: true}
        Resources:                           Resources:
          Db:                                  Db:
            Type: AWS::RDS::DBInstance           Type: AWS::RDS::DBInstance
            Properties:                  ->      Properties:
              MasterUserPassword: !Ref DbPassword  ManageMasterUserPassword: true
                                             Outputs:
                                               DbMasterUserSecretArn:
                                                 Value: !GetAtt Db.MasterUserSecret.SecretArn

    Fix safety:
        Unsafe: on the next update the service sets a new, generated master password.  Every
        client using the old one must read the secret instead, and every deploy script, CI
        job and parameter file that passes the parameter must stop (CloudFormation rejects a
        parameter the template does not declare).
    """

    code = "AF306"
    name = "secret-parameter"
    summary = "Database master passwords passed as parameters become service-managed secrets"
    source_url = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html"
    resource_types = tuple(SECRET_PATHS)
    cfn_lint = ("W1011",)
    applicability = Applicability.UNSAFE

    def check(self, ctx):
        doc = ctx.doc
        if has_macros(doc):
            return
        params = doc.section("Parameters")
        if not is_map(params):
            return
        param_names = {k.value for k, _ in params.value}
        found: dict[str, list] = {}  # parameter -> [(resource, property path, value node)]
        for res in doc.resources():
            props = res.properties
            if props is None or res.type not in SECRET_PATHS:
                continue
            for path in SECRET_PATHS[res.type]:
                for node, at in _targets(props, path):
                    name = ref_target(node)
                    if name in param_names:
                        found.setdefault(name, []).append((res, at, node))
        for name, places in found.items():
            uses = parameter_uses(doc, name)
            fixable = all(
                res.type in MANAGED and len(at) == 1 and manageable(res) for res, at, _ in places
            ) and len(uses) == len(places)
            if fixable:
                yield self._managed(doc, name, places)
            else:
                for res, at, node in places:
                    yield self._report(name, res, at, node, len(uses) > len(places))

    def _report(self, name, res, at, node, used_elsewhere):
        where = "/".join(map(str, at))
        if res.type in MANAGED and len(at) == 1:
            switch = MANAGED[res.type][0]
            why = ("the parameter is read elsewhere too" if used_elsewhere
                   else "this database takes its password from a snapshot, a source or is of a kind that cannot manage it")
            advice = f"set {switch}: true instead, once nothing else needs the parameter ({why})"
        else:
            advice = "store the value in Secrets Manager and use a {{resolve:secretsmanager:NAME:SecretString:KEY}} dynamic reference"
        return self.fix(
            f"{res.logical_id}: {where} comes from parameter {name}: {advice}",
            node, resource=res, paths=[res.path + ("Properties",) + at], applicability=Applicability.DISPLAY_ONLY,
        )

    def _managed(self, doc, name, places):
        edits: list[Edit] = []
        paths: list[tuple] = []
        outputs: list[tuple[str, dict]] = []
        existing_outputs = doc.section("Outputs")
        taken = {k.value for k, _ in existing_outputs.value} if is_map(existing_outputs) else set()
        for res, at, node in places:
            switch, attr = MANAGED[res.type]
            props = res.properties
            key = next(k for k, v in props.value if v is node)
            edits.append(Edit(key.start_mark.index, key.end_mark.index, doc.render_scalar(switch, like=key)))
            value = doc.replace(node, True)
            if not doc.is_json and not doc._in_flow(node):
                # a comment after the old value is about the parameter: it goes with it
                line_end = doc.text.find("\n", value.end)
                line_end = len(doc.text) if line_end < 0 else line_end
                rest = doc.text[value.end : line_end].rstrip("\r")
                if rest.lstrip().startswith("#"):
                    value = Edit(value.start, value.end + len(rest), value.content)
            edits.append(value)
            paths += [res.path + ("Properties", at[0]), res.path + ("Properties", switch)]
            out_name = f"{res.logical_id}{attr.split('.')[0]}Arn" if "." in attr else f"{res.logical_id}{attr}"
            if out_name not in taken:
                body = {"Description": f"Secrets Manager secret holding the master password of {res.logical_id}",
                        "Value": Tagged("Fn::GetAtt", [res.logical_id, attr])}
                cond = res.attribute("Condition")
                if is_plain_scalar(cond):
                    body = {"Condition": cond.value, **body}
                outputs.append((out_name, body))
                taken.add(out_name)
                paths.append(("Outputs", out_name))
        e, p = remove_entries(doc, "Parameters", [name])
        edits += e
        paths += p
        e, p = interface_removals(doc, {name})
        edits += e
        paths += p
        if outputs:
            if is_map(existing_outputs):
                edits.append(doc.insert_entries(existing_outputs, outputs))
            else:
                edits.append(doc.insert_entries(doc.root, [("Outputs", dict(outputs))], after="Resources"))
                paths.append(("Outputs",))
        dbs = ", ".join(r.logical_id for r, _, _ in places)
        outs = ", ".join(o for o, _ in outputs)
        return self.fix(
            f"{dbs}: master password from parameter {name} becomes a secret the service manages; parameter {name} "
            f"is removed: stop passing it (deploy scripts, CI, parameter files) and read the password from the "
            f"secret{' in output ' + outs if outs else ''}",
            places[0][2], edits=edits, paths=paths, resource=places[0][0],
            unsafe_reason=(
                "the next update sets a new generated master password: clients must read it from the secret, and "
                f"callers passing parameter {name} fail until they stop"
            ),
            notes=[f"read the secret ARN from {o}" for o, _ in outputs],
            before=f"MasterUserPassword: !Ref {name}", after="ManageMasterUserPassword: true",
        )
