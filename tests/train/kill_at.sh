#!/usr/bin/env bash
# Starts a command and SIGKILLs it from outside, for the crash-safety test:
#   kill_at.sh after SECONDS RUN_DIR -- command...     at a moment chosen by the caller
#   kill_at.sh checkpoint 0 RUN_DIR -- command...      as soon as RUN_DIR/checkpoints holds a
#                                                      checkpoint being written (a *.partial
#                                                      newer than this start; an older one is
#                                                      left from an earlier kill)
# The command's output passes through; the exit status is the command's (137 when killed).
set -u
mode=$1 seconds=$2 run_dir=$3
shift 4
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT
"$@" 2>&1 &
pid=$!
alive() {
  local st
  [ -r "/proc/$pid/stat" ] && read -r _ _ st _ < "/proc/$pid/stat" 2>/dev/null && [ "$st" != Z ]
}
if [ "$mode" = checkpoint ]; then
  shopt -s nullglob
  # a busy loop of builtins: a checkpoint of a tiny model is written in milliseconds
  while alive && (( SECONDS < 120 )); do
    fresh=0
    for d in "$run_dir"/checkpoints/*.partial; do [ "$d" -nt "$marker" ] && fresh=1; done
    (( fresh )) && break
  done
else
  sleep "$seconds"
fi
kill -KILL "$pid" 2>/dev/null
wait "$pid"
