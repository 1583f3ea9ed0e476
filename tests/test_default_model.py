"""The detector shipped in the package: complete, checksummed, small, and classifying as recorded."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from vulntune.models.calibrate import point_thresholds
from vulntune.scan import default_model_path

EXAMPLES = Path(__file__).parent / "data" / "default_model_examples.json"


def _meta() -> dict:
    return json.loads((default_model_path() / "vulntune-model.json").read_text())


def test_shipped_model_files_match_their_recorded_checksums():
    folder = default_model_path()
    meta = _meta()
    assert meta["files"], "the metadata records the weight files"
    for name, digest in meta["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def test_shipped_model_is_small_and_self_describing():
    folder = default_model_path()
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size <= 20 * 1024 * 1024
    meta = _meta()
    assert meta["base"]["name"] == "smollm2-135m" and len(meta["base"]["sha256"]) == 64
    assert meta["objective"] == "classify" and meta["method"] == "lora"
    assert meta["languages"] == ["java", "python"]
    assert meta["training_config"]["unit"] == "slice" and meta["training_config"]["gate"] == "reachability"
    assert 0.0 < meta["threshold"] < 1.0
    assert set(meta["thresholds"]) == {"java", "python"} and all(0.0 < t < 1.0 for t in meta["thresholds"].values())
    assert len(meta["corpus_fingerprint"]) == 64
    assert "## Measured" in (folder / "README.md").read_text()


def test_shipped_threshold_is_one_of_its_recorded_operating_points():
    meta = _meta()
    points = {p["target_fpr"]: p for p in meta["operating_points"]}
    assert points[meta["calibration"]["target_fpr"]]["threshold"] == meta["threshold"]
    assert set(points) >= {0.005, 0.01, 0.02, 0.05, 0.1, 0.2}
    assert point_thresholds(points[meta["calibration"]["target_fpr"]]) == meta["thresholds"]
    for language in ("java", "python"):
        thresholds = [points[target]["by_language"][language]["threshold"] for target in sorted(points)]
        assert thresholds == sorted(thresholds, reverse=True)  # a higher FPR allowed, a lower threshold
        assert all(p["by_language"][language]["fpr"] <= target for target, p in points.items())
    assert "## Operating points" in (default_model_path() / "README.md").read_text()


@pytest.mark.slow
def test_shipped_judge_gives_the_recorded_verdicts_on_fixed_examples():
    """Needs the real SmolLM2 weights (converted once into the user cache)."""
    from vulntune import load_detector
    from vulntune.data import Sample
    from vulntune.slices import judge_records

    detector = load_detector(default_model_path())
    examples = json.loads(EXAMPLES.read_text())
    records = [
        Sample(id=e["name"], language=e["language"], cwe="CWE-0", label=e["truth"], code=e["code"]) for e in examples
    ]  # judge_records reads only the code and the language
    for example, row in zip(examples, judge_records(detector, records)):
        assert (row["label"], row["cwe"], row["line"]) == (example["label"], example["cwe"], example["line"]), example[
            "name"
        ]
        assert row["score"] == pytest.approx(example["score"], abs=2e-3), example["name"]
