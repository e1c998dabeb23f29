"""Tokenization throughput of every arm vs the plain encode, measured in one run.

Single process, tokenizer threading off (RAYON_NUM_THREADS=1), real Gemma 3
tokenizer, two texts of >= 1 MB each, measured side by side with the plain encode:

* the bundled sample corpus, repeated to size (Patok's per-type caches mostly hit);
* many distinct words: taglid's ~40k counted word forms, shuffled (seeded) into
  sentences of 6-14 words, repeated only to reach the size (each word type a few
  times: the caches mostly miss, as on a fresh web corpus).

Each arm runs as the data pipeline runs it: ``morphtok.data.preprocess.process_documents``
on batches of ``preprocess.BATCH`` documents (the batch's encode, then the arm's
``process_batch``), so each arm's time includes its encode. ``patok/doc`` is Patok called
once per document on the text (encode, then Patok, document after document), for
comparison. Targets: StochasTok >= 0.8x the plain encode; Patok >= 0.5x and <= 1.5 us/token added.

    python benchmarks/tokenize_speed.py [--min-bytes 1000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

from morphtok.data.preprocess import BATCH, process_documents  # noqa: E402
from morphtok.lang.engine import get_engine  # noqa: E402
from morphtok.segment.compare import default_text  # noqa: E402
from morphtok.segment.processor import arm_names, build_processor, document_rng  # noqa: E402
from morphtok.segment.stochastok import ExpansionTable  # noqa: E402
from morphtok.segment.tokenizer import load_tokenizer  # noqa: E402


def _documents(lines: list[str], doc_bytes: int) -> list[str]:
    """Group consecutive lines into documents of at least ``doc_bytes`` UTF-8 bytes."""
    documents, current, size = [], [], 0
    for line in lines:
        current.append(line)
        size += len(line.encode("utf-8")) + 1
        if size >= doc_bytes:
            documents.append("\n".join(current))
            current, size = [], 0
    if current:
        documents.append("\n".join(current))
    return documents


def distinct_word_lines(min_bytes: int, seed: int = 0) -> list[str]:
    """Sentence-like lines from the lexicon's counted word forms in a seeded random order."""
    words = [w for w in get_engine("fil").lexicon.words if w.isalpha()]
    rng = np.random.default_rng(seed)
    lines, size = [], 0
    while size < min_bytes:
        order = rng.permutation(len(words))
        at = 0
        while at < len(order) and size < min_bytes:
            length = int(rng.integers(6, 15))
            sentence = " ".join(words[i] for i in order[at : at + length])
            at += length
            lines.append(sentence[:1].upper() + sentence[1:] + ".")
            size += len(lines[-1].encode("utf-8")) + 1
    return lines


def measure(label: str, documents: list[str], tokenizer, repeats: int, cold: bool = False) -> None:
    """Best-of-``repeats`` side by side; ``cold``: Patok's caches (analyses, pieces) are cleared before each run."""
    n_tokens = sum(len(tokenizer.encode(d)) for d in documents)
    batches = [[(str(k), text) for k, text in enumerate(documents[i : i + BATCH], start=i)]
               for i in range(0, len(documents), BATCH)]
    runs = {"encode": lambda: [tokenizer.encode(d) for d in documents]}
    for arm in arm_names():
        processor = build_processor(arm, tokenizer)

        def run(processor=processor):
            if cold and hasattr(processor, "clear_caches"):
                processor.clear_caches()
            for batch in batches:
                process_documents(tokenizer, processor, 0, batch)

        runs[arm] = run
    patok = build_processor("patok", tokenizer)

    def one_by_one():
        if cold:
            patok.clear_caches()
        for index, doc in enumerate(documents):
            patok.process(doc, document_rng(0, "patok", str(index)))

    runs["patok/doc"] = one_by_one
    # Repeats interleave the arms, so a load change on the machine hits all of them alike.
    best = dict.fromkeys(runs, float("inf"))
    for repeat in range(repeats + 1):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            if repeat:  # the first round warms up (and, unless cold, fills the per-type caches)
                best[name] = min(best[name], time.perf_counter() - start)
    vanilla = best["encode"]
    print(f"\n{label}: {n_tokens:,} tokens in {len(documents):,} documents; best of {repeats} interleaved runs after "
          f"one warm-up round{' (Patok caches cleared before every run: cold)' if cold else ''}; each arm's time "
          f"includes its encode and the per-document RNG derivation; batches of {BATCH} documents")
    print(f"{'arm':<12} {'tokens/s':>12} {'us/token':>9} {'vs vanilla':>10} {'added us/token':>15}")
    for name, elapsed in best.items():
        print(f"{name:<12} {n_tokens / elapsed:>12,.0f} {elapsed / n_tokens * 1e6:>9.3f} {vanilla / elapsed:>10.2f} "
              f"{(elapsed - vanilla) / n_tokens * 1e6:>15.3f}")
    print(f"target: patok >= 0.5x the plain encode -> {vanilla / best['patok']:.2f}x "
          f"(one document per call: {vanilla / best['patok/doc']:.2f}x); "
          f"stochastok >= 0.8x -> {vanilla / best['stochastok']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min-bytes", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5, help="best-of-N timing")
    parser.add_argument(
        "--doc-bytes", type=int, default=2000,
        help="group lines into documents of about this size (SEA-PILE documents are several KB; "
        "the per-document RNG derivation, ~17 us, is amortised over the document)",
    )
    args = parser.parse_args()

    tokenizer = load_tokenizer()
    text, source = default_text()
    lines = [line for line in text.split("\n") if line.strip()]
    base_bytes = sum(len(line.encode("utf-8")) + 1 for line in lines)
    copies = max(1, -(-args.min_bytes // base_bytes))
    print(f"single process, RAYON_NUM_THREADS={os.environ['RAYON_NUM_THREADS']}; documents of ~{args.doc_bytes} bytes")

    start = time.perf_counter()
    ExpansionTable.build(tokenizer)
    print(f"StochasTok expansion table build (cold, 262k vocab): {time.perf_counter() - start:.2f} s")
    measure(f"{source} repeated x{copies} = {base_bytes * copies / 1e6:.2f} MB", _documents(lines * copies, args.doc_bytes),
            tokenizer, args.repeats)
    distinct = distinct_word_lines(args.min_bytes)
    measure(f"many distinct words: {len(distinct):,} sentences from the lexicon's word forms, "
            f"{sum(len(x) + 1 for x in distinct) / 1e6:.2f} MB", _documents(distinct, args.doc_bytes), tokenizer,
            args.repeats, cold=True)


if __name__ == "__main__":
    main()
