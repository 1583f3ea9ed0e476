"""Python sources: where untrusted data enters a handler (Flask, Django, FastAPI, CLI, stdlib).

`header` is the decorators and signature (a class-based handler nests its method; the body is
indented one level below the last header line). `read` binds `$var`; it is empty when the
signature binds it (path parameters, FastAPI parameters).
"""

from __future__ import annotations

from vulntune.synth.python.surface import snippet
from vulntune.synth.template import REGISTRY, Source

_FLASK = ("from flask import Flask, request",)
_FLASK_APP = "$app = Flask(__name__)"
_DJANGO = ("from django.http import HttpResponse",)
_DJANGO_JSON = ("from django.http import JsonResponse",)
_FASTAPI_APP = "$app = FastAPI()"


def _flask(
    id: str,
    read: str,
    *,
    route: str = '@$app.route("$route")',
    sig: str = "def $func():",
    tail: str = 'return "ok"',
    imports: tuple[str, ...] = (),
    value_kind: str = "str",
) -> Source:
    return Source(
        id=id,
        language="python",
        framework="flask",
        imports=_FLASK + imports,
        prelude=_FLASK_APP,
        header=f"{route}\n{sig}",
        read=read,
        tail=tail,
        value_kind=value_kind,
    )


def _django(
    id: str,
    read: str,
    *,
    header: str = "def $func(request):",
    tail: str = 'return HttpResponse("ok")',
    imports: tuple[str, ...] = _DJANGO,
    value_kind: str = "str",
) -> Source:
    return Source(
        id=id,
        language="python",
        framework="django",
        imports=imports,
        header=header,
        read=read,
        tail=tail,
        value_kind=value_kind,
    )


def _fastapi(
    id: str,
    header: str,
    read: str = "",
    *,
    imports: tuple[str, ...] = ("from fastapi import FastAPI",),
    prelude: str = _FASTAPI_APP,
    tail: str = 'return {"status": "ok"}',
    value_kind: str = "str",
) -> Source:
    return Source(
        id=id,
        language="python",
        framework="fastapi",
        imports=imports,
        prelude=prelude,
        header=header,
        read=read,
        tail=tail,
        value_kind=value_kind,
    )


def _plain(
    id: str,
    framework: str,
    header: str,
    read: str,
    *,
    imports: tuple[str, ...] = (),
    tail: str = "",
    prelude: str = "",
    value_kind: str = "str",
) -> Source:
    return Source(
        id=id,
        language="python",
        framework=framework,
        imports=imports,
        prelude=prelude,
        header=header,
        read=read,
        tail=tail,
        value_kind=value_kind,
    )


