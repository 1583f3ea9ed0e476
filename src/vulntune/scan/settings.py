"""Scan settings: one dataclass fed by the command line and by `[tool.vulntune]` in pyproject.toml.

Every field has a default and help text; unknown keys and wrong types are rejected with a
message naming the key (see `vulntune.config.from_mapping`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vulntune.config import from_mapping, load_toml
from vulntune.cwe import LANGUAGE_OF_EXTENSION, SEVERITIES
from vulntune.errors import VulntuneError

# Extension -> language. A configured extension must map to a supported language.


class SettingError(VulntuneError, ValueError):
    """A bad setting value; `from_mapping` prefixes it with where the value came from."""


def _help(text: str) -> Any:
    return {"help": text}


@dataclass(kw_only=True)
class ScanConfig:
    """What `vulntune scan` does; the same keys are valid in `[tool.vulntune]`."""

    model: str | None = field(
        default=None, metadata=_help("model folder (from `vulntune train`); None uses the bundled default detector")
    )
    format: str = field(
        default="text", metadata=_help("output format: a name registered in vulntune.formats (text, json, sarif)")
    )
    extensions: tuple[str, ...] = field(
        default=(".py", ".java"),
        metadata=_help("file extensions to scan; each must be one of " + ", ".join(LANGUAGE_OF_EXTENSION)),
    )
    exclude: tuple[str, ...] = field(
        default=(), metadata=_help("gitignore-style patterns matched against paths relative to the scan root")
    )
    max_file_size: int = field(
        default=1_000_000, metadata=_help("files larger than this many bytes are skipped with a warning")
    )
    min_confidence: float = field(
        default=0.0,
        metadata=_help(
            "report only findings whose confidence is at least this (0..1), on top of the model's threshold"
        ),
    )
    target_fpr: float | None = field(
        default=None,
        metadata=_help(
            "flag at the model's recorded operating point for this validation false positive rate (e.g. 0.05) "
            "instead of at its default threshold; the model card lists the points and the recall each measured"
        ),
    )
    min_severity: str = field(
        default="low", metadata=_help("report only findings of at least this severity: " + ", ".join(SEVERITIES))
    )
    jobs: int = field(default=1, metadata=_help("processes that parse files; 0 means one per CPU"))
    batch_size: int = field(default=16, metadata=_help("units per model call"))
    threads: int | None = field(
        default=None,
        metadata=_help(
            "torch CPU threads for transformer models (None: torch's choice; 1 is faster on a busy machine)"
        ),
    )
    cache: bool = field(
        default=True, metadata=_help("keep model results in a SQLite cache so unchanged code is not re-scored")
    )
    gitignore: bool = field(default=True, metadata=_help("honour .gitignore files"))
    max_occlusions: int = field(
        default=24, metadata=_help("model calls per masking round when choosing a finding's most likely line")
    )
    unit: str | None = field(
        default=None,
        metadata=_help(
            "what the judge reads: slice (the data-flow slice of each candidate sink) or function (whole functions, "
            "the earlier design); None: what the model was trained on"
        ),
    )
    judge: str = field(
        default="model",
        metadata=_help(
            "model: the detector judges each candidate; none: every candidate sink is a finding (pattern matching, "
            "no model loaded); reachability: static analysis only, every candidate that data from a source of the "
            "threat model reaches, unsanitised, where it can run, is a finding (no model loaded)"
        ),
    )
    threat_model: str = field(
        default="remote",
        metadata=_help(
            "which data is untrusted: remote (request data, framework entry points, sockets); local (also the "
            "command line, the environment, files, standard input); all (also the parameters of functions no "
            "scanned code calls)"
        ),
    )
    models: tuple[str, ...] = field(
        default=(),
        metadata=_help("taint model files (TOML) added to the shipped ones: sources, sanitizers, validators..."),
    )
    explain: bool = field(default=False, metadata=_help("show the slice each finding was judged on"))
    exit_zero: bool = field(
        default=False, metadata=_help("exit 0 even when there are findings (input errors still exit 2)")
    )
    fail_on_empty: bool = field(
        default=False,
        metadata=_help("exit 2 when no file was scanned (by default such a run warns on stderr and exits 0)"),
    )

    def __post_init__(self) -> None:
        if self.unit not in (None, "slice", "function"):
            raise SettingError(f"unit: expected slice or function, got {self.unit!r}")
        if self.judge not in ("model", "none", "reachability"):
            raise SettingError(f"judge: expected model, none or reachability, got {self.judge!r}")
        if self.threat_model not in ("remote", "local", "all"):
            raise SettingError(f"threat_model: expected remote, local or all, got {self.threat_model!r}")
        if self.judge != "model" and self.unit == "function":
            raise SettingError(f"judge: {self.judge} flags candidate sinks, which only slices have (unit = slice)")
        # format: checked against vulntune.formats' registry by get_formatter, before any file is read
        for ext in self.extensions:
            if ext not in LANGUAGE_OF_EXTENSION:
                known = ", ".join(LANGUAGE_OF_EXTENSION)
                raise SettingError(f"extensions: unsupported extension {ext!r} (supported: {known})")
        if not self.extensions:
            raise SettingError("extensions: at least one extension is needed")
        if self.max_file_size <= 0:
            raise SettingError(f"max_file_size: expected a positive number of bytes, got {self.max_file_size}")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise SettingError(f"min_confidence: expected a number from 0 to 1, got {self.min_confidence}")
        if self.target_fpr is not None and not 0.0 <= self.target_fpr <= 1.0:
            raise SettingError(f"target_fpr: expected a number from 0 to 1, got {self.target_fpr}")
        if self.min_severity not in SEVERITIES:
            raise SettingError(f"min_severity: expected one of {', '.join(SEVERITIES)}, got {self.min_severity!r}")
        if self.jobs < 0:
            raise SettingError(f"jobs: expected 0 (one per CPU) or more, got {self.jobs}")
        if self.batch_size < 1:
            raise SettingError(f"batch_size: expected at least 1, got {self.batch_size}")
        if self.threads is not None and self.threads < 1:
            raise SettingError(f"threads: expected at least 1, got {self.threads}")
        if self.max_occlusions < 2:
            raise SettingError(f"max_occlusions: expected at least 2, got {self.max_occlusions}")

    @property
    def worker_count(self) -> int:
        return self.jobs or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start`, stopping at the top of a git work tree."""
    folder = start if start.is_dir() else start.parent
    folder = Path(os.path.abspath(folder))
    for candidate in (folder, *folder.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate / "pyproject.toml"
        if (candidate / ".git").exists():
            return None
    return None


def read_pyproject_settings(path: Path) -> dict[str, Any]:
    """The raw `[tool.vulntune]` table of `path` (empty when absent), with `model` made absolute.

    A relative `model` in pyproject.toml is relative to that file's folder, not to the
    current directory, so a hook run from anywhere finds the same model.
    """
    table = load_toml(path).get("tool", {}).get("vulntune", {})
    if not isinstance(table, dict):
        raise VulntuneError(f"{path}: [tool.vulntune] must be a table")
    table = dict(table)
    model = table.get("model")
    if isinstance(model, str) and not Path(model).is_absolute():
        table["model"] = str(path.parent / model)
    return table


COMMAND_LINE = "command line"  # a setting's source when an option gave it


def resolve_config(cli_values: dict[str, Any], *, pyproject: Path | None) -> ScanConfig:
    """Merge `[tool.vulntune]` (if any) and the command line's explicit values (`resolve_settings`)."""
    return resolve_settings(cli_values, pyproject=pyproject)[0]


def resolve_settings(cli_values: dict[str, Any], *, pyproject: Path | None) -> tuple[ScanConfig, dict[str, str]]:
    """Merge `[tool.vulntune]` (if any) and the command line's explicit values.

    Command-line values win, except `exclude` and `models`, which are added to the file's.

    Returns:
        The settings, and for each key set by the file or the command line where its value came
        from: the file's path, or `COMMAND_LINE` (see `setting_error`).
    """
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    if pyproject is not None:
        merged.update(read_pyproject_settings(pyproject))
        if isinstance(merged.get("models"), list | tuple):  # taint model files are relative to the file naming them
            merged["models"] = tuple(str(pyproject.parent / m) if isinstance(m, str) else m for m in merged["models"])
        # Validate the file's own keys first, so its errors name the file.
        from_mapping(ScanConfig, merged, where=f"{pyproject} [tool.vulntune]")
        sources.update((key, str(pyproject)) for key in merged)
    for key, value in cli_values.items():
        if value is None:
            continue
        if key in ("exclude", "models"):
            value = (*merged.get(key, ()), *value)
        merged[key] = value
        sources[key] = COMMAND_LINE
    return from_mapping(ScanConfig, merged, where=COMMAND_LINE), sources


def setting_error(key: str, value: Any, problem: str, sources: dict[str, str]) -> VulntuneError:
    """A one-line error about the value of setting `key`, naming where it came from: its option
    (`--target-fpr 0.07: ...`) when the command line gave it, else the file and the key
    (`/repo/pyproject.toml [tool.vulntune]: config key 'target_fpr' = 0.07: ...`)."""
    source = sources.get(key, COMMAND_LINE)
    if source == COMMAND_LINE:
        return VulntuneError(f"--{key.replace('_', '-')} {value}: {problem}")
    return VulntuneError(f"{source} [tool.vulntune]: config key '{key}' = {value!r}: {problem}")
