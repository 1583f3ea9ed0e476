"""HTML templates: what a template writes unescaped, and which view renders it with which values.

A template file is read as text, never rendered. `read_template` lists its **unescaped outputs**:

* Jinja2 and Django: `{{ x|safe }}` (and `|safeseq`) unless an escaping filter comes first, and
  every `{{ x }}` inside `{% autoescape false %}` / `{% autoescape off %}`;
* Thymeleaf: `th:utext="${x}"` (`data-th-utext`) and inlined `[(${x})]`;
* JSP: `<%= x %>` without an encoder, and EL `${x}` in template text (not escaped by default; an
  EL inside a tag such as `<c:out value="${x}"/>` is that tag's business, and `<c:out>` escapes
  unless `escapeXml="false"`).

Each output names the context variables it reads (`user` of `{{ user.bio|safe }}`; loop and `set`
variables lead back to what they iterate), or the request data it reads itself (`<%=
request.getParameter("q") %>`, `${param.q}`, `{{ request.args.q|safe }}`), a weakness with no view.

`find_renders` finds the views (rows of `model_files/template-renders.toml`): a call that renders a
named template with values (`render_template("page.html", bio=bio)`, `render(request, "page.html",
{"bio": bio})`, `model.addAttribute("bio", bio)` in a Spring handler returning `"page"`). Each value
becomes a candidate `Match` whose data is the value, so the taint analysis decides what reaches it
like any sink's; the scanner keeps such a candidate only when a template it renders writes that
value unescaped (`vulntune.scan.templates`).
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, fields
from pathlib import Path

import tree_sitter

from vulntune.analysis.candidates import Match, _arguments, _candidate, _Context, _names_match
from vulntune.analysis.syntax import FUNCTIONS, dotted, enclosing, node_text, string_content
from vulntune.cwe import LANGUAGES
from vulntune.errors import VulntuneError
from vulntune.parsing import walk

RENDERS_FILE = Path(__file__).resolve().parent / "model_files" / "template-renders.toml"
# Files read as templates, and the language whose views render them ("" for either).
TEMPLATE_EXTENSIONS = {
    ".html": "",
    ".htm": "",
    ".jinja": "python",
    ".jinja2": "python",
    ".j2": "python",
    ".jsp": "java",
    ".jspf": "java",
    ".jspx": "java",
}
JSP_EXTENSIONS = (".jsp", ".jspf", ".jspx")
CWE = "CWE-79"
VIEWS = ("argument", "receiver", "method")
MAX_TEXT = 80  # characters of an output's construct shown in a path
MAX_CONSTRUCT = 4000  # characters of one construct read (`{{ ... }}`, a tag): longer ones are cut


# --- template files -------------------------------------------------------------------------------


@dataclass(kw_only=True, frozen=True)
class Output:
    """One place a template writes a value without escaping it.

    Attributes:
        line: 1-based line of the template.
        roots: the context variables it reads ("user" of `{{ user.bio|safe }}`).
        text: the construct as written, cut to 80 characters (`{{ user.bio|safe }}`).
        construct: what makes it unescaped ("|safe filter", "autoescape off", "th:utext",
            "JSP expression", "JSP EL in template text", ...).
        language: the views' language: "python" (Jinja2, Django) or "java" (Thymeleaf, JSP).
        source: request data the template reads itself ("request parameter (JSP param)"), else "".
    """

    line: int
    roots: tuple[str, ...]
    text: str
    construct: str
    language: str
    source: str = ""


@dataclass(kw_only=True, frozen=True)
class TemplateText:
    """What `read_template` found in one template file.

    Attributes:
        outputs: unescaped outputs, in file order.
        includes: names of the templates it includes or extends (they see the same values).
        comments: (line, alone on its line, text) of each comment, for suppressions.
        lines: the file's lines.
        engines: the template languages it is written in ("jinja" for Jinja2 and Django,
            "thymeleaf", "jsp"); empty for a page without template syntax.
    """

    engines: tuple[str, ...]
    outputs: tuple[Output, ...]
    includes: tuple[str, ...]
    comments: tuple[tuple[int, bool, str], ...]
    lines: tuple[str, ...]


def read_template(text: str, name: str) -> TemplateText:
    """The unescaped outputs, includes and comments of a template file (`name`: its path, whose
    extension says whether it is a JSP). Never raises on malformed text."""
    reader = _Reader(text)
    engines = []
    if name.lower().endswith(JSP_EXTENSIONS):
        reader.jsp()
        engines.append("jsp")
    else:
        if ("{{" in text and "}}" in text) or ("{%" in text and "%}" in text):
            reader.jinja()
            engines.append("jinja")
        if re.search(r"\b(data-)?th[:-]\w+\s*=|\[\(\$\{", text):
            reader.thymeleaf()
            engines.append("thymeleaf")
    outputs = sorted(set(reader.outputs), key=lambda o: (o.line, o.text))
    return TemplateText(
        engines=tuple(engines),
        outputs=tuple(outputs),
        includes=tuple(dict.fromkeys(reader.includes)),
        comments=tuple(reader.comments),
        lines=tuple(reader.lines),
    )


_STRING = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_NAME = re.compile(r"(?<![\w.#$@:])([A-Za-z_]\w*)(?![\w(])(?!\s*\()")
_KEYWORDS = frozenset(
    "and or not in is if else true false none True False None loop super self caller varargs kwargs "
    "forloop block empty eq ne lt gt le ge div mod null instanceof new".split()
)
# Filters after which a value is text with no markup left (escaped, encoded or a number).
_ESCAPING_FILTERS = frozenset(
    "e escape forceescape force_escape escapejs urlencode iriencode tojson json_script int float length "
    "count wordcount filesizeformat date time timesince timeuntil yesno".split()
)
_SAFE_FILTERS = frozenset({"safe", "safeseq"})
_REQUEST_READS = re.compile(
    r"\brequest\s*\.\s*(args|form|values|cookies|headers|data|json|files|query_params|path_params|"
    r"query_string|full_path|url|GET|POST|COOKIES|META|FILES|body)\b"
)
_JSP_REQUEST_READS = re.compile(
    r"\brequest\s*\.\s*(getParameter|getParameterValues|getParameterMap|getHeader|getHeaders|getQueryString|"
    r"getRequestURI|getRequestURL|getCookies|getPathInfo|getInputStream|getReader)\s*\("
)
_ENCODERS = re.compile(r"(?i)escape|encodeFor|forHtml|htmlEncode|encodeHtml|sanitize|HtmlUtils|Encode\.for")
_EL_SOURCES = {"param", "paramValues", "header", "headerValues", "cookie"}
_EL_SCOPES = {"requestScope", "pageScope"}
_EL_SKIP = {"sessionScope", "applicationScope", "initParam", "pageContext"}


class _Reader:
    """One template's text, read construct by construct (see the module doc)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.outputs: list[Output] = []
        self.includes: list[str] = []
        self.comments: list[tuple[int, bool, str]] = []
        self.aliases: dict[str, set[str]] = {}  # a loop or set variable -> the names it comes from
        self.sources: dict[str, str] = {}  # a template variable holding request data -> its label

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def comment(self, start: int, end: int) -> None:
        line = self.line_of(start)
        row = self.lines[line - 1] if line - 1 < len(self.lines) else ""
        column = start - self.starts[line - 1]
        text = self.text[start:end]
        rest = row[:column] + row[column + len(text) :] if "\n" not in text else row[:column]
        self.comments.append((line, not rest.strip(), text))

    def add(self, start: int, text: str, construct: str, language: str, roots, source: str = "") -> None:
        shown = " ".join(text.split())
        if len(shown) > MAX_TEXT:
            shown = shown[: MAX_TEXT - 3] + "..."
        names, found = self.resolve(roots)
        source = source or found
        if not names and not source:
            return
        self.outputs.append(
            Output(
                line=self.line_of(start),
                roots=names,
                text=shown,
                construct=construct,
                language=language,
                source=source,
            )
        )

    def resolve(self, roots) -> tuple[tuple[str, ...], str]:
        """(the context variables `roots` come from, with loop and `set` variables replaced by what
        they iterate or hold, a few levels deep; the request data one of them holds, else "")."""
        out, todo, seen, source = set(), list(roots), set(), ""
        while todo:
            name = todo.pop()
            if name in seen or len(seen) > 64:
                continue
            seen.add(name)
            source = source or self.sources.get(name, "")
            if name in self.aliases:
                todo.extend(self.aliases[name])
            elif name not in self.sources:
                out.add(name)
        return tuple(sorted(out)), source

    # -- Jinja2 and Django ----------------------------------------------------------------------------

    def jinja(self) -> None:
        autoescape = [True]
        verbatim = ""
        for start, end, opener in _spans(self.text, {"{{": "}}", "{%": "%}", "{#": "#}"}):
            if opener == "{#":
                if not verbatim:
                    self.comment(start, end)
                continue
            inner = _inner(self.text, start, end).lstrip("-+").rstrip("-+")
            if verbatim:
                if opener == "{%" and inner.split()[:1] == [verbatim]:
                    verbatim = ""
                continue
            if opener == "{{":
                self._jinja_output(start, self.text[start:end], inner, autoescaped=autoescape[-1])
                continue
            words = inner.split()
            head = words[0] if words else ""
            if head in ("raw", "verbatim", "comment"):
                verbatim = "end" + head
            elif head == "autoescape" and len(words) > 1:
                autoescape.append(words[1].lower() not in ("false", "off"))
            elif head == "endautoescape" and len(autoescape) > 1:
                autoescape.pop()
            else:
                self._jinja_tag(head, inner)

    def _jinja_tag(self, head: str, tag: str) -> None:
        body = tag.strip()[len(head) :]
        if head in ("include", "extends"):
            self.includes.extend(m.group(0)[1:-1] for m in _STRING.finditer(body.split(" with ")[0]))
        elif head == "for":
            targets, _, iterated = body.partition(" in ")
            for target in re.split(r"[,\s()]+", targets):
                if target.isidentifier():
                    self._alias(target, iterated.split(" if ")[0], python=True)
        elif head == "set":
            target, equals, value = body.partition("=")
            if equals and target.strip().isidentifier():
                self._alias(target.strip(), value, python=True)
        elif head == "with":
            for target, value in re.findall(r"(\w+)\s*=\s*((?:\"[^\"]*\"|'[^']*'|[^\s,])+)", body):
                self._alias(target, value, python=True)
            for value, target in re.findall(r"(\S+)\s+as\s+(\w+)", body):
                self._alias(target, value, python=True)

    def _alias(self, name: str, expression: str, *, python: bool) -> None:
        source = _python_source(expression) if python else ""
        if source:
            self.sources[name] = source
        self.aliases.setdefault(name, set()).update(_roots(expression.split("|")[0]))

    def _jinja_output(self, start: int, whole: str, expression: str, *, autoescaped: bool) -> None:
        parts = _split_filters(expression)
        head, filters = parts[0], [re.split(r"[(:\s]", f.strip(), maxsplit=1)[0] for f in parts[1:]]
        construct = ""
        for name in filters:
            if name in _ESCAPING_FILTERS:
                return
            if name in _SAFE_FILTERS:
                construct = f"|{name} filter"
                break
        if not construct:
            if autoescaped:
                return
            construct = "autoescape off"
        source = _python_source(head)
        roots = [r for r in _roots(head) if not (source and r == "request")]
        self.add(start, whole, construct, "python", roots, source)

    # -- Thymeleaf --------------------------------------------------------------------------------------

    _TH_ATTRIBUTE = re.compile(r"\b(?:data-)?th[:-](utext|each|with|insert|replace|include)\s*=\s*([\"'])")

    def thymeleaf(self) -> None:
        for start, end, _ in _spans(self.text, {"<!--": "-->"}):
            self.comment(start, end)
        quotes = {q: [m.start() for m in re.finditer(q, self.text)] for q in "\"'"}
        found = []
        for match in self._TH_ATTRIBUTE.finditer(self.text):
            ends = quotes[match.group(2)]
            i = bisect.bisect_left(ends, match.end())
            if i < len(ends) and ends[i] - match.end() <= MAX_CONSTRUCT:
                value = self.text[match.end() : ends[i]]
                found.append((match.start(), match.group(1), value, self.text[match.start() : ends[i] + 1]))
        for start, end, _ in _spans(self.text, {"[(": ")]"}):
            found.append((start, "inline", _inner(self.text, start, end), self.text[start:end]))
        for start, kind, value, whole in sorted(found):
            if kind in ("insert", "replace", "include"):
                name = value.strip().removeprefix("~{").removesuffix("}").split("::")[0].strip()
                if name and not name.startswith(("$", "#", "@")):
                    self.includes.append(name)
            elif kind == "each":
                variables, _, iterated = value.partition(":")
                for name in re.split(r"[,\s]+", variables):
                    if name.isidentifier():
                        self._el_alias(name, iterated)
            elif kind == "with":
                for assignment in value.split(","):
                    name, equals, expression = assignment.partition("=")
                    if equals and name.strip().isidentifier():
                        self._el_alias(name.strip(), expression)
            else:
                construct = "th:utext" if kind == "utext" else "[(...)] inlined text"
                for expression in _expressions(value):
                    if _ENCODERS.search(expression):
                        continue
                    roots, source = _el_roots(expression)
                    self.add(start, whole, construct, "java", roots, source)

    def _el_alias(self, name: str, expression: str) -> None:
        roots, source = set(), ""
        for inner in _expressions(expression) or [expression]:
            found, found_source = _el_roots(inner)
            roots |= set(found)
            source = source or found_source
        if source:
            self.sources[name] = source
        self.aliases.setdefault(name, set()).update(roots)

    # -- JSP --------------------------------------------------------------------------------------------

    _JSP_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*):([\w-]+)")
    _ATTRIBUTE = re.compile(r"([\w:-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")

    def jsp(self) -> None:
        pieces, position = [], 0
        for start, end, _ in _spans(self.text, {"<%--": "--%>", "<!--": "-->"}):
            self.comment(start, end)
            pieces += [self.text[position:start], re.sub(r"[^\n]", " ", self.text[start:end])]
            position = end
        text = "".join(pieces) + self.text[position:]  # comments blanked, lines kept
        el_ignored = False
        blocks = _spans(text, {"<%": "%>"})
        for start, end, _ in blocks:
            body = _inner(text, start, end)
            kind, body = (body[0], body[1:]) if body[:1] in ("=", "@", "!") else ("", body)
            if kind == "@":
                include = re.match(r"\s*include\s+file\s*=\s*[\"']([^\"']+)", body)
                if include:
                    self.includes.append(include.group(1))
                el_ignored = el_ignored or re.search(r"\bisELIgnored\s*=\s*[\"']true", body) is not None
            elif kind == "=":
                if not _ENCODERS.search(body):
                    roots, source = _java_roots(body)
                    self.add(start, text[start:end], "JSP expression <%= %>", "java", roots, source)
            elif kind == "":
                for name, value in re.findall(r"\b(\w+)\s*=\s*([^;=][^;]*);", body):
                    roots, source = _java_roots(value)
                    if source:
                        self.sources[name] = source
                    self.aliases.setdefault(name, set()).update(roots)
        closes = [m.start() for m in re.finditer(">", text)]
        tags = []
        for match in self._JSP_TAG.finditer(text):
            i = bisect.bisect_left(closes, match.end())
            if match.group(1) or i == len(closes) or closes[i] - match.end() > MAX_CONSTRUCT:
                continue
            end = closes[i] + 1
            tags.append((match.start(), end))
            tag = f"{match.group(2)}:{match.group(3)}".lower()
            attributes = {k.lower(): v[1:-1] for k, v in self._ATTRIBUTE.findall(text, match.end(), end)}
            if tag == "jsp:include" and "page" in attributes and "$" not in attributes["page"]:
                self.includes.append(attributes["page"])
            elif el_ignored:
                continue
            elif tag == "c:set" and "var" in attributes and "value" in attributes:
                self._el_alias(attributes["var"], attributes["value"])
            elif tag == "c:foreach" and "var" in attributes and "items" in attributes:
                self._el_alias(attributes["var"], attributes["items"])
            elif tag == "c:out" and attributes.get("escapexml", "").strip().lower() == "false":
                for expression in _expressions(attributes.get("value", "")):
                    roots, source = _el_roots(expression)
                    self.add(
                        match.start(), text[match.start() : end], '<c:out escapeXml="false">', "java", roots, source
                    )
        if el_ignored:
            return
        inside = sorted(tags + [(a, b) for a, b, _ in blocks])
        starts, ends = [a for a, _ in inside], []
        for _, b in inside:  # the furthest end of any span starting at or before each start
            ends.append(max(b, ends[-1]) if ends else b)
        for start, end, _ in _spans(text, {"${": "}", "#{": "}"}):
            i = bisect.bisect_right(starts, start) - 1
            if i >= 0 and start < ends[i]:
                continue  # in a tag's attribute (its tag decides) or in a scriptlet
            expression = _inner(text, start, end, 1)
            if re.search(r"\bfn:escapeXml\s*\(", expression) or re.match(r"\s*(empty|not|!|fn:length)\b", expression):
                continue
            roots, source = _el_roots(expression)
            self.add(start, text[start:end], "JSP EL in template text", "java", roots, source)


