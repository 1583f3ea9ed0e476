"""Real Java methods as hosts of template code (`vulntune synth --context realcode`).

`functions(path, text)` finds the methods of a file's top-level classes that can host a
template's handler body, each with what it refers to in its file (package, imports, the fields
it uses) and the statement boundaries where code may go. `place(host, pieces, point, rng)`
writes one compilation unit: the package, the host's imports and the template's, and the host's
class header around the template's fields, the host's fields, the host method with the template
statements spliced in, and the template's helper methods. The method keeps its statements, its
name, parameters and return type; its `throws` clause gains `IOException` when it covers
neither that nor `Exception`, as the template handler's did.

Real methods call APIs the shipped stubs lack, so javac fails on most samples with a missing
package or symbol: those are only parse-checked, and counted (`vulntune.synth.context`).
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass

import tree_sitter

from vulntune.parsing import parse, walk
from vulntune.synth.context import mark
from vulntune.synth.java.render import _DROP, _DROP_LINE, _indent, compose, style_body
from vulntune.synth.plan import Plan
from vulntune.synth.template import Source

SUFFIX = ".java"
MAX_LINES = 80  # longer methods are left out (a host stays readable whole)
MIN_BODY_LINES = 3  # a host must bring statements of its own
KEPT_ROLES = ("read", "prop", "kill", "const", "sink")  # decoys, checks and the tail are the template's own
_TERMINAL = {"return_statement", "throw_statement", "break_statement", "continue_statement", "yield_statement"}
_BLOCK_OWNERS = {
    "if_statement": "consequence",
    "for_statement": "body",
    "enhanced_for_statement": "body",
    "while_statement": "body",
    "try_statement": "body",
    "try_with_resources_statement": "body",
}
_COMMENTS = {"line_comment", "block_comment"}
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_GENERATED = re.compile(r"do not edit|this file was generated|@Generated|auto-?generated", re.IGNORECASE)
# Parameter annotations that make a Spring or JAX-RS parameter a request value.
_WEB_PARAMS = {
    "spring": re.compile(r"@(RequestParam|PathVariable|RequestHeader|CookieValue|RequestBody)\b"),
    "jaxrs": re.compile(r"@(QueryParam|PathParam|HeaderParam|FormParam|CookieParam)\b"),
}
_FREE = {"request": "HttpServletRequest", "response": "HttpServletResponse"}
_CLS = "HostClassName"  # stands for the host's class in the template's pieces until `place`
_CLASS_LINE = re.compile(r"^[ \t]*(?:public\s+)?(?:(?:final|abstract|static|sealed)\s+)*class\s", re.MULTILINE)
_COVERS_IO = ("IOException", "java.io.IOException", "Exception", "java.lang.Exception", "Throwable")


@dataclass(frozen=True, kw_only=True)
class Point:
    """Before `line` (0-based, in the host's text) at `column`; see the Python `Point`."""

    line: int
    column: int
    top: bool
    last: bool


@dataclass(frozen=True, kw_only=True)
class Param:
    type: str
    name: str
    annotations: str


@dataclass(frozen=True, kw_only=True)
class Host:
    """One real method and the code of its file it refers to.

    Attributes:
        path, line, name: the file (in its repository), the 1-based first line, `Class.method`.
        text: the method's lines as in the file (its comment above included).
        package: the file's package line, or "".
        imports: the file's import lines the kept code uses (every `*` import), in file order.
        owner: the class header up to and including `{`; `owner_name` its name.
        fields: the class's field declarations the method uses, as in the file.
        params, return_type, throws: the signature.
        static: a static method.
        throws_line, throws_column: where `throws IOException` goes when it must be added
            (0-based line in `text`, column after the parameter list or the last thrown type).
        names: every identifier of the kept code; bound: the names it declares.
        imported: simple name -> import line.
    """

    path: str
    line: int
    name: str
    text: str
    package: str
    imports: tuple[str, ...]
    owner: str
    owner_name: str
    fields: tuple[str, ...]
    params: tuple[Param, ...]
    return_type: str
    throws: tuple[str, ...]
    static: bool
    throws_line: int
    throws_column: int
    points: tuple[Point, ...]
    names: frozenset[str]
    bound: frozenset[str]
    imported: dict[str, str]
    body_lines: int

    @property
    def lines(self) -> int:
        return self.text.count("\n") + 1

    @property
    def whole(self) -> str:
        """Every line of the file that a sample keeps."""
        return "\n".join([self.package, *self.imports, self.owner, *self.fields, self.text])


def functions(path: str, text: str) -> list[Host]:
    """The methods of one file that can host template code."""
    if "\t" in text or _GENERATED.search(text[:3000]):
        return []
    tree = parse(text, "java")
    if tree.root_node.has_error:
        return []
    data = text.encode("utf-8")
    lines = text.split("\n")
    root = tree.root_node
    package = ""
    imports: list[tuple[str, str]] = []  # (line, simple name or "*")
    for child in root.children:
        if child.type == "package_declaration":
            package = _text(child)
        elif child.type == "import_declaration":
            line = _text(child)
            simple = "*" if line.rstrip(";").rstrip().endswith("*") else line.rstrip(";").rsplit(".", 1)[-1].strip()
            imports.append((line, simple))
    hosts = []
    for cls in root.children:
        if cls.type != "class_declaration":
            continue
        body = cls.child_by_field_name("body")
        name_node = cls.child_by_field_name("name")
        if body is None or name_node is None:
            continue
        header = data[_line_start(data, cls.start_byte) : body.start_byte].decode("utf-8").rstrip() + " {"
        if not _CLASS_LINE.search(header):
            continue  # modifiers in an order javac's file check does not expect ("abstract public class")
        fields = [(m, _declared_in(m)) for m in body.named_children if m.type == "field_declaration"]
        members = body.named_children
        for index, member in enumerate(members):
            if member.type != "method_declaration":
                continue
            comment = members[index - 1] if index and members[index - 1].type in _COMMENTS else None
            host = _host(path, data, lines, member, comment, cls, _text(name_node), header, fields, package, imports)
            if host is not None:
                hosts.append(host)
    return hosts


def _text(node: tree_sitter.Node) -> str:
    return node.text.decode("utf-8")


def _line_start(data: bytes, offset: int) -> int:
    return data.rfind(b"\n", 0, offset) + 1


def _declared_in(node: tree_sitter.Node) -> set[str]:
    """Names a subtree declares (locals, parameters, fields, methods, classes)."""
    names = set()
    for n in walk(node):
        if n.type in (
            "variable_declarator",
            "formal_parameter",
            "spread_parameter",
            "catch_formal_parameter",
            "enhanced_for_statement",
            "resource",
            "method_declaration",
            "class_declaration",
            "interface_declaration",
            "enum_declaration",
            "record_declaration",
        ):
            name = n.child_by_field_name("name")
            if name is None and n.type == "spread_parameter":
                name = next(
                    (c.child_by_field_name("name") for c in n.children if c.type == "variable_declarator"), None
                )
            if name is not None:
                names.add(_text(name))
        elif n.type == "lambda_expression":
            params = n.child_by_field_name("parameters")
            if params is not None and params.type == "identifier":
                names.add(_text(params))
            elif params is not None:
                names.update(_text(c) for c in walk(params) if c.type == "identifier")
    return names


def _identifiers(node: tree_sitter.Node) -> set[str]:
    return {_text(n) for n in walk(node) if n.type in ("identifier", "type_identifier")}


def _host(path, data, lines, node, comment, cls, cls_name, header, fields, package, imports) -> Host | None:
    body = node.child_by_field_name("body")
    if body is None or any(n.type in ("class_body", "local_class_declaration") for n in walk(body)):
        return None
    first = comment if comment is not None and comment.end_point[0] + 1 == node.start_point[0] else node
    start_row, end_row = first.start_point[0], node.end_point[0]
    if end_row - start_row + 1 > MAX_LINES or lines[start_row][: first.start_point[1]].strip():
        return None
    statements = [c for c in body.named_children if c.type not in _COMMENTS]
    if not statements or end_row - statements[0].start_point[0] < MIN_BODY_LINES:
        return None
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    modifier_text = _text(modifiers) if modifiers is not None else ""
    if re.search(r"\b(abstract|native)\b", modifier_text):
        return None
    throws_node = next((c for c in node.children if c.type == "throws"), None)
    throws = tuple(_text(t) for t in throws_node.named_children) if throws_node is not None else ()
    if "@Override" in modifier_text and not any(t in _COVERS_IO for t in throws):
        return None  # an override cannot add IOException to its throws clause, which template code may need
    points = _points(body, statements, start_row, lines)
    if not points:
        return None
    params = []
    for p in node.child_by_field_name("parameters").named_children:
        if p.type != "formal_parameter":
            continue
        annotations = next((c for c in p.children if c.type == "modifiers"), None)
        params.append(
            Param(
                type=_text(p.child_by_field_name("type")),
                name=_text(p.child_by_field_name("name")),
                annotations=_text(annotations) if annotations is not None else "",
            )
        )
    anchor = throws_node if throws_node is not None else node.child_by_field_name("parameters")
    text = "\n".join(lines[start_row : end_row + 1])
    used = _identifiers(node)
    kept_fields = [(f, names) for f, names in fields if names & used]
    field_texts = []
    for f, _ in kept_fields:
        f_start = f.start_point[0]
        if lines[f_start][: f.start_point[1]].strip():
            return None
        field_texts.append("\n".join(lines[f_start : f.end_point[0] + 1]))
    for f, _ in kept_fields:
        used |= _identifiers(f)
    used |= {_IDENT.findall(a)[-1] for a in re.findall(r"@[\w.]+", header)}
    kept_imports = [(line, simple) for line, simple in imports if simple == "*" or simple in used]
    bound = _declared_in(node) | {n for _, names in kept_fields for n in names} | {cls_name}
    imported = {simple: line for line, simple in kept_imports if simple != "*"}
    return Host(
        path=path,
        line=start_row + 1,
        name=f"{cls_name}.{_text(node.child_by_field_name('name'))}",
        text=text,
        package=package,
        imports=tuple(line for line, _ in kept_imports),
        owner=header,
        owner_name=cls_name,
        fields=tuple(field_texts),
        params=tuple(params),
        return_type=_text(node.child_by_field_name("type")),
        throws=throws,
        static="static" in modifier_text.split(),
        throws_line=anchor.end_point[0] - start_row,
        throws_column=anchor.end_point[1],
        points=tuple(points),
        names=frozenset(used | bound | set(imported)),
        bound=frozenset(bound | set(imported)),
        imported=imported,
        body_lines=end_row - statements[0].start_point[0],
    )


def _points(body, statements, start_row: int, lines: list[str]) -> list[Point]:
    points = list(_block_points(body, statements, start_row, lines, top=True))
    for stmt in statements:
        field = _BLOCK_OWNERS.get(stmt.type)
        inner = stmt.child_by_field_name(field) if field else None
        if inner is not None and inner.type == "block":
            inner_statements = [c for c in inner.named_children if c.type not in _COMMENTS]
            points.extend(_block_points(inner, inner_statements, start_row, lines, top=False))
    return points


def _block_points(block, statements, start_row: int, lines: list[str], *, top: bool):
    if not statements or statements[0].start_point[0] <= block.start_point[0]:
        return
    if block.end_point[0] <= statements[-1].end_point[0]:
        return  # the closing brace shares the last statement's line
    column = statements[0].start_point[1]
    for i, stmt in enumerate(statements):
        row = stmt.start_point[0]
        if stmt.start_point[1] != column or lines[row][:column].strip():
            return
        if i and statements[i - 1].end_point[0] >= row:
            return  # two statements on one line
        if i and _exits(statements[i - 1]):
            return
        while row - 1 > block.start_point[0] and lines[row - 1].strip().startswith(("//", "/*", "*")):
            row -= 1  # a comment above the statement stays with it
        last = i == len(statements) - 1 and stmt.type == "return_statement"
        yield Point(line=row - start_row, column=column, top=top, last=last)
    if not _exits(statements[-1]):
        yield Point(line=statements[-1].end_point[0] + 1 - start_row, column=column, top=top, last=True)


def _exits(stmt: tree_sitter.Node) -> bool:
    """Whether `stmt` never completes normally (javac: what follows is unreachable): a return,
    throw, break or continue, or a compound statement whose every way out is one."""
    kind = stmt.type
    if kind in _TERMINAL:
        return True
    if kind == "block":
        return any(_exits(c) for c in stmt.named_children if c.type not in _COMMENTS)
    if kind == "if_statement":
        alternative = stmt.child_by_field_name("alternative")
        return alternative is not None and _exits(stmt.child_by_field_name("consequence")) and _exits(alternative)
    if kind in ("try_statement", "try_with_resources_statement"):
        finally_clause = next((c for c in stmt.named_children if c.type == "finally_clause"), None)
        if finally_clause is not None and any(_exits(c) for c in finally_clause.named_children if c.type == "block"):
            return True
        catches = [c for c in stmt.named_children if c.type == "catch_clause"]
        body = stmt.child_by_field_name("body")
        return _exits(body) and all(_exits(c.child_by_field_name("body")) for c in catches)
    if kind in ("while_statement", "do_statement"):
        condition = stmt.child_by_field_name("condition")
        forever = condition is not None and _text(condition).strip("() ") == "true"
        return forever and not any(n.type == "break_statement" for n in walk(stmt))
    if kind == "for_statement":
        return stmt.child_by_field_name("condition") is None and not any(
            n.type == "break_statement" for n in walk(stmt)
        )
    if kind == "synchronized_statement":
        return any(_exits(c) for c in stmt.named_children if c.type == "block")
    return False


# ---------------------------------------------------------------------------------------------
# The template's side.


@dataclass(frozen=True, kw_only=True)
class Pieces:
    """A composition reduced to what a transplant keeps."""

    body: str  # statements at indentation 0, the sink line marked with @@ when it is here
    fields: tuple[str, ...]
    members: tuple[str, ...]
    imports: tuple[str, ...]  # qualified names
    declared: frozenset[str]
    names: frozenset[str]
    free: frozenset[str]  # `request`, `response`: the host's parameters of those names
    returns: str  # the return type the body's own `return` needs, "" when it has none
    instance: bool  # uses a non-static member of its own
    used: frozenset[str]  # identifiers of the kept code
    shared: frozenset[str] = frozenset()


def prepare(plan: Plan, var: str | None, extra: frozenset[str] = frozenset()) -> Pieces:
    """The transplantable pieces of one twin (`var`: the host parameter that is the source). The
    host's class name, which the template's logger and resources name, is filled in by `place`.
    Fields and members that `extra` (the other twin's identifiers) uses are kept too: a member
    both twins have (a fix's allow-list) goes into both, as in the template."""
    comp = compose(plan, var=var, cls=_CLS)
    body = "\n".join(text for role, text in comp.body if role in KEPT_ROLES)
    body = style_body(body, comp.draws.style)
    fields = [_DROP_LINE.sub("", f + "\n").rstrip("\n") for f in comp.own_fields]
    members = [_DROP_LINE.sub("", m + "\n").rstrip("\n") for m in [*comp.own_members, *comp.helpers]]
    kept_fields: list[str] = []
    kept_members: list[str] = []
    used = set(_IDENT.findall(body)) | extra
    changed = True
    while changed:  # members and fields the kept code uses, to a fixed point
        changed = False
        for field in fields:
            if field not in kept_fields and _member_names(field) & used:
                kept_fields.append(field)
                used |= set(_IDENT.findall(field))
                changed = True
        for member in members:
            if member not in kept_members and _member_names(member) & used:
                kept_members.append(member)
                used |= set(_IDENT.findall(member))
                changed = True
    kept_fields.sort(key=fields.index)
    kept_members.sort(key=members.index)
    clean = "\n".join([*kept_fields, *kept_members, body]).replace("@@", "")
    if _DROP in clean:
        raise AssertionError(f"{plan.sink.id}: an empty $inject line in the handler body")
    words = set(_IDENT.findall(_code_only(clean)))
    # Imports either twin uses go into both, as the template's class imports everything.
    imports = tuple(sorted(i for i in comp.imports if i and i.rsplit(".", 1)[-1] in words | extra))
    unit = "class T_ {\n" + "\n".join([*kept_fields, *kept_members]) + "\nvoid m_() {\n" + body.replace("@@", "")
    tree = parse(unit + "\n}\n}\n", "java")
    class_body = tree.root_node.children[0].child_by_field_name("body")
    declared: set[str] = set()
    names: set[str] = set()
    for member in class_body.named_children:
        if member.type == "method_declaration" and _text(member.child_by_field_name("name")) == "m_":
            inner = member.child_by_field_name("body")
            declared |= _declared_in(inner)
            names |= _identifiers(inner)
        elif member.type == "field_declaration":
            declared |= _declared_in(member)
            names |= _identifiers(member)
        elif member.type not in _COMMENTS:
            own = _declared_in(member)
            name = member.child_by_field_name("name")
            top = {_text(name)} if name is not None else set()
            declared |= top
            names |= (_identifiers(member) - own) | top
    free = {n for n in _FREE if n in names and n not in declared}
    top_return = any(re.match(r"return\b", line) for line in body.split("\n"))
    instance = any(not static for m in [*kept_fields, *kept_members] for _, static in _members(m))
    return Pieces(
        used=frozenset(words),
        body=body,
        fields=tuple(kept_fields),
        members=tuple(kept_members),
        imports=imports,
        declared=frozenset(declared),
        names=frozenset(names | {i.rsplit(".", 1)[-1] for i in imports}),
        free=frozenset(free),
        returns=comp.mapping["rtype"] if top_return else "",
        instance=instance,
        shared=frozenset({var}) if var is not None else frozenset(),
    )


def _member_names(text: str) -> set[str]:
    """The names a chunk of class members declares (fields' variables, methods, classes)."""
    return {name for names, _ in _members(text) for name in names}


@functools.lru_cache(maxsize=4096)
def _members(text: str) -> tuple[tuple[frozenset[str], bool], ...]:
    """(names declared, static) of each member in a chunk of class-level code."""
    tree = parse("class T_ {\n" + text.replace("@@", "") + "\n}\n", "java")
    body = tree.root_node.children[0].child_by_field_name("body")
    found = []
    for member in body.named_children:
        if member.type in _COMMENTS:
            continue
        modifiers = next((c for c in member.children if c.type == "modifiers"), None)
        static = modifiers is not None and "static" in _text(modifiers).split()
        if member.type == "field_declaration":
            names = frozenset(_declared_in(member))
        else:
            name = member.child_by_field_name("name")
            names = frozenset({_text(name)} if name is not None else ())
        found.append((names, static))
    return tuple(found)


def _code_only(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)


# ---------------------------------------------------------------------------------------------
# What the generic transplant loop (`vulntune.synth.context`) calls.


def source_kind(source: Source) -> str | None:
    """ "body" (the read's statements get the input themselves: a servlet's `request`, the
    environment), "param" (a parameter is the input: a library method's string, a Spring or JAX-RS
    request parameter; a real parameter of that kind takes its place) or None."""
    signature = source.header.rsplit("\n", 1)[-1]
    inside = signature[signature.find("(") + 1 : signature.rfind(")")]
    params = [p.split()[-1] for p in re.split(r",\s*(?![^()]*\))", inside) if p.strip()]
    if source.read:
        words = set(re.findall(r"\$?\w+", source.read))
        return None if any(p in words for p in params if p != "request") else "body"
    if params and params[0] == "$var" and re.search(r"\bString \$var\b", inside):
        if source.framework == "stdlib" or (
            source.framework in _WEB_PARAMS and _WEB_PARAMS[source.framework].search(inside)
        ):
            return "param"
    return None


def param_choices(host: Host, source: Source) -> tuple[str, ...]:
    """The host's parameters that can stand for `source`'s value."""
    return _param_names(host, source.framework)


def _param_names(host: Host, framework: str) -> tuple[str, ...]:
    """String parameters: annotated as request values of `framework` (Spring, JAX-RS), or, for a
    library method, not annotated as any request value."""
    web = _WEB_PARAMS.get(framework)
    return tuple(
        p.name
        for p in host.params
        if p.type == "String" and (web.search(p.annotations) if web is not None else not _any_web(p.annotations))
    )


def _any_web(annotations: str) -> bool:
    return any(pattern.search(annotations) for pattern in _WEB_PARAMS.values())


def needs(source: Source, parts: tuple[Pieces, Pieces] | None) -> tuple[str, ...]:
    if parts is None:
        return ("param:" + source.framework,)
    wanted = sorted({f"param-named:{n}" for p in parts for n in p.free})
    returns = {p.returns for p in parts if p.returns}
    wanted += [f"return:{r}" for r in sorted(returns)]
    if any(p.instance for p in parts):
        wanted.append("instance")
    return tuple(wanted)


def has(host: Host, need: tuple[str, ...]) -> bool:
    for item in need:
        kind, _, value = item.partition(":")
        if kind == "param" and not _param_names(host, value):
            return False
        if kind == "param-named" and not any(p.name == value and p.type == _FREE[value] for p in host.params):
            return False
        if kind == "return" and not (
            host.return_type.replace(" ", "") == value.replace(" ", "") and any(p.top and p.last for p in host.points)
        ):
            return False
        if kind == "instance" and host.static:
            return False
    return True


def fits(host: Host, parts: Pieces) -> str | None:
    clash = (parts.declared & host.names | host.bound & parts.names) - parts.shared - parts.free
    for qualified in parts.imports:
        simple = qualified.rsplit(".", 1)[-1]
        if simple in host.imported and host.imported[simple] != f"import {qualified};":
            return "import"
    if clash:
        return "clash"
    return None


def points_for(host: Host, parts: Pieces) -> list[Point]:
    if parts.returns:
        return [p for p in host.points if p.top and p.last]
    return list(host.points)


def place(host: Host, parts: Pieces, point: Point, rng: random.Random) -> str:
    """The sample's compilation unit, the lines it adds or changes flagged
    (`vulntune.synth.context.mark`)."""
    fields_first = rng.random() < 0.7
    lines = host.text.split("\n")
    block = mark("\n".join((" " * point.column + line) if line.strip() else "" for line in parts.body.split("\n")))
    if point.line <= host.throws_line:
        raise AssertionError(f"{host.path}:{host.line}: a point inside the signature")
    lines = [*lines[: point.line], block, *lines[point.line :]]
    imports = list(host.imports)
    own = sorted({f"import {i};" for i in parts.imports} - set(imports))
    if not any(t in _COVERS_IO for t in host.throws):
        row, column = host.throws_line, host.throws_column
        clause = ", IOException" if host.throws else " throws IOException"
        lines[row] = mark(lines[row][:column] + clause + lines[row][column:])
        if not {"import java.io.IOException;", "import java.io.*;"} & set(imports):
            own = sorted({*own, "import java.io.IOException;"})
    method = "\n".join(lines)
    head = [host.package, ""] if host.package else []
    if imports:
        head += [*imports, ""]
    if own:
        head += [mark("\n".join(own)), ""]
    members = [mark(_indent(f)) for f in parts.fields]
    members += host.fields if fields_first else []
    sections = ["\n".join(head + [host.owner])]
    if members:
        sections.append("\n".join(members))
    if not fields_first and host.fields:
        sections.append("\n".join(host.fields))
    sections.append(method)
    sections.extend(mark(_indent(m)) for m in parts.members)
    return "\n\n".join(sections).replace(_CLS, host.owner_name) + "\n}\n"
