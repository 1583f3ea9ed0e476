"""Threshold calibration on known scores."""

import math

import pytest

from vulntune.data import Sample
from vulntune.errors import VulntuneError
from vulntune.models.calibrate import (
    calibrate_threshold,
    calibration_record,
    flags_at,
    language_thresholds,
    operating_point,
    operating_points,
    point_thresholds,
    validation_metrics,
)


def test_picks_smallest_threshold_meeting_target():
    # 10 safe scores; target 0.1 allows one false positive, so the threshold sits just above the
    # second-highest safe score (0.8): 0.9 is flagged, 0.8 is not.
    safe = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    vuln = [0.75, 0.85, 0.95]
    cal = calibrate_threshold(safe + vuln, [False] * 10 + [True] * 3, target_fpr=0.1)
    assert cal.threshold == math.nextafter(0.8, math.inf)
    assert cal.fpr == pytest.approx(0.1)
    assert cal.tpr == pytest.approx(2 / 3)
    assert (cal.negatives, cal.positives) == (10, 3)


def test_zero_target_is_above_every_safe_score():
    cal = calibrate_threshold([0.2, 0.6, 0.7, 0.99], [False, False, True, True], target_fpr=0.0)
    assert 0.6 < cal.threshold <= 0.7
    assert cal.fpr == 0.0 and cal.tpr == 1.0


def test_ties_are_excluded_together():
    # Two safe samples tie at 0.9; allowing one false positive cannot split the tie.
    cal = calibrate_threshold([0.9, 0.9, 0.1, 0.95], [False, False, False, True], target_fpr=0.34)
    assert cal.threshold > 0.9 and cal.fpr == 0.0


def test_default_target_one_percent_of_300():
    # floor(0.01 * 300) = 3 false positives allowed; 0.01 * 300 is 3.0000000000000004 in floats.
    safe = [i / 300 for i in range(300)]
    cal = calibrate_threshold(safe, [False] * 300, target_fpr=0.01)
    assert cal.threshold == math.nextafter(safe[-4], math.inf)
    assert cal.fpr == pytest.approx(3 / 300)


def test_full_target_flags_everything():
    assert calibrate_threshold([0.3, 0.4], [False, True], target_fpr=1.0).threshold == 0.0


@pytest.mark.parametrize(
    ("scores", "truth", "target"),
    [([0.5], [True], 0.01), ([0.5, 0.2], [False], 0.01), ([0.5], [False], 1.5)],
)
def test_bad_calibration_input(scores, truth, target):
    with pytest.raises(VulntuneError):
        calibrate_threshold(scores, truth, target_fpr=target)


def test_validation_metrics_counts():
    m = validation_metrics([0.9, 0.2, 0.7, 0.1], [True, True, False, False], 0.5, cwe_hits=1)
    assert (m["tp"], m["fn"], m["fp"], m["tn"]) == (1, 1, 1, 1)
    assert m["precision"] == 0.5 and m["recall"] == 0.5 and m["fpr"] == 0.5 and m["cwe_accuracy"] == 0.5


def test_operating_points_per_target_and_language():
    scores = [0.1, 0.2, 0.3, 0.9, 0.4, 0.8, 0.95, 0.6]
    truth = [False, False, False, False, False, True, True, True]
    languages = ["java"] * 4 + ["python"] * 4
    points = operating_points(scores, truth, languages, targets=(0.2, 0.0, 0.2))
    assert [p["target_fpr"] for p in points] == [0.0, 0.2]  # sorted, once each
    strict, loose = points
    # The pooled threshold (five safe scores): target 0 sits above 0.9; 0.2 allows one (0.9).
    assert strict["threshold"] == math.nextafter(0.9, math.inf)
    assert loose["threshold"] == math.nextafter(0.4, math.inf)
    # Each language at its own: Java's safe 0.9 no longer pushes Python's threshold above 0.8 and
    # 0.6; Python's one safe score 0.4 sets its threshold at both targets (0.2 of 1 allows none).
    for point in points:
        assert point["by_language"] == {
            "java": {
                "threshold": math.nextafter(0.9, math.inf),
                "fpr": 0.0,
                "tpr": None,
                "negatives": 4,
                "positives": 0,
            },
            "python": {
                "threshold": math.nextafter(0.4, math.inf),
                "fpr": 0.0,
                "tpr": 1.0,
                "negatives": 1,
                "positives": 3,
            },
        }
        assert (point["fpr"], point["tpr"]) == (0.0, 1.0)  # every score at its language's threshold
        assert point_thresholds(point) == {
            "java": math.nextafter(0.9, math.inf),
            "python": math.nextafter(0.4, math.inf),
        }


def test_language_thresholds_hold_each_languages_fpr():
    # Java's safe code scores high, Python's low: one pooled threshold at 25% FPR flags two Java
    # safe samples (50%) and no Python one; per language, each flags one of four.
    scores = [0.9, 0.8, 0.1, 0.1, 0.3, 0.2, 0.1, 0.1, 0.95, 0.5]
    truth = [False] * 8 + [True, True]
    languages = ["java"] * 4 + ["python"] * 4 + ["java", "python"]
    thresholds = language_thresholds(scores, truth, languages, target_fpr=0.25)
    assert thresholds == {"java": math.nextafter(0.8, math.inf), "python": math.nextafter(0.2, math.inf)}
    flagged = flags_at(scores, languages, thresholds, default=1.0)
    assert flagged == [True, False, False, False, True, False, False, False, True, True]
    assert language_thresholds([0.5, 0.7], [True, True], ["java", "python"], target_fpr=0.1) == {}  # no safe scores


def test_calibration_record_predicts_per_language():
    class Fixed:  # scores by language: Java's safe code scores higher than Python's
        def predict(self, codes, *, language):
            from vulntune.models.prediction import Prediction

            return [Prediction(label="safe", cwe="CWE-89", score=float(c), probabilities={}) for c in codes]

    samples = [
        Sample(id=f"{lang}{i}", language=lang, cwe="CWE-89", label="vulnerable" if v else "safe", code=str(score))
        for i, (lang, score, v) in enumerate(
            [
                ("java", 0.9, False),
                ("java", 0.7, False),
                ("java", 0.95, True),
                ("python", 0.3, False),
                ("python", 0.2, False),
                ("python", 0.5, True),
            ]
        )
    ]
    record = calibration_record(Fixed(), samples, target_fpr=0.0)
    assert record["thresholds"] == {"java": math.nextafter(0.9, math.inf), "python": math.nextafter(0.3, math.inf)}
    assert record["threshold"] == math.nextafter(0.9, math.inf)  # pooled: Python's vulnerable 0.5 would be missed
    assert (record["validation_metrics"]["tp"], record["validation_metrics"]["fp"]) == (2, 0)


def test_operating_point_lookup():
    meta = {"operating_points": [{"target_fpr": 0.01, "threshold": 0.9}, {"target_fpr": 0.05, "threshold": 0.7}]}
    assert operating_point(meta, 0.05)["threshold"] == 0.7
    with pytest.raises(VulntuneError, match="only for 0.01, 0.05"):
        operating_point(meta, 0.03)
    with pytest.raises(VulntuneError, match="vulntune calibrate"):
        operating_point({}, 0.05)
