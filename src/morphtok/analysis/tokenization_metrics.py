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

* **onset splits per 1,000 words**: words whose first letter is a consonant
  standing alone in a token ("▁h" + "apun"), where the language engine's
  analysis has no boundary after it (k|um|ain's edge is a morpheme boundary).

Gold boundaries come from the hand-written gold set, or -- circularly -- from the
analyzer's confident analyses of running text (:func:`from_running_text`,
:func:`text_alignment`: scored against the same analyzer Patok uses, so not
evidence). :func:`morph_alignment` tokenizes each word alone;
:func:`context_alignment` places gold words inside real sentences
(:func:`place_in_sentences`) and tokenizes each sentence whole, the arm's real
input; :func:`text_alignment` tokenizes whole documents and reads each word's
token edges off the document's byte offsets. The language is reached only
through :func:`morphtok.lang.engine.get_engine`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

from morphtok.errors import TokenizerError
from morphtok.lang.engine import DEFAULT_LANGUAGE, get_engine
from morphtok.segment.tokenizer import Tokenizer

_VOWELS = frozenset("aeiouáéíóúàèìòùâêîôû")


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


def from_running_text(texts: Iterable[str], language: str = DEFAULT_LANGUAGE) -> list[GoldSegmentation]:
    """Analyzer boundaries of every word in ``texts`` with a confident affixed analysis (circular gold)."""
    engine = get_engine(language)
    out = []
    for text in texts:
        for start, end, best in engine.analyse_text(text):
            if best.is_affixed and best.confident:
                spans = tuple((m.start, m.end) for m in best.morphemes if m.type != "root")
                out.append(GoldSegmentation(text[start:end], frozenset(best.boundaries), spans, len(best.morphemes)))
    return out


def place_in_sentences(items: list[GoldSegmentation], sentences: list[str], seed: int = 0,
                       language: str = DEFAULT_LANGUAGE) -> list[tuple[str, int, GoldSegmentation]]:
    """Each gold word put inside a real sentence: (sentence text, the word's char offset, item).

    A seeded draw picks the sentence and a word of it that is not sentence-initial; the
    gold word replaces that word (lower case, as inside a sentence).
    """
    engine = get_engine(language)
    rng = np.random.default_rng(seed)
    usable = [(s, spans[1:]) for s in sentences if len(spans := engine.find_words(s)) >= 2]
    if not usable:
        raise TokenizerError("no sentence with two or more words to place gold words in")
    out = []
    for item in items:
        sentence, spans = usable[int(rng.integers(len(usable)))]
        start, end = spans[int(rng.integers(len(spans)))]
        out.append((sentence[:start] + item.word + sentence[end:], start, item))
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


class _Tally:
    """Micro-averaged counts behind every metric of the module doc."""

    def __init__(self) -> None:
        self.hits = self.gold_total = self.token_total = 0
        self.tokens = self.morphemes = self.words = 0
        self.affixes = self.affixes_whole = 0

    def add(self, item: GoldSegmentation, edges: set[int], tokens: int) -> None:
        self.words += 1
        self.tokens += tokens
        self.morphemes += item.morphemes
        if item.boundaries:
            self.hits += len(edges & item.boundaries)
            self.gold_total += len(item.boundaries)
            self.token_total += len(edges)
        bounded = edges | {0, len(item.word)}
        for start, end in item.affix_spans:
            self.affixes += 1
            self.affixes_whole += start in bounded and end in bounded

    def result(self) -> dict[str, float]:
        recall = self.hits / self.gold_total if self.gold_total else 0.0
        precision = self.hits / self.token_total if self.token_total else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "words": self.words,
            "morph_score": recall,
            "boundary_precision": precision,
            "boundary_recall": recall,
            "boundary_f1": f1,
            "tokens_per_word": self.tokens / self.words if self.words else 0.0,
            "tokens_per_morpheme": self.tokens / self.morphemes if self.morphemes else 0.0,
            "affix_preservation": self.affixes_whole / self.affixes if self.affixes else 0.0,
        }


def morph_alignment(
    items: list[GoldSegmentation], tokenize: Callable[[str, int], list[int]], tokenizer: Tokenizer
) -> dict[str, float]:
    """Alignment metrics (module doc) of ``tokenize(" " + word, index) -> ids`` on ``items``."""
    tally = _Tally()
    for index, item in enumerate(items):
        edges, count = token_edges(item.word, tokenize(" " + item.word, index), tokenizer)
        tally.add(item, edges, count)
    return tally.result()


