"""Seed step 3.2: ``python scripts/run_evaluation.py --models A B C --benchmarks pacute hierarchical --eval-mode both``.

A thin wrapper over ``morphtok eval``; every argument passes through.
"""

import sys

from morphtok.cli import main

if __name__ == "__main__":
    sys.exit(main(["eval", *sys.argv[1:]]))
