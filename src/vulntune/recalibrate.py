"""Choose a saved model's threshold again, without retraining.

For another false positive rate than the one it was trained for, on other validation data, or
with scan units in the calibration set. The weights are not touched; `vulntune-model.json`
(threshold, calibration, validation metrics) and the model card are rewritten atomically, and
the model's fingerprint changes with its threshold, so scan caches do not mix the two.
Unless told otherwise it repeats what training did (the same validation data, subsample and
seed, read from the folder's recorded training configuration) for the target of the folder's
current calibration.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vulntune.atomic import write_text
from vulntune.data import read_samples, read_split_dir
from vulntune.errors import VulntuneError
from vulntune.models.calibrate import calibration_record
from vulntune.models.card import write_card
from vulntune.models.folder import META_FILE, read_meta
from vulntune.progress import elapsed
from vulntune.slices import validation_slices
from vulntune.unit_samples import calibration_set


def _setting(given: Any, recorded: Mapping[str, Any], key: str, default: Any) -> Any:
    if given is not None:
        return given
    value = recorded.get(key)
    return default if value is None else value


def load_validation(meta: Mapping[str, Any], *, data: str | Path | None, validation_file: str | Path | None) -> list:
    """The model's languages' samples of `validation_file`, of `data`'s validation split, or of
    the validation data the model was trained with."""
    recorded = meta.get("training_config") or {}
    if validation_file is None and data is None:
        data, validation_file = recorded.get("data"), recorded.get("validation_file")
    if validation_file is not None:
        samples = read_samples(validation_file)
    elif data is not None:
        samples = read_split_dir(data, "validation")
    else:
        raise VulntuneError("no validation data: give --data or --validation-file (the model records none)")
    languages = set(meta["languages"])
    samples = [s for s in samples if s.language in languages]
    if not samples:
        raise VulntuneError(f"validation data: no samples for the model's languages ({', '.join(sorted(languages))})")
    if recorded.get("unit") == "slice":  # a slice judge is calibrated on slices, as training did
        samples = validation_slices(samples, gate=recorded.get("gate") or "none")
    return samples


def recalibrate(
    folder: str | Path,
    *,
    data: str | Path | None = None,
    validation_file: str | Path | None = None,
    target_fpr: float | None = None,
    calibration_samples: int | None = None,
    scan_units: bool | None = None,
    batch_size: int = 16,
    progress: bool = False,
) -> dict[str, Any]:
    """Calibrate the model in `folder` again and rewrite its metadata and card; returns the new metadata.

    Every option left None takes the value recorded in the folder's training configuration, except
    the target FPR, which repeats the folder's current calibration. `progress` shows each step
    and its elapsed time on stderr (loading the model, calibrating).

    Raises:
        VulntuneError: not a model folder, no validation data, a target outside [0, 1].
    """
    from vulntune.models.detector import load_detector

    folder = Path(folder)
    meta = read_meta(folder)
    recorded = meta.get("training_config") or {}
    # The target of the current calibration first: a model calibrated again at another rate keeps it.
    target = float(_setting(target_fpr, meta.get("calibration") or recorded, "target_fpr", 0.01))
    if not 0.0 <= target <= 1.0:
        raise VulntuneError(f"--target-fpr must be in [0, 1], got {target}")
    samples = _setting(calibration_samples, recorded, "calibration_samples", None)
    if samples is not None and samples < 1:
        raise VulntuneError(f"--calibration-samples must be positive, got {samples}")
    validation = load_validation(meta, data=data, validation_file=validation_file)
    chosen, units = calibration_set(
        validation,
        samples=samples,
        seed=int(recorded.get("seed", 0)),
        scan_units=bool(_setting(scan_units, recorded, "scan_units", False)),
    )
    options = {"batch_size": batch_size} if meta["kind"] != "tfidf" else {}
    with elapsed("loading model", enabled=progress):
        detector = load_detector(folder, **options)
    with elapsed(f"calibrating on {len(chosen):,} samples", enabled=progress):
        meta.update(calibration_record(detector, chosen, target_fpr=target, scan_units=units))
    write_text(folder / META_FILE, json.dumps(meta, indent=2, sort_keys=True) + "\n")
    write_card(folder, meta)
    return meta
