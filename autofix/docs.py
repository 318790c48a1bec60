"""`autofix docs TEMPLATE [-o FILE]`: an operational runbook in Markdown, derived from the
template alone (no AWS calls): architecture by service, parameters, outputs, how to deploy,
how to connect (IAM authentication, Secrets Manager), performance settings, security
settings, what the lifecycle settings mean for recovery, and the monitoring in place.

Deterministic: the same template gives the same bytes (template order, no dates), so the
document can be committed and checked in CI (`autofix docs t.yaml -o RUNBOOK.md && git diff
--exit-code`).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

import click

DB_TYPES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")
PG_GROUP_TYPES = ("AWS::RDS::DBParameterGroup", "AWS::RDS::DBClusterParameterGroup")
IAM_TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
             "AWS::IAM::InstanceProfile", "AWS::IAM::AccessKey")
NAMED_IAM = {"AWS::IAM::Role": "RoleName", "AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName",
             "AWS::IAM::ManagedPolicy": "ManagedPolicyName", "AWS::IAM::InstanceProfile": "InstanceProfileName"}
ENGINE_NAMES = {"postgres": "PostgreSQL", "aurora-postgresql": "Aurora PostgreSQL", "mysql": "MySQL",
                "aurora-mysql": "Aurora MySQL", "aurora": "Aurora MySQL", "mariadb": "MariaDB"}
DEFAULT_PORTS = {"postgres": 5432, "aurora-postgresql": 5432, "mysql": 3306, "aurora-mysql": 3306, "aurora": 3306,
                 "mariadb": 3306}
PG_PARAM_MEANING = {
    "shared_preload_libraries": "libraries loaded at start-up (static: needs a reboot)",
    "log_min_duration_statement": "statements slower than this many milliseconds are logged (-1: off)",
    "log_connections": "every connection is logged",
    "log_disconnections": "every session end is logged, with its duration",
    "log_statement": "which statements are logged (none, ddl, mod, all)",
    "idle_in_transaction_session_timeout": "sessions idle in a transaction longer than this (ms) are ended",
    "statement_timeout": "statements running longer than this (ms) are cancelled",
    "work_mem": "memory per sort or hash operation",
    "max_connections": "the most concurrent connections",
    "rds.force_ssl": "connections must use TLS",
    "pg_stat_statements.track": "which statements pg_stat_statements tracks",
}
POLICY_MEANING = {
    "Delete": "deleted with the stack; its data is gone",
    "Retain": "kept when the stack is deleted (and billed); delete it by hand when no longer needed",
    "RetainExceptOnCreate": "kept when the stack is deleted, except after a failed create",
    "Snapshot": "a final snapshot is taken, then the resource is deleted; restore from the snapshot",
}
SNAPSHOT_DEFAULT_TYPES = ("AWS::RDS::DBCluster",)


# --------------------------------------------------------------------------------------------
# small helpers


def _cell(v: Any) -> str:
    s = "" if v is None else str(v)
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ").strip()


def _code(s: Any) -> str:
    s = str(s)
    if "`" in s:
        return f"`` {s} ``"
    return f"`{s}`"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(_cell(c) for c in r) + " |")
    return out


def _is_true(v: Any) -> bool:
    return v is True or (isinstance(v, str) and v.lower() == "true")


def _intrinsic(v: Any) -> tuple[str, Any] | None:
    if isinstance(v, dict) and len(v) == 1:
        (k, x), = v.items()
        if k == "Ref" or k.startswith("Fn::") or k == "Condition":
            return k, x
    return None


class Template:
    """The plain template and what the document needs to describe values."""

    def __init__(self, plain: dict, path: str):
        self.plain = plain
        self.path = path
        self.params: dict = plain.get("Parameters") if isinstance(plain.get("Parameters"), dict) else {}
        res = plain.get("Resources") if isinstance(plain.get("Resources"), dict) else {}
        self.resources: dict = {k: v for k, v in res.items() if isinstance(v, dict)}
        self.outputs: dict = plain.get("Outputs") if isinstance(plain.get("Outputs"), dict) else {}

    def type(self, lid: str) -> str:
        t = self.resources.get(lid, {}).get("Type")
        return t if isinstance(t, str) else "?"

    def props(self, lid: str) -> dict:
        p = self.resources.get(lid, {}).get("Properties")
        return p if isinstance(p, dict) else {}

    def of_type(self, *types: str) -> list[str]:
        return [lid for lid in self.resources if self.type(lid) in types]

    def show(self, v: Any) -> str:
        """A value for a reader: literals as they are, references named."""
        fn = _intrinsic(v)
        if fn is None:
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, list):
                return ", ".join(self.show(x) for x in v)
            if isinstance(v, dict):
                return "(structured)"
            return "" if v is None else str(v)
        k, x = fn
        if k == "Ref" and isinstance(x, str):
            if x in self.params:
                d = self.params[x].get("Default") if isinstance(self.params[x], dict) else None
                return f"parameter {x}" + (f" (default {self.show(d)})" if d is not None else "")
            if x in self.resources:
                return f"{x} ({self.type(x)})"
            return x
        if k == "Fn::GetAtt":
            return f"{'.'.join(map(str, x)) if isinstance(x, list) else x}"
        if k == "Fn::Sub":
            s = x[0] if isinstance(x, list) and x else x
            return str(s)
        if k == "Fn::If":
            return "depends on condition " + (str(x[0]) if isinstance(x, list) and x else "?")
        if k == "Fn::FindInMap":
            return "from mapping " + (str(x[0]) if isinstance(x, list) and x else "?")
        if k == "Fn::ImportValue":
            return f"imported {self.show(x)}"
        return f"computed ({k})"

    def literal(self, v: Any) -> Any:
        """A value's literal, or the parameter default a Ref points at; None otherwise."""
        fn = _intrinsic(v)
        if fn is None:
            return v
        if fn[0] == "Ref" and isinstance(fn[1], str) and isinstance(self.params.get(fn[1]), dict):
            return self.params[fn[1]].get("Default")
        return None

    def output_for(self, pred: Callable[[Any], bool]) -> str | None:
        for name, out in self.outputs.items():
            if isinstance(out, dict) and pred(out.get("Value")):
                return name
        return None


