#!/usr/bin/env bash
# The DeepSeekMath pipeline at real scale, driven by the paper's configs:
#   pretrain (configs/pretrain/deepseekmath-7b.yaml) -> eval base (GSM8K 8-shot, MATH 4-shot)
#   -> SFT (configs/sft/deepseekmath-instruct-7b.yaml) -> eval instruct (zero-shot)
#   -> reward model (configs/rm/deepseekmath-rm-7b.yaml) -> GRPO (configs/grpo/deepseekmath-rl-7b.yaml)
#   -> eval RL.
# Every stage is resumable and skipped once it has finished (RUN/<stage>/DONE), so the script
# can be resubmitted as often as the cluster requeues it. Training stages run under
# $LAUNCH (e.g. "srun" inside an sbatch allocation, or "mpirun -np 8"); evaluations run on one
# process. Corpus selection and tokenization come before this (docs/data.md, docs/tokenizer.md):
# the configs name their inputs (data/shards/..., data/sft/..., ...).
#
# usage: scripts/pipeline.sh [--runs DIR] [--stages pretrain,eval-base,sft,eval-sft,rm,grpo,eval-rl]
#                            [--dry-run] [-- extra arguments for every training command]
#   LAUNCH="srun --kill-on-bad-exit=1" scripts/pipeline.sh --runs /shared/runs/dsm
set -euo pipefail
cd "$(dirname "$0")/.."

runs=runs/deepseekmath
stages=pretrain,eval-base,sft,eval-sft,rm,grpo,eval-rl
dry=0
extra=()
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --stages) stages=$2; shift 2 ;;
    --dry-run) dry=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "pipeline: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
dsmath=${DSMATH:-build/apps/dsmath/dsmath}
read -r -a launch <<< "${LAUNCH:-}"

run() {
  echo "+ $*"
  ((dry)) || "$@"
}
wanted() { [[ ",$stages," == *",$1,"* ]]; }
# stage NAME command...: skipped when RUN/NAME/DONE exists; DONE is written after success
stage() {
  local name=$1
  shift
  wanted "$name" || return 0
  if [[ -f $runs/$name/DONE ]]; then
    echo "== $name: done ($runs/$name/DONE)"
    return 0
  fi
  echo "== $name"
  run "$@"
  ((dry)) || { mkdir -p "$runs/$name" && date -u +%FT%TZ > "$runs/$name/DONE"; }
}
train() { run_args=("${launch[@]}" "$dsmath" "$@" --resume "${extra[@]}"); stage "$name" "${run_args[@]}"; }

[[ $dry == 1 || -x $dsmath ]] || { echo "pipeline: no dsmath binary at '$dsmath' (build it, or set DSMATH)" >&2; exit 1; }
mkdir -p "$runs"

name=pretrain train pretrain -c configs/pretrain/deepseekmath-7b.yaml --run-dir "$runs/pretrain"
stage eval-base bash -c "'$dsmath' eval run -c configs/eval/gsm8k-8shot.yaml -m '$runs/pretrain' -o '$runs/eval-base/gsm8k' &&
                        '$dsmath' eval run -c configs/eval/math-4shot.yaml -m '$runs/pretrain' -o '$runs/eval-base/math'"
name=sft train sft -c configs/sft/deepseekmath-instruct-7b.yaml --run-dir "$runs/sft" --set "init.from=$runs/pretrain"
stage eval-sft bash -c "'$dsmath' eval run -c configs/eval/gsm8k-instruct.yaml -m '$runs/sft' -o '$runs/eval-sft/gsm8k' &&
                       '$dsmath' eval run -c configs/eval/math-instruct.yaml -m '$runs/sft' -o '$runs/eval-sft/math'"
name=rm train rm train -c configs/rm/deepseekmath-rm-7b.yaml --run-dir "$runs/rm" --set "init.from=$runs/pretrain"
grpo_reward=(--set "rewards=[{kind: model, model: $runs/rm, model_kind: outcome}]")
wanted rm || grpo_reward=(--set "rewards=[{kind: rule}]")
name=grpo train grpo -c configs/grpo/deepseekmath-rl-7b.yaml --run-dir "$runs/grpo" --set "init.from=$runs/sft" "${grpo_reward[@]}"
stage eval-rl bash -c "'$dsmath' eval run -c configs/eval/gsm8k-instruct.yaml -m '$runs/grpo' -o '$runs/eval-rl/gsm8k' &&
                      '$dsmath' eval run -c configs/eval/math-instruct.yaml -m '$runs/grpo' -o '$runs/eval-rl/math'"
if ((!dry)) && wanted eval-rl; then
  "$dsmath" eval compare "$runs/eval-sft/math" "$runs/eval-rl/math" || true
fi
