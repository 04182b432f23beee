#!/usr/bin/env bash
# The GPU bundle's driver (scripts/gpu/pack.sh puts it at the top of the bundle): one device
# call, no build, a fixed timeline that ends within 9 minutes (DSMATH_GPU_DEADLINE_S, 540):
#
#   stage            limit  what
#   smoke             30 s  every binary loads from the bundle, the GPU is found (run.sh --check)
#   tests            140 s  the whole GPU tier (test_gpu) in one process
#   train-1.3b       130 s  gpu_bench, the paper's 1.3B shape at seq 4096: tokens/s, MFU, kernel table
#   train-7b-layers  100 s  gpu_bench, 4 layers of the 7B shape at seq 4096
#   decode-1.3b       80 s  gpu_bench --decode 1,16,64: tokens/s against the memory-bandwidth bound
#   torch-1.3b      rest    PyTorch eager on the 1.3B shape, only when 45 s or more are left
#
# Each stage has its own limit, later stages run when an earlier one fails, and one summary
# table ends the run. Results go to $OUT (the device tool's folder; default ./dsmath-gpu-out),
# as at most 7 files: summary.md, run.log, train-1.3b.json, kernels-1.3b.tsv,
# train-7b-layers.json, decode-1.3b.json, torch-1.3b.json.
#
# usage: run.sh [STAGE...] the GPU run: every stage, or smoke and the stages named
#        run.sh --check    on any machine: every binary loads from the bundle (libraries from
#                          its lib/, the CUDA toolkit from the machine), and whether a GPU is
#                          found; exits 0 when everything loads, GPU or not
set -uo pipefail
B=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
stages=(tests train-1.3b train-7b-layers decode-1.3b torch-1.3b)
mode=run
selected=()
for a in "$@"; do
  case $a in
    --check) mode=check ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *)
      if [[ " ${stages[*]} " != *" $a "* ]]; then
        echo "run.sh: error: unknown argument $a" >&2
        echo "hint: run.sh [--check | STAGE...], stages: ${stages[*]}" >&2
        exit 2
      fi
      selected+=("$a") ;;
  esac
