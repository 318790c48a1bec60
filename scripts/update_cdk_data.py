#!/usr/bin/env python3
"""Regenerate autofix/cdk/cdk_constants.json: the engine-version and Lambda runtime constants
that aws-cdk-lib defines, so the CDK rules know which names exist (`rds.PostgresEngineVersion.VER_14_15`,
`lambda_.Runtime.PYTHON_3_13`) without aws-cdk-lib installed.

    python scripts/update_cdk_data.py                    # downloads the newest aws-cdk-lib wheel (pip, PyPI)
    python scripts/update_cdk_data.py --version 2.275.0  # a given release
    python scripts/update_cdk_data.py --wheel aws_cdk_lib-2.275.0-py3-none-any.whl

aws-cdk-lib is not installed and is not a dependency of autofix: the wheel is read as a zip.
The values come from the library's own compiled code inside the wheel's jsii bundle
(`aws-rds/lib/instance-engine.js`, `aws-rds/lib/cluster-engine.js`, `aws-lambda/lib/runtime.js`):
each constant's version string, major version and engine features (`s3Import` / `s3Export`) exactly
as aws-cdk-lib builds them.  Every name is checked against the Python binding in the same wheel.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "autofix" / "cdk" / "cdk_constants.json"

ENGINE_CLASSES = {
    # class name -> (catalog engine, JS file in aws-rds/lib)
    "PostgresEngineVersion": ("postgres", "instance-engine.js"),
    "MysqlEngineVersion": ("mysql", "instance-engine.js"),
    "MariaDbEngineVersion": ("mariadb", "instance-engine.js"),
    "AuroraPostgresEngineVersion": ("aurora-postgresql", "cluster-engine.js"),
    "AuroraMysqlEngineVersion": ("aurora-mysql", "cluster-engine.js"),
    "AuroraEngineVersion": ("aurora-mysql", "cluster-engine.js"),  # the legacy MySQL 5.6-compatible Aurora
}

_OF = re.compile(r'static (VER_\w+)=(\w+)\.of\("([^"]+)","([^"]+)"(?:,\{([^}]*)\})?\)')
_BUILTIN = re.compile(r'static (VER_\w+)=(\w+)\.builtIn_(\d+)_(\d+)\("([^"]+)"(,!1)?\)')
_RUNTIME = re.compile(r'static (\w+)=new Runtime\("([^"]+)"(?:,RuntimeFamily\.(\w+))?(?:,\{([^}]*)\})?\)')
_FEATURE = re.compile(r"(\w+):!0")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z0-9])", "_", name).lower().replace("s_3", "s3")


def _download(version: str | None, folder: Path) -> Path:
    spec = f"aws-cdk-lib=={version}" if version else "aws-cdk-lib"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d", str(folder), spec],
        check=True,
    )
    wheels = sorted(folder.glob("aws_cdk_lib-*.whl"))
    if not wheels:
        raise SystemExit("pip downloaded no aws-cdk-lib wheel")
    return wheels[-1]


def _read_wheel(wheel: Path) -> tuple[str, dict[str, str], dict[str, str]]:
    """(version, JS sources by file name, Python binding sources by module)."""
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        bundle = next((n for n in names if re.match(r"aws_cdk/_jsii/aws-cdk-lib@.*\.jsii\.tgz$", n)), None)
        if bundle is None:
            raise SystemExit(f"{wheel}: no jsii bundle found")
        version = re.search(r"@([^@/]+)\.jsii\.tgz$", bundle).group(1)
        py = {m: zf.read(f"aws_cdk/{m}/__init__.py").decode("utf-8") for m in ("aws_rds", "aws_lambda")}
        data = zf.read(bundle)
    js: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
        for member in ("aws-rds/lib/instance-engine.js", "aws-rds/lib/cluster-engine.js", "aws-lambda/lib/runtime.js"):
            fh = tf.extractfile(f"package/{member}")
            if fh is None:
                raise SystemExit(f"{wheel}: {member} missing from the jsii bundle")
            js[member.rsplit("/", 1)[1]] = fh.read().decode("utf-8")
    return version, js, py


def _python_members(source: str, cls: str) -> set[str]:
    """Class-level constant names of `cls` in a jsii-generated module."""
    start = re.search(rf"^class {cls}\(", source, re.M)
    if start is None:
        raise SystemExit(f"class {cls} not found in the Python binding")
    end = re.search(r"^class \w+", source[start.end():], re.M)
    body = source[start.end(): start.end() + end.start()] if end else source[start.end():]
    return set(re.findall(r'@jsii\.member\(jsii_name="([A-Z][A-Z0-9_]*)"\)', body))


def build(wheel: Path) -> dict:
    version, js, py = _read_wheel(wheel)
    engines: dict[str, dict] = {}
    for cls, (engine, jsfile) in ENGINE_CLASSES.items():
        constants: dict[str, dict] = {}
        for m in _OF.finditer(js[jsfile]):
            name, owner, full, major, feats = m.groups()
            if owner != cls:
                continue
            entry: dict = {"version": full, "major": major}
            features = {_snake(f): True for f in _FEATURE.findall(feats or "")}
            if features:
                entry["features"] = dict(sorted(features.items()))
            constants[name] = entry
        for m in _BUILTIN.finditer(js[jsfile]):
            name, owner, a, b, minor, no_prefix = m.groups()
            if owner != cls:
                continue
            major = f"{a}.{b}"
            full = f"{major}.{minor}" if no_prefix else f"{major}.mysql_aurora.{minor}"
            constants[name] = {"version": full, "major": major}
        exposed = _python_members(py["aws_rds"], cls)
        # a few old constants exist in the JavaScript but not in the Python API: leave them out
        constants = {k: v for k, v in constants.items() if k in exposed}
        unparsed = sorted(n for n in exposed - set(constants) if n.startswith("VER_"))
        if unparsed:
            raise SystemExit(f"{cls}: constants whose value could not be read: {unparsed}")
        engines[cls] = {"engine": engine, "constants": dict(sorted(constants.items()))}
    runtimes: dict[str, str] = {}
    variable: list[str] = []
    for m in _RUNTIME.finditer(js["runtime.js"]):
        name, value, family, props = m.groups()
        if family is None:  # FROM_IMAGE: not a runtime
            continue
        if "isVariable:!0" in (props or ""):  # NODEJS_LATEST: moves with each release
            variable.append(name)
            continue
        runtimes[name] = value
    exposed = _python_members(py["aws_lambda"], "Runtime")
    runtimes = {k: v for k, v in runtimes.items() if k in exposed}
    variable = [k for k in variable if k in exposed]
    unparsed = sorted(exposed - set(runtimes) - set(variable) - {"FROM_IMAGE", "ALL"})
    if unparsed:
        raise SystemExit(f"Runtime: constants whose value could not be read: {unparsed}")
    return {
        "source": f"aws-cdk-lib {version}",
        "generated_at": dt.date.today().isoformat(),
        "engine_versions": engines,
        "runtimes": dict(sorted(runtimes.items())),
        "variable_runtimes": sorted(variable),
    }


def to_text(data: dict) -> str:
    """Stable JSON, one constant per line, so a regeneration reads as a short diff."""
    one = lambda obj: json.dumps(obj, separators=(", ", ": "))  # noqa: E731
    lines = ["{"]
    for key in ("source", "generated_at"):
        lines.append(f"  {json.dumps(key)}: {one(data[key])},")
    lines.append('  "engine_versions": {')
    classes = list(data["engine_versions"].items())
    for i, (cls, body) in enumerate(classes):
        consts = [f"      {json.dumps(n)}: {one(v)}" for n, v in body["constants"].items()]
        lines.append(f'    {json.dumps(cls)}: {{"engine": {json.dumps(body["engine"])}, "constants": {{')
        lines.append(",\n".join(consts))
        lines.append("    }}" + ("," if i < len(classes) - 1 else ""))
    lines.append("  },")
    rts = [f"    {json.dumps(n)}: {json.dumps(v)}" for n, v in data["runtimes"].items()]
    lines.append('  "runtimes": {\n' + ",\n".join(rts) + "\n  },")
    lines.append(f'  "variable_runtimes": {one(data["variable_runtimes"])}')
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == data
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel", type=Path, help="an aws-cdk-lib wheel already downloaded")
    ap.add_argument("--version", help="the aws-cdk-lib release to download (default: newest)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or _download(args.version, Path(tmp))
        data = build(wheel)
    text = to_text(data)
    args.out.write_text(text, encoding="utf-8")
    counts = ", ".join(f"{c}={len(v['constants'])}" for c, v in data["engine_versions"].items())
    print(f"wrote {args.out} from {data['source']}: {counts}, runtimes={len(data['runtimes'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
