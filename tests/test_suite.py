"""The OWASP-Benchmark-style scorecard on the fixture suite, checked by hand, and its bad inputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vulntune.cli import main
from vulntune.errors import VulntuneError
from vulntune.evaluate.suite import CATEGORIES, locate, read_expected, scorecard, whole_file_findings
from vulntune.models.prediction import Prediction

SUITE = Path(__file__).parent / "fixtures" / "suite"
EXPECTED = SUITE / "expectedresults-fixture.csv"

# What a scripted detector says about each file: (vulnerable score, CWE).
SCRIPT = {
    "BenchmarkTest00001": (0.9, "CWE-89"),  # sqli, real: found -> TP
    "BenchmarkTest00002": (0.8, "CWE-89"),  # sqli, fixed: flagged -> FP
    "BenchmarkTest00003": (0.7, "CWE-89"),  # cmdi, real: flagged with the wrong CWE -> FN
    "BenchmarkTest00004": (0.2, "CWE-78"),  # cmdi, fixed: not flagged -> TN
    "BenchmarkTest00005": (0.9, "CWE-22"),  # pathtraver, real -> TP
    "BenchmarkTest00006": (0.1, "CWE-22"),  # pathtraver, fixed -> TN
    "BenchmarkTest00007": (0.3, "CWE-89"),  # sqli, real, missed -> FN
    "BenchmarkTest00008": (0.1, "CWE-89"),  # sqli, fixed -> TN
    "BenchmarkTest00009": (0.9, "CWE-328"),  # hash, real -> TP
    "BenchmarkTest00010": (0.6, "CWE-327"),  # hash, fixed, flagged as another CWE -> TN
}


class Scripted:
    """A detector that answers from SCRIPT, recognising each file by its text."""

    languages = ("python", "java")
    labels = ("safe", "CWE-22", "CWE-78", "CWE-89", "CWE-327", "CWE-328")
    threshold = 0.5
    max_length = 4096
    fingerprint = "scripted"

    def __init__(self):
        self.by_code = {p.read_text(): SCRIPT[p.stem] for p in SUITE.rglob("BenchmarkTest*")}

    def predict(self, codes, *, language):
        out = []
        for code in codes:
            score, cwe = self.by_code[code]
            out.append(
                Prediction(
                    label="vulnerable" if score >= self.threshold else "safe",
                    cwe=cwe,
                    score=score,
                    probabilities={"safe": 1 - score, cwe: score},
                )
            )
        return out

    def count_tokens(self, code):
        return len(code.split())


def test_read_expected_and_locate():
    cases = locate(read_expected(EXPECTED), SUITE)
    assert [c.name for c in cases][:2] == ["BenchmarkTest00001", "BenchmarkTest00002"]
    assert len(cases) == 10 and sum(c.real for c in cases) == 5
    assert {c.language for c in cases} == {"python", "java"}
    assert cases[8].cwe == "CWE-328" and cases[8].path.name == "BenchmarkTest00009.java"


def test_categories_map_to_the_benchmark_cwes():
    assert CATEGORIES == {
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


def test_scorecard_by_hand():
    cases = locate(read_expected(EXPECTED), SUITE)
    card = scorecard(cases, whole_file_findings(Scripted(), cases))
    cats = card["by_category"]
    # sqli: TP (1), FN (7), FP (2), TN (8)
    assert {k: cats["sqli"][k] for k in ("tp", "fn", "fp", "tn", "tpr", "fpr", "score")} == {
        "tp": 1,
        "fn": 1,
        "fp": 1,
        "tn": 1,
        "tpr": 0.5,
        "fpr": 0.5,
        "score": 0.0,
    }
    # cmdi: the wrong CWE does not count: FN and TN
    assert (cats["cmdi"]["tpr"], cats["cmdi"]["fpr"], cats["cmdi"]["score"]) == (0.0, 0.0, 0.0)
    assert (cats["pathtraver"]["score"], cats["hash"]["score"]) == (1.0, 1.0)
    assert cats["hash"]["fp"] == 0  # flagged as CWE-327 on a CWE-328 case: not a hit
    micro = card["micro"]
    assert (micro["tp"], micro["fn"], micro["fp"], micro["tn"]) == (3, 2, 1, 4)
    assert micro["tpr"] == pytest.approx(0.6) and micro["fpr"] == pytest.approx(0.2)
    assert micro["score"] == pytest.approx(0.4)
    # macro: mean over the four categories
    assert card["macro"] == pytest.approx({"tpr": 0.625, "fpr": 0.125, "score": 0.5, "categories": 4})
    assert {lang: (b["tp"], b["fn"], b["fp"], b["tn"]) for lang, b in card["by_language"].items()} == {
        "java": (2, 1, 0, 3),
        "python": (1, 1, 1, 1),
    }


def test_findings_with_several_cwes_per_file():
    cases = locate(read_expected(EXPECTED), SUITE)
    findings = {"BenchmarkTest00003": [{"cwe": "CWE-89"}, {"cwe": "78"}]}  # any matching finding counts
    assert scorecard(cases, findings)["by_category"]["cmdi"]["tp"] == 1


def _copy_suite(tmp_path: Path) -> Path:
    dest = tmp_path / "suite"
    shutil.copytree(SUITE, dest)
    return dest


def _bad_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "expected.csv"
    path.write_text("# test name, category, real vulnerability, cwe\n" + text)
    return path


@pytest.mark.parametrize(
    "rows, needle",
    [
        ("BenchmarkTest00001,sqlinjection,true,89\n", "unknown category 'sqlinjection'"),
        ("BenchmarkTest00001,sqli,true,22\n", "category sqli is CWE-89"),
        ("BenchmarkTest00001,sqli,maybe,89\n", "true or false"),
        ("BenchmarkTest00001,sqli\n", "expected 'test name"),
        ("BenchmarkTest00001,sqli,true,89\nBenchmarkTest00001,sqli,true,89\n", "listed twice"),
        ("", "no test cases"),
    ],
)
def test_bad_expected_results(tmp_path, rows, needle):
    with pytest.raises(VulntuneError, match=needle):
        read_expected(_bad_csv(tmp_path, rows))


def test_missing_and_ambiguous_files(tmp_path):
    suite = _copy_suite(tmp_path)
    cases = read_expected(EXPECTED)
    (suite / "java" / "BenchmarkTest00007.java").unlink()
    with pytest.raises(VulntuneError, match="no source file for test case BenchmarkTest00007"):
        locate(cases, suite)
    (suite / "java" / "BenchmarkTest00007.java").write_text("class A {}")
    (suite / "python" / "BenchmarkTest00007.py").write_text("x = 1")
    with pytest.raises(VulntuneError, match="matches 2 files"):
        locate(cases, suite)


def _model(tmp_path: Path) -> Path:
    """A TF-IDF baseline saved as a model folder, trained on a few snippets of both languages."""
    from vulntune.data import Sample
    from vulntune.models.baseline import save_tfidf, train_tfidf

    samples = []
    for i, code in enumerate(p.read_text() for p in sorted(SUITE.rglob("BenchmarkTest*"))):
        n = i + 1
        language = "python" if n <= 4 else "java"
        cwe = ["CWE-89", "CWE-89", "CWE-78", "CWE-78", "CWE-22", "CWE-22", "CWE-89", "CWE-89", "CWE-328", "CWE-328"][i]
        samples.append(
            Sample(
                id=str(n),
                language=language,
                cwe=cwe,
                label="vulnerable" if n % 2 else "safe",
                safe_kind=None if n % 2 else "fix",
                code=code,
            )
        )
    return save_tfidf(train_tfidf(samples, seed=0), tmp_path / "model")


def test_eval_suite_cli(capsys, tmp_path):
    model = _model(tmp_path)
    out = tmp_path / "out"
    code = main(["eval", "--suite", str(SUITE), "--expected", str(EXPECTED), "--model", str(model), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "score micro" in captured.out
    doc = json.loads((out / "metrics.json").read_text())
    card = doc["models"]["model"]["scorecard"]
    assert doc["suite"]["cases"] == 10 and card["cases"] == 10
    assert set(card["by_category"]) == {"sqli", "cmdi", "pathtraver", "hash"}
    assert "scan" in doc["suite"]["findings"]
    assert "overall (macro, 4 categories)" in (out / "report.md").read_text()
    assert (out / "report.html").read_text().count("data:image/png;base64,") == 1


@pytest.mark.parametrize(
    "mutate, needle",
    [
        ("unknown-category", "unknown category"),
        ("missing-file", "no source file"),
        ("no-expected", "needs both"),
    ],
)
def test_eval_suite_bad_input_is_one_line(capsys, tmp_path, mutate, needle):
    model = _model(tmp_path)
    suite, expected = _copy_suite(tmp_path), EXPECTED
    argv = ["eval", "--suite", str(suite), "--model", str(model), "--out", str(tmp_path / "o")]
    if mutate == "unknown-category":
        expected = _bad_csv(tmp_path, "BenchmarkTest00001,sqli,true,89\nBenchmarkTest00002,nosqli,false,943\n")
    elif mutate == "missing-file":
        (suite / "python" / "BenchmarkTest00002.py").unlink()
    if mutate != "no-expected":
        argv += ["--expected", str(expected)]
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("vulntune: ") and needle in err[0]


def test_eval_suite_whole_file_mode(capsys, tmp_path):
    model = _model(tmp_path)
    out = tmp_path / "out"
    code = main(
        [
            "eval",
            "--suite",
            str(SUITE),
            "--expected",
            str(EXPECTED),
            "--model",
            str(model),
            "--out",
            str(out),
            "--whole-file",
            "--no-plots",
        ]
    )
    assert code == 0, capsys.readouterr().err
    doc = json.loads((out / "metrics.json").read_text())
    assert "whole-file" in doc["suite"]["findings"]
    assert doc["models"]["model"]["scorecard"]["cases"] == 10
