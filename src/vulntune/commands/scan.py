"""`vulntune scan PATH...`: scan Python and Java code locally, report findings for people or CI.

Exit codes: 0 no findings, 1 findings (after filters, suppressions and the baseline), 2 a usage
or input error (bad option, missing model, a PATH that does not exist or cannot be read, an
unknown git ref, no file scanned with --fail-on-empty). Skipped files inside a folder are
warnings, not errors.
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
  vulntune scan src/ --target-fpr 0.05     # stricter than the bundled judge's default 0.1 point
  vulntune scan src/ --target-fpr 0.2      # looser: more recall, more false positives
  vulntune scan . --changed-since origin/main --baseline previous.json --exit-zero
  git show HEAD:app/users.py | vulntune scan - --stdin-filename app/users.py
  vulntune scan tools/ --judge reachability --threat-model local   # static analysis only; a CLI's argv is untrusted
  vulntune scan lib/ --threat-model all --models security/models.toml   # a library: its public functions' inputs

exit codes: 0 clean, 1 findings, 2 usage or input error (and no file scanned, with --fail-on-empty).
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
        "reachability: static analysis only, every candidate that data from a source of the threat model "
        "reaches unsanitised, where it can run, without a model; default: model",
    )
    parser.add_argument(
        "--threat-model",
        choices=("remote", "local", "all"),
        help="which data is untrusted: remote (request data, framework entry points, sockets; the default), "
        "local (also the command line, environment, files, stdin), all (also the parameters of functions "
        "no scanned code calls)",
    )
    parser.add_argument(
        "--models",
        action="append",
        metavar="FILE",
        help="a taint models file (TOML: sources, sanitizers, validators...) added to the shipped ones; "
        "repeatable (docs/taint-models.md)",
    )
    parser.add_argument("--explain", action="store_true", help="show the slice each finding was judged on")
    parser.add_argument("--format", choices=FORMAT_NAMES, help="output format (default: text)")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the report here instead of stdout (its folder must exist)"
    )
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
        help="flag at the model's recorded operating point for this validation false positive rate "
        "instead of at its default one (the bundled judge's default is its 0.1 point; the model card lists "
        "the points): a lower X is stricter (fewer false positives, less recall), a higher X is looser "
        "(more recall, more false positives)",
    )
    parser.add_argument(
        "--min-severity",
        choices=("low", "medium", "high", "critical"),
        help="report findings of this severity or higher",
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument(
        "--fail-on-empty",
        action="store_true",
        help="exit 2 when no file was scanned (default: a warning on stderr, exit 0)",
    )
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
        help="path (and so language: .py, .pyw or .java) of the file read from stdin with PATH - "
        "(default: <stdin>, Python)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list on stderr every file scanned, and every path skipped or left out with the reason",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress, warnings or summary on stderr (progress: bars on a terminal, else a line every "
        "10 s, or $VULNTUNE_PROGRESS_SECONDS)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from vulntune.atomic import write_text
    from vulntune.errors import VulntuneError
    from vulntune.formats.text import printable, summary_line
    from vulntune.progress import elapsed, log_every, mode_for
    from vulntune.scan import ResultCache, load_baseline, load_scan_model, scan_paths
    from vulntune.scan.discover import STDIN, report_root
    from vulntune.scan.gitdiff import changed_files
    from vulntune.scan.settings import LANGUAGE_OF_EXTENSION, find_pyproject, resolve_settings

    # Input errors first, each one line, before any setting is read or the model loads.
    if args.stdin_filename is not None:
        if STDIN not in args.paths:
            raise VulntuneError("--stdin-filename names the file read from stdin: add the PATH -")
        if os.path.splitext(args.stdin_filename)[1] not in LANGUAGE_OF_EXTENSION:
            known = ", ".join(LANGUAGE_OF_EXTENSION)
            raise VulntuneError(f"--stdin-filename {args.stdin_filename}: not a {known} file")
    if args.output is not None:
        _check_output(args.output)
    progress = mode_for(sys.stderr, quiet=args.quiet)
    if progress == "log":
        log_every()  # a bad $VULNTUNE_PROGRESS_SECONDS is an error now, not after the scan
    first = args.stdin_filename or os.curdir if args.paths[0] == STDIN else args.paths[0]
    if args.config:
        pyproject = Path(args.config)
        if not pyproject.is_file():
            raise VulntuneError(f"--config {pyproject}: no such file")
    else:
        pyproject = find_pyproject(Path(first) if os.path.exists(first) else Path.cwd())
    config, sources = resolve_settings(
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
            "fail_on_empty": True if args.fail_on_empty else None,
            "unit": args.unit,
            "judge": args.judge,
            "threat_model": args.threat_model,
            "models": tuple(args.models) if args.models else None,
            "explain": True if args.explain else None,
        },
        pyproject=pyproject,
    )
    render = _formatter(config.format, sources)
    _check_model_settings(config, sources)  # whatever the judge: a bad key is an error even when unused
    baseline = load_baseline(args.baseline) if args.baseline else frozenset()
    root = (
        Path(os.path.realpath(args.root)) if args.root else report_root(args.paths, stdin_filename=args.stdin_filename)
    )
    only = changed_files(args.changed_since, cwd=root if root.is_dir() else Path.cwd()) if args.changed_since else None
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
            progress=progress or False,
            stdin_filename=args.stdin_filename,
        )
        if cache is not None and cache.problem:
            warn(f"warning: {cache.problem}")
    finally:
        if cache is not None:
            cache.close()

    # A text report on stdout lists skipped paths and ends with the summary itself; other
    # reports go to files or tools, so stderr says them.
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
            write_text(args.output, text)  # into a folder _check_output saw exist
        except OSError as exc:
            raise VulntuneError(
                f"--output {args.output}: cannot be written ({(exc.strerror or str(exc)).lower()})"
            ) from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()

    if not text_on_stdout:  # the same line the text report ends with: one summary, one set of counts
        warn(summary_line(report) + (f" Report written to {args.output}." if args.output else ""))
    warn(_timing(report))
    empty = not report.summary.files_scanned
    if empty and config.fail_on_empty:
        print(f"vulntune: error: no files were scanned{_why_nothing(report, args.changed_since)}", file=sys.stderr)
        return 2
    if empty:
        warn(f"warning: no files were scanned{_why_nothing(report, args.changed_since)}")

    if report.input_error:
        return 2
    if report.findings and not config.exit_zero:
        return 1
    return 0


def _check_output(path: str) -> None:
    """-o FILE: a file that can be written in a folder that exists (a report makes no folders: a
    mistyped path must not create a tree), tried before the model loads."""
    from vulntune.atomic import check_file_target
    from vulntune.errors import VulntuneError

    if not path:
        raise VulntuneError("--output: an empty file name (leave --output out to write the report to stdout)")
    folder = os.path.dirname(path) or os.curdir
    if not os.path.isdir(folder):
        problem = "is not a folder" if os.path.exists(folder) else "no such folder"
        raise VulntuneError(f"--output {path}: {folder}: {problem}")
    check_file_target(path, what="--output")


def _formatter(name: str, sources: dict[str, str]):
    """The formatter `format` names; an unknown one is an error naming where the name came from."""
    from vulntune.errors import VulntuneError
    from vulntune.formats import get_formatter
    from vulntune.scan.settings import setting_error

    try:
        return get_formatter(name)
    except VulntuneError:
        raise setting_error("format", name, f"unknown format (known: {', '.join(FORMAT_NAMES)})", sources) from None


def _check_model_settings(config, sources: dict[str, str]) -> None:
    """`model` and `target_fpr` checked against the model folder's metadata (no weights read),
    whatever the judge, each error naming the option or the pyproject.toml key it came from."""
    import math

    from vulntune.errors import VulntuneError
    from vulntune.models.folder import read_meta
    from vulntune.scan import default_model_path
    from vulntune.scan.settings import setting_error

    if config.model is not None:
        folder = Path(config.model)
        if not folder.is_dir():
            raise setting_error("model", config.model, "no such folder", sources)
        try:
            meta = read_meta(folder, verify=False)
        except VulntuneError as exc:
            raise setting_error("model", config.model, str(exc).removeprefix(f"{folder}: "), sources) from None
    elif config.target_fpr is not None and default_model_path().is_dir():
        meta = read_meta(default_model_path(), verify=False)
    else:
        return  # the bundled detector, or none: load_scan_model says so when it is needed
    if config.target_fpr is None:
        return
    points = meta.get("operating_points") or []
    if not points:
        raise setting_error(
            "target_fpr",
            config.target_fpr,
            "the model records no operating points (`vulntune calibrate --model DIR` records them)",
            sources,
        )
    if not any(math.isclose(p["target_fpr"], config.target_fpr, rel_tol=0.0, abs_tol=1e-9) for p in points):
        known = ", ".join(f"{p['target_fpr']:g}" for p in points)
        raise setting_error(
            "target_fpr", config.target_fpr, f"the model records operating points only for {known}", sources
        )


def _timing(report) -> str:
    """How long the scan took, and how much of the judging the cache answered."""
    stats = report.stats
    line = f"scanned in {stats['seconds_total']:.1f} s"
    if report.model.fingerprint.startswith("judge:"):
        return line + " (no model)"
    verdicts = int(stats["units"])
    return line + f"; {int(stats['units_cached'])} of {verdicts} model verdict{'s' * (verdicts != 1)} from the cache"


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
    parts = [f"{reason} ({count} {'path' if count == 1 else 'paths'})" for reason, count in sorted(reasons.items())]
    if changed_since:
        parts.append(f"only files changed since the merge base of {changed_since} and HEAD count")
    if not parts:
        return " (no file with a scanned extension under the PATHs)"
    return ": " + "; ".join(parts) + ". --verbose lists them."
