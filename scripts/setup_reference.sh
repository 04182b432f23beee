#!/usr/bin/env bash
# Creates, or reuses when it is current, the virtual environment of the Python packages that the
# tests and benchmarks compare dsmath with (scripts/reference/requirements.txt, every version
# pinned by requirements.lock). Idempotent: a current environment is left alone in well under a
# second; a changed requirement or base interpreter rebuilds it from scratch.
#
# Usage: scripts/setup_reference.sh            create or reuse
#        scripts/setup_reference.sh --python   print the environment's interpreter and exit
#        scripts/setup_reference.sh --lock     rebuild from requirements.txt and rewrite the lock
# Environment: DSMATH_REFERENCE_VENV (default ~/.cache/dsmath/reference-venv),
#              DSMATH_REFERENCE_BASE_PYTHON (default /usr/bin/python3, Debian's, with python3-venv).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${DSMATH_REFERENCE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/dsmath/reference-venv}
base=${DSMATH_REFERENCE_BASE_PYTHON:-/usr/bin/python3}
requirements=$root/scripts/reference/requirements.txt
lock=$root/scripts/reference/requirements.lock

if [[ "${1:-}" == --python ]]; then
  echo "$venv/bin/python"
  exit 0
fi
if [[ ! -x "$base" ]]; then
  echo "setup_reference: no base interpreter $base (scripts/setup.sh installs python3 and python3-venv," \
       "or set DSMATH_REFERENCE_BASE_PYTHON)" >&2
  exit 1
fi

# The stamp names everything the environment was built from; it is written last, so an
# interrupted install is redone rather than trusted.
stamp_file=$venv/.dsmath-reference-stamp
wanted="$(cat "$requirements" "$lock" | sha256sum | cut -d' ' -f1) $base $("$base" -c 'import sys; print(sys.version.split()[0])')"
if [[ "${1:-}" != --lock && -f "$stamp_file" && "$(cat "$stamp_file")" == "$wanted" ]] &&
   "$venv/bin/python" -c 'import sys' 2> /dev/null; then
  echo "setup_reference: $venv is current"
  exit 0
fi

start=$(date +%s)
echo "setup_reference: creating $venv from $base (a few minutes: torch and transformers are large)"
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$base" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install --upgrade pip
if [[ "${1:-}" == --lock ]]; then
  "${pip[@]}" install -r "$requirements"
  { echo "# pip freeze of the reference environment (scripts/setup_reference.sh --lock): every package pinned."
    "$venv/bin/python" -m pip freeze; } > "$lock"
else
  # --no-compile: the modules a test imports compile on first import; byte-compiling all of
  # torch up front costs minutes of CPU that the build running beside it needs.
  "${pip[@]}" install --no-compile -r "$requirements" -c "$lock"
fi
# Each reference must import, not only install (a wheel can miss a system library).
"$venv/bin/python" -c 'import tokenizers, jinja2, torch, transformers, safetensors, trl, sympy, math_verify, numpy, tiktoken'
wanted="$(cat "$requirements" "$lock" | sha256sum | cut -d' ' -f1) $base $("$base" -c 'import sys; print(sys.version.split()[0])')"
echo "$wanted" > "$stamp_file"
echo "setup_reference: ready in $(( $(date +%s) - start )) s, $(du -sh "$venv" | cut -f1)"
