"""Real-context twins: template pairs transplanted into real functions (`--context realcode`).

A share of each (language, CWE)'s planned pairs is placed into real functions and methods of a
code corpus's train split (the folder `--context-dir`, holding `python-train/` and `java-train/`
with one folder per repository). Both twins of a pair go into the same function at the same
statement boundary, so they still differ only by the fix, the kill, the guard or the constant;
the function keeps its own statements, signature and length. The language packages say what can
host what (`vulntune.synth.python.context`, `vulntune.synth.java.context`).

Splits: repositories are assigned to train, validation and test (per language, by their number
of host functions), and a pair takes a function from a repository of its family's split, so
splits stay template-family disjoint and a repository's functions all sit in one split. A pair
that no function can host (its source needs a signature of its own, every function clashes)
stays a template pair, counted by reason.
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vulntune.data import SPLITS, Sample
from vulntune.errors import VulntuneError
from vulntune.synth.config import SynthConfig
from vulntune.synth.generate import compatible_sources, plan_pairs, render_pair, seeded_rng
from vulntune.synth.plan import Plan
from vulntune.synth.split import assign_family_groups
from vulntune.synth.template import LEAK_WORDS, Registry

Pair = tuple[Sample, Sample]

_PACKAGE_LINE = re.compile(r"^[ \t]*package\s+[\w.]+\s*;", re.MULTILINE)
_TRIES = 600  # functions tried per source before the next source is tried (clashes, missing `request`)
UNKNOWN_COMMIT = "unknown"


_MARK = "\x03"  # starts each line a transplant adds, until `unmark` numbers them


def mark(text: str) -> str:
    """`text` with every line flagged as the template's (see `unmark`)."""
    return "\n".join(_MARK + line for line in text.split("\n"))


def unmark(code: str) -> tuple[str, frozenset[int], int]:
    """(code without flags or the sink's `@@`, 1-based numbers of the flagged lines, sink line)."""
    lines = code.split("\n")
    flagged = frozenset(i + 1 for i, line in enumerate(lines) if line.startswith(_MARK))
    code = "\n".join(line[1:] if line.startswith(_MARK) else line for line in lines)
    at = code.find("@@")
    if at < 0 or code.find("@@", at + 2) >= 0:
        raise AssertionError("a transplant must hold exactly one sink marker")
    return code[:at] + code[at + 2 :], flagged, code.count("\n", 0, at) + 1


def _language_module(language: str):
    return importlib.import_module(f"vulntune.synth.{language}.context")


@dataclass(frozen=True, kw_only=True)
class Repository:
    """One repository of the context corpus and the functions that can host template code."""

    name: str  # owner/name
    commit: str
    hosts: tuple[Any, ...]


@dataclass(kw_only=True)
class ContextCorpus:
    """The host functions of one language, by repository, and the files' digest."""

    language: str
    repositories: dict[str, Repository]
    files: int
    lines: int
    sha256: str
    hosts_left_out: dict[str, int]  # functions that could host code but may not, by reason


def context_suffix(language: str) -> str:
    """The file suffix of `language`'s sources in a context folder."""
    return _language_module(language).SUFFIX


def context_folder(context_dir: Path, language: str) -> Path:
    return Path(context_dir) / f"{language}-train"


def read_manifest(path: Path | None) -> dict[tuple[str, str], tuple[str, str]]:
    """(language, owner/name) -> (split, commit) from a realcode MANIFEST.csv; empty without one."""
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise VulntuneError(f"{path}: cannot read the context manifest ({exc.strerror})") from None
    missing = {"language", "split", "repo", "commit"} - set(rows[0] if rows else ())
    if missing:
        raise VulntuneError(f"{path}: a context manifest needs the columns language, split, repo, commit")
    return {(r["language"], r["repo"]): (r["split"], r["commit"]) for r in rows}


