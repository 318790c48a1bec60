"""Finding rules: the built-in `transforms` package plus the `autofix.rules` entry point group,
so that other packages can ship rules of their own."""

from __future__ import annotations

import importlib
import os
import sys
from functools import lru_cache

from autofix.rules import Rule

ENTRY_POINT_GROUP = "autofix.rules"


class SelectionError(ValueError):
    pass


def _rules_in_module(module) -> list[type[Rule]]:
    out = []
    for obj in vars(module).values():
        if isinstance(obj, type) and issubclass(obj, Rule) and obj.code and obj.__module__ == module.__name__:
            out.append(obj)
    return out


LANGUAGES = ("cfn", "cdk")


def _builtin(languages=LANGUAGES, opt_in: bool = True) -> list[type[Rule]]:
    """Rules in transforms/<language>/; CDK rules (and so libcst) load only when asked for, and
    modules of opt-in rules (the package's OPT_IN_MODULES) only with `opt_in`."""
    import pkgutil  # here: a cached run never lists the rule modules

    found: list[type[Rule]] = []
    for sub in languages:
        pkg = importlib.import_module(f"transforms.{sub}")
        skip = frozenset() if opt_in else getattr(pkg, "OPT_IN_MODULES", frozenset())
        for info in pkgutil.iter_modules(pkg.__path__):
            if info.name.startswith("_") or info.name in skip:
                continue
            found.extend(_rules_in_module(importlib.import_module(f"transforms.{sub}.{info.name}")))
    return found


def _may_declare_plugins() -> bool:
    """Whether any installed distribution's entry_points.txt names our group.  Importing
    importlib.metadata and parsing every distribution costs about a tenth of a check's
    start-up; this look at the same files by name costs a millisecond, and importlib.metadata
    still does the real reading whenever the answer is yes."""
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(folder or ".", name, "entry_points.txt"), encoding="utf-8") as fh:
                        if ENTRY_POINT_GROUP in fh.read():
                            return True
                except (OSError, UnicodeDecodeError):
                    continue
    return False


def _plugins() -> list[type[Rule]]:
    if not _may_declare_plugins():
        return []
    from importlib.metadata import entry_points

    found: list[type[Rule]] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()
        items = obj if isinstance(obj, (list, tuple)) else [obj]
        for item in items:
            if isinstance(item, type) and issubclass(item, Rule):
                found.append(item)
    return found


@lru_cache(maxsize=None)
def all_rules(language: str | None = None, opt_in: bool = True) -> tuple[Rule, ...]:
    """Every rule (of a language); without `opt_in`, the opt-in modules are not even imported
    (the default selection needs none of them)."""
    classes = _builtin((language,) if language else LANGUAGES, opt_in) + _plugins()
    if language:
        classes = [c for c in classes if c.language == language]
    seen: dict[str, type[Rule]] = {}
    for cls in classes:
        if cls.code in seen and seen[cls.code] is not cls:
            raise SelectionError(f"two rules share the code {cls.code}: {seen[cls.code].__name__} and {cls.__name__}")
        seen[cls.code] = cls
    return tuple(cls() for cls in sorted(seen.values(), key=lambda c: c.code))


def matches(rule: Rule, selector: str) -> bool:
    """ALL, a code or code prefix (AF1 -> AF101...), a rule name, or a cfn-lint id it resolves."""
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    if s.upper() == "DEFAULT":
        return not rule.opt_in
    if rule.name == s.lower():
        return True
    if s.upper() in rule.cfn_lint:
        return True
    return rule.code.startswith(s.upper())


def validate_selectors(selectors) -> None:
    for s in selectors:
        # CloudFormation rules first: most selectors name one, and CDK rules import libcst
        if not any(matches(r, s) for r in all_rules("cfn")) and not any(matches(r, s) for r in all_rules()):
            raise SelectionError(f"unknown rule selector {s!r} (see `autofix rules`)")


def select(select=None, ignore=(), language: str | None = None) -> list[Rule]:
    """Rules chosen by selectors; `None` is the default set: every rule except opt-in ones."""
    select = ("DEFAULT",) if select is None else tuple(select)
    everything = any(s.strip().upper() != "DEFAULT" for s in select)
    return list(_select(select, tuple(ignore or ()), all_rules(language, opt_in=everything)))


@lru_cache(maxsize=256)
def _select(select: tuple, ignore: tuple, rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    out = []
    for r in rules:
        if not any(matches(r, s) for s in select):
            continue
        if any(matches(r, s) for s in ignore):
            continue
        out.append(r)
    return tuple(out)


def find(rule_id: str) -> Rule | None:
    for r in all_rules():
        if r.code == rule_id.upper() or r.name == rule_id.lower():
            return r
    return None
