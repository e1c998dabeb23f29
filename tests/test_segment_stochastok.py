from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from morphtok.errors import ConfigError, ParameterError
from morphtok.segment import expansion
from morphtok.segment.expansion import expand, expand_batch, expand_list
from morphtok.segment.processor import build_processor, document_rng
from morphtok.segment.stochastok import ExpansionTable

FILIPINO = (
    "Nagluluto si Maria ng adobo sa kusina habang umuulan sa labas. Kumain kami ng masarap na "
    "pagkain kahapon, at uminom ng salabat. Pinakamaganda ang tanawin sa bundok; naglakad-lakad "
    "kami araw-araw hanggang sa dumating ang tag-ulan. Ñoño, piña at jalapeño. "
)
TRICKY = ["", " ", "\t\t", "  \n\n  ", "🍜🍜 東京", "é\u0301ñÑ", "a\u200db", "<bos> literal", "\x00\x01"]


def test_table_splits_concatenate_to_token(any_tokenizer):
    table = ExpansionTable.for_tokenizer(any_tokenizer)
    raw = any_tokenizer.token_bytes
    with_splits = np.nonzero(table.counts)[0]
    assert with_splits.size > 0
    rng = np.random.default_rng(0)
    for token_id in rng.choice(with_splits, size=min(500, with_splits.size), replace=False):
        for left, right in table.splits(int(token_id)):
            assert raw[left] + raw[right] == raw[token_id]
            assert left not in any_tokenizer.special_ids and right not in any_tokenizer.special_ids
    assert not table.counts[list(any_tokenizer.special_ids)].any()


def test_gemma_table_is_large_and_cached(gemma_tokenizer):
    table = ExpansionTable.for_tokenizer(gemma_tokenizer)
    assert table.vocab_size == 262_144
    assert (table.counts > 0).sum() > 200_000
    assert ExpansionTable.for_tokenizer(gemma_tokenizer) is table


def test_no_split_cuts_a_character(gemma_tokenizer):
    table = ExpansionTable.build(gemma_tokenizer)  # the builder itself, not a table cached by an earlier version
    raw = gemma_tokenizer.token_bytes
    ids = gemma_tokenizer.encode("ñoño piña 東京都 café naïve 🍜")
    # Every split of a token that is whole multi-byte characters (not only the sentence's tokens).
    multibyte = [t for t in range(table.vocab_size) if not raw[t].isascii() and _whole_chars(raw[t])]
    checked = 0
    for token_id in [*ids, *multibyte[::50]]:
        for left, right in table.splits(int(token_id)):
            assert _whole_chars(raw[left]) and _whole_chars(raw[right]), (token_id, raw[left], raw[right])
            checked += 1
    assert checked > 100  # splits of multi-byte tokens were actually looked at


def _whole_chars(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80), seed=st.integers(0, 2**32 - 1))
def test_roundtrip_arbitrary_unicode(any_tokenizer, text, seed):
    processor = build_processor("stochastok", any_tokenizer, expand_prop=0.5)
    ids = any_tokenizer.encode(text)
    out = processor.process(ids, np.random.default_rng(seed))
    assert any_tokenizer.decode_bytes(out) == any_tokenizer.decode_bytes(ids)
    assert any_tokenizer.decode(out) == any_tokenizer.decode(ids)


@pytest.mark.parametrize("text", TRICKY)
def test_roundtrip_tricky(any_tokenizer, text):
    processor = build_processor("stochastok", any_tokenizer, expand_prop=1.0)
    out = processor.process(text, document_rng(7, "stochastok", text))
    assert any_tokenizer.decode(out) == any_tokenizer.decode(any_tokenizer.encode(text))
    assert all(0 <= i < any_tokenizer.vocab_size for i in out)


@pytest.mark.parametrize("expand_prop", [0.05, 0.1, 0.3])
def test_realised_rate_matches_documented_expectation(gemma_tokenizer, expand_prop):
    ids = np.asarray(gemma_tokenizer.encode(FILIPINO * 150))
    processor = build_processor("stochastok", gemma_tokenizer, expand_prop=expand_prop)
    expected = processor.table.expected_splits(expand_prop)[ids].mean()
    out = processor.process(ids, document_rng(1, "stochastok", f"rate-{expand_prop}"))
    realised = (len(out) - len(ids)) / len(ids)
    assert realised == pytest.approx(expected, rel=0.10)
    assert expected > 0.5 * expand_prop  # most Filipino tokens are splittable


def test_short_documents_still_expand(gemma_tokenizer):
    processor = build_processor("stochastok", gemma_tokenizer, expand_prop=0.1)
    ids = gemma_tokenizer.encode("Kumain kami.")
    grown = sum(len(processor.process(ids, document_rng(0, "s", str(k)))) > len(ids) for k in range(400))
    assert 20 < grown < 200  # per-token Bernoulli: no flooring to zero attempts


def test_determinism_per_document_key(gemma_tokenizer):
    processor = build_processor("stochastok", gemma_tokenizer, expand_prop=0.2)
    ids = gemma_tokenizer.encode(FILIPINO * 5)
    a = processor.process(ids, document_rng(42, "stochastok", "doc-1"))
    b = processor.process(ids, document_rng(42, "stochastok", "doc-1"))
    c = processor.process(ids, document_rng(43, "stochastok", "doc-1"))
    d = processor.process(ids, document_rng(42, "stochastok", "doc-2"))
    assert a == b
    assert a != c and a != d


