#!/usr/bin/env bash
# The whole DeepSeekMath pipeline on a small generated math world, end to end:
#   generate a crawl and word problems -> select the math pages (fastText classifier, dedup,
#   math domains) -> train a tokenizer -> tokenize -> pretrain a 1M-parameter model -> SFT ->
#   GRPO with the rule reward, evaluating on held-out problems after pretraining, SFT and GRPO.
# It prints a table of accuracy (pass@1, maj@8) and time per stage, and draws the training
# curves and the accuracy per stage (RUN/plots/*.png). On 2 CPU cores its stages take about 13.5
# minutes (805 s measured 2026-12-03), plus the build; with a GPU the stages run there with a bigger model (not yet run on one).
#
# usage: scripts/quickstart.sh [--out DIR] [--reduced] [--fresh] [--device auto|cpu|cuda]
#                              [--threads N] [--seed N] [--no-build]
#   --out DIR    run directory (default runs/quickstart); stages whose outputs exist are skipped,
#                so an interrupted quickstart continues where it stopped
#   --reduced    fewer steps and problems (7-8 minutes of stages on 2 cores; the CI test)
#   --fresh      remove the run directory first
#   --seed N     another world and other training seeds (default: world 1, the configs' seeds):
#                how much the result depends on the draw
#   --no-build   use the dsmath binary in $DSMATH or build/apps/dsmath/dsmath as it is
set -euo pipefail
cd "$(dirname "$0")/.."

out=runs/quickstart
reduced=0 fresh=0 build=1 device=auto threads=0 seed=
while (($#)); do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --reduced) reduced=1; shift ;;
    --fresh) fresh=1; shift ;;
    --device) device=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "quickstart: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

dsmath=${DSMATH:-build/apps/dsmath/dsmath}
if ((build)); then
  scripts/setup.sh
  args=(-S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release)
  [[ -x /usr/local/cuda/bin/nvcc ]] && args+=(-DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc)
  cmake "${args[@]}" > build.configure.log 2>&1 || { cat build.configure.log; exit 1; }
  ninja -C build dsmath
  dsmath=build/apps/dsmath/dsmath
fi
[[ -x $dsmath ]] || { echo "quickstart: no dsmath binary at '$dsmath' (drop --no-build or set DSMATH)" >&2; exit 1; }

((fresh)) && rm -rf "$out"
mkdir -p "$out"
R=$out
times=$R/times.tsv
: > "$times.new"

# stage NAME DONE_FILE command...: runs the command unless DONE_FILE exists; records the time
stage() {
  local name=$1 done_file=$2
  shift 2
  if [[ -e $done_file ]]; then
    echo "== $name: done already ($done_file)"
    grep -P "^$name\t" "$times" >> "$times.new" 2>/dev/null || printf '%s\t0\n' "$name" >> "$times.new"
    return
  fi
  echo "== $name"
  local t0=$SECONDS
  "$@"
  printf '%s\t%d\n' "$name" $((SECONDS - t0)) >> "$times.new"
}

run=(--device "$device")
((threads > 0)) && run+=(--threads "$threads")
world_seed=${seed:-1} seeds=()
[[ -n $seed ]] && seeds=(--set "train.seed=$seed")
if ((reduced)); then
  problems=sft=2000,rl=500,heldout=400 pretrain_steps=150 sft_steps=300 grpo_steps=40 samples=8
else
  problems=sft=4000,rl=1000,heldout=300 pretrain_steps=300 sft_steps=300 grpo_steps=100 samples=8
