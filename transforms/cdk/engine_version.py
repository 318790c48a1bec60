from __future__ import annotations

import functools

import libcst as cst

from autofix.catalog.judge import CDK_MAJOR_ONLY_ENGINES
from autofix.cdk.data import cdk_data
from autofix.cdk.document import CdkDocument, last_name
from autofix.fixes import Applicability, Edit
from autofix.rules import Rule
from . import _common as v

RDS = "aws_cdk.aws_rds."
UPGRADE_NOTE = (
    "a deployed database is upgraded to the new minor version when this is deployed "
    "(a short outage during the engine upgrade)"
)


def _string_arg(call: cst.Call, position: int, suffix: str) -> cst.Arg | None:
    """The argument at `position`, or the keyword ending in `suffix` (`postgres_full_version`)."""
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if len(positional) > position:
        return positional[position]
    for a in call.args:
        if a.keyword is not None and a.keyword.value.endswith(suffix):
            return a
    return None


def _literal(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _requote(node: cst.SimpleString, value: str) -> str:
    """`'14.7'` -> `'14.24'`: same prefix and quotes."""
    body = node.value[len(node.prefix):]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[0]
    return f"{node.prefix}{quote}{value}{quote}"


def _quote_style(doc: CdkDocument) -> str:
    """The quote the file's string literals use most; double quotes on a tie."""
    counts = {'"': 0, "'": 0}

    class V(cst.CSTVisitor):
        def visit_SimpleString(self, n: cst.SimpleString) -> None:
            q = n.value[len(n.prefix):][:1]
            if q in counts and not n.value[len(n.prefix):].startswith(q * 3):
                counts[q] += 1

    doc.module.visit(V())
    return "'" if counts["'"] > counts['"'] else '"'


def _has_comment(node: cst.CSTNode) -> bool:
    found = []

    class V(cst.CSTVisitor):
        def visit_Comment(self, n: cst.Comment) -> None:
            found.append(n)

    node.visit(V())
    return bool(found)


class CdkEngineVersion(Rule):
    """
    What it does:
        Finds RDS engine versions in CDK Python apps that RDS does not offer (any more):
        `rds.PostgresEngineVersion.VER_14_7`, `AuroraPostgresEngineVersion`, `MysqlEngineVersion`,
        `MariaDbEngineVersion`, `AuroraMysqlEngineVersion` constants and their
        `.of("14.7", "14")` forms.  A version that the catalog lists as deprecated, or does not
        list at all, becomes the newest available version of the same major: the aws-cdk-lib
        constant when there is one (`VER_14_15`), else `.of("14.24", "14")` with the engine
        features aws-cdk-lib gives that major (`s3_import` / `s3_export`).  Every import style
        works (`from aws_cdk import aws_rds as rds`, `import aws_cdk.aws_rds as rds`,
        `from aws_cdk.aws_rds import PostgresEngineVersion`, `cdk.aws_rds.PostgresEngineVersion`).

    Why:
        Creating a database on a version RDS no longer offers fails at once ("Cannot find version
        14.7 for postgres"); the rollback can leave other resources stuck.  The major is never
        changed: that is an upgrade to plan, not a fix.  A major with no available version left
        is reported without a fix.

    Settings:
        [versions]
        policy = "fix-invalid"   # default; "latest-minor" also bumps valid older minors;
                                 # "major-only" writes the major (`VER_14`) and lets RDS pick
        region = ...             # top-level `region` selects per-region availability

    Example:
        engine=rds.DatabaseInstanceEngine.postgres(      engine=rds.DatabaseInstanceEngine.postgres(
            version=rds.PostgresEngineVersion.VER_14_7  ->   version=rds.PostgresEngineVersion.of("14.24", "14", s3_export=True, s3_import=True)
        )                                                )

    Fix safety:
        Safe: a minor version within the same major.  Deploying it upgrades an existing
        database (a short outage); the report says so.  An aws-cdk-lib older than the one
        autofix's data came from may lack a newer constant: use `.of(...)` there.  In a CDK v1
        app (`aws_cdk.core`) the fix always writes `.of(...)`.
    """

    code = "AF501"
    name = "cdk-engine-version"
    summary = "CDK RDS engine versions that RDS does not offer become the newest version of the same major"
    source_url = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBEngineVersions.html"
    resource_types = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")
    language = "cdk"

    def check(self, ctx):
        doc: CdkDocument = ctx.doc
        data = cdk_data()
        policy = v.version_policy(ctx)
        quote = functools.cache(lambda: _quote_style(doc))  # computed once, when first needed
        classes: set[str] = set()
        for cls in data.engines:
            classes |= doc.local_names(cls)
        for attr in doc.attributes:
            member = attr.attr.value
            if not (member == "of" or member.startswith("VER_")) or last_name(attr.value) not in classes:
                continue  # cheap syntactic filter before resolving imports
            name = doc.cdk_name(attr)
            if not name or not name.startswith(RDS):
                continue
            parts = name.split(".")
            if len(parts) != 4 or parts[2] not in data.engines:
                continue
            cls = parts[2]
            if member == "of":
                call = doc.call_of(attr)
                if call is not None:
                    fix = self._check_of(ctx, cls, attr, call, policy, quote)
                    if fix:
                        yield fix
                continue
            const = data.constant(cls, member)
            if const is None:
                continue  # not a version constant this data knows (a newer aws-cdk-lib?)
            fix = self._check(ctx, cls, const.version, attr, None, policy, quote)
            if fix:
                yield fix

    def _check(self, ctx, cls, version, attr: cst.Attribute, call: cst.Call | None, policy, quote):
        doc: CdkDocument = ctx.doc
        data = cdk_data()
        engine = data.engines[cls]
        cat = ctx.catalog
        if not v.has_data(cat, engine):
            return None
        verdict = v.judge(cat, engine, version, v.region(ctx))
        reported = verdict.status in ("ahead", "unknown-major", "retired")
        if not reported and (
            verdict.status not in ("invalid", "older") or (verdict.status == "older" and policy != "latest-minor")
        ):
            return None
        where = doc.where(attr if call is None else call)
        old_text = f"{cls}.{attr.attr.value}" if call is None else f"{cls}.of({version!r})"
        paths = [("engine_version",) + where]
        if reported:
            if verdict.status == "retired":
                hint = "a major version upgrade is needed (not made automatically)"
            else:
                hint = f"the catalog ({v.catalog_label(cat)}) may be out of date: run `autofix catalog update`"
            return self.fix(
                f"{old_text}: {engine} {version} {verdict.why}; {hint}",
                where, paths=paths, applicability=Applicability.DISPLAY_ONLY, before=f"{engine} {version}",
            )
        target = verdict.replacement(policy, CDK_MAJOR_ONLY_ENGINES)
        major = verdict.major
        if target.lower() == version.lower():
            return None
        # CDK v1 (aws_cdk.core) lacks most newer constants: there, only `.of(...)` is written
        const = None if doc.uses_cdk_v1 else data.constant_for(cls, target)
        edits: list[Edit]
        if call is None:
            if const is not None:
                new_member = const.name
            else:
                features = data.features_for(cls, major) or dict(data.constant(cls, attr.attr.value).features)
                extra = "".join(f", {k}=True" for k, on in sorted(features.items()) if on)
                q = quote()
                new_member = f"of({q}{target}{q}, {q}{major}{q}{extra})"
            start, end = doc.span(attr.attr)
            edits = [Edit(start, end, new_member)]
            new_text = f"{cls}.{new_member}"
        else:
            full = _string_arg(call, 0, "_full_version")
            major_arg = _string_arg(call, 1, "_major_version")
            others = [a for a in call.args if a is not full and a is not major_arg]
            major_given = _literal(major_arg.value) if major_arg is not None else None
            if (
                const is not None
                and not others
                and (major_arg is None or major_given == const.major)
                and not _has_comment(call)
            ):
                start = doc.span(attr.attr)[0]
                end = doc.span(call)[1]
                edits = [Edit(start, end, const.name)]
                new_text = f"{cls}.{const.name}"
            else:
                node = full.value
                assert isinstance(node, cst.SimpleString)
                start, end = doc.span(node)
                edits = [Edit(start, end, _requote(node, target))]
                new_text = f"{cls}.of({target!r})"
        notes = [UPGRADE_NOTE]
        if target == major:
            advice = f"use {new_text} (the major alone: RDS picks the default minor, newest now {verdict.best.version})"
        else:
            advice = f"use {new_text}, the newest available {engine} {major} version"
        return self.fix(
            f"{old_text}: {engine} {version} {verdict.why} -> {advice} [catalog: {v.catalog_label(cat)}]",
            where, edits=edits, paths=paths,
            before=f"{engine} {version}", after=f"{engine} {target}",
            notes=notes,
        )

    def _check_of(self, ctx, cls, attr: cst.Attribute, call: cst.Call, policy, quote):
        full = _string_arg(call, 0, "_full_version")
        if full is None:
            return None
        version = _literal(full.value)
        if version is None:
            return None  # a variable or f-string: not resolvable here
        return self._check(ctx, cls, version, attr, call, policy, quote)
