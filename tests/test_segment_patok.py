from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from morphtok.analysis.tokenization_metrics import (
    arm_alignment,
    arm_text_alignment,
    from_gold_words,
    text_alignment,
)
from morphtok.errors import ParameterError, TokenizerError
from morphtok.lang.fil.evaluation import gold_path, load_gold
from morphtok.segment.expansion import expand
from morphtok.segment.processor import build_processor, document_rng
from morphtok.segment.stochastok import ExpansionTable, onset_safe_table

TEXT = (
    "Nagluluto si Maria ng adobo habang kumakain ang mga bata. Pinakamaganda ang mga bulaklak na "
    "itinanim ni Lola sa hardin. Uminom kami ng salabat at naglakad-lakad araw-araw. Ñoño 🍜 東京. "
)
GOLD = gold_path()


@pytest.fixture(scope="module")
def gold_items():
    return from_gold_words(load_gold(GOLD))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80) | st.sampled_from([TEXT, "kumain", "nag-aral", "ñ" * 30]), seed=st.integers(0, 2**31))
def test_roundtrip_arbitrary_unicode(any_tokenizer, text, seed):
    processor = build_processor("patok", any_tokenizer)
    ids = any_tokenizer.encode(text)
    out = processor.process(ids, np.random.default_rng(seed))
    assert any_tokenizer.decode_bytes(out) == any_tokenizer.decode_bytes(ids)
    assert all(0 <= i < any_tokenizer.vocab_size for i in out)


def test_specials_untouched_and_determinism(gemma_tokenizer):
    processor = build_processor("patok", gemma_tokenizer)
    ids = [gemma_tokenizer.bos_id, *gemma_tokenizer.encode(TEXT), gemma_tokenizer.eos_id, *gemma_tokenizer.encode(TEXT)]
    out = processor.process(ids, document_rng(1, "patok", "d"))
    assert out[0] == gemma_tokenizer.bos_id and out.count(gemma_tokenizer.eos_id) == 1
    assert processor.process(ids, document_rng(1, "patok", "d")) == out
    assert processor.process(ids, document_rng(2, "patok", "d")) != out


@pytest.mark.parametrize(
    "text",
    ["", "a", "   \n\t  ", "🍜🍜🍜🍜🍜🍜", "nag " * 200 + "um an in " * 100, "nagluto kumain " * 30000],
)
def test_degenerate_inputs_terminate(gemma_tokenizer, text):
    # All affixes, a single token, only whitespace, only emoji, 150k tokens: O(L), round trip exact.
    processor = build_processor("patok", gemma_tokenizer)
    out = processor.process(text, document_rng(0, "patok", "x"))
    assert gemma_tokenizer.decode(out) == text
    assert len(out) <= 2 * len(text.encode("utf-8")) + 1


def test_contract_prop_zero_is_vanilla_then_expansion(gemma_tokenizer):
    ids = gemma_tokenizer.encode(TEXT)
    patok = build_processor("patok", gemma_tokenizer, contract_prop=0.0, expand_prop=0.0)
    assert patok.process(ids, document_rng(0, "patok", "z")) == ids
    # With expansion on (and no affixed word to protect or draw for), the result is
    # exactly StochasTok's pass over the vanilla ids with the same random stream.
    english = gemma_tokenizer.encode("The quick brown fox jumped over the lazy dog, twice. " * 5)
    expanded = build_processor("patok", gemma_tokenizer, contract_prop=0.0, expand_prop=0.3)
    # (Patok's table is StochasTok's minus the splits that cut one onset consonant off a word.)
    table = onset_safe_table(gemma_tokenizer)
    full = ExpansionTable.for_tokenizer(gemma_tokenizer)
    assert table.pairs.shape[0] < full.pairs.shape[0] and set(map(tuple, table.pairs[:500].tolist())) <= set(
        map(tuple, full.pairs.tolist()))
    expected = [int(i) for i in expand(english, table, 0.3, document_rng(0, "patok", "e"))]
    assert expanded.process(english, document_rng(0, "patok", "e")) == expected
    assert len(expected) > len(english)


