from __future__ import annotations

import time

import pytest

from morphtok.errors import TokenizerError
from morphtok.segment.tokenizer import Tokenizer, load_tokenizer


def test_gemma3_known_ids(gemma_tokenizer):
    assert gemma_tokenizer.vocab_size == 262_144
    assert gemma_tokenizer.bos_id == 2
    assert gemma_tokenizer.eos_id == 1
    assert gemma_tokenizer.encode("Hello, my dog is cute", add_bos=True) == [2, 9259, 236764, 1041, 4799, 563, 12864]
    assert gemma_tokenizer.encode("") == []


def test_gemma3_cached_load_is_fast(gemma_tokenizer, tmp_path):
    source = gemma_tokenizer.save(tmp_path)
    start = time.perf_counter()
    again = Tokenizer.from_file(source)
    assert time.perf_counter() - start < 2.0
    assert again.content_hash == gemma_tokenizer.content_hash


@pytest.mark.parametrize("text", ["Nagluluto si Ñoño ng 🍜 sa 東京", "  tab\there\n\n", "é\u0301 naïve"])
def test_token_bytes_reassemble_text(any_tokenizer, text):
    ids = any_tokenizer.encode(text)
    assert any_tokenizer.decode_bytes(ids) == text.encode("utf-8")
    assert any_tokenizer.decode(ids) == text


def test_local_directory_and_missing_path(small_sp_tokenizer, tmp_path):
    small_sp_tokenizer.save(tmp_path)
    loaded = load_tokenizer(str(tmp_path))
    assert loaded.encode("Kumain kami") == small_sp_tokenizer.encode("Kumain kami")
    with pytest.raises(TokenizerError, match="not found"):
        load_tokenizer(str(tmp_path / "nope"))
