import re

from autofix.cfn.document import Tagged, is_map, mapping_get, to_plain
from autofix.rules import Rule

from ._edits import insert_section, insert_spaced, literal_bool, literal_str, parameters, ref_target, refs_in
from ._lifecycle import is_cluster_member, is_read_replica
from ._outputs import OUTPUTS_DOC, outputs, value_key

IAM_ENGINES = re.compile(r"^(postgres|mysql|mariadb|aurora-postgresql|aurora-mysql|aurora)$", re.I)
_SAFE_USER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _secret_of(doc, res):
    """(value, how) of the secret holding a database's master credentials, or None."""
    if literal_bool(res.prop("ManageMasterUserPassword")) is True:
        return Tagged("Fn::GetAtt", [res.logical_id, "MasterUserSecret.SecretArn"]), "managed by RDS"
    types = {r.logical_id: r.type for r in doc.resources()}
    pw = res.prop("MasterUserPassword")
    if pw is not None:
        for name in refs_in(to_plain(pw)):
            if types.get(name) == "AWS::SecretsManager::Secret":
                return Tagged("Ref", name), f"secret {name}"
    for r in doc.resources():
        if r.type == "AWS::SecretsManager::SecretTargetAttachment":
            if ref_target(r.prop("TargetId")) == res.logical_id:
                sid = ref_target(r.prop("SecretId"))
                if sid and types.get(sid) == "AWS::SecretsManager::Secret":
                    return Tagged("Ref", sid), f"secret {sid}"
    return None


def _master_user(doc, res) -> str | None:
    """The master user name as Sub text: a literal, or ${Param}."""
    node = res.prop("MasterUsername")
    lit = literal_str(node)
    if lit is not None:
        return lit if _SAFE_USER.match(lit) else None
    p = ref_target(node)
    if p and p in parameters(doc):
        return "${" + p + "}"
    return None


