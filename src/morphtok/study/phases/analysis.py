"""Phase ``analysis``: tables, statistics and plots into ``analysis/``; report.md/report.html at the run dir's top."""

from __future__ import annotations

import re
from pathlib import Path

from morphtok.atomic import atomic_write_bytes, atomic_write_text
from morphtok.config import StudyConfig
from morphtok.errors import StudyError
from morphtok.study.phase import Estimate, upstream, write_result
from morphtok.study.throughputs import load_throughputs


def run(cfg: StudyConfig, workdir: Path) -> Path:
    from morphtok.analysis.report import run as report

    paths = report(
        upstream(workdir, "eval")["results_dir"],
        workdir,
        training_dirs=upstream(workdir, "train").get("training_dirs", {}),
        tokenization=upstream(workdir, "preprocess")["prefixes"],
        cfg=cfg.analysis,
    )
    md, html = Path(paths["report_md"]), Path(paths["report_html"])
    for path in (md, html):
        if not path.is_file():
            raise StudyError("the analysis finished but did not write its report", where=str(path))
    # The markdown's plots are files beside it: point them into analysis/ from the run dir.
    run_dir = workdir.parent
    text = re.sub(r"(!\[[^\]]*\]\()(?![a-z]+:|/)([^)]+\))", rf"\g<1>{workdir.name}/\g<2>", md.read_text(encoding="utf-8"))
    top_md = atomic_write_text(run_dir / "report.md", text)
    top_html = atomic_write_bytes(run_dir / "report.html", html.read_bytes())  # self-contained
    return write_result(workdir, {"report_md": str(top_md), "report_html": str(top_html)}, message=f"{top_html}")


def estimate(cfg: StudyConfig) -> Estimate:
    return Estimate(float(load_throughputs()["analysis"]["seconds"]), 5e6, "cpu")
