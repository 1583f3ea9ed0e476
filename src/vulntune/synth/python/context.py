"""Real Python functions as hosts of template code (`vulntune synth --context realcode`).

`functions(path, text)` finds the functions and methods of one real file that can host a
template's handler body, each with the module-level code it refers to (its file's imports, the
constants and helper functions it uses) and the statement boundaries where code may go.
`transplant(host, composition, point)` writes one sample: the host's imports and the template's,
the template's module-level constants and helpers, and the host function (a method inside its
class header) with the template's statements spliced in at `point`. The host keeps every one of
its own statements, its signature and its decorators.
"""

from __future__ import annotations

import ast
import random
import re
import warnings
from dataclasses import dataclass, replace
from string import Template

from vulntune.synth.context import mark
from vulntune.synth.plan import Plan
from vulntune.synth.python.render import Composition, compose, used_imports
from vulntune.synth.python.surface import indent, merge_imports
from vulntune.synth.template import Source

MAX_LINES = 80  # longer functions are left out (the bound: a host stays readable whole)
MIN_BODY_LINES = 3  # a host must bring statements of its own
_MAX_CONSTANTS = 4  # module constants of the host's file it refers to, at most (5 lines each)
_MAX_HELPERS = 2  # module functions of the host's file it calls, at most (40 lines each)
_HELPER_LINES = 40
_IDENT = re.compile(r"[A-Za-z_]\w*")
_TERMINAL = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_GENERATED = re.compile(r"do not edit|this file was generated|auto-?generated", re.IGNORECASE)
# Body roles a transplant keeps: the data flow and what makes the twins differ. Decoys, the
# handler's docstring and its final statement are the template's own surroundings, which the
# real function replaces.
KEPT_ROLES = ("const", "read", "prop", "kill", "log", "comment", "sink")


@dataclass(frozen=True, kw_only=True)
class Point:
    """Where template statements may go: before `line` (0-based, in the host's text) at `column`.

    `top` is True at the function body's own level; `last` when nothing of the host follows at
    that level except, possibly, its final `return` (where a sink that returns may go).
    """

    line: int
    column: int
    top: bool
    last: bool


@dataclass(frozen=True, kw_only=True)
class Host:
    """One real function or method and the module-level code it refers to.

    Attributes:
        path: the file, relative to its repository.
        line: 1-based first line (decorators included) in the file.
        name: the function's name (`Class.method` for a method).
        text: the function's lines as in the file (a method keeps its class indentation).
        owner: a method's class header (decorators and `class ...:`), else "".
        imports: import statements of the file that the kept code uses, in file order.
        context: the file's constants and helper functions the function uses, in file order.
        params: parameter names, without `self` / `cls`, `*args` and `**kwargs`.
        is_async: an `async def`.
        points: statement boundaries that can take template code.
        names: every bare name the kept code reads or binds (not attributes, strings, comments).
        bound: names the kept code binds itself or imports.
        imported: bound name -> the import statement binding it.
        body_lines: lines of the body after the docstring.
    """

    path: str
    line: int
    name: str
    text: str
    owner: str
    imports: tuple[str, ...]
    context: tuple[str, ...]
    params: tuple[str, ...]
    str_params: tuple[str, ...]
    is_async: bool
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
        return "\n".join([*self.imports, *self.context, self.owner, self.text])


def functions(path: str, text: str) -> list[Host]:
    """The functions of one file that can host template code (see the module doc for the rules)."""
    if "\t" in text or _GENERATED.search(text[:2000]):
        return []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []  # syntax newer than this Python (the corpus README lists eight such files)
    lines = text.split("\n")
    imports: list[tuple[str, frozenset[str], ast.stmt]] = []
    constants: dict[str, ast.stmt] = {}
    helpers: dict[str, ast.stmt] = {}
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound = frozenset((a.asname or a.name).split(".")[0] for a in node.names)
            imports.append((_segment(lines, node), bound, node))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.end_lineno - node.lineno < 5:
                constants[node.targets[0].id] = node
        elif isinstance(node, ast.FunctionDef) and _suitable(node, _HELPER_LINES):
            helpers[node.name] = node
    hosts = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            host = _host(path, lines, node, None, imports, constants, helpers)
            if host is not None:
                hosts.append(host)
        elif isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                    host = _host(path, lines, member, node, imports, constants, helpers)
                    if host is not None:
                        hosts.append(host)
    return hosts


