"""Scan speed on a generated repository of Python and Java files, beside Bandit.

Generates a repository (default 1,200 files, 60% Python, 40% Java) of realistic application
code from templates in this script: Flask views, DAO classes, CLI scripts, utilities,
Servlets, JDBC DAOs, services. About one function in twelve has a planted weakness and one in
twelve its fixed twin. Then it:

1. scans the repository once with an empty results cache (files/s, units/s, tokens/s, peak RSS),
2. scans it again with the warm cache (the speed-up of a cached re-scan),
3. runs Bandit on the same Python files (`pip install bandit`, the `bench` extra),
4. counts planted weaknesses each tool hits (a finding inside the planted function), and
   vulntune's noise: how many of the units outside every planted function (plain helpers,
   constructors, module code; none of them has a weakness) it flags.

    .venv/bin/python benchmarks/bench_scan.py                    # a TF-IDF model trained first
    .venv/bin/python benchmarks/bench_scan.py --model models/x   # any vulntune model folder

Without --model, a TF-IDF baseline is trained in a child process on the synthetic corpus
(`vulntune.synth`, javac off) plus the toy corpus, none of it from this script's templates.
Peak RSS is this process's (model loading and both scans; the training child is not counted).

With --tree DIR it scans a real tree instead (the realcode held-out split, for example), each
language on its own and each judge in a fresh process without the results cache, beside Bandit
(`bandit -r -ll -ii -f json`) on the same Python files, and prints per judge and language: files/s
and lines/s end to end (start-up included), start-up seconds (imports and, for the model, its
weights), candidates, judged slices, model inputs, tokens per judged slice (median, p90; counted
afterwards with the model's tokenizer), peak RSS, findings and findings per 10k lines:

    .venv/bin/python benchmarks/bench_scan.py --tree data/realcode/python-heldout --judges none,reachability
    .venv/bin/python benchmarks/bench_scan.py --tree data/realcode/java-heldout --judges model --limit 60 --json j.json

--limit N takes N files per language spread evenly over the sorted file list (every repository
of a held-out split keeps its share).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

# ---------------------------------------------------------------- templates (Python)
# Each entry: (cwe or None, body). {f} function name, {a} {b} identifiers, {t} a table, {c} a column.
PY_VULNERABLE = {
    "CWE-89": [
        """def {f}(db, {a}):
    cursor = db.cursor()
    query = "SELECT {c} FROM {t} WHERE {c} = '" + {a} + "'"
    cursor.execute(query)
    rows = cursor.fetchall()
    return [row[0] for row in rows]""",
        """def {f}(self, {a}):
    with self.connection() as conn:
        conn.execute(f"DELETE FROM {t} WHERE {c} = '{{{a}}}'")
        conn.commit()
    log.info("deleted %s", {a})""",
    ],
    "CWE-78": [
        """def {f}({a}):
    log.info("archiving %s", {a})
    os.system("tar czf /tmp/{t}.tgz " + {a})
    return "/tmp/{t}.tgz\"""",
        """def {f}({a}, {b}=None):
    command = "convert " + {a} + " -resize 50% " + ({b} or "out.png")
    return subprocess.call(command, shell=True)""",
    ],
    "CWE-502": [
        """@bp.route("/{t}/import", methods=["POST"])
def {f}():
    {a} = pickle.loads(request.get_data())
    store.save_all({a})
    return {{"imported": len({a})}}""",
    ],
    "CWE-328": [
        """def {f}({a}):
    digest = hashlib.md5({a}.encode("utf-8")).hexdigest()
    return digest""",
    ],
    "CWE-94": [
        """@bp.route("/{t}/calc")
def {f}():
    {a} = request.args.get("expr", "0")
    return str(eval({a}))""",
    ],
    "CWE-22": [
        """@bp.route("/{t}/files")
def {f}():
    {a} = request.args.get("name")
    with open(os.path.join(UPLOAD_DIR, {a}), "rb") as fh:
        return fh.read()""",
    ],
    "CWE-918": [
        """@bp.route("/{t}/preview")
def {f}():
    {a} = request.args.get("url")
    response = requests.get({a}, timeout=5)
    return response.text[:500]""",
    ],
}
PY_SAFE = {
    "CWE-89": [
        """def {f}(db, {a}):
    cursor = db.cursor()
    query = "SELECT {c} FROM {t} WHERE {c} = ?"
    cursor.execute(query, ({a},))
    rows = cursor.fetchall()
    return [row[0] for row in rows]""",
    ],
    "CWE-78": [
        """def {f}({a}):
    log.info("archiving %s", {a})
    subprocess.run(["tar", "czf", "/tmp/{t}.tgz", {a}], check=True)
    return "/tmp/{t}.tgz\"""",
    ],
    "CWE-502": [
        """@bp.route("/{t}/import", methods=["POST"])
def {f}():
    {a} = json.loads(request.get_data())
    store.save_all({a})
    return {{"imported": len({a})}}""",
    ],
    "CWE-328": [
        """def {f}({a}):
    digest = hashlib.sha256({a}.encode("utf-8")).hexdigest()
    return digest""",
    ],
    "CWE-22": [
        """@bp.route("/{t}/files")
def {f}():
    {a} = os.path.basename(request.args.get("name", ""))
    with open(os.path.join(UPLOAD_DIR, {a}), "rb") as fh:
        return fh.read()""",
    ],
}
PY_PLAIN = [
    """def {f}({a}, {b}):
    \"\"\"Merge two mappings, the second winning.\"\"\"
    merged = dict({a})
    for key, value in {b}.items():
        if value is not None:
            merged[key] = value
    return merged""",
    """def {f}({a}):
    total = 0
    count = 0
    for item in {a}:
        total += item.price * item.quantity
        count += item.quantity
    return total / count if count else 0.0""",
    """def {f}({a}):
    words = [w.strip().lower() for w in {a}.split(",")]
    return sorted({{w for w in words if w}})""",
    """@bp.route("/{t}")
def {f}():
    page = int(request.args.get("page", 1))
    items = store.list_{t}(offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render_template("{t}.html", items=items, page=page)""",
    """def {f}(self, {a}):
    if {a} in self._cache:
        return self._cache[{a}]
    value = self._backend.get({a})
    self._cache[{a}] = value
    return value""",
    """def {f}({a}, retries=3, delay=0.5):
    for attempt in range(retries):
        try:
            return {a}()
        except ConnectionError:
            log.warning("attempt %d failed", attempt + 1)
            time.sleep(delay * (2 ** attempt))
    raise RuntimeError("gave up after %d attempts" % retries)""",
    """def {f}({a}):
    if not {a}:
        raise ValueError("{c} is required")
    if len({a}) > 255:
        raise ValueError("{c} is too long")
    return {a}.strip()""",
    """def {f}(self):
    return {{"id": self.id, "{c}": self.{c}, "created": self.created.isoformat()}}""",
]
PY_HEADER = '''"""{doc}"""

import hashlib
import json
import logging
import os
import pickle
import subprocess
import time

import requests
from flask import Blueprint, render_template, request

from .store import store

log = logging.getLogger(__name__)
bp = Blueprint("{t}", __name__)
UPLOAD_DIR = "/srv/uploads"
PAGE_SIZE = 25
'''

