"""The sink catalogue, the candidate finder and the slicer (vulntune.analysis)."""

from __future__ import annotations

import pytest

from vulntune.analysis import analyse
from vulntune.analysis.catalogue import Catalogue, SinkPattern
from vulntune.errors import VulntuneError
from vulntune.synth.config import SynthConfig
from vulntune.synth.pipeline import build_corpus


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
    missed = [s.id for s in vulnerable
              if not any(f.candidate.cwe == s.cwe and f.candidate.line <= s.sink_line <= f.candidate.end_line
                         for f in analyse(s.code, s.language))]
    assert missed == []


def test_twin_slices_differ(corpus):
    """Where twins differ in data flow or guards, their slices differ (a few helpers' do not:
    see the closing note's count)."""
    by_pair: dict[str, list] = {}
    for sample in corpus:
        found = [f for f in analyse(sample.code, sample.language)
                 if f.candidate.cwe == sample.cwe and sample.sink_line is not None
                 and f.candidate.line <= sample.sink_line <= f.candidate.end_line]
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


@pytest.mark.parametrize("code,expected", [
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
    ("def f(src):\n    return eval(src)\n", {(2, "CWE-94")}),
    ("from Crypto.Cipher import DES\ndef f(k):\n    return DES.new(k, DES.MODE_ECB)\n", {(3, "CWE-327")}),
    ("import random\ndef token():\n    return str(random.randint(0, 10**6))\n", {(3, "CWE-330")}),
    ("from flask import session, request\ndef f():\n    session['role'] = request.args['r']\n", {(3, "CWE-501")}),
    ("import pickle\ndef f(blob):\n    return pickle.loads(blob)\n", {(3, "CWE-502")}),
    ("from flask import redirect, request\ndef f():\n    return redirect(request.args['next'])\n", {(3, "CWE-601")}),
    ("from lxml import etree\ndef f(x):\n    return etree.fromstring(x)\n", {(3, "CWE-611")}),
    ("def f(resp, sid):\n    resp.set_cookie('sid', sid, httponly=True)\n", {(2, "CWE-614")}),
    ("def f(tree, name):\n    return tree.xpath(\"//user[@name='\" + name + \"']\")\n", {(2, "CWE-643")}),
    ("import requests\ndef f(u):\n    return requests.get(u).text\n", {(3, "CWE-918")}),
])
def test_python_real_style_snippets(code, expected):
    assert _cwes(code, "python") == expected


@pytest.mark.parametrize("code,expected", [
    ("class A { void f(Statement st, String n) throws Exception {\n st.executeQuery(\"SELECT * FROM t WHERE n='\" + n + \"'\");\n} }",
     {(2, "CWE-89")}),
    ("class A { void f(String h) throws Exception {\n Runtime.getRuntime().exec(\"ping \" + h);\n} }", {(2, "CWE-78")}),
    ("class A { void f(HttpServletResponse r, String n) throws Exception {\n r.getWriter().println(\"<p>\" + n);\n} }",
     {(2, "CWE-79")}),
    ("class A { void f() throws Exception {\n MessageDigest d = MessageDigest.getInstance(\"MD5\");\n} }", {(2, "CWE-328")}),
    ("class A { void f() throws Exception {\n MessageDigest d = MessageDigest.getInstance(\"SHA-256\");\n} }", set()),
    ("class A { void f(HttpServletResponse r, String u) throws Exception {\n r.sendRedirect(u);\n} }", {(2, "CWE-601")}),
    ("class A { void f(String p) {\n File f = new File(\"/data/\" + p);\n} }", {(2, "CWE-22")}),
    ("class A { void f(DirContext ctx, String u) throws Exception {\n ctx.search(\"dc=x\", \"(uid=\" + u + \")\", null);\n} }",
     {(2, "CWE-90")}),
    ("class A { void f() throws Exception {\n Cipher c = Cipher.getInstance(\"DES/ECB/PKCS5Padding\");\n} }", {(2, "CWE-327")}),
    ("class A { int f() {\n return new Random().nextInt();\n} }", {(2, "CWE-330")}),
    ("class A { void f(HttpServletRequest r) {\n r.getSession().setAttribute(\"u\", r.getParameter(\"u\"));\n} }",
     {(2, "CWE-501")}),
    ("class A { Object f(InputStream in) throws Exception {\n return new ObjectInputStream(in).readObject();\n} }",
     {(2, "CWE-502")}),
    ("class A { void f(InputStream in) throws Exception {\n DocumentBuilder b = DocumentBuilderFactory.newInstance()"
     ".newDocumentBuilder();\n b.parse(in);\n} }", {(3, "CWE-611")}),
    ("class A { void f(HttpServletResponse r, String v) {\n Cookie c = new Cookie(\"sid\", v);\n r.addCookie(c);\n} }",
     {(3, "CWE-614")}),
    ("class A { Object f(XPath xp, Document d, String n) throws Exception {\n return xp.evaluate(\"//user[@name='\" + n"
     " + \"']\", d);\n} }", {(2, "CWE-643")}),
    ("class A { Connection f() throws Exception {\n return DriverManager.getConnection(\"jdbc:x\", \"sa\", \"s3cret\");\n} }",
     {(2, "CWE-798")}),
    ("class A { void f(String u) throws Exception {\n new URL(u).openStream();\n} }", {(2, "CWE-918")}),
])
def test_java_real_style_snippets(code, expected):
    assert _cwes(code, "java") == expected


