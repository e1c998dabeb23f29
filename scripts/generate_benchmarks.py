"""Seed step 3.1: ``python scripts/generate_benchmarks.py`` -> data/benchmarks (seed 1859).

A thin wrapper over ``morphtok bench generate``; any extra arguments pass through.
"""

import sys

from morphtok.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "generate", *sys.argv[1:]]))
