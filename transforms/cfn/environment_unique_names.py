from autofix.fixes import Applicability
from autofix.rules import Rule

from ._edits import sub_vars
from ._naming import (
    NAME_PROPERTIES,
    NAMING_DOC,
    PSEUDO,
    NamingSettings,
    Target,
    current_name,
    is_fifo,
    name_property,
    rename_fix,
    reserved,
)

class EnvironmentUniqueNames(Rule):
    """
    What it does:
        In a `test` environment without a `[naming] prefix`, an explicit physical name that
        does not already vary per stack gets `-${EnvironmentSuffix}` appended through `!Sub`,
        the rest of the name kept as it was (`ecommerce-db` ->
        `!Sub 'ecommerce-db-${EnvironmentSuffix}'`; a FIFO queue keeps `.fifo` last).  The
        properties are those of `naming-convention` (AF401), without the `Name` tag.  A name
        is left alone when it varies per stack already or is the deployer's choice: it uses
        `AWS::StackName`, a parameter (the environment parameter or any other: whoever deploys
        sets it per stack), or another resource's name; so are names AWS services look for
        (`dms-vpc-role`, `/aws/...` log groups, the StackSets and EMR default roles).  Adds
        the `EnvironmentSuffix` parameter when the template lacks it.  A name that could
        become invalid (too long, say) is not written; the finding says why.

    Why:
        The most frequent naming defect in generated templates: a fixed physical name, so the
        second stack of the same template (a second pull request's test stack) fails with
        "already exists", and a test stack cannot be deployed next to another one.

    Settings:
        environment = "test"
        [naming]
        env-parameter = "EnvironmentSuffix"
        env-default = "test"      # Default of the added parameter, or false for none

    Example:
        DBInstanceIdentifier: ecommerce-db   ->   DBInstanceIdentifier: !Sub 'ecommerce-db-${EnvironmentSuffix}'

    Fix safety:
        Unsafe: a physical name is create-only, so the change replaces a deployed resource
        (each fix says so and is counted as replacing it).
    """

    code = "AF402"
    opt_in = True  # a team convention: runs when selected (e.g. extend-select = ["AF4"])
    name = "environment-unique-names"
    summary = "In test stacks, explicit physical names include the environment suffix"
    source_url = NAMING_DOC
    resource_types = tuple(sorted({t for t, _ in NAME_PROPERTIES}))
    environments = ("test",)
    applicability = Applicability.UNSAFE

    def check(self, ctx):
        settings = NamingSettings.from_ctx(ctx)
        if settings.prefix:  # naming-convention owns the names
            return
        doc = ctx.doc
        env = settings.env_parameter
        for res in doc.resources():
            prop = name_property(res.type)
            node = res.prop(prop) if prop else None
            if node is None:
                continue
            old, kind = current_name(node)
            if old is None or not old:
                continue
            names = sub_vars(old)
            if any(v in ("AWS::StackName", "AWS::StackId") for v in names):
                continue  # unique per stack already
            if any(v not in PSEUDO for v in names):
                continue  # built from a parameter (the deployer's choice) or another resource's name
            if reserved(old) and not old.lower().startswith("aws-waf-logs-"):
                continue  # a name a service looks for (appending keeps a required prefix)
            fifo = is_fifo(res, prop)
            suffix = "-${" + env + "}"
            if fifo and old.endswith(".fifo"):
                new = old[: -len(".fifo")] + suffix + ".fifo"
            else:
                new = old + suffix
            target = Target(node, old, kind, new, NAME_PROPERTIES[(res.type, prop)],
                            res.path + ("Properties", prop), prop, fifo)
            yield rename_fix(self, ctx, res, [target], settings, why="unique per stack")
