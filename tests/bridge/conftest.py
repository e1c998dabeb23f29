"""The Megatron-Bridge tier: runs in .venv-bridge (``make bridge-env``; ``make test`` runs it).

``make test`` runs ``.venv-bridge/bin/python -m pytest --confcutdir tests/bridge tests/bridge``
(the cut keeps tests/conftest.py, which needs the main venv, out). In the main venv, which has no
Bridge, these tests are skipped, saying why.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

os.environ.setdefault("WANDB_MODE", "disabled")
sys.path.insert(0, str(Path(__file__).parent))  # te_stand_in, a test helper beside this file

if importlib.util.find_spec("megatron.bridge") is not None:
    import te_stand_in

    te_stand_in.install()
