"""MCQ evaluation speed vs lm-evaluation-harness on the same items and model, in one run.

Also checks agreement: the per-item acc/acc_norm of both must be equal. Our evaluation also scores
the question-blind control (each distinct option string once, after the neutral prompt); its
extra cost is timed separately, on the same items, in the same run.

    python benchmarks/eval_speed.py [--model gemma3-270m|DIR] [--items 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from morphtok.bench.generate import generate
from morphtok.bench.lm_eval_export import export_items
from morphtok.bench.schema import prompt_text
from morphtok.eval.runner import GROUP
from morphtok.eval.scoring import ScoringModel, pick
from morphtok.train.models import gemma3_270m_dir, load_causal_lm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="gemma3-270m")
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=16, help="our rows per forward pass (the eval default)")
    parser.add_argument("--lm-eval-batch-size", type=int, default=4)
    args = parser.parse_args()
    model_dir = str(gemma3_270m_dir()) if args.model == "gemma3-270m" else args.model
    files = generate(1859)
    pool = files["hierarchical_mcq"] + files["affixation_mcq"] + files["composition_mcq"]
    items = [pool[k] for k in np.random.default_rng(0).choice(len(pool), size=args.items, replace=False)]

    scorer = ScoringModel(load_causal_lm(model_dir), batch_size=args.batch_size)
    start = time.perf_counter()
    ours = []
    for at in range(0, len(items), GROUP):  # as the runner does: fixed groups of items per batch
        ours += scorer.score_many([(prompt_text(i), i.options) for i in items[at : at + GROUP]])
    ours_time = time.perf_counter() - start
    from morphtok.eval.grading import neutral_table

    start = time.perf_counter()
    distinct = len(neutral_table(scorer, items, "text"))  # the control pass the runner adds per file
    control_time = time.perf_counter() - start

    import lm_eval
    from lm_eval.tasks import TaskManager

    with tempfile.TemporaryDirectory() as tmp:
        export_items("speed_mcq", items, tmp)
        start = time.perf_counter()
        results = lm_eval.simple_evaluate(model="hf", model_args=f"pretrained={model_dir},dtype=float32",
                                          tasks=["morphtok_speed_mcq"], task_manager=TaskManager(include_path=tmp),
                                          device="cpu", batch_size=args.lm_eval_batch_size, log_samples=True)
        theirs_time = time.perf_counter() - start
    samples = sorted(results["samples"]["morphtok_speed_mcq"], key=lambda s: s["doc_id"])
    agree = sum(
        float(s["acc"]) == float(pick(o, np.random.default_rng(0)) == i.answer_index)
        for s, o, i in zip(samples, ours, items, strict=True)
    )
    max_diff = max(abs(a - float(r[0][0])) for s, o in zip(samples, ours, strict=True) for a, r in zip(o, s["resps"], strict=True))
    print(f"model {Path(model_dir).name}: {len(items)} MCQ items x 4 options; batch sizes: ours "
          f"{args.batch_size} rows, lm-eval {args.lm_eval_batch_size}")
    print(f"morphtok: {len(items) / ours_time:.2f} items/s; lm-eval 0.4.13: {len(items) / theirs_time:.2f} items/s "
          f"(lm-eval time includes its task setup); speed-up {theirs_time / ours_time:.2f}x (target >= 2x)")
    print(f"agreement: acc equal on {agree}/{len(items)} items; max |loglik difference| {max_diff:.2e}")
    print(f"question-blind control: +{control_time / ours_time:.0%} of our scoring time ({distinct} distinct "
          f"option strings); with it, speed-up {theirs_time / (ours_time + control_time):.2f}x")


if __name__ == "__main__":
    main()
