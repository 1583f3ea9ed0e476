"""Render a Plan into one Java compilation unit: imports and one public class.

Layout of a sample (every optional piece is drawn from `random.Random(plan.seed)` before the
label is looked at, so twins share all of it):

    imports
    [class comment] [framework annotations] public class $cls [extends HttpServlet] {
        logger, fields from preludes (sink, fix, kill, guard, const), benign fields
        benign methods / handler / helper methods, in a drawn order
    }

The handler body is: decoys, source read, decoy checks, propagation, [kill], [const],
[guard `if (...) {`] sink [`}`] [fallback return], tail. Placeholders: every role in
`surface.ROLES` plus `$var $out $value $const $type $dflt $param $PARAM $header $cls $handler
$route $sub $verb $rtype $ok $throws $inject $entity $Entity $table $column $k1 $k2` and the
concatenation pieces `$affixed $fmt $sbchain $joinargs $concatexpr`.
"""

from __future__ import annotations

import random
import re
from string import Template

from vulntune.errors import VulntuneError
from vulntune.synth.java import benign, kills, surface
from vulntune.synth.java.sinks import RETURN_SHAPES
from vulntune.synth.plan import Plan, Rendered

_DROP = "\x00"  # a line holding only this marker is removed (an empty `$inject`)
_MARK = "@@"

_INJECT = {
    "servlet": ("@Resource", "javax.annotation.Resource"),
    "spring": ("@Autowired", "org.springframework.beans.factory.annotation.Autowired"),
    "jaxrs": ("@Inject", "javax.inject.Inject"),
}
_DEFAULT_RETURNS = {
    "spring": (
        ("String", '"ok"', ()),
        ("ResponseEntity<String>", 'ResponseEntity.ok("done")', ("org.springframework.http.ResponseEntity",)),
        ("ResponseEntity<Void>", "ResponseEntity.noContent().build()", ("org.springframework.http.ResponseEntity",)),
    ),
    "jaxrs": (
        ("Response", "Response.ok().build()", ("javax.ws.rs.core.Response",)),
        ("Response", "Response.noContent().build()", ("javax.ws.rs.core.Response",)),
        ("String", '"ok"', ()),
    ),
}
_PAIRS = (("input", "default"), ("user", "system"), ("primary", "secondary"), ("given", "fixed"), ("a", "b"))
_SUBS = ("/export", "/search", "/view", "/details", "/find", "/load", "/run", "/lookup", "/preview", "/sync")
_ROLE_NAMES = frozenset(n for pool in surface.ROLES.values() for n in pool)
_JAVA_WORDS = frozenset({"class", "default", "package", "import", "new", "final", "static", "public", "private"})
# Locals the `var` style may retype: the initializer's static type is exactly the declared one.
_VAR_TYPES = (
    "String", "StringBuilder", "File", "Path", "PrintWriter", "Statement", "PreparedStatement", "ResultSet",
    "Cipher", "MessageDigest", "ProcessBuilder", "Properties", "SecureRandom", "URL", "URI", "HttpRequest",
    "DocumentBuilderFactory", "DocumentBuilder", "XPath", "SAXParserFactory", "XMLInputFactory", "ObjectMapper",
    "SearchControls", "Cookie", "SecretKeySpec", "KeyGenerator",
)
_VAR_DECL = re.compile(r"^(\s*)(" + "|".join(_VAR_TYPES) + r") (\w+) = (?!null;)(?!\{)")
_DECL_LINE = re.compile(
    r"^(\s*)((?:public|private|protected|static|final|abstract|synchronized|void)\b[^=;]*?|(?:public\s+)?class\b[^=;]*?)\s*\{$"
)

_cache: dict[str, Template] = {}


def _sub(text: str, mapping: dict[str, str], where: str) -> str:
    if not text:
        return ""
    template = _cache.get(text)
    if template is None:
        template = _cache[text] = Template(text)
    try:
        return template.substitute(mapping)
    except (KeyError, ValueError) as exc:
        raise VulntuneError(f"java template {where}: bad placeholder {exc}") from None


def _indent(text: str, levels: int) -> list[str]:
    pad = "    " * levels
    out = []
    for line in text.split("\n"):
        if not line.strip():
            out.append("")
        else:
            out.append(pad + line)
    return out


def _affix_pieces(pre: str, post: str, var: str) -> dict[str, str]:
    parts = [f'"{pre}"'] if pre else []
    parts.append(var)
    if post:
        parts.append(f'"{post}"')
    if pre or post:
        affixed = " + ".join(parts)
    else:
        affixed = f"{var}.trim()"
    if pre:
        concat = f'"{pre}".concat({var})' + (f'.concat("{post}")' if post else "")
    elif post:
        concat = f'{var}.concat("{post}")'
    else:
        concat = f'"".concat({var})'
    return {
        "affixed": affixed,
        "fmt": f"{pre}%s{post}",
        "sbchain": "".join(f".append({p})" for p in parts),
        "joinargs": ", ".join(parts),
        "concatexpr": concat,
    }


