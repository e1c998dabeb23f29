"""Evaluate models on benchmark files; per-item results and a summary per model.

Outputs: ``OUT/<model>/<benchmark>.jsonl`` (one line per item: id, subtask, level,
prompt, options, per-option log-probs, prediction, gold, correct, generated
text) and ``OUT/<model>/summary.json`` (per family, subtask and level: n, acc,
acc_norm or exact_match, a 95% Wilson interval; the model spec, dtype, benchmark
hashes and time). Items are appended and flushed one by one; a rerun skips the
finished ones, so a killed run loses nothing. ``limit`` takes a seeded subset of
each file, the same items for every model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from morphtok.atomic import atomic_write_json
from morphtok.bench.schema import PACUTE, Item, prompt_text, read_items
from morphtok.errors import EvaluationError, MorphtokError
from morphtok.eval.scoring import ScoringModel, pick
from morphtok.progress import make_progress

log = logging.getLogger(__name__)


def benchmark_files(bench_dir: str | Path, benchmarks: list[str], mode: str) -> list[Path]:
    """``{family}_{mcq,gen}.jsonl`` under ``bench_dir``; a name that is a JSONL file is taken as is
    (e.g. a benchmark file in an earlier format, see ``bench.legacy``)."""
    families, explicit = [], []
    for name in benchmarks:
        if name.endswith(".jsonl"):
            if not Path(name).is_file():
                raise EvaluationError("benchmark file not found", where=name)
            explicit.append(Path(name))
        else:
            families += list(PACUTE) if name == "pacute" else [name]
    formats = ("mcq", "gen") if mode == "both" else (mode,)
    files = [Path(bench_dir) / f"{f}_{fmt}.jsonl" for f in families for fmt in formats]
    return [p for p in files if p.is_file()] + explicit


def subset(items: list[Item], limit: int | None, seed: int) -> list[Item]:
    if limit is None or limit >= len(items):
        return items
    keep = sorted(np.random.default_rng(seed).choice(len(items), size=limit, replace=False).tolist())
    return [items[k] for k in keep]


def lenient(text: str) -> str:
    return re.sub(r"[^\w]", "", text.casefold())


def evaluate_model(name: str, spec: str, files: list[Path], out_dir: Path, *, limit, seed, dtype, batch_size) -> Path:
    from morphtok.train.models import load_causal_lm

    target = out_dir / _safe(name)
    target.mkdir(parents=True, exist_ok=True)
    scorer = ScoringModel(load_causal_lm(spec, dtype=dtype), batch_size=batch_size)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    with make_progress("items") as progress:
        for path in files:
            items = subset(read_items(path), limit, seed)
            results_path = target / path.name
            done = _finished_ids(results_path)
            task = progress.add_task(f"{name}: {path.stem}", total=len(items), completed=len(done))
            with open(results_path, "a", encoding="utf-8") as handle:
                for item in items:
                    if item.id in done:
                        continue
                    record = _score_item(scorer, item, rng)
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                    handle.flush()
                    progress.advance(task)
    summarize(target, files, spec=spec, dtype=dtype, seconds=time.perf_counter() - start)
    return target


def _score_item(scorer: ScoringModel, item: Item, rng) -> dict:
    record = {"id": item.id, "family": item.family, "subtask": item.subtask, "level": item.level,
              "format": item.format, "prompt": item.prompt_en, "gold": item.answer}
    context = prompt_text(item)
    if item.format == "mcq":
        options = item.options or []
        sums = scorer.score_options(context, options)
        norms = [s / max(len(o), 1) for s, o in zip(sums, options, strict=True)]
        prediction, prediction_norm = pick(sums, rng), pick(norms, rng)
        record.update(options=options, logprobs=sums, prediction=prediction, prediction_norm=prediction_norm,
                      correct=prediction == item.answer_index, correct_norm=prediction_norm == item.answer_index)
    else:
        generated = scorer.generate_until([context])[0]
        record.update(generated=generated, correct=generated.strip() == item.answer,
                      correct_lenient=lenient(generated) == lenient(item.answer))
    return record


def _finished_ids(path: Path) -> set[str]:
    """Ids already scored; a torn last line (killed run) is cut off so appends stay clean."""
    if not path.is_file():
        return set()
    with open(path, "rb+") as handle:
        data = handle.read()
        keep = data.rfind(b"\n") + 1
        if keep != len(data):
            handle.truncate(keep)
    ids = set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            try:
                ids.add(json.loads(line)["id"])
            except (json.JSONDecodeError, KeyError):
                continue  # a torn last line from a killed run is rescored
    return ids


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 0.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, float(centre - half)), min(1.0, float(centre + half)))


_METRIC_FIELDS = {"mcq": (("acc", "correct"), ("acc_norm", "correct_norm")),
                  "gen": (("exact_match", "correct"), ("lenient_match", "correct_lenient"))}


def _metrics(records: list[dict]) -> dict:
    """n, and per format present its metrics with 95% Wilson intervals (an earlier-format
    file may mix MCQ and GEN items; each metric is over its own items, counted in n_mcq/n_gen)."""
    out: dict = {"n": len(records)}
    by_format = {fmt: [r for r in records if r["format"] == fmt] for fmt in _METRIC_FIELDS}
    mixed = sum(bool(group) for group in by_format.values()) > 1
    for fmt, group in by_format.items():
        if not group:
            continue
        if mixed:
            out[f"n_{fmt}"] = len(group)
        for metric, field in _METRIC_FIELDS[fmt]:
            hits = sum(bool(r[field]) for r in group)
            out[metric] = hits / len(group)
            out[f"{metric}_ci95"] = wilson(hits, len(group))
    return out


def summarize(target: Path, files: list[Path], **info) -> dict:
    summary: dict = {**info, "benchmarks": {}}
    for path in files:
        records = [json.loads(line) for line in open(target / path.name, encoding="utf-8")] if (target / path.name).is_file() else []
        groups: dict[str, dict[str, list]] = {"subtask": defaultdict(list), "level": defaultdict(list)}
        for r in records:
            groups["subtask"][r["subtask"]].append(r)
            if r.get("level") is not None:
                groups["level"][str(r["level"])].append(r)
        summary["benchmarks"][path.stem] = {
            "overall": _metrics(records),
            "by_subtask": {k: _metrics(v) for k, v in sorted(groups["subtask"].items())},
            "by_level": {k: _metrics(v) for k, v in sorted(groups["level"].items())},
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    atomic_write_json(target / "summary.json", summary)
    return summary


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")


def run(models: dict[str, str], bench_dir: str | Path, out_dir: str | Path, *, mode: str = "both",
        limit: int | None = None, seed: int = 0, num_fewshot: int = 0, dtype: str = "float32",
        batch_size: int = 8, benchmarks: list[str] | None = None) -> Path:
    """Evaluate every model; a model that fails is reported and the others continue."""
    if num_fewshot:
        log.warning("num_fewshot=%d requested; this build evaluates zero-shot only", num_fewshot)
    out_dir = Path(out_dir)
    files = benchmark_files(bench_dir, benchmarks or ["pacute", "hierarchical"], mode)
    if not files:
        raise EvaluationError("no benchmark files found", where=str(bench_dir), hint="run `morphtok bench generate`")
    failures = {}
    for name, spec in models.items():
        try:
            evaluate_model(name, spec, files, out_dir, limit=limit, seed=seed, dtype=dtype, batch_size=batch_size)
        except MorphtokError as err:
            log.error("model %s failed: %s", name, err)
            failures[name] = str(err)
    if failures and len(failures) == len(models):
        raise EvaluationError(f"every model failed: {failures}")
    return out_dir
