"""`vulntune calibrate`: choose a saved model's threshold again, without retraining."""

from __future__ import annotations

import argparse
from pathlib import Path

EXAMPLE = """Examples:
  vulntune calibrate --model models/x --target-fpr 0.005      # stricter: half the false positives
  vulntune calibrate --model models/x --data data/other-synth  # on another corpus's validation split
  vulntune calibrate --model models/x --scan-units             # hold the rate on scan units too

Options left out repeat what training did (recorded in the folder). The weights are untouched;
vulntune-model.json and the model card are rewritten."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "calibrate",
        help="choose a model's threshold again for a target false positive rate",
        description="Score validation data with a saved model and set its threshold to the smallest whose false "
        "positive rate there is at most the target.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--model", type=Path, required=True, help="model folder to recalibrate (rewritten in place)")
    add("--data", type=Path, help="synth folder whose validation split to use (default: the model's training data)")
    add("--validation-file", type=Path, help="validation JSONL (instead of --data)")
    add("--target-fpr", type=float, help="false positive rate the threshold aims at (default: the model's current one)")
    add("--calibration-samples", type=int, help="a stratified subsample of this many validation samples")
    add(
        "--scan-units",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also calibrate on the scan units cut from the validation samples (default: as trained)",
    )
    add("--batch-size", type=int, default=16, help="sequences per forward pass (default: 16)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from vulntune.errors import VulntuneError
    from vulntune.recalibrate import recalibrate

    if args.data is not None and args.validation_file is not None:
        raise VulntuneError("give either --data or --validation-file, not both")
    meta = recalibrate(
        args.model,
        data=args.data,
        validation_file=args.validation_file,
        target_fpr=args.target_fpr,
        calibration_samples=args.calibration_samples,
        scan_units=args.scan_units,
        batch_size=args.batch_size,
        progress=sys.stderr.isatty(),
    )
    c, m = meta["calibration"], meta["validation_metrics"]
    units = f" (with {c['scan_units']} scan units)" if c.get("scan_units") else ""
    print(
        f"{args.model}: threshold {meta['threshold']:.4g} on {m['samples']} validation samples{units}: "
        f"FPR {100 * m['fpr']:.1f}%, recall {100 * (m['recall'] or 0):.1f}%",
        file=sys.stderr,
    )
    return 0
