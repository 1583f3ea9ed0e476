"""Find the files to scan: extensions, .gitignore, --exclude globs, vendored folders, symlinks, size.

Inside a git work tree a named folder is listed by git itself (`vulntune.scan.git`: tracked
files always, untracked ones unless git ignores them, `core.excludesFile` included), so the scan
and `git status` agree. Outside one (a copy without `.git`, no git installed) or with
`gitignore = false` the folders are walked here, honouring `.gitignore` files as git would.
Nothing here opens a source file for reading except `.gitignore` and `.git/info/exclude`
files, standard input for the PATH `-`, and the first line of a file named on the command line
without a `.py` or `.java` extension (a script such as `bin/tool`, which pre-commit hands over
when its `#!` line names python: see `shebang_language`); reading and decoding the sources
happens in `vulntune.scan.extract` (in worker processes when `--jobs` > 1).
Symlinks are followed only when their target stays inside the scanned folder, and each real
file or folder is visited once, so a symlink loop ends the walk of that branch.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from vulntune.analysis.templates import JSP_EXTENSIONS, TEMPLATE_EXTENSIONS
from vulntune.scan import git
from vulntune.scan.settings import LANGUAGE_OF_EXTENSION, ScanConfig

# Bytes of a script's first line read for its `#!` line (Linux reads at most 256).
SHEBANG_BYTES = 256
# Interpreters a `#!` line may name, by the basename of its program: python3.12, pypy3, java.
SHEBANG_LANGUAGES = ((re.compile(r"(python|pypy)[0-9.]*"), "python"), (re.compile(r"java"), "java"))

STDIN = "-"  # the PATH that means "read one file from standard input"
STDIN_DISPLAY = "<stdin>"  # its path in reports without --stdin-filename (scanned as Python)

# Why a path was passed over on purpose (not warnings: `--verbose` lists them).
IGNORED_BY_GIT = "ignored by git"
IGNORED_BY_GITIGNORE = "ignored by .gitignore"
EXCLUDED = "matches an exclude pattern"
VENDORED = "vendored or generated folder"

# Folders of third-party or generated code; never entered (a folder named explicitly is scanned).
VENDORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "build",
        "target",
        "__pycache__",
        ".tox",
    }
)


@dataclass(kw_only=True, frozen=True)
class SourceFile:
    """A file to scan.

    Attributes:
        path: the absolute path to open (lexical: a symlink stays a symlink).
        display: the path shown in findings, relative to the scan root, with "/" separators.
        language: "python" or "java".
        size: bytes, at discovery.
        data: the file's bytes when they were read at discovery (standard input), else None.
    """

    path: str
    display: str
    language: str
    size: int
    data: bytes | None = None


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
    """What a scan reads and what it does not.

    Attributes:
        root: findings' paths are relative to it.
        files: the files to read, sorted by display path.
        skipped: paths that could not be scanned (warnings; `error` ones change the exit code).
        passed_over: paths left out on purpose (ignored, excluded, vendored): no warning.
        notes: sentences for the user, e.g. that a named folder git ignores was scanned anyway.
        templates: with `templates`, the HTML template files in the folders, sorted by display
            path (language "html" or "jsp"; `vulntune.scan.templates` reads them), whatever `only` says.
    """

    root: Path
    files: list[SourceFile] = field(default_factory=list)
    templates: list[SourceFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    passed_over: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _lexical(path: str | os.PathLike) -> str:
    """The absolute path with its folder resolved and its last part kept (a named symlink stays
    one), so paths compare with git's top level, which git gives resolved."""
    absolute = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))


def scan_root(paths: Sequence[str | os.PathLike]) -> Path:
    """The folder paths are reported relative to outside a git work tree: the current directory
    when every PATH is inside it, else the deepest folder containing them all. `-` (standard
    input) does not count, nor do PATHs that do not exist (errors) unless no PATH does:
    `scan app /nonexist` must not report from `/`."""
    cwd = os.path.realpath(os.getcwd())
    named = [_lexical(p) for p in paths if str(p) != STDIN]
    absolute = [p for p in named if os.path.lexists(p)] or named or [cwd]
    if all(_inside(p, cwd) for p in absolute):
        return Path(cwd)
    folders = [p if os.path.isdir(p) else os.path.dirname(p) for p in absolute]
    return Path(os.path.commonpath(folders))


