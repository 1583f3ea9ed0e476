"""Measure the shipped slice judge beside the judges it has to beat; write its model card's numbers.

Reproduces every number of the "Measured" section of `src/vulntune/default_model/README.md`:

    vulntune synth --languages python,java --per-cwe 400 --seed 0 --out data/synth
    vulntune train --recipe recipes/slice-judge.toml --out src/vulntune/default_model --force
    vulntune train --recipe recipes/slice-judge.toml --base tfidf --out models/tfidf-slice --force
    .venv/bin/python benchmarks/slice_judge.py measure     # every judge on every set -> reports/slice-judge/
    # a candidate judge, beside the shipped one, before it ships:
    .venv/bin/python benchmarks/slice_judge.py measure --judges smollm2 --model models/slice-judge-v3 \
        --synth data/synth-v3 --reports reports/slice-judge-v3
    .venv/bin/python benchmarks/slice_judge.py examples    # re-record the fixed examples the slow tests check
    .venv/bin/python benchmarks/slice_judge.py speed       # scan speed (benchmarks/bench_scan.py)
    .venv/bin/python benchmarks/slice_judge.py speed --precision int8
    .venv/bin/python benchmarks/slice_judge.py demo        # `vulntune demo`'s output
    .venv/bin/python benchmarks/slice_judge.py card        # the card's "Measured" section, from the files above

The sets, all records of the CWE families the sink catalogue covers: the synthetic test split
(template-disjoint from training), SVEN (real Python vulnerable/fixed function pairs) and Juliet
(Java methods). `../shared/datasets` is evaluation data only. A record's verdict is its most
suspicious candidate's (`vulntune.slices.judge_records`); a record without a candidate is not
flagged. The judges:

- candidates only: every candidate sink is a finding (`--judge none`);
- static reachability: every reachable candidate (`--judge reachability`);
- the TF-IDF slice judge trained by the same recipe (`--base tfidf`);
- the shipped SmolLM2 slice judge, at its per-language thresholds and every recorded operating point.

The earlier function-level detector and the untuned zero-shot base model are quoted from their
own reports (`reports/default-model/`, measured with `vulntune eval` before this design).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from sklearn.metrics import roc_auc_score

from vulntune.analysis.catalogue import CATALOGUE_OF_SINKS
from vulntune.data import Sample, read_samples
from vulntune.evaluate.intervals import wilson
from vulntune.evaluate.twins import record_twin_metrics
from vulntune.models.calibrate import point_thresholds
from vulntune.models.card import MEASURED, write_measured
from vulntune.models.prediction import decision_thresholds
from vulntune.slices import judge_records

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "src" / "vulntune" / "default_model"
TFIDF = ROOT / "models" / "tfidf-slice"
SYNTH = ROOT / "data" / "synth"
SHARED = ROOT.parent / "shared" / "datasets"
REPORTS = ROOT / "reports" / "slice-judge"
PREVIOUS = ROOT / "reports" / "default-model"  # the function-level detector and the zero-shot base
EXAMPLES = ROOT / "tests" / "data" / "default_model_examples.json"
SPEED, SPEED_INT8, DEMO = REPORTS / "scan-speed.txt", REPORTS / "scan-speed-int8.txt", REPORTS / "demo.txt"
SPEED_FILES = 1200
SEED = 0


def sets_for(synth: Path) -> dict[str, tuple[Path, str]]:
    """The measured sets: `synth`'s test split, SVEN and Juliet."""
    return {
        "synthetic-test": (synth / "test.jsonl", "synthetic test split (template-disjoint from training), every file"),
        "sven-python": (SHARED / "python-sven.jsonl", "SVEN: real Python vulnerable/fixed function pairs"),
        "juliet-java": (SHARED / "java-juliet.jsonl", "Juliet: Java test-case methods"),
    }


SETS = sets_for(SYNTH)
JUDGE_NAMES = {
    "none": "candidates only",
    "reachability": "static reachability",
    "tfidf": "TF-IDF slice judge",
    "smollm2": "SmolLM2-135M slice judge (shipped)",
    "smollm2-int8": "the same in int8 (dynamic quantisation; not offered by the scanner)",
}