def _raw(v: Any) -> str:
    """A value as the template says it, in short form: `!Ref X`, `!GetAtt X.Y`, `!Sub '...'`."""
    fn = _intrinsic(v)
    if fn is None:
        return Template({}, "").show(v)
    k, x = fn
    if k == "Ref":
        return f"!Ref {x}"
    if k == "Fn::GetAtt":
        return "!GetAtt " + (".".join(map(str, x)) if isinstance(x, list) else str(x))
    if k == "Fn::Sub":
        s = x[0] if isinstance(x, list) and x else x
        return f"!Sub '{s}'" if isinstance(s, str) else "!Sub ..."
    return f"!{k.split('::')[-1]} ..."


def _getatt(v: Any) -> tuple[str, str] | None:
    fn = _intrinsic(v)
    if fn and fn[0] == "Fn::GetAtt":
        x = fn[1]
        if isinstance(x, str) and "." in x:
            a, b = x.split(".", 1)
            return a, b
        if isinstance(x, list) and len(x) == 2:
            return str(x[0]), str(x[1])
    if fn and fn[0] == "Fn::Sub" and isinstance(fn[1], str):
        s = fn[1]
        if s.startswith("${") and s.endswith("}") and s.count("${") == 1 and "." in s:
            a, b = s[2:-1].split(".", 1)
            return a, b
    return None


def _ref(v: Any) -> str | None:
    fn = _intrinsic(v)
    return fn[1] if fn and fn[0] == "Ref" and isinstance(fn[1], str) else None


def _service(t: str) -> str:
    parts = t.split("::")
    return parts[1] if len(parts) == 3 else t


# --------------------------------------------------------------------------------------------
# sections


def _details(t: Template, lid: str) -> str:
    typ, p = t.type(lid), t.props(lid)
    facts: list[str] = []

    def add(label: str, key: str) -> None:
        if key in p:
            facts.append(f"{label} {t.show(p[key])}")

    if typ in DB_TYPES:
        eng = t.show(p.get("Engine", "?"))
        if "DBClusterIdentifier" in p and typ == "AWS::RDS::DBInstance":
            facts.append(f"{ENGINE_NAMES.get(str(eng).lower(), eng)} instance")
        else:
            facts.append(f"{ENGINE_NAMES.get(str(eng).lower(), eng)} {t.show(p.get('EngineVersion', '(default version)'))}")
        add("class", "DBInstanceClass")
        if "AllocatedStorage" in p:
            facts.append(f"{t.show(p['AllocatedStorage'])} GiB {t.show(p.get('StorageType', 'gp2'))}")
        if _is_true(t.literal(p.get("MultiAZ"))):
            facts.append("Multi-AZ")
        if "SourceDBInstanceIdentifier" in p:
            facts.append(f"read replica of {t.show(p['SourceDBInstanceIdentifier'])}")
        if "DBClusterIdentifier" in p:
            facts.append(f"member of {t.show(p['DBClusterIdentifier'])}")
    elif typ == "AWS::S3::Bucket":
        ver = p.get("VersioningConfiguration")
        facts.append("versioned" if isinstance(ver, dict) and ver.get("Status") == "Enabled" else "not versioned")
        if "BucketEncryption" in p:
            facts.append("encrypted")
    elif typ == "AWS::KMS::Key":
        facts.append("rotation on" if _is_true(t.literal(p.get("EnableKeyRotation"))) else "rotation off")
    elif typ in ("AWS::EC2::VPC", "AWS::EC2::Subnet"):
        add("CIDR", "CidrBlock")
        if "AvailabilityZone" in p:
            facts.append(f"AZ {t.show(p['AvailabilityZone'])}")
        if _is_true(p.get("MapPublicIpOnLaunch")):
            facts.append("public IPs on launch")
    elif typ == "AWS::EC2::SecurityGroup":
        rules = p.get("SecurityGroupIngress")
        n = len(rules) if isinstance(rules, list) else 0
        facts.append(f"{n} ingress rule{'s' if n != 1 else ''}")
    elif typ in PG_GROUP_TYPES:
        add("family", "Family")
    elif typ == "AWS::CloudWatch::Alarm":
        add("metric", "MetricName")
    elif typ == "AWS::Logs::LogGroup":
        add("retention (days)", "RetentionInDays")
    for name_key in ("DBInstanceIdentifier", "BucketName", "AliasName", "Name", "FunctionName",
                     "DBSubnetGroupName", "DBParameterGroupName", "QueueName", "TopicName", "RoleName", "LogGroupName"):
        if name_key in p and typ not in ("AWS::CloudWatch::Alarm",) and not (name_key == "Name" and typ.startswith("AWS::EC2")):
            if name_key == "DBParameterGroupName" and typ == "AWS::RDS::DBInstance":
                continue
            if name_key == "DBSubnetGroupName" and typ in DB_TYPES:
                continue
            facts.append(f"name {_code(t.show(p[name_key]))}")
            break
    return "; ".join(facts)


