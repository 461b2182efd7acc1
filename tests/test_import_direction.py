"""Layers point one way: ``pipelines/`` (code location, CLI) -> ``assets/<stage>/`` -> ``sejahtera/`` (core).

A stage imports the core and earlier stages only; the core imports neither a stage nor the code location.
Imports inside functions count too: a lazy import is still a dependency. The walk is checked against a planted
wrong import on a copy-like tmp tree, so the test cannot pass by finding nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sejahtera import PROJECT_ROOT

STAGES = ("extract", "validate", "reconcile", "registry")
"""The stages in run order; a stage may import the ones before it."""


def layer_of(module: str) -> tuple[int, int] | None:
    """(layer, stage rank) of a project module; None for a third-party or standard-library module.

    Layer 0 is the core, 1 the stages (ranked in run order), 2 the code location. ``assets`` alone (the
    package of all stages) counts as the last stage's rank, so importing it from a stage points forward.
    """
    parts = module.split(".")
    if parts[0] == "sejahtera":
        return (0, 0)
    if parts[0] == "pipelines":
        return (2, 0)
    if parts[0] == "assets":
        if len(parts) > 1 and parts[1] in STAGES:
            return (1, STAGES.index(parts[1]))
        return (1, len(STAGES))
    return None


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(tree: ast.AST, importer: str, is_package: bool) -> list[tuple[int, str]]:
    """Every module an import statement anywhere in the file names (functions included), with its line.

    ``from package import name`` also counts ``package.name``, since ``name`` may be a submodule.
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = importer.split(".") if is_package else importer.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            found.append((node.lineno, base))
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names if alias.name != "*")
    return found


def wrong_imports(root: Path) -> list[str]:
    """Each import under ``root``'s assets/, pipelines/ and sejahtera/ that points the wrong way, one line each."""
    problems: list[str] = []
    for package in ("sejahtera", "assets", "pipelines"):
        for path in sorted((root / package).rglob("*.py")):
            importer = module_name(root, path)
            own = layer_of(importer)
            if own is None:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, target in imported_modules(tree, importer, path.name == "__init__.py"):
                theirs = layer_of(target)
                if theirs is None:
                    continue
                upward = theirs[0] > own[0]
                later_stage = theirs[0] == own[0] == 1 and theirs[1] > own[1]
                if upward or later_stage:
                    problems.append(f"{path.relative_to(root)}:{line}: {importer} imports {target}")
    return sorted(set(problems))


def test_the_project_imports_only_downward():
    assert wrong_imports(PROJECT_ROOT) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name in ("sejahtera/__init__.py", "assets/__init__.py", "pipelines/__init__.py", *files):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files.get(name, ""), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        (
            "sejahtera/core.py",
            "from assets.registry import summary\n",
            "sejahtera.core imports assets.registry",
        ),
        ("sejahtera/core.py", "def f():\n    import pipelines.cli\n", "sejahtera.core imports pipelines.cli"),
        ("assets/extract/defs.py", "from assets.validate.gate import Gate\n", "imports assets.validate.gate"),
        ("assets/validate/defs.py", "def f():\n    from assets import registry\n", "imports assets.registry"),
        ("assets/validate/defs.py", "from pipelines.jobs import nightly_job\n", "imports pipelines.jobs"),
        ("assets/reconcile/persons.py", "from ..registry import publish\n", "imports assets.registry"),
        ("assets/extract/sub/__init__.py", "from ...validate import gate\n", "imports assets.validate"),
    ],
)
def test_a_planted_wrong_import_is_found(tmp_path, path, source, expected):
    root = _tree(tmp_path, {path: source})
    problems = wrong_imports(root)
    assert problems and all(p.startswith(f"{path}:") for p in problems), problems
    assert any(expected in p for p in problems), problems


def test_downward_imports_are_allowed(tmp_path):
    root = _tree(
        tmp_path,
        {
            "pipelines/cli.py": "from assets.registry.summary import registry_summary\nimport sejahtera.settings\n",
            "assets/registry/defs.py": "from assets.validate import publications\nfrom sejahtera import warehouse\n",
            "assets/validate/gate.py": "from assets.extract.partitions import drop_key\n",
            "sejahtera/warehouse.py": "from sejahtera.sql_text import literal\nimport duckdb\n",
        },
    )
    assert wrong_imports(root) == []
