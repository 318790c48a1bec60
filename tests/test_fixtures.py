"""Walks fixtures/<rule>/<case>.in.<ext>: the fix must produce <case>.out.<ext> exactly, or,
without an .out file, leave the bytes identical.  A case's settings come from an optional
<case>.toml beside it (same keys as autofix.toml).  AUTOFIX_REGEN=1 rewrites the .out files so
a reviewer reads a rule change as a diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autofix import registry
from autofix.api import fix_text
from autofix.settings import Settings, read_config

from .conftest import FIXTURES

CASES = sorted(p for p in FIXTURES.rglob("*.in.*") if p.is_file())


def _out_path(p: Path) -> Path:
    return p.with_name(p.name.replace(".in.", ".out.", 1))


def _settings(p: Path) -> Settings:
    cfg = p.with_name(p.name.split(".in.", 1)[0] + ".toml")
    if cfg.exists():
        return read_config(cfg)
    folder_cfg = p.parent / "autofix.toml"
    return read_config(folder_cfg) if folder_cfg.exists() else Settings()


def _rules_for(p: Path):
    """A fixture folder named after a rule code or name runs that rule alone; `all/` runs all."""
    folder = p.relative_to(FIXTURES).parts[0]
    if folder in ("all", "samples"):
        return None
    rule = registry.find(folder)
    assert rule is not None, f"fixture folder {folder!r} names no rule"
    return [rule]


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_fixture(case: Path):
    data = case.read_bytes()
    settings = _settings(case)
    rules = _rules_for(case)
    result = fix_text(data, path=str(case.name).replace(".in.", "."), settings=settings, rules=rules)
    assert result.status in ("fixed", "unchanged"), result.error_line
    out = (b"\xef\xbb\xbf" if result.bom else b"") + (result.output or result.original).encode() if result.changed else data
    expected_path = _out_path(case)
    if os.environ.get("AUTOFIX_REGEN"):
        if out != data:
            expected_path.write_bytes(out)
        elif expected_path.exists():
            expected_path.unlink()
    if expected_path.exists():
        assert out.decode() == expected_path.read_bytes().decode()
        # idempotent: fixing the output changes nothing more
        again = fix_text(out, path=case.name, settings=settings, rules=rules)
        assert not again.changed, f"second run changed {case.name}"
    else:
        assert out == data, "a case without .out must come back byte-identical"


def test_every_rule_has_fixtures():
    folders = {p.relative_to(FIXTURES).parts[0] for p in CASES}
    missing = [r.code for r in registry.all_rules() if r.name not in folders and r.code not in folders]
    assert not missing, f"rules without fixtures: {missing}"
