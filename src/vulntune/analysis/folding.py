"""Fold conditions over literals and constants: `1 + 1 == 3`, `privateFive == 5`, `not DEBUG`.

A constant is a name assigned exactly once in the file, with a literal: a local of the function, a
module-level name, or a Java field. Folding evaluates only literals and arithmetic, comparison and
boolean operators on them, ternaries with a constant condition and constant indices into literal
sequences (`[False, True][1]`, `List.of(0, 1).get(1)`); never code: nothing is executed. Anything
else is `Unknown`.
"""

from __future__ import annotations

import operator
from collections import Counter

import tree_sitter

from vulntune.analysis.syntax import chain, node_text, string_content
from vulntune.parsing import walk


class Unknown(Exception):
    """The expression does not fold to a constant."""


_BINARY = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "&": operator.and_,
    "|": operator.or_,
    "^": operator.xor,
}
_NUMBERS = {
    "integer",
    "float",
    "decimal_integer_literal",
    "hex_integer_literal",
    "octal_integer_literal",
    "binary_integer_literal",
    "decimal_floating_point_literal",
}
_TRUE, _FALSE = {"true"}, {"false"}
_NONE = {"none", "null_literal"}
_STRINGS = {"string", "string_literal"}
_LITERALS = _NUMBERS | _TRUE | _FALSE | _NONE | _STRINGS
_DEFINITIONS = {
    "assignment",
    "augmented_assignment",
    "variable_declarator",
    "assignment_expression",
    "update_expression",
}


def constants_of(root: tree_sitter.Node, scope: tree_sitter.Node, language: str) -> dict[str, object]:
    """Names assigned exactly once in the file (a local, a module name, a field) with a literal."""
    counts: Counter[str] = Counter()
    values: dict[str, object] = {}
    for node in walk(root):
        if node.type not in _DEFINITIONS:
            continue
        if node.type == "variable_declarator":
            target, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        elif node.type == "update_expression":
            target = next((c for c in node.named_children), None)
            value = None
        else:
            target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        name = chain(target) if target is not None else None
        if name is None:
            continue
        name = name.removeprefix("this.").removeprefix("self.")
        counts[name] += 1
        if (
            node.type in ("assignment", "variable_declarator", "assignment_expression")
            and value is not None
            and value.type in _LITERALS
            and (node.type != "assignment_expression" or _plain(node))
        ):
            try:
                values[name] = _literal(value)
            except Unknown:
                pass
    return {name: value for name, value in values.items() if counts[name] == 1}


def _plain(node: tree_sitter.Node) -> bool:
    operator_node = node.child_by_field_name("operator")
    return operator_node is None or node_text(operator_node) == "="


def _literal(node: tree_sitter.Node) -> object:
    text = node_text(node)
    if node.type in _TRUE:
        return True
    if node.type in _FALSE:
        return False
    if node.type in _NONE:
        return None
    if node.type in _STRINGS:
        if any(child.type == "interpolation" for child in node.named_children):
            raise Unknown
        return string_content(node)
    cleaned = text.replace("_", "").rstrip("lLfFdD")
    try:
        if node.type in ("hex_integer_literal", "octal_integer_literal", "binary_integer_literal") or (
            node.type == "integer" and cleaned[:2].lower() in ("0x", "0o", "0b")
        ):
            return int(cleaned, 0)
        if node.type in ("integer", "decimal_integer_literal"):
            return int(cleaned)
        return float(cleaned)
    except ValueError:
        raise Unknown from None


