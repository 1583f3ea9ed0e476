"""What a user and a CI pipeline rely on (issue 27): one test per gap found trying vulntune as a
new user would.

The command-line behaviour is checked in the CLI's real process (`vulntune` in a subprocess, as
CI and pre-commit run it), with the TF-IDF fixture detectors trained in about a second: the
function-level one of `fixtures.scan.helpers` and a slice judge trained here on the same samples.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from fixtures.scan.helpers import copy_repo, training_samples

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