def load_context(context_dir: Path, language: str, manifest: dict[tuple[str, str], tuple[str, str]]) -> ContextCorpus:
    """Read every file of `<context_dir>/<language>-train/<owner>__<name>/` and find its hosts."""
    folder = context_folder(context_dir, language)
    if not folder.is_dir():
        raise VulntuneError(
            f"{folder}: not found (unpack the corpus's {language}-train archive there, "
            f"e.g. tar -xzf realcode/{language}-train.tar.gz -C {folder})"
        )
    module = _language_module(language)
    digest = hashlib.sha256()
    repositories: dict[str, Repository] = {}
    files = lines = 0
    left_out: Counter = Counter()
    for repo_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        name = repo_dir.name.replace("__", "/", 1)
        split, commit = manifest.get((language, name), ("train", UNKNOWN_COMMIT))
        if split != "train":
            raise VulntuneError(
                f"{repo_dir}: the manifest marks {name} as {split}: only train repositories may host samples"
            )
        hosts = []
        for path in sorted(repo_dir.rglob("*" + module.SUFFIX)):
            if not path.is_file():
                continue
            data = path.read_bytes()
            relative = path.relative_to(repo_dir).as_posix()
            digest.update(f"{name}/{relative}\0{len(data)}\0".encode())
            digest.update(data)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            files += 1
            lines += text.count("\n") + 1
            for host in module.functions(relative, text):
                # A label word in a comment or name ("insecure", "bad") would be the same in both
                # twins, but the corpus promises none anywhere; `@@` marks the template's sink line.
                if LEAK_WORDS.search(host.whole):
                    left_out["label_words"] += 1
                elif "@@" in host.whole or _MARK in host.whole:
                    left_out["marker_text"] += 1
                else:
                    hosts.append(host)
        repositories[name] = Repository(name=name, commit=commit, hosts=tuple(hosts))
    if not repositories:
        raise VulntuneError(f"{folder}: no repository folders (<owner>__<name>/) inside")
    return ContextCorpus(
        language=language,
        repositories=repositories,
        files=files,
        lines=lines,
        sha256=digest.hexdigest(),
        hosts_left_out=dict(sorted(left_out.items())),
    )


def assign_repositories(corpus: ContextCorpus, fractions: tuple[float, ...], seed: int) -> dict[str, str]:
    """repository -> split, balanced by host functions: largest repository first (ties in a
    seeded order), each to the split furthest below its share; a split with a share that is
    still empty takes the last repositories, so each gets one when there are enough."""
    names = sorted(corpus.repositories)
    digest = hashlib.sha256(f"{seed}/context/{corpus.language}".encode()).digest()
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(names)
    size = {name: len(corpus.repositories[name].hosts) for name in names}
    names.sort(key=lambda name: -size[name])
    total = sum(size.values())
    filled = dict.fromkeys(SPLITS, 0)
    taken = dict.fromkeys(SPLITS, 0)
    assignment: dict[str, str] = {}
    for index, name in enumerate(names):
        pending = [s for s, f in zip(SPLITS, fractions) if f > 0 and not taken[s] and s != "train"]
        if pending and len(names) - index <= len(pending):
            split = pending[0]
        else:
            split = max(SPLITS, key=lambda s: (fractions[SPLITS.index(s)] * total - filled[s], -SPLITS.index(s)))
        assignment[name] = split
        filled[split] += size[name]
        taken[split] += 1
    return assignment


class _Pool:
    """The hosts of one (language, split), walked in a seeded order per (CWE, need) with a cursor."""

    def __init__(self, hosts: list[tuple[Repository, Any]]):
        self.hosts = hosts
        self.orders: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        self.cursors: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)

    def walk(self, key: str, need: tuple[str, ...], has, seed: int):
        """Hosts that have `need` (`has(host, need)`), from the cursor on, at most _TRIES, each
        with a callback that takes it (the next walk starts after it)."""
        slot = (key, need)
        order = self.orders.get(slot)
        if order is None:
            order = [i for i, (_, host) in enumerate(self.hosts) if has(host, need)]
            seeded_rng(seed, "context-order", key, *need).shuffle(order)
            self.orders[slot] = order
        start = self.cursors[slot]
        for step in range(min(_TRIES, len(order))):
            position = (start + step) % len(order)

            def take(position: int = position) -> None:
                self.cursors[slot] = position + 1

            yield self.hosts[order[position]], take