# ---------------------------------------------------------------- templates (Java)
JAVA_VULNERABLE = {
    "CWE-89": [
        """public List<String> {f}(String {a}) throws SQLException {{
    List<String> out = new ArrayList<>();
    Statement statement = connection.createStatement();
    ResultSet rs = statement.executeQuery("SELECT {c} FROM {t} WHERE {c} = '" + {a} + "'");
    while (rs.next()) {{
        out.add(rs.getString(1));
    }}
    return out;
}}""",
    ],
    "CWE-78": [
        """public void {f}(String {a}) throws IOException {{
    String command = "tar czf /tmp/{t}.tgz " + {a};
    Runtime.getRuntime().exec(command);
}}""",
    ],
    "CWE-328": [
        """public String {f}(String {a}) throws NoSuchAlgorithmException {{
    MessageDigest md = MessageDigest.getInstance("MD5");
    byte[] digest = md.digest({a}.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest);
}}""",
    ],
    "CWE-601": [
        """protected void {f}(HttpServletRequest request, HttpServletResponse response) throws IOException {{
    String {a} = request.getParameter("next");
    response.sendRedirect({a});
}}""",
    ],
}
JAVA_SAFE = {
    "CWE-89": [
        """public List<String> {f}(String {a}) throws SQLException {{
    List<String> out = new ArrayList<>();
    PreparedStatement statement = connection.prepareStatement("SELECT {c} FROM {t} WHERE {c} = ?");
    statement.setString(1, {a});
    ResultSet rs = statement.executeQuery();
    while (rs.next()) {{
        out.add(rs.getString(1));
    }}
    return out;
}}""",
    ],
    "CWE-78": [
        """public void {f}(String {a}) throws IOException {{
    ProcessBuilder builder = new ProcessBuilder("tar", "czf", "/tmp/{t}.tgz", {a});
    builder.start();
}}""",
    ],
    "CWE-328": [
        """public String {f}(String {a}) throws NoSuchAlgorithmException {{
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] digest = md.digest({a}.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest);
}}""",
    ],
}
JAVA_PLAIN = [
    """public int {f}(List<Integer> {a}) {{
    int total = 0;
    for (int value : {a}) {{
        total += value;
    }}
    return total;
}}""",
    """public Optional<String> {f}(Map<String, String> {a}, String {b}) {{
    if ({a} == null || {b} == null) {{
        return Optional.empty();
    }}
    return Optional.ofNullable({a}.get({b})).map(String::trim);
}}""",
    """public List<String> {f}(List<String> {a}) {{
    return {a}.stream()
        .filter(s -> s != null && !s.isBlank())
        .map(String::toLowerCase)
        .sorted()
        .collect(Collectors.toList());
}}""",
    """@Override
public String toString() {{
    return "{t}{{" + "{c}=" + {c} + ", id=" + id + "}}";
}}""",
    """public void {f}(String {a}) {{
    if ({a} == null || {a}.length() > 255) {{
        throw new IllegalArgumentException("invalid {c}");
    }}
    this.{c} = {a}.trim();
}}""",
    """protected void {f}(HttpServletRequest request, HttpServletResponse response) throws IOException {{
    response.setContentType("application/json");
    int page = Integer.parseInt(request.getParameter("page"));
    response.getWriter().write("{{\\"page\\": " + page + "}}");
}}""",
]
JAVA_HEADER = """package com.example.{pkg};

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.*;
import java.util.*;
import java.util.stream.Collectors;
import javax.servlet.http.*;

/** {doc} */
public class {cls} {{
    private final Connection connection;
    private String {c};
    private long id;

    public {cls}(Connection connection) {{
        this.connection = connection;
    }}
"""

