"""Training with the tiny model: what changes, what is saved, resuming, and the model folder."""

import csv
import json

import pytest

from vulntune import load_detector
from vulntune.errors import VulntuneError
from vulntune.models.folder import META_FILE
from vulntune.models.toy import toy_corpus
from vulntune.train import TrainConfig, checkpoint_dir, class_weights, load_config, train

pytestmark = pytest.mark.usefixtures("module_cache")


def tiny(corpus, out, **overrides):
    options = dict(
        data=corpus,
        base="tiny",
        out=out,
        max_steps=2,
        batch_size=4,
        eval_batch_size=8,
        logging_steps=1,
        eval_steps=50,
        progress=False,
        threads=1,
    )
    options.update(overrides)
    return TrainConfig(**options)


class Snapshot:
    """A TrainerCallback that copies every parameter before and after training."""

    def __getattr__(self, name):
        if name.startswith("on_"):
            return lambda *a, **k: None
        raise AttributeError(name)

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self.before = {n: p.detach().clone() for n, p in model.named_parameters()}

    def on_train_end(self, args, state, control, model=None, **kwargs):
        self.after = {n: p.detach().clone() for n, p in model.named_parameters()}


class Interrupt(Snapshot):
    def __init__(self, at_step):
        self.at_step = at_step

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == self.at_step:
            raise KeyboardInterrupt


@pytest.mark.parametrize("method", ["lora", "ia3"])
def test_two_steps_change_adapter_not_base(corpus, tmp_path, method):
    snap = Snapshot()
    train(tiny(corpus, tmp_path / "m", method=method, learning_rate=1e-2), callbacks=[snap])
    marker = "lora_" if method == "lora" else "ia3_"
    adapter = [n for n in snap.before if marker in n]
    head = [n for n in snap.before if "score" in n and "modules_to_save" in n]
    base = [n for n in snap.before if marker not in n and "score" not in n]
    assert adapter and head and base
    assert any(not snap.before[n].equal(snap.after[n]) for n in adapter)
    assert all(not snap.before[n].equal(snap.after[n]) for n in head)
    assert all(snap.before[n].equal(snap.after[n]) for n in base)


def test_model_folder_contents_and_reload(corpus, tmp_path):
    folder = train(tiny(corpus, tmp_path / "m", max_steps=3))
    names = {p.name for p in folder.iterdir()}
    assert {"adapter_model.safetensors", "adapter_config.json", META_FILE, "README.md", "loss.csv", "loss.png"} <= names
    assert not any(n.endswith((".bin", ".pt", ".pkl")) for n in names)
    assert not checkpoint_dir(folder).exists()
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["kind"] == "classify" and meta["method"] == "lora" and meta["objective"] == "classify"
    assert meta["labels"] == ["safe", "CWE-22", "CWE-78", "CWE-89"]
    assert meta["base"]["name"] == "tiny" and len(meta["base"]["sha256"]) == 64
    assert meta["max_length"] == 512 and meta["train_steps"] == 3
    assert meta["training_config"]["max_steps"] == 3 and len(meta["corpus_fingerprint"]) == 64
    assert meta["calibration"]["fpr"] <= 0.01 and meta["threshold"] == meta["calibration"]["threshold"]
    assert meta["validation_metrics"]["samples"] == 24

    # Save + load give identical predictions, and batching does not change them.
    first, second = load_detector(folder), load_detector(folder, batch_size=1)
    codes = [s.code for s in toy_corpus(per_pair=1, seed=7)[0]]
    a = first.predict(codes, language="python")
    b = second.predict(codes, language="python")
    assert [p.label for p in a] == [p.label for p in b]
    for x, y in zip(a, b):
        assert x.score == pytest.approx(y.score, abs=1e-5)
    assert load_detector(folder).predict(codes, language="python") == a
    assert first.fingerprint == second.fingerprint and first.threshold == meta["threshold"]
    rows = list(csv.DictReader(open(folder / "loss.csv")))
    assert [int(r["step"]) for r in rows if r["loss"]] == [1, 2, 3]


