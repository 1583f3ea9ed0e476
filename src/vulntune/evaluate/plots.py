"""The report's plots as PNG bytes: ROC per language, per-CWE FPR bars (Python beside Java),
confusion matrices and score histograms.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot, no global backend switch), and
PNGs are written without the "Software" tag so the same numbers give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from vulntune.cwe import ordered_languages
from vulntune.evaluate.metrics import roc_curve

LANGUAGE_COLOURS = {"python": "#3572A5", "java": "#B07219"}
DPI = 100


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def roc_plot(curves: Mapping[str, Mapping[str, Sequence[Any]]], *, languages: Sequence[str]) -> bytes:
    """ROC curves, one panel per language, one line per model.

    Args:
        curves: {model name: {language: (y_true, scores)}}.
        languages: panels, in order.
    """
    fig = _figure(4.2 * max(1, len(languages)), 4.0)
    for k, language in enumerate(languages, 1):
        ax = fig.add_subplot(1, max(1, len(languages)), k)
        ax.plot([0, 1], [0, 1], color="#bbbbbb", linewidth=0.8, linestyle="--")
        for name, by_language in curves.items():
            if language not in by_language:
                continue
            y, scores = by_language[language]
            if all(y) or not any(y):
                continue
            curve = roc_curve(y, scores)
            ax.plot(
                curve["fpr"], curve["tpr"], label=name, linewidth=1.4
            )  # ties: a diagonal segment, as AUROC counts them
        ax.set_title(f"ROC: {language}")
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
        ax.set_xlim(-0.01, 1.01)
        ax.set_ylim(-0.01, 1.01)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="lower right", fontsize=7)
    return _png(fig)


def cwe_fpr_bars(by_language: Mapping[str, Mapping[str, Mapping[str, Any]]], *, title: str) -> bytes:
    """Per-CWE false positive rate, the languages' bars side by side, with Wilson error bars.

    Args:
        by_language: {language: {cwe: block}} (the `by_cwe` of each language's metrics).
    """
    languages = ordered_languages(by_language)
    cwes = sorted({c for m in by_language.values() for c in m}, key=lambda c: int(c.split("-")[1]))
    fig = _figure(max(5.0, 0.55 * len(cwes) + 2), 3.6)
    ax = fig.add_subplot(1, 1, 1)
    width = 0.8 / max(1, len(languages))
    for j, language in enumerate(languages):
        xs, heights, lows, highs = [], [], [], []
        for i, cwe in enumerate(cwes):
            block = by_language[language].get(cwe)
            if not block or block.get("fpr") is None:
                continue
            fpr = block["fpr"]
            lo, hi = block["fpr_ci"]
            xs.append(i - 0.4 + width * (j + 0.5))
            heights.append(fpr)
            lows.append(fpr - lo)
            highs.append(hi - fpr)
        ax.bar(
            xs,
            heights,
            width=width,
            label=language,
            color=LANGUAGE_COLOURS.get(language),
            yerr=[lows, highs],
            capsize=2,
            error_kw={"linewidth": 0.8},
        )
    ax.set_xticks(range(len(cwes)))
    ax.set_xticklabels(cwes, rotation=60, fontsize=7)
    ax.set_ylabel("false positive rate")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(fontsize=7)
    return _png(fig)


def confusion_plot(by_language: Mapping[str, Mapping[str, Any]], *, title: str) -> bytes:
    """2x2 confusion matrices, one per language (rows: truth, columns: decision)."""
    languages = ordered_languages(by_language)
    fig = _figure(3.0 * max(1, len(languages)), 3.0)
    for k, language in enumerate(languages, 1):
        m = by_language[language]
        ax = fig.add_subplot(1, max(1, len(languages)), k)
        grid = [[m["tp"], m["fn"]], [m["fp"], m["tn"]]]
        ax.imshow(grid, cmap="Blues")
        for r in range(2):
            for c in range(2):
                ax.text(c, r, str(grid[r][c]), ha="center", va="center", fontsize=11)
        ax.set_xticks([0, 1])
        ax.set_xticklabels(["flagged", "not flagged"], fontsize=8)
        ax.set_yticks([0, 1])
        ax.set_yticklabels(["vulnerable", "safe"], fontsize=8)
        ax.set_title(f"{title}: {language}", fontsize=9)
    return _png(fig)


def score_histogram(
    by_language: Mapping[str, tuple[Sequence[bool], Sequence[float]]], *, threshold: float, title: str
) -> bytes:
    """Score histograms of vulnerable vs safe samples per language, with the decision threshold."""
    languages = ordered_languages(by_language)
    fig = _figure(4.0 * max(1, len(languages)), 3.0)
    bins = [i / 20 for i in range(21)]
    for k, language in enumerate(languages, 1):
        y, scores = by_language[language]
        ax = fig.add_subplot(1, max(1, len(languages)), k)
        vuln = [s for s, t in zip(scores, y) if t]
        safe = [s for s, t in zip(scores, y) if not t]
        ax.hist(safe, bins=bins, alpha=0.6, label=f"safe ({len(safe)})", color="#4c9a2a")
        ax.hist(vuln, bins=bins, alpha=0.6, label=f"vulnerable ({len(vuln)})", color="#c0392b")
        ax.axvline(threshold, color="black", linewidth=0.8, linestyle="--")
        ax.set_xlabel("vulnerable score")
        ax.set_ylabel("samples")
        ax.set_title(f"{title}: {language}", fontsize=9)
        ax.legend(fontsize=7)
    return _png(fig)


def grouped_bars(
    groups: Sequence[str],
    series: Mapping[str, Sequence[tuple[float | None, Sequence[float] | None]]],
    *,
    ylabel: str,
    title: str,
) -> bytes:
    """Bars with interval whiskers: one group per entry of `groups`, one bar per series.

    Args:
        series: {series name: [(value or None, [low, high] or None) per group]}.
    """
    fig = _figure(max(5.0, 0.9 * len(groups) + 2), 3.6)
    ax = fig.add_subplot(1, 1, 1)
    names = list(series)
    width = 0.8 / max(1, len(names))
    for j, name in enumerate(names):
        xs, heights, lows, highs = [], [], [], []
        for i, (value, ci) in enumerate(series[name]):
            if value is None:
                continue
            xs.append(i - 0.4 + width * (j + 0.5))
            heights.append(value)
            lows.append(value - ci[0] if ci else 0.0)
            highs.append(ci[1] - value if ci else 0.0)
        ax.bar(
            xs,
            heights,
            width=width,
            label=name,
            color=LANGUAGE_COLOURS.get(name),
            yerr=[lows, highs],
            capsize=2,
            error_kw={"linewidth": 0.8},
        )
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, rotation=30, ha="right", fontsize=7)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(fontsize=7)
    return _png(fig)
