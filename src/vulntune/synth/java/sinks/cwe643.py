"""CWE-643 XPath injection: javax.xml.xpath expressions built by concatenation, String.format and
StringBuilder, in the handler or a helper method; the fixes bind, validate or quote the value."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary

CWE = "CWE-643"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("user", "login", "account", "member"),
    constants=("guest", "jdoe", "operator"),
    headers=("X-User", "X-Member"),
)

_PRELUDE = (
    'private static final String $xmlfile = "/etc/app/$table.xml";\n'
    'private static final Pattern $pattern = Pattern.compile("[A-Za-z0-9_.-]{1,64}");'
)
_IMPORTS = (
    "javax.xml.xpath.XPath",
    "javax.xml.xpath.XPathExpressionException",
    "javax.xml.xpath.XPathFactory",
    "org.xml.sax.InputSource",
    "java.util.regex.Pattern",
)
_NEW = "XPath $xp = XPathFactory.newInstance().newXPath();\n"
_RESOLVER = (
    'Map<String, String> $aux = Map.of("name", $value);\n'
    "$xp.setXPathVariableResolver(qname -> $aux.get(qname.getLocalPart()));\n"
)
_CHECK = 'if (!$pattern.matcher($value).matches()) {\n    throw new IllegalArgumentException("invalid name");\n}\n'
_CATCH = "} catch (XPathExpressionException $e) {\n    throw new IllegalStateException($e);\n}"
_ALLOWED = 'private static final Set<String> $allowed = Set.of("guest", "jdoe", "operator");'
_IN_SET = 'if (!$allowed.contains($value)) {\n    throw new IllegalArgumentException("unknown name");\n}\n'
# Builds an XPath 1.0 string literal: XPath has no escape character, so a value holding both
# quote kinds becomes concat('...', "'", '...').
_LITERAL = (
    "private static String $xlit(String raw) {\n"
    '    if (!raw.contains("\'")) {\n'
    '        return "\'" + raw + "\'";\n'
    "    }\n"
    '    if (!raw.contains("\\"")) {\n'
    '        return "\\"" + raw + "\\"";\n'
    "    }\n"
    '    return "concat(\'" + raw.replace("\'", "\', \\"\'\\", \'") + "\')";\n'
    "}"
)


def _sink(id: str, api: str, call: str, after: str, imports: tuple[str, ...] = ()) -> None:
    """`call` holds the expression as `EXPR`; the vulnerable twin concatenates, the fix binds $name."""

    def body(expr: str, pre: str = "") -> str:
        return _NEW + pre + "try {\n@@    " + call.replace("EXPR", expr) + "\n" + after + _CATCH

    concat = '"/users/user[@name=\'" + $value + "\']/email"'
    sink(
        id=id,
        cwe=CWE,
        api=api,
        prelude=_PRELUDE,
        imports=_IMPORTS + imports,
        vulnerable=body(concat),
        fixes=(
            fix(
                id="variable-resolver",
                imports=("java.util.Map",),
                code=body('"/users/user[@name=$$name]/email"', _RESOLVER),
            ),
            fix(id="pattern-allow-list", code=_CHECK + body(concat)),
            fix(id="set-allow-list", prelude=_ALLOWED, imports=("java.util.Set",), code=_IN_SET + body(concat)),
        ),
    )


_sink(
    "xpath-concat-evaluate",
    "javax.xml.xpath.XPath.evaluate",
    "String $res = $xp.evaluate(EXPR, new InputSource($xmlfile));",
    '    $log.info("lookup returned " + $res.length() + " chars");\n',
)
_sink(
    "xpath-concat-compile",
    "javax.xml.xpath.XPath.compile",
    "NodeList $res = (NodeList) $xp.compile(EXPR).evaluate(new InputSource($xmlfile), XPathConstants.NODESET);",
    '    $log.info("nodes " + $res.getLength());\n',
    ("org.w3c.dom.NodeList", "javax.xml.xpath.XPathConstants"),
)
_sink(
    "xpath-concat-evaluate-expression",
    "javax.xml.xpath.XPath.evaluateExpression",
    "String $res = $xp.evaluateExpression(EXPR, new InputSource($xmlfile), String.class);",
    '    $log.info("value " + $res);\n',
)
_sink(
    "xpath-concat-evaluate-node-set",
    "javax.xml.xpath.XPath.evaluate(QName)",
    "NodeList $res = (NodeList) $xp.evaluate(EXPR, new InputSource($xmlfile), XPathConstants.NODESET);",
    "    for (int $i = 0; $i < $res.getLength(); $i++) {\n"
    '        $log.info("match " + $res.item($i).getTextContent());\n'
    "    }\n",
    ("org.w3c.dom.NodeList", "javax.xml.xpath.XPathConstants"),
)

# Expressions built in a helper method the handler calls, where real code keeps its queries.
_HELPER = (
    "private String $xpfn(String $xname) throws XPathExpressionException {\n"
    "    XPath $xp = XPathFactory.newInstance().newXPath();\n"
    "PRE"
    "    String $expr = EXPR;\n"
    "@@    return $xp.evaluate($expr, new InputSource($xmlfile));\n"
    "}"
)
_CALL = (
    'try {\n    String $res = $xpfn($value);\n    $log.info("lookup returned " + $res.length() + " chars");\n' + _CATCH
)
sink(
    id="xpath-concat-helper-method-evaluate",
    cwe=CWE,
    api="javax.xml.xpath.XPath.evaluate",
    prelude=_PRELUDE,
    imports=_IMPORTS,
    helper=_HELPER.replace("PRE", "").replace("EXPR", '"/users/user[@name=\'" + $xname + "\']/email"'),
    vulnerable=_CALL,
    fixes=(
        fix(
            id="variable-resolver-in-helper",
            imports=("javax.xml.namespace.QName",),
            helper=_HELPER.replace(
                "PRE",
                '    $xp.setXPathVariableResolver((QName qname) -> "name".equals(qname.getLocalPart()) ? $xname : null);\n',
            ).replace("EXPR", '"/users/user[@name=$$name]/email"'),
            code=_CALL,
        ),
        fix(
            id="quoted-literal-in-helper",
            prelude=_LITERAL,
            helper=_HELPER.replace("PRE", "").replace("EXPR", '"/users/user[@name=" + $xlit($xname) + "]/email"'),
            code=_CALL,
        ),
    ),
)

_FORMAT = (
    "XPath $xp = XPathFactory.newInstance().newXPath();\n"
    "String $expr = String.format(\"//user[@login='%s']/role\", $value);\n"
    "try {\n"
    "@@    NodeList $res = (NodeList) $xp.evaluate($expr, new InputSource($xmlfile), XPathConstants.NODESET);\n"
    '    $log.info("roles " + $res.getLength());\n' + _CATCH
)
sink(
    id="xpath-format-evaluate-node-set",
    cwe=CWE,
    api="javax.xml.xpath.XPath.evaluate(String.format)",
    prelude=_PRELUDE,
    imports=_IMPORTS + ("org.w3c.dom.NodeList", "javax.xml.xpath.XPathConstants"),
    vulnerable=_FORMAT,
    fixes=(
        fix(id="set-allow-list", prelude=_ALLOWED, imports=("java.util.Set",), code=_IN_SET + _FORMAT),
        fix(id="pattern-allow-list", code=_CHECK + _FORMAT),
    ),
)

_BUILDER = (
    'StringBuilder $xsb = new StringBuilder("/users/user");\n'
    "APPEND\n"
    "XPath $xp = XPathFactory.newInstance().newXPath();\n"
    "RESOLVER"
    "try {\n"
    "@@    XPathExpression $compiled = $xp.compile($xsb.toString());\n"
    "    String $res = $compiled.evaluate(new InputSource($xmlfile));\n"
    '    $log.info("value " + $res);\n' + _CATCH
)
sink(
    id="xpath-string-builder-compile",
    cwe=CWE,
    api="javax.xml.xpath.XPath.compile(StringBuilder)",
    prelude=_PRELUDE,
    imports=_IMPORTS + ("javax.xml.xpath.XPathExpression",),
    vulnerable=_BUILDER.replace("RESOLVER", "").replace(
        "APPEND", '$xsb.append("[@login=\'").append($value).append("\']/email");'
    ),
    fixes=(
        fix(
            id="quoted-literal",
            prelude=_LITERAL,
            code=_BUILDER.replace("RESOLVER", "").replace(
                "APPEND", '$xsb.append("[@login=").append($xlit($value)).append("]/email");'
            ),
        ),
        fix(
            id="variable-resolver",
            imports=("java.util.Map",),
            code=_BUILDER.replace("RESOLVER", _RESOLVER).replace("APPEND", '$xsb.append("[@login=$$name]/email");'),
        ),
    ),
)
