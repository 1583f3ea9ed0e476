"""Triage records: the findings a user dismissed or confirmed, each with the code the judge read.

Three inputs carry marks:

* a JSON report (`vulntune scan --format json`, the file `vulntune triage` writes) whose findings
  carry `"status": "dismissed"` or `"confirmed"` and an optional `"reason"`;
* a SARIF log: a result with `suppressions` (none rejected or under review) is dismissed, its
  justification the reason; a result whose `baselineState` is `absent` was fixed since the
  baseline, so confirmed, when it carries its slice (`properties.slice`, from `scan --explain`):
  fixed code cannot be scanned again to recover it;
* inline `vulntune: ignore` comments, which the scanner knows when it scans the code again
  (`ScanReport.suppressed_findings`): each silenced finding is dismissed.

A record keeps the slice (or, for a judge that reads whole functions, the unit) text, the CWE,
the language and the fingerprint. The file names the model that scanned (`model.fingerprint` in
a report, `properties.model.fingerprint` in SARIF): marks made on another model's findings, or
on a language the judge does not read, are refused, as are fingerprints no scan of the code finds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vulntune.data import Sample
from vulntune.errors import VulntuneError
from vulntune.scan.baseline import SARIF_FINGERPRINT_KEY, TRIAGE_STATUSES
from vulntune.scan.findings import Finding
from vulntune.units import extract_units

DISMISSED, CONFIRMED = TRIAGE_STATUSES
SOURCES = ("report", "sarif", "inline")
INLINE_REASON = "inline vulntune: ignore"


@dataclass(kw_only=True, frozen=True)
class Mark:
    """One marked finding as the triage file holds it (its code text may be missing).

    Attributes:
        fingerprint: the finding's fingerprint (`vulntune.scan.findings`).
        status: "dismissed" or "confirmed".
        reason: the user's words, or None.
        cwe, language, file, line, unit, start_line: where the finding was.
        text: the slice the judge read, when the file holds it (`scan --explain`); else None.
        source: "report", "sarif" or "inline".
    """

    fingerprint: str
    status: str
    reason: str | None
    cwe: str
    language: str
    file: str
    line: int
    unit: str
    start_line: int
    text: str | None = None
    source: str = "report"


@dataclass(kw_only=True, frozen=True)
class TriageRecord:
    """A mark with the code text the judge read: a labelled sample of the user's own code."""

    fingerprint: str
    status: str
    reason: str | None
    cwe: str
    language: str
    file: str
    line: int
    text: str
    source: str

    def sample(self) -> Sample:
        """The record as a training sample: confirmed is vulnerable, dismissed safe (same CWE)."""
        return Sample(
            id=f"triage-{self.fingerprint}",
            language=self.language,
            cwe=self.cwe,
            label="vulnerable" if self.status == CONFIRMED else "safe",
            code=self.text,
            meta={"triage": {"fingerprint": self.fingerprint, "status": self.status, "file": self.file}},
        )


@dataclass(kw_only=True, frozen=True)
class TriageFile:
    """A read triage file: its marks and what it says about the model that scanned."""

    path: Path
    sha256: str
    kind: str  # "report" or "sarif"
    model_fingerprint: str | None
    languages: tuple[str, ...]
    threat_model: str | None
    marks: tuple[Mark, ...]
    ignored: int = 0  # SARIF results fixed since the baseline without their slice


