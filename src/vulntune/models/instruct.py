"""The instruct objective: the case study's prompt, and constrained scoring of the label strings.

A sample becomes

    ### Instruction:
    Does this Python code contain a security vulnerability? Answer with its CWE id (for example
    CWE-89), or none.
    ### Input:
    <code>
    ### Output:
    CWE-89<eos>

Prediction never generates text: each allowed answer ("none" and one per CWE class) is scored as
the sum of its token log-probabilities (EOS included, so CWE-79 does not win on CWE-798's
prefix) given the prompt. The prompt runs once per sample; its KV cache is repeated for the K
candidate answers, which run in a single forward pass. A softmax over the K log-likelihoods gives
per-class probabilities, hence the score 1 - p(none). Code longer than the prompt's code budget
is asked about in overlapping windows, and the most suspicious window decides, as for the
classify detector.

`zero_shot_detector` applies the same prompt to an untuned base model: the case study's
baseline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from vulntune.cwe import LANGUAGES, check_language, cwes_for
from vulntune.models.folder import canonical_json
from vulntune.models.labels import sort_labels
from vulntune.models.prediction import SAFE
from vulntune.models.windows import (
    WindowedDetector,
    code_window,
    encode,
    length_batches,
    load_tokenizer,
    most_suspicious_windows,
)

PROMPT_VERSION = 1
NONE_ANSWER = "none"


def prompt_parts(language: str) -> tuple[str, str]:
    """(text before the code, text after it) for `language`."""
    head = (
        "### Instruction:\n"
        f"Does this {language.capitalize()} code contain a security vulnerability? "
        "Answer with its CWE id (for example CWE-89), or none.\n"
        "### Input:\n"
    )
    return head, "\n### Output:\n"


def answer_text(label: str) -> str:
    """The output string for a class: "none" for safe, the CWE id otherwise."""
    return NONE_ANSWER if label == SAFE else label


class PromptCodec:
    """Token ids for prompts and answers under one tokenizer; the same for training and scoring."""

    def __init__(self, tokenizer, labels: Sequence[str], max_length: int):
        self.tokenizer = tokenizer
        self.labels = tuple(labels)
        self.max_length = int(max_length)
        eos = tokenizer.eos_token_id
        self.answers = [list(encode(tokenizer, answer_text(label))["input_ids"]) + [eos] for label in self.labels]
        self._parts = {}
        for language in LANGUAGES:
            head, tail = prompt_parts(language)
            self._parts[language] = (
                list(encode(tokenizer, head)["input_ids"]),
                list(encode(tokenizer, tail)["input_ids"]),
            )
        overhead = max(len(h) + len(t) for h, t in self._parts.values())
        self.max_answer = max(len(a) for a in self.answers)
        # Code tokens per window: what is left of max_length after the prompt and the longest answer.
        self.code_budget = self.max_length - overhead - self.max_answer

    def prompt(self, code: str, language: str, *, sink_line: int | None = None) -> list[int]:
        """The prompt around one window of `code` (centred on `sink_line` when given, else its head)."""
        return self.wrap(code_window(self.tokenizer, code, budget=self.code_budget, sink_line=sink_line), language)

    def wrap(self, code_ids: Sequence[int], language: str) -> list[int]:
        """The prompt around code tokens that already fit the code budget."""
        head, tail = self._parts[language]
        return head + list(code_ids) + tail

    def training_example(
        self, code: str, language: str, label: str, *, sink_line: int | None = None
    ) -> dict[str, list[int]]:
        """input_ids = prompt + answer + EOS; labels mask the prompt with -100."""
        prompt = self.prompt(code, language, sink_line=sink_line)
        answer = self.answers[self.labels.index(label)]
        return {"input_ids": prompt + answer, "labels": [-100] * len(prompt) + answer}


def score_answers(
    model, prompts: Sequence[Sequence[int]], answers: Sequence[Sequence[int]], *, pad_id: int, batch_size: int = 8
) -> np.ndarray:
    """Log-likelihood of each answer after each prompt: (n_prompts, n_answers), float64.

    Prompts are left-padded (with explicit position ids) so they end together; each batch runs
    its prompts once with a KV cache, then all answers for all prompts in one more forward pass.
    """
    import inspect

    import torch

    # transformers 5.x renamed `past_key_values` to `cache`; accept either.
    cache_arg = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
    k = len(answers)
    width_a = max(len(a) for a in answers)
    cand = torch.full((k, width_a), pad_id, dtype=torch.long)
    cand_mask = torch.zeros((k, width_a), dtype=torch.bool)
    for j, answer in enumerate(answers):
        cand[j, : len(answer)] = torch.tensor(answer)
        cand_mask[j, : len(answer)] = True
    out = np.zeros((len(prompts), k), dtype=np.float64)
    with torch.inference_mode():
        for batch in length_batches([len(p) for p in prompts], batch_size):
            b = len(batch)
            width = max(len(prompts[i]) for i in batch)
            ids = torch.full((b, width), pad_id, dtype=torch.long)
            mask = torch.zeros((b, width), dtype=torch.long)
            for row, i in enumerate(batch):
                ids[row, width - len(prompts[i]) :] = torch.tensor(prompts[i])
                mask[row, width - len(prompts[i]) :] = 1
            positions = (mask.cumsum(-1) - 1).clamp(min=0)
            first = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1)
            first_logp = torch.log_softmax(first.logits[:, -1, :].double(), dim=-1)  # (b, V)
            cache = first.cache if hasattr(first, "cache") else first.past_key_values
            cache.batch_repeat_interleave(k)
            # Answers ride after every prompt: rows are (prompt 0, answer 0..k-1), (prompt 1, ...), ...
            step_ids = cand.repeat(b, 1)
            step_mask = torch.cat(
                [mask.repeat_interleave(k, dim=0), torch.ones((b * k, width_a), dtype=torch.long)], dim=1
            )
            step_pos = positions[:, -1:].repeat_interleave(k, dim=0) + 1 + torch.arange(width_a)
            rest = model(input_ids=step_ids, attention_mask=step_mask, position_ids=step_pos, **{cache_arg: cache})
            logp = torch.log_softmax(rest.logits.double(), dim=-1)  # (b*k, width_a, V)
            # Token 0 of each answer comes from the prompt's last position, token t from answer position t-1.
            token_logp = torch.empty((b * k, width_a), dtype=torch.float64)
            token_logp[:, 0] = first_logp.repeat_interleave(k, dim=0).gather(1, step_ids[:, :1]).squeeze(1)
            if width_a > 1:
                token_logp[:, 1:] = logp[:, :-1, :].gather(2, step_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
            token_logp = token_logp.masked_fill(~cand_mask.repeat(b, 1), 0.0)
            out[batch] = token_logp.sum(dim=1).view(b, k).numpy()
    return out


class InstructDetector(WindowedDetector):
    """A causal LM asked the instruct prompt; answers scored, never generated (implements `Detector`).

    Attributes:
        max_length: code tokens per window (the sequence length minus the prompt and the
            longest answer); `count_tokens` counts the same tokens.
    """

    def __init__(self, **parts: Any):
        super().__init__(**parts)
        self.codec = PromptCodec(self.tokenizer, self.labels, self.max_length)
        self.max_length = self.codec.code_budget

    def window_log_likelihoods(self, codes: Sequence[str], *, language: str) -> tuple[np.ndarray, list[int]]:
        """Summed log-probabilities of each class's answer string for every window of every input:
        ((n_windows, n_classes), the input each window belongs to). Long code is asked about in
        overlapping windows (`prediction_windows`), as the classify detector scores it."""
        windows, owner = self.windows(codes, language=language)
        prompts = [self.codec.wrap(window, language) for window in windows]
        if not prompts:
            return np.zeros((0, len(self.labels))), owner
        ll = score_answers(
            self.model, prompts, self.codec.answers, pad_id=self.tokenizer.pad_token_id, batch_size=self.batch_size
        )
        return ll, owner

    def probabilities(self, codes: Sequence[str], *, language: str) -> np.ndarray:
        """(n, n_classes): per input, the answer distribution of its most suspicious window."""
        ll, owner = self.window_log_likelihoods(codes, language=language)
        if not len(ll):
            return np.zeros((0, len(self.labels)))
        ll = ll - ll.max(axis=1, keepdims=True)
        p = np.exp(ll)
        return most_suspicious_windows(p / p.sum(axis=1, keepdims=True), owner, len(codes))


def zero_shot_detector(
    base: str = "smollm2-135m",
    *,
    labels: Sequence[str] | None = None,
    languages: Sequence[str] = LANGUAGES,
    threshold: float = 0.5,
    max_length: int = 512,
    batch_size: int = 8,
) -> InstructDetector:
    """The untuned base model asked the instruct prompt: the zero-shot baseline.

    Args:
        base: a base model name (see `vulntune models list`), local folder or hub id.
        labels: "safe" and the CWE ids it may answer; default: every catalogued CWE of `languages`.
        languages: languages it claims.
        threshold: decision threshold on 1 - p(none); uncalibrated unless the caller calibrates
            it (`vulntune.models.calibrate.calibrate_detector`).
        max_length: tokens per prompt, code included.
    """
    from transformers import AutoModelForCausalLM

    from vulntune.models.sources import resolve_base

    for language in languages:
        check_language(language)
    if labels is None:
        labels = sort_labels({c for language in languages for c in cwes_for(language)})
    labels = sort_labels(labels)
    resolved = resolve_base(base)
    tokenizer = load_tokenizer(resolved.path)
    model = AutoModelForCausalLM.from_pretrained(str(resolved.path))
    key = {
        "kind": "zero-shot",
        "base": resolved.to_dict(),
        "labels": list(labels),
        "prompt": PROMPT_VERSION,
        "max_length": max_length,
        "threshold": threshold,
    }
    fingerprint = hashlib.sha256(canonical_json(key).encode()).hexdigest()
    meta = {
        "kind": "instruct",
        "objective": "zero-shot",
        "method": None,
        "base": resolved.to_dict(),
        "prompt_version": PROMPT_VERSION,
    }
    return InstructDetector(
        model=model,
        tokenizer=tokenizer,
        labels=labels,
        languages=languages,
        threshold=threshold,
        max_length=max_length,
        fingerprint=fingerprint,
        batch_size=batch_size,
        meta=meta,
    )
