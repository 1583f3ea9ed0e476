"""Weak negatives mined from real code (`--context-negatives`), and how training weighs them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from vulntune.cli import main
from vulntune.data import Sample
from vulntune.errors import VulntuneError
from vulntune.slices import slice_samples
from vulntune.synth.config import SynthConfig
from vulntune.synth.mined import mine_negatives, mine_repository
from vulntune.train import TrainConfig, class_weights

VIEWS = """
    import os
    from flask import Flask, request

    from .storage import read_upload

    app = Flask(__name__)
    BASE = "/srv/files"


    @app.route("/files")
    def download():
        name = request.args.get("name", "")
        return read_upload(name)


    def version():
        with open("VERSION") as handle:
            return handle.read()
    """
STORAGE = """
    import os

    BASE = "/srv/files"


    def read_upload(name):
        path = os.path.join(BASE, name)
        with open(path) as handle:
            return handle.read()
    """
CLI = """
    import subprocess
    import sys


    def main():
        subprocess.run(["git", "status"], check=True)
        return sys.argv
    """


def _repo(root: Path, name: str, files: dict[str, str]) -> Path:
    folder = root / "python-train" / name
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


def test_a_request_value_that_reaches_a_sink_in_another_file_is_mined_and_constants_are_not(tmp_path):
    folder = _repo(tmp_path, "acme__files", {"app/views.py": VIEWS, "app/storage.py": STORAGE})
    common = dict(name="acme/files", commit="c" * 40, language="python", suffix=".py", cwes=frozenset({"CWE-22"}))
    remote = mine_repository(folder, threat_model="remote", **common)
    assert [(s.meta["context"]["path"], s.meta["mined"]["sink"], s.cwe, s.safe_kind, s.label) for s in remote] == [
        ("app/storage.py", "path-join", "CWE-22", "mined", "safe"),
        ("app/storage.py", "path-open", "CWE-22", "mined", "safe"),
    ]
    sample = remote[1]
    assert sample.code.split("\n")[sample.sink_line - 1].strip().startswith("with open(path)")
    assert sample.meta["context"]["repository"] == "acme/files" and sample.meta["mined"]["threat_model"] == "remote"
    assert sample.family == "mined:acme/files" and sample.pair_id is None
    # read alone, storage.py's parameter is no remote source: across files it is
    alone = _repo(tmp_path, "acme__alone", {"app/storage.py": STORAGE})
    assert mine_repository(alone, threat_model="remote", **common) == []
    assert len(mine_repository(alone, threat_model="all", **common)) == 2
    # CWEs outside the corpus are not mined
    assert mine_repository(folder, threat_model="remote", **{**common, "cwes": frozenset({"CWE-78"})}) == []


def test_test_repositories_are_not_mined(tmp_path):
    _repo(tmp_path, "acme__files", {"app/views.py": VIEWS, "app/storage.py": STORAGE})
    _repo(tmp_path, "acme__other", {"app/views.py": VIEWS, "app/storage.py": STORAGE})
    repositories = {
        "acme/files": {"split": "validation", "commit": "1" * 40},
        "acme/other": {"split": "test", "commit": "2" * 40},
    }
    mined, report = mine_negatives(
        tmp_path, "python", repositories, suffix=".py", threat_model="remote", cwes=frozenset({"CWE-22"})
    )
    assert {split: len(samples) for split, samples in mined.items()} == {"train": 0, "validation": 2}
    assert report["per_repository"] == {"acme/files": 2} and report["per_cwe"] == {"CWE-22": 2}


def test_a_mined_sample_is_kept_as_the_slice_it_is():
    mined = Sample(
        id="python-mined-1",
        language="python",
        cwe="CWE-22",
        label="safe",
        code="def read_upload(name):\n    path = os.path.join(BASE, name)\n    with open(path) as handle:",
        safe_kind="mined",
        sink_line=3,
    )
    assert slice_samples([mined], gate="reachability") == [
        mined.__class__(**{**mined.__dict__, "id": "python-mined-1#0"})
    ]


def test_the_loss_weighs_a_mined_negative_by_mined_weight():
    torch = pytest.importorskip("torch")
    from types import SimpleNamespace

    from vulntune.train import make_loss

    encoder = SimpleNamespace(codec=None)
    loss = make_loss("classify", [1.0, 1.0], encoder, mined_weight=0.25)
    logits = torch.tensor([[0.0, 2.0], [0.0, 2.0]])
    plain = loss(SimpleNamespace(logits=logits), torch.tensor([0, 0]))
    weak = loss(SimpleNamespace(logits=logits), torch.tensor([0, 2]))  # 2 = class 0, weak
    one = torch.nn.functional.cross_entropy(logits[:1], torch.tensor([0]))
    assert torch.isclose(plain, one) and torch.isclose(weak, one * (1 + 0.25) / 2)


def test_class_weights_count_a_mined_sample_as_its_weight():
    def sample(label, kind=None):
        return Sample(id=label + str(kind), language="python", cwe="CWE-22", label=label, code="x", safe_kind=kind)

    samples = [sample("vulnerable"), sample("safe", "fix"), sample("safe", "mined"), sample("safe", "mined")]
    assert class_weights(samples, ("safe", "CWE-22"), mined_weight=0.5) == pytest.approx([3 / 4, 3 / 2])


@pytest.mark.parametrize(
    "settings, message",
    [
        (dict(context_negatives="all"), "--context-negatives needs --context realcode"),
        (
            dict(context="realcode", context_dir=Path("x"), context_negatives="everything"),
            "unknown --context-negatives",
        ),
    ],
)
def test_bad_negative_settings_are_refused(settings, message):
    with pytest.raises(VulntuneError, match=message):
        SynthConfig(**settings)


def test_mined_weight_is_checked():
    with pytest.raises(VulntuneError, match="mined_weight"):
        TrainConfig(mined_weight=0)
    with pytest.raises(VulntuneError, match="only applies to objective classify"):
        TrainConfig(mined_weight=0.5, objective="instruct")


def test_the_cli_refuses_negatives_without_a_context(tmp_path, capsys):
    code = main(
        ["synth", "--no-javac", "--quiet", "--per-cwe", "4", "--context-negatives", "all", "--out", str(tmp_path / "o")]
    )
    assert code == 2 and capsys.readouterr().err.count("\n") == 1
