"""Extension points (issue #18): a throwaway package extends morphtok through entry points only.

``tests/plugin_pkg/morphtok_toy`` is copied into a temp dir with a ``.dist-info`` holding its
``entry_points.txt``, as ``pip install`` would leave it; that dir goes on ``PYTHONPATH`` and
morphtok's own CLI, unedited, then runs with the plugin's 4th arm (``onesplit``), toy
Indonesian engine (``id``), one-subtask benchmark family (``toy_affix``), LSF scheduler
(``lsf``) and LR schedule (``constant``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from morphtok.lang.fil.corpus import sample_corpus_path

PLUGIN = Path(__file__).parent / "plugin_pkg" / "morphtok_toy"
ENTRY_POINTS = """\
[morphtok.arms]
onesplit = morphtok_toy.arm:OneSplitProcessor

[morphtok.languages]
id = morphtok_toy.indonesian:IndonesianEngine

[morphtok.benchmarks]
toy_affix = morphtok_toy.family:TOY_AFFIX

[morphtok.schedulers]
lsf = morphtok_toy.lsf:LSF

[morphtok.lr_schedules]
constant = morphtok_toy.schedule:Constant
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The plugin as installed: its package and its dist-info metadata in a site dir."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(PLUGIN, root / "morphtok_toy", ignore=shutil.ignore_patterns("__pycache__"))
    info = root / "morphtok_toy-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: morphtok-toy\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    return root


def morphtok(site: Path | None, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    """The real ``morphtok`` CLI in a fresh process with the plugin on its path (``site``; None: without
    it); ``ok``: it must succeed, else it must fail."""
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    result = subprocess.run([sys.executable, "-m", "morphtok.cli", *args], capture_output=True, text=True,
                            env=env, timeout=300)
    assert (result.returncode == 0) == ok, f"morphtok {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def test_without_the_plugin_its_names_are_unknown_and_listed():
    result = morphtok(None, "tokenize", "bahasa", "--method", "onesplit", ok=False)
    assert "unknown tokenization arm 'onesplit'" in result.stderr
    assert "available: baseline, patok, stochastok" in result.stderr


def test_a_fourth_arm_tokenizes_with_its_own_flag(site):
    plain = json.loads(morphtok(site, "tokenize", "Membacakan buku", "--json").stdout)
    split = json.loads(morphtok(site, "tokenize", "Membacakan buku", "--method", "onesplit", "--splits", "1",
                                "--json").stdout)
    assert split["method"] == "onesplit" and split["text_roundtrip_ok"]
    assert len(split["ids"]) == len(plain["ids"]) + 1  # identity plus one split
    none = json.loads(morphtok(site, "tokenize", "Membacakan buku", "--method", "onesplit", "--splits", "0",
                               "--json").stdout)
    assert none["ids"] == plain["ids"]


def test_patok_reads_morphology_from_the_plugin_language(site):
    record = json.loads(morphtok(site, "tokenize", "Mereka membacakan buku dan menulis surat", "--method",
                                 "patok", "--language", "id", "--json").stdout)
    # membacakan = mem|baca|kan, menulis = men|ulis (t dropped): 3 boundaries, every one kept
    assert record["morph_boundaries_kept"] == {"kept": 3, "total": 3}
    assert record["text_roundtrip_ok"]


def test_the_fourth_arm_preprocesses_a_dataset(site, tmp_path):
    lines = sample_corpus_path().read_text(encoding="utf-8").splitlines()[:8]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    morphtok(site, "preprocess", "--method", "onesplit", "--splits", "2", "--input", str(corpus),
             "--output-prefix", str(tmp_path / "onesplit" / "chunk_0001"))
    stats = json.loads((tmp_path / "onesplit" / "chunk_0001.stats.json").read_text(encoding="utf-8"))
    assert stats["method"] == "onesplit" and stats["params"] == {"splits": 2}
    assert stats["documents"] == 8 and stats["tokens"] == stats["canonical_tokens"] + 2 * 8


def test_jobs_render_for_the_plugin_scheduler(site, tmp_path):
    morphtok(site, "jobs", "render", "--scheduler", "lsf", "--out", str(tmp_path / "jobs"),
             "--study-dir", str(tmp_path / "study"), "--set", "arms.names=[baseline, onesplit]")
    rendered = sorted(p.name for p in (tmp_path / "jobs").iterdir())
    assert "preprocess_data_onesplit.lsf" in rendered and "run_cpt_onesplit.lsf" in rendered
    assert '#BSUB -J "preprocess_onesplit[1-20]"' in (tmp_path / "jobs" / "preprocess_data_onesplit.lsf").read_text()
    assert not any(name.endswith((".pbs", ".slurm")) for name in rendered)
    refused = morphtok(site, "jobs", "render", "--out", str(tmp_path / "x"), "--set", "train.lr_schedule=constant",
                       ok=False)
    assert "no Megatron-Bridge mapping" in refused.stderr  # the local trainer's only


def test_the_plugin_family_is_generated_and_validated(site, tmp_path):
    morphtok(site, "bench", "generate", "--families", "toy_affix", "--out", str(tmp_path / "bench"))
    items = [json.loads(line) for line in (tmp_path / "bench" / "toy_affix_mcq.jsonl").read_text().splitlines()]
    assert len(items) == 20 and all(item["answer"] == f"{item['metadata']['word']}-{item['metadata']['word']}"
                                    for item in items)
    assert items[0]["prompt"]["id"].startswith("Tulis bentuk ulang penuh")
    listed = morphtok(site, "bench", "families").stdout
    assert "toy_affix" in listed and "morphtok_toy.family:TOY_AFFIX" in listed


def test_study_plan_with_every_plugin_name(site, tmp_path):
    config = tmp_path / "study.yaml"
    config.write_text(
        "name: toy-study\ncorpus: {language: id}\narms: {names: [baseline, onesplit, patok], onesplit: {splits: 3}}\n"
        "train: {lr_schedule: constant}\nbench: {families: [toy_affix]}\n", encoding="utf-8")
    out = morphtok(site, "study", "plan", "--config", str(config)).stdout
    assert "3 arms" in out and "total" in out
    wrong = morphtok(site, "study", "plan", "--config", str(config), "--set", "arms.names=[baseline, twosplit]",
                     ok=False)
    assert "twosplit" in wrong.stderr and "onesplit" in wrong.stderr
