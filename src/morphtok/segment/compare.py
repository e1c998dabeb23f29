"""Side-by-side statistics of every tokenization arm on one text.

Used by ``morphtok arms compare`` and by the study report's tokenization table.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from morphtok.segment.processor import arm_names, build_processor, document_rng
from morphtok.segment.tokenizer import Tokenizer

_WORD = re.compile(r"\w+", re.UNICODE)


def placeholder_text() -> str:
    """The short Filipino text shipped with the package (used before a corpus exists)."""
    return (resources.files("morphtok.segment") / "data" / "placeholder.txt").read_text(encoding="utf-8")


def default_text() -> tuple[str, str]:
    """(text, source label): the bundled sample corpus when present, else the placeholder."""
    from morphtok.errors import CorpusError
    from morphtok.lang.fil.corpus import iter_sample_documents

    try:
        return "\n".join(doc["text"] for doc in iter_sample_documents()), "bundled sample corpus"
    except CorpusError:
        return placeholder_text(), "placeholder paragraph"


def compare_arms(
    text: str,
    tokenizer: Tokenizer,
    seed: int = 0,
    arms: list[str] | None = None,
    arm_params: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """One row per arm: tokens, tokens/word, expansion vs baseline, round-trip check.

    Each line of ``text`` is one document (its own document key for the RNG).
    """
    documents = [line for line in text.split("\n") if line.strip()] or [text]
    words = sum(len(_WORD.findall(doc)) for doc in documents)
    canonical = tokenizer.encode_batch(documents)
    baseline_tokens = sum(len(ids) for ids in canonical)
    rows = []
    for arm in arms or arm_names():
        processor = build_processor(arm, tokenizer, **(arm_params or {}).get(arm, {}))
        total, roundtrip = 0, True
        for index, (doc, ids) in enumerate(zip(documents, canonical, strict=True)):
            out = processor.process(ids, document_rng(seed, arm, index))
            total += len(out)
            roundtrip &= tokenizer.decode_bytes(out) == doc.encode("utf-8")
        rows.append(
            {
                "arm": arm,
                "params": processor.params(),
                "documents": len(documents),
                "words": words,
                "tokens": total,
                "tokens_per_word": total / max(words, 1),
                "expansion_vs_baseline": total / max(baseline_tokens, 1) - 1.0,
                "roundtrip_ok": bool(roundtrip),
            }
        )
    return rows
