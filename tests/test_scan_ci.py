"""`vulntune scan` as CI runs it, through the real command line in a real git repository made here.

Each test runs the installed `vulntune` in a subprocess (as CI and pre-commit do) on files
written here, with the TF-IDF fixture detector (trained in about a second): git-aware
discovery, write errors, suppressions on multi-line statements, paths that do not depend on
the working directory, --changed-since against the merge base, stdin, config edges,
the pre-commit hook and progress on a terminal.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fixtures.scan.helpers import EXPECTED, copy_repo, training_samples

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.usefixtures("private_cache"),
]

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
VULNERABLE = 'import os\n\n\ndef ping(host):\n    os.system("ping -c 1 " + host)\n'
SQL = """def find(conn, name):
    cursor = conn.cursor()
    cursor.execute(
        "SELECT id FROM users WHERE name = '" + name + "'"
    )
    return cursor.fetchall()
"""


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


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def git_repo(path: Path, files: dict[str, str]) -> Path:
    """A git repository at `path` holding `files`, all committed (a .gitignore among them applies)."""
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "init", "-q")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "start")
    return path


def report(stdout: str) -> dict:
    return json.loads(stdout)


def found(document: dict) -> set[tuple[str, str, int]]:
    return {(f["file"], f["cwe"], f["line"]) for f in document["findings"]}


@pytest.fixture
def git_fixture_repo(tmp_path) -> Path:
    """The fixture repository, committed (its .gitignore hides generated/ and *.gen.py)."""
    repo = copy_repo(tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    return repo


# --- 1. discovery as git lists files ---------------------------------------------------------------


def test_a_named_folder_that_git_ignores_is_scanned_and_the_user_told(tmp_path, model_dir):
    repo = git_repo(tmp_path / "repo", {".gitignore": "ignored/\n", "app/ok.py": "x = 1\n"})
    (repo / "ignored").mkdir()
    (repo / "ignored" / "tool.py").write_text(VULNERABLE)
    code, out, err = vulntune("scan", "ignored", "--model", model_dir, "--format", "json", cwd=repo)
    assert code == 1
    assert found(report(out)) == {("ignored/tool.py", "CWE-78", 5)}
    assert (
        "vulntune: note: ignored: scanned although git ignores it (.gitignore:1: ignored/), because it was named" in err
    )
    # named from inside it, too
    code, out, _ = vulntune("scan", ".", "--model", model_dir, "--format", "json", cwd=repo / "ignored")
    assert code == 1 and report(out)["summary"]["files_scanned"] == 1


def test_files_are_listed_as_git_lists_them(tmp_path, model_dir):
    repo = git_repo(tmp_path / "repo", {".gitignore": "ignored/\n", "app/ok.py": "x = 1\n"})
    (repo / "ignored").mkdir()
    (repo / "ignored" / "tracked.py").write_text(VULNERABLE)
    (repo / "ignored" / "untracked.py").write_text(VULNERABLE)
    git(repo, "add", "-f", "ignored/tracked.py")
    git(repo, "commit", "-q", "-m", "track one file of an ignored folder")
    excludes = tmp_path / "global-excludes"
    excludes.write_text("secret_*.py\n")
    git(repo, "config", "core.excludesFile", str(excludes))
    (repo / "app" / "secret_tool.py").write_text(VULNERABLE)
    (repo / "app" / "new_tool.py").write_text(VULNERABLE)  # untracked, not ignored: scanned
    code, out, err = vulntune("scan", ".", "--model", model_dir, "--format", "json", "--verbose", cwd=repo)
    document = report(out)
    assert {f["file"] for f in document["findings"]} == {"app/new_tool.py", "ignored/tracked.py"}
    assert document["summary"]["files_scanned"] == 3
    assert "vulntune: scanned: ignored/tracked.py (python)" in err
    assert "vulntune: left out: app/secret_tool.py: ignored by git" in err
    assert "vulntune: left out: ignored/untracked.py: ignored by git" in err
    assert "untracked.py (python)" not in err


def test_a_scan_of_no_file_says_why_on_stderr(tmp_path, model_dir):
    repo = git_repo(tmp_path / "repo", {".gitignore": "*.py\n", "README.md": "x\n"})
    (repo / "tool.py").write_text(VULNERABLE)
    code, out, err = vulntune("scan", ".", "--model", model_dir, cwd=repo)
    assert code == 0
    assert "vulntune: warning: no files were scanned: ignored by git (1 path). --verbose lists them." in err
    code, _, err = vulntune(
        "scan", ".", "--model", model_dir, "--exclude", "*.md", "--no-gitignore", "--exclude", "tool.py", cwd=repo
    )
    assert code == 0 and "no files were scanned: matches an exclude pattern (1 path)" in err
    code, _, err = vulntune("scan", ".", "--model", model_dir, "--quiet", cwd=repo)
    assert err == ""


def test_sarif_lists_the_scanned_files_as_artifacts_and_names_the_root(git_fixture_repo, model_dir):
    code, out, _ = vulntune("scan", ".", "--model", model_dir, "--format", "sarif", cwd=git_fixture_repo / "app")
    run = json.loads(out)["runs"][0]
    names = [a["location"]["uri"] for a in run["artifacts"]]
    assert names == ["app/__init__.py", "app/tools.py", "app/users.py"]
    assert {a["sourceLanguage"] for a in run["artifacts"]} == {"python"}
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": git_fixture_repo.as_uri() + "/"}}
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert names[location["index"]] == location["uri"] and location["uriBaseId"] == "%SRCROOT%"


# --- 2. output paths ---------------------------------------------------------------------------------


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_unwritable_outputs_are_one_line_and_exit_2(git_fixture_repo, model_dir, tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "a-file").write_text("x")
    cases = {
        "/proc/x.json": "cannot write in /proc",
        f"{tmp_path}/folder/": "is a folder",
        str(tmp_path / "folder"): "is a folder",
        f"{tmp_path}/a-file/x.json": "is not a folder",
    }
    for target, message in cases.items():
        code, out, err = vulntune("scan", ".", "--model", model_dir, "-o", target, cwd=git_fixture_repo)
        assert code == 2 and out == "" and err.count("\n") == 1, (target, err)
        assert err.startswith(f"vulntune: --output {target}: ") and message in err, err
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    from vulntune.data import write_samples

    write_samples(corpus / "train.jsonl", training_samples(seed=0))
    write_samples(corpus / "validation.jsonl", training_samples(variants=3, seed=1))
    write_samples(corpus / "test.jsonl", training_samples(variants=2, seed=2))
    commands = [
        ("synth", "--languages", "python", "--cwes", "CWE-89", "--per-cwe", "2", "--out", "/proc/synth"),
        ("train", "--data", corpus, "--base", "tfidf", "--out", "/proc/model"),
        ("eval", "--model", model_dir, "--data", corpus, "--out", "/proc/report"),
        ("study", "--profile", "quick", "--out", "/proc/study"),
        ("train", "--data", corpus, "--base", "tfidf", "--out", tmp_path / "a-file"),
    ]
    for command in commands:
        code, _, err = vulntune(*command, cwd=tmp_path)
        assert code == 2 and err.count("\n") == 1 and err.startswith("vulntune: --out "), (command, err)


# --- 3. suppressions on any line of a statement ---------------------------------------------------


def _flagged_line(folder: Path, name: str, text: str, model_dir: Path) -> tuple[int, dict]:
    (folder / name).write_text(text)
    code, out, _ = vulntune("scan", name, "--model", model_dir, "--format", "json", "--no-cache", cwd=folder)
    return code, report(out)


def test_a_directive_on_any_line_of_a_multi_line_statement_or_just_before_it_suppresses(tmp_path, model_dir):
    folder = git_repo(tmp_path / "repo", {"README.md": "x\n"})
    code, document = _flagged_line(folder, "find.py", SQL, model_dir)
    assert code == 1 and found(document) and all(f["line"] in (3, 4, 5) for f in document["findings"])
    lines = SQL.splitlines()
    directive = "  # vulntune: ignore[CWE-89]"
    placements = {
        "first line": [*lines[:2], lines[2] + directive, *lines[3:]],
        "middle line": [*lines[:3], lines[3] + directive, *lines[4:]],
        "closing line": [*lines[:4], lines[4] + directive, *lines[5:]],
        "line before": [*lines[:2], "    # vulntune: ignore[CWE-89]", *lines[2:]],
    }
    for where, variant in placements.items():
        code, document = _flagged_line(folder, "find.py", "\n".join(variant) + "\n", model_dir)
        assert code == 0 and document["summary"]["suppressed"] >= 1, where
    # two lines above, another CWE, or a directive inside a string: nothing suppressed
    for variant in (
        [*lines[:1], "    # vulntune: ignore[CWE-89]", *lines[1:]],
        [*lines[:2], lines[2] + "  # vulntune: ignore[CWE-78]", *lines[3:]],
        [*lines[:3], '        "# vulntune: ignore" +', *lines[3:]],
    ):
        code, document = _flagged_line(folder, "find.py", "\n".join(variant) + "\n", model_dir)
        assert code == 1 and document["summary"]["suppressed"] == 0, variant


def test_java_double_slash_directives_cover_a_multi_line_statement(tmp_path, model_dir):
    java = (
        "public class Dao {\n"
        "    public ResultSet find(Connection conn, String name) throws SQLException {\n"
        "        Statement st = conn.createStatement();\n"
        "        return st.executeQuery(\n"
        '            "SELECT * FROM t WHERE k = \'" + name + "\'");\n'
        "    }\n"
        "}\n"
    )
    folder = git_repo(tmp_path / "repo", {"README.md": "x\n"})
    code, document = _flagged_line(folder, "Dao.java", java, model_dir)
    assert code == 1 and {f["cwe"] for f in document["findings"]} == {"CWE-89"}
    lines = java.splitlines()
    for variant in (
        [*lines[:4], lines[4] + " // vulntune: ignore[CWE-89]", *lines[5:]],
        [*lines[:3], "        // vulntune: ignore[89]", *lines[3:]],
    ):
        code, document = _flagged_line(folder, "Dao.java", "\n".join(variant) + "\n", model_dir)
        assert code == 0 and document["summary"]["suppressed"] == 1, variant


# --- 4. paths that do not depend on the working directory -------------------------------------------


def test_paths_and_fingerprints_are_relative_to_the_repository_root(git_fixture_repo, model_dir, tmp_path):
    baseline = tmp_path / "baseline.json"
    code, _, _ = vulntune("scan", ".", "--model", model_dir, "--format", "json", "-o", baseline, cwd=git_fixture_repo)
    assert code == 1
    written = report(baseline.read_text())
    assert found(written) == EXPECTED
    runs = [(git_fixture_repo / "app", ["."]), (tmp_path, ["repo/app"]), (git_fixture_repo / "src", ["../app"])]
    for cwd, paths in runs:
        code, out, _ = vulntune("scan", *paths, "--model", model_dir, "--format", "json", cwd=cwd)
        document = report(out)
        assert found(document) == {f for f in EXPECTED if f[0].startswith("app/")}, cwd
        prints = {f["fingerprint"] for f in document["findings"]}
        assert prints <= {f["fingerprint"] for f in written["findings"]}
        code, out, _ = vulntune(
            "scan", *paths, "--model", model_dir, "--baseline", baseline, "--format", "json", cwd=cwd
        )
        assert code == 0 and report(out)["summary"]["baselined"] == len(prints)


def test_a_missing_absolute_path_keeps_its_leading_slash(git_fixture_repo, model_dir):
    code, out, err = vulntune(
        "scan", "app", "/nonexist", "--model", model_dir, "--format", "json", cwd=git_fixture_repo
    )
    assert code == 2
    assert report(out)["skipped"] == [{"path": "/nonexist", "reason": "no such file or directory", "error": True}]
    assert "vulntune: error: /nonexist: no such file or directory" in err
    assert {f["file"] for f in report(out)["findings"]} == {"app/tools.py", "app/users.py"}


# --- 5. --changed-since against the merge base --------------------------------------------------------


def test_changed_since_compares_with_the_merge_base(git_fixture_repo, model_dir):
    repo = git_fixture_repo
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "app" / "new.py").write_text(VULNERABLE)
    git(repo, "add", "app/new.py")
    git(repo, "commit", "-q", "-m", "feature work")
    git(repo, "checkout", "-q", "main")
    users = repo / "app" / "users.py"
    users.write_text(users.read_text() + "\n\ndef later(conn, x):\n    return x\n")  # main moves on
    git(repo, "commit", "-q", "-am", "main moves on")
    git(repo, "checkout", "-q", "feature")
    code, out, err = vulntune(
        "scan", ".", "--model", model_dir, "--changed-since", "main", "--format", "json", cwd=repo
    )
    document = report(out)
    assert code == 1 and document["summary"]["files_scanned"] == 1  # not users.py: main's change, not ours
    assert found(document) == {("app/new.py", "CWE-78", 5)}
    git(repo, "checkout", "-q", "--orphan", "unrelated")
    git(repo, "commit", "-q", "-m", "no shared history")
    code, _, err = vulntune("scan", ".", "--model", model_dir, "--changed-since", "main", cwd=repo)
    assert code == 2 and err == "vulntune: --changed-since: 'main' and HEAD have no common history (no merge base)\n"


# --- 6. standard input ------------------------------------------------------------------------------


def test_stdin_is_one_file_named_by_stdin_filename(git_fixture_repo, model_dir):
    repo = git_fixture_repo
    source = (repo / "app" / "users.py").read_bytes()
    _, out, _ = vulntune("scan", "app/users.py", "--model", model_dir, "--format", "json", cwd=repo)
    from_file = report(out)["findings"]
    code, out, _ = vulntune(
        "scan",
        "-",
        "--stdin-filename",
        "users.py",
        "--model",
        model_dir,
        "--format",
        "json",
        cwd=repo / "app",
        stdin=source,
    )
    assert code == 1 and report(out)["findings"] == from_file  # same path from the root, same fingerprints
    code, out, _ = vulntune("scan", "-", "--model", model_dir, "--format", "json", cwd=repo, stdin=source)
    assert code == 1 and {f["file"] for f in report(out)["findings"]} == {"<stdin>"}
    java = (repo / "src" / "main" / "java" / "com" / "example" / "UserDao.java").read_bytes()
    code, out, _ = vulntune(
        "scan", "-", "--stdin-filename", "Dao.java", "--model", model_dir, "--format", "json", cwd=repo, stdin=java
    )
    assert code == 1 and {f["language"] for f in report(out)["findings"]} == {"java"}
    code, _, err = vulntune("scan", "-", "--stdin-filename", "notes.txt", "--model", model_dir, cwd=repo, stdin=b"x")
    assert code == 2 and err == "vulntune: --stdin-filename notes.txt: not a .py, .pyw, .java file\n"
    code, _, err = vulntune("scan", "app", "--stdin-filename", "x.py", "--model", model_dir, cwd=repo)
    assert code == 2 and err.count("\n") == 1 and "add the PATH -" in err


# --- 7. configuration and API edges -----------------------------------------------------------------


def test_config_errors_name_the_file_and_the_key(git_fixture_repo, model_dir):
    pyproject = git_fixture_repo / "pyproject.toml"
    for text, key in (('jobs = "two"', "jobs"), ("min_confidence = 3", "min_confidence"), ("colour = 1", "colour")):
        pyproject.write_text(f"[tool.vulntune]\n{text}\n")
        code, _, err = vulntune("scan", ".", "--model", model_dir, cwd=git_fixture_repo)
        assert code == 2 and err.count("\n") == 1
        assert str(pyproject) in err and (f"'{key}'" in err or f"{key}:" in err), err


def test_every_key_scan_help_lists_works_in_pyproject(git_fixture_repo, model_dir):
    _, help_text, _ = vulntune("scan", "--help", cwd=git_fixture_repo)
    listed = " ".join(help_text.split("Keys of [tool.vulntune] in pyproject.toml:")[1].split())
    keys = listed.split(" (")[0].split(", ")
    assert "exit_zero" in keys and "model" in keys
    values = {
        "model": str(model_dir),
        "format": "json",
        "extensions": [".py", ".java"],
        "exclude": ["docs/"],
        "max_file_size": 1_000_000,
        "min_confidence": 0.0,
        "target_fpr": 0.2,
        "min_severity": "low",
        "jobs": 1,
        "batch_size": 16,
        "threads": 1,
        "cache": False,
        "gitignore": True,
        "max_occlusions": 24,
        "exit_zero": True,
        "fail_on_empty": True,
        "unit": "function",
        "judge": "model",
        "explain": False,
        "threat_model": "all",
        "models": [],
    }
    assert set(keys) <= set(values), set(keys) - set(values)
    lines = [f"{key} = {json.dumps(values[key])}" for key in keys]
    (git_fixture_repo / "pyproject.toml").write_text("[tool.vulntune]\n" + "\n".join(lines) + "\n")
    code, out, err = vulntune("scan", ".", cwd=git_fixture_repo)
    assert code == 0, err  # exit_zero = true, with findings
    assert found(report(out)) >= EXPECTED


def test_predict_refuses_one_string_and_load_detector_defaults_to_the_bundled_model(model_dir):
    from vulntune import load_detector

    detector = load_detector(model_dir)
    with pytest.raises(TypeError, match=r"list of code strings.*predict\(\[code\]"):
        detector.predict("import os\nos.system(x)\n", language="python")
    assert len(detector.predict(["import os\nos.system(x)\n"], language="python")) == 1


@pytest.mark.slow
def test_load_detector_without_a_path_loads_the_bundled_model():
    """Needs the real SmolLM2 weights (converted once into the user cache)."""
    from vulntune import load_detector
    from vulntune.models.folder import read_meta
    from vulntune.scan import default_model_path

    detector = load_detector()
    assert detector.meta == read_meta(default_model_path())


# --- 8. pre-commit ------------------------------------------------------------------------------------


def _hook() -> dict:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return hook


def test_the_pre_commit_manifest_runs_the_installed_vulntune():
    hook = _hook()
    assert hook["id"] == "vulntune-scan" and hook["entry"] == "vulntune scan"
    assert hook["language"] == "system"  # the weights package cannot be installed by pre-commit
    assert hook["types_or"] == ["python", "java"] and hook["require_serial"] is True
    assert hook["args"] == ["--quiet"]


def _stage(repo: Path, model_dir: Path) -> None:
    (repo / "pyproject.toml").write_text(f'[tool.vulntune]\nmodel = "{model_dir}"\n')
    (repo / "app" / "new.py").write_text(VULNERABLE)
    (repo / "app" / "clean.py").write_text("def add(a, b):\n    return a + b\n")
    git(repo, "add", "pyproject.toml", "app/new.py", "app/clean.py")


def test_the_hook_command_fails_a_commit_with_a_finding(git_fixture_repo, model_dir):
    """What pre-commit runs: entry, args, then the staged files of the hook's types, from the root."""
    repo = git_fixture_repo
    _stage(repo, model_dir)
    staged = git(repo, "diff", "--cached", "--name-only").split()
    entry = [*_hook()["entry"].split(), *_hook()["args"]]
    code, out, err = vulntune(*entry[1:], *staged, cwd=repo)
    assert code == 1 and "app/new.py" in out and err == ""
    code, out, err = vulntune(*entry[1:], "app/clean.py", cwd=repo)
    assert code == 0 and err == ""