def _spans(text: str, pairs: dict[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, opener) of each `opener ... closer` construct of `pairs`, left to right, none
    inside another: in O(n log n), so text full of openers without closers costs no more than any."""
    closers = {c: [m.start() for m in re.finditer(re.escape(c), text)] for c in set(pairs.values())}
    openers = sorted((m.start(), o) for o in pairs for m in re.finditer(re.escape(o), text))
    out, position = [], 0
    for start, opener in openers:
        if start < position:
            continue
        ends = closers[pairs[opener]]
        i = bisect.bisect_left(ends, start + len(opener))
        if i == len(ends):
            continue
        end = ends[i] + len(pairs[opener])
        out.append((start, end, opener))
        position = end
    return out


def _inner(text: str, start: int, end: int, closer: int = 2) -> str:
    """A construct's text between its two-character opener and its closer (`closer` characters),
    cut to `MAX_CONSTRUCT` characters."""
    return text[start + 2 : min(end - closer, start + 2 + MAX_CONSTRUCT)]


def _expressions(value: str) -> list[str]:
    """The `${...}` expressions in an attribute value."""
    return [_inner(value, start, end, 1) for start, end, _ in _spans(value, {"${": "}"})]


def _split_filters(expression: str) -> list[str]:
    """`a.b|safe|default('x')` -> ["a.b", "safe", "default('x')"]: split at `|` outside strings
    and brackets (`or` is how Jinja and Django write "or")."""
    parts, depth, current, quote = [], 0, [], ""
    for char in expression:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
            continue
        if char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _roots(expression: str) -> list[str]:
    """The variables an expression reads: names not after a dot, not called, not keywords."""
    bare = _STRING.sub(" ", expression)
    return [name for name in _NAME.findall(bare) if name not in _KEYWORDS]


def _python_source(expression: str) -> str:
    found = _REQUEST_READS.search(_STRING.sub(" ", expression))
    return f"request data read in the template (request.{found.group(1)})" if found else ""


def _el_roots(expression: str) -> tuple[list[str], str]:
    """(variables, request-data label) of an EL, OGNL or SpEL expression (`${user.bio}`)."""
    bare = _STRING.sub(" ", expression)
    if re.search(r"#(request|httpServletRequest)\s*\.\s*get(Parameter|Header|QueryString)", bare):
        return [], "request data read in the template (#request)"
    bare = re.sub(r"\b\w+:(?=\w+\s*\()", " ", bare)  # fn:toUpperCase( -> toUpperCase(
    roots, source = [], ""
    for match in re.finditer(r"(?<![\w.#$@:])([A-Za-z_]\w*)(\s*\.\s*([A-Za-z_]\w*))?", bare):
        name, member = match.group(1), match.group(3)
        if name in _KEYWORDS or bare[match.end(1) :].lstrip().startswith("("):
            continue
        if name in _EL_SOURCES:
            source = f"request data read in the template ({name})"
        elif name in _EL_SCOPES:
            if member:
                roots.append(member)
        elif name not in _EL_SKIP:
            roots.append(name)
    return roots, source


def _java_roots(expression: str) -> tuple[list[str], str]:
    """(variables, request-data label) of a JSP expression: `request.getAttribute("bio")` reads
    the request attribute `bio`, `request.getParameter(...)` request data."""
    found = _JSP_REQUEST_READS.search(expression)
    if found:
        return [], f"request data read in the template (request.{found.group(1)})"
    roots = re.findall(r"\b(?:request|pageContext)\s*\.\s*getAttribute\s*\(\s*\"([^\"]+)\"", expression)
    bare = _STRING.sub(" ", expression)
    bare = re.sub(r"\b(request|pageContext|session|application|out|response)\s*\.\s*\w+\s*\([^)]*\)", " ", bare)
    return roots + [n for n in _NAME.findall(bare) if n not in _KEYWORDS and not n[0].isupper()], ""


# --- views: the render rows -----------------------------------------------------------------------


@dataclass(kw_only=True, frozen=True)
class RenderPattern:
    """One way a view renders a template with values (a `[[render]]` row; see the file's header)."""

    id: str
    language: str
    names: tuple[str, ...]
    api: str
    view: str = "argument"
    receiver: str = ""
    template: tuple[int | str, ...] = ()
    keywords: bool = False
    context: tuple[int | str, ...] = ()
    pair: tuple[int, ...] = ()


@dataclass(kw_only=True, frozen=True)
class Render:
    """A value a view hands a template: the candidate `index` of its file (`analyse_file`), the
    template names as written, the value's name in the template ("*" when not known)."""

    index: int
    templates: tuple[str, ...]
    variable: str
    api: str


@functools.cache
def load_renders(path: str = str(RENDERS_FILE)) -> tuple[RenderPattern, ...]:
    """The render rows of `path` (the shipped file by default), validated: an unknown table or key,
    a missing key, a value of the wrong kind, a bad regular expression or a duplicate id is a
    `VulntuneError` naming the file and the entry."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise VulntuneError(f"{path}: cannot read render models ({exc})") from None
    rows, seen = [], set()
    known = {f.name: f for f in fields(RenderPattern)}
    for table, entries in data.items():
        if table != "render" or not isinstance(entries, list):
            raise VulntuneError(f"{path}: unknown table [[{table}]] (expected [[render]])")
        for number, entry in enumerate(entries, 1):
            where = f"{path}: render #{number}" + (f" ({entry['id']!r})" if isinstance(entry.get("id"), str) else "")
            rows.append(_render_row(entry, known, where))
            if (rows[-1].id, rows[-1].language) in seen:
                raise VulntuneError(f"{where}: id {rows[-1].id!r} is defined twice")
            seen.add((rows[-1].id, rows[-1].language))
    return tuple(rows)


def _render_row(entry: dict, known: dict, where: str) -> RenderPattern:
    for key in entry:
        if key not in known:
            raise VulntuneError(f"{where}: unknown key {key!r} (expected one of {', '.join(sorted(known))})")
    missing = [k for k, f in known.items() if f.default is MISSING and k not in entry]
    if missing:
        raise VulntuneError(f"{where}: missing key {missing[0]!r}")
    for key, value in entry.items():
        kind = known[key].type
        if kind == "bool" and not isinstance(value, bool):
            raise VulntuneError(f"{where}: {key} must be true or false")
        if kind == "str" and not isinstance(value, str):
            raise VulntuneError(f"{where}: {key} must be a string")
        if kind.startswith("tuple") and not (isinstance(value, list) and all(_of_kind(v, kind) for v in value)):
            wanted = {"tuple[str, ...]": "names", "tuple[int, ...]": "argument positions"}
            raise VulntuneError(
                f"{where}: {key} must be a list of {wanted.get(kind, 'argument positions and keywords')}"
            )
    row = RenderPattern(**{k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()})
    if row.language not in LANGUAGES:
        raise VulntuneError(f"{where}: unknown language {row.language!r}")
    if row.view not in VIEWS:
        raise VulntuneError(f"{where}: view must be one of {', '.join(VIEWS)}")
    if len(row.pair) not in (0, 2) or not (row.keywords or row.context or row.pair):
        raise VulntuneError(f"{where}: a render hands values by keywords, a context or a pair of arguments")
    if row.view == "argument" and not row.template:
        raise VulntuneError(f"{where}: view 'argument' needs the template's arguments")
    try:
        re.compile(row.receiver)
    except re.error as error:
        raise VulntuneError(f"{where}: bad regular expression {row.receiver!r}: {error}") from None
    return row


def _of_kind(value: object, kind: str) -> bool:
    """One element of a list field: a name ("tuple[str, ...]"), a position (int) or either."""
    position = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if kind == "tuple[str, ...]":
        return isinstance(value, str) and bool(value)
    if kind == "tuple[int, ...]":
        return position
    return position or (isinstance(value, str) and value.isidentifier())


def find_renders(tree: tree_sitter.Tree, language: str) -> list[tuple[Match, Render]]:
    """Every value a view of `tree` hands a named template, as a candidate `Match` (CWE-79, kind
    "render", the value its data) and its `Render` (index -1: `analyse_file` numbers them)."""
    rows = [r for r in load_renders() if r.language == language]
    if not rows:
        return []
    by_name: dict[str, list[RenderPattern]] = {}
    for row in rows:
        for name in row.names:
            by_name.setdefault(name.split(".")[-1], []).append(row)
    context = _Context(tree, language)
    calls = {"call"} if language == "python" else {"method_invocation", "object_creation_expression"}
    found = []
    for node in walk(tree.root_node):
        if node.type not in calls:
            continue
        written, resolved, receiver = context.callee_parts(node)
        if not written:
            continue
        for row in by_name.get(written[-1], ()):
            if not _names_match(row.names, written, resolved):
                continue
            if row.receiver and not context.receiver_matches(row.receiver, receiver):
                continue
            templates = _templates(row, node, receiver, language)
            if not templates:
                continue
            api = ".".join(written)
            for variable, value in _values(row, node, language):
                candidate = _candidate(node, CWE, row.id, "render", language)
                match = Match(candidate=candidate, node=node, data=(value,))
                found.append((match, Render(index=-1, templates=templates, variable=variable, api=api)))
            break
    return found


def _templates(row: RenderPattern, node, receiver, language: str) -> tuple[str, ...]:
    if row.view == "receiver":
        names = _made_by_get_template(receiver, node) if receiver is not None else []
    elif row.view == "method":
        names = _method_views(node)
    else:
        positional, keywords = _arguments(node)
        names = []
        for item in row.template:
            argument = positional[item] if isinstance(item, int) and item < len(positional) else keywords.get(item)
            if argument is not None:
                names.extend(_literals(argument))
    return tuple(dict.fromkeys(n for n in names if n and not n.startswith("redirect:")))


_GET_TEMPLATE = frozenset({"get_template", "select_template", "get_or_select_template"})


def _made_by_get_template(receiver, node) -> list[str]:
    """The names of `env.get_template("t.html")`, directly or through a variable assigned one."""
    if receiver.type == "call":
        function = receiver.child_by_field_name("function")
        parts = dotted(function)
        if parts and parts[-1] in _GET_TEMPLATE:
            positional, keywords = _arguments(receiver)
            argument = positional[0] if positional else keywords.get("name") or keywords.get("template_name")
            return _literals(argument) if argument is not None else []
        return []
    if receiver.type == "identifier":
        out = []
        for value in _assigned(node, node_text(receiver)):
            out.extend(_made_by_get_template(value, node) if value.type == "call" else [])
        return out
    return []


def _method_views(node) -> list[str]:
    """The views a Java handler method names: its returned names (not `redirect:`), `new
    ModelAndView("v")`, `setViewName("v")`, `getRequestDispatcher("v.jsp")`, `engine.process("v",
    ...)`; none for a `@ResponseBody` method or a `@RestController` class."""
    method = enclosing(node, FUNCTIONS["java"])
    if method is None or _annotated(method, "ResponseBody"):
        return []
    owner = enclosing(method, {"class_declaration"})
    if owner is not None and _annotated(owner, "RestController"):
        return []
    names = []
    for child in walk(method):
        if child.type == "return_statement" and child.named_children:
            value = child.named_children[0]
            if value.type != "object_creation_expression":
                names.extend(n.removeprefix("forward:") for n in _literals(value))
        elif child.type == "object_creation_expression":
            if node_text(child.child_by_field_name("type")).split("<")[0].endswith("ModelAndView"):
                positional, _ = _arguments(child)
                names.extend(_literals(positional[0]) if positional else [])
        elif child.type == "method_invocation":
            name = node_text(child.child_by_field_name("name"))
            receiver = child.child_by_field_name("object")
            if name in ("setViewName", "getRequestDispatcher", "forward") or (
                name == "process" and re.search(r"(?i)engine", node_text(receiver))
            ):
                positional, _ = _arguments(child)
                names.extend(_literals(positional[0]) if positional else [])
    return names


def _annotated(node, name: str) -> bool:
    for child in node.children:
        if child.type == "modifiers":
            return any(
                a.type in ("marker_annotation", "annotation")
                and node_text(a.child_by_field_name("name")).split(".")[-1] == name
                for a in child.children
            )
    return False


def _values(row: RenderPattern, node, language: str) -> Iterator[tuple[str, tree_sitter.Node]]:
    """(name in the template, value expression) of each value the call hands the template."""
    positional, keywords = _arguments(node)
    template_keywords = {t for t in row.template if isinstance(t, str)}
    if row.keywords:
        for name, value in keywords.items():
            if name not in template_keywords and value is not None:
                yield name, value
        arguments = node.child_by_field_name("arguments")
        for child in arguments.named_children if arguments is not None else ():
            if child.type == "dictionary_splat" and child.named_children:
                yield from _dict_values(child.named_children[0], node, language)
    if row.pair:
        first, second = row.pair
        if second < len(positional):
            for name in _literals(positional[first]) or ["*"]:
                yield name, positional[second]
            return
    for item in row.context:
        argument = positional[item] if isinstance(item, int) and item < len(positional) else keywords.get(item)
        if argument is not None and argument.type not in ("string", "string_literal", "none", "null_literal"):
            yield from _dict_values(argument, node, language)
            return


def _dict_values(expression, node, language: str, depth: int = 0) -> Iterator[tuple[str, tree_sitter.Node]]:
    """The entries of a dict or map written in the code: a literal, `dict(k=v)`, `Map.of("k", v)`,
    a variable assigned one with its `x["k"] = v` / `x.put("k", v)` / `x.update(...)` writes in the
    same function; ("*", the expression) when the code does not show them."""
    kind = expression.type
    if kind == "dictionary":
        for child in expression.named_children:
            if child.type == "pair":
                key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
                if key is not None and key.type == "string" and value is not None:
                    yield string_content(key), value
            elif child.type == "dictionary_splat" and child.named_children and depth < 4:
                yield from _dict_values(child.named_children[0], node, language, depth + 1)
        return
    if kind in ("call", "method_invocation"):
        parts = dotted(expression.child_by_field_name("function" if language == "python" else "name"))
        positional, keywords = _arguments(expression)
        if language == "python" and parts == ("dict",):
            yield from keywords.items()
            if positional and depth < 4:
                yield from _dict_values(positional[0], node, language, depth + 1)
            return
        if language == "java" and parts and parts[-1] in ("of", "ofEntries") and "Map" in node_text(expression):
            for i in range(0, len(positional) - 1, 2):
                yield from ((name, positional[i + 1]) for name in _literals(positional[i]) or ["*"])
            return
    if kind == "identifier" and depth < 4:
        name, entries = node_text(expression), []
        for value in _assigned(node, name):
            if value.type == "dictionary" or (
                value.type == "call" and dotted(value.child_by_field_name("function")) == ("dict",)
            ):
                entries.extend(_dict_values(value, node, language, depth + 1))
        entries.extend(_writes(node, name, language))
        if entries:
            yield from entries
            return
    yield "*", expression


def _writes(node, name: str, language: str) -> list[tuple[str, tree_sitter.Node]]:
    """`name["k"] = v`, `name.update(k=v)` (Python) and `name.put("k", v)` (Java) in `node`'s function."""
    scope = enclosing(node, FUNCTIONS[language]) or _top(node)
    out = []
    for child in walk(scope):
        if language == "python" and child.type == "assignment":
            left, right = child.child_by_field_name("left"), child.child_by_field_name("right")
            if left is not None and left.type == "subscript" and right is not None:
                target, key = left.child_by_field_name("value"), left.child_by_field_name("subscript")
                if node_text(target) == name and key is not None and key.type == "string":
                    out.append((string_content(key), right))
        elif child.type in ("call", "method_invocation"):
            written = dotted(child.child_by_field_name("function" if language == "python" else "name"))
            receiver = (
                child.child_by_field_name("object")
                if language == "java"
                else (child.child_by_field_name("function").child_by_field_name("object") if written else None)
            )
            if receiver is None or node_text(receiver) != name or not written:
                continue
            method = written[-1] if language == "python" else node_text(child.child_by_field_name("name"))
            positional, keywords = _arguments(child)
            if method in ("put", "setdefault") and len(positional) >= 2:
                out.extend((key, positional[1]) for key in _literals(positional[0]) or ["*"])
            elif method == "update":
                out.extend(keywords.items())
                if positional and positional[0].type == "dictionary":
                    out.extend(_dict_values(positional[0], node, language, 4))
    return out


def _literals(node, depth: int = 0) -> list[str]:
    """The strings an expression can be, as far as the code shows: a literal, each branch of a
    conditional, each element of a list, a variable or constant assigned literals."""
    if node is None or depth > 4:
        return []
    kind = node.type
    if kind in ("string", "string_literal"):
        if any(child.type == "interpolation" for child in node.named_children):
            return []
        return [string_content(node)]
    if kind in ("conditional_expression", "ternary_expression"):
        out = []
        for child in node.named_children[1:] if kind == "ternary_expression" else node.named_children[::2]:
            out.extend(_literals(child, depth + 1))
        return out
    if kind in ("list", "tuple", "parenthesized_expression"):
        out = []
        for child in node.named_children:
            out.extend(_literals(child, depth + 1))
        return out
    if kind == "identifier":
        out = []
        for value in _assigned(node, node_text(node)):
            if value.type in ("string", "string_literal", "conditional_expression", "ternary_expression"):
                out.extend(_literals(value, depth + 1))
        return out
    return []


def _assigned(node, name: str) -> list[tree_sitter.Node]:
    """The values assigned to `name` in `node`'s function, else in its file (a module or class constant)."""
    language = "python" if _top(node).type == "module" else "java"
    scope = enclosing(node, FUNCTIONS[language])
    for area in (scope, _top(node)):
        if area is None:
            continue
        out = []
        for child in walk(area):
            if child.type == "assignment":
                left = child.child_by_field_name("left")
                if left is not None and left.type == "identifier" and node_text(left) == name:
                    value = child.child_by_field_name("right")
                    out.extend([value] if value is not None else [])
            elif child.type == "variable_declarator":
                if node_text(child.child_by_field_name("name")) == name:
                    value = child.child_by_field_name("value")
                    out.extend([value] if value is not None else [])
        if out:
            return out
    return []


def _top(node):
    while node.parent is not None:
        node = node.parent
    return node
