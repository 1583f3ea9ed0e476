"""`vulntune train`: fine-tune a detector (or fit the TF-IDF baseline) and save a model folder."""

from __future__ import annotations

import argparse
from pathlib import Path

EXAMPLE = """Examples:
  vulntune train --data data/synth --base smollm2-135m --objective classify --method lora --out models/x
  vulntune train --data data/synth --base tfidf --out models/tfidf
  vulntune train --recipe recipes/default.toml --max-steps 20 --out models/try
  vulntune train --recipe recipes/default.toml --resume     # after an interruption

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
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from vulntune.train import load_config, train

    options = {k: v for k, v in vars(args).items() if k not in ("command", "handler", "recipe")}
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
