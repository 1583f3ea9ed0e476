"""The command line: thin. It parses arguments and calls the stages; each command is a module.

Exit codes: 0 success (a clean scan), 1 findings, 2 usage or input error. A VulntuneError, or
an OSError no command turned into one (a disk that fills up mid-write), is printed as one
line, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from vulntune import __version__
from vulntune.errors import VulntuneError

# One module per command under vulntune.commands; each defines `register(subparsers)`, which adds
# its parser and sets `handler=<function(args) -> int>` as a default.
COMMANDS = (
    "cwe",
    "synth",
    "models",
    "train",
    "calibrate",
    "eval",
    "study",
    "scan",
    "triage",
    "demo",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors: one line, exit 2
        self.exit(2, f"vulntune: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="vulntune",
        description="Synthetic vulnerable/safe code, small fine-tuned CWE detectors, private scanning.",
        epilog="Example: vulntune synth --languages python,java --per-cwe 400 --seed 0 --out data/synth",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vulntune {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"vulntune.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args) or 0)
    except VulntuneError as exc:
        print(f"vulntune: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `vulntune ... | head`: the reader left; say nothing more
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("vulntune: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a write that failed past the early checks (disk full, folder removed)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"vulntune: {where}{(exc.strerror or str(exc)).lower()}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
