"""The classify detector: a sequence-classification transformer over code windows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from vulntune.models.windows import WindowedDetector, length_batches, most_suspicious_windows, right_padded


class ClassifierDetector(WindowedDetector):
    """A sequence-classification transformer (implements `Detector`).

    The head reads the last code token, or the maximum over all tokens (`pooling` "max" in the
    folder's metadata; see `vulntune.models.pooling`); class probabilities are a softmax over "safe"
    and the CWE classes, the score is 1 - p(safe). When the metadata records `classes_by_language`, the
    softmax runs over the classes trained for the code's language only (the others get 0).
    """

    def __init__(self, **parts: Any):
        super().__init__(**parts)
        by_language = self.meta.get("classes_by_language") or {}
        self.excluded = {
            language: [i for i, label in enumerate(self.labels) if label not in allowed]
            for language, allowed in by_language.items()
        }

    def probabilities(self, codes: Sequence[str], *, language: str) -> np.ndarray:
        """(n, n_classes) class probabilities in input order (float64)."""
        import torch

        ids, owner = self.windows(codes, language=language)
        rows = np.zeros((len(ids), len(self.labels)), dtype=np.float64)
        pad = self.tokenizer.pad_token_id
        excluded = self.excluded.get(language, [])
        with torch.inference_mode():
            for batch in length_batches([len(x) for x in ids], self.batch_size):
                input_ids, mask = right_padded([ids[i] for i in batch], pad)
                logits = self.model(input_ids=input_ids, attention_mask=mask).logits.double()
                logits[:, excluded] = float("-inf")
                rows[batch] = torch.softmax(logits, dim=-1).numpy()
        return most_suspicious_windows(rows, owner, len(codes))
