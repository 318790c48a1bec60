"""The `autofix` command: parses options, calls autofix.api, prints.  Nothing else lives here."""

from __future__ import annotations

import json
import os
import sys
from functools import partial

import click

from autofix import __version__

EXIT_OK, EXIT_PENDING, EXIT_ERROR = 0, 1, 2


LAZY_COMMANDS = {
    "catalog": "autofix.catalog.cli:catalog",
    "docs": "autofix.docs:docs",
    "pr": "autofix.pr.cli:pr",
}


class Group(click.Group):
    """Loads the heavier commands (boto3, git, ...) only when they are called (click's lazy
    group pattern), so `autofix check` starts fast."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._available_lazy()))

    def _available_lazy(self):
        import importlib.util

        out = []
        for name, target in LAZY_COMMANDS.items():
            try:
                if importlib.util.find_spec(target.split(":")[0]) is not None:
                    out.append(name)
            except ImportError:
                continue
        return out

    def get_command(self, ctx, name):
        cmd = super().get_command(ctx, name)
        if cmd is None and name in LAZY_COMMANDS and name in self._available_lazy():
            import importlib

            module, attr = LAZY_COMMANDS[name].split(":")
            cmd = getattr(importlib.import_module(module), attr)
        return cmd


def _split(values: tuple[str, ...]) -> tuple[str, ...] | None:
    out = tuple(x.strip() for v in values for x in v.split(",") if x.strip())
    return out or None


def fix_options(f):
    options = [
        click.option("--select", multiple=True, help="Rules to run: codes, code prefixes, names, cfn-lint ids or ALL (comma-separated)."),
        click.option("--ignore", multiple=True, help="Rules not to run (same forms as --select)."),
        click.option("--unsafe-fixes/--no-unsafe-fixes", "unsafe_fixes", default=None, help="Also apply fixes marked unsafe."),
        click.option("--env", "environment", type=click.Choice(["test", "production"]), default=None, help="The environment the templates deploy to."),
        click.option("--config", "config", type=click.Path(dir_okay=False), default=None, help="Settings file (TOML)."),
        click.option("--catalog", "catalog", type=click.Path(dir_okay=False), default=None, help="Engine-version catalog file."),
        click.option("--region", default=None, help="AWS region for region-specific data."),
        click.option("--version-policy", type=click.Choice(["fix-invalid", "latest-minor", "major-only"]), default=None,
                     help="Engine versions: fix only invalid ones (default), also bump old minors, or write the major only."),
        click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text", help="Report format."),
        click.option("--exclude", multiple=True, help="Glob patterns of files to leave out."),
        click.option("--show-skipped", is_flag=True, help="List files that are not templates."),
        click.option("--show-cfn-lint", is_flag=True, help="Show the cfn-lint rule ids each fix resolves."),
        click.option("--quiet", "-q", is_flag=True, help="Print only errors."),
        click.option("--no-cache", is_flag=True, help="Parse every file, ignoring and not writing the result cache."),
        click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Result cache folder (default .autofix_cache, or AUTOFIX_CACHE_DIR)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Processes to use (default: all cores)."),
        click.option("--max-file-size", type=SizeType(), default=None,
                     help="Refuse files above this size (bytes, or e.g. 10MB; default 5MB)."),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="autofix")
def cli() -> None:
    """Fix AWS CloudFormation templates and CDK Python apps with minimal, explained edits."""


class SizeType(click.ParamType):
    name = "size"

    def convert(self, value, param, ctx):
        from autofix.settings import ConfigError, parse_size

        if isinstance(value, int):
            return value
        try:
            return parse_size(value, "--max-file-size")
        except ConfigError as e:
            self.fail(str(e), param, ctx)


def _settings_factory(config, select, ignore, unsafe_fixes, environment, catalog, region, version_policy=None,
                      max_file_size=None):
    from autofix import registry
    from autofix.settings import settings_for

    sel, ign = _split(select), _split(ignore)
    registry.validate_selectors((sel or ()) + (ign or ()))
    section = {"versions": {"policy": version_policy}} if version_policy else None
    return _PerFolder(partial(settings_for, config=config, select=sel, ignore=ign, unsafe_fixes=unsafe_fixes,
                              environment=environment, catalog=catalog, region=region, section_overrides=section,
                              max_file_size=max_file_size))


class _PerFolder:
    """`settings_for(path)`, worked out once per folder for one run (files of a folder share
    their config file; per-file ignores are looked up by path later)."""

    def __init__(self, settings_for):
        self.settings_for, self.seen = settings_for, {}

    def replace(self, **options) -> "_PerFolder":
        """The same settings with some options changed (e.g. `select`), worked out afresh."""
        f = self.settings_for
        return _PerFolder(partial(f.func, *f.args, **{**f.keywords, **options}))

    def __call__(self, target):
        key = os.path.dirname(target) if target and target != "-" else None  # as written: no getcwd per file
        found = self.seen.get(key)
        if found is None:
            found = self.seen[key] = self.settings_for(target)
        return found


def _settle() -> None:
    """Before the files the cache does not answer: load the rules and the catalog, then tune
    the cyclic GC for a batch run.  A CLI run is one run per process, and what start-up
    loaded lives to its end; rescanning it costs about a tenth of a check."""
    import gc

    from autofix import registry

    registry.select(None, language="cfn")  # the default rules; a wider selection loads the rest on demand
    try:  # the version catalog too: read once here rather than once per worker
        from autofix.catalog import load_catalog

        load_catalog()
    except Exception:  # a broken catalog is reported where a rule needs it
        pass
    gc.freeze()
    # and collect young objects every 50,000 allocations rather than every 700: a template
    # makes tens of thousands of nodes that all live exactly as long as its check, so the
    # default pace scans them again and again for nothing (about a sixth of a check's time).
    # Cycles are still collected, just in larger batches.
    gc.set_threshold(50_000, 50, 100)


def _progress(total_hint_shown: list):
    """A one-line counter on a terminal's stderr; nothing when piped."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None
    state = {"fixes": 0}

    def show(done: int, total: int, result) -> None:
        state["fixes"] += len(result.fixes)
        if total < 20:
            return
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r{done}/{total} files, {state['fixes']} findings{end}")
        sys.stderr.flush()

    return show


