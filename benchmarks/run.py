#!/usr/bin/env python
"""autofix performance benchmark: one command, one run, everything side by side.

    .venv/bin/python benchmarks/run.py [--corpus ../shared/corpus] [--reps 3] [--json out.json]
    .venv/bin/python benchmarks/run.py --only corpus --no-cfn-lint      # quick look
    .venv/bin/python benchmarks/run.py --only scale --scale-options "--env production --ignore AF407"

corpus (every *.yaml/*.yml/*.json/*.template file under --corpus, each command on a fresh
temporary copy; median of --reps repetitions, the commands interleaved round-robin so that a
noisy neighbour slows all of them alike):
  * `autofix check DIR`           first run in an empty cache (what CI on a fresh clone pays)
  * `autofix check DIR` again     same folder, unchanged: the cache's effect
  * `autofix check --no-cache`    when the CLI has that flag
  * `autofix apply DIR`           on a fresh copy of the corpus
  * `cfn-lint -- FILE...`         all files in one cfn-lint process (how people run it)
  * C parse floor, process        `python -c` that reads every file and parses it with libyaml's
                                  C parser (yaml.compose(..., Loader=yaml.CSafeLoader)), or
                                  json.loads for JSON: the floor for any Python command
  * C parse floor, in-process     the same parse without interpreter start-up
  * ruamel.yaml round-trip compose, in-process (what the round-trip machinery costs)
  Wall-clock time is the result (it is what a user waits for, and what the process pool
  shortens); CPU time (user + system of the process and its workers) is reported beside it
  because it is much steadier on a shared machine.

scale: generated templates with 100, 1,000 and 10,000 resources (KMS keys with DeletionPolicy:
  Delete, S3 buckets with Retain, RDS instances), `autofix check` / `apply` (--scale-options,
  default `--env production`) run in-process through the CLI (click's CliRunner); time per
  resource (CPU) should stay flat.  A size is skipped when the one before took over 120 s.

edits: autofix.fixes.apply_edits with N edits (shuffled) on a 4 MB text, CPU time per edit
  (flat = O(N log N)), and applying 1,000 edits one at a time for contrast.

Every external command runs with HOME / XDG_CACHE_HOME in a fresh temporary folder and its
working directory inside it, so no cache from an earlier run is reused.  Written on a 2-core
shared machine: read the ratios, not the absolute times.
"""


from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".autofix_cache", "cdk.out"}

GOALS = {
    # ratio name: (comparison, goal, what it means)
    "cfn-lint / check": (">=", 20.0, "autofix check at least 20x faster than cfn-lint"),
    "check / C parse": ("<=", 3.0, "autofix check within 3x of the bare C parse (process)"),
    "cfn-lint / apply": (">=", 5.0, "autofix apply at least 5x faster than cfn-lint"),
    "check 1st / 2nd": (">=", 5.0, "second check of an unchanged corpus at least 5x faster (cache)"),
}

FLOOR_SCRIPT = r"""
import json, sys, yaml
names = open(sys.argv[1], encoding="utf-8").read().split("\n")
n = 0
for name in names:
    if not name:
        continue
    with open(name, "rb") as fh:
        data = fh.read()
    text = data.decode("utf-8-sig")
    if text.lstrip()[:1] == "{":
        json.loads(text)
    else:
        yaml.compose(text, Loader=yaml.CSafeLoader)
    n += 1
print(n)
"""


# ------------------------------------------------------------------------------------------------
# helpers


def tool(name: str) -> str:
    """A console script next to this interpreter (the venv), else on PATH."""
    p = BIN / name
    if p.exists():
        return str(p)
    found = shutil.which(name)
    if not found:
        sys.exit(f"error: {name} not found next to {sys.executable} or on PATH")
    return found


def installed_python(base: Path) -> str:
    """An interpreter that sees autofix and its dependencies the way a regular `pip install`
    would: a bare venv whose one .pth file lists the source tree and this venv's
    site-packages.  The development venv holds an editable install, whose import hook
    (setuptools' `__editable__` finder, loaded at every start through a .pth file) costs about
    17 ms per process, which no installed copy pays; a .pth line only adds a path, so that
    hook is not loaded here.  Every command of the corpus benchmark runs under it, the floor
    and cfn-lint included, so they start alike."""
    import site
    import venv

    env_dir = base / "installed-venv"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env_dir)
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    target = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    paths = [str(ROOT)] + [p for p in site.getsitepackages() if os.path.isdir(p)]
    Path(target, "autofix-bench.pth").write_text("\n".join(paths) + "\n", encoding="utf-8")
    return str(py)


