"""Loads every language's templates into the registry and hands out the renderers."""

from __future__ import annotations

import functools
import importlib

from vulntune.cwe import LANGUAGES, check_language
from vulntune.synth.plan import Renderer
from vulntune.synth.template import REGISTRY, Registry


@functools.cache
def _module(language: str):
    check_language(language)
    return importlib.import_module(f"vulntune.synth.{language}")


def load_registry(languages: tuple[str, ...] = LANGUAGES) -> Registry:
    """Import the language packages (which register their templates) and return the registry."""
    for language in languages:
        _module(language)
    return REGISTRY


def renderer(language: str) -> Renderer:
    """`render(plan) -> Rendered` of one language."""
    return _module(language).render
