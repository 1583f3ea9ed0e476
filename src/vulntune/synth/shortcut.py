"""The shortcut check: how well trivial features separate vulnerable from safe on the test split.

AUROC of code length, of line count, and of a bag-of-identifiers classifier (logistic
regression trained on the train split) that sees only user-declared identifiers, never API
names. Anything outside 0.40-0.60 is a label leak in the templates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from vulntune.data import Sample
from vulntune.synth.tokens import declared_names

BAND = (0.40, 0.60)


def _auroc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    from sklearn.metrics import roc_auc_score

    if len(set(labels)) < 2:
        return None
    return float(roc_auc_score(labels, scores))


def shortcut_aurocs(
    train: Sequence[Sample], test: Sequence[Sample], names: Mapping[str, list[str]] | None = None
) -> dict[str, float | None]:
    """{"code_length": .., "line_count": .., "identifier_bag": ..} on `test` (None if undefined).

    `names` may map sample id -> `declared_names(...)` when the caller already has them.
    """

    def declared(s: Sample) -> list[str]:
        return sorted(set(names[s.id] if names is not None else declared_names(s.code, s.language)))

    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    labels = [int(s.is_vulnerable) for s in test]
    result: dict[str, float | None] = {
        "code_length": _auroc(labels, [len(s.code) for s in test]),
        "line_count": _auroc(labels, [s.code.count("\n") + 1 for s in test]),
        "identifier_bag": None,
    }
    train_labels = [int(s.is_vulnerable) for s in train]
    if len(set(train_labels)) == 2 and len(set(labels)) == 2:
        vectorizer = CountVectorizer(analyzer=lambda names: names, binary=True)
        x_train = vectorizer.fit_transform([declared(s) for s in train])
        x_test = vectorizer.transform([declared(s) for s in test])
        model = LogisticRegression(max_iter=2000, C=1.0)
        model.fit(x_train, train_labels)
        result["identifier_bag"] = _auroc(labels, model.predict_proba(x_test)[:, 1])
    return {k: (round(v, 4) if v is not None else None) for k, v in result.items()}


def outside_band(aurocs: dict[str, float | None]) -> list[str]:
    """Names of the features whose AUROC falls outside BAND."""
    return [k for k, v in aurocs.items() if v is not None and not BAND[0] <= v <= BAND[1]]
