#!/usr/bin/env bash
# CPU training throughput: dsmath vs PyTorch eager on the same LLaMA shape, batch, sequence
# length, optimizer and thread count, in one run (issue: foundation benchmark).
#   shape: configs/model/small.yaml (vocab 4096, dim 256, 4 layers, 4 heads, ffn 688), seq 256,
#   batch 8 sequences, AdamW, grad clip 1.0; random tokens.
# Also measures OpenBLAS's own sgemm rate on this machine for the matmul-bound reference.
# usage: scripts/bench/pretrain_cpu.sh [THREADS] [STEPS]   (needs: pip install torch transformers numpy xxhash)
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=${1:-$(nproc)}
steps=${2:-20}
bin=${DSMATH:-build/apps/dsmath/dsmath}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 scripts/bench/write_random_shard.py "$work/train.bin" --tokens 2000000 --vocab 4096

echo "== dsmath ($threads threads)"
"$bin" pretrain --config /dev/null --set stage=pretrain --set model=configs/model/small.yaml \
  --set "data.sources=[{name: random, paths: [$work/train.bin]}]" --set data.seq_len=256 \
  --set train.micro_batch_size=8 --set train.global_batch_size=8 --set "train.max_steps=$((steps + 3))" \
  --set train.log_every=1000 --set checkpoint.every_steps=0 --set optim.lr_peak=3e-4 \
  --set runtime.device=cpu --set "runtime.threads=$threads" --run-dir "$work/run" > "$work/dsmath.out" 2> "$work/dsmath.err"
python3 - "$work/run/metrics.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])][3:]  # skip warmup steps
t = sum(l["step_time_s"] for l in lines)
tok = sum(8 * 256 for _ in lines)
print(json.dumps({"impl": "dsmath", "tokens_per_s": tok / t, "step_time_s": t / len(lines),
                  "mfu_estimate": sum(l["mfu"] for l in lines) / len(lines)}))
PY

echo "== PyTorch eager ($threads threads)"
python3 scripts/bench/pretrain_cpu_torch.py --vocab 4096 --dim 256 --layers 4 --heads 4 --kv-heads 4 --ffn 688 \
  --seq 256 --batch 8 --threads "$threads" --steps "$steps"

echo "== OpenBLAS sgemm (2048 x 2048 x 256, the shape of the largest training GEMMs here)"
python3 - "$threads" <<'PY'
import ctypes, ctypes.util, json, sys, time
import numpy as np
threads = int(sys.argv[1])
lib = ctypes.CDLL("libopenblas.so.0")
lib.openblas_set_num_threads(threads)
m, n, k = 2048, 2048, 256
a = np.random.rand(m, k).astype(np.float32); b = np.random.rand(k, n).astype(np.float32); c = np.zeros((m, n), np.float32)
f = lib.cblas_sgemm
args = (101, 111, 111, m, n, k, ctypes.c_float(1.0), a.ctypes.data_as(ctypes.c_void_p), k,
        b.ctypes.data_as(ctypes.c_void_p), n, ctypes.c_float(0.0), c.ctypes.data_as(ctypes.c_void_p), n)
for _ in range(3): f(*args)
t0 = time.perf_counter(); reps = 20
for _ in range(reps): f(*args)
dt = (time.perf_counter() - t0) / reps
print(json.dumps({"impl": "openblas-sgemm", "gflops": 2 * m * n * k / dt / 1e9}))
PY
