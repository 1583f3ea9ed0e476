"""The fast baseline: TF-IDF over code tokens with multinomial logistic regression.

scikit-learn fits it; prediction is plain numpy over arrays saved as JSON (the vocabulary) and
safetensors (idf, coefficients), so a saved baseline loads without pickle and without sklearn.
Classes are "safe" plus one per CWE seen in training; the vulnerable score is 1 - p(safe).

Example:
    >>> det = train_tfidf(train_samples, validation=val_samples, seed=0)
    >>> save_tfidf(det, "models/tfidf")
    >>> load_tfidf("models/tfidf").predict(["os.system(cmd)"], language="python")
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vulntune.atomic import atomic_dir
from vulntune.cwe import check_language
from vulntune.data import Sample
from vulntune.data import fingerprint as corpus_fingerprint
from vulntune.errors import VulntuneError
from vulntune.models.calibrate import calibration_record
from vulntune.models.folder import canonical_json, read_meta, write_meta
from vulntune.models.labels import class_of, label_map, predictions_from_probabilities
from vulntune.models.prediction import Prediction, check_codes, language_threshold, recorded_thresholds

# Identifiers, numbers, then any other single non-space character: string quotes, "+", "(" and
# "." stay visible, which is what separates `"..." + name` from a bound parameter.
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+|\S")
NGRAMS = (1, 2)
MAX_FEATURES = 50_000
# The baseline has no hard window; tokens past this many are ignored so that scanners cut long
# units into windows exactly as they do for the transformer detectors (count_tokens agrees).
MAX_LENGTH = 2048
WEIGHTS_FILE = "tfidf.safetensors"
VOCAB_FILE = "tfidf-vocab.json"


def code_tokens(code: str) -> list[str]:
    """The baseline's tokens: identifiers, numbers and single punctuation characters."""
    return _TOKEN.findall(code)


def _features(code: str, language: str, max_length: int) -> list[str]:
    tokens = code_tokens(code)[:max_length]
    feats = [f"<lang:{language}>"]
    for n in range(NGRAMS[0], NGRAMS[1] + 1):
        feats.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return feats


