"""Reading models files (TOML): one error line naming the file, and stamps that let a loader cache
what it read until the file changes. Shared by the sink catalogue, the taint models and the
template render rows."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

from vulntune.cwe import LANGUAGES
from vulntune.errors import VulntuneError


def read_models_file(path: str | Path) -> dict:
    """A models file's tables. Raises `VulntuneError` in one line naming the file: missing,
    unreadable, or not TOML."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise VulntuneError(f"{path}: models file not found") from None
    except OSError as exc:
        raise VulntuneError(f"{path}: cannot read models ({exc.strerror or type(exc).__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise VulntuneError(f"{path}: not valid TOML ({exc})") from None


def stamped(paths: Sequence[str | Path]) -> tuple[tuple[str, tuple[int, int]], ...]:
    """Each path with its modification time and size: a cache key under which a changed file is
    read again, not served from the cache."""
    out = []
    for path in paths:
        try:
            stat = Path(path).stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = (0, 0)
        out.append((str(Path(path)), stamp))
    return tuple(out)


def entries(tables: dict, path: str | Path) -> Iterable[tuple[str, str, dict, str | None]]:
    """Each row of the array tables `tables` of a models file: (table, where, row without its
    `language` key, the language the row names or None). `where` names the file, table, row number
    and id for error messages. A table that is not an array of rows, or a row naming an unknown
    language, raises `VulntuneError`."""
    for table, rows in tables.items():
        if not isinstance(rows, list):
            raise VulntuneError(f"{path}: {table} must be an array of tables ([[{table}]])")
        for number, row in enumerate(rows, 1):
            where = f"{path}: {table} #{number}" + (f" ({row['id']!r})" if isinstance(row.get("id"), str) else "")
            row = dict(row)
            wanted = row.pop("language", None)
            if wanted is not None and wanted not in LANGUAGES:
                raise VulntuneError(f"{where}: unknown language {wanted!r}")
            yield table, where, row, wanted