def covered(samples: list[Sample]) -> list[Sample]:
    """Records whose CWE family the catalogue has candidates for, in their language."""
    return [s for s in samples if s.meta.get("cwe_family", s.cwe) in CATALOGUE_OF_SINKS.cwes(s.language)]


def family(sample: Sample) -> str:
    return sample.meta.get("cwe_family", sample.cwe)


def rate(hits: int, n: int) -> dict:
    low, high = wilson(hits, n) if n else (None, None)
    return {"rate": hits / n if n else None, "hits": hits, "n": n, "ci": [low, high]}


def point_metrics(samples: list[Sample], flagged: dict[str, bool]) -> dict:
    """Recall, FPR and pair-correct per language, per CWE and per safe kind."""
    out: dict = {}
    for language in sorted({s.language for s in samples}):
        group = [s for s in samples if s.language == language]
        vulnerable, safe = [s for s in group if s.is_vulnerable], [s for s in group if not s.is_vulnerable]
        by_cwe = {}
        for cwe in sorted({family(s) for s in group}, key=lambda c: int(c.split("-")[1])):
            v = [s for s in vulnerable if family(s) == cwe]
            n = [s for s in safe if family(s) == cwe]
            by_cwe[cwe] = {
                "recall": rate(sum(flagged[s.id] for s in v), len(v)),
                "fpr": rate(sum(flagged[s.id] for s in n), len(n)),
            }
        kinds = sorted({s.safe_kind for s in safe if s.safe_kind})
        twins = record_twin_metrics(group, flagged)
        out[language] = {
            "recall": rate(sum(flagged[s.id] for s in vulnerable), len(vulnerable)),
            "fpr": rate(sum(flagged[s.id] for s in safe), len(safe)),
            "pair_correct": rate(twins["correct"], twins["pairs"]),
            "by_cwe": by_cwe,
            "by_safe_kind": {
                k: rate(sum(flagged[s.id] for s in safe if s.safe_kind == k), sum(s.safe_kind == k for s in safe))
                for k in kinds
            },
        }
    return out


def measure_judge(judge, samples: list[Sample]) -> dict:
    began = time.perf_counter()
    rows = {row["id"]: row for row in judge_records(judge, samples, batch_size=32)}
    seconds = time.perf_counter() - began
    language = {s.id: s.language for s in samples}
    if isinstance(judge, str):
        points = [("flag", None, {})]
    else:
        default = decision_thresholds(judge)
        points = [("default", (judge.meta.get("calibration") or {}).get("target_fpr"), default)]
        points += [
            (f"val FPR {100 * p['target_fpr']:g}%", p["target_fpr"], point_thresholds(p, judge.languages))
            for p in judge.meta.get("operating_points", [])
            if point_thresholds(p, judge.languages) != default
        ]
    result = {"seconds": round(seconds, 1), "records_per_second": round(len(samples) / seconds, 1), "points": []}
    for name, target, thresholds in points:
        # a static judge records no thresholds: it scores 1 (flagged) or 0
        flagged = {
            i: row["cwe"] is not None and row["score"] >= thresholds.get(language[i], 0.5) for i, row in rows.items()
        }
        result["points"].append(
            {
                "name": name,
                "target_fpr": target,
                "thresholds": thresholds,
                "by_language": point_metrics(samples, flagged),
            }
        )
    if not isinstance(judge, str):
        result["auroc"] = {}
        for lang in sorted(set(language.values())):
            group = [s for s in samples if s.language == lang]
            truth = [s.is_vulnerable for s in group]
            if 0 < sum(truth) < len(truth):
                result["auroc"][lang] = roc_auc_score(truth, [rows[s.id]["score"] for s in group])
    return result


def load_judges(names: list[str], *, model: Path = MODEL, tfidf: Path = TFIDF) -> dict:
    from vulntune import load_detector

    loaders = {
        "none": lambda: "none",
        "reachability": lambda: "reachability",
        "tfidf": lambda: load_detector(tfidf),
        "smollm2": lambda: load_detector(model, batch_size=32),
        "smollm2-int8": lambda: load_detector(model, batch_size=32, dtype="int8"),
    }
    return {name: loaders[name]() for name in names}


