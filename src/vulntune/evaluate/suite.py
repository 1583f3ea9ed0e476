"""External suites in the OWASP Benchmark layout: source files plus an expected-results CSV.

The CSV has a comment header and rows `test name, category, real vulnerability, cwe`, e.g.
`BenchmarkTest00001,pathtraver,true,22`. Each test case is the source file whose name (without
extension) is the test name. As in the Benchmark's scorecard, a test case counts as detected when
the tool reports a finding in that file with the test case's CWE; a finding with another CWE
does not count. Per category: TPR, FPR and the score TPR - FPR; overall both micro (pooled
counts) and macro (the mean over categories, the Benchmark's "average").
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vulntune.cwe import LANGUAGE_OF_EXTENSION, normalize_cwe
from vulntune.errors import VulntuneError
from vulntune.evaluate.intervals import wilson

# The Benchmark's category names and the CWE each stands for.
CATEGORIES: dict[str, str] = {
    "pathtraver": "CWE-22",
    "cmdi": "CWE-78",
    "xss": "CWE-79",
    "sqli": "CWE-89",
    "ldapi": "CWE-90",
    "crypto": "CWE-327",
    "hash": "CWE-328",
    "weakrand": "CWE-330",
    "trustbound": "CWE-501",
    "securecookie": "CWE-614",
    "xpathi": "CWE-643",
}


@dataclass(kw_only=True, frozen=True)
class TestCase:
    """One row of the expected-results CSV, located in the suite.

    Attributes:
        name: the test name, also the source file's name without extension.
        category: Benchmark category (`sqli`...).
        real: True when the test case is a real vulnerability.
        cwe: "CWE-89" style.
        path: the source file, None until located.
        language: from the file's extension.
    """

    __test__ = False  # not a pytest class

    name: str
    category: str
    real: bool
    cwe: str
    path: Path | None = None
    language: str | None = None


def read_expected(path: str | Path) -> list[TestCase]:
    """Parse an expected-results CSV.

    Raises:
        VulntuneError: no such file, a malformed row, an unknown category, a CWE that is not the
            category's, a repeated test name, or no rows.
    """
    path = Path(path)
    if not path.is_file():
        raise VulntuneError(f"{path}: no such file")
    cases: list[TestCase] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.reader(fh), 1):
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            where = f"{path}:{lineno}"
            if len(row) < 4:
                raise VulntuneError(
                    f"{where}: expected 'test name, category, real vulnerability, cwe', got {','.join(row)!r}"
                )
            name, category, real, cwe = (cell.strip() for cell in row[:4])
            if category not in CATEGORIES:
                raise VulntuneError(f"{where}: unknown category {category!r} (known: {', '.join(sorted(CATEGORIES))})")
            if real.lower() not in ("true", "false"):
                raise VulntuneError(f"{where}: 'real vulnerability' must be true or false, got {real!r}")
            try:
                cwe_id = normalize_cwe(cwe)
            except VulntuneError as exc:
                raise VulntuneError(f"{where}: {exc}") from None
            if cwe_id != CATEGORIES[category]:
                raise VulntuneError(
                    f"{where}: category {category} is {CATEGORIES[category]}, but the row says {cwe_id}"
                )
            if name in seen:
                raise VulntuneError(f"{where}: test {name!r} listed twice")
            seen.add(name)
            cases.append(TestCase(name=name, category=category, real=real.lower() == "true", cwe=cwe_id))
    if not cases:
        raise VulntuneError(f"{path}: no test cases")
    return cases


def locate(cases: Sequence[TestCase], suite: str | Path) -> list[TestCase]:
    """Find each test case's source file under `suite` (any depth, .py or .java).

    Raises:
        VulntuneError: the folder is missing, a test case has no file, or two files match one name.
    """
    suite = Path(suite)
    if not suite.is_dir():
        raise VulntuneError(f"{suite}: not a folder")
    files: dict[str, list[Path]] = {}
    for p in sorted(suite.rglob("*")):
        if p.is_file() and p.suffix in LANGUAGE_OF_EXTENSION:
            files.setdefault(p.stem, []).append(p)
    missing = [c.name for c in cases if c.name not in files]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise VulntuneError(f"{suite}: no source file for test case {missing[0]}{more}")
    out = []
    for c in cases:
        found = files[c.name]
        if len(found) > 1:
            raise VulntuneError(f"{suite}: test case {c.name} matches {len(found)} files ({found[0]}, {found[1]})")
        out.append(
            TestCase(
                name=c.name,
                category=c.category,
                real=c.real,
                cwe=c.cwe,
                path=found[0],
                language=LANGUAGE_OF_EXTENSION[found[0].suffix],
            )
        )
    return out


def whole_file_findings(
    detector: Any, cases: Sequence[TestCase], *, batch_size: int = 8, progress: Callable[[int], None] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Findings per test case from one prediction on each whole file.

    A minimal stand-in for the scanner (which cuts files into functions): the detector sees the
    file as one input, truncated to its window. A flagged file yields one finding with the
    detector's CWE.

    Returns:
        {test name: [{"cwe": ..., "score": ...}]} (an empty list when not flagged).
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for language in sorted({c.language for c in cases}):
        group = [c for c in cases if c.language == language]
        for start in range(0, len(group), batch_size):
            chunk = group[start : start + batch_size]
            codes = [c.path.read_text(encoding="utf-8", errors="replace") for c in chunk]
            for case, pred in zip(chunk, detector.predict(codes, language=language)):
                out[case.name] = [{"cwe": pred.cwe, "score": float(pred.score)}] if pred.label == "vulnerable" else []
            if progress:
                progress(len(chunk))
    return out


def _counts_block(tp: int, fn: int, fp: int, tn: int) -> dict[str, Any]:
    tpr = tp / (tp + fn) if tp + fn else None
    fpr = fp / (fp + tn) if fp + tn else None
    tpr_ci, fpr_ci = wilson(tp, tp + fn), wilson(fp, fp + tn)
    return {
        "tp": tp,
        "fn": fn,
        "fp": fp,
        "tn": tn,
        "tpr": tpr,
        "tpr_ci": list(tpr_ci) if tpr_ci else None,
        "fpr": fpr,
        "fpr_ci": list(fpr_ci) if fpr_ci else None,
        "score": None if tpr is None or fpr is None else tpr - fpr,
    }


def scorecard(cases: Sequence[TestCase], findings: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """Score findings against the expected results, the Benchmark's way.

    Args:
        cases: the test cases.
        findings: {test name: [{"cwe": "CWE-89", ...}, ...]}; a case detected when any of its
            findings has the case's CWE.

    Returns:
        {"cases", "by_category": {category: {cwe, tp, fn, fp, tn, tpr, fpr (+ _ci), score}},
         "micro": pooled block, "macro": {"tpr", "fpr", "score", "categories"},
         "by_language": {language: pooled block}}.
    """
    per: dict[str, list[int]] = {}
    per_language: dict[str, list[int]] = {}
    for c in cases:
        detected = any(normalize_cwe(f["cwe"]) == c.cwe for f in findings.get(c.name, ()) if f.get("cwe"))
        # index into [tp, fn, fp, tn]
        slot = (0 if detected else 1) if c.real else (2 if detected else 3)
        per.setdefault(c.category, [0, 0, 0, 0])[slot] += 1
        if c.language:
            per_language.setdefault(c.language, [0, 0, 0, 0])[slot] += 1
    by_category = {cat: {"cwe": CATEGORIES[cat], **_counts_block(*counts)} for cat, counts in sorted(per.items())}
    totals = [sum(v[i] for v in per.values()) for i in range(4)]
    scored = [b for b in by_category.values() if b["score"] is not None]

    def mean(key: str) -> float | None:
        values = [b[key] for b in by_category.values() if b[key] is not None]
        return sum(values) / len(values) if values else None

    return {
        "cases": len(cases),
        "by_category": by_category,
        "micro": _counts_block(*totals),
        "macro": {
            "tpr": mean("tpr"),
            "fpr": mean("fpr"),
            "score": (sum(b["score"] for b in scored) / len(scored)) if scored else None,
            "categories": len(by_category),
        },
        "by_language": {lang: _counts_block(*counts) for lang, counts in sorted(per_language.items())},
    }
