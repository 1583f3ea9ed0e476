"""`vulntune synth`: generate the synthetic corpus."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="generate the synthetic vulnerable/safe corpus",
        description=(
            "Generate vulnerable samples and their minimally different safe twins for Python and Java, "
            "verify them, deduplicate, and split them by template family into train/validation/test."
        ),
        epilog="Example: vulntune synth --languages python,java --per-cwe 400 --seed 0 --out data/synth",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--languages", default="python,java", help="comma-separated (default: python,java)")
    parser.add_argument("--cwes", default="", help="comma-separated CWE ids (default: every catalogued CWE)")
    parser.add_argument("--per-cwe", type=int, default=400, help="samples per language and CWE (default: 400)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--force", action="store_true", help="replace a non-empty output folder")
    parser.add_argument("--no-javac", action="store_true", help="skip compiling Java samples with javac")
    parser.add_argument("--jobs", type=int, default=1, help="parallel javac processes (default: 1)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    parser.set_defaults(handler=run)


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def run(args: argparse.Namespace) -> int:
    from vulntune.synth.config import SynthConfig
    from vulntune.synth.pipeline import check_output_dir, synthesize

    config = SynthConfig(
        languages=_csv(args.languages),
        cwes=_csv(args.cwes),
        per_cwe=args.per_cwe,
        seed=args.seed,
        javac=not args.no_javac,
    )
    from vulntune.atomic import check_folder_target

    check_output_dir(args.out, args.force)
    check_folder_target(args.out, what="--out")
    summary = synthesize(config, args.out, force=args.force, progress=not args.quiet, jobs=args.jobs)
    if not args.quiet:
        print_summary(summary, args.out)
    return 0


def print_summary(summary: dict, out: Path) -> None:
    counts = summary["counts"]
    for split in ("train", "validation", "test"):
        n = sum(c.get("vulnerable", 0) + c.get("safe", 0) for t in counts[split].values() for c in t.values())
        print(f"{split:<10} {n:>6} samples  {summary['families'][split]:>4} families")
    ver = summary["verification"]
    if ver["javac_available"] and ver["javac_compiled"]:
        print(f"javac: {ver['javac_passed']}/{ver['javac_compiled']} Java samples compiled")
    else:
        print("javac: not run")
    dedup = summary["dedup"]
    print(
        f"dedup: {dedup['exact_duplicate_pairs_removed']} exact, {dedup['near_duplicate_pairs_removed']} near-duplicate, "
        f"{dedup['label_conflict_pairs_removed']} conflicting pairs removed"
    )
    for scope, values in summary["shortcut_auroc"].items():
        cells = ", ".join(f"{k}={'n/a' if v is None else f'{v:.3f}'}" for k, v in values.items())
        print(f"shortcut AUROC [{scope}]: {cells}")
    if summary["shortcut_outside_band"]:
        print(f"WARNING: shortcut features outside 0.40-0.60: {', '.join(summary['shortcut_outside_band'])}", file=sys.stderr)
    timing = summary.get("timing_seconds", {})
    if timing.get("render"):
        rate = summary["rendered_samples"] / timing["render"]
        print(f"rendered {summary['rendered_samples']} samples in {timing['render']:.2f}s ({rate:,.0f} samples/s)")
    print(f"wrote {out}/train.jsonl, validation.jsonl, test.jsonl, README.md")