def measure(
    only: str | None,
    names: list[str],
    *,
    model: Path = MODEL,
    tfidf: Path = TFIDF,
    synth: Path = SYNTH,
    reports: Path = REPORTS,
) -> None:
    """Measure the judges `names` on every set (or `only` one) into `reports`; the other judges'
    results already in a set's file are kept. A candidate judge is measured with its own
    `model` (or `tfidf`), the corpus it was trained from (`synth`) and `reports` of its own."""
    judges = load_judges(names, model=model, tfidf=tfidf)
    reports.mkdir(parents=True, exist_ok=True)
    for name, (path, description) in sets_for(synth).items():
        if only and only != name:
            continue
        samples = covered(read_samples(path))
        target = reports / f"{name}.json"
        kept = json.loads(target.read_text(encoding="utf-8"))["judges"] if target.is_file() else {}
        result = {"set": name, "description": description, "records": len(samples), "judges": kept}
        for judge_name, judge in judges.items():
            result["judges"][judge_name] = measure_judge(judge, samples)
            print(f"{name} / {judge_name}: {result['judges'][judge_name]['seconds']} s", flush=True)
        result["judges"] = {j: result["judges"][j] for j in JUDGE_NAMES if j in result["judges"]}  # card order
        target.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def record_examples() -> None:
    """Score the fixed examples with the shipped judge; record the verdicts the slow test checks."""
    from vulntune import load_detector

    detector = load_detector(MODEL)
    examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    records = [
        Sample(id=e["name"], language=e["language"], cwe="CWE-0", label=e["truth"], code=e["code"])  # CWE unread
        for e in examples
    ]
    for example, row in zip(examples, judge_records(detector, records)):
        example.update(label=row["label"], cwe=row["cwe"], line=row["line"], score=round(row["score"], 4))
        print(f"{example['name']}: {row['label']} {row['cwe']} line {row['line']} {row['score']:.4f}")
    EXAMPLES.write_text(json.dumps(examples, indent=2) + "\n", encoding="utf-8")


def _run(command: list[str], target: Path) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    REPORTS.mkdir(parents=True, exist_ok=True)
    target.write_text(result.stdout, encoding="utf-8")
    print(result.stdout, end="")


# ------------------------------------------------------------------------------ the card section


def _pct(r: dict) -> str:
    if r["rate"] is None:
        return "-"
    return f"{100 * r['rate']:.1f}% [{100 * r['ci'][0]:.1f}, {100 * r['ci'][1]:.1f}] ({r['hits']}/{r['n']})"


def _judge_table(result: dict) -> list[str]:
    lines = ["| judge | point | language | recall | FPR | pair-correct | AUROC |", "|---|---|---|---|---|---|---|"]
    for judge_name, judged in result["judges"].items():
        for point in judged["points"]:
            for language, m in point["by_language"].items():
                auroc = judged.get("auroc", {}).get(language)
                lines.append(
                    f"| {JUDGE_NAMES[judge_name]} | {point['name']} | {language} | {_pct(m['recall'])} | "
                    f"{_pct(m['fpr'])} | {_pct(m['pair_correct'])} | "
                    f"{'-' if auroc is None else f'{auroc:.3f}'} |"
                )
    return lines


def _cwe_table(result: dict) -> list[str]:
    lines = ["| language | CWE | recall | FPR |", "|---|---|---|---|"]
    default = result["judges"]["smollm2"]["points"][0]
    for language, m in default["by_language"].items():
        for cwe, c in m["by_cwe"].items():
            lines.append(f"| {language} | {cwe} | {_pct(c['recall'])} | {_pct(c['fpr'])} |")
    return lines


def _kind_table(result: dict) -> list[str]:
    lines = ["| language | safe kind | FPR |", "|---|---|---|"]
    default = result["judges"]["smollm2"]["points"][0]
    for language, m in default["by_language"].items():
        lines += [f"| {language} | {kind} | {_pct(r)} |" for kind, r in m["by_safe_kind"].items()]
    return lines if len(lines) > 2 else []


