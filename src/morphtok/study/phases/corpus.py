"""Phase ``corpus``: acquire the corpus as one JSONL file (resumable download), split it into chunks."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from morphtok.config import StudyConfig
from morphtok.errors import NetworkError
from morphtok.study.phase import Estimate, write_result
from morphtok.study.phases.cluster_jobs import needs_cluster, render_cluster_jobs
from morphtok.study.throughputs import corpus_bytes, load_throughputs

log = logging.getLogger(__name__)


def run(cfg: StudyConfig, workdir: Path) -> Path:
    """The corpus file and its chunks (+ manifest); without network, the commands to fetch it elsewhere."""
    from morphtok.data.chunks import split_jsonl
    from morphtok.data.corpus import fetch
    from morphtok.data.manifest import read_manifest

    source = cfg.corpus
    target = workdir / "corpus.jsonl"
    try:
        if _fetched_elsewhere(target, source):
            corpus_file = target
        else:
            corpus_file = Path(fetch(source.source, target, limit=source.limit, language=source.language))
    except NetworkError as err:
        if source.source != "seapile":
            raise
        # No network here: say exactly what to run where there is one; the rest waits.
        log.warning("%s", err)
        if needs_cluster(cfg, workdir):  # the cluster does the rest: download, split, then submit_all.sh
            return render_cluster_jobs(cfg, workdir)
        return _needs_network(cfg, workdir, target, err.message)
    split_jsonl(corpus_file, workdir / "chunks", source.num_chunks)
    manifest = read_manifest(workdir / "chunks")
    size = corpus_file.stat().st_size
    fetched = _read_meta(corpus_file)
    skipped = fetched.get("skipped", {}).get("total")
    return write_result(
        workdir,
        {"corpus": str(corpus_file), "chunks": [str(p) for p in manifest.paths()], "manifest": str(manifest.path),
         "bytes": size, "fetch": {k: fetched.get(k) for k in ("records_read", "documents", "skipped")}},
        message=f"{size / 1e6:,.1f} MB in {manifest.num_chunks} chunk(s)"
        + (f", {skipped:,} bad record(s) skipped" if skipped else ""),
    )


def _needs_network(cfg: StudyConfig, workdir: Path, target: Path, error: str) -> Path:
    run_dir = workdir.parent
    commands = [
        f"python scripts/download_seapile.py --output {target} --language {cfg.corpus.language}"
        + (f" --limit {cfg.corpus.limit}" if cfg.corpus.limit else ""),
        f"morphtok study run --config {run_dir / 'config.yaml'} --out {run_dir}",
    ]
    return write_result(workdir, {"next_commands": commands, "error": error}, complete=False,
                        message="needs network (Hugging Face hub + HF_TOKEN): download elsewhere, then rerun")


def _read_meta(corpus_file: Path) -> dict[str, Any]:
    meta = corpus_file.with_name(corpus_file.name + ".meta.json")
    return json.loads(meta.read_text(encoding="utf-8")) if meta.is_file() else {}


def _fetched_elsewhere(target: Path, cfg) -> bool:
    """A finished download placed here by ``scripts/download_seapile.py`` (its .meta.json matches)."""
    meta = target.with_name(target.name + ".meta.json")
    if cfg.source != "seapile" or not (target.is_file() and meta.is_file()):
        return False
    info = json.loads(meta.read_text(encoding="utf-8"))
    return info.get("source") == "seapile" and info.get("limit") == cfg.limit


def estimate(cfg: StudyConfig) -> Estimate:
    tp = load_throughputs()["corpus"]
    n_bytes = corpus_bytes(cfg)
    seconds = n_bytes / tp["split_bytes_per_s"]
    where, note = "cpu", f"{n_bytes / 1e6:,.1f} MB into {cfg.corpus.num_chunks} chunk(s)"
    if cfg.corpus.source == "seapile":
        seconds += n_bytes / tp["download_bytes_per_s"]
        where, note = "network", "needs the HF hub and HF_TOKEN; " + note
    return Estimate(seconds, 2 * n_bytes, where, note)
