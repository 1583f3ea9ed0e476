"""Inline suppressions: `# vulntune: ignore[CWE-89]` (Python) or `// vulntune: ignore[CWE-89]` (Java).

Where a directive counts (`vulntune.units.suppression_targets` maps it to lines):

* on its own line, and, when the comment is alone on its line, on the line after it;
* on every line of a simple statement spanning several lines when it sits on any of them or
  alone on the line just before it (`# nosec` and `# nosemgrep` work the same way);
* a directive on a unit's first line (its first decorator or annotation) or on the line holding
  its name (`def f(...)`, `void f(...)`) covers every finding of that unit.

`ignore` without brackets suppresses every CWE; several ids may be listed:
`ignore[CWE-89, CWE-78]`. Directives are read from comment nodes of the syntax tree, so the
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
