"""Twin metrics: how a detector treats a vulnerable sample and its minimally different safe twin(s).

A random split hides the false positives that matter most, on patched code that looks like the
vulnerable version. Pairs (samples sharing a `pair_id`) expose them: a detector that flags both
twins has learnt the look of the code, not the weakness.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from vulntune.data import Sample
from vulntune.evaluate.intervals import wilson


def twin_metrics(
    pair_ids: Sequence[str | None], vulnerable: Sequence[bool], flagged: Sequence[bool]
) -> dict[str, object]:
    """Pair-level outcomes and the false positive rate on twins.

    Only pairs with at least one vulnerable and one safe member count. Each such pair is
    exactly one of:
      - correct: every vulnerable member flagged and no safe member flagged;
      - safe_flagged: every vulnerable member flagged, but a safe twin flagged too;
      - vulnerable_missed: no safe member flagged, but a vulnerable member missed;
      - both_wrong: a vulnerable member missed and a safe twin flagged.

    Returns:
        pairs, correct, safe_flagged, vulnerable_missed, both_wrong, pair_correct_rate (with a
        Wilson `_ci`), and twin_negatives / twin_fp / twin_fpr (with `_ci`): false positives
        among the safe members of those pairs.
    """
    groups: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for pair_id, vuln, flag in zip(pair_ids, vulnerable, flagged):
        if pair_id is not None:
            groups[pair_id].append((bool(vuln), bool(flag)))
    counts = {"correct": 0, "safe_flagged": 0, "vulnerable_missed": 0, "both_wrong": 0}
    twin_negatives = twin_fp = 0
    for members in groups.values():
        vulns = [flag for vuln, flag in members if vuln]
        safes = [flag for vuln, flag in members if not vuln]
        if not vulns or not safes:
            continue
        twin_negatives += len(safes)
        twin_fp += sum(safes)
        caught, clean = all(vulns), not any(safes)
        if caught and clean:
            counts["correct"] += 1
        elif caught:
            counts["safe_flagged"] += 1
        elif clean:
            counts["vulnerable_missed"] += 1
        else:
            counts["both_wrong"] += 1
    pairs = sum(counts.values())
    correct_ci = wilson(counts["correct"], pairs)
    fpr_ci = wilson(twin_fp, twin_negatives)
    return {
        "pairs": pairs,
        **counts,
        "pair_correct_rate": counts["correct"] / pairs if pairs else None,
        "pair_correct_rate_ci": list(correct_ci) if correct_ci else None,
        "twin_negatives": twin_negatives,
        "twin_fp": twin_fp,
        "twin_fpr": twin_fp / twin_negatives if twin_negatives else None,
        "twin_fpr_ci": list(fpr_ci) if fpr_ci else None,
    }


def record_twin_metrics(samples: Sequence[Sample], flagged: Mapping[str, bool]) -> dict[str, object]:
    """`twin_metrics` of records (`flagged` by id) that may belong to several pairs: an evaluation
    set cut from real projects lists the other pairs a record is in under `meta["also_in_pairs"]`,
    and the record counts in each."""
    memberships = [(pair, s) for s in samples for pair in (s.pair_id, *s.meta.get("also_in_pairs", ())) if pair]
    return twin_metrics(
        [pair for pair, _ in memberships],
        [s.is_vulnerable for _, s in memberships],
        [flagged[s.id] for _, s in memberships],
    )
