#!/usr/bin/env bash
# The emulated GPU tier (docs/cuda.md, "The emulated GPU"): the CUDA backend's kernels, GEMMs,
# collectives and stages on the emulated GPU, against the CPU twins, in three builds of the same
# sources: plain, AddressSanitizer + UndefinedBehaviorSanitizer, and ThreadSanitizer. Only the
# emulated CUDA library and the GPU tier's binaries differ from a normal build: with ccache (as
# scripts/test.sh sets it up) the rest comes from the cache.
# Usage: scripts/test_emulated.sh [plain] [asan] [tsan]   (default: all three)
# Environment: JOBS (default: all cores), EMU_BUILD_PREFIX (default build-emu).
set -euo pipefail
cd "$(dirname "$0")/.."

variants=("$@")
((${#variants[@]} == 0)) && variants=(plain asan tsan)
jobs=${JOBS:-$(nproc)}
prefix=${EMU_BUILD_PREFIX:-build-emu}
launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# Tests run from a scratch directory; idle OpenMP threads sleep (several processes share few cores).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
export TMPDIR=${TMPDIR_FOR_TESTS:-$(mktemp -d)}

status=0
for variant in "${variants[@]}"; do
  dir=$prefix
  sanitize=()
  ctest_args=(-L emu)
  case $variant in
    plain) ;;
    asan)
      dir=$prefix-asan
      sanitize=(-DDSMATH_SANITIZE=address,undefined)
      # every finding fails the test that made it; leaks too. addr2line symbolizes the reports:
      # GCC 12's built-in symbolizer can deadlock in its own readlink while reporting a leak.
      export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:external_symbolizer_path=/usr/bin/addr2line}
      export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
      ;;
    tsan)
      dir=$prefix-tsan
      sanitize=(-DDSMATH_SANITIZE=thread)
      # The kernels' own cases (ops, attention, GEMMs, collectives, the device's rules) run under
      # TSan; the end-to-end stages (training, resume, SFT, GRPO, generation), 5-10x slower under
      # it, run plain and under ASan. The missing-barrier case races on purpose: under TSan its
      # report is the expected result, checked by the probe "ThreadSanitizer reports a missing
      # __syncthreads ...".
      ctest_args+=(-E "a missing __syncthreads gives wrong results|training steps|killed GPU run|SFT steps|GRPO step|greedy generation")
      export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:external_symbolizer_path=/usr/bin/addr2line}
      ;;
    *) echo "test_emulated.sh: unknown variant '$variant' (plain, asan or tsan)" >&2; exit 2 ;;
  esac
  start=$(date +%s)
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDSMATH_CUDA_EMULATION=ON "${sanitize[@]}" "${launcher[@]}" \
    > "$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; exit 1; }
  ninja -C "$dir" -j "$jobs" test_gpu
  built=$(date +%s)
  # The CPU twins run single-threaded under the sanitizers: their OpenMP threads are not the code
  # under test, and uninstrumented libgomp synchronization would only add noise and time.
  if [[ $variant == plain ]]; then
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 900 --output-junit ctest-junit.xml "${ctest_args[@]}" || status=1
  else
    OMP_NUM_THREADS=1 ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 1800 --output-junit ctest-junit.xml \
      "${ctest_args[@]}" || status=1
  fi
  scripts/ctest_summary.py "$dir/ctest-junit.xml" "$dir" "emulated GPU ($variant)" || status=1
  echo "emulated GPU ($variant): build $((built - start)) s, tests $(( $(date +%s) - built )) s"
done
exit $status
