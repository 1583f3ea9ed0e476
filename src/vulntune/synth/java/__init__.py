"""The Java half of the synthetic corpus: templates (registered on import) and the renderer.

    from vulntune.synth.java import render
    rendered = render(plan)          # Rendered(code, sink_line)

Stub sources for the non-JDK APIs the templates use live in `stubs/` (see
`vulntune.synth.javac`).
"""

from __future__ import annotations

from pathlib import Path

from vulntune.synth.java import guards, kills, propagations, sinks, sources  # noqa: F401  (register)
from vulntune.synth.java.render import render

STUBS_DIR = Path(__file__).parent / "stubs"

__all__ = ["render", "STUBS_DIR"]
