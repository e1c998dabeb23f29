"""The study report: ``report.md`` and a self-contained ``report.html`` (PNG plots inlined).

Sections: tokenization metrics of the three arms (dataset stats, and morpheme
alignment on the gold set, from the shared :mod:`tokenization_metrics`), training
curves (val/bpb per arm from ``metrics.jsonl``), accuracy tables per benchmark,
subtask and hierarchical level with 95% Wilson intervals and a bootstrap interval
clustered by word, the controls side by side (acc, acc_question_blind, acc_calibrated;
a benchmark whose acc is not significantly above its question-blind acc is flagged),
and paired significance between models (exact McNemar on MCQ acc and GEN exact match,
Holm-corrected over the non-degenerate tests) stated in words.
"""

from __future__ import annotations

import base64
import html
import io
import json
import logging
from pathlib import Path

from morphtok.analysis.report_sections import (
    accuracy_section,
    breakdown_section,
    significance_section,
)
from morphtok.atomic import atomic_write_text
from morphtok.config import AnalysisConfig
from morphtok.errors import EvaluationError

log = logging.getLogger(__name__)


_COMPARABLE = ("dtype", "num_fewshot", "gen_fewshot", "mcq_style")  # settings every compared model shares


def _read_records(path: Path, summary: dict) -> dict[str, dict]:
    """The records of ``path`` made by the run ``summary`` describes (fingerprints equal)."""
    records = {}
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if "model_sha256" in record and (record["model_sha256"], record.get("settings_sha256")) != \
                        (summary.get("model_sha256"), summary.get("eval_config_sha256")):
                    continue  # another run's record: never reported under this summary
                records[record["id"]] = record
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise EvaluationError(f"unreadable result line ({type(err).__name__}: {err})", where=f"{path}:{lineno}",
                                      hint="a killed evaluation leaves a torn last line: rerun `morphtok eval` "
                                           "with the same arguments to finish it") from None
    return records


