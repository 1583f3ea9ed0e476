"""The sink catalogue: one record per way a catalogued CWE happens in real code, per language.

A `SinkPattern` names the calls, constructors, subscript writes or literal assignments through
which a weakness happens, and which arguments carry the data. A `Construction` names text built
from pieces (SQL, a command line, HTML) that is handed to any call: real code often reaches the
dangerous API through its own wrapper (`db.run(query)`), so the shape of the text is the sink.

The records are data: `[[sink]]` and `[[construction]]` rows of one TOML file per language
(`model_files/python-sinks.toml`, `model_files/java-sinks.toml`); the text shapes both languages
share (SQL, a command line, HTML...) are named in `model_files/shapes.toml` and a row refers to one
as `"@sql-text"`. Users add rows in their taint model files (`--models FILE`, `[tool.vulntune]
models`), read with `load_catalogue`. Every row is validated when it is loaded: an unknown key, a
missing field, a bad regular expression, an unknown shape, a CWE not catalogued for the language or
a duplicate id is a `VulntuneError` naming the file and the entry.

The finder (`vulntune.analysis.candidates`) reports every match as a candidate; nothing here
decides safety. The synthetic generator's sinks are checked against this catalogue by a test, so
it is the one source of truth for what a sink is. Patterns come from the APIs' documentation and
common idioms, never from the external evaluation sets.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import MISSING, dataclass, fields
from pathlib import Path

from vulntune.analysis.model_reading import entries, read_models_file, stamped
from vulntune.cwe import CATALOGUE, LANGUAGES
from vulntune.errors import VulntuneError

MODEL_FILES = Path(__file__).resolve().parent / "model_files"
KINDS = ("call", "new", "subscript", "literal")
SINK_TABLES = ("sink", "construction")  # the catalogue's tables in a models file; the others are taint models

_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(kw_only=True, frozen=True)
class SinkPattern:
    """One family of sink calls of one CWE in one language (a `[[sink]]` row).

    Attributes:
        id: kebab-case, unique per language; names the weakness's API ("sql-cursor-execute").
        language: "python" or "java".
        cwe: the weakness ("CWE-89").
        kind: "call" (a function or method call), "new" (a Java constructor or a Python class
            call), "subscript" (a write `target[key] = value`, e.g. a session or a header), or
            "literal" (a string literal assigned to, or passed as, a name that holds a secret).
        names: what the callee must be. A dotted tail ("os.system") matches a call whose callee,
            after resolving the file's import aliases, ends with it; "*.execute" matches the
            method `execute` on any receiver; a bare name ("open") matches the plain call; "*"
            matches any call. For "new", class names; for "subscript", the subscripted object's
            name; for "literal", regular expressions on the assigned or keyword name.
        api: the documented API, for people ("sqlite3.Cursor.execute").
        data: the arguments that carry the data: positions and keyword names; empty for every
            argument. The receiver of a method is data too when `receiver_is_data` (a parser
            configured before it parses, a cookie whose flags are set).
        receiver: regular expression the receiver's text or its declared type (Java) must match
            (case-insensitive search); empty for any receiver.
        weak: for configuration weaknesses, a regular expression on the call's text: the call is
            a candidate only when it matches, or when no argument is a string literal (the value
            comes from elsewhere and could be weak).
        receiver_is_data: see `data`.
        data_type: Java only: regular expression one data argument's static type must match, as
            far as the file shows it ("String" for a literal, a concatenation with one, a
            `String` variable or parameter, `x.toString()`; a class for `new C(...)`, a cast or a
            declared variable; "" when the file does not say): a response body is HTML only
            when it is text, not an object the framework writes as JSON.
    """

    id: str
    language: str
    cwe: str
    kind: str
    names: tuple[str, ...]
    api: str
    data: tuple[int | str, ...] = ()
    receiver: str = ""
    weak: str = ""
    receiver_is_data: bool = False
    data_type: str = ""


@dataclass(kw_only=True, frozen=True)
class Construction:
    """Text of a dangerous shape built from pieces and handed on: a construction-shaped sink (a
    `[[construction]]` row).

    Attributes:
        id: kebab-case, unique per language ("sql-text-built").
        language, cwe: as for `SinkPattern`.
        text: regular expression (case-insensitive search) the literal parts must match.
        handed_to: regular expression on the callee's last name the text is passed to, directly
            or through a variable; empty for any call. A built text that is returned counts when
            `returned` is set.
        returned: a handler returning the built text is a candidate too (HTML).
        named: regular expression on the name the text is assigned to, or the callee it is
            handed to, that makes it a candidate whatever its text (`ssh_cmd = "svc %s" % x`:
            a vendor's command words are in no list).
    """

    id: str
    language: str
    cwe: str
    text: str
    handed_to: str = ""
    returned: bool = False
    named: str = ""


class Catalogue:
    """The registered patterns, validated on registration, in registration order."""

    def __init__(self, patterns: Iterable[SinkPattern | Construction] = ()) -> None:
        self._sinks: dict[tuple[str, str], SinkPattern] = {}
        self._constructions: dict[tuple[str, str], Construction] = {}
        self.register(*patterns)

    def register(self, *patterns: SinkPattern | Construction) -> None:
        for pattern in patterns:
            table = self._sinks if isinstance(pattern, SinkPattern) else self._constructions
            if self.has(pattern.language, pattern.id):
                raise VulntuneError(f"sink pattern {pattern.id!r} is registered twice for {pattern.language}")
            _validate(pattern, f"sink pattern {pattern.id!r}")
            table[(pattern.language, pattern.id)] = pattern

    def has(self, language: str, id: str) -> bool:
        return (language, id) in self._sinks or (language, id) in self._constructions

    def sinks(self, language: str) -> tuple[SinkPattern, ...]:
        return tuple(p for (lang, _), p in self._sinks.items() if lang == language)

    def constructions(self, language: str) -> tuple[Construction, ...]:
        return tuple(p for (lang, _), p in self._constructions.items() if lang == language)

    def get(self, language: str, id: str) -> SinkPattern | Construction:
        key = (language, id)
        found = self._sinks.get(key) or self._constructions.get(key)
        if found is None:
            raise VulntuneError(f"no sink pattern {id!r} for {language}")
        return found

    def cwes(self, language: str) -> tuple[str, ...]:
        """The CWEs this catalogue finds candidates for, in CWE catalogue order."""
        found = {p.cwe for p in self.sinks(language)} | {c.cwe for c in self.constructions(language)}
        return tuple(c for c in CATALOGUE if c in found)


def _validate(pattern: SinkPattern | Construction, where: str) -> None:
    if not _KEBAB.match(pattern.id):
        raise VulntuneError(f"{where}: ids are kebab-case")
    if pattern.language not in LANGUAGES:
        raise VulntuneError(f"{where}: unknown language {pattern.language!r}")
    if pattern.cwe not in CATALOGUE or pattern.language not in CATALOGUE[pattern.cwe].languages:
        raise VulntuneError(f"{where}: {pattern.cwe} is not catalogued for {pattern.language}")
    if isinstance(pattern, Construction):
        regexes = [pattern.text, pattern.handed_to, pattern.named]
    else:
        regexes = [pattern.receiver, pattern.weak, pattern.data_type]
        if pattern.data_type and pattern.language != "java":
            raise VulntuneError(f"{where}: data_type is read for Java only")
        if pattern.kind not in KINDS:
            raise VulntuneError(f"{where}: kind must be one of {', '.join(KINDS)}")
        if not pattern.names:
            raise VulntuneError(f"{where}: names is empty")
        if pattern.kind == "literal":
            regexes.extend(pattern.names)
    for regex in regexes:
        try:
            re.compile(regex)
        except re.error as error:
            raise VulntuneError(f"{where}: bad regular expression {regex!r}: {error}") from None


# --- loading the rows --------------------------------------------------------------------------

_TABLES: dict[str, type] = {"sink": SinkPattern, "construction": Construction}
_REGEX_FIELDS = ("receiver", "weak", "data_type", "text", "handed_to", "named")


def load_catalogue(language: str, extra: Sequence[str | Path] = ()) -> Catalogue:
    """The shipped sinks of `language` with the `[[sink]]` and `[[construction]]` rows of the
    user's `extra` models files added after them.

    A user's row may say `language = "java"`; a row without one applies to each language its CWE
    is catalogued for. The other tables of a user's file are taint models
    (`vulntune.analysis.taint_models.load_models` reads and checks them). Raises `VulntuneError`
    naming the file and entry on any fault.
    """
    if language not in LANGUAGES:
        raise VulntuneError(f"sink catalogue: unknown language {language!r}")
    return _load(language, stamped(extra))


@functools.lru_cache(maxsize=16)
def _load(language: str, extra: tuple[tuple[str, tuple[int, int]], ...]) -> Catalogue:
    catalogue = Catalogue()
    files = [str(MODEL_FILES / f"{language}-sinks.toml"), *(path for path, _ in extra)]
    for index, path in enumerate(files):
        for table, pattern in _rows(path, language, shipped=index == 0):
            if catalogue.has(language, pattern.id):
                raise VulntuneError(f"{path}: {table} {pattern.id!r} is defined twice")
            catalogue.register(pattern)
    return catalogue


@functools.cache
def _shapes() -> dict[str, str]:
    """The named text shapes rows refer to as "@name" (`model_files/shapes.toml`)."""
    path = MODEL_FILES / "shapes.toml"
    shapes = read_models_file(path).get("shapes", {})
    for name, regex in shapes.items():
        if not isinstance(regex, str):
            raise VulntuneError(f"{path}: shape {name!r} must be a string")
        try:
            re.compile(regex)
        except re.error as error:
            raise VulntuneError(f"{path}: shape {name!r} is not a valid regular expression ({error})") from None
    return shapes


def _rows(path: str, language: str, *, shipped: bool) -> Iterable[tuple[str, SinkPattern | Construction]]:
    """The sink rows of one file that apply to `language`: a shipped file is one language's and
    holds nothing else; a user's row applies to the language it names, or to every language its
    CWE is catalogued for."""
    tables = read_models_file(path)
    for table in tables:
        if table not in _TABLES and shipped:
            raise VulntuneError(f"{path}: unknown table [[{table}]] (expected one of {', '.join(_TABLES)})")
    for table, where, entry, wanted in entries({t: r for t, r in tables.items() if t in _TABLES}, path):
        if shipped and wanted not in (None, language):
            raise VulntuneError(f"{where}: a row of the {language} sinks file for {wanted}")
        if wanted is not None and wanted != language:
            continue
        cwe = entry.get("cwe")
        if isinstance(cwe, str) and cwe not in CATALOGUE:
            raise VulntuneError(f"{where}: unknown weakness {cwe!r} (a catalogued CWE id)")
        if wanted is None and not shipped and isinstance(cwe, str) and language not in CATALOGUE[cwe].languages:
            continue
        yield table, _build(_TABLES[table], entry, language, where)


def _build(kind: type, entry: dict, language: str, where: str) -> SinkPattern | Construction:
    known = {f.name: f for f in fields(kind) if f.name != "language"}
    for key in entry:
        if key not in known:
            raise VulntuneError(f"{where}: unknown key {key!r} (expected one of {', '.join(sorted(known))})")
    values: dict[str, object] = {"language": language}
    for name, spec in known.items():
        if name not in entry:
            if spec.default is MISSING:
                raise VulntuneError(f"{where}: missing key {name!r}")
            continue
        value = entry[name]
        if spec.type == "tuple[str, ...]":
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise VulntuneError(f"{where}: {name} must be a list of non-empty strings")
            value = tuple(value)
        elif spec.type == "tuple[int | str, ...]":
            if not isinstance(value, list) or not all(_argument(v) for v in value):
                raise VulntuneError(f"{where}: {name} must be a list of argument positions (0, 1...) and keyword names")
            value = tuple(value)
        elif spec.type == "bool":
            if not isinstance(value, bool):
                raise VulntuneError(f"{where}: {name} must be true or false")
        elif not isinstance(value, str):
            raise VulntuneError(f"{where}: {name} must be a string")
        if name in _REGEX_FIELDS or (name == "names" and entry.get("kind") == "literal"):
            value = tuple(_shape(v, where) for v in value) if isinstance(value, tuple) else _shape(value, where)
        values[name] = value
    pattern = kind(**values)
    _validate(pattern, where)
    return pattern


def _argument(value: object) -> bool:
    """An argument position (0, 1...) or a keyword name."""
    if isinstance(value, bool):
        return False
    return (isinstance(value, int) and value >= 0) or (isinstance(value, str) and value.isidentifier())


def _shape(regex: str, where: str) -> str:
    """A regular expression, or the shared shape it names ("@sql-text")."""
    if not regex.startswith("@"):
        return regex
    shapes = _shapes()
    if regex[1:] not in shapes:
        raise VulntuneError(f"{where}: unknown shape {regex!r} (expected one of {', '.join('@' + s for s in shapes)})")
    return shapes[regex[1:]]


def _shipped() -> Catalogue:
    """Both languages' shipped rows."""
    catalogue = Catalogue()
    for language in LANGUAGES:
        rows = _load(language, ())
        catalogue.register(*rows.sinks(language), *rows.constructions(language))
    return catalogue


CATALOGUE_OF_SINKS = _shipped()
