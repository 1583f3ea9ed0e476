"""Find candidate sinks in one source file: every match of the sink catalogue is a candidate.

The finder's only job is recall: it reports each call, constructor, subscript write, secret
literal and dangerous text construction the catalogue names, with the expressions that carry
its data, and never decides whether the data is safe (the slicer shows that, the judge decides).

Two candidates of one CWE for the same flow are reported once: a construction (`q = "SELECT " +
x`) whose text reaches an API sink of the same CWE (`cur.execute(q)`) is left to that sink.
Source text is only parsed with tree-sitter, never imported or executed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter

from vulntune.analysis.catalogue import CATALOGUE_OF_SINKS, Catalogue, Construction, SinkPattern
from vulntune.analysis.syntax import (
    FUNCTIONS,
    dotted,
    enclosing,
    identifiers,
    node_text,
    string_content,
)
from vulntune.parsing import walk

_CALLS = {"python": {"call"}, "java": {"method_invocation"}}
_NEWS = {"python": set(), "java": {"object_creation_expression"}}
_STRINGS = {"python": {"string", "concatenated_string"}, "java": {"string_literal", "text_block"}}


@dataclass(kw_only=True, frozen=True)
class Candidate:
    """A place that could be vulnerable.

    Attributes:
        line: 1-based file line where the sink expression starts.
        end_line: last line of that expression.
        cwe: the catalogued weakness ("CWE-89").
        sink: the catalogue pattern's id ("sql-cursor-execute").
        kind: "api" (a catalogued call, constructor, subscript or literal) or "construction"
            (dangerous text built from pieces and handed on).
        code: the sink expression's text, cut at 200 characters.
        function: the enclosing function or method's name, "" at module or class level.
    """

    line: int
    end_line: int
    cwe: str
    sink: str
    kind: str
    code: str
    function: str = ""


@dataclass(frozen=True, eq=False)
class Match:
    """A candidate with the syntax nodes the slicer starts from (valid while the tree lives)."""

    candidate: Candidate
    node: tree_sitter.Node  # the sink expression (call, constructor, assignment, literal)
    data: tuple[tree_sitter.Node, ...]  # the expressions that carry the data into it


def find_candidates(tree: tree_sitter.Tree, language: str, catalogue: Catalogue = CATALOGUE_OF_SINKS) -> list[Match]:
    """Every candidate in `tree`, ordered by position, then CWE. `catalogue`: the sinks to match,
    the shipped ones unless the user's models add some (`vulntune.analysis.catalogue.load_catalogue`)."""
    context = _Context(tree, language, catalogue)
    matches: list[Match] = []
    for node in walk(tree.root_node):
        kind = node.type
        if kind in _CALLS[language] or kind in _NEWS[language]:
            matches.extend(_call_matches(node, context))
        elif language == "python" and kind == "assignment":
            matches.extend(_python_assignment_matches(node, context))
        elif language == "python" and kind in ("keyword_argument", "pair"):
            matches.extend(_literal_argument_matches(node, context))
        elif language == "java" and kind in ("variable_declarator", "assignment_expression"):
            matches.extend(_java_assignment_matches(node, context))
        if kind in context.construction_nodes:
            matches.extend(_construction_matches(node, context))
        if kind == "ERROR":
            matches.extend(_error_matches(node, context))
    matches = _without_duplicates(matches)
    matches.sort(key=lambda m: (m.node.start_byte, m.candidate.cwe, m.candidate.sink))
    return matches