fi
# With a GPU (and a CUDA build) the same stages train a bigger model (about 25M parameters),
# longer, with larger GRPO groups.
model=() grpo_scale=()
if [[ $device != cpu ]] && command -v nvidia-smi > /dev/null && nvidia-smi -L 2> /dev/null | grep -q GPU; then
  echo "quickstart: GPU found: a bigger model and more steps"
  model=(--set "model.dim=512" --set "model.n_layers=8" --set "model.n_heads=8" --set "model.n_kv_heads=4"
         --set "model.ffn_dim=1376" --set "train.micro_batch_size=32" --set "train.global_batch_size=32")
  grpo_scale=(--set "rollout.questions_per_step=16" --set "rollout.group_size=16" --set "train.micro_batch_size=64")
  ((reduced)) || { pretrain_steps=1000 sft_steps=600 grpo_steps=200; }
fi
shared=${DSMATH_SHARED_DATA:-../shared/data}

# 1. a crawl, seed pages and word problems (an easy world: numbers below 10, up to 2 steps)
stage data "$R/data/heldout.jsonl" "$dsmath" data synth -o "$R/data" --seed "$world_seed" --problems "$problems" \
  --max-number 9 --max-factor 3 --max-steps 2 --max-answer 99

# 2. corpus selection (paper section 2.1): 2 rounds, math paths marked automatically
select_args=(--seed "$R/data/seed_math.jsonl" --pool "$R/data/web.jsonl" --out "$R/select" --rounds 2
             --config configs/data/tiny.yaml --auto-mark 0.5 --dsmath "$dsmath")
if [[ ! -d $shared ]]; then
  echo "quickstart: $shared not found: the selected corpus is not decontaminated against GSM8K/MATH"
  select_args+=(--no-decontaminate)
fi
stage select "$R/select/corpus.jsonl" scripts/select_corpus.sh "${select_args[@]}" -- --set "decontamination.benchmark_dir=$shared"

# 3-4. tokenizer and shards
stage tokenizer "$R/tokenizer/tokenizer.json" "$dsmath" tokenizer train -i "$R/select/corpus.jsonl" \
  -i "$R/data/pretrain_extra.jsonl" --vocab-size 1024 -o "$R/tokenizer/tokenizer.json"
tokenize_all() {
  "$dsmath" tokenize -t "$R/tokenizer" -i "$R/select/corpus.jsonl" -o "$R/shards/math" --overwrite
  "$dsmath" tokenize -t "$R/tokenizer" -i "$R/data/pretrain_extra.jsonl" -o "$R/shards/general" --overwrite
}
stage tokenize "$R/shards/general/tokenize.json" tokenize_all

paths=(--set "data.sources.0.paths=[$R/shards/math]" --set "data.sources.1.paths=[$R/shards/general]"
       --set "tokenizer=$R/tokenizer/tokenizer.json")
eval_run() {  # eval_run NAME MODEL CONFIG PROMPT_SETS...
  local name=$1 model=$2 config=$3
  shift 3
  "$dsmath" eval run -c "$config" -m "$model" -o "$R/eval/$name" --batch 128 "${run[@]}" \
    --set "data=$R/data/heldout.jsonl" --set "n_samples=$samples" --set "pass_k=[1,$samples]" --set "maj_k=[$samples]" "$@"
}

# 5-6. pretraining, then the base model few-shot
stage pretrain "$R/pretrain/checkpoints/latest" "$dsmath" pretrain -c configs/quickstart/pretrain.yaml \
  --run-dir "$R/pretrain" --resume --set "train.max_steps=$pretrain_steps" "${paths[@]}" "${model[@]}" "${run[@]}" \
  "${seeds[@]}" ${seed:+--set "init.seed=$seed"}
stage eval-pretrain "$R/eval/pretrain/summary.json" eval_run pretrain "$R/pretrain" configs/quickstart/eval-base.yaml \
  --set "prompt.few_shot_file=$R/data/prompts.json"

# 7-8. SFT, then zero-shot in the chat format
stage sft "$R/sft/checkpoints/latest" "$dsmath" sft -c configs/quickstart/sft.yaml --run-dir "$R/sft" --resume \
  --set "init.from=$R/pretrain" --set "data.train=[$R/data/sft.jsonl]" --set "train.max_steps=$sft_steps" "${run[@]}" "${seeds[@]}"
