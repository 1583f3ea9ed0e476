"""Benchmark: fine-tune SmolLM2-135M with LoRA (classify) on a corpus folder; print speed and memory.

    python benchmarks/bench_train.py data/synth --max-steps 20
    python benchmarks/bench_train.py data/synth --epochs 1          # the full budget run

Prints train tokens/s (real tokens, padding excluded), seconds per optimizer step, inference
tokens/s (load_detector + predict on held-out samples), peak RSS, wall time, the projected time of
one epoch over 4,000 samples at this corpus's mean length, and the validation metrics of the
calibrated model. The corpus folder is what `vulntune synth` writes (train/validation[/test].jsonl).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="synth folder with train.jsonl and validation.jsonl")
    parser.add_argument("--base", default="smollm2-135m")
    parser.add_argument("--objective", default="classify", choices=("classify", "instruct"))
    parser.add_argument("--method", default="lora", choices=("lora", "ia3", "full"))
    parser.add_argument("--max-steps", type=int, default=None, help="stop after N steps (default: one epoch)")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--train-samples", type=int, default=2000, help="use the first N training samples")
    parser.add_argument("--validation-samples", type=int, default=200, help="calibrate on the first N")
    parser.add_argument("--infer-samples", type=int, default=64, help="samples timed for inference")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--precision", default="fp32", choices=("auto", "bf16", "fp32"))
    parser.add_argument("--infer-dtype", default="float32", choices=("float32", "bfloat16"))
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--lora-top-layers", type=int, default=8, help="adapt the top N blocks (0: all)")
    parser.add_argument("--out", type=Path, default=None, help="keep the model here (default: a temp folder)")
    args = parser.parse_args(argv)

    import torch

    from vulntune import load_detector
    from vulntune.data import read_split_dir, write_samples
    from vulntune.train import TrainConfig, train

    wall_start = time.monotonic()
    if args.threads:
        torch.set_num_threads(args.threads)
    train_samples = read_split_dir(args.corpus, "train")[: args.train_samples]
    validation = read_split_dir(args.corpus, "validation")[: args.validation_samples]
    work = Path(tempfile.mkdtemp(prefix="vulntune-bench-"))
    write_samples(work / "train.jsonl", train_samples)
    write_samples(work / "validation.jsonl", validation)
    out = args.out or work / "model"
    config = TrainConfig(
        train_file=work / "train.jsonl",
        validation_file=work / "validation.jsonl",
        out=out,
        base=args.base,
        objective=args.objective,
        method=args.method,
        max_steps=args.max_steps,
        epochs=args.epochs,
        batch_size=args.batch_size,
        max_length=args.max_length,
        precision=args.precision,
        threads=args.threads,
        lora_top_layers=args.lora_top_layers or None,
        eval_steps=10_000,
        force=True,  # no periodic evaluation: this measures training throughput
    )
    train_start, train_cpu_start = time.monotonic(), time.process_time()
    folder = train(config)
    train_wall = time.monotonic() - train_start
    train_cpu = time.process_time() - train_cpu_start  # all threads: robust to other load on the machine
    meta = json.loads((folder / "vulntune-model.json").read_text())

    detector = load_detector(folder, batch_size=args.batch_size, dtype=args.infer_dtype)
    try:
        held_out = read_split_dir(args.corpus, "test")
    except Exception:  # a corpus without a test split: time on validation samples instead
        held_out = validation
    held_out = held_out[: args.infer_samples]
    infer_tokens = sum(min(detector.count_tokens(s.code), detector.max_length) for s in held_out)
    infer_start, infer_cpu_start = time.monotonic(), time.process_time()
    for language in sorted({s.language for s in held_out}):
        detector.predict([s.code for s in held_out if s.language == language], language=language)
    infer_seconds = time.monotonic() - infer_start
    infer_cpu = time.process_time() - infer_cpu_start

    lengths = [min(detector.count_tokens(s.code), args.max_length) for s in train_samples]
    steps = meta["train_steps"]
    train_tps = meta["train_tokens_per_second"] or 0.0
    projected_epoch = 4000 * statistics.mean(lengths) / train_tps if train_tps else float("nan")
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "base": args.base,
        "objective": args.objective,
        "method": args.method,
        "precision": args.precision,
        "threads": torch.get_num_threads(),
        "batch_size": args.batch_size,
        "max_length": args.max_length,
        "train_samples": len(train_samples),
        "mean_tokens_per_sample": round(statistics.mean(lengths), 1),
        "steps": steps,
        "train_seconds": meta["train_seconds"],
        "seconds_per_step": round(meta["train_seconds"] / steps, 2) if steps else None,
        "train_tokens_per_second": train_tps,
        "train_tokens_per_cpu_second": meta.get("train_tokens_per_cpu_second"),
        "train_wall_seconds_incl_load_calibrate_save": round(train_wall, 1),
        "train_cpu_seconds_incl_load_calibrate_save": round(train_cpu, 1),
        "lora_top_layers": args.lora_top_layers or "all",
        "infer_samples": len(held_out),
        "infer_dtype": args.infer_dtype,
        "infer_tokens_per_second": round(infer_tokens / infer_seconds, 1),
        "infer_samples_per_second": round(len(held_out) / infer_seconds, 2),
        "infer_tokens_per_cpu_second": round(infer_tokens / infer_cpu, 1),
        "projected_epoch_4000_samples_minutes": round(projected_epoch / 60, 1),
        "peak_rss_mb": round(peak_rss_mb),
        "wall_seconds": round(time.monotonic() - wall_start, 1),
        "validation_metrics": meta["validation_metrics"],
        "threshold": meta["threshold"],
    }
    shutil.rmtree(work, ignore_errors=True)  # the samples copy, and the model unless --out kept it elsewhere
    for key, value in result.items():
        print(f"{key:48s} {value}")
    print(json.dumps(result, sort_keys=True), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
