#!/usr/bin/env bash
# Seed: `bash job_templates/setup_jobs.sh` renders jobs/ from the gemma3-1b-seapile preset (or
# MORPHTOK_CONFIG): preprocess_data_{vanilla,stochastok,patok}, prepare_validation and
# run_cpt_{baseline,stochastok,patok} for each built-in scheduler (`morphtok jobs schedulers` lists
# them; set SCHEDULER to render others, e.g. a plugin's), the resolved config.yaml they all read,
# and submit_all.sh, which submits them in order (training after its preprocessing array).
# Data and checkpoints live under MORPHTOK_STUDY_DIR (default: this repository: data/chunks, ...).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$HERE/.venv/bin/morphtok" ]; then
    MORPHTOK=("$HERE/.venv/bin/morphtok")
elif command -v morphtok >/dev/null 2>&1; then
    MORPHTOK=(morphtok)
else
    MORPHTOK=(python3 -m morphtok.cli)
fi
JOBS="${JOBS_DIR:-jobs}"
STUDY_ARGS=()
[ -n "${MORPHTOK_STUDY_DIR:-}" ] && STUDY_ARGS=(--study-dir "$MORPHTOK_STUDY_DIR")
"${MORPHTOK[@]}" jobs render --scheduler "${SCHEDULER:-both}" --config "${MORPHTOK_CONFIG:-gemma3-1b-seapile}" --out "$JOBS" "${STUDY_ARGS[@]}"
echo "after the split (python training/nemo/data/split_jsonl.py ...), submit everything with:"
echo "  bash $JOBS/submit_all.sh SCHEDULER    # registered schedulers (submit_all.sh names those rendered):"
"${MORPHTOK[@]}" jobs schedulers | sed 's/^/    /'
