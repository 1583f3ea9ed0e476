"""The model card: a README.md written beside the weights from `vulntune-model.json`.

It states only what the metadata records (what the model was trained on, its threshold and the
validation numbers measured at that threshold); the evaluate stage writes fuller reports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vulntune.atomic import write_text

MEASURED = "\n## Measured\n"  # the heading of the section evaluation appends to a card


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def render_card(meta: Mapping[str, Any]) -> str:
    """Markdown for a model folder's README.md."""
    base = meta.get("base") or {}
    lines = [
        f"# vulntune detector: {meta['kind']} on {base.get('name', '?')}",
        "",
        "A CWE detector for " + ", ".join(meta["languages"]) + " code, made by vulntune "
        f"{meta.get('vulntune_version', '?')}. Load it with `vulntune.load_detector(path)` or scan with "
        "`vulntune scan --model PATH`.",
        "",
        "| | |",
        "|---|---|",
        f"| objective | {meta.get('objective', '-')} |",
        f"| method | {meta.get('method', '-')} |",
        f"| base model | {base.get('name', '-')} ({base.get('source', '-')}) |",
        *([f"| blocks used | the first {meta['base_layers']} of the base |"] if meta.get("base_layers") else []),
        f"| base sha256 | {base.get('sha256') or '-'} |",
        f"| labels | {', '.join(meta['labels'])} |",
        f"| max length (tokens) | {meta['max_length']} |",
        f"| pooling | {meta.get('pooling', 'last')} |",
        f"| threshold | {_fmt(meta['threshold'])}"
        + "".join(f"; {language} {_fmt(t)}" for language, t in sorted((meta.get("thresholds") or {}).items()))
        + " |",
        f"| corpus fingerprint | {meta.get('corpus_fingerprint') or '-'} |",
        f"| training samples | {_training_samples(meta)} |",
        "",
    ]
    by_language = meta.get("classes_by_language")
    if by_language:
        lines += ["Classes scored per language (the others were never trained on that language and get 0):", ""]
        lines += [f"- {language}: {', '.join(classes)}" for language, classes in sorted(by_language.items())]
        lines.append("")
    calibration = meta.get("calibration")
    if calibration:
        lines += [
            "## Calibration",
            "",
            "The threshold is the smallest score whose false positive rate on the validation split"
            + (
                f" (with the {calibration['scan_units']} scan units cut from it)"
                if calibration.get("scan_units")
                else ""
            )
            + f" is at most {_fmt(calibration['target_fpr'])}: there it flags {_fmt(calibration['fpr'])} of "
            f"{calibration['negatives']} safe samples and {_fmt(calibration['tpr'])} of {calibration['positives']} "
            "vulnerable ones."
            + (
                " Each language has its own threshold, chosen the same way on that language's samples alone "
                "(the pooled one above decides a language without its own); the validation metrics below use them."
                if meta.get("thresholds")
                else ""
            ),
            "",
        ]
    lines += _triage(meta)
    lines += _operating_points(meta)
    metrics = meta.get("validation_metrics")
    if metrics:
        lines += ["## Validation metrics (at the threshold)", "", "| metric | value |", "|---|---|"]
        lines += [f"| {k} | {_fmt(v)} |" for k, v in sorted(metrics.items())]
        lines.append("")
    config = meta.get("training_config")
    if config:
        lines += ["## Training configuration", "", "```json", json.dumps(config, indent=2, sort_keys=True), "```", ""]
    lines += [
        "## Limits",
        "",
        "Trained on synthetic code; numbers measured on synthetic validation data overstate what it does on "
        "real code. See `vulntune eval` for measurements on other data.",
        "",
    ]
    return "\n".join(lines)


def _training_samples(meta: Mapping[str, Any]) -> str:
    if meta.get("train_files"):  # a slice judge: the slices cut from the corpus files
        return f"{meta.get('train_samples', '-')} slices cut from {meta['train_files']} files"
    units = f" + {meta['train_units']} scan units cut from them" if meta.get("train_units") else ""
    return f"{meta.get('train_samples', '-')} files{units}"


