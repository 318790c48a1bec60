"""Physical names: what each name-bearing property allows, what a `!Sub` name can expand to,
the `[naming]` settings, roles, and which property changes replace a resource.

Lengths are counted with the longest value a template allows:

* a parameter's `AllowedValues`, else the smaller of its `MaxLength` and the longest match
  of its `AllowedPattern` (read with Python's regex parser; CloudFormation's patterns are Java
  regexes, which agree on everything these patterns use);
* a parameter with neither is unbounded: the environment parameter is assumed to be at most
  `ENV_ASSUMED_MAX` (16) characters of `[a-z0-9-]` (the `AllowedPattern` autofix itself
  writes), any other parameter at most `PARAM_ASSUMED_MAX` (32) characters; the report says
  when a check rests on that assumption;
* pseudo parameters at their documented maximum (`AWS::AccountId` 12 digits, `AWS::Region`
  15 characters, `AWS::StackName` 128 characters, ...).

Characters of a parameter with no `AllowedPattern`/`AllowedValues` are not checked (nothing is
known about them); hyphen placement that depends on a parameter's value (`--`, a trailing `-`)
is a note, not a refusal.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any, Iterable

from autofix import awsdata
from autofix.cfn.document import Document, Resource, Tagged, is_map, mapping_get
from autofix.fixes import Applicability, Fix

from ._edits import (
    getatt_target,
    insert_section,
    insert_spaced,
    kebab,
    literal_str,
    parameters,
    ref_target,
    refs_in,
    sub_parts,
    words,
)

ENV_PARAMETER = "EnvironmentSuffix"
DEFAULT_PATTERN = "{prefix}-{role}-{env}"
ENV_ASSUMED_MAX = 16
PARAM_ASSUMED_MAX = 32
ENV_ALLOWED_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
ENV_MAX_LENGTH = 16
NAMING_DOC = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html"

LOWER = frozenset(string.ascii_lowercase)
UPPER = frozenset(string.ascii_uppercase)
LETTERS = LOWER | UPPER
DIGITS = frozenset(string.digits)
ALNUM = LETTERS | DIGITS


# --------------------------------------------------------------------------------------------
# what a name may contain


@dataclass(frozen=True)
class NameSpec:
    """The rules AWS applies to one name-bearing property."""

    what: str
    max_len: int
    chars: frozenset | None  # None: not restricted here
    min_len: int = 1
    first: frozenset | None = None
    last: frozenset | None = None
    hyphen_rules: bool = False  # no `--`, no trailing `-`
    required_prefix: str = ""
    forbidden_prefixes: tuple[str, ...] = ()
    forbidden_suffixes: tuple[str, ...] = ()
    forbidden_names: tuple[str, ...] = ()
    no_double_dot: bool = False
    chars_text: str = ""


def _spec(what, max_len, chars, text, **kw) -> NameSpec:
    return NameSpec(what=what, max_len=max_len, chars=frozenset(chars) if chars is not None else None, chars_text=text, **kw)


_RDS = dict(first=LETTERS, hyphen_rules=True)

#: (type, property) -> rules; the property is the resource's physical name.
NAME_PROPERTIES: dict[tuple[str, str], NameSpec] = {
    ("AWS::RDS::DBInstance", "DBInstanceIdentifier"): _spec(
        "DB instance identifier", 63, ALNUM | {"-"}, "letters, digits and hyphens", **_RDS),
    ("AWS::RDS::DBCluster", "DBClusterIdentifier"): _spec(
        "DB cluster identifier", 63, ALNUM | {"-"}, "letters, digits and hyphens", **_RDS),
    ("AWS::RDS::DBParameterGroup", "DBParameterGroupName"): _spec(
        "DB parameter group name", 255, ALNUM | {"-"}, "letters, digits and hyphens", **_RDS),
    ("AWS::RDS::DBClusterParameterGroup", "DBClusterParameterGroupName"): _spec(
        "DB cluster parameter group name", 255, ALNUM | {"-"}, "letters, digits and hyphens", **_RDS),
    ("AWS::RDS::DBSubnetGroup", "DBSubnetGroupName"): _spec(
        "DB subnet group name", 255, ALNUM | set("._ -"), "letters, digits, periods, underscores, spaces and hyphens",
        first=LETTERS, forbidden_names=("default",)),
    ("AWS::S3::Bucket", "BucketName"): _spec(
        "S3 bucket name", 63, LOWER | DIGITS | set(".-"), "lowercase letters, digits, periods and hyphens",
        min_len=3, first=LOWER | DIGITS, last=LOWER | DIGITS, no_double_dot=True,
        forbidden_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
        forbidden_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")),
    ("AWS::KMS::Alias", "AliasName"): _spec(
        "KMS alias name", 256, ALNUM | set("/_-"), "letters, digits, slashes, underscores and hyphens",
        required_prefix="alias/", forbidden_prefixes=("alias/aws/",)),
    ("AWS::SecretsManager::Secret", "Name"): _spec(
        "Secrets Manager secret name", 512, ALNUM | set("/_+=.@-"), "letters, digits and /_+=.@-"),
    ("AWS::Lambda::Function", "FunctionName"): _spec(
        "Lambda function name", 64, ALNUM | set("-_"), "letters, digits, hyphens and underscores"),
    ("AWS::Logs::LogGroup", "LogGroupName"): _spec(
        "log group name", 512, ALNUM | set("._-/#"), "letters, digits and ._-/#"),
    ("AWS::ElastiCache::ReplicationGroup", "ReplicationGroupId"): _spec(
        "ElastiCache replication group id", 40, ALNUM | {"-"}, "letters, digits and hyphens", **_RDS),
    ("AWS::SNS::Topic", "TopicName"): _spec(
        "SNS topic name", 256, ALNUM | set("-_"), "letters, digits, hyphens and underscores"),
    ("AWS::SQS::Queue", "QueueName"): _spec(
        "SQS queue name", 80, ALNUM | set("-_"), "letters, digits, hyphens and underscores"),
    ("AWS::Kinesis::Stream", "Name"): _spec(
        "Kinesis stream name", 128, ALNUM | set("_.-"), "letters, digits and _.-"),
    ("AWS::IAM::Role", "RoleName"): _spec(
        "IAM role name", 64, ALNUM | set("+=,.@_-"), "letters, digits and +=,.@_-"),
    ("AWS::DynamoDB::Table", "TableName"): _spec(
        "DynamoDB table name", 255, ALNUM | set("_.-"), "letters, digits and _.-", min_len=3),
    ("AWS::CloudWatch::Alarm", "AlarmName"): _spec(
        "CloudWatch alarm name", 255, None, "printable ASCII"),
    ("AWS::EC2::SecurityGroup", "GroupName"): _spec(
        "security group name", 255, ALNUM | set(" ._-:/()#,@[]+=&;{}!$*"), "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
        forbidden_prefixes=("sg-",)),
}
TAG_SPEC = _spec("Name tag", 256, None, "")

#: FIFO queues and topics: the name must end with `.fifo` (the dot is allowed only there).
FIFO_FLAGS = {("AWS::SQS::Queue", "QueueName"): "FifoQueue", ("AWS::SNS::Topic", "TopicName"): "FifoTopic"}


#: names AWS services look up by name: renaming them breaks the service, so they are kept
RESERVED_NAMES = frozenset(n.lower() for n in (
    "dms-vpc-role", "dms-cloudwatch-logs-role", "dms-access-for-endpoint",  # AWS DMS
    "AWSCloudFormationStackSetAdministrationRole", "AWSCloudFormationStackSetExecutionRole",  # StackSets
    "EMR_DefaultRole", "EMR_EC2_DefaultRole", "EMR_AutoScaling_DefaultRole", "EMR_Notebooks_DefaultRole",
    "OrganizationAccountAccessRole", "AWSServiceRoleForECS",
))
#: name prefixes a service requires (WAF logging destinations, service log groups)
RESERVED_PREFIXES = ("aws-waf-logs-", "/aws/", "awsservicerolefor")


def reserved(name: str) -> bool:
    """Whether a (literal) name is one an AWS service requires as it is."""
    low = name.lower()
    return low in RESERVED_NAMES or low.startswith(RESERVED_PREFIXES)


def name_property(resource_type: str | None) -> str | None:
    for (t, p) in NAME_PROPERTIES:
        if t == resource_type:
            return p
    return None


# --------------------------------------------------------------------------------------------
# variables


@dataclass(frozen=True)
class Var:
    """What a `${X}` in a name can expand to."""

    name: str
    max_len: int
    min_len: int = 1
    chars: frozenset | None = None  # None: unknown, not checked
    first: frozenset | None = None
    last: frozenset | None = None
    assumed: str | None = None  # why the bounds are an assumption


_REGION_CHARS = LOWER | DIGITS | {"-"}
PSEUDO: dict[str, Var] = {
    "AWS::AccountId": Var("AWS::AccountId", 12, 12, DIGITS, DIGITS, DIGITS),
    # longest region names: us-isof-south-1 (15)
    "AWS::Region": Var("AWS::Region", 15, 9, _REGION_CHARS, LOWER, DIGITS),
    "AWS::Partition": Var("AWS::Partition", 10, 3, LOWER | {"-"}, LOWER, LOWER),
    "AWS::URLSuffix": Var("AWS::URLSuffix", 16, 10, LOWER | {"."}, LOWER, LOWER),
    "AWS::StackName": Var("AWS::StackName", 128, 1, ALNUM | {"-"}, LETTERS, ALNUM | {"-"}),
    "AWS::StackId": Var("AWS::StackId", 160, 60, None),
}


def _char_facts(pattern: str):
    """(chars, first, last, max_width) of a regex, over-approximated; None where unknown."""
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]

    try:
        parsed = P.parse(pattern)
    except Exception:
        return None, None, None, None
    icase = bool(parsed.state.flags & re.IGNORECASE)

    def U(a, b):
        return None if a is None or b is None else a | b

    def lit(c: int):
        s = {chr(c)}
        if icase:
            s |= {chr(c).lower(), chr(c).upper()}
        return frozenset(s)

    def item(op, av):
        # -> chars, first, last, nullable
        if op is C.LITERAL:
            s = lit(av)
            return s, s, s, False
        if op in (C.NOT_LITERAL, C.ANY):
            return None, None, None, False
        if op is C.IN:
            s: set | None = set()
            for iop, iav in av:
                if iop is C.LITERAL:
                    s |= lit(iav)
                elif iop is C.RANGE:
                    lo, hi = iav
                    if hi - lo > 512:
                        s = None
                        break
                    for c in range(lo, hi + 1):
                        s |= lit(c)
                elif iop is C.CATEGORY:
                    cat = {C.CATEGORY_DIGIT: DIGITS, C.CATEGORY_WORD: ALNUM | {"_"},
                           C.CATEGORY_SPACE: frozenset(" \t\n\r\f\v")}.get(iav)
                    if cat is None:
                        s = None
                        break
                    s |= cat
                else:  # NEGATE and anything else
                    s = None
                    break
            fs = frozenset(s) if s is not None else None
            return fs, fs, fs, False
        if op in (C.MAX_REPEAT, C.MIN_REPEAT) or getattr(C, "POSSESSIVE_REPEAT", None) is op:
            lo, hi, sub = av
            if hi == 0:
                return frozenset(), frozenset(), frozenset(), True
            ch, fi, la, nu = seq(sub)
            return ch, fi, la, lo == 0 or nu
        if op is C.SUBPATTERN:
            return seq(av[-1])
        if getattr(C, "ATOMIC_GROUP", None) is op:
            return seq(av)
        if op is C.BRANCH:
            ch = fi = la = frozenset()
            nu = False
            for sub in av[1]:
                c2, f2, l2, n2 = seq(sub)
                ch, fi, la, nu = U(ch, c2), U(fi, f2), U(la, l2), nu or n2
            return ch, fi, la, nu
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return frozenset(), frozenset(), frozenset(), True
        return None, None, None, False

    def seq(items):
        chars: frozenset | None = frozenset()
        facts = [item(op, av) for op, av in items]
        for ch, _, _, _ in facts:
            chars = U(chars, ch)
        first: frozenset | None = frozenset()
        for _, fi, _, nu in facts:
            first = U(first, fi)
            if not nu:
                break
        last: frozenset | None = frozenset()
        for _, _, la, nu in reversed(facts):
            last = U(last, la)
            if not nu:
                break
        return chars, first, last, all(f[3] for f in facts)

    chars, first, last, _ = seq(list(parsed))
    lo, hi = parsed.getwidth()
    width = hi if hi < 10**6 else None
    return chars, first, last, width


def _int(v: Any) -> int | None:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return None


def parameter_var(name: str, definition: Any, *, is_env: bool = False) -> Var:
    """The bounds of a template parameter's values (see the module docstring)."""
    d = definition if isinstance(definition, dict) else {}
    allowed = d.get("AllowedValues")
    if isinstance(allowed, list) and allowed and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in allowed):
        vals = [str(v) for v in allowed]
        return Var(name, max(map(len, vals)), min(map(len, vals)), frozenset("".join(vals)),
                   frozenset(v[0] for v in vals if v), frozenset(v[-1] for v in vals if v))
    max_len = _int(d.get("MaxLength"))
    min_len = _int(d.get("MinLength")) or 1
    chars = first = last = None
    pattern = d.get("AllowedPattern")
    if isinstance(pattern, str):
        chars, first, last, width = _char_facts(pattern)
        if width is not None:
            max_len = width if max_len is None else min(max_len, width)
    assumed = None
    if max_len is None:
        max_len = ENV_ASSUMED_MAX if is_env else PARAM_ASSUMED_MAX
        assumed = f"parameter {name} has no MaxLength, AllowedPattern or AllowedValues: assumed at most {max_len} characters"
    if chars is None and is_env:
        chars, first, last = LOWER | DIGITS | {"-"}, LOWER | DIGITS, LOWER | DIGITS
        assumed = (assumed + "; " if assumed else f"parameter {name}: ") + "assumed to hold only [a-z0-9-]"
    return Var(name, max_len, min_len, chars, first, last, assumed)


