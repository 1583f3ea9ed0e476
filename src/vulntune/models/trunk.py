"""Train the top blocks of a model from stored outputs of its frozen lower blocks (the trunk).

With LoRA on the top N blocks only (`lora_top_layers`), everything below them is frozen and its
output for a given training window never changes. `trunk_outputs` runs those blocks once per
window; `TopBlocks` then trains on the stored hidden states, so every step of every epoch runs
the top N blocks alone, forward and backward. Measured on 2 CPU cores with SmolLM2-135M (30
blocks, LoRA r16 on the top 8, batch 8 x 256 tokens, fp32): 3.4 s per step on the whole model,
1.4 s from stored trunk outputs, which cost 1/1,500 s per token once (22 blocks, forward only):
about 1.6x more training per CPU-hour at 2 epochs, 2x at 4.

Nothing here depends on the architecture beyond what Hugging Face decoder models share: the
blocks are `<backbone>.layers`, the backbone takes `inputs_embeds`, and the classification head
is `score`. `check_top_blocks` compares the stored path with the whole model on real windows
and refuses a base where they differ.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path

import torch
from torch import nn
from transformers.modeling_outputs import SequenceClassifierOutput

from vulntune.errors import VulntuneError
from vulntune.models.windows import right_padded


def backbone_of(peft_model) -> tuple[nn.Module, nn.Module]:
    """(the Hugging Face classification model inside a PEFT model, its decoder backbone)."""
    hf = peft_model.get_base_model()
    backbone = getattr(hf, hf.base_model_prefix, None)
    if backbone is None or not isinstance(getattr(backbone, "layers", None), nn.ModuleList):
        raise VulntuneError(f"trunk_cache: {type(hf).__name__} keeps no list of blocks at <backbone>.layers")
    return hf, backbone


@contextlib.contextmanager
def only_blocks(backbone: nn.Module, blocks: slice) -> Iterator[None]:
    """Let the backbone run only `blocks` of its layers (restored on exit)."""
    every = backbone.layers
    backbone.layers = nn.ModuleList(list(every)[blocks])
    try:
        yield
    finally:
        backbone.layers = every


def trunk_outputs(
    peft_model,
    windows: Sequence[Sequence[int]],
    *,
    first_trained: int,
    pad: int,
    batch_size: int = 16,
    progress: bool = False,
) -> list[torch.Tensor]:
    """The hidden states entering block `first_trained`, one (tokens, hidden) float32 tensor per window."""
    from tqdm.auto import tqdm

    _, backbone = backbone_of(peft_model)
    captured: list[torch.Tensor] = []

    def keep(module, args, output):
        captured.append(output[0] if isinstance(output, tuple) else output)

    order = sorted(range(len(windows)), key=lambda i: -len(windows[i]))  # little padding per batch
    out: list[torch.Tensor | None] = [None] * len(windows)
    hook = backbone.layers[first_trained - 1].register_forward_hook(keep)
    try:
        with torch.inference_mode(), only_blocks(backbone, slice(0, first_trained)):
            for start in tqdm(range(0, len(order), batch_size), desc="trunk", unit="batch", disable=not progress):
                batch = order[start : start + batch_size]
                ids, mask = right_padded([windows[i] for i in batch], pad)
                captured.clear()
                backbone(input_ids=ids, attention_mask=mask)
                hidden = captured[-1].float()
                for row, i in enumerate(batch):
                    out[i] = hidden[row, : len(windows[i])].clone()
    finally:
        hook.remove()
    return out  # type: ignore[return-value]


def window_name(window: Sequence[int]) -> str:
    """A window's name in a trunk store: the sha256 of its token ids."""
    return hashlib.sha256(array("q", window).tobytes()).hexdigest()