class _Context:
    """What matching needs to know about the file: import aliases and declared types."""

    def __init__(self, tree: tree_sitter.Tree, language: str, catalogue: Catalogue = CATALOGUE_OF_SINKS) -> None:
        self.language = language
        self.sinks = catalogue.sinks(language)
        self.calls_by_name = _calls_by_name(self.sinks)
        self.constructions = catalogue.constructions(language)
        self.aliases, self.types = _names_of(tree, language)
        self.construction_nodes = (
            {"binary_operator", "string", "call", "list"}
            if language == "python"
            else {"binary_expression", "method_invocation", "array_initializer"}
        )

    def callee_parts(self, node: tree_sitter.Node) -> tuple[tuple[str, ...], tuple[str, ...], tree_sitter.Node | None]:
        """(written parts, import-resolved parts, receiver node) of a call's callee."""
        if self.language == "python":
            function = node.child_by_field_name("function")
            parts = dotted(function)
            receiver = (
                function.child_by_field_name("object")
                if function is not None and function.type == "attribute"
                else None
            )
            resolved = parts
            if parts and parts[0] in self.aliases:
                resolved = tuple(self.aliases[parts[0]].split(".")) + parts[1:]
            return parts, resolved, receiver
        if node.type == "object_creation_expression":
            kind = node.child_by_field_name("type")
            name = _type_name(kind)
            return (name,), (name,), None
        receiver = node.child_by_field_name("object")
        name = node_text(node.child_by_field_name("name"))
        parts = (dotted(receiver) if receiver is not None else ()) + (name,)
        return parts, parts, receiver

    def call_patterns(self, written: tuple[str, ...], resolved: tuple[str, ...]) -> list[SinkPattern]:
        """The call and constructor patterns that can match a callee, in catalogue order: those
        whose names end with its last name, and those for any callee ("*")."""
        found = set()
        for parts in (written, resolved):
            if parts:
                found.update(self.calls_by_name.get(parts[-1], ()))
        found.update(self.calls_by_name.get("*", ()))
        return sorted(found, key=self.sinks.index)

    def receiver_matches(self, regex: str, receiver: tree_sitter.Node | None) -> bool:
        if not regex:
            return True
        if receiver is None:
            return False
        text = node_text(receiver)
        if re.search(regex, text, re.IGNORECASE):
            return True
        declared = self.types.get(text)
        return declared is not None and re.search(regex, declared, re.IGNORECASE) is not None


@functools.cache
def _calls_by_name(sinks: tuple[SinkPattern, ...]) -> dict[str, tuple[SinkPattern, ...]]:
    """Call and constructor patterns by the last name they match ("*" for any)."""
    table: dict[str, list[SinkPattern]] = {}
    for pattern in sinks:
        if pattern.kind not in ("call", "new"):
            continue
        for name in pattern.names:
            key = "*" if name == "*" else name.split(".")[-1]
            table.setdefault(key, []).append(pattern)
    return {key: tuple(dict.fromkeys(value)) for key, value in table.items()}


_NAMES: dict[int, tuple[tree_sitter.Tree, tuple[dict[str, str], dict[str, str]]]] = {}


def _names_of(tree: tree_sitter.Tree, language: str) -> tuple[dict[str, str], dict[str, str]]:
    """A file's import aliases and declared (or constructed) types, found once per tree: the finder
    and the flow interpreter both read them."""
    cached = _NAMES.get(id(tree))
    if cached is not None and cached[0] is tree:
        return cached[1]
    aliases = _python_aliases(tree.root_node) if language == "python" else {}
    types = (_java_declared_types if language == "java" else _python_constructed_types)(tree.root_node)
    _NAMES.clear()  # one file at a time: the cache holds the tree being analysed
    _NAMES[id(tree)] = (tree, (aliases, types))
    return aliases, types


def _type_name(node: tree_sitter.Node | None) -> str:
    """The simple class name of a Java type (`java.io.File` -> File, `List<String>` -> List)."""
    if node is None:
        return ""
    if node.type == "generic_type":
        node = node.named_children[0] if node.named_children else None
        return _type_name(node)
    if node.type == "scoped_type_identifier":
        names = [c for c in node.named_children if c.type == "type_identifier"]
        return node_text(names[-1]) if names else node_text(node)
    return node_text(node)