def new_env_var(name: str) -> Var:
    """The environment parameter autofix adds (see `env_parameter_definition`)."""
    ch = LOWER | DIGITS
    return Var(name, ENV_MAX_LENGTH, 1, ch | {"-"}, ch, ch)


# --------------------------------------------------------------------------------------------
# validation

Part = Any  # str (literal text) or Var


def max_length(parts: Iterable[Part]) -> int:
    return sum(len(p) if isinstance(p, str) else p.max_len for p in parts)


def _show_chars(chars: Iterable[str]) -> str:
    return ", ".join(repr(c) for c in sorted(chars)[:6])


@dataclass
class Check:
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(parts: list[Part], spec: NameSpec, *, fifo: bool = False) -> Check:
    """Whether every value the name can take is valid for `spec` (AWS's rules for it)."""
    parts = [p for p in parts if not (isinstance(p, str) and p == "")]
    out = Check()
    text = "".join(p if isinstance(p, str) else "${" + p.name + "}" for p in parts)
    longest = max_length(parts)
    shortest = sum(len(p) if isinstance(p, str) else p.min_len for p in parts)
    if longest > spec.max_len:
        detail = " + ".join(
            str(len(p)) if isinstance(p, str) else f"{p.max_len} for ${{{p.name}}}" for p in parts if not isinstance(p, str) or p
        )
        out.errors.append(f"{spec.what} {text!r} can be {longest} characters long ({detail}), above AWS's limit of {spec.max_len}")
    if shortest < spec.min_len:
        out.errors.append(f"{spec.what} {text!r} can be {shortest} characters long, below AWS's minimum of {spec.min_len}")
    body = parts
    if fifo:
        if not (parts and isinstance(parts[-1], str) and parts[-1].endswith(".fifo")):
            out.errors.append(f"{spec.what} {text!r} of a FIFO resource must end with '.fifo'")
        else:
            body = parts[:-1] + ([parts[-1][: -len(".fifo")]] if parts[-1][: -len(".fifo")] else [])
    if spec.required_prefix:
        if not (parts and isinstance(parts[0], str) and parts[0].startswith(spec.required_prefix)):
            out.errors.append(f"{spec.what} {text!r} must start with {spec.required_prefix!r}")
        else:
            body = [parts[0][len(spec.required_prefix):]] + list(body[1:])
            body = [p for p in body if not (isinstance(p, str) and p == "")]
    if spec.chars is not None:
        bad = set()
        for p in body:
            if isinstance(p, str):
                bad |= set(p) - spec.chars
        if bad:
            out.errors.append(f"{spec.what} {text!r} contains {_show_chars(bad)}; allowed: {spec.chars_text}")
        for p in body:
            if isinstance(p, Var) and p.chars is not None and p.chars - spec.chars:
                out.errors.append(
                    f"${{{p.name}}} may contain {_show_chars(p.chars - spec.chars)}, which a {spec.what} cannot ({spec.chars_text})"
                )
    if body and spec.first is not None:
        head = body[0]
        if isinstance(head, str):
            if head[0] not in spec.first:
                out.errors.append(f"{spec.what} {text!r} must start with a {'letter' if spec.first <= LETTERS else 'letter or digit'}")
        elif head.first is not None and head.first - spec.first:
            out.errors.append(f"{spec.what} {text!r} may start with {_show_chars(head.first - spec.first)} (from ${{{head.name}}}); "
                              f"it must start with a {'letter' if spec.first <= LETTERS else 'letter or digit'}")
    if body and spec.last is not None:
        tail = body[-1]
        if isinstance(tail, str):
            if tail[-1] not in spec.last:
                out.errors.append(f"{spec.what} {text!r} must end with a letter or digit")
        elif tail.last is not None and tail.last - spec.last:
            out.notes.append(f"{spec.what} {text!r} is invalid if ${{{tail.name}}} ends with {_show_chars(tail.last - spec.last)}")
    lits = [p for p in parts if isinstance(p, str)]
    if spec.hyphen_rules:
        if any("--" in p for p in lits):
            out.errors.append(f"{spec.what} {text!r} contains two consecutive hyphens")
        if body and isinstance(body[-1], str) and body[-1].endswith("-"):
            out.errors.append(f"{spec.what} {text!r} ends with a hyphen")
        for a, b in zip(body, body[1:]):
            if isinstance(a, str) and a.endswith("-") and isinstance(b, Var) and (b.first is None or "-" in b.first):
                out.notes.append(f"{spec.what} is invalid if ${{{b.name}}} starts with a hyphen")
            if isinstance(a, Var) and isinstance(b, str) and b.startswith("-") and (a.last is None or "-" in a.last):
                out.notes.append(f"{spec.what} is invalid if ${{{a.name}}} ends with a hyphen")
    if spec.no_double_dot and any(".." in p for p in lits):
        out.errors.append(f"{spec.what} {text!r} contains two adjacent periods")
    if parts and isinstance(parts[0], str):
        for pre in spec.forbidden_prefixes:
            if parts[0].startswith(pre):
                out.errors.append(f"{spec.what} {text!r} must not start with {pre!r}")
    if parts and isinstance(parts[-1], str):
        for suf in spec.forbidden_suffixes:
            if parts[-1].endswith(suf):
                out.errors.append(f"{spec.what} {text!r} must not end with {suf!r}")
    if all(isinstance(p, str) for p in parts) and text.lower() in spec.forbidden_names:
        out.errors.append(f"{spec.what} must not be {text!r}")
    for p in parts:
        if isinstance(p, Var) and p.assumed:
            out.notes.append(p.assumed)
    if spec.what.startswith("Secrets Manager") and parts and isinstance(parts[-1], Var):
        v = parts[-1]
        if v.min_len <= 6 <= v.max_len and len(parts) > 1 and isinstance(parts[-2], str) and parts[-2].endswith("-"):
            out.notes.append("AWS advises against secret names ending in a hyphen and six characters "
                             f"(they look like the ARN's random suffix): avoid six-character values of ${{{v.name}}}")
    out.notes = list(dict.fromkeys(out.notes))
    return out


