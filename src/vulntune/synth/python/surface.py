"""Surface variety for Python samples: identifier pools, literals, constant conditions, style,
and the benign code around the sink. Nothing here depends on the label. What is particular to
one CWE is its `PythonCweVocabulary` record, defined in the CWE's sink module.

Every choice is drawn by `draw` from the plan's RNG in one fixed order, so the vulnerable and
safe twins of a pair get identical surfaces. Text transformations (quote style, type hints,
indentation) are cached per template snippet, which keeps a render well under a millisecond.
"""

from __future__ import annotations

import base64
import functools
import re
import textwrap
from dataclasses import dataclass, field
from random import Random
from typing import ClassVar

from vulntune.synth.template import LEAK_WORDS, CweVocabulary, Sink


def snippet(text: str) -> str:
    """A template snippet written as an indented triple-quoted string: dedented, outer newlines stripped."""
    return textwrap.dedent(text).strip("\n")


# ---------------------------------------------------------------------------------------------
# What is particular to one CWE: its record, defined in the CWE's sink module (`sinks/`).


@dataclass(kw_only=True, frozen=True)
class PythonCweVocabulary(CweVocabulary):
    """One CWE's Python vocabulary (the shared fields: `CweVocabulary`).

    Attributes:
        params: what the request field, the source variable and the propagated variable are
            called; disjoint from every role pool (a test checks it).
        constants: what a constant of the sink's value looks like (`$lit`), in the sample's quotes.
        affixes: both sides of a concatenation or format around the value; at least one of each
            pair is non-empty.
        choices: the values of allow-lists (`$choices`), where they are not the constants (hosts,
            where the check is on a host); empty: the constants.
        step_comment: a neutral comment a sink block may carry: what the code does, never whether
            it is right ("# query the database").
    """

    language: ClassVar[str] = "python"
    required: ClassVar[tuple[str, ...]] = ("params", "constants", "affixes", "step_comment")

    choices: tuple[str, ...] = ()
    step_comment: str = ""


# ---------------------------------------------------------------------------------------------
# Identifier pools. Every role draws from its own pool, and the pools are disjoint (a test checks
# it), so two roles never collide in one sample.

ENTITIES = (
    "user",
    "order",
    "invoice",
    "report",
    "ticket",
    "product",
    "account",
    "note",
    "customer",
    "project",
    "asset",
    "message",
    "event",
    "device",
    "team",
    "shipment",
    "booking",
    "article",
)
VERBS = (
    "get",
    "show",
    "load",
    "fetch",
    "view",
    "handle",
    "process",
    "update",
    "export",
    "search",
    "lookup",
    "render",
    "read",
    "serve",
    "find",
    "open",
    "sync",
    "check",
    "preview",
    "resolve",
)
FIELDS = ("name", "email", "status", "title", "owner", "category", "slug", "region", "label", "state")
# What the source and propagated variables are called besides the CWE's `params`.
VAR_GENERIC = ("value", "raw", "arg", "incoming", "requested", "supplied", "given", "user_value", "text")
OUT_GENERIC = ("selected", "chosen", "picked", "current", "final_value", "item_value", "key_value", "wanted")

