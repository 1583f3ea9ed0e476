"""Local taint flow in one file: what reaches each candidate sink, function by function.

Each function (and the module or class code around them) is interpreted over its tree-sitter tree,
statement by statement, with abstract values: the *origins* a value may carry (a parameter of the
function, a source of the taint models, the result of a call another file may define) each with the
weaknesses it has been sanitised for, a constant where one is known, and the elements of lists,
tuples, dicts, Java lists, maps and arrays read and written at constant keys. Branches are joined,
a condition that folds to a constant keeps one branch only (sparse conditional constant
propagation, in the small), loops run until their values stop growing (at most three rounds),
an assignment overwrites, and a check such as `if name in ALLOWED:` or `if x.isdigit():` cleans
the value inside the branch where it holds (validators of the models).

What one file cannot decide is left symbolic for `vulntune.analysis.program`: a parameter's taint
comes from the callers, a call's result from the callee's summary. Nothing is imported or run.

Where the interpreter cannot follow the code (a construct it does not know, a recursion limit, a
huge function), the candidates it did not reach keep the slicer's verdict: sound for recall.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

import tree_sitter

from vulntune.analysis.candidates import _SHELLS, Match, _Context
from vulntune.analysis.catalogue import CATALOGUE_OF_SINKS
from vulntune.analysis.folding import _BINARY as _FOLDABLE
from vulntune.analysis.folding import _literal as literal_value
from vulntune.analysis.syntax import FUNCTIONS, chain, dotted, enclosing, identifiers, node_text, string_content
from vulntune.analysis.taint_models import TaintModels, names_match, rows_for
from vulntune.parsing import walk

# An origin: ("param", index) | ("source", kind, label, line, file) | ("call", site index)
#            | ("field", class, name): what the class's field holds (every store the program sees)
Origin = tuple
Fact = tuple  # (origin, frozenset of CWE ids the value is clean for; "*" for all)
Taint = frozenset
EMPTY: Taint = frozenset()
ALL = frozenset({"*"})
MAX_STEPS = 60_000  # expressions evaluated in one scope before the interpreter gives up on it
LOOP_ROUNDS = 3


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()  # no constant known


class GiveUp(Exception):
    """The scope is too large or too deep to interpret: its candidates keep the slicer's verdict."""


@dataclass(slots=True)
class Value:
    """An abstract value: its taint, its constant (UNSET when unknown), its elements (a list of
    Values for a list/tuple/array, a dict for a map with constant keys; None when not tracked)."""

    taint: Taint = EMPTY
    const: object = UNSET
    items: list | dict | None = None

    def all_taint(self) -> Taint:
        if self.items is None:
            return self.taint
        elements = self.items.values() if isinstance(self.items, dict) else self.items
        out = self.taint
        for item in elements:
            out = out | item.all_taint()
        return out


def clean(taint: Taint, cwes: frozenset[str]) -> Taint:
    """`taint` after a sanitizer for `cwes`."""
    if cwes == ALL:
        return EMPTY
    return frozenset((origin, cleaned | cwes) for origin, cleaned in taint)


def join(a: Value | None, b: Value | None) -> Value:
    if a is None:
        return b if b is not None else Value()
    if b is None or a is b:
        return a
    const = a.const if (a.const is not UNSET and b.const is not UNSET and _same(a.const, b.const)) else UNSET
    items = None
    if isinstance(a.items, list) and isinstance(b.items, list) and len(a.items) == len(b.items):
        items = [join(x, y) for x, y in zip(a.items, b.items)]
    elif isinstance(a.items, dict) and isinstance(b.items, dict) and a.items.keys() == b.items.keys():
        items = {k: join(a.items[k], b.items[k]) for k in a.items}
    taint = a.taint | b.taint
    if items is None:
        taint = a.all_taint() | b.all_taint()
    return Value(taint=taint, const=const, items=items)


def _same(x: object, y: object) -> bool:
    try:
        return type(x) is type(y) and bool(x == y)
    except Exception:
        return False


Env = dict  # name -> Value


def join_envs(envs: list[Env | None]) -> Env | None:
    live = [e for e in envs if e is not None]
    if not live:
        return None
    if len(live) == 1:
        return dict(live[0])
    out: Env = {}
    for env in live:
        for name, value in env.items():
            out[name] = join(out.get(name), value) if name in out else value
    return out


# --- what a file's analysis records ---------------------------------------------------------------


@dataclass(kw_only=True, frozen=True)
class CallSite:
    """A call the file cannot resolve alone: the program resolves it by `callee` (the written
    parts), `resolved` (through the file's imports) and `receiver_type` (a Java declared type, a
    Python constructed class, or "self"/"super" for calls on the enclosing class)."""

    index: int
    function: int  # the calling FunctionFlow's index
    line: int
    callee: tuple[str, ...]
    resolved: tuple[str, ...]
    receiver_type: str
    arguments: tuple[Taint, ...]
    keywords: tuple[tuple[str, Taint], ...]
    fallback: Taint  # the result when no scanned function is the callee: arguments and receiver


@dataclass(kw_only=True, frozen=True)
class FunctionFlow:
    index: int
    name: str
    owner: str  # enclosing class ("" for a module function)
    parameters: tuple[str, ...]  # without self/cls
    line: int
    returns: Taint
    entry: bool = False  # a framework entry point (its parameters are remote sources)
    static: bool = False
    trusted: bool = False  # its parameters are a test runner's fixtures (`trusted` models)
    uncalled: tuple[tuple[int, tuple], ...] = ()  # (parameter, source origin) that hold where nothing calls it
    validates: tuple[tuple[int, frozenset], ...] = ()  # (parameter, weaknesses): it returns a check of it


@dataclass(kw_only=True, frozen=True)
class CandidateFlow:
    """What reaches one candidate (the `index`-th of `find_candidates`): `visited` False with
    `dead` True when it sits where no run goes (a branch a constant condition excludes, after a
    return); both False when the interpreter could not follow its scope."""

    index: int
    cwe: str
    line: int
    function: int  # -1: not inside an interpreted scope
    visited: bool
    dead: bool
    taint: Taint
    disarmed: str = ""  # the id of the model row that says this form is not the weakness ("" when none)
    literal: bool = False  # a non-empty string literal reaches it (what a hard-coded secret needs)


@dataclass(kw_only=True, frozen=True)
class FileFlow:
    """A file's local flow, ready for `vulntune.analysis.program` (plain data: it pickles)."""

    file: str
    language: str
    module: str
    functions: tuple[FunctionFlow, ...]
    sites: tuple[CallSite, ...]
    candidates: tuple[CandidateFlow, ...]
    classes: tuple[tuple[str, tuple[str, ...]], ...]  # class -> its supertypes' simple names
    package: str = ""
    field_stores: tuple[tuple[int, str, str, Taint], ...] = ()  # (function, class, field, taint stored)


# --- the interpreter --------------------------------------------------------------------------------

_PY_BINARY = {**_FOLDABLE, "<<": operator.lshift, ">>": operator.rshift}  # folding's arithmetic, and shifts
_COMPARE = {  # folding's comparisons, and Python's membership and identity tests
    **{op: _FOLDABLE[op] for op in ("==", "!=", "<", "<=", ">", ">=")},
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
    "is": lambda a, b: a is b or a == b and a is None,
    "is not": lambda a, b: not (a is b or a == b and a is None),
}
_STOP_CALLS = re.compile(r"^(abort|exit|_exit|fail|deny|reject|halt)$")
_CLASSES = {
    "python": {"class_definition"},
    "java": {"class_declaration", "interface_declaration", "enum_declaration", "record_declaration"},
}
_PY_MUTATORS = {
    "append",
    "extend",
    "insert",
    "update",
    "add",
    "setdefault",
    "appendleft",
    "extendleft",
    "write",
    "writelines",
    "push",
    "put",
}
_JAVA_MUTATORS = {
    "append",
    "add",
    "addAll",
    "put",
    "putAll",
    "insert",
    "set",
    "push",
    "offer",
    "addFirst",
    "addLast",
    "write",
    "print",
    "println",
    "format",
    "setProperty",
    "addElement",
    "putIfAbsent",
    "computeIfAbsent",
    "merge",
    "replace",
    "concat",
}
_JAVA_CONTAINERS = re.compile(
    r"^(ArrayList|LinkedList|Vector|HashMap|LinkedHashMap|TreeMap|Hashtable|"
    r"ConcurrentHashMap|HashSet|LinkedHashSet|TreeSet|ArrayDeque|Stack|CopyOnWriteArrayList)$"
)
_PY_BUILTIN_CALLS = frozenset(
    """print len str repr int float bool list dict set tuple frozenset sorted reversed
enumerate zip map filter range min max sum any all isinstance issubclass getattr setattr hasattr callable iter next
open super type id hash abs round divmod format ord chr vars dir object property staticmethod classmethod""".split()
)
_JAVA_LIBRARY_TYPES = re.compile(
    r"^(String|StringBuilder|StringBuffer|Object|Integer|Long|Boolean|Double|Math|"
    r"System|Arrays|Collections|List|Map|Set|Optional|Stream|Collectors|Objects|"
    r"ArrayList|HashMap|HashSet|LinkedList|Iterator|Character|Byte|Short|Float)$"
)


_TEXT_KEY = "\x00"  # env key prefix: an expression a validator checked, by its text
_CHECK = "?"  # a cleaned-for entry that a scanned function's check decides (`check_token`)


def check_token(file: str, site: int, position: int) -> str:
    """A value checked by a call the program resolves: clean for whatever the callee's returned
    check clears its `position`-th parameter of (`vulntune.analysis.program` expands it)."""
    return f"{_CHECK}{site}#{position}#{file}"


class _Scope:
    def __init__(self, index: int, node: tree_sitter.Node, owner: str = "") -> None:
        self.index = index
        self.node = node
        self.owner = owner  # the enclosing class, whose fields `self.x` / `this.x` name
        self.parameters: tuple[str, ...] = ()
        self.validates: dict[int, frozenset] = {}  # parameter -> weaknesses a returned check clears it of
        self.returns: Taint = EMPTY
        self.breaks: list[list[Env]] = []
        self.continues: list[list[Env]] = []


