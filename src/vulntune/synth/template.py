"""The template records the corpus is composed from, and the one registry they live in.

A sample is a composition along independent axes:

    Source       where untrusted data enters (Flask query arg, Servlet getParameter, argv ...)
    Propagation  how it travels to the sink (direct, f-string, helper, dict, loop ...)
    Sink         the weakness itself, with one or more `Fix`es (parameterised query ...)
    Kill         a taint-killing step, as a (vulnerable, safe) pair of snippets
    Guard        a condition wrapping the sink, as a (reached, unreached) pair of conditions

Snippets are `string.Template` text (`$name` placeholders, so Java braces need no escaping).
Shared placeholders: `$var` (the source variable), `$out` (the propagated value), `$value`
(what the sink consumes: `$out`, or a server-side constant for `untainted` twins), `$param`,
`$func`, plus identifier-pool names the language renderer documents. In a sink or fix, the
line holding the sink call starts with `@@`.

Every vulnerable sample has a safe twin rendered from the same plan: the twin differs only by
the fix, the kill, the guard condition, or the constant fed to the sink.

Next to the templates, each CWE has one `CweVocabulary` record per language (what its values are
called and look like), defined in the CWE's sink module and registered in the same registry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import ClassVar

from vulntune.cwe import CATALOGUE, LANGUAGES
from vulntune.data import TWIN_KINDS
from vulntune.errors import VulntuneError

VALUE_KINDS = ("str", "bytes")
# A weakness without a tainted value (a weak hash, a hard-coded key) has no untainted or
# taint-killed twin: only the fix or an unreached sink makes it safe.
NON_TAINT_SAFE_KINDS = ("fix", "unreached")
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Words that would tell a model the label. Checked on every template and every rendered sample.
LEAK_WORDS = re.compile(
    r"vuln|unsafe|insecure|\bbad|\bgood|tainted|\bcwe|exploit|\bsanitized_|malicious|attacker",
    re.IGNORECASE,
)


@dataclass(kw_only=True, frozen=True)
class Source:
    """Where untrusted data enters a handler.

    Attributes:
        id: kebab-case, unique per language (e.g. "flask-query-arg").
        language: "python" or "java".
        framework: "flask", "django", "fastapi", "cli", "stdlib" (Python); "servlet", "spring",
            "jaxrs", "cli", "stdlib" (Java). Sinks may restrict themselves to frameworks.
        imports: import lines the source needs.
        prelude: module-level (Python) or class-level (Java) code, e.g. `app = Flask(__name__)`.
        header: the handler's decorators/annotations and signature line(s), without body.
        read: statements that bind `$var` (Java: declare it).
        tail: the handler's final statement(s), e.g. `return "ok"`; may be empty.
        value_kind: "str" or "bytes": what `$var` holds.
    """

    id: str
    language: str
    framework: str
    header: str
    read: str
    imports: tuple[str, ...] = ()
    prelude: str = ""
    tail: str = ""
    value_kind: str = "str"


@dataclass(kw_only=True, frozen=True)
class Propagation:
    """How `$var` becomes `$out` (Java: declares `$out`).

    Attributes:
        helper: module-level function/class (Python) or class member (Java) the lines use.
        string_ops: True when the lines apply string operations (concatenation, formatting),
            so it only fits str values.
    """

    id: str
    language: str
    lines: str
    helper: str = ""
    imports: tuple[str, ...] = ()
    string_ops: bool = False


@dataclass(kw_only=True, frozen=True)
class Fix:
    """A safe replacement of a sink's code: same shape, the weakness removed.

    `helper`, when set, replaces the sink's helper in the safe twin (a wrapper that quotes, a
    method that validates); empty keeps the sink's.
    """

    id: str
    code: str
    imports: tuple[str, ...] = ()
    prelude: str = ""
    helper: str = ""


@dataclass(kw_only=True, frozen=True)
class Sink:
    """A weakness: the vulnerable code that consumes `$value`, and its fixes.

    Attributes:
        id: kebab-case name of the *weakness* (e.g. "sql-string-concat-execute").
        cwe: catalogue id, "CWE-89".
        api: the sink API, e.g. "sqlite3.Cursor.execute" (a CWE needs at least 3 distinct).
        frameworks: the source frameworks it fits; empty means any.
        vulnerable: statements; the sink line starts with "@@".
        fixes: at least one Fix.
        value_kind: what `$value` must hold.
        safe_kinds: which safe kinds make sense; taint weaknesses allow all four,
            non-taint ones (weak hash, hard-coded key ...) "fix" and "unreached" (the sink
            builders take it from the catalogue: `safe_kinds_for`).
        returns: the code ends the handler with a return statement.
        helper: a function or class (Python: module level; Java: class members) the code calls,
            part of the twin: the vulnerable sample carries it, a fix twin carries the fix's
            helper instead when the fix has one. The sink line may sit in the helper rather than
            in the code (a wrapper that runs a shell, a method that opens a path): code and the
            helper in effect mark exactly one line with "@@" between them.
    """

    id: str
    language: str
    cwe: str
    api: str
    vulnerable: str
    fixes: tuple[Fix, ...]
    frameworks: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    prelude: str = ""
    value_kind: str = "str"
    safe_kinds: tuple[str, ...] = TWIN_KINDS
    returns: bool = False
    helper: str = ""


def safe_kinds_for(cwe: str) -> tuple[str, ...]:
    """The safe kinds of a sink of `cwe`: all four for a taint weakness, else fix and unreached.
    An id outside the catalogue gets all four; registering the sink then names the unknown CWE."""
    entry = CATALOGUE.get(cwe)
    return NON_TAINT_SAFE_KINDS if entry is not None and not entry.taint else TWIN_KINDS


@dataclass(kw_only=True, frozen=True)
class Kill:
    """A taint-killing step inserted after propagation, as a twin pair.

    `vulnerable` leaves `$out` tainted (e.g. takes the tainted list element, or guards the
    overwrite with an always-false condition); `safe` kills it (takes the constant element,
    always-true condition, int conversion ...). Either may be empty.
    """

    id: str
    language: str
    vulnerable: str
    safe: str
    value_kinds: tuple[str, ...] = ("str",)
    prelude: str = ""


@dataclass(kw_only=True, frozen=True)
class Guard:
    """A condition wrapped around the sink block: `reached` always holds, `unreached` never does.

    `prelude_reached` / `prelude_unreached` are module- or class-level code the condition reads
    (e.g. a flag constant set to True or False).
    """

    id: str
    language: str
    reached: str
    unreached: str
    prelude_reached: str = ""
    prelude_unreached: str = ""


Template = Source | Propagation | Sink | Kill | Guard


@dataclass(kw_only=True, frozen=True)
class CweVocabulary:
    """What one weakness's values are called and look like in one language: the fields every
    language shares. Each language subclasses it (`PythonCweVocabulary`, `JavaCweVocabulary`)
    with its own fields, its `language` and its `required` fields; each CWE's sink module
    defines one record next to its sinks. A required field left empty is rejected when the record
    registers, with the CWE in the message (so it has an empty default rather than none).

    Attributes:
        cwe: catalogue id, "CWE-89".
        params: request parameter names; the source variable is named after one of them.
        constants: server-side literals an untainted twin feeds the sink (kills fall back to them).
        affixes: (prefix, suffix) string pieces the concatenation propagations add around the value.
        sink_constants: sink id -> the literals that sink reads, in place of `constants` (a sink
            reading a format the CWE's constants do not fit: a pickle, a file name).
    """

    language: ClassVar[str] = ""
    required: ClassVar[tuple[str, ...]] = ("params", "constants")

    cwe: str
    params: tuple[str, ...] = ()
    constants: tuple[str, ...] = ()
    affixes: tuple[tuple[str, str], ...] = ()
    sink_constants: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def constants_of(self, sink: Sink) -> tuple[str, ...]:
        """The literals `sink` reads: its own `sink_constants`, else the CWE's `constants`."""
        return self.sink_constants.get(sink.id) or self.constants


@dataclass
class Registry:
    """All templates, by kind and language. Registering anything invalid raises at once."""

    sources: dict[str, dict[str, Source]] = field(default_factory=lambda: {lang: {} for lang in LANGUAGES})
    propagations: dict[str, dict[str, Propagation]] = field(default_factory=lambda: {lang: {} for lang in LANGUAGES})
    sinks: dict[str, dict[str, Sink]] = field(default_factory=lambda: {lang: {} for lang in LANGUAGES})
    kills: dict[str, dict[str, Kill]] = field(default_factory=lambda: {lang: {} for lang in LANGUAGES})
    guards: dict[str, dict[str, Guard]] = field(default_factory=lambda: {lang: {} for lang in LANGUAGES})
    vocabularies: dict[str, dict[str, CweVocabulary]] = field(default_factory=lambda: {lang: {} for lang in LANGUAGES})

    def register(self, template: Template) -> Template:
        """Validate and add one template; returns it so modules can register inline."""
        table = self._table(template)
        lang = template.language
        if lang not in LANGUAGES:
            raise VulntuneError(f"template {template.id!r}: unsupported language {lang!r}")
        if not KEBAB.match(template.id):
            raise VulntuneError(f"template {template.id!r}: id must be kebab-case")
        if template.id in table[lang]:
            raise VulntuneError(f"duplicate {type(template).__name__.lower()} id {template.id!r} for {lang}")
        if isinstance(template, Sink):
            _check_sink(template)
        leak = _first_leak(_texts(template))
        if leak:
            raise VulntuneError(f"template {template.id!r}: label-revealing word {leak!r}")
        table[lang][template.id] = template
        return template

    def register_all(self, templates: Iterable[Template]) -> None:
        for template in templates:
            self.register(template)

    def register_vocabulary(self, record: CweVocabulary) -> CweVocabulary:
        """Validate and add one CWE's vocabulary record; returns it. An unknown CWE, one the
        catalogue does not list for the record's language, a second record for the same CWE and
        language, or an empty required field raises at once, naming the CWE."""
        lang = record.language
        if lang not in LANGUAGES:
            raise VulntuneError(f"{record.cwe} vocabulary: unsupported language {lang!r}")
        what = f"{record.cwe} {lang} vocabulary"
        cwe = CATALOGUE.get(record.cwe)
        if cwe is None:
            raise VulntuneError(f"{what}: unknown CWE (catalogue in vulntune/cwe.py: {', '.join(CATALOGUE)})")
        if lang not in cwe.languages:
            raise VulntuneError(f"{what}: {record.cwe} is not catalogued for {lang} (only {', '.join(cwe.languages)})")
        if record.cwe in self.vocabularies[lang]:
            raise VulntuneError(f"duplicate {what}")
        missing = [name for name in record.required if not getattr(record, name)]
        if missing:
            raise VulntuneError(f"{what}: missing required field(s) {', '.join(missing)}")
        for item in fields(record):
            value = getattr(record, item.name)
            if isinstance(item.default, tuple) and not isinstance(value, tuple):
                raise VulntuneError(f"{what}: {item.name} must be a tuple, got {type(value).__name__}")
            if item.name == "cwe":  # metadata, never rendered into code
                continue
            leak = _first_leak(_strings(value))
            if leak:
                raise VulntuneError(f"{what}: label-revealing word {leak!r} in {item.name}")
        self.vocabularies[lang][record.cwe] = record
        return record

    def vocabulary(self, language: str, cwe: str) -> CweVocabulary:
        """The registered vocabulary record of `cwe` in `language`."""
        try:
            return self.vocabularies[language][cwe]
        except KeyError:
            raise VulntuneError(f"no {language} vocabulary registered for {cwe}") from None

    def check_cwes(self, language: str) -> None:
        """Raise unless the catalogue's CWEs of `language`, the CWEs with sinks and the CWEs with a
        vocabulary record are the same set, and every `sink_constants` key names a sink of its CWE
        (a language package calls it once its sinks are loaded)."""
        catalogued = {c for c, entry in CATALOGUE.items() if language in entry.languages}
        with_sinks = {s.cwe for s in self.sinks[language].values()}
        with_vocabulary = set(self.vocabularies[language])
        for cwes, problem in (
            (with_sinks - with_vocabulary, "sinks but no vocabulary record"),
            (with_vocabulary - with_sinks, "a vocabulary record but no sinks"),
            (catalogued - with_sinks - with_vocabulary, "neither sinks nor a vocabulary record"),
        ):
            if cwes:
                listed = ", ".join(sorted(cwes, key=lambda c: int(c.split("-")[1])))
                raise VulntuneError(f"{language}: {listed} with {problem}")
        for record in self.vocabularies[language].values():
            for sink_id, constants in record.sink_constants.items():
                sink = self.sinks[language].get(sink_id)
                if sink is None or sink.cwe != record.cwe:
                    raise VulntuneError(
                        f"{record.cwe} {language} vocabulary: sink_constants names {sink_id!r}, no sink of it"
                    )
                if not isinstance(constants, tuple) or not constants:
                    raise VulntuneError(
                        f"{record.cwe} {language} vocabulary: sink_constants[{sink_id!r}] must be a non-empty tuple"
                    )

    def _table(self, template: Template) -> dict[str, dict]:
        for cls, table in (
            (Source, self.sources),
            (Propagation, self.propagations),
            (Sink, self.sinks),
            (Kill, self.kills),
            (Guard, self.guards),
        ):
            if isinstance(template, cls):
                return table
        raise VulntuneError(f"not a template: {template!r}")

    def sinks_for(self, language: str, cwe: str) -> list[Sink]:
        return [s for s in self.sinks[language].values() if s.cwe == cwe]

    def cwes(self, language: str) -> list[str]:
        return sorted({s.cwe for s in self.sinks[language].values()}, key=lambda c: int(c.split("-")[1]))


def _check_sink(sink: Sink) -> None:
    cwe = CATALOGUE.get(sink.cwe)
    if cwe is None:
        raise VulntuneError(f"sink {sink.id!r}: unknown CWE {sink.cwe!r}")
    if sink.language not in cwe.languages:
        raise VulntuneError(f"sink {sink.id!r}: {sink.cwe} is not catalogued for {sink.language}")
    if not sink.fixes and "fix" in sink.safe_kinds:
        raise VulntuneError(f"sink {sink.id!r}: needs at least one fix")
    if sink.value_kind not in VALUE_KINDS:
        raise VulntuneError(f"sink {sink.id!r}: value_kind must be one of {VALUE_KINDS}")
    variants = [("vulnerable", sink.vulnerable + "\n" + sink.helper)]
    variants += [(f"fix {f.id!r}", f.code + "\n" + (f.helper or sink.helper)) for f in sink.fixes]
    for name, code in variants:
        marks = sum(1 for line in code.splitlines() if line.lstrip().startswith("@@"))
        if marks != 1:
            raise VulntuneError(
                f"sink {sink.id!r}: {name} code and helper must mark exactly one line with '@@', found {marks}"
            )


def _first_leak(texts: Iterable[str]) -> str | None:
    """The first label-revealing word (`LEAK_WORDS`) in `texts`, or None."""
    for text in texts:
        hit = LEAK_WORDS.search(text)
        if hit:
            return hit.group(0)
    return None


def _strings(value) -> Iterable[str]:
    """Every string in `value`, a string or nested tuples (and dict values) of them."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):  # keys are sink ids, never rendered
        for item in value.values():
            yield from _strings(item)


def _texts(template: Template) -> list[str]:
    texts = []
    for key, value in vars(template).items():
        if key in ("cwe", "safe_kinds"):  # metadata, never rendered into code
            continue
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, str):
                    texts.append(item)
                elif isinstance(item, Fix):
                    texts.extend([item.id, item.code, item.prelude, item.helper, *item.imports])
    return texts


REGISTRY = Registry()
"""The one registry. Language packages register into it when `vulntune.synth.templates` loads."""
