from autofix.cfn.document import is_map
from autofix.fixes import Edit
from autofix.rules import Rule

from ._edits import blank_line_separated
from ._outputs import GROUPS, OUTPUTS_DOC, group_of


def _order(ctx) -> str:
    sec = ctx.section("outputs")
    order = sec.get("order", "as-is") if isinstance(sec, dict) else "as-is"
    if order not in ("as-is", "grouped"):
        raise ValueError(f"[outputs] order must be \"as-is\" or \"grouped\", not {order!r}")
    return order


class OutputsGrouped(Rule):
    """
    What it does:
        With `[outputs] order = "grouped"`, reorders the Outputs section into the groups people
        use them by: connection (endpoints, ports, secrets, connection strings), monitoring
        (console links, dashboards, alarms, logs), operations (commands), then identifiers
        (ids and ARNs for other stacks).  Outputs keep their relative order inside a group, and
        each keeps its own text and the comments directly above it.  A section with other
        comments between outputs is left alone (they could not follow the move).

    Why:
        A reader looking for "how do I connect" finds it first.  Off by default, so that the
        usual diff stays small: moving text is a bigger change than the fix it comes with.

    Settings:
        [outputs]
        order = "grouped"     # default "as-is"

    Fix safety:
        Safe: the order of outputs means nothing to CloudFormation.
    """

    code = "AF408"
    opt_in = True  # a team convention: runs when selected (e.g. extend-select = ["AF4"])
    name = "outputs-grouped"
    summary = "Outputs are ordered by use (connection, monitoring, operations, identifiers) when asked"
    source_url = OUTPUTS_DOC

    def check(self, ctx):
        if _order(ctx) != "grouped":
            return
        doc = ctx.doc
        sec = doc.section("Outputs")
        if not is_map(sec) or len(sec.value) < 2:
            return
        plain = doc.plain.get("Outputs", {})
        groups = []
        for i, (k, v) in enumerate(sec.value):
            val = plain.get(k.value, {}).get("Value") if isinstance(plain.get(k.value), dict) else None
            groups.append((GROUPS.index(group_of(doc, str(k.value), val)), i))
        order = [i for _, i in sorted(groups)]
        if order == list(range(len(order))):
            return
        spans = self._spans(doc, sec)
        if spans is None:
            return
        segments, sep = spans
        text = sep.join(doc.text[s:e] for s, e in (segments[i] for i in order))
        names = [str(sec.value[i][0].value) for i in order]
        yield self.fix(
            f"Outputs reordered by group: {', '.join(names)}", sec.value[0][0],
            edits=[Edit(segments[0][0], segments[-1][1], text)], paths=[("Outputs",)],
            after=", ".join(names),
        )

    def _spans(self, doc, sec):
        """(start, end) of each entry's text and the separator to join them, or None."""
        text = doc.text
        pairs = sec.value
        if doc._is_flow(sec):
            spans = [(k.start_mark.index, doc._node_end(v)) for k, v in pairs]
            gaps = [text[a[1]:b[0]] for a, b in zip(spans, spans[1:])]
            if any(g.strip() != "," for g in gaps):
                return None
            return spans, gaps[0]
        spans = []
        for k, v in pairs:
            start = k.start_mark.index - k.start_mark.column
            if text[start:k.start_mark.index].strip():
                return None  # the key shares its line with something
            # comment lines directly above the key move with it
            while start > 0:
                prev = text.rfind("\n", 0, start - 1) + 1
                line = text[prev:start].strip()
                if line.startswith("#"):
                    start = prev
                else:
                    break
            spans.append((start, doc._entry_end(v)))
        for (_, e), (s, _) in zip(spans, spans[1:]):
            if text[e:s].strip():
                return None
        nl = doc.newline
        sep = nl + nl if blank_line_separated(doc, sec) else nl
        return spans, sep