def stored_trunk_outputs(
    peft_model,
    windows: Sequence[Sequence[int]],
    *,
    first_trained: int,
    pad: int,
    store: Path,
    batch_size: int = 16,
    progress: bool = False,
) -> tuple[list[torch.Tensor], int]:
    """`trunk_outputs`, kept in the folder `store` between runs: (the outputs, how many windows ran).

    The folder belongs to one base, dtype and first trained block (the caller names it so). Each
    run reads the windows it needs from the files already there, runs the trunk on the others
    only and adds them as one new safetensors file (written beside, then renamed): runs that share
    windows, like the study's per-language and joint cells, pass each window once.
    """
    from safetensors import safe_open
    from safetensors.torch import save_file

    names = [window_name(w) for w in windows]
    known: dict[str, torch.Tensor] = {}
    wanted = set(names)
    for path in sorted(store.glob("*.safetensors")):
        with safe_open(str(path), framework="pt") as fh:
            for name in wanted.intersection(fh.keys()) - known.keys():
                known[name] = fh.get_tensor(name)
    missing = sorted({name: i for i, name in enumerate(names) if name not in known}.items())
    if missing:
        computed = trunk_outputs(
            peft_model,
            [windows[i] for _, i in missing],
            first_trained=first_trained,
            pad=pad,
            batch_size=batch_size,
            progress=progress,
        )
        new = {name: state.contiguous() for (name, _), state in zip(missing, computed)}
        store.mkdir(parents=True, exist_ok=True)
        target = store / f"{hashlib.sha256(''.join(new).encode()).hexdigest()[:16]}.safetensors"
        partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        save_file(new, str(partial))
        os.replace(partial, target)
        known.update(new)
    return [known[name] for name in names], len(missing)


class TopBlocks(nn.Module):
    """A PEFT classification model whose lower blocks are replaced by their stored outputs.

    `forward(input_ids, attention_mask, trunk)` runs blocks `first_trained`.. on `trunk` and the
    head on the last real token (right padding), exactly as the whole model would on `input_ids`.
    Only trainable tensors are in `state_dict`, so the Trainer's checkpoints hold the adapter and
    head, not the frozen base.
    """

    main_input_name = "input_ids"  # the Trainer counts tokens on it
    _keys_to_ignore_on_save = None

    def __init__(self, peft_model, *, first_trained: int):
        super().__init__()
        self.peft_model = peft_model
        self.first_trained = first_trained

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        trunk: torch.Tensor,
        labels: torch.Tensor | None = None,
    ) -> SequenceClassifierOutput:
        del labels  # the Trainer's compute_loss_func takes them
        hf, backbone = backbone_of(self.peft_model)
        with only_blocks(backbone, slice(self.first_trained, None)):
            hidden = backbone(inputs_embeds=trunk, attention_mask=attention_mask).last_hidden_state
        logits = hf.score(hidden)  # every position, as the Hugging Face head does (see models.pooling)
        last = attention_mask.sum(dim=-1) - 1
        return SequenceClassifierOutput(logits=logits[torch.arange(len(last), device=logits.device), last])

    def state_dict(self, *args, **kwargs):
        full = super().state_dict(*args, **kwargs)
        trainable = {name for name, p in self.named_parameters() if p.requires_grad}
        return {k: v for k, v in full.items() if k in trainable}


def collate_with_trunk(examples: Sequence[dict], pad: int) -> dict[str, torch.Tensor]:
    """A Trainer batch: right-padded ids, mask, stored trunk states and labels."""
    ids, mask = right_padded([e["input_ids"] for e in examples], pad)
    trunk = torch.zeros((len(examples), ids.shape[1], examples[0]["trunk"].shape[-1]), dtype=torch.float32)
    for row, e in enumerate(examples):
        trunk[row, : len(e["input_ids"])] = e["trunk"]
    return {
        "input_ids": ids,
        "attention_mask": mask,
        "trunk": trunk,
        "labels": torch.tensor([e["labels"] for e in examples], dtype=torch.long),
    }


def check_top_blocks(
    peft_model, windows: Sequence[Sequence[int]], *, first_trained: int, pad: int, tolerance: float = 1e-3
) -> None:
    """Refuse a base whose top-block path gives other logits than the whole model on `windows`.

    Raises:
        VulntuneError: the largest difference is above `tolerance`.
    """
    windows = list(windows)[:4]
    ids, mask = right_padded(windows, pad)
    trunk = trunk_outputs(peft_model, windows, first_trained=first_trained, pad=pad)
    batch = collate_with_trunk([{"input_ids": w, "trunk": t, "labels": 0} for w, t in zip(windows, trunk)], pad)
    was_training = peft_model.training
    peft_model.eval()
    try:
        with torch.inference_mode():
            whole = peft_model(input_ids=ids, attention_mask=mask).logits.float()
            top = TopBlocks(peft_model, first_trained=first_trained)(
                batch["input_ids"], batch["attention_mask"], batch["trunk"]
            ).logits.float()
    finally:
        peft_model.train(was_training)
    difference = (whole - top).abs().max().item()
    if not difference <= tolerance:
        raise VulntuneError(
            f"trunk_cache: the top blocks on stored trunk outputs differ from the whole model by "
            f"{difference:.3g} on this base; train without trunk_cache"
        )
