#!/bin/sh
# The long fuzz run: 10,000 mutated corpus templates (half through the CLI, half through the
# API), with hypothesis exploring freely (the CI profile is derandomized and runs 60).
#
#   benchmarks/fuzz_long.sh            # 10,000 cases
#   benchmarks/fuzz_long.sh 50000      # more
#   AUTOFIX_FUZZ_SKIP=m_deep_nesting benchmarks/fuzz_long.sh   # leave out a mutation that hits
#                                                              # a known open bug
#
# Prints hypothesis' statistics (cases run, mutations drawn, exit codes seen) at the end.
set -eu
cd "$(dirname "$0")/.."
N="${1:-10000}"
PY="${PYTHON:-.venv/bin/python}"
start=$(date +%s)
status=0
AUTOFIX_FUZZ_EXAMPLES="$N" "$PY" -m pytest tests/test_fuzz.py -k survives -q -p no:cacheprovider \
    --hypothesis-show-statistics || status=$?
echo "fuzz: $N cases requested, $(( $(date +%s) - start )) s, pytest exit $status"
exit $status