# role -> pool; UPPER roles are module-level constants.
ROLES: dict[str, tuple[str, ...]] = {
    "conn": ("conn", "db", "connection", "cnx", "dbh"),
    "cur": ("cur", "cursor", "csr"),
    "query": ("query", "sql", "stmt", "statement"),
    "rows": ("rows", "records", "matches", "found", "entries", "hits"),
    "engine": ("engine", "db_engine", "sa_engine"),
    "DB": ("DB_PATH", "DATABASE", "DB_FILE", "SQLITE_PATH"),
    "DSN": ("DSN", "DATABASE_DSN", "PG_DSN"),
    "batch": ("batch", "params_list", "updates", "id_rows"),
    "output": ("output", "listing", "stdout_text", "cmd_output"),
    "proc": ("proc", "process", "child", "job"),
    "BASE": ("BASE_DIR", "UPLOAD_DIR", "DATA_DIR", "STORAGE_ROOT", "FILES_ROOT", "MEDIA_DIR"),
    "path": ("full_path", "file_path", "abs_path", "disk_path"),
    "fh": ("fh", "fp", "stream", "infile"),
    "data": ("data", "contents", "body_text", "file_data"),
    "html": ("html", "markup", "page", "fragment"),
    "resp": ("resp", "response", "res", "reply"),
    "jenv": ("env", "jinja_env", "tmpl_env"),
    "ns": ("ns", "scope", "namespace", "context"),
    "result": ("result", "computed", "answer", "outcome"),
    "fn": ("fn", "func_obj", "rule_fn", "handler_fn"),
    "OPS": ("OPERATIONS", "RULES", "HANDLERS", "FUNCTIONS", "OPS"),
    "compiled": ("code_obj", "compiled", "program"),
    "KEY": ("KEY", "SECRET_KEY", "ENC_KEY", "CIPHER_KEY", "DATA_KEY"),
    "cipher": ("cipher", "crypter", "enc"),
    "blob": ("blob", "ciphertext", "encrypted", "sealed"),
    "tag": ("tag", "mac", "auth_tag", "trailer"),
    "nonce": ("nonce", "iv", "init_vector"),
    "padder": ("padder", "pad_ctx"),
    "digest": ("digest", "hashed", "fingerprint", "checksum"),
    "SALT": ("SALT", "PEPPER", "HASH_SALT"),
    "token": ("token", "reset_code", "otp", "one_time"),
    "STORE": ("TOKENS", "RESET_CODES", "PENDING", "ISSUED", "SESSIONS_BY_ID"),
    "obj": ("obj", "loaded", "state", "restored", "decoded"),
    "parser": ("parser", "xml_parser", "xparser"),
    "doc": ("doc", "xml_root", "parsed", "dom"),
    "reader": ("reader", "sax_parser", "xml_reader"),
    "events": ("events", "stream_events", "pull_events"),
    "tree": ("tree", "xml_tree", "catalog"),
    "nodes": ("nodes", "found_nodes", "elements", "node_list"),
    "find": ("find", "finder", "query_fn", "lookup_fn"),
    "jar": ("jar", "cookie", "morsels"),
    "hdr": ("header_value", "set_cookie_value", "cookie_header"),
    "target": ("location", "destination", "redirect_target", "goto_url"),
    "parts": ("parts", "parsed_url", "split_url", "pieces"),
    "smtp": ("smtp", "mailer", "mail_conn"),
    "client": ("client", "s3", "storage", "api_client"),
    "http": ("http", "pool", "manager"),
    "fetched": ("fetched", "remote_data", "upstream", "reply_body"),
    "ldap_conn": ("ldap_conn", "directory", "ld", "lconn"),
    "hasher": ("hasher", "hash_obj", "h"),
    "gen": ("gen", "rand_gen", "prng"),
    "LAZY": ("_CLIENT", "_POOL", "_INSTANCE", "_HANDLE"),
    # propagation and kill helpers
    "helper": ("normalize", "prepare", "coerce", "extract", "get_value", "pick", "to_text", "clean"),
    "Cls": ("Holder", "Envelope", "Wrapper", "Carrier", "Box", "Container"),
    "wrapped": ("holder", "envelope", "wrapped", "carrier", "box", "container"),
    "items": ("items", "values", "parts_list", "queue", "pending", "bucket"),
    "bag": ("bag", "fields", "mapping", "store", "kwargs_map", "lookup"),
    "part": ("part", "piece", "elem", "candidate"),
    "ch": ("ch", "char", "symbol"),
    "inner": ("inner", "_read", "_current", "_value_of"),
    "norm": ("norm", "trim", "strip_fn"),
    "size": ("size", "length", "n_chars"),
    "CACHE": ("CACHE", "MEMO", "REGISTRY_MAP", "LAST_SEEN"),
    "first": ("first", "head", "primary"),
    "second": ("second", "fallback", "alt"),
    # benign surroundings
    "logger": ("logger", "log", "LOG", "_log"),
    "SETTINGS": ("SETTINGS", "CONFIG", "DEFAULTS", "OPTIONS"),
    "FLAG": ("DEBUG", "FEATURE_EXPORT", "ENABLE_AUDIT", "USE_CACHE", "LEGACY_MODE", "MAINTENANCE", "READ_ONLY"),
    "DFLAG": ("VERBOSE", "DRY_RUN", "TRACE", "BETA_UI", "SHOW_TIMINGS"),
    "OPTS": ("FEATURES", "TOGGLES", "SWITCHES"),
    "OPTS_B": ("FEATURE_MAP", "FLAG_TABLE", "ENABLED_FEATURES"),
    "limit": ("limit", "page_size", "per_page", "max_items"),
    "fmt": ("fmt", "output_format", "sort_order", "lang_code"),
    "tags": ("tags", "labels", "kinds"),
    "kind": ("kind", "mode", "flavor", "variant"),
    "started": ("started", "t0", "begin"),
    "args": ("args", "argv_list", "cli_args"),
    "argparser": ("parser_obj", "ap", "arg_parser"),
    "payload": ("body", "json_body", "posted"),
    "inf": ("inf", "src_fh", "reader_fh"),
    "sock": ("sock", "client_sock", "csock"),
    "upload": ("upload", "uploaded", "file_part"),
    "Schema": ("Payload", "RequestBody", "Submission", "FormData"),
    "Handler": ("RequestHandler", "LineHandler", "CommandHandler", "ApiHandler"),
    "View": ("DetailView", "ItemView", "LookupView", "ResourceView"),
    "app": ("app", "application", "webapp"),
    "bp": ("bp", "blueprint", "routes"),
    "srv": ("srv", "server", "httpd"),
    "inpath": ("input_path", "src_path", "source_file", "in_file"),
    "sinkfn": ("_apply", "_perform", "_run_step", "_process_value", "_use_value", "_do_work"),
    "sinkarg": ("item", "arg_in", "val", "incoming_value"),
    "benign_arg": ("raw_limit", "cents", "row", "rows_in", "items_in"),
    # command lines built over several lines, sources read in loops
    "cmdline": ("cmd_line", "command_line", "shell_cmd"),
    "cmdargs": ("cmd_args", "arg_vector", "argv_parts"),
    "status": ("rc", "exit_code", "ret_code"),
    "src_url": ("feed_source", "upstream_url", "remote_src"),
    "src_conn": ("src_db", "settings_db", "meta_conn"),
    "ckname": ("cookie_name", "cname", "ck_key"),
    "ckval": ("cookie_val", "cval", "ck_value"),
    "qs": ("qs", "query_args", "parsed_qs"),
    "buf": ("buf", "received", "inbox"),
    "chunk": ("chunk", "piece_in", "block"),
    # sinks' helpers: wrappers and classes the handler calls, their members and configuration
    "cmdfn": ("run_command", "run_tool", "shell_out", "exec_command", "call_tool"),
    "filefn": ("load_file", "read_stored", "fetch_document", "read_attachment"),
    "Runner": ("ToolRunner", "CommandRunner", "Toolbox", "Converter", "Archiver"),
    "Store": ("FileStore", "Storage", "DocumentStore", "UploadStore"),
    "runmeth": ("run_for", "process_file", "inspect", "build_for"),
    "storemeth": ("delete", "remove_file", "purge", "discard"),
    "cfgattr": ("command", "tool", "binary", "base_cmd"),
    "wdattr": ("workdir", "cwd_path", "run_dir"),
    "rootattr": ("root", "base_dir", "storage_dir", "folder"),
    "argname": ("rel_name", "item_name", "target_name", "name_in"),
    "TOOLCMD": ("TOOL_CMD", "BASE_COMMAND", "CMD_PREFIX", "TOOL"),
    "TOOLCFG": ("TOOL_CONFIG", "TOOLS", "CMD_SETTINGS"),
    "tooldir": ("tool_dir", "bin_dir", "tools_path"),
    "errs": ("errs", "stderr_text", "err_output"),
    "archive": ("zf", "zip_file", "bundle"),
    "tar": ("tar", "tar_file", "tarball"),
    "member": ("arc_member", "member_info", "tar_entry"),
    "DEST": ("EXTRACT_DIR", "UNPACK_DIR", "DEST_DIR"),
    "outfh": ("out_fh", "dst", "sink_fh"),
}

