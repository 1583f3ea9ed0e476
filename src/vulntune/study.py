"""The research experiment: what does fine-tuning small language models on synthetic
vulnerabilities do to the false positive rate of CWE detection in Python versus Java?

Built only from the stages, in the sink-anchored design: the static stage finds candidate sinks
and cuts the data flow reaching each (`vulntune.analysis`, `vulntune.slices`), a judge decides
each slice. The detectors (`vulntune.study_cells`): every candidate flagged, static
reachability, the zero-shot base model on slices, the TF-IDF judge on slices, the base model
fine-tuned on slices {python-only, java-only, joint}, and the function-level model of the
previous design (unit "file"); single-language models are also evaluated on the other language
(transfer). Every cell writes its result atomically and is skipped when its file exists, so an
interrupted study resumes where it stopped. The report's prose is generated from the measured
numbers only.

Layout of a study folder::

    study.json                      the resolved config (a resumed study must match it)
    corpus/                         vulntune synth output (train/validation/test.jsonl, README.md)
    models/<model>/                 model folders (vulntune train, the baseline, the zero-shot calibration)
    trunk/                          frozen-trunk outputs, run once per slice and read by every cell
                                    that trains the same top blocks of the same base (train's trunk_store)
    evals/<model>/<dataset>/        predictions.jsonl and metrics.json of one model on one dataset;
                                    <dataset> "transfer-test" is the test split's other language
    summary.json                    the central table's numbers
    report.md, report.html          the report
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vulntune.atomic import write_text
from vulntune.config import from_mapping, load_toml, to_mapping
from vulntune.cwe import LANGUAGES, check_language
from vulntune.data import Sample, read_samples
from vulntune.errors import VulntuneError
from vulntune.evaluate.run import catalogue_cwe, check_compatible
from vulntune.slices import GATES
from vulntune.slices import JUDGES as STATIC_JUDGES
from vulntune.study_cells import (
    TRANSFER,
    ModelCell,
    evaluate_cell,
    model_cells,
    shared_slices,
    static_info,
    train_cell,
    transfer_language,
)

SUBSETS = ("python", "java", "joint")
OBJECTIVES = ("classify", "instruct")
UNITS = ("slice", "file")
PROFILES = ("quick", "standard", "full")
_PROFILE_DIR = Path(__file__).resolve().parent / "study_profiles"


@dataclass(kw_only=True, frozen=True)
class StudyConfig:
    """Settings of `vulntune study` (TOML keys of the same names).

    Attributes:
        corpus: an existing synth folder (train/validation/test.jsonl) to use instead of
            generating one; "" generates it from the settings below into `<out>/corpus`.
        languages: corpus languages.
        cwes: corpus CWEs; empty means every catalogued CWE of each language.
        per_cwe: corpus samples per (language, CWE) before dedup (vulntune synth --per-cwe).
        seed: corpus, training and bootstrap seed.
        javac: compile Java samples while generating the corpus (slow; verification is the
            corpus's own test suite's job, so the study leaves it off by default).
        static: static judges measured as detectors: "none" (every candidate sink flagged, the
            cell "candidates") and "reachability" (the statically reachable candidates).
        bases: base models to fine-tune ("tiny", "smollm2-135m", a local folder...).
        objectives: training objectives ("classify", "instruct").
        subsets: training subsets: "python" (python-only), "java" (java-only), "joint".
        unit: what the fine-tuned, zero-shot and TF-IDF cells read: "slice" (the slice of each
            candidate sink, the sink-anchored design) or "file" (whole records).
        gate: with unit "slice", which candidates the trained judges are trained on and asked
            about ("reachability": the statically reachable ones; "none": all).
        function_level: subsets also trained with unit "file" (the function-level detector of the
            previous design), to show what slicing changed; only with unit "slice".
        function_train: TrainConfig settings for the function-level cells, over `train`.
        transfer: also evaluate each single-language fine-tuned model on the test split of the
            other language (cross-language transfer).
        fixed_recall: the second operating point: per model and language, the threshold giving
            this recall on the test split, and the FPR there. Only the report reads it, so a
            finished study can be reported again at another recall (`REPORT_ONLY`).
        method: fine-tuning method (lora, ia3, full).
        max_steps: optimizer steps per model; 0 means train for `epochs`.
        epochs: epochs per model when `max_steps` is 0.
        max_length: tokens per training and evaluation window.
        target_fpr: every model's threshold is chosen on the validation split for this FPR.
        train: further `vulntune train` settings (TrainConfig keys), e.g. {learning_rate = 2e-4}.
        tfidf: also train and evaluate the TF-IDF judge on each subset.
        zero_shot: also evaluate each base model untuned, with the instruct prompt.
        external: external datasets in the sample schema; paths relative to the working folder;
            a missing file is skipped with a note in the report.
        external_max: evaluate at most this many samples per external set (whole pairs, seeded);
            0 means all.
        bootstrap: resamples for the F1 and AUROC intervals, and for the report's family-cluster
            bootstrap of the Python - Java gap at matched recall (`vulntune.evaluate.gap`).
    """

    corpus: str = ""
    languages: tuple[str, ...] = LANGUAGES
    cwes: tuple[str, ...] = ()
    per_cwe: int = 400
    seed: int = 0
    javac: bool = False
    static: tuple[str, ...] = STATIC_JUDGES
    bases: tuple[str, ...] = ("smollm2-135m",)
    objectives: tuple[str, ...] = ("classify",)
    subsets: tuple[str, ...] = SUBSETS
    unit: str = "slice"
    gate: str = "reachability"
    function_level: tuple[str, ...] = ("joint",)
    function_train: dict[str, Any] = field(default_factory=dict)
    transfer: bool = True
    fixed_recall: float = 0.9
    method: str = "lora"
    max_steps: int = 0
    epochs: float = 1.0
    max_length: int = 512
    target_fpr: float = 0.01
    train: dict[str, Any] = field(default_factory=dict)
    tfidf: bool = True
    zero_shot: bool = True
    external: tuple[str, ...] = ("../shared/datasets/python-sven.jsonl", "../shared/datasets/java-juliet.jsonl")
    external_max: int = 0
    bootstrap: int = 1000

    def __post_init__(self) -> None:
        if not self.languages:
            raise VulntuneError("languages: at least one language is needed")
        for language in self.languages:
            check_language(language)
        for objective in self.objectives:
            if objective not in OBJECTIVES:
                raise VulntuneError(f"objectives: unknown objective {objective!r} (known: {', '.join(OBJECTIVES)})")
        for key in ("subsets", "function_level"):
            for subset in getattr(self, key):
                if subset not in SUBSETS:
                    raise VulntuneError(f"{key}: unknown subset {subset!r} (known: {', '.join(SUBSETS)})")
                if subset != "joint" and subset not in self.languages:
                    raise VulntuneError(
                        f"{key}: {subset!r} is not among the corpus languages {', '.join(self.languages)}"
                    )
        for judge in self.static:
            if judge not in STATIC_JUDGES:
                raise VulntuneError(f"static: unknown static judge {judge!r} (known: {', '.join(STATIC_JUDGES)})")
        if self.unit not in UNITS:
            raise VulntuneError(f"unit: expected one of {', '.join(UNITS)}, got {self.unit!r}")
        if self.gate not in GATES:
            raise VulntuneError(f"gate: expected one of {', '.join(GATES)}, got {self.gate!r}")
        if self.function_level and self.unit != "slice":
            raise VulntuneError('function_level: the function-level comparison needs unit = "slice"')
        if not self.bases and not self.tfidf and not self.static:
            raise VulntuneError("bases: nothing to measure (no base model, tfidf = false, no static judge)")
        if self.per_cwe < 2:
            raise VulntuneError(f"per_cwe: at least 2 (one pair), got {self.per_cwe}")
        if self.max_steps < 0 or self.epochs <= 0:
            raise VulntuneError("max_steps must be >= 0 and epochs > 0")
        if not 0 < self.target_fpr < 1:
            raise VulntuneError(f"target_fpr: expected a number between 0 and 1, got {self.target_fpr}")
        if not 0 < self.fixed_recall <= 1:
            raise VulntuneError(f"fixed_recall: expected a number in (0, 1], got {self.fixed_recall}")
        if self.external_max < 0 or self.bootstrap < 0:
            raise VulntuneError("external_max and bootstrap must be 0 or more")

    def subset_languages(self, subset: str) -> tuple[str, ...]:
        return tuple(lang for lang in LANGUAGES if lang in self.languages) if subset == "joint" else (subset,)


def load_study_config(path: str | Path | None = None, *, profile: str | None = None) -> StudyConfig:
    """The profile's settings (if any) overridden key by key by the config file's (if any).

    A `[study]` table is read if the file has one, else the top level. The `train` and
    `function_train` tables merge key by key too.

    Raises:
        VulntuneError: unknown profile, unreadable TOML, unknown keys or wrong types.
    """
    mapping: dict[str, Any] = {}
    if profile is not None:
        if profile not in PROFILES:
            raise VulntuneError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
        mapping.update(load_toml(_PROFILE_DIR / f"{profile}.toml"))
    if path is not None:
        raw = load_toml(Path(path))
        raw = raw.get("study", raw) if isinstance(raw.get("study"), dict) else raw
        tables = {key: {**mapping.get(key, {}), **raw.get(key, {})} for key in ("train", "function_train")}
        mapping.update(raw)
        mapping.update({key: table for key, table in tables.items() if table})
    if not mapping:
        raise VulntuneError(f"no study settings: pass --config FILE.toml or --profile {'|'.join(PROFILES)}")
    return from_mapping(StudyConfig, mapping, where=str(path) if path else f"profile {profile}")


# --- running -------------------------------------------------------------------------------


class _Log:
    def __init__(self, quiet: bool = False):
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)


def _check_generator(corpus: Path) -> None:
    """A resumed study's corpus must come from this generator code: cells trained on a corpus the
    templates have since changed would be reported as if this code had made it."""
    from vulntune.synth.provenance import generator_sha256

    try:
        recorded = json.loads((corpus / "summary.json").read_text(encoding="utf-8")).get("generator_sha256")
    except (OSError, ValueError):
        recorded = None
    current = generator_sha256()
    if recorded != current:
        made_by = f"generator {recorded[:12]}" if recorded else "a generator that recorded no fingerprint"
        raise VulntuneError(
            f"corpus {corpus}: made by {made_by}, this code is generator {current[:12]}; "
            "delete the corpus folder (or start a new --out) to regenerate it"
        )


def _prepare_corpus(config: StudyConfig, out: Path, log: _Log) -> Path:
    from vulntune.synth.config import SynthConfig
    from vulntune.synth.pipeline import synthesize

    if config.corpus:
        corpus = Path(config.corpus)
        for split in ("train", "validation", "test"):
            if not (corpus / f"{split}.jsonl").is_file():
                raise VulntuneError(f"corpus {corpus}: no {split}.jsonl (expected a vulntune synth folder)")
        log(f"corpus: using {corpus}")
        return corpus
    corpus = out / "corpus"
    if (corpus / "test.jsonl").is_file():
        _check_generator(corpus)
        log(f"corpus: {corpus} exists, reused")
        return corpus
    log(f"corpus: generating {config.per_cwe} samples per language and CWE ...")
    began = time.perf_counter()
    synth = SynthConfig(
        languages=config.languages, cwes=config.cwes, per_cwe=config.per_cwe, seed=config.seed, javac=config.javac
    )
    synthesize(synth, corpus, force=True)
    log(f"corpus: done in {time.perf_counter() - began:.1f} s")
    return corpus


def _external_sets(config: StudyConfig) -> tuple[dict[str, list[Sample]], list[str]]:
    """External datasets by name (file stem), capped to `external_max` samples by whole pairs."""
    sets, notes = {}, []
    for raw in config.external:
        path = Path(raw)
        if not path.is_file():
            notes.append(f"external set {raw} not found: skipped")
            continue
        samples = read_samples(path)
        if config.external_max and len(samples) > config.external_max:
            groups: dict[str, list[Sample]] = {}
            for s in samples:
                groups.setdefault(s.pair_id or f"id:{s.id}", []).append(s)
            keys = sorted(groups)
            random.Random(config.seed).shuffle(keys)
            kept: list[Sample] = []
            for key in keys:
                if len(kept) + len(groups[key]) > config.external_max:
                    continue
                kept.extend(groups[key])
            notes.append(
                f"external set {path.stem}: {len(kept)} of {len(samples)} samples evaluated "
                f"(external_max = {config.external_max}, whole pairs drawn with seed {config.seed})"
            )
            order = {s.id: i for i, s in enumerate(samples)}
            samples = sorted(kept, key=lambda s: order[s.id])
        sets[path.stem] = [s for s in samples if s.language in config.languages]
    return sets, notes


def _labels(folder: Path) -> list[str]:
    """The model's classes, from its metadata (no weights loaded)."""
    from vulntune.models.folder import read_meta

    return list(read_meta(folder, verify=False)["labels"])


