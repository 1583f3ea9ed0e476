"""CWE-22 path traversal: open, send_file, os.remove, shutil.copy, pathlib, Django and FastAPI file responses,
helpers and storage classes that join a name to a base folder, and archive members extracted by name."""

from __future__ import annotations

from vulntune.synth.python.sinks.common import ALLOW_LIST, fix, sink, vocabulary

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

# Paths as real handlers build them: concatenated or formatted onto a base folder, in a helper or
# a storage class, written to, deleted, and the names inside uploaded archives.
_DEST = '$DEST = "$basedir/unpacked"'

_CONCAT = """
$path = PATH
if CHECK:
    $reject
@@with open($path, "rb") as $fh:
    $data = $fh.read()
"""
sink(
    id="path-concat-open-read",
    cwe=CWE,
    api="open",
    vulnerable=_CONCAT.replace("PATH", '$BASE + "/" + $value').replace("CHECK", "not os.path.exists($path)"),
    fixes=[
        fix(
            id="basename",
            code=_CONCAT.replace("PATH", '$BASE + "/" + os.path.basename($value)').replace(
                "CHECK", "not os.path.exists($path)"
            ),
        ),
        fix(
            id="realpath-startswith",
            code=_CONCAT.replace("PATH", 'os.path.realpath($BASE + "/" + $value)').replace(
                "CHECK", "not $path.startswith($BASE + os.sep)"
            ),
        ),
    ],
    imports=_OS,
    prelude=_BASE,
)

_READ_HELPER = """
def $filefn($argname: str) -> bytes:
CHECK    $path = PATH
    @@return $path.read_bytes()
"""
sink(
    id="path-helper-pathlib-read-bytes",
    cwe=CWE,
    api="pathlib.Path.read_bytes",
    helper=_READ_HELPER.replace("CHECK", "").replace("PATH", "Path($BASE, $argname)"),
    vulnerable="""
    $data = $filefn($value)
    """,
    fixes=[
        fix(
            id="resolve-is-relative-to",
            helper="""
        def $filefn($argname: str) -> bytes:
            $path = Path($BASE, $argname).resolve()
            if not $path.is_relative_to(Path($BASE).resolve()):
                raise ValueError("$msg")
            @@return $path.read_bytes()
        """,
            code="""
        $data = $filefn($value)
        """,
        ),
        fix(
            id="allow-list-in-helper",
            helper=_READ_HELPER.replace(
                "CHECK", '    if $argname not in $ALLOWED:\n        raise ValueError("$msg")\n'
            ).replace("PATH", "Path($BASE, $argname)"),
            code="""
        $data = $filefn($value)
        """,
            prelude=ALLOW_LIST,
        ),
    ],
    imports=("from pathlib import Path",),
    prelude=_BASE,
)

_STORE = """
class $Store:
    def __init__(self, $rootattr: str = $BASE):
        self.$rootattr = $rootattr

    def $storemeth(self, $argname: str) -> bool:
        $path = PATH
        if CHECK:
            return False
        @@os.remove($path)
        return True
"""
sink(
    id="path-method-self-root-remove",
    cwe=CWE,
    api="os.remove",
    helper=_STORE.replace("PATH", "os.path.join(self.$rootattr, $argname)").replace(
        "CHECK", "not os.path.isfile($path)"
    ),
    vulnerable="""
    $Store().$storemeth($value)
    """,
    fixes=[
        fix(
            id="realpath-commonpath-in-method",
            helper=_STORE.replace("PATH", "os.path.realpath(os.path.join(self.$rootattr, $argname))").replace(
                "CHECK", "os.path.commonpath([self.$rootattr, $path]) != self.$rootattr"
            ),
            code="""
        $Store().$storemeth($value)
        """,
        ),
        fix(
            id="basename-in-method",
            helper=_STORE.replace("PATH", "os.path.join(self.$rootattr, os.path.basename($argname))").replace(
                "CHECK", "not os.path.isfile($path)"
            ),
            code="""
        $Store().$storemeth($value)
        """,
        ),
    ],
    imports=_OS,
    prelude=_BASE,
)

sink(
    id="path-tarfile-extractall-upload",
    cwe=CWE,
    api="tarfile.TarFile.extractall",
    vulnerable="""
    with tarfile.open(fileobj=io.BytesIO($value)) as $tar:
        @@$tar.extractall($DEST)
    """,
    fixes=[
        fix(
            id="data-filter",
            code="""
        with tarfile.open(fileobj=io.BytesIO($value)) as $tar:
            @@$tar.extractall($DEST, filter="data")
        """,
        ),
        fix(
            id="member-realpath-check",
            code="""
        with tarfile.open(fileobj=io.BytesIO($value)) as $tar:
            for $member in $tar.getmembers():
                $path = os.path.realpath(os.path.join($DEST, $member.name))
                if not $path.startswith($DEST + os.sep) or $member.issym() or $member.islnk():
                    raise ValueError("$msg")
            @@$tar.extractall($DEST)
        """,
            imports=_OS,
        ),
    ],
    imports=("import io", "import tarfile"),
    prelude=_DEST,
    value_kind="bytes",
)

