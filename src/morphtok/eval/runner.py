"""Evaluate models on benchmark files; per-item results and a summary per model.

Outputs: ``OUT/<model>/<benchmark>.jsonl`` (one line per item: id, subtask, level, prompt,
the word it is about, options, per-option log-probs after the question and after the neutral
prompt, the predictions of acc, acc_norm, the question-blind control and the calibrated score,
gold, correct, generated text; every line carries the model's and the settings' fingerprints,
see :mod:`eval.records`) and ``OUT/<model>/summary.json`` (per family, subtask and level: n,
the metrics of :mod:`eval.metrics` with 95% Wilson intervals; the model spec, dtype, benchmark
hashes, the settings and time). Items are scored in fixed groups of ``GROUP`` (their MCQ options
share batched forward passes) and each group is appended and flushed; a rerun skips finished
items of the same model and settings, so a killed run loses at most one group. ``limit`` takes
a seeded subset of each file's evaluation items (after the few-shot pool is set aside, whatever
k is), the same items for every model and every k. Ties are broken by a generator seeded per
item, so results never depend on resuming or on ``limit``. Prompts, k-shot and letter mode:
:mod:`morphtok.eval.prompts`. Every file is first run through the benchmark validator (with the
option-only audit); one that fails is skipped with a message naming the file and check (and
listed in ``OUT/rejected_benchmarks.json``), the others go on. Under ``validate=False`` an
earlier-format file is scored even when our recomputation contradicts golds; those records
carry ``gold_contradicted`` and the summary counts them per level.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from morphtok.atomic import atomic_write_json, fingerprint
from morphtok.bench import family as bench_families
from morphtok.bench.reader import read_items
from morphtok.bench.schema import Item
from morphtok.config import EvalConfig
from morphtok.errors import EvaluationError, MorphtokError
from morphtok.eval.grading import neutral_table, score_group
from morphtok.eval.metrics import metrics, wilson
from morphtok.eval.prompts import split_fewshot
from morphtok.eval.records import Identity, ResultsConflict, claim, finished_ids, read_matching
from morphtok.eval.scoring import ScoringModel
from morphtok.progress import make_progress

__all__ = ["EvalSettings", "benchmark_files", "evaluate_model", "run", "subset", "summarize", "wilson"]

log = logging.getLogger(__name__)


def benchmark_names() -> list[str]:
    """What ``--benchmarks`` accepts besides a path to a JSONL file: the registered families
    (``morphtok.benchmarks``), their suites (``pacute``) and the earlier attempt's families."""
    from morphtok.bench.upstream import UPSTREAM_FAMILIES

    names = bench_families.names()
    suites = sorted({suite for name in names for suite in bench_families.get(name).suites})
    return [*suites, *names, *UPSTREAM_FAMILIES]


def benchmark_files(bench_dir: str | Path, benchmarks: list[str], mode: str) -> list[Path]:
    """``{family}_{mcq,gen}.jsonl`` under ``bench_dir``; a name that is a JSONL file is taken as is
    (e.g. a benchmark file in an earlier format, see ``bench.legacy``). An unknown name, or a
    family with no file in any asked format, is an error (never silently skipped)."""
    families, explicit = [], []
    valid = benchmark_names()
    for name in benchmarks:
        if name.endswith(".jsonl"):
            if not Path(name).is_file():
                raise EvaluationError("benchmark file not found", where=name)
            explicit.append(Path(name))
        elif name not in valid:
            raise EvaluationError(f"unknown benchmark {name!r}", hint=f"valid names: {', '.join(valid)}, "
                                  "or a path to a .jsonl benchmark file")
        else:
            families += bench_families.suite_members(name) or [name]
    formats = ("mcq", "gen") if mode == "both" else (mode,)
    files = []
    for family in dict.fromkeys(families):
        found = [Path(bench_dir) / f"{family}_{fmt}.jsonl" for fmt in formats]
        found = [p for p in found if p.is_file()]
        if not found:
            raise EvaluationError(f"no {family} benchmark file ({' or '.join(f'{family}_{f}.jsonl' for f in formats)})",
                                  where=str(bench_dir), hint="run `morphtok bench generate`, or drop the name")
        files += found
    return files + explicit


def subset(items: list[Item], limit: int | None, seed: int) -> list[Item]:
    if limit is None or limit >= len(items):
        return items
    # A prefix of one seeded permutation: a smaller limit gives a subset of a larger one's items.
    keep = sorted(np.random.default_rng(seed).permutation(len(items))[:limit].tolist())
    return [items[k] for k in keep]


