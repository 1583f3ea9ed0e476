"""Transformer detectors: tokenising code into a window, the classify detector, and loading.

A fine-tuned model folder holds either a PEFT adapter (LoRA or IA3; the classification head is
saved with it) over a base model named in `vulntune-model.json`, or, after full fine-tuning, the
whole weights and tokenizer. Loading checks the base's sha256 and that the label map matches the
head, merges the adapter into the base for speed, and returns a `Detector`.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vulntune.cwe import check_language
from vulntune.errors import VulntuneError
from vulntune.models.folder import folder_fingerprint
from vulntune.models.labels import predictions_from_probabilities
from vulntune.models.prediction import Prediction, check_codes, language_threshold, recorded_thresholds

ADAPTER_WEIGHTS = "adapter_model.safetensors"
ADAPTER_CONFIG = "adapter_config.json"
FULL_WEIGHTS = "model.safetensors"
METHODS = ("lora", "ia3", "full", "none")  # "none": the untuned base (zero-shot)


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' load reports and per-load progress bars (restored afterwards)."""
    from transformers.utils import logging as hf_logging

    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def load_tokenizer(path: str | Path):
    """The base's tokenizer, with a pad token (its EOS when it has none) and right padding."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path))
    if tokenizer.pad_token_id is None:
        if tokenizer.eos_token_id is None:
            raise VulntuneError(f"{path}: the tokenizer has neither a pad nor an EOS token")
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "right"
    return tokenizer


def encode(tokenizer, code: str, *, offsets: bool = False):
    # split_special_tokens: a scanned file containing "<|im_end|>" must not become the pad token.
    return tokenizer(code, add_special_tokens=False, split_special_tokens=True, return_offsets_mapping=offsets)


def code_window(tokenizer, code: str, *, budget: int, sink_line: int | None = None) -> list[int]:
    """Token ids of `code`, cut to `budget` tokens.

    Training samples know their sink line: a long sample keeps a window centred on it (so the
    label stays true of what the model sees). Without a sink line the head is kept; the
    classify detector itself scores long code as overlapping windows (`prediction_windows`).
    """
    if budget < 1:
        raise VulntuneError(f"max_length leaves no room for code (budget {budget} tokens)")
    lines = code.split("\n")
    use_sink = sink_line is not None and 1 <= sink_line <= len(lines)
    enc = encode(tokenizer, code, offsets=use_sink)
    ids = list(enc["input_ids"])
    if len(ids) <= budget:
        return ids
    if not use_sink:
        return ids[:budget]
    start_char = sum(len(line) + 1 for line in lines[: sink_line - 1])
    end_char = start_char + len(lines[sink_line - 1])
    spans = enc["offset_mapping"]
    inside = [i for i, (a, b) in enumerate(spans) if b > start_char and a < max(end_char, start_char + 1)]
    if not inside:
        return ids[:budget]
    first, last = inside[0], inside[-1]
    start = (first + last) // 2 - budget // 2
    if last - first < budget:  # the whole sink line fits: make sure it is inside
        start = min(max(start, last - budget + 1), first)
    start = max(0, min(start, len(ids) - budget))
    return ids[start : start + budget]


def prediction_windows(ids: Sequence[int], budget: int) -> list[list[int]]:
    """Overlapping windows of `budget` tokens covering all of `ids` (a quarter overlaps).

    A sink can sit anywhere in a long file; the detector scores every window and keeps the most
    suspicious one, which is also how a scanner treats a long unit.
    """
    if len(ids) <= budget:
        return [list(ids)]
    stride = max(1, budget * 3 // 4)
    starts = list(range(0, len(ids) - budget, stride)) + [len(ids) - budget]
    return [list(ids[start : start + budget]) for start in starts]


def most_suspicious_windows(rows: np.ndarray, owner: Sequence[int], count: int) -> np.ndarray:
    """Per input, the probability row of its window with the highest vulnerable score.

    `rows[k]` holds the class probabilities of window k, which belongs to input `owner[k]`; the
    vulnerable score is 1 - p(safe), "safe" being class 0. Returns (count, n_classes).
    """
    out = np.zeros((count, rows.shape[1]), dtype=np.float64)
    best = np.full(count, -1.0)
    for row, index in enumerate(owner):
        score = 1.0 - rows[row, 0]
        if score > best[index]:
            best[index] = score
            out[index] = rows[row]
    return out


def right_padded(rows: Sequence[Sequence[int]], pad: int):
    """(ids, attention mask) long tensors, each row's tokens first and `pad` after them.

    Right padding is what the classification head relies on: the last real token (and, with
    max pooling, its running maximum) is at `mask.sum(-1) - 1`.
    """
    import torch

    width = max(1, max((len(r) for r in rows), default=0))
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    return ids, mask


def length_batches(lengths: Sequence[int], batch_size: int) -> Iterator[list[int]]:
    """Indices sorted by length, longest first, in batches: little padding, early OOM if any."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


