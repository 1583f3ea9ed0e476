"""`vulntune train`: fine-tune a detector (or fit the TF-IDF baseline) and save a model folder."""

from __future__ import annotations

import argparse
from pathlib import Path

EXAMPLE = """Examples:
  vulntune train --data data/synth --base smollm2-135m --objective classify --method lora --out models/x
  vulntune train --data data/synth --base tfidf --out models/tfidf
  vulntune train --recipe recipes/default.toml --max-steps 20 --out models/try
  vulntune train --recipe recipes/default.toml --resume     # after an interruption
  vulntune train --from-triage scan.json --model models/judge --out models/judge-ours --source src/

A recipe is a TOML file whose top-level keys are the options below (underscores for dashes);
flags given on the command line override it."""


def _languages(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "train",
        help="fine-tune a detector on a corpus",
        description="Fine-tune a small language model (or fit the TF-IDF baseline) on a synth corpus, "
        "calibrate its threshold on the validation split, and save a model folder.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--recipe", type=Path, help="TOML recipe with any of these options")
    add("--data", type=Path, help="synth folder with train.jsonl and validation.jsonl")
    add("--train-file", type=Path, help="training JSONL (instead of --data)")
    add("--validation-file", type=Path, help="validation JSONL (with --train-file)")
    add("--out", type=Path, help="model folder to write")
    add("--base", help="base model: smollm2-135m (default), tiny, tfidf, a local folder or a hub id")
    add("--objective", choices=("classify", "instruct", "zero-shot"), help="default: classify")
    add("--method", choices=("lora", "ia3", "full"), help="default: lora")
    add("--languages", type=_languages, help="comma-separated, default: python,java")
    add("--max-length", type=int, help="tokens per sequence (default: 512)")
    add(
        "--pooling",
        choices=("last", "max"),
        help="classify head reads the last token (default) or the maximum over all tokens",
    )
    add("--epochs", type=float, help="passes over the training data (default: 1)")
    add("--max-steps", type=int, help="stop after this many optimizer steps")
    add("--batch-size", type=int, help="sequences per step (default: 8)")
    add("--gradient-accumulation", type=int, help="batches per optimizer step (default: 1)")
    add("--learning-rate", type=float, help="peak learning rate (default: 5e-4)")
    add("--head-learning-rate", type=float, help="peak learning rate of the classify head (default: --learning-rate)")
    add("--lora-r", type=int, help="LoRA rank (default: 8)")
    add(
        "--base-layers",
        type=int,
        help="keep only the first N blocks of the base: a shallower judge, cheaper to train and to run (default: all)",
    )
    add("--lora-top-layers", type=int, help="adapt only the top N transformer blocks (default: all)")
    add(
        "--trunk-cache",
        action="store_const",
        const=True,
        help="with --lora-top-layers: run the frozen lower blocks once per window, train the top ones from "
        "their stored outputs (faster for more than one epoch; 4 bytes x hidden size of memory per token)",
    )
    add(
        "--trunk-store",
        metavar="DIR",
        help="with --trunk-cache: keep the trunk outputs in DIR between runs; a later run (a resume, a retrain on a "
        "wider corpus) passes only the windows not stored yet",
    )
    add(
        "--unit",
        choices=("file", "slice"),
        help="file: train on corpus samples (default); slice: on the slice of every candidate sink, as the "
        "sink-anchored scanner shows them (see vulntune.slices)",
    )
    add(
        "--gate",
        choices=("none", "reachability"),
        help="with --unit slice: none: judge every candidate sink (default); reachability: only those whose data "
        "comes from a parameter or untrusted input and that can run (the others are never flagged)",
    )
    add(
        "--scan-units",
        action="store_const",
        const=True,
        help="also train on scan-sized units cut from the training files: each sink unit with its file's label, "
        "one other unit of each vulnerable file as safe",
    )
    add(
        "--batching",
        choices=("length", "twins"),
        help="length: batches of similar length (default); twins: each vulnerable/safe twin pair in one batch",
    )
    add(
        "--calibration-samples",
        type=int,
        help="calibrate the threshold on a stratified subsample of this many validation samples (default: all)",
    )
    add("--target-fpr", type=float, help="validation false positive rate the threshold aims at (default: 0.01)")
    add("--eval-steps", type=int, help="evaluate and checkpoint every N steps (default: 200)")
    add("--early-stopping-patience", type=int, help="evaluations without improvement before stopping (0: off)")
    add(
        "--precision",
        choices=("auto", "bf16", "fp32"),
        help="default: fp32 (on CPU, bf16 autocast measured 1.6x slower); auto: bf16 where the hardware has it",
    )
    add("--threads", type=int, help="torch CPU threads")
    add("--seed", type=int, help="random seed (default: 0)")
    add("--resume", action="store_const", const=True, help="continue from the last checkpoint of an interrupted run")
    add("--force", action="store_const", const=True, help="replace an existing model folder and stale checkpoints")
    add("--keep-checkpoints", action="store_const", const=True, help="keep <out>.checkpoints/ after success")
    add("--no-progress", dest="progress", action="store_const", const=False, help="no progress bar")
    triage = parser.add_argument_group("adapting a judge to your triage (docs/triage.md)")
    triage.add_argument(
        "--from-triage",
        type=Path,
        metavar="FILE",
        help="adapt --model to the findings FILE marks dismissed or confirmed (vulntune triage, a marked JSON "
        "report, or SARIF with suppressions) instead of training from a corpus",
    )
    triage.add_argument(
        "--model", type=Path, metavar="DIR", help="with --from-triage: the judge whose scan was triaged"
    )
    triage.add_argument(
        "--source",
        nargs="+",
        metavar="PATH",
        help="with --from-triage: the triaged code, scanned again to match every mark, recover slices and read "
        "inline vulntune: ignore comments as dismissals",
    )
    triage.add_argument("--replay", type=float, help="replay samples of the base's corpus per record (default: 4)")
    triage.add_argument(
        "--triage-only",
        action="store_const",
        const=True,
        help="adapt on the triage records alone when the base's training data is not on disk",
    )
    triage.add_argument(
        "--holdout", type=float, help="share of records held out to recalibrate on, when enough (default: 0.2)"
    )
    triage.add_argument(
        "--dp-epsilon",
        type=float,
        metavar="E",
        help="differentially private adaptation (DP-SGD) to epsilon E; needs the dp extra (Opacus)",
    )
    triage.add_argument(
        "--dp-max-grad-norm",
        dest="max_grad_norm",
        type=float,
        metavar="C",
        help="with --dp-epsilon: clip each sample's gradient to L2 norm C (default: 1.0)",
    )
    parser.set_defaults(handler=run)


