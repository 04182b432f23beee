#!/usr/bin/env bash
# Corpus-selection throughput (docs/benchmarks.md, "Corpus selection"): pages per CPU-second
# for classifier scoring (dsmath vs the fastText command line on the same model and text) and
# for MinHash dedup (dsmath vs datatrove's MinhashDedupSignature), on a generated corpus.
#
# usage: scripts/bench/select_bench.sh BUILD_DIR WORK_DIR [MBYTES]
# needs: the `fasttext` command (Debian package fasttext), and a Python with datatrove for
#   DATATROVE_PYTHON (default python3): pip install datatrove orjson regex tokenizers spacy
#   "xxhash<4" (datatrove 0.10.1 hashes str, which xxhash 4 refuses).
# Per-core rates divide pages by user+sys CPU seconds minus each tool's fixed cost (start-up,
# model loading), measured on a one-page input, so a busy shared machine does not skew them.
# DATATROVE_PAGES=N runs datatrove on the first N pages only (it is ~150x slower per core than
# dsmath; a per-page rate does not need the whole corpus). TWO_THREADS=0 skips the 2-thread runs.
set -euo pipefail
BUILD=${1:?build dir}; W=${2:?work dir}; MB=${3:-300}
DSMATH=$(cd "$BUILD" && pwd)/apps/dsmath/dsmath
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DT_PY=${DATATROVE_PYTHON:-python3}
mkdir -p "$W"; cd "$W"

[[ -f corpus.jsonl ]] || python3 "$HERE/select_make_corpus.py" . --mbytes "$MB" --train-pages 20000
head -n 1 corpus.jsonl > one.jsonl; head -n 1 corpus.txt > one.txt
PAGES=$(wc -l < corpus.jsonl); BYTES=$(stat -c %s corpus.jsonl)

# cpu_seconds CMD...: runs CMD, prints "user+sys wall"
cpu_seconds() { /usr/bin/time -f "%U %S %e" -o time.txt "$@" >> bench.log 2>&1; awk '{printf "%.2f %.2f\n", $1+$2, $3}' time.txt; }
rate() { awk -v p="$PAGES" -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", p / (a - b) }'; }

echo "corpus: $PAGES pages, $((BYTES / 1000000)) MB; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ ! -f model.bin ]]; then
  echo "training the classifier (paper settings: dim 256, lr 0.1, word n-grams 3, min count 3, 3 epochs) ..."
  "$DSMATH" data train-classifier --positives pos.jsonl --negatives neg.jsonl -o model.bin -j 2 2>> bench.log
fi

read -r ours_cpu ours_wall < <(cpu_seconds "$DSMATH" data score corpus.jsonl -m model.bin -o scored.jsonl -j 1)
read -r ours_base _ < <(cpu_seconds "$DSMATH" data score one.jsonl -m model.bin -o one_scored.jsonl -j 1)
read -r ft_cpu ft_wall < <(cpu_seconds sh -c "fasttext predict-prob model.bin corpus.txt 2 > ft_predictions.txt")
read -r ft_base _ < <(cpu_seconds sh -c "fasttext predict-prob model.bin one.txt 2 > /dev/null")
ours2_wall=skipped
[[ ${TWO_THREADS:-1} == 0 ]] || read -r _ ours2_wall < <(cpu_seconds "$DSMATH" data score corpus.jsonl -m model.bin -o scored2.jsonl -j 2)
python3 - <<'PY'
import json
ours = [json.loads(l)["math_score"] for l in open("scored.jsonl")]
ft = []
for line in open("ft_predictions.txt"):
    f = line.split()
    ft.append(dict(zip(f[0::2], map(float, f[1::2]))).get("__label__math", 0.0))
assert len(ours) == len(ft), (len(ours), len(ft))
print("scores: dsmath vs fasttext predict-prob, max |difference| over %d pages: %.2g" % (len(ours), max(abs(a - b) for a, b in zip(ours, ft))))
PY
echo "score, 1 thread:  dsmath $(rate "$ours_cpu" "$ours_base") pages/CPU-s (${ours_cpu}s CPU, ${ours_wall}s wall, fixed ${ours_base}s);" \
     "fasttext CLI $(rate "$ft_cpu" "$ft_base") pages/CPU-s (${ft_cpu}s CPU, ${ft_wall}s wall, fixed ${ft_base}s)"
[[ $ours2_wall == skipped ]] || echo "score, 2 threads: dsmath ${ours2_wall}s wall"

read -r dd_cpu dd_wall < <(cpu_seconds "$DSMATH" data dedup corpus.jsonl -o dedup.jsonl -j 1 --url-dedup false)
read -r dd_base _ < <(cpu_seconds "$DSMATH" data dedup one.jsonl -o one_dedup.jsonl -j 1 --url-dedup false)
dd2_wall=skipped
[[ ${TWO_THREADS:-1} == 0 ]] || read -r _ dd2_wall < <(cpu_seconds "$DSMATH" data dedup corpus.jsonl -o dedup2.jsonl -j 2 --url-dedup false)
rm -rf datatrove datatrove_one
DT_PAGES=${DATATROVE_PAGES:-$PAGES}
head -n "$DT_PAGES" corpus.jsonl > datatrove_input.jsonl
read -r dt_cpu dt_wall < <(cpu_seconds "$DT_PY" "$HERE/select_datatrove_minhash.py" "$W/datatrove_input.jsonl" "$W/datatrove")
read -r dt_base _ < <(cpu_seconds "$DT_PY" "$HERE/select_datatrove_minhash.py" "$W/one.jsonl" "$W/datatrove_one")
echo "MinHash, 1 thread: dsmath dedup (both passes, LSH clustering, output) $(rate "$dd_cpu" "$dd_base") pages/CPU-s" \
     "(${dd_cpu}s CPU, ${dd_wall}s wall); datatrove MinhashDedupSignature on the first $DT_PAGES pages" \
     "$(PAGES=$DT_PAGES; rate "$dt_cpu" "$dt_base") pages/CPU-s (${dt_cpu}s CPU, ${dt_wall}s wall, fixed ${dt_base}s)"
[[ $dd2_wall == skipped ]] || echo "MinHash, 2 threads: dsmath dedup ${dd2_wall}s wall"
grep -h "^dedup: kept .* -> dedup.jsonl" bench.log | tail -1 || true
