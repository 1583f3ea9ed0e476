"""Code tokens and user-declared identifiers, for dedup and the shortcut check.

"User-declared" means names the code itself binds (functions, classes, parameters, assigned
variables, fields, loop and exception variables): the names a generator draws from its pools,
as opposed to API names (imports, attributes, library calls).
"""

from __future__ import annotations

import re

from vulntune.parsing import parse, walk

_TOKEN = re.compile(
    r"""[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|\S""",
)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")

# (node type, field holding the declared name) per language.
_PY_NAMED = {"function_definition": "name", "class_definition": "name"}
_JAVA_NAMED = {
    "class_declaration": "name",
    "interface_declaration": "name",
    "record_declaration": "name",
    "enum_declaration": "name",
    "method_declaration": "name",
    "constructor_declaration": "name",
    "formal_parameter": "name",
    "catch_formal_parameter": "name",
    "variable_declarator": "name",
    "enhanced_for_statement": "name",
}


def tokens(code: str) -> list[str]:
    """A simple lexical token stream (identifiers, numbers, string literals, punctuation)."""
    return _TOKEN.findall(code)


def declared_names(code: str, language: str) -> list[str]:
    """Identifiers bound by the code itself, in order of appearance (with repeats)."""
    tree = parse(code, language)
    names: list[str] = []
    for node in walk(tree.root_node):
        if language == "python":
            _python_names(node, names)
        else:
            field = _JAVA_NAMED.get(node.type)
            if field:
                child = node.child_by_field_name(field)
                if child is not None and child.type == "identifier":
                    names.append(child.text.decode())
    return names


def _python_names(node, names: list[str]) -> None:
    kind = node.type
    if kind in _PY_NAMED:
        child = node.child_by_field_name("name")
        if child is not None:
            names.append(child.text.decode())
    elif kind == "parameters" or kind == "lambda_parameters":
        for child in node.named_children:
            if child.type == "identifier":
                names.append(child.text.decode())
            else:
                sub = child.child_by_field_name("name")
                if sub is None and child.named_children:
                    sub = child.named_children[0]
                if sub is not None and sub.type == "identifier":
                    names.append(sub.text.decode())
    elif kind in ("assignment", "augmented_assignment", "for_statement", "for_in_clause"):
        target = node.child_by_field_name("left")
        if target is not None:
            names.extend(_target_names(target))
    elif kind in ("as_pattern_target",):
        names.extend(_target_names(node))
    elif kind == "except_clause":
        for child in node.named_children:
            if child.type == "as_pattern":
                alias = child.child_by_field_name("alias")
                if alias is not None:
                    names.extend(_target_names(alias))


def _target_names(node) -> list[str]:
    if node.type == "identifier":
        return [node.text.decode()]
    if node.type in ("pattern_list", "tuple_pattern", "list_pattern", "as_pattern_target", "parenthesized_expression"):
        out = []
        for child in node.named_children:
            out.extend(_target_names(child))
        return out
    return []


def normalized_tokens(code: str, language: str) -> list[str]:
    """Tokens with user-declared names alpha-renamed (first seen -> v1, ...): API names stay."""
    declared = set(declared_names(code, language))
    mapping: dict[str, str] = {}
    out: list[str] = []
    for tok in tokens(code):
        after_dot = bool(out) and out[-1] == "."  # `os.path`: an attribute, not the local `path`
        if tok in declared and not after_dot and _IDENT.match(tok):
            if tok not in mapping:
                mapping[tok] = f"v{len(mapping) + 1}"
            out.append(mapping[tok])
        else:
            out.append(tok)
    return out
