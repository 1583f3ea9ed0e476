"""`vulntune calibrate`: a saved model's threshold chosen again, weights untouched."""

import json

import pytest

from vulntune import load_detector
from vulntune.cli import main
from vulntune.models.folder import META_FILE, folder_fingerprint, read_meta
from vulntune.recalibrate import recalibrate
from vulntune.train import TrainConfig, train

pytestmark = pytest.mark.usefixtures("module_cache")


@pytest.fixture(scope="module")
def model(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("recalibrate") / "m"
    return train(
        TrainConfig(
            data=corpus,
            base="tiny",
            out=out,
            max_steps=2,
            batch_size=4,
            progress=False,
            threads=1,
            calibration_samples=16,
            seed=3,
        )
    )


def test_repeating_the_training_calibration_gives_the_same_threshold(model, tmp_path):
    before = read_meta(model)
    again = recalibrate(model)
    assert again["threshold"] == before["threshold"] and again["calibration"] == before["calibration"]
    assert again["validation_metrics"] == before["validation_metrics"]


def test_another_target_rewrites_threshold_metadata_and_card_not_weights(model):
    before = read_meta(model)
    card = model / "README.md"
    card.write_text(card.read_text() + "\n## Measured\n\nkept\n")
    after = recalibrate(model, target_fpr=0.5, scan_units=True)
    assert after["calibration"]["target_fpr"] == 0.5 and after["calibration"]["fpr"] <= 0.5
    assert after["threshold"] < before["threshold"] and after["calibration"]["scan_units"] > 0
    assert after["files"] == before["files"]  # the weights' checksums: untouched
    assert json.loads((model / META_FILE).read_text()) == read_meta(model) == after
    assert load_detector(model).threshold == after["threshold"]
    assert folder_fingerprint(after) != folder_fingerprint(before)
    text = card.read_text()
    assert "scan units cut from it) is at most 0.5000" in text and text.endswith("## Measured\n\nkept\n")
    assert recalibrate(model, scan_units=True)["threshold"] == after["threshold"]  # the current target kept
    recalibrate(model, target_fpr=before["calibration"]["target_fpr"], scan_units=False)  # back to training's
    assert read_meta(model)["threshold"] == before["threshold"]


def test_cli_errors_are_one_line_and_exit_2(model, tmp_path, capsys):
    assert main(["calibrate", "--model", str(tmp_path / "none")]) == 2
    assert main(["calibrate", "--model", str(model), "--target-fpr", "1.5"]) == 2
    assert main(["calibrate", "--model", str(model), "--data", "x", "--validation-file", "y"]) == 2
    assert main(["calibrate", "--model", str(model), "--data", str(tmp_path)]) == 2  # no validation.jsonl
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4 and all(line.startswith("vulntune: ") for line in err)


def test_an_evaluation_replaces_the_measured_section_and_keeps_the_metadata_part(tmp_path):
    from vulntune.models.card import write_measured

    (tmp_path / "README.md").write_text("# card\n\n| threshold | 0.5 |\n\n## Measured\n\nold numbers\n")
    card = write_measured(tmp_path, "## Measured\n\nnew numbers\n")
    assert card.read_text() == "# card\n\n| threshold | 0.5 |\n\n## Measured\n\nnew numbers\n"
    write_measured(tmp_path, "## Measured\n\nnewer\n")  # again: one section, not two
    assert card.read_text().count("## Measured") == 1 and card.read_text().endswith("newer\n")