def _previous_table() -> list[str]:
    """The function-level detector and the zero-shot base, from their own `vulntune eval` reports."""
    lines = [
        "| model | set (records) | language | recall | FPR | twin/pair-correct | AUROC |",
        "|---|---|---|---|---|---|---|",
    ]
    runs = [
        ("sven-python", "SVEN, all"),
        ("juliet-java", "Juliet, sample of 614"),
        ("sven-python-zero-shot", "SVEN, sample of 204"),
        ("juliet-java-zero-shot", "Juliet, sample of 214"),
    ]
    for folder, label in runs:
        path = PREVIOUS / folder / "metrics.json"
        if not path.is_file():
            continue
        for model, m in json.loads(path.read_text(encoding="utf-8"))["models"].items():
            if model == "tfidf-baseline":
                continue
            name = (
                "zero-shot SmolLM2-135M-Instruct"
                if "zero-shot" in model
                else "function-level detector (previous default)"
            )
            for language, b in m["by_language"].items():
                pair = (b.get("twins") or {}).get("pair_correct_rate")
                lines.append(
                    f"| {name} | {label} | {language} | {100 * b['recall']:.1f}% | {100 * b['fpr']:.1f}% | "
                    f"{'-' if pair is None else f'{100 * pair:.1f}%'} | {b.get('auroc') or 0:.3f} |"
                )
    return lines


def _quality_bar(results: dict[str, dict]) -> list[str]:
    """The issue's bar, stated from the shipped judge's default point."""

    def at(name: str, language: str) -> dict:
        return results[name]["judges"]["smollm2"]["points"][0]["by_language"][language]

    lines = []
    if "sven-python" in results:
        m = at("sven-python", "python")
        met = m["recall"]["rate"] >= 0.6 and m["fpr"]["rate"] <= 0.1 and m["pair_correct"]["rate"] >= 0.3
        lines.append(
            f"- SVEN (recall >= 60% at FPR <= 10%, pair-correct >= 30%): {'met' if met else 'NOT met'}: "
            f"recall {_pct(m['recall'])}, FPR {_pct(m['fpr'])}, pair-correct {_pct(m['pair_correct'])}."
        )
    if "juliet-java" in results:
        m = at("juliet-java", "java")
        met = m["recall"]["rate"] >= 0.8 and m["fpr"]["rate"] <= 0.1
        lines.append(
            f"- Juliet (recall >= 80% at FPR <= 10%): {'met' if met else 'NOT met'}: "
            f"recall {_pct(m['recall'])}, FPR {_pct(m['fpr'])}."
        )
    if "synthetic-test" in results:
        for language in ("java", "python"):
            m = at("synthetic-test", language)
            met = m["fpr"]["rate"] <= 0.02 and m["recall"]["rate"] >= 0.9 and m["pair_correct"]["rate"] >= 0.85
            lines.append(
                f"- synthetic test, {language} (FPR <= 2% at recall >= 90%, pair-correct >= 85%): "
                f"{'met' if met else 'NOT met'}: recall {_pct(m['recall'])}, FPR {_pct(m['fpr'])}, "
                f"pair-correct {_pct(m['pair_correct'])}."
            )
    return lines