class Interpreter:
    """Interpret every scope of one parsed file (see the module doc)."""

    def __init__(
        self,
        tree: tree_sitter.Tree,
        language: str,
        models: TaintModels,
        matches: list[Match],
        *,
        file: str = "",
        module: str = "",
    ) -> None:
        self.tree, self.language, self.models = tree, language, models
        self.python = language == "python"
        self.context = _Context(tree, language, CATALOGUE_OF_SINKS)  # for callee names, imports, types
        self.file, self.module = file, module
        self.matches = matches
        self.at_node: dict[int, list[int]] = {}
        for index, match in enumerate(matches):
            self.at_node.setdefault(match.node.id, []).append(index)
        self.candidate_taint: dict[int, Taint] = {}
        self.disarmed: dict[int, str] = {}
        self.literals: set[int] = set()
        self.field_stores: list[tuple[int, str, str, Taint]] = []
        self.closures: set[str] = set()  # names of functions defined inside the function being read
        self.templates: dict[str, list[int]] = {}  # a name holding a template candidate's result
        self.candidate_scope: dict[int, int] = {}
        self.visited: set[int] = set()
        self.dead: list[tuple[int, int]] = []
        self.failed: list[tuple[int, int]] = []
        self.sites: dict[int, dict] = {}
        self.site_order: list[int] = []
        self.site_index: dict[int, int] = {}  # node id -> position in site_order
        self.functions: list[FunctionFlow] = []
        self.globals: Env = {}
        self.fields: dict[str, Env] = {}
        self.memo: dict[int, Value] = {}
        self.steps = 0
        self.scope: _Scope | None = None
        self.classes: dict[str, tuple[str, ...]] = {}
        self.package = ""
        self.checked = False  # a validator checked an expression (not a name) somewhere in the file

    # -- driving ------------------------------------------------------------------------------------

    def run(self) -> FileFlow:
        root = self.tree.root_node
        if self.python:
            module_env = self._run_scope(root, name="<module>", owner="", parameters=[], env={}, module_level=True)
            self.globals = dict(module_env or {})
        for node in walk(root):
            if node.type in _CLASSES[self.language]:
                self._class(node)
            elif self.language == "java" and node.type == "package_declaration":
                self.package = node_text(node).removeprefix("package").strip().rstrip(";").strip()
        for node in walk(root):
            if node.type in FUNCTIONS[self.language]:
                self._function(node)
        candidates = []
        for index, match in enumerate(self.matches):
            start = match.node.start_byte
            visited = index in self.visited
            dead = (
                not visited
                and any(a <= start < b for a, b in self.dead)
                and not any(a <= start < b for a, b in self.failed)
            )
            candidates.append(
                CandidateFlow(
                    index=index,
                    cwe=match.candidate.cwe,
                    line=match.candidate.line,
                    function=self.candidate_scope.get(index, -1),
                    visited=visited,
                    dead=dead,
                    taint=self.candidate_taint.get(index, EMPTY),
                    disarmed=self.disarmed.get(index, ""),
                    literal=index in self.literals,
                )
            )
        sites = tuple(
            CallSite(
                index=i,
                function=self.sites[key]["function"],
                line=self.sites[key]["line"],
                callee=self.sites[key]["callee"],
                resolved=self.sites[key]["resolved"],
                receiver_type=self.sites[key]["receiver_type"],
                arguments=tuple(self.sites[key]["arguments"]),
                keywords=tuple(sorted(self.sites[key]["keywords"].items())),
                fallback=self.sites[key]["fallback"],
            )
            for i, key in enumerate(self.site_order)
        )
        return FileFlow(
            file=self.file,
            language=self.language,
            module=self.module,
            functions=tuple(self.functions),
            sites=sites,
            candidates=tuple(candidates),
            classes=tuple(sorted(self.classes.items())),
            package=self.package,
            field_stores=tuple(self.field_stores),
        )

    def _class(self, node: tree_sitter.Node) -> None:
        name = node_text(node.child_by_field_name("name"))
        supers: list[str] = []
        if self.python:
            arguments = node.child_by_field_name("superclasses")
            for child in arguments.named_children if arguments is not None else ():
                parts = dotted(child)
                if parts and "()" not in parts:
                    supers.append(parts[-1])
        else:
            for field_name in ("superclass", "interfaces"):
                part = node.child_by_field_name(field_name)
                if part is not None:
                    supers.extend(node_text(t) for t in walk(part) if t.type == "type_identifier")
            for child in node.children:  # interfaces extending others: `extends_interfaces`
                if child.type == "extends_interfaces":
                    supers.extend(node_text(t) for t in walk(child) if t.type == "type_identifier")
        self.classes[name] = tuple(dict.fromkeys(supers))
        body = node.child_by_field_name("body")
        if body is None:
            return
        if self.python:
            env = self._run_scope(
                body, name="<class>", owner=name, parameters=[], env=dict(self.globals), module_level=True
            )
            self.fields[name] = env or {}
        else:
            statements = [c for c in body.named_children if c.type in ("field_declaration", "constant_declaration")]
            env: Env = {}
            index = len(self.functions)
            scope = _Scope(index, body)
            self.functions.append(
                FunctionFlow(
                    index=index, name="<fields>", owner=name, parameters=(), line=body.start_point[0] + 1, returns=EMPTY
                )
            )
            self.scope, self.memo, self.steps = scope, {}, 0
            try:
                for statement in statements:
                    env = self._statement(statement, env) or env
            except (GiveUp, RecursionError):
                self.failed.append((body.start_byte, body.end_byte))
            self.fields[name] = {k.removeprefix("this."): v for k, v in env.items()}

    def _function(self, node: tree_sitter.Node) -> None:
        name = node_text(node.child_by_field_name("name"))
        owner_node = _enclosing_class(node, self.language)
        owner = node_text(owner_node.child_by_field_name("name")) if owner_node is not None else ""
        if node.type != "method_declaration" and not self.python:
            name = "<init>"
        parameters, entry_sources, static = self._parameters(node, owner)
        env: Env = dict(self.globals) if self.python else {}
        if not self.python:
            for field_name, value in self.fields.get(owner, {}).items():
                env[field_name] = Value(taint=value.all_taint() | _field(owner, field_name), const=value.const)
        uncalled: list[tuple[int, tuple]] = []
        for i, pname in enumerate(parameters):
            source = entry_sources.get(pname)
            if source is not None and source[0] == "entry":
                uncalled.append((i, ("source", *source[1:])))
                source = None
            env[pname] = Value(
                taint=frozenset({(source, frozenset())}) if source else frozenset({(("param", i), frozenset())})
            )
        trusted = any(re.search(row.function, name) for row in self.models.trusted)
        self._run_scope(
            node,
            name=name,
            owner=owner,
            parameters=parameters,
            env=env,
            entry=bool(entry_sources),
            static=static,
            trusted=trusted,
            uncalled=tuple(uncalled),
        )

    def _run_scope(
        self,
        node,
        *,
        name,
        owner,
        parameters,
        env,
        module_level=False,
        entry=False,
        static=False,
        trusted=False,
        uncalled=(),
    ):
        index = len(self.functions)
        scope = _Scope(index, node, owner)
        scope.parameters = tuple(parameters)
        previous = (self.scope, self.memo, self.steps, self.closures, self.templates)
        self.scope, self.memo, self.steps, self.closures, self.templates = scope, {}, 0, set(), {}
        out: Env | None = None
        try:
            if module_level:
                out = self._block(node, env, module_level=True)
            else:
                body = node.child_by_field_name("body")
                out = self._block(body, env) if body is not None else env
        except (GiveUp, RecursionError):
            self.failed.append((node.start_byte, node.end_byte))
        self.functions.append(
            FunctionFlow(
                index=index,
                name=name,
                owner=owner,
                parameters=tuple(parameters),
                line=node.start_point[0] + 1,
                returns=scope.returns,
                entry=entry,
                static=static,
                trusted=trusted,
                uncalled=uncalled,
                validates=tuple(sorted(scope.validates.items())),
            )
        )
        self.scope, self.memo, self.steps, self.closures, self.templates = previous
        return out

    def _parameters(self, node, owner) -> tuple[list[str], dict[str, Origin], bool]:
        """(parameter names without self/cls, name -> entry source origin, static)."""
        params = node.child_by_field_name("parameters")
        names: list[str] = []
        types: dict[str, str] = {}
        annotations: dict[str, list[str]] = {}
        line = node.start_point[0] + 1
        for child in params.named_children if params is not None else ():
            pname = ""
            if child.type == "identifier":
                pname = node_text(child)
            elif child.type in (
                "typed_parameter",
                "default_parameter",
                "typed_default_parameter",
                "list_splat_pattern",
                "dictionary_splat_pattern",
                "formal_parameter",
                "spread_parameter",
            ):
                named = child.child_by_field_name("name")
                if named is None:
                    named = next((c for c in child.named_children if c.type == "identifier"), None)
                if named is None and child.type == "spread_parameter":
                    declarator = next((c for c in child.named_children if c.type == "variable_declarator"), None)
                    named = declarator.child_by_field_name("name") if declarator is not None else None
                pname = node_text(named)
                kind = child.child_by_field_name("type")
                types[pname] = node_text(kind)
                annotations[pname] = _annotations(child)
            if pname:
                names.append(pname)
        decorators = _decorators(node) if self.python else []
        static = "staticmethod" in decorators or (not self.python and "static" in _modifiers(node))
        in_class = _enclosing_class(node, self.language) is not None
        if self.python and in_class and names and not static and names[0] in ("self", "cls"):
            names = names[1:]
        elif self.python and in_class and names and not static and "classmethod" in decorators:
            names = names[1:]
        sources: dict[str, Origin] = {}
        fname = node_text(node.child_by_field_name("name"))
        all_names = [node_text(p.child_by_field_name("name") or p) for p in (params.named_children if params else [])]
        method_annotations = [] if self.python else _annotations(node)
        for row in self.models.sources:
            if row.parameter and (not row.method or re.search(row.method, fname)):
                for pname in names:
                    if re.search(row.parameter, pname):
                        sources[pname] = ("source", row.kind, row.label, line, self.file)
        for row in self.models.entries:
            matched = False
            if row.decorator and any(re.search(row.decorator, d) for d in decorators):
                matched = True
            by_name = False
            if row.first_parameter and all_names and re.search(row.first_parameter, _plain(all_names[0])):
                matched = not row.method or bool(re.search(row.method, fname))
                if matched and row.second_parameter:
                    matched = len(all_names) > 1 and bool(re.search(row.second_parameter, _plain(all_names[1])))
                by_name = matched
            if row.annotation and any(re.search(row.annotation, a) for a in method_annotations):
                matched = True
            if row.parameter_annotation:
                for pname in names:
                    if any(re.search(row.parameter_annotation, a) for a in annotations.get(pname, [])):
                        sources[pname] = ("source", "remote", row.label, line, self.file)
            if not matched:
                continue
            for pname in names:
                if row.skip_parameters and re.search(row.skip_parameters, pname):
                    continue
                if row.skip_types and types.get(pname) and re.search(row.skip_types, _simple_type(types[pname])):
                    continue
                if row.skip_annotations and any(re.search(row.skip_annotations, a) for a in annotations.get(pname, [])):
                    continue
                # an entry known only by its parameters' names (`def view(request, slug)`) may be a helper
                # that views call: its parameters are remote only where nothing scanned calls it
                sources.setdefault(pname, ("entry" if by_name else "source", "remote", row.label, line, self.file))
        return names, sources, static

    # -- statements ---------------------------------------------------------------------------------

    def _tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise GiveUp()

    def _block(self, node, env: Env | None, module_level: bool = False) -> Env | None:
        children = node.named_children if node is not None else []
        for index, child in enumerate(children):
            if env is None:
                self._mark_dead(children[index:])
                return None
            if module_level and child.type in ("function_definition", "class_definition", "decorated_definition"):
                continue
            env = self._statement(child, env)
        return env

    def _mark_dead(self, nodes) -> None:
        for node in nodes:
            if node.type not in ("comment", "line_comment", "block_comment"):
                self.dead.append((node.start_byte, node.end_byte))

    def _statement(self, node, env: Env) -> Env | None:  # noqa: C901 (one dispatch over statement kinds)
        self._tick()
        self.memo = {}
        kind = node.type
        self._visit_candidates(node, env)
        if (
            kind in ("function_definition", "decorated_definition")
            and self.python
            and self.scope is not None
            and (self.scope.node.type in FUNCTIONS["python"])
        ):
            inner = node.child_by_field_name("definition") if kind == "decorated_definition" else node
            name = node_text(inner.child_by_field_name("name")) if inner is not None else ""
            if name:  # a closure: calling it gives what it reads of the enclosing function
                free = EMPTY
                for variable in identifiers(inner.child_by_field_name("body")):
                    if variable in env:
                        free = free | env[variable].all_taint()
                env[name] = Value(taint=free)
                self.closures.add(name)
            return env
        if kind in (
            "function_definition",
            "class_definition",
            "decorated_definition",
            "method_declaration",
            "class_declaration",
            "interface_declaration",
            "enum_declaration",
            "constructor_declaration",
            "record_declaration",
            "comment",
            "line_comment",
            "block_comment",
            "pass_statement",
            "import_statement",
            "import_from_statement",
            "future_import_statement",
            "empty_statement",
            "import_declaration",
            "package_declaration",
            "annotation_type_declaration",
        ):
            return env
        if kind in ("expression_statement",):
            for child in node.named_children:
                if child.type in ("assignment", "augmented_assignment"):
                    env = self._assign(child, env)
                else:
                    value_node = child
                    self._expression(value_node, env)
                    if self._stops(value_node):
                        return None
            return env
        if kind in ("block", "constructor_body"):
            return self._block(node, env)
        if kind == "local_variable_declaration" or kind in ("field_declaration", "constant_declaration"):
            for declarator in node.children_by_field_name("declarator"):
                target = declarator.child_by_field_name("name")
                value = declarator.child_by_field_name("value")
                self._visit_candidates(declarator, env)
                if target is not None:
                    env[node_text(target)] = self._expression(value, env) if value is not None else Value()
            return env
        if kind == "return_statement":
            value = node.named_children[0] if node.named_children else None
            if value is not None:
                self.scope.returns = self.scope.returns | self._expression(value, env).all_taint()
                self._returns_a_check(value, env)
            return None
        if kind in ("raise_statement", "throw_statement"):
            for child in node.named_children:
                self._expression(child, env)
            return None
        if kind in ("break_statement",):
            if self.scope.breaks:
                self.scope.breaks[-1].append(env)
            return None
        if kind in ("continue_statement",):
            if self.scope.continues:
                self.scope.continues[-1].append(env)
            return None
        if kind == "if_statement":
            return self._if(node, env)
        if kind in ("while_statement", "do_statement"):
            return self._while(node, env)
        if kind in ("for_statement", "enhanced_for_statement"):
            return self._for(node, env)
        if kind in ("try_statement", "try_with_resources_statement"):
            return self._try(node, env)
        if kind == "with_statement":
            for item in walk(node):
                if item.type == "with_item":
                    value = item.child_by_field_name("value")
                    if value is not None and value.type == "as_pattern":
                        inner = value.named_children[0] if value.named_children else None
                        alias = value.child_by_field_name("alias")
                        got = self._expression(inner, env) if inner is not None else Value()
                        target = alias.named_children[0] if alias is not None and alias.named_children else alias
                        if target is not None:
                            env = self._bind(target, got, env)
                    elif value is not None:
                        self._expression(value, env)
            return self._block(node.child_by_field_name("body"), env)
        if kind in ("switch_expression", "switch_statement"):
            return self._switch(node, env)
        if kind == "match_statement":
            return self._match(node, env)
        if kind in ("labeled_statement", "synchronized_statement", "static_initializer"):
            out = env
            for child in node.named_children:
                if child.type in ("block",) or child.type.endswith("statement"):
                    out = self._statement(child, out) if out is not None else None
            return out
        if kind in (
            "assert_statement",
            "delete_statement",
            "print_statement",
            "exec_statement",
            "global_statement",
            "nonlocal_statement",
            "yield_statement",
            "explicit_constructor_invocation",
            "type_alias_statement",
        ):
            for child in node.named_children:
                self._expression(child, env)
            if kind == "yield_statement":
                value = node.named_children[0] if node.named_children else None
                if value is not None:
                    self.scope.returns = self.scope.returns | self._expression(value, env).all_taint()
            return env
        if kind in ("ERROR",):
            raise GiveUp()
        for child in node.named_children:  # anything else: read what it holds
            self._expression(child, env)
        return env

    def _stops(self, node) -> bool:
        """Does this call end the run (`abort(403)`, `sys.exit(1)`, `System.exit(1)`)?"""
        if node.type not in ("call", "method_invocation"):
            return False
        written, _, _ = self.context.callee_parts(node)
        if not written:
            return False
        if self.python:
            return written[-1] in ("abort", "exit", "_exit") and len(written) <= 2
        return bool(_STOP_CALLS.match(written[-1])) and written[0] == "System"

    def _if(self, node, env: Env) -> Env | None:
        condition = node.child_by_field_name("condition")
        consequence = node.child_by_field_name("consequence")
        alternatives = node.children_by_field_name("alternative")
        verdict = self._truth(condition, env)
        when_true, when_false = self._validations(condition, env)
        outs: list[Env | None] = []
        if verdict is False:
            self._mark_dead([consequence] if consequence is not None else [])
        else:
            outs.append(self._statement_or_block(consequence, self._validated(env, when_true)))
        false_env = self._validated(env, when_false)
        if verdict is True:
            self._mark_dead(alternatives)
            return join_envs(outs)
        if not alternatives:
            outs.append(false_env)
            return join_envs(outs)
        if self.python:
            rest = false_env
            for clause in alternatives:
                if rest is None:
                    self._mark_dead([clause])
                    continue
                if clause.type == "elif_clause":
                    cond = clause.child_by_field_name("condition")
                    v = self._truth(cond, rest)
                    t, f = self._validations(cond, rest)
                    body = clause.child_by_field_name("consequence")
                    if v is False:
                        self._mark_dead([body])
                    else:
                        outs.append(self._block(body, self._validated(rest, t)))
                    rest = None if v is True else self._validated(rest, f)
                else:
                    outs.append(self._block(clause.child_by_field_name("body") or clause, rest))
                    rest = None
            outs.append(rest)
            return join_envs(outs)
        alternative = alternatives[0]
        outs.append(self._statement_or_block(alternative, false_env))
        return join_envs(outs)

    def _statement_or_block(self, node, env: Env | None) -> Env | None:
        if node is None or env is None:
            return env
        if node.type in ("block",):
            return self._block(node, env)
        if node.type == "else_clause":
            return self._block(node.child_by_field_name("body") or node, env)
        return self._statement(node, env)

    def _loop(self, env: Env, body_round) -> Env | None:
        """Run `body_round(env) -> env after one pass` until values stop growing; the exit env."""
        self.scope.breaks.append([])
        self.scope.continues.append([])
        current = env
        exits: list[Env | None] = []
        try:
            for _ in range(LOOP_ROUNDS):
                after, leave = body_round(current)
                exits.append(leave)
                heads = [current, after] + self.scope.continues[-1]
                self.scope.continues[-1] = []
                joined = join_envs(heads)
                if joined is None or _env_equal(joined, current):
                    break
                current = joined
        finally:
            breaks = self.scope.breaks.pop()
            self.scope.continues.pop()
        return join_envs(exits + breaks)

    def _while(self, node, env: Env) -> Env | None:
        condition = node.child_by_field_name("condition")
        body = node.child_by_field_name("body")
        verdict = self._truth(condition, env)
        if verdict is False and node.type == "while_statement":
            self._mark_dead([body] if body is not None else [])
            return self._else(node, env)

        def round_(current):
            v = self._truth(condition, current)
            t, f = self._validations(condition, current)
            after = self._statement_or_block(body, self._validated(current, t)) if v is not False else current
            leave = (
                None if v is True else self._validated(after if node.type == "do_statement" and after else current, f)
            )
            return after, leave

        out = self._loop(env, round_)
        return self._else(node, out) if out is not None else out

    def _else(self, node, env: Env | None) -> Env | None:
        if not self.python or env is None:
            return env
        alternative = node.child_by_field_name("alternative")
        if alternative is not None:
            return self._block(alternative.child_by_field_name("body") or alternative, env)
        return env

    def _for(self, node, env: Env) -> Env | None:
        body = node.child_by_field_name("body")
        if node.type == "enhanced_for_statement" or (self.python and node.type == "for_statement"):
            if self.python:
                target, iterable = node.child_by_field_name("left"), node.child_by_field_name("right")
            else:
                target, iterable = node.child_by_field_name("name"), node.child_by_field_name("value")
            source = self._expression(iterable, env)
            element = _element(source)
            empty = isinstance(source.items, list) and not source.items or source.const in ("", (), [])

            def round_(current):
                current = self._bind(target, element, dict(current)) if target is not None else dict(current)
                return self._statement_or_block(body, current), current

            if empty:
                self._mark_dead([body] if body is not None else [])
                return self._else(node, env)
            out = self._loop(env, round_)
            return self._else(node, join_envs([out, env]))
        for init in node.children_by_field_name("init"):
            if init.type.endswith("declaration"):
                env = self._statement(init, env)
            else:
                self._expression(init, env)  # `i = 0` in the header: evaluated for its effect on env
        condition = node.child_by_field_name("condition")
        updates = node.children_by_field_name("update")

        def round_(current):
            v = self._truth(condition, current) if condition is not None else True
            after = self._statement_or_block(body, dict(current)) if v is not False else current
            if after is not None:
                for update in updates:
                    self._expression(update, after)
            return after, (None if v is True else current)

        return self._loop(env, round_)

    def _try(self, node, env: Env) -> Env | None:
        if node.type == "try_with_resources_statement":
            resources = node.child_by_field_name("resources")
            for resource in resources.named_children if resources is not None else ():
                name, value = resource.child_by_field_name("name"), resource.child_by_field_name("value")
                got = self._expression(value, env) if value is not None else Value()
                if name is not None:
                    env[node_text(name)] = got
        body = node.child_by_field_name("body")
        after = self._block(body, dict(env))
        handler_in = join_envs([env, after]) or env
        outs: list[Env | None] = []
        final = None
        else_clause = None
        for child in node.named_children:
            if child.type in ("except_clause", "catch_clause", "except_group_clause"):
                local = dict(handler_in)
                for part in child.named_children:
                    if part.type == "catch_formal_parameter":
                        local[node_text(part.child_by_field_name("name"))] = Value()
                    elif part.type == "as_pattern":
                        alias = part.child_by_field_name("alias")
                        if alias is not None:
                            local = self._bind(
                                alias.named_children[0] if alias.named_children else alias, Value(), local
                            )
                block = next((c for c in child.named_children if c.type in ("block",)), None)
                outs.append(self._block(block, local) if block is not None else local)
            elif child.type == "finally_clause":
                final = child
            elif child.type == "else_clause":
                else_clause = child
        if else_clause is not None and after is not None:
            after = self._block(else_clause.child_by_field_name("body") or else_clause, after)
        outs.append(after)
        out = join_envs(outs)
        if final is not None:
            block = next((c for c in final.named_children if c.type == "block"), None)
            finally_in = out if out is not None else dict(handler_in)
            result = self._block(block, finally_in) if block is not None else finally_in
            return result if out is not None else None
        return out

    def _switch(self, node, env: Env) -> Env | None:
        condition = node.child_by_field_name("condition")
        subject = self._expression(condition, env) if condition is not None else Value()
        body = node.child_by_field_name("body")
        groups = [
            c
            for c in (body.named_children if body is not None else [])
            if c.type in ("switch_block_statement_group", "switch_rule")
        ]
        labels = []
        known = subject.const is not UNSET
        for group in groups:
            values, default = [], False
            for label in (c for c in group.named_children if c.type == "switch_label"):
                if not label.named_children:
                    default = True
                for expression in label.named_children:
                    value = self._expression(expression, env).const
                    if value is UNSET:
                        known = False
                    values.append(value)
            labels.append((values, default))
        self.scope.breaks.append([])
        outs: list[Env | None] = []
        try:
            start = None
            if known:
                start = next(
                    (
                        i
                        for i, (values, _) in enumerate(labels)
                        if any(
                            _same(v, subject.const)
                            or (isinstance(v, str) and isinstance(subject.const, str) and v == subject.const)
                            for v in values
                        )
                    ),
                    None,
                )
                if start is None:
                    start = next((i for i, (_, default) in enumerate(labels) if default), None)
                if start is None:
                    self._mark_dead(groups)
                    return env
                self._mark_dead(groups[:start])
                starts = [start]
            else:
                starts = list(range(len(groups)))
            for first in starts:
                current: Env | None = dict(env)
                for group in groups[first:]:
                    if current is None:
                        break
                    statements = [c for c in group.named_children if c.type != "switch_label"]
                    for statement in statements:
                        if current is None:
                            break
                        if statement.type.endswith("expression") or statement.type == "identifier":
                            self._expression(statement, current)  # a switch rule's value: the arm ends here
                            outs.append(current)
                            current = None
                            break
                        current = self._statement(statement, current)
                    if group.type == "switch_rule":
                        outs.append(current)
                        current = None
                        break
                outs.append(current)
            if not known and not any(default for _, default in labels):
                outs.append(env)
        finally:
            outs.extend(self.scope.breaks.pop())
        return join_envs(outs)

    def _match(self, node, env: Env) -> Env | None:
        subject = node.child_by_field_name("subject")
        if subject is not None:
            self._expression(subject, env)
        outs: list[Env | None] = [env]
        body = node.child_by_field_name("body")
        for case in body.named_children if body is not None else []:
            if case.type == "case_clause":
                block = case.child_by_field_name("consequence")
                outs.append(self._block(block, dict(env)) if block is not None else env)
        return join_envs(outs)

    # -- assignment -----------------------------------------------------------------------------------

    def _assign(self, node, env: Env) -> Env:
        self._visit_candidates(node, env)
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if node.type == "augmented_assignment":
            operator_text = node_text(node.child_by_field_name("operator")).rstrip("=")
            current = self._expression(left, env)
            value = self._binary(operator_text, current, self._expression(right, env))
            return self._bind(left, value, env)
        targets = [left]
        while right is not None and right.type == "assignment":
            targets.append(right.child_by_field_name("left"))
            right = right.child_by_field_name("right")
        value = self._expression(right, env) if right is not None else Value()
        for target in targets:
            env = self._bind(target, value, env)
            if right is not None and right.id in self.at_node and target is not None:
                self.templates[node_text(target)] = self.at_node[right.id]
        return env

    def _store_field(self, name: str, value: Value) -> None:
        """`self.x = v`, `this.x = v` or a Java field assigned by its bare name: the class's field `x`
        may hold `v` in any method that reads it (one value per class and field)."""
        scope = self.scope
        if scope is None or not scope.owner:
            return
        parts = name.split(".")
        if len(parts) == 2 and parts[0] in ("self", "this", "cls"):
            field_name = parts[1]
        elif len(parts) == 1 and not self.python and name in self.fields.get(scope.owner, {}):
            field_name = name
        else:
            return
        taint = value.all_taint()
        if taint:
            self.field_stores.append((scope.index, scope.owner, field_name, taint))

    def _bind(self, target, value: Value, env: Env) -> Env:
        if target is None:
            return env
        kind = target.type
        if kind in ("identifier", "attribute", "field_access"):
            name = chain(target)
            if name is not None:
                self._store_field(name, value)
                env[name] = value
                for stale in [k for k in env if k.startswith(name + ".")]:
                    del env[stale]
            return env
        if kind in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "list_splat_pattern"):
            parts = [c for c in target.named_children]
            for i, part in enumerate(parts):
                if isinstance(value.items, list) and len(value.items) == len(parts):
                    item = value.items[i]
                else:
                    item = Value(taint=value.all_taint())
                env = self._bind(
                    part.named_children[0] if part.type == "list_splat_pattern" and part.named_children else part,
                    item,
                    env,
                )
            return env
        if kind in ("subscript", "array_access"):
            container = target.child_by_field_name("value") or target.child_by_field_name("array")
            index = target.child_by_field_name("subscript") or target.child_by_field_name("index")
            name = chain(container) if container is not None else None
            if name is not None and name in env:
                holder = env[name]
                key = self._expression(index, env).const if index is not None else UNSET
                items = holder.items
                if isinstance(items, dict) and key is not UNSET and _hashable(key):
                    items = dict(items)
                    items[key] = value
                    env[name] = Value(taint=holder.taint, const=UNSET, items=items)
                elif isinstance(items, list) and isinstance(key, int) and -len(items) <= key < len(items):
                    items = list(items)
                    items[key] = value
                    env[name] = Value(taint=holder.taint, const=UNSET, items=items)
                else:
                    env[name] = Value(taint=holder.all_taint() | value.all_taint())
            elif container is not None:
                self._expression(container, env)
            return env
        return env

    # -- expressions ----------------------------------------------------------------------------------

    def _expression(self, node, env: Env) -> Value:
        if node is None:
            return Value()
        cached = self.memo.get(node.id)
        if cached is not None:
            return cached
        self._tick()
        value = self._evaluate(node, env)
        self.memo[node.id] = value
        if node.id in self.at_node:
            self._visit_candidates(node, env)
        return value

    def _visit_candidates(self, node, env: Env) -> None:
        indices = self.at_node.get(node.id)
        if not indices:
            return
        for index in indices:
            match = self.matches[index]
            taint = EMPTY
            for data in match.data:  # the candidate's own node is in the memo by now: no recursion
                value = self._expression(data, env)
                taint = taint | value.all_taint()
                if _holds_literal(value):
                    self.literals.add(index)
            if match.candidate.cwe == "CWE-78" and match.candidate.kind == "api" and self._argument_vector(match, env):
                taint = clean(taint, frozenset({"CWE-78"}))
            if index not in self.visited:
                reason = self._safe_form(match, env) or self._unused(match)
                if reason:
                    self.disarmed[index] = reason
            self.visited.add(index)
            self.candidate_taint[index] = self.candidate_taint.get(index, EMPTY) | taint
            self.candidate_scope[index] = self.scope.index if self.scope is not None else -1

    def _safe_form(self, match: Match, env: Env) -> str:
        """The id of a `safe_sink` model row this candidate's form matches, else ""."""
        cwe, node = match.candidate.cwe, match.node
        rows = [r for r in self.models.safe_sinks if cwe in r.cwes or "*" in r.cwes]
        if not rows:
            return ""
        call = node.type in ("call", "method_invocation", "object_creation_expression")
        written, resolved, receiver = self.context.callee_parts(node) if call else ((), (), None)
        keywords = {}
        first = UNSET
        if call:
            arguments = node.child_by_field_name("arguments")
            positional = []
            for child in arguments.named_children if arguments is not None else ():
                if child.type == "keyword_argument":
                    value = self._expression(child.child_by_field_name("value"), env).const
                    keywords[node_text(child.child_by_field_name("name"))] = value
                elif child.type not in ("comment", "line_comment", "block_comment"):
                    positional.append(child)
            first = node_text(positional[0]) if positional else UNSET
        literal = None
        for data in match.data:
            value = self._expression(data, env).const
            if isinstance(value, str):
                literal = value
        for row in rows:
            if row.names and not (call and names_match(row.names, written, resolved)):
                continue
            if row.receiver and not self._receiver_matches(row.receiver, receiver):
                continue
            if row.first_argument and (first is UNSET or not re.search(row.first_argument, first)):
                continue
            if row.keyword:
                given = {k: v for k, v in keywords.items() if re.fullmatch(row.keyword, k)}
                if row.forwarded:  # `secure=secure`: the function passes on its caller's choice
                    if not given or any(v is not UNSET for v in given.values()):
                        continue
                else:
                    hits = [v for v in given.values() if v is not UNSET]
                    if not hits or (row.value and not any(re.search(row.value, self._text_of(v)) for v in hits)):
                        continue
            if row.literal and (literal is None or not re.search(row.literal, literal)):
                continue
            if row.literal or row.keyword or row.names:
                return row.id
        if cwe == "CWE-798" and literal is not None and not call and _spells_its_name(node, literal, self.language):
            return "literal-spells-its-name"
        return ""

    def _text_of(self, value: object) -> str:
        """A constant as its language writes it (`False`/`false`, a string's characters)."""
        if isinstance(value, str):
            return value
        return _java_str(value) if not self.python else repr(value)

    def _unused(self, match: Match) -> str:
        """The id of a `use` model row whose use this candidate's value never reaches, else ""."""
        rows = [r for r in self.models.uses if match.candidate.cwe in r.cwes]
        if not rows:
            return ""
        words = {word for name in _use_names(match.node, self.language) for word in _words(name)}
        for row in rows:
            if not any(re.search(row.names, word) for word in words):
                return row.id
        return ""

    def _argument_vector(self, match: Match, env: Env) -> bool:
        """Is a process started with an argument vector, not a command line? A list of arguments
        (`run(["git", "clone", url])`, `new ProcessBuilder("ls", dir)`, `execute("mkdir", "-p", d)`)
        hands each element to the program as one argument: no shell splits or interprets it (option
        injection is CWE-88, another weakness), unless the vector starts a shell or `shell=True`."""
        node = match.node
        if node.type not in ("call", "method_invocation", "object_creation_expression"):
            return False
        arguments = node.child_by_field_name("arguments")
        positional = [
            c
            for c in (arguments.named_children if arguments is not None else [])
            if c.type not in ("keyword_argument", "comment", "line_comment", "block_comment")
        ]
        for child in arguments.named_children if arguments is not None else ():
            if child.type == "keyword_argument" and node_text(child.child_by_field_name("name")) == "shell":
                if self._expression(child.child_by_field_name("value"), env).const is not False:
                    return False
        if not positional:
            return False
        first = self._expression(positional[0], env)
        if isinstance(first.items, list) and first.items:
            head = first.items[0].const
            return isinstance(head, str) and not _SHELLS.match(head.strip())
        if len(positional) >= 2 and isinstance(first.const, str) and " " not in first.const.strip():
            return not _SHELLS.match(first.const.strip())
        return False

    def _evaluate(self, node, env: Env) -> Value:  # noqa: C901 (one dispatch over expression kinds)
        kind = node.type
        if kind in ("identifier", "this", "super"):
            return self._lookup(node_text(node), env)
        if kind in ("attribute", "field_access"):
            return self._attribute(node, env)
        if kind in ("call", "method_invocation", "object_creation_expression"):
            checked = env.get(_TEXT_KEY + node_text(node)) if self.checked else None
            if checked is not None:  # the same expression a validator checked on this path
                return checked
            return self._call(node, env)
        if kind in ("string", "concatenated_string", "string_literal", "text_block", "character_literal"):
            return self._string(node, env)
        if kind in (
            "integer",
            "float",
            "true",
            "false",
            "none",
            "null_literal",
            "decimal_integer_literal",
            "hex_integer_literal",
            "octal_integer_literal",
            "binary_integer_literal",
            "decimal_floating_point_literal",
        ):
            try:
                return Value(const=literal_value(node))
            except Exception:
                return Value()
        if kind in ("binary_operator", "binary_expression"):
            operator_text = node_text(node.child_by_field_name("operator"))
            left = self._expression(node.child_by_field_name("left"), env)
            if operator_text in ("&&", "||"):
                truth = _truthy(left.const)
                if (operator_text == "&&" and truth is False) or (operator_text == "||" and truth is True):
                    self._mark_dead([node.child_by_field_name("right")])
                    return Value(const=truth)
            right = self._expression(node.child_by_field_name("right"), env)
            return self._binary(operator_text, left, right)
        if kind == "boolean_operator":
            operator_text = node_text(node.child_by_field_name("operator"))
            left = self._expression(node.child_by_field_name("left"), env)
            truth = _truthy(left.const)
            if (operator_text == "and" and truth is False) or (operator_text == "or" and truth is True):
                return left
            right = self._expression(node.child_by_field_name("right"), env)
            if truth is not None:
                return right
            return Value(taint=left.all_taint() | right.all_taint())
        if kind in ("not_operator",):
            inner = self._expression(node.child_by_field_name("argument"), env)
            truth = _truthy(inner.const)
            return Value(const=(not truth) if truth is not None else UNSET)
        if kind == "unary_operator" or kind == "unary_expression":
            operand = node.child_by_field_name("argument") or node.child_by_field_name("operand")
            inner = self._expression(operand, env)
            operator_text = node_text(node.child_by_field_name("operator"))
            if inner.const is not UNSET:
                try:
                    if operator_text == "!":
                        truth = _truthy(inner.const)
                        return Value(const=(not truth) if truth is not None else UNSET)
                    result = {"-": operator.neg, "+": operator.pos, "~": operator.invert}[operator_text](inner.const)
                    return Value(const=result)
                except Exception:
                    pass
            if operator_text == "!":
                return Value()
            return Value(taint=inner.all_taint())
        if kind == "comparison_operator":
            return self._comparison(node, env)
        if kind in ("conditional_expression", "ternary_expression"):
            return self._conditional(node, env)
        if kind in (
            "parenthesized_expression",
            "await",
            "cast_expression",
            "expression_statement",
            "keyword_argument",
            "list_splat",
            "dictionary_splat",
            "parenthesized_list_splat",
        ):
            inner = node.child_by_field_name("value") if kind in ("cast_expression", "keyword_argument") else None
            if inner is None:
                children = [c for c in node.named_children if c.type not in ("comment",)]
                inner = children[-1] if children else None
            return self._expression(inner, env) if inner is not None else Value()
        if kind in ("list", "tuple", "set", "array_initializer", "expression_list"):
            items = [self._expression(c, env) for c in node.named_children if c.type != "comment"]
            if any(c.type in ("list_splat", "parenthesized_list_splat") for c in node.named_children):
                return Value(taint=frozenset().union(*(i.all_taint() for i in items)) if items else EMPTY)
            consts = [i.const for i in items]
            const = UNSET if any(c is UNSET for c in consts) else (tuple(consts) if kind != "list" else tuple(consts))
            return Value(items=items, const=const if kind in ("tuple",) else UNSET)
        if kind == "dictionary":
            items: dict = {}
            taint = EMPTY
            exact = True
            for pair in node.named_children:
                if pair.type == "pair":
                    key = self._expression(pair.child_by_field_name("key"), env)
                    value = self._expression(pair.child_by_field_name("value"), env)
                    if key.const is not UNSET and _hashable(key.const):
                        items[key.const] = value
                    else:
                        exact = False
                        taint = taint | value.all_taint() | key.all_taint()
                elif pair.type != "comment":
                    exact = False
                    taint = taint | self._expression(pair, env).all_taint()
            if not exact:
                return Value(
                    taint=taint | frozenset().union(*(v.all_taint() for v in items.values())) if items else taint
                )
            return Value(items=items)
        if kind == "subscript" or kind == "array_access":
            return self._subscript(node, env)
        if kind in ("list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"):
            local = dict(env)
            for clause in node.named_children:
                if clause.type == "for_in_clause":
                    iterable = self._expression(clause.child_by_field_name("right"), local)
                    local = self._bind(clause.child_by_field_name("left"), _element(iterable), local)
            taint = EMPTY
            for clause in node.named_children:
                if clause.type not in ("for_in_clause",):
                    taint = taint | self._expression(clause, local).all_taint()
            return Value(taint=taint)
        if kind in ("lambda", "lambda_expression"):
            body = node.child_by_field_name("body")
            local = dict(env)
            if body is not None and body.type == "block":
                saved = self.scope.returns
                self._block(body, local)
                taint = self.scope.returns
                self.scope.returns = saved
                return Value(taint=taint)
            return Value(taint=self._expression(body, local).all_taint()) if body is not None else Value()
        if kind in ("assignment", "assignment_expression", "named_expression", "augmented_assignment"):
            if kind == "named_expression":
                value = self._expression(node.child_by_field_name("value"), env)
                self._bind(node.child_by_field_name("name"), value, env)
                return value
            if kind == "assignment_expression":
                operator_text = node_text(node.child_by_field_name("operator")).rstrip("=")
                left = node.child_by_field_name("left")
                value = self._expression(node.child_by_field_name("right"), env)
                if operator_text:
                    value = self._binary(operator_text, self._expression(left, env), value)
                self._bind(left, value, env)
                return value
            self._assign(node, env)
            return self._expression(node.child_by_field_name("left"), env)
        if kind == "update_expression":
            target = next((c for c in node.named_children), None)
            current = self._expression(target, env)
            text = node_text(node)
            if isinstance(current.const, int) and not isinstance(current.const, bool) and target is not None:
                self._bind(target, Value(const=current.const + (1 if "++" in text else -1)), env)
            return current
        if kind in (
            "instanceof_expression",
            "class_literal",
            "method_reference",
            "ellipsis",
            "type",
            "comment",
            "line_comment",
            "block_comment",
            "marker_annotation",
            "annotation",
        ):
            return Value()
        if kind == "array_creation_expression":
            initializer = node.child_by_field_name("value")
            if initializer is not None:
                return self._expression(initializer, env)
            for child in node.named_children:
                self._expression(child, env)
            return Value(items=None)
        if kind == "switch_expression":
            taint = EMPTY
            self._expression(node.child_by_field_name("condition"), env)
            for child in walk(node.child_by_field_name("body")) if node.child_by_field_name("body") else ():
                if child.type in ("switch_rule",):
                    for part in child.named_children:
                        if part.type != "switch_label":
                            taint = taint | self._expression(part, dict(env)).all_taint()
            return Value(taint=taint)
        if kind == "block":
            self._block(node, dict(env))
            return Value()
        taint = EMPTY
        for child in node.named_children:
            taint = taint | self._expression(child, env).all_taint()
        return Value(taint=taint)

    def _lookup(self, name: str, env: Env) -> Value:
        if name in env:
            return env[name]
        if name in self.globals:
            return self.globals[name]
        return Value()

    def _attribute(self, node, env: Env) -> Value:
        name = chain(node)
        if name is not None and name in env:
            return env[name]
        obj = node.child_by_field_name("object")
        member = node_text(node.child_by_field_name("attribute") or node.child_by_field_name("field"))
        receiver_text = node_text(obj)
        for row in self.models.sources:
            if row.member and member in row.member and (not row.receiver or re.search(row.receiver, receiver_text)):
                return Value(
                    taint=frozenset(
                        {(("source", row.kind, row.label, node.start_point[0] + 1, self.file), frozenset())}
                    )
                )
        if obj is not None and obj.type in ("this",) or receiver_text in ("self", "cls", "this"):
            owner = _enclosing_class(node, self.language)
            fields_ = self.fields.get(node_text(owner.child_by_field_name("name")), {}) if owner is not None else {}
            class_name = node_text(owner.child_by_field_name("name")) if owner is not None else ""
            stored = _field(class_name, member) if class_name else EMPTY
            if member in fields_:
                return Value(taint=fields_[member].all_taint() | stored, const=fields_[member].const)
            return Value(taint=stored)
        base = self._expression(obj, env) if obj is not None else Value()
        if name is not None and name in self.globals:
            return self.globals[name]
        return Value(taint=base.all_taint())

    def _string(self, node, env: Env) -> Value:
        if node.type == "concatenated_string":
            parts = [self._string(c, env) for c in node.named_children if c.type == "string"]
            if all(p.const is not UNSET for p in parts):
                return Value(const="".join(str(p.const) for p in parts))
            return Value(taint=frozenset().union(*(p.taint for p in parts)) if parts else EMPTY)
        interpolations = [c for c in node.named_children if c.type == "interpolation"]
        if not interpolations:
            if node.type == "character_literal":
                text = node_text(node)
                return Value(const=text[1:-1] if len(text) == 3 else UNSET)
            return Value(const=string_content(node))
        taint = EMPTY
        for part in interpolations:
            inner = part.child_by_field_name("expression") or (part.named_children[0] if part.named_children else None)
            if inner is not None:
                taint = taint | self._expression(inner, env).all_taint()
        return Value(taint=taint)

    def _binary(self, operator_text: str, left: Value, right: Value) -> Value:
        if left.const is not UNSET and right.const is not UNSET:
            try:
                if operator_text in ("&&", "and"):
                    return Value(const=bool(left.const) and bool(right.const))
                if operator_text in ("||", "or"):
                    return Value(const=bool(left.const) or bool(right.const))
                if operator_text in _COMPARE:
                    return Value(const=_COMPARE[operator_text](left.const, right.const))
                if (
                    not self.python
                    and operator_text == "+"
                    and (isinstance(left.const, str) or isinstance(right.const, str))
                ):
                    return Value(const=_java_str(left.const) + _java_str(right.const))
                if (
                    not self.python
                    and operator_text == "/"
                    and all(isinstance(v, int) for v in (left.const, right.const))
                ):
                    return Value(const=int(left.const / right.const))
                function = _PY_BINARY.get(operator_text)
                if function is not None:
                    result = function(left.const, right.const)
                    if isinstance(result, str | int | float | bool | bytes) and (
                        not isinstance(result, str | bytes) or len(result) < 10_000
                    ):
                        return Value(const=result)
            except Exception:
                pass
        if operator_text in _COMPARE or operator_text in ("&&", "||", "instanceof"):
            return Value()
        if operator_text == "+" and isinstance(left.items, list) and isinstance(right.items, list):
            return Value(items=left.items + right.items)
        return Value(taint=left.all_taint() | right.all_taint())

    def _comparison(self, node, env: Env) -> Value:
        children = node.named_children
        operators = [node_text(c) for c in node.children if not c.is_named]
        operators = _merge_operators(operators)
        values = [self._expression(c, env) for c in children]
        result: object = True
        for i, op in enumerate(operators):
            if i + 1 >= len(values):
                break
            left, right = values[i], values[i + 1]
            right_const = right.const
            if right_const is UNSET and isinstance(right.items, list | dict) and op in ("in", "not in"):
                right_const = _container_const(right)
            if left.const is UNSET or right_const is UNSET or op not in _COMPARE:
                result = UNSET
                break
            try:
                if not _COMPARE[op](left.const, right_const):
                    result = False
                    break
            except Exception:
                result = UNSET
                break
        return Value(const=result)

    def _conditional(self, node, env: Env) -> Value:
        if self.python:
            children = node.named_children
            if len(children) < 3:
                return Value()
            body, condition, alternative = children[0], children[1], children[2]
        else:
            condition = node.child_by_field_name("condition")
            body = node.child_by_field_name("consequence")
            alternative = node.child_by_field_name("alternative")
        truth = self._truth(condition, env)
        if truth is True:
            self._mark_dead([alternative])
            return self._expression(body, env)
        if truth is False:
            self._mark_dead([body])
            return self._expression(alternative, env)
        return join(self._expression(body, env), self._expression(alternative, env))

    def _subscript(self, node, env: Env) -> Value:
        container_node = node.child_by_field_name("value") or node.child_by_field_name("array")
        index_node = node.child_by_field_name("subscript") or node.child_by_field_name("index")
        container = self._expression(container_node, env)
        index = self._expression(index_node, env) if index_node is not None else Value()
        if isinstance(container.items, dict) and index.const is not UNSET and _hashable(index.const):
            if index.const in container.items:
                return container.items[index.const]
            return Value(taint=container.taint)
        if isinstance(container.items, list) and isinstance(index.const, int) and not isinstance(index.const, bool):
            if -len(container.items) <= index.const < len(container.items):
                return container.items[index.const]
            return Value(taint=container.taint)
        if container.const is not UNSET and index.const is not UNSET:
            try:
                return Value(const=container.const[index.const])
            except Exception:
                pass
        return Value(taint=container.all_taint())

    # -- calls ----------------------------------------------------------------------------------------

    def _call(self, node, env: Env) -> Value:  # noqa: C901 (models are tried in a fixed order)
        written, resolved, receiver = self.context.callee_parts(node)
        arguments_node = node.child_by_field_name("arguments")
        positional: list[Value] = []
        keywords: dict[str, Value] = {}
        for child in arguments_node.named_children if arguments_node is not None else ():
            if child.type == "keyword_argument":
                keywords[node_text(child.child_by_field_name("name"))] = self._expression(
                    child.child_by_field_name("value"), env
                )
            elif child.type not in ("comment", "line_comment", "block_comment"):
                positional.append(self._expression(child, env))
        if self.python and node.type == "call":
            function = node.child_by_field_name("function")
            if function is not None and function.type not in ("identifier", "attribute"):
                self._expression(function, env)  # a call of a call's result: evaluate its parts
        received = self._expression(receiver, env) if receiver is not None else None
        everything = EMPTY
        for value in positional + list(keywords.values()) + ([received] if received is not None else []):
            everything = everything | value.all_taint()
        line = node.start_point[0] + 1
        name = written[-1] if written else ""
        receiver_text = node_text(receiver) if receiver is not None else ""
        receiver_name = chain(receiver) if receiver is not None else None
        if len(written) == 1 and written[0] in self.closures and written[0] in env:
            return Value(taint=env[written[0]].all_taint() | everything)
        if name in _RENDERS and receiver is not None:  # Template(...).render(x): x reaches the template sink
            rendered = self.at_node.get(receiver.id) or self.templates.get(receiver_name or "", [])
            for index in rendered:
                self.candidate_taint[index] = self.candidate_taint.get(index, EMPTY) | everything
        # containers first: a local list or map read or written at a constant key
        if receiver_name is not None and receiver_name in env:
            handled = self._container_call(name, receiver_name, env, positional, node)
            if handled is not None:
                return handled
            holder = env[receiver_name]
            if holder.items is not None and (positional or keywords):  # filled in a way not followed
                env[receiver_name] = Value(taint=holder.all_taint() | everything)
        for row in rows_for(self.models.sources, written, resolved):
            if not row.receiver or self._receiver_matches(row.receiver, receiver):
                return Value(taint=frozenset({(("source", row.kind, row.label, line, self.file), frozenset())}))
        for row in rows_for(self.models.sanitizers, written, resolved):
            return Value(taint=clean(everything, frozenset(row.cwes)))
        if rows_for(self.models.neutrals, written, resolved):
            return Value()
        if node.type == "object_creation_expression" and _JAVA_CONTAINERS.match(written[-1] if written else ""):
            if not positional:
                kind_node = node.child_by_field_name("type")
                type_name = node_text(kind_node)
                return Value(items={} if re.search(r"Map|Hashtable", type_name) else [])
            return Value(taint=everything)
        # a mutating method on a local name: its receiver now holds what it was given
        mutators = _PY_MUTATORS if self.python else _JAVA_MUTATORS
        if receiver_name is not None and name in mutators and receiver_name in env:
            holder = env[receiver_name]
            added = EMPTY
            for value in positional + list(keywords.values()):
                added = added | value.all_taint()
            env[receiver_name] = Value(taint=holder.all_taint() | added)
        site = self._site(node, written, resolved, receiver, receiver_text, positional, keywords, everything)
        if site is None:
            if receiver_name is not None and name in mutators and receiver_name in env:
                return env[receiver_name]
            return Value(taint=everything)
        return Value(taint=frozenset({(("call", site), frozenset())}))

    def _receiver_matches(self, regex: str, receiver) -> bool:
        if receiver is None:
            return False
        return self.context.receiver_matches(regex, receiver)

    def _container_call(self, name, receiver_name, env, positional, node) -> Value | None:
        holder = env[receiver_name]
        items = holder.items
        if items is None:
            return None
        consts = [p.const for p in positional]
        if isinstance(items, list):
            new = list(items)
            if name in ("append", "add", "addLast", "offer", "push") and len(positional) == 1:
                new.append(positional[0])
            elif name in ("add", "insert") and len(positional) == 2 and isinstance(consts[0], int):
                if 0 <= consts[0] <= len(new):
                    new.insert(consts[0], positional[1])
                else:
                    return self._collapse(receiver_name, env, positional)
            elif name in ("get", "elementAt") and len(positional) == 1 and isinstance(consts[0], int):
                if 0 <= consts[0] < len(new):
                    return new[consts[0]]
                return Value()
            elif name in ("pop", "remove") and len(positional) <= 1:
                if not positional and name == "pop":
                    if not new:
                        return Value()
                    value = new.pop()
                    env[receiver_name] = Value(taint=holder.taint, items=new)
                    return value
                if (
                    positional
                    and isinstance(consts[0], int)
                    and not isinstance(consts[0], bool)
                    and (name == "pop" or not self.python)
                ):
                    if 0 <= consts[0] < len(new):
                        value = new.pop(consts[0])
                        env[receiver_name] = Value(taint=holder.taint, items=new)
                        return value
                    return Value()
                return self._collapse(receiver_name, env, positional)
            elif name == "set" and len(positional) == 2 and isinstance(consts[0], int):
                if 0 <= consts[0] < len(new):
                    old = new[consts[0]]
                    new[consts[0]] = positional[1]
                    env[receiver_name] = Value(taint=holder.taint, items=new)
                    return old
                return self._collapse(receiver_name, env, positional)
            elif name in ("size", "__len__", "isEmpty", "contains", "index", "count", "indexOf"):
                return Value(const=len(new) if name in ("size", "__len__") else UNSET)
            elif name in ("extend", "addAll"):
                return self._collapse(receiver_name, env, positional)
            else:
                return None
            env[receiver_name] = Value(taint=holder.taint, items=new)
            return Value()
        new_map = dict(items)
        key = consts[0] if consts else UNSET
        if name in ("put", "setdefault", "putIfAbsent") and len(positional) == 2:
            if key is UNSET or not _hashable(key):
                return self._collapse(receiver_name, env, positional)
            old = new_map.get(key, Value())
            if name == "put" or key not in new_map:
                new_map[key] = positional[1]
            env[receiver_name] = Value(taint=holder.taint, items=new_map)
            return old if name == "put" else new_map[key]
        if name in ("get", "getOrDefault", "pop", "remove", "getProperty") and positional:
            if key is UNSET or not _hashable(key):
                return Value(taint=holder.all_taint())
            value = new_map.get(key)
            if value is None:
                value = positional[1] if len(positional) > 1 else Value()
            if name in ("pop", "remove") and key in new_map:
                del new_map[key]
                env[receiver_name] = Value(taint=holder.taint, items=new_map)
            return value
        if name in ("keys", "keySet", "containsKey", "size", "isEmpty", "__len__"):
            return Value(const=UNSET)
        if name in ("update", "putAll"):
            return self._collapse(receiver_name, env, positional)
        return None

    def _collapse(self, receiver_name, env, positional) -> Value:
        holder = env[receiver_name]
        taint = holder.all_taint()
        for value in positional:
            taint = taint | value.all_taint()
        env[receiver_name] = Value(taint=taint)
        return Value()

    def _site(self, node, written, resolved, receiver, receiver_text, positional, keywords, everything) -> int | None:
        """A call site for the program to resolve, or None when no scanned function can be the callee."""
        if not written or "()" in written[:-1]:
            return None
        receiver_type = ""
        name = written[-1]
        if self.python:
            if len(written) == 1:
                if name in _PY_BUILTIN_CALLS and resolved == written:
                    return None
            elif written[0] in ("self", "cls") and len(written) == 2:
                receiver_type = "self"
            elif written[0] == "super" or receiver_text.startswith("super("):
                receiver_type = "super"
            elif written[0] in self.context.aliases:
                pass
            elif written[0][:1].isupper() and len(written) == 2:
                receiver_type = written[0]
            elif len(written) == 2 and written[0] in self.context.types:
                receiver_type = self.context.types[written[0]].split(".")[-1].split("(")[0]
            else:
                return None
        else:
            if node.type == "object_creation_expression":
                receiver_type = name
                if _JAVA_LIBRARY_TYPES.match(name):
                    return None
            elif receiver is None or receiver_text in ("this",):
                receiver_type = "self"
            elif receiver_text == "super":
                receiver_type = "super"
            else:
                declared = self.context.types.get(receiver_text, "")
                if declared:
                    receiver_type = re.sub(r"<.*", "", declared)
                elif len(written) == 2 and written[0][:1].isupper():
                    receiver_type = written[0]
                elif receiver_text.startswith("this.") and receiver_text.count(".") == 1:
                    receiver_type = self.context.types.get(receiver_text[5:], "")
                if not receiver_type or _JAVA_LIBRARY_TYPES.match(receiver_type):
                    return None
        key = node.id
        entry = self.sites.get(key)
        arguments = [v.all_taint() for v in positional]
        if entry is None:
            entry = {
                "function": self.scope.index,
                "line": node.start_point[0] + 1,
                "callee": tuple(written),
                "resolved": tuple(resolved),
                "receiver_type": receiver_type,
                "arguments": arguments,
                "keywords": {k: v.all_taint() for k, v in keywords.items()},
                "fallback": everything,
            }
            self.sites[key] = entry
            self.site_index[key] = len(self.site_order)
            self.site_order.append(key)
        else:
            entry["arguments"] = (
                [a | b for a, b in zip(entry["arguments"], arguments)]
                + entry["arguments"][len(arguments) :]
                + arguments[len(entry["arguments"]) :]
            )
            for k, v in keywords.items():
                entry["keywords"][k] = entry["keywords"].get(k, EMPTY) | v.all_taint()
            entry["fallback"] = entry["fallback"] | everything
        return self.site_index[key]

    # -- conditions -----------------------------------------------------------------------------------

    def _truth(self, condition, env: Env) -> bool | None:
        if condition is None:
            return None
        value = self._expression(condition, env)
        return _truthy(value.const)

    def _validations(self, condition, env: Env) -> tuple[dict[str, frozenset], dict[str, frozenset]]:
        """Names a condition cleans where it holds, and where it fails: (when true, when false)."""
        if condition is None:
            return {}, {}
        kind = condition.type
        if kind in ("parenthesized_expression",) and condition.named_children:
            return self._validations(condition.named_children[-1], env)
        if kind == "not_operator" or (
            kind == "unary_expression" and node_text(condition.child_by_field_name("operator")) == "!"
        ):
            inner = condition.child_by_field_name("argument") or condition.child_by_field_name("operand")
            when_true, when_false = self._validations(inner, env)
            return when_false, when_true
        if kind in ("boolean_operator", "binary_expression"):
            operator_text = node_text(condition.child_by_field_name("operator"))
            if operator_text in ("and", "&&", "or", "||"):
                lt, lf = self._validations(condition.child_by_field_name("left"), env)
                rt, rf = self._validations(condition.child_by_field_name("right"), env)
                if operator_text in ("and", "&&"):
                    return {**lt, **rt}, {}
                return {}, {**lf, **rf}
            if operator_text in ("==", "!=") and not self.python:
                return self._equality(condition, operator_text == "==", env)
            return {}, {}
        if kind == "comparison_operator":
            operators = _merge_operators([node_text(c) for c in condition.children if not c.is_named])
            children = condition.named_children
            if len(operators) != 1 or len(children) != 2:
                return {}, {}
            op = operators[0]
            left, right = children
            if op in ("in", "not in"):
                left_name, right_name = chain(left), chain(right)
                right_value = self._expression(right, env)
                left_value = self._expression(left, env)
                if left_name is not None and not right_value.all_taint():  # x in ALLOWED
                    facts = {left_name: ALL}
                    return (facts, {}) if op == "in" else ({}, facts)
                if right_name is not None and left_value.const in ("..", "/", "\\", "../"):
                    facts = {right_name: frozenset({"CWE-22"})}  # ".." in path
                    return ({}, facts) if op == "in" else (facts, {})
                return {}, {}
            if op in ("==", "!="):
                return self._equality(condition, op == "==", env)
            return {}, {}
        if kind in ("call", "method_invocation"):
            return self._validator_call(condition, env), {}
        return {}, {}

    def _equality(self, condition, equal: bool, env: Env) -> tuple[dict, dict]:
        children = condition.named_children
        if len(children) != 2:
            return {}, {}
        a, b = children
        facts = {}
        for name_node, other in ((a, b), (b, a)):
            name = chain(name_node)
            if name is not None and self._expression(other, env).const not in (UNSET, None):
                facts[name] = ALL
        return (facts, {}) if equal else ({}, facts)

    def _returns_a_check(self, value, env: Env) -> None:
        """`return url_has_allowed_host_and_scheme(url)`: the function validates its parameter the
        way the check it returns does (a validator of the program, `FunctionFlow.validates`)."""
        scope = self.scope
        if scope is None or not scope.parameters:
            return
        when_true, _ = self._validations(value, env)
        for name, cwes in when_true.items():
            if name in scope.parameters and not any(c.startswith(_CHECK) for c in cwes):
                index = scope.parameters.index(name)
                scope.validates[index] = scope.validates.get(index, frozenset()) | cwes

    def _validator_call(self, node, env: Env) -> dict[str, frozenset]:
        written, resolved, receiver = self.context.callee_parts(node)
        if not written:
            return {}
        arguments_node = node.child_by_field_name("arguments")
        positional = [
            c
            for c in (arguments_node.named_children if arguments_node is not None else [])
            if c.type not in ("keyword_argument", "comment", "line_comment", "block_comment")
        ]
        facts: dict[str, frozenset] = {}
        for row in rows_for(self.models.validators, written, resolved):
            targets = []
            if row.on in ("receiver", "either") and receiver is not None:
                targets.append(receiver)
            if row.keywords and arguments_node is not None:
                for child in arguments_node.named_children:
                    if (
                        child.type == "keyword_argument"
                        and node_text(child.child_by_field_name("name")) in row.keywords
                    ):
                        targets.append(child.child_by_field_name("value"))
            if row.on in ("argument", "either"):
                if row.argument >= 0:
                    targets.extend(positional[row.argument : row.argument + 1])
                else:
                    targets.extend(positional)
            for target in targets:
                if target is receiver and target.type == "method_invocation":  # pattern.matcher(x).matches()
                    inner_args = target.child_by_field_name("arguments")
                    inner = list(inner_args.named_children) if inner_args is not None else []
                    if node_text(target.child_by_field_name("name")) == "matcher" and len(inner) == 1:
                        target = inner[0]
                name = chain(target)
                if name is None and target.type in ("call", "method_invocation", "subscript"):
                    name = _TEXT_KEY + node_text(target)  # `is_safe_url(request.args.get("next"))`
                if name is not None:
                    facts[name] = frozenset(row.cwes) if "*" not in row.cwes else ALL
            break
        else:  # no model row: a scanned function may check its argument (`if safe_for_redirect(url):`)
            site = self.sites.get(node.id)
            if site is not None:
                index = self.site_index[node.id]
                for position, argument in enumerate(positional):
                    name = chain(argument)
                    if name is not None:
                        facts[name] = frozenset({check_token(self.file, index, position)})
        return facts

    def _validated(self, env: Env | None, facts: dict[str, frozenset]) -> Env | None:
        if env is None or not facts:
            return dict(env) if env is not None else None
        out = dict(env)
        self.checked = self.checked or any(name.startswith(_TEXT_KEY) for name in facts)
        for name, cwes in facts.items():
            if name in out:
                value = out[name]
                out[name] = Value(taint=clean(value.all_taint(), cwes), const=value.const)
            else:
                out[name] = Value()
        return out


