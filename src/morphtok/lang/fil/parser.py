"""Candidate parses of one lower-cased, normalised word (generate-and-test; no ranking here).

A word is parsed as

    prefix* [reduplicant] [infix] root [suffix]     or with hyphens: prefix*-[redup-]root

and a parse survives when its root passes :meth:`_Parser.root_kind` (attested in the
lexicon, or a guess: see :mod:`morphtok.lang.fil.guesser`). Phonology undone while
parsing:

* -um-/-in- after the first consonant (``ng`` is one: ng|um|iti), or as a prefix
  before a vowel (um|alis, in|alis); -in- realised as ni- before l/y/r (ni|linis,
  ni|regalo) and, after i-, before a vowel (i|ni|abot);
* -han/-hin after vowels; vowel loss before a suffix (dal|hin <- dala, bigy|an <- bigay);
  o -> u before a suffix (inum|in <- inom, upu|an <- upo), -an/-in after an unwritten
  glottal stop (tama|an); d -> r between vowels (da|rating, naka|raan, ligir|an <- ligid);
* nasal assimilation of mang-/nang-/pang-/sing-/kasing-/ipang-/ipinang-, with
  root-consonant deletion (pa|mili <- bili, ma|nguha <- kuha, pa|nalo <- talo);
* CV/V/CVC reduplication (nag|lu|luto, ka|kain, a|alis), the causative pa- copied
  (mag|pa|pa|ganda), full reduplication (araw-|araw), reduplication with an infix
  (d|in|ami-|dami), partial reduplication before a hyphen (kapaki-|pakinabang), and
  loan reduplicants (magri-|release, nagre-|reply, mag-|e-|enjoy: e/i and o/u alternate);
* hyphenated prefixes (mag-|aral, nag-|commit, i-|share).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from morphtok.lang.fil.affixes import inventory
from morphtok.lang.fil.guesser import MIN_ENGLISH_COUNT, is_english, tagalog_shaped
from morphtok.lang.fil.lexicon import Lexicon
from morphtok.lang.fil.phonology import VOWELS

SUFFIXES = ("han", "hin", "nan", "nin", "an", "in")
ASSIMILATING = {"mang": "ma", "nang": "na", "pang": "pa", "sing": "si", "kasing": "kasi", "ipang": "ipa",
                "ipinang": "ipina"}
_DELETED = {"m": ("b", "p"), "n": ("t", "s", "d"), "ng": ("k",)}
# ASSIMILATING's (base, stem) items by the stem's first two letters, in ASSIMILATING's order.
_ASSIMILATING_BY_START: dict[str, tuple[tuple[str, str], ...]] = {}
for _base, _stem in ASSIMILATING.items():
    _ASSIMILATING_BY_START[_stem[:2]] = (*_ASSIMILATING_BY_START.get(_stem[:2], ()), (_base, _stem))
_SUFFIX_ENDINGS = ("an", "in")  # every suffix ends in one of these
_ALTERNATE = {"i": "e", "e": "i", "u": "o", "o": "u"}
# Root kinds, best first: dictionary root, function word as a root (na|wala, um|amin),
# guessed from paradigm evidence, English loan.
ATTESTED, FUNCTION, EVIDENCED, ENGLISH = "attested", "function", "evidenced", "english"


@dataclass(slots=True)
class Parse:
    """One decomposition: surface segments (start, end, type) plus the underlying root."""

    segments: list[tuple[int, int, str]]
    root: str
    prefixes: list[str]
    infixes: list[str]
    suffixes: list[str]
    redup: str | None
    penalty: float
    kind: str = ATTESTED

    @property
    def affix_count(self) -> int:
        return len(self.prefixes) + len(self.infixes) + len(self.suffixes) + bool(self.redup)


class Parser:
    def __init__(self, word: str, lexicon: Lexicon):
        self.w = word
        self.lexicon = lexicon
        self.prefix_forms = _prefix_index()
        self.out: list[Parse] = []

    def parses(self) -> list[Parse]:
        """Every parse with at least one affix (the bare word is the caller's own candidate)."""
        self._prefixes(0, [], [], 0, None)
        return self.out

    # -------------------------------------------------------------- prefixes
    def _prefixes(self, pos: int, segs: list, prefixes: list[str], depth: int, redup: str | None) -> None:
        self._stem(pos, segs, prefixes, None, redup)
        if depth >= 3:
            return
        w = self.w
        if redup is None and len(w) - pos > 6:  # mag|pa|pa|ganda, i|sa|sa|gawa: a copied CV prefix
            cv = w[pos : pos + 2]
            if cv in ("pa", "ka", "ma", "na", "sa") and w.startswith(cv, pos + 2):
                segs2 = [*segs, (pos, pos + 2, "redup"), (pos + 2, pos + 4, "prefix")]
                self._prefixes(pos + 4, segs2, [*prefixes, cv], depth + 1, cv)
        start = w[pos : pos + 2]
        for length, forms in self.prefix_forms.get(start, ()):  # longest first, as in _prefix_forms
            form = w[pos : pos + length]
            if form not in forms:
                continue
            end = pos + length
            hyphen = w.startswith("-", end)
            end += hyphen
            if len(w) - end < 2 or not _nasal_agrees(form, w[end:]):
                continue
            penalty = 0.0
            if not hyphen and form[-1] == "g" and not form.endswith("ng") and w[end] in VOWELS:
                penalty = 0.6  # standard spelling hyphenates g-final prefixes before vowels: nag|ulat is nagulat?
            before = len(self.out)
            self._prefixes(end, [*segs, (pos, end, "prefix")], [*prefixes, form], depth + 1, redup)
            for parse in self.out[before:] if penalty else ():
                parse.penalty += penalty
        for base, stem in _ASSIMILATING_BY_START.get(start, ()):  # nasal fusion, root consonant deleted: pa|mili <- bili
            end = pos + len(stem)
            if not w.startswith(stem, pos) or len(w) - end < 3:
                continue
            nasal = "ng" if w.startswith("ng", end) else w[end]
            for consonant in _DELETED.get(nasal, ()):
                self._stem(end, [*segs, (pos, end, "prefix")], [*prefixes, base], (nasal, consonant), redup)

    # -------------------------------------------------------------- stem
    def _stem(self, pos: int, segs: list, prefixes: list[str], fused: tuple[str, str] | None, redup0: str | None) -> None:
        """Parse w[pos:] as [redup][infix] root [suffix]; ``fused`` = (nasal, consonant) when an
        assimilated nasal swallowed the root's first consonant (pa|mili <- bili)."""
        surface = self.w[pos:]
        if len(surface) < 2:
            return
        if "-" in surface:
            if fused is None:
                self._hyphenated(pos, surface, segs, prefixes, redup0)
            return
        last_prefix = prefixes[-1] if prefixes else ""
        penalty = 0.25 if fused else 0.0  # prefer s|in|ulat over si|nulat
        for body_len, suffix in _suffix_options(surface):
            body = surface[:body_len]
            infixes = ((None, 0, 0, body),) if fused else _infix_options(body, prefixes)
            for infix, infix_at, infix_len, under in infixes:
                for redup_len in (0,) if redup0 else _redup_options(under):
                    root_text = under[redup_len:]
                    if fused:
                        if not root_text.startswith(fused[0]):
                            continue
                        root_text = fused[1] + root_text[len(fused[0]) :]
                    after_vowel = (under[:redup_len] or last_prefix)[-1:] in VOWELS
                    # Roots first (one cached lookup): most reconstructed strings are no root, and
                    # then no segment list is built.
                    roots = self._roots(root_text, suffix, after_vowel)
                    if not roots:
                        continue
                    segments = segs.copy()
                    if infix_len:
                        segments += _map_infix(((0, redup_len, "redup"), (redup_len, len(under), "root")),
                                               infix_at, infix_len, pos)
                    else:  # _map_infix without an infix: the non-empty pieces, moved to pos
                        if redup_len:
                            segments.append((pos, pos + redup_len, "redup"))
                        if len(under) > redup_len:
                            segments.append((pos + redup_len, pos + len(under), "root"))
                    if suffix:
                        segments.append((pos + body_len, len(self.w), "suffix"))
                    self._add(roots, suffix, segments, prefixes, [infix] if infix else [],
                              under[:redup_len] or redup0, penalty)

    def _hyphenated(self, pos: int, surface: str, segs: list, prefixes: list[str], redup0: str | None) -> None:
        """X-X (araw-araw), C<in>X-X (dinami-dami), X-XY (kapaki-pakinabang), CV-loan (ri-release)."""
        left, _, right = surface.partition("-")
        if not left or not right or "-" in right:
            return
        cut = pos + len(left) + 1
        tail = [(cut, len(self.w), "root")]
        if redup0 is None and right == left:
            self._root_candidates(left, None, [*segs, (pos, cut, "redup"), *tail], prefixes, [], left + "-", 0.0)
            return
        for infix, at, length, under in _infix_options(left, prefixes)[1:]:
            if under == right:  # d|in|ami-|dami
                pieces = _map_infix([(0, len(under), "redup")], at, length, pos)
                pieces[-1] = (pieces[-1][0], cut, "redup")
                self._root_candidates(right, None, [*segs, *pieces, *tail], prefixes, [infix], right + "-", 0.05)
        if redup0 is None and len(left) <= 4 and _is_partial_copy(left, right):
            # The right side may carry its own suffix (pinag-|usap|an is handled by prefixes).
            for body_len, suffix in _suffix_options(right):
                body = right[:body_len]
                suffix_seg = [(cut + body_len, len(self.w), "suffix")] if suffix else []
                segments = [*segs, (pos, cut, "redup"), (cut, cut + body_len, "root"), *suffix_seg]
                self._root_candidates(body, suffix, segments, prefixes, [], left + "-", 0.1)

    def _root_candidates(self, root_surface, suffix, segments, prefixes, infixes, redup, penalty, after_vowel=False) -> None:
        self._add(self._roots(root_surface, suffix, after_vowel), suffix, segments, prefixes, infixes, redup, penalty)

    def _roots(self, root_surface: str, suffix: str | None, after_vowel: bool) -> list[tuple[str, float, str]]:
        """(root, phonology penalty, kind) of the roots ``root_surface`` may spell before ``suffix``."""
        found = _root_options(root_surface, suffix, after_vowel)
        if not found:
            return found
        out = []
        for option in found:
            # A guess (EVIDENCED): other counted forms must back it, not this word alone.
            if option[2] != EVIDENCED or self.lexicon.backing(option[0], self.w) > 0:
                out.append(option)
        return out

    def _add(self, roots, suffix, segments, prefixes, infixes, redup, penalty) -> None:
        if not (prefixes or infixes or suffix or redup):
            return  # the bare word: no parse (see parses)
        for root, extra, kind in roots:
            self.out.append(Parse(segments, root, list(prefixes), list(infixes), [suffix] if suffix else [],
                                  redup, penalty + extra, kind))


@lru_cache(maxsize=1 << 18)
def _root_options(root_surface: str, suffix: str | None, after_vowel: bool) -> tuple[tuple[str, float, str], ...]:
    """The word-independent part of root finding: (root, penalty, static kind) of every
    reconstruction of ``root_surface`` (undoing suffix phonology and d -> r) that
    :func:`_static_kind` accepts, in the order they are tried."""
    options = _undo_suffix_phonology(root_surface, suffix)
    if after_vowel and root_surface.startswith("r"):
        options += [("d" + root[1:], extra + 0.15) for root, extra in options]  # da|rating <- dating
    possible = _possible_roots()
    out = []
    for root, extra in options:
        if root in possible:  # most reconstructed strings are nothing: one set lookup
            kind = _static_kind(root)
            if kind is not None:
                out.append((root, extra, kind))
    return tuple(out)


@lru_cache(maxsize=1)
def _possible_roots() -> dict[str, None]:
    """Every string :func:`_static_kind` may accept: roots, function words, English words, evidence stems.

    A dict of strings, not a frozenset: the garbage collector never traverses it (a set is
    always tracked, so each full collection walked its ~94k entries during analysis)."""
    from morphtok.lang.fil.guesser import english_counts

    lexicon = Lexicon.default()
    english = (w for w, c in english_counts().items() if c >= MIN_ENGLISH_COUNT and len(w) >= 4)
    possible: dict[str, None] = {}
    for source in (lexicon.roots, lexicon.function_words, english, lexicon.evidence):
        possible.update(dict.fromkeys(source))
    return possible


@lru_cache(maxsize=1 << 18)
def _static_kind(root: str) -> str | None:
    """The root's kind as far as it does not depend on the word (EVIDENCED = a candidate guess)."""
    lexicon = Lexicon.default()
    if len(root) < 3:
        return None
    syllables = sum(map(VOWELS.__contains__, root))  # every vowel is a syllable nucleus in Tagalog spelling
    if root in lexicon.roots and root not in lexicon.function_words:
        return ATTESTED if syllables >= 2 or root in lexicon.hand_roots else None
    if root in lexicon.function_words:
        # "niya" is a pronoun, but wala, amin, dahil, isa are roots inside affixed words.
        return FUNCTION if syllables >= 2 else None
    if len(root) >= 4 and is_english(root):
        return ENGLISH
    if root in lexicon.evidence and tagalog_shaped(root):
        return EVIDENCED
    return None


@lru_cache(maxsize=1)
def _prefix_forms() -> dict[str, tuple[str, ...]]:
    """Prefix forms (longest first) by their first two letters, or the one-letter form (i-)."""
    index: dict[str, list[str]] = {}
    for form in sorted(inventory().prefix_forms(), key=len, reverse=True):
        keys = [form[:2]] if len(form) >= 2 else [form + c for c in "abcdefghijklmnopqrstuvwxyzñ-"]
        for key in keys:
            index.setdefault(key, []).append(form)
    return {key: tuple(forms) for key, forms in index.items()}


@lru_cache(maxsize=1)
def _prefix_index() -> dict[str, tuple[tuple[int, frozenset[str]], ...]]:
    """:func:`_prefix_forms` as (length, forms of that length) per key, longest first: at one
    position at most one form of each length matches, so one slice and one set lookup per length
    visit the matching forms in :func:`_prefix_forms`'s order."""
    index = {}
    for key, forms in _prefix_forms().items():
        lengths = sorted({len(form) for form in forms}, reverse=True)
        index[key] = tuple((n, frozenset(form for form in forms if len(form) == n)) for n in lengths)
    return index


def _nasal_agrees(form: str, rest: str) -> bool:
    if form.endswith("m") and form[:-1] + "ng" in ASSIMILATING:
        return rest[:1] in ("b", "p")
    if form.endswith("n") and not form.endswith("ng") and form + "g" in ASSIMILATING:
        return rest[:1] in ("d", "l", "r", "s", "t")
    return True


def _suffix_options(surface: str) -> list[tuple[int, str | None]]:
    options: list[tuple[int, str | None]] = [(len(surface), None)]
    if not surface.endswith(_SUFFIX_ENDINGS):
        return options
    for suffix in SUFFIXES:
        if surface.endswith(suffix) and len(surface) - len(suffix) >= 2:
            options.append((len(surface) - len(suffix), suffix))
    return options


def _infix_options(body: str, prefixes: list[str]) -> list[tuple[str | None, int, int, str]]:
    """(infix, surface offset, surface length, underlying body) options."""
    options: list[tuple[str | None, int, int, str]] = [(None, 0, 0, body)]
    head = body[:4]  # every infix below starts at offset 0, 1 or 2
    if "um" not in head and "in" not in head and not head.startswith("ni"):
        return options
    onset = 2 if body.startswith("ng") else 1  # ng is one consonant: ng|um|iti
    for infix in ("um", "in"):
        if body.startswith(infix) and len(body) > 3 and body[2] in VOWELS:
            options.append((infix, 0, 2, body[2:]))  # vowel-initial root: um|alis
        if len(body) > onset + 3 and body[0] not in VOWELS and body[onset : onset + 2] == infix \
                and body[onset + 2] in VOWELS:
            options.append((infix, onset, 2, body[:onset] + body[onset + 2 :]))  # k|um|ain
    if body.startswith("ni") and len(body) > 3 and (body[2] in "lyr" or (body[2] in VOWELS and prefixes[-1:] == ["i"])):
        options.append(("in", 0, 2, body[2:]))  # ni|linis, ni|regalo, i|ni|abot
    return options


def _redup_options(body: str) -> list[int]:
    """Reduplicant lengths: 0, then a copied V (a|alis), CV (lu|luto), CVC, and the two special copies."""
    n = len(body)
    options = [0]
    if n < 4:
        return options
    first, second = body[0], body[1]
    if first == second and first in VOWELS:  # k = 1 needs a vowel: a|alis
        options.append(1)
    if n >= 5 and body[:2] == body[2:4] and (first in VOWELS or second in VOWELS):
        options.append(2)
    if n >= 6 and body[:3] == body[3:6] and (first in VOWELS or second in VOWELS or body[2] in VOWELS):
        options.append(3)
    if len(body) > 5 and body[0] == "d" and body[2] == "r" and body[1] == body[3] and body[1] in VOWELS:
        options.append(2)  # da|rating <- dating: d -> r between vowels in the copied root
    if len(body) > 6 and body[0] == body[2] and body[1] == body[4] and body[1] in VOWELS \
            and body[0] not in VOWELS and body[3] not in VOWELS:
        options.append(2)  # ta|trabaho, pi|pr...: a cluster root copies its first consonant and vowel
    return options


def _is_partial_copy(left: str, right: str) -> bool:
    """``left`` copies the start of ``right``: paki-pakinabang, ri-release (e/i), e-enjoy, pa-paano."""
    if right.startswith(left) and len(right) > len(left):
        return True
    if len(left) > 3 or not right.startswith(left[:-1]) or len(right) <= len(left):
        return False
    return left[-1] in VOWELS and _ALTERNATE.get(left[-1]) == right[len(left) - 1]


def _undo_suffix_phonology(stem: str, suffix: str | None) -> list[tuple[str, float]]:
    options = [(stem, 0.0)]
    if not suffix or not stem:
        return options
    if stem[-1] not in VOWELS:
        if suffix.startswith("h"):
            options += [(stem + v, 0.3) for v in "aiuoe"]  # dal|hin <- dala
        elif len(stem) >= 3:
            options += [(stem + v, 0.7) for v in "aiuoe"]  # gaw|in <- gawa
            if stem[-2] not in VOWELS:
                options += [(stem[:-1] + v + stem[-1], 0.4) for v in "oaiue"]  # sund|in <- sunod, bigy|an <- bigay
            if stem[-1] == "r":
                options.append((stem[:-1] + "d", 0.15))  # ligir|an <- ligid
        last_u = stem.rfind("u")
        if last_u >= 0 and all(c not in VOWELS for c in stem[last_u + 1 :]):
            options.append((stem[:last_u] + "o" + stem[last_u + 1 :], 0.1))  # inum|in <- inom
    else:
        if not suffix.startswith(("h", "n")):
            options = [(stem, 0.2)]  # -an/-in after an unwritten glottal stop: tama|an, upu|an
        if stem[-1] == "u" and len(stem) >= 3:
            options.append((stem[:-1] + "o", 0.1))  # o -> u before a suffix: upu|an <- upo
    return options


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
