"""CWE-611 XXE: untrusted XML streams parsed by factories left with DTDs and external entities on.

`$value` is an InputStream (value_kind "bytes")."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary
from vulntune.synth.template import Fix

CWE = "CWE-611"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("document",),
    constants=("",),
    headers=("X-Document",),
    byte_constants=("<config/>", "<settings><mode>basic</mode></settings>", "<items/>"),
)

_DOCTYPE = '$factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);\n'
_ENTITIES = (
    '$factory.setFeature("http://xml.org/sax/features/external-general-entities", false);\n'
    '$factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);\n'
)


def _fixes(vulnerable: str, marker: str, options: dict[str, tuple[str, tuple[str, ...]]]) -> tuple[Fix, ...]:
    """Insert each hardening snippet after the line containing `marker`."""
    fixes = []
    for fix_id, (snippet, imports) in options.items():
        lines = vulnerable.split("\n")
        at = next(i for i, line in enumerate(lines) if marker in line) + 1
        pad = lines[at - 1][: len(lines[at - 1]) - len(lines[at - 1].lstrip())]
        hardening = [pad + s for s in snippet.rstrip("\n").split("\n")]
        fixes.append(fix(id=fix_id, code="\n".join(lines[:at] + hardening + lines[at:]), imports=imports))
    return tuple(fixes)


_CATCH = "} catch (ParserConfigurationException | SAXException $e) {\n    throw new IllegalStateException($e);\n}"
_DOM = (
    "try {\n"
    "    DocumentBuilderFactory $factory = DocumentBuilderFactory.newInstance();\n"
    "    $factory.setNamespaceAware(true);\n"
    "    DocumentBuilder $parser = $factory.newDocumentBuilder();\n"
    "@@    Document $doc = $parser.parse($value);\n"
    '    $log.info("root " + $doc.getDocumentElement().getNodeName());\n' + _CATCH
)
sink(
    id="xxe-document-builder",
    cwe=CWE,
    api="javax.xml.parsers.DocumentBuilder.parse",
    value_kind="bytes",
    imports=(
        "javax.xml.parsers.DocumentBuilder",
        "javax.xml.parsers.DocumentBuilderFactory",
        "javax.xml.parsers.ParserConfigurationException",
        "org.w3c.dom.Document",
        "org.xml.sax.SAXException",
    ),
    vulnerable=_DOM,
    fixes=_fixes(
        _DOM,
        "setNamespaceAware",
        {
            "disallow-doctype": (_DOCTYPE, ()),
            "no-external-entities": (_ENTITIES + "$factory.setExpandEntityReferences(false);\n", ()),
            "no-external-access": (
                '$factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");\n'
                '$factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");\n',
                ("javax.xml.XMLConstants",),
            ),
        },
    ),
)

_SAX = (
    "try {\n"
    "    SAXParserFactory $factory = SAXParserFactory.newInstance();\n"
    "    $factory.setNamespaceAware(true);\n"
    "    SAXParser $parser = $factory.newSAXParser();\n"
    "@@    $parser.parse($value, new DefaultHandler());\n"
    '    $log.info("parsed $entity upload");\n' + _CATCH
)
sink(
    id="xxe-sax-parser",
    cwe=CWE,
    api="javax.xml.parsers.SAXParser.parse",
    value_kind="bytes",
    imports=(
        "javax.xml.parsers.ParserConfigurationException",
        "javax.xml.parsers.SAXParser",
        "javax.xml.parsers.SAXParserFactory",
        "org.xml.sax.SAXException",
        "org.xml.sax.helpers.DefaultHandler",
    ),
    vulnerable=_SAX,
    fixes=_fixes(
        _SAX,
        "setNamespaceAware",
        {
            "disallow-doctype": (_DOCTYPE, ()),
            "no-external-entities": (
                _ENTITIES
                + '$factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);\n',
                (),
            ),
        },
    ),
)

_READER = (
    "try {\n"
    "    SAXParserFactory $factory = SAXParserFactory.newInstance();\n"
    "    XMLReader $parser = $factory.newSAXParser().getXMLReader();\n"
    "    $parser.setContentHandler(new DefaultHandler());\n"
    "@@    $parser.parse(new InputSource($value));\n"
    '    $log.info("parsed $entity feed");\n' + _CATCH
)
sink(
    id="xxe-xml-reader",
    cwe=CWE,
    api="org.xml.sax.XMLReader.parse",
    value_kind="bytes",
    imports=(
        "javax.xml.parsers.ParserConfigurationException",
        "javax.xml.parsers.SAXParserFactory",
        "org.xml.sax.InputSource",
        "org.xml.sax.SAXException",
        "org.xml.sax.XMLReader",
        "org.xml.sax.helpers.DefaultHandler",
    ),
    vulnerable=_READER,
    fixes=_fixes(
        _READER,
        "SAXParserFactory.newInstance",
        {
            "disallow-doctype": (_DOCTYPE, ()),
            "no-external-entities": (_ENTITIES, ()),
        },
    ),
)

_STAX = (
    "XMLInputFactory $factory = XMLInputFactory.newInstance();\n"
    "try {\n"
    "@@    XMLStreamReader $parser = $factory.createXMLStreamReader($value);\n"
    "    while ($parser.hasNext()) {\n"
    "        $parser.next();\n"
    "    }\n"
    "} catch (XMLStreamException $e) {\n"
    "    throw new IllegalStateException($e);\n"
    "}"
)
sink(
    id="xxe-xml-input-factory",
    cwe=CWE,
    api="javax.xml.stream.XMLInputFactory.createXMLStreamReader",
    value_kind="bytes",
    imports=(
        "javax.xml.stream.XMLInputFactory",
        "javax.xml.stream.XMLStreamException",
        "javax.xml.stream.XMLStreamReader",
    ),
    vulnerable=_STAX,
    fixes=_fixes(
        _STAX,
        "XMLInputFactory.newInstance",
        {
            "no-dtd-support": ("$factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);\n", ()),
            "no-external-entities": (
                "$factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);\n",
                (),
            ),
        },
    ),
)

_XSLT = (
    "try {\n"
    "    TransformerFactory $factory = TransformerFactory.newInstance();\n"
    "    Transformer $parser = $factory.newTransformer();\n"
    "    StringWriter $w = new StringWriter();\n"
    "@@    $parser.transform(new StreamSource($value), new StreamResult($w));\n"
    '    $log.info("normalized " + $w.toString().length() + " chars");\n'
    "} catch (TransformerException $e) {\n"
    "    throw new IllegalStateException($e);\n"
    "}"
)
sink(
    id="xxe-transformer",
    cwe=CWE,
    api="javax.xml.transform.Transformer.transform",
    value_kind="bytes",
    imports=(
        "java.io.StringWriter",
        "javax.xml.transform.Transformer",
        "javax.xml.transform.TransformerException",
        "javax.xml.transform.TransformerFactory",
        "javax.xml.transform.stream.StreamResult",
        "javax.xml.transform.stream.StreamSource",
    ),
    vulnerable=_XSLT,
    fixes=_fixes(
        _XSLT,
        "TransformerFactory.newInstance",
        {
            "no-external-access": (
                '$factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");\n'
                '$factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");\n',
                ("javax.xml.XMLConstants",),
            ),
            "secure-processing": (
                "$factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);\n"
                '$factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");\n',
                ("javax.xml.XMLConstants",),
            ),
        },
    ),
)