@pytest.mark.skipif(not (BIN / "pre-commit").exists(), reason="needs pre-commit (pip install -e '.[test]')")
def test_pre_commit_runs_the_published_hook(git_fixture_repo, model_dir, tmp_path):
    """pre-commit itself, with this repository's manifest at a commit id as `rev` (no network:
    pre-commit clones a local repository, and a system hook installs nothing)."""
    hooks = git_repo(tmp_path / "hooks", {".pre-commit-hooks.yaml": (ROOT / ".pre-commit-hooks.yaml").read_text()})
    rev = git(hooks, "rev-parse", "HEAD").strip()
    repo = git_fixture_repo
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: vulntune-scan\n"
    )
    _stage(repo, model_dir)
    env = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [str(BIN / "pre-commit"), "run", "--files", "app/new.py", "app/clean.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert done.returncode == 1 and "vulntune scan" in done.stdout and "Failed" in done.stdout, (
        done.stdout + done.stderr
    )
    assert "CWE-78" in done.stdout and "app/new.py" in done.stdout
    done = subprocess.run(
        [str(BIN / "pre-commit"), "run", "--files", "app/clean.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert done.returncode == 0 and "Passed" in done.stdout, done.stdout + done.stderr


# --- 9. progress on a terminal --------------------------------------------------------------------------


def _stderr_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run `vulntune ARGS` with stderr on a pseudo-terminal; return (exit code, what it drew there)."""
    import fcntl
    import pty
    import termios

    leader, follower = pty.openpty()
    # 24 rows of 100 columns: tqdm draws nothing on a terminal of width 0, a new pty's size
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(
        [str(BIN / "vulntune"), *map(str, args)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the pseudo-terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_loading_the_model_and_calibrating_show_progress_on_a_terminal(git_fixture_repo, model_dir, tmp_path):
    code, drawn = _stderr_on_a_terminal(["scan", ".", "--model", model_dir, "--no-cache"], git_fixture_repo)
    assert code == 1 and "loading model: 00:00" in drawn and "scoring" in drawn
    _, _, err = vulntune("scan", ".", "--model", model_dir, cwd=git_fixture_repo)
    assert "loading model" not in err  # not on a pipe
    from vulntune.data import write_samples

    model = tmp_path / "model"
    shutil.copytree(model_dir, model)
    write_samples(tmp_path / "validation.jsonl", training_samples(variants=3, seed=1))
    code, drawn = _stderr_on_a_terminal(
        ["calibrate", "--model", model, "--validation-file", tmp_path / "validation.jsonl", "--target-fpr", "0.05"],
        tmp_path,
    )
    assert code == 0 and "loading model: 00:00" in drawn
    assert re.search(r"calibrating on \d+ samples: 00:00", drawn), drawn
