"""The study's cells: which detectors it measures, how each is trained, and how each is evaluated.

A cell is one detector: a static judge (`vulntune.slices.judge_records` with "none": every
candidate sink flagged, or "reachability"), the zero-shot base model, a fine-tuned model, the
TF-IDF judge, or the function-level model of the previous design (unit "file"). Every trained
cell, the zero-shot one included, goes through `vulntune.train`, so its folder records its unit:
a zero-shot cell is `train(objective="zero-shot", unit="slice", gate=...)`, which calibrates the
untuned model on validation *slices* and writes `training_config.unit = "slice"`; evaluation then
judges slices through `judge_records` like any slice model's, with no special case.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vulntune.atomic import write_text
from vulntune.config import from_mapping
from vulntune.cwe import cwes_for
from vulntune.data import Sample

TRANSFER = "transfer-test"  # evals/<model>/<TRANSFER>/: the test split of the language it was not trained on
STATIC_NAMES = {"none": "candidates", "reachability": "reachability"}  # judge -> cell name
# TrainConfig keys that only a trained classify head accepts (TrainConfig rejects them otherwise).
_CLASSIFY_ONLY = ("head_learning_rate", "trunk_cache", "pooling")


@dataclass(kw_only=True, frozen=True)
class ModelCell:
    """One detector of the study.

    Attributes:
        kind: "static", "zero-shot", "fine-tuned" or "tfidf".
        base: the base model; for a static cell, the judge ("none" or "reachability").
        subset: training subset ("joint" for the cells that claim every language untrained).
        unit: "slice" (judges candidate slices) or "file" (reads whole records: the function-level
            model of the previous design).
    """

    name: str
    kind: str
    base: str
    objective: str
    subset: str
    languages: tuple[str, ...]
    unit: str = "slice"

    @property
    def trained(self) -> bool:
        return self.kind != "static"


def model_cells(config: Any) -> list[ModelCell]:
    """Every cell, in report order: static judges, zero-shot, fine-tuned, function-level, TF-IDF."""
    cells = []
    joint = config.subset_languages("joint")
    for judge in config.static:
        cells.append(
            ModelCell(
                name=STATIC_NAMES[judge],
                kind="static",
                base=judge,
                objective="static",
                subset="joint",
                languages=joint,
                unit="slice",
            )
        )
    if config.zero_shot:
        for base in config.bases:
            cells.append(
                ModelCell(
                    name=f"zero-shot-{slug(base)}",
                    kind="zero-shot",
                    base=base,
                    objective="zero-shot",
                    subset="joint",
                    languages=joint,
                    unit=config.unit,
                )
            )
    for base in config.bases:
        for objective in config.objectives:
            for subset in config.subsets:
                cells.append(
                    ModelCell(
                        name=f"{slug(base)}-{objective}-{subset}",
                        kind="fine-tuned",
                        base=base,
                        objective=objective,
                        subset=subset,
                        languages=config.subset_languages(subset),
                        unit=config.unit,
                    )
                )
            for subset in config.function_level:
                cells.append(
                    ModelCell(
                        name=f"{slug(base)}-{objective}-{subset}-file",
                        kind="fine-tuned",
                        base=base,
                        objective=objective,
                        subset=subset,
                        languages=config.subset_languages(subset),
                        unit="file",
                    )
                )
    if config.tfidf:
        for subset in config.subsets:
            cells.append(
                ModelCell(
                    name=f"tfidf-{subset}",
                    kind="tfidf",
                    base="tfidf",
                    objective="classify",
                    subset=subset,
                    languages=config.subset_languages(subset),
                    unit=config.unit,
                )
            )
    return cells


def slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "-" for c in Path(text).name).strip("-") or "model"


def transfer_language(cell: ModelCell, config: Any) -> str | None:
    """The language a single-language cell is also evaluated on (cross-language transfer), if any."""
    if not config.transfer or cell.kind != "fine-tuned" or cell.unit != config.unit or len(cell.languages) != 1:
        return None
    others = [lang for lang in config.subset_languages("joint") if lang not in cell.languages]
    return others[0] if others else None


# --- training --------------------------------------------------------------------------------


def train_settings(
    cell: ModelCell, config: Any, corpus: Path, folder: Path, *, trunk_store: Path | None = None
) -> dict[str, Any]:
    """The TrainConfig mapping of one trained cell: the study's settings, its `train` table, and for
    a function-level cell its `function_train` table on top. A cell that stores trunk outputs
    keeps them in `trunk_store`, shared by every cell of the study."""
    settings: dict[str, Any] = {
        "data": str(corpus),
        "base": cell.base,
        "objective": cell.objective,
        "method": config.method,
        "languages": list(cell.languages),
        "out": str(folder),
        "seed": config.seed,
        "max_length": config.max_length,
        "target_fpr": config.target_fpr,
        "epochs": config.epochs,
        "max_steps": config.max_steps or None,
        "unit": cell.unit,
        "gate": config.gate if cell.unit == "slice" else "none",
        "force": True,
        "progress": sys.stderr.isatty(),
    }
    settings.update(config.train)
    if cell.unit == "file":
        settings.update(config.function_train)
    if cell.objective != "classify" or cell.kind == "tfidf":
        for key in _CLASSIFY_ONLY:
            settings.pop(key, None)
    if cell.kind == "tfidf" or cell.objective == "zero-shot":
        settings.pop("lora_top_layers", None)  # nothing is adapted
    if settings.get("trunk_cache") and trunk_store is not None:
        settings["trunk_store"] = str(trunk_store)
    return settings


def train_cell(cell: ModelCell, config: Any, corpus: Path, folder: Path, *, trunk_store: Path | None = None) -> None:
    """Train (or, zero-shot, only calibrate) one cell with `vulntune.train` (see `train_settings`)."""
    from vulntune.train import TrainConfig, train

    train(
        from_mapping(
            TrainConfig,
            train_settings(cell, config, corpus, folder, trunk_store=trunk_store),
            where=f"study train settings of {cell.name}",
        )
    )


# --- evaluation ------------------------------------------------------------------------------


def static_info(cell: ModelCell) -> dict[str, Any]:
    """What metrics.json records about a static judge (it has no folder)."""
    from vulntune.models.labels import sort_labels

    labels = ["safe", *sort_labels({c for language in cell.languages for c in cwes_for(language)})]
    key = f"static:{cell.base}"
    return {
        "name": cell.name,
        "source": key,
        "languages": list(cell.languages),
        "labels": labels,
        "threshold": 0.5,
        "thresholds": {},
        "fingerprint": hashlib.sha256(key.encode()).hexdigest(),
    }


def evaluate_cell(
    cell: ModelCell, detector: Any, samples: Sequence[Sample], folder: Path, *, dataset: str, source: str, config: Any
) -> None:
    """Evaluate one cell on `samples` into `folder`: predictions.jsonl first, metrics.json last
    (metrics.json marks the cell done). `detector` is None for a static judge. The samples may be
    of a language the model was not trained on (transfer): nothing is refused here, the caller
    chose them."""
    from vulntune.evaluate.run import (
        data_info,
        detector_info,
        dumps_metrics,
        evaluate_rows,
        metrics_document,
        predict,
        write_predictions,
    )
    from vulntune.slices import judge_records

    if detector is None:
        info = static_info(cell)
        rows = [{k: row[k] for k in ("id", "score", "label", "cwe")} for row in judge_records(cell.base, samples)]
    else:
        info = detector_info(detector, name=cell.name, source=source)
        rows = predict(detector, samples)
    result = evaluate_rows(info, samples, rows, bootstrap=config.bootstrap, seed=config.seed)
    folder.mkdir(parents=True, exist_ok=True)
    write_predictions(folder / "predictions.jsonl", {cell.name: result.rows})
    doc = metrics_document(
        [result], data=data_info(samples, source=dataset), bootstrap=config.bootstrap, seed=config.seed
    )
    write_text(folder / "metrics.json", dumps_metrics(doc))


@contextmanager
def shared_slices() -> Iterator[dict[tuple[str, str], Any]]:
    """Cut each distinct (code, language) once while the study runs.

    Every slice cell cuts the same records: training and calibration (`slice_samples`) and every
    evaluation (`judge_records`) call `vulntune.analysis.analyse` per record. Measured on the
    synth test split: 3.5 ms per record, so about 40 s per training run on 10,000 records and
    20 s per evaluation on Juliet, once per cell without this. `vulntune.slices` takes no
    precomputed slices, so the study memoises the name it calls (analyse is a pure function of
    the text and the language) and restores it on exit.
    """
    import vulntune.slices as slices

    original = slices.analyse
    cache: dict[tuple[str, str], Any] = {}

    def analyse(text: str, language: str):
        key = (text, language)
        if key not in cache:
            cache[key] = tuple(original(text, language))
        return list(cache[key])

    slices.analyse = analyse
    try:
        yield cache
    finally:
        slices.analyse = original