stage eval-sft "$R/eval/sft/summary.json" eval_run sft "$R/sft" configs/quickstart/eval-instruct.yaml

# 9-10. GRPO with the rule reward, then the same evaluation
stage grpo "$R/grpo/checkpoints/latest" "$dsmath" grpo -c configs/quickstart/grpo.yaml --run-dir "$R/grpo" --resume \
  --set "init.from=$R/sft" --set "data.train=[$R/data/rl.jsonl]" --set "train.max_steps=$grpo_steps" "${grpo_scale[@]}" "${run[@]}" "${seeds[@]}"
stage eval-grpo "$R/eval/grpo/summary.json" eval_run grpo "$R/grpo" configs/quickstart/eval-instruct.yaml
mv "$times.new" "$times"

# 11. the table, the charts
metric() { sed -n "s/.*\"$2\": \([-0-9.e]*\).*/\1/p" "$R/eval/$1/summary.json" | head -1; }
: > "$R/results.jsonl"
printf '\n%-10s %10s %10s %10s\n' stage pass@1 "maj@$samples" "pass@$samples"
for s in pretrain sft grpo; do
  p1=$(metric "$s" 'pass@1') mj=$(metric "$s" "maj@$samples") pk=$(metric "$s" "pass@$samples")
  awk -v s="$s" -v a="$p1" -v b="$mj" -v c="$pk" 'BEGIN { printf "%-10s %9.1f%% %9.1f%% %9.1f%%\n", s, 100*a, 100*b, 100*c }'
  printf '{"stage": "%s", "metric": "pass@1", "value": %s}\n{"stage": "%s", "metric": "maj@%s", "value": %s}\n' \
    "$s" "$p1" "$s" "$samples" "$mj" >> "$R/results.jsonl"
done
echo
awk -F'\t' '{ printf "%-14s %5d s\n", $1, $2; total += $2 } END { printf "%-14s %5d s\n", "total", total }' "$times"
"$dsmath" plot "$R/pretrain" "$R/sft" -o "$R/plots" -m loss,lr,grad_norm,tokens_per_s > /dev/null
"$dsmath" plot "$R/grpo" -o "$R/plots/grpo" -m reward_mean,accuracy,kl,entropy,completion_length_mean > /dev/null
"$dsmath" plot --bars "$R/results.jsonl" -o "$R/plots/accuracy.png" --title "held-out accuracy by stage" > /dev/null
echo "plots: $R/plots; per-sample results: $R/eval/*/samples.jsonl"
p=$(metric pretrain 'pass@1') s=$(metric sft 'pass@1') g=$(metric grpo 'pass@1')
# the claim the quickstart makes, with a non-zero exit (3) when it does not hold: SFT and GRPO
# each raise held-out pass@1 over pretraining, and (full run) GRPO raises it over SFT. The
# reduced run's 40 GRPO steps measured +4.9, +4.8, +0.2, +2.1, +8.2 and +3.2 points over SFT with
# --seed 1-6 (400 held-out problems x 8, docs/rl.md): a gain too small to require, so GRPO only must
# not lose more than 3 points (the old settings lost 5) and a smaller gain is reported.
if awk -v p="$p" -v s="$s" -v g="$g" 'BEGIN { exit !(p < s && s < g) }'; then
  echo "held-out pass@1 rose stage over stage: pretrain < SFT < GRPO"
elif ((reduced)) && awk -v p="$p" -v s="$s" -v g="$g" 'BEGIN { exit !(p < s && p < g && g > s - 0.03) }'; then
  echo "warning: held-out pass@1 rose over pretraining, but GRPO did not beat SFT (SFT $s, GRPO $g) in the reduced run"
else
  echo "quickstart: held-out pass@1 did not rise at every stage (pretrain $p, SFT $s, GRPO $g)" >&2
  exit 3
fi