def _load_results(results_dir: Path) -> dict[str, dict]:
    models = {}
    for summary in sorted(results_dir.glob("*/summary.json")):
        data = json.loads(summary.read_text(encoding="utf-8"))
        items = {path.stem: _read_records(path, data) for path in sorted(summary.parent.glob("*.jsonl"))
                 if path.stem in data.get("benchmarks", {})}
        models[summary.parent.name] = {"summary": data, "items": items}
    if not models:
        raise EvaluationError("no results found (expected <model>/summary.json)", where=str(results_dir))
    hashes: dict[str, tuple[str, str]] = {}
    for name, model in models.items():
        for bench, row in model["summary"]["benchmarks"].items():
            if bench in hashes and hashes[bench][1] != row["sha256"]:
                raise EvaluationError(
                    f"mixed benchmark versions: {bench} of model {hashes[bench][0]} (sha256 {hashes[bench][1][:12]}) "
                    f"and of model {name} (sha256 {row['sha256'][:12]}) are different files",
                    where=str(results_dir), hint="re-evaluate every model on the same benchmark files")
            hashes[bench] = (name, row["sha256"])
    for key in _COMPARABLE:
        values = {name: m["summary"].get(key) for name, m in models.items() if key in m["summary"]}
        if len(set(map(str, values.values()))) > 1:
            raise EvaluationError(f"models were evaluated with different {key}: {values}", where=str(results_dir),
                                  hint="compare models evaluated with the same settings (separate results dirs)")
    return models


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plots(models: dict, training_dirs: dict, out_dir: Path) -> dict[str, str]:
    """Every figure of the report as base64 PNG (also written beside report.md)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted(models)
    plots = {"accuracy_by_benchmark": _png(_accuracy_plot(plt, models, names)),
             "hierarchical_levels": _png(_levels_plot(plt, models, names)),
             "subtask_heatmap": _png(_heatmap_plot(plt, models, names))}
    if training_dirs:
        plots["val_bpb"] = _png(_val_bpb_plot(plt, training_dirs))
    for name, data in plots.items():
        (out_dir / f"{name}.png").write_bytes(base64.b64decode(data))
    return plots


def _accuracy_plot(plt, models: dict, names: list[str]):
    import numpy as np

    benches = sorted({b for m in models.values() for b in m["summary"]["benchmarks"]})
    fig, ax = plt.subplots(figsize=(max(6, len(benches) * 1.2), 3.5))
    width = 0.8 / max(len(names), 1)
    for k, name in enumerate(names):
        rows = [models[name]["summary"]["benchmarks"].get(b, {}).get("overall", {}) for b in benches]
        key = [("acc" if "acc" in r else "exact_match") for r in rows]
        vals = [r.get(kk, 0.0) for r, kk in zip(rows, key, strict=True)]
        err = [[v - r.get(f"{kk}_ci95", (v, v))[0] for v, r, kk in zip(vals, rows, key, strict=True)],
               [r.get(f"{kk}_ci95", (v, v))[1] - v for v, r, kk in zip(vals, rows, key, strict=True)]]
        ax.bar(np.arange(len(benches)) + k * width, vals, width, yerr=err, label=name, capsize=2)
    ax.set_xticks(np.arange(len(benches)) + width * (len(names) - 1) / 2, benches, rotation=30, ha="right")
    ax.set_ylabel("accuracy (acc / exact match)")
    ax.legend(fontsize=7)
    return fig


def _levels_plot(plt, models: dict, names: list[str]):
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for name in names:
        levels = models[name]["summary"]["benchmarks"].get("hierarchical_mcq", {}).get("by_level", {})
        if levels:
            xs = sorted(levels, key=int)
            ax.plot([int(x) for x in xs], [levels[x].get("acc", 0) for x in xs], marker="o", label=name)
    ax.set_xlabel("hierarchical level")
    ax.set_ylabel("MCQ accuracy")
    if ax.lines:
        ax.legend(fontsize=7)
    else:
        ax.text(0.5, 0.5, "no hierarchical MCQ results", ha="center", va="center", transform=ax.transAxes)
    return fig


def _heatmap_plot(plt, models: dict, names: list[str]):
    import numpy as np

    subtasks = sorted({f"{b}:{s}" for m in models.values() for b, r in m["summary"]["benchmarks"].items() for s in r["by_subtask"]})
    grid = np.array([[_first_metric(models[n]["summary"]["benchmarks"], st) for n in names] for st in subtasks])
    fig, ax = plt.subplots(figsize=(2 + len(names) * 1.2, max(3, len(subtasks) * 0.22)))
    # grey: a model with no items of that subtask (e.g. a reference model's smaller --limit)
    cmap = plt.get_cmap("viridis").with_extremes(bad="lightgrey")
    image = ax.imshow(np.ma.masked_invalid(grid.astype(float)), aspect="auto", vmin=0, vmax=1, cmap=cmap)
    ax.set_title("accuracy / exact match per subtask (grey: no items)", fontsize=8)
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=7)
    ax.set_yticks(range(len(subtasks)), subtasks, fontsize=6)
    fig.colorbar(image, ax=ax)
    return fig


def _val_bpb_plot(plt, training_dirs: dict):
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for arm, directory in sorted(training_dirs.items()):
        path = Path(directory) / "metrics.jsonl"
        if path.is_file():
            rows = [json.loads(line) for line in path.read_text().splitlines()]
            points = [(r["step"], r["val/bpb"]) for r in rows if "val/bpb" in r]
            ax.plot([p[0] for p in points], [p[1] for p in points], marker=".", label=arm)
    ax.set_xlabel("step")
    ax.set_ylabel("validation bits per byte")
    ax.legend(fontsize=7)
    return fig


def _first_metric(benchmarks: dict, key: str) -> float:
    bench, subtask = key.split(":", 1)
    row = benchmarks.get(bench, {}).get("by_subtask", {}).get(subtask, {})
    return row.get("acc", row.get("exact_match", float("nan")))


def _tokenization_section(tokenization: dict | None) -> list[str]:
    lines = ["## Tokenization metrics", ""]
    if tokenization:
        lines += ["| arm | documents | tokens | expansion vs canonical | tokens/byte | input records | held out | "
                  "skipped (reasons) |", "|---|---|---|---|---|---|---|---|"]
        for arm, prefixes in tokenization.items():
            stats = [json.loads(Path(f"{p}.stats.json").read_text()) for p in prefixes if Path(f"{p}.stats.json").is_file()]
            docs, toks = sum(s["documents"] for s in stats), sum(s["tokens"] for s in stats)
            canon, nbytes = sum(s["canonical_tokens"] for s in stats), sum(s["bytes"] for s in stats)
            lines.append(f"| {arm} | {docs:,} | {toks:,} | {toks / max(canon, 1) - 1:+.2%} | {toks / max(nbytes, 1):.3f} | "
                         f"{_accounting(stats)} |")
        lines += ["", "Every input record is used, held out for validation or skipped with a reason "
                  "(`input records` = documents + held out + skipped; the fetch's own skips are listed separately "
                  "when it recorded them).", ""]
    lines += _alignment_table(list(tokenization) if tokenization else None)
    return lines


def _accounting(stats: list[dict]) -> str:
    """Input records, held-out documents and skips (with their reasons) summed over an arm's datasets."""
    records = sum(s.get("input_records", 0) for s in stats)
    held = sum((s.get("held_out") or {}).get("documents", 0) for s in stats)
    reasons: dict[str, int] = {}
    for s in stats:
        for reason, count in ((s.get("skipped") or {}).get("by_reason") or {}).items():
            reasons[reason] = reasons.get(reason, 0) + count
    upstream = [s["upstream_skipped"]["total"] for s in stats if isinstance(s.get("upstream_skipped"), dict)]
    skipped = sum(reasons.values())
    why = "; ".join(f"{reason}: {count}" for reason, count in sorted(reasons.items()))
    text = f"{records:,} | {held:,} | {skipped:,}" + (f" ({why})" if why else "")
    return text + (f"; fetch skipped {max(upstream):,}" if upstream else "")