@dataclass(kw_only=True)
class ContextRun:
    """The pairs of a corpus with real-context twins, and what happened to them."""

    pairs: list[Pair]
    assignment: dict[str, str]  # family -> split, fixed before any pair was rendered
    report: dict[str, Any]
    added_lines: dict[str, frozenset[int]]  # sample id -> 1-based lines the transplant added or changed


def generate_in_context(config: SynthConfig, registry: Registry) -> ContextRun:
    """Every pair of the corpus in a fixed order, a share of them transplanted into real functions."""
    manifest = read_manifest(config.context_manifest)
    planned: dict[tuple[str, str], list[tuple[Plan, Plan]]] = {}
    by_group: dict[tuple[str, str], set[str]] = defaultdict(set)
    for language in config.languages:
        for cwe in config.cwes_for(language):
            planned[(language, cwe)] = plan_pairs(config, language, cwe, registry)
            by_group[(language, cwe)].update(v.family for v, _ in planned[(language, cwe)])
    assignment = assign_family_groups(by_group, config.split, config.seed)

    report: dict[str, Any] = {"source": config.context, "share": config.context_share, "languages": {}}
    pools: dict[tuple[str, str], _Pool] = {}
    corpora: dict[str, ContextCorpus] = {}
    for language in config.languages:
        corpus = corpora[language] = load_context(Path(config.context_dir), language, manifest)  # type: ignore[arg-type]
        repo_split = assign_repositories(corpus, config.split, config.seed)
        for split in SPLITS:
            hosts = [
                (r, h) for name, r in sorted(corpus.repositories.items()) if repo_split[name] == split for h in r.hosts
            ]
            pools[(language, split)] = _Pool(hosts)
        report["languages"][language] = {
            "files": corpus.files,
            "lines": corpus.lines,
            "sha256": corpus.sha256,
            "hosts": sum(len(r.hosts) for r in corpus.repositories.values()),
            "hosts_left_out": corpus.hosts_left_out,
            "repositories": {
                name: {"split": repo_split[name], "commit": r.commit, "hosts": len(r.hosts)}
                for name, r in sorted(corpus.repositories.items())
            },
            "pairs_wanted": 0,
            "pairs_transplanted": 0,
            "kept_template": Counter(),
        }

    pairs: list[Pair] = []
    run_lines: dict[str, frozenset[int]] = {}
    for (language, cwe), plans in planned.items():
        module = _language_module(language)
        stats = report["languages"][language]
        n = len(plans)
        chosen = list(range(n))
        seeded_rng(config.seed, "context-share", language, cwe).shuffle(chosen)
        chosen_set = set(chosen[: round(n * config.context_share)])
        for index, (vulnerable, safe) in enumerate(plans):
            template = render_pair(vulnerable, safe, index, config.seed)
            if index not in chosen_set:
                pairs.append(template)
                continue
            stats["pairs_wanted"] += 1
            pool = pools[(language, assignment[vulnerable.family])]
            placed = _transplant_pair(module, registry, pool, vulnerable, safe, index, config.seed, template, run_lines)
            if isinstance(placed, str):
                stats["kept_template"][placed] += 1
                pairs.append(template)
            else:
                stats["pairs_transplanted"] += 1
                pairs.append(placed)
    for stats in report["languages"].values():
        stats["kept_template"] = dict(sorted(stats["kept_template"].items()))
    return ContextRun(pairs=pairs, assignment=assignment, report=report, added_lines=run_lines)


