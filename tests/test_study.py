"""`vulntune study`: config and profiles, the whole grid end to end on a test-sized config
(tiny models, a toy corpus, a few external samples), resumption, and bad input."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from test_eval_cli import SHARED, toy_corpus, toy_records, write_jsonl

from vulntune.cli import main
from vulntune.errors import VulntuneError
from vulntune.study import StudyConfig, load_study_config, model_cells, run_study


def test_profiles_load_and_describe_the_grid():
    quick = load_study_config(profile="quick")
    assert quick.bases == ("tiny",) and quick.tfidf and quick.zero_shot
    names = [c.name for c in model_cells(quick)]
    assert names == ["zero-shot-tiny",
                     "tiny-classify-python", "tiny-classify-java", "tiny-classify-joint",
                     "tiny-instruct-python", "tiny-instruct-java", "tiny-instruct-joint",
                     "tfidf-python", "tfidf-java", "tfidf-joint"]
    full = load_study_config(profile="full")
    assert full.bases == ("smollm2-135m",) and full.max_steps == 0


def test_config_file_overrides_the_profile(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[study]\nper_cwe = 10\nsubsets = ["joint"]\n[study.train]\nlearning_rate = 0.001\n')
    config = load_study_config(path, profile="quick")
    assert (config.per_cwe, config.subsets, config.bases) == (10, ("joint",), ("tiny",))
    assert config.train == {"learning_rate": 0.001}


@pytest.mark.parametrize("text, needle", [
    ("bogus = 1\n", "unknown key 'bogus'"),
    ('subsets = ["rust"]\n', "unknown subset"),
    ('languages = ["python"]\nsubsets = ["java"]\n', "not among the corpus languages"),
    ('objectives = ["regress"]\n', "unknown objective"),
    ("per_cwe = 'many'\n", "per_cwe"),
    ("target_fpr = 2\n", "target_fpr"),
])
def test_bad_config(tmp_path, text, needle):
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(VulntuneError, match=needle):
        load_study_config(path)


def _config(corpus: Path, externals: list[str]) -> StudyConfig:
    return StudyConfig(corpus=str(corpus), bases=("tiny",), max_steps=2, max_length=128, external=tuple(externals),
                       external_max=40, bootstrap=50)


def test_study_end_to_end_and_resume(tmp_path):
    corpus = toy_corpus(tmp_path / "corpus", per=6)
    externals = [str(SHARED / "python-sven.jsonl"), str(tmp_path / "absent.jsonl")]
    if not (SHARED / "python-sven.jsonl").is_file():  # the product never needs ../shared; the test uses a stand-in
        externals[0] = str(write_jsonl(tmp_path / "python-sven.jsonl",
                                       toy_records(prefix="ext", seed=9, languages=("python",))))
    out = tmp_path / "study"
    lines: list[str] = []
    began = time.process_time()  # CPU seconds of this process: robust to a busy shared machine
    summary = run_study(_config(corpus, externals), out, log=lines.append)
    assert time.process_time() - began < 60

    # every cell of the grid, trained and evaluated on the test split
    for cell in model_cells(_config(corpus, externals)):
        assert (out / "models" / cell.name / "vulntune-model.json").is_file()
        metrics = json.loads((out / "evals" / cell.name / "test" / "metrics.json").read_text())
        assert set(metrics["models"][cell.name]["by_language"]) == set(cell.languages)
    # external sets: python models only on the Python set; the missing file noted, not fatal
    assert (out / "evals" / "tiny-classify-python" / "python-sven" / "metrics.json").is_file()
    assert not (out / "evals" / "tiny-classify-java" / "python-sven").exists()
    assert any("absent.jsonl not found: skipped" in n for n in summary["notes"])

    # the central table: zero-shot before; fine-tuned joint and separate after; the baseline
    rows = {(r["stage"], r["model"]) for r in summary["central"]}
    assert rows == {
        ("before fine-tuning", "zero-shot-tiny"),
        ("after fine-tuning", "tiny classify, joint"), ("after fine-tuning", "tiny classify, separate"),
        ("after fine-tuning", "tiny instruct, joint"), ("after fine-tuning", "tiny instruct, separate"),
        ("baseline", "tfidf, joint"), ("baseline", "tfidf, separate"),
    }
    for r in summary["central"]:
        for language in ("python", "java"):
            side = r[language]
            assert side["negatives"] == 12 and side["fpr"] == pytest.approx(side["fp"] / 12, abs=1e-6)
        assert 0 <= r["python_vs_java"]["p_fisher"] <= 1
    # paired before/after rows: every fine-tuned model on each of its languages
    assert len(summary["before_after"]) == 2 * (1 + 1 + 2)

    report = (out / "report.md").read_text()
    assert "## FPR Python vs Java, before and after fine-tuning" in report
    assert "| stage | model | FPR Python | FPR Java |" in report
    # the prose states measured counts: each central row's "k of n" appears in a sentence
    for r in summary["central"]:
        assert f"{r['python']['fp']} of {r['python']['negatives']} safe Python samples" in report
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 3
    assert not re.search(r"(src|href)=\"https?://", html)

    # resume: nothing is retrained or re-evaluated, the report is identical
    stamp = (out / "evals" / "tiny-classify-joint" / "test" / "metrics.json").stat().st_mtime_ns
    before = (out / "report.md").read_text()
    lines.clear()
    run_study(_config(corpus, externals), out, log=lines.append)
    assert not any("training" in line or "evaluated on" in line for line in lines), lines
    assert (out / "evals" / "tiny-classify-joint" / "test" / "metrics.json").stat().st_mtime_ns == stamp
    assert (out / "report.md").read_text() == before

    # a removed metrics file is exactly one cell to redo
    (out / "evals" / "tfidf-java" / "test" / "metrics.json").unlink()
    lines.clear()
    run_study(_config(corpus, externals), out, log=lines.append)
    assert [line for line in lines if "evaluated on" in line] == [line for line in lines if "tfidf-java: evaluated on test" in line]
    assert len([line for line in lines if "evaluated on" in line]) == 1

    # a different config in the same folder is refused
    with pytest.raises(VulntuneError, match="different config"):
        run_study(StudyConfig(corpus=str(corpus), bases=("tiny",), max_steps=3, external=()), out, log=lines.append)


def test_study_cli_bad_input_is_one_line(capsys, tmp_path):
    code = main(["study", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "no study settings" in err[0]
    bad = tmp_path / "bad.toml"
    bad.write_text("per_cwe = 0\n")
    code = main(["study", "--config", str(bad), "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "per_cwe" in err[0]
    missing = tmp_path / "corpus.toml"
    missing.write_text(f'corpus = "{tmp_path / "nothing"}"\nexternal = []\n')
    code = main(["study", "--config", str(missing), "--out", str(tmp_path / "y")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "no train.jsonl" in err[0]
