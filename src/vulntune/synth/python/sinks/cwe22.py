"""CWE-22 path traversal: open, send_file, os.remove, shutil.copy, pathlib, Django and FastAPI file responses."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink
from vulntune.synth.template import REGISTRY

CWE = "CWE-22"
_BASE = '$BASE = "$basedir"'
_OS = ("import os",)

SINKS = [
    sink(
        "path-join-open",
        CWE,
        "open",
        """
        $path = os.path.join($BASE, $value)
        if not os.path.isfile($path):
            $reject
        @@with open($path) as $fh:
            $data = $fh.read()
        """,
        [
            fix(
                "realpath-commonpath",
                """
            $path = os.path.realpath(os.path.join($BASE, $value))
            if os.path.commonpath([$BASE, $path]) != $BASE:
                $reject
            @@with open($path) as $fh:
                $data = $fh.read()
            """,
            ),
            fix(
                "basename",
                """
            $path = os.path.join($BASE, os.path.basename($value))
            if not os.path.isfile($path):
                $reject
            @@with open($path) as $fh:
                $data = $fh.read()
            """,
            ),
        ],
        imports=_OS,
        prelude=_BASE,
    ),
    sink(
        "path-join-flask-send-file",
        CWE,
        "flask.send_file",
        """
        $path = os.path.join($BASE, $value)
        if not os.path.exists($path):
            abort(404)
        @@return send_file($path)
        """,
        [
            fix(
                "werkzeug-safe-join",
                """
            $path = safe_join($BASE, $value)
            if $path is None or not os.path.exists($path):
                abort(404)
            @@return send_file($path)
            """,
                imports=("from werkzeug.utils import safe_join",),
            ),
            fix(
                "send-from-directory",
                """
            if not $value:
                abort(404)
            @@return send_from_directory($BASE, $value)
            """,
                imports=("from flask import send_from_directory",),
            ),
        ],
        frameworks=("flask",),
        returns=True,
        imports=_OS + ("from flask import abort, send_file",),
        prelude=_BASE,
    ),
    sink(
        "path-join-os-remove",
        CWE,
        "os.remove",
        """
        $path = os.path.join($BASE, $value)
        if os.path.exists($path):
            @@os.remove($path)
        """,
        [
            fix(
                "basename",
                """
            $path = os.path.join($BASE, os.path.basename($value))
            if os.path.exists($path):
                @@os.remove($path)
            """,
            ),
            fix(
                "realpath-prefix",
                """
            $path = os.path.realpath(os.path.join($BASE, $value))
            if $path.startswith($BASE + os.sep) and os.path.exists($path):
                @@os.remove($path)
            """,
            ),
        ],
        imports=_OS,
        prelude=_BASE,
    ),
    sink(
        "path-join-shutil-copy",
        CWE,
        "shutil.copy",
        """
        $path = os.path.join($BASE, $value)
        if not os.path.isfile($path):
            $reject
        @@shutil.copy($path, "/tmp/$entity-export")
        """,
        [
            fix(
                "realpath-commonpath",
                """
            $path = os.path.realpath(os.path.join($BASE, $value))
            if os.path.commonpath([$BASE, $path]) != $BASE:
                $reject
            @@shutil.copy($path, "/tmp/$entity-export")
            """,
            ),
        ],
        imports=_OS + ("import shutil",),
        prelude=_BASE,
    ),
    sink(
        "path-join-pathlib-read-text",
        CWE,
        "pathlib.Path.read_text",
        """
        $path = Path($BASE) / $value
        if not $path.is_file():
            $reject
        @@$data = $path.read_text()
        """,
        [
            fix(
                "resolve-is-relative-to",
                """
            $path = (Path($BASE) / $value).resolve()
            if not $path.is_relative_to(Path($BASE).resolve()):
                $reject
            @@$data = $path.read_text()
            """,
            ),
            fix(
                "pathlib-name",
                """
            $path = Path($BASE) / Path($value).name
            if not $path.is_file():
                $reject
            @@$data = $path.read_text()
            """,
            ),
        ],
        imports=("from pathlib import Path",),
        prelude=_BASE,
    ),
    sink(
        "path-join-django-file-response",
        CWE,
        "django.http.FileResponse",
        """
        $path = os.path.join(settings.MEDIA_ROOT, $value)
        @@return FileResponse(open($path, "rb"))
        """,
        [
            fix(
                "django-safe-join",
                """
            $path = safe_join(settings.MEDIA_ROOT, $value)
            @@return FileResponse(open($path, "rb"))
            """,
                imports=("from django.utils._os import safe_join",),
            ),
            fix(
                "basename",
                """
            $path = os.path.join(settings.MEDIA_ROOT, os.path.basename($value))
            @@return FileResponse(open($path, "rb"))
            """,
            ),
        ],
        frameworks=("django",),
        returns=True,
        imports=_OS + ("from django.conf import settings", "from django.http import FileResponse"),
    ),
    sink(
        "path-join-fastapi-file-response",
        CWE,
        "fastapi.responses.FileResponse",
        """
        $path = os.path.join($BASE, $value)
        if not os.path.isfile($path):
            $reject
        @@return FileResponse($path)
        """,
        [
            fix(
                "realpath-commonpath",
                """
            $path = os.path.realpath(os.path.join($BASE, $value))
            if os.path.commonpath([$BASE, $path]) != $BASE:
                $reject
            @@return FileResponse($path)
            """,
            ),
        ],
        frameworks=("fastapi",),
        returns=True,
        imports=_OS + ("from fastapi.responses import FileResponse",),
        prelude=_BASE,
    ),
]

REGISTRY.register_all(SINKS)