def sub_to_parts(s: str, doc: Document, env_name: str, env_var: Var) -> tuple[list[Part] | None, str | None]:
    """A Sub string as literal text and Vars, or (None, why not)."""
    params = parameters(doc)
    out: list[Part] = []
    for kind, val in sub_parts(s):
        if kind == "text":
            out.append(val)
        elif val in PSEUDO:
            out.append(PSEUDO[val])
        elif val == env_name:
            out.append(env_var)
        elif val in params:
            out.append(parameter_var(val, params[val]))
        else:
            return None, f"${{{val}}} is not a parameter"
    return out, None


# --------------------------------------------------------------------------------------------
# settings


@dataclass(frozen=True)
class NamingSettings:
    prefix: str | None
    pattern: str
    bucket_pattern: str | None
    env_parameter: str
    env_default: str | None
    roles: dict

    @classmethod
    def from_ctx(cls, ctx) -> "NamingSettings":
        sec = ctx.section("naming")
        if not isinstance(sec, dict):
            sec = {}

        def text(key: str, default: str | None) -> str | None:
            v = sec.get(key, default)
            if v is not None and not isinstance(v, str):
                raise ValueError(f"[naming] {key} must be a string, not {v!r}")
            return v

        prefix = text("prefix", None) or None
        env = text("env-parameter", ENV_PARAMETER) or ENV_PARAMETER
        if not re.fullmatch(r"[A-Za-z0-9]+", env):
            raise ValueError(f"[naming] env-parameter must be a parameter name (letters and digits), not {env!r}")
        pattern = text("pattern", DEFAULT_PATTERN) or DEFAULT_PATTERN
        if "{role}" not in pattern:
            raise ValueError("[naming] pattern must contain {role}, or every resource of a type gets the same name")
        bucket = text("bucket-pattern", None)
        if bucket is not None and "{role}" not in bucket:
            raise ValueError("[naming] bucket-pattern must contain {role}")
        default_env = {"test": "test", "production": "prod"}.get(ctx.environment or "", "dev")
        env_default = sec.get("env-default", default_env)
        if env_default is False:
            env_default = None
        elif not isinstance(env_default, str) or not re.fullmatch(ENV_ALLOWED_PATTERN, env_default) or len(env_default) > ENV_MAX_LENGTH:
            raise ValueError(f"[naming] env-default must be false or 1-{ENV_MAX_LENGTH} lowercase letters, digits and "
                             f"single hyphens, not {env_default!r}")
        roles = sec.get("roles", {})
        if not isinstance(roles, dict) or not all(isinstance(k, str) and isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", v)
                                                  for k, v in roles.items()):
            raise ValueError("[naming.roles] must map logical ids to roles made of letters, digits and hyphens")
        return cls(prefix, pattern, bucket, env, env_default, dict(roles))

    def render(self, role: str, *, resource_type: str | None = None, prop: str | None = None) -> str:
        """The Sub string of a name; buckets get ${AWS::AccountId} for global uniqueness."""
        pattern = self.pattern
        if resource_type == "AWS::S3::Bucket" and prop == "BucketName":
            pattern = self.bucket_pattern or (pattern if "AWS::AccountId" in pattern else pattern + "-${AWS::AccountId}")
        values = {"prefix": self.prefix or "", "role": role, "env": "${" + self.env_parameter + "}"}
        s = re.sub(r"(?<!\$)\{(prefix|role|env)\}", lambda m: values[m.group(1)], pattern)
        if resource_type == "AWS::S3::Bucket" and prop == "BucketName":
            s = "".join(v if k == "var" else v.lower() for k, v in _split_keep(s))
        if resource_type == "AWS::KMS::Alias" and prop == "AliasName":
            s = "alias/" + s
        return s


