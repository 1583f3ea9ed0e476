"""SynthConfig: everything that decides a corpus. Same config and seed, byte-identical output."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vulntune.cwe import CATALOGUE, LANGUAGES, check_language, normalize_cwe
from vulntune.errors import VulntuneError

GENERATORS = ("template", "llm", "mix")
# Fields that only the language-model generators read: left out of a template corpus's summary,
# so a template corpus is byte-identical to one generated before they existed.
LLM_FIELDS = (
    "generator",
    "endpoint",
    "model",
    "llm_share",
    "max_requests",
    "api_key_env",
    "cache_dir",
    "request_timeout",
)
CONTEXTS = ("none", "realcode")
# Fields that only real-context twins read: left out of a corpus without them, for the same reason.
CONTEXT_FIELDS = ("context", "context_dir", "context_share", "context_manifest", "context_negatives")
NEGATIVES = ("none", "remote", "local", "all")  # none, or the threat model candidates are mined under


@dataclass(kw_only=True, frozen=True)
class SynthConfig:
    """Settings of `vulntune synth`.

    Attributes:
        languages: languages to generate ("python", "java").
        cwes: CWE ids to generate; empty means every CWE catalogued for each language. A listed
            CWE is generated for those of `languages` that catalogue it.
        per_cwe: samples per (language, CWE) before dedup; half vulnerable, half their safe twins.
        seed: drives every random choice.
        split: fractions of template families for train, validation, test.
        near_duplicate_jaccard: MinHash Jaccard at or above which two samples count as near
            duplicates; near duplicates never sit in different splits.
        javac: compile Java samples with javac (when it is on the PATH).
        generator: "template" (the default), "llm" (every pair asked of a language model) or
            "mix" (a share `llm_share` of each (language, CWE)'s pairs from the model).
        endpoint: base URL of an OpenAI-compatible API (".../v1"), or its /chat/completions URL.
        model: the model name sent to the endpoint.
        llm_share: with "mix", the share of pairs per (language, CWE) asked of the model (0..1).
        max_requests: at most this many requests to the endpoint per run (cache hits are free).
        api_key_env: the environment variable holding the API key (never written anywhere).
        cache_dir: where answers are cached; None means $VULNTUNE_CACHE/llm or the user cache.
        request_timeout: seconds before one request counts as timed out (and is retried).
        context: "none" (the default: every template pair in its template module) or "realcode"
            (a share `context_share` of each (language, CWE)'s template pairs transplanted into
            real functions of `context_dir`).
        context_dir: a folder holding `python-train/` and/or `java-train/`, each with one folder
            per repository (`<owner>__<name>/...`, as the realcode archives unpack).
        context_share: with a context, the share of each (language, CWE)'s template pairs that
            go into real functions (0..1, 1 = all that can).
        context_manifest: a CSV with `language,split,repo,commit` rows (realcode's MANIFEST.csv):
            the commit recorded with each sample; a repository it marks as held out is refused.
        context_negatives: "none" (the default) or a threat model ("remote", "local", "all"):
            the candidates of the context's train and validation repositories that static analysis
            finds reachable under it join those splits as weak negatives (safe kind `mined`,
            `vulntune.synth.mined`).
    """

    languages: tuple[str, ...] = LANGUAGES
    cwes: tuple[str, ...] = ()
    per_cwe: int = 400
    seed: int = 0
    split: tuple[float, ...] = (0.8, 0.1, 0.1)
    near_duplicate_jaccard: float = 0.9
    javac: bool = True
    generator: str = "template"
    endpoint: str | None = None
    model: str | None = None
    llm_share: float = 0.3
    max_requests: int | None = None
    api_key_env: str = "OPENAI_API_KEY"
    cache_dir: Path | None = None
    request_timeout: float = 60.0
    context: str = "none"
    context_dir: Path | None = None
    context_share: float = 1.0
    context_manifest: Path | None = None
    context_negatives: str = "none"

    def __post_init__(self) -> None:
        if not self.languages:
            raise VulntuneError("no languages given")
        for language in self.languages:
            check_language(language)
        if len(set(self.languages)) != len(self.languages):
            raise VulntuneError("a language is listed twice")
        normalized = tuple(normalize_cwe(c) for c in self.cwes)
        for cwe in normalized:
            if cwe not in CATALOGUE:
                raise VulntuneError(f"unknown CWE {cwe} (see `vulntune cwe list`)")
            if not any(lang in CATALOGUE[cwe].languages for lang in self.languages):
                raise VulntuneError(f"{cwe} is not catalogued for {', '.join(self.languages)}")
        object.__setattr__(self, "cwes", normalized)
        if self.per_cwe < 2:
            raise VulntuneError(f"--per-cwe must be at least 2 (one vulnerable/safe pair), got {self.per_cwe}")
        if len(self.split) != 3 or any(f < 0 for f in self.split) or abs(sum(self.split) - 1.0) > 1e-6:
            raise VulntuneError(f"split must be three non-negative fractions summing to 1, got {self.split}")
        if not 0.5 <= self.near_duplicate_jaccard <= 1.0:
            raise VulntuneError("near_duplicate_jaccard must be within 0.5..1.0")
        self._check_generator()
        self._check_context()

    def _check_context(self) -> None:
        if self.context not in CONTEXTS:
            raise VulntuneError(f"unknown context {self.context!r} (expected one of {', '.join(CONTEXTS)})")
        if self.context == "none":
            given = [
                flag
                for flag, set_ in (
                    ("--context-dir", self.context_dir is not None),
                    ("--context-manifest", self.context_manifest is not None),
                    ("--context-share", self.context_share != 1.0),
                    ("--context-negatives", self.context_negatives != "none"),
                )
                if set_
            ]
            if given:
                raise VulntuneError(f"{given[0]} needs --context realcode")
            return
        if self.context_dir is None:
            raise VulntuneError(
                f"--context {self.context} needs --context-dir DIR (holding python-train/, java-train/)"
            )
        if not 0.0 < self.context_share <= 1.0:
            raise VulntuneError(f"--context-share must be in (0, 1], got {self.context_share}")
        if self.context_negatives not in NEGATIVES:
            raise VulntuneError(
                f"unknown --context-negatives {self.context_negatives!r} (expected one of {', '.join(NEGATIVES)})"
            )
        if self.generator == "llm":
            raise VulntuneError("--context places template pairs: it needs --generator template or mix")

    def _check_generator(self) -> None:
        if self.generator not in GENERATORS:
            raise VulntuneError(f"unknown generator {self.generator!r} (expected one of {', '.join(GENERATORS)})")
        if self.generator == "template":
            if self.endpoint is not None or self.model is not None:
                raise VulntuneError("--endpoint and --model need --generator llm or mix")
            return
        if not self.endpoint or not self.endpoint.startswith(("http://", "https://")):
            raise VulntuneError(
                f"--generator {self.generator} needs --endpoint http(s)://HOST/... (got {self.endpoint!r})"
            )
        if not self.model:
            raise VulntuneError(f"--generator {self.generator} needs --model NAME")
        if not 0.0 < self.llm_share < 1.0:
            raise VulntuneError(f"--llm-share must be between 0 and 1 (exclusive), got {self.llm_share}")
        if self.max_requests is not None and self.max_requests < 1:
            raise VulntuneError(f"--max-requests must be at least 1, got {self.max_requests}")
        if not self.api_key_env.isidentifier():
            raise VulntuneError(f"--api-key-env must name an environment variable, got {self.api_key_env!r}")
        if self.request_timeout <= 0:
            raise VulntuneError(f"request_timeout must be positive, got {self.request_timeout}")

    def llm_pairs(self) -> int:
        """Pairs per (language, CWE) asked of the language model (0 for the template generator)."""
        pairs = self.per_cwe // 2
        if self.generator == "llm":
            return pairs
        if self.generator == "mix":
            return round(pairs * self.llm_share)
        return 0

    def cwes_for(self, language: str) -> tuple[str, ...]:
        """The CWEs to generate for `language`, in catalogue order."""
        wanted = self.cwes or tuple(CATALOGUE)
        return tuple(c for c in CATALOGUE if c in wanted and language in CATALOGUE[c].languages)
