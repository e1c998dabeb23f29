"""The phases of a study, in order: the one list the runner, ``study plan`` and the CLI read.

Each module has ``run(cfg, workdir) -> Path`` and ``estimate(cfg) -> Estimate``
(see :mod:`morphtok.study.phase`); a :class:`Phase` adds the config sections its
fingerprint covers and the phases whose outputs it reads.
"""

from __future__ import annotations

from morphtok.study.phase import Phase
from morphtok.study.phases import analysis, bench, corpus, evaluation, preprocess, train

PHASES: list[Phase] = [
    Phase("corpus", ("corpus",), (), corpus.run, corpus.estimate, "acquire the corpus and split it into chunks"),
    Phase("preprocess", ("seed", "tokenizer", "arms", "preprocess", "corpus"), ("corpus",), preprocess.run,
          preprocess.estimate, "tokenize every chunk with each arm -> indexed datasets + validation.jsonl"),
    Phase("bench", ("bench",), (), bench.run, bench.estimate, "generate the PACUTE + hierarchical benchmarks"),
    Phase("train", ("seed", "tokenizer", "train"), ("preprocess",), train.run, train.estimate,
          "continued pretraining, one model per arm, then HF export"),
    Phase("eval", ("seed", "eval"), ("train", "bench"), evaluation.run, evaluation.estimate,
          "MCQ + generative evaluation of every model"),
    Phase("analysis", ("analysis",), ("eval", "train", "preprocess"), analysis.run, analysis.estimate,
          "metrics, CIs, significance, plots -> report.md/report.html"),
]
PHASE_ORDER: tuple[str, ...] = tuple(phase.name for phase in PHASES)