WORDS = (
    "user",
    "order",
    "invoice",
    "item",
    "account",
    "report",
    "session",
    "product",
    "payment",
    "ticket",
    "customer",
    "address",
    "coupon",
    "review",
    "shipment",
    "refund",
    "cart",
    "price",
    "token",
    "profile",
)
VERBS = (
    "load",
    "find",
    "save",
    "delete",
    "update",
    "export",
    "import",
    "render",
    "check",
    "compute",
    "list",
    "sync",
    "archive",
    "resolve",
    "merge",
    "validate",
    "format",
    "fetch",
    "build",
    "apply",
)


@dataclass
class Planted:
    file: str
    start: int
    end: int
    cwe: str | None  # None: the safe twin of a weakness
    language: str


def _names(rng: random.Random, language: str) -> dict[str, str]:
    verb, noun = rng.choice(VERBS), rng.choice(WORDS)
    a, b = rng.sample(WORDS, 2)
    f = f"{verb}_{noun}_{rng.randrange(1000)}"
    if language == "java":
        f = verb + noun.capitalize() + str(rng.randrange(1000))
        a, b = a + "Value", b + "Key"
    return {"f": f, "a": a, "b": b, "t": rng.choice(WORDS) + "s", "c": rng.choice(WORDS) + "_name"}


def _pick(rng: random.Random, vulnerable: dict, safe: dict, plain: list) -> tuple[str, str | None, bool]:
    roll = rng.random()
    if roll < 1 / 12:
        cwe = rng.choice(sorted(vulnerable))
        return rng.choice(vulnerable[cwe]), cwe, True
    if roll < 2 / 12:
        cwe = rng.choice(sorted(safe))
        return rng.choice(safe[cwe]), None, True
    return rng.choice(plain), None, False


def python_file(rng: random.Random, path: str) -> tuple[str, list[Planted]]:
    t = rng.choice(WORDS) + "s"
    lines = PY_HEADER.format(doc=f"{t.capitalize()} views and helpers.", t=t).split("\n")
    planted = []
    in_class = rng.random() < 0.4
    if in_class:
        lines += [
            "",
            "",
            f"class {t.capitalize()}Service:",
            "    def __init__(self, backend):",
            "        self._backend = backend",
            "        self._cache = {}",
        ]
    for _ in range(rng.randint(3, 9)):
        template, cwe, marked = _pick(rng, PY_VULNERABLE, PY_SAFE, PY_PLAIN)
        body = template.format(**_names(rng, "python"))
        if in_class:
            body = textwrap.indent(body, "    ")
        lines += [""] if in_class else ["", ""]
        start = len(lines) + 1
        lines += body.split("\n")
        if marked:
            planted.append(Planted(path, start, len(lines), cwe, "python"))
    return "\n".join(lines) + "\n", planted


