"""Scoring a morphological segmenter against the hand-written gold set.

Metrics (micro-averaged over words):
  * root accuracy: predicted root == gold root (lower-cased);
  * boundary precision / recall / F1: over internal character offsets where
    one morpheme ends and the next begins (``k|um|ain`` -> {1, 3}). A
    hyphen belongs to the morpheme before it, as in the gold segmentation.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from morphtok.errors import CorpusError


@dataclass(frozen=True)
class GoldWord:
    word: str
    root: str
    prefixes: tuple[str, ...]
    infixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    reduplication: str
    segments: tuple[str, ...]

    @property
    def boundaries(self) -> set[int]:
        out, offset = set(), 0
        for piece in self.segments[:-1]:
            offset += len(piece)
            out.add(offset)
        return out

    @property
    def is_affixed(self) -> bool:
        return len(self.segments) > 1


def gold_path() -> Path:
    """The hand-written gold set shipped in the package (``data/morph_gold.tsv``; schema in
    ``data/morph_gold.README.md``)."""
    return Path(str(resources.files("morphtok.lang.fil") / "data" / "morph_gold.tsv"))


def load_gold(path: str | Path | None = None) -> list[GoldWord]:
    """Read ``morph_gold.tsv`` (default: :func:`gold_path`); a missing file is a :class:`CorpusError`."""
    path = Path(path) if path is not None else gold_path()
    if not path.is_file():
        raise CorpusError("the morphology gold set is missing", where=str(path),
                          hint="reinstall morphtok (it ships as package data), or pass the path of a gold TSV")
    path = Path(path)
    words = []
    with open(path, encoding="utf-8", newline="") as handle:
        for lineno, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            segments = tuple(row["segmentation"].split("|"))
            if "".join(segments) != row["word"]:
                raise CorpusError("segmentation does not spell the word", where=f"{path}:{lineno}")
            split = lambda v: tuple(x for x in (v or "").split(",") if x)  # noqa: E731
            words.append(
                GoldWord(
                    word=row["word"],
                    root=row["root"].lower(),
                    prefixes=split(row["prefixes"]),
                    infixes=split(row["infixes"]),
                    suffixes=split(row["suffixes"]),
                    reduplication=row["reduplication"] or "",
                    segments=segments,
                )
            )
    return words


@dataclass(frozen=True)
class Prediction:
    root: str
    boundaries: frozenset[int]


def score(predict: Callable[[str], Prediction], gold: Iterable[GoldWord]) -> dict[str, float]:
    """Root accuracy and boundary P/R/F1 of ``predict`` on ``gold``."""
    n = correct_roots = true_pos = predicted = actual = 0
    for item in gold:
        prediction = predict(item.word)
        n += 1
        correct_roots += prediction.root.lower() == item.root
        gold_b = item.boundaries
        true_pos += len(prediction.boundaries & gold_b)
        predicted += len(prediction.boundaries)
        actual += len(gold_b)
    precision = true_pos / predicted if predicted else 0.0
    recall = true_pos / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "words": n,
        "root_accuracy": correct_roots / n if n else 0.0,
        "boundary_precision": precision,
        "boundary_recall": recall,
        "boundary_f1": f1,
    }


def morphtok_prediction(word: str) -> Prediction:
    from morphtok.lang.fil.analyzer import analyze

    best = analyze(word)[0]
    return Prediction(best.root, frozenset(best.boundaries))


def boundaries_from_pieces(word: str, pieces: list[str]) -> frozenset[int]:
    """Boundaries of a peer's piece list, aligning pieces left to right as substrings.

    Peers return underlying forms (``['um', 'kain']`` for kumain); pieces that do
    not occur at the current position are located with ``str.find`` and give a
    boundary only where they align, so a peer is never credited for a guess.
    """
    lower, out, pos = word.lower(), set(), 0
    for piece in pieces:
        at = lower.find(piece.lower(), pos)
        if at < 0:
            continue
        for edge in (at, at + len(piece)):
            if 0 < edge < len(word):
                out.add(edge)
        pos = at + len(piece)
    return frozenset(out)