class DatabaseOutputs(Rule):
    """
    What it does:
        Gives each RDS database (an `AWS::RDS::DBInstance` outside a cluster, or an
        `AWS::RDS::DBCluster`) the outputs people connect and operate with, when the template
        lacks them and can provide their values:

        - `<Db>Endpoint` and `<Db>Port` (the writer), `<Db>ReaderEndpoint` for a cluster;
        - `<Db>SecretArn`: the secret with the master credentials, when RDS manages it
          (`ManageMasterUserPassword: true`) or the password comes from a template secret;
        - `<Db>AuthTokenCommand`: `aws rds generate-db-auth-token ...` built with `!Sub`, when
          IAM database authentication is on and the master user name is known;
        - `<Db>CloudWatchUrl`: the database's metrics in the CloudWatch console.

        A value an output already gives (under any name) is not repeated.  New outputs carry
        the database's `Condition`, and a `Description`; `output-export` (AF406) exports them.

    Why:
        Whoever connects to the database, debugs it at night or wires another stack to it
        needs these; generated templates output an identifier or nothing.

    Example:
        Outputs:
          DbEndpoint:
            Description: Writer endpoint address of Db
            Value: !GetAtt Db.Endpoint.Address
          DbAuthTokenCommand:
            Description: Prints an IAM authentication token for Db (valid 15 minutes)
            Value: !Sub 'aws rds generate-db-auth-token --hostname ${Db.Endpoint.Address} ...'

    Fix safety:
        Safe: outputs change no resource.
    """

    code = "AF407"
    opt_in = True  # a team convention: runs when selected (e.g. extend-select = ["AF4"])
    name = "database-outputs"
    summary = "Database stacks output endpoints, port, secret, IAM token command and metrics link"
    source_url = OUTPUTS_DOC
    resource_types = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")

    def check(self, ctx):
        doc = ctx.doc
        sec = doc.section("Outputs")
        if sec is not None and not is_map(sec):
            return
        have_names = {str(k.value) for k, _ in sec.value} if is_map(sec) else set()
        have_values = {value_key(to_plain(v)) for _, o in outputs(doc) for v in [mapping_get(o, "Value")] if v is not None}
        have_text = " ".join(str(to_plain(v)) for _, o in outputs(doc) for v in [mapping_get(o, "Value")] if v is not None)
        for res in doc.resources():
            if res.type not in self.resource_types or res.properties is None:
                continue
            if res.type == "AWS::RDS::DBInstance" and is_cluster_member(res):
                continue
            entries = self._wanted(doc, res, have_values, have_text)
            entries = [(n, o) for n, o in entries if n not in have_names]
            if not entries:
                continue
            cond = literal_str(res.attribute("Condition"))
            if cond:
                for _, o in entries:
                    o["Condition"] = cond
            if sec is None:
                edit = insert_section(doc, "Outputs", dict(entries))
                paths = [("Outputs",)]
            else:
                edit = insert_spaced(doc, sec, entries)
                paths = [("Outputs", n) for n, _ in entries]
            yield self.fix(
                f"database {res.logical_id} lacks outputs: {', '.join(n for n, _ in entries)}", res.key,
                edits=[edit], paths=paths, resource=res, after=", ".join(n for n, _ in entries),
            )

    def _wanted(self, doc, res, have_values, have_text):
        lid = res.logical_id
        cluster = res.type == "AWS::RDS::DBCluster"
        replica = is_read_replica(res)
        kind = "cluster" if cluster else ("read replica" if replica else "instance")
        out = []

        def add(suffix, value, description, key=None):
            k = key or value_key(to_plain_value(value))
            if k in have_values:
                return
            out.append((f"{lid}{suffix}", {"Description": description, "Value": value}))

        add("Endpoint", Tagged("Fn::GetAtt", [lid, "Endpoint.Address"]),
            f"{'Writer endpoint' if cluster or not replica else 'Endpoint'} address of {kind} {lid}")
        add("Port", Tagged("Fn::GetAtt", [lid, "Endpoint.Port"]), f"Port of {kind} {lid}")
        serverless_v1 = literal_str(res.prop("EngineMode")) == "serverless"
        if cluster and not serverless_v1:
            add("ReaderEndpoint", Tagged("Fn::GetAtt", [lid, "ReadEndpoint.Address"]),
                f"Reader endpoint address of cluster {lid} (load-balanced across its replicas)")
        if not replica:
            secret = _secret_of(doc, res)
            if secret is not None:
                add("SecretArn", secret[0], f"ARN of the Secrets Manager secret with the master credentials of {lid} ({secret[1]})")
            engine = literal_str(res.prop("Engine")) or ""
            user = _master_user(doc, res)
            if (literal_bool(res.prop("EnableIAMDatabaseAuthentication")) is True and IAM_ENGINES.match(engine)
                    and user is not None and "generate-db-auth-token" not in have_text):
                cmd = (f"aws rds generate-db-auth-token --hostname ${{{lid}.Endpoint.Address}} "
                       f"--port ${{{lid}.Endpoint.Port}} --region ${{AWS::Region}} --username {user}")
                add("AuthTokenCommand", Tagged("Fn::Sub", cmd),
                    f"Prints an IAM authentication token for {lid} (valid 15 minutes; use it as the password)")
        dim = "DBClusterIdentifier" if cluster else "DBInstanceIdentifier"
        url = (f"https://${{AWS::Region}}.console.aws.amazon.com/cloudwatch/home?region=${{AWS::Region}}"
               f"#metricsV2:graph=~();search=${{{lid}}};namespace=AWS/RDS;dimensions={dim}")
        if "cloudwatch/home" not in have_text or lid not in have_text:
            add("CloudWatchUrl", Tagged("Fn::Sub", url), f"CloudWatch metrics of {kind} {lid}")
        return out


def to_plain_value(v):
    if isinstance(v, Tagged):
        return {v.fn: to_plain_value(v.value)}
    return v
