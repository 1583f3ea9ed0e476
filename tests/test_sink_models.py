"""The sink catalogue as data (vulntune.analysis.catalogue): the shipped TOML rows, users' rows
added with `--models`, and one-line errors naming the file and entry for bad rows."""

from __future__ import annotations

import re

import pytest

from vulntune.analysis import analyse
from vulntune.analysis.catalogue import (
    CATALOGUE_OF_SINKS,
    MODEL_FILES,
    Construction,
    SinkPattern,
    load_catalogue,
)
from vulntune.analysis.taint_models import load_models
from vulntune.cwe import CATALOGUE
from vulntune.errors import VulntuneError


@pytest.mark.parametrize("language", ["python", "java"])
def test_the_shipped_rows_are_the_catalogue(language):
    shipped = load_catalogue(language)
    assert shipped.sinks(language) == CATALOGUE_OF_SINKS.sinks(language)
    assert shipped.constructions(language) == CATALOGUE_OF_SINKS.constructions(language)
    assert set(CATALOGUE_OF_SINKS.cwes(language)) == {c for c, e in CATALOGUE.items() if language in e.languages}
    sql = CATALOGUE_OF_SINKS.get(language, "sql-text-built")
    assert isinstance(sql, Construction) and re.search(sql.text, "SELECT * FROM t WHERE id = ", re.IGNORECASE)
    secret = CATALOGUE_OF_SINKS.get(language, "credential-literal")
    assert isinstance(secret, SinkPattern) and secret.kind == "literal" and not secret.names[0].startswith("@")


def test_a_user_sink_adds_a_candidate_in_each_language(tmp_path):
    python = "def report(db, name):\n    db.run_query('SELECT * FROM t WHERE name = ?', name)\n    db.run_query(name)\n"
    java = "class A {\n  void f(Repo repo, String q) {\n    repo.nativeRun(q);\n  }\n}\n"
    assert analyse(python, "python") == [] and analyse(java, "java") == []
    models = tmp_path / "models.toml"
    models.write_text(
        "[[sink]]\n"
        'id = "our-query"\ncwe = "CWE-89"\nkind = "call"\nnames = ["*.run_query"]\ndata = [0]\n'
        'api = "our DAO\'s run_query(sql, *params)"\nlanguage = "python"\n\n'
        "[[sink]]\n"
        'id = "our-native-run"\ncwe = "CWE-89"\nkind = "call"\nnames = ["*.nativeRun"]\n'
        'receiver = "(?i)repo"\napi = "Repo.nativeRun(sql)"\nlanguage = "java"\n\n'
        '[[source]]\nid = "queue"\nkind = "remote"\nnames = ["read_queue_message"]\nlabel = "a queue message"\n'
    )
    found = analyse(python, "python", models=[str(models)])
    assert [(c.candidate.line, c.candidate.sink) for c in found] == [(2, "our-query"), (3, "our-query")]
    assert [c.reachable for c in found] == [False, True]  # the first query is a constant: its data is not
    [native] = analyse(java, "java", models=[str(models)])
    assert (native.candidate.line, native.candidate.cwe, native.candidate.sink) == (3, "CWE-89", "our-native-run")
    assert [s.id for s in load_models("python", [str(models)]).sources][-1] == "queue"  # taint rows still read


def test_a_user_row_without_a_language_applies_where_its_cwe_is_catalogued(tmp_path):
    models = tmp_path / "models.toml"
    models.write_text(
        '[[sink]]\nid = "our-eval"\ncwe = "CWE-94"\nkind = "call"\nnames = ["run_snippet"]\napi = "ours"\n\n'
        '[[construction]]\nid = "our-filter"\ncwe = "CWE-90"\ntext = "@ldap-text"\nhanded_to = "(?i)lookup"\n'
    )
    python, java = load_catalogue("python", [str(models)]), load_catalogue("java", [str(models)])
    assert python.get("python", "our-eval").cwe == "CWE-94" and not java.has("java", "our-eval")  # Python only
    assert python.get("python", "our-filter").text == java.get("java", "our-filter").text
    assert java.get("java", "our-filter").text == CATALOGUE_OF_SINKS.get("java", "ldap-filter-built").text
    assert len(python.sinks("python")) == len(CATALOGUE_OF_SINKS.sinks("python")) + 1


