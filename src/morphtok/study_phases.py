"""The six phases of a study, each a small function over a :class:`StudyContext`.

Each phase calls its owner's library entry point and returns the paths that
downstream phases need. When an entry point is not importable (a phase not yet
built, or an optional dependency missing), the phase raises a
:class:`~morphtok.errors.StudyError` naming it -- it never fakes output.
"""

from __future__ import annotations

import importlib
import logging
import shutil
from pathlib import Path
from typing import Any

from morphtok.errors import CorpusError, NetworkError, StudyError
from morphtok.study import Phase, PhaseResult, StudyContext

log = logging.getLogger(__name__)


def entry_point(phase: str, module: str, name: str) -> Any:
    """Import ``module.name`` or raise a StudyError saying which phase is unavailable."""
    try:
        mod = importlib.import_module(module)
    except ImportError as err:
        raise StudyError(
            f"phase '{phase}' is not available: cannot import {module} ({err})",
            hint="this phase's library entry point has not landed in this checkout, or a dependency is missing",
        ) from None
    fn = getattr(mod, name, None)
    if fn is None:
        raise StudyError(
            f"phase '{phase}' is not available: {module}.{name} does not exist",
            hint="update morphtok, or run the phases before it with --only/--from",
        )
    return fn


def arm_params(cfg, arm: str) -> dict[str, Any]:
    """The processor parameters of one arm (baseline has none), with the study's language."""
    from morphtok.segment.processor import with_language

    return with_language(arm, cfg.arms.params(arm), cfg.corpus.language)


# --------------------------------------------------------------------------- corpus


def run_corpus(ctx: StudyContext) -> PhaseResult:
    """Acquire the corpus as one JSONL file (resumable download), then split it into chunks (+ manifest)."""
    from morphtok.data.chunks import split_jsonl
    from morphtok.data.manifest import read_manifest

    cfg, out = ctx.cfg.corpus, ctx.phase_dir("corpus")
    fetch = entry_point("corpus", "morphtok.data.corpus", "fetch")
    target = out / "corpus.jsonl"
    try:
        if _fetched_elsewhere(target, cfg):
            corpus_file = target
        else:
            corpus_file = Path(fetch(cfg.source, target, limit=cfg.limit, language=cfg.language))
    except NetworkError as err:
        if cfg.source != "seapile":
            raise
        # No network here: say exactly what to run where there is one; the rest waits.
        log.warning("%s", err)
        if _needs_cluster(ctx):  # the cluster does the rest: download, split, then submit_all.sh
            return _render_cluster_jobs(ctx)
        commands = [
            f"python scripts/download_seapile.py --output {target} --language {cfg.language}"
            + (f" --limit {cfg.limit}" if cfg.limit else ""),
            f"morphtok study run --config {ctx.run_dir / 'config.yaml'} --out {ctx.run_dir}",
        ]
        return PhaseResult(
            {"next_commands": commands, "error": err.message},
            complete=False,
            message="needs network (Hugging Face hub + HF_TOKEN): download elsewhere, then rerun",
        )
    split_jsonl(corpus_file, out / "chunks", cfg.num_chunks)
    manifest = read_manifest(out / "chunks")
    size = corpus_file.stat().st_size
    fetched = _read_meta(corpus_file)
    return PhaseResult(
        {"corpus": str(corpus_file), "chunks": [str(p) for p in manifest.paths()], "manifest": str(manifest.path),
         "bytes": size, "fetch": {k: fetched.get(k) for k in ("records_read", "documents", "skipped")}},
        message=f"{size / 1e6:,.1f} MB in {manifest.num_chunks} chunk(s)"
        + (f", {fetched['skipped']['total']:,} bad record(s) skipped" if fetched.get("skipped", {}).get("total") else ""),
    )


def _read_meta(corpus_file: Path) -> dict[str, Any]:
    import json

    meta = corpus_file.with_name(corpus_file.name + ".meta.json")
    return json.loads(meta.read_text(encoding="utf-8")) if meta.is_file() else {}


def _fetched_elsewhere(target: Path, cfg) -> bool:
    """A finished download placed here by ``scripts/download_seapile.py`` (its .meta.json matches)."""
    import json

    meta = target.with_name(target.name + ".meta.json")
    if cfg.source != "seapile" or not (target.is_file() and meta.is_file()):
        return False
    info = json.loads(meta.read_text(encoding="utf-8"))
    return info.get("source") == "seapile" and info.get("limit") == cfg.limit


# --------------------------------------------------------------------------- preprocess


