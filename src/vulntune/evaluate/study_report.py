"""The study's report: its centre is the table "FPR Python vs Java, before and after fine-tuning"
with Wilson intervals and significance tests, then the gap at matched recall as a referee reads it
(family-cluster bootstrap re-picking thresholds, the gap against recall, Mantel-Haenszel within
CWE x safe kind, power, Holm across every test), the paired before/after comparison, twins,
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
from vulntune.cwe import LANGUAGES, ordered_languages
from vulntune.data import Sample
from vulntune.evaluate import plots
from vulntune.evaluate.gap import (
    cmh_test,
    detectable_difference,
    flag_tables,
    gap_at_recall,
    gap_curve,
    holm,
    plot_gap_curves,
)
from vulntune.evaluate.intervals import rate_difference_test
from vulntune.evaluate.report import (
    Block,
    Heading,
    Image,
    Paragraph,
    Table,
    cwe_fpr_table,
    model_plots,
    num,
    p_is,
    p_text,
    pct,
    rate_cell,
    safe_kind_table,
    score_curves,
    summary_table,
    twins_table,
    write_report,
)
from vulntune.evaluate.run import ModelResult, dumps_metrics, join, read_predictions
from vulntune.evaluate.significance import at_recall, fisher_p, mcnemar_p, recall_ceiling

TRANSFER = "transfer-test"  # vulntune.study_cells.TRANSFER (evaluate sits below the study)

TITLE = "vulntune study: false positives in Python vs Java, before and after fine-tuning"
ALPHA = 0.05  # significance level the prose uses


def load_results(
    out: Path, cells: Sequence[Any], datasets: Mapping[str, Sequence[Sample]]
) -> dict[str, dict[str, ModelResult]]:
    """{dataset: {model name: ModelResult}} for every finished evaluation cell. The dataset
    TRANSFER holds single-language models on the test split of the other language."""
    results: dict[str, dict[str, ModelResult]] = {}
    jobs = [(dataset, samples, False) for dataset, samples in datasets.items()]
    if "test" in datasets:
        jobs.append((TRANSFER, datasets["test"], True))
    for dataset, samples, foreign in jobs:
        for cell in cells:
            folder = out / "evals" / cell.name / dataset
            if not (folder / "metrics.json").is_file():
                continue
            doc = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
            entry = doc["models"][cell.name]
            rows = read_predictions(folder / "predictions.jsonl")[cell.name]
            subset = [s for s in samples if (s.language in cell.languages) != foreign]
            metrics = {k: v for k, v in entry.items() if k != "model"}
            results.setdefault(dataset, {})[cell.name] = ModelResult(
                name=cell.name,
                info=entry["model"],
                rows=rows,
                scored=join(subset, rows, name=cell.name),
                metrics=metrics,
            )
    return results


def _fpr(result: ModelResult | None, language: str) -> dict[str, Any] | None:
    """The calibrated operating point of `result` on `language`'s samples."""
    if result is None or language not in result.metrics["by_language"]:
        return None
    m = result.metrics["by_language"][language]
    if not m["negatives"]:
        return None
    return {
        "model": result.name,
        "fp": m["fp"],
        "negatives": m["negatives"],
        "fpr": m["fpr"],
        "fpr_ci": m["fpr_ci"],
        "recall": m["recall"],
        "tp": m["tp"],
        "positives": m["positives"],
        "auroc": m["auroc"],
        "vd_score": m["vd_score"],
    }


def _at_recall(result: ModelResult | None, language: str, recall: float) -> dict[str, Any] | None:
    """The fixed-recall operating point of `result` on `language`'s samples."""
    if result is None:
        return None
    point = at_recall([s for s in result.scored if s.language == language], recall)
    return {"model": result.name, **point} if point else None


def _ceiling(result: ModelResult | None, language: str) -> float | None:
    """The highest recall `result` reaches on `language`'s samples (`recall_ceiling`)."""
    return recall_ceiling([s for s in result.scored if s.language == language]) if result else None


