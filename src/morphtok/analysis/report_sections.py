"""The report's accuracy, controls and significance sections (markdown lines).

Controls side by side for MCQ: acc, acc_norm, acc_question_blind (the options scored with the
question removed) and acc_calibrated; ``acc - blind`` with a one-sided exact McNemar p-value on
the same items; a benchmark where acc is not significantly above acc_question_blind (p >= alpha)
is flagged: its differences between models may come from the option strings, not from reading
the question. Every accuracy also gets a 95% bootstrap interval that resamples words (items
built on one word move together).
"""

from __future__ import annotations

from morphtok.analysis.statistics import (
    above_control,
    cluster_bootstrap,
    holm_non_degenerate,
    pairwise,
)

FLAG = "NOT above question-blind"


def _fmt(metrics: dict, key: str) -> str:
    if key not in metrics:
        return "-"
    lo, hi = metrics[f"{key}_ci95"]
    return f"{metrics[key]:.3f} [{lo:.2f}, {hi:.2f}]"


def _correct(records: dict[str, dict], field: str = "correct") -> dict[str, bool]:
    return {k: bool(r[field]) for k, r in records.items() if field in r}


def _clustered(records: dict[str, dict], samples: int, seed: int) -> str:
    correct = _correct(records)
    if not correct:
        return "-"
    lo, hi = cluster_bootstrap(correct, {k: str(r.get("word", k)) for k, r in records.items()}, samples, seed)
    return f"[{lo:.2f}, {hi:.2f}]"


def control_tests(models: dict) -> list[dict]:
    """Per model and MCQ benchmark: is acc significantly above acc_question_blind?"""
    out = []
    for name in sorted(models):
        for bench, records in sorted(models[name]["items"].items()):
            mcq = {k: r for k, r in records.items() if r.get("format") == "mcq" and "correct_blind" in r}
            if mcq:
                out.append({"model": name, "benchmark": bench, **above_control(_correct(mcq), _correct(mcq, "correct_blind"))})
    return out