done
# a stage runs when none was named, or it was
want() { ((${#selected[@]} == 0)) || [[ " ${selected[*]} " == *" $1 "* ]]; }

# Libraries: the bundle's first, then the CUDA toolkit's (the image's /usr/local/cuda, or the
# NVIDIA pip wheels of its Python, where NCCL may live instead). Only the bundle's binaries get
# this path: PyTorch keeps its own libraries.
cuda_dirs=/usr/local/cuda/lib64
for d in /usr/local/cuda/targets/x86_64-linux/lib /opt/*/.venv/lib/python3*/site-packages/nvidia/*/lib \
         /usr/local/lib/python3*/dist-packages/nvidia/*/lib /usr/lib/python3/dist-packages/nvidia/*/lib; do
  [[ -d $d ]] && cuda_dirs+=:$d
done
manifest() { sed -n "s/^$1: //p" "$B/MANIFEST.txt"; }
# at least version $2 of $1 (sort -V)
at_least() { [[ $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1) == "$2" ]]; }
glibc=$(getconf GNU_LIBC_VERSION | awk '{print $2}')
# The bundled libstdc++ and libgcc_s (g++ 12's) where this glibc can load them; else the
# machine's own, which run.sh --check then holds to the GLIBCXX version the binaries need.
cxx=
at_least "$glibc" "$(manifest glibc_for_cxx)" && cxx=$B/lib/cxx:
libpath=$B/lib:$cxx$cuda_dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
libs=(env LD_LIBRARY_PATH="$libpath" DSMATH_TEST_BINARY="$B/bin/dsmath" OMP_WAIT_POLICY=passive)
with_libs() { "${libs[@]}" "$@"; }

# --- check: what loads from where --------------------------------------------------------------
check() {
  local bad=0 f name soname path need bundled cuda
  # what pack.sh put in lib/, and what it left to the CUDA toolkit of the machine (the toolkit's
  # own dependencies are the machine's business)
  bundled=" $(manifest libraries) "
  cuda=" $(manifest from_target) "
  need=$(manifest glibc_min)
  if ! at_least "$glibc" "$need"; then
    echo "run.sh: error: this machine's glibc is $glibc; the bundle needs $need (MANIFEST.txt glibc_min)"
    echo "hint: pack the bundle on a system whose glibc is not newer than the GPU machine's"
    bad=1
  fi
  [[ -n $cxx ]] || echo "run.sh: glibc $glibc is older than the bundled libstdc++ needs ($(manifest glibc_for_cxx)): using this machine's"
  for f in "$B"/bin/*; do
    name=$(basename "$f")
    while read -r soname path; do
      if [[ $path == "not" ]]; then
        if [[ $cuda == *" $soname "* ]]; then
          echo "run.sh: error: bin/$name needs $soname, which this machine lacks (looked in $cuda_dirs)"
          echo "hint: the GPU machine's CUDA 13 toolkit provides it; set LD_LIBRARY_PATH to its lib folder"
        else
          echo "run.sh: error: bin/$name needs $soname, which is missing from the bundle's lib/"
          echo "hint: pack the bundle again (scripts/gpu/pack.sh), or restore lib/$soname"
        fi
        bad=1
      elif [[ $bundled == *" $soname "* && $path != "$B/lib/"* ]]; then
        echo "run.sh: error: bin/$name loads $soname from $path, outside the bundle"
        echo "hint: the GPU machine may lack it: restore lib/$soname (pack the bundle again: scripts/gpu/pack.sh)"
        bad=1
      fi
    done < <(with_libs ldd "$f" | awk '$2 == "=>" {print $1, $3}')
    # a library found but too old (libstdc++ without the GLIBCXX version, glibc too old)
    if with_libs ldd "$f" 2>&1 | grep -q 'version .* not found'; then
      with_libs ldd "$f" 2>&1 | grep 'version .* not found' | sort -u | sed "s|^|run.sh: error: bin/$name: |"
      echo "hint: the machine's libstdc++ or glibc is older than the bundle needs (MANIFEST.txt: glibc_min, glibcxx_max)"
      bad=1
    fi
  done
  ((bad == 0)) || return 1
  # they start: each runs something harmless
  local tests rc
  with_libs "$B/bin/dsmath" --version > /dev/null 2>&1 || { echo "run.sh: error: bin/dsmath --version failed"; return 1; }
  with_libs "$B/bin/gpu_bench" --help > /dev/null 2>&1 || { echo "run.sh: error: bin/gpu_bench --help failed"; return 1; }
  # Catch2 v2 exits with the number of tests it listed: a signal (>= 128) or no names is failure
  tests=$(with_libs "$B/bin/test_gpu" --list-test-names-only 2>/dev/null | grep -c .; exit "${PIPESTATUS[0]}")
  rc=$?
  if ((rc >= 128 || tests == 0)); then
    echo "run.sh: error: bin/test_gpu --list-test-names-only failed (exit $rc, $tests test names)"
    return 1
  fi
  echo "run.sh: every binary loads from the bundle ($(ls "$B/bin" | tr '\n' ' ')- $tests GPU test cases; $(find "$B/lib" -type f | wc -l) bundled libraries)"
  # the GPU, as the CUDA backend sees it
  local probe
  if probe=$(with_libs "$B/bin/gpu_bench" --probe 2>&1); then
    echo "run.sh: GPU found: $probe"
    return 0
  fi
  # the backend's own refusal ("--device cuda: no usable GPU found (CUDA runtime: ...)") is the
  # answer; anything else (a crash, a missing symbol) is a broken bundle
  if [[ $probe == *"no usable GPU found ("* ]]; then
    echo "run.sh: no GPU found ($(echo "$probe" | sed -n 's/.*no usable GPU found (\(.*\))$/\1/p' | head -1))"
    return 3
  fi
  echo "run.sh: error: bin/gpu_bench --probe failed: $(echo "$probe" | tail -3)"
  return 1
}

if [[ $mode == check ]]; then
  check
  rc=$?
  ((rc == 3)) && rc=0   # no GPU is an answer here, not a failure
  exit $rc
fi

# --- the GPU run -------------------------------------------------------------------------------
OUT=${OUT:-$PWD/dsmath-gpu-out}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
deadline=${DSMATH_GPU_DEADLINE_S:-540}
log=$OUT/run.log
: > "$log"
rows=()
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# A stage's output, at most 400 lines in run.log (the first 100 and the last 300).
keep() { local n; n=$(wc -l < "$1"); if ((n > 400)); then head -100 "$1"; echo "... ($((n - 400)) lines left out) ..."; tail -300 "$1"; else cat "$1"; fi; }

# stage NAME LIMIT_S RESULT_PATTERN COMMAND...: runs COMMAND under its limit; its summary row
# quotes the output lines matching RESULT_PATTERN.
stage() {
  local name=$1 limit=$2 pattern=$3
  shift 3
  local out=$scratch/$name.txt t0=$SECONDS rc status found
  echo "[$SECONDS s] $name (limit $limit s)"
  timeout -k 5 "$limit" "$@" > "$out" 2>&1
  rc=$?
  case $rc in
    0) status=ok ;;
    124|137) status="TIMEOUT after $limit s" ;;
    *) status="FAILED (exit $rc)" ;;
  esac
  { echo "===== $name: $status in $((SECONDS - t0)) s: $*"; keep "$out"; echo; } >> "$log"
  found=$(grep -E "$pattern" "$out" | sed 's/^RESULT //; s/|/\//g' | head -8 | paste -sd ';' | sed 's/;/<br>/g')
  [[ $rc == 0 || -n $found ]] || found=$(grep -v '^\s*$' "$out" | tail -2 | sed 's/|/\//g' | paste -sd ' ')
  rows+=("| $name | $status | $((SECONDS - t0)) | ${found:-} |")
  echo "[$SECONDS s] $name: $status"
  return $rc
}

{
  echo "bundle: $(manifest commit), packed $(manifest packed)"
  echo "machine: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), $(getconf GNU_LIBC_VERSION), $(nproc) CPUs"
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,clocks.max.mem --format=csv,noheader 2>&1 | sed 's/^/gpu: /'
  echo "CUDA libraries: $(with_libs ldd "$B/bin/gpu_bench" | awk '/libcudart|libcublasLt|libnccl/ {print $3}' | paste -sd ' ')"
  echo
} >> "$log"

gpu=yes smoke=ok
stage smoke 30 '^run.sh: (GPU found|no GPU)' "$B/run.sh" --check || smoke=failed
[[ $smoke == ok ]] && grep -q '^run.sh: GPU found' "$scratch/smoke.txt" || gpu=no
if [[ $gpu == yes ]]; then
  cd "$B" || exit 1   # gpu_bench reads configs/model/*.yaml relative to here
  want tests && stage tests 140 '^(All tests passed|test cases:)' "${libs[@]}" "$B/bin/test_gpu" --durations yes
  want train-1.3b && stage train-1.3b 130 '^RESULT ' "${libs[@]}" "$B/bin/gpu_bench" --model configs/model/deepseek-1.3b.yaml \
    --seq 4096 --batch 2 --steps 10 --warmup 3 --json "$OUT/train-1.3b.json" --kernels "$OUT/kernels-1.3b.tsv"
  want train-7b-layers && stage train-7b-layers 100 '^RESULT ' "${libs[@]}" "$B/bin/gpu_bench" \
    --model configs/model/deepseek-math-7b.yaml --layers 4 --seq 4096 --batch 2 --steps 10 --warmup 3 \
    --json "$OUT/train-7b-layers.json"
  want decode-1.3b && stage decode-1.3b 80 '^RESULT ' "${libs[@]}" "$B/bin/gpu_bench" --decode 1,16,64 \
    --model configs/model/deepseek-1.3b.yaml --context 512 --steps 32 --json "$OUT/decode-1.3b.json"
  # PyTorch eager beside it, with the FLOPs per token and peak dsmath used (one MFU formula)
  left=$((deadline - SECONDS - 10))
  if ! want torch-1.3b; then
    :
  elif ((left >= 45)) && command -v python3 > /dev/null; then
    fpt=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['flops_per_token'], d['peak_tflops'])" \
          "$OUT/train-1.3b.json" 2>/dev/null || echo "0 989")
    stage torch-1.3b $((left < 150 ? left : 150)) '"tokens_per_s"' env PYTHONUNBUFFERED=1 python3 "$B/torch/gpu_torch_llama.py" \
      --model configs/model/deepseek-1.3b.yaml --seq 4096 --batch 2 --steps 10 --warmup 3 \
      --flops-per-token "${fpt% *}" --peak-tflops "${fpt#* }" --json "$OUT/torch-1.3b.json"
  else
    rows+=("| torch-1.3b | skipped ($left s left, or no python3) | 0 | |")
  fi
elif [[ $smoke == ok ]]; then
  echo "run.sh: no usable GPU, so nothing to measure (run.sh --check is the mode for machines without one)" | tee -a "$log"
else
  echo "run.sh: the smoke check failed, so nothing to measure:" | tee -a "$log"
  grep -A1 'error' "$scratch/smoke.txt" | head -6 | tee -a "$log"
fi

{
  echo "dsmath GPU run: bundle $(manifest commit); $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1 || echo 'no nvidia-smi'); $(date -u +%Y-%m-%d); $SECONDS s"
  echo
  echo "| stage | status | s | result |"
  echo "|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  if [[ -f $OUT/kernels-1.3b.tsv ]]; then
    echo
    echo "| op (1.3B shapes) | shape | time us | floor us | of floor | bound |"
    echo "|---|---|---|---|---|---|"
    awk -F'\t' 'NR > 1 {printf "| %s | %s | %.1f | %.1f | %.0f%% | %s |\n", $1, $2, $3, $4, 100 * $5, $6}' "$OUT/kernels-1.3b.tsv"
  fi
} > "$OUT/summary.md"
cat "$OUT/summary.md"
[[ $gpu == yes ]] && ! grep -qE '\| (FAILED|TIMEOUT)' "$OUT/summary.md"
