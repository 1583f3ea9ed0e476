"""Static analysis: the sink catalogue, candidate sinks, their slices, and taint from real sources.

Below `synth`'s verification, `train` and `scan` alike: the generator checks its sinks against the
catalogue, training cuts slices with it, the scanner finds candidates with it. `analyse` reads one
file on its own; the scanner reads each file with `analyse_file` and decides reachability for the
whole tree at once (`vulntune.analysis.program`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from vulntune.analysis.candidates import Candidate, find_candidates
from vulntune.analysis.catalogue import load_catalogue
from vulntune.analysis.flow import FileFlow, interpret
from vulntune.analysis.program import THREAT_MODELS, Program, Reach, Step, check_threat_model
from vulntune.analysis.slicer import Slice, slice_match
from vulntune.analysis.taint_models import load_models
from vulntune.analysis.templates import Render, find_renders
from vulntune.cwe import CATALOGUE
from vulntune.parsing import parse

__all__ = [
    "THREAT_MODELS",
    "AnalysedFile",
    "Candidate",
    "CandidateSlice",
    "Reach",
    "Slice",
    "Step",
    "analyse",
    "analyse_file",
    "solve",
]

_WRAPPER = "class Snippet {\n"  # a Java method on its own is not a compilation unit


@dataclass(kw_only=True, frozen=True)
class CandidateSlice:
    """A candidate sink and the slice the judge reads for it."""

    candidate: Candidate
    slice: Slice
    reach: Reach | None = None

    @property
    def reachable(self) -> bool:
        """Static reachability: the sink is not where no run goes, and what its weakness needs
        reaches it: for a taint weakness (injection, traversal...) data from a source the threat
        model counts, not sanitised for that weakness on the way (`vulntune.analysis.program`);
        for a hard-coded secret a value from nothing but literals; a configuration weakness (a
        weak hash, a cookie flag) needs nothing. Where the flow analysis could not follow the
        code, the slice decides: data from a parameter or from input reaches the sink."""
        if self.reach is not None and self.reach.decided:
            return self.reach.reachable and not self.slice.unreachable
        if self.slice.unreachable:
            return False
        weakness = CATALOGUE[self.candidate.cwe]
        if weakness.taint:
            return bool(self.slice.sources)
        return not (weakness.constant and self.slice.sources)


@dataclass(kw_only=True, frozen=True)
class AnalysedFile:
    """One file's candidates with their slices (not yet judged reachable) and its local flow."""

    candidates: tuple[CandidateSlice, ...]
    flow: FileFlow | None
    renders: tuple[Render, ...] = ()  # the values views hand templates: candidates of kind "render"


def analyse(text: str, language: str, *, threat_model: str = "all", models: Sequence[str] = ()) -> list[CandidateSlice]:
    """Every candidate sink in `text` with its slice and reachability, in file order; never raises on
    bad code. The file is read alone, so its functions' callers are those in it; the default threat
    model `all` counts the parameters of functions nothing in the file calls (a lone function of an
    evaluation set, a template's function). `models`: user taint model files added to the shipped.

    Java code that is only members (a method and its helpers, as evaluation sets cut them) is
    parsed inside a class; lines still count from `text`'s first line.
    """
    check_threat_model(threat_model)
    analysed = analyse_file(text, language, models=models)
    return list(solve([analysed], threat_model)[0])


def analyse_file(
    text: str,
    language: str,
    *,
    file: str = "",
    module: str = "",
    models: Sequence[str] = (),
    renders: bool = False,
) -> AnalysedFile:
    """Candidates, slices and the local flow of one file (the worker's part of a scan). `models`:
    the user's models files, whose sink rows add candidates and whose taint rows add flow. With
    `renders` (a scan that found template files), each value a view hands a template is a candidate
    too, after the catalogue's (`vulntune.analysis.templates.find_renders`)."""
    tree = parse(text, language)
    offset = 0
    if language == "java" and tree.root_node.has_error:
        wrapped = parse(_WRAPPER + text + "\n}\n", language)
        if not wrapped.root_node.has_error:
            tree, text, offset = wrapped, _WRAPPER + text + "\n}\n", 1
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    matches = find_candidates(tree, language, load_catalogue(language, models))
    rendered = find_renders(tree, language) if renders else []
    handed = tuple(replace(r, index=len(matches) + i) for i, (_, r) in enumerate(rendered))
    matches = [*matches, *(m for m, _ in rendered)]
    found = []
    for match in matches:
        cut = slice_match(match, tree, lines, language)
        candidate = match.candidate
        if offset:
            candidate = replace(candidate, line=candidate.line - offset, end_line=candidate.end_line - offset)
            cut = replace(cut, lines=tuple(max(1, n - offset) for n in cut.lines))
        found.append(CandidateSlice(candidate=candidate, slice=cut))
    try:
        flow = interpret(tree, language, load_models(language, models), matches, file=file, module=module)
    except RecursionError:
        flow = None
    if flow is not None and offset:
        flow = replace(flow, candidates=tuple(replace(c, line=c.line - offset) for c in flow.candidates))
    return AnalysedFile(candidates=tuple(found), flow=flow, renders=handed)


def solve(files: Sequence[AnalysedFile], threat_model: str) -> list[list[CandidateSlice]]:
    """Each file's candidates with their reachability under `threat_model`, the files read together:
    a call from one to another carries taint (`vulntune.analysis.program`)."""
    check_threat_model(threat_model)
    flows = [f.flow for f in files if f.flow is not None]
    program = Program(flows)
    reaches = program.solve(threat_model)
    out = []
    position = 0
    for analysed in files:
        if analysed.flow is None:
            out.append(list(analysed.candidates))
            continue
        out.append([replace(c, reach=reaches.get((position, i))) for i, c in enumerate(analysed.candidates)])
        position += 1
    return out
