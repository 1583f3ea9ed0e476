"""The Python half of the corpus: every template renders code that parses, twins differ only
where the pair kind says, nothing reveals the label, and the registry covers the issue's numbers."""

from __future__ import annotations

import difflib
import io
import random
import re
import tokenize
from dataclasses import replace

import pytest

import vulntune.synth.python as python_synth
from vulntune.cwe import CATALOGUE
from vulntune.parsing import syntax_errors
from vulntune.synth.generate import compatible_kills, compatible_propagations, compatible_sources
from vulntune.synth.plan import Plan, Rendered
from vulntune.synth.python import surface
from vulntune.synth.template import LEAK_WORDS, REGISTRY, Sink
from vulntune.synth.tokens import normalized_tokens

LANG = "python"
SOURCES = sorted(REGISTRY.sources[LANG].values(), key=lambda t: t.id)
PROPAGATIONS = sorted(REGISTRY.propagations[LANG].values(), key=lambda t: t.id)
SINKS = sorted(REGISTRY.sinks[LANG].values(), key=lambda t: t.id)
KILLS = sorted(REGISTRY.kills[LANG].values(), key=lambda t: t.id)
GUARDS = sorted(REGISTRY.guards[LANG].values(), key=lambda t: t.id)
PY_CWES = sorted((c for c in CATALOGUE.values() if LANG in c.languages), key=lambda c: c.number)
_PLACEHOLDER = re.compile(r"\$\{?\w+\}?")
_WORD = re.compile(r"[A-Za-z_]\w*")


def _variants(sink: Sink) -> list[tuple[str, object, object, object]]:
    """(pair kind, fix, kill, guard) for every counterpart the pipeline may pair with `sink`."""
    out = []
    if "fix" in sink.safe_kinds:
        out += [("fix", f, None, None) for f in sink.fixes]
    if "untainted" in sink.safe_kinds:
        out.append(("untainted", None, None, None))
    if "taint-killed" in sink.safe_kinds:
        out += [("taint-killed", None, k, None) for k in compatible_kills(REGISTRY, sink)]
    if "unreached" in sink.safe_kinds:
        out += [("unreached", None, None, g) for g in GUARDS]
    return out


def _sources_for(sink: Sink):
    return sorted(compatible_sources(REGISTRY, sink), key=lambda s: s.id)


def _propagations_for(sink: Sink):
    return sorted(compatible_propagations(REGISTRY, sink), key=lambda p: p.id)


def _pair(sink, source, propagation, variant, seed) -> tuple[Plan, Plan]:
    kind, fix, kill, guard = variant
    vulnerable = Plan(
        language=LANG,
        cwe=sink.cwe,
        label="vulnerable",
        pair_kind=kind,
        source=source,
        propagation=propagation,
        sink=sink,
        fix=fix,
        kill=kill,
        guard=guard,
        seed=seed,
    )
    return vulnerable, replace(vulnerable, label="safe")


def _check(plan: Plan) -> Rendered:
    rendered = python_synth.render(plan)
    code = rendered.code
    where = f"{plan.sink.id} {plan.pair_kind} {plan.label} {plan.source.id} {plan.propagation.id} seed={plan.seed}"
    assert syntax_errors(code, LANG) == [], f"{where}\n{code}"
    compile(code, "<sample>", "exec", dont_inherit=True)
    assert len(_quote_styles(code)) <= 1, f"{where}: mixed quote styles\n{code}"
    hit = LEAK_WORDS.search(code)
    assert hit is None, f"{where}: leak word {hit.group(0)!r}"
    assert "@@" not in code, where
    # `$q` is the XPath variable of the CWE-643 fixes; any other `$name` is a placeholder left over.
    assert not re.search(r"\$(?!q\b)\{?[A-Za-z_]", code), f"{where}: placeholder left in the code"
    lines = code.splitlines()
    assert 1 <= rendered.sink_line <= len(lines), where
    # The sink line is the rendered marked line (in the code or the sink's helper): it carries every
    # literal word of the template's marked line.
    code_text, helper = _sink_texts(plan)
    marked = next(line for line in (code_text + "\n" + helper).splitlines() if line.lstrip().startswith("@@"))
    words = _WORD.findall(_PLACEHOLDER.sub(" ", marked.lstrip()[2:]))
    line = lines[rendered.sink_line - 1]
    assert all(w in line for w in words), f"{where}: sink line {line!r} lacks {words}"
    if plan.label == "vulnerable":
        api_word = plan.sink.api.rsplit(".", 1)[-1]
        assert api_word in line, f"{where}: sink line {line!r} lacks the API {api_word!r}"
    return rendered


