"""The sink catalogue, the candidate finder and the slicer (vulntune.analysis)."""

from __future__ import annotations

import random

import pytest

import vulntune.synth.java as java_synth
import vulntune.synth.python as python_synth
from vulntune.analysis import analyse
from vulntune.analysis.catalogue import Catalogue, SinkPattern
from vulntune.errors import VulntuneError
from vulntune.synth.config import SynthConfig
from vulntune.synth.generate import compatible_propagations, compatible_sources
from vulntune.synth.pipeline import build_corpus
from vulntune.synth.plan import Plan
from vulntune.synth.template import REGISTRY


def _cwes(code: str, language: str) -> set[tuple[int, str]]:
    return {(found.candidate.line, found.candidate.cwe) for found in analyse(code, language)}


@pytest.fixture(scope="module")
def corpus():
    config = SynthConfig(languages=("python", "java"), per_cwe=6, seed=3, javac=False)
    splits, _ = build_corpus(config)
    return [sample for split in splits.values() for sample in split]


def test_every_template_sink_is_a_candidate(corpus):
    """One source of truth: the catalogue recognises the generator's sink in every vulnerable sample."""
    vulnerable = [s for s in corpus if s.is_vulnerable]
    assert len({(s.language, s.cwe) for s in vulnerable}) == 33
    missed = [
        s.id
        for s in vulnerable
        if not any(
            f.candidate.cwe == s.cwe and f.candidate.line <= s.sink_line <= f.candidate.end_line
            for f in analyse(s.code, s.language)
        )
    ]
    assert missed == []


def test_twin_slices_differ(corpus):
    """Where twins differ in data flow or guards, their slices differ (a few helpers' do not:
    see the closing note's count)."""
    by_pair: dict[str, list] = {}
    for sample in corpus:
        found = [
            f
            for f in analyse(sample.code, sample.language)
            if f.candidate.cwe == sample.cwe
            and sample.sink_line is not None
            and f.candidate.line <= sample.sink_line <= f.candidate.end_line
        ]
        by_pair.setdefault(sample.pair_id, []).append((sample, found[0].slice.text if found else None))
    pairs = same = 0
    for items in by_pair.values():
        vulnerable = [text for s, text in items if s.is_vulnerable]
        for sample, text in items:
            if not sample.is_vulnerable and vulnerable:
                pairs += 1
                same += text is not None and text == vulnerable[0]
    assert pairs > 50
    assert same / pairs < 0.1


@pytest.mark.parametrize(
    "code,expected",
    [
        ("import subprocess\ndef f(h):\n    subprocess.call('ping -c 1 ' + h, shell=True)\n", {(3, "CWE-78")}),
        ("from os import system\ndef f(h):\n    system('ls ' + h)\n", {(3, "CWE-78")}),
        ("def f(db, name):\n    db.run_query(\"SELECT * FROM t WHERE n = '%s'\" % name)\n", {(2, "CWE-89")}),
        ("def f(cur, name):\n    q = f\"DELETE FROM t WHERE n = '{name}'\"\n    cur.execute(q)\n", {(3, "CWE-89")}),
        ("from markupsafe import Markup\ndef f(n):\n    return Markup('<b>' + n + '</b>')\n", {(3, "CWE-79")}),
        ("def view(n):\n    return '<h1>Hello ' + n + '</h1>'\n", {(2, "CWE-79")}),
        ("import hashlib\ndef f(p):\n    return hashlib.md5(p).hexdigest()\n", {(3, "CWE-328")}),
        ("import hashlib\ndef f(p):\n    return hashlib.sha256(p).hexdigest()\n", set()),
        ("import yaml\ndef f(s):\n    return yaml.load(s, Loader=yaml.SafeLoader)\n", set()),
        ("DB_PASSWORD = 'hunter2'\n", {(1, "CWE-798")}),
        ("def f(path):\n    with open('/srv/files/' + path) as fh:\n        return fh.read()\n", {(2, "CWE-22")}),
        ("def f(conn, user):\n    conn.search('dc=x', '(uid=' + user + ')')\n", {(2, "CWE-90")}),
        (
            "import zipfile\ndef f(p):\n    with zipfile.ZipFile(p) as zf:\n        zf.extractall('/srv/x')\n",
            {(4, "CWE-22")},
        ),
        ("def f(src):\n    return eval(src)\n", {(2, "CWE-94")}),
        ("from Crypto.Cipher import DES\ndef f(k):\n    return DES.new(k, DES.MODE_ECB)\n", {(3, "CWE-327")}),
        ("import random\ndef token():\n    return str(random.randint(0, 10**6))\n", {(3, "CWE-330")}),
        ("from flask import session, request\ndef f():\n    session['role'] = request.args['r']\n", {(3, "CWE-501")}),
        ("import pickle\ndef f(blob):\n    return pickle.loads(blob)\n", {(3, "CWE-502")}),
        (
            "from flask import redirect, request\ndef f():\n    return redirect(request.args['next'])\n",
            {(3, "CWE-601")},
        ),
        ("from lxml import etree\ndef f(x):\n    return etree.fromstring(x)\n", {(3, "CWE-611")}),
        ("def f(resp, sid):\n    resp.set_cookie('sid', sid, httponly=True)\n", {(2, "CWE-614")}),
        ('def f(tree, name):\n    return tree.xpath("//user[@name=\'" + name + "\']")\n', {(2, "CWE-643")}),
        ("import requests\ndef f(u):\n    return requests.get(u).text\n", {(3, "CWE-918")}),
    ],
)
def test_python_real_style_snippets(code, expected):
    assert _cwes(code, "python") == expected


