"""Inline suppressions: `# vulntune: ignore[CWE-89]` (Python) or `// vulntune: ignore[CWE-89]` (Java).

A directive counts on the flagged line, on the unit's first line (its first decorator or
annotation) or on the line holding the unit's name (`def f(...)`, `void f(...)`). `ignore`
without brackets suppresses every CWE; several ids may be listed: `ignore[CWE-89, CWE-78]`.
Directives are read from comment nodes of the syntax tree (`vulntune.units`), so the
same words inside a string literal suppress nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from vulntune.scan.findings import Finding
from vulntune.units import ALL, Unit


def is_suppressed(finding: Finding, unit: Unit, suppressions: Mapping[int, frozenset[str]]) -> bool:
    """True when a directive on one of the finding's lines names its CWE or is bare."""
    for line in (finding.line, unit.start_line, unit.header_line):
        ids = suppressions.get(line)
        if ids and (ALL in ids or finding.cwe in ids):
            return True
    return False