def test_resume_continues_from_checkpoint(corpus, tmp_path):
    out = tmp_path / "m"
    config = tiny(corpus, out, max_steps=4, eval_steps=2)
    with pytest.raises(KeyboardInterrupt):
        train(config, callbacks=[Interrupt(at_step=3)])
    # Interrupted: a checkpoint at step 2, and no model folder that could be loaded half-made.
    assert (checkpoint_dir(out) / "checkpoint-2").is_dir()
    assert not out.exists()
    with pytest.raises(VulntuneError, match="--resume"):
        train(config)
    folder = train(tiny(corpus, out, max_steps=4, eval_steps=2, resume=True))
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["resumed_from_step"] == 2 and meta["train_steps"] == 4
    rows = list(csv.DictReader(open(folder / "loss.csv")))
    assert [int(r["step"]) for r in rows if r["loss"]] == [1, 2, 3, 4]
    with pytest.raises(VulntuneError, match="nothing to resume"):
        train(tiny(corpus, tmp_path / "other", resume=True))


def test_resume_refuses_a_different_run(corpus, tmp_path):
    out = tmp_path / "m"
    with pytest.raises(KeyboardInterrupt):
        train(tiny(corpus, out, max_steps=4, eval_steps=2), callbacks=[Interrupt(at_step=3)])
    with pytest.raises(VulntuneError, match="different objective"):
        train(tiny(corpus, out, max_steps=4, objective="instruct", resume=True))


def test_instruct_and_full_and_zero_shot_folders_load(corpus, tmp_path):
    for objective, method in (("instruct", "lora"), ("classify", "full"), ("zero-shot", "lora")):
        folder = train(tiny(corpus, tmp_path / f"{objective}-{method}", objective=objective, method=method))
        detector = load_detector(folder)
        preds = detector.predict(["import os\nos.system('ls ' + d)"], language="python")
        assert preds[0].probabilities.keys() == {"safe", "CWE-22", "CWE-78", "CWE-89"}
        meta = json.loads((folder / META_FILE).read_text())
        assert meta["objective"] == objective
        if method == "full" and objective != "zero-shot":
            assert (folder / "model.safetensors").is_file()


def test_early_stopping_with_periodic_evaluation(corpus, tmp_path):
    folder = train(tiny(corpus, tmp_path / "m", max_steps=3, eval_steps=1, early_stopping_patience=1, precision="fp32"))
    rows = list(csv.DictReader(open(folder / "loss.csv")))
    assert any(r["eval_loss"] for r in rows)


def test_class_weights_split_half_and_half():
    train_samples, _ = toy_corpus(per_pair=2)
    labels = ("safe", "CWE-22", "CWE-78", "CWE-89", "CWE-90")
    weights = class_weights(train_samples, labels)
    counts = {label: 0 for label in labels}
    for s in train_samples:
        counts["safe" if s.label == "safe" else s.cwe] += 1
    total = {label: w * counts[label] for label, w in zip(labels, weights)}
    assert total["safe"] == pytest.approx(len(train_samples) / 2)
    assert sum(total.values()) == pytest.approx(len(train_samples))
    assert total["CWE-90"] == 0.0


def test_recipe_and_overrides(tmp_path, corpus):
    recipe = tmp_path / "r.toml"
    recipe.write_text(
        f'data = "{corpus}"\nbase = "tiny"\nout = "{tmp_path / "x"}"\nmax_steps = 7\nlanguages = ["python"]\n'
    )
    config = load_config(recipe, {"max_steps": 3, "seed": None})
    assert config.max_steps == 3 and config.languages == ("python",) and config.base == "tiny"
    recipe.write_text('data = "d"\nout = "o"\nmax_step = 3\n')
    with pytest.raises(VulntuneError, match="unknown key 'max_step'"):
        load_config(recipe)
    with pytest.raises(VulntuneError, match="'objective'"):
        TrainConfig(data=corpus, out=tmp_path, objective="generate")


def test_languages_filter(corpus, tmp_path):
    folder = train(tiny(corpus, tmp_path / "m", languages=("java",), max_steps=1))
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["languages"] == ["java"] and meta["train_samples"] == 24