def accuracy_section(models: dict, alpha: float, samples: int = 2000, seed: int = 0) -> list[str]:
    controls = {(t["model"], t["benchmark"]): t for t in control_tests(models)}
    lines = ["## Accuracy and controls", "",
             "MCQ: acc (summed log-probs), acc_norm (per character), acc_question_blind (the same options after "
             "the neutral prompt `Answer:`, question removed), acc_calibrated (log p(option | question) - "
             "log p(option | neutral)); acc - blind with a one-sided exact McNemar p on the same items. "
             "Brackets: 95% Wilson intervals; *clustered*: 95% bootstrap resampling words.", "",
             "| model | benchmark | n | acc | acc_norm | acc_question_blind | acc_calibrated | acc - blind | p | clustered | control |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    gen = ["", "GEN: exact match (case-sensitive, after stripping whitespace) and lenient match (see "
           "docs/benchmarks.md); 0-shot GEN is a format check.", "",
           "| model | benchmark | n | shots | exact match | lenient | clustered |", "|---|---|---|---|---|---|---|"]
    for name in sorted(models):
        summary = models[name]["summary"]
        for bench, row in sorted(summary["benchmarks"].items()):
            o, records = row["overall"], models[name]["items"].get(bench, {})
            clustered = _clustered(records, samples, seed)
            if "acc" in o:
                test = controls.get((name, bench))
                verdict = "-" if test is None else ("ok" if test["p_value"] < alpha else FLAG)
                diff = f"{test['difference']:+.3f}" if test else "-"
                p = f"{test['p_value']:.3g}" if test else "-"
                lines.append(f"| {name} | {bench} | {o.get('n_mcq', o.get('n', 0))} | {_fmt(o, 'acc')} | "
                             f"{_fmt(o, 'acc_norm')} | {_fmt(o, 'acc_question_blind')} | {_fmt(o, 'acc_calibrated')} | "
                             f"{diff} | {p} | {clustered} | {verdict} |")
            if "exact_match" in o:
                gen.append(f"| {name} | {bench} | {o.get('n_gen', o.get('n', 0))} | {summary.get('gen_mode', '-')} | "
                           f"{_fmt(o, 'exact_match')} | {_fmt(o, 'lenient_match')} | {clustered} |")
    flagged = [t for t in controls.values() if t["p_value"] >= alpha]
    lines += gen + [""]
    if flagged:
        lines.append("**Flagged** (acc not significantly above acc_question_blind at alpha="
                     f"{alpha}; differences between models there may come from the option strings): "
                     + "; ".join(f"{t['model']} on {t['benchmark']} ({t['difference']:+.3f}, p={t['p_value']:.2g})"
                                 for t in flagged) + ".")
    elif controls:
        lines.append(f"Every MCQ benchmark's acc is significantly above its question-blind control (alpha={alpha}).")
    for name in sorted(models):
        for bench, row in sorted(models[name]["summary"]["benchmarks"].items()):
            if row.get("gold_contradicted"):
                marked = row["gold_contradicted"]
                lines.append(f"- {name} / {bench}: {marked['scored']} scored items have a gold our recomputation "
                             f"contradicts (per level {marked['items_in_file']}; scored under --no-validate).")
    return [*lines, ""]


def breakdown_section(models: dict) -> list[str]:
    lines = ["### By subtask and level", "",
             "| model | benchmark | group | n | acc / exact match | acc_question_blind | acc_calibrated |",
             "|---|---|---|---|---|---|---|"]
    for name in sorted(models):
        for bench, row in sorted(models[name]["summary"]["benchmarks"].items()):
            for group, key in (("by_subtask", ""), ("by_level", "level ")):
                for label, m in row[group].items():
                    metric = "acc" if "acc" in m else "exact_match"
                    lines.append(f"| {name} | {bench} | {key}{label} | {m.get('n', 0)} | {_fmt(m, metric)} | "
                                 f"{_fmt(m, 'acc_question_blind')} | {_fmt(m, 'acc_calibrated')} |")
    return [*lines, ""]


def significance_section(models: dict, alpha: float) -> list[str]:
    tests = []
    benches = sorted({b for m in models.values() for b in m["items"]})
    for bench in benches:
        per_model = {n: _correct(m["items"].get(bench, {})) for n, m in models.items() if m["items"].get(bench)}
        for row in pairwise(per_model):
            if row["n"]:
                tests.append({"benchmark": bench, **row})
    counted = [t for t in tests if not t["degenerate"]]
    lines = ["## Paired significance", "",
             "Exact McNemar tests on shared items (MCQ acc; GEN exact match); Holm correction over the "
             f"{len(counted)} non-degenerate tests at alpha={alpha}. A test where both models are at 0 or both at 1 "
             "is degenerate: listed, not counted.", ""]
    if not tests:
        return [*lines, "Only one model: no pairwise comparison.", ""]
    verdicts = holm_non_degenerate(tests, alpha)
    lines += ["| benchmark | A | B | n | only A right | only B right | p | significant |", "|---|---|---|---|---|---|---|---|"]
    for test, verdict in zip(tests, verdicts, strict=True):
        mark = "degenerate (not counted)" if verdict is None else ("yes" if verdict else "no")
        lines.append(f"| {test['benchmark']} | {test['a']} | {test['b']} | {test['n']} | {test['only_a']} | "
                     f"{test['only_b']} | {test['p_value']:.3g} | {mark} |")
    significant = [t for t, v in zip(tests, verdicts, strict=True) if v]
    lines.append("")
    if significant:
        lines.append("Significant after correction: " + "; ".join(
            f"{t['a']} vs {t['b']} on {t['benchmark']} ({t['a'] if t['only_a'] > t['only_b'] else t['b']} better, "
            f"p={t['p_value']:.2g})" for t in significant) + ".")
    else:
        lines.append("No difference between models is significant after Holm correction.")
    return [*lines, ""]
