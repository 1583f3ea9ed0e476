"""The JSON report: a versioned, documented schema (docs/scan.md, `scan-report.schema.json`).

Bump `SCHEMA_VERSION` on any change a reader could notice other than an added optional field.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from vulntune.cwe import CATALOGUE
from vulntune.scan.scanner import ScanReport

SCHEMA_VERSION = 1
# The JSON Schema of this format, shipped with the package.
SCHEMA_FILE = Path(__file__).with_name("scan-report.schema.json")


def render(report: ScanReport, *, color: bool = False) -> str:
    """The report as JSON text (sorted keys, findings sorted by file, line, CWE). `color` is unused."""
    findings = []
    for finding in report.findings:
        record = asdict(finding)
        entry = CATALOGUE.get(finding.cwe)
        record["link"] = entry.link if entry else None
        findings.append(record)
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "vulntune", "version": report.version},
        "generated_at": report.started_at,
        "model": {
            "fingerprint": report.model.fingerprint,
            "threshold": report.model.threshold,
            "thresholds": dict(sorted(report.model.thresholds.items())),
            "max_length": report.model.max_length,
            "languages": list(report.model.languages),
            "labels": list(report.model.labels),
            "validation_fpr": report.model.validation_fpr,
            "validation_recall": report.model.validation_recall,
        },
        "summary": asdict(report.summary),
        "analysis": {"threat_model": report.threat_model or None, "models": list(report.models)},
        "findings": findings,
        "skipped": [asdict(s) for s in report.skipped],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
