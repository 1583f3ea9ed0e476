"""The finding record, and how model verdicts on units become findings.

Severity comes from the CWE catalogue and confidence from the model's calibrated score: two
separate fields. A finding's fingerprint survives line shifts (code added above it) so that
baselines keep matching: it hashes the CWE, the file path, the unit's qualified name and the
flagged line's text with whitespace collapsed, plus an occurrence index when several findings
share all of those. A finding's path (source, calls, sink) is not part of it: a new caller must not
make an old finding new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from vulntune.analysis import Step
from vulntune.analysis.slicer import without_annotation
from vulntune.cwe import CATALOGUE, SEVERITIES
from vulntune.scan.cache import Verdict, text_digest
from vulntune.units import MODULE, ExtractedFile, SliceUnit, Unit

FINGERPRINT_VERSION = "v1"
SNIPPET_CHARS = 200


@dataclass(kw_only=True, frozen=True)
class Finding:
    """One reported weakness.

    Attributes:
        file: path relative to the scan root, "/" separators.
        language: "python" or "java".
        start_line: first line of the unit (function, method or module code) the model scored.
        end_line: its last line.
        line: the most likely line (see `vulntune.scan.locate`).
        unit: the unit's qualified name ("UserDao.find"), "<module>" for module-level code.
        unit_kind: "function", "method", "constructor" or "module".
        cwe: "CWE-89".
        cwe_name: the catalogue's name, e.g. "SQL Injection".
        severity: "low", "medium", "high" or "critical", from the catalogue.
        confidence: the model's calibrated vulnerable score, 0..1, rounded to 4 places.
        message: one sentence for people.
        snippet: the flagged line, stripped and cut to 200 characters.
        fingerprint: stable id for baselines (32 hex digits).
        sink: the catalogue pattern of the candidate sink, for findings on slices; else None.
        slice: the slice the judge read, with `--explain`; else None.
        path: how data reaches the sink, for statically reachable slice findings: the source, each
            call that carries it, the sink (`vulntune.analysis.Step`s, files relative to the scan
            root); a hard-coded secret's is its sink alone; empty when none is known.
    """

    file: str
    language: str
    start_line: int
    end_line: int
    line: int
    unit: str
    unit_kind: str
    cwe: str
    cwe_name: str
    severity: str
    confidence: float
    message: str
    snippet: str
    fingerprint: str
    sink: str | None = None
    slice: str | None = None
    path: tuple[Step, ...] = ()

    @property
    def sort_key(self) -> tuple:
        return (self.file, self.line, self.cwe, self.start_line, self.unit)


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _fingerprint(cwe: str, file: str, unit: str, line_text: str, occurrence: int) -> str:
    key = "\0".join((FINGERPRINT_VERSION, cwe, file, unit, _normalise(line_text), str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def unit_line_text(unit: Unit, line: int) -> str:
    """The text of file line `line` as the unit holds it (dedented; a slice's marks left out)."""
    rows = unit.text.split("\n")
    index = unit.lines.index(line)
    text = rows[index] if index < len(rows) else ""
    return without_annotation(text) if isinstance(unit, SliceUnit) else text


def build_findings(
    files: Iterable[ExtractedFile],
    verdicts: Mapping[tuple[str, str], Verdict],
    *,
    threshold: float | Mapping[str, float],
    explain: bool = False,
) -> list[tuple[Finding, Unit]]:
    """Findings for every unit whose verdict reaches `threshold`, each with its unit, sorted.

    `threshold` may be one per language. A slice's finding sits on its candidate's line with the
    candidate's CWE and path (and, with `explain`, carries the slice); a function's on its most
    likely line. A step's file "" (a file analysed alone) becomes the unit's file.

    A finding of a nested function is also seen by the enclosing function, which contains its
    text: when two units flag the same CWE on the same line, only the innermost is kept.
    """
    raw: list[tuple[Finding, Unit]] = []
    for extracted in files:
        for unit in extracted.units:
            verdict = verdicts.get((unit.language, text_digest(unit.text)))
            limit = threshold if isinstance(threshold, (int, float)) else threshold[unit.language]
            if verdict is None or verdict.score < limit:
                continue
            if isinstance(unit, SliceUnit):
                finding = _finding(unit, replace(verdict, cwe=unit.cwe), unit.candidate_line)
                path = tuple(replace(step, file=step.file or unit.file) for step in unit.path)
                raw.append((replace(finding, sink=unit.sink, slice=unit.text if explain else None, path=path), unit))
                continue
            if verdict.cwe is None or verdict.line is None:
                continue
            line = unit.lines[min(verdict.line, len(unit.lines) - 1)]
            raw.append((_finding(unit, verdict, line), unit))
    best: dict[tuple[str, str, int], tuple[Finding, Unit]] = {}
    for finding, unit in raw:
        key = (finding.file, finding.cwe, finding.line)
        held = best.get(key)
        span = finding.end_line - finding.start_line
        if held is None or (span, -finding.confidence) < (held[0].end_line - held[0].start_line, -held[0].confidence):
            best[key] = (finding, unit)
    kept = sorted(best.values(), key=lambda pair: pair[0].sort_key)
    occurrences: dict[str, int] = {}
    result = []
    for finding, unit in kept:
        occurrence = occurrences.get(finding.fingerprint, 0)
        occurrences[finding.fingerprint] = occurrence + 1
        if occurrence:
            line_text = unit_line_text(unit, finding.line)
            finding = replace(
                finding, fingerprint=_fingerprint(finding.cwe, finding.file, finding.unit, line_text, occurrence)
            )
        result.append((finding, unit))
    return result


def _finding(unit: Unit, verdict: Verdict, line: int) -> Finding:
    entry = CATALOGUE.get(verdict.cwe)
    name = entry.name if entry else verdict.cwe
    severity = entry.severity if entry else "medium"  # a CWE outside the catalogue: a middle severity
    where = (
        "module-level code"
        if unit.name == MODULE
        else f"the slice of '{unit.name}'"
        if unit.kind == "slice"
        else f"{unit.kind} '{unit.name}'"
    )
    description = f" {entry.description}" if entry else ""
    line_text = unit_line_text(unit, line)
    snippet = line_text.strip()
    if len(snippet) > SNIPPET_CHARS:
        snippet = snippet[: SNIPPET_CHARS - 3] + "..."
    return Finding(
        file=unit.file,
        language=unit.language,
        start_line=unit.start_line,
        end_line=unit.end_line,
        line=line,
        unit=unit.name,
        unit_kind=unit.kind,
        cwe=verdict.cwe,
        cwe_name=name,
        severity=severity,
        confidence=round(float(verdict.score), 4),
        message=f"Possible {name} ({verdict.cwe}) in {where}.{description}",
        snippet=snippet,
        fingerprint=_fingerprint(verdict.cwe, unit.file, unit.name, line_text, 0),
    )