def test_expansion_never_cuts_an_onset_consonant(gemma_tokenizer):
    table = onset_safe_table(gemma_tokenizer)
    left = {gemma_tokenizer.token_bytes[int(t)] for t in table.pairs[:, 0]}
    assert not any(len(b) == 2 and b[:1] == b" " and chr(b[1]).lower() in "bcdfghjklmnpqrstvwxyz" for b in left)
    assert b" h" in {gemma_tokenizer.token_bytes[int(t)] for t in ExpansionTable.for_tokenizer(gemma_tokenizer).pairs[:, 0]}


def test_affix_awareness_moves_boundary_recall(gemma_tokenizer, gold_items):
    high = arm_alignment("patok", gemma_tokenizer, gold_items, affix_awareness=1.0, expand_prop=0.0)
    low = arm_alignment("patok", gemma_tokenizer, gold_items, affix_awareness=0.0, expand_prop=0.0)
    assert high["morph_score"] > low["morph_score"] + 0.3


def test_window_sizes_follow_contract_prob(gemma_tokenizer):
    processor = build_processor("patok", gemma_tokenizer, num_toks_to_cont=[2, 3, 4], contract_prob=[0.6, 0.3, 0.1])
    sizes = []
    for k in range(20):
        processor.process(TEXT * 10, document_rng(0, "patok", k))
        sizes += processor.last_stats["window_sizes"]
    counts = np.bincount(sizes, minlength=5)[2:] / len(sizes)
    assert len(sizes) > 2000
    assert np.allclose(counts, [0.6, 0.3, 0.1], atol=0.03)


def test_morphological_effect_on_gold_set(gemma_tokenizer, gold_items):
    rows = {arm: arm_alignment(arm, gemma_tokenizer, gold_items) for arm in ("baseline", "stochastok", "patok")}
    assert rows["patok"]["morph_score"] >= rows["baseline"]["morph_score"] + 0.25
    assert rows["patok"]["boundary_f1"] > max(rows["baseline"]["boundary_f1"], rows["stochastok"]["boundary_f1"])
    assert rows["patok"]["tokens_per_word"] < 1.6 * rows["baseline"]["tokens_per_word"]


def test_contraction_merges_affix_fragments(gemma_tokenizer):
    processor = build_processor("patok", gemma_tokenizer, contract_prop=1.0, expand_prop=0.0, affix_awareness=1.0,
                                num_toks_to_cont=[4], contract_prob=[1.0])
    out = processor.process("Nagluluto", document_rng(0, "patok", "n"))
    assert gemma_tokenizer.convert_ids_to_tokens(out)[:2] == ["Nag", "lu"]
    stats = processor.last_stats["morph_boundaries_kept"]
    assert stats == {"kept": 2, "total": 2}


def test_final_expansion_never_splits_affix_tokens(gemma_tokenizer):
    table = ExpansionTable.for_tokenizer(gemma_tokenizer)
    nag = gemma_tokenizer.token_to_id("▁nag")
    assert table.counts[nag] > 0  # splittable in principle
    processor = build_processor("patok", gemma_tokenizer, contract_prop=1.0, expand_prop=1.0, affix_awareness=1.0)
    for k in range(30):
        out = processor.process(" nagluto", document_rng(0, "patok", k))
        assert out[0] == nag
    assert list(expand([nag], table, 1.0, np.random.default_rng(0))) != [nag]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"contract_prop": 1.5}, "contract_prop"),
        ({"expand_prop": -0.1}, "expand_prop"),
        ({"affix_awareness": 2}, "affix_awareness"),
        ({"contract_prob": [0.5, 0.4, 0.3]}, "contract_prob must sum to 1"),
        ({"num_toks_to_cont": [2, 3], "contract_prob": [0.35, 0.35, 0.3]}, "must have one entry per num_toks_to_cont"),
    ],
)
def test_bad_parameters(gemma_tokenizer, params, name):
    with pytest.raises(ParameterError, match=name):
        build_processor("patok", gemma_tokenizer, **params)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    chunks=st.lists(st.text(max_size=30) | st.sampled_from(["nagluluto", " kumain", " pinakamaganda", "ñ"]), max_size=6),
    seed=st.integers(0, 2**31),
)
def test_specials_inside_windows_stay_put(gemma_tokenizer, chunks, seed):
    # Specials between text chunks: windows are cut around them, they come out unchanged and in place.
    specials = [gemma_tokenizer.bos_id, gemma_tokenizer.eos_id, gemma_tokenizer.pad_id]
    ids: list[int] = []
    for index, chunk in enumerate(chunks):
        ids += [*gemma_tokenizer.encode(chunk), specials[index % 3]]
    processor = build_processor("patok", gemma_tokenizer, contract_prop=1.0, expand_prop=0.5)
    out = processor.process(np.asarray(ids), np.random.default_rng(seed))
    assert gemma_tokenizer.decode_bytes(out) == gemma_tokenizer.decode_bytes(ids)
    assert [t for t in out if t in gemma_tokenizer.special_ids] == [t for t in ids if t in gemma_tokenizer.special_ids]


