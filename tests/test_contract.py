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

import jsonschema
import pytest

from fixtures.scan.helpers import EXPECTED_SUPPRESSED, copy_repo, training_samples

pytestmark = pytest.mark.usefixtures("private_cache")

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0.json"
VULNERABLE = 'import os\n\n\ndef ping(host):\n    os.system("ping -c 1 " + host)\n'
CONCATENATED = 'def find(conn, name):\n    cursor = conn.cursor()\n    cursor.execute("SELECT * FROM t WHERE k = \'" + name + "\'")\n'
# Request data reaching a sink: statically reachable whatever the threat model.
WEB_PY = (
    "import os\n\nfrom flask import Flask, request\n\napp = Flask(__name__)\n\n\n"
    '@app.route("/ping")\ndef ping():\n    host = request.args.get("host", "")\n'
    '    os.system("ping -c 1 " + host)\n    return "ok"\n'
)
WEB_JAVA = (
    "import java.io.IOException;\nimport javax.servlet.http.HttpServlet;\n"
    "import javax.servlet.http.HttpServletRequest;\nimport javax.servlet.http.HttpServletResponse;\n\n"
    "public class Ping extends HttpServlet {\n"
    "    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {\n"
    '        String host = request.getParameter("host");\n'
    '        Runtime.getRuntime().exec("ping -c 1 " + host);\n'
    "    }\n}\n"
)
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


def web_repo(dest: Path) -> Path:
    """The fixture repository and two request handlers whose input reaches a command line."""
    repo = copy_repo(dest)
    (repo / "web.py").write_text(WEB_PY)
    (repo / "src" / "Ping.java").write_text(WEB_JAVA)
    return repo


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

    repo = web_repo(tmp_path / "repo")
    wrapped = scan_paths([repo], detector=vulntune.load_detector(slice_model_dir), root=repo)
    alone = scan_paths([repo], detector=load_scan_model(slice_model_dir), root=repo)
    assert wrapped.findings == alone.findings and alone.findings


# --- 2. --target-fpr: which way each point moves ----------------------------------------------------


def test_target_fpr_help_says_lower_is_stricter_as_the_recorded_points_do(tmp_path):
    from vulntune.models.folder import read_meta
    from vulntune.scan import default_model_path

    meta = read_meta(default_model_path(), verify=False)
    points = {p["target_fpr"]: p for p in meta["operating_points"]}
    assert points[0.1]["threshold"] == meta["threshold"]  # the default is the 0.1 point, as the help says
    assert points[0.05]["threshold"] > points[0.1]["threshold"] > points[0.2]["threshold"]  # 0.05 stricter
    assert points[0.05]["tpr"] <= points[0.1]["tpr"] <= points[0.2]["tpr"]

    _, scan_help, _ = vulntune("scan", "--help", cwd=tmp_path)
    _, demo_help, _ = vulntune("demo", "--help", cwd=tmp_path)
    flat = " ".join(scan_help.split())
    assert "default is its 0.1 point" in flat and "a lower X is stricter" in flat
    for text in (scan_help, demo_help, (ROOT / "README.md").read_text(), (ROOT / "docs" / "scan.md").read_text()):
        examples = [line for line in text.splitlines() if re.search(r"--target-fpr 0\.0", line) and "#" in line]
        assert all("stricter" in line for line in examples), examples
        assert not re.search(r"--target-fpr 0\.0\d*\s+# (more recall|looser)", text)
        assert not re.search(r"--target-fpr 0\.1\s+#", text)  # the default point is no example of another
    assert re.search(r"--target-fpr 0\.2\s+# looser: more recall, more false positives", scan_help)


# --- 3. -o into a folder that does not exist --------------------------------------------------------


