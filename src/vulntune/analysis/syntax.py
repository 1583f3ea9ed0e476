"""Small tree-sitter helpers the finder and the slicer share: text, names, enclosing scopes."""

from __future__ import annotations

import tree_sitter

from vulntune.parsing import walk

FUNCTIONS = {
    "python": frozenset({"function_definition"}),
    "java": frozenset({"method_declaration", "constructor_declaration", "compact_constructor_declaration"}),
}
# Names that are not variables: attribute and field names, called method names, keyword names.
_NOT_VARIABLES = {
    ("attribute", "attribute"),
    ("field_access", "field"),
    ("method_invocation", "name"),
    ("keyword_argument", "name"),
    ("scoped_identifier", "name"),
}


def node_text(node: tree_sitter.Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def enclosing(node: tree_sitter.Node, types: frozenset[str] | set[str]) -> tree_sitter.Node | None:
    """The nearest ancestor of `node` (not itself) whose type is in `types`."""
    parent = node.parent
    while parent is not None:
        if parent.type in types:
            return parent
        parent = parent.parent
    return None


def _field_name(node: tree_sitter.Node) -> str | None:
    parent = node.parent
    if parent is None:
        return None
    for index, child in enumerate(parent.children):
        if child == node:
            return parent.field_name_for_child(index)
    return None


def is_variable(node: tree_sitter.Node) -> bool:
    """An `identifier` that names a variable (not an attribute, method or keyword name)."""
    if node.type != "identifier" or node.parent is None:
        return False
    return (node.parent.type, _field_name(node)) not in _NOT_VARIABLES


def dotted(node: tree_sitter.Node | None) -> tuple[str, ...]:
    """`a.b.c` -> ("a", "b", "c"); a call, index or literal in the chain becomes "()"."""
    parts: list[str] = []
    while node is not None:
        if node.type in ("identifier", "type_identifier", "this", "super"):
            parts.append(node_text(node))
            break
        if node.type == "attribute":
            parts.append(node_text(node.child_by_field_name("attribute")))
            node = node.child_by_field_name("object")
        elif node.type == "field_access":
            parts.append(node_text(node.child_by_field_name("field")))
            node = node.child_by_field_name("object")
        elif node.type == "scoped_identifier":
            parts.append(node_text(node.child_by_field_name("name")))
            node = node.child_by_field_name("scope")
        elif node.type == "method_invocation":
            parts.append("()")
            parts.append(node_text(node.child_by_field_name("name")))
            node = node.child_by_field_name("object")
        elif node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        else:
            parts.append("()")
            break
    return tuple(reversed(parts))


def chain(node: tree_sitter.Node | None) -> str | None:
    """A variable as a dotted name (`a`, `self.path`, `this.query`); None for anything else."""
    parts = dotted(node)
    return ".".join(parts) if parts and "()" not in parts else None


def identifiers(node: tree_sitter.Node | None) -> set[str]:
    """Variable names read in `node`, with the dotted chains they head (`self.path` gives both)."""
    names: set[str] = set()
    if node is None:
        return names
    for child in walk(node):
        if child.type in ("attribute", "field_access"):
            dotted = chain(child)
            if dotted is not None:
                names.add(dotted)
        elif child.type == "this" or is_variable(child):
            names.add(node_text(child))
    return names


def string_content(node: tree_sitter.Node) -> str:
    """The characters of a string literal without quotes or prefixes (interpolations left out)."""
    parts = [
        node_text(child)
        for child in walk(node)
        if child.type in ("string_content", "string_fragment", "escape_sequence", "multiline_string_fragment")
        and not any(a.type == "interpolation" for a in _ancestors(child, node))
    ]
    if parts:
        return "".join(parts)
    text = node_text(node)
    return text.strip("'\"bBrRuUfF") if text else ""


def _ancestors(node: tree_sitter.Node, top: tree_sitter.Node):
    parent = node.parent
    while parent is not None and parent != top:
        yield parent
        parent = parent.parent