def test_ids_outside_vocabulary_pass_through(gemma_tokenizer):
    ids = [*gemma_tokenizer.encode(" nagluluto"), 10**7, *gemma_tokenizer.encode(" kumain"), -1]
    out = build_processor("patok", gemma_tokenizer, contract_prop=1.0).process(ids, document_rng(0, "patok", "o"))
    assert out.count(10**7) == 1 and out[-1] == -1


def test_morphological_effect_in_running_text(gemma_tokenizer):
    documents = [TEXT, "Naglalaba si Ana habang nagluluto ang kanyang kapatid. Kumain na kami at uminom ng tubig."]
    rows = {arm: arm_text_alignment(arm, gemma_tokenizer, documents) for arm in ("baseline", "stochastok", "patok")}
    assert rows["baseline"]["words"] == rows["patok"]["words"] > 20
    assert rows["patok"]["morph_score"] >= rows["baseline"]["morph_score"] + 0.25
    assert rows["patok"]["boundary_f1"] > max(rows["baseline"]["boundary_f1"], rows["stochastok"]["boundary_f1"])
    assert rows["patok"]["tokens_per_word"] < 1.6 * rows["baseline"]["tokens_per_word"]
    with pytest.raises(TokenizerError, match="do not spell"):
        text_alignment(["kumain"], lambda text, i: gemma_tokenizer.encode("kain"), gemma_tokenizer)


def test_words_glued_to_other_scripts_keep_their_boundaries(gemma_tokenizer):
    processor = build_processor("patok", gemma_tokenizer, contract_prop=1.0, expand_prop=0.0, affix_awareness=1.0)
    for text in ("東nagluluto", "🍜kumain", "nagluluto東"):
        out = processor.process(text, document_rng(0, "patok", text))
        assert gemma_tokenizer.decode(out) == text
        assert processor.last_stats["morph_boundaries_kept"]["total"] >= 1
    out = processor.process([np.int64(i) for i in gemma_tokenizer.encode("kumain")], document_rng(0, "patok", "n"))
    assert all(type(i) is int for i in out)


_WORDS = ["Nagluluto", "nagluluto", " kumain", "magandang", "Martin", "pinakamaganda", "nag-commit", " events",
          "pag\u00adaaral", ". ", "\n", "\t", "<td>", "  ", "“Kumain", "(Nagbasa", "ñ", "東京", "x", ",", " "]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(_WORDS) | st.text(max_size=6), max_size=25), seed=st.integers(0, 2**31),
       contract=st.sampled_from([0.0, 0.5, 1.0]), expand_prop=st.sampled_from([0.0, 0.3]))
def test_fast_patok_equals_reference(any_tokenizer, parts, seed, contract, expand_prop):
    from morphtok.segment.patok_reference import reference_process

    processor = build_processor("patok", any_tokenizer, contract_prop=contract, expand_prop=expand_prop)
    ids = any_tokenizer.encode("".join(parts))
    fast = processor.process(ids, np.random.default_rng(seed))
    assert reference_process(processor, ids, np.random.default_rng(seed)) == fast


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(st.lists(st.sampled_from(_WORDS), max_size=12), min_size=1, max_size=8),
       odd=st.lists(st.sampled_from(["bos", "outside", "none"]), min_size=8, max_size=8),
       contract=st.sampled_from([0.0, 0.9]), tiny_batches=st.booleans())
