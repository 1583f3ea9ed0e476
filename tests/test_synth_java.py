"""The Java half of the corpus generator: registry coverage, rendering, twins, javac."""

from __future__ import annotations

import difflib
import re

import pytest

import vulntune.synth.java as java
from vulntune.cwe import cwes_for
from vulntune.parsing import syntax_errors
from vulntune.synth.generate import compatible_kills, compatible_propagations, compatible_sources
from vulntune.synth.java import surface
from vulntune.synth.java.render import render
from vulntune.synth.javac import compile_java, javac_available
from vulntune.synth.plan import Plan
from vulntune.synth.template import LEAK_WORDS, REGISTRY, Sink

SOURCES = sorted(REGISTRY.sources["java"].values(), key=lambda s: s.id)
PROPAGATIONS = sorted(REGISTRY.propagations["java"].values(), key=lambda p: p.id)
SINKS = sorted(REGISTRY.sinks["java"].values(), key=lambda s: s.id)
KILLS = sorted(REGISTRY.kills["java"].values(), key=lambda k: k.id)
GUARDS = sorted(REGISTRY.guards["java"].values(), key=lambda g: g.id)
PLACEHOLDER = re.compile(r"\$\$|\$\w+")


def _sources(sink: Sink):
    return sorted(compatible_sources(REGISTRY, sink), key=lambda s: s.id)


def _propagations(sink: Sink):
    return sorted(compatible_propagations(REGISTRY, sink), key=lambda p: p.id)


def _kills(sink: Sink):
    return compatible_kills(REGISTRY, sink)


