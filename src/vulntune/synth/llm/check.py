"""Verify a model's twin pair like a template sample, and more; a failure names its reason.

Checks, in order (the first failure drops the pair and is counted under its reason):
  syntax_error        either file fails tree-sitter, or Python's `compile()` (compile only, never run)
  identical_versions  the two files hold the same tokens
  diff_too_large      more than a third of the lines differ (at least 3 lines may always differ)
  no_sink             the candidate finder sees no sink of the claimed CWE in the vulnerable file
  label_words         either file holds a label-revealing word (the templates' LEAK_WORDS)
  javac_error         (Java, batched later by `javac_statuses`) javac rejects a file
  duplicate, near_duplicate  (counted by the pipeline) an exact duplicate of a template or model
                      pair; a near duplicate of a pair in an earlier split

Java that is only members (a method and its imports) is wrapped in `public class Snippet`, and a
`package` line is dropped, so every Java sample is a compilation unit like the templates'.
"""

from __future__ import annotations

import difflib
import math
import re
import warnings
from dataclasses import dataclass

from vulntune.analysis import analyse
from vulntune.parsing import parse, syntax_errors
from vulntune.synth.template import LEAK_WORDS
from vulntune.synth.tokens import tokens

REASONS = (
    "unparsable_answer",
    "syntax_error",
    "identical_versions",
    "diff_too_large",
    "no_sink",
    "label_words",
    "javac_error",
    "duplicate",
    "near_duplicate",
)
MAX_CHANGED_FRACTION = 1 / 3  # a twin is the same file with a small edit, as the templates make them
MIN_CHANGED_LINES = 3  # a short file may still swap a call, an import and one line of setup
_TYPES = {"class_declaration", "interface_declaration", "enum_declaration", "record_declaration"}
_PACKAGE = re.compile(r"^\s*package\s+[\w.]+\s*;\s*$")
_IMPORT = re.compile(r"^\s*import\s")
_TOP_CLASS = re.compile(r"^((?:final\s+|abstract\s+)*)(class|interface|enum|record)\s", re.MULTILINE)
# javac errors that mean "the stubs lack this API", not "the code is wrong": such a file is only
# parse-checked (tree-sitter). The price: an undefined local name also reads as a missing API.
_MISSING_API = re.compile(r"package \S+ does not exist|cannot find symbol|cannot access|static import only")


@dataclass(kw_only=True, frozen=True)
class CheckedPair:
    """A pair that passed the checks: the code as stored and each file's sink line."""

    vulnerable: str
    safe: str
    vulnerable_sink_line: int
    safe_sink_line: int | None


def java_unit(code: str) -> str:
    """`code` as a Java compilation unit: package line dropped, bare members wrapped in a class."""
    lines = [line for line in code.split("\n") if not _PACKAGE.match(line)]
    code = "\n".join(lines)
    tree = parse(code, "java")
    if not tree.root_node.has_error and any(child.type in _TYPES for child in tree.root_node.children):
        return code
    imports = [line for line in lines if _IMPORT.match(line)]
    body = [line for line in lines if not _IMPORT.match(line)]
    while body and not body[0].strip():
        body.pop(0)
    wrapped = "\n".join(imports + ([""] if imports else []) + ["public class Snippet {"])
    wrapped += "\n" + "\n".join(f"    {line}" if line.strip() else "" for line in body).rstrip("\n") + "\n}\n"
    return wrapped if not parse(wrapped, "java").root_node.has_error else code


def changed_lines(a: str, b: str) -> int:
    """Lines replaced, inserted or deleted between `a` and `b` (difflib, the larger side per edit)."""
    matcher = difflib.SequenceMatcher(None, a.splitlines(), b.splitlines(), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def check_pair(vulnerable: str, safe: str, *, language: str, cwe: str) -> CheckedPair | str:
    """The checked pair, or the reason (one of REASONS) it is dropped."""
    if language == "java":
        vulnerable, safe = java_unit(vulnerable), java_unit(safe)
    for code in (vulnerable, safe):
        if syntax_errors(code, language):
            return "syntax_error"
        if language == "python":
            try:
                with warnings.catch_warnings():  # an invalid escape in a string is the model's style, not ours to print
                    warnings.simplefilter("ignore")
                    compile(code, "<llm>", "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                return "syntax_error"
    if tokens(vulnerable) == tokens(safe):
        return "identical_versions"
    longest = max(len(vulnerable.splitlines()), len(safe.splitlines()))
    if changed_lines(vulnerable, safe) > max(MIN_CHANGED_LINES, math.ceil(longest * MAX_CHANGED_FRACTION)):
        return "diff_too_large"
    sinks = _sink_lines(vulnerable, language, cwe)
    if not sinks:
        return "no_sink"
    if LEAK_WORDS.search(vulnerable) or LEAK_WORDS.search(safe):
        return "label_words"
    safe_sinks = _sink_lines(safe, language, cwe)
    return CheckedPair(
        vulnerable=vulnerable,
        safe=safe,
        vulnerable_sink_line=sinks[0],
        safe_sink_line=safe_sinks[0] if safe_sinks else None,
    )


def _sink_lines(code: str, language: str, cwe: str) -> list[int]:
    return [found.candidate.line for found in analyse(code, language) if found.candidate.cwe == cwe]


def javac_statuses(codes: list[str], *, jobs: int = 1) -> list[str]:
    """Per Java file: "passed", "missing-api" (javac lacks stubs for its APIs: parse-checked only),
    "not-run" (no javac on the PATH) or "error: <first javac error>"."""
    from vulntune.synth.javac import compile_java, javac_available

    if not codes or not javac_available():
        return ["not-run"] * len(codes)
    results = compile_java([_public(code) for code in codes], jobs=jobs)
    return [
        "passed" if error is None else "missing-api" if _MISSING_API.search(error) else f"error: {error}"
        for error in results
    ]


def _public(code: str) -> str:
    """javac wants the file's class public (the file is named after it); the model may omit it."""
    if re.search(r"^public\s+(?:final\s+|abstract\s+)*(?:class|interface|enum|record)\s", code, re.MULTILINE):
        return code
    return _TOP_CLASS.sub(lambda m: f"public {m.group(1)}{m.group(2)} ", code, count=1)
