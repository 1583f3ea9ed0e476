"""Taint from real sources (`vulntune.analysis.flow`, `.program`, `.taint_models`): one test per model
kind in both languages, threat models, calls across files, user model files and bad input."""

from __future__ import annotations

import pytest

from vulntune.analysis import analyse, analyse_file, solve
from vulntune.analysis.taint_models import load_models
from vulntune.errors import VulntuneError


def _reach(code: str, language: str, threat_model: str = "remote", models=()) -> dict[int, bool]:
    return {c.candidate.line: c.reachable for c in analyse(code, language, threat_model=threat_model, models=models)}


def test_sources_and_threat_models_python():
    code = (
        "import os, sys\nfrom flask import request\n"
        "def view():\n    os.system('ls ' + request.args['d'])\n"
        "def cli():\n    os.system('ls ' + sys.argv[1])\n"
        "def lib(d):\n    os.system('ls ' + d)\n"
    )
    assert _reach(code, "python", "remote") == {4: True, 6: False, 8: False}
    assert _reach(code, "python", "local") == {4: True, 6: True, 8: False}
    assert _reach(code, "python", "all") == {4: True, 6: True, 8: True}


def test_sources_and_entry_points_java():
    code = (
        "class C {\n"
        '  @GetMapping("/f") String f(@RequestParam String name, Statement st) throws Exception {\n'
        '    st.executeQuery("SELECT * FROM t WHERE n = \'" + name + "\'"); return ""; }\n'
        "  void g(String name, Statement st) throws Exception {\n"
        '    st.executeQuery("SELECT * FROM t WHERE n = \'" + name + "\'"); }\n'
        "  void h(HttpServletRequest req, Statement st) throws Exception {\n"
        '    st.executeQuery("SELECT * FROM t WHERE n = \'" + req.getParameter("n") + "\'"); }\n'
        "}\n"
    )
    assert _reach(code, "java") == {3: True, 5: False, 7: True}


def test_sanitizers_clean_for_their_weakness_only():
    code = (
        "import os, shlex\nfrom flask import request\n"
        "def a():\n    os.system('ls ' + shlex.quote(request.args['d']))\n"
        "def b():\n    open(shlex.quote(request.args['d']))\n"
        "def c():\n    os.system('ls ' + str(int(request.args['n'])))\n"
    )
    assert _reach(code, "python") == {4: False, 6: True, 8: False}
    java = (
        "class C {\n  void f(HttpServletRequest req, XPath x, InputSource s) throws Exception {\n"
        '    String u = StringEscapeUtils.escapeXml(req.getParameter("u"));\n'
        '    x.evaluate("//user[name/text()=\'" + u + "\']", s);\n'
        '    x.evaluate("//user[name/text()=\'" + req.getParameter("u") + "\']", s);\n  }\n}\n'
    )
    assert _reach(java, "java") == {4: False, 5: True}


def test_validators_clean_inside_the_branch_where_they_hold():
    code = (
        "import os\nfrom flask import request, abort\nALLOWED = ('a', 'b')\n"
        "def v():\n    d = request.args['d']\n"
        "    if d in ALLOWED:\n        os.system('ls ' + d)\n"
        "    if not d.isdigit():\n        abort(400)\n"
        "    os.system('kill ' + d)\n"
        "def w():\n    d = request.args['d']\n    os.system('ls ' + d)\n"
    )
    assert _reach(code, "python") == {7: False, 10: False, 13: True}


def test_constants_fold_through_locals_branches_and_arithmetic():
    code = (
        "import os\nfrom flask import request\n"
        "def v():\n    p = request.args['p']\n    n = 106\n"
        "    bar = 'safe' if (7 * 18) + n > 200 else p\n    os.system('ls ' + bar)\n"
        "    q = p\n    q = 'const'\n    os.system('ls ' + q)\n"
        "    if n < 100:\n        os.system('ls ' + p)\n"
    )
    assert _reach(code, "python") == {7: False, 10: False, 12: False}
    java = (
        "class C {\n  void f(HttpServletRequest req) throws Exception {\n"
        '    String p = req.getParameter("p");\n    int num = 86;\n'
        '    String bar = (7 * 42) - num > 200 ? "ok" : p;\n'
        '    Runtime.getRuntime().exec("ls " + bar);\n'
        "    switch (\"ABC\".charAt(2)) { case 'A': bar = p; break; case 'C': bar = \"x\"; break; default: bar = p; }\n"
        '    Runtime.getRuntime().exec("ls " + bar);\n  }\n}\n'
    )
    assert _reach(java, "java") == {6: False, 8: True}  # charAt is not folded: the switch keeps every arm


