"""No GPU here but the config trains on GPUs: render the cluster jobs and hand the work over."""

from __future__ import annotations

from pathlib import Path

from morphtok.config import StudyConfig
from morphtok.study.phase import has_gpu, write_result


def needs_cluster(cfg: StudyConfig, workdir: Path) -> bool:
    return cfg.train.num_gpus > 0 and not has_gpu(workdir)


def render_cluster_jobs(cfg: StudyConfig, workdir: Path) -> Path:
    """Render the cluster jobs (every default scheduler) for the run dir and stop (pending), saying what to run next."""
    from morphtok.cluster import submit_plan

    rendered, commands = submit_plan(cfg, Path(workdir).parent)
    return write_result(
        workdir, {"jobs": [str(p) for p in rendered.values()], "next_commands": commands}, complete=False,
        message=f"needs {cfg.train.num_gpus} GPU(s) x {cfg.train.num_nodes} node(s); jobs rendered",
    )
