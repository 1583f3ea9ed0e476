"""The scan pipeline on fixture repositories: discovery, units, windows, line choice, cache, jobs.

Every detector here is real (a TF-IDF baseline trained on the hand-written samples in
tests/fixtures/scan/helpers.py); `CountingDetector` only counts calls to one.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from vulntune.errors import VulntuneError
from vulntune.scan import Finding, ResultCache, ScanConfig, scan_paths
from vulntune.scan.discover import discover
from vulntune.scan.infer import cut_windows
from vulntune.scan.locate import call_rows, most_likely_line, statement_rows
from vulntune.units import extract_units

from fixtures.scan.helpers import EXPECTED, EXPECTED_SUPPRESSED

pytestmark = pytest.mark.usefixtures("private_cache")


class CountingDetector:
    """A real detector whose predict() calls and inputs are counted (a spy, not a fake)."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0
        self.inputs = 0
        for name in ("languages", "labels", "threshold", "thresholds", "max_length", "fingerprint", "meta"):
            setattr(self, name, getattr(inner, name))

    def predict(self, codes, *, language):
        self.calls += 1
        self.inputs += len(codes)
        return self.inner.predict(codes, language=language)

    def count_tokens(self, code):
        return self.inner.count_tokens(code)


def found(report) -> set[tuple[str, str, int]]:
    return {(f.file, f.cwe, f.line) for f in report.findings}


def test_fixture_repo_findings(repo, detector):
    report = scan_paths([repo], detector=detector)
    assert found(report) == EXPECTED
    assert report.summary.suppressed == EXPECTED_SUPPRESSED
    # vendored (node_modules, build), .gitignored (generated/, *.gen.py) and non-source files are not read
    assert report.summary.files_scanned == 4
    assert report.skipped == ()
    by_line = {(f.file, f.line): f for f in report.findings}
    sql = by_line[("app/users.py", 13)]
    assert (sql.unit, sql.unit_kind, sql.start_line, sql.end_line) == ("find_user", "function", 11, 14)
    assert (sql.cwe_name, sql.severity) == ("SQL Injection", "high")
    assert 0.5 < sql.confidence <= 1.0
    assert sql.snippet.startswith('cursor.execute("SELECT id, email FROM users')
    method = by_line[("app/users.py", 34)]
    assert (method.unit, method.unit_kind) == ("Accounts.by_email", "method")
    java = by_line[("src/main/java/com/example/UserDao.java", 31)]
    assert (java.unit, java.start_line, java.severity) == ("UserDao.pingHost", 28, "critical")  # from @Deprecated


