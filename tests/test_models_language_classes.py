"""A classify detector scores, for each language, only the classes it was trained on for it."""

import json

import numpy as np
import pytest
import torch
from test_unit_samples import FIXED, VULNERABLE, sample

from vulntune import load_detector
from vulntune.data import write_samples
from vulntune.models.classifier import ClassifierDetector
from vulntune.models.folder import META_FILE, folder_fingerprint
from vulntune.models.labels import classes_by_language
from vulntune.models.sources import resolve_base
from vulntune.models.toy import toy_corpus
from vulntune.models.windows import load_tokenizer
from vulntune.train import TrainConfig, train
from vulntune.unit_samples import scan_unit_samples

pytestmark = pytest.mark.usefixtures("module_cache")
LABELS = ("safe", "CWE-78", "CWE-89", "CWE-94")
CODES = ["cur.execute('SELECT * FROM t WHERE a = ' + name)", "x = 1", "Runtime.getRuntime().exec(cmd);"]


def detector(meta):
    from transformers import AutoModelForSequenceClassification

    base = resolve_base("tiny")
    tokenizer = load_tokenizer(base.path)
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(base.path), num_labels=len(LABELS), pad_token_id=tokenizer.pad_token_id
    )
    return ClassifierDetector(
        model=model,
        tokenizer=tokenizer,
        labels=LABELS,
        languages=("java", "python"),
        threshold=0.5,
        max_length=64,
        fingerprint="x",
        meta=meta,
    )


def test_classes_by_language_lists_what_each_language_trained_on_in_label_order():
    train_samples, _ = toy_corpus(per_pair=1)
    java_without_22 = [s for s in train_samples if not (s.language == "java" and s.cwe == "CWE-22")]
    assert classes_by_language(java_without_22, ("safe", "CWE-22", "CWE-78", "CWE-89")) == {
        "java": ["safe", "CWE-78", "CWE-89"],
        "python": ["safe", "CWE-22", "CWE-78", "CWE-89"],
    }


def test_untrained_classes_get_zero_and_the_rest_is_renormalised():
    plain = detector({}).probabilities(CODES, language="java")
    masked_detector = detector({"classes_by_language": {"java": ["safe", "CWE-78", "CWE-89"], "python": list(LABELS)}})
    masked = masked_detector.probabilities(CODES, language="java")
    assert np.all(masked[:, 3] == 0) and np.allclose(masked.sum(axis=1), 1.0)
    assert np.allclose(masked[:, :3], plain[:, :3] / plain[:, :3].sum(axis=1, keepdims=True))
    assert np.all(masked[:, 0] > plain[:, 0])  # the safe share grows: the score can only fall
    assert np.allclose(
        masked_detector.probabilities(CODES, language="python"), detector({}).probabilities(CODES, language="python")
    )
    assert all(p.cwe != "CWE-94" for p in masked_detector.predict(CODES, language="java"))


def test_training_records_language_classes_and_scan_units(tmp_path):
    train_samples, validation = toy_corpus(per_pair=2)
    train_samples = [s for s in train_samples if not (s.language == "java" and s.cwe == "CWE-22")]
    files = [sample(f"v{k}", VULNERABLE, "vulnerable", pair=f"p{k}") for k in range(2)]
    files += [sample(f"s{k}", FIXED, "safe", pair=f"p{k}", safe_kind="fix") for k in range(2)]
    write_samples(tmp_path / "train.jsonl", train_samples + files)
    write_samples(tmp_path / "validation.jsonl", validation)
    config = TrainConfig(
        data=tmp_path,
        base="tiny",
        out=tmp_path / "m",
        max_steps=2,
        batch_size=4,
        progress=False,
        threads=1,
        scan_units=True,
        batching="twins",
    )
    folder = train(config)
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["classes_by_language"]["java"] == ["safe", "CWE-78", "CWE-89"]
    units = scan_unit_samples(train_samples + files, seed=0)
    assert meta["train_units"] == len(units) and {u.meta["unit_of"] for u in units} >= {"v0", "v1", "s0", "s1"}
    assert meta["train_samples"] == len(train_samples) + 4  # files; the units are counted apart
    assert f"{len(train_samples) + 4} files + {len(units)} scan units" in (folder / "README.md").read_text()
    java = [s.code for s in validation if s.language == "java"]
    assert all(p.probabilities["CWE-22"] == 0.0 for p in load_detector(folder).predict(java, language="java"))
    assert folder_fingerprint(meta) != folder_fingerprint({k: v for k, v in meta.items() if k != "classes_by_language"})


def test_only_classify_transformers_record_language_classes(corpus, tmp_path):
    folder = train(TrainConfig(data=corpus, base="tfidf", out=tmp_path / "t", progress=False))
    assert "classes_by_language" not in json.loads((folder / META_FILE).read_text())
