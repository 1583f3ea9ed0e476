"""Learning from the user's triage (issue 29): records, `vulntune triage`, `train --from-triage`.

The end-to-end test uses a TF-IDF judge (trained here in about a second on the scan tests'
hand-written samples, its corpus written to disk so the adaptation can replay it): scan a small
tree, dismiss one finding and confirm another through `vulntune triage` fed from stdin, adapt,
scan again with the adapted judge. TF-IDF learns that deterministically from two records; the
transformer path is checked on the tiny random model for what it writes, not for what it learns.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from vulntune.cli import main
from vulntune.data import write_samples
from vulntune.models.folder import read_meta
from vulntune.scan.baseline import load_baseline
from vulntune.triage.adapt import AdaptConfig, adapt, enough_to_calibrate, split_records
from vulntune.triage.records import TriageRecord, read_triage_file, records_from
from vulntune.triage.review import review

from fixtures.scan.helpers import training_samples

pytestmark = pytest.mark.usefixtures("private_cache")

# The dismissed finding, a look-alike of it in another file, and a true positive.
TREE = {
    "admin/logs.py": 'import os\n\n\ndef rotate_logs(days):\n    os.system("logrotate --keep " + str(int(days)))\n',
    "admin/cache.py": 'import os\n\n\ndef rotate_cache(days):\n    os.system("logrotate --cache " + str(int(days)))\n',
    "app/net.py": 'import os\n\n\ndef ping(host):\n    os.system("ping -c 1 " + host)\n',
}


def make_base(folder: Path, *languages: str) -> Path:
    """A TF-IDF judge trained through the CLI from a corpus on disk (its metadata records it)."""
    corpus = folder / "corpus"
    write_samples(corpus / "train.jsonl", training_samples(seed=0))
    write_samples(corpus / "validation.jsonl", training_samples(variants=3, seed=1))
    out = folder / "models" / ("base-" + "-".join(languages) if languages else "base")
    args = ["train", "--train-file", str(corpus / "train.jsonl"), "--validation-file", str(corpus / "validation.jsonl")]
    args += ["--base", "tfidf", "--out", str(out)] + (["--languages", ",".join(languages)] if languages else [])
    assert main(args) == 0
    return out


def make_tree(folder: Path) -> Path:
    for name, text in TREE.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return make_base(tmp_path_factory.mktemp("triage"))


@pytest.fixture
def tree(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(make_tree(tmp_path / "tree"))  # findings' paths are relative to the current folder
    return tmp_path / "tree"


def scan_json(model: Path, out: Path, *extra: str) -> dict:
    main(["scan", ".", "--model", str(model), "--format", "json", "--explain", "--output", str(out), *extra])
    return json.loads(out.read_text())


def triage(report: Path, out: Path, keys: str, monkeypatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(keys))
    return main(["triage", str(report), "--out", str(out)])


def flagged(report: dict) -> set[str]:
    return {f["file"] for f in report["findings"]}


def test_scan_mark_adapt_rescan(base, tree, tmp_path, monkeypatch, capsys):
    before = scan_json(base, tmp_path / "scan.json")
    assert flagged(before) == set(TREE)  # sorted: admin/cache.py, admin/logs.py, app/net.py
    assert triage(tmp_path / "scan.json", tmp_path / "triage.json", "s\nd days is an int\nc\n", monkeypatch) == 0
    marks = {
        f["file"]: (f.get("status"), f.get("reason"))
        for f in json.loads((tmp_path / "triage.json").read_text())["findings"]
    }
    assert marks == {
        "admin/cache.py": (None, None),
        "admin/logs.py": ("dismissed", "days is an int"),
        "app/net.py": ("confirmed", None),
    }
    out = tmp_path / "models" / "ours"
    code = main(
        [
            "train",
            "--from-triage",
            str(tmp_path / "triage.json"),
            "--model",
            str(base),
            "--out",
            str(out),
            "--source",
            ".",
        ]
    )
    assert code == 0, capsys.readouterr().err
    after = scan_json(out, tmp_path / "after.json")
    assert flagged(after) == {"app/net.py"}  # the dismissed one and its look-alike are gone
    meta = read_meta(out)
    sha = __import__("hashlib").sha256((tmp_path / "triage.json").read_bytes()).hexdigest()
    assert meta["triage"]["sha256"] == sha
    assert (meta["triage"]["records"], meta["triage"]["dismissed"], meta["triage"]["confirmed"]) == (2, 1, 1)
    assert meta["triage"]["held_out"] == 0  # two records are far too few to recalibrate on
    assert meta["triage"]["record_weight"] == 17.25  # 2 records carry a fifth of the weight beside 138 samples
    card = (out / "README.md").read_text()
    assert "## Adapted from triage" in card and "2 triage records" in card and sha in card


def test_triage_is_resumable_and_stays_a_baseline(base, tree, tmp_path, monkeypatch, capsys):
    scan_json(base, tmp_path / "scan.json")
    out = tmp_path / "triage.json"
    assert triage(tmp_path / "scan.json", out, "x\nd\n", monkeypatch) == 0  # unknown key, then dismiss; EOF quits
    err = capsys.readouterr().err
    assert "unknown key 'x'" in err and "1 dismissed now" in err and "2 left undecided" in err
    assert triage(tmp_path / "scan.json", out, "c\nq\n", monkeypatch) == 0
    err = capsys.readouterr().err
    assert "[1/2] CWE-78" in err and "admin/logs.py" in err and "admin/cache.py" not in err  # decided: not shown again
    statuses = [f.get("status") for f in json.loads(out.read_text())["findings"]]
    assert statuses == ["dismissed", "confirmed", None]
    assert len(load_baseline(out)) == 3  # every finding, marked or not, is still known to --baseline
    assert main(["scan", ".", "--model", str(base), "--baseline", str(out)]) == 0


def test_review_reads_keys_line_by_line(base, tree, tmp_path):
    scan_json(base, tmp_path / "scan.json")
    screen = io.StringIO()
    done = review(
        tmp_path / "scan.json", tmp_path / "scan.json", keys=io.StringIO("d\ns\nc ping takes any host\n"), screen=screen
    )
    assert (done.dismissed, done.skipped, done.confirmed, done.left) == (1, 1, 1, 1)
    findings = json.loads((tmp_path / "scan.json").read_text())["findings"]
    assert findings[2]["reason"] == "ping takes any host"
    assert "os.system" in screen.getvalue() and "lines 4-5" in screen.getvalue()


def one_line_error(capsys, args: list[str]) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("vulntune: ") and "Traceback" not in err
    return err


def marked(base: Path, tmp_path: Path, monkeypatch, keys: str = "s\nd\nc\n") -> Path:
    scan_json(base, tmp_path / "scan.json")
    triage(tmp_path / "scan.json", tmp_path / "triage.json", keys, monkeypatch)
    return tmp_path / "triage.json"


def adapt_args(triage_file: Path, model: Path, out: Path, *extra: str) -> list[str]:
    return ["train", "--from-triage", str(triage_file), "--model", str(model), "--out", str(out), *extra]


def test_bad_triage_files_are_one_line_errors(base, tree, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    empty = tmp_path / "empty.json"
    empty.write_text("")
    assert "is empty" in one_line_error(capsys, adapt_args(empty, base, out))
    broken = tmp_path / "broken.json"
    broken.write_text('{"findings": [')
    assert "not JSON" in one_line_error(capsys, adapt_args(broken, base, out))
    other = tmp_path / "other.json"
    other.write_text('{"results": []}')
    assert "neither a vulntune JSON report nor a SARIF log" in one_line_error(capsys, adapt_args(other, base, out))
    assert "no such file" in one_line_error(capsys, adapt_args(tmp_path / "missing.json", base, out))

    good = marked(base, tmp_path, monkeypatch)
    capsys.readouterr()
    report = json.loads(good.read_text())
    unmarked = tmp_path / "unmarked.json"
    unmarked.write_text(
        json.dumps(
            {
                **report,
                "findings": [{k: v for k, v in f.items() if k not in ("status", "reason")} for f in report["findings"]],
            }
        )
    )
    assert "no finding is marked" in one_line_error(capsys, adapt_args(unmarked, base, out))
    bad_status = tmp_path / "bad-status.json"
    bad_status.write_text(json.dumps({**report, "findings": [{**report["findings"][0], "status": "ignored"}]}))
    assert "status must be dismissed or confirmed" in one_line_error(capsys, adapt_args(bad_status, base, out))

    stranger = tmp_path / "stranger.json"
    stranger.write_text(json.dumps({**report, "model": {**report["model"], "fingerprint": "f" * 64}}))
    err = one_line_error(capsys, adapt_args(stranger, base, out, "--source", "."))
    assert "made with model ffffffffffff, not --model" in err

    python_only = make_base(tmp_path / "py", "python")
    capsys.readouterr()
    scan_json(python_only, tmp_path / "py-scan.json")
    py_report = json.loads((tmp_path / "py-scan.json").read_text())
    py_report["findings"][0].update(status="dismissed", language="java")
    (tmp_path / "java.json").write_text(json.dumps(py_report))
    capsys.readouterr()
    err = one_line_error(capsys, adapt_args(tmp_path / "java.json", python_only, out, "--source", "."))
    assert "is java code; --model" in err and "reads python" in err

    ghost = tmp_path / "ghost.json"
    findings = [dict(f) for f in report["findings"]]
    findings[1]["fingerprint"] = "0" * 32
    ghost.write_text(json.dumps({**report, "findings": findings}))
    err = one_line_error(capsys, adapt_args(ghost, base, out, "--source", "."))
    assert "1 marked finding(s) match nothing in the scan" in err and "0" * 32 in err

    # a function judge's report holds no slice: the code must be scanned again to recover it
    assert "carry no slice text" in one_line_error(capsys, adapt_args(good, base, out))
    assert not out.exists()


def test_usage_errors_of_from_triage(base, tree, tmp_path, monkeypatch, capsys):
    good = marked(base, tmp_path, monkeypatch)
    capsys.readouterr()
    out = tmp_path / "out"
    assert "applies only with --from-triage" in one_line_error(
        capsys, ["train", "--model", str(base), "--out", str(out)]
    )
    assert "does not apply with --from-triage" in one_line_error(capsys, adapt_args(good, base, out, "--data", "x"))
    assert "needs --model" in one_line_error(capsys, ["train", "--from-triage", str(good), "--out", str(out)])


def test_dp_epsilon_without_opacus_names_the_extra(base, tree, tmp_path, monkeypatch, capsys):
    good = marked(base, tmp_path, monkeypatch)
    capsys.readouterr()
    monkeypatch.setitem(__import__("sys").modules, "opacus", None)  # as if not installed
    err = one_line_error(capsys, adapt_args(good, base, tmp_path / "out", "--source", ".", "--dp-epsilon", "8"))
    assert "needs Opacus" in err and "vulntune[dp]" in err


def test_missing_corpus_needs_triage_only(tmp_path, monkeypatch, capsys):
    base = make_base(tmp_path / "lab")
    monkeypatch.chdir(make_tree(tmp_path / "tree"))
    good = marked(base, tmp_path, monkeypatch)
    (tmp_path / "lab" / "corpus" / "train.jsonl").rename(tmp_path / "lab" / "corpus" / "moved.jsonl")
    capsys.readouterr()
    out = tmp_path / "out"
    err = one_line_error(capsys, adapt_args(good, base, out, "--source", "."))
    assert "is not on disk; pass --triage-only" in err
    assert main(adapt_args(good, base, out, "--source", ".", "--triage-only")) == 0
    meta = read_meta(out)
    assert meta["triage"]["replay_source"] is None and meta["train_samples"] == 2
    assert "the base model" in meta["triage"]["thresholds_from"]  # nothing on disk to calibrate on
    assert meta["threshold"] == read_meta(base)["threshold"]


def test_a_killed_adaptation_leaves_no_model_folder(base, tree, tmp_path, monkeypatch, capsys):
    good = marked(base, tmp_path, monkeypatch)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("vulntune.models.card.write_card", killed)  # the last write inside the folder
    out = tmp_path / "models" / "ours"
    assert main(adapt_args(good, base, out, "--source", ".")) == 130
    assert not out.exists() and not [p for p in out.parent.iterdir() if p.name.startswith(".ours")]


def test_sarif_suppressions_and_baseline_state(base, tree, tmp_path):
    main(["scan", ".", "--model", str(base), "--format", "sarif", "--output", str(tmp_path / "scan.sarif")])
    log = json.loads((tmp_path / "scan.sarif").read_text())
    results = log["runs"][0]["results"]
    results[0]["suppressions"] = [{"kind": "external", "justification": "only integers reach it"}]
    results[1]["suppressions"] = [{"kind": "external", "status": "underReview"}]  # not decided yet
    results[2]["baselineState"] = "absent"  # fixed since: confirmed, but no slice to learn from
    (tmp_path / "scan.sarif").write_text(json.dumps(log))
    triage_file = read_triage_file(tmp_path / "scan.sarif")
    assert [(m.file, m.status, m.reason) for m in triage_file.marks] == [
        ("admin/cache.py", "dismissed", "only integers reach it")
    ]
    assert triage_file.ignored == 1 and triage_file.kind == "sarif"
    results[2]["properties"]["slice"] = "def ping(host):\n    os.system('ping -c 1 ' + host)\n"
    (tmp_path / "scan.sarif").write_text(json.dumps(log))
    triage_file = read_triage_file(tmp_path / "scan.sarif")
    assert [(m.file, m.status) for m in triage_file.marks] == [
        ("admin/cache.py", "dismissed"),
        ("app/net.py", "confirmed"),
    ]
    (tree / "app/net.py").write_text("def ping(host):\n    return host\n")  # fixed: the scan no longer finds it
    from vulntune.scan import ScanConfig, load_scan_model, scan_paths

    report = scan_paths(["."], detector=load_scan_model(base), config=ScanConfig(explain=True, cache=False))
    records = records_from(triage_file, report)
    assert [(r.file, r.status, r.text.split("(")[0]) for r in records] == [
        ("admin/cache.py", "dismissed", "def rotate_cache"),  # the function, read from the code
        ("app/net.py", "confirmed", "def ping"),
    ]


def test_inline_suppressions_are_dismissals(base, tree, tmp_path, monkeypatch):
    from vulntune.scan import ScanConfig, load_scan_model, scan_paths

    source = (tree / "admin/cache.py").read_text().replace("int(days)))\n", "int(days)))  # vulntune: ignore[CWE-78]\n")
    (tree / "admin/cache.py").write_text(source)
    good = marked(base, tmp_path, monkeypatch, "d\nc\n")  # admin/logs.py dismissed, app/net.py confirmed
    detector = load_scan_model(base)
    report = scan_paths(["."], detector=detector, config=ScanConfig(explain=True, cache=False))
    records = records_from(read_triage_file(good), report)
    assert [(r.file, r.status, r.source) for r in records] == [
        ("admin/cache.py", "dismissed", "inline"),
        ("admin/logs.py", "dismissed", "report"),
        ("app/net.py", "confirmed", "report"),
    ]
    assert records[0].text.startswith("def rotate_cache(days):")  # the function the judge read


def test_enough_held_out_records_to_calibrate():
    assert enough_to_calibrate(100, 0.01) and not enough_to_calibrate(99, 0.01)
    assert enough_to_calibrate(10, 0.1) and not enough_to_calibrate(9, 0.1)

    def record(i: int, status: str) -> TriageRecord:
        return TriageRecord(
            fingerprint=f"{i:032x}",
            status=status,
            reason=None,
            cwe="CWE-78",
            language="python",
            file="a.py",
            line=i,
            text=f"os.system({i})",
            source="report",
        )

    records = [record(i, "dismissed") for i in range(50)] + [record(100 + i, "confirmed") for i in range(10)]
    train, held = split_records(records, holdout=0.2, target_fpr=0.1, seed=0)
    assert (len(train), len(held), sum(r.status == "dismissed" for r in held)) == (48, 12, 10)
    assert split_records(records, holdout=0.2, target_fpr=0.1, seed=0) == (train, held)  # seeded
    assert split_records(records, holdout=0.2, target_fpr=0.01, seed=0) == (records, [])  # 10 < 100


@pytest.fixture(scope="module")
def tiny_judge(tmp_path_factory):
    """A tiny random classify judge trained two steps on the toy corpus, and a triage file of two
    marked slices for it; VULNTUNE_CACHE (where the tiny base is built) kept for the module."""
    from conftest import write_toy_corpus

    from vulntune.models.deferred import open_detector
    from vulntune.train import TrainConfig, train

    folder = tmp_path_factory.mktemp("tiny-judge")
    cache = str(folder / "cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VULNTUNE_CACHE", cache)
        corpus = write_toy_corpus(folder / "corpus")
        config = dict(data=corpus, base="tiny", max_steps=2, batch_size=4, eval_batch_size=8, eval_steps=50)
        base = train(TrainConfig(**config, out=folder / "base", progress=False, threads=1))
        fingerprint = open_detector(base).fingerprint
    marks = [
        ("dismissed", "import os\n\ndef f(days):\n    os.system('x ' + str(int(days)))\n"),
        ("confirmed", "import os\n\ndef g(host):\n    os.system('ping ' + host)\n"),
    ]
    findings = [
        {
            "fingerprint": f"{i:032x}",
            "status": status,
            "cwe": "CWE-78",
            "language": "python",
            "file": f"m{i}.py",
            "line": 4,
            "unit": "f",
            "start_line": 3,
            "slice": text,
        }
        for i, (status, text) in enumerate(marks)
    ]
    report = {"schema_version": 1, "model": {"fingerprint": fingerprint}, "findings": findings}
    (folder / "triage.json").write_text(json.dumps(report))
    return base, folder / "triage.json", cache


def test_transformer_judge_adapts_its_adapter_and_head(tiny_judge, tmp_path, monkeypatch):
    """The tiny random model: the folder is complete, loads, records the triage, and its adapter moved."""
    from safetensors.numpy import load_file

    from vulntune.models.deferred import open_detector

    base, triage_file, cache = tiny_judge
    monkeypatch.setenv("VULNTUNE_CACHE", cache)
    config = dict(triage=triage_file, model=base, epochs=1, threads=1, progress=False)
    out = adapt(AdaptConfig(**config, out=tmp_path / "ours"))
    meta = read_meta(out)
    assert meta["triage"]["replay_samples"] == 8 and meta["triage"]["trained_on"] == 2
    assert meta["triage"]["dp_epsilon"] is None and "dp" not in meta["triage"]
    assert meta["threshold"] == read_meta(base)["threshold"]  # too few records: the base's thresholds
    assert meta["base"] == read_meta(base)["base"] and meta["labels"] == read_meta(base)["labels"]
    moved = load_file(str(out / "adapter_model.safetensors"))
    start = load_file(str(base / "adapter_model.safetensors"))
    assert set(moved) == set(start) and any((moved[k] != start[k]).any() for k in moved)
    assert 0.0 <= open_detector(out).predict(["def f(x):\n    return x\n"], language="python")[0].score <= 1.0
    again = adapt(AdaptConfig(**config, out=tmp_path / "again"))
    assert load_file(str(again / "adapter_model.safetensors")).keys() == moved.keys()
    assert all((load_file(str(again / "adapter_model.safetensors"))[k] == moved[k]).all() for k in moved)  # seeded


def test_dp_sgd_records_the_epsilon_it_reached(tiny_judge, tmp_path, monkeypatch, capsys):
    pytest.importorskip("opacus")
    base, triage_file, cache = tiny_judge
    monkeypatch.setenv("VULNTUNE_CACHE", cache)
    args = adapt_args(triage_file, base, tmp_path / "private", "--epochs", "2", "--dp-epsilon", "8", "--threads", "1")
    assert main(args) == 0
    assert "DP-SGD epsilon" in capsys.readouterr().err
    meta = read_meta(tmp_path / "private")
    dp = meta["triage"]["dp"]
    assert 0 < dp["epsilon"] <= 8.0 and dp["target_epsilon"] == 8.0
    assert dp["delta"] == 1e-5 and dp["noise_multiplier"] > 0 and dp["max_grad_norm"] == 1.0
    assert meta["triage"]["dp_epsilon"] == dp["epsilon"]
    assert f"epsilon {dp['epsilon']}" in (tmp_path / "private" / "README.md").read_text()
    # an epsilon no noise can reach in so few steps over so few samples: refused in one line
    err = one_line_error(capsys, adapt_args(triage_file, base, tmp_path / "no", "--dp-epsilon", "1e-9"))
    assert "--dp-epsilon 1e-09: Opacus cannot honour it" in err
    assert not (tmp_path / "no").exists()


def test_dp_is_refused_for_the_tfidf_judge(base, tree, tmp_path, monkeypatch, capsys):
    pytest.importorskip("opacus")
    good = marked(base, tmp_path, monkeypatch)
    capsys.readouterr()
    err = one_line_error(capsys, adapt_args(good, base, tmp_path / "out", "--source", ".", "--dp-epsilon", "8"))
    assert "TF-IDF judge is refit by logistic regression" in err


def many_marks(fingerprint: str, dismissed: int, confirmed: int) -> dict:
    """A triage file of many marked slices (text in the file, so no scan is needed)."""
    findings = []
    for i in range(dismissed + confirmed):
        status = "dismissed" if i < dismissed else "confirmed"
        code = (
            f"import os\n\n\ndef rotate_{i}(days):\n    os.system('logrotate --n{i} ' + str(int(days)))\n"
            if status == "dismissed"
            else f"import os\n\n\ndef ping_{i}(host):\n    os.system('ping -c {i} ' + host)\n"
        )
        findings.append(
            {
                "fingerprint": f"{i:032x}",
                "status": status,
                "cwe": "CWE-78",
                "language": "python",
                "file": f"m{i}.py",
                "line": 5,
                "unit": "f",
                "start_line": 4,
                "slice": code,
            }
        )
    return {"schema_version": 1, "model": {"fingerprint": fingerprint}, "findings": findings}


def test_enough_held_out_records_recalibrate_the_tfidf_judge(base, tmp_path):
    from vulntune.models.deferred import open_detector

    (tmp_path / "many.json").write_text(json.dumps(many_marks(open_detector(base).fingerprint, 500, 20)))
    out = adapt(AdaptConfig(triage=tmp_path / "many.json", model=base, out=tmp_path / "ours", progress=False))
    meta = read_meta(out)
    assert (meta["triage"]["trained_on"], meta["triage"]["held_out"]) == (416, 104)
    assert meta["triage"]["thresholds_from"] == "104 held-out triage records"
    assert (meta["calibration"]["negatives"], meta["calibration"]["positives"]) == (100, 4)
    assert meta["calibration"]["fpr"] <= 0.01


def test_enough_held_out_records_recalibrate_a_transformer_judge(tiny_judge, tmp_path, monkeypatch):
    from vulntune.models.deferred import open_detector

    base, _, cache = tiny_judge
    monkeypatch.setenv("VULNTUNE_CACHE", cache)
    (tmp_path / "many.json").write_text(json.dumps(many_marks(open_detector(base).fingerprint, 500, 20)))
    config = AdaptConfig(
        triage=tmp_path / "many.json", model=base, out=tmp_path / "ours", replay=0, epochs=1, threads=1, progress=False
    )
    meta = read_meta(adapt(config))
    assert meta["triage"]["held_out"] == 104 and meta["triage"]["replay_samples"] == 0
    assert (meta["calibration"]["negatives"], meta["calibration"]["positives"]) == (100, 4)
    assert meta["thresholds"] and meta["threshold"] != read_meta(base)["threshold"]