def report_root(paths: Sequence[str | os.PathLike], *, stdin_filename: str | None = None) -> Path:
    """The folder findings' paths are relative to: the top of the git work tree holding the
    PATHs (so paths and fingerprints do not depend on the current directory), else `scan_root`.

    `-` counts as `stdin_filename` (or the current directory without one).
    """
    named = [stdin_filename or os.curdir if str(p) == STDIN else p for p in paths]
    existing = [_lexical(p) for p in named if os.path.lexists(p) or p == stdin_filename]
    if existing:
        top = git.toplevel(existing[0] if os.path.isdir(existing[0]) else os.path.dirname(existing[0]))
        if top is not None and all(_inside(p, str(top)) for p in existing):
            return top
    return scan_root(named)


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
    stdin_filename: str | None = None,
    templates: bool = False,
) -> Discovery:
    """List the files under `paths` that a scan reads, and everything passed over with a reason.

    Args:
        paths: files and folders named by the user; `-` reads one file from standard input.
        config: extensions, exclude patterns, size limit, .gitignore switch.
        root: findings' paths are relative to it (default: `report_root(paths)`).
        only: when given, real paths of the only files to keep (for `--changed-since`).
        stdin_filename: the path and language of `-` (default: `<stdin>`, Python).
        templates: also list the template files (`TEMPLATE_EXTENSIONS`) inside the folders, under
            the same ignore, exclude and size rules, in `Discovery.templates`.

    Returns:
        The files, sorted by display path, and the skipped and passed-over paths.
    """
    root = Path(os.path.realpath(root)) if root is not None else report_root(paths, stdin_filename=stdin_filename)
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
        extension = os.path.splitext(path)[1]
        language = LANGUAGE_OF_EXTENSION.get(extension)
        template = templates and not named and extension.lower() in TEMPLATE_EXTENSIONS
        if template:  # SARIF's name for the file's language
            language = "jsp" if extension.lower() in JSP_EXTENSIONS else "html"
        elif named and language is None:  # a script named on the command line (or by pre-commit): its #! line
            language = shebang_language(path)
            wanted_languages = {LANGUAGE_OF_EXTENSION[e] for e in config.extensions}
            if language not in wanted_languages:
                language = None
        elif extension not in config.extensions:
            language = None
        if language is None:
            if named:
                wanted = "/".join(config.extensions)
                found.skipped.append(Skipped(path=display, reason=f"not a {wanted} file"))
            return
        if excluded(path, is_dir=False):
            if not template:  # templates are not listed as passed over: they are not sources
                found.passed_over.append(Skipped(path=display, reason=EXCLUDED))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            return  # the same file through another path or symlink
        seen.add(key)
        if only_set is not None and os.path.realpath(path) not in only_set and not template:
            return
        if st.st_size > config.max_file_size:
            if not template:  # a large HTML page is no template: no warning
                found.skipped.append(
                    Skipped(path=display, reason=f"larger than {config.max_file_size:,} bytes ({st.st_size:,} bytes)")
                )
            return
        (found.templates if template else found.files).append(
            SourceFile(path=path, display=display, language=language, size=st.st_size)
        )

    folders = []
    for raw in paths:
        if str(raw) == STDIN:
            _add_stdin(found, stdin_filename, root=root, config=config, excluded=excluded)
            continue
        path = _lexical(raw)
        try:
            st = os.stat(path)
        except OSError as exc:
            reason = _reason(exc) if os.path.lexists(path) else "no such file or directory"
            found.skipped.append(Skipped(path=_display(path, root), reason=reason, error=True))
            continue
        if stat.S_ISDIR(st.st_mode):
            folders.append((path, st))
        elif stat.S_ISREG(st.st_mode):
            add_file(path, st, named=True)
        else:  # a FIFO or device would block or never end
            found.skipped.append(Skipped(path=_display(path, root), reason="not a regular file"))
    kinds = tuple(TEMPLATE_EXTENSIONS) if templates else ()
    for path, st in folders:
        top = git.toplevel(path) if config.gitignore else None
        if top is not None:
            _list_with_git(path, top, root=root, found=found, excluded=excluded, add_file=add_file, templates=kinds)
        else:
            _walk(
                path,
                st,
                root=root,
                config=config,
                found=found,
                seen=seen,
                excluded=excluded,
                add_file=add_file,
                templates=kinds,
            )
    found.files.sort(key=lambda f: f.display)
    found.templates.sort(key=lambda f: f.display)
    found.skipped.sort()
    found.passed_over = sorted(set(found.passed_over))
    return found


def shebang_language(path: str) -> str | None:
    """ "python" or "java" when the file's first line is a `#!` line naming that interpreter,
    directly (`#!/usr/bin/python3`) or through env (`#!/usr/bin/env python3`,
    `#!/usr/bin/env -S java --source 21`); else None."""
    try:
        with open(path, "rb") as fh:
            head = fh.readline(SHEBANG_BYTES)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    words = head[2:].decode("utf-8", "replace").split()
    if words and os.path.basename(words[0]) == "env":  # the program is env's first word that is not an option
        words = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
    program = os.path.basename(words[0]) if words else ""
    return next((language for pattern, language in SHEBANG_LANGUAGES if pattern.fullmatch(program)), None)


