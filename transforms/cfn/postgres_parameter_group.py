from autofix.cfn.document import Tagged
from autofix.fixes import Applicability
from autofix.rules import Rule

from ._edits import insert_spaced, literal_str, merge_edits, ref_target, unique_id
from ._lifecycle import is_cluster_member
from ._naming import guard_create_only
from ._postgres import PG_ENGINES, STATIC, engine_of, family_for, version_candidates, wanted

KINDS = {
    # db type -> (group type, property on the db, logical id suffix)
    "AWS::RDS::DBInstance": ("AWS::RDS::DBParameterGroup", "DBParameterGroupName", "ParameterGroup"),
    "AWS::RDS::DBCluster": ("AWS::RDS::DBClusterParameterGroup", "DBClusterParameterGroupName", "ClusterParameterGroup"),
}


class PostgresParameterGroup(Rule):
    """
    What it does:
        A PostgreSQL database that uses no parameter group of its own (an `AWS::RDS::DBInstance`
        outside a cluster, or an `AWS::RDS::DBCluster`, with engine `postgres` or
        `aurora-postgresql`) gets one: a new `AWS::RDS::DBParameterGroup` (or
        `DBClusterParameterGroup`) right after it, with the family of its `EngineVersion` (from
        the engine-version catalog: `14.7` -> `postgres14`) and the settings of
        `postgres-parameters` (AF403), attached through `DBParameterGroupName` (or
        `DBClusterParameterGroupName`).  A read replica in the same template follows its
        source's parameter group once the source has one.  A database whose version cannot be
        told (no `EngineVersion`, or a parameter without `AllowedValues` spanning one family) is
        reported, not changed.

    Why:
        The default parameter group cannot be modified, so a database on it can never get
        slow-query logging or a changed setting without first moving to its own group, which
        takes a reboot; better to have one from the first deploy.

    Example:
        Db:                                        Db:
          Type: AWS::RDS::DBInstance                 Type: AWS::RDS::DBInstance
          Properties:                                Properties:
            Engine: postgres               ->          Engine: postgres
            EngineVersion: '14.7'                      EngineVersion: '14.7'
                                                       DBParameterGroupName: !Ref DbParameterGroup
                                                   DbParameterGroup:
                                                     Type: AWS::RDS::DBParameterGroup
                                                     Properties:
                                                       Family: postgres14
                                                       ...

    Fix safety:
        Unsafe: moving a running database to another parameter group modifies it, and the new
        group (its static `shared_preload_libraries` above all) takes effect only after a
        reboot, a short outage; the schema lists `DBParameterGroupName` as create-only in some
        cases.  It does not replace the database in the ordinary case.
    """

    code = "AF404"
    opt_in = True  # a team convention: runs when selected (e.g. extend-select = ["AF4"])
    name = "postgres-parameter-group"
    summary = "PostgreSQL databases use a parameter group of their own with the AF403 settings"
    source_url = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithParamGroups.html"
    resource_types = tuple(KINDS)
    applicability = Applicability.UNSAFE

    def check(self, ctx):
        doc = ctx.doc
        want = wanted(ctx)
        for res in doc.resources():
            if res.type not in KINDS or res.properties is None:
                continue
            group_type, prop, suffix = KINDS[res.type]
            if res.type == "AWS::RDS::DBInstance" and is_cluster_member(res):
                continue
            if res.prop(prop) is not None:
                continue
            source = ref_target(res.prop("SourceDBInstanceIdentifier")) if res.type == "AWS::RDS::DBInstance" else None
            src = doc.resource(source) if source else None
            if src is not None:
                fix = self._follow_source(ctx, res, src, prop)
                if fix is not None:
                    yield fix
                continue
            engine = engine_of(res)
            if engine not in PG_ENGINES or (res.type == "AWS::RDS::DBInstance" and engine != "postgres"):
                continue
            versions, why = version_candidates(doc, res)
            families = {family_for(ctx, engine, v) for v in versions} if versions else set()
            if not versions or None in families or len(families) != 1:
                if versions and len(families) > 1:
                    why = f"its EngineVersion can be of several families ({', '.join(sorted(f for f in families if f))})"
                elif versions:
                    why = f"no parameter group family is known for {engine} {versions[0]}"
                yield self.fix(f"PostgreSQL database {res.logical_id} uses the default parameter group; {why}: "
                               "create one by hand", res.key, resource=res, applicability=Applicability.DISPLAY_ONLY)
                continue
            family = families.pop()
            if suffix.startswith("Cluster") and res.logical_id.endswith("Cluster"):
                suffix = suffix[len("Cluster"):]  # AuroraCluster -> AuroraClusterParameterGroup
            gid = unique_id(doc, f"{res.logical_id}{suffix}")
            group: dict = {"Type": group_type}
            cond = literal_str(res.attribute("Condition"))
            if cond:
                group["Condition"] = cond
            group["Properties"] = {
                "Description": f"PostgreSQL settings for {res.logical_id}: pg_stat_statements, slow-query and connection logging",
                "Family": family,
                "Parameters": dict(want),
            }
            after = next((k for k in ("EngineVersion", "Engine") if res.prop(k) is not None), None)
            edits = merge_edits([
                doc.insert_entries(res.properties, [(prop, Tagged("Ref", gid))], after=after),
                insert_spaced(doc, doc.resources_node, [(gid, group)], after=res.logical_id),
            ])
            static = sorted(k for k in want if k in STATIC)
            fix = self.fix(
                f"PostgreSQL database {res.logical_id} uses the default parameter group: adds {gid} ({family}) "
                f"and sets {prop}",
                res.key, edits=edits, resource=res,
                paths=[("Resources", gid), res.path + ("Properties", prop)],
                applicability=Applicability.UNSAFE,
                unsafe_reason=f"moves {res.logical_id} to a new parameter group, which takes effect after a reboot",
                notes=[f"reboot {res.logical_id} after the update: {', '.join(static)} (static) and the group change "
                       "apply only then", "then run CREATE EXTENSION IF NOT EXISTS pg_stat_statements; in each database"],
                after=f"{prop}: !Ref {gid}",
            )
            yield guard_create_only(fix, doc, ctx.settings.region or "us-east-1")

    def _follow_source(self, ctx, res, src, prop):
        """A read replica gets its source's parameter group (when that is one of the template's)."""
        doc = ctx.doc
        if engine_of(src) != "postgres" or (engine_of(res) not in (None, "postgres")):
            return None
        gid = ref_target(src.prop(prop))
        if not gid or doc.resource(gid) is None:
            return None
        after = next((k for k in ("EngineVersion", "Engine", "SourceDBInstanceIdentifier") if res.prop(k) is not None), None)
        fix = self.fix(
            f"PostgreSQL read replica {res.logical_id} uses the default parameter group: sets {prop} to its source's {gid}",
            res.key, edits=[doc.insert_entries(res.properties, [(prop, Tagged("Ref", gid))], after=after)],
            paths=[res.path + ("Properties", prop)], resource=res, applicability=Applicability.UNSAFE,
            unsafe_reason=f"moves {res.logical_id} to another parameter group, which takes effect after a reboot",
            notes=[f"reboot {res.logical_id} after the update for the group to take effect"],
            after=f"{prop}: !Ref {gid}",
        )
        return guard_create_only(fix, doc, ctx.settings.region or "us-east-1")