class ClassifierDetector:
    """A sequence-classification transformer (implements `Detector`).

    The head reads the last code token, or the maximum over all tokens (`pooling` "max" in the
    folder's metadata; see `vulntune.models.pooling`); class probabilities are a softmax over "safe" and the
    CWE classes, the score is 1 - p(safe). When the metadata records `classes_by_language`, the
    softmax runs over the classes trained for the code's language only (the others get 0).

    Attributes:
        max_length: code tokens per window (what `count_tokens` counts); longer code is scored
            as overlapping windows and the most suspicious window decides.
    """

    def __init__(
        self,
        *,
        model,
        tokenizer,
        labels: Sequence[str],
        languages: Sequence[str],
        threshold: float,
        max_length: int,
        fingerprint: str,
        batch_size: int = 8,
        meta: Mapping[str, Any] | None = None,
    ):
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.labels = tuple(labels)
        self.languages = tuple(languages)
        self.threshold = float(threshold)
        self.max_length = int(max_length)
        self.fingerprint = fingerprint
        self.batch_size = int(batch_size)
        self.meta = dict(meta or {})
        self.thresholds = recorded_thresholds(self.meta)
        by_language = self.meta.get("classes_by_language") or {}
        self.excluded = {
            language: [i for i, label in enumerate(self.labels) if label not in allowed]
            for language, allowed in by_language.items()
        }

    def count_tokens(self, code: str) -> int:
        """Tokens of `code` under the base model's tokenizer, no special tokens, before truncation."""
        return len(encode(self.tokenizer, code)["input_ids"])

    def probabilities(self, codes: Sequence[str], *, language: str) -> np.ndarray:
        """(n, n_classes) class probabilities in input order (float64)."""
        import torch

        check_language(language)
        ids: list[list[int]] = []
        owner: list[int] = []
        for index, code in enumerate(codes):
            for window in prediction_windows(encode(self.tokenizer, code)["input_ids"], self.max_length):
                ids.append(window)
                owner.append(index)
        rows = np.zeros((len(ids), len(self.labels)), dtype=np.float64)
        pad = self.tokenizer.pad_token_id
        excluded = self.excluded.get(language, [])
        with torch.inference_mode():
            for batch in length_batches([len(x) for x in ids], self.batch_size):
                input_ids, mask = right_padded([ids[i] for i in batch], pad)
                logits = self.model(input_ids=input_ids, attention_mask=mask).logits.double()
                logits[:, excluded] = float("-inf")
                rows[batch] = torch.softmax(logits, dim=-1).numpy()
        return most_suspicious_windows(rows, owner, len(codes))

    def predict(self, codes: Sequence[str], *, language: str) -> list[Prediction]:
        check_codes(codes)
        return predictions_from_probabilities(
            self.probabilities(codes, language=language), self.labels, language_threshold(self, language)
        )


