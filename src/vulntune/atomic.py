"""Atomic file writes: write beside the target, fsync, rename. A crash never leaves half a file.

`check_file_target` and `check_folder_target` try an output path before the work that fills
it, so `-o some_folder/` or `--out /proc/x` fails in a second with one line, not after an hour
of training with a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from vulntune.errors import VulntuneError


@functools.cache
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator:
    """Open a temporary file beside `path`; on success it replaces `path`, on error it vanishes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    binary = "b" in mode
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a written file should read like any other
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """Atomically write `text` to `path`."""
    with atomic_open(path, "w") as fh:
        fh.write(text)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Atomically write `data` to `path`."""
    with atomic_open(path, "wb", encoding=None) as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike, *, force: bool = False) -> Iterator[Path]:
    """Build a folder under a temporary name and move it into place only when complete.

    An existing `path` is replaced only after the new one is complete (and only if `force`
    or it is empty), so an interrupted run leaves either the old folder or nothing.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700: installed models must be readable by all
        yield tmp
        if path.exists():
            if any(path.iterdir()) and not force:
                raise FileExistsError(str(path))
            old = path.with_name(f".{path.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(os.sep)


def _try_create_in(folder: Path, shown: str | os.PathLike, what: str) -> None:
    """Create and remove a temporary file in `folder`: the only sure test that writing works."""
    if not folder.is_dir():
        raise VulntuneError(f"{what} {shown}: {folder} is not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".vulntune-probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise VulntuneError(
            f"{what} {shown}: cannot write in {folder} ({(exc.strerror or str(exc)).lower()})"
        ) from None


def check_file_target(path: str | os.PathLike, *, what: str = "--output") -> None:
    """Raise a one-line VulntuneError unless a file can be written atomically at `path`.

    Args:
        path: the file to be written (its folders may not exist yet: `atomic_open` makes them).
        what: the option that named it, for the message.
    """
    text = os.fspath(path)
    target = Path(text)
    if text.endswith(("/", os.sep)) or target.is_dir():
        raise VulntuneError(f"{what} {text}: is a folder; name a file")
    _try_create_in(_nearest_existing(target.parent), text, what)


def check_folder_target(path: str | os.PathLike, *, what: str = "--out") -> None:
    """Raise a one-line VulntuneError unless a folder can be made (or written into) at `path`."""
    target = Path(path)
    if os.path.lexists(target) and not target.is_dir():
        raise VulntuneError(f"{what} {path}: exists and is not a folder")
    _try_create_in(target if target.is_dir() else _nearest_existing(target.parent), path, what)
