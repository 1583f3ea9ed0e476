"""The interactive review behind `vulntune triage`: one finding at a time, a key per decision.

Keys, one per line (a terminal sends a line on Enter; a test or a script pipes them): `c`
confirm, `d` dismiss, `s` skip, `q` quit; `c` and `d` may be followed by a reason
(`d input is an enum`). End of input quits. The triage file is the scan's JSON report with a
`status` (and `reason`) on each decided finding, written atomically after every decision, so
quitting, a closed terminal or a kill loses nothing; reviewing again skips the decided
fingerprints and the file stays a baseline `vulntune scan --baseline` accepts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from vulntune.atomic import write_text
from vulntune.errors import VulntuneError
from vulntune.scan.baseline import TRIAGE_STATUSES

KEYS = {"c": "confirmed", "d": "dismissed"}
PROMPT = "[c]onfirm  [d]ismiss  [s]kip  [q]uit  (c/d REASON gives a reason)> "


@dataclass(kw_only=True, frozen=True)
class Review:
    """What a review did: decisions made now, findings left undecided, findings decided before."""

    confirmed: int = 0
    dismissed: int = 0
    skipped: int = 0
    already: int = 0
    left: int = 0


def read_report(path: Path) -> dict[str, Any]:
    """A vulntune JSON report (`scan --format json`), or a one-line VulntuneError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VulntuneError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise VulntuneError(f"{path}: cannot be read ({exc})") from None
    if not text.strip():
        raise VulntuneError(f"{path}: is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VulntuneError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    if not (isinstance(data, dict) and isinstance(data.get("findings"), list) and "schema_version" in data):
        raise VulntuneError(f"{path}: not a vulntune JSON report (write one with scan --format json --explain)")
    for index, finding in enumerate(data["findings"]):
        if not isinstance(finding, dict) or not isinstance(finding.get("fingerprint"), str):
            raise VulntuneError(f"{path}: finding {index + 1} has no fingerprint")
        if finding.get("status") not in (None, *TRIAGE_STATUSES):
            raise VulntuneError(f"{path}: finding {index + 1}: unknown status {finding['status']!r}")
    return data


def show(finding: dict[str, Any], number: int, total: int) -> str:
    """The finding as the reviewer sees it: what, where, the path the data takes, the slice."""
    lines = [
        "",
        f"[{number}/{total}] {finding.get('cwe')} {finding.get('cwe_name', '')} "
        f"({finding.get('severity')}, confidence {finding.get('confidence')})",
        f"  {finding.get('file')}:{finding.get('line')} in {finding.get('unit')}",
    ]
    for step in finding.get("path") or ():
        lines.append(
            f"    {step.get('kind', '')}: {step.get('file') or finding.get('file')}:{step.get('line')} "
            f"{step.get('label', '')}".rstrip()
        )
    code = finding.get("slice")
    if code:
        lines += ["", *("  | " + row for row in code.rstrip("\n").split("\n")), ""]
    elif finding.get("unit_kind") == "slice":
        lines += [f"  | {finding.get('snippet', '')}", "  (the scan kept no slice: scan with --explain to see it)"]
    else:
        lines += [
            f"  | {finding.get('snippet', '')}",
            f"  (the judge read the whole {finding.get('unit_kind')}, lines {finding.get('start_line')}-"
            f"{finding.get('end_line')})",
        ]
    return "\n".join(lines)


def review(report_path: Path, out: Path, *, keys: TextIO, screen: TextIO) -> Review:
    """Review the undecided findings of `report_path`, writing decisions to `out` as they come.

    Decisions already in `out` (an earlier review of the same report) are kept and their
    findings not shown again.

    Raises:
        VulntuneError: a report or triage file that cannot be read, or one of another model.
    """
    report = read_report(report_path)
    decided: dict[str, dict[str, Any]] = {}
    if out.exists() and out.resolve() != report_path.resolve():
        earlier = read_report(out)
        if (earlier.get("model") or {}).get("fingerprint") != (report.get("model") or {}).get("fingerprint"):
            raise VulntuneError(f"{out}: a triage of another model's scan; name a new --out file")
        decided = {f["fingerprint"]: f for f in earlier["findings"] if f.get("status")}
    findings = report["findings"]
    for finding in findings:
        earlier = decided.get(finding["fingerprint"])
        if earlier is not None and finding.get("status") is None:
            finding["status"] = earlier["status"]
            if earlier.get("reason"):
                finding["reason"] = earlier["reason"]
    already = sum(1 for f in findings if f.get("status"))
    todo = [f for f in findings if not f.get("status")]
    made = {"confirmed": 0, "dismissed": 0, "skipped": 0}

    def save() -> None:
        write_text(out, json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n")

    save()  # the carried-over decisions, before the first question
    for number, finding in enumerate(todo, 1):
        screen.write(show(finding, number, len(todo)) + "\n")
        while True:
            screen.write(PROMPT)
            screen.flush()
            line = keys.readline()
            if not line:  # end of input: quit
                return Review(**made, already=already, left=len(todo) - number + 1 + made["skipped"])
            key, _, reason = line.strip().partition(" ")
            key = key.lower()
            if key in KEYS:
                finding["status"] = KEYS[key]
                if reason.strip():
                    finding["reason"] = reason.strip()
                else:
                    finding.pop("reason", None)
                made[KEYS[key]] += 1
                save()
                break
            if key == "s":
                made["skipped"] += 1
                break
            if key == "q":
                return Review(**made, already=already, left=len(todo) - number + 1 + made["skipped"])
            screen.write(f"unknown key {key!r}\n")
    return Review(**made, already=already, left=made["skipped"])