def test_containers_at_constant_keys():
    code = (
        "import os\nfrom flask import request\n"
        "def v():\n    p = request.args['p']\n"
        "    items = ['safe', p, 'more']\n    items.pop(0)\n    os.system('ls ' + items[1])\n"
        "    os.system('ls ' + items[0])\n"
        "    m = {'a': 'x', 'b': p}\n    os.system('ls ' + m['a'])\n    os.system('ls ' + m['b'])\n"
    )
    assert _reach(code, "python") == {7: False, 8: True, 10: False, 11: True}
    java = (
        "class C {\n  void f(HttpServletRequest req) throws Exception {\n"
        "    java.util.List<String> l = new java.util.ArrayList<String>();\n"
        '    l.add("safe"); l.add(req.getParameter("p")); l.add("moresafe"); l.remove(0);\n'
        '    Runtime.getRuntime().exec("ls " + l.get(1));\n'
        '    Runtime.getRuntime().exec("ls " + l.get(0));\n  }\n}\n'
    )
    assert _reach(java, "java") == {5: False, 6: True}


def test_summaries_carry_taint_through_calls_and_returns():
    code = (
        "import os\nfrom flask import request\n"
        "def run(cmd):\n    os.system(cmd)\n"
        "def build(x):\n    return 'ls ' + x\n"
        "def fixed(x):\n    return 'ls /tmp'\n"
        "def view():\n    run(build(request.args['d']))\n    os.system(fixed(request.args['d']))\n"
    )
    found = analyse(code, "python", threat_model="remote")
    reach = {c.candidate.line: c.reachable for c in found}
    assert reach[4] is True and reach[11] is False
    path = next(c for c in found if c.candidate.line == 4).reach.path
    assert [s.kind for s in path] == ["source", "call", "sink"] and path[0].line == 10


def test_calls_cross_files_through_imports():
    views = "from flask import request\nfrom app.db import find\ndef view():\n    return find(request.args['n'])\n"
    db = 'def find(name):\n    cur.execute("SELECT * FROM t WHERE n = \'" + name + "\'")\n'
    alone = analyse_file(db, "python", file="app/db.py", module="app.db")
    assert not any(c.reachable for c in solve([alone], "remote")[0])
    both = [
        analyse_file(views, "python", file="app/views.py", module="app.views"),
        analyse_file(db, "python", file="app/db.py", module="app.db"),
    ]
    reached = solve(both, "remote")[1]
    assert [c.reachable for c in reached] == [True]
    assert [s.file for s in reached[0].reach.path] == ["app/views.py", "app/views.py", "app/db.py"]


def test_java_calls_resolve_to_implementations_of_an_interface():
    service = "interface UserService { void find(String n); }\n"
    impl = (
        "class UserServiceImpl implements UserService {\n  Statement st;\n  public void find(String n) {\n"
        '    st.executeQuery("SELECT * FROM t WHERE n = \'" + n + "\'");\n  }\n}\n'
    )
    controller = (
        "class UserController {\n  UserService users;\n"
        '  @GetMapping("/u") public void get(@RequestParam String name) { users.find(name); }\n}\n'
    )
    files = [analyse_file(t, "java", file=f"{i}.java") for i, t in enumerate((service, impl, controller))]
    assert [c.reachable for c in solve(files, "remote")[1]] == [True]
    assert [c.reachable for c in solve(files[:2], "remote")[1]] == [False]


