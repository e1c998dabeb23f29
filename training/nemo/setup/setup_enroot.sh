#!/usr/bin/env bash
# Seed step 1, "Install NeMo container": import the NeMo framework image into enroot.
# Not exercised on the development machine (no enroot/GPU there).
set -euo pipefail
IMAGE="${NEMO_IMAGE:-nvcr.io#nvidia/nemo:25.04}"
NAME="${NEMO_CONTAINER:-nemo_framework}"
command -v enroot >/dev/null 2>&1 || { echo "enroot is required (https://github.com/NVIDIA/enroot)" >&2; exit 2; }
enroot import -o "${NAME}.sqsh" "docker://${IMAGE}"
enroot create --name "${NAME}" "${NAME}.sqsh"
echo "created enroot container ${NAME}; check with: enroot list | grep ${NAME}"