_ROLE_TABLE = tuple((role, pool, len(pool)) for role, pool in ROLES.items())

# Allow-list constant names: the same generator names the allow-lists of fixes and the unrelated
# allow-lists of benign code, so the name itself says nothing about the label.
ALLOW_PREFIX = ("ALLOWED", "PERMITTED", "KNOWN", "VALID", "SUPPORTED", "ACCEPTED")
ALLOW_SUFFIX = ("VALUES", "NAMES", "CHOICES", "OPTIONS", "ENTRIES", "ITEMS", "KEYS", "TARGETS")

BYTES_LITERALS = ("{}", "[]", "<config/>", "null", "<items/>")
# Shell commands of CWE-78 sinks: the command line prefix and its argv form.
COMMANDS = (
    ("wc -l", ("wc", "-l")),
    ("gzip -k", ("gzip", "-k")),
    ("du -sh", ("du", "-sh")),
    ("ls -l", ("ls", "-l")),
    ("tail -n 50", ("tail", "-n", "50")),
    ("file -b", ("file", "-b")),
    ("sha256sum", ("sha256sum",)),
    ("head -n 20", ("head", "-n", "20")),
)
BASE_DIRS = ("/srv/app/files", "/var/lib/app/uploads", "/opt/reports", "/srv/media", "/data/exports")
DB_FILES = ("app.db", "data.sqlite3", "store.db", "main.db")
DB_NAMES = ("shop", "crm", "billing", "inventory", "appdb")
APP_LABELS = ("shop", "accounts", "billing", "core", "catalog")
LDAP_HOSTS = ("ldap.example.com", "ldap.corp.local", "directory.internal")
BASE_DNS = ("dc=example,dc=com", "ou=people,dc=corp,dc=local", "ou=users,dc=example,dc=org")
XML_FILES = ("users.xml", "catalog.xml", "inventory.xml", "accounts.xml")
COOKIES = ("session", "sid", "auth", "remember_me", "prefs")
SESSION_KEYS = ("role", "lang", "theme", "user", "tenant", "plan")
TEMPLATES = ("profile", "detail", "index", "page", "summary")
DOMAINS = ("example.com", "corp.local", "internal.example.org")
MESSAGES = ("invalid request", "not allowed", "missing value", "unsupported value", "invalid input", "rejected")
WORDS = ("alpha", "delta", "orbit", "maple", "cedar", "pixel", "quartz", "ember")
PASSWORD_STEMS = ("Summer", "Winter", "Dragon", "Falcon", "Orange", "Tiger", "Admin", "Welcome")
ENV_PREFIXES = ("APP_", "SVC_", "")
HANDLER_DOCS = (
    "Handle the $entity request.",
    "Look up a $entity.",
    "Entry point for $entity updates.",
    "Process one $entity.",
    "Serve $route.",
)
DOCSTRINGS = (
    "$Entity endpoints.",
    "Handlers for $entity records.",
    "$Entity service helpers.",
    "Small $entity API.",
    "Routes and helpers for the $entity module.",
    "$Entity views.",
)
COMMENTS = (
    "# Keep the payload small.",
    "# See the runbook for limits.",
    "# TODO: paginate.",
    "# Shared with the admin tools.",
    "# Defaults match the public docs.",
    "# Used by the nightly job.",
)

