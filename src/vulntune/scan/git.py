"""The few git questions a scan asks: the work tree's top, the files git lists, what it ignores.

Discovery inside a work tree lists files as git does (`git ls-files`: tracked files always,
untracked ones unless ignored by `.gitignore`, `.git/info/exclude` or `core.excludesFile`), so
vulntune and git agree on what the repository holds. Paths are passed as literal pathspecs
(`GIT_LITERAL_PATHSPECS`), so a file named `*.py` or `:x` is only itself. Without git, or
outside a work tree, `toplevel` answers None and discovery walks the folders itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

# A listing of a large monorepo takes about a second; a git that hangs (a lock, a network
# filesystem) must not hang the scan forever.
GIT_TIMEOUT_S = 120


class GitError(Exception):
    """git ran and failed; the message is git's last line of stderr."""


def run_git(args: Sequence[str], cwd: str | os.PathLike, *, stdin: str | None = None, literal: bool = True) -> str:
    """git's stdout for `args` run in `cwd`, with `stdin` as its input; pathspecs are literal
    unless `literal` is False (check-ignore refuses the setting, and takes paths, not pathspecs).

    Raises:
        FileNotFoundError: git is not installed.
        GitError: git failed or did not answer in time.
    """
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    if literal:
        env["GIT_LITERAL_PATHSPECS"] = "1"
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            errors="surrogateescape",
            env=env,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git did not answer within {GIT_TIMEOUT_S} s") from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise GitError(lines[-1] if lines else f"git {args[0]} failed")
    return done.stdout


def toplevel(path: str | os.PathLike) -> Path | None:
    """The top folder of the git work tree holding `path` (a file or folder), or None."""
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    if shutil.which("git") is None or not os.path.isdir(folder):
        return None
    try:
        top = run_git(["rev-parse", "--show-toplevel"], folder).strip()
    except GitError:
        return None
    return Path(top) if top else None  # empty inside a .git folder


def _split(output: str) -> list[str]:
    return [name for name in output.split("\0") if name]


def list_files(top: Path, prefix: str, *, honour_ignores: bool = True) -> list[str]:
    """Files git lists under `prefix` (relative to `top`, "" for all): tracked ones, and
    untracked ones unless ignored (every untracked one when `honour_ignores` is False).
    Paths are relative to `top`, "/" separators; a submodule is one entry (a folder)."""
    args = ["ls-files", "-z", "--cached", "--others"]
    if honour_ignores:
        args.append("--exclude-standard")
    return sorted(set(_split(run_git([*args, "--", prefix or "."], top))))


def ignored_entries(top: Path, prefix: str) -> list[str]:
    """Untracked paths under `prefix` that git ignores; an ignored folder is one entry ending in "/"."""
    args = ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", "--", prefix or "."]
    return sorted(_split(run_git(args, top)))


def ignore_rules(top: Path, paths: Sequence[str]) -> dict[str, str]:
    """For each of `paths` (relative to `top`; folders end in "/") that ignore rules match, the
    rule that does, as git prints it ("source:line:pattern"). Tracked or not, as if untracked."""
    if not paths:
        return {}
    try:
        output = run_git(
            ["check-ignore", "--no-index", "--verbose", "-z", "--stdin"],
            top,
            stdin="".join(f"{path}\0" for path in paths),
            literal=False,
        )
    except GitError:
        return {}  # exit 1: nothing matched
    fields = output.split("\0")
    rules = {}
    for i in range(0, len(fields) - 3, 4):  # source, line, pattern, path
        source, line, pattern, path = fields[i : i + 4]
        if pattern and not pattern.startswith("!"):
            rules[path] = f"{source}:{line}: {pattern}"
    return rules
