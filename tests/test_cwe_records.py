"""Each CWE's vocabulary record per language: registration rejects what would otherwise fail at
render time, every catalogued CWE has one record and sinks, the renderers read the records, and
both languages' sink builders follow one convention."""

from __future__ import annotations

import importlib
import inspect
import random
from dataclasses import replace

import pytest

from vulntune.cwe import CATALOGUE, LANGUAGES, cwes_for
from vulntune.data import TWIN_KINDS
from vulntune.errors import VulntuneError
from vulntune.synth.java.surface import JavaCweVocabulary
from vulntune.synth.python import surface as python_surface
from vulntune.synth.python.surface import PythonCweVocabulary
from vulntune.synth.template import NON_TAINT_SAFE_KINDS, Fix, Registry, Sink
from vulntune.synth.templates import load_registry

REGISTRY = load_registry()
RECORDS = {"python": PythonCweVocabulary, "java": JavaCweVocabulary}
# The smallest valid record of each language, for CWE-89.
VALID = {
    "python": dict(
        cwe="CWE-89",
        params=("username",),
        constants=("alice",),
        affixes=(("", "@example.com"),),
        step_comment="# query the database",
    ),
    "java": dict(cwe="CWE-89", params=("name",), constants=("active",), headers=("X-Account",)),
}


def _record(language: str, **overrides):
    return RECORDS[language](**{**VALID[language], **overrides})


def _without(language: str, name: str):
    return RECORDS[language](**{k: v for k, v in VALID[language].items() if k != name})


