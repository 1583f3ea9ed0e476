"""What to ask the model: one twin pair per prompt, in a framework's style, with a drawn source,
propagation and surrounding code, so answers vary the way the templates do.

Every choice comes from an RNG seeded by (seed, language, CWE, attempt): the same run asks the
same questions, and so hits the same cache entries.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass

from vulntune.cwe import CATALOGUE

FRAMEWORKS = {
    "python": ("flask", "django", "fastapi"),
    "java": ("servlet", "spring", "jdbc"),
}
FRAMEWORK_STYLE = {
    "flask": "a Flask view function",
    "django": "a Django view function",
    "fastapi": "a FastAPI endpoint",
    "servlet": "a javax.servlet HttpServlet (doGet or doPost)",
    "spring": "a Spring @RestController method",
    "jdbc": "a plain Java service class using java.sql / JDBC-era standard library APIs",
}
SOURCES = {
    "python": {
        "query-arg": "a query-string parameter",
        "form-field": "a form field",
        "json-body": "a field of the JSON request body",
        "header": "an HTTP request header",
        "cookie": "a cookie value",
        "path-param": "a URL path parameter",
    },
    "java": {
        "request-param": "a request parameter",
        "header": "an HTTP request header",
        "cookie": "a cookie value",
        "path-variable": "a URL path variable",
        "request-body": "the request body",
        "method-arg": "a String argument of a public method called with user input",
    },
}
PROPAGATIONS = {
    "direct": "is used directly at the sink",
    "local-var": "is stored in a local variable under a domain-specific name first",
    "helper": "is passed through a small helper function or method before the sink",
    "format": "is combined with other text (formatting or concatenation) before the sink",
    "container": "travels through a dict, map or list before the sink",
    "field": "is stored on an object field and read back before the sink",
}
SURROUNDINGS = {
    "logging": "log a short message before the sink",
    "length-check": "reject empty input early",
    "try-block": "wrap the work in a try block that handles one specific exception",
    "result-shaping": "turn the result into a small response object",
    "config-read": "read one setting from configuration or the environment",
    "plain": "keep the surrounding code minimal",
}
SAFE_KIND_TEXT = {
    "fix": "fixes the sink itself (a parameterised or escaping API, an argument list, a safe setting), "
    "keeping the same data flow",
    "untainted": "feeds the same sink a constant or server-side value instead of the request data",
    "taint-killed": "converts or validates the request data before the sink (a number conversion, an "
    "allow-list, an escape) so it can no longer carry an attack, keeping the sink call unchanged",
    "unreached": "keeps the sink but puts it behind a condition that can never hold (a constant flag "
    "that is False), with a harmless alternative path",
}
SYSTEM = (
    "You write short, realistic source files for a code-analysis training corpus. Answer with one "
    'JSON object only: {"vulnerable": "<file>", "safe": "<file>"}. Each value is a complete, '
    "syntactically valid file with its imports. The two files are twins: identical except for the few "
    "lines that make the difference. No comments, docstrings or names that reveal which file is "
    "which or that name the weakness (no words like vulnerable, unsafe, insecure, bad, good, tainted, "
    "exploit, malicious, attacker, CWE)."
)


@dataclass(kw_only=True, frozen=True)
class Prompt:
    """One question to the model and the choices behind it.

    Attributes:
        language, cwe, safe_kind: the pair asked for.
        variant: kebab-case name of the structural choices (framework, source, propagation); with
            the CWE it makes the split family, so a test family is a pattern never seen whole.
        messages: the chat messages sent.
        seed: the request seed (for servers that honour it).
    """

    language: str
    cwe: str
    safe_kind: str
    variant: str
    messages: tuple[tuple[str, str], ...]
    seed: int

    @property
    def sha256(self) -> str:
        text = json.dumps([list(m) for m in self.messages], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def chat(self) -> list[dict[str, str]]:
        return [{"role": role, "content": content} for role, content in self.messages]


def safe_kinds(cwe: str) -> tuple[str, ...]:
    """The safe kinds a CWE allows: data-flow kinds only for weaknesses carried by input."""
    if CATALOGUE[cwe].taint:
        return ("fix", "untainted", "taint-killed", "unreached")
    return ("fix", "unreached")


def make_prompt(*, seed: int, language: str, cwe: str, attempt: int) -> Prompt:
    """The `attempt`-th prompt for (language, CWE): safe kinds round-robin, the rest drawn."""
    digest = hashlib.sha256(f"{seed}/llm/{language}/{cwe}/{attempt}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    kinds = safe_kinds(cwe)
    kind = kinds[attempt % len(kinds)]
    framework = rng.choice(FRAMEWORKS[language])
    source = rng.choice(sorted(SOURCES[language]))
    propagation = rng.choice(sorted(PROPAGATIONS))
    surrounding = rng.choice(sorted(SURROUNDINGS))
    weakness = CATALOGUE[cwe]
    data_flow = (
        f"The data comes from {SOURCES[language][source]} and {PROPAGATIONS[propagation]}. " if weakness.taint else ""
    )
    user = (
        f"Write a {language.capitalize()} twin pair about {cwe} ({weakness.name}) as {FRAMEWORK_STYLE[framework]}. "
        f"The first file contains the weakness at a real sink call. {data_flow}"
        f"Around it, {SURROUNDINGS[surrounding]}. The second file {SAFE_KIND_TEXT[kind]}. "
        "Between 8 and 30 lines each; change as few lines as possible between the two."
    )
    # The structural choices name the variant (surroundings and safe kind vary within it).
    variant = f"{language}-{framework}-{source}-{propagation}" if weakness.taint else f"{language}-{framework}"
    return Prompt(
        language=language,
        cwe=cwe,
        safe_kind=kind,
        variant=variant,
        messages=(("system", SYSTEM), ("user", user)),
        seed=int.from_bytes(digest[8:12], "big"),
    )
