"""The cluster job's Megatron-Bridge config, built and validated by the real Bridge 0.3.0 on CPU.

``build_config`` starts from Bridge's Gemma 3 1B pretrain recipe; ``finalize`` is Bridge's own
``runtime_config_update`` (mixed-precision setup, data-parallel size, every sub-config's
``finalize`` and ``ConfigContainer.validate``), exactly what ``pretrain`` runs first. WORLD_SIZE
stands for the job's 8 torchrun ranks (Bridge's ``get_world_size_safe`` reads it).
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("megatron.bridge", reason="needs .venv-bridge (make bridge-env; make test runs it)")

from megatron.bridge import AutoBridge  # noqa: E402
from megatron.bridge.models.gemma.gemma3_provider import Gemma3ModelProvider1B  # noqa: E402

from morphtok.config import load_config  # noqa: E402
from morphtok.train.bridge_recipe import BRIDGE_VERSION, RunInputs, build_config, finalize  # noqa: E402

TRAIN = "/study/data/processed/patok/seapile"
VALID = "/study/data/processed/validation/baseline"


@pytest.fixture(autouse=True)
def eight_ranks(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "8")


def inputs(**changes) -> RunInputs:
    values = dict(data_path=TRAIN, save_dir="/logs/checkpoints/gemma3-1b-patok/checkpoints",
                  pretrained_dir="/logs/checkpoints/hf_import/google__gemma-3-1b-pt", validation_path=VALID,
                  validation_tokens=4 * 2048 * 256 + 100, wandb_name="gemma3-1b-patok",
                  wandb_save_dir="/logs/wandb")
    values.update(changes)
    return RunInputs(**values)


def test_the_installed_bridge_is_the_pinned_one():
    from importlib.metadata import version

    assert version("megatron-bridge") == BRIDGE_VERSION == "0.3.0"
    assert version("megatron-core") == "0.16.0"


def test_seed_tables_reach_the_validated_bridge_config():
    c = finalize(build_config(load_config("gemma3-1b-seapile"), inputs()))
    assert type(c.model) is Gemma3ModelProvider1B
    assert (c.model.seq_length, c.dataset.sequence_length) == (2048, 2048)
    assert (c.model.tensor_model_parallel_size, c.model.pipeline_model_parallel_size) == (1, 1)
    assert c.data_parallel_size == 8
    assert (c.train.global_batch_size, c.train.micro_batch_size) == (256, 2)
    assert c.train.global_batch_size // (c.train.micro_batch_size * c.data_parallel_size) == 16  # accumulation
    assert (c.train.train_iters, c.train.eval_interval, c.train.eval_iters) == (10_000, 500, 4)
    assert c.train.exit_signal_handler is True  # SIGTERM: save, then stop
    o = c.optimizer
    assert (o.optimizer, o.lr, o.min_lr, o.weight_decay, o.clip_grad) == ("adam", 1e-4, 1e-5, 0.1, 1.0)
    assert o.decoupled_weight_decay is True and (o.adam_beta1, o.adam_beta2) == (0.9, 0.95)  # AdamW
    s = c.scheduler
    assert (s.lr_decay_style, s.lr_warmup_iters, s.lr_decay_iters) == ("cosine", 500, 10_000)
    assert (s.lr_warmup_steps, s.lr_decay_steps) == (500 * 256, 10_000 * 256)  # Bridge counts samples
    assert (s.start_weight_decay, s.end_weight_decay) == (0.1, 0.1)  # the recipe's 0.033 would win
    assert c.model.bf16 and o.bf16 and not c.model.fp16  # bf16-mixed, set up by Bridge's mixed precision
    assert c.dataset.blend is None and c.dataset.split is None
    assert c.dataset.blend_per_split == [([TRAIN], None), ([VALID], None), ([VALID], None)]
    assert c.rng.seed == c.dataset.random_seed == 1234
    assert (c.tokenizer.tokenizer_type, c.tokenizer.tokenizer_model) == ("HuggingFaceTokenizer", "google/gemma-3-1b-pt")
    assert (c.logger.log_interval, c.logger.wandb_project, c.logger.wandb_exp_name) == (
        10, "gemma3-seapile-cpt", "gemma3-1b-patok")
    assert c.logger.wandb_save_dir == "/logs/wandb"
    # Gemma 3 1B as the provider has it: 512-token sliding window, tied embeddings, 262k vocabulary
    assert (c.model.window_size, c.model.share_embeddings_and_output_weights, c.model.vocab_size) == (512, True, 262_144)


def test_resume_settings():
    ck = finalize(build_config(load_config("gemma3-1b-seapile"), inputs(ckpt_step=3000))).checkpoint
    assert ck.save == ck.load == "/logs/checkpoints/gemma3-1b-patok/checkpoints"
    assert ck.pretrained_checkpoint == "/logs/checkpoints/hf_import/google__gemma-3-1b-pt"
    assert (ck.ckpt_step, ck.save_interval, ck.most_recent_k, ck.ckpt_format) == (3000, 1000, 2, "torch_dist")
    assert ck.finetune is False and ck.load_optim and ck.load_rng  # a resume restores optimizer and RNG


def test_changed_config_values_reach_bridge():
    cfg = load_config("gemma3-1b-seapile", ["train.lr=3.0e-4", "train.min_lr=3.0e-5", "train.seq_length=4096",
                                            "train.model=google/gemma-3-1b-it", "seed=7", "train.keep_last=1",
                                            "train.warmup_steps=100", "train.weight_decay=0.05"])
    c = finalize(build_config(cfg, inputs()))
    assert (c.optimizer.lr, c.optimizer.min_lr, c.scheduler.lr_warmup_iters) == (3e-4, 3e-5, 100)
    assert (c.model.seq_length, c.dataset.sequence_length) == (4096, 4096)
    assert c.tokenizer.tokenizer_model == "google/gemma-3-1b-it"
    assert (c.rng.seed, c.checkpoint.most_recent_k, c.scheduler.end_weight_decay) == (7, 1, 0.05)
    assert c.train.eval_iters == 2  # the same held-out tokens fill half as many 4096-token batches


def test_without_a_shared_validation_set_bridge_splits_the_arm_data():
    c = finalize(build_config(load_config("gemma3-1b-seapile"), inputs(validation_path=None, validation_tokens=None)))
    assert c.dataset.blend == ([TRAIN], None) and c.dataset.blend_per_split is None
    assert c.dataset.split == "99,1,0"


def test_bridge_validation_runs_and_can_fail():
    c = build_config(load_config("gemma3-1b-seapile"), inputs())
    c.model.seq_length = 1024  # model and data disagree: Bridge's validate must refuse it
    with pytest.raises(AssertionError, match="sequence length"):
        finalize(c)


def test_export_keeps_the_source_hf_config(tmp_path):
    """AutoBridge's export writes the source model's own config (save_artifacts), so the exported
    Gemma 3 keeps its 512-token sliding window, tied embeddings and max positions; its provider
    (what training builds from the HF config) carries the same window."""
    from tokenizers import Tokenizer, models
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig, PreTrainedTokenizerFast

    source = tmp_path / "tiny-gemma3"
    config = Gemma3TextConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                              num_attention_heads=2, num_key_value_heads=1, head_dim=16, sliding_window=512,
                              max_position_embeddings=32_768, tie_word_embeddings=True)
    Gemma3ForCausalLM(config).save_pretrained(source)
    vocab = {f"t{i}": i for i in range(64)}
    PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel(vocab, unk_token="t0"))).save_pretrained(source)
    bridge = AutoBridge.from_hf_pretrained(str(source))
    assert bridge.to_megatron_provider(load_weights=False).window_size == 512
    bridge.hf_pretrained.save_artifacts(tmp_path / "export")
    assert json.loads((tmp_path / "export" / "config.json").read_text())["sliding_window"] == 512
    written = Gemma3TextConfig.from_pretrained(tmp_path / "export")  # as from_pretrained reads the export
    assert (written.sliding_window, written.tie_word_embeddings, written.max_position_embeddings) == (512, True, 32_768)


def test_the_seed_command_line_dry_run_prints_the_validated_config(tmp_path, capsys):
    """``training/nemo/run_cpt.py`` with the seed's flags, as far as it goes without GPUs."""
    import runpy
    from pathlib import Path

    import yaml

    script = Path(__file__).resolve().parents[2] / "training" / "nemo" / "run_cpt.py"
    main = runpy.run_path(str(script), run_name="run_cpt")["main"]
    code = main(["--data-path", TRAIN, "--checkpoint-dir", str(tmp_path / "gemma3-1b-baseline"),
                 "--wandb-name", "gemma3-1b-baseline", "--max-steps", "2000", "--validation-path", VALID, "--dry-run"])
    assert code == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["train"]["train_iters"] == 2000  # --max-steps overrides train.max_steps
    assert printed["logger"]["wandb_exp_name"] == "gemma3-1b-baseline"
    assert printed["checkpoint"]["save"] == str(tmp_path / "gemma3-1b-baseline" / "checkpoints")
    assert printed["dataset"]["blend_per_split"][1][0] == [VALID]
