"""Decision-threshold calibration: pick the threshold on validation scores for a target FPR."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vulntune.data import Sample
from vulntune.errors import VulntuneError

# The validation false positive rates a calibration records a threshold for (besides its target).
OPERATING_FPRS = (0.005, 0.01, 0.02, 0.05, 0.10, 0.20)


@dataclass(kw_only=True, frozen=True)
class Calibration:
    """The chosen threshold and what it does on the data it was chosen on.

    Attributes:
        threshold: flag code as vulnerable when `score >= threshold`.
        target_fpr: the false positive rate that was asked for.
        fpr: the false positive rate at `threshold` on the calibration scores (<= target_fpr).
        tpr: the true positive rate (recall) at `threshold` on the calibration scores;
            NaN when there were no vulnerable samples.
        negatives, positives: how many safe and vulnerable scores it was chosen on.
    """

    threshold: float
    target_fpr: float
    fpr: float
    tpr: float
    negatives: int
    positives: int

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "threshold": self.threshold,
            "target_fpr": self.target_fpr,
            "fpr": self.fpr,
            "tpr": None if math.isnan(self.tpr) else self.tpr,
            "negatives": self.negatives,
            "positives": self.positives,
        }


def calibrate_threshold(
    scores: Sequence[float], vulnerable: Sequence[bool], *, target_fpr: float = 0.01
) -> Calibration:
    """The smallest threshold whose false positive rate on these scores is at most `target_fpr`.

    With n safe scores, at most k = floor(target_fpr * n) of them may reach the threshold, so the
    threshold is the smallest float strictly above the (k+1)-th largest safe score (ties count
    together: a tie at that score is excluded whole). With k >= n every threshold qualifies and
    the result is 0.0.

    Args:
        scores: vulnerable scores in [0, 1].
        vulnerable: the true label of each score.
        target_fpr: in [0, 1].

    Raises:
        VulntuneError: mismatched lengths, a target outside [0, 1], or no safe scores.
    """
    if len(scores) != len(vulnerable):
        raise VulntuneError(f"calibration: {len(scores)} scores but {len(vulnerable)} labels")
    if not 0.0 <= target_fpr <= 1.0:
        raise VulntuneError(f"target FPR must be in [0, 1], got {target_fpr}")
    safe = sorted((float(s) for s, v in zip(scores, vulnerable) if not v), reverse=True)
    vuln = [float(s) for s, v in zip(scores, vulnerable) if v]
    if not safe:
        raise VulntuneError(
            "calibration: the validation data has no safe samples, cannot measure a false positive rate"
        )
    # 1e-12 absorbs float error in target * n (0.01 * 300 = 3.0000000000000004 must give k = 3).
    allowed = math.floor(target_fpr * len(safe) + 1e-12)
    if allowed >= len(safe):
        threshold = 0.0
    else:
        threshold = math.nextafter(safe[allowed], math.inf)
    fp = sum(s >= threshold for s in safe)
    tp = sum(s >= threshold for s in vuln)
    return Calibration(
        threshold=threshold,
        target_fpr=float(target_fpr),
        fpr=fp / len(safe),
        tpr=tp / len(vuln) if vuln else float("nan"),
        negatives=len(safe),
        positives=len(vuln),
    )


def score_samples(detector, samples: Sequence[Sample]) -> tuple[list[float], list[bool], list[str], int]:
    """Run `detector` over `samples`, one language at a time.

    Returns:
        (scores, is-vulnerable flags, languages, vulnerable samples whose CWE the detector named
        right); the first three are aligned.
    """
    scores: list[float] = []
    truth: list[bool] = []
    languages: list[str] = []
    cwe_hits = 0
    for language in sorted({s.language for s in samples}):
        group = [s for s in samples if s.language == language]
        preds = detector.predict([s.code for s in group], language=language)
        scores.extend(p.score for p in preds)
        truth.extend(s.is_vulnerable for s in group)
        languages.extend(language for _ in group)
        cwe_hits += sum(p.cwe == s.cwe for p, s in zip(preds, group) if s.is_vulnerable)
    return scores, truth, languages, cwe_hits


def rates_at(scores: Sequence[float], truth: Sequence[bool], threshold: float) -> dict[str, Any]:
    """FPR and recall (None without safe or vulnerable scores) at `threshold`, with the counts."""
    negatives = [s for s, t in zip(scores, truth) if not t]
    positives = [s for s, t in zip(scores, truth) if t]
    return {
        "fpr": sum(s >= threshold for s in negatives) / len(negatives) if negatives else None,
        "tpr": sum(s >= threshold for s in positives) / len(positives) if positives else None,
        "negatives": len(negatives),
        "positives": len(positives),
    }


def _by_language(
    scores: Sequence[float], truth: Sequence[bool], languages: Sequence[str]
) -> dict[str, tuple[list[float], list[bool]]]:
    groups: dict[str, tuple[list[float], list[bool]]] = {}
    for score, vulnerable, language in zip(scores, truth, languages, strict=True):
        group = groups.setdefault(language, ([], []))
        group[0].append(score)
        group[1].append(vulnerable)
    return dict(sorted(groups.items()))


def language_thresholds(
    scores: Sequence[float], truth: Sequence[bool], languages: Sequence[str], *, target_fpr: float
) -> dict[str, float]:
    """A threshold per language, each chosen as `calibrate_threshold` chooses on that language's
    scores alone, so each language's false positive rate holds the target on its own (one shared
    threshold lets the language whose safe code scores higher pay for the other). A language
    without safe scores gets none: it falls back to the pooled threshold."""
    return {
        language: calibrate_threshold(s, t, target_fpr=target_fpr).threshold
        for language, (s, t) in _by_language(scores, truth, languages).items()
        if not all(t)
    }


def flags_at(
    scores: Sequence[float], languages: Sequence[str], thresholds: Mapping[str, float], default: float
) -> list[bool]:
    """Each score against its language's threshold (`default` for a language without one)."""
    return [s >= thresholds.get(language, default) for s, language in zip(scores, languages, strict=True)]


