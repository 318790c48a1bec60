from autofix.fixes import Applicability
from autofix.rules import Rule

from ._refs import template_references, has_any_transform
from ._unused import removal_fixes, section_names


class UnusedParameter(Rule):
    """
    What it does:
        Removes parameters nothing reads (no `Ref`, no `Fn::Sub` variable anywhere: resources,
        outputs, conditions, rules, metadata), with their entries in the
        `AWS::CloudFormation::Interface` metadata (ParameterGroups, ParameterLabels).  A
        parameter used only by a condition or mapping that another rule removes goes in the
        next pass.

    Why:
        An unused parameter asks every deployer for a value that changes nothing, and
        suggests a setting that does not exist (cfn-lint W2001).

    Example:
        Parameters:                    Parameters:
          Env: {Type: String}    ->      Env: {Type: String}
          OldAmi: {Type: String}
        (nothing refers to OldAmi)

    Fix safety:
        Unsafe: CloudFormation rejects a parameter the template does not declare, so a deploy
        script, pipeline or parameter file that still passes it fails until it stops.
        Templates with a `Transform` are skipped (cfn-lint does the same: SAM and macros may
        read parameters the template text does not show).
    """

    code = "AF309"
    name = "unused-parameter"
    summary = "Parameters nothing reads are removed (unsafe: callers may still pass them)"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html"
    cfn_lint = ("W2001",)
    applicability = Applicability.UNSAFE

    def check(self, ctx):
        doc = ctx.doc
        names = section_names(doc, "Parameters")
        if not names or has_any_transform(doc):
            return
        refs = template_references(doc)
        used = refs.refs | refs.subs
        yield from removal_fixes(
            self, doc, "Parameters", [n for n in names if n not in used], "parameter", parameters=True,
            unsafe_reason="CloudFormation rejects parameters the template does not declare: deploy scripts, "
                          "pipelines and parameter files that pass it must stop",
        )
