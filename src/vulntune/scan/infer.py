"""Run the detector over scan units: cache look-up, windows, batches by length, line location.

Identical unit texts (the same helper copied into many files) are scored once. A unit longer
than the model's window (`detector.max_length` tokens, counted with `detector.count_tokens`) is
cut at line boundaries into windows that overlap by a quarter, so code on a window's edge is
also seen with its context; a single line longer than a window is cut by characters. The
unit's verdict is that of its highest-scoring window. Windows are sorted by length before
batching, so each batch pads to a similar length.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vulntune.models.prediction import Detector, language_threshold
from vulntune.scan.cache import ResultCache, Verdict, text_digest
from vulntune.scan.locate import most_likely_line
from vulntune.units import Unit

OVERLAP = 0.25  # of a window's tokens, repeated at the start of the next window
CHUNK = 256  # units scored (and cached) together
# Token counts of separate lines do not add up exactly to the count of the joined text (merges
# across line breaks); a 10% margin keeps windows under the model's limit.
MARGIN = 0.9


@dataclass
class InferenceStats:
    """Counts for the summary and the benchmark.

    Attributes:
        units: distinct (language, text) units.
        cached: of those, answered by the cache.
        inferred: of those, scored by the model.
        windows: model inputs for them (>= inferred when units were cut).
        tokens: tokens of the inferred units, as `count_tokens` counts them.
        located: units whose most likely line was searched by occlusion.
        model_inputs: texts passed to `predict`, line location included.
        seconds: wall time in this stage.
    """

    units: int = 0
    cached: int = 0
    inferred: int = 0
    windows: int = 0
    tokens: int = 0
    located: int = 0
    model_inputs: int = 0
    seconds: float = 0.0


@dataclass(kw_only=True, frozen=True)
class Window:
    """A piece of a unit's text small enough for the model; `rows[i]` is the unit row of line i."""

    rows: tuple[int, ...]
    text: str
    tokens: int


def cut_windows(text: str, *, count_tokens: Callable[[str], int], max_tokens: int) -> list[Window]:
    """`text` as one window when it fits in `max_tokens`, else overlapping windows of whole lines."""
    total = count_tokens(text)
    lines = text.split("\n")
    if total <= max_tokens:
        return [Window(rows=tuple(range(len(lines))), text=text, tokens=total)]
    overhead = count_tokens("")  # special tokens every input carries
    budget = max(8, int((max_tokens - overhead) * MARGIN))
    segments: list[tuple[int, str, int]] = []  # (row, text, tokens)
    for row, line in enumerate(lines):
        cost = max(1, count_tokens(line) - overhead + 1)  # +1: the line break
        if cost <= budget:
            segments.append((row, line, cost))
            continue
        step = max(1, int(len(line) * budget / cost * MARGIN))
        start = 0
        while start < len(line):
            size = step
            while True:  # token density varies along a line: halve a piece until it fits
                piece = line[start : start + size]
                piece_cost = max(1, count_tokens(piece) - overhead)
                if piece_cost <= budget or size == 1:
                    break
                size //= 2
            segments.append((row, piece, piece_cost))
            start += size
    windows: list[Window] = []
    start = 0
    while start < len(segments):
        end, used = start, 0
        while end < len(segments) and (end == start or used + segments[end][2] <= budget):
            used += segments[end][2]
            end += 1
        # The per-segment counts are estimates: check the joined text, drop segments until it fits.
        while True:
            chosen = segments[start:end]
            window_text = "\n".join(s[1] for s in chosen)
            tokens = count_tokens(window_text)
            if tokens <= max_tokens or end - start == 1:
                break
            end -= 1
        windows.append(Window(rows=tuple(s[0] for s in chosen), text=window_text, tokens=tokens))
        if end >= len(segments):
            break
        back, overlap = end, 0
        while back - 1 > start and overlap + segments[back - 1][2] <= budget * OVERLAP:
            back -= 1
            overlap += segments[back][2]
        start = back
    return windows


