"""Tokenization throughput of every arm vs the plain encode, measured in one run.

Single process, tokenizer threading off (RAYON_NUM_THREADS=1), real Gemma 3
tokenizer, >= 1 MB of Filipino text (the bundled sample corpus, repeated to size;
the output says so). Each arm's time includes its encode. Targets:
StochasTok >= 0.8x vanilla throughput; Patok >= 0.5x and <= 1.5 us/token added.

    python benchmarks/tokenize_speed.py [--min-bytes 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

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
    documents = _documents(lines * copies, args.doc_bytes)
    total_bytes = base_bytes * copies
    print(
        f"text: {source} repeated x{copies} = {total_bytes / 1e6:.2f} MB, grouped into {len(documents)} documents "
        f"of ~{args.doc_bytes} bytes; single process, RAYON_NUM_THREADS={os.environ['RAYON_NUM_THREADS']}"
    )

    start = time.perf_counter()
    ExpansionTable.build(tokenizer)
    print(f"StochasTok expansion table build (cold, 262k vocab): {time.perf_counter() - start:.2f} s")

    n_tokens = sum(len(tokenizer.encode(d)) for d in documents)
    runs = {"encode": lambda: [tokenizer.encode(d) for d in documents]}
    for arm in arm_names():
        processor = build_processor(arm, tokenizer)

        def run(processor=processor, arm=arm):
            for index, doc in enumerate(documents):
                processor.process(doc, document_rng(0, arm, index))

        run()  # warm the per-type caches (a real corpus amortises them over GBs)
        runs[arm] = run
    # Repeats interleave the arms, so a load change on the machine hits all of them alike.
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(args.repeats):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    vanilla = best["encode"]
    print(f"{n_tokens:,} tokens; best of {args.repeats} interleaved runs; each arm's time includes its encode "
          "and the per-document RNG derivation")
    print(f"{'arm':<12} {'tokens/s':>12} {'us/token':>9} {'vs vanilla':>10} {'added us/token':>15}")
    for name, elapsed in best.items():
        print(
            f"{name:<12} {n_tokens / elapsed:>12,.0f} {elapsed / n_tokens * 1e6:>9.3f} {vanilla / elapsed:>10.2f} "
            f"{(elapsed - vanilla) / n_tokens * 1e6:>15.3f}"
        )


if __name__ == "__main__":
    main()
