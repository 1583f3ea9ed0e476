"""Taint models as data: sources, entry points, sanitizers, validators and neutral APIs, per language.

The taint engine (`vulntune.analysis.flow`) knows no library by name. What `request.args`,
`shlex.quote` or `@RequestParam` mean is a row of a TOML file: the package ships one per language
(`model_files/python.toml`, `model_files/java.toml`) and users add their own
(`[tool.vulntune] models = [...]`, `vulntune scan --models FILE`). Every file is validated when it is
loaded: an unknown table or key, a missing field, a bad regular expression or a duplicate id is a
`VulntuneError` naming the file and the entry. The design follows CodeQL's models-as-data (one row
per API and role, "neutral" rows for APIs that carry nothing) and Pysa's taint models; no code of
either is used.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path

from vulntune.analysis.catalogue import SINK_TABLES
from vulntune.analysis.model_reading import entries, read_models_file, stamped
from vulntune.cwe import CATALOGUE, LANGUAGES
from vulntune.errors import VulntuneError

MODEL_FILES = Path(__file__).resolve().parent / "model_files"
SOURCE_KINDS = ("remote", "local")
VALIDATOR_TARGETS = ("receiver", "argument", "either")


@dataclass(kw_only=True, frozen=True)
class SourceModel:
    """Where untrusted data enters: a call's result (`names`), an attribute read (`member` on a
    `receiver`), or a parameter (`parameter` of a `method`)."""

    id: str
    kind: str  # "remote" or "local"
    label: str
    names: tuple[str, ...] = ()
    member: tuple[str, ...] = ()
    receiver: str = ""
    parameter: str = ""
    method: str = ""


@dataclass(kw_only=True, frozen=True)
class EntryModel:
    """A function a framework calls with request data: its parameters are remote sources.

    A Python function is an entry when a decorator's callee matches `decorator`, or when its
    first (and second) parameters are named as `first_parameter` (`second_parameter`) say and its
    name matches `method` where given. A Java method is one when an annotation on it matches
    `annotation` (then every parameter not of a `skip_types` type nor carrying a
    `skip_annotations` annotation is a source), and a parameter carrying an annotation that
    matches `parameter_annotation` is a source whatever its method."""

    id: str
    label: str
    decorator: str = ""
    first_parameter: str = ""
    second_parameter: str = ""
    method: str = ""
    annotation: str = ""
    parameter_annotation: str = ""
    skip_parameters: str = ""
    skip_types: str = ""
    skip_annotations: str = ""


@dataclass(kw_only=True, frozen=True)
class SanitizerModel:
    """A call whose result is safe for `cwes` ("*": for every weakness)."""

    id: str
    names: tuple[str, ...]
    cwes: tuple[str, ...]
    label: str


@dataclass(kw_only=True, frozen=True)
class ValidatorModel:
    """A check that, where it holds, leaves the checked value safe for `cwes`: the value is the
    call's receiver, an argument (`argument`: which one; -1 for any), or `either`."""

    id: str
    names: tuple[str, ...]
    cwes: tuple[str, ...]
    label: str
    on: str = "argument"
    argument: int = -1
    keywords: tuple[str, ...] = ()  # keyword arguments that carry the value too (`url=`)


@dataclass(kw_only=True, frozen=True)
class NeutralModel:
    """A call whose result carries no part of its arguments or receiver."""

    id: str
    names: tuple[str, ...]
    label: str


@dataclass(kw_only=True, frozen=True)
class TrustedModel:
    """Functions whose parameters a test runner or a framework fills with its own objects (pytest
    fixtures): under the threat model `all` they are not counted as untrusted parameters."""

    id: str
    function: str  # regular expression on the function's name
    label: str


@dataclass(kw_only=True, frozen=True)
class SafeSinkModel:
    """A form of a sink call that is not the weakness `cwes`: a call matching `names` (any call
    when empty), optionally only where a keyword argument named as `keyword` says has a constant
    value matching `value` (`hashlib.md5(..., usedforsecurity=False)`, `HttpResponse(..., content_type=
    "application/json")`), or, for a literal candidate, where the literal matches `literal` (a
    placeholder such as `"********"` is not a hard-coded secret)."""

    id: str
    cwes: tuple[str, ...]
    label: str
    names: tuple[str, ...] = ()
    receiver: str = ""
    keyword: str = ""
    value: str = ""
    forwarded: bool = False  # the keyword is given a value that is not a constant (the caller's choice)
    literal: str = ""
    first_argument: str = ""  # a regular expression the first positional argument's text must match


