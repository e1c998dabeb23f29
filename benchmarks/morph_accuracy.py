"""Analyzer accuracy on two data sets, morphtok vs two peers side by side, plus analysis speed.

(a) our hand-written gold set (src/morphtok/lang/fil/data/morph_gold.tsv): root accuracy and boundary
    P/R/F1. Written by the analyzer's authors: an upper bound, not evidence.
(b) UD Tagalog dev (../shared/data/ud_tagalog_dev.jsonl by default; optional): lemma
    accuracy over the distinct VERB/NOUN/ADJ form-lemma pairs, on all of them and on the
    subset whose lemma is spelled inside the form, with each system's errors broken
    down by the issue-15 classes (share of all items). Control: "identity" (the form
    itself as the lemma), what a system that never analyses gets.
Peers (PyPI): filipino-tokenizer 0.4.1 (TagalogSegmenter.segment), tglstemmer 0.1.1
(get_stem; its stems depend on PYTHONHASHSEED, pinned to 0 here).
Also the reliability of morphtok's confidence (bins of the best analysis's confidence
-> observed accuracy) and analysis speed: distinct words/s cold and cached.
Target on real news lemmas (measured outside the repository): >= 0.80 (tglstemmer 0.69).

    python benchmarks/morph_accuracy.py [--gold src/morphtok/lang/fil/data/morph_gold.tsv] [--ud PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from morphtok.lang.engine import get_engine
from morphtok.lang.fil.analyzer import _analyze_cached
from morphtok.lang.fil.evaluation import (
    Prediction,
    boundaries_from_pieces,
    load_gold,
    morphtok_prediction,
    score,
)
from morphtok.lang.fil.ud_evaluation import CLASSES, evaluate, load_ud_items

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "src" / "morphtok" / "lang" / "fil" / "data" / "morph_gold.tsv"
# ../shared/data relative to the repository root (a worktree one level deeper finds it one level up).
UD = next((p / "shared" / "data" / "ud_tagalog_dev.jsonl" for p in (REPO.parent, REPO.parent.parent)
           if (p / "shared" / "data" / "ud_tagalog_dev.jsonl").is_file()), REPO.parent / "shared" / "data" / "ud_tagalog_dev.jsonl")


def filipino_tokenizer_prediction():
    from filipino_tokenizer.tagalog.segmenter import TagalogSegmenter

    segmenter = TagalogSegmenter()
    roots = segmenter.roots

    def predict(word: str) -> Prediction:
        pieces = segmenter.segment(word)
        # Its root is the piece found in its own root dictionary (longest), else the longest piece.
        known = [p for p in pieces if _is_root(roots, p)]
        root = max(known or pieces or [word], key=len)
        return Prediction(root, boundaries_from_pieces(word, pieces))

    return predict


def _is_root(roots, piece: str) -> bool:
    for name in ("is_root", "contains", "__contains__"):
        method = getattr(roots, name, None)
        if method is not None:
            try:
                return bool(method(piece))
            except TypeError:
                continue
    return False


def tglstemmer_prediction():
    from tglstemmer.stemmer import get_stem

    def predict(word: str) -> Prediction:
        stem = get_stem(word)
        lower = word.lower()
        pieces = [p for p in (stem.pre, stem.rep, stem.inf, str(stem), stem.suf) if p]
        return Prediction(str(stem), boundaries_from_pieces(lower, pieces))

    return predict


def gold_table(gold_path: Path, systems: dict) -> None:
    gold = load_gold(gold_path)
    print(f"(a) gold set: {len(gold)} words ({sum(g.is_affixed for g in gold)} affixed) from {gold_path} "
          "-- written with the analyzer: an upper bound")
    print(f"{'system':<26} {'root acc':>9} {'B-prec':>8} {'B-rec':>8} {'B-F1':>8}")
    for name, predict in systems.items():
        m = score(predict, gold)
        print(f"{name:<26} {m['root_accuracy']:>9.3f} {m['boundary_precision']:>8.3f} "
              f"{m['boundary_recall']:>8.3f} {m['boundary_f1']:>8.3f}")


def ud_table(ud_path: Path, systems: dict, show_examples: int) -> None:
    engine = get_engine("fil")
    items = load_ud_items(ud_path)
    inside = sum(i.lemma_inside for i in items)
    print(f"\n(b) UD Tagalog dev: {len(items)} distinct VERB/NOUN/ADJ form-lemma pairs ({inside} with the lemma "
          f"inside the form) from {ud_path}")
    predictors = {"identity (control)": lambda item: item.form.lower(),
                  "morphtok": lambda item: engine.analyse(item.form, mid_sentence=item.mid_sentence)[0].root}
    predictors.update({name: (lambda item, p=p: p(item.form).root) for name, p in systems.items() if name != "morphtok"})
    results = {name: evaluate(items, predict, engine.lexicon) for name, predict in predictors.items()}
    print(f"{'system':<26} {'lemma acc':>10} {'inside acc':>11}   error share by class (of all items)")
    short = [c.split()[0][:8] for c in CLASSES]
    print(" " * 50 + " ".join(f"{s:>8}" for s in short))
    for name, r in results.items():
        shares = " ".join(f"{r['error_share'][c]:>8.3f}" for c in CLASSES)
        print(f"{name:<26} {r['accuracy']:>10.3f} {r['inside_accuracy']:>11.3f}   {shares}")
    print("classes: " + "; ".join(f"{s} = {c}" for s, c in zip(short, CLASSES, strict=True)))
    if show_examples:
        for name, examples in results["morphtok"]["examples"].items():
            print(f"  morphtok {name}: {', '.join(examples[:show_examples])}")
    reliability(items, engine)


def reliability(items, engine) -> None:
    bins = [(0.0, 0.6), (0.6, 0.8), (0.8, 0.9), (0.9, 0.97), (0.97, 1.01)]
    rows = {b: [0, 0] for b in bins}
    for item in items:
        best = engine.analyse(item.form, mid_sentence=item.mid_sentence)[0]
        if not best.is_affixed:
            continue
        for low, high in bins:
            if low <= best.confidence < high:
                rows[(low, high)][0] += 1
                rows[(low, high)][1] += best.root == item.lemma
    print("morphtok confidence reliability on UD dev (affixed best analyses): bin -> items, lemma accuracy")
    print("  " + "; ".join(f"[{lo:.2f},{hi:.2f}): {n} {ok / n if n else 0:.2f}" for (lo, hi), (n, ok) in rows.items()))


def calibrate(gold_path: Path, ud_path: Path) -> None:
    """Fit the confidence constants (ranking.SLOPE / INTERCEPT) on the gold set and UD dev together."""
    from morphtok.lang.fil import ranking

    engine = get_engine("fil")
    samples = []
    for item in load_gold(gold_path):
        best = engine.analyse(item.word)[0]
        if best.is_affixed:
            samples.append((ranking.margin_of(best), best.kind, set(best.boundaries) == item.boundaries))
    if ud_path.is_file():
        for item in load_ud_items(ud_path):
            best = engine.analyse(item.form, mid_sentence=item.mid_sentence)[0]
            if best.is_affixed:
                samples.append((ranking.margin_of(best), best.kind, best.root == item.lemma))
    slope, intercepts = ranking.fit_confidence(samples)
    print(f"\nconfidence fit on {len(samples)} affixed analyses (gold boundaries exact / UD lemma right):")
    print(f"  SLOPE = {slope:.2f}; INTERCEPT = " + ", ".join(f"{k}: {v:.2f}" for k, v in intercepts.items()))


def speed() -> None:
    """Distinct words/s, cold (word caches cleared; lexicon loaded) and cached; wall clock and CPU time.

    CPU time is the number to read on a shared machine (other processes take wall time, not CPU).
    """
    engine = get_engine("fil")
    words = engine.lexicon.words[:20000]
    rates = {}
    for label in ("cold", "cached"):
        if label == "cold":
            engine.clear_caches()
        wall, cpu = time.perf_counter(), time.process_time()
        for word in words:
            _analyze_cached(word, False)
        rates[label] = (len(words) / (time.perf_counter() - wall), len(words) / (time.process_time() - cpu))
    (cold_wall, cold_cpu), (_, warm_cpu) = rates["cold"], rates["cached"]
    print(f"\nanalysis speed on {len(words):,} distinct words: cold {cold_cpu:,.0f} words/s of CPU time "
          f"({cold_wall:,.0f}/s wall clock; target >= 15,000), cached {warm_cpu:,.0f}/s CPU "
          "(lexicon and evidence tables already loaded)")


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":  # tglstemmer's stems depend on the string-hash order
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--ud", type=Path, default=UD, help="UD Tagalog dev JSON lines (optional)")
    parser.add_argument("--examples", type=int, default=0, help="print up to N morphtok errors per class")
    parser.add_argument("--calibrate", action="store_true", help="fit the confidence constants and print them")
    args = parser.parse_args()
    get_engine("fil").analyse("nagluto")  # load the lexicon and its tables once, outside every timing
    systems = {"morphtok": morphtok_prediction, "filipino-tokenizer 0.4.1": filipino_tokenizer_prediction(),
               "tglstemmer 0.1.1": tglstemmer_prediction()}
    gold_table(args.gold, systems)
    if args.ud.is_file():
        ud_table(args.ud, systems, args.examples)
    else:
        print(f"\n(b) UD Tagalog dev: skipped, {args.ud} not found (pass --ud PATH; the file is development data, "
              "not shipped)")
    if args.calibrate:
        calibrate(args.gold, args.ud)
    speed()


if __name__ == "__main__":
    main()
