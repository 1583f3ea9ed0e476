"""Find the files to scan: extensions, .gitignore, --exclude globs, vendored folders, symlinks, size.

Nothing here opens a source file for reading except `.gitignore` and `.git/info/exclude`
files; reading and decoding the sources happens in `vulntune.scan.extract` (in worker
processes when `--jobs` > 1).
Symlinks are followed only when their target stays inside the scanned folder, and each real
file or folder is visited once, so a symlink loop ends the walk of that branch.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from vulntune.scan.settings import LANGUAGE_OF_EXTENSION, ScanConfig

# Folders of third-party or generated code; never entered (a folder named explicitly is scanned).
VENDORED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "build", "target", "__pycache__", ".tox",
})


@dataclass(kw_only=True, frozen=True)
class SourceFile:
    """A file to scan.

    Attributes:
        path: the absolute path to open (lexical: a symlink stays a symlink).
        display: the path shown in findings, relative to the scan root, with "/" separators.
        language: "python" or "java".
        size: bytes, at discovery.
    """

    path: str
    display: str
    language: str
    size: int


@dataclass(kw_only=True, frozen=True, order=True)
class Skipped:
    """A file or folder that was not scanned, and why.

    Attributes:
        path: as shown to the user (relative to the scan root when inside it).
        reason: one short phrase, e.g. "binary file".
        error: True when a PATH named by the user could not be scanned at all (exit code 2).
    """

    path: str
    reason: str
    error: bool = False


@dataclass(kw_only=True)
class Discovery:
    root: Path
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def scan_root(paths: Sequence[str | os.PathLike]) -> Path:
    """The folder paths are reported relative to: the current directory when every PATH is
    inside it, else the deepest folder containing them all."""
    cwd = os.getcwd()
    absolute = [os.path.abspath(p) for p in paths] or [cwd]
    if all(_inside(p, cwd) for p in absolute):
        return Path(cwd)
    folders = [p if os.path.isdir(p) else os.path.dirname(p) for p in absolute]
    return Path(os.path.commonpath(folders))


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives
        return False


def _display(path: str, root: Path) -> str:
    if _inside(path, str(root)):
        rel = os.path.relpath(path, root)
        return "." if rel == "." else Path(rel).as_posix()
    return Path(path).as_posix()


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    return (exc.strerror or type(exc).__name__).lower()


class _Ignore:
    """.gitignore files that apply below one folder, each matched relative to its own folder."""

    def __init__(self, specs: tuple[tuple[str, pathspec.PathSpec], ...] = ()) -> None:
        self.specs = specs

    def with_folder(self, folder: str) -> _Ignore:
        spec = _read_gitignore(folder)
        return _Ignore((*self.specs, (folder, spec))) if spec is not None else self

    def ignored(self, path: str, *, is_dir: bool) -> bool:
        verdict = None
        for base, spec in self.specs:  # deeper files come later and win, as in git
            if not _inside(path, base) or path == base:
                continue
            rel = Path(os.path.relpath(path, base)).as_posix() + ("/" if is_dir else "")
            include = spec.check_file(rel).include
            if include is not None:
                verdict = include
        return bool(verdict)


def _read_lines(path: str) -> list[str] | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read().splitlines()
    except OSError:
        return None


def _read_gitignore(folder: str) -> pathspec.PathSpec | None:
    """The folder's .gitignore; at the top of a work tree, `.git/info/exclude` first (git ranks
    it below the .gitignore files, and the last matching line wins)."""
    lines = _read_lines(os.path.join(folder, ".gitignore"))
    exclude = _read_lines(os.path.join(folder, ".git", "info", "exclude"))
    if lines is None and exclude is None:
        return None
    return pathspec.GitIgnoreSpec.from_lines([*(exclude or ()), *(lines or ())])


def _ancestor_ignores(folder: str, root: Path) -> _Ignore:
    """.gitignore files above `folder`: up to the top of its git work tree, or else up to the
    scan root (a copy of a repository without its .git folder still honours its .gitignore)."""
    chain = []
    for candidate in (folder, *map(str, Path(folder).parents)):
        chain.append(candidate)
        if os.path.exists(os.path.join(candidate, ".git")):
            break
    else:
        chain = [c for c in chain if _inside(c, str(root))]
    ignore = _Ignore()
    for candidate in reversed(chain[1:]):  # the folder itself is added by the walk
        ignore = ignore.with_folder(candidate)
    return ignore


def discover(
    paths: Sequence[str | os.PathLike],
    *,
    config: ScanConfig,
    root: Path | None = None,
    only: Iterable[str] | None = None,
) -> Discovery:
    """List the files under `paths` that a scan reads, and everything passed over with a reason.

    Args:
        paths: files and folders named by the user.
        config: extensions, exclude patterns, size limit, .gitignore switch.
        root: findings' paths are relative to it (default: `scan_root(paths)`).
        only: when given, real paths of the only files to keep (for `--changed-since`).

    Returns:
        The files, sorted by display path, and the skipped paths.
    """
    root = Path(os.path.abspath(root)) if root is not None else scan_root(paths)
    found = Discovery(root=root)
    exclude = pathspec.GitIgnoreSpec.from_lines(config.exclude)
    only_set = {os.path.realpath(p) for p in only} if only is not None else None
    seen: set[tuple[int, int]] = set()

    def excluded(path: str, *, is_dir: bool) -> bool:
        if not config.exclude:
            return False
        rel = _display(path, root)
        return rel != "." and exclude.match_file(rel + ("/" if is_dir else ""))

    def add_file(path: str, st: os.stat_result, *, named: bool) -> None:
        display = _display(path, root)
        language = LANGUAGE_OF_EXTENSION.get(os.path.splitext(path)[1])
        if language is None or os.path.splitext(path)[1] not in config.extensions:
            if named:
                wanted = "/".join(config.extensions)
                found.skipped.append(Skipped(path=display, reason=f"not a {wanted} file"))
            return
        if excluded(path, is_dir=False):
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            return  # the same file through another path or symlink
        seen.add(key)
        if only_set is not None and os.path.realpath(path) not in only_set:
            return
        if st.st_size > config.max_file_size:
            found.skipped.append(Skipped(
                path=display, reason=f"larger than {config.max_file_size:,} bytes ({st.st_size:,} bytes)"))
            return
        found.files.append(SourceFile(path=path, display=display, language=language, size=st.st_size))

    for raw in paths:
        path = os.path.abspath(raw)
        display = _display(path, root)
        try:
            st = os.stat(path)
        except OSError as exc:
            reason = _reason(exc) if os.path.lexists(path) else "no such file or directory"
            found.skipped.append(Skipped(path=display, reason=reason, error=True))
            continue
        if stat.S_ISDIR(st.st_mode):
            _walk(path, st, root=root, config=config, found=found, seen=seen,
                  excluded=excluded, add_file=add_file)
        elif stat.S_ISREG(st.st_mode):
            add_file(path, st, named=True)
        else:  # a FIFO or device would block or never end
            found.skipped.append(Skipped(path=display, reason="not a regular file"))
    found.files.sort(key=lambda f: f.display)
    found.skipped.sort()
    return found


def _walk(top, top_stat, *, root, config, found, seen, excluded, add_file) -> None:
    """Walk one named folder. Symlinks are taken after every real entry, so a file reached both
    directly and through a link is reported under its real path."""
    boundary = os.path.realpath(top)
    visited = {(top_stat.st_dev, top_stat.st_ino)}
    ignore = _ancestor_ignores(top, root) if config.gitignore else _Ignore()
    stack: list[tuple[str, _Ignore]] = [(top, ignore)]
    links: list[tuple[str, os.stat_result, bool, str, _Ignore]] = []  # (path, stat, is_dir, parent, ignore)
    while stack or links:
        if not stack:
            path, st, is_dir, parent, ignore = links.pop(0)
            if not is_dir:
                add_file(path, st, named=False)
                continue
            key = (st.st_dev, st.st_ino)
            if key in visited:
                loop = _inside(os.path.realpath(parent), os.path.realpath(path))
                reason = "symlink loop" if loop else "symlink to a folder scanned through another path"
                found.skipped.append(Skipped(path=_display(path, root), reason=reason))
                continue
            visited.add(key)
            stack.append((path, ignore))
            continue
        folder, ignore = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            found.skipped.append(Skipped(path=_display(folder, root), reason=_reason(exc), error=folder == top))
            continue
        if config.gitignore:
            ignore = ignore.with_folder(folder)
        subfolders = []
        for entry in entries:
            path = entry.path
            try:
                is_link = entry.is_symlink()
                st = os.stat(path)  # follows symlinks
            except OSError as exc:
                reason = "broken symlink" if isinstance(exc, FileNotFoundError) else _reason(exc)
                found.skipped.append(Skipped(path=_display(path, root), reason=reason))
                continue
            is_dir = os.path.isdir(path)
            if is_dir and entry.name in VENDORED_DIRS:
                continue
            if not is_dir and os.path.splitext(entry.name)[1] not in config.extensions:
                continue  # cheap test first: most files of a repository are not sources
            if ignore.ignored(path, is_dir=is_dir) or excluded(path, is_dir=is_dir):
                continue
            if is_link:
                if not _inside(os.path.realpath(path), boundary):
                    found.skipped.append(Skipped(path=_display(path, root), reason="symlink to outside the scanned folder"))
                else:
                    links.append((path, st, is_dir, folder, ignore))
                continue
            if is_dir:
                key = (st.st_dev, st.st_ino)
                if key not in visited:  # a bind mount can show a folder twice
                    visited.add(key)
                    subfolders.append(path)
            elif os.path.isfile(path):
                add_file(path, st, named=False)
        stack.extend((sub, ignore) for sub in reversed(subfolders))
