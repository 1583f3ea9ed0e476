"""Output formats for scan reports: one module per format, one function each, registered here.

Every formatter has the signature `render(report: ScanReport, *, color: bool = False) -> str`
and is deterministic: sorted keys, sorted results; only time and version fields differ between
two runs on the same input.
"""

from __future__ import annotations

from collections.abc import Callable

from vulntune.errors import VulntuneError
from vulntune.formats import json as json_format
from vulntune.formats import sarif as sarif_format
from vulntune.formats import text as text_format
from vulntune.scan.scanner import ScanReport

Formatter = Callable[..., str]

FORMATTERS: dict[str, Formatter] = {
    "json": json_format.render,
    "sarif": sarif_format.render,
    "text": text_format.render,
}


def get_formatter(name: str) -> Formatter:
    """The formatter registered as `name`; an unknown name is a VulntuneError listing the known ones."""
    try:
        return FORMATTERS[name]
    except KeyError:
        raise VulntuneError(f"unknown format {name!r} (known: {', '.join(sorted(FORMATTERS))})") from None


def render(name: str, report: ScanReport, *, color: bool = False) -> str:
    return get_formatter(name)(report, color=color)


__all__ = ["FORMATTERS", "Formatter", "get_formatter", "render"]
