"""CWE-643 XPath injection: lxml xpath / XPath / XPathEvaluator and elementpath built by
concatenation. Fixes bind XPath variables."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-643"
_LXML = ("from lxml import etree",)

SINKS = [
    sink(
        "xpath-concat-lxml-tree-xpath",
        CWE,
        "lxml.etree._ElementTree.xpath",
        """
        $tree = etree.parse("$xmlfile")
        @@$nodes = $tree.xpath("//$entity[@$field='" + $value + "']")
        """,
        [
            fix(
                "xpath-variable",
                """
            $tree = etree.parse("$xmlfile")
            @@$nodes = $tree.xpath("//$entity[@$field=$$q]", q=$value)
            """,
            ),
        ],
        imports=_LXML,
    ),
    sink(
        "xpath-percent-lxml-compiled",
        CWE,
        "lxml.etree.XPath",
        """
        $tree = etree.parse("$xmlfile")
        @@$find = etree.XPath("//$entity[$field='%s']/@id" % $value)
        $nodes = $find($tree)
        """,
        [
            fix(
                "xpath-variable",
                """
            $tree = etree.parse("$xmlfile")
            @@$find = etree.XPath("//$entity[$field=$$q]/@id")
            $nodes = $find($tree, q=$value)
            """,
            ),
        ],
        imports=_LXML,
    ),
    sink(
        "xpath-fstring-lxml-evaluator",
        CWE,
        "lxml.etree.XPathEvaluator",
        """
        $tree = etree.parse("$xmlfile")
        @@$nodes = etree.XPathEvaluator($tree)(f"//$entity[$field='{$value}']/text()")
        """,
        [
            fix(
                "xpath-variable",
                """
            $tree = etree.parse("$xmlfile")
            @@$nodes = etree.XPathEvaluator($tree)("//$entity[$field=$$q]/text()", q=$value)
            """,
            ),
        ],
        imports=_LXML,
    ),
    sink(
        "xpath-format-lxml-element-xpath",
        CWE,
        "lxml.etree._Element.xpath",
        """
        $tree = etree.parse("$xmlfile").getroot()
        @@$nodes = $tree.xpath("./$entity[@$field='{}']".format($value))
        """,
        [
            fix(
                "xpath-variable",
                """
            $tree = etree.parse("$xmlfile").getroot()
            @@$nodes = $tree.xpath("./$entity[@$field=$$q]", q=$value)
            """,
            ),
        ],
        imports=_LXML,
    ),
    sink(
        "xpath-concat-elementpath-select",
        CWE,
        "elementpath.select",
        """
        $tree = ElementTree.parse("$xmlfile")
        @@$nodes = elementpath.select($tree, "//$entity[@$field = '" + $value + "']")
        """,
        [
            fix(
                "xpath-variable",
                """
            $tree = ElementTree.parse("$xmlfile")
            @@$nodes = elementpath.select($tree, "//$entity[@$field = $$q]", variables={"q": $value})
            """,
            ),
        ],
        imports=("import elementpath", "from xml.etree import ElementTree"),
    ),
]

REGISTRY.register_all(SINKS)
