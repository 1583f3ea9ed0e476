"""Evaluate a detector on samples: predict, join predictions to truths, compute the metrics dict.

The metrics dict is plain, sorted JSON keyed by language and CWE (see `compute_metrics`), so a
test can assert it whole and two runs on the same input write the same file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vulntune.atomic import atomic_open
from vulntune.cwe import normalize_cwe
from vulntune.data import SAFE_KINDS, Sample
from vulntune.errors import VulntuneError
from vulntune.evaluate.intervals import bootstrap_f1_auroc, wilson
from vulntune.evaluate.metrics import confusion, rate_metrics, score_metrics
from vulntune.evaluate.twins import twin_metrics
from vulntune.slices import judge_records, reads_slices

BOOTSTRAP = 1000  # resamples for the F1 and AUROC intervals


@dataclass(kw_only=True, frozen=True)
class Scored:
    """One sample joined with one model's prediction on it.

    Attributes:
        cwe: the sample's CWE as the catalogue counts it (Juliet's CWE-23 -> CWE-22).
        vulnerable: the truth.
        flagged: the detector's decision at its threshold.
        predicted_cwe: the detector's most likely CWE, whatever its decision.
    """

    id: str
    language: str
    cwe: str
    vulnerable: bool
    safe_kind: str | None
    pair_id: str | None
    score: float
    flagged: bool
    predicted_cwe: str | None


def catalogue_cwe(sample: Sample) -> str:
    """The CWE a sample counts as: `meta.cwe_family` when an external set gives one (Juliet maps
    child CWEs such as CWE-23 to the catalogue's CWE-22), else the sample's own CWE.

    Reading `meta` here is fine: it only decides how a sample is tallied, never what a model sees.
    """
    family = sample.meta.get("cwe_family") if sample.meta else None
    return normalize_cwe(family) if family else sample.cwe


def detector_info(detector: Any, *, name: str, source: str) -> dict[str, Any]:
    """What the metrics file records about a model: enough to know which one was measured."""
    return {
        "name": name,
        "source": source,
        "languages": list(detector.languages),
        "labels": list(detector.labels),
        "threshold": float(detector.threshold),
        "thresholds": dict(sorted((getattr(detector, "thresholds", None) or {}).items())),
        "fingerprint": str(detector.fingerprint),
    }


def check_compatible(info: Mapping[str, Any], samples: Sequence[Sample]) -> None:
    """Refuse to evaluate a model on data it cannot speak to.

    Raises:
        VulntuneError: no samples; a sample language the model was not trained on; or data whose
            CWEs are none of the model's classes (CWEs outside the model's classes still count for
            binary detection as long as some overlap).
    """
    name = info["name"]
    if not samples:
        raise VulntuneError("the dataset is empty: nothing to evaluate")
    data_languages = sorted({s.language for s in samples})
    foreign = [lang for lang in data_languages if lang not in info["languages"]]
    if foreign:
        count = sum(s.language in foreign for s in samples)
        raise VulntuneError(
            f"model {name!r} knows {', '.join(info['languages'])} only, but the data has {count} "
            f"{'/'.join(foreign)} samples (use --language {','.join(info['languages'])} to evaluate a subset)"
        )
    model_cwes = {label for label in info["labels"] if label.startswith("CWE-")}
    data_cwes = sorted({catalogue_cwe(s) for s in samples}, key=_cwe_key)
    if not model_cwes.intersection(data_cwes):
        raise VulntuneError(
            f"model {name!r} detects {', '.join(sorted(model_cwes, key=_cwe_key)) or 'no CWE'}, none of the data's "
            f"{', '.join(data_cwes)}: labels do not match"
        )


def predict(
    detector: Any,
    samples: Sequence[Sample],
    *,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Run the detector on each sample's `code` (nothing else) and return prediction rows
    `{"id", "score", "label", "cwe"}` in sample order. A detector trained on slices judges each
    sample's candidate slices; the sample's verdict is its most suspicious candidate's."""
    if reads_slices(detector):
        rows = judge_records(detector, samples, batch_size=batch_size, progress=progress)
        return [{key: row[key] for key in ("id", "score", "label", "cwe")} for row in rows]
    rows: list[dict[str, Any] | None] = [None] * len(samples)
    by_language: dict[str, list[int]] = {}
    for i, sample in enumerate(samples):
        by_language.setdefault(sample.language, []).append(i)
    for language in sorted(by_language):
        indices = by_language[language]
        for start in range(0, len(indices), batch_size):
            chunk = indices[start : start + batch_size]
            predictions = detector.predict([samples[i].code for i in chunk], language=language)
            if len(predictions) != len(chunk):
                raise VulntuneError(f"detector returned {len(predictions)} predictions for {len(chunk)} inputs")
            for i, pred in zip(chunk, predictions):
                rows[i] = {"id": samples[i].id, "score": float(pred.score), "label": pred.label, "cwe": pred.cwe}
            if progress:
                progress(len(chunk))
    return rows  # type: ignore[return-value]


