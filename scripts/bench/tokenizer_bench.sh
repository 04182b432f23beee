#!/usr/bin/env bash
# Tokenizer encode throughput, dsmath vs the Hugging Face `tokenizers` package, on GSM8K+MATH
# text with the DeepSeek and GPT-2 vocabularies (docs/benchmarks.md, "Tokenizer").
#
# usage: scripts/bench/tokenizer_bench.sh BUILD_DIR [WORK_DIR] [extra tokenizer_bench.py args]
# needs: shared/data beside the checkout (or DSMATH_SHARED_DATA), python3 with `tokenizers`
#   (pip install tokenizers). Exits non-zero if the two disagree on any id.
set -euo pipefail
BUILD=${1:?build dir}; W=${2:-/tmp/dsmath-tokenizer-bench}; shift $(( $# < 2 ? $# : 2 ))
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=${DSMATH_SHARED_DATA:-$HERE/../../../shared/data}
exec python3 "$HERE/tokenizer_bench.py" --dsmath "$(cd "$BUILD" && pwd)/apps/dsmath/dsmath" --data "$DATA" --work "$W" "$@"
