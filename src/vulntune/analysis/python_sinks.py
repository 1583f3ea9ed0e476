"""Python sinks of the catalogue: standard library, DB-API drivers, Flask, Django, FastAPI and the
libraries web code reaches most (SQLAlchemy, lxml, PyYAML, requests, httpx, ldap3, python-ldap).

Callee names are matched after resolving the file's imports (`from subprocess import run` makes
`run(...)` read `subprocess.run(...)`); code without imports (a snippet, one function) is matched
on the names it writes.
"""

from __future__ import annotations

from functools import partial

from vulntune.analysis.catalogue import (
    CATALOGUE_OF_SINKS,
    COMMAND_NAME,
    COMMAND_TEXT,
    HTML_TEXT,
    LDAP_TEXT,
    PATH_TEXT,
    SECRET_NAME,
    SQL_TEXT,
    URL_TEXT,
    XPATH_TEXT,
    Construction,
    sink,
)

_py = partial(sink, "python")
_COMMAND_CALLEE = r"(?i)(run|exec|call|system|popen|spawn|ssh|shell|command|cmd|check_output|execute|sudo|local|remote)"
_CALL = "call"

CATALOGUE_OF_SINKS.register(
    # CWE-89 SQL injection
    _py(
        "CWE-89",
        "sql-cursor-execute",
        _CALL,
        "*.execute *.executemany *.executescript *.mogrify",
        "DB-API cursor.execute (sqlite3, psycopg2, PyMySQL, MySQLdb, Django, SQLAlchemy)",
        data=(0, "sql", "query", "operation", "statement"),
    ),
    _py(
        "CWE-89", "sql-text-clause", _CALL, "sqlalchemy.text sqlalchemy.sql.text sql.text", "sqlalchemy.text", data=(0,)
    ),
    _py(
        "CWE-89", "sql-django-raw", _CALL, "*.raw *.extra *.RawSQL RawSQL", "django Manager.raw, QuerySet.extra, RawSQL"
    ),
    _py("CWE-89", "sql-pandas-read", _CALL, "*.read_sql *.read_sql_query", "pandas.read_sql", data=(0, "sql")),
    Construction(id="sql-text-built", language="python", cwe="CWE-89", text=SQL_TEXT),
    # CWE-78 OS command injection
    _py(
        "CWE-78",
        "os-command-shell",
        _CALL,
        "os.system os.popen os.popen2 os.popen3 os.popen4 commands.getoutput commands.getstatusoutput "
        "subprocess.getoutput subprocess.getstatusoutput",
        "os.system, os.popen, subprocess.getoutput",
        data=(0, "cmd", "command"),
    ),
    _py(
        "CWE-78",
        "os-command-subprocess",
        _CALL,
        "subprocess.run subprocess.call subprocess.check_call subprocess.check_output subprocess.Popen "
        "asyncio.create_subprocess_shell asyncio.create_subprocess_exec *.create_subprocess_shell",
        "subprocess.run, call, check_output, Popen",
        data=(0, "args", "cmd"),
    ),
    _py(
        "CWE-78",
        "os-command-imported",
        _CALL,
        "Popen check_output check_call call getoutput getstatusoutput system popen spawn",
        "subprocess/os functions imported by name",
        data=(0, "args", "cmd", "command"),
    ),
    _py(
        "CWE-78",
        "os-command-shell-true",
        _CALL,
        "*",
        "any process call with shell=True",
        weak=r"\bshell\s*=\s*True\b",
        data=(0, "args", "cmd", "command"),
    ),
    _py(
        "CWE-78",
        "os-command-exec-spawn",
        _CALL,
        "os.execl os.execle os.execlp os.execlpe os.execv os.execve os.execvp os.execvpe os.spawnl os.spawnle "
        "os.spawnlp os.spawnv os.spawnve os.spawnvp os.posix_spawn os.posix_spawnp pty.spawn pexpect.spawn "
        "pexpect.run",
        "os.exec*, os.spawn*, pty.spawn, pexpect",
    ),
    _py(
        "CWE-78",
        "os-command-wrapper",
        _CALL,
        "*",
        "a project's run/execute helper given a command word",
        weak=r"(?i)^[\w.]*(execute|exec|run|call|system|popen|spawn|ssh|shell|command|cmd)\w*\(\s*\[?\s*[rbuf]?['\"]"
        r"(ls|cat|rm|cp|mv|chmod|chown|ping|git|svn|hg|tar|zip|unzip|gzip|find|kill|sudo|sh|bash|ssh|scp|rsync"
        r"|mkdir|mount|umount|ln|dd|ip|iptables|qemu-img|lvcreate|lvremove|vgs|lvs|dmsetup|iscsiadm|systemctl"
        r"|service|useradd|chpasswd|openssl|curl|wget|convert|ffmpeg|docker|kubectl)\b",
    ),
    _py(
        "CWE-78",
        "os-command-remote-run",
        _CALL,
        "*.run *.sudo *.local",
        "Fabric/Invoke Connection.run",
        receiver=r"^(c|conn|ctx|connection|ssh|client|host|remote|fabric|invoke)$",
        data=(0, "command"),
    ),
    _py(
        "CWE-78",
        "os-command-remote",
        _CALL,
        "*.exec_command *.invoke_shell",
        "paramiko SSHClient.exec_command",
        data=(0, "command"),
    ),
    Construction(
        id="command-line-built",
        language="python",
        cwe="CWE-78",
        text=COMMAND_TEXT,
        handed_to=_COMMAND_CALLEE,
        named=COMMAND_NAME,
    ),
    # CWE-22 path traversal
    _py(
        "CWE-22",
        "path-open",
        _CALL,
        "open io.open codecs.open os.open builtins.open",
        "open, io.open, os.open",
        data=(0, "file", "filename", "path"),
    ),
    _py(
        "CWE-22",
        "path-file-operation",
        _CALL,
        "os.remove os.unlink os.rmdir os.removedirs os.rename os.renames os.replace os.makedirs os.mkdir "
        "os.listdir os.scandir os.chmod os.chown os.truncate os.walk shutil.copy shutil.copy2 shutil.copyfile "
        "shutil.copytree shutil.move shutil.rmtree shutil.make_archive",
        "os and shutil file operations",
    ),
    _py(
        "CWE-22",
        "path-join",
        _CALL,
        "os.path.join posixpath.join ntpath.join *.joinpath Path pathlib.Path "
        "PurePath safe_join werkzeug.utils.safe_join werkzeug.security.safe_join",
        "os.path.join, Path.joinpath, pathlib.Path(...) with a variable part",
    ),
    Construction(
        id="path-text-built",
        language="python",
        cwe="CWE-22",
        text=PATH_TEXT,
        handed_to=r"(?i)^(open|read\w*|write\w*|\w*file\w*|\w*_path|path\w*|Path|load|save|send\w*|remove"
        r"|unlink|delete|exists|listdir|stat|copy\w*|move|join|extract\w*|mkdir|makedirs|rmtree)$",
    ),
    _py(
        "CWE-22",
        "path-pathlib",
        _CALL,
        "*.read_text *.read_bytes *.write_text *.write_bytes *.unlink *.rmdir *.mkdir *.touch *.iterdir",
        "pathlib.Path read/write/delete",
        receiver=r"path|file|dir|folder|target|dest|upload|/|^p$",
        receiver_is_data=True,
    ),
    _py(
        "CWE-22",
        "path-web-file-response",
        _CALL,
        "send_file send_from_directory flask.send_file flask.send_from_directory *.send_static_file "
        "FileResponse static_file bottle.static_file",
        "flask.send_file, send_from_directory, Django/FastAPI FileResponse",
        data=(0, 1, "path", "filename"),
    ),
    _py(
        "CWE-22",
        "path-archive-extract",
        _CALL,
        "*.extractall *.extract",
        "tarfile/zipfile extractall",
        receiver=r"tar|zip|archive|^t$|^z$|^f$|^zf$|^tf$",
        receiver_is_data=True,
    ),
    _py(
        "CWE-22",
        "path-upload-save",
        _CALL,
        "*.save",
        "werkzeug FileStorage.save",
        receiver=r"file|upload|attachment|image|photo|^f$",
        data=(0, "dst"),
    ),
    # CWE-79 cross-site scripting
    _py(
        "CWE-79",
        "html-response",
        _CALL,
        "make_response flask.make_response Response flask.Response HttpResponse django.http.HttpResponse "
        "HTMLResponse fastapi.responses.HTMLResponse starlette.responses.HTMLResponse web.Response",
        "flask.make_response, Response, Django HttpResponse, FastAPI HTMLResponse",
        data=(0, "response", "content", "body", "text"),
    ),
    _py(
        "CWE-79",
        "html-mark-safe",
        _CALL,
        "Markup markupsafe.Markup flask.Markup jinja2.Markup mark_safe django.utils.safestring.mark_safe "
        "SafeString SafeText",
        "markupsafe.Markup, django mark_safe",
        data=(0,),
    ),
    _py(
        "CWE-79",
        "html-template-string",
        _CALL,
        "render_template_string flask.render_template_string jinja2.Template Template *.from_string",
        "flask.render_template_string, jinja2.Template, Environment.from_string",
        data=(0, "source"),
    ),
    _py(
        "CWE-79",
        "html-autoescape-off",
        _CALL,
        "jinja2.Environment Environment",
        "jinja2.Environment without autoescape=True",
        weak=r"^(?![\s\S]*autoescape\s*=\s*True)",
    ),
    _py(
        "CWE-79",
        "html-markdown-render",
        _CALL,
        "markdown markdown.markdown markdown2.markdown mistune.markdown mistune.html commonmark.commonmark *.markdown",
        "Markdown rendered to HTML (raw HTML passes through)",
        data=(0, "text"),
    ),
    _py(
        "CWE-79",
        "html-handler-write",
        _CALL,
        "*.write",
        "tornado RequestHandler.write, wfile.write",
        receiver=r"^self$|wfile|response$|^(resp|res)$",
        data=(0,),
    ),
    Construction(id="html-text-built", language="python", cwe="CWE-79", text=HTML_TEXT, returned=True),
    # CWE-94 code injection
    _py(
        "CWE-94",
        "code-eval",
        _CALL,
        "eval exec compile builtins.eval builtins.exec execfile",
        "eval, exec, compile",
        data=(0, "source"),
    ),
    _py(
        "CWE-94",
        "code-template-injection",
        _CALL,
        "render_template_string flask.render_template_string jinja2.Template Template *.from_string",
        "server-side template built from input",
        data=(0, "source"),
    ),
    # CWE-90 LDAP injection
    _py(
        "CWE-90",
        "ldap-search",
        _CALL,
        "*.search_s *.search_st *.search_ext *.search_ext_s *.paged_search *.search",
        "ldap3 Connection.search, python-ldap search_s",
        receiver=r"ldap|conn|directory|server|^l$|^ld$|^ad$",
    ),
    Construction(id="ldap-filter-built", language="python", cwe="CWE-90", text=LDAP_TEXT, handed_to=r"(?i)search"),
    # CWE-327 broken crypto
    _py(
        "CWE-327",
        "crypto-weak-cipher",
        _CALL,
        "DES.new DES3.new ARC4.new ARC2.new Blowfish.new CAST.new algorithms.TripleDES algorithms.Blowfish "
        "algorithms.ARC4 algorithms.IDEA algorithms.CAST5 algorithms.SEED modes.ECB",
        "pycryptodome DES/ARC4/Blowfish, cryptography weak algorithms and ECB",
    ),
    _py("CWE-327", "crypto-ecb-mode", _CALL, "AES.new *.new", "AES.new(key, AES.MODE_ECB)", weak=r"MODE_ECB"),
    _py(
        "CWE-327",
        "crypto-weak-tls",
        _CALL,
        "ssl.wrap_socket ssl.SSLContext SSLContext",
        "ssl with SSLv3/TLSv1",
        weak=r"PROTOCOL_(SSLv2|SSLv3|SSLv23|TLSv1\b|TLSv1_1)",
    ),
    # CWE-328 weak hash
    _py(
        "CWE-328",
        "hash-weak-digest",
        _CALL,
        "hashlib.md5 hashlib.sha1 MD5.new SHA.new SHA1.new Crypto.Hash.MD5.new Crypto.Hash.SHA1.new hashes.MD5 "
        "hashes.SHA1",
        "hashlib.md5, hashlib.sha1, Crypto.Hash.MD5",
    ),
    _py(
        "CWE-328",
        "hash-weak-named",
        _CALL,
        "hashlib.new hmac.new hashlib.pbkdf2_hmac",
        "hashlib.new('md5'), hmac.new(..., md5)",
        weak=r"(?i)md5|sha1|sha-1|['\"]sha['\"]|md4|md2|new\(\s*[a-z_]\w*\s*[,)]|pbkdf2_hmac\(\s*[a-z_]\w*\s*,",
    ),
    # CWE-330 predictable random
    _py(
        "CWE-330",
        "random-predictable",
        _CALL,
        "random.random random.randint random.randrange random.choice random.choices random.sample "
        "random.shuffle random.getrandbits random.uniform random.Random random.seed uuid.uuid1 numpy.random.randint "
        "numpy.random.rand",
        "random module, uuid.uuid1",
    ),
    # CWE-501 trust boundary
    _py(
        "CWE-501",
        "session-write",
        "subscript",
        "session environ config",
        "flask.session[...] = x, request.session[...] = x, os.environ[...] = x, app.config[...] = x",
    ),
    _py(
        "CWE-501",
        "server-cache-write",
        _CALL,
        "*.set *.set_many *.add",
        "django cache.set, a server-side store",
        receiver=r"cache|store|redis",
        data=(1, "value"),
    ),
    _py("CWE-501", "session-update", _CALL, "session.update session.setdefault *.session.update", "session.update"),
    # CWE-502 deserialization
    _py(
        "CWE-502",
        "deserialize-pickle",
        _CALL,
        "pickle.loads pickle.load cPickle.loads cPickle.load _pickle.loads dill.loads dill.load marshal.loads "
        "marshal.load jsonpickle.decode shelve.open pandas.read_pickle joblib.load torch.load "
        "pickle.Unpickler",
        "pickle, marshal, jsonpickle, shelve",
        data=(0, "data", "file", "filename"),
    ),
    _py(
        "CWE-502",
        "deserialize-yaml",
        _CALL,
        "yaml.load yaml.load_all yaml.unsafe_load yaml.full_load",
        "PyYAML load without SafeLoader",
        weak=r"^(?![\s\S]*Safe)",
    ),
    _py(
        "CWE-502",
        "deserialize-numpy-pickle",
        _CALL,
        "numpy.load np.load",
        "numpy.load(allow_pickle=True)",
        weak=r"allow_pickle\s*=\s*True",
    ),
    # CWE-601 open redirect
    _py(
        "CWE-601",
        "redirect-response",
        _CALL,
        "redirect flask.redirect django.shortcuts.redirect HttpResponseRedirect HttpResponsePermanentRedirect "
        "RedirectResponse fastapi.responses.RedirectResponse starlette.responses.RedirectResponse",
        "flask.redirect, Django HttpResponseRedirect, RedirectResponse",
        data=(0, "to", "url", "location"),
    ),
    _py(
        "CWE-601",
        "redirect-location-header",
        "subscript",
        "headers",
        "response.headers['Location'] = x",
        weak=r"(?i)['\"]location['\"]",
    ),
    _py(
        "CWE-601",
        "redirect-location-response",
        _CALL,
        "Response flask.Response HttpResponse *.add_header",
        "Response(headers={'Location': x})",
        weak=r"(?i)['\"]location['\"]",
    ),
    # CWE-611 XXE
    _py(
        "CWE-611",
        "xml-parse",
        _CALL,
        "*.fromstring *.parse *.XML *.iterparse *.parseString *.make_parser *.XMLParser xmltodict.parse *.setFeature",
        "lxml.etree, xml.sax, xml.dom.minidom/pulldom, xmltodict",
        receiver=r"etree|^ET$|elementtree|objectify|lxml|sax|minidom|pulldom|dom|xml|parser|reader",
        receiver_is_data=True,
    ),
    # CWE-614 cookie without Secure
    _py(
        "CWE-614",
        "cookie-set",
        _CALL,
        "*.set_cookie *.set_signed_cookie SimpleCookie http.cookies.SimpleCookie",
        "Response.set_cookie, http.cookies.SimpleCookie",
    ),
    _py(
        "CWE-614",
        "cookie-header-output",
        _CALL,
        "*.output *.OutputString",
        "http.cookies Morsel.output",
        receiver=r"cookie|morsel",
    ),
    # CWE-643 XPath injection
    _py(
        "CWE-643",
        "xpath-query",
        _CALL,
        "*.xpath etree.XPath XPath etree.XPathEvaluator XPathEvaluator etree.ETXPath elementpath.select "
        "elementpath.iter_select",
        "lxml xpath, XPath, elementpath.select",
        data=(0, 1, "path"),
    ),
    Construction(
        id="xpath-text-built",
        language="python",
        cwe="CWE-643",
        text=XPATH_TEXT,
        handed_to=r"(?i)xpath|select|evaluate|find",
    ),
    # CWE-798 hard-coded credentials
    _py(
        "CWE-798",
        "credential-literal",
        "literal",
        (SECRET_NAME,),
        "a password, key or token assigned as a string literal",
    ),
    _py(
        "CWE-798",
        "credential-call",
        _CALL,
        "*.login *.connect connect *.create_engine create_engine boto3.client boto3.resource boto3.Session "
        "*.simple_bind_s *.bind_s ldap3.Connection Connection requests.get requests.post requests.put "
        "requests.request",
        "login, DB connect, create_engine URI, boto3 keys, LDAP bind, Authorization headers",
        weak=r"(?i)://[^:/@\s'\"]+:[^@\s'\"]+@|(login|bind_s|simple_bind_s)\([^,()]+,\s*[rbuf]?['\"]"
        r"|(password|passwd|pwd|secret|key|token)\w*\s*=\s*[rbuf]?['\"][^'\"]+['\"]"
        r"|['\"]authorization['\"]\s*:\s*[rbuf]?['\"]",
    ),
    # CWE-918 SSRF
    _py(
        "CWE-918",
        "ssrf-http-request",
        _CALL,
        "requests.get requests.post requests.put requests.delete requests.head requests.patch requests.request "
        "urllib.request.urlopen urlopen urllib.request.Request urllib2.urlopen httpx.get httpx.post httpx.request "
        "httpx.stream http.client.HTTPConnection http.client.HTTPSConnection *.urlopen aiohttp.request",
        "requests, urllib, httpx, http.client",
        data=(0, 1, "url", "host"),
    ),
    Construction(
        id="url-text-built",
        language="python",
        cwe="CWE-918",
        text=URL_TEXT,
        handed_to=r"(?i)^(get|post|put|delete|head|patch|request|urlopen|Request|fetch|stream)$",
    ),
    _py(
        "CWE-918",
        "ssrf-client-request",
        _CALL,
        "*.get *.post *.request *.fetch",
        "requests.Session, httpx.Client, aiohttp.ClientSession requests",
        receiver=r"session|client|http|requests|pool|urllib3",
        data=(0, 1, "url"),
    ),
)
