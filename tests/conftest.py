"""Fixtures shared by the training tests."""

from pathlib import Path

import pytest

from vulntune.data import write_samples
from vulntune.models.toy import toy_corpus

pytest_plugins = ["fixtures.scan.helpers"]  # the scan fixtures: detector, model_dir, repo, private_cache


def write_toy_corpus(folder: Path, *, per_pair: int = 4, seed: int = 0) -> Path:
    """The toy corpus as a synth-like folder (train.jsonl, validation.jsonl); returns the folder."""
    train_samples, validation = toy_corpus(per_pair=per_pair, seed=seed)
    write_samples(folder / "train.jsonl", train_samples)
    write_samples(folder / "validation.jsonl", validation)
    return folder


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory, request):
    """VULNTUNE_CACHE in a folder of the test module's own (tiny base models are built there)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VULNTUNE_CACHE", str(tmp_path_factory.getbasetemp() / f"vulntune-cache-{request.module.__name__}"))
        yield


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A toy corpus folder, one per test module."""
    return write_toy_corpus(tmp_path_factory.mktemp("toy-corpus"))