def _run(mode: str, paths, diff: bool, fmt: str, exclude, show_skipped: bool, quiet: bool, show_cfn_lint: bool,
         no_cache: bool = False, cache_dir=None, jobs=None, **opts) -> None:
    from autofix import api, output
    from autofix.registry import SelectionError
    from autofix.settings import ConfigError

    try:
        settings_for = _settings_factory(**opts)
        if opts["config"]:
            settings_for(None)  # a broken --config is a usage error, not a per-file failure
    except (SelectionError, ConfigError) as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_ERROR)

    write = mode == "apply" and not diff
    results = []
    stdin_out = None
    for p in paths:
        if p == "-":
            data = sys.stdin.buffer.read()
            r = api.fix_text(data, path="-", settings=settings_for(None))
            r.path = "<stdin>"
            results.append(r)
            if mode == "apply" and not diff:
                stdin_out = api.encode(r) if r.changed else data
            elif r.changed:
                r.status = "would-fix"
                api._unapply(r, would=True)
    files = [p for p in paths if p != "-"]
    if files:
        from autofix.cache import Cache

        # SARIF carries each fix's edits, which cached results do not keep
        cache = None if no_cache or diff or fmt == "sarif" else Cache(cache_dir)
        results.extend(api.run(files, settings_for=settings_for, write=write, exclude=exclude, jobs=jobs, cache=cache,
                               progress=None if quiet or fmt != "text" else _progress([]), keep_text=diff,
                               before_work=_settle))

    report_err = stdin_out is not None  # stdout carries the template
    if stdin_out is not None:
        sys.stdout.buffer.write(stdin_out)
        sys.stdout.flush()
    if diff:
        for r in results:
            d = output.unified_diff(r)
            if d:
                output.echo_diff(d, err=fmt != "text")  # keep a JSON/SARIF stdout parseable
    if fmt == "json":
        click.echo(output.to_json(results), err=report_err)
    elif fmt in ("sarif", "github"):
        from autofix import integrations

        click.echo(integrations.render(fmt, results), err=report_err, nl=fmt == "sarif")
    elif quiet:
        for r in results:
            if r.status == "failed":
                click.echo(r.error_line, err=True)
    else:
        output.echo_text(results, mode="apply" if write or stdin_out is not None else "check",
                         show_skipped=show_skipped, err=report_err or diff, show_cfn_lint=show_cfn_lint)
    if fmt != "text":
        for r in results:
            if r.status == "failed":
                click.echo(r.error_line, err=True)

    if any(r.status == "failed" for r in results):
        sys.exit(EXIT_ERROR)
    if not write and stdin_out is None and any(f.would_apply for r in results for f in r.fixes):
        sys.exit(EXIT_PENDING)
    sys.exit(EXIT_OK)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes and write nothing.")
@fix_options
def apply(paths, diff, **opts):
    """Fix templates in place (a folder is searched recursively; - reads stdin, writes stdout)."""
    _run("apply", paths, diff, **opts)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--diff", is_flag=True, help="Also print the diff of what would change.")
@fix_options
def check(paths, diff, **opts):
    """List what would be fixed; write nothing; exit 1 if anything would be."""
    _run("check", paths, diff, **opts)


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
def rules_cmd(fmt):
    """List the rules."""
    from autofix import registry

    rules = registry.all_rules()
    if fmt == "json":
        click.echo(json.dumps([r.info() for r in rules], indent=2))
        return
    if fmt == "markdown":
        click.echo(rules_markdown(rules))
        return
    for r in rules:
        env = f" [env: {', '.join(r.environments)}]" if r.environments else ""
        lint = f" (cfn-lint {', '.join(r.cfn_lint)})" if r.cfn_lint else ""
        click.echo(f"{r.code}  {r.name:<36} {r.applicability.value:<7} {r.summary}{env}{lint}")


def rules_markdown(rules) -> str:
    lines = ["| Code | Name | Fix | Environment | cfn-lint | Summary |", "| --- | --- | --- | --- | --- | --- |"]
    for r in rules:
        lines.append(
            f"| {r.code} | [{r.name}]({r.source_url}) | {r.applicability.value} | {', '.join(r.environments) or 'any'} | "
            f"{', '.join(r.cfn_lint) or ''} | {r.summary} |"
        )
    return "\n".join(lines)


@cli.command()
@click.argument("rule")
def explain(rule):
    """Print one rule's documentation."""
    from autofix import registry

    r = registry.find(rule)
    if r is None:
        click.echo(f"error: unknown rule {rule!r} (see `autofix rules`)", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"{r.code} ({r.name}): {r.summary}\n")
    click.echo(r.doc())
    click.echo(f"\nFix: {r.applicability.value}" + (f"; runs in: {', '.join(r.environments)}" if r.environments else "; runs in every environment"))
    if r.cfn_lint:
        click.echo(f"Resolves cfn-lint: {', '.join(r.cfn_lint)}")
    click.echo(f"Docs: {r.source_url}")


def main() -> None:
    try:
        cli(prog_name="autofix")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
