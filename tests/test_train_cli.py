"""`vulntune train` and `vulntune models` on the command line: success, and one line + exit 2 on bad input."""

import json

import pytest
from conftest import write_toy_corpus

from vulntune.cli import main
from vulntune.data import write_samples
from vulntune.models.toy import toy_corpus


@pytest.fixture(autouse=True)
def cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("VULNTUNE_CACHE", str(tmp_path_factory.getbasetemp() / "vulntune-cache-cli"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_toy_corpus(tmp_path_factory.mktemp("cli-corpus"), per_pair=3, seed=1)


@pytest.fixture(scope="module")
def tfidf_model(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-models") / "tfidf"
    assert main(["train", "--data", str(corpus), "--base", "tfidf", "--out", str(out)]) == 0
    return out


def one_line_error(capsys, argv, match):
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vulntune: "), err
    assert match in lines[0], lines[0]
    assert "Traceback" not in err


def test_train_tiny_cli(corpus, tmp_path, capsys):
    out = tmp_path / "m"
    rc = main(
        [
            "train",
            "--data",
            str(corpus),
            "--base",
            "tiny",
            "--max-steps",
            "2",
            "--batch-size",
            "4",
            "--threads",
            "1",
            "--no-progress",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    assert "validation FPR" in capsys.readouterr().err
    assert json.loads((out / "vulntune-model.json").read_text())["train_steps"] == 2


def test_models_list_and_info(tfidf_model, capsys):
    assert main(["models", "list", "--json"]) == 0
    names = [row["name"] for row in json.loads(capsys.readouterr().out)]
    assert names == ["smollm2-135m", "tiny", "tfidf"]
    assert main(["models", "info", str(tfidf_model)]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "tfidf"


def test_unknown_base(corpus, tmp_path, capsys):
    one_line_error(
        capsys,
        ["train", "--data", str(corpus), "--base", "llama-9000", "--out", str(tmp_path / "m")],
        "unknown base model 'llama-9000'",
    )


def test_not_a_model_folder(tmp_path, capsys):
    one_line_error(capsys, ["models", "info", str(tmp_path)], "not a vulntune model folder")


def test_label_map_does_not_match_head(tfidf_model, tmp_path, capsys):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(tfidf_model, broken)
    meta = json.loads((broken / "vulntune-model.json").read_text())
    meta["labels"] = meta["labels"] + ["CWE-918"]
    (broken / "vulntune-model.json").write_text(json.dumps(meta))
    from vulntune import load_detector
    from vulntune.errors import VulntuneError

    with pytest.raises(VulntuneError, match="does not match"):
        load_detector(broken)


def test_transformer_label_map_does_not_match_head(corpus, tmp_path):
    from vulntune import load_detector
    from vulntune.errors import VulntuneError

    out = tmp_path / "m"
    assert (
        main(
            [
                "train",
                "--data",
                str(corpus),
                "--base",
                "tiny",
                "--max-steps",
                "1",
                "--no-progress",
                "--threads",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    meta = json.loads((out / "vulntune-model.json").read_text())
    meta["labels"] = meta["labels"][:-1]
    (out / "vulntune-model.json").write_text(json.dumps(meta))
    with pytest.raises(VulntuneError, match="label map has 3 classes but the classification head has 4 outputs"):
        load_detector(out)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", "no samples"),
        ("{not json\n", "invalid JSON"),
        ('{"id": "a", "language": "python"}\n', "missing field"),
    ],
)
def test_bad_dataset(tmp_path, capsys, content, match):
    (tmp_path / "train.jsonl").write_text(content)
    (tmp_path / "validation.jsonl").write_text(content)
    one_line_error(capsys, ["train", "--data", str(tmp_path), "--base", "tfidf", "--out", str(tmp_path / "m")], match)


def test_single_label_dataset(tmp_path, capsys):
    train_samples, _ = toy_corpus(per_pair=2)
    write_samples(tmp_path / "train.jsonl", [s for s in train_samples if s.label == "vulnerable"])
    write_samples(tmp_path / "validation.jsonl", train_samples)
    one_line_error(
        capsys,
        ["train", "--data", str(tmp_path), "--base", "tiny", "--out", str(tmp_path / "m")],
        "every sample is vulnerable",
    )


def test_missing_data_folder(tmp_path, capsys):
    one_line_error(capsys, ["train", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "m")], "not a folder")


def test_existing_output_needs_force(corpus, tfidf_model, capsys):
    one_line_error(
        capsys, ["train", "--data", str(corpus), "--base", "tfidf", "--out", str(tfidf_model)], "pass --force"
    )


def test_bad_recipe(tmp_path, capsys):
    recipe = tmp_path / "r.toml"
    recipe.write_text("objective = 'classify'\nlearning_rate = 'fast'\n")
    one_line_error(capsys, ["train", "--recipe", str(recipe), "--out", str(tmp_path / "m")], "learning_rate")
    recipe.write_text("objective = [\n")
    one_line_error(capsys, ["train", "--recipe", str(recipe)], "invalid TOML")


def test_resume_without_checkpoint(corpus, tmp_path, capsys):
    one_line_error(
        capsys,
        ["train", "--data", str(corpus), "--base", "tiny", "--resume", "--out", str(tmp_path / "m")],
        "nothing to resume",
    )


def test_train_needs_out(corpus, capsys):
    one_line_error(capsys, ["train", "--data", str(corpus), "--base", "tfidf"], "'out'")
