"""Cut source code into units with tree-sitter: functions, methods and module-level code.

The scanner scores units (`vulntune.scan` reads the files and calls `extract_units`), and
training cuts its files the same way (`vulntune.unit_samples`), so both see the same pieces.

Every function and method (nested ones, methods of classes and of anonymous classes, with their
decorators or annotations) is a unit; what no function covers (imports, module statements,
class fields) is one more unit, the "module" unit. A unit remembers the file line of each of
its lines, so a model's verdict maps back to the file. Source text is only parsed: tree-sitter
builds a syntax tree and tolerates syntax errors, nothing is imported or executed.
"""

from __future__ import annotations

import bisect
import functools
import re
import textwrap
from dataclasses import dataclass, field, replace
from typing import Any

import tree_sitter

from vulntune.cwe import normalize_cwe
from vulntune.errors import VulntuneError
from vulntune.parsing import parse, parser_for

MODULE = "<module>"

_FUNCTIONS = {
    "python": {"function_definition": "function"},
    "java": {
        "method_declaration": "method",
        "constructor_declaration": "constructor",
        "compact_constructor_declaration": "constructor",
    },
}
_SCOPES = {
    "python": {"class_definition", "function_definition"},
    "java": {
        "class_declaration",
        "interface_declaration",
        "enum_declaration",
        "record_declaration",
        "annotation_type_declaration",
        "method_declaration",
        "constructor_declaration",
    },
}
_COMMENTS = {"python": {"comment"}, "java": {"line_comment", "block_comment"}}
# Module-level code is scored only when it holds one of these: imports, package lines and empty
# class shells alone cannot carry a weakness (a hard-coded password is an assignment).
_SUBSTANCE = {
    "python": {"call", "assignment", "augmented_assignment"},
    "java": {"method_invocation", "object_creation_expression", "variable_declarator", "assignment_expression"},
}
CALLS = {"python": {"call"}, "java": {"method_invocation", "object_creation_expression"}}
# Simple statements: a suppression anywhere on one that spans several lines covers all of them
# (compound statements, whose bodies hold other code, never count as a whole).
_STATEMENTS = {
    "python": {
        "expression_statement",
        "return_statement",
        "assert_statement",
        "raise_statement",
        "delete_statement",
        "import_statement",
        "import_from_statement",
        "future_import_statement",
        "global_statement",
        "nonlocal_statement",
        "print_statement",
        "exec_statement",
        "type_alias_statement",
        "decorator",
    },
    "java": {
        "expression_statement",
        "local_variable_declaration",
        "return_statement",
        "throw_statement",
        "assert_statement",
        "yield_statement",
        "field_declaration",
        "constant_declaration",
        "explicit_constructor_invocation",
    },
}

_DIRECTIVE = re.compile(r"vulntune:\s*ignore\b(?:\[([^\]]*)\])?", re.IGNORECASE)
ALL = "*"  # a bare `vulntune: ignore` suppresses every CWE


@dataclass(kw_only=True, frozen=True)
class Unit:
    """One piece of code the detector scores.

    Attributes:
        file: display path of the file.
        language: "python" or "java".
        kind: "function", "method", "constructor" or "module".
        name: qualified name ("UserDao.find", "outer.inner"), "<module>" for module-level code.
        start_line: first file line (1-based; a decorator or annotation line when there is one).
        end_line: last file line (inclusive).
        header_line: the line holding the name (`def f`, `void f(`); start_line for modules.
        lines: the file line of each line of `text`.
        text: the code, dedented; the module unit joins the lines no function covers.
    """

    file: str
    language: str
    kind: str
    name: str
    start_line: int
    end_line: int
    header_line: int
    lines: tuple[int, ...]
    text: str


@dataclass(kw_only=True, frozen=True)
class SliceUnit(Unit):
    """A candidate sink's slice, scored in place of a whole function (`kind` "slice").

    Attributes:
        cwe: the candidate's catalogued weakness.
        candidate_line: the file line of the sink, where a finding sits.
        sink: the catalogue pattern that matched.
        fallback: why a window of lines stands in for a slice, else None.
        reachable: static reachability (`vulntune.analysis.CandidateSlice.reachable`).
        candidate_index: the candidate's position in its file (`vulntune.analysis.analyse_file`).
        path: where the data comes from, the calls that carry it and the sink (reachable only).
    """

    cwe: str
    candidate_line: int
    sink: str
    fallback: str | None = None
    reachable: bool = True
    candidate_index: int = -1
    path: tuple = ()  # `vulntune.analysis.Step`s: source, calls, sink


