"""CWE-79 cross-site scripting: Flask responses, Markup, `|safe`, Django HttpResponse and mark_safe,
FastAPI HTMLResponse, Jinja2 without autoescape."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-79"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("nickname", "comment", "greeting", "headline", "display_name", "caption", "bio"),
    constants=("Guest", "friend", "there", "visitor", "team", "everyone"),
    affixes=(("Hello, ", "!"), ("Welcome back, ", "."), ("Results for ", ""), ("", " (edited)")),
    step_comment="# build the page",
)

_ESCAPE = ("from markupsafe import escape",)

sink(
    id="html-concat-flask-make-response",
    cwe=CWE,
    api="flask.make_response",
    vulnerable="""
    $html = "<p>" + $value + "</p>"
    @@return make_response($html)
    """,
    fixes=[
        fix(
            id="markupsafe-escape",
            code="""
        $html = "<p>" + escape($value) + "</p>"
        @@return make_response($html)
        """,
            imports=_ESCAPE,
        ),
        fix(
            id="autoescaped-template",
            code="""
        $html = render_template_string("<p>{{ $key }}</p>", $key=$value)
        @@return make_response($html)
        """,
            imports=("from flask import render_template_string",),
        ),
    ],
    frameworks=("flask",),
    returns=True,
    imports=("from flask import make_response",),
)

sink(
    id="html-markup-flask-template",
    cwe=CWE,
    api="markupsafe.Markup",
    vulnerable="""
    @@return render_template_string("<h1>{{ $key }}</h1>", $key=Markup($value))
    """,
    fixes=[
        fix(
            id="autoescaped-variable",
            code="""
        @@return render_template_string("<h1>{{ $key }}</h1>", $key=$value)
        """,
        ),
        fix(
            id="markup-escape",
            code="""
        @@return render_template_string("<h1>{{ $key }}</h1>", $key=Markup.escape($value))
        """,
        ),
    ],
    frameworks=("flask",),
    returns=True,
    imports=("from flask import render_template_string", "from markupsafe import Markup"),
)

sink(
    id="html-safe-filter-flask-template",
    cwe=CWE,
    api="flask.render_template_string",
    vulnerable="""
    @@return render_template_string("<div class=\\"$field\\">{{ $key|safe }}</div>", $key=$value)
    """,
    fixes=[
        fix(
            id="autoescaped-variable",
            code="""
        @@return render_template_string("<div class=\\"$field\\">{{ $key }}</div>", $key=$value)
        """,
        ),
    ],
    frameworks=("flask",),
    returns=True,
    imports=("from flask import render_template_string",),
)

sink(
    id="html-fstring-django-http-response",
    cwe=CWE,
    api="django.http.HttpResponse",
    vulnerable="""
    @@return HttpResponse(f"<div>{$value}</div>")
    """,
    fixes=[
        fix(
            id="django-escape",
            code="""
        @@return HttpResponse(f"<div>{escape($value)}</div>")
        """,
            imports=("from django.utils.html import escape",),
        ),
        fix(
            id="format-html",
            code="""
        @@return HttpResponse(format_html("<div>{}</div>", $value))
        """,
            imports=("from django.utils.html import format_html",),
        ),
    ],
    frameworks=("django",),
    returns=True,
    imports=("from django.http import HttpResponse",),
)

sink(
    id="html-concat-django-mark-safe",
    cwe=CWE,
    api="django.utils.safestring.mark_safe",
    vulnerable="""
    @@$html = mark_safe("<b>" + $value + "</b>")
    return render(request, "$tpl.html", {"$key": $html})
    """,
    fixes=[
        fix(
            id="format-html",
            code="""
        @@$html = format_html("<b>{}</b>", $value)
        return render(request, "$tpl.html", {"$key": $html})
        """,
            imports=("from django.utils.html import format_html",),
        ),
    ],
    frameworks=("django",),
    returns=True,
    imports=("from django.shortcuts import render", "from django.utils.safestring import mark_safe"),
)

sink(
    id="html-concat-fastapi-html-response",
    cwe=CWE,
    api="fastapi.responses.HTMLResponse",
    vulnerable="""
    @@return HTMLResponse(content="<p>" + $value + "</p>")
    """,
    fixes=[
        fix(
            id="html-escape",
            code="""
        @@return HTMLResponse(content="<p>" + html.escape($value) + "</p>")
        """,
            imports=("import html",),
        ),
    ],
    frameworks=("fastapi",),
    returns=True,
    imports=("from fastapi.responses import HTMLResponse",),
)

sink(
    id="html-jinja2-autoescape-off",
    cwe=CWE,
    api="jinja2.Environment.from_string",
    vulnerable="""
    $jenv = Environment(loader=BaseLoader(), autoescape=False)
    @@$html = $jenv.from_string("<p>{{ $key }}</p>").render($key=$value)
    """,
    fixes=[
        fix(
            id="autoescape-on",
            code="""
        $jenv = Environment(loader=BaseLoader(), autoescape=True)
        @@$html = $jenv.from_string("<p>{{ $key }}</p>").render($key=$value)
        """,
        ),
        fix(
            id="select-autoescape",
            code="""
        $jenv = Environment(loader=BaseLoader(), autoescape=select_autoescape(default_for_string=True))
        @@$html = $jenv.from_string("<p>{{ $key }}</p>").render($key=$value)
        """,
            imports=("from jinja2 import select_autoescape",),
        ),
    ],
    imports=("from jinja2 import BaseLoader, Environment",),
)

sink(
    id="html-jinja2-template-render",
    cwe=CWE,
    api="jinja2.Template.render",
    vulnerable="""
    @@$html = Template("<li>{{ $key }}</li>").render($key=$value)
    """,
    fixes=[
        fix(
            id="template-autoescape",
            code="""
        @@$html = Template("<li>{{ $key }}</li>", autoescape=True).render($key=$value)
        """,
        ),
        fix(
            id="template-escape-filter",
            code="""
        @@$html = Template("<li>{{ $key|e }}</li>").render($key=$value)
        """,
        ),
    ],
    imports=("from jinja2 import Template",),
)

sink(
    id="html-fstring-django-mark-safe",
    cwe=CWE,
    api="django.utils.safestring.mark_safe",
    vulnerable="""
    @@$html = mark_safe(f"<span class=\\"$field\\">{$value}</span>")
    return HttpResponse($html)
    """,
    fixes=[
        fix(
            id="format-html",
            code="""
        @@$html = format_html("<span class=\\"$field\\">{}</span>", $value)
        return HttpResponse($html)
        """,
            imports=("from django.utils.html import format_html",),
        ),
        fix(
            id="escape-before-mark-safe",
            code="""
        @@$html = mark_safe(f"<span class=\\"$field\\">{escape($value)}</span>")
        return HttpResponse($html)
        """,
            imports=("from django.utils.html import escape",),
        ),
    ],
    frameworks=("django",),
    returns=True,
    imports=("from django.http import HttpResponse", "from django.utils.safestring import mark_safe"),
)

sink(
    id="html-built-lines-django-http-response",
    cwe=CWE,
    api="django.http.HttpResponse",
    vulnerable="""
    $html = "<ul>"
    $html += f"<li>{$value}</li>"
    $html += "</ul>"
    @@return HttpResponse($html)
    """,
    fixes=[
        fix(
            id="format-html-item",
            code="""
        $html = "<ul>"
        $html += format_html("<li>{}</li>", $value)
        $html += "</ul>"
        @@return HttpResponse($html)
        """,
            imports=("from django.utils.html import format_html",),
        ),
        fix(
            id="django-escape-item",
            code="""
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
)
