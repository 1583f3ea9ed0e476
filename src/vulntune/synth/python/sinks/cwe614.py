"""CWE-614 sensitive cookie without the Secure attribute: Flask, Django, FastAPI responses and
http.cookies.SimpleCookie."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import NON_TAINT, fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-614"

SINKS = [
    sink(
        "cookie-without-secure-flask",
        CWE,
        "flask.Response.set_cookie",
        """
        $resp = make_response("ok")
        @@$resp.set_cookie("$cookie", $value, httponly=True)
        return $resp
        """,
        [
            fix(
                "secure-flag",
                """
            $resp = make_response("ok")
            @@$resp.set_cookie("$cookie", $value, secure=True, httponly=True)
            return $resp
            """,
            ),
            fix(
                "secure-samesite",
                """
            $resp = make_response("ok")
            @@$resp.set_cookie("$cookie", $value, secure=True, httponly=True, samesite="Lax")
            return $resp
            """,
            ),
        ],
        frameworks=("flask",),
        returns=True,
        safe_kinds=NON_TAINT,
        imports=("from flask import make_response",),
    ),
    sink(
        "cookie-secure-false-flask-redirect",
        CWE,
        "flask.Response.set_cookie",
        """
        $resp = make_response(redirect("/"))
        @@$resp.set_cookie("$cookie", $value, secure=False, max_age=3600)
        return $resp
        """,
        [
            fix(
                "secure-flag",
                """
            $resp = make_response(redirect("/"))
            @@$resp.set_cookie("$cookie", $value, secure=True, max_age=3600)
            return $resp
            """,
            ),
        ],
        frameworks=("flask",),
        returns=True,
        safe_kinds=NON_TAINT,
        imports=("from flask import make_response, redirect",),
    ),
    sink(
        "cookie-secure-false-django",
        CWE,
        "django.http.HttpResponse.set_cookie",
        """
        $resp = HttpResponse("ok")
        @@$resp.set_cookie("$cookie", $value, secure=False, samesite="Lax")
        return $resp
        """,
        [
            fix(
                "secure-flag",
                """
            $resp = HttpResponse("ok")
            @@$resp.set_cookie("$cookie", $value, secure=True, samesite="Lax")
            return $resp
            """,
            ),
        ],
        frameworks=("django",),
        returns=True,
        safe_kinds=NON_TAINT,
        imports=("from django.http import HttpResponse",),
    ),
    sink(
        "signed-cookie-secure-false-django",
        CWE,
        "django.http.HttpResponse.set_signed_cookie",
        """
        $resp = JsonResponse({"ok": True})
        @@$resp.set_signed_cookie("$cookie", $value, salt="$word", secure=False, httponly=True)
        return $resp
        """,
        [
            fix(
                "secure-flag",
                """
            $resp = JsonResponse({"ok": True})
            @@$resp.set_signed_cookie("$cookie", $value, salt="$word", secure=True, httponly=True)
            return $resp
            """,
            ),
        ],
        frameworks=("django",),
        returns=True,
        safe_kinds=NON_TAINT,
        imports=("from django.http import JsonResponse",),
    ),
    sink(
        "cookie-without-secure-fastapi",
        CWE,
        "starlette.responses.Response.set_cookie",
        """
        $resp = JSONResponse({"ok": True})
        @@$resp.set_cookie(key="$cookie", value=$value, httponly=True)
        return $resp
        """,
        [
            fix(
                "secure-flag",
                """
            $resp = JSONResponse({"ok": True})
            @@$resp.set_cookie(key="$cookie", value=$value, httponly=True, secure=True)
            return $resp
            """,
            ),
        ],
        frameworks=("fastapi",),
        returns=True,
        safe_kinds=NON_TAINT,
        imports=("from fastapi.responses import JSONResponse",),
    ),
    sink(
        "cookie-without-secure-simple-cookie",
        CWE,
        "http.cookies.SimpleCookie.output",
        """
        $jar = SimpleCookie()
        $jar["$cookie"] = $value
        $jar["$cookie"]["httponly"] = True
        @@$hdr = $jar.output(header="").strip()
        """,
        [
            fix(
                "secure-attribute",
                """
            $jar = SimpleCookie()
            $jar["$cookie"] = $value
            $jar["$cookie"].update({"httponly": True, "secure": True})
            @@$hdr = $jar.output(header="").strip()
            """,
            ),
        ],
        safe_kinds=NON_TAINT,
        imports=("from http.cookies import SimpleCookie",),
    ),
]

REGISTRY.register_all(SINKS)
