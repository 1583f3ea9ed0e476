"""The demo's closing line: known weaknesses found, look-alikes flagged, findings elsewhere."""

from vulntune.demo import operating_point_table, score_against_expected

EXPECTED = [
    {"file": "a.py", "function": "export", "label": "vulnerable", "cwe": "CWE-78", "line": 4},
    {"file": "a.py", "function": "query", "label": "vulnerable", "cwe": "CWE-89", "line": 12},
    {"file": "B.java", "function": "safeQuery", "label": "safe", "cwe": "CWE-89", "line": 30},
]


def test_counts_found_right_cwe_false_alarms_and_findings_elsewhere():
    findings = [
        ("a.py", "export", "CWE-78", 4),
        ("a.py", "Repo.query", "CWE-94", 11),
        ("B.java", "Dao.safeQuery", "CWE-89", 30),
        ("B.java", "Dao.Dao", "CWE-22", 5),
        ("a.py", "<module>", "CWE-798", 1),
    ]
    line = score_against_expected(findings, EXPECTED)
    assert line.startswith(
        "demo: 2/2 known weaknesses flagged (1 with the right CWE, 1 on the listed line), "
        "1/1 safe look-alikes flagged, 2 findings on code the truth table does not count;"
    )


def test_a_quiet_scan():
    assert (
        "0/2 known weaknesses flagged (0 with the right CWE, 0 on the listed line), 0/1 safe look-alikes flagged, 0 findings"
        in score_against_expected([], EXPECTED)
    )


def test_operating_point_table_counts_each_point_from_unit_scores():
    scored = [
        ("a.py", "python", "export", "CWE-78", 0.95),
        ("a.py", "python", "query", "CWE-89", 0.6),
        ("B.java", "java", "Dao.safeQuery", "CWE-89", 0.7),
        ("a.py", "python", "helper", None, 0.99),
    ]  # no CWE named: never a finding
    points = [
        {"target_fpr": 0.01, "threshold": 0.9, "fpr": 0.01, "tpr": 0.1},  # one pooled threshold (older folders)
        {
            "target_fpr": 0.2,
            "threshold": 0.5,
            "fpr": 0.19,
            "tpr": 0.8,
            "by_language": {"java": {"threshold": 0.8}, "python": {"threshold": 0.55}},
        },
    ]
    table = operating_point_table(scored, points, EXPECTED, current={"java": 0.9, "python": 0.9}).splitlines()
    assert table[3].split()[:7] == ["0.01*", "java", "0.9000,", "python", "0.9000", "1.0%", "10.0%"]
    assert table[3].endswith("1/2 found (1 right CWE), 0/1 look-alikes, 0 elsewhere")
    # Per language: Java's 0.8 spares the safe query at 0.7, Python's 0.55 finds the query at 0.6.
    assert table[4].split()[:7] == ["0.2", "java", "0.8000,", "python", "0.5500", "19.0%", "80.0%"]
    assert table[4].endswith("2/2 found (2 right CWE), 0/1 look-alikes, 0 elsewhere")