def java_file(rng: random.Random, path: str, cls: str) -> tuple[str, list[Planted]]:
    pkg = rng.choice(("web", "dao", "service", "util"))
    lines = JAVA_HEADER.format(
        pkg=pkg, doc=f"{cls} for the {pkg} layer.", cls=cls, c=rng.choice(WORDS) + "_name"
    ).split("\n")
    planted = []
    for _ in range(rng.randint(3, 8)):
        template, cwe, marked = _pick(rng, JAVA_VULNERABLE, JAVA_SAFE, JAVA_PLAIN)
        body = textwrap.indent(template.format(**_names(rng, "java")), "    ")
        lines.append("")
        start = len(lines) + 1
        lines += body.split("\n")
        if marked:
            planted.append(Planted(path, start, len(lines), cwe, "java"))
    lines.append("}")
    return "\n".join(lines) + "\n", planted


def generate_repo(root: Path, files: int, seed: int) -> list[Planted]:
    rng = random.Random(seed)
    planted: list[Planted] = []
    n_python = int(files * 0.6)
    for i in range(files):
        if i < n_python:
            rel = f"app/{rng.choice(WORDS)}s/{rng.choice(VERBS)}_{i}.py"
            text, marks = python_file(rng, rel)
        else:
            cls = rng.choice(WORDS).capitalize() + rng.choice(("Dao", "Servlet", "Service", "Util")) + str(i)
            rel = f"src/main/java/com/example/{rng.choice(WORDS)}/{cls}.java"
            text, marks = java_file(rng, rel, cls)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
        planted += marks
    return planted