def _transplant_pair(
    module, registry: Registry, pool: _Pool, vulnerable: Plan, safe: Plan, index, seed, template, added_lines
):
    """The pair in a real function, or why it stays a template pair."""
    if not pool.hosts:
        return "no_repository_in_split"
    rng = seeded_rng(seed, "context", vulnerable.language, vulnerable.cwe, str(index))
    sources = [s for s in compatible_sources(registry, vulnerable.sink) if module.source_kind(s) is not None]
    if not sources:
        return "no_source_fits"
    sources.sort(key=lambda s: s.id)
    rng.shuffle(sources)
    if vulnerable.source in sources:  # the planned source first, when it can be transplanted
        sources.remove(vulnerable.source)
        sources.insert(0, vulnerable.source)
    key = f"{vulnerable.language}/{vulnerable.cwe}"
    reason = "no_function_fits"
    for source in sources:
        v_plan, s_plan = replace(vulnerable, source=source), replace(safe, source=source)
        kind = module.source_kind(source)
        fixed = None if kind == "param" else _prepare_twins(module, v_plan, s_plan, None)
        need = module.needs(source, fixed)
        for (repository, host), take in pool.walk(key, need, module.has, seed):
            if kind == "param":
                choices = module.param_choices(host, source)
                var = choices[int(rng.random() * len(choices))]
                parts = _prepare_twins(module, v_plan, s_plan, var)
            else:
                parts = fixed
            if kind == "param" and not module.has(host, module.needs(source, parts)):
                continue  # the pieces (known only now) need more than a parameter
            if module.fits(host, parts[0]) or module.fits(host, parts[1]):
                continue
            points = [p for p in module.points_for(host, parts[0]) if p in module.points_for(host, parts[1])]
            if not points:
                continue
            take()
            point = points[int(rng.random() * len(points))]
            layout_seed = rng.getrandbits(32)
            samples = []
            for sample, piece in zip(template, parts):
                code, added, sink_line = unmark(module.place(host, piece, point, random.Random(layout_seed)))
                meta = {
                    **sample.meta,
                    "context": {
                        "repository": repository.name,
                        "path": host.path,
                        "commit": repository.commit,
                        "function": host.name,
                        "line": host.line,
                    },
                }
                samples.append(replace(sample, code=code, sink_line=sink_line, meta=meta))
                added_lines[sample.id] = added
            return samples[0], samples[1]
    return reason


def check_context_java(run: ContextRun, pairs: list[Pair], *, javac: bool, jobs: int = 1) -> list[Pair]:
    """Compile the Java real-context samples against the stubs and count what javac says.

    Each file is counted in `run.report` as passed; parse-checked only, when javac's first error
    is a missing package or symbol (an API of the repository the stubs lack) or lies in the real
    method's own lines (a sibling method or type the sample leaves out), or javac was not run; or
    failed, when the first error is in a line the transplant added: that pair is dropped, counted.
    """
    from vulntune.synth.llm.check import javac_statuses

    java = [s for pair in pairs for s in pair if s.language == "java" and "context" in s.meta]
    if not java:
        return pairs
    # javac wants its own package line: blank the sample's, keeping line numbers.
    codes = [_PACKAGE_LINE.sub("", s.code, count=1) for s in java]
    statuses = javac_statuses(codes, jobs=jobs) if javac else ["not-run"] * len(java)
    counts = {"passed": 0, "missing_api": 0, "error_in_real_code": 0, "not_run": 0, "error": 0}
    failed = set()
    for sample, status in zip(java, statuses):
        if status == "passed":
            counts["passed"] += 1
        elif status == "missing-api":
            counts["missing_api"] += 1
        elif status == "not-run":
            counts["not_run"] += 1
        else:
            line = re.search(r"line (\d+):", status)
            if line is not None and int(line.group(1)) not in run.added_lines.get(sample.id, ()):
                counts["error_in_real_code"] += 1
            else:
                counts["error"] += 1
                failed.add(sample.pair_id)
    stats = run.report["languages"]["java"]
    stats["javac"] = counts
    stats["pairs_dropped_javac_error"] = len(failed)
    return [pair for pair in pairs if pair[0].pair_id not in failed]


def _prepare_twins(module, vulnerable: Plan, safe: Plan, var: str | None):
    """Both twins' pieces, each keeping what either uses of the code they share."""
    parts = (module.prepare(vulnerable, var), module.prepare(safe, var))
    for _ in range(3):  # a kept helper may use more: to a fixed point (two rounds suffice in practice)
        used = parts[0].used | parts[1].used
        again = (module.prepare(vulnerable, var, used), module.prepare(safe, var, used))
        if again == parts:
            return parts
        parts = again
    return parts


def context_of(sample: Sample) -> dict[str, Any] | None:
    """A sample's `meta.context` (its real function's provenance), None for a template sample."""
    return sample.meta.get("context")


