"""`vulntune eval`: measure detectors on a dataset or an OWASP-Benchmark-style suite.

Writes metrics.json (sorted, stable), predictions.jsonl (so the report can be rebuilt without the
models), report.md and a self-contained report.html.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from vulntune.errors import VulntuneError

EXAMPLES = """examples:
  vulntune eval --model models/x --data data/synth --out reports/x
  vulntune eval --model models/a --model models/b --baseline tfidf --zero-shot smollm2-135m \\
      --data data/synth --out reports/ab
  vulntune eval --model models/x --data ../shared/datasets/java-juliet.jsonl --out reports/juliet
  vulntune eval --model models/x --suite benchmark/src --expected expectedresults-1.2.csv --out reports/owasp
  vulntune eval --rebuild reports/x --data data/synth            # re-render from predictions.jsonl
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="measure detectors: FPR, recall, VD-score, twins, intervals; or score a suite",
        description="Evaluate one or more detectors on identical data (a JSONL file of samples, or a synth "
        "folder's test split), or score them on a suite of source files with an OWASP-Benchmark expected-results "
        "CSV. Rates carry 95% Wilson intervals, F1 and AUROC cluster-bootstrap intervals.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    models = parser.add_argument_group("models (any number, all evaluated on the same data)")
    models.add_argument("--model", action="append", default=[], metavar="DIR", help="a vulntune model folder")
    models.add_argument(
        "--baseline",
        choices=["tfidf"],
        help="also train and evaluate the TF-IDF baseline "
        "(on --train, or on the train split of a synth folder given as --data)",
    )
    models.add_argument(
        "--zero-shot",
        action="append",
        default=[],
        metavar="BASE",
        help="also evaluate the untuned base model with the instruct prompt (e.g. smollm2-135m, tiny)",
    )
    data = parser.add_argument_group("data")
    data.add_argument("--data", help="samples: a JSONL file or a synth folder")
    data.add_argument("--split", default="test", help="split to read from a synth folder (default: test)")
    data.add_argument(
        "--train", help="training samples for --baseline (JSONL or synth folder; default: --data's train split)"
    )
    data.add_argument("--language", help="evaluate only these languages (comma-separated)")
    data.add_argument("--suite", help="a suite folder of source files (OWASP Benchmark layout)")
    data.add_argument("--expected", help="the suite's expected-results CSV")
    data.add_argument(
        "--rebuild",
        metavar="DIR",
        help="recompute metrics and reports from DIR/predictions.jsonl (no model needed; pass the same --data)",
    )
    parser.add_argument("--out", help="output folder (default: the --rebuild folder)")
    parser.add_argument(
        "--bootstrap", type=int, default=1000, help="bootstrap resamples for F1/AUROC intervals (default 1000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument("--batch-size", type=int, default=32, help="samples per predict call (default 32)")
    parser.add_argument("--no-plots", action="store_true", help="skip the plots in report.html")
    parser.add_argument(
        "--whole-file",
        action="store_true",
        help="suites: one prediction per whole file instead of "
        "scanning (the scanner cuts files into functions and methods)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.bootstrap < 0:
        raise VulntuneError("--bootstrap must be 0 or more")
    if args.batch_size < 1:
        raise VulntuneError("--batch-size must be at least 1")
    if args.out:  # before any model is loaded or sample scored
        from vulntune.atomic import check_folder_target

        check_folder_target(args.out, what="--out")
    if args.suite or args.expected:
        return _run_suite(args)
    if args.rebuild:
        return _run_rebuild(args)
    return _run_data(args)


# --- helpers ---------------------------------------------------------------------------------


def _progress(total: int, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="sample", disable=not sys.stderr.isatty(), leave=False)


def _unique(name: str, taken: set[str]) -> str:
    candidate, k = name, 2
    while candidate in taken:
        candidate, k = f"{name}-{k}", k + 1
    taken.add(candidate)
    return candidate


def _languages(arg: str | None) -> list[str] | None:
    if not arg:
        return None
    from vulntune.cwe import check_language

    return [check_language(x.strip()) for x in arg.split(",") if x.strip()]


def _load_data(args: argparse.Namespace):
    from vulntune.data import load_dataset_arg

    if not args.data:
        raise VulntuneError("no data: pass --data FILE.jsonl or a synth folder (or --suite DIR --expected FILE.csv)")
    samples = load_dataset_arg(args.data, split=args.split)
    wanted = _languages(args.language)
    if wanted:
        samples = [s for s in samples if s.language in wanted]
        if not samples:
            raise VulntuneError(f"{args.data}: no {'/'.join(wanted)} samples: the dataset is empty after --language")
    source = str(args.data) if Path(args.data).is_file() else f"{args.data} ({args.split} split)"
    return samples, source


def _detectors(args: argparse.Namespace):
    """(name, source, detector) for every requested model, loaded lazily in order."""
    from vulntune import load_detector

    taken: set[str] = set()
    if not (args.model or args.baseline or args.zero_shot):
        raise VulntuneError("no model: pass --model DIR, --baseline tfidf or --zero-shot BASE")
    for path in args.model:
        if not Path(path).is_dir():
            raise VulntuneError(f"{path}: no such model folder")
    from vulntune.progress import elapsed

    for path in args.model:
        with elapsed(f"loading model {path}", enabled=sys.stderr.isatty()):
            detector = load_detector(path)
        yield _unique(Path(path).resolve().name, taken), str(path), detector
    if args.baseline:
        from vulntune.evaluation import tfidf_baseline

        train_arg = args.train or (args.data if args.data and Path(args.data).is_dir() else None)
        if not train_arg:
            raise VulntuneError(
                "--baseline tfidf needs training data: pass --train FILE.jsonl or a synth folder as --data"
            )
        detector, source = tfidf_baseline(train_arg, languages=_languages(args.language), seed=args.seed)
        yield _unique("tfidf-baseline", taken), source, detector
    from vulntune.cwe import LANGUAGES
    from vulntune.evaluation import zero_shot

    for base in args.zero_shot:
        detector, source = zero_shot(base, languages=_languages(args.language) or list(LANGUAGES), data=args.data)
        yield _unique(f"zero-shot-{base}", taken), source, detector


def _print_summary(results) -> None:
    from vulntune.evaluate.report import by_language_items, pct

    width = max(len(r.name) for r in results)
    print(f"{'model'.ljust(width)}  language   n      FPR     recall  F1     AUROC  VD-score  pair-correct")
    for r in results:
        for language, m in by_language_items(r.metrics):
            f1 = "n/a" if m["f1"] is None else f"{m['f1']:.3f}"
            auroc = "n/a" if m["auroc"] is None else f"{m['auroc']:.3f}"
            print(
                f"{r.name.ljust(width)}  {language:<9}  {m['n']:<5}  {pct(m['fpr']):>6}  {pct(m['recall']):>6}  "
                f"{f1:<5}  {auroc:<5}  {pct(m['vd_score']):>8}  {pct(m['twins']['pair_correct_rate']):>12}"
            )


# --- modes -----------------------------------------------------------------------------------


def _write(out: Path, results, samples, source: str, args: argparse.Namespace) -> int:
    """Write an evaluation's files to `out` and print its summary."""
    from vulntune.evaluate.run import data_info
    from vulntune.evaluation import write_evaluation

    data = data_info(samples, source=source)
    write_evaluation(out, results, data=data, bootstrap=args.bootstrap, seed=args.seed, plots_on=not args.no_plots)
    _print_summary(results)
    print(f"wrote {out}/metrics.json, predictions.jsonl, report.md, report.html{'' if args.no_plots else ', plots/'}")
    return 0


def _run_data(args: argparse.Namespace) -> int:
    from vulntune.evaluate.run import evaluate_detector

    if not args.out:
        raise VulntuneError("--out DIR is required")
    samples, source = _load_data(args)
    results = []
    for name, model_source, detector in _detectors(args):
        with _progress(len(samples), name) as bar:
            results.append(
                evaluate_detector(
                    detector,
                    samples,
                    name=name,
                    source=model_source,
                    bootstrap=args.bootstrap,
                    seed=args.seed,
                    batch_size=args.batch_size,
                    progress=bar.update,
                )
            )
    out = Path(args.out)
    return _write(out, results, samples, source, args)


def _run_rebuild(args: argparse.Namespace) -> int:
    from vulntune.evaluation import rebuild_results

    folder = Path(args.rebuild)
    samples, source = _load_data(args)
    results = rebuild_results(folder, samples, bootstrap=args.bootstrap, seed=args.seed)
    out = Path(args.out) if args.out else folder
    return _write(out, results, samples, source, args)


def _run_suite(args: argparse.Namespace) -> int:
    from vulntune.evaluate.report import num
    from vulntune.evaluate.suite import locate, read_expected
    from vulntune.evaluation import score_suite, write_suite

    if not (args.suite and args.expected):
        raise VulntuneError("a suite needs both --suite DIR and --expected FILE.csv")
    if args.data or args.rebuild:
        raise VulntuneError("--suite cannot be combined with --data or --rebuild")
    if not args.out:
        raise VulntuneError("--out DIR is required")
    cases = locate(read_expected(args.expected), args.suite)
    wanted = _languages(args.language)
    if wanted:
        cases = [c for c in cases if c.language in wanted]
        if not cases:
            raise VulntuneError(f"{args.suite}: no {'/'.join(wanted)} test cases")
    scores = []
    for name, source, detector in _detectors(args):
        # --whole-file predicts with a bar of its own; scanning shows the scanner's progress
        with _progress(len(cases), "predict") if args.whole_file else contextlib.nullcontext() as bar:
            scores.append(
                score_suite(
                    name,
                    source,
                    detector,
                    cases,
                    Path(args.suite),
                    whole_file=args.whole_file,
                    batch_size=args.batch_size,
                    progress=bar.update if bar else None,
                    show_progress=sys.stderr.isatty(),
                )
            )
    out = Path(args.out)
    write_suite(out, scores, cases, suite=str(args.suite), expected=str(args.expected), plots_on=not args.no_plots)
    for score in scores:
        m, a = score.scorecard["micro"], score.scorecard["macro"]
        print(
            f"{score.name}: TPR {num(m['tpr'])}  FPR {num(m['fpr'])}  score micro {num(m['score'])}  "
            f"macro {num(a['score'])}"
        )
    print(f"wrote {out}/metrics.json, findings.jsonl, report.md, report.html{'' if args.no_plots else ', plots/'}")
    return 0
