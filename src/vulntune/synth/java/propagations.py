"""How the source value travels to the sink in a Java handler.

Each propagation declares `$type $out` from `$var`: `$type` is `String` for str values and
`InputStream` for bytes values, so propagations without string operations fit both kinds.
`$dflt` is a server-side default of the same type; `$affixed`, `$fmt`, `$sbchain`,
`$joinargs`, `$concatexpr` are the CWE's concatenation pieces (see render.py).
"""

from __future__ import annotations

from vulntune.synth.template import REGISTRY, Propagation

_LIST = ("java.util.ArrayList", "java.util.List")
_MAP = ("java.util.HashMap", "java.util.Map")

PROPAGATIONS = (
    Propagation(id="direct", language="java", lines="$type $out = $var;"),
    Propagation(id="concat", language="java", lines="String $out = $affixed;", string_ops=True),
    Propagation(
        id="string-format", language="java", lines='String $out = String.format("$fmt", $var);', string_ops=True
    ),
    Propagation(
        id="string-builder",
        language="java",
        string_ops=True,
        lines="StringBuilder $sb = new StringBuilder();\n$sb$sbchain;\nString $out = $sb.toString();",
    ),
    Propagation(id="string-join", language="java", lines='String $out = String.join("", $joinargs);', string_ops=True),
    Propagation(id="string-concat-method", language="java", lines="String $out = $concatexpr;", string_ops=True),
    Propagation(
        id="helper-method",
        language="java",
        lines="$type $out = $func($var);",
        helper="private static $type $func($type input) {\n"
        "    if (input == null) {\n"
        '        throw new IllegalArgumentException("missing input");\n'
        "    }\n"
        "    return input;\n"
        "}",
    ),
    Propagation(
        id="helper-strip",
        language="java",
        lines="String $out = $func($var);",
        string_ops=True,
        helper='private String $func(String raw) {\n    return raw == null ? "" : raw.strip();\n}',
    ),
    Propagation(
        id="list-add-get",
        language="java",
        imports=_LIST,
        lines="List<$type> $list = new ArrayList<>();\n$list.add($var);\n$type $out = $list.get(0);",
    ),
    Propagation(
        id="map-put-get",
        language="java",
        imports=_MAP,
        lines="Map<String, $type> $map = new HashMap<>();\n"
        '$map.put("$mapKey", $var);\n'
        '$type $out = $map.get("$mapKey");',
    ),
    Propagation(
        id="wrapper-class",
        language="java",
        lines="$Holder $tmp = new $Holder($var);\n$type $out = $tmp.get();",
        helper="private static final class $Holder {\n"
        "    private final $type value;\n"
        "\n"
        "    $Holder($type value) {\n"
        "        this.value = value;\n"
        "    }\n"
        "\n"
        "    $type get() {\n"
        "        return value;\n"
        "    }\n"
        "}",
    ),
    Propagation(
        id="wrapper-record",
        language="java",
        lines="$Holder $tmp = new $Holder($var);\n$type $out = $tmp.value();",
        helper="private record $Holder($type value) {\n}",
    ),
    Propagation(
        id="foreach-loop",
        language="java",
        imports=("java.util.List",),
        lines="$type $out = null;\nfor ($type $item : List.of($var)) {\n    $out = $item;\n}",
    ),
    Propagation(
        id="index-loop",
        language="java",
        imports=("java.util.List",),
        lines="List<$type> $list = List.of($var);\n"
        "$type $out = null;\n"
        "for (int $i = 0; $i < $list.size(); $i++) {\n"
        "    $out = $list.get($i);\n"
        "}",
    ),
    Propagation(
        id="char-loop",
        language="java",
        string_ops=True,
        lines="StringBuilder $sb = new StringBuilder();\n"
        "for (char $ch : $var.toCharArray()) {\n"
        "    $sb.append($ch);\n"
        "}\n"
        "String $out = $sb.toString();",
    ),
    Propagation(
        id="if-else",
        language="java",
        lines="$type $out;\nif ($var != null) {\n    $out = $var;\n} else {\n    $out = $dflt;\n}",
    ),
    Propagation(id="ternary", language="java", lines="$type $out = $var != null ? $var : $dflt;"),
    Propagation(
        id="ternary-blank",
        language="java",
        string_ops=True,
        lines="String $out = $var == null || $var.isBlank() ? $dflt : $var.trim();",
    ),
    Propagation(
        id="try-catch-decode",
        language="java",
        string_ops=True,
        imports=("java.net.URLDecoder", "java.nio.charset.StandardCharsets"),
        lines="String $out;\n"
        "try {\n"
        "    $out = URLDecoder.decode($var, StandardCharsets.UTF_8);\n"
        "} catch (IllegalArgumentException $e) {\n"
        "    $out = $var;\n"
        "}",
    ),
    Propagation(
        id="try-catch-require",
        language="java",
        imports=("java.util.Objects",),
        lines="$type $out;\n"
        "try {\n"
        "    $out = Objects.requireNonNull($var);\n"
        "} catch (NullPointerException $e) {\n"
        "    $out = $dflt;\n"
        "}",
    ),
    Propagation(
        id="optional-or-else",
        language="java",
        imports=("java.util.Optional",),
        lines="$type $out = Optional.ofNullable($var).orElse($dflt);",
    ),
    Propagation(
        id="stream-map",
        language="java",
        string_ops=True,
        imports=("java.util.stream.Collectors", "java.util.stream.Stream"),
        lines="String $out = Stream.of($var).map(String::trim).collect(Collectors.joining());",
    ),
    Propagation(
        id="instance-field",
        language="java",
        lines="$remember($var);\n$type $out = $recall();",
        helper="private $type $stash;\n"
        "\n"
        "private void $remember($type value) {\n"
        "    this.$stash = value;\n"
        "}\n"
        "\n"
        "private $type $recall() {\n"
        "    return this.$stash;\n"
        "}",
    ),
    Propagation(
        id="inner-class-field",
        language="java",
        lines="new $Holder().accept($var);\n$type $out = $stash;",
        helper="private $type $stash;\n"
        "\n"
        "private final class $Holder {\n"
        "    void accept($type value) {\n"
        "        $stash = value;\n"
        "    }\n"
        "}",
    ),
    Propagation(
        id="helper-chain",
        language="java",
        lines="$type $out = $func($var);",
        helper="private $type $func($type input) {\n"
        "    return $recall(input);\n"
        "}\n"
        "\n"
        "private $type $recall($type input) {\n"
        "    return Objects.requireNonNullElse(input, $dflt);\n"
        "}",
        imports=("java.util.Objects",),
    ),
    Propagation(id="array-element", language="java", lines="$type[] $arr = {$var};\n$type $out = $arr[0];"),
)

REGISTRY.register_all(PROPAGATIONS)
