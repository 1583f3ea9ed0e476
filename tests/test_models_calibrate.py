"""Threshold calibration on known scores."""

import math

import pytest

from vulntune.errors import VulntuneError
from vulntune.models.calibrate import calibrate_threshold, operating_point, operating_points, validation_metrics


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
    # Five safe scores: target 0 sits above 0.9 (only 0.95 flagged); 0.2 allows one (0.9).
    assert strict["threshold"] == math.nextafter(0.9, math.inf)
    assert (strict["fpr"], strict["tpr"]) == (0.0, pytest.approx(1 / 3))
    assert loose["threshold"] == math.nextafter(0.4, math.inf)
    assert (loose["fpr"], loose["tpr"]) == (pytest.approx(0.2), 1.0)
    assert loose["by_language"] == {
        "java": {"fpr": 0.25, "tpr": None, "negatives": 4, "positives": 0},
        "python": {"fpr": 0.0, "tpr": 1.0, "negatives": 1, "positives": 3},
    }


def test_operating_point_lookup():
    meta = {"operating_points": [{"target_fpr": 0.01, "threshold": 0.9}, {"target_fpr": 0.05, "threshold": 0.7}]}
    assert operating_point(meta, 0.05)["threshold"] == 0.7
    with pytest.raises(VulntuneError, match="only for 0.01, 0.05"):
        operating_point(meta, 0.03)
    with pytest.raises(VulntuneError, match="vulntune calibrate"):
        operating_point({}, 0.05)
