"""SARIF 2.1.0, as GitHub code scanning and OWASP-Benchmark-style scorers read it.

One rule per CWE the model knows (id "CWE-89"), tagged `security` and `external/cwe/cwe-89`,
with the catalogue's `security-severity`; results carry a `partialFingerprints` entry
("vulntune/v1") for baselines and URIs relative to the `%SRCROOT%` base (the repository root,
given as `originalUriBaseIds`). Every file scanned is an artifact; skipped files become tool
execution notifications. A finding whose path starts at a source has it as a code flow: one thread
flow, a location per step (source, each call, sink), its message the step's label.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

from vulntune.cwe import CATALOGUE
from vulntune.scan.baseline import SARIF_FINGERPRINT_KEY
from vulntune.scan.findings import Finding
from vulntune.scan.scanner import ScanReport

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
URI_BASE = "%SRCROOT%"
INFORMATION_URI = "https://pypi.org/project/vulntune/"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def _uri(path: str) -> dict[str, str]:
    if path.startswith("/"):  # outside the scan root: an absolute file URI, no base
        return {"uri": "file://" + quote(path, safe="/")}
    return {"uri": quote(path, safe="/"), "uriBaseId": URI_BASE}


def _rule(cwe_id: str) -> dict:
    entry = CATALOGUE.get(cwe_id)
    number = cwe_id.split("-")[-1]
    name = entry.name if entry else cwe_id
    severity = entry.severity if entry else "medium"
    description = entry.description if entry else f"{cwe_id}, a weakness outside vulntune's catalogue."
    link = entry.link if entry else f"https://cwe.mitre.org/data/definitions/{number}.html"
    return {
        "id": cwe_id,
        "name": "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", name)),
        "shortDescription": {"text": f"{name} ({cwe_id})"},
        "fullDescription": {"text": description},
        "help": {"text": f"{description} See {link}", "markdown": f"{description} See [{cwe_id}]({link})."},
        "helpUri": link,
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "tags": ["security", f"external/cwe/cwe-{number}"],
            "security-severity": f"{entry.security_severity if entry else 5.5:.1f}",
            "precision": "medium",
            "problem.severity": "error" if LEVELS[severity] == "error" else "warning",
        },
    }


def _artifacts(report: ScanReport) -> list[dict]:
    """The files scanned, with their language and size (SARIF `run.artifacts`)."""
    return [
        {
            "location": _uri(source.display),
            "sourceLanguage": source.language,
            "length": source.size,
            "roles": ["analysisTarget"],
        }
        for source in report.files
    ]


def _artifact_location(path: str, artifact_index: dict[str, int]) -> dict:
    return {**_uri(path), **({"index": artifact_index[path]} if path in artifact_index else {})}


def _code_flows(finding: Finding, artifact_index: dict[str, int]) -> list[dict]:
    """The finding's path as SARIF `codeFlows`: only a path from a source (a hard-coded secret's
    path is its sink alone, which the result's location already says)."""
    if not finding.path or finding.path[0].kind != "source":
        return []
    locations = [
        {
            "location": {
                "physicalLocation": {
                    "artifactLocation": _artifact_location(step.file, artifact_index),
                    "region": {"startLine": step.line},
                },
                "message": {"text": step.label},
            }
        }
        for step in finding.path
    ]
    return [{"threadFlows": [{"locations": locations}]}]


def render(report: ScanReport, *, color: bool = False) -> str:
    """The report as a SARIF 2.1.0 log (sorted keys). `color` is unused."""
    artifacts = _artifacts(report)
    artifact_index = {source.display: i for i, source in enumerate(report.files)}
    cwe_ids = sorted(
        {label for label in report.model.labels if label.startswith("CWE-")} | {f.cwe for f in report.findings},
        key=lambda c: (int(c.split("-")[-1]), c),
    )
    index = {cwe: i for i, cwe in enumerate(cwe_ids)}
    results = []
    for f in report.findings:
        region = {"startLine": f.line}
        if f.snippet:
            region["snippet"] = {"text": f.snippet}
        flows = _code_flows(f, artifact_index)
        results.append(
            {
                "ruleId": f.cwe,
                "ruleIndex": index[f.cwe],
                "level": LEVELS.get(f.severity, "warning"),
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": _artifact_location(f.file, artifact_index),
                            "region": region,
                            "contextRegion": {"startLine": f.start_line, "endLine": f.end_line},
                        },
                        "logicalLocations": [
                            {"fullyQualifiedName": f.unit, "kind": "module" if f.unit_kind == "module" else "function"}
                        ],
                    }
                ],
                **({"codeFlows": flows} if flows else {}),
                "partialFingerprints": {SARIF_FINGERPRINT_KEY: f.fingerprint},
                "rank": round(f.confidence * 100, 2),
                "properties": {
                    "confidence": f.confidence,
                    "severity": f.severity,
                    "language": f.language,
                    **({"sink": f.sink} if f.sink else {}),
                    **({"slice": f.slice} if f.slice else {}),
                },
            }
        )
    notifications = [
        {
            "level": "error" if s.error else "warning",
            "message": {"text": f"{s.path}: skipped: {s.reason}"},
            "locations": [{"physicalLocation": {"artifactLocation": _uri(s.path)}}],
        }
        for s in report.skipped
    ]
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "vulntune",
                        "version": report.version,
                        "semanticVersion": report.version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(cwe) for cwe in cwe_ids],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not report.input_error,
                        "startTimeUtc": report.started_at.replace("+00:00", "Z"),
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "artifacts": artifacts,
                **(
                    {"originalUriBaseIds": {URI_BASE: {"uri": Path(report.root).as_uri().rstrip("/") + "/"}}}
                    if report.root
                    else {}
                ),
                "results": results,
                "properties": {
                    "summary": {k: v for k, v in vars(report.summary).items()},
                    "model": {"fingerprint": report.model.fingerprint, "threshold": report.model.threshold},
                    **({"threatModel": report.threat_model} if report.threat_model else {}),
                    **({"taintModels": list(report.models)} if report.models else {}),
                },
            }
        ],
    }
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