@dataclass(kw_only=True, frozen=True)
class UseModel:
    """A weakness that is one only where its value is used for security (a random number that
    becomes a token, not a retry delay): a candidate of `cwes` counts where its value is assigned to,
    stored under, passed as or to, or returned from a name one of whose words (`reset_code`,
    `resetCode`: "reset", "code") matches `names` (a regular expression), or sits in a function so
    named."""

    id: str
    cwes: tuple[str, ...]
    names: str
    label: str


_TABLES = {
    "source": SourceModel,
    "safe_sink": SafeSinkModel,
    "use": UseModel,
    "trusted": TrustedModel,
    "entry": EntryModel,
    "sanitizer": SanitizerModel,
    "validator": ValidatorModel,
    "neutral": NeutralModel,
}
_REGEX_FIELDS = (
    "function",
    "keyword",
    "value",
    "literal",
    "first_argument",
    "receiver",
    "parameter",
    "method",
    "decorator",
    "first_parameter",
    "second_parameter",
    "annotation",
    "parameter_annotation",
    "skip_parameters",
    "skip_types",
    "skip_annotations",
)


@dataclass(kw_only=True, frozen=True)
class TaintModels:
    """Every row for one language, in file order (the package's first, then the user's)."""

    language: str
    sources: tuple[SourceModel, ...] = ()
    entries: tuple[EntryModel, ...] = ()
    sanitizers: tuple[SanitizerModel, ...] = ()
    validators: tuple[ValidatorModel, ...] = ()
    neutrals: tuple[NeutralModel, ...] = ()
    trusted: tuple[TrustedModel, ...] = ()
    safe_sinks: tuple[SafeSinkModel, ...] = ()
    uses: tuple[UseModel, ...] = ()
    files: tuple[str, ...] = field(default=(), compare=False)


def load_models(language: str, extra: Sequence[str | Path] = ()) -> TaintModels:
    """The shipped models of `language` with the rows of the user's `extra` files added.

    A user file holds rows for either language: each row may say `language = "java"`; a row
    without one applies to both. Raises `VulntuneError` naming the file and entry on any fault.
    """
    if language not in LANGUAGES:
        raise VulntuneError(f"taint models: unknown language {language!r}")
    return _load(language, stamped(extra))


@functools.lru_cache(maxsize=16)
def _load(language: str, extra: tuple[tuple[str, tuple[int, int]], ...]) -> TaintModels:
    rows: dict[str, list] = {name: [] for name in _TABLES}
    seen: set[tuple[str, str]] = set()
    files = [str(MODEL_FILES / f"{language}.toml"), *(path for path, _ in extra)]
    for index, path in enumerate(files):
        shipped = index == 0
        for table, row in _rows(path, language, shipped=shipped):
            key = (table, row.id)
            if key in seen:
                raise VulntuneError(f"{path}: {table} {row.id!r} is defined twice")
            seen.add(key)
            rows[table].append(row)
    return TaintModels(
        language=language,
        sources=tuple(rows["source"]),
        entries=tuple(rows["entry"]),
        sanitizers=tuple(rows["sanitizer"]),
        validators=tuple(rows["validator"]),
        neutrals=tuple(rows["neutral"]),
        trusted=tuple(rows["trusted"]),
        safe_sinks=tuple(rows["safe_sink"]),
        uses=tuple(rows["use"]),
        files=tuple(files),
    )


def _rows(path: str, language: str, *, shipped: bool) -> Iterable[tuple[str, object]]:
    """The rows of one file that apply to `language` (a shipped file is one language's; a user's
    row applies to the language it names, or to both)."""
    tables = read_models_file(path)
    for table in tables:
        if table not in _TABLES and table not in SINK_TABLES:  # sink rows: vulntune.analysis.catalogue
            expected = ", ".join((*_TABLES, *SINK_TABLES))
            raise VulntuneError(f"{path}: unknown table [[{table}]] (expected one of {expected})")
    for table, where, entry, wanted in entries({t: r for t, r in tables.items() if t in _TABLES}, path):
        if not shipped and wanted is not None and wanted != language:
            continue
        yield table, _build(_TABLES[table], entry, where)


