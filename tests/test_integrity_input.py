"""Input accounting (issue #17, items 11-14): every input record is used or skipped with file:line.

Bad input never crashes a run and never vanishes: a lone surrogate, a BOM, CRLF line ends,
blank lines, compressed or upper-case file names, unknown files in a directory and records
dropped by ``corpus fetch`` all end up counted, and the counts reach ``stats.json``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from morphtok.data.corpus import fetch
from morphtok.data.documents import SkipLog, iter_documents
from morphtok.data.indexed import IndexedReader
from morphtok.data.preprocess import preprocess

GOOD = ["Kumain kami ng masarap na pagkain.", "Umuwi sila kahapon.", "Nagluluto si Maria ng adobo."]


def _jsonl(texts: list[str]) -> bytes:
    return "".join(json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)).encode()


def _examples(stats: dict) -> list[str]:
    return [where for shown in stats["skipped"]["examples"].values() for where in shown]


def test_lone_surrogate_is_a_counted_skip_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    # json.dumps escapes the lone surrogate as \ud800: valid JSON, but no UTF-8 encoding exists.
    path.write_bytes(_jsonl(GOOD[:1]) + b'{"id": "x", "text": "sira \\ud800 ito"}\n' + _jsonl(GOOD[1:2]))
    stats = preprocess(path, tmp_path / "p", "baseline")
    assert stats["documents"] == 2 and stats["skipped"]["total"] == 1
    assert f"{path}:2" in _examples(stats)
    assert any("surrogate" in reason for reason in stats["skipped"]["by_reason"])
    # A valid surrogate pair (an escaped emoji) is a normal character, not a skip.
    pair = tmp_path / "pair.jsonl"
    pair.write_bytes(b'{"text": "kape \\ud83c\\udf5c"}\n')
    assert preprocess(pair, tmp_path / "q", "baseline")["documents"] == 1
    out = fetch(str(path), tmp_path / "f.jsonl")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_bom_and_crlf_in_jsonl_keep_every_record(tmp_path: Path) -> None:
    clean = tmp_path / "clean.jsonl"
    clean.write_bytes(_jsonl(GOOD))
    messy = tmp_path / "messy.jsonl"
    messy.write_bytes(b"\xef\xbb\xbf" + _jsonl(GOOD).replace(b"\n", b"\r\n"))
    a, b = preprocess(clean, tmp_path / "a", "baseline"), preprocess(messy, tmp_path / "b", "baseline")
    assert a["documents"] == b["documents"] == 3 and b["skipped"]["total"] == 0
    assert (tmp_path / "a.bin").read_bytes() == (tmp_path / "b.bin").read_bytes()


def test_bom_crlf_and_blank_lines_in_txt(tmp_path: Path, gemma_tokenizer) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([GOOD[0], "", GOOD[1], "   ", GOOD[2]]).encode() + b"\r\n")
    stats = preprocess(path, tmp_path / "t", "baseline")
    assert stats["documents"] == 3
    assert stats["skipped"]["total"] == 2 and f"{path}:2" in _examples(stats)
    reader = IndexedReader(tmp_path / "t")
    assert [gemma_tokenizer.decode(reader[i][1:-1]) for i in range(3)] == GOOD  # no BOM, no \r tokens


def _mixed_directory(root: Path) -> Path:
    root.mkdir()
    (root / "a.JSONL").write_bytes(_jsonl(GOOD[:1]))
    (root / "b.ndjson").write_bytes(_jsonl(GOOD[1:2]))
    with gzip.open(root / "c.jsonl.gz", "wb") as handle:
        handle.write(_jsonl(GOOD))
    (root / "d.TXT").write_text(GOOD[2] + "\n", encoding="utf-8")
    (root / "notes.md").write_text("not a corpus\n", encoding="utf-8")
    return root


def test_directory_reads_upper_case_ndjson_and_gz_and_lists_unknown_files(tmp_path: Path) -> None:
    root = _mixed_directory(tmp_path / "in")
    stats = preprocess(root, tmp_path / "p", "baseline")
    assert stats["documents"] == 6
    assert stats["skipped"]["files"] == [{"file": str(root / "notes.md"), "reason": "unknown file type"}]


def test_gz_file_given_directly_is_decompressed(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(_jsonl(GOOD + GOOD[:2]))
    stats = preprocess(path, tmp_path / "p", "baseline")
    assert stats["documents"] == 5 and stats["skipped"]["total"] == 0


def test_fetch_skip_counts_reach_the_meta_and_stats(tmp_path: Path) -> None:
    source = tmp_path / "src.jsonl"
    source.write_bytes(_jsonl(GOOD) + b"{broken\n" + b'{"id": 9}\n' + b"\n")
    out = fetch(str(source), tmp_path / "corpus.jsonl")
    meta = json.loads((tmp_path / "corpus.jsonl.meta.json").read_text())
    assert meta["documents"] == 3 and meta["skipped"]["total"] == 3 and meta["records_read"] == 6
    stats = preprocess(out, tmp_path / "p", "baseline")
    assert stats["skipped"]["total"] == 0  # this run's own skips
    assert stats["upstream_skipped"]["total"] == 3  # the fetch's, carried along
    assert stats["upstream_skipped"]["by_reason"] == meta["skipped"]["by_reason"]


# ---------------------------------------------------------------- the whole accounting at once

EVERY_CASE = (
    b"\xef\xbb\xbf" + json.dumps({"id": "bom", "text": GOOD[0]}).encode() + b"\r\n"  # BOM + CRLF: used
    + b"\r\n"  # blank (CRLF): skipped
    + b"\n"  # blank: skipped
    + b'{"text": "sira \\ud800"}\n'  # lone surrogate: skipped
    + b"{not json\n"  # malformed JSON: skipped
    + b'{"id": "no-text"}\n'  # missing text: skipped
    + b'{"text": 42}\n'  # non-string text: skipped
    + b"\xff\xfe\n"  # invalid UTF-8: skipped
    + json.dumps({"id": "ok", "text": GOOD[1]}).encode() + b"\n"  # used
)


def _records_in(path: Path) -> int:
    """Input records counted independently of the reader: one per line of each corpus file."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        return sum(1 for _ in handle)