# Keys that shape only the report, never a cell: a resumed study may change them (the report is
# written again from the finished cells).
REPORT_ONLY = ("fixed_recall",)


def _check_or_write_config(config: StudyConfig, out: Path) -> None:
    path = out / "study.json"
    resolved = json.loads(json.dumps(to_mapping(config)))
    if path.is_file():
        try:
            previous = json.loads(path.read_text(encoding="utf-8")).get("config")
        except json.JSONDecodeError:
            previous = None

        def cells_of(settings: Any) -> Any:
            return {k: v for k, v in settings.items() if k not in REPORT_ONLY} if isinstance(settings, dict) else None

        if cells_of(previous) != cells_of(resolved):
            raise VulntuneError(
                f"{out} holds a study with a different config; use another --out (or --force to start over)"
            )
        if previous == resolved:
            return
    out.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps({"config": resolved}, indent=2, sort_keys=True) + "\n")


def run_study(
    config: StudyConfig,
    out: str | Path,
    *,
    force: bool = False,
    quiet: bool = False,
    log: Callable[[str], None] | None = None,
    report_to: str | Path | None = None,
) -> dict[str, Any]:
    """Run (or resume) the study into `out` and write its report. Returns summary.json's content.

    Args:
        config: the study's settings.
        out: the study folder; finished cells in it are reused.
        force: start over (delete `out` first).
        quiet: no progress lines on stderr.
        report_to: also write the report (report.md, plots/, report.html, summary.json) here.
    """
    import shutil

    out = Path(out)
    say = log or _Log(quiet=quiet)
    if force and out.exists():
        shutil.rmtree(out)
    _check_or_write_config(config, out)
    began = time.perf_counter()
    corpus = _prepare_corpus(config, out, say)
    externals, notes = _external_sets(config)
    cells = model_cells(config)
    datasets: dict[str, list[Sample]] = {"test": read_samples(corpus / "test.jsonl"), **externals}
    unmatched: dict[str, list[str]] = {}
    with shared_slices():  # each record is cut once per run, whichever cells read it
        for k, cell in enumerate(cells, 1):
            _run_cell(cell, f"[{k}/{len(cells)}] {cell.name}", config, out, corpus, datasets, unmatched, say)
    for dataset, names in unmatched.items():
        cwes = ", ".join(sorted({catalogue_cwe(s) for s in datasets[dataset]}, key=lambda c: int(c[4:])))
        notes.append(f"{dataset} ({cwes}) shares no CWE with the classes of {', '.join(names)}: not evaluated there")
    say(f"study: all cells done in {time.perf_counter() - began:.1f} s; writing the report")
    from vulntune.evaluate.study_report import write_study_report

    return write_study_report(
        out,
        config=config,
        cells=cells,
        datasets=datasets,
        notes=notes,
        report_to=Path(report_to) if report_to is not None else None,
    )