def _build(kind: type, entry: dict, where: str):
    known = {f.name: f for f in fields(kind)}
    for key in entry:
        if key not in known:
            raise VulntuneError(f"{where}: unknown key {key!r} (expected one of {', '.join(sorted(known))})")
    values = {}
    for name, spec in known.items():
        if name not in entry:
            if spec.default is MISSING and spec.default_factory is MISSING:
                raise VulntuneError(f"{where}: missing key {name!r}")
            continue
        value = entry[name]
        if spec.type in ("tuple[str, ...]",):
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise VulntuneError(f"{where}: {name} must be a list of non-empty strings")
            value = tuple(value)
        elif spec.type == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                raise VulntuneError(f"{where}: {name} must be an integer")
        elif spec.type == "bool":
            if not isinstance(value, bool):
                raise VulntuneError(f"{where}: {name} must be true or false")
        elif not isinstance(value, str):
            raise VulntuneError(f"{where}: {name} must be a string")
        values[name] = value
    row = kind(**values)
    _check(row, where)
    return row


def _check(row, where: str) -> None:
    for name in _REGEX_FIELDS:
        pattern = getattr(row, name, "")
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise VulntuneError(f"{where}: {name} is not a valid regular expression ({exc})") from None
    if isinstance(row, SourceModel):
        if row.kind not in SOURCE_KINDS:
            raise VulntuneError(f"{where}: kind must be one of {', '.join(SOURCE_KINDS)}, not {row.kind!r}")
        if not (row.names or row.member or row.parameter):
            raise VulntuneError(f"{where}: a source needs names, member or parameter")
    if isinstance(row, EntryModel) and not (
        row.decorator or row.first_parameter or row.annotation or row.parameter_annotation
    ):
        raise VulntuneError(f"{where}: an entry needs decorator, first_parameter, annotation or parameter_annotation")
    if isinstance(row, UseModel):
        try:
            re.compile(row.names)
        except re.error as exc:
            raise VulntuneError(f"{where}: names is not a valid regular expression ({exc})") from None
    if isinstance(row, SafeSinkModel) and not (row.names or row.keyword or row.literal):
        raise VulntuneError(f"{where}: a safe_sink needs names, keyword or literal")
    if isinstance(row, SanitizerModel | ValidatorModel | SafeSinkModel | UseModel):
        for cwe in row.cwes:
            if cwe != "*" and cwe not in CATALOGUE:
                raise VulntuneError(f"{where}: unknown weakness {cwe!r} (a catalogued CWE id or '*')")
    if isinstance(row, ValidatorModel) and row.on not in VALIDATOR_TARGETS:
        raise VulntuneError(f"{where}: on must be one of {', '.join(VALIDATOR_TARGETS)}, not {row.on!r}")


def rows_for(rows: Sequence, written: Sequence[str], resolved: Sequence[str]) -> list:
    """The rows among `rows` whose names match the callee (`names_match`), in their order; rows are
    looked up by the callee's last name first, so a call costs a dictionary read, not a scan."""
    index = _by_last_name(tuple(rows))
    found = set()
    for parts in (written, resolved):
        if parts:
            found.update(index.get(parts[-1], ()))
    return [rows[i] for i in sorted(found) if names_match(rows[i].names, written, resolved)]


@functools.lru_cache(maxsize=64)
def _by_last_name(rows: tuple) -> dict[str, set[int]]:
    """Row positions by last name: positions, not ids, since an equal tuple of other row objects
    (the same user file read from another path) is served from this cache."""
    table: dict[str, set[int]] = {}
    for i, row in enumerate(rows):
        for name in getattr(row, "names", ()):
            table.setdefault(name.split(".")[-1], set()).add(i)
    return table


def names_match(patterns: Sequence[str], written: Sequence[str], resolved: Sequence[str]) -> bool:
    """Does a callee (`written` as in the code, `resolved` through the file's imports) match a
    model's names? "*.m": the method m on any receiver; "a.b": a dotted tail; "f": the plain call."""
    for pattern in patterns:
        if pattern.startswith("*."):
            if len(written) >= 2 and written[-1] == pattern[2:]:
                return True
            continue
        wanted = tuple(pattern.split("."))
        for parts in (tuple(written), tuple(resolved)):
            if len(wanted) == 1:
                if parts == wanted:
                    return True
            elif parts[-len(wanted) :] == wanted:
                return True
    return False