def check_repository_splits(splits: dict[str, list[Sample]]) -> None:
    """Raise when a repository's samples sit in two splits (a bug: hosts are drawn per split)."""
    seen: dict[tuple[str, str], str] = {}
    for name in SPLITS:
        for sample in splits[name]:
            context = context_of(sample)
            if context is None:
                continue
            key = (sample.language, context["repository"])
            if seen.setdefault(key, name) != name:
                raise VulntuneError(f"{key[1]}: samples in both {seen[key]} and {name} (a generator bug)")


SLICE_SAMPLES = 1000  # samples per (language, kind) whose slices are measured (first by id: a fixed draw)


def context_summary(run: ContextRun, splits: dict[str, list[Sample]]) -> dict[str, Any]:
    """What the summary and the card say about real-context twins: the corpus read, the pairs
    placed and kept as templates, samples per split, verification, and slice lengths."""
    check_repository_splits(splits)
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for name in SPLITS:
        table: dict[str, Counter] = defaultdict(Counter)
        for sample in splits[name]:
            table[sample.language][_kind(sample)] += 1
        counts[name] = {language: dict(sorted(c.items())) for language, c in sorted(table.items())}
    by_kind: dict[tuple[str, str], list[Sample]] = defaultdict(list)
    for name in SPLITS:
        for sample in splits[name]:
            if sample.safe_kind != "mined":  # a mined sample's code is a slice already
                by_kind[(sample.language, _kind(sample))].append(sample)
    return {
        **run.report,
        "counts": counts,
        "slice_lengths": {
            f"{language} {kind}": slice_lengths(sorted(samples, key=lambda s: s.id)[:SLICE_SAMPLES])
            for (language, kind), samples in sorted(by_kind.items())
        },
    }


def _kind(sample: Sample) -> str:
    if sample.safe_kind == "mined":
        return "mined"
    return "real-context" if context_of(sample) else "template"


def slice_lengths(samples: list[Sample]) -> dict[str, Any]:
    """Characters and lines of the candidate slices of `samples` (`vulntune.analysis.analyse`, the
    slices a scan judges and training cuts from): count, median and 90th percentile, of all
    candidates and of those at the template's sink; and how often a vulnerable sample's sink is
    found and statically reachable (a transplant must leave the weakness where analysis sees it)."""
    from vulntune.analysis import analyse

    chars: list[int] = []
    lines: list[int] = []
    sink_chars: list[int] = []
    sink_lines: list[int] = []
    found = reachable = vulnerable = 0
    for sample in samples:
        at_sink = None
        for cut in analyse(sample.code, sample.language):
            text = cut.slice.text
            chars.append(len(text))
            lines.append(text.count("\n") + 1)
            candidate = cut.candidate
            if (
                at_sink is None
                and sample.sink_line is not None
                and candidate.cwe == sample.cwe
                and candidate.line <= sample.sink_line <= candidate.end_line
            ):
                at_sink = cut
        if at_sink is not None:
            sink_chars.append(len(at_sink.slice.text))
            sink_lines.append(at_sink.slice.text.count("\n") + 1)
        if sample.is_vulnerable:
            vulnerable += 1
            found += at_sink is not None
            reachable += at_sink is not None and at_sink.reachable
    chars.sort()
    lines.sort()
    sink_chars.sort()
    sink_lines.sort()
    return {
        "samples": len(samples),
        "slices": len(chars),
        "chars_median": _quantile(chars, 0.5),
        "chars_p90": _quantile(chars, 0.9),
        "lines_median": _quantile(lines, 0.5),
        "lines_p90": _quantile(lines, 0.9),
        "at_sink_chars_median": _quantile(sink_chars, 0.5),
        "at_sink_chars_p90": _quantile(sink_chars, 0.9),
        "at_sink_lines_median": _quantile(sink_lines, 0.5),
        "at_sink_lines_p90": _quantile(sink_lines, 0.9),
        "vulnerable_sink_found": round(found / vulnerable, 4) if vulnerable else None,
        "vulnerable_sink_reachable": round(reachable / vulnerable, 4) if vulnerable else None,
    }


def _quantile(values: list[int], q: float) -> float | None:
    """Nearest-rank quantile of sorted `values` (None when empty)."""
    if not values:
        return None
    return float(values[min(len(values) - 1, int(q * len(values)))])
