"""benchmarks/fetch_generated.py: downloads from a real HTTP server on 127.0.0.1 (files laid
out as <commit>/<path> in a tmp folder), extraction of the template from synthetic model
answers, the error line and exit status for a file that is not there."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import re
import threading

import pytest

from .conftest import ROOT

_spec = importlib.util.spec_from_file_location("fetch_generated", ROOT / "benchmarks" / "fetch_generated.py")
fetch_generated = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fetch_generated)

COMMIT_A = "a" * 40
COMMIT_B = "0123456789abcdef0123456789abcdef01234567"

YAML_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Description: The big one
Parameters:
  Env:
    Type: String
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub 'logs-${Env}'
  Queue:
    Type: AWS::SQS::Queue
Outputs:
  BucketName:
    Value: !Ref Bucket
"""

# Prose, a smaller block that also has Resources, the template, then a larger block that has none.
YAML_ANSWER = f"""\
# Reasoning

A snippet first:

```yaml
Resources:
  Small:
    Type: AWS::SNS::Topic
```

Here is the template:

```yaml
{YAML_TEMPLATE}```

Deploy it with:

```bash
aws cloudformation deploy --template-file template.yaml --stack-name demo --parameter-overrides Env=prod
aws cloudformation describe-stacks --stack-name demo --query 'Stacks[0].Outputs'
aws cloudformation describe-stack-events --stack-name demo --max-items 20
aws cloudformation delete-stack --stack-name demo && echo 'Resources: gone, but not a template'
```
"""

# Not valid JSON (a trailing comma, as model answers have): found by its top-level key, not parsed.
JSON_TEMPLATE = """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {
    "Name": {"Type": "String", "Default": "x"},
  },
  "Resources": {
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "Name"}}}
  }
}
"""

# A policy document is bigger but its "Resources" is nested, so it is not a template.
JSON_ANSWER = f"""\
Policy first:

```json
{{
  "Version": "2012-10-17",
  "Statement": [
    {{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
      "Resources": ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]}},
    {{"Effect": "Deny", "Action": ["s3:DeleteObject", "s3:DeleteBucket"],
      "Resources": ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]}}
  ]
}}
```

The template:

```json
{JSON_TEMPLATE}```
"""

# The answer was cut off: the fence never closes and the last line has no newline.
TRUNCATED_BODY = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
Outputs:
  VpcId:
    Value: !Ref Vp"""
TRUNCATED_ANSWER = "Sure, here it is.\n\n```yaml\n" + TRUNCATED_BODY

CRLF_TEMPLATE = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Key:\n    Type: AWS::KMS::Key\n"
CRLF_ANSWER = ("Template:\n\n```yaml\n" + CRLF_TEMPLATE + "```\n\nDone.\n").replace("\n", "\r\n")

# A file that is itself the template, without a final newline: kept exactly.
BARE_TEMPLATE = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Table:\n    Type: AWS::DynamoDB::Table"

FILES = {  # file name -> (commit, path in the repository, served content)
    "yaml-prose.yaml": (COMMIT_A, "archive/cfn-yaml/Pr1/lib/MODEL_RESPONSE.md", YAML_ANSWER),
    "block.json": (COMMIT_B, "archive/cfn-json/Pr2/lib/MODEL_RESPONSE.md", JSON_ANSWER),
    "truncated.yaml": (COMMIT_A, "archive/cfn-yaml/Pr3/lib/MODEL_RESPONSE.md", TRUNCATED_ANSWER),
    "crlf.yaml": (COMMIT_B, "archive/cfn-yaml/Pr4/lib/MODEL_RESPONSE.md", CRLF_ANSWER),
    "bare.yaml": (COMMIT_A, "archive/cfn-yaml/Pr5/lib/MODEL_RESPONSE.md", BARE_TEMPLATE),
}
EXPECTED = {
    "yaml-prose.yaml": YAML_TEMPLATE,
    "block.json": JSON_TEMPLATE,
    "truncated.yaml": TRUNCATED_BODY + "\n",
    "crlf.yaml": CRLF_TEMPLATE,
    "bare.yaml": BARE_TEMPLATE,
}
MISSING = ("missing.yaml", COMMIT_B, "archive/cfn-yaml/Pr6/lib/MODEL_RESPONSE.md")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/site over HTTP on 127.0.0.1; yields (site folder, base URL)."""
    site = tmp_path / "site"
    site.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _publish(site, files):
    for commit, path, content in files.values():
        target = site / commit / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8"))