def _split_keep(s: str) -> list[tuple[str, str]]:
    return [(k, "${" + v + "}" if k == "var" else v) for k, v in sub_parts(s)]


# --------------------------------------------------------------------------------------------
# roles

#: words dropped from a logical id to find a resource's role, what to append, and the role when
#: nothing is left.
ROLE_WORDS: dict[str, tuple[frozenset, str, str]] = {
    "AWS::S3::Bucket": (frozenset({"bucket", "s3"}), "", "bucket"),
    "AWS::Lambda::Function": (frozenset({"function", "lambda", "fn", "func"}), "", "function"),
    "AWS::SNS::Topic": (frozenset({"topic", "sns"}), "", "topic"),
    "AWS::SQS::Queue": (frozenset({"queue", "sqs"}), "", "queue"),
    "AWS::Kinesis::Stream": (frozenset({"stream", "kinesis"}), "", "stream"),
    "AWS::IAM::Role": (frozenset({"role", "iam"}), "role", "role"),
    "AWS::DynamoDB::Table": (frozenset({"table", "dynamodb", "ddb"}), "", "table"),
    "AWS::SecretsManager::Secret": (frozenset({"secret", "secrets", "sm"}), "", "secret"),
    "AWS::Logs::LogGroup": (frozenset({"log", "logs", "group", "loggroup"}), "logs", "logs"),
    "AWS::KMS::Alias": (frozenset({"alias", "kms", "key"}), "key", "key"),
    "AWS::EC2::SecurityGroup": (frozenset({"security", "group", "sg"}), "sg", "sg"),
    "AWS::CloudWatch::Alarm": (frozenset({"alarm", "cloudwatch", "cw"}), "alarm", "alarm"),
    "AWS::ElastiCache::ReplicationGroup": (frozenset({"replication", "group", "elasticache", "rg"}), "", "cache"),
}
_GENERIC = frozenset({"my"})
_DB_WORDS = frozenset({"db", "database", "rds", "instance", "cluster", "primary", "replica", "main", "master",
                       "aurora", "postgres", "postgresql", "mysql", "pg"})
