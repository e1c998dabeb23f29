#!/usr/bin/env bash
# Run a command inside the NeMo Framework enroot container (seed: ./run_in_enroot.sh python training/nemo/run_cpt.py ...).
#
# Host dirs mounted (each from an environment variable, with a default):
#   this repository                                  -> /workspace      (morphtok on PYTHONPATH=/workspace/src)
#   MORPHTOK_STUDY_DIR   (default: this repository)  -> /study          (data/chunks, data/processed)
#   MORPHTOK_JOBS_DIR    (default: STUDY/jobs)       -> /jobs           (the rendered jobs' config.yaml)
#   MORPHTOK_CHECKPOINT_ROOT (default: STUDY/checkpoints) -> /logs/checkpoints (runs, checkpoints, exports)
#   MORPHTOK_WANDB_DIR   (default: CHECKPOINT_ROOT/wandb) -> /logs/wandb (WANDB_DIR)
#   HF_HOME              (default: ~/.cache/huggingface)  -> /hf_home   (HF_HOME: the model download is cached)
# enroot clears the environment: secrets and settings pass by name only (--env NAME), never by value,
# and only when set here (HF_TOKEN, WANDB_*, proxies, NCCL_*, CUDA_VISIBLE_DEVICES, scheduler ids).
# Without enroot (e.g. a laptop), say so and run nothing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONTAINER="${NEMO_CONTAINER:-nemo_framework}"
if ! command -v enroot >/dev/null 2>&1; then
    echo "enroot is not installed on this machine: cannot run '$*' in the NeMo container." >&2
    echo "On the cluster: bash training/nemo/setup/setup_enroot.sh, then rerun. Locally: use 'morphtok train'." >&2
    if [ "${1:-}" = "python" ] && [[ " $* " == *" --help "* ]]; then
        # Showing --help needs no container: use the project's virtualenv when there is one.
        PY="python3"
        [ -x "$HERE/.venv/bin/python" ] && PY="$HERE/.venv/bin/python"
        shift
        exec "$PY" "$@"
    fi
    exit 2
fi
STUDY="${MORPHTOK_STUDY_DIR:-$HERE}"
JOBS="${MORPHTOK_JOBS_DIR:-$STUDY/jobs}"
CKPT="${MORPHTOK_CHECKPOINT_ROOT:-$STUDY/checkpoints}"
WANDB_HOST="${MORPHTOK_WANDB_DIR:-$CKPT/wandb}"
HF_HOST="${HF_HOME:-$HOME/.cache/huggingface}"
mkdir -p "$JOBS" "$CKPT" "$WANDB_HOST" "$HF_HOST"
ARGS=(--rw
      --mount "$HERE:/workspace" --mount "$STUDY:/study" --mount "$JOBS:/jobs"
      --mount "$CKPT:/logs/checkpoints" --mount "$WANDB_HOST:/logs/wandb" --mount "$HF_HOST:/hf_home"
      --env PYTHONPATH=/workspace/src --env HF_HOME=/hf_home --env WANDB_DIR=/logs/wandb)
NAMES=(HF_TOKEN HUGGING_FACE_HUB_TOKEN HF_HUB_OFFLINE WANDB_API_KEY WANDB_MODE WANDB_ENTITY WANDB_BASE_URL
       HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy CUDA_VISIBLE_DEVICES
       SLURM_JOB_ID SLURM_ARRAY_TASK_ID PBS_JOBID PBS_ARRAY_INDEX)
while IFS= read -r name; do NAMES+=("$name"); done < <(compgen -e | grep -E '^(NCCL_|TORCH_NCCL_|UCX_)' || true)
for name in "${NAMES[@]}"; do
    if [ -n "${!name+set}" ]; then ARGS+=(--env "$name"); fi
done
# In the container: fail at once, in one line, when morphtok cannot be imported; then run the command as given.
exec enroot start "${ARGS[@]}" "$CONTAINER" bash -c \
    'cd /workspace && python -c "import morphtok.cluster.bridge_run" || { echo "morphtok is not importable in the container (PYTHONPATH=/workspace/src): is the repository mounted at /workspace?" >&2; exit 3; }; exec "$@"' \
    morphtok-job "$@"
