"""The cluster path: batch jobs rendered from one study config, and the Megatron-Bridge run they launch.

We render, we do not schedule. ``schedulers`` says what PBS, Slurm (or a plugin's scheduler) do
differently; ``render`` writes the jobs, ``submit_all.sh`` and the study's
``config.yaml``; ``steps`` are the CPU steps the jobs run; ``bridge_run`` (with ``resume`` and
``bridge_convert``) is ``training/nemo/run_cpt.py`` inside the NeMo container. Secrets are never
written into job files: jobs pass variables by name (``#PBS -V``, ``--export=ALL``, enroot ``--env NAME``).
"""

from __future__ import annotations

from pathlib import Path

from morphtok.cluster.render import JOB_ARM, render_jobs, run_name, safe_name

__all__ = ["JOB_ARM", "render_jobs", "run_name", "safe_name", "submit_plan"]


def submit_plan(cfg, run_dir: str | Path, scheduler: str | None = None) -> tuple[dict[str, Path], list[str]]:
    """Render a study's cluster jobs into ``<run>/train/jobs`` and return them with the commands to run.

    The commands, in order: download the corpus (needs network and HF_TOKEN), split it into the
    chunks the preprocessing arrays read, submit everything (``submit_all.sh <scheduler>``).
    ``scheduler`` is what :func:`render_jobs` takes (default: the built-ins); the submit command
    names the first of them.
    """
    import shlex

    from morphtok.cluster.render import StudyLayout
    from morphtok.cluster.schedulers import resolve

    scheduler = scheduler or "both"
    run_dir = Path(run_dir).resolve()
    jobs = run_dir / "train" / "jobs"
    written = render_jobs(cfg, jobs, run_dir=run_dir, scheduler=scheduler)
    layout = StudyLayout.create(cfg, jobs, run_dir)
    corpus = run_dir / "corpus" / "corpus.jsonl"
    q = shlex.quote
    download = f"python scripts/download_seapile.py --output {q(str(corpus))} --language {q(cfg.corpus.language)}"
    if cfg.corpus.limit:
        download += f" --limit {int(cfg.corpus.limit)}"
    fetch = download if cfg.corpus.source == "seapile" else (
        f"python -m morphtok.cli corpus fetch --source {q(cfg.corpus.source)} -o {q(str(corpus))}")
    commands = [
        f"cd {q(str(layout.repo))}",
        *([] if corpus.is_file() else [fetch]),
        f"python training/nemo/data/split_jsonl.py --input {q(str(corpus))} --output-dir {q(str(layout.chunks))} "
        f"--num-chunks {int(cfg.corpus.num_chunks)}",
        f"bash {q(str(jobs / 'submit_all.sh'))} {q(resolve(scheduler)[0].name)}",
    ]
    return written, commands
