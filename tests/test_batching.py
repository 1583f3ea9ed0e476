"""Twin batching: vulnerable/safe twins share a batch, the order is seeded and changes per epoch."""

import json

import pytest
from conftest import write_toy_corpus

from vulntune.batching import make_twin_sampler, twin_groups, twin_order
from vulntune.data import Sample
from vulntune.errors import VulntuneError
from vulntune.train import TrainConfig, train


def sample(i, pair):
    return Sample(
        id=str(i),
        language="python",
        cwe="CWE-89",
        label="vulnerable" if i % 2 else "safe",
        code=f"x = {i}",
        pair_id=pair,
    )


def test_groups_by_pair_id_and_keeps_singles_apart():
    samples = [sample(0, "a"), sample(1, "b"), sample(2, "a"), sample(3, None), sample(4, None), sample(5, "b")]
    assert twin_groups(samples) == [[0, 2], [1, 5], [3], [4]]


def test_order_keeps_twins_adjacent_and_aligned_to_even_batches():
    groups = [[2 * i, 2 * i + 1] for i in range(50)] + [[100], [101, 102, 103]]
    order = twin_order(groups, seed=0, epoch=0)
    assert sorted(order) == list(range(104))
    pairs = [set(order[k : k + 2]) for k in range(0, 100, 2)]
    assert all(p in [set(g) for g in groups] for p in pairs)  # every even-aligned slot holds one pair
    assert set(order[100:]) == {100, 101, 102, 103}  # a group larger than a batch and a single come last


def test_groups_of_three_and_four_share_one_batch_with_singles_filling_the_room():
    """Scan units and slices give a vulnerable sample several safe variants: 3-4 member groups."""
    groups, index = [], 0
    for size in [2] * 40 + [3] * 30 + [4] * 20 + [1] * 130:
        groups.append(list(range(index, index + size)))
        index += size
    for batch_size in (4, 8):
        order = twin_order(groups, seed=0, epoch=0, batch_size=batch_size)
        assert sorted(order) == list(range(index))
        batch_of = {i: position // batch_size for position, i in enumerate(order)}
        assert all(len({batch_of[i] for i in group}) == 1 for group in groups)


def test_order_is_seeded_and_reshuffled_per_epoch():
    groups = [[2 * i, 2 * i + 1] for i in range(30)]
    assert twin_order(groups, seed=0, epoch=0) == twin_order(groups, seed=0, epoch=0)
    assert twin_order(groups, seed=0, epoch=0) != twin_order(groups, seed=0, epoch=1)
    assert twin_order(groups, seed=0, epoch=0) != twin_order(groups, seed=1, epoch=0)


def test_sampler_follows_set_epoch():
    samples = [sample(i, str(i // 2)) for i in range(20)]
    sampler = make_twin_sampler(samples, seed=3)
    assert len(sampler) == 20 and list(sampler) == twin_order(twin_groups(samples), seed=3, epoch=0)
    sampler.set_epoch(1)
    assert list(sampler) == twin_order(twin_groups(samples), seed=3, epoch=1)


def test_twins_need_an_even_batch_size(tmp_path):
    with pytest.raises(VulntuneError, match="even batch size"):
        TrainConfig(data=tmp_path, out=tmp_path / "m", batching="twins", batch_size=3)
    with pytest.raises(VulntuneError, match="batching"):
        TrainConfig(data=tmp_path, out=tmp_path / "m", batching="pairs")


def test_training_batches_hold_twins_and_calibration_subsample(tmp_path, monkeypatch):
    monkeypatch.setenv("VULNTUNE_CACHE", str(tmp_path / "cache"))
    write_toy_corpus(tmp_path)
    import vulntune.train as training

    seen = []
    collate = training.Encoder.collate

    def spy(self, examples):
        seen.append(examples)
        return collate(self, examples)

    monkeypatch.setattr(training.Encoder, "collate", spy)
    config = TrainConfig(
        data=tmp_path,
        base="tiny",
        out=tmp_path / "m",
        max_steps=3,
        batch_size=4,
        eval_steps=50,
        progress=False,
        threads=1,
        batching="twins",
        calibration_samples=12,
    )
    train(config)
    assert len(seen) >= 3
    tokenizer_ids = {tuple(e["input_ids"]) for batch in seen[:3] for e in batch}
    assert len(tokenizer_ids) == 12  # 3 batches of 2 pairs, no sample twice
    for batch in seen[:3]:  # two pairs per batch: each one safe (class 0) and one vulnerable sample, adjacent
        labels = [e["labels"] for e in batch]
        assert all(sorted(labels[k : k + 2])[0] == 0 < sorted(labels[k : k + 2])[1] for k in (0, 2))
    meta = json.loads((tmp_path / "m" / "vulntune-model.json").read_text())
    assert meta["validation_metrics"]["samples"] == 12
    assert meta["training_config"]["batching"] == "twins"