def test_an_output_folder_that_does_not_exist_is_an_input_error(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    target = tmp_path / "missing" / "dir" / "x.sarif"
    code, out, err = vulntune("scan", ".", "--judge", "none", "--format", "sarif", "-o", target, cwd=repo)
    assert code == 2 and out == ""
    assert one_line(err) == f"vulntune: --output {target}: {target.parent}: no such folder"
    assert not (tmp_path / "missing").exists()


# --- 4. configuration errors name the file and the key ----------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('format = "xml"', "config key 'format' = 'xml': unknown format (known: json, sarif, text)"),
        ("target_fpr = 0.07", "config key 'target_fpr' = 0.07: the model records operating points only for 0.005"),
        ('model = "no-such-model"', "config key 'model' = '{repo}/no-such-model': no such folder"),
    ],
)
@pytest.mark.parametrize("judge", ["model", "none", "reachability"])
def test_a_bad_setting_in_pyproject_names_the_file_and_the_key_whatever_the_judge(
    tmp_path, model_dir, setting, message, judge
):
    repo = copy_repo(tmp_path / "repo")
    model = "" if setting.startswith("model") else f'model = "{model_dir}"\n'
    (repo / "pyproject.toml").write_text(f"[tool.vulntune]\n{model}{setting}\n")
    code, out, err = vulntune("scan", ".", "--judge", judge, cwd=repo)
    assert code == 2 and out == ""
    line = one_line(err)
    assert line.startswith(f"vulntune: {repo / 'pyproject.toml'} [tool.vulntune]: ")
    assert message.format(repo=repo) in line and "--" not in line.split("[tool.vulntune]")[1]


def test_the_same_bad_value_on_the_command_line_names_the_option(tmp_path, model_dir):
    repo = copy_repo(tmp_path / "repo")
    code, _, err = vulntune("scan", ".", "--model", model_dir, "--judge", "none", "--target-fpr", "0.07", cwd=repo)
    assert code == 2 and one_line(err).startswith("vulntune: --target-fpr 0.07: the model records operating points")
    code, _, err = vulntune("scan", ".", "--model", tmp_path / "nothing", "--judge", "none", cwd=repo)
    assert code == 2 and one_line(err) == f"vulntune: --model {tmp_path / 'nothing'}: no such folder"


# --- 5. every format against its schema, for every judge ---------------------------------------------


@pytest.mark.parametrize("judge", ["model-function", "model-slice", "none", "reachability"])
def test_every_report_the_scanner_writes_matches_its_schema(tmp_path, model_dir, slice_model_dir, judge):
    from vulntune.formats.json import SCHEMA_FILE

    repo = web_repo(tmp_path / "repo")
    (repo / "bad.py").write_bytes(b"\x00\x01binary")  # a skipped file in every report
    chosen = {"model-function": ["--model", model_dir], "model-slice": ["--model", slice_model_dir, "--explain"]}
    args = chosen.get(judge, ["--judge", judge])
    schemas = {"json": json.loads(SCHEMA_FILE.read_text()), "sarif": json.loads(SARIF_SCHEMA.read_text())}
    for name, schema in schemas.items():
        code, out, err = vulntune("scan", ".", *args, "--format", name, cwd=repo)
        assert code == 1, err
        document = json.loads(out)
        jsonschema.validators.validator_for(schema)(schema).validate(document)
        if name == "json":
            assert document["findings"] and document["skipped"]
            assert (document["model"]["max_length"] == 0) == (judge in ("none", "reachability"))


# --- 6. one summary on stdout and stderr -------------------------------------------------------------


@pytest.mark.parametrize("judge", [[], ["--judge", "reachability"]])
def test_stderr_states_the_summary_the_text_report_ends_with(tmp_path, model_dir, judge):
    repo = web_repo(tmp_path / "repo")
    (repo / "extra.py").write_text("def add(a, b):\n    return a + b\n")  # a file without findings
    _, text, _ = vulntune("scan", ".", "--model", model_dir, *judge, cwd=repo)
    summary = text.strip().splitlines()[-1]
    code, out, err = vulntune("scan", ".", "--model", model_dir, *judge, "--format", "json", cwd=repo)
    document = json.loads(out)
    assert code == 1 and f"vulntune: {summary}\n" in err
    s = document["summary"]
    files = len({f["file"] for f in document["findings"]})
    assert f"in {files} files; {s['files_scanned']} files scanned, {s['units']} units" in summary
    assert files < s["files_scanned"]  # the two counts that were confused
    assert not re.search(r"\d+ units \(", err)  # no second, different count of units
    target = tmp_path / "report.sarif"
    code, _, err = vulntune("scan", ".", "--model", model_dir, *judge, "--format", "sarif", "-o", target, cwd=repo)
    assert f"vulntune: {summary} Report written to {target}.\n" in err


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


# --- 9. small things a user notices --------------------------------------------------------------------


