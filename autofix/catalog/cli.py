"""``autofix catalog``: show the engine-version catalog or refresh it from AWS.

The main CLI registers the group with ``cli.add_command(catalog)``.

    autofix catalog update [--region R ...] [--profile P] [--catalog FILE]
    autofix catalog show ENGINE [MAJOR] [--format text|json] [--catalog FILE] [--region R]

Failures print one line, ``error: <message>``, to stderr and exit with status 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import click

from autofix.catalog.model import ENGINES, Catalog, CatalogError, normalize_engine, version_key
from autofix.catalog.store import default_cache_path, load_catalog, write_catalog

_META_KEY = "autofix.catalog.file"

_catalog_option = click.option(
    "--catalog",
    "catalog_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Catalog file to use instead of the user cache.",
)


def make_session(profile: str | None = None) -> Any:
    """A boto3 session (standard boto3 configuration; `profile` selects a named profile)."""
    import boto3
    from botocore import exceptions as bx

    try:
        return boto3.session.Session(profile_name=profile) if profile else boto3.session.Session()
    except bx.ProfileNotFound:
        raise CatalogError(f"AWS profile not found: {profile}") from None
    except bx.BotoCoreError as exc:
        raise CatalogError(f"cannot start an AWS session: {type(exc).__name__}") from None


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {' '.join(str(message).split())}", err=True)
    raise click.exceptions.Exit(2)


def _catalog_file(ctx: click.Context, own: Path | None) -> Path | None:
    return own if own is not None else ctx.meta.get(_META_KEY)


@click.group("catalog")
@_catalog_option
@click.pass_context
def catalog(ctx: click.Context, catalog_file: Path | None) -> None:
    """Engine versions and Lambda runtimes: show them, or refresh them from AWS."""
    if catalog_file is not None:
        ctx.meta[_META_KEY] = catalog_file


@catalog.command("update")
@click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="REGION",
    help="Region to query (repeatable or comma-separated; default: the AWS SDK's region).",
)
@click.option("--profile", default=None, help="AWS profile (default: the AWS SDK's default chain).")
@_catalog_option
@click.pass_context
def update(ctx: click.Context, regions: tuple[str, ...], profile: str | None, catalog_file: Path | None) -> None:
    """Refresh the catalog from the AWS APIs and write the user cache (or --catalog FILE).

    Read-only calls: rds/docdb/neptune DescribeDBEngineVersions, rds DescribeDBMajorEngineVersions,
    elasticache DescribeCacheEngineVersions.  Lambda runtimes come from the bundled snapshot.
    """
    from autofix.catalog.refresh import refresh_catalog

    target = _catalog_file(ctx, catalog_file) or default_cache_path()
    wanted = [r.strip() for value in regions for r in value.split(",") if r.strip()]
    try:
        session = make_session(profile)
        fresh = refresh_catalog(wanted, session=session)
        path = write_catalog(fresh, target)
    except CatalogError as exc:
        _fail(str(exc))
    click.echo(f"wrote {path}")
    click.echo(f"source: {fresh.source} ({fresh.generated_at})")
    for engine in fresh.engines():
        vs = fresh.versions(engine)
        avail = sum(1 for v in vs if v.available)
        click.echo(f"  {engine:<18} {len(vs):>4} versions ({avail} available, {len(vs) - avail} deprecated)")
    missing = [e for e in ENGINES if e not in fresh.engines()]
    if missing:
        click.echo(f"  no versions listed for: {', '.join(missing)}")
    click.echo(f"  lambda runtimes    {len(fresh.runtimes()):>4} (from the bundled snapshot)")


def _load(ctx: click.Context, catalog_file: Path | None) -> Catalog:
    try:
        return load_catalog(_catalog_file(ctx, catalog_file))
    except CatalogError as exc:
        _fail(str(exc))


def _show_lambda(cat: Catalog, family: str | None, fmt: str) -> None:
    import datetime as dt

    today = dt.date.today()
    rts = [r for r in cat.runtimes() if family is None or r.family == family.lower()]
    if not rts:
        _fail(f"no Lambda runtimes of family {family!r} in the catalog")
    if fmt == "json":
        data = {
            "engine": "lambda",
            "source": cat.source,
            "generated_at": cat.generated_at,
            "today": today.isoformat(),
            "runtimes": [
                {
                    "name": r.name,
                    "family": r.family,
                    "status": r.status(today),
                    "deprecated": r.deprecated,
                    "block_create": r.block_create,
                    "block_update": r.block_update,
                    "successor": r.successor,
                }
                for r in rts
            ],
        }
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"lambda runtimes (source: {cat.source}, {cat.generated_at}; status as of {today})")
    for r in rts:
        dates = ", ".join(
            f"{label} {value}"
            for label, value in (("deprecated", r.deprecated), ("create blocked", r.block_create),
                                 ("update blocked", r.block_update))
            if value
        )
        succ = f" -> {r.successor}" if r.successor else ""
        click.echo(f"  {r.name:<16} {r.status(today):<10} {dates}{succ}")


@catalog.command("show")
@click.argument("engine")
@click.argument("major", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_catalog_option
@click.option("--region", default=None, help="Only versions usable in this region (when the catalog has region data).")
@click.pass_context
def show(
    ctx: click.Context, engine: str, major: str | None, fmt: str, catalog_file: Path | None, region: str | None
) -> None:
    """Show ENGINE's versions (optionally one MAJOR), their status and the newest valid one.

    ENGINE is a catalog or CloudFormation engine name (postgres, aurora-mysql, redis, ...), or
    ``lambda`` for Lambda runtimes (MAJOR is then a language: python, nodejs, ...).
    """
    cat = _load(ctx, catalog_file)
    if engine.strip().lower() == "lambda":
        _show_lambda(cat, major, fmt)
        return
    name = normalize_engine(engine)
    if name is None:
        _fail(f"unknown engine {engine!r} (known: {', '.join(ENGINES)}, lambda)")
    versions = cat.versions(name, region)
    if not versions:
        _fail(f"no {name} versions in the catalog ({cat.source}, {cat.generated_at}); try 'autofix catalog update'")
    majors = cat.majors(name)
    if major is not None:
        try:
            wanted = cat.major_of(name, major)
        except CatalogError as exc:
            _fail(str(exc))
        if wanted not in majors:
            _fail(f"no {name} versions of major {wanted} in the catalog (majors: {', '.join(majors)})")
        majors = [wanted]
    by_major: dict[str, list] = {m: [] for m in majors}
    for ev in versions:
        if ev.major in by_major:
            by_major[ev.major].append(ev)
    region_note = None
    if region is not None and region not in cat.regions:
        region_note = f"the catalog has no per-region data for {region}: showing all versions"

    rows = []
    for m in sorted(by_major, key=version_key):
        newest = cat.newest_valid(name, m, region)
        rows.append(
            {
                "major": m,
                "family": cat.family_for(name, by_major[m][-1].version) if by_major[m] else None,
                "newest_valid": newest.version if newest else None,
                "end_of_standard_support": cat.major_end_of_standard_support(name, m),
                "end_of_extended_support": cat.major_end_of_extended_support(name, m),
                "versions": [
                    {"version": ev.version, "status": ev.status, "regions": list(ev.regions) if ev.regions is not None else None}
                    for ev in by_major[m]
                ],
            }
        )
    if fmt == "json":
        data = {
            "engine": name,
            "source": cat.source,
            "generated_at": cat.generated_at,
            "region": region,
            "majors": rows,
        }
        if region_note:
            data["note"] = region_note
        click.echo(json.dumps(data, indent=2))
        return
    total = sum(len(r["versions"]) for r in rows)
    avail = sum(1 for r in rows for v in r["versions"] if v["status"] == "available")
    where = f" in {region}" if region and not region_note else ""
    click.echo(f"{name}{where}: {total} versions, {avail} available (source: {cat.source}, {cat.generated_at})")
    if region_note:
        click.echo(f"note: {region_note}")
    for row in rows:
        support = row["end_of_standard_support"] or "unknown"
        newest = row["newest_valid"] or "none (no available version)"
        click.echo(
            f"major {row['major']} (family {row['family'] or '?'}; end of standard support {support}): "
            f"newest valid {newest}"
        )
        for v in row["versions"]:
            mark = "  <- newest valid" if v["version"] == row["newest_valid"] else ""
            regions = f"  [{', '.join(v['regions'])}]" if v["regions"] else ""
            click.echo(f"  {v['version']:<28} {v['status']}{regions}{mark}")
