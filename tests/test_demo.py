"""The demo's closing line: known weaknesses found, look-alikes flagged, findings elsewhere."""

from types import SimpleNamespace

from vulntune.commands.demo import score_against_expected

EXPECTED = [
    {"file": "a.py", "function": "export", "label": "vulnerable", "cwe": "CWE-78"},
    {"file": "a.py", "function": "query", "label": "vulnerable", "cwe": "CWE-89"},
    {"file": "B.java", "function": "safeQuery", "label": "safe", "cwe": "CWE-89"},
]


def finding(file, unit, cwe):
    return SimpleNamespace(file=file, unit=unit, cwe=cwe)


def test_counts_found_right_cwe_false_alarms_and_findings_elsewhere():
    findings = [finding("a.py", "export", "CWE-78"), finding("a.py", "Repo.query", "CWE-94"),
                finding("B.java", "Dao.safeQuery", "CWE-89"), finding("B.java", "Dao.Dao", "CWE-22"),
                finding("a.py", "<module>", "CWE-798")]
    line = score_against_expected(findings, EXPECTED)
    assert line.startswith("demo: 2/2 known weaknesses flagged (1 with the right CWE), 1/1 safe look-alikes flagged, "
                           "2 findings on code the truth table does not count;")


def test_a_quiet_scan():
    assert "0/2 known weaknesses flagged (0 with the right CWE), 0/1 safe look-alikes flagged, 0 findings" in \
        score_against_expected([], EXPECTED)
