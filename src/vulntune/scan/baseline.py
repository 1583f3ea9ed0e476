"""Baselines: a previous JSON (or SARIF) report whose findings are not reported again.

Findings are matched by fingerprint (`vulntune.scan.findings`), which ignores line shifts, so
code added above an accepted finding does not bring it back.

A JSON report's findings may carry a triage mark, `"status": "dismissed"` or `"confirmed"` and an
optional `"reason"` (`vulntune triage` writes them; `vulntune.triage` learns from them). A marked
report is still a baseline: every finding in it, marked or not, is known.
"""

from __future__ import annotations

import json
from pathlib import Path

from vulntune.errors import VulntuneError

SARIF_FINGERPRINT_KEY = "vulntune/v1"
TRIAGE_STATUSES = ("dismissed", "confirmed")  # a finding's "status" in a triaged JSON report


def load_baseline(path: str | Path) -> frozenset[str]:
    """The fingerprints in a report written by `vulntune scan --format json` (or sarif).

    Raises:
        VulntuneError: a missing or unreadable file, or one that is not such a report.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VulntuneError(f"baseline {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise VulntuneError(f"baseline {path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise VulntuneError(f"baseline {path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    try:
        if isinstance(data, dict) and "findings" in data and "schema_version" in data:
            return frozenset(str(f["fingerprint"]) for f in data["findings"])
        if isinstance(data, dict) and "runs" in data:
            return frozenset(
                str(result["partialFingerprints"][SARIF_FINGERPRINT_KEY])
                for run in data["runs"]
                for result in run.get("results") or ()
            )
    except (KeyError, TypeError):
        pass
    raise VulntuneError(f"baseline {path}: not a vulntune scan report (write one with --format json)")
