"""The study's report: its centre is the table "FPR Python vs Java, before and after fine-tuning"
with Wilson intervals and significance tests, then the paired before/after comparison, twins,
safe kinds, external sets, per-CWE detail and plots.

It reads only what the study's cells wrote (evals/<model>/<dataset>/metrics.json and
predictions.jsonl), so it can be rebuilt at any time; every sentence is generated from them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vulntune.atomic import write_text
from vulntune.data import Sample
from vulntune.evaluate import plots
from vulntune.evaluate.intervals import mcnemar_exact, rate_difference_test
from vulntune.evaluate.report import (
    Block,
    Heading,
    Image,
    Paragraph,
    Table,
    cwe_fpr_table,
    num,
    ordered_languages,
    p_text,
    pct,
    rate_cell,
    safe_kind_table,
    summary_table,
    twins_table,
    write_report,
)
from vulntune.evaluate.run import ModelResult, dumps_metrics, join, read_predictions

TITLE = "vulntune study: false positives in Python vs Java, before and after fine-tuning"
ALPHA = 0.05  # significance level the prose uses


def load_results(out: Path, cells: Sequence[Any], datasets: Mapping[str, Sequence[Sample]]) -> dict[str, dict[str, ModelResult]]:
    """{dataset: {model name: ModelResult}} for every finished evaluation cell."""
    results: dict[str, dict[str, ModelResult]] = {}
    for dataset, samples in datasets.items():
        for cell in cells:
            folder = out / "evals" / cell.name / dataset
            if not (folder / "metrics.json").is_file():
                continue
            doc = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
            entry = doc["models"][cell.name]
            rows = read_predictions(folder / "predictions.jsonl")[cell.name]
            subset = [s for s in samples if s.language in cell.languages]
            metrics = {k: v for k, v in entry.items() if k != "model"}
            results.setdefault(dataset, {})[cell.name] = ModelResult(
                name=cell.name, info=entry["model"], rows=rows, scored=join(subset, rows, name=cell.name), metrics=metrics)
    return results


def _fpr(result: ModelResult | None, language: str) -> dict[str, Any] | None:
    if result is None or language not in result.metrics["by_language"]:
        return None
    m = result.metrics["by_language"][language]
    if not m["negatives"]:
        return None
    return {"model": result.name, "fp": m["fp"], "negatives": m["negatives"], "fpr": m["fpr"], "fpr_ci": m["fpr_ci"],
            "recall": m["recall"], "auroc": m["auroc"], "vd_score": m["vd_score"]}


def central_rows(cells: Sequence[Any], test: Mapping[str, ModelResult]) -> list[dict[str, Any]]:
    """Rows of the central table: one per zero-shot base model, and per fine-tuned (base, objective)
    and the baseline both "joint" (one model on both languages) and "separate" (the python-only
    model on Python beside the java-only model on Java)."""
    rows = []

    def row(stage: str, label: str, py: ModelResult | None, java: ModelResult | None) -> None:
        p, j = _fpr(py, "python"), _fpr(java, "java")
        if p is None and j is None:
            return
        test_ = rate_difference_test(p["fp"], p["negatives"], j["fp"], j["negatives"]) if p and j else None
        rows.append({"stage": stage, "model": label, "python": p, "java": j, "python_vs_java": test_})

    for cell in cells:
        if cell.kind == "zero-shot":
            r = test.get(cell.name)
            row("before fine-tuning", cell.name, r, r)
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for cell in cells:
        if cell.kind in ("fine-tuned", "tfidf"):
            groups.setdefault((cell.kind, cell.base, cell.objective), {})[cell.subset] = cell
    for (kind, base, objective), by_subset in groups.items():
        stage = "after fine-tuning" if kind == "fine-tuned" else "baseline"
        label = f"{base} {objective}" if kind == "fine-tuned" else "tfidf"
        if "joint" in by_subset:
            r = test.get(by_subset["joint"].name)
            row(stage, f"{label}, joint", r, r)
        if "python" in by_subset or "java" in by_subset:
            py = test.get(by_subset["python"].name) if "python" in by_subset else None
            java = test.get(by_subset["java"].name) if "java" in by_subset else None
            row(stage, f"{label}, separate", py, java)
    return rows


def before_after_rows(cells: Sequence[Any], test: Mapping[str, ModelResult]) -> list[dict[str, Any]]:
    """Per fine-tuned model and language: its FPR against its base model's zero-shot FPR on the
    very same safe samples, with the exact McNemar test on the paired decisions."""
    rows = []
    zero = {c.base: test.get(c.name) for c in cells if c.kind == "zero-shot"}
    for cell in cells:
        if cell.kind != "fine-tuned" or cell.name not in test or zero.get(cell.base) is None:
            continue
        before, after = zero[cell.base], test[cell.name]
        before_flags = {s.id: s.flagged for s in before.scored if not s.vulnerable}
        for language in cell.languages:
            b, a = _fpr(before, language), _fpr(after, language)
            if a is None or b is None:
                continue
            safe_ids = [s.id for s in after.scored if not s.vulnerable and s.language == language]
            after_flags = {s.id: s.flagged for s in after.scored}
            only_before = sum(before_flags[i] and not after_flags[i] for i in safe_ids)
            only_after = sum(after_flags[i] and not before_flags[i] for i in safe_ids)
            rows.append({
                "model": cell.name, "base": cell.base, "language": language, "before": b, "after": a,
                "difference": a["fpr"] - b["fpr"], "only_before": only_before, "only_after": only_after,
                "p_mcnemar": mcnemar_exact(only_before, only_after),
            })
    return rows


def _side(entry: dict[str, Any] | None) -> str:
    return rate_cell(entry["fpr"], entry["fpr_ci"], f"{entry['fp']}/{entry['negatives']}") if entry else "not trained on it"


def central_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    out = []
    for r in rows:
        t = r["python_vs_java"]
        recall = " / ".join(pct(r[lang]["recall"]) if r[lang] else "-" for lang in ("python", "java"))
        out.append([r["stage"], r["model"], _side(r["python"]), _side(r["java"]),
                    f"{100 * t['difference']:+.1f}" if t else "", p_text(t["p_fisher"]) if t else "",
                    p_text(t["p_z"]) if t else "", recall])
    return Table(headers=["stage", "model", "FPR Python", "FPR Java", "Python - Java (points)", "Fisher p",
                          "z-test p", "recall Python / Java"], rows=out,
                 caption="FPR Python vs Java, before and after fine-tuning (template-disjoint test split; "
                         "95% Wilson intervals; thresholds chosen on the validation split)")


def before_after_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    out = []
    for r in rows:
        b, a = r["before"], r["after"]
        out.append([r["model"], r["language"], _side(b), _side(a), f"{100 * r['difference']:+.1f}",
                    f"{r['only_before']} / {r['only_after']}", p_text(r["p_mcnemar"]),
                    f"{pct(b['recall'])} -> {pct(a['recall'])}", f"{num(b['auroc'])} -> {num(a['auroc'])}",
                    f"{pct(b['vd_score'])} -> {pct(a['vd_score'])}"])
    return Table(headers=["model", "language", "FPR before (zero-shot)", "FPR after", "change (points)",
                          "flagged only before / only after", "McNemar p", "recall", "AUROC", "VD-score"],
                 rows=out, caption="Before vs after fine-tuning on identical safe samples (paired)")


def _significance(p: float | None) -> str:
    if p is None:
        return "not testable"
    return f"significant at the {int(ALPHA * 100)}% level" if p < ALPHA else f"not significant at the {int(ALPHA * 100)}% level"


def central_sentences(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        p, j, t = r["python"], r["java"], r["python_vs_java"]
        parts = []
        if p:
            parts.append(f"{p['fp']} of {p['negatives']} safe Python samples (FPR {pct(p['fpr'])}; recall "
                         f"{pct(p['recall'])})")
        if j:
            parts.append(f"{j['fp']} of {j['negatives']} safe Java samples (FPR {pct(j['fpr'])}; recall "
                         f"{pct(j['recall'])})")
        text = f"{r['stage'].capitalize()}, {r['model']} flagged " + " and ".join(parts) + "."
        if t:
            text += (f" The Python - Java difference of {100 * t['difference']:+.1f} points is "
                     f"{_significance(t['p_fisher'])} (Fisher's exact p = {p_text(t['p_fisher'])}).")
        out.append(text)
    return out


def before_after_sentences(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        if r["difference"] == 0:
            change = f"stayed at {pct(r['after']['fpr'])} (as zero-shot)"
        else:
            change = (f"{'rose' if r['difference'] > 0 else 'fell'} from {pct(r['before']['fpr'])} (zero-shot) to "
                      f"{pct(r['after']['fpr'])}")
        out.append(f"On {r['language']}, {r['model']}'s FPR {change} ({100 * r['difference']:+.1f} points; {r['only_before']} safe samples "
                   f"flagged only before, {r['only_after']} only after; McNemar p = {p_text(r['p_mcnemar'])}, "
                   f"{_significance(r['p_mcnemar'])}).")
    return out


def study_blocks(*, config: Mapping[str, Any], cells: Sequence[Any], results: Mapping[str, Mapping[str, ModelResult]],
                 datasets: Mapping[str, Sequence[Sample]], notes: Sequence[str], central: Sequence[Mapping[str, Any]],
                 paired: Sequence[Mapping[str, Any]]) -> list[Block]:
    test = results.get("test", {})
    blocks: list[Block] = [Heading(text="Setup")]
    counts: dict[str, dict[str, int]] = {}
    for s in datasets.get("test", []):
        counts.setdefault(s.language, {"vulnerable": 0, "safe": 0})[s.label] += 1
    desc = "; ".join(f"{lang}: {counts[lang]['vulnerable']} vulnerable, {counts[lang]['safe']} safe"
                     for lang in ordered_languages(counts))
    steps = f"{config['max_steps']} steps" if config["max_steps"] else f"{config['epochs']} epoch(s)"
    if config.get("corpus"):
        origin = f"the synth folder {config['corpus']} (given in the config)"
    else:
        cwes = ", ".join(config["cwes"]) if config["cwes"] else "every catalogued CWE"
        origin = (f"vulntune synth, {config['per_cwe']} samples per language and CWE ({cwes}), "
                  f"seed {config['seed']}")
    blocks.append(Paragraph(text=(
        f"Corpus: {origin}; test split: {desc}. Models: {', '.join(config['bases']) or 'none'} "
        f"fine-tuned with {config['method']} for {steps} per cell on {', '.join(config['subsets'])} x "
        f"{', '.join(config['objectives'])}; TF-IDF baseline: {'yes' if config['tfidf'] else 'no'}; zero-shot base "
        f"models: {'yes' if config['zero_shot'] else 'no'}. Every threshold, the zero-shot ones included, was chosen on "
        f"the validation split for FPR {pct(config['target_fpr'])}.")))
    for note in notes:
        blocks.append(Paragraph(text=f"Note: {note}."))
    blocks.append(Heading(text="FPR Python vs Java, before and after fine-tuning"))
    blocks.append(central_table(central))
    for sentence in central_sentences(central):
        blocks.append(Paragraph(text=sentence))
    blocks.append(Paragraph(text="Python vs Java compares different samples, so the tests are for independent "
                                 "proportions (Fisher's exact, two-proportion z). Before vs after compares decisions "
                                 "on the same samples, so it uses the exact McNemar test on the discordant ones."))
    if paired:
        blocks.append(Heading(text="Before vs after, paired"))
        blocks.append(before_after_table(paired))
        for sentence in before_after_sentences(paired):
            blocks.append(Paragraph(text=sentence))
    ordered = [test[c.name] for c in cells if c.name in test]
    if ordered:
        blocks.append(Heading(text="All models on the test split"))
        blocks.append(summary_table(ordered, caption="template-disjoint test split"))
        twins = twins_table(ordered)
        if twins:
            blocks += [Heading(text="Twins"), twins]
        kinds = safe_kind_table(ordered)
        if kinds:
            blocks += [Heading(text="False positives per safe kind"), kinds]
    for dataset, by_model in results.items():
        if dataset == "test":
            continue
        external = [by_model[c.name] for c in cells if c.name in by_model]
        blocks.append(Heading(text=f"External set: {dataset}"))
        n = len(datasets[dataset])
        blocks.append(Paragraph(text=f"{n} samples; models see only the code. CWEs outside a model's classes count for "
                                     "detection only. These are external development numbers: nothing was tuned on them."))
        blocks.append(summary_table(external, caption=dataset))
    if ordered:
        blocks.append(Heading(text="Per CWE (test split)"))
        for r in ordered:
            blocks.append(cwe_fpr_table(r))
    blocks += _plots(cells, test, central)
    return blocks


def _plots(cells: Sequence[Any], test: Mapping[str, ModelResult], central: Sequence[Mapping[str, Any]]) -> list[Block]:
    blocks: list[Block] = []
    if not test:
        return blocks
    blocks.append(Heading(text="Plots"))
    if central:
        groups = [r["model"] for r in central]
        series = {lang: [((r[lang]["fpr"], r[lang]["fpr_ci"]) if r[lang] else (None, None)) for r in central]
                  for lang in ("python", "java")}
        blocks.append(Image(alt="FPR Python vs Java per model (95% Wilson intervals)",
                            png=plots.grouped_bars(groups, series, ylabel="false positive rate",
                                                   title="FPR Python vs Java, before and after fine-tuning")))
    curves: dict[str, dict[str, tuple[list[bool], list[float]]]] = {}
    languages: set[str] = set()
    for cell in cells:
        r = test.get(cell.name)
        if r is None:
            continue
        by: dict[str, tuple[list[bool], list[float]]] = {}
        for s in r.scored:
            y, sc = by.setdefault(s.language, ([], []))
            y.append(s.vulnerable)
            sc.append(s.score)
            languages.add(s.language)
        curves[cell.name] = by
    ordered_languages = [lang for lang in ("python", "java") if lang in languages]
    blocks.append(Image(alt="ROC per language, test split", png=plots.roc_plot(curves, languages=ordered_languages)))
    for cell in cells:
        r = test.get(cell.name)
        if r is None or cell.subset != "joint":
            continue
        by_language = r.metrics["by_language"]
        blocks.append(Image(alt=f"{cell.name}: FPR per CWE", png=plots.cwe_fpr_bars(
            {k: v["by_cwe"] for k, v in by_language.items()}, title=f"{cell.name}: FPR per CWE (test)")))
        blocks.append(Image(alt=f"{cell.name}: confusion matrix", png=plots.confusion_plot(by_language, title=cell.name)))
        blocks.append(Image(alt=f"{cell.name}: score histogram", png=plots.score_histogram(
            curves[cell.name], threshold=float(r.info["threshold"]), title=cell.name)))
    return blocks


def write_study_report(out: Path, *, config: Any, cells: Sequence[Any], datasets: Mapping[str, Sequence[Sample]],
                       notes: Sequence[str]) -> dict[str, Any]:
    """Read every finished cell, write report.md, report.html and summary.json; return the summary."""
    from vulntune.config import to_mapping

    plain = to_mapping(config)
    results = load_results(out, cells, datasets)
    test = results.get("test", {})
    central = central_rows(cells, test)
    paired = before_after_rows(cells, test)
    blocks = study_blocks(config=plain, cells=cells, results=results, datasets=datasets, notes=notes,
                          central=central, paired=paired)
    write_report(out, blocks, title=TITLE)
    summary = {"central": central, "before_after": paired, "notes": list(notes),
               "evaluated": {d: sorted(by) for d, by in results.items()}}
    write_text(out / "summary.json", dumps_metrics(summary))
    return summary

