"""Start-up: checking or fixing a CloudFormation template loads neither boto3/botocore (only the
catalog refresh talks to AWS) nor libcst (only CDK Python files need it).

Each case runs the real CLI entry point in a fresh interpreter with `-X importtime`; on failure
the message shows the import chain that pulled the heavy module in."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

HEAVY = ("boto3", "botocore", "libcst")

CLEAN = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Key:
    Type: AWS::KMS::Key
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      EnableKeyRotation: true
"""

FIXABLE = CLEAN.replace("    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n", "    DeletionPolicy: Delete\n")

PROBE = r"""
import json, sys
out, argv = sys.argv[1], sys.argv[2:]
sys.argv = ["autofix", *argv]
from autofix.cli import main
try:
    main()
except SystemExit as e:
    code = e.code
else:
    code = 0
heavy = sorted(m for m in sys.modules if m.split(".")[0] in %r)
with open(out, "w") as fh:
    json.dump({"exit": code, "heavy": heavy}, fh)
""" % (HEAVY,)


def import_chain(importtime: str, module: str) -> list[str]:
    """From `-X importtime` output, the chain of imports that led to `module` (outermost first)."""
    rows = []
    for line in importtime.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+\d+ \|( *)(\S+)", line)
        if m:
            rows.append((len(m.group(1)) // 2, m.group(2)))
    hits = [(depth, i) for i, (depth, name) in enumerate(rows) if name == module] or [
        (depth, i) for i, (depth, name) in enumerate(rows) if name.startswith(module + ".")]
    if not hits:
        return []
    depth, i = min(hits)  # the outermost import of the module
    chain, want = [rows[i][1]], depth - 1
    for d, n in rows[i + 1:]:  # a parent is reported after its children, one level up
        if want < 0:
            break
        if d == want:
            chain.append(n)
            want -= 1
    return chain[::-1]


CASES = {
    "check clean yaml": (["check"], CLEAN, "t.yaml", 0),
    "check yaml with a finding": (["check"], FIXABLE, "t.yaml", 1),
    "check --diff yaml": (["check", "--diff"], FIXABLE, "t.yaml", 1),
    "apply yaml": (["apply"], FIXABLE, "t.yaml", 0),
    "check json": (["check"], json.dumps({"Resources": {"Key": {"Type": "AWS::KMS::Key"}}}, indent=2), "t.json", 1),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_template_commands_do_not_import_heavy_modules(tmp_path, case, monkeypatch):
    args, text, name, expected_exit = CASES[case]
    f = tmp_path / name
    f.write_text(text)
    out = tmp_path / "probe.json"
    monkeypatch.setenv("AUTOFIX_CACHE_DIR", str(tmp_path / "cache"))
    cp = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", PROBE, str(out), *args, "--no-cache", str(f)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert out.exists(), cp.stderr[-3000:]
    probe = json.loads(out.read_text())
    assert probe["exit"] == expected_exit, cp.stdout + cp.stderr[-2000:]
    chains = {top: import_chain(cp.stderr, top) for top in HEAVY if any(m.split(".")[0] == top for m in probe["heavy"])}
    assert not chains, "heavy modules imported: " + "; ".join(f"{k} via {' -> '.join(v)}" for k, v in chains.items())


def test_import_chain_reader():
    """The helper that explains a failure reads real -X importtime output correctly."""
    cp = subprocess.run([sys.executable, "-X", "importtime", "-c", "import json"], capture_output=True, text=True)
    assert import_chain(cp.stderr, "json.decoder") == ["json", "json.decoder"]
    assert import_chain(cp.stderr, "json") == ["json"]
    assert import_chain(cp.stderr, "libcst") == []


@pytest.mark.parametrize("name,text", [("t.yaml", CLEAN), ("t.json", json.dumps(
    {"Resources": {"Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                           "Properties": {"EnableKeyRotation": True}}}}, indent=2))])
def test_check_with_nothing_to_fix_does_not_load_the_round_trip_parser(tmp_path, name, text):
    """ruamel.yaml is for files with something to fix: the detection pass reads YAML with
    libyaml and JSON with the json module."""
    f = tmp_path / name
    f.write_text(text)
    out = tmp_path / "probe.json"
    probe_src = PROBE.replace(repr(HEAVY), repr(("ruamel",)))
    cp = subprocess.run([sys.executable, "-X", "importtime", "-c", probe_src, str(out), "check", "--no-cache", str(f)],
                        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    probe = json.loads(out.read_text())
    assert probe["exit"] == 0, cp.stdout + cp.stderr[-2000:]
    assert probe["heavy"] == [], " -> ".join(import_chain(cp.stderr, "ruamel"))
