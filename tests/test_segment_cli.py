from __future__ import annotations

import json
import subprocess
import sys

from morphtok.cli import main
from morphtok.segment.compare import compare_arms, placeholder_text


def _run(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "morphtok.cli", *args], input=stdin, capture_output=True, timeout=120
    )


def test_tokenize_json_shape(gemma_tokenizer, capsys):
    assert main(["tokenize", "--method", "baseline", "--json", "Hello, my dog is cute"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record == {
        "method": "baseline",
        "ids": [9259, 236764, 1041, 4799, 563, 12864],
        "tokens": ["Hello", ",", "▁my", "▁dog", "▁is", "▁cute"],
        "text_roundtrip_ok": True,
    }


def test_tokenize_stochastok_seeded(gemma_tokenizer, capsys):
    args = ["tokenize", "-m", "stochastok", "--expand-prop", "0.5", "--seed", "3", "--json", "Nagluluto si Ñoño 🍜"]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == first
    assert first["text_roundtrip_ok"] and first["method"] == "stochastok"


def test_tokenize_stdin_and_bad_utf8():
    ok = _run(["tokenize", "--json", "-"], stdin=b"Kumain kami\n")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["text_roundtrip_ok"] is True
    bad = _run(["tokenize", "-"], stdin=b"\xff\xfe abc")
    assert bad.returncode == 2
    assert b"not valid UTF-8" in bad.stderr and b"Traceback" not in bad.stderr


def test_bad_parameters_are_named(gemma_tokenizer, capsys):
    assert main(["tokenize", "-m", "stochastok", "--expand-prop", "1.5", "x"]) == 2
    assert "expand_prop must be in [0, 1]" in capsys.readouterr().err
    assert main(["tokenize", "-m", "bpe", "x"]) == 2
    assert "available: baseline" in capsys.readouterr().err


def test_compare_arms_rows(gemma_tokenizer):
    rows = compare_arms(placeholder_text(), gemma_tokenizer, seed=0)
    by_arm = {row["arm"]: row for row in rows}
    assert {"baseline", "stochastok"} <= set(by_arm)
    assert all(row["roundtrip_ok"] for row in rows)
    assert by_arm["baseline"]["expansion_vs_baseline"] == 0.0
    assert by_arm["stochastok"]["tokens"] > by_arm["baseline"]["tokens"]


def test_tokenize_patok_json(gemma_tokenizer, capsys):
    args = ["tokenize", "-m", "patok", "--seed", "2", "--affix-awareness", "1", "--expand-prop", "0", "--json",
            "Nagluluto si Ñoño ng adobo 🍜 habang kumakain"]
    assert main(args) == 0
    record = json.loads(capsys.readouterr().out)
    assert set(record) == {"method", "ids", "tokens", "text_roundtrip_ok", "morph_boundaries_kept"}
    assert record["method"] == "patok" and record["text_roundtrip_ok"] is True
    kept = record["morph_boundaries_kept"]
    assert kept["total"] >= 4 and kept["kept"] >= kept["total"] - 1  # affix_awareness 1: only unwindowed ones may miss
    assert record["tokens"][:2] == ["Nag", "lu"]
