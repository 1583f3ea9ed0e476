"""Render a Plan into one Java compilation unit: imports and one public class.

Layout of a sample (every optional piece is drawn from `random.Random(plan.seed)` before the
label is looked at, so twins share all of it):

    imports
    [class comment] [framework annotations] public class $cls [extends HttpServlet] {
        logger, fields from preludes (sink, fix, kill, guard, const) and the sink's helper, benign fields
        benign methods / handler / helper methods, in a drawn order
    }

The handler body is: decoys, source read, decoy checks, propagation, [kill], [const],
[guard `if (...) {`] sink [`}`] [fallback return], tail.

Placeholders: every role in `surface.ROLES` (local, field and method names), plus
    $var $out $value $const $type $dflt     the data flow (`$type`: String or InputStream)
    $param $PARAM $header                   request parameter, env variable, header names
    $cls $handler $route $sub $verb         class, handler, routes, doGet/doPost
    $rtype $ok $throws $inject              handler return type and value, throws, injection
    $entity $Entity $table $column $k1 $k2 $maxlen   vocabulary
    $basedir $cookiename $secretpw $secretkey $apitoken   sink literals
    $affixed $fmt $sbchain $joinargs $concatexpr          concatenation pieces
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass
from string import Template

from vulntune.errors import VulntuneError
from vulntune.synth.java import benign, kills, surface
from vulntune.synth.java.sinks import RETURN_SHAPES
from vulntune.synth.plan import Plan, Rendered
from vulntune.synth.template import REGISTRY

_DROP = "\x00"  # a line holding only this marker is removed (an empty `$inject`)
_DROP_LINE = re.compile(r"^[ \t]*\x00\n", re.MULTILINE)
_MARK = "@@"
_END = "\x01"  # where the sink marker travels while the text is restyled
_LEADING = re.compile(r"^ +", re.MULTILINE)
_LINE_START = re.compile(r"^(?=[^\n])", re.MULTILINE)

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
    "String",
    "StringBuilder",
    "File",
    "Path",
    "PrintWriter",
    "Statement",
    "PreparedStatement",
    "ResultSet",
    "Cipher",
    "MessageDigest",
    "ProcessBuilder",
    "Properties",
    "SecureRandom",
    "URL",
    "URI",
    "HttpRequest",
    "DocumentBuilderFactory",
    "DocumentBuilder",
    "XPath",
    "SAXParserFactory",
    "XMLInputFactory",
    "ObjectMapper",
    "SearchControls",
    "Cookie",
    "SecretKeySpec",
    "KeyGenerator",
)
_VAR_DECL = re.compile(r"^([ \t]*)(" + "|".join(_VAR_TYPES) + r") (\w+) = (?!null;)(?!\{)", re.MULTILINE)
# A local declaration with an initializer (type, name): candidates for `final`.
_LOCAL_DECL = re.compile(
    r"^([ \t]*)((?:var|int|long|boolean|byte\[\]|[A-Z][\w.]*(?:<[^=;()\n]*>)?(?:\[\])?) )(\w+) = ", re.MULTILINE
)
# Class, method and constructor declarations: the lines the Allman style splits before `{`.
_DECL_LINE = re.compile(
    r"^([ \t]*)("
    r"(?:public|private|protected|static|final|abstract|void)\b[^=;\n]*?"  # modifiers first
    r"|(?!(?:else|return|new|throw)\b)[\w<>\[\], ?]+[ \t]+\w+\([^;=\n]*\)(?:[ \t]+throws[\w., \t]+)?"  # Type name(...)
    r"|[A-Z]\w*\([^;=\n]*\)"  # constructor
    r")[ \t]*\{$",
    re.MULTILINE,
)

_cache: dict[str, Template] = {}
_draws_cache: dict[tuple[int, str, str], _Draws] = {}


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


def _indent(text: str, levels: int = 1) -> str:
    """Indent every non-empty line of `text` by `levels` 4-space steps."""
    return _LINE_START.sub("    " * levels, text)


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


def _split_members(block: str, fields: list[str], members: list[str]) -> None:
    """Split class-level code at blank lines into fields (end with `;`) and other members."""
    for chunk in block.split("\n\n"):
        if not chunk.strip():
            continue
        first = next(line for line in chunk.split("\n") if line.strip() and not line.lstrip().startswith("@"))
        (fields if first.rstrip().endswith(";") else members).append(chunk)


@dataclass(frozen=True)
class _Draws:
    """Every surface choice of a sample, drawn before the label is looked at (twins share it)."""

    names: dict[str, str]
    style: surface.Style
    entity: str
    noun: str
    suffix: str
    handler: str
    param: str
    header: str
    column: str
    literal: str
    affix: tuple[str, str]
    verb: str
    throws: str
    sub: str
    route_prefix: str
    keys: tuple[str, str]
    default_return: tuple[str, str, tuple[str, ...]]
    const_form: float
    byte_doc: str
    resource: str
    benign: list[benign.Block]
    decoy_head: float
    decoy_check: float
    decoy_mid: float
    maxlen: str
    member_cut: float
    import_groups: bool
    comment: str
    extras: dict[str, str]


def _draw(rng: random.Random, plan: Plan) -> _Draws:
    # rng.random() + indexing is ~5x cheaper than rng.choice over the ~120 draws of a sample.
    rand = rng.random

    def pick(seq):
        return seq[int(rand() * len(seq))]

    vocab = REGISTRY.vocabulary("java", plan.cwe)
    framework = plan.source.framework
    return _Draws(
        names={role: pool[int(rand() * len(pool))] for role, pool in surface.ROLE_ITEMS},
        style=surface.draw_style(rng),
        entity=pick(surface.ENTITIES),
        noun=pick(surface.NOUNS),
        suffix=pick(surface.CLASS_SUFFIXES[framework]),
        handler=pick(surface.HANDLER_NAMES),
        param=pick(vocab.params),
        header=pick(vocab.headers),
        column=pick(surface.COLUMNS),
        literal=pick(vocab.constants_of(plan.sink)),
        affix=pick(vocab.affixes) if vocab.affixes else ("", ""),
        verb=pick(("Get", "Post")),
        throws=pick((" throws IOException", " throws IOException", " throws Exception")),
        sub=pick(_SUBS),
        route_prefix=pick(("/", "/api/", "/v1/")),
        keys=pick(_PAIRS),
        default_return=pick(_DEFAULT_RETURNS.get(framework, (("void", "", ()),))),
        const_form=rand(),
        byte_doc=pick(vocab.byte_constants),
        resource=pick(surface.RESOURCES),
        benign=benign.draw(rng),
        decoy_head=rand(),
        decoy_check=rand(),
        decoy_mid=rand(),
        maxlen=pick(("64", "128", "256", "1024")),
        member_cut=rand(),
        import_groups=rand() < 0.4,
        comment=pick(benign.CLASS_COMMENTS),
        extras={
            "basedir": pick(surface.BASE_DIRS),
            "cookiename": pick(surface.COOKIE_NAMES),
            "secretpw": pick(surface.PASSWORDS),
            "secretkey": pick(surface.KEYS),
            "apitoken": pick(surface.TOKENS),
        },
    )


def _mapping(plan: Plan, d: _Draws, var: str | None = None) -> dict[str, str]:
    """The placeholder values of one sample (`value` is set later, it depends on the label).

    `var`, when given, names the source variable (a real method's parameter).
    """
    sink = plan.sink
    param = d.param
    if var is None:
        var = param if param not in _ROLE_NAMES and param not in _JAVA_WORDS else param + "Value"
    str_kind = sink.value_kind == "str"
    if sink.returns:
        rtype, ok, _ = RETURN_SHAPES[sink.id]
    else:
        rtype, ok, _ = d.default_return
    m = dict(d.names)
    m.update(d.extras)
    m.update(
        var=var,
        param=param,
        PARAM="APP_" + surface.upper_snake(param),
        header=d.header,
        cls=surface.camel(d.entity) + d.noun + d.suffix,
        handler=d.handler,
        route=d.route_prefix + surface.plural(d.entity),
        sub=d.sub,
        verb=d.verb,
        rtype=rtype,
        ok=ok,
        throws=d.throws,
        inject=_INJECT.get(plan.source.framework, (_DROP, ""))[0],
        entity=d.entity,
        Entity=surface.camel(d.entity),
        table=surface.plural(d.entity),
        column=d.column,
        k1=d.keys[0],
        k2=d.keys[1],
        type="String" if str_kind else "InputStream",
        maxlen=d.maxlen,
        dflt=f'"{d.literal}"' if str_kind else "InputStream.nullInputStream()",
    )
    m.update(_affix_pieces(*d.affix, var))
    return m


@dataclass(kw_only=True)
class Composition:
    """The pieces of one sample before they are laid out as a class.

    `render` lays them out as the template's class; `vulntune.synth.context` splices `body` into
    a real method instead. Texts are substituted; the sink line holds the `@@` marker.

    Attributes:
        plan: what was composed.
        mapping: placeholder values.
        draws: the sample's surface choices.
        imports: every import the pieces may need (the class annotations' are added by `render`).
        fields, members: class members, benign ones included, in the template's order.
        helpers: the propagation helper's methods.
        own_fields, own_members: the members that are not benign (the logger first).
        body: the handler's statements as (role, text): roles "decoy", "read", "check", "prop",
            "kill", "const", "sink", "tail".
    """

    plan: Plan
    mapping: dict[str, str]
    draws: _Draws
    imports: set[str]
    fields: list[str]
    members: list[str]
    helpers: list[str]
    own_fields: list[str]
    own_members: list[str]
    body: list[tuple[str, str]]


def render(plan: Plan) -> Rendered:
    """Render one sample; twins (same seed) differ only by the fix, kill, guard or value."""
    return _layout(compose(plan))


def compose(plan: Plan, *, var: str | None = None, cls: str | None = None) -> Composition:
    """Every piece of one sample (`var`, `cls`: names a real method and class impose)."""
    if plan.language != "java":
        raise VulntuneError(f"java renderer got a {plan.language} plan")
    key = (plan.seed, plan.cwe, plan.source.framework)
    d = _draws_cache.get(key)
    if d is None:
        # Twins render one after the other from the same seed: draw once for both.
        if len(_draws_cache) > 64:
            _draws_cache.clear()
        d = _draws_cache[key] = _draw(random.Random(plan.seed), plan)
    m = _mapping(plan, d, var)
    if cls is not None:
        m["cls"] = cls
    source, prop, sink, fix, kill, guard = plan.source, plan.propagation, plan.sink, plan.fix, plan.kill, plan.guard
    framework = source.framework
    safe = plan.label == "safe"
    kind = plan.pair_kind
    str_kind = sink.value_kind == "str"
    cls = m["cls"]
    fallback = m["ok"]
    return_imports = RETURN_SHAPES[sink.id][2] if sink.returns else d.default_return[2]

    imports: set[str] = set(source.imports) | set(prop.imports) | set(sink.imports) | set(return_imports)
    fields: list[str] = []
    members: list[str] = []
    log = m["log"]
    if d.style.slf4j:
        imports.update(("org.slf4j.Logger", "org.slf4j.LoggerFactory"))
        fields.append(f"private static final Logger {log} = LoggerFactory.getLogger({cls}.class);")
    else:
        imports.add("java.util.logging.Logger")
        fields.append(f"private static final Logger {log} = Logger.getLogger({cls}.class.getName());")
    const_line = None
    if kind == "untainted":
        const_line = _const(m, str_kind, d, fields, imports, REGISTRY.vocabulary("java", plan.cwe).uuid_ok)
    if not str_kind:
        imports.add("java.io.InputStream")
    m["value"] = m["const"] if safe and kind == "untainted" else m["out"]

    # ---- class-level code
    preludes = [sink.prelude]
    if fix is not None:
        # Both twins carry the fix's imports and helpers: only the call site tells them apart.
        imports.update(fix.imports)
        preludes.append(fix.prelude)
    if kind == "taint-killed" and kill is not None:
        preludes.append(kill.prelude)
        imports.update(kills.IMPORTS.get(kill.id, ()))
    if kind == "unreached" and guard is not None:
        preludes.append(guard.prelude_unreached if safe else guard.prelude_reached)
    for text in preludes:
        if text:
            _split_members(_sub(text, m, f"{sink.id} prelude"), fields, members)
    # The sink's helper belongs to its twin: a fix's own helper replaces it in the safe sample.
    helper = fix.helper if safe and kind == "fix" and fix is not None and fix.helper else sink.helper
    if helper:
        _split_members(_sub(helper, m, f"{sink.id} helper"), fields, members)
    if framework in _INJECT and any("$inject" in text for text in [*preludes, helper]):
        imports.add(_INJECT[framework][1])
    own_fields, own_members = list(fields), list(members)
    for block in d.benign:
        imports.update(block.imports)
        _split_members(_sub(block.code, m, "benign"), fields, members)

    # ---- handler body
    body: list[tuple[str, str]] = []
    if d.decoy_head < 0.3:
        body.append(("decoy", f'{log}.info("{d.entity} request received");'))
    elif d.decoy_head < 0.4:
        body.append(("decoy", f"long {m['started']} = System.nanoTime();"))
    if source.read:
        body.append(("read", _sub(source.read, m, source.id)))
    body += [("check", line) for line in _decoy_check(d.decoy_check, str_kind, m, imports)]
    body.append(("prop", _sub(prop.lines, m, prop.id)))
    if kind == "taint-killed" and kill is not None:
        body.append(("kill", _sub(kill.safe if safe else kill.vulnerable, m, kill.id)))
    if const_line:
        body.append(("const", const_line))
    if d.decoy_mid < 0.25:
        body.append(("decoy", f'{log}.info("processing {d.entity}");'))
    code = fix.code if safe and kind == "fix" and fix is not None else sink.vulnerable
    sink_text = _sub(code, m, sink.id)
    if kind == "unreached" and guard is not None:
        condition = _sub(guard.unreached if safe else guard.reached, m, guard.id)
        body.append(("sink", f"if ({condition}) {{\n{_indent(sink_text)}\n}}"))
        if sink.returns:
            body.append(("sink", f"return {fallback};"))
    else:
        body.append(("sink", sink_text))
    if not sink.returns and source.tail:
        body.append(("tail", _sub(source.tail, m, source.id)))

    helpers: list[str] = []
    if prop.helper:
        count = len(fields)
        _split_members(_sub(prop.helper, m, prop.id), fields, helpers)
        own_fields += fields[count:]
    return Composition(
        plan=plan,
        mapping=m,
        draws=d,
        imports=imports,
        fields=fields,
        members=members,
        helpers=helpers,
        own_fields=own_fields,
        own_members=own_members,
        body=body,
    )


def style_body(text: str, style: surface.Style) -> str:
    """The house style of handler bodies: `var` declarations, `final` locals (as drawn)."""
    if style.use_var:
        text = _VAR_DECL.sub(r"\1var \3 = ", text)
    if style.final_locals:
        text = _finalize(text)
    return text


def _layout(comp: Composition) -> Rendered:
    """The template's compilation unit: imports and one public class around the handler."""
    plan, m, d, imports, fields, members = comp.plan, comp.mapping, comp.draws, comp.imports, comp.fields, comp.members
    source, framework, cls = plan.source, plan.source.framework, comp.mapping["cls"]
    body_text = "\n".join(text for _, text in comp.body)
    body_text = style_body(body_text, d.style)
    if framework == "jaxrs" and "java.nio.file.Path" in imports:
        # Two `Path`s: keep the file one imported and spell the JAX-RS annotation out.
        imports.discard("javax.ws.rs.Path")
        jaxrs_path = "@javax.ws.rs.Path("
    else:
        jaxrs_path = "@Path("
    header = _sub(source.header, m, source.id).replace("@Path(", jaxrs_path)
    handler = header + " {\n" + _indent(body_text) + "\n}"

    # ---- class assembly
    main = [_sub(source.prelude, m, source.id)] if source.prelude else []
    cut = int(d.member_cut * (len(members) + 1))
    methods = main + members[:cut] + [handler] + comp.helpers + members[cut:]
    head: list[str] = []
    if d.style.class_comment:
        comment = d.comment.replace("$entity", d.entity)
        head += ["/**", " * " + comment[:1].upper() + comment[1:] + ".", " */"]
    head += [line.replace("@Path(", jaxrs_path) for line in _class_annotations(framework, m, imports)]
    if framework == "servlet":
        imports.add("javax.servlet.http.HttpServlet")
        head.append(f"public class {cls} extends HttpServlet {{")
    else:
        head.append(f"public class {cls} {{")
    if jaxrs_path != "@Path(":
        imports.discard("javax.ws.rs.Path")

    parts = _imports(imports, d.import_groups)
    parts.append("")
    parts += head
    parts += [_indent(block) for block in fields]
    for block in methods:
        parts.append("")
        parts.append(_indent(block))
    parts.append("}\n")
    return _finish("\n".join(parts), d.style)


def _finalize(body: str) -> str:
    """Mark the locals that are assigned once `final` (the final-locals house style)."""

    def mark(match: re.Match) -> str:
        writes = re.findall(rf"\b{match.group(3)}\s*(?:[-+*/]?=(?!=)|\+\+|--)", body)
        return (
            match.group(1) + "final " + match.group(2) + match.group(3) + " = " if len(writes) == 1 else match.group(0)
        )

    return _LOCAL_DECL.sub(mark, body)


def _const(
    m: dict[str, str], str_kind: bool, d: _Draws, fields: list[str], imports: set[str], uuid_ok: bool
) -> str | None:
    """Declare `$const`, a server-side value, in both twins.

    Returns the handler line declaring it, or None when it is a static field (added to `fields`).
    """
    form, literal = d.const_form, d.literal
    if str_kind:
        if form < 0.3:
            return f'String {m["const"]} = "{literal}";'
        if form < 0.55:
            m["const"] = m["CONST"]
            fields.append(f'private static final String {m["CONST"]} = "{literal}";')
            return None
        if form < 0.8 or not uuid_ok:
            imports.add("java.util.Map")
            fields.append(f'private final Map<String, String> {m["settings"]} = Map.of("{m["mapKey"]}", "{literal}");')
            return f'String {m["const"]} = {m["settings"]}.get("{m["mapKey"]}");'
        imports.add("java.util.UUID")
        return f"String {m['const']} = UUID.randomUUID().toString();"
    imports.update(("java.io.ByteArrayInputStream", "java.nio.charset.StandardCharsets"))
    doc = d.byte_doc.replace('"', '\\"')
    if form < 0.4:
        fields.append(f'private static final byte[] {m["CONST"]} = "{doc}".getBytes(StandardCharsets.UTF_8);')
        return f"InputStream {m['const']} = new ByteArrayInputStream({m['CONST']});"
    if form < 0.7:
        return f'InputStream {m["const"]} = {m["cls"]}.class.getResourceAsStream("{d.resource}");'
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
        return [
            f"if ({var} == null || {var}.isBlank()) {{",
            f'    throw new IllegalArgumentException("missing {m["param"]}");',
            "}",
        ]
    if draw < 0.4:
        return [
            f"if ({var} != null && {var}.length() > {m['maxlen']}) {{",
            f'    throw new IllegalArgumentException("{m["param"]} too long");',
            "}",
        ]
    if draw < 0.5:
        imports.add("java.util.Objects")
        return [f'Objects.requireNonNull({var}, "{m["param"]}");']
    return []


def _class_annotations(framework: str, m: dict[str, str], imports: set[str]) -> list[str]:
    if framework == "servlet":
        imports.add("javax.servlet.annotation.WebServlet")
        return [f'@WebServlet("{m["route"]}")']
    if framework == "spring":
        imports.update(
            (
                "org.springframework.web.bind.annotation.RestController",
                "org.springframework.web.bind.annotation.RequestMapping",
            )
        )
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


def _finish(text: str, style: surface.Style) -> Rendered:
    """Drop empty `$inject` lines, apply indent and brace style, and locate the sink line."""
    at = text.find(_MARK)
    if at < 0 or text.find(_MARK, at + 1) >= 0:
        raise VulntuneError("java render: the sink code must hold exactly one sink marker")
    # Move the marker to the end of its line, where re-indenting and brace moves leave it alone.
    end = text.find("\n", at)
    text = text[:at] + text[at + len(_MARK) : end] + _END + text[end:]
    if _DROP in text:
        text = _DROP_LINE.sub("", text)
    if style.indent != "    ":
        table = _reindent_table(style.indent)
        text = _LEADING.sub(lambda match: table[len(match.group(0))], text)
    if style.allman:
        text = _DECL_LINE.sub(r"\1\2\n\1{", text)
    at = text.find(_END)
    return Rendered(code=text.replace(_END, ""), sink_line=text.count("\n", 0, at) + 1)


@functools.cache
def _reindent_table(unit: str) -> dict[int, str]:
    return {n: unit * (n // 4) + " " * (n % 4) for n in range(1, 200)}
