from autofix.cfn.document import intrinsic, is_map, is_plain_scalar, mapping_get
from autofix.rules import Rule

from ._edits import literal_str
from ._postgres import PG_PARAMS_DOC, PRELOAD, STATIC, is_pg_family, merge_libraries, wanted

GROUP_TYPES = ("AWS::RDS::DBParameterGroup", "AWS::RDS::DBClusterParameterGroup")


def _string_style(params) -> bool:
    """Whether the group writes its values as quoted strings ('1000'): new values follow."""
    scalars = [v for _, v in params.value if is_plain_scalar(v)]
    return bool(scalars) and all(getattr(v, "style", None) in ("'", '"') for v in scalars)


class PostgresParameters(Rule):
    """
    What it does:
        In every `AWS::RDS::DBParameterGroup` and `AWS::RDS::DBClusterParameterGroup` whose
        `Family` is `postgres*` or `aurora-postgresql*`, makes sure of:

        - `shared_preload_libraries` includes `pg_stat_statements` (added to the libraries
          already listed, never replacing them: `pg_cron` -> `pg_cron,pg_stat_statements`);
        - `log_min_duration_statement: 1000` (log statements slower than one second);
        - `log_connections: 1` and `log_disconnections: 1` (an audit trail of sessions).

        A parameter the template already sets keeps its value.

    Why:
        `pg_stat_statements` is how one finds the queries that cost the most; slow-query and
        connection logs are what an incident review and an audit ask for first.  A custom
        parameter group that sets `shared_preload_libraries` without `pg_stat_statements`
        silently drops the extension RDS loads by default.

    Settings:
        [postgres]
        parameters = { log_min_duration_statement = 500 }   # change or add values

    Example:
        Parameters:                              Parameters:
          shared_preload_libraries: pg_cron  ->    shared_preload_libraries: pg_cron,pg_stat_statements
                                                   log_min_duration_statement: 1000
                                                   log_connections: 1
                                                   log_disconnections: 1

    Fix safety:
        Safe: `Parameters` is not create-only, so the group is modified in place and no
        database is replaced or restarted.  Dynamic parameters (the logging ones) apply at once;
        `shared_preload_libraries` is static and applies at the next reboot (the databases show
        `pending-reboot` until then): the fix says so.
    """

    code = "AF403"
    opt_in = True  # a team convention: runs when selected (e.g. extend-select = ["AF4"])
    name = "postgres-parameters"
    summary = "PostgreSQL parameter groups load pg_stat_statements and log slow queries and connections"
    source_url = PG_PARAMS_DOC
    resource_types = GROUP_TYPES

    def check(self, ctx):
        want = wanted(ctx)
        doc = ctx.doc
        for res in doc.resources():
            if res.type not in GROUP_TYPES:
                continue
            family = literal_str(res.prop("Family"))
            if not is_pg_family(family) or res.properties is None:
                continue
            params = res.prop("Parameters")
            edits, changed = [], []
            if params is None:
                edits.append(doc.insert_entries(res.properties, [("Parameters", dict(want))]))
                changed = list(want)
            elif is_map(params) and intrinsic(params) is None:
                as_str = _string_style(params)
                missing = []
                for key, value in want.items():
                    node = mapping_get(params, key)
                    if node is None:
                        missing.append((key, str(value) if as_str else value))
                        changed.append(key)
                    elif key == PRELOAD and is_plain_scalar(node):
                        merged = merge_libraries(str(node.value) if node.value is not None else "", str(value))
                        if merged is not None:
                            edits.append(doc.replace(node, merged))
                            changed.append(key)
                if missing:
                    edits.append(doc.insert_entries(params, missing))
            if not edits:
                continue
            static = [k for k in changed if k in STATIC]
            notes = []
            if static:
                notes.append(f"{', '.join(static)} is a static parameter: databases using {res.logical_id} load it only "
                             "after a reboot (they show pending-reboot until then)")
            if PRELOAD in changed:
                notes.append("then run CREATE EXTENSION IF NOT EXISTS pg_stat_statements; in each database that should track queries")
            yield self.fix(
                f"PostgreSQL parameter group {res.logical_id} ({family}): sets {', '.join(changed)}",
                res.key, edits=edits, paths=[res.path + ("Properties", "Parameters")], resource=res, notes=notes,
                after=", ".join(changed),
            )
