"""A judge on the first blocks of its base: trained, saved and loaded cut the same way."""

import json

import pytest
from safetensors.torch import load_file

from vulntune import load_detector
from vulntune.errors import VulntuneError
from vulntune.models.folder import META_FILE
from vulntune.train import TrainConfig, train

pytestmark = pytest.mark.usefixtures("module_cache")


def run(corpus, out, **overrides):
    options = dict(
        data=corpus,
        base="tiny",
        out=out,
        max_steps=3,
        batch_size=4,
        eval_batch_size=8,
        eval_steps=50,
        progress=False,
        threads=1,
        learning_rate=1e-2,
    )
    options.update(overrides)
    return train(TrainConfig(**options))


def test_a_shallow_judge_keeps_the_first_blocks_when_trained_and_loaded(corpus, tmp_path):
    folder = run(corpus, tmp_path / "shallow", base_layers=1)
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["base_layers"] == 1 and meta["training_config"]["base_layers"] == 1
    adapter = load_file(folder / "adapter_model.safetensors")
    assert any(".layers.0." in k for k in adapter) and not any(".layers.1." in k for k in adapter)
    detector = load_detector(folder)
    assert detector.model.config.num_hidden_layers == 1 and len(detector.model.model.layers) == 1
    code = ["import os\nos.system('ping ' + host)"]
    assert detector.predict(code, language="python")[0].score == pytest.approx(
        load_detector(folder).predict(code, language="python")[0].score, abs=1e-6
    )
    assert "| blocks used | the first 1 of the base |" in (folder / "README.md").read_text()
    whole = json.loads((run(corpus, tmp_path / "whole") / META_FILE).read_text())
    assert whole["base_layers"] is None


def test_base_layers_are_checked(corpus, tmp_path):
    with pytest.raises(VulntuneError, match="base_layers = 3: base model tiny has 2 blocks"):
        run(corpus, tmp_path / "deep", base_layers=3)
    with pytest.raises(VulntuneError, match="'base_layers': must be > 0"):
        TrainConfig(data=tmp_path, out=tmp_path / "m", base_layers=0)
