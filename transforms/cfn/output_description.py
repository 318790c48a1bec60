from autofix.cfn.document import mapping_get, mapping_key, to_plain
from autofix.rules import Rule

from ._outputs import OUTPUTS_DOC, describe, outputs


class OutputDescription(Rule):
    """
    What it does:
        Gives every output without a `Description` one, made from the output's name and what
        its value is: `DBEndpoint: !GetAtt Db.Endpoint.Address` gets
        `Description: 'DB endpoint: Endpoint.Address of Db (AWS::RDS::DBInstance)'`.

    Why:
        Outputs are the stack's interface: the console, `describe-stacks` and the people who
        import them see the description, not the template.  Generated templates leave it out.

    Example:
        Outputs:                              Outputs:
          BucketName:                 ->        BucketName:
            Value: !Ref Assets                    Description: 'Bucket name: Assets (AWS::S3::Bucket)'
                                                  Value: !Ref Assets

    Fix safety:
        Safe: a description changes nothing that is deployed.
    """

    code = "AF405"
    opt_in = True  # a team convention: runs when selected (e.g. extend-select = ["AF4"])
    name = "output-description"
    summary = "Every output has a Description"
    source_url = OUTPUTS_DOC

    def check(self, ctx):
        doc = ctx.doc
        for key, out in outputs(doc):
            if mapping_get(out, "Description") is not None:
                continue
            value = mapping_get(out, "Value")
            if value is None:
                continue
            text = describe(doc, str(key.value), to_plain(value))
            before = "Value" if mapping_key(out, "Value") is not None and not doc.is_json else None
            yield self.fix(
                f"output {key.value} has no Description: {text!r}", key,
                edits=[doc.insert_entries(out, [("Description", text)], before=before)],
                paths=[("Outputs", str(key.value), "Description")], after=text,
            )