def _overview(t: Template) -> list[str]:
    by: dict[str, list[str]] = {}
    for lid in t.resources:
        by.setdefault(_service(t.type(lid)), []).append(lid)
    out = ["## Architecture", ""]
    counts = ", ".join(f"{len(v)} {k}" for k, v in sorted(by.items()))
    out.append(f"{len(t.resources)} resources: {counts}.")
    for service in sorted(by):
        out += ["", f"### {service}", ""]
        rows = []
        for lid in by[service]:
            cond = t.resources[lid].get("Condition")
            rows.append([_code(lid), t.type(lid), _details(t, lid) + (f" (only if {cond})" if isinstance(cond, str) else "")])
        out += _table(["Resource", "Type", "Details"], rows)
    return out


def _parameters(t: Template) -> list[str]:
    out = ["## Parameters", ""]
    if not t.params:
        return out + ["The template takes no parameters."]
    rows = []
    for name, d in t.params.items():
        d = d if isinstance(d, dict) else {}
        allowed = ""
        if isinstance(d.get("AllowedValues"), list):
            allowed = ", ".join(str(x) for x in d["AllowedValues"])
        elif "AllowedPattern" in d:
            allowed = _code(d["AllowedPattern"])
        if "MaxLength" in d:
            allowed = (allowed + "; " if allowed else "") + f"at most {d['MaxLength']} characters"
        default = t.show(d["Default"]) if "Default" in d else "(required)"
        if _is_true(d.get("NoEcho")):
            default += " (NoEcho)"
        rows.append([_code(name), d.get("Type", ""), default, allowed, d.get("Description", "")])
    return out + _table(["Name", "Type", "Default", "Allowed", "Description"], rows)


def _outputs(t: Template) -> list[str]:
    out = ["## Outputs", ""]
    if not t.outputs:
        return out + ["The template has no outputs; `autofix apply` adds the ones a database stack needs."]
    rows = []
    for name, o in t.outputs.items():
        o = o if isinstance(o, dict) else {}
        exp = o.get("Export")
        exp_name = t.show(exp.get("Name")) if isinstance(exp, dict) else ""
        rows.append([_code(name), o.get("Description", ""), _code(_raw(o.get("Value"))) if o.get("Value") is not None else "",
                     _code(exp_name) if exp_name else ""])
    out += _table(["Output", "Description", "Value", "Export"], rows)
    out += ["", "Read them after a deploy:", "", "```sh",
            "aws cloudformation describe-stacks --stack-name \"$STACK\" --query 'Stacks[0].Outputs' --output table", "```"]
    return out


def _capabilities(t: Template) -> list[str]:
    caps = []
    iam = t.of_type(*IAM_TYPES)
    if any(NAMED_IAM.get(t.type(lid)) in t.props(lid) for lid in iam):
        caps.append("CAPABILITY_NAMED_IAM")
    elif iam:
        caps.append("CAPABILITY_IAM")
    if t.plain.get("Transform") is not None or t.of_type("AWS::CloudFormation::Macro"):
        caps.append("CAPABILITY_AUTO_EXPAND")
    return caps


def _deploy(t: Template, stack: str, template_name: str) -> list[str]:
    out = ["## Deploy", "", "```sh", f"STACK={stack}", "aws cloudformation deploy \\", "  --stack-name \"$STACK\" \\",
           f"  --template-file {template_name} \\"]
    overrides = []
    for name, d in t.params.items():
        d = d if isinstance(d, dict) else {}
        if "Default" not in d:
            overrides.append(f"{name}=<{name}>")
        elif name == "EnvironmentSuffix":
            overrides.append(f"{name}=<unique-suffix>")
    caps = _capabilities(t)
    tail = []
    if overrides:
        tail.append("  --parameter-overrides " + " ".join(overrides))
    if caps:
        tail.append("  --capabilities " + " ".join(caps))
    tail.append("  --no-fail-on-empty-changeset")
    out += [line + (" \\" if i < len(tail) - 1 else "") for i, line in enumerate(tail)]
    out += ["```", ""]
    if "EnvironmentSuffix" in t.params:
        out += ["Give each environment or CI stack its own `EnvironmentSuffix` (for example `pr-123`): the physical "
                "names include it, so two stacks of this template do not collide.", ""]
    out += ["Preview a change before it is made (replacements show as `Replacement: True`):", "", "```sh",
            "aws cloudformation deploy --no-execute-changeset --stack-name \"$STACK\" --template-file " + template_name
            + (" --parameter-overrides " + " ".join(overrides) if overrides else "")
            + (" --capabilities " + " ".join(caps) if caps else ""), "```", "",
            "Delete the stack (see [Recovery](#recovery-and-lifecycle) for what stays behind):", "", "```sh",
            "aws cloudformation delete-stack --stack-name \"$STACK\"",
            "aws cloudformation wait stack-delete-complete --stack-name \"$STACK\"", "```"]
    return out


