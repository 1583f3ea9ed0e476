"""Python propagations: how the source value `$var` travels into `$out`.

Concatenation and formatting use the weakness's affixes (`$pre`/`$suf` as code fragments,
`$ppre`/`$psuf` %-escaped and `$bpre`/`$bsuf` brace-escaped as literal text), so a file name
gains a folder and an extension, a greeting its punctuation. `string_ops=True` marks the
propagations that only fit str values.
"""

from __future__ import annotations

from vulntune.synth.python.surface import snippet
from vulntune.synth.template import REGISTRY, Propagation


def _p(
    id: str, lines: str, *, helper: str = "", string_ops: bool = False, imports: tuple[str, ...] = ()
) -> Propagation:
    return Propagation(id=id, language="python", lines=lines, helper=helper, string_ops=string_ops, imports=imports)


PROPAGATIONS = [
    _p("direct", "$out = $var"),
    _p("concat", "$out = $pre$var$suf", string_ops=True),
    _p("percent-format", '$out = "$ppre%s$psuf" % $var', string_ops=True),
    _p("percent-dict-format", '$out = "$ppre%($key)s$psuf" % {"$key": $var}', string_ops=True),
    _p("str-format", '$out = "$bpre{}$bsuf".format($var)', string_ops=True),
    _p("str-format-named", '$out = "$bpre{$key}$bsuf".format($key=$var)', string_ops=True),
    _p("f-string", '$out = f"$bpre{$var}$bsuf"', string_ops=True),
    _p("whitespace-collapse", '$out = " ".join($var.split())', string_ops=True),
    _p("char-loop", '$out = ""\nfor $ch in $var:\n    $out += $ch', string_ops=True),
    _p("char-filter", '$out = "".join($ch for $ch in $var if $ch.isprintable())', string_ops=True),
    _p(
        "helper-function",
        "$out = $helper($var)",
        helper=snippet("""
        def $helper(value):
            return value.strip()
        """),
    ),
    _p(
        "helper-default",
        "$out = $helper($var, $lit)",
        helper=snippet("""
        def $helper(value, default=None):
            if not value:
                return default
            return value
        """),
    ),
    _p(
        "helper-typed-format",
        "$out = $helper($var)",
        string_ops=True,
        helper=snippet("""
        def $helper(value: str) -> str:
            return "$bpre{}$bsuf".format(value.strip())
        """),
    ),
    _p("nested-function", "def $inner():\n    return $var\n\n$out = $inner()"),
    _p("lambda", "$norm = lambda s: s.strip()\n$out = $norm($var)"),
    _p("list-append-index", "$items = []\n$items.append($var)\n$out = $items[0]"),
    _p("list-pop", "$items = [$var]\n$out = $items.pop()"),
    _p("while-queue", "$items = [$var]\nwhile $items:\n    $out = $items.pop()"),
    _p("dict-put-get", '$bag = {}\n$bag["$key"] = $var\n$out = $bag["$key"]'),
    _p("dict-literal-get", '$bag = {"$key": $var}\n$out = $bag.get("$key")'),
    _p("module-cache", '$CACHE["$key"] = $var\n$out = $CACHE["$key"]', helper="$CACHE = {}"),
    _p(
        "wrapper-attribute",
        "$wrapped = $Cls($var)\n$out = $wrapped.value",
        helper=snippet("""
        class $Cls:
            def __init__(self, value):
                self.value = value
        """),
    ),
    _p(
        "wrapper-method",
        "$out = $Cls($var).get()",
        helper=snippet("""
        class $Cls:
            def __init__(self, value):
                self._value = value

            def get(self):
                return self._value
        """),
    ),
    _p(
        "dataclass-field",
        "$wrapped = $Cls($var)\n$out = $wrapped.$key",
        string_ops=True,
        imports=("from dataclasses import dataclass",),
        helper=snippet("""
        @dataclass
        class $Cls:
            $key: str
        """),
    ),
    _p("for-loop", "$out = $lit\nfor $part in ($var,):\n    $out = $part"),
    _p("comprehension", "$out = [$part for $part in [$var]][0]"),
    _p("next-iter", "$out = next(iter([$var]))"),
    _p("if-else", "if $var:\n    $out = $var\nelse:\n    $out = $lit"),
    _p("ternary", "$out = $var if $var else $lit"),
    _p("or-default", "$out = $var or $lit"),
    _p(
        "try-except",
        snippet("""
        try:
            $out = $var.strip()
        except AttributeError:
            $out = $lit
        """),
    ),
    _p(
        "try-helper",
        snippet("""
        try:
            $out = $helper($var)
        except (TypeError, ValueError):
            $out = $lit
        """),
        helper=snippet("""
        def $helper(value):
            if value is None:
                raise ValueError("empty")
            return value
        """),
    ),
    _p(
        "instance-field-methods",
        "$wrapped = $Cls()\n$wrapped.load($var)\n$out = $wrapped.current()",
        helper=snippet("""
        class $Cls:
            def __init__(self):
                self.value = None

            def load(self, value):
                self.value = value

            def current(self):
                return self.value
        """),
    ),
    _p(
        "helper-chain",
        "$out = $helper($var)",
        helper=snippet("""
        def $helper(value):
            return $inner(value.strip())


        def $inner(value):
            return value
        """),
    ),
    _p(
        "local-class",
        snippet("""
        class $Cls:
            def __init__(self, value):
                self.value = value

        $out = $Cls($var).value
        """),
    ),
    _p("tuple-unpack", "$out, $size = $var, len($var)"),
]

REGISTRY.register_all(PROPAGATIONS)
