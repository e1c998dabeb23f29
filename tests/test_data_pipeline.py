from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from process_kill import kill_when

from morphtok.data.chunks import split_jsonl
from morphtok.data.corpus import fetch
from morphtok.data.indexed import IndexedReader, IndexedWriter
from morphtok.data.merge import merge_datasets
from morphtok.data.preprocess import preprocess, write_validation
from morphtok.errors import CorpusError, DatasetError
from morphtok.segment.compare import placeholder_text
from morphtok.segment.processor import build_processor, document_rng

PARAGRAPHS = [p for p in placeholder_text().split("\n") if p.strip()]


@pytest.fixture()
def corpus(tmp_path) -> Path:
    path = tmp_path / "corpus.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(60):
            handle.write(json.dumps({"id": f"doc-{i}", "text": f"{PARAGRAPHS[i % 3]} ({i})"}, ensure_ascii=False) + "\n")
    return path


def test_indexed_roundtrip_and_megatron_reads_it(tmp_path):
    from megatron.core.datasets.indexed_dataset import IndexedDataset

    docs = [[2, 5, 6, 1], [2, 1], [2, 262_143, 7, 1], list(range(2, 300))]
    with IndexedWriter(tmp_path / "x", np.int32) as writer:
        for doc in docs:
            writer.add_document(doc)
    ours, theirs = IndexedReader(tmp_path / "x"), IndexedDataset(str(tmp_path / "x"))
    assert len(ours) == len(theirs) == 4
    for i, doc in enumerate(docs):
        assert ours[i].tolist() == theirs[i].tolist() == doc
    assert theirs.document_indices.tolist() == [0, 1, 2, 3, 4]


def test_megatron_gpt_dataset_builds_on_our_output(tmp_path, corpus):
    from megatron.core.datasets.gpt_dataset import GPTDataset, GPTDatasetConfig
    from megatron.core.datasets.indexed_dataset import IndexedDataset
    from megatron.core.datasets.utils import Split

    preprocess(corpus, tmp_path / "base", "baseline")
    indexed = IndexedDataset(str(tmp_path / "base"))
    config = GPTDatasetConfig(
        random_seed=1, sequence_length=32, blend=None, split="1,0,0", tokenizer=_MegatronTokenizerStub(),
        reset_position_ids=False, reset_attention_mask=False, eod_mask_loss=False, mid_level_dataset_surplus=0.005,
        path_to_cache=str(tmp_path / "cache"),
    )
    dataset = GPTDataset(indexed, str(tmp_path / "base"), np.arange(len(indexed)), 8, Split.train, config)
    sample = dataset[0]
    assert sample["tokens"].shape[0] == 32 and int(sample["tokens"].max()) < 262_144


class _MegatronTokenizerStub:
    # GPTDatasetConfig needs eod/pad ids from a tokenizer object; Gemma's EOS=1, PAD=0.
    eod = 1
    pad = 0
    vocab_size = 262_144
    unique_identifiers = {"class": "gemma3"}


def test_arm_ids_are_written_directly(tmp_path, corpus, gemma_tokenizer):
    for method in ("baseline", "stochastok", "patok"):
        stats = preprocess(corpus, tmp_path / method, method, seed=7)
        assert stats["tokenizer_hash"] == gemma_tokenizer.content_hash
    readers = {m: IndexedReader(tmp_path / m) for m in ("baseline", "stochastok", "patok")}
    processor = build_processor("stochastok", gemma_tokenizer)
    first = json.loads(corpus.read_text(encoding="utf-8").splitlines()[0])
    expected = processor.process(first["text"], document_rng(7, "stochastok", first["id"]))
    assert readers["stochastok"][0].tolist() == [2, *expected, 1]
    assert readers["baseline"][0].tolist() == [2, *gemma_tokenizer.encode(first["text"]), 1]
    assert readers["stochastok"][0].tolist() != readers["baseline"][0].tolist()
    for reader in readers.values():
        for i in range(len(reader)):
            assert gemma_tokenizer.decode(reader[i][1:-1]) in {f"{p} ({j})" for j in range(60) for p in PARAGRAPHS}


