"""How often a finding's "most likely line" is the sink, for each way of choosing candidate lines.

The synthetic test split cut into scan units records each vulnerable unit's sink line. This
scores those units with a model, keeps the ones it flags (as a scan would), searches each for its
most likely line by occlusion (`vulntune.scan.locate`) with each candidate strategy, and prints
exact and +-1-line accuracy and the model inputs spent:

    .venv/bin/python benchmarks/default_model.py data      # writes the units file once
    .venv/bin/python benchmarks/bench_locate.py --per-language 60

Strategies: `calls` (rows where a call starts) and `statements` (every row of the body).
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from vulntune import load_detector
from vulntune.data import read_samples
from vulntune.scan.locate import call_rows, most_likely_line, statement_rows

ROOT = Path(__file__).resolve().parent.parent
STRATEGIES = {"calls": call_rows, "statements": statement_rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "src" / "vulntune" / "default_model"))
    parser.add_argument(
        "--units", default=str(ROOT / "reports" / "default-model" / "data" / "synthetic-test-units.jsonl")
    )
    parser.add_argument("--per-language", type=int, default=60, help="flagged vulnerable units per language")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    detector = load_detector(args.model)
    samples = [s for s in read_samples(args.units) if s.is_vulnerable and s.sink_line]
    rng = random.Random(args.seed)
    for language in sorted({s.language for s in samples}):
        group = [s for s in samples if s.language == language]
        rng.shuffle(group)
        chosen = []
        for start in range(0, len(group), 32):  # score in chunks until enough are flagged
            batch = group[start : start + 32]
            predictions = detector.predict([s.code for s in batch], language=language)
            chosen += [(s, p) for s, p in zip(batch, predictions) if p.label != "safe"]
            if len(chosen) >= args.per_language:
                break
        chosen = chosen[: args.per_language]
        for name, strategy in STRATEGIES.items():
            inputs, exact, near = 0, 0, 0
            began = time.perf_counter()
            for sample, prediction in chosen:

                def score(texts, cwe=prediction.cwe, language=language):
                    nonlocal inputs
                    inputs += len(texts)
                    return [p.probabilities.get(cwe, p.score) for p in detector.predict(texts, language=language)]

                row = most_likely_line(
                    sample.code,
                    language=language,
                    score=score,
                    candidates=strategy,
                    probability=prediction.probabilities.get(prediction.cwe, prediction.score),
                )
                exact += row + 1 == sample.sink_line
                near += abs(row + 1 - sample.sink_line) <= 1
            n = max(len(chosen), 1)
            print(
                f"{language:6s} {name:10s} {len(chosen)} flagged units: sink line exact {exact / n:.1%}, "
                f"within 1 line {near / n:.1%}; {inputs / n:.1f} model inputs per finding, "
                f"{time.perf_counter() - began:.0f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