def _names_match(patterns: tuple[str, ...], written: tuple[str, ...], resolved: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if pattern == "*":
            return True
        if pattern.startswith("*."):
            name = pattern[2:]
            if len(written) >= 2 and written[-1] == name:
                return True
            continue
        wanted = tuple(pattern.split("."))
        for parts in (written, resolved):
            if len(wanted) == 1:
                if parts == wanted:
                    return True
            elif parts[-len(wanted) :] == wanted:
                return True
    return False


def _arguments(node: tree_sitter.Node) -> tuple[list[tree_sitter.Node], dict[str, tree_sitter.Node]]:
    """Positional and keyword arguments of a call or constructor."""
    args = node.child_by_field_name("arguments")
    positional, keywords = [], {}
    if args is None:
        return positional, keywords
    for child in args.named_children:
        if child.type == "keyword_argument":
            keywords[node_text(child.child_by_field_name("name"))] = child.child_by_field_name("value")
        elif child.type in ("comment", "line_comment", "block_comment"):
            continue
        else:
            positional.append(child)
    return positional, keywords


def _data_nodes(pattern: SinkPattern, node, receiver) -> tuple[tree_sitter.Node, ...] | None:
    """The arguments that carry the data; None when the pattern names some and none is there."""
    positional, keywords = _arguments(node)
    if pattern.data:
        found = []
        for item in pattern.data:
            if isinstance(item, int) and item < len(positional):
                found.append(positional[item])
            elif isinstance(item, str) and item in keywords:
                found.append(keywords[item])
    else:
        found = positional + list(keywords.values())
    if pattern.receiver_is_data and receiver is not None:
        found.append(receiver)
    if pattern.data and not found:
        return None
    return tuple(found)


def _candidate(node: tree_sitter.Node, cwe: str, sink: str, kind: str, language: str) -> Candidate:
    function = enclosing(node, FUNCTIONS[language])
    name = ""
    if function is not None:
        name = node_text(function.child_by_field_name("name"))
    return Candidate(
        line=node.start_point[0] + 1,
        end_line=node.end_point[0] + 1,
        cwe=cwe,
        sink=sink,
        kind=kind,
        code=node_text(node)[:200],
        function=name,
    )


def _call_matches(node: tree_sitter.Node, context: _Context) -> Iterator[Match]:
    written, resolved, receiver = context.callee_parts(node)
    if not written:
        return
    kind = "new" if node.type in _NEWS[context.language] else "call"  # a Python class is called like a function
    text = None
    for pattern in context.call_patterns(written, resolved):
        if pattern.kind != kind:
            continue
        if not _names_match(pattern.names, written, resolved):
            continue
        if not context.receiver_matches(pattern.receiver, receiver):
            continue
        if pattern.weak:
            text = text if text is not None else node_text(node)
            if not re.search(pattern.weak, text):
                continue
        data = _data_nodes(pattern, node, receiver)
        if data is None:
            continue
        if pattern.data_type and not any(
            re.search(pattern.data_type, _java_type(n, context)) for n in data if n != receiver
        ):
            continue
        yield Match(candidate=_candidate(node, pattern.cwe, pattern.id, "api", context.language), node=node, data=data)


# java.lang.String's own methods that give a String (whatever their receiver: `x.toString()`)
_STRING_METHODS = frozenset(
    "toString valueOf format formatted substring trim strip stripLeading stripTrailing stripIndent replace "
    "replaceAll replaceFirst toLowerCase toUpperCase concat join repeat translateEscapes intern".split()
)


def _java_type(node: tree_sitter.Node, context: _Context, depth: int = 0) -> str:
    """The static type of a Java expression as far as the file shows it: "String" for text,
    the class of a `new`, a cast or a declared variable, "" when the file does not say (nor past
    `depth` 50 of nested conditionals: code may nest thousands deep)."""
    while node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[-1]
    kind = node.type
    if kind in _STRINGS["java"]:
        return "String"
    if depth > 50:
        return ""
    if kind == "binary_expression":  # a concatenation with text in it is text; a loop, as chains run deep
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type != "binary_expression":
                if _java_type(current, context, depth + 1) == "String":
                    return "String"
                continue
            operator = current.child_by_field_name("operator")
            if operator is not None and node_text(operator) == "+":
                sides = (current.child_by_field_name("left"), current.child_by_field_name("right"))
                stack.extend(side for side in sides if side is not None)
        return ""
    if kind == "ternary_expression":
        branches = [*node.children_by_field_name("consequence"), *node.children_by_field_name("alternative")]
        return "String" if any(_java_type(b, context, depth + 1) == "String" for b in branches) else ""
    if kind in ("object_creation_expression", "cast_expression"):
        return _type_name(node.child_by_field_name("type"))
    if kind == "identifier":
        return context.types.get(node_text(node), "")
    if kind == "field_access":
        return context.types.get(node_text(node.child_by_field_name("field")), "")
    if kind == "method_invocation":
        return "String" if node_text(node.child_by_field_name("name")) in _STRING_METHODS else ""
    return ""


def _error_matches(node: tree_sitter.Node, context: _Context) -> Iterator[Match]:
    """Calls of named sink APIs inside code tree-sitter could not parse (`os.system('ls ' + x` with
    its parenthesis missing): found by their text, so the slicer cuts a window around them."""
    text = node.text or b""
    for pattern in context.sinks:
        if pattern.kind not in ("call", "new"):
            continue
        for name in pattern.names:
            if name.startswith("*") or (pattern.kind == "call" and "." not in name):
                continue  # a method on any receiver, or a bare name, is too common to find by text
            for found in re.finditer(rb"(?<![\w.])" + re.escape(name.encode()) + rb"\s*\(", text):
                inner = node.descendant_for_byte_range(node.start_byte + found.start(), node.start_byte + found.end())
                if inner is not None and not _inside_error_call(inner, context):
                    yield Match(
                        candidate=_candidate(inner, pattern.cwe, pattern.id, "api", context.language),
                        node=inner,
                        data=(),
                    )


def _inside_error_call(node: tree_sitter.Node, context: _Context) -> bool:
    """Was this call parsed after all (an ERROR node can hold well-formed calls)?"""
    parent = node
    while parent is not None and parent.type != "ERROR":
        if parent.type in _CALLS[context.language] or parent.type in _NEWS[context.language]:
            return True
        parent = parent.parent
    return False


def _python_assignment_matches(node: tree_sitter.Node, context: _Context) -> Iterator[Match]:
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None:
        return
    for pattern in context.sinks:
        if pattern.kind == "subscript" and left.type == "subscript":
            target = left.child_by_field_name("value")
            parts = dotted(target)
            if parts and parts[-1] in pattern.names and (not pattern.weak or re.search(pattern.weak, node_text(left))):
                yield Match(
                    candidate=_candidate(node, pattern.cwe, pattern.id, "api", "python"), node=node, data=(right,)
                )
        elif pattern.kind == "literal":
            name = dotted(left)[-1] if left.type in ("identifier", "attribute") else ""
            if name and _is_secret(pattern, name) and _is_literal(right, "python"):
                yield Match(
                    candidate=_candidate(node, pattern.cwe, pattern.id, "api", "python"), node=node, data=(right,)
                )


def _literal_argument_matches(node: tree_sitter.Node, context: _Context) -> Iterator[Match]:
    """`password="..."` keyword arguments and `{"password": "..."}` dictionary entries."""
    if node.type == "keyword_argument":
        name, value = node_text(node.child_by_field_name("name")), node.child_by_field_name("value")
    else:
        key, value = node.child_by_field_name("key"), node.child_by_field_name("value")
        if key is None or key.type != "string":
            return
        name = string_content(key)
    if value is None or not _is_literal(value, "python"):
        return
    for pattern in context.sinks:
        if pattern.kind == "literal" and _is_secret(pattern, name):
            yield Match(candidate=_candidate(node, pattern.cwe, pattern.id, "api", "python"), node=node, data=(value,))


def _java_assignment_matches(node: tree_sitter.Node, context: _Context) -> Iterator[Match]:
    if node.type == "variable_declarator":
        target, value = node.child_by_field_name("name"), node.child_by_field_name("value")
    else:
        target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
    if target is None or value is None or not _is_literal(value, "java"):
        return
    parts = dotted(target)
    if not parts:
        return
    statement = node.parent if node.type == "variable_declarator" else node
    for pattern in context.sinks:
        if pattern.kind == "literal" and _is_secret(pattern, parts[-1]):
            yield Match(
                candidate=_candidate(statement, pattern.cwe, pattern.id, "api", "java"), node=statement, data=(value,)
            )


def _is_secret(pattern: SinkPattern, name: str) -> bool:
    return any(re.search(regex, name) for regex in pattern.names)


def _is_literal(node: tree_sitter.Node, language: str) -> bool:
    """A non-empty string literal without interpolation (`"pw".toCharArray()` and b"..." too)."""
    if language == "java" and node.type == "method_invocation":
        receiver = node.child_by_field_name("object")
        return receiver is not None and _is_literal(receiver, language)
    if node.type not in _STRINGS[language]:
        return False
    if any(child.type == "interpolation" for child in walk(node)):
        return False
    content = string_content(node)
    return bool(content.strip())


# --- construction-shaped candidates ------------------------------------------------------------


def _construction_root(node: tree_sitter.Node, context: _Context) -> bool:
    """Is `node` a text built from pieces, and not part of a larger one?"""
    python = context.language == "python"
    if node.type in ("binary_operator", "binary_expression"):
        operator = node.child_by_field_name("operator")
        if operator is None or node_text(operator) not in ("+", "%"):
            return False
        parent = node.parent
        while parent is not None and parent.type == "parenthesized_expression":
            parent = parent.parent
        return parent is None or parent.type != node.type
    if node.type in ("list", "array_initializer"):  # an argument vector: only a shell parses its elements
        return _runs_a_shell(node, context.language)
    if python and node.type == "string":
        return any(child.type == "interpolation" for child in node.named_children) and not (
            node.parent is not None and node.parent.type in ("binary_operator", "concatenated_string")
        )
    if node.type in ("call", "method_invocation"):
        written, _, receiver = context.callee_parts(node)
        if not written:
            return False
        while receiver is not None and receiver.type == "parenthesized_expression" and receiver.named_child_count == 1:
            receiver = receiver.named_children[0]
        if written[-1] == "format" and receiver is not None and receiver.type in _STRINGS[context.language]:
            return True  # "...{}".format(x)
        if written[-1] in ("format", "formatted") and context.language == "java":
            return True  # String.format("...%s", x), "...".formatted(x)
    return False


_SHELLS = re.compile(r"^(/usr)?(/bin/)?(sh|bash|zsh|ksh|dash|cmd(\.exe)?|powershell(\.exe)?|pwsh)$")


def _runs_a_shell(node: tree_sitter.Node, language: str) -> bool:
    """Does the argument vector `node` start a shell (["sh", "-c", line])? Any other vector
    (["git", "clone", url]) hands each element to the program as one argument: no shell splits
    or interprets it, so it is not a command line to inject into (option injection, CWE-88, is
    another weakness)."""
    first = node.named_children[0] if node.named_children else None
    return first is not None and first.type in _STRINGS[language] and bool(_SHELLS.match(string_content(first).strip()))


def _literal_parts(node: tree_sitter.Node, language: str) -> tuple[str, bool]:
    """(the joined text of the string literals in `node`, whether anything but literals is in it)."""
    texts, other = [], False
    strings = _STRINGS[language]
    # depth first, each node with whether a string literal below `node` holds it (asking each
    # identifier for its ancestors made a 1,000-term concatenation take seconds: a parent costs a
    # walk from the root)
    stack = [(node, False)]
    while stack:
        child, in_string = stack.pop()
        if child.type in strings:
            texts.append(string_content(child))
        elif child.type == "interpolation":
            other = True
        elif child.type in _VALUES and not in_string:
            other = True
        inner = in_string or (child is not node and child.type in strings)
        stack.extend((grandchild, inner) for grandchild in reversed(child.children))
    return "\n".join(texts), other


_VALUES = {"identifier", "call", "method_invocation", "subscript", "field_access", "array_access"}


def _construction_matches(node: tree_sitter.Node, context: _Context) -> Iterator[Match]:
    if not context.constructions or not _construction_root(node, context):
        return
    text, other = _literal_parts(node, context.language)
    if not other or not text:
        return
    uses = None
    for pattern in context.constructions:
        shaped = re.search(pattern.text, text, re.IGNORECASE) is not None
        if not shaped and not pattern.named:
            continue
        uses = uses if uses is not None else _uses_of(node, context)
        if (shaped and _handed_on(pattern, uses)) or _named(pattern, uses):
            yield Match(
                candidate=_candidate(node, pattern.cwe, pattern.id, "construction", context.language),
                node=node,
                data=(node,),
            )


@dataclass(frozen=True)
class _Uses:
    callees: tuple[str, ...]  # last names of the calls the text is passed to, directly or by a variable
    returned: bool
    names: tuple[str, ...] = ()  # the variables it is assigned to


def _uses_of(node: tree_sitter.Node, context: _Context) -> _Uses:
    """Where a built text goes: the calls it is an argument of, through one variable, and returns."""
    callees: list[str] = []
    returned = False
    target_names: set[str] = set()
    current = node
    while current.parent is not None:
        parent = current.parent
        if parent.type in ("argument_list", "arguments"):
            call = parent.parent
            if call is not None and (call.type in _CALLS[context.language] or call.type in _NEWS[context.language]):
                written, _, _ = context.callee_parts(call)
                if written:
                    callees.append(written[-1])
        elif parent.type in ("return_statement", "lambda"):
            returned = True
        elif parent.type in ("assignment", "variable_declarator", "assignment_expression", "augmented_assignment"):
            target = parent.child_by_field_name("left") or parent.child_by_field_name("name")
            if target is not None and target != current:
                target_names |= {node_text(target)} if target.type == "identifier" else set()
            break
        elif parent.type in ("expression_statement", "block", "module", "local_variable_declaration"):
            break
        current = parent
    if target_names:
        scope = enclosing(node, FUNCTIONS[context.language])
        if scope is None:
            scope = node
            while scope.parent is not None:
                scope = scope.parent
        for other in walk(scope):
            if other.start_byte <= node.start_byte:
                continue
            if other.type in ("argument_list", "arguments"):
                if target_names & identifiers(other):
                    call = other.parent
                    written, _, _ = (
                        context.callee_parts(call)
                        if call is not None and call.type in (_CALLS[context.language] | _NEWS[context.language])
                        else ((), (), None)
                    )
                    if written:
                        callees.append(written[-1])
            elif other.type == "return_statement" and target_names & identifiers(other):
                returned = True
    return _Uses(callees=tuple(callees), returned=returned, names=tuple(sorted(target_names)))


def _named(pattern: Construction, uses: _Uses) -> bool:
    """A built text whose variable or receiving call says what it is (`ssh_cmd`, `run_shell`)."""
    return bool(pattern.named) and any(re.search(pattern.named, name) for name in uses.names + uses.callees)


def _handed_on(pattern: Construction, uses: _Uses) -> bool:
    if pattern.handed_to:
        return any(re.search(pattern.handed_to, callee) for callee in uses.callees)
    return bool(uses.callees) or uses.returned


def _without_duplicates(matches: list[Match]) -> list[Match]:
    """One match per (node, CWE); constructions that an API sink of their CWE already covers go."""
    seen: set[tuple[int, int, str]] = set()
    api = [m for m in matches if m.candidate.kind == "api"]
    kept = []
    for match in matches:
        key = (match.node.start_byte, match.node.end_byte, match.candidate.cwe)
        if key in seen:
            continue
        if match.candidate.kind == "construction" and _covered(match, api):
            continue
        seen.add(key)
        kept.append(match)
    return kept


def _covered(construction: Match, api: list[Match]) -> bool:
    node = construction.node
    assigned = _assigned_name(node)
    for match in api:
        if match.candidate.cwe != construction.candidate.cwe:
            continue
        for data in match.data:
            if data.start_byte <= node.start_byte and node.end_byte <= data.end_byte:
                return True
            if assigned and assigned in identifiers(data) and data.start_byte > node.start_byte:
                return True
    return False


def _assigned_name(node: tree_sitter.Node) -> str:
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None:
        return ""
    target = (
        parent.child_by_field_name("left")
        if parent.type in ("assignment", "assignment_expression")
        else (parent.child_by_field_name("name") if parent.type == "variable_declarator" else None)
    )
    return node_text(target) if target is not None and target.type == "identifier" else ""


# --- file context --------------------------------------------------------------------------------


def _python_aliases(root: tree_sitter.Node) -> dict[str, str]:
    """Local name -> dotted module path, from the file's imports."""
    aliases: dict[str, str] = {}
    for node in walk(root):
        if node.type == "import_statement":
            for child in node.named_children:
                if child.type == "aliased_import":
                    aliases[node_text(child.child_by_field_name("alias"))] = node_text(
                        child.child_by_field_name("name")
                    )
                elif child.type == "dotted_name":
                    first = node_text(child).split(".")[0]
                    aliases.setdefault(first, first)
        elif node.type == "import_from_statement":
            module = node.child_by_field_name("module_name")
            base = node_text(module).lstrip(".") if module is not None else ""
            for child in node.children_by_field_name("name"):
                if child.type == "aliased_import":
                    name = node_text(child.child_by_field_name("name"))
                    aliases[node_text(child.child_by_field_name("alias"))] = f"{base}.{name}" if base else name
                else:
                    name = node_text(child)
                    aliases[name.split(".")[-1]] = f"{base}.{name}" if base else name
    return aliases


_DECLARATIONS = frozenset(
    {
        "local_variable_declaration",
        "field_declaration",
        "formal_parameter",
        "resource",
        "catch_formal_parameter",
        "enhanced_for_statement",
    }
)


def _python_constructed_types(root: tree_sitter.Node) -> dict[str, str]:
    """Variable name -> the callee that made its value (`jar = SimpleCookie()` -> "SimpleCookie"),
    Python's nearest thing to a declared type."""
    types: dict[str, str] = {}
    for node in walk(root):
        if node.type == "assignment":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None and left.type == "identifier" and right.type == "call":
                types[node_text(left)] = node_text(right.child_by_field_name("function"))
    return types


def _java_declared_types(root: tree_sitter.Node) -> dict[str, str]:
    """Variable name -> declared simple type, for every declaration in the file (names are
    rarely reused with another type inside one file; `var` declarations read their initialiser)."""
    types: dict[str, str] = {}
    for node in walk(root):
        if node.type not in _DECLARATIONS:
            continue
        type_name = _type_name(node.child_by_field_name("type"))
        if node.type in ("formal_parameter", "resource", "catch_formal_parameter", "enhanced_for_statement"):
            name = node.child_by_field_name("name")
            if name is not None:
                types[node_text(name)] = type_name
            continue
        for declarator in node.children_by_field_name("declarator"):
            name = declarator.child_by_field_name("name")
            value = declarator.child_by_field_name("value")
            declared = type_name
            if declared == "var" and value is not None:
                declared = node_text(value)
            if name is not None:
                types[node_text(name)] = declared
    return types