def join(samples: Sequence[Sample], rows: Iterable[Mapping[str, Any]], *, name: str = "model") -> list[Scored]:
    """Pair every sample with its prediction row (by id).

    Raises:
        VulntuneError: a sample without a prediction (predictions from other data).
    """
    by_id = {row["id"]: row for row in rows}
    scored = []
    for s in samples:
        row = by_id.get(s.id)
        if row is None:
            raise VulntuneError(
                f"predictions of {name!r} have no row for sample {s.id!r}: they were made on other data"
            )
        scored.append(
            Scored(
                id=s.id,
                language=s.language,
                cwe=catalogue_cwe(s),
                vulnerable=s.is_vulnerable,
                safe_kind=s.safe_kind,
                pair_id=s.pair_id,
                score=float(row["score"]),
                flagged=row["label"] == "vulnerable",
                predicted_cwe=row.get("cwe"),
            )
        )
    return scored


def _safe_kind_fpr(items: Sequence[Scored]) -> dict[str, dict[str, Any]]:
    out = {}
    for kind in SAFE_KINDS:
        safes = [i for i in items if not i.vulnerable and i.safe_kind == kind]
        if not safes:
            continue
        fp = sum(i.flagged for i in safes)
        ci = wilson(fp, len(safes))
        out[kind] = {"negatives": len(safes), "fp": fp, "fpr": fp / len(safes), "fpr_ci": list(ci) if ci else None}
    return out


def block(
    items: Sequence[Scored], *, model_cwes: set[str], bootstrap: int = BOOTSTRAP, seed: int = 0
) -> dict[str, Any]:
    """Every metric of one group of scored samples (a model overall, one language, one CWE).

    Keys: the counts and rates of `rate_metrics` (rates with Wilson `_ci`), `auroc`, `auprc`,
    `vd_score`/`vd_threshold`/`vd_fpr`, bootstrap `f1_ci` and `auroc_ci`, `cwe_accuracy`
    (among true positives whose CWE is one of the model's classes; `cwe_tp` of them), `twins`
    and `by_safe_kind` (FPR per safe kind).
    """
    y = [i.vulnerable for i in items]
    flags = [i.flagged for i in items]
    scores = [i.score for i in items]
    out: dict[str, Any] = rate_metrics(confusion(y, flags))
    out.update(score_metrics(y, scores))
    intervals = bootstrap_f1_auroc(
        y, scores, flags, [i.pair_id or f"id:{i.id}" for i in items], resamples=bootstrap, seed=seed
    )
    out["f1_ci"] = list(intervals["f1"]) if intervals["f1"] else None
    out["auroc_ci"] = list(intervals["auroc"]) if intervals["auroc"] else None
    hits = [i for i in items if i.vulnerable and i.flagged and i.cwe in model_cwes]
    correct = sum(i.predicted_cwe == i.cwe for i in hits)
    ci = wilson(correct, len(hits))
    out["cwe_tp"] = len(hits)
    out["cwe_accuracy"] = correct / len(hits) if hits else None
    out["cwe_accuracy_ci"] = list(ci) if ci else None
    out["twins"] = twin_metrics([i.pair_id for i in items], y, flags)
    out["by_safe_kind"] = _safe_kind_fpr(items)
    return out


def compute_metrics(
    scored: Sequence[Scored], *, labels: Sequence[str], bootstrap: int = BOOTSTRAP, seed: int = 0
) -> dict[str, Any]:
    """The metrics of one model on one dataset.

    Returns:
        {"overall": block, "by_language": {lang: {**block, "by_cwe": {cwe: block}}},
         "by_cwe": {cwe: block over both languages}, "cwes_outside_model": [...]}, where a
        block is what `block` returns.
    """
    if not scored:
        raise VulntuneError("the dataset is empty: nothing to evaluate")
    model_cwes = {label for label in labels if label.startswith("CWE-")}
    kw = {"model_cwes": model_cwes, "bootstrap": bootstrap, "seed": seed}
    by_language: dict[str, Any] = {}
    for language in sorted({i.language for i in scored}):
        items = [i for i in scored if i.language == language]
        by_language[language] = block(items, **kw)
        by_language[language]["by_cwe"] = {
            cwe: block([i for i in items if i.cwe == cwe], **kw) for cwe in sorted({i.cwe for i in items}, key=_cwe_key)
        }
    by_cwe = {
        cwe: block([i for i in scored if i.cwe == cwe], **kw) for cwe in sorted({i.cwe for i in scored}, key=_cwe_key)
    }
    return {
        "overall": block(scored, **kw),
        "by_language": by_language,
        "by_cwe": by_cwe,
        "cwes_outside_model": sorted({i.cwe for i in scored} - model_cwes, key=_cwe_key),
    }


