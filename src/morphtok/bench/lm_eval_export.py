"""Export benchmarks as an lm-evaluation-harness task directory (runs offline).

Each ``{family}_{mcq,gen}.jsonl`` becomes a task ``morphtok_{family}_{format}``: a
~15-line YAML with ``dataset_path: json`` and an ABSOLUTE ``data_files`` path (lm-eval
resolves relative paths against the working directory, not the YAML), plus the data
as JSONL ``{"question", "choices", "gold"}`` / ``{"question", "answer"}``. The prompt
is the same ``Question: ...\\nAnswer:`` text our own evaluator scores, so the two agree.

    lm_eval --model hf --model_args pretrained=DIR,dtype=float32 --include_path OUT --tasks morphtok_composition_mcq --device cpu
"""

from __future__ import annotations

import json
from pathlib import Path

from morphtok.atomic import atomic_write_text
from morphtok.bench.reader import read_items
from morphtok.bench.schema import MAX_NEW_TOKENS, Item, prompt_text

MCQ_YAML = """task: {task}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "{{{{question}}}}"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: "{{{{gold}}}}"
target_delimiter: " "
metric_list:
  - metric: acc
  - metric: acc_norm
metadata:
  version: 1.0
"""

GEN_YAML = """task: {task}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: generate_until
doc_to_text: "{{{{question}}}}"
doc_to_target: "{{{{answer}}}}"
generation_kwargs:
  until: ["\\n", "Question:"]
  do_sample: false
  max_gen_toks: {max_gen_toks}
metric_list:
  - metric: exact_match
    ignore_case: false
    ignore_punctuation: false
filter_list:
  - name: strip
    filter:
      - function: remove_whitespace
      - function: take_first
metadata:
  version: 1.0
"""


def export_items(name: str, items: list[Item], out_dir: str | Path) -> Path:
    out_dir = Path(out_dir).resolve()
    data = out_dir / f"{name}.data.jsonl"
    fmt = items[0].format if items else "mcq"
    if fmt == "mcq":
        rows = [{"question": prompt_text(i), "choices": i.options, "gold": i.answer_index} for i in items]
        template = MCQ_YAML
    else:
        rows = [{"question": prompt_text(i), "answer": i.answer} for i in items]
        template = GEN_YAML
    atomic_write_text(data, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    yaml_path = out_dir / f"{name}.yaml"
    text = template.format(task=f"morphtok_{name}", data=data, max_gen_toks=MAX_NEW_TOKENS)
    atomic_write_text(yaml_path, text)
    return yaml_path


def export(benchmark_dir: str | Path, out_dir: str | Path) -> list[Path]:
    """One task per benchmark file; returns the YAML paths."""
    return [export_items(path.stem, read_items(path), out_dir) for path in sorted(Path(benchmark_dir).glob("*_*.jsonl"))]