# How a handler rejects a request, per framework: (statement, import needed, token that marks use).
REJECTS = {
    "flask": (
        ("abort(400)", "from flask import abort"),
        ("abort(403)", "from flask import abort"),
        ("abort(404)", "from flask import abort"),
    ),
    "django": (
        ("return HttpResponseBadRequest()", "from django.http import HttpResponseBadRequest"),
        ("raise PermissionDenied", "from django.core.exceptions import PermissionDenied"),
    ),
    "fastapi": (
        ("raise HTTPException(status_code=400)", "from fastapi import HTTPException"),
        ("raise HTTPException(status_code=403)", "from fastapi import HTTPException"),
    ),
    "cli": (('raise SystemExit("$msg")', ""), ('raise ValueError("$msg")', "")),
    "stdlib": (('raise ValueError("$msg")', ""), ('raise PermissionError("$msg")', "")),
}

# ---------------------------------------------------------------------------------------------
# Benign code: module-level functions and handler-level decoys, present in both twins. They
# mirror the shapes of fixes and kills (allow-lists, int conversions, constant branches,
# collections with constant elements) so those shapes are no label cue.

BENIGN_FUNCTIONS = (
    (
        snippet("""
        def paginate($benign_arg: list, page: int = 1, size: int = 20) -> list:
            start = (page - 1) * size
            return $benign_arg[start:start + size]
        """),
        (),
    ),
    (
        snippet("""
        def parse_limit($benign_arg: str) -> int:
            try:
                return max(1, min(int($benign_arg), 100))
            except (TypeError, ValueError):
                return 20
        """),
        (),
    ),
    (
        snippet("""
        def to_dict($benign_arg: tuple) -> dict:
            return {"id": $benign_arg[0], "$field": $benign_arg[1]}
        """),
        (),
    ),
    (
        snippet("""
        def format_amount($benign_arg: int) -> str:
            return "%d.%02d" % divmod($benign_arg, 100)
        """),
        (),
    ),
    (
        snippet("""
        def choose_order($benign_arg: str) -> str:
            return $benign_arg if $benign_arg in $ALLOWED2 else "$odef"
        """),
        (),
    ),
    (
        snippet("""
        def chunked($benign_arg: list, size: int = 50):
            for start in range(0, len($benign_arg), size):
                yield $benign_arg[start:start + size]
        """),
        (),
    ),
    (
        snippet("""
        def is_enabled($benign_arg: str) -> bool:
            return $OPTS_B.get($benign_arg, False)
        """),
        (),
    ),
    (
        snippet("""
        def utc_stamp() -> str:
            return datetime.now(timezone.utc).isoformat()
        """),
        ("from datetime import datetime, timezone",),
    ),
    (
        snippet("""
        class ${Entity}Summary:
            def __init__(self, $benign_arg):
                self.$benign_arg = $benign_arg

            def count(self) -> int:
                return len(self.$benign_arg)
        """),
        (),
    ),
)
BENIGN_ROUTES = {
    "flask": (
        snippet("""
        @$router.route("/health")
        def health():
            return {"status": "ok"}
        """),
        snippet("""
        @$router.get("/$entities/count")
        def count_${entity}s():
            return {"count": 0}
        """),
    ),
    "django": (
        snippet("""
        def health(request):
            return HttpResponse("ok")
        """),
        snippet("""
        def ${entity}_count(request):
            return HttpResponse("0")
        """),
    ),
    "fastapi": (
        snippet("""
        @$router.get("/health")
        def health():
            return {"status": "ok"}
        """),
        snippet("""
        @$router.get("/$entities/count")
        def count_${entity}s():
            return {"count": 0}
        """),
    ),
}
ROUTE_IMPORTS = {"django": ("from django.http import HttpResponse",)}

# Module-level constants of benign code: (text, placeholders it defines for decoys).
BENIGN_CONSTANTS = (
    "$ALLOWED2 = $benign_choices",
    '$SETTINGS = {"page_size": "20", "$ckey": $lit, "$ofield": "$odef"}',
    "$DFLAG = $dflag_value",
    '$OPTS_B = {"export": True, "audit": False}',
    "PAGE_SIZE = 20",
    "TIMEOUT_SECONDS = $timeout",
    'VERSION = "$version"',
)