DATABASE_CONSUMERS = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")


#: words written shorter in roles, as the fixed roles do (`db-primary`)
_SHORT = {"database": "db", "databases": "dbs"}


def _role_from_words(logical_id: str, drop: frozenset, suffix: str, fallback: str) -> str:
    ws = [_SHORT.get(w.lower(), w) for w in words(logical_id) if w.lower() not in drop | _GENERIC]
    role = kebab(ws)
    if suffix and role and not role.endswith(suffix):
        role = f"{role}-{suffix}"
    return role or fallback


def _consumers(doc: Document, logical_id: str) -> list[Resource]:
    """Resources whose properties refer to `logical_id`."""
    plain = _plain_resources(doc)
    out = []
    for r in doc.resources():
        body = plain.get(r.logical_id)
        props = body.get("Properties") if isinstance(body, dict) else None
        if r.logical_id != logical_id and props is not None and logical_id in set(refs_in(props)):
            out.append(r)
    return out


def _base_role(doc: Document, res: Resource) -> str:
    t = res.type or ""
    props = res.properties
    if t == "AWS::RDS::DBInstance":
        if mapping_get(props, "DBClusterIdentifier") is not None:
            return "db-instance"
        if mapping_get(props, "SourceDBInstanceIdentifier") is not None or mapping_get(props, "SourceDBClusterIdentifier") is not None:
            return "db-replica"
        return "db-primary"
    fixed = {"AWS::RDS::DBCluster": "db-cluster", "AWS::RDS::DBParameterGroup": "db-params",
             "AWS::RDS::DBClusterParameterGroup": "db-cluster-params", "AWS::RDS::DBSubnetGroup": "db-subnets"}
    if t in fixed:
        return fixed[t]
    if t == "AWS::KMS::Alias":
        key = ref_target(mapping_get(props, "TargetKeyId"))
        ga = getatt_target(mapping_get(props, "TargetKeyId"))
        key = key or (ga[0] if ga else None)
        if key and doc.resource(key) is not None:
            users = [u for u in _consumers(doc, key) if u.type != "AWS::KMS::Alias"]
            if users and all(u.type in DATABASE_CONSUMERS for u in users):
                return "db-key"
    if t == "AWS::SecretsManager::Secret":
        users = _consumers(doc, res.logical_id)
        if any(u.type in DATABASE_CONSUMERS for u in users) or any(
            u.type == "AWS::SecretsManager::SecretTargetAttachment" for u in users
        ):
            return "db-credentials"
    if t in ROLE_WORDS:
        drop, suffix, fallback = ROLE_WORDS[t]
        return _role_from_words(res.logical_id, drop, suffix, fallback)
    return _role_from_words(res.logical_id, frozenset(), "", kebab(words(res.logical_id)) or res.logical_id.lower())


