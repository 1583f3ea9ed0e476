"""How a classification head reads a window of code: its last token, or the maximum over all tokens.

Hugging Face sequence-classification models (Llama, Qwen2, Mistral, GPT-2, ...) apply their
`score` layer to every position and keep the logits of the last real token. With "last" pooling
that token's hidden state must summarise the whole window; in a causal model it mostly encodes the
next token, so a weakness 200 tokens earlier reaches the head only after much training (the first
shipped detectors stayed at chance on vulnerable/safe twins after 0.9 epoch). With "max" pooling
the head reads, per hidden dimension, the largest value over the window's tokens, so evidence at
any token (the sink call, a missing escape, a `secure=False`) reaches it directly, and a window
that holds no such token has none to show.

"max" is implemented as a drop-in `score` layer: `RunningMaxLinear` applies the linear map to the
running (cumulative) maximum over positions. With right padding the last real token's running
maximum is the maximum over exactly the real tokens, so the model's own forward, the Trainer,
PEFT's saving of the head and loading all stay as they are; the weights keep their names.
"""

from __future__ import annotations

import torch
from torch import nn

from vulntune.errors import VulntuneError

POOLINGS = ("last", "max")


class RunningMaxLinear(nn.Linear):
    """A linear head over the running maximum of the hidden states along the sequence."""

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        if hidden.dim() < 3:  # a single pooled vector: nothing to run along
            return super().forward(hidden)
        return super().forward(torch.cummax(hidden, dim=-2).values)


def set_pooling(model, pooling: str):
    """Give a sequence-classification model the head reading of `pooling`; returns the model.

    Call it before wrapping the model with PEFT (training) or loading an adapter (inference), so the
    adapter's copy of the head is a `RunningMaxLinear` too.

    Raises:
        VulntuneError: an unknown pooling, or a model without a linear `score` head.
    """
    if pooling not in POOLINGS:
        raise VulntuneError(f"unknown pooling {pooling!r} (expected one of {', '.join(POOLINGS)})")
    if pooling == "last":
        return model
    head = getattr(model, "score", None)
    if not isinstance(head, nn.Linear):
        raise VulntuneError(
            f"pooling {pooling!r} needs a model with a linear 'score' head; {type(model).__name__} has none"
        )
    pooled = RunningMaxLinear(
        head.in_features,
        head.out_features,
        bias=head.bias is not None,
        device=head.weight.device,
        dtype=head.weight.dtype,
    )
    with torch.no_grad():
        pooled.weight.copy_(head.weight)
        if head.bias is not None:
            pooled.bias.copy_(head.bias)
    model.score = pooled
    return model