@dataclass(kw_only=True, eq=False)
class TfidfDetector:
    """A TF-IDF + logistic-regression detector held as plain arrays (implements `Detector`).

    Attributes:
        vocabulary: feature strings in column order.
        idf: (n_features,) inverse document frequencies.
        coef: (n_classes, n_features) logistic-regression weights, rows in `labels` order.
        intercept: (n_classes,).
        meta: provenance written to `vulntune-model.json` on save.
    """

    languages: tuple[str, ...]
    labels: tuple[str, ...]
    threshold: float
    vocabulary: list[str]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    max_length: int = MAX_LENGTH
    thresholds: dict[str, float] = field(default_factory=dict)  # per language, when calibrated per language
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # float32 on disk; computing in float64 from the float32 values keeps a saved and a
        # freshly trained detector bit-identical.
        # C order: safetensors writes raw buffers, and sklearn's coef_ can be Fortran-ordered.
        self.idf = np.ascontiguousarray(self.idf, dtype=np.float32)
        self.coef = np.ascontiguousarray(self.coef, dtype=np.float32)
        self.intercept = np.ascontiguousarray(self.intercept, dtype=np.float32)
        n = len(self.vocabulary)
        if (
            self.idf.shape != (n,)
            or self.coef.shape != (len(self.labels), n)
            or self.intercept.shape != (len(self.labels),)
        ):
            raise VulntuneError(
                f"tfidf model: label map of {len(self.labels)} classes and {n} features does not match "
                f"weights of shape {tuple(self.coef.shape)}"
            )
        self._index = {feat: i for i, feat in enumerate(self.vocabulary)}
        self._idf64 = self.idf.astype(np.float64)
        self._coef64 = self.coef.astype(np.float64)
        self._intercept64 = self.intercept.astype(np.float64)
        digest = hashlib.sha256()
        keyed = {
            "kind": "tfidf",
            "labels": list(self.labels),
            "threshold": self.threshold,
            "max_length": self.max_length,
            "vocabulary": self.vocabulary,
        }
        if self.thresholds:  # older folders keep their fingerprint
            keyed["thresholds"] = self.thresholds
        digest.update(canonical_json(keyed).encode())
        for array in (self.idf, self.coef, self.intercept):
            digest.update(np.ascontiguousarray(array).tobytes())
        self.fingerprint = digest.hexdigest()

    def count_tokens(self, code: str) -> int:
        """Code tokens (identifiers, numbers, punctuation) before truncation to `max_length`."""
        return len(code_tokens(code))

    def _rows(self, codes: Sequence[str], language: str):
        """Per code: (column indices, l2-normalised sublinear TF-IDF values), as sklearn computes them."""
        for code in codes:
            counts = Counter(
                i for f in _features(code, language, self.max_length) if (i := self._index.get(f)) is not None
            )
            cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self._idf64[
                cols
            ]
            norm = math.sqrt(float(np.dot(values, values)))
            yield cols, values / norm if norm else values

    def transform(self, codes: Sequence[str], *, language: str):
        """(n, n_features) scipy CSR matrix of TF-IDF rows (for tests and inspection)."""
        from scipy.sparse import csr_matrix

        rows = list(self._rows(codes, language))
        indptr = np.cumsum([0] + [len(c) for c, _ in rows])
        cols = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
        vals = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
        return csr_matrix((vals, cols, indptr), shape=(len(codes), len(self.vocabulary)))

    def probabilities(self, codes: Sequence[str], *, language: str) -> np.ndarray:
        """(n, n_classes) class probabilities, rows in input order."""
        check_language(language)
        logits = np.tile(self._intercept64, (len(codes), 1))
        for row, (cols, values) in enumerate(self._rows(codes, language)):
            logits[row] += self._coef64[:, cols] @ values
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, codes: Sequence[str], *, language: str) -> list[Prediction]:
        check_codes(codes)
        return predictions_from_probabilities(
            self.probabilities(codes, language=language), self.labels, language_threshold(self, language)
        )


