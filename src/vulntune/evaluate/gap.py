"""The FPR gap between two groups (two languages) at matched recall, and how sure we are of it.

A referee's objections to "Fisher's exact p at a fixed threshold" are that samples of one
template family are not independent, and that the threshold reaching a recall is itself an
estimate. So the gap's interval here comes from a **family-cluster bootstrap**: in each resample
the template families of each group are drawn with replacement (a record with no family is its
own cluster), and each group's threshold is picked again on that resample's vulnerable records.
Beside it: the gap as a curve over recall, Holm-Bonferroni adjusted p-values, a
Cochran-Mantel-Haenszel test of "FPR differs between the groups" within strata (CWE x safe kind),
and the smallest FPR difference the sample sizes can detect.

Records are plain sequences ``(score, is_vulnerable, family, stratum)``: family and stratum may be
None (or left off), so the module knows nothing of the study's types.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

Record = Sequence[Any]  # (score, is_vulnerable, family, stratum)
RECALL_GRID = tuple(round(0.5 + 0.05 * k, 2) for k in range(9))  # 0.50, 0.55, ..., 0.90
LEVEL = 0.95
_EPS = 1e-9  # recall targets are compared with a tolerance: 0.8 x 10 is 8.000000000000002


# --- thresholds at a recall ------------------------------------------------------------------


def _field(record: Record, index: int) -> Any:
    return record[index] if len(record) > index else None


def _thresholds(scores: np.ndarray, weights: np.ndarray, recalls: Sequence[float]) -> np.ndarray:
    """The highest threshold reaching each recall, per row of `weights` (shape (B, n)): NaN where
    a row gives the vulnerable records no weight.

    `scores` are the vulnerable records' scores sorted from high to low; with unit weights and
    k = ceil(recall x n), the threshold is the k-th highest score, as `significance.recall_threshold`
    picks it. A record drawn twice counts twice.
    """
    cum = np.cumsum(weights, axis=1)
    total = cum[:, -1:]
    out = np.full((weights.shape[0], len(recalls)), np.nan)
    for j, recall in enumerate(recalls):
        reached = cum >= recall * total - _EPS
        first = np.argmax(reached, axis=1)
        out[:, j] = np.where(total[:, 0] > 0, scores[first], np.nan)
    return out


def _fprs(scores: np.ndarray, weights: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """FPR of the safe records (`scores`, `weights` (B, n)) at each threshold (B, R); NaN where the
    threshold or the safe weight is missing."""
    negatives = weights.sum(axis=1)
    flagged = scores[None, None, :] >= thresholds[:, :, None]  # (B, R, n)
    fp = np.einsum("brn,bn->br", flagged.astype(np.float64), weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        fpr = fp / negatives[:, None]
    return np.where(np.isfinite(thresholds) & (negatives[:, None] > 0), fpr, np.nan)


def _cluster_weights(records: Sequence[Record], *, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """How often each record is drawn in each resample, shape (resamples, n): whole families drawn
    with replacement, as many as the group has; a record without a family is its own cluster."""
    keys = [f if (f := _field(r, 2)) is not None else ("record", i) for i, r in enumerate(records)]
    index: dict[Any, int] = {}
    members = np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)
    clusters = len(index)
    counts = rng.multinomial(clusters, np.full(clusters, 1.0 / clusters), size=resamples)
    return counts[:, members].astype(np.float64)


class _Group:
    """One group's records split into vulnerable (sorted high to low) and safe, with their
    resampling weights; the first row of each weight matrix is the data itself (all ones)."""

    def __init__(self, records: Sequence[Record], *, resamples: int, rng: np.random.Generator):
        scores = np.array([float(r[0]) for r in records], dtype=np.float64)
        vulnerable = np.array([bool(r[1]) for r in records], dtype=bool)
        weights = np.vstack([np.ones((1, len(records))), _cluster_weights(records, resamples=resamples, rng=rng)])
        order = np.argsort(-scores[vulnerable], kind="stable")
        self.vulnerable_scores = scores[vulnerable][order]
        self.vulnerable_weights = weights[:, vulnerable][:, order]
        self.safe_scores = scores[~vulnerable]
        self.safe_weights = weights[:, ~vulnerable]
        self.families = len({f for r in records if (f := _field(r, 2)) is not None})
        self.unclustered = sum(_field(r, 2) is None for r in records)

    def fpr(self, recalls: Sequence[float], floor: float | None) -> tuple[np.ndarray, np.ndarray]:
        """(thresholds, FPRs), each (1 + resamples, len(recalls)); a threshold at or below `floor`
        is out of reach and gives NaN."""
        thresholds = _thresholds(self.vulnerable_scores, self.vulnerable_weights, recalls)
        if floor is not None:
            thresholds = np.where(thresholds > floor, thresholds, np.nan)
        return thresholds, _fprs(self.safe_scores, self.safe_weights, thresholds)

    def point(self, threshold: float) -> dict[str, Any]:
        fp = int((self.safe_scores >= threshold).sum())
        tp = int((self.vulnerable_scores >= threshold).sum())
        return {
            "threshold": float(threshold),
            "fp": fp,
            "negatives": int(self.safe_scores.size),
            "fpr": fp / self.safe_scores.size,
            "recall": tp / self.vulnerable_scores.size,
            "families": self.families,
            "unclustered": self.unclustered,
        }


def _spread(values: np.ndarray, *, level: float) -> dict[str, Any]:
    """Mean, SD and central percentile interval of the finite bootstrap values."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"mean": None, "sd": None, "interval": None, "valid": 0}
    alpha = (1 - level) / 2
    lo, hi = np.quantile(finite, [alpha, 1 - alpha])
    return {
        "mean": float(finite.mean()),
        "sd": float(finite.std(ddof=1)) if finite.size > 1 else 0.0,
        "interval": [float(lo), float(hi)],
        "valid": int(finite.size),
    }


