"""CWE-643 XPath injection: lxml xpath / XPath / XPathEvaluator and elementpath built by
concatenation. Fixes bind XPath variables."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-643"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("username", "login", "sku", "part_no", "title_text", "code_name"),
    constants=("alice", "admin", "guest", "widget", "A-100"),
    affixes=(("", "-1"), ("A-", "")),
    step_comment="# find matching nodes",
)

_LXML = ("from lxml import etree",)

sink(
    id="xpath-concat-lxml-tree-xpath",
    cwe=CWE,
    api="lxml.etree._ElementTree.xpath",
    vulnerable="""
    $tree = etree.parse("$xmlfile")
    @@$nodes = $tree.xpath("//$entity[@$field='" + $value + "']")
    """,
    fixes=[
        fix(
            id="xpath-variable",
            code="""
        $tree = etree.parse("$xmlfile")
        @@$nodes = $tree.xpath("//$entity[@$field=$$q]", q=$value)
        """,
        ),
    ],
    imports=_LXML,
)

sink(
    id="xpath-percent-lxml-compiled",
    cwe=CWE,
    api="lxml.etree.XPath",
    vulnerable="""
    $tree = etree.parse("$xmlfile")
    @@$find = etree.XPath("//$entity[$field='%s']/@id" % $value)
    $nodes = $find($tree)
    """,
    fixes=[
        fix(
            id="xpath-variable",
            code="""
        $tree = etree.parse("$xmlfile")
        @@$find = etree.XPath("//$entity[$field=$$q]/@id")
        $nodes = $find($tree, q=$value)
        """,
        ),
    ],
    imports=_LXML,
)

sink(
    id="xpath-fstring-lxml-evaluator",
    cwe=CWE,
    api="lxml.etree.XPathEvaluator",
    vulnerable="""
    $tree = etree.parse("$xmlfile")
    @@$nodes = etree.XPathEvaluator($tree)(f"//$entity[$field='{$value}']/text()")
    """,
    fixes=[
        fix(
            id="xpath-variable",
            code="""
        $tree = etree.parse("$xmlfile")
        @@$nodes = etree.XPathEvaluator($tree)("//$entity[$field=$$q]/text()", q=$value)
        """,
        ),
    ],
    imports=_LXML,
)

sink(
    id="xpath-format-lxml-element-xpath",
    cwe=CWE,
    api="lxml.etree._Element.xpath",
    vulnerable="""
    $tree = etree.parse("$xmlfile").getroot()
    @@$nodes = $tree.xpath("./$entity[@$field='{}']".format($value))
    """,
    fixes=[
        fix(
            id="xpath-variable",
            code="""
        $tree = etree.parse("$xmlfile").getroot()
        @@$nodes = $tree.xpath("./$entity[@$field=$$q]", q=$value)
        """,
        ),
    ],
    imports=_LXML,
)

sink(
    id="xpath-concat-elementpath-select",
    cwe=CWE,
    api="elementpath.select",
    vulnerable="""
    $tree = ElementTree.parse("$xmlfile")
    @@$nodes = elementpath.select($tree, "//$entity[@$field = '" + $value + "']")
    """,
    fixes=[
        fix(
            id="xpath-variable",
            code="""
        $tree = ElementTree.parse("$xmlfile")
        @@$nodes = elementpath.select($tree, "//$entity[@$field = $$q]", variables={"q": $value})
        """,
        ),
    ],
    imports=("import elementpath", "from xml.etree import ElementTree"),
)
