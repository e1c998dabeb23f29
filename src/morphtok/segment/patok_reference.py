"""Patok stated plainly: the slow reference the fast processor must agree with, id for id.

No caches, no vectorisation: one loop per step of :mod:`morphtok.segment.patok`'s
docstring, consuming the random stream in the same order (keep draws, segment draws,
expansion draws). ``tests/test_segment_patok.py`` property-tests
``reference_process(p, ids, rng) == p.process(ids, rng)``.
"""

from __future__ import annotations

import numpy as np

from morphtok.segment.expansion import expand_list
from morphtok.segment.morph_boundaries import _after_sentence_end, _only_openers
from morphtok.segment.pieces import char_byte_offsets, reference_segment

_SENTENCE_END = b".!?:;\n"


def reference_process(processor, ids: list[int], rng: np.random.Generator) -> list[int]:
    tokenizer = processor.tokenizer
    vocab = len(tokenizer.token_bytes)
    if not ids:
        return []
    inside = [0 <= i < vocab for i in ids]
    raw = [tokenizer.token_bytes[i] if ok else b"" for i, ok in zip(ids, inside, strict=True)]
    fixed = [not ok or not r or bool(tokenizer.added_mask[i]) for i, r, ok in zip(ids, raw, inside, strict=True)]
    doc = b"".join(raw)
    bounds, spans = _boundaries(processor, doc)
    keep = rng.random(len(bounds)) < processor.affix_awareness if bounds else np.zeros(0, dtype=bool)
    kept = {b for b, k in zip(bounds, keep.tolist(), strict=True) if k}
    out = list(ids)
    if processor.contract_prop > 0.0:
        out = _contract(processor, ids, raw, fixed, kept, rng)
    protected = None
    if spans:
        starts = np.concatenate(([0], np.cumsum([len(tokenizer.token_bytes[t]) if 0 <= t < vocab else 0
                                                 for t in out])))
        protected = np.array([(int(starts[k]), int(starts[k + 1])) in spans for k in range(len(out))], dtype=bool)
    return expand_list(out, processor.table, processor.expand_prop, rng, protected=protected)


def _boundaries(processor, doc: bytes) -> tuple[list[int], set[tuple[int, int]]]:
    """Confident morpheme boundaries (document order) and affix spans (also with their leading space)."""
    engine = processor.morphology.engine
    bounds: list[int] = []
    spans: set[tuple[int, int]] = set()
    offset = 0
    for chunk in doc.split(b" "):
        before = doc[:offset].rstrip(b" \t")
        chunk_initial = not before or before[-1] in _SENTENCE_END
        for match in engine.word_pattern.finditer(chunk):
            start = match.start()
            initial = (chunk_initial and _only_openers(chunk[:start])) or _after_sentence_end(chunk, start)
            text = match.group().decode("utf-8")
            best = engine.analyse(text, mid_sentence=not initial)[0]
            if not (best.is_affixed and best.confident):
                continue
            to_byte = char_byte_offsets(text)
            bounds += [offset + start + to_byte[b] for b in best.boundaries]
            for m in best.morphemes:
                if m.type != "root":
                    s, e = offset + start + to_byte[m.start], offset + start + to_byte[m.end]
                    spans.add((s, e))
                    if start + to_byte[m.start] == 0 and offset > 0:
                        spans.add((s - 1, e))
        offset += len(chunk) + 1
    return bounds, spans


def _contract(processor, ids, raw, fixed, kept, rng) -> list[int]:
    n = len(ids)
    heads, is_window = _segments(processor, n, rng)
    out: list[int] = []
    for index, head in enumerate(heads):
        end = heads[index + 1] if index + 1 < len(heads) else n
        if not is_window[index]:
            out.append(ids[head])
            continue
        # A window is cut around fixed tokens; each run of ordinary tokens is re-segmented.
        run_start = head
        for k in range(head, end + 1):
            if k == end or fixed[k]:
                if k > run_start:
                    out += _resegment(processor, ids[run_start:k], raw[run_start:k], raw, run_start, kept)
                if k < end:
                    out.append(ids[k])
                run_start = k + 1
    return out


def _resegment(processor, ids, raw, all_raw, first, kept) -> list[int]:
    lo = sum(len(r) for r in all_raw[:first])
    window = b"".join(raw)
    token_starts = {sum(len(r) for r in raw[:k]) for k in range(len(raw))}
    cuts = [0] + sorted(b - lo for b in kept if lo < b < lo + len(window)) + [len(window)]
    pieces = [reference_segment(processor.tokenizer, window[a:b], {e - a for e in token_starts if a < e < b})
              for a, b in zip(cuts, cuts[1:], strict=False)]
    if any(p is None for p in pieces):
        return list(ids)
    return [i for piece in pieces for i in piece]


def _segments(processor, n: int, rng) -> tuple[list[int], list[bool]]:
    """Heads and window flags: batches of (open?, size) draws, summed until they cover n."""
    sizes, edges = processor._sizes, processor._size_edges
    batch = int(n / processor._mean_segment * 1.1) + 16
    lengths: list[int] = []
    opens: list[bool] = []
    while sum(lengths) < n:
        draws = rng.random((2, batch))
        for u_open, u_size in zip(draws[0].tolist(), draws[1].tolist(), strict=True):
            is_open = u_open < processor.contract_prop
            opens.append(is_open)
            lengths.append(int(sizes[int(np.searchsorted(edges, u_size, side="right"))]) if is_open else 1)
    heads, total = [], 0
    for length in lengths:
        if total >= n:
            break
        heads.append(total)
        total += length
    return heads, opens[: len(heads)]