def test_process_batch_is_one_process_call_per_document(gemma_tokenizer, monkeypatch, docs, odd, contract,
                                                        tiny_batches):
    # Documents laid end to end must not see each other: a document ending in ". " or a space,
    # the next one starting with a capital, empty documents, specials and ids outside the
    # vocabulary at their edges; and a batch over the byte limit is processed in halves.
    processor = build_processor("patok", gemma_tokenizer, contract_prop=contract)
    extra = {"bos": [gemma_tokenizer.bos_id], "outside": [gemma_tokenizer.vocab_size + 5], "none": []}
    ids = [gemma_tokenizer.encode("".join(parts)) + extra[kind] for parts, kind in zip(docs, odd, strict=False)]
    alone, kept = [], np.zeros(2, dtype=int)
    for k, doc in enumerate(ids):
        alone.append(processor.process(doc, np.random.default_rng(k)))
        kept += [processor.last_stats["morph_boundaries_kept"][key] for key in ("kept", "total")]
    sizes = [sum(len(gemma_tokenizer.token_bytes[i]) for i in doc if i < gemma_tokenizer.vocab_size) for doc in ids]
    with monkeypatch.context() as patch:  # one example's patch only (hypothesis reuses the fixture)
        if tiny_batches:  # every document fits alone, no two together
            patch.setattr("morphtok.segment.patok.MAX_BATCH_BYTES", max(sizes) + 1)
        batch = processor.process_batch(ids, [np.random.default_rng(k) for k in range(len(ids))])
    assert batch == alone
    assert [processor.last_stats["morph_boundaries_kept"][key] for key in ("kept", "total")] == kept.tolist()
    with pytest.raises(ParameterError, match="one generator per document"):
        processor.process_batch(ids, [])


def test_document_over_the_byte_limit_is_refused(gemma_tokenizer, monkeypatch):
    monkeypatch.setattr("morphtok.segment.patok.MAX_BATCH_BYTES", 10)
    with pytest.raises(ParameterError, match="below 10 bytes, got 22"):
        build_processor("patok", gemma_tokenizer).process("nagluluto at kumakain.", np.random.default_rng(0))


def test_patok_and_metrics_reach_the_language_only_through_the_engine():
    import morphtok.analysis.tokenization_metrics as metrics
    import morphtok.segment.morph_boundaries as boundaries
    import morphtok.segment.patok as patok

    for module in (patok, boundaries, metrics):
        source = Path(module.__file__).read_text(encoding="utf-8")
        imports = [line for line in source.splitlines() if line.strip().startswith(("import ", "from "))]
        assert not [line for line in imports if "morphtok.lang.fil" in line]
        assert "re.compile" not in source  # the engine supplies the word pattern


def test_gold_words_in_context_metrics(gemma_tokenizer, gold_items):
    from morphtok.analysis.tokenization_metrics import (
        arm_context_alignment,
        arm_onset_splits,
        place_in_sentences,
    )

    sentences = ["Pumunta kami sa palengke kahapon ng umaga.", "Masaya ang mga bata sa parke.",
                 "Ang hapunan ay niluto ni Lola para sa lahat."]
    placed = place_in_sentences(gold_items, sentences, seed=3)
    assert placed == place_in_sentences(gold_items, sentences, seed=3)
    text, start, item = placed[0]
    assert text[start : start + len(item.word)] == item.word and start > 0
    rows = {arm: arm_context_alignment(arm, gemma_tokenizer, placed) for arm in ("baseline", "patok")}
    assert rows["patok"]["boundary_recall"] > rows["baseline"]["boundary_recall"] + 0.3
    assert rows["patok"]["boundary_precision"] > rows["baseline"]["boundary_precision"]
    onsets = {arm: arm_onset_splits(arm, gemma_tokenizer, sentences * 5) for arm in ("baseline", "stochastok", "patok")}
    assert onsets["baseline"]["words"] == 5 * 22
    assert onsets["patok"]["onset_splits_per_1000"] <= onsets["stochastok"]["onset_splits_per_1000"]
