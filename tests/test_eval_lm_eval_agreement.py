"""Our MCQ log-likelihoods equal lm-evaluation-harness 0.4.13's, per item, on the same model."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_loglikelihoods_match_lm_eval(tmp_path, gemma_tokenizer):
    lm_eval = pytest.importorskip("lm_eval")
    from lm_eval.tasks import TaskManager
    from transformers import PreTrainedTokenizerFast

    from morphtok.bench.generate import generate
    from morphtok.bench.lm_eval_export import export_items
    from morphtok.bench.schema import prompt_text
    from morphtok.eval.scoring import ScoringModel, pick, split_request
    from morphtok.train.models import load_causal_lm, tiny_model

    model_dir = tmp_path / "model"
    tiny_model(262_144, seed=11).save_pretrained(model_dir)
    PreTrainedTokenizerFast(tokenizer_object=gemma_tokenizer.hf, bos_token="<bos>", eos_token="<eos>",
                            pad_token="<pad>", unk_token="<unk>").save_pretrained(model_dir)
    items = generate(3, {"spell": 2, "length": 2, "count_char": 2, "count_vowels": 2, "count_uppercase": 1,
                              "count_diacritics": 1, "compare": 1}, ["composition"])["composition_mcq"]
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    export_items("agreement_mcq", items, tasks)
    results = lm_eval.simple_evaluate(
        model="hf", model_args=f"pretrained={model_dir},dtype=float32", tasks=["morphtok_agreement_mcq"],
        task_manager=TaskManager(include_path=str(tasks)), device="cpu", batch_size=1, log_samples=True,
    )
    samples = sorted(results["samples"]["morphtok_agreement_mcq"], key=lambda s: s["doc_id"])
    scorer = ScoringModel(load_causal_lm(str(model_dir)), batch_size=4)
    assert len(samples) == len(items) == 11
    for sample, item in zip(samples, items, strict=True):
        theirs = [float(r[0][0]) for r in sample["resps"]]
        ours = scorer.score_options(prompt_text(item), item.options)
        assert ours == pytest.approx(scorer.loglikelihood([split_request(prompt_text(item), o) for o in item.options]),
                                     abs=1e-4)
        assert ours == pytest.approx(theirs, abs=1e-3)
        norms = [s / len(o) for s, o in zip(ours, item.options, strict=True)]
        import numpy as np

        assert float(sample["acc"]) == float(pick(ours, np.random.default_rng(0)) == item.answer_index)
        assert float(sample["acc_norm"]) == float(pick(norms, np.random.default_rng(0)) == item.answer_index)


@pytest.mark.slow
def test_lm_eval_runs_every_exported_family(tmp_path, gemma_tokenizer):
    """The export runs in lm-eval 0.4.13 for every family, MCQ and GEN, and its greedy
    GEN answers equal ours item by item (same prompt, stop sequences and token budget)."""
    lm_eval = pytest.importorskip("lm_eval")
    from lm_eval.tasks import TaskManager
    from transformers import PreTrainedTokenizerFast

    from morphtok.bench.family import names as family_names
    from morphtok.bench.generate import generate, write
    from morphtok.bench.lm_eval_export import export
    from morphtok.bench.reader import read_items
    from morphtok.bench.schema import prompt_text
    from morphtok.eval.scoring import ScoringModel
    from morphtok.train.models import load_causal_lm, tiny_model

    model_dir = tmp_path / "model"
    tiny_model(262_144, seed=5).save_pretrained(model_dir)
    PreTrainedTokenizerFast(tokenizer_object=gemma_tokenizer.hf, bos_token="<bos>", eos_token="<eos>",
                            pad_token="<pad>", unk_token="<unk>").save_pretrained(model_dir)
    write(generate(7, scale=0.001), tmp_path / "bench", 7)
    export(tmp_path / "bench", tmp_path / "tasks")
    names = [f"morphtok_{family}_{fmt}" for family in family_names() for fmt in ("mcq", "gen")]
    results = lm_eval.simple_evaluate(
        model="hf", model_args=f"pretrained={model_dir},dtype=float32", tasks=names, limit=2,
        task_manager=TaskManager(include_path=str(tmp_path / "tasks")), device="cpu", batch_size=1, log_samples=True,
    )
    assert sorted(results["results"]) == sorted(names)
    scorer = ScoringModel(load_causal_lm(str(model_dir)), batch_size=4)
    generated = []
    for name in names:
        metrics = results["results"][name]
        assert ("acc,none" in metrics) if name.endswith("_mcq") else ("exact_match,strip" in metrics)
        if name.endswith("_gen"):
            items = read_items(tmp_path / "bench" / f"{name.removeprefix('morphtok_')}.jsonl")
            for sample in results["samples"][name]:
                ours = scorer.generate_until([prompt_text(items[sample["doc_id"]])])[0]
                assert sample["resps"][0][0] == ours
                generated.append(ours)
    assert len(generated) == 2 * len(family_names()) and any(g.strip() for g in generated)
