"""Validation that compares arms: the shared held-out text, scored in bits per byte.

The held-out raw text is always tokenized with the *baseline* (canonical) tokenizer,
whatever the arm, so every arm's model is scored on the same token sequence and
``val/bpb`` (nats -> bits, per UTF-8 byte of the text) is comparable across arms.
:func:`validation_sums` returns sums rather than means so that torchrun ranks can
score disjoint shards and all-reduce them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from morphtok.errors import DatasetError


def validation_documents(path: str | Path, tokenizer) -> list[tuple[list[int], int]]:
    """(canonical ids with BOS/EOS, UTF-8 bytes) per held-out document."""
    docs = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"]
            docs.append(([tokenizer.bos_id, *tokenizer.encode(text), tokenizer.eos_id], len(text.encode("utf-8"))))
    if not docs:
        raise DatasetError("the validation file is empty", where=str(path))
    return docs


def validation_sums(model, docs, vocab_map, seq_length: int, chunk_size: int = 1024) -> tuple[float, int, int]:
    """(summed token loss in nats, tokens, UTF-8 bytes) over ``docs``; sums, so shards add up.

    ``model`` is a HF causal LM or a :class:`~morphtok.train.loss.CausalLMLoss` around one; the
    loss runs through the chunked output head, so no window's full logits are materialised."""
    import torch

    from morphtok.train.loss import CausalLMLoss

    scorer = model if isinstance(model, CausalLMLoss) else CausalLMLoss(model, chunk_size)
    device = next(scorer.parameters()).device
    total_nll, total_tokens, total_bytes = 0.0, 0, 0
    was_training = scorer.training
    scorer.eval()
    with torch.no_grad():
        for ids, n_bytes in docs:
            model_ids = vocab_map.to_model(ids)[0] if vocab_map is not None else ids
            for start in range(0, len(model_ids) - 1, seq_length):
                window = torch.tensor([model_ids[start : start + seq_length + 1]], device=device)
                nll, count = scorer(window)
                total_nll += float(nll)
                total_tokens += int(count)
            total_bytes += n_bytes
    scorer.train(was_training)
    return total_nll, total_tokens, total_bytes


def loss_and_bpb(total_nll: float, total_tokens: float, total_bytes: float) -> tuple[float, float]:
    """(mean token loss in nats, bits per byte) from :func:`validation_sums`' sums."""
    return total_nll / max(total_tokens, 1), total_nll / math.log(2) / max(total_bytes, 1)


def evaluate_bpb(model, docs, vocab_map, seq_length: int) -> tuple[float, float]:
    """(mean token loss in nats, bits per byte) over the validation documents."""
    return loss_and_bpb(*validation_sums(model, docs, vocab_map, seq_length))