def assign_roles(doc: Document, settings: NamingSettings) -> dict[str, str]:
    """Each resource's role, unique per resource type; stable for a given template.  Clashes
    are told apart by the words of the logical id (`OrdersDb` -> `orders-db-primary`), then by
    a number in template order."""
    base: dict[str, str] = {}
    types: dict[str, str] = {}
    for res in doc.resources():
        types[res.logical_id] = res.type or ""
        base[res.logical_id] = settings.roles.get(res.logical_id) or _base_role(doc, res)
    out: dict[str, str] = {}
    by_type: dict[tuple[str, str], list[str]] = {}
    for lid, role in base.items():
        by_type.setdefault((types[lid], role), []).append(lid)
    for (t, role), ids in by_type.items():
        if len(ids) == 1 or any(i in settings.roles for i in ids):
            for i in ids:
                out[i] = role
            continue
        for i in ids:
            qual = kebab([w for w in words(i) if w.lower() not in _DB_WORDS | _GENERIC | set(role.split("-"))])
            out[i] = f"{qual}-{role}" if qual else role
    # still equal: number them in template order
    seen: dict[tuple[str, str], int] = {}
    for lid in base:
        key = (types[lid], out[lid])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            out[lid] = f"{out[lid]}-{seen[key]}"
    return out