@pytest.mark.parametrize(
    "code,expected",
    [
        (
            'class A { void f(Statement st, String n) throws Exception {\n st.executeQuery("SELECT * FROM t WHERE n=\'" + n + "\'");\n} }',
            {(2, "CWE-89")},
        ),
        (
            'class A { void f(String h) throws Exception {\n Runtime.getRuntime().exec("ping " + h);\n} }',
            {(2, "CWE-78")},
        ),
        (
            'class A { void f(HttpServletResponse r, String n) throws Exception {\n r.getWriter().println("<p>" + n);\n} }',
            {(2, "CWE-79")},
        ),
        (
            'class A { void f() throws Exception {\n MessageDigest d = MessageDigest.getInstance("MD5");\n} }',
            {(2, "CWE-328")},
        ),
        ('class A { void f() throws Exception {\n MessageDigest d = MessageDigest.getInstance("SHA-256");\n} }', set()),
        (
            "class A { void f(HttpServletResponse r, String u) throws Exception {\n r.sendRedirect(u);\n} }",
            {(2, "CWE-601")},
        ),
        ('class A { void f(String p) {\n File f = new File("/data/" + p);\n} }', {(2, "CWE-22")}),
        (
            'class A { void f(DirContext ctx, String u) throws Exception {\n ctx.search("dc=x", "(uid=" + u + ")", null);\n} }',
            {(2, "CWE-90")},
        ),
        (
            'class A { void f() throws Exception {\n Cipher c = Cipher.getInstance("DES/ECB/PKCS5Padding");\n} }',
            {(2, "CWE-327")},
        ),
        # a transformation named elsewhere (a getter, a field) could be weak: the judge decides
        (
            "class A { void f(Cfg cfg) throws Exception {\n Cipher c = Cipher.getInstance(cfg.transformation());\n} }",
            {(2, "CWE-327")},
        ),
        (
            "class A { void f() throws Exception {\n Cipher c = Cipher.getInstance(this.algorithm);\n} }",
            {(2, "CWE-327")},
        ),
        ("class A { int f() {\n return new Random().nextInt();\n} }", {(2, "CWE-330")}),
        (
            'class A { void f(HttpServletRequest r) {\n r.getSession().setAttribute("u", r.getParameter("u"));\n} }',
            {(2, "CWE-501")},
        ),
        (
            "class A { Object f(InputStream in) throws Exception {\n return new ObjectInputStream(in).readObject();\n} }",
            {(2, "CWE-502")},
        ),
        (
            "class A { void f(InputStream in) throws Exception {\n DocumentBuilder b = DocumentBuilderFactory.newInstance()"
            ".newDocumentBuilder();\n b.parse(in);\n} }",
            {(3, "CWE-611")},
        ),
        (
            'class A { void f(HttpServletResponse r, String v) {\n Cookie c = new Cookie("sid", v);\n r.addCookie(c);\n} }',
            {(3, "CWE-614")},
        ),
        (
            'class A { Object f(XPath xp, Document d, String n) throws Exception {\n return xp.evaluate("//user[@name=\'" + n'
            ' + "\']", d);\n} }',
            {(2, "CWE-643")},
        ),
        (
            'class A { Connection f() throws Exception {\n return DriverManager.getConnection("jdbc:x", "sa", "s3cret");\n} }',
            {(2, "CWE-798")},
        ),
        ("class A { void f(String u) throws Exception {\n new URL(u).openStream();\n} }", {(2, "CWE-918")}),
    ],
)
def test_java_real_style_snippets(code, expected):
    assert _cwes(code, "java") == expected


