from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from autofix.cli import cli

KMS = "Resources:\n  Key:\n    Type: AWS::KMS::Key  # keep\n    DeletionPolicy: Delete\n"
KMS_FIXED = "Resources:\n  Key:\n    Type: AWS::KMS::Key  # keep\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n"
CLEAN = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"


def runner():
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 keeps stderr apart already
        return CliRunner()


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "a.yaml").write_text(KMS)
    (tmp_path / "clean.yaml").write_text(CLEAN)
    (tmp_path / "workflow.yml").write_text("on: push\njobs: {}\n")
    (tmp_path / "notes.txt").write_text("not a template")
    return tmp_path


def invoke(*args, input=None):
    return runner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_apply_fixes_in_place_and_exits_0(tree):
    clean_mtime = os.stat(tree / "clean.yaml").st_mtime_ns
    r = invoke("apply", str(tree), "--no-cache")
    assert r.exit_code == 0, r.output
    assert (tree / "a.yaml").read_text() == KMS_FIXED
    assert os.stat(tree / "clean.yaml").st_mtime_ns == clean_mtime  # untouched files are not rewritten
    assert (tree / "workflow.yml").read_text() == "on: push\njobs: {}\n"
    assert "AF101" in r.stdout and "1 fix applied in 1 file" in r.stdout


def test_check_lists_and_exits_1_writing_nothing(tree):
    r = invoke("check", str(tree), "--no-cache")
    assert r.exit_code == 1
    assert "a.yaml:2:3: AF101" in r.stdout
    assert (tree / "a.yaml").read_text() == KMS


def test_check_clean_exits_0(tree):
    r = invoke("check", str(tree / "clean.yaml"))
    assert r.exit_code == 0


def test_diff_prints_and_writes_nothing(tree):
    r = invoke("apply", "--diff", str(tree / "a.yaml"))
    assert r.exit_code == 1
    assert "-    DeletionPolicy: Delete\n+    DeletionPolicy: Retain\n+    UpdateReplacePolicy: Retain" in r.stdout
    assert (tree / "a.yaml").read_text() == KMS


def test_stdin_to_stdout():
    r = invoke("apply", "-", input=KMS)
    assert r.exit_code == 0
    assert r.stdout == KMS_FIXED
    assert "AF101" in r.stderr


def test_json_report(tree):
    r = invoke("check", str(tree), "--format", "json", "--no-cache")
    data = json.loads(r.stdout)
    by_path = {os.path.basename(f["path"]): f for f in data["files"]}
    assert by_path["a.yaml"]["status"] == "would-fix"
    fix = by_path["a.yaml"]["fixes"][0]
    assert {"rule", "name", "message", "line", "column", "resource", "applicability", "applied"} <= fix.keys()
    assert fix["rule"] == "AF101" and fix["resource"] == "Key" and fix["applicability"] == "safe"
    assert by_path["workflow.yml"]["status"] == "skipped"
    assert data["summary"]["would_fix"] == 1


def test_bad_input_exit_2_others_still_fixed(tree):
    bad = "Resources:\n  A:\n    Type: x\n  A:\n    Type: y\n"
    (tree / "bad.yaml").write_text(bad)
    r = invoke("apply", str(tree), "--no-cache")
    assert r.exit_code == 2
    assert (tree / "bad.yaml").read_text() == bad
    assert (tree / "a.yaml").read_text() == KMS_FIXED
    line = [l for l in (r.stdout + r.stderr).splitlines() if "bad.yaml" in l][0]
    assert line.endswith("bad.yaml:4:3: duplicate key 'A' (first at line 2)")
    assert "Traceback" not in r.stdout + r.stderr


def test_usage_errors_exit_2(tree):
    assert invoke("check", str(tree), "--select", "NOPE").exit_code == 2
    assert invoke("check", str(tree), "--env", "staging").exit_code == 2
    assert invoke("explain", "NOPE").exit_code == 2


def test_missing_file_exit_2(tmp_path):
    r = invoke("check", str(tmp_path / "nope.yaml"))
    assert r.exit_code == 2 and "no such file" in r.stdout + r.stderr


def test_select_and_ignore(tree):
    assert invoke("check", str(tree / "a.yaml"), "--ignore", "AF101").exit_code == 0
    assert invoke("check", str(tree / "a.yaml"), "--select", "kms-key-retain").exit_code == 1
    assert invoke("check", str(tree / "a.yaml"), "--select", "AF10").exit_code == 1


