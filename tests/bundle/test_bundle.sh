#!/usr/bin/env bash
# tests/bundle/CMakeLists.txt: packs this build's binaries (scripts/gpu/pack.sh --prebuilt, no
# rebuild), unpacks the bundle in a fresh directory and runs its driver's --check there with a
# bare environment, as on the GPU machine; then takes a bundled library away and expects the
# check to name it (a check that cannot fail would prove nothing).
# usage: test_bundle.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/dsmath-bundle-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $1"; [[ -f $work/out.txt ]] && { echo "--- output:"; cat "$work/out.txt"; }; exit 1; }

"$src/scripts/gpu/pack.sh" --prebuilt "$build" "$work/pack/dsmath-gpu.tgz" > "$work/pack.txt" 2>&1 \
  || { cat "$work/pack.txt"; fail "pack.sh --prebuilt failed"; }
cat "$work/pack.txt"
mkdir "$work/clean"
tar -C "$work/clean" -xzf "$work/pack/dsmath-gpu.tgz"
rm -rf "$work/pack"   # nothing of the packing left behind
b=$work/clean/dsmath-gpu
for f in run.sh MANIFEST.txt bin/dsmath bin/test_gpu bin/gpu_bench configs/model/deepseek-1.3b.yaml torch/gpu_torch_llama.py; do
  [[ -e $b/$f ]] || fail "the bundle lacks $f"
done
grep -qE '^glibc_min: 2\.[0-9]+$' "$b/MANIFEST.txt" || fail "MANIFEST.txt has no glibc_min line"
yaml=("$b"/lib/libyaml-cpp*)
[[ -f ${yaml[0]} ]] || fail "the bundle's lib/ lacks yaml-cpp"

# run from another directory, with nothing of this machine's environment but PATH
bare() { (cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" TMPDIR="$work" bash "$b/run.sh" --check) > "$work/out.txt" 2>&1; }
bare || fail "run.sh --check exited $?"
grep -q '^run.sh: every binary loads from the bundle' "$work/out.txt" || fail "no line saying every binary loads"
if ! grep -q '^run.sh: GPU found' "$work/out.txt"; then
  grep -q '^run.sh: no GPU found (.\+)' "$work/out.txt" || fail "no line saying whether a GPU was found"
fi
cat "$work/out.txt"

# the full run where no GPU is found stops after the smoke stage, says why, and still leaves its
# summary; with a GPU here it would run for minutes, so only where none is
if grep -q '^run.sh: no GPU found' "$work/out.txt"; then
  if (cd "$work" && env -i PATH=/usr/bin:/bin HOME="$work" OUT="$work/results" bash "$b/run.sh") > "$work/out.txt" 2>&1; then
    fail "run.sh without a GPU exited 0"
  fi
  grep -q 'no usable GPU, so nothing to measure' "$work/out.txt" || fail "run.sh without a GPU did not say why it stopped"
  grep -q '^| smoke | ok |' "$work/results/summary.md" || fail "no smoke row in summary.md"
  [[ -s $work/results/run.log ]] || fail "no run.log"
  echo "run.sh without a GPU: $(grep 'nothing to measure' "$work/out.txt")"
fi

# a bundled library taken away: the check fails and names it (here the system's copy would
# otherwise load silently, which is exactly what the GPU machine may not have)
lib=$(basename "${yaml[0]}")
rm "$b/lib/$lib"
if bare; then fail "run.sh --check passed without lib/$lib"; fi
grep -q "$lib" "$work/out.txt" || fail "run.sh --check failed without naming $lib"
echo "without lib/$lib: $(grep -m1 "$lib" "$work/out.txt")"
echo "PASS"