def _run_cell(
    cell: ModelCell,
    tag: str,
    config: StudyConfig,
    out: Path,
    corpus: Path,
    datasets: dict[str, list[Sample]],
    unmatched: dict[str, list[str]],
    say: Callable[[str], None],
) -> None:
    """Train one cell unless its folder exists, then evaluate it on every dataset whose metrics
    file is missing (and, for a single-language model, on the other language's test split)."""
    from vulntune import load_detector

    folder = out / "models" / cell.name
    if cell.trained:
        what = "prepared (threshold from validation)" if cell.kind == "zero-shot" else "trained"
        if (folder / "vulntune-model.json").is_file():
            say(f"{tag}: {what}, reused")
        else:
            say(
                f"{tag}: {'calibrating' if cell.kind == 'zero-shot' else 'training'} on {'/'.join(cell.languages)} "
                f"({cell.unit}s) ..."
            )
            t = time.perf_counter()
            train_cell(cell, config, corpus, folder, trunk_store=out / "trunk")
            say(f"{tag}: {what} in {time.perf_counter() - t:.1f} s")
    detector = None
    jobs = [(dataset, [s for s in samples if s.language in cell.languages]) for dataset, samples in datasets.items()]
    other = transfer_language(cell, config)
    if other:
        jobs.append((TRANSFER, [s for s in datasets["test"] if s.language == other]))
    for dataset, subset in jobs:
        target = out / "evals" / cell.name / dataset
        if not subset or (target / "metrics.json").is_file():
            continue
        labels = _labels(folder) if cell.trained else static_info(cell)["labels"]
        if not {catalogue_cwe(s) for s in subset} & set(labels):
            # an external set sharing no CWE with the model's classes: nothing to measure
            unmatched.setdefault(dataset, []).append(cell.name)
            continue
        if dataset != TRANSFER:
            check_compatible({"name": cell.name, "languages": cell.languages, "labels": labels}, subset)
        if cell.trained:
            detector = detector or load_detector(folder)
        t = time.perf_counter()
        evaluate_cell(
            cell,
            detector,
            subset,
            target,
            dataset=dataset,
            source=str(folder) if cell.trained else f"static:{cell.base}",
            config=config,
        )
        say(f"{tag}: evaluated on {dataset} ({len(subset)} samples) in {time.perf_counter() - t:.1f} s")
