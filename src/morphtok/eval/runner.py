"""Evaluate models on benchmark files; per-item results and a summary per model.

Outputs: ``OUT/<model>/<benchmark>.jsonl`` (one line per item: id, subtask, level,
prompt, options, per-option log-probs, prediction, gold, correct, generated
text) and ``OUT/<model>/summary.json`` (per family, subtask and level: n, acc,
acc_norm or exact_match, a 95% Wilson interval; the model spec, dtype, benchmark
hashes, the settings and time). Items are scored in fixed groups of ``GROUP`` (their
MCQ options share batched forward passes) and each group is appended and flushed; a
rerun skips finished items, so a killed run loses at most one group. ``limit`` takes a
seeded subset of each file, the same items for every model. Ties are broken by a
generator seeded per item, so results never depend on resuming or on ``limit``.
Prompts, k-shot and letter mode: :mod:`morphtok.eval.prompts`. Every file is first run
through the benchmark validator; one that fails is skipped with a message naming the
file and check (and listed in ``OUT/rejected_benchmarks.json``), the others go on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from morphtok.atomic import atomic_write_json, fingerprint
from morphtok.bench.schema import PACUTE, Item, read_items
from morphtok.errors import EvaluationError, MorphtokError
from morphtok.eval.prompts import build_prompt, choices, item_rng, shots_for, split_fewshot
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
    # A prefix of one seeded permutation: a smaller limit gives a subset of a larger one's items.
    keep = sorted(np.random.default_rng(seed).permutation(len(items))[:limit].tolist())
    return [items[k] for k in keep]


def lenient(text: str) -> str:
    return re.sub(r"[^\w]", "", text.casefold())


GROUP = 16  # items scored together; fixed by position so a resumed run batches (and rounds) alike


@dataclass
class EvalSettings:
    limit: int | None = None
    seed: int = 0
    num_fewshot: int = 0
    mcq_style: str = "text"  # text | letter
    dtype: str = "float32"
    batch_size: int = 16
    validate: bool = True


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
            "tokenizer_hash": loaded.tokenizer.content_hash, "eval_config_sha256": fingerprint(asdict(settings))}


def evaluate_model(name: str, spec: str, files: list[Path], out_dir: Path, settings: EvalSettings) -> Path:
    from morphtok.train.models import load_causal_lm

    target = out_dir / _safe(name)
    target.mkdir(parents=True, exist_ok=True)
    loaded = load_causal_lm(spec, dtype=settings.dtype)
    scorer = ScoringModel(loaded, batch_size=settings.batch_size)
    hashes = model_hashes(loaded, settings)
    start = time.perf_counter()
    scored = []
    with make_progress("items") as progress:
        for path in files:
            all_items = read_items(path)
            items, pool = split_fewshot(all_items, settings.seed, settings.num_fewshot)
            items = subset(items, settings.limit, settings.seed)
            results_path = target / path.name
            done = _finished_ids(results_path)
            task = progress.add_task(f"{name}: {path.stem}", total=len(items), completed=len(done & {i.id for i in items}))
            with open(results_path, "a", encoding="utf-8") as handle:
                for at in range(0, len(items), GROUP):
                    group = items[at : at + GROUP]
                    if all(item.id in done for item in group):
                        continue
                    for record in _score_group(scorer, group, pool, settings):
                        if record["id"] not in done:
                            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                            progress.advance(task)
                    handle.flush()
            scored.append(path)
    summarize(target, scored, spec=spec, dtype=settings.dtype, num_fewshot=settings.num_fewshot,
              mcq_style=settings.mcq_style, seed=settings.seed, limit=settings.limit, batch_size=settings.batch_size,
              seconds=time.perf_counter() - start, **hashes)
    return target


def _score_group(scorer: ScoringModel, group: list[Item], pool: dict, settings: EvalSettings) -> list[dict]:
    """Records for a group of items: the MCQ items' options share batched forward passes."""
    style, shots = settings.mcq_style, {}
    for item in group:
        shots[item.id] = shots_for(item, pool, settings.num_fewshot, settings.seed)
    prompts = {item.id: build_prompt(item, shots[item.id], style) for item in group}
    mcq = [item for item in group if item.format == "mcq"]
    sums = dict(zip([i.id for i in mcq], scorer.score_many([(prompts[i.id], choices(i, style)) for i in mcq]),
                    strict=True))
    records = []
    for item in group:
        record = {"id": item.id, "family": item.family, "subtask": item.subtask, "level": item.level,
                  "format": item.format, "prompt": item.prompt_en, "gold": item.answer}
        if shots[item.id]:
            record["shots"] = [shot.id for shot in shots[item.id]]
        if item.format == "mcq":
            options, scores, rng = choices(item, style), sums[item.id], item_rng(settings.seed, item.id)
            norms = [s / max(len(o), 1) for s, o in zip(scores, options, strict=True)]
            prediction, prediction_norm = pick(scores, rng), pick(norms, rng)
            record.update(options=item.options, logprobs=scores, prediction=prediction,
                          prediction_norm=prediction_norm, correct=prediction == item.answer_index,
                          correct_norm=prediction_norm == item.answer_index)
            if style == "letter":
                record["scored"] = options
        else:
            generated = scorer.generate_until([prompts[item.id]])[0]
            record.update(generated=generated, correct=generated.strip() == item.answer,
                          correct_lenient=lenient(generated) == lenient(item.answer))
        records.append(record)
    return records


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


def checked_files(files: list[Path]) -> tuple[list[Path], dict[str, dict]]:
    """Files that pass the benchmark validator, and the problems of the others (by file)."""
    from morphtok.bench.validator import validate

    good, bad = [], {}
    for path in files:
        try:
            problems = validate(read_items(path))
        except MorphtokError as err:
            problems = {"read": [str(err)]}
        if problems:
            detail = "; ".join(f"{check}: {msgs[0]}" + (f" (+{len(msgs) - 1} more)" if len(msgs) > 1 else "")
                               for check, msgs in problems.items())
            log.error("skipping %s: it fails the benchmark validator (%s); fix or regenerate it, "
                      "or pass --no-validate to score it anyway", path, detail)
            bad[str(path)] = problems
        else:
            good.append(path)
    return good, bad


def run(models: dict[str, str], bench_dir: str | Path, out_dir: str | Path, *, mode: str = "both",
        benchmarks: list[str] | None = None, **options) -> Path:
    """Evaluate every model; a model that fails, or a benchmark file that fails the validator,
    is reported and the others continue. ``options`` are :class:`EvalSettings` fields."""
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
    failures = {}
    for name, spec in models.items():
        try:
            evaluate_model(name, spec, files, out_dir, settings)
        except MorphtokError as err:
            log.error("model %s failed: %s", name, err)
            failures[name] = str(err)
    if failures and len(failures) == len(models):
        raise EvaluationError(f"every model failed: {failures}")
    return out_dir