def _alignment_table(arms: list[str] | None = None) -> list[str]:
    """Each of the study's arms (default: every registered one) against the gold set shipped in the
    package (a missing gold file is an error)."""
    from morphtok.analysis.tokenization_metrics import arm_alignment, from_gold_words
    from morphtok.lang.fil.evaluation import load_gold
    from morphtok.segment.processor import arm_names, processor_class
    from morphtok.segment.tokenizer import load_tokenizer

    items = from_gold_words(load_gold())
    tokenizer = load_tokenizer()
    lines = ["Morpheme alignment on the hand-written gold set (MorphScore = boundary recall; micro-averaged):", "",
             "| arm | MorphScore | boundary P | boundary F1 | tokens/word | tokens/morpheme | affix preservation |",
             "|---|---|---|---|---|---|---|"]
    for arm in arms or arm_names():
        m = arm_alignment(arm, tokenizer, items)
        lines.append(f"| {processor_class(arm).label or arm} | {m['morph_score']:.3f} | {m['boundary_precision']:.3f} | {m['boundary_f1']:.3f} | "
                     f"{m['tokens_per_word']:.2f} | {m['tokens_per_morpheme']:.2f} | {m['affix_preservation']:.3f} |")
    return [*lines, ""]


def build(results_dir: str | Path, out_dir: str | Path, training_dirs: dict | None = None,
          tokenization: dict | None = None, alpha: float = 0.05, bootstrap_samples: int = 2000,
          seed: int = 0) -> dict[str, Path]:
    results_dir, out_dir = Path(results_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    models = _load_results(results_dir)
    plots = _plots(models, training_dirs or {}, out_dir)
    lines = ["# morphtok study report", "", f"Models: {', '.join(sorted(models))}. "
             "Intervals are 95% Wilson intervals (and, where marked, a bootstrap clustered by word); MCQ accuracy "
             "uses summed log-probs (acc) and per-character normalised log-probs (acc_norm), next to its controls; "
             "GEN uses case-sensitive exact match.", ""]
    lines += _tokenization_section(tokenization)
    if training_dirs:
        lines += ["## Training: validation curves (val/bpb)", "", "Validation bits per byte on the shared held-out text (baseline tokenization for every arm):", ""]
        for arm, directory in sorted(training_dirs.items()):
            path = Path(directory) / "metrics.jsonl"
            rows = [json.loads(x) for x in path.read_text().splitlines()] if path.is_file() else []
            bpb = [r for r in rows if "val/bpb" in r]
            if bpb:
                lines.append(f"- {arm}: val/bpb {bpb[0]['val/bpb']:.3f} at step {bpb[0]['step']} -> "
                             f"{bpb[-1]['val/bpb']:.3f} at step {bpb[-1]['step']}")
        lines += ["", "![val/bpb](val_bpb.png)", ""]
    lines += accuracy_section(models, alpha, bootstrap_samples, seed)
    lines += ["![accuracy](accuracy_by_benchmark.png)", ""]
    lines += breakdown_section(models)
    lines += ["![levels](hierarchical_levels.png)", "", "![heatmap](subtask_heatmap.png)", ""]
    lines += significance_section(models, alpha)
    markdown = "\n".join(lines) + "\n"
    paths = {"report_md": out_dir / "report.md", "report_html": out_dir / "report.html"}
    atomic_write_text(paths["report_md"], markdown)
    atomic_write_text(paths["report_html"], _html(markdown, plots))
    return paths


def _html(markdown: str, plots: dict[str, str]) -> str:
    body, in_table = [], False
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [html.escape(c.strip()) for c in line.strip("|").split("|")]
            if set("".join(cells)) <= set("-"):
                continue
            if not in_table:
                body.append("<table>")
                in_table = True
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("!["):
            name = line[line.index("(") + 1 : line.index(")")].removesuffix(".png")
            if name in plots:
                body.append(f'<img alt="{name}" src="data:image/png;base64,{plots[name]}">')
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{html.escape(line.lstrip('# '))}</h{level}>")
        elif line.strip():
            body.append(f"<p>{html.escape(line)}</p>")
    if in_table:
        body.append("</table>")
    style = "body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}td{border:1px solid #ccc;padding:2px 6px;font-size:12px}"
    return f"<!doctype html><html><head><meta charset='utf-8'><title>morphtok report</title><style>{style}</style></head><body>{''.join(body)}</body></html>\n"


def run(results_dir: str | Path, out_dir: str | Path, training_dirs: dict | None = None,
        tokenization: dict | None = None, cfg: AnalysisConfig | None = None) -> dict[str, Path]:
    """Study entry point: ``analysis.alpha`` and ``analysis.bootstrap_samples`` from the config."""
    cfg = cfg or AnalysisConfig()
    return build(results_dir, out_dir, training_dirs=training_dirs, tokenization=tokenization, alpha=cfg.alpha,
                 bootstrap_samples=cfg.bootstrap_samples)
