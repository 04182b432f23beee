#!/usr/bin/env bash
# The iterative corpus selection of DeepSeekMath (paper section 2.1, Figure 2), N rounds:
#   1. train the fastText classifier on the seed (positives) and random pool pages (negatives)
#   2. score every pool page
#   3. select the top pages (select.budget_* / select.threshold of the config)
#   4. dedup the selection (normalized URL, then MinHash LSH near-duplicates)
#   5. list the math-related domains (over 10% of their pages selected) with their URL paths
#   6. add the pool pages under the marked math paths to the seed for the next round
# and at the end decontaminate the last selection against the benchmarks: corpus.jsonl.
#
# usage: scripts/select_corpus.sh --seed SEED.jsonl --pool POOL.jsonl[.gz]|WET... --out DIR
#            [--rounds 4] [--config configs/data/deepseekmath.yaml] [--auto-mark FRACTION]
#            [--dsmath PATH] [--no-decontaminate] [-- extra arguments for every dsmath data command]
#
# Step 5 needs a person: the script writes DIR/round-R/marks.txt with every listed path
# prefix commented out and stops; uncomment the math paths and run the same command again
# (finished steps are skipped: each runs only when its output is missing). With
# --auto-mark F the prefixes with at least a fraction F of their pages selected are marked
# without asking, for unattended runs and tests. The paper ran 4 rounds. --no-decontaminate
# takes the last round's selection as the corpus unchanged (when the benchmark files are not
# at hand; say so wherever the corpus is used).
set -euo pipefail

rounds=4
config=configs/data/deepseekmath.yaml
auto_mark=""
decontaminate=1
dsmath=${DSMATH:-dsmath}
seed="" out=""
pool=()
extra=()
while (($#)); do
  case "$1" in
    --seed) seed=$2; shift 2 ;;
    --pool) shift; while (($#)) && [[ $1 != --* ]]; do pool+=("$1"); shift; done ;;
    --out) out=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --auto-mark) auto_mark=$2; shift 2 ;;
    --dsmath) dsmath=$2; shift 2 ;;
    --no-decontaminate) decontaminate=0; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "select_corpus.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -z $seed || -z $out || ${#pool[@]} -eq 0 ]]; then
  echo "select_corpus.sh: --seed, --pool and --out are required (see --help)" >&2; exit 2
fi
[[ -f $seed ]] || { echo "select_corpus.sh: seed file '$seed' does not exist" >&2; exit 2; }
[[ -f $config ]] || { echo "select_corpus.sh: config '$config' does not exist" >&2; exit 2; }

data() { "$dsmath" data "$@" -c "$config" "${extra[@]}"; }
mkdir -p "$out"
cp -n "$seed" "$out/seed-1.jsonl"

for ((r = 1; r <= rounds; r++)); do
  d=$out/round-$r
  mkdir -p "$d"
  echo "== round $r of $rounds"
  [[ -f $d/model.bin ]] || data train-classifier --positives "$out/seed-$r.jsonl" --negatives "${pool[@]}" -o "$d/model.bin"
  [[ -f $d/scored.jsonl ]] || data score "${pool[@]}" -m "$d/model.bin" -o "$d/scored.jsonl"
  [[ -f $d/selected.jsonl ]] || data select "$d/scored.jsonl" -o "$d/selected.jsonl"
  [[ -f $d/deduped.jsonl ]] || data dedup "$d/selected.jsonl" -o "$d/deduped.jsonl" --removed "$d/dedup-removed.jsonl"
  ((r < rounds)) || break  # the last round's selection is the corpus
  if [[ ! -f $d/marks.txt ]]; then
    data domains --seen "$d/scored.jsonl" --selected "$d/deduped.jsonl" -o "$d/domains.jsonl" --marks "$d/marks.txt" \
      ${auto_mark:+--auto-mark "$auto_mark"}
  fi
  if [[ ! -f $out/seed-$((r + 1)).jsonl ]]; then
    if ! grep -qv '^\s*\(#.*\)\?$' "$d/marks.txt"; then
      if [[ -n $auto_mark ]]; then
        echo "round $r: no path prefix reached the auto-mark fraction $auto_mark; the seed stays as it is"
        cp "$out/seed-$r.jsonl" "$out/seed-$((r + 1)).jsonl"
        continue
      fi
      echo "round $r: mark the math URL paths in $d/marks.txt (uncomment their lines), then run this command again"
      exit 0
    fi
    data expand-seed --seed "$out/seed-$r.jsonl" --pool "$d/scored.jsonl" --marks "$d/marks.txt" \
      -o "$out/seed-$((r + 1)).jsonl"
  fi
done

if ((decontaminate)); then
  [[ -f $out/corpus.jsonl ]] || data decontaminate "$out/round-$rounds/deduped.jsonl" -o "$out/corpus.jsonl" \
    --report "$out/decontamination-report.jsonl"
else
  echo "corpus: not decontaminated (--no-decontaminate)"
  [[ -f $out/corpus.jsonl ]] || cp "$out/round-$rounds/deduped.jsonl" "$out/corpus.jsonl"
fi
echo "corpus: $out/corpus.jsonl ($(wc -l < "$out/corpus.jsonl") pages)"
