"""CWE-614 sensitive cookie without the Secure attribute: Flask, Django, FastAPI responses and
http.cookies.SimpleCookie."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-614"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("session_token", "sid", "auth_token", "remember", "pref", "lang"),
    constants=("anonymous", "en", "default", "light"),
    affixes=(("", "|v2"), ("s:", "")),
    step_comment="# set the cookie",
)

sink(
    id="cookie-without-secure-flask",
    cwe=CWE,
    api="flask.Response.set_cookie",
    vulnerable="""
    $resp = make_response("ok")
    @@$resp.set_cookie("$cookie", $value, httponly=True)
    return $resp
    """,
    fixes=[
        fix(
            id="secure-flag",
            code="""
        $resp = make_response("ok")
        @@$resp.set_cookie("$cookie", $value, secure=True, httponly=True)
        return $resp
        """,
        ),
        fix(
            id="secure-samesite",
            code="""
        $resp = make_response("ok")
        @@$resp.set_cookie("$cookie", $value, secure=True, httponly=True, samesite="Lax")
        return $resp
        """,
        ),
    ],
    frameworks=("flask",),
    returns=True,
    imports=("from flask import make_response",),
)

sink(
    id="cookie-secure-false-flask-redirect",
    cwe=CWE,
    api="flask.Response.set_cookie",
    vulnerable="""
    $resp = make_response(redirect("/"))
    @@$resp.set_cookie("$cookie", $value, secure=False, max_age=3600)
    return $resp
    """,
    fixes=[
        fix(
            id="secure-flag",
            code="""
        $resp = make_response(redirect("/"))
        @@$resp.set_cookie("$cookie", $value, secure=True, max_age=3600)
        return $resp
        """,
        ),
    ],
    frameworks=("flask",),
    returns=True,
    imports=("from flask import make_response, redirect",),
)

sink(
    id="cookie-secure-false-django",
    cwe=CWE,
    api="django.http.HttpResponse.set_cookie",
    vulnerable="""
    $resp = HttpResponse("ok")
    @@$resp.set_cookie("$cookie", $value, secure=False, samesite="Lax")
    return $resp
    """,
    fixes=[
        fix(
            id="secure-flag",
            code="""
        $resp = HttpResponse("ok")
        @@$resp.set_cookie("$cookie", $value, secure=True, samesite="Lax")
        return $resp
        """,
        ),
    ],
    frameworks=("django",),
    returns=True,
    imports=("from django.http import HttpResponse",),
)

sink(
    id="signed-cookie-secure-false-django",
    cwe=CWE,
    api="django.http.HttpResponse.set_signed_cookie",
    vulnerable="""
    $resp = JsonResponse({"ok": True})
    @@$resp.set_signed_cookie("$cookie", $value, salt="$word", secure=False, httponly=True)
    return $resp
    """,
    fixes=[
        fix(
            id="secure-flag",
            code="""
        $resp = JsonResponse({"ok": True})
        @@$resp.set_signed_cookie("$cookie", $value, salt="$word", secure=True, httponly=True)
        return $resp
        """,
        ),
    ],
    frameworks=("django",),
    returns=True,
    imports=("from django.http import JsonResponse",),
)

sink(
    id="cookie-without-secure-fastapi",
    cwe=CWE,
    api="starlette.responses.Response.set_cookie",
    vulnerable="""
    $resp = JSONResponse({"ok": True})
    @@$resp.set_cookie(key="$cookie", value=$value, httponly=True)
    return $resp
    """,
    fixes=[
        fix(
            id="secure-flag",
            code="""
        $resp = JSONResponse({"ok": True})
        @@$resp.set_cookie(key="$cookie", value=$value, httponly=True, secure=True)
        return $resp
        """,
        ),
    ],
    frameworks=("fastapi",),
    returns=True,
    imports=("from fastapi.responses import JSONResponse",),
)

sink(
    id="cookie-without-secure-simple-cookie",
    cwe=CWE,
    api="http.cookies.SimpleCookie.output",
    vulnerable="""
    $jar = SimpleCookie()
    $jar["$cookie"] = $value
    $jar["$cookie"]["httponly"] = True
    @@$hdr = $jar.output(header="").strip()
    """,
    fixes=[
        fix(
            id="secure-attribute",
            code="""
        $jar = SimpleCookie()
        $jar["$cookie"] = $value
        $jar["$cookie"].update({"httponly": True, "secure": True})
        @@$hdr = $jar.output(header="").strip()
        """,
        ),
    ],
    imports=("from http.cookies import SimpleCookie",),
)
