from autofix.rules import Rule

from ._refs import template_references, has_macros
from ._unused import removal_fixes, section_names


class UnusedMapping(Rule):
    """
    What it does:
        Removes entries of `Mappings` that no `Fn::FindInMap` reads; the whole section when
        none is read.

    Why:
        An unused mapping (often a table of AMI ids per region, left behind when the template
        moved to SSM parameters) looks like live configuration: people keep updating it, and
        it adds to the template size limit (cfn-lint W7001).

    Example:
        Mappings:                    Mappings:
          RegionAmi: {...}    ->       Settings: {...}
          Settings: {...}
        (only Settings is read by a FindInMap)

    Fix safety:
        Safe: nothing reads the mapping, so the stack is the same.  Skipped when a
        `Fn::FindInMap` computes its map name (it could name any mapping) or a macro may read
        the template.
    """

    code = "AF307"
    name = "unused-mapping"
    summary = "Mappings that no Fn::FindInMap reads are removed"
    source_url = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/mappings-section-structure.html"
    cfn_lint = ("W7001",)

    def check(self, ctx):
        doc = ctx.doc
        names = section_names(doc, "Mappings")
        if not names or has_macros(doc):
            return
        refs = template_references(doc)
        if refs.dynamic_map:
            return
        yield from removal_fixes(self, doc, "Mappings", [n for n in names if n not in refs.maps], "mapping")
