"""CWE-502 deserialization of untrusted data: Java serialization, XMLDecoder, Jackson default
typing, SnakeYAML's default constructor. `$value` is an InputStream (value_kind "bytes")."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary

CWE = "CWE-502"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("payload",),
    constants=("",),
    headers=("X-Payload",),
    byte_constants=('{"plan":"basic"}', "[]", '{"items":[]}'),
)

_LOG = '$log.info("loaded " + $obj.getClass().getSimpleName());'
_JSON_MAP = fix(
    id="json-fixed-type",
    imports=("com.fasterxml.jackson.databind.ObjectMapper", "java.util.Map"),
    code="ObjectMapper $mapper = new ObjectMapper();\n@@Map<?, ?> $obj = $mapper.readValue($value, Map.class);\n"
    + _LOG,
)

_OIS = (
    "try (ObjectInputStream $stream = new ObjectInputStream($value)) {\n"
    "@@    Object $obj = $stream.readObject();\n"
    "    " + _LOG + "\n"
    "} catch (ClassNotFoundException $e) {\n"
    "    throw new IllegalStateException($e);\n"
    "}"
)
sink(
    id="deser-object-input-stream",
    cwe=CWE,
    api="java.io.ObjectInputStream.readObject",
    value_kind="bytes",
    imports=("java.io.ObjectInputStream",),
    vulnerable=_OIS,
    fixes=(
        fix(
            id="object-input-filter",
            imports=("java.io.ObjectInputFilter",),
            code=_OIS.replace(
                "@@",
                "    $stream.setObjectInputFilter(ObjectInputFilter.Config.createFilter("
                '"java.util.*;java.lang.*;!*"));\n@@',
                1,
            ),
        ),
        _JSON_MAP,
    ),
)

_XML = (
    "try (XMLDecoder $decoder = new XMLDecoder($value)) {\n"
    "@@    Object $obj = $decoder.readObject();\n"
    "    " + _LOG + "\n"
    "}"
)
sink(
    id="deser-xml-decoder",
    cwe=CWE,
    api="java.beans.XMLDecoder.readObject",
    value_kind="bytes",
    imports=("java.beans.XMLDecoder",),
    vulnerable=_XML,
    fixes=(
        fix(
            id="properties-from-xml",
            imports=("java.util.Properties",),
            code="Properties $obj = new Properties();\n@@$obj.loadFromXML($value);\n"
            '$log.info("loaded " + $obj.size() + " settings");',
        ),
        _JSON_MAP,
    ),
)

sink(
    id="deser-jackson-default-typing",
    cwe=CWE,
    api="com.fasterxml.jackson.databind.ObjectMapper.enableDefaultTyping",
    value_kind="bytes",
    imports=("com.fasterxml.jackson.databind.ObjectMapper",),
    vulnerable="ObjectMapper $mapper = new ObjectMapper();\n"
    "$mapper.enableDefaultTyping();\n"
    "@@Object $obj = $mapper.readValue($value, Object.class);\n" + _LOG,
    fixes=(_JSON_MAP,),
)

sink(
    id="deser-snakeyaml-load",
    cwe=CWE,
    api="org.yaml.snakeyaml.Yaml.load",
    value_kind="bytes",
    imports=("org.yaml.snakeyaml.Yaml",),
    vulnerable="Yaml $yaml = new Yaml();\n@@Object $obj = $yaml.load($value);\n" + _LOG,
    fixes=(
        fix(
            id="safe-constructor",
            imports=("org.yaml.snakeyaml.LoaderOptions", "org.yaml.snakeyaml.constructor.SafeConstructor"),
            code="Yaml $yaml = new Yaml(new SafeConstructor(new LoaderOptions()));\n"
            "@@Object $obj = $yaml.load($value);\n" + _LOG,
        ),
        _JSON_MAP,
    ),
)