def test_tfidf_end_to_end(corpus, tmp_path):
    folder = train(TrainConfig(data=corpus, base="tfidf", out=tmp_path / "t"))
    detector = load_detector(folder)
    meta = json.loads((folder / META_FILE).read_text())
    assert meta["kind"] == "tfidf" and meta["training_config"]["base"] == "tfidf"
    assert meta["corpus_fingerprint"] and meta["validation_metrics"]["fpr"] <= 0.01
    pred = detector.predict(['cur.execute("SELECT * FROM t WHERE a = \'" + a + "\'")'], language="python")[0]
    assert pred.cwe == "CWE-89"


def test_tfidf_calibrates_on_scan_units_too(corpus, tmp_path):
    meta = json.loads(
        (train(TrainConfig(data=corpus, base="tfidf", out=tmp_path / "t", scan_units=True)) / META_FILE).read_text()
    )
    files = meta["validation_samples"]
    assert meta["calibration"]["scan_units"] > 0 and meta["train_units"] > 0
    assert meta["validation_metrics"]["samples"] == files + meta["calibration"]["scan_units"]


def test_shipped_recipes_parse():
    from pathlib import Path

    recipes = sorted((Path(__file__).resolve().parents[1] / "recipes").glob("*.toml"))
    assert recipes
    for recipe in recipes:
        config = load_config(recipe)
        assert config.out is not None and config.data is not None


def test_lora_top_layers_adapts_only_the_top_blocks(corpus, tmp_path):
    # tiny has 2 blocks: adapting the top one leaves block 0 without LoRA weights at all.
    snap = Snapshot()
    train(tiny(corpus, tmp_path / "m", lora_top_layers=1, learning_rate=1e-2), callbacks=[snap])
    adapted = {n for n in snap.before if "lora_" in n}
    assert adapted and all(".layers.1." in n for n in adapted)
    assert load_detector(tmp_path / "m").predict(["x = 1"], language="python")


@pytest.mark.slow
def test_smollm2_two_steps_then_load(corpus, tmp_path, monkeypatch):
    # The real base: converted once into the user cache (~25 s), then 2 steps of LoRA on the top 2 blocks.
    monkeypatch.delenv("VULNTUNE_CACHE", raising=False)
    folder = train(tiny(corpus, tmp_path / "m", base="smollm2-135m", lora_top_layers=2, max_length=128, threads=None))
    detector = load_detector(folder)
    preds = detector.predict(["cur.execute('SELECT * FROM t WHERE a = ' + a)"], language="python")
    assert 0.0 <= preds[0].score <= 1.0
    assert json.loads((folder / META_FILE).read_text())["base"]["sha256"].startswith("b179c952")


def test_lora_top_layers_is_refused_for_other_methods(tmp_path):
    with pytest.raises(VulntuneError, match="only applies to method lora"):
        TrainConfig(data=tmp_path, out=tmp_path / "m", method="ia3", lora_top_layers=2)


def test_head_learning_rate_moves_the_head_by_its_own_rate(corpus, tmp_path):
    # Adam steps are about the learning rate in size: a head rate 10,000x smaller moves the head
    # 10,000x less, while the adapter moves as before.
    steps = {}
    for name, head_rate in (("same", None), ("slow", 1e-6)):
        snap = Snapshot()
        train(tiny(corpus, tmp_path / name, learning_rate=1e-2, head_learning_rate=head_rate), callbacks=[snap])
        moved = {n: (snap.after[n] - snap.before[n]).abs().max().item() for n in snap.before}
        steps[name] = (
            max(v for n, v in moved.items() if "modules_to_save" in n and "score" in n),
            max(v for n, v in moved.items() if "lora_" in n),
        )
    assert steps["same"][0] > 1e-3 and steps["slow"][0] < 1e-5
    assert steps["slow"][1] == pytest.approx(steps["same"][1], rel=0.5)
    with pytest.raises(VulntuneError, match="'head_learning_rate': only applies to objective classify"):
        TrainConfig(data=tmp_path, out=tmp_path / "m", objective="instruct", head_learning_rate=1e-4)
