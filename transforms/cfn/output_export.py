from autofix.cfn.document import Tagged, mapping_get
from autofix.fixes import Applicability
from autofix.rules import Rule

from ._outputs import EXPORT_MAX, STACK_NAME_MAX, export_name, export_names, outputs, value_key


class OutputExport(Rule):
    """
    What it does:
        Gives every output without an `Export` one named `${AWS::StackName}-<OutputName>`.
        An output whose export name would clash with one the template already uses, or could
        exceed 255 characters, is reported instead.

    Why:
        Other stacks reference a stack's values through exports (`!ImportValue`), which keeps
        the wiring in CloudFormation instead of copied ARNs.  Prefixing the stack name keeps the
        names unique per region and account, so two stacks of one template never clash.

    Example:
        DbEndpoint:                            DbEndpoint:
          Value: !GetAtt Db.Endpoint.Address     Value: !GetAtt Db.Endpoint.Address
                                       ->        Export:
                                                   Name: !Sub '${AWS::StackName}-DbEndpoint'

    Fix safety:
        Safe: adding an export changes no resource.  Once another stack imports it, the
        output's value cannot change or disappear until the import is removed; that is the
        point of an export.
    """

    code = "AF406"
    opt_in = True  # a team convention: runs when selected (e.g. extend-select = ["AF4"])
    name = "output-export"
    summary = "Every output is exported as ${AWS::StackName}-<OutputName>"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html"

    def check(self, ctx):
        doc = ctx.doc
        taken = export_names(doc)
        for key, out in outputs(doc):
            if mapping_get(out, "Export") is not None or mapping_get(out, "Value") is None:
                continue
            name = str(key.value)
            wanted = export_name(name)
            if value_key({"Fn::Sub": wanted}) in taken:
                yield self.fix(f"output {name} has no Export, and {wanted!r} is already an export name in this template",
                               key, applicability=Applicability.DISPLAY_ONLY)
                continue
            if STACK_NAME_MAX + 1 + len(name) > EXPORT_MAX:
                yield self.fix(f"output {name} has no Export, and {wanted!r} can exceed {EXPORT_MAX} characters",
                               key, applicability=Applicability.DISPLAY_ONLY)
                continue
            taken.add(value_key({"Fn::Sub": wanted}))
            yield self.fix(
                f"output {name} is not exported: Export Name !Sub '{wanted}'", key,
                edits=[doc.insert_entries(out, [("Export", {"Name": Tagged("Fn::Sub", wanted)})])],
                paths=[("Outputs", name, "Export")], after=f"Export: {wanted}",
            )