def test_slice_keeps_data_flow_guards_and_drops_the_rest():
    code = (
        "import sqlite3\nfrom flask import request\n\n"
        "def find(cur):\n"
        "    name = request.args['name']\n"
        "    unrelated = 5\n"
        "    if not name.isalnum():\n"
        "        return None\n"
        '    q = "SELECT * FROM users WHERE name = \'" + name + "\'"\n'
        "    cur.execute(q)\n"
    )
    [found] = analyse(code, "python")
    text = found.slice.text
    assert "unrelated" not in text
    assert "name = request.args['name']" in text and "return None" in text and "isalnum" in text
    assert text.splitlines()[found.slice.sink_row].startswith("    cur.execute(q)  # <- CWE-89")
    assert found.slice.sources == ("parameter", "input") or "input" in found.slice.sources
    assert found.slice.lines[found.slice.sink_row] == 10


def test_slice_folds_constant_conditions_and_marks_unreachable_sinks():
    code = "import os\ndef run(host):\n    if 2 * 3 == 7:\n        os.system('ping ' + host)\n"
    [found] = analyse(code, "python")
    assert "always false" in found.slice.text and found.slice.unreachable
    java = (
        "class A {\n private final int five = 5;\n void f(String h) throws Exception {\n"
        '  if (five == 5) {\n   Runtime.getRuntime().exec("ping " + h);\n  }\n }\n}\n'
    )
    [found] = analyse(java, "java")
    assert "always true" in found.slice.text and not found.slice.unreachable
    assert "private final int five = 5;" in found.slice.text


@pytest.mark.parametrize(
    "condition,unreachable",
    [
        ("7 * 3 > 100", True),
        ("7 * 3 < 100", False),
        ("365 % 7 == 0", True),
        ("[False, True][0]", True),
        ("[False, True][1]", False),
        ("(1, 0)[6 - 2 * 3]", False),
        ("[0, 1][5]", False),
        ("(9 % 2 == 0) if 4 > 3 else True", True),
        ("True if 2 > 3 else False", True),
        ("1 if 2 < 3 else 0", False),
    ],
)
def test_folding_of_arithmetic_ternaries_and_literal_indices_python(condition, unreachable):
    code = f"import os\ndef run(host):\n    if {condition}:\n        os.system('ping ' + host)\n"
    [found] = analyse(code, "python")
    assert found.slice.unreachable is unreachable


@pytest.mark.parametrize(
    "condition,unreachable",
    [
        ("365 % 7 == 0", True),
        ("(3 > 2 ? 0 : 1) == 1", True),
        ("(3 > 2 ? 1 : 0) == 1", False),
        ("java.util.List.of(0, 1).get(0) == 1", True),
        ("List.of(0, 1).get(1) == 1", False),
        ("Arrays.asList(true, false).get(1)", True),
        ("List.of(0, 1).get(2) == 1", False),
        ("names.get(0) == 1", False),
    ],
)
def test_folding_of_arithmetic_ternaries_and_literal_indices_java(condition, unreachable):
    code = (
        "class A {\n void f(String h) throws Exception {\n"
        f'  if ({condition}) {{\n   Runtime.getRuntime().exec("ping " + h);\n  }}\n }}\n}}\n'
    )
    [found] = analyse(code, "java")
    assert found.slice.unreachable is unreachable


