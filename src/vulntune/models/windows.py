"""Code as transformer input: the tokenizer, windows of code tokens, padded batches, and the
part the classify and instruct detectors share (code scored in overlapping windows, the most
suspicious window deciding).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vulntune.cwe import check_language
from vulntune.errors import VulntuneError
from vulntune.models.labels import predictions_from_probabilities
from vulntune.models.prediction import Prediction, check_codes, language_threshold, recorded_thresholds


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


class WindowedDetector:
    """What the classify and instruct detectors share: their fields, token counting, the windows
    an input is scored in, and predictions from `probabilities` (each subclass's own).

    Attributes:
        max_length: code tokens per window (what `count_tokens` counts); longer code is scored
            as overlapping windows and the most suspicious window decides.
        thresholds: per-language decision thresholds recorded in the folder (else `threshold`).
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

    def count_tokens(self, code: str) -> int:
        """Tokens of `code` alone (no special tokens, no prompt) under the base tokenizer, before
        truncation."""
        return len(encode(self.tokenizer, code)["input_ids"])

    def windows(self, codes: Sequence[str], *, language: str) -> tuple[list[list[int]], list[int]]:
        """The token windows of every input and, for each window, the input it belongs to."""
        check_language(language)
        ids: list[list[int]] = []
        owner: list[int] = []
        for index, code in enumerate(codes):
            for window in prediction_windows(encode(self.tokenizer, code)["input_ids"], self.max_length):
                ids.append(window)
                owner.append(index)
        return ids, owner

    def probabilities(self, codes: Sequence[str], *, language: str) -> np.ndarray:
        """(n, n_classes) class probabilities in input order (float64)."""
        raise NotImplementedError

    def predict(self, codes: Sequence[str], *, language: str) -> list[Prediction]:
        check_codes(codes)
        return predictions_from_probabilities(
            self.probabilities(codes, language=language), self.labels, language_threshold(self, language)
        )