def _db_engine(t: Template, lid: str) -> str:
    p = t.props(lid)
    eng = t.literal(p.get("Engine"))
    if eng is None and "SourceDBInstanceIdentifier" in p:
        src = _ref(p["SourceDBInstanceIdentifier"])
        if src in t.resources:
            eng = t.literal(t.props(src).get("Engine"))
    return str(eng).lower() if eng is not None else ""


def _ident(t: Template, lid: str) -> str:
    """A database's identifier for a shell command: the literal name, else a placeholder."""
    p = t.props(lid)
    v = p.get("DBClusterIdentifier" if t.type(lid) == "AWS::RDS::DBCluster" else "DBInstanceIdentifier")
    if isinstance(v, str) and v and all(c.isalnum() or c == "-" for c in v):
        return v.lower()
    return f"<{lid}-identifier>"


def _stack_output_cmd(var: str, output: str) -> str:
    return (f"{var}=$(aws cloudformation describe-stacks --stack-name \"$STACK\" "
            f"--query \"Stacks[0].Outputs[?OutputKey=='{output}'].OutputValue\" --output text)")


def _connection(t: Template, stack: str) -> list[str]:
    dbs = [lid for lid in t.of_type(*DB_TYPES) if "DBClusterIdentifier" not in t.props(lid)]
    if not dbs:
        return []
    out = ["## Connecting", ""]
    for lid in dbs:
        p = t.props(lid)
        cluster = t.type(lid) == "AWS::RDS::DBCluster"
        engine = _db_engine(t, lid)
        pretty = ENGINE_NAMES.get(engine, engine or "database")
        out += [f"### {lid} ({pretty})", ""]
        host_out = t.output_for(lambda v: _getatt(v) == (lid, "Endpoint.Address"))
        port_out = t.output_for(lambda v: _getatt(v) == (lid, "Endpoint.Port"))
        cmds = ["```sh", f"STACK=${{STACK:-{stack}}}"]
        if host_out:
            cmds.append(_stack_output_cmd("HOST", host_out))
        else:
            ident = "--db-cluster-identifier" if cluster else "--db-instance-identifier"
            q = "DBClusters[0].Endpoint" if cluster else "DBInstances[0].Endpoint.Address"
            cmds.append(f"HOST=$(aws rds describe-db-{'clusters' if cluster else 'instances'} {ident} {_ident(t, lid)} "
                        f"--query {q} --output text)")
        if port_out:
            cmds.append(_stack_output_cmd("PORT", port_out))
        else:
            port = t.literal(p.get("Port")) or DEFAULT_PORTS.get(engine, "<port>")
            cmds.append(f"PORT={port}")
        cmds.append("```")
        out += cmds + [""]
        user = t.literal(p.get("MasterUsername"))
        user_s = str(user) if user is not None else "<user>"
        dbname = t.literal(p.get("DBName") if not cluster else p.get("DatabaseName"))
        dbname_s = str(dbname) if dbname is not None else ("postgres" if "postgres" in engine else "<database>")
        pg = "postgres" in engine
        out += ["#### IAM database authentication", ""]
        if _is_true(t.literal(p.get("EnableIAMDatabaseAuthentication"))):
            out += ["IAM authentication is on: a 15-minute token from your AWS credentials replaces the password. "
                    "The database user needs the `rds_iam` role"
                    + (f" (`GRANT rds_iam TO {user_s};`)" if pg else " (`CREATE USER ... IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'`)")
                    + ", and your IAM identity `rds-db:connect` on it.", "", "```sh",
                    "curl -sO https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem",
                    f"TOKEN=$(aws rds generate-db-auth-token --hostname \"$HOST\" --port \"$PORT\" --region \"$AWS_REGION\" "
                    f"--username {user_s})"]
            if pg:
                out.append(f"psql \"host=$HOST port=$PORT dbname={dbname_s} user={user_s} password=$TOKEN "
                           "sslmode=verify-full sslrootcert=global-bundle.pem\"")
            else:
                out.append(f"mysql --host \"$HOST\" --port \"$PORT\" --user {user_s} --password=\"$TOKEN\" "
                           "--enable-cleartext-plugin --ssl-ca=global-bundle.pem")
            out += ["```", ""]
        else:
            out += ["IAM authentication is off (`EnableIAMDatabaseAuthentication` is not `true`); connect with the "
                    "password below, or turn it on to use short-lived tokens instead.", ""]
        out += ["#### Secrets Manager", ""]
        secret_cmd = None
        secret_out = t.output_for(lambda v: _getatt(v) == (lid, "MasterUserSecret.SecretArn"))
        if _is_true(t.literal(p.get("ManageMasterUserPassword"))):
            if secret_out:
                secret_cmd = _stack_output_cmd("SECRET_ARN", secret_out)
            else:
                kind = "clusters" if cluster else "instances"
                ident = "--db-cluster-identifier" if cluster else "--db-instance-identifier"
                secret_cmd = (f"SECRET_ARN=$(aws rds describe-db-{kind} {ident} {_ident(t, lid)} "
                              f"--query 'DB{kind.capitalize()[:-1]}s[0].MasterUserSecret.SecretArn' --output text)")
            out.append("RDS manages the master password in Secrets Manager (`ManageMasterUserPassword`) and rotates it.")
        else:
            pw = p.get("MasterUserPassword")
            secret = next((s for s in _refs(pw) if t.type(s) == "AWS::SecretsManager::Secret"), None)
            if secret:
                out_name = t.output_for(lambda v: _ref(v) == secret)
                secret_cmd = _stack_output_cmd("SECRET_ARN", out_name) if out_name else \
                    f"SECRET_ARN=<ARN of {secret}>  # the physical id of {secret}"
                out.append(f"The master password is stored in the secret `{secret}`.")
            elif pw is not None:
                out.append("The master password comes from " + _code(t.show(pw)) + "; keep it in Secrets Manager instead "
                           "(`ManageMasterUserPassword: true`).")
        if secret_cmd:
            out += ["", "```sh", secret_cmd,
                    "PGPASSWORD=$(aws secretsmanager get-secret-value --secret-id \"$SECRET_ARN\" --query SecretString "
                    "--output text | jq -r .password)" if pg else
                    "DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id \"$SECRET_ARN\" --query SecretString "
                    "--output text | jq -r .password)"]
            if pg:
                out.append(f"PGPASSWORD=\"$PGPASSWORD\" psql \"host=$HOST port=$PORT dbname={dbname_s} user={user_s} "
                           "sslmode=require\"")
            else:
                out.append(f"mysql --host \"$HOST\" --port \"$PORT\" --user {user_s} --password=\"$DB_PASSWORD\" --ssl-mode=REQUIRED")
            out += ["```"]
        out.append("")
    return out[:-1]