def test_fail_on_empty_makes_a_scan_of_no_file_an_error(tmp_path):
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text("x = 1\n")
    code, _, err = vulntune("scan", ".", "--judge", "none", "--exclude", "*.py", cwd=tmp_path)
    assert code == 0 and "vulntune: warning: no files were scanned: matches an exclude pattern (3 paths)." in err
    assert "paths matches" not in err
    code, _, err = vulntune("scan", ".", "--judge", "none", "--exclude", "*.py", "--fail-on-empty", cwd=tmp_path)
    assert code == 2 and "vulntune: error: no files were scanned: matches an exclude pattern (3 paths)." in err
    (tmp_path / "pyproject.toml").write_text("[tool.vulntune]\nfail_on_empty = true\n")
    code, _, _ = vulntune("scan", ".", "--judge", "none", "--exclude", "*.py", cwd=tmp_path)
    assert code == 2


def test_counts_of_one_are_singular(tmp_path):
    from vulntune.formats.text import excerpt

    (tmp_path / "tool.py").write_text(VULNERABLE)
    code, out, err = vulntune("scan", "tool.py", "--judge", "none", "--format", "json", cwd=tmp_path)
    assert code == 1
    assert "1 finding (1 critical) in 1 file; 1 file scanned, 1 unit, threat model remote;" in err
    assert not re.search(r"\b1 (files|findings|units|paths|lines)\b", err)
    lines = [f"line {i}" for i in range(13)]
    lines[11] += "  # <- CWE-78 OS Command Injection"
    cut = excerpt("\n".join(lines))
    assert "... (1 more line)" in cut and "... (1 more line; --format json has the whole slice)" in cut


def test_an_empty_output_name_is_an_error_not_stdout(tmp_path):
    (tmp_path / "tool.py").write_text(VULNERABLE)
    code, out, err = vulntune("scan", "tool.py", "--judge", "none", "-o", "", cwd=tmp_path)
    assert code == 2 and out == "" and one_line(err).startswith("vulntune: --output: an empty file name")


def test_stdin_filename_of_another_language_is_refused_before_anything_loads(tmp_path):
    # A model folder that does not exist: refusing the name first is the only way to get its message.
    code, out, err = vulntune(
        "scan", "-", "--stdin-filename", "notes.txt", "--model", tmp_path / "nothing", cwd=tmp_path, stdin=b"x = 1\n"
    )
    assert code == 2 and out == ""
    assert one_line(err) == "vulntune: --stdin-filename notes.txt: not a .py, .pyw, .java file"


def test_the_docs_say_a_model_is_shipped():
    docs = (ROOT / "docs" / "scan.md").read_text()
    assert "while none is" not in docs and "no model is shipped" not in docs
    assert "the slice judge in `vulntune/default_model/`" in docs


# --- 10. progress in a CI log ----------------------------------------------------------------------------


def test_a_log_gets_a_progress_line_every_few_seconds(tmp_path, model_dir):
    for i in range(500):  # parsing them lasts well over a few milliseconds
        (tmp_path / f"tool_{i}.py").write_text(VULNERABLE.replace("ping(", f"ping_{i}("))
    env = {"VULNTUNE_PROGRESS_SECONDS": "0.002"}
    code, out, err = vulntune(
        "scan", ".", "--model", model_dir, "--format", "json", "--no-cache", cwd=tmp_path, env=env
    )
    assert code == 1 and json.loads(out)["summary"]["files_scanned"] == 500
    progress = re.findall(r"^vulntune: (parsing|scoring): (\d+) of (\d+) (files|units) \(\d+ s\)$", err, re.M)
    assert progress, err
    assert all(int(done) <= int(total) for _, done, total, _ in progress)
    assert "\r" not in err  # lines for a log, not a redrawn bar
    code, _, err = vulntune("scan", ".", "--model", model_dir, "--quiet", cwd=tmp_path, env=env)
    assert code == 1 and err == ""
    code, _, err = vulntune("scan", ".", "--judge", "none", cwd=tmp_path, env={"VULNTUNE_PROGRESS_SECONDS": "soon"})
    assert code == 2 and "VULNTUNE_PROGRESS_SECONDS=soon: expected a number of seconds" in one_line(err)


def test_a_short_scan_prints_no_progress_line(tmp_path):
    (tmp_path / "tool.py").write_text(VULNERABLE)
    code, _, err = vulntune("scan", ".", "--judge", "none", cwd=tmp_path)
    assert code == 1 and re.fullmatch(r"vulntune: scanned in \d+\.\d s \(no model\)\n", err), err