def read_triage_file(path: str | Path) -> TriageFile:
    """Read and check a triage file (a marked JSON report or a SARIF log).

    Raises:
        VulntuneError: missing, empty, not JSON, neither format, an unknown status, or no mark.
    """
    path = Path(path)
    where = f"triage file {path}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise VulntuneError(f"{where}: no such file") from None
    except OSError as exc:
        raise VulntuneError(f"{where}: cannot be read ({(exc.strerror or str(exc)).lower()})") from None
    if not raw.strip():
        raise VulntuneError(f"{where}: is empty")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise VulntuneError(f"{where}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise VulntuneError(f"{where}: not JSON ({exc.msg} at line {exc.lineno})") from None
    sha256 = hashlib.sha256(raw).hexdigest()
    if isinstance(data, dict) and "findings" in data and "schema_version" in data:
        triage = _from_report(data, where)
    elif isinstance(data, dict) and "runs" in data:
        triage = _from_sarif(data, where)
    else:
        raise VulntuneError(f"{where}: neither a vulntune JSON report nor a SARIF log")
    triage = replace(triage, path=path, sha256=sha256)
    if not triage.marks:
        raise VulntuneError(
            f"{where}: no finding is marked {DISMISSED} or {CONFIRMED} (mark them with `vulntune triage`)"
        )
    seen: set[str] = set()
    for mark in triage.marks:
        if mark.fingerprint in seen:
            raise VulntuneError(f"{where}: fingerprint {mark.fingerprint} is marked twice")
        seen.add(mark.fingerprint)
    return triage


def _text(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise VulntuneError(f"{where}: field '{key}' must be a non-empty string")
    return value


def _from_report(data: dict, where: str) -> TriageFile:
    findings = data["findings"]
    model = data.get("model") or {}
    if not isinstance(findings, list) or not isinstance(model, dict):
        raise VulntuneError(f"{where}: 'findings' must be a list and 'model' an object")
    marks = []
    for index, finding in enumerate(findings):
        at = f"{where}: finding {index + 1}"
        if not isinstance(finding, dict):
            raise VulntuneError(f"{at}: expected a JSON object")
        status = finding.get("status")
        if status is None:
            continue
        if status not in TRIAGE_STATUSES:
            raise VulntuneError(f"{at}: status must be {DISMISSED} or {CONFIRMED}, got {status!r}")
        reason = finding.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise VulntuneError(f"{at}: field 'reason' must be a string")
        try:
            marks.append(
                Mark(
                    fingerprint=_text(finding.get("fingerprint"), "fingerprint", at),
                    status=status,
                    reason=reason or None,
                    cwe=_text(finding.get("cwe"), "cwe", at),
                    language=_text(finding.get("language"), "language", at),
                    file=_text(finding.get("file"), "file", at),
                    line=int(finding.get("line") or 0),
                    unit=str(finding.get("unit") or ""),
                    start_line=int(finding.get("start_line") or 0),
                    text=finding.get("slice") or None,
                    source="report",
                )
            )
        except (TypeError, ValueError):
            raise VulntuneError(f"{at}: 'line' and 'start_line' must be numbers") from None
    analysis = data.get("analysis") or {}
    return TriageFile(
        path=Path(),
        sha256="",
        kind="report",
        model_fingerprint=model.get("fingerprint"),
        languages=tuple(model.get("languages") or ()),
        threat_model=analysis.get("threat_model") if isinstance(analysis, dict) else None,
        marks=tuple(marks),
    )


def _sarif_status(result: dict) -> str | None:
    suppressions = result.get("suppressions") or []
    if suppressions and all(s.get("status", "accepted") == "accepted" for s in suppressions):
        return DISMISSED
    if not suppressions and result.get("baselineState") == "absent":
        return CONFIRMED
    return None


def _from_sarif(data: dict, where: str) -> TriageFile:
    runs = data["runs"]
    if not isinstance(runs, list):
        raise VulntuneError(f"{where}: 'runs' must be a list")
    marks, ignored, models, threat_model = [], 0, set(), None
    for run_index, run in enumerate(runs):
        if not isinstance(run, dict):
            raise VulntuneError(f"{where}: run {run_index + 1}: expected a JSON object")
        properties = run.get("properties") or {}
        fingerprint = (properties.get("model") or {}).get("fingerprint")
        models.add(fingerprint)
        threat_model = properties.get("threatModel") or threat_model
        for index, result in enumerate(run.get("results") or ()):
            at = f"{where}: run {run_index + 1}, result {index + 1}"
            if not isinstance(result, dict):
                raise VulntuneError(f"{at}: expected a JSON object")
            status = _sarif_status(result)
            if status is None:
                continue
            props = result.get("properties") or {}
            if status == CONFIRMED and not props.get("slice"):
                ignored += 1
                continue
            try:
                location = result["locations"][0]
                physical = location["physicalLocation"]
                logical = (location.get("logicalLocations") or [{}])[0]
                reason = next((s.get("justification") for s in result.get("suppressions") or () if s), None)
                marks.append(
                    Mark(
                        fingerprint=_text(
                            (result.get("partialFingerprints") or {}).get(SARIF_FINGERPRINT_KEY), "fingerprint", at
                        ),
                        status=status,
                        reason=reason or None,
                        cwe=_text(result.get("ruleId"), "ruleId", at),
                        language=_text(props.get("language"), "properties.language", at),
                        file=_text(physical["artifactLocation"].get("uri"), "uri", at),
                        line=int(physical["region"]["startLine"]),
                        unit=str(logical.get("fullyQualifiedName") or ""),
                        start_line=int((physical.get("contextRegion") or {}).get("startLine") or 0),
                        text=props.get("slice") or None,
                        source="sarif",
                    )
                )
            except (KeyError, IndexError, TypeError, ValueError, AttributeError):
                raise VulntuneError(f"{at}: not a vulntune result (no location or fingerprint)") from None
    if len(models) > 1:
        raise VulntuneError(f"{where}: runs of {len(models)} different models; triage one model's scan")
    return TriageFile(
        path=Path(),
        sha256="",
        kind="sarif",
        model_fingerprint=next(iter(models), None),
        languages=(),
        threat_model=threat_model,
        marks=tuple(marks),
        ignored=ignored,
    )


def check_model(triage: TriageFile, *, fingerprint: str, languages: Sequence[str], model: str | Path) -> None:
    """Refuse marks made on another model's findings, or on a language the model does not read.

    Raises:
        VulntuneError: in one line, naming both models or the language.
    """
    where = f"triage file {triage.path}"
    if triage.model_fingerprint is None:
        raise VulntuneError(f"{where}: records no model fingerprint (triage a report written by vulntune scan)")
    if triage.model_fingerprint != fingerprint:
        raise VulntuneError(
            f"{where}: made with model {triage.model_fingerprint[:12]}, not --model {model} ({fingerprint[:12]}); "
            "triage a scan by the model you adapt"
        )
    for mark in triage.marks:
        if mark.language not in languages:
            raise VulntuneError(
                f"{where}: {mark.file}:{mark.line} is {mark.language} code; --model {model} reads "
                f"{', '.join(languages)}"
            )


def records_from(triage: TriageFile, scan: Any = None) -> list[TriageRecord]:
    """The triage file's marks as records, their code text from the file or from a scan of the code.

    Args:
        triage: the read file.
        scan: a `ScanReport` of the marked code by the same model, made with `explain` (slices)
            and without a baseline, or None. Every mark must match one of its findings, and each
            finding it silenced inline (`suppressed_findings`) is a dismissed record unless marked.

    Raises:
        VulntuneError: a mark the scan does not find (with a scan), or one without text (without).
    """
    where = f"triage file {triage.path}"
    findings = tuple(scan.findings) if scan is not None else ()
    suppressed = tuple(scan.suppressed_findings) if scan is not None else ()
    root = scan.root if scan is not None else None
    scanned = {f.fingerprint: f for f in (*findings, *suppressed)}
    if scan is not None:
        # a SARIF result fixed since its baseline (confirmed, `absent`) is gone from the code by definition
        missing = [m for m in triage.marks if m.fingerprint not in scanned and not _fixed(m)]
        if missing:
            first = missing[0]
            raise VulntuneError(
                f"{where}: {len(missing)} marked finding(s) match nothing in the scan of the code "
                f"(first: {first.fingerprint} at {first.file}:{first.line}); was the file made on this code?"
            )
    else:
        missing = [m for m in triage.marks if m.text is None]
        if missing:
            raise VulntuneError(
                f"{where}: {len(missing)} marked finding(s) carry no slice text (first: {missing[0].file}:"
                f"{missing[0].line}); pass --source with the scanned code, or triage a report of `scan --explain`"
            )
    marks = list(triage.marks)
    marked = {m.fingerprint for m in marks}
    for finding in suppressed:
        if finding.fingerprint not in marked:
            marks.append(_mark(finding, DISMISSED, INLINE_REASON, "inline"))
    records = []
    units: dict[str, Any] = {}
    for mark in marks:
        text = mark.text
        if text is None or mark.fingerprint in scanned:
            finding = scanned[mark.fingerprint]
            text = finding.slice or mark.text or _unit_text(finding, root, units)
        records.append(
            TriageRecord(
                fingerprint=mark.fingerprint,
                status=mark.status,
                reason=mark.reason,
                cwe=mark.cwe,
                language=mark.language,
                file=mark.file,
                line=mark.line,
                text=text,
                source=mark.source,
            )
        )
    return sorted(records, key=lambda r: (r.file, r.line, r.cwe, r.fingerprint))


def _fixed(mark: Mark) -> bool:
    return mark.source == "sarif" and mark.status == CONFIRMED


def _mark(finding: Finding, status: str, reason: str | None, source: str) -> Mark:
    return Mark(
        fingerprint=finding.fingerprint,
        status=status,
        reason=reason,
        cwe=finding.cwe,
        language=finding.language,
        file=finding.file,
        line=finding.line,
        unit=finding.unit,
        start_line=finding.start_line,
        text=finding.slice,
        source=source,
    )


def _unit_text(finding: Finding, root: str | Path | None, cache: dict[str, Any]) -> str:
    """The text of the function (or module code) a whole-unit judge read for `finding`."""
    if root is None:
        raise VulntuneError(f"{finding.file}: no scan root to read the flagged function from")
    if finding.file not in cache:
        path = Path(root) / finding.file
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise VulntuneError(f"{path}: cannot be read ({exc})") from None
        cache[finding.file] = extract_units(text, language=finding.language, file=finding.file)
    for unit in cache[finding.file].units:
        if unit.name == finding.unit and unit.start_line == finding.start_line:
            return unit.text
    raise VulntuneError(f"{finding.file}:{finding.line}: the flagged unit {finding.unit} is no longer there")


def counts(records: Sequence[TriageRecord]) -> dict[str, Any]:
    """Records by status, language and CWE: plain sorted JSON for the model folder's metadata."""
    result: dict[str, Any] = {"records": len(records), DISMISSED: 0, CONFIRMED: 0, "by_language": {}}
    for record in records:
        result[record.status] += 1
        cell = (
            result["by_language"].setdefault(record.language, {}).setdefault(record.cwe, {DISMISSED: 0, CONFIRMED: 0})
        )
        cell[record.status] += 1
    return result
