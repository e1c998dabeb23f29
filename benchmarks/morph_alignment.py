"""Morpheme-boundary alignment of the three arms, in one table per setting (one shared metric function).

Main table: gold words (src/morphtok/lang/fil/data/morph_gold.tsv, boundaries written by hand, not by
the analyzer) placed inside real sentences -- the UD Tagalog dev sentences when
../shared/data/ud_tagalog_dev.jsonl is there, else the bundled corpus -- and each
sentence tokenized whole by the arm. Controls: baseline and StochasTok on the same
sentences. Targets for Patok: recall (MorphScore) >= 0.90, precision >= 0.45, onset
splits per 1,000 words <= baseline's. Also: the gold words tokenized alone, and the
running-text number, which is circular (scored against the same analyzer Patok uses).

    python benchmarks/morph_alignment.py [--seed 0] [--ud PATH]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from morphtok.analysis.tokenization_metrics import (
    arm_alignment,
    arm_context_alignment,
    arm_onset_splits,
    arm_text_alignment,
    from_gold_words,
    place_in_sentences,
)
from morphtok.lang.fil.evaluation import load_gold
from morphtok.segment.compare import default_text
from morphtok.segment.tokenizer import load_tokenizer

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "src" / "morphtok" / "lang" / "fil" / "data" / "morph_gold.tsv"
UD = next((p / "shared" / "data" / "ud_tagalog_dev.jsonl" for p in (REPO.parent, REPO.parent.parent)
           if (p / "shared" / "data" / "ud_tagalog_dev.jsonl").is_file()), REPO.parent / "shared" / "data" / "ud_tagalog_dev.jsonl")
ARMS = ("baseline", "stochastok", "patok")
COLUMNS = ["morph_score", "boundary_precision", "boundary_recall", "boundary_f1", "tokens_per_word", "affix_preservation"]


def sentences(ud_path: Path) -> tuple[list[str], str]:
    if ud_path.is_file():
        with open(ud_path, encoding="utf-8") as handle:
            return [json.loads(line)["text"] for line in handle if line.strip()], f"UD Tagalog dev sentences ({ud_path})"
    text, source = default_text()
    return [s for s in re.split(r"(?<=[.!?])\s+|\n", text) if len(s.split()) >= 4], f"{source} sentences"


def print_table(title: str, rows: dict, columns=COLUMNS) -> None:
    print(f"\n{title}: {rows['baseline']['words']} words")
    print(f"{'arm':<12}" + "".join(f"{c:>20}" for c in columns))
    for arm, row in rows.items():
        print(f"{arm:<12}" + "".join(f"{row[c]:>20.3f}" for c in columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ud", type=Path, default=UD, help="UD Tagalog dev JSON lines (optional)")
    args = parser.parse_args()
    tokenizer = load_tokenizer()
    gold = from_gold_words(load_gold(GOLD))
    real, source = sentences(args.ud)
    placed = place_in_sentences(gold, real, seed=args.seed)
    context = {arm: arm_context_alignment(arm, tokenizer, placed, seed=args.seed) for arm in ARMS}
    print_table(f"gold words in real sentences ({source}), each sentence tokenized whole", context)
    onsets = {arm: arm_onset_splits(arm, tokenizer, real, seed=args.seed) for arm in ARMS}
    print(f"\nsingle-consonant onset splits per 1,000 words of {source} ({onsets['baseline']['words']} words):")
    print("  " + "; ".join(f"{arm} {row['onset_splits_per_1000']:.1f}" for arm, row in onsets.items()))
    patok, base = context["patok"], context["baseline"]
    print(f"targets: patok recall {patok['boundary_recall']:.3f} (>= 0.90: {patok['boundary_recall'] >= 0.90}); "
          f"precision {patok['boundary_precision']:.3f} (>= 0.45: {patok['boundary_precision'] >= 0.45}); "
          f"onset splits {onsets['patok']['onset_splits_per_1000']:.1f} <= baseline "
          f"{onsets['baseline']['onset_splits_per_1000']:.1f}: "
          f"{onsets['patok']['onset_splits_per_1000'] <= onsets['baseline']['onset_splits_per_1000']}; "
          f"token inflation {patok['tokens_per_word'] / base['tokens_per_word']:.2f}x")

    print_table("gold words, each tokenized alone", {arm: arm_alignment(arm, tokenizer, gold, seed=args.seed)
                                                    for arm in ARMS})
    text, corpus = default_text()
    documents = [line for line in text.split("\n") if line.strip()]
    circular = {arm: arm_text_alignment(arm, tokenizer, documents, seed=args.seed) for arm in ARMS}
    print_table(f"CIRCULAR: running text of the {corpus}, scored against the same analyzer Patok uses "
                "(not evidence)", circular)


if __name__ == "__main__":
    main()