def _triage(meta: Mapping[str, Any]) -> list[str]:
    """What an adapted judge learned from its users' triage (`vulntune train --from-triage`)."""
    triage = meta.get("triage")
    if not triage:
        return []
    languages = "; ".join(
        f"{language}: "
        + ", ".join(f"{cwe} {c['dismissed']} dismissed / {c['confirmed']} confirmed" for cwe, c in sorted(cwes.items()))
        for language, cwes in sorted((triage.get("by_language") or {}).items())
    )
    replay = (
        f"mixed with {triage['replay_samples']} replayed samples of its training data ({triage['replay_source']})"
        if triage.get("replay_samples")
        else f"refit with its training data ({triage['replay_source']})"
        if triage.get("replay_source")
        else "alone: the base's training data was not on disk"
    )
    return [
        "## Adapted from triage",
        "",
        f"Adapted from judge {triage['base_fingerprint'][:12]} on {triage['records']} triage records of its users' "
        f"code ({triage['dismissed']} dismissed, {triage['confirmed']} confirmed; {languages}): "
        f"{triage['trained_on']} trained, {triage['held_out']} held out, {replay}. "
        f"Thresholds from {triage['thresholds_from']}. Triage file sha256 {triage['sha256']}"
        + (_dp(triage["dp"]) if triage.get("dp") else "; no differential privacy."),
        "",
    ]


def _dp(dp: Mapping[str, Any]) -> str:
    return (
        f"; trained with DP-SGD (Opacus): epsilon {dp['epsilon']} (asked {dp['target_epsilon']}), delta {dp['delta']:g}, "
        f"each sample's gradient clipped to norm {dp['max_grad_norm']}, noise multiplier {dp['noise_multiplier']}, "
        f"sample rate {dp['sample_rate']}, {dp['steps']} steps, {dp['accountant']} accountant"
        + ("" if dp.get("secure_rng") else ", noise from a seeded generator, not a cryptographically secure one")
        + "."
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _operating_points(meta: Mapping[str, Any]) -> list[str]:
    points = meta.get("operating_points")
    if not points:
        return []
    languages = sorted({name for p in points for name in p.get("by_language", {})})
    own = any("threshold" in rates for p in points for rates in p.get("by_language", {}).values())
    columns = ("threshold", "FPR", "recall") if own else ("FPR", "recall")
    header = "| target FPR | threshold | FPR | recall |" + "".join(
        f" {name} {c} |" for name in languages for c in columns
    )
    lines = [
        "## Operating points",
        "",
        "Thresholds for other validation false positive rates, measured on the same calibration set; "
        "`vulntune scan --target-fpr X` flags at one of them instead of at the default (marked *)"
        + (", each language at its own threshold." if own else "."),
        "",
        header,
        "|" + "---|" * (4 + len(columns) * len(languages)),
    ]
    for point in points:
        default = "*" if point["threshold"] == meta["threshold"] else ""
        row = (
            f"| {point['target_fpr']:g}{default} | {point['threshold']:.4f} | {_percent(point['fpr'])} | "
            f"{_percent(point['tpr'])} |"
        )
        for name in languages:
            rates = point.get("by_language", {}).get(name, {})
            if own:
                row += f" {_fmt(rates.get('threshold'))} |"
            row += f" {_percent(rates.get('fpr'))} | {_percent(rates.get('tpr'))} |"
        lines.append(row)
    lines.append("")
    return lines


def write_card(folder: Path, meta: Mapping[str, Any]) -> None:
    """Write (atomically) the card from `meta`, keeping a "## Measured" section an existing card has.

    The measured section is written by evaluation (`benchmarks/default_model.py card`), not from
    the metadata, so rewriting the metadata part (`vulntune calibrate`) must not lose it.
    """
    card = Path(folder) / "README.md"
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    rendered = render_card(meta)
    if MEASURED in text:
        rendered = rendered.rstrip() + "\n" + text[text.index(MEASURED) :]
    write_text(card, rendered)


def write_measured(folder: Path, section: str) -> Path:
    """Replace (atomically) the card's "Measured" section, everything from its heading on, with
    `section` (which starts with the heading); the metadata part above it is kept. Returns the card."""
    card = Path(folder) / "README.md"
    kept = card.read_text(encoding="utf-8").split(MEASURED)[0].rstrip() + "\n\n"
    write_text(card, kept + section)
    return card
