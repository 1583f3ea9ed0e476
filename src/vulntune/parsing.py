"""Tree-sitter parsers for Python and Java, shared by corpus verification and the scanner.

Parsing never imports or executes the code: tree-sitter builds a concrete syntax tree and
tolerates syntax errors (they become ERROR / MISSING nodes).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import tree_sitter

from vulntune.cwe import check_language


@functools.cache
def _language(language: str) -> tree_sitter.Language:
    check_language(language)
    if language == "python":
        import tree_sitter_python as grammar
    else:
        import tree_sitter_java as grammar
    return tree_sitter.Language(grammar.language())


def parser_for(language: str) -> tree_sitter.Parser:
    """A new parser (parsers are not thread-safe; make one per thread or process)."""
    return tree_sitter.Parser(_language(language))


def parse(code: str | bytes, language: str) -> tree_sitter.Tree:
    data = code.encode("utf-8") if isinstance(code, str) else code
    return parser_for(language).parse(data)


def walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """Every node below `node` (inclusive), depth first, without recursion (deep trees are fine)."""
    cursor = node.walk()
    visited_children = False
    while True:
        if not visited_children:
            yield cursor.node
            if cursor.goto_first_child():
                continue
        if cursor.goto_next_sibling():
            visited_children = False
        elif cursor.goto_parent():
            visited_children = True
        else:
            return


def syntax_errors(code: str, language: str) -> list[str]:
    """Human-readable ERROR / MISSING nodes; empty when the code parses cleanly."""
    tree = parse(code, language)
    if not tree.root_node.has_error:
        return []
    problems = []
    for node in walk(tree.root_node):
        if node.is_error or node.is_missing:
            kind = "missing " + node.type if node.is_missing else "syntax error"
            problems.append(f"line {node.start_point[0] + 1}: {kind}")
    return problems or ["syntax error"]