def _sink_texts(plan: Plan) -> tuple[str, str]:
    """The sink code and the sink helper the plan renders (a fix's own helper replaces the sink's)."""
    if plan.label == "safe" and plan.pair_kind == "fix":
        return plan.fix.code, plan.fix.helper or plan.sink.helper
    return plan.sink.vulnerable, plan.sink.helper


def _quote_styles(code: str) -> set[str]:
    """The quote characters of plain string literals (no quote or backslash inside, not docstrings)."""
    styles = set()
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type != tokenize.STRING:
            continue
        body = tok.string.lstrip("rbfRBF")
        if body.startswith(('"""', "'''")) or "\\" in body or ("'" in body[1:-1]) or ('"' in body[1:-1]):
            continue
        styles.add(body[0])
    return styles


def _code_diff(a: str, b: str) -> list[str]:
    """Changed lines between twins, ignoring import lines."""
    changed = []
    for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        text = line[1:].strip()
        if not text or text.startswith(("import ", "from ")):
            continue
        changed.append(line)
    return changed


def _diff_limit(plan: Plan) -> int:
    """Most changed lines (removed + added) twins may show for the plan's pair kind."""
    sink_lines = len(plan.sink.vulnerable.splitlines())
    if plan.pair_kind == "fix":
        helper_lines = max(len(plan.sink.helper.splitlines()), len(plan.fix.helper.splitlines()))
        fix_lines = max(sink_lines, len(plan.fix.code.splitlines())) + helper_lines
        return 2 * fix_lines + len(plan.fix.prelude.splitlines())
    if plan.pair_kind == "untainted":
        return 2 * (sink_lines + 1)  # every use of the value, and the side line
    if plan.pair_kind == "taint-killed":
        return 2 * len(plan.kill.safe.splitlines())
    return 4  # the guard condition and its module-level prelude


@pytest.mark.parametrize("sink", SINKS, ids=lambda s: s.id)
def test_every_sink_and_counterpart_renders_parseable_twins(sink):
    rng = random.Random(sink.id)
    sources, propagations = _sources_for(sink), _propagations_for(sink)
    assert sources, f"{sink.id}: no compatible source"
    variants = _variants(sink)
    # Fixes are where templates differ most: render each of them twice.
    variants += [v for v in variants if v[0] == "fix"]
    for variant in variants:
        vulnerable, safe = _pair(sink, rng.choice(sources), rng.choice(propagations), variant, rng.getrandbits(32))
        v, s = _check(vulnerable), _check(safe)
        # Twins differ locally: the sink/fix block, the kill, the guard, a swapped value, a prelude line.
        changed = _code_diff(v.code, s.code)
        assert 0 < len(changed) <= _diff_limit(vulnerable), f"{sink.id} {variant[0]}: {changed}"
        # Twins must not collapse into one sample once identifiers are normalised.
        assert normalized_tokens(v.code, LANG) != normalized_tokens(s.code, LANG)


def test_every_source_and_propagation_renders():
    rng = random.Random(7)
    for index, source in enumerate(SOURCES):
        sinks = [
            s
            for s in SINKS
            if s.value_kind == source.value_kind and (not s.frameworks or source.framework in s.frameworks)
        ]
        assert sinks, source.id
        # Each source with 8 propagations, cycling, so every propagation meets a dozen sources.
        for offset in range(8):
            propagation = PROPAGATIONS[(index * 8 + offset) % len(PROPAGATIONS)]
            choices = [s for s in sinks if s.value_kind == "str" or not propagation.string_ops]
            if not choices:
                continue
            sink = rng.choice(choices)
            variant = rng.choice(_variants(sink))
            for plan in _pair(sink, source, propagation, variant, rng.getrandbits(32)):
                _check(plan)


def test_render_is_deterministic_and_seed_driven():
    sink = REGISTRY.sinks[LANG]["sql-string-concat-sqlite-execute"]
    plans = [
        _pair(sink, SOURCES[0], PROPAGATIONS[0], ("fix", sink.fixes[0], None, None), seed)[1] for seed in range(40)
    ]
    first = [python_synth.render(p) for p in plans]
    assert first == [python_synth.render(p) for p in plans]
    assert len({r.code for r in first}) >= 35, "the seed should drive the surface"