# Decoy statements inside the handler: (text, slot, needs); slot "pre" runs before the source is
# read, "mid" after it; needs names what the snippet reads (a module constant or the value).
DECOYS = (
    ("$log_start", "pre", ()),
    ("$started = time.monotonic()", "pre", ("time",)),
    ('$tags = ["$word", "$word2"]\n$kind = $tags[0]', "pre", ()),
    ('$kind = {"$word": "$word2"}.get("$word", "$word3")', "pre", ()),
    ('$kind = "$word"\nif $cond_t2:\n    $kind = "$word2"', "pre", ()),
    ("if $DFLAG:\n    $log_debug", "pre", ("DFLAG",)),
    ('$limit = int($SETTINGS["page_size"])', "pre", ("SETTINGS",)),
    (
        'try:\n    $limit = int($SETTINGS.get("page_size", 20))\nexcept (TypeError, ValueError):\n    $limit = 20',
        "pre",
        ("SETTINGS",),
    ),
    (
        '$fmt = $SETTINGS.get("$ofield", "$odef")\nif $fmt not in $ALLOWED2:\n    $reject',
        "pre",
        ("SETTINGS", "ALLOWED2"),
    ),
    ('$fmt = $other_read\nif $fmt not in $ALLOWED2:\n    $fmt = "$odef"', "pre", ("ALLOWED2", "other")),
    ("$fmt = $other_read\nif $fmt not in $ALLOWED2:\n    $reject", "pre", ("ALLOWED2", "other")),
    ("$limit = min(int($other_limit), 100)", "pre", ("other",)),
    ("$var = $var.strip()", "mid", ("str",)),
    ("if len($var) > $maxlen:\n    $reject", "mid", ()),
    ("if not $var:\n    $reject", "mid", ()),
    ("$log_value", "mid", ()),
)

# Unrelated inputs the handler validates: (field, allowed values with the default first).
BENIGN_FIELDS = (
    ("format", ("json", "csv")),
    ("order", ("asc", "desc")),
    ("lang", ("en", "de", "fr")),
    ("size", ("small", "large")),
    ("view", ("list", "grid")),
)
OTHER_READS = {
    "flask": ('request.args.get("$ofield", "$odef")', 'request.args.get("limit", "20")'),
    "django": ('request.GET.get("$ofield", "$odef")', 'request.GET.get("limit", "20")'),
    "starlette": ('request.query_params.get("$ofield", "$odef")', 'request.query_params.get("limit", "20")'),
    "environ": ('os.environ.get("$OENV", "$odef")', 'os.environ.get("PAGE_LIMIT", "20")'),
}

STDLIB = frozenset(
    (
        "argparse",
        "ast",
        "base64",
        "dataclasses",
        "datetime",
        "functools",
        "hashlib",
        "hmac",
        "html",
        "http",
        "io",
        "json",
        "logging",
        "marshal",
        "os",
        "pathlib",
        "pickle",
        "random",
        "re",
        "secrets",
        "shelve",
        "shlex",
        "shutil",
        "smtplib",
        "socket",
        "socketserver",
        "sqlite3",
        "string",
        "subprocess",
        "sys",
        "tarfile",
        "time",
        "typing",
        "urllib",
        "uuid",
        "xml",
        "operator",
        "zipfile",
    )
)


# ---------------------------------------------------------------------------------------------
# Literals and conditions, in the sample's quote style.


def quote(text: str, q: str) -> str:
    """A string literal of `text` (no backslashes or newlines inside) in quote style `q`."""
    if q in text:
        q = "'" if q == '"' else '"'
    return f"{q}{text}{q}"


def bytes_quote(text: str, q: str) -> str:
    return "b" + quote(text, q)


def constant_conditions(rng: Random, q: str) -> tuple[str, str]:
    """(always true, always false): two conditions that differ in one token."""
    style = rng.randrange(6)
    a, b = rng.randint(2, 9), rng.randint(2, 9)
    word = rng.choice(WORDS)
    if style == 0:
        n = len(word)
        return f"len({quote(word, q)}) == {n}", f"len({quote(word, q)}) == {n + 1}"
    if style == 1:
        return f"{a} * {b} == {a * b}", f"{a} * {b} == {a * b + 1}"
    if style == 2:
        return f"{quote(str(a * 11), q)}.isdigit()", f"{quote(word, q)}.isdigit()"
    if style == 3:
        other = rng.choice([w for w in WORDS if w != word])
        pool = f"({quote(word, q)}, {quote('misc', q)})"
        return f"{quote(word, q)} in {pool}", f"{quote(other, q)} in {pool}"
    if style == 4:
        return f"{a} < {a + b}", f"{a} > {a + b}"
    return "True", "False"


def _random_text(rng: Random, make) -> str:
    """A random key that happens to spell no leak word ("bad..." in hex would, once in 4096)."""
    text = make()
    while LEAK_WORDS.search(text):
        text = make()
    return text


