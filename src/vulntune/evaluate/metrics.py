"""Detection metrics as plain functions of labels, decisions and scores.

Convention: the positive class is "vulnerable". A metric whose denominator is zero is None
(JSON null), never 0 or 1: a model that was shown no safe code has no false positive rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vulntune.evaluate.intervals import wilson

VD_MAX_FPR = 0.005  # the VD-score's operating point: FPR at most 0.5%


@dataclass(kw_only=True, frozen=True)
class Confusion:
    """Counts of a binary confusion matrix (positive = vulnerable)."""

    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def negatives(self) -> int:
        return self.fp + self.tn


def confusion(y_true: Sequence[bool], flagged: Sequence[bool]) -> Confusion:
    """Count the confusion matrix of decisions `flagged` against truths `y_true`."""
    if len(y_true) != len(flagged):
        raise ValueError(f"{len(y_true)} labels but {len(flagged)} decisions")
    tp = fp = tn = fn = 0
    for truth, flag in zip(y_true, flagged):
        if truth and flag:
            tp += 1
        elif truth:
            fn += 1
        elif flag:
            fp += 1
        else:
            tn += 1
    return Confusion(tp=tp, fp=fp, tn=tn, fn=fn)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _ci(successes: int, n: int) -> list[float] | None:
    interval = wilson(successes, n)
    return list(interval) if interval else None


def mcc(c: Confusion) -> float | None:
    """Matthews correlation coefficient (`sklearn.metrics.matthews_corrcoef`); None, not sklearn's
    0.0, when a row or column of the matrix is empty: the coefficient is undefined there."""
    from sklearn.metrics import matthews_corrcoef

    if 0 in (c.tp + c.fp, c.tp + c.fn, c.tn + c.fp, c.tn + c.fn):
        return None
    counts = [c.tp, c.fp, c.tn, c.fn]
    truth = np.repeat([True, False, False, True], counts)
    flagged = np.repeat([True, True, False, False], counts)
    return float(matthews_corrcoef(truth, flagged))


def rate_metrics(c: Confusion) -> dict[str, object]:
    """Threshold metrics of a confusion matrix, the proportions with 95% Wilson intervals.

    Keys: n, positives, negatives, tp, fp, tn, fn, accuracy, precision, recall, f1, fpr, fnr,
    balanced_accuracy, mcc, and `<rate>_ci` ([low, high]) for accuracy, precision, recall,
    fpr and fnr.
    """
    recall = _ratio(c.tp, c.positives)
    fpr = _ratio(c.fp, c.negatives)
    f1_den = 2 * c.tp + c.fp + c.fn
    balanced = None if recall is None or fpr is None else (recall + (1 - fpr)) / 2
    return {
        "n": c.n,
        "positives": c.positives,
        "negatives": c.negatives,
        "tp": c.tp,
        "fp": c.fp,
        "tn": c.tn,
        "fn": c.fn,
        "accuracy": _ratio(c.tp + c.tn, c.n),
        "accuracy_ci": _ci(c.tp + c.tn, c.n),
        "precision": _ratio(c.tp, c.tp + c.fp),
        "precision_ci": _ci(c.tp, c.tp + c.fp),
        "recall": recall,
        "recall_ci": _ci(c.tp, c.positives),
        "f1": _ratio(2 * c.tp, f1_den),
        "fpr": fpr,
        "fpr_ci": _ci(c.fp, c.negatives),
        "fnr": _ratio(c.fn, c.positives),
        "fnr_ci": _ci(c.fn, c.positives),
        "balanced_accuracy": balanced,
        "mcc": mcc(c),
    }


# --- ranking metrics (from scores, independent of the threshold) -----------------------------


def auroc(y_true: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Area under the ROC curve (`sklearn.metrics.roc_auc_score`): P(score of a random vulnerable
    > score of a random safe sample), ties counting one half. None unless both classes are present."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y_true, dtype=bool)
    if y.all() or not y.any():
        return None
    return float(roc_auc_score(y, np.asarray(scores, dtype=np.float64)))


def auprc(y_true: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Area under the precision-recall curve as average precision
    (`sklearn.metrics.average_precision_score`: tied scores enter together). None when there is
    no vulnerable sample."""
    from sklearn.metrics import average_precision_score

    y = np.asarray(y_true, dtype=bool)
    if not y.any():
        return None
    return float(average_precision_score(y, np.asarray(scores, dtype=np.float64)))


def roc_curve(y_true: Sequence[bool], scores: Sequence[float]) -> dict[str, list[float]]:
    """ROC points (fpr, tpr, threshold) from "flag nothing" to "flag everything", one per distinct
    score (`sklearn.metrics.roc_curve` without dropping points). Both classes must be present.

    The first point has threshold None (JSON null): no score reaches it.
    """
    from sklearn.metrics import roc_curve as sklearn_roc_curve

    y = np.asarray(y_true, dtype=bool)
    if y.all() or not y.any():
        raise ValueError("a ROC curve needs both vulnerable and safe samples")
    fpr, tpr, thresholds = sklearn_roc_curve(y, np.asarray(scores, dtype=np.float64), drop_intermediate=False)
    return {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "threshold": [None, *thresholds[1:].tolist()]}


def vd_score(y_true: Sequence[bool], scores: Sequence[float], *, max_fpr: float = VD_MAX_FPR) -> dict[str, object]:
    """VD-score: the miss rate (FNR) at the lowest threshold whose FPR is at most `max_fpr`.

    A sample is flagged when its score >= threshold. Lowering the threshold only raises both
    FPR and recall, so the lowest admissible threshold is the one with the fewest misses. With
    fewer than 1 / max_fpr = 200 safe samples that means zero false positives. When even the
    highest score lets a safe sample through, no threshold qualifies except "flag nothing":
    then threshold is None and the VD-score is 1.0.

    Returns:
        {"vd_score": FNR or None, "vd_threshold": threshold or None, "vd_fpr": FPR there};
        all None unless both classes are present.
    """
    y = np.asarray(y_true, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return {"vd_score": None, "vd_threshold": None, "vd_fpr": None}
    curve = roc_curve(y, s)
    best = 0  # "flag nothing" always qualifies
    for i, fpr in enumerate(curve["fpr"]):
        if fpr <= max_fpr + 1e-12:
            best = i  # thresholds decrease along the curve, so the last admissible is the lowest
    return {
        "vd_score": 1.0 - curve["tpr"][best],
        "vd_threshold": curve["threshold"][best],
        "vd_fpr": curve["fpr"][best],
    }


def score_metrics(y_true: Sequence[bool], scores: Sequence[float]) -> dict[str, object]:
    """The threshold-free metrics: auroc, auprc and the VD-score with its threshold."""
    return {"auroc": auroc(y_true, scores), "auprc": auprc(y_true, scores), **vd_score(y_true, scores)}
