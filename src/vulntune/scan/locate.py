"""Choose the most likely line of a finding by occlusion: mask a line, see how far the score falls.

The model scores a whole unit, so the line a finding points at is the one its verdict rests on
most: each line holding a call (a sink is a call) is masked in turn (replaced by an empty line,
so line numbers keep their place) and the unit is re-scored; the line whose masking lowers the
probability of the reported CWE the most wins, ties going to the earlier line. When more than
`cap` lines hold calls, consecutive lines are masked together in `cap` groups first, and the
search goes on inside the group that mattered most, so the cost stays near `cap` model inputs
per round (24 by default: two rounds cover 576 call lines). If no masking lowers the score, the
first call line is reported; a unit without calls reports its first non-blank line. Code with
syntax errors makes every non-blank line a candidate, since the parser's recovery cannot be
trusted to find the calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from vulntune.parsing import parse, walk
from vulntune.units import CALLS

# Below this drop a masking "changed nothing" (scores are floats from a softmax or a sigmoid).
MIN_DROP = 1e-6


def candidate_rows(text: str, language: str) -> list[int]:
    """0-based rows of `text` where a call starts, ascending; every non-blank row when the text
    has syntax errors (tree-sitter's error recovery can hide or invent calls)."""
    root = parse(text, language).root_node
    if root.has_error:
        return [i for i, line in enumerate(text.split("\n")) if line.strip()]
    calls = CALLS[language]
    return sorted({node.start_point[0] for node in walk(root) if node.type in calls})


def _mask(lines: Sequence[str], rows: Sequence[int]) -> str:
    hidden = set(rows)
    return "\n".join("" if i in hidden else line for i, line in enumerate(lines))


def most_likely_line(
    text: str,
    *,
    language: str,
    probability: float,
    score: Callable[[list[str]], list[float]],
    cap: int = 24,
) -> int:
    """The 0-based row of `text` the verdict rests on most.

    Args:
        text: the window the model flagged.
        language: "python" or "java".
        probability: the model's probability of the reported CWE on `text` unmasked.
        score: maps texts to that same probability, one model batch per call.
        cap: texts per round.
    """
    lines = text.split("\n")
    rows = candidate_rows(text, language)
    if not rows:
        return next((i for i, line in enumerate(lines) if line.strip()), 0)
    candidates = rows
    while len(candidates) > 1:
        groups = _split(candidates, cap)
        scores = score([_mask(lines, group) for group in groups])
        drops = [probability - s for s in scores]
        best = max(range(len(groups)), key=lambda i: (drops[i], -i))
        if drops[best] < MIN_DROP:
            return rows[0] if candidates is rows else candidates[0]
        candidates = groups[best]
    return candidates[0]


def _split(rows: list[int], parts: int) -> list[list[int]]:
    """`rows` in at most `parts` consecutive groups of near-equal size."""
    parts = min(parts, len(rows))
    size, extra = divmod(len(rows), parts)
    groups, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        groups.append(rows[start:end])
        start = end
    return groups
