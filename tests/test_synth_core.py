"""The language-independent corpus machinery: registry validation, tokens, dedup, splits, shortcut AUROCs."""

from __future__ import annotations

import pytest

from vulntune.data import Sample
from vulntune.errors import VulntuneError
from vulntune.synth.config import SynthConfig
from vulntune.synth.dedup import exact_dedup, minhash_signatures, near_duplicate_groups, normalized_key
from vulntune.synth.shortcut import outside_band, shortcut_aurocs
from vulntune.synth.split import assign_families, split_pairs
from vulntune.synth.template import Fix, Registry, Sink, Source
from vulntune.synth.tokens import declared_names, normalized_tokens


def _sink(**overrides) -> Sink:
    fields = dict(
        id="sql-string-concat-execute",
        language="python",
        cwe="CWE-89",
        api="sqlite3.Cursor.execute",
        vulnerable='q = "SELECT * FROM t WHERE a = \'" + $value + "\'"\n@@cur.execute(q)',
        fixes=(Fix(id="bind", code='@@cur.execute("SELECT * FROM t WHERE a = ?", ($value,))'),),
    )
    fields.update(overrides)
    return Sink(**fields)


def test_registry_accepts_a_valid_sink_and_rejects_duplicates():
    registry = Registry()
    registry.register(_sink())
    assert [s.id for s in registry.sinks_for("python", "CWE-89")] == ["sql-string-concat-execute"]
    with pytest.raises(VulntuneError, match="duplicate sink id"):
        registry.register(_sink())


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"cwe": "CWE-4242"}, "unknown CWE"),
        ({"cwe": "CWE-94", "language": "java"}, "not catalogued for java"),
        ({"language": "cobol"}, "unsupported language"),
        ({"id": "SqlConcat"}, "kebab-case"),
        ({"vulnerable": "cur.execute(q)"}, "exactly one line"),
        ({"fixes": ()}, "at least one fix"),
        ({"vulnerable": "@@cur.execute(bad_query)"}, "label-revealing"),
        ({"value_kind": "int"}, "value_kind"),
        # the sink line is marked once across the code and the helper in effect
        ({"helper": "def run(q):\n    @@cur.execute(q)"}, "exactly one line"),
        ({"fixes": (Fix(id="bind", code="run($value)", helper="def run(q):\n    @@cur.execute(q)\n    @@x"),)}, "fix"),
        ({"fixes": (Fix(id="bind", code="run($value)", helper="def run(q):\n    cur.execute(q)"),)}, "fix 'bind'"),
    ],
)
def test_registry_rejects_invalid_templates(overrides, message):
    with pytest.raises(VulntuneError, match=message):
        Registry().register(_sink(**overrides))


def test_registry_accepts_the_sink_line_in_a_helper_and_a_fix_helper_replaces_it():
    registry = Registry()
    helper = "def run(q):\n    @@cur.execute(q)"
    registry.register(
        _sink(
            id="sql-wrapper-concat",
            vulnerable='run("SELECT * FROM t WHERE a = \'" + $value + "\'")',
            helper=helper,
            fixes=(
                Fix(id="quote", code='run("SELECT * FROM t WHERE a = " + quote($value))'),
                Fix(id="bind", code="run_bound($value)", helper="def run_bound(v):\n    @@cur.execute('... ?', (v,))"),
            ),
        )
    )
    assert registry.sinks["python"]["sql-wrapper-concat"].helper == helper


def test_registry_rejects_leak_words_in_any_template():
    source = Source(
        id="flask-arg",
        language="python",
        framework="flask",
        header="def f():",
        read="$var = request.args.get('exploit')",
    )
    with pytest.raises(VulntuneError, match="label-revealing"):
        Registry().register(source)


def test_synth_config_validation():
    with pytest.raises(VulntuneError, match="per-cwe"):
        SynthConfig(per_cwe=0)
    with pytest.raises(VulntuneError, match="unknown language"):
        SynthConfig(languages=("python", "rust"))
    with pytest.raises(VulntuneError, match="unknown CWE"):
        SynthConfig(cwes=("CWE-1",))
    with pytest.raises(VulntuneError, match="not catalogued"):
        SynthConfig(languages=("java",), cwes=("CWE-94",))
    cfg = SynthConfig(languages=("java", "python"), cwes=("94", "89"))
    assert cfg.cwes_for("java") == ("CWE-89",)
    assert cfg.cwes_for("python") == ("CWE-89", "CWE-94")


