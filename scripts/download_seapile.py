"""Seed step 1.1: ``python scripts/download_seapile.py --output data/corpora/seapile-v2-filipino.jsonl --language fil``.

A thin wrapper over ``morphtok corpus fetch --source seapile`` (streaming, resumable).
"""

import argparse
import sys

from morphtok.cli import main

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Download the Filipino subset of SEA-PILE v2 as JSONL.")
    parser.add_argument("--output", default="data/corpora/seapile-v2-filipino.jsonl")
    parser.add_argument("--language", default="fil")
    parser.add_argument("--limit", type=int, default=None, help="stop after N documents")
    args = parser.parse_args()
    argv = ["corpus", "fetch", "--source", "seapile", "--output", args.output, "--language", args.language]
    if args.limit is not None:
        argv += ["--limit", str(args.limit)]
    sys.exit(main(argv))