# ---------------------------------------------------------------- measurement
def train_default_model(out: Path) -> None:
    """A TF-IDF baseline on the synthetic corpus + the toy corpus, in a child process."""
    code = textwrap.dedent(f"""
        from vulntune.models.baseline import save_tfidf, train_tfidf
        from vulntune.models.toy import toy_corpus
        train, validation = toy_corpus(per_pair=8, seed=0)
        try:
            from vulntune.synth.config import SynthConfig
            from vulntune.synth.pipeline import build_corpus
            splits, _ = build_corpus(SynthConfig(per_cwe=200, javac=False, seed=0))
            train += splits["train"]
            validation += splits["validation"]
        except Exception as exc:  # the generator is optional here
            print("synth corpus unavailable:", exc)
        detector = train_tfidf(train, validation=validation, seed=0)
        save_tfidf(detector, {str(out)!r}, force=True)
        print(f"trained tfidf on {{len(train)}} samples, labels {{detector.labels}}")
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


def run_bandit(root: Path) -> dict | None:
    bandit = shutil.which("bandit") or str(Path(sys.executable).with_name("bandit"))
    if not Path(bandit).exists():
        print("bandit not installed (pip install bandit): skipped")
        return None
    report = root.parent / "bandit.json"
    # A wrapper process, so that RUSAGE_CHILDREN is Bandit's peak alone.
    wrapper = textwrap.dedent(f"""
        import resource, subprocess, sys, time
        began = time.perf_counter()
        subprocess.run([{bandit!r}, "-r", {str(root)!r}, "-f", "json", "-o", {str(report)!r}, "-q"])
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(time.perf_counter() - began, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
    """)
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True).stdout.split()
    data = json.loads(report.read_text())
    return {
        "seconds": float(out[0]),
        "rss_mb": int(out[1]) / 1024,
        "cpu_seconds": float(out[2]),
        "results": data["results"],
        "files": len([f for f in data["metrics"] if f != "_totals"]),
    }


def hits(planted: list[Planted], spans: dict[str, list[int]]) -> tuple[int, int]:
    """(planted weaknesses with a finding inside, safe twins with a finding inside)."""
    found_vulnerable = found_safe = 0
    for p in planted:
        inside = any(p.start <= line <= p.end for line in spans.get(p.file, ()))
        if inside and p.cwe:
            found_vulnerable += 1
        elif inside:
            found_safe += 1
    return found_vulnerable, found_safe


def plain_units_flagged(repo: Path, planted: list[Planted], findings) -> dict[str, tuple[int, int]]:
    """Per unit kind, (flagged, all) units that share no line with a planted function or its twin.

    The templates outside the planted functions hold no weakness, so every finding on such a
    unit is a false positive: this is the scanner's per-unit false positive rate on plain code.
    """
    from vulntune.units import extract_units

    spans: dict[str, list[Planted]] = {}
    for p in planted:
        spans.setdefault(p.file, []).append(p)
    flagged = {(f.file, f.start_line, f.unit) for f in findings}
    counts: dict[str, list[int]] = {}
    for path in sorted(repo.rglob("*")):
        language = {".py": "python", ".java": "java"}.get(path.suffix)
        if language is None:
            continue
        rel = path.relative_to(repo).as_posix()
        for unit in extract_units(path.read_text(), language=language, file=rel).units:
            if any(p.start <= line <= p.end for p in spans.get(rel, ()) for line in unit.lines):
                continue
            row = counts.setdefault(f"{language} {unit.kind}", [0, 0])
            row[0] += (rel, unit.start_line, unit.name) in flagged
            row[1] += 1
    return {kind: (row[0], row[1]) for kind, row in sorted(counts.items())}


# ---------------------------------------------------------------- a real tree (--tree)
JUDGES = ("none", "reachability", "model")
EXTENSIONS = {"python": ".py", "java": ".java"}


def tree_files(tree: Path, limit: int | None) -> dict[str, list]:
    """The files a scan of `tree` reads, per language; with `limit`, that many spread evenly."""
    from vulntune.scan.discover import discover
    from vulntune.scan.settings import ScanConfig

    by_language: dict[str, list] = {}
    for source in discover([tree], config=ScanConfig(), root=tree).files:
        by_language.setdefault(source.language, []).append(source)
    if limit:
        by_language = {
            language: [files[i * len(files) // limit] for i in range(min(limit, len(files)))]
            for language, files in by_language.items()
        }
    return dict(sorted(by_language.items()))


def count_lines(path: str) -> int:
    """Every line, blank lines and comments included (as the realcode MANIFEST counts)."""
    data = Path(path).read_bytes()
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def judge_child(spec_file: str) -> None:
    """One judge over one language's files, in this fresh process; prints one JSON line."""
    spec = json.loads(Path(spec_file).read_text())
    from vulntune.scan import ScanConfig, load_scan_model, scan_paths

    detector = None
    if spec["judge"] == "model":
        detector = load_scan_model(spec["model"], threads=spec["threads"])
        if hasattr(detector, "load"):
            detector.load()  # a deferred detector: start-up includes its weights
    ready = time.time()
    options = {"judge": spec["judge"], "extensions": (EXTENSIONS[spec["language"]],)}
    options.update({k: spec[k] for k in ("jobs", "batch_size") if spec[k] is not None})
    config = ScanConfig(**options)
    report = scan_paths(spec["paths"], detector=detector, config=config, cache=None, root=spec["root"])
    finished = time.time()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "ready_at": ready,
                "finished_at": finished,
                "jobs": config.worker_count,
                "files": report.summary.files_scanned,
                "skipped": report.summary.files_skipped,
                "candidates": report.summary.units,
                "judged": report.stats["units"],
                "model_inputs": report.stats["model_inputs"],
                "windows": report.stats["windows"],
                "seconds_parse": report.stats["seconds_parse"],
                "seconds_score": report.stats["seconds_score"],
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "workers_peak_rss_mb": workers,
                "findings": len(report.findings),
            }
        )
    )


