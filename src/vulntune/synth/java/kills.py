"""Taint-killing steps as twin pairs, inserted after propagation.

The safe snippet replaces `$out` with a server-side value, or reduces it to digits (a number
can carry no injection and passes as validated data for CWE-501); the vulnerable one has the
same shape but leaves `$out` tainted: the branch never runs, the tainted element is taken out,
the conversion is a no-op.
`IMPORTS` lists what each kill needs (the Kill record has no imports field).
"""

from __future__ import annotations

from vulntune.synth.template import REGISTRY, Kill

_BOTH = ("str", "bytes")

KILLS = (
    Kill(
        id="overwrite-default",
        language="java",
        value_kinds=_BOTH,
        vulnerable="$out = $out != null ? $out : $dflt;",
        safe="$out = $dflt;",
    ),
    Kill(
        id="overwrite-null-check",
        language="java",
        value_kinds=_BOTH,
        vulnerable="if ($out == null) {\n    $out = $dflt;\n}",
        safe="if ($out != null) {\n    $out = $dflt;\n}",
    ),
    Kill(
        id="parse-int-round-trip",
        language="java",
        vulnerable="$out = String.valueOf($out.trim());",
        safe="$out = String.valueOf(Integer.parseInt($out.trim()));",
    ),
    Kill(
        id="parse-long-local",
        language="java",
        vulnerable="long $num = $out.length();\n$out = $out.substring(0, (int) $num);",
        safe="long $num = Long.parseLong($out);\n$out = Long.toString($num);",
    ),
    Kill(
        id="parse-boolean",
        language="java",
        vulnerable="$out = String.valueOf($out);",
        safe="$out = String.valueOf(Boolean.parseBoolean($out));",
    ),
    Kill(
        id="branch-length",
        language="java",
        vulnerable="if ($out.length() < 0) {\n    $out = $dflt;\n}",
        safe="if ($out.length() >= 0) {\n    $out = $dflt;\n}",
    ),
    Kill(
        id="branch-constant",
        language="java",
        value_kinds=_BOTH,
        vulnerable="if (Integer.MAX_VALUE < 0) {\n    $out = $dflt;\n}",
        safe="if (Integer.MAX_VALUE > 0) {\n    $out = $dflt;\n}",
    ),
    Kill(
        id="ternary-flag",
        language="java",
        value_kinds=_BOTH,
        prelude="private static final boolean $kflag = true;",
        vulnerable="$out = $kflag ? $out : $dflt;",
        safe="$out = $kflag ? $dflt : $out;",
    ),
    Kill(
        id="list-constant-element",
        language="java",
        value_kinds=_BOTH,
        vulnerable="List<$type> $klist = new ArrayList<>();\n$klist.add($dflt);\n$klist.add($out);\n$out = $klist.get(1);",
        safe="List<$type> $klist = new ArrayList<>();\n$klist.add($dflt);\n$klist.add($out);\n$out = $klist.get(0);",
    ),
    Kill(
        id="map-constant-entry",
        language="java",
        value_kinds=_BOTH,
        vulnerable='Map<String, $type> $kmap = new HashMap<>();\n$kmap.put("$k1", $out);\n'
        '$kmap.put("$k2", $dflt);\n$out = $kmap.get("$k1");',
        safe='Map<String, $type> $kmap = new HashMap<>();\n$kmap.put("$k1", $out);\n'
        '$kmap.put("$k2", $dflt);\n$out = $kmap.get("$k2");',
    ),
    Kill(
        id="array-constant-element",
        language="java",
        value_kinds=_BOTH,
        vulnerable="$type[] $karr = {$out, $dflt};\n$out = $karr[0];",
        safe="$type[] $karr = {$out, $dflt};\n$out = $karr[1];",
    ),
    # constant arithmetic, constant indices and switches on constants: fold to one outcome
    Kill(
        id="arithmetic-branch",
        language="java",
        value_kinds=_BOTH,
        vulnerable="if (24 * 60 > 86400) {\n    $out = $dflt;\n}",
        safe="if (24 * 60 < 86400) {\n    $out = $dflt;\n}",
    ),
    Kill(
        id="arithmetic-ternary",
        language="java",
        value_kinds=_BOTH,
        vulnerable="$out = 60 * 60 == 3600 ? $out : $dflt;",
        safe="$out = 60 * 60 != 3600 ? $out : $dflt;",
    ),
    Kill(
        id="switch-constant",
        language="java",
        value_kinds=_BOTH,
        vulnerable="switch (7 % 3) {\n    case 0:\n        $out = $dflt;\n        break;\n    default:\n        break;\n}",
        safe="switch (7 % 3) {\n    case 1:\n        $out = $dflt;\n        break;\n    default:\n        break;\n}",
    ),
    Kill(
        id="list-of-element",
        language="java",
        value_kinds=_BOTH,
        vulnerable="$out = List.of($out, $dflt).get(0);",
        safe="$out = List.of($out, $dflt).get(1);",
    ),
    Kill(
        id="map-of-constant-key",
        language="java",
        value_kinds=_BOTH,
        vulnerable='$out = Map.of("$k1", $out, "$k2", $dflt).get("$k1");',
        safe='$out = Map.of("$k1", $out, "$k2", $dflt).get("$k2");',
    ),
    Kill(
        id="switch-expression-constant",
        language="java",
        value_kinds=_BOTH,
        vulnerable='$out = switch ("$k1") {\n    case "$k1" -> $out;\n    default -> $dflt;\n};',
        safe='$out = switch ("$k2") {\n    case "$k1" -> $out;\n    default -> $dflt;\n};',
    ),
    Kill(
        id="regex-check",
        language="java",
        vulnerable='$out = $out.matches("[0-9]+") ? $dflt : $out;',
        safe='$out = $out.matches("[0-9]+") ? $out : $dflt;',
    ),
    Kill(
        id="digits-only",
        language="java",
        vulnerable='$out = $out.replaceAll("[\\r\\n]", "");',
        safe='$out = $out.replaceAll("[^0-9]", "");',
    ),
    Kill(
        id="builder-reset",
        language="java",
        vulnerable="StringBuilder $kbuf = new StringBuilder($dflt);\n$kbuf.setLength(0);\n$kbuf.append($out);\n"
        "$out = $kbuf.toString();",
        safe="StringBuilder $kbuf = new StringBuilder($out);\n$kbuf.setLength(0);\n$kbuf.append($dflt);\n"
        "$out = $kbuf.toString();",
    ),
)

IMPORTS: dict[str, tuple[str, ...]] = {
    "list-constant-element": ("java.util.ArrayList", "java.util.List"),
    "map-constant-entry": ("java.util.HashMap", "java.util.Map"),
    "list-of-element": ("java.util.List",),
    "map-of-constant-key": ("java.util.Map",),
}

REGISTRY.register_all(KILLS)