def _split_members(block: str) -> tuple[list[str], list[str]]:
    """Split class-level code into (fields, other members) at blank lines."""
    fields, members = [], []
    for chunk in block.split("\n\n"):
        if not chunk.strip():
            continue
        first = next(line for line in chunk.split("\n") if line.strip() and not line.lstrip().startswith("@"))
        (fields if first.rstrip().endswith(";") else members).append(chunk)
    return fields, members


def render(plan: Plan) -> Rendered:
    """Render one sample; twins (same seed) differ only by the fix, kill, guard or value."""
    if plan.language != "java":
        raise VulntuneError(f"java renderer got a {plan.language} plan")
    rng = random.Random(plan.seed)
    source, prop, sink = plan.source, plan.propagation, plan.sink
    framework = source.framework
    vocab = surface.CWE_VOCAB[plan.cwe]
    safe = plan.label == "safe"
    kind = plan.pair_kind

    # ---- every random draw, in a fixed order, before the label matters
    names = surface.draw_names(rng)
    style = surface.draw_style(rng)
    entity = rng.choice(surface.ENTITIES)
    noun = rng.choice(surface.NOUNS)
    suffix = rng.choice(surface.CLASS_SUFFIXES[framework])
    handler = rng.choice(surface.HANDLER_NAMES)
    param = rng.choice(vocab.params)
    header_name = rng.choice(vocab.headers)
    column = rng.choice(surface.COLUMNS)
    literal = rng.choice(vocab.constants)
    pre, post = rng.choice(vocab.affixes) if vocab.affixes else ("", "")
    verb = rng.choice(("Get", "Post"))
    throws = rng.choice((" throws IOException", " throws IOException", " throws Exception"))
    sub = rng.choice(_SUBS)
    route_prefix = rng.choice(("/", "/api/", "/v1/"))
    k1, k2 = rng.choice(_PAIRS)
    default_return = rng.choice(_DEFAULT_RETURNS.get(framework, ((("void", "", ()),))))
    const_form = rng.random()
    byte_doc = rng.choice(surface.BYTE_DOCS.get(plan.cwe, ("<data/>",)))
    resource = rng.choice(surface.RESOURCES)
    benign_blocks = benign.draw(rng)
    decoy_head = rng.random()
    decoy_check = rng.random()
    decoy_mid = rng.random()
    maxlen = rng.choice(("64", "128", "256", "1024"))
    member_cut = rng.random()
    import_groups = rng.random() < 0.4
    comment = rng.choice(benign.CLASS_COMMENTS)
    extras = {
        "basedir": rng.choice(surface.BASE_DIRS),
        "cookiename": rng.choice(surface.COOKIE_NAMES),
        "secretpw": rng.choice(surface.PASSWORDS),
        "secretkey": rng.choice(surface.KEYS),
        "apitoken": rng.choice(surface.TOKENS),
    }

    var = param if param not in _ROLE_NAMES and param not in _JAVA_WORDS else param + "Value"
    cls = surface.camel(entity) + noun + suffix
    str_kind = sink.value_kind == "str"
    vtype = "String" if str_kind else "InputStream"
    dflt = f'"{literal}"' if str_kind else "InputStream.nullInputStream()"
    if sink.returns:
        rtype, fallback, rimports = RETURN_SHAPES[sink.id]
        ok = fallback
    else:
        rtype, ok, rimports = default_return
        fallback = ok
    inject, inject_import = _INJECT.get(framework, (_DROP, ""))

    m = dict(names)
    m.update(extras)
    m.update(
        var=var, param=param, PARAM="APP_" + surface.upper_snake(param), header=header_name, cls=cls,
        handler=handler, route=route_prefix + surface.plural(entity), sub=sub, verb=verb, rtype=rtype, ok=ok,
        throws=throws, inject=inject, entity=entity, Entity=surface.camel(entity), table=surface.plural(entity),
        column=column, k1=k1, k2=k2, type=vtype, dflt=dflt, maxlen=maxlen,
    )
    m.update(_affix_pieces(pre, post, var))

    imports: set[str] = set(source.imports) | set(prop.imports) | set(sink.imports) | set(rimports)
    field_blocks: list[str] = []
    member_blocks: list[str] = []
    const_lines = ""
    if kind == "untainted":
        const_lines = _const(m, str_kind, const_form, literal, byte_doc, resource, vocab.uuid_ok, field_blocks, imports)
    if not str_kind:
        imports.add("java.io.InputStream")
    m["value"] = m["const"] if safe and kind == "untainted" else m["out"]

    # ---- class-level code
    if style.slf4j:
        imports.update(("org.slf4j.Logger", "org.slf4j.LoggerFactory"))
        field_blocks.insert(0, f"private static final Logger {m['log']} = LoggerFactory.getLogger({cls}.class);")
    else:
        imports.add("java.util.logging.Logger")
        field_blocks.insert(0, f"private static final Logger {m['log']} = Logger.getLogger({cls}.class.getName());")
    preludes = [sink.prelude]
    if plan.fix is not None:
        # Both twins carry the fix's imports and helpers: only the call site tells them apart.
        imports.update(plan.fix.imports)
        preludes.append(plan.fix.prelude)
    if kind == "taint-killed" and plan.kill is not None:
        preludes.append(plan.kill.prelude)
        imports.update(kills.IMPORTS.get(plan.kill.id, ()))
    if kind == "unreached" and plan.guard is not None:
        preludes.append(plan.guard.prelude_unreached if safe else plan.guard.prelude_reached)
    for text in preludes:
        if text:
            fields, members = _split_members(_sub(text, m, f"{sink.id} prelude"))
            field_blocks += fields
            member_blocks += members
    if _DROP not in inject and any("$inject" in text for text in preludes):
        imports.add(inject_import)
    for block in benign_blocks:
        imports.update(block.imports)
        fields, members = _split_members(_sub(block.code, m, "benign"))
        field_blocks += fields
        member_blocks += members

    # ---- handler body
    body: list[str] = []
    if decoy_head < 0.3:
        body.append(f'{m["log"]}.info("{entity} request received");')
    elif decoy_head < 0.4:
        body.append(f"long {m['started']} = System.nanoTime();")
    body += _sub(source.read, m, source.id).split("\n") if source.read else []
    body += _decoy_check(decoy_check, str_kind, m, imports)
    body += _sub(prop.lines, m, prop.id).split("\n")
    if kind == "taint-killed" and plan.kill is not None:
        body += _sub(plan.kill.safe if safe else plan.kill.vulnerable, m, plan.kill.id).split("\n")
    if const_lines:
        body += const_lines.split("\n")
    if decoy_mid < 0.25:
        body.append(f'{m["log"]}.info("processing {entity}");')
    code = plan.fix.code if safe and kind == "fix" and plan.fix is not None else sink.vulnerable
    sink_text = _sub(code, m, sink.id)
    if kind == "unreached" and plan.guard is not None:
        condition = _sub(plan.guard.unreached if safe else plan.guard.reached, m, plan.guard.id)
        body.append(f"if ({condition}) {{")
        body += _indent(sink_text, 1)
        body.append("}")
        if sink.returns:
            body.append(f"return {fallback};")
    else:
        body += sink_text.split("\n")
    if not sink.returns and source.tail:
        body += _sub(source.tail, m, source.id).split("\n")
    if style.use_var:
        body = [_VAR_DECL.sub(r"\1var \3 = ", line) for line in body]

    handler_lines = _sub(source.header, m, source.id).split("\n")
    handler_lines[-1] += " {"
    handler_lines += ["    " + line if line.strip() else "" for line in body]
    handler_lines.append("}")
    handler_block = "\n".join(handler_lines)

    helpers = []
    if prop.helper:
        helper_fields, helper_members = _split_members(_sub(prop.helper, m, prop.id))
        field_blocks += helper_fields
        helpers += helper_members
    main = [_sub(source.prelude, m, source.id)] if source.prelude else []

    # ---- class assembly
    cut = int(member_cut * (len(member_blocks) + 1))
    methods_handler = handler_block
    methods = main + member_blocks[:cut] + [handler_block] + helpers + member_blocks[cut:]
    head: list[str] = []
    if style.class_comment:
        head.append("/**")
        head.append(" * " + comment.replace("$entity", entity) + ".")
        head.append(" */")
    head += _class_annotations(framework, m, imports)
    extends = " extends HttpServlet" if framework == "servlet" else ""
    if framework == "servlet":
        imports.add("javax.servlet.http.HttpServlet")
    head.append(f"public class {cls}{extends} {{")

    if "javax.ws.rs.Path" in imports and "java.nio.file.Path" in imports:
        # Two `Path`s: keep the file one imported and spell the JAX-RS annotation out.
        imports.discard("javax.ws.rs.Path")
        head = [line.replace("@Path(", "@javax.ws.rs.Path(") for line in head]
        handler_block = handler_block.replace("@Path(", "@javax.ws.rs.Path(")
        methods = [handler_block if block is methods_handler else block for block in methods]
    lines = _imports(imports, import_groups)
    lines.append("")
    lines += head
    for block in field_blocks:
        lines += _indent(block, 1)
    for block in methods:
        lines.append("")
        lines += _indent(block, 1)
    lines.append("}")
    return _finish(lines, style)


