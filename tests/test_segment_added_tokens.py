"""Added tokens (special or not: Gemma's newline 107, tab runs, HTML tags) pass through every arm.

On real web text Patok once re-spelled 97% of the newlines from byte-fallback pieces
(``<0x0A>``) because its re-segmentation table leaves added tokens out: the Patok model then
trained on a different newline than its prompts use. ``decode(ids) == text`` still held.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from morphtok.segment.processor import build_processor, document_rng

WEB_TEXT = (
    "Nagluluto si Maria ng adobo.\nKumain kami\n\nkahapon.\t\tUminom ng kape.    Naglakad-lakad\n"
    "<table><tr><td>Pinakamaganda</td><td>nag-aral</td></tr></table>\n<br>Bumili<br/> ng gulay"
    "\n\n\n\t<div>Magpapaganda   ang   hardin</div>\n<li>kinain</li>\t\n  \n"
)
STRESS = {"contract_prop": 1.0, "expand_prop": 0.5, "affix_awareness": 1.0}


def _added_ids(tokenizer) -> frozenset[int]:
    return frozenset(int(i) for i in tokenizer.hf.get_added_tokens_decoder())


def _added_multiset(ids, added) -> Counter:
    return Counter(i for i in ids if i in added)


@pytest.mark.parametrize(("arm", "params"), [("baseline", {}), ("stochastok", {"expand_prop": 0.5}),
                                             ("patok", {}), ("patok", STRESS)])
def test_added_tokens_pass_every_arm_untouched(gemma_tokenizer, arm, params):
    added = _added_ids(gemma_tokenizer)
    ids = gemma_tokenizer.encode(WEB_TEXT * 4)
    expected = _added_multiset(ids, added)
    assert expected[107] >= 8 and expected[255968] >= 4 and len(expected) >= 8  # the text exercises them
    processor = build_processor(arm, gemma_tokenizer, **params)
    for k in range(10):
        out = processor.process(ids, document_rng(0, arm, k))
        assert _added_multiset(out, added) == expected
        assert gemma_tokenizer.decode_bytes(out) == gemma_tokenizer.decode_bytes(ids)
        # Never re-spelled from byte pieces either: no <0x0A> / <0x09> appears.
        assert not any(gemma_tokenizer.is_byte_fallback[i] for i in out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(["\n", "\n\n", "\t", "\t\t", "   ", "<br>", "<td>", "</div>", " kumain",
                                        "nagluluto", "Pinakamaganda", " nag-aral", "x", "ñ"]), max_size=30),
       seed=st.integers(0, 2**31))
def test_added_token_multiset_equal_across_arms(any_tokenizer, parts, seed):
    added = _added_ids(any_tokenizer)
    ids = any_tokenizer.encode("".join(parts))
    expected = _added_multiset(ids, added)
    for arm in ("stochastok", "patok"):
        out = build_processor(arm, any_tokenizer, expand_prop=0.5).process(np.asarray(ids), np.random.default_rng(seed))
        assert _added_multiset(out, added) == expected
