"""Adapt a judge to the user's triage: `vulntune train --from-triage FILE --model BASE --out DIR`.

Setup, train, calibrate, save, top to bottom:

1. read the triage file and check it was made by BASE on languages BASE reads;
2. replay: find the base's own training data (its model folder records where it was) so the
   judge does not forget what it knew; without it on disk, stop unless `triage_only` (before any
   scan: a missing corpus fails in a second);
3. with `source`, scan that code with BASE (slices kept, paths relative to the root the scan
   command would use) so every mark must match a finding there, the slices come from the code,
   and inline `vulntune: ignore` comments count as dismissals; then hold out a seeded share of
   the records when that leaves enough dismissed ones to choose a threshold on
   (`enough_to_calibrate`);
4. train: a transformer judge continues from its adapter and head (a plain loop over triage
   records and a seeded replay sample, `replay` replay samples per record); the TF-IDF judge,
   which has no weights to continue from, is refit on its whole corpus plus the records, each
   record weighed so that together they carry `TRIAGE_SHARE` of the training weight;
5. thresholds: calibrated on the held-out records when there are enough; else the base's
   (a refit TF-IDF judge, a new model, is calibrated as the base was, on its validation split);
6. save the folder atomically (a killed run leaves none), recording the triage file's sha256,
   the record counts and what the thresholds came from in the metadata and the card.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from vulntune.errors import VulntuneError
from vulntune.triage.records import (
    CONFIRMED,
    DISMISSED,
    TriageRecord,
    check_model,
    counts,
    read_triage_file,
    records_from,
)

# The records together carry this share of what the adapted judge trains on: a transformer sees
# `replay` = 4 replay samples per record (1 in 5 is the user's), a refit TF-IDF judge weighs each
# record so that the records sum to a fifth of the total weight.
TRIAGE_SHARE = 0.2
DP_EXTRA = "pip install 'vulntune[dp]'"


@dataclass(kw_only=True)
class AdaptConfig:
    """One adaptation run (`vulntune train --from-triage`).

    Attributes:
        triage: the triage file (a marked JSON report or a SARIF log).
        model: the base judge's model folder (the one whose scan was triaged).
        out: the adapted model folder to write.
        source: files or folders holding the triaged code: scanned again with `model` to match
            every mark, recover slices and read inline suppressions (empty: no scan, the file
            must hold each slice, as a report of `scan --explain` does).
        replay: replay samples per triage record (transformer judges).
        triage_only: train on the triage records alone when the base's corpus is not on disk.
        holdout: the share of records held out to recalibrate on, when enough (see
            `enough_to_calibrate`).
        epochs: passes over records and replay (transformer judges).
        batch_size: sequences per step (transformer judges).
        learning_rate: AdamW learning rate for the adapter and head (transformer judges).
        dp_epsilon: train with DP-SGD to this epsilon (needs Opacus, the `dp` extra; transformer
            judges), delta `dp_delta(n)` for n records and replay samples.
        max_grad_norm: with `dp_epsilon`, each sample's gradient is clipped to this L2 norm.
        threads: torch CPU threads (transformer judges; default: torch's choice).
        seed: fixes the held-out split, the replay sample, initialisation and order.
        force: replace an existing folder at `out`.
        progress: a progress bar over the training steps on stderr (transformer judges).
    """

    triage: Path
    model: Path
    out: Path
    source: tuple[str, ...] = ()
    replay: float = 4.0
    triage_only: bool = False
    holdout: float = 0.2
    epochs: int = 3
    batch_size: int = 8
    learning_rate: float = 2e-4
    dp_epsilon: float | None = None
    max_grad_norm: float = 1.0
    threads: int | None = None
    seed: int = 0
    force: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        if self.replay < 0:
            raise VulntuneError(f"--replay must be >= 0, got {self.replay}")
        if not 0.0 <= self.holdout < 1.0:
            raise VulntuneError(f"--holdout must be in [0, 1), got {self.holdout}")
        for key in ("epochs", "batch_size", "learning_rate", "threads", "max_grad_norm"):
            if getattr(self, key) is not None and getattr(self, key) <= 0:
                raise VulntuneError(f"--{key.replace('_', '-')} must be > 0, got {getattr(self, key)}")
        if self.dp_epsilon is not None and self.dp_epsilon <= 0:
            raise VulntuneError(f"--dp-epsilon must be > 0, got {self.dp_epsilon}")


def check_dp(epsilon: float | None, kind: str | None = None) -> None:
    """Refuse `--dp-epsilon` in one line where it cannot be honoured: without Opacus (naming the
    extra that installs it), or for the TF-IDF judge, which logistic regression refits (DP-SGD
    privatises gradient steps of a network; it does not apply)."""
    if epsilon is None:
        return
    try:
        import opacus  # noqa: F401
    except ImportError:
        raise VulntuneError(f"--dp-epsilon needs Opacus, which is not installed: {DP_EXTRA}") from None
    if kind == "tfidf":
        raise VulntuneError(
            "--dp-epsilon: the TF-IDF judge is refit by logistic regression, not trained by DP-SGD; "
            "adapt a transformer judge for differential privacy"
        )


def dp_delta(n: int) -> float:
    """The delta of (epsilon, delta)-DP: at most 1e-5 and a tenth of 1 / n, so that the chance of
    the guarantee failing stays well below that of leaking one record outright (1 / n)."""
    return min(1e-5, 1.0 / (10 * n))


def make_private(config: AdaptConfig, model, optimizer, loader, n: int):
    """(model, optimizer, loader, privacy engine, what it promises) for DP-SGD with Opacus: per-sample gradients
    clipped to `max_grad_norm`, Gaussian noise scaled for `dp_epsilon` over all epochs (the
    accountant finds the noise multiplier), batches drawn by Poisson sampling.

    Raises:
        VulntuneError: an epsilon Opacus cannot reach with these epochs and batches, or a model
            it cannot compute per-sample gradients for.
    """
    from opacus import PrivacyEngine

    delta = dp_delta(n)
    try:
        with warnings.catch_warnings():
            # the noise comes from a seeded generator (reproducible; recorded as secure_rng false), and
            # the accountant's note that a larger RDP order might tighten the bound (it is an upper bound)
            warnings.filterwarnings("ignore", message="Secure RNG turned off")
            warnings.filterwarnings("ignore", message="Optimal order is the largest alpha")
            engine = PrivacyEngine(accountant="rdp")
            model, optimizer, loader = engine.make_private_with_epsilon(
                module=model,
                optimizer=optimizer,
                data_loader=loader,
                target_epsilon=config.dp_epsilon,
                target_delta=delta,
                epochs=config.epochs,
                max_grad_norm=config.max_grad_norm,
                noise_generator=torch_generator(config.seed),
            )
    except (ValueError, NotImplementedError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise VulntuneError(f"--dp-epsilon {config.dp_epsilon:g}: Opacus cannot honour it ({first})") from None
    record = {
        "target_epsilon": config.dp_epsilon,
        "delta": delta,
        "max_grad_norm": config.max_grad_norm,
        "noise_multiplier": round(float(optimizer.noise_multiplier), 4),
        "sample_rate": round(float(getattr(loader, "sample_rate", config.batch_size / n)), 6),
        "accountant": "rdp",
        "secure_rng": False,
        "records_and_replay": n,
    }
    return model, optimizer, loader, engine, record


def torch_generator(seed: int):
    import torch

    return torch.Generator().manual_seed(seed)


def enough_to_calibrate(dismissed: int, target_fpr: float) -> bool:
    """Whether `dismissed` held-out dismissed records can choose a threshold for `target_fpr`.

    A threshold for a false positive rate of t lets floor(t x n) of n safe scores reach it; with
    fewer than 1 / t of them that is zero, and the threshold is just above the single highest
    dismissed score: one record decides it, and no rate is measured. So at least ceil(1 / t)
    (100 at the usual 1%, 10 at 10%).
    """
    return dismissed >= math.ceil(1.0 / max(target_fpr, 1e-9) - 1e-9)


def split_records(
    records: Sequence[TriageRecord], *, holdout: float, target_fpr: float, seed: int
) -> tuple[list[TriageRecord], list[TriageRecord]]:
    """(train, held out): a seeded `holdout` share of each status held out, or none when the
    held-out dismissed records would be too few to calibrate on."""
    rng = random.Random(seed)
    train, held = [], []
    by_status = {s: [r for r in records if r.status == s] for s in (DISMISSED, CONFIRMED)}
    if not enough_to_calibrate(int(holdout * len(by_status[DISMISSED])), target_fpr):
        return list(records), []
    for group in by_status.values():
        group = list(group)
        rng.shuffle(group)
        cut = int(holdout * len(group))
        held += group[:cut]
        train += group[cut:]
    return train, held


def adapt(config: AdaptConfig) -> Path:
    """Adapt `config.model` to the triage file and save it as `config.out`; returns the folder.

    Raises:
        VulntuneError: a bad triage file (see `vulntune.triage.records`), a base that cannot be
            adapted, a missing corpus without `triage_only`, an existing output.
    """
    # ---------------------------------------------------------------- setup: records
    check_dp(config.dp_epsilon)
    from vulntune.models.deferred import open_detector

    out = Path(config.out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not config.force)):
        raise VulntuneError(f"{out}: folder exists and is not empty (pass --force to replace it)")
    triage = read_triage_file(config.triage)
    detector = open_detector(config.model)
    meta = dict(detector.meta)
    check_dp(config.dp_epsilon, meta["kind"])
    check_model(triage, fingerprint=detector.fingerprint, languages=detector.languages, model=config.model)

    # ---------------------------------------------------------------- setup: replay
    corpus, validation, where = replay_corpus(meta, model=Path(config.model))
    if corpus is None:
        if not config.triage_only:
            raise VulntuneError(
                f"--model {config.model}: its training data ({where}) is not on disk; pass --triage-only to "
                "adapt on the triage records alone (the judge may then forget what it knew)"
            )
        corpus, validation = [], []
    scan = _scan(config, detector, triage) if config.source else None
    records = records_from(triage, scan)
    labels = tuple(meta["labels"])
    for record in records:
        if record.status == CONFIRMED and record.cwe not in labels:
            raise VulntuneError(
                f"{record.file}:{record.line}: confirmed {record.cwe}, a CWE --model {config.model} has no class for"
            )
    target_fpr = float((meta.get("calibration") or {}).get("target_fpr") or 0.01)
    train_records, held = split_records(records, holdout=config.holdout, target_fpr=target_fpr, seed=config.seed)

    triage_record = {
        "file": str(config.triage),
        "sha256": triage.sha256,
        "kind": triage.kind,
        **counts(records),
        "trained_on": len(train_records),
        "held_out": len(held),
        "inline_suppressions": sum(r.source == "inline" for r in records),
        "base_fingerprint": detector.fingerprint,
        "base_model": str(config.model),
        "replay_source": where if corpus else None,
        "seed": config.seed,
        "dp_epsilon": None,
    }

    # ---------------------------------------------------------------- train, calibrate, save
    if meta["kind"] == "tfidf":
        folder = _adapt_tfidf(config, detector, train_records, held, corpus, validation, triage_record, target_fpr)
    else:
        folder = _adapt_transformer(config, meta, train_records, held, corpus, triage_record, target_fpr)
    return folder


def _scan(config: AdaptConfig, detector, triage):
    """The triaged code scanned again by the base judge, with slices and no baseline."""
    from vulntune.scan import ScanConfig, scan_paths

    options: dict[str, Any] = {"explain": True, "cache": False, "min_confidence": 0.0, "min_severity": "low"}
    if triage.threat_model:
        options["threat_model"] = triage.threat_model
    report = scan_paths(list(config.source), detector=detector, config=ScanConfig(**options), cache=None)
    if report.input_error:
        first = next(s for s in report.skipped if s.error)
        raise VulntuneError(f"--source {first.path}: {first.reason}")
    return report


def replay_corpus(meta: dict[str, Any], *, model: Path) -> tuple[list | None, list | None, str]:
    """(training samples, validation samples, where) of the base as its metadata records them,
    cut into slices as the base read them; (None, None, where) when they are not on disk.

    A relative path was relative to where training ran: it is looked for from the current folder,
    then from each folder above the model folder (`models/x` trained from the project root)."""
    from vulntune.train import TrainConfig, load_data

    recorded = dict(meta.get("training_config") or {})
    where = str(recorded.get("data") or recorded.get("train_file") or "not recorded")
    known = {f.name for f in fields(TrainConfig)}
    options = {k: v for k, v in recorded.items() if k in known and v is not None}
    first = next((Path(options[k]) for k in ("data", "train_file") if k in options), None)
    if first is None:
        return None, None, where
    bases = [Path.cwd(), *Path(model).resolve().parents] if not first.is_absolute() else [Path("/")]
    base = next((b for b in bases if (b / first).exists()), None)
    if base is None:
        return None, None, where
    for key in ("data", "train_file", "validation_file"):
        if key in options:
            options[key] = base / options[key]
    where = str(base / first)
    options["out"] = Path("unused")
    options.pop("trunk_store", None)
    options.pop("trunk_cache", None)
    options.pop("resume", None)
    try:
        train_config = TrainConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in options.items()})
        corpus, validation = load_data(train_config)
    except (VulntuneError, TypeError):
        return None, None, where
    if train_config.unit == "slice":
        from vulntune.slices import slice_samples, validation_slices

        corpus = slice_samples(corpus, gate=train_config.gate)
        validation = validation_slices(validation, gate=train_config.gate)
    return corpus, validation, where


def _adapt_tfidf(config, detector, train_records, held, corpus, validation, triage_record, target_fpr) -> Path:
    from vulntune.models.baseline import save_tfidf, train_tfidf
    from vulntune.models.calibrate import calibration_record

    samples = [r.sample() for r in train_records]
    # each record weighs w so that the records carry TRIAGE_SHARE of the weight: w n = share (w n + corpus)
    weight = max(1.0, TRIAGE_SHARE * len(corpus) / ((1 - TRIAGE_SHARE) * len(samples))) if corpus else 1.0
    training_config = detector.meta.get("training_config") or {}
    adapted = train_tfidf(
        [*corpus, *samples],
        validation=None,
        seed=config.seed,
        max_features=int(training_config.get("max_features") or 50_000),
        c=float(training_config.get("c") or 10.0),
        weights=[1.0] * len(corpus) + [weight] * len(samples),
    )
    triage_record["record_weight"] = round(weight, 3)
    adapted.meta["train_samples"] = len(corpus) + len(samples)
    base_meta = detector.meta
    if held:
        calibration = calibration_record(adapted, [r.sample() for r in held], target_fpr=target_fpr)
        triage_record["thresholds_from"] = f"{len(held)} held-out triage records"
    elif validation:
        calibration = calibration_record(adapted, validation, target_fpr=target_fpr)
        triage_record["thresholds_from"] = "the base's validation split (a refit model: the base's do not apply)"
    else:
        calibration = {k: base_meta.get(k) for k in ("threshold", "thresholds", "calibration", "operating_points")}
        calibration["validation_metrics"] = None
        triage_record["thresholds_from"] = "the base model (no held-out records, no validation split on disk)"
    adapted.threshold, adapted.thresholds = float(calibration["threshold"]), dict(calibration["thresholds"] or {})
    adapted.__post_init__()  # the thresholds are part of the fingerprint
    adapted.meta.update(calibration)
    adapted.meta["training_config"] = {**base_meta.get("training_config", {}), **adapted.meta["training_config"]}
    for key in ("corpus_fingerprint", "validation_fingerprint", "train_samples", "validation_samples"):
        if key in base_meta:
            adapted.meta.setdefault(f"base_{key}", base_meta[key])
    adapted.meta["triage"] = triage_record
    return save_tfidf(adapted, config.out, force=config.force)


def _adapt_transformer(config, meta, train_records, held, corpus, triage_record, target_fpr) -> Path:
    """Continue training the base's adapter and head on the records and a replay sample."""
    if meta["kind"] != "classify" or meta.get("method") not in ("lora", "ia3"):
        raise VulntuneError(
            f"--model {config.model}: only classify judges with a LoRA or IA3 adapter can be adapted "
            f"(this one: {meta['kind']}, {meta.get('method')})"
        )
    import torch
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification

    from vulntune.atomic import atomic_dir
    from vulntune.models.calibrate import calibration_record
    from vulntune.models.card import write_card
    from vulntune.models.detector import load_transformer
    from vulntune.models.folder import write_meta
    from vulntune.models.labels import class_of
    from vulntune.models.pooling import set_pooling
    from vulntune.models.sources import resolve_base
    from vulntune.models.transformer import (
        ADAPTER_CONFIG,
        ADAPTER_WEIGHTS,
        depth_override,
        quiet_transformers,
    )
    from vulntune.models.windows import code_window, load_tokenizer, right_padded
    from vulntune.train import class_weights

    rng = random.Random(config.seed)
    records = [r.sample() for r in train_records]
    replay = rng.sample(corpus, min(len(corpus), math.ceil(config.replay * len(records)))) if corpus else []
    samples = [*records, *replay]
    labels = list(meta["labels"])
    torch.manual_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    base = resolve_base((meta.get("base") or {}).get("name", ""))
    with quiet_transformers():
        tokenizer = load_tokenizer(base.path)
        model = AutoModelForSequenceClassification.from_pretrained(
            str(base.path),
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            pad_token_id=tokenizer.pad_token_id,
            **depth_override(base, meta.get("base_layers")),
        )
        set_pooling(model, meta.get("pooling", "last"))
        model = PeftModel.from_pretrained(model, str(config.model), is_trainable=True)
    present = {class_of(s) for s in samples}
    balanced = "safe" in present and len(present) > 1  # class_weights needs safe samples and another class
    weights = torch.tensor([w or 1.0 for w in class_weights(samples, labels)] if balanced else [1.0] * len(labels))
    examples = [
        (
            code_window(tokenizer, s.code, budget=int(meta["max_length"]), sink_line=s.sink_line),
            labels.index(class_of(s)),
        )
        for s in samples
    ]
    # One padded tensor (each batch cut to its longest row): DP-SGD's Poisson batches need a plain dataset.
    ids, mask = right_padded([e[0] for e in examples], tokenizer.pad_token_id)
    dataset = torch.utils.data.TensorDataset(ids, mask, torch.tensor([e[1] for e in examples]))
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=config.batch_size, shuffle=True, generator=torch.Generator().manual_seed(config.seed)
    )
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=0.0)
    engine = None
    if config.dp_epsilon is not None:
        model, optimizer, loader, engine, triage_record["dp"] = make_private(
            config, model, optimizer, loader, len(dataset)
        )
    model.train()
    history = []
    with warnings.catch_warnings():
        # Opacus' hooks on a frozen input, and its note that a larger RDP order might tighten epsilon
        # (the epsilon recorded is an upper bound either way)
        warnings.filterwarnings("ignore", message="Full backward hook is firing")
        warnings.filterwarnings("ignore", message="Optimal order is the largest alpha")
        train_loop(config, model, optimizer, loader, weights, history)
        if engine is not None:
            triage_record["dp"] = {
                **triage_record["dp"],
                "epsilon": round(float(engine.get_epsilon(triage_record["dp"]["delta"])), 4),
                "steps": len(history),
            }
            triage_record["dp_epsilon"] = triage_record["dp"]["epsilon"]
            model = model._module  # the PEFT model inside Opacus' per-sample gradient wrapper
    model.eval()

    adapted = {k: v for k, v in meta.items() if k not in ("files", "format", "vulntune_version")}
    triage_record["replay_samples"] = len(replay)
    triage_record["loss"] = [round(h["loss"], 4) for h in history[-5:]]
    adapted["triage"] = triage_record
    adapted["training_config"] = {
        **(meta.get("training_config") or {}),
        "triage": {f.name: _plain(getattr(config, f.name)) for f in fields(AdaptConfig)},
    }
    weight_files = [ADAPTER_WEIGHTS, ADAPTER_CONFIG]
    try:
        with atomic_dir(config.out, force=config.force) as tmp:
            model.save_pretrained(tmp, safe_serialization=True)
            if held:
                from vulntune.models.folder import sha256_file

                adapted["files"] = {name: sha256_file(tmp / name) for name in weight_files}
                detector = load_transformer(tmp, adapted, batch_size=config.batch_size)
                adapted.update(calibration_record(detector, [r.sample() for r in held], target_fpr=target_fpr))
                del adapted["files"]
                triage_record["thresholds_from"] = f"{len(held)} held-out triage records"
            else:
                triage_record["thresholds_from"] = "the base model (too few held-out records to recalibrate on)"
            record = write_meta(tmp, adapted, weight_files=weight_files)
            write_card(tmp, record)
    except FileExistsError:
        raise VulntuneError(f"{config.out}: folder exists and is not empty (pass --force to replace it)") from None
    return Path(config.out)


def train_loop(config: AdaptConfig, model, optimizer, loader, weights, history: list) -> None:
    """Epochs over the records and replay: weighted cross-entropy over the head, one optimizer step a batch."""
    import torch.nn.functional as F
    from tqdm.auto import tqdm

    bar = tqdm(total=config.epochs * len(loader), desc="adapt", unit="step", disable=not config.progress)
    for epoch in range(config.epochs):
        for batch_ids, batch_mask, target in loader:
            bar.update()
            if not len(target):  # Poisson sampling may draw an empty batch
                continue
            width = int(batch_mask.sum(-1).max())
            logits = model(input_ids=batch_ids[:, :width], attention_mask=batch_mask[:, :width]).logits.float()
            # the mean of weighted per-sample losses: each sample's gradient is its own (DP-SGD clips it alone)
            loss = F.cross_entropy(logits, target, weight=weights, reduction="none").mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history.append({"epoch": epoch, "loss": loss.item()})
            bar.set_postfix_str(f"loss={loss.item():.4g}", refresh=False)
    bar.close()


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value