@dataclass(kw_only=True, frozen=True)
class ExtractedFile:
    """A file's units, its suppression comments, or why it could not be read.

    Attributes:
        suppressions: file line -> CWE ids ("*" for all) that `vulntune: ignore` comments suppress
            on it (see `suppression_targets`).
        syntax_error: tree-sitter found ERROR or MISSING nodes (the file is scanned anyway).
        skipped: the reason the file was not read, else None.
    """

    file: str
    language: str
    units: tuple[Unit, ...] = ()
    suppressions: dict[int, frozenset[str]] = field(default_factory=dict)
    syntax_error: bool = False
    skipped: str | None = None
    flow: Any = None  # the file's `vulntune.analysis.flow.FileFlow` (slices only)
    candidates: tuple = ()  # its `vulntune.analysis.CandidateSlice`s (slices only)
    renders: tuple = ()  # the values its views hand templates (`vulntune.analysis.templates.Render`)


def module_name(file: str) -> str:
    """The dotted module a Python file path stands for (`app/views/users.py` -> `app.views.users`);
    Java files give their path without the extension (classes are resolved by name)."""
    stem = file.replace("\\", "/").rsplit(".", 1)[0] if "." in file.rsplit("/", 1)[-1] else file
    return ".".join(part for part in stem.split("/") if part and part != ".")


def _name_of(node) -> str:
    name = node.child_by_field_name("name")
    return name.text.decode("utf-8", "replace") if name is not None else "<anonymous>"


def _qualified_name(node, language: str) -> str:
    parts = [_name_of(node)]
    parent = node.parent
    while parent is not None:  # a loop, not recursion: trees can be thousands of levels deep
        if parent.type in _SCOPES[language]:
            parts.append(_name_of(parent))
        parent = parent.parent
    return ".".join(reversed(parts))


def _kind(node, language: str) -> str:
    kind = _FUNCTIONS[language][node.type]
    if language == "python":
        parent = node.parent
        if parent is not None and parent.type == "decorated_definition":
            parent = parent.parent
        if (
            parent is not None
            and parent.type == "block"
            and parent.parent is not None
            and parent.parent.type == "class_definition"
        ):
            kind = "method"
    return kind


def _suppressions(comment: str) -> frozenset[str] | None:
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    if match.group(1) is None:
        return frozenset({ALL})
    ids = set()
    for item in re.split(r"[,\s]+", match.group(1).strip()):
        if not item:
            continue
        try:
            ids.add(normalize_cwe(item))
        except VulntuneError:
            ids.add(item.upper())  # never matches a CWE: a typo suppresses nothing
    return frozenset(ids) if ids else frozenset({ALL})


@functools.cache
def _statement_query(language: str) -> tree_sitter.Query:
    kinds = " ".join(f"({kind})" for kind in sorted(_STATEMENTS[language]))
    return tree_sitter.Query(parser_for(language).language, f"[{kinds}] @statement\n")


def _statement_spans(tree, language: str) -> list[tuple[int, int]]:
    """(first, last) file lines of each simple statement spanning several lines that holds no
    other statement (a Java declaration whose anonymous class or lambda has statements counts
    line by line, or one directive would silence a whole class body)."""
    nodes = tree_sitter.QueryCursor(_statement_query(language)).captures(tree.root_node).get("statement", ())
    rows = sorted({(n.start_point[0] + 1, n.end_point[0] + 1) for n in nodes})
    starts = [first for first, _ in rows]
    # A statement holds another when one starts on any of its lines after the first.
    return [
        (first, last)
        for first, last in rows
        if last > first and bisect.bisect_right(starts, last) == bisect.bisect_right(starts, first)
    ]


def suppression_targets(
    comments: list[tuple[int, bool, frozenset[str]]], spans: list[tuple[int, int]]
) -> dict[int, frozenset[str]]:
    """File line -> the CWE ids suppressed on it ("*": all), from directives.

    A directive counts on its own line; when the comment is alone on its line, on the next line
    too; and when either of those lines belongs to a simple statement spanning several lines
    (`spans`), on every line of that statement.

    Args:
        comments: (line, alone on its line, ids) of each directive.
        spans: (first, last) lines of multi-line simple statements, from `_statement_spans`.
    """
    targets: dict[int, frozenset[str]] = {}

    def cover(line: int, ids: frozenset[str]) -> None:
        lines = {line}
        for first, last in spans:
            if first <= line <= last:
                lines.update(range(first, last + 1))
        for target in lines:
            targets[target] = targets.get(target, frozenset()) | ids

    for line, alone, ids in comments:
        cover(line, ids)
        if alone:
            cover(line + 1, ids)
    return targets


@functools.cache
def _query(language: str) -> tree_sitter.Query:
    """One tree-sitter query per language for everything extraction needs (runs in C, not a
    Python walk over every node: a third of the extraction time on a typical repository)."""
    functions = " ".join(f"({kind})" for kind in _FUNCTIONS[language])
    comments = " ".join(f"({kind})" for kind in _COMMENTS[language])
    substance = " ".join(f"({kind})" for kind in _SUBSTANCE[language])
    source = (
        f"[{functions}] @function\n"
        # any case, as _DIRECTIVE reads it: `# VULNTUNE: IGNORE[CWE-89]` counts too
        f'([{comments}] @directive (#match? @directive "[Vv][Uu][Ll][Nn][Tt][Uu][Nn][Ee]"))\n'
        f"[{substance}] @substance\n"
        "[(ERROR) (MISSING)] @error\n"
    )
    return tree_sitter.Query(parser_for(language).language, source)


