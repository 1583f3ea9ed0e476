"""`--changed-since REF`: the files git says changed since a commit, plus untracked new files.

Only `git diff --name-only` and `git ls-files` are run, with the ref passed after a check that
it names a commit, so a ref cannot smuggle in an option.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from vulntune.errors import VulntuneError


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                              errors="surrogateescape")
    except FileNotFoundError:
        raise VulntuneError("--changed-since needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise VulntuneError("--changed-since: git did not answer within 120 s") from None
    if done.returncode != 0:
        raise _GitFailed(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "git failed")
    return done.stdout


class _GitFailed(Exception):
    pass


def changed_files(ref: str, *, cwd: str | os.PathLike) -> list[str]:
    """Absolute paths of files changed since `ref` in the work tree holding `cwd`.

    Raises:
        VulntuneError: not a git work tree, or `ref` is not a commit.
    """
    cwd = Path(cwd)
    if not ref or ref.startswith("-"):
        raise VulntuneError(f"--changed-since: not a git ref: {ref!r}")
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    except _GitFailed:
        raise VulntuneError(f"--changed-since: {cwd} is not inside a git work tree") from None
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top).strip()
    except _GitFailed:
        raise VulntuneError(f"--changed-since: unknown git ref {ref!r}") from None
    try:
        changed = _git(["diff", "--name-only", "-z", "--no-renames", commit, "--"], top).split("\0")
        untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0")
    except _GitFailed as exc:
        raise VulntuneError(f"--changed-since: {exc}") from None
    return sorted(str(top / name) for name in {*changed, *untracked} if name)