# What was tried before this judge, measured by `benchmarks/bench_candidates.py` (record verdicts,
# recall / FPR / pair-correct) and the `vulntune eval` reports named; kept here so the card says it.
TRIED = [
    "- The function-level detector (versions 1-4, `recipes/default.toml`, the previous default): a SmolLM2-135M "
    "head over whole functions. Best synthetic AUROC 0.805 (both languages), but on real code it found almost "
    "nothing: SVEN recall 1.6% at FPR 0%, Juliet 6.2% at 1.9% at its shipped 10% point (table below). A 135M "
    "model reading whole template functions learned the templates.",
    '- First slice judge (`unit = "slice"`, no gate, length batches, LoRA r16 on the top 2 blocks, 2 epochs, '
    "16,110 training slices: 25 min of trunk pass, 10.5 min of steps): at its 10% point SVEN 2.1% / 1.9% / 0.8%, "
    "Juliet 11.6% / 7.8% / 6.7%, synthetic test 70.9% / 19.6% / 52.6%. The same with 4 epochs (validation loss "
    "0.19): SVEN 14.8% / 8.5% / 7.4%, Juliet 75.9% / 44.2% / 29.8%.",
    "- Why it failed on real code: on SVEN its record AUROC was 0.61 against 0.73 for static reachability alone, "
    "and among reachable candidates it ranked real code at or below chance (AUROC 0.55 for CWE-78, 0.33 for "
    "CWE-89). So this judge is gated: unreachable and constant-fed candidates are decided statically and the "
    'model only sees reachable ones, in twin batches (`gate = "reachability"`, `batching = "twins"`).',
    "- TF-IDF slice judges: without the gate, at their 10% point SVEN 11.1% / 1.6% / 9.5%, Juliet 23.0% / 27.9% / "
    "8.3%; with the gate and this recipe's corpus: rows above.",
    "- Static changes made after reading SVEN and Juliet errors (so SVEN and Juliet numbers of the static stages "
    "are not blind; both are standard security semantics, not tuned thresholds): an argument vector "
    '(`["git", "clone", url]`) is a command line only when it starts a shell (SVEN static reachability FPR '
    "25.9% -> 18.3%, pair-correct 45.8% -> 52.9%); a hard-coded secret is reachable only when no parameter or "
    "input reaches the sink (Juliet FPR 32.7% -> 26.4%, pair-correct 64.0% -> 67.0%). The candidate catalogue's "
    "commands-by-name, wrapper, Markdown and Jinja-autoescape patterns were added after reading SVEN's misses "
    "(candidate recall 71.4% -> 76.7%).",
    "- The corpus was widened for this judge (framework idioms: Jinja2 `Template.render`, Django `mark_safe`, "
    "`format_html`, `.raw`/`.extra`, multi-line `shell=True` commands, JPA `createQuery`/`createNativeQuery`, "
    "`JdbcTemplate`; sources from sockets, files, URL connections, database rows, cookie and header loops, "
    "hand-parsed query strings, system properties; flows through fields, inner classes and helper chains; "
    "taint-killed and unreached twins from arithmetic, collections, switches and ternaries), from our own "
    "knowledge of web code, never from the evaluation sets.",
    "- The previous default judge (the same gate, twin batches and LoRA r16 on the top 4 blocks, but all 30 "
    "blocks, 4 epochs of 9,054 reachable training slices from a corpus without library sources, where reachable "
    "candidates away from the template's sink were labelled safe; 18.6 min of trunk pass, 49 min of steps on 2 "
    "CPU cores): at its 10% point SVEN 38.6% / 4.2% / 36.0% (AUROC 0.790), Juliet 80.4% / 17.9% / 65.3% "
    "(AUROC 0.836), synthetic test (its own corpus) Python 71.2% / 9.9% / 61.3%, Java 90.9% / 6.9% / 84.9%; "
    "17 files/s on the scan benchmark. Chosen by validation: only the number of epochs.",
    "- Its errors (default point): on SVEN it finds SQL injection (135 of 204) but only 8 of 102 command "
    "injections and 0 of 31 path traversals, although static reachability reaches 59 and 19 of them; on Juliet "
    "its false positives are XPath injection (66 of 194 safe methods), hard-coded credentials (30 of 88), "
    "ciphers (16 of 17) and cookie flags (14 of 17). The next corpus widening is for those kinds of code "
    "(XPath built and escaped, credentials from configuration, `setSecure(true)` before `addCookie`, "
    "commands and paths in the surroundings of real projects), then retraining.",
    "- Speed of the previous judge: 17 files/s on the scan benchmark, below the 30 files/s target; batches of 32 "
    "slices were slower than 8 (784 against 946 tokens/s).",
    "- A retrain on a corpus widened for those errors (`data/synth-v3`: 17 Python command and path sinks written "
    "as real projects build them, in helpers and methods; 14 Java XPath, credential, cipher and cookie sinks; 5 "
    "epochs; `models/slice-judge-v3`, not shipped): validation recall 82.9% at 9.9% FPR, but on SVEN no better "
    "than this judge (recall 38.6%, FPR 4.8%, pair-correct 34.1%, AUROC 0.783; CWE-78 4 of 102, CWE-22 1 of 31; "
    "`reports/slice-judge-v3/`). More templates of the same kind did not carry over to real code.",
    "- Why path traversal stayed at 0 of 31 on SVEN: in training, 376 of 648 reachable Python path candidates (Java "
    "406 of 625) were candidates away from the template's sink, mostly sources that read a file at their "
    "caller's path, labelled safe; the judge learnt that a reachable `open` is usually safe. Such candidates are "
    "now left out (whether they are weaknesses depends on callers the file does not show; `vulntune.slices`). "
    "Retrained on the same corpus (`models/slice-judge-v4`, all 30 blocks, 5 epochs, not shipped; "
    "`reports/slice-judge-v4/`): SVEN 50.0% / 7.1% / 43.1%, AUROC 0.793, path traversal 16 of 31 (from 0), "
    "command injection 11 of 102. Its Juliet and synthetic numbers were not measured (the CPU went to the next "
    "judge). The same change for the TF-IDF judge: SVEN path traversal 0 -> 5 of 31, commands 3 -> 10 of 102.",
    "- SVEN's command injections are mostly library code (drivers building a command line from a method's "
    "argument), a kind of code the corpus had no source for: every source was a request, a CLI, a file, a "
    "socket or the environment. Added, from general knowledge of library code: 4 Python and 2 Java sources "
    "whose value is an argument of a plain function or method. **This judge**: that corpus (`data/synth`, "
    "13,200 files, 7,543 reachable training slices) and the first 14 of the base's 30 blocks "
    "(`base_layers = 14`), 5 epochs: 7.8 min of trunk pass, 47 min of steps on 2 CPU cores; validation loss "
    "(every 500 steps) 0.58, 0.58, 0.33, 0.23, 0.22, 0.077, 0.042, 0.045, 0.036, 0.036. Against v4 it changes "
    "two things at once (sources and depth); which did what was not separated. On SVEN command injection went "
    "from 11 to 53 of 102. It was run as `--data data/synth-v5 --out models/slice-judge-v5 --trunk-store "
    "models/trunk` (the training configuration above); `data/synth-v5` is the output of the recipe's `synth` "
    "command, corpus fingerprint 674cc19f.",
    "- Its 10% point (the recipe's target) sits where the validation threshold falls steeply (Java 0.008, Python "
    "0.119, against 0.94 and 0.92 at the 5% point): validation recall 97.1% -> 99.5% for twice the false "
    "positives, so at the default the judge lets most reachable candidates through. At the 5% point SVEN "
    "meets its bar (recall 60.3%, FPR 9.8%, pair-correct 51.6%) but Juliet recall falls to 49.4% (FPR 6.0%). "
    "The default stays the recipe's 10%: moving it after seeing SVEN would make SVEN a tuning set. "
    "`vulntune scan --target-fpr 0.05` picks the stricter point.",
    "- Juliet's remaining false positives at the default are mostly ambiguous at method level: a method that "
    "receives `data` as a parameter and passes it to the sink reads the same in Juliet's good and bad variants "
    '(the caller decides), and Juliet\'s safe cipher is `Cipher.getInstance("AES")`, which this corpus labels '
    'weak on purpose (the JDK\'s default for plain "AES" is ECB mode).',
    '- int8 dynamic quantisation of the backbone\'s linear layers (`load_detector(..., dtype="int8")`, measured '
    "on the previous judge with `measure --judges smollm2-int8`; not offered by the scanner): 1.6x faster (SVEN 53 s against 89 s, "
    "synthetic test 171 s against 265 s), but the scores fall (on SVEN by 0.23 on average, and by 0.29 in mean "
    "absolute terms with per-channel weights too), so the float32 thresholds no longer hold (synthetic Python "
    "recall 71.2% -> 0%, Java 90.9% -> 38.8%) and synthetic AUROC drops (Python 0.899 -> 0.790, Java 0.940 -> "
    "0.853; SVEN 0.790 either way). It would need int8-aware training or thresholds of its own; Juliet was not "
    "measured in int8.",
    "- A judge that has seen real code (issue 25; `recipes/slice-judge-real.toml`, `models/slice-judge-real`, not "
    "shipped; `reports/slice-judge-real/`): the same recipe on a corpus whose pairs are half spliced into real "
    "functions of the realcode train split (`--context realcode --context-share 0.5`; django-oscar and mall kept "
    "out for the triage experiment), plus 391 training and 87 validation weak negatives mined from the train "
    "split (every candidate threat model `all` makes reachable, weighed 0.5 in the loss, counted in full by "
    "calibration). 6,767 training slices, 11 min of trunk pass, 60 min of steps; best validation loss 0.28 at "
    "step 3,000. Its thresholds rose from 0.119 / 0.008 to 0.585 (Python) / 0.674 (Java): the mined real "
    "candidates score high, so the 10% point moves up. Ranking did not improve (AUROC SVEN 0.788 against 0.800, "
    "Juliet 0.856 against 0.854) and the stricter point costs recall: SVEN 31.2% / 4.5% / 27.2%, Juliet 46.2% / "
    "7.1% / 41.3% (recall / FPR / pair-correct), against 64.8% / 9.5% / 55.6% and 71.6% / 11.0% / 61.4% for "
    "this judge. On the realcode held-out split it reports less: Python 36 findings (4.7 per 10k lines) against "
    "60. A TF-IDF judge trained with and without the mined negatives: AUROC SVEN 0.799 either way, Juliet 0.826 "
    "with and 0.833 without; at the default point recall SVEN 27.5% against 31.7%, Juliet 8.4% against 12.6%. "
    "Real context and weak negatives moved the operating point, not the ranking.",
    "- Not tried for lack of CPU time (2 cores, one session): other depths than 14 and 30 blocks, more adapted "
    "blocks or rank, a learning-rate sweep, more epochs, several seeds, larger bases (CodeGen-350M, Qwen2.5-Coder-0.5B: `--base` takes any local folder or hub id).",
]


