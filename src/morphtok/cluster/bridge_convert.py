"""``python -m morphtok.cluster.bridge_convert import|export ...``: Megatron-Bridge's AutoBridge, one process.

``import MODEL DEST``: ``AutoBridge.import_ckpt(MODEL, DEST)`` (HF weights -> Megatron checkpoint).
``export MODEL CHECKPOINT DEST``: ``AutoBridge.from_hf_pretrained(MODEL).export_ckpt(CHECKPOINT, DEST)``:
the HF config and tokenizer written are the source model's own (``save_artifacts``), the weights
those of ``CHECKPOINT`` (one ``iter_*`` dir, not the newest one Bridge would pick by name).
Run by :mod:`morphtok.cluster.bridge_run` as a child process, so export happens exactly once.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:  # pragma: no cover - needs the container and the HF weights
    from megatron.bridge import AutoBridge

    action, model, *paths = argv
    if action == "import" and len(paths) == 1:
        AutoBridge.import_ckpt(model, paths[0])
        return 0
    if action == "export" and len(paths) == 2:
        AutoBridge.from_hf_pretrained(model).export_ckpt(paths[0], paths[1])
        return 0
    print("usage: bridge_convert import MODEL DEST | export MODEL CHECKPOINT DEST", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
