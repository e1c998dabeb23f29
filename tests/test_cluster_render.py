"""One config, shipped and quoted: changed values arrive through config.yaml, hostile values never
execute, bad names and impossible settings are refused at render time."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cluster_stubs import calls, make_stubs, run_job, stub_env

from morphtok.cluster import render_jobs, run_name
from morphtok.config import load_config
from morphtok.data.chunks import split_jsonl
from morphtok.errors import ConfigError
from morphtok.lang.fil.corpus import sample_corpus_path


def test_hostile_config_name_and_paths_are_data_not_code(tmp_path):
    pwned = tmp_path / "pwned"
    hostile = f"x; touch {pwned} #"
    cfg = load_config("gemma3-1b-seapile", [f"name='{hostile}'", f"train.checkpoint_root={tmp_path}/ck $(touch {pwned})"])
    assert cfg.name == hostile
    root = tmp_path / f"st udy; touch {pwned}; '$(touch {pwned})'"
    jobs = root / "jobs"
    render_jobs(cfg, jobs, run_dir=root)
    assert load_config(jobs / "config.yaml").name == hostile  # the name travels in the config, as data
    stubs, log = make_stubs(tmp_path / "stubs"), tmp_path / "calls.jsonl"
    env = stub_env(stubs, log, HOME=str(tmp_path), PBS_ARRAY_INDEX="3", SLURM_ARRAY_TASK_ID="3", SLURM_JOB_ID="9")
    for job in sorted(jobs.glob("*.pbs")) + sorted(jobs.glob("*.slurm")):
        assert run_job(job, env).returncode == 0, job.name
    assert not pwned.exists()
    preprocess = [c["argv"] for c in calls(log, "python") if "preprocess" in c["argv"] and "step" in c["argv"]]
    assert preprocess and all(a[a.index("--chunks-dir") + 1] == str(root / "data/chunks") for a in preprocess)
    (enroot, *_) = calls(log, "enroot")
    assert f"{tmp_path}/ck $(touch {pwned}):/logs/checkpoints" in enroot["argv"]


@pytest.mark.parametrize(("template", "message"), [
    ("{0}", "not a valid template"), ("gemma3-{arm", "not a valid template"), ("{model}-{arm}", "not a valid template"),
    ("../../x/{arm}", "not a plain name"), ("runs/{arm}", "not a plain name"), ("a b {arm}", "not a plain name"),
])
def test_wandb_name_templates_that_are_not_one_plain_name_are_refused(tmp_path, template, message):
    cfg = load_config("gemma3-1b-seapile", [f"train.wandb_name='{template}'"])
    with pytest.raises(ConfigError, match=message):
        render_jobs(cfg, tmp_path / "jobs", run_dir=tmp_path)
    assert not (tmp_path / "jobs" / "run_cpt_patok.pbs").exists()


def test_run_names_follow_the_template():
    assert run_name(load_config("gemma3-1b-seapile"), "patok") == "gemma3-1b-patok"


@pytest.mark.parametrize(("override", "message"), [
    ("arms.names=[baseline, 'pa/tok']", "'pa/tok'"),  # refused by the config's arm check first
    ("train.num_nodes=2", "one node"),
    ("train.keep_last=11", "disk_budget_gb"),
    ("train.model=meta-llama/Llama-3.2-1B", "no Megatron-Bridge recipe"),
    ("train.global_batch_size=100", "not a multiple"),
    ("train.precision=fp8", "precision"),
])
def test_render_refuses_what_the_job_would_trip_over(tmp_path, override, message):
    with pytest.raises(ConfigError, match=message):
        render_jobs(load_config("gemma3-1b-seapile", [override]), tmp_path / "jobs", run_dir=tmp_path)


def test_changed_values_arrive_through_the_shipped_config(tmp_path):
    overrides = ["train.lr=3.0e-4", "train.seq_length=4096", "train.model=google/gemma-3-1b-it",
                 "arms.patok.num_toks_to_cont=[2, 3]", "arms.patok.contract_prob=[0.5, 0.5]"]
    cfg = load_config("gemma3-1b-seapile", overrides)
    written = render_jobs(cfg, tmp_path / "jobs", run_dir=tmp_path)
    shipped = load_config(written["config.yaml"])
    assert (shipped.train.lr, shipped.train.seq_length, shipped.train.model) == (3e-4, 4096, "google/gemma-3-1b-it")
    assert (shipped.arms.patok.num_toks_to_cont, shipped.arms.patok.contract_prob) == ([2, 3], [0.5, 0.5])
    for name, path in written.items():
        if name.endswith((".pbs", ".slurm")):
            text = path.read_text()
            assert str(written["config.yaml"]) in text or "/jobs/config.yaml" in text, name
            assert "0.0003" not in text and "4096" not in text and "0.5" not in text, name


def test_a_preprocessing_array_task_tokenizes_its_own_chunk_with_the_config(tmp_path):
    """The rendered PBS job for real (no stand-in): task 2 reads chunk 2 and applies the config's
    Patok parameters, changed from the seed's."""
    cfg = load_config("gemma3-1b-seapile", ["corpus.num_chunks=2", "tokenizer.name=gemma3", "preprocess.workers=1",
                                            "arms.patok.num_toks_to_cont=[2, 3]",
                                            "arms.patok.contract_prob=[0.6, 0.4]", "seed=99"])
    chunks = split_jsonl(sample_corpus_path(), tmp_path / "data" / "chunks", 2)
    written = render_jobs(cfg, tmp_path / "jobs", run_dir=tmp_path)
    env = stub_env(make_stubs(tmp_path / "stubs", names=("qsub",)), tmp_path / "calls.jsonl",
                   PBS_ARRAY_INDEX="2", MORPHTOK_PYTHON=sys.executable)
    result = run_job(written["preprocess_data_patok.pbs"], env)
    assert result.returncode == 0, result.stderr
    stats = json.loads((tmp_path / "data/processed/patok/chunk_0002.stats.json").read_text())
    documents = sum(1 for line in chunks[1].read_text(encoding="utf-8").splitlines() if line.strip())
    assert stats["documents"] + stats["skipped"]["total"] == documents
    text = json.dumps(stats)
    assert '"num_toks_to_cont": [2, 3]' in text and '"contract_prob": [0.6, 0.4]' in text
    assert not (tmp_path / "data/processed/patok/chunk_0001.bin").exists()


