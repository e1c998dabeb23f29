"""MCQ scoring that runs each question's shared prompt once and only the options' tails per option.

The four options of a question share their context tokens. ``score_questions`` runs the
questions' prefixes in one batched forward pass (right-padded, exactly the plain path's
causal computation), copies each question's KV cache once per option, and runs all the
option tails of the batch in a second pass. The tail pass gets an explicit boolean attention
mask: a tail token sees its own question's real prefix positions (never the padding after
them) and the tail tokens up to itself; its RoPE position continues from its own prefix
length. The numbers equal the plain path's (:meth:`ScoringModel.loglikelihood`) to float
rounding, and the split of every request into context/continuation tokens is still
lm-eval's; only which forward pass computes a hidden state changes.

Why a second pass pays here: the prompt is most of every row (a ~25-token question against
1-6 option tokens), so the rows' token count, which bounds the FLOPs on a CPU, drops about 2.5x.
An earlier version that ran every question alone (one prefix pass and one tail pass per
question) was slower than the plain batched path, because each pass reads the weights once;
batching many questions into the two passes keeps that cost at two reads per batch.

Returns None where the trick does not apply (an attention kernel other than sdpa/eager, a
sequence beyond the sliding window, an empty shared prefix); the caller then uses the plain path.
"""

from __future__ import annotations

import os


def _common_prefix(rows: list[list[int]]) -> int:
    shortest = min(len(r) for r in rows)
    for k in range(shortest):
        if any(r[k] != rows[0][k] for r in rows[1:]):
            return k
    return shortest


def score_questions(scorer, prepared: list[list[tuple[list[int], int]]]) -> list[float] | None:
    """The continuation log-prob sum of every option, question by question, in one flat list.
    ``prepared[q][j] = (ids, first)``."""
    torch = scorer.torch
    config = scorer.model.config
    attention = getattr(config, "_attn_implementation", None)
    if os.environ.get("MORPHTOK_SHARED_PREFIX", "1") == "0" or attention not in ("sdpa", "eager"):
        return None
    # Each question's prefix ends one token before its earliest continuation token, so every
    # hidden state a continuation needs comes out of the tail pass.
    prefix = [min(_common_prefix([ids for ids, _ in options]), min(first for _, first in options)) - 1
              for options in prepared]
    if min(prefix) < 1:
        return None
    width = max(prefix)
    tails = [[ids[p:] for ids, _ in options] for options, p in zip(prepared, prefix, strict=True)]
    tail_width = max(len(t) for options in tails for t in options)
    window = getattr(config, "sliding_window", None)
    if window and width + tail_width > window:
        return None
    pad = scorer.tokenizer.pad_id or 0
    heads = [options[0][0][:p] for options, p in zip(prepared, prefix, strict=True)]
    input_ids = torch.tensor([h + [pad] * (width - len(h)) for h in heads])
    mask = torch.tensor([[1] * len(h) + [0] * (width - len(h)) for h in heads])
    owner, tail_rows, positions = [], [], []
    for q, options in enumerate(tails):
        for tail in options:
            owner.append(q)
            tail_rows.append(tail + [pad] * (tail_width - len(tail)))
            positions.append(list(range(prefix[q], prefix[q] + tail_width)))
    # keys: [prefix slots 0..width-1 | tail slots 0..tail_width-1]; True = may attend
    keys = torch.arange(width + tail_width)
    query = torch.arange(tail_width)
    prefix_len = torch.tensor([prefix[q] for q in owner])
    tail_len = torch.tensor([len(t) for options in tails for t in options])
    sees_prefix = keys[None, None, :] < prefix_len[:, None, None]
    slot = keys[None, None, :] - width
    sees_tail = (slot >= 0) & (slot <= query[None, :, None]) & (slot < tail_len[:, None, None])
    allowed = (sees_prefix | sees_tail)[:, None]  # (rows, 1, queries, keys)
    if attention == "eager":
        dtype = scorer.model.dtype
        allowed = torch.where(allowed, torch.zeros((), dtype=dtype), torch.finfo(dtype).min)
    with torch.no_grad():
        out = scorer.model.model(input_ids=input_ids, attention_mask=mask, use_cache=True)
        cache = out.cache
        cache.reorder_cache(torch.tensor(owner))
        hidden = scorer.model.model(
            input_ids=torch.tensor(tail_rows), position_ids=torch.tensor(positions), cache=cache,
            attention_mask={"full_attention": allowed, "sliding_attention": allowed}, use_cache=True,
        ).last_hidden_state
        gathered, targets, spans, row = [], [], [], 0
        for options, p in zip(prepared, prefix, strict=True):
            for ids, first in options:
                gathered.append(hidden[row, first - 1 - p : len(ids) - 1 - p])
                spans.append((len(targets), len(targets) + len(ids) - first))
                targets += ids[first:]
                row += 1
        picked = scorer._continuation_logprobs(torch.cat(gathered), targets) if targets else []
    return [float(sum(picked[lo:hi])) for lo, hi in spans]