SOURCES = [
    # Flask
    _flask("flask-args-get", '$var = request.args.get("$param", "")'),
    _flask(
        "flask-args-index",
        '$var = request.args["$param"]',
        route='@$app.get("$route")',
        tail='return jsonify(status="ok")',
        imports=("from flask import jsonify",),
    ),
    _flask("flask-form-index", '$var = request.form["$param"]', route='@$app.route("$route", methods=["POST"])'),
    _flask(
        "flask-form-get", '$var = request.form.get("$param", "")', route='@$app.post("$route")', tail='return "", 204'
    ),
    _flask(
        "flask-json",
        '$var = request.get_json()["$param"]',
        route='@$app.post("$route")',
        tail='return {"status": "ok"}',
    ),
    _flask(
        "flask-json-silent",
        '$payload = request.get_json(silent=True) or {}\n$var = $payload.get("$param", "")',
        route='@$app.route("$route", methods=["POST", "PUT"])',
        tail="return jsonify(ok=True)",
        imports=("from flask import jsonify",),
    ),
    _flask("flask-values", '$var = request.values.get("$param", "")'),
    _flask("flask-header", '$var = request.headers.get("X-$Hdr", "")'),
    _flask("flask-cookie", '$var = request.cookies.get("$param", "")', tail='return "", 204'),
    _flask("flask-path-param", "", route='@$app.route("$route/<$var>")', sig="def $func($var):"),
    _flask(
        "flask-path-converter",
        "",
        route='@$app.get("$route/<path:$var>")',
        sig="def $func($var: str):",
        tail='return {"status": "ok"}',
    ),
    Source(
        id="flask-blueprint-args",
        language="python",
        framework="flask",
        imports=("from flask import Blueprint, request",),
        prelude='$bp = Blueprint("$entity", __name__)',
        header='@$bp.get("$route")\ndef $func():',
        read='$var = request.args.get("$param", default="")',
        tail='return "ok"',
    ),
    _flask(
        "flask-cookie-loop",
        snippet("""
               $var = ""
               for $ckname, $ckval in request.cookies.items():
                   if $ckname == "$param":
                       $var = $ckval
               """),
    ),
    _flask("flask-get-data", "$var = request.get_data()", route='@$app.post("$route")', value_kind="bytes"),
    _flask(
        "flask-files-read",
        '$var = request.files["$param"].read()',
        route='@$app.route("$route", methods=["POST"])',
        value_kind="bytes",
    ),
    _flask(
        "flask-stream-read",
        "$var = request.stream.read()",
        route='@$app.put("$route")',
        tail='return "", 204',
        value_kind="bytes",
    ),
    # Django
    _django("django-get", '$var = request.GET.get("$param", "")'),
    _django(
        "django-post", '$var = request.POST["$param"]', tail='return JsonResponse({"ok": True})', imports=_DJANGO_JSON
    ),
    _django(
        "django-json-body", '$var = json.loads(request.body).get("$param", "")', imports=_DJANGO + ("import json",)
    ),
    _django("django-meta-header", '$var = request.META.get("HTTP_X_$PARAM", "")'),
    _django("django-cookies", '$var = request.COOKIES.get("$param", "")'),
    _django("django-url-kwarg", "", header="def $func(request, $var):"),
    _django(
        "django-require-post",
        '$var = request.POST.get("$param", "")',
        header="@require_POST\ndef $func(request):",
        imports=_DJANGO + ("from django.views.decorators.http import require_POST",),
    ),
    _django(
        "django-class-view",
        '$var = request.GET.get("$param", "")',
        header="class $View(View):\n    def get(self, request):",
        imports=_DJANGO + ("from django.views import View",),
    ),
    _django(
        "django-body",
        "$var = request.body",
        header="@csrf_exempt\ndef $func(request):",
        imports=_DJANGO + ("from django.views.decorators.csrf import csrf_exempt",),
        value_kind="bytes",
    ),
    _django(
        "django-files-read",
        '$var = request.FILES["$param"].read()',
        value_kind="bytes",
        tail='return JsonResponse({"ok": True})',
        imports=_DJANGO_JSON,
    ),
    _django(
        "django-headers-loop",
        snippet("""
                $var = ""
                for $ckname, $ckval in request.headers.items():
                    if $ckname.lower() == "x-$param":
                        $var = $ckval
                """),
    ),
    # FastAPI
    _fastapi("fastapi-query", '@$app.get("$route")\ndef $func($var: str = ""):'),
    _fastapi(
        "fastapi-query-alias",
        '@$app.get("$route")\ndef $func($var: str = Query(default="", alias="$param_dash")):',
        imports=("from fastapi import FastAPI, Query",),
    ),
    _fastapi("fastapi-path", '@$app.get("$route/{$var}")\ndef $func($var: str):'),
    _fastapi(
        "fastapi-header",
        '@$app.get("$route")\ndef $func($var: str = Header("")):',
        imports=("from fastapi import FastAPI, Header",),
    ),
    _fastapi(
        "fastapi-cookie",
        '@$app.get("$route")\ndef $func($var: str = Cookie("")):',
        imports=("from fastapi import Cookie, FastAPI",),
    ),
    _fastapi(
        "fastapi-body-dict",
        '@$app.post("$route")\ndef $func($payload: dict = Body(...)):',
        '$var = $payload.get("$param", "")',
        imports=("from fastapi import Body, FastAPI",),
    ),
    _fastapi(
        "fastapi-model",
        '@$app.post("$route")\nasync def $func($payload: $Schema):',
        "$var = $payload.$param",
        imports=("from fastapi import FastAPI", "from pydantic import BaseModel"),
        prelude=_FASTAPI_APP + "\n\n\nclass $Schema(BaseModel):\n    $param: str",
    ),
    _fastapi(
        "fastapi-request-query",
        '@$app.get("$route")\nasync def $func(request: Request):',
        '$var = request.query_params.get("$param", "")',
        imports=("from fastapi import FastAPI, Request",),
    ),
    _fastapi(
        "fastapi-request-body",
        '@$app.post("$route")\nasync def $func(request: Request):',
        "$var = await request.body()",
        imports=("from fastapi import FastAPI, Request",),
        value_kind="bytes",
    ),
    _fastapi(
        "fastapi-upload",
        '@$app.post("$route")\nasync def $func($upload: UploadFile):',
        "$var = await $upload.read()",
        imports=("from fastapi import FastAPI, UploadFile",),
        value_kind="bytes",
    ),
    # Command line
    _plain("cli-argv", "cli", "def $func():", "$var = sys.argv[1]", imports=("import sys",)),
    _plain(
        "cli-argv-list",
        "cli",
        "def $func(argv=None):",
        "$args = argv if argv is not None else sys.argv[1:]\n$var = $args[0]",
        imports=("import sys",),
    ),
    _plain(
        "cli-argparse",
        "cli",
        "def $func():",
        snippet("""
               $argparser = argparse.ArgumentParser(description="$Entity tool")
               $argparser.add_argument("$param")
               $var = $argparser.parse_args().$param
               """),
        imports=("import argparse",),
    ),
    _plain(
        "cli-click", "cli", '@click.command()\n@click.argument("$var")\ndef $func($var):', "", imports=("import click",)
    ),
    _plain("cli-input", "cli", "def $func():", '$var = input("$Param: ")'),
    _plain("cli-stdin-line", "cli", "def $func():", "$var = sys.stdin.readline().strip()", imports=("import sys",)),
    _plain(
        "cli-stdin-bytes",
        "cli",
        "def $func():",
        "$var = sys.stdin.buffer.read()",
        imports=("import sys",),
        value_kind="bytes",
    ),
    # Library code: the value is an argument of a function or method whose callers the file does
    # not show (a driver building a command from a volume name, a helper opening a caller's path)
    _plain("lib-function-arg", "stdlib", "def $func($var):", ""),
    _plain("lib-function-kwarg", "stdlib", "def $func($var, timeout=30):", ""),
    _plain("lib-method-arg", "stdlib", "class $Handler:\n    def $func(self, $var):", ""),
    _plain("lib-method-kwarg", "stdlib", "class $Handler:\n    def $func(self, $var, force=False):", ""),
    # Environment, files, sockets, stdlib servers
    _plain("env-get", "stdlib", "def $func():", '$var = os.environ.get("$ENV", "")', imports=("import os",)),
    _plain("env-index", "stdlib", "def $func():", '$var = os.environ["$ENV"]', imports=("import os",)),
    _plain("env-getenv", "stdlib", "def $func():", '$var = os.getenv("$ENV", "")', imports=("import os",)),
    _plain(
        "file-read-text",
        "stdlib",
        "def $func($inpath):",
        'with open($inpath, encoding="utf-8") as $inf:\n    $var = $inf.read().strip()',
    ),
    _plain(
        "file-read-first-line",
        "stdlib",
        "def $func($inpath):",
        "$var = Path($inpath).read_text().splitlines()[0]",
        imports=("from pathlib import Path",),
    ),
    _plain(
        "file-read-bytes",
        "stdlib",
        "def $func($inpath):",
        'with open($inpath, "rb") as $inf:\n    $var = $inf.read()',
        value_kind="bytes",
    ),
    _plain("socket-recv-text", "stdlib", "def $func($sock):", "$var = $sock.recv(4096).decode().strip()"),
    _plain("socket-recv-bytes", "stdlib", "def $func($sock):", "$var = $sock.recv(65536)", value_kind="bytes"),
    _plain(
        "socket-recv-loop",
        "stdlib",
        "def $func($sock):",
        snippet("""
               $buf = b""
               while not $buf.endswith(b"\\n"):
                   $chunk = $sock.recv(1024)
                   if not $chunk:
                       break
                   $buf += $chunk
               $var = $buf.decode("utf-8").strip()
               """),
    ),
    _plain(
        "urlopen-read-text",
        "stdlib",
        "def $func($src_url):",
        'with urllib.request.urlopen($src_url, timeout=10) as $inf:\n    $var = $inf.read().decode("utf-8").strip()',
        imports=("import urllib.request",),
    ),
    _plain(
        "urlopen-read-bytes",
        "stdlib",
        "def $func($src_url):",
        "$var = urllib.request.urlopen($src_url).read()",
        imports=("import urllib.request",),
        value_kind="bytes",
    ),
    _plain(
        "db-fetchone",
        "stdlib",
        "def $func($src_conn):",
        '$var = $src_conn.execute("SELECT $param FROM preferences WHERE id = ?", (1,)).fetchone()[0]',
    ),
    _plain(
        "wsgi-query-string",
        "stdlib",
        "def $func(environ, start_response):",
        '$qs = parse_qs(environ.get("QUERY_STRING", ""))\n$var = $qs.get("$param", [""])[0]',
        imports=("from urllib.parse import parse_qs",),
        tail='start_response("200 OK", [("Content-Type", "text/plain")])\nreturn [b"ok"]',
    ),
    _plain(
        "socketserver-line",
        "stdlib",
        "class $Handler(socketserver.StreamRequestHandler):\n    def handle(self):",
        '$var = self.rfile.readline().strip().decode("utf-8")',
        imports=("import socketserver",),
        tail='self.wfile.write(b"ok\\n")',
    ),
    _plain(
        "http-server-query",
        "stdlib",
        "class $Handler(BaseHTTPRequestHandler):\n    def do_GET(self):",
        '$var = parse_qs(urlsplit(self.path).query).get("$param", [""])[0]',
        imports=("from http.server import BaseHTTPRequestHandler", "from urllib.parse import parse_qs, urlsplit"),
        tail="self.send_response(200)\nself.end_headers()",
    ),
    _plain(
        "http-server-post-body",
        "stdlib",
        "class $Handler(BaseHTTPRequestHandler):\n    def do_POST(self):",
        '$var = self.rfile.read(int(self.headers.get("Content-Length", 0)))',
        imports=("from http.server import BaseHTTPRequestHandler",),
        tail="self.send_response(204)\nself.end_headers()",
        value_kind="bytes",
    ),
]

