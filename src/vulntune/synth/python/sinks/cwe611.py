"""CWE-611 XML external entities: lxml parsers resolving entities, SAX / pulldom / minidom with
external general entities on, xmltodict with entities enabled."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-611"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("xml_doc", "xml_body", "xml_text", "body_xml", "feed_xml", "upload_xml"),
    constants=("<config/>", "<items><item>1</item></items>", "<root/>", "<feed></feed>"),
    affixes=(("<root>", "</root>"), ('<?xml version=\\"1.0\\"?>', "")),
    step_comment="# parse the document",
)

_LXML = ("from lxml import etree",)
_SAX = ("import xml.sax", "from xml.sax.handler import feature_external_ges")

sink(
    id="xxe-lxml-fromstring-resolve-entities",
    cwe=CWE,
    api="lxml.etree.fromstring",
    vulnerable="""
    $parser = etree.XMLParser(resolve_entities=True, no_network=False)
    @@$doc = etree.fromstring($value, $parser)
    """,
    fixes=[
        fix(
            id="no-entities-no-network",
            code="""
        $parser = etree.XMLParser(resolve_entities=False, no_network=True)
        @@$doc = etree.fromstring($value, $parser)
        """,
        ),
        fix(
            id="no-dtd",
            code="""
        $parser = etree.XMLParser(resolve_entities=False, load_dtd=False, dtd_validation=False)
        @@$doc = etree.fromstring($value, $parser)
        """,
        ),
    ],
    imports=_LXML,
    value_kind="bytes",
)

sink(
    id="xxe-lxml-parse-load-dtd",
    cwe=CWE,
    api="lxml.etree.parse",
    vulnerable="""
    $parser = etree.XMLParser(load_dtd=True, resolve_entities=True)
    @@$doc = etree.parse(io.BytesIO($value), $parser).getroot()
    """,
    fixes=[
        fix(
            id="no-dtd",
            code="""
        $parser = etree.XMLParser(load_dtd=False, resolve_entities=False)
        @@$doc = etree.parse(io.BytesIO($value), $parser).getroot()
        """,
        ),
    ],
    imports=_LXML + ("import io",),
    value_kind="bytes",
)

sink(
    id="xxe-sax-external-general-entities",
    cwe=CWE,
    api="xml.sax.xmlreader.XMLReader.parse",
    vulnerable="""
    $reader = xml.sax.make_parser()
    $reader.setFeature(feature_external_ges, True)
    $reader.setContentHandler(xml.sax.handler.ContentHandler())
    @@$reader.parse(io.BytesIO($value))
    """,
    fixes=[
        fix(
            id="external-entities-off",
            code="""
        $reader = xml.sax.make_parser()
        $reader.setFeature(feature_external_ges, False)
        $reader.setContentHandler(xml.sax.handler.ContentHandler())
        @@$reader.parse(io.BytesIO($value))
        """,
        ),
        fix(
            id="defusedxml-sax",
            code="""
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
)

sink(
    id="xxe-pulldom-external-general-entities",
    cwe=CWE,
    api="xml.dom.pulldom.parseString",
    vulnerable="""
    $reader = xml.sax.make_parser()
    $reader.setFeature(feature_external_ges, True)
    @@$events = pulldom.parseString($value, parser=$reader)
    """,
    fixes=[
        fix(
            id="external-entities-off",
            code="""
        $reader = xml.sax.make_parser()
        $reader.setFeature(feature_external_ges, False)
        @@$events = pulldom.parseString($value, parser=$reader)
        """,
        ),
    ],
    imports=_SAX + ("from xml.dom import pulldom",),
)

sink(
    id="xxe-minidom-external-general-entities",
    cwe=CWE,
    api="xml.dom.minidom.parseString",
    vulnerable="""
    $reader = xml.sax.make_parser()
    $reader.setFeature(feature_external_ges, True)
    @@$doc = minidom.parseString($value, parser=$reader)
    """,
    fixes=[
        fix(
            id="defusedxml-minidom",
            code="""
        $reader = xml.sax.make_parser()
        $reader.setFeature(feature_external_ges, False)
        @@$doc = defused_minidom.parseString($value, parser=$reader)
        """,
            imports=("from defusedxml import minidom as defused_minidom",),
        ),
        fix(
            id="external-entities-off",
            code="""
        $reader = xml.sax.make_parser()
        $reader.setFeature(feature_external_ges, False)
        @@$doc = minidom.parseString($value, parser=$reader)
        """,
        ),
    ],
    imports=_SAX + ("from xml.dom import minidom",),
)

sink(
    id="xxe-xmltodict-entities-enabled",
    cwe=CWE,
    api="xmltodict.parse",
    vulnerable="""
    @@$doc = xmltodict.parse($value, disable_entities=False)
    """,
    fixes=[
        fix(
            id="entities-disabled",
            code="""
        @@$doc = xmltodict.parse($value, disable_entities=True)
        """,
        ),
    ],
    imports=("import xmltodict",),
)
