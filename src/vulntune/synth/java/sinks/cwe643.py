"""CWE-643 XPath injection: javax.xml.xpath expressions built by concatenation."""

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