def test_declared_names_exclude_api_names():
    code = "import os\ndef load(name):\n    path = os.path.join(ROOT, name)\n    return open(path).read()\n"
    assert declared_names(code, "python") == ["load", "name", "path"]
    # os.path keeps its attribute name even though `path` is also a local
    assert normalized_tokens(code, "python")[:12] == [
        "import",
        "os",
        "def",
        "v1",
        "(",
        "v2",
        ")",
        ":",
        "v3",
        "=",
        "os",
        ".",
    ]
    assert "path" in normalized_tokens(code, "python")
    java = "class Report { String render(String title) { String html = title; return html; } }"
    assert declared_names(java, "java") == ["Report", "render", "title", "html"]


def _pair(i: int, code_v: str, code_s: str, family: str = "fam", cwe: str = "CWE-89") -> tuple[Sample, Sample]:
    common = dict(language="python", cwe=cwe, family=family, pair_id=f"p{i}", sink_line=1)
    return (
        Sample(id=f"v{i}", label="vulnerable", code=code_v, **common),
        Sample(id=f"s{i}", label="safe", safe_kind="fix", code=code_s, **common),
    )


def test_exact_dedup_ignores_identifier_renames_and_drops_pairs_whole():
    a = _pair(1, "def f(x):\n    run(x)\n", "def f(x):\n    run(quote(x))\n")
    renamed = _pair(2, "def g(y):\n  run(y)\n", "def g(y):\n    run(quote(y))\n")
    other = _pair(3, "def f(x):\n    call(x)\n", "def f(x):\n    call(int(x))\n")
    conflict = _pair(4, "def h(z):\n    call(int(z))\n", "def h(z):\n    call(str(z))\n")
    pairs = [a, renamed, other, conflict]
    keys = {s.id: normalized_key(s) for p in pairs for s in p}
    result = exact_dedup(pairs, keys)
    assert [p[0].id for p in result.pairs] == ["v1", "v3"]
    assert result.duplicates_removed == 1
    assert result.label_conflicts == 1  # v4's code equals s3's code up to renaming: same code, both labels


def test_minhash_groups_near_duplicates_only():
    base = [f"tok{i}" for i in range(200)]
    near = list(base)
    near[100] = "changed"
    far = [f"other{i}" for i in range(200)]
    sigs = minhash_signatures([base, near, far])
    assert near_duplicate_groups(sigs, 0.9) == [[0, 1]]


def test_family_split_is_disjoint_and_near_duplicates_never_cross():
    pairs = []
    for f in range(20):
        for k in range(3):
            tokens = " ".join(f"w{f}_{k}_{i}" for i in range(60))
            pairs.append(_pair(len(pairs), tokens, tokens + " extra", family=f"fam{f}"))
    assignment = assign_families(pairs, (0.8, 0.1, 0.1), seed=0)
    assert sorted(set(assignment.values())) == ["test", "train", "validation"]
    assert sum(v == "test" for v in assignment.values()) == 2
    # plant a near duplicate of a train pair inside a test family
    train_fam = next(f for f, s in sorted(assignment.items()) if s == "train")
    test_fam = next(f for f, s in sorted(assignment.items()) if s == "test")
    source = next(p for p in pairs if p[0].family == train_fam)
    pairs.append(_pair(999, source[0].code, source[1].code + " x", family=test_fam))
    keys = [s.code.split() for p in pairs for s in p]
    result = split_pairs(pairs, (0.8, 0.1, 0.1), 0, minhash_signatures(keys), 0.9)
    assert result.near_duplicates_removed == 1
    families = {name: {s.family for s in samples} for name, samples in result.splits.items()}
    assert not families["train"] & families["test"] and not families["train"] & families["validation"]
    ids = {s.id for samples in result.splits.values() for s in samples}
    assert "v999" not in ids and "s999" not in ids
    for samples in result.splits.values():  # twins stay together
        by_pair = {}
        for s in samples:
            by_pair.setdefault(s.pair_id, set()).add(s.label)
        assert all(labels == {"vulnerable", "safe"} for labels in by_pair.values())


def test_shortcut_aurocs_flag_a_length_leak():
    def pairs(n, leak):
        out = []
        for i in range(n):
            pad = "\n".join(f"    log{i % 7}(step)" for _ in range(i % 5))
            v = f"def handle{i % 3}(item):\n{pad}\n    run(item)\n"
            s = v + ("    audit(item)\n" * 30 if leak else "").replace("run", "run")
            s = s.replace("run(item)", "run(quote(item))")
            out.extend(_pair(i, v, s))
        return out

    clean = shortcut_aurocs(pairs(40, False), pairs(40, False))
    leaky = shortcut_aurocs(pairs(40, True), pairs(40, True))
    assert outside_band(leaky) == ["code_length", "line_count"]
    assert "line_count" not in outside_band(clean)
