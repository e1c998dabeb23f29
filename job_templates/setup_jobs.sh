#!/usr/bin/env bash
# Seed: `bash job_templates/setup_jobs.sh` renders jobs/*.pbs (and jobs/*.slurm) from the
# gemma3-1b-seapile preset: preprocess_data_{vanilla,stochastok,patok} and run_cpt_{baseline,stochastok,patok}.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if command -v morphtok >/dev/null 2>&1; then
    MORPHTOK=(morphtok)
elif [ -x "$HERE/.venv/bin/morphtok" ]; then
    MORPHTOK=("$HERE/.venv/bin/morphtok")
else
    MORPHTOK=(python3 -m morphtok.cli)
fi
"${MORPHTOK[@]}" jobs render --scheduler both --config "${MORPHTOK_CONFIG:-gemma3-1b-seapile}" --out "${JOBS_DIR:-jobs}"
echo "submit with: qsub -J 1-20 jobs/preprocess_data_vanilla.pbs (and stochastok, patok), then qsub jobs/run_cpt_baseline.pbs ..."
