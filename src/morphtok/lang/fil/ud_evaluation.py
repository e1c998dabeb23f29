"""Lemma accuracy on Universal Dependencies Tagalog text, with a per-error-class breakdown.

Input: JSON lines ``{"sent_id", "text", "tokens": [{"form", "lemma", "upos", ...}]}``
(the format of ``shared/data/ud_tagalog_dev.jsonl``; the file is development data and
is not shipped). Items are the distinct (form, lemma) pairs of VERB/NOUN/ADJ tokens;
each keeps whether its first occurrence stands mid-sentence (a capitalised form
there is a name). A system predicts a root per form; it is right when the root
equals the gold lemma (lower-cased).

Error classes (first that applies, see :func:`error_class`), after issue #15:
invisible characters, English plural, hyphenated loan, linker, gold keeps a
derivational affix (a lemma convention: UD keeps *malaki*, *tindahan*), over-analysis
(the gold lemma is the whole form), function-word root, unknown root (lemma not in
the lexicon), derived headword (stopped above the lemma), missing pattern (the rest).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from morphtok.errors import CorpusError
from morphtok.lang.fil.guesser import english_plural, is_english
from morphtok.lang.fil.lexicon import Lexicon
from morphtok.lang.fil.normalise import INVISIBLE

CONTENT_POS = ("VERB", "NOUN", "ADJ")
CLASSES = (
    "invisible chars", "English plural", "hyphenated loan", "linker", "gold keeps derivation", "over-analysis",
    "function-word root", "unknown root", "derived headword", "missing pattern",
)
_SENTENCE_PUNCT = frozenset(".!?:;\"'“”()")


@dataclass(frozen=True)
class LemmaItem:
    form: str
    lemma: str
    upos: str
    mid_sentence: bool

    @property
    def lemma_inside(self) -> bool:
        """The lemma is spelled inside the form and differs from it (an affixed form)."""
        return self.lemma in self.form.lower() and self.lemma != self.form.lower()


def load_ud_items(path: str | Path) -> list[LemmaItem]:
    path = Path(path)
    if not path.is_file():
        raise CorpusError("UD development file not found", where=str(path),
                          hint="pass --ud PATH (JSON lines with tokens: form, lemma, upos)")
    seen: dict[tuple[str, str], LemmaItem] = {}
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            try:
                tokens = json.loads(line)["tokens"]
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise CorpusError(f"malformed UD record ({err})", where=f"{path}:{lineno}") from None
            for index, token in enumerate(tokens):
                if token.get("upos") not in CONTENT_POS or not token.get("form") or not token.get("lemma"):
                    continue
                mid = index > 0 and tokens[index - 1]["form"] not in _SENTENCE_PUNCT
                key = (token["form"], token["lemma"].lower())
                seen.setdefault(key, LemmaItem(token["form"], token["lemma"].lower(), token["upos"], mid))
    return list(seen.values())


def error_class(item: LemmaItem, predicted: str, lexicon: Lexicon) -> str:
    """The issue-15 class of a wrong prediction (module doc)."""
    form, lemma, predicted = item.form.lower(), item.lemma, predicted.lower()
    if any(c in INVISIBLE for c in form):
        return "invisible chars"
    if english_plural(form) == lemma or (form.endswith("s") and form[:-1] == lemma):
        return "English plural"
    if "-" in form and (is_english(lemma) or lemma not in lexicon.roots):
        return "hyphenated loan"
    if form.endswith("ng") and not lemma.endswith("ng") and (
            form[:-2].endswith(lemma[-2:]) or form[:-1].endswith(lemma[-2:])):
        return "linker"  # magandang (ganda), bulkang (bulkan)
    if predicted and predicted in lemma and predicted != lemma and (lemma != form or predicted in lexicon.roots):
        return "gold keeps derivation"  # malalaki -> laki (gold malaki), pagkain -> kain (gold pagkain)
    if lemma == form:
        return "over-analysis"
    if lemma in lexicon.function_words:
        return "function-word root"
    if lemma not in lexicon.roots:
        return "unknown root"
    if lemma in predicted and predicted != lemma:
        return "derived headword"
    return "missing pattern"


def evaluate(items: list[LemmaItem], predict: Callable[[LemmaItem], str], lexicon: Lexicon) -> dict:
    """Accuracy on all items and on the lemma-inside subset, plus error shares by class."""
    right = inside = inside_right = 0
    errors: Counter = Counter()
    examples: dict[str, list[str]] = {}
    for item in items:
        predicted = predict(item)
        ok = predicted.lower() == item.lemma
        right += ok
        inside += item.lemma_inside
        inside_right += ok and item.lemma_inside
        if not ok:
            name = error_class(item, predicted, lexicon)
            errors[name] += 1
            examples.setdefault(name, []).append(f"{item.form}->{predicted} ({item.lemma})")
    n = max(len(items), 1)
    return {
        "items": len(items), "accuracy": right / n, "inside_items": inside,
        "inside_accuracy": inside_right / max(inside, 1),
        "error_share": {name: errors[name] / n for name in CLASSES}, "examples": examples,
    }