def _refs(v: Any) -> list[str]:
    out: list[str] = []

    def walk(x: Any) -> None:
        fn = _intrinsic(x)
        if fn:
            k, y = fn
            if k == "Ref" and isinstance(y, str):
                out.append(y)
                return
            if k == "Fn::Sub":
                import re

                s = y[0] if isinstance(y, list) and y else y
                if isinstance(s, str):
                    out.extend(m.split(".", 1)[0] for m in re.findall(r"\$\{([^}!][^}]*)\}", s))
                if isinstance(y, list) and len(y) > 1:
                    walk(y[1])
                return
            if k == "Fn::GetAtt":
                g = _getatt(x)
                if g:
                    out.append(g[0])
                return
            walk(y)
        elif isinstance(x, dict):
            for z in x.values():
                walk(z)
        elif isinstance(x, list):
            for z in x:
                walk(z)

    walk(v)
    return out


def _performance(t: Template) -> list[str]:
    dbs = t.of_type(*DB_TYPES)
    groups = t.of_type(*PG_GROUP_TYPES)
    if not dbs:
        return []
    out = ["## Performance", ""]
    rows = []
    for lid in dbs:
        p = t.props(lid)
        cls = t.show(p.get("DBInstanceClass", p.get("DBClusterInstanceClass", "")))
        storage = t.show(p.get("StorageType", "")) or ("gp2" if "AllocatedStorage" in p else "")
        iops = t.show(p.get("Iops", ""))
        pi = "on" if _is_true(t.literal(p.get("EnablePerformanceInsights"))) else "off"
        group = p.get("DBParameterGroupName", p.get("DBClusterParameterGroupName"))
        rows.append([_code(lid), cls, storage + (f", {iops} IOPS" if iops else ""), pi,
                     t.show(group) if group is not None else "default (cannot be changed)"])
    out += _table(["Database", "Instance class", "Storage", "Performance Insights", "Parameter group"], rows)
    for g in groups:
        params = t.props(g).get("Parameters")
        out += ["", f"Parameter group `{g}` ({t.show(t.props(g).get('Family', '?'))}):", ""]
        if isinstance(params, dict) and params:
            out += _table(["Parameter", "Value", "Effect"],
                          [[_code(k), t.show(v), PG_PARAM_MEANING.get(k, "")] for k, v in params.items()])
        else:
            out.append("No parameters set: the family's defaults apply.")
    pg_stat = any(isinstance(t.props(g).get("Parameters"), dict)
                  and "pg_stat_statements" in str(t.props(g)["Parameters"].get("shared_preload_libraries", ""))
                  for g in groups)
    if pg_stat:
        out += ["", "The queries that cost the most (run `CREATE EXTENSION IF NOT EXISTS pg_stat_statements;` once per "
                "database first):", "", "```sql",
                "SELECT calls, round(total_exec_time) AS total_ms, round(mean_exec_time::numeric, 1) AS mean_ms, query",
                "FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 10;", "```"]
    slow = [g for g in groups if isinstance(t.props(g).get("Parameters"), dict)
            and "log_min_duration_statement" in t.props(g)["Parameters"]]
    if slow:
        out += ["", "Slow statements are written to the PostgreSQL log (RDS console > Logs & events, or CloudWatch Logs "
                "when `EnableCloudwatchLogsExports` includes `postgresql`)."]
    return out


