"""Planning and rendering: which template combinations become samples, and their twins.

For each (language, CWE) the generator enumerates the template families (sink x propagation),
walks them round-robin so every family gets its share, and for each pair draws a compatible
source, the pair's safe kind (round-robin over the kinds the sink allows), the fix / kill /
guard, and a surface seed. The vulnerable sample and its safe twin render from that one plan.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import replace

from vulntune.data import Sample
from vulntune.synth.config import SynthConfig
from vulntune.synth.plan import Plan
from vulntune.synth.template import Kill, Propagation, Registry, Sink, Source
from vulntune.synth.templates import load_registry, renderer


def seeded_rng(seed: int, *parts: str) -> random.Random:
    """An RNG per (seed, language, CWE): adding a CWE never changes another CWE's samples."""
    digest = hashlib.sha256("/".join([str(seed), *parts]).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def compatible_sources(registry: Registry, sink: Sink) -> list[Source]:
    """The sources whose value kind and framework fit `sink`: the one pairing rule."""
    sources = registry.sources[sink.language].values()
    return [
        s
        for s in sources
        if s.value_kind == sink.value_kind and (not sink.frameworks or s.framework in sink.frameworks)
    ]


def compatible_propagations(registry: Registry, sink: Sink) -> list[Propagation]:
    """The propagations that fit `sink` (string operations only on str values)."""
    props = registry.propagations[sink.language].values()
    return [p for p in props if sink.value_kind == "str" or not p.string_ops]


def compatible_kills(registry: Registry, sink: Sink) -> list[Kill]:
    """The kills that can neutralise `sink`'s value kind, sorted by id."""
    kills = sorted(registry.kills[sink.language].values(), key=lambda k: k.id)
    return [k for k in kills if sink.value_kind in k.value_kinds]


def plan_pairs(config: SynthConfig, language: str, cwe: str, registry: Registry) -> list[tuple[Plan, Plan]]:
    """(vulnerable, safe) plans for one (language, CWE)."""
    rng = seeded_rng(config.seed, language, cwe)
    # Per sink, its propagations in a shuffled order; pairs walk the sinks round-robin so every
    # sink is used as soon as there are as many pairs as sinks, then every family in turn.
    per_sink = []
    for sink in sorted(registry.sinks_for(language, cwe), key=lambda s: s.id):
        sources = sorted(compatible_sources(registry, sink), key=lambda s: s.id)
        props = sorted(compatible_propagations(registry, sink), key=lambda p: p.id)
        if sources and props:
            rng.shuffle(props)
            per_sink.append((sink, props, sources))
    if not per_sink:
        return []
    rng.shuffle(per_sink)
    guards = sorted(registry.guards[language].values(), key=lambda g: g.id)
    kind_counter: dict[str, int] = {}
    pairs = []
    for index in range(config.per_cwe // 2 - config.llm_pairs()):  # the rest, if any, from the LLM
        sink, props, sources = per_sink[index % len(per_sink)]
        prop = props[index // len(per_sink) % len(props)]
        kinds = [k for k in sink.safe_kinds if _kind_possible(k, sink, registry, guards)]
        turn = kind_counter.get(sink.id, 0)
        kind_counter[sink.id] = turn + 1
        pair_kind = kinds[turn % len(kinds)]
        source = rng.choice(sources)
        fix = rng.choice(sink.fixes) if pair_kind == "fix" else None
        kill = None
        if pair_kind == "taint-killed":
            kill = rng.choice(compatible_kills(registry, sink))
        guard = rng.choice(guards) if pair_kind == "unreached" else None
        vulnerable = Plan(
            language=language,
            cwe=cwe,
            label="vulnerable",
            pair_kind=pair_kind,
            source=source,
            propagation=prop,
            sink=sink,
            fix=fix,
            kill=kill,
            guard=guard,
            seed=rng.getrandbits(32),
        )
        pairs.append((vulnerable, replace(vulnerable, label="safe")))
    return pairs


def _kind_possible(kind: str, sink: Sink, registry: Registry, guards) -> bool:
    if kind == "fix":
        return bool(sink.fixes)
    if kind == "taint-killed":
        return bool(compatible_kills(registry, sink))
    if kind == "unreached":
        return bool(guards)
    return True


def sample_id(prefix: str, plan: Plan, index: int, seed: int, role: str) -> str:
    """Decimal digits only: hex ids can spell label words ("bad...")."""
    key = f"{seed}/{plan.language}/{plan.cwe}/{index}/{role}"
    return f"{prefix}-{int(hashlib.sha256(key.encode()).hexdigest()[:15], 16):018d}"


def render_pair(vulnerable: Plan, safe: Plan, index: int, seed: int) -> tuple[Sample, Sample]:
    """Render one twin pair into samples with label-neutral ids and a shared pair_id."""
    render = renderer(vulnerable.language)
    pair_id = sample_id("pair", vulnerable, index, seed, "pair")
    samples = []
    for plan in (vulnerable, safe):
        rendered = render(plan)
        samples.append(
            Sample(
                id=sample_id("syn", plan, index, seed, plan.label),
                language=plan.language,
                cwe=plan.cwe,
                label=plan.label,
                safe_kind=plan.safe_kind,
                code=rendered.code,
                family=plan.family,
                pair_id=pair_id,
                sink_line=rendered.sink_line,
            )
        )
    return samples[0], samples[1]


def generate(config: SynthConfig, registry: Registry | None = None) -> Iterator[tuple[Sample, Sample]]:
    """Every twin pair of the corpus, in a fixed order (language, CWE, pair index)."""
    registry = registry or load_registry(config.languages)
    for language in config.languages:
        for cwe in config.cwes_for(language):
            for index, (vulnerable, safe) in enumerate(plan_pairs(config, language, cwe, registry)):
                yield render_pair(vulnerable, safe, index, config.seed)


def count_pairs(config: SynthConfig, registry: Registry) -> int:
    """How many pairs `generate` will yield (for progress bars)."""
    total = 0
    for language in config.languages:
        for cwe in config.cwes_for(language):
            if any(compatible_sources(registry, s) for s in registry.sinks_for(language, cwe)):
                total += config.per_cwe // 2 - config.llm_pairs()
    return total
