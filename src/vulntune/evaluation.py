"""The work of `vulntune eval`: detectors measured on samples, a report rebuilt from saved
predictions, detectors scored on an OWASP-Benchmark-style suite with the scanner, and the files
each writes (metrics.json, predictions.jsonl or findings.jsonl, report.md, report.html).

It sits above `evaluate` and `scan` because a suite is scored with the scanner's findings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vulntune.data import Sample
from vulntune.errors import VulntuneError


def languages_of(items: Iterable[Any]) -> list[str]:
    """The sorted languages of samples or test cases."""
    return sorted({item.language for item in items})


def zero_shot(base: str, *, languages: Sequence[str], data: str | Path | None) -> tuple[Any, str]:
    """The untuned base model with the instruct prompt, and a line saying where its threshold came from.

    With a synth folder as `data`, the threshold is chosen on its validation split for FPR 1%
    (as `vulntune train` does for fine-tuned models); otherwise it stays at 0.5.
    """
    from vulntune.data import load_dataset_arg
    from vulntune.models.calibrate import calibrate_detector
    from vulntune.models.instruct import zero_shot_detector

    detector = zero_shot_detector(base, languages=languages)
    folder = Path(data) if data else None
    if folder and folder.is_dir() and (folder / "validation.jsonl").is_file():
        validation = [s for s in load_dataset_arg(folder, split="validation") if s.language in languages]
        if validation:
            calibration, _ = calibrate_detector(detector, validation, target_fpr=0.01)
            detector.threshold = float(calibration.threshold)
            return detector, f"zero-shot {base}, threshold from {folder}/validation.jsonl at FPR 1%"
    return detector, f"zero-shot {base}, uncalibrated threshold 0.5"


def tfidf_baseline(train_arg: str | Path, *, languages: Sequence[str] | None, seed: int) -> tuple[Any, str]:
    """The TF-IDF baseline trained on `train_arg` (a JSONL file or a synth folder, whose validation
    split then calibrates it), and a line saying so."""
    from vulntune.data import load_dataset_arg
    from vulntune.models.baseline import train_tfidf

    train = load_dataset_arg(train_arg, split="train")
    validation = None
    if Path(train_arg).is_dir() and (Path(train_arg) / "validation.jsonl").is_file():
        validation = load_dataset_arg(train_arg, split="validation")
    if languages:
        train = [s for s in train if s.language in languages]
        validation = [s for s in validation if s.language in languages] if validation else None
    return train_tfidf(train, validation=validation, seed=seed), f"tfidf trained on {train_arg}"


def write_evaluation(out: Path, results, *, data: dict[str, Any], bootstrap: int, seed: int, plots_on: bool) -> None:
    """metrics.json, predictions.jsonl, report.md and report.html under `out`."""
    from vulntune.atomic import write_text
    from vulntune.evaluate.report import evaluation_blocks, write_report
    from vulntune.evaluate.run import dumps_metrics, metrics_document, write_predictions

    out.mkdir(parents=True, exist_ok=True)
    write_text(
        out / "metrics.json", dumps_metrics(metrics_document(results, data=data, bootstrap=bootstrap, seed=seed))
    )
    write_predictions(out / "predictions.jsonl", {r.name: r.rows for r in results})
    write_report(out, evaluation_blocks(results, data=data, plots_on=plots_on), title="vulntune evaluation")


def rebuild_results(folder: Path, samples: Sequence[Sample], *, bootstrap: int, seed: int) -> list:
    """The results of an earlier evaluation in `folder`, recomputed from its predictions.jsonl
    on `samples` (the models' descriptions come from its metrics.json when there is one)."""
    from vulntune.evaluate.run import evaluate_rows, read_predictions

    rows_by_model = read_predictions(folder / "predictions.jsonl")
    infos: dict[str, Any] = {}
    metrics_path = folder / "metrics.json"
    if metrics_path.is_file():
        try:
            document = json.loads(metrics_path.read_text(encoding="utf-8"))
            infos = {name: m["model"] for name, m in document["models"].items()}
        except (json.JSONDecodeError, KeyError, TypeError):
            raise VulntuneError(f"{metrics_path}: not a vulntune metrics file") from None
    wanted_ids = {s.id for s in samples}
    results = []
    for name, rows in rows_by_model.items():
        # unknown model description: every label it predicted counts as one of its classes
        info = infos.get(name) or {
            "name": name,
            "source": str(folder),
            "languages": languages_of(samples),
            "labels": ["safe", *sorted({r["cwe"] for r in rows if r["cwe"]})],
            "threshold": 0.5,
            "fingerprint": "unknown",
        }
        rows = [r for r in rows if r["id"] in wanted_ids]
        results.append(evaluate_rows(info, samples, rows, bootstrap=bootstrap, seed=seed))
    return results


# --- suites ----------------------------------------------------------------------------------


@dataclass(kw_only=True, frozen=True)
class SuiteScore:
    """One detector's scorecard on a suite, the findings it was scored from, and how they were made."""

    name: str
    info: dict[str, Any]
    scorecard: dict[str, Any]
    findings: dict[str, list[dict[str, Any]]]
    how: str


def suite_findings(
    detector,
    cases,
    suite: Path,
    *,
    whole_file: bool,
    batch_size: int,
    progress: Callable[[int], object] | None = None,
    show_progress: bool = False,
) -> tuple[dict[str, list[dict[str, Any]]], str]:
    """Findings per test name, the scanner's (default) or one whole-file prediction per file, and
    a line saying how they were made (a file the scanner skips counts as not flagged)."""
    if whole_file:
        from vulntune.evaluate.suite import whole_file_findings

        findings = whole_file_findings(detector, cases, batch_size=batch_size, progress=progress)
        return findings, "one whole-file prediction per test file (--whole-file)"
    from vulntune.scan import ScanConfig, scan_paths

    config = ScanConfig(cache=False, gitignore=False, batch_size=batch_size)
    report = scan_paths(
        [str(c.path) for c in cases], detector=detector, config=config, root=suite, progress=show_progress
    )
    findings: dict[str, list[dict[str, Any]]] = {}
    for f in report.findings:
        findings.setdefault(Path(f.file).stem, []).append(
            {"cwe": f.cwe, "score": f.confidence, "file": f.file, "line": f.line, "unit": f.unit}
        )
    how = (
        f"vulntune scan's findings (functions and methods scored at the model's threshold; "
        f"{report.summary.units} units in {report.summary.files_scanned} files)"
    )
    skipped = [s.path for s in report.skipped]
    if skipped:
        how += f"; {len(skipped)} test file(s) skipped by the scanner and counted as not flagged ({skipped[0]}...)"
    return findings, how


def score_suite(
    name: str, source: str, detector, cases, suite: Path, *, whole_file: bool, batch_size: int, **progress: Any
) -> SuiteScore:
    """Score one detector on the suite's `cases` (refused when the suite has languages it lacks)."""
    from vulntune.evaluate.run import detector_info
    from vulntune.evaluate.suite import scorecard

    foreign = [language for language in languages_of(cases) if language not in detector.languages]
    if foreign:
        raise VulntuneError(
            f"model {name!r} knows {', '.join(detector.languages)} only, but the suite has "
            f"{'/'.join(foreign)} files (use --language to score a subset)"
        )
    findings, how = suite_findings(detector, cases, suite, whole_file=whole_file, batch_size=batch_size, **progress)
    return SuiteScore(
        name=name,
        info=detector_info(detector, name=name, source=source),
        scorecard=scorecard(cases, findings),
        findings=findings,
        how=how,
    )


def write_suite(out: Path, scores: Sequence[SuiteScore], cases, *, suite: str, expected: str, plots_on: bool) -> None:
    """metrics.json (scorecards), findings.jsonl, report.md and report.html under `out`."""
    from vulntune.atomic import atomic_open, write_text
    from vulntune.evaluate.report import suite_blocks, write_report
    from vulntune.evaluate.run import dumps_metrics

    about = {
        "suite": suite,
        "expected": expected,
        "cases": len(cases),
        "real": sum(c.real for c in cases),
        "findings": scores[-1].how if scores else "",
    }
    out.mkdir(parents=True, exist_ok=True)
    document = {"suite": about, "models": {s.name: {"model": s.info, "scorecard": s.scorecard} for s in scores}}
    write_text(out / "metrics.json", dumps_metrics(document))
    with atomic_open(out / "findings.jsonl", "w") as fh:
        for score in scores:
            for case in cases:
                for f in score.findings.get(case.name, []):
                    fh.write(json.dumps({"model": score.name, "test": case.name, **f}, sort_keys=True) + "\n")
    cards = {s.name: s.scorecard for s in scores}
    write_report(out, suite_blocks(cards, suite=about, plots_on=plots_on), title="vulntune suite scorecard")
