"""HTML templates and the views that render them (issue 24, item 5).

A view that hands request data to a template line writing it unescaped (`{{ x|safe }}`,
`{% autoescape off %}`, `th:utext`, JSP `${x}`) is a finding at the view's render line whose path
ends in the template; the same value written escaped, or a constant written unescaped, is not. A
template that reads request data itself and writes it unescaped is a finding in the template.
Scanned with `--judge reachability` (no model), in the CLI's own process.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from vulntune.analysis import analyse_file
from vulntune.analysis.templates import load_renders, read_template
from vulntune.cli import main
from vulntune.errors import VulntuneError
from vulntune.formats.json import SCHEMA_FILE

pytestmark = pytest.mark.usefixtures("private_cache")

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0.json"
SOURCE = "request data (Flask, Django, Starlette, FastAPI, aiohttp, Tornado)"
XSS = "CWE-79 Cross-site Scripting"

FLASK_VIEW = """\
from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/profile")
def profile():
    bio = request.args.get("bio", "")
    return render_template("profile.html", bio=bio, title="Profile")


@app.route("/about")
def about():
    return render_template("profile.html", bio="<b>ours</b>", title=request.args.get("t", ""))
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def scan(capsys, root: Path, *args: str) -> tuple[int, dict]:
    """`vulntune scan ROOT --judge reachability --format json ARGS`: (exit code, the report)."""
    code = main(["scan", str(root), "--judge", "reachability", "--format", "json", "--root", str(root), *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, json.loads(out)


def where(report: dict) -> list[tuple[str, int, str]]:
    return [(f["file"], f["line"], f["sink"]) for f in report["findings"]]


# --- Flask and Jinja2 ---------------------------------------------------------------------------------


def test_request_data_to_a_safe_filter_is_a_finding_whose_path_ends_in_the_template(capsys, tmp_path):
    template = "<html>\n<h1>{{ title }}</h1>\n<div>{{ bio|safe }}</div>\n</html>\n"
    root = write(tmp_path, {"app.py": FLASK_VIEW, "templates/profile.html": template})
    code, report = scan(capsys, root)
    jsonschema.validators.validator_for(schema := json.loads(SCHEMA_FILE.read_text()))(schema).validate(report)
    [finding] = report["findings"]
    assert code == 1 and (finding["file"], finding["line"], finding["cwe"]) == ("app.py", 9, "CWE-79")
    assert finding["sink"] == "template-render-flask" and finding["language"] == "python"
    assert finding["path"] == [
        {"kind": "source", "file": "app.py", "line": 8, "label": SOURCE},
        {
            "kind": "call",
            "file": "app.py",
            "line": 9,
            "label": "render_template(...) passes it to templates/profile.html as 'bio'",
        },
        {
            "kind": "sink",
            "file": "templates/profile.html",
            "line": 3,
            "label": f"{XSS}: {{{{ bio|safe }}}} (|safe filter)",
        },
    ]
    # /about writes request data escaped ({{ title }}) and a constant unescaped: neither is a finding.
    assert report["summary"]["files_scanned"] == 2  # the view and the template


def test_the_same_value_written_escaped_is_no_finding(capsys, tmp_path):
    template = "<h1>{{ title }}</h1>\n<div>{{ bio }}</div>\n<p>{{ bio|e|safe }}</p>\n"
    root = write(tmp_path, {"app.py": FLASK_VIEW, "templates/profile.html": template})
    code, report = scan(capsys, root)
    assert code == 0 and report["findings"] == []


def test_a_constant_written_unescaped_is_no_finding(capsys, tmp_path):
    view = FLASK_VIEW.replace('bio = request.args.get("bio", "")', 'bio = "<em>ours</em>"')
    root = write(tmp_path, {"app.py": view, "templates/profile.html": "<div>{{ bio|safe }}</div>\n"})
    code, report = scan(capsys, root)
    assert code == 0 and report["findings"] == []


def test_a_template_it_includes_or_extends_sees_the_same_values(capsys, tmp_path):
    files = {
        "app.py": FLASK_VIEW,
        "templates/profile.html": '{% extends "layout.html" %}\n{% block body %}{% include "card.html" %}{% endblock %}\n',
        "templates/layout.html": "<html>{% block body %}{% endblock %}</html>\n",
        "templates/card.html": "<ul>\n{% for line in bio %}\n<li>{{ line|safe }}</li>\n{% endfor %}\n</ul>\n",
    }
    code, report = scan(capsys, write(tmp_path, files))
    [finding] = report["findings"]
    assert (finding["file"], finding["line"]) == ("app.py", 9)
    assert finding["path"][-1]["file"] == "templates/card.html" and finding["path"][-1]["line"] == 3


def test_a_scan_without_templates_finds_no_render_candidates(capsys, tmp_path):
    root = write(tmp_path, {"app.py": FLASK_VIEW})
    code, report = scan(capsys, root)
    assert code == 0 and report["summary"]["units"] == 0
    assert analyse_file(FLASK_VIEW, "python").renders == ()
    assert len(analyse_file(FLASK_VIEW, "python", renders=True).renders) == 4  # bio, title in each view


# --- Django ---------------------------------------------------------------------------------------------


def test_django_autoescape_off_with_a_context_built_in_the_view(capsys, tmp_path):
    view = (
        "from django.shortcuts import render\n\n\n"
        "def post(request):\n"
        '    context = {"title": "Post"}\n'
        '    context["body"] = request.GET.get("body", "")\n'
        '    return render(request, "blog/post.html", context)\n'
    )
    template = (
        '{% extends "blog/base.html" %}\n{% block content %}\n<h1>{{ title }}</h1>\n'
        "{% autoescape off %}\n<div>{{ body }}</div>\n<p>{{ body|escape }}</p>\n{% endautoescape %}\n"
        "<div>{{ body }}</div>\n{% endblock %}\n"
    )
    files = {
        "blog/views.py": view,
        "blog/templates/blog/post.html": template,
        "blog/templates/blog/base.html": "<html>{% block content %}{% endblock %}</html>\n",
    }
    code, report = scan(capsys, write(tmp_path, files))
    [finding] = report["findings"]
    assert (finding["file"], finding["line"], finding["sink"]) == ("blog/views.py", 7, "template-render-django")
    assert [(s["kind"], s["file"], s["line"]) for s in finding["path"]] == [
        ("source", "blog/views.py", 6),
        ("call", "blog/views.py", 7),
        ("sink", "blog/templates/blog/post.html", 5),
    ]


# --- Spring, Thymeleaf, JSP -------------------------------------------------------------------------------

CONTROLLER = """\
package shop;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

@Controller
public class UserController {

    @GetMapping("/users/show")
    public String show(@RequestParam String bio, @RequestParam String name, Model model) {
        model.addAttribute("bio", bio);
        model.addAttribute("name", name);
        return "users/show";
    }
}
"""


def test_spring_model_attribute_written_by_thymeleaf_utext(capsys, tmp_path):
    template = (
        '<html xmlns:th="http://www.thymeleaf.org">\n<body>\n<h1 th:text="${name}">n</h1>\n'
        '<div th:utext="${bio}">b</div>\n</body>\n</html>\n'
    )
    files = {
        "src/main/java/shop/UserController.java": CONTROLLER,
        "src/main/resources/templates/users/show.html": template,
    }
    code, report = scan(capsys, write(tmp_path, files), "--format", "sarif")
    jsonschema.validators.validator_for(schema := json.loads(SARIF_SCHEMA.read_text()))(schema).validate(report)
    [result] = report["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == (
        "src/main/java/shop/UserController.java",
        13,
    )
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    last = steps[-1]["location"]["physicalLocation"]
    assert (last["artifactLocation"]["uri"], last["region"]["startLine"]) == (
        "src/main/resources/templates/users/show.html",
        4,
    )
    artifacts = {a["location"]["uri"]: a["sourceLanguage"] for a in report["runs"][0]["artifacts"]}
    assert artifacts["src/main/resources/templates/users/show.html"] == "html"


def test_a_rest_controller_returns_text_not_a_view(capsys, tmp_path):
    controller = CONTROLLER.replace("@Controller", "@org.springframework.web.bind.annotation.RestController")
    files = {
        "src/main/java/shop/UserController.java": controller,
        "src/main/resources/templates/users/show.html": '<div th:utext="${bio}">b</div>\n',
    }
    code, report = scan(capsys, write(tmp_path, files))
    assert [f["sink"] for f in report["findings"]] == []


def test_a_jsp_writing_a_request_parameter_is_a_finding_in_the_jsp(capsys, tmp_path):
    jsp = (
        '<%@ page contentType="text/html;charset=UTF-8" %>\n<html>\n'
        '<p>You searched for <%= request.getParameter("q") %></p>\n'
        '<p><c:out value="${param.q}"/></p>\n'
        "<p>${fn:escapeXml(param.q)}</p>\n"
        "<%-- vulntune: ignore[CWE-79] --%>\n"
        "<p>${param.page}</p>\n"
        "</html>\n"
    )
    code, report = scan(capsys, write(tmp_path, {"src/main/webapp/WEB-INF/jsp/search.jsp": jsp}))
    [finding] = report["findings"]
    assert (finding["file"], finding["line"], finding["language"]) == (
        "src/main/webapp/WEB-INF/jsp/search.jsp",
        3,
        "java",
    )
    assert [s["kind"] for s in finding["path"]] == ["source", "sink"]
    assert report["summary"]["suppressed"] == 1 and report["summary"]["files_scanned"] == 1
    # A scan of Python alone reports nothing of a JSP's own.
    code, report = scan(capsys, tmp_path, "--extensions", ".py")
    assert code == 0 and report["findings"] == []


def test_a_servlet_forwarding_request_data_to_jsp_el(capsys, tmp_path):
    servlet = """\
package app;

import java.io.IOException;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

public class Greeting extends HttpServlet {
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String name = request.getParameter("name");
        request.setAttribute("name", name);
        request.setAttribute("motto", "Hello");
        request.getRequestDispatcher("/WEB-INF/greeting.jsp").forward(request, response);
    }
}
"""
    jsp = '<html>\n<h1>${motto}</h1>\n<p><c:out value="${name}"/></p>\n<p>Hi ${name}</p>\n</html>\n'
    files = {"src/main/java/app/Greeting.java": servlet, "src/main/webapp/WEB-INF/greeting.jsp": jsp}
    code, report = scan(capsys, write(tmp_path, files))
    assert where(report) == [("src/main/java/app/Greeting.java", 13, "template-request-attribute")]
    assert report["findings"][0]["path"][-1]["line"] == 4


# --- every render row, with a view and a template -----------------------------------------------------

ROWS = {
    "template-render-flask": (
        "views.py",
        'from flask import render_template, request\n\n\ndef v():\n    return render_template("t.html", x=request.args["x"])\n',
        "t.html",
        "{{ x|safe }}\n",
    ),
    "template-render-django": (
        "views.py",
        'from django.shortcuts import render\n\n\ndef v(request):\n    return render(request, "t.html", {"x": request.GET["x"]})\n',
        "t.html",
        "{{ x|safe }}\n",
    ),
    "template-render-to-string": (
        "views.py",
        "from django.http import JsonResponse\nfrom django.template.loader import render_to_string\n\n\n"
        'def v(request):\n    return JsonResponse({"html": render_to_string("t.html", {"x": request.GET["x"]})})\n',
        "t.html",
        "{% autoescape off %}{{ x }}{% endautoescape %}\n",
    ),
    "template-response": (
        "views.py",
        "from fastapi import FastAPI, Request\nfrom fastapi.templating import Jinja2Templates\n\n"
        'app = FastAPI()\ntemplates = Jinja2Templates(directory="templates")\n\n\n'
        '@app.get("/")\ndef v(request: Request, x: str):\n'
        '    return templates.TemplateResponse(request, "t.html", {"x": x})\n',
        "templates/t.html",
        "{{ x|safe }}\n",
    ),
    "template-object-render": (
        "views.py",
        "from flask import request\nfrom jinja2 import Environment, FileSystemLoader, select_autoescape\n\n"
        'env = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape())\n\n\n'
        'def v():\n    page = env.get_template("t.html")\n    return page.render(x=request.args["x"])\n',
        "templates/t.html",
        "{{ x|safe }}\n",
    ),
    "template-model-attribute": (
        "C.java",
        "import org.springframework.ui.ModelMap;\nimport org.springframework.web.bind.annotation.*;\n\n"
        "@org.springframework.stereotype.Controller\npublic class C {\n"
        '    @GetMapping("/")\n    public String v(@RequestParam String x, ModelMap model) {\n'
        '        model.put("x", x);\n        return "t";\n    }\n}\n',
        "templates/t.html",
        '<p th:utext="${x}"></p>\n',
    ),
    "template-model-all-attributes": (
        "C.java",
        "import java.util.HashMap;\nimport java.util.Map;\nimport org.springframework.ui.Model;\n"
        "import org.springframework.web.bind.annotation.*;\n\n"
        "@org.springframework.stereotype.Controller\npublic class C {\n"
        '    @GetMapping("/")\n    public String v(@RequestParam String x, Model model) {\n'
        '        Map<String, Object> values = new HashMap<>();\n        values.put("x", x);\n'
        '        model.addAllAttributes(values);\n        return "t";\n    }\n}\n',
        "WEB-INF/jsp/t.jsp",
        "<p>${x}</p>\n",
    ),
    "template-model-and-view": (
        "C.java",
        "import org.springframework.web.bind.annotation.*;\nimport org.springframework.web.servlet.ModelAndView;\n\n"
        "@org.springframework.stereotype.Controller\npublic class C {\n"
        '    @GetMapping("/")\n    public ModelAndView v(@RequestParam String x) {\n'
        '        return new ModelAndView("t", "x", x);\n    }\n}\n',
        "templates/t.html",
        '<script>var x = [(${x})];</script>\n<p th:text="${x}"></p>\n',
    ),
    "template-request-attribute": (
        "S.java",
        "import javax.servlet.http.*;\n\npublic class S extends HttpServlet {\n"
        "    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws Exception {\n"
        '        req.setAttribute("x", req.getParameter("x"));\n'
        '        req.getRequestDispatcher("/t.jsp").forward(req, resp);\n    }\n}\n',
        "t.jsp",
        '<c:out value="${x}" escapeXml="false"/>\n',
    ),
    "template-thymeleaf-variable": (
        "S.java",
        "import javax.servlet.http.*;\nimport org.thymeleaf.TemplateEngine;\nimport org.thymeleaf.context.Context;\n\n"
        "public class S extends HttpServlet {\n    private TemplateEngine engine;\n\n"
        "    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws Exception {\n"
        "        Context context = new Context();\n"
        '        context.setVariable("x", req.getParameter("x"));\n'
        '        engine.process("t", context, resp.getWriter());\n    }\n}\n',
        "templates/t.html",
        '<p th:utext="${x}"></p>\n',
    ),
}


def test_every_render_row_has_a_case():
    assert sorted(ROWS) == sorted(row.id for row in load_renders())


@pytest.mark.parametrize("row", sorted(ROWS))
def test_each_render_row_links_a_view_to_its_template(capsys, tmp_path, row):
    view, view_text, template, template_text = ROWS[row]
    code, report = scan(capsys, write(tmp_path, {view: view_text, template: template_text}))
    assert [(f["file"], f["sink"]) for f in report["findings"]] == [(view, row)]
    assert report["findings"][0]["path"][-1]["file"] == template
    # The same view with the value escaped in the template: no finding.
    escaped = template_text.replace("|safe", "").replace("utext", "text").replace("[(", "[[").replace(")]", "]]")
    escaped = escaped.replace('escapeXml="false"', "").replace("<p>${x}</p>", '<p><c:out value="${x}"/></p>')
    escaped = escaped.replace("{% autoescape off %}", "").replace("{% endautoescape %}", "")
    (tmp_path / template).write_text(escaped)
    code, report = scan(capsys, tmp_path)
    assert code == 0 and report["findings"] == []


# --- reading templates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.html", "{{ x|safe }}", [(1, ("x",), "")]),
        ("a.html", "{{ x }}\n{{ x|escape|safe }}\n{{ x|tojson|safe }}", []),
        ("a.html", "{{ user.bio|default('')|safe }}", [(1, ("user",), "")]),
        ("a.html", "{% for c in comments %}\n{{ c.body|safe }}\n{% endfor %}", [(2, ("comments",), "")]),
        (
            "a.html",
            "{% autoescape false %}\n{{ x }}\n{% autoescape true %}{{ y }}{% endautoescape %}\n{{ z }}",
            [(2, ("x",), ""), (4, ("z",), "")],
        ),
        ("a.html", "{% raw %}{{ x|safe }}{% endraw %}{# {{ y|safe }} #}{{ '<b>'|safe }}", []),
        ("a.html", "{{ request.args.q|safe }}", [(1, (), "request data read in the template (request.args)")]),
        ("a.html", '<p th:utext="${bio}"></p>\n<p th:text="${bio}"></p>', [(1, ("bio",), "")]),
        ("a.html", '<li th:each="c : ${items}" th:utext="${c.text}"></li>', [(1, ("items",), "")]),
        ("a.html", '<p th:utext="${param.q}"></p>', [(1, (), "request data read in the template (param)")]),
        ("a.html", '<p th:utext="${#strings.escapeXml(bio)}"></p>', []),
        ("a.jsp", "<%= bio %>\n<%= Encode.forHtml(bio) %>", [(1, ("bio",), "")]),
        (
            "a.jsp",
            '<% String q = request.getParameter("q"); %>\n<%= q %>',
            [(2, (), "request data read in the template (request.getParameter)")],
        ),
        ("a.jsp", '<%= request.getAttribute("bio") %>', [(1, ("bio",), "")]),
        (
            "a.jsp",
            '${bio}\n<c:out value="${bio}"/>\n${fn:escapeXml(bio)}\n<c:if test="${bio != null}">',
            [(1, ("bio",), "")],
        ),
        ("a.jsp", '<c:forEach var="c" items="${comments}">${c.text}</c:forEach>', [(1, ("comments",), "")]),
        ("a.jsp", '<%@ page isELIgnored="true" %>\n${bio}', []),
        ("a.html", "${bio}", []),  # EL outside a JSP is not evaluated
    ],
)
def test_read_template_lists_unescaped_outputs(name, text, expected):
    found = read_template(text, name)
    assert [(o.line, o.roots, o.source) for o in found.outputs] == expected


