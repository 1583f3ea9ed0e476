"""Builders shared by the per-CWE sink modules."""

from __future__ import annotations

from vulntune.synth.python.surface import snippet
from vulntune.synth.template import Fix, Sink

NON_TAINT = ("fix", "unreached")
ALLOW_LIST = "$ALLOWED = $choices"


def sink(id: str, cwe: str, api: str, vulnerable: str, fixes: list[Fix], **fields) -> Sink:
    """A Python sink; `vulnerable` is dedented like every snippet."""
    return Sink(
        id=id, language="python", cwe=cwe, api=api, vulnerable=snippet(vulnerable), fixes=tuple(fixes), **fields
    )


def fix(id: str, code: str, *, imports: tuple[str, ...] = (), prelude: str = "") -> Fix:
    return Fix(id=id, code=snippet(code), imports=imports, prelude=prelude)