_SINK = 'id = "x-call"\ncwe = "CWE-89"\nkind = "call"\nnames = ["*.x"]\napi = "x"\n'


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[sink]\n", "not valid TOML"),
        ("[[sink]]\n" + _SINK + "colour = 1\n", r"sink #1 \('x-call'\): unknown key 'colour'"),
        ("[[sink]]\n" + _SINK.replace("CWE-89", "CWE-1"), "unknown weakness 'CWE-1'"),
        ("[[sink]]\n" + _SINK.replace("CWE-89", "CWE-94") + 'language = "java"\n', "CWE-94 is not catalogued for java"),
        ("[[sink]]\n" + _SINK + 'weak = "("\n', "bad regular expression"),
        ("[[sink]]\n" + _SINK.replace('"call"', '"magic"'), "kind must be one of"),
        ("[[sink]]\n" + _SINK + "data = [-1]\n", "data must be a list of argument positions"),
        ("[[sink]]\n" + _SINK.replace('api = "x"\n', ""), "missing key 'api'"),
        ("[[sink]]\n" + _SINK.replace("x-call", "X_call"), "kebab-case"),
        ("[[sink]]\n" + _SINK + "\n[[sink]]\n" + _SINK, r"sink 'x-call' is defined twice"),
        ("[[sink]]\n" + _SINK.replace("x-call", "sql-cursor-execute"), "'sql-cursor-execute' is defined twice"),
        (
            '[[construction]]\nid = "y"\ncwe = "CWE-89"\ntext = "@sql"\n',
            r"construction #1 \('y'\): unknown shape '@sql'",
        ),
        (
            '[[construction]]\nid = "y"\ncwe = "CWE-89"\ntext = "x"\nreturned = "yes"\n',
            "returned must be true or false",
        ),
        ("[[sink]]\n" + _SINK + 'language = "cobol"\n', "unknown language 'cobol'"),
        ("sink = 1\n", r"sink must be an array of tables"),
    ],
)
def test_a_bad_sink_row_is_one_line_naming_file_and_entry(tmp_path, text, message):
    models = tmp_path / "bad.toml"
    models.write_text(text)
    with pytest.raises(VulntuneError, match=message) as error:
        for language in ("python", "java"):  # as a scan reads it
            load_catalogue(language, [str(models)])
    assert str(models) in str(error.value) and "\n" not in str(error.value)


def test_unknown_tables_are_still_an_error_and_name_the_sink_tables(tmp_path):
    models = tmp_path / "bad.toml"
    models.write_text('[[sinks]]\nid = "x"\n')
    with pytest.raises(VulntuneError, match=r"unknown table \[\[sinks\]\] \(expected one of .*sink, construction\)"):
        load_models("python", [str(models)])
    for name in ("python-sinks.toml", "java-sinks.toml", "shapes.toml"):
        assert (MODEL_FILES / name).is_file()


