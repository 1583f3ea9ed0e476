"""The model folder on disk: `vulntune-model.json` (what made the model), weights, a model card.

Every detector kind (classify, instruct, tfidf) writes the same metadata file, so one loader can
tell them apart and a folder alone is enough to evaluate or scan. Folders are built with
`vulntune.atomic.atomic_dir`: the metadata file is written last inside the temporary folder,
and the folder appears under its name only when complete.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vulntune import __version__
from vulntune.errors import VulntuneError

META_FILE = "vulntune-model.json"
FORMAT_VERSION = 1
KINDS = ("classify", "instruct", "tfidf")
DTYPES = ("float32", "bfloat16", "int8")  # what a transformer detector computes in (int8: dynamic quantisation)

_REQUIRED = ("format", "kind", "labels", "languages", "max_length", "threshold", "files")


def sha256_file(path: Path, *, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def write_meta(folder: Path, meta: Mapping[str, Any], *, weight_files: list[str]) -> dict[str, Any]:
    """Write `vulntune-model.json` into `folder`, recording the sha256 of each weight file.

    Call it last: the loader refuses a folder whose listed files are missing or altered.
    """
    record = dict(meta)
    record["format"] = FORMAT_VERSION
    record["vulntune_version"] = __version__
    record["files"] = {name: sha256_file(folder / name) for name in sorted(weight_files)}
    (folder / META_FILE).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return record


def read_meta(folder: str | Path, *, verify: bool = True) -> dict[str, Any]:
    """Read and check a model folder's metadata.

    Args:
        folder: the model folder.
        verify: also check each weight file against its recorded sha256.

    Raises:
        VulntuneError: not a folder, not a vulntune model, an unsupported format, a missing or
            altered weight file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise VulntuneError(f"{folder}: no such model folder")
    path = folder / META_FILE
    if not path.is_file():
        raise VulntuneError(f"{folder}: not a vulntune model folder (no {META_FILE})")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise VulntuneError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise VulntuneError(f"{path}: expected a JSON object")
    missing = [k for k in _REQUIRED if k not in meta]
    if missing:
        raise VulntuneError(f"{path}: missing key '{missing[0]}'")
    if meta["format"] != FORMAT_VERSION:
        raise VulntuneError(f"{path}: model format {meta['format']!r} is not supported (expected {FORMAT_VERSION})")
    if meta["kind"] not in KINDS:
        raise VulntuneError(f"{path}: unknown model kind {meta['kind']!r} (expected one of {', '.join(KINDS)})")
    labels = meta["labels"]
    if not isinstance(labels, list) or len(labels) < 2 or labels[0] != "safe" or len(set(labels)) != len(labels):
        raise VulntuneError(f"{path}: labels must list 'safe' first and at least one CWE, without duplicates")
    for name, digest in sorted(meta["files"].items()):
        file = folder / name
        if not file.is_file():
            raise VulntuneError(f"{folder}: incomplete model folder, {name} is missing")
        if verify and sha256_file(file) != digest:
            raise VulntuneError(f"{folder}: {name} does not match its recorded sha256 (altered or corrupt)")
    return meta


def folder_fingerprint(meta: Mapping[str, Any]) -> str:
    """A stable id of a saved model: its weight checksums, labels, threshold and window."""
    keyed = {k: meta.get(k) for k in ("kind", "labels", "threshold", "max_length", "files", "base")}
    if meta.get("pooling", "last") != "last":  # older folders keep their fingerprint (and their scan cache)
        keyed["pooling"] = meta["pooling"]
    if meta.get("classes_by_language"):
        keyed["classes_by_language"] = meta["classes_by_language"]
    if meta.get("thresholds"):  # calibrated per language
        keyed["thresholds"] = meta["thresholds"]
    return hashlib.sha256(canonical_json(keyed).encode("utf-8")).hexdigest()


def detector_fingerprint(meta: Mapping[str, Any], dtype: str = "float32") -> str:
    """The fingerprint of a transformer detector loaded from a folder with this metadata: another
    dtype scores slightly differently, so it keys its own results (`-bfloat16`, `-int8`)."""
    return folder_fingerprint(meta) + ("" if dtype == "float32" else f"-{dtype}")