def test_workers_and_chunking_give_identical_bytes(tmp_path, corpus):
    preprocess(corpus, tmp_path / "one", "patok", workers=1, val_fraction=0.1)
    preprocess(corpus, tmp_path / "two", "patok", workers=2, val_fraction=0.1)
    assert (tmp_path / "one.bin").read_bytes() == (tmp_path / "two.bin").read_bytes()
    assert (tmp_path / "one.idx").read_bytes() == (tmp_path / "two.idx").read_bytes()
    chunks = split_jsonl(corpus, tmp_path / "chunks", 3)
    for k, chunk in enumerate(chunks):
        preprocess(chunk, tmp_path / f"c{k}", "patok", val_fraction=0.1)
    merge_datasets([tmp_path / f"c{k}" for k in range(3)], tmp_path / "merged")
    assert (tmp_path / "merged.bin").read_bytes() == (tmp_path / "one.bin").read_bytes()


def test_split_is_balanced_and_lossless(tmp_path, corpus):
    chunks = split_jsonl(corpus, tmp_path / "chunks", 4)
    assert b"".join(p.read_bytes() for p in chunks) == corpus.read_bytes()
    sizes = [p.stat().st_size for p in chunks]
    assert max(sizes) - min(sizes) < 2 * max(len(line) for line in corpus.read_bytes().splitlines())


def test_validation_split_is_shared_and_excluded(tmp_path, corpus):
    stats = preprocess(corpus, tmp_path / "b", "baseline", val_fraction=0.2)
    count = write_validation(corpus, tmp_path / "val.jsonl", 0.2)
    assert count == stats["held_out"]["documents"] > 0
    assert stats["documents"] + count == 60
    held = {json.loads(line)["id"] for line in (tmp_path / "val.jsonl").read_text().splitlines()}
    assert len(held) == count


def test_bad_records_are_counted_with_location(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "Kumain kami."}\n{oops\n{"id": 3}\n\xff\xfe\n{"text": "   "}\n{"text": "Umuwi sila."}\n')
    stats = preprocess(path, tmp_path / "b", "baseline")
    assert stats["documents"] == 2
    assert stats["skipped"]["total"] == 4
    assert any(f"{path}:2" in w for ws in stats["skipped"]["examples"].values() for w in ws)
    with pytest.raises(CorpusError, match=rf"{path.name}:2"):
        preprocess(path, tmp_path / "s", "baseline", strict=True)


def test_large_single_document(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"text": (PARAGRAPHS[0] + " ") * 50_000}) + "\n", encoding="utf-8")
    assert path.stat().st_size > 10_000_000
    stats = preprocess(path, tmp_path / "big", "stochastok")
    assert stats["documents"] == 1 and stats["tokens"] > 2_000_000


def test_killed_run_leaves_no_valid_output_and_rerun_finishes(tmp_path):
    path = tmp_path / "many.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(20000):
            handle.write(json.dumps({"id": str(i), "text": PARAGRAPHS[i % 3]}) + "\n")
    args = [sys.executable, "-m", "morphtok.cli", "preprocess", "-m", "patok", "-i", str(path), "-o", str(tmp_path / "p"), "-w", "2"]
    # Killed once output is being written, not at a guessed time.
    kill_when(args, lambda: any(p.stat().st_size > 0 for p in tmp_path.glob("p.bin.tmp*")))
    assert not (tmp_path / "p.idx").exists()
    with pytest.raises(DatasetError):
        IndexedReader(tmp_path / "p")
    subprocess.run(args, check=True, capture_output=True, timeout=300)
    assert len(IndexedReader(tmp_path / "p")) == 20000


def test_fetch_local_sources_and_resume(tmp_path, corpus):
    out = fetch(str(corpus), tmp_path / "out.jsonl", limit=10)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 10 and json.loads(lines[0])["id"] == "doc-0"
    partial = tmp_path / "again.jsonl.partial"
    partial.write_text("\n".join(lines[:4]) + "\n" + lines[4][:7], encoding="utf-8")  # torn last line
    # What a killed fetch of this source leaves beside its partial: the source's identity.
    identity = json.loads((tmp_path / "out.jsonl.meta.json").read_text(encoding="utf-8"))["source_identity"]
    Path(f"{partial}.meta.json").write_text(json.dumps(identity), encoding="utf-8")
    again = fetch(str(corpus), tmp_path / "again.jsonl", limit=10)
    assert again.read_text(encoding="utf-8").splitlines() == lines
    assert not partial.exists()


def test_hub_loader_on_local_dataset_dir(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "SEA-PILE-v2" / "tl"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"text": PARAGRAPHS, "id": ["a", "b", "c"]}), folder / "train-00000.parquet")
    out = fetch("seapile", tmp_path / "s.jsonl", dataset=str(tmp_path / "SEA-PILE-v2"), data_dir="tl")
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in records] == PARAGRAPHS and records[0]["id"] == "a"
