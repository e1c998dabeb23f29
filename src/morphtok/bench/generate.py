"""Generate the PACUTE + hierarchical benchmarks, validate them, write them atomically.

Words are sampled by frequency weight from the lexicon with a seeded generator;
MCQ and GEN items come from one stream with a shared de-duplication set, so the
two formats never share a prompt. Every file is validated before it is written;
a failing file is refused with the reasons. Same seed -> byte-identical files.

Outputs in the benchmark directory: ``{family}_{mcq,gen}.jsonl`` and
``manifest.json`` (counts per subtask, validator results, gold-position and
gold-length-rank tables, generator version, seed, lexicon hash, file hashes).

The stress family is left out: no word list on PyPI carries accent marks, and
guessed stress would be worse than none (recorded in the manifest).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from pathlib import Path

import numpy as np

from morphtok.atomic import atomic_write_json, atomic_write_text, fingerprint, is_done, mark_done
from morphtok.bench.schema import FAMILIES, Item
from morphtok.bench.tasks import SUBTASKS, Subtask, fill, trusted_analysis
from morphtok.bench.validator import gold_positions, leaks, length_ranks, validate
from morphtok.errors import BenchmarkError
from morphtok.lang.fil import Lexicon

log = logging.getLogger(__name__)
GENERATOR_VERSION = "1.3"  # 1.1: case, accent-mark, comparison, identify_affix and replace_prefix subtasks;
# 1.2: gold positions balanced per subtask by construction (a seeded permutation of equal counts);
# 1.3: o -> u before every suffix (upuan, regaluhan); a vowel-final root + suffix only when attested
# Items per format for each family (the earlier benchmark's sizes, as minimums).
FAMILY_SIZES = {
    "affixation": (140, 140),
    "composition": (900, 500),
    "manipulation": (800, 800),
    "syllabification": (400, 400),
    "hierarchical": (600, 600),
}
_PLAIN = re.compile(r"^[a-z]{3,12}$")


def _word_pools(lexicon: Lexicon) -> dict[str, list[str]]:
    words = [w for w in lexicon.words[:20000] if _PLAIN.match(w) and w not in lexicon.function_words]
    affixed = [w for w in words if (best := trusted_analysis(w)) is not None and best.is_affixed]
    roots = sorted(r for r in lexicon.hand_roots if _PLAIN.match(r) and r not in lexicon.function_words)
    return {"words": words, "affixed": affixed, "roots": roots}


def _pool_for(task: Subtask) -> str:
    if task.name in ("inflect", "apply_affix"):
        return "roots"
    if task.name in ("identify", "identify_affix", "find_root", "remove_prefix", "replace_prefix", "root_then_affix",
                     "reduplication"):
        return "affixed"
    return "words"


def generate(
    seed: int = 1859, sizes: dict[str, int] | None = None, families: list[str] | None = None, scale: float = 1.0
) -> dict[str, list[Item]]:
    """Items per file name (``{family}_{format}``), validated."""
    lexicon = Lexicon.default()
    pools = _word_pools(lexicon)
    rng = np.random.default_rng(seed)
    families = families or list(FAMILY_SIZES)
    for family in families:
        if family not in FAMILY_SIZES:
            raise BenchmarkError(f"unknown benchmark family '{family}'", hint=f"families: {', '.join(FAMILY_SIZES)}")
    files: dict[str, list[Item]] = {}
    for family in families:
        tasks = [t for t in SUBTASKS if t.family == family]
        mcq_total, gen_total = (max(len(tasks), round(n * scale)) for n in FAMILY_SIZES[family])
        seen: set[str] = set()
        for fmt, total in (("mcq", mcq_total), ("gen", gen_total)):
            items: list[Item] = []
            for task, default in zip(tasks, default_sizes(tasks, total), strict=True):
                want = (sizes or {}).get(task.name, default)
                items += _items_for(task, fmt, want, pools[_pool_for(task)], lexicon, rng, seen)
            files[f"{family}_{fmt}"] = items
    return files


def default_sizes(tasks: list[Subtask], total: int) -> list[int]:
    """Split ``total`` items evenly over hierarchical levels (100 per level in the default
    set, however many subtasks a level has), then evenly over each level's subtasks;
    a family without levels splits evenly over its subtasks."""
    groups: dict[object, list[int]] = {}
    for index, task in enumerate(tasks):
        groups.setdefault(task.level if task.level is not None else ("task", index), []).append(index)
    out = [0] * len(tasks)
    for g, members in enumerate(groups.values()):
        share = total // len(groups) + (1 if g < total % len(groups) else 0)
        for m, index in enumerate(members):
            out[index] = share // len(members) + (1 if m < share % len(members) else 0)
    return out


def _items_for(task, fmt, want, pool, lexicon, rng, seen) -> list[Item]:
    out: list[Item] = []
    attempts = 0
    candidates = lexicon.sample(min(len(pool), 60 * want + 100), rng, candidates=pool)
    for word in candidates:
        if len(out) >= want:
            break
        attempts += 1
        meta = task.make(word, rng)
        if meta is None:
            continue
        prompt_en, prompt_tl = fill(task.prompt_en, meta), fill(task.prompt_tl, meta)
        if prompt_en in seen:
            continue
        answer = task.solve(meta)
        item = Item(
            id=f"{task.family}-{task.name}-{fmt}-{len(out):04d}",
            family=task.family, subtask=task.name, level=task.level, prompt_en=prompt_en, prompt_tl=prompt_tl,
            answer=answer, format=fmt, metadata=meta,
        )
        if leaks(item):  # e.g. the syllable 'ang' asked of a word, with 'ang' in the Filipino prompt
            continue
        if fmt == "mcq" and not _add_options(item, task, rng):
            continue
        seen.add(prompt_en)
        out.append(item)
    if len(out) < want:
        log.warning("%s/%s %s: only %d of %d items (word pool exhausted)", task.family, task.name, fmt, len(out), want)
    if fmt == "mcq":
        _balance_gold(out, rng)
    return out


def _balance_gold(items: list[Item], rng: np.random.Generator) -> None:
    """Put the gold at A/B/C/D equally often within a subtask, in a seeded random order.

    Independent per-item shuffles leave chance imbalances (a chi-square p of 0.02 on one file
    of 800 items in generator 1.1); a permutation of equal counts is balanced exactly and still
    unpredictable from the item index. The distractors are shuffled around it.
    """
    slots = rng.permutation(np.arange(len(items)) % 4).tolist()
    for item, slot in zip(items, slots, strict=True):
        wrong = [o for o in item.options if o != item.answer]
        wrong = [wrong[k] for k in rng.permutation(len(wrong)).tolist()]
        item.options = [*wrong[:slot], item.answer, *wrong[slot:]]
        item.answer_index = slot


def _add_options(item: Item, task: Subtask, rng: np.random.Generator) -> bool:
    wrong: list[str] = []
    for option in task.distract(item.metadata, item.answer, rng):
        if option and option != item.answer and option not in wrong:
            wrong.append(option)
    if len(wrong) < 3:
        return False
    options = [item.answer, *wrong[:3]]
    order = rng.permutation(4).tolist()
    item.options = [options[k] for k in order]
    item.answer_index = order.index(0)
    return True


def write(files: dict[str, list[Item]], out_dir: str | Path, seed: int) -> Path:
    """Validate and write every file plus ``manifest.json``; refuse a failing file."""
    out_dir = Path(out_dir)
    manifest: dict = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "lexicon_hash": Lexicon.default().hash,
        "families": sorted({k.rsplit("_", 1)[0] for k in files}),
        "omitted": {
            "stress": "no trustworthy accented lexicon on PyPI; guessed stress would be worse than none",
            "syllabification/stress_type": "stress-type classification needs the same accented lexicon",
        },
        "files": {},
    }
    for name, items in files.items():
        family, fmt = name.rsplit("_", 1)
        other = files.get(f"{family}_{'gen' if fmt == 'mcq' else 'mcq'}")
        problems = validate(items, other)
        if problems:
            detail = "; ".join(f"{k}: {v[0]} (+{len(v) - 1} more)" for k, v in problems.items())
            raise BenchmarkError(f"benchmark file {name}.jsonl fails validation: {detail}", where=str(out_dir))
        text = "".join(item.to_json() + "\n" for item in items)
        atomic_write_text(out_dir / f"{name}.jsonl", text)
        entry = {
            "items": len(items),
            "subtasks": dict(sorted(Counter(i.subtask for i in items).items())),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "validator": "pass",
        }
        if fmt == "mcq":
            entry["gold_positions"] = gold_positions(items)
            entry["gold_length_ranks"] = length_ranks(items)
        manifest["files"][f"{name}.jsonl"] = entry
    atomic_write_json(out_dir / "manifest.json", manifest)
    return out_dir / "manifest.json"


def run(cfg, out_dir: str | Path) -> Path:
    """Study entry point: generate with ``cfg`` (a BenchConfig) unless already done."""
    out_dir = Path(out_dir)
    key = fingerprint({"seed": cfg.seed, "families": cfg.families, "sizes": cfg.sizes, "scale": cfg.scale,
                       "version": GENERATOR_VERSION})
    if is_done(out_dir, key):
        return out_dir
    families = [f for f in cfg.families if f in FAMILIES]
    files = generate(cfg.seed, cfg.sizes or None, families, scale=cfg.scale)
    write(files, out_dir, cfg.seed)
    mark_done(out_dir, key)
    return out_dir
