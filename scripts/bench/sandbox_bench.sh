#!/usr/bin/env bash
# Programs per second of the sandbox (docs/benchmarks.md, "Sandbox: model-written programs"):
# N trivial PAL programs (def solution(): return a * b) and N that import sympy, graded with
# `dsmath eval grade --execute` (bubblewrap, one sandbox per program, 2 at once on 2 cores),
# next to a DeepSeek-style executor (exec() in a pool worker, no isolation) on the same files.
#
# usage: scripts/bench/sandbox_bench.sh BUILD_DIR WORK_DIR [N]
set -euo pipefail
BUILD=${1:?build dir}; W=${2:?work dir}; N=${3:-400}
DSMATH=$(cd "$BUILD" && pwd)/apps/dsmath/dsmath
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3  # Debian's, with python3-sympy (scripts/setup.sh)
mkdir -p "$W"; cd "$W"

"$PY" - "$N" <<'PYGEN'
import json, sys
n = int(sys.argv[1])
with open("trivial.jsonl", "w") as out:
    for i in range(n):
        out.write(json.dumps({"completion": f"def solution():\n    a = {i}\n    return a * 3\n", "answer": str(3 * i)}) + "\n")
with open("sympy.jsonl", "w") as out:
    for i in range(n // 8):
        code = f"from sympy import Rational\ndef solution():\n    return Rational({i}, 1) * 3\n"
        out.write(json.dumps({"completion": code, "answer": str(3 * i)}) + "\n")
PYGEN

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# Wall time depends on how busy the machine is; CPU seconds (user + sys of the whole process
# tree: bwrap, Python, the workers) much less, so both are reported.
printf "%-8s %-26s %8s %8s %10s %8s %12s %8s\n" set executor programs wall_s programs/s cpu_s prog/cpu-s correct
report() {  # set executor programs correct
  read -r wall user sys < time.txt
  awk -v n="$3" -v w="$wall" -v u="$user" -v s="$sys" -v c="$4" -v set="$1" -v ex="$2" \
    'BEGIN { printf "%-8s %-26s %8d %8.2f %10.1f %8.2f %12.1f %8s\n", set, ex, n, w, n / w, u + s, n / (u + s), c }'
}
for set in trivial sympy; do
  n=$(wc -l < $set.jsonl)
  /usr/bin/time -f "%e %U %S" -o time.txt \
    "$DSMATH" -q eval grade --execute --benchmark gsm8k --parallel 2 -i $set.jsonl -o $set.graded.jsonl > $set.summary.txt
  report $set "dsmath sandbox (bwrap)" "$n" "$(grep -o '([0-9]*/' $set.summary.txt | head -1 | tr -d '(/')"
  /usr/bin/time -f "%e %U %S" -o time.txt "$PY" "$HERE/sandbox_deepseek_executor.py" $set.jsonl 2 > ds.txt
  report $set "DeepSeek-style exec() pool" "$n" "$(cut -d' ' -f4 ds.txt)"
done
# The fixed cost of one `eval grade --execute` (start, the sympy/numpy import check, one program).
head -1 trivial.jsonl > one.jsonl
start=$(date +%s.%N)
"$DSMATH" -q eval grade --execute --benchmark gsm8k -i one.jsonl -o one.graded.jsonl > /dev/null
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "fixed cost of one run (1 program): %.2f s\n", e - s }'
