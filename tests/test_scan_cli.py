"""`vulntune scan` as CI runs it: exit codes, filters, baseline, --changed-since, pyproject, output."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from vulntune.cli import main
from vulntune.models.folder import read_meta

from fixtures.scan.helpers import EXPECTED

pytestmark = pytest.mark.usefixtures("private_cache")


def scan(capsys, *args):
    """Run `vulntune scan ARGS`; return (exit code, stdout, stderr)."""
    code = main(["scan", *map(str, args)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def findings(stdout: str) -> set[tuple[str, str, int]]:
    return {(f["file"], f["cwe"], f["line"]) for f in json.loads(stdout)["findings"]}


def test_exit_codes_findings_clean_exit_zero(capsys, repo, model_dir, monkeypatch):
    monkeypatch.chdir(repo)
    code, out, err = scan(capsys, ".", "--model", model_dir, "--format", "json")
    assert code == 1 and findings(out) == EXPECTED
    code, out, _ = scan(capsys, "app/users.py", "--model", model_dir, "--exclude", "app/")
    assert code == 0 and out.startswith("No findings; 0 files scanned")
    code, out, _ = scan(capsys, ".", "--model", model_dir, "--exit-zero")
    assert code == 0 and "5 findings" in out
    code, out, _ = scan(capsys, "app/__init__.py", "--model", model_dir)
    assert code == 0


def test_usage_errors_exit_2_with_one_line(capsys, repo, model_dir):
    code, _, err = scan(capsys, repo, "--model", model_dir, "--min-confidence", "2")
    assert code == 2 and err == "vulntune: command line: min_confidence: expected a number from 0 to 1, got 2.0\n"
    code, _, err = scan(capsys, repo, "--model", repo / "nowhere")
    assert code == 2 and "no such folder" in err
    code, _, err = scan(capsys, repo, "--model", repo / "app")
    assert code == 2 and err.count("\n") == 1
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", str(repo), "--format", "xml"])
    assert exit_info.value.code == 2


def test_without_a_model_the_message_says_how_to_pass_one(capsys, repo, monkeypatch, tmp_path):
    import vulntune.scan as scan_module

    monkeypatch.setattr(scan_module, "default_model_path", lambda: tmp_path / "not-shipped")
    code, _, err = scan(capsys, repo)
    assert code == 2
    assert err.startswith("vulntune: no default model is bundled") and "--model DIR" in err
    assert err.count("\n") == 1


def test_filters_on_the_command_line(capsys, repo, model_dir):
    code, out, _ = scan(capsys, repo, "--model", model_dir, "--format", "json", "--min-severity", "critical")
    assert code == 1 and {cwe for _, cwe, _ in findings(out)} == {"CWE-78"}
    code, out, _ = scan(capsys, repo, "--model", model_dir, "--format", "json", "--min-confidence", "1")
    assert code == 0 and findings(out) == set()
    assert json.loads(out)["summary"]["below_filters"] == len(EXPECTED)


def test_target_fpr_flags_at_a_recorded_operating_point(capsys, repo, model_dir):
    meta = read_meta(model_dir)
    points = {p["target_fpr"]: p["threshold"] for p in meta["operating_points"]}
    assert points[0.01] == meta["threshold"] and points[0.2] <= points[0.01]
    code, out, _ = scan(capsys, repo, "--model", model_dir, "--format", "json", "--target-fpr", "0.2")
    report = json.loads(out)
    assert report["model"]["threshold"] == points[0.2]
    assert findings(out) >= EXPECTED and all(f["confidence"] >= points[0.2] for f in report["findings"])
    code, _, err = scan(capsys, repo, "--model", model_dir, "--target-fpr", "0.03")
    assert code == 2 and err.count("\n") == 1 and "operating points only for 0.005, 0.01, 0.02" in err
    (repo / "pyproject.toml").write_text(f'[tool.vulntune]\nmodel = "{model_dir}"\ntarget_fpr = 0.2\n')
    code, out, _ = scan(capsys, repo, "--format", "json")
    assert json.loads(out)["model"]["threshold"] == points[0.2]
    code, _, err = scan(capsys, repo, "--target-fpr", "1.5")
    assert code == 2 and "target_fpr: expected a number from 0 to 1" in err


def test_baseline_reports_only_new_findings(capsys, repo, model_dir, tmp_path):
    previous = tmp_path / "previous.json"
    code, _, err = scan(capsys, repo, "--model", model_dir, "--format", "json", "--output", previous)
    assert code == 1 and "Report written to" in err
    code, out, _ = scan(capsys, repo, "--model", model_dir, "--baseline", previous)
    assert code == 0 and "5 in baseline" in out
    users = repo / "app" / "users.py"
    users.write_text(
        "# moved\n" + users.read_text() + "\n\ndef drop(conn, table):\n"
        '    cursor = conn.cursor()\n    cursor.execute("DELETE FROM t WHERE id = \'" + table + "\'")\n'
    )
    code, out, _ = scan(capsys, repo, "--model", model_dir, "--baseline", previous, "--format", "json")
    assert code == 1 and findings(out) == {("app/users.py", "CWE-89", 53)}
    # a SARIF report works as a baseline too
    sarif = tmp_path / "previous.sarif"
    scan(capsys, repo, "--model", model_dir, "--format", "sarif", "--output", sarif)
    code, _, _ = scan(capsys, repo, "--model", model_dir, "--baseline", sarif)
    assert code == 0
    (tmp_path / "junk.json").write_text("[1, 2]")
    code, _, err = scan(capsys, repo, "--model", model_dir, "--baseline", tmp_path / "junk.json")
    assert code == 2 and "not a vulntune scan report" in err


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changed_since_scans_only_changed_and_new_files(capsys, repo, model_dir, monkeypatch):
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "start")
    monkeypatch.chdir(repo)
    code, out, _ = scan(capsys, ".", "--model", model_dir, "--changed-since", "HEAD", "--format", "json")
    assert code == 0 and json.loads(out)["summary"]["files_scanned"] == 0
    tools = repo / "app" / "tools.py"
    tools.write_text(tools.read_text() + "\n")
    (repo / "app" / "new.py").write_text("import os\n\ndef run(cmd):\n    os.system('ls -l ' + cmd)\n")
    code, out, _ = scan(capsys, ".", "--model", model_dir, "--changed-since", "HEAD", "--format", "json")
    assert code == 1
    assert findings(out) == {("app/tools.py", "CWE-78", 9), ("app/new.py", "CWE-78", 4)}
    assert json.loads(out)["summary"]["files_scanned"] == 2
    code, _, err = scan(capsys, ".", "--model", model_dir, "--changed-since", "no-such-ref")
    assert code == 2 and err == "vulntune: --changed-since: unknown git ref 'no-such-ref'\n"
    code, _, err = scan(capsys, ".", "--model", model_dir, "--changed-since=--output=x")
    assert code == 2 and "not a git ref" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changed_since_outside_a_git_work_tree_is_an_input_error(capsys, repo, model_dir):
    code, _, err = scan(capsys, repo, "--model", model_dir, "--changed-since", "HEAD")
    assert code == 2 and "not inside a git work tree" in err


def test_settings_from_pyproject(capsys, repo, model_dir, monkeypatch):
    monkeypatch.chdir(repo)
    (repo / "pyproject.toml").write_text(
        f'[project]\nname = "x"\n\n[tool.vulntune]\nmodel = "{model_dir}"\nformat = "json"\n'
        'min_severity = "critical"\nexclude = ["src/"]\n'
    )
    code, out, _ = scan(capsys, ".")
    assert code == 1 and findings(out) == {("app/tools.py", "CWE-78", 9)}
    # the command line wins, and its --exclude adds to the file's
    code, out, _ = scan(capsys, ".", "--min-severity", "low", "--exclude", "app/tools.py")
    assert {f for f, _, _ in findings(out)} == {"app/users.py"}
    (repo / "pyproject.toml").write_text('[tool.vulntune]\nmin_severty = "high"\n')
    code, _, err = scan(capsys, ".", "--model", model_dir)
    assert code == 2 and "unknown key 'min_severty'" in err and "pyproject.toml" in err
    (repo / "pyproject.toml").write_text('[tool.vulntune]\njobs = "two"\n')
    code, _, err = scan(capsys, ".", "--model", model_dir)
    assert code == 2 and "config key 'jobs'" in err


def test_relative_model_in_pyproject_is_relative_to_the_file(capsys, repo, model_dir, monkeypatch):
    shutil.copytree(model_dir, repo / "models" / "tfidf")
    (repo / "pyproject.toml").write_text('[tool.vulntune]\nmodel = "models/tfidf"\n')
    (repo / ".git").mkdir()  # the repository's .gitignore applies to a scan of a subfolder
    monkeypatch.chdir(repo / "app")
    code, out, _ = scan(capsys, ".", "--format", "json")
    assert code == 1 and {f for f, _, _ in findings(out)} == {"tools.py", "users.py"}


def test_output_file_quiet_and_no_colour_when_piped(capsys, repo, model_dir, tmp_path):
    target = tmp_path / "report.sarif"
    code, out, err = scan(capsys, repo, "--model", model_dir, "--format", "sarif", "--output", target, "--quiet")
    assert code == 1 and out == "" and err == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"
    code, out, err = scan(capsys, repo, "--model", model_dir)
    assert "\033[" not in out and "4 files scanned" in out and "scanned in" in err
    code, out, _ = scan(capsys, repo, "--model", model_dir, "--color", "always")
    assert "\033[" in out


def test_no_cache_and_cache_dir_override(capsys, repo, model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("VULNTUNE_CACHE", str(tmp_path / "my-cache"))
    scan(capsys, repo, "--model", model_dir, "--no-cache")
    assert not (tmp_path / "my-cache").exists()
    scan(capsys, repo, "--model", model_dir)
    assert (tmp_path / "my-cache" / "scan-results.sqlite3").is_file()
    _, _, err = scan(capsys, repo, "--model", model_dir)
    assert "19 of 19 model verdicts from the cache" in err


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    assert "vulntune scan . --format sarif" in capsys.readouterr().out


def test_pre_commit_hook_definition():
    hooks = (Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text()
    assert "id: vulntune-scan" in hooks and "entry: vulntune scan" in hooks
    assert "types_or: [python, java]" in hooks
