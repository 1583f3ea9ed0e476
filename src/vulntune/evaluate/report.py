"""Reports: a small document model (headings, paragraphs, tables, images) rendered twice, as
report.md and as a self-contained report.html with the plots embedded as base64 PNG.

Every sentence of prose is generated from the measured numbers; nothing here states a result
that is not in the metrics it was given.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vulntune.atomic import write_bytes, write_text
from vulntune.cwe import ordered_languages
from vulntune.data import SAFE_KINDS
from vulntune.evaluate import plots
from vulntune.evaluate.intervals import rate_difference_test
from vulntune.evaluate.run import ModelResult


@dataclass(kw_only=True, frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(kw_only=True, frozen=True)
class Paragraph:
    text: str


@dataclass(kw_only=True, frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str | None = None


@dataclass(kw_only=True, frozen=True)
class Image:
    alt: str
    png: bytes


Block = Heading | Paragraph | Table | Image


def by_language_items(metrics: Mapping[str, Any]) -> list[tuple[str, Any]]:
    by = metrics["by_language"]
    return [(lang, by[lang]) for lang in ordered_languages(by)]


# --- formatting ------------------------------------------------------------------------------


def pct(value: float | None, digits: int = 1) -> str:
    """0.0612 -> '6.1%'; None -> 'n/a'."""
    return "n/a" if value is None else f"{100 * value:.{digits}f}%"


def num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def ci_text(ci: Sequence[float] | None, *, percent: bool = True) -> str:
    if not ci:
        return ""
    lo, hi = ci
    return f"[{pct(lo)}, {pct(hi)}]" if percent else f"[{lo:.3f}, {hi:.3f}]"


def rate_cell(rate: float | None, ci: Sequence[float] | None, count: str | None = None) -> str:
    """'6.1% (3/49) [2.1%, 16.5%]'."""
    if rate is None:
        return "n/a"
    parts = [pct(rate)]
    if count:
        parts.append(f"({count})")
    if ci:
        parts.append(ci_text(ci))
    return " ".join(parts)


def p_text(p: float | None) -> str:
    if p is None:
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def p_is(p: float | None) -> str:
    """`p_text` as the end of a sentence's "p ...": "= 0.046", "< 0.001", "n/a"."""
    text = p_text(p)
    return text if text.startswith("<") or text == "n/a" else f"= {text}"


# --- rendering -------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def image_names(blocks: Sequence[Block]) -> list[str]:
    """File names of the document's images, in order: a number and the alt text as a slug."""
    images = [b for b in blocks if isinstance(b, Image)]
    return [f"{k:02d}-{re.sub(r'[^a-z0-9]+', '-', b.alt.lower()).strip('-')[:60]}.png" for k, b in enumerate(images, 1)]


