import re

from autofix import awsdata
from autofix.cfn.document import Tagged, is_map, is_plain_scalar, scalar_value
from autofix.fixes import Applicability, Edit
from autofix.rules import Rule

from ._refs import (call_nodes, fns_of, has_macros, path_of, render_string, replace_inline, scalar_substitutions,
                    string_nodes, sub_parts)

_VAR = r"\$\{[^}]*\}"
# arn:partition:service:region:account:resource (fields may already be ${...} variables).
ARN = re.compile(
    r"arn:(?P<p>aws(?:-[a-z]+)*|" + _VAR + r"):(?P<s>[a-z0-9-]+):(?P<r>" + _VAR + r"|[a-z0-9-]*):"
    r"(?P<a>" + _VAR + r"|[0-9]{12}|[a-z0-9-]*):(?P<rest>(?:" + _VAR + r"|[^\s\"',\[\]{}$]|\$(?!\{))*)"
)
ACCOUNT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")
REGION = re.compile(
    r"(?<![a-z0-9-])((?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?"
    r"-(?:east|west|north|south|central|northeast|southeast|northwest|southwest)-[0-9])(?![0-9])"
)

# Service part of an ARN for resource types whose namespace differs from it.
SERVICE_OF = {"stepfunctions": "states", "elasticloadbalancingv2": "elasticloadbalancing"}
SETTINGS = "hardcoded-arn"


def _service(type_name: str) -> str | None:
    parts = type_name.split("::")
    if len(parts) != 3 or parts[0] != "AWS":
        return None
    ns = parts[1].lower()
    return SERVICE_OF.get(ns, ns)


def physical_names(doc):
    """{(arn service, name): (resource, property)} for resources whose name is a literal."""
    out = {}
    for res in doc.resources():
        props, t = res.properties, res.type or ""
        service = _service(t)
        if props is None or service is None:
            continue
        kind = t.split("::")[-1]
        for k, v in props.value:
            if k.value in ("Name", kind + "Name") and is_plain_scalar(v) and isinstance(v.value, str) and v.value:
                out[(service, v.value)] = (res, k.value)
    return out


def names_resource(service: str, rest: str, names: dict) -> bool:
    """Whether the resource part of an ARN names one of this template's own resources."""
    if "${" in rest:
        return False
    parts = [p for p in re.split(r"[:/]", rest) if p]
    for (svc, name), _ in names.items():
        if svc != service:
            continue
        if name in parts or rest == name or rest.endswith("/" + name.lstrip("/")) or rest.endswith(":" + name):
            return True
    return False


def _tokens(doc):
    """Every 12-digit account id and region name written in a string anywhere in the template."""
    if "\\" not in doc.text and not ACCOUNT.search(doc.text) and not REGION.search(doc.text):
        return set(), set()  # no escapes, so no string holds what the text does not
    accounts, regions = set(), set()
    for n in string_nodes(doc):
        accounts.update(ACCOUNT.findall(n.value))
        regions.update(REGION.findall(n.value))
    return accounts, regions


def _as_set(value) -> set:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(x) for x in value}
    return set()