def test_findings_are_frozen_and_keyword_only(repo, detector):
    finding = scan_paths([repo], detector=detector).findings[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.line = 1
    with pytest.raises(TypeError):
        Finding("a.py", "python")  # positional arguments are refused


def test_discovery_honours_gitignore_exclude_vendored_and_extensions(repo):
    def files(**kwargs):
        return [f.display for f in discover([repo], config=ScanConfig(**kwargs), root=repo).files]

    assert files() == ["app/__init__.py", "app/tools.py", "app/users.py", "src/main/java/com/example/UserDao.java"]
    assert files(gitignore=False) == [
        "app/__init__.py",
        "app/schema.gen.py",
        "app/tools.py",
        "app/users.py",
        "generated/models.py",
        "src/main/java/com/example/UserDao.java",
    ]
    assert files(exclude=("src/",)) == ["app/__init__.py", "app/tools.py", "app/users.py"]
    assert files(exclude=("tools.py", "*/__init__.py")) == ["app/users.py", "src/main/java/com/example/UserDao.java"]
    assert files(extensions=(".java",)) == ["src/main/java/com/example/UserDao.java"]
    # a negation in a deeper .gitignore wins, as in git
    (repo / "app" / ".gitignore").write_text("!*.gen.py\n")
    assert "app/schema.gen.py" in files()


def test_gitignore_above_the_scanned_folder_applies_inside_a_git_work_tree(repo):
    (repo / "app" / "extra.gen.py").write_text("x = 1\n")
    names = lambda: [f.display for f in discover([repo / "app"], config=ScanConfig(), root=repo / "app").files]  # noqa: E731
    assert "extra.gen.py" in names()  # no .git, and the scan root is app/: the repo's .gitignore is out of reach
    (repo / ".git").mkdir()
    assert "extra.gen.py" not in names()
    assert names() == ["__init__.py", "tools.py", "users.py"]


def test_git_info_exclude_applies_and_a_gitignore_negation_overrides_it(repo):
    (repo / ".git" / "info").mkdir(parents=True)
    (repo / ".git" / "info" / "exclude").write_text("tools.py\n")
    names = lambda: [f.display for f in discover([repo / "app"], config=ScanConfig(), root=repo).files]  # noqa: E731
    assert "app/tools.py" not in names() and "app/users.py" in names()
    (repo / "app" / ".gitignore").write_text("!tools.py\n")
    assert "app/tools.py" in names()


def test_named_files_and_duplicates(repo):
    users = repo / "app" / "users.py"
    result = discover([users, repo / "app", repo / "docs" / "notes.txt"], config=ScanConfig(), root=repo)
    assert [f.display for f in result.files] == ["app/__init__.py", "app/tools.py", "app/users.py"]
    assert [(s.path, s.reason, s.error) for s in result.skipped] == [("docs/notes.txt", "not a .py/.java file", False)]


def test_config_rejects_bad_values():
    with pytest.raises(VulntuneError, match="extensions"):
        ScanConfig(extensions=(".rb",))
    with pytest.raises(VulntuneError, match="min_severity"):
        ScanConfig(min_severity="severe")
    with pytest.raises(VulntuneError, match="min_confidence"):
        ScanConfig(min_confidence=1.5)


PYTHON_UNITS = """\
import os

SECRET = "x"


class Store:
    limit = 3

    @staticmethod
    @cached(size=2)
    def load(path):
        def inner():
            return open(path).read()
        return inner


async def main():
    await run()
"""


def test_python_units_functions_methods_nested_decorated_and_module():
    units = extract_units(PYTHON_UNITS, language="python", file="m.py").units
    shape = [(u.kind, u.name, u.start_line, u.end_line, u.header_line) for u in units]
    assert shape == [
        ("module", "<module>", 1, 7, 1),
        ("method", "Store.load", 9, 14, 11),
        ("function", "Store.load.inner", 12, 13, 12),
        ("function", "main", 17, 18, 17),
    ]
    module, load = units[0], units[1]
    assert module.lines == (1, 3, 6, 7)
    assert module.text == 'import os\nSECRET = "x"\nclass Store:\n    limit = 3'
    assert load.text.startswith("@staticmethod\n@cached(size=2)\ndef load(path):")  # dedented, decorators kept


JAVA_UNITS = """\
package a;

public class Shop {
    private static final String KEY = "k";

    @GetMapping("/x")
    public String get(@RequestParam String id) {
        Runnable r = new Runnable() { public void run() { go(); } };
        return id;
    }

    Shop() { }

    abstract void later();

    interface Hook { default void fire() { ping(); } }
}
"""


def test_java_units_methods_constructors_anonymous_and_class_fields():
    units = extract_units(JAVA_UNITS, language="java", file="Shop.java").units
    shape = [(u.kind, u.name, u.start_line, u.end_line, u.header_line) for u in units]
    assert shape == [
        ("module", "<module>", 1, 17, 1),
        ("method", "Shop.get", 6, 10, 7),
        ("method", "Shop.get.run", 8, 8, 8),
        ("constructor", "Shop.Shop", 12, 12, 12),
        ("method", "Shop.Hook.fire", 16, 16, 16),
    ]
    assert 'private static final String KEY = "k";' in units[0].text
    assert "abstract void later();" in units[0].text  # no body: part of the module unit


def test_module_unit_needs_code_that_could_carry_a_finding():
    assert extract_units("import os\nfrom a import b\n", language="python", file="m.py").units == ()
    assert extract_units("", language="python", file="m.py").units == ()
    assert [u.kind for u in extract_units("import os\nos.getcwd()\n", language="python", file="m.py").units] == [
        "module"
    ]


def test_cut_windows_overlap_and_cover_every_line(detector):
    lines = [f"    value_{i} = compute(value_{i - 1}, {i})" for i in range(1, 120)]
    text = "def long():\n" + "\n".join(lines) + "\n    return value_119"
    windows = cut_windows(text, count_tokens=detector.count_tokens, max_tokens=100)
    assert len(windows) > 5
    assert all(detector.count_tokens(w.text) <= 100 for w in windows)
    assert set().union(*(w.rows for w in windows)) == set(range(text.count("\n") + 1))
    for before, after in zip(windows, windows[1:]):
        assert set(before.rows) & set(after.rows), "consecutive windows overlap"
        assert after.rows[-1] > before.rows[-1], "every window moves on"
    # a single line longer than a window is cut by characters, keeping its row number
    one_line = "x = [" + ", ".join(str(i) for i in range(2000)) + "]"
    pieces = cut_windows(one_line, count_tokens=detector.count_tokens, max_tokens=200)
    assert len(pieces) > 10 and all(w.rows == (0,) for w in pieces)
    assert all(detector.count_tokens(w.text) <= 200 for w in pieces)


def test_long_unit_is_scanned_in_windows_and_the_line_maps_back(tmp_path, detector):
    padding = "\n".join(f"    total_{i} = total_{i - 1} + {i}" for i in range(1, 60))
    (tmp_path / "long.py").write_text(
        "import os\n\n\ndef build(host):\n    total_0 = 0\n"
        + padding
        + '\n    command = "ping -c 1 " + host\n    os.system(command)\n    return total_59\n'
    )
    small = dataclasses.replace(detector, max_length=120)  # a real detector with a small window
    report = scan_paths([tmp_path], detector=small, root=tmp_path)
    assert report.stats["windows"] > report.stats["units_inferred"]
    assert found(report) == {("long.py", "CWE-78", 66)}
    assert report.findings[0].snippet == "os.system(command)"


def test_most_likely_line_is_the_sink_not_the_first_call(detector):
    code = (
        "def handler(conn, name):\n    log(name)\n    cursor = conn.cursor()\n    clean = name.strip()\n"
        '    cursor.execute("SELECT * FROM t WHERE k = \'" + clean + "\'")\n    notify(clean)\n'
        "    return cursor.fetchall()\n"
    )
    prediction = detector.predict([code], language="python")[0]
    assert prediction.cwe == "CWE-89" and prediction.label == "vulnerable"

    def score(texts):
        return [p.probabilities["CWE-89"] for p in detector.predict(texts, language="python")]

    for cap in (24, 2):  # cap=2: masked in groups first, then line by line inside the best group
        row = most_likely_line(
            code, language="python", probability=prediction.probabilities["CWE-89"], score=score, cap=cap
        )
        assert row == 4


def test_line_candidates_are_body_rows_without_header_comments_or_braces():
    python = '@app.get("/")\ndef f(a,\n      b):\n    # why\n    x = g(a)\n\n    password = "hunter2"\n    return x\n'
    assert statement_rows(python, "python") == [4, 6, 7]
    java = (
        "@Override\npublic void f(String a)\n        throws IOException {\n    // hi\n    Cookie c = new Cookie(a);\n"
        "    c.setSecure(false);\n}\n"
    )
    assert statement_rows(java, "java") == [4, 5]
    assert statement_rows("import os\nKEY = 'x'\n", "python") == [0, 1]  # module code: no header
    assert call_rows(python, "python") == [0, 4]  # the older candidates: only rows starting a call


def test_second_scan_runs_the_model_on_zero_units(repo, detector, tmp_path):
    with ResultCache(tmp_path / "cache.sqlite3") as cache:
        first = CountingDetector(detector)
        cold = scan_paths([repo], detector=first, cache=cache)
        assert first.inputs > 0 and cold.stats["units_inferred"] == cold.stats["units"]
        second = CountingDetector(detector)
        warm = scan_paths([repo], detector=second, cache=cache)
        assert second.calls == 0 and warm.stats["units_cached"] == warm.stats["units"]
        assert warm.findings == cold.findings
        # edit one function: only that unit is scored again (plus its line search, if flagged)
        tools = repo / "app" / "tools.py"
        tools.write_text(tools.read_text().replace('"ping -c 1 " + host', '"ping -c 2 " + host', 1))
        third = CountingDetector(detector)
        edited = scan_paths([repo], detector=third, cache=cache)
        assert edited.stats["units_inferred"] == 1
        assert found(edited) == EXPECTED


def test_cache_is_keyed_by_model_fingerprint(repo, detector, tmp_path):
    with ResultCache(tmp_path / "cache.sqlite3") as cache:
        scan_paths([repo], detector=detector, cache=cache)
        other = dataclasses.replace(detector, threshold=0.99)  # new threshold, new fingerprint
        assert other.fingerprint != detector.fingerprint
        spy = CountingDetector(other)
        report = scan_paths([repo], detector=spy, cache=cache)
        assert report.stats["units_cached"] == 0 and spy.inputs > 0


def test_a_broken_cache_file_is_reported_and_the_scan_goes_on(repo, detector, tmp_path):
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    cache = ResultCache(path)
    report = scan_paths([repo], detector=detector, cache=cache)
    assert cache.problem and "unusable" in cache.problem
    assert found(report) == EXPECTED


def test_parallel_parsing_gives_the_same_report(repo, detector):
    serial = scan_paths([repo], detector=detector, config=ScanConfig(jobs=1))
    parallel = scan_paths([repo], detector=detector, config=ScanConfig(jobs=2))
    assert parallel.findings == serial.findings and parallel.summary == serial.summary


def test_fingerprints_survive_line_shifts_and_change_with_the_line(repo, detector):
    before = {f.fingerprint: (f.file, f.cwe) for f in scan_paths([repo], detector=detector).findings}
    users = repo / "app" / "users.py"
    users.write_text('"""Moved down."""\n\n\n' + users.read_text())
    after = scan_paths([repo], detector=detector).findings
    assert {f.fingerprint for f in after} == set(before)
    assert {("app/users.py", 16), ("app/users.py", 37)} <= {(f.file, f.line) for f in after}
    assert len(before) == len(EXPECTED)  # fingerprints are distinct


def test_min_confidence_and_min_severity_filter(repo, detector):
    high = scan_paths([repo], detector=detector, config=ScanConfig(min_severity="critical"))
    assert {f.cwe for f in high.findings} == {"CWE-78"}
    assert high.summary.below_filters == 3
    confident = scan_paths([repo], detector=detector, config=ScanConfig(min_confidence=1.0))
    assert confident.findings == () and confident.summary.below_filters == len(EXPECTED)


def test_baseline_hides_known_findings(repo, detector):
    known = frozenset(f.fingerprint for f in scan_paths([repo], detector=detector).findings)
    tools = repo / "app" / "tools.py"
    tools.write_text("\n\n" + tools.read_text() + '\n\ndef archive(name):\n    os.system("tar czf a.tgz " + name)\n')
    report = scan_paths([repo], detector=detector, baseline=known)
    new_line = tools.read_text().split("\n").index('    os.system("tar czf a.tgz " + name)') + 1
    assert found(report) == {("app/tools.py", "CWE-78", new_line)}
    assert report.summary.baselined == len(EXPECTED)


def test_scanned_code_is_never_imported_or_run(tmp_path, detector):
    marker = tmp_path / "ran"
    (tmp_path / "evil.py").write_text(
        f"import os\nopen({str(marker)!r}, 'w').write('x')\nos._exit(3)\n\ndef f(cmd):\n    os.system('sh -c ' + cmd)\n"
    )
    (tmp_path / "Evil.java").write_text("public class Evil { static { System.exit(3); } }\n")
    report = scan_paths([tmp_path], detector=detector, root=tmp_path)
    assert not marker.exists()
    assert report.summary.files_scanned == 2


def test_languages_the_model_does_not_cover_are_skipped_with_a_reason(repo, detector):
    python_only = dataclasses.replace(detector, languages=("python",))
    report = scan_paths([repo], detector=python_only)
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("src/main/java/com/example/UserDao.java", "the model does not cover java")
    ]
    assert not report.input_error


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_inside_the_root_are_followed_once(repo, detector):
    os.symlink(repo / "app", repo / "app_link")
    os.symlink(repo / "app" / "tools.py", repo / "tools_link.py")
    report = scan_paths([repo], detector=detector)
    assert found(report) == EXPECTED  # no duplicates through the links
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("app_link", "symlink to a folder scanned through another path")
    ]


