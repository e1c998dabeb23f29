"""Compile src/morphtok/lang/fil/data/morph_gold.src (compact hand-written notation) into morph_gold.tsv.

    python scripts/build_morph_gold.py

TSV columns: word, root, prefixes, infixes, suffixes, reduplication, segmentation.
List columns are comma-separated surface forms without hyphens; segmentation is
the surface morphemes joined by "|" (they concatenate to the word exactly).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "morphtok" / "lang" / "fil" / "data" / "morph_gold.src"
TARGET = ROOT / "src" / "morphtok" / "lang" / "fil" / "data" / "morph_gold.tsv"
HEADER = "word\troot\tprefixes\tinfixes\tsuffixes\treduplication\tsegmentation"


def compile_line(line: str, lineno: int) -> str:
    root, notation = line.split("\t")
    pieces = notation.split("|")
    prefixes, infixes, suffixes, redup, surface = [], [], [], [], []
    for piece in pieces:
        marker, text = (piece[0], piece[1:]) if piece[0] in "<^>~" else ("", piece)
        surface.append(text)
        plain = text.strip("-").lower()
        if marker == "<":
            prefixes.append(plain)
        elif marker == "^":
            infixes.append("in" if plain == "ni" else plain)
        elif marker == ">":
            suffixes.append(plain)
        elif marker == "~":
            redup.append(plain)
    word = "".join(surface)
    if not word or any(not s for s in surface):
        raise SystemExit(f"{SOURCE}:{lineno}: empty morpheme in {notation!r}")
    return "\t".join(
        [word, root, ",".join(prefixes), ",".join(infixes), ",".join(suffixes), "".join(redup), "|".join(surface)]
    )


def main() -> int:
    rows = [HEADER]
    seen = set()
    for lineno, line in enumerate(SOURCE.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        row = compile_line(line, lineno)
        word = row.split("\t")[0]
        if word in seen:
            raise SystemExit(f"{SOURCE}:{lineno}: duplicate word {word!r}")
        seen.add(word)
        rows.append(row)
    TARGET.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {len(rows) - 1} words to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
