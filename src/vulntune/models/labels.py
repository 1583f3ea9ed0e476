"""Label maps and Prediction records shared by every detector kind."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vulntune.data import Sample
from vulntune.errors import VulntuneError
from vulntune.models.prediction import SAFE, Prediction


def sort_labels(cwes: set[str] | Sequence[str]) -> tuple[str, ...]:
    """("safe", CWE ids by number): the label order every detector uses."""
    return (SAFE, *sorted(set(cwes) - {SAFE}, key=lambda c: int(c.split("-")[1])))


def class_of(sample: Sample) -> str:
    """The class a sample trains: its CWE when vulnerable, "safe" otherwise."""
    return sample.cwe if sample.is_vulnerable else SAFE


def label_map(samples: Sequence[Sample], *, what: str = "training data") -> tuple[str, ...]:
    """The label map for `samples`; raises when there is nothing to learn from.

    Raises:
        VulntuneError: no samples, or only one class (all safe, or all vulnerable).
    """
    if not samples:
        raise VulntuneError(f"{what}: no samples")
    classes = {class_of(s) for s in samples}
    if SAFE not in classes:
        raise VulntuneError(f"{what}: every sample is vulnerable; training needs safe and vulnerable samples")
    if len(classes) < 2:
        raise VulntuneError(f"{what}: every sample is safe; training needs safe and vulnerable samples")
    return sort_labels(classes)


def classes_by_language(samples: Sequence[Sample], labels: Sequence[str]) -> dict[str, list[str]]:
    """Per language, the labels its training samples carry ("safe" always), in label order.

    A detector scores only these classes for code of that language: a class never trained on
    Java code (CWE-94, Python's eval) cannot be a finding in a Java file.
    """
    seen: dict[str, set[str]] = {}
    for sample in samples:
        seen.setdefault(sample.language, {SAFE}).add(class_of(sample))
    return {language: [label for label in labels if label in classes] for language, classes in sorted(seen.items())}


def predictions_from_probabilities(probs: np.ndarray, labels: Sequence[str], threshold: float) -> list[Prediction]:
    """Prediction records from (n, n_classes) probabilities whose column 0 is "safe"."""
    out = []
    for row in np.asarray(probs, dtype=np.float64):
        score = float(min(1.0, max(0.0, 1.0 - row[0])))
        cwe = labels[1 + int(np.argmax(row[1:]))]
        out.append(
            Prediction(
                label="vulnerable" if score >= threshold else "safe",
                cwe=cwe,
                score=score,
                probabilities={label: float(p) for label, p in zip(labels, row)},
            )
        )
    return out
