"""Chunks and merges (issue #17 item 2, issue #16 point 4): the split's manifest is the truth.

A re-split never leaves chunks of an earlier split to be read again, readers take the
manifest's list rather than a glob, and ``preprocess merge`` refuses an incomplete set.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from morphtok.data.chunks import split_jsonl
from morphtok.data.preprocess import preprocess
from morphtok.errors import CorpusError, DatasetError

TEXTS = ["Kumain kami ng masarap na pagkain.", "Umuwi sila kahapon.", "Nagluluto si Maria ng adobo."]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps({"id": f"d{i}", "text": f"{TEXTS[i % 3]} ({i})"}) + "\n" for i in range(40)),
                    encoding="utf-8")
    return path


def test_resplit_into_fewer_chunks_reads_every_document_once(tmp_path: Path, corpus: Path) -> None:
    chunks = tmp_path / "chunks"
    split_jsonl(corpus, chunks, 5)
    split_jsonl(corpus, chunks, 3)
    assert sorted(p.name for p in chunks.glob("chunk_*")) == ["chunk_0001.jsonl", "chunk_0002.jsonl", "chunk_0003.jsonl"]
    stats = preprocess(chunks, tmp_path / "p", "baseline")
    assert stats["documents"] == 40


def test_manifest_names_the_chunks_and_the_source(tmp_path: Path, corpus: Path) -> None:
    from morphtok.atomic import sha256_file

    paths = split_jsonl(corpus, tmp_path / "chunks", 3)
    manifest = json.loads((tmp_path / "chunks" / "manifest.json").read_text())
    assert manifest["num_chunks"] == 3 and manifest["chunks"] == [p.name for p in paths]
    assert manifest["source"] == {"path": str(corpus), "sha256": sha256_file(corpus), "size": corpus.stat().st_size}
    assert manifest["complete"] is True and len(manifest["fingerprint"]) == 16
    assert manifest["files"]["chunk_0002.jsonl"]["sha256"] == sha256_file(paths[1])


def test_chunks_no_split_wrote_are_refused_not_deleted(tmp_path: Path, corpus: Path) -> None:
    chunks = tmp_path / "chunks"
    chunks.mkdir()
    foreign = chunks / "chunk_0009.jsonl"
    foreign.write_text('{"text": "not from a split"}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="chunk_0009.jsonl"):
        split_jsonl(corpus, chunks, 2)
    assert foreign.is_file()


def test_a_chunk_edited_after_the_split_is_refused(tmp_path: Path, corpus: Path) -> None:
    paths = split_jsonl(corpus, tmp_path / "chunks", 2)
    with open(paths[1], "a", encoding="utf-8") as handle:
        handle.write('{"text": "added later"}\n')
    with pytest.raises(CorpusError, match="changed since the split"):
        preprocess(tmp_path / "chunks", tmp_path / "p", "baseline")


def _merge_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "morphtok.cli", "preprocess", "merge", *args],
                          capture_output=True, text=True, timeout=300)


def test_merge_refuses_an_incomplete_set_of_chunks(tmp_path: Path, corpus: Path) -> None:
    paths = split_jsonl(corpus, tmp_path / "chunks", 3)
    manifest = tmp_path / "chunks" / "manifest.json"
    prefixes = [tmp_path / "pre" / p.stem for p in paths]
    for path, prefix in zip(paths[:2], prefixes[:2], strict=True):
        preprocess(path, prefix, "patok")
    done = _merge_cli(*map(str, prefixes[:2]), "-o", str(tmp_path / "m"), "--chunks-manifest", str(manifest))
    assert done.returncode != 0 and "chunk_0003.jsonl" in done.stderr and "missing" in done.stderr
    assert not (tmp_path / "m.idx").exists()

    preprocess(paths[2], prefixes[2], "patok")
    Path(f"{prefixes[2]}.stats.json").unlink()  # .bin/.idx without their commit marker: not a finished dataset
    done = _merge_cli(*map(str, prefixes), "-o", str(tmp_path / "m"), "--chunks-manifest", str(manifest))
    assert done.returncode != 0 and "uncommitted" in done.stderr and "chunk_0003" in done.stderr

    preprocess(paths[2], prefixes[2], "patok", force=True)
    done = _merge_cli(*map(str, prefixes), "-o", str(tmp_path / "m"), "--chunks-manifest", str(manifest))
    assert done.returncode == 0, done.stderr
    whole = preprocess(corpus, tmp_path / "whole", "patok")
    assert (tmp_path / "m.bin").read_bytes() == (tmp_path / "whole.bin").read_bytes()
    merged = json.loads((tmp_path / "m.stats.json").read_text())
    assert merged["documents"] == whole["documents"] and merged["chunk_manifest"]["num_chunks"] == 3


def test_merge_refuses_chunks_of_another_split_or_arm(tmp_path: Path, corpus: Path) -> None:
    paths = split_jsonl(corpus, tmp_path / "chunks", 2)
    other = split_jsonl(corpus, tmp_path / "other", 4)
    manifest = tmp_path / "chunks" / "manifest.json"
    preprocess(paths[0], tmp_path / "a1", "patok")
    preprocess(paths[1], tmp_path / "a2", "baseline")
    preprocess(other[1], tmp_path / "o2", "patok")
    done = _merge_cli(str(tmp_path / "a1"), str(tmp_path / "o2"), "-o", str(tmp_path / "m"))
    assert done.returncode != 0 and "another split" in done.stderr, done.stderr[-2000:]
    done = _merge_cli(str(tmp_path / "a1"), str(tmp_path / "a2"), "-o", str(tmp_path / "m"))
    assert done.returncode != 0 and "different settings" in done.stderr, done.stderr[-2000:]
    from morphtok.data.merge import merge_datasets

    with pytest.raises(DatasetError, match="another split"):
        merge_datasets([tmp_path / "a1", tmp_path / "o2"], tmp_path / "m", chunks_manifest=manifest)


def test_merge_reuses_its_output_and_refuses_a_corrupted_chunk(tmp_path: Path, corpus: Path) -> None:
    from morphtok.data.merge import merge_datasets

    paths = split_jsonl(corpus, tmp_path / "chunks", 2)
    prefixes = [tmp_path / p.stem for p in paths]
    for path, prefix in zip(paths, prefixes, strict=True):
        preprocess(path, prefix, "baseline")
    first = merge_datasets(prefixes, tmp_path / "m", chunks_manifest=tmp_path / "chunks" / "manifest.json")
    mtime = (tmp_path / "m.bin").stat().st_mtime_ns
    again = merge_datasets(prefixes, tmp_path / "m", chunks_manifest=tmp_path / "chunks" / "manifest.json")
    assert again["fingerprint"] == first["fingerprint"] and (tmp_path / "m.bin").stat().st_mtime_ns == mtime
    data = bytearray(Path(f"{prefixes[1]}.bin").read_bytes())
    data[8] ^= 1  # same size, other bytes: only the hash tells
    Path(f"{prefixes[1]}.bin").write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="another sha256"):
        merge_datasets(prefixes, tmp_path / "m2")