def test_one_file_with_every_case_adds_up(tmp_path: Path) -> None:
    path = tmp_path / "every.jsonl"
    path.write_bytes(EVERY_CASE)
    skips = SkipLog()
    used = list(iter_documents(path, skips))
    assert [d.key for d in used] == ["bom", "ok"]
    assert len(used) + skips.to_dict()["total"] == _records_in(path) == 9
    stats = preprocess(path, tmp_path / "p", "baseline", val_fraction=0.0)
    assert stats["documents"] + stats["skipped"]["total"] == 9
    assert stats["input_records"] == 9


def test_one_directory_with_every_case_adds_up(tmp_path: Path) -> None:
    root = _mixed_directory(tmp_path / "in")
    (root / "every.ndjson").write_bytes(EVERY_CASE)
    with gzip.open(root / "every.jsonl.gz", "wb") as handle:
        handle.write(EVERY_CASE)
    (root / "every.txt").write_bytes(b"\xef\xbb\xbf" + GOOD[0].encode() + b"\r\n\r\n\xff\n" + GOOD[1].encode())
    corpus_files = [p for p in root.iterdir() if p.name != "notes.md"]
    expected = sum(_records_in(p) for p in corpus_files)
    stats = preprocess(root, tmp_path / "p", "baseline", val_fraction=0.3)
    used = stats["documents"] + stats["held_out"]["documents"]
    assert used + stats["skipped"]["total"] == stats["input_records"] == expected
    assert [f["file"] for f in stats["skipped"]["files"]] == [str(root / "notes.md")]


@pytest.mark.parametrize("name", ["x.csv", "x.jsonl.bz2"])
def test_unknown_file_given_directly_is_an_error(tmp_path: Path, name: str) -> None:
    from morphtok.errors import CorpusError

    path = tmp_path / name
    path.write_bytes(_jsonl(GOOD))
    with pytest.raises(CorpusError, match="unknown corpus file type"):
        list(iter_documents(path, SkipLog()))
