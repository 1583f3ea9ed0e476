"""The scanner with a fine-tuned transformer detector: the `tiny` base, two LoRA steps (~10 s).

Two training steps teach the tiny model nothing useful, so these tests check the machinery
(windows at a 64-token limit, batching, line choice by occlusion, the cache, formats), not
which code it flags.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from vulntune import load_detector
from vulntune.data import write_samples
from vulntune.formats import render
from vulntune.scan import ResultCache, scan_paths

from fixtures.scan.helpers import copy_repo, training_samples

pytestmark = pytest.mark.usefixtures("private_cache")

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0.json"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    from vulntune.train import TrainConfig, train

    base = tmp_path_factory.mktemp("tiny")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VULNTUNE_CACHE", str(base / "model-cache"))
        write_samples(base / "data" / "train.jsonl", training_samples(seed=0))
        write_samples(base / "data" / "validation.jsonl", training_samples(variants=2, seed=1))
        return train(
            TrainConfig(
                data=base / "data",
                base="tiny",
                out=base / "model",
                max_steps=2,
                batch_size=8,
                max_length=64,
                eval_batch_size=16,
                eval_steps=50,
                progress=False,
                threads=1,
            )
        )


class CountingDetector:
    """The loaded transformer detector with its predict() inputs counted (a spy, not a fake)."""

    def __init__(self, inner):
        self.inner, self.inputs = inner, 0
        for name in ("languages", "labels", "threshold", "thresholds", "max_length", "fingerprint", "meta"):
            setattr(self, name, getattr(inner, name))

    def predict(self, codes, *, language):
        self.inputs += len(codes)
        return self.inner.predict(codes, language=language)

    def count_tokens(self, code):
        return self.inner.count_tokens(code)


def test_tiny_transformer_scan_windows_locates_and_caches(tiny_dir, tmp_path):
    repo = copy_repo(tmp_path / "repo")
    detector = load_detector(tiny_dir)
    assert detector.max_length == 64
    detector.threshold, detector.thresholds = 0.0, {}  # every unit becomes a finding, so every unit's line is searched
    with ResultCache(tmp_path / "cache.sqlite3") as cache:
        cold_spy = CountingDetector(detector)
        cold = scan_paths([repo], detector=cold_spy, cache=cache)
        assert cold.stats["windows"] > cold.stats["units_inferred"] == cold.stats["units"] == 19
        assert cold.stats["located"] == 19
        assert len(cold.findings) + cold.summary.suppressed >= 15  # nested units flagging the same line merge
        for finding in cold.findings:
            assert finding.start_line <= finding.line <= finding.end_line
        warm_spy = CountingDetector(detector)
        warm = scan_paths([repo], detector=warm_spy, cache=cache)
        assert warm_spy.inputs == 0 and warm.findings == cold.findings
    log = json.loads(render("sarif", cold))
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(log)


def test_tiny_transformer_from_the_command_line(tiny_dir, tmp_path, capsys):
    from vulntune.cli import main

    repo = copy_repo(tmp_path / "repo")
    code = main(["scan", str(repo), "--model", str(tiny_dir), "--format", "json", "--jobs", "2"])
    document = json.loads(capsys.readouterr().out)
    assert code == (1 if document["findings"] else 0)
    assert document["summary"]["files_scanned"] == 4 and document["summary"]["units"] == 19


def test_int8_dtype_quantises_the_backbone_only_and_names_itself(tiny_dir):
    # The mechanism only: on the bundled judge int8 moves scores too far for its thresholds (the
    # card's "What was tried"), which is why the scanner does not offer it.
    from vulntune.scan import load_scan_model

    codes = ["import os\nos.system('ping ' + host)\n", "x = 1\n", "cur.execute('SELECT * FROM t WHERE a = ' + a)\n"]
    exact = load_scan_model(tiny_dir)
    quantised = load_scan_model(tiny_dir, precision="int8")
    assert "DynamicQuantizedLinear" in repr(quantised.model) and "DynamicQuantizedLinear" not in repr(exact.model)
    # the head stays float32: only the backbone's linear layers are quantised
    assert type(quantised.model.score).__name__ == "Linear"
    a = [p.score for p in exact.predict(codes, language="python")]
    b = [p.score for p in quantised.predict(codes, language="python")]
    assert a != b and max(abs(x - y) for x, y in zip(a, b)) < 0.05
    # another dtype scores differently, so its scan cache entries must not mix with float32's
    assert quantised.fingerprint == exact.fingerprint + "-int8"
