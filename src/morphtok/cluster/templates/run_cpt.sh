#!/bin/bash
# Seed step 5: continued pretraining on the ${arm} data. Every setting comes from the study config
# beside this file; checkpoints, run marker, W&B id and HF export go to <checkpoint root>/${name}.
${directives}
set -euo pipefail
PY="$${MORPHTOK_PYTHON:-${python}}"
# Join the arm's per-chunk datasets; merge refuses a set that does not match the split's manifest.
"$$PY" -m morphtok.cli preprocess merge --chunks-manifest ${manifest} --output-prefix ${merged} \
    ${chunk_prefixes}
# Host dirs that run_in_enroot.sh mounts into the container (checkpoints survive a requeue on another node).
export MORPHTOK_STUDY_DIR=${study} MORPHTOK_JOBS_DIR=${jobs} MORPHTOK_CHECKPOINT_ROOT=${checkpoint_root}
export NEMO_CONTAINER="$${NEMO_CONTAINER:-${container}}"
cd ${repo}
# A signal (walltime, preemption) makes the trainer save a checkpoint and stop (exit 75); rerunning resumes.
${launch} &
CHILD=$$!
trap 'kill -TERM "$$CHILD" 2>/dev/null || true' TERM USR1
RC=0
wait "$$CHILD" || RC=$$?
while kill -0 "$$CHILD" 2>/dev/null; do RC=0; wait "$$CHILD" || RC=$$?; done
if [ "$$RC" -eq 75 ]; then
${on_resume_exit}
fi
exit "$$RC"