def train_tfidf(
    samples: Sequence[Sample],
    *,
    validation: Sequence[Sample] | None = None,
    target_fpr: float = 0.01,
    seed: int = 0,
    max_features: int = MAX_FEATURES,
    c: float = 10.0,
    scan_units: int = 0,
    weights: Sequence[float] | None = None,
) -> TfidfDetector:
    """Fit the baseline on `samples`; calibrate its threshold on `validation` when given.

    Takes about a second per thousand samples on one CPU core.

    Args:
        samples: training samples, both labels present.
        validation: held-out samples for the threshold (`target_fpr`); without them the
            threshold is 0.5.
        target_fpr: false positive rate the threshold aims for on `validation`.
        seed: fixes the solver.
        max_features: vocabulary cap (most frequent n-grams).
        c: inverse regularisation strength of the logistic regression.
        scan_units: how many of `validation` are scan units cut from the others (recorded).
        weights: a loss weight per sample (None: 1 each), on top of the balanced class weights.

    Raises:
        VulntuneError: no samples, or a single label.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    labels = label_map(samples)
    languages = tuple(sorted({s.language for s in samples}))
    vectorizer = TfidfVectorizer(
        analyzer=lambda pair: _features(pair[0], pair[1], MAX_LENGTH),
        sublinear_tf=True,
        max_features=max_features,
        dtype=np.float64,
    )
    x = vectorizer.fit_transform([(s.code, s.language) for s in samples])
    y = np.array([labels.index(class_of(s)) for s in samples])
    # "balanced" weights each class by n / (k * count): the many safe samples do not drown a rare CWE.
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=seed)
    model.fit(x, y, sample_weight=None if weights is None else np.asarray(weights, dtype=np.float64))
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:  # binary: sklearn keeps one row, p(class 1) = sigmoid(w.x + b) = softmax([0, w.x + b])
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.array([0.0, intercept[0]])
    vocabulary = [None] * len(vectorizer.vocabulary_)
    for feat, col in vectorizer.vocabulary_.items():
        vocabulary[col] = feat
    detector = TfidfDetector(
        languages=languages,
        labels=labels,
        threshold=0.5,
        vocabulary=vocabulary,
        idf=vectorizer.idf_,
        coef=coef,
        intercept=intercept,
    )
    meta: dict[str, Any] = {
        "objective": "classify",
        "method": "tfidf-logreg",
        "base": {"name": "tfidf", "source": "scikit-learn TfidfVectorizer + LogisticRegression", "sha256": None},
        "corpus_fingerprint": corpus_fingerprint(samples),
        "training_config": {
            "seed": seed,
            "max_features": max_features,
            "c": c,
            "ngrams": list(NGRAMS),
            "train_samples": len(samples),
        },
        "calibration": None,
        "validation_metrics": None,
    }
    if validation:
        meta.update(calibration_record(detector, validation, target_fpr=target_fpr, scan_units=scan_units))
        detector.threshold, detector.thresholds = meta["threshold"], meta["thresholds"]
        detector.__post_init__()  # the thresholds are part of the fingerprint
    detector.meta = meta
    return detector


def save_tfidf(detector: TfidfDetector, out: str | Path, *, force: bool = False) -> Path:
    """Write the baseline as a model folder (atomically). Returns the folder."""
    from safetensors.numpy import save_file

    from vulntune.models.card import write_card

    out = Path(out)
    meta = {
        **detector.meta,
        "kind": "tfidf",
        "labels": list(detector.labels),
        "languages": list(detector.languages),
        "max_length": detector.max_length,
        "threshold": detector.threshold,
        "thresholds": detector.thresholds,
    }
    meta.setdefault("objective", "classify")
    meta.setdefault("method", "tfidf-logreg")
    try:
        with atomic_dir(out, force=force) as tmp:
            (tmp / VOCAB_FILE).write_text(json.dumps(detector.vocabulary, ensure_ascii=False), encoding="utf-8")
            save_file(
                {"idf": detector.idf, "coef": detector.coef, "intercept": detector.intercept}, str(tmp / WEIGHTS_FILE)
            )
            record = write_meta(tmp, meta, weight_files=[VOCAB_FILE, WEIGHTS_FILE])
            write_card(tmp, record)
    except FileExistsError:
        raise VulntuneError(f"{out}: folder exists and is not empty (pass --force to replace it)") from None
    return out


def load_tfidf(folder: str | Path, meta: Mapping[str, Any] | None = None, **_options: Any) -> TfidfDetector:
    """Load a saved baseline (no sklearn, no pickle); transformer options (batch_size...) are ignored."""
    from safetensors.numpy import load_file

    folder = Path(folder)
    meta = dict(meta) if meta is not None else read_meta(folder)
    if meta["kind"] != "tfidf":
        raise VulntuneError(f"{folder}: a {meta['kind']} model, not a tfidf baseline")
    try:
        vocabulary = json.loads((folder / VOCAB_FILE).read_text(encoding="utf-8"))
        arrays = load_file(str(folder / WEIGHTS_FILE))
    except (OSError, ValueError) as exc:
        raise VulntuneError(f"{folder}: cannot read the baseline weights ({exc})") from None
    if not isinstance(vocabulary, list) or not all(isinstance(v, str) for v in vocabulary):
        raise VulntuneError(f"{folder}/{VOCAB_FILE}: expected a JSON list of strings")
    if not {"idf", "coef", "intercept"} <= set(arrays):
        raise VulntuneError(f"{folder}/{WEIGHTS_FILE}: missing arrays (need idf, coef, intercept)")
    keep = {k: v for k, v in meta.items() if k not in ("files",)}
    return TfidfDetector(
        languages=tuple(meta["languages"]),
        labels=tuple(meta["labels"]),
        threshold=float(meta["threshold"]),
        thresholds=recorded_thresholds(meta),
        max_length=int(meta["max_length"]),
        vocabulary=vocabulary,
        idf=arrays["idf"],
        coef=arrays["coef"],
        intercept=arrays["intercept"],
        meta=keep,
    )
