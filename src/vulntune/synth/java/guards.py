"""Conditions wrapped around the sink block: `reached` always holds, `unreached` never does.

javac accepts `if (false)` (it is the conditional-compilation idiom), so every condition here
compiles in both forms; preludes are class fields the condition reads.
"""

from __future__ import annotations

from vulntune.synth.template import REGISTRY, Guard

GUARDS = (
    Guard(id="literal", language="java", reached="true", unreached="false"),
    Guard(id="arithmetic", language="java", reached="1 + 1 == 2", unreached="1 + 1 == 3"),
    Guard(id="bitmask", language="java", reached="(4 & 1) == 0", unreached="(4 & 1) == 1"),
    Guard(
        id="flag-field",
        language="java",
        reached="$flag",
        unreached="$flag",
        prelude_reached="private static final boolean $flag = true;",
        prelude_unreached="private static final boolean $flag = false;",
    ),
    Guard(
        id="negated-flag",
        language="java",
        reached="!$flag",
        unreached="!$flag",
        prelude_reached="private static final boolean $flag = false;",
        prelude_unreached="private static final boolean $flag = true;",
    ),
    Guard(
        id="int-constant",
        language="java",
        reached="$limit > 0",
        unreached="$limit < 0",
        prelude_reached="private static final int $limit = 50;",
        prelude_unreached="private static final int $limit = 50;",
    ),
    Guard(
        id="mode-string",
        language="java",
        reached='"live".equals($mode)',
        unreached='"live".equals($mode)',
        prelude_reached='private static final String $mode = "live";',
        prelude_unreached='private static final String $mode = "maintenance";',
    ),
    Guard(id="modulo", language="java", reached="365 % 7 == 1", unreached="365 % 7 == 0"),
    Guard(id="constant-ternary", language="java", reached="(3 > 2 ? 1 : 0) == 1", unreached="(3 > 2 ? 0 : 1) == 1"),
    Guard(
        id="list-of-index",
        language="java",
        reached="java.util.List.of(0, 1).get(1) == 1",
        unreached="java.util.List.of(0, 1).get(0) == 1",
    ),
    Guard(id="max-value", language="java", reached="Integer.MAX_VALUE > 0", unreached="Integer.MAX_VALUE < 0"),
    Guard(
        id="clock",
        language="java",
        reached="System.currentTimeMillis() > 0",
        unreached="System.currentTimeMillis() < 0",
    ),
    Guard(id="literal-length", language="java", reached='"$entity".length() > 0', unreached='"$entity".isEmpty()'),
)

REGISTRY.register_all(GUARDS)
