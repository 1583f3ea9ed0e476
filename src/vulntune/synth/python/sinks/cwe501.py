"""CWE-501 trust boundary violation: request data stored in the session, app config, the
environment or a server-side cache without validation."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import ALLOW_LIST, fix, sink, vocabulary

CWE = "CWE-501"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("role", "lang", "theme", "tenant", "region_code", "plan_name"),
    constants=("viewer", "en", "light", "default", "eu-west", "free"),
    affixes=(("", "-v2"), ("tenant-", "")),
    step_comment="# remember the choice",
)

_PATTERN = ("import re",)


def _store(id: str, api: str, line: str, *, warn: bool = False, **fields):
    """One store with three shapes. Vulnerable: a presence check, or (`warn`) an allow-list that
    only logs a warning. Fixes: the allow-list rejects, or a strict pattern."""
    check = "if $value not in $ALLOWED:\n    $log_warn" if warn else "if not $value:\n    $reject"
    return sink(
        id=id,
        cwe=CWE,
        api=api,
        vulnerable=f"""
        {check}
        @@{line}
        """.replace("\n    $", "\n            $"),
        fixes=[
            fix(
                id="allow-list",
                code=f"""
            if $value not in $ALLOWED:
                $reject
            @@{line}
            """,
                prelude="" if warn else ALLOW_LIST,
            ),
            fix(
                id="strict-pattern",
                code=f"""
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


_store(
    "session-store-flask",
    "flask.session",
    'session["$skey"] = $value',
    frameworks=("flask",),
    imports=("from flask import session",),
)

_store(
    "session-update-flask",
    "flask.session.update",
    'session.update({"$skey": $value, "seen": True})',
    warn=True,
    frameworks=("flask",),
    imports=("from flask import session",),
)

_store(
    "session-store-django",
    "django.http.HttpRequest.session",
    'request.session["$skey"] = $value',
    warn=True,
    frameworks=("django",),
)

_store(
    "app-config-store-flask",
    "flask.Flask.config",
    'current_app.config["$PARAM"] = $value',
    frameworks=("flask",),
    imports=("from flask import current_app",),
)

_store("environment-store", "os.environ", 'os.environ["${PARAM}_OVERRIDE"] = $value', warn=True, imports=("import os",))

_store(
    "cache-store-django",
    "django.core.cache.cache.set",
    'cache.set("$skey:" + str(request.user.pk), $value)',
    frameworks=("django",),
    imports=("from django.core.cache import cache",),
)
