"""The Python half of the synthetic corpus: templates and the renderer.

Importing this package registers every Python source, propagation, sink, kill and guard into
`vulntune.synth.template.REGISTRY` and exposes `render(plan) -> Rendered`.
"""

from vulntune.synth.python import guards, kills, propagations, sinks, sources  # noqa: F401  (registers)
from vulntune.synth.python.render import render

__all__ = ["render"]