def run_judge(judge: str, language: str, files: list, tree: Path, args, work: Path) -> dict:
    """Spawn `judge_child` and time it from the spawn: start-up is the interpreter, the imports
    and (model judge) the weights; wall is start-up plus the scan."""
    spec = work / f"{judge}-{language}.json"
    spec.write_text(
        json.dumps(
            {
                "judge": judge,
                "language": language,
                "paths": [s.path for s in files],
                "root": str(tree),
                "model": args.model,
                "threads": args.threads,
                "jobs": args.jobs,
                "batch_size": args.batch_size,
            }
        )
    )
    began = time.time()
    done = subprocess.run([sys.executable, __file__, "--child", str(spec)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"vulntune --judge {judge} on {language} failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["startup_s"] = result.pop("ready_at") - began
    result["wall_s"] = result.pop("finished_at") - began
    return result


def run_bandit_on(files: list, work: Path) -> dict | None:
    """Bandit at medium severity and confidence and above on exactly these Python files."""
    bandit = shutil.which("bandit") or str(Path(sys.executable).with_name("bandit"))
    if not Path(bandit).exists():
        print("bandit not installed (pip install -e '.[bench]'): skipped")
        return None
    report = work / "bandit.json"
    command = [bandit, "-r", "-ll", "-ii", "-f", "json", "-o", str(report), "-q", *[s.path for s in files]]
    began = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, _, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    data = json.loads(report.read_text())
    return {
        "wall_s": wall,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "files": len([f for f in data["metrics"] if f != "_totals"]),
        "findings": len(data["results"]),
    }


def slice_tokens(language: str, files: list, judges: list[str], model: str | None) -> dict[str, list[int]]:
    """Per judge, the token count of each distinct slice it judges, with the model's tokenizer
    (the default judge's unless --model names a transformer folder). Counted after the timed runs."""
    from vulntune.models.deferred import open_detector
    from vulntune.models.sources import resolve_base
    from vulntune.models.windows import encode, load_tokenizer
    from vulntune.scan import default_model_path
    from vulntune.scan.extract import extract_file
    from vulntune.scan.scanner import across_files, judged_units
    from vulntune.scan.settings import ScanConfig

    judge_model = open_detector(model or default_model_path())
    meta = judge_model.meta if judge_model.meta.get("base") else open_detector(default_model_path()).meta
    tokenizer = load_tokenizer(resolve_base(meta["base"]["name"]).path)
    extracted = across_files([extract_file(source, slices=True) for source in files], "remote")  # as a scan decides
    failed = [item for item in extracted if item.skipped]
    if failed:  # the timed runs read them; a cut that fails here would leave the token columns wrong
        print(
            f"tokens: {len(failed)} {language} files not cut ({failed[0].file}: {failed[0].skipped})", file=sys.stderr
        )
    units = [u for item in extracted for u in item.units]
    counts = {}
    for judge in judges:
        judged = judged_units(units, ScanConfig(judge=judge), judge_model if judge == "model" else None)
        texts = sorted({u.text for u in judged})
        counts[judge] = [len(encode(tokenizer, text)["input_ids"]) for text in texts]
    return counts


def percentile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))])


def git_commit() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "src"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" + uncommitted changes in src/" if dirty else "")


COLUMNS = (  # (key, header, format)
    ("tool", "tool", "{}"),
    ("language", "lang", "{}"),
    ("files", "files", "{:,}"),
    ("lines", "lines", "{:,}"),
    ("wall_s", "wall s", "{:.1f}"),
    ("startup_s", "start s", "{:.1f}"),
    ("files_per_s", "files/s", "{:.1f}"),
    ("lines_per_s", "lines/s", "{:,.0f}"),
    ("candidates", "cands", "{:,}"),
    ("judged", "judged", "{:,}"),
    ("model_inputs", "model in", "{:,}"),
    ("tokens_median", "tok p50", "{:.0f}"),
    ("tokens_p90", "tok p90", "{:.0f}"),
    ("peak_rss_mb", "RSS MB", "{:,.0f}"),
    ("findings", "findings", "{:,}"),
    ("findings_per_10k_lines", "/10k lines", "{:.1f}"),
)


def print_table(rows: list[dict]) -> None:
    cells = [[h for _, h, _ in COLUMNS]]
    for row in rows:
        cells.append(["-" if row.get(k) is None else f.format(row[k]) for k, _, f in COLUMNS])
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    for line in cells:
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))))