def test_every_registered_sink_is_a_candidate():
    """Not only the sinks a small corpus happens to draw: every template, with every source that fits it."""
    rng = random.Random(5)
    missed = []
    for language in ("python", "java"):
        render = python_synth.render if language == "python" else java_synth.render
        for sink in REGISTRY.sinks[language].values():
            propagations = sorted(compatible_propagations(REGISTRY, sink), key=lambda p: p.id)
            for source in sorted(compatible_sources(REGISTRY, sink), key=lambda s: s.id)[::3]:
                plan = Plan(
                    language=language,
                    cwe=sink.cwe,
                    label="vulnerable",
                    pair_kind="fix",
                    source=source,
                    propagation=rng.choice(propagations),
                    sink=sink,
                    fix=sink.fixes[0] if sink.fixes else None,
                    kill=None,
                    guard=None,
                    seed=rng.getrandbits(32),
                )
                rendered = render(plan)
                if not any(
                    f.candidate.cwe == sink.cwe and f.candidate.line <= rendered.sink_line <= f.candidate.end_line
                    for f in analyse(rendered.code, language)
                ):
                    missed.append((sink.id, source.id))
    assert missed == []


def test_unreached_twins_of_folding_guards_are_unreachable():
    """The guards built from arithmetic, ternaries and literal indices fold: the safe twin's sink is unreachable."""
    for language, ids in (
        ("python", ("arithmetic-comparison", "list-literal-index", "constant-ternary")),
        ("java", ("modulo", "constant-ternary", "list-of-index")),
    ):
        render = python_synth.render if language == "python" else java_synth.render
        sink = REGISTRY.sinks[language][
            "os-command-concat-system" if language == "python" else "cmd-runtime-exec-concat"
        ]
        source = sorted(compatible_sources(REGISTRY, sink), key=lambda s: s.id)[0]
        for guard_id in ids:
            verdicts = []
            for label in ("vulnerable", "safe"):
                plan = Plan(
                    language=language,
                    cwe=sink.cwe,
                    label=label,
                    pair_kind="unreached",
                    source=source,
                    propagation=REGISTRY.propagations[language]["direct"],
                    sink=sink,
                    fix=None,
                    kill=None,
                    guard=REGISTRY.guards[language][guard_id],
                    seed=9,
                )
                rendered = render(plan)
                [found] = [
                    f
                    for f in analyse(rendered.code, language)
                    if f.candidate.line <= rendered.sink_line <= f.candidate.end_line
                ]
                verdicts.append(found.slice.unreachable)
            assert verdicts == [False, True], (language, guard_id)


def test_slice_follows_builders_and_one_level_of_callers():
    java = (
        "class A {\n void handle(HttpServletRequest r) throws Exception {\n"
        '  process("fixed");\n }\n'
        " private void process(String v) throws Exception {\n"
        '  StringBuilder sb = new StringBuilder("ls ");\n  sb.append(v);\n'
        "  Runtime.getRuntime().exec(sb.toString());\n }\n}\n"
    )
    [found] = analyse(java, "java")
    text = found.slice.text
    assert "sb.append(v);" in text and 'process("fixed");' in text


def test_slicer_never_crashes_and_falls_back_on_broken_code():
    broken = "import os\ndef f(x):\n    os.system('ls ' + x\n    y = (\n"
    [found] = analyse(broken, "python")
    assert (found.candidate.line, found.candidate.cwe) == (3, "CWE-78")
    assert found.slice.fallback == "syntax error around the sink" and "os.system('ls ' + x" in found.slice.text
    big = "import os\ndef f(x):\n" + "".join(f"    v{i} = {i}\n" for i in range(1600)) + "    os.system('ls ' + x)\n"
    [found] = analyse(big, "python")
    assert found.slice.fallback == "function of 1601 statements" and len(found.slice.text.splitlines()) <= 10
    deep = "def f(x):\n" + "".join("    " * (i + 1) + "if x:\n" for i in range(200)) + "    " * 201 + "eval(x)\n"
    assert analyse(deep, "python")
    assert analyse("", "java") == [] and analyse("\x00\xff", "python") == []


def test_java_members_without_a_class_are_analysed_with_their_own_line_numbers():
    members = 'public void handle(String data) throws Exception\n{\n    Runtime.getRuntime().exec("ls " + data);\n}\n'
    [found] = analyse(members, "java")
    assert found.candidate.line == 3 and found.slice.lines[found.slice.sink_row] == 3