def corpus_files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for f in sorted(filenames):
            if f.endswith(SUFFIXES):
                out.append(Path(dirpath, f).relative_to(root))
    return out


class Sandbox:
    """A fresh temporary folder with its own HOME and cache folders, and a copy of the corpus."""

    def __init__(self, corpus: Path, base: Path):
        self.dir = Path(tempfile.mkdtemp(prefix="bench-", dir=base))
        (self.dir / "home").mkdir()
        (self.dir / "xdg-cache").mkdir()
        self.tree = self.dir / "corpus"
        shutil.copytree(corpus, self.tree, symlinks=True)
        self.env = dict(os.environ, HOME=str(self.dir / "home"), XDG_CACHE_HOME=str(self.dir / "xdg-cache"),
                        NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
        self.env.pop("FORCE_COLOR", None)

    def run(self, argv: list[str], cwd: Path | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
        """Wall-clock seconds, CPU seconds (user + system, the process and its workers) and the result."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        cp = subprocess.run(argv, cwd=cwd or self.dir, env=self.env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, cp

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def supports(argv_help: list[str], flag: str) -> bool:
    cp = subprocess.run(argv_help, capture_output=True, text=True)
    return flag in cp.stdout


def last_line(cp: subprocess.CompletedProcess) -> str:
    """The summary line ("... checked ...") if there is one, else the last line."""
    lines = [x for x in (cp.stdout + cp.stderr).strip().splitlines() if x.strip()]
    summary = [x for x in lines if " checked" in x]
    return (summary or lines or [""])[-1]


def fmt_s(x: float | None) -> str:
    return "-" if x is None else f"{x:8.3f} s"


# ------------------------------------------------------------------------------------------------
# corpus benchmark


def bench_corpus(corpus: Path, reps: int, with_cfn_lint: bool, log) -> dict:
    autofix, cfn_lint = tool("autofix"), tool("cfn-lint")
    files = corpus_files(corpus)
    if not files:
        sys.exit(f"error: no templates under {corpus}")
    texts = [(f, (corpus / f).read_bytes()) for f in files]
    yaml_bytes = sum(len(b) for f, b in texts if not b.decode("utf-8-sig").lstrip().startswith("{"))
    json_bytes = sum(len(b) for _, b in texts) - yaml_bytes
    no_cache = supports([autofix, "check", "--help"], "--no-cache")
    base = Path(tempfile.mkdtemp(prefix="autofix-bench-"))
    listing = base / "files.txt"
    listing.write_text("\n".join(str(f) for f in files), encoding="utf-8")
    py = installed_python(base)
    autofix = [py, "-c", "import sys; from autofix.cli import main; sys.argv[0] = 'autofix'; main()"]
    commands = {
        "check": [*autofix, "check", "corpus"],
        "apply": [*autofix, "apply", "corpus"],
        # run in corpus/, one process: what the cfn-lint console script runs
        "cfn-lint": [py, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())", "--",
                     *map(str, files)],
        "floor": [py, "-c", FLOOR_SCRIPT, str(listing)],  # run in corpus/
    }
    if no_cache:
        commands["check --no-cache"] = [*autofix, "check", "--no-cache", "corpus"]
    names = ("check", "check (2nd, cached)", "check --no-cache", "apply", "cfn-lint", "floor",
             "floor (in-process)", "ruamel rt compose (in-process)")
    times: dict[str, list[float]] = {k: [] for k in names}
    cpu: dict[str, list[float]] = {k: [] for k in names}
    notes: dict[str, str] = {}

    def record(name, wall, cpu_s):
        times[name].append(wall)
        cpu[name].append(cpu_s)

    try:
        for rep in range(reps):
            log(f"  repetition {rep + 1}/{reps}")
            # check, twice on the same unchanged folder: cold cache then warm
            sb = Sandbox(corpus, base)
            t, c, cp = sb.run(commands["check"])
            if cp.returncode not in (0, 1):
                notes["check"] = f"exit {cp.returncode}: {last_line(cp)}"
            notes.setdefault("check summary", last_line(cp))
            record("check", t, c)
            t, c, cp = sb.run(commands["check"])
            record("check (2nd, cached)", t, c)
            if no_cache:
                t, c, cp = sb.run(commands["check --no-cache"])
                record("check --no-cache", t, c)
            sb.close()
            # apply on a fresh copy
            sb = Sandbox(corpus, base)
            t, c, cp = sb.run(commands["apply"])
            if cp.returncode != 0:
                notes["apply"] = f"exit {cp.returncode}: {last_line(cp)}"
            notes.setdefault("apply summary", last_line(cp))
            record("apply", t, c)
            # the floor, as a process and in-process
            t, c, cp = sb.run(commands["floor"], cwd=sb.tree)
            if cp.returncode != 0:
                notes["floor"] = f"exit {cp.returncode}: {last_line(cp)}"
            record("floor", t, c)
            t0 = time.process_time()
            t = floor_in_process(texts)
            record("floor (in-process)", t, time.process_time() - t0)
            t0 = time.process_time()
            t = ruamel_in_process(texts)
            record("ruamel rt compose (in-process)", t, time.process_time() - t0)
            sb.close()
            if with_cfn_lint:
                sb = Sandbox(corpus, base)
                t, c, cp = sb.run(commands["cfn-lint"], cwd=sb.tree)
                if cp.returncode & 1:  # 2/4/8 are bit flags for findings; 1 is a fatal error
                    notes["cfn-lint"] = f"exit {cp.returncode}: {last_line(cp)}"
                record("cfn-lint", t, c)
                sb.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    med = {k: (statistics.median(v) if v else None) for k, v in times.items()}
    med_cpu = {k: (statistics.median(v) if v else None) for k, v in cpu.items()}

    def ratio(a, b, m=med):
        return m[a] / m[b] if m.get(a) and m.get(b) else None

    ratios = {
        "cfn-lint / check": ratio("cfn-lint", "check"),
        "check / C parse": ratio("check", "floor"),
        "cfn-lint / apply": ratio("cfn-lint", "apply"),
        "check 1st / 2nd": ratio("check", "check (2nd, cached)"),
        "check / C parse (in-process floor)": ratio("check", "floor (in-process)"),
        "ruamel rt compose / C parse (in-process)": ratio("ruamel rt compose (in-process)", "floor (in-process)"),
    }
    if no_cache:
        ratios["cfn-lint / check --no-cache"] = ratio("cfn-lint", "check --no-cache")
    # the same ratios on CPU time (user + system of the process and its workers): steadier on a
    # shared machine, but blind to what the process pool gains on several cores
    ratios_cpu = {k: ratio(*pair, m=med_cpu) for k, pair in {
        "cfn-lint / check": ("cfn-lint", "check"),
        "check / C parse": ("check", "floor"),
        "cfn-lint / apply": ("cfn-lint", "apply"),
        "check 1st / 2nd": ("check", "check (2nd, cached)"),
    }.items()}
    return {
        "files": len(files),
        "bytes": {"yaml": yaml_bytes, "json": json_bytes},
        "reps": reps,
        "commands": {
            "check": "autofix check <copy>  (cwd: fresh temp folder, HOME/XDG_CACHE_HOME empty)",
            "check (2nd, cached)": "the same command again on the unchanged copy",
            "check --no-cache": "autofix check --no-cache <copy>" if no_cache else "(the CLI has no --no-cache flag yet)",
            "apply": "autofix apply <fresh copy>",
            "cfn-lint": f"cfn-lint -- <{len(files)} files>  (one process, default options, cwd: the copy)",
            "floor": "python -c '<read each file; json.loads or yaml.compose(Loader=yaml.CSafeLoader)>' files.txt",
            "python": "every command runs under one interpreter that sees the packages as an installed copy "
                      "(a bare venv with a .pth line to the sources and the dev venv's site-packages: no "
                      "editable-install import hook), after the sources are byte-compiled",
        },
        "times": times,
        "cpu": cpu,
        "median": med,
        "median_cpu": med_cpu,
        "ratios": ratios,
        "ratios_cpu": ratios_cpu,
        "notes": notes,
        "no_cache_flag": no_cache,
    }


def floor_in_process(texts) -> float:
    import yaml

    t0 = time.perf_counter()
    for _, data in texts:
        text = data.decode("utf-8-sig")
        if text.lstrip()[:1] == "{":
            json.loads(text)
        else:
            yaml.compose(text, Loader=yaml.CSafeLoader)
    return time.perf_counter() - t0


def ruamel_in_process(texts) -> float:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    t0 = time.perf_counter()
    for _, data in texts:
        y.compose(data.decode("utf-8-sig"))
    return time.perf_counter() - t0


# ------------------------------------------------------------------------------------------------
# scale benchmark


def scale_template(n: int) -> str:
    """n resources: a third KMS keys with DeletionPolicy Delete (AF101 fixes them), a third S3
    buckets with Retain (nothing to do), a third RDS instances (AF105 under --env production)."""
    out = ["AWSTemplateFormatVersion: '2010-09-09'", "Description: generated scale test", "Resources:"]
    for i in range(n):
        kind = i % 3
        if kind == 0:
            out += [f"  Key{i}:", "    Type: AWS::KMS::Key", "    DeletionPolicy: Delete", "    Properties:",
                    f"      Description: key {i}", "      EnableKeyRotation: true"]
        elif kind == 1:
            out += [f"  Bucket{i}:", "    Type: AWS::S3::Bucket", "    DeletionPolicy: Retain",
                    "    UpdateReplacePolicy: Retain", "    Properties:", f"      BucketName: !Sub 'b{i}-${{AWS::AccountId}}'",
                    "      Tags:", "        - Key: index", f"          Value: '{i}'"]
        else:
            out += [f"  Db{i}:", "    Type: AWS::RDS::DBInstance", "    Properties:", "      Engine: mysql",
                    "      DBInstanceClass: db.t3.micro", "      AllocatedStorage: '20'",
                    "      MasterUsername: admin", "      ManageMasterUserPassword: true"]
    return "\n".join(out) + "\n"


def bench_scale(sizes: list[int], reps: int, log, options: list[str], budget: float = 120.0) -> dict:
    from click.testing import CliRunner

    from autofix.cli import cli

    autofix = tool("autofix")
    extra = ["--no-cache"] if supports([autofix, "check", "--help"], "--no-cache") else []
    base = Path(tempfile.mkdtemp(prefix="autofix-scale-"))
    old_cwd = os.getcwd()
    os.chdir(base)
    runner = CliRunner()
    rows = []
    try:
        warm = base / "warm.yaml"
        warm.write_text(scale_template(3))
        runner.invoke(cli, ["check", *extra, str(warm)])  # imports and rule registry, once
        for n in sizes:
            if rows and max(rows[-1]["check_s"], rows[-1]["apply_s"]) > budget:
                rows.append({"resources": n, "skipped": f"{rows[-1]['resources']} resources took more than {budget:.0f} s"})
                log(f"  {n:>6} resources: skipped")
                continue
            text = scale_template(n)
            src = base / f"scale-{n}.yaml"
            src.write_text(text)
            checks, applies, checks_cpu, applies_cpu, info = [], [], [], [], {}
            for _ in range(reps if n < 10_000 else 1):  # the largest size once: it is slow while N^2 remains
                t0, c0 = time.perf_counter(), time.process_time()
                r = runner.invoke(cli, ["check", *options, "-q", *extra, str(src)])
                checks.append(time.perf_counter() - t0)
                checks_cpu.append(time.process_time() - c0)
                info["check_exit"] = r.exit_code
                dst = base / f"apply-{n}.yaml"
                dst.write_text(text)
                t0, c0 = time.perf_counter(), time.process_time()
                r = runner.invoke(cli, ["apply", *options, "-q", *extra, str(dst)])
                applies.append(time.perf_counter() - t0)
                applies_cpu.append(time.process_time() - c0)
                info["apply_exit"] = r.exit_code
                if r.exit_code != 0:
                    info["apply_error"] = (r.output or repr(r.exception)).strip().splitlines()[-1:]
                info["apply_changed"] = dst.read_text() != text
            c, a = statistics.median(checks), statistics.median(applies)
            cc, ac = statistics.median(checks_cpu), statistics.median(applies_cpu)
            rows.append({"resources": n, "bytes": len(text), "check_s": c, "apply_s": a, "check_cpu_s": cc,
                         "apply_cpu_s": ac, "check_us_per_resource": cc / n * 1e6, "apply_us_per_resource": ac / n * 1e6,
                         **info})
            log(f"  {n:>6} resources: check {c:.3f} s (cpu {cc:.3f}), apply {a:.3f} s (cpu {ac:.3f})")
    finally:
        os.chdir(old_cwd)
        shutil.rmtree(base, ignore_errors=True)
    done = [r for r in rows if "skipped" not in r]
    first, last = done[0], done[-1]
    return {
        "options": options,
        "rows": rows,
        "check_growth": last["check_us_per_resource"] / first["check_us_per_resource"],
        "apply_growth": last["apply_us_per_resource"] / first["apply_us_per_resource"],
    }


# ------------------------------------------------------------------------------------------------
# edit application


def bench_edits(counts: list[int], text_bytes: int, reps: int) -> dict:
    from autofix.fixes import Edit, apply_edits

    rng = random.Random(6)
    text = "".join(rng.choice("abcdefgh \n") for _ in range(text_bytes))
    rows = []
    for n in counts:
        step = len(text) // n
        edits = [Edit(i * step, i * step + 1, "XY") for i in range(n)]
        rng.shuffle(edits)
        ts = []
        for _ in range(reps):
            t0 = time.process_time()  # CPU time of this process: steady on a shared machine
            out = apply_edits(text, edits)
            ts.append(time.process_time() - t0)
        assert len(out) == len(text) + n
        t = statistics.median(ts)
        rows.append({"edits": n, "s": t, "us_per_edit": t / n * 1e6,
                     "ns_per_nlogn": t / (n * math.log2(max(n, 2))) * 1e9})
    # for contrast: applying the edits one at a time (N x file size)
    n = counts[0]
    step = len(text) // n
    edits = sorted(Edit(i * step, i * step + 1, "XY") for i in range(n))
    t0 = time.process_time()
    s = text
    for e in reversed(edits):
        s = s[: e.start] + e.content + s[e.end :]
    naive = time.process_time() - t0
    return {"text_bytes": text_bytes, "rows": rows, "naive_one_at_a_time": {"edits": n, "s": naive}}


# ------------------------------------------------------------------------------------------------
# report


def verdict(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    op, goal, _ = GOALS[name]
    ok = value >= goal if op == ">=" else value <= goal
    return ("met" if ok else "NOT met") + f" (goal {op} {goal:g})"


def report(res: dict) -> str:
    lines = []
    c = res.get("corpus")
    if c:
        lines.append(f"Corpus: {c['files']} files ({c['bytes']['yaml'] / 1e6:.2f} MB YAML, "
                     f"{c['bytes']['json'] / 1e6:.2f} MB JSON), median of {c['reps']} repetitions")
        lines.append("")
        lines.append(f"  {'what':<32} {'wall':>10} {'per file':>9} {'cpu':>10}   wall of each run")
        for k, v in c["median"].items():
            if v is None:
                continue
            runs = ", ".join(f"{x:.2f}" for x in c["times"][k])
            lines.append(f"  {k:<32} {fmt_s(v):>10} {v / c['files'] * 1e3:6.1f} ms {fmt_s(c['median_cpu'][k]):>10}   [{runs}]")
        lines.append("")
        lines.append(f"  {'ratio':<42} {'wall':>9} {'cpu':>9}   goal (on wall time)")
        for k, v in c["ratios"].items():
            shown = "-" if v is None else f"{v:7.2f}x"
            vc = c["ratios_cpu"].get(k)
            shown_cpu = "" if vc is None else f"{vc:7.2f}x"
            lines.append(f"  {k:<42} {shown:>9} {shown_cpu:>9}   {verdict(k, v) if k in GOALS else ''}")
        lines.append("")
        for k, v in c["commands"].items():
            lines.append(f"  {k:<22} {v}")
        for k, v in c["notes"].items():
            lines.append(f"  note: {k}: {v}")
    s = res.get("scale")
    if s:
        lines.append("")
        lines.append(f"Scale (in-process CLI, options: {' '.join(s['options'])}; median):")
        lines.append(f"  {'resources':>9} {'bytes':>10} {'check':>9} {'cpu':>9} {'us/res':>8} {'apply':>9} {'cpu':>9} {'us/res':>8}"
                     "  exit(check/apply)   (us/res: CPU time per resource)")
        for r in s["rows"]:
            if "skipped" in r:
                lines.append(f"  {r['resources']:>9}  skipped: {r['skipped']}")
                continue
            lines.append(f"  {r['resources']:>9} {r['bytes']:>10} {r['check_s']:8.3f}s {r['check_cpu_s']:8.3f}s "
                         f"{r['check_us_per_resource']:8.0f} {r['apply_s']:8.3f}s {r['apply_cpu_s']:8.3f}s "
                         f"{r['apply_us_per_resource']:8.0f}  {r['check_exit']}/{r['apply_exit']}"
                         + (f"  {r.get('apply_error')}" if r.get("apply_error") else ""))
        lines.append(f"  time per resource, largest / smallest: check {s['check_growth']:.2f}x, apply {s['apply_growth']:.2f}x "
                     "(flat = about 1)")
    e = res.get("edits")
    if e:
        lines.append("")
        lines.append(f"apply_edits on a {e['text_bytes'] / 1e6:.1f} MB text (edits shuffled; CPU time):")
        for r in e["rows"]:
            lines.append(f"  {r['edits']:>7} edits {r['s'] * 1e3:9.2f} ms  {r['us_per_edit']:7.2f} us/edit  "
                         f"{r['ns_per_nlogn']:7.1f} ns per N log2 N")
        nv = e["naive_one_at_a_time"]
        lines.append(f"  (one edit at a time, for contrast: {nv['edits']} edits {nv['s'] * 1e3:.1f} ms)")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path(os.environ.get("AUTOFIX_CORPUS", ROOT.parent / "shared" / "corpus")))
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each corpus measurement (median)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    ap.add_argument("--no-cfn-lint", action="store_true", help="skip cfn-lint (the slow part)")
    ap.add_argument("--only", choices=["corpus", "scale", "edits"], action="append", help="run only these parts")
    ap.add_argument("--scale-sizes", default="100,1000,10000")
    ap.add_argument("--scale-options", default="--env production",
                    help="options for check/apply in the scale test (e.g. '--env production --ignore AF407')")
    args = ap.parse_args(argv)
    parts = set(args.only or ["corpus", "scale", "edits"])

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    import autofix

    # A regular `pip install` byte-compiles the package; an editable checkout relies on Python
    # writing __pycache__ as it goes, which PYTHONDONTWRITEBYTECODE (set on some machines, this
    # one included) turns off, so every command would compile the sources again.  Compile them
    # once, as an install would, so that start-up is measured as users get it.
    import compileall

    for pkg in ("autofix", "transforms"):
        compileall.compile_dir(str(ROOT / pkg), quiet=1)

    res: dict = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                             "cpus": os.cpu_count(), "autofix": autofix.__version__}}
    try:
        import cfnlint.version

        res["machine"]["cfn-lint"] = cfnlint.version.__version__
    except Exception:
        pass
    if "corpus" in parts:
        if not args.corpus.is_dir():
            sys.exit(f"error: corpus not found at {args.corpus} (use --corpus)")
        log(f"corpus: {args.corpus}")
        res["corpus"] = bench_corpus(args.corpus.resolve(), args.reps, not args.no_cfn_lint, log)
        print(report({"corpus": res["corpus"]}), flush=True)
    if "scale" in parts:
        log("scale")
        res["scale"] = bench_scale([int(x) for x in args.scale_sizes.split(",")], max(1, min(args.reps, 3)), log,
                                   args.scale_options.split())
        print(report({"scale": res["scale"]}), flush=True)
    if "edits" in parts:
        log("edits")
        res["edits"] = bench_edits([1_000, 10_000, 100_000], 4_000_000, 3)
        print(report({"edits": res["edits"]}), flush=True)
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
