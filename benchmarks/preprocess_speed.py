"""Preprocessing throughput per arm, the 1 -> 2 worker speed-up and peak RSS, in one run.

Text: the bundled sample corpus repeated to >= --min-mb MB (documents get distinct ids).
Tokenizer threading off (TOKENIZERS_PARALLELISM=false), so workers are the unit of
parallelism. Targets: speed-up >= 1.7x from 1 to 2 workers; peak RSS per worker < 2 GB.
Prints an estimate for SEA-PILE v2 Filipino (~7.4 GB) on a 32-core node.

    python benchmarks/preprocess_speed.py [--min-mb 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAYON_NUM_THREADS", "1")

from morphtok.data.preprocess import preprocess  # noqa: E402
from morphtok.lang.fil.corpus import iter_sample_documents  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min-mb", type=float, default=5.0)
    args = parser.parse_args()
    docs = [d["text"] for d in iter_sample_documents()]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        size, copy = 0, 0
        with open(corpus, "w", encoding="utf-8") as handle:
            while size < args.min_mb * 1e6:
                for i, text in enumerate(docs):
                    line = json.dumps({"id": f"{copy}-{i}", "text": text}, ensure_ascii=False) + "\n"
                    handle.write(line)
                    size += len(line.encode("utf-8"))
                copy += 1
        print(f"text: bundled sample corpus x{copy} = {size / 1e6:.1f} MB")
        rates = {}
        for arm in ("baseline", "stochastok", "patok"):
            stats = preprocess(corpus, Path(tmp) / arm, arm, workers=1)
            rates[arm] = stats["tokens"] / stats["seconds"]
            print(f"{arm:<11} 1 worker: {rates[arm]:>10,.0f} tokens/s  ({stats['bytes'] / stats['seconds'] / 1e6:.2f} MB/s)")
        two = preprocess(corpus, Path(tmp) / "patok2", "patok", workers=2)
        speedup = (two["tokens"] / two["seconds"]) / rates["patok"]
        child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"patok 2 workers: {two['tokens'] / two['seconds']:,.0f} tokens/s -> speed-up {speedup:.2f}x (target >= 1.7x)")
        print(f"peak RSS: main {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
              f"largest worker {child_rss:.0f} MB (target < 2048 MB)")
        mb_per_s = size / 1e6 / two["seconds"] * 16  # assume linear scaling per pair of cores
        print(f"estimate: 7.4 GB SEA-PILE fil, patok, 32 cores (linear scaling from 2 workers assumed): "
              f"{7400 / mb_per_s / 3600:.2f} h")


if __name__ == "__main__":
    main()
