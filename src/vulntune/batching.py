"""Training order that keeps vulnerable/safe twins in the same batch.

A synthetic twin pair differs only by the fix, the kill, the guard or the constant fed to the
sink. Seen in one batch, the two halves pull the shared code's gradient in opposite directions
and what is left is the signal of the lines that differ: the model is pushed to learn the
difference instead of the look of a sink. `twin_order` is plain Python (tested directly);
`TwinSampler` hands it to the Hugging Face Trainer.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from vulntune.data import Sample


def twin_groups(samples: Sequence[Sample]) -> list[list[int]]:
    """Indices grouped by `pair_id` (a sample without one is its own group), in first-seen order."""
    groups: dict[str, list[int]] = {}
    for index, sample in enumerate(samples):
        groups.setdefault(sample.pair_id or f"\0{sample.id}", []).append(index)
    return list(groups.values())


def twin_order(groups: Sequence[Sequence[int]], *, seed: int, epoch: int) -> list[int]:
    """One epoch's order: pairs shuffled, each pair's members adjacent; other groups after them.

    Pairs come first so that, with an even batch size, no pair straddles two batches; groups of
    one or of three and more (a vulnerable sample with several safe variants) follow, shuffled.
    The order depends only on (groups, seed, epoch).
    """
    rng = random.Random(f"{seed}:{epoch}")
    pairs = [list(g) for g in groups if len(g) == 2]
    others = [list(g) for g in groups if len(g) != 2]
    rng.shuffle(pairs)
    rng.shuffle(others)
    for group in pairs:
        rng.shuffle(group)  # which twin comes first carries no information
    return [index for group in pairs + others for index in group]


def make_twin_sampler(samples: Sequence[Sample], *, seed: int):
    """A `torch.utils.data.Sampler` yielding `twin_order`, reshuffled every epoch."""
    from torch.utils.data import Sampler

    groups = twin_groups(samples)
    total = len(samples)

    class TwinSampler(Sampler[int]):
        def __init__(self) -> None:
            self.epoch = 0

        def set_epoch(self, epoch: int) -> None:  # called by accelerate at each epoch
            self.epoch = epoch

        def __len__(self) -> int:
            return total

        def __iter__(self) -> Iterator[int]:
            return iter(twin_order(groups, seed=seed, epoch=self.epoch))

    return TwinSampler()