def check_head(folder: Path, meta: Mapping[str, Any]) -> None:
    """Refuse a folder whose classification head does not have one output per label."""
    from safetensors import safe_open

    n = len(meta["labels"])
    outputs = None
    if meta["method"] == "full":
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        outputs = len(config.get("id2label") or {}) if meta["kind"] == "classify" else None
    elif meta["method"] in ("lora", "ia3"):
        with safe_open(str(folder / ADAPTER_WEIGHTS), framework="pt") as fh:
            heads = [k for k in fh.keys() if k.endswith("score.weight") or ".score." in k and k.endswith(".weight")]
            outputs = fh.get_slice(heads[0]).get_shape()[0] if heads else None
    if meta["kind"] == "classify" and outputs != n:
        raise VulntuneError(
            f"{folder}: the label map has {n} classes but the classification head has {outputs} outputs"
        )


def load_model(folder: Path, meta: Mapping[str, Any], *, dtype: str = "float32"):
    """The fine-tuned model (adapter merged into its base) and its tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    from vulntune.models.pooling import set_pooling
    from vulntune.models.sources import resolve_base

    kind, method = meta["kind"], meta.get("method")
    if method not in METHODS:
        raise VulntuneError(f"{folder}: unknown training method {method!r} (expected one of {', '.join(METHODS)})")
    torch_dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}.get(dtype)
    if torch_dtype is None:
        raise VulntuneError(f"unknown dtype {dtype!r} (expected float32 or bfloat16)")
    check_head(folder, meta)
    pooling = meta.get("pooling", "last")  # folders written before pooling existed read the last token
    labels = list(meta["labels"])
    head = {
        "num_labels": len(labels),
        "id2label": dict(enumerate(labels)),
        "label2id": {label: i for i, label in enumerate(labels)},
    }
    if method == "full":
        tokenizer = load_tokenizer(folder)
        if kind == "classify":
            model = set_pooling(
                AutoModelForSequenceClassification.from_pretrained(str(folder), dtype=torch_dtype), pooling
            )
        else:
            model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch_dtype)
        return model, tokenizer
    base_info = meta.get("base") or {}
    base = resolve_base(base_info.get("name", ""))
    if base_info.get("sha256") and base.sha256 != base_info["sha256"]:
        raise VulntuneError(
            f"{folder}: base model {base.name} has sha256 {base.sha256[:12]}... but the adapter was trained on "
            f"{base_info['sha256'][:12]}..."
        )
    tokenizer = load_tokenizer(base.path)
    if kind == "classify":
        model = set_pooling(
            AutoModelForSequenceClassification.from_pretrained(
                str(base.path), dtype=torch_dtype, pad_token_id=tokenizer.pad_token_id, **head
            ),
            pooling,
        )
    else:
        model = AutoModelForCausalLM.from_pretrained(str(base.path), dtype=torch_dtype)
    if method == "none":
        return model, tokenizer
    from peft import PeftModel

    try:
        model = PeftModel.from_pretrained(model, str(folder)).merge_and_unload()
    except (RuntimeError, ValueError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise VulntuneError(f"{folder}: the adapter does not fit base model {base.name}: {first}") from None
    return model, tokenizer


def detector_parts(
    folder: str | Path,
    meta: Mapping[str, Any],
    *,
    batch_size: int = 8,
    threads: int | None = None,
    dtype: str = "float32",
) -> dict[str, Any]:
    """The keyword arguments of a classify or instruct detector for a model folder (the weights
    loaded; `vulntune.models.detector.load_transformer` picks the class).

    Args:
        folder: the model folder.
        meta: its checked `vulntune-model.json` (see `vulntune.models.folder.read_meta`).
        batch_size: sequences per forward pass.
        threads: torch CPU threads (default: torch's choice).
        dtype: "float32" (default, exact) or "bfloat16" (faster on CPUs with bf16 units).
    """
    if threads:
        import torch

        torch.set_num_threads(int(threads))
    folder = Path(folder)
    with quiet_transformers():
        model, tokenizer = load_model(folder, meta, dtype=dtype)
    return dict(
        model=model,
        tokenizer=tokenizer,
        labels=meta["labels"],
        languages=meta["languages"],
        threshold=meta["threshold"],
        fingerprint=folder_fingerprint(meta),
        batch_size=batch_size,
        meta=meta,
        max_length=meta["max_length"],
    )