def test_slice_keeps_data_flow_guards_and_drops_the_rest():
    code = ("import sqlite3\nfrom flask import request\n\n"
            "def find(cur):\n"
            "    name = request.args['name']\n"
            "    unrelated = 5\n"
            "    if not name.isalnum():\n"
            "        return None\n"
            "    q = \"SELECT * FROM users WHERE name = '\" + name + \"'\"\n"
            "    cur.execute(q)\n")
    [found] = analyse(code, "python")
    text = found.slice.text
    assert "unrelated" not in text
    assert "name = request.args['name']" in text and "return None" in text and "isalnum" in text
    assert text.splitlines()[found.slice.sink_row].startswith("    cur.execute(q)  # <- CWE-89")
    assert found.slice.sources == ("parameter", "input") or "input" in found.slice.sources
    assert found.slice.lines[found.slice.sink_row] == 10


def test_slice_folds_constant_conditions_and_marks_unreachable_sinks():
    code = ("import os\n"
            "def run(host):\n"
            "    if 2 * 3 == 7:\n"
            "        os.system('ping ' + host)\n")
    [found] = analyse(code, "python")
    assert "always false" in found.slice.text and found.slice.unreachable
    java = ("class A {\n private final int five = 5;\n void f(String h) throws Exception {\n"
            "  if (five == 5) {\n   Runtime.getRuntime().exec(\"ping \" + h);\n  }\n }\n}\n")
    [found] = analyse(java, "java")
    assert "always true" in found.slice.text and not found.slice.unreachable
    assert "private final int five = 5;" in found.slice.text


def test_slice_follows_builders_and_one_level_of_callers():
    java = ("class A {\n void handle(HttpServletRequest r) throws Exception {\n"
            "  process(\"fixed\");\n }\n"
            " private void process(String v) throws Exception {\n"
            "  StringBuilder sb = new StringBuilder(\"ls \");\n  sb.append(v);\n"
            "  Runtime.getRuntime().exec(sb.toString());\n }\n}\n")
    [found] = analyse(java, "java")
    text = found.slice.text
    assert "sb.append(v);" in text and "process(\"fixed\");" in text


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
    members = "public void handle(String data) throws Exception\n{\n    Runtime.getRuntime().exec(\"ls \" + data);\n}\n"
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
        catalogue.register(SinkPattern(id="w", language="python", cwe="CWE-89", kind="call", names=("w",), api="w",
                                       weak="("))


def test_sources_follow_the_data_not_the_guards():
    guarded = ("import os\nfrom flask import request\n\ndef f(user):\n"
               "    if request.args.get('debug') and user:\n        os.system('ls /tmp')\n")
    [found] = analyse(guarded, "python")
    assert found.slice.sources == () and "request.args.get('debug')" in found.slice.text
    tainted = guarded.replace("os.system('ls /tmp')", "os.system('ls ' + request.args['d'])")
    [found] = analyse(tainted, "python")
    assert found.slice.sources == ("input",)
    through_parameter = "import os\ndef f(user):\n    target = '/home/' + user\n    os.system('ls ' + target)\n"
    [found] = analyse(through_parameter, "python")
    assert found.slice.sources == ("parameter",)