class HardcodedArn(Rule):
    """
    What it does:
        Writes the partition, region and account of ARNs through pseudo parameters:
        `${AWS::Partition}`, `${AWS::Region}`, `${AWS::AccountId}`.

        * The partition (`arn:aws:`) inside `Fn::Sub` strings always (what cfn-lint's I3042
          reports).
        * The region and the account only where it is certain they are this stack's: every
          account id written in the template is the same one, every region is the same one,
          and an ARN with that account (and region) names a resource this template creates
          (a topic whose `TopicName` it sets, a role whose `RoleName` it sets, ...), or the
          `[hardcoded-arn]` settings name them (`account-id = "123456789012"`,
          `region = "eu-west-1"`).  Then literal ARNs become `!Sub` strings, ARNs in
          `Fn::Sub` strings get the pseudo parameters, S3 ARNs and the physical names of
          this template's resources get `${AWS::AccountId}` / `${AWS::Region}` where the id
          or region is written inside the name (`logs-123456789012`).
        * Never with two account ids in the template (cross-account trust policies, a
          central logging account), nor the region of ARNs used by CloudFront (its
          certificates and Lambda@Edge functions live in us-east-1 whatever the stack's
          region).

    Why:
        Hard-coded ARNs tie the template to one partition, region and account: it cannot be
        deployed to a second region, a test account or GovCloud, and the literal hides that
        the ARN means "this stack's own".

    Example:
        Resource: arn:aws:sns:us-east-1:123456789012:alerts
        ->  Resource: !Sub 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:alerts'

    Fix safety:
        The partition is safe: a template that writes `aws` works only in the `aws` partition,
        where `${AWS::Partition}` is `aws`.  Region and account are unsafe: they resolve to the
        same value only in the account and region the template names; a template deployed to
        several accounts on purpose pointing at one account's resource (a hub topic whose name
        the spokes reuse) would now point at each account's own.  A physical name (a
        create-only property) is unsafe for the same reason: in any other account the name
        changes and CloudFormation replaces the resource.
    """

    code = "AF304"
    name = "hardcoded-arn"
    summary = "ARNs take partition (and, when certain, region and account: unsafe) from pseudo parameters"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html"
    cfn_lint = ("I3042",)

    def check(self, ctx):
        doc = ctx.doc
        if has_macros(doc):
            return
        strings = list(self._strings(doc))
        names = physical_names(doc)
        settings = ctx.section(SETTINGS)
        own_accounts = _as_set(settings.get("account-id"))
        for _, _, text, _, _ in strings:
            for m in ARN.finditer(text):
                if m.group("a").isdigit() and names_resource(m.group("s"), m.group("rest"), names):
                    own_accounts.add(m.group("a"))
        own_regions = _as_set(settings.get("region"))
        # every id and region written anywhere: only needed when one of them could be this stack's
        accounts, regions = _tokens(doc) if own_accounts or own_regions else (set(), set())
        account = next(iter(accounts)) if len(accounts) == 1 and accounts <= own_accounts else None
        # a region is this stack's when the settings say so, or when an ARN of this stack's own
        # account names one of its resources in that region
        if account is not None:
            for _, _, text, _, _ in strings:
                for m in ARN.finditer(text):
                    if m.group("a") == account and names_resource(m.group("s"), m.group("rest"), names):
                        if m.group("r") and "${" not in m.group("r"):
                            own_regions.add(m.group("r"))
        region = next(iter(regions)) if len(regions) == 1 and regions <= own_regions else None

        # the partition in Sub strings: one safe fix per string
        for node, v, text, is_sub, res in strings:
            if is_sub:
                new = ARN.sub(lambda m: self._arn(m, None, None, False), text)
                if new != text:
                    yield self.fix(
                        f"{_where(v[1])}: ARN partition written as ${{AWS::Partition}}", node,
                        edits=self._sub_edits(doc, node, text, new), paths=[v[1]], resource=res, before=text, after=new,
                    )
        if account is None and region is None:
            return
        # region and account: one unsafe fix for the whole template, so that the evidence (an
        # ARN naming a resource of this template) is judged once, before any of it is rewritten
        edits, paths, changes, create_only = [], [], [], []
        for node, v, text, is_sub, res in strings:
            pin_region = res is not None and (res.type or "").startswith("AWS::CloudFront::")
            core = ARN.sub(lambda m: self._arn(m, account, region, pin_region, partition=False), text)
            if core == text:
                continue
            if not is_sub and "${" in text:
                continue  # would need escaping to become a Sub string: leave it to a person
            new = ARN.sub(lambda m: self._arn(m, account, region, pin_region), text)
            if is_sub:
                edits.extend(self._sub_edits(doc, node, text, new))
            else:
                edits.append(replace_inline(doc, node, Tagged("Fn::Sub", new)))
            paths.append(v[1])
            changes.append((text, new))
            if res is not None and res.type and len(v[1]) > 3 and awsdata.replaces_resource(res.type, (v[1][3],)):
                create_only.append(f"{res.logical_id}.{v[1][3]}")
        for (_, name), (res, prop) in names.items():
            new = self._name(name, account, region)
            if new is None:
                continue
            node = res.prop(prop)
            edits.append(replace_inline(doc, node, Tagged("Fn::Sub", new)))
            paths.append(res.path + ("Properties", prop))
            changes.append((name, new))
            if awsdata.replaces_resource(res.type, (prop,)):
                create_only.append(f"{res.logical_id}.{prop}")
        if not edits:
            return
        who = " and ".join(x for x in (f"account {account}" if account else "", f"region {region}" if region else "") if x)
        reason = (
            f"the pseudo parameters resolve to the values written now only while the stack is deployed in {who}; "
            "a template deployed to several accounts or regions on purpose would now point each at its own"
        )
        if create_only:
            reason += f"; create-only, replaced wherever the value differs: {', '.join(sorted(set(create_only)))}"
        first = strings[0][0] if strings else None
        yield self.fix(
            f"{len(changes)} ARN{'s' if len(changes) > 1 else ''}/name{'s' if len(changes) > 1 else ''} written with "
            f"this stack's {who}: use ${{AWS::AccountId}} / ${{AWS::Region}}",
            first, edits=edits, paths=paths, applicability=Applicability.UNSAFE, unsafe_reason=reason,
            before="; ".join(a for a, _ in changes), after="; ".join(b for _, b in changes),
        )

    def _sub_edits(self, doc, s, text, new):
        pairs = []
        for old_m, new_m in zip(ARN.finditer(text), ARN.finditer(new)):
            if old_m.group(0) != new_m.group(0) and (old_m.group(0), new_m.group(0)) not in pairs:
                pairs.append((old_m.group(0), new_m.group(0)))
        edits = scalar_substitutions(doc, s, pairs)
        if edits is None:
            edits = [Edit(s.start_mark.index, doc._node_end(s), render_string(doc, new, like=s, flow=doc._in_flow(s)))]
        return edits

    @staticmethod
    def _name(name, account, region):
        """A physical name with this stack's account/region written as pseudo parameters."""
        if "${" in name:
            return None
        new = name
        if account:
            new = re.sub(r"(?<![0-9])" + account + r"(?![0-9])", "${AWS::AccountId}", new)
        if region:
            new = re.sub(r"(?<![a-z0-9-])" + re.escape(region) + r"(?![0-9a-z])", "${AWS::Region}", new)
        return new if new != name else None

    # ---- scanning ------------------------------------------------------------------------
    def _strings(self, doc):
        """(string node, visit, text, in a Sub, resource) for Sub strings and literal strings
        that contain an ARN, in resource properties and outputs."""
        if "arn:" not in doc.text and "\\" not in doc.text:
            return  # no escapes, so no string holds what the text does not
        # where strings count: each resource's Properties, in order, then Outputs
        rank = {res.logical_id: i for i, res in enumerate(doc.resources()) if res.properties is not None}
        by_id = {res.logical_id: res for res in doc.resources()}
        has_outputs = is_map(doc.section("Outputs"))
        # a Sub's string is a string node of its own, so one pass over the strings, in document
        # order, finds both kinds
        sub_of = {}
        for n, cs in call_nodes(doc):
            for name, _ in cs:
                if name == "Fn::Sub":
                    s, _ = sub_parts(n)
                    if s is not None:
                        sub_of.setdefault(id(s), n)
        found = []
        for s in string_nodes(doc):
            if "arn:" not in s.value:
                continue
            n = sub_of.get(id(s))
            if n is not None:
                found.append((n, s, s.value, True))
            elif is_plain_scalar(s):
                found.append((s, s, None, False))
        ordered = []
        for n, s, text, is_sub in found:
            path = path_of(doc, n)
            if path[:1] == ("Resources",) and len(path) > 2 and path[2] == "Properties" and path[1] in rank:
                place, res = rank[path[1]], by_id[path[1]]
            elif path[:1] == ("Outputs",) and has_outputs:
                place, res = len(rank), None
            else:
                continue
            fns = fns_of(doc, n)
            if not is_sub:
                text = scalar_value(n)
                if "Fn::Sub" in fns or not isinstance(text, str) or (
                        fns and fns[-1] not in ("Fn::If", "Fn::Join", "Fn::Select")):
                    continue
            ordered.append((place, (s, (n, path, fns), text, is_sub, res)))
        ordered.sort(key=lambda x: x[0])  # stable: document order within a place
        for _, item in ordered:
            yield item

    @staticmethod
    def _arn(m, account, region, pin_region, partition=True) -> str:
        p, s, r, a, rest = (m.group(x) for x in ("p", "s", "r", "a", "rest"))
        if partition and "${" not in p:
            p = "${AWS::Partition}"
        if region and r == region and not pin_region:
            r = "${AWS::Region}"
        if account and a == account:
            a = "${AWS::AccountId}"
        if s == "s3" and not m.group("a"):
            if account:
                rest = re.sub(r"(?<![0-9])" + account + r"(?![0-9])", "${AWS::AccountId}", rest)
            if region and not pin_region:
                rest = re.sub(r"(?<![a-z0-9-])" + re.escape(region) + r"(?![0-9a-z])", "${AWS::Region}", rest)
        return f"arn:{p}:{s}:{r}:{a}:{rest}"


def _where(path) -> str:
    return "/".join(map(str, path))