TAINT_SECTION = "### Behind the taint analysis (issue 24): measured again, weights unchanged\n\nThe reachability gate in front of this judge is now the taint analysis (`vulntune.analysis.flow`\nand `program`: threat models, calls across files, sanitizers and validators as data). A scan\ntherefore asks the judge about fewer candidates than the numbers below assume. Measured with\n`benchmarks/slice_judge.py measure --judges none,reachability,smollm2 --reports\nreports/slice-judge-taint` (method-level sets under threat model `all`). Recall / FPR /\npair-correct, 95% Wilson intervals in `reports/slice-judge-taint/*.json`:\n\n| judge | SVEN | Juliet | synthetic test, Python | synthetic test, Java |\n|---|---|---|---|---|\n| static reachability (`--judge reachability`) | 69.0% / 12.2% / 56.9% | 83.7% / 14.2% / 69.7% | 95.1% / 29.1% / 66.0% | 94.2% / 42.9% / 51.3% |\n| this judge, default point | 64.8% / 9.5% / 55.6% | 71.6% / 11.0% / 61.4% | 94.5% / 9.3% / 85.5% | 94.2% / 15.7% / 78.5% |\n| this judge, 5% point | 58.7% / 7.1% / 52.6% | 47.0% / 5.7% / 42.6% | 91.0% / 6.1% / 84.9% | 93.3% / 13.5% / 79.8% |\n| AUROC | 0.800 | 0.854 | 0.950 | 0.935 |\n\nThe judge adds nothing over static reachability on real code: its pair-correct is 1.3 points\nbelow on SVEN and 8.3 below on Juliet. Retraining behind the new gate, with the real-context twins\nof `vulntune synth --context realcode` (issue 25), is the next step. `make demo` behind the new\ngate: 12 of 12 found, 1 of 17 look-alikes flagged (the sections below say 4 of 17: before the\nchange)."  # measured into reports/slice-judge-taint (see the section)


