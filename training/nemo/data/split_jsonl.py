"""Seed step 1.2: ``python training/nemo/data/split_jsonl.py --input ... --output-dir data/chunks --num-chunks 20``.

A thin wrapper over ``morphtok corpus split`` (byte-balanced, lossless chunks).
"""

import argparse
import sys

from morphtok.cli import main

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Split a JSONL corpus into byte-balanced chunks.")
    parser.add_argument("--input", required=True)
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--num-chunks", type=int, default=20)
    args = parser.parse_args()
    sys.exit(main(["corpus", "split", "--input", args.input, "--output-dir", args.output_dir,
                   "--num-chunks", str(args.num_chunks)]))
