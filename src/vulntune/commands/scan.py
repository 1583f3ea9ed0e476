"""`vulntune scan PATH...`: scan Python and Java code locally, report findings for people or CI.

Exit codes: 0 no findings, 1 findings (after filters, suppressions and the baseline), 2 a usage
or input error (bad option, missing model, a PATH that does not exist or cannot be read, an
unknown git ref). Skipped files inside a folder are warnings, not errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EPILOG = """\
examples:
  vulntune scan src/ --model models/tfidf
  vulntune scan . --format sarif --output vulntune.sarif --min-severity high
  vulntune scan src/ --target-fpr 0.05     # more recall, more false positives
  vulntune scan . --changed-since origin/main --baseline previous.json --exit-zero
  git show HEAD:app/users.py | vulntune scan - --stdin-filename app/users.py

exit codes: 0 clean, 1 findings, 2 usage or input error.
"""


def _epilog() -> str:
    """The examples, then every key [tool.vulntune] accepts, read from ScanConfig itself so the
    help cannot promise a key the file refuses."""
    import dataclasses
    import textwrap

    from vulntune.scan.settings import ScanConfig

    keys = ", ".join(f.name for f in dataclasses.fields(ScanConfig))
    settings = textwrap.fill(
        f"Keys of [tool.vulntune] in pyproject.toml: {keys} (--no-cache is cache = false, "
        "--no-gitignore is gitignore = false; the command line wins).",
        width=100,
    )
    return EPILOG + settings + "\n"


def _csv(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


# vulntune.formats' registry, written out: importing it (and the scanner) would cost every
# command's start about a second; tests/test_formats.py keeps the two equal.
FORMAT_NAMES = ("json", "sarif", "text")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="scan files and folders for weaknesses",
        description="Scan Python and Java files with a local detector. Code is only parsed, never "
        "imported or run, and never leaves this machine.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="files and folders to scan; - reads one file from stdin"
    )
    parser.add_argument("--model", metavar="DIR", help="model folder (default: the bundled detector)")
    parser.add_argument(
        "--unit",
        choices=("slice", "function"),
        help="what the judge reads: the data-flow slice of each candidate sink, or whole functions "
        "(default: what the model was trained on)",
    )
    parser.add_argument(
        "--judge",
        choices=("model", "none", "reachability"),
        help="none: report every candidate sink without a model (pattern matching, fast); "
        "reachability: every candidate whose data comes from a parameter or untrusted input "
        "and that can run, without a model; default: model",
    )
    parser.add_argument("--explain", action="store_true", help="show the slice each finding was judged on")
    parser.add_argument("--format", choices=FORMAT_NAMES, help="output format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report here instead of stdout")
    parser.add_argument(
        "--exclude",
        action="append",
        metavar="GLOB",
        help="skip paths matching this gitignore-style pattern (repeatable)",
    )
    parser.add_argument("--extensions", type=_csv, metavar="EXTS", help="file extensions, e.g. .py,.java")
    parser.add_argument("--max-file-size", type=int, metavar="BYTES", help="skip larger files (default 1000000)")
    parser.add_argument("--min-confidence", type=float, metavar="X", help="report findings with confidence >= X")
    parser.add_argument(
        "--target-fpr",
        type=float,
        metavar="X",
        help="flag at the model's operating point for this validation false positive rate "
        "instead of its default threshold (the model card lists them, e.g. 0.05)",
    )
    parser.add_argument(
        "--min-severity",
        choices=("low", "medium", "high", "critical"),
        help="report findings of this severity or higher",
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument(
        "--baseline", metavar="REPORT", help="a previous --format json report: report only new findings"
    )
    parser.add_argument("--changed-since", metavar="REF", help="scan only files changed since this git ref")
    parser.add_argument("-j", "--jobs", type=int, metavar="N", help="parsing processes (0: one per CPU; default 1)")
    parser.add_argument("--batch-size", type=int, metavar="N", help="units per model call (default 16)")
    parser.add_argument("--threads", type=int, metavar="N", help="torch CPU threads for transformer models")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the results cache")
    parser.add_argument("--no-gitignore", action="store_true", help="scan files that .gitignore excludes")
    parser.add_argument(
        "--config",
        metavar="PYPROJECT",
        help="read [tool.vulntune] from this file (default: the nearest pyproject.toml)",
    )
    parser.add_argument("--root", metavar="DIR", help="report paths relative to this folder")
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour text output (auto: when stdout is a terminal and NO_COLOR is unset)",
    )
    parser.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="path (and so language) of the file read from stdin with PATH - (default: <stdin>, Python)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list on stderr every file scanned, and every path skipped or left out with the reason",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar, warnings or summary on stderr")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vulntune.atomic import check_file_target, write_text
    from vulntune.errors import VulntuneError
    from vulntune.formats import get_formatter
    from vulntune.formats.text import printable
    from vulntune.progress import elapsed
    from vulntune.scan import ResultCache, load_baseline, load_scan_model, scan_paths
    from vulntune.scan.discover import STDIN, report_root
    from vulntune.scan.gitdiff import changed_files
    from vulntune.scan.settings import find_pyproject, resolve_config

    if args.stdin_filename is not None and STDIN not in args.paths:
        raise VulntuneError("--stdin-filename names the file read from stdin: add the PATH -")
    first = args.stdin_filename or os.curdir if args.paths[0] == STDIN else args.paths[0]
    if args.config:
        pyproject = Path(args.config)
        if not pyproject.is_file():
            raise VulntuneError(f"--config {pyproject}: no such file")
    else:
        pyproject = find_pyproject(Path(first) if os.path.exists(first) else Path.cwd())
    config = resolve_config(
        {
            "model": args.model,
            "format": args.format,
            "exclude": tuple(args.exclude) if args.exclude else None,
            "extensions": args.extensions,
            "max_file_size": args.max_file_size,
            "min_confidence": args.min_confidence,
            "target_fpr": args.target_fpr,
            "min_severity": args.min_severity,
            "jobs": args.jobs,
            "batch_size": args.batch_size,
            "threads": args.threads,
            "cache": False if args.no_cache else None,
            "gitignore": False if args.no_gitignore else None,
            "exit_zero": True if args.exit_zero else None,
            "unit": args.unit,
            "judge": args.judge,
            "explain": True if args.explain else None,
        },
        pyproject=pyproject,
    )
    if args.output:  # before the model loads and the scan runs, not after
        check_file_target(args.output, what="--output")
    render = get_formatter(config.format)
    baseline = load_baseline(args.baseline) if args.baseline else frozenset()
    root = (
        Path(os.path.realpath(args.root)) if args.root else report_root(args.paths, stdin_filename=args.stdin_filename)
    )
    only = changed_files(args.changed_since, cwd=root if root.is_dir() else Path.cwd()) if args.changed_since else None
    progress = not args.quiet and sys.stderr.isatty()
    detector = None
    if config.judge == "model":
        with elapsed("loading model", enabled=progress):
            detector = load_scan_model(config.model, threads=config.threads, target_fpr=config.target_fpr)

    warn = (lambda message: None) if args.quiet else (lambda message: print(f"vulntune: {message}", file=sys.stderr))
    cache = ResultCache() if config.cache else None
    try:
        if cache is not None and cache.problem:
            warn(f"warning: {cache.problem}")
        report = scan_paths(
            args.paths,
            detector=detector,
            config=config,
            cache=cache,
            root=root,
            only=only,
            baseline=baseline,
            progress=progress,
            stdin_filename=args.stdin_filename,
        )
        if cache is not None and cache.problem:
            warn(f"warning: {cache.problem}")
    finally:
        if cache is not None:
            cache.close()

    # A text report on stdout lists skipped paths itself; other reports go to files or tools.
    text_on_stdout = config.format == "text" and not args.output
    for note in report.notes:
        warn(f"note: {printable(note)}")
    if args.verbose:
        _list_files(report)
    for skipped in report.skipped:
        if skipped.error:  # an input error is said even with --quiet: it changes the exit code
            print(f"vulntune: error: {printable(skipped.path)}: {skipped.reason}", file=sys.stderr)
        elif not text_on_stdout:
            warn(f"warning: {printable(skipped.path)}: skipped: {skipped.reason}")

    to_terminal = args.output is None and sys.stdout.isatty()
    color = args.color == "always" or (args.color == "auto" and to_terminal and not os.environ.get("NO_COLOR"))
    text = render(report, color=color and config.format == "text")
    if args.output:
        try:
            write_text(args.output, text)
        except OSError as exc:
            raise VulntuneError(
                f"--output {args.output}: cannot be written ({(exc.strerror or str(exc)).lower()})"
            ) from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()

    stats = report.stats
    if not text_on_stdout:
        s = report.summary
        warn(
            f"{s.findings} finding{'s' * (s.findings != 1)} in {s.files_scanned} files"
            + (f" ({s.files_skipped} skipped)" if s.files_skipped else "")
            + (f"; report written to {args.output}" if args.output else "")
        )
    warn(
        f"scanned {stats['files']} files, {stats['units']} units ({stats['units_cached']} from cache) "
        f"in {stats['seconds_total']:.1f} s"
    )
    if not report.summary.files_scanned:
        warn(f"warning: no files were scanned{_why_nothing(report, args.changed_since)}")

    if report.input_error:
        return 2
    if report.findings and not config.exit_zero:
        return 1
    return 0


def _list_files(report) -> None:
    """--verbose: every file scanned, then every path skipped or left out, with the reason."""
    from vulntune.formats.text import printable

    for source in report.files:
        print(f"vulntune: scanned: {printable(source.display)} ({source.language})", file=sys.stderr)
    for skipped in report.skipped:
        print(f"vulntune: skipped: {printable(skipped.path)}: {skipped.reason}", file=sys.stderr)
    for passed in report.passed_over:
        print(f"vulntune: left out: {printable(passed.path)}: {passed.reason}", file=sys.stderr)


def _why_nothing(report, changed_since: str | None) -> str:
    """Why a scan read no file, as far as discovery knows: counts per reason."""
    from collections import Counter

    reasons = Counter(p.reason for p in report.passed_over) + Counter(s.reason for s in report.skipped)
    parts = [f"{count} {'path' if count == 1 else 'paths'} {reason}" for reason, count in sorted(reasons.items())]
    if changed_since:
        parts.append(f"only files changed since the merge base of {changed_since} and HEAD count")
    if not parts:
        return " (no file with a scanned extension under the PATHs)"
    return ": " + "; ".join(parts) + " (--verbose lists them)"