def _security(t: Template) -> list[str]:
    out = ["## Security", ""]
    rows = []
    for lid in t.of_type(*DB_TYPES):
        p = t.props(lid)
        if "DBClusterIdentifier" in p:
            continue
        enc = "yes" if _is_true(t.literal(p.get("StorageEncrypted"))) else "no"
        if enc == "yes" and "KmsKeyId" in p:
            enc += f" ({t.show(p['KmsKeyId'])})"
        public = "yes" if _is_true(t.literal(p.get("PubliclyAccessible"))) else "no"
        iam = "on" if _is_true(t.literal(p.get("EnableIAMDatabaseAuthentication"))) else "off"
        if _is_true(t.literal(p.get("ManageMasterUserPassword"))):
            pw = "managed by RDS in Secrets Manager"
        elif "MasterUserPassword" in p:
            pw = _password_source(t, p["MasterUserPassword"])
        else:
            pw = "(from the source)" if "SourceDBInstanceIdentifier" in p else "(not set)"
        rows.append([_code(lid), enc, public, iam, pw])
    if rows:
        out += _table(["Database", "Encrypted at rest", "Public", "IAM auth", "Master password"], rows) + [""]
    brows = []
    for lid in t.of_type("AWS::S3::Bucket"):
        p = t.props(lid)
        pab = p.get("PublicAccessBlockConfiguration")
        blocked = isinstance(pab, dict) and all(_is_true(pab.get(k)) for k in
                                                ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"))
        enc = p.get("BucketEncryption")
        algo = "SSE-S3 (default)"
        if isinstance(enc, dict):
            rules = enc.get("ServerSideEncryptionConfiguration")
            if isinstance(rules, list) and rules and isinstance(rules[0], dict):
                d = rules[0].get("ServerSideEncryptionByDefault")
                if isinstance(d, dict):
                    algo = t.show(d.get("SSEAlgorithm", algo))
        brows.append([_code(lid), algo, "all blocked" if blocked else "not fully blocked"])
    if brows:
        out += _table(["Bucket", "Encryption", "Public access"], brows) + [""]
    srows = []
    for lid in t.of_type("AWS::EC2::SecurityGroup"):
        rules = t.props(lid).get("SecurityGroupIngress")
        for r in rules if isinstance(rules, list) else []:
            if not isinstance(r, dict):
                continue
            src = r.get("CidrIp", r.get("CidrIpv6", r.get("SourceSecurityGroupId", r.get("SourcePrefixListId"))))
            ports = t.show(r.get("FromPort", "all"))
            if r.get("ToPort") not in (None, r.get("FromPort")):
                ports += f"-{t.show(r.get('ToPort'))}"
            warn = " (open to the internet)" if src in ("0.0.0.0/0", "::/0") else ""
            srows.append([_code(lid), t.show(r.get("IpProtocol", "")), ports, t.show(src) + warn])
    if srows:
        out += _table(["Security group", "Protocol", "Ports", "Source"], srows) + [""]
    keys = t.of_type("AWS::KMS::Key")
    if keys:
        for k in keys:
            rot = "on" if _is_true(t.literal(t.props(k).get("EnableKeyRotation"))) else "off"
            out.append(f"- KMS key `{k}`: automatic rotation {rot}.")
        out.append("")
    if out[-1] == "":
        out = out[:-1]
    if len(out) == 2:
        out.append("Nothing security-relevant to report from the template.")
    return out


def _password_source(t: Template, v: Any) -> str:
    text = str(v)
    secrets = [s for s in _refs(v) if t.type(s) == "AWS::SecretsManager::Secret"]
    if secrets:
        return f"secret {secrets[0]} (dynamic reference)"
    if "{{resolve:secretsmanager:" in text:
        return "a Secrets Manager secret (dynamic reference)"
    if "{{resolve:ssm-secure:" in text:
        return "an SSM SecureString parameter (dynamic reference)"
    ref = _ref(v)
    if ref in t.params:
        echo = "NoEcho" if _is_true(t.params[ref].get("NoEcho") if isinstance(t.params[ref], dict) else None) else "not NoEcho!"
        return f"parameter {ref} ({echo})"
    if _intrinsic(v) is None:
        return "written in the template (move it to Secrets Manager)"
    return t.show(v)


def _policy(t: Template, lid: str, attr: str) -> str:
    v = t.resources[lid].get(attr)
    if isinstance(v, str):
        return v
    typ = t.type(lid)
    if typ in SNAPSHOT_DEFAULT_TYPES or (typ == "AWS::RDS::DBInstance" and "DBClusterIdentifier" not in t.props(lid)):
        return "Snapshot (default)"
    return "Delete (default)"


STATEFUL = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::S3::Bucket", "AWS::KMS::Key", "AWS::DynamoDB::Table",
            "AWS::EFS::FileSystem", "AWS::Logs::LogGroup", "AWS::SecretsManager::Secret", "AWS::SQS::Queue",
            "AWS::ElastiCache::ReplicationGroup", "AWS::EC2::Volume", "AWS::DocDB::DBCluster", "AWS::Neptune::DBCluster")


