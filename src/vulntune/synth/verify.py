"""Verification: every sample parses (tree-sitter, and `compile()` for Python) and every Java
sample compiles with javac against the shipped stubs when javac is on the PATH.

A failure is a generator bug. The pipeline raises instead of dropping the sample.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

from vulntune.data import Sample
from vulntune.parsing import syntax_errors


@dataclass(kw_only=True)
class VerifyReport:
    """What was checked and what failed (`failures`: sample id -> first problem)."""

    parsed: int = 0
    python_compiled: int = 0
    javac_available: bool = False
    javac_compiled: int = 0
    javac_passed: int = 0
    failures: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "tree_sitter_parsed": self.parsed,
            "python_compile_checked": self.python_compiled,
            "javac_available": self.javac_available,
            "javac_compiled": self.javac_compiled,
            "javac_passed": self.javac_passed,
            "failures": len(self.failures),
        }


def check_sample(sample: Sample) -> str | None:
    """Parse checks of one sample: None if fine, else the first problem."""
    problems = syntax_errors(sample.code, sample.language)
    if problems:
        return f"tree-sitter: {problems[0]}"
    if sample.language == "python":
        try:
            with warnings.catch_warnings():  # a model's invalid string escape: not ours to print
                warnings.simplefilter("ignore")
                compile(sample.code, f"<{sample.id}>", "exec", dont_inherit=True)
        except SyntaxError as exc:
            return f"compile: line {exc.lineno}: {exc.msg}"
    lines = sample.code.splitlines()
    if sample.sink_line is not None and not 1 <= sample.sink_line <= len(lines):
        return f"sink_line {sample.sink_line} outside the code ({len(lines)} lines)"
    return None


def verify(samples: Sequence[Sample], *, javac: bool = True, jobs: int = 1) -> VerifyReport:
    """Check every sample; Java ones also with javac if asked and available."""
    report = VerifyReport()
    for sample in samples:
        problem = check_sample(sample)
        report.parsed += 1
        report.python_compiled += sample.language == "python"
        if problem:
            report.failures[sample.id] = problem
    java = [s for s in samples if s.language == "java" and s.id not in report.failures]
    if javac and java:
        from vulntune.synth.javac import compile_java, javac_available

        report.javac_available = javac_available()
        if report.javac_available:
            results = compile_java([s.code for s in java], jobs=jobs)
            report.javac_compiled = len(java)
            for sample, error in zip(java, results):
                if error is None:
                    report.javac_passed += 1
                else:
                    report.failures[sample.id] = f"javac: {error}"
    return report
