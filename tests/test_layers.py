"""The pipeline's stages import downwards only: a lower stage never imports a higher one.

Every `vulntune` import in the source (module level or inside a function) is read with `ast`;
each module belongs to a stage (its top-level module or package) and each stage to a layer. An
import may go to a lower layer or stay inside its own stage; one going up or sideways fails.
The root package is the bottom (`__version__`; its `load_detector` is a facade over
`vulntune.models`, so it is not checked as an importer).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "vulntune"

LAYERS = [
    {"vulntune", "errors"},
    {"cwe", "config", "atomic", "progress"},
    {"parsing", "data"},
    {"analysis"},
    {"units", "batching"},
    {"synth", "slices", "unit_samples"},
    {"models"},
    {"train", "evaluate", "scan", "recalibrate"},
    {"formats", "demo", "evaluation", "study_cells", "triage"},
    {"study"},
    {"commands", "cli"},
    {"__main__"},
]
LAYER_OF = {stage: index for index, stages in enumerate(LAYERS) for stage in stages}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "vulntune"


def _imports() -> list[tuple[str, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [(module, name) for name in names if name == "vulntune" or name.startswith("vulntune.")]
    return found


def test_every_stage_has_a_layer():
    stages = {_stage(module) for module, _ in _imports()} | {_stage(target) for _, target in _imports()}
    assert stages <= set(LAYER_OF), sorted(stages - set(LAYER_OF))


def violations(imports: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (module, imported) pairs that go up a layer or sideways to another stage of the same layer."""
    return sorted(
        {
            (module, target)
            for module, target in imports
            if _stage(module) not in ("vulntune", _stage(target))
            and LAYER_OF[_stage(target)] >= LAYER_OF[_stage(module)]
        }
    )


def test_no_stage_imports_a_higher_or_sideways_one():
    wrong = violations(_imports())
    assert not wrong, "\n".join(f"{module} imports {target}" for module, target in wrong)


def test_the_rule_catches_upward_and_sideways_imports():
    assert (
        violations(
            [
                ("vulntune.scan.scanner", "vulntune.models.prediction"),  # down
                ("vulntune.models.instruct", "vulntune.models.transformer"),  # inside a stage
                ("vulntune", "vulntune.models.detector"),
            ]
        )
        == []
    )  # the root facade
    assert violations([("vulntune.models.detector", "vulntune.scan")]) == [
        ("vulntune.models.detector", "vulntune.scan")
    ]
    assert violations([("vulntune.formats.text", "vulntune.demo")]) == [("vulntune.formats.text", "vulntune.demo")]


def _module_of(name: str) -> str:
    """`name` itself when it is a vulntune module or package, else its parent (a name in it)."""
    relative = Path(*name.split(".")[1:]) if "." in name else Path()
    if (SRC / relative).with_suffix(".py").is_file() or (SRC / relative / "__init__.py").is_file():
        return name
    return name.rsplit(".", 1)[0]


def module_imports() -> dict[str, set[str]]:
    """Each module's imports run at import time (module level, outside functions): `from P import X`
    counts as an import of the module P.X when X is a submodule, of P otherwise."""
    graph: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        targets = graph.setdefault(module, set())
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("vulntune"):
                targets |= {_module_of(f"{node.module}.{alias.name}") for alias in node.names}
            elif isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names if alias.name.startswith("vulntune")}
        targets.discard(module)
    return graph


def test_no_import_cycles():
    import graphlib

    try:
        graphlib.TopologicalSorter(module_imports()).prepare()
    except graphlib.CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None


def test_the_cycle_check_sees_a_package_and_its_submodule():
    import graphlib

    graph = {"vulntune.scan": {"vulntune.scan.discover"}, "vulntune.scan.discover": {"vulntune.scan"}}
    with pytest.raises(graphlib.CycleError):
        graphlib.TopologicalSorter(graph).prepare()
    assert _module_of("vulntune.scan.git") == "vulntune.scan.git"
    assert _module_of("vulntune.scan.ScanConfig") == "vulntune.scan"
