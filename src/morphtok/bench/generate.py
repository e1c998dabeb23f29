"""Generate the PACUTE + hierarchical benchmarks, validate them, write them atomically.

Words are sampled by frequency weight from the lexicon with a seeded generator. Every file
is validated before it is written; a failing file is refused with the reasons. Same seed and
version -> byte-identical files.

Versions (``generate(..., version=)``, ``morphtok bench generate --generator-version``):

* ``2.0`` (default): option sets of nearby questions with the gold drawn after
  (:mod:`bench.build`), golds only from trusted, attested analyses (:mod:`bench.trust`),
  words with "ng" kept out of letter tasks, one de-duplication set over the whole generation
  (no prompt in two families), find_root and remove_prefix GEN only, and an option-only
  audit per MCQ subtask in the manifest;
* ``1.3``: the earlier generator (distractors perturb the gold), kept reproducible.

Outputs in the benchmark directory: ``{family}_{mcq,gen}.jsonl`` and ``manifest.json``
(counts per subtask, validator results, gold-position and gold-length-rank tables, the
option-only audit, GEN-only subtasks with the reason, generator version, seed, lexicon hash,
file hashes).

The stress family is left out: no word list on PyPI carries accent marks, and guessed
stress would be worse than none (recorded in the manifest).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from pathlib import Path

import numpy as np

from morphtok.atomic import atomic_write_json, atomic_write_text, fingerprint, is_done, mark_done
from morphtok.bench.family import check_families
from morphtok.bench.family import get as get_family
from morphtok.bench.schema import Item
from morphtok.bench.sizes import balance_gold, default_sizes
from morphtok.bench.tasks import SUBTASKS, Subtask, fill, trusted_analysis
from morphtok.bench.validator import (
    gold_positions,
    leaks,
    length_ranks,
    validate,
    validate_collection,
)
from morphtok.errors import BenchmarkError
from morphtok.lang.fil import Lexicon

log = logging.getLogger(__name__)
GENERATOR_VERSION = "2.0"
VERSIONS = ("1.3", "2.0")
# 1.1: case, accent-mark, comparison, identify_affix and replace_prefix subtasks;
# 1.2: gold positions balanced per subtask by construction (a seeded permutation of equal counts);
# 1.3: o -> u before every suffix (upuan, regaluhan); a vowel-final root + suffix only when attested;
# 2.0: see the module docstring.
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
    seed: int = 1859, sizes: dict[str, int] | None = None, families: list[str] | None = None, scale: float = 1.0,
    version: str = GENERATOR_VERSION,
) -> dict[str, list[Item]]:
    """Items per file name (``{family}_{format}``)."""
    families = check_families(families)
    if version not in VERSIONS:
        raise BenchmarkError(f"unknown generator version {version!r}", hint=f"versions: {', '.join(VERSIONS)}")
    if version != "1.3":
        from morphtok.bench.generate2 import generate as generate_2

        return generate_2(seed, sizes, families, scale)
    lexicon = Lexicon.default()
    pools = _word_pools(lexicon)
    rng = np.random.default_rng(seed)
    files: dict[str, list[Item]] = {}
    for family in families:
        tasks = [t for t in SUBTASKS if t.family == family]
        if not tasks:
            raise BenchmarkError(f"family {family!r} has no generator 1.3 subtasks (1.3 knows only the five "
                                 "original families)", hint="use --generator-version 2.0")
        sizes_of = get_family(family).sizes
        mcq_total, gen_total = (max(len(tasks), round(sizes_of[fmt] * scale)) for fmt in ("mcq", "gen"))
        seen: set[str] = set()
        for fmt, total in (("mcq", mcq_total), ("gen", gen_total)):
            items: list[Item] = []
            for task, default in zip(tasks, default_sizes(tasks, total), strict=True):
                want = (sizes or {}).get(task.name, default)
                items += _items_for(task, fmt, want, pools[_pool_for(task)], lexicon, rng, seen)
            files[f"{family}_{fmt}"] = items
    return files


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
        prompt_en, prompt_tl = fill(task.prompt["en"], meta), fill(task.prompt["tl"], meta)
        if prompt_en in seen:
            continue
        answer = task.solve(meta)
        item = Item(
            id=f"{task.family}-{task.name}-{fmt}-{len(out):04d}",
            family=task.family, subtask=task.name, level=task.level, prompt={"en": prompt_en, "tl": prompt_tl},
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
        balance_gold(out, rng)
    return out


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
    """Validate and write every file plus ``manifest.json``; refuse a failing file.

    The version is the items' (``metadata["generator"]``; absent: 1.3)."""
    out_dir = Path(out_dir)
    version = next((i.metadata.get("generator") for items in files.values() for i in items), None) or "1.3"
    manifest: dict = {
        "generator_version": version,
        "seed": seed,
        "lexicon_hash": Lexicon.default().hash,
        "families": sorted({k.rsplit("_", 1)[0] for k in files}),
        "omitted": {
            "stress": "no trustworthy accented lexicon on PyPI; guessed stress would be worse than none",
            "syllabification/stress_type": "stress-type classification needs the same accented lexicon",
        },
        "files": {},
    }
    if version != "1.3":
        from morphtok.bench.generate2 import manifest_notes

        manifest.update(manifest_notes(files))
        shared = validate_collection(files)
        if shared:
            raise BenchmarkError(f"benchmark files fail validation: {'; '.join(shared[:3])}", where=str(out_dir))
    for name, items in files.items():
        family, fmt = name.rsplit("_", 1)
        other = files.get(f"{family}_{'gen' if fmt == 'mcq' else 'mcq'}")
        table = None
        if fmt == "mcq" and version != "1.3":
            from morphtok.bench.audit import audit, audit_problems

            table = audit(items)
        problems = validate(items, other, option_audit=False)
        if table is not None and audit_problems(items, table=table):
            problems["option_only"] = audit_problems(items, table=table)
        if problems:
            detail = "; ".join(f"{k}: {v[0]} (+{len(v) - 1} more)" for k, v in problems.items())
            raise BenchmarkError(f"benchmark file {name}.jsonl fails validation: {detail}", where=str(out_dir))
        # 1.3 files keep the 1.x prompt fields (byte for byte); 2.0 files hold the prompt per language code.
        text = "".join(item.to_json(prompt_fields=version == "1.3") + "\n" for item in items)
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
            if table is not None:
                entry["option_only_audit"] = table
        manifest["files"][f"{name}.jsonl"] = entry
    atomic_write_json(out_dir / "manifest.json", manifest)
    return out_dir / "manifest.json"


def run(cfg, out_dir: str | Path) -> Path:
    """Study entry point: generate with ``cfg`` (a BenchConfig) unless already done."""
    out_dir = Path(out_dir)
    version = getattr(cfg, "generator_version", GENERATOR_VERSION)
    families = check_families(list(cfg.families))
    key = fingerprint({"seed": cfg.seed, "families": families, "sizes": cfg.sizes, "scale": cfg.scale,
                       "version": version})
    if is_done(out_dir, key):
        return out_dir
    files = generate(cfg.seed, cfg.sizes or None, families, scale=cfg.scale, version=version)
    write(files, out_dir, cfg.seed)
    mark_done(out_dir, key)
    return out_dir
