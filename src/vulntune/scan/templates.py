"""Link views to the templates they render, after the taint analysis has run across the files.

A scan that found template files asks the analysis for one candidate per value a view hands a
template (`vulntune.analysis.templates.find_renders`). Here each such candidate is kept only when
a template it renders, or one that template includes or extends, writes that value unescaped
(`read_template`); its path then goes on from the render line into the template, where the sink
is. The other render candidates are dropped: a value written escaped is no weakness.

A template that reads request data itself and writes it unescaped (`<%= request.getParameter("q")
%>`, `${param.q}` in a JSP, `th:utext="${param.q}"`, `{{ request.args.q|safe }}`) is a finding in
the template, with no view. Template names are matched against the template files' paths by their
end: `render_template("users/list.html")` renders `app/templates/users/list.html`, a Spring view
`"users/list"` renders `.../templates/users/list.html` or `.../WEB-INF/jsp/users/list.jsp`.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
from collections.abc import Iterable, Sequence

from vulntune.analysis import Step
from vulntune.analysis.templates import CWE, JSP_EXTENSIONS, Output, Render, TemplateText, read_template
from vulntune.cwe import CATALOGUE
from vulntune.errors import VulntuneError
from vulntune.scan.discover import SourceFile
from vulntune.scan.extract import read_source
from vulntune.units import ExtractedFile, SliceUnit, _suppressions, suppression_targets

MAX_INCLUDES = 8  # levels of include/extends followed from a rendered template
VIEW_SUFFIXES = (".html", ".jsp")  # tried after a Java view name without an extension


def read_templates(sources: Iterable[SourceFile]) -> dict[str, TemplateText]:
    """Display path -> what the template writes unescaped, for the files written in a template
    language. A file that cannot be read as UTF-8 text, or an HTML page with no template syntax, is
    passed over without a warning: it is a page or an asset, not a template."""
    out = {}
    for source in sources:
        try:
            text = read_source(source.path, source.data)
        except VulntuneError:
            continue
        found = read_template(text, source.display)
        if found.engines:
            out[source.display] = found
    return out


def link_templates(
    extracted: Sequence[ExtractedFile],
    templates: dict[str, TemplateText],
    *,
    languages: Sequence[str],
    own: Iterable[str] | None = None,
) -> tuple[list[ExtractedFile], list[ExtractedFile]]:
    """(the files with each render candidate kept only where its template writes the value
    unescaped, its path extended into the template; one file per template that writes request
    data unescaped itself, with those findings' units). `own`: display paths of the templates
    whose own findings count (`--changed-since`), all when None."""
    displays = sorted(templates)
    linked = []
    for item in extracted:
        if not item.renders:
            linked.append(item)
            continue
        by_index = {render.index: render for render in item.renders}
        units = []
        for unit in item.units:
            render = by_index.get(getattr(unit, "candidate_index", -1))
            if render is None:
                units.append(unit)
                continue
            hit = _unescaped(render, templates, displays, language=item.language)
            if hit is not None:
                units.append(dataclasses.replace(unit, path=_path(unit, render, *hit)))
        linked.append(dataclasses.replace(item, units=tuple(units), renders=()))
    wanted = set(own) if own is not None else None
    files = []
    for display in displays:
        if wanted is not None and display not in wanted:
            continue
        found = _own_file(display, templates[display], languages)
        if found is not None:
            files.append(found)
    return linked, files


def resolve(name: str, displays: Sequence[str], *, near: str = "") -> list[str]:
    """The template files a name can mean: a path relative to the including template's folder
    (`near`), else every file whose path ends with the name."""
    name = name.strip().removeprefix("classpath:").lstrip("./").split("::")[0].strip()
    if not name:
        return []
    if near:
        relative = posixpath.normpath(posixpath.join(posixpath.dirname(near), name))
        if relative in displays:
            return [relative]
    return [d for d in displays if d == name or d.endswith("/" + name)]


def _names(render: Render, language: str) -> list[str]:
    out = []
    for name in render.templates:
        out.append(name)
        if language == "java" and "." not in posixpath.basename(name.split("::")[0].strip()):
            out.extend(name.split("::")[0].strip() + suffix for suffix in VIEW_SUFFIXES)
    return out


def _rendered(render: Render, displays: Sequence[str], templates: dict[str, TemplateText], language: str) -> list[str]:
    """The templates a render writes with: those it names and, a few levels deep, what they include."""
    order: list[str] = []
    level = [d for name in _names(render, language) for d in resolve(name, displays)]
    for _ in range(MAX_INCLUDES):
        level = [d for d in dict.fromkeys(level) if d not in order]
        if not level:
            break
        order.extend(level)
        level = [
            d
            for display in level
            for name in templates[display].includes
            for d in resolve(name, displays, near=display)
            or (resolve(name + ".html", displays) if "." not in posixpath.basename(name) else [])
        ]
    return order


def _unescaped(
    render: Render, templates: dict[str, TemplateText], displays: Sequence[str], *, language: str
) -> tuple[str, Output] | None:
    """The first template line that writes the render's value unescaped, with its template."""
    for display in _rendered(render, displays, templates, language):
        for output in templates[display].outputs:
            if output.roots and (render.variable == "*" or render.variable in output.roots):
                return display, output
    return None


def _path(unit: SliceUnit, render: Render, template: str, output: Output) -> tuple[Step, ...]:
    """The unit's path (source, calls, the render line) with the render a call into the template
    and the template's line the sink; empty when the value is not reachable."""
    if not unit.path:
        return ()
    name = "a value" if render.variable == "*" else f"'{render.variable}'"
    call = Step(
        kind="call",
        file=unit.file,
        line=unit.candidate_line,
        label=f"{render.api}(...) passes it to {template} as {name}",
    )
    sink = Step(
        kind="sink",
        file=template,
        line=output.line,
        label=f"{CWE} {CATALOGUE[CWE].name}: {output.text} ({output.construct})",
    )
    return (*unit.path[:-1], call, sink)


def _own_file(display: str, template: TemplateText, languages: Sequence[str]) -> ExtractedFile | None:
    """The template's findings where it writes request data it reads itself, as slice units."""
    units = []
    for output in template.outputs:
        if not output.source or output.language not in languages:
            continue
        text = template.lines[output.line - 1].strip() if output.line <= len(template.lines) else output.text
        label = f"{CWE} {CATALOGUE[CWE].name}: {output.text} ({output.construct})"
        units.append(
            SliceUnit(
                file=display,
                language=output.language,
                kind="slice",
                name=os.path.basename(display),
                start_line=output.line,
                end_line=output.line,
                header_line=output.line,
                lines=(output.line,),
                text=text,
                cwe=CWE,
                candidate_line=output.line,
                sink="template-jsp-output" if display.lower().endswith(JSP_EXTENSIONS) else "template-output",
                reachable=True,
                path=(
                    Step(kind="source", file=display, line=output.line, label=output.source),
                    Step(kind="sink", file=display, line=output.line, label=label),
                ),
            )
        )
    if not units:
        return None
    directives = [(line, alone, ids) for line, alone, text in template.comments if (ids := _suppressions(text))]
    return ExtractedFile(
        file=display,
        language=units[0].language,
        units=tuple(units),
        suppressions=suppression_targets(directives, []),
    )