GROUP = 16  # items scored together; fixed by position so a resumed run batches (and rounds) alike
RECORD_VERSION = 2  # 2: question-blind and calibrated MCQ scores, fingerprints on every record


@dataclass
class EvalSettings:
    """Everything that can change a record; its fingerprint is on every record line."""

    limit: int | None = None
    seed: int = 0
    num_fewshot: int = 0  # MCQ examples
    gen_fewshot: int = 3  # GEN examples (0: a format check)
    mcq_style: str = "text"  # text | letter
    dtype: str = "float32"
    batch_size: int = 16
    validate: bool = True
    record_version: int = RECORD_VERSION

    @classmethod
    def from_config(cls, cfg: EvalConfig, *, seed: int, limit: int | None) -> EvalSettings:
        """The study's ``eval`` section as settings: every field the two share, copied by name."""
        shared = {f.name for f in fields(cls)} & {f.name for f in fields(cfg)}
        return cls(**{**{name: getattr(cfg, name) for name in shared}, "seed": seed, "limit": limit})


def model_hashes(loaded, settings: EvalSettings) -> dict[str, str]:
    """What exactly was evaluated: the weights as loaded (sha256 over every tensor's bytes, in
    name order; ~2 s per GB), the model config (without paths or versions), the tokenizer, and
    the evaluation settings. Equal hashes in two summaries mean the same model and settings."""
    import torch

    digest = hashlib.sha256()
    for name, tensor in sorted(loaded.model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().data)
    config = {k: v for k, v in loaded.model.config.to_dict().items()
              if k not in ("_name_or_path", "transformers_version", "_commit_hash")}
    return {"model_sha256": digest.hexdigest(), "model_config_sha256": fingerprint(config),
            "tokenizer_hash": loaded.tokenizer.content_hash, "eval_config_sha256": settings_fingerprint(settings)}


def settings_fingerprint(settings: EvalSettings) -> str:
    """Fingerprint of the settings that can change a record (``validate`` only decides which
    files are scored; a record it lets through is marked itself)."""
    return fingerprint({k: v for k, v in asdict(settings).items() if k != "validate"})


def evaluate_model(name: str, spec: str, files: list[Path], out_dir: Path, settings: EvalSettings,
                   force: bool = False, contradicted: dict | None = None) -> Path:
    from morphtok.train.models import load_causal_lm

    target = out_dir / _safe(name)
    target.mkdir(parents=True, exist_ok=True)
    loaded = load_causal_lm(spec, dtype=settings.dtype)
    scorer = ScoringModel(loaded, batch_size=settings.batch_size)
    hashes = model_hashes(loaded, settings)
    identity = Identity(hashes["model_sha256"], hashes["eval_config_sha256"])
    claim(target, identity, force=force)
    start = time.perf_counter()
    scored = []
    with make_progress("items") as progress:
        for path in files:
            items, pool = split_fewshot(read_items(path), settings.seed)
            items = subset(items, settings.limit, settings.seed)
            results_path = target / path.name
            done = finished_ids(results_path, identity)
            task = progress.add_task(f"{name}: {path.stem}", total=len(items), completed=len(done & {i.id for i in items}))
            marked = set((contradicted or {}).get(str(path), {}).get("ids", ()))
            todo = [item for item in items if item.id not in done]
            neutral = neutral_table(scorer, items, settings.mcq_style) if any(i.format == "mcq" for i in todo) else {}
            with open(results_path, "a", encoding="utf-8") as handle:
                for at in range(0, len(items), GROUP):
                    group = items[at : at + GROUP]
                    if all(item.id in done for item in group):
                        continue
                    for record in score_group(scorer, group, pool, settings, neutral):
                        if record["id"] not in done:
                            if record["id"] in marked:
                                record["gold_contradicted"] = True
                            handle.write(json.dumps(identity.stamp(record), ensure_ascii=False) + "\n")
                            progress.advance(task)
                    handle.flush()
            scored.append(path)
    info = {"spec": spec, "dtype": settings.dtype, "num_fewshot": settings.num_fewshot,
            "gen_fewshot": settings.gen_fewshot, "mcq_style": settings.mcq_style, "seed": settings.seed,
            "limit": settings.limit, "batch_size": settings.batch_size, "validate": settings.validate,
            "gen_mode": "format check (0-shot)" if settings.gen_fewshot == 0 else f"{settings.gen_fewshot}-shot",
            "seconds": time.perf_counter() - start, **hashes}
    summarize(target, scored, identity, contradicted=contradicted, **info)
    return target


