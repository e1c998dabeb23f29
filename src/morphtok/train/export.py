"""Model directories out of the trainer: the final export and the per-checkpoint model card.

A HF model directory (weights as safetensors, config.json, tokenizer.json, and for the
vocab-trimmed ``tiny`` model its ``morphtok_vocab.npy``) is what evaluation,
``AutoModelForCausalLM.from_pretrained`` and lm-eval load.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path


def write_model_card(directory: Path, config, vocab_map, info: dict) -> None:
    """config.json (no quantization block: GGUF-initialised weights are saved dequantized),
    the tiny model's vocab map, and ``morphtok_model.json`` (arm, step, tokenizer)."""
    config.quantization_config = None
    config.save_pretrained(directory)
    if vocab_map is not None:
        vocab_map.save(directory)
    (directory / "morphtok_model.json").write_text(json.dumps(info) + "\n")


def export_model(model, tokenizer, vocab_map, info: dict, target: Path) -> Path:
    """Write a HF model directory atomically: weights (safetensors), config, tokenizer, vocab map."""
    target = Path(target)
    tmp = target.parent / f".tmp_{target.name}"
    shutil.rmtree(tmp, ignore_errors=True)
    model.config.quantization_config = None  # save_pretrained refuses quantized-origin models otherwise
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save(tmp)
    write_model_card(tmp, model.config, vocab_map, info)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target
