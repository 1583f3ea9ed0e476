"""Training samples cut to scan units, so the detector sees what the scanner will show it.

The corpus holds whole files (a Flask module, a DAO class); the scanner scores functions,
methods and module-level code one at a time, most of them far shorter than a file (median 54
tokens in the default corpus). A detector trained on files alone has never seen a lone
constructor or a three-line helper, and flags them at random. `scan_unit_samples` cuts each
training file with the scanner's own extractor (`vulntune.units`) and adds:

- the unit holding the sink line (the innermost one), with the file's label: a vulnerable
  file's sink unit is vulnerable, its safe twin's sink unit is safe, and the pair keeps its
  `pair_id` so twin batches still contrast them. A safe twin whose sink unit reads exactly as
  its vulnerable twin's is left out: what makes it safe (a guard constant, a field) lies outside
  the unit, so the unit alone cannot show it and would teach the model to ignore the sink;
- from each vulnerable file, one other unit (chosen by the seed) as safe: the scanner reports a
  weakness at its sink, so a unit without the sink is not the finding.

Units identical to their whole file add nothing and are skipped, as are files without a sink
line or whose sink no unit holds.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from vulntune.data import Sample, stratified_sample
from vulntune.units import Unit, extract_units


def sink_unit(units: Sequence[Unit], sink_line: int) -> Unit | None:
    """The innermost (fewest lines) unit holding `sink_line`, or None."""
    holding = [u for u in units if sink_line in u.lines]
    return min(holding, key=lambda u: (len(u.lines), u.start_line), default=None)


def _unit_sample(sample: Sample, unit: Unit, *, sink: bool) -> Sample:
    label = sample.label if sink else "safe"
    return replace(
        sample,
        id=f"{sample.id}#{unit.name}@{unit.start_line}",
        label=label,
        code=unit.text,
        safe_kind=sample.safe_kind if sink else None,
        pair_id=sample.pair_id if sink else None,
        sink_line=unit.lines.index(sample.sink_line) + 1 if sink else None,
        meta={"unit_of": sample.id, "unit": unit.name, "unit_kind": unit.kind, "sink_unit": sink},
    )


def scan_unit_samples(samples: Sequence[Sample], *, seed: int) -> list[Sample]:
    """The extra unit-sized samples of `samples` (see the module doc), in input order.

    Deterministic: the other unit of a vulnerable file depends only on (seed, sample id).
    """
    cut: list[tuple[Sample, tuple[Unit, ...], Unit]] = []
    for sample in samples:
        if sample.sink_line is None:
            continue
        units = extract_units(sample.code, language=sample.language, file=sample.id).units
        holder = sink_unit(units, sample.sink_line)
        if holder is not None:
            cut.append((sample, units, holder))
    vulnerable_sinks = {(s.pair_id, holder.text) for s, _, holder in cut if s.is_vulnerable and s.pair_id}
    out: list[Sample] = []
    for sample, units, holder in cut:
        whole = sample.code.strip()
        if holder.text.strip() != whole and (
            sample.is_vulnerable or (sample.pair_id, holder.text) not in vulnerable_sinks
        ):
            out.append(_unit_sample(sample, holder, sink=True))
        if not sample.is_vulnerable:
            continue
        others = [u for u in units if sample.sink_line not in u.lines and u.text.strip() != whole]
        if others:
            chosen = random.Random(f"{seed}:{sample.id}").choice(others)
            out.append(_unit_sample(sample, chosen, sink=False))
    return out


def calibration_set(
    validation: Sequence[Sample], *, samples: int | None, seed: int, scan_units: bool
) -> tuple[list[Sample], int]:
    """(the samples a threshold is calibrated on, how many of them are scan units).

    A seeded stratified subsample of `samples` validation samples (all when None), plus, with
    `scan_units`, the scan units cut from them: the scanner asks the model about units, so the
    threshold must hold its false positive rate on them too.
    """
    chosen = stratified_sample(validation, samples, seed=seed) if samples else list(validation)
    if not scan_units:
        return chosen, 0
    units = scan_unit_samples(chosen, seed=seed)
    return chosen + units, len(units)
