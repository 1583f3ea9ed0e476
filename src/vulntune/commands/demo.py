"""`vulntune demo`: scan the bundled example application and compare with its known truth."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="scan examples/ with the bundled detector and score it against examples/expected.json",
        description=(
            "Scan a folder (default: examples/) with the bundled default detector, print the findings, "
            "and, when the folder has an expected.json, say how many known weaknesses were found and how "
            "many safe look-alikes were flagged."
        ),
        epilog="Example: vulntune demo --path examples",
    )
    parser.add_argument("--path", type=Path, default=Path("examples"), help="folder to scan (default: examples)")
    parser.add_argument("--model", help="model folder (default: the bundled detector)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vulntune.errors import VulntuneError
    from vulntune.formats import get_formatter
    from vulntune.scan import ResultCache, ScanConfig, load_scan_model, scan_paths

    if not args.path.is_dir():
        raise VulntuneError(f"{args.path}: no such folder (run the demo from the repository root)")
    detector = load_scan_model(args.model)
    cache = ResultCache()
    try:
        report = scan_paths([args.path], detector=detector, config=ScanConfig(), cache=cache, root=args.path,
                            progress=sys.stderr.isatty())
    finally:
        cache.close()
    sys.stdout.write(get_formatter("text")(report, color=sys.stdout.isatty()))
    expected_file = args.path / "expected.json"
    if expected_file.is_file():
        print(score_against_expected(report.findings, json.loads(expected_file.read_text(encoding="utf-8"))))
    return 0


def score_against_expected(findings, expected: list[dict]) -> str:
    """One line: known weaknesses found (and with the right CWE), safe look-alikes flagged, and the
    findings on code the truth table does not count (noise, or a pass-through of a listed weakness)."""
    flagged: dict[tuple[str, str], set[str]] = {}
    for finding in findings:
        name = finding.unit.rsplit(".", 1)[-1]
        flagged.setdefault((finding.file, name), set()).add(finding.cwe)
    vulnerable = [e for e in expected if e["label"] == "vulnerable"]
    safe = [e for e in expected if e["label"] == "safe"]
    found = [e for e in vulnerable if (e["file"], e["function"]) in flagged]
    right_cwe = [e for e in found if e["cwe"] in flagged[(e["file"], e["function"])]]
    false_alarms = [e for e in safe if (e["file"], e["function"]) in flagged]
    listed = {(e["file"], e["function"]) for e in expected}
    elsewhere = sum(1 for f in findings if (f.file, f.unit.rsplit(".", 1)[-1]) not in listed)
    return (
        f"demo: {len(found)}/{len(vulnerable)} known weaknesses flagged ({len(right_cwe)} with the right CWE), "
        f"{len(false_alarms)}/{len(safe)} safe look-alikes flagged, {elsewhere} findings on code the truth table "
        "does not count; the truth is in examples/README.md"
    )