def _make_unit(lines: list[str], numbers: list[int], *, file, language, kind, name, header) -> Unit:
    text = textwrap.dedent("\n".join(lines[n - 1] for n in numbers))
    return Unit(
        file=file,
        language=language,
        kind=kind,
        name=name,
        start_line=numbers[0],
        end_line=numbers[-1],
        header_line=header,
        lines=tuple(numbers),
        text=text,
    )


def extract_units(text: str, *, language: str, file: str) -> ExtractedFile:
    """Cut source `text` into units; never raises on malformed code."""
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    tree = parse(text, language)
    captures = tree_sitter.QueryCursor(_query(language)).captures(tree.root_node)
    units: list[Unit] = []
    covered = bytearray(len(lines) + 2)  # 1 where a function covers the line
    for node in captures.get("function", ()):
        if language == "java" and node.child_by_field_name("body") is None:
            continue  # abstract or interface method: no code
        outer = node.parent if node.parent is not None and node.parent.type == "decorated_definition" else node
        # Java annotations sit inside the declaration's modifiers; Python decorators outside it.
        first, last = outer.start_point[0] + 1, node.end_point[0] + 1
        header_node = node.child_by_field_name("name") or node
        units.append(
            _make_unit(
                lines,
                list(range(first, last + 1)),
                file=file,
                language=language,
                kind=_kind(node, language),
                name=_qualified_name(node, language),
                header=header_node.start_point[0] + 1,
            )
        )
        covered[first : last + 1] = b"\x01" * (last - first + 1)
    comments = []
    for node in captures.get("directive", ()):
        found = _suppressions(node.text.decode("utf-8", "replace"))
        if found is not None:
            row, column = node.start_point
            # tree-sitter counts columns in UTF-8 bytes
            alone = row < len(lines) and not lines[row].encode("utf-8", "surrogatepass")[:column].strip()
            comments.append((row + 1, alone, found))
    # Statement spans only matter near a directive, and most files have none: no second query then.
    suppressions = suppression_targets(comments, _statement_spans(tree, language)) if comments else {}
    # ERROR and MISSING nodes may hide anything, so they count as code that could carry a finding.
    substantive_rows = {node.start_point[0] + 1 for name in ("substance", "error") for node in captures.get(name, ())}
    rest = [n for n in range(1, len(lines) + 1) if not covered[n] and lines[n - 1].strip()]
    if rest and any(not covered[row] for row in substantive_rows):
        units.append(_make_unit(lines, rest, file=file, language=language, kind="module", name=MODULE, header=rest[0]))
    units.sort(key=lambda u: (u.start_line, -u.end_line, u.name))
    return ExtractedFile(
        file=file,
        language=language,
        units=tuple(units),
        suppressions=suppressions,
        syntax_error=tree.root_node.has_error,
    )


def extract_slices(
    text: str,
    *,
    language: str,
    file: str,
    threat_model: str | None = "all",
    models: tuple[str, ...] = (),
    renders: bool = False,
) -> ExtractedFile:
    """`extract_units`' suppressions and syntax check, with one `SliceUnit` per candidate sink in
    place of the functions (`vulntune.analysis`); never raises on malformed code. `reachable` is
    the file's own verdict under `threat_model` (its functions' callers are those in the file), or
    with `threat_model` None not decided here: the file's flow rides along in `ExtractedFile.flow`
    and the scanner decides with every scanned file's callers (`vulntune.scan.scanner.across_files`;
    the slicer's verdict stands where the flow analysis could not read the file). With `renders`,
    the values its views hand templates are candidates too (`ExtractedFile.renders` says which)."""
    from vulntune.analysis import analyse_file, solve

    extracted = extract_units(text, language=language, file=file)
    analysed = analyse_file(text, language, file=file, module=module_name(file), models=models, renders=renders)
    decided = solve([analysed], threat_model)[0] if threat_model is not None else analysed.candidates
    units = []
    for index, found in enumerate(decided):
        cut, candidate = found.slice, found.candidate
        units.append(
            SliceUnit(
                file=file,
                language=language,
                kind="slice",
                name=candidate.function or MODULE,
                start_line=min(cut.lines),
                end_line=max(cut.lines),
                header_line=candidate.line,
                lines=cut.lines,
                text=cut.text,
                cwe=candidate.cwe,
                candidate_line=candidate.line,
                sink=candidate.sink,
                fallback=cut.fallback,
                reachable=found.reachable,
                candidate_index=index,
                path=found.reach.path if found.reach is not None and found.reachable else (),
            )
        )
    extracted = replace(extracted, flow=analysed.flow, candidates=analysed.candidates, renders=analysed.renders)
    return replace(extracted, units=tuple(units))
