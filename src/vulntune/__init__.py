"""vulntune: synthetic vulnerable/safe code, small fine-tuned CWE detectors, private scanning."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_detector"]


def load_detector(path=None, **kwargs):
    """Load a detector from a vulntune model folder (see `vulntune.models.detector`); without
    `path`, the detector bundled in the package (`vulntune/default_model/`, the scanner's default).

    Its `predict(codes, language=...)` judges whole code; a judge trained on slices (the bundled
    one) cuts each code into candidate slices first and answers with its most suspicious one."""
    from vulntune.models.detector import load_detector as _load

    if path is None:
        from pathlib import Path

        path = Path(__file__).resolve().parent / "default_model"  # = vulntune.scan.default_model_path()
    return _load(path, **kwargs)
