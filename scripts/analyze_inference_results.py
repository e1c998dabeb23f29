"""Seed step 3.3: ``python scripts/analyze_inference_results.py --results-dir results/``.

A thin wrapper over ``morphtok analyze``; every argument passes through.
"""

import sys

from morphtok.cli import main

if __name__ == "__main__":
    sys.exit(main(["analyze", *sys.argv[1:]]))
