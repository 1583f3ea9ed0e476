"""Compile rendered Java samples with javac against the shipped stub sources.

Samples are compiled many to one javac run: sample i is written to `p<i>/<Class>.java` with
`package p<i>;` prepended (so classes with equal names never clash), in chunks of
`CHUNK` files; the stubs are compiled once per call. javac's error lines are mapped back to
the sample and shifted by the one added line, so "line N" means line N of the sample itself.

A chunk with errors is re-run without the failing files until it is clean: javac may stop
attributing the remaining files after some errors, and a sample only passes when a run that
included it reported nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from vulntune.errors import VulntuneError

CHUNK = 600
# Flags: no annotation processing, no class files for sources pulled in implicitly, no
# warnings (deprecated APIs such as `new URL(String)` are part of realistic samples).
# `should-stop.ifNoError=FLOW` stops after attribution and flow analysis (every compile error,
# unreachable code and missing returns included) and skips writing class files: 2x faster.
FLAGS = (
    "-proc:none",
    "-implicit:none",
    "-nowarn",
    "-encoding",
    "UTF-8",
    "-Xmaxerrs",
    "100000",
    "-XDshould-stop.ifNoError=FLOW",
)
# A short-lived compiler gains nothing from the C2 JIT: C1 only is ~4x faster on 2 cores
# (measured: 73 vs 15 samples/s in chunks of 300).
JVM_FLAGS = ("-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1", "-J-Xss4m")
_CLASS = re.compile(r"^\s*public\s+(?:final\s+|abstract\s+)*(?:class|interface|enum|record)\s+(\w+)", re.MULTILINE)
_ERROR = re.compile(r"^(.*?\.java):(\d+): error: (.*)$")


class JavacUnavailable(VulntuneError):
    """javac is not on the PATH (callers check `javac_available()` first to skip instead)."""


def javac_available() -> bool:
    return shutil.which("javac") is not None


def stubs_dir() -> Path:
    from vulntune.synth.java import STUBS_DIR

    return STUBS_DIR


def compile_java(codes: Sequence[str], *, jobs: int = 1) -> list[str | None]:
    """Compile every sample; None for each one that compiles, else its first error.

    Errors read `line N: error: message` with N a line of the sample as given. Raises
    JavacUnavailable when javac is missing, VulntuneError when the stubs themselves fail.
    """
    javac = shutil.which("javac")
    if javac is None:
        raise JavacUnavailable("javac not found on the PATH: install a JDK (17+) or skip the compile check")
    results: list[str | None] = [None] * len(codes)
    if not codes:
        return results
    with tempfile.TemporaryDirectory(prefix="vulntune-javac-") as tmp:
        root = Path(tmp)
        stub_classes = root / "stubs"
        stub_files = sorted(str(p) for p in stubs_dir().rglob("*.java"))
        proc = _run(javac, ["-d", str(stub_classes), *stub_files], root / "stubs.args")
        if proc.returncode != 0:
            raise VulntuneError(f"javac could not compile the stubs: {_first_line(proc.stdout + proc.stderr)}")
        files: dict[str, int] = {}
        for index, code in enumerate(codes):
            match = _CLASS.search(code)
            if match is None:
                results[index] = "line 1: error: no public class"
                continue
            package = f"p{index:06d}"
            path = root / "src" / package / f"{match.group(1)}.java"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"package {package};\n{code}", encoding="utf-8")
            files[os.path.normpath(str(path))] = index
        paths = list(files)
        # Big chunks amortise JVM start-up; but give every job a share of a small batch.
        size = max(50, min(CHUNK, -(-len(paths) // max(1, jobs))))
        chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for errors in pool.map(lambda c: _compile_chunk(javac, c, root, stub_classes), enumerate(chunks)):
                for path, message in errors.items():
                    results[files[path]] = message
    return results


def _compile_chunk(javac: str, job: tuple[int, list[str]], root: Path, classpath: Path) -> dict[str, str]:
    number, pending = job
    errors: dict[str, str] = {}
    out = root / f"out{number}"
    while pending:
        args = [*FLAGS, "-cp", str(classpath), "-d", str(out), *pending]
        proc = _run(javac, args, root / f"chunk{number}.args")
        if proc.returncode == 0:
            break
        found = _parse_errors(proc.stdout + proc.stderr)
        current = set(pending)
        failed = {p: m for p, m in found.items() if p in current}
        if not failed:
            message = _first_line(proc.stdout + proc.stderr)
            errors.update({p: f"javac failed: {message}" for p in pending})
            break
        errors.update(failed)
        pending = [p for p in pending if p not in failed]
    return errors


def _parse_errors(output: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in output.splitlines():
        match = _ERROR.match(line)
        if match:
            path = os.path.normpath(match.group(1))
            if path not in found:
                found[path] = f"line {int(match.group(2)) - 1}: error: {match.group(3)}"
    return found


def _run(javac: str, args: list[str], argfile: Path) -> subprocess.CompletedProcess:
    # An @argfile keeps hundreds of paths off the command line (Windows and ARG_MAX limits).
    argfile.write_text("\n".join(f'"{a}"' if " " in a else a for a in args), encoding="utf-8")
    return subprocess.run([javac, *JVM_FLAGS, f"@{argfile}"], capture_output=True, text=True, check=False)


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "no output")
