"""Code tokens and user-declared identifiers, for dedup and the shortcut check.

"User-declared" means names the code itself binds (functions, classes, parameters, assigned
variables, fields, loop and exception variables): the names a generator draws from its pools,
as opposed to API names (imports, attributes, library calls).
"""

from __future__ import annotations

import functools
import re

import tree_sitter

from vulntune.parsing import parse, parser_for

_TOKEN = re.compile(
    r"""[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|\S""",
)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")

# Tree-sitter queries for the names a language's code binds itself (run in C: fast).
_QUERIES = {
    "python": """
        (function_definition name: (identifier) @n)
        (class_definition name: (identifier) @n)
        (parameters (identifier) @n)
        (parameters (default_parameter name: (identifier) @n))
        (parameters (typed_parameter (identifier) @n))
        (parameters (typed_default_parameter name: (identifier) @n))
        (parameters (list_splat_pattern (identifier) @n))
        (parameters (dictionary_splat_pattern (identifier) @n))
        (lambda_parameters (identifier) @n)
        (assignment left: (identifier) @n)
        (assignment left: (pattern_list (identifier) @n))
        (assignment left: (tuple_pattern (identifier) @n))
        (augmented_assignment left: (identifier) @n)
        (for_statement left: (identifier) @n)
        (for_statement left: (pattern_list (identifier) @n))
        (for_in_clause left: (identifier) @n)
        (for_in_clause left: (pattern_list (identifier) @n))
        (as_pattern_target (identifier) @n)
    """,
    "java": """
        (class_declaration name: (identifier) @n)
        (interface_declaration name: (identifier) @n)
        (record_declaration name: (identifier) @n)
        (enum_declaration name: (identifier) @n)
        (method_declaration name: (identifier) @n)
        (constructor_declaration name: (identifier) @n)
        (formal_parameter name: (identifier) @n)
        (catch_formal_parameter name: (identifier) @n)
        (variable_declarator name: (identifier) @n)
        (enhanced_for_statement name: (identifier) @n)
        (inferred_parameters (identifier) @n)
        (lambda_expression parameters: (identifier) @n)
    """,
}


@functools.cache
def _query(language: str) -> tree_sitter.Query:
    return tree_sitter.Query(parser_for(language).language, _QUERIES[language])


def tokens(code: str) -> list[str]:
    """A simple lexical token stream (identifiers, numbers, string literals, punctuation)."""
    return _TOKEN.findall(code)


def declared_names(code: str, language: str) -> list[str]:
    """Identifiers bound by the code itself, in order of appearance (with repeats)."""
    tree = parse(code, language)
    captures = tree_sitter.QueryCursor(_query(language)).captures(tree.root_node)
    nodes = {(n.start_byte, n.end_byte): n for n in captures.get("n", [])}
    return [nodes[key].text.decode() for key in sorted(nodes)]


def normalized_tokens(code: str, language: str, declared: list[str] | None = None) -> list[str]:
    """Tokens with user-declared names alpha-renamed (first seen -> v1, ...): API names stay.

    `declared` may pass `declared_names(code, language)` when the caller already has it.
    """
    declared = set(declared_names(code, language) if declared is None else declared)
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
