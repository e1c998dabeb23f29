"""Rule-based Tagalog morphological analyzer: ``analyze(word) -> list[Analysis]``.

Generate-and-test. A word is parsed as

    prefix* [reduplicant] [infix] root [suffix]      (or  X-X  full reduplication)

and every parse whose root is attested in the :class:`Lexicon` becomes a
candidate. The phonological rules are undone while parsing:

* -um-/-in- after the first consonant, or as a prefix before a vowel
  (k|um|ain, um|alis, in|alis); -in- realised as ni- before l/y (ni|linis);
* -han/-hin after vowels; vowel loss before a suffix (dal|hin <- dala,
  bil|hin <- bili, sund|in <- sunod); o -> u before a suffix (inum|in <- inom,
  upu|an <- upo, regalu|han <- regalo), with -an/-in after an unwritten glottal stop;
* nasal assimilation of mang-/nang-/pang-/sing-/kasing-/ipang-: pam|bili, and
  with root-consonant deletion the fused nasal stays with the root
  (pa|mili <- bili, ma|nguha <- kuha, pa|nalo <- talo);
* CV/V/CVC reduplication (nag|lu|luto, ka|kain, a|alis, k|um|a|kain) and full
  reduplication with a hyphen (araw-|araw, nag|lakad-|lakad);
* hyphenated prefixes before vowels (mag-|aral), mixed case (spans index the
  original string), loanword roots from the dictionary (nag|basketbol).

Curated monomorphemic look-alikes (``data/monomorphemic.txt``: pamilya, babala,
Manila...) and function words are returned whole.

Candidates are ranked by a score (root frequency, number of morphemes,
penalties for reconstructed phonology); the unanalysed word is always a
candidate, so names and particles with no attested root stay whole.
Results are cached per word type.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from morphtok.lang.fil.affixes import inventory
from morphtok.lang.fil.lexicon import Lexicon
from morphtok.lang.fil.phonology import VOWELS, syllable_count

_ANALYSABLE = re.compile(r"^[a-zñáéíóúàèìòùâêîôû]+(?:-[a-zñáéíóúàèìòùâêîôû]+)*$")
_MAX_LEN = 40
_SUFFIXES = ("han", "hin", "nan", "nin", "an", "in")
_ASSIMILATING = {"mang": "ma", "nang": "na", "pang": "pa", "sing": "si", "kasing": "kasi", "ipang": "ipa"}
_DELETED = {"m": ("b", "p"), "n": ("t", "s", "d"), "ng": ("k",)}


@dataclass(frozen=True)
class Morpheme:
    text: str
    type: str  # prefix | infix | suffix | root | redup
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"text": self.text, "type": self.type, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Analysis:
    word: str
    root: str
    prefixes: tuple[str, ...] = ()
    infixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    reduplication: str | None = None
    morphemes: tuple[Morpheme, ...] = field(default=())
    score: float = 0.0
    confident: bool = False

    @property
    def boundaries(self) -> list[int]:
        """Internal character offsets where one morpheme ends and the next starts."""
        return [m.start for m in self.morphemes[1:]]

    @property
    def is_affixed(self) -> bool:
        return bool(self.prefixes or self.infixes or self.suffixes or self.reduplication)

    def to_dict(self) -> dict:
        return {
            "word": self.word,
            "root": self.root,
            "prefixes": list(self.prefixes),
            "infixes": list(self.infixes),
            "suffixes": list(self.suffixes),
            "reduplication": self.reduplication,
            "morphemes": [m.to_dict() for m in self.morphemes],
            "score": round(self.score, 4),
            "confident": self.confident,
        }


def unanalysed(word: str, score: float = 0.0) -> Analysis:
    morphemes = (Morpheme(word, "root", 0, len(word)),) if word else ()
    return Analysis(word=word, root=word.lower(), morphemes=morphemes, score=score)


def analyze(word: str) -> list[Analysis]:
    """Ranked analyses of ``word`` (best first; never empty)."""
    return list(_analyze_cached(word))


@lru_cache(maxsize=1 << 18)
def _analyze_cached(word: str) -> tuple[Analysis, ...]:
    lower = word.lower()
    if not word or len(word) > _MAX_LEN or len(lower) != len(word) or not _ANALYSABLE.match(lower):
        return (unanalysed(word),)
    lexicon = Lexicon.default()
    if lower in lexicon.function_words or lower in lexicon.monomorphemic:
        return (unanalysed(word, score=100.0),)
    parses = _Parser(lower, lexicon).parses()
    candidates: dict[tuple, Analysis] = {}
    # A dictionary word may be a root itself: its running-text frequency backs that reading.
    base_score = 0.5 + 0.25 * math.log10(lexicon.frequency(lower) * 1e6 + 1.0) if lower in lexicon.roots else 0.0
    base = unanalysed(word, score=base_score)
    candidates[(base.root, tuple(base.boundaries))] = base
    for parse in parses:
        analysis = parse.to_analysis(word, lexicon)
        key = (analysis.root, tuple(analysis.boundaries), analysis.prefixes, analysis.suffixes)
        if key not in candidates or candidates[key].score < analysis.score:
            candidates[key] = analysis
    ranked = sorted(candidates.values(), key=lambda a: (-a.score, len(a.morphemes), a.root))
    best = ranked[0]
    if best.is_affixed:
        rivals = [a for a in ranked[1:] if a.root != best.root or a.boundaries != best.boundaries]
        margin = best.score - rivals[0].score if rivals else math.inf
        attested = lexicon.frequency(best.root) > 0 or best.root in lexicon.hand_roots
        ranked[0] = _replace(best, confident=attested and margin >= 0.3)
    return tuple(ranked)


def _replace(analysis: Analysis, **changes) -> Analysis:
    from dataclasses import replace

    return replace(analysis, **changes)


@dataclass
class _Parse:
    """One decomposition: surface segments (start, end, type) plus the underlying root."""

    segments: list[tuple[int, int, str]]
    root: str
    prefixes: list[str]
    infixes: list[str]
    suffixes: list[str]
    redup: str | None
    penalty: float

    def to_analysis(self, word: str, lexicon: Lexicon) -> Analysis:
        morphemes = tuple(Morpheme(word[a:b], kind, a, b) for a, b, kind in self.segments if b > a)
        freq = lexicon.frequency(self.root)
        score = 1.0 + 0.25 * math.log10(freq * 1e6 + 1.0) - self.penalty
        score -= 0.05 * max(0, len(self.prefixes) + len(self.infixes) + len(self.suffixes) + bool(self.redup) - 1)
        # magpa|pa|... is the reduplicated causative (mag|pa|pa|...), not two prefixes.
        score -= 0.3 * sum(
            1 for a, b in zip(self.prefixes, self.prefixes[1:], strict=False) if a != b and a.endswith(b)
        )
        if self.root in lexicon.hand_roots:
            score += 0.5
        return Analysis(
            word=word,
            root=self.root,
            prefixes=tuple(self.prefixes),
            infixes=tuple(self.infixes),
            suffixes=tuple(self.suffixes),
            reduplication=self.redup,
            morphemes=morphemes,
            score=score,
        )


class _Parser:
    def __init__(self, word: str, lexicon: Lexicon):
        self.w = word
        self.lexicon = lexicon
        self.prefix_forms = sorted(inventory().prefix_forms(), key=len, reverse=True)
        self.out: list[_Parse] = []

    def parses(self) -> list[_Parse]:
        self._prefixes(0, [], [], 0, None)
        return [p for p in self.out if p.prefixes or p.infixes or p.suffixes or p.redup]

    # -------------------------------------------------------------- prefixes
    def _prefixes(self, pos: int, segs: list, prefixes: list[str], depth: int, redup: str | None) -> None:
        self._stem(pos, segs, prefixes, None, redup)
        if depth >= 3:
            return
        w = self.w
        # Reduplicated CV prefix: mag|pa|pa|ganda (the causative pa- copied).
        if redup is None and len(w) - pos > 6:
            cv = w[pos : pos + 2]
            if cv in ("pa", "ka", "ma", "na") and w.startswith(cv, pos + 2):
                segs2 = [*segs, (pos, pos + 2, "redup"), (pos + 2, pos + 4, "prefix")]
                self._prefixes(pos + 4, segs2, [*prefixes, cv], depth + 1, cv)
        for form in self.prefix_forms:
            if not w.startswith(form, pos):
                continue
            end = pos + len(form)
            if w.startswith("-", end):
                end += 1
            if len(w) - end < 2:
                continue
            if not self._nasal_agrees(form, w[end:]):
                continue
            self._prefixes(end, [*segs, (pos, end, "prefix")], [*prefixes, form], depth + 1, redup)
        # Nasal assimilation with root-consonant deletion: pa|mili <- pang + bili.
        for base, stem in _ASSIMILATING.items():
            end = pos + len(stem)
            if not w.startswith(stem, pos) or len(w) - end < 3:
                continue
            nasal = "ng" if w.startswith("ng", end) else w[end]
            for consonant in _DELETED.get(nasal, ()):
                self._stem(end, [*segs, (pos, end, "prefix")], [*prefixes, base], (nasal, consonant), redup)


    @staticmethod
    def _nasal_agrees(form: str, rest: str) -> bool:
        if form.endswith("m") and form[:-1] + "ng" in _ASSIMILATING:
            return rest[:1] in ("b", "p")
        if form.endswith("n") and not form.endswith("ng") and form + "g" in _ASSIMILATING:
            return rest[:1] in ("d", "l", "r", "s", "t")
        return True

    # -------------------------------------------------------------- stem
    def _stem(self, pos: int, segs: list, prefixes: list[str], fused: tuple[str, str] | None, redup0: str | None) -> None:
        """Parse w[pos:] as [redup][infix] root [suffix]. ``fused`` = (nasal, consonant) when
        an assimilated nasal swallowed the root's first consonant (pa|mili <- bili)."""
        surface = self.w[pos:]
        if len(surface) < 2:
            return
        # Full reduplication with a hyphen: X-X or X-Y with Y starting with X (lakad-lakad).
        if "-" in surface:
            left, _, right = surface.partition("-")
            if fused is None and redup0 is None and left and right == left:
                cut = pos + len(left) + 1
                self._root_candidates(
                    left, None, [*segs, (pos, cut, "redup"), (cut, len(self.w), "root")], prefixes, [], left + "-", 0.0
                )
            return
        for body_len, suffix in self._suffix_options(surface):
            body = surface[:body_len]
            suffix_seg = [(pos + body_len, len(self.w), "suffix")] if suffix else []
            infixes = [(None, 0, 0, body)] if fused else self._infix_options(body)
            for infix, infix_at, infix_len, under in infixes:
                for redup_len in [0] if redup0 else self._redup_options(under):
                    root_surface = under[redup_len:]
                    # Underlying pieces: reduplicant [0, redup_len), root [redup_len, len).
                    pieces = [(0, redup_len, "redup"), (redup_len, len(under), "root")]
                    mapped = _map_infix(pieces, infix_at, infix_len, pos)
                    segments = [*segs, *mapped, *suffix_seg]
                    redup = under[:redup_len] or redup0
                    root_text = root_surface
                    if fused:
                        if not root_surface.startswith(fused[0]):
                            continue
                        root_text = fused[1] + root_surface[len(fused[0]) :]
                    self._root_candidates(
                        root_text, suffix, segments, prefixes, [infix] if infix else [], redup,
                        0.25 if fused else 0.0,  # prefer an infix reading (s|in|ulat) over si|nulat
                    )

    @staticmethod
    def _suffix_options(surface: str) -> list[tuple[int, str | None]]:
        options: list[tuple[int, str | None]] = [(len(surface), None)]
        for suffix in _SUFFIXES:
            if surface.endswith(suffix) and len(surface) - len(suffix) >= 2:
                options.append((len(surface) - len(suffix), suffix))
        return options

    @staticmethod
    def _infix_options(body: str) -> list[tuple[str | None, int, int, str]]:
        """(infix, surface offset, surface length, underlying body) options."""
        options: list[tuple[str | None, int, int, str]] = [(None, 0, 0, body)]
        for infix in ("um", "in"):
            if body.startswith(infix) and len(body) > 3 and body[2] in VOWELS:
                options.append((infix, 0, 2, body[2:]))  # vowel-initial root: um|alis
            if len(body) > 4 and body[0] not in VOWELS and body[1:3] == infix and body[3] in VOWELS:
                options.append((infix, 1, 2, body[0] + body[3:]))  # k|um|ain
        if body.startswith("ni") and len(body) > 3 and body[2] in ("l", "y"):
            options.append(("in", 0, 2, body[2:]))  # ni|linis
        return options

    @staticmethod
    def _redup_options(body: str) -> list[int]:
        options = [0]
        for k in (1, 2, 3):
            if len(body) - k >= 3 and body[:k] == body[k : 2 * k] and any(c in VOWELS for c in body[:k]):
                if k == 1 and body[0] not in VOWELS:
                    continue
                options.append(k)
        return options

    def _root_candidates(self, root_surface, suffix, segments, prefixes, infixes, redup, penalty) -> None:
        for root, extra in self._undo_suffix_phonology(root_surface, suffix):
            if self._valid_root(root):
                self.out.append(
                    _Parse(
                        segments=segments,
                        root=root,
                        prefixes=list(prefixes),
                        infixes=list(infixes),
                        suffixes=[suffix] if suffix else [],
                        redup=redup,
                        penalty=penalty + extra,
                    )
                )

    @staticmethod
    def _undo_suffix_phonology(stem: str, suffix: str | None) -> list[tuple[str, float]]:
        options = [(stem, 0.0)]
        if not suffix or not stem:
            return options
        if stem[-1] not in VOWELS:
            if suffix.startswith("h"):
                options += [(stem + v, 0.3) for v in "aiuoe"]  # dal|hin <- dala
            elif len(stem) >= 3:
                options += [(stem + v, 0.5) for v in "aiuoe"]  # gaw|in <- gawa
                if len(stem) >= 3 and stem[-2] not in VOWELS:
                    options += [(stem[:-1] + v + stem[-1], 0.4) for v in "oaiue"]  # sund|in <- sunod
            last_u = stem.rfind("u")
            if last_u >= 0 and all(c not in VOWELS for c in stem[last_u + 1 :]):
                options.append((stem[:last_u] + "o" + stem[last_u + 1 :], 0.1))  # inum|in <- inom
        else:
            if not suffix.startswith(("h", "n")):
                # -an/-in straight after a vowel: the root ends in an unwritten glottal stop
                # (upo -> upuan, luto -> lutuin); rarer than -han/-hin, so a small penalty.
                options = [(stem, 0.6)]
            if stem[-1] == "u" and len(stem) >= 3:
                options.append((stem[:-1] + "o", 0.1))  # o -> u before a suffix: upu|an <- upo, regalu|han <- regalo
        return options

    def _valid_root(self, root: str) -> bool:
        lexicon = self.lexicon
        if len(root) < 3 or root not in lexicon.roots:
            return False
        if root in lexicon.function_words and root not in lexicon.hand_roots:
            return False  # "niya" is a pronoun, but "tayo" is also the root "stand"
        return syllable_count(root) >= 2 or root in lexicon.hand_roots


def _map_infix(pieces, infix_at: int, infix_len: int, offset: int) -> list[tuple[int, int, str]]:
    """Map underlying [a, b) pieces to surface spans around an infix inserted at ``infix_at``."""
    if infix_len == 0:
        return [(offset + a, offset + b, kind) for a, b, kind in pieces if b > a]
    out: list[tuple[int, int, str]] = []
    inserted = False
    for a, b, kind in pieces:
        if b <= a:
            continue
        if not inserted and a >= infix_at:
            out.append((offset + infix_at, offset + infix_at + infix_len, "infix"))
            inserted = True
        if a < infix_at < b:
            out.append((offset + a, offset + infix_at, kind))
            out.append((offset + infix_at, offset + infix_at + infix_len, "infix"))
            out.append((offset + infix_at + infix_len, offset + b + infix_len, kind))
            inserted = True
        elif a >= infix_at:
            out.append((offset + a + infix_len, offset + b + infix_len, kind))
        else:
            out.append((offset + a, offset + b, kind))
    if not inserted:
        out.append((offset + infix_at, offset + infix_at + infix_len, "infix"))
    return out
