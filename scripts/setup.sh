#!/usr/bin/env bash
# Installs the Debian packages dsmath's build uses, and only those, when they are missing.
# Idempotent: a second run installs nothing. The CUDA toolkit is not installed here; the
# build uses it when nvcc is found (see docs/building.md).
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libcli11-dev libyaml-cpp-dev catch2          # CLI, configs, tests
  libopenmpi-dev openmpi-bin                   # multi-process launch and CPU collectives
  libopenblas-openmp-dev                       # CPU GEMM (OpenMP build: shares our thread pool)
  nlohmann-json3-dev libfmt-dev                # JSON documents, text formatting
  libxxhash-dev zlib1g-dev                     # checksums/MinHash, gzip WET files
  libpcre2-dev libsimdjson-dev                 # pre-tokenizer regexes, fast JSONL
  libfasttext-dev                              # corpus classifier
  libboost-context-dev                         # the emulated GPU's threads (fibers)
  ccache                                       # the emulated-GPU builds reuse the normal build's objects
  python3 python3-venv                         # base of the reference environment (setup_reference.sh)
  bubblewrap python3-sympy python3-numpy        # sandbox for model-written programs (lib/sandbox)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
