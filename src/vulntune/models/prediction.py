"""What every detector returns, and the interface scanners and evaluators rely on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

SAFE = "safe"


@dataclass(kw_only=True, frozen=True)
class Prediction:
    """A detector's verdict on one piece of code.

    Attributes:
        label: "vulnerable" when `score >= threshold`, else "safe".
        cwe: the most likely CWE among the detector's CWE classes (argmax excluding "safe"),
            given whatever the label, so evaluators can read it at any threshold.
        score: the vulnerable score, 1 - p(safe), in [0, 1].
        probabilities: per class ("safe" and each "CWE-n"), summing to 1.
        line: for a judge of slices reading whole code (`vulntune.models.detector.CodeJudge`),
            the 1-based line of the candidate sink the verdict is about; None otherwise, and
            for code without a candidate sink.
    """

    label: str
    cwe: str | None
    score: float
    probabilities: Mapping[str, float]
    line: int | None = None


def check_codes(codes: Sequence[str]) -> None:
    """Refuse a lone string where a list of code strings is expected (a string is a sequence
    too: each of its characters would be scored as a piece of code)."""
    if isinstance(codes, (str, bytes)):
        raise TypeError(
            "predict() takes a list of code strings, not one string: write detector.predict([code], language=...)"
        )


@runtime_checkable
class Detector(Protocol):
    """A loaded model that classifies code. Implementations live in `vulntune.models`."""

    languages: tuple[str, ...]  # languages it was trained on
    labels: tuple[str, ...]  # "safe" first, then the CWE ids
    threshold: float  # decision threshold on `score`, chosen on all languages together
    thresholds: dict  # language -> its own calibrated threshold; a language absent uses `threshold`
    max_length: int  # tokens per window (for scanners that cut long units)
    fingerprint: str  # stable id of the weights + config, keys result caches
    meta: dict  # the folder's vulntune-model.json (operating points, calibration...); empty when built in memory

    def predict(self, codes: Sequence[str], *, language: str) -> list[Prediction]:
        """Classify each code string; one Prediction per input, same order."""
        ...

    def count_tokens(self, code: str) -> int:
        """Tokens the model would see for `code` (before truncation)."""
        ...


def recorded_thresholds(meta: Mapping) -> dict[str, float]:
    """The per-language thresholds a model folder's metadata records (none in older folders)."""
    return {language: float(t) for language, t in (meta.get("thresholds") or {}).items()}


def decision_thresholds(detector: Detector) -> dict[str, float]:
    """The threshold `detector` decides each of its languages with (`language_threshold`)."""
    return {language: language_threshold(detector, language) for language in detector.languages}


def language_threshold(detector: Detector, language: str) -> float:
    """The threshold `detector` decides `language` code with: its own for that language when it was
    calibrated per language, else the pooled one."""
    return float((getattr(detector, "thresholds", None) or {}).get(language, detector.threshold))
