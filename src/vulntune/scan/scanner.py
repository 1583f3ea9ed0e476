"""The scan, top to bottom: discover, extract (in parallel), score (cached), locate, filter.

The result is a `ScanReport`; formatting it is `vulntune.formats`' job and exit codes the
command's. Scanned code is only read as text and parsed with tree-sitter.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from vulntune import __version__
from vulntune.cwe import CATALOGUE, LANGUAGE_OF_EXTENSION, LANGUAGES
from vulntune.models.detector import slice_judge
from vulntune.models.prediction import Detector, decision_thresholds
from vulntune.scan.cache import ResultCache, Verdict, text_digest
from vulntune.scan.discover import Skipped, SourceFile, discover
from vulntune.scan.extract import extract_file
from vulntune.scan.findings import Finding, build_findings, severity_rank
from vulntune.scan.infer import InferenceStats, score_units
from vulntune.scan.settings import ScanConfig
from vulntune.scan.suppress import is_suppressed
from vulntune.slices import judge_gate, reads_slices
from vulntune.units import ExtractedFile, Unit


@dataclass(kw_only=True, frozen=True)
class Summary:
    """Counts that depend only on the input, so they are safe in reports compared across runs.

    Attributes:
        files_scanned: files read and parsed.
        files_skipped: files and folders passed over (see `ScanReport.skipped`).
        files_with_syntax_errors: scanned anyway; tree-sitter tolerates errors.
        units: functions, methods and module-level code units scored.
        findings: reported findings (after every filter).
        below_filters: findings under --min-confidence or --min-severity.
        suppressed: findings silenced by `vulntune: ignore` comments.
        baselined: findings already in the --baseline report.
    """

    files_scanned: int = 0
    files_skipped: int = 0
    files_with_syntax_errors: int = 0
    units: int = 0
    findings: int = 0
    below_filters: int = 0
    suppressed: int = 0
    baselined: int = 0


@dataclass(kw_only=True, frozen=True)
class ModelInfo:
    """The detector a scan ran. `thresholds`: the one each language is decided with (a model
    calibrated per language has its own per language; `threshold` is the pooled one).
    `validation_fpr` and `validation_recall`: what those thresholds measured on validation data,
    when the model records them as an operating point (else None)."""

    fingerprint: str
    threshold: float
    thresholds: Mapping[str, float]
    max_length: int
    languages: tuple[str, ...]
    labels: tuple[str, ...]
    validation_fpr: float | None = None
    validation_recall: float | None = None


def model_info(detector: Detector) -> ModelInfo:
    points = detector.meta.get("operating_points") or []
    point = next((p for p in points if p["threshold"] == detector.threshold), {})
    return ModelInfo(
        fingerprint=detector.fingerprint,
        threshold=float(detector.threshold),
        thresholds=decision_thresholds(detector),
        max_length=int(detector.max_length),
        languages=tuple(detector.languages),
        labels=tuple(detector.labels),
        validation_fpr=point.get("fpr"),
        validation_recall=point.get("tpr"),
    )


@dataclass(kw_only=True, frozen=True)
class ScanReport:
    """Everything a formatter needs.

    Attributes:
        findings: sorted by file, line, CWE.
        skipped: sorted by path.
        summary: deterministic counts.
        model: the detector's identity.
        started_at: UTC time the scan began, ISO 8601 (volatile).
        version: vulntune's version (volatile).
        stats: timings and cache counts (volatile; shown on stderr and by the benchmark only).
        files: the files read and parsed (SARIF's artifacts), sorted by path.
        passed_over: paths left out on purpose: ignored, excluded, vendored (`--verbose`).
        notes: what discovery wants the user to know (a named folder git ignores was scanned).
        root: the absolute folder findings' paths are relative to.
        threat_model: which data counted as untrusted (`vulntune.analysis.program`); models: the
            user's taint models files added to the shipped ones.
    """

    findings: tuple[Finding, ...]
    skipped: tuple[Skipped, ...]
    summary: Summary
    model: ModelInfo
    started_at: str
    version: str = __version__
    stats: dict[str, float] = field(default_factory=dict, compare=False)
    files: tuple[SourceFile, ...] = ()
    passed_over: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    root: str = ""
    threat_model: str = ""  # the threat model reachability was decided under ("" for whole-function units)
    models: tuple[str, ...] = ()  # the user's taint models files
    # findings an inline `vulntune: ignore` silenced (not reported; `vulntune.triage` reads them as dismissed)
    suppressed_findings: tuple[Finding, ...] = field(default=(), compare=False)

    @property
    def input_error(self) -> bool:
        """A PATH named by the user could not be scanned at all (missing, unreadable)."""
        return any(s.error for s in self.skipped)


def scan_paths(
    paths: Sequence[str | os.PathLike],
    *,
    detector: Detector | None,
    config: ScanConfig | None = None,
    cache: ResultCache | None = None,
    root: str | os.PathLike | None = None,
    only: Iterable[str] | None = None,
    baseline: frozenset[str] = frozenset(),
    progress: bool | str = False,
    stdin_filename: str | None = None,
) -> ScanReport:
    """Scan files and folders with a loaded detector.

    Args:
        paths: files and folders.
        detector: from `vulntune.load_detector`; None with `config.judge` "none" (every
            candidate sink is a finding) or "reachability" (every statically reachable one).
        config: discovery, filters, jobs and batch size (default `ScanConfig()`).
        cache: a results cache, or None to score every unit.
        root: findings' paths are relative to it (default: see `discover.scan_root`).
        only: real paths of the only files to scan (`--changed-since`).
        baseline: fingerprints of findings not to report again.
        progress: show progress on stderr: True or "bar" draws bars (a terminal), "log" prints
            a line every `vulntune.progress.log_every()` seconds (a CI log).
        stdin_filename: the path (and so language) of the PATH `-`, standard input.
    """
    config = config or ScanConfig()
    detector = slice_judge(detector)  # the scanner cuts the slices itself (`vulntune.load_detector` gives a CodeJudge)
    if detector is None and config.judge == "model":
        raise ValueError("scan_paths needs a detector unless config.judge is 'none' or 'reachability'")
    unit = scan_unit(config, detector)
    if unit == "slice":  # a bad models file is the user's error, found before any file is read
        from vulntune.analysis.catalogue import load_catalogue
        from vulntune.analysis.taint_models import load_models

        for language in LANGUAGES:
            load_models(language, config.models)
            load_catalogue(language, config.models)
    languages = LANGUAGES if detector is None else detector.languages
    started_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    began, cpu_began = time.perf_counter(), _cpu_seconds()
    found = discover(
        paths,
        config=config,
        root=Path(root) if root else None,
        only=only,
        stdin_filename=stdin_filename,
        templates=unit == "slice",
    )
    skipped = list(found.skipped)
    files = []
    for source in found.files:
        if source.language in languages:
            files.append(source)
        else:
            skipped.append(Skipped(path=source.display, reason=f"the model does not cover {source.language}"))
    discovered = time.perf_counter()

    extracted = _extract_all(
        files,
        jobs=config.worker_count,
        progress=progress,
        slices=unit == "slice",
        models=tuple(config.models),
        renders=bool(found.templates),
    )
    readable = []
    for item in extracted:
        if item.skipped is not None:
            skipped.append(Skipped(path=item.file, reason=item.skipped))
        else:
            readable.append(item)
    readable = across_files(readable, config.threat_model)
    from_templates: list[ExtractedFile] = []
    templates: list[SourceFile] = []  # the template files read (those with template syntax)
    if found.templates:  # HTML templates: views kept where they write a value unescaped (vulntune.scan.templates)
        scanned = [lang for lang in languages if lang in {LANGUAGE_OF_EXTENSION[e] for e in config.extensions}]
        readable, from_templates, templates = _link_templates(readable, found.templates, languages=scanned, only=only)
    units = [u for item in (*readable, *from_templates) for u in item.units]
    parsed = time.perf_counter()

    judged = judged_units(units, config, detector)
    distinct = len({(u.language, u.text) for u in judged})
    if detector is None:
        verdicts, inference = _every_candidate(judged), InferenceStats(units=distinct)
    else:
        bar = _bar(progress, total=distinct, unit="candidate" if unit == "slice" else "unit", desc="scoring")
        try:
            verdicts, inference = score_units(
                judged,
                detector,
                cache=cache,
                batch_size=config.batch_size,
                max_occlusions=config.max_occlusions,
                locate=unit == "function",
                progress=bar.update if bar else None,
            )
        finally:
            if bar:
                bar.close()

    suppressions = {item.file: item.suppressions for item in (*readable, *from_templates)}
    counts = {"below_filters": 0, "suppressed": 0, "baselined": 0}
    reported, silenced = [], []
    min_rank = severity_rank(config.min_severity)
    info = model_info(detector) if detector is not None else _no_model(config.judge)
    for finding, flagged in build_findings(
        [*readable, *from_templates], verdicts, threshold=info.thresholds, explain=config.explain
    ):
        if is_suppressed(finding, flagged, suppressions[finding.file]):
            counts["suppressed"] += 1
            silenced.append(finding)
        elif finding.confidence < config.min_confidence or severity_rank(finding.severity) < min_rank:
            counts["below_filters"] += 1
        elif finding.fingerprint in baseline:
            counts["baselined"] += 1
        else:
            reported.append(finding)
    finished = time.perf_counter()
    read = {item.file for item in readable} | {t.display for t in templates}
    summary = Summary(
        files_scanned=len(readable) + len(templates),
        files_skipped=len(skipped),
        files_with_syntax_errors=sum(1 for item in readable if item.syntax_error),
        units=len(units),
        findings=len(reported),
        **counts,
    )
    return ScanReport(
        findings=tuple(reported),
        skipped=tuple(sorted(skipped)),
        summary=summary,
        model=info,
        started_at=started_at,
        files=tuple(sorted((f for f in (*files, *templates) if f.display in read), key=lambda f: f.display)),
        passed_over=tuple(found.passed_over),
        notes=tuple(found.notes),
        root=str(found.root),
        threat_model=config.threat_model if unit == "slice" else "",
        models=tuple(config.models) if unit == "slice" else (),
        suppressed_findings=tuple(silenced),
        stats=_stats(
            inference,
            files=len(readable),
            bytes_read=sum(s.size for s in files),
            discover=discovered - began,
            parse=parsed - discovered,
            total=finished - began,
            cpu=_cpu_seconds() - cpu_began,
        ),
    )


# ModelInfo.fingerprint of a scan without a model (`--judge none` or `reachability`) -> its judge
STATIC_JUDGES = {"judge:none": "none", "judge:reachability": "reachability"}


def scan_unit(config: ScanConfig, detector: Detector | None) -> str:
    """ "slice" or "function": the configured unit, else what the detector was trained on (a
    detector from before slices reads functions); the pattern-matching judge reads slices."""
    if config.unit is not None:
        return config.unit
    return "slice" if detector is None or reads_slices(detector) else "function"


def judged_units(units: Sequence[Unit], config: ScanConfig, detector: Detector | None) -> list[Unit]:
    """The units the judge is asked about: a judge gated by reachability (and the static
    reachability judge) sees only the reachable candidates; the others get no verdict, so no finding."""
    if detector is None:
        gated = config.judge == "reachability"
    else:
        gated = judge_gate(detector) == "reachability" and scan_unit(config, detector) == "slice"
    return [u for u in units if getattr(u, "reachable", True)] if gated else list(units)


def _every_candidate(units: Sequence[Unit]) -> dict[tuple[str, str], Verdict]:
    """`--judge none` or `reachability`: each candidate slice it judges is a finding with confidence 1."""
    return {
        (u.language, text_digest(u.text)): Verdict(cwe=getattr(u, "cwe", None), score=1.0, probabilities={}, line=0)
        for u in units
    }


def _no_model(judge: str) -> ModelInfo:
    return ModelInfo(
        fingerprint=f"judge:{judge}",
        threshold=1.0,
        thresholds={language: 1.0 for language in LANGUAGES},
        max_length=0,
        languages=LANGUAGES,
        labels=("safe",) + tuple(CATALOGUE),
    )


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the --jobs workers)."""
    own = time.process_time()
    try:
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own + children.ru_utime + children.ru_stime
    except ImportError:  # Windows
        return own


def _stats(
    inference: InferenceStats, *, files: int, bytes_read: int, discover: float, parse: float, total: float, cpu: float
) -> dict[str, float]:
    return {
        "files": files,
        "bytes": bytes_read,
        "units": inference.units,
        "units_cached": inference.cached,
        "units_inferred": inference.inferred,
        "windows": inference.windows,
        "tokens": inference.tokens,
        "located": inference.located,
        "model_inputs": inference.model_inputs,
        "seconds_discover": discover,
        "seconds_parse": parse,
        "seconds_score": inference.seconds,
        "seconds_total": total,
        "cpu_seconds": cpu,
    }


def _bar(enabled: bool | str, **kwargs):
    """A count on stderr: a bar on a terminal (True or "bar"), a line every few seconds in a log ("log")."""
    from vulntune.progress import counter

    return counter("bar" if enabled is True else enabled or None, **kwargs)


def across_files(extracted: list[ExtractedFile], threat_model: str) -> list[ExtractedFile]:
    """Each file's slice units with reachability decided again with every scanned file's callers
    and callees (`vulntune.analysis.solve`): taint crosses files through calls."""
    from vulntune.analysis import AnalysedFile, solve

    flowing = [item for item in extracted if item.flow is not None]
    if not flowing:
        return extracted
    solved = solve([AnalysedFile(candidates=item.candidates, flow=item.flow) for item in flowing], threat_model)
    decided = {id(item): found for item, found in zip(flowing, solved)}
    out = []
    for item in extracted:
        found = decided.get(id(item))
        if found is None:
            out.append(item)
            continue
        units = []
        for unit in item.units:
            index = getattr(unit, "candidate_index", -1)
            if 0 <= index < len(found):
                verdict = found[index]
                reach = verdict.reach
                path = reach.path if reach is not None and verdict.reachable else ()
                unit = dataclasses.replace(unit, reachable=verdict.reachable, path=path)
            units.append(unit)
        out.append(dataclasses.replace(item, units=tuple(units), flow=None, candidates=()))
    return out


def _link_templates(
    readable: list[ExtractedFile], templates: list[SourceFile], *, languages, only: Iterable[str] | None
) -> tuple[list[ExtractedFile], list[ExtractedFile], list[SourceFile]]:
    """`vulntune.scan.templates.link_templates` on the discovered templates, and the template files
    read (those with template syntax: they count as scanned). With `--changed-since` (`only`) every
    template is read for the views, but only changed ones report their own findings."""
    from vulntune.scan.templates import link_templates, read_templates

    texts = read_templates(templates)
    wanted = None
    if only is not None:
        changed = {os.path.realpath(p) for p in only}
        wanted = [t.display for t in templates if os.path.realpath(t.path) in changed]
    linked, own = link_templates(readable, texts, languages=languages, own=wanted)
    return linked, own, [t for t in templates if t.display in texts]


def _extract_all(
    files: list[SourceFile],
    *,
    jobs: int,
    progress: bool | str,
    slices: bool = False,
    models: tuple[str, ...] = (),
    renders: bool = False,
) -> list[ExtractedFile]:
    """Extract units from every file, in `jobs` processes when there is enough work (`renders`:
    the values views hand templates are candidates too)."""
    bar = _bar(progress, total=len(files), unit="file", desc="parsing")
    results: list[ExtractedFile] = []
    try:
        if jobs > 1 and len(files) >= 2 * jobs:
            # "spawn", not "fork": the parent may hold a loaded torch model and its threads.
            with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
                chunk = max(1, min(64, len(files) // (jobs * 4)))
                work = functools.partial(extract_file, slices=slices, models=models, renders=renders)
                for item in pool.map(work, files, chunksize=chunk):
                    results.append(item)
                    if bar:
                        bar.update(1)
        else:
            for source in files:
                results.append(extract_file(source, slices=slices, models=models, renders=renders))
                if bar:
                    bar.update(1)
    finally:
        if bar:
            bar.close()
    return results
