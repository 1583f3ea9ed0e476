"""Weak negatives mined from real code (`vulntune synth --context realcode --context-negatives MODEL`).

The context corpus is widely used, reviewed code: most candidate sinks in it that static analysis
finds reachable are not weaknesses, and they are exactly what a judge is asked about on real code.
Each such candidate's slice enters the corpus as a safe sample of kind `mined`, a *weak* label
(nobody checked it; some of these projects have had CVEs), which training may down-weight
(`mined_weight`) and calibration counts, so an operating point's false positive rate includes real
code's.

A repository's candidates go to the split its real-context twins use (`assign_repositories`), and
only to train and validation: the test split stays the twins' own, so synthetic test numbers keep
their meaning. Reachability is decided as a scan decides it: each repository's files read together
under the threat model given (`vulntune.analysis.solve`). A sample's code is the slice itself, and
`meta.context` gives its repository, path, commit, function and line.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from vulntune.analysis import analyse_file, solve
from vulntune.data import Sample
from vulntune.synth.context import context_folder
from vulntune.units import module_name

MINED = "mined"
MINED_SPLITS = ("train", "validation")  # the test split keeps the twins alone


def mine_repository(
    folder: Path, *, name: str, commit: str, language: str, suffix: str, threat_model: str, cwes: frozenset[str]
) -> list[Sample]:
    """The reachable candidates of one repository's files (read together) as safe `mined` samples,
    one per distinct (CWE, slice text), in file and line order."""
    paths = sorted(p for p in folder.rglob("*" + suffix) if p.is_file())
    analysed, relative = [], []
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        rel = path.relative_to(folder).as_posix()
        relative.append(rel)
        analysed.append(analyse_file(text, language, file=rel, module=module_name(rel)))
    out: list[Sample] = []
    seen: set[tuple[str, str]] = set()
    for rel, found in zip(relative, solve(analysed, threat_model)):
        for index, item in enumerate(found):
            candidate, cut = item.candidate, item.slice
            if not item.reachable or candidate.cwe not in cwes or (candidate.cwe, cut.text) in seen:
                continue
            seen.add((candidate.cwe, cut.text))
            key = hashlib.sha256(f"{name}/{rel}:{candidate.line}:{index}".encode()).hexdigest()[:16]
            out.append(
                Sample(
                    id=f"{language}-{MINED}-{key}",
                    language=language,
                    cwe=candidate.cwe,
                    label="safe",
                    code=cut.text,
                    safe_kind=MINED,
                    family=f"{MINED}:{name}",
                    sink_line=cut.sink_row + 1,
                    meta={
                        "context": {
                            "repository": name,
                            "path": rel,
                            "commit": commit,
                            "function": candidate.function or "",
                            "line": candidate.line,
                        },
                        MINED: {"threat_model": threat_model, "sink": candidate.sink},
                    },
                )
            )
    return out


def mine_negatives(
    context_dir: Path,
    language: str,
    repositories: dict[str, dict[str, Any]],
    *,
    suffix: str,
    threat_model: str,
    cwes: frozenset[str],
) -> tuple[dict[str, list[Sample]], dict[str, Any]]:
    """(split -> mined samples, a report) for one language: `repositories` maps owner/name to its
    `split` and `commit` (the context run's assignment); test repositories are not mined."""
    out: dict[str, list[Sample]] = {split: [] for split in MINED_SPLITS}
    per_repository: dict[str, int] = {}
    by_cwe: Counter = Counter()
    for name, info in sorted(repositories.items()):
        if info["split"] not in MINED_SPLITS:
            continue
        folder = context_folder(Path(context_dir), language) / name.replace("/", "__", 1)
        mined = mine_repository(
            folder,
            name=name,
            commit=info["commit"],
            language=language,
            suffix=suffix,
            threat_model=threat_model,
            cwes=cwes,
        )
        out[info["split"]].extend(mined)
        per_repository[name] = len(mined)
        by_cwe.update(s.cwe for s in mined)
    report = {
        "threat_model": threat_model,
        "per_split": {split: len(samples) for split, samples in out.items()},
        "per_repository": per_repository,
        "per_cwe": dict(sorted(by_cwe.items(), key=lambda kv: int(kv[0][4:]))),
    }
    return out, report
