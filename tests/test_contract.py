"""What a user and a CI pipeline rely on (issue 27): one test per gap found trying vulntune as a
new user would.

The command-line behaviour is checked in the CLI's real process (`vulntune` in a subprocess, as
CI and pre-commit run it), with the TF-IDF fixture detectors trained in about a second: the
function-level one of `fixtures.scan.helpers` and a slice judge trained here on the same samples.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from fixtures.scan.helpers import EXPECTED_SUPPRESSED, copy_repo, training_samples

pytestmark = pytest.mark.usefixtures("private_cache")

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0.json"
VULNERABLE = 'import os\n\n\ndef ping(host):\n    os.system("ping -c 1 " + host)\n'
CONCATENATED = 'def find(conn, name):\n    cursor = conn.cursor()\n    cursor.execute("SELECT * FROM t WHERE k = \'" + name + "\'")\n'
PARAMETERISED = (
    'def find(conn, name):\n    cursor = conn.cursor()\n    cursor.execute("SELECT * FROM t WHERE k = ?", (name,))\n'
)


def vulntune(*args, cwd: Path, stdin: bytes | None = None, env: dict | None = None) -> tuple[int, str, str]:
    """Run the installed `vulntune ARGS` in `cwd`; return (exit code, stdout, stderr)."""
    done = subprocess.run(
        [str(BIN / "vulntune"), *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    out, err = done.stdout.decode(), done.stderr.decode()
    assert "Traceback" not in err, err
    return done.returncode, out, err


def one_line(err: str) -> str:
    """The only line of `err` (an error is one line, never a traceback)."""
    assert err.count("\n") == 1, err
    return err.strip()


def _slices(samples):
    """Each sample cut into its candidate slices: a slice at the sample's CWE takes its label."""
    from vulntune.analysis import analyse

    out = []
    for sample in samples:
        for index, found in enumerate(analyse(sample.code, sample.language)):
            vulnerable = sample.is_vulnerable and found.candidate.cwe == sample.cwe
            out.append(
                replace(
                    sample,
                    id=f"{sample.id}#{index}",
                    code=found.slice.text,
                    cwe=found.candidate.cwe,
                    label="vulnerable" if vulnerable else "safe",
                    safe_kind=None if vulnerable else "fix",
                )
            )
    return out


@pytest.fixture(scope="session")
def slice_model_dir(tmp_path_factory) -> Path:
    """A TF-IDF judge trained on slices and gated by reachability, as `train --unit slice --gate
    reachability` records it (about a second)."""
    from vulntune.models.baseline import save_tfidf, train_tfidf

    judge = train_tfidf(
        _slices(training_samples(seed=0)), validation=_slices(training_samples(variants=3, seed=1)), seed=0
    )
    judge.meta["training_config"] = {"unit": "slice", "gate": "reachability"}
    return save_tfidf(judge, tmp_path_factory.mktemp("models") / "tfidf-slice")


# --- 1. predict on whole code ----------------------------------------------------------------------


def test_a_slice_judge_reads_whole_code_through_the_pipeline(slice_model_dir):
    import vulntune
    from vulntune.analysis import analyse
    from vulntune.models.detector import CodeJudge, load_judge

    detector = vulntune.load_detector(slice_model_dir)
    assert isinstance(detector, CodeJudge)
    empty, hello, parameterised, concatenated = detector.predict(
        ["", "print('hello world')", PARAMETERISED, CONCATENATED], language="python"
    )
    for nothing in (empty, hello):  # no candidate sink: nothing to judge, never "vulnerable"
        assert (nothing.label, nothing.cwe, nothing.score, nothing.line) == ("safe", None, 0.0, None)
        assert nothing.probabilities["safe"] == 1.0
    assert parameterised.label == "safe"
    assert (concatenated.label, concatenated.cwe, concatenated.line) == ("vulnerable", "CWE-89", 3)
    # the same verdict as the judge's on the slice the scanner cuts, which predict judges as it is
    (found,) = analyse(CONCATENATED, "python")
    (on_slice,) = detector.judge_slices([found.slice.text], language="python")
    assert concatenated.score == on_slice.score
    assert detector.predict([found.slice.text], language="python") == [on_slice]
    # the judge alone reads whatever it is given as a slice: what predict no longer does
    assert load_judge(slice_model_dir).predict([found.slice.text], language="python") == [on_slice]
    detector.threshold = 0.5  # an operating point set on the wrapper is the judge's
    assert detector.judge.threshold == 0.5


def test_the_scanner_takes_what_load_detector_returns(slice_model_dir, tmp_path):
    import vulntune
    from vulntune.scan import load_scan_model, scan_paths

    repo = copy_repo(tmp_path / "repo")
    wrapped = scan_paths([repo], detector=vulntune.load_detector(slice_model_dir), root=repo)
    alone = scan_paths([repo], detector=load_scan_model(slice_model_dir), root=repo)
    assert wrapped.findings == alone.findings and alone.findings


