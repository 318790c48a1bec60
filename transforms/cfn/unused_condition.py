from autofix.rules import Rule

from ._refs import template_references, has_macros
from ._unused import removal_fixes, section_names


class UnusedCondition(Rule):
    """
    What it does:
        Removes conditions nothing refers to: no resource or output `Condition`, no `Fn::If`,
        no other condition (`Condition: Name` / `!Condition Name`).  A condition used only by
        a removed one goes in the next pass; the `Conditions` section goes when it empties.

    Why:
        An unused condition suggests the template varies by environment where it does not,
        and it keeps parameters alive that nothing else needs (cfn-lint W8001).

    Example:
        Conditions:                           Conditions:
          IsProd: !Equals [!Ref Env, prod]  ->  IsProd: !Equals [!Ref Env, prod]
          IsDev: !Equals [!Ref Env, dev]
        (only IsProd is used)

    Fix safety:
        Safe: an unused condition decides nothing.  Templates that use macros are skipped.
    """

    code = "AF308"
    name = "unused-condition"
    summary = "Conditions nothing refers to are removed"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html"
    cfn_lint = ("W8001",)

    def check(self, ctx):
        doc = ctx.doc
        names = section_names(doc, "Conditions")
        if not names or has_macros(doc):
            return
        refs = template_references(doc)
        yield from removal_fixes(self, doc, "Conditions", [n for n in names if n not in refs.conditions], "condition")
