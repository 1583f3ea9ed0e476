"""Cut the backward slice of a candidate: the code that decides what reaches the sink, and whether.

Within the candidate's function (or the module or class code around it), the slice holds:

- the statement with the sink, marked with a trailing comment naming the CWE;
- transitively, every statement before it (or in a loop around it) that defines a name the sink's
  data reads: assignments, augmented assignments, `x.append(...)`-style calls on the name
  (`sb.append`, `params.put`, `factory.setFeature`, `cookie.setSecure`), loop and `with`
  targets, declarations;
- the conditions that decide whether those statements run (if/elif/else, loops, try/except,
  switch cases), and the definitions of the names the conditions read;
- the function's signature (where parameters enter), and one level deep the fields and module
  constants the slice reads and the bodies of same-file helpers it calls.

Conditions over literals and constants (`if 1 + 1 == 3`, a `final` field set to `5`, a local
assigned a literal once) are folded and annotated `always true` / `always false`; a sink behind a
condition that never holds is marked unreachable. The slice is rendered as the original lines in
file order (dedented). Code the slicer cannot follow (a syntax error around the sink, a huge
function) falls back to a window of lines around the sink, and the slice says why.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

import tree_sitter

from vulntune.analysis.candidates import Match
from vulntune.analysis.folding import Unknown, constants_of, fold
from vulntune.analysis.syntax import FUNCTIONS, chain, identifiers, node_text
from vulntune.cwe import CATALOGUE
from vulntune.parsing import walk

MAX_ATOMS = 1500  # statements in one function before the slicer falls back to a window
MAX_ROWS = 60  # rendered lines; farther statements are dropped first
WINDOW = (6, 3)  # lines before and after the sink in a fallback window
HELPER_ROWS = 12  # a same-file helper longer than this shows its signature and returns only

_SIMPLE = {
    "python": {
        "expression_statement",
        "return_statement",
        "assert_statement",
        "raise_statement",
        "delete_statement",
        "global_statement",
        "nonlocal_statement",
        "print_statement",
        "exec_statement",
        "decorator",
    },
    "java": {
        "local_variable_declaration",
        "expression_statement",
        "return_statement",
        "throw_statement",
        "yield_statement",
        "explicit_constructor_invocation",
        "field_declaration",
    },
}
_HEADERS = {  # compound statements whose header binds names (loop targets, `with ... as`, resources)
    "python": {"for_statement", "with_statement", "except_clause"},
    "java": {"enhanced_for_statement", "for_statement", "try_with_resources_statement", "catch_clause"},
}
_CONDITIONS = {  # compound nodes whose `condition` (or value) decides which branch runs
    "python": {
        "if_statement",
        "elif_clause",
        "while_statement",
        "conditional_expression",
        "match_statement",
        "case_clause",
    },
    "java": {
        "if_statement",
        "while_statement",
        "do_statement",
        "for_statement",
        "switch_expression",
        "switch_statement",
        "ternary_expression",
        "switch_block_statement_group",
        "switch_rule",
    },
}
_BODIES = ("body", "consequence", "alternative")
_BLOCKS = {"python": {"block"}, "java": {"block", "switch_block", "constructor_body", "class_body"}}
_COMMENT = {"python": "#", "java": "//"}
_SOURCES = {
    "python": re.compile(
        r"request\.(args|form|values|json|data|files|cookies|headers|get_json|GET|POST|body|"
        r"query_params|path_params|FILES|COOKIES|META|query_string|url|path|environ)|sys\.argv|"
        r"\binput\(|os\.environ|os\.getenv|\.recv(from)?\(|\.read(line|lines)?\(|parse_qs|"
        r"\bflask\.request|self\.request|\brequest\b"
    ),
    "java": re.compile(
        r"\.get(Parameter|ParameterValues|ParameterMap|Header|Headers|Cookies|QueryString|"
        r"InputStream|Reader|PathInfo|RequestURI|RequestURL|Value)\(|System\.(getenv|getProperty)\(|"
        r"readLine\(|@(RequestParam|PathVariable|RequestBody|RequestHeader|CookieValue|QueryParam|"
        r"PathParam|FormParam|HeaderParam)|\bargs\[|new Scanner\(|\.read\(|getProperty\("
    ),
}


_ANNOTATION = re.compile(r"  (#|//) (<- CWE-\d+ .*|always true|always false)$")


def without_annotation(line: str) -> str:
    """A slice line as the source file has it: without the sink mark or folding note the slicer appended."""
    return _ANNOTATION.sub("", line)


@dataclass(kw_only=True, frozen=True)
class Slice:
    """What the judge reads for one candidate.

    Attributes:
        text: the slice as code, the sink line marked (`# <- CWE-89`).
        lines: the file line of each line of `text`.
        sink_row: index in `text`'s lines of the sink's first line.
        sources: where the sink's data comes from, following its definitions (not the guards):
            "parameter" (a parameter of the function), "input" (a request, argv, environment,
            stream or socket read); empty when it is built only from literals and constants.
        unreachable: the sink sits behind a condition that folds to never true.
        fallback: why a window of lines was cut instead of a slice; None for a real slice.
    """

    text: str
    lines: tuple[int, ...]
    sink_row: int
    sources: tuple[str, ...] = ()
    unreachable: bool = False
    fallback: str | None = None


@dataclass(eq=False)
class _Atom:
    """A statement (or a compound statement's header) with the names it defines and reads."""

    node: tree_sitter.Node
    rows: tuple[int, int]  # first and last file row (0-based)
    defines: frozenset[str]
    reads: frozenset[str]


def slice_match(match: Match, tree: tree_sitter.Tree, lines: list[str], language: str) -> Slice:
    """The slice of `match`'s candidate in the file `tree` was parsed from (`lines`: its text)."""
    node = match.node
    scope = _scope(node, language)
    if _near_error(node):
        return _window(match, lines, language, "syntax error around the sink")
    atoms = _atoms(scope, language)
    if len(atoms) > MAX_ATOMS:
        return _window(match, lines, language, f"function of {len(atoms)} statements")
    return _Slicer(match, tree, scope, atoms, lines, language).run()


class _Slicer:
    def __init__(self, match, tree, scope, atoms, lines, language):
        self.match, self.tree, self.scope, self.atoms = match, tree, scope, atoms
        self.lines, self.language = lines, language
        self.constants = _file_nodes(tree, language).constants  # the file's: found once per tree

    def run(self) -> Slice:
        rows, notes, unreachable, relevant, selected = self._cut()
        node = self.match.node
        rows |= _signature_rows(self.scope, self.language)
        rows |= self._caller_rows()
        rows |= _closing_rows(rows, self.tree, self.language)
        extra_before, extra_after = self._context_rows(selected, relevant)
        sink_row = node.start_point[0]
        body = _trim(sorted(rows), sink_row)
        ordered = sorted(set(extra_before)) + body + [r for r in sorted(set(extra_after)) if r not in body]
        text, file_lines, marked = _render(
            ordered, self.lines, self.language, sink_row, notes, self.match.candidate.cwe
        )
        return Slice(text=text, lines=file_lines, sink_row=marked, sources=self._sources(), unreachable=unreachable)

    def rows_only(self) -> set[int]:
        rows, *_ = self._cut()
        return rows | _signature_rows(self.scope, self.language)

    def _cut(self):
        node = self.match.node
        sink_atom = _innermost(self.atoms, node)
        relevant: set[str] = set()
        for data in self.match.data:
            relevant |= identifiers(data)
        selected: list[_Atom] = [sink_atom] if sink_atom is not None else []
        rows: set[int] = set(range(node.start_point[0], node.end_point[0] + 1))
        if sink_atom is not None:
            rows |= set(range(sink_atom.rows[0], sink_atom.rows[1] + 1))
        limit = node.end_byte
        loops = [
            a
            for a in _ancestors(node, self.scope)
            if a.type in ("for_statement", "while_statement", "enhanced_for_statement", "do_statement")
        ]
        if loops:
            limit = max(limit, max(loop.end_byte for loop in loops))
        pending = [a for a in self.atoms if a is not sink_atom and a.node.start_byte < limit]
        for jump in _early_exits(self.scope, node, self.language):  # `if bad: return` before the sink
            if jump not in selected:
                selected.append(jump)
                if jump in pending:
                    pending.remove(jump)
        notes: dict[int, str] = {}
        unreachable = False
        changed = True
        guarded: set[tuple[int, int]] = set()
        while changed:
            changed = False
            for atom in list(pending):
                if _defines_any(atom.defines, relevant):
                    pending.remove(atom)
                    selected.append(atom)
                    relevant |= atom.reads
                    changed = True
            for atom in list(selected):
                for owner in _ancestors(atom.node, self.scope):
                    branch = next((c.start_byte for c in owner.children if _inside(atom.node, c) or c == atom.node), 0)
                    if (owner.id, branch) in guarded:
                        continue
                    guarded.add((owner.id, branch))
                    header_rows, condition = _header(owner, atom.node, self.language)
                    rows |= header_rows
                    if condition is not None:
                        names = identifiers(condition)
                        if names - relevant:
                            relevant |= names
                            changed = True
                        verdict = self._fold(condition)
                        if verdict is not None:
                            notes[condition.end_point[0]] = "always true" if verdict else "always false"
                            if atom is sink_atom and _branch_never_runs(owner, node, verdict):
                                unreachable = True
        for atom in selected:
            rows |= set(range(atom.rows[0], atom.rows[1] + 1))
        return rows, notes, unreachable, relevant, selected

    def _caller_rows(self) -> set[int]:
        """One level up: the same-file call sites of the function, with what they pass."""
        name = node_text(self.scope.child_by_field_name("name"))
        rows: set[int] = set()
        if not name or self.scope.type not in FUNCTIONS[self.language]:
            return rows
        for call in _file_nodes(self.tree, self.language).calls_by_name.get(name, ()):
            if _inside(call, self.scope):
                continue
            caller = _scope(call, self.language)
            if caller.type not in FUNCTIONS[self.language]:
                continue
            atoms = _atoms(caller, self.language)
            if len(atoms) > MAX_ATOMS:
                continue
            arguments = call.child_by_field_name("arguments")
            inner = _Slicer(
                Match(candidate=self.match.candidate, node=call, data=(arguments,) if arguments else ()),
                self.tree,
                caller,
                atoms,
                self.lines,
                self.language,
            )
            rows |= inner.rows_only()
        return rows

    def _fold(self, condition) -> bool | None:
        try:
            return bool(fold(condition, self.constants, self.language))
        except Unknown:
            return None

    def _context_rows(self, selected, relevant) -> tuple[list[int], list[int]]:
        """Rows of the fields/constants the slice reads and of the same-file helpers it calls."""
        before: list[int] = []
        after: list[int] = []
        local = set()
        for atom in self.atoms:
            local |= atom.defines
        local |= _parameters(self.scope, self.language)
        wanted = {name for name in relevant if name.split(".")[0] not in local or name.startswith(("self.", "this."))}
        root = self.tree.root_node
        if self.scope != root:
            by_name = _file_nodes(self.tree, self.language).definitions_by_name
            seen: set[int] = set()
            for wanted_name in sorted(wanted):
                for node in by_name.get(wanted_name, ()):
                    if node.id in seen or node is self.scope or _inside(node, self.scope):
                        continue
                    seen.add(node.id)
                    before.extend(range(node.start_point[0], node.end_point[0] + 1))
        called = set()
        for atom in selected:
            for child in walk(atom.node):
                if child.type in ("call", "method_invocation"):
                    name = (
                        child.child_by_field_name("name")
                        if child.type == "method_invocation"
                        else child.child_by_field_name("function")
                    )
                    text = node_text(name).split(".")[-1]
                    called.add(text)
        by_name = _file_nodes(self.tree, self.language).functions_by_name
        for name in sorted(called):
            for node in by_name.get(name, ()):
                if node == self.scope or _inside(self.scope, node):
                    continue
                after.extend(_helper_rows(node, self.language))
        return before, after

    def _sources(self) -> tuple[str, ...]:
        """Where the sink's data comes from, following definitions only (a guard that reads a
        request decides whether the sink runs, not what reaches it)."""
        names: set[str] = set()
        texts = [node_text(data) for data in self.match.data]
        for data in self.match.data:
            names |= identifiers(data)
        pending = [a for a in self.atoms if a.node.start_byte < self.match.node.start_byte]
        changed = True
        while changed:
            changed = False
            for atom in list(pending):
                if _defines_any(atom.defines, names):
                    pending.remove(atom)
                    names |= atom.reads
                    texts.append(node_text(atom.node))
                    changed = True
        found = []
        if names & _parameters(self.scope, self.language):
            found.append("parameter")
        if any(_SOURCES[self.language].search(text) for text in texts):
            found.append("input")
        return tuple(found)


@dataclass(frozen=True)
class _FileNodes:
    """A file's calls, definitions and functions, found once per tree and not once per candidate."""

    calls: tuple[tree_sitter.Node, ...]
    definitions: tuple[tuple[tree_sitter.Node, frozenset[str]], ...]  # with the names each defines
    functions: tuple[tree_sitter.Node, ...]
    constants: dict[str, object]  # `folding.constants_of` the file
    calls_by_name: dict[str, tuple[tree_sitter.Node, ...]]  # by the callee's last name
    definitions_by_name: dict[str, tuple[tree_sitter.Node, ...]]  # by each name a definition defines
    functions_by_name: dict[str, tuple[tree_sitter.Node, ...]]
    block_ends: dict[int, tuple[int, ...]]  # a block's first row -> the rows its blocks close on


_FILE_NODES: dict[int, tuple[tree_sitter.Tree, _FileNodes]] = {}


def _file_nodes(tree: tree_sitter.Tree, language: str) -> _FileNodes:
    cached = _FILE_NODES.get(id(tree))
    if cached is not None and cached[0] is tree:
        return cached[1]
    calls, definitions, functions = [], [], []
    block_ends: dict[int, list[int]] = {}
    for node in walk(tree.root_node):
        if node.type == "block":
            block_ends.setdefault(node.start_point[0], []).append(node.end_point[0])
        if node.type in ("call", "method_invocation"):
            calls.append(node)
        elif node.type in FUNCTIONS[language]:
            functions.append(node)
        if _is_definition(node, language):
            definitions.append(node)
    defined = tuple((node, frozenset(_defined_names(node, language))) for node in definitions)
    calls_by_name: dict[str, list] = {}
    for call in calls:
        callee = (
            call.child_by_field_name("name")
            if call.type == "method_invocation"
            else call.child_by_field_name("function")
        )
        calls_by_name.setdefault(node_text(callee).split(".")[-1], []).append(call)
    definitions_by_name: dict[str, list] = {}
    for node, names in defined:
        for name in names:
            definitions_by_name.setdefault(name, []).append(node)
    functions_by_name: dict[str, list] = {}
    for node in functions:
        functions_by_name.setdefault(node_text(node.child_by_field_name("name")), []).append(node)
    found = _FileNodes(
        calls=tuple(calls),
        definitions=defined,
        functions=tuple(functions),
        constants=constants_of(tree.root_node, tree.root_node, language),
        calls_by_name={k: tuple(v) for k, v in calls_by_name.items()},
        definitions_by_name={k: tuple(v) for k, v in definitions_by_name.items()},
        functions_by_name={k: tuple(v) for k, v in functions_by_name.items()},
        block_ends={k: tuple(v) for k, v in block_ends.items()},
    )
    _FILE_NODES.clear()  # one file at a time: the cache holds the tree being sliced
    _FILE_NODES[id(tree)] = (tree, found)
    return found


# --- statements ----------------------------------------------------------------------------------


def _scope(node: tree_sitter.Node, language: str) -> tree_sitter.Node:
    """The function or method holding `node`, else the file's root (module or class code)."""
    scope = node
    while scope.parent is not None:
        scope = scope.parent
        if scope.type in FUNCTIONS[language]:
            return scope
    return scope


def _near_error(node: tree_sitter.Node) -> bool:
    parent = node
    while parent is not None:
        if parent.type == "ERROR":
            return True
        parent = parent.parent
    return node.has_error


def _atoms(scope: tree_sitter.Node, language: str) -> list[_Atom]:
    atoms = []
    stack = [scope]
    while stack:
        node = stack.pop()
        for child in reversed(node.children):
            if child.type in FUNCTIONS[language] or child.type in ("class_definition", "class_declaration", "lambda"):
                if child is not scope:
                    continue
            if child.type in _SIMPLE[language]:
                atoms.append(_atom(child, language))
                continue
            if child.type in _HEADERS[language]:
                header = _header_atom(child, language)
                if header is not None:
                    atoms.append(header)
            stack.append(child)
    atoms.sort(key=lambda a: a.node.start_byte)
    return atoms


def _atom(node: tree_sitter.Node, language: str) -> _Atom:
    defines, reads = _defines_reads(node, language)
    return _Atom(
        node=node, rows=(node.start_point[0], node.end_point[0]), defines=frozenset(defines), reads=frozenset(reads)
    )


def _defines_reads(node: tree_sitter.Node, language: str) -> tuple[set[str], set[str]]:
    """Names a simple statement defines (assigns, declares, mutates) and reads."""
    defines: set[str] = set()
    reads = identifiers(node)
    expression = node.named_children[0] if node.type == "expression_statement" and node.named_children else node
    if language == "python" and expression.type in ("assignment", "augmented_assignment"):
        targets = [expression.child_by_field_name("left")]
        value = expression
        while value is not None and value.type == "assignment":  # a = b = value
            value = value.child_by_field_name("right")
            if value is not None and value.type == "assignment":
                targets.append(value.child_by_field_name("left"))
        for target in targets:
            defines |= _target_names(target)
        if expression.type == "assignment":
            reads -= {
                n
                for t in targets
                if t is not None and t.type in ("identifier", "pattern_list", "tuple_pattern")
                for n in _target_names(t)
            }
    elif language == "java" and node.type in ("local_variable_declaration", "field_declaration"):
        for declarator in node.children_by_field_name("declarator"):
            name = declarator.child_by_field_name("name")
            if name is not None:
                defines.add(node_text(name))
                reads.discard(node_text(name))
    elif language == "java" and expression.type == "assignment_expression":
        defines |= _target_names(expression.child_by_field_name("left"))
    elif language == "java" and expression.type == "update_expression":
        defines |= identifiers(expression)
    if expression.type in ("call", "method_invocation"):
        receiver = _mutated_receiver(expression, language)
        if receiver:
            defines.add(receiver)
    return defines, reads


def _target_names(target: tree_sitter.Node | None) -> set[str]:
    if target is None:
        return set()
    if target.type in ("identifier", "attribute", "field_access"):
        name = chain(target)
        return {name} if name else set()
    if target.type in ("subscript", "array_access"):
        inner = target.child_by_field_name("value") or target.child_by_field_name("array")
        name = chain(inner) if inner is not None else None
        return {name} if name else set()
    names = set()
    for child in target.named_children:
        names |= _target_names(child)
    return names


def _mutated_receiver(call: tree_sitter.Node, language: str) -> str | None:
    """`sb.append(x)`, `params.put(k, v)`, `self.items.extend(x)`: the call may change its receiver."""
    if language == "python":
        function = call.child_by_field_name("function")
        receiver = (
            function.child_by_field_name("object") if function is not None and function.type == "attribute" else None
        )
    else:
        receiver = call.child_by_field_name("object")
    while receiver is not None and receiver.type in ("call", "method_invocation"):  # sb.append(a).append(b)
        receiver = (
            receiver.child_by_field_name("function").child_by_field_name("object")
            if language == "python"
            and receiver.child_by_field_name("function") is not None
            and receiver.child_by_field_name("function").type == "attribute"
            else receiver.child_by_field_name("object")
            if language == "java"
            else None
        )
    return chain(receiver) if receiver is not None else None


def _header_atom(node: tree_sitter.Node, language: str) -> _Atom | None:
    """The binding part of a loop, `with`, `except` or try-with-resources header."""
    defines: set[str] = set()
    reads: set[str] = set()
    body = node.child_by_field_name("body")
    end = body.start_byte if body is not None else node.end_byte
    if node.type == "for_statement" and language == "python":
        defines |= _target_names(node.child_by_field_name("left"))
        reads |= identifiers(node.child_by_field_name("right"))
    elif node.type == "with_statement":
        for item in walk(node):
            if item.start_byte >= end:
                break
            if item.type == "as_pattern":
                alias = item.child_by_field_name("alias")
                defines |= _target_names(
                    alias.named_children[0] if alias is not None and alias.named_children else alias
                )
                reads |= identifiers(item.named_children[0]) if item.named_children else set()
    elif node.type == "except_clause":
        for child in node.named_children:
            if child.type == "as_pattern":
                alias = child.child_by_field_name("alias")
                defines |= _target_names(
                    alias.named_children[0] if alias is not None and alias.named_children else alias
                )
    elif node.type == "enhanced_for_statement":
        defines |= {node_text(node.child_by_field_name("name"))}
        reads |= identifiers(node.child_by_field_name("value"))
    elif node.type == "for_statement":
        init = node.child_by_field_name("init")
        if init is not None:
            inner_defines, inner_reads = _defines_reads(init, language)
            defines |= inner_defines
            reads |= inner_reads
    elif node.type == "try_with_resources_statement":
        resources = node.child_by_field_name("resources")
        for resource in resources.named_children if resources is not None else ():
            defines |= {node_text(resource.child_by_field_name("name"))}
            reads |= identifiers(resource.child_by_field_name("value"))
    elif node.type == "catch_clause":
        for child in node.named_children:
            if child.type == "catch_formal_parameter":
                defines |= {node_text(child.child_by_field_name("name"))}
    defines.discard("")
    if not defines:
        return None
    first = node.start_point[0]
    last = first
    for child in node.children:
        if child.start_byte >= end:
            break
        last = child.end_point[0]
    return _Atom(node=node, rows=(first, max(first, last)), defines=frozenset(defines), reads=frozenset(reads))


def _innermost(atoms: list[_Atom], node: tree_sitter.Node) -> _Atom | None:
    holding = [a for a in atoms if a.node.start_byte <= node.start_byte and node.end_byte <= a.node.end_byte]
    return min(holding, key=lambda a: a.node.end_byte - a.node.start_byte, default=None)


def _defines_any(defines: frozenset[str], relevant: set[str]) -> bool:
    for name in defines:
        if name in relevant:
            return True
        prefix = name + "."
        if any(r.startswith(prefix) for r in relevant):
            return True
    return False


def _ancestors(node: tree_sitter.Node, scope: tree_sitter.Node):
    parent = node.parent
    while parent is not None and parent != scope:
        yield parent
        parent = parent.parent


def _inside(node: tree_sitter.Node, outer: tree_sitter.Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte and node != outer


def _header(
    owner: tree_sitter.Node, inner: tree_sitter.Node, language: str
) -> tuple[set[int], tree_sitter.Node | None]:
    """Rows of `owner`'s header that a reader needs to see `inner` in context, and the condition
    deciding whether `inner` runs (None when none does)."""
    rows: set[int] = set()
    if owner.type in _BLOCKS[language]:
        if language == "java":
            rows |= {owner.start_point[0], owner.end_point[0]}
        return rows, None
    body = None
    for field in _BODIES:
        child = owner.child_by_field_name(field)
        if child is not None and child.start_byte <= inner.start_byte and inner.end_byte <= child.end_byte:
            body = child
            break
    first = owner.start_point[0]
    stop = body.start_point[0] if body is not None else first
    if owner.type in (
        "if_statement",
        "elif_clause",
        "while_statement",
        "for_statement",
        "with_statement",
        "enhanced_for_statement",
        "try_statement",
        "try_with_resources_statement",
        "except_clause",
        "catch_clause",
        "finally_clause",
        "else_clause",
        "switch_block_statement_group",
        "switch_rule",
        "case_clause",
        "match_statement",
        "switch_expression",
        "switch_statement",
        "do_statement",
        "synchronized_statement",
        "labeled_statement",
    ):
        condition = owner.child_by_field_name("condition")
        end = condition.end_point[0] if condition is not None else first
        rows |= set(range(first, max(first, min(end, stop if stop > first else end)) + 1))
        if (
            language == "java"
            and body is not None
            and owner.type == "if_statement"
            and body == owner.child_by_field_name("alternative")
        ):
            for child in owner.children:
                if child.type == "else":
                    rows.add(child.start_point[0])
        if language == "java" and owner.type == "do_statement" and condition is not None:
            rows |= set(range(condition.start_point[0], condition.end_point[0] + 1))
        if owner.type in ("switch_block_statement_group", "switch_rule"):
            for child in owner.named_children:
                if child.type == "switch_label":
                    rows |= set(range(child.start_point[0], child.end_point[0] + 1))
            switch = owner.parent.parent if owner.parent is not None else None
            condition = switch.child_by_field_name("condition") if switch is not None else None
            return rows, condition
        if owner.type in ("if_statement", "elif_clause", "while_statement", "do_statement", "for_statement"):
            return rows, condition
        return rows, None
    if owner.type in ("conditional_expression", "ternary_expression"):
        condition = owner.child_by_field_name("condition") or (
            owner.named_children[1] if language == "python" and len(owner.named_children) > 1 else None
        )
        return rows, condition
    return rows, None


def _branch_never_runs(owner: tree_sitter.Node, sink: tree_sitter.Node, verdict: bool) -> bool:
    consequence = owner.child_by_field_name("consequence") or owner.child_by_field_name("body")
    alternative = owner.child_by_field_name("alternative")
    if consequence is not None and _inside(sink, consequence):
        return not verdict
    if alternative is not None and _inside(sink, alternative):
        return verdict and owner.type == "if_statement"
    return False


_JUMPS = {"return_statement", "raise_statement", "throw_statement", "continue_statement", "break_statement"}
_STOPS = re.compile(r"(^|\.)(abort|exit|_exit|fail|deny|reject|sendError|halt)\s*$")


def _early_exits(scope: tree_sitter.Node, sink: tree_sitter.Node, language: str) -> list[_Atom]:
    """Jumps (return, raise, throw, continue, break) under an `if` that precedes the sink in the
    same function and does not hold it: the guard decides whether the sink runs."""
    jumps = []
    for node in walk(scope):
        if node.start_byte >= sink.start_byte:
            break
        if node.type not in _JUMPS and not (
            node.type == "expression_statement" and _STOPS.search(node_text(node).split("(")[0])
        ):
            continue
        guard = node.parent
        while guard is not None and guard != scope and guard.type not in ("if_statement", "elif_clause", "else_clause"):
            guard = guard.parent
        if guard is None or guard == scope or _inside(sink, guard):
            continue
        if any(
            a.type in FUNCTIONS[language] or a.type in ("lambda", "lambda_expression") for a in _ancestors(node, scope)
        ):
            continue
        jumps.append(_atom(node, language))
    return jumps


def _signature_rows(scope: tree_sitter.Node, language: str) -> set[int]:
    if scope.type not in FUNCTIONS[language]:
        return set()
    body = scope.child_by_field_name("body")
    first = scope.start_point[0]
    if scope.parent is not None and scope.parent.type == "decorated_definition":
        first = scope.parent.start_point[0]
    last = body.start_point[0] if body is not None else first
    if language == "python" and body is not None and body.start_point[0] > first:
        last -= 1
    rows = set(range(first, last + 1))
    if language == "java" and body is not None:
        rows.add(body.end_point[0])
    return rows


def _closing_rows(rows: set[int], tree: tree_sitter.Tree, language: str) -> set[int]:
    """Java: the closing brace of every block the slice opens."""
    if language != "java":
        return set()
    ends = _file_nodes(tree, language).block_ends
    closing = set()
    for row in rows:
        closing.update(ends.get(row, ()))
    return closing


def _parameters(scope: tree_sitter.Node, language: str) -> set[str]:
    params = scope.child_by_field_name("parameters")
    names: set[str] = set()
    if params is None:
        return names
    for child in params.named_children:
        if child.type == "identifier":
            names.add(node_text(child))
        elif child.type in (
            "typed_parameter",
            "default_parameter",
            "typed_default_parameter",
            "formal_parameter",
            "list_splat_pattern",
            "dictionary_splat_pattern",
            "spread_parameter",
        ):
            name = child.child_by_field_name("name")
            if name is None:
                name = next((c for c in child.named_children if c.type == "identifier"), None)
            if name is not None:
                names.add(node_text(name))
    names.discard("self")
    return names


def _is_definition(node: tree_sitter.Node, language: str) -> bool:
    if language == "java":
        return node.type == "field_declaration"
    return node.type == "expression_statement" and node.named_children and node.named_children[0].type == "assignment"


def _defined_names(node: tree_sitter.Node, language: str) -> set[str]:
    defines, _ = _defines_reads(node, language)
    names = set(defines)
    for name in defines:  # a field read as this.x or self.x
        names |= {f"this.{name}", f"self.{name}"}
    return names


def _helper_rows(node: tree_sitter.Node, language: str) -> list[int]:
    first, last = node.start_point[0], node.end_point[0]
    if node.parent is not None and node.parent.type == "decorated_definition":
        first = node.parent.start_point[0]
    if last - first + 1 <= HELPER_ROWS:
        return list(range(first, last + 1))
    rows = sorted(_signature_rows(node, language))
    for child in walk(node):
        if child.type == "return_statement":
            rows.extend(range(child.start_point[0], child.end_point[0] + 1))
    return rows


def _trim(rows: list[int], sink_row: int) -> list[int]:
    if len(rows) <= MAX_ROWS:
        return rows
    keep = sorted(rows, key=lambda r: (abs(r - sink_row), r))[:MAX_ROWS]
    return sorted(keep)


def _render(
    rows: list[int], lines: list[str], language: str, sink_row: int, notes: dict[int, str], cwe: str
) -> tuple[str, tuple[int, ...], int]:
    comment = _COMMENT[language]
    picked = [r for r in rows if 0 <= r < len(lines)]
    seen: set[int] = set()
    ordered = []
    for row in picked:
        if row not in seen:
            seen.add(row)
            ordered.append(row)
    body = textwrap.dedent("\n".join(lines[r] for r in ordered)).split("\n")
    out = []
    marked = 0
    for index, (row, line) in enumerate(zip(ordered, body)):
        if row == sink_row:
            name = CATALOGUE[cwe].name
            line = f"{line}  {comment} <- {cwe} {name}"
            marked = index
        elif row in notes:
            line = f"{line}  {comment} {notes[row]}"
        out.append(line)
    return "\n".join(out), tuple(r + 1 for r in ordered), marked


def _window(match: Match, lines: list[str], language: str, reason: str) -> Slice:
    row = match.node.start_point[0]
    rows = list(range(max(0, row - WINDOW[0]), min(len(lines), row + WINDOW[1] + 1)))
    text, file_lines, marked = _render(rows, lines, language, row, {}, match.candidate.cwe)
    return Slice(
        text=text,
        lines=file_lines,
        sink_row=marked,
        fallback=reason,
        sources=("input",) if _SOURCES[language].search(text) else (),
    )
