from autofix.fixes import Applicability
from autofix.rules import Rule

from . import _versions as v


class EngineVersionAvailable(Rule):
    """
    What it does:
        Checks the `EngineVersion` of RDS instances and clusters, ElastiCache clusters and
        replication groups, DocumentDB and Neptune clusters against the version catalog
        (`autofix catalog show`).  A version that is deprecated, unknown, or not offered in the
        selected region becomes the newest available version of the same major.  The value is
        fixed where it is set: inline, in the `Default` of the Parameter it `!Ref`s (the new
        version is added to `AllowedValues` next to the old one), or in the Mappings entry a
        `!FindInMap` with literal keys names.  A value that cannot be resolved statically
        (`!If`, `!Sub`, a Parameter without Default) is reported, never guessed.

    Why:
        AWS stops offering minor versions all the time.  A template that asks for one fails at
        once ("Cannot find version 14.7 for postgres"); the rollback can leave other resources
        half-created for a person to clean up.  A value that names only the major (`'14'`,
        `'8.0'`) is valid: AWS picks the default minor.

    Settings:
        [versions]
        policy = "fix-invalid"   # default: only versions that cannot be used
        # "latest-minor": also move valid but older minors to the newest one
        # "major-only":   write the major alone ('14', '8.0', '10.6') for RDS PostgreSQL, MySQL
        #                 and MariaDB, letting AWS pick the default minor
        region = "eu-west-1"      # top-level setting (or --region, AWS_REGION): regional availability

    Example:
        Db:                                   Db:
          Type: AWS::RDS::DBInstance            Type: AWS::RDS::DBInstance
          Properties:                  ->       Properties:
            Engine: postgres                      Engine: postgres
            EngineVersion: '14.7'                 EngineVersion: '14.24'

    Fix safety:
        Safe: the major stays the same, so the application and the parameter group family keep
        working.  On a deployed stack the change is a minor version upgrade, done in place
        with a short outage (the fix's note says so).  A major that has no valid version left,
        or has left standard support, is AF202's business.
    """

    code = "AF201"
    name = "engine-version-available"
    summary = "Database and cache EngineVersion is one AWS still offers (newest minor of the same major)"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html#cfn-rds-dbinstance-engineversion"
    resource_types = tuple(v.VERSIONED_TYPES)
    cfn_lint = ("E3690", "W3690", "E3691", "W3691", "E3695")

    def check(self, ctx):
        cat = ctx.catalog
        pol = v.policy(ctx)
        region = v.region(ctx)
        doc = ctx.doc
        for group in v.groups(doc, v.version_sites(doc)):
            engines = group.engines
            if any((s.raw_engine or "").lower() == "aurora" for s in group.sites):
                continue  # the retired MySQL 5.6-compatible Aurora: AF202 reports it
            if len(engines) > 1:
                yield self.fix(
                    f"{group.describe(group.target.value or '', group.target.where if group.target.kind == 'unresolved' else '')}"
                    f" is used as the version of different engines ({', '.join(engines)}); give each engine its own value",
                    group.first.node, resource=group.first.res, applicability=Applicability.DISPLAY_ONLY,
                )
                continue
            engine = group.engine
            if not v.has_data(cat, engine):
                continue  # nothing known about this engine (e.g. Neptune in the bundled snapshot)
            if group.target.kind == "unresolved":
                yield from self._unresolved(cat, group, engine, region)
                continue
            yield from self._resolved(ctx, cat, doc, group, engine, pol, region)

    def _resolved(self, ctx, cat, doc, group, engine, pol, region):
        t = group.target
        verdict = v.judge(cat, engine, t.value, region)
        src = v.catalog_label(cat)
        if verdict.status == "ahead" or verdict.status == "unknown-major":
            yield self.fix(
                f"{group.describe(t.value, engine)} {verdict.why}; the catalog ({src}) may be out of date: "
                "run `autofix catalog update`",
                t.node, resource=group.first.res, applicability=Applicability.DISPLAY_ONLY,
            )
            return
        if verdict.status not in ("invalid", "older") or (verdict.status == "older" and pol != "latest-minor"):
            return
        new = verdict.replacement(pol)
        if new == t.value:
            return
        how = (
            f"'{new}' (the major alone: {v.SERVICE[engine]} picks the default minor, newest now {verdict.best.version})"
            if new == verdict.major
            else f"{new}, the newest available {engine} {verdict.major} version"
        )
        message = f"{group.describe(t.value, engine)} {verdict.why} -> {how} [catalog: {src}]"
        edits, paths, problem = v.set_value(doc, t, new)
        short = t.path[-1] if t.kind == "literal" else "/".join(t.path)
        if problem:
            yield self.fix(f"{message}; not changed: {problem}", t.node, resource=group.first.res,
                           applicability=Applicability.DISPLAY_ONLY, before=f"{short}: {t.value}", after=f"{short}: {new}")
            return
        verb = "is" if len(group.sites) == 1 else "are"
        yield self.fix(
            message, t.node, edits=edits, paths=paths, resource=group.first.res,
            before=f"{short}: {t.value}", after=f"{short}: {new}",
            notes=[f"on a deployed stack, {group.who} {verb} upgraded in place to the new minor version (a short outage)"],
        )

    def _unresolved(self, cat, group, engine, region):
        t = group.target
        bad = []
        for value in dict.fromkeys(t.candidates):
            verdict = v.judge(cat, engine, value, region)
            if verdict.status in ("invalid", "retired"):
                fix = f" (use {verdict.best.version})" if verdict.best is not None else ""
                bad.append(f"{value}, which {verdict.why}{fix}")
        if bad:
            message = f"{group.label} can be {'; or '.join(bad)}; not changed because {t.reason}"
        elif t.opaque:
            message = f"{group.label}: the {engine} version cannot be checked against the catalog because {t.reason}"
        else:
            return
        yield self.fix(message, group.first.node, resource=group.first.res, applicability=Applicability.DISPLAY_ONLY)
