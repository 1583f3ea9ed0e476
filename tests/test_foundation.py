"""The shared foundation: CWE catalogue, sample records, typed configs, atomic writes, CLI errors."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from vulntune.atomic import atomic_dir, write_text
from vulntune.cli import main
from vulntune.config import from_mapping, to_mapping
from vulntune.cwe import CATALOGUE, cwes_for, get_cwe, normalize_cwe
from vulntune.data import Sample, fingerprint, read_samples, write_samples
from vulntune.errors import VulntuneError

REQUIRED_BOTH = [22, 78, 79, 89, 90, 328, 330, 501, 614, 643]
PYTHON_ALSO = [94, 327, 502, 601, 611, 798, 918]
JAVA_ALSO = [327, 502, 601, 611, 798, 918]


def test_catalogue_covers_every_required_cwe():
    for n in REQUIRED_BOTH + PYTHON_ALSO:
        assert f"CWE-{n}" in cwes_for("python")
    for n in REQUIRED_BOTH + JAVA_ALSO:
        assert f"CWE-{n}" in cwes_for("java")
    assert "CWE-94" not in cwes_for("java")
    for entry in CATALOGUE.values():
        assert entry.link == f"https://cwe.mitre.org/data/definitions/{entry.number}.html"
        assert entry.severity in ("low", "medium", "high", "critical")
        assert entry.description.endswith(".") and "\n" not in entry.description


def test_top25_ranks_2024():
    assert get_cwe("79").top25_rank == 1
    assert get_cwe("CWE-89").top25_rank == 3
    assert get_cwe("cwe-22").top25_rank == 5
    assert get_cwe(90).top25_rank is None


@pytest.mark.parametrize("bad", ["89x", "CWE-", "sql"])
def test_normalize_cwe_rejects_garbage(bad):
    with pytest.raises(VulntuneError):
        normalize_cwe(bad)


def test_unknown_cwe_is_an_error():
    with pytest.raises(VulntuneError, match="unknown CWE CWE-1234"):
        get_cwe("CWE-1234")


def _sample(i: int, label: str = "vulnerable") -> Sample:
    return Sample(
        id=f"s{i}",
        language="python",
        cwe="CWE-89",
        label=label,
        safe_kind="fix" if label == "safe" else None,
        code=f"x = {i}\n",
        family="f",
        pair_id="p",
        sink_line=1,
    )


def test_samples_round_trip_and_fingerprint(tmp_path):
    samples = [_sample(1), _sample(2, "safe")]
    path = tmp_path / "d.jsonl"
    assert write_samples(path, samples) == 2
    assert read_samples(path) == samples
    assert fingerprint(samples) == fingerprint(read_samples(path))
    assert fingerprint(samples) != fingerprint(samples[::-1])


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "invalid JSON"),
        ('{"id": "a", "language": "go", "cwe": "CWE-89", "label": "safe", "code": "x"}', "language"),
        ('{"id": "a", "language": "python", "cwe": "CWE-89", "label": "meh", "code": "x"}', "label"),
        ('{"id": "a", "language": "python", "cwe": "CWE-89", "label": "safe"}', "missing field 'code'"),
        ('{"id": "a", "language": "python", "cwe": "CWE-89", "label": "safe", "code": "x", "x": 1}', "unknown field"),
        ('{"id": "a", "language": "python", "cwe": "SQL", "label": "safe", "code": "x"}', "not a CWE id"),
    ],
)
def test_malformed_records_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(VulntuneError, match=message) as info:
        read_samples(path)
    assert f"{path}:1" in str(info.value)


def test_empty_dataset_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n")
    with pytest.raises(VulntuneError, match="no samples"):
        read_samples(path)


def test_external_record_schema_reads(tmp_path):
    record = {
        "id": "e1",
        "language": "java",
        "cwe": "CWE-89",
        "label": "safe",
        "code": "void f() {}",
        "pair_id": "p",
        "meta": {"origin": "x"},
    }
    path = tmp_path / "ext.jsonl"
    path.write_text(json.dumps(record) + "\n")
    (sample,) = read_samples(path)
    assert sample.safe_kind is None and sample.family is None and sample.meta == {"origin": "x"}


@dataclass(kw_only=True, frozen=True)
class _Cfg:
    name: str = "a"
    rate: float = 0.5
    steps: int = 3
    tags: tuple[str, ...] = ()
    flag: bool = False


def test_config_rejects_unknown_keys_and_wrong_types():
    cfg = from_mapping(_Cfg, {"rate": 1, "tags": ["x", "y"], "flag": True})
    assert cfg.rate == 1.0 and cfg.tags == ("x", "y") and cfg.flag is True
    assert to_mapping(cfg)["tags"] == ["x", "y"]
    with pytest.raises(VulntuneError, match="unknown key 'rat'"):
        from_mapping(_Cfg, {"rat": 1})
    with pytest.raises(VulntuneError, match="'steps'"):
        from_mapping(_Cfg, {"steps": "three"})
    with pytest.raises(VulntuneError, match="'flag'"):
        from_mapping(_Cfg, {"flag": 1})
    with pytest.raises(VulntuneError, match="'steps'"):
        from_mapping(_Cfg, {"steps": True})


def test_atomic_dir_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with atomic_dir(target) as tmp:
            write_text(tmp / "a.txt", "half")
            raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    with atomic_dir(target) as tmp:
        write_text(tmp / "a.txt", "whole")
    assert (target / "a.txt").read_text() == "whole"


def test_cli_cwe_list_and_errors(capsys):
    assert main(["cwe", "list", "--language", "java", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} == set(cwes_for("java"))
    assert main(["cwe", "list", "--language", "cobol"]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "unknown language 'cobol'" in err
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2


def test_stratified_sample_is_deterministic_and_keeps_pairs():
    from vulntune.data import stratified_sample

    samples = []
    for i in range(200):
        cwe = "CWE-89" if i % 4 < 2 else "CWE-22"
        samples.append(Sample(id=f"v{i}", language="python", cwe=cwe, label="vulnerable", code="a", pair_id=f"p{i}"))
        samples.append(Sample(id=f"s{i}", language="python", cwe=cwe, label="safe", code="b", pair_id=f"p{i}"))
    picked = stratified_sample(samples, 100, seed=1)
    assert picked == stratified_sample(samples, 100, seed=1)
    assert picked != stratified_sample(samples, 100, seed=2)
    assert 90 <= len(picked) <= 110
    pairs = {}
    for s in picked:
        pairs.setdefault(s.pair_id, set()).add(s.label)
    assert all(labels == {"vulnerable", "safe"} for labels in pairs.values())
    assert {s.cwe for s in picked} == {"CWE-89", "CWE-22"}
    with pytest.raises(VulntuneError):
        stratified_sample(samples, 0)


def test_atomic_outputs_have_ordinary_permissions(tmp_path):
    import os
    import stat

    mask = os.umask(0o022)
    try:
        with atomic_dir(tmp_path / "model") as tmp:
            write_text(tmp / "weights.txt", "w")
        assert stat.S_IMODE((tmp_path / "model").stat().st_mode) == 0o755
        assert stat.S_IMODE((tmp_path / "model" / "weights.txt").stat().st_mode) == 0o644
    finally:
        os.umask(mask)
