"""The study's tests and its second operating point, on scipy.

- `fisher_p`: Python vs Java compares different samples, so two independent proportions:
  Fisher's exact test (`scipy.stats.fisher_exact`, two-sided) on the 2x2 table of flagged / not
  flagged safe samples.
- `mcnemar_p`: before vs after compares two detectors' decisions on the very same samples, so
  the exact McNemar test: scipy.stats has no McNemar, and the exact test is the two-sided
  binomial test of the discordant pairs, b successes in b + c trials at p = 0.5
  (`scipy.stats.binomtest`).
- `at_recall`: the threshold that first reaches a recall (90% by default) on the scored samples
  themselves, and the false positive rate there: how many safe samples a detector must flag to
  find that share of the vulnerable ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from vulntune.evaluate.intervals import fisher_exact, wilson


def fisher_p(fp1: int, n1: int, fp2: int, n2: int) -> float | None:
    """Two-sided Fisher exact p for fp1 of n1 vs fp2 of n2; None when a side is empty."""
    if n1 <= 0 or n2 <= 0:
        return None
    return fisher_exact(fp1, n1 - fp1, fp2, n2 - fp2)


def mcnemar_p(only_first: int, only_second: int) -> float | None:
    """Exact two-sided McNemar p from the discordant counts; None when there are none."""
    trials = only_first + only_second
    if trials == 0:
        return None
    from scipy.stats import binomtest

    return float(binomtest(only_first, trials, 0.5, alternative="two-sided").pvalue)


def recall_threshold(vulnerable_scores: Sequence[float], recall: float) -> float | None:
    """The highest threshold t with recall(score >= t) >= `recall`; None without vulnerable samples.

    With k = ceil(recall x positives), t is the k-th highest vulnerable score. Ties at t are all
    flagged, so a detector with coarse scores (the static judges' 0/1) may overshoot the recall;
    the achieved recall is reported beside the FPR.
    """
    if not vulnerable_scores:
        return None
    ranked = sorted(vulnerable_scores, reverse=True)
    k = max(1, math.ceil(recall * len(ranked) - 1e-9))
    return float(ranked[k - 1])


def recall_ceiling(items: Sequence[Any]) -> float | None:
    """The highest recall any threshold reaches: the share of vulnerable items scored above 0. A
    score of 0 is never flagged: a record without a candidate sink, or whose candidates the
    reachability gate leaves out, is never reported, whatever the threshold."""
    vulnerable = [i for i in items if i.vulnerable]
    return sum(i.score > 0 for i in vulnerable) / len(vulnerable) if vulnerable else None


def at_recall(items: Sequence[Any], recall: float) -> dict[str, Any] | None:
    """FPR (Wilson interval), achieved recall and threshold of `items` (objects with `vulnerable`
    and `score`) at `recall_threshold`; None when there are no vulnerable or no safe items, or
    when `recall` is above the `recall_ceiling` (the threshold would be 0, which flags records
    the detector never reports)."""
    threshold = recall_threshold([i.score for i in items if i.vulnerable], recall)
    safe = [i for i in items if not i.vulnerable]
    if threshold is None or threshold <= 0 or not safe:
        return None
    vulnerable = [i for i in items if i.vulnerable]
    fp = sum(i.score >= threshold for i in safe)
    tp = sum(i.score >= threshold for i in vulnerable)
    ci = wilson(fp, len(safe))
    return {
        "threshold": threshold,
        "fp": fp,
        "negatives": len(safe),
        "fpr": fp / len(safe),
        "fpr_ci": list(ci) if ci else None,
        "recall": tp / len(vulnerable),
        "target_recall": recall,
    }
