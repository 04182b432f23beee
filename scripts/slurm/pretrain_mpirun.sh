#!/usr/bin/env bash
# Data-parallel `dsmath pretrain` started by Open MPI's mpirun (docs/distributed.md): one rank
# per GPU on this node, or on several nodes listed in a hostfile. dsmath reads the world size
# and each rank's local rank from mpirun's environment (OMPI_COMM_WORLD_SIZE,
# OMPI_COMM_WORLD_LOCAL_RANK) and uses GPU local_rank. Like pretrain.sbatch it always passes
# --resume: the first run starts fresh, a rerun continues from RUN_DIR's latest checkpoint.
#
# Usage:
#   RUN_DIR=runs/deepseekmath-7b scripts/slurm/pretrain_mpirun.sh [dsmath pretrain options]      # this node
#   HOSTFILE=hosts.txt RUN_DIR=/shared/runs/deepseekmath-7b scripts/slurm/pretrain_mpirun.sh ...  # several nodes
# A hostfile holds one line per node, "node01 slots=8". With several nodes, RUN_DIR, the
# working directory (the config's relative data paths) and the binary must be on a shared
# filesystem at the same paths on every node, and every node must reach the others by ssh.
#
# Environment (only RUN_DIR is required):
#   RUN_DIR        run directory (shared by all nodes when there are several)
#   CONFIG         pretraining config (default configs/pretrain/deepseekmath-7b.yaml)
#   DSMATH         the dsmath binary (default: dsmath on PATH, else build/apps/dsmath/dsmath)
#   ZERO1          true (default) | false: shard the optimizer state; the 7B shape needs it on 80 GB GPUs
#   GPUS_PER_NODE  ranks per node (default: the GPUs nvidia-smi lists here)
#   HOSTFILE       Open MPI hostfile; without it every rank runs on this node
#   NP             total ranks (default GPUS_PER_NODE x hosts in HOSTFILE)
#   MPIRUN         the launcher (default mpirun)
#   MPIRUN_ARGS    extra mpirun flags, split on spaces (e.g. "--allow-run-as-root" in a container)
#   NCCL_*         site settings (NCCL_SOCKET_IFNAME, NCCL_IB_HCA, ...), forwarded to every rank
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/slurm/launch_common.sh
source "$root/scripts/slurm/launch_common.sh"

: "${RUN_DIR:?set RUN_DIR to the run directory (on a shared filesystem when several nodes take part)}"
config=${CONFIG:-configs/pretrain/deepseekmath-7b.yaml}
zero1=${ZERO1:-true}
mpirun_cmd=${MPIRUN:-mpirun}
dsmath=$(dsmath_binary "$root")

if [[ -z "${GPUS_PER_NODE:-}" ]]; then
  if command -v nvidia-smi > /dev/null; then
    GPUS_PER_NODE=$(nvidia-smi -L | grep -c '^GPU' || true)
  fi
  if [[ -z "${GPUS_PER_NODE:-}" || "$GPUS_PER_NODE" == 0 ]]; then
    echo "launch: no GPU listed by nvidia-smi; set GPUS_PER_NODE (and NP) for CPU ranks (--device cpu)" >&2
    exit 1
  fi
fi
hosts=1
if [[ -n "${HOSTFILE:-}" ]]; then
  [[ -f "$HOSTFILE" ]] || { echo "launch: hostfile '$HOSTFILE' does not exist" >&2; exit 1; }
  hosts=$(grep -cEv '^[[:space:]]*(#|$)' "$HOSTFILE" || true)
fi
np=${NP:-$((GPUS_PER_NODE * hosts))}

# CPU threads per rank: the node's cores shared by its ranks (GPU ranks use the CPU for data
# loading and host work only).
cores=$(nproc)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$((cores / GPUS_PER_NODE > 0 ? cores / GPUS_PER_NODE : 1))}

mpirun_opts=(-np "$np" --map-by "ppr:$GPUS_PER_NODE:node" --bind-to none)
if [[ -n "${HOSTFILE:-}" ]]; then mpirun_opts+=(--hostfile "$HOSTFILE"); fi
# Open MPI passes the launching shell's environment to local ranks only; remote ranks get
# what -x names (only variables that are set: -x of an unset one prints a warning).
for name in OMP_NUM_THREADS PATH LD_LIBRARY_PATH CUDA_VISIBLE_DEVICES $(compgen -e | grep '^NCCL_'); do
  if [[ -n "${!name+set}" ]]; then mpirun_opts+=(-x "$name"); fi
done
# shellcheck disable=SC2206  # MPIRUN_ARGS is a list of flags, split on purpose
extra=(${MPIRUN_ARGS:-})

dsmath_args=(pretrain --config "$config" --run-dir "$RUN_DIR" --resume --set "dist.zero1=$zero1" "$@")

mkdir -p "$RUN_DIR"
echo "launch: $np ranks ($hosts node(s) x $GPUS_PER_NODE), run dir $RUN_DIR"
echo "launch: OMP_NUM_THREADS=$OMP_NUM_THREADS; $(dsmath_nccl_env)"
dsmath_check_config "$dsmath" "$config" "$RUN_DIR/launch-config-$(date +%Y%m%d-%H%M%S).yaml" --set "dist.zero1=$zero1" "$@"
echo "launch: $mpirun_cmd ${mpirun_opts[*]} ${extra[*]} $dsmath ${dsmath_args[*]}"
"$mpirun_cmd" "${mpirun_opts[@]}" ${extra[@]+"${extra[@]}"} "$dsmath" "${dsmath_args[@]}"