# --- helpers ------------------------------------------------------------------------------------------


_RENDERS = {"render", "render_async", "substitute", "safe_substitute", "generate", "stream", "process"}
_STATEMENT_ENDS = {
    "expression_statement",
    "return_statement",
    "local_variable_declaration",
    "field_declaration",
    "block",
    "module",
    "class_body",
    "if_statement",
    "for_statement",
    "while_statement",
}


def _field(owner: str, name: str) -> Taint:
    """The taint of a class's field as read: resolved from every store the program sees."""
    return frozenset({(("field", owner, name), frozenset())})


def _holds_literal(value: Value, depth: int = 0) -> bool:
    """Does a non-empty string literal sit in `value` (itself, or an element of a list or dict)?"""
    if isinstance(value.const, str) and value.const.strip():
        return True
    if value.items is None or depth > 4:
        return False
    elements = value.items.values() if isinstance(value.items, dict) else value.items
    return any(_holds_literal(item, depth + 1) for item in elements)


def _use_names(node, language: str, *, follow: bool = True) -> list[str]:
    """The names a value is used as: assignment targets (and string keys it is stored under),
    keyword names it is passed as, callees it is passed to, the function it is returned from, and
    the enclosing function's own name. With `follow`, a value assigned to a variable
    (`rng = Random()`) is used as what that variable's method calls give, one level deep."""
    names: list[str] = []
    targets: set[str] = set()
    current = node
    while current.parent is not None and current.type not in _STATEMENT_ENDS:
        parent = current.parent
        if parent.type in ("assignment", "augmented_assignment", "assignment_expression"):
            target = parent.child_by_field_name("left")
            if target is not None and target is not current:
                names.append(node_text(target))
                targets.add(node_text(target))
        elif parent.type == "variable_declarator":
            names.append(node_text(parent.child_by_field_name("name")))
            targets.add(names[-1])
        elif parent.type in ("keyword_argument", "pair"):
            names.append(node_text(parent.child_by_field_name("name") or parent.child_by_field_name("key")))
        elif parent.type in ("argument_list", "arguments"):
            call = parent.parent
            if call is not None:
                callee = call.child_by_field_name("function") or call.child_by_field_name("name")
                names.append(node_text(callee).split(".")[-1])
        elif parent.type == "return_statement":
            function = enclosing(parent, FUNCTIONS[language])
            if function is not None:
                names.append(node_text(function.child_by_field_name("name")))
        current = parent
    if current.type == "return_statement":
        function = enclosing(current, FUNCTIONS[language])
        if function is not None:
            names.append(node_text(function.child_by_field_name("name")))
    function = enclosing(node, FUNCTIONS[language])
    if function is not None:
        names.append(node_text(function.child_by_field_name("name")))
        held = {t for t in targets if t.isidentifier()} if follow else set()
        for call in walk(function) if held else ():
            if call.type in ("call", "method_invocation") and call is not node:
                receiver = call.child_by_field_name("object")
                if receiver is None and call.type == "call":
                    callee = call.child_by_field_name("function")
                    receiver = (
                        callee.child_by_field_name("object")
                        if callee is not None and callee.type == "attribute"
                        else None
                    )
                if receiver is not None and node_text(receiver) in held:
                    names.extend(_use_names(call, language, follow=False)[:-1])
    return [n for n in names if n]


