"""Training samples cut to scan units: the sink unit keeps the file's label, another unit is safe."""

from vulntune.data import Sample
from vulntune.unit_samples import scan_unit_samples, sink_unit
from vulntune.units import extract_units

VULNERABLE = """import os

DEBUG = False


def describe(host):
    return "host " + host


def ping(host):
    command = "ping -c 1 " + host
    os.system(command)
"""
FIXED = VULNERABLE.replace("os.system(command)", 'os.system("ping -c 1 localhost")')
# Unreached, with the guard inside the sink unit: the unit alone shows why it is safe.
GUARDED_INSIDE = VULNERABLE.replace("def ping(host):\n", "def ping(host):\n    if not DEBUG:\n        return\n")
SINK = VULNERABLE.split("\n").index("    os.system(command)") + 1


def sample(id, code, label, *, pair="p1", sink=SINK, safe_kind=None):
    return Sample(
        id=id,
        language="python",
        cwe="CWE-78",
        label=label,
        code=code,
        pair_id=pair,
        sink_line=sink,
        safe_kind=safe_kind,
        family="f1",
    )


def test_sink_unit_keeps_the_label_and_the_sink_line_maps_into_it():
    vulnerable = sample("v", VULNERABLE, "vulnerable")
    fixed = sample("s", FIXED, "safe", safe_kind="fix")
    units = {u.id: u for u in scan_unit_samples([vulnerable, fixed], seed=0)}
    sink_v, sink_s = units["v#ping@10"], units["s#ping@10"]
    assert sink_v.label == "vulnerable" and sink_v.cwe == "CWE-78" and sink_v.pair_id == "p1"
    assert sink_s.label == "safe" and sink_s.safe_kind == "fix" and sink_s.pair_id == "p1"
    assert sink_v.code.startswith("def ping(host):")
    assert sink_v.code.split("\n")[sink_v.sink_line - 1].strip() == "os.system(command)"
    assert sink_v.family == "f1" and sink_v.meta == {
        "unit_of": "v",
        "unit": "ping",
        "unit_kind": "function",
        "sink_unit": True,
    }
    # One other unit of the vulnerable file only, as safe and unpaired.
    others = [u for u in units.values() if not u.meta["sink_unit"]]
    assert len(others) == 1 and others[0].meta["unit_of"] == "v"
    assert others[0].label == "safe" and others[0].pair_id is None and others[0].sink_line is None
    assert "os.system(command)" not in others[0].code


def test_a_safe_twin_whose_sink_unit_reads_as_the_vulnerable_one_is_left_out():
    vulnerable = sample("v", VULNERABLE, "vulnerable")
    guarded = VULNERABLE.replace("DEBUG = False", "DEBUG = True")  # the unit itself is unchanged
    units = scan_unit_samples([vulnerable, sample("s", guarded, "safe", safe_kind="unreached")], seed=0)
    assert not [u for u in units if u.meta["unit_of"] == "s"]
    inside = sample("s2", GUARDED_INSIDE, "safe", sink=SINK + 2, safe_kind="unreached")
    assert [u.id for u in scan_unit_samples([vulnerable, inside], seed=0) if u.meta["unit_of"] == "s2"] == [
        "s2#ping@10"
    ]


def test_the_other_unit_depends_on_the_seed_only_and_files_without_a_sink_add_nothing():
    vulnerable = sample("v", VULNERABLE, "vulnerable")
    picks = {seed: [u.id for u in scan_unit_samples([vulnerable], seed=seed)] for seed in range(12)}
    assert picks[3] == [u.id for u in scan_unit_samples([vulnerable], seed=3)]
    assert len({tuple(p) for p in picks.values()}) == 2  # describe or the module code, by seed
    assert scan_unit_samples([sample("n", VULNERABLE, "vulnerable", sink=None)], seed=0) == []


def test_a_unit_identical_to_its_file_is_not_added_twice():
    code = "def ping(host):\n    os.system('ping ' + host)\n"
    assert scan_unit_samples([sample("v", code, "vulnerable", sink=2)], seed=0) == []


def test_sink_unit_is_the_innermost():
    code = "def outer(x):\n    def inner(y):\n        eval(y)\n    return inner(x)\n"
    units = extract_units(code, language="python", file="f").units
    assert sink_unit(units, 3).name == "outer.inner" and sink_unit(units, 4).name == "outer"
    assert sink_unit(units, 99) is None
