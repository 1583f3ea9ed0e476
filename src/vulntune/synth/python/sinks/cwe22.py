"""CWE-22 path traversal: open, send_file, os.remove, shutil.copy, pathlib, Django and FastAPI file responses."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import fix, sink, vocabulary

CWE = "CWE-22"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("filename", "file_name", "fname", "doc_name", "report_name", "attachment", "upload_name"),
    constants=("report.pdf", "index.html", "readme.txt", "summary.csv", "avatar.png", "notes.md"),
    affixes=(("reports/", ".pdf"), ("", ".txt"), ("uploads/", ""), ("exports/", ".csv"), ("", ".json")),
    step_comment="# read the file",
)

_BASE = '$BASE = "$basedir"'
_OS = ("import os",)

sink(
    id="path-join-open",
    cwe=CWE,
    api="open",
    vulnerable="""
    $path = os.path.join($BASE, $value)
    if not os.path.isfile($path):
        $reject
    @@with open($path) as $fh:
        $data = $fh.read()
    """,
    fixes=[
        fix(
            id="realpath-commonpath",
            code="""
        $path = os.path.realpath(os.path.join($BASE, $value))
        if os.path.commonpath([$BASE, $path]) != $BASE:
            $reject
        @@with open($path) as $fh:
            $data = $fh.read()
        """,
        ),
        fix(
            id="basename",
            code="""
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
)

sink(
    id="path-join-flask-send-file",
    cwe=CWE,
    api="flask.send_file",
    vulnerable="""
    $path = os.path.join($BASE, $value)
    if not os.path.exists($path):
        abort(404)
    @@return send_file($path)
    """,
    fixes=[
        fix(
            id="werkzeug-safe-join",
            code="""
        $path = safe_join($BASE, $value)
        if $path is None or not os.path.exists($path):
            abort(404)
        @@return send_file($path)
        """,
            imports=("from werkzeug.utils import safe_join",),
        ),
        fix(
            id="send-from-directory",
            code="""
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
)

sink(
    id="path-join-os-remove",
    cwe=CWE,
    api="os.remove",
    vulnerable="""
    $path = os.path.join($BASE, $value)
    if os.path.exists($path):
        @@os.remove($path)
    """,
    fixes=[
        fix(
            id="basename",
            code="""
        $path = os.path.join($BASE, os.path.basename($value))
        if os.path.exists($path):
            @@os.remove($path)
        """,
        ),
        fix(
            id="realpath-prefix",
            code="""
        $path = os.path.realpath(os.path.join($BASE, $value))
        if $path.startswith($BASE + os.sep) and os.path.exists($path):
            @@os.remove($path)
        """,
        ),
    ],
    imports=_OS,
    prelude=_BASE,
)

sink(
    id="path-join-shutil-copy",
    cwe=CWE,
    api="shutil.copy",
    vulnerable="""
    $path = os.path.join($BASE, $value)
    if not os.path.isfile($path):
        $reject
    @@shutil.copy($path, "/tmp/$entity-export")
    """,
    fixes=[
        fix(
            id="realpath-commonpath",
            code="""
        $path = os.path.realpath(os.path.join($BASE, $value))
        if os.path.commonpath([$BASE, $path]) != $BASE:
            $reject
        @@shutil.copy($path, "/tmp/$entity-export")
        """,
        ),
    ],
    imports=_OS + ("import shutil",),
    prelude=_BASE,
)

sink(
    id="path-join-pathlib-read-text",
    cwe=CWE,
    api="pathlib.Path.read_text",
    vulnerable="""
    $path = Path($BASE) / $value
    if not $path.is_file():
        $reject
    @@$data = $path.read_text()
    """,
    fixes=[
        fix(
            id="resolve-is-relative-to",
            code="""
        $path = (Path($BASE) / $value).resolve()
        if not $path.is_relative_to(Path($BASE).resolve()):
            $reject
        @@$data = $path.read_text()
        """,
        ),
        fix(
            id="pathlib-name",
            code="""
        $path = Path($BASE) / Path($value).name
        if not $path.is_file():
            $reject
        @@$data = $path.read_text()
        """,
        ),
    ],
    imports=("from pathlib import Path",),
    prelude=_BASE,
)

sink(
    id="path-join-django-file-response",
    cwe=CWE,
    api="django.http.FileResponse",
    vulnerable="""
    $path = os.path.join(settings.MEDIA_ROOT, $value)
    @@return FileResponse(open($path, "rb"))
    """,
    fixes=[
        fix(
            id="django-safe-join",
            code="""
        $path = safe_join(settings.MEDIA_ROOT, $value)
        @@return FileResponse(open($path, "rb"))
        """,
            imports=("from django.utils._os import safe_join",),
        ),
        fix(
            id="basename",
            code="""
        $path = os.path.join(settings.MEDIA_ROOT, os.path.basename($value))
        @@return FileResponse(open($path, "rb"))
        """,
        ),
    ],
    frameworks=("django",),
    returns=True,
    imports=_OS + ("from django.conf import settings", "from django.http import FileResponse"),
)

sink(
    id="path-join-fastapi-file-response",
    cwe=CWE,
    api="fastapi.responses.FileResponse",
    vulnerable="""
    $path = os.path.join($BASE, $value)
    if not os.path.isfile($path):
        $reject
    @@return FileResponse($path)
    """,
    fixes=[
        fix(
            id="realpath-commonpath",
            code="""
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
)
