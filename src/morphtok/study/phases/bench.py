"""Phase ``bench``: generate the PACUTE + hierarchical benchmarks."""

from __future__ import annotations

from pathlib import Path

from morphtok.config import StudyConfig
from morphtok.study.phase import Estimate, write_result
from morphtok.study.throughputs import load_throughputs


def run(cfg: StudyConfig, workdir: Path) -> Path:
    from morphtok.bench.generate import run as generate

    out = workdir / "benchmarks"
    generate(cfg.bench, out)
    return write_result(workdir, {"benchmark_dir": str(out)})


def estimate(cfg: StudyConfig) -> Estimate:
    return Estimate(float(load_throughputs()["bench"]["seconds"]), 5e6, "cpu")
