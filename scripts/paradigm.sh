#!/usr/bin/env bash
# The unified paradigm of DeepSeekMath section 5.2 (Table 10, Figures 5-7) on the quickstart's
# world: from the same SFT model and with the same number of sampled outputs, RFT, Online RFT,
# DPO, PPO, GRPO with outcome supervision (the rule reward) and GRPO with process supervision (a
# process reward model trained on Math-Shepherd step labels that the SFT model makes with
# `dsmath rm label`; that labelling samples outside the budget, as the paper's PRM data does),
# each evaluated on the held-out problems: pass@1, maj@K and pass@K. The paper's ordering:
# GRPO+PS >= GRPO+OS > Online RFT > RFT, and RL raises maj@K more than pass@K. With --steps 100
# from the full quickstart: about an hour on 2 CPU cores (docs/rl.md has the measured table).
#
# usage: scripts/paradigm.sh [--out DIR] [--steps N] [--threads N]
#   --out DIR   a finished quickstart run directory (default runs/quickstart): its sft/ and
#               data/ are the start; results go to DIR/paradigm
#   --steps N   GRPO and Online RFT steps (default 40); RFT and DPO sample as many outputs
set -euo pipefail
cd "$(dirname "$0")/.."
out=runs/quickstart steps=40 threads=0
while (($#)); do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "paradigm: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
dsmath=${DSMATH:-build/apps/dsmath/dsmath}
[[ -x $dsmath ]] || { echo "paradigm: no dsmath binary at '$dsmath'" >&2; exit 1; }
[[ -e $out/sft/checkpoints/latest ]] || { echo "paradigm: run scripts/quickstart.sh --out $out first" >&2; exit 1; }
R=$out/paradigm
mkdir -p "$R"
run=(--device cpu)
((threads > 0)) && run+=(--threads "$threads")
K=8
questions=$(wc -l < "$out/data/rl.jsonl")
# GRPO's budget: steps x questions_per_step x group_size (configs/quickstart/grpo.yaml)
qps=$(sed -n 's/.*questions_per_step: \([0-9]*\).*/\1/p' configs/quickstart/grpo.yaml)
G=$(sed -n 's/.*group_size: \([0-9]*\).*/\1/p' configs/quickstart/grpo.yaml)
budget=$((steps * qps * G))
k=$(((budget + questions - 1) / questions))
echo "paradigm: $budget sampled outputs per method (GRPO $steps steps x $qps x $G; RFT/DPO k = $k on $questions questions)"
common=(--set "init.from=$out/sft" --set "data.train=[$out/data/rl.jsonl]")

evaluate() {  # evaluate NAME MODEL_DIR: held-out pass@1, maj@K, pass@K with K samples
  [[ -e $R/eval/$1/summary.json ]] && return
  "$dsmath" eval run -c configs/quickstart/eval-instruct.yaml -m "$2" -o "$R/eval/$1" --batch 128 "${run[@]}" \
    --set "data=$out/data/heldout.jsonl" --set "n_samples=$K" --set "pass_k=[1,$K]" --set "maj_k=[$K]"
}
method() {  # method NAME command...
  local name=$1
  shift
  if [[ ! -e $R/$name/checkpoints/latest ]]; then echo "== $name"; "$@" --run-dir "$R/$name" --resume "${run[@]}"; fi
  evaluate "$name" "$R/$name"
}
evaluate sft "$out/sft"
method grpo "$dsmath" grpo -c configs/quickstart/grpo.yaml "${common[@]}" --set "train.max_steps=$steps"
method online_rft "$dsmath" grpo -c configs/quickstart/grpo.yaml "${common[@]}" --set "train.max_steps=$steps" \
  --set "algorithm.advantage=online_rft"
method rft "$dsmath" rft -c configs/quickstart/rft.yaml "${common[@]}" --set "samples.samples_per_question=$k"
method dpo "$dsmath" dpo -c configs/quickstart/dpo.yaml "${common[@]}" --set "samples.samples_per_question=$k"
# PPO with GRPO's budget: questions_per_step x group_size outputs per step, as many steps
method ppo "$dsmath" ppo -c configs/quickstart/ppo.yaml "${common[@]}" --set "train.max_steps=$steps" \
  --set "rollout.questions_per_step=$((qps * G))" --set "rollout.group_size=1"

# GRPO+PS: Math-Shepherd labels from the SFT model (2 solutions per question, each step completed
# 4 times), a process reward model on them, then GRPO with the process advantage
if [[ ! -e $R/grpo_ps/checkpoints/latest ]]; then
  mkdir -p "$R/prm"
  [[ -e $R/prm/steps.jsonl ]] || "$dsmath" rm label -m "$out/sft" -i "$out/data/rl.jsonl" -o "$R/prm/steps.jsonl" \
    --solutions 2 --completions 4 --step-separator '. ' --max-new-tokens 128 --batch 128 "${run[@]}"
  [[ -e $R/prm/checkpoints/latest ]] || "$dsmath" rm train -c configs/quickstart/prm.yaml --run-dir "$R/prm" --resume \
    --set "init.from=$out/sft" --set "data.train=[$R/prm/steps.jsonl]" "${run[@]}"
fi
ps=(--set algorithm.advantage=process --set "rewards=[{kind: model, model: $R/prm, model_kind: process}]")
method grpo_ps "$dsmath" grpo -c configs/quickstart/grpo.yaml "${common[@]}" --set "train.max_steps=$steps" "${ps[@]}"
# iterative GRPO+PS (Algorithm 1): every 10 steps the reference becomes the policy and the PRM
# learns Math-Shepherd labels of 128 of the iteration's outputs, made by the current policy
method grpo_ps_iter "$dsmath" grpo -c configs/quickstart/grpo.yaml "${common[@]}" --set "train.max_steps=$steps" "${ps[@]}" \
  --set iterative.every_steps=10 --set iterative.reward_model_steps=10 --set iterative.reward_model_optim.lr_peak=5e-4 \
  --set iterative.process_label_solutions=128

metric() { sed -n "s/.*\"$2\": \([-0-9.e]*\).*/\1/p" "$1/summary.json" | head -1; }
printf '\n%-11s %9s %9s %9s\n' method pass@1 "maj@$K" "pass@$K"
: > "$R/results.jsonl"
for m in sft rft online_rft dpo ppo grpo grpo_ps grpo_ps_iter; do
  d=$R/eval/$m
  [[ -e $d/summary.json ]] || continue
  p1=$(metric "$d" pass@1) mj=$(metric "$d" "maj@$K") pk=$(metric "$d" "pass@$K")
  awk -v m="$m" -v a="$p1" -v b="$mj" -v c="$pk" 'BEGIN { printf "%-11s %8.1f%% %8.1f%% %8.1f%%\n", m, 100*a, 100*b, 100*c }'
  for x in "pass@1 $p1" "maj@$K $mj" "pass@$K $pk"; do
    set -- $x
    printf '{"stage": "%s", "metric": "%s", "value": %s}\n' "$m" "$1" "$2" >> "$R/results.jsonl"
  done
done
"$dsmath" plot --bars "$R/results.jsonl" -o "$R/paradigm.png" --title "held-out accuracy by method" > /dev/null
echo "plot: $R/paradigm.png"
