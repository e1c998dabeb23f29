"""How well a tokenization arm's token boundaries line up with morpheme boundaries.

One function, :func:`morph_alignment`, serves the Patok benchmark and the study
report. Definitions (micro-averaged over all words):

* A word is tokenized in context, as ``" " + word`` (its usual form inside a
  sentence, so Gemma's "▁" pieces appear); token boundaries are the internal
  character offsets of the word where one token ends and the next begins.
* **MorphScore** = boundary recall = |gold ∩ token| / |gold| over the internal
  morpheme boundaries (words without one contribute nothing).
* **boundary precision** = |gold ∩ token| / |token|; **F1** their harmonic mean
  (over affixed words only, so unaffixed words do not reward over-splitting).
* **tokens per word** = tokens spent on the word (its leading-space piece
  included) / words; **tokens per morpheme** = the same / gold morphemes.
* **affix preservation** = share of gold affix morphemes (prefix, infix,
  suffix, reduplicant) whose two edges are both token edges, i.e. the affix
  is not fused with root material inside one token.

Gold boundaries come either from the hand-written gold set or, for running
text, from the analyzer's confident analyses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from morphtok.segment.tokenizer import Tokenizer

_WORD = re.compile(r"[A-Za-zÑñÁÉÍÓÚáéíóúÀÈÌÒÙàèìòùÂÊÎÔÛâêîôû]+(?:-[A-Za-zÑñÁÉÍÓÚáéíóúàèìòùâêîôû]+)*")


@dataclass(frozen=True)
class GoldSegmentation:
    word: str
    boundaries: frozenset[int]
    affix_spans: tuple[tuple[int, int], ...]
    morphemes: int


def from_gold_words(gold) -> list[GoldSegmentation]:
    """Adapt :class:`morphtok.lang.fil.evaluation.GoldWord` items."""
    out = []
    for item in gold:
        spans, offset = [], 0
        roots = _root_pieces(item)
        for index, piece in enumerate(item.segments):
            if index not in roots:
                spans.append((offset, offset + len(piece)))
            offset += len(piece)
        out.append(GoldSegmentation(item.word, frozenset(item.boundaries), tuple(spans), len(item.segments)))
    return out


def _root_pieces(item) -> set[int]:
    # The root is the unmarked material: the pieces that are not listed affixes, from the right.
    affixes = [*item.prefixes, *item.infixes, *item.suffixes]
    remaining = list(affixes) + ([item.reduplication] if item.reduplication else [])
    roots = set()
    for index, piece in enumerate(item.segments):
        plain = piece.strip("-").lower()
        if plain in remaining and len(item.segments) > 1:
            remaining.remove(plain)
        elif plain == "ni" and "in" in remaining:
            remaining.remove("in")
        else:
            roots.add(index)
    return roots


def from_running_text(texts: Iterable[str]) -> list[GoldSegmentation]:
    """Analyzer boundaries of every word in ``texts`` with a confident affixed analysis."""
    from morphtok.lang.fil import analyze

    out = []
    for text in texts:
        for match in _WORD.finditer(text):
            best = analyze(match.group())[0]
            if best.is_affixed and best.confident:
                spans = tuple((m.start, m.end) for m in best.morphemes if m.type != "root")
                out.append(GoldSegmentation(match.group(), frozenset(best.boundaries), spans, len(best.morphemes)))
    return out


def token_edges(word: str, ids: list[int], tokenizer: Tokenizer) -> tuple[set[int], int]:
    """Internal token edges of ``word`` (char offsets) when tokenized as ``" " + word``."""
    byte_to_char = {}
    offset = 1  # the leading space
    for index, ch in enumerate(word):
        byte_to_char[offset] = index
        offset += len(ch.encode("utf-8"))
    byte_to_char[offset] = len(word)
    edges, pos = set(), 0
    for token in ids:
        pos += len(tokenizer.token_bytes[token])
        char = byte_to_char.get(pos)
        if char is not None and 0 < char < len(word):
            edges.add(char)
    return edges, len(ids)


def morph_alignment(
    items: list[GoldSegmentation], tokenize: Callable[[str, int], list[int]], tokenizer: Tokenizer
) -> dict[str, float]:
    """Alignment metrics (module doc) of ``tokenize(" " + word, index) -> ids`` on ``items``."""
    hits = gold_total = token_total = 0
    tokens = morphemes = words = 0
    affixes = affixes_whole = 0
    for index, item in enumerate(items):
        ids = tokenize(" " + item.word, index)
        edges, count = token_edges(item.word, ids, tokenizer)
        words += 1
        tokens += count
        morphemes += item.morphemes
        if item.boundaries:
            hits += len(edges & item.boundaries)
            gold_total += len(item.boundaries)
            token_total += len(edges)
        bounded = edges | {0, len(item.word)}
        for start, end in item.affix_spans:
            affixes += 1
            affixes_whole += start in bounded and end in bounded
    recall = hits / gold_total if gold_total else 0.0
    precision = hits / token_total if token_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "words": words,
        "morph_score": recall,
        "boundary_precision": precision,
        "boundary_recall": recall,
        "boundary_f1": f1,
        "tokens_per_word": tokens / words if words else 0.0,
        "tokens_per_morpheme": tokens / morphemes if morphemes else 0.0,
        "affix_preservation": affixes_whole / affixes if affixes else 0.0,
    }


def arm_alignment(arm: str, tokenizer: Tokenizer, items: list[GoldSegmentation], seed: int = 0, **params) -> dict:
    """:func:`morph_alignment` for a registered arm, one RNG per word."""
    from morphtok.segment.processor import build_processor, document_rng

    processor = build_processor(arm, tokenizer, **params)
    return morph_alignment(items, lambda text, i: processor.process(text, document_rng(seed, arm, i)), tokenizer)