def _usable(records: Sequence[Record]) -> bool:
    return any(bool(r[1]) for r in records) and any(not bool(r[1]) for r in records)


# --- the gap ---------------------------------------------------------------------------------


def gap_curve(
    a: Sequence[Record],
    b: Sequence[Record],
    *,
    recalls: Sequence[float] = RECALL_GRID,
    resamples: int = 1000,
    seed: int = 0,
    level: float = LEVEL,
    floor: float | None = 0.0,
) -> dict[str, Any] | None:
    """FPR(a) - FPR(b) at each recall, each group at its own threshold, with bootstrap bands.

    Every resample draws each group's families with replacement (independently per group) and
    picks each group's threshold again on the resample's vulnerable records: the threshold's own
    uncertainty is in the band. All recalls share the same resamples.

    Args:
        a, b: records ``(score, is_vulnerable, family, stratum)``; stratum is not read here.
        recalls: the matched recalls (default 0.50 to 0.90 in steps of 0.05).
        resamples: bootstrap replicates; 0 gives the point values only.
        seed: the only randomness: the same inputs and seed give the same numbers.
        level: the percentile interval's coverage.
        floor: a threshold at or below it is out of reach (a score of 0 is a record no detector
            reports, as `significance.at_recall` has it); None accepts any threshold.

    Returns:
        {"recalls", "points": [one entry per recall: "recall", "gap" (None where a group cannot
        reach the recall), "a" and "b" (threshold, fp, negatives, fpr, achieved recall, families,
        unclustered records; each group's "mean", "sd", "interval" of its FPR), "mean", "sd",
        "interval", "valid" (resamples where both groups reach the recall)], "resamples", "seed",
        "level"}; None when a group has no vulnerable or no safe record.
    """
    if not _usable(a) or not _usable(b):
        return None
    rng = np.random.default_rng(seed)
    groups = [_Group(records, resamples=resamples, rng=rng) for records in (a, b)]
    (ta, fa), (tb, fb) = (g.fpr(recalls, floor) for g in groups)
    gap = fa - fb
    points = []
    for j, recall in enumerate(recalls):
        entry: dict[str, Any] = {"recall": float(recall), "gap": None, "a": None, "b": None}
        if np.isfinite(ta[0, j]) and np.isfinite(tb[0, j]):
            sides = [g.point(t[0, j]) for g, t in zip(groups, (ta, tb))]
            for side, f in zip(sides, (fa, fb)):
                side.update({k: v for k, v in _spread(f[1:, j], level=level).items() if k != "valid"})
            entry.update(a=sides[0], b=sides[1], gap=sides[0]["fpr"] - sides[1]["fpr"])
            entry.update(_spread(gap[1:, j], level=level))
        else:
            entry.update(mean=None, sd=None, interval=None, valid=0)
        points.append(entry)
    return {
        "recalls": [float(r) for r in recalls],
        "points": points,
        "resamples": resamples,
        "seed": seed,
        "level": level,
    }


