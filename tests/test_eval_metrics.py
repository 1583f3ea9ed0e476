"""Every metric against values computed by hand on small fixtures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vulntune.evaluate.intervals import (
    bootstrap_f1_auroc,
    bootstrap_weights,
    fisher_exact,
    rate_difference_test,
    two_proportion_z,
    weighted_auroc,
    weighted_f1,
    wilson,
)
from vulntune.evaluate.metrics import Confusion, auprc, auroc, confusion, mcc, rate_metrics, roc_curve, vd_score
from vulntune.evaluate.twins import twin_metrics

approx = pytest.approx


def test_confusion_counts():
    c = confusion([True, True, False, False, True], [True, False, True, False, True])
    assert c == Confusion(tp=2, fp=1, tn=1, fn=1)


def test_rate_metrics_by_hand():
    # tp=3 fp=1 tn=4 fn=2: accuracy 7/10, precision 3/4, recall 3/5, F1 6/9, FPR 1/5, FNR 2/5,
    # balanced (0.6 + 0.8) / 2, MCC (3*4 - 1*2) / sqrt(4*5*5*6) = 10 / sqrt(600)
    m = rate_metrics(Confusion(tp=3, fp=1, tn=4, fn=2))
    assert (m["n"], m["positives"], m["negatives"]) == (10, 5, 5)
    assert m["accuracy"] == approx(0.7)
    assert m["precision"] == approx(0.75)
    assert m["recall"] == approx(0.6)
    assert m["f1"] == approx(2 / 3)
    assert m["fpr"] == approx(0.2)
    assert m["fnr"] == approx(0.4)
    assert m["balanced_accuracy"] == approx(0.7)
    assert m["mcc"] == approx(10 / math.sqrt(600))
    assert m["fpr_ci"] == approx(list(wilson(1, 5)))


def test_undefined_rates_are_none_not_zero():
    m = rate_metrics(Confusion(tp=2, fp=0, tn=0, fn=1))  # no safe samples at all
    assert m["fpr"] is None and m["fpr_ci"] is None and m["balanced_accuracy"] is None
    assert m["mcc"] is None
    assert m["recall"] == approx(2 / 3)
    assert mcc(Confusion(tp=0, fp=0, tn=5, fn=0)) is None


def test_case_study_numbers():
    # the case study: 100 samples, one false positive among 49 negatives, recall 100%
    m = rate_metrics(Confusion(tp=51, fp=1, tn=48, fn=0))
    assert m["accuracy"] == approx(0.99)
    assert m["precision"] == approx(51 / 52)  # 98.08%
    assert m["fpr"] == approx(1 / 49)  # about 2%, never stated
    assert m["fpr_ci"] == approx([0.003612, 0.106936], abs=1e-6)


def test_wilson_by_hand():
    z2 = 1.959963984540054**2
    # 0 of 10: lower 0, upper z^2 / (n + z^2)
    assert wilson(0, 10) == approx((0.0, z2 / (10 + z2)))
    assert wilson(10, 10) == approx((10 / (10 + z2), 1.0))
    assert wilson(5, 10) == approx((0.236593, 0.763407), abs=1e-6)
    assert wilson(0, 0) is None
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_auroc_by_hand():
    # positives .9 .4 .8, negatives .4 .1 .6: wins 3 + (1 + 0.5 tie) + 3 = 7.5 of 9
    y = [True, True, False, False, True, False]
    s = [0.9, 0.4, 0.4, 0.1, 0.8, 0.6]
    assert auroc(y, s) == approx(7.5 / 9)
    assert auroc([True, False], [0.5, 0.5]) == approx(0.5)
    assert auroc([True, True], [0.1, 0.2]) is None


def test_auprc_by_hand():
    # thresholds .9 (P 1, R 1/3), .8 (P 1, R 2/3), .6 (P 2/3, R 2/3), .4 (P 3/5, R 1 — the tie
    # enters as one step), .1: AP = 1/3 * 1 + 1/3 * 1 + 1/3 * 3/5
    y = [True, True, False, False, True, False]
    s = [0.9, 0.4, 0.4, 0.1, 0.8, 0.6]
    assert auprc(y, s) == approx(1 / 3 + 1 / 3 + 0.2)
    from sklearn.metrics import average_precision_score

    assert auprc(y, s) == approx(average_precision_score(y, s))
    assert auprc([False, False], [0.1, 0.2]) is None


def test_roc_curve_points():
    curve = roc_curve([True, False, True], [0.9, 0.5, 0.5])
    assert curve["threshold"] == [None, 0.9, 0.5]
    assert curve["tpr"] == approx([0, 0.5, 1])
    assert curve["fpr"] == approx([0, 0, 1])
    with pytest.raises(ValueError, match="both"):
        roc_curve([True, True], [0.1, 0.2])


def test_vd_score_by_hand():
    y = [True, True, False, False, True, False]
    s = [0.9, 0.4, 0.4, 0.1, 0.8, 0.6]
    # 3 negatives: FPR <= 0.5% means no false positive; the lowest such threshold is .8,
    # which catches .9 and .8 and misses .4: VD = 1/3
    assert vd_score(y, s) == approx({"vd_score": 1 / 3, "vd_threshold": 0.8, "vd_fpr": 0.0})
    # a looser bound admits .6 (FPR 1/3, still a miss) and then .4 (FPR 2/3, no miss)
    assert vd_score(y, s, max_fpr=0.34)["vd_threshold"] == approx(0.6)
    assert vd_score(y, s, max_fpr=0.34)["vd_score"] == approx(1 / 3)
    assert vd_score(y, s, max_fpr=0.7) == approx({"vd_score": 0.0, "vd_threshold": 0.4, "vd_fpr": 2 / 3})


def test_vd_score_when_a_safe_sample_scores_highest():
    assert vd_score([False, True], [0.9, 0.5]) == {"vd_score": 1.0, "vd_threshold": None, "vd_fpr": 0.0}
    assert vd_score([True, True], [0.9, 0.5])["vd_score"] is None


def test_vd_score_allows_one_false_positive_in_200():
    # 200 negatives: 1 / 200 = 0.5% is admissible; threshold .5 flags the .95 negative and two of
    # three positives, .1 would flag all 200 negatives
    y = [False] * 200 + [True] * 3
    s = [0.95] + [0.1] * 199 + [0.9, 0.5, 0.05]
    r = vd_score(y, s)
    assert r["vd_threshold"] == approx(0.5)
    assert r["vd_score"] == approx(1 / 3)
    assert r["vd_fpr"] == approx(0.005)


def test_twin_metrics_by_hand():
    rows = [
        ("p1", True, True),
        ("p1", False, False),  # correct
        ("p2", True, True),
        ("p2", False, True),  # safe twin flagged
        ("p3", True, False),
        ("p3", False, False),  # vulnerable missed
        ("p4", True, False),
        ("p4", False, True),  # both wrong
        ("p5", True, True),
        ("p5", False, True),
        ("p5", False, False),  # one of two safes flagged
        ("p6", True, True),  # no safe twin: not a pair
        (None, False, True),  # no pair id
    ]
    m = twin_metrics(*zip(*rows))
    assert {k: m[k] for k in ("pairs", "correct", "safe_flagged", "vulnerable_missed", "both_wrong")} == {
        "pairs": 5,
        "correct": 1,
        "safe_flagged": 2,
        "vulnerable_missed": 1,
        "both_wrong": 1,
    }
    assert m["pair_correct_rate"] == approx(0.2)
    assert (m["twin_negatives"], m["twin_fp"]) == (6, 3)
    assert m["twin_fpr"] == approx(0.5)
    assert m["twin_fpr_ci"] == approx(list(wilson(3, 6)))
    assert twin_metrics([], [], [])["pair_correct_rate"] is None


def test_fisher_exact_by_hand():
    # the lady tasting tea: [[3, 1], [1, 3]]: tables with a = 0..4 have probabilities
    # 1, 16, 36, 16, 1 over 70; two-sided sums those <= 16/70: (1 + 16 + 16 + 1) / 70
    assert fisher_exact(3, 1, 1, 3) == approx(34 / 70)
    assert fisher_exact(4, 0, 0, 4) == approx(2 / 70)
    assert fisher_exact(0, 0, 0, 0) == 1.0


def test_two_proportion_z_by_hand():
    # 10/100 vs 20/100: pooled 0.15, se sqrt(0.15 * 0.85 * 0.02) = 0.050498, z = -1.98030
    r = two_proportion_z(10, 100, 20, 100)
    assert r["z"] == approx(-0.1 / math.sqrt(0.15 * 0.85 * 0.02))
    assert r["p_value"] == approx(0.047676, abs=1e-5)
    assert two_proportion_z(0, 10, 0, 20) == {"z": None, "p_value": 1.0}
    t = rate_difference_test(10, 100, 20, 100)
    assert t["difference"] == approx(-0.1)
    assert 0.04 < t["p_fisher"] < 0.1


def test_weighted_metrics_with_unit_weights_match_point_metrics():
    y = np.array([True, True, False, False, True, False])
    s = np.array([0.9, 0.4, 0.4, 0.1, 0.8, 0.6])
    flags = s >= 0.5
    ones = np.ones((1, len(y)))
    assert weighted_auroc(y, s, ones)[0] == approx(7.5 / 9)
    # tp 2 (.9 .8), fp 1 (.6), fn 1 (.4): F1 = 4 / 6
    assert weighted_f1(y, flags, ones)[0] == approx(4 / 6)
    # weight 2 on one sample is that sample twice
    w = np.ones((1, len(y)))
    w[0, 3] = 2
    assert weighted_auroc(y, s, w)[0] == approx(auroc(list(y) + [False], list(s) + [0.1]))


def test_bootstrap_is_seeded_and_resamples_whole_pairs():
    rng = np.random.default_rng(1)
    y = [bool(i % 2) for i in range(60)]
    s = [float(v) for v in rng.random(60) * 0.5 + np.array(y) * 0.4]
    flags = [v >= 0.5 for v in s]
    pairs = [f"p{i // 2}" for i in range(60)]
    a = bootstrap_f1_auroc(y, s, flags, pairs, resamples=300, seed=7)
    b = bootstrap_f1_auroc(y, s, flags, pairs, resamples=300, seed=7)
    assert a == b
    lo, hi = a["auroc"]
    assert lo <= auroc(y, s) <= hi
    weights = bootstrap_weights(pairs, resamples=50, seed=0)
    assert np.array_equal(weights[:, 0::2], weights[:, 1::2])  # twins drawn together
    assert weights.sum(axis=1) == approx(np.full(50, 60.0))


def test_record_twin_metrics_counts_a_record_in_every_pair_it_belongs_to():
    from vulntune.data import Sample
    from vulntune.evaluate.twins import record_twin_metrics

    records = [
        Sample(id="v1", language="java", cwe="CWE-89", label="vulnerable", code="", pair_id="p1"),
        Sample(id="v2", language="java", cwe="CWE-89", label="vulnerable", code="", pair_id="p2"),
        Sample(
            id="s", language="java", cwe="CWE-89", label="safe", code="", pair_id="p1", meta={"also_in_pairs": ["p2"]}
        ),
    ]  # one good method shared by two bad ones
    twins = record_twin_metrics(records, {"v1": True, "v2": False, "s": False})
    assert (twins["pairs"], twins["correct"], twins["vulnerable_missed"]) == (2, 1, 1)
