"""The analyzer on real web text (issue 15): normalisation, linker, guessed roots, loans, guards."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from morphtok.lang.engine import LanguageEngine, get_engine
from morphtok.lang.fil import analyze
from morphtok.lang.fil.normalise import WORD, WORD_BYTES, normalise


def pieces(word: str, **kw) -> str:
    return "|".join(m.text for m in analyze(word, **kw)[0].morphemes)


@pytest.mark.parametrize(
    ("word", "root", "segmentation"),
    [
        # derived headwords go down to the root the paradigm supports
        ("maiwasan", "iwas", "ma|iwas|an"), ("tatamaan", "tama", "ta|tama|an"), ("pipiliin", "pili", "pi|pili|in"),
        ("nilagdaan", "lagda", "ni|lagda|an"), ("Binigyan", "bigay", "B|in|igy|an"), ("inilagay", "lagay", "i|ni|lagay"),
        # unknown roots: guessed from paradigm evidence, or English loans
        ("nagdeklara", "deklara", "nag|deklara"), ("nagsisimba", "simba", "nag|si|simba"),
        ("hinaharass", "harass", "h|in|a|harass"),
        # hyphenated prefixes and loan reduplication
        ("nag-commit", "commit", "nag-|commit"), ("na-detect", "detect", "na-|detect"),
        ("magri-release", "release", "mag|ri-|release"), ("nagre-reply", "reply", "nag|re-|reply"),
        ("mag-e-enjoy", "enjoy", "mag-|e-|enjoy"), ("i-share", "share", "i-|share"),
        ("kapaki-pakinabang", "pakinabang", "ka|paki-|pakinabang"), ("dinami-dami", "dami", "d|in|ami-|dami"),
        # function words as roots inside affixed words
        ("nawala", "wala", "na|wala"), ("umamin", "amin", "um|amin"), ("dahilan", "dahil", "dahil|an"),
        # missing patterns: isa-, ni- before r, i|ni before a vowel, ng as one consonant, d -> r
        ("isinagawa", "gawa", "isina|gawa"), ("niregalo", "regalo", "ni|regalo"), ("iniabot", "abot", "i|ni|abot"),
        ("ngumiti", "ngiti", "ng|um|iti"), ("nagtatrabaho", "trabaho", "nag|ta|trabaho"), ("darating", "dating", "da|rating"), ("nakaraan", "daan", "naka|raan"),
        # the linker is a clitic of its own, never inside the root
        ("magandang", "ganda", "ma|ganda|ng"), ("buong", "buo", "buo|ng"), ("pangulong", "ulo", "pang|ulo|ng"),
        ("madaling", "dali", "ma|dali|ng"), ("ikalawang", "dalawa", "ika|lawa|ng"), ("Walang", "wala", "Wala|ng"),
        ("Bulkang", "bulkan", "Bulkan|g"),
        # English plurals
        ("events", "event", "event|s"), ("schools", "school", "school|s"),
    ],
)
def test_real_text_phenomena(word, root, segmentation):
    best = analyze(word)[0]
    assert (best.root, pieces(word)) == (root, segmentation)


@pytest.mark.parametrize(("word", "root"), [("nagulo", "gulo"), ("nagulat", "gulat"), ("tulong", "tulong"),
                                            ("bilang", "bilang")])
def test_over_analysis_guards(word, root):
    # g-final prefixes take a hyphen before vowels (nag-ulat), so nagulat is na + gulat;
    # a root ending in -ng with its own paradigm keeps it (tulong is not tulo + ng).
    assert analyze(word)[0].root == root


def test_capitalised_names_mid_sentence_stay_whole():
    assert analyze("Nagluluto")[0].is_affixed
    assert not analyze("Pangilinan", mid_sentence=True)[0].is_affixed
    engine = get_engine("fil")
    text = "Pumunta si Pangilinan sa palengke. Nagluto siya."
    best = {text[a:b]: analysis for a, b, analysis in engine.analyse_text(text)}
    assert not best["Pangilinan"].is_affixed and best["Nagluto"].is_affixed and best["Pumunta"].is_affixed


@pytest.mark.parametrize("invisible", ["\u00ad", "\u200b", "\u200d", "\u2060"])
def test_invisible_characters_inside_words(invisible):
    word = f"pag{invisible}aaral"
    best = analyze(word)[0]
    assert best.root == "aral" and "".join(m.text for m in best.morphemes) == word
    assert [word[m.start : m.end] for m in best.morphemes] == [m.text for m in best.morphemes]
    assert WORD.fullmatch(word) and WORD_BYTES.fullmatch(word.encode())


def test_nfc_normalisation_maps_back():
    decomposed = "pin\u0303a"  # piña with a combining tilde
    norm = normalise(decomposed)
    assert norm.text == "piña" and norm.to_original(3) == 4 and norm.to_original(4) == 5
    best = analyze("nagpin\u0303a")[0]
    assert "".join(m.text for m in best.morphemes) == "nagpin\u0303a"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abdgiklmnoprstuy-ñÑAKN\u00ad\u200b\u0303")), max_size=16))
def test_spans_reassemble_input_with_invisibles(word):
    for analysis in analyze(word):
        assert "".join(m.text for m in analysis.morphemes) == word
        assert all(word[m.start : m.end] == m.text for m in analysis.morphemes)


def test_engine_protocol_and_lookup():
    engine = get_engine("fil")
    assert isinstance(engine, LanguageEngine) and get_engine("tl") is engine
    assert engine.generate("kain", "-um-") == "kumain" and engine.syllabify("problema") == ["pro", "ble", "ma"]
    assert engine.lexicon.attested("kain") and engine.lexicon.frequency("ang") > 0
    assert [engine.analyse("nagluto")[0].root] == ["luto"]
    assert 0.0 <= engine.analyse("nagluto")[0].confidence <= 1.0
    from morphtok.errors import ConfigError

    with pytest.raises(ConfigError, match="available: fil"):
        get_engine("xx")