def _sink(language: str, cwe: str) -> Sink:
    return Sink(
        id="query-string-concat",
        language=language,
        cwe=cwe,
        api="execute",
        vulnerable="@@run($value)",
        fixes=(Fix(id="bind", code="@@run_bound($value)"),),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_valid_record_registers_once(language):
    registry = Registry()
    record = registry.register_vocabulary(_record(language))
    assert registry.vocabulary(language, "CWE-89") is record
    with pytest.raises(VulntuneError, match=f"duplicate CWE-89 {language} vocabulary"):
        registry.register_vocabulary(_record(language))


@pytest.mark.parametrize("language", LANGUAGES)
def test_registration_rejects_an_unknown_cwe(language):
    with pytest.raises(VulntuneError, match=f"CWE-4242 {language} vocabulary: unknown CWE"):
        Registry().register_vocabulary(_record(language, cwe="CWE-4242"))


OTHER_LANGUAGE = [(lang, c) for c, entry in CATALOGUE.items() for lang in LANGUAGES if lang not in entry.languages]


def test_some_cwe_belongs_to_one_language_only():
    assert ("java", "CWE-94") in OTHER_LANGUAGE  # so the next test checks something


@pytest.mark.parametrize("language, cwe", OTHER_LANGUAGE)
def test_registration_rejects_a_cwe_of_the_other_language(language, cwe):
    with pytest.raises(VulntuneError, match=f"{cwe} {language} vocabulary: {cwe} is not catalogued for {language}"):
        Registry().register_vocabulary(_record(language, cwe=cwe))


@pytest.mark.parametrize(
    "language, name", [(lang, name) for lang in LANGUAGES for name in RECORDS[lang].required], ids=str
)
def test_registration_rejects_a_missing_required_field(language, name):
    registry = Registry()
    with pytest.raises(VulntuneError, match=f"CWE-89 {language} vocabulary: missing required field.* {name}"):
        registry.register_vocabulary(_without(language, name))
    assert registry.vocabularies[language] == {}  # nothing half-registered


@pytest.mark.parametrize("language", LANGUAGES)
def test_registration_rejects_a_string_for_a_tuple_and_leak_words(language):
    with pytest.raises(VulntuneError, match=f"CWE-89 {language} vocabulary: params must be a tuple, got str"):
        Registry().register_vocabulary(_record(language, params="username"))
    with pytest.raises(VulntuneError, match=f"CWE-89 {language} vocabulary: label-revealing word .* in constants"):
        Registry().register_vocabulary(_record(language, constants=("malicious",)))


def test_an_unregistered_vocabulary_is_an_error_not_a_key_error():
    with pytest.raises(VulntuneError, match="no python vocabulary registered for CWE-89"):
        Registry().vocabulary("python", "CWE-89")


@pytest.mark.parametrize("language", LANGUAGES)
def test_sinks_without_a_record_and_a_record_without_sinks_fail(language):
    registry = Registry()
    registry.register(_sink(language, "CWE-89"))
    with pytest.raises(VulntuneError, match=f"{language}: CWE-89 with sinks but no vocabulary record"):
        registry.check_cwes(language)
    registry = Registry()
    registry.register_vocabulary(_record(language))
    with pytest.raises(VulntuneError, match=f"{language}: CWE-89 with a vocabulary record but no sinks"):
        registry.check_cwes(language)


def _copy(language: str, skip: str = "", **overrides) -> Registry:
    """A fresh registry holding the real sinks and records of `language`, through the real
    registration functions; the record of `skip` left out, `overrides` applied to CWE-89's."""
    registry = Registry()
    for sink in REGISTRY.sinks[language].values():
        registry.register(sink)
    for cwe, record in REGISTRY.vocabularies[language].items():
        if cwe != skip:
            registry.register_vocabulary(replace(record, **overrides) if cwe == "CWE-89" else record)
    return registry


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_check_passes_on_the_real_records_and_fails_without_one(language):
    _copy(language).check_cwes(language)
    with pytest.raises(VulntuneError, match=f"{language}: CWE-22 with sinks but no vocabulary record"):
        _copy(language, skip="CWE-22").check_cwes(language)
    with pytest.raises(VulntuneError, match="CWE-89 .* sink_constants names 'no-such-sink', no sink of it"):
        _copy(language, sink_constants={"no-such-sink": ("x",)}).check_cwes(language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogued_cwe_has_one_record_and_sinks(language):
    records = REGISTRY.vocabularies[language]
    assert sorted(records) == sorted(cwes_for(language))
    for cwe in cwes_for(language):
        record = records[cwe]
        assert isinstance(record, RECORDS[language]) and record.cwe == cwe and record.language == language
        assert REGISTRY.sinks_for(language, cwe), cwe
        # The record lives in the CWE's sink module, next to its sinks.
        module = importlib.import_module(f"vulntune.synth.{language}.sinks.cwe{CATALOGUE[cwe].number}")
        assert module.CWE == cwe and module.VOCABULARY is record


@pytest.mark.parametrize("language", LANGUAGES)
def test_safe_kinds_follow_the_catalogue(language):
    for sink in REGISTRY.sinks[language].values():
        expected = TWIN_KINDS if CATALOGUE[sink.cwe].taint else NON_TAINT_SAFE_KINDS
        assert sink.safe_kinds == expected, sink.id


def test_both_languages_build_sinks_the_same_way():
    python = importlib.import_module("vulntune.synth.python.sinks.common")
    java = importlib.import_module("vulntune.synth.java.sinks.common")
    for name in ("vocabulary", "sink", "fix"):
        py_params = inspect.signature(getattr(python, name)).parameters
        java_params = inspect.signature(getattr(java, name)).parameters
        assert list(py_params) == list(java_params), name
        kinds = {p.kind for p in py_params.values()} | {p.kind for p in java_params.values()}
        assert kinds <= {inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD}, name


def test_the_python_surface_reads_the_record():
    sink = REGISTRY.sinks["python"]["deserialize-pickle-b64-loads"]
    record = REGISTRY.vocabulary("python", sink.cwe)
    assert record.constants_of(sink) == record.sink_constants[sink.id] != record.constants
    changed = replace(
        record,
        params=("only_param",),
        affixes=(("pre-", "-post"),),
        sink_constants={sink.id: ("only-literal",)},
    )
    names = python_surface.draw(random.Random(0), changed, sink, "flask", "flask").names
    assert (names["param"], names["lit"].strip("\"'"), names["ppre"]) == ("only_param", "only-literal", "pre-")
