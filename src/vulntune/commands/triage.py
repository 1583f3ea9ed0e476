"""`vulntune triage REPORT`: review a scan's findings one by one, confirming or dismissing them."""

from __future__ import annotations

import argparse
from pathlib import Path

EXAMPLE = """Examples:
  vulntune scan src/ --model models/judge --format json --explain --output scan.json
  vulntune triage scan.json                      # decisions go into scan.json itself
  vulntune triage scan.json --out triage.json    # or into another file; run again to resume
  printf 'd test helper\\nc\\nq\\n' | vulntune triage scan.json   # keys from a pipe
  vulntune train --from-triage scan.json --model models/judge --out models/judge-ours --source src/

Keys, then Enter: c confirm, d dismiss, s skip, q quit; 'c REASON' or 'd REASON' records why.
Findings already decided in the output file are skipped. See docs/triage.md."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "triage",
        help="confirm or dismiss a scan's findings, to adapt the judge to them",
        description="Review the findings of a JSON scan report (vulntune scan --format json, with --explain to see "
        "each slice) and mark each confirmed or dismissed. The marked report is what "
        "`vulntune train --from-triage` learns from, and stays a --baseline.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("report", type=Path, metavar="REPORT", help="a JSON report of vulntune scan")
    parser.add_argument("--out", type=Path, help="the triage file to write (default: REPORT itself)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from vulntune.atomic import check_file_target
    from vulntune.triage.review import review

    out = args.out or args.report
    check_file_target(out, what="--out")
    done = review(args.report, out, keys=sys.stdin, screen=sys.stderr)
    print(
        f"wrote {out}: {done.confirmed} confirmed, {done.dismissed} dismissed now ({done.already} decided before), "
        f"{done.left} left undecided",
        file=sys.stderr,
    )
    return 0
