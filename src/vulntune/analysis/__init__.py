"""Static analysis of one source file: the sink catalogue, candidate sinks and their data-flow slices.

Below `synth`'s verification, `train` and `scan` alike: the generator checks its sinks against the
catalogue, training cuts slices with it, the scanner finds candidates with it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from vulntune.analysis.candidates import Candidate, find_candidates
from vulntune.analysis.slicer import Slice, slice_match
from vulntune.cwe import CATALOGUE
from vulntune.parsing import parse

__all__ = ["Candidate", "CandidateSlice", "Slice", "analyse"]

_WRAPPER = "class Snippet {\n"  # a Java method on its own is not a compilation unit


@dataclass(kw_only=True, frozen=True)
class CandidateSlice:
    """A candidate sink and the slice the judge reads for it."""

    candidate: Candidate
    slice: Slice

    @property
    def reachable(self) -> bool:
        """Static reachability: the sink is not behind a condition that never holds, and what its
        weakness needs reaches it: for a taint weakness (injection, traversal...) data from a
        parameter or untrusted input; for a hard-coded secret a value from none (literals and
        constants only: a credential read from input or passed in is not hard-coded here). A
        configuration weakness (a weak hash, a cookie flag) needs nothing."""
        if self.slice.unreachable:
            return False
        weakness = CATALOGUE[self.candidate.cwe]
        if weakness.taint:
            return bool(self.slice.sources)
        return not (weakness.constant and self.slice.sources)


def analyse(text: str, language: str) -> list[CandidateSlice]:
    """Every candidate sink in `text` with its slice, in file order; never raises on bad code.

    Java code that is only members (a method and its helpers, as evaluation sets cut them) is
    parsed inside a class; lines still count from `text`'s first line.
    """
    tree = parse(text, language)
    offset = 0
    if language == "java" and tree.root_node.has_error:
        wrapped = parse(_WRAPPER + text + "\n}\n", language)
        if not wrapped.root_node.has_error:
            tree, text, offset = wrapped, _WRAPPER + text + "\n}\n", 1
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    found = []
    for match in find_candidates(tree, language):
        cut = slice_match(match, tree, lines, language)
        candidate = match.candidate
        if offset:
            candidate = replace(candidate, line=candidate.line - offset, end_line=candidate.end_line - offset)
            cut = replace(cut, lines=tuple(max(1, n - offset) for n in cut.lines))
        found.append(CandidateSlice(candidate=candidate, slice=cut))
    return found
