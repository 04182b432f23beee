#!/usr/bin/env bash
# Installs what is missing (Debian packages, the reference Python environment), configures, builds
# and runs every test; ends with one line of passed/failed/skipped counts per tier.
# Usage: scripts/test.sh [ctest args...]   e.g. scripts/test.sh -L unit, scripts/test.sh -R '^train:'
# Environment: BUILD_DIR (default build), JOBS (default: all cores), DSMATH_CPU_ONLY=1 to skip CUDA.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/setup.sh

build_dir=${BUILD_DIR:-build}
mkdir -p "$build_dir"
# The reference environment (torch, transformers, ... for the parity tests) installs while the
# build compiles: the one is network-bound, the other CPU-bound.
scripts/setup_reference.sh > "$build_dir.reference.log" 2>&1 &
reference_pid=$!
jobs=${JOBS:-$(nproc)}
cmake_args=(-S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release)
# ccache lets the emulated-GPU builds below reuse this build's objects
command -v ccache > /dev/null && cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Pin nvcc so the build does not depend on PATH (a PATH without CUDA silently gives a CPU-only build).
if [[ "${DSMATH_CPU_ONLY:-0}" == 1 ]]; then
  cmake_args+=(-DDSMATH_CPU_ONLY=ON)
elif [[ -x /usr/local/cuda/bin/nvcc ]]; then
  cmake_args+=(-DCMAKE_CUDA_COMPILER=/usr/local/cuda/bin/nvcc)
fi

start=$(date +%s)
cmake "${cmake_args[@]}" > "$build_dir.configure.log" 2>&1 || { cat "$build_dir.configure.log"; exit 1; }
grep -E "^-- dsmath:" "$build_dir.configure.log" || true
ninja -C "$build_dir" -j "$jobs"
built=$(date +%s)
echo "build: $((built - start)) s"

wait "$reference_pid" || { cat "$build_dir.reference.log"; echo "error: the reference environment failed (above)" >&2; exit 1; }
tail -n 1 "$build_dir.reference.log"
export DSMATH_PYTHON=${DSMATH_PYTHON:-$(scripts/setup_reference.sh --python)}

# Tests run from a scratch directory so relative paths in them never touch the checkout.
# Tests run several processes at once on few cores: idle OpenMP threads must sleep, not spin.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
export TMPDIR=${TMPDIR_FOR_TESTS:-$(mktemp -d)}
status=0
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" --timeout 900 \
  --output-junit ctest-junit.xml "$@" || status=1
echo "tests: $(( $(date +%s) - built )) s"
scripts/ctest_summary.py "$build_dir/ctest-junit.xml" "$build_dir" "tests" || status=1

# The CUDA backend on the emulated GPU (label emu), plainly and under sanitizers. It needs the CUDA
# toolkit's headers (not a GPU, not nvcc); skipped only when a test selection was given or the
# build is CPU-only by request.
if (($# == 0)) && [[ "${DSMATH_CPU_ONLY:-0}" != 1 ]]; then
  if [[ -f /usr/local/cuda/include/cuda_runtime_api.h ]]; then
    scripts/test_emulated.sh || status=1
  else
    echo "error: the emulated GPU tier needs the CUDA toolkit's headers in /usr/local/cuda/include" >&2
    exit 1
  fi
fi
exit $status