TRIAGE_ONLY = ("model", "source", "replay", "triage_only", "holdout", "dp_epsilon", "max_grad_norm")
SHARED = ("out", "epochs", "batch_size", "learning_rate", "seed", "threads", "force", "progress")


def run_from_triage(args: argparse.Namespace) -> int:
    """`--from-triage`: adapt a judge (vulntune.triage.adapt) instead of training one."""
    import sys

    from vulntune.errors import VulntuneError

    ignored = ("command", "handler", "from_triage", *TRIAGE_ONLY, *SHARED)
    other = sorted(k for k, v in vars(args).items() if k not in ignored and v is not None)
    if other:
        raise VulntuneError(f"--{other[0].replace('_', '-')} does not apply with --from-triage")
    if args.model is None or args.out is None:
        raise VulntuneError("--from-triage needs --model DIR (the judge whose scan was triaged) and --out DIR")
    if args.epochs is not None and args.epochs != int(args.epochs):
        raise VulntuneError(f"--epochs with --from-triage: a whole number, got {args.epochs}")
    from vulntune.atomic import check_folder_target
    from vulntune.triage.adapt import AdaptConfig, adapt

    check_folder_target(args.out, what="--out")
    options = {k: getattr(args, k) for k in (*TRIAGE_ONLY, *SHARED) if getattr(args, k) is not None}
    options["source"] = tuple(options.get("source") or ())
    if "epochs" in options:
        options["epochs"] = int(options["epochs"])
    folder = adapt(AdaptConfig(triage=args.from_triage, **options))
    import json

    meta = json.loads((folder / "vulntune-model.json").read_text(encoding="utf-8"))
    record = meta["triage"]
    private = f"; DP-SGD epsilon {record['dp']['epsilon']}, delta {record['dp']['delta']:g}" if record.get("dp") else ""
    print(
        f"wrote {folder}: learned from {record['trained_on']} of {record['records']} triage records "
        f"({record['dismissed']} dismissed, {record['confirmed']} confirmed); thresholds from {record['thresholds_from']}{private}",
        file=sys.stderr,
    )
    return 0


def run(args: argparse.Namespace) -> int:
    import sys

    if args.from_triage is not None:
        return run_from_triage(args)
    from vulntune.errors import VulntuneError

    given = [k for k in TRIAGE_ONLY if getattr(args, k) is not None]
    if given:
        raise VulntuneError(f"--{given[0].replace('_', '-')} applies only with --from-triage")

    from vulntune.train import load_config, train

    skip = ("command", "handler", "recipe", "from_triage", *TRIAGE_ONLY)
    options = {k: v for k, v in vars(args).items() if k not in skip}
    config = load_config(args.recipe, options)
    if config.out is not None:  # before hours of training, not after
        from vulntune.atomic import check_folder_target

        check_folder_target(config.out, what="--out")
    folder = train(config)
    import json

    meta = json.loads((folder / "vulntune-model.json").read_text(encoding="utf-8"))
    metrics = meta.get("validation_metrics") or {}

    def pct(key: str) -> str:
        value = metrics.get(key)
        return "-" if value is None else f"{100 * value:.1f}%"

    print(
        f"wrote {folder}: threshold {meta['threshold']:.4g}, validation FPR {pct('fpr')}, recall {pct('recall')}, "
        f"precision {pct('precision')}, CWE accuracy {pct('cwe_accuracy')}",
        file=sys.stderr,
    )
    return 0
