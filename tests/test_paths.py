"""A finding's path, source to sink across files, in every format (issue 24, item 2).

A Flask view reads `request.args` and passes it to a helper in another file, whose `os.system`
is the sink: the finding sits in the helper's file, its path starts in the view's. Scanned with
`--judge reachability` (no model), in the CLI's own process.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from vulntune.analysis import Step
from vulntune.cli import main
from vulntune.formats.json import SCHEMA_FILE
from vulntune.scan.cache import Verdict, text_digest
from vulntune.scan.findings import build_findings
from vulntune.units import ExtractedFile, SliceUnit

pytestmark = pytest.mark.usefixtures("private_cache")

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0.json"
VIEWS = (
    "from flask import Flask, request\n\nfrom app.db import run\n\napp = Flask(__name__)\n\n\n"
    '@app.route("/ping")\ndef ping():\n    host = request.args["x"]\n    run(host)\n    return "ok"\n'
)
DB = 'import os\n\n\ndef run(host):\n    os.system("ping -c 1 " + host)\n'
SOURCE_LABEL = "request data (Flask, Django, Starlette, FastAPI, aiohttp, Tornado)"
PATH = [
    {"kind": "source", "file": "app/views.py", "line": 10, "label": SOURCE_LABEL},
    {"kind": "call", "file": "app/views.py", "line": 11, "label": "run(...) passes it to run"},
    {"kind": "sink", "file": "app/db.py", "line": 5, "label": "CWE-78 OS Command Injection"},
]
# The finding's fingerprint before findings had a path: baselines written then must still match.
FINGERPRINT = "f55082c8f31f90498bdd38d5f4a8bf06"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "views.py").write_text(VIEWS)
    (tmp_path / "app" / "db.py").write_text(DB)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan(capsys, *args, path: str = ".") -> tuple[int, str]:
    """Run `vulntune scan PATH --judge reachability ARGS`; return (exit code, stdout)."""
    code = main(["scan", path, "--judge", "reachability", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out


def test_json_finding_records_its_path_from_the_view_to_the_helper(capsys, project):
    code, out = scan(capsys, "--format", "json")
    document = json.loads(out)
    jsonschema.validators.validator_for(schema := json.loads(SCHEMA_FILE.read_text()))(schema).validate(document)
    [finding] = document["findings"]
    assert code == 1 and (finding["file"], finding["line"], finding["cwe"]) == ("app/db.py", 5, "CWE-78")
    assert finding["path"] == PATH
    assert finding["fingerprint"] == FINGERPRINT


def test_the_helper_alone_has_no_source_and_the_same_fingerprint(capsys, project):
    code, out = scan(capsys, "--format", "json", path="app/db.py")
    assert code == 0 and json.loads(out)["findings"] == []
    # Under threat model all, the helper's own parameter is the source: a path in one file.
    _, out = scan(capsys, "--threat-model", "all", "--format", "json", path="app/db.py")
    [finding] = json.loads(out)["findings"]
    assert finding["fingerprint"] == FINGERPRINT
    assert [step["kind"] for step in finding["path"]] == ["source", "sink"]
    assert {step["file"] for step in finding["path"]} == {"app/db.py"}


def test_sarif_code_flow_has_a_location_per_step(capsys, project):
    code, out = scan(capsys, "--format", "sarif")
    log = json.loads(out)
    jsonschema.validators.validator_for(schema := json.loads(SARIF_SCHEMA.read_text()))(schema).validate(log)
    run = log["runs"][0]
    [result] = run["results"]
    [flow] = result["codeFlows"]
    [thread] = flow["threadFlows"]
    artifacts = [artifact["location"]["uri"] for artifact in run["artifacts"]]
    steps = []
    for entry in thread["locations"]:
        location = entry["location"]["physicalLocation"]
        artifact = location["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and artifacts[artifact["index"]] == artifact["uri"]
        steps.append((artifact["uri"], location["region"]["startLine"], entry["location"]["message"]["text"]))
    assert steps == [(step["file"], step["line"], step["label"]) for step in PATH]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/db.py"


def test_explain_shows_the_path_through_both_files_before_the_slice(capsys, project):
    code, out = scan(capsys, "--explain")
    lines = out.splitlines()
    start = lines.index(f"         path: app/views.py:10  {SOURCE_LABEL}")
    assert lines[start + 1 : start + 3] == [
        "            -> app/views.py:11  run(...) passes it to run",
        "            -> app/db.py:5  CWE-78 OS Command Injection",
    ]
    assert lines[start + 3].startswith("         | def run(host):")
    _, plain = scan(capsys)
    assert code == 1 and "path:" not in plain  # the path is part of --explain


def test_a_hard_coded_secret_has_no_code_flow(capsys, project):
    (project / "app" / "db.py").write_text('def connect():\n    password = "hunter2-hunter2"\n    return password\n')
    (project / "app" / "views.py").unlink()
    _, out = scan(capsys, "--format", "json")
    [finding] = json.loads(out)["findings"]
    assert finding["cwe"] == "CWE-798" and [step["kind"] for step in finding["path"]] == ["sink"]
    _, out = scan(capsys, "--format", "sarif")
    assert all("codeFlows" not in result for result in json.loads(out)["runs"][0]["results"])
    _, out = scan(capsys, "--explain")
    assert "path:" not in out


def test_a_step_in_the_same_file_takes_the_units_file():
    text = 'def run(host):\n    os.system("ping -c 1 " + host)  # <- CWE-78 OS Command Injection'
    unit = SliceUnit(
        file="bin/tool.py",
        language="python",
        kind="slice",
        name="run",
        start_line=4,
        end_line=5,
        header_line=4,
        lines=(4, 5),
        text=text,
        cwe="CWE-78",
        candidate_line=5,
        sink="os-command-shell",
        path=(Step(kind="source", file="", line=4, label="a parameter"), Step(kind="sink", file="", line=5, label="x")),
    )
    verdict = Verdict(cwe="CWE-78", score=1.0, probabilities={}, line=None)
    extracted = ExtractedFile(file="bin/tool.py", language="python", units=(unit,))
    [(finding, _)] = build_findings([extracted], {("python", text_digest(text)): verdict}, threshold=0.5)
    assert [(step.file, step.line) for step in finding.path] == [("bin/tool.py", 4), ("bin/tool.py", 5)]