def _const(m, str_kind, form, literal, byte_doc, resource, uuid_ok, field_blocks, imports) -> str:
    """Declare `$const` (a server-side value); returns the handler lines, may add fields."""
    if str_kind:
        if form < 0.3:
            return f'String {m["const"]} = "{literal}";'
        if form < 0.55:
            m["const"] = m["CONST"]
            field_blocks.append(f'private static final String {m["CONST"]} = "{literal}";')
            return ""
        if form < 0.8 or not uuid_ok:
            imports.add("java.util.Map")
            field_blocks.append(
                f'private final Map<String, String> {m["settings"]} = Map.of("{m["mapKey"]}", "{literal}");'
            )
            return f'String {m["const"]} = {m["settings"]}.get("{m["mapKey"]}");'
        imports.add("java.util.UUID")
        return f"String {m['const']} = UUID.randomUUID().toString();"
    imports.update(("java.io.ByteArrayInputStream", "java.nio.charset.StandardCharsets"))
    doc = byte_doc.replace('"', '\\"')
    if form < 0.4:
        field_blocks.append(f'private static final byte[] {m["CONST"]} = "{doc}".getBytes(StandardCharsets.UTF_8);')
        return f"InputStream {m['const']} = new ByteArrayInputStream({m['CONST']});"
    if form < 0.7:
        return f'InputStream {m["const"]} = {m["cls"]}.class.getResourceAsStream("{resource}");'
    return f'InputStream {m["const"]} = new ByteArrayInputStream("{doc}".getBytes(StandardCharsets.UTF_8));'


