"""A tiny hand-written corpus of vulnerable/safe twins, for tests and the `tiny` tokenizer.

Not the synthetic corpus (that is `vulntune.synth`): a dozen fixed snippet pairs in Python and
Java, varied only by identifier names, so tests in every stage can train a detector in seconds
without depending on the generator.

Example:
    >>> train, validation = toy_corpus(per_pair=4, seed=0)
"""

from __future__ import annotations

import random

from vulntune.cwe import LANGUAGES
from vulntune.data import Sample

# (language, cwe, vulnerable body, safe body); {f} {a} {b} are identifiers filled per sample.
# The sink is on the line marked with "# sink" / "// sink" (the marker itself is removed).
_PAIRS: tuple[tuple[str, str, str, str], ...] = (
    (
        "python",
        "CWE-89",
        'def {f}(conn, {a}):\n    cur = conn.cursor()\n    cur.execute("SELECT * FROM users WHERE name = \'" + {a} + "\'")  # sink\n    return cur.fetchall()\n',
        'def {f}(conn, {a}):\n    cur = conn.cursor()\n    cur.execute("SELECT * FROM users WHERE name = ?", ({a},))  # sink\n    return cur.fetchall()\n',
    ),
    (
        "python",
        "CWE-78",
        "import os\n\ndef {f}({a}):\n    {b} = 'ping -c 1 ' + {a}\n    os.system({b})  # sink\n",
        # a project's own quoting helper: static analysis sees the flow, so a gated judge is asked about it
        "import os\n\ndef {f}({a}):\n    {b} = 'ping -c 1 ' + quote_host({a})\n    os.system({b})  # sink\n",
    ),
    (
        "python",
        "CWE-22",
        "import os\n\ndef {f}(request):\n    {a} = request.args.get('file')\n    with open(os.path.join('/srv/files', {a})) as {b}:  # sink\n        return {b}.read()\n",
        "import os\n\ndef {f}(request):\n    {a} = os.path.basename(request.args.get('file'))\n    with open(os.path.join('/srv/files', {a})) as {b}:  # sink\n        return {b}.read()\n",
    ),
    (
        "java",
        "CWE-89",
        'public ResultSet {f}(Connection conn, String {a}) throws SQLException {{\n    Statement {b} = conn.createStatement();\n    return {b}.executeQuery("SELECT * FROM users WHERE name = \'" + {a} + "\'");  // sink\n}}\n',
        'public ResultSet {f}(Connection conn, String {a}) throws SQLException {{\n    PreparedStatement {b} = conn.prepareStatement("SELECT * FROM users WHERE name = ?");\n    {b}.setString(1, {a});\n    return {b}.executeQuery();  // sink\n}}\n',
    ),
    (
        "java",
        "CWE-78",
        'public void {f}(String {a}) throws IOException {{\n    String {b} = "ping -c 1 " + {a};\n    Runtime.getRuntime().exec({b});  // sink\n}}\n',
        'public void {f}(String {a}) throws IOException {{\n    String {b} = "ping -c 1 " + quoteHost({a});\n    Runtime.getRuntime().exec({b});  // sink\n}}\n',
    ),
    (
        "java",
        "CWE-22",
        'public byte[] {f}(HttpServletRequest req) throws IOException {{\n    String {a} = req.getParameter("file");\n    File {b} = new File("/srv/files", {a});\n    return Files.readAllBytes({b}.toPath());  // sink\n}}\n',
        'public byte[] {f}(HttpServletRequest req) throws IOException {{\n    String {a} = new File(req.getParameter("file")).getName();\n    File {b} = new File("/srv/files", {a});\n    return Files.readAllBytes({b}.toPath());  // sink\n}}\n',
    ),
)

_NAMES = ("user", "name", "value", "item", "path", "host", "query", "data", "arg", "target", "entry", "key")
_FUNCS = ("handle", "load", "lookup", "run", "fetch", "serve", "process", "find", "read", "get_user", "search")


def _render(template: str, names: dict[str, str]) -> tuple[str, int]:
    code = template.format(**names)
    lines = code.split("\n")
    sink = next(i for i, line in enumerate(lines, 1) if line.endswith(("  # sink", "  // sink")))
    lines[sink - 1] = lines[sink - 1].rsplit("  ", 1)[0]
    return "\n".join(lines), sink


def toy_samples(*, per_pair: int = 4, seed: int = 0, languages: tuple[str, ...] = LANGUAGES) -> list[Sample]:
    """`per_pair` vulnerable/safe twins for each built-in pair, names drawn with `seed`."""
    rng = random.Random(seed)
    samples = []
    for language, cwe, vulnerable, safe in _PAIRS:
        if language not in languages:
            continue
        for k in range(per_pair):
            a, b = rng.sample(_NAMES, 2)
            names = {"f": f"{rng.choice(_FUNCS)}_{rng.randrange(100)}", "a": a, "b": b}
            if language == "java":
                names["f"] = names["f"].replace("_", "")
            pair = f"toy-{seed}-{language}-{cwe}-{k}"
            for label, template in (("vulnerable", vulnerable), ("safe", safe)):
                code, sink = _render(template, names)
                samples.append(
                    Sample(
                        id=f"{pair}-{label}",
                        language=language,
                        cwe=cwe,
                        label=label,
                        code=code,
                        safe_kind="fix" if label == "safe" else None,
                        family=f"toy/{language}/{cwe}",
                        pair_id=pair,
                        sink_line=sink,
                    )
                )
    return samples


def toy_corpus(
    *, per_pair: int = 4, seed: int = 0, languages: tuple[str, ...] = LANGUAGES
) -> tuple[list[Sample], list[Sample]]:
    """(train, validation): validation uses other names (seed + 1000) and half as many pairs."""
    train = toy_samples(per_pair=per_pair, seed=seed, languages=languages)
    validation = toy_samples(per_pair=max(1, per_pair // 2), seed=seed + 1000, languages=languages)
    return train, validation


def toy_code_text() -> str:
    """Every template rendered once: the fixed corpus the `tiny` tokenizer is trained on."""
    return "\n".join(code for s in toy_samples(per_pair=2, seed=0) for code in [s.code])
