"""The Python sink builders. Both languages' `sinks/common.py` offer the same three, called with
keyword arguments only:
- `vocabulary(cwe=..., params=..., ...)` builds the CWE's `PythonCweVocabulary` and registers it;
- `sink(id=..., cwe=..., api=..., vulnerable=..., fixes=..., ...)` builds one `Sink` and registers
  it (its safe kinds follow the catalogue's `taint` flag of the CWE);
- `fix(id=..., code=..., ...)` builds one `Fix` of a sink.

Python snippets are written as indented triple-quoted strings: `sink` and `fix` dedent them
(`surface.snippet`). A sink that ends the handler with `return` says `returns=True`. A `helper`
is a module-level function or class the code calls (a `run_command` wrapper, a storage class); it
renders as a top-level block before or after the handler, and may hold the sink line.
"""

from __future__ import annotations

from collections.abc import Iterable

from vulntune.synth.python.surface import PythonCweVocabulary, snippet
from vulntune.synth.template import REGISTRY, Fix, Sink, safe_kinds_for

ALLOW_LIST = "$ALLOWED = $choices"


def vocabulary(**fields) -> PythonCweVocabulary:
    """Build and register one CWE's vocabulary record (`fields`: those of `PythonCweVocabulary`)."""
    return REGISTRY.register_vocabulary(PythonCweVocabulary(**fields))


def sink(
    *,
    id: str,
    cwe: str,
    api: str,
    vulnerable: str,
    fixes: Iterable[Fix],
    frameworks: tuple[str, ...] = (),
    imports: tuple[str, ...] = (),
    prelude: str = "",
    value_kind: str = "str",
    returns: bool = False,
    helper: str = "",
) -> Sink:
    """Build and register one Python sink; `vulnerable` and `helper` are dedented like every snippet."""
    return REGISTRY.register(
        Sink(
            id=id,
            language="python",
            cwe=cwe,
            api=api,
            vulnerable=snippet(vulnerable),
            fixes=tuple(fixes),
            frameworks=frameworks,
            imports=imports,
            prelude=prelude,
            value_kind=value_kind,
            safe_kinds=safe_kinds_for(cwe),
            returns=returns,
            helper=snippet(helper),
        )
    )


def fix(*, id: str, code: str, imports: tuple[str, ...] = (), prelude: str = "", helper: str = "") -> Fix:
    """One fix of a sink; `code` and `helper` are dedented like every snippet."""
    return Fix(id=id, code=snippet(code), imports=imports, prelude=prelude, helper=snippet(helper))
