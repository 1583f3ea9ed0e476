"""CWE-611 XML external entities: lxml parsers resolving entities, SAX / pulldom / minidom with
external general entities on, xmltodict with entities enabled."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-611"
_LXML = ("from lxml import etree",)
_SAX = ("import xml.sax", "from xml.sax.handler import feature_external_ges")

SINKS = [
    sink(
        "xxe-lxml-fromstring-resolve-entities",
        CWE,
        "lxml.etree.fromstring",
        """
        $parser = etree.XMLParser(resolve_entities=True, no_network=False)
        @@$doc = etree.fromstring($value, $parser)
        """,
        [
            fix(
                "no-entities-no-network",
                """
            $parser = etree.XMLParser(resolve_entities=False, no_network=True)
            @@$doc = etree.fromstring($value, $parser)
            """,
            ),
            fix(
                "no-dtd",
                """
            $parser = etree.XMLParser(resolve_entities=False, load_dtd=False, dtd_validation=False)
            @@$doc = etree.fromstring($value, $parser)
            """,
            ),
        ],
        imports=_LXML,
        value_kind="bytes",
    ),
    sink(
        "xxe-lxml-parse-load-dtd",
        CWE,
        "lxml.etree.parse",
        """
        $parser = etree.XMLParser(load_dtd=True, resolve_entities=True)
        @@$doc = etree.parse(io.BytesIO($value), $parser).getroot()
        """,
        [
            fix(
                "no-dtd",
                """
            $parser = etree.XMLParser(load_dtd=False, resolve_entities=False)
            @@$doc = etree.parse(io.BytesIO($value), $parser).getroot()
            """,
            ),
        ],
        imports=_LXML + ("import io",),
        value_kind="bytes",
    ),
    sink(
        "xxe-sax-external-general-entities",
        CWE,
        "xml.sax.xmlreader.XMLReader.parse",
        """
        $reader = xml.sax.make_parser()
        $reader.setFeature(feature_external_ges, True)
        $reader.setContentHandler(xml.sax.handler.ContentHandler())
        @@$reader.parse(io.BytesIO($value))
        """,
        [
            fix(
                "external-entities-off",
                """
            $reader = xml.sax.make_parser()
            $reader.setFeature(feature_external_ges, False)
            $reader.setContentHandler(xml.sax.handler.ContentHandler())
            @@$reader.parse(io.BytesIO($value))
            """,
            ),
            fix(
                "defusedxml-sax",
                """
            $reader = defusedxml.sax.make_parser()
            $reader.setFeature(feature_external_ges, False)
            $reader.setContentHandler(xml.sax.handler.ContentHandler())
            @@$reader.parse(io.BytesIO($value))
            """,
                imports=("import defusedxml.sax",),
            ),
        ],
        imports=_SAX + ("import io",),
        value_kind="bytes",
    ),
    sink(
        "xxe-pulldom-external-general-entities",
        CWE,
        "xml.dom.pulldom.parseString",
        """
        $reader = xml.sax.make_parser()
        $reader.setFeature(feature_external_ges, True)
        @@$events = pulldom.parseString($value, parser=$reader)
        """,
        [
            fix(
                "external-entities-off",
                """
            $reader = xml.sax.make_parser()
            $reader.setFeature(feature_external_ges, False)
            @@$events = pulldom.parseString($value, parser=$reader)
            """,
            ),
        ],
        imports=_SAX + ("from xml.dom import pulldom",),
    ),
    sink(
        "xxe-minidom-external-general-entities",
        CWE,
        "xml.dom.minidom.parseString",
        """
        $reader = xml.sax.make_parser()
        $reader.setFeature(feature_external_ges, True)
        @@$doc = minidom.parseString($value, parser=$reader)
        """,
        [
            fix(
                "defusedxml-minidom",
                """
            $reader = xml.sax.make_parser()
            $reader.setFeature(feature_external_ges, False)
            @@$doc = defused_minidom.parseString($value, parser=$reader)
            """,
                imports=("from defusedxml import minidom as defused_minidom",),
            ),
            fix(
                "external-entities-off",
                """
            $reader = xml.sax.make_parser()
            $reader.setFeature(feature_external_ges, False)
            @@$doc = minidom.parseString($value, parser=$reader)
            """,
            ),
        ],
        imports=_SAX + ("from xml.dom import minidom",),
    ),
    sink(
        "xxe-xmltodict-entities-enabled",
        CWE,
        "xmltodict.parse",
        """
        @@$doc = xmltodict.parse($value, disable_entities=False)
        """,
        [
            fix(
                "entities-disabled",
                """
            @@$doc = xmltodict.parse($value, disable_entities=True)
            """,
            ),
        ],
        imports=("import xmltodict",),
    ),
]

REGISTRY.register_all(SINKS)
