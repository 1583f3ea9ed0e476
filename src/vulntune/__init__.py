"""vulntune: synthetic vulnerable/safe code, small fine-tuned CWE detectors, private scanning."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_detector"]


def load_detector(path, **kwargs):
    """Load a detector from a vulntune model folder (see `vulntune.models.detector`)."""
    from vulntune.models.detector import load_detector as _load

    return _load(path, **kwargs)
