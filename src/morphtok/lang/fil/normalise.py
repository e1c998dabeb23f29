"""What a Filipino word is, and the text the analyzer sees (NFC, invisible characters dropped).

Real web text carries soft hyphens (U+00AD, in ~10% of news sentences), zero-width
spaces and joiners inside words, and decomposed accents. :func:`normalise` removes
the invisible characters and composes to NFC while recording, for every normalised
character, the span of the original it came from, so analyses map back to the
original offsets exactly (Patok's round trip stays byte-exact).

:data:`WORD` and :data:`WORD_BYTES` are the same notion of a word as a ``str`` and a
UTF-8 ``bytes`` regex: letters (ASCII, ñ, accented vowels, other Latin-1 letters, a
combining accent), internal hyphens and internal invisible characters.
"""

from __future__ import annotations

import re
import unicodedata

from morphtok.lang.engine import Normalised

# Dropped inside words: soft hyphen, zero-width space / non-joiner / joiner, word joiner, BOM.
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff"
_MARK = "\u0300-\u036f"
_HIDDEN = "".join(sorted(INVISIBLE))
WORD = re.compile(f"[{_LETTER}][{_LETTER}{_MARK}{_HIDDEN}]*(?:-[{_LETTER}][{_LETTER}{_MARK}{_HIDDEN}]*)*")

# The same in UTF-8: Latin-1 letters are \xc3\x80-\xbf minus x (\x97) and / (\xb7); marks are
# \xcc\x80-\xcd\xaf; the invisible ones \xc2\xad, \xe2\x80\x8b-\x8d, \xe2\x81\xa0, \xef\xbb\xbf.
_B_LETTER = rb"[A-Za-z]|\xc3[\x80-\x96\x98-\xb6\xb8-\xbf]"
_B_INSIDE = _B_LETTER + rb"|\xcc[\x80-\xbf]|\xcd[\x80-\xaf]|\xc2\xad|\xe2\x80[\x8b-\x8d]|\xe2\x81\xa0|\xef\xbb\xbf"
_B_PART = rb"(?:" + _B_LETTER + rb")(?:" + _B_INSIDE + rb")*"
WORD_BYTES = re.compile(_B_PART + rb"(?:-" + _B_PART + rb")*")


def normalise(text: str) -> Normalised:
    """NFC with invisible characters dropped; ``spans[i]`` is normalised char ``i``'s original span."""
    if text.isascii():
        return Normalised(text, text, tuple((i, i + 1) for i in range(len(text))))
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in INVISIBLE:
            i += 1
            continue
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or text[j] in INVISIBLE):
            j += 1  # a base character with its combining marks (and invisibles between them)
        cluster = unicodedata.normalize("NFC", "".join(c for c in text[i:j] if c not in INVISIBLE))
        for index, composed in enumerate(cluster):
            # One original span per cluster; when NFC leaves several characters, the first takes it.
            spans.append((i, j) if index == 0 else (j, j))
            out.append(composed)
        i = j
    return Normalised(text, "".join(out), tuple(spans))


def needs_normalising(word: str) -> bool:
    return not word.isascii() and (any(c in INVISIBLE for c in word) or unicodedata.normalize("NFC", word) != word)


_SENTENCE_END = frozenset(".!?\n:;…")
_OPENERS = frozenset("\"'“‘(«[-—–*•")


def sentence_initial(text: str, start: int) -> bool:
    """Does the word at ``start`` begin a sentence (text start, or after . ! ? : ; … or a newline)?

    Quotes, brackets, dashes and bullets between the sentence end and the word are skipped.
    """
    k = start - 1
    while k >= 0 and (text[k] == " " or text[k] in _OPENERS or text[k] == "\t"):
        k -= 1
    return k < 0 or text[k] in _SENTENCE_END


def is_name_like(word: str) -> bool:
    """Capitalised but not all capitals (``Martin``, not ``NAGLULUTO`` or ``nagluto``)."""
    return word[:1].isupper() and not word.isupper()
