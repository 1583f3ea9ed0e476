"""`vulntune.evaluate.gap`: the family-cluster bootstrap of the FPR gap at matched recall (with the
threshold picked again in each resample), the gap curve and its figure, Holm, Cochran-Mantel-
Haenszel and the power statement, against hand-computed values."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from vulntune.evaluate.gap import (
    RECALL_GRID,
    cmh_test,
    detectable_difference,
    flag_tables,
    gap_at_recall,
    gap_curve,
    holm,
    plot_gap_curves,
)
from vulntune.evaluate.significance import at_recall


def _records(*, families: int, per_family: int, safe_shift: float, seed: int, prefix: str = "f") -> list[tuple]:
    """Twins per family: vulnerable scores around 0.7, safe ones around 0.3 + safe_shift."""
    rng = np.random.default_rng(seed)
    out = []
    for f in range(families):
        for _ in range(per_family):
            out.append((float(np.clip(rng.normal(0.7, 0.15), 0.01, 1)), True, f"{prefix}{f}", "CWE-89/fix"))
            out.append(
                (float(np.clip(rng.normal(0.3 + safe_shift, 0.15), 0.01, 1)), False, f"{prefix}{f}", "CWE-89/fix")
            )
    return out


# --- Holm ------------------------------------------------------------------------------------


def test_holm_against_a_hand_computed_example():
    # sorted: 0.005 (4th), 0.01 (1st), 0.03 (3rd), 0.04 (2nd); times m - rank + 1 = 4, 3, 2, 1:
    # 0.02, 0.03, 0.06, 0.04 -> running maximum 0.02, 0.03, 0.06, 0.06; back in input order:
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # a test that could not be run stays None and does not count: m = 2, 2 x 0.01, max(0.02, 0.04)
    assert holm([0.01, None, 0.04]) == [pytest.approx(0.02), None, pytest.approx(0.04)]
    # capped at 1: 2 x 0.5 = 1.0, then max(1.0, 0.6)
    assert holm([0.5, 0.6]) == [1.0, 1.0]
    assert holm([]) == [] and holm([None]) == [None]


# --- CMH -------------------------------------------------------------------------------------


def test_cmh_against_a_hand_computed_example():
    tables = {
        # (a flagged, a not, b flagged, b not)
        "CWE-89/fix": (
            10,
            10,
            5,
            15,
        ),  # n 40: E[a] = 20 x 15 / 40 = 7.5, Var = 20 20 15 25 / (40^2 39) = 150000 / 62400
        "CWE-78/guard": (4, 16, 2, 18),  # n 40: E[a] = 20 x 6 / 40 = 3, Var = 20 20 6 34 / (40^2 39) = 81600 / 62400
        "CWE-22/fix": (0, 5, 0, 5),  # nobody flagged: a zero margin, no information
    }
    # sum a = 14, sum E = 10.5: (|3.5| - 0.5)^2 = 9; sum Var = 231600 / 62400; chi2 = 9 x 62400 / 231600
    # MH odds ratio: (10 x 15 / 40 + 4 x 18 / 40) / (10 x 5 / 40 + 16 x 2 / 40) = 5.55 / 2.05
    got = cmh_test(tables)
    chi2 = 9 * 62400 / 231600
    assert got["chi2"] == pytest.approx(chi2)
    assert got["p"] == pytest.approx(math.erfc(math.sqrt(chi2 / 2)))  # chi-square 1 df tail, by hand
    assert got["odds_ratio"] == pytest.approx(5.55 / 2.05)
    assert got["informative"] == ["CWE-89/fix", "CWE-78/guard"] and got["uninformative"] == ["CWE-22/fix"]
    # the continuity correction floors at 0: observed = expected gives chi2 0, p 1
    even = cmh_test({"s": (5, 5, 5, 5)})
    assert (even["chi2"], even["p"], even["odds_ratio"]) == (0.0, 1.0, 1.0)
    # no informative stratum (or none at all): no test
    assert cmh_test({"s": (0, 5, 0, 5), "t": (3, 0, 4, 0)}) is None and cmh_test({}) is None
    # group b flags nothing: sum(b c / n) = 0, the odds ratio is unbounded (None); group a nothing: 0
    assert cmh_test({"s": (3, 2, 0, 5)})["odds_ratio"] is None
    assert cmh_test({"s": (0, 5, 3, 2)})["odds_ratio"] == 0.0


def test_flag_tables_count_safe_records_per_stratum_at_each_groups_threshold():
    a = [(0.9, False, "f", "x"), (0.4, False, "f", "x"), (0.6, False, "g", "y"), (0.99, True, "f", "x")]
    b = [(0.5, False, "h", "x"), (0.1, False, "h", "y")]
    # a at 0.5: x -> 0.9 flagged, 0.4 not; y -> 0.6 flagged. b at 0.2: x -> 0.5 flagged; y -> 0.1 not
    assert flag_tables(a, b, threshold_a=0.5, threshold_b=0.2) == {"x": (1, 1, 1, 0), "y": (1, 0, 0, 1)}


# --- power -----------------------------------------------------------------------------------


def test_power_matches_the_textbook_sample_size():
    # 50% vs 70%, two-sided alpha 0.05, power 0.8: 93 per group (Fleiss, no continuity correction):
    # 1.95996 sqrt(0.6 x 0.4 x 2/93) + 0.84162 sqrt((0.25 + 0.21)/93) = 0.14081 + 0.05919 = 0.2000
    got = detectable_difference(n1=93, n2=93, base=0.5)
    assert got["up"] == pytest.approx(0.2, abs=1e-3) and got["down"] == pytest.approx(0.2, abs=1e-3)
    # more samples detect less; a rate near 0 has no room downwards
    assert detectable_difference(n1=400, n2=400, base=0.5)["up"] < got["up"]
    low = detectable_difference(n1=121, n2=115, base=0.02)
    assert low["down"] is None and 0 < low["up"] < 0.2
    assert detectable_difference(n1=50, n2=50, base=0.0)["up"] > 0
    assert detectable_difference(n1=0, n2=10, base=0.5) is None
    assert detectable_difference(n1=10, n2=10, base=1.5) is None


# --- the bootstrap ---------------------------------------------------------------------------


def test_identical_groups_give_a_zero_gap_whose_interval_holds_zero():
    records = _records(families=15, per_family=4, safe_shift=0.2, seed=1)
    got = gap_at_recall(records, records, recall=0.8, resamples=400, seed=3)
    assert got["gap"] == 0.0 and got["valid"] == 400
    lo, hi = got["interval"]
    assert lo < 0 < hi and got["sd"] > 0


def test_strongly_separated_groups_give_an_interval_away_from_zero():
    a = _records(families=15, per_family=4, safe_shift=0.5, seed=1, prefix="a")  # safe scores like vulnerable ones
    b = _records(families=15, per_family=4, safe_shift=-0.2, seed=2, prefix="b")  # safe scores far below
    got = gap_at_recall(a, b, recall=0.8, resamples=400, seed=0)
    assert got["gap"] > 0.5 and got["interval"][0] > 0.3
    assert got["a"]["families"] == 15 and got["b"]["negatives"] == 60


def test_the_point_is_significance_at_recall_and_the_seed_fixes_the_rest():
    a = _records(families=10, per_family=3, safe_shift=0.2, seed=5, prefix="a")
    b = _records(families=12, per_family=3, safe_shift=0.1, seed=6, prefix="b")
    got = gap_at_recall(a, b, recall=0.8, resamples=200, seed=7)
    for side, records in (("a", a), ("b", b)):
        expected = at_recall([SimpleNamespace(score=r[0], vulnerable=r[1]) for r in records], 0.8)
        assert {k: got[side][k] for k in ("threshold", "fp", "negatives", "fpr", "recall")} == {
            k: expected[k] for k in ("threshold", "fp", "negatives", "fpr", "recall")
        }
    assert got["gap"] == pytest.approx(got["a"]["fpr"] - got["b"]["fpr"])
    assert gap_at_recall(a, b, recall=0.8, resamples=200, seed=7) == got
    assert gap_at_recall(a, b, recall=0.8, resamples=200, seed=8)["interval"] != got["interval"]


def test_each_resample_picks_its_own_threshold():
    # family F1: vulnerable 0.9, safe 0.85; F2: vulnerable 0.5, safe 0.45. At 100% recall the data's
    # threshold is 0.5 (FPR 1/2). Resampled {F1, F1} re-picks 0.9 (FPR 0), {F2, F2} 0.5 (FPR 0),
    # {F1, F2} FPR 1/2: never above 1/2. Holding 0.5 fixed would give {F1, F1} FPR 1 a quarter of the time.
    a = [(0.9, True, "F1"), (0.85, False, "F1"), (0.5, True, "F2"), (0.45, False, "F2")]
    b = [(0.9, True, None), (0.1, False, None)]  # no families: each record its own cluster
    got = gap_at_recall(a, b, recall=1.0, resamples=300, seed=0)
    assert got["a"]["threshold"] == 0.5 and got["a"]["fpr"] == 0.5
    assert got["a"]["interval"][1] <= 0.5 and got["a"]["interval"][0] == 0.0
    assert got["b"]["unclustered"] == 2 and got["b"]["families"] == 0


def test_the_curve_covers_recall_50_to_90_on_the_same_resamples():
    a = _records(families=10, per_family=4, safe_shift=0.2, seed=1, prefix="a")
    b = _records(families=10, per_family=4, safe_shift=0.0, seed=2, prefix="b")
    curve = gap_curve(a, b, resamples=100, seed=0)
    assert RECALL_GRID == (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
    assert curve["recalls"] == list(RECALL_GRID) and [p["recall"] for p in curve["points"]] == list(RECALL_GRID)
    assert all(p["gap"] is not None and p["interval"] for p in curve["points"])
    fprs = [p["a"]["fpr"] for p in curve["points"]]
    assert fprs == sorted(fprs)  # a higher recall needs a lower threshold: FPR never falls
    # one point of the curve is gap_at_recall with the same seed (its draws come first)
    single = gap_at_recall(a, b, recall=0.8, resamples=100, seed=0)
    assert single["interval"] == curve["points"][6]["interval"]


def test_degenerate_inputs_give_none():
    good = _records(families=3, per_family=2, safe_shift=0.0, seed=0)
    assert gap_at_recall([], good, recall=0.8) is None
    assert gap_at_recall([r for r in good if r[1]], good, recall=0.8) is None  # no safe record
    assert gap_at_recall(good, [r for r in good if not r[1]], recall=0.8) is None  # no vulnerable record
    assert gap_curve(good, [], resamples=10) is None
    # a recall above what a group reaches (half its vulnerable records score 0: never reported)
    gated = [(0.9, True, "f"), (0.0, True, "g"), (0.2, False, "f")]
    assert gap_at_recall(gated, good, recall=0.9, resamples=10) is None
    point = gap_curve(gated, good, recalls=(0.5, 0.9), resamples=10)["points"]
    assert point[0]["gap"] is not None and point[1]["gap"] is None and point[1]["interval"] is None
    # no resamples: the point only
    bare = gap_at_recall(good, good, recall=0.5, resamples=0)
    assert bare["gap"] == 0.0 and bare["interval"] is None and bare["valid"] == 0


def test_the_figure_is_a_deterministic_png(tmp_path):
    a = _records(families=6, per_family=3, safe_shift=0.2, seed=1, prefix="a")
    b = _records(families=6, per_family=3, safe_shift=0.0, seed=2, prefix="b")
    curves = {
        "before": gap_curve(a, b, resamples=50, seed=0),
        "after": gap_curve(b, a, recalls=(0.5, 0.7, 0.9), resamples=50, seed=0),
    }
    path = tmp_path / "gap.png"
    png = plot_gap_curves(curves, path=path)
    assert png.startswith(b"\x89PNG") and path.read_bytes() == png
    assert plot_gap_curves(curves) == png