def tree_main(args) -> None:
    tree = Path(args.tree).resolve()
    if not tree.is_dir():
        sys.exit(f"--tree {args.tree}: no such folder")
    judges = [j.strip() for j in args.judges.split(",") if j.strip()]
    unknown = [j for j in judges if j not in JUDGES]
    if unknown or not judges:
        sys.exit(f"--judges: expected some of {', '.join(JUDGES)}, got {args.judges!r}")
    by_language = tree_files(tree, args.limit)
    lines = {language: sum(count_lines(s.path) for s in files) for language, files in by_language.items()}
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    header = {
        "tree": str(tree),
        "commit": git_commit(),
        "limit": args.limit,
        "cores": cores,
        "load_average_before": os.getloadavg()[0],
        "files": {language: len(files) for language, files in by_language.items()},
        "lines": lines,
    }
    print(
        f"tree {tree}: "
        + ", ".join(f"{len(f):,} {language} files ({lines[language]:,} lines)" for language, f in by_language.items())
        + (f" (--limit {args.limit} per language)" if args.limit else "")
        + f"; commit {header['commit']}; {cores} cores, load average {header['load_average_before']:.1f}"
    )
    rows: list[dict] = []
    work = Path(tempfile.mkdtemp(prefix="vulntune-bench-tree-"))
    try:
        for language, files in by_language.items():
            n_lines = lines[language]
            for judge in judges:
                result = run_judge(judge, language, files, tree, args, work)
                rows.append(
                    {
                        "tool": f"vulntune --judge {judge}",
                        "language": language,
                        "lines": n_lines,
                        **result,
                        "files_per_s": result["files"] / result["wall_s"],
                        "lines_per_s": n_lines / result["wall_s"],
                        "findings_per_10k_lines": 1e4 * result["findings"] / max(n_lines, 1),
                    }
                )
                print(f"  done: {judge} on {language} in {result['wall_s']:.1f} s", file=sys.stderr)
            if language == "python" and not args.no_bandit:
                bandit = run_bandit_on(files, work)
                if bandit:
                    rows.append(
                        {
                            "tool": "bandit -ll -ii",
                            "language": language,
                            "lines": n_lines,
                            **bandit,
                            "files_per_s": bandit["files"] / bandit["wall_s"],
                            "lines_per_s": n_lines / bandit["wall_s"],
                            "findings_per_10k_lines": 1e4 * bandit["findings"] / max(n_lines, 1),
                        }
                    )
            if not args.no_tokens:
                counts = slice_tokens(language, files, judges, args.model)
                for row in rows:
                    judge = row["tool"].removeprefix("vulntune --judge ")
                    if row["language"] == language and judge in counts:
                        row["tokens_median"] = percentile(counts[judge], 0.5)
                        row["tokens_p90"] = percentile(counts[judge], 0.9)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    header["load_average_after"] = os.getloadavg()[0]
    print_table(rows)
    print(
        f"load average after: {header['load_average_after']:.1f}; wall and files/s include start-up; "
        "no results cache; tokens: distinct judged slices, counted with the judge's tokenizer"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({**header, "rows": rows}, indent=2, sort_keys=True) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--model", help="model folder (default: train a TF-IDF baseline first; --tree: the bundled judge)"
    )
    parser.add_argument("--files", type=int, default=1200, help="files to generate (default 1200)")
    parser.add_argument("--jobs", type=int, help="parsing processes (default 1; --tree: the scanner's default)")
    parser.add_argument("--threads", type=int, help="torch CPU threads for transformer models")
    parser.add_argument(
        "--precision", choices=("float32", "bfloat16", "int8"), default="float32", help="what the judge computes in"
    )
    parser.add_argument("--target-fpr", type=float, help="scan at the model's operating point for this validation FPR")
    parser.add_argument("--unit", choices=("slice", "function"), help="what the judge reads (default: the model's)")
    parser.add_argument(
        "--judge", choices=("model", "none"), default="model", help="none: every candidate sink is a finding, no model"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    parser.add_argument("--tree", metavar="DIR", help="scan this real tree instead of a generated one")
    parser.add_argument(
        "--judges", default="none,reachability,model", help="--tree: judges to run (default none,reachability,model)"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="--tree: N files per language, spread evenly")
    parser.add_argument("--batch-size", type=int, help="--tree: units per model call (default: the scanner's)")
    parser.add_argument("--json", metavar="FILE", help="--tree: also write the rows as JSON")
    parser.add_argument("--no-bandit", action="store_true", help="--tree: do not run Bandit")
    parser.add_argument("--no-tokens", action="store_true", help="--tree: do not count tokens per slice")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one --tree run, in a fresh process
    args = parser.parse_args()
    if args.child:
        judge_child(args.child)
        return
    if args.tree:
        tree_main(args)
        return
    if args.jobs is None:
        args.jobs = 1

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="vulntune-bench-scan-"))
    repo = work / "repo"
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    planted = generate_repo(repo, args.files, args.seed)
    py_files = sum(1 for _ in repo.rglob("*.py"))
    java_files = sum(1 for _ in repo.rglob("*.java"))
    size_mb = sum(p.stat().st_size for p in repo.rglob("*") if p.is_file()) / 1e6
    print(
        f"repository: {py_files} Python + {java_files} Java files, {size_mb:.1f} MB, "
        f"{sum(1 for p in planted if p.cwe)} planted weaknesses, {sum(1 for p in planted if not p.cwe)} safe twins"
    )

    model = Path(args.model) if args.model else work / "tfidf-model"
    if not args.model and args.judge == "model":
        train_default_model(model)

    from vulntune.scan import ResultCache, ScanConfig, load_scan_model, scan_paths
    from vulntune.scan.scanner import scan_unit

    began = time.perf_counter()
    detector = (
        load_scan_model(model, threads=args.threads, target_fpr=args.target_fpr, precision=args.precision)
        if args.judge == "model"
        else None
    )
    load_s = time.perf_counter() - began
    # A fresh results cache, set only now: the base model's converted folder (also under
    # $VULNTUNE_CACHE) stays in the user's cache instead of being converted again on every run.
    os.environ["VULNTUNE_CACHE"] = str(work / "cache")
    shutil.rmtree(work / "cache", ignore_errors=True)
    config = ScanConfig(jobs=args.jobs, unit=args.unit, judge=args.judge)
    with ResultCache() as cache:
        cold = scan_paths([repo], detector=detector, config=config, cache=cache, root=repo)
        warm = scan_paths([repo], detector=detector, config=config, cache=cache, root=repo)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s, w = cold.stats, warm.stats
    if detector is None:
        print("judge: none (every candidate sink is a finding; no model)")
    else:
        print(
            f"model: {model} ({type(detector).__name__}, max_length {detector.max_length}, threshold "
            f"{detector.threshold:.4f}, unit {scan_unit(config, detector)}), loaded in {load_s:.2f} s"
        )
    print(
        f"cold scan: {s['seconds_total']:.2f} s wall, {s['cpu_seconds']:.2f} s CPU  (discover {s['seconds_discover']:.2f}, "
        f"parse {s['seconds_parse']:.2f} with --jobs {args.jobs}, score {s['seconds_score']:.2f}); load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"  {s['files'] / s['seconds_total']:,.0f} files/s, {s['units'] / s['seconds_total']:,.0f} units/s, "
        f"{s['tokens'] / s['seconds_total']:,.0f} tokens/s end to end; "
        f"{s['tokens'] / max(s['seconds_score'], 1e-9):,.0f} tokens/s in the model stage"
    )
    print(
        f"  {s['units']} units ({s['windows']} model windows), {s['tokens']:,} tokens, "
        f"{s['located']} findings located with {s['model_inputs'] - s['windows']} extra model inputs"
    )
    print(f"  {len(cold.findings)} findings, {cold.summary.files_skipped} skipped files")
    print(
        f"cached re-scan: {w['seconds_total']:.2f} s wall, {w['cpu_seconds']:.2f} s CPU "
        f"({w['units_cached']}/{w['units']} units from cache, {w['model_inputs']} model inputs), "
        f"speed-up x{s['seconds_total'] / w['seconds_total']:.1f} wall, x{s['cpu_seconds'] / w['cpu_seconds']:.1f} CPU"
    )
    print(f"peak RSS: {peak_mb:,.0f} MB (this process: model + both scans)")

    spans: dict[str, list[int]] = {}
    for f in cold.findings:
        spans.setdefault(f.file, []).append(f.line)
    py_planted = [p for p in planted if p.language == "python"]
    vt_py = hits(py_planted, spans)
    vt_all = hits(planted, spans)
    n_vuln_py = sum(1 for p in py_planted if p.cwe)
    n_safe_py = len(py_planted) - n_vuln_py
    print(
        f"vulntune: planted weaknesses hit {vt_all[0]}/{sum(1 for p in planted if p.cwe)} "
        f"(Python {vt_py[0]}/{n_vuln_py}); safe twins flagged {vt_all[1]}/{sum(1 for p in planted if not p.cwe)} "
        f"(Python {vt_py[1]}/{n_safe_py})"
    )
    plain = plain_units_flagged(repo, planted, cold.findings)
    flagged, total = sum(f for f, _ in plain.values()), sum(n for _, n in plain.values())
    print(
        f"vulntune: plain units flagged {flagged}/{total} ({100 * flagged / max(total, 1):.1f}%: units outside every "
        "planted function, none of them vulnerable); by kind: "
        + ", ".join(f"{kind} {f}/{n}" for kind, (f, n) in plain.items())
    )

    bandit = run_bandit(repo)
    if bandit:
        b_spans: dict[str, list[int]] = {}
        for r in bandit["results"]:
            b_spans.setdefault(Path(r["filename"]).resolve().relative_to(repo.resolve()).as_posix(), []).append(
                r["line_number"]
            )
        b = hits(py_planted, b_spans)
        print(
            f"bandit (Python only): {bandit['seconds']:.2f} s wall, {bandit['cpu_seconds']:.2f} s CPU, "
            f"{bandit['files'] / bandit['seconds']:,.0f} files/s, "
            f"peak RSS {bandit['rss_mb']:,.0f} MB, {len(bandit['results'])} issues"
        )
        print(
            f"  planted Python weaknesses hit {b[0]}/{n_vuln_py}; safe twins flagged {b[1]}/{n_safe_py} "
            f"(Bandit also flags imports and plain code outside the planted functions)"
        )
        print(
            f"vulntune vs bandit, cold: {s['seconds_total']:.2f} s wall / {s['cpu_seconds']:.2f} s CPU for "
            f"{s['files']} files vs {bandit['seconds']:.2f} s wall / {bandit['cpu_seconds']:.2f} s CPU for "
            f"{bandit['files']} Python files"
        )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
