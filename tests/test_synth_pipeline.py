"""`vulntune synth` end to end on a small corpus: determinism, splits, twins, leaks, bad input."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from vulntune.cli import main
from vulntune.cwe import cwes_for
from vulntune.data import TWIN_KINDS, read_samples
from vulntune.synth.config import SynthConfig
from vulntune.synth.pipeline import build_corpus
from vulntune.synth.template import LEAK_WORDS
from vulntune.synth.templates import load_registry

PER_CWE = 24


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "corpus"
    code = main(["synth", "--per-cwe", str(PER_CWE), "--seed", "7", "--no-javac", "--quiet", "--out", str(out)])
    assert code == 0
    return out


def _splits(folder):
    return {name: read_samples(folder / f"{name}.jsonl") for name in ("train", "validation", "test")}


def test_every_language_and_cwe_is_generated_in_every_split(corpus):
    splits = _splits(corpus)
    for language in ("python", "java"):
        for name, samples in splits.items():
            assert {s.cwe for s in samples if s.language == language} == set(cwes_for(language)), (language, name)
    total = sum(len(s) for s in splits.values())
    assert total == PER_CWE * (len(cwes_for("python")) + len(cwes_for("java")))


def test_splits_are_template_disjoint_and_twins_stay_together(corpus):
    splits = _splits(corpus)
    families = {name: {s.family for s in samples} for name, samples in splits.items()}
    assert not families["train"] & families["validation"]
    assert not families["train"] & families["test"]
    assert not families["validation"] & families["test"]
    pair_split = {}
    for name, samples in splits.items():
        by_pair = defaultdict(list)
        for s in samples:
            by_pair[s.pair_id].append(s)
            assert pair_split.setdefault(s.pair_id, name) == name
        for pair in by_pair.values():
            labels = sorted(s.label for s in pair)
            assert labels == ["safe", "vulnerable"]
            vulnerable, safe = sorted(pair, key=lambda s: s.label != "vulnerable")
            assert vulnerable.safe_kind is None and safe.safe_kind in TWIN_KINDS
            assert vulnerable.family == safe.family and vulnerable.cwe == safe.cwe
            assert vulnerable.code != safe.code


def test_every_safe_kind_appears(corpus):
    kinds = {s.safe_kind for samples in _splits(corpus).values() for s in samples if s.safe_kind}
    assert kinds == set(TWIN_KINDS)


def test_records_are_label_neutral(corpus):
    for samples in _splits(corpus).values():
        for s in samples:
            assert not LEAK_WORDS.search(s.code), (s.id, LEAK_WORDS.search(s.code).group(0))
            assert not LEAK_WORDS.search(s.id) and "vuln" not in s.pair_id
            assert 1 <= s.sink_line <= len(s.code.splitlines())


def test_same_seed_gives_byte_identical_output(corpus, tmp_path):
    again = tmp_path / "again"
    assert main(["synth", "--per-cwe", str(PER_CWE), "--seed", "7", "--no-javac", "--quiet", "--out", str(again)]) == 0
    for name in ("train.jsonl", "validation.jsonl", "test.jsonl", "README.md", "summary.json"):
        assert (again / name).read_bytes() == (corpus / name).read_bytes(), name
    other = tmp_path / "other"
    assert main(["synth", "--per-cwe", str(PER_CWE), "--seed", "8", "--no-javac", "--quiet", "--out", str(other)]) == 0
    assert (other / "train.jsonl").read_bytes() != (corpus / "train.jsonl").read_bytes()


def test_card_and_summary_record_counts_and_checks(corpus):
    summary = json.loads((corpus / "summary.json").read_text())
    card = (corpus / "README.md").read_text()
    assert summary["config"]["seed"] == 7 and summary["config"]["per_cwe"] == PER_CWE
    assert summary["verification"]["failures"] == 0
    assert summary["dedup"]["label_conflict_pairs_removed"] == 0
    assert "--per-cwe 24 --seed 7" in card and "| python | CWE-89 |" in card and "| java | CWE-643 |" in card
    assert set(summary["shortcut_auroc"]) == {"all", "python", "java"}


def test_shortcut_features_do_not_separate_labels():
    """On a corpus large enough for stable AUROCs, trivial features stay within 0.40-0.60."""
    _, summary = build_corpus(SynthConfig(per_cwe=60, seed=0, javac=False))
    assert summary["shortcut_outside_band"] == [], summary["shortcut_auroc"]


def test_every_registered_sink_renders_verified_code_for_both_labels():
    """A broad pass over the generator: every sample of a mid-size corpus parses (and compiles, Python)."""
    splits, summary = build_corpus(SynthConfig(per_cwe=40, seed=3, javac=False))
    assert summary["verification"]["failures"] == 0
    registry = load_registry()
    used = {s.family.split("/")[2] for samples in splits.values() for s in samples}
    for language in ("python", "java"):
        for cwe in cwes_for(language):
            sinks = registry.sinks_for(language, cwe)
            assert len({s.api for s in sinks}) >= 3, (language, cwe)
            assert {s.id for s in sinks} <= used, (language, cwe, {s.id for s in sinks} - used)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--per-cwe", "0"], "per-cwe must be at least 2"),
        (["--languages", "python,rust"], "unknown language 'rust'"),
        (["--cwes", "CWE-99999"], "unknown CWE"),
        (["--languages", "java", "--cwes", "CWE-94"], "not catalogued for java"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys, argv, message):
    out = tmp_path / "out"
    assert main(["synth", "--no-javac", "--quiet", "--out", str(out), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_non_empty_output_folder_needs_force(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    argv = ["synth", "--per-cwe", "2", "--cwes", "CWE-89", "--no-javac", "--quiet", "--out", str(out)]
    assert main(argv) == 2
    assert "not empty" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine"
    assert main([*argv, "--force"]) == 0
    assert not (out / "keep.txt").exists() and (out / "train.jsonl").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folders left


def test_loadable_with_hugging_face_datasets(corpus):
    datasets = pytest.importorskip("datasets")
    ds = datasets.load_dataset("json", data_files={"test": str(corpus / "test.jsonl")}, split="test")
    assert set(ds.column_names) >= {
        "id",
        "language",
        "cwe",
        "label",
        "safe_kind",
        "code",
        "family",
        "pair_id",
        "sink_line",
    }
    assert len(ds) == len(read_samples(corpus / "test.jsonl"))


def test_ids_do_not_reveal_which_twin_is_vulnerable(corpus):
    for samples in _splits(corpus).values():
        for s in samples:
            assert s.id.split("-")[1] != s.pair_id.split("-")[1]
