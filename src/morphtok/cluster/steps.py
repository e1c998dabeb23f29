"""The CPU steps the rendered jobs run, each reading the study config (``morphtok jobs step ...``).

``preprocess`` tokenizes chunk N (an array index, 1-based) with one arm, exactly as the study's
``preprocess`` phase does on one machine (same function, same config values: seed, tokenizer,
arm parameters, held-out fraction, workers); ``validation`` writes the shared held-out documents
of all chunks and their baseline tokenization; ``check-chunks`` verifies the split before
anything is submitted. Chunk N is the N-th entry of the split's ``manifest.json`` when there is
one, else ``chunk_{N:04d}.jsonl``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from morphtok.cluster.render import JOB_ARM
from morphtok.config import StudyConfig
from morphtok.errors import CorpusError
from morphtok.segment.processor import arm_params

log = logging.getLogger(__name__)


def chunk_files(cfg: StudyConfig, chunks_dir: str | Path) -> list[Path]:
    """The split's chunk files in order, checked against ``corpus.num_chunks``."""
    chunks_dir = Path(chunks_dir)
    manifest = chunks_dir / "manifest.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("complete") is False:
            raise CorpusError("the split did not finish (manifest says complete: false)", where=str(manifest),
                              hint="run the split again")
        names = list(data.get("chunks", []))
        if data.get("num_chunks", len(names)) != len(names):
            raise CorpusError(f"manifest lists {len(names)} chunks but says num_chunks={data.get('num_chunks')}",
                              where=str(manifest))
    else:
        names = [f"chunk_{i:04d}.jsonl" for i in range(1, cfg.corpus.num_chunks + 1)]
    if len(names) != cfg.corpus.num_chunks:
        raise CorpusError(f"the split has {len(names)} chunks, the config says corpus.num_chunks="
                          f"{cfg.corpus.num_chunks}", where=str(manifest),
                          hint="split again with --num-chunks matching the config, then render the jobs again")
    paths = [chunks_dir / name for name in names]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise CorpusError(f"{len(missing)} of {len(paths)} chunk file(s) missing, first {missing[0]}",
                          where=str(chunks_dir),
                          hint="split the corpus first: python training/nemo/data/split_jsonl.py ...")
    return paths


def chunk_input(cfg: StudyConfig, chunks_dir: str | Path, index: int) -> Path:
    """The input of array task ``index`` (1-based)."""
    files = chunk_files(cfg, chunks_dir)
    if not 1 <= index <= len(files):
        raise CorpusError(f"array index {index} is outside 1..{len(files)}", where=str(chunks_dir))
    return files[index - 1]


def preprocess_chunk(cfg: StudyConfig, arm: str, index: int, chunks_dir: str | Path, out_dir: str | Path) -> Path:
    """Tokenize chunk ``index`` with ``arm`` into ``out_dir/<job arm>/<chunk stem>``."""
    from morphtok.data.preprocess import preprocess

    if arm not in cfg.arms.names:
        raise CorpusError(f"arm {arm!r} is not in arms.names {cfg.arms.names}")
    source = chunk_input(cfg, chunks_dir, index)
    prefix = Path(out_dir) / JOB_ARM.get(arm, arm) / source.stem
    prefix.parent.mkdir(parents=True, exist_ok=True)
    log.info("chunk %d: %s -> %s (%s)", index, source, prefix, arm)
    preprocess(source, prefix, arm, seed=cfg.seed, workers=cfg.preprocess.workers, tokenizer_spec=cfg.tokenizer.name,
               params=arm_params(cfg, arm), val_fraction=cfg.corpus.val_fraction, strict=cfg.preprocess.strict)
    return prefix


def prepare_validation(cfg: StudyConfig, chunks_dir: str | Path, out_dir: str | Path) -> Path:
    """``out_dir/validation.jsonl`` (held-out documents of every chunk) and ``out_dir/validation/baseline``."""
    from morphtok.data.preprocess import preprocess, write_validation

    chunk_files(cfg, chunks_dir)  # the whole split is there
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    jsonl = out_dir / "validation.jsonl"
    count = write_validation(chunks_dir, jsonl, cfg.corpus.val_fraction)
    if count == 0:
        raise CorpusError("no validation documents were held out", where=str(jsonl),
                          hint="raise corpus.val_fraction or use a larger corpus")
    prefix = out_dir / "validation" / "baseline"
    prefix.parent.mkdir(parents=True, exist_ok=True)
    preprocess(jsonl, prefix, "baseline", seed=cfg.seed, workers=cfg.preprocess.workers,
               tokenizer_spec=cfg.tokenizer.name, val_fraction=0.0, strict=cfg.preprocess.strict)
    return prefix
