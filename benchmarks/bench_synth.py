"""Corpus generation speed and counts.

Prints render speed (samples/s on one core, the generator alone), the parse/compile checks,
javac time and pass rate, dedup/split time, the counts per split, and the shortcut AUROCs.

    .venv/bin/python benchmarks/bench_synth.py --per-cwe 400
"""

from __future__ import annotations

import argparse
import resource
import time

from vulntune.synth.config import SynthConfig
from vulntune.synth.generate import count_pairs, generate
from vulntune.synth.pipeline import build_corpus
from vulntune.synth.templates import load_registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-cwe", type=int, default=400)
    parser.add_argument("--languages", default="python,java")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-javac", action="store_true")
    parser.add_argument("--jobs", type=int, default=2, help="javac processes")
    args = parser.parse_args()
    config = SynthConfig(
        languages=tuple(args.languages.split(",")), per_cwe=args.per_cwe, seed=args.seed, javac=not args.no_javac
    )
    registry = load_registry(config.languages)

    started = time.perf_counter()
    rendered = sum(2 for _ in generate(config, registry))
    render_s = time.perf_counter() - started
    print(f"render only: {rendered} samples in {render_s:.2f}s = {rendered / render_s:,.0f} samples/s (one core)")
    assert rendered == 2 * count_pairs(config, registry)

    started = time.perf_counter()
    splits, summary = build_corpus(config, progress=False, jobs=args.jobs)
    total_s = time.perf_counter() - started
    timing = summary["timing_seconds"]
    no_javac = total_s - timing["javac"]
    print(f"full pipeline: {total_s:.1f}s; without javac {no_javac:.1f}s = {rendered / no_javac:,.0f} samples/s")
    for step, seconds in timing.items():
        print(f"  {step:<12} {seconds:8.2f}s")
    ver = summary["verification"]
    if ver["javac_compiled"]:
        rate = ver["javac_compiled"] / max(timing["javac"], 1e-9)
        print(
            f"javac: {ver['javac_passed']}/{ver['javac_compiled']} passed ({rate:,.0f} samples/s with {args.jobs} jobs)"
        )
    print(f"dedup: {summary['dedup']}")
    for name, samples in splits.items():
        vul = sum(s.is_vulnerable for s in samples)
        print(
            f"{name:<10} {len(samples):>6} samples ({vul} vulnerable, {len(samples) - vul} safe), "
            f"{summary['families'][name]} families"
        )
    for scope, values in summary["shortcut_auroc"].items():
        print(f"shortcut AUROC [{scope}]: {values}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
