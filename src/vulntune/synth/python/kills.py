"""Python taint kills, as twin pairs: `safe` replaces `$out` by a constant or an int, `vulnerable`
has the same shape and leaves it tainted (takes the other element, misses the branch ...).

`$cond_t` / `$cond_f` are constant conditions that differ in one token (`len("cedar") == 5`
vs `== 6`), drawn per sample.
"""

from __future__ import annotations

from vulntune.synth.template import REGISTRY, Kill

_ANY = ("str", "bytes")


def _k(id: str, vulnerable: str, safe: str, *, value_kinds: tuple[str, ...] = _ANY, prelude: str = "") -> Kill:
    return Kill(id=id, language="python", vulnerable=vulnerable, safe=safe, value_kinds=value_kinds, prelude=prelude)


KILLS = [
    _k("overwrite-literal", "$out = $out or $lit", "$out = $lit"),
    _k("int-conversion", "$out = str($out)", "$out = str(int($out))", value_kinds=("str",)),
    _k("int-format", '$out = "%s" % $out', '$out = "%d" % int($out)', value_kinds=("str",)),
    _k(
        "digits-only",
        "if not $out.strip():\n    $out = $lit",
        "if not $out.isdigit():\n    $out = $lit",
        value_kinds=("str",),
    ),
    _k("constant-branch", "if $cond_f:\n    $out = $lit", "if $cond_t:\n    $out = $lit"),
    _k(
        "constant-branch-else",
        "if $cond_f:\n    $out = $lit\nelse:\n    $out = $out.strip()",
        "if $cond_t:\n    $out = $lit\nelse:\n    $out = $out.strip()",
    ),
    _k("flag-branch", "if not $FLAG:\n    $out = $lit", "if $FLAG:\n    $out = $lit", prelude="$FLAG = True"),
    _k("constant-ternary", "$out = $lit if $cond_f else $out", "$out = $lit if $cond_t else $out"),
    _k("list-constant-element", "$items = [$out, $lit]\n$out = $items[0]", "$items = [$out, $lit]\n$out = $items[1]"),
    _k(
        "list-append-element",
        "$items = [$lit]\n$items.append($out)\n$out = $items[-1]",
        "$items = [$lit]\n$items.append($out)\n$out = $items[0]",
    ),
    _k(
        "dict-constant-value",
        '$bag = {"$k1": $out, "$k2": $lit}\n$out = $bag["$k1"]',
        '$bag = {"$k1": $out, "$k2": $lit}\n$out = $bag["$k2"]',
    ),
    _k("dict-get-default", '$out = {"$k1": $lit}.get("$k2", $out)', '$out = {"$k1": $lit}.get("$k1", $out)'),
    # conditions and indices computed from arithmetic: fold to a constant, never run at request time
    _k("arithmetic-branch", "if 24 * 60 > 86400:\n    $out = $lit", "if 24 * 60 < 86400:\n    $out = $lit"),
    _k("modulo-branch", "if 365 % 7 == 0:\n    $out = $lit", "if 365 % 7 == 1:\n    $out = $lit"),
    _k("arithmetic-ternary", "$out = $lit if 60 * 60 != 3600 else $out", "$out = $lit if 60 * 60 == 3600 else $out"),
    _k(
        "nested-list-element",
        "$items = [[$out], [$lit]]\n$out = $items[0][0]",
        "$items = [[$out], [$lit]]\n$out = $items[1][0]",
    ),
    _k("inline-list-index", "$out = [$out, $lit][0]", "$out = [$out, $lit][1]"),
    _k("computed-index", "$out = ($out, $lit)[6 - 2 * 3]", "$out = ($out, $lit)[7 - 2 * 3]"),
    _k("dict-dispatch-index", "$out = {0: $out, 1: $lit}[4 % 2]", "$out = {0: $out, 1: $lit}[3 % 2]"),
    _k(
        "match-constant",
        "match 3 % 2:\n    case 0:\n        $out = $lit",
        "match 3 % 2:\n    case 1:\n        $out = $lit",
    ),
    _k(
        "tuple-unpack-element",
        "$first, $second = $out, $lit\n$out = $first",
        "$first, $second = $out, $lit\n$out = $second",
    ),
]

REGISTRY.register_all(KILLS)
