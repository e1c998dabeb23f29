from __future__ import annotations

import pytest

from morphtok.errors import TokenizerError
from morphtok.segment.tokenizer import Tokenizer, load_tokenizer


def test_gemma3_known_ids(gemma_tokenizer):
    assert gemma_tokenizer.vocab_size == 262_144
    assert gemma_tokenizer.bos_id == 2
    assert gemma_tokenizer.eos_id == 1
    assert gemma_tokenizer.encode("Hello, my dog is cute", add_bos=True) == [2, 9259, 236764, 1041, 4799, 563, 12864]
    assert gemma_tokenizer.encode("") == []


def test_gemma3_cache_is_reused_without_the_gguf(gemma_tokenizer, monkeypatch):
    """A verified tokenizer.json cache is loaded as is; the slow GGUF conversion is not repeated."""
    import morphtok.segment.tokenizer as tokenizer_module

    def no_gguf():
        raise AssertionError("the GGUF was consulted although the cache is valid")

    monkeypatch.setattr(tokenizer_module, "gemma3_gguf_path", no_gguf)
    cached = tokenizer_module.gemma3_tokenizer_json()
    again = Tokenizer.from_file(cached)
    assert again.content_hash == gemma_tokenizer.content_hash


def test_gemma3_corrupt_cache_is_rebuilt(gemma_tokenizer, tmp_path, monkeypatch):
    """A cache whose checksum does not match is converted again rather than trusted."""
    import morphtok.segment.tokenizer as tokenizer_module

    monkeypatch.setattr(tokenizer_module, "cache_root", lambda: tmp_path)
    directory = tmp_path / "tokenizers" / "gemma3"
    directory.mkdir(parents=True)
    (directory / "tokenizer.json").write_text("{}")
    (directory / "tokenizer.json.sha256").write_text("0" * 64 + "\n")
    consulted = []

    def fake_gguf():
        consulted.append(True)
        raise RuntimeError("stop here")

    monkeypatch.setattr(tokenizer_module, "gemma3_gguf_path", fake_gguf)
    with pytest.raises(RuntimeError, match="stop here"):
        tokenizer_module.gemma3_tokenizer_json()
    assert consulted == [True]


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