# --------------------------------------------------------------------------------------------
# the environment parameter


def env_parameter_definition(settings: NamingSettings) -> dict:
    d: dict[str, Any] = {
        "Description": "Makes physical names unique per environment or CI stack (e.g. pr-123)",
        "Type": "String",
    }
    if settings.env_default is not None:
        d["Default"] = settings.env_default
    d["AllowedPattern"] = ENV_ALLOWED_PATTERN
    d["MaxLength"] = ENV_MAX_LENGTH
    d["ConstraintDescription"] = f"1 to {ENV_MAX_LENGTH} lowercase letters, digits and single hyphens"
    return d


def env_var(doc: Document, settings: NamingSettings) -> tuple[Var, bool]:
    """The environment parameter's bounds, and whether the template already has it."""
    params = parameters(doc)
    if settings.env_parameter in params:
        return parameter_var(settings.env_parameter, params[settings.env_parameter], is_env=True), True
    return new_env_var(settings.env_parameter), False


def env_parameter_edit(doc: Document, settings: NamingSettings):
    """(edit, path, note) adding the environment parameter, or None when it cannot be added."""
    definition = env_parameter_definition(settings)
    name = settings.env_parameter
    params = doc.section("Parameters")
    default = f" (Default: {settings.env_default})" if settings.env_default else " (no Default: every deploy must pass it)"
    note = (f"adds parameter {name}{default}: give each stack its own value, e.g. "
            f"--parameter-overrides {name}=pr-123")
    if params is None:
        return insert_section(doc, "Parameters", {name: definition}), ("Parameters",), note
    if not is_map(params):
        return None
    if not params.value:
        return doc.replace(params, {name: definition}), ("Parameters",), note
    return insert_spaced(doc, params, [(name, definition)]), ("Parameters", name), note


# --------------------------------------------------------------------------------------------
# replacement


def create_only_impact(resource_type: str, prop_paths: Iterable[tuple], region: str = awsdata.DEFAULT_REGION):
    """(replacing, conditional): the property paths, among `prop_paths`, whose change replaces
    the resource according to its CloudFormation schema (`createOnlyProperties`), and those
    that replace it only in some cases (`conditionalCreateOnlyProperties`)."""
    replacing: list[tuple] = []
    maybe: list[tuple] = []
    for path in map(tuple, prop_paths):
        if awsdata.replaces_resource(resource_type, path, region):
            replacing.append(path)
        elif awsdata.replaces_resource(resource_type, path, region, conditional=True):
            maybe.append(path)
    return replacing, maybe


def property_paths(fix: Fix, doc: Document) -> dict[str, list[tuple]]:
    """logical id -> property paths (below Properties) a fix declares."""
    out: dict[str, list[tuple]] = {}
    for p in fix.paths:
        if len(p) >= 4 and p[0] == "Resources" and p[2] == "Properties":
            out.setdefault(p[1], []).append(tuple(p[3:]))
    return out


def guard_create_only(fix: Fix, doc: Document, region: str = awsdata.DEFAULT_REGION) -> Fix:
    """Mark a fix unsafe when it touches a create-only property of an existing resource (one
    the template had before the fix); any rule can pass its fixes through this.  Sets
    `replaces_resource`, `unsafe_reason` and a note per replaced resource."""
    reasons: list[str] = []
    for lid, paths in property_paths(fix, doc).items():
        res = doc.resource(lid)
        if res is None or not res.type:
            continue
        replacing, maybe = create_only_impact(res.type, paths, region)
        if replacing:
            fix.replaces_resource = True
            props = ", ".join(".".join(p) for p in replacing)
            reasons.append(f"changing {props} replaces {lid} ({res.type})")
            fix.notes.append(f"replaces {lid} ({res.type}): CloudFormation creates a new one and deletes the old one "
                             f"(or keeps it, per its DeletionPolicy); {props} is create-only")
        if maybe:
            props = ", ".join(".".join(p) for p in maybe)
            reasons.append(f"changing {props} can replace or interrupt {lid} ({res.type}) in some cases")
    if reasons and fix.applicability is Applicability.SAFE:
        fix.applicability = Applicability.UNSAFE
    if reasons:
        fix.unsafe_reason = "; ".join(([fix.unsafe_reason] if fix.unsafe_reason else []) + reasons)
    return fix


# --------------------------------------------------------------------------------------------
# where else a name is used

_NAME_CHAR = re.compile(r"[A-Za-z0-9_.-]")