_ZIP = """
with zipfile.ZipFile(io.BytesIO($value)) as $archive:
    for $member in $archive.namelist():
        if $member.endswith("/"):
            continue
BODY
"""
sink(
    id="path-zip-member-name-open-write",
    cwe=CWE,
    api="open",
    vulnerable=_ZIP.replace(
        "BODY",
        "        $path = os.path.join($DEST, $member)\n"
        "        os.makedirs(os.path.dirname($path), exist_ok=True)\n"
        '        @@with open($path, "wb") as $outfh:\n'
        "            $outfh.write($archive.read($member))",
    ),
    fixes=[
        fix(
            id="member-realpath-check",
            code=_ZIP.replace(
                "BODY",
                "        $path = os.path.realpath(os.path.join($DEST, $member))\n"
                "        if not $path.startswith($DEST + os.sep):\n"
                '            raise ValueError("$msg")\n'
                "        os.makedirs(os.path.dirname($path), exist_ok=True)\n"
                '        @@with open($path, "wb") as $outfh:\n'
                "            $outfh.write($archive.read($member))",
            ),
        ),
        fix(
            id="zipfile-extract",
            code=_ZIP.replace("BODY", "        @@$archive.extract($member, $DEST)"),
        ),
    ],
    imports=_OS + ("import io", "import zipfile"),
    prelude=_DEST,
    value_kind="bytes",
)

_SEND = """
if not $value:
    abort(404)
@@return CALL
"""
sink(
    id="path-fstring-flask-send-file",
    cwe=CWE,
    api="flask.send_file",
    vulnerable=_SEND.replace("CALL", 'send_file(f"{$BASE}/{$value}", as_attachment=True)'),
    fixes=[
        fix(
            id="send-from-directory",
            code=_SEND.replace("CALL", "send_from_directory($BASE, $value, as_attachment=True)"),
            imports=("from flask import send_from_directory",),
        ),
        fix(
            id="secure-filename",
            code=_SEND.replace("CALL", 'send_file(f"{$BASE}/{secure_filename($value)}", as_attachment=True)'),
            imports=("from werkzeug.utils import secure_filename",),
        ),
    ],
    frameworks=("flask",),
    returns=True,
    imports=("from flask import abort, send_file",),
    prelude=_BASE,
)

_UNLINK = """
$path = PATH
if CHECK:
    @@$path.unlink()
"""
sink(
    id="path-joinpath-unlink",
    cwe=CWE,
    api="pathlib.Path.unlink",
    vulnerable=_UNLINK.replace("PATH", "Path($BASE).joinpath($value)").replace("CHECK", "$path.exists()"),
    fixes=[
        fix(
            id="resolve-is-relative-to",
            code=_UNLINK.replace("PATH", "Path($BASE).joinpath($value).resolve()").replace(
                "CHECK", "$path.is_relative_to(Path($BASE).resolve()) and $path.exists()"
            ),
        ),
        fix(
            id="pathlib-name",
            code=_UNLINK.replace("PATH", "Path($BASE).joinpath(Path($value).name)").replace("CHECK", "$path.exists()"),
        ),
    ],
    imports=("from pathlib import Path",),
    prelude=_BASE,
)

_WRITE = """
$path = PATH
@@with open($path, "w", encoding="utf-8") as $fh:
    json.dump({"$field": "$word"}, $fh)
"""
sink(
    id="path-join-open-write",
    cwe=CWE,
    api="open",
    vulnerable=_WRITE.replace("PATH", "os.path.join($BASE, $value)"),
    fixes=[
        fix(
            id="secure-filename",
            code=_WRITE.replace("PATH", "os.path.join($BASE, secure_filename($value))"),
            imports=("from werkzeug.utils import secure_filename",),
        ),
        fix(
            id="realpath-commonpath",
            code="""
        $path = os.path.realpath(os.path.join($BASE, $value))
        if os.path.commonpath([$BASE, $path]) != $BASE:
            $reject
        @@with open($path, "w", encoding="utf-8") as $fh:
            json.dump({"$field": "$word"}, $fh)
        """,
        ),
    ],
    imports=_OS + ("import json",),
    prelude=_BASE,
)

_SAVE = """
$upload = request.files["file"]
$path = os.path.join($BASE, NAME)
@@$upload.save($path)
"""
sink(
    id="path-upload-save-requested-name",
    cwe=CWE,
    api="werkzeug.datastructures.FileStorage.save",
    vulnerable=_SAVE.replace("NAME", "$value"),
    fixes=[
        fix(
            id="secure-filename",
            code=_SAVE.replace("NAME", "secure_filename($value)"),
            imports=("from werkzeug.utils import secure_filename",),
        ),
        fix(id="basename", code=_SAVE.replace("NAME", "os.path.basename($value)")),
    ],
    frameworks=("flask",),
    imports=_OS + ("from flask import request",),
    prelude=_BASE,
)