def _languages_test(p: Mapping[str, Any] | None, j: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Python vs Java on one operating point: the difference, Fisher's exact p (scipy), z-test p."""
    if not p or not j:
        return None
    test = rate_difference_test(p["fp"], p["negatives"], j["fp"], j["negatives"])
    return {
        "difference": test["difference"],
        "p_fisher": fisher_p(p["fp"], p["negatives"], j["fp"], j["negatives"]),
        "p_z": test["p_z"],
    }


def _records(
    result: ModelResult | None, language: str, families: Mapping[str, str | None] | None
) -> list[tuple[float, bool, str | None, str]]:
    """`language`'s samples of `result` as gap records: (score, vulnerable, template family,
    stratum "CWE / safe kind"). A sample whose family is unknown is its own bootstrap cluster."""
    if result is None:
        return []
    families = families or {}
    return [
        (s.score, s.vulnerable, families.get(s.id), f"{s.cwe} / {s.safe_kind or 'vulnerable'}")
        for s in result.scored
        if s.language == language
    ]


def _matched(
    py: Sequence[Any],
    java: Sequence[Any],
    rp: Mapping[str, Any] | None,
    rj: Mapping[str, Any] | None,
    recall: float,
    resamples: int,
    seed: int,
) -> dict[str, Any]:
    """The Python - Java gap at matched recall beyond Fisher's test: its family-cluster bootstrap
    (thresholds re-picked in each resample), the gap over recall 50-90%, the Mantel-Haenszel test
    within CWE x safe kind at each language's threshold, and the smallest gap detectable."""
    out: dict[str, Any] = {"bootstrap": None, "cmh": None, "power": None, "gap_curve": None}
    if not py or not java:
        return out
    out["bootstrap"] = gap_at_recall(py, java, recall=recall, resamples=resamples, seed=seed)
    out["gap_curve"] = gap_curve(py, java, resamples=resamples, seed=seed)
    if rp and rj:
        tables = flag_tables(py, java, threshold_a=rp["threshold"], threshold_b=rj["threshold"])
        test = cmh_test(tables)
        out["cmh"] = {**test, "strata": len(tables)} if test else None
        base = (rp["fp"] + rj["fp"]) / (rp["negatives"] + rj["negatives"])
        power = detectable_difference(n1=rp["negatives"], n2=rj["negatives"], base=base)
        out["power"] = {"base": base, "alpha": ALPHA, "power": 0.8, **power} if power else None
    return out


def holm_family(
    central: Sequence[dict[str, Any]], paired: Sequence[dict[str, Any]], *, recall: float
) -> list[dict[str, Any]]:
    """Every p-value the report states, Holm-adjusted as one family (in place: each test's entry
    gains its `..._holm` key), and the list of them in report order. Fisher's test at both
    operating points, Mantel-Haenszel at the fixed recall, McNemar at both points; the z-test
    repeats Fisher's hypothesis and is left out, and so is a test that could not be run (no p)."""
    entries: list[tuple[str, dict[str, Any], str]] = []
    at = f"at {pct(recall, 0)} recall"
    for r in central:
        if r["python_vs_java"]:
            entries.append((f"Fisher, Python vs Java, calibrated: {r['model']}", r["python_vs_java"], "p_fisher"))
        if r["at_recall"]["python_vs_java"]:
            entries.append(
                (f"Fisher, Python vs Java, {at}: {r['model']}", r["at_recall"]["python_vs_java"], "p_fisher")
            )
        if r["at_recall"].get("cmh"):
            entries.append((f"Mantel-Haenszel (CWE x safe kind), {at}: {r['model']}", r["at_recall"]["cmh"], "p"))
    for r in paired:
        where = f"{r['model']} vs {r['before_model']}, {r['language']}"
        entries.append((f"McNemar, {where}, calibrated", r, "p_mcnemar"))
        if "p_mcnemar_at_recall" in r:
            entries.append((f"McNemar, {where}, {at}", r, "p_mcnemar_at_recall"))
    entries = [e for e in entries if e[1][e[2]] is not None]  # untestable (e.g. no discordant pair): no p
    adjusted = holm([holder[key] for _, holder, key in entries])
    out = []
    for (name, holder, key), p_holm in zip(entries, adjusted):
        holder[f"{key}_holm"] = p_holm
        out.append({"test": name, "p": holder[key], "p_holm": p_holm})
    return out


def central_rows(
    cells: Sequence[Any],
    test: Mapping[str, ModelResult],
    *,
    transfer: Mapping[str, ModelResult] = {},
    recall: float = 0.9,
    families: Mapping[str, str | None] | None = None,
    resamples: int = 1000,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Rows of the central table, in order: each detector before fine-tuning (static judges,
    zero-shot) on both languages; per fine-tuned (base, objective) "separate" (the python-only
    model on Python beside the java-only model on Java) and "joint"; "other language" (the
    java-only model on Python beside the python-only model on Java: transfer); the
    function-level model; the TF-IDF judge. Each row has both operating points: the calibrated
    threshold (`python`, `java`) and the threshold giving `recall` on the test split (`at_recall`),
    there with the gap's family-cluster bootstrap (`families`: sample id -> template family;
    `resamples`, `seed`), the Mantel-Haenszel test within CWE x safe kind and the power; and the
    gap against recall (`gap_curve`)."""
    rows = []

    def row(stage: str, label: str, py: ModelResult | None, java: ModelResult | None) -> None:
        p, j = _fpr(py, "python"), _fpr(java, "java")
        if p is None and j is None:
            return
        rp, rj = _at_recall(py, "python", recall), _at_recall(java, "java", recall)
        ceiling = {"python": _ceiling(py, "python"), "java": _ceiling(java, "java")}
        matched = _matched(
            _records(py, "python", families), _records(java, "java", families), rp, rj, recall, resamples, seed
        )
        rows.append(
            {
                "stage": stage,
                "model": label,
                "python": p,
                "java": j,
                "python_vs_java": _languages_test(p, j),
                "at_recall": {
                    "python": rp,
                    "java": rj,
                    "python_vs_java": _languages_test(rp, rj),
                    "recall_ceiling": ceiling,
                    **{k: v for k, v in matched.items() if k != "gap_curve"},
                },
                "gap_curve": matched["gap_curve"],
            }
        )

    for cell in cells:
        if cell.kind in ("static", "zero-shot"):
            r = test.get(cell.name)
            row("before fine-tuning", cell.name, r, r)
    groups: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for cell in cells:
        if cell.kind in ("fine-tuned", "tfidf"):
            groups.setdefault((cell.kind, cell.base, cell.objective, cell.name.endswith("-file")), {})[cell.subset] = (
                cell
            )
    order = sorted(groups, key=lambda g: (g[0] == "tfidf", g[3]))  # fine-tuned slices, function level, baseline
    for key in order:
        kind, base, objective, function_level = key
        by_subset = groups[key]
        if kind == "tfidf":
            stage, label = "baseline", "tfidf"
        elif function_level:
            stage, label = "function level", f"{base} {objective}, whole functions"
        else:
            stage, label = "after fine-tuning", f"{base} {objective}"
        py_cell, java_cell = by_subset.get("python"), by_subset.get("java")
        if py_cell or java_cell:
            row(
                stage,
                f"{label}, separate",
                test.get(py_cell.name) if py_cell else None,
                test.get(java_cell.name) if java_cell else None,
            )
        if "joint" in by_subset:
            r = test.get(by_subset["joint"].name)
            row(stage, f"{label}, joint", r, r)
        if (py_cell or java_cell) and not function_level and kind == "fine-tuned":
            row(
                "transfer",
                f"{label}, other language",
                transfer.get(java_cell.name) if java_cell else None,
                transfer.get(py_cell.name) if py_cell else None,
            )
    return rows


def before_after_rows(
    cells: Sequence[Any], test: Mapping[str, ModelResult], *, recall: float = 0.9
) -> list[dict[str, Any]]:
    """Per fine-tuned slice model, language and detector before fine-tuning (static judges,
    zero-shot): both FPRs on the very same safe samples, at both operating points, with the
    exact McNemar test on the paired decisions."""
    rows = []
    before_cells = [c for c in cells if c.kind in ("static", "zero-shot") and c.name in test]
    for cell in cells:
        if cell.kind != "fine-tuned" or cell.name.endswith("-file") or cell.name not in test:
            continue
        after = test[cell.name]
        for reference in before_cells:
            before = test[reference.name]
            for language in cell.languages:
                b, a = _fpr(before, language), _fpr(after, language)
                if a is None or b is None:
                    continue
                rb, ra = _at_recall(before, language, recall), _at_recall(after, language, recall)
                safe = [s.id for s in after.scored if not s.vulnerable and s.language == language]
                points = {"calibrated": (_flags(before, None), _flags(after, None))}
                if rb and ra:
                    points["at_recall"] = (_flags(before, rb["threshold"]), _flags(after, ra["threshold"]))
                row = {
                    "model": cell.name,
                    "before_model": reference.name,
                    "base": cell.base,
                    "language": language,
                    "before": b,
                    "after": a,
                    "difference": a["fpr"] - b["fpr"],
                    "before_at_recall": rb,
                    "after_at_recall": ra,
                }
                for point, (fb, fa) in points.items():
                    only_before = sum(fb[i] and not fa[i] for i in safe)
                    only_after = sum(fa[i] and not fb[i] for i in safe)
                    suffix = "" if point == "calibrated" else "_at_recall"
                    row[f"only_before{suffix}"], row[f"only_after{suffix}"] = only_before, only_after
                    row[f"p_mcnemar{suffix}"] = mcnemar_p(only_before, only_after)
                rows.append(row)
    return rows


def _flags(result: ModelResult, threshold: float | None) -> dict[str, bool]:
    """Each sample's decision: at the model's own threshold (None) or at `threshold` on its score."""
    return {s.id: (s.flagged if threshold is None else s.score >= threshold) for s in result.scored}


def _side(entry: Mapping[str, Any] | None, *, ceiling: float | None = None) -> str:
    if entry:
        return rate_cell(entry["fpr"], entry["fpr_ci"], f"{entry['fp']}/{entry['negatives']}")
    if ceiling is not None:  # measured, but the fixed recall is above what it can flag
        return f"unreachable (recall ceiling {pct(ceiling)})"
    return "not trained on it"


def central_table(rows: Sequence[Mapping[str, Any]], *, point: str = "calibrated", recall: float = 0.9) -> Table:
    """The central table at one operating point ("calibrated" or "at_recall")."""
    out = []
    for r in rows:
        sides = r if point == "calibrated" else r["at_recall"]
        ceiling = sides.get("recall_ceiling") or {}
        t = sides["python_vs_java"]
        got = " / ".join(pct(sides[lang]["recall"]) if sides[lang] else "-" for lang in LANGUAGES)
        out.append(
            [
                r["stage"],
                r["model"],
                _side(sides["python"], ceiling=ceiling.get("python")),
                _side(sides["java"], ceiling=ceiling.get("java")),
                f"{100 * t['difference']:+.1f}" if t else "",
                p_text(t["p_fisher"]) if t else "",
                p_text(t.get("p_fisher_holm")) if t else "",
                p_text(t["p_z"]) if t else "",
                got,
            ]
        )
    if point == "calibrated":
        caption = (
            "FPR Python vs Java, before and after fine-tuning, at the calibrated operating point (thresholds "
            "chosen on the validation split; template-disjoint test split; 95% Wilson intervals)"
        )
    else:
        caption = (
            f"FPR Python vs Java at {pct(recall, 0)} recall: per model and language, the highest threshold whose "
            f"recall on the test split is at least {pct(recall, 0)}, and the FPR there (95% Wilson intervals); "
            f"unreachable where fewer than {pct(recall, 0)} of the vulnerable samples have a candidate the "
            "detector judges (a record it never judges is never reported, at any threshold)"
        )
    return Table(
        headers=[
            "stage",
            "model",
            "FPR Python",
            "FPR Java",
            "Python - Java (points)",
            "Fisher p",
            "Holm p",
            "z-test p",
            "recall Python / Java",
        ],
        rows=out,
        caption=caption,
    )


def before_after_table(rows: Sequence[Mapping[str, Any]], *, recall: float = 0.9) -> Table:
    out = []
    for r in rows:
        b, a, rb, ra = r["before"], r["after"], r["before_at_recall"], r["after_at_recall"]
        out.append(
            [
                r["model"],
                r["before_model"],
                r["language"],
                _side(b),
                _side(a),
                f"{r['only_before']} / {r['only_after']}",
                p_text(r["p_mcnemar"]),
                p_text(r.get("p_mcnemar_holm")),
                f"{pct(rb['fpr']) if rb else 'n/a'} -> {pct(ra['fpr']) if ra else 'n/a'}",
                f"{r.get('only_before_at_recall', '-')} / {r.get('only_after_at_recall', '-')}",
                p_text(r.get("p_mcnemar_at_recall")),
                p_text(r.get("p_mcnemar_at_recall_holm")),
                f"{pct(b['recall'])} -> {pct(a['recall'])}",
                f"{num(b['auroc'])} -> {num(a['auroc'])}",
            ]
        )
    return Table(
        headers=[
            "model",
            "before",
            "language",
            "FPR before",
            "FPR after",
            "flagged only before / only after",
            "McNemar p",
            "Holm p",
            f"FPR at {pct(recall, 0)} recall",
            "only before / only after there",
            "McNemar p there",
            "Holm p there",
            "recall",
            "AUROC",
        ],
        rows=out,
        caption="Before vs after fine-tuning on identical safe samples (paired; exact McNemar test)",
    )


def _significance(p: float | None) -> str:
    if p is None:
        return "not testable"
    return (
        f"significant at the {int(ALPHA * 100)}% level"
        if p < ALPHA
        else f"not significant at the {int(ALPHA * 100)}% level"
    )


def central_sentences(rows: Sequence[Mapping[str, Any]], *, recall: float = 0.9) -> list[str]:
    out = []
    for r in rows:
        p, j, t = r["python"], r["java"], r["python_vs_java"]
        parts = []
        if p:
            parts.append(
                f"{p['fp']} of {p['negatives']} safe Python samples (FPR {pct(p['fpr'])}; recall {pct(p['recall'])})"
            )
        if j:
            parts.append(
                f"{j['fp']} of {j['negatives']} safe Java samples (FPR {pct(j['fpr'])}; recall {pct(j['recall'])})"
            )
        text = f"{r['stage'].capitalize()}, {r['model']} flagged " + " and ".join(parts) + "."
        if t:
            text += (
                f" The Python - Java difference of {100 * t['difference']:+.1f} points is "
                f"{_significance(t['p_fisher'])} (Fisher's exact p {p_is(t['p_fisher'])})."
            )
        at = r["at_recall"]
        fixed = [
            f"{lang.capitalize()} {pct(at[lang]['fpr'])} ({at[lang]['fp']}/{at[lang]['negatives']})"
            for lang in LANGUAGES
            if at[lang]
        ]
        if fixed:
            text += f" At {pct(recall, 0)} recall its FPR is " + ", ".join(fixed)
            ft = at["python_vs_java"]
            text += f" (Fisher p {p_is(ft['p_fisher'])})." if ft else "."
        out.append(text)
    return out


def before_after_sentences(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        if r["difference"] == 0:
            change = f"stayed at {pct(r['after']['fpr'])} (as {r['before_model']})"
        else:
            change = (
                f"{'is higher' if r['difference'] > 0 else 'is lower'} than {r['before_model']}'s: "
                f"{pct(r['after']['fpr'])} against {pct(r['before']['fpr'])}"
            )
        out.append(
            f"On {r['language']}, {r['model']}'s FPR {change} ({100 * r['difference']:+.1f} points; "
            f"{r['only_before']} safe samples flagged only before, {r['only_after']} only after; McNemar p "
            f"{p_is(r['p_mcnemar'])}, {_significance(r['p_mcnemar'])})."
        )
    return out


def answer_sentences(
    central: Sequence[Mapping[str, Any]],
    paired: Sequence[Mapping[str, Any]],
    external: Mapping[str, Mapping[str, ModelResult]],
    cells: Sequence[Any],
    *,
    recall: float = 0.9,
) -> list[str]:
    """The answer, stated only from measured numbers: per language, the FPR before fine-tuning
    (every static and zero-shot detector) and after (each fine-tuned slice model on that
    language); the Python - Java gap after fine-tuning; and, per external set, whether the real
    code moves the same way as the synthetic test split (after vs static reachability)."""
    out = []
    before = [r for r in central if r["stage"] == "before fine-tuning"]
    after = [r for r in central if r["stage"] == "after fine-tuning"]
    for language in LANGUAGES:
        b = [f"{r['model']} {pct(r[language]['fpr'])}" for r in before if r[language]]
        a = [
            f"{r['model']} {pct(r[language]['fpr'])} (recall {pct(r[language]['recall'])})"
            for r in after
            if r[language]
        ]
        if not b and not a:
            continue
        text = f"{language.capitalize()}, synthetic test split, calibrated operating point: FPR before fine-tuning "
        text += (", ".join(b) if b else "not measured") + "; after: " + (", ".join(a) if a else "not measured") + "."
        fixed = [
            f"{r['model']} {pct(r['at_recall'][language]['fpr'])}" for r in before + after if r["at_recall"][language]
        ]
        if fixed:
            text += (
                f" At {pct(recall, 0)} recall (a lower FPR at the calibrated point can be bought with recall; "
                f"here it cannot): " + ", ".join(fixed) + "."
            )
        beyond = [
            f"{r['model']} ({pct(r['at_recall']['recall_ceiling'][language])})"
            for r in before + after
            if r[language] and not r["at_recall"][language] and r["at_recall"]["recall_ceiling"][language] is not None
        ]
        if beyond:
            text += (
                f" {pct(recall, 0)} recall is out of reach of " + ", ".join(beyond) + ": the share of vulnerable "
                "samples with a candidate the detector judges caps its recall (the reachability gate's recall)."
            )
        tested = [r for r in paired if r["language"] == language and r["p_mcnemar"] is not None]
        if tested:
            lower = [r for r in tested if r["difference"] < 0 and r["p_mcnemar"] < ALPHA]
            higher = [r for r in tested if r["difference"] > 0 and r["p_mcnemar"] < ALPHA]
            text += (
                f" Of {len(tested)} paired comparisons (fine-tuned model vs a detector before fine-tuning), "
                f"{len(lower)} show a significantly lower FPR after, {len(higher)} a significantly higher one "
                f"(exact McNemar, {int(ALPHA * 100)}% level)."
            )
        out.append(text)
    for r in after:
        t = r["python_vs_java"]
        if t:
            out.append(
                f"After fine-tuning, {r['model']}: Python - Java FPR gap {100 * t['difference']:+.1f} points, "
                f"{_significance(t['p_fisher'])} (Fisher p {p_is(t['p_fisher'])})."
            )
    # At the calibrated point the languages' recalls differ, so their FPRs are not comparable; at
    # the fixed recall they are: the gap there, before and after fine-tuning.
    gaps = [
        f"{r['model']} ({r['stage']}) {100 * g['difference']:+.1f} points (Fisher p {p_is(g['p_fisher'])}, "
        f"Holm-adjusted {p_is(g.get('p_fisher_holm'))}{_interval_clause(r['at_recall'].get('bootstrap'))})"
        for r in before + after
        if (g := r["at_recall"]["python_vs_java"]) and r["model"] != "candidates"
    ]
    if gaps:
        out.append(
            f"At {pct(recall, 0)} recall in both languages, where their FPRs compare on equal terms, the Python - "
            "Java FPR gap is: " + "; ".join(gaps) + "."
        )
    out += _slicing_sentences(external, cells)
    reference = next((c for c in cells if c.kind == "static" and c.base == "reachability"), None)
    tuned = [c for c in cells if c.kind == "fine-tuned" and not c.name.endswith("-file") and c.subset == "joint"]
    test = external.get("test", {})
    for dataset, by_model in external.items():
        if dataset in ("test", TRANSFER) or reference is None:
            continue
        for cell in tuned:
            for language in cell.languages:
                pairs = [
                    (_fpr(test.get(reference.name), language), _fpr(test.get(cell.name), language)),
                    (_fpr(by_model.get(reference.name), language), _fpr(by_model.get(cell.name), language)),
                ]
                if any(x is None for pair in pairs for x in pair):
                    continue
                (sb, sa), (eb, ea) = pairs
                synthetic, real = sa["fpr"] - sb["fpr"], ea["fpr"] - eb["fpr"]
                verdict = "agree" if (synthetic > 0) == (real > 0) and (synthetic == 0) == (real == 0) else "disagree"
                out.append(
                    f"Synthetic vs real ({dataset}, {language}): {cell.name} changes the FPR against static "
                    f"reachability by {100 * synthetic:+.1f} points on the synthetic test split and by "
                    f"{100 * real:+.1f} points on {dataset} ({pct(eb['fpr'])} -> {pct(ea['fpr'])}; recall "
                    f"{pct(eb['recall'])} -> {pct(ea['recall'])}): the two {verdict} in direction."
                )
    return out


def _points(value: float) -> str:
    return f"{100 * value:+.1f}"


def _interval_text(interval: Sequence[float] | None) -> str:
    return f"[{_points(interval[0])}, {_points(interval[1])}]" if interval else "n/a"


def _interval_clause(boot: Mapping[str, Any] | None) -> str:
    """ ", family-cluster bootstrap 95% interval [a, b] points" when there is one."""
    if not boot or not boot.get("interval"):
        return ""
    return f", family-cluster bootstrap {pct(boot['level'], 0)} interval {_interval_text(boot['interval'])} points"


def matched_table(rows: Sequence[Mapping[str, Any]], *, recall: float) -> Table | None:
    """The Python - Java gap at the fixed recall per central row, as a referee reads it: the
    family-cluster bootstrap (thresholds re-picked), Fisher and Mantel-Haenszel with Holm, power."""
    out = []
    for r in rows:
        at = r["at_recall"]
        boot, cmh, power, fisher = at.get("bootstrap"), at.get("cmh"), at.get("power"), at["python_vs_java"]
        if not boot:
            continue
        out.append(
            [
                r["stage"],
                r["model"],
                _points(boot["gap"]),
                f"{_points(boot['mean'])} / {100 * boot['sd']:.1f}" if boot["mean"] is not None else "n/a",
                _interval_text(boot["interval"]),
                " / ".join(_families(boot[side]) for side in ("a", "b")),
                f"{p_text(fisher['p_fisher'])} ({p_text(fisher.get('p_fisher_holm'))})" if fisher else "",
                num(cmh["odds_ratio"], 2) if cmh else "",
                f"{p_text(cmh['p'])} ({p_text(cmh.get('p_holm'))})" if cmh else "",
                f"{len(cmh['informative'])} of {cmh['strata']}" if cmh else "",
                _detectable(power),
            ]
        )
    if not out:
        return None
    return Table(
        headers=[
            "stage",
            "model",
            f"gap at {pct(recall, 0)} recall (points)",
            "bootstrap mean / SD",
            "95% interval",
            "families Python / Java",
            "Fisher p (Holm)",
            "MH odds ratio",
            "MH p (Holm)",
            "informative strata",
            "detectable gap (80% power)",
        ],
        rows=out,
        caption=(
            f"Python - Java FPR gap at {pct(recall, 0)} recall: family-cluster bootstrap with each language's "
            "threshold picked again in every resample; Mantel-Haenszel test within CWE x safe kind at each "
            "language's threshold; Holm-adjusted p in brackets; the smallest gap a two-proportion test detects"
        ),
    )


def _families(side: Mapping[str, Any] | None) -> str:
    if not side:
        return "-"
    single = f" + {side['unclustered']} single" if side["unclustered"] else ""
    return f"{side['families']}{single}"


def _detectable(power: Mapping[str, Any] | None) -> str:
    if not power:
        return ""
    parts = [f"+{100 * power['up']:.1f}" if power["up"] is not None else None]
    parts.append(f"-{100 * power['down']:.1f}" if power["down"] is not None else None)
    return " / ".join(p for p in parts if p) or "none"


def matched_sentences(rows: Sequence[Mapping[str, Any]], *, recall: float) -> list[str]:
    """Each row's gap at the fixed recall in words: bootstrap, Mantel-Haenszel, power."""
    out = []
    for r in rows:
        at = r["at_recall"]
        boot, cmh, power = at.get("bootstrap"), at.get("cmh"), at.get("power")
        if not boot:
            continue
        text = (
            f"{r['model']} ({r['stage']}): Python - Java gap at {pct(recall, 0)} recall {_points(boot['gap'])} points"
        )
        if boot["interval"]:
            lo, hi = boot["interval"]
            holds = "includes" if lo <= 0 <= hi else "excludes"
            text += (
                f"; over {boot['valid']} of {boot['resamples']} family-cluster resamples where both languages reach "
                f"that recall, mean {_points(boot['mean'])}, SD {100 * boot['sd']:.1f}, {pct(boot['level'], 0)} "
                f"interval {_interval_text(boot['interval'])}, which {holds} 0"
            )
        text += "."
        if cmh:
            text += (
                f" Within CWE x safe kind (Mantel-Haenszel, {len(cmh['informative'])} of {cmh['strata']} strata "
                f"informative) the common odds ratio is {num(cmh['odds_ratio'], 2)}, p {p_is(cmh['p'])} "
                f"(Holm-adjusted {p_is(cmh.get('p_holm'))})."
            )
        if power:
            text += (
                f" With {at['python']['negatives']} and {at['java']['negatives']} safe samples at a pooled FPR of "
                f"{pct(power['base'])}, "
                + (
                    f"the smallest gap detectable with 80% power (two-sided, 5% level) is {_detectable(power)} points."
                    if power["up"] is not None or power["down"] is not None
                    else "no gap in either direction is detectable with 80% power (two-sided, 5% level)."
                )
            )
        out.append(text)
    return out


def _gap_figure(rows: Sequence[Mapping[str, Any]]) -> Image | None:
    """The gap against recall: static reachability (else the first detector before fine-tuning)
    beside the joint fine-tuned slice judge (else the first after fine-tuning)."""

    def first(stage: str, prefer: Any) -> Mapping[str, Any] | None:
        found = [r for r in rows if r["stage"] == stage and r.get("gap_curve")]
        return next((r for r in found if prefer(r)), found[0] if found else None)

    chosen = [
        ("before", first("before fine-tuning", lambda r: r["model"] == "reachability")),
        ("after", first("after fine-tuning", lambda r: r["model"].endswith(", joint"))),
    ]
    curves = {f"{when}: {r['model']}": r["gap_curve"] for when, r in chosen if r}
    if not curves:
        return None
    return Image(
        alt="FPR gap Python - Java against recall, before and after fine-tuning",
        png=plot_gap_curves(curves, groups=("python", "java"), title="FPR gap"),
    )


def matched_blocks(
    rows: Sequence[Mapping[str, Any]], tests: Sequence[Mapping[str, Any]], *, recall: float
) -> list[Block]:
    """The section on the gap at matched recall, and the table of every test with Holm's adjustment."""
    blocks: list[Block] = []
    table = matched_table(rows, recall=recall)
    if table is not None:
        blocks.append(Heading(text="The gap at matched recall, resampled"))
        blocks.append(
            Paragraph(
                text=(
                    "Fisher's test treats the threshold as fixed and the samples as independent; neither holds. "
                    "Here each language's template families are drawn with replacement (a sample without a "
                    "family is its own cluster), and each language's threshold is picked again on the resample's "
                    "vulnerable samples, so the interval carries both the families' correlation and the "
                    "threshold's own uncertainty. The Mantel-Haenszel test compares the languages within each "
                    "CWE x safe kind, so a gap made by one language having more of an easy kind does not count. "
                    "The detectable gap is a normal approximation for independent samples: with families, a "
                    "best case."
                )
            )
        )
        figure = _gap_figure(rows)
        if figure is not None:
            blocks.append(figure)
        blocks.append(table)
        blocks += [Paragraph(text=sentence) for sentence in matched_sentences(rows, recall=recall)]
    if tests:
        blocks.append(Heading(text="Every test, Holm-adjusted"))
        raw = sum(t["p"] < ALPHA for t in tests)
        adjusted = sum(t["p_holm"] < ALPHA for t in tests)
        blocks.append(
            Paragraph(
                text=(
                    f"The report's tests are one family of {len(tests)}: Fisher's at both operating points, "
                    "Mantel-Haenszel at the fixed recall, McNemar at both points (the z-test repeats Fisher's "
                    "hypothesis and is not counted again; a test without discordant pairs has no p). "
                    f"{raw} have p < {ALPHA} on their own, {adjusted} after Holm's adjustment across all "
                    f"{len(tests)} (Holm-Bonferroni step-down: the chance of any false rejection among them stays "
                    f"at most {ALPHA})."
                )
            )
        )
        blocks.append(
            Table(
                headers=["test", "p", "Holm p"],
                rows=[[t["test"], p_text(t["p"]), p_text(t["p_holm"])] for t in tests],
                caption="every p-value in the report, in report order",
            )
        )
    return blocks


def _slicing_sentences(results: Mapping[str, Mapping[str, ModelResult]], cells: Sequence[Any]) -> list[str]:
    """What slicing changed: each function-level model beside the slice model of the same base,
    objective and subset, per dataset and language, at the calibrated operating point."""
    out = []
    names = {c.name for c in cells}
    for cell in cells:
        if cell.kind != "fine-tuned" or not cell.name.endswith("-file"):
            continue
        sliced = cell.name[: -len("-file")]
        if sliced not in names:
            continue
        for dataset, by_model in results.items():
            if dataset == TRANSFER:
                continue
            for language in cell.languages:
                f, sl = _fpr(by_model.get(cell.name), language), _fpr(by_model.get(sliced), language)
                if f is None or sl is None:
                    continue
                out.append(
                    f"What slicing changed ({dataset}, {language}): the function-level {cell.name} flagged "
                    f"{f['fp']} of {f['negatives']} safe samples (FPR {pct(f['fpr'])}, recall {pct(f['recall'])}), "
                    f"the slice judge {sliced} {sl['fp']} of {sl['negatives']} (FPR {pct(sl['fpr'])}, recall "
                    f"{pct(sl['recall'])})."
                )
    return out


def study_blocks(
    *,
    config: Mapping[str, Any],
    cells: Sequence[Any],
    results: Mapping[str, Mapping[str, ModelResult]],
    datasets: Mapping[str, Sequence[Sample]],
    notes: Sequence[str],
    central: Sequence[Mapping[str, Any]],
    paired: Sequence[Mapping[str, Any]],
    tests: Sequence[Mapping[str, Any]] = (),
) -> list[Block]:
    test = results.get("test", {})
    blocks: list[Block] = [Heading(text="Setup")]
    counts: dict[str, dict[str, int]] = {}
    for s in datasets.get("test", []):
        counts.setdefault(s.language, {"vulnerable": 0, "safe": 0})[s.label] += 1
    desc = "; ".join(
        f"{lang}: {counts[lang]['vulnerable']} vulnerable, {counts[lang]['safe']} safe"
        for lang in ordered_languages(counts)
    )
    steps = f"{config['max_steps']} steps" if config["max_steps"] else f"{config['epochs']} epoch(s)"
    if config.get("corpus"):
        origin = f"the synth folder {config['corpus']} (given in the config)"
    else:
        cwes = ", ".join(config["cwes"]) if config["cwes"] else "every catalogued CWE"
        origin = f"vulntune synth, {config['per_cwe']} samples per language and CWE ({cwes}), seed {config['seed']}"
    recall = float(config.get("fixed_recall", 0.9))
    static = (
        ", ".join(
            {"none": "every candidate sink flagged", "reachability": "static reachability"}[j]
            for j in config.get("static", ())
        )
        or "none"
    )
    function_level = ", ".join(config.get("function_level", ())) or "none"
    blocks.append(
        Paragraph(
            text=(
                f"Corpus: {origin}; test split: {desc}. Static judges: {static}. Models: {', '.join(config['bases']) or 'none'} "
                f"fine-tuned with {config['method']} for {steps} per cell on {', '.join(config['subsets'])} x "
                f"{', '.join(config['objectives'])}, reading {config.get('unit', 'file')}s (gate: {config.get('gate', 'none')}); "
                f"function-level models (whole records, the previous design): {function_level}; TF-IDF judge: "
                f"{'yes' if config['tfidf'] else 'no'}; zero-shot base models: {'yes' if config['zero_shot'] else 'no'}. Every "
                f"threshold, the zero-shot ones included, was chosen on the validation split for FPR {pct(config['target_fpr'])} "
                f"(the calibrated operating point). The second operating point is the FPR at {pct(recall, 0)} recall: per model "
                f"and language, the highest threshold whose recall on the test split itself is at least {pct(recall, 0)} "
                f"(a static judge's scores are 0 or 1, so its recall there may overshoot)."
            )
        )
    )
    for note in notes:
        blocks.append(Paragraph(text=f"Note: {note}."))
    blocks.append(Heading(text="FPR Python vs Java, before and after fine-tuning"))
    blocks.append(central_table(central, point="calibrated", recall=recall))
    blocks.append(central_table(central, point="at_recall", recall=recall))
    blocks += matched_blocks(central, tests, recall=recall)
    blocks.append(Heading(text="The answer, from the measured numbers"))
    for sentence in answer_sentences(central, paired, results, cells, recall=recall):
        blocks.append(Paragraph(text=sentence))
    blocks.append(Heading(text="Each row in words"))
    for sentence in central_sentences(central, recall=recall):
        blocks.append(Paragraph(text=sentence))
    blocks.append(
        Paragraph(
            text="Python vs Java compares different samples, so the tests are for independent "
            "proportions (Fisher's exact test, scipy.stats.fisher_exact, two-sided; two-proportion "
            "z). Before vs after compares decisions on the same samples, so it uses the exact "
            "McNemar test: scipy.stats has no McNemar test, and the exact one is the two-sided "
            "binomial test (scipy.stats.binomtest, p = 0.5) on the discordant samples. The "
            "'transfer' row is the java-only model on Python beside the python-only model on Java."
        )
    )
    if paired:
        blocks.append(Heading(text="Before vs after, paired"))
        blocks.append(before_after_table(paired, recall=recall))
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
        if dataset in ("test", TRANSFER):
            continue
        external = [by_model[c.name] for c in cells if c.name in by_model]
        blocks.append(Heading(text=f"External set: {dataset}"))
        n = len(datasets[dataset])
        blocks.append(
            Paragraph(
                text=f"{n} samples; models see only the code. CWEs outside a model's classes count for "
                "detection only. These are external development numbers: nothing was tuned on them."
            )
        )
        blocks.append(summary_table(external, caption=dataset))
    transfer = results.get(TRANSFER, {})
    if transfer:
        blocks.append(Heading(text="Cross-language transfer"))
        blocks.append(
            Paragraph(
                text="Each single-language model on the test split of the language it was not trained "
                "on, at its own calibrated threshold."
            )
        )
        blocks.append(
            summary_table(
                [transfer[c.name] for c in cells if c.name in transfer], caption="test split, the other language"
            )
        )
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
        series = {
            lang: [((r[lang]["fpr"], r[lang]["fpr_ci"]) if r[lang] else (None, None)) for r in central]
            for lang in LANGUAGES
        }
        blocks.append(
            Image(
                alt="FPR Python vs Java per model (95% Wilson intervals)",
                png=plots.grouped_bars(
                    groups,
                    series,
                    ylabel="false positive rate",
                    title="FPR Python vs Java, before and after fine-tuning",
                ),
            )
        )
    measured = [test[cell.name] for cell in cells if cell.name in test]
    curves, languages = score_curves(measured)
    blocks.append(Image(alt="ROC per language, test split", png=plots.roc_plot(curves, languages=languages)))
    for cell in cells:
        if cell.name in test and cell.subset == "joint":
            blocks += model_plots(test[cell.name], curves[test[cell.name].name], where=" (test)")
    return blocks


def write_study_report(
    out: Path,
    *,
    config: Any,
    cells: Sequence[Any],
    datasets: Mapping[str, Sequence[Sample]],
    notes: Sequence[str],
    report_to: Path | None = None,
) -> dict[str, Any]:
    """Read every finished cell of the study in `out`, write report.md (with plots/), report.html
    and summary.json there and, when given, in `report_to` too (what a repository commits: the
    report without the models and predictions); return the summary."""
    from vulntune.config import to_mapping

    plain = to_mapping(config)
    results = load_results(out, cells, datasets)
    test = results.get("test", {})
    recall = float(plain.get("fixed_recall", 0.9))
    central = central_rows(
        cells,
        test,
        transfer=results.get(TRANSFER, {}),
        recall=recall,
        families={s.id: s.family for s in datasets.get("test", [])},
        resamples=int(plain.get("bootstrap", 1000)),
        seed=int(plain.get("seed", 0)),
    )
    paired = before_after_rows(cells, test, recall=recall)
    tests = holm_family(central, paired, recall=recall)
    blocks = study_blocks(
        config=plain,
        cells=cells,
        results=results,
        datasets=datasets,
        notes=notes,
        central=central,
        paired=paired,
        tests=tests,
    )
    summary = {
        "central": central,
        "before_after": paired,
        "tests": tests,
        "notes": list(notes),
        "evaluated": {d: sorted(by) for d, by in results.items()},
    }
    for folder in (out, report_to) if report_to is not None else (out,):
        folder.mkdir(parents=True, exist_ok=True)
        write_report(folder, blocks, title=TITLE)
        write_text(folder / "summary.json", dumps_metrics(summary))
    return summary
