"""Samples and verdicts on slices: training sees exactly what the sink-anchored scanner shows.

`slice_samples` cuts every corpus sample with the candidate finder and the slicer
(`vulntune.analysis`) and labels each candidate's slice:

- the candidate at the template's sink (its CWE, the sink line inside it) takes the sample's
  label, safe kind and `pair_id`, so twin batches contrast the twins' slices. A safe twin whose
  slice reads exactly as its vulnerable twin's is left out: what makes it safe lies outside the
  slice, and keeping it would teach the judge to ignore the sink;
- any other candidate of the file that static reachability rules out is safe (`safe_kind` None):
  the template's one weakness sits at its sink, the rest is ordinary code (a logger's `open` of a
  constant path, a constant query). Another candidate that data from a parameter or input does
  reach is left out: whether it is a weakness depends on callers the file does not show (a
  source template that reads the file at its caller's path looks exactly like a path traversal),
  and labelling such candidates safe taught the judge that most reachable `open`, `urlopen` or
  `FileInputStream` calls are safe (two safe ones per vulnerable path sink; on SVEN it then
  found 0 of 31 path traversals). In a vulnerable file, other candidates of the sample's own
  CWE are left out too: a construction feeding the sink is the same weakness seen from
  elsewhere, neither clearly safe nor the sink.

A weak negative mined from real code (safe kind `mined`, `vulntune.synth.mined`) is a slice
already, cut and found reachable with its repository's other files: it is kept as it is.

A fix that removes the sink entirely (a prepared statement executed without arguments) leaves
no candidate at the sink: the scanner never asks about it, so training does not either.

`judge_records` gives one verdict per record (a file, or a function of an evaluation set): its
most suspicious candidate's. A record without a candidate is not flagged (score 0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from vulntune.analysis import CandidateSlice, analyse
from vulntune.data import Sample
from vulntune.errors import VulntuneError

MINED = "mined"  # the safe kind of a weak negative mined from real code: its code is a slice
JUDGES = ("none", "reachability")  # judges that need no model: every candidate; reachable ones only
GATES = ("none", "reachability")  # which candidates a trained judge is asked about: all, or the reachable ones


def slice_samples(samples: Sequence[Sample], *, gate: str = "none") -> list[Sample]:
    """The labelled slices of `samples` (see the module doc), in input order, mined weak negatives last.

    With `gate` "reachability" only statically reachable candidates are kept: a judge trained so
    is asked about nothing else (`judge_records` and the scanner pass the others over).
    """
    if gate not in GATES:
        raise ValueError(f"unknown gate {gate!r}")
    cut = [(sample, analyse(sample.code, sample.language)) for sample in samples if sample.safe_kind != MINED]
    vulnerable = {
        (s.pair_id, found.slice.text)
        for s, slices in cut
        if s.is_vulnerable and s.pair_id
        for found in slices
        if _at_sink(s, found)
    }
    out: list[Sample] = []
    for sample, slices in cut:
        for index, found in enumerate(slices):
            at_sink = _at_sink(sample, found)
            if gate == "reachability" and not found.reachable:
                continue
            if at_sink and not sample.is_vulnerable and (sample.pair_id, found.slice.text) in vulnerable:
                continue
            if not at_sink and (found.reachable or (sample.is_vulnerable and found.candidate.cwe == sample.cwe)):
                continue
            out.append(_slice_sample(sample, found, index, at_sink=at_sink))
    out += [replace(s, id=f"{s.id}#0") for s in samples if s.safe_kind == MINED]
    return out


def validation_slices(samples: Sequence[Sample], *, gate: str = "none") -> list[Sample]:
    """`slice_samples` of validation data, which a judge is calibrated on.

    Raises:
        VulntuneError: no candidate sink in `samples`, so nothing to calibrate on.
    """
    cut = slice_samples(samples, gate=gate)
    if not cut:
        raise VulntuneError("validation data: no candidate sink found, so no slice to calibrate on")
    return cut


def _at_sink(sample: Sample, found: CandidateSlice) -> bool:
    candidate = found.candidate
    return (
        sample.sink_line is not None
        and candidate.cwe == sample.cwe
        and candidate.line <= sample.sink_line <= candidate.end_line
    )


def _slice_sample(sample: Sample, found: CandidateSlice, index: int, *, at_sink: bool) -> Sample:
    candidate = found.candidate
    return replace(
        sample,
        id=f"{sample.id}#{index}",
        cwe=sample.cwe if at_sink else candidate.cwe,
        label=sample.label if at_sink else "safe",
        code=found.slice.text,
        safe_kind=sample.safe_kind if at_sink else None,
        pair_id=sample.pair_id if at_sink else None,
        sink_line=found.slice.sink_row + 1,
        meta={"slice_of": sample.id, "line": candidate.line, "sink": candidate.sink, "at_sink": at_sink},
    )


def reads_slices(detector: Any) -> bool:
    """Was `detector` trained on slices (`vulntune train --unit slice`)?"""
    return _training_config(detector).get("unit") == "slice"


def judge_gate(detector: Any) -> str:
    """Which candidates a slice judge is asked about ("none": all; "reachability": the statically
    reachable ones, the others are not flagged), as it was trained (`gate` in its configuration)."""
    return _training_config(detector).get("gate") or "none"


def _training_config(detector: Any) -> dict[str, Any]:
    meta = getattr(detector, "meta", None) or {}
    return meta.get("training_config") or {}


def judge_records(
    judge: Any,
    samples: Sequence[Sample],
    *,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """One prediction row `{"id", "score", "label", "cwe", "line"}` per sample, from its slices.

    Args:
        judge: a detector trained on slices (asked only about the candidates its gate lets
            through, see `judge_gate`), or "none" (every candidate is a finding) or "reachability"
            (the statically reachable candidates, see `CandidateSlice.reachable`).
        samples: records; only their `code` and `language` are read.
    """
    gated = not isinstance(judge, str) and judge_gate(judge) == "reachability"
    rows: list[dict[str, Any]] = []
    pending: dict[str, list[tuple[int, CandidateSlice]]] = {}
    for index, sample in enumerate(samples):
        slices = analyse(sample.code, sample.language)
        rows.append({"id": sample.id, "score": 0.0, "label": "safe", "cwe": None, "line": None})
        for found in slices:
            if found.reachable or not gated:
                pending.setdefault(sample.language, []).append((index, found))
    for language in sorted(pending):
        items = pending[language]
        scores = (
            static_scores([f for _, f in items], judge)
            if isinstance(judge, str)
            else _model_scores(judge, [f for _, f in items], language, batch_size)
        )
        for (index, found), (score, label) in zip(items, scores):
            row = rows[index]
            if score > row["score"] or row["cwe"] is None:
                row.update(score=score, label=label, cwe=found.candidate.cwe, line=found.candidate.line)
    if progress:
        progress(len(samples))
    return rows


def static_scores(found: Sequence[CandidateSlice], judge: str) -> list[tuple[float, str]]:
    """(score, label) of each candidate under a judge that needs no model."""
    if judge not in JUDGES:
        raise ValueError(f"unknown static judge {judge!r}")
    out = []
    for item in found:
        flagged = judge == "none" or item.reachable
        out.append((1.0 if flagged else 0.0, "vulnerable" if flagged else "safe"))
    return out


def _model_scores(
    detector: Any, found: Sequence[CandidateSlice], language: str, batch_size: int
) -> list[tuple[float, str]]:
    texts = [f.slice.text for f in found]
    unique = sorted(set(texts), key=len)
    scored: dict[str, tuple[float, str]] = {}
    for start in range(0, len(unique), batch_size):
        chunk = unique[start : start + batch_size]
        for text, prediction in zip(chunk, detector.predict(chunk, language=language)):
            scored[text] = (float(prediction.score), prediction.label)
    return [scored[text] for text in texts]
