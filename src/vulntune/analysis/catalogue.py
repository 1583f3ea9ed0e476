"""The sink catalogue: one record per way a catalogued CWE happens in real code, per language.

A `SinkPattern` names the calls, constructors, subscript writes or literal assignments through
which a weakness happens, and which arguments carry the data. A `Construction` names text built
from pieces (SQL, a command line, HTML) that is handed to any call: real code often reaches the
dangerous API through its own wrapper (`db.run(query)`), so the shape of the text is the sink.

The finder (`vulntune.analysis.candidates`) reports every match as a candidate; nothing here
decides safety. The synthetic generator's sinks are checked against this catalogue by a test, so
it is the one source of truth for what a sink is. Patterns come from the APIs' documentation and
common idioms, never from the external evaluation sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vulntune.cwe import CATALOGUE, LANGUAGES
from vulntune.errors import VulntuneError

KINDS = ("call", "new", "subscript", "literal")

# Text shapes of construction-shaped candidates, shared by both languages.
SQL_TEXT = (
    r"\b(select\s[\s\S]*\bfrom\b|insert\s+(or\s+\w+\s+)?into\b|update\s+[\w.`\"\[\]]+\s+set\b"
    r"|delete\s+from\b|replace\s+into\b|(create|drop|alter|truncate)\s+(table|index|view|database)\b"
    r"|\bwhere\s+[\w.`\"]+\s*(=|<|>|like\b|in\b)|\border\s+by\b|\bvalues\s*\()"
)
COMMAND_TEXT = (
    r"(^|[\s'\"`;|&(])(ls|cat|rm|cp|mv|chmod|chown|ping|nslookup|dig|host|curl|wget|git|svn|hg|tar"
    r"|zip|unzip|gzip|gunzip|7z|echo|grep|find|kill|pkill|sudo|su|sh|bash|zsh|python3?|perl|ruby"
    r"|php|node|ffmpeg|convert|openssl|ssh|scp|rsync|mkdir|rmdir|touch|head|tail|sed|awk|nmap|whois"
    r"|traceroute|docker|kubectl|make|java|npm|pip|mount|umount|useradd|passwd|crontab|systemctl"
    r"|service|iptables|lp|lpr|mail|sendmail|dd|df|du|ps|xargs|tee|nc|telnet|ftp|tftp|cmd|powershell)"
    r"(\s|$)|\s-{1,2}[a-zA-Z][\w-]*(\s|=|$)|2>&1|\s(&&|\|\|)\s|\s\|\s"
)
HTML_TEXT = (
    r"<\s*/?\s*(html|body|head|title|div|span|p|a|b|i|u|em|strong|h[1-6]|ul|ol|li|table|tr|td|th"
    r"|script|style|img|form|input|textarea|select|option|button|br|hr|pre|code|iframe|label|meta"
    r"|link|small|section|article|nav|footer|header|font|center|tt)\b"
)
COMMAND_NAME = r"(?i)(^|_)(cmd|command|cmdline|commandline|shell_?cmd|ssh_?cmd|cli_?cmd)s?$|ssh|shell|popen|spawn|^exec(_|$)|_exec$"
LDAP_TEXT = r"\(\s*[&|!]?\s*\(?\s*[a-zA-Z][\w-]*\s*[~<>]?=|\)\s*\("
URL_TEXT = r"^\s*https?://"
PATH_TEXT = (
    r"(^|[^<:/])/([\w.-]|%[sdr]|\{[^}]*\})*$|^\.{0,2}/|\.\./|\\\\|^[\w.-]*/$|\.(txt|log|json|csv|xml|html?|png|jpe?g|gif|pdf"
    r"|zip|tar|gz|cfg|conf|ini|ya?ml|db|sqlite|key|pem|md|py|sh)$"
)
XPATH_TEXT = r"//\s*\w+|\[\s*@?[\w-]+\s*=|/@[\w-]+|\btext\(\)|\bcontains\(|/\w+\[|\bstarts-with\("
SECRET_NAME = (
    r"(?i)^(?:[a-z0-9]*_)*(password|passwd|passwrd|pwd|pass|passphrase|secret|secret_key|secretkey"
    r"|api_?key|apikey|auth_?token|access_?token|token|access_?key|private_?key|client_?secret"
    r"|credentials?|db_?pass(word)?)$"
)

_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(kw_only=True, frozen=True)
class SinkPattern:
    """One family of sink calls of one CWE in one language.

    Attributes:
        id: kebab-case, unique per language; names the weakness's API ("sql-cursor-execute").
        language: "python" or "java".
        cwe: the weakness ("CWE-89").
        kind: "call" (a function or method call), "new" (a Java constructor or a Python class
            call), "subscript" (a write `target[key] = value`, e.g. a session or a header), or
            "literal" (a string literal assigned to, or passed as, a name that holds a secret).
        names: what the callee must be. A dotted tail ("os.system") matches a call whose callee,
            after resolving the file's import aliases, ends with it; "*.execute" matches the
            method `execute` on any receiver; a bare name ("open") matches the plain call.
            For "new", class names; for "subscript", the subscripted object's name; for
            "literal", a regular expression on the assigned or keyword name.
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


@dataclass(kw_only=True, frozen=True)
class Construction:
    """Text of a dangerous shape built from pieces and handed on: a construction-shaped sink.

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
    """The registered patterns, validated on registration."""

    def __init__(self) -> None:
        self._sinks: dict[tuple[str, str], SinkPattern] = {}
        self._constructions: dict[tuple[str, str], Construction] = {}

    def register(self, *patterns: SinkPattern | Construction) -> None:
        for pattern in patterns:
            table = self._sinks if isinstance(pattern, SinkPattern) else self._constructions
            key = (pattern.language, pattern.id)
            if key in self._sinks or key in self._constructions:
                raise VulntuneError(f"sink pattern {pattern.id!r} is registered twice for {pattern.language}")
            _validate(pattern)
            table[key] = pattern

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


def _validate(pattern: SinkPattern | Construction) -> None:
    where = f"sink pattern {pattern.id!r}"
    if not _KEBAB.match(pattern.id):
        raise VulntuneError(f"{where}: ids are kebab-case")
    if pattern.language not in LANGUAGES:
        raise VulntuneError(f"{where}: unknown language {pattern.language!r}")
    if pattern.cwe not in CATALOGUE or pattern.language not in CATALOGUE[pattern.cwe].languages:
        raise VulntuneError(f"{where}: {pattern.cwe} is not catalogued for {pattern.language}")
    regexes = (
        [pattern.text, pattern.handed_to] if isinstance(pattern, Construction) else [pattern.receiver, pattern.weak]
    ) + ([pattern.named] if isinstance(pattern, Construction) else [])
    if isinstance(pattern, SinkPattern):
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


CATALOGUE_OF_SINKS = Catalogue()


def sink(language: str, cwe: str, id: str, kind: str, names: str | tuple[str, ...], api: str, **fields) -> SinkPattern:
    """A `SinkPattern` with `names` given as a space-separated string or a tuple."""
    names = tuple(names.split()) if isinstance(names, str) else names
    return SinkPattern(id=id, language=language, cwe=cwe, kind=kind, names=names, api=api, **fields)
