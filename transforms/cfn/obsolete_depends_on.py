from autofix.cfn.document import is_plain_scalar, is_scalar, is_seq
from autofix.rules import Rule

from ._refs import collect, has_any_transform, remove_seq_items


class ObsoleteDependsOn(Rule):
    """
    What it does:
        Removes `DependsOn` entries that name a resource the same resource's `Properties`
        already reference with `Ref`, `Fn::GetAtt` or a `Fn::Sub` variable (`${X}`,
        `${X.Attr}`).  A `DependsOn` list keeps being a list while something is left in it;
        the key goes when nothing is.

    Why:
        A reference is an implicit dependency: CloudFormation creates the referenced resource
        first and deletes it last.  Repeating it in `DependsOn` adds nothing, and it stays
        behind as a false constraint when the reference is later removed (cfn-lint W3005).

    Example:
        Listener:                                  Listener:
          Type: AWS::ElasticLoadBalancingV2::...     Type: AWS::ElasticLoadBalancingV2::...
          DependsOn: LoadBalancer           ->       Properties:
          Properties:                                  LoadBalancerArn: !Ref LoadBalancer
            LoadBalancerArn: !Ref LoadBalancer

    Fix safety:
        Safe: the order CloudFormation creates, updates and deletes resources in is the same.
        Only references that always hold count: one inside an `Fn::If` branch does not (the
        other branch may not reference the resource), nor one in `Metadata` (cfn-lint counts
        those, but whether CloudFormation orders on them is not documented), and templates
        with a `Transform` other than `AWS::LanguageExtensions` are left alone (SAM moves
        properties into other resources than the one carrying the `DependsOn`; a macro can
        do anything).
    """

    code = "AF301"
    name = "obsolete-depends-on"
    summary = "DependsOn entries already implied by a Ref, GetAtt or Sub are removed"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html"
    cfn_lint = ("W3005",)

    def check(self, ctx):
        doc = ctx.doc
        if "DependsOn" not in doc.text and "\\" not in doc.text:
            return  # no escapes, so no key reads DependsOn
        if has_any_transform(doc, allow=frozenset({"AWS::LanguageExtensions"})):
            return
        resource_ids = {r.logical_id for r in doc.resources()}
        for res in doc.resources():
            dep = res.attribute("DependsOn")
            props = res.properties
            if dep is None or props is None:
                continue
            refs = collect(props, skip_if=True)
            implied = (refs.names & resource_ids) - {res.logical_id}
            if is_scalar(dep):
                if is_plain_scalar(dep) and dep.value in implied:
                    yield self.fix(
                        f"{res.logical_id}: DependsOn {dep.value} is implied by a reference in its Properties",
                        dep, edits=[doc.remove_key(res.node, "DependsOn")],
                        paths=[res.path + ("DependsOn",)], resource=res,
                        before=f"DependsOn: {dep.value}", after="(removed)",
                    )
                continue
            if not is_seq(dep) or not dep.value:
                continue
            drop = {i for i, item in enumerate(dep.value) if is_plain_scalar(item) and item.value in implied}
            if not drop:
                continue
            names = [str(dep.value[i].value) for i in sorted(drop)]
            if len(drop) == len(dep.value):
                edits = [doc.remove_key(res.node, "DependsOn")]
                after = "(removed)"
            else:
                edits = remove_seq_items(doc, dep, drop)
                after = "DependsOn: [" + ", ".join(str(x.value) for i, x in enumerate(dep.value) if i not in drop) + "]"
            yield self.fix(
                f"{res.logical_id}: DependsOn {', '.join(names)} {'is' if len(names) == 1 else 'are'} implied by "
                f"references in its Properties",
                dep, edits=edits, paths=[res.path + ("DependsOn",)], resource=res,
                before="DependsOn: [" + ", ".join(str(getattr(x, 'value', '?')) for x in dep.value) + "]", after=after,
            )
