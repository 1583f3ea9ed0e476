"""The demo's truth: score a scan of the bundled examples against their known weaknesses and look-alikes.

`vulntune demo` (the command in `vulntune.commands.demo`) scans `examples/` and prints `tally`'s
line and, per recorded operating point, what the scan would have flagged there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def unit_scores(folder: Path, detector, *, config, cache) -> list[tuple[str, str, str, str | None, float]]:
    """(file, language, unit, CWE, score) of every unit the scan of `folder` asks the judge about."""
    from vulntune.scan.cache import text_digest
    from vulntune.scan.discover import discover
    from vulntune.scan.extract import extract_file
    from vulntune.scan.infer import score_units
    from vulntune.scan.scanner import across_files, judged_units, scan_unit

    slices = scan_unit(config, detector) == "slice"
    files = discover([folder], config=config, root=folder).files
    extracted = [
        extract_file(source, slices=slices, models=tuple(config.models))
        for source in files
        if source.language in detector.languages
    ]
    units = [u for item in across_files(extracted, config.threat_model) for u in item.units]  # as the scan decides
    units = judged_units(units, config, detector)
    verdicts, _ = score_units(units, detector, cache=cache, locate=not slices)
    scored = []
    for unit in units:
        verdict = verdicts[(unit.language, text_digest(unit.text))]
        cwe = getattr(unit, "cwe", None) or verdict.cwe  # a slice's CWE is its candidate's
        scored.append((unit.file, unit.language, unit.name, cwe, verdict.score))
    return scored


def operating_point_table(scored, points: list[dict], expected: list[dict], *, current: dict[str, float]) -> str:
    """What each recorded operating point of the model would have flagged in the demo, each
    language at the point's threshold for it."""
    from vulntune.models.calibrate import point_thresholds

    languages = sorted({language for _, language, _, _, _ in scored})
    lines = [
        "",
        "The same scan at the model's other operating points (chosen on validation data):",
        f"  {'target FPR':>10}  {'thresholds':>{8 + 14 * len(languages)}}  {'val FPR':>7}  {'val recall':>10}  in this demo",
    ]
    for point in points:
        thresholds = point_thresholds(point, languages)
        flagged = [
            (file, unit, cwe, None)
            for file, language, unit, cwe, score in scored
            if cwe is not None and score >= thresholds[language]
        ]
        s = tally(flagged, expected)
        mark = "*" if all(thresholds[language] == current.get(language) for language in languages) else " "
        shown = ", ".join(f"{language} {thresholds[language]:.4f}" for language in languages)
        lines.append(
            f"  {point['target_fpr']:>9g}{mark}  {shown:>{8 + 14 * len(languages)}}  {100 * point['fpr']:>6.1f}%  "
            f"{100 * point['tpr']:>9.1f}%  {s.found}/{s.vulnerable} found ({s.right_cwe} right CWE), "
            f"{s.false_alarms}/{s.safe} look-alikes, {s.elsewhere} elsewhere"
        )
    lines.append("  (* the thresholds of the scan above; `vulntune scan --target-fpr X` scans at another point)")
    return "\n".join(lines)


@dataclass(kw_only=True, frozen=True)
class Tally:
    """A scan of the demo against its truth table: known weaknesses found (and with the right CWE),
    safe look-alikes flagged, and findings on code the table does not list (noise, or a
    pass-through of a listed weakness). `on_line`: known weaknesses whose finding points at the
    table's line (counted only when the findings carry lines)."""

    vulnerable: int
    found: int
    right_cwe: int
    on_line: int
    safe: int
    false_alarms: int
    elsewhere: int


def tally(flagged, expected: list[dict]) -> Tally:
    """Count `flagged`, (file, unit name, CWE, line or None) of each finding, against the truth
    table `expected`.

    A unit name may be qualified (`Class.method`); the table names the function alone.
    """
    cwes_of: dict[tuple[str, str], set[str]] = {}
    lines_of: dict[tuple[str, str], set[int]] = {}
    for file, unit, cwe, line in flagged:
        key = (file, unit.rsplit(".", 1)[-1])
        cwes_of.setdefault(key, set()).add(cwe)
        if line is not None:
            lines_of.setdefault(key, set()).add(line)
    vulnerable = [e for e in expected if e["label"] == "vulnerable"]
    safe = [e for e in expected if e["label"] == "safe"]
    found = [e for e in vulnerable if (e["file"], e["function"]) in cwes_of]
    listed = {(e["file"], e["function"]) for e in expected}
    return Tally(
        vulnerable=len(vulnerable),
        found=len(found),
        right_cwe=sum(e["cwe"] in cwes_of[(e["file"], e["function"])] for e in found),
        on_line=sum(e["line"] in lines_of.get((e["file"], e["function"]), ()) for e in found),
        safe=len(safe),
        false_alarms=sum((e["file"], e["function"]) in cwes_of for e in safe),
        elsewhere=sum(len(cwes) for key, cwes in cwes_of.items() if key not in listed),
    )


def score_against_expected(flagged, expected: list[dict]) -> str:
    """The demo's closing line: `tally` in words."""
    s = tally(flagged, expected)
    return (
        f"demo: {s.found}/{s.vulnerable} known weaknesses flagged ({s.right_cwe} with the right CWE, "
        f"{s.on_line} on the listed line), "
        f"{s.false_alarms}/{s.safe} safe look-alikes flagged, {s.elsewhere} finding{'s' * (s.elsewhere != 1)} on code the truth table "
        "does not count; the truth is in examples/README.md"
    )