def test_jobs_render_cli_accepts_overrides(tmp_path):
    result = subprocess.run([sys.executable, "-m", "morphtok.cli", "jobs", "render", "--scheduler", "slurm",
                             "--out", str(tmp_path / "jobs"), "--study-dir", str(tmp_path), "--set", "train.lr=2.0e-4"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert load_config(tmp_path / "jobs" / "config.yaml").train.lr == 2e-4


def test_study_plan_states_the_checkpoint_disk_against_the_budget():
    from morphtok.cluster.disk import checkpoint_disk
    from morphtok.study.plan import build_plan

    cfg = load_config("gemma3-1b-seapile")
    (train,) = [row for row in build_plan(cfg, out="runs/x") if row.phase == "train"]
    assert "keep_last 2 per arm, 106 GB of the 150 GB disk budget" in train.note
    assert checkpoint_disk(cfg) == train.disk_bytes <= cfg.train.disk_budget_gb * 1e9
    over = load_config("gemma3-1b-seapile", ["train.keep_last=3"])  # 3 x (3 x 16 + 2) + 4 = 154 GB
    assert [row for row in build_plan(over, out="runs/x") if row.phase == "train"][0].note.endswith("(OVER BUDGET)")


def test_array_index_n_reads_the_nth_chunk_of_the_manifest(tmp_path):
    from morphtok.cluster.steps import chunk_input
    from morphtok.errors import CorpusError

    cfg = load_config("gemma3-1b-seapile", ["corpus.num_chunks=3"])
    names = ["chunk_0001.jsonl", "chunk_0002.jsonl", "chunk_0003.jsonl"]
    for name in names:
        (tmp_path / name).write_text('{"id": "1", "text": "x"}\n')
    assert chunk_input(cfg, tmp_path, 2) == tmp_path / "chunk_0002.jsonl"  # no manifest: the split's names
    (tmp_path / "other.jsonl").write_text('{"id": "1", "text": "x"}\n')
    manifest = {"num_chunks": 3, "chunks": ["chunk_0001.jsonl", "other.jsonl", "chunk_0003.jsonl"], "complete": True}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert chunk_input(cfg, tmp_path, 2) == tmp_path / "other.jsonl"  # the manifest decides
    for index in (0, 4):
        with pytest.raises(CorpusError, match="outside 1..3"):
            chunk_input(cfg, tmp_path, index)
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "complete": False}))
    with pytest.raises(CorpusError, match="did not finish"):
        chunk_input(cfg, tmp_path, 1)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CorpusError, match="the split has 3 chunks, the config says corpus.num_chunks=20"):
        chunk_input(load_config("gemma3-1b-seapile"), tmp_path, 1)
    with pytest.raises(CorpusError, match="20 of 20 chunk file"):
        chunk_input(load_config("gemma3-1b-seapile"), tmp_path / "nowhere", 1)
