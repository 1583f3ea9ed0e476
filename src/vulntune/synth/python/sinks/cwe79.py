"""CWE-79 cross-site scripting: Flask responses, Markup, `|safe`, Django HttpResponse and mark_safe,
FastAPI HTMLResponse, Jinja2 without autoescape."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-79"
_ESCAPE = ("from markupsafe import escape",)

SINKS = [
    sink(
        "html-concat-flask-make-response",
        CWE,
        "flask.make_response",
        """
        $html = "<p>" + $value + "</p>"
        @@return make_response($html)
        """,
        [
            fix(
                "markupsafe-escape",
                """
            $html = "<p>" + escape($value) + "</p>"
            @@return make_response($html)
            """,
                imports=_ESCAPE,
            ),
            fix(
                "autoescaped-template",
                """
            $html = render_template_string("<p>{{ $key }}</p>", $key=$value)
            @@return make_response($html)
            """,
                imports=("from flask import render_template_string",),
            ),
        ],
        frameworks=("flask",),
        returns=True,
        imports=("from flask import make_response",),
    ),
    sink(
        "html-markup-flask-template",
        CWE,
        "markupsafe.Markup",
        """
        @@return render_template_string("<h1>{{ $key }}</h1>", $key=Markup($value))
        """,
        [
            fix(
                "autoescaped-variable",
                """
            @@return render_template_string("<h1>{{ $key }}</h1>", $key=$value)
            """,
            ),
            fix(
                "markup-escape",
                """
            @@return render_template_string("<h1>{{ $key }}</h1>", $key=Markup.escape($value))
            """,
            ),
        ],
        frameworks=("flask",),
        returns=True,
        imports=("from flask import render_template_string", "from markupsafe import Markup"),
    ),
    sink(
        "html-safe-filter-flask-template",
        CWE,
        "flask.render_template_string",
        """
        @@return render_template_string("<div class=\\"$field\\">{{ $key|safe }}</div>", $key=$value)
        """,
        [
            fix(
                "autoescaped-variable",
                """
            @@return render_template_string("<div class=\\"$field\\">{{ $key }}</div>", $key=$value)
            """,
            ),
        ],
        frameworks=("flask",),
        returns=True,
        imports=("from flask import render_template_string",),
    ),
    sink(
        "html-fstring-django-http-response",
        CWE,
        "django.http.HttpResponse",
        """
        @@return HttpResponse(f"<div>{$value}</div>")
        """,
        [
            fix(
                "django-escape",
                """
            @@return HttpResponse(f"<div>{escape($value)}</div>")
            """,
                imports=("from django.utils.html import escape",),
            ),
            fix(
                "format-html",
                """
            @@return HttpResponse(format_html("<div>{}</div>", $value))
            """,
                imports=("from django.utils.html import format_html",),
            ),
        ],
        frameworks=("django",),
        returns=True,
        imports=("from django.http import HttpResponse",),
    ),
    sink(
        "html-concat-django-mark-safe",
        CWE,
        "django.utils.safestring.mark_safe",
        """
        @@$html = mark_safe("<b>" + $value + "</b>")
        return render(request, "$tpl.html", {"$key": $html})
        """,
        [
            fix(
                "format-html",
                """
            @@$html = format_html("<b>{}</b>", $value)
            return render(request, "$tpl.html", {"$key": $html})
            """,
                imports=("from django.utils.html import format_html",),
            ),
        ],
        frameworks=("django",),
        returns=True,
        imports=("from django.shortcuts import render", "from django.utils.safestring import mark_safe"),
    ),
    sink(
        "html-concat-fastapi-html-response",
        CWE,
        "fastapi.responses.HTMLResponse",
        """
        @@return HTMLResponse(content="<p>" + $value + "</p>")
        """,
        [
            fix(
                "html-escape",
                """
            @@return HTMLResponse(content="<p>" + html.escape($value) + "</p>")
            """,
                imports=("import html",),
            ),
        ],
        frameworks=("fastapi",),
        returns=True,
        imports=("from fastapi.responses import HTMLResponse",),
    ),
    sink(
        "html-jinja2-autoescape-off",
        CWE,
        "jinja2.Environment.from_string",
        """
        $jenv = Environment(loader=BaseLoader(), autoescape=False)
        @@$html = $jenv.from_string("<p>{{ $key }}</p>").render($key=$value)
        """,
        [
            fix(
                "autoescape-on",
                """
            $jenv = Environment(loader=BaseLoader(), autoescape=True)
            @@$html = $jenv.from_string("<p>{{ $key }}</p>").render($key=$value)
            """,
            ),
            fix(
                "select-autoescape",
                """
            $jenv = Environment(loader=BaseLoader(), autoescape=select_autoescape(default_for_string=True))
            @@$html = $jenv.from_string("<p>{{ $key }}</p>").render($key=$value)
            """,
                imports=("from jinja2 import select_autoescape",),
            ),
        ],
        imports=("from jinja2 import BaseLoader, Environment",),
    ),
    sink(
        "html-jinja2-template-render",
        CWE,
        "jinja2.Template.render",
        """
        @@$html = Template("<li>{{ $key }}</li>").render($key=$value)
        """,
        [
            fix(
                "template-autoescape",
                """
            @@$html = Template("<li>{{ $key }}</li>", autoescape=True).render($key=$value)
            """,
            ),
            fix(
                "template-escape-filter",
                """
            @@$html = Template("<li>{{ $key|e }}</li>").render($key=$value)
            """,
            ),
        ],
        imports=("from jinja2 import Template",),
    ),
    sink(
        "html-fstring-django-mark-safe",
        CWE,
        "django.utils.safestring.mark_safe",
        """
        @@$html = mark_safe(f"<span class=\\"$field\\">{$value}</span>")
        return HttpResponse($html)
        """,
        [
            fix(
                "format-html",
                """
            @@$html = format_html("<span class=\\"$field\\">{}</span>", $value)
            return HttpResponse($html)
            """,
                imports=("from django.utils.html import format_html",),
            ),
            fix(
                "escape-before-mark-safe",
                """
            @@$html = mark_safe(f"<span class=\\"$field\\">{escape($value)}</span>")
            return HttpResponse($html)
            """,
                imports=("from django.utils.html import escape",),
            ),
        ],
        frameworks=("django",),
        returns=True,
        imports=("from django.http import HttpResponse", "from django.utils.safestring import mark_safe"),
    ),
    sink(
        "html-built-lines-django-http-response",
        CWE,
        "django.http.HttpResponse",
        """
        $html = "<ul>"
        $html += f"<li>{$value}</li>"
        $html += "</ul>"
        @@return HttpResponse($html)
        """,
        [
            fix(
                "format-html-item",
                """
            $html = "<ul>"
            $html += format_html("<li>{}</li>", $value)
            $html += "</ul>"
            @@return HttpResponse($html)
            """,
                imports=("from django.utils.html import format_html",),
            ),
            fix(
                "django-escape-item",
                """
            $html = "<ul>"
            $html += f"<li>{escape($value)}</li>"
            $html += "</ul>"
            @@return HttpResponse($html)
            """,
                imports=("from django.utils.html import escape",),
            ),
        ],
        frameworks=("django",),
        returns=True,
        imports=("from django.http import HttpResponse",),
    ),
]

REGISTRY.register_all(SINKS)
