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
            "many safe look-alikes were flagged, at the model's threshold and at each operating point it "
            "records (the recall and false positives a lower threshold buys)."
        ),
        epilog="Examples:\n  vulntune demo\n"
        "  vulntune demo --target-fpr 0.05   # stricter than the bundled judge's default 0.1 point\n"
        "  vulntune demo --target-fpr 0.2    # looser: more recall, more false positives",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--path", type=Path, default=Path("examples"), help="folder to scan (default: examples)")
    parser.add_argument("--model", help="model folder (default: the bundled detector)")
    parser.add_argument(
        "--target-fpr",
        type=float,
        metavar="X",
        help="scan at the model's recorded operating point for this validation false positive rate "
        "instead of its default one (the bundled judge's is 0.1): lower is stricter, higher finds more "
        "and flags more safe code (as `vulntune scan --target-fpr`)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vulntune.demo import operating_point_table, score_against_expected, unit_scores
    from vulntune.errors import VulntuneError
    from vulntune.formats import get_formatter
    from vulntune.models.prediction import decision_thresholds
    from vulntune.scan import ResultCache, ScanConfig, load_scan_model, scan_paths

    if not args.path.is_dir():
        raise VulntuneError(f"{args.path}: no such folder (run the demo from the repository root)")
    from vulntune.progress import elapsed, mode_for

    progress = mode_for(sys.stderr, quiet=False)
    with elapsed("loading model", enabled=progress):
        detector = load_scan_model(args.model, target_fpr=args.target_fpr)
    cache = ResultCache()
    try:
        config = ScanConfig(explain=True)  # each finding with the slice it was judged on
        report = scan_paths(
            [args.path], detector=detector, config=config, cache=cache, root=args.path, progress=progress
        )
        sys.stdout.write(get_formatter("text")(report, color=sys.stdout.isatty()))
        expected_file = args.path / "expected.json"
        if expected_file.is_file():
            expected = json.loads(expected_file.read_text(encoding="utf-8"))
            print(score_against_expected(((f.file, f.unit, f.cwe, f.line) for f in report.findings), expected))
            points = detector.meta.get("operating_points")
            if points:
                # Every unit is in the cache now: scoring them again costs no model call.
                scored = unit_scores(args.path, detector, config=config, cache=cache)
                print(operating_point_table(scored, points, expected, current=decision_thresholds(detector)))
    finally:
        cache.close()
    return 0
