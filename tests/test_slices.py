"""Training, evaluating and scanning on candidate slices: TF-IDF and tiny judges end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from vulntune.data import Sample, read_samples, write_samples
from vulntune.slices import judge_records, slice_samples
from vulntune.synth.config import SynthConfig
from vulntune.synth.pipeline import build_corpus
from vulntune.train import TrainConfig, train

pytestmark = pytest.mark.usefixtures("module_cache")

VULNERABLE = "import os\n\ndef run(host):\n    os.system('ping -c 1 ' + host)\n"
SAFE = "import os\n\ndef run(host):\n    host = 'localhost'\n    os.system('ping -c 1 ' + host)\n"


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth")
    splits, _ = build_corpus(SynthConfig(languages=("python", "java"), per_cwe=8, seed=1, javac=False))
    for name, samples in splits.items():
        write_samples(folder / f"{name}.jsonl", samples)
    return folder


def _weightless_model(folder: Path) -> str:
    """The bundled judge's folder with its weights replaced by junk: settings are checked against
    its metadata, but a scan that loaded the model would fail."""
    import shutil

    from vulntune.scan import default_model_path

    target = folder / "weightless"
    shutil.copytree(default_model_path(), target)
    for weights in target.glob("*.safetensors"):
        weights.write_bytes(b"not weights")
    return str(target)


def _vulntune(*args, cwd=None):
    done = subprocess.run([sys.executable, "-m", "vulntune.cli", *args], capture_output=True, text=True, cwd=cwd)
    return done.returncode, done.stdout, done.stderr


def test_slice_samples_label_the_sink_and_keep_twins(synth):
    samples = read_samples(synth / "train.jsonl")
    cut = slice_samples(samples)
    at_sink = [s for s in cut if s.meta["at_sink"]]
    assert {s.meta["slice_of"] for s in at_sink} <= {s.id for s in samples}
    assert all(s.label == "safe" and s.safe_kind is None and s.pair_id is None for s in cut if not s.meta["at_sink"])
    vulnerable = [s for s in at_sink if s.label == "vulnerable"]
    assert {s.meta["slice_of"] for s in vulnerable} == {s.id for s in samples if s.is_vulnerable}  # every sink found
    assert all("# <- " + s.cwe in s.code or "// <- " + s.cwe in s.code for s in vulnerable)
    safe_twins = {s.pair_id for s in at_sink if s.label == "safe"}
    assert len(safe_twins & {s.pair_id for s in vulnerable}) > len(vulnerable) // 2
    twin_texts = {(s.pair_id, s.code) for s in vulnerable}
    assert not any((s.pair_id, s.code) in twin_texts for s in at_sink if s.label == "safe")


def test_static_judges_on_records():
    records = [
        Sample(id="v", language="python", cwe="CWE-78", label="vulnerable", code=VULNERABLE),
        Sample(id="s", language="python", cwe="CWE-78", label="safe", code=SAFE),
        Sample(id="n", language="python", cwe="CWE-78", label="safe", code="def f():\n    return 1\n"),
        Sample(
            id="d",
            language="python",
            cwe="CWE-78",
            label="safe",
            code="import os\ndef f(h):\n    if 1 > 2:\n        os.system('ls ' + h)\n",
        ),
    ]
    every = {row["id"]: row for row in judge_records("none", records)}
    assert [every[i]["score"] for i in "vsnd"] == [1.0, 1.0, 0.0, 1.0]
    assert every["v"]["cwe"] == "CWE-78" and every["v"]["line"] == 4 and every["n"]["cwe"] is None
    reach = {row["id"]: row["score"] for row in judge_records("reachability", records)}
    assert reach == {"v": 1.0, "s": 0.0, "n": 0.0, "d": 0.0}  # `host = 'localhost'` overwrites: the flow kills it


def test_tfidf_and_tiny_judges_train_evaluate_and_scan_on_slices(synth, tmp_path):
    tfidf = train(TrainConfig(data=synth, base="tfidf", unit="slice", out=tmp_path / "tfidf", progress=False))
    meta = json.loads((tfidf / "vulntune-model.json").read_text())
    assert meta["training_config"]["unit"] == "slice" and meta["train_samples"] > meta["train_files"]
    tiny = train(
        TrainConfig(
            data=synth,
            base="tiny",
            unit="slice",
            out=tmp_path / "tiny",
            max_steps=2,
            batch_size=4,
            eval_batch_size=8,
            eval_steps=50,
            progress=False,
            threads=1,
        )
    )
    assert json.loads((tiny / "vulntune-model.json").read_text())["training_config"]["unit"] == "slice"

    code, _, err = _vulntune(
        "eval",
        "--model",
        str(tfidf),
        "--data",
        str(synth / "test.jsonl"),
        "--out",
        str(tmp_path / "report"),
        "--no-plots",
        "--bootstrap",
        "10",
    )
    assert code == 0, err
    rows = [json.loads(line) for line in (tmp_path / "report" / "predictions.jsonl").read_text().splitlines()]
    assert len(rows) == len(read_samples(synth / "test.jsonl"))

    project = tmp_path / "project"
    project.mkdir()
    (project / "ping.py").write_text(VULNERABLE)
    (project / "plain.py").write_text("def add(a, b):\n    return a + b\n")
    for model in (tfidf, tiny):
        code, out, err = _vulntune(
            "scan",
            str(project),
            "--model",
            str(model),
            "--format",
            "json",
            "--no-cache",
            "--explain",
            "--target-fpr",
            "0.2",
            cwd=tmp_path,
        )
        assert code in (0, 1), err
        report = json.loads(out)
        assert report["summary"]["units"] == 1  # one candidate: plain.py never reaches the judge
        for finding in report["findings"]:
            assert finding["line"] == 4 and finding["cwe"] == "CWE-78" and finding["unit_kind"] == "slice"
            assert "os.system('ping -c 1 ' + host)" in finding["slice"]
    code, out, err = _vulntune(
        "scan",
        str(project),
        "--model",
        str(tfidf),
        "--unit",
        "function",
        "--format",
        "json",
        "--no-cache",
        cwd=tmp_path,
    )
    assert code in (0, 1), err and json.loads(out)["summary"]["units"] == 2


def test_judge_none_reports_every_candidate_without_a_model(tmp_path):
    (tmp_path / "ping.py").write_text(VULNERABLE)
    (tmp_path / "Dao.java").write_text(
        "class Dao {\n  void find(java.sql.Statement st, String n) throws Exception {\n"
        '    st.executeQuery("SELECT * FROM t WHERE n = \'" + n + "\'");\n  }\n}\n'
    )
    code, out, err = _vulntune(
        "scan",
        str(tmp_path),
        "--judge",
        "none",
        "--format",
        "sarif",
        "--explain",
        "--model",
        _weightless_model(tmp_path),
        cwd=tmp_path,
    )
    assert code == 1, err
    results = json.loads(out)["runs"][0]["results"]
    assert sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results) == [
        ("CWE-78", 4),
        ("CWE-89", 3),
    ]
    assert all(r["properties"]["slice"] and r["properties"]["sink"] for r in results)
    code, out, _ = _vulntune("scan", str(tmp_path), "--judge", "none", cwd=tmp_path)
    assert code == 1 and "every candidate sink reported (--judge none, no model)" in out
    code, _, err = _vulntune("scan", str(tmp_path), "--judge", "none", "--unit", "function")
    assert code == 2 and "unit = slice" in err and "Traceback" not in err


def test_slice_scores_are_cached_independently_of_the_threshold(synth, tmp_path):
    from vulntune.models.baseline import load_tfidf
    from vulntune.scan import ResultCache, scan_paths
    from vulntune.scan.settings import ScanConfig

    model = train(TrainConfig(data=synth, base="tfidf", unit="slice", out=tmp_path / "m", progress=False))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ping.py").write_text(VULNERABLE)
    cache = ResultCache(tmp_path / "cache.sqlite")
    detector = load_tfidf(Path(model))
    first = scan_paths([tmp_path / "src"], detector=detector, config=ScanConfig(), cache=cache)
    detector.threshold, detector.thresholds = 0.0, {}
    second = scan_paths([tmp_path / "src"], detector=detector, config=ScanConfig(), cache=cache)
    assert first.stats["units_inferred"] == 1 and second.stats["units_cached"] == 1
    assert len(second.findings) == 1


UNREACHED = "import os\n\ndef run(host):\n    if 2 * 3 > 10:\n        os.system('ping -c 1 ' + host)\n"
CONSTANT = "import os\n\ndef run():\n    os.system('ping -c 1 localhost')\n"


def test_a_gated_judge_is_trained_and_asked_about_reachable_candidates_only(synth, tmp_path):
    from vulntune.analysis import analyse
    from vulntune.models.baseline import load_tfidf
    from vulntune.scan import scan_paths
    from vulntune.scan.settings import ScanConfig

    samples = read_samples(synth / "train.jsonl")
    every, gated = slice_samples(samples), slice_samples(samples, gate="reachability")
    assert 0 < len(gated) < len(every) and {s.id for s in gated} < {s.id for s in every}
    source = {s.id: s for s in samples}
    for cut in gated:  # `#i`: the i-th candidate of the sample it was cut from
        file_id, index = cut.id.rsplit("#", 1)
        assert analyse(source[file_id].code, cut.language)[int(index)].reachable
    assert any(
        not analyse(source[s.id.rsplit("#", 1)[0]].code, s.language)[int(s.id.rsplit("#", 1)[1])].reachable
        for s in every
    )
    # a candidate away from the sink is labelled safe only where reachability rules it out: one that
    # input or a parameter reaches is left out (its callers decide), so a gated judge sees sinks only
    others = [s for s in every if not s.meta["at_sink"]]
    assert others and all(s.label == "safe" for s in others)
    assert not any(
        analyse(source[s.id.rsplit("#", 1)[0]].code, s.language)[int(s.id.rsplit("#", 1)[1])].reachable for s in others
    )
    assert all(s.meta["at_sink"] for s in gated)
    with pytest.raises(Exception, match="gate"):
        TrainConfig(data=synth, base="tfidf", gate="reachability")  # files have no candidates to gate

    model = train(
        TrainConfig(data=synth, base="tfidf", unit="slice", gate="reachability", out=tmp_path / "m", progress=False)
    )
    detector = load_tfidf(model)
    detector.threshold, detector.thresholds = 0.0, {}  # flag whatever the judge is asked about
    records = [
        Sample(id=name, language="python", cwe="CWE-78", label="safe", code=code)
        for name, code in (("v", VULNERABLE), ("u", UNREACHED), ("c", CONSTANT))
    ]
    rows = {row["id"]: row for row in judge_records(detector, records)}
    assert rows["v"]["label"] == "vulnerable" and rows["v"]["line"] == 4
    assert rows["u"]["score"] == rows["c"]["score"] == 0.0 and rows["u"]["cwe"] is None  # never asked

    project = tmp_path / "project"
    project.mkdir()
    for name, code in (("ping.py", VULNERABLE), ("dead.py", UNREACHED), ("fixed.py", CONSTANT)):
        (project / name).write_text(code)
    report = scan_paths([project], detector=detector, config=ScanConfig(threat_model="all"), root=project)
    assert [(f.file, f.line) for f in report.findings] == [("ping.py", 4)]  # `host`: nothing calls `run`
    assert not scan_paths([project], detector=detector, config=ScanConfig(), root=project).findings  # remote
    assert report.summary.units == 3 and report.stats["units"] == 1  # three candidates, one judged


def test_judge_reachability_reports_reachable_candidates_without_a_model(tmp_path):
    for name, code in (("ping.py", VULNERABLE), ("dead.py", UNREACHED), ("fixed.py", CONSTANT)):
        (tmp_path / name).write_text(code)
    code, out, err = _vulntune(
        "scan",
        str(tmp_path),
        "--judge",
        "reachability",
        "--threat-model",
        "all",
        "--format",
        "json",
        "--no-cache",
        "--model",
        _weightless_model(tmp_path),
        cwd=tmp_path,
    )
    assert code == 1, err
    assert [(f["file"], f["line"]) for f in json.loads(out)["findings"]] == [("ping.py", 4)]
    code, out, err = _vulntune("scan", str(tmp_path), "--judge", "reachability", "--no-cache", cwd=tmp_path)
    assert code == 0, err  # remote, the default: `run(host)` is called by nothing, so `host` is not remote data
    code, out, _ = _vulntune("scan", str(tmp_path), "--judge", "reachability", "--no-cache", cwd=tmp_path)
    assert "every statically reachable candidate sink reported (--judge reachability, no model)" in out


def test_recalibrating_a_slice_judge_calibrates_on_its_gated_slices(synth, tmp_path):
    from vulntune.recalibrate import recalibrate

    model = train(
        TrainConfig(data=synth, base="tfidf", unit="slice", gate="reachability", out=tmp_path / "m", progress=False)
    )
    trained = json.loads((model / "vulntune-model.json").read_text())
    again = recalibrate(model)  # repeats the training calibration: the same slices, the same thresholds
    assert again["validation_metrics"]["samples"] == trained["validation_metrics"]["samples"]
    assert again["validation_metrics"]["samples"] == len(
        slice_samples(read_samples(synth / "validation.jsonl"), gate="reachability")
    )
    assert (again["threshold"], again["thresholds"]) == (trained["threshold"], trained["thresholds"])