def test_untainted_twins_swap_the_constant_and_the_value():
    sink = REGISTRY.sinks[LANG]["os-command-concat-system"]
    source = REGISTRY.sources[LANG]["flask-args-get"]
    direct = REGISTRY.propagations[LANG]["direct"]
    vulnerable, safe = _pair(sink, source, direct, ("untainted", None, None, None), 11)
    for seed in range(20):
        v, s = python_synth.render(replace(vulnerable, seed=seed)), python_synth.render(replace(safe, seed=seed))
        assert v.code != s.code and v.sink_line == s.sink_line
        assert set(_WORD.findall(v.code)) == set(_WORD.findall(s.code)), "the swap introduces no new name"


def test_safe_kinds_follow_the_catalogue():
    for sink in SINKS:
        if CATALOGUE[sink.cwe].taint:
            assert sink.safe_kinds == ("fix", "untainted", "taint-killed", "unreached"), sink.id
        else:
            assert sink.safe_kinds == ("fix", "unreached"), sink.id


def test_registry_covers_every_python_cwe():
    assert [c.id for c in PY_CWES] == REGISTRY.cwes(LANG)
    for cwe in PY_CWES:
        sinks = REGISTRY.sinks_for(LANG, cwe.id)
        apis = {s.api for s in sinks}
        assert len(apis) >= 3, f"{cwe.id}: {sorted(apis)}"
        families = sum(len(_propagations_for(s)) for s in sinks if _sources_for(s))
        assert families >= 6, cwe.id
        assert all(1 <= len(s.fixes) <= 3 for s in sinks), cwe.id
    assert len({s.framework for s in SOURCES}) == 5
    assert sum(s.value_kind == "bytes" for s in SOURCES) >= 6
    assert len(PROPAGATIONS) >= 12 and sum(p.string_ops for p in PROPAGATIONS) >= 4
    assert len(KILLS) >= 5 and len(GUARDS) >= 4


def test_identifier_pools_are_disjoint():
    owners: dict[str, str] = {}
    for role, pool in surface.ROLES.items():
        for name in pool:
            assert name not in owners, f"{name!r} in roles {owners.get(name)} and {role}"
            owners[name] = role
    value_names = set(surface.VAR_GENERIC) | set(surface.OUT_GENERIC)
    for vocabulary in REGISTRY.vocabularies[LANG].values():
        value_names |= set(vocabulary.params)
    assert not value_names & set(owners), sorted(value_names & set(owners))


def test_pools_and_templates_carry_no_leak_words():
    texts = [name for pool in surface.ROLES.values() for name in pool]
    vocabularies = REGISTRY.vocabularies[LANG].values()
    texts += [n for vocabulary in vocabularies for n in vocabulary.params]
    texts += [t for t, _ in surface.BENIGN_FUNCTIONS] + list(surface.BENIGN_CONSTANTS) + list(surface.COMMENTS)
    texts += [vocabulary.step_comment for vocabulary in vocabularies] + list(surface.HANDLER_DOCS)
    texts += list(surface.DOCSTRINGS) + list(surface.MESSAGES) + [t for t, _, _ in surface.DECOYS]
    for text in texts:
        assert LEAK_WORDS.search(text) is None, text


def test_random_keys_never_spell_a_leak_word():
    # A 32-digit hex key starts with "bad" once in 4096 draws; 6000 renders would likely hit one.
    sink = REGISTRY.sinks[LANG]["hard-coded-access-key-boto3-client"]
    source, direct = REGISTRY.sources[LANG]["cli-argv"], REGISTRY.propagations[LANG]["direct"]
    for seed in range(6000):
        plan = _pair(sink, source, direct, ("fix", sink.fixes[0], None, None), seed)[0]
        code = python_synth.render(plan).code
        assert LEAK_WORDS.search(code) is None, code


def test_side_tables_name_registered_templates():
    from vulntune.synth.python import sources

    assert set(sources.TRAILERS) | set(sources.TRAILER_IMPORTS) <= set(REGISTRY.sources[LANG])
    assert set(REGISTRY.vocabularies[LANG]) == {c.id for c in PY_CWES}
