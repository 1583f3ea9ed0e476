"""Template-disjoint splits: whole template families go to train, validation or test.

Families are assigned per (language, CWE) so every weakness has unseen families in each
evaluation split. Near-duplicate groups that still straddle splits lose their members outside
the earliest split (train before validation before test), so no near copy leaks into evaluation.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from vulntune.data import SPLITS, Sample
from vulntune.synth.dedup import Pair, near_duplicate_groups


def assign_families(pairs: Sequence[Pair], fractions: Sequence[float], seed: int) -> dict[str, str]:
    """family -> split. Each (language, CWE) with >= 3 families gets at least one per split."""
    by_group: dict[tuple[str, str], set[str]] = defaultdict(set)
    for vulnerable, _ in pairs:
        by_group[(vulnerable.language, vulnerable.cwe)].add(vulnerable.family)
    return assign_family_groups(by_group, fractions, seed)


def assign_family_groups(
    by_group: dict[tuple[str, str], set[str]], fractions: Sequence[float], seed: int
) -> dict[str, str]:
    """family -> split, from the families of each (language, CWE) (see `assign_families`)."""
    assignment: dict[str, str] = {}
    for (language, cwe), families in sorted(by_group.items()):
        ordered = sorted(families)
        digest = hashlib.sha256(f"{seed}/split/{language}/{cwe}".encode()).digest()
        random.Random(int.from_bytes(digest[:8], "big")).shuffle(ordered)
        n = len(ordered)
        n_test = max(1, round(n * fractions[2])) if n >= 3 and fractions[2] > 0 else 0
        n_val = max(1, round(n * fractions[1])) if n >= 3 and fractions[1] > 0 else 0
        for i, family in enumerate(ordered):
            assignment[family] = "test" if i < n_test else "validation" if i < n_test + n_val else "train"
    return assignment


@dataclass(kw_only=True, frozen=True)
class SplitResult:
    splits: dict[str, list[Sample]]
    near_duplicates_removed: int  # pairs dropped from a later split for resembling an earlier one


def split_pairs(
    pairs: Sequence[Pair],
    fractions: Sequence[float],
    seed: int,
    signatures,
    threshold: float,
    assignment: dict[str, str] | None = None,
) -> SplitResult:
    """Assign pairs to splits by family, then drop near duplicates that cross splits.

    `signatures` holds one MinHash row per sample, in pair order (vulnerable, safe, ...).
    `assignment` (family -> split) replaces the one drawn from the pairs' families: real-context
    twins choose their repository's split by it before they are rendered.
    """
    family_split = assignment if assignment is not None else assign_families(pairs, fractions, seed)
    pair_split = [family_split[v.family] for v, _ in pairs]
    rank = {name: i for i, name in enumerate(SPLITS)}
    dropped: set[int] = set()
    for group in near_duplicate_groups(signatures, threshold):
        pair_indexes = {row // 2 for row in group}
        earliest = min(rank[pair_split[p]] for p in pair_indexes)
        dropped.update(p for p in pair_indexes if rank[pair_split[p]] > earliest)
    splits: dict[str, list[Sample]] = {name: [] for name in SPLITS}
    for index, (vulnerable, safe) in enumerate(pairs):
        if index not in dropped:
            splits[pair_split[index]].extend((vulnerable, safe))
    for name in SPLITS:
        splits[name].sort(key=lambda s: s.id)
    return SplitResult(splits=splits, near_duplicates_removed=len(dropped))