def _spells_its_name(node, literal: str, language: str) -> bool:
    """`ACCOUNT_RESET_PASSWORD = "account_reset_password"`, `TOKEN = "token"`: a value that spells
    the name it is assigned to is a label (an event name, an error code), not a secret."""
    target = node.child_by_field_name("left") or node.child_by_field_name("name") or node.child_by_field_name("key")
    if target is None and node.type in ("local_variable_declaration", "field_declaration", "constant_declaration"):
        declarator = node.child_by_field_name("declarator")
        target = declarator.child_by_field_name("name") if declarator is not None else None
    if target is None:
        return False
    name = node_text(target).split(".")[-1].strip("'\"")
    squash = re.compile(r"[^a-z0-9]")
    value = squash.sub("", literal.lower())
    if not value:
        return False
    if value == squash.sub("", name.lower()) or (len(value) >= 6 and squash.sub("", name.lower()).endswith(value)):
        return True
    # "wb-access-token" for ACCESS_TOKEN, "ApolloUserToken" for USER_TOKEN: the value names the credential
    # (a preference key, a header or cookie name); a secret does not spell the word for itself
    words = _words(name)
    if value in words and len(words) > 1:  # REQUEST_TOKEN = "request": one word of its own name
        return True
    return bool(words) and len(words[-1]) >= 3 and words[-1] in _words(literal)


