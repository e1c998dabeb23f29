"""Seed step "python scripts/verify_setup.py": a thin wrapper over ``morphtok doctor``.

    python scripts/verify_setup.py [--config demo|gemma3-1b-seapile|FILE] [--load-model]
"""

import sys

from morphtok.cli import main

if __name__ == "__main__":
    sys.exit(main(["doctor", *sys.argv[1:]]))
