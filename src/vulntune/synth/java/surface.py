"""Label-free surface of a Java sample: identifier pools, styles, and the record of a CWE's
vocabulary (`JavaCweVocabulary`; each CWE's sink module defines its own).

Every pool is shared by vulnerable and safe samples; `draw` consumes the random stream in an
order that never depends on the label, so twins (same seed) get the same names and style.
Role pools are disjoint, so two roles never bind the same name in one sample (the tests
check it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import ClassVar

from vulntune.synth.template import CweVocabulary

# ----------------------------------------------------------------------------- entities
ENTITIES = (
    "invoice",
    "order",
    "customer",
    "account",
    "shipment",
    "ticket",
    "report",
    "product",
    "booking",
    "subscription",
    "employee",
    "payment",
    "project",
    "device",
    "tenant",
    "vendor",
    "claim",
    "course",
    "patient",
    "warehouse",
    "contract",
    "member",
    "listing",
    "campaign",
)
COLUMNS = ("name", "email", "status", "reference", "owner", "title", "code", "region", "username", "category", "label")
NOUNS = (
    "Export",
    "Lookup",
    "Search",
    "Sync",
    "Admin",
    "Report",
    "Archive",
    "Import",
    "Profile",
    "Audit",
    "Billing",
    "Detail",
    "Query",
    "Settings",
    "Download",
    "Notification",
    "Review",
    "Summary",
)
CLASS_SUFFIXES = {
    "servlet": ("Servlet", "Servlet", "Handler"),
    "spring": ("Controller", "Controller", "Api", "Endpoint"),
    "jaxrs": ("Resource", "Resource", "Endpoint", "Api"),
    "cli": ("Tool", "Command", "Cli", "Job", "Runner"),
    "stdlib": ("Importer", "Worker", "Processor", "Service", "Listener", "Loader"),
}
HANDLER_NAMES = (
    "handle",
    "process",
    "lookup",
    "export",
    "find",
    "load",
    "show",
    "fetch",
    "apply",
    "update",
    "submit",
    "view",
    "search",
    "resolve",
    "render",
    "sync",
)

# ----------------------------------------------------------------------------- role pools
# Names a template binds, one pool per role. Disjoint across roles (tested).
ROLES: dict[str, tuple[str, ...]] = {
    "out": (
        "selected",
        "lookup",
        "criteria",
        "candidate",
        "requested",
        "current",
        "subject",
        "chosen",
        "effective",
        "incoming",
    ),
    "tmp": ("parts", "buffer", "holder", "bucket", "slots", "staging", "acc", "pending", "queue"),
    "func": ("prepare", "extract", "readInput", "unwrap", "pick", "coalesce", "toKey", "clean", "firstOf", "asValue"),
    "Holder": ("Holder", "Box", "Carrier", "Envelope", "Wrapper", "Slot", "Ref", "Input"),
    "item": ("item", "element", "part", "piece", "each"),
    "ch": ("ch", "symbol", "letter"),
    "const": ("fallback", "preset", "configured", "standard", "fixedValue", "serverValue", "builtin"),
    "CONST": ("DEFAULT_VALUE", "PRESET", "FALLBACK_VALUE", "CONFIGURED", "STANDARD_VALUE", "BUILTIN"),
    "settings": ("settings", "config", "defaults", "appConfig", "options"),
    "flag": (
        "FEATURE_ENABLED",
        "LEGACY_MODE",
        "AUDIT_ENABLED",
        "USE_CACHE",
        "STRICT_MODE",
        "BETA_ENABLED",
        "EXPORT_ENABLED",
    ),
    "limit": ("MAX_ITEMS", "PAGE_SIZE", "MAX_RETRIES", "BATCH_SIZE", "MAX_LENGTH", "QUEUE_DEPTH"),
    "mode": ("MODE", "PROFILE", "STAGE", "ENVIRONMENT"),
    "log": ("LOG", "LOGGER", "log", "logger"),
    "e": ("e", "ex", "exc", "err"),
    "conn": ("conn", "connection", "db", "con"),
    "stmt": ("stmt", "statement", "st", "ps"),
    "rs": ("rs", "rows", "resultSet", "cursor"),
    "res": ("result", "found", "matches", "records", "hits"),
    "ds": ("dataSource", "ds", "pool"),
    "jdbc": ("jdbcTemplate", "jdbc", "template"),
    "proc": ("process", "proc", "child"),
    "cmd": ("command", "cmd", "argv", "cmdline"),
    "path": ("resolved", "location", "filePath", "fullPath"),
    "root": ("root", "baseDir", "basePath", "rootDir"),
    "base": ("BASE_DIR", "UPLOAD_ROOT", "STORAGE_DIR", "DATA_DIR", "DOCUMENT_ROOT"),
    "w": ("out", "writer", "pw"),
    "ctx": ("ctx", "dirContext", "directory", "ldap"),
    "sc": ("controls", "searchControls", "sc"),
    "env": ("env", "environment", "ldapEnv"),
    "xp": ("xpath", "xp", "evaluator"),
    "doc": ("doc", "document", "dom"),
    "factory": ("factory", "dbf", "builderFactory", "xmlFactory"),
    "parser": ("builder", "parser", "xmlParser"),
    "obj": ("obj", "loaded", "decoded", "restored"),
    "stream": ("ois", "objectIn", "oin"),
    "mapper": ("mapper", "objectMapper", "json"),
    "url": ("url", "remote", "remoteUrl"),
    "uri": ("uri", "dest", "link"),
    "http": ("httpClient", "client", "http"),
    "rest": ("restTemplate", "rest", "restClient"),
    "req": ("httpRequest", "req", "outbound"),
    "resp": ("httpResponse", "resp", "reply"),
    "body": ("body", "content", "text", "html", "page"),
    "session": ("session", "httpSession", "userSession"),
    "attrs": ("attrs", "attributes", "scope"),
    "cipher": ("cipher", "enc", "crypto"),
    "secret": ("secretKey", "secret", "cryptoKey"),
    "iv": ("iv", "nonce", "ivBytes"),
    "spec": ("spec", "paramSpec", "ivSpec"),
    "enc": ("encrypted", "sealed", "ciphertext"),
    "md": ("md", "digester", "hasher"),
    "hash": ("hash", "hashed", "fingerprint", "digestHex"),
    "salt": ("salt", "saltBytes", "pepper"),
    "rnd": ("random", "rng", "generator"),
    "token": ("token", "otp", "resetCode", "verifier"),
    "store": ("tokens", "issued", "cache", "codes"),
    "cookie": ("cookie", "sessionCookie", "authCookie"),
    "ck": ("c", "ck", "jar"),
    "rd": ("reader", "in", "br"),
    "sock": ("socket", "sock", "peer"),
    "src": ("inputFile", "sourceFile", "dataFile"),
    "props": ("props", "properties", "cfg"),
    "fin": ("fis", "fileIn", "istream"),
    "raw": ("raw", "bytes", "payloadBytes"),
    "aux": ("bindings", "vars", "lookupVars"),
    "data": ("data", "contents", "buf"),
    "num": ("number", "numeric", "asInt", "parsedId"),
    "allowed": ("ALLOWED", "PERMITTED", "KNOWN_VALUES", "WHITELISTED"),
    "pattern": ("SAFE_PATTERN", "VALID_NAME", "NAME_PATTERN", "ID_FORMAT"),
    "escape": ("escapeHtml", "htmlEncode", "encodeHtml", "escapeMarkup"),
    "ldapEscape": ("escapeFilter", "encodeFilter", "filterEscape"),
    "hosts": ("ALLOWED_HOSTS", "TRUSTED_HOSTS", "KNOWN_HOSTS"),
    "pw": ("password", "dbPassword", "passwd"),
    "user": ("dbUser", "principal", "userName"),
    "dburl": ("DB_URL", "JDBC_URL", "DATABASE_URL"),
    "sb": ("sb", "builder2", "joined"),
    "list": ("list", "values", "entries"),
    "map": ("map", "byName", "table"),
    "arr": ("arr", "array", "pair"),
    "n": ("n", "count", "total"),
    "started": ("started", "startNanos", "t0"),
    "mapKey": ("key", "field", "slot"),
    "i": ("i", "idx", "k"),
    "klist": ("choices", "picks", "shortlist"),
    "kmap": ("lookupMap", "byKey", "slotsMap"),
    "karr": ("pairArr", "twoValues", "either"),
    "kbuf": ("scratch", "sbuf", "assembled"),
    "kflag": ("USE_DEFAULTS", "FORCE_DEFAULT", "PINNED"),
    "sql": ("sql", "queryText", "statementText"),
    "pb": ("pb", "launcher", "procBuilder"),
    "fout": ("fos", "fileOut", "ostream"),
    "lines": ("lineReader", "fileReader", "textIn"),
    "decoder": ("decoder", "xmlDecoder", "dec"),
    "yaml": ("yaml", "yamlParser", "yamlLoader"),
    "hc": ("urlConn", "httpConn", "hc"),
    "xmlfile": ("USERS_FILE", "DIRECTORY_XML", "ACCOUNTS_XML"),
    "tls": ("tls", "sslContext", "sslCtx"),
    "ldapt": ("ldapTemplate", "directoryTemplate", "ldapOps"),
    "vals": ("paramValues", "given", "submitted"),
    "pmap": ("params", "form", "queryParams"),
    "em": ("entityManager", "em", "persistence"),
    "q": ("typedQuery", "jpaQuery", "dbQuery"),
    "qstr": ("queryString", "rawQuery", "qs"),
    "pair": ("pairText", "kvPair", "assignment"),
    "kv": ("kv", "keyValue", "halves"),
    "hnames": ("headerNames", "names", "hdrNames"),
    "hname": ("headerName", "hdr", "hn"),
    "feed": ("feedUrl", "upstream", "sourceUrl"),
    "fconn": ("feedConn", "upstreamConn", "sourceConn"),
    "frd": ("feedReader", "lineIn", "upstreamReader"),
    "srcconn": ("profileDb", "metaConn", "lookupConn"),
    "srcst": ("profileStmt", "lookupStmt", "metaStmt"),
    "srcrs": ("profileRows", "lookupRows", "metaRows"),
    "srcex": ("sqlEx", "dbEx", "lookupEx"),
    "stash": ("stashedValue", "lastInput", "carried"),
    "remember": ("keepValue", "stashValue", "holdValue"),
    "recall": ("recall", "recallValue", "takeStashed"),
    # sinks' helpers and the configuration they read
    "xpfn": ("findEmail", "lookupNode", "queryDirectory"),
    "xname": ("name", "nameArg", "who"),
    "xlit": ("xpathLiteral", "quoteLiteral", "asXPathString"),
    "expr": ("expr", "expression", "xpathExpr"),
    "xsb": ("exprBuilder", "selector", "xq"),
    "compiled": ("compiled", "xpathExpression", "prepared"),
    "secretfn": ("loadPassword", "readSecret", "credential"),
    "keyfn": ("keyBytes", "loadKey", "dataKey"),
    "ks": ("keyStore", "ks", "p12"),
    "tokenfield": ("apiToken", "bearerToken", "serviceToken"),
    "springenv": ("springEnv", "appEnvironment", "runtimeEnv"),
    "transform": ("TRANSFORMATION", "CIPHER_ALGORITHM", "ALGORITHM"),
    "keyalg": ("KEY_ALGORITHM", "KEY_ALG", "KEY_TYPE"),
    "transformfn": ("transformation", "cipherAlgorithm", "algorithmName"),
    "alg": ("alg", "algorithm", "cipherName"),
    "secureflag": ("secure", "secureFlag", "useSecure"),
    "configure": ("configureCookie", "harden", "applyDefaults"),
}

ROLE_ITEMS = tuple(ROLES.items())


# ----------------------------------------------------------------------------- per CWE
@dataclass(kw_only=True, frozen=True)
class JavaCweVocabulary(CweVocabulary):
    """One CWE's Java vocabulary: what the tainted value means (the shared fields: `CweVocabulary`).

    Attributes:
        params: request parameter names; the source variable is named after the parameter.
        constants: server-side literals a safe twin may feed the sink (and kills fall back to).
        affixes: (prefix, suffix) string pieces the concatenation propagations add; empty: none.
        headers: HTTP header names that plausibly carry this value.
        uuid_ok: an untainted twin may feed the sink a random UUID instead of a constant (not
            where the value must look like a URL).
        byte_constants: constant documents a safe twin may feed a bytes sink (CWE-502/611).
    """

    language: ClassVar[str] = "java"
    required: ClassVar[tuple[str, ...]] = ("params", "constants", "headers")

    headers: tuple[str, ...] = ()
    uuid_ok: bool = True
    byte_constants: tuple[str, ...] = ("<data/>",)


BASE_DIRS = ("/var/app/uploads", "/srv/files", "/opt/app/data", "/var/lib/app/reports", "/data/exports")
COOKIE_NAMES = ("SESSION", "JSESSIONID", "remember_me", "auth_token", "sid")
# Fake but realistic-looking secrets for CWE-798 samples.
PASSWORDS = ("Sup3rS3cret!", "changeme123", "P@ssw0rd2024", "admin123", "hunter2", "Tr0ub4dor&3", "Winter2023!")
KEYS = ("0123456789abcdef", "k3yF0rAppS3cr3t!", "MySecretKey12345", "a1b2c3d4e5f6g7h8")
TOKENS = (
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    "xoxb-2048-7781-Tq8ZkLmN3pRsVw",
    "AKIAIOSFODNN7EXAMPLE",
)
RESOURCES = ("/defaults/settings.xml", "/templates/empty.xml", "/seed/default.bin")

INDENTS = ("    ", "    ", "    ", "  ", "  ", "\t")


def camel(name: str) -> str:
    return name[:1].upper() + name[1:]


def upper_snake(name: str) -> str:
    out = []
    for ch in name:
        if ch.isupper():
            out.append("_")
        out.append(ch.upper())
    return "".join(out)


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


@dataclass
class Style:
    """Formatting choices (identical for twins)."""

    indent: str
    allman: bool
    use_var: bool
    final_locals: bool
    slf4j: bool
    sorted_imports: bool
    blank_after_fields: int
    class_comment: bool
    member_gap: int


def draw_style(rng: random.Random) -> Style:
    return Style(
        indent=rng.choice(INDENTS),
        allman=rng.random() < 0.15,
        use_var=rng.random() < 0.3,
        final_locals=rng.random() < 0.2,
        slf4j=rng.random() < 0.5,
        sorted_imports=rng.random() < 0.6,
        blank_after_fields=1,
        class_comment=rng.random() < 0.3,
        member_gap=1,
    )


def draw_names(rng: random.Random) -> dict[str, str]:
    """One name per role, in a fixed role order."""
    return {role: rng.choice(pool) for role, pool in ROLES.items()}