def run_preprocess(ctx: StudyContext) -> PhaseResult:
    """Every arm over every chunk (one indexed prefix per chunk), plus the shared validation.jsonl.

    The chunks are the split's manifest's. A chunk prefix already committed with the same
    fingerprint is reused (:func:`morphtok.data.preprocess.preprocess`), so an interrupted
    phase only redoes unfinished chunks.
    """
    from morphtok.data.manifest import read_manifest
    from morphtok.data.preprocess import preprocess, write_validation

    cfg = ctx.cfg
    corpus = ctx.upstream("corpus")
    chunks = [str(p) for p in read_manifest(corpus["manifest"]).paths()] if "manifest" in corpus else corpus["chunks"]
    out = ctx.phase_dir("preprocess")
    prefixes: dict[str, list[str]] = {}
    stats: dict[str, list[dict]] = {}
    for arm in cfg.arms.names:
        prefixes[arm] = [str(out / arm / Path(chunk).stem) for chunk in chunks]
        stats[arm] = [
            preprocess(chunk, prefix, arm, seed=cfg.seed, workers=cfg.preprocess.workers,
                       tokenizer_spec=cfg.tokenizer.name, params=arm_params(cfg, arm),
                       val_fraction=cfg.corpus.val_fraction, strict=cfg.preprocess.strict)
            for chunk, prefix in zip(chunks, prefixes[arm], strict=True)
        ]
    validation = out / "validation.jsonl"
    count = 0
    for chunk in chunks:  # one file over all chunks; each chunk holds out by document key
        part = out / f".validation_{Path(chunk).stem}.jsonl"
        count += write_validation(chunk, part, cfg.corpus.val_fraction)
    _concat([out / f".validation_{Path(c).stem}.jsonl" for c in chunks], validation)
    if count == 0:
        raise CorpusError(
            "no validation documents were held out",
            where=str(validation),
            hint="raise corpus.val_fraction or use a larger corpus",
        )
    tokens = {arm: sum(s["tokens"] for s in arm_stats) for arm, arm_stats in stats.items()}
    accounting = input_accounting(corpus.get("fetch") or {}, stats)
    summary = ", ".join(f"{arm} {n:,} tok" for arm, n in tokens.items())
    skipped = accounting["fetch_skipped"]["total"] + max((a["skipped"] for a in accounting["arms"].values()), default=0)
    return PhaseResult(
        {"prefixes": prefixes, "validation": str(validation), "tokens": tokens, "validation_documents": count,
         "accounting": accounting},
        message=summary + (f"; {skipped:,} bad input record(s) skipped (see preprocess/done: accounting)" if skipped else ""),
    )


def input_accounting(fetch: dict[str, Any], stats: dict[str, list[dict]]) -> dict[str, Any]:
    """Where every input record went: fetched or skipped by the fetch, then per arm used, held out or skipped.

    ``input_records`` is what the fetch read (or, without a fetch record, what preprocessing
    read); for each arm ``documents + held_out + skipped`` is what preprocessing read.
    """
    fetch_skipped = fetch.get("skipped") or {"total": 0, "by_reason": {}, "examples": {}}
    arms = {}
    for arm, parts in stats.items():
        by_reason: dict[str, int] = {}
        for part in parts:
            for reason, n in part["skipped"]["by_reason"].items():
                by_reason[reason] = by_reason.get(reason, 0) + n
        arms[arm] = {"documents": sum(p["documents"] for p in parts),
                     "held_out": sum(p["held_out"]["documents"] for p in parts),
                     "skipped": sum(p["skipped"]["total"] for p in parts), "skipped_by_reason": by_reason,
                     "input_records": sum(p["input_records"] for p in parts)}
    preprocess_read = max((a["input_records"] for a in arms.values()), default=0)
    records = fetch.get("records_read")
    return {"input_records": records if records is not None else preprocess_read,
            "fetch_skipped": {k: fetch_skipped.get(k) for k in ("total", "by_reason", "examples")}, "arms": arms}


def _concat(parts: list[Path], target: Path) -> None:
    from morphtok.atomic import atomic_open

    with atomic_open(target, "wb") as handle:
        for part in parts:
            with open(part, "rb") as source:
                shutil.copyfileobj(source, handle)
            part.unlink()


# --------------------------------------------------------------------------- bench


def run_bench(ctx: StudyContext) -> PhaseResult:
    generate = entry_point("bench", "morphtok.bench.generate", "run")
    out = ctx.phase_dir("bench") / "benchmarks"
    generate(ctx.cfg.bench, out)
    return PhaseResult({"benchmark_dir": str(out)})


# --------------------------------------------------------------------------- train


def run_train(ctx: StudyContext) -> PhaseResult:
    cfg = ctx.cfg
    pre = ctx.upstream("preprocess")
    if _needs_cluster(ctx):
        return _render_cluster_jobs(ctx)
    train = entry_point("train", "morphtok.train.trainer", "run")
    models: dict[str, str] = {}
    training_dirs: dict[str, str] = {}
    # The tiny model's vocabulary comes from every arm's declared datasets (one map for all arms).
    every_arm = [prefix for arm in cfg.arms.names for prefix in pre["prefixes"][arm]]
    for arm in cfg.arms.names:
        checkpoint_dir = ctx.phase_dir("train") / arm
        result = train(cfg, arm, pre["prefixes"][arm], pre["validation"], checkpoint_dir, vocab_prefixes=every_arm)
        export = _export_dir(result, checkpoint_dir)
        models[arm] = str(export)
        training_dirs[arm] = str(checkpoint_dir)
    return PhaseResult({"models": models, "training_dirs": training_dirs})