def _recovery(t: Template) -> list[str]:
    out = ["## Recovery and lifecycle", ""]
    rows = []
    for lid in t.resources:
        if t.type(lid) not in STATEFUL:
            continue
        if t.type(lid) == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in t.props(lid):
            continue
        dp = _policy(t, lid, "DeletionPolicy")
        urp = _policy(t, lid, "UpdateReplacePolicy")
        rows.append([_code(lid), t.type(lid), dp, urp, POLICY_MEANING.get(dp.split(" ")[0], "")])
    if rows:
        out += ["What happens to the data when the stack is deleted (`DeletionPolicy`) or an update replaces the "
                "resource (`UpdateReplacePolicy`):", ""]
        out += _table(["Resource", "Type", "On delete", "On replacement", "Meaning"], rows) + [""]
    for lid in t.of_type(*DB_TYPES):
        p = t.props(lid)
        if "DBClusterIdentifier" in p and t.type(lid) == "AWS::RDS::DBInstance":
            continue
        cluster = t.type(lid) == "AWS::RDS::DBCluster"
        retention = t.literal(p.get("BackupRetentionPeriod"))
        replica = "SourceDBInstanceIdentifier" in p
        lines = [f"### {lid}", ""]
        if replica:
            lines.append("- Read replica: no automated backups of its own unless `BackupRetentionPeriod` is set; "
                         "promote it with `aws rds promote-read-replica` if the source is lost.")
        else:
            ref = _ref(p.get("BackupRetentionPeriod"))
            days = retention if retention is not None else (None if ref else 1)
            try:
                days = int(days)
            except (TypeError, ValueError):
                pass
            if ref:
                src = f" (the default of parameter `{ref}`)"
            else:
                src = "" if retention is not None else " (the default: `BackupRetentionPeriod` is not set)"
            if days is None:
                lines.append(f"- Point-in-time recovery: the number of days parameter `{ref}` gives.")
            elif days == 0:
                lines.append("- Automated backups are off (`BackupRetentionPeriod: 0`): no point-in-time recovery.")
            else:
                lines.append(f"- Point-in-time recovery: any second of the last {days} day{'s' if days != 1 else ''}{src}.")
                kind = "cluster" if cluster else "instance"
                lines += ["", "  ```sh",
                          f"  aws rds restore-db-{kind}-to-point-in-time --source-db-{kind}-identifier {_ident(t, lid)} \\",
                          f"    --target-db-{kind}-identifier <new-identifier> --restore-time <YYYY-MM-DDThh:mm:ssZ>",
                          "  ```", ""]
        dp = _policy(t, lid, "DeletionPolicy")
        if dp.startswith("Snapshot"):
            lines.append("- Deleting the stack leaves a final snapshot: `aws rds describe-db-snapshots"
                         + (" --snapshot-type manual`" if not cluster else "` (cluster snapshots: `describe-db-cluster-snapshots`)") + ".")
        elif dp.startswith("Delete"):
            lines.append("- Deleting the stack deletes the database and its automated backups: take a manual snapshot first.")
        if _is_true(t.literal(p.get("DeletionProtection"))):
            lines.append("- `DeletionProtection` is on: deleting the stack fails until it is turned off.")
        if _is_true(t.literal(p.get("MultiAZ"))):
            lines.append("- Multi-AZ: a standby in another Availability Zone takes over automatically on failure.")
        out += lines + [""]
    for lid in t.of_type("AWS::S3::Bucket"):
        ver = t.props(lid).get("VersioningConfiguration")
        on = isinstance(ver, dict) and ver.get("Status") == "Enabled"
        out.append(f"- Bucket `{lid}`: " + ("versioning is on: overwritten and deleted objects can be restored from "
                                             "earlier versions." if on else "versioning is off: an overwritten or deleted "
                                             "object cannot be recovered."))
    for lid in t.of_type("AWS::KMS::Key"):
        window = t.literal(t.props(lid).get("PendingWindowInDays")) or 30
        out.append(f"- KMS key `{lid}`: a scheduled deletion waits {window} days and can be cancelled with "
                   "`aws kms cancel-key-deletion`; once deleted, everything encrypted with it is unreadable.")
    while out and out[-1] == "":
        out.pop()
    if len(out) == 2:
        out.append("The template holds no stateful resources.")
    return out


