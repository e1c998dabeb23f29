"""The six phases of a study, each a small function over a :class:`StudyContext`.

Each phase calls its owner's library entry point and returns the paths that
downstream phases need. When an entry point is not importable (a phase not yet
built, or an optional dependency missing), the phase raises a
:class:`~morphtok.errors.StudyError` naming it -- it never fakes output.
"""

from __future__ import annotations

import dataclasses
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
    """The processor parameters of one arm (baseline has none)."""
    section = getattr(cfg.arms, arm, None)
    return dataclasses.asdict(section) if dataclasses.is_dataclass(section) else {}


# --------------------------------------------------------------------------- corpus


def run_corpus(ctx: StudyContext) -> PhaseResult:
    """Acquire the corpus as one JSONL file (resumable download), then split it into chunks."""
    from morphtok.data.chunks import split_jsonl

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
    chunks = [str(p) for p in split_jsonl(corpus_file, out / "chunks", cfg.num_chunks)]
    size = corpus_file.stat().st_size
    return PhaseResult(
        {"corpus": str(corpus_file), "chunks": chunks, "bytes": size},
        message=f"{size / 1e6:,.1f} MB in {len(chunks)} chunk(s)",
    )


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

    Finished chunk prefixes (``.stats.json`` present) are kept, so an interrupted
    phase only redoes unfinished chunks.
    """
    from morphtok.data.preprocess import preprocess, stats_path, write_validation

    cfg = ctx.cfg
    chunks = ctx.upstream("corpus")["chunks"]
    out = ctx.phase_dir("preprocess")
    prefixes: dict[str, list[str]] = {}
    tokens: dict[str, int] = {}
    for arm in cfg.arms.names:
        prefixes[arm], tokens[arm] = [], 0
        for chunk in chunks:
            prefix = out / arm / Path(chunk).stem
            if not stats_path(prefix).is_file():
                preprocess(
                    chunk,
                    prefix,
                    arm,
                    seed=cfg.seed,
                    workers=cfg.preprocess.workers,
                    tokenizer_spec=cfg.tokenizer.name,
                    params=arm_params(cfg, arm),
                    val_fraction=cfg.corpus.val_fraction,
                    strict=cfg.preprocess.strict,
                )
            import json

            tokens[arm] += json.loads(stats_path(prefix).read_text(encoding="utf-8"))["tokens"]
            prefixes[arm].append(str(prefix))
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
    summary = ", ".join(f"{arm} {n:,} tok" for arm, n in tokens.items())
    return PhaseResult(
        {"prefixes": prefixes, "validation": str(validation), "tokens": tokens, "validation_documents": count},
        message=summary,
    )


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
    for arm in cfg.arms.names:
        checkpoint_dir = ctx.phase_dir("train") / arm
        result = train(cfg, arm, pre["prefixes"][arm], pre["validation"], checkpoint_dir)
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
    """No GPU here: render the PBS/Slurm jobs for training and stop, saying what to run next."""
    render = entry_point("train", "morphtok.cluster", "render_jobs")
    out = ctx.phase_dir("train") / "jobs"
    rendered = render(ctx.cfg, out, run_dir=ctx.run_dir)
    paths = [str(p) for p in (rendered.values() if isinstance(rendered, dict) else rendered)]
    commands = [f"qsub {p}" for p in paths if p.endswith(".pbs")] + [f"sbatch {p}" for p in paths if p.endswith(".slurm")]
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