def test_a_user_models_file_changes_a_finding(tmp_path):
    code = "import os\ndef handler(event):\n    os.system('ls ' + read_queue_message(event))\n"
    assert _reach(code, "python") == {3: False}
    models = tmp_path / "models.toml"
    models.write_text(
        '[[source]]\nid = "queue"\nkind = "remote"\nnames = ["read_queue_message"]\nlabel = "a queue message"\n'
    )
    assert _reach(code, "python", models=[str(models)]) == {3: True}
    models.write_text(
        models.read_text()
        + '\n[[sanitizer]]\nid = "our-quote"\nnames = ["quote_arg"]\ncwes = ["CWE-78"]\nlabel = "ours"\n'
    )
    assert _reach(
        code.replace("read_queue_message(event)", "quote_arg(read_queue_message(event))"),
        "python",
        models=[str(models)],
    ) == {3: False}


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[source]\n", "not valid TOML"),
        ('[[sauce]]\nid = "x"\n', r"unknown table \[\[sauce\]\]"),
        ('[[source]]\nid = "x"\nkind = "remote"\nlabel = "l"\nnames = ["f"]\ncolour = 1\n', "unknown key 'colour'"),
        ('[[source]]\nid = "x"\nkind = "nearby"\nlabel = "l"\nnames = ["f"]\n', "kind must be one of"),
        ('[[sanitizer]]\nid = "x"\nnames = ["f"]\ncwes = ["CWE-1"]\nlabel = "l"\n', "unknown weakness 'CWE-1'"),
        ('[[entry]]\nid = "x"\nlabel = "l"\ndecorator = "("\n', "not a valid regular expression"),
        ('[[neutral]]\nid = "x"\nnames = ["f"]\n', "missing key 'label'"),
    ],
)
def test_a_bad_models_file_is_one_line_naming_file_and_entry(tmp_path, text, message):
    models = tmp_path / "bad.toml"
    models.write_text(text)
    with pytest.raises(VulntuneError, match=message) as error:
        load_models("python", [str(models)])
    assert str(models) in str(error.value) and "\n" not in str(error.value)


def test_bad_threat_model_and_pathological_code():
    with pytest.raises(VulntuneError, match="unknown threat model"):
        analyse("x = 1\n", "python", threat_model="internet")
    recursive = "import os\ndef a(x):\n    return b(x)\ndef b(x):\n    return a(x)\ndef c(x):\n    os.system(a(x))\n"
    assert _reach(recursive, "python", "all") == {7: False}  # a and b only call each other: nothing returns
    deep = (
        "import os\nfrom flask import request\ndef v():\n    os.system("
        + "(" * 5000
        + "request.args['x']"
        + ")" * 5000
        + ")\n"
    )
    assert list(_reach(deep, "python").values()) in ([True], [False])  # decided or not, never a crash
    long = "import os\n" + "".join(f"def f{i}(x):\n    y = x + '{i}'\n    return y\n" for i in range(3000))
    assert analyse(long, "python") == []


