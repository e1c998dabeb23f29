"""``corpus fetch`` resume (issue #17 item 6): a partial download is only resumed by the same source."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from process_kill import kill_when

from morphtok.data.corpus import fetch
from morphtok.errors import CorpusError


def _source(path: Path, documents: int, tag: str) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(documents):
            handle.write(json.dumps({"id": f"{tag}{i}", "text": f"Kumain kami ng pagkain {tag} {i}."}) + "\n")
    return path


def test_a_killed_fetch_is_not_resumed_by_another_source(tmp_path: Path) -> None:
    first, second = _source(tmp_path / "a.jsonl", 300_000, "a"), _source(tmp_path / "b.jsonl", 50, "b")
    out = tmp_path / "corpus.jsonl"
    partial = tmp_path / "corpus.jsonl.partial"
    args = [sys.executable, "-m", "morphtok.cli", "corpus", "fetch", "--source", str(first), "-o", str(out)]
    kill_when(args, lambda: partial.is_file() and partial.stat().st_size > 0,
              env={**os.environ, "MORPHTOK_PROGRESS": "0"})
    assert not out.exists()
    with pytest.raises(CorpusError) as caught:
        fetch(str(second), out)
    assert str(first) in str(caught.value) and str(second) in str(caught.value)
    assert not out.exists() and partial.is_file()

    # The same source resumes; --force starts over with the new one.
    fetch(str(second), out, force=True)
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == [f"b{i}" for i in range(50)]
    meta = json.loads((tmp_path / "corpus.jsonl.meta.json").read_text())
    assert meta["source"] == str(second) and meta["source_identity"]["files"][0]["path"] == str(second)


def test_the_same_source_resumes(tmp_path: Path) -> None:
    source = _source(tmp_path / "a.jsonl", 300_000, "a")
    out = tmp_path / "corpus.jsonl"
    partial = tmp_path / "corpus.jsonl.partial"
    args = [sys.executable, "-m", "morphtok.cli", "corpus", "fetch", "--source", str(source), "-o", str(out)]
    kill_when(args, lambda: partial.is_file() and partial.stat().st_size > 1_000_000,
              env={**os.environ, "MORPHTOK_PROGRESS": "0"})
    fetch(str(source), out)
    assert out.read_bytes() == source.read_bytes()
