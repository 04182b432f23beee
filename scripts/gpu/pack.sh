#!/usr/bin/env bash
# Packs everything one GPU run needs into OUT.tgz, built here on the CPU machine, so that the
# short device window (docs/cuda.md "Running on a GPU") is spent measuring, not building:
#   bin/     dsmath, test_gpu (the GPU tier), gpu_bench (training and decode benchmarks), stripped
#   lib/     every library they load that is neither glibc nor the CUDA toolkit's (ldd-resolved:
#            yaml-cpp, fmt, OpenBLAS with libgfortran and libquadmath, libgomp, libstdc++, ...);
#            the GPU machine's own CUDA 13 toolkit provides cudart, cuBLASLt and NCCL
#   configs/ the model shapes the benchmarks read
#   torch/   the PyTorch reference (run eagerly, when time is left)
#   run.sh   the driver (scripts/gpu/run.sh), MANIFEST.txt (commit, build, what the target needs)
#
# usage: scripts/gpu/pack.sh [--prebuilt BUILD_DIR] OUT.tgz
#   Without --prebuilt it builds the binaries for the GPU machine in $DSMATH_BUNDLE_BUILD
#   (default build-gpu-bundle/tree): sm_90, DSMATH_NATIVE=OFF (the device's CPU is not this
#   one), MPI off (one GPU needs no MPI; the carried OpenMPI needs glibc 2.36), Release.
#   --prebuilt packs the binaries of an existing nvcc build instead (the CI test does this; such
#   a bundle is for checking the packing, not for the GPU machine unless built as above).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
max_mb=40   # the device call carries 64 MiB in all; leave room for the working tree

die() { echo "pack.sh: error: $1" >&2; [[ -n "${2:-}" ]] && echo "hint: $2" >&2; exit 1; }

prebuilt=
while (($#)); do
  case $1 in
    --prebuilt) prebuilt=${2:?--prebuilt needs a build directory}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1" "usage: scripts/gpu/pack.sh [--prebuilt BUILD_DIR] OUT.tgz" ;;
    *) break ;;
  esac
