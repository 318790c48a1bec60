import re

from autofix import awsdata
from autofix.cfn.document import Tagged, is_map, is_plain_scalar, is_seq, mapping_get
from autofix.fixes import Applicability
from autofix.rules import Rule

from ._refs import has_macros, replace_inline

# Where cfn-lint's W3010 looks (cfnlint/rules/resources/properties/AvailabilityZone.py, 1.58):
# the property paths below `Properties`, "*" standing for every item of a list.
ZONE_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "AWS::AutoScaling::AutoScalingGroup": (("AvailabilityZones", "*"),),
    "AWS::DAX::Cluster": (("AvailabilityZones", "*"),),
    "AWS::DMS::ReplicationInstance": (("AvailabilityZone",),),
    "AWS::EC2::Host": (("AvailabilityZone",),),
    "AWS::EC2::Instance": (("AvailabilityZone",),),
    "AWS::EC2::LaunchTemplate": (("LaunchTemplateData", "Placement", "AvailabilityZone"),),
    "AWS::EC2::SpotFleet": (
        ("SpotFleetRequestConfigData", "LaunchSpecifications", "*", "Placement", "AvailabilityZone"),
        ("SpotFleetRequestConfigData", "LaunchTemplateConfigs", "*", "Overrides", "*", "AvailabilityZone"),
    ),
    "AWS::EC2::Subnet": (("AvailabilityZone",),),
    "AWS::EC2::Volume": (("AvailabilityZone",),),
    "AWS::ElasticLoadBalancing::LoadBalancer": (("AvailabilityZones", "*"),),
    "AWS::ElasticLoadBalancingV2::TargetGroup": (("Targets", "*", "AvailabilityZone"),),
    "AWS::EMR::Cluster": (("Instances", "Placement", "AvailabilityZone"),),
    "AWS::Glue::Connection": (("ConnectionInput", "PhysicalConnectionRequirements", "AvailabilityZone"),),
    "AWS::OpsWorks::Instance": (("AvailabilityZone",),),
    "AWS::RDS::DBCluster": (("AvailabilityZones", "*"),),
    "AWS::RDS::DBInstance": (("AvailabilityZone",),),
}

# A regular zone name: region + one letter (us-east-1a, us-gov-west-1b).  Local Zones and
# Wavelength Zones (us-west-2-lax-1a) are not in Fn::GetAZs and do not match.
ZONE = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d+)([a-z])$")


def zone_nodes(props, path: tuple, at: tuple = ()):
    """(scalar node, property path) for every literal string at `path` below `props`."""
    if not path:
        if is_plain_scalar(props) and isinstance(props.value, str):
            yield props, at
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if is_seq(props):
            for i, item in enumerate(props.value):
                yield from zone_nodes(item, rest, at + (i,))
        return
    child = mapping_get(props, head) if is_map(props) else None
    if child is not None:
        yield from zone_nodes(child, rest, at + (head,))


def is_cdk(doc) -> bool:
    if any(r.type == "AWS::CDK::Metadata" for r in doc.resources()):
        return True
    return "aws:cdk:path" in doc.text


class HardcodedAvailabilityZone(Rule):
    """
    What it does:
        Replaces hard-coded availability zones (`us-east-1a`) in the properties cfn-lint's
        W3010 checks (subnets, instances, volumes, Auto Scaling groups, RDS, ...) by
        `!Select [N, !GetAZs '']`.  N comes from the zone letter (a -> 0, b -> 1, ...), the same
        mapping for the whole template, so resources that shared a zone still share one and
        resources in different zones stay apart.

    Why:
        A zone name ties the template to one region (and zone letters map to different
        physical zones in each account): the stack cannot be deployed anywhere else.

    Example:
        AvailabilityZone: us-east-1b   ->   AvailabilityZone: !Select [1, !GetAZs '']

    Fix safety:
        Unsafe: `Fn::GetAZs` lists the zones open to the account, in order; in an account
        where a zone is missing from that list (older accounts in us-east-1) the index lands
        on another zone, and changing the zone of a subnet, instance, volume or database
        replaces it.  Templates naming zones of several regions, Local Zones, or written by
        the CDK (cfn-lint skips those too) are left alone.
    """

    code = "AF303"
    name = "hardcoded-availability-zone"
    summary = "Hard-coded availability zones become !Select [N, !GetAZs '']"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-getavailabilityzones.html"
    resource_types = tuple(ZONE_PATHS)
    cfn_lint = ("W3010",)
    applicability = Applicability.UNSAFE

    def check(self, ctx):
        doc = ctx.doc
        if has_macros(doc) or is_cdk(doc):
            return
        found = []  # (resource, node, property path)
        for res in doc.resources():
            paths = ZONE_PATHS.get(res.type or "")
            props = res.properties
            if not paths or props is None:
                continue
            for path in paths:
                for node, at in zone_nodes(props, path):
                    if node.value != "all":
                        found.append((res, node, at))
        zones = [(res, node, at, ZONE.match(node.value)) for res, node, at in found]
        regions = {m.group(1) for *_, m in zones if m}
        if len(regions) != 1 or any(m is None for *_, m in zones):
            return  # several regions, or a zone we cannot map: a person decides
        region = regions.pop()
        by_resource: dict[str, list] = {}
        for res, node, at, m in zones:
            by_resource.setdefault(res.logical_id, []).append((res, node, at, ord(m.group(2)) - ord("a")))
        for rid, items in by_resource.items():
            res = items[0][0]
            edits, paths, changes = [], [], []
            replaces = False
            for _, node, at, index in items:
                edits.append(replace_inline(doc, node, Tagged("Fn::Select", [index, Tagged("Fn::GetAZs", "")])))
                paths.append(res.path + ("Properties",) + at[:1])
                changes.append(f"{node.value} -> !Select [{index}, !GetAZs '']")
                replaces = replaces or awsdata.replaces_resource(res.type, tuple("*" if isinstance(p, int) else p for p in at))
            yield self.fix(
                f"{rid}: hard-coded availability zone{'s' if len(items) > 1 else ''} of {region}: {', '.join(changes)}",
                items[0][1], edits=edits, paths=sorted(set(paths)), resource=res,
                unsafe_reason=(
                    "Fn::GetAZs lists the zones open to the account in order; where that list skips a zone the "
                    "index picks another one"
                    + (f", and a new zone replaces this {res.type}" if replaces else "")
                ),
                replaces_resource=replaces,
                before=", ".join(n.value for _, n, _, _ in items),
                after=", ".join(f"!Select [{i}, !GetAZs '']" for *_, i in items),
            )