# ---------------------------------------------------------------------------------------------
# Text transformations, cached per template snippet.

_STRING = re.compile(r'"""[\s\S]*?"""|[rbfRBF]{0,2}"(?:[^"\\\n]|\\.)*"|[rbfRBF]{0,2}\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*')
_HINT_DEFAULT = re.compile(r"(\w): (?:str|int|bytes|dict|list|tuple|bool) = ")
_HINT_PARAM = re.compile(r"(\w): (?:str|int|bytes|dict|list|tuple|bool)\b")
_HINT_RETURN = re.compile(r"\) -> [\w\[\], ]+:")


@functools.lru_cache(maxsize=8192)
def styled(text: str, single: bool, hints: bool) -> str:
    """`text` with double-quoted literals turned single-quoted (when `single`) and type hints of
    `def` lines removed (when not `hints`)."""
    if single:
        text = _STRING.sub(_to_single, text)
    if not hints and "def " in text:
        lines = []
        for line in text.split("\n"):
            if line.lstrip().startswith("def "):
                line = _HINT_RETURN.sub("):", _HINT_PARAM.sub(r"\1", _HINT_DEFAULT.sub(r"\1=", line)))
            lines.append(line)
        text = "\n".join(lines)
    return text


def _to_single(match: re.Match) -> str:
    lit = match.group(0)
    if lit.startswith(("#", '"""')) or "'" in lit or "\\" in lit:
        return lit
    start = lit.index('"') if '"' in lit else -1
    if start < 0:
        return lit
    return lit[:start] + "'" + lit[start + 1 : -1] + "'"


@functools.lru_cache(maxsize=16384)
def indent(text: str, width: int) -> str:
    if not width or not text:
        return text
    pad = " " * width
    return "\n".join(pad + line if line else line for line in text.split("\n"))


# ---------------------------------------------------------------------------------------------
# Imports.

_FROM = re.compile(r"from\s+([\w.]+)\s+import\s+(.+)")


def merge_imports(lines, style: int) -> str:
    """Merge `import` / `from` lines (one `from m import a, b` per module); `style` 0 groups stdlib
    and third-party like isort, 1 sorts them in one block, 2 keeps first-seen order."""
    plain: dict[str, None] = {}
    froms: dict[str, dict[str, None]] = {}
    for line in lines:
        if not line:
            continue
        m = _FROM.match(line)
        if m:
            names = froms.setdefault(m.group(1), {})
            for name in m.group(2).split(","):
                names[name.strip()] = None
        else:
            plain[line] = None
    entries = [(line.split()[1], line) for line in plain]
    for module, names in froms.items():
        ordered = sorted(names, key=_isort_key) if style != 2 else list(names)
        entries.append((module, f"from {module} import {', '.join(ordered)}"))
    if style == 2:
        return "\n".join(text for _, text in entries)
    entries.sort(key=lambda e: (e[1].startswith("from"), e[0]) if style == 0 else (e[0], e[1]))
    if style == 1:
        return "\n".join(text for _, text in entries)
    std = [t for m, t in entries if m.split(".")[0] in STDLIB]
    third = [t for m, t in entries if m.split(".")[0] not in STDLIB]
    return "\n\n".join(block for block in ("\n".join(std), "\n".join(third)) if block)


def _isort_key(name: str) -> tuple[int, str]:
    base = name.split(" as ")[0]
    if base.isupper():
        return 0, base
    return (1 if base[:1].isupper() else 2), base.lower()


# ---------------------------------------------------------------------------------------------
# The drawn surface of one sample.


@dataclass
class Surface:
    """Everything the renderer needs that does not depend on the label."""

    names: dict[str, str]
    single_quotes: bool
    hints: bool
    import_style: int
    blank: str  # between top-level blocks
    docstring: str
    logging: bool
    const_scope: str  # "local", "module", "config", or "uuid"
    const_decoy: bool  # const + side line even when the pair is not "untainted"
    handler_doc: str = ""
    step_comment: str = ""
    sink_helper: bool = False  # the sink block lives in a module function the handler calls
    sink_helper_after: bool = False
    pre_decoys: list[str] = field(default_factory=list)
    mid_decoys: list[str] = field(default_factory=list)
    constants: list[str] = field(default_factory=list)
    before: list[str] = field(default_factory=list)  # top-level blocks before the handler
    after: list[str] = field(default_factory=list)
    extra_imports: list[str] = field(default_factory=list)
    comment: str = ""
    helper_after: bool = False
    const_early: bool = False
    trailer: bool = False
    reject_import: str = ""