def test_scan_cli_threat_model_and_models(tmp_path):
    import subprocess
    import sys

    (tmp_path / "tool.py").write_text("import os, sys\ndef main():\n    os.system('ls ' + sys.argv[1])\n")
    base = [sys.executable, "-m", "vulntune", "scan", str(tmp_path), "--judge", "reachability", "--no-cache"]
    assert subprocess.run(base, capture_output=True, text=True).returncode == 0
    assert subprocess.run(base + ["--threat-model", "local"], capture_output=True, text=True).returncode == 1
    bad = tmp_path / "m.toml"
    bad.write_text("[[sauce]]\n")
    run = subprocess.run(base + ["--models", str(bad)], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "[[sauce]]" in run.stderr
    wrong = subprocess.run(base + ["--threat-model", "internet"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr


def test_reports_name_the_threat_model(tmp_path):
    import json
    import subprocess
    import sys

    (tmp_path / "tool.py").write_text("import os, sys\ndef main():\n    os.system('ls ' + sys.argv[1])\n")
    base = [sys.executable, "-m", "vulntune", "scan", str(tmp_path), "--judge", "reachability", "--no-cache"]
    report = json.loads(
        subprocess.run(base + ["--threat-model", "local", "--format", "json"], capture_output=True, text=True).stdout
    )
    assert report["analysis"] == {"threat_model": "local", "models": []} and len(report["findings"]) == 1
    sarif = json.loads(subprocess.run(base + ["--format", "sarif"], capture_output=True, text=True).stdout)
    assert sarif["runs"][0]["properties"]["threatModel"] == "remote" and not sarif["runs"][0]["results"]
    text = subprocess.run(base, capture_output=True, text=True).stdout
    assert "threat model remote" in text.splitlines()[-1]


def test_a_view_found_by_its_parameter_names_is_an_entry_only_when_nothing_calls_it():
    views = (
        "from django.shortcuts import redirect\n"
        "def safe_referrer(request, default):\n    return default\n"
        "def view(request, slug):\n    return redirect(safe_referrer(request, '/home'))\n"
        "def other(request, target):\n    return redirect(target)\n"
    )
    assert _reach(views, "python") == {5: False, 7: True}  # `target` of an uncalled view is URL data


def test_a_scanned_function_that_returns_a_check_is_a_validator_across_files():
    view = (
        "from flask import request, redirect\nfrom app.checks import safe_for_redirect\n"
        "def view():\n    u = request.args['next']\n"
        "    if safe_for_redirect(u):\n        return redirect(u)\n    return redirect(u)\n"
    )
    checks = "def safe_for_redirect(url):\n    return url_has_allowed_host_and_scheme(url, allowed_hosts=None)\n"
    files = [
        analyse_file(view, "python", file="app/views.py", module="app.views"),
        analyse_file(checks, "python", file="app/checks.py", module="app.checks"),
    ]
    assert [(c.candidate.line, c.reachable) for c in solve(files, "remote")[0]] == [(6, False), (7, True)]
    assert [c.reachable for c in solve(files[:1], "remote")[0]] == [True, True]  # the check unseen: both


def test_safe_sink_forms_python():
    code = (
        "import hashlib, random\nfrom flask import request, Response\n"
        "def a():\n    return hashlib.md5(b'x', usedforsecurity=False).hexdigest()\n"
        "def b():\n    return hashlib.md5(b'x').hexdigest()\n"
        "def c(response, secure):\n    response.set_cookie('k', 'v', secure=secure)\n"
        "def d():\n    delay = random.randint(0, 5)\n    reset_code = random.randint(0, 999999)\n"
        "    return delay, reset_code\n"
        "PASSWORD = '********'\nREQUEST_TOKEN = 'request'\nAPI_TOKEN = 'wb-api-token'\nSECRET_KEY = 'k3y-9fz'\n"
    )
    reach = _reach(code, "python")
    assert [reach[line] for line in (4, 6, 8, 10, 11, 13, 14, 15, 16)] == [
        False,
        True,
        False,
        False,
        True,
        False,
        False,
        False,
        True,
    ]


def test_a_deleted_cookie_carries_no_secret():
    code = (
        "from flask import make_response\ndef logout():\n    r = make_response('bye')\n"
        "    r.set_cookie('session', '', max_age=0)\n    r.set_cookie('session', 'v')\n    return r\n"
    )
    assert {line: ok for line, ok in _reach(code, "python").items() if line in (4, 5)} == {4: False, 5: True}


def test_a_shared_helper_keeps_a_bounded_number_of_origins_and_its_verdicts():
    """Threat model all: every uncalled caller's parameter reaches the helper; it keeps a few origins
    per kind and cleaned set (ORIGINS_KEPT), and a cleaned value still does not reach."""
    from vulntune.analysis.program import ORIGINS_KEPT, Program

    callers = "".join(f"def caller{i}(name{i}):\n    return helper(name{i})\n" for i in range(40))
    code = (
        "import os, shlex\n"
        "def helper(path):\n    return open(path)\n"
        "def quoted(cmd):\n    os.system('ls ' + cmd)\n"
        "def safe(arg):\n    return quoted(shlex.quote(arg))\n" + callers
    )
    analysed = analyse_file(code, "python")
    program = Program([analysed.flow])
    reaches = program.solve("all")
    helper = next(f.index for f in analysed.flow.functions if f.name == "helper")
    facts = program._parameter_facts[(0, helper)][0]
    assert len(facts) == ORIGINS_KEPT
    verdicts = {c.candidate.line: c.reachable for c in solve([analysed], "all")[0]}
    assert verdicts == {3: True, 5: False}  # quoted is called with a quoted value only
    assert len({reaches[key].reachable for key in reaches}) == 2
