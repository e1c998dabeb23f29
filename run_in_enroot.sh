#!/usr/bin/env bash
# Run a command inside the NeMo enroot container (seed: ./run_in_enroot.sh python training/nemo/run_cpt.py ...).
# Without enroot (e.g. a laptop), say so and run nothing.
set -euo pipefail
CONTAINER="${NEMO_CONTAINER:-nemo_framework}"
if ! command -v enroot >/dev/null 2>&1; then
    echo "enroot is not installed on this machine: cannot run '$*' in the NeMo container." >&2
    echo "On the cluster: bash training/nemo/setup/setup_enroot.sh, then rerun. Locally: use 'morphtok train'." >&2
    if [ "${1:-}" = "python" ] && [[ " $* " == *" --help "* ]]; then
        # Showing --help needs no container: use the project's virtualenv when there is one.
        HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
        PY="python3"
        [ -x "$HERE/.venv/bin/python" ] && PY="$HERE/.venv/bin/python"
        shift
        exec "$PY" "$@"
    fi
    exit 2
fi
# HF_TOKEN / WANDB_API_KEY pass through from the environment (source .env); they are never written to files.
exec enroot start --rw --mount "$PWD:/workspace" --env HF_TOKEN --env WANDB_API_KEY "$CONTAINER" bash -lc "cd /workspace && $*"
