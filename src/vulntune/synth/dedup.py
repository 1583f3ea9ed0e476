"""Duplicate control: exact duplicates (after normalising whitespace and user-declared
identifiers) are removed; near duplicates (MinHash over token 5-grams) never cross splits.

Both work on twin pairs: a pair is kept or dropped whole, so twins always stay together.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from vulntune.data import Sample
from vulntune.synth.tokens import normalized_tokens

Pair = tuple[Sample, Sample]

_PERMUTATIONS = 64
_BANDS = 8  # 8 bands x 8 rows: a pair at Jaccard 0.9 becomes a candidate with p=0.99, at 0.5 with p=0.03
_PRIME = 4294967311  # smallest prime above 2**32
_SHINGLE = 5


@dataclass(kw_only=True, frozen=True)
class ExactDedupResult:
    pairs: list[Pair]
    duplicates_removed: int  # pairs dropped because a twin repeated an earlier sample
    label_conflicts: int  # pairs dropped because identical code carried both labels


def exact_dedup(pairs: Sequence[Pair], keys: dict[str, str]) -> ExactDedupResult:
    """Keep the first pair of every normalised code; `keys` maps sample id -> normalised code."""
    seen: dict[str, str] = {}
    kept: list[Pair] = []
    duplicates = conflicts = 0
    for vulnerable, safe in pairs:
        kv, ks = keys[vulnerable.id], keys[safe.id]
        if kv == ks or seen.get(kv, "vulnerable") != "vulnerable" or seen.get(ks, "safe") != "safe":
            conflicts += 1
            continue
        if kv in seen or ks in seen:
            duplicates += 1
            continue
        seen[kv] = "vulnerable"
        seen[ks] = "safe"
        kept.append((vulnerable, safe))
    return ExactDedupResult(pairs=kept, duplicates_removed=duplicates, label_conflicts=conflicts)


def normalized_key(sample: Sample, declared: list[str] | None = None) -> str:
    return " ".join(normalized_tokens(sample.code, sample.language, declared))


def minhash_signatures(token_lists: Sequence[Sequence[str]], *, seed: int = 0) -> np.ndarray:
    """One row of `_PERMUTATIONS` minimum hashes per token list (token 5-gram shingles)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, _PRIME, size=_PERMUTATIONS, dtype=np.uint64)
    b = rng.integers(0, _PRIME, size=_PERMUTATIONS, dtype=np.uint64)
    signatures = np.empty((len(token_lists), _PERMUTATIONS), dtype=np.uint64)
    for row, toks in enumerate(token_lists):
        grams = {" ".join(toks[i : i + _SHINGLE]) for i in range(max(1, len(toks) - _SHINGLE + 1))}
        hashes = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))
        # (a*h + b) mod p, with h < 2**32 and a < p: the product fits in uint64.
        signatures[row] = ((np.outer(hashes, a) + b) % _PRIME).min(axis=0)
    return signatures


def near_duplicate_groups(signatures: np.ndarray, threshold: float) -> list[list[int]]:
    """Connected groups (size >= 2) of rows whose estimated Jaccard >= threshold."""
    rows = _PERMUTATIONS // _BANDS
    parent = list(range(len(signatures)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for band in range(_BANDS):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        for i in range(len(block)):
            buckets[block[i].tobytes()].append(i)
        for members in buckets.values():
            if len(members) < 2:
                continue
            first = members[0]
            for other in members[1:]:
                if find(first) == find(other):
                    continue
                if np.mean(signatures[first] == signatures[other]) >= threshold:
                    parent[find(other)] = find(first)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(signatures)):
        groups[find(i)].append(i)
    return [g for g in groups.values() if len(g) >= 2]
