"""Long code is scored as overlapping windows; the most suspicious window decides."""

from vulntune.models.windows import prediction_windows


def test_windows_cover_everything_with_overlap():
    ids = list(range(1000))
    windows = prediction_windows(ids, 400)
    assert all(len(w) == 400 for w in windows)
    assert windows[0][0] == 0 and windows[-1][-1] == 999
    covered = sorted({i for w in windows for i in w})
    assert covered == ids
    assert [w[0] for w in windows] == [0, 300, 600]


def test_short_code_is_one_window():
    assert prediction_windows([5, 6, 7], 400) == [[5, 6, 7]]
