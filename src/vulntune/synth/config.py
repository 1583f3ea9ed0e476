"""SynthConfig: everything that decides a corpus. Same config and seed, byte-identical output."""

from __future__ import annotations

from dataclasses import dataclass

from vulntune.cwe import CATALOGUE, check_language, normalize_cwe
from vulntune.errors import VulntuneError


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
    """

    languages: tuple[str, ...] = ("python", "java")
    cwes: tuple[str, ...] = ()
    per_cwe: int = 400
    seed: int = 0
    split: tuple[float, ...] = (0.8, 0.1, 0.1)
    near_duplicate_jaccard: float = 0.9
    javac: bool = True

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

    def cwes_for(self, language: str) -> tuple[str, ...]:
        """The CWEs to generate for `language`, in catalogue order."""
        wanted = self.cwes or tuple(CATALOGUE)
        return tuple(c for c in CATALOGUE if c in wanted and language in CATALOGUE[c].languages)
