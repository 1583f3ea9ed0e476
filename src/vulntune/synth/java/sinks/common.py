"""The Java sink builder: conventions every sink and fix follows (the renderer relies on them):
- the code handles every checked exception except `IOException` itself (handlers declare
  `throws IOException` or a superset, servlet handlers `throws ServletException, IOException`);
- locals and fields are named through role placeholders (`$conn`, `$stmt` ...), so two roles
  never bind the same name;
- `$inject` on its own line before a field becomes the framework's injection annotation
  (`@Autowired`, `@Inject`, `@Resource`) or disappears;
- a sink that ends the handler with `return` records its return type and the fallback
  expression a guarded twin returns after the `if` in `RETURN_SHAPES`;
- allow-lists, escapers and other helpers a fix uses live in the sink's prelude, so both
  twins carry them and only the call site differs.
"""

from __future__ import annotations

from vulntune.synth.template import REGISTRY, Fix, Sink

RETURN_SHAPES: dict[str, tuple[str, str, tuple[str, ...]]] = {}
"""sink id -> (handler return type, fallback return expression, imports the type needs)."""

NON_TAINT = ("fix", "unreached")


def sink(
    *,
    id: str,
    cwe: str,
    api: str,
    vulnerable: str,
    fixes: tuple[Fix, ...],
    frameworks: tuple[str, ...] = (),
    imports: tuple[str, ...] = (),
    prelude: str = "",
    value_kind: str = "str",
    taint: bool = True,
    returns: tuple[str, str, tuple[str, ...]] | None = None,
) -> Sink:
    """Build and register one Java sink."""
    template = Sink(
        id=id,
        language="java",
        cwe=cwe,
        api=api,
        vulnerable=vulnerable,
        fixes=fixes,
        frameworks=frameworks,
        imports=imports,
        prelude=prelude,
        value_kind=value_kind,
        safe_kinds=("fix", "untainted", "taint-killed", "unreached") if taint else NON_TAINT,
        returns=returns is not None,
    )
    REGISTRY.register(template)
    if returns is not None:
        RETURN_SHAPES[id] = returns
    return template
