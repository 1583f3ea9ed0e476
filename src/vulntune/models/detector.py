"""Load any vulntune model folder as a `Detector`.

The folder's `vulntune-model.json` names its kind: `tfidf` (the baseline), `classify` or
`instruct` (fine-tuned transformers). Loading never unpickles: weights are safetensors and JSON.

A judge trained on slices (`vulntune train --unit slice`, the bundled detector) reads the
data-flow slice of one candidate sink, not whole code: handed `print('hello world')` it answers
about 0.97 "vulnerable", a score that means nothing. `load_detector` therefore gives such a judge
as a `CodeJudge`, whose `predict` cuts whole code into candidate slices first, as the scanner
does; `load_judge` gives the judge alone, for callers that cut slices themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from vulntune.models.folder import read_meta
from vulntune.models.prediction import SAFE, Prediction, check_codes

# The mark `vulntune.analysis` puts at the end of a slice's sink line
# (`cursor.execute(query)  # <- CWE-89 SQL Injection`): code carrying it is a slice already.
SINK_MARK = re.compile(r"  (?:#|//) <- CWE-\d+ [^\n]*$", re.MULTILINE)


def load_detector(path: str | Path, **kwargs: Any):
    """Load the detector saved in `path`, ready to judge whole code.

    Args:
        path: a model folder written by `vulntune train` (or `save_tfidf`).
        **kwargs: passed to the kind's loader (transformers: `batch_size`, `threads`).

    Returns:
        The detector; a judge trained on slices comes as a `CodeJudge` (see the module doc).

    Raises:
        VulntuneError: not a vulntune model folder, an incomplete or altered one, or a label map
            that does not match the weights.
    """
    from vulntune.slices import reads_slices

    judge = load_judge(path, **kwargs)
    return CodeJudge(judge) if reads_slices(judge) else judge


def load_judge(path: str | Path, **kwargs: Any):
    """The detector saved in `path` as it was trained: a slice judge's `predict` reads slices.

    Args and raises as `load_detector`.
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


def slice_judge(detector: Any) -> Any:
    """The detector that reads its inputs as they are: a `CodeJudge`'s judge, else `detector`."""
    return detector.judge if isinstance(detector, CodeJudge) else detector


class CodeJudge:
    """A judge trained on slices that reads whole code (implements `Detector`).

    `predict(codes, language=...)` runs the scanner's pipeline on each code: its candidate sinks
    and their slices (`vulntune.analysis.analyse`), the judge's gate (a judge trained with `gate`
    "reachability" is asked only about statically reachable candidates), the judge on each
    slice. An input's prediction is its most suspicious candidate's, with that candidate's CWE
    and `line`; code without a candidate the judge is asked about is safe with score 0. Code that
    is a slice already (its sink line marked `# <- CWE-n ...`, as `analyse` cuts it) is judged as
    it is. `judge_slices` judges slices a caller already has; every other attribute (labels,
    thresholds, meta, fingerprint) is the judge's, and setting one sets the judge's.
    """

    def __init__(self, judge: Any) -> None:
        object.__setattr__(self, "judge", judge)

    def __getattr__(self, name: str) -> Any:
        # Only public names are the judge's: copy and pickle probe private and dunder names (and
        # `judge` itself before it is set), which must not recurse.
        if name.startswith("_") or name == "judge":
            raise AttributeError(name)
        return getattr(self.judge, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.judge, name, value)  # an operating point's thresholds must reach the judge

    def judge_slices(self, slices: Sequence[str], *, language: str) -> list[Prediction]:
        """The judge's predictions on slices cut by `vulntune.analysis` (one per slice, in order)."""
        return self.judge.predict(slices, language=language)

    def predict(self, codes: Sequence[str], *, language: str) -> list[Prediction]:
        """One prediction per code, its most suspicious candidate's (see the class doc)."""
        from vulntune.analysis import analyse
        from vulntune.cwe import check_language
        from vulntune.slices import judge_gate

        check_codes(codes)
        check_language(language)
        gated = judge_gate(self.judge) == "reachability"
        asked: list[list[tuple[int | None, str | None, str]]] = []  # per code: (line, CWE, slice text)
        for code in codes:
            if SINK_MARK.search(code):
                asked.append([(None, None, code)])
            else:
                found = analyse(code, language)
                asked.append(
                    [(f.candidate.line, f.candidate.cwe, f.slice.text) for f in found if f.reachable or not gated]
                )
        texts = sorted({text for items in asked for _, _, text in items})
        judged = dict(zip(texts, self.judge.predict(texts, language=language), strict=True)) if texts else {}
        out = []
        for items in asked:
            if not items:
                out.append(
                    Prediction(
                        label="safe",
                        cwe=None,
                        score=0.0,
                        probabilities={label: float(label == SAFE) for label in self.judge.labels},
                    )
                )
                continue
            line, cwe, text = max(items, key=lambda item: judged[item[2]].score)  # ties: the first in the file
            prediction = judged[text]
            out.append(replace(prediction, cwe=cwe or prediction.cwe, line=line))
        return out