def render_card_section() -> str:
    results = {
        name: json.loads((REPORTS / f"{name}.json").read_text(encoding="utf-8"))
        for name in SETS
        if (REPORTS / f"{name}.json").is_file()
    }
    out = [
        MEASURED,
        "",
        "Every number below was measured by `benchmarks/slice_judge.py` (commands at its top) and is read from "
        "`reports/slice-judge/*.json`. Brackets: 95% Wilson intervals, then (hits/n). A record (a file, or a "
        "function of SVEN and Juliet) is flagged when its most suspicious candidate is; a record without a "
        "candidate is not. Pair-correct: the vulnerable record flagged and none of its safe counterparts. "
        "Every threshold was chosen on the synthetic validation split, per language, never on these sets.",
        "",
        TAINT_SECTION,
        "",
        "### Quality bar (the shipped judge at its default point)",
        "",
        *_quality_bar(results),
        "",
    ]
    for result in results.values():
        out += [
            f"### {result['description']} ({result['records']} records)",
            "",
            *_judge_table(result),
            "",
            "The shipped judge per CWE (default point):",
            "",
            *_cwe_table(result),
            "",
        ]
        if kinds := _kind_table(result):
            out += ["False positive rate of the shipped judge by kind of safe twin (default point):", "", *kinds, ""]
    if previous := _previous_table():
        out += [
            "### Before slices: the function-level detector and the zero-shot base",
            "",
            "Quoted from their own `vulntune eval` reports in `reports/default-model/` (the earlier design, on "
            "the sets as sampled then; the synthetic split they were measured on is an older corpus):",
            "",
            *previous,
            "",
        ]
    out += ["### What was tried", "", *TRIED, ""]
    if SPEED.is_file():
        out += [
            "### Speed",
            "",
            f"`benchmarks/bench_scan.py --files {SPEED_FILES}` with the shipped judge:",
            "",
            "```",
            SPEED.read_text(encoding="utf-8").rstrip(),
            "```",
            "",
        ]
    if SPEED_INT8.is_file():
        out += [
            "The same with `--precision int8` (`benchmarks/slice_judge.py speed --precision int8`):",
            "",
            "```",
            SPEED_INT8.read_text(encoding="utf-8").rstrip(),
            "```",
            "",
        ]
    if DEMO.is_file():
        out += ["### `make demo`", "", "```", DEMO.read_text(encoding="utf-8").rstrip(), "```", ""]
    if EXAMPLES.is_file():
        examples = json.loads(EXAMPLES.read_text(encoding="utf-8"))
        out += [
            "### Fixed examples",
            "",
            "The shipped judge's verdicts on small snippets "
            "(`tests/data/default_model_examples.json`, checked by the slow tests): a record of behaviour, "
            "not a measurement.",
            "",
            "| example | truth | verdict | CWE | line | score |",
            "|---|---|---|---|---|---|",
        ]
        out += [
            f"| {e['name']} | {e['truth']} | {e['label']} | {e['cwe'] or '-'} | {e.get('line') or '-'} | "
            f"{e['score']:.4f} |"
            for e in examples
        ]
        out.append("")
    return "\n".join(out) + "\n"


