"""The TF-IDF baseline: training, prediction, save/load without pickle."""

import json

import numpy as np
import pytest

from vulntune import load_detector
from vulntune.data import Sample
from vulntune.errors import VulntuneError
from vulntune.models.baseline import TfidfDetector, load_tfidf, save_tfidf, train_tfidf
from vulntune.models.folder import META_FILE
from vulntune.models.prediction import Detector
from vulntune.models.toy import toy_corpus

PY_SQLI = 'def find(conn, who):\n    cur = conn.cursor()\n    cur.execute("SELECT * FROM users WHERE name = \'" + who + "\'")\n'
PY_SAFE = (
    'def find(conn, who):\n    cur = conn.cursor()\n    cur.execute("SELECT * FROM users WHERE name = ?", (who,))\n'
)
JAVA_CMD = 'public void go(String h) throws IOException {\n    Runtime.getRuntime().exec("ping -c 1 " + h);\n}\n'


@pytest.fixture(scope="module")
def corpus():
    return toy_corpus(per_pair=6, seed=0)


@pytest.fixture(scope="module")
def tfidf(corpus):
    train, validation = corpus
    return train_tfidf(train, validation=validation, seed=0)


def test_implements_detector_protocol(tfidf):
    assert isinstance(tfidf, Detector)
    assert tfidf.labels == ("safe", "CWE-22", "CWE-78", "CWE-89")
    assert tfidf.languages == ("java", "python")
    assert len(tfidf.fingerprint) == 64


def test_learns_the_toy_corpus(tfidf):
    preds = tfidf.predict([PY_SQLI, PY_SAFE], language="python")
    assert preds[0].label == "vulnerable" and preds[0].cwe == "CWE-89"
    assert preds[0].score > preds[1].score
    assert sum(preds[0].probabilities.values()) == pytest.approx(1.0)
    assert preds[0].score == pytest.approx(1 - preds[0].probabilities["safe"])
    java = tfidf.predict([JAVA_CMD], language="java")[0]
    assert java.cwe == "CWE-78"


def test_threshold_calibrated_on_validation(tfidf):
    cal = tfidf.meta["calibration"]
    assert cal["fpr"] <= 0.01 and cal["threshold"] == tfidf.threshold
    assert tfidf.meta["validation_metrics"]["samples"] == 36


def test_matches_sklearn_transform(corpus):
    # The numpy re-implementation must compute what sklearn's TfidfVectorizer computed.
    from sklearn.feature_extraction.text import TfidfVectorizer

    from vulntune.models.baseline import MAX_LENGTH, _features

    train, _ = corpus
    vec = TfidfVectorizer(analyzer=lambda p: _features(p[0], p[1], MAX_LENGTH), sublinear_tf=True)
    expected = vec.fit_transform([(s.code, s.language) for s in train]).toarray()
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
    det = TfidfDetector(
        languages=("python",),
        labels=("safe", "CWE-89"),
        threshold=0.5,
        vocabulary=vocab,
        idf=vec.idf_,
        coef=np.zeros((2, len(vocab))),
        intercept=np.zeros(2),
    )
    py = [s for s in train if s.language == "python"]
    got = det.transform([s.code for s in py], language="python").toarray()
    rows = [i for i, s in enumerate(train) if s.language == "python"]
    np.testing.assert_allclose(got, expected[rows], atol=1e-6)  # idf stored as float32


def test_save_load_identical(tfidf, tmp_path):
    folder = save_tfidf(tfidf, tmp_path / "m")
    loaded = load_detector(folder)
    codes = [PY_SQLI, PY_SAFE, "x = 1", ""]
    assert loaded.predict(codes, language="python") == tfidf.predict(codes, language="python")
    assert loaded.fingerprint == tfidf.fingerprint and loaded.threshold == tfidf.threshold
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["kind"] == "tfidf" and meta["corpus_fingerprint"] and meta["labels"][0] == "safe"
    assert (folder / "README.md").read_text().startswith("# vulntune detector")
    assert not list(folder.glob("*.pkl")) and not list(folder.glob("*.pickle"))


def test_refuses_existing_folder_and_altered_weights(tfidf, tmp_path):
    folder = save_tfidf(tfidf, tmp_path / "m")
    with pytest.raises(VulntuneError, match="exists"):
        save_tfidf(tfidf, folder)
    save_tfidf(tfidf, folder, force=True)
    weights = folder / "tfidf.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4] + b"\0\0\0\0")
    with pytest.raises(VulntuneError, match="sha256"):
        load_tfidf(folder)


def test_label_map_must_match_weights(tfidf, tmp_path):
    folder = save_tfidf(tfidf, tmp_path / "m")
    meta = json.loads((folder / META_FILE).read_text())
    meta["labels"] = meta["labels"][:-1]
    (folder / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(VulntuneError, match="label map"):
        load_detector(folder)


def test_count_tokens_and_truncation(tfidf):
    assert tfidf.count_tokens("a = b + 1") == 5
    long = PY_SAFE + "\n" + "x = 1\n" * 2000
    assert tfidf.count_tokens(long) > tfidf.max_length
    assert len(tfidf.predict([long], language="python")) == 1


def test_single_label_rejected():
    safe = [Sample(id=str(i), language="python", cwe="CWE-89", label="safe", code=f"x = {i}") for i in range(3)]
    with pytest.raises(VulntuneError, match="every sample is safe"):
        train_tfidf(safe)


def test_unknown_language_rejected(tfidf):
    with pytest.raises(VulntuneError, match="unknown language"):
        tfidf.predict(["x"], language="cobol")


def test_binary_problem(corpus):
    train, _ = corpus
    only = [s for s in train if s.cwe == "CWE-89"]
    det = train_tfidf(only)
    assert det.labels == ("safe", "CWE-89") and det.threshold == 0.5
    preds = det.predict([PY_SQLI, PY_SAFE], language="python")
    assert preds[0].score > 0.5 > preds[1].score
