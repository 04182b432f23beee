# Helpers shared by pretrain.sbatch and pretrain_mpirun.sh (sourced, not run). See
# docs/distributed.md for what each setting does and why.

# The dsmath binary: $DSMATH, else `dsmath` on PATH, else the checkout's default build.
dsmath_binary() {
  local root=$1 found
  if [[ -n "${DSMATH:-}" ]]; then
    found=$DSMATH
  elif found=$(command -v dsmath); then
    :
  else
    found=$root/build/apps/dsmath/dsmath
  fi
  if [[ ! -x "$found" ]]; then
    echo "launch: dsmath binary '$found' not found or not executable; set DSMATH=/path/to/dsmath" >&2
    return 1
  fi
  printf '%s\n' "$found"
}

# Resolves the config with the user's --set overrides once, on this node, before any rank
# starts: a misspelt key fails here in a second with one message instead of once per rank.
# The resolved YAML is kept beside the run (one file per launch) for the record.
# usage: dsmath_check_config DSMATH CONFIG OUT_FILE [dsmath pretrain options...]
dsmath_check_config() {
  local dsmath=$1 config=$2 out=$3
  shift 3
  local sets=() args=("$@") i
  for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
      --set | -s) sets+=(--set "${args[i + 1]:-}"); i=$((i + 1)) ;;
      --set=*) sets+=("${args[i]}") ;;
    esac
  done
  "$dsmath" config show --config "$config" ${sets[@]+"${sets[@]}"} > "$out.tmp" && mv "$out.tmp" "$out"
}

# NCCL settings are site-specific (interface and HCA names): they are taken from the
# submitting shell when set there, never guessed. NCCL_DEBUG=WARN makes NCCL print the reason
# of a transport failure, which dsmath's NCCL error hint refers to.
export NCCL_DEBUG=${NCCL_DEBUG:-WARN}

# The NCCL_* variables in effect, one line, for the job log.
dsmath_nccl_env() {
  local line="" name
  for name in $(compgen -e | grep '^NCCL_' | sort); do line+=" $name=${!name}"; done
  printf 'NCCL environment:%s\n' "${line:- (defaults)}"
}
