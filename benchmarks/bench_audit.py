"""Benchmarks 2.0 audit: option-only guessers per MCQ subtask, and gemma3-270m's controls.

Part 1 prints, per MCQ subtask, every option-only heuristic's accuracy (``bench.audit``) and the
best one (goal: <= 0.40, chance 0.25). Part 2 evaluates a model (default gemma3-270m, CPU) on a
seeded subset of each file through ``morphtok.eval.runner``: MCQ acc, acc_question_blind and
acc_calibrated, and GEN exact match 0-shot and 3-shot on the same items. Goals: acc -
acc_question_blind > 0 over the morphology families (affixation, hierarchical levels 2-5); GEN
3-shot exact > 0 in every family.

    nice -n 10 python benchmarks/bench_audit.py [--items 60] [--model gemma3-270m] [--no-model]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from morphtok.bench.audit import HEURISTICS, MAX_OPTION_ONLY, audit
from morphtok.bench.family import names as family_names
from morphtok.bench.generate import generate, write
from morphtok.bench.reader import read_items

SHORT = {"closest_to_others": "close", "farthest_from_others": "far", "longest": "long", "shortest": "short",
         "middle_size": "mid", "odd_shape": "shape", "most_frequent_word": "freq", "least_frequent_word": "rare",
         "only_real_word": "real", "most_shared_characters": "chars", "bigram_medoid": "bigram",
         "contains_others": "substr", "odd_first_letter": "first", "odd_last_letter": "last",
         "gold_prior": "prior", "position_prior": "pos"}


def option_table(bench_dir: Path) -> bool:
    print("Option-only heuristics per MCQ subtask (accuracy; chance 0.25; goal max <= 0.40)")
    print(f"{'file':20s} {'subtask':18s} {'n':>4s} " + " ".join(f"{SHORT[h]:>6s}" for h in HEURISTICS) + "    max best")
    ok = True
    for path in sorted(bench_dir.glob("*_mcq.jsonl")):
        for subtask, row in audit(read_items(path)).items():
            ok &= row["max"] <= MAX_OPTION_ONLY
            print(f"{path.stem:20s} {subtask:18s} {row['n']:4d} " + " ".join(f"{row[h]:6.2f}" for h in HEURISTICS)
                  + f"  {row['max']:5.2f} {row['best']}")
    print(f"every MCQ subtask's best heuristic <= {MAX_OPTION_ONLY}: {'yes' if ok else 'NO'}\n")
    return ok


def _rows(summary: dict, bench: str, group: str) -> dict:
    row = summary["benchmarks"].get(bench, {})
    return row.get("overall", {}) if group == "overall" else row.get("by_level", {}).get(group, {})


def model_table(bench_dir: Path, model: str, items: int, seed: int, work: Path) -> None:
    from morphtok.eval.runner import run

    common = {"benchmarks": ["pacute", "hierarchical"], "limit": items, "seed": seed}
    run({"m": model}, bench_dir, work / "k3", mode="both", gen_fewshot=3, **common)
    run({"m": model}, bench_dir, work / "k0", mode="gen", gen_fewshot=0, **common)
    k3 = json.loads((work / "k3" / "m" / "summary.json").read_text())
    k0 = json.loads((work / "k0" / "m" / "summary.json").read_text())
    for family in family_names():  # the paired design: both GEN runs scored the same items
        ids = [[json.loads(x)["id"] for x in (work / k / "m" / f"{family}_gen.jsonl").read_text().splitlines()]
               for k in ("k0", "k3")]
        if ids[0] != ids[1]:
            raise SystemExit(f"{family}: the 0-shot and 3-shot runs scored different items")
    print(f"{Path(model).name} on a seeded {items}-item subset per file (seed {seed}; same items in every column)")
    print(f"{'benchmark':18s} {'group':8s} {'n':>4s} {'acc':>6s} {'blind':>6s} {'calib':>6s} {'acc-bl':>7s}   "
          f"{'n_gen':>5s} {'GEN0':>6s} {'GEN3':>6s}")
    morph_diff, morph_n, gen_ok = 0.0, 0, True
    for family in family_names():
        groups = ["overall"] + (["0", "1", "2", "3", "4", "5"] if family == "hierarchical" else [])
        for group in groups:
            mcq, gen3, gen0 = (_rows(k3, f"{family}_mcq", group), _rows(k3, f"{family}_gen", group),
                               _rows(k0, f"{family}_gen", group))
            diff = mcq.get("acc", 0) - mcq.get("acc_question_blind", 0)
            if (family == "affixation" and group == "overall") or (family == "hierarchical" and group in "2345"):
                morph_diff += diff * mcq.get("n", 0)
                morph_n += mcq.get("n", 0)
            if group == "overall":
                gen_ok &= gen3.get("exact_match", 0) > 0
            label = "all" if group == "overall" else f"L{group}"
            print(f"{family:18s} {label:8s} {mcq.get('n', 0):4d} {mcq.get('acc', float('nan')):6.3f} "
                  f"{mcq.get('acc_question_blind', float('nan')):6.3f} {mcq.get('acc_calibrated', float('nan')):6.3f} "
                  f"{diff:+7.3f}   {gen3.get('n', 0):5d} {gen0.get('exact_match', float('nan')):6.3f} "
                  f"{gen3.get('exact_match', float('nan')):6.3f}")
    pooled = morph_diff / morph_n if morph_n else float("nan")
    print(f"\nmorphology families (affixation, hierarchical L2-L5), {morph_n} MCQ items: acc - acc_question_blind "
          f"= {pooled:+.3f} (goal > 0: {'yes' if pooled > 0 else 'NO'})")
    print(f"GEN 3-shot exact match > 0 in every family: {'yes' if gen_ok else 'NO'}")
    print(f"seconds: MCQ + 3-shot GEN {k3['seconds']:.0f}, 0-shot GEN {k0['seconds']:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench-dir", help="benchmark dir to audit (default: generate 2.0 with --bench-seed)")
    parser.add_argument("--bench-seed", type=int, default=1859)
    parser.add_argument("--model", default="gemma3-270m")
    parser.add_argument("--items", type=int, default=60, help="seeded subset per file")
    parser.add_argument("--seed", type=int, default=1234, help="evaluation seed (subset, few-shot pool)")
    parser.add_argument("--no-model", action="store_true", help="only the option-only table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bench_dir = Path(args.bench_dir) if args.bench_dir else work / "bench"
        if not args.bench_dir:
            write(generate(args.bench_seed), bench_dir, args.bench_seed)
        option_table(bench_dir)
        if not args.no_model:
            model_table(bench_dir, args.model, args.items, args.seed, work)


if __name__ == "__main__":
    main()
