"""CloudFormation rules."""

# Modules whose rules are all opt-in (team conventions, AF4xx).  The default selection does not
# import them, which keeps them out of every check's start-up; tests/test_registry.py holds this
# list equal to what the modules declare.
OPT_IN_MODULES = frozenset({
    "database_outputs",
    "environment_unique_names",
    "naming_convention",
    "output_description",
    "output_export",
    "outputs_grouped",
    "postgres_parameter_group",
    "postgres_parameters",
})
