"""The Java sink builders. Both languages' `sinks/common.py` offer the same three, called with
keyword arguments only:
- `vocabulary(cwe=..., params=..., ...)` builds the CWE's `JavaCweVocabulary` and registers it;
- `sink(id=..., cwe=..., api=..., vulnerable=..., fixes=..., ...)` builds one `Sink` and registers
  it (its safe kinds follow the catalogue's `taint` flag of the CWE);
- `fix(id=..., code=..., ...)` builds one `Fix` of a sink.

Java snippets are written flush left, lines joined with "\n", and used as written. Conventions
every sink and fix follows (the renderer relies on them):
- the code handles every checked exception except `IOException` itself (handlers declare
  `throws IOException` or a superset, servlet handlers `throws ServletException, IOException`);
- locals and fields are named through role placeholders (`$conn`, `$stmt` ...), so two roles
  never bind the same name;
- `$inject` on its own line before a field becomes the framework's injection annotation
  (`@Autowired`, `@Inject`, `@Resource`) or disappears;
- a sink that ends the handler with `return` gives `returns=(return type, the fallback
  expression a guarded twin returns after the `if`, imports the type needs)`, kept in
  `RETURN_SHAPES`;
- allow-lists, escapers and other helpers a fix uses live in the sink's prelude, so both
  twins carry them and only the call site differs;
- a `helper` (class members the code calls: a method that configures a cookie) belongs to its
  twin: a fix's `helper` replaces the sink's in the safe sample, so the twins differ inside it.
"""

from __future__ import annotations

from collections.abc import Iterable

from vulntune.synth.java.surface import JavaCweVocabulary
from vulntune.synth.template import REGISTRY, Fix, Sink, safe_kinds_for

RETURN_SHAPES: dict[str, tuple[str, str, tuple[str, ...]]] = {}
"""sink id -> (handler return type, fallback return expression, imports the type needs)."""


def vocabulary(**fields) -> JavaCweVocabulary:
    """Build and register one CWE's vocabulary record (`fields`: those of `JavaCweVocabulary`)."""
    return REGISTRY.register_vocabulary(JavaCweVocabulary(**fields))


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
    returns: tuple[str, str, tuple[str, ...]] | None = None,
    helper: str = "",
) -> Sink:
    """Build and register one Java sink (and its return shape, when it `returns`)."""
    template = REGISTRY.register(
        Sink(
            id=id,
            language="java",
            cwe=cwe,
            api=api,
            vulnerable=vulnerable,
            fixes=tuple(fixes),
            frameworks=frameworks,
            imports=imports,
            prelude=prelude,
            value_kind=value_kind,
            safe_kinds=safe_kinds_for(cwe),
            returns=returns is not None,
            helper=helper,
        )
    )
    if returns is not None:
        RETURN_SHAPES[id] = returns
    return template


def fix(*, id: str, code: str, imports: tuple[str, ...] = (), prelude: str = "", helper: str = "") -> Fix:
    """One fix of a sink; `code` is used as written."""
    return Fix(id=id, code=code, imports=imports, prelude=prelude, helper=helper)
