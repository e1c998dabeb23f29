"""Which words a benchmark gold may rest on: the curated lists and the corroboration rules."""

from __future__ import annotations

import pytest

from morphtok.bench.trust import (
    affix_name,
    distrust,
    excluded_words,
    monomorphemic,
    surface_affix,
    trusted,
)
from morphtok.lang.fil import analyze

# The words issue #14 found behind wrong golds in generator 1.3, and why 2.0 refuses them.
ISSUE_WORDS = {
    "pamilya": "not affixed",  # monomorphemic list (language data)
    "panganay": "not affixed",
    "mandato": "not affixed",
    "kataga": "not affixed",
    "babala": "not affixed",
    "sabsaban": "not affixed",
    "ikalima": "not confident",  # the analyzer now reads ika|lima, but without the margin a gold needs
    "kakahuyan": "also reads as the prefix",
    "mamangha": "bare reduplication",
    "tungkulan": "not attested",
    "datingin": "not attested",
    "magasin": "not affixed",
}


@pytest.mark.parametrize(("word", "reason"), sorted(ISSUE_WORDS.items()))
def test_the_issues_wrong_golds_are_refused(word, reason):
    assert distrust(word) is not None and reason in distrust(word), distrust(word)


def test_every_curated_word_is_refused():
    for word in excluded_words():
        assert distrust(word) is not None, word
    assert {"pamilya", "panganay", "mandato", "kataga", "babala"} <= monomorphemic()
    for word in monomorphemic():
        assert distrust(word) is not None, word


@pytest.mark.parametrize(("word", "root"), [("kumain", "kain"), ("pagkain", "kain"), ("basahin", "basa"),
                                            ("kumakain", "kain"), ("nagluluto", "luto"), ("upuan", "upo")])
def test_ordinary_affixed_words_are_trusted(word, root):
    assert distrust(word) is None and trusted(word).root == root


def test_a_root_that_itself_reads_as_affixed_is_refused():
    # ka- + ugnay + -an read as kaugnay + -an: the analyzer stops at the derived headword.
    assert "itself reads as affixed" in distrust("kaugnayan")
    assert distrust("maiwasan") is None and trusted("maiwasan").root == "iwas"  # the analyzer reads ma|iwas|an


def test_affix_names_are_canonical_and_the_written_form_is_kept():
    assert affix_name(analyze("basahin")[0]) == "-in" and surface_affix(analyze("basahin")[0]) == "-hin"
    assert affix_name(analyze("kumain")[0]) == "-um-" and affix_name(analyze("pagkain")[0]) == "pag-"
    assert affix_name(analyze("nagluluto")[0]) is None  # reduplication + prefix: not one affix
