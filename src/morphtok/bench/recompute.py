"""Recompute the golds of earlier-format items where their inputs allow it.

``recompute(item)`` gives our answer, or None when the item's inputs do not let us compute
one we trust (no rule for its task, an analysis we do not trust). ``contradictions(items)``
lists the items whose gold differs from our answer: the validator reports them (check
``upstream_gold``, counted per level), the evaluation skips such a file, and under
``--no-validate`` scores it with every contradicted record marked (``gold_contradicted``).

Rules, by the earlier files' subcategory / task type:

* hierarchical levels 0-1: the character task on ``word`` at the 1-based ``metadata.position``;
* hierarchical levels 2-5: our trusted analysis (:mod:`bench.trust`) of ``word``: its root, its
  prefix, the root with the prefix removed, ``inflect(root, affix)``; a word our analyzer reads
  as unaffixed, with no trusted split at all, contradicts any root or affix the item claims;
* multi_digit_addition: ``a+b=`` is added up;
* cute: spell, spell_inverse, contains_char and the per-character edits, parsed from the last
  question of the prompt;
* stress: the accent mark of ``accented_form`` gives the stressed syllable and the stress type
  (acute or circumflex: that syllable; grave: the one before it; none: the penultimate).
"""

from __future__ import annotations

import re
import unicodedata

from morphtok.bench.schema import Item
from morphtok.bench.subtask import ordinal
from morphtok.bench.trust import trusted
from morphtok.errors import ParameterError
from morphtok.lang.fil import analyze, inflect, strip_diacritics, syllabify

_MARK_TYPES = {"\u0301": "mabilis", "\u0300": "malumi", "\u0302": "maragsa"}


def contradictions(items: list[Item]) -> list[tuple[Item, str]]:
    """(item, our answer) for every earlier-format item whose gold we recompute differently."""
    out = []
    for item in items:
        if "legacy" not in item.metadata:
            continue
        ours = recompute(item)
        if ours is not None and ours != item.answer:
            out.append((item, ours))
    return out


def recompute(item: Item) -> str | None:
    family = item.metadata.get("legacy")
    try:
        if family == "hierarchical":
            return _hierarchical(item)
        if family == "multi_digit_addition":
            match = re.fullmatch(r"\s*(\d+)\s*\+\s*(\d+)\s*=\s*", item.prompt.get("en", ""))
            return str(int(match[1]) + int(match[2])) if match else None
        if family == "cute":
            return _cute(item)
        if family == "stress":
            return _stress(item)
    except (KeyError, IndexError, TypeError, ValueError, ParameterError):
        return None  # inputs we cannot use: unverified, not contradicted
    return None


def _characters(subtask: str, word: str, meta: dict) -> str | None:
    position = meta.get("position")
    if subtask == "character_identification":
        return word[position - 1]
    if subtask == "character_counting":
        return str(word.count(meta["target_char"]))
    if subtask == "character_deletion":
        return word[: position - 1] + word[position:]
    if subtask == "character_insertion":
        return word[: position - 1] + meta["char"] + word[position - 1 :]
    if subtask == "character_substitution":
        return word[: position - 1] + meta["new_char"] + word[position:]
    if subtask == "character_permutation":
        letters = list(word)
        a, b = meta["pos1"] - 1, meta["pos2"] - 1
        letters[a], letters[b] = letters[b], letters[a]
        return "".join(letters)
    return None


def _hierarchical(item: Item) -> str | None:
    word, meta, subtask = item.metadata.get("word"), item.metadata.get("upstream", {}), item.subtask
    if not isinstance(word, str):
        return None
    if item.level in (0, 1):
        return _characters(subtask, word, meta)
    if subtask.startswith("affix_application"):
        affix = meta.get("affix", "")
        return inflect(meta["root"], f"-{affix}" if subtask.endswith("suffix") else f"{affix}-") if affix else None
    best = trusted(word)
    if best is None and any(a.is_affixed for a in analyze(word)):
        return None  # an affixed reading we do not trust: unverified
    # Trusted, or no affixed reading at all (the root is the word itself, there is no affix).
    root = best.root if best else word
    prefix = best.prefixes[0] if best and best.prefixes else "(no prefix)"
    if subtask == "root_extraction" or subtask.startswith("affix_removal"):
        return root
    if subtask == "affix_identification_prefix":
        return prefix
    if subtask == "multi_step_transformation" and meta.get("target_affix"):
        affix = meta["target_affix"]
        return inflect(root, f"{affix}-" if meta.get("target_affix_type", "prefix") == "prefix" else f"-{affix}")
    return None


_CUTE = {
    "spell": (r'Spell out the word " (.+?) "\.', lambda m: " ".join(m[1])),
    "spell_inverse": (r'Write the word " (.+?) "\.', lambda m: m[1].replace(" ", "")),
    "contains_char": (r'Is there a " (.) " in " (.+?) "\?', lambda m: "Yes" if m[1] in m[2] else "No"),
    "del_char": (r'Delete every instance of " (.) " in " (.+?) "\.', lambda m: m[2].replace(m[1], "")),
    "ins_char": (r'Add an? " (.) " after every " (.) " in " (.+?) "\.', lambda m: m[3].replace(m[2], m[2] + m[1])),
    "sub_char": (r'Substitute " (.) " with " (.) " in " (.+?) "\.', lambda m: m[3].replace(m[1], m[2])),
    "swap_char": (r'Swap " (.) " and " (.) " in " (.+?) "\.',
                  lambda m: m[3].replace(m[1], "\0").replace(m[2], m[1]).replace("\0", m[2])),
}


def _cute(item: Item) -> str | None:
    rule = _CUTE.get(item.subtask)
    if rule is None:
        return None
    last = item.prompt.get("en", "").rsplit("Question:", 1)[-1]
    match = re.search(rule[0], last)
    return rule[1](match) if match else None


def _stress(item: Item) -> str | None:
    form = item.metadata.get("accented_form")
    if not isinstance(form, str):
        return None
    decomposed = unicodedata.normalize("NFD", form)
    marks = [(k, c) for k, c in enumerate(decomposed) if c in _MARK_TYPES]
    if len(marks) > 1:
        return None
    kind = _MARK_TYPES[marks[0][1]] if marks else "malumay"
    if item.subtask == "stress_type":
        return next((o for o in item.options or [item.answer] if o.startswith(kind)), None)
    if item.subtask != "syllable_position":
        return None
    syllables = syllabify(strip_diacritics(form))
    if kind in ("malumay", "malumi"):  # no mark, or a grave on the last vowel: the penultimate is stressed
        return ordinal(max(len(syllables) - 2, 0) + 1)
    vowel_at = len(strip_diacritics(unicodedata.normalize("NFC", decomposed[: marks[0][0]]))) - 1
    end = 0
    for k, syllable in enumerate(syllables):
        end += len(syllable)
        if vowel_at < end:
            return ordinal(k + 1)
    return None