def _cwe_key(cwe: str) -> int:
    return int(cwe.split("-")[1])


# --- files -----------------------------------------------------------------------------------


def _round(value: Any, digits: int = 6) -> Any:
    """Round floats for the JSON files: stable across BLAS builds, readable, still precise."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: _round(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_round(v, digits) for v in value]
    return value


def dumps_metrics(metrics: Mapping[str, Any]) -> str:
    """metrics.json text: sorted keys, two-space indent, floats to 6 decimals, final newline."""
    return json.dumps(_round(dict(metrics)), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_predictions(path: Path, rows_by_model: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    """predictions.jsonl: one row per (model, sample): {"model", "id", "score", "label", "cwe"}."""
    with atomic_open(path, "w") as fh:
        for name in rows_by_model:
            for row in rows_by_model[name]:
                record = {
                    "model": name,
                    "id": row["id"],
                    "score": row["score"],
                    "label": row["label"],
                    "cwe": row["cwe"],
                }
                fh.write(json.dumps(record, sort_keys=True) + "\n")


def read_predictions(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read predictions.jsonl back, grouped by model name in file order."""
    if not path.is_file():
        raise VulntuneError(f"{path}: no such file")
    out: dict[str, list[dict[str, Any]]] = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out.setdefault(str(row["model"]), []).append(
                    {
                        "id": str(row["id"]),
                        "score": float(row["score"]),
                        "label": str(row["label"]),
                        "cwe": row.get("cwe"),
                    }
                )
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                raise VulntuneError(f"{path}:{lineno}: not a prediction row (need model, id, score, label)") from None
    if not out:
        raise VulntuneError(f"{path}: no predictions")
    return out


# --- one model on one dataset ----------------------------------------------------------------


@dataclass(kw_only=True)
class ModelResult:
    """One model's evaluation on one dataset: what it is, its prediction rows, joined samples, metrics."""

    name: str
    info: Mapping[str, Any]
    rows: Sequence[Mapping[str, Any]]
    scored: Sequence[Scored]
    metrics: Mapping[str, Any]


def data_info(samples: Sequence[Sample], *, source: str) -> dict[str, Any]:
    """What metrics.json records about the data: where from, how many, and its fingerprint."""
    from vulntune.data import fingerprint

    counts: dict[str, dict[str, int]] = {}
    for s in samples:
        c = counts.setdefault(s.language, {"vulnerable": 0, "safe": 0})
        c[s.label] += 1
    return {"source": source, "samples": len(samples), "counts": counts, "fingerprint": fingerprint(samples)}


def evaluate_rows(
    info: Mapping[str, Any],
    samples: Sequence[Sample],
    rows: Sequence[Mapping[str, Any]],
    *,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
) -> ModelResult:
    """Metrics from saved prediction rows (rebuilding a report needs no model)."""
    scored = join(samples, rows, name=info["name"])
    metrics = compute_metrics(scored, labels=info["labels"], bootstrap=bootstrap, seed=seed)
    return ModelResult(name=info["name"], info=dict(info), rows=list(rows), scored=scored, metrics=metrics)


def evaluate_detector(
    detector: Any,
    samples: Sequence[Sample],
    *,
    name: str,
    source: str,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
) -> ModelResult:
    """Check compatibility, predict on every sample's code, and compute the metrics."""
    info = detector_info(detector, name=name, source=source)
    check_compatible(info, samples)
    rows = predict(detector, samples, batch_size=batch_size, progress=progress)
    return evaluate_rows(info, samples, rows, bootstrap=bootstrap, seed=seed)


def metrics_document(
    results: Sequence[ModelResult], *, data: Mapping[str, Any], bootstrap: int, seed: int
) -> dict[str, Any]:
    """The whole metrics.json: data, settings, and per model its description and metrics."""
    from vulntune.evaluate.metrics import VD_MAX_FPR

    return {
        "data": dict(data),
        "settings": {"bootstrap": bootstrap, "seed": seed, "vd_max_fpr": VD_MAX_FPR, "interval": "wilson-95"},
        "models": {r.name: {"model": dict(r.info), **r.metrics} for r in results},
    }