def test_read_template_lists_includes_and_says_which_engines():
    jinja = read_template('{% extends "base.html" %}{% include "a.html" with x=y %}', "t.html")
    assert jinja.includes == ("base.html", "a.html") and jinja.engines == ("jinja",)
    thymeleaf = read_template('<div th:replace="~{fragments/header :: head}"></div>', "t.html")
    assert thymeleaf.includes == ("fragments/header",) and thymeleaf.engines == ("thymeleaf",)
    jsp = read_template('<%@ include file="header.jsp" %><jsp:include page="footer.jsp"/>', "t.jsp")
    assert jsp.includes == ("header.jsp", "footer.jsp") and jsp.engines == ("jsp",)
    assert read_template("<html><p>a page</p></html>", "index.html").engines == ()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            'id = "r"\nlanguage = "python"\nnames = ["f"]\napi = "f"\ntemplate = [0]\nkeywords = true\ncolour = 1',
            "unknown key 'colour'",
        ),
        ('id = "r"\nlanguage = "python"\napi = "f"\ntemplate = [0]\nkeywords = true', "missing key 'names'"),
        (
            'id = "r"\nlanguage = "cobol"\nnames = ["f"]\napi = "f"\ntemplate = [0]\nkeywords = true',
            "unknown language 'cobol'",
        ),
        (
            'id = "r"\nlanguage = "python"\nnames = ["f"]\napi = "f"\nview = "page"\nkeywords = true',
            "view must be one of",
        ),
        ('id = "r"\nlanguage = "python"\nnames = ["f"]\napi = "f"\ntemplate = [0]', "hands values by"),
        (
            'id = "r"\nlanguage = "java"\nnames = ["f"]\napi = "f"\nview = "method"\npair = ["a", 1]',
            "pair must be a list of argument positions",
        ),
        (
            'id = "r"\nlanguage = "java"\nnames = ["f"]\napi = "f"\nview = "method"\npair = [0, 1]\nreceiver = "("',
            "bad regular expression",
        ),
    ],
)
def test_a_bad_render_row_is_one_error_naming_the_file_and_entry(tmp_path, row, message):
    path = tmp_path / "renders.toml"
    path.write_text(f"[[render]]\n{row}\n")
    with pytest.raises(VulntuneError, match=message) as error:
        load_renders(str(path))
    assert str(error.value).startswith(f"{path}: render #1")