def gap_at_recall(
    a: Sequence[Record],
    b: Sequence[Record],
    *,
    recall: float,
    resamples: int = 1000,
    seed: int = 0,
    level: float = LEVEL,
    floor: float | None = 0.0,
) -> dict[str, Any] | None:
    """The gap FPR(a) - FPR(b) at one matched recall with its family-cluster bootstrap (see
    `gap_curve`, whose arguments these are): {"recall", "gap", "a", "b", "mean", "sd",
    "interval", "valid", "resamples", "seed", "level"}. None when a group has no vulnerable or
    no safe record, or cannot reach `recall` on the data."""
    curve = gap_curve(a, b, recalls=(recall,), resamples=resamples, seed=seed, level=level, floor=floor)
    if curve is None or curve["points"][0]["gap"] is None:
        return None
    return {**curve["points"][0], "resamples": resamples, "seed": seed, "level": level}


# --- the figure ------------------------------------------------------------------------------


def plot_gap_curves(
    curves: Mapping[str, Mapping[str, Any]],
    *,
    groups: tuple[str, str] = ("python", "java"),
    title: str = "FPR gap at matched recall",
    path: Path | None = None,
) -> bytes:
    """PNG of the curves of `gap_curve`: left, both groups' FPR against recall with bands; right,
    the gap with its band. One line style per judge (e.g. before and after fine-tuning).

    Args:
        curves: {judge label: gap_curve result}, in legend order.
        groups: the names of groups a and b.
        title: the figure's title.
        path: where to write the PNG too (its folder must exist).

    Returns:
        The PNG bytes (matplotlib's Agg canvas, imported here; no "Software" tag, so the same
        numbers give the same bytes).
    """
    from vulntune.evaluate.plots import LANGUAGE_COLOURS, _figure, _png

    fig = _figure(10.0, 4.2)
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    styles = ["--", "-", ":", "-."]
    greys = ["#999999", "#222222", "#666666", "#444444"]  # the gap panel: one shade per judge
    fallback = ["#3572A5", "#B07219"]
    for k, (label, curve) in enumerate(curves.items()):
        style = styles[k % len(styles)]
        for side, group, colour in zip(("a", "b"), groups, fallback):
            colour = LANGUAGE_COLOURS.get(group, colour)
            x, y, lo, hi = _series(curve["points"], lambda p, s=side: p[s] and (p[s]["fpr"], p[s]["interval"]))
            left.plot(x, y, linestyle=style, color=colour, marker="o", markersize=3, label=f"{group}, {label}")
            left.fill_between(x, lo, hi, color=colour, alpha=0.12, linewidth=0)
        x, y, lo, hi = _series(curve["points"], lambda p: p["gap"] is not None and (p["gap"], p["interval"]))
        grey = greys[k % len(greys)]
        right.plot(x, y, linestyle=style, color=grey, marker="o", markersize=3, label=label)
        right.fill_between(x, lo, hi, color=grey, alpha=0.12, linewidth=0)
    right.axhline(0.0, color="#bbbbbb", linewidth=0.8)
    left.set_title("false positive rate at matched recall")
    left.set_xlabel("recall (each group at its own threshold)")
    left.set_ylabel("false positive rate")
    right.set_title(f"{title}: {groups[0]} - {groups[1]}")
    right.set_xlabel("recall")
    right.set_ylabel("FPR gap")
    for ax in (left, right):
        ax.legend(fontsize=7)
    png = _png(fig)
    if path is not None:
        Path(path).write_bytes(png)
    return png


def _series(points: Sequence[Mapping[str, Any]], pick: Any) -> tuple[list[float], ...]:
    """x, value, lower and upper band of the points where `pick` gives (value, interval); a point
    without an interval is drawn without a band (NaN)."""
    x, y, lo, hi = [], [], [], []
    for p in points:
        got = pick(p)
        if not got:
            continue
        value, interval = got
        x.append(p["recall"])
        y.append(value)
        lo.append(interval[0] if interval else math.nan)
        hi.append(interval[1] if interval else math.nan)
    return x, y, lo, hi


