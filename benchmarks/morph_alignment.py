"""Morpheme-boundary alignment of the three arms, in one table (one shared metric function).

On the hand-written gold set and on the analyzer's confident words in running text
(the bundled sample corpus or the placeholder). Targets for Patok at the seed's
parameters: MorphScore >= baseline + 0.25, boundary F1 above baseline and StochasTok,
tokens per word < 1.6x baseline.

    python benchmarks/morph_alignment.py [--seed 0]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from morphtok.analysis.tokenization_metrics import (
    arm_alignment,
    arm_text_alignment,
    from_gold_words,
    from_running_text,
)
from morphtok.lang.fil.evaluation import load_gold
from morphtok.segment.compare import default_text
from morphtok.segment.tokenizer import load_tokenizer

GOLD = Path(__file__).resolve().parent.parent / "tests" / "data" / "morph_gold.tsv"
COLUMNS = ["morph_score", "boundary_precision", "boundary_f1", "tokens_per_word", "tokens_per_morpheme", "affix_preservation"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    tokenizer = load_tokenizer()
    text, source = default_text()
    documents = [line for line in text.split("\n") if line.strip()]
    arms = ("baseline", "stochastok", "patok")
    tables = {
        "gold set (each word tokenized alone)": {
            arm: arm_alignment(arm, tokenizer, from_gold_words(load_gold(GOLD)), seed=args.seed) for arm in arms
        },
        f"analyzer-confident words of the {source}, each tokenized alone": {
            arm: arm_alignment(arm, tokenizer, from_running_text(documents), seed=args.seed) for arm in arms
        },
        f"running text of the {source}, whole documents tokenized (in context)": {
            arm: arm_text_alignment(arm, tokenizer, documents, seed=args.seed) for arm in arms
        },
    }
    for name, rows in tables.items():
        print(f"\n{name}: {rows['baseline']['words']} words")
        print(f"{'arm':<12}" + "".join(f"{c:>20}" for c in COLUMNS))
        for arm, row in rows.items():
            print(f"{arm:<12}" + "".join(f"{row[c]:>20.3f}" for c in COLUMNS))
        base, patok, stochastok = rows["baseline"], rows["patok"], rows["stochastok"]
        print(
            f"patok - baseline MorphScore: {patok['morph_score'] - base['morph_score']:+.3f} (target >= +0.25); "
            f"F1 above both: {patok['boundary_f1'] > max(base['boundary_f1'], stochastok['boundary_f1'])}; "
            f"token inflation {patok['tokens_per_word'] / base['tokens_per_word']:.2f}x (target < 1.6x)"
        )


if __name__ == "__main__":
    main()
