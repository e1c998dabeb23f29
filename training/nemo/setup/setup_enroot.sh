#!/usr/bin/env bash
# Seed step 1, "Install NeMo container": import the pinned NeMo Framework image into enroot.
# nemo:26.02 ships Megatron-Bridge 0.3.0 and megatron-core 0.16 (Bridge's docs/releases/software-versions.md),
# the versions the config tests install (make test, .venv-bridge). Another tag: set NEMO_IMAGE, and expect
# training/nemo/run_cpt.py to be untested against its Bridge.
# Not exercised on the development machine (no enroot/GPU there).
set -euo pipefail
IMAGE="${NEMO_IMAGE:-nvcr.io#nvidia/nemo:26.02}"
NAME="${NEMO_CONTAINER:-nemo_framework}"
command -v enroot >/dev/null 2>&1 || { echo "enroot is required (https://github.com/NVIDIA/enroot)" >&2; exit 2; }
enroot import -o "${NAME}.sqsh" "docker://${IMAGE}"
enroot create --name "${NAME}" "${NAME}.sqsh"
echo "created enroot container ${NAME} from ${IMAGE}; check with: enroot list | grep ${NAME}"
