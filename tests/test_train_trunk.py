"""Training the top blocks from stored trunk outputs gives the model that whole-model training gives; a judge
on the first blocks of its base is trained, saved and loaded cut the same way."""

import json

import pytest
import torch
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
        max_steps=4,
        batch_size=4,
        eval_batch_size=8,
        eval_steps=50,
        progress=False,
        threads=1,
        lora_top_layers=1,
        learning_rate=1e-2,
        batching="twins",
    )
    options.update(overrides)
    return train(TrainConfig(**options))


@pytest.mark.parametrize("pooling", ["last", "max"])
def test_trunk_cache_trains_the_same_weights(corpus, tmp_path, pooling):
    whole = run(corpus, tmp_path / "whole", pooling=pooling)
    cached = run(corpus, tmp_path / "cached", pooling=pooling, trunk_cache=True)
    a, b = load_file(whole / "adapter_model.safetensors"), load_file(cached / "adapter_model.safetensors")
    assert a.keys() == b.keys() and any(".layers.1." in k for k in a)
    assert not any(".layers.0." in k for k in a)  # the trunk has no adapter
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-4), key
    meta = json.loads((cached / META_FILE).read_text())
    assert meta["training_config"]["trunk_cache"] is True and meta["train_steps"] == 4
    assert meta["trunk_seconds"] >= 0 and json.loads((whole / META_FILE).read_text())["trunk_seconds"] is None
    code = ["import os\nos.system('ping ' + host)"]
    assert load_detector(cached).predict(code, language="python")[0].score == pytest.approx(
        load_detector(whole).predict(code, language="python")[0].score, abs=1e-4
    )


def test_a_trunk_store_is_read_by_the_next_run_and_trains_the_same_weights(corpus, tmp_path):
    store = tmp_path / "trunk"
    plain = run(corpus, tmp_path / "plain", trunk_cache=True)
    first = run(corpus, tmp_path / "first", trunk_cache=True, trunk_store=str(store))
    (folder,) = list(store.iterdir())  # one folder for this base, dtype and first trained block
    files = sorted(folder.glob("*.safetensors"))  # the training windows' file and the evaluation windows'
    second = run(corpus, tmp_path / "second", trunk_cache=True, trunk_store=str(store))
    ran = [json.loads((model / META_FILE).read_text())["trunk_windows"] for model in (plain, first, second)]
    total = ran[0][1]
    assert ran == [[total, total], [total, total], [0, total]] and total > 0  # the second run passed no window
    assert folder.name.endswith("-float32-from-block-1") and len(files) == 2
    assert sorted(folder.glob("*.safetensors")) == files  # and wrote nothing
    weights = [load_file(model / "adapter_model.safetensors") for model in (plain, first, second)]
    for key in weights[0]:
        assert torch.equal(weights[0][key], weights[1][key]) and torch.equal(weights[0][key], weights[2][key]), key
    with pytest.raises(VulntuneError, match="'trunk_store': only applies with trunk_cache"):
        TrainConfig(data=tmp_path, out=tmp_path / "m", trunk_store=str(store))


def test_trunk_cache_restores_the_best_checkpoint(corpus, tmp_path):
    # Evaluation every step with patience 1: the Trainer stops early and reloads the best weights
    # from a checkpoint that holds only the adapter and head.
    folder = run(corpus, tmp_path / "m", max_steps=6, eval_steps=1, early_stopping_patience=1, trunk_cache=True)
    rows = [line.split(",") for line in (folder / "loss.csv").read_text().splitlines()[1:]]
    assert any(r[3] for r in rows)  # evaluated
    assert load_detector(folder).predict(["x = 1"], language="python")


def test_trunk_cache_needs_a_frozen_trunk(corpus, tmp_path):
    with pytest.raises(VulntuneError, match="'trunk_cache': needs objective classify, method lora and lora_top_layers"):
        TrainConfig(data=tmp_path, out=tmp_path / "m", trunk_cache=True)
    with pytest.raises(VulntuneError, match="adapts every block of this base"):
        run(corpus, tmp_path / "m", lora_top_layers=2, trunk_cache=True)  # tiny has 2 blocks


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