done
(($# == 1)) || die "expected one output file (OUT.tgz), got $#" "usage: scripts/gpu/pack.sh [--prebuilt BUILD_DIR] OUT.tgz"
out=$1
[[ $out == *.tgz || $out == *.tar.gz ]] || die "$out: the bundle is a gzip tarball" "name it OUT.tgz"
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

if [[ -n $prebuilt ]]; then
  build=$(cd "$prebuilt" 2>/dev/null && pwd) || die "--prebuilt $prebuilt: no such directory"
else
  build=${DSMATH_BUNDLE_BUILD:-$root/build-gpu-bundle/tree}
  nvcc=${CUDACXX:-/usr/local/cuda/bin/nvcc}
  [[ -x $nvcc ]] || die "no nvcc at $nvcc" "install the CUDA toolkit, or set CUDACXX"
  args=(-S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDSMATH_NATIVE=OFF -DDSMATH_WITH_MPI=OFF
        -DCMAKE_CUDA_ARCHITECTURES=90 -DCMAKE_CUDA_COMPILER="$nvcc" -DDSMATH_CUDA_EMULATION=OFF)
  command -v ccache > /dev/null && args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  mkdir -p "$build"
  echo "pack.sh: building for the GPU machine in $build (log: $build/pack-build.log)"
  { cmake "${args[@]}" && ninja -C "$build" dsmath test_gpu gpu_bench; } > "$build/pack-build.log" 2>&1 \
    || { tail -30 "$build/pack-build.log" >&2; die "the build failed" "see $build/pack-build.log"; }
  summary=$(grep -E '^-- dsmath:' "$build/pack-build.log" | tail -1)
  [[ $summary == *"CUDA=ON MPI=OFF native=OFF"* ]] || die "unexpected configuration: ${summary:-no summary line}" \
    "the bundle needs CUDA on, MPI off and DSMATH_NATIVE off; see $build/pack-build.log"
fi

declare -A binaries=([dsmath]=apps/dsmath/dsmath [test_gpu]=tests/gpu/test_gpu [gpu_bench]=tests/gpu/bench/gpu_bench)
for name in "${!binaries[@]}"; do
  [[ -x $build/${binaries[$name]} ]] || die "$build/${binaries[$name]} is missing" \
    "the bundle needs an nvcc build (not CPU-only, not emulated) with $name built: ninja -C $build dsmath test_gpu gpu_bench"
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
b=$stage/dsmath-gpu
mkdir -p "$b/bin" "$b/lib/cxx" "$b/torch"
for name in "${!binaries[@]}"; do
  cp "$build/${binaries[$name]}" "$b/bin/$name"
  strip --strip-unneeded "$b/bin/$name"
done

# Libraries: what ldd resolves for the binaries here (transitively), less glibc (the target's
# own, checked against MANIFEST's minimum) and the CUDA toolkit (hundreds of MB: the GPU machine
# has CUDA 13). libstdc++ and libgcc_s travel in lib/cxx/: the target's may be older than
# g++ 12's, but Debian 12's copies ask for glibc 2.36 (arc4random) and 2.35, which Ubuntu
# 22.04 lacks; run.sh uses them only where the target's glibc can load them.
# MANIFEST.txt lists what is left to the target (from_system, from_target) and what is in lib/
# (libraries), which run.sh --check requires to load from there.
system='^(linux-vdso|ld-linux|libc|libm|libmvec|libpthread|libdl|librt|libresolv|libutil)\.so'
cuda='^(libcuda|libcudart|libcublas|libcublasLt|libnccl|libnvrtc|libnvJitLink)\.so'
declare -A from_target=() from_system=()
for f in "$b"/bin/*; do
  missing=$(ldd "$f" | awk '/not found/ {print $1}')
  [[ -z $missing ]] || die "$(basename "$f") needs ${missing//$'\n'/ }, which ldd cannot find here" "install it, then pack again"
  while read -r soname path; do
    if [[ $soname =~ $system ]]; then from_system[$soname]=1; continue; fi
    if [[ $soname =~ $cuda ]]; then from_target[$soname]=1; continue; fi
    dest=$b/lib
    [[ $soname =~ ^(libstdc\+\+|libgcc_s)\.so ]] && dest=$b/lib/cxx
    [[ -f $dest/$soname ]] || cp -L "$path" "$dest/$soname"
  done < <(ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}')
done

cp -r "$root/configs" "$b/configs"
cp "$root/scripts/bench/gpu_torch_llama.py" "$b/torch/"
cp "$root/scripts/gpu/run.sh" "$b/run.sh"
chmod +x "$b/run.sh"

# The newest symbol versions the files ask of the target's glibc and libstdc++
newest() {
  local prefix=$1; shift
  objdump -T "$@" 2>/dev/null | grep -oE "\b${prefix}_[0-9]+(\.[0-9]+)*\b" | sed "s/^${prefix}_//" | sort -uV | tail -1
}
shopt -s nullglob
glibc=$(newest GLIBC "$b"/bin/* "$b"/lib/*.so*)
glibc_cxx=$(newest GLIBC "$b"/lib/cxx/*)
glibcxx=$(newest GLIBCXX "$b"/bin/* "$b"/lib/*.so*)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$root" diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"
cache() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt" | head -1; }
cat > "$b/MANIFEST.txt" <<EOF
commit: $commit
packed: $(date -u +%Y-%m-%dT%H:%MZ) on $(. /etc/os-release && echo "$PRETTY_NAME"), $(getconf GNU_LIBC_VERSION)
build: $build (${prebuilt:+prebuilt, }CMAKE_BUILD_TYPE=$(cache CMAKE_BUILD_TYPE) DSMATH_NATIVE=$(cache DSMATH_NATIVE) DSMATH_WITH_MPI=$(cache DSMATH_WITH_MPI) CMAKE_CUDA_ARCHITECTURES=$(cache CMAKE_CUDA_ARCHITECTURES))
glibc_min: $glibc
glibc_for_cxx: $glibc_cxx
glibcxx_max: $glibcxx
from_target: ${!from_target[*]}
from_system: ${!from_system[*]}
binaries: $(cd "$b/bin" && ls | tr '\n' ' ')
libraries: $(find "$b/lib" -maxdepth 1 -type f -printf '%f\n' | sort | tr '\n' ' ')
cxx: $(find "$b/lib/cxx" -type f -printf '%f\n' | sort | tr '\n' ' ')
EOF

tar -C "$stage" -czf "$out" dsmath-gpu
bytes=$(stat -c %s "$out")
mb=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}')
if ((bytes >= max_mb * 1000000)); then
  rm -f "$out"
  die "the bundle is $mb MB, over the $max_mb MB budget" "see which binary or library grew: tar -tvzf of an earlier bundle, or du -a on $build"
fi
echo "pack.sh: $out: $mb MB, $(ls "$b/bin" | wc -l) binaries, $(find "$b/lib" -type f | wc -l) libraries; the target needs glibc >= $glibc (>= $glibc_cxx to use the bundled libstdc++, else its own with GLIBCXX_$glibcxx) and CUDA 13 (${!from_target[*]})"
