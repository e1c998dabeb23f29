"""An arm declares its parameters once (``Params``); config, CLI flags and jobs derive from it.

A 4th arm is registered in-process here, without editing morphtok: it gets an ``arms.toy``
config section, ``--toy-rate``/``--toy-sizes`` flags on ``tokenize`` and ``preprocess``, its
own job names, and its values reach the jobs' shipped config. Unknown names are refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pytest
from typer.testing import CliRunner

from morphtok.cli import app
from morphtok.cluster import JOB_ARM, render_jobs
from morphtok.config import dump_config, load_config
from morphtok.config_checks import at_least, each, fraction
from morphtok.errors import ConfigError, ParameterError
from morphtok.lang.fil.corpus import sample_corpus_path
from morphtok.segment.processor import PROCESSORS, ArmThroughput, Processor, build_processor


class ToyProcessor(Processor):
    """Canonical ids, each one repeated with probability ``toy_rate`` (enough to see the parameter act)."""

    name = "toy"
    label = "Toy"
    job_name = "toyjob"
    throughput = ArmThroughput(1_000_000, 0.0, "assumed: a test arm")

    @dataclass(frozen=True)
    class Params:
        toy_rate: float = field(default=0.25, metadata={"help": "Toy: share of ids repeated.", **fraction()})
        toy_sizes: list[int] = field(default_factory=lambda: [1, 2], metadata={"help": "Toy: sizes.",
                                                                                 **each(at_least(1))})

        def constraints(self) -> Iterator[tuple[str, str]]:
            if len(self.toy_sizes) > 3:
                yield "toy_sizes", f"must have at most 3 entries, got {len(self.toy_sizes)}"

    def process(self, text_or_ids: str | Sequence[int] | np.ndarray, rng: np.random.Generator) -> list[int]:
        ids = self.canonical_ids(text_or_ids).tolist()
        repeat = rng.random(len(ids)) < self.settings.toy_rate
        return [i for i, twice in zip(ids, repeat, strict=True) for _ in range(2 if twice else 1)]


@pytest.fixture
def toy_arm():
    PROCESSORS.register("toy")(ToyProcessor)
    try:
        yield ToyProcessor
    finally:
        PROCESSORS.unregister("toy")


def test_the_arms_own_params_are_checked_and_recorded(toy_arm, any_tokenizer):
    assert build_processor("toy", any_tokenizer).params() == {"toy_rate": 0.25, "toy_sizes": [1, 2]}
    assert build_processor("toy", any_tokenizer, toy_rate=1, toy_sizes=(3,)).params() == {"toy_rate": 1.0,
                                                                                         "toy_sizes": [3]}
    with pytest.raises(ParameterError, match=r"takes no parameter\(s\) rate") as err:
        build_processor("toy", any_tokenizer, rate=0.5)
    assert "toy_rate, toy_sizes" in str(err.value)  # the valid names are listed
    with pytest.raises(ParameterError, match=r"toy_rate must be in \[0, 1\], got 1.5"):
        build_processor("toy", any_tokenizer, toy_rate=1.5)
    with pytest.raises(ParameterError, match="toy_sizes must have at most 3 entries"):
        build_processor("toy", any_tokenizer, toy_sizes=[1, 1, 1, 1])
    with pytest.raises(ParameterError, match="'toy_rate' must be a number"):
        build_processor("toy", any_tokenizer, toy_rate="lots")


def test_the_builtin_arms_record_the_same_params_as_before(any_tokenizer):
    """Dataset fingerprints hash these dicts: their keys, order and values must not change."""
    assert build_processor("baseline", any_tokenizer).params() == {}
    assert build_processor("stochastok", any_tokenizer).params() == {"expand_prop": 0.1}
    patok = build_processor("patok", any_tokenizer).params()
    assert list(patok.items()) == [("contract_prop", 0.9), ("expand_prop", 0.1), ("affix_awareness", 0.95),
                                   ("num_toks_to_cont", [2, 3, 4]), ("contract_prob", [0.35, 0.35, 0.3]),
                                   ("language", "fil")]


def test_a_registered_arm_gets_a_config_section(toy_arm):
    cfg = load_config("demo", ["arms.names=[baseline, toy]", "arms.toy.toy_rate=0.5"])
    assert cfg.arms.params("toy") == {"toy_rate": 0.5, "toy_sizes": [1, 2]}
    assert cfg.arms.toy.toy_rate == 0.5 and cfg.arms.params("baseline") == {}
    assert "toy:\n    toy_rate: 0.5" in dump_config(cfg)
    with pytest.raises(ConfigError, match=r"arms.toy.toy_rate: must be in \[0, 1\], got 2"):
        load_config("demo", ["arms.toy.toy_rate=2"])
    with pytest.raises(ConfigError, match="unknown key.*arms.toy.rate") as err:
        load_config("demo", ["arms.toy.rate=0.5"])
    assert "toy_rate, toy_sizes" in str(err.value)


def test_an_installed_arm_does_not_change_the_config_of_a_study_without_it():
    before = load_config("demo").to_dict()
    PROCESSORS.register("toy")(ToyProcessor)
    try:
        assert load_config("demo").to_dict() == before  # no study fingerprint moves
        assert "toy" in load_config("demo", ["arms.names=[baseline, toy]"]).to_dict()["arms"]
    finally:
        PROCESSORS.unregister("toy")


def test_an_unregistered_arm_has_no_section():
    with pytest.raises(ConfigError, match="unknown key.*arms.toy"):
        load_config("demo", ["arms.toy.toy_rate=0.5"])
    with pytest.raises(ConfigError, match="unknown tokenization arm 'toy'"):
        load_config("demo").arms.params("toy")


def test_a_registered_arm_gets_tokenize_flags(toy_arm, gemma_tokenizer):
    runner = CliRunner()
    shown = runner.invoke(app, ["tokenize", "--help"], env={"COLUMNS": "200"})
    assert "--toy-rate" in shown.output and "Toy: share of ids repeated." in shown.output
    args = ["tokenize", "-m", "toy", "--toy-rate", "1", "--toy-sizes", "2", "--json", "Kumain kami"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    record = json.loads(done.output)
    plain = json.loads(runner.invoke(app, ["tokenize", "--json", "Kumain kami"]).output)
    assert record["method"] == "toy" and len(record["ids"]) == 2 * len(plain["ids"])  # toy_rate 1: every id twice


def test_flags_of_another_arm_are_refused_naming_the_arm(toy_arm, gemma_tokenizer):
    runner = CliRunner()
    done = runner.invoke(app, ["tokenize", "-m", "stochastok", "--toy-rate", "0.5", "x"])
    assert done.exit_code != 0 and isinstance(done.exception, ParameterError)
    assert "--toy-rate: not a parameter of arm 'stochastok'" in str(done.exception)
    assert "--expand-prop" in str(done.exception)  # what stochastok does take
    unknown = runner.invoke(app, ["tokenize", "-m", "toy", "--toy-speed", "1", "x"])
    assert unknown.exit_code == 2 and "No such option" in unknown.output


def test_the_builtin_flags_still_parse(gemma_tokenizer):
    runner = CliRunner()
    done = runner.invoke(app, ["tokenize", "-m", "patok", "--contract-prop", "1", "--expand-prop", "0",
                               "--affix-awareness", "1", "--json", "Nagluluto"])
    assert done.exit_code == 0, done.output
    refused = runner.invoke(app, ["tokenize", "-m", "baseline", "--expand-prop", "0.1", "x"])
    assert "not a parameter of arm 'baseline'" in str(refused.exception)


def test_a_registered_arm_gets_preprocess_flags(toy_arm, gemma_tokenizer, tmp_path):
    prefix = tmp_path / "toy"
    args = ["preprocess", "--method", "toy", "--input", str(sample_corpus_path()), "--output-prefix", str(prefix),
            "--toy-rate", "0.5"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 0, done.output
    stats = json.loads((tmp_path / "toy.stats.json").read_text())
    assert stats["method"] == "toy" and stats["params"] == {"toy_rate": 0.5, "toy_sizes": [1, 2]}
    refused = CliRunner().invoke(app, [*args[:-2], "--expand-prop", "0.5"])
    assert "--expand-prop: not a parameter of arm 'toy'" in str(refused.exception)


def test_a_registered_arm_gets_its_jobs(toy_arm, tmp_path):
    cfg = load_config("gemma3-1b-seapile", ["arms.names=[baseline, toy]", "arms.toy.toy_sizes=[3]"])
    written = render_jobs(cfg, tmp_path / "jobs", run_dir=tmp_path)
    assert JOB_ARM["toy"] == "toyjob" and JOB_ARM["baseline"] == "vanilla" and "nope" not in JOB_ARM
    assert {"preprocess_data_toyjob.pbs", "run_cpt_toy.slurm"} <= set(written)
    assert load_config(written["config.yaml"]).arms.params("toy") == {"toy_rate": 0.25, "toy_sizes": [3]}
    assert "toyjob" in written["submit_all.sh"].read_text()
