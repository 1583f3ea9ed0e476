"""Fine-tune a CWE detector: setup, train, calibrate, save. Read it top to bottom.

    vulntune train --data data/synth --base smollm2-135m --objective classify --method lora --out models/x

or from Python (the study does this):

    from vulntune.train import TrainConfig, train
    folder = train(TrainConfig(data=Path("data/synth"), base="tiny", max_steps=20, out=Path("models/t")))

The Hugging Face `Trainer` runs the loop, so `accelerate launch` / `torchrun` scale it without code
changes. Checkpoints go to `<out>.checkpoints/` and are removed once the model folder is complete;
the model folder itself appears only when complete (atomic rename), so an interrupted run leaves
checkpoints to `--resume` from, never a half-written model.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vulntune.atomic import atomic_dir
from vulntune.config import from_mapping, load_toml, to_mapping
from vulntune.cwe import LANGUAGES
from vulntune.data import Sample, fingerprint, read_samples, read_split_dir
from vulntune.errors import VulntuneError
from vulntune.models.calibrate import calibration_record
from vulntune.models.card import write_card
from vulntune.models.folder import sha256_file, write_meta
from vulntune.models.labels import class_of, classes_by_language, label_map
from vulntune.models.sources import DEFAULT_BASE, is_tfidf
from vulntune.progress import elapsed
from vulntune.slices import GATES, MINED, slice_samples, validation_slices
from vulntune.unit_samples import calibration_set, scan_unit_samples

UNITS = ("file", "slice")
OBJECTIVES = ("classify", "instruct", "zero-shot")
METHODS = ("lora", "ia3", "full")
PRECISIONS = ("auto", "bf16", "fp32")
POOLINGS = ("last", "max")  # vulntune.models.pooling.POOLINGS, without importing torch here
RUN_FILE = "vulntune-run.json"  # inside the checkpoint folder: what the interrupted run was


@dataclass(kw_only=True)
class TrainConfig:
    """Everything a training run depends on. Recipes (TOML) and CLI flags fill the same fields.

    Attributes:
        data: a synth folder holding train.jsonl and validation.jsonl.
        train_file: explicit training JSONL (instead of `data`).
        validation_file: explicit validation JSONL (instead of `data`).
        out: the model folder to write.
        base: base model: smollm2-135m, tiny, tfidf, a local model folder or a hub id.
        objective: classify (head over safe + CWEs), instruct (scored label strings), or zero-shot
            (no training: the base model with the instruct prompt, threshold calibrated).
        method: lora, ia3 or full fine-tuning.
        languages: train and calibrate only on these languages.
        max_length: tokens per training sequence; long code keeps a window around its sink line.
        epochs: passes over the training data (fractions allowed).
        max_steps: stop after this many optimizer steps (overrides epochs).
        batch_size: sequences per step and device.
        eval_batch_size: sequences per forward pass in evaluation and calibration.
        gradient_accumulation: batches accumulated per optimizer step.
        learning_rate: peak learning rate (linear warmup, then linear decay).
        head_learning_rate: peak learning rate of the new classification head (classify; default:
            learning_rate). The head reads hidden states of large norm (SmolLM2-135M: about 50 per
            token, 110 max-pooled), so one Adam step at a LoRA-sized rate moves its logits by whole
            units and the loss oscillates instead of falling.
        warmup: warmup steps, or a fraction of all steps when below 1.
        weight_decay: AdamW weight decay.
        lora_r, lora_alpha, lora_dropout: LoRA rank, scale and dropout. Dropout is 0 by default:
            it keeps a copy of every adapted layer's input for backward (measured on SmolLM2-135M,
            batch 4 x 512, all layers: 9.2 GB peak RSS with 0.05, 6.3 GB without, and 15% slower).
        pooling: how the classify head reads a window: "last" (the last token, Hugging Face's
            default) or "max" (per dimension, the maximum over all tokens; see `vulntune.models.pooling`).
        base_layers: keep only the first N blocks of the base (None: all): a shallower judge,
            cheaper to train and to run in proportion (SmolLM2-135M has 30 blocks). The head then
            reads the hidden states of block N; the model folder records N, and loading cuts the
            base the same way. The tfidf base ignores it, as it ignores the LoRA settings.
        lora_top_layers: adapt only the top N transformer layers (None: all). Backward then stops
            at layer N from the top: on 2 CPU cores SmolLM2-135M trains 2.6x faster with N=8 of 30
            (10.8 s instead of 27.9 s per step of 8 x 512 tokens, bf16, no dropout).
        trunk_cache: with lora_top_layers (classify), run the frozen blocks below the adapted ones
            once per training window and train from their stored outputs (see
            `vulntune.models.trunk`): each step then runs only the top blocks. Costs memory: 4
            bytes x hidden size per training token (SmolLM2-135M, 6,600 windows of 256: 3.9 GB).
        trunk_store: with trunk_cache, a folder that keeps trunk outputs between runs (per base
            checksum, dtype and first trained block; the same bytes on disk as in memory): a run
            passes only the windows no earlier run stored (the study's cells share one).
        unit: what the detector reads: "file" (whole corpus samples, and scan units with
            `scan_units`) or "slice" (the slice of every candidate sink, cut from training,
            validation and calibration samples by `vulntune.analysis`, labelled as
            `vulntune.slices` says; the scanner then judges slices too).
        gate: with unit "slice", which candidates the judge is trained, calibrated and later
            asked about: "none" (all) or "reachability" (only the statically reachable ones,
            `CandidateSlice.reachable`; evaluation and the scanner do not flag the others).
        scan_units: also train on scan units cut from the training files (see
            `vulntune.unit_samples`): each file's sink unit with the file's label, and one other
            unit of each vulnerable file as safe; and calibrate on the units cut from the
            calibration samples as well as on the samples. The scanner scores units, mostly far
            shorter than the files the corpus holds.
        lora_targets: module names LoRA adapts; ["all-linear"] means every linear layer but the output.
        ia3_targets, ia3_feedforward: IA3 module names (feedforward ones scale their input).
        balance: "weighted-loss" weights safe and vulnerable equally and CWEs equally among the
            vulnerable; "none" uses the raw frequencies.
        mined_weight: the loss weight of a weak negative mined from real code (safe kind `mined`,
            `vulntune.synth.mined`) relative to a labelled sample's: below 1 says "mostly safe,
            unchecked" (objective classify).
        batching: "length" groups samples of similar length (least padding); "twins" keeps each
            vulnerable/safe twin pair in one batch (see `vulntune.batching`; use an even batch_size).
        target_fpr: the threshold is the smallest whose validation FPR is at most this.
        eval_steps: evaluate (and checkpoint) every this many steps.
        eval_samples: cap on validation samples used for the periodic evaluation loss.
        calibration_samples: cap on validation samples the threshold is calibrated on (a seeded
            stratified subsample keeping twins together); None: all. Calibration scores whole
            samples as windows, so on CPU it can cost as much as a quarter of the training.
        early_stopping_patience: stop after this many evaluations without a better eval loss
            (0 disables); the best checkpoint is restored.
        logging_steps: log the training loss every this many steps.
        precision: fp32 (default), bf16 (autocast), or auto (bf16 where the hardware has bf16
            units: GPUs, CPUs with AVX512-BF16/AMX). Measured on the 2-core AVX512-BF16 Xeon this
            was developed on (SmolLM2-135M, LoRA top 8 blocks, 8 x 453 tokens): fp32 9.2 s/step,
            bf16 14.4 s/step; bf16 only saves memory there (3.0 GB vs 3.8 GB peak RSS).
        threads: torch CPU threads (default: torch's choice).
        seed: fixes initialisation, data order and dropout.
        resume: continue from the last checkpoint in `<out>.checkpoints/`.
        force: replace an existing model folder, discard stale checkpoints.
        keep_checkpoints: keep `<out>.checkpoints/` after success.
        progress: show a progress bar on stderr.
    """

    data: Path | None = None
    train_file: Path | None = None
    validation_file: Path | None = None
    out: Path | None = None
    base: str = DEFAULT_BASE
    objective: str = "classify"
    method: str = "lora"
    languages: tuple[str, ...] = LANGUAGES
    max_length: int = 512
    pooling: str = "last"
    epochs: float = 1.0
    max_steps: int | None = None
    batch_size: int = 8
    eval_batch_size: int = 16
    gradient_accumulation: int = 1
    learning_rate: float = 5e-4
    head_learning_rate: float | None = None
    warmup: float = 0.03
    weight_decay: float = 0.0
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.0
    lora_targets: tuple[str, ...] = ("all-linear",)
    base_layers: int | None = None
    lora_top_layers: int | None = None
    trunk_cache: bool = False
    trunk_store: str | None = None
    unit: str = "file"
    gate: str = "none"
    scan_units: bool = False
    ia3_targets: tuple[str, ...] = ("k_proj", "v_proj", "down_proj")
    ia3_feedforward: tuple[str, ...] = ("down_proj",)
    balance: str = "weighted-loss"
    mined_weight: float = 1.0
    batching: str = "length"
    target_fpr: float = 0.01
    eval_steps: int = 200
    eval_samples: int = 512
    calibration_samples: int | None = None
    early_stopping_patience: int = 3
    logging_steps: int = 10
    precision: str = "fp32"
    threads: int | None = None
    seed: int = 0
    resume: bool = False
    force: bool = False
    keep_checkpoints: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        def choose(key: str, allowed: Sequence[str]) -> None:
            if getattr(self, key) not in allowed:
                raise VulntuneError(
                    f"config key '{key}': expected one of {', '.join(allowed)}, got {getattr(self, key)!r}"
                )

        def positive(key: str, *, zero_ok: bool = False) -> None:
            value = getattr(self, key)
            if value is not None and (value < 0 or (value == 0 and not zero_ok)):
                raise VulntuneError(f"config key '{key}': must be {'>= 0' if zero_ok else '> 0'}, got {value!r}")

        choose("objective", OBJECTIVES)
        choose("method", METHODS)
        choose("precision", PRECISIONS)
        choose("pooling", POOLINGS)
        if self.pooling != "last" and self.objective != "classify":
            raise VulntuneError(f"config key 'pooling': only applies to objective classify, not {self.objective}")
        choose("balance", ("weighted-loss", "none"))
        if not 0.0 < self.mined_weight <= 1.0:
            raise VulntuneError(f"config key 'mined_weight': must be in (0, 1], got {self.mined_weight!r}")
        if self.mined_weight != 1.0 and self.objective != "classify":
            raise VulntuneError("config key 'mined_weight': only applies to objective classify")
        choose("batching", ("length", "twins"))
        choose("unit", UNITS)
        if self.unit == "slice" and self.scan_units:
            raise VulntuneError("'scan_units' cuts files into functions; it does not combine with unit = \"slice\"")
        choose("gate", GATES)
        if self.gate != "none" and self.unit != "slice":
            raise VulntuneError(
                "config key 'gate': candidates are gated only when the judge reads slices (unit = \"slice\")"
            )
        if self.batching == "twins" and self.batch_size % 2:
            raise VulntuneError(
                f"config key 'batch_size': batching = \"twins\" needs an even batch size, got {self.batch_size}"
            )
        for language in self.languages:
            if language not in LANGUAGES:
                raise VulntuneError(
                    f"config key 'languages': unknown language {language!r} (supported: {', '.join(LANGUAGES)})"
                )
        if not self.languages:
            raise VulntuneError("config key 'languages': needs at least one language")
        for key in (
            "max_length",
            "epochs",
            "max_steps",
            "batch_size",
            "eval_batch_size",
            "gradient_accumulation",
            "learning_rate",
            "head_learning_rate",
            "lora_r",
            "lora_alpha",
            "base_layers",
            "eval_steps",
            "eval_samples",
            "calibration_samples",
            "logging_steps",
            "threads",
        ):
            positive(key)
        for key in ("warmup", "weight_decay", "lora_dropout", "early_stopping_patience"):
            positive(key, zero_ok=True)
        if self.lora_top_layers is not None:
            positive("lora_top_layers")
            if self.method != "lora":
                raise VulntuneError(f"config key 'lora_top_layers': only applies to method lora, not {self.method}")
        if self.head_learning_rate is not None and self.objective != "classify":
            raise VulntuneError(
                f"config key 'head_learning_rate': only applies to objective classify, not {self.objective}"
            )
        if self.trunk_cache and (self.lora_top_layers is None or self.objective != "classify"):
            raise VulntuneError("config key 'trunk_cache': needs objective classify, method lora and lora_top_layers")
        if self.trunk_store is not None and not self.trunk_cache:
            raise VulntuneError("config key 'trunk_store': only applies with trunk_cache = true")
        if not 0.0 <= self.target_fpr <= 1.0:
            raise VulntuneError(f"config key 'target_fpr': must be in [0, 1], got {self.target_fpr}")
        if self.max_length < 32:
            raise VulntuneError(f"config key 'max_length': at least 32 tokens, got {self.max_length}")
        if self.data is None and self.train_file is None:
            raise VulntuneError("no training data: give 'data' (a synth folder) or 'train_file'")
        if self.data is not None and (self.train_file is not None or self.validation_file is not None):
            raise VulntuneError("give either 'data' (a synth folder) or 'train_file'/'validation_file', not both")
        if self.out is None:
            raise VulntuneError("config key 'out': the model folder to write is required")


def load_config(recipe: Path | None = None, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """A TrainConfig from a TOML recipe (top-level keys are TrainConfig fields) and overrides."""
    mapping: dict[str, Any] = dict(load_toml(recipe)) if recipe else {}
    mapping.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return from_mapping(TrainConfig, mapping, where=str(recipe) if recipe else "train options")


def checkpoint_dir(out: Path) -> Path:
    return out.with_name(out.name + ".checkpoints")


def train(config: TrainConfig, *, callbacks: Sequence[Any] = ()) -> Path:
    """Train, calibrate and save a detector as `config.out`; returns the model folder.

    Args:
        config: the run.
        callbacks: extra `transformers.TrainerCallback`s (e.g. for tests or a study's progress).

    Raises:
        VulntuneError: bad data, an unknown base, an existing output, a checkpoint mismatch.
    """
    # ---------------------------------------------------------------- setup: data and labels
    out = Path(config.out)
    train_samples, validation = load_data(config)
    files = {"train_files": len(train_samples), "validation_files": len(validation)}
    if config.unit == "slice":
        train_samples = slice_samples(train_samples, gate=config.gate)
        validation = validation_slices(validation, gate=config.gate)
    labels = label_map(train_samples)
    if not validation:
        raise VulntuneError("validation data: no samples for the chosen languages (needed to calibrate the threshold)")
    if out.exists() and not out.is_dir():
        raise VulntuneError(f"{out}: exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not config.force:
        raise VulntuneError(f"{out}: folder exists and is not empty (pass --force to replace it)")
    languages = tuple(sorted({s.language for s in train_samples}))
    corpus = {
        "corpus_fingerprint": fingerprint(train_samples),
        "validation_fingerprint": fingerprint(validation),
        "train_samples": len(train_samples),
        "validation_samples": len(validation),
        **(files if config.unit == "slice" else {}),
    }
    if config.objective == "classify" and not is_tfidf(config.base):  # what ClassifierDetector restricts itself to
        corpus["classes_by_language"] = classes_by_language(train_samples, labels)
    if config.scan_units:
        units = scan_unit_samples(train_samples, seed=config.seed)
        corpus["train_units"] = len(units)
        train_samples = train_samples + units

    if is_tfidf(config.base):
        return train_tfidf_folder(config, train_samples, validation, corpus)

    from vulntune.models.transformer import quiet_transformers

    with quiet_transformers():  # load reports and deprecation chatter would bury the progress bar
        return train_transformer(config, out, train_samples, validation, labels, languages, corpus, callbacks)


def train_transformer(
    config: TrainConfig,
    out: Path,
    train_samples: list[Sample],
    validation: list[Sample],
    labels: tuple[str, ...],
    languages: tuple[str, ...],
    corpus: dict[str, Any],
    callbacks: Sequence[Any],
) -> Path:
    """The transformer part of `train`: model setup, the Trainer loop, then calibrate and save."""
    import torch
    import transformers
    from transformers import EarlyStoppingCallback, Trainer, TrainingArguments

    from vulntune.models.sources import resolve_base
    from vulntune.models.windows import load_tokenizer

    ckpt = checkpoint_dir(out)
    resume = prepare_checkpoints(config, ckpt, labels, corpus)
    if config.threads:
        torch.set_num_threads(config.threads)
    transformers.set_seed(config.seed)
    base = resolve_base(config.base)
    tokenizer = load_tokenizer(base.path)
    if config.objective == "zero-shot":
        return save_folder(
            config, out, base, None, tokenizer, labels, languages, validation, corpus, history=[], steps=0, seconds=0.0
        )

    # ---------------------------------------------------------------- setup: model and examples
    model = build_model(config, base, tokenizer, labels)
    encoder = Encoder(config, tokenizer, labels)
    train_set = [encoder.example(s) for s in train_samples]
    eval_pool = [s for s in validation if class_of(s) in labels]  # an unseen CWE has no class to score
    eval_set = [
        encoder.example(s)
        for s in random.Random(config.seed).sample(eval_pool, min(len(eval_pool), config.eval_samples))
    ]
    weights = (
        class_weights(train_samples, labels, mined_weight=config.mined_weight)
        if config.balance == "weighted-loss"
        else [1.0] * len(labels)
    )
    loss_fn = make_loss(config.objective, weights, encoder, mined_weight=config.mined_weight)
    trained, collate, trunk_seconds, trunk_windows = model, encoder.collate, None, None
    if config.trunk_cache:  # the frozen lower blocks run once per window, not once per step
        started = time.monotonic()
        trained, collate, *trunk_windows = with_trunk_cache(
            config, model, tokenizer, train_set, eval_set, base_sha256=base.sha256
        )
        trunk_seconds = time.monotonic() - started

    use_bf16 = bf16_supported() if config.precision == "auto" else config.precision == "bf16"
    early = config.early_stopping_patience > 0 and bool(eval_set)
    args = TrainingArguments(
        output_dir=str(ckpt),
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.eval_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps or -1,
        learning_rate=config.learning_rate,
        warmup_steps=config.warmup,
        weight_decay=config.weight_decay,
        lr_scheduler_type="linear",
        logging_steps=config.logging_steps,
        eval_strategy="steps" if eval_set else "no",
        eval_steps=config.eval_steps,
        save_strategy="steps",
        save_steps=config.eval_steps,  # a checkpoint at every evaluation, so the best one can be restored
        save_total_limit=2,
        load_best_model_at_end=early,
        metric_for_best_model="eval_loss",
        greater_is_better=False,
        seed=config.seed,
        data_seed=config.seed,
        bf16=use_bf16,
        use_cpu=not torch.cuda.is_available(),
        train_sampling_strategy="group_by_length",  # batches of similar length: less padding on CPU (batching = "length")
        remove_unused_columns=False,
        include_num_input_tokens_seen="non_padding",
        report_to="none",
        disable_tqdm=True,  # our own bar below shows tokens/s
        dataloader_num_workers=0,
    )
    progress = ProgressBar(enabled=config.progress)
    trainer_class = Trainer
    if config.batching == "twins":
        from vulntune.batching import make_twin_sampler

        class TwinTrainer(Trainer):
            def _get_train_sampler(self, train_dataset=None):
                return make_twin_sampler(train_samples, seed=config.seed, batch_size=config.batch_size)

        trainer_class = TwinTrainer
    trainer = trainer_class(
        model=trained,
        args=args,
        train_dataset=train_set,
        eval_dataset=eval_set or None,
        data_collator=collate,
        compute_loss_func=loss_fn,
        optimizers=(make_optimizer(config, trained), None),  # None, None: the Trainer's own AdamW
        callbacks=[progress, *([EarlyStoppingCallback(config.early_stopping_patience)] if early else []), *callbacks],
    )
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(ProgressCallback)
    trainer.remove_callback(PrinterCallback)  # prints raw log dicts; the bar shows them

    # ---------------------------------------------------------------- train
    started = time.monotonic()
    trainer.train(resume_from_checkpoint=resume)
    seconds = time.monotonic() - started
    history = trainer.state.log_history
    model = trainer.model.peft_model if config.trunk_cache else trainer.model  # the best weights, if restored

    # ---------------------------------------------------------------- calibrate and save
    folder = save_folder(
        config,
        out,
        base,
        model,
        tokenizer,
        labels,
        languages,
        validation,
        corpus,
        history=history,
        steps=trainer.state.global_step,
        seconds=seconds,
        tokens_per_second=progress.tokens_per_second,
        resumed_from=progress.resumed_from,
        tokens_per_cpu_second=progress.tokens_per_cpu_second,
        precision="bf16" if use_bf16 else "fp32",
        trunk_seconds=trunk_seconds,
        trunk_windows=trunk_windows,
    )
    if not config.keep_checkpoints:
        shutil.rmtree(ckpt, ignore_errors=True)
    return folder


def make_optimizer(config: TrainConfig, model):
    """AdamW with the head at `head_learning_rate`, or None (the Trainer's AdamW) when it is not set."""
    if config.head_learning_rate is None:
        return None
    import torch

    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    head = [p for name, p in trainable if ".score." in f".{name}."]
    if not head:
        raise VulntuneError("config key 'head_learning_rate': this model has no trainable 'score' head")
    body = [p for name, p in trainable if ".score." not in f".{name}."]
    groups = [{"params": body, "lr": config.learning_rate}, {"params": head, "lr": config.head_learning_rate}]
    return torch.optim.AdamW([g for g in groups if g["params"]], weight_decay=config.weight_decay)


def with_trunk_cache(
    config: TrainConfig,
    model,
    tokenizer,
    train_set: list[dict[str, Any]],
    eval_set: list[dict[str, Any]],
    *,
    base_sha256: str,
):
    """(the model to train, its collate function, the windows the trunk ran on, all windows) for
    `trunk_cache`: stores each window's trunk output (in memory, and in `config.trunk_store`
    when it names a folder, where a later run finds it)."""
    import functools

    from vulntune.models.trunk import (
        TopBlocks,
        check_top_blocks,
        collate_with_trunk,
        stored_trunk_outputs,
        trunk_outputs,
    )

    first = int(model.config.num_hidden_layers) - int(config.lora_top_layers)
    if first < 1:
        raise VulntuneError(
            f"config key 'trunk_cache': lora_top_layers = {config.lora_top_layers} adapts every block "
            f"of this base ({model.config.num_hidden_layers}); there is no frozen trunk to store"
        )
    pad = tokenizer.pad_token_id
    check_top_blocks(model, [e["input_ids"] for e in train_set[:4]], first_trained=first, pad=pad)
    dtype = str(next(model.parameters()).dtype).removeprefix("torch.")
    settings = dict(first_trained=first, pad=pad, batch_size=config.eval_batch_size, progress=config.progress)
    ran = 0
    for examples in (train_set, eval_set):
        windows = [e["input_ids"] for e in examples]
        if config.trunk_store:  # one folder per base, dtype and first trained block
            store = Path(config.trunk_store) / f"{base_sha256[:16]}-{dtype}-from-block-{first}"
            states, passed = stored_trunk_outputs(model, windows, store=store, **settings)
            ran += passed
        else:
            states = trunk_outputs(model, windows, **settings)
            ran += len(windows)
        for example, state in zip(examples, states):
            example["trunk"] = state
    trained = TopBlocks(model, first_trained=first)
    return trained, functools.partial(collate_with_trunk, pad=pad), ran, len(train_set) + len(eval_set)


def load_data(config: TrainConfig) -> tuple[list[Sample], list[Sample]]:
    """(train, validation) samples of the configured languages."""
    if config.data is not None:
        train_samples = read_split_dir(config.data, "train")
        validation = read_split_dir(config.data, "validation")
    else:
        train_samples = read_samples(config.train_file)
        if config.validation_file is None:
            raise VulntuneError("'validation_file' is required with 'train_file' (the threshold is calibrated on it)")
        validation = read_samples(config.validation_file)
    keep = set(config.languages)
    train_samples = [s for s in train_samples if s.language in keep]
    validation = [s for s in validation if s.language in keep]
    if not train_samples:
        raise VulntuneError(f"training data: no samples for languages {', '.join(config.languages)}")
    return train_samples, validation


def class_weights(samples: Sequence[Sample], labels: Sequence[str], *, mined_weight: float = 1.0) -> list[float]:
    """Loss weight per class: safe and vulnerable carry half the total weight each, CWEs share theirs equally.

    A plain "balanced" weighting would give one CWE class as much weight as all safe code, and
    a detector trained that way pays for recall with false positives. A mined weak negative
    counts as `mined_weight` of a sample, as the loss weighs it.
    """
    counts = {label: 0.0 for label in labels}
    for s in samples:
        counts[class_of(s)] += sample_weight(s, mined_weight)
    n = sum(counts.values())
    cwes = [c for c in labels[1:] if counts[c]]
    weights = [n / (2 * counts[labels[0]])]
    weights += [n / (2 * len(cwes) * counts[c]) if counts[c] else 0.0 for c in labels[1:]]
    return weights


def sample_weight(sample: Sample, mined_weight: float) -> float:
    """A sample's loss weight: `mined_weight` for a weak negative mined from real code, else 1."""
    return mined_weight if sample.safe_kind == MINED else 1.0


def bf16_supported() -> bool:
    """bf16 autocast pays off on GPUs with bf16 and on CPUs with AVX512-BF16 or AMX units."""
    import torch

    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


def prepare_checkpoints(config: TrainConfig, ckpt: Path, labels: Sequence[str], corpus: dict[str, Any]) -> bool:
    """Decide between a fresh run and a resumed one; record what the run is. Returns resume."""
    existing = sorted(ckpt.glob("checkpoint-*")) if ckpt.is_dir() else []
    run = {
        "base": config.base,
        "objective": config.objective,
        "method": config.method,
        "labels": list(labels),
        "max_length": config.max_length,
        "corpus_fingerprint": corpus["corpus_fingerprint"],
    }
    if config.resume:
        if not existing:
            raise VulntuneError(f"nothing to resume: no checkpoint in {ckpt}")
        try:
            previous = json.loads((ckpt / RUN_FILE).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            raise VulntuneError(
                f"{ckpt}: no readable {RUN_FILE}, cannot check the checkpoint belongs to this run"
            ) from None
        changed = sorted(k for k in run if previous.get(k) != run[k])
        if changed:
            raise VulntuneError(
                f"{ckpt}: the checkpoint was made with a different {changed[0]}; resume needs the same run"
            )
        return True
    if existing:
        if not config.force:
            raise VulntuneError(
                f"{ckpt} holds checkpoints of an interrupted run: pass --resume to continue it or --force to start over"
            )
        shutil.rmtree(ckpt)
    if config.objective != "zero-shot":
        ckpt.mkdir(parents=True, exist_ok=True)
        (ckpt / RUN_FILE).write_text(json.dumps(run, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return False


def build_model(config: TrainConfig, base, tokenizer, labels: Sequence[str]):
    """The base model with a classification head (classify) or as a causal LM (instruct), adapted per method."""
    from peft import IA3Config, LoraConfig, TaskType, get_peft_model
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    from vulntune.models.pooling import set_pooling
    from vulntune.models.transformer import depth_override

    base_path = base.path
    depth = depth_override(base, config.base_layers)

    if config.objective == "classify":
        model = AutoModelForSequenceClassification.from_pretrained(
            str(base_path),
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
            pad_token_id=tokenizer.pad_token_id,
            **depth,
        )
        set_pooling(model, config.pooling)  # before PEFT copies the head
        task = TaskType.SEQ_CLS  # PEFT also trains and saves the new head ("score") with the adapter
    else:
        model = AutoModelForCausalLM.from_pretrained(str(base_path), **depth)
        task = TaskType.CAUSAL_LM
    model.config.pad_token_id = tokenizer.pad_token_id
    if config.method == "full":
        return model
    if config.method == "lora":
        targets = "all-linear" if list(config.lora_targets) == ["all-linear"] else list(config.lora_targets)
        layers = None
        if config.lora_top_layers is not None:
            total = int(model.config.num_hidden_layers)
            layers = list(range(max(0, total - config.lora_top_layers), total))
            if targets == "all-linear":  # PEFT needs module names to pick layers: the linear layers of the blocks
                import torch

                targets = sorted(
                    {
                        name.rsplit(".", 1)[-1]
                        for name, module in model.named_modules()
                        if isinstance(module, torch.nn.Linear) and ".layers." in name
                    }
                )
        peft_config = LoraConfig(
            task_type=task,
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=targets,
            layers_to_transform=layers,
        )
    else:
        peft_config = IA3Config(
            task_type=task, target_modules=list(config.ia3_targets), feedforward_modules=list(config.ia3_feedforward)
        )
    try:
        return get_peft_model(model, peft_config)
    except ValueError as exc:
        raise VulntuneError(
            f"{config.method}: {str(exc).splitlines()[0]} (set lora_targets / ia3_targets for this base)"
        ) from None


class Encoder:
    """Samples to token ids, and batches to padded tensors, for one objective."""

    def __init__(self, config: TrainConfig, tokenizer, labels: Sequence[str]):
        from vulntune.models.instruct import PromptCodec

        self.objective = config.objective
        self.tokenizer = tokenizer
        self.labels = tuple(labels)
        self.max_length = config.max_length
        self.pad = tokenizer.pad_token_id
        self.mined_weight = config.mined_weight
        self.codec = PromptCodec(tokenizer, labels, config.max_length) if self.objective == "instruct" else None

    def example(self, sample: Sample) -> dict[str, Any]:
        from vulntune.models.windows import code_window

        if self.codec is not None:
            return self.codec.training_example(
                sample.code, sample.language, class_of(sample), sink_line=sample.sink_line
            )
        ids = code_window(self.tokenizer, sample.code, budget=self.max_length, sink_line=sample.sink_line)
        label = self.labels.index(class_of(sample))
        if sample_weight(sample, self.mined_weight) != 1.0:  # the loss reads the offset as "weak": see make_loss
            label += len(self.labels)
        return {"input_ids": ids, "labels": label}

    def collate(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        from vulntune.models.windows import right_padded

        if self.codec is None:  # classify: right padding; the head reads the last real token
            ids, mask = right_padded([e["input_ids"] for e in examples], self.pad)
            return {"input_ids": ids, "attention_mask": mask, "labels": torch.tensor([e["labels"] for e in examples])}
        width = max(len(e["input_ids"]) for e in examples)
        ids = torch.full((len(examples), width), self.pad, dtype=torch.long)
        mask = torch.zeros((len(examples), width), dtype=torch.long)
        # instruct: left padding, so every answer ends at the last position and only the last
        # (longest answer + 1) positions need logits: 7 of 512 positions x 49k vocabulary.
        labels = torch.full((len(examples), width), -100, dtype=torch.long)
        for row, e in enumerate(examples):
            n = len(e["input_ids"])
            ids[row, width - n :] = torch.tensor(e["input_ids"])
            labels[row, width - n :] = torch.tensor(e["labels"])
            mask[row, width - n :] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        return {
            "input_ids": ids,
            "attention_mask": mask,
            "position_ids": positions,
            "labels": labels,
            "logits_to_keep": self.codec.max_answer + 1,
        }


def make_loss(objective: str, weights: Sequence[float], encoder: Encoder, *, mined_weight: float = 1.0):
    """The Trainer's loss: class-weighted cross-entropy over the head (classify) or the answer tokens (instruct).

    Normalised by `num_items_in_batch` (samples, or answer tokens, over the accumulated batch) so
    gradient accumulation gives the same loss as one big batch. Classify: a label at or above the
    number of classes is a weak negative's (`Encoder.example` adds the offset; the Trainer passes
    labels and nothing else to the loss), weighed `mined_weight`.
    """
    import torch
    import torch.nn.functional as F

    class_weight = torch.tensor(weights, dtype=torch.float32)
    classes = len(weights)

    def classify_loss(outputs, labels, num_items_in_batch=None):
        logits = outputs.logits.float()
        weak = labels >= classes
        per_sample = F.cross_entropy(logits, labels % classes, weight=class_weight.to(logits.device), reduction="none")
        loss = torch.where(weak, per_sample * mined_weight, per_sample).sum()
        return loss / (num_items_in_batch if num_items_in_batch is not None else len(labels))

    answer_weight = {tuple(answer): w for answer, w in zip(encoder.codec.answers, weights)} if encoder.codec else {}

    def instruct_loss(outputs, labels, num_items_in_batch=None):
        logits = outputs.logits.float()  # (batch, k, vocab): the last k positions only
        k = logits.shape[1]
        targets = labels[:, -(k - 1) :]
        token_loss = F.cross_entropy(
            logits[:, :-1].reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100, reduction="none"
        ).view(targets.shape)
        row_weight = torch.tensor(
            [answer_weight.get(tuple(t[t != -100].tolist()), 1.0) for t in targets], device=logits.device
        )
        loss = (token_loss.sum(dim=1) * row_weight).sum()
        return loss / (num_items_in_batch if num_items_in_batch is not None else (targets != -100).sum())

    return classify_loss if objective == "classify" else instruct_loss


class ProgressBar:
    """A Trainer callback: a tqdm bar with the loss and tokens/s (real tokens, padding excluded)."""

    def __init__(self, *, enabled: bool = True):
        self.enabled = enabled
        self.bar = None
        self.tokens_per_second: float | None = None
        self.tokens_per_cpu_second: float | None = None  # all threads' CPU time: robust to other load
        self.resumed_from = 0

    def __getattr__(self, name: str):  # every other TrainerCallback event: nothing to do
        if name.startswith("on_"):
            return lambda *args, **kwargs: None
        raise AttributeError(name)

    def on_train_begin(self, args, state, control, **kwargs):
        from tqdm.auto import tqdm

        self.resumed_from = state.global_step
        self.start_tokens = state.num_input_tokens_seen
        self.start_time = time.monotonic()
        self.start_cpu = time.process_time()
        self.bar = tqdm(
            total=state.max_steps,
            initial=state.global_step,
            desc="train",
            unit="step",
            disable=not self.enabled,
            dynamic_ncols=True,
        )

    def on_step_end(self, args, state, control, **kwargs):
        elapsed = max(time.monotonic() - self.start_time, 1e-9)
        self.tokens_per_second = (state.num_input_tokens_seen - self.start_tokens) / elapsed
        cpu = max(time.process_time() - self.start_cpu, 1e-9)
        self.tokens_per_cpu_second = (state.num_input_tokens_seen - self.start_tokens) / cpu
        if self.bar is not None:
            self.bar.update(state.global_step - self.bar.n)
            self.bar.set_postfix_str(f"{self.tokens_per_second:,.0f} tok/s", refresh=False)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.bar is not None and logs:
            shown = {k: f"{v:.4g}" for k, v in logs.items() if k in ("loss", "eval_loss")}
            if shown:
                self.bar.set_postfix_str(
                    " ".join(f"{k}={v}" for k, v in shown.items()) + f" {self.tokens_per_second or 0:,.0f} tok/s"
                )

    def on_train_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.close()


def train_tfidf_folder(config: TrainConfig, train_samples, validation, corpus) -> Path:
    """`--base tfidf`: fit the baseline, calibrate, save; seconds."""
    from vulntune.models.baseline import save_tfidf, train_tfidf

    started = time.monotonic()
    chosen, units = calibration_set(
        validation, samples=config.calibration_samples, seed=config.seed, scan_units=config.scan_units
    )
    detector = train_tfidf(
        train_samples,
        validation=chosen,
        target_fpr=config.target_fpr,
        seed=config.seed,
        scan_units=units,
        weights=[sample_weight(s, config.mined_weight) for s in train_samples],
    )
    detector.meta["training_config"] = {**to_mapping(config), **detector.meta["training_config"]}
    detector.meta.update(corpus)
    detector.meta["train_seconds"] = round(time.monotonic() - started, 3)
    return save_tfidf(detector, config.out, force=config.force)


def save_folder(
    config: TrainConfig,
    out: Path,
    base,
    model,
    tokenizer,
    labels,
    languages,
    validation,
    corpus,
    *,
    history: list[dict[str, Any]],
    steps: int,
    seconds: float,
    tokens_per_second: float | None = None,
    resumed_from: int = 0,
    tokens_per_cpu_second: float | None = None,
    precision: str | None = None,
    trunk_seconds: float | None = None,
    trunk_windows: Sequence[int] | None = None,
) -> Path:
    """Write the model folder atomically: weights, then calibrate on them as loaded, then metadata and card."""
    from vulntune.models.detector import load_transformer
    from vulntune.models.transformer import ADAPTER_CONFIG, ADAPTER_WEIGHTS

    kind = "classify" if config.objective == "classify" else "instruct"
    method = "none" if config.objective == "zero-shot" else config.method
    meta: dict[str, Any] = {
        "kind": kind,
        "objective": config.objective,
        "method": method,
        "base": base.to_dict(),
        "base_layers": config.base_layers,
        "labels": list(labels),
        "languages": list(languages),
        "max_length": config.max_length,
        "pooling": config.pooling,
        "precision": precision,
        "threshold": 0.5,
        "training_config": to_mapping(config),
        **corpus,
        "train_steps": steps,
        "train_seconds": round(seconds, 1),
        "train_tokens_per_second": round(tokens_per_second, 1) if tokens_per_second else None,
        "train_tokens_per_cpu_second": round(tokens_per_cpu_second, 1) if tokens_per_cpu_second else None,
        "resumed_from_step": resumed_from,
        "trunk_seconds": round(trunk_seconds, 1) if trunk_seconds is not None else None,  # before train_seconds
        # [windows the trunk ran on, windows in all]: fewer ran when a trunk_store held the others
        "trunk_windows": list(trunk_windows) if trunk_windows else None,
    }
    if config.objective == "instruct" or config.objective == "zero-shot":
        from vulntune.models.instruct import PROMPT_VERSION

        meta["prompt_version"] = PROMPT_VERSION
    try:
        with atomic_dir(out, force=config.force) as tmp:
            if method == "full":
                model.save_pretrained(tmp, safe_serialization=True)
                tokenizer.save_pretrained(tmp)
                weight_files = sorted(p.name for p in tmp.iterdir() if p.suffix in (".safetensors", ".json"))
            elif method == "none":
                weight_files = []
            else:
                model.save_pretrained(tmp, safe_serialization=True)
                weight_files = [ADAPTER_WEIGHTS, ADAPTER_CONFIG]
            write_loss_curve(tmp, history)
            # Calibrate on the saved weights loaded as users load them (merged adapter), so the
            # threshold matches what `load_detector` will compute.
            meta["files"] = {name: sha256_file(tmp / name) for name in weight_files}
            detector = load_transformer(tmp, meta, batch_size=config.eval_batch_size)
            chosen, units = calibration_set(
                validation, samples=config.calibration_samples, seed=config.seed, scan_units=config.scan_units
            )
            with elapsed(f"calibrating on {len(chosen)} samples", enabled=config.progress and sys.stderr.isatty()):
                meta.update(calibration_record(detector, chosen, target_fpr=config.target_fpr, scan_units=units))
            del meta["files"]
            record = write_meta(tmp, meta, weight_files=weight_files)
            write_card(tmp, record)
    except FileExistsError:
        raise VulntuneError(f"{out}: folder exists and is not empty (pass --force to replace it)") from None
    return out


def write_loss_curve(folder: Path, history: list[dict[str, Any]]) -> None:
    """loss.csv (step, epoch, loss, eval_loss, learning_rate) and loss.png from the Trainer's log."""
    rows = [h for h in history if "loss" in h or "eval_loss" in h]
    with open(folder / "loss.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["step", "epoch", "loss", "eval_loss", "learning_rate"])
        for h in rows:
            writer.writerow(
                [h.get("step"), h.get("epoch"), h.get("loss", ""), h.get("eval_loss", ""), h.get("learning_rate", "")]
            )
    if not rows:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    train_pts = [(h["step"], h["loss"]) for h in rows if "loss" in h]
    eval_pts = [(h["step"], h["eval_loss"]) for h in rows if "eval_loss" in h]
    if train_pts:
        ax.plot(*zip(*train_pts), label="train loss")
    if eval_pts:
        ax.plot(*zip(*eval_pts), marker="o", label="validation loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(folder / "loss.png", metadata={"Software": None})
    plt.close(fig)
