"""Scan repositories: discover files, extract functions, run the detector, suppress, baseline.

Public API::

    from vulntune.scan import ScanConfig, scan_paths, load_scan_model
    detector = load_scan_model(None)            # the bundled default, or a model folder
    report = scan_paths(["src"], detector=detector, config=ScanConfig(min_severity="high"))
    for finding in report.findings: ...
"""

from __future__ import annotations

from pathlib import Path

from vulntune.errors import VulntuneError
from vulntune.scan.baseline import load_baseline
from vulntune.scan.cache import ResultCache, cache_dir
from vulntune.scan.discover import Skipped
from vulntune.scan.findings import Finding
from vulntune.scan.scanner import ScanReport, Summary, scan_paths
from vulntune.scan.settings import ScanConfig

__all__ = [
    "Finding",
    "ResultCache",
    "ScanConfig",
    "ScanReport",
    "Skipped",
    "Summary",
    "cache_dir",
    "default_model_path",
    "load_baseline",
    "load_scan_model",
    "scan_paths",
]

MODEL_FILE = "vulntune-model.json"


def default_model_path() -> Path:
    """The folder of the detector shipped inside the package (`vulntune/default_model/`)."""
    return Path(__file__).resolve().parent.parent / "default_model"


def load_scan_model(
    path: str | Path | None,
    *,
    threads: int | None = None,
    target_fpr: float | None = None,
    precision: str = "float32",
):
    """Load the detector a scan uses: `path`, or the bundled default when `path` is None.

    `threads` sets torch's CPU threads and `precision` the dtype of transformer models (both
    ignored by the TF-IDF baseline; see `vulntune.models.transformer.detector_parts`); a
    transformer's weights load when it is first asked (`vulntune.models.deferred`).
    `target_fpr` replaces the model's thresholds with its recorded operating point for that
    validation false positive rate.

    Raises:
        VulntuneError: no default model is bundled, `path` is not a model folder, or the model
            records no operating point for `target_fpr`.
    """
    if path is None:
        default = default_model_path()
        if not (default / MODEL_FILE).is_file():
            raise VulntuneError(
                "no default model is bundled with this install yet; pass a model folder made by "
                '`vulntune train` with --model DIR (or set model = "DIR" in [tool.vulntune])'
            )
        path = default
    path = Path(path)
    if not path.is_dir():
        raise VulntuneError(f"--model {path}: no such folder")
    from vulntune.models.calibrate import operating_point, point_thresholds
    from vulntune.models.deferred import open_detector

    # The judge alone (the scanner cuts the slices a slice judge reads itself), its weights
    # loaded at its first prediction: a scan the results cache answers whole never imports torch.
    detector = open_detector(path, threads=threads, dtype=precision)
    point = operating_point(detector.meta, target_fpr) if target_fpr is not None else None
    if point is not None:
        detector.threshold = float(point["threshold"])
        detector.thresholds = point_thresholds(point)
    return detector
