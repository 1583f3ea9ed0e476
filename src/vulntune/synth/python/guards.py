"""Python guards: a condition around the sink block that always holds (`reached`, vulnerable
twin) or never holds (`unreached`, safe twin)."""

from __future__ import annotations

from vulntune.synth.template import REGISTRY, Guard


def _g(id: str, reached: str, unreached: str, prelude_reached: str = "", prelude_unreached: str = "") -> Guard:
    return Guard(
        id=id,
        language="python",
        reached=reached,
        unreached=unreached,
        prelude_reached=prelude_reached,
        prelude_unreached=prelude_unreached,
    )


GUARDS = [
    _g("literal-bool", "True", "False"),
    _g("literal-int", "1", "0"),
    _g("constant-expression", "$cond_t", "$cond_f"),
    _g("module-flag", "$FLAG", "$FLAG", "$FLAG = True", "$FLAG = False"),
    _g("module-flag-negated", "not $FLAG", "not $FLAG", "$FLAG = False", "$FLAG = True"),
    _g("settings-switch", '$OPTS["$opt"]', '$OPTS["$opt"]', '$OPTS = {"$opt": True}', '$OPTS = {"$opt": False}'),
    _g("module-none-check", "$LAZY is None", "$LAZY is None", "$LAZY = None", "$LAZY = {}"),
    _g("arithmetic-comparison", "7 * 3 < 100", "7 * 3 > 100"),
    _g("list-literal-index", "[False, True][1]", "[False, True][0]"),
    _g("constant-ternary", "(9 % 2 == 1) if 4 > 3 else False", "(9 % 2 == 0) if 4 > 3 else False"),
    _g("module-tuple-length", "len($OPTS) > 0", "len($OPTS) > 0", '$OPTS = ("$opt",)', "$OPTS = ()"),
]

REGISTRY.register_all(GUARDS)
