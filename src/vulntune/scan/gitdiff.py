"""`--changed-since REF`: the files changed on this branch since it left REF, plus untracked new files.

As a pull-request check needs, the comparison is with the merge base of REF and HEAD (what
`git diff REF...HEAD` uses), not with REF itself: commits that landed on REF after the branch
left it are not the branch's changes. Uncommitted changes count too. Only `git merge-base`,
`git diff --name-only` and `git ls-files` are run, with the ref passed after a check that it
names a commit, so a ref cannot smuggle in an option.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from vulntune.errors import VulntuneError
from vulntune.scan.git import GitError, run_git


def _git(args: list[str], cwd: Path) -> str:
    if shutil.which("git") is None:
        raise VulntuneError("--changed-since needs git, which is not installed")
    return run_git(args, cwd)


def changed_files(ref: str, *, cwd: str | os.PathLike) -> list[str]:
    """Absolute paths of files changed since the merge base of `ref` and HEAD in the work tree
    holding `cwd`, and of untracked files git does not ignore.

    Raises:
        VulntuneError: not a git work tree, `ref` is not a commit, or it shares no history with HEAD.
    """
    cwd = Path(cwd)
    if not ref or ref.startswith("-"):
        raise VulntuneError(f"--changed-since: not a git ref: {ref!r}")
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    except GitError:
        raise VulntuneError(f"--changed-since: {cwd} is not inside a git work tree") from None
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top).strip()
    except GitError:
        raise VulntuneError(f"--changed-since: unknown git ref {ref!r}") from None
    try:
        base = _git(["merge-base", commit, "HEAD"], top).strip()
    except GitError:
        raise VulntuneError(f"--changed-since: {ref!r} and HEAD have no common history (no merge base)") from None
    try:
        changed = _git(["diff", "--name-only", "-z", "--no-renames", base, "--"], top).split("\0")
        untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top).split("\0")
    except GitError as exc:
        raise VulntuneError(f"--changed-since: {exc}") from None
    return sorted(str(top / name) for name in {*changed, *untracked} if name)
