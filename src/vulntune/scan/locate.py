"""Choose the most likely line of a finding by occlusion: mask a line, see how far the score falls.

The model scores a whole unit, so the line a finding points at is the one its verdict rests on
most: each row of the unit's body (`statement_rows`: not its signature, comments or bare braces)
is masked in turn (replaced by an empty line, so line numbers keep their place) and the unit is
re-scored; the row whose masking lowers the probability of the reported CWE the most wins, ties
going to the earlier row. When there are more than `cap` rows, consecutive rows are masked
together in `cap` groups first, and the search goes on inside the group that mattered most, so
the cost stays near `cap` model inputs per round (24 by default: two rounds cover 576 rows). If
no masking lowers the score, the first candidate row is reported; a unit without any reports its
first non-blank line.

Rows without a call are candidates too, because weaknesses sit there as well (a password literal
passed as an argument, an f-string of HTML). Measured by `benchmarks/bench_locate.py` on 120
flagged synthetic units, whose sinks are calls: the sink row exactly 80.0% (Python) and 71.7%
(Java) of the time, against 80.0% and 70.0% when only rows starting a call (`call_rows`) were
searched, for 9.8 and 10.6 model inputs per finding instead of 6.1 and 8.0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from vulntune.parsing import parse, walk
from vulntune.units import CALLS

# Below this drop a masking "changed nothing" (scores are floats from a softmax or a sigmoid).
MIN_DROP = 1e-6


def call_rows(text: str, language: str) -> list[int]:
    """0-based rows of `text` where a call starts, ascending; every non-blank row when the text
    has syntax errors (tree-sitter's error recovery can hide or invent calls)."""
    root = parse(text, language).root_node
    if root.has_error:
        return [i for i, line in enumerate(text.split("\n")) if line.strip()]
    calls = CALLS[language]
    return sorted({node.start_point[0] for node in walk(root) if node.type in calls})


_COMMENT = ("#", "//", "/*", "*")
_BRACES = frozenset("{}();")


def statement_rows(text: str, language: str) -> list[int]:
    """0-based rows of `text` that hold code of the unit's body, ascending: every non-blank row
    except the header (decorators or annotations and the signature, up to the row ending in `:`
    in Python or holding the body's `{` in Java), comments and rows of bare braces.

    Unlike `call_rows` it also offers rows without a call, where a weakness can sit too: a
    hard-coded secret passed as an argument, an f-string of HTML, a flag set on an object.
    """
    lines = text.split("\n")
    start = 0
    for i, line in enumerate(lines):
        stripped = line.strip()
        if language == "python" and stripped.startswith(("def ", "async def ")):
            start = next((j + 1 for j in range(i, len(lines)) if lines[j].rstrip().endswith(":")), 0)
            break
        if language == "java" and "{" in stripped:
            if "(" in "\n".join(lines[: i + 1]):  # a method or constructor header, not a module's class body
                start = i + 1
            break
    return [
        i
        for i in range(start, len(lines))
        if lines[i].strip() and not lines[i].strip().startswith(_COMMENT) and not set(lines[i].strip()) <= _BRACES
    ]


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
    candidates: Callable[[str, str], list[int]] | None = None,
) -> int:
    """The 0-based row of `text` the verdict rests on most.

    Args:
        text: the window the model flagged.
        language: "python" or "java".
        probability: the model's probability of the reported CWE on `text` unmasked.
        score: maps texts to that same probability, one model batch per call.
        cap: texts per round.
        candidates: (text, language) -> the rows to search (default `statement_rows`).
    """
    lines = text.split("\n")
    rows = (candidates or statement_rows)(text, language)
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