def test_catalogue_rejects_bad_patterns():
    catalogue = Catalogue()
    good = SinkPattern(id="x-call", language="python", cwe="CWE-89", kind="call", names=("*.x",), api="x")
    catalogue.register(good)
    with pytest.raises(VulntuneError, match="twice"):
        catalogue.register(good)
    with pytest.raises(VulntuneError, match="not catalogued"):
        catalogue.register(SinkPattern(id="y", language="java", cwe="CWE-94", kind="call", names=("y",), api="y"))
    with pytest.raises(VulntuneError, match="kind"):
        catalogue.register(SinkPattern(id="z", language="python", cwe="CWE-89", kind="magic", names=("z",), api="z"))
    with pytest.raises(VulntuneError, match="regular expression"):
        catalogue.register(
            SinkPattern(id="w", language="python", cwe="CWE-89", kind="call", names=("w",), api="w", weak="(")
        )


def test_sources_follow_the_data_not_the_guards():
    guarded = (
        "import os\nfrom flask import request\n\ndef f(user):\n"
        "    if request.args.get('debug') and user:\n        os.system('ls /tmp')\n"
    )
    [found] = analyse(guarded, "python")
    assert found.slice.sources == () and "request.args.get('debug')" in found.slice.text
    tainted = guarded.replace("os.system('ls /tmp')", "os.system('ls ' + request.args['d'])")
    [found] = analyse(tainted, "python")
    assert found.slice.sources == ("input",)
    through_parameter = "import os\ndef f(user):\n    target = '/home/' + user\n    os.system('ls ' + target)\n"
    [found] = analyse(through_parameter, "python")
    assert found.slice.sources == ("parameter",)


@pytest.mark.parametrize(
    ("code", "language", "expected"),
    [
        ('def f(url):\n    cmd = ["git", "clone", url]\n    run(cmd)\n', "python", 0),
        ('def f(url):\n    cmd = ["bash", "-c", url]\n    run(cmd)\n', "python", 1),
        ('def f(url):\n    cmd = ["/bin/sh", "-c", url]\n    run(cmd)\n', "python", 1),
        ('class A { void f(String u) { String[] cmd = new String[]{"git", "clone", u}; run(cmd); } }', "java", 0),
        ('class A { void f(String u) { String[] cmd = new String[]{"cmd.exe", "/c", u}; run(cmd); } }', "java", 1),
    ],
)
def test_an_argument_vector_is_a_command_line_only_when_it_starts_a_shell(code, language, expected):
    built = [f for f in analyse(code, language) if f.candidate.sink == "command-line-built"]
    assert len(built) == expected


@pytest.mark.parametrize(
    ("code", "language", "reachable"),
    [
        (
            "class Db { java.sql.Connection open() throws Exception {\n"
            '  String secret = "hunter2";\n'
            '  return java.sql.DriverManager.getConnection("jdbc:h2:mem:", "app", secret);\n} }\n',
            "java",
            True,
        ),
        (
            "class Db { java.sql.Connection open() throws Exception {\n"
            "  String secret = new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();\n"
            '  return java.sql.DriverManager.getConnection("jdbc:h2:mem:", "app", secret);\n} }\n',
            "java",
            False,
        ),
        (
            "import hashlib\n\ndef digest(data):\n    return hashlib.md5(data).hexdigest()\n",
            "python",
            True,
        ),  # needs no source
        (
            'import os\n\ndef run(host):\n    if 2 > 3:\n        os.system("ping " + host)\n',
            "python",
            False,
        ),  # never runs
    ],
)
def test_reachability_asks_for_what_the_weakness_needs(code, language, reachable):
    found = analyse(code, language)
    assert found and {f.reachable for f in found} == {reachable}


def test_a_slice_line_without_its_annotation_is_the_source_line():
    from vulntune.analysis.slicer import without_annotation

    code = "import os\nDEBUG = True\n\ndef run(host):\n    if DEBUG:\n        os.system('ping ' + host)  # keep\n"
    (found,) = analyse(code, "python")
    lines = found.slice.text.split("\n")
    assert any(line.endswith("# always true") for line in lines)
    assert [without_annotation(line) for line in lines][-2:] == [
        "    if DEBUG:",
        "        os.system('ping ' + host)  # keep",
    ]
