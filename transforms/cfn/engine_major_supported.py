from autofix.awsdata import property_names
from autofix.catalog import version_key
from autofix.fixes import Applicability
from autofix.rules import Rule

from . import _versions as v

RETIRED_CFN_LINT = ("E3690", "W3690", "E3691", "W3691", "E3695")


class EngineMajorSupported(Rule):
    """
    What it does:
        Reports an `EngineVersion` whose major version AWS no longer offers at all (PostgreSQL
        9.6, Redis 2.8, ...), or whose major has left standard support (the catalog's
        end-of-standard-support date is past; `autofix catalog update` brings these dates from
        `rds.describe_db_major_engine_versions`).  It offers the upgrade to the newest major as
        an unsafe fix: the new version (where it is set: inline, Parameter Default, Mappings
        entry), `AllowMajorVersionUpgrade: true` on the resources that have that property, and
        the `Family` of a parameter group only this database uses.

    Why:
        A retired major cannot be created at all; a major past standard support is moved to RDS
        Extended Support, which is billed per vCPU-hour on top of the instance, or is upgraded
        by AWS during a maintenance window.  Either way the team should plan the upgrade.

    Settings:
        [versions]
        policy = "major-only"   # write the new major alone ('17') where RDS accepts it
        today = "2026-01-01"    # the date to compare support dates with (default: today)

    Example:
        Db:                                   Db:
          Type: AWS::RDS::DBInstance            Type: AWS::RDS::DBInstance
          Properties:                  ->       Properties:
            Engine: postgres                      Engine: postgres
            EngineVersion: '9.6.24'               EngineVersion: '18.6'
                                                  AllowMajorVersionUpgrade: true

    Fix safety:
        Unsafe: a major upgrade can break the application (SQL, extensions, client drivers); on
        a deployed stack the database is upgraded in place with downtime and cannot be
        downgraded, and RDS may only allow it through intermediate majors.  Changing a
        parameter group's Family replaces the group.  Applied only with --unsafe-fixes.
    """

    code = "AF202"
    name = "engine-major-supported"
    summary = "Database and cache engine majors that AWS retired or no longer supports as standard are upgraded (unsafe)"
    source_url = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support.html"
    resource_types = tuple(v.VERSIONED_TYPES)
    applicability = Applicability.UNSAFE

    def check(self, ctx):
        cat = ctx.catalog
        pol = v.policy(ctx)
        region = v.region(ctx)
        today = v.today(ctx)
        doc = ctx.doc
        users = None
        for group in v.groups(doc, v.version_sites(doc)):
            t = group.target
            if t.kind == "unresolved" or group.engine is None:
                continue  # AF201 reports these
            if any((s.raw_engine or "").lower() == "aurora" for s in group.sites):
                yield self.fix(
                    f"{group.describe(t.value)}: the `aurora` engine (Aurora MySQL version 1, MySQL 5.6-compatible) is retired; "
                    "move to Engine `aurora-mysql` with a version AWS offers (a migration, not an in-place fix)",
                    t.node, resource=group.first.res, applicability=Applicability.DISPLAY_ONLY,
                )
                continue
            engine = group.engine
            if not v.has_data(cat, engine):
                continue
            verdict = v.judge(cat, engine, t.value, region)
            lint = ()
            notes = []
            if verdict.status == "retired":
                why = verdict.why
                lint = RETIRED_CFN_LINT
            elif verdict.status in ("valid", "older", "invalid"):
                end = cat.major_end_of_standard_support(engine, verdict.major)
                end_date = v.parse_date(end)
                if end_date is None or end_date >= today:
                    continue
                service = v.SERVICE[engine]
                why = f"is {engine} {verdict.major}, whose standard support ended on {end}"
                notes.append(f"past that date {service} runs it under paid extended support (billed per vCPU-hour) "
                             "or upgrades it during a maintenance window")
            else:
                continue
            best = v.newest_major(cat, engine, region)
            if best is None or version_key(best.major) <= version_key(verdict.major or ""):
                if verdict.status == "retired":
                    yield self.fix(f"{group.describe(t.value, engine)} {why}, and the catalog knows no newer major",
                                   t.node, resource=group.first.res, applicability=Applicability.DISPLAY_ONLY, cfn_lint=lint)
                continue
            new = best.major if pol == "major-only" and engine in v.MAJOR_ONLY_ENGINES else best.version
            if users is None:
                users = v.parameter_group_users(doc)
            yield self._upgrade(ctx, cat, doc, group, engine, verdict, why, best, new, users, lint, notes)

    def _upgrade(self, ctx, cat, doc, group, engine, verdict, why, best, new, users, lint, notes):
        t = group.target
        short = t.path[-1] if t.kind == "literal" else "/".join(t.path)
        message = (f"{group.describe(t.value, engine)} {why} -> {new}, the newest {engine} {best.major} version "
                   f"(a major version upgrade) [catalog: {v.catalog_label(cat)}]")
        edits, paths, problem = v.set_value(doc, t, new)
        if problem:
            return self.fix(f"{message}; not changed: {problem}", t.node, resource=group.first.res,
                            applicability=Applicability.DISPLAY_ONLY, cfn_lint=lint)
        before, after = [f"{short}: {t.value}"], [f"{short}: {new}"]
        # AllowMajorVersionUpgrade where the resource type has it (AWS::RDS::DBInstance)
        seen = set()
        for site in group.sites:
            res = site.res
            if res.logical_id in seen or "AllowMajorVersionUpgrade" not in (property_names(res.type) or ()):
                continue
            seen.add(res.logical_id)
            node = res.prop("AllowMajorVersionUpgrade")
            path = res.path + ("Properties", "AllowMajorVersionUpgrade")
            if node is None:
                edits.append(doc.insert_entries(res.properties, [("AllowMajorVersionUpgrade", True)], after="EngineVersion"))
            elif v.is_plain_scalar(node) and v.editable(doc, v.mapping_key(res.properties, "AllowMajorVersionUpgrade"), node):
                if str(node.value).lower() == "true":
                    continue
                edits.append(doc.replace(node, True))
            else:
                notes.append(f"{res.logical_id}: AllowMajorVersionUpgrade must be true for the upgrade")
                continue
            paths.append(path)
            before.append(f"{res.logical_id} AllowMajorVersionUpgrade: {'(unset)' if node is None else node.value}")
            after.append(f"{res.logical_id} AllowMajorVersionUpgrade: true")
        family_changes = self._families(cat, doc, group, engine, new, users, edits, paths, before, after, notes)
        kind = "cache cluster" if v.SERVICE[engine] == "ElastiCache" else "database"
        reason = (f"a major version upgrade ({engine} {verdict.major} -> {best.major}): test the application against it; "
                  f"a deployed {kind} is upgraded in place with downtime, cannot be downgraded, and may need "
                  "intermediate majors")
        if family_changes:
            reason += "; changing a parameter group's Family replaces the group"
            message += "; " + ", ".join(family_changes)
        return self.fix(
            message, t.node, edits=edits, paths=paths, resource=group.first.res,
            unsafe_reason=reason, notes=notes, cfn_lint=lint, replaces_resource=bool(family_changes),
            before="; ".join(before), after="; ".join(after),
        )

    def _families(self, cat, doc, group, engine, new, users, edits, paths, before, after, notes):
        """Family edits for the parameter groups the upgraded databases (and, for a cluster,
        its member instances) use, when no other database uses them."""
        dbs = {s.res.logical_id: s.res for s in group.sites}
        for res in list(dbs.values()):
            if res.type == "AWS::RDS::DBCluster":
                for member in doc.resources():
                    if member.type != "AWS::RDS::DBInstance" or member.prop("EngineVersion") is not None:
                        continue
                    cluster = v.resource_by_ref(doc, member.prop("DBClusterIdentifier"), res.type)
                    if cluster is not None and cluster.logical_id == res.logical_id:
                        dbs[member.logical_id] = member
        changes, done = [], set()
        expected = cat.family_for(engine, new)
        for res in dbs.values():
            for prop, pg_type in v.PARAMETER_GROUP_LINKS.get(res.type, ()):
                pg = v.resource_by_ref(doc, res.prop(prop), pg_type)
                if pg is None or pg.logical_id in done:
                    continue
                done.add(pg.logical_id)
                fam_prop = v.PARAMETER_GROUP_TYPES[pg_type][0]
                node = pg.prop(fam_prop)
                current = v.value_text(node)
                if expected is None or current is None or not v.editable(doc, v.mapping_key(pg.properties, fam_prop), node):
                    notes.append(f"parameter group {pg.logical_id} must be of family {expected or 'the new major'}")
                    continue
                if current.lower() == expected.lower():
                    continue
                others = sorted({u.db.logical_id for u in users.get(pg.logical_id, ())} - set(dbs))
                if others:
                    notes.append(f"parameter group {pg.logical_id} also serves {', '.join(others)}: give {res.logical_id} "
                                 f"one of family {expected}")
                    continue
                edits.append(doc.replace(node, expected))
                paths.append(pg.path + ("Properties", fam_prop))
                before.append(f"{pg.logical_id} {fam_prop}: {current}")
                after.append(f"{pg.logical_id} {fam_prop}: {expected}")
                changes.append(f"parameter group {pg.logical_id} {fam_prop} {current} -> {expected}")
        return changes
