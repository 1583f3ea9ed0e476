"""`vulntune cwe list`: the CWE catalogue as a table or JSON."""

from __future__ import annotations

import argparse
import json

from vulntune.cwe import CATALOGUE, check_language


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "cwe",
        help="the CWE catalogue",
        description="Show the CWE catalogue: id, name, severity, Top-25 (2024) rank, languages, link.",
        epilog="Example: vulntune cwe list --language java --json",
    )
    sub = parser.add_subparsers(dest="cwe_command", metavar="ACTION", required=True, parser_class=type(parser))
    lister = sub.add_parser("list", help="list the catalogue")
    lister.add_argument("--language", help="only weaknesses catalogued for this language")
    lister.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lister.set_defaults(handler=run_list)


def run_list(args: argparse.Namespace) -> int:
    entries = list(CATALOGUE.values())
    if args.language:
        check_language(args.language)
        entries = [c for c in entries if args.language in c.languages]
    if args.json:
        rows = [
            {
                "id": c.id,
                "name": c.name,
                "description": c.description,
                "severity": c.severity,
                "top25_rank": c.top25_rank,
                "languages": list(c.languages),
                "link": c.link,
            }
            for c in entries
        ]
        print(json.dumps(rows, indent=2, sort_keys=True))
        return 0
    header = ("ID", "NAME", "SEVERITY", "TOP25", "LANGUAGES", "LINK")
    rows = [(c.id, c.name, c.severity, str(c.top25_rank or "-"), ",".join(c.languages), c.link) for c in entries]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    print()
    for c in entries:
        print(f"{c.id}: {c.description}")
    return 0