def _write_list(path, rows):
    lines = ["# A list like benchmarks/generated-sample.tsv: comment lines, a header, rows.", "task\tfile\tpath\tcommit"]
    lines += [f"T{i}\t{name}\t{p}\t{commit}" for i, (name, commit, p) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_writes_each_template_exactly(server, tmp_path, capsys):
    site, base_url = server
    _publish(site, FILES)
    tsv = tmp_path / "list.tsv"
    _write_list(tsv, [(name, commit, path) for name, (commit, path, _) in FILES.items()])
    out = tmp_path / "out"

    assert fetch_generated.main([str(out), "--base-url", base_url, "--list", str(tsv)]) == 0

    assert sorted(p.name for p in out.iterdir()) == sorted(EXPECTED)
    for name, expected in EXPECTED.items():
        assert (out / name).read_bytes() == expected.encode("utf-8"), name
    captured = capsys.readouterr()
    assert captured.out == "5 written, 0 failed\n"
    assert captured.err == ""


def test_a_missing_file_is_one_error_line_and_a_failing_exit(server, tmp_path, capsys):
    site, base_url = server
    _publish(site, FILES)
    rows = [(name, commit, path) for name, (commit, path, _) in FILES.items()]
    rows.insert(2, MISSING)  # in the middle: the files after it are still fetched
    tsv = tmp_path / "list.tsv"
    _write_list(tsv, rows)
    out = tmp_path / "out"

    assert fetch_generated.main([str(out), "--base-url", base_url + "/", "--list", str(tsv)]) == 1

    captured = capsys.readouterr()
    error_lines = captured.err.splitlines()
    assert len(error_lines) == 1
    name, commit, path = MISSING
    assert error_lines[0] == f"error: {name}: HTTP 404 File not found ({base_url}/{commit}/{path})"
    assert captured.out == "5 written, 1 failed\n"
    assert not (out / name).exists()
    for name, expected in EXPECTED.items():
        assert (out / name).read_bytes() == expected.encode("utf-8"), name


def test_an_answer_without_a_template_fails(server, tmp_path, capsys):
    site, base_url = server
    files = {"prose.yaml": (COMMIT_A, "lib/MODEL_RESPONSE.md", "No template here.\n\n```bash\necho Resources: none\n```\n")}
    _publish(site, files)
    tsv = tmp_path / "list.tsv"
    _write_list(tsv, [("prose.yaml", COMMIT_A, "lib/MODEL_RESPONSE.md")])

    assert fetch_generated.main([str(tmp_path / "out"), "--base-url", base_url, "--list", str(tsv)]) == 1
    captured = capsys.readouterr()
    assert re.fullmatch(r"error: prose\.yaml: no CloudFormation template .*\n", captured.err)
    assert captured.out == "0 written, 1 failed\n"


def test_a_file_name_with_a_folder_is_refused(server, tmp_path, capsys):
    site, base_url = server
    _publish(site, FILES)
    commit, path, _ = FILES["bare.yaml"]
    tsv = tmp_path / "list.tsv"
    _write_list(tsv, [("../escape.yaml", commit, path)])

    assert fetch_generated.main([str(tmp_path / "out"), "--base-url", base_url, "--list", str(tsv)]) == 1
    assert not (tmp_path / "escape.yaml").exists()
    assert "not a plain file name" in capsys.readouterr().err


@pytest.mark.parametrize(
    "markdown, expected",
    [
        # the first of two equally large template blocks
        ("```yaml\nResources:\n  A: 1\n```\n```yaml\nResources:\n  B: 2\n```\n", "Resources:\n  A: 1\n"),
        # a longer closing fence closes; a fence with an info string inside the block does not
        ("````yaml\nResources:\n  A:\n```bash\n  B: 1\n`````\ntext\n", "Resources:\n  A:\n```bash\n  B: 1\n"),
        ("```yaml\nResources:\n```text\n  A: 1\n```\n", "Resources:\n```text\n  A: 1\n"),
        ("````yaml\nResources:\n```\n  A: 1\n````\n", "Resources:\n```\n  A: 1\n"),
        # an unclosed fence in a text that ends with a newline: no newline added
        ("Cut short:\n```yaml\nResources:\n  A: 1\n", "Resources:\n  A: 1\n"),
        # "Resources:" that is not at the top level is not a template
        ("```yaml\nOutputs:\n  Resources:\n    Value: 1\n```\n", None),
        ('```json\n{"a": {"Resources": {}}, "b": "\\"Resources\\": {}"}\n```\n', None),
        ('```\n{"Resources": {}}\n```\n', '{"Resources": {}}\n'),
    ],
)
def test_extract_template(markdown, expected):
    assert fetch_generated.extract_template(markdown) == expected


def test_the_bundled_list_reads():
    rows = fetch_generated.read_list(fetch_generated.DEFAULT_LIST)
    assert len(rows) == 88
    assert len({row["file"] for row in rows}) == 88
    for row in rows:
        assert re.fullmatch(r"Pr\d+\.(yaml|json)", row["file"]), row
        assert re.fullmatch(r"[0-9a-f]{40}", row["commit"]), row
        assert row["path"].endswith("/MODEL_RESPONSE.md"), row