def test_a_scan_with_a_bad_sink_row_stops_before_reading_files(tmp_path):
    import subprocess
    import sys

    (tmp_path / "tool.py").write_text("import os, sys\ndef main():\n    os.system('ls ' + sys.argv[1])\n")
    bad = tmp_path / "m.toml"
    bad.write_text('[[sink]]\nid = "x"\ncwe = "CWE-89"\nkind = "call"\nnames = ["f"]\napi = "f"\nweak = "("\n')
    command = [sys.executable, "-m", "vulntune", "scan", str(tmp_path / "tool.py"), "--judge", "reachability"]
    run = subprocess.run([*command, "--no-cache", "--models", str(bad)], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "bad regular expression" in run.stderr


def _sinks(code: str, cwe: str) -> list[str]:
    return [c.candidate.sink for c in analyse(code, "java") if c.candidate.cwe == cwe]


def _method(body: str, fields: str = "") -> str:
    return f"class A {{\n{fields}\n  Object f(InputStream in, String name, Object obj) throws Exception {{\n{body}\n  }}\n}}\n"


@pytest.mark.parametrize(
    "body, fields, sinks",
    [
        (
            "DocumentBuilder db = DocumentBuilderFactory.newInstance().newDocumentBuilder();\nreturn db.parse(in);",
            "",
            ["xml-parse"],
        ),
        ("return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);", "", ["xml-parse"]),
        ("SAXParser p = factory.newSAXParser();\np.parse(in, handler);\nreturn null;", "", ["xml-parse"]),
        ("return xmlReaderFactory.getXMLReader().parse(new InputSource(in));", "", ["xml-parse"]),
        ("return XMLInputFactory.newInstance().createXMLStreamReader(in);", "", ["xml-stream-reader"]),
        (
            "Transformer t = tf.newTransformer();\nt.transform(new StreamSource(in), out);\nreturn null;",
            "",
            ["xml-transform"],
        ),
        ("return context.createUnmarshaller().unmarshal(in);", "", ["xml-unmarshal"]),
        ("SAXBuilder b = new SAXBuilder();\nreturn b.build(in);", "", ["xml-jdom-build"]),
        ("SAXReader r = new SAXReader();\nreturn r.read(in);", "", ["xml-dom4j-read"]),
        ("return DocumentHelper.parseText(name);", "", ["xml-dom4j-read"]),
        # what is no XML parser
        ("return CacheControlHeaderParser.INSTANCE.parse(name);", "", []),
        ("return MetaParser.parse(name);", "", []),
        ("return record.parser.parse(in, name);", "", []),
        ("return new Request.Builder().url(name).build();", "", []),
        ("return HttpRequest.newBuilder(URI.create(name)).GET().build();", "", []),
        ("return pointerFreeBuilder.build();", "TermBuilder pointerFreeBuilder;", []),
        ("char[] buf = new char[8];\nreturn reader.read(buf);", "Reader reader;", []),
        ("return PreprocessorToParserTransformer.transform(name);", "", []),
    ],
)
def test_xml_parsers_are_matched_by_their_type_not_their_method_name(body, fields, sinks):
    assert _sinks(_method(body, fields), "CWE-611") == sinks


@pytest.mark.parametrize(
    "body, fields, sinks",
    [
        ('return ResponseEntity.ok("<p>" + name + "</p>");', "", ["html-response-body"]),
        ("return ResponseEntity.ok(name);", "", ["html-response-body"]),
        ("return ResponseEntity.status(HttpStatus.OK).body(name.trim());", "", ["html-response-body"]),
        ("return Response.ok().entity(greeting).build();", "StringBuilder greeting;", ["html-response-body"]),
        (
            "return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body(page);",
            "Page page;",
            ["html-response-html-body"],
        ),
        # an object, a list or a map is written as JSON, not rendered as a page
        ("return ResponseEntity.ok(user);", "User user;", []),
        ("return ResponseEntity.ok(service.findAll());", "", []),
        ("return ResponseUtil.ok(obj);", "", []),
        ("return ResponseEntity.ok(new Number(3));", "", []),
        # code thousands deep: a loop, not a recursion
        ("return ResponseEntity.ok(" + " + ".join(["name"] * 3000) + ");", "", ["html-response-body"]),
        ("return ResponseEntity.ok(" + "(" * 5000 + "name" + ")" * 5000 + ");", "", ["html-response-body"]),
    ],
)
def test_a_response_body_is_html_when_it_is_text_or_declared_html(body, fields, sinks):
    assert _sinks(_method(body, fields), "CWE-79") == sinks


@pytest.mark.parametrize(
    "body, fields, sinks",
    [
        ("response.getWriter().println(name);\nreturn null;", "", ["html-servlet-writer"]),
        ("PrintWriter out = response.getWriter();\nout.print(name);\nreturn null;", "", ["html-servlet-writer"]),
        ("response.getOutputStream().println(name);\nreturn null;", "", ["html-servlet-writer"]),
        ("out.write(name);\nreturn null;", "Writer out;", []),
        ("StringWriter writer = new StringWriter();\nwriter.write(name);\nreturn writer;", "", []),
        ("writer.write(name);\nreturn null;", "JsonWriter writer;", []),
    ],
)
def test_a_servlet_writer_is_the_responses_not_any_writer(body, fields, sinks):
    assert _sinks(_method(body, fields), "CWE-79") == sinks


@pytest.mark.parametrize(
    "call, sinks",
    [
        ("mapper.readValue(name, Object.class)", ["deserialize-json-typed"]),
        ("mapper.readValue(name, type)", ["deserialize-json-typed"]),
        ("mapper.treeToValue(node, Serializable.class)", ["deserialize-json-typed"]),
        ("mapper.readValue(name, Config.class)", []),
        ("mapper.readValue(name, new TypeReference<List<String>>() {})", []),
    ],
)
def test_jackson_is_a_sink_where_the_payload_can_name_the_class(call, sinks):
    assert _sinks(_method(f"return {call};"), "CWE-502") == sinks


def test_data_type_is_read_for_java_only(tmp_path):
    models = tmp_path / "models.toml"
    models.write_text("[[sink]]\n" + _SINK + 'data_type = "^String$"\nlanguage = "python"\n')
    with pytest.raises(VulntuneError, match="data_type is read for Java only"):
        load_catalogue("python", [str(models)])