# Module trailers that start the program, per source (falls back to none).
TRAILERS = {
    "cli-argv": 'if __name__ == "__main__":\n    $func()',
    "cli-argv-list": 'if __name__ == "__main__":\n    $func()',
    "cli-argparse": 'if __name__ == "__main__":\n    $func()',
    "cli-click": 'if __name__ == "__main__":\n    $func()',
    "cli-input": 'if __name__ == "__main__":\n    $func()',
    "cli-stdin-line": 'if __name__ == "__main__":\n    $func()',
    "cli-stdin-bytes": 'if __name__ == "__main__":\n    $func()',
    "socketserver-line": snippet("""
        if __name__ == "__main__":
            with socketserver.TCPServer(("127.0.0.1", $port), $Handler) as $srv:
                $srv.serve_forever()
        """),
    "http-server-query": 'if __name__ == "__main__":\n    HTTPServer(("127.0.0.1", $port), $Handler).serve_forever()',
    "http-server-post-body": 'if __name__ == "__main__":\n    HTTPServer(("127.0.0.1", $port), $Handler).serve_forever()',
}
TRAILER_IMPORTS = {
    "http-server-query": ("from http.server import HTTPServer",),
    "http-server-post-body": ("from http.server import HTTPServer",),
}
# Optional trailers (drawn per sample) for app frameworks.
OPTIONAL_TRAILERS = {"flask": 'if __name__ == "__main__":\n    $app.run(port=$port)'}

REGISTRY.register_all(SOURCES)
