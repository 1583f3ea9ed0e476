"""Static analysis time against file size: is the taint analysis linear in the lines of a file?

Generates Python and Java files of growing size (N functions, each reading request data, passing
it through locals, a container and a helper to a sink), analyses each one alone
(`vulntune.analysis.analyse_file`, then `solve` under the remote threat model) and prints seconds
and microseconds per line. A linear analysis keeps microseconds per line flat as N grows.

    .venv/bin/python benchmarks/bench_analysis.py                 # N = 125, 250, 500, 1000, 2000
    .venv/bin/python benchmarks/bench_analysis.py --sizes 100,1000 --repeat 3
"""

from __future__ import annotations

import argparse
import time

from vulntune.analysis import analyse_file, solve

PYTHON_HEAD = "import os\nimport subprocess\nfrom flask import request\n\n"
PYTHON_FUNCTION = """
def helper_{i}(value):
    cleaned = value.strip()
    return "ls " + cleaned


@app.route("/r{i}")
def view_{i}():
    name = request.args.get("n{i}", "")
    items = ["safe", name]
    if {i} % 2 == 0:
        command = helper_{i}(items[1])
    else:
        command = "ls /tmp"
    os.system(command)
    subprocess.run(["ls", name], check=False)
    return "ok"
"""
JAVA_HEAD = "import java.util.*;\n\npublic class Big {\n"
JAVA_FUNCTION = """
    String helper{i}(String value) {{
        String cleaned = value.trim();
        return "ls " + cleaned;
    }}

    @GetMapping("/r{i}")
    public String view{i}(@RequestParam String name) throws Exception {{
        List<String> items = new ArrayList<>();
        items.add("safe");
        items.add(name);
        String command = ({i} % 2 == 0) ? helper{i}(items.get(1)) : "ls /tmp";
        Runtime.getRuntime().exec(command);
        return "ok";
    }}
"""


def source(language: str, functions: int) -> str:
    if language == "python":
        return PYTHON_HEAD + "".join(PYTHON_FUNCTION.format(i=i) for i in range(functions))
    return JAVA_HEAD + "".join(JAVA_FUNCTION.format(i=i) for i in range(functions)) + "}\n"


def measure(language: str, functions: int, repeat: int) -> tuple[int, float, int]:
    text = source(language, functions)
    lines = text.count("\n") + 1
    best = float("inf")
    reachable = 0
    for _ in range(repeat):
        began = time.perf_counter()
        found = solve([analyse_file(text, language, file=f"big.{language}")], "remote")[0]
        best = min(best, time.perf_counter() - began)
        reachable = sum(c.reachable for c in found)
    return lines, best, reachable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="125,250,500,1000,2000", help="functions per file, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the fastest is reported")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"{'language':8} {'functions':>9} {'lines':>7} {'seconds':>8} {'us/line':>8} {'reachable':>9}")
    for language in ("python", "java"):
        for functions in sizes:
            lines, seconds, reachable = measure(language, functions, args.repeat)
            print(f"{language:8} {functions:9d} {lines:7d} {seconds:8.2f} {1e6 * seconds / lines:8.1f} {reachable:9d}")


if __name__ == "__main__":
    main()