def draw(rng: Random, vocabulary: PythonCweVocabulary, sink: Sink, framework: str, request: str) -> Surface:
    """Draw the surface of one sample of `sink`, whose CWE's record is `vocabulary`. The order of
    RNG calls never depends on the label.

    `request` names how the handler reads an unrelated input ("flask", "django", "starlette",
    "environ"; empty when it cannot), for validation code around the sink."""
    choice = rng.choice
    rand = rng.random
    q = '"' if rand() < 0.7 else "'"
    # One float per role: `choice` costs ~3x more, and ~100 roles are drawn per sample.
    names: dict[str, str] = {role: pool[int(rand() * size)] for role, pool, size in _ROLE_TABLE}

    entity = choice(ENTITIES)
    names["entity"] = entity
    names["Entity"] = entity.title()
    names["entities"] = entity + "s"
    names["table"] = entity + "s" if rng.random() < 0.7 else "tbl_" + entity
    names["field"] = choice(FIELDS)
    names["Model"] = entity.title()
    names["app_label"] = choice(APP_LABELS)
    verb = choice(VERBS)
    names["func"] = choice((f"{verb}_{entity}", f"{verb}_{entity}s", f"{entity}_{verb}", verb + "_" + choice(FIELDS)))
    names["route"] = choice((f"/{entity}s", f"/{entity}s/{verb}", f"/api/{entity}s", f"/api/v1/{entity}/{verb}"))

    nouns = vocabulary.params
    param = choice(nouns)
    names["param"] = param
    names["PARAM"] = param.upper()
    names["param_dash"] = param.replace("_", "-")
    names["Param"] = param.replace("_", " ").capitalize()
    names["Hdr"] = "-".join(p.title() for p in param.split("_"))
    names["ENV"] = choice(ENV_PREFIXES) + param.upper()
    var = param if rng.random() < 0.5 else choice(VAR_GENERIC + nouns)
    out = choice([n for n in nouns + OUT_GENERIC if n != var and n != param])
    names["var"], names["out"] = var, out

    # Literals of the sink's value, in this sample's quote style.
    lits = vocabulary.constants_of(sink)
    if sink.value_kind == "bytes":
        lit_text = choice(BYTES_LITERALS)
        names["lit"] = bytes_quote(lit_text, q)
    else:
        lit_text = choice(lits)
        names["lit"] = quote(lit_text, q)
    pool = vocabulary.choices or lits
    picked = rng.sample(pool, min(len(pool), rng.randint(2, 3)))
    names["choices"] = "(" + ", ".join(quote(p, q) for p in picked) + ")"
    names["ALLOWED"] = choice(ALLOW_PREFIX) + "_" + choice(ALLOW_SUFFIX)
    allowed2 = choice(ALLOW_PREFIX) + "_" + choice(ALLOW_SUFFIX)
    if allowed2 == names["ALLOWED"]:
        allowed2 = "ALLOWED_FORMATS"
    names["ALLOWED2"] = allowed2
    names["ofield"], benign = choice(BENIGN_FIELDS)
    names["odef"] = benign[0]
    names["OENV"] = choice(ENV_PREFIXES) + names["ofield"].upper()
    names["benign_choices"] = "(" + ", ".join(quote(p, q) for p in benign) + ")"
    if request:
        # Filled in here: the layout is substituted once, so placeholders inside a value would stay.
        read = OTHER_READS[request][0].replace("$ofield", names["ofield"]).replace("$odef", names["odef"])
        names["other_read"] = read.replace("$OENV", names["OENV"]).replace('"', q)
        names["other_limit"] = OTHER_READS[request][1].replace('"', q)

    pre, suf = choice(vocabulary.affixes)
    names["pre"] = quote(pre, q) + " + " if pre else ""
    names["suf"] = " + " + quote(suf, q) if suf else ""
    names["ppre"], names["psuf"] = pre.replace("%", "%%"), suf.replace("%", "%%")
    names["bpre"], names["bsuf"] = pre.replace("{", "{{").replace("}", "}}"), suf.replace("{", "{{").replace("}", "}}")

    names["cond_t"], names["cond_f"] = constant_conditions(rng, q)
    names["cond_t2"] = constant_conditions(rng, q)[rng.randrange(2)]
    names["word"], names["word2"], names["word3"] = rng.sample(WORDS, 3)
    names["k1"], names["k2"] = rng.sample(("primary", "fallback", "current", "default", "given", "stored"), 2)
    names["key"] = choice(("value", "name", "key", "input", "field"))
    names["ckey"] = choice(("default_name", "preset_value", "initial_value", "stock_value"))
    names["CKEY"] = names["ckey"].upper()
    names["opt"] = choice(("export", "audit", "beta", "sync"))
    names["maxlen"] = str(choice((64, 128, 255, 256, 512, 1024, 4096)))
    names["port"] = str(choice((8000, 8080, 9000, 5000)))
    names["timeout"] = str(choice((5, 10, 30)))
    names["version"] = f"{rng.randint(0, 3)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
    names["dflag_value"] = choice(("True", "False"))
    names["wlen"] = str(len(names["word"]))

    shellcmd, argv = choice(COMMANDS)
    names["shellcmd"] = shellcmd
    names["shellargs"] = ", ".join(quote(a, q) for a in argv)
    names["basedir"] = choice(BASE_DIRS)
    names["dbfile"] = choice(DB_FILES)
    names["dbname"] = choice(DB_NAMES)
    names["ldaphost"] = choice(LDAP_HOSTS)
    names["basedn"] = choice(BASE_DNS)
    names["xmlfile"] = choice(XML_FILES)
    names["cookie"] = choice(COOKIES)
    names["skey"] = choice(SESSION_KEYS)
    names["tpl"] = choice(TEMPLATES)
    names["domain"] = choice(DOMAINS)
    names["msg"] = choice(MESSAGES)
    names["secret"] = choice(PASSWORD_STEMS) + str(rng.randint(10, 9999)) + choice(("!", "#", "", "*"))
    names["apikey"] = _random_text(rng, lambda: f"{rng.getrandbits(128):032x}")
    names["keyid"] = _random_text(rng, lambda: base64.b32encode(rng.getrandbits(80).to_bytes(10, "big")).decode())

    reject, reject_import = choice(REJECTS[framework])
    names["reject"] = reject.replace("$msg", names["msg"]).replace('"', q)

    # Style and structure.
    logging = rng.random() < 0.5
    msg = choice(("handling request", "lookup", "request received", "processing", "received value"))
    if logging:
        names["log_start"] = f'{names["logger"]}.info("{names["func"]} called")'
        names["log_debug"] = f'{names["logger"]}.debug("{msg}")'
        log_fmt = f'{names["logger"]}.info("{msg}: %s", {{}})'
        names["log_warn"] = f'{names["logger"]}.warning("unexpected {param}")'
    else:
        names["log_start"] = f'print("{names["func"]} called")'
        names["log_debug"] = f'print("{msg}")'
        log_fmt = f'print("{msg}:", {{}})'
        names["log_warn"] = f'print("unexpected {param}")'
    names["log_fmt"] = log_fmt.replace('"', q)
    names["log_value"] = log_fmt.format(var).replace('"', q)
    names["log_start"] = names["log_start"].replace('"', q)
    names["log_debug"] = names["log_debug"].replace('"', q)
    names["log_warn"] = names["log_warn"].replace('"', q)
    names["docstring"] = choice(DOCSTRINGS)

    surface = Surface(
        names=names,
        single_quotes=q == "'",
        hints=rng.random() < 0.5,
        import_style=rng.randrange(3),
        blank="\n\n\n" if rng.random() < 0.85 else "\n\n",
        docstring=choice(DOCSTRINGS) if rng.random() < 0.4 else "",
        logging=logging,
        const_scope=choice(("local", "local", "module", "config")),
        const_decoy=rng.random() < 0.3,
        reject_import=reject_import,
    )
    surface.const_early = rng.random() < 0.4
    surface.helper_after = rng.random() < 0.3
    surface.trailer = rng.random() < 0.5
    surface.handler_doc = choice(HANDLER_DOCS) if rng.random() < 0.2 else ""
    surface.step_comment = vocabulary.step_comment if rng.random() < 0.15 else ""
    surface.sink_helper = rng.random() < 0.25
    surface.sink_helper_after = rng.random() < 0.4

    # Benign module constants and handler decoys (each independently, so counts vary 0..n).
    wanted = {"SETTINGS": False, "ALLOWED2": False, "DFLAG": False, "OPTS_B": False}
    for text, slot, needs in DECOYS:
        if rng.random() < 0.2:
            if ("str" in needs and sink.value_kind != "str") or ("other" in needs and not request):
                continue
            if "other" in needs and request == "environ":
                surface.extra_imports.append("import os")
            if text == "$log_start" and not logging and rng.random() < 0.5:
                continue
            (surface.pre_decoys if slot == "pre" else surface.mid_decoys).append(text)
            for need in needs:
                if need in wanted:
                    wanted[need] = True
                elif need == "time":
                    surface.extra_imports.append("import time")
    # Unrelated functions: 0-3, before or after the handler.
    benign = []
    for text, imports in BENIGN_FUNCTIONS:
        if rng.random() < 0.18:
            benign.append(text)
            surface.extra_imports.extend(imports)
            if "$ALLOWED2" in text:
                wanted["ALLOWED2"] = True
            if "$OPTS_B" in text:
                wanted["OPTS_B"] = True
    routes = BENIGN_ROUTES.get(framework, ())
    for text in routes:
        if rng.random() < 0.25:
            benign.append(text)
            surface.extra_imports.extend(ROUTE_IMPORTS.get(framework, ()))
    rng.shuffle(benign)
    for text in benign:
        (surface.before if rng.random() < 0.5 else surface.after).append(text)
    if rng.random() < 0.15:
        wanted["ALLOWED2"] = True  # an allow-list constant nobody reads yet, as in real modules
    for text in BENIGN_CONSTANTS:
        name = text.split(" = ")[0].lstrip("$")
        if wanted.get(name) or (name not in wanted and rng.random() < 0.15):
            surface.constants.append(text)
    if rng.random() < 0.2:
        surface.comment = choice(COMMENTS)
    return surface