def _monitoring(t: Template) -> list[str]:
    out = ["## Monitoring", ""]
    alarms = t.of_type("AWS::CloudWatch::Alarm")
    if alarms:
        rows = []
        ops = {"GreaterThanThreshold": ">", "GreaterThanOrEqualToThreshold": ">=", "LessThanThreshold": "<",
               "LessThanOrEqualToThreshold": "<="}
        for a in alarms:
            p = t.props(a)
            cond = f"{t.show(p.get('Statistic', ''))} {ops.get(str(p.get('ComparisonOperator')), t.show(p.get('ComparisonOperator', '')))} " \
                   f"{t.show(p.get('Threshold', ''))}".strip()
            if "EvaluationPeriods" in p:
                cond += f" for {t.show(p['EvaluationPeriods'])} x {t.show(p.get('Period', '?'))} s"
            actions = ", ".join(t.show(x) for x in p.get("AlarmActions", [])) if isinstance(p.get("AlarmActions"), list) else ""
            rows.append([_code(a), f"{t.show(p.get('Namespace', ''))} {t.show(p.get('MetricName', ''))}".strip(), cond,
                         actions or "none"])
        out += _table(["Alarm", "Metric", "Condition", "Actions"], rows) + [""]
    else:
        out += ["No CloudWatch alarms are defined.", ""]
    facts = []
    for lid in t.of_type(*DB_TYPES):
        p = t.props(lid)
        if "DBClusterIdentifier" in p and t.type(lid) == "AWS::RDS::DBInstance":
            continue
        logs = p.get("EnableCloudwatchLogsExports")
        facts.append(f"- `{lid}`: logs exported to CloudWatch: "
                     + (", ".join(t.show(x) for x in logs) if isinstance(logs, list) and logs else "none")
                     + f"; Performance Insights {'on' if _is_true(t.literal(p.get('EnablePerformanceInsights'))) else 'off'}"
                     + f"; Enhanced Monitoring {'every ' + t.show(p['MonitoringInterval']) + ' s' if str(t.literal(p.get('MonitoringInterval')) or 0) not in ('0', '') else 'off'}.")
    for lid in t.of_type(*PG_GROUP_TYPES):
        params = t.props(lid).get("Parameters")
        if isinstance(params, dict):
            bits = []
            if "log_min_duration_statement" in params:
                bits.append(f"statements slower than {t.show(params['log_min_duration_statement'])} ms")
            if _is_true(str(params.get("log_connections", "")).replace("1", "true")):
                bits.append("connections")
            if _is_true(str(params.get("log_disconnections", "")).replace("1", "true")):
                bits.append("disconnections")
            if bits:
                facts.append(f"- `{lid}` logs " + ", ".join(bits) + ".")
    for lid in t.of_type("AWS::Logs::LogGroup"):
        r = t.props(lid).get("RetentionInDays")
        facts.append(f"- Log group `{lid}`: " + (f"kept {t.show(r)} days." if r is not None else "kept forever (no RetentionInDays)."))
    links = [n for n, o in t.outputs.items() if isinstance(o, dict) and "console.aws.amazon.com" in str(o.get("Value"))]
    for n in links:
        facts.append(f"- Console link in output `{n}`.")
    out += facts
    while out and out[-1] == "":
        out.pop()
    return out


def render(plain: dict, *, template_name: str, stack: str) -> str:
    """The runbook for a template (its plain form), as Markdown."""
    t = Template(plain, template_name)
    title = stack
    desc = plain.get("Description")
    lines = [f"# {title}: operations runbook", "",
             f"Generated by `autofix docs` from `{template_name}`; regenerate it when the template changes.", ""]
    if isinstance(desc, str) and desc.strip():
        lines += ["> " + " ".join(desc.split()), ""]
    sections = [_overview(t), _parameters(t), _outputs(t), _deploy(t, stack, template_name), _connection(t, stack),
                _performance(t), _security(t), _recovery(t), _monitoring(t)]
    names = [s[0][3:] for s in sections if s]
    lines += ["Contents: " + " · ".join(f"[{n}](#{n.lower().replace(' ', '-')})" for n in names), ""]
    for s in sections:
        if s:
            lines += s + [""]
    text = "\n".join(lines).rstrip("\n") + "\n"
    return text


def stack_name_for(path: str) -> str:
    """A stack name from the file: its stem, or its folder's name for `template.yaml`."""
    import re

    p = os.path.abspath(path)
    stem = os.path.splitext(os.path.basename(p))[0]
    if stem.lower() in ("template", "main", "stack", "cfn", "cloudformation", "index"):
        stem = os.path.basename(os.path.dirname(p)) or stem
    name = re.sub(r"[^A-Za-z0-9-]+", "-", stem).strip("-") or "stack"
    if not name[0].isalpha():
        name = "stack-" + name
    return name[:128]


def load(path: str) -> dict:
    from autofix.cfn.document import Document, decode

    with open(path, "rb") as fh:
        text, _ = decode(fh.read())
    return Document(text).plain


@click.command("docs")
@click.argument("template", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), default=None,
              help="Write the Markdown here instead of standard output.")
@click.option("--stack-name", default=None, help="Stack name used in the commands (default: from the file name).")
def docs(template: str, output: str | None, stack_name: str | None) -> None:
    """Write an operations runbook (Markdown) derived from TEMPLATE."""
    from autofix.cfn.document import NotATemplate, TemplateError

    try:
        plain = load(template)
    except OSError as e:
        click.echo(f"error: {template}: cannot read: {e.strerror or e}", err=True)
        sys.exit(2)
    except (TemplateError, NotATemplate) as e:
        where = f"{template}:{e.line}" if getattr(e, "line", 0) else template
        click.echo(f"error: {where}: {getattr(e, 'message', str(e))}", err=True)
        sys.exit(2)
    text = render(plain, template_name=os.path.basename(template), stack=stack_name or stack_name_for(template))
    if output:
        with open(output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