def write_card() -> None:
    card = write_measured(MODEL, render_card_section())
    print(f"wrote {card.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=("measure", "examples", "speed", "demo", "card"))
    parser.add_argument("--only", help="measure: one set (synthetic-test, sven-python, juliet-java)")
    parser.add_argument(
        "--judges",
        default="none,reachability,tfidf,smollm2",
        help=f"measure: these judges (comma-separated, of {','.join(JUDGE_NAMES)}; default all but int8); the "
        "others' results already on file are kept",
    )
    parser.add_argument(
        "--precision", choices=("float32", "int8"), default="float32", help="speed: what the judge computes in"
    )
    parser.add_argument("--model", type=Path, default=MODEL, help="measure: a candidate judge (default: the shipped)")
    parser.add_argument(
        "--tfidf", type=Path, default=TFIDF, help="measure: the TF-IDF judge (default: models/tfidf-slice)"
    )
    parser.add_argument("--synth", type=Path, default=SYNTH, help="measure: its corpus, for the synthetic test split")
    parser.add_argument("--reports", type=Path, default=REPORTS, help="measure: where its results go")
    args = parser.parse_args()
    if args.step == "measure":
        names = [n.strip() for n in args.judges.split(",") if n.strip()]
        unknown = sorted(set(names) - set(JUDGE_NAMES))
        if unknown:
            parser.error(f"unknown judge(s) {', '.join(unknown)} (known: {', '.join(JUDGE_NAMES)})")
        measure(args.only, names, model=args.model, tfidf=args.tfidf, synth=args.synth, reports=args.reports)
    elif args.step == "examples":
        record_examples()
    elif args.step == "speed":
        _run(
            [
                sys.executable,
                "benchmarks/bench_scan.py",
                "--model",
                str(MODEL.relative_to(ROOT)),
                "--files",
                str(SPEED_FILES),
                "--seed",
                str(SEED),
                "--precision",
                args.precision,
            ],
            SPEED if args.precision == "float32" else SPEED_INT8,
        )
    elif args.step == "demo":
        _run([sys.executable, "-m", "vulntune", "demo"], DEMO)
    else:
        write_card()
    return 0


if __name__ == "__main__":
    sys.exit(main())
