"""`autofix docs`: golden files (fixtures/docs/<case>.yaml|json -> <case>.md; AUTOFIX_REGEN=1
rewrites them: read the diff before keeping it), the command line, determinism."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from autofix.cli import cli
from autofix.docs import load, render, stack_name_for

from .conftest import FIXTURES

DOCS = FIXTURES / "docs"
SAMPLE = FIXTURES / "samples" / "ecommerce" / "template.yaml"
CASES = sorted(p for p in DOCS.iterdir() if p.suffix in (".yaml", ".json")) + [SAMPLE]


def _golden(case: Path) -> Path:
    return DOCS / ("ecommerce.md" if case == SAMPLE else case.with_suffix(".md").name)


def _render(case: Path) -> str:
    return render(load(str(case)), template_name=case.name, stack=stack_name_for(str(case)))


@pytest.mark.parametrize("case", CASES, ids=[c.name if c != SAMPLE else "ecommerce" for c in CASES])
def test_golden(case: Path):
    text = _render(case)
    golden = _golden(case)
    if os.environ.get("AUTOFIX_REGEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    assert _render(case) == text  # deterministic


def test_cli_writes_the_file(tmp_path):
    out = tmp_path / "RUNBOOK.md"
    r = CliRunner().invoke(cli, ["docs", str(SAMPLE), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8") == (DOCS / "ecommerce.md").read_text(encoding="utf-8")
    r2 = CliRunner().invoke(cli, ["docs", str(SAMPLE)])
    assert r2.exit_code == 0 and r2.output == out.read_text(encoding="utf-8")


def test_cli_stack_name_option():
    r = CliRunner().invoke(cli, ["docs", str(SAMPLE), "--stack-name", "shop-pr-7"])
    assert r.exit_code == 0 and "STACK=shop-pr-7\n" in r.output and r.output.startswith("# shop-pr-7: operations runbook")


def test_cli_errors(tmp_path):
    bad = tmp_path / "notes.yaml"
    bad.write_text("just: a mapping\n")
    r = CliRunner().invoke(cli, ["docs", str(bad)])
    assert r.exit_code == 2 and "no Resources section" in r.output
    r = CliRunner().invoke(cli, ["docs", str(tmp_path / "missing.yaml")])
    assert r.exit_code == 2 and "cannot read" in r.output


def test_sections_and_facts_of_the_sample():
    text = (DOCS / "ecommerce.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == ["Architecture", "Parameters", "Outputs", "Deploy", "Connecting", "Performance", "Security",
                        "Recovery and lifecycle", "Monitoring"]
    assert "aws rds generate-db-auth-token --hostname \"$HOST\"" in text  # IAM authentication example
    assert "aws secretsmanager get-secret-value" in text  # Secrets Manager example
    assert "Point-in-time recovery: any second of the last 7 days." in text
    assert "| `DatabaseKey` | AWS::KMS::Key | Delete | Delete (default) |" in text
    assert "| `DatabaseCPUAlarm` | AWS/RDS CPUUtilization | Average > 80 for 2 x 300 s |" in text
    assert "--parameter-overrides AlertEmail=<AlertEmail>" in text


def test_markdown_tables_keep_their_columns():
    """A `|` in a value is escaped: every row has as many cells as its header."""
    lines = (DOCS / "bucket.md").read_text(encoding="utf-8").splitlines()
    cells = lambda line: len(re.findall(r"(?<!\\)\|", line))  # noqa: E731
    checked = 0
    for i, line in enumerate(lines):
        if line.startswith("| ") and i + 1 < len(lines) and lines[i + 1].startswith("| ---"):
            width = cells(line)
            j = i + 2
            while j < len(lines) and lines[j].startswith("| "):
                assert cells(lines[j]) == width, lines[j]
                checked += 1
                j += 1
    assert checked >= 3
    assert "| `Mode` | String | a \\| b |" in "\n".join(lines)


def test_stack_name_from_path():
    assert stack_name_for("fixtures/samples/ecommerce/template.yaml") == "ecommerce"
    assert stack_name_for("infra/orders_db.yaml") == "orders-db"
    assert stack_name_for("2024.yaml") == "stack-2024"
