#!/usr/bin/env bash
# Grading throughput of `dsmath eval grade` (docs/benchmarks.md, "Evaluation: grading"): the
# reference solutions of GSM8K test (1319) and MATH test (5000) graded as model outputs
# (extraction + normalization + comparison; mostly equal strings after normalization), and
# the 400 SymPy-labelled expression pairs of tests/eval/golden (x50), which all go through the
# expression parser and random-point evaluation: lines per CPU-second.
#
# usage: scripts/bench/eval_grade_bench.sh BUILD_DIR WORK_DIR [SHARED_DATA_DIR]
set -euo pipefail
BUILD=${1:?build dir}; W=${2:?work dir}
DATA=${3:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/data}
DSMATH=$(cd "$BUILD" && pwd)/apps/dsmath/dsmath
GOLDEN=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/eval/golden/symbolic_pairs.jsonl
mkdir -p "$W"; cd "$W"

python3 - "$DATA" "$GOLDEN" <<'PY'
import json, sys
data, golden = sys.argv[1], sys.argv[2]
with open("symbolic.jsonl", "w") as out:
    pairs = [json.loads(line) for line in open(golden)]
    for _ in range(50):
        for p in pairs:
            out.write(json.dumps({"completion": "\\boxed{" + p["a"] + "}", "answer": p["b"]}) + "\n")
with open("gsm8k.jsonl", "w") as out:
    for line in open(f"{data}/gsm8k/test.jsonl"):
        r = json.loads(line)
        out.write(json.dumps({"completion": r["answer"], "answer": r["answer"]}) + "\n")
with open("math.jsonl", "w") as out:
    for _ in range(4):  # 20000 lines: long enough to time
        for line in open(f"{data}/math/math_test_5000.jsonl"):
            r = json.loads(line)
            out.write(json.dumps({"completion": r["solution"], "answer": r["solution"]}) + "\n")
PY

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for set in gsm8k math symbolic; do
  lines=$(wc -l < $set.jsonl)
  /usr/bin/time -f "%U %S %e" -o time.txt "$DSMATH" -q eval grade -i $set.jsonl -o $set.graded.jsonl -b "$([[ $set == symbolic ]] && echo math || echo $set)" > $set.summary.txt
  read -r user sys wall < time.txt
  awk -v n="$lines" -v u="$user" -v s="$sys" -v w="$wall" -v name="$set" \
    'BEGIN { printf "%-6s %6d lines  %.2f s CPU  %.2f s wall  %.0f lines/CPU-s\n", name, n, u + s, w, n / (u + s) }'
  head -n 1 $set.summary.txt
done
