"""`vulntune synth` end to end: plan, render, verify, dedup, split, shortcut check, write.

The output folder holds train.jsonl, validation.jsonl, test.jsonl, summary.json and a dataset
card README.md. It is built under a temporary name and moved into place when complete.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from vulntune import __version__
from vulntune.atomic import atomic_dir
from vulntune.config import to_mapping
from vulntune.data import SPLITS, Sample, write_samples
from vulntune.errors import VulntuneError
from vulntune.synth.card import dataset_card
from vulntune.synth.config import CONTEXT_FIELDS, LLM_FIELDS, SynthConfig
from vulntune.synth.dedup import exact_dedup, minhash_signatures, normalized_key
from vulntune.synth.generate import count_pairs, generate
from vulntune.synth.provenance import generator_sha256
from vulntune.synth.shortcut import outside_band, shortcut_aurocs
from vulntune.synth.split import split_pairs
from vulntune.synth.template import Registry
from vulntune.synth.templates import load_registry
from vulntune.synth.tokens import declared_names
from vulntune.synth.verify import verify

GENERATOR_VERSION = "1"


def templates_digest(registry: Registry, languages: tuple[str, ...]) -> str:
    """sha256 over every template of `languages`: names the exact generator behind a corpus."""
    digest = hashlib.sha256()
    for table in (registry.sources, registry.propagations, registry.sinks, registry.kills, registry.guards):
        for language in languages:
            for key in sorted(table[language]):
                digest.update(repr(table[language][key]).encode())
    return digest.hexdigest()


def check_output_dir(out: Path, force: bool) -> None:
    """Refuse a non-empty output folder unless `force` (before any work is done)."""
    if out.exists() and not out.is_dir():
        raise VulntuneError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise VulntuneError(f"{out}: folder exists and is not empty (use --force to replace it)")


def build_corpus(
    config: SynthConfig, *, progress: bool = False, jobs: int = 1, sleep: Callable[[float], None] = time.sleep
) -> tuple[dict[str, list[Sample]], dict[str, Any]]:
    """Generate, verify, dedup and split a corpus in memory; returns (splits, summary).

    With the llm or mix generator, the model's pairs join after the template pairs (with the llm
    generator the template pairs are rendered only to deduplicate against, never written).
    """
    registry = load_registry(config.languages)
    llm = None
    if config.generator != "template":
        from vulntune.synth.llm.generate import generate_llm

        llm = generate_llm(config, progress=progress, jobs=jobs, sleep=sleep)
    if config.generator == "llm":  # the template corpus, for deduplication only
        config_rendered = replace(config, generator="template", endpoint=None, model=None)
    else:
        config_rendered = config
    started = time.perf_counter()
    context = None
    if config.context != "none":
        from vulntune.synth.context import generate_in_context

        if progress:
            print(f"reading real functions from {config.context_dir} ...", file=sys.stderr)
        context = generate_in_context(config_rendered, registry)
        pairs = context.pairs
    else:
        pairs = _render_all(config_rendered, registry, progress)
    render_seconds = time.perf_counter() - started
    if not pairs and llm is None:
        raise VulntuneError("no templates match the requested languages and CWEs")
    if llm is not None:
        pairs = [tuple(_tagged(s) for s in pair) for pair in pairs]  # type: ignore[misc]
    llm_pairs = llm.pairs if llm is not None else []

    samples = [s for pair in [*pairs, *llm_pairs] for s in pair]
    check_started = time.perf_counter()
    report = verify(samples, javac=False)
    _raise_on_failures(report.failures)
    names = {s.id: declared_names(s.code, s.language) for s in samples}
    keys = {s.id: normalized_key(s, names[s.id]) for s in samples}
    check_seconds = time.perf_counter() - check_started

    javac_started = time.perf_counter()
    if config.javac:
        # Model pairs went through javac already; reference templates (llm generator) are not written.
        written = [s for pair in pairs for s in pair] if config.generator != "llm" else []
        # Real-context samples call their repositories' APIs, which the stubs lack: they are
        # compiled apart and counted, not failed (`check_context_java`).
        java_report = verify(
            [s for s in written if s.language == "java" and "context" not in s.meta], javac=True, jobs=jobs
        )
        _raise_on_failures(java_report.failures)
        report.javac_available = java_report.javac_available
        report.javac_compiled = java_report.javac_compiled
        report.javac_passed = java_report.javac_passed
    if context is not None:
        from vulntune.synth.context import check_context_java

        pairs = check_context_java(context, pairs, javac=config.javac, jobs=jobs)
    javac_seconds = time.perf_counter() - javac_started

    dedup_started = time.perf_counter()
    exact = exact_dedup(pairs, keys)
    kept = exact.pairs
    dedup_counts = {
        "exact_duplicate_pairs_removed": exact.duplicates_removed,
        "label_conflict_pairs_removed": exact.label_conflicts,
    }
    if llm is not None:
        # The model's pairs against the (deduplicated) templates and each other: templates come first,
        # so exact_dedup keeps every one of them and drops only model pairs.
        joined = exact_dedup([*kept, *llm_pairs], keys)
        llm.report["dropped"]["duplicate"] = joined.duplicates_removed + joined.label_conflicts
        if config.generator == "llm":
            kept = joined.pairs[len(kept) :]
            dedup_counts = {"exact_duplicate_pairs_removed": 0, "label_conflict_pairs_removed": 0}
        else:
            kept = joined.pairs
        dedup_counts["exact_duplicate_pairs_removed"] += joined.duplicates_removed
        dedup_counts["label_conflict_pairs_removed"] += joined.label_conflicts
        if not kept:
            reasons = ", ".join(f"{k} {v}" for k, v in llm.report["dropped"].items() if v) or "no answers"
            raise VulntuneError(f"no language-model pair passed the checks ({reasons})")
    signatures = minhash_signatures([keys[s.id].split(" ") for pair in kept for s in pair], seed=config.seed)
    result = split_pairs(
        kept,
        config.split,
        config.seed,
        signatures,
        config.near_duplicate_jaccard,
        assignment=context.assignment if context is not None else None,
    )
    dedup_seconds = time.perf_counter() - dedup_started

    splits = result.splits
    if llm is not None:
        written_ids = {s.id for name in SPLITS for s in splits[name]}
        llm_kept = [v for v, _ in kept if v.meta.get("generator", "template") != "template"]
        near = sum(1 for v in llm_kept if v.id not in written_ids)
        llm.report["dropped"]["near_duplicate"] = near
        llm.report["pairs_accepted"] = len(llm_kept) - near
    shortcut = {"all": shortcut_aurocs(splits["train"], splits["test"], names)}
    for language in config.languages:
        shortcut[language] = shortcut_aurocs(
            [s for s in splits["train"] if s.language == language],
            [s for s in splits["test"] if s.language == language],
            names,
        )
        if context is not None:  # the real-context pairs alone: their own code must not tell the label
            shortcut[f"{language} real-context"] = shortcut_aurocs(
                [s for s in splits["train"] if s.language == language and "context" in s.meta],
                [s for s in splits["test"] if s.language == language and "context" in s.meta],
                names,
            )
    mined_report = None
    if context is not None and config.context_negatives != "none":  # after the shortcut checks: no twins
        mined_started = time.perf_counter()
        mined_report = _add_mined(config, context, splits)
        mined_seconds = time.perf_counter() - mined_started
    summary = {
        "generator_version": GENERATOR_VERSION,
        "vulntune_version": __version__,
        "generator_sha256": generator_sha256(),  # the synth code that made it (a study refuses a stale corpus)
        "templates_sha256": templates_digest(registry, config.languages),
        "config": _config_mapping(config),
        "rendered_samples": len(samples) if llm is None else sum(len(p) for p in [*pairs, *llm_pairs]),
        "verification": report.as_dict(),
        "dedup": {**dedup_counts, "near_duplicate_pairs_removed": result.near_duplicates_removed},
        "families": {name: len({s.family for s in splits[name]}) for name in SPLITS},
        "counts": _counts(splits),
        "shortcut_auroc": shortcut,
        "shortcut_outside_band": sorted({f"{k}:{f}" for k, v in shortcut.items() for f in outside_band(v)}),
        "timing_seconds": {
            "render": round(render_seconds, 3),
            "parse_checks": round(check_seconds, 3),
            "javac": round(javac_seconds, 3),
            "dedup_split": round(dedup_seconds, 3),
        },
    }
    if llm is not None:
        summary["llm"] = llm.report
        summary["llm_usage"] = llm.usage  # volatile (a cached re-run sends nothing): printed, never written
    if context is not None:
        from vulntune.synth.context import context_summary

        slice_started = time.perf_counter()
        summary["context"] = context_summary(context, splits)
        summary["timing_seconds"]["context_slices"] = round(time.perf_counter() - slice_started, 3)
    if mined_report is not None:
        summary["context"]["mined"] = mined_report
        summary["timing_seconds"]["mined"] = round(mined_seconds, 3)
    return splits, summary


def _add_mined(config: SynthConfig, context, splits: dict[str, list[Sample]]) -> dict[str, Any]:
    """Weak negatives from the context's train and validation repositories added to those splits
    (`vulntune.synth.mined`); the report per language."""
    from vulntune.synth.context import context_suffix
    from vulntune.synth.mined import mine_negatives

    report = {}
    for language in config.languages:
        mined, report[language] = mine_negatives(
            Path(config.context_dir),  # type: ignore[arg-type]
            language,
            context.report["languages"][language]["repositories"],
            suffix=context_suffix(language),
            threat_model=config.context_negatives,
            cwes=frozenset(config.cwes_for(language)),
        )
        for split, samples in mined.items():
            splits[split].extend(samples)
    return report


def _render_all(config: SynthConfig, registry: Registry, progress: bool) -> list:
    """Every template pair, with a progress bar when asked."""
    total = count_pairs(config, registry)
    pairs = []
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total * 2, unit="sample", desc="render", file=sys.stderr, leave=False)
    for pair in generate(config, registry):
        pairs.append(pair)
        if bar is not None:
            bar.update(2)
    if bar is not None:
        bar.close()
    return pairs


def _tagged(sample: Sample) -> Sample:
    """A template sample that says so (only in corpora that mix in language-model samples)."""
    return replace(sample, meta={**sample.meta, "generator": "template"})


def _config_mapping(config: SynthConfig) -> dict[str, Any]:
    """The config as written to summary.json: a template corpus leaves out the language-model
    fields (its summary stays byte-identical); the cache folder is local, never written."""
    mapping = to_mapping(config)
    if config.context == "none":
        mapping = {k: v for k, v in mapping.items() if k not in CONTEXT_FIELDS}
    if config.generator == "template":
        return {k: v for k, v in mapping.items() if k not in LLM_FIELDS}
    del mapping["cache_dir"]
    return mapping


def _raise_on_failures(failures: dict[str, str]) -> None:
    if failures:
        first_id = sorted(failures)[0]
        raise VulntuneError(
            f"{len(failures)} generated samples failed verification (a generator bug); "
            f"first: {first_id}: {failures[first_id]}"
        )


def _counts(splits: dict[str, list[Sample]]) -> dict[str, Any]:
    """split -> language -> CWE -> {vulnerable, safe, <safe kinds>} counts."""
    counts: dict[str, Any] = {}
    for name, samples in splits.items():
        table: dict[str, dict[str, Counter]] = {}
        for s in samples:
            cell = table.setdefault(s.language, {}).setdefault(s.cwe, Counter())
            cell[s.label] += 1
            if s.safe_kind:
                cell[s.safe_kind] += 1
        counts[name] = {
            lang: {cwe: dict(sorted(c.items())) for cwe, c in sorted(by_cwe.items(), key=lambda kv: int(kv[0][4:]))}
            for lang, by_cwe in sorted(table.items())
        }
    return counts


def synthesize(
    config: SynthConfig,
    out: Path,
    *,
    force: bool = False,
    progress: bool = False,
    jobs: int = 1,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Build the corpus and write it to `out` atomically; returns the summary."""
    out = Path(out)
    check_output_dir(out, force)
    splits, summary = build_corpus(config, progress=progress, jobs=jobs, sleep=sleep)
    timing = summary.pop("timing_seconds")  # volatile: printed, never written
    usage = summary.pop("llm_usage", None)
    with atomic_dir(out, force=True) as tmp:
        for name in SPLITS:
            write_samples(tmp / f"{name}.jsonl", splits[name])
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (tmp / "README.md").write_text(dataset_card(summary), encoding="utf-8")
    summary["timing_seconds"] = timing
    if usage is not None:
        summary["llm_usage"] = usage
    return summary
