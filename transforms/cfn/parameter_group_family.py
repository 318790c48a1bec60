from autofix.awsdata import replaces_resource
from autofix.fixes import Applicability
from autofix.rules import Rule

from . import _versions as v


class ParameterGroupFamily(Rule):
    """
    What it does:
        Checks the `Family` of RDS `DBParameterGroup` / `DBClusterParameterGroup` (and
        `CacheParameterGroupFamily` of ElastiCache, `Family` of DocumentDB and Neptune
        parameter groups) against the engine and major version of the databases that use the
        group through `!Ref` (`DBParameterGroupName`, `DBClusterParameterGroupName`,
        `DBInstanceParameterGroupName`, `CacheParameterGroupName`; an Aurora instance without
        its own EngineVersion counts with its cluster's).  A family that does not match is
        fixed when the right one is certain: the Family is a literal and every database using
        the group needs the same family.  Otherwise it is reported.

    Why:
        A parameter group of another family cannot be attached: stack creation fails ("The
        parameter group ... with DBParameterGroupFamily postgres13 can't be used for this
        instance"), typically after a version was bumped without its parameter group.

    Example:
        Params:                               Params:
          Type: AWS::RDS::DBParameterGroup      Type: AWS::RDS::DBParameterGroup
          Properties:                  ->       Properties:
            Family: postgres13                    Family: postgres14
        Db:   # Engine: postgres, EngineVersion: '14.24', DBParameterGroupName: !Ref Params

    Fix safety:
        Unsafe: `Family` can only be set when a parameter group is created, so CloudFormation
        replaces the group (a new one, attached to the database, applied at its next reboot).
        A group with a fixed name cannot be replaced in a deployed stack, and its parameters
        must exist in the new family.  Applied only with --unsafe-fixes.
    """

    code = "AF203"
    name = "parameter-group-family"
    summary = "Parameter group Family matches the engine and major version of the databases that use it"
    source_url = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithParamGroups.html"
    resource_types = tuple(v.PARAMETER_GROUP_TYPES)
    applicability = Applicability.UNSAFE

    def check(self, ctx):
        cat = ctx.catalog
        doc = ctx.doc
        for pg_id, uses in v.parameter_group_users(doc).items():
            pg = doc.resource(pg_id)
            fam_prop, name_prop = v.PARAMETER_GROUP_TYPES[pg.type]
            node = pg.prop(fam_prop)
            current = v.value_text(node)
            if current is None or not v.editable(doc, v.mapping_key(pg.properties, fam_prop), node):
                continue  # absent or computed: nothing certain to compare
            wanted: dict[str, list[str]] = {}
            unknown = []
            for use in uses:
                if use.version is None or not v.has_data(cat, use.version[0]):
                    unknown.append(use.db.logical_id)
                    continue
                engine, version = use.version
                family = cat.family_for(engine, version)
                if family is None:
                    unknown.append(use.db.logical_id)
                    continue
                wanted.setdefault(family.lower(), []).append(f"{use.db.logical_id} ({engine} {version})")
            wrong = {f: dbs for f, dbs in wanted.items() if f != current.lower()}
            if not wrong:
                continue
            if len(wanted) > 1 or unknown:
                needs = "; ".join(f"{', '.join(dbs)} need{'s' if len(dbs) == 1 else ''} {f}" for f, dbs in sorted(wanted.items()))
                message = f"{pg_id}: {fam_prop} {current} does not match every database that uses it: {needs}"
                extra = f"; the version of {', '.join(unknown)} is not known statically" if unknown else ""
                yield self.fix(f"{message}{extra}; not changed because the right family is not certain",
                               node, resource=pg, applicability=Applicability.DISPLAY_ONLY)
                continue
            expected = cat.family_for(*uses[0].version)
            message = f"{pg_id}: {fam_prop} {current} does not match {', '.join(next(iter(wanted.values())))}"
            replaces = replaces_resource(pg.type, (fam_prop,))
            reason = None
            if replaces:
                reboot = " (RDS applies it at the next reboot)" if pg.type.startswith("AWS::RDS::") else ""
                reason = (f"changing {fam_prop} replaces the parameter group: CloudFormation creates a new one and "
                          f"attaches it{reboot}; its parameters must exist in the new family")
                if pg.prop(name_prop) is not None:
                    reason += f", and a group with a fixed {name_prop} cannot be replaced in a deployed stack"
            yield self.fix(
                f"{message} -> {expected}", node,
                edits=[doc.replace(node, expected)], paths=[pg.path + ("Properties", fam_prop)], resource=pg,
                applicability=Applicability.UNSAFE if replaces else Applicability.SAFE, unsafe_reason=reason,
                replaces_resource=replaces, before=f"{fam_prop}: {current}", after=f"{fam_prop}: {expected}",
            )