# --- 7. suppressions in any case ---------------------------------------------------------------------


def test_suppressions_are_honoured_in_any_case(tmp_path):
    files = {
        "upper.py": VULNERABLE.replace("host)\n", "host)  # VULNTUNE: IGNORE[CWE-78]\n"),
        "mixed.py": VULNERABLE.replace("    os.system", "    # Vulntune: Ignore\n    os.system"),
        "Upper.java": "class Upper {\n    void run(String host) throws Exception {\n"
        '        Runtime.getRuntime().exec("ping " + host); // VULNTUNE: IGNORE[CWE-78]\n    }\n}\n',
        "kept.py": VULNERABLE.replace("host)\n", "host)  # VULNTUNE: IGNORE[CWE-89]\n"),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    code, out, err = vulntune("scan", ".", "--judge", "none", "--format", "json", cwd=tmp_path)
    document = json.loads(out)
    assert code == 1, err
    assert {f["file"] for f in document["findings"]} == {"kept.py"}  # another CWE's directive suppresses nothing
    assert document["summary"]["suppressed"] == 3


def test_the_fixture_suppressions_still_count(tmp_path, model_dir):
    repo = copy_repo(tmp_path / "repo")
    _, out, _ = vulntune("scan", ".", "--model", model_dir, "--format", "json", cwd=repo)
    assert json.loads(out)["summary"]["suppressed"] == EXPECTED_SUPPRESSED


# --- 8. scripts without an extension, and pre-commit -------------------------------------------------

JAVA_SCRIPT = (
    "#!/usr/bin/env -S java --source 21\n"
    "public class Run {\n"
    "    public static void main(String[] args) throws Exception {\n"
    '        Runtime.getRuntime().exec("ping " + args[0]);\n'
    "    }\n"
    "}\n"
)


def test_a_named_script_is_recognised_by_its_shebang(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "tool").write_text("#!/usr/bin/env python3\n" + VULNERABLE)
    (tmp_path / "bin" / "run").write_text(JAVA_SCRIPT)
    (tmp_path / "bin" / "notes").write_text("ping " + VULNERABLE)
    (tmp_path / "bin" / "shell").write_text("#!/bin/sh\necho python\n")
    code, out, err = vulntune(
        "scan", "bin/tool", "bin/run", "bin/notes", "bin/shell", "--judge", "none", "--format", "json", cwd=tmp_path
    )
    document = json.loads(out)
    assert code == 1, err
    assert {(f["file"], f["language"], f["cwe"]) for f in document["findings"]} == {
        ("bin/tool", "python", "CWE-78"),
        ("bin/run", "java", "CWE-78"),
    }
    assert {(s["path"], s["reason"]) for s in document["skipped"]} == {
        ("bin/notes", "not a .py/.java file"),
        ("bin/shell", "not a .py/.java file"),
    }
    # inside a folder only extensions count; a script of a language `extensions` leaves out is not read
    code, out, _ = vulntune("scan", "bin", "--judge", "none", "--format", "json", cwd=tmp_path)
    assert code == 0 and json.loads(out)["summary"]["files_scanned"] == 0
    code, out, _ = vulntune(
        "scan", "bin/run", "--extensions", ".py", "--judge", "none", "--format", "json", cwd=tmp_path
    )
    assert code == 0 and json.loads(out)["skipped"][0]["reason"] == "not a .py file"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.skipif(not (BIN / "pre-commit").exists(), reason="needs pre-commit (pip install -e '.[test]')")
def test_pre_commit_fails_a_commit_of_a_vulnerable_script_without_an_extension(tmp_path):
    repo = tmp_path / "repo"
    (repo / "bin").mkdir(parents=True)
    script = repo / "bin" / "tool"
    script.write_text("#!/usr/bin/env python3\n" + VULNERABLE)
    script.chmod(0o755)  # pre-commit tags an executable with a python #! line `python`
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: local\n    hooks:\n      - id: vulntune-scan\n        name: vulntune scan\n"
        "        entry: vulntune scan --quiet --judge none\n        language: system\n"
        "        types_or: [python, java]\n        require_serial: true\n"
    )
    _git(repo, "init", "-q")
    _git(repo, "add", ".pre-commit-config.yaml", "bin/tool")
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [str(BIN / "pre-commit"), "run", "--files", "bin/tool"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert done.returncode == 1 and "Failed" in done.stdout, done.stdout + done.stderr
    assert "bin/tool" in done.stdout and "CWE-78" in done.stdout


def test_the_remote_pre_commit_instructions_say_what_to_write_as_repo():
    for text in ((ROOT / "docs" / "scan.md").read_text(), (ROOT / ".pre-commit-hooks.yaml").read_text()):
        assert "<this repository>" not in text and "<commit id>" not in text
        assert re.search(r"- repo: https://\S+\.git", text) and re.search(r"rev: [0-9a-f]{40}", text)
        assert "wherever you host vulntune" in " ".join(text.replace("#", " ").split())