def fold(node: tree_sitter.Node, constants: dict[str, object], language: str) -> object:
    """The constant value of `node`, or raise `Unknown`."""
    kind = node.type
    if kind in _LITERALS:
        return _literal(node)
    if kind in ("parenthesized_expression", "condition") and node.named_child_count == 1:
        return fold(node.named_children[0], constants, language)
    if kind in ("identifier", "field_access", "attribute"):
        name = chain(node)
        if name is None:
            raise Unknown
        name = name.removeprefix("this.").removeprefix("self.")
        if name in constants:
            return constants[name]
        if kind == "identifier" and language == "python" and name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        raise Unknown
    if kind == "conditional_expression" and node.named_child_count == 3:  # python: a if cond else b
        taken, condition, other = node.named_children
        return fold(taken if fold(condition, constants, language) else other, constants, language)
    if kind == "ternary_expression":  # java: cond ? a : b
        chosen = "consequence" if fold(node.child_by_field_name("condition"), constants, language) else "alternative"
        return fold(node.child_by_field_name(chosen), constants, language)
    if kind == "subscript":  # python: [a, b][1], (a, b)[-1] over literal elements
        return _element(node.child_by_field_name("value"), node.child_by_field_name("subscript"), constants, language)
    if kind == "method_invocation" and node_text(node.child_by_field_name("name")) == "get":
        # java: List.of(a, b).get(1), Arrays.asList(a, b).get(1)
        return _element(node.child_by_field_name("object"), node.child_by_field_name("arguments"), constants, language)
    if kind == "not_operator":
        return not fold(node.child_by_field_name("argument"), constants, language)
    if kind in ("unary_operator", "unary_expression"):
        operand = fold(node.child_by_field_name("operand") or node.child_by_field_name("argument"), constants, language)
        symbol = node_text(node.child_by_field_name("operator"))
        if symbol == "!":
            return not operand
        if symbol == "-" and isinstance(operand, (int, float)):
            return -operand
        if symbol == "+" and isinstance(operand, (int, float)):
            return operand
        raise Unknown
    if kind == "boolean_operator" or (
        kind == "binary_expression" and node_text(node.child_by_field_name("operator")) in ("&&", "||")
    ):
        left = fold(node.child_by_field_name("left"), constants, language)
        symbol = node_text(node.child_by_field_name("operator"))
        if symbol in ("and", "&&"):
            return left and fold(node.child_by_field_name("right"), constants, language)
        return left or fold(node.child_by_field_name("right"), constants, language)
    if kind in ("binary_operator", "binary_expression"):
        return _apply(
            node_text(node.child_by_field_name("operator")),
            fold(node.child_by_field_name("left"), constants, language),
            fold(node.child_by_field_name("right"), constants, language),
        )
    if kind == "comparison_operator":
        operands = node.named_children
        operators = [node_text(c) for c in node.children if not c.is_named]
        if len(operators) != len(operands) - 1:
            raise Unknown
        values = [fold(o, constants, language) for o in operands]
        return all(_apply(op, a, b) for op, a, b in zip(operators, values, values[1:]))
    raise Unknown


_SEQUENCE_CALLS = {"List.of", "Arrays.asList", "java.util.List.of", "java.util.Arrays.asList"}


def _element(
    sequence: tree_sitter.Node | None, index: tree_sitter.Node | None, constants: dict[str, object], language: str
) -> object:
    """The folded element of a literal sequence at a constant index, or raise `Unknown`."""
    if sequence is None or index is None:
        raise Unknown
    if sequence.type == "method_invocation":
        callee = (
            node_text(sequence.child_by_field_name("object")) + "." + node_text(sequence.child_by_field_name("name"))
        )
        if callee not in _SEQUENCE_CALLS:
            raise Unknown
        sequence = sequence.child_by_field_name("arguments")
    elif sequence.type not in ("list", "tuple"):
        raise Unknown
    if index.type == "argument_list":  # java get(i): exactly one argument
        if index.named_child_count != 1:
            raise Unknown
        index = index.named_children[0]
    elements = [child for child in sequence.named_children if child.type != "comment"]
    position = fold(index, constants, language)
    if isinstance(position, bool) or not isinstance(position, int) or not -len(elements) <= position < len(elements):
        raise Unknown
    return fold(elements[position], constants, language)


def _apply(symbol: str, left: object, right: object) -> object:
    function = _BINARY.get(symbol)
    if function is None:
        raise Unknown
    if (
        symbol in ("*", "+")
        and (isinstance(left, str) or isinstance(right, str))
        and not (isinstance(left, str) and isinstance(right, str))
    ):
        raise Unknown  # "a" * 10**9 would build a huge string; mixed types fold to nothing useful
    try:
        return function(left, right)
    except Exception:  # division by zero, type errors: the condition stays unknown
        raise Unknown from None