def test_special_tokens_untouched(gemma_tokenizer):
    table = ExpansionTable.for_tokenizer(gemma_tokenizer)
    specials = sorted(gemma_tokenizer.special_ids)[:50]
    ids = np.array([gemma_tokenizer.bos_id, *gemma_tokenizer.encode(FILIPINO), gemma_tokenizer.eos_id, *specials])
    out = np.asarray(expand(ids, table, 1.0, np.random.default_rng(0)))
    for special in (gemma_tokenizer.bos_id, gemma_tokenizer.eos_id, *specials):
        assert (out == special).sum() == (ids == special).sum()
    assert out[0] == gemma_tokenizer.bos_id


def test_protected_positions_stay_whole(gemma_tokenizer):
    table = ExpansionTable.for_tokenizer(gemma_tokenizer)
    ids = np.asarray(gemma_tokenizer.encode(FILIPINO * 3))
    protected = np.ones(ids.size, dtype=bool)
    assert np.array_equal(expand(ids, table, 1.0, np.random.default_rng(0), protected=protected), ids)


def test_expand_prop_zero_is_identity_and_one_splits_everything(gemma_tokenizer):
    table = ExpansionTable.for_tokenizer(gemma_tokenizer)
    ids = np.asarray(gemma_tokenizer.encode(FILIPINO))
    assert np.array_equal(expand(ids, table, 0.0, np.random.default_rng(0)), ids)
    out = expand(ids, table, 1.0, np.random.default_rng(0))
    expandable = (table.counts[ids] > 0).sum()
    assert len(out) >= len(ids) + expandable


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "x"])
def test_bad_expand_prop(gemma_tokenizer, bad):
    with pytest.raises(ParameterError, match="expand_prop"):
        build_processor("stochastok", gemma_tokenizer, expand_prop=bad)


def test_unknown_method_and_parameter(gemma_tokenizer):
    with pytest.raises(ConfigError, match="available: .*baseline"):
        build_processor("bpe-dropout", gemma_tokenizer)
    with pytest.raises(ParameterError, match="expand_prop"):
        build_processor("baseline", gemma_tokenizer, expand_prop=0.1)


def test_baseline_is_identity_and_vanilla_alias(gemma_tokenizer):
    ids = gemma_tokenizer.encode(FILIPINO)
    assert build_processor("baseline", gemma_tokenizer).process(FILIPINO, np.random.default_rng(0)) == ids
    assert build_processor("vanilla", gemma_tokenizer).process(ids, np.random.default_rng(0)) == ids
    assert build_processor("baseline", gemma_tokenizer).process("", np.random.default_rng(0)) == []


@pytest.mark.parametrize("expand_prop", [0.1, 0.5, 1.0])
def test_loop_and_numpy_paths_agree(gemma_tokenizer, monkeypatch, expand_prop):
    # Short documents take the Python loop, long ones the numpy path: same stream, same output.
    table = ExpansionTable.for_tokenizer(gemma_tokenizer)
    ids = gemma_tokenizer.encode(FILIPINO * 4 + "Ñoño 🍜 東京")
    protected = np.random.default_rng(1).random(len(ids)) < 0.2
    outputs = []
    for threshold in (0, 10**9):
        monkeypatch.setattr(expansion, "NUMPY_MIN_ATTEMPTS", threshold)
        outputs.append([expand_list(ids, table, expand_prop, np.random.default_rng(k), protected) for k in range(20)])
    assert outputs[0] == outputs[1]
    assert any(len(out) > len(ids) + 1 for out in outputs[0])


@pytest.mark.parametrize("expand_prop", [0.0, 0.1, 0.5, 1.0])
def test_batch_path_is_one_call_per_document(gemma_tokenizer, expand_prop):
    # Documents of many lengths (an empty one too) and a protection mask over the batch laid end
    # to end: each document's output is that of its own expand_list call with its own generator.
    table = ExpansionTable.for_tokenizer(gemma_tokenizer)
    ids = gemma_tokenizer.encode(FILIPINO * 4 + "Ñoño 🍜 東京")
    docs = [ids[k % 7 : k % 7 + 3 * k] for k in range(20)] + [[]]
    protected = np.random.default_rng(1).random(sum(map(len, docs))) < 0.2
    at = np.cumsum([0, *map(len, docs)])
    alone = [expand_list(d, table, expand_prop, np.random.default_rng(k), protected[at[k] : at[k + 1]])
             for k, d in enumerate(docs)]
    rngs = [np.random.default_rng(k) for k in range(len(docs))]
    batch = expand_batch(docs, table, expand_prop, rngs, protected=lambda where: protected[where])
    assert batch == alone
    assert expand_prop == 0.0 or any(len(out) > len(d) + 1 for out, d in zip(batch, docs, strict=True))
    arrays = expand_batch([np.array(d, dtype=np.int64) for d in docs], table, expand_prop,
                          [np.random.default_rng(k) for k in range(len(docs))], protected=lambda where: protected[where])
    assert arrays == alone
