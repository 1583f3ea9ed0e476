"""Typed configuration: dataclasses built from mappings that reject unknown keys and wrong types.

The same dataclasses feed the command line, TOML recipes and `[tool.vulntune]` in pyproject.toml,
so every config error names the key and says what was expected.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from vulntune.errors import VulntuneError

T = TypeVar("T")


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _coerce(value: Any, tp: Any, key: str) -> Any:
    """Check `value` against the annotation `tp`; allow int->float and list->tuple."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, key)
            except VulntuneError:
                continue
        raise VulntuneError(f"config key '{key}': expected {_type_name(tp)}, got {value!r}")
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise VulntuneError(f"config key '{key}': expected a list, got {value!r}")
        item_tp = args[0] if args else Any
        items = [_coerce(v, item_tp, key) for v in value]
        return tuple(items) if origin is tuple else items
    if origin is dict or tp is dict:
        if not isinstance(value, Mapping):
            raise VulntuneError(f"config key '{key}': expected a table, got {value!r}")
        return dict(value)
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp is Path and isinstance(value, (str, Path)):
        return Path(value)
    if tp is bool and not isinstance(value, bool):
        raise VulntuneError(f"config key '{key}': expected true or false, got {value!r}")
    if tp is int and isinstance(value, bool):
        raise VulntuneError(f"config key '{key}': expected an integer, got {value!r}")
    if isinstance(tp, type) and not isinstance(value, tp):
        raise VulntuneError(f"config key '{key}': expected {_type_name(tp)}, got {value!r}")
    return value


def from_mapping(cls: type[T], mapping: Mapping[str, Any], *, where: str = "config") -> T:
    """Build dataclass `cls` from `mapping`, rejecting unknown keys and values of the wrong type.

    Args:
        cls: a dataclass type whose fields all have defaults.
        mapping: the raw values (from TOML, JSON or the CLI).
        where: names the source in error messages, e.g. "recipes/default.toml".

    Raises:
        VulntuneError: an unknown key or a value of the wrong type, prefixed with `where`.
    """
    if not isinstance(mapping, Mapping):
        raise VulntuneError(f"{where}: expected a table of settings, got {type(mapping).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        known = ", ".join(sorted(fields))
        raise VulntuneError(f"{where}: unknown key '{unknown[0]}' (known keys: {known})")
    try:
        values = {k: _coerce(v, hints[k], k) for k, v in mapping.items()}
    except VulntuneError as exc:  # say where the bad value came from, not only its key
        raise VulntuneError(f"{where}: {exc}") from None
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise VulntuneError(f"{where}: {exc}") from None


def to_mapping(obj: Any) -> dict[str, Any]:
    """A dataclass as plain JSON/TOML-friendly values (Paths as strings, tuples as lists)."""

    def plain(v: Any) -> Any:
        if isinstance(v, Path):
            return str(v)
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in sorted(v.items())}
        return v

    return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning syntax errors into one-line VulntuneErrors."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise VulntuneError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise VulntuneError(f"{path}: invalid TOML: {exc}") from None
