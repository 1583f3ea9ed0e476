"""`vulntune eval` end to end on a toy corpus with the TF-IDF baseline: files, determinism,
rebuild from predictions, several models in one table, external-set CWE families, bad input."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from vulntune.cli import main
from vulntune.data import read_samples
from vulntune.evaluate.run import Scored, compute_metrics

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"

_SNIPPETS = {
    ("python", "CWE-89"): (
        "def f(request, db):\n    {v} = request.args.get('q')\n    db.execute('SELECT * FROM t WHERE a = ' + {v})\n",
        "def f(request, db):\n    {v} = request.args.get('q')\n    db.execute('SELECT * FROM t WHERE a = ?', ({v},))\n",
    ),
    ("python", "CWE-78"): (
        "def f(request):\n    {v} = request.args.get('h')\n    os.system('ping ' + {v})\n",
        "def f(request):\n    {v} = request.args.get('h')\n    subprocess.run(['ping', {v}])\n",
    ),
    ("java", "CWE-89"): (
        'void f(HttpServletRequest r, Statement s) throws Exception {{\n  String {v} = r.getParameter("q");\n'
        '  s.executeQuery("SELECT * FROM t WHERE a = " + {v});\n}}\n',
        'void f(HttpServletRequest r, Connection c) throws Exception {{\n  String {v} = r.getParameter("q");\n'
        '  PreparedStatement p = c.prepareStatement("SELECT * FROM t WHERE a = ?");\n  p.setString(1, {v});\n}}\n',
    ),
    ("java", "CWE-78"): (
        'void f(HttpServletRequest r) throws Exception {{\n  String {v} = r.getParameter("h");\n'
        '  Runtime.getRuntime().exec("ping " + {v});\n}}\n',
        'void f(HttpServletRequest r) throws Exception {{\n  String {v} = r.getParameter("h");\n'
        '  new ProcessBuilder("ping", {v}).start();\n}}\n',
    ),
}
_KINDS = ("fix", "untainted", "taint-killed", "unreached")


def toy_records(
    *, prefix: str, seed: int, languages=("python", "java"), cwes=("CWE-89", "CWE-78"), per=8
) -> list[dict]:
    """Twin pairs of tiny snippets; identifiers vary so the baseline must read the sink."""
    rng = random.Random(seed)
    words = ["user", "item", "order", "name", "query", "term", "path", "host", "note", "city"]
    out, k = [], 0
    for language in languages:
        for cwe in cwes:
            vuln, safe = _SNIPPETS[(language, cwe)]
            for i in range(per):
                v = f"{rng.choice(words)}{i}"
                pair = f"{prefix}-pair-{k}"
                out.append(
                    {
                        "id": f"{prefix}-{k}-v",
                        "language": language,
                        "cwe": cwe,
                        "label": "vulnerable",
                        "code": vuln.format(v=v),
                        "pair_id": pair,
                    }
                )
                out.append(
                    {
                        "id": f"{prefix}-{k}-s",
                        "language": language,
                        "cwe": cwe,
                        "label": "safe",
                        "safe_kind": _KINDS[i % 4],
                        "code": safe.format(v=v),
                        "pair_id": pair,
                    }
                )
                k += 1
    return out


def write_jsonl(path: Path, records) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def toy_corpus(folder: Path, **kw) -> Path:
    for split, seed in (("train", 0), ("validation", 1), ("test", 2)):
        write_jsonl(folder / f"{split}.jsonl", toy_records(prefix=split, seed=seed, **kw))
    return folder


def save_baseline(folder: Path, corpus: Path) -> Path:
    from vulntune.models.baseline import save_tfidf, train_tfidf

    detector = train_tfidf(
        read_samples(corpus / "train.jsonl"), validation=read_samples(corpus / "validation.jsonl"), seed=0
    )
    return save_tfidf(detector, folder)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return toy_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def model(tmp_path_factory, corpus) -> Path:
    return save_baseline(tmp_path_factory.mktemp("models") / "tfidf-both", corpus)


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("vulntune: ")
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_eval_writes_metrics_predictions_and_reports(capsys, tmp_path, corpus, model):
    out = tmp_path / "eval"
    code, stdout, _ = run_cli(capsys, "eval", "--model", model, "--data", corpus, "--out", out, "--bootstrap", 200)
    assert code == 0
    assert "python" in stdout and "java" in stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) == {"data", "models", "settings"}
    m = metrics["models"]["tfidf-both"]
    assert set(m) == {"model", "overall", "by_language", "by_cwe", "cwes_outside_model"}
    assert set(m["by_language"]) == {"python", "java"}
    assert set(m["by_language"]["java"]["by_cwe"]) == {"CWE-78", "CWE-89"}
    overall = m["overall"]
    assert overall["n"] == 64 and overall["positives"] == 32 and overall["negatives"] == 32
    assert overall["tp"] + overall["fn"] == 32
    assert set(overall["by_safe_kind"]) == set(_KINDS)
    assert overall["twins"]["pairs"] == 32
    for key in (
        "accuracy",
        "precision",
        "recall",
        "f1",
        "fpr",
        "fnr",
        "balanced_accuracy",
        "mcc",
        "auroc",
        "auprc",
        "vd_score",
        "cwe_accuracy",
        "fpr_ci",
        "f1_ci",
        "auroc_ci",
    ):
        assert key in overall
    rows = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    assert len(rows) == 64 and set(rows[0]) == {"model", "id", "score", "label", "cwe"}
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 4  # ROC, per-CWE FPR, confusion, histogram
    assert "http://" not in html and "https://" not in html  # self-contained
    md = (out / "report.md").read_text()
    assert "| tfidf-both | python |" in md and "FPR per safe kind" in md
    # the markdown shows the same four plots as files beside it
    linked = re.findall(r"!\[[^\]]*\]\((plots/[^)]+\.png)\)", md)
    assert len(linked) == 4 and sorted(p.name for p in (out / "plots").iterdir()) == sorted(
        Path(x).name for x in linked
    )
    assert all((out / x).read_bytes().startswith(b"\x89PNG") for x in linked)


def test_metrics_json_is_deterministic_and_rebuildable(capsys, tmp_path, corpus, model):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out in (a, b):
        assert run_cli(capsys, "eval", "--model", model, "--data", corpus, "--out", out, "--no-plots")[0] == 0
    assert (a / "metrics.json").read_bytes() == (b / "metrics.json").read_bytes()
    assert (a / "predictions.jsonl").read_bytes() == (b / "predictions.jsonl").read_bytes()
    # rebuilt from predictions.jsonl alone: the same metrics
    assert run_cli(capsys, "eval", "--rebuild", a, "--data", corpus, "--out", c, "--no-plots")[0] == 0
    assert (
        json.loads((c / "metrics.json").read_text())["models"] == json.loads((a / "metrics.json").read_text())["models"]
    )


def test_several_models_share_one_table(capsys, tmp_path, corpus, model):
    out = tmp_path / "multi"
    code, stdout, _ = run_cli(
        capsys,
        "eval",
        "--model",
        model,
        "--baseline",
        "tfidf",
        "--data",
        corpus,
        "--out",
        out,
        "--bootstrap",
        0,
        "--no-plots",
    )
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics["models"]) == ["tfidf-baseline", "tfidf-both"]
    # identical data for every model
    assert {m["overall"]["n"] for m in metrics["models"].values()} == {64}
    md = (out / "report.md").read_text()
    assert "| tfidf-baseline | java |" in md and "| tfidf-both | java |" in md


def test_language_filter(capsys, tmp_path, corpus, model):
    out = tmp_path / "py"
    assert (
        run_cli(
            capsys,
            "eval",
            "--model",
            model,
            "--data",
            corpus,
            "--language",
            "python",
            "--out",
            out,
            "--bootstrap",
            0,
            "--no-plots",
        )[0]
        == 0
    )
    assert set(json.loads((out / "metrics.json").read_text())["models"]["tfidf-both"]["by_language"]) == {"python"}


# --- bad input: one line, exit 2 --------------------------------------------------------------


def test_python_only_model_on_java_data(capsys, tmp_path):
    corpus = toy_corpus(tmp_path / "py", languages=("python",))
    model = save_baseline(tmp_path / "py-model", corpus)
    java = write_jsonl(tmp_path / "java.jsonl", toy_records(prefix="j", seed=3, languages=("java",)))
    code, _, err = run_cli(capsys, "eval", "--model", model, "--data", java, "--out", tmp_path / "o")
    assert_one_line_error(code, err, "python only", "java")


def test_labels_that_do_not_match(capsys, tmp_path):
    corpus = toy_corpus(tmp_path / "sqli", cwes=("CWE-89",))
    model = save_baseline(tmp_path / "sqli-model", corpus)
    cmdi = write_jsonl(tmp_path / "cmdi.jsonl", toy_records(prefix="c", seed=3, cwes=("CWE-78",)))
    code, _, err = run_cli(capsys, "eval", "--model", model, "--data", cmdi, "--out", tmp_path / "o")
    assert_one_line_error(code, err, "labels do not match", "CWE-78")


def test_empty_dataset(capsys, tmp_path, model):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    code, _, err = run_cli(capsys, "eval", "--model", model, "--data", empty, "--out", tmp_path / "o")
    assert_one_line_error(code, err, "no samples")


def test_language_filter_leaving_nothing(capsys, tmp_path, model):
    data = write_jsonl(tmp_path / "py.jsonl", toy_records(prefix="p", seed=3, languages=("python",)))
    code, _, err = run_cli(
        capsys, "eval", "--model", model, "--data", data, "--language", "java", "--out", tmp_path / "o"
    )
    assert_one_line_error(code, err, "empty")


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["--data", "{corpus}", "--out", "{tmp}/o"], "no model"),
        (["--model", "{tmp}/nope", "--data", "{corpus}", "--out", "{tmp}/o"], "no such model folder"),
        (["--model", "{corpus}", "--data", "{corpus}", "--out", "{tmp}/o"], ""),  # not a model folder
        (["--model", "{model}", "--data", "{tmp}/missing.jsonl", "--out", "{tmp}/o"], "no such file"),
        (["--model", "{model}", "--out", "{tmp}/o"], "no data"),
        (["--baseline", "tfidf", "--data", "{corpus}/test.jsonl", "--out", "{tmp}/o"], "needs training data"),
        (["--model", "{model}", "--data", "{corpus}", "--language", "cobol", "--out", "{tmp}/o"], "unknown language"),
    ],
)
def test_bad_arguments(capsys, tmp_path, corpus, model, argv, needle):
    argv = [a.format(corpus=corpus, tmp=tmp_path, model=model) for a in argv]
    code, _, err = run_cli(capsys, "eval", *argv)
    assert_one_line_error(code, err, needle)


# --- external sets ---------------------------------------------------------------------------


def test_juliet_child_cwes_count_as_their_catalogue_family(capsys, tmp_path, model):
    juliet = SHARED / "java-juliet.jsonl"
    if not juliet.is_file():
        pytest.skip("../shared/datasets not present")
    records = [json.loads(line) for line in juliet.read_text().splitlines()]
    wanted = {"CWE-23": 0, "CWE-36": 0, "CWE-89": 0, "CWE-113": 0}
    subset = []
    for r in records:
        if r["cwe"] in wanted and wanted[r["cwe"]] < 6:
            wanted[r["cwe"]] += 1
            subset.append(r)
    data = write_jsonl(tmp_path / "juliet.jsonl", subset)
    out = tmp_path / "juliet"
    # the toy model knows java, CWE-78 and CWE-89 only: CWE-22 and CWE-113 still count for detection
    assert (
        run_cli(capsys, "eval", "--model", model, "--data", data, "--out", out, "--bootstrap", 0, "--no-plots")[0] == 0
    )
    m = json.loads((out / "metrics.json").read_text())["models"]["tfidf-both"]
    assert set(m["by_cwe"]) == {"CWE-22", "CWE-89", "CWE-113"}
    assert m["by_cwe"]["CWE-22"]["n"] == 12
    assert m["cwes_outside_model"] == ["CWE-22", "CWE-113"]
    assert m["overall"]["n"] == 24


# --- the metrics dict as a whole -------------------------------------------------------------


def _scored(i, language, cwe, vulnerable, flagged, score, *, pair=None, kind=None, predicted=None):
    return Scored(
        id=str(i),
        language=language,
        cwe=cwe,
        vulnerable=vulnerable,
        safe_kind=kind,
        pair_id=pair,
        score=score,
        flagged=flagged,
        predicted_cwe=predicted or cwe,
    )


def test_compute_metrics_whole_dict_shape_and_values():
    items = [
        _scored(1, "python", "CWE-89", True, True, 0.9, pair="a"),
        _scored(2, "python", "CWE-89", False, True, 0.8, pair="a", kind="fix"),
        _scored(3, "python", "CWE-78", True, True, 0.7, pair="b", predicted="CWE-89"),
        _scored(4, "python", "CWE-78", False, False, 0.1, pair="b", kind="unreached"),
        _scored(5, "java", "CWE-89", True, False, 0.3, pair="c"),
        _scored(6, "java", "CWE-89", False, False, 0.2, pair="c", kind="fix"),
        _scored(7, "java", "CWE-113", True, True, 0.6),  # outside the model's classes
    ]
    m = compute_metrics(items, labels=["safe", "CWE-78", "CWE-89"], bootstrap=0)
    assert list(m["by_language"]) == ["java", "python"]
    assert list(m["by_cwe"]) == ["CWE-78", "CWE-89", "CWE-113"]
    assert m["cwes_outside_model"] == ["CWE-113"]
    o = m["overall"]
    assert (o["tp"], o["fp"], o["tn"], o["fn"]) == (3, 1, 2, 1)
    # CWE accuracy among true positives of known CWEs: #1 right, #3 wrong (#7 not counted)
    assert (o["cwe_tp"], o["cwe_accuracy"]) == (2, 0.5)
    assert o["by_safe_kind"] == {
        "fix": {"negatives": 2, "fp": 1, "fpr": 0.5, "fpr_ci": pytest.approx([0.094531, 0.905469], abs=1e-6)},
        "unreached": {"negatives": 1, "fp": 0, "fpr": 0.0, "fpr_ci": pytest.approx([0.0, 0.793451], abs=1e-6)},
    }
    assert {k: o["twins"][k] for k in ("pairs", "correct", "safe_flagged", "vulnerable_missed")} == {
        "pairs": 3,
        "correct": 1,
        "safe_flagged": 1,
        "vulnerable_missed": 1,
    }
    py = m["by_language"]["python"]
    assert (py["fpr"], py["recall"], py["twins"]["pair_correct_rate"]) == (0.5, 1.0, 0.5)
    assert m["by_language"]["python"]["by_cwe"]["CWE-89"]["fp"] == 1
    assert o["f1_ci"] is None and o["auroc_ci"] is None  # bootstrap 0


def test_zero_shot_comparator_in_the_same_table(capsys, tmp_path, corpus, model):
    out = tmp_path / "zs"
    code, _, err = run_cli(
        capsys,
        "eval",
        "--model",
        model,
        "--zero-shot",
        "tiny",
        "--data",
        corpus,
        "--out",
        out,
        "--bootstrap",
        0,
        "--no-plots",
    )
    assert code == 0, err
    models = json.loads((out / "metrics.json").read_text())["models"]
    assert list(models) == ["tfidf-both", "zero-shot-tiny"]
    # the untuned model's threshold is chosen on the validation split, like the fine-tuned ones'
    assert "validation.jsonl at FPR 1%" in models["zero-shot-tiny"]["model"]["source"]
    assert models["zero-shot-tiny"]["overall"]["n"] == models["tfidf-both"]["overall"]["n"] == 64
