"""Bad input never stops a scan: each file is skipped with a reason, or scanned anyway; no traceback.

Unreadable files and folders are made with chmod 000, which does not stop root: when the tests
run as root those files are readable and the test checks that they are scanned instead.
"""

from __future__ import annotations

import json
import os

import pytest

from vulntune.cli import main
from vulntune.scan import scan_paths

pytestmark = pytest.mark.usefixtures("private_cache")

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
VULNERABLE = "import os\n\n\ndef run(cmd):\n    os.system('ls -l ' + cmd)\n"


def scan_json(capsys, *args):
    code = main(["scan", *map(str, args), "--format", "json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out), err


def skipped(document) -> dict[str, tuple[str, bool]]:
    return {s["path"]: (s["reason"], s["error"]) for s in document["skipped"]}


@pytest.fixture
def messy(tmp_path):
    root = tmp_path / "messy"
    root.mkdir()
    (root / "good.py").write_text(VULNERABLE)
    (root / "binary.py").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4)
    (root / "latin1.py").write_bytes("# café\nname = 'Zoë'\n".encode("latin-1"))
    (root / "huge.py").write_text("DATA = [" + "1, " * 1_750_000 + "]\n")  # 5.25 MB, one line
    (root / "nested.py").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    (root / "empty.py").write_text("")
    (root / "broken.py").write_text("def half(:\n    return (\n\n\n" + VULNERABLE)
    (root / "Broken.java").write_text("public class Broken { void f( { int x = ; } }\n")
    (root / "bom.py").write_bytes(b"\xef\xbb\xbf" + VULNERABLE.encode())
    os.symlink(root, root / "loop")  # a folder that contains itself
    os.symlink("self.py", root / "self.py")  # a link to itself
    os.symlink(root / "gone.py", root / "dangling.py")
    os.symlink("/etc", root / "outside")
    return root


def test_every_bad_input_together(capsys, messy, model_dir):
    code, document, err = scan_json(capsys, messy, "--model", model_dir)
    assert code == 1  # findings; nothing here is an input *error*
    assert skipped(document) == {
        "binary.py": ("binary file", False),
        "dangling.py": ("broken symlink", False),
        "huge.py": ("larger than 1,000,000 bytes (5,250,010 bytes)", False),
        "latin1.py": ("not valid UTF-8 (byte 5)", False),
        "loop": ("symlink loop", False),
        "outside": ("symlink to outside the scanned folder", False),
        "self.py": ("symlink loop", False),
    }
    found = {(f["file"], f["cwe"], f["line"]) for f in document["findings"]}
    assert found == {("good.py", "CWE-78", 5), ("bom.py", "CWE-78", 5), ("broken.py", "CWE-78", 9)}
    summary = document["summary"]
    assert summary["files_scanned"] == 6  # good, bom, broken, Broken.java, nested, empty
    assert summary["files_with_syntax_errors"] == 2
    assert summary["files_skipped"] == 7
    # the warnings name each file on stderr too
    assert "vulntune: warning: binary.py: skipped: binary file" in err
    assert "vulntune: warning: latin1.py: skipped: not valid UTF-8 (byte 5)" in err


def test_a_huge_one_line_file_scans_when_the_limit_allows_it(tmp_path, detector):
    (tmp_path / "blob.py").write_text("BLOB = '" + "A" * 5_000_000 + "'\n")
    from vulntune.scan import ScanConfig

    report = scan_paths([tmp_path], detector=detector, root=tmp_path, config=ScanConfig(max_file_size=6_000_000))
    assert report.summary.files_scanned == 1 and report.skipped == ()


def test_deep_nesting_is_cut_into_windows(tmp_path, detector):
    (tmp_path / "nested.py").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n" + VULNERABLE)
    report = scan_paths([tmp_path], detector=detector, root=tmp_path)
    assert report.stats["windows"] > report.stats["units_inferred"]  # 10,000 brackets > one window
    assert {(f.file, f.line) for f in report.findings} == {("nested.py", 6)}


def test_a_missing_path_is_an_input_error_but_the_rest_is_scanned(capsys, tmp_path, model_dir):
    (tmp_path / "good.py").write_text(VULNERABLE)
    code, document, err = scan_json(capsys, tmp_path / "good.py", tmp_path / "nope.py", "--model", model_dir)
    assert code == 2
    assert skipped(document) == {"nope.py": ("no such file or directory", True)}
    assert len(document["findings"]) == 1
    assert "vulntune: error: nope.py: no such file or directory" in err
    # even with --quiet and --exit-zero the error is said and decides the exit code
    code = main(["scan", str(tmp_path / "nope.py"), "--model", str(model_dir), "--quiet", "--exit-zero"])
    assert code == 2 and capsys.readouterr().err == "vulntune: error: nope.py: no such file or directory\n"


def test_a_fifo_named_on_the_command_line_is_not_read(capsys, tmp_path, model_dir):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "good.py").write_text("x = 1\n")
    code, document, _ = scan_json(capsys, tmp_path / "pipe.py", tmp_path, "--model", model_dir)
    assert skipped(document) == {"pipe.py": ("not a regular file", False)}
    assert code == 0


def test_unreadable_file_and_folder(capsys, tmp_path, model_dir):
    root = tmp_path / "repo"
    (root / "locked").mkdir(parents=True)
    (root / "locked" / "inner.py").write_text(VULNERABLE)
    (root / "secret.py").write_text(VULNERABLE)
    (root / "good.py").write_text("x = 1\n")
    os.chmod(root / "secret.py", 0)
    os.chmod(root / "locked", 0)
    try:
        code, document, _ = scan_json(capsys, root, "--model", model_dir)
        if AS_ROOT:  # root reads through chmod 000: both files are scanned
            assert skipped(document) == {}
            assert {f["file"] for f in document["findings"]} == {"secret.py", "locked/inner.py"}
        else:
            assert skipped(document) == {
                "locked": ("permission denied", False),
                "secret.py": ("permission denied", False),
            }
            assert code == 0
        # the folder named on the command line itself
        code, document, _ = scan_json(capsys, root / "locked", "--model", model_dir)
        assert code == (1 if AS_ROOT else 2)
    finally:
        os.chmod(root / "locked", 0o755)
        os.chmod(root / "secret.py", 0o644)


def test_read_errors_are_reasons_not_crashes(tmp_path, monkeypatch):
    """Root cannot be refused by chmod, so the refusal is simulated at the open() call."""
    from vulntune.scan import extract
    from vulntune.scan.discover import SourceFile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(extract, "open", refuse, raising=False)
    result = extract.extract_file(SourceFile(path=str(tmp_path / "x.py"), display="x.py", language="python", size=1))
    assert result.skipped == "permission denied" and result.units == ()