def _decoy_check(draw: float, str_kind: bool, m: dict[str, str], imports: set[str]) -> list[str]:
    """A label-free check right after the read: looks like validation, kills nothing."""
    var = m["var"]
    if not str_kind:
        if draw < 0.4:
            imports.add("java.util.Objects")
            return [f'Objects.requireNonNull({var}, "{m["param"]}");']
        return []
    if draw < 0.2:
        return [f"if ({var} == null || {var}.isBlank()) {{",
                f'    throw new IllegalArgumentException("missing {m["param"]}");', "}"]
    if draw < 0.4:
        return [f"if ({var} != null && {var}.length() > {m['maxlen']}) {{",
                f'    throw new IllegalArgumentException("{m["param"]} too long");', "}"]
    if draw < 0.5:
        imports.add("java.util.Objects")
        return [f'Objects.requireNonNull({var}, "{m["param"]}");']
    return []


def _class_annotations(framework: str, m: dict[str, str], imports: set[str]) -> list[str]:
    if framework == "servlet":
        imports.add("javax.servlet.annotation.WebServlet")
        return [f'@WebServlet("{m["route"]}")']
    if framework == "spring":
        imports.update(("org.springframework.web.bind.annotation.RestController",
                        "org.springframework.web.bind.annotation.RequestMapping"))
        return ["@RestController", f'@RequestMapping("{m["route"]}")']
    if framework == "jaxrs":
        imports.add("javax.ws.rs.Path")
        return [f'@Path("{m["route"]}")']
    return []


def _imports(imports: set[str], grouped: bool) -> list[str]:
    names = sorted(i for i in imports if i)
    if not grouped:
        return [f"import {name};" for name in names]
    std = [n for n in names if n.startswith(("java.", "javax."))]
    other = [n for n in names if not n.startswith(("java.", "javax."))]
    lines = [f"import {name};" for name in other]
    if other and std:
        lines.append("")
    lines += [f"import {name};" for name in std]
    return lines


def _finish(lines: list[str], style: surface.Style) -> Rendered:
    out: list[str] = []
    sink_line = 0
    unit = style.indent
    for line in lines:
        if line.strip() == _DROP:
            continue
        marked = _MARK in line
        if marked:
            if sink_line:
                raise VulntuneError("java render: two sink markers")
            line = line.replace(_MARK, "", 1)
            sink_line = len(out) + 1
        stripped = line.lstrip(" ")
        spaces = len(line) - len(stripped)
        if spaces and unit != "    ":
            line = unit * (spaces // 4) + " " * (spaces % 4) + stripped
        match = _DECL_LINE.match(line) if style.allman else None
        if match:
            out.append(match.group(1) + match.group(2))
            out.append(match.group(1) + "{")
        else:
            out.append(line)
    if not sink_line:
        raise VulntuneError("java render: no sink marker")
    return Rendered(code="\n".join(out) + "\n", sink_line=sink_line)
