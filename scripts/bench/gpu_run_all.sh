#!/usr/bin/env bash
# Everything the CUDA backend needs from a lent GPU, in one device call: build (16 cores),
# the GPU test tier, the training benchmarks beside PyTorch, the per-kernel table, and a short
# summary table at the end. Logs and JSON results go to OUTDIR (the device tool's $OUT).
#
# From this checkout, once: package the Debian dependencies the GPU image lacks
#   echo /.devdeps/ >> .git/info/exclude
#   mkdir -p .devdeps && ../shared/device/make-devdeps.sh /tmp/devdeps && tar -C /tmp -czf .devdeps/devdeps.tgz devdeps
# then one device run (carry: [".devdeps"], timeout_s 600):
#   bash scripts/bench/gpu_run_all.sh
# Stages, comma-separated: gpu_run_all.sh [all|build,test|bench|...] (bench and test need a
# build in $BUILD). On a fresh machine "all" takes about 10 minutes; to stay inside one
# command's limit, run "build,test" and then "bench" (the build directory stays on a warm machine).
set -uo pipefail
cd "$(dirname "$0")/../.."
STAGES=${1:-all}
OUT=${OUT:-/tmp/dsmath-gpu-out}
BUILD=${BUILD:-build-gpu}
mkdir -p "$OUT"
t_start=$(date +%s)
stage() { [ "$STAGES" = all ] || [[ ",$STAGES," == *",$1,"* ]]; }
stamp() { echo "[$(( $(date +%s) - t_start )) s] $*" | tee -a "$OUT/driver.log"; }

# --- environment -----------------------------------------------------------------------------
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv > "$OUT/gpu.csv" 2>&1
stamp "GPU: $(tail -1 "$OUT/gpu.csv")"
glibc=$(ldd --version | head -1 | grep -oE '[0-9]+\.[0-9]+$')
# the carried OpenMPI needs glibc >= 2.36 (shared/TOOLCHAIN.md 5); one GPU needs no MPI anyway
mpi=OFF
if [ "$(printf '%s\n2.36\n' "$glibc" | sort -V | head -1)" = "2.36" ]; then mpi=ON; fi
stamp "glibc $glibc -> DSMATH_WITH_MPI=$mpi; nvcc $(/usr/local/cuda/bin/nvcc --version | grep -oE 'release [0-9.]+')"
if [ ! -f /usr/local/cuda/include/nccl.h ]; then
  NCCL_HOME=$(python3 -c 'import nvidia.nccl, os; print(list(nvidia.nccl.__path__)[0])' 2>/dev/null || true)
  export NCCL_HOME
  stamp "no nccl.h under /usr/local/cuda; NCCL_HOME=$NCCL_HOME"
fi
DEVDEPS=/tmp/dd/devdeps/env.sh
if [ ! -f "$DEVDEPS" ]; then
  if [ -f .devdeps/devdeps.tgz ]; then
    mkdir -p /tmp/dd && tar -C /tmp/dd -xzf .devdeps/devdeps.tgz
  else
    stamp "no .devdeps/devdeps.tgz: relying on the image's own packages"
  fi
fi
# Debian's libraries only for the build and the tests (a subshell): PyTorch must not see them
with_deps() { ( [ -f "$DEVDEPS" ] && . "$DEVDEPS"; "$@" ); }

# --- build -----------------------------------------------------------------------------------
if stage build; then
  stamp "configure"
  with_deps cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc -DDSMATH_WITH_MPI=$mpi \
    -DCMAKE_POLICY_VERSION_MINIMUM=3.5 > "$OUT/configure.log" 2>&1 \
    || { stamp "configure FAILED"; tail -30 "$OUT/configure.log"; exit 1; }
  # (CMAKE_POLICY_VERSION_MINIMUM: the image's pip CMake may be 4.x, and Debian's carried
  # package configs declare old policy ranges; CMake 3.25 ignores the variable)
  grep "dsmath:" "$OUT/configure.log" | tee -a "$OUT/driver.log"
  stamp "build"
  with_deps ninja -C "$BUILD" -j16 dsmath test_gpu test_cuda_host test_backend test_optim gpu_bench > "$OUT/build.log" 2>&1 \
    || { stamp "build FAILED"; grep -E "error|FAILED" "$OUT/build.log" | head -40; exit 1; }
  stamp "built"
fi

# --- tests -----------------------------------------------------------------------------------
if stage test; then
  stamp "ctest -L gpu"
  with_deps timeout 400 ctest --test-dir "$BUILD" -L gpu --output-on-failure --timeout 300 > "$OUT/ctest-gpu.log" 2>&1
  stamp "gpu tests: $(grep -E 'tests passed' "$OUT/ctest-gpu.log")"
  grep -E "\(Failed\)|\(Timeout\)|\(SEGFAULT\)|Exception" "$OUT/ctest-gpu.log" | head -20
  with_deps timeout 120 ctest --test-dir "$BUILD" -R '^(cuda_host|backend|optim):' > "$OUT/ctest-host.log" 2>&1
  stamp "host tests: $(grep -E 'tests passed' "$OUT/ctest-host.log")"
fi

# --- benchmarks ------------------------------------------------------------------------------
if stage bench; then
  bench() {  # name, extra gpu_bench args...
    local name=$1; shift
    stamp "gpu_bench $name $*"
    with_deps timeout 300 "$BUILD/tests/gpu/bench/gpu_bench" --json "$OUT/dsmath-$name.json" "$@" \
      > "$OUT/bench-$name.log" 2>&1 || stamp "gpu_bench $name FAILED: $(tail -3 "$OUT/bench-$name.log")"
  }
  torch_ref() {  # name, extra args...
    local name=$1; shift
    local fpt; fpt=$(python3 -c "import json; print(json.load(open('$OUT/dsmath-$name.json'))['flops_per_token'])" 2>/dev/null || echo 0)
    local peak; peak=$(python3 -c "import json; print(json.load(open('$OUT/dsmath-$name.json'))['peak_tflops'])" 2>/dev/null || echo 989)
    stamp "pytorch $name $*"
    PYTHONUNBUFFERED=1 timeout 270 python3 scripts/bench/gpu_torch_llama.py --json "$OUT/torch-$name.json" \
      --flops-per-token "$fpt" --peak-tflops "$peak" --compile "$@" > "$OUT/torch-$name.log" 2>&1 \
      || stamp "pytorch $name FAILED: $(tail -3 "$OUT/torch-$name.log")"
  }
  # the paper's 1.3B ablation shape at its context (4096), and 4 layers of the 7B shape
  bench 1.3b --model configs/model/deepseek-1.3b.yaml --seq 4096 --batch 2 --steps 10 --warmup 3 \
    --kernels "$OUT/kernels-1.3b.tsv"
  bench 7b-layers --model configs/model/deepseek-math-7b.yaml --layers 4 --seq 4096 --batch 2 --steps 10 --warmup 3
  torch_ref 1.3b --model configs/model/deepseek-1.3b.yaml --seq 4096 --batch 2 --steps 10 --warmup 3
  torch_ref 7b-layers --model configs/model/deepseek-math-7b.yaml --layers 4 --seq 4096 --batch 2 --steps 10 --warmup 3
fi

stamp "done"
python3 scripts/bench/gpu_report.py "$OUT"