def context_alignment(placed: list[tuple[str, int, GoldSegmentation]], tokenize: Callable[[str, int], list[int]],
                      tokenizer: Tokenizer) -> dict[str, float]:
    """Alignment of gold words inside sentences: each sentence tokenized whole (``tokenize(text, index)``)."""
    tally = _Tally()
    for index, (text, start, item) in enumerate(placed):
        ends, edge_set, byte_of = _token_ends(text, tokenize(text, index), tokenizer, index)
        end = start + len(item.word)
        first, last = byte_of[start], byte_of[end]
        edges = {c for c in range(1, len(item.word)) if byte_of[start + c] in edge_set}
        tally.add(item, edges, bisect_left(ends, last) - bisect_right(ends, first) + 1)
    return tally.result()


def onset_splits(texts: Iterable[str], tokenize: Callable[[str, int], list[int]], tokenizer: Tokenizer,
                 language: str = DEFAULT_LANGUAGE) -> dict[str, float]:
    """Single-consonant onset splits per 1,000 words (module doc), each document tokenized whole."""
    engine = get_engine(language)
    words = splits = 0
    for index, text in enumerate(texts):
        _, edge_set, byte_of = _token_ends(text, tokenize(text, index), tokenizer, index)
        for start, end, best in engine.analyse_text(text):
            words += 1
            if end - start >= 3 and text[start].lower() not in _VOWELS and byte_of[start + 1] in edge_set:
                splits += 1 not in best.boundaries
    return {"words": words, "onset_splits_per_1000": 1000 * splits / max(words, 1)}


def _token_ends(text: str, ids: list[int], tokenizer: Tokenizer, index: int):
    raw = text.encode("utf-8")
    table = tokenizer.token_bytes
    ends = list(accumulate(len(table[t]) if 0 <= t < len(table) else 0 for t in ids))
    if not ids or ends[-1] != len(raw):
        raise TokenizerError(f"the arm's ids do not spell document {index}", hint="round-trip broken: a bug in the arm")
    return ends, set(ends), [0, *accumulate(len(ch.encode("utf-8")) for ch in text)]


def text_alignment(
    texts: Iterable[str], tokenize: Callable[[str, int], list[int]], tokenizer: Tokenizer,
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, float]:
    """The same metrics on running text, each document tokenized whole (``tokenize(text, index)``).

    Circular: gold boundaries are the analyzer's own, for its confident affixed analyses
    (report it as such). Every word counts (unanalysable ones as one morpheme, no
    boundary). A word's tokens are those overlapping its characters plus the piece
    holding its leading space when that piece starts the word ("▁nag").
    """
    engine = get_engine(language)
    tally = _Tally()
    for index, text in enumerate(texts):
        ends, edge_set, byte_of = _token_ends(text, tokenize(text, index), tokenizer, index)
        for start, end, best in engine.analyse_text(text):
            word, first, last = text[start:end], byte_of[start], byte_of[end]
            edges = {c for c in range(1, len(word)) if byte_of[start + c] in edge_set}
            # Tokens overlapping [first, last): from the one ending after `first` to the one ending at/after `last`.
            count = bisect_left(ends, last) - bisect_right(ends, first) + 1
            if best.is_affixed and best.confident:
                spans = tuple((m.start, m.end) for m in best.morphemes if m.type != "root")
                item = GoldSegmentation(word, frozenset(best.boundaries), spans, len(best.morphemes))
            else:
                item = GoldSegmentation(word, frozenset(), (), 1)
            tally.add(item, edges, count)
    return tally.result()


def arm_alignment(arm: str, tokenizer: Tokenizer, items: list[GoldSegmentation], seed: int = 0, **params) -> dict:
    """:func:`morph_alignment` for a registered arm, one RNG per word."""
    from morphtok.segment.processor import build_processor, document_rng

    processor = build_processor(arm, tokenizer, **params)
    return morph_alignment(items, lambda text, i: processor.process(text, document_rng(seed, arm, i)), tokenizer)


def arm_text_alignment(arm: str, tokenizer: Tokenizer, texts: list[str], seed: int = 0, **params) -> dict:
    """:func:`text_alignment` for a registered arm, one RNG per document."""
    return text_alignment(texts, _arm_tokenize(arm, tokenizer, seed, params), tokenizer)


def arm_context_alignment(arm: str, tokenizer: Tokenizer, placed, seed: int = 0, **params) -> dict:
    """:func:`context_alignment` for a registered arm, one RNG per sentence."""
    return context_alignment(placed, _arm_tokenize(arm, tokenizer, seed, params), tokenizer)


def arm_onset_splits(arm: str, tokenizer: Tokenizer, texts: list[str], seed: int = 0, **params) -> dict:
    """:func:`onset_splits` for a registered arm, one RNG per document."""
    return onset_splits(texts, _arm_tokenize(arm, tokenizer, seed, params), tokenizer)


def _arm_tokenize(arm: str, tokenizer: Tokenizer, seed: int, params: dict) -> Callable[[str, int], list[int]]:
    from morphtok.segment.processor import build_processor, document_rng

    processor = build_processor(arm, tokenizer, **params)
    return lambda text, i: processor.process(text, document_rng(seed, arm, i))