def summarize(target: Path, files: list[Path], identity: Identity, contradicted: dict | None = None, **info) -> dict:
    """``summary.json`` over this run's records only (see :mod:`eval.records`)."""
    summary: dict = {**info, "benchmarks": {}}
    for path in files:
        records = read_matching(target / path.name, identity)
        groups: dict[str, dict[str, list]] = {"subtask": defaultdict(list), "level": defaultdict(list)}
        for r in records:
            groups["subtask"][r["subtask"]].append(r)
            if r.get("level") is not None:
                groups["level"][str(r["level"])].append(r)
        row = {
            "overall": metrics(records),
            "by_subtask": {k: metrics(v) for k, v in sorted(groups["subtask"].items())},
            "by_level": {k: metrics(v) for k, v in sorted(groups["level"].items())},
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
        marked = (contradicted or {}).get(str(path))
        if marked:
            scored = [r for r in records if r.get("gold_contradicted")]
            row["gold_contradicted"] = {"note": "scored under --no-validate although our recomputation contradicts "
                                                "the gold", "items_in_file": marked["by_level"],
                                        "scored": len(scored)}
        summary["benchmarks"][path.stem] = row
    atomic_write_json(target / "summary.json", summary)
    return summary


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")


_VALIDATED: dict[tuple, dict] = {}  # (path, size, mtime) -> problems: a file is checked once per process


def _problems(path: Path) -> dict:
    from morphtok.bench.validator import validate

    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _VALIDATED:
        try:
            _VALIDATED[key] = validate(read_items(path), option_audit=True)
        except MorphtokError as err:
            _VALIDATED[key] = {"read": [str(err)]}
    return _VALIDATED[key]


def checked_files(files: list[Path]) -> tuple[list[Path], dict[str, dict]]:
    """Files that pass the benchmark validator, and the problems of the others (by file)."""
    good, bad = [], {}
    for path in files:
        problems = _problems(path)
        if problems:
            detail = "; ".join(f"{check}: {msgs[0]}" + (f" (+{len(msgs) - 1} more)" if len(msgs) > 1 else "")
                               for check, msgs in problems.items())
            log.error("skipping %s: it fails the benchmark validator (%s); fix or regenerate it, "
                      "or pass --no-validate to score it anyway", path, detail)
            bad[str(path)] = problems
        else:
            good.append(path)
    return good, bad


def upstream_contradictions(files: list[Path]) -> dict[str, dict]:
    """Per file: the ids of earlier-format items whose gold our recomputation contradicts, and
    their count per level (scored only under --no-validate, and then marked)."""
    from morphtok.bench.recompute import contradictions

    out = {}
    for path in files:
        try:
            found = contradictions(read_items(path))
        except MorphtokError:
            continue  # an unreadable file is reported by the reader when it is scored
        if found:
            by_level: dict[str, int] = defaultdict(int)
            for item, _ in found:
                by_level["all" if item.level is None else str(item.level)] += 1
            out[str(path)] = {"ids": [item.id for item, _ in found], "by_level": dict(sorted(by_level.items()))}
    return out


def run(models: dict[str, str], bench_dir: str | Path, out_dir: str | Path, *, mode: str = "both",
        benchmarks: list[str] | None = None, force: bool = False, **options) -> Path:
    """Evaluate every model; a model that fails, or a benchmark file that fails the validator,
    is reported and the others continue. ``options`` are :class:`EvalSettings` fields;
    ``force`` clears a model's results dir that holds another run's records."""
    settings = EvalSettings(**options)
    if settings.mcq_style not in ("text", "letter"):
        raise EvaluationError(f"unknown MCQ style {settings.mcq_style!r}", hint="use text or letter")
    out_dir = Path(out_dir)
    files = benchmark_files(bench_dir, benchmarks or ["pacute", "hierarchical"], mode)
    if not files:
        raise EvaluationError("no benchmark files found", where=str(bench_dir), hint="run `morphtok bench generate`")
    if settings.validate:
        files, rejected = checked_files(files)
        if rejected:
            out_dir.mkdir(parents=True, exist_ok=True)
            atomic_write_json(out_dir / "rejected_benchmarks.json", rejected)
        if not files:
            raise EvaluationError("every benchmark file fails the validator", where=", ".join(rejected),
                                  hint=f"details in {out_dir / 'rejected_benchmarks.json'}")
    contradicted = upstream_contradictions(files)
    failures = {}
    for name, spec in models.items():
        try:
            evaluate_model(name, spec, files, out_dir, settings, force=force, contradicted=contradicted)
        except ResultsConflict:
            raise  # another run's records: never worked around by going on with the other models
        except MorphtokError as err:
            log.error("model %s failed: %s", name, err)
            failures[name] = str(err)
    if failures and len(failures) == len(models):
        raise EvaluationError(f"every model failed: {failures}")
    return out_dir