def _export_dir(result: Any, checkpoint_dir: Path) -> Path:
    """The trainer returns the exported HF dir (a path, or an object/dict holding one)."""
    for candidate in (
        result,
        getattr(result, "export_dir", None),
        result.get("export_dir") if isinstance(result, dict) else None,
    ):
        if isinstance(candidate, (str, Path)) and Path(candidate).is_dir():
            return Path(candidate)
    default = checkpoint_dir / "export"
    if default.is_dir():
        return default
    raise StudyError(
        "the trainer finished but no exported model was found",
        where=str(checkpoint_dir),
        hint="expected the trainer to return the export directory",
    )


def _needs_cluster(ctx: StudyContext) -> bool:
    return ctx.cfg.train.num_gpus > 0 and not ctx.has_gpu


def _render_cluster_jobs(ctx: StudyContext) -> PhaseResult:
    """No GPU here: render the cluster jobs for training and stop, saying what to run next."""
    submit_plan = entry_point("train", "morphtok.cluster", "submit_plan")
    rendered, commands = submit_plan(ctx.cfg, ctx.run_dir)
    paths = [str(p) for p in rendered.values()]
    return PhaseResult(
        {"jobs": paths, "next_commands": commands},
        complete=False,
        message=f"needs {ctx.cfg.train.num_gpus} GPU(s) x {ctx.cfg.train.num_nodes} node(s); jobs rendered",
    )


# --------------------------------------------------------------------------- eval


def run_eval(ctx: StudyContext) -> PhaseResult:
    cfg = ctx.cfg.eval
    evaluate = entry_point("eval", "morphtok.eval.runner", "run")
    models = dict(ctx.upstream("train")["models"])
    bench_dir = ctx.upstream("bench")["benchmark_dir"]
    out = ctx.phase_dir("eval") / "results"
    common = {"mode": cfg.mode, "num_fewshot": cfg.num_fewshot, "gen_fewshot": cfg.gen_fewshot,
              "mcq_style": cfg.mcq_style, "dtype": cfg.dtype,
              "batch_size": cfg.batch_size, "validate": cfg.validate, "benchmarks": list(cfg.benchmarks)}
    evaluate(models, bench_dir, out, limit=cfg.limit, seed=ctx.cfg.seed, **common)
    if cfg.reference_models:
        # Reference rows (e.g. base gemma3-270m) on a seeded subset: too slow on CPU for the full set.
        refs = {name: name for name in cfg.reference_models}
        evaluate(refs, bench_dir, out, limit=cfg.reference_limit, seed=ctx.cfg.seed, **common)
    return PhaseResult({"results_dir": str(out), "models": sorted(models) + list(cfg.reference_models)})


# --------------------------------------------------------------------------- analysis


def run_analysis(ctx: StudyContext) -> PhaseResult:
    """Tables, statistics and plots into ``analysis/``; report.md/report.html at the run dir's top."""
    import re

    from morphtok.atomic import atomic_write_bytes, atomic_write_text

    report = entry_point("analysis", "morphtok.analysis.report", "run")
    out = ctx.phase_dir("analysis")
    paths = report(
        ctx.upstream("eval")["results_dir"],
        out,
        training_dirs=ctx.upstream("train").get("training_dirs", {}),
        tokenization=ctx.upstream("preprocess")["prefixes"],
        cfg=ctx.cfg.analysis,
    )
    md, html = Path(paths["report_md"]), Path(paths["report_html"])
    for path in (md, html):
        if not path.is_file():
            raise StudyError("the analysis finished but did not write its report", where=str(path))
    # The markdown's plots are files beside it: point them into analysis/ from the run dir.
    text = re.sub(r"(!\[[^\]]*\]\()(?![a-z]+:|/)([^)]+\))", rf"\g<1>{out.name}/\g<2>", md.read_text(encoding="utf-8"))
    top_md = atomic_write_text(ctx.run_dir / "report.md", text)
    top_html = atomic_write_bytes(ctx.run_dir / "report.html", html.read_bytes())  # self-contained
    return PhaseResult({"report_md": str(top_md), "report_html": str(top_html)}, message=f"{top_html}")


PHASES: list[Phase] = [
    Phase("corpus", ("corpus",), (), run_corpus, "acquire the corpus and split it into chunks"),
    Phase("preprocess", ("seed", "tokenizer", "arms", "preprocess", "corpus"), ("corpus",), run_preprocess,
          "tokenize every chunk with each arm -> indexed datasets + validation.jsonl"),
    Phase("bench", ("bench",), (), run_bench, "generate the PACUTE + hierarchical benchmarks"),
    Phase("train", ("seed", "tokenizer", "train"), ("preprocess",), run_train,
          "continued pretraining, one model per arm, then HF export"),
    Phase("eval", ("seed", "eval"), ("train", "bench"), run_eval, "MCQ + generative evaluation of every model"),
    Phase("analysis", ("analysis",), ("eval", "train", "preprocess"), run_analysis,
          "metrics, CIs, significance, plots -> report.md/report.html"),
]
