"""The language-model generator: ask, read, check, and turn accepted answers into twin samples.

Per (language, CWE) it asks up to ATTEMPTS_PER_PAIR prompts per wanted pair and stops once
enough pairs passed the checks; Java pairs then go through javac in one batch. Every dropped
answer is counted by reason. Deduplication against the templates happens in the pipeline.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vulntune.data import Sample
from vulntune.synth.config import SynthConfig
from vulntune.synth.llm.answer import read_answer
from vulntune.synth.llm.cache import AnswerCache, default_cache_dir
from vulntune.synth.llm.check import REASONS, CheckedPair, check_pair, javac_statuses
from vulntune.synth.llm.client import BudgetExhausted, ChatClient, display_url
from vulntune.synth.llm.prompts import Prompt, make_prompt

ATTEMPTS_PER_PAIR = 2  # answers that fail a check are replaced, but at most one retry per pair on average

Pair = tuple[Sample, Sample]


@dataclass(kw_only=True)
class LlmResult:
    """Accepted pairs and what happened on the way.

    `report` is deterministic for a given cache (written to summary.json); `usage` (requests
    sent, cache hits, retries) changes between a first run and a cached re-run and is only printed.
    """

    pairs: list[Pair] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)


def generator_name(model: str) -> str:
    return f"llm:{model}"


def generate_llm(
    config: SynthConfig,
    *,
    progress: bool = False,
    jobs: int = 1,
    sleep: Callable[[float], None] = time.sleep,
) -> LlmResult:
    """Every accepted LLM pair of the corpus, in a fixed order (language, CWE, attempt)."""
    client = ChatClient(
        endpoint=config.endpoint or "",
        model=config.model or "",
        api_key=os.environ.get(config.api_key_env) or None,
        cache=AnswerCache(config.cache_dir or default_cache_dir()),
        timeout=config.request_timeout,
        max_requests=config.max_requests,
        sleep=sleep,
    )
    wanted = config.llm_pairs()
    cells = [(lang, cwe) for lang in config.languages for cwe in config.cwes_for(lang)]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=wanted * len(cells), unit="pair", desc="llm", file=sys.stderr, leave=False)
    dropped: Counter = Counter()
    accepted: list[tuple[Prompt, int, CheckedPair]] = []
    asked = 0
    budget_reached = False
    try:
        for language, cwe in cells:
            kept = 0
            for attempt in range(wanted * ATTEMPTS_PER_PAIR):
                if kept >= wanted:
                    break
                prompt = make_prompt(seed=config.seed, language=language, cwe=cwe, attempt=attempt)
                try:
                    answer = client.complete(prompt.chat(), seed=prompt.seed)
                except BudgetExhausted:
                    budget_reached = True
                    break
                asked += 1
                outcome = _check(answer, prompt)
                if isinstance(outcome, str):
                    dropped[outcome] += 1
                else:
                    kept += 1
                    accepted.append((prompt, attempt, outcome))
                    if bar is not None:
                        bar.update(1)
                if bar is not None:
                    bar.set_postfix(asked=asked, accept=f"{len(accepted) / asked:.0%}")
            if budget_reached:
                break
    finally:
        if bar is not None:
            bar.close()
    javac = Counter()
    if config.javac:
        accepted = _javac_filter(accepted, dropped, javac, jobs)
    pairs = [_samples(prompt, attempt, checked, config) for prompt, attempt, checked in accepted]
    report = {
        "model": config.model,
        "endpoint": display_url(client.url),
        "pairs_wanted_per_language_cwe": wanted,
        "answers_checked": asked,
        "pairs_accepted": len(pairs),
        "dropped": {reason: dropped.get(reason, 0) for reason in REASONS},
        "javac_files": {k: javac.get(k, 0) for k in ("passed", "missing_api", "not_run", "failed")},
        "max_requests_reached": budget_reached,
    }
    usage = {
        "requests": client.stats.requests,
        "cache_hits": client.stats.cache_hits,
        "retries": client.stats.retries,
        "response_format_fallback": client.stats.response_format_fallback,
    }
    return LlmResult(pairs=pairs, report=report, usage=usage)


def _check(answer: str, prompt: Prompt) -> CheckedPair | str:
    pair = read_answer(answer)
    if pair is None:
        return "unparsable_answer"
    return check_pair(pair[0], pair[1], language=prompt.language, cwe=prompt.cwe)


def _javac_filter(accepted, dropped: Counter, javac: Counter, jobs: int):
    """Drop Java pairs that javac rejects; count each file's outcome."""
    java = [i for i, (prompt, _, _) in enumerate(accepted) if prompt.language == "java"]
    codes = [code for i in java for code in (accepted[i][2].vulnerable, accepted[i][2].safe)]
    statuses = javac_statuses(codes, jobs=jobs)
    rejected = set()
    for n, i in enumerate(java):
        pair_statuses = statuses[2 * n : 2 * n + 2]
        for status in pair_statuses:
            javac[status.replace("-", "_") if not status.startswith("error") else "failed"] += 1
        if any(s.startswith("error") for s in pair_statuses):
            rejected.add(i)
            dropped["javac_error"] += 1
    return [item for i, item in enumerate(accepted) if i not in rejected]


def _sample_id(prefix: str, seed: int, prompt: Prompt, attempt: int, role: str) -> str:
    """Decimal digits only, as the templates' ids (hex could spell a label word)."""
    key = f"{seed}/llm/{prompt.language}/{prompt.cwe}/{attempt}/{role}"
    return f"{prefix}-{int(hashlib.sha256(key.encode()).hexdigest()[:15], 16):018d}"


def _samples(prompt: Prompt, attempt: int, checked: CheckedPair, config: SynthConfig) -> Pair:
    pair_id = _sample_id("pair", config.seed, prompt, attempt, "pair")
    meta = {"generator": generator_name(config.model or ""), "prompt_sha256": prompt.sha256}
    common = dict(
        language=prompt.language, cwe=prompt.cwe, family=f"llm:{prompt.cwe}:{prompt.variant}", pair_id=pair_id
    )
    vulnerable = Sample(
        id=_sample_id("syn", config.seed, prompt, attempt, "vulnerable"),
        label="vulnerable",
        code=checked.vulnerable,
        sink_line=checked.vulnerable_sink_line,
        meta=dict(meta),
        **common,
    )
    safe = Sample(
        id=_sample_id("syn", config.seed, prompt, attempt, "safe"),
        label="safe",
        safe_kind=prompt.safe_kind,
        code=checked.safe,
        sink_line=checked.safe_sink_line,
        meta=dict(meta),
        **common,
    )
    return vulnerable, safe
