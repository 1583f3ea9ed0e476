"""Load any vulntune model folder as a `Detector`.

The folder's `vulntune-model.json` names its kind: `tfidf` (the baseline), `classify` or
`instruct` (fine-tuned transformers). Loading never unpickles: weights are safetensors and JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vulntune.models.folder import read_meta


def load_detector(path: str | Path, **kwargs: Any):
    """Load the detector saved in `path`.

    Args:
        path: a model folder written by `vulntune train` (or `save_tfidf`).
        **kwargs: passed to the kind's loader (transformers: `batch_size`, `threads`).

    Raises:
        VulntuneError: not a vulntune model folder, an incomplete or altered one, or a label map
            that does not match the weights.
    """
    meta = read_meta(path)
    if meta["kind"] == "tfidf":
        from vulntune.models.baseline import load_tfidf

        return load_tfidf(path, meta, **kwargs)
    return load_transformer(path, meta, **kwargs)


def load_transformer(path: str | Path, meta: dict[str, Any], **kwargs: Any):
    """A `Detector` for a classify or instruct model folder (`kwargs`: see
    `vulntune.models.transformer.detector_parts`)."""
    from vulntune.models.classifier import ClassifierDetector
    from vulntune.models.transformer import detector_parts

    parts = detector_parts(path, meta, **kwargs)
    if meta["kind"] == "classify":
        return ClassifierDetector(**parts)
    from vulntune.models.instruct import InstructDetector

    return InstructDetector(**parts)
