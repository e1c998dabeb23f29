"""The StochasTok expansion rule (module doc of :mod:`morphtok.segment.stochastok`), on one
document or on a batch of them.

StochasTok applies it to the canonical ids, Patok to its contracted ids (step 3). Every path
consumes a document's generator the same way, so a document's output never depends on the
path or on the batch it came in:

* :func:`expand_list` for one document: a Python loop over the attempted positions (short
  documents, where numpy's per-call overhead would dominate) or numpy with C-level list
  assembly (long ones);
* :func:`expand_batch` for several documents: each draws from its own generator, then the
  table lookups and the output assembly run once over the documents laid end to end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain, pairwise, repeat
from operator import itemgetter
from typing import Protocol

import numpy as np


class SplitTable(Protocol):
    """What the rule reads of :class:`~morphtok.segment.stochastok.ExpansionTable` (CSR splits)."""

    counts: np.ndarray
    offsets: np.ndarray
    pairs: np.ndarray
    counts_list: Sequence[int]
    offsets_list: Sequence[int]
    left_list: Sequence[int]
    right_list: Sequence[int]


PositionMask = Callable[[np.ndarray], np.ndarray]
"""Takes the (sorted) attempted positions, returns which of them stay whole."""
Protected = np.ndarray | Sequence[bool] | PositionMask | None
"""Positions that stay whole: a boolean mask over all positions, or a :data:`PositionMask`."""


def expand(
    ids: Sequence[int] | np.ndarray,
    table: SplitTable,
    expand_prop: float,
    rng: np.random.Generator,
    protected: Protected = None,
) -> np.ndarray:
    """Apply StochasTok expansion (module doc) to ``ids``; ``protected`` positions stay whole.

    With a :data:`PositionMask`, only the ~p*L attempted positions are ever looked at.
    """
    return np.asarray(expand_list(ids, table, expand_prop, rng, protected), dtype=np.int64)


def expand_list(
    ids: Sequence[int] | np.ndarray,
    table: SplitTable,
    expand_prop: float,
    rng: np.random.Generator,
    protected: Protected = None,
) -> list[int]:
    """:func:`expand` returning a list (what processors hand to the data writer).

    Random stream, in order: one uniform per input position (``u < p``
    attempts it; ``u / p``, again uniform, picks the split), then two per
    attempted position (the re-attempt draws of its two pieces), then, only if
    some piece is re-attempted, batches of 64 for deeper levels, consumed
    depth-first, left piece first. Two equivalent code paths consume that
    stream identically: a Python loop over the attempted positions (short
    documents, where numpy's per-call overhead would dominate) and a numpy one
    that assembles the output with C-level list operations (long documents).
    """
    seq = ids.tolist() if isinstance(ids, np.ndarray) else list(ids)
    if seq and type(seq[0]) is not int:  # e.g. numpy integers: output plain ints
        seq = [int(i) for i in seq]
    if not seq or expand_prop <= 0.0:
        return seq
    draws = rng.random(len(seq))
    where = np.flatnonzero(draws < expand_prop)
    if where.size == 0:
        return seq
    again = rng.random((where.size, 2))
    blocked = None
    if protected is not None:
        blocked = np.asarray(protected(where) if callable(protected) else np.asarray(protected, dtype=bool)[where])
    if where.size < NUMPY_MIN_ATTEMPTS:
        return _expand_loop(seq, where, draws, again, table, expand_prop, rng, blocked)
    return _expand_numpy(seq, where, draws, again, table, expand_prop, rng, blocked)


NUMPY_MIN_ATTEMPTS = 256  # measured crossover: ~3k-token documents at p = 0.1


def _expand_loop(seq, where, draws, again, table, p, rng, blocked) -> list[int]:
    counts, offsets, left, right = table.counts_list, table.offsets_list, table.left_list, table.right_list
    vocab = len(counts)
    scaled = (draws[where] / p).tolist()
    blocked = blocked.tolist() if blocked is not None else repeat(False)
    uniform = None
    out: list[int] = []
    last = 0
    for pos, u, (v_left, v_right), skip in zip(where.tolist(), scaled, again.tolist(), blocked, strict=False):
        token = seq[pos]
        if not 0 <= token < vocab:
            continue
        n = counts[token]
        if n == 0 or skip:
            continue
        # u < 1 in exact arithmetic; min() guards the rounding of u = draw / p.
        k = offsets[token] + min(int(u * n), n - 1)
        out += seq[last:pos]
        last = pos + 1
        a, b = left[k], right[k]
        if v_left < p and counts[a]:
            uniform = uniform or _uniform_stream(rng)
            _split(a, v_left / p, table, p, uniform, out)
        else:
            out.append(a)
        if v_right < p and counts[b]:
            uniform = uniform or _uniform_stream(rng)
            _split(b, v_right / p, table, p, uniform, out)
        else:
            out.append(b)
    out += seq[last:]
    return out


def _expand_numpy(seq, where, draws, again, table, p, rng, blocked) -> list[int]:
    tokens = np.array(itemgetter(*where.tolist())(seq), dtype=np.int64)
    pairs, where, leaves = _pick_splits(tokens, where, draws[where] / p, again, table, p, blocked, [rng], [0])
    if where.size == 0:
        return seq
    pieces: list = pairs.tolist()
    for j, leaf in leaves:
        pieces[j] = leaf
    bounds = where.tolist()
    parts: list = [None] * (2 * len(bounds) + 1)
    parts[1::2] = pieces
    parts[0::2] = [seq[a + 1 : b] for a, b in zip([-1, *bounds], [*bounds, len(seq)], strict=True)]
    return list(chain.from_iterable(parts))


def _uniform_stream(rng: np.random.Generator):
    """An endless stream of uniforms drawn in batches of 64; its ``__next__`` is C-level."""
    return chain.from_iterable(iter(lambda: rng.random(64).tolist(), None)).__next__


def _split(token: int, u: float, table: SplitTable, p: float, uniform, out: list[int]) -> None:
    """Split ``token`` with uniform ``u`` and re-attempt its pieces (the rare recursive path).

    Recursion depth is bounded by the token's byte length (pieces strictly shrink).
    """
    n = table.counts_list[token]
    k = table.offsets_list[token] + min(int(u * n), n - 1)
    for piece in (table.left_list[k], table.right_list[k]):
        v = uniform()
        if v < p and table.counts_list[piece]:
            _split(piece, v / p, table, p, uniform, out)
        else:
            out.append(piece)


def expand_batch(
    docs: Sequence[Sequence[int] | np.ndarray],
    table: SplitTable,
    expand_prop: float,
    rngs: Sequence[np.random.Generator],
    protected: PositionMask | None = None,
) -> list[list[int]]:
    """:func:`expand_list` of each document with its own generator, in one numpy pass.

    ``protected`` takes positions in the documents laid end to end (sorted) and returns their
    mask. Per document only its draws (the uniforms of every position, then two per attempted
    position, then the recursion stream) are drawn alone; the rest is one pass over the batch.
    """
    if all(isinstance(d, np.ndarray) for d in docs):
        arr = np.concatenate([np.asarray(d, dtype=np.int64).reshape(-1) for d in docs])
    else:
        arr = np.array(list(chain.from_iterable(docs)), dtype=np.int64)
    doc_at = np.cumsum([0, *map(len, docs)])
    if expand_prop <= 0.0 or not arr.size:
        return [arr[a:b].tolist() for a, b in pairwise(doc_at.tolist())]
    draws, again = [], []
    for rng, n in zip(rngs, np.diff(doc_at).tolist(), strict=True):
        if n:
            draws.append(rng.random(n))
            if attempts := int(np.count_nonzero(draws[-1] < expand_prop)):
                again.append(rng.random((attempts, 2)))
    uniform = np.concatenate(draws)
    where = np.flatnonzero(uniform < expand_prop)
    if not where.size:
        return [arr[a:b].tolist() for a, b in pairwise(doc_at.tolist())]
    blocked = None if protected is None else np.asarray(protected(where), dtype=bool)
    pairs, where, leaves = _pick_splits(arr[where], where, uniform[where] / expand_prop, np.concatenate(again), table,
                                        expand_prop, blocked, rngs, doc_at)
    width = np.ones(arr.size, dtype=np.int64)
    width[where] = 2
    for j, pieces in leaves:
        width[where[j]] = len(pieces)
    head = width.cumsum()
    out = arr.repeat(width)
    at = head[where] - width[where]
    out[at] = pairs[:, 0]
    out[at + 1] = pairs[:, 1]
    for j, pieces in leaves:
        out[at[j] : at[j] + len(pieces)] = pieces
    ends = np.concatenate(([0], head))[doc_at].tolist()  # each document's first output position
    return [out[a:b].tolist() for a, b in pairwise(ends)]


def _pick_splits(tokens, where, scaled, again, table, p, blocked, rngs, doc_at):
    """The chosen split of each expandable attempted position (``tokens`` at ``where``, uniforms
    ``scaled`` = draw / p, re-attempt draws ``again``), those positions, and ``[(row, leaves)]`` of
    the rows whose pieces are split again (each document's recursion stream, ``doc_at`` its first
    position, consumed in its positions' order)."""
    counts = table.counts
    valid = (tokens >= 0) & (tokens < counts.size)
    n_splits = counts[np.where(valid, tokens, 0)]
    keep = valid & (n_splits > 0)
    if blocked is not None:
        keep &= ~blocked
    if not keep.all():
        where, tokens, n_splits, scaled, again = where[keep], tokens[keep], n_splits[keep], scaled[keep], again[keep]
    pick = np.minimum((scaled * n_splits).astype(np.int64), n_splits - 1)
    pairs = table.pairs[table.offsets[tokens] + pick].astype(np.int64)
    recurse = (again < p) & (counts[pairs] > 0)
    leaves = []
    if recurse.any():  # rare
        rows = np.flatnonzero(recurse.any(axis=1))
        streams: dict[int, Callable[[], float]] = {}
        owners = np.searchsorted(doc_at, where[rows], side="right") - 1
        for j, d in zip(rows.tolist(), owners.tolist(), strict=True):
            stream = streams.get(d) or streams.setdefault(d, _uniform_stream(rngs[d]))
            pieces: list[int] = []
            for side in (0, 1):
                if recurse[j, side]:
                    _split(int(pairs[j, side]), float(again[j, side]) / p, table, p, stream, pieces)
                else:
                    pieces.append(int(pairs[j, side]))
            leaves.append((j, pieces))
    return pairs, where, leaves
