"""The CWE catalogue: one table, id -> name, description, severity, Top-25 rank, languages, link.

Severity here is the default for findings of that weakness (confidence comes from the model);
`security_severity` is the CVSS-like number GitHub code scanning reads from SARIF.
"""

from __future__ import annotations

from dataclasses import dataclass

from vulntune.errors import VulntuneError

LANGUAGES = ("python", "java")
LANGUAGE_OF_EXTENSION = {".py": "python", ".pyw": "python", ".java": "java"}  # source files of each language
SEVERITIES = ("low", "medium", "high", "critical")
SECURITY_SEVERITY = {"low": 3.0, "medium": 5.5, "high": 8.0, "critical": 9.5}


def ordered_languages(languages) -> list[str]:
    """`languages` in the catalogue's order (Python before Java), unknown ones after, by name."""
    return sorted(languages, key=lambda lang: (LANGUAGES.index(lang) if lang in LANGUAGES else len(LANGUAGES), lang))


@dataclass(kw_only=True, frozen=True)
class Cwe:
    """One weakness of the catalogue."""

    id: str  # "CWE-89"
    name: str
    description: str  # one line
    severity: str  # one of SEVERITIES
    top25_rank: int | None  # MITRE CWE Top 25 (2024), None when not ranked
    languages: tuple[str, ...]
    taint: bool  # True when the weakness is untrusted data reaching a sink
    constant: bool = False  # True when the weakness is a literal reaching a sink (a hard-coded secret)

    @property
    def number(self) -> int:
        return int(self.id.split("-")[1])

    @property
    def link(self) -> str:
        return f"https://cwe.mitre.org/data/definitions/{self.number}.html"

    @property
    def security_severity(self) -> float:
        return SECURITY_SEVERITY[self.severity]


_BOTH = LANGUAGES
_PY = ("python",)

_ENTRIES = (
    Cwe(
        id="CWE-22",
        name="Path Traversal",
        description="A file path built from untrusted input escapes the directory it is meant to stay in.",
        severity="high",
        top25_rank=5,
        languages=_BOTH,
        taint=True,
    ),
    Cwe(
        id="CWE-78",
        name="OS Command Injection",
        description="Untrusted input reaches a shell or process command line without neutralisation.",
        severity="critical",
        top25_rank=7,
        languages=_BOTH,
        taint=True,
    ),
    Cwe(
        id="CWE-79",
        name="Cross-site Scripting",
        description="Untrusted input is written into an HTML page without escaping.",
        severity="medium",
        top25_rank=1,
        languages=_BOTH,
        taint=True,
    ),
    Cwe(
        id="CWE-89",
        name="SQL Injection",
        description="Untrusted input is concatenated into an SQL statement instead of bound as a parameter.",
        severity="high",
        top25_rank=3,
        languages=_BOTH,
        taint=True,
    ),
    Cwe(
        id="CWE-90",
        name="LDAP Injection",
        description="Untrusted input is placed in an LDAP search filter without escaping.",
        severity="high",
        top25_rank=None,
        languages=_BOTH,
        taint=True,
    ),
    Cwe(
        id="CWE-94",
        name="Code Injection",
        description="Untrusted input is evaluated or executed as code.",
        severity="critical",
        top25_rank=11,
        languages=_PY,
        taint=True,
    ),
    Cwe(
        id="CWE-327",
        name="Broken or Risky Cryptographic Algorithm",
        description="Data is encrypted with a broken cipher or mode (DES, RC4, ECB).",
        severity="medium",
        top25_rank=None,
        languages=_BOTH,
        taint=False,
    ),
    Cwe(
        id="CWE-328",
        name="Use of Weak Hash",
        description="A weak hash (MD5, SHA-1) protects passwords or integrity-relevant data.",
        severity="medium",
        top25_rank=None,
        languages=_BOTH,
        taint=False,
    ),
    Cwe(
        id="CWE-330",
        name="Insufficiently Random Values",
        description="A predictable random generator produces security tokens, keys or passwords.",
        severity="medium",
        top25_rank=None,
        languages=_BOTH,
        taint=False,
    ),
    Cwe(
        id="CWE-501",
        name="Trust Boundary Violation",
        description="Untrusted input is stored in a trusted server-side store such as the session.",
        severity="medium",
        top25_rank=None,
        languages=_BOTH,
        taint=True,
    ),
    Cwe(
        id="CWE-502",
        name="Deserialization of Untrusted Data",
        description="Untrusted bytes are deserialised with a format that can instantiate arbitrary objects.",
        severity="critical",
        top25_rank=16,
        languages=_BOTH,
        taint=True,
    ),
    Cwe(
        id="CWE-601",
        name="Open Redirect",
        description="A redirect target is taken from untrusted input without checking its host.",
        severity="medium",
        top25_rank=None,
        languages=_BOTH,
        taint=True,
    ),
    Cwe(
        id="CWE-611",
        name="XML External Entity Reference",
        description="Untrusted XML is parsed with external entities or DTDs enabled.",
        severity="high",
        top25_rank=None,
        languages=_BOTH,
        taint=True,
    ),
    Cwe(
        id="CWE-614",
        name="Sensitive Cookie Without 'Secure' Attribute",
        description="A session or authentication cookie is set without the Secure flag.",
        severity="low",
        top25_rank=None,
        languages=_BOTH,
        taint=False,
    ),
    Cwe(
        id="CWE-643",
        name="XPath Injection",
        description="Untrusted input is concatenated into an XPath expression.",
        severity="high",
        top25_rank=None,
        languages=_BOTH,
        taint=True,
    ),
    Cwe(
        id="CWE-798",
        name="Use of Hard-coded Credentials",
        description="A password, key or token is written into the source code.",
        severity="high",
        top25_rank=22,
        languages=_BOTH,
        taint=False,
        constant=True,
    ),
    Cwe(
        id="CWE-918",
        name="Server-Side Request Forgery",
        description="The server fetches a URL whose host is taken from untrusted input.",
        severity="high",
        top25_rank=19,
        languages=_BOTH,
        taint=True,
    ),
)

CATALOGUE: dict[str, Cwe] = {c.id: c for c in _ENTRIES}


def normalize_cwe(value: str | int) -> str:
    """'89', 89, 'cwe-89', 'CWE-89' -> 'CWE-89'. Raises VulntuneError on anything else."""
    text = str(value).strip().upper()
    if text.startswith("CWE-"):
        text = text[4:]
    if not text.isdigit():
        raise VulntuneError(f"not a CWE id: {value!r} (expected e.g. CWE-89)")
    return f"CWE-{int(text)}"


def get_cwe(value: str | int) -> Cwe:
    """Look a weakness up; an id outside the catalogue is a VulntuneError."""
    cwe_id = normalize_cwe(value)
    try:
        return CATALOGUE[cwe_id]
    except KeyError:
        known = ", ".join(CATALOGUE)
        raise VulntuneError(f"unknown CWE {cwe_id} (catalogue: {known})") from None


def cwes_for(language: str) -> tuple[str, ...]:
    """The catalogue's CWE ids for one language, in catalogue order."""
    check_language(language)
    return tuple(c.id for c in _ENTRIES if language in c.languages)


def check_language(language: str) -> str:
    """Return `language` if supported, else raise VulntuneError."""
    if language not in LANGUAGES:
        raise VulntuneError(f"unknown language {language!r} (supported: {', '.join(LANGUAGES)})")
    return language