def _words(text: str) -> list[str]:
    """`ACCESS_TOKEN`, `accessToken`, `wb-access-token` -> ["access", "token"] (lowercase)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def _element(value: Value) -> Value:
    """What iterating over `value` gives."""
    if isinstance(value.items, list):
        joined = None
        for item in value.items:
            joined = join(joined, item)
        if joined is None:
            return Value(taint=value.taint)
        return Value(taint=joined.all_taint() | value.taint, const=joined.const)
    if isinstance(value.items, dict):
        return Value(taint=value.taint)  # a dict iterates over its keys, constants here
    if isinstance(value.const, tuple) and value.const:
        consts = set(value.const) if all(_hashable(c) for c in value.const) else set()
        return Value(const=value.const[0] if len(consts) == 1 else UNSET)
    return Value(taint=value.all_taint())


def _container_const(value: Value) -> object:
    if isinstance(value.items, dict):
        return tuple(value.items.keys())
    if isinstance(value.items, list) and all(i.const is not UNSET for i in value.items):
        return tuple(i.const for i in value.items)
    return UNSET


def _truthy(const: object) -> bool | None:
    if const is UNSET:
        return None
    try:
        return bool(const)
    except Exception:
        return None


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _java_str(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def _merge_operators(tokens: list[str]) -> list[str]:
    """`not`, `in` -> `not in`; `is`, `not` -> `is not` (tree-sitter gives them as separate tokens)."""
    out: list[str] = []
    skip = False
    for i, token in enumerate(tokens):
        if skip:
            skip = False
            continue
        if token == "not" and i + 1 < len(tokens) and tokens[i + 1] == "in":
            out.append("not in")
            skip = True
        elif token == "is" and i + 1 < len(tokens) and tokens[i + 1] == "not":
            out.append("is not")
            skip = True
        elif token not in ("(", ")"):
            out.append(token)
    return out


def _env_equal(a: Env, b: Env) -> bool:
    if a.keys() != b.keys():
        return False
    for key, value in a.items():
        other = b[key]
        if value.all_taint() != other.all_taint() or not (
            value.const is other.const or _same(value.const, other.const)
        ):
            return False
    return True


def _enclosing_class(node, language: str):
    parent = node.parent
    while parent is not None:
        if parent.type in _CLASSES[language]:
            return parent
        if language == "python" and parent.type in FUNCTIONS[language]:
            return None  # a function nested in a function is not a method
        parent = parent.parent
    return None


def _decorators(node) -> list[str]:
    parent = node.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    out = []
    for child in parent.named_children:
        if child.type == "decorator":
            expression = child.named_children[0] if child.named_children else None
            if expression is not None and expression.type == "call":
                expression = expression.child_by_field_name("function")
            out.append(".".join(p for p in dotted(expression) if p != "()"))
    return out


def _modifiers(node) -> list[str]:
    for child in node.children:
        if child.type == "modifiers":
            return [node_text(c) for c in child.children if not c.is_named]
    return []


def _annotations(node) -> list[str]:
    out = []
    for child in node.children:
        if child.type == "modifiers":
            for annotation in child.named_children:
                if annotation.type in ("annotation", "marker_annotation"):
                    name = annotation.child_by_field_name("name")
                    out.append(node_text(name).split(".")[-1])
    return out


def _plain(parameter: str) -> str:
    return parameter.split(":")[0].split("=")[0].strip().lstrip("*")


def _simple_type(text: str) -> str:
    return re.sub(r"<.*", "", text).split(".")[-1].strip()


def interpret(
    tree: tree_sitter.Tree,
    language: str,
    models: TaintModels,
    matches: list[Match],
    *,
    file: str = "",
    module: str = "",
) -> FileFlow:
    """The local flow of one parsed file whose candidates are `matches` (see the module doc)."""
    return Interpreter(tree, language, models, matches, file=file, module=module).run()


__all__ = ["CallSite", "CandidateFlow", "FileFlow", "FunctionFlow", "interpret"]
