#!/bin/bash
# Seed step 1.3-1.5: tokenize one corpus chunk per array index with the ${arm} arm (CPU only).
# Every setting comes from the study config beside this file.
${directives}
set -euo pipefail
PY="$${MORPHTOK_PYTHON:-${python}}"
"$$PY" -m morphtok.cli jobs step preprocess --config ${config} --arm ${arm} \
    --chunk ${chunk_index} \
    --chunks-dir ${chunks_dir} --out-dir ${processed_dir}
