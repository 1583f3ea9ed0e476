"""Max pooling: the head reads the maximum over the real tokens of a window, whatever the padding."""

import json

import pytest
import torch

from vulntune import load_detector
from vulntune.errors import VulntuneError
from vulntune.models.folder import META_FILE
from vulntune.models.pooling import POOLINGS, RunningMaxLinear, set_pooling
from vulntune.models.sources import resolve_base
from vulntune.models.toy import toy_corpus
from vulntune.models.windows import load_tokenizer
from vulntune.train import POOLINGS as TRAIN_POOLINGS
from vulntune.train import TrainConfig, train

pytestmark = pytest.mark.usefixtures("module_cache")


def tiny_classifier(labels=3):
    from transformers import AutoModelForSequenceClassification

    base = resolve_base("tiny")
    tokenizer = load_tokenizer(base.path)
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(base.path), num_labels=labels, pad_token_id=tokenizer.pad_token_id
    )
    return model.eval(), tokenizer


def test_max_pooling_is_the_maximum_over_real_tokens_only():
    model, tokenizer = tiny_classifier()
    head = model.score
    set_pooling(model, "max")
    assert isinstance(model.score, RunningMaxLinear) and torch.equal(model.score.weight, head.weight)
    codes = ["query = 'SELECT * FROM t WHERE a = ' + name", "x = 1"]
    ids = [tokenizer(c, add_special_tokens=False)["input_ids"] for c in codes]
    width = max(map(len, ids))
    input_ids = torch.full((2, width), tokenizer.pad_token_id)
    mask = torch.zeros((2, width), dtype=torch.long)
    for row, x in enumerate(ids):
        input_ids[row, : len(x)] = torch.tensor(x)
        mask[row, : len(x)] = 1
    with torch.no_grad():
        batched = model(input_ids=input_ids, attention_mask=mask).logits
        for row, x in enumerate(ids):
            alone = torch.tensor([x])
            hidden = model.model(input_ids=alone).last_hidden_state[0]  # post-norm, what the head sees
            expected = head(hidden.max(dim=0).values)
            assert torch.allclose(batched[row], expected, atol=1e-5)
            assert torch.allclose(model(input_ids=alone).logits[0], expected, atol=1e-5)


def test_last_pooling_leaves_the_model_alone_and_bad_names_are_refused():
    model, _ = tiny_classifier()
    head = model.score
    assert set_pooling(model, "last").score is head
    with pytest.raises(VulntuneError, match="unknown pooling 'mean'"):
        set_pooling(model, "mean")
    with pytest.raises(VulntuneError, match="needs a model with a linear 'score' head"):
        set_pooling(torch.nn.Module(), "max")


def test_pooling_only_for_classify(tmp_path):
    assert TRAIN_POOLINGS == POOLINGS  # train.py keeps its own copy so that configs load without torch
    with pytest.raises(VulntuneError, match="'pooling': only applies to objective classify"):
        TrainConfig(data=tmp_path, out=tmp_path / "m", objective="instruct", pooling="max")
    with pytest.raises(VulntuneError, match="config key 'pooling'"):
        TrainConfig(data=tmp_path, out=tmp_path / "m", pooling="mean")


def test_max_pooled_model_trains_saves_and_reloads_identically(corpus, tmp_path):
    validation = toy_corpus(per_pair=4, seed=0)[1]
    folder = train(
        TrainConfig(
            data=corpus,
            base="tiny",
            out=tmp_path / "m",
            max_steps=3,
            batch_size=4,
            eval_batch_size=8,
            eval_steps=50,
            progress=False,
            threads=1,
            pooling="max",
            learning_rate=1e-2,
        )
    )
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["pooling"] == "max" and "| pooling | max |" in (folder / "README.md").read_text()
    one, many = load_detector(folder, batch_size=1), load_detector(folder, batch_size=8)
    assert isinstance(one.model.score, RunningMaxLinear)
    codes = [s.code for s in validation[:8]]
    for a, b in zip(one.predict(codes, language="python"), many.predict(codes, language="python")):
        assert a.score == pytest.approx(b.score, abs=1e-5)  # padding in a batch changes nothing
    # The calibrated threshold was computed on the model as loaded: its validation FPR is what it says.
    assert meta["calibration"]["fpr"] <= 0.01
    last = train(
        TrainConfig(
            data=corpus,
            base="tiny",
            out=tmp_path / "last",
            max_steps=3,
            batch_size=4,
            eval_batch_size=8,
            eval_steps=50,
            progress=False,
            threads=1,
            learning_rate=1e-2,
        )
    )
    assert load_detector(last).fingerprint != one.fingerprint
