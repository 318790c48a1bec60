"""Shared logic of the unused-declaration rules (mappings, conditions, parameters)."""

from __future__ import annotations

from autofix.cfn.document import is_map

from ._refs import interface_removals, remove_entries


def section_names(doc, section: str) -> list[str]:
    node = doc.section(section)
    return [k.value for k, _ in node.value] if is_map(node) else []


def removal_fixes(rule, doc, section: str, unused: list[str], what: str, *, parameters: bool = False, **kw):
    """One fix per unused entry, or one for the whole section when nothing in it is used."""
    node = doc.section(section)
    names = section_names(doc, section)
    if not unused:
        return
    if set(names) <= set(unused):
        edits, paths = remove_entries(doc, section, names)
        if parameters:
            e, p = interface_removals(doc, set(names))
            edits += e
            paths += p
        listed = ", ".join(names)
        yield rule.fix(
            f"no {what} of this template is used ({listed}): the {section} section goes",
            node, edits=edits, paths=paths, before=listed, after="(removed)", **kw,
        )
        return
    for name in unused:
        key = next(k for k, _ in node.value if k.value == name)
        edits, paths = remove_entries(doc, section, [name])
        if parameters:
            e, p = interface_removals(doc, {name}, set(unused))
            edits += e
            paths += p
        yield rule.fix(f"{what} {name} is not used anywhere in the template", key, edits=edits, paths=paths,
                       before=name, after="(removed)", **kw)