def _start(node: ast.stmt) -> int:
    """1-based first line of a statement, its decorators included."""
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _segment(lines: list[str], node: ast.stmt) -> str:
    return "\n".join(lines[_start(node) - 1 : node.end_lineno])


def _suitable(node: ast.FunctionDef | ast.AsyncFunctionDef, max_lines: int) -> bool:
    """Short enough, no nested functions or classes, not a generator, not a stub."""
    if node.end_lineno - _start(node) + 1 > max_lines:
        return False
    for child in ast.walk(node):
        if child is not node and isinstance(child, _NESTED):
            return False
        if isinstance(child, ast.Yield | ast.YieldFrom):
            return False
    body = _body(node)
    if not body or all(isinstance(s, ast.Pass | ast.Raise) or _is_ellipsis(s) for s in body):
        return False
    return not any(_name_of(d) in ("overload", "abstractmethod") for d in node.decorator_list)


def _is_ellipsis(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


def _name_of(decorator: ast.expr) -> str:
    while isinstance(decorator, ast.Call):
        decorator = decorator.func
    if isinstance(decorator, ast.Attribute):
        return decorator.attr
    return decorator.id if isinstance(decorator, ast.Name) else ""


def _body(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    """The body without a leading docstring."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        if isinstance(body[0].value.value, str):
            return body[1:]
    return body


def _host(path, lines, node, owner, imports, constants, helpers) -> Host | None:
    if not _suitable(node, MAX_LINES):
        return None
    body = _body(node)
    start = _start(node)
    body_lines = node.end_lineno - body[0].lineno + 1
    if body_lines < MIN_BODY_LINES:
        return None
    if any(_segment(lines, s).count("\n") != s.end_lineno - _start(s) for s in body):
        return None
    text = "\n".join(lines[start - 1 : node.end_lineno])
    points = tuple(_points(node, body, start))
    if not points:
        return None
    owner_text = ""
    if owner is not None:
        if any(isinstance(d, ast.Call) and d.args and isinstance(d.args[0], ast.Lambda) for d in owner.decorator_list):
            return None
        header_end = max([owner.lineno, *(b.end_lineno for b in [*owner.bases, *owner.keywords])])
        owner_text = "\n".join(lines[_start(owner) - 1 : header_end])
        if not owner_text.rstrip().endswith(":"):
            return None
    args = node.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    params = tuple(a.arg for a in every if a.arg not in ("self", "cls"))
    str_params = tuple(
        a.arg
        for a in [*args.posonlyargs, *args.args]
        if a.arg not in ("self", "cls") and (a.annotation is None or ast.unparse(a.annotation) == "str")
    )
    used = set(_IDENT.findall(text + "\n" + owner_text))
    context = []
    for name in sorted(used & constants.keys(), key=lambda n: constants[n].lineno)[:_MAX_CONSTANTS]:
        context.append(constants[name])
    called = {c.func.id for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
    for name in sorted(called & helpers.keys(), key=lambda n: helpers[n].lineno)[:_MAX_HELPERS]:
        if helpers[name] is not node:
            context.append(helpers[name])
    context.sort(key=lambda n: n.lineno)
    context_text = [_segment(lines, n) for n in context]
    used |= {i for t in context_text for i in _IDENT.findall(t)}
    kept_imports = [(t, b) for t, b, _ in imports if b & used or t.startswith("from __future__")]
    imported = {name: t for t, b in kept_imports for name in b}
    bound, names = _bindings([node, *context])
    bound |= set(imported)
    names |= bound
    if owner is not None:
        bound.add(owner.name)
        names.add(owner.name)
    return Host(
        path=path,
        line=start,
        name=f"{owner.name}.{node.name}" if owner is not None else node.name,
        text=text,
        owner=owner_text,
        imports=tuple(t for t, _ in kept_imports),
        context=tuple(context_text),
        params=params,
        str_params=str_params,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        points=points,
        names=frozenset(names),
        bound=frozenset(bound),
        imported=imported,
        body_lines=body_lines,
    )


def _bindings(nodes) -> tuple[set[str], set[str]]:
    """(names bound, every bare name) in `nodes`."""
    bound: set[str] = set()
    names: set[str] = set()
    for part in nodes:
        for child in ast.walk(part):
            if isinstance(child, ast.Name):
                names.add(child.id)
                if isinstance(child.ctx, ast.Store):
                    bound.add(child.id)
            elif isinstance(child, ast.arg):
                bound.add(child.arg)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                bound.add(child.name)
            elif isinstance(child, ast.alias):
                bound.add((child.asname or child.name).split(".")[0])
            elif isinstance(child, ast.ExceptHandler) and child.name:
                bound.add(child.name)
            elif isinstance(child, ast.Global | ast.Nonlocal):
                names.update(child.names)
    return bound, names | bound


def _points(node, body: list[ast.stmt], start: int) -> list[Point]:
    """Statement boundaries of the body and of the blocks directly inside it."""
    points = list(_block_points(body, start, top=True, parent_line=node.lineno))
    for stmt in body:
        if isinstance(stmt, ast.If | ast.For | ast.AsyncFor | ast.While | ast.With | ast.AsyncWith | ast.Try):
            points.extend(_block_points(stmt.body, start, top=False, parent_line=stmt.lineno))
    return points


def _block_points(block: list[ast.stmt], start: int, *, top: bool, parent_line: int):
    if not block or block[0].lineno <= parent_line:
        return  # a one-line block (`if x: return`) has no line of its own to go before
    column = block[0].col_offset
    if any(s.col_offset != column for s in block):
        return
    for i, stmt in enumerate(block):
        if i and block[i - 1].end_lineno >= stmt.lineno:
            return  # two statements on one line
        if i and _exits(block[i - 1]):
            return  # dead code follows
        last = i == len(block) - 1 and isinstance(stmt, ast.Return)
        yield Point(line=_start(stmt) - start, column=column, top=top, last=last)
    if not _exits(block[-1]):
        yield Point(line=block[-1].end_lineno - start + 1, column=column, top=top, last=True)


def _exits(stmt: ast.stmt) -> bool:
    """Whether `stmt` never completes normally (so nothing after it runs): a return, raise,
    break or continue, or a compound statement whose every way out is one."""
    if isinstance(stmt, _TERMINAL):
        return True
    if isinstance(stmt, ast.If):
        return bool(stmt.orelse) and _block_exits(stmt.body) and _block_exits(stmt.orelse)
    if isinstance(stmt, ast.With | ast.AsyncWith):
        return _block_exits(stmt.body)
    if isinstance(stmt, ast.Try):
        if stmt.finalbody and _block_exits(stmt.finalbody):
            return True
        body = _block_exits(stmt.body) or (bool(stmt.orelse) and _block_exits(stmt.orelse))
        return body and all(_block_exits(h.body) for h in stmt.handlers)
    if isinstance(stmt, ast.While):
        forever = isinstance(stmt.test, ast.Constant) and bool(stmt.test.value)
        return forever and not any(isinstance(n, ast.Break) for n in ast.walk(stmt))
    return False


def _block_exits(block: list[ast.stmt]) -> bool:
    return any(_exits(stmt) for stmt in block)


# ---------------------------------------------------------------------------------------------
# The transplant.


@dataclass(frozen=True, kw_only=True)
class Pieces:
    """A composition reduced to what a transplant keeps, placeholders filled in."""

    body: str  # statements at indentation 0, the sink line marked with @@ when it is here
    module: tuple[str, ...]  # module-level constants and the logger it uses
    helpers: tuple[str, ...]  # helper functions and classes
    imports: tuple[str, ...]  # import lines it uses
    declared: frozenset[str]  # names it binds (imports excluded)
    names: frozenset[str]  # every bare name it reads or binds
    free: frozenset[str]  # names read bare that nothing in it binds (`request`, `self`)
    awaits: bool
    returns: bool  # the sink block ends the handler with `return`
    used: frozenset[str]  # identifiers of the kept code
    shared: frozenset[str] = frozenset()  # the host's own names it uses (the parameter it reads)


def pieces(comp: Composition, returns: bool, extra: frozenset[str] = frozenset()) -> Pieces:
    """Fill in and reduce a composition: the kept body roles, and only the module-level code
    (constants, logger, helpers) that they use, or that names in `extra` (the twin's) use: a
    piece both twins have goes into both, so they still differ only where the templates do."""
    names = comp.names
    body = "\n".join(text for role, text in comp.body if role in KEPT_ROLES)
    body = Template(body).substitute(names)
    helpers = [Template(h).substitute(names) for h in comp.helpers]
    constants = [Template(c).substitute(names) for c in comp.constants]
    logger = Template("$logger = logging.getLogger(__name__)").substitute(names)
    # Keep the helpers and constants that the kept code uses, to a fixed point (helpers use constants).
    kept_text = body
    kept_helpers: list[str] = []
    kept_module: list[str] = []
    changed = True
    while changed:
        changed = False
        used = set(_IDENT.findall(kept_text)) | extra
        for helper in helpers:
            if helper not in kept_helpers and _defines(helper) & used:
                kept_helpers.append(helper)
                kept_text += "\n" + helper
                changed = True
        for const in [logger, *constants]:
            if const not in kept_module and _defines(const) & used:
                kept_module.append(const)
                kept_text += "\n" + const
                changed = True
    kept_helpers.sort(key=helpers.index)
    kept_module.sort(key=lambda c: -1 if c == logger else constants.index(c))
    text = "\n".join([*kept_module, *kept_helpers, body])
    clean = text.replace("@@", "")
    idents = set(_IDENT.findall(clean))
    import_lines = Template("\n".join(i for i in comp.imports if i)).substitute(names).split("\n")
    imports = used_imports(import_lines, idents, clean)
    # What the host must not bind or use: names at module level and the body's locals. A helper's
    # own parameters and locals live in its scope and clash with nothing.
    declared: set[str] = set()
    bare_names: set[str] = set()
    for stmt in ast.parse("\n".join([*kept_module, *kept_helpers]).replace("@@", "")).body:
        bound, read = _bindings([stmt])
        if isinstance(stmt, ast.FunctionDef | ast.ClassDef):
            declared.add(stmt.name)
            bare_names |= read - bound | {stmt.name}
        else:
            declared |= bound
            bare_names |= read
    function = ast.parse(_as_function(body.replace("@@", ""))).body[0]
    bound, read = _bindings(function.body)  # type: ignore[attr-defined]
    declared |= bound
    bare_names |= read
    imported_names = {name for line in imports for name in _import_names(line)}
    free = {n for n in ("request", "self", "response") if n in bare_names and n not in declared | imported_names}
    return Pieces(
        used=frozenset(set(_IDENT.findall(kept_text))),
        body=body,
        module=tuple(kept_module),
        helpers=tuple(kept_helpers),
        imports=tuple(imports),
        declared=frozenset(declared),
        names=frozenset(bare_names | imported_names),
        free=frozenset(free),
        awaits=bool(re.search(r"\bawait\b", clean)),
        returns=returns,
    )


def _as_function(body: str) -> str:
    return "async def _transplanted():\n" + indent(body, 4) + "\n"


def _defines(text: str) -> set[str]:
    """Names a module-level snippet binds (its first line's target or def/class name)."""
    first = text.lstrip().split("\n", 1)[0]
    m = re.match(r"(?:async\s+def|def|class)\s+(\w+)", first)
    if m:
        return {m.group(1)}
    return set(_IDENT.findall(first.split("=", 1)[0])) if "=" in first else set()


def _import_names(line: str) -> frozenset[str]:
    node = ast.parse(line).body[0]
    return frozenset((a.asname or a.name).split(".")[0] for a in node.names)  # type: ignore[attr-defined]


def fits(host: Host, parts: Pieces) -> str | None:
    """None when `parts` can go into `host`; else why not (a short reason)."""
    if "self" in parts.free:
        return "self"
    if "response" in parts.free:
        return "response"
    if "request" in parts.free and "request" not in host.params:
        return "request"
    if parts.awaits and not host.is_async:
        return "await"
    clash = (parts.declared & host.names | host.bound & parts.names) - parts.shared - parts.free
    for line in parts.imports:
        for name in _import_names(line):
            if name in host.imported and host.imported[name] != line:
                return "import"
    if clash:
        return "clash"
    if parts.returns and not any(p.top and p.last for p in host.points):
        return "return"
    return None


def points_for(host: Host, parts: Pieces) -> list[Point]:
    """The points of `host` that can take `parts` (a sink that returns goes last, at the top level)."""
    if parts.returns:
        return [p for p in host.points if p.top and p.last]
    return list(host.points)


def transplant(host: Host, parts: Pieces, point: Point, *, helpers_first: bool, import_style: int) -> str:
    """The sample's code, the lines it adds to the host's flagged (`vulntune.synth.context.mark`)."""
    lines = host.text.split("\n")
    block = mark(indent(parts.body, point.column))
    function = "\n".join([*lines[: point.line], block, *lines[point.line :]])
    if host.owner:
        function = host.owner + "\n" + function
    future = [i for i in host.imports if i.startswith("from __future__")]
    real_imports = [i for i in host.imports if not i.startswith("from __future__")]
    own = [i for i in parts.imports if i not in real_imports]
    head = [*future]
    if real_imports:
        head.append("\n".join(real_imports))
    if own:
        head.append(mark(merge_imports(own, import_style)))
    sections = ["\n\n".join(head)] if head else []
    if parts.module:
        sections.append(mark("\n".join(parts.module)))
    sections.extend(host.context)
    if helpers_first:
        sections.extend(mark(h) for h in parts.helpers)
    sections.append(function)
    if not helpers_first:
        sections.extend(mark(h) for h in parts.helpers)
    return "\n\n\n".join(sections) + "\n"


# ---------------------------------------------------------------------------------------------
# What the generic transplant loop (`vulntune.synth.context`) calls.

SUFFIX = ".py"
_DEF = re.compile(r"def \$?\w+\((.*)\):\s*$")


def source_kind(source: Source) -> str | None:
    """How a source's read can go into a real function: "body" (its statements read the input
    themselves: a framework's request, the environment, stdin), "param" (the value is a parameter
    of a library function: a real string parameter takes its place) or None (it needs its own
    signature or decorators: path parameters, FastAPI parameters, a file the caller names)."""
    header_def = _DEF.search(source.header.rsplit("\n", 1)[-1])
    params = [p.split(":")[0].split("=")[0].strip() for p in header_def.group(1).split(",")] if header_def else []
    params = [p for p in params if p]
    if source.read:
        words = set(re.findall(r"\$?\w+", source.read))
        return None if any(p in words for p in params if p != "request") else "body"
    if source.framework == "stdlib" and "$var" in params:
        return "param"
    return None


def prepare(plan: Plan, var: str | None, extra: frozenset[str] = frozenset()) -> Pieces:
    """The transplantable pieces of one twin (`var`: the host parameter that is the source;
    `extra`: identifiers the other twin's pieces use)."""
    comp = compose(plan)
    if var is not None:
        comp.names["var"] = var
    body = [text for role, text in comp.body if role in KEPT_ROLES]
    returns = any(line.startswith("return") for text in body for line in text.split("\n"))
    parts = pieces(comp, returns, extra)
    return replace(parts, shared=frozenset({var})) if var is not None else parts


def param_choices(host: Host, source: Source) -> tuple[str, ...]:
    """The host's parameters that may stand for a library function's input (str or unannotated)."""
    return host.str_params


def needs(source: Source, parts: tuple[Pieces, Pieces] | None) -> tuple[str, ...]:
    """What a host must have for `source` (and, for a body source, its twins' `parts`)."""
    if parts is None:
        return ("param",)
    wanted = []
    if any("request" in p.free for p in parts):
        wanted.append("request")
    if any(p.awaits for p in parts):
        wanted.append("async")
    if any(p.returns for p in parts):
        wanted.append("return")
    return tuple(wanted)


def has(host: Host, need: tuple[str, ...]) -> bool:
    """Whether `host` has every item of `needs(...)`."""
    checks = {
        "param": lambda: bool(host.str_params),
        "request": lambda: "request" in host.params,
        "async": lambda: host.is_async,
        "return": lambda: any(p.top and p.last for p in host.points),
    }
    return all(checks[item]() for item in need)


def place(host: Host, parts: Pieces, point: Point, rng: random.Random) -> str:
    """`transplant` with the layout choices drawn from `rng` (the same draws for both twins)."""
    return transplant(host, parts, point, helpers_first=rng.random() < 0.6, import_style=rng.randrange(3))