def score_units(
    units: Sequence[Unit],
    detector: Detector,
    *,
    cache: ResultCache | None = None,
    batch_size: int = 16,
    max_occlusions: int = 24,
    progress: Callable[[int], None] | None = None,
    locate: bool = True,
) -> tuple[dict[tuple[str, str], Verdict], InferenceStats]:
    """Verdicts for `units`, keyed by (language, sha256 of the unit text).

    With `locate` (function units) a verdict above the threshold also holds its most likely
    line, found by occlusion; without it (slices, whose finding sits on the candidate's line)
    the verdict is the score alone, cached independently of the threshold, so scanning again at
    another `--target-fpr` runs no model.

    The model runs only on units the cache does not hold; new verdicts are written back.
    `progress(n)` is called as units are answered.
    """
    began = time.perf_counter()
    stats = InferenceStats()
    by_language: dict[str, dict[str, str]] = {}  # language -> digest -> text
    for unit in units:
        by_language.setdefault(unit.language, {}).setdefault(text_digest(unit.text), unit.text)
    verdicts: dict[tuple[str, str], Verdict] = {}
    for language in sorted(by_language):
        # A verdict's line is searched only above the language's threshold, so that threshold is
        # part of the key (a detector's fingerprint may not cover a threshold changed after loading).
        model_key = (
            f"{detector.fingerprint}@{language_threshold(detector, language)!r}"
            if locate
            else f"{detector.fingerprint}#score"
        )
        texts = by_language[language]
        stats.units += len(texts)
        hits = cache.get_many(model_key, language, texts) if cache is not None else {}
        stats.cached += len(hits)
        verdicts.update({(language, d): v for d, v in hits.items()})
        if progress and hits:
            progress(len(hits))
        # Longest first, in chunks: each chunk's verdicts reach the cache as soon as they are
        # known, so an interrupted scan keeps its work; within a chunk lengths are similar.
        missing = sorted((d for d in texts if d not in hits), key=lambda d: (-len(texts[d]), d))
        for start in range(0, len(missing), CHUNK):
            chunk = {d: texts[d] for d in missing[start : start + CHUNK]}
            fresh = _infer(
                chunk,
                language,
                detector,
                stats=stats,
                batch_size=batch_size,
                max_occlusions=max_occlusions,
                progress=progress,
                locate=locate,
            )
            verdicts.update({(language, d): v for d, v in fresh.items()})
            if cache is not None:
                cache.put_many(model_key, language, fresh)
    stats.seconds = time.perf_counter() - began
    return verdicts, stats


def _infer(
    texts: dict[str, str],
    language: str,
    detector: Detector,
    *,
    stats: InferenceStats,
    batch_size: int,
    max_occlusions: int,
    progress,
    locate: bool = True,
) -> dict[str, Verdict]:
    if not texts:
        return {}
    windows: list[tuple[str, Window]] = []
    for digest, text in texts.items():
        cut = cut_windows(text, count_tokens=detector.count_tokens, max_tokens=detector.max_length)
        stats.tokens += detector.count_tokens(text) if len(cut) > 1 else cut[0].tokens
        windows.extend((digest, w) for w in cut)
    stats.inferred += len(texts)
    stats.windows += len(windows)
    # Longest first: the first batch shows at once whether memory suffices; similar lengths
    # in a batch keep padding small.
    order = sorted(range(len(windows)), key=lambda i: (-windows[i][1].tokens, i))
    best: dict[str, tuple[Window, object]] = {}
    remaining = Counter(digest for digest, _ in windows)
    for start in range(0, len(order), batch_size):
        batch = [windows[i] for i in order[start : start + batch_size]]
        predictions = detector.predict([w.text for _, w in batch], language=language)
        stats.model_inputs += len(batch)
        for (digest, window), prediction in zip(batch, predictions, strict=True):
            held = best.get(digest)
            if held is None or prediction.score > held[1].score:
                best[digest] = (window, prediction)
            if progress:
                remaining[digest] -= 1
                if remaining[digest] == 0:
                    progress(1)
    verdicts = {}
    for digest in texts:
        window, prediction = best[digest]
        line = None
        if locate and prediction.score >= language_threshold(detector, language) and prediction.cwe is not None:
            stats.located += 1
            row = most_likely_line(
                window.text,
                language=language,
                cap=max_occlusions,
                probability=prediction.probabilities.get(prediction.cwe, prediction.score),
                score=lambda variants, cwe=prediction.cwe: _probabilities(detector, variants, language, cwe, stats),
            )
            line = window.rows[row]
        verdicts[digest] = Verdict(
            cwe=prediction.cwe, score=float(prediction.score), probabilities=dict(prediction.probabilities), line=line
        )
    return verdicts


def _probabilities(detector: Detector, texts: list[str], language: str, cwe: str, stats: InferenceStats) -> list[float]:
    stats.model_inputs += len(texts)
    return [p.probabilities.get(cwe, p.score) for p in detector.predict(texts, language=language)]