def _add_stdin(found: Discovery, name: str | None, *, root: Path, config: ScanConfig, excluded) -> None:
    """Standard input as one file: `name` gives its path (relative to the current directory, as
    any PATH) and so its language and exclude patterns; without a name it is `<stdin>`, Python."""
    if any(f.path == STDIN for f in found.files):
        return  # named twice: it can be read only once
    if name is None:
        display, language = STDIN_DISPLAY, "python"
    else:
        path = _lexical(name)
        display = _display(path, root)
        language = LANGUAGE_OF_EXTENSION.get(os.path.splitext(name)[1])
        if language is None:
            known = ", ".join(LANGUAGE_OF_EXTENSION)
            found.skipped.append(Skipped(path=display, reason=f"--stdin-filename: not a {known} file", error=True))
            return
        if excluded(path, is_dir=False):
            found.passed_over.append(Skipped(path=display, reason=EXCLUDED))
            return
    data = sys.stdin.buffer.read()
    if len(data) > config.max_file_size:
        found.skipped.append(
            Skipped(path=display, reason=f"larger than {config.max_file_size:,} bytes ({len(data):,} bytes)")
        )
        return
    found.files.append(SourceFile(path=STDIN, display=display, language=language, size=len(data), data=data))


def _list_with_git(
    top_folder: str, top: Path, *, root: Path, found: Discovery, excluded, add_file, templates: Sequence[str] = ()
) -> None:
    """One named folder inside a git work tree: the files git lists under it.

    A folder that ignore rules match (or that lies in an ignored folder) is scanned whole
    (tracked and untracked files alike, as Bandit does) because it was named, with a note
    saying so; vendored folder names below it still apply.
    """
    prefix = Path(os.path.relpath(top_folder, top)).as_posix()
    prefix = "" if prefix == "." else prefix
    rule = git.ignore_rules(top, [prefix + "/"]).get(prefix + "/") if prefix else None
    try:
        if rule is not None:
            names = git.list_files(top, prefix, honour_ignores=False)
            found.notes.append(
                f"{_display(top_folder, root)}: scanned although git ignores it ({rule}), because it was named"
            )
        else:
            names = git.list_files(top, prefix)
            for name in git.ignored_entries(top, prefix):
                if name.endswith("/") or os.path.splitext(name)[1] in LANGUAGE_OF_EXTENSION:
                    found.passed_over.append(
                        Skipped(
                            path=_display(os.path.join(top, name), root) + ("/" if name.endswith("/") else ""),
                            reason=IGNORED_BY_GIT,
                        )
                    )
    except git.GitError as exc:
        found.skipped.append(Skipped(path=_display(top_folder, root), reason=f"git: {exc}", error=True))
        return
    boundary = os.path.realpath(top_folder)
    links = []
    for name in names:
        path = os.path.join(top, name)
        below = Path(os.path.relpath(path, top_folder)).parts[:-1]
        vendored = next((i for i, part in enumerate(below) if part in VENDORED_DIRS), None)
        if vendored is not None:
            folder = os.path.join(top_folder, *below[: vendored + 1])
            found.passed_over.append(Skipped(path=_display(folder, root) + "/", reason=VENDORED))
            continue
        extension = os.path.splitext(name)[1]
        if extension not in LANGUAGE_OF_EXTENSION and extension.lower() not in templates:
            continue  # cheap test first: most files of a repository are not sources
        try:
            is_link = os.path.islink(path)
            st = os.stat(path)
        except FileNotFoundError:
            if is_link:
                found.skipped.append(Skipped(path=_display(path, root), reason="broken symlink"))
            continue  # tracked but deleted in the work tree: nothing to scan
        except OSError as exc:
            found.skipped.append(Skipped(path=_display(path, root), reason=_reason(exc)))
            continue
        if not stat.S_ISREG(st.st_mode):
            continue  # a submodule, or a symlink to a folder (git lists neither's files)
        if is_link:
            if not _inside(os.path.realpath(path), boundary):
                found.skipped.append(Skipped(path=_display(path, root), reason="symlink to outside the scanned folder"))
            else:
                links.append((path, st))
            continue
        add_file(path, st, named=False)
    for path, st in links:  # after every real file, so a file reached both ways keeps its real path
        add_file(path, st, named=False)


def _walk(top, top_stat, *, root, config, found, seen, excluded, add_file, templates: Sequence[str] = ()) -> None:
    """Walk one named folder (`templates`: template extensions to list besides the sources').
    Symlinks are taken after every real entry, so a file reached both directly and through a link
    is reported under its real path."""
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
            shown = _display(path, root) + ("/" if is_dir else "")
            if is_dir and entry.name in VENDORED_DIRS:
                found.passed_over.append(Skipped(path=shown, reason=VENDORED))
                continue
            extension = os.path.splitext(entry.name)[1]
            if not is_dir and extension not in config.extensions and extension.lower() not in templates:
                continue  # cheap test first: most files of a repository are not sources
            template = not is_dir and extension not in config.extensions  # listed only as a template
            if ignore.ignored(path, is_dir=is_dir):
                if not template:
                    found.passed_over.append(Skipped(path=shown, reason=IGNORED_BY_GITIGNORE))
                continue
            if excluded(path, is_dir=is_dir):
                if not template:
                    found.passed_over.append(Skipped(path=shown, reason=EXCLUDED))
                continue
            if is_link:
                if not _inside(os.path.realpath(path), boundary):
                    found.skipped.append(
                        Skipped(path=_display(path, root), reason="symlink to outside the scanned folder")
                    )
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
