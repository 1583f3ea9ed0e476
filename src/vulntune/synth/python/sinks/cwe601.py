"""CWE-601 open redirect: Flask redirect and Location headers, Django HttpResponseRedirect and
redirect(), FastAPI RedirectResponse."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import ALLOW_LIST, fix, sink, vocabulary

CWE = "CWE-601"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("next_url", "redirect_to", "return_url", "next_page", "continue_url", "back_url"),
    constants=("/", "/home", "/dashboard", "/account", "/login"),
    affixes=(("", "?ref=login"), ("", "#top"), ("", "?welcome=1")),
    choices=("example.com", "www.example.com", "app.example.com", "accounts.example.com"),
    step_comment="# send the user on",
)

_URLSPLIT = ("from urllib.parse import urlsplit",)
_RELATIVE = (
    '$target = $value if not $parts.netloc and not $parts.scheme and $value.startswith("/") '
    'and not $value.startswith(("//", "/\\\\")) else "/"'
)
# (vulnerable target line, fixes' target lines, allow-list read by the vulnerable line)
_SHAPES = {
    # only checks that the URL has a path
    "path": (
        '$target = $value if $parts.path else "/"',
        (_RELATIVE, '$target = $value if $parts.netloc in $ALLOWED else "/"'),
        False,
    ),
    # matches allowed hosts by substring: "example.com.evil.net" passes
    "substring": (
        '$target = $value if not $parts.netloc or any(host in $parts.netloc for host in $ALLOWED) else "/"',
        ('$target = $value if any($parts.netloc == host for host in $ALLOWED) else "/"', _RELATIVE),
        True,
    ),
}


def _split_checked(id: str, api: str, line: str, shape: str, **fields):
    vulnerable, fixed, reads_allow_list = _SHAPES[shape]
    fixes = []
    for name, target in zip(
        (
            "allow-listed-host" if "ALLOWED" in fixed[0] else "relative-path-only",
            "allow-listed-host" if "ALLOWED" in fixed[1] else "relative-path-only",
        ),
        fixed,
    ):
        prelude = ALLOW_LIST if "$ALLOWED" in target and not reads_allow_list else ""
        fixes.append(
            fix(
                id=name,
                code=f"""
            $parts = urlsplit($value)
            {target}
            @@{line}
            """,
                prelude=prelude,
            )
        )
    return sink(
        id=id,
        cwe=CWE,
        api=api,
        vulnerable=f"""
        $parts = urlsplit($value)
        {vulnerable}
        @@{line}
        """,
        fixes=fixes,
        returns=True,
        prelude=ALLOW_LIST if reads_allow_list else "",
        **fields,
    )


def _django(id: str, api: str, line: str, imports: tuple[str, ...]):
    """Vulnerable: falls back on empty input only. Fix: Django's own host and scheme check."""
    return sink(
        id=id,
        cwe=CWE,
        api=api,
        vulnerable=f"""
        $target = $value or "/"
        @@{line}
        """,
        fixes=[
            fix(
                id="url-has-allowed-host-and-scheme",
                code=f"""
            $target = $value if url_has_allowed_host_and_scheme($value, allowed_hosts={{request.get_host()}}) else "/"
            @@{line}
            """,
                imports=("from django.utils.http import url_has_allowed_host_and_scheme",),
            ),
            fix(
                id="allow-listed-host",
                code=f"""
            $target = $value if urlsplit($value).netloc in $ALLOWED else "/"
            @@{line}
            """,
                prelude=ALLOW_LIST,
                imports=_URLSPLIT,
            ),
        ],
        frameworks=("django",),
        returns=True,
        imports=imports,
    )


_split_checked(
    "open-redirect-flask-redirect",
    "flask.redirect",
    "return redirect($target)",
    "path",
    frameworks=("flask",),
    imports=_URLSPLIT + ("from flask import redirect",),
)

_split_checked(
    "open-redirect-flask-location-header",
    "flask.Response",
    'return Response(status=302, headers={"Location": $target})',
    "substring",
    frameworks=("flask",),
    imports=_URLSPLIT + ("from flask import Response",),
)

_split_checked(
    "open-redirect-fastapi-redirect-response",
    "starlette.responses.RedirectResponse",
    "return RedirectResponse(url=$target, status_code=303)",
    "substring",
    frameworks=("fastapi",),
    imports=_URLSPLIT + ("from fastapi.responses import RedirectResponse",),
)

_django(
    "open-redirect-django-http-response-redirect",
    "django.http.HttpResponseRedirect",
    "return HttpResponseRedirect($target)",
    ("from django.http import HttpResponseRedirect",),
)

_django(
    "open-redirect-django-redirect-shortcut",
    "django.shortcuts.redirect",
    "return redirect($target)",
    ("from django.shortcuts import redirect",),
)
