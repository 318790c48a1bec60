import re

from autofix.cfn.document import is_map, is_scalar, is_seq, node_tag
from autofix.fixes import Applicability, Edit
from autofix.rules import Rule

from ._refs import (PSEUDO_PARAMETERS, call, call_nodes, calls, has_macros, path_of, render_string, scalar_substitutions,
                    sub_parts, sub_variables, walk)

try:  # the implicit-type patterns the document module quotes against (YAML 1.1 and 1.2)
    from autofix.cfn.document import _NON_STRING
except ImportError:  # pragma: no cover
    _NON_STRING = re.compile(r"^(?:[-+.0-9~=<].*|y|n|yes|no|on|off|true|false|null)$", re.I)

_TAG = re.compile(r"!Sub\s+")


def _reads_as_string(value: str) -> bool:
    """A plain scalar with this text resolves to a string (not a number, bool, date, null)."""
    return bool(value) and value == value.strip() and not _NON_STRING.match(value)


class SubWithoutVariables(Rule):
    """
    What it does:
        Replaces an `Fn::Sub` whose string has no `${...}` variable by the plain string: the
        `!Sub` tag or the `{"Fn::Sub": ...}` wrapper goes, the string's own text and quoting
        stay.  `${!Literal}` escapes become the `${Literal}` they stand for.  The list form
        (`!Sub [string, {variables}]`) is rewritten too when its variables map holds only
        literals and `Ref`s to parameters or pseudo parameters; with another function in the
        map (a `Ref`/`GetAtt` of a resource, an `ImportValue`) it is reported and left as it is.

    Why:
        A Sub without variables does nothing but make the reader look for the variable
        (cfn-lint W1020); a Sub left over from an edit also hides that `${!X}` is an escape.

    Example:
        Description: !Sub 'Static text'     ->   Description: 'Static text'
        Pattern: !Sub '${!Literal}'          ->   Pattern: '${Literal}'

    Fix safety:
        Safe: CloudFormation resolves the Sub to exactly the string written now.  A variables
        map referring to a resource may be the only thing that orders two resources (and an
        `ImportValue` locks an export), so that form is only reported.  Templates using
        macros are left alone (a macro may read the `Fn::Sub` itself).
    """

    code = "AF302"
    name = "sub-without-variables"
    summary = "Fn::Sub without ${} variables becomes the plain string"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html"
    cfn_lint = ("W1020",)

    def check(self, ctx):
        doc = ctx.doc
        if "Sub" not in doc.text and "\\" not in doc.text:
            return  # no escapes, so no key or tag reads Sub
        if has_macros(doc):
            return
        found: dict[str, list] = {"Resources": [], "Outputs": []}
        for n, cs in call_nodes(doc):
            if len(cs) != 1 or cs[0][0] != "Fn::Sub":
                continue  # not a Sub, or a Sub inside another short tag (`!ImportValue {Fn::Sub: x}`)
            s, _ = sub_parts(n)
            if s is None or not isinstance(s.value, str) or "${" in s.value.replace("${!", ""):
                continue  # it has variables (the usual case): no path needed
            path = path_of(doc, n)
            if path[:1] in (("Resources",), ("Outputs",)) and is_map(doc.section(path[0])):
                found[path[0]].append((n, path, ()))
        for section in ("Resources", "Outputs"):
            for v in found[section]:
                fix = self._fix(doc, v)
                if fix is not None:
                    yield fix

    def _fix(self, doc, v):
        node, path, _ = v
        s, var_map = sub_parts(node)
        if s is None or not isinstance(s.value, str) or node_tag(s) not in ("tag:yaml.org,2002:str", "!Sub"):
            return None
        text = s.value
        if sub_variables(text) or "${" in text.replace("${!", ""):
            return None
        value = text.replace("${!", "${")
        where = "/".join(map(str, path))
        msg = f"{where}: Fn::Sub has no variables; the plain string means the same"
        short = node_tag(node) == "!Sub"
        arg = call(node, "Fn::Sub")
        if is_seq(arg):  # list form
            if len(arg.value) != 2 or not is_map(var_map):
                return None
            params = doc.section("Parameters")
            harmless = PSEUDO_PARAMETERS | ({k.value for k, _ in params.value} if is_map(params) else set())
            if any(fn != "Ref" or not is_scalar(fa) or fa.value not in harmless
                   for x, _, _ in walk(var_map) for fn, fa in calls(x)):
                return self.fix(
                    msg + " (left as it is: its variables map refers to resources or imports)",
                    node, paths=[path], applicability=Applicability.DISPLAY_ONLY,
                )
        if not is_scalar(s):
            return None
        escapes = [("${!", "${")] if "${!" in text else []
        subs = scalar_substitutions(doc, s, escapes) if escapes else []
        lifted = s.style in ("'", '"') or (s.style is None and _reads_as_string(value) and not escapes) or doc.is_json
        if s.style in ("|", ">"):
            header = doc.text[s.start_mark.index : doc.text.find("\n", s.start_mark.index)]
            # an indentation indicator is relative to the parent, which changes unless only the
            # tag goes; kept trailing lines (`|+`) would lose what follows them
            lifted = (short and not is_seq(arg)) or not re.search(r"[|>][-+]?[1-9]|\+", header)
        if subs is None or not lifted:
            rendered = render_string(doc, value, like=s, flow=doc._in_flow(node))
            edits = [_replace(doc, node, rendered)]
        elif short and not is_seq(arg):  # `!Sub 'x'`: the tag goes
            m = _TAG.match(doc.text, node.start_mark.index)
            if m is None:
                return None
            edits = [Edit(node.start_mark.index, m.end())] + subs
        else:  # {Fn::Sub: x}, [x, {...}]: keep the string's text, drop what is around it
            edits = _lift(doc, node, s) + subs
        return self.fix(msg, node, edits=edits, paths=[path], before=f"Fn::Sub: {text}", after=value)


def _lift(doc, node, s):
    """Edits that leave only the string node `s` of the Sub `node`, in its own text."""
    start, s_start = node.start_mark.index, s.start_mark.index
    s_end = doc._node_end(s) if s.style in ("|", ">") else s.end_mark.index
    node_end = doc._node_end(node)
    if (is_map(node) or is_seq(node)) and not doc._is_flow(node) and node_end > s_end:
        node_end = doc._entry_end(node)  # a comment after the dropped variables goes with them
    head = Edit(start, s_start)
    if is_map(node) and not doc._is_flow(node):  # `Key:\n  Fn::Sub: x`: the string moves up to the key
        colon = _key_colon(doc, start)
        if colon is not None:
            head = Edit(colon + 1, s_start, " ")
    return [head] + ([Edit(s_end, node_end)] if s_end < node_end else [])


def _key_colon(doc, start):
    """The `:` of the key whose value starts on a later line at `start`, when only blanks lie
    between them (no comment)."""
    before = doc.text[:start]
    colon = len(before.rstrip(" \t\r\n")) - 1
    if colon >= 0 and before[colon] == ":" and "\n" in before[colon:]:
        line = before[before.rfind("\n", 0, colon) + 1 : colon]
        if "#" not in line:
            return colon
    return None


def _replace(doc, node, rendered):
    """Replace a value node by one-line text; a block mapping's text moves up to its key."""
    start = node.start_mark.index
    if is_map(node) and not doc._is_flow(node):
        colon = _key_colon(doc, start)
        if colon is not None:
            return Edit(colon + 1, doc._node_end(node), " " + rendered)
    return Edit(start, doc._node_end(node), rendered)
