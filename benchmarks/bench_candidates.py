"""Sink-anchored detection measured: candidate recall, the judge's workload, twin slices, judges.

Prints, for the external evaluation sets beside the repository (`../shared/datasets`: SVEN,
Python; Juliet, Java; evaluation only) and the synthetic test split:

1. candidate recall: vulnerable records with a candidate of their CWE family, among the families
   the catalogue covers, per CWE; and candidates per record on safe code (the judge's workload);
2. twin slices: how many safe twins get exactly their vulnerable twin's slice (the slicer cannot
   show what makes them safe), by safe kind;
3. record verdicts of each judge (a record's verdict is its most suspicious candidate's; a record
   without a candidate is not flagged): `none` (every candidate), `reachability` (the slice
   reads a parameter or untrusted input and the sink is not behind a never-true condition), and
   each `--model` at its threshold and at its other recorded operating points: recall, FPR
   (Wilson 95% intervals) and pair-correct (the vulnerable record flagged, none of its safe
   counterparts flagged);
4. speed: records and candidates sliced per second.

    .venv/bin/python benchmarks/bench_candidates.py --synth data/synth --model /tmp/tfidf-slice
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from vulntune.analysis import analyse
from vulntune.analysis.catalogue import CATALOGUE_OF_SINKS
from vulntune.data import Sample, read_samples
from vulntune.evaluate.intervals import wilson
from vulntune.evaluate.twins import record_twin_metrics
from vulntune.models.calibrate import point_thresholds
from vulntune.slices import judge_records

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def family(sample: Sample) -> str:
    return sample.meta.get("cwe_family", sample.cwe)


def covered(samples: list[Sample]) -> list[Sample]:
    """Records whose CWE family the catalogue has candidates for, in their language."""
    return [s for s in samples if family(s) in CATALOGUE_OF_SINKS.cwes(s.language)]


def rate(hits: int, n: int) -> str:
    if not n:
        return "n/a"
    low, high = wilson(hits, n)
    return f"{100 * hits / n:.1f}% ({hits}/{n}) [{100 * low:.1f}, {100 * high:.1f}]"


def candidate_recall(name: str, samples: list[Sample]) -> None:
    began = time.perf_counter()
    hits, totals, per_record, candidates = Counter(), Counter(), Counter(), 0
    for sample in samples:
        found = analyse(sample.code, sample.language)
        candidates += len(found)
        per_record[sample.label] += len(found)
        if sample.is_vulnerable:
            totals[family(sample)] += 1
            hits[family(sample)] += any(f.candidate.cwe == family(sample) for f in found)
    seconds = time.perf_counter() - began
    labels = Counter(s.label for s in samples)
    print(f"\n## {name}: candidate recall ({len(samples)} records of catalogued CWE families)")
    print(f"all: {rate(sum(hits.values()), sum(totals.values()))}")
    for cwe in sorted(totals, key=lambda c: int(c.split("-")[1])):
        print(f"  {cwe}: {rate(hits[cwe], totals[cwe])}")
    print(
        "candidates per record: "
        + ", ".join(f"{label} {per_record[label] / labels[label]:.2f}" for label in sorted(labels))
    )
    print(f"speed: {len(samples) / seconds:.0f} records/s, {candidates / seconds:.0f} candidates/s")


def twin_slices(samples: list[Sample]) -> None:
    by_pair: dict[str, list[tuple[Sample, str | None]]] = defaultdict(list)
    for sample in samples:
        found = [
            f
            for f in analyse(sample.code, sample.language)
            if f.candidate.cwe == sample.cwe
            and sample.sink_line is not None
            and f.candidate.line <= sample.sink_line <= f.candidate.end_line
        ]
        by_pair[sample.pair_id].append((sample, found[0].slice.text if found else None))
    outcome = Counter()
    for items in by_pair.values():
        vulnerable = [text for s, text in items if s.is_vulnerable]
        for sample, text in items:
            if sample.is_vulnerable or not vulnerable:
                continue
            kind = "no candidate" if text is None else "identical" if text == vulnerable[0] else "differs"
            outcome[(sample.language, sample.safe_kind, kind)] += 1
    print("\n## synthetic twins: the safe twin's slice at the sink, against its vulnerable twin's")
    for key in sorted(outcome):
        print(f"  {' / '.join(key)}: {outcome[key]}")
    pairs = sum(outcome.values())
    same = sum(v for k, v in outcome.items() if k[2] == "identical")
    print(f"identical slices: {rate(same, pairs)}")


def verdicts(name: str, samples: list[Sample], judges: dict[str, object]) -> None:
    print(f"\n## {name}: record verdicts")
    print("| judge | point | recall | FPR | pair-correct |")
    print("|---|---|---|---|---|")
    for judge_name, judge in judges.items():
        began = time.perf_counter()
        rows = {row["id"]: row for row in judge_records(judge, samples, batch_size=32)}
        seconds = time.perf_counter() - began
        language = {s.id: s.language for s in samples}
        points = [("threshold", {})]  # the judge's own: each row's label
        if not isinstance(judge, str):
            points += [
                (f"val FPR {100 * p['target_fpr']:g}%", point_thresholds(p, judge.languages))
                for p in judge.meta.get("operating_points", [])
                if p["threshold"] != judge.threshold
            ]
        for point, thresholds in points:
            flagged = {
                i: rows[i]["cwe"] is not None
                and (rows[i]["score"] >= thresholds[language[i]] if thresholds else rows[i]["label"] == "vulnerable")
                for i in rows
            }
            vulnerable = [s for s in samples if s.is_vulnerable]
            safe = [s for s in samples if not s.is_vulnerable]
            print(
                f"| {judge_name} | {point} | {rate(sum(flagged[s.id] for s in vulnerable), len(vulnerable))} | "
                f"{rate(sum(flagged[s.id] for s in safe), len(safe))} | {_pairs(samples, flagged)} |"
            )
        print(f"({judge_name}: {len(samples) / seconds:.1f} records/s)", file=sys.stderr)


def _pairs(samples: list[Sample], flagged: dict[str, bool]) -> str:
    twins = record_twin_metrics(samples, flagged)
    return rate(twins["correct"], twins["pairs"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--synth",
        type=Path,
        help="a synth folder: its validation split measures twin slices, its test split the judges",
    )
    parser.add_argument("--model", action="append", default=[], help="a model folder trained with --unit slice")
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder with python-sven.jsonl, java-juliet.jsonl")
    parser.add_argument("--skip-recall", action="store_true", help="only the judges")
    args = parser.parse_args()

    from vulntune import load_detector

    judges: dict[str, object] = {"none": "none", "reachability": "reachability"}
    for folder in args.model:
        judges[Path(folder).name] = load_detector(folder)
    sets = []
    for file in ("python-sven.jsonl", "java-juliet.jsonl"):
        if (args.shared / file).exists():
            sets.append((file.split(".")[0], covered(read_samples(args.shared / file))))
    if args.synth:
        sets.append(("synthetic test", read_samples(args.synth / "test.jsonl")))
    for name, samples in sets:
        if not args.skip_recall:
            candidate_recall(name, samples)
        verdicts(name, samples, judges)
    if args.synth and not args.skip_recall:
        twin_slices(read_samples(args.synth / "validation.jsonl"))


if __name__ == "__main__":
    main()
