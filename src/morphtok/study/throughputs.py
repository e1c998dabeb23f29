"""The numbers behind ``study plan``: ``throughputs.yaml`` (each marked measured or assumed)
plus the size of the corpus a config names. Arms' preprocess throughputs are declared on
the arm classes (:attr:`morphtok.segment.processor.Processor.throughput`), not here."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from morphtok.config import StudyConfig
from morphtok.errors import CorpusError


@lru_cache(maxsize=1)
def _packaged() -> dict[str, Any]:
    return yaml.safe_load((resources.files("morphtok.study") / "throughputs.yaml").read_text(encoding="utf-8"))


def load_throughputs(path: str | Path | None = None) -> dict[str, Any]:
    """The packaged table (a fresh copy), or the YAML file at ``path``."""
    if path is None:
        import copy

        return copy.deepcopy(_packaged())
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def corpus_bytes(cfg: StudyConfig) -> float:
    """Bytes of the corpus ``corpus.source`` names (SEA-PILE's from the table: it is not here)."""
    source = cfg.corpus.source
    if source == "seapile":
        return float(_packaged()["corpus"]["seapile_bytes"])
    if source == "sample":
        from morphtok.lang.fil.corpus import sample_corpus_path

        path = sample_corpus_path()
    else:
        path = Path(source).expanduser()
    if not path.exists():
        raise CorpusError("corpus source not found", where=str(path), hint="corpus.source: sample | seapile | PATH")
    if path.is_dir():
        return float(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()))
    return float(path.stat().st_size)


def on_cluster(cfg: StudyConfig) -> bool:
    """Training (and so evaluation's throughput) is on GPUs when the config asks for any."""
    return cfg.train.num_gpus > 0
