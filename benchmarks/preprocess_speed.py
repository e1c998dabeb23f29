"""Preprocessing throughput per arm, the 1 -> 2 worker speed-up and peak RSS, in one run.

Text: the bundled sample corpus repeated to >= --min-mb MB (documents get distinct ids).
Tokenizer threading off (TOKENIZERS_PARALLELISM=false), so workers are the unit of
parallelism. Every measurement runs in a fresh Python process, so no run inherits caches
warmed by another (forked workers would). Times include starting the workers, not loading
the tokenizer in the main process. Targets: speed-up >= 1.7x from 1 to 2 workers; peak RSS per worker < 2 GB.
Prints an estimate for SEA-PILE v2 Filipino (~7.4 GB) on a 32-core node.

The default is 20 MB: each worker warms its own analyzer and Patok piece caches (about a
second of cold analysis per process on this corpus's ~15k word types), a fixed cost that a
7.4 GB corpus amortises but 5 MB does not (same day, same machine: 1.50x on 5 MB, 1.73x on 20 MB).

    python benchmarks/preprocess_speed.py [--min-mb 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAYON_NUM_THREADS", "1")

from morphtok.lang.fil.corpus import iter_sample_documents  # noqa: E402

_MEASURE = """
import json, resource, sys
from morphtok.data.preprocess import preprocess
stats = preprocess(sys.argv[1], sys.argv[2], sys.argv[3], workers=int(sys.argv[4]))
stats["rss_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
stats["rss_child_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps(stats))
"""


def measure(corpus: Path, prefix: Path, arm: str, workers: int) -> dict:
    """One preprocessing run in a fresh interpreter; its stats plus peak RSS."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(corpus), str(prefix), arm, str(workers)],
                          capture_output=True, text=True, check=True, env={**os.environ, "MORPHTOK_PROGRESS": "0"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min-mb", type=float, default=20.0)
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
            stats = measure(corpus, Path(tmp) / arm, arm, 1)
            rates[arm] = stats["tokens"] / stats["seconds"]
            print(f"{arm:<11} 1 worker: {rates[arm]:>10,.0f} tokens/s  ({stats['bytes'] / stats['seconds'] / 1e6:.2f} MB/s)")
        two = measure(corpus, Path(tmp) / "patok2", "patok", 2)
        speedup = (two["tokens"] / two["seconds"]) / rates["patok"]
        print(f"patok 2 workers: {two['tokens'] / two['seconds']:,.0f} tokens/s -> speed-up {speedup:.2f}x (target >= 1.7x)")
        print(f"peak RSS: main {two['rss_self_mb']:.0f} MB, largest worker {two['rss_child_mb']:.0f} MB (target < 2048 MB)")
        mb_per_s = size / 1e6 / two["seconds"] * 16  # assume linear scaling per pair of cores
        print(f"estimate: 7.4 GB SEA-PILE fil, patok, 32 cores (linear scaling from 2 workers assumed): "
              f"{7400 / mb_per_s / 3600:.2f} h")


if __name__ == "__main__":
    main()
