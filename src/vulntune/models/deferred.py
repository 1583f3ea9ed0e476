"""A transformer detector whose weights load at its first use.

What a scan needs before it asks the model anything (fingerprint, labels, languages,
thresholds, window, metadata) is in the folder's `vulntune-model.json`; torch, transformers and
the weights cost about 4 s and 400 MB on 2 cores and are loaded only when a unit misses the
results cache. A cached re-scan, or a scan of no files, never imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vulntune.errors import VulntuneError
from vulntune.models.folder import DTYPES, detector_fingerprint, read_meta
from vulntune.models.prediction import Prediction, recorded_thresholds


def open_detector(path: str | Path, **options: Any):
    """The detector saved in `path`, a transformer's weights deferred to first use (a TF-IDF
    baseline loads at once: it is small, and its fingerprint is computed from its weights).

    Args:
        path: a model folder.
        **options: the loader's (transformers: `batch_size`, `threads`, `dtype`).

    Raises:
        VulntuneError: as `vulntune.models.detector.load_detector`, for everything the metadata
            shows; a base model that cannot be resolved or an adapter that does not fit it are
            found at the first prediction.
    """
    meta = read_meta(path)
    if meta["kind"] == "tfidf":
        from vulntune.models.baseline import load_tfidf

        return load_tfidf(path, meta, **options)
    return DeferredDetector(path, meta, **options)


class DeferredDetector:
    """A classify or instruct detector (implements `Detector`) that loads on first use.

    The fields below come from the metadata exactly as the loaded detector's would (tested);
    `threshold` and `thresholds` may be changed before or after loading and the loaded detector
    decides with them. Any other attribute (`model`, `tokenizer`, `probabilities`...) loads it.
    """

    def __init__(self, folder: str | Path, meta: dict[str, Any], *, dtype: str = "float32", **options: Any):
        if dtype not in DTYPES:
            raise VulntuneError(f"unknown dtype {dtype!r} (expected one of {', '.join(DTYPES)})")
        self.folder = Path(folder)
        self.meta = dict(meta)
        self.labels = tuple(meta["labels"])
        self.languages = tuple(meta["languages"])
        self.max_length = int(meta["max_length"])
        self.threshold = float(meta["threshold"])
        self.thresholds = recorded_thresholds(meta)
        self.fingerprint = detector_fingerprint(meta, dtype)
        self._options = {"dtype": dtype, **options}
        self._loaded = None

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def load(self):
        """The detector itself, its weights loaded on the first call; it decides with this
        object's `threshold` and `thresholds`."""
        if self._loaded is None:
            from vulntune.models.detector import load_transformer

            self._loaded = load_transformer(self.folder, self.meta, **self._options)
        self._loaded.threshold, self._loaded.thresholds = self.threshold, self.thresholds
        return self._loaded

    def predict(self, codes: Sequence[str], *, language: str) -> list[Prediction]:
        return self.load().predict(codes, language=language)

    def count_tokens(self, code: str) -> int:
        return self.load().count_tokens(code)

    def __getattr__(self, name: str) -> Any:
        # Only attributes the metadata cannot give reach here. Private and dunder names are not
        # forwarded: pickle and copy probe for them, and must not load a model to learn they are absent.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.load(), name)
