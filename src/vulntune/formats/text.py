"""The text report: findings grouped by file, for people; ANSI colour only when asked (a terminal)."""

from __future__ import annotations

import unicodedata
from itertools import groupby

from vulntune.analysis import Step
from vulntune.cwe import SEVERITIES
from vulntune.scan.scanner import STATIC_JUDGES, ScanReport

_COLORS = {"critical": "\033[1;35m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def printable(text: str) -> str:
    """Control characters from scanned content (file names, code) shown escaped, never sent to
    the terminal: an escape sequence in a snippet must not repaint the screen."""
    return "".join(ch if unicodedata.category(ch)[0] != "C" else ascii(ch)[1:-1] for ch in text)


SLICE_LINES = 12  # of a slice shown under its finding; JSON and SARIF carry it whole


def excerpt(slice_text: str, limit: int = SLICE_LINES) -> list[str]:
    """A slice of more than `limit` lines cut to its first line (the signature) and the `limit` - 2
    lines ending at the sink line (marked `<- CWE-n`), with markers counting what was left out."""
    lines = slice_text.split("\n")
    if len(lines) <= limit:
        return lines
    sink = next((i for i, line in enumerate(lines) if "<- CWE-" in line), len(lines) - 1)
    start = max(1, sink - (limit - 3))
    shown = lines[start : sink + 1]
    before, after = start - 1, len(lines) - sink - 1
    out = [lines[0]] + ([f"... ({_more(before)})"] if before else []) + shown
    return out + ([f"... ({_more(after)}; --format json has the whole slice)"] if after else [])


def path_lines(path: tuple[Step, ...]) -> list[str]:
    """A finding's path, one step a line: `path: FILE:LINE  LABEL` for the source, then
    `   -> FILE:LINE  LABEL` for each call and the sink. Nothing for a path without a source
    (a hard-coded secret's is its sink alone, the finding's own line)."""
    if not path or path[0].kind != "source":
        return []
    return [
        f"{'path:' if i == 0 else '   ->'} {printable(step.file)}:{step.line}  {printable(step.label)}"
        for i, step in enumerate(path)
    ]


def _more(count: int) -> str:
    return f"{count} more line" + "s" * (count != 1)


def render(report: ScanReport, *, color: bool = False) -> str:
    """Findings by file (line, severity, CWE, confidence, unit, flagged line), then skipped paths, then a summary."""

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    out: list[str] = []
    for file, group in groupby(report.findings, key=lambda f: f.file):
        out.append(paint(printable(file), _BOLD))
        for f in group:
            severity = paint(f.severity.ljust(8), _COLORS.get(f.severity, ""))
            out.append(f"  {f.line:>5}  {severity}  {f.cwe:<8} {f.cwe_name}  (confidence {f.confidence:.2f})")
            where = "module-level code" if f.unit_kind == "module" else f"{f.unit_kind} {printable(f.unit)}"
            out.append(paint(f"         in {where}, lines {f.start_line}-{f.end_line}", _DIM))
            if f.snippet:
                out.append(f"         {printable(f.snippet)}")
            if f.slice:  # --explain: the path, then the slice
                out.extend(f"         {line}" for line in path_lines(f.path))
                out.extend(paint(f"         | {printable(line)}", _DIM) for line in excerpt(f.slice))
        out.append("")
    if report.skipped:
        out.append(paint("Skipped", _BOLD))
        for skipped in report.skipped:
            out.append(f"  {printable(skipped.path)}: {skipped.reason}" + ("  (error)" if skipped.error else ""))
        out.append("")
    out.append(summary_line(report))
    return "\n".join(out) + "\n"


def summary_line(report: ScanReport) -> str:
    """The report's summary in one line: the text report ends with it, and the command prints it
    on stderr when the report goes elsewhere, so both say the same counts."""
    s = report.summary
    if report.findings:
        by_severity = {sev: sum(1 for f in report.findings if f.severity == sev) for sev in SEVERITIES}
        parts = ", ".join(f"{n} {sev}" for sev, n in reversed(by_severity.items()) if n)
        files = len({f.file for f in report.findings})
        head = f"{s.findings} finding{'s' * (s.findings != 1)} ({parts}) in {files} file{'s' * (files != 1)}"
    else:
        head = "No findings"
    tail = [f"{s.files_scanned} file{'s' * (s.files_scanned != 1)} scanned", f"{s.units} unit{'s' * (s.units != 1)}"]
    if s.files_skipped:
        tail.append(f"{s.files_skipped} skipped")
    if s.files_with_syntax_errors:
        tail.append(f"{s.files_with_syntax_errors} with syntax errors")
    for count, label in (
        (s.suppressed, "suppressed"),
        (s.baselined, "in baseline"),
        (s.below_filters, "below --min-confidence/--min-severity"),
    ):
        if count:
            tail.append(f"{count} {label}")
    if report.threat_model:
        tail.append(f"threat model {report.threat_model}")
    model = report.model
    judge = STATIC_JUDGES.get(model.fingerprint)
    if judge is not None:
        which = "every candidate sink" if judge == "none" else "every statically reachable candidate sink"
        return f"{head}; " + ", ".join(tail) + f"; {which} reported (--judge {judge}, no model)."
    distinct = sorted(set(model.thresholds.values()))
    at = (
        f"threshold {distinct[0]:.4f}"
        if len(distinct) == 1
        else "thresholds " + ", ".join(f"{language} {t:.4f}" for language, t in sorted(model.thresholds.items()))
    )
    if model.validation_fpr is not None and model.validation_recall is not None:
        # rates the model measured on its own validation split (synthetic for the bundled judge), not on this code
        at += f" (on its validation split, not this code: FPR {model.validation_fpr:.1%}, recall {model.validation_recall:.1%})"
    return f"{head}; " + ", ".join(tail) + f"; {at}."
