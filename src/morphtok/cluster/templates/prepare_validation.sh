#!/bin/bash
# The shared held-out documents of every chunk and their baseline tokenization: every arm
# validates on the same ids, so the three validation losses compare (CPU only).
${directives}
set -euo pipefail
PY="$${MORPHTOK_PYTHON:-${python}}"
"$$PY" -m morphtok.cli jobs step validation --config ${config} --chunks-dir ${chunks_dir} --out-dir ${processed_dir}
