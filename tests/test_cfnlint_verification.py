"""cfn-lint as the oracle.

* Every CloudFormation fixture: lint the input and the fixed output; no new cfn-lint error may
  appear, the findings a rule targets may not grow, and for the cfn-lint rules (AF3xx) a fixed
  case keeps none of the findings its rule targets.
* Every finding of the AF3xx rules that removes or renames something (an obsolete DependsOn,
  an unused mapping / condition / parameter, a misspelled property, a Sub without variables)
  is one cfn-lint reports too: on the fixtures and on every corpus template where they fire.
* The AF3xx fixes over the corpus: no new error, fewer targeted findings.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from autofix import registry
from autofix.api import fix_text
from autofix.cfn.document import Document, NotATemplate, TemplateError
from autofix.engine import suppressed
from autofix.rules import Context
from autofix.settings import Settings

from .conftest import CORPUS, FIXTURES, ROOT
from .test_fixtures import _out_path, _rules_for, _settings

_spec = importlib.util.spec_from_file_location("cfnlint_before_after", ROOT / "scripts" / "cfnlint_before_after.py")
before_after = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("cfnlint_before_after", before_after)
_spec.loader.exec_module(before_after)

CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template")
CASES = sorted(p for p in FIXTURES.rglob("*.in.*") if p.is_file() and p.suffix in CFN_SUFFIXES)
MINE = [r for r in registry.all_rules() if r.code.startswith("AF3") and r.language == "cfn"]
MY_FOLDERS = {r.name for r in MINE} | {r.code for r in MINE}


@pytest.fixture(scope="module")
def linter():
    return before_after.Linter()


def _folder(case: Path) -> str:
    return case.relative_to(FIXTURES).parts[0]


def _fixed_text(case: Path) -> tuple[str, str | None]:
    data = case.read_bytes()
    result = fix_text(data, path=case.name.replace(".in.", "."), settings=_settings(case), rules=_rules_for(case))
    return (result.original or data.decode("utf-8-sig")), (result.output if result.changed else None)


# Fixtures of other rules whose output cfn-lint rejects: reported to their owners; strict, so
# the mark must go once the rule or the fixture changes.
KNOWN = {
}


def _case_param(c: Path):
    rel = str(c.relative_to(FIXTURES))
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN[rel])] if rel in KNOWN else []
    return pytest.param(c, id=rel, marks=marks)


@pytest.mark.parametrize("case", [_case_param(c) for c in CASES])
def test_fixture_against_cfn_lint(case: Path, linter):
    text, fixed = _fixed_text(case)
    if fixed is None:
        assert not _out_path(case).exists()
        return
    before = linter.lint_text(text)
    after = linter.lint_text(fixed)
    assert not [f for f in before if f.rule == "E0000"], "fixture input does not parse for cfn-lint"
    new = before_after.new_errors(before, after)
    assert not new, "new cfn-lint errors: " + "; ".join(f"{f.rule} {'/'.join(map(str, f.path))}: {f.message}" for f in new)
    rules = _rules_for(case) or []
    targeted = {i for r in rules for i in r.cfn_lint}
    count_before = Counter(f.rule for f in before if f.rule in targeted)
    count_after = Counter(f.rule for f in after if f.rule in targeted)
    for i in targeted:
        assert count_after[i] <= count_before[i], f"{i}: {count_before[i]} -> {count_after[i]}"
    if _folder(case) in MY_FOLDERS:
        assert sum(count_before.values()) > 0, f"the fixed case shows none of {sorted(targeted)} to cfn-lint"
        left = [f for f in after if f.rule in targeted]
        assert not left, "left after the fix: " + "; ".join(f"{f.rule}: {f.message}" for f in left)


# ---- every AF3xx finding is one cfn-lint makes too --------------------------------------------

_EXPECT = {
    # rule name -> (cfn-lint id, how a finding's fix is recognised in cfn-lint's messages)
    "unused-mapping": "W7001",
    "unused-condition": "W8001",
    "unused-parameter": "W2001",
    "obsolete-depends-on": "W3005",
    "misspelled-property": "E3002",
    "misplaced-property": "E3002",
    "sub-without-variables": "W1020",
}


def _claims(doc: Document) -> list[tuple[str, str, tuple]]:
    """(cfn-lint id, a name or path the finding is about, path) for the AF3xx fixes with edits."""
    settings = Settings(unsafe_fixes=True)
    ctx = Context(doc=doc, settings=settings)
    out = []
    for rule in MINE:
        if rule.name not in _EXPECT:
            continue
        for fix in rule.check(ctx):
            if not fix.edits or suppressed(rule, fix, doc, settings, None):  # cfn-lint honours the same Metadata
                continue
            cid = _EXPECT[rule.name]
            if rule.name == "obsolete-depends-on":
                removed = re.search(r"DependsOn (.+?) (?:is|are) implied", fix.message).group(1).split(", ")
                out.extend((cid, name, fix.paths[0]) for name in removed)
            elif rule.name == "misspelled-property":
                out.append((cid, fix.before, fix.paths[0]))
            elif rule.name == "misplaced-property":  # each moved key is a finding of its own
                out.extend((cid, p[-1], p) for p in fix.paths[:-1])
            elif rule.name == "sub-without-variables":
                out.append((cid, "", fix.paths[0]))
            elif fix.paths[0] and len(fix.paths[0]) == 1:  # a whole section goes
                out.extend((cid, name, fix.paths[0] + (name,)) for name in fix.before.split(", "))
            else:
                out.append((cid, fix.before, fix.paths[0]))
    return out


def _corroborated(claim, findings) -> bool:
    cid, name, path = claim
    for f in findings:
        if f.rule != cid:
            continue
        if cid == "W3005" and tuple(f.path[:3]) == tuple(path[:3]) and f.message.startswith(f"'{name}' dependency"):
            return True
        if cid == "E3002" and f"'{name}' was unexpected" in f.message and tuple(f.path[:2]) == tuple(path[:2]):
            return True
        if cid == "W1020" and tuple(f.path[: len(path)]) == tuple(path):
            return True
        if cid in ("W7001", "W8001", "W2001") and tuple(f.path[:2]) == tuple(path[:2]):
            return True
    return False


def _oracle_files() -> list[Path]:
    mine = [c for c in CASES if _folder(c) in MY_FOLDERS]
    corpus = sorted(p for p in CORPUS.rglob("*") if p.suffix in CFN_SUFFIXES and p.is_file()) if CORPUS.is_dir() else []
    return mine + corpus


def _transform(doc: Document) -> bool:
    return doc.section("Transform") is not None or "Fn::Transform" in doc.text


def test_findings_are_cfn_lint_findings(linter):
    """Checked on the fixtures and the whole corpus; cfn-lint runs only where a rule fires."""
    checked = 0
    problems = []
    for path in _oracle_files():
        try:
            doc = Document(path.read_bytes().decode("utf-8-sig"))
        except (NotATemplate, TemplateError, UnicodeDecodeError):
            continue
        claims = _claims(doc)
        if _transform(doc):  # cfn-lint lints the transformed template (or skips these checks)
            claims = [c for c in claims if c[0] not in ("W1020", "W2001")]
        if not claims:
            continue
        findings = linter.lint_text(doc.text)
        for claim in claims:
            checked += 1
            if not _corroborated(claim, findings):
                problems.append(f"{path}: {claim}")
    assert checked > 20, "the oracle saw too few findings to mean anything"
    assert not problems, "findings cfn-lint does not make:\n" + "\n".join(problems)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not found")
def test_corpus_fixes_add_no_cfn_lint_error(linter):
    """The AF3xx fixes (unsafe ones too) over every corpus template: where a file changes, no
    new cfn-lint error, and fewer findings of the ids the rules target."""
    targeted = {i for r in MINE for i in r.cfn_lint}
    settings = Settings(unsafe_fixes=True)
    total_before = total_after = changed = 0
    problems = []
    for path in sorted(p for p in CORPUS.rglob("*") if p.suffix in CFN_SUFFIXES and p.is_file()):
        r = fix_text(path.read_bytes(), path=str(path), settings=settings, rules=MINE)
        if not r.changed:
            continue
        changed += 1
        before = linter.lint_text(r.original)
        after = linter.lint_text(r.output)
        new = before_after.new_errors(before, after)
        problems += [f"{path}: {f.rule} {f.message}" for f in new]
        total_before += sum(f.rule in targeted for f in before)
        total_after += sum(f.rule in targeted for f in after)
    assert changed > 20
    assert not problems, "new cfn-lint errors:\n" + "\n".join(problems)
    assert total_after < total_before * 0.5, (total_before, total_after)