# --- multiplicity ----------------------------------------------------------------------------


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm-Bonferroni adjusted p-values, in the input order.

    With the m given p-values sorted ascending, p_(i) becomes max over j <= i of
    min(1, (m - j + 1) p_(j)). A None (a test that could not be run) stays None and does not
    count in m.
    """
    present = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    out: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(present):
        running = max(running, min(1.0, (len(present) - rank) * p))
        out[i] = running
    return out


# --- stratified test -------------------------------------------------------------------------


def flag_tables(
    a: Sequence[Record], b: Sequence[Record], *, threshold_a: float, threshold_b: float
) -> dict[Any, tuple[int, int, int, int]]:
    """{stratum: (a flagged, a not flagged, b flagged, b not flagged)} over the safe records, each
    group at its own threshold (score >= threshold is flagged); strata in first-seen order."""
    tables: dict[Any, list[int]] = {}
    for offset, records, threshold in ((0, a, threshold_a), (2, b, threshold_b)):
        for r in records:
            if bool(r[1]):
                continue
            cell = tables.setdefault(_field(r, 3), [0, 0, 0, 0])
            cell[offset + (0 if float(r[0]) >= threshold else 1)] += 1
    return {k: (v[0], v[1], v[2], v[3]) for k, v in tables.items()}


def cmh_test(tables: Mapping[Any, Sequence[int]]) -> dict[str, Any] | None:
    """Cochran-Mantel-Haenszel test that the flag rate differs between groups a and b within strata.

    Each stratum k is a 2x2 table (a_k flagged, b_k not flagged in group a; c_k flagged, d_k not
    flagged in group b), n_k = a_k + b_k + c_k + d_k. A stratum with a zero margin (one group
    empty, or everyone flagged or no one) has zero variance and contributes nothing; it is
    listed as uninformative.

    Returns:
        {"odds_ratio": the Mantel-Haenszel common odds ratio sum(a d / n) / sum(b c / n) (None when
        the denominator is 0: unbounded or undefined), "chi2": (|sum(a - E[a])| - 0.5)^2 / sum(Var[a]) with
        E[a] = (a+b)(a+c)/n and Var[a] = (a+b)(c+d)(a+c)(b+d) / (n^2 (n-1)) (continuity
        corrected, floored at 0), "p": its upper tail on chi-square with 1 df (scipy.stats.chi2),
        "informative": strata that contribute, "uninformative": the others}; None when no stratum
        is informative.
    """
    from scipy.stats import chi2

    informative, uninformative = [], []
    observed = expected = variance = numerator = denominator = 0.0
    for stratum, (a, b, c, d) in tables.items():
        n = a + b + c + d
        if min(a + b, c + d, a + c, b + d) == 0:
            uninformative.append(stratum)
            continue
        informative.append(stratum)
        observed += a
        expected += (a + b) * (a + c) / n
        variance += (a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1))
        numerator += a * d / n
        denominator += b * c / n
    if not informative:
        return None
    statistic = max(0.0, abs(observed - expected) - 0.5) ** 2 / variance
    return {
        "odds_ratio": numerator / denominator if denominator > 0 else None,
        "chi2": statistic,
        "p": float(chi2.sf(statistic, 1)),
        "informative": informative,
        "uninformative": uninformative,
    }


# --- power -----------------------------------------------------------------------------------


def detectable_difference(
    *, n1: int, n2: int, base: float, alpha: float = 0.05, power: float = 0.8
) -> dict[str, float | None] | None:
    """The smallest difference from `base` in a proportion that a two-sided test at `alpha`
    detects with `power`, for independent samples of n1 (at rate `base`) and n2.

    Normal approximation without continuity correction (Fleiss): delta solves
    delta = z(1 - alpha/2) sqrt(pbar (1 - pbar) (1/n1 + 1/n2)) + z(power) sqrt(p1 q1 / n1 + p2 q2 / n2)
    with p1 = base, p2 = base +- delta and pbar the n-weighted mean of p1 and p2. It treats samples
    as independent: with template families the effective n is smaller, so this is a best case.

    Returns:
        {"up": delta with p2 above base, "down": delta with p2 below base (None where no
        difference within [0, 1] is detectable)}; None when n1 or n2 is 0 or base is outside [0, 1].
    """
    if n1 <= 0 or n2 <= 0 or not 0 <= base <= 1:
        return None
    from scipy.optimize import brentq
    from scipy.stats import norm

    z_alpha, z_power = norm.ppf(1 - alpha / 2), norm.ppf(power)

    def shortfall(delta: float, sign: int) -> float:
        p2 = base + sign * delta
        pbar = (n1 * base + n2 * p2) / (n1 + n2)
        need = z_alpha * math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
        need += z_power * math.sqrt(base * (1 - base) / n1 + p2 * (1 - p2) / n2)
        return delta - need

    out: dict[str, float | None] = {}
    tiny = 1e-12  # at delta = 0 the shortfall is 0 when base is 0 or 1; just above it, negative
    for name, sign, room in (("up", 1, 1 - base), ("down", -1, base)):
        solvable = room > tiny and shortfall(room, sign) >= 0
        out[name] = float(brentq(shortfall, tiny, room, args=(sign,), xtol=1e-10)) if solvable else None
    return out
