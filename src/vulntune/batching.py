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


def twin_order(groups: Sequence[Sequence[int]], *, seed: int, epoch: int, batch_size: int = 2) -> list[int]:
    """One epoch's order, cut by the data loader into batches of `batch_size`: every group of
    twins (a vulnerable sample and its safe variants: 2, 3 or 4 samples) lies inside one batch.

    Groups are shuffled and packed first fit into batches; the room left in a batch is filled
    with samples that have no twin, so every batch but the last few is full and no group
    straddles two. Groups larger than a batch, and batches that could not be filled, come last.
    The order depends only on (groups, seed, epoch, batch_size).
    """
    rng = random.Random(f"{seed}:{epoch}")
    twins = [list(g) for g in groups if len(g) > 1]
    singles = [g[0] for g in groups if len(g) == 1]
    rng.shuffle(twins)
    rng.shuffle(singles)
    full: list[list[int]] = []
    open_batches: list[list[int]] = []
    oversized: list[int] = []
    for group in twins:
        rng.shuffle(group)  # which twin comes first carries no information
        if len(group) > batch_size:
            oversized.extend(group)
            continue
        batch = next((b for b in open_batches if len(b) + len(group) <= batch_size), None)
        if batch is None:
            batch = []
            open_batches.append(batch)
        batch.extend(group)
        if len(batch) == batch_size:
            open_batches.remove(batch)
            full.append(batch)
    for batch in list(open_batches):
        while len(batch) < batch_size and singles:
            batch.append(singles.pop())
        if len(batch) == batch_size:
            open_batches.remove(batch)
            full.append(batch)
    while len(singles) >= batch_size:
        full.append([singles.pop() for _ in range(batch_size)])
    rng.shuffle(full)
    rest = [i for batch in open_batches for i in batch] + oversized + singles
    return [i for batch in full for i in batch] + rest


def make_twin_sampler(samples: Sequence[Sample], *, seed: int, batch_size: int = 2):
    """A `torch.utils.data.Sampler` yielding `twin_order` for `batch_size`, reshuffled every epoch."""
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
            return iter(twin_order(groups, seed=seed, epoch=self.epoch, batch_size=batch_size))

    return TwinSampler()