def test_config_file_found_upward_and_cli_wins(tmp_path):
    (tmp_path / "autofix.toml").write_text('environment = "test"\nignore = ["AF101"]\n')
    sub = tmp_path / "stacks"
    sub.mkdir()
    (sub / "db.yaml").write_text(
        "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      DeletionProtection: true\n"
        "  Key:\n    Type: AWS::KMS::Key\n"
    )
    r = invoke("check", str(sub), "--format", "json", "--no-cache")
    rules = {f["rule"] for f in json.loads(r.stdout)["files"][0]["fixes"]}
    assert rules == {"AF103"}
    r = invoke("check", str(sub), "--format", "json", "--env", "production", "--no-cache")
    rules = {f["rule"] for f in json.loads(r.stdout)["files"][0]["fixes"]}
    assert rules == {"AF105"}


def test_pyproject_tool_section(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.autofix]\nselect = ["AF102"]\n')
    (tmp_path / "t.yaml").write_text(KMS)
    assert invoke("check", str(tmp_path / "t.yaml"), "--no-cache").exit_code == 0


def test_rules_and_explain():
    r = invoke("rules", "--format", "json")
    rules = json.loads(r.stdout)
    assert {"code", "name", "summary", "applicability"} <= rules[0].keys()
    assert any(x["code"] == "AF103" and x["environments"] == ["test"] for x in rules)
    e = invoke("explain", "AF102")
    assert "W3011" in e.stdout and "Fix safety" in e.stdout


def test_cache_second_check_skips_parsing(tree, monkeypatch):
    cache = tree / ".cache"
    first = invoke("check", str(tree), "--format", "json", "--cache-dir", str(cache))
    import autofix.api

    def boom(*a, **k):
        raise AssertionError("parsed again")

    monkeypatch.setattr(autofix.api, "fix_text", boom)
    second = invoke("check", str(tree), "--format", "json", "--cache-dir", str(cache), "-j", "1")
    assert json.loads(first.stdout)["files"] == json.loads(second.stdout)["files"]


def test_cache_unchanged_files_are_not_even_read(tree, monkeypatch):
    """A file with the same identity, size and mtime as last time is answered from its stat
    (as ruff's cache and make go by); new bytes, or the same bytes with a new mtime, are read."""
    import builtins

    import autofix.api

    cache = tree / ".cache"
    first = invoke("check", str(tree), "--format", "json", "--cache-dir", str(cache), "-j", "1")
    reads = []
    real_open = builtins.open

    def counting_open(f, *a, **k):
        if str(f).endswith((".yaml", ".json")) and str(tree) in str(f):
            reads.append(str(f))
        return real_open(f, *a, **k)

    monkeypatch.setattr(autofix.api, "open", counting_open, raising=False)
    second = invoke("check", str(tree), "--format", "json", "--cache-dir", str(cache), "-j", "1")
    assert json.loads(first.stdout)["files"] == json.loads(second.stdout)["files"]
    assert reads == []
    # touched: read (same bytes, so still no parse) and the new mtime remembered
    target = next(p for p in sorted(tree.rglob("*.yaml")) if ".cache" not in str(p))
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    monkeypatch.setattr(autofix.api, "fix_text", lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    third = invoke("check", str(tree), "--format", "json", "--cache-dir", str(cache), "-j", "1")
    assert json.loads(third.stdout)["files"] == json.loads(first.stdout)["files"]
    assert reads == [str(target)]
    reads.clear()
    invoke("check", str(tree), "--format", "json", "--cache-dir", str(cache), "-j", "1")
    assert reads == []
    # edited: new bytes are parsed again
    monkeypatch.undo()
    parsed = []
    real_fix_text = autofix.api.fix_text
    monkeypatch.setattr(autofix.api, "fix_text", lambda *a, **k: parsed.append(k.get("path")) or real_fix_text(*a, **k))
    target.write_text(target.read_text() + "\n# edited\n")
    invoke("check", str(tree), "--format", "json", "--cache-dir", str(cache), "-j", "1")
    assert parsed == [str(target)]


def test_version_and_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "autofix", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("autofix, version ")


def test_no_color_when_piped(tree):
    r = invoke("check", str(tree))
    assert "\x1b[" not in r.stdout