def _pairs(sink: Sink, rounds: int, offset: int = 0) -> list[tuple[Plan, Plan]]:
    """Twin pairs covering every safe kind, fix, kill and guard of `sink`, cycling sources and propagations."""
    sources, props, kills = _sources(sink), _propagations(sink), _kills(sink)
    pairs = []
    for i in range(offset, offset + rounds):
        for kind in sink.safe_kinds:
            fixes = sink.fixes if kind == "fix" else (None,)
            for j, fix in enumerate(fixes):
                n = i + j
                vulnerable = Plan(
                    language="java",
                    cwe=sink.cwe,
                    label="vulnerable",
                    pair_kind=kind,
                    source=sources[n % len(sources)],
                    propagation=props[(3 * n + n // len(sources)) % len(props)],
                    sink=sink,
                    fix=fix,
                    kill=kills[n % len(kills)] if kind == "taint-killed" else None,
                    guard=GUARDS[n % len(GUARDS)] if kind == "unreached" else None,
                    seed=1000 * n + 17,
                )
                pairs.append((vulnerable, _twin(vulnerable)))
    return pairs


def _twin(plan: Plan) -> Plan:
    from dataclasses import replace

    return replace(plan, label="safe")


def _marked_line(plan: Plan) -> str:
    """The template's marked line, in the code or in the sink's helper (a fix's own helper replaces it)."""
    if plan.label == "safe" and plan.pair_kind == "fix":
        code = plan.fix.code + "\n" + (plan.fix.helper or plan.sink.helper)
    else:
        code = plan.sink.vulnerable + "\n" + plan.sink.helper
    return next(line for line in code.split("\n") if line.lstrip().startswith("@@"))


ALL_PAIRS = [pair for index, sink in enumerate(SINKS) for pair in _pairs(sink, rounds=3, offset=3 * index)]
RENDERED = {id(plan): render(plan) for pair in ALL_PAIRS for plan in pair}


# ----------------------------------------------------------------------------- registry
def test_every_java_cwe_has_three_sink_apis_and_six_families():
    for cwe in cwes_for("java"):
        sinks = [s for s in SINKS if s.cwe == cwe]
        apis = {s.api for s in sinks}
        assert len(apis) >= 3, (cwe, apis)
        families = {(s.id, p.id) for s in sinks if _sources(s) for p in _propagations(s)}
        assert len(families) >= 6, cwe
    assert set(REGISTRY.cwes("java")) == set(cwes_for("java"))


def test_every_sink_has_a_source_and_taint_sinks_allow_all_safe_kinds():
    for sink in SINKS:
        assert _sources(sink), sink.id
        assert sink.fixes, sink.id
        assert "fix" in sink.safe_kinds and "unreached" in sink.safe_kinds
        if sink.cwe in {"CWE-327", "CWE-328", "CWE-330", "CWE-614", "CWE-798"}:
            assert sink.safe_kinds == ("fix", "unreached"), sink.id
        else:
            assert len(sink.safe_kinds) == 4, sink.id
    assert {k for k in KILLS if "bytes" in k.value_kinds}, "bytes sinks need kills"


def test_every_axis_template_is_used():
    used = {"source": set(), "propagation": set(), "kill": set(), "guard": set()}
    for vulnerable, _ in ALL_PAIRS:
        used["source"].add(vulnerable.source.id)
        used["propagation"].add(vulnerable.propagation.id)
        if vulnerable.kill:
            used["kill"].add(vulnerable.kill.id)
        if vulnerable.guard:
            used["guard"].add(vulnerable.guard.id)
    assert used["source"] == {s.id for s in SOURCES}
    assert used["propagation"] == {p.id for p in PROPAGATIONS}
    assert used["kill"] == {k.id for k in KILLS}
    assert used["guard"] == {g.id for g in GUARDS}


def test_role_pools_are_disjoint():
    seen: dict[str, str] = {}
    for role, pool in surface.ROLES.items():
        for name in pool:
            assert name not in seen, f"{name!r} in roles {seen.get(name)} and {role}"
            seen[name] = role


# ----------------------------------------------------------------------------- rendering
def test_every_sink_kind_fix_kill_guard_renders_parseable_code_for_both_labels():
    for pair in ALL_PAIRS:
        for plan in pair:
            code = RENDERED[id(plan)].code
            assert syntax_errors(code, "java") == [], (plan.sink.id, plan.label, plan.pair_kind, code)
            assert code.count("public class ") == 1
            assert not code.lstrip().startswith("package")
            # `$name` is the XPath variable of the variable-resolver fixes and `${api.token}` a Spring
            # property placeholder; any other `$` is a placeholder left over.
            assert not re.search(r"\$(?!name\]|\{[a-z.]+\})", code), (plan.sink.id, "unsubstituted placeholder")


def test_no_leak_words_in_rendered_code():
    for pair in ALL_PAIRS:
        for plan in pair:
            hit = LEAK_WORDS.search(RENDERED[id(plan)].code)
            assert hit is None, (plan.sink.id, hit and hit.group(0))


def test_sink_line_points_at_the_sink_call():
    for pair in ALL_PAIRS:
        for plan in pair:
            rendered = RENDERED[id(plan)]
            lines = rendered.code.split("\n")
            assert 1 <= rendered.sink_line <= len(lines)
            line = lines[rendered.sink_line - 1]
            # Every literal word of the template's marked line appears on the reported line.
            words = re.findall(r"[A-Za-z_]\w{2,}", PLACEHOLDER.sub(" ", _marked_line(plan).replace("@@", "")))
            for word in words:
                assert word in line, (plan.sink.id, plan.label, plan.pair_kind, word, line)


def test_twins_differ_only_locally():
    for vulnerable, safe in ALL_PAIRS:
        a, b = RENDERED[id(vulnerable)].code.split("\n"), RENDERED[id(safe)].code.split("\n")
        assert a != b, (vulnerable.sink.id, vulnerable.pair_kind)
        changed = [op for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes() if op[0] != "equal"]
        removed = sum(i2 - i1 for _, i1, i2, _, _ in changed)
        added = sum(j2 - j1 for _, _, _, j1, j2 in changed)
        assert removed <= 8 and added <= 8, (vulnerable.sink.id, vulnerable.pair_kind, removed, added)
        assert a[0] == b[0] and re.search(r"public class (\w+)", "\n".join(a)).group(1) == re.search(
            r"public class (\w+)", "\n".join(b)
        ).group(1)


def test_untainted_twin_feeds_a_server_side_constant():
    for vulnerable, safe in ALL_PAIRS:
        if vulnerable.pair_kind != "untainted":
            continue
        a, b = RENDERED[id(vulnerable)].code.split("\n"), RENDERED[id(safe)].code.split("\n")
        assert len(a) == len(b)
        changed = [(x, y) for x, y in zip(a, b) if x != y]
        assert changed, vulnerable.sink.id
        for _, line in changed:
            for source_api in ("getenv", "getParameter", "args[", "getHeader", "getInputStream", "readLine"):
                assert source_api not in line, (vulnerable.sink.id, line)


def test_render_is_deterministic_and_twins_share_the_surface():
    vulnerable, safe = ALL_PAIRS[5]
    assert render(vulnerable) == render(vulnerable) == RENDERED[id(vulnerable)]
    first = lambda code: code.split("public class")[0]  # noqa: E731  imports
    kinds = {}
    for v, s in ALL_PAIRS:
        if v.pair_kind != "fix":
            assert first(RENDERED[id(v)].code) == first(RENDERED[id(s)].code), v.sink.id
        kinds.setdefault(v.pair_kind, 0)
    other = Plan(**{**vars(vulnerable), "seed": vulnerable.seed + 1})
    assert render(other).code != RENDERED[id(vulnerable)].code


def test_render_rejects_other_languages():
    from vulntune.errors import VulntuneError

    plan = ALL_PAIRS[0][0]
    with pytest.raises(VulntuneError):
        render(Plan(**{**vars(plan), "language": "python"}))


def test_exports():
    assert java.render is render
    assert (java.STUBS_DIR / "javax" / "servlet" / "http" / "HttpServletRequest.java").is_file()


# ----------------------------------------------------------------------------- javac
@pytest.mark.skipif(not javac_available(), reason="javac not on the PATH")
def test_batch_of_combinations_compiles_with_javac():
    plans = [plan for sink in SINKS for pair in _pairs(sink, rounds=1, offset=7) for plan in pair]
    plans = plans[::2] + [ALL_PAIRS[i][1] for i in range(0, len(ALL_PAIRS), 9)]
    codes = [render(plan).code for plan in plans]
    broken = "public class Broken {\n    int f() {\n        return 1;\n        int x = 2;\n    }\n}\n"
    results = compile_java(codes + [broken], jobs=2)
    failures = [
        (p.sink.id, p.source.id, p.propagation.id, p.label, p.pair_kind, e)
        for p, e in zip(plans, results)
        if e is not None
    ]
    assert len(codes) >= 250
    assert failures == []
    assert results[-1] == "line 4: error: unreachable statement"


def test_compile_java_without_javac_raises_a_clear_error(monkeypatch):
    from vulntune.synth import javac

    monkeypatch.setattr(javac.shutil, "which", lambda name: None)
    assert javac.javac_available() is False
    with pytest.raises(javac.JavacUnavailable, match="javac not found"):
        javac.compile_java(["public class A {}"])


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):  # keys are CWE ids and roles, never rendered
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, surface.JavaCweVocabulary):  # the cwe id is metadata, never rendered
        yield from _strings([v for k, v in vars(value).items() if k != "cwe"])


def test_no_leak_words_in_any_surface_pool():
    from vulntune.synth.java import benign

    pools = [value for name, value in vars(surface).items() if name.isupper()]
    pools += list(REGISTRY.vocabularies["java"].values())
    pools += [[block.code for block in benign.BLOCKS], benign.CLASS_COMMENTS]
    for text in _strings(pools):
        assert LEAK_WORDS.search(text) is None, text


def test_side_tables_match_the_registry():
    from vulntune.synth.java import kills
    from vulntune.synth.java.sinks import RETURN_SHAPES

    assert {s.id for s in SINKS if s.returns} == set(RETURN_SHAPES)
    assert set(kills.IMPORTS) <= {k.id for k in KILLS}
    for sink in SINKS:
        if sink.returns:
            assert sink.frameworks and set(sink.frameworks) <= {"spring", "jaxrs"}, sink.id