def test_paths_are_relative_to_the_current_folder(repo, detector, monkeypatch):
    monkeypatch.chdir(repo.parent)
    report = scan_paths([Path("repo/app")], detector=detector)
    assert {f.file for f in report.findings} == {"repo/app/tools.py", "repo/app/users.py"}


def test_an_interrupted_scan_keeps_the_verdicts_it_finished(repo, detector, tmp_path, monkeypatch):
    from vulntune.scan import infer

    monkeypatch.setattr(infer, "CHUNK", 4)

    class Interrupting(CountingDetector):
        def predict(self, codes, *, language):
            if self.calls == 3:
                raise KeyboardInterrupt
            return super().predict(codes, language=language)

    with ResultCache(tmp_path / "cache.sqlite3") as cache:
        with pytest.raises(KeyboardInterrupt):
            scan_paths([repo], detector=Interrupting(detector), cache=cache)
        resumed = scan_paths([repo], detector=detector, cache=cache)
    assert 0 < resumed.stats["units_cached"] < resumed.stats["units"]
    assert found(resumed) == EXPECTED


def test_progress_bars_go_to_stderr_only(repo, detector, capsys):
    report = scan_paths([repo], detector=detector, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "parsing" in err and "scoring" in err
    assert found(report) == EXPECTED


def test_a_fingerprint_reads_the_cwe_file_unit_line_text_and_occurrence_only():
    from vulntune.scan.findings import _fingerprint

    base = _fingerprint("CWE-89", "app/users.py", "find_user", "cursor.execute(q)", 0)
    assert _fingerprint("CWE-89", "app/users.py", "find_user", "  cursor.execute(q)  ", 0) == base  # spacing
    for changed in (
        ("CWE-78", "app/users.py", "find_user", "cursor.execute(q)", 0),
        ("CWE-89", "app/orders.py", "find_user", "cursor.execute(q)", 0),
        ("CWE-89", "app/users.py", "find_order", "cursor.execute(q)", 0),
        ("CWE-89", "app/users.py", "find_user", "cursor.execute(p)", 0),
        ("CWE-89", "app/users.py", "find_user", "cursor.execute(q)", 1),
    ):
        assert _fingerprint(*changed) != base, changed
