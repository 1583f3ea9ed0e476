"""A plan: every random choice behind one twin pair, so both twins render from the same choices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from vulntune.synth.template import Fix, Guard, Kill, Propagation, Sink, Source


@dataclass(kw_only=True, frozen=True)
class Plan:
    """One sample to render.

    Attributes:
        language, cwe: what the sample is about.
        label: "vulnerable" or "safe".
        pair_kind: the safe kind of this pair (fix, untainted, taint-killed, unreached); the
            vulnerable twin carries it too, so it renders the counterpart structure (the kill's
            vulnerable snippet, the guard's reached condition, a constant that the sink ignores).
        fix / kill / guard: the chosen counterpart for the pair kind (None when not used).
        seed: drives every surface choice (identifiers, style, benign code); shared by twins.
    """

    language: str
    cwe: str
    label: str
    pair_kind: str
    source: Source
    propagation: Propagation
    sink: Sink
    fix: Fix | None
    kill: Kill | None
    guard: Guard | None
    seed: int

    @property
    def family(self) -> str:
        """Template family: the split unit. Sink x propagation, so a test family is a pattern never seen whole."""
        return f"{self.language}/{self.cwe}/{self.sink.id}/{self.propagation.id}"

    @property
    def safe_kind(self) -> str | None:
        return None if self.label == "vulnerable" else self.pair_kind


@dataclass(kw_only=True, frozen=True)
class Rendered:
    """A rendered sample: the code and the 1-based line of its sink call."""

    code: str
    sink_line: int


class Renderer(Protocol):
    """Each language package provides one: `vulntune.synth.<language>.render(plan) -> Rendered`."""

    def __call__(self, plan: Plan) -> Rendered: ...
