#!/usr/bin/env bash
# CPU decode throughput of the generation engine at several batch sizes (issue: generation
# benchmark, CPU part). usage: scripts/bench/generate_cpu.sh MODEL_DIR [THREADS]
# MODEL_DIR: any dsmath/HF model with a tokenizer, e.g. runs/quickstart/grpo after the quickstart.
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:?model directory}
threads=${2:-$(nproc)}
bin=${DSMATH:-build/apps/dsmath/dsmath}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 256); do echo "{\"prompt\": \"Q: Tom has $((i % 9 + 1)) apples and buys $((i % 7 + 2)) more. How many apples does he have?\nA:\"}"; done > "$work/prompts.jsonl"
printf '%-6s %-10s %s\n' batch sequences "tokens/s"
for batch in 1 16 64 256; do
  n=$((batch < 16 ? 16 : batch))
  head -n "$n" "$work/prompts.jsonl" > "$work/p.jsonl"
  line=$("$bin" generate -m "$model" -i "$work/p.jsonl" -o "$work/out.jsonl" --batch "$batch" --max-new-tokens 64 \
           --temperature 1.0 --device cpu --threads "$threads" 2>&1 | grep "generate:")
  printf '%-6s %-10s %s\n' "$batch" "$n" "$(echo "$line" | sed -n 's/.*(\([0-9.K]*\) tokens\/s).*/\1/p')"
done