def literal_uses(doc: Document, name: str, skip: set[int]) -> list[int]:
    """1-based lines where `name` appears as a whole literal elsewhere in Resources/Outputs
    (an ARN, an alarm dimension, a literal reference): renaming would break those."""
    if not name:
        return []
    lines: list[int] = []
    for sec in ("Resources", "Outputs"):
        node = doc.section(sec)
        stack = [node] if node is not None else []
        while stack:
            n = stack.pop()
            if n is None or id(n) in skip:
                continue
            if is_map(n):
                stack.extend(v for _, v in n.value)
            elif isinstance(n.value, list):
                stack.extend(n.value)
            elif isinstance(n.value, str):
                v = n.value
                i = v.find(name)
                while i >= 0:
                    before = v[i - 1] if i > 0 else ""
                    after = v[i + len(name)] if i + len(name) < len(v) else ""
                    if not (before and _NAME_CHAR.match(before)) and not (after and _NAME_CHAR.match(after)):
                        lines.append(n.start_mark.line + 1)
                        break
                    i = v.find(name, i + 1)
    return sorted(set(lines))


def sub_value(s: str) -> Any:
    """A name as a value to write: a plain string when it has no variables, else a Sub."""
    if not any(k == "var" for k, _ in sub_parts(s)):
        return s.replace("${!", "${")
    return Tagged("Fn::Sub", s)


def current_name(node: Any) -> tuple[str | None, str]:
    """A name's value as Sub text (literals escaped) and its kind: "literal", "sub" or "other"."""
    from ._edits import sub_string

    lit = literal_str(node)
    if lit is not None:
        return lit.replace("${", "${!"), "literal"
    s = sub_string(node)
    if s is not None:
        return s, "sub"
    return None, "other"


def is_fifo(res: Resource, prop: str) -> bool:
    flag = FIFO_FLAGS.get((res.type or "", prop))
    if not flag:
        return False
    from ._edits import literal_bool

    return literal_bool(res.prop(flag)) is True


# --------------------------------------------------------------------------------------------
# building a rename


@dataclass
class Target:
    """One name to change: the value node, the wanted Sub text, and what governs it."""

    node: Any
    old: str  # Sub text of the current value (a literal escaped)
    kind: str  # "literal" or "sub"
    new: str
    spec: NameSpec
    path: tuple  # template path the edit changes
    label: str  # "DBInstanceIdentifier" or "Name tag"
    fifo: bool = False


def _plain_resources(doc: Document) -> dict:
    r = doc.plain.get("Resources") if isinstance(doc.plain, dict) else None
    return r if isinstance(r, dict) else {}


def rename_fix(rule, ctx, res: Resource, targets: list[Target], settings: NamingSettings, *, why: str):
    """The Fix renaming one resource (all its targets), or a display-only finding saying why
    the name cannot be written."""
    doc = ctx.doc
    env, has_env = env_var(doc, settings)
    errors: list[str] = []
    notes: list[str] = []
    for t in targets:
        parts, reason = sub_to_parts(t.new, doc, settings.env_parameter, env)
        if parts is None:
            errors.append(f"{t.label}: {reason}")
            continue
        check = validate(parts, t.spec, fifo=t.fifo)
        errors.extend(check.errors)
        notes.extend(check.notes)
    skip = {id(t.node) for t in targets}
    for t in targets:
        if t.kind != "literal" or t.label == "Name tag":
            continue
        old = t.old.replace("${!", "${")
        uses = literal_uses(doc, old, skip)
        if uses:
            errors.append(f"{old!r} also appears literally on line{'s' if len(uses) > 1 else ''} "
                          f"{', '.join(map(str, uses))}; rename by hand or refer to it with !Ref")
    shown = "; ".join(f"{t.label} {_fmt(t.old)} -> {_fmt(t.new)}" for t in targets)
    if errors:
        return rule.fix(f"{res.logical_id} not renamed ({shown}): {'; '.join(dict.fromkeys(errors))}",
                        targets[0].node, resource=res, applicability=Applicability.DISPLAY_ONLY,
                        notes=list(dict.fromkeys(notes)))
    edits = [doc.replace(t.node, sub_value(t.new)) for t in targets]
    paths = [t.path for t in targets]
    uses_env = any(v == settings.env_parameter for t in targets for k, v in sub_parts(t.new) if k == "var")
    if uses_env and not has_env:
        added = env_parameter_edit(doc, settings)
        if added is None:
            return rule.fix(f"{res.logical_id} not renamed: cannot add parameter {settings.env_parameter} "
                            "(Parameters is not a mapping)", targets[0].node, resource=res,
                            applicability=Applicability.DISPLAY_ONLY)
        edit, path, note = added
        edits.append(edit)
        paths.append(path)
        notes.append(note)
    fix = rule.fix(f"{res.logical_id}: {shown} ({why})", targets[0].node, edits=edits, paths=paths, resource=res,
                   applicability=Applicability.SAFE, notes=list(dict.fromkeys(notes)),
                   before="; ".join(f"{t.label}: {_fmt(t.old)}" for t in targets),
                   after="; ".join(f"{t.label}: {_fmt(t.new)}" for t in targets))
    guard_create_only(fix, doc, ctx.settings.region or awsdata.DEFAULT_REGION)
    if fix.replaces_resource:
        fix.message += " - replaces the deployed resource"
    return fix


def _fmt(sub_text: str) -> str:
    if any(k == "var" for k, _ in sub_parts(sub_text)):
        return f"!Sub '{sub_text}'"
    return sub_text.replace("${!", "${")