def operating_points(
    scores: Sequence[float],
    truth: Sequence[bool],
    languages: Sequence[str],
    *,
    targets: Sequence[float] = OPERATING_FPRS,
) -> list[dict[str, Any]]:
    """Thresholds for each target false positive rate, and what they do on these scores.

    Each point holds a threshold per language (`by_language[language]["threshold"]`, chosen on
    that language's scores, see `language_thresholds`) with its FPR and recall there; the
    point's own `threshold` is chosen on all languages together (for a language the point has
    no threshold for), and its overall FPR and recall count every score at its language's
    threshold. A user trades recall for false positives (`vulntune scan --target-fpr`) knowing
    what each choice measured.
    """
    by_language = _by_language(scores, truth, languages)
    points = []
    for target in sorted(set(targets)):
        pooled = calibrate_threshold(scores, truth, target_fpr=target).threshold
        thresholds = language_thresholds(scores, truth, languages, target_fpr=target)
        flagged = flags_at(scores, languages, thresholds, pooled)
        points.append(
            {
                "target_fpr": float(target),
                "threshold": pooled,
                **rates_at([float(f) for f in flagged], truth, 1.0),
                "by_language": {
                    language: {
                        "threshold": thresholds.get(language, pooled),
                        **rates_at(*by_language[language], thresholds.get(language, pooled)),
                    }
                    for language in by_language
                },
            }
        )
    return points


def point_thresholds(point: Mapping[str, Any], languages: Sequence[str] = ()) -> dict[str, float]:
    """The per-language thresholds an operating point records (none in older model folders), and
    for each of `languages` it records none for, the point's pooled threshold."""
    recorded = {
        language: float(rates["threshold"])
        for language, rates in (point.get("by_language") or {}).items()
        if rates.get("threshold") is not None
    }
    return {**{language: float(point["threshold"]) for language in languages}, **recorded}


def operating_point(meta: Mapping[str, Any], target_fpr: float) -> dict[str, Any]:
    """The recorded operating point of a model's metadata for exactly `target_fpr`.

    Raises:
        VulntuneError: the model records no operating points, or none for this target.
    """
    points = meta.get("operating_points") or []
    if not points:
        raise VulntuneError(
            "this model records no operating points; choose them with "
            "`vulntune calibrate --model DIR` (it keeps the weights)"
        )
    for point in points:
        if math.isclose(point["target_fpr"], target_fpr, rel_tol=0.0, abs_tol=1e-9):
            return point
    known = ", ".join(f"{p['target_fpr']:g}" for p in points)
    raise VulntuneError(f"--target-fpr {target_fpr:g}: the model records operating points only for {known}")


def calibrate_detector(
    detector, validation: Sequence[Sample], *, target_fpr: float
) -> tuple[Calibration, dict[str, Any]]:
    """Choose `detector`'s threshold on `validation` and measure it there.

    Returns:
        (the Calibration, validation metrics at its threshold).
    """
    scores, truth, _, cwe_hits = score_samples(detector, validation)
    calibration = calibrate_threshold(scores, truth, target_fpr=target_fpr)
    return calibration, validation_metrics(scores, truth, calibration.threshold, cwe_hits=cwe_hits)


def calibration_record(
    detector, samples: Sequence[Sample], *, target_fpr: float, scan_units: int = 0
) -> dict[str, Any]:
    """The metadata keys a calibration sets: `threshold` (chosen on all languages together),
    `thresholds` (one per language, see `language_thresholds`: what predictions use),
    `calibration`, `validation_metrics` (at the per-language thresholds) and `operating_points`.

    Args:
        detector: scores `samples` (its own thresholds are ignored).
        samples: the calibration set.
        target_fpr: the false positive rate the thresholds aim at.
        scan_units: how many of `samples` are scan units cut from the others (recorded).
    """
    scores, truth, languages, cwe_hits = score_samples(detector, samples)
    calibration = calibrate_threshold(scores, truth, target_fpr=target_fpr)
    thresholds = language_thresholds(scores, truth, languages, target_fpr=target_fpr)
    flagged = [float(f) for f in flags_at(scores, languages, thresholds, calibration.threshold)]
    return {
        "threshold": calibration.threshold,
        "thresholds": thresholds,
        "calibration": {**calibration.to_dict(), "scan_units": scan_units},
        "validation_metrics": validation_metrics(flagged, truth, 1.0, cwe_hits=cwe_hits),
        "operating_points": operating_points(scores, truth, languages, targets=(*OPERATING_FPRS, target_fpr)),
    }


def validation_metrics(
    scores: Sequence[float], truth: Sequence[bool], threshold: float, *, cwe_hits: int
) -> dict[str, Any]:
    """Confusion-matrix numbers at `threshold` (vulntune.evaluate computes the full set)."""
    tp = sum(s >= threshold and t for s, t in zip(scores, truth))
    fp = sum(s >= threshold and not t for s, t in zip(scores, truth))
    pos = sum(truth)
    neg = len(truth) - pos
    fn, tn = pos - tp, neg - fp

    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    precision, recall = ratio(tp, tp + fp), ratio(tp, pos)
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    return {
        "samples": len(truth),
        "positives": pos,
        "negatives": neg,
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "accuracy": ratio(tp + tn, len(truth)),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "fpr": ratio(fp, neg),
        "cwe_accuracy": ratio(cwe_hits, pos),
    }
