"""Confidence intervals and significance tests: Wilson score intervals for rates, a seeded
cluster bootstrap for F1 and AUROC, and two-sample tests for comparing two rates.

Everything here is pure and deterministic: the same inputs and seed give the same numbers.
No scipy: the normal tail comes from `math.erfc` and Fisher's exact test from `math.comb`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal: two-sided 95%


def wilson(successes: int, n: int, *, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion `successes / n`; None when n == 0.

    Unlike the normal ("Wald") interval it stays inside [0, 1] and is not degenerate at 0 or n:
    0 false positives out of 49 negatives gives [0, 0.073], not [0, 0].
    """
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be in [0, {n}], got {successes}")
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = (z / denom) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At 0 or n the exact bound is 0 or 1; clip rounding noise so it reads exactly so.
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return (lo, hi)


def normal_sf(x: float) -> float:
    """P(Z > x) for a standard normal Z."""
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> dict[str, float | None]:
    """Pooled two-proportion z-test of p1 == p2 (two-sided).

    Returns:
        {"z": statistic, "p_value": two-sided p}; both None when either n is 0 or the pooled
        proportion is 0 or 1 (no variance: the two rates are identical).
    """
    if n1 <= 0 or n2 <= 0:
        return {"z": None, "p_value": None}
    pooled = (x1 + x2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var <= 0:
        return {"z": None, "p_value": 1.0 if x1 * n2 == x2 * n1 else None}
    z = (x1 / n1 - x2 / n2) / math.sqrt(var)
    return {"z": z, "p_value": min(1.0, 2 * normal_sf(abs(z)))}


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher's exact test p-value for the 2x2 table [[a, b], [c, d]] (`scipy.stats`)."""
    from scipy.stats import fisher_exact as scipy_fisher_exact

    if a + b + c + d == 0:
        return 1.0
    return float(scipy_fisher_exact([[a, b], [c, d]], alternative="two-sided").pvalue)


def rate_difference_test(x1: int, n1: int, x2: int, n2: int) -> dict[str, float | None]:
    """Compare two rates x1/n1 and x2/n2: the difference, z-test and Fisher's exact p-values."""
    if n1 <= 0 or n2 <= 0:
        return {"difference": None, "z": None, "p_z": None, "p_fisher": None}
    z = two_proportion_z(x1, n1, x2, n2)
    return {
        "difference": x1 / n1 - x2 / n2,
        "z": z["z"],
        "p_z": z["p_value"],
        "p_fisher": fisher_exact(x1, n1 - x1, x2, n2 - x2),
    }


# --- bootstrap -------------------------------------------------------------------------------


def bootstrap_weights(clusters: Sequence[str], *, resamples: int, seed: int) -> np.ndarray:
    """Resampling weights, shape (resamples, len(clusters)): how often each sample is drawn.

    Whole clusters are drawn with replacement (a cluster bootstrap): twins share a pair id and are
    not independent, so resampling them one by one would make the intervals too narrow.
    """
    keys = sorted(set(clusters))
    index = {k: i for i, k in enumerate(keys)}
    members = np.array([index[c] for c in clusters], dtype=np.int64)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(keys), np.full(len(keys), 1.0 / len(keys)), size=resamples)
    return counts[:, members].astype(np.float64)


def weighted_auroc(y: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """AUROC for each row of `weights` (shape (B, n)); NaN where a class has zero weight.

    Ties count one half, as in the Mann-Whitney U statistic.
    """
    order = np.argsort(scores, kind="stable")
    s, yy, w = scores[order], y[order], weights[:, order]
    pos = w * yy
    neg = w * (~yy)
    # group equal scores: the end index of each run of equal values
    ends = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    cpos = np.cumsum(pos, axis=1)[:, ends]
    cneg = np.cumsum(neg, axis=1)[:, ends]
    pos_at = np.diff(np.c_[np.zeros(len(w)), cpos], axis=1)
    neg_at = np.diff(np.c_[np.zeros(len(w)), cneg], axis=1)
    neg_below = cneg - neg_at
    total_pos, total_neg = cpos[:, -1], cneg[:, -1]
    u = (pos_at * (neg_below + 0.5 * neg_at)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((total_pos > 0) & (total_neg > 0), u / (total_pos * total_neg), np.nan)


def weighted_f1(y: np.ndarray, flagged: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """F1 for each row of `weights`; NaN where it is undefined (no positives and no flags)."""
    tp = weights @ (y & flagged).astype(np.float64)
    fp = weights @ (~y & flagged).astype(np.float64)
    fn = weights @ (y & ~flagged).astype(np.float64)
    denom = 2 * tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, 2 * tp / denom, np.nan)


def percentile_interval(values: np.ndarray, *, level: float = 0.95) -> tuple[float, float] | None:
    """The central `level` percentile interval of the finite values; None if there are none."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    alpha = (1 - level) / 2
    lo, hi = np.quantile(finite, [alpha, 1 - alpha])
    return (float(lo), float(hi))


def bootstrap_f1_auroc(
    y: Sequence[bool],
    scores: Sequence[float],
    flagged: Sequence[bool],
    clusters: Sequence[str],
    *,
    resamples: int = 1000,
    seed: int = 0,
) -> dict[str, tuple[float, float] | None]:
    """95% percentile intervals for F1 (at the given decisions) and AUROC (from the scores).

    Args:
        y: True for vulnerable.
        scores: vulnerable scores.
        flagged: the detector's decisions at its threshold.
        clusters: resampling unit per sample (pair id, or the sample id when it has none).
        resamples: bootstrap replicates (1000 gives percentile bounds to about +-0.01).
        seed: the bootstrap's only randomness.
    """
    if len(y) == 0 or resamples <= 0:
        return {"f1": None, "auroc": None}
    yy = np.asarray(y, dtype=bool)
    ss = np.asarray(scores, dtype=np.float64)
    ff = np.asarray(flagged, dtype=bool)
    weights = bootstrap_weights(clusters, resamples=resamples, seed=seed)
    return {
        "f1": percentile_interval(weighted_f1(yy, ff, weights)),
        "auroc": percentile_interval(weighted_auroc(yy, ss, weights)),
    }
