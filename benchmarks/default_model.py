"""Measure the function-level detector (the default before the slice judge) and write its card.

Reproduces the numbers of `reports/default-model/` and of the card of the model folder it trains
(`models/function-detector/README.md`); the shipped slice judge is measured by
`benchmarks/slice_judge.py`:

    vulntune synth --languages python,java --per-cwe 250 --seed 0 --out data/synth
    vulntune train --recipe recipes/default.toml
    .venv/bin/python benchmarks/default_model.py data          # the evaluation sets (seeded subsamples)
    .venv/bin/python benchmarks/default_model.py eval          # vulntune eval runs, into reports/default-model/
    .venv/bin/python benchmarks/default_model.py rebuild       # only the subsample rows beside the zero-shot runs
    .venv/bin/python benchmarks/default_model.py examples      # re-record the fixed examples the tests check
    .venv/bin/python benchmarks/default_model.py speed         # scan speed (benchmarks/bench_scan.py, 120 files)
    .venv/bin/python benchmarks/default_model.py demo          # `vulntune demo`'s output, at every operating point
    .venv/bin/python benchmarks/default_model.py card          # the card section, from the metrics files

The evaluation sets: the synthetic test split (template-disjoint) in full; the same split cut
into scan units (`vulntune.unit_samples`: what the scanner scores); SVEN (real Python
vulnerable/fixed pairs) in full; Juliet Java methods of the catalogue's CWE families, a seeded
stratified subsample (CPU budget); and, for the untuned zero-shot base model, seeded stratified
subsamples of the synthetic test split, SVEN and Juliet. `../shared/datasets` is evaluation data only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from vulntune.cli import main as vulntune
from vulntune.cwe import cwes_for
from vulntune.data import read_samples, read_split_dir, stratified_sample, write_samples
from vulntune.evaluate.intervals import wilson
from vulntune.models.calibrate import rates_at
from vulntune.models.card import write_measured
from vulntune.unit_samples import scan_unit_samples

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "function-detector"  # recipes/default.toml's out
SYNTH = ROOT / "data" / "synth"
SHARED = ROOT.parent / "shared" / "datasets"
REPORTS = ROOT / "reports" / "default-model"
EXAMPLES = ROOT / "tests" / "data" / "default_model_examples.json"
SPEED = REPORTS / "scan-speed.txt"
DEMO = REPORTS / "demo.txt"
SPEED_FILES = 120
DATA = REPORTS / "data"
JULIET_SAMPLE = 600
ZERO_SHOT_SAMPLE = 200
SEED = 0

# name -> (data file, description)
SETS = {
    "synthetic-test": (SYNTH / "test.jsonl", "synthetic test split (template-disjoint), all samples"),
    "sven-python": (SHARED / "python-sven.jsonl", "SVEN: real Python vulnerable/fixed function pairs, all"),
    "juliet-java": (
        DATA / "juliet-catalogue.jsonl",
        f"Juliet Java methods of the catalogue's CWE families, stratified sample of ~{JULIET_SAMPLE}",
    ),
    "synthetic-test-units": (
        DATA / "synthetic-test-units.jsonl",
        "synthetic test split cut into scan units (what the scanner scores): each file's sink "
        "unit with the file's label, one other unit of each vulnerable file as safe",
    ),
}
ZERO_SHOT_SETS = {name: DATA / f"{name}-zs.jsonl" for name in SETS if name != "synthetic-test-units"}


def make_data() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    java_cwes = set(cwes_for("java"))
    juliet = [s for s in read_samples(SHARED / "java-juliet.jsonl") if s.meta.get("cwe_family", s.cwe) in java_cwes]
    write_samples(DATA / "juliet-catalogue.jsonl", stratified_sample(juliet, JULIET_SAMPLE, seed=SEED))
    write_samples(DATA / "synthetic-test-units.jsonl", scan_unit_samples(read_split_dir(SYNTH, "test"), seed=SEED))
    for name, path in ZERO_SHOT_SETS.items():
        samples = read_samples(SETS[name][0])
        write_samples(path, stratified_sample(samples, ZERO_SHOT_SAMPLE, seed=SEED))
    for path in sorted(DATA.glob("*.jsonl")):
        print(f"{path.relative_to(ROOT)}: {len(read_samples(path))} samples")


def run_evals(only: str | None) -> None:
    for name, (path, _) in SETS.items():
        if only and only != name:
            continue
        started = time.perf_counter()
        code = vulntune(
            [
                "eval",
                "--model",
                str(MODEL),
                "--baseline",
                "tfidf",
                "--train",
                str(SYNTH),
                "--data",
                str(path),
                "--out",
                str(REPORTS / name),
                "--bootstrap",
                "1000",
            ]
        )
        print(f"{name}: exit {code}, {time.perf_counter() - started:.0f}s", flush=True)
    for name, path in ZERO_SHOT_SETS.items():
        if only and only != f"{name}-zs":
            continue
        started = time.perf_counter()
        code = vulntune(
            [
                "eval",
                "--zero-shot",
                "smollm2-135m",
                "--data",
                str(path),
                "--out",
                str(REPORTS / f"{name}-zero-shot"),
                "--bootstrap",
                "1000",
            ]
        )
        print(f"{name} zero-shot: exit {code}, {time.perf_counter() - started:.0f}s", flush=True)
        rebuild_subsample(name)


def rebuild_subsample(name: str) -> None:
    """The default detector and the baseline on the zero-shot subsample, from their full-run predictions.

    The untuned base model does not change when the detector is retrained, so after a retraining
    `rebuild` refreshes these rows without re-running the zero-shot evaluations (about 25 min of CPU).
    """
    code = vulntune(
        [
            "eval",
            "--rebuild",
            str(REPORTS / name),
            "--data",
            str(ZERO_SHOT_SETS[name]),
            "--out",
            str(REPORTS / f"{name}-subsample"),
            "--bootstrap",
            "1000",
        ]
    )
    print(f"{name} subsample rebuild: exit {code}", flush=True)


def record_examples() -> None:
    """Score the fixed examples with the shipped model and record the verdicts the slow test checks."""
    from vulntune import load_detector

    detector = load_detector(MODEL)
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    for example in examples:
        (prediction,) = detector.predict([example["code"]], language=example["language"])
        example.update(label=prediction.label, cwe=prediction.cwe, score=round(prediction.score, 4))
        print(f"{example['name']}: {prediction.label} {prediction.cwe} {prediction.score:.4f}")
    EXAMPLES.write_text(json.dumps(examples, indent=2) + "\n", encoding="utf-8")


def measure_speed() -> None:
    """Scan a generated 120-file repository with the shipped model; keep the benchmark's report."""
    import subprocess

    command = [
        sys.executable,
        "benchmarks/bench_scan.py",
        "--model",
        str(MODEL.relative_to(ROOT)),
        "--files",
        str(SPEED_FILES),
        "--seed",
        str(SEED),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    REPORTS.mkdir(parents=True, exist_ok=True)
    SPEED.write_text(result.stdout, encoding="utf-8")
    print(result.stdout, end="")


def record_demo() -> None:
    """Keep what `vulntune demo` prints with the shipped model (its closing table covers every operating point)."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "vulntune", "demo"], capture_output=True, text=True, check=True, cwd=ROOT
    )
    REPORTS.mkdir(parents=True, exist_ok=True)
    DEMO.write_text(result.stdout, encoding="utf-8")
    print(result.stdout, end="")


def _training_lines() -> list[str]:
    meta = json.loads((MODEL / "vulntune-model.json").read_text(encoding="utf-8"))
    minutes = meta["train_seconds"] / 60
    trunk_minutes = meta["trunk_seconds"] / 60 if meta.get("trunk_seconds") is not None else None
    trunk = f"{trunk_minutes:.1f} min for the stored trunk outputs (`trunk_cache`), then " if trunk_minutes else ""
    calibrated, units = meta["validation_metrics"]["samples"], (meta.get("calibration") or {}).get("scan_units", 0)
    return [
        f"Training: {trunk}{meta['train_steps']} steps in {minutes:.1f} min on the CPU it was built on "
        f"({meta['train_tokens_per_second']:.0f} training tokens/s, "
        f"{meta['train_tokens_per_cpu_second']:.0f} per CPU-second, {meta['precision']}), "
        f"plus calibration on {calibrated - units} validation samples"
        + (f" and {units} scan units cut from them; " if units else "; ")
        + f"{meta['train_samples']} training files in the corpus"
        + (f", plus {meta['train_units']} scan units cut from them." if meta.get("train_units") else "."),
        "",
    ]


def _examples_table() -> list[str]:
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    lines = ["| example | truth | verdict | CWE | score |", "|---|---|---|---|---|"]
    lines += [f"| {e['name']} | {e['truth']} | {e['label']} | {e['cwe'] or '-'} | {e['score']:.4f} |" for e in examples]
    return lines


def _ci(value, interval) -> str:
    if value is None:
        return "-"
    if not interval:
        return f"{value:.3f}"
    return f"{value:.3f} [{interval[0]:.3f}, {interval[1]:.3f}]"


def _table(metrics: dict) -> list[str]:
    lines = [
        "| model | language | n (vuln/safe) | precision | recall | F1 | FPR | AUROC | VD-score | twin pair-correct |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for model_name, model in sorted(metrics["models"].items()):
        for language, m in sorted(model["by_language"].items()):
            twins = m.get("twins") or {}
            pair = _ci(twins.get("pair_correct_rate"), twins.get("pair_correct_rate_ci")) if twins.get("pairs") else "-"
            lines.append(
                f"| {model_name} | {language} | {m['positives']}/{m['negatives']} | "
                f"{_ci(m['precision'], m.get('precision_ci'))} | {_ci(m['recall'], m.get('recall_ci'))} | "
                f"{_ci(m['f1'], m.get('f1_ci'))} | {_ci(m['fpr'], m.get('fpr_ci'))} | {_ci(m.get('auroc'), m.get('auroc_ci'))} | "
                f"{_ci(m['vd_score'], None)} | {pair} |"
            )
    return lines


def _by_kind(metrics: dict, model_name: str, *, rest: str | None = None) -> list[str]:
    """FPR per safe kind; `rest` names the safe samples without a kind (a row of its own)."""
    model = metrics["models"].get(model_name)
    if not model:
        return []
    lines = ["| language | safe kind | FPR | safe samples |", "|---|---|---|---|"]
    for language, m in sorted(model["by_language"].items()):
        kinds = m.get("by_safe_kind") or {}
        for kind, k in sorted(kinds.items()):
            lines.append(f"| {language} | {kind} | {_ci(k['fpr'], k.get('fpr_ci'))} | {k['negatives']} |")
        negatives = m["negatives"] - sum(k["negatives"] for k in kinds.values())
        if rest and negatives:
            fp = m["fp"] - sum(k["fp"] for k in kinds.values())
            lines.append(f"| {language} | {rest} | {_ci(fp / negatives, wilson(fp, negatives))} | {negatives} |")
    return lines if len(lines) > 2 else []


def _quality_bar(model: dict) -> list[str]:
    """The project's bar on the synthetic test split, per language, stated from the numbers."""
    lines = ["Quality bar (per language: FPR <= 2% with recall >= 90%, twin pair-correct >= 85%):", ""]
    for language, m in sorted(model["by_language"].items()):
        pair = (m.get("twins") or {}).get("pair_correct_rate")
        met = (
            m["fpr"] is not None
            and m["fpr"] <= 0.02
            and m["recall"] is not None
            and m["recall"] >= 0.90
            and pair is not None
            and pair >= 0.85
        )
        lines.append(
            f"- {language}: {'met' if met else 'NOT met'}: FPR {m['fpr']:.1%}, recall {m['recall']:.1%}, "
            f"pair-correct {pair:.1%}, AUROC {m['auroc']:.3f}."
        )
    return lines


def _operating_points_on(name: str, points: list[dict]) -> list[str]:
    """Per language recall and FPR of the default detector at each recorded operating point, read
    from the set's saved predictions (the thresholds were chosen on validation, never here)."""
    path = REPORTS / name / "predictions.jsonl"
    if not path.is_file():
        return []
    truth = {s.id: (s.language, s.is_vulnerable) for s in read_samples(SETS[name][0])}
    scores = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    default_name = next(m for m in sorted({r["model"] for r in scores}) if "default" in m)
    by_language: dict[str, tuple[list[float], list[bool]]] = {}
    for row in scores:
        if row["model"] == default_name:
            language, vulnerable = truth[row["id"]]
            group = by_language.setdefault(language, ([], []))
            group[0].append(row["score"])
            group[1].append(vulnerable)
    languages = sorted(by_language)
    lines = [
        "| target FPR (validation) | threshold |" + "".join(f" {lang} recall | {lang} FPR |" for lang in languages),
        "|---|---|" + "---|---|" * len(languages),
    ]
    for point in points:
        row = f"| {point['target_fpr']:g} | {point['threshold']:.4f} |"
        for language in languages:
            rates = rates_at(*by_language[language], point["threshold"])
            both = rates["tpr"] is not None and rates["fpr"] is not None
            row += f" {rates['tpr']:.1%} | {rates['fpr']:.1%} |" if both else " - | - |"
        lines.append(row)
    return lines


def render_card_section() -> str:
    out = [
        "## Measured",
        "",
        "Every number below was measured by `benchmarks/default_model.py` (commands at its top) and is read "
        "from `reports/default-model/*/metrics.json`. Brackets: 95% intervals (Wilson for rates, bootstrap "
        "for F1). VD-score: the miss rate at the threshold where FPR <= 0.5%. Twin pair-correct: the "
        "vulnerable sample flagged and its safe twin(s) not. Every threshold was calibrated on the synthetic "
        "validation split only; which of them is the default (the 10% point) was decided on the scan "
        "benchmark and the demo below, never on the test split or the external sets (external dev set "
        "numbers).",
        "",
    ]
    default_name = None
    points = json.loads((MODEL / "vulntune-model.json").read_text(encoding="utf-8")).get("operating_points") or []
    for name, (_, description) in SETS.items():
        path = REPORTS / name / "metrics.json"
        if not path.is_file():
            out += [f"### {description}", "", "Not measured.", ""]
            continue
        metrics = json.loads(path.read_text())
        default_name = default_name or next((k for k in metrics["models"] if "default" in k), None)
        out += [f"### {description}", "", *_table(metrics), ""]
        rest = "other unit (no sink)" if name == "synthetic-test-units" else None
        kinds = _by_kind(metrics, default_name, rest=rest) if default_name else []
        if default_name and name == "synthetic-test":
            out += [*_quality_bar(metrics["models"][default_name]), ""]
        if kinds and name.startswith("synthetic-test"):
            out += ["False positive rate of the default detector by kind of safe code:", "", *kinds, ""]
        if points and (table := _operating_points_on(name, points)):
            out += [
                "The default detector at each of its operating points (`vulntune scan --target-fpr`):",
                "",
                *table,
                "",
            ]
    zs_rows = []
    for name, (_, description) in SETS.items():
        merged: dict = {"models": {}}
        for suffix in ("zero-shot", "subsample"):
            path = REPORTS / f"{name}-{suffix}" / "metrics.json"
            if path.is_file():
                merged["models"].update(json.loads(path.read_text())["models"])
        if merged["models"]:
            zs_rows += [
                f"#### {description.split(':')[0].split(',')[0]}: stratified subsample of ~{ZERO_SHOT_SAMPLE}",
                "",
                *_table(merged),
                "",
            ]
    if zs_rows:
        out += [
            "### Zero-shot base model beside the default detector (identical subsamples)",
            "",
            "The untuned SmolLM2-135M-Instruct with the instruct prompt, scored by label likelihood, at an "
            "uncalibrated threshold of 0.5 (AUROC in the reports is threshold-free). The CPU budget limits this "
            "comparison to seeded stratified subsamples; the other rows are the same models' predictions from "
            "the full runs above, restricted to the subsample.",
            "",
            *zs_rows,
        ]
    out += [
        "### What was tried",
        "",
        "- Version 1 (300 steps of 8 x 512 tokens, length-grouped batches, LoRA r8 on the top 8 blocks, bf16, "
        "last-token head): at chance on the test split (AUROC 0.515 Python, 0.501 Java), CWE accuracy 72.7%.",
        "- Version 2 (720 steps of 8 x 384 tokens, twin batches, LoRA r16 on the top 8 blocks, last-token head, "
        "one learning rate of 1e-3): AUROC 0.590 Python, 0.577 Java on the test split; the CWE was named 97.7% of "
        "the time on validation, but the loss settled at 0.73, about ln 2: it had learned which CWE a sample is "
        "about, not whether it is vulnerable.",
        "- Why (version 3's diagnosis): the new head reads hidden states of norm ~50 per token (~110 max-pooled); "
        "one Adam step at 1e-3 moves its logits by whole units, so the loss oscillates. On 1,600 training "
        "windows (LoRA on the top 2 blocks, max pooling, 4 epochs, not part of this script) a head rate of "
        "2e-4 left the train loss at 1.69 and validation pairs at chance after 3 epochs; 5e-5 (LoRA still "
        "at 1e-3) reached 0.82, validation AUROC 0.60 and the vulnerable twin ranked above its safe twin in "
        "65% of 150 pairs, still improving.",
        "- Version 3 (max pooling, head rate 5e-5, LoRA r16 on the top 2 blocks trained from stored outputs "
        "of the 28 frozen ones, `trunk_cache`: 0.37 s per step of 8 x 256 tokens instead of 3.4 s for a "
        "whole-model step with LoRA on 8 blocks; 8 epochs of files only): AUROC 0.776 Python, 0.743 Java on "
        "the test split, recall 7.8% / 29.8% at FPR 1.5% / 3.9%, twin pair-correct 6.4% / 25.9%. But it had "
        "never seen a lone function: on the test split cut into scan units its AUROC was 0.483 (Python) and "
        "0.639 (Java) at FPR 45.0% / 28.9% (measured afterwards with `vulntune eval`), on the 120-file scan "
        "benchmark it raised 630 findings on 791 units, and "
        "`make demo` printed 15 CWE-94 (Python's `eval`) findings on Java constructors.",
        "- This version (`recipes/default.toml`): the same model and rates, trained on the files plus 9,282 "
        "scan units cut from them (4 epochs planned; early stopping ended it at step 7,000 of 7,960 and "
        "restored step 5,000, validation loss 0.44) (`scan_units`: each file's sink unit with the file's label, one "
        "other unit of each vulnerable file as safe), calibrated on validation files and their units, and "
        "scoring per language only the classes trained for it (`classes_by_language`). It ranks better "
        "(test AUROC above), but at the threshold first shipped, 0.978 for FPR 1% on validation files and "
        "units, it was nearly silent: 0 of 56 planted weaknesses on the scan benchmark, 0 of 12 in the demo, "
        "and still 0 of 12 at FPR 2% (threshold 0.967).",
        "- The same weights, calibrated again with `vulntune calibrate --target-fpr 0.1` (no retraining): the "
        "validation negatives are the safe twins of vulnerable samples (and scan units cut from them), the hardest "
        "safe code there is, and "
        "their score tail is heavy. At this point the detector flags 0 of the 53 safe twins and 0 of the 758 "
        "ordinary units of the scan benchmark and 0 of the demo's 17 look-alikes, while finding 9 of 56 and "
        "5 of 12; on the test split's look-alike files it pays with the FPRs in the tables above. The "
        "operating-point tables show every other choice; `--target-fpr 0.01` restores the strict one.",
        "- Tried after version 4, not shipped: LoRA on the top 4 blocks (`--lora-top-layers 4 --max-steps 2800`, "
        "1.4 epochs: 47 min of trunk pass, 34 min of steps at 0.7 s). Its validation loss was lower than "
        "version 4's at the same step (0.572 against 0.789 at step 2,500) but ended at 0.557, above version 4's "
        "best of 0.438, and it ranked worse on the test split: AUROC 0.719 (Python) and 0.765 (Java) on files, "
        "0.917 and 0.894 on scan units (`vulntune eval`, not part of this script).",
        "- Not tried for lack of CPU time: LoRA on more blocks for as many steps as version 4, a learning-rate "
        "sweep, more varied templates (taint-killed and unreached twins carry the false positives).",
        "",
    ]
    out += ["### Cost", "", *_training_lines()]
    if SPEED.is_file():
        out += [
            f"Scan speed: `benchmarks/bench_scan.py --model src/vulntune/default_model --files {SPEED_FILES}` "
            "(a generated repository of Flask, CLI, Servlet and DAO code with planted weaknesses and safe "
            "twins, beside Bandit where installed):",
            "",
            "```",
            SPEED.read_text(encoding="utf-8").rstrip(),
            "```",
            "",
        ]
    if DEMO.is_file():
        out += [
            "`make demo` (`vulntune demo`: the bundled Flask and Spring example applications, truth in "
            "`examples/README.md`):",
            "",
            "```",
            DEMO.read_text(encoding="utf-8").rstrip(),
            "```",
            "",
        ]
    out += [
        "### Fixed examples",
        "",
        "The shipped model's verdicts on six small snippets (`tests/data/default_model_examples.json`; the "
        "slow test `tests/test_default_model.py` checks them). Read them as a record of behaviour, not "
        "as a measurement:",
        "",
        *_examples_table(),
        "",
    ]
    return "\n".join(out) + "\n"


def write_card() -> None:
    card = write_measured(MODEL, render_card_section())
    print(f"wrote {card.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=("data", "eval", "rebuild", "examples", "speed", "demo", "card"))
    parser.add_argument("--only", help="eval: one set name (e.g. sven-python, juliet-java-zs)")
    args = parser.parse_args()
    if args.step == "data":
        make_data()
    elif args.step == "eval":
        run_evals(args.only)
    elif args.step == "rebuild":
        for name in ZERO_SHOT_SETS:
            rebuild_subsample(name)
    elif args.step == "examples":
        record_examples()
    elif args.step == "speed":
        measure_speed()
    elif args.step == "demo":
        record_demo()
    else:
        write_card()
    return 0


if __name__ == "__main__":
    sys.exit(main())