def render_markdown(blocks: Sequence[Block], *, title: str) -> str:
    """Markdown text of the document; images link to `plots/<name>` (see `image_names`)."""
    lines = [f"# {title}", ""]
    names = iter(image_names(blocks))
    for b in blocks:
        if isinstance(b, Heading):
            lines += ["#" * b.level + " " + b.text, ""]
        elif isinstance(b, Paragraph):
            lines += [b.text, ""]
        elif isinstance(b, Table):
            if b.caption:
                lines += [f"*{b.caption}*", ""]
            lines.append("| " + " | ".join(_md_cell(h) for h in b.headers) + " |")
            lines.append("|" + "|".join("---" for _ in b.headers) + "|")
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
            lines.append("")
        elif isinstance(b, Image):
            lines += [f"![{_md_cell(b.alt)}](plots/{next(names)})", ""]
    return "\n".join(lines).rstrip() + "\n"


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: 4px; }
figure { margin: 1em 0; }
img { max-width: 100%; }
"""


def render_html(blocks: Sequence[Block], *, title: str) -> str:
    """A single HTML file: styles inline, images as data URIs, no external requests."""
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
    ]
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"<h{b.level}>{esc(b.text)}</h{b.level}>")
        elif isinstance(b, Paragraph):
            out.append(f"<p>{esc(b.text)}</p>")
        elif isinstance(b, Table):
            out.append("<table>")
            if b.caption:
                out.append(f"<caption>{esc(b.caption)}</caption>")
            out.append("<tr>" + "".join(f"<th>{esc(str(h))}</th>" for h in b.headers) + "</tr>")
            for row in b.rows:
                out.append("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in row) + "</tr>")
            out.append("</table>")
        elif isinstance(b, Image):
            data = base64.b64encode(b.png).decode("ascii")
            out.append(
                f'<figure><img alt="{esc(b.alt)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{esc(b.alt)}</figcaption></figure>"
            )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_report(out: Path, blocks: Sequence[Block], *, title: str) -> None:
    """Write `out/report.md`, its images as `out/plots/*.png` (older ones removed) and a
    self-contained `out/report.html`, each file atomically."""
    plots_dir = out / "plots"
    images = [b for b in blocks if isinstance(b, Image)]
    names = image_names(blocks)
    if plots_dir.is_dir():
        for stale in sorted(plots_dir.glob("*.png")):
            if stale.name not in names:
                stale.unlink()
    if images:
        plots_dir.mkdir(parents=True, exist_ok=True)
    for name, image in zip(names, images):
        write_bytes(plots_dir / name, image.png)
    write_text(out / "report.md", render_markdown(blocks, title=title))
    write_text(out / "report.html", render_html(blocks, title=title))


# --- the evaluation report -------------------------------------------------------------------


def summary_table(results: Sequence[ModelResult], *, caption: str | None = None) -> Table:
    """One row per model and language: the headline metrics with their intervals."""
    rows = []
    for r in results:
        for language, m in by_language_items(r.metrics):
            t = m["twins"]
            rows.append(
                [
                    r.name,
                    language,
                    str(m["n"]),
                    rate_cell(m["precision"], m["precision_ci"]),
                    rate_cell(m["recall"], m["recall_ci"], f"{m['tp']}/{m['positives']}"),
                    f"{num(m['f1'])} {ci_text(m['f1_ci'], percent=False)}".strip(),
                    rate_cell(m["fpr"], m["fpr_ci"], f"{m['fp']}/{m['negatives']}"),
                    pct(m["vd_score"]),
                    f"{num(m['auroc'])} {ci_text(m['auroc_ci'], percent=False)}".strip(),
                    num(m["auprc"]),
                    num(m["mcc"]),
                    rate_cell(t["pair_correct_rate"], t["pair_correct_rate_ci"], f"{t['correct']}/{t['pairs']}")
                    if t["pairs"]
                    else "n/a",
                    pct(m["cwe_accuracy"]),
                ]
            )
    return Table(
        headers=[
            "model",
            "language",
            "n",
            "precision",
            "recall",
            "F1",
            "FPR",
            "VD-score",
            "AUROC",
            "AUPRC",
            "MCC",
            "twin pair-correct",
            "CWE acc. (TP)",
        ],
        rows=rows,
        caption=caption,
    )


def cwe_fpr_table(result: ModelResult) -> Table:
    """FPR per CWE, one column per language (Python beside Java)."""
    by_language = result.metrics["by_language"]
    languages = ordered_languages(by_language)
    cwes = sorted({c for m in by_language.values() for c in m["by_cwe"]}, key=lambda c: int(c.split("-")[1]))
    rows = []
    for cwe in cwes:
        row = [cwe]
        for language in languages:
            b = by_language[language]["by_cwe"].get(cwe)
            row.append(rate_cell(b["fpr"], b["fpr_ci"], f"{b['fp']}/{b['negatives']}") if b else "-")
        for language in languages:
            b = by_language[language]["by_cwe"].get(cwe)
            row.append(rate_cell(b["recall"], None, f"{b['tp']}/{b['positives']}") if b else "-")
        rows.append(row)
    headers = ["CWE"] + [f"FPR {lang}" for lang in languages] + [f"recall {lang}" for lang in languages]
    return Table(headers=headers, rows=rows, caption=f"{result.name}: per CWE")


def safe_kind_table(results: Sequence[ModelResult]) -> Table | None:
    rows = []
    for r in results:
        for language, m in by_language_items(r.metrics):
            kinds = m["by_safe_kind"]
            if not kinds:
                continue
            rows.append(
                [r.name, language]
                + [
                    rate_cell(kinds[k]["fpr"], kinds[k]["fpr_ci"], f"{kinds[k]['fp']}/{kinds[k]['negatives']}")
                    if k in kinds
                    else "-"
                    for k in SAFE_KINDS
                ]
            )
    if not rows:
        return None
    return Table(headers=["model", "language", *SAFE_KINDS], rows=rows, caption="FPR per safe kind")


def twins_table(results: Sequence[ModelResult]) -> Table | None:
    rows = []
    for r in results:
        for language, m in by_language_items(r.metrics):
            t = m["twins"]
            if not t["pairs"]:
                continue
            rows.append(
                [
                    r.name,
                    language,
                    str(t["pairs"]),
                    str(t["correct"]),
                    str(t["safe_flagged"]),
                    str(t["vulnerable_missed"]),
                    str(t["both_wrong"]),
                    rate_cell(t["pair_correct_rate"], t["pair_correct_rate_ci"]),
                    rate_cell(t["twin_fpr"], t["twin_fpr_ci"], f"{t['twin_fp']}/{t['twin_negatives']}"),
                ]
            )
    if not rows:
        return None
    return Table(
        headers=[
            "model",
            "language",
            "pairs",
            "correct",
            "safe twin flagged",
            "vulnerable missed",
            "both wrong",
            "pair-correct rate",
            "twin FPR",
        ],
        rows=rows,
        caption="Twin pairs: a vulnerable sample and its minimally different safe twin(s)",
    )


def model_sentences(r: ModelResult) -> list[str]:
    """Plain sentences, one per language, built only from `r.metrics`."""
    out = []
    for language, m in by_language_items(r.metrics):
        parts = []
        if m["negatives"]:
            parts.append(
                f"flagged {m['fp']} of {m['negatives']} safe samples (FPR {pct(m['fpr'])}, 95% CI "
                f"{pct(m['fpr_ci'][0])} to {pct(m['fpr_ci'][1])})"
            )
        if m["positives"]:
            parts.append(f"caught {m['tp']} of {m['positives']} vulnerable ones (recall {pct(m['recall'])})")
        text = f"On {language}, {r.name} " + " and ".join(parts) + "."
        t = m["twins"]
        if t["pairs"]:
            text += (
                f" Of {t['pairs']} twin pairs it got {t['correct']} right ({pct(t['pair_correct_rate'])}); in "
                f"{t['safe_flagged'] + t['both_wrong']} of them it also flagged the safe twin."
            )
        if m["vd_score"] is not None:
            text += f" At FPR at most 0.5% it would miss {pct(m['vd_score'])} of the vulnerable samples (VD-score)."
        out.append(text)
    return out


def language_gap_sentence(r: ModelResult) -> str | None:
    """Compare the model's FPR between Python and Java with Fisher's exact test, if both exist."""
    by = r.metrics["by_language"]
    if "python" not in by or "java" not in by:
        return None
    p, j = by["python"], by["java"]
    if not p["negatives"] or not j["negatives"]:
        return None
    test = rate_difference_test(p["fp"], p["negatives"], j["fp"], j["negatives"])
    return (
        f"{r.name}: FPR Python {pct(p['fpr'])} ({p['fp']}/{p['negatives']}) vs Java {pct(j['fpr'])} "
        f"({j['fp']}/{j['negatives']}), difference {100 * test['difference']:+.1f} points, Fisher's exact "
        f"p = {p_text(test['p_fisher'])}, two-proportion z p = {p_text(test['p_z'])}."
    )


def score_curves(
    results: Sequence[ModelResult],
) -> tuple[dict[str, dict[str, tuple[list[bool], list[float]]]], list[str]]:
    """Per model and language, (truths, scores) of its samples; and the languages, in order."""
    curves: dict[str, dict[str, tuple[list[bool], list[float]]]] = {}
    languages: set[str] = set()
    for r in results:
        by: dict[str, tuple[list[bool], list[float]]] = {}
        for s in r.scored:
            y, sc = by.setdefault(s.language, ([], []))
            y.append(s.vulnerable)
            sc.append(s.score)
            languages.add(s.language)
        curves[r.name] = by
    return curves, ordered_languages(languages)


def evaluation_blocks(results: Sequence[ModelResult], *, data: Mapping[str, Any], plots_on: bool = True) -> list[Block]:
    """The document of `vulntune eval`: summary, per-language prose, tables and plots."""
    blocks: list[Block] = [Heading(text="Data")]
    counts = data.get("counts", {})
    desc = "; ".join(
        f"{lang}: {c['vulnerable']} vulnerable, {c['safe']} safe"
        for lang, c in ((k, counts[k]) for k in ordered_languages(counts))
    )
    blocks.append(Paragraph(text=f"{data.get('source', 'dataset')}: {data.get('samples', 0)} samples ({desc})."))
    blocks.append(
        Paragraph(
            text="Rates carry 95% Wilson intervals; F1 and AUROC carry 95% cluster-bootstrap "
            "intervals (twins resampled together). VD-score: the miss rate at the lowest "
            "threshold whose FPR is at most 0.5%."
        )
    )
    blocks.append(Heading(text="Summary"))
    blocks.append(summary_table(results))
    for r in results:
        for sentence in model_sentences(r):
            blocks.append(Paragraph(text=sentence))
        gap = language_gap_sentence(r)
        if gap:
            blocks.append(Paragraph(text=gap))
    twins = twins_table(results)
    if twins:
        blocks += [Heading(text="Twins"), twins]
    kinds = safe_kind_table(results)
    if kinds:
        blocks += [Heading(text="False positives per safe kind"), kinds]
    blocks.append(Heading(text="Per CWE"))
    for r in results:
        blocks.append(cwe_fpr_table(r))
        outside = r.metrics.get("cwes_outside_model") or []
        if outside:
            blocks.append(
                Paragraph(
                    text=f"{r.name}: {', '.join(outside)} are not among its classes; those samples "
                    "count for detection but not for CWE accuracy."
                )
            )
    if plots_on:
        blocks.append(Heading(text="Plots"))
        curves, languages = score_curves(results)
        blocks.append(Image(alt="ROC per language", png=plots.roc_plot(curves, languages=languages)))
        for r in results:
            blocks += model_plots(r, curves[r.name])
    return blocks


def model_plots(
    result: ModelResult, curve: Mapping[str, tuple[list[bool], list[float]]], *, where: str = ""
) -> list[Image]:
    """One model's plots: FPR per CWE, the confusion matrix per language and the score histogram
    (`curve`: its entry of `score_curves`; `where` ends the first plot's title)."""
    by_language = result.metrics["by_language"]
    name = result.name
    return [
        Image(
            alt=f"{name}: FPR per CWE",
            png=plots.cwe_fpr_bars(
                {k: v["by_cwe"] for k, v in by_language.items()}, title=f"{name}: FPR per CWE{where}"
            ),
        ),
        Image(alt=f"{name}: confusion matrix", png=plots.confusion_plot(by_language, title=name)),
        Image(
            alt=f"{name}: score histogram",
            png=plots.score_histogram(curve, threshold=float(result.info["threshold"]), title=name),
        ),
    ]


# --- the suite scorecard report --------------------------------------------------------------


def suite_blocks(
    cards: Mapping[str, Mapping[str, Any]], *, suite: Mapping[str, Any], plots_on: bool = True
) -> list[Block]:
    """The document of `vulntune eval --suite`: per category and overall TPR, FPR and score."""
    blocks: list[Block] = [Heading(text="Suite")]
    blocks.append(
        Paragraph(
            text=f"{suite.get('expected')}: {suite.get('cases')} test cases under {suite.get('suite')} "
            f"({suite.get('real')} real vulnerabilities, {suite.get('cases', 0) - suite.get('real', 0)} "
            f"false-positive tests). A test case counts as detected when a finding in its file "
            f"has its CWE. Findings: {suite.get('findings')}."
        )
    )
    for name, card in cards.items():
        rows = []
        for cat, b in card["by_category"].items():
            rows.append(
                [
                    cat,
                    b["cwe"],
                    str(b["tp"] + b["fn"]),
                    str(b["fp"] + b["tn"]),
                    rate_cell(b["tpr"], b["tpr_ci"], f"{b['tp']}/{b['tp'] + b['fn']}"),
                    rate_cell(b["fpr"], b["fpr_ci"], f"{b['fp']}/{b['fp'] + b['tn']}"),
                    num(b["score"]),
                ]
            )
        m = card["micro"]
        rows.append(
            [
                "overall (micro)",
                "",
                str(m["tp"] + m["fn"]),
                str(m["fp"] + m["tn"]),
                rate_cell(m["tpr"], m["tpr_ci"], f"{m['tp']}/{m['tp'] + m['fn']}"),
                rate_cell(m["fpr"], m["fpr_ci"], f"{m['fp']}/{m['fp'] + m['tn']}"),
                num(m["score"]),
            ]
        )
        a = card["macro"]
        rows.append(
            [
                f"overall (macro, {a['categories']} categories)",
                "",
                "",
                "",
                pct(a["tpr"]),
                pct(a["fpr"]),
                num(a["score"]),
            ]
        )
        blocks.append(
            Table(
                headers=["category", "CWE", "real", "not real", "TPR", "FPR", "score (TPR - FPR)"],
                rows=rows,
                caption=f"{name}: scorecard",
            )
        )
        blocks.append(
            Paragraph(
                text=f"{name} detected {m['tp']} of {m['tp'] + m['fn']} real vulnerabilities and "
                f"flagged {m['fp']} of {m['fp'] + m['tn']} false-positive tests: micro score "
                f"{num(m['score'])}, macro score {num(a['score'])}."
            )
        )
    if plots_on and cards:
        cats = sorted({c for card in cards.values() for c in card["by_category"]})
        series = {
            name: [(card["by_category"][c]["score"], None) if c in card["by_category"] else (None, None) for c in cats]
            for name, card in cards.items()
        }
        # a score can be negative; plot it clipped at 0 only in the bars' baseline sense
        series = {n: [(max(0.0, v) if v is not None else None, None) for v, _ in s] for n, s in series.items()}
        blocks.append(
            Image(
                alt="score (TPR - FPR) per category, negative scores shown as 0",
                png=plots.grouped_bars(cats, series, ylabel="TPR - FPR", title="Suite score per category"),
            )
        )
    return blocks
