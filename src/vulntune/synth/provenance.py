"""What made a corpus: a fingerprint of the generator's code, so a study (or anyone) can tell a
corpus made by other templates from one this code would make.

The fingerprint is the sha256 of every source file of `vulntune.synth` (templates, renderers,
verification, dedup, splits) in path order. A change to any of them may change the corpus; a
change elsewhere cannot.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

SYNTH = Path(__file__).resolve().parent


@functools.cache
def generator_sha256() -> str:
    """The sha256 of the generator's source files (`vulntune/synth/**/*.py`, stubs and data)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in SYNTH.rglob("*") if p.is_file() and p.suffix in (".py", ".java", ".toml", ".json")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(SYNTH).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
