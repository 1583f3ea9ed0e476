"""The scan results cache: one small SQLite file of model verdicts, keyed by model and unit text.

A row is keyed by (detector fingerprint and threshold, language, sha256 of the unit text) and holds the
verdict as JSON (never pickle): CWE, score, probabilities and the unit line the finding rests on.
Any change to a unit changes its hash, any change to the model changes its fingerprint, so a
stale row is never read; re-scanning an unchanged repository runs the model on zero units.
A cache that cannot be opened or written is reported once and the scan goes on without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vulntune.models.sources import cache_dir

# Bump when the meaning of a cached row changes (windowing, line choice): old rows are dropped.
SCHEMA_VERSION = 2  # 2: a finding's line is searched among every body row, not only calls
FILE_NAME = "scan-results.sqlite3"


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(kw_only=True, frozen=True)
class Verdict:
    """What the scan keeps of a model's look at one unit.

    Attributes:
        cwe: the most likely CWE.
        score: the vulnerable score (max over the unit's windows).
        probabilities: per class, of the window with the highest score.
        line: 0-based index into the unit's lines of the most likely line, when the score
            reached the model's threshold; None otherwise.
    """

    cwe: str | None
    score: float
    probabilities: Mapping[str, float]
    line: int | None

    def to_json(self) -> str:
        return json.dumps(
            {"cwe": self.cwe, "score": self.score, "probabilities": dict(self.probabilities), "line": self.line},
            sort_keys=True,
        )

    @staticmethod
    def from_json(text: str) -> Verdict:
        data = json.loads(text)
        return Verdict(
            cwe=data["cwe"],
            score=float(data["score"]),
            probabilities={str(k): float(v) for k, v in data["probabilities"].items()},
            line=data["line"],
        )


class ResultCache:
    """Verdicts by (fingerprint, language, text digest). Use as a context manager or call close()."""

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path) if path is not None else cache_dir() / FILE_NAME
        self.problem: str | None = None  # why the cache is off, for one warning
        self._db: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                db.execute("DROP TABLE IF EXISTS verdicts")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute(
                "CREATE TABLE IF NOT EXISTS verdicts (fingerprint TEXT, language TEXT, digest TEXT, "
                "verdict TEXT, PRIMARY KEY (fingerprint, language, digest)) WITHOUT ROWID"
            )
            db.commit()
            self._db = db
        except (OSError, sqlite3.Error) as exc:
            self.problem = f"results cache {self.path} unusable ({exc}); scanning without it"

    def get_many(self, fingerprint: str, language: str, digests: Iterable[str]) -> dict[str, Verdict]:
        if self._db is None:
            return {}
        found: dict[str, Verdict] = {}
        wanted = list(dict.fromkeys(digests))
        try:
            for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit is 999 on old builds
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT digest, verdict FROM verdicts WHERE fingerprint = ? AND language = ? "
                    f"AND digest IN ({marks})",
                    (fingerprint, language, *chunk),
                )
                for digest, verdict in rows:
                    with contextlib.suppress(ValueError, KeyError, TypeError):
                        found[digest] = Verdict.from_json(verdict)
        except sqlite3.Error as exc:
            self._disable(exc)
        return found

    def put_many(self, fingerprint: str, language: str, verdicts: Mapping[str, Verdict]) -> None:
        if self._db is None or not verdicts:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)",
                    [(fingerprint, language, d, v.to_json()) for d, v in verdicts.items()],
                )
        except sqlite3.Error as exc:
            self._disable(exc)

    def _disable(self, exc: Exception) -> None:
        self.problem = f"results cache {self.path} unusable ({exc}); scanning without it"
        self.close()

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
