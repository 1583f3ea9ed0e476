"""CWE-501 trust boundary violation: request data stored in the session, app config, the
environment or a server-side cache without validation."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import ALLOW_LIST, fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-501"
_PATTERN = ("import re",)


def _store(id: str, api: str, line: str, *, warn: bool = False, **fields):
    """One store with three shapes. Vulnerable: a presence check, or (`warn`) an allow-list that
    only logs a warning. Fixes: the allow-list rejects, or a strict pattern."""
    check = "if $value not in $ALLOWED:\n    $log_warn" if warn else "if not $value:\n    $reject"
    return sink(
        id,
        CWE,
        api,
        f"""
        {check}
        @@{line}
        """.replace("\n    $", "\n            $"),
        [
            fix(
                "allow-list",
                f"""
            if $value not in $ALLOWED:
                $reject
            @@{line}
            """,
                prelude="" if warn else ALLOW_LIST,
            ),
            fix(
                "strict-pattern",
                f"""
            if not re.fullmatch(r"[a-z0-9_-]{{1,32}}", $value):
                $reject
            @@{line}
            """,
                imports=_PATTERN,
            ),
        ],
        prelude=ALLOW_LIST if warn else "",
        **fields,
    )


SINKS = [
    _store(
        "session-store-flask",
        "flask.session",
        'session["$skey"] = $value',
        frameworks=("flask",),
        imports=("from flask import session",),
    ),
    _store(
        "session-update-flask",
        "flask.session.update",
        'session.update({"$skey": $value, "seen": True})',
        warn=True,
        frameworks=("flask",),
        imports=("from flask import session",),
    ),
    _store(
        "session-store-django",
        "django.http.HttpRequest.session",
        'request.session["$skey"] = $value',
        warn=True,
        frameworks=("django",),
    ),
    _store(
        "app-config-store-flask",
        "flask.Flask.config",
        'current_app.config["$PARAM"] = $value',
        frameworks=("flask",),
        imports=("from flask import current_app",),
    ),
    _store(
        "environment-store", "os.environ", 'os.environ["${PARAM}_OVERRIDE"] = $value', warn=True, imports=("import os",)
    ),
    _store(
        "cache-store-django",
        "django.core.cache.cache.set",
        'cache.set("$skey:" + str(request.user.pk), $value)',
        frameworks=("django",),
        imports=("from django.core.cache import cache",),
    ),
]

REGISTRY.register_all(SINKS)
