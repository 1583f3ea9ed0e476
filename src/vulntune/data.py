"""The sample record and its JSONL files (one JSON object per line, loadable with `datasets`).

Synthetic records carry every field; external sets (e.g. `../shared/datasets`) may lack
`safe_kind`, `family` and `sink_line`, and may carry provenance in `meta`, which is never
model input.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vulntune.atomic import atomic_open
from vulntune.cwe import LANGUAGES, normalize_cwe
from vulntune.errors import VulntuneError

LABELS = ("vulnerable", "safe")
TWIN_KINDS = ("fix", "untainted", "taint-killed", "unreached")  # how a generated safe twin differs
SAFE_KINDS = (*TWIN_KINDS, "mined")  # mined: a weak negative from real code, no twin (vulntune.synth.mined)
SPLITS = ("train", "validation", "test")
_REQUIRED = ("id", "language", "cwe", "label", "code")
_OPTIONAL = ("safe_kind", "family", "pair_id", "sink_line", "meta")


@dataclass(kw_only=True, frozen=True)
class Sample:
    """One labelled piece of code.

    Attributes:
        id: unique and label-neutral.
        language: "python" or "java".
        cwe: the weakness the sample is about ("CWE-89"), for safe samples too.
        label: "vulnerable" or "safe".
        safe_kind: for safe samples: fix, untainted, taint-killed, unreached, or mined (a weak
            negative: a reachable candidate of real code, labelled safe unchecked); None otherwise.
        code: the source text, the only field a model sees.
        family: the template family (splits never share one).
        pair_id: links a vulnerable sample with its safe twin(s).
        sink_line: 1-based line of the sink call, when known.
        meta: provenance, never model input.
    """

    id: str
    language: str
    cwe: str
    label: str
    code: str
    safe_kind: str | None = None
    family: str | None = None
    pair_id: str | None = None
    sink_line: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def is_vulnerable(self) -> bool:
        return self.label == "vulnerable"

    def to_json(self) -> str:
        record = asdict(self)
        if not record["meta"]:
            del record["meta"]
        return json.dumps(record, sort_keys=True, ensure_ascii=False)


def sample_from_dict(record: Any, *, where: str) -> Sample:
    """Validate one decoded record; `where` (file:line) prefixes every error."""
    if not isinstance(record, dict):
        raise VulntuneError(f"{where}: expected a JSON object")
    missing = [k for k in _REQUIRED if k not in record]
    if missing:
        raise VulntuneError(f"{where}: missing field '{missing[0]}'")
    unknown = sorted(set(record) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise VulntuneError(f"{where}: unknown field '{unknown[0]}'")
    if record["language"] not in LANGUAGES:
        raise VulntuneError(f"{where}: language must be one of {', '.join(LANGUAGES)}, got {record['language']!r}")
    if record["label"] not in LABELS:
        raise VulntuneError(f"{where}: label must be 'vulnerable' or 'safe', got {record['label']!r}")
    safe_kind = record.get("safe_kind")
    if safe_kind is not None and safe_kind not in SAFE_KINDS:
        raise VulntuneError(f"{where}: safe_kind must be one of {', '.join(SAFE_KINDS)}, got {safe_kind!r}")
    if safe_kind is not None and record["label"] != "safe":
        raise VulntuneError(f"{where}: a vulnerable sample cannot have a safe_kind")
    if not isinstance(record["code"], str) or not record["code"].strip():
        raise VulntuneError(f"{where}: 'code' must be a non-empty string")
    sink_line = record.get("sink_line")
    if sink_line is not None and (not isinstance(sink_line, int) or sink_line < 1):
        raise VulntuneError(f"{where}: sink_line must be a positive integer")
    try:
        cwe = normalize_cwe(record["cwe"])
    except VulntuneError as exc:
        raise VulntuneError(f"{where}: {exc}") from None
    return Sample(
        id=str(record["id"]),
        language=record["language"],
        cwe=cwe,
        label=record["label"],
        code=record["code"],
        safe_kind=safe_kind,
        family=record.get("family"),
        pair_id=record.get("pair_id"),
        sink_line=sink_line,
        meta=dict(record.get("meta") or {}),
    )


def read_samples(path: str | Path) -> list[Sample]:
    """Read and validate a JSONL file of samples.

    Raises:
        VulntuneError: missing file, invalid JSON, a bad record, duplicate ids, or no records.
    """
    path = Path(path)
    if not path.is_file():
        raise VulntuneError(f"{path}: no such file")
    samples: list[Sample] = []
    seen: set[str] = set()
    try:
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise VulntuneError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from None
                sample = sample_from_dict(record, where=f"{path}:{lineno}")
                if sample.id in seen:
                    raise VulntuneError(f"{path}:{lineno}: duplicate id {sample.id!r}")
                seen.add(sample.id)
                samples.append(sample)
    except UnicodeDecodeError:
        raise VulntuneError(f"{path}: not UTF-8 text") from None
    if not samples:
        raise VulntuneError(f"{path}: no samples")
    return samples


def write_samples(path: str | Path, samples: Iterable[Sample]) -> int:
    """Atomically write samples as JSONL; returns how many were written."""
    count = 0
    with atomic_open(path, "w") as fh:
        for sample in samples:
            fh.write(sample.to_json())
            fh.write("\n")
            count += 1
    return count


def fingerprint(samples: Sequence[Sample]) -> str:
    """sha256 over the records' canonical JSON: names the exact data a model was trained on."""
    digest = hashlib.sha256()
    for sample in samples:
        digest.update(sample.to_json().encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def read_split_dir(folder: str | Path, split: str) -> list[Sample]:
    """Read `<folder>/<split>.jsonl` as written by `vulntune synth`."""
    if split not in SPLITS:
        raise VulntuneError(f"unknown split {split!r} (expected one of {', '.join(SPLITS)})")
    folder = Path(folder)
    if not folder.is_dir():
        raise VulntuneError(f"{folder}: not a folder")
    return read_samples(folder / f"{split}.jsonl")


def load_dataset_arg(path: str | Path, *, split: str = "test") -> list[Sample]:
    """A JSONL file, or a synth folder (then `<split>.jsonl` inside it)."""
    path = Path(path)
    if path.is_dir():
        return read_split_dir(path, split)
    return read_samples(path)


def stratified_sample(samples: Sequence[Sample], n: int, *, seed: int = 0) -> list[Sample]:
    """A deterministic subsample of about `n` records, stratified by (language, CWE, label).

    Records sharing a `pair_id` are kept or dropped together, so twin metrics stay computable.
    Each stratum keeps its share of `n` (at least one group); the result keeps input order.
    """
    import random

    if n <= 0:
        raise VulntuneError(f"sample size must be positive, got {n}")
    if n >= len(samples):
        return list(samples)
    groups: dict[str, list[int]] = {}
    for index, sample in enumerate(samples):
        groups.setdefault(sample.pair_id or sample.id, []).append(index)
    strata: dict[tuple[str, str, str], list[str]] = {}
    for key, members in groups.items():
        first = samples[members[0]]
        strata.setdefault((first.language, first.cwe, first.label), []).append(key)
    rng = random.Random(seed)
    keep: set[int] = set()
    fraction = n / len(samples)
    for stratum in sorted(strata):
        keys = sorted(strata[stratum])
        rng.shuffle(keys)
        size = sum(len(groups[k]) for k in keys)
        target = max(1, round(size * fraction))
        taken = 0
        for key in keys:
            if taken >= target:
                break
            keep.update(groups[key])
            taken += len(groups[key])
    return [samples[i] for i in sorted(keep)]
